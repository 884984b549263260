// SPDX-License-Identifier: MIT
/*
 * kernel/kstack.c - kernel stacks, the thread-stack part of kernel/fork.c
 * (6.18): alloc_thread_stack_node, free_thread_stack,
 * try_release_thread_stack_to_cache, free_vm_stack_cache,
 * account_kernel_stack / exit_task_stack_account.  The picture is in
 * kernel/task_internal.h.
 *
 * Simplified: RCU is immediate (thread_stack_delayed_free() runs its
 * callback at once; the kernel's callback tries the cache again, which
 * the model's state would refuse the same way), vfree is eager (see
 * mm/vmalloc.c), memcg charging is not modelled, and every task runs on
 * CPU 0.  x86_32's stacks come from the page allocator, never a cache.
 */
#include "kernel/task_internal.h"
#include "base/bug.h"

#include <mmtwin/kalloc.h>
#include <mmtwin/page_alloc.h>

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define THREAD_SIZE_ORDER_32 1		/* arch/x86/include/asm/page_32_types.h */
#define THREAD_SIZE_ORDER_64 2		/* page_64_types.h, KASAN_STACK_ORDER 0 */

bool vmap_stack(const struct mmt_machine *m)
{
	return mmt_arch_is_64(m->cfg.arch);
}

static unsigned thread_size_order(const struct mmt_machine *m)
{
	return vmap_stack(m) ? THREAD_SIZE_ORDER_64 : THREAD_SIZE_ORDER_32;
}

uint64_t mmt_thread_size(const struct mmt_machine *m)
{
	return (uint64_t)MMT_PAGE_SIZE << thread_size_order(m);
}

uint64_t mmt_kernel_stack_kb(const struct mmt_machine *m)
{
	return m->tasks && m->tasks->kstacks
	       ? m->tasks->kstacks->nr_kernel_stack_kb : 0;
}

static uint64_t *cached_slot(struct mmt_kstacks *ks, unsigned cpu,
			     unsigned i)
{
	MMT_BUG_ON(cpu >= ks->nr_cpus || i >= NR_CACHED_STACKS);
	return &ks->cached_stacks[(size_t)cpu * NR_CACHED_STACKS + i];
}

int kstacks_init(struct mmt_machine *m)
{
	struct mmt_kstacks *ks = calloc(1, sizeof(*ks));
	unsigned n = m->cfg.online_cpus ? m->cfg.online_cpus : 1;

	if (!ks)
		return -ENOMEM;
	ks->cached_stacks = calloc((size_t)n * NR_CACHED_STACKS,
				   sizeof(uint64_t));
	if (!ks->cached_stacks) {
		free(ks);
		return -ENOMEM;
	}
	ks->nr_cpus = n;
	m->tasks->kstacks = ks;
	return 0;
}

/* free_vm_stack_cache(): the CPU-hotplug teardown of one CPU's cache. */
static void free_vm_stack_cache(struct mmt_machine *m, unsigned cpu)
{
	struct mmt_kstacks *ks = m->tasks->kstacks;

	for (unsigned i = 0; i < NR_CACHED_STACKS; i++) {
		uint64_t *slot = cached_slot(ks, cpu, i);

		if (!*slot)
			continue;
		if (mmt_vfree(m, *slot))
			MMT_BUG("cached stack %#" PRIx64 " is no vmalloc area",
				*slot);
		ks->nr_vfree++;
		*slot = 0;
	}
}

void kstacks_exit(struct mmt_machine *m)
{
	struct mmt_kstacks *ks = m->tasks->kstacks;

	if (!ks)
		return;
	for (unsigned cpu = 0; cpu < ks->nr_cpus; cpu++)
		free_vm_stack_cache(m, cpu);
	free(ks->cached_stacks);
	free(ks);
	m->tasks->kstacks = NULL;
}

/*
 * alloc_thread_stack_node(): the first non-empty cached slot of the CPU
 * (taken: this_cpu_xchg), else a new THREAD_ALIGN-aligned vmalloc area;
 * x86_32: an order-THREAD_SIZE_ORDER lowmem block.  0 or -ENOMEM.
 */
static int alloc_thread_stack_node(struct mmt_task *t)
{
	struct mmt_machine *m = t->m;
	struct mmt_kstacks *ks = m->tasks->kstacks;
	uint64_t size = mmt_thread_size(m), pfn, va;

	if (!vmap_stack(m)) {
		/* THREADINFO_GFP: GFP_KERNEL_ACCOUNT | __GFP_ZERO, lowmem */
		if (mmt_alloc_pages(m, MMT_GFP_KERNEL_ACCOUNT | MMT_GFP_ZERO,
				    thread_size_order(m), &pfn))
			return -ENOMEM;
		if (mmt_va(&m->layout, pfn << MMT_PAGE_SHIFT, &va))
			MMT_BUG("GFP_KERNEL pfn %#" PRIx64 " is not lowmem",
				pfn);
		t->stack = va;
		return 0;
	}
	for (unsigned i = 0; i < NR_CACHED_STACKS; i++) {
		uint64_t *slot = cached_slot(ks, task_cpu(t), i);

		if (!*slot)
			continue;
		t->stack = *slot;	/* memset(stack, 0): nothing to do */
		*slot = 0;
		ks->nr_cache_hits++;
		return 0;
	}
	/* THREADINFO_GFP & ~__GFP_ACCOUNT; the area is 16 KiB + guard */
	if (mmt_vmalloc_node_range(m, size, size, THREAD_STACK_CALLER, &va))
		return -ENOMEM;
	ks->nr_vmalloc++;
	t->stack = va;
	return 0;
}

/* try_release_thread_stack_to_cache(): the first empty slot takes it. */
static bool try_release_thread_stack_to_cache(struct mmt_machine *m,
					      unsigned cpu, uint64_t stack)
{
	struct mmt_kstacks *ks = m->tasks->kstacks;

	for (unsigned i = 0; i < NR_CACHED_STACKS; i++) {
		uint64_t *slot = cached_slot(ks, cpu, i);

		if (*slot)
			continue;
		*slot = stack;
		return true;
	}
	return false;
}

/* account_kernel_stack(): NR_KERNEL_STACK_KB moves by THREAD_SIZE/1024
 * (per page on x86_64, for the whole block on x86_32: the same sum). */
static void account_kernel_stack(struct mmt_task *t, int account)
{
	struct mmt_kstacks *ks = t->m->tasks->kstacks;
	uint64_t kb = mmt_thread_size(t->m) / 1024;

	if (account > 0) {
		ks->nr_kernel_stack_kb += kb;
		return;
	}
	MMT_BUG_ON(ks->nr_kernel_stack_kb < kb);
	ks->nr_kernel_stack_kb -= kb;
}

int alloc_thread_stack(struct mmt_task *t)
{
	int err;

	MMT_BUG_ON(t->stack);
	err = alloc_thread_stack_node(t);
	if (err)
		return err;
	account_kernel_stack(t, 1);
	return 0;
}

void free_thread_stack(struct mmt_task *t)
{
	struct mmt_machine *m = t->m;
	uint64_t pa;

	if (!t->stack)
		return;
	account_kernel_stack(t, -1);	/* exit_task_stack_account() */
	if (!vmap_stack(m)) {
		/* thread_stack_delayed_free(): __free_pages after RCU */
		if (mmt_pa(&m->layout, t->stack, &pa))
			MMT_BUG("stack %#" PRIx64 " is not lowmem", t->stack);
		mmt_free_pages(m, pa >> MMT_PAGE_SHIFT, thread_size_order(m));
	} else if (!try_release_thread_stack_to_cache(m, task_cpu(t),
						      t->stack)) {
		/* thread_stack_free_rcu(): the cache is still full: vfree */
		if (mmt_vfree(m, t->stack))
			MMT_BUG("stack %#" PRIx64 " is no vmalloc area",
				t->stack);
		m->tasks->kstacks->nr_vfree++;
	}
	t->stack = 0;
}

/* ------------------------------------------------------ reverse lookup */

static bool stack_contains(uint64_t base, uint64_t size, uint64_t addr,
			   bool vmap, struct kstack_where *w)
{
	w->guard_above = w->guard_below = false;
	if (addr >= base && addr - base < size)
		return true;
	if (!vmap)
		return false;
	if (addr >= base + size && addr - (base + size) < MMT_PAGE_SIZE) {
		w->guard_above = true;
		return true;
	}
	if (addr < base && base - addr <= MMT_PAGE_SIZE) {
		w->guard_below = true;
		return true;
	}
	return false;
}

bool kstack_find(const struct mmt_machine *m, uint64_t addr,
		 struct kstack_where *w)
{
	struct mmt_kstacks *ks = m->tasks ? m->tasks->kstacks : NULL;
	uint64_t size = mmt_thread_size(m);
	bool vmap = vmap_stack(m);

	memset(w, 0, sizeof(*w));
	if (!ks)
		return false;
	/* an address inside a stack or its own guard page wins over the
	 * page below another stack's base */
	for (int pass = 0; pass < 2; pass++) {
		for (const struct mmt_task *t = m->tasks->list; t; t = t->next)
			if (t->stack &&
			    stack_contains(t->stack, size, addr, vmap, w) &&
			    (pass || !w->guard_below)) {
				w->kind = KSTACK_TASK;
				w->task = t;
				w->base = t->stack;
				return true;
			}
		for (unsigned cpu = 0; cpu < ks->nr_cpus; cpu++)
			for (unsigned i = 0; i < NR_CACHED_STACKS; i++) {
				uint64_t s = *cached_slot(ks, cpu, i);

				if (s && stack_contains(s, size, addr, vmap, w) &&
				    (pass || !w->guard_below)) {
					w->kind = KSTACK_CACHED;
					w->cpu = cpu;
					w->slot = i;
					w->base = s;
					return true;
				}
			}
	}
	memset(w, 0, sizeof(*w));
	return false;
}

/* ------------------------------------------------------------ checker */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A vmalloc'ed thread stack at @s: its area as alloc_thread_stack made it. */
static int check_vmap_stack(struct mmt_machine *m, uint64_t s, char *err,
			    size_t len)
{
	const struct mmt_vm_struct *v = mmt_find_vm_area(m, s);
	uint64_t size = mmt_thread_size(m);

	if (!v || v->addr != s) {
		snprintf(err, len, "stack %#" PRIx64 " starts no vmalloc area",
			 s);
		return -1;
	}
	if (s & (size - 1) || v->size != size + MMT_PAGE_SIZE ||
	    !(v->flags & MMT_VM_ALLOC) || v->nr_pages != size / MMT_PAGE_SIZE ||
	    strcmp(v->caller, THREAD_STACK_CALLER)) {
		snprintf(err, len, "stack area %#" PRIx64 " (%" PRIu64 " bytes, "
			 "%u pages, caller '%s') is not a THREAD_ALIGN'ed "
			 "THREAD_SIZE vmalloc of alloc_thread_stack_node", s,
			 v->size, v->nr_pages, v->caller);
		return -1;
	}
	return 0;
}

int mmt_kstack_check(struct mmt_machine *m, char *err, size_t len)
{
	struct mmt_kstacks *ks = m->tasks ? m->tasks->kstacks : NULL;
	uint64_t size = mmt_thread_size(m), *all, pa, ntasks = 0;
	size_t n = 0, cap;
	int r = 0;

	if (!ks)
		return 0;
	for (const struct mmt_task *t = m->tasks->list; t; t = t->next)
		ntasks++;
	if (ks->nr_kernel_stack_kb != ntasks * (size / 1024)) {
		snprintf(err, len, "NR_KERNEL_STACK_KB %" PRIu64 " for %" PRIu64
			 " tasks of %" PRIu64 " KiB stacks",
			 ks->nr_kernel_stack_kb, ntasks, size / 1024);
		return -1;
	}
	cap = ntasks + (size_t)ks->nr_cpus * NR_CACHED_STACKS;
	all = malloc((cap ? cap : 1) * sizeof(*all));
	if (!all) {
		snprintf(err, len, "out of host memory");
		return -1;
	}
	for (const struct mmt_task *t = m->tasks->list; t && !r; t = t->next) {
		if (!t->stack) {
			snprintf(err, len, "pid %d has no kernel stack", t->pid);
			r = -1;
		} else if (vmap_stack(m)) {
			r = check_vmap_stack(m, t->stack, err, len);
		} else if (mmt_pa(&m->layout, t->stack, &pa) ||
			   pa & (size - 1)) {
			snprintf(err, len, "pid %d: stack %#" PRIx64 " is not an "
				 "aligned order-%u lowmem block", t->pid,
				 t->stack, thread_size_order(m));
			r = -1;
		}
		all[n++] = t->stack;
	}
	for (unsigned cpu = 0; cpu < ks->nr_cpus && !r; cpu++)
		for (unsigned i = 0; i < NR_CACHED_STACKS && !r; i++) {
			uint64_t s = *cached_slot(ks, cpu, i);

			if (!s)
				continue;
			if (!vmap_stack(m)) {
				snprintf(err, len, "a cached stack without "
					 "VMAP_STACK");
				r = -1;
				break;
			}
			r = check_vmap_stack(m, s, err, len);
			all[n++] = s;
		}
	if (!r) {
		qsort(all, n, sizeof(*all), cmp_u64);
		for (size_t i = 1; i < n; i++)
			if (all[i] == all[i - 1]) {
				snprintf(err, len, "stack %#" PRIx64 " is used "
					 "twice (tasks and cached_stacks)",
					 all[i]);
				r = -1;
				break;
			}
	}
	free(all);
	return r;
}
