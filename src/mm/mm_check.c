// SPDX-License-Identifier: MIT
/*
 * mm/mm_check.c - the whole-structure validator of every task's mm
 * (validate_mm with CONFIG_DEBUG_VM_MAPLE_TREE, and more):
 *   - the tree: red-black rules, ordered, non-overlapping, page aligned,
 *     every node's cached gap and subtree gap right;
 *   - map_count equals the number of VMAs;
 *   - total_vm, data_vm, exec_vm, stack_vm, locked_vm equal their
 *     recomputation from the VMAs;
 *   - every VMA inside [mmap_min_addr, task_size) (below mmap_min_addr
 *     only with CAP_SYS_RAWIO);
 *   - no adjacent pair the kernel would have merged: same flags (but
 *     VM_SOFTDIRTY), file, anon name and anon_vma (strictly equal: a
 *     NULL/non-NULL pair is mergeable too, but such pairs are left by
 *     real histories), contiguous pgoff, not VM_SPECIAL.  Exempt, because
 *     the kernel leaves them: the pair at start_brk (brk never merges into
 *     the VMA below start_brk, e.g. the ELF loader's bss) and pairs with a
 *     VMA seeded from a live process (its history is unknown);
 *   - the slab caches hold one vm_area_struct per VMA, one task_struct
 *     and one mm_struct per task;
 *   - the pages (memory.c, mm_check_pages): no PTE outside a VMA, no
 *     writable PTE in a read-only VMA or on a shared anonymous page,
 *     special PTEs only for the zero page, every mapped frame a user
 *     page, rss_stat equal to what the tables map, each page's mapcount
 *     equal to its PTEs and its refcount to those plus the page cache's;
 *   - the commit charge (vm_committed_as) is the VM_ACCOUNT pages of
 *     every mm plus what the shmem objects hold (plus what 6.18 leaks).
 */
#include "mm/vma_internal.h"
#include "mm/memory.h"

#include <mmtwin/kalloc.h>

#include <string.h>

static int vma_cmp(const struct mmt_rb_node *a, const struct mmt_rb_node *b)
{
	uint64_t x = VMA(a)->vm_start, y = VMA(b)->vm_start;

	return x < y ? -1 : x > y;
}

static int vma_aug_check(const struct mmt_rb_node *rb)
{
	const struct mmt_rb_node *p = mmt_rb_prev(rb);
	const struct mmt_vma *v = VMA(rb), *prev = p ? VMA(p) : NULL;

	/* the lowest VMA carries no gap: the head gap is kept apart */
	return v->rb_gap != (prev ? v->vm_start - prev->vm_end : 0) ||
	       v->rb_subtree_gap != vma_compute_subtree_gap(v);
}

/* The merge the kernel would have done of @a and its successor @b. */
static bool would_merge(const struct mmt_mm *mm, const struct mmt_vma *a,
			const struct mmt_vma *b)
{
	if (a->vm_end != b->vm_start || a->seeded || b->seeded)
		return false;
	if (a->split_left && b->split_left)	/* an aborted munmap's */
		return false;
	if (a->vm_end == mm->start_brk || a->brk_new)
		return false;	/* brk never merges with the VMA above */
	if ((a->vm_flags ^ b->vm_flags) & ~MMT_VM_IGNORE_MERGE)
		return false;
	if ((a->vm_flags & MMT_VM_SPECIAL) || a->vm_special || b->vm_special)
		return false;
	if (a->vm_file != b->vm_file || a->anon_vma != b->anon_vma)
		return false;
	if (vma_vm_ops(a) && vma_vm_ops(a)->close)
		return false;	/* can_merge_remove_vma() refuses (shm) */
	if ((a->anon_name || b->anon_name) &&
	    (!a->anon_name || !b->anon_name || strcmp(a->anon_name, b->anon_name)))
		return false;
	return a->vm_pgoff + vma_pages(a) == b->vm_pgoff;
}

struct mm_counts {
	uint64_t n, total, data, exec, stack, locked;
};

static int check_vma(const struct mmt_task *t, const struct mmt_vma *v,
		     const struct mmt_vma *prev, char *err, size_t len)
{
	const struct mmt_mm *mm = t->mm;
	uint64_t min = t->m->tasks->sysctl.mmap_min_addr;

	if (v->vm_start >= v->vm_end || (v->vm_start | v->vm_end) & ~MMT_PAGE_MASK) {
		snprintf(err, len, "pid %d: VMA [%#llx, %#llx) empty or "
			 "unaligned", t->pid, (unsigned long long)v->vm_start,
			 (unsigned long long)v->vm_end);
		return -1;
	}
	if (v->vm_prev != prev || (prev && prev->vm_next != v)) {
		snprintf(err, len, "pid %d: VMA list links of [%#llx, %#llx) "
			 "disagree with the tree", t->pid,
			 (unsigned long long)v->vm_start,
			 (unsigned long long)v->vm_end);
		return -1;
	}
	if (prev && prev->vm_end > v->vm_start) {
		snprintf(err, len, "pid %d: VMAs [%#llx, %#llx) and [%#llx, "
			 "%#llx) overlap", t->pid,
			 (unsigned long long)prev->vm_start,
			 (unsigned long long)prev->vm_end,
			 (unsigned long long)v->vm_start,
			 (unsigned long long)v->vm_end);
		return -1;
	}
	if ((v->vm_start < min && !t->cap_sys_rawio) ||
	    v->vm_end > mm->task_size) {
		snprintf(err, len, "pid %d: VMA [%#llx, %#llx) outside "
			 "[mmap_min_addr, task_size %#llx)", t->pid,
			 (unsigned long long)v->vm_start,
			 (unsigned long long)v->vm_end,
			 (unsigned long long)mm->task_size);
		return -1;
	}
	if (v->vm_mm != mm) {
		snprintf(err, len, "pid %d: VMA %#llx points at another mm",
			 t->pid, (unsigned long long)v->vm_start);
		return -1;
	}
	if (prev && would_merge(mm, prev, v)) {
		snprintf(err, len, "pid %d: VMAs [%#llx, %#llx) and [%#llx, "
			 "%#llx) should have been merged", t->pid,
			 (unsigned long long)prev->vm_start,
			 (unsigned long long)prev->vm_end,
			 (unsigned long long)v->vm_start,
			 (unsigned long long)v->vm_end);
		return -1;
	}
	return 0;
}

static void count_vma(struct mm_counts *c, const struct mmt_vma *v)
{
	uint64_t n = vma_pages(v);

	c->n++;
	c->total += n;
	if (is_exec_mapping(v->vm_flags))
		c->exec += n;
	else if (is_stack_mapping(v->vm_flags))
		c->stack += n;
	else if (is_data_mapping(v->vm_flags))
		c->data += n;
	if (v->vm_flags & MMT_VM_LOCKED)
		c->locked += n;
}

static int check_counters(const struct mmt_task *t, const struct mm_counts *c,
			  char *err, size_t len)
{
	const struct mmt_mm *mm = t->mm;

	if (c->n != mm->map_count || c->total != mm->total_vm ||
	    c->data != mm->data_vm || c->exec != mm->exec_vm ||
	    c->stack != mm->stack_vm || c->locked != mm->locked_vm) {
		snprintf(err, len, "pid %d: counters map_count %lu total %llu "
			 "data %llu exec %llu stack %llu locked %llu, VMAs give "
			 "%llu %llu %llu %llu %llu %llu", t->pid, mm->map_count,
			 (unsigned long long)mm->total_vm,
			 (unsigned long long)mm->data_vm,
			 (unsigned long long)mm->exec_vm,
			 (unsigned long long)mm->stack_vm,
			 (unsigned long long)mm->locked_vm,
			 (unsigned long long)c->n, (unsigned long long)c->total,
			 (unsigned long long)c->data, (unsigned long long)c->exec,
			 (unsigned long long)c->stack,
			 (unsigned long long)c->locked);
		return -1;
	}
	return 0;
}

static int check_task(const struct mmt_task *t, uint64_t *nvmas, char *err,
		      size_t len)
{
	struct mm_counts c = { 0 };
	const struct mmt_vma *prev = NULL;
	char e[200];

	if (mmt_rb_check(mm_rb(t->mm), vma_cmp, vma_aug_check, e, sizeof(e))) {
		snprintf(err, len, "pid %d: VMA tree: %s", t->pid, e);
		return -1;
	}
	for (struct mmt_rb_node *rb = mmt_rb_first(mm_rb(t->mm)); rb;
	     rb = mmt_rb_next(rb)) {
		const struct mmt_vma *v = VMA(rb);

		if ((!prev && vma_first(t->mm) != v) ||
		    check_vma(t, v, prev, err, len)) {
			if (!prev && vma_first(t->mm) != v)
				snprintf(err, len, "pid %d: the first VMA is "
					 "not the tree's", t->pid);
			return -1;
		}
		count_vma(&c, v);
		prev = v;
	}
	if (vma_last(t->mm) != prev) {
		snprintf(err, len, "pid %d: the highest VMA is not the tree's",
			 t->pid);
		return -1;
	}
	*nvmas += c.n;
	return check_counters(t, &c, err, len);
}

static int check_cache(struct mmt_machine *m, const char *name, uint64_t want,
		       char *err, size_t len)
{
	const struct mmt_kmem_cache *s = mmt_kmem_cache_find(m, name);

	if (!s || s->active_objs != want) {
		snprintf(err, len, "slab cache %s holds %lu objects, the tasks "
			 "%llu", name, s ? s->active_objs : 0,
			 (unsigned long long)want);
		return -1;
	}
	return 0;
}

/* vm_committed_as against the charges it should be the sum of. */
static int check_committed(struct mmt_machine *m, char *err, size_t len)
{
	uint64_t want = m->tasks->shmem_committed +
			m->tasks->committed_leaked;

	for (const struct mmt_task *t = m->tasks->list; t; t = t->next) {
		if (mm_task(t->mm) != t)	/* a shared mm counts once */
			continue;
		for (const struct mmt_vma *v = vma_first(t->mm); v;
		     v = vma_next(v))
			if (v->vm_flags & MMT_VM_ACCOUNT)
				want += vma_pages(v);
	}
	if (m->tasks->vm_committed_as != want) {
		snprintf(err, len, "vm_committed_as %llu pages, the VM_ACCOUNT "
			 "VMAs and shmem objects hold %llu",
			 (unsigned long long)m->tasks->vm_committed_as,
			 (unsigned long long)want);
		return -1;
	}
	return 0;
}

/* Every chain entry is counted once, and every VMA with an anon_vma
 * links to it. */
static int check_chains(struct mmt_machine *m, char *err, size_t len)
{
	uint64_t n = 0;

	for (const struct mmt_task *t = m->tasks->list; t; t = t->next)
		for (const struct mmt_vma *v = mm_task(t->mm) == t ?
					       vma_first(t->mm) : NULL; v;
		     v = vma_next(v)) {
			n += vma_anon_chain_len(v);
			if (!v->anon_vma != !vma_anon_chain_len(v)) {
				snprintf(err, len, "pid %d: VMA at %#llx: "
					 "anon_vma %llu with %u chain entries",
					 t->pid,
					 (unsigned long long)v->vm_start,
					 (unsigned long long)v->anon_vma,
					 vma_anon_chain_len(v));
				return -1;
			}
		}
	if (n != m->tasks->nr_anon_vma_chains) {
		snprintf(err, len, "the VMAs hold %llu anon_vma_chain entries, "
			 "%llu are counted", (unsigned long long)n,
			 (unsigned long long)m->tasks->nr_anon_vma_chains);
		return -1;
	}
	return 0;
}

int mmt_mm_check(struct mmt_machine *m, char *err, size_t len)
{
	uint64_t ntasks = 0, nvmas = 0, nmms = 0;

	if (!m->tasks)
		return 0;
	for (const struct mmt_task *t = m->tasks->list; t; t = t->next) {
		ntasks++;
		if (mm_task(t->mm) != t)	/* a thread: its mm counts once */
			continue;
		if (check_task(t, &nvmas, err, len))
			return -1;
		nmms++;
	}
	if (check_cache(m, "task_struct", ntasks, err, len) ||
	    check_cache(m, "mm_struct", nmms, err, len) ||
	    check_cache(m, "vm_area_struct", nvmas, err, len) ||
	    check_cache(m, "anon_vma", m->tasks->nr_anon_vmas, err, len) ||
	    check_cache(m, "anon_vma_chain", m->tasks->nr_anon_vma_chains,
			err, len) || check_chains(m, err, len))
		return -1;
	if (check_committed(m, err, len))
		return -1;
	return mm_check_pages(m, err, len);
}
