// SPDX-License-Identifier: MIT
/*
 * mm/madvise.c - madvise(2) as 6.18 runs it: madvise_should_skip checks
 * the advice, alignment and length; MADV_POPULATE_(READ|WRITE) fault the
 * range in (madvise_populate); every other advice goes through
 * madvise_walk_vmas, which calls madvise_vma_behavior on each VMA piece
 * and, after advising the mapped parts, answers -ENOMEM for holes.
 *
 *   advice                  effect in the model
 *   NORMAL/RANDOM/SEQUENTIAL VM_RAND_READ / VM_SEQ_READ
 *   DONTFORK/DOFORK         VM_DONTCOPY (DOFORK: -EINVAL on VM_IO)
 *   WIPEONFORK/KEEPONFORK   VM_WIPEONFORK, private anonymous only
 *   DONTDUMP/DODUMP         VM_DONTDUMP (DODUMP: not VM_SPECIAL)
 *   HUGEPAGE/NOHUGEPAGE     VM_HUGEPAGE / VM_NOHUGEPAGE
 *   MERGEABLE/UNMERGEABLE   VM_MERGEABLE (CONFIG_KSM is set here), for
 *                           VMAs vma_ksm_compatible() accepts
 *   DONTNEED(_LOCKED)       zap the pages (empty PTE tables of whole PMDs
 *                           freed: CONFIG_PT_RECLAIM); guard markers stay
 *   FREE                    exclusive anonymous pages become clean, old
 *                           and lazily freeable (no reclaim frees them)
 *   COLD/PAGEOUT/WILLNEED/  validation only (no LRU, no swap, no I/O)
 *   REMOVE/COLLAPSE
 *   GUARD_INSTALL/REMOVE    guard markers in the PTEs (pages zapped
 *                           first), and the anon_vma the install prepares
 *   POPULATE_READ/WRITE     mm/gup.c: faults through handle_mm_fault
 *   HWPOISON/SOFT_OFFLINE   -EINVAL: no CONFIG_MEMORY_FAILURE here
 *
 * The flag-changing advices merge or split through vma_modify_flags;
 * a split past vm.max_map_count is -EAGAIN (madvise's -ENOMEM becomes
 * -EAGAIN).  Sealed VMAs refuse the discarding advices unless the user
 * could write the memory anyway (can_madvise_modify).
 */
#include "mm/gup.h"
#include "mm/memory.h"
#include "mm/mm_syscall.h"

/* uapi/asm-generic/mman-common.h */
enum {
	MADV_NORMAL = 0, MADV_RANDOM = 1, MADV_SEQUENTIAL = 2,
	MADV_WILLNEED = 3, MADV_DONTNEED = 4, MADV_FREE = 8,
	MADV_REMOVE = 9, MADV_DONTFORK = 10, MADV_DOFORK = 11,
	MADV_MERGEABLE = 12, MADV_UNMERGEABLE = 13, MADV_HUGEPAGE = 14,
	MADV_NOHUGEPAGE = 15, MADV_DONTDUMP = 16, MADV_DODUMP = 17,
	MADV_WIPEONFORK = 18, MADV_KEEPONFORK = 19, MADV_COLD = 20,
	MADV_PAGEOUT = 21, MADV_POPULATE_READ = 22, MADV_POPULATE_WRITE = 23,
	MADV_DONTNEED_LOCKED = 24, MADV_COLLAPSE = 25,
	MADV_GUARD_INSTALL = 102, MADV_GUARD_REMOVE = 103,
	MADV_HWPOISON = 100, MADV_SOFT_OFFLINE = 101,
};

#define PMD_SIZE (2ULL << 20)

/* One madvise call, threaded through the walk (struct madvise_behavior). */
struct madvise_behavior {
	struct mmt_task *t;
	int behavior;
	struct mmt_vma *vma, *prev;	/* the piece being advised */
	uint64_t start, end;		/* its range */
};

/* madvise_behavior_valid(): this kernel's config (KSM and THP on, no
 * MEMORY_FAILURE). */
static bool madvise_behavior_valid(int behavior)
{
	switch (behavior) {
	case MADV_DOFORK: case MADV_DONTFORK: case MADV_NORMAL:
	case MADV_SEQUENTIAL: case MADV_RANDOM: case MADV_REMOVE:
	case MADV_WILLNEED: case MADV_DONTNEED: case MADV_DONTNEED_LOCKED:
	case MADV_FREE: case MADV_COLD: case MADV_PAGEOUT:
	case MADV_POPULATE_READ: case MADV_POPULATE_WRITE:
	case MADV_MERGEABLE: case MADV_UNMERGEABLE:
	case MADV_HUGEPAGE: case MADV_NOHUGEPAGE: case MADV_COLLAPSE:
	case MADV_DONTDUMP: case MADV_DODUMP:
	case MADV_WIPEONFORK: case MADV_KEEPONFORK:
	case MADV_GUARD_INSTALL: case MADV_GUARD_REMOVE:
		return true;
	default:
		return false;
	}
}

static bool vma_is_anonymous(const struct mmt_vma *vma)
{
	return !vma->vm_file && !vma->vm_special;	/* no vm_ops */
}

/* is_discard(): advice that can throw data away. */
static bool is_discard(int behavior)
{
	switch (behavior) {
	case MADV_FREE: case MADV_DONTNEED: case MADV_DONTNEED_LOCKED:
	case MADV_REMOVE: case MADV_DONTFORK: case MADV_WIPEONFORK:
	case MADV_GUARD_INSTALL:
		return true;
	default:
		return false;
	}
}

/* can_madvise_modify(): a sealed VMA refuses discarding advice unless
 * it is shared or the user could write it anyway (no pkeys here). */
static bool can_madvise_modify(const struct madvise_behavior *mb)
{
	const struct mmt_vma *vma = mb->vma;

	if (!vma_is_sealed(vma) || !is_discard(mb->behavior))
		return true;
	if (vma->vm_flags & MMT_VM_SHARED)
		return true;
	return (vma->vm_flags & MMT_VM_WRITE) != 0;
}

/* madvise_update_vma(): [start, end) of the VMA gets @new_flags. */
static int madvise_update_vma(struct madvise_behavior *mb, uint64_t new_flags)
{
	struct mmt_vma *vma = mb->vma;
	int err = 0;

	if (new_flags == vma->vm_flags)
		return 0;
	vma = vma_modify_flags(mb->t->mm, mb->prev, vma, mb->start, mb->end,
			       new_flags, &err);
	if (!vma)
		return err;
	mb->vma = vma;
	/* a merge kept the sticky flags of all it joined */
	vma->vm_flags = new_flags | (vma->vm_flags & MMT_VM_STICKY);
	return 0;
}

/* vma_ksm_compatible(): KSM ignores MERGEABLE on these. */
static bool vma_ksm_compatible(const struct mmt_vma *vma)
{
	return !(vma->vm_flags & (MMT_VM_SHARED | MMT_VM_MAYSHARE |
				  MMT_VM_PFNMAP | MMT_VM_IO |
				  MMT_VM_DONTEXPAND | MMT_VM_HUGETLB |
				  MMT_VM_MIXEDMAP | MMT_VM_DROPPABLE));
}

/* ksm_madvise() on the flags (no KSM pages to unmerge). */
static void ksm_madvise(const struct mmt_vma *vma, int behavior,
			uint64_t *flags)
{
	if (behavior == MADV_MERGEABLE) {
		if (!(vma->vm_flags & MMT_VM_MERGEABLE) &&
		    vma_ksm_compatible(vma))
			*flags |= MMT_VM_MERGEABLE;
	} else {
		*flags &= ~MMT_VM_MERGEABLE;
	}
}

/* The new vm_flags of a flag-changing advice, or a negative errno. */
static int64_t madvise_new_flags(const struct madvise_behavior *mb)
{
	const struct mmt_vma *vma = mb->vma;
	uint64_t f = vma->vm_flags;

	switch (mb->behavior) {
	case MADV_NORMAL:
		return (int64_t)(f & ~(MMT_VM_RAND_READ | MMT_VM_SEQ_READ));
	case MADV_SEQUENTIAL:
		return (int64_t)((f & ~MMT_VM_RAND_READ) | MMT_VM_SEQ_READ);
	case MADV_RANDOM:
		return (int64_t)((f & ~MMT_VM_SEQ_READ) | MMT_VM_RAND_READ);
	case MADV_DONTFORK:
		return (int64_t)(f | MMT_VM_DONTCOPY);
	case MADV_DOFORK:
		if (f & MMT_VM_IO)
			return -EINVAL;
		return (int64_t)(f & ~MMT_VM_DONTCOPY);
	case MADV_WIPEONFORK:
		if (vma->vm_file || (f & MMT_VM_SHARED))
			return -EINVAL;
		return (int64_t)(f | MMT_VM_WIPEONFORK);
	case MADV_KEEPONFORK:
		if (f & MMT_VM_DROPPABLE)
			return -EINVAL;
		return (int64_t)(f & ~MMT_VM_WIPEONFORK);
	case MADV_DONTDUMP:
		return (int64_t)(f | MMT_VM_DONTDUMP);
	case MADV_DODUMP:
		if ((!(f & MMT_VM_HUGETLB) && (f & MMT_VM_SPECIAL)) ||
		    (f & MMT_VM_DROPPABLE))
			return -EINVAL;
		return (int64_t)(f & ~MMT_VM_DONTDUMP);
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
		ksm_madvise(vma, mb->behavior, &f);
		return (int64_t)f;
	case MADV_HUGEPAGE:		/* hugepage_madvise() */
		return (int64_t)((f & ~MMT_VM_NOHUGEPAGE) | MMT_VM_HUGEPAGE);
	case MADV_NOHUGEPAGE:
		return (int64_t)((f & ~MMT_VM_HUGEPAGE) | MMT_VM_NOHUGEPAGE);
	}
	MMT_BUG_ON(1);
	return -EINVAL;
}

/* madvise_dontneed_free_valid_vma() and the MADV_FREE anonymous rule. */
static int madvise_dontneed_free(const struct madvise_behavior *mb)
{
	uint64_t forbidden = MMT_VM_PFNMAP;

	if (mb->behavior != MADV_DONTNEED_LOCKED)
		forbidden |= MMT_VM_LOCKED;
	if (mb->vma->vm_flags & forbidden)
		return -EINVAL;
	if (mb->behavior == MADV_FREE && !vma_is_anonymous(mb->vma))
		return -EINVAL;
	if (mb->behavior == MADV_FREE)
		madvise_free_range(mb->vma, mb->start, mb->end);
	else	/* madvise_dontneed_single_vma: reclaim_pt, even_cows */
		zap_page_range_single(mb->vma, mb->start, mb->end,
				      ZAP_RECLAIM_PT);
	return 0;
}

/* madvise_remove(): punch a hole in the file behind a shared mapping. */
static int madvise_remove(const struct madvise_behavior *mb)
{
	uint64_t f = mb->vma->vm_flags;

	if (f & MMT_VM_LOCKED)
		return -EINVAL;
	if (!mb->vma->vm_file || mb->vma->vm_special)
		return -EINVAL;
	if (!((f & MMT_VM_SHARED) && (f & MMT_VM_MAYWRITE)))
		return -EACCES;		/* !vma_is_shared_maywrite() */
	return 0;			/* vfs_fallocate(PUNCH_HOLE) */
}

/* can_madv_lru_vma(): COLD and PAGEOUT refuse these. */
static int madvise_cold_pageout(const struct madvise_behavior *mb)
{
	if (mb->vma->vm_flags & (MMT_VM_LOCKED | MMT_VM_PFNMAP |
				 MMT_VM_HUGETLB))
		return -EINVAL;
	return 0;
}

/* is_valid_guard_vma() */
static int madvise_guard(const struct madvise_behavior *mb, bool install)
{
	uint64_t disallowed = MMT_VM_SPECIAL | MMT_VM_HUGETLB;

	if (install)
		disallowed |= MMT_VM_LOCKED;
	if (mb->vma->vm_flags & disallowed)
		return -EINVAL;
	if (!install) {
		guard_remove_range(mb->vma, mb->start, mb->end);
		return 0;
	}
	/* the whole VMA is marked (no split: the flag is set atomically
	 * under the read lock), and stays after GUARD_REMOVE */
	mb->vma->vm_flags |= MMT_VM_MAYBE_GUARD;
	anon_vma_prepare(mb->vma);
	return guard_install_range(mb->vma, mb->start, mb->end);
}

/*
 * madvise_collapse(): thp_vma_allowable_order(TVA_FORCED_COLLAPSE) must
 * accept the VMA (an anonymous one needs its anon_vma; one 2 MiB page
 * must fit; file and shmem collapse are not modelled: -EINVAL).  With
 * no huge page inside the range there is nothing to do (0); otherwise
 * the model has no pages, the PMD is empty (SCAN_PMD_NULL): -EINVAL.
 */
static int madvise_collapse(const struct madvise_behavior *mb)
{
	const struct mmt_vma *vma = mb->vma;
	uint64_t hstart, hend;

	if (!vma_is_anonymous(vma) || !vma->anon_vma ||
	    (vma->vm_flags & (MMT_VM_NOHUGEPAGE | MMT_VM_SPECIAL |
			      MMT_VM_HUGETLB)))
		return -EINVAL;
	if (vma->vm_end - vma->vm_start < PMD_SIZE ||
	    ((vma->vm_end - PMD_SIZE) & ~(PMD_SIZE - 1)) < vma->vm_start)
		return -EINVAL;		/* thp_vma_suitable_order() */
	hstart = (mb->start + PMD_SIZE - 1) & ~(PMD_SIZE - 1);
	hend = mb->end & ~(PMD_SIZE - 1);
	return hstart >= hend ? 0 : -EINVAL;
}

/* madvise_vma_behavior(): one VMA piece [mb->start, mb->end). */
static int madvise_vma_behavior(struct madvise_behavior *mb)
{
	int64_t new_flags;
	int err;

	if (!can_madvise_modify(mb))
		return -EPERM;
	switch (mb->behavior) {
	case MADV_REMOVE:
		return madvise_remove(mb);
	case MADV_WILLNEED:
		return 0;
	case MADV_COLD:
	case MADV_PAGEOUT:
		return madvise_cold_pageout(mb);
	case MADV_FREE:
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
		return madvise_dontneed_free(mb);
	case MADV_COLLAPSE:
		return madvise_collapse(mb);
	case MADV_GUARD_INSTALL:
		return madvise_guard(mb, true);
	case MADV_GUARD_REMOVE:
		return madvise_guard(mb, false);
	}
	new_flags = madvise_new_flags(mb);
	if (new_flags < 0)
		return (int)new_flags;
	err = madvise_update_vma(mb, (uint64_t)new_flags);
	return err == -ENOMEM ? -EAGAIN : err;
}

/*
 * madvise_walk_vmas(): advise each VMA piece of [start, end) in order;
 * the first error stops the walk (the pieces before it are advised);
 * holes do not stop it but make the answer -ENOMEM.
 */
static int madvise_walk_vmas(struct madvise_behavior *mb, uint64_t start,
			     uint64_t last_end)
{
	struct mmt_mm *mm = mb->t->mm;
	struct mmt_vma *prev, *vma = find_vma_prev(mm, start, &prev);
	int unmapped_error = 0;

	if (vma && start > vma->vm_start)
		prev = vma;
	mb->start = start;
	for (;;) {
		int err;

		if (!vma)
			return -ENOMEM;
		if (mb->start < vma->vm_start) {
			unmapped_error = -ENOMEM;
			mb->start = vma->vm_start;
			if (mb->start >= last_end)
				break;
		}
		mb->end = vma->vm_end < last_end ? vma->vm_end : last_end;
		mb->prev = prev;
		mb->vma = vma;
		err = madvise_vma_behavior(mb);
		if (err)
			return err;
		vma = prev = mb->vma;
		if (mb->end < vma->vm_end)
			mb->end = vma->vm_end;
		if (mb->end >= last_end)
			break;
		vma = find_vma(mm, vma->vm_end);
		mb->start = mb->end;
	}
	return unmapped_error;
}

int64_t mmt_do_madvise(struct mmt_task *t, uint64_t start, uint64_t len_in,
		       int behavior)
{
	struct madvise_behavior mb = { .t = t, .behavior = behavior };
	uint64_t len;

	/* madvise_should_skip() */
	if (!madvise_behavior_valid(behavior))
		return -EINVAL;
	if (start & ~MMT_PAGE_MASK)
		return -EINVAL;
	len = (len_in + MMT_PAGE_SIZE - 1) & MMT_PAGE_MASK;
	if (len_in && !len)
		return -EINVAL;
	if (start + len < start)
		return -EINVAL;
	if (start + len == start)
		return 0;
	if (behavior == MADV_POPULATE_READ || behavior == MADV_POPULATE_WRITE)
		return faultin_page_range(t->mm, start, start + len,
					  behavior == MADV_POPULATE_WRITE);
	return madvise_walk_vmas(&mb, start, start + len);
}

int64_t mmt_sys_madvise(struct mmt_sys_ctx *ctx,
			const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);

	if (!t)
		return -ESRCH;
	return mmt_do_madvise(t, mm_sys_arg(ctx, c, 0), mm_sys_arg(ctx, c, 1),
			      mm_sys_int(c, 2));
}
