/* SPDX-License-Identifier: MIT */
/*
 * kernel/task_internal.h - the tasks' kernel-side objects, private to the
 * library (kernel/, mm/, the views, the scenario commands, the tests):
 * kernel stacks (kernel/kstack.c, the thread-stack part of kernel/fork.c)
 * and the reverse lookup from a kernel object to the task owning it
 * (kernel/kobj.c, for explain).
 *
 * A task's kernel stack, THREAD_SIZE bytes at task_struct->stack (t->stack):
 *
 *   x86_64 (CONFIG_VMAP_STACK, no KASAN: THREAD_SIZE 16 KiB = THREAD_ALIGN)
 *
 *     stack + 0x5000 ┐
 *                    │ guard page of the vmalloc area (unmapped)
 *     stack + 0x4000 ┤ top of the stack (it grows down)
 *                    │ 4 pages, PAGE_KERNEL, vmalloc'ed one by one
 *     stack          ┤ 16 KiB aligned; /proc/vmallocinfo:
 *                    │   "... 20480 kernel_clone+0xb8/0x400 pages=4
 *     stack - 0x1000 ┘    vmalloc N0=4"
 *                      the page below is never mapped: another area's
 *                      guard page or a hole (a fault there is the
 *                      "kernel stack overflow" the guard exists for)
 *
 *   x86_32 (no VMAP_STACK: THREAD_SIZE_ORDER 1)
 *     an order-1 block of lowmem (alloc_pages(THREADINFO_GFP, 1)), so the
 *     stack is a direct-map address; no guard page.
 *
 * Freed x86_64 stacks go first to the CPU's cached_stacks[NR_CACHED_STACKS]
 * (slot 0, then 1: try_release_thread_stack_to_cache); only when both are
 * taken is the area vfree'd.  A new task takes slot 0's, then slot 1's,
 * before calling vmalloc.  The model's tasks run on CPU 0 (task_cpu()).
 */
#ifndef MMT_KERNEL_TASK_INTERNAL_H
#define MMT_KERNEL_TASK_INTERNAL_H

#include <mmtwin/machine.h>
#include <mmtwin/mm.h>

#include <stdbool.h>
#include <stdint.h>

#define NR_CACHED_STACKS 2
/*
 * %pS of __builtin_return_address(0) in alloc_thread_stack_node(), as
 * this host's 6.18 /proc/vmallocinfo prints it for every thread stack
 * (dup_task_struct and copy_process are inlined into kernel_clone).
 */
#define THREAD_STACK_CALLER "kernel_clone+0xb8/0x400"

/* m->tasks->kstacks */
struct mmt_kstacks {
	unsigned nr_cpus;		/* rows of cached_stacks (online CPUs) */
	uint64_t *cached_stacks;	/* [cpu * NR_CACHED_STACKS + i]: a free
					 * stack's address, 0 = empty slot */
	uint64_t nr_kernel_stack_kb;	/* NR_KERNEL_STACK_KB (live tasks) */
	uint64_t nr_vmalloc, nr_vfree;	/* stacks vmalloc'ed / vfree'd */
	uint64_t nr_cache_hits;		/* stacks taken from a cache slot */
};

/* The CPU @t runs on: the model has no scheduler, so CPU 0. */
static inline unsigned task_cpu(const struct mmt_task *t)
{
	(void)t;
	return 0;
}

/* TASK_SIZE of an @abi task on @m, as setup_new_exec() stores it in
 * mm->task_size (kernel/task.c; exec and a new task share it). */
uint64_t exec_task_size(const struct mmt_machine *m, enum mmt_task_abi abi);

/* CONFIG_VMAP_STACK: the x86_64 profiles. */
bool vmap_stack(const struct mmt_machine *m);

/* Boot: the empty per-CPU caches.  0 or -ENOMEM. */
int kstacks_init(struct mmt_machine *m);
/* Teardown after the last task: free_vm_stack_cache() of every CPU. */
void kstacks_exit(struct mmt_machine *m);

/*
 * The stack part of dup_task_struct(): alloc_thread_stack_node() (a cached
 * stack of task_cpu(@t), else __vmalloc_node_range(THREAD_SIZE,
 * THREAD_ALIGN, ...) on x86_64; alloc_pages(THREADINFO_GFP,
 * THREAD_SIZE_ORDER) on x86_32) into t->stack, then account_kernel_stack().
 * 0, or -ENOMEM with nothing allocated and t->stack 0.  fork() calls it
 * for the child, after its task_struct.
 */
int alloc_thread_stack(struct mmt_task *t);
/*
 * The exit side: exit_task_stack_account() and free_thread_stack() (to a
 * cache slot of task_cpu(@t) or vfree; x86_32: __free_pages).  RCU grace
 * periods are immediate in the model.  t->stack becomes 0; a task without
 * a stack is left alone.
 */
void free_thread_stack(struct mmt_task *t);

/* What a kernel-stack address is (explain). */
enum kstack_kind {
	KSTACK_NONE,
	KSTACK_TASK,		/* a live task's stack */
	KSTACK_CACHED,		/* a free stack in cached_stacks[cpu][slot] */
};

struct kstack_where {
	enum kstack_kind kind;
	const struct mmt_task *task;	/* KSTACK_TASK */
	unsigned cpu, slot;		/* KSTACK_CACHED */
	uint64_t base;			/* the stack's lowest address */
	bool guard_above;		/* @addr is the area's own guard page */
	bool guard_below;		/* @addr is the page below the base */
};

/*
 * The kernel stack @addr is in, or the guard page above its top or the
 * page below its base (x86_64).  true and *w, or false.  O(tasks) plus a
 * vmalloc area lookup: one call per explain.
 */
bool kstack_find(const struct mmt_machine *m, uint64_t addr,
		 struct kstack_where *w);

/*
 * execve's mm (kernel/task.c): exec_mm_alloc() makes an empty mm owned
 * by @t (mm_struct object, PGD) without installing it; exec_mm_free()
 * is the mmput() of one no task runs.
 */
struct mmt_mm *exec_mm_alloc(struct mmt_task *t);
void exec_mm_free(struct mmt_mm *mm);
/* exec_mmap()'s mmput() of the mm @t ran before: freed, or, when other
 * tasks (threads) still use it, one user fewer and another owner. */
void exec_mm_release(struct mmt_task *t, struct mmt_mm *old);
/* A file's identity from stat(2) of @path (its mmap rules from the file
 * system), one reference; NULL with *error (-ENOENT ...). */
struct mmt_file *exec_file_open(const char *path, int *error);

/* The task (and VMA) a slab object belongs to (kernel/kobj.c). */
struct kobj_owner {
	const struct mmt_task *task;
	const struct mmt_vma *vma;	/* for a vm_area_struct object */
};

/*
 * Which task's @cache object starts at @object: task_struct (t->kaddr),
 * mm_struct (mm->kaddr: the mm's owner) or vm_area_struct (a VMA's kaddr).
 * true and *o, or false (another cache, or a free object).  A scan of
 * the tasks (and, for vm_area_struct, of their VMAs): one per explain.
 */
bool kobj_owner_find(const struct mmt_machine *m, const char *cache,
		     uint64_t object, struct kobj_owner *o);

#endif
