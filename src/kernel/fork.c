// SPDX-License-Identifier: MIT
/*
 * kernel/fork.c - fork(): a new task whose mm is a copy of the parent's
 * (dup_mm -> mm_init -> dup_mmap), with the kernel's rules:
 *
 *   parent VMA               child
 *   VM_DONTCOPY              absent (and not counted in total_vm)
 *   VM_WIPEONFORK            present, empty, no anon_vma
 *   VM_LOCKED/LOCKONFAULT    cleared (memory locks are not inherited)
 *   with an anon_vma or      copy_page_range: the pages are shared,
 *   VM_PFNMAP/MIXEDMAP       private writable ones write-protected in
 *                            both (the first write copies)
 *   anything else            empty: faults refill it from the file
 *
 * mm_init keeps of def_flags only VM_NOHUGEPAGE (VM_INIT_DEF_MASK), so
 * mlockall(MCL_FUTURE) does not pass to the child.  The child's VMAs
 * chain to their parent's anon_vmas and a new one each (anon_vma_fork,
 * src/mm/rmap.c); it gets a copy of the fds, and
 * hiwater_rss/hiwater_vm at their values after the copy.
 *
 * mmt_trial_begin() makes the other copy: not a fork but a what-if twin
 * of the process (every VMA, locks kept, the same anon_vma chains, no
 * pages, no charge), for calls whose order must be found by trying them.
 */
#include "ipc/shm_internal.h"
#include "mm/memory.h"

#include <stdlib.h>
#include <string.h>

/* mm_init()'s copy of the parent's fields; counters start at zero. */
static void dup_mm_fields(struct mmt_mm *mm, const struct mmt_mm *old)
{
	uint64_t pgd = mm->pgd_pfn, kaddr = mm->kaddr;

	*mm = *old;
	mm->pgd_pfn = pgd;
	mm->kaddr = kaddr;
	mm->map_count = 0;
	mm->locked_vm = 0;
	mm->total_vm = mm->data_vm = mm->exec_vm = mm->stack_vm = 0;
	memset(mm->rss_stat, 0, sizeof(mm->rss_stat));
	mm->def_flags = old->def_flags & MMT_VM_NOHUGEPAGE;
}

/* dup_mm's modes: fork(), or mmt_trial_begin()'s exact copy */
enum dup_mode { DUP_FORK, DUP_EXACT };

/* The exact copy's VMA: the same flags and anon_vma chain, no pages, no
 * charge (the original's pages are not shared, so a call on the copy
 * cannot write-protect or move them). */
static int dup_vma_exact(struct mmt_mm *mm, struct mmt_vma *mpnt)
{
	struct mmt_vma *tmp = vm_area_dup_mm(mm, mpnt);

	if (!tmp)
		return -ENOMEM;
	if (anon_vma_clone(tmp, mpnt)) {
		vm_area_free(tmp);
		return -ENOMEM;
	}
	vma_link(mm, tmp);
	vm_stat_account(mm, tmp->vm_flags, (int64_t)vma_pages(tmp));
	return 0;
}

/* One VMA of dup_mmap(); 0 or -ENOMEM (the commit charge of a
 * VM_ACCOUNT VMA refused, out of memory). */
static int dup_vma(struct mmt_mm *mm, struct mmt_vma *mpnt)
{
	struct mmt_vma *tmp;
	int err = 0;

	if (mpnt->vm_flags & MMT_VM_DONTCOPY)
		return 0;
	if ((mpnt->vm_flags & MMT_VM_ACCOUNT) &&
	    security_vm_enough_memory_mm(mpnt->vm_mm, vma_pages(mpnt)))
		return -ENOMEM;
	tmp = vm_area_dup_mm(mm, mpnt);
	if (!tmp) {
		if (mpnt->vm_flags & MMT_VM_ACCOUNT)
			vm_unacct_memory(mm_machine(mm), vma_pages(mpnt));
		return -ENOMEM;
	}
	/* VM_WIPEONFORK: a clean slate, no anon_vma until a fault */
	if (!(tmp->vm_flags & MMT_VM_WIPEONFORK) && anon_vma_fork(tmp, mpnt)) {
		vm_area_free(tmp);
		if (mpnt->vm_flags & MMT_VM_ACCOUNT)
			vm_unacct_memory(mm_machine(mm), vma_pages(mpnt));
		return -ENOMEM;
	}
	tmp->vm_flags &= ~(MMT_VM_LOCKED | MMT_VM_LOCKONFAULT);
	vma_link(mm, tmp);
	vm_stat_account(mm, tmp->vm_flags, (int64_t)vma_pages(tmp));
	if (!(tmp->vm_flags & MMT_VM_WIPEONFORK))
		err = copy_page_range(tmp, mpnt);
	return err;
}

static int dup_mmap(struct mmt_mm *mm, struct mmt_mm *oldmm,
		    enum dup_mode mode)
{
	for (struct mmt_vma *v = vma_first(oldmm); v; v = vma_next(v)) {
		int err = mode == DUP_EXACT ? dup_vma_exact(mm, v)
					    : dup_vma(mm, v);

		if (err)
			return err;
	}
	mm->hiwater_rss = mmt_mm_rss(mm);
	mm->hiwater_vm = mm->total_vm;
	return 0;
}

/* The child's copy of the fd table (each open file one more ref). */
static int dup_fds(struct mmt_task *t, const struct mmt_task *parent)
{
	if (!parent->nr_fds)
		return 0;
	t->fds = calloc(parent->nr_fds, sizeof(*t->fds));
	if (!t->fds)
		return -ENOMEM;
	t->nr_fds = parent->nr_fds;
	for (unsigned i = 0; i < t->nr_fds; i++) {
		t->fds[i] = parent->fds[i];
		if (t->fds[i].file)
			mmt_file_get(t->fds[i].file);
	}
	return 0;
}

/* The task of a fork (or of a trial's exact copy): comm, personality,
 * capabilities, limits, CPU, the mm's fields, fds, then the VMAs. */
static struct mmt_task *dup_task(struct mmt_task *parent, int pid,
				 enum dup_mode mode, int *error)
{
	struct mmt_task *t = mmt_task_create(parent->m, parent->abi, pid,
					     error);

	if (!t)
		return NULL;
	memcpy(t->comm, parent->comm, sizeof(t->comm));
	t->personality = parent->personality;
	mmt_task_copy_caps(t, parent);
	memcpy(t->rlim, parent->rlim, sizeof(t->rlim));
	t->cpu = parent->cpu;
	dup_mm_fields(t->mm, parent->mm);
	if (mode == DUP_EXACT) {
		/* mlock and RLIMIT_MEMLOCK see the original's locks, new
		 * VMAs its mlockall(MCL_FUTURE) */
		t->mm->locked_vm = parent->mm->locked_vm;
		t->mm->def_flags = parent->mm->def_flags;
	}
	*error = dup_fds(t, parent);
	if (!*error)
		*error = dup_mmap(t->mm, parent->mm, mode);
	if (*error) {
		mmt_task_exit(t);
		return NULL;
	}
	return t;
}

struct mmt_task *mmt_task_fork(struct mmt_task *parent, int pid, int *error)
{
	struct mmt_task *t = dup_task(parent, pid, DUP_FORK, error);

	if (t)
		mm_trace(t->mm, "fork of pid %d: %lu VMAs, %llu pages shared",
			 parent->pid, t->mm->map_count,
			 (unsigned long long)mmt_mm_rss(t->mm));
	return t;
}

/* ------------------------------------------------------------- trials */

int mmt_trial_begin(struct mmt_trial *tr, struct mmt_task *t)
{
	struct mmt_tasks *ts = t->m->tasks;
	int e = 0;

	memset(tr, 0, sizeof(*tr));
	tr->orig = t;
	tr->committed_as = ts->vm_committed_as;
	tr->shmem_committed = ts->shmem_committed;
	tr->committed_leaked = ts->committed_leaked;
	tr->next_shmem_ino = ts->next_shmem_ino;
	tr->next_anon_vma = ts->next_anon_vma;
	tr->last_pid = ts->last_pid;
	tr->lprid = shm_lprids_save(t->m, &tr->nlprid);
	tr->t = dup_task(t, 0, DUP_EXACT, &e);
	if (!tr->t) {
		mmt_trial_end(tr);
		return e ? e : -ENOMEM;
	}
	return 0;
}

void mmt_trial_end(struct mmt_trial *tr)
{
	struct mmt_tasks *ts = tr->orig->m->tasks;

	if (tr->t)
		mmt_task_exit(tr->t);
	/* the copy had no charge of its own: its exit gave back what the
	 * original still holds */
	ts->vm_committed_as = tr->committed_as;
	ts->shmem_committed = tr->shmem_committed;
	ts->committed_leaked = tr->committed_leaked;
	ts->next_shmem_ino = tr->next_shmem_ino;
	ts->next_anon_vma = tr->next_anon_vma;
	ts->last_pid = tr->last_pid;
	shm_lprids_restore(tr->orig->m, tr->lprid, tr->nlprid);
	free(tr->lprid);
	tr->t = NULL;
	tr->lprid = NULL;
}
