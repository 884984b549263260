/* SPDX-License-Identifier: MIT */
/*
 * mm/vma_internal.h - the process model's internals, as mm/vma.h is to
 * Linux: struct mmt_vma, the per-mm tree, the merge/split machinery and
 * the syscall handlers.  Not public API (include/mmtwin/mm.h is).
 *
 * One mm's VMAs sit in an augmented red-black tree ordered by vm_start
 * (base/rbtree.h), each node caching the raw gap below it, so the gap
 * searches of get_unmapped_area are O(log n) like the maple tree's:
 *
 *        gap [prev->vm_end, vm_start)   rb_gap        rb_subtree_gap
 *   ...──prev──┐░░░░░░░░░░░░░░░░░░░░┌──vma──...      = max(rb_gap, the
 *              vm_end               vm_start            children's)
 *   The gap below the first VMA (the "head", from 0) and the one above
 *   the last (the "tail", to 2^64) are not in the tree's values: they
 *   are looked at separately, first or last as the search direction
 *   wants.
 *
 * The VMAs are also on an address-ordered list (vm_next/vm_prev, as
 * before the maple tree) so neighbours cost O(1), not a climb.
 *
 * Host memory per VMA: this struct (malloc'd) plus the vm_area_struct
 * object the slab model hands out (only its address is kept: kaddr).
 */
#ifndef MMT_MM_VMA_INTERNAL_H
#define MMT_MM_VMA_INTERNAL_H

#include "base/rbtree.h"
#include "mm/internal.h"

#include <mmtwin/machine.h>
#include <mmtwin/mm.h>
#include <mmtwin/syscall.h>

#include <errno.h>

#ifndef ENOTSUPP
#define ENOTSUPP 524	/* the kernel's internal "operation not supported" */
#endif

struct mmt_vma {
	uint64_t vm_start, vm_end;	/* [vm_start, vm_end) */
	uint64_t vm_flags;		/* MMT_VM_* */
	uint64_t vm_pgoff;		/* in pages; anonymous: vm_start >> 12
					 * at creation */
	struct mmt_file *vm_file;	/* one reference; NULL: anonymous */
	uint64_t anon_vma;		/* identity; 0 until a fault or fork */
	struct anon_chain *avc;		/* its anon_vma_chain objects
					 * (src/mm/rmap.c); NULL: none */
	char *anon_name;		/* malloc'd; NULL: none */
	const char *vm_special;		/* special mapping name ("[vdso]"):
					 * never merged, never split */
	struct mmt_mm *vm_mm;
	uint64_t kaddr;			/* vm_area_struct in the slab model */
	struct mmt_rb_node vm_rb;	/* in the mm's tree, by vm_start */
	struct mmt_vma *vm_next, *vm_prev; /* address order (as mm->mmap was
					 * before 6.1): O(1) neighbours; a
					 * detached VMA's list link */
	uint64_t rb_gap;		/* vm_start - prev->vm_end; 0 for the
					 * lowest VMA (the head gap below it
					 * is searched apart, as the tail) */
	uint64_t rb_subtree_gap;	/* largest rb_gap in this subtree */
	bool seeded;			/* copied from a live process */
	bool split_left;		/* one side of a split an aborted munmap
					 * left behind (the kernel does not merge
					 * it back): the validator accepts it */
	bool brk_new;			/* made by do_brk_flags, which only
					 * ever expands the VMA below: it is
					 * never merged with the one above
					 * (an ELF bss inside another's) */
};

#define VMA(rb) mmt_rb_entry(rb, struct mmt_vma, vm_rb)

/*
 * A file's vm_operations_struct, as far as the model has one: open() when
 * a VMA mapping the file comes into being (mmap: the file's ->mmap;
 * vm_area_dup: split, mremap's copy, fork), close() when one is freed
 * (vm_area_free).  Only ipc/shm.c's attach files have one (shm_vm_ops:
 * nattch follows the VMAs).
 */
struct mmt_vm_ops {
	void (*open)(struct mmt_vma *vma);
	void (*close)(struct mmt_vma *vma);
};

static inline const struct mmt_vm_ops *vma_vm_ops(const struct mmt_vma *v)
{
	return v->vm_file ? v->vm_file->vm_ops : NULL;
}

/* The mm as allocated: the public struct, the tree root, the owner. */
struct mm_private {
	struct mmt_mm mm;
	struct mmt_rb_root mm_rb;
	struct mmt_vma *mmap, *highest;	/* lowest and highest VMA */
	struct mmt_task *owner;		/* a task using it (mm->owner) */
	unsigned mm_users;		/* tasks using it: threads share it */
};

static inline struct mm_private *mm_private(const struct mmt_mm *mm)
{
	return (struct mm_private *)((char *)mm -
				     offsetof(struct mm_private, mm));
}

static inline struct mmt_rb_root *mm_rb(const struct mmt_mm *mm)
{
	return &mm_private(mm)->mm_rb;
}

static inline struct mmt_task *mm_task(const struct mmt_mm *mm)
{
	return mm_private(mm)->owner;
}

static inline struct mmt_machine *mm_machine(const struct mmt_mm *mm)
{
	return mm_private(mm)->owner->m;
}

static inline uint64_t vma_pages(const struct mmt_vma *v)
{
	return (v->vm_end - v->vm_start) >> MMT_PAGE_SHIFT;
}

/* One line on the machine's --trace stream: "mm: pid N: ...". */
void mm_trace(const struct mmt_mm *mm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline bool mm_tracing(const struct mmt_mm *mm)
{
	return mm_machine(mm)->phys->trace != NULL;
}

/* --- slab objects and files (task.c) --- */
int mm_slab_alloc(struct mmt_machine *m, const char *cache, uint64_t *addr);
void mm_slab_free(struct mmt_machine *m, const char *cache, uint64_t addr);
struct mmt_file *mmt_file_get(struct mmt_file *f);
void mmt_file_put(struct mmt_file *f);
/* A new shmem object for MAP_SHARED|MAP_ANONYMOUS (shmem_zero_setup). */
struct mmt_file *shmem_zero_file(struct mmt_machine *m, uint64_t size);
/* shmem_kernel_file_setup(): a shmem object @name ("/SYSV00001234"),
 * deleted, on 00:01, inode @ino (the shmid for SysV segments). */
struct mmt_file *shmem_kernel_file_setup(const char *name, uint64_t size,
					  uint64_t ino);

/* --- anon_vma objects and chains (rmap.c) --- */
/* @vma (without an anon_vma) gets a new one / @from's (a neighbour). */
int anon_vma_attach_new(struct mmt_vma *vma);
int anon_vma_attach_shared(struct mmt_vma *vma, const struct mmt_vma *from);
/* @dst (without an anon_vma) links to every anon_vma @src links to. */
int anon_vma_clone(struct mmt_vma *dst, const struct mmt_vma *src);
/* fork: @vma (the child's, empty) clones @pvma's chain plus a new
 * anon_vma whose parent is @pvma's; nothing when @pvma has none. */
int anon_vma_fork(struct mmt_vma *vma, const struct mmt_vma *pvma);
/* Drop @vma's chain (and anon_vmas nobody names any more). */
void unlink_anon_vmas(struct mmt_vma *vma);
unsigned vma_anon_chain_len(const struct mmt_vma *vma);

/* --- the tree (vma.c) --- */
struct mmt_vma *vm_area_alloc(struct mmt_mm *mm);	/* NULL: -ENOMEM */
struct mmt_vma *vm_area_dup(struct mmt_vma *orig);
/* The same, for @mm (fork's copy into the child). */
struct mmt_vma *vm_area_dup_mm(struct mmt_mm *mm, struct mmt_vma *orig);
void vm_area_free(struct mmt_vma *vma);		/* not linked */
/* Insert @vma (no overlap) / remove it; map_count follows. */
void vma_link(struct mmt_mm *mm, struct mmt_vma *vma);
void vma_unlink(struct mmt_mm *mm, struct mmt_vma *vma);
/* Move a linked VMA's bounds (its order must not change). */
void vma_set_range(struct mmt_vma *vma, uint64_t start, uint64_t end,
		   uint64_t pgoff);
struct mmt_vma *find_vma(const struct mmt_mm *mm, uint64_t addr);
struct mmt_vma *find_vma_prev(const struct mmt_mm *mm, uint64_t addr,
			      struct mmt_vma **pprev);
/* The first VMA intersecting [start, end), or NULL. */
struct mmt_vma *find_vma_intersection(const struct mmt_mm *mm,
				      uint64_t start, uint64_t end);
struct mmt_vma *vma_next(const struct mmt_vma *vma);
struct mmt_vma *vma_prev(const struct mmt_vma *vma);
struct mmt_vma *vma_first(const struct mmt_mm *mm);
struct mmt_vma *vma_last(const struct mmt_mm *mm);
uint64_t vma_compute_subtree_gap(const struct mmt_vma *v);

/* vm_start_gap / vm_end_gap: the stack guard gap below VM_GROWSDOWN. */
uint64_t vm_start_gap(const struct mmt_vma *vma);
uint64_t vm_end_gap(const struct mmt_vma *vma);

#define VM_UNMAPPED_AREA_TOPDOWN 1u
struct vm_unmapped_area_info {
	unsigned flags;
	uint64_t length;
	uint64_t low_limit, high_limit;	/* [low, high) */
	uint64_t align_mask, align_offset;
	uint64_t start_gap;
};
/* The address, or -ENOMEM (as a uint64_t: test with IS_ERR_VALUE). */
uint64_t unmapped_area(struct mmt_mm *mm,
		       const struct vm_unmapped_area_info *info);
uint64_t unmapped_area_topdown(struct mmt_mm *mm,
			       const struct vm_unmapped_area_info *info);
uint64_t vm_unmapped_area(struct mmt_mm *mm,
			  const struct vm_unmapped_area_info *info);

#define IS_ERR_VALUE(x) ((uint64_t)(x) >= (uint64_t)-4095)

/* --- accounting (vma.c) --- */
bool is_exec_mapping(uint64_t flags);
bool is_stack_mapping(uint64_t flags);
bool is_data_mapping(uint64_t flags);
void vm_stat_account(struct mmt_mm *mm, uint64_t flags, int64_t npages);
bool may_expand_vm(struct mmt_task *t, uint64_t flags, uint64_t npages);

/* --- overcommit (util.c) ---
 * The commit charge is m->tasks->vm_committed_as (pages).  Every caller
 * that makes memory accountable asks security_vm_enough_memory_mm()
 * first: it charges @pages and answers 0, or -ENOMEM with nothing
 * charged (vm.overcommit_memory: 0 a single request above RAM fails, 1
 * never, 2 Committed_AS must stay below vm_commit_limit() less the
 * admin reserve (without CAP_SYS_ADMIN) and min(total_vm / 32, the user
 * reserve)).  Whoever succeeded gives the pages back with
 * vm_unacct_memory() when they stop being accountable.  Stack growth
 * (acct_stack_growth) and dup_mmap charge through the same function. */
int security_vm_enough_memory_mm(struct mmt_mm *mm, uint64_t pages);
int __vm_enough_memory(struct mmt_machine *m, const struct mmt_mm *mm,
		       uint64_t pages, bool cap_sys_admin);
void vm_acct_memory(struct mmt_machine *m, uint64_t pages);
void vm_unacct_memory(struct mmt_machine *m, uint64_t pages);
/* The strict-mode limit in pages: overcommit_kbytes if set, else
 * overcommit_ratio % of totalram (no hugetlb pages, no swap). */
uint64_t vm_commit_limit(const struct mmt_machine *m);
/* The reserves' boot values from the free pages (subsys_initcalls). */
void init_user_reserve(struct mmt_machine *m);
void init_admin_reserve(struct mmt_machine *m);

/* --- merge, split, unmap (vma.c) --- */
struct vma_merge_struct {
	struct mmt_mm *mm;
	struct mmt_vma *prev, *middle, *next;
	uint64_t start, end, pgoff;	/* the range being mapped/changed */
	uint64_t vm_flags;
	struct mmt_file *file;
	uint64_t anon_vma;
	const char *anon_name;
	bool just_expand;		/* brk: grow prev only */
};
struct mmt_vma *vma_merge_new_range(struct vma_merge_struct *vmg);
/* mprotect's vma_modify_flags: merge, or split off [start, end).  The
 * VMA covering exactly [start, end), or NULL with *error. */
struct mmt_vma *vma_modify_flags(struct mmt_mm *mm, struct mmt_vma *prev,
				 struct mmt_vma *vma, uint64_t start,
				 uint64_t end, uint64_t newflags, int *error);
int split_vma(struct mmt_mm *mm, struct mmt_vma *vma, uint64_t addr,
	      bool new_below);
int do_vmi_munmap(struct mmt_mm *mm, uint64_t start, uint64_t len);
/* Unmap [start, end) (page aligned), @vma the first VMA in it. */
int do_vmi_align_munmap(struct mmt_mm *mm, struct mmt_vma *vma,
			uint64_t start, uint64_t end);
/* Pages of [start, end) that are mapped. */
uint64_t count_vma_pages_range(const struct mmt_mm *mm, uint64_t start,
			       uint64_t end);
int do_brk_flags(struct mmt_mm *mm, struct mmt_vma *brkvma, uint64_t addr,
		 uint64_t len, uint64_t vm_flags);
/* __mmap_region: the address or a negative errno. */
int64_t mmap_region(struct mmt_mm *mm, struct mmt_file *file, uint64_t addr,
		    uint64_t len, uint64_t vm_flags, uint64_t pgoff);
/* Free every VMA and page table of @mm (exit_mmap). */
void exit_mmap(struct mmt_mm *mm);

/* do_mmap() (mmap.c): @fd NULL for anonymous memory; the address or a
 * negative errno.  For callers that map a file of their own (shmat). */
int64_t do_mmap(struct mmt_task *t, enum mmt_abi abi, const struct mmt_fd *fd,
		uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags,
		uint64_t pgoff);

/* --- syscall handlers (mmap.c, mprotect.c) --- */
int64_t mmt_sys_mmap(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c);
int64_t mmt_sys_old_mmap(struct mmt_sys_ctx *ctx,
			 const struct mmt_sys_call *c);
int64_t mmt_sys_mmap2(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c);
int64_t mmt_sys_munmap(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c);
int64_t mmt_sys_mprotect(struct mmt_sys_ctx *ctx,
			 const struct mmt_sys_call *c);
int64_t mmt_sys_pkey_mprotect(struct mmt_sys_ctx *ctx,
			      const struct mmt_sys_call *c);
int64_t mmt_sys_pkey_alloc(struct mmt_sys_ctx *ctx,
			   const struct mmt_sys_call *c);
int64_t mmt_sys_pkey_free(struct mmt_sys_ctx *ctx,
			  const struct mmt_sys_call *c);
int64_t mmt_do_pkey_alloc(struct mmt_task *t, uint64_t flags,
			  uint64_t init_val);
int64_t mmt_do_pkey_free(struct mmt_task *t, int pkey);
int64_t mmt_sys_brk_handler(struct mmt_sys_ctx *ctx,
			    const struct mmt_sys_call *c);

/* --- mremap, madvise, mlock, mseal, msync (their own files) ---
 * Each mmt_do_* returns the syscall's value or a negative errno; the
 * arguments are the kernel's, already narrowed to the call's ABI. */
int64_t mmt_do_mremap(struct mmt_task *t, enum mmt_abi abi, uint64_t addr,
		      uint64_t old_len, uint64_t new_len, uint64_t flags,
		      uint64_t new_addr);
int64_t mmt_do_madvise(struct mmt_task *t, uint64_t start, uint64_t len_in,
		       int behavior);
int64_t mmt_do_mlock(struct mmt_task *t, uint64_t start, uint64_t len,
		     unsigned flags);			/* mlock2 */
int64_t mmt_do_munlock(struct mmt_task *t, uint64_t start, uint64_t len);
int64_t mmt_do_mlockall(struct mmt_task *t, int flags);
int64_t mmt_do_munlockall(struct mmt_task *t);
int64_t mmt_do_mseal(struct mmt_task *t, uint64_t start, uint64_t len_in,
		     uint64_t flags);
int64_t mmt_do_msync(struct mmt_task *t, uint64_t start, uint64_t len,
		     int flags);

/* mseal.c: the one test behind every seal check (munmap and MAP_FIXED
 * in vms_gather_munmap_vmas, mprotect_fixup, mremap, madvise). */
bool vma_is_sealed(const struct mmt_vma *vma);
/* mlock.c: can_do_mlock() and mlock_future_ok() (mm/mlock.c, mm/mmap.c). */
bool mm_can_do_mlock(const struct mmt_task *t);
bool mm_mlock_future_ok(const struct mmt_task *t, uint64_t vm_flags,
			uint64_t bytes);
/*
 * __get_unmapped_area() for callers outside mmap.c: the address for
 * [addr, addr + len) of @file (NULL: anonymous; pgoff then 0) with MAP_*
 * @flags (MAP_FIXED, MAP_SHARED, MAP_32BIT), searched in @abi's layout;
 * or -ENOMEM/-EINVAL/-EPERM as a uint64_t (IS_ERR_VALUE).  The same
 * search do_mmap() uses (mm/mmap.c).
 */
uint64_t __get_unmapped_area(struct mmt_mm *mm, enum mmt_abi abi,
			     const struct mmt_file *file, uint64_t addr,
			     uint64_t len, uint64_t pgoff, uint64_t flags);

int64_t mmt_sys_mremap(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c);
int64_t mmt_sys_madvise(struct mmt_sys_ctx *ctx,
			const struct mmt_sys_call *c);
int64_t mmt_sys_mlock(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c);
int64_t mmt_sys_mlock2(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c);
int64_t mmt_sys_munlock(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c);
int64_t mmt_sys_mlockall(struct mmt_sys_ctx *ctx,
			 const struct mmt_sys_call *c);
int64_t mmt_sys_munlockall(struct mmt_sys_ctx *ctx,
			   const struct mmt_sys_call *c);
int64_t mmt_sys_mseal(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c);
int64_t mmt_sys_msync(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c);

/* Is @abi's call 32-bit (in_32bit_syscall) on this task? */
static inline bool in_32bit_syscall(enum mmt_abi abi)
{
	return abi == MMT_ABI_I386;
}

#endif
