// SPDX-License-Identifier: MIT
/*
 * mm/mlock.c - mlock(2), mlock2(2), munlock(2), mlockall(2) and
 * munlockall(2) as 6.18 runs them: do_mlock checks RLIMIT_MEMLOCK (not
 * for CAP_IPC_LOCK), apply_vma_lock_flags walks the VMAs of the range
 * and mlock_fixup gives each piece VM_LOCKED (| VM_LOCKONFAULT) through
 * vma_modify_flags (merge with a neighbour, else split), keeping
 * mm->locked_vm; then __mm_populate faults the range in.  mlockall sets
 * mm->def_flags for MCL_FUTURE and applies the flags to every VMA for
 * MCL_CURRENT.
 *
 * No page contents: "faulting in" is the check of mm/gup.c (PROT_NONE
 * and past-EOF pages fail: mlock answers -ENOMEM, with VM_LOCKED already
 * set, as the kernel does) plus the anon_vma a write fault makes.  No
 * unevictable LRU, no Mlocked: counter.
 */
#include "mm/gup.h"
#include "mm/memory.h"
#include "mm/mm_syscall.h"

#define MLOCK_ONFAULT	0x01
#define MCL_CURRENT	1
#define MCL_FUTURE	2
#define MCL_ONFAULT	4

#define VM_LOCKED_MASK	(MMT_VM_LOCKED | MMT_VM_LOCKONFAULT)

bool mm_can_do_mlock(const struct mmt_task *t)
{
	return t->rlim[MMT_RLIMIT_MEMLOCK].cur != 0 || t->cap_ipc_lock;
}

bool mm_mlock_future_ok(const struct mmt_task *t, uint64_t vm_flags,
			uint64_t bytes)
{
	uint64_t locked;

	if (!(vm_flags & MMT_VM_LOCKED) || t->cap_ipc_lock)
		return true;
	locked = (bytes >> MMT_PAGE_SHIFT) + t->mm->locked_vm;
	return locked <= t->rlim[MMT_RLIMIT_MEMLOCK].cur >> MMT_PAGE_SHIFT;
}

/* Flags mlock leaves alone: mlock_fixup's "don't set VM_LOCKED". */
static bool mlock_skips(const struct mmt_vma *vma)
{
	return (vma->vm_flags & (MMT_VM_SPECIAL | MMT_VM_HUGETLB |
				 MMT_VM_DROPPABLE)) != 0;
}

/*
 * mlock_fixup(): give [start, end) of @vma the lock bits of @newflags.
 * *@pprev becomes the VMA now covering the range (@vma itself when it
 * is skipped).  0, or -ENOMEM (a split past vm.max_map_count), -EINVAL
 * (a special mapping refuses the split).
 */
static int mlock_fixup(struct mmt_mm *mm, struct mmt_vma *vma,
		       struct mmt_vma **pprev, uint64_t start, uint64_t end,
		       uint64_t newflags)
{
	uint64_t oldflags = vma->vm_flags;
	int64_t nr_pages;
	int err = 0;

	if (newflags == oldflags || mlock_skips(vma)) {
		*pprev = vma;
		return 0;
	}
	vma = vma_modify_flags(mm, *pprev, vma, start, end, newflags, &err);
	if (!vma)
		return err;	/* *pprev stays: the caller stops anyway */
	nr_pages = (int64_t)((end - start) >> MMT_PAGE_SHIFT);
	if (!(newflags & MMT_VM_LOCKED))
		nr_pages = -nr_pages;
	else if (oldflags & MMT_VM_LOCKED)
		nr_pages = 0;
	mm->locked_vm += (uint64_t)nr_pages;
	/* a merge kept the sticky flags of all it joined */
	vma->vm_flags = newflags | (vma->vm_flags & MMT_VM_STICKY);
	lru_add_drain(mm_machine(mm), mm_task(mm)->cpu);  /* mlock_vma_pages_range */
	*pprev = vma;
	return 0;
}

/*
 * apply_vma_lock_flags(): [start, start + len) (page aligned) gets the
 * lock bits @flags.  The VMAs before a hole are changed, then -ENOMEM;
 * a start in a hole is -ENOMEM at once (vma_iter_load finds nothing).
 */
static int apply_vma_lock_flags(struct mmt_mm *mm, uint64_t start,
				uint64_t len, uint64_t flags)
{
	uint64_t end = start + len, nstart, tmp;
	struct mmt_vma *vma, *prev;

	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	vma = find_vma(mm, start);
	if (!vma || vma->vm_start > start)
		return -ENOMEM;
	prev = start > vma->vm_start ? vma : vma_prev(vma);
	nstart = start;
	tmp = vma->vm_start;
	while (vma && vma->vm_start < end) {
		uint64_t newflags = (vma->vm_flags & ~VM_LOCKED_MASK) | flags;
		int err;

		if (vma->vm_start != tmp)
			return -ENOMEM;
		tmp = vma->vm_end < end ? vma->vm_end : end;
		err = mlock_fixup(mm, vma, &prev, nstart, tmp, newflags);
		if (err)
			return err;
		tmp = prev->vm_end;	/* vma_iter_end() */
		nstart = tmp;
		vma = vma_next(prev);
	}
	return tmp < end ? -ENOMEM : 0;
}

/* count_mm_mlocked_page_nr(): pages of [start, start + len) already
 * locked (they are in locked_vm already). */
static uint64_t count_mm_mlocked_page_nr(const struct mmt_mm *mm,
					 uint64_t start, uint64_t len)
{
	uint64_t end = UINT64_MAX - len < start ? UINT64_MAX : start + len;
	uint64_t count = 0;

	for (struct mmt_vma *v = find_vma_intersection(mm, start, end);
	     v && v->vm_start < end; v = vma_next(v)) {
		if (!(v->vm_flags & MMT_VM_LOCKED))
			continue;
		if (start > v->vm_start)
			count -= start - v->vm_start;
		if (end < v->vm_end) {
			count += end - v->vm_start;
			break;
		}
		count += v->vm_end - v->vm_start;
	}
	return count >> MMT_PAGE_SHIFT;
}

/* __mlock_posix_error_return(): gup's errors in mlock's words. */
static int mlock_posix_error(int err)
{
	if (err == -EFAULT)
		return -ENOMEM;
	if (err == -ENOMEM)
		return -EAGAIN;
	return err;
}

/* do_mlock(): the limit check, the flags, then faulting the range in. */
static int64_t do_mlock(struct mmt_task *t, uint64_t start, uint64_t len,
			uint64_t flags)
{
	struct mmt_mm *mm = t->mm;
	uint64_t lock_limit, locked;
	int err = -ENOMEM;

	if (!mm_can_do_mlock(t))
		return -EPERM;
	len = (len + (start & ~MMT_PAGE_MASK) + MMT_PAGE_SIZE - 1) &
	      MMT_PAGE_MASK;
	start &= MMT_PAGE_MASK;
	lock_limit = t->rlim[MMT_RLIMIT_MEMLOCK].cur >> MMT_PAGE_SHIFT;
	locked = (len >> MMT_PAGE_SHIFT) + mm->locked_vm;
	if (locked > lock_limit && !t->cap_ipc_lock)
		locked -= count_mm_mlocked_page_nr(mm, start, len);
	if (locked <= lock_limit || t->cap_ipc_lock)
		err = apply_vma_lock_flags(mm, start, len, flags);
	else
		mm_trace(mm, "mlock: %llu pages over RLIMIT_MEMLOCK %llu",
			 (unsigned long long)locked,
			 (unsigned long long)lock_limit);
	if (err)
		return err;
	return mlock_posix_error(__mm_populate(mm, start, len, false));
}

int64_t mmt_do_mlock(struct mmt_task *t, uint64_t start, uint64_t len,
		     unsigned flags)
{
	if (flags & ~(unsigned)MLOCK_ONFAULT)
		return -EINVAL;
	return do_mlock(t, start, len, MMT_VM_LOCKED |
			(flags & MLOCK_ONFAULT ? MMT_VM_LOCKONFAULT : 0));
}

int64_t mmt_do_munlock(struct mmt_task *t, uint64_t start, uint64_t len)
{
	len = (len + (start & ~MMT_PAGE_MASK) + MMT_PAGE_SIZE - 1) &
	      MMT_PAGE_MASK;
	start &= MMT_PAGE_MASK;
	return apply_vma_lock_flags(t->mm, start, len, 0);
}

/*
 * apply_mlockall_flags(): def_flags for MCL_FUTURE, then (MCL_CURRENT,
 * or 0 for munlockall) every VMA's lock bits.  A VMA that cannot be
 * changed (a split failing cannot happen: whole VMAs) is skipped.
 */
static void apply_mlockall_flags(struct mmt_mm *mm, int flags)
{
	uint64_t to_add = 0;
	struct mmt_vma *vma, *prev = NULL;

	mm->def_flags &= ~VM_LOCKED_MASK;
	if (flags & MCL_FUTURE) {
		mm->def_flags |= MMT_VM_LOCKED;
		if (flags & MCL_ONFAULT)
			mm->def_flags |= MMT_VM_LOCKONFAULT;
		if (!(flags & MCL_CURRENT))
			return;
	}
	if (flags & MCL_CURRENT) {
		to_add |= MMT_VM_LOCKED;
		if (flags & MCL_ONFAULT)
			to_add |= MMT_VM_LOCKONFAULT;
	}
	for (vma = vma_first(mm); vma; vma = vma_next(prev)) {
		uint64_t newflags = (vma->vm_flags & ~VM_LOCKED_MASK) | to_add;

		if (mlock_fixup(mm, vma, &prev, vma->vm_start, vma->vm_end,
				newflags))
			prev = vma;	/* errors ignored */
	}
}

int64_t mmt_do_mlockall(struct mmt_task *t, int flags)
{
	struct mmt_mm *mm = t->mm;
	uint64_t lock_limit;

	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	if (!mm_can_do_mlock(t))
		return -EPERM;
	lock_limit = t->rlim[MMT_RLIMIT_MEMLOCK].cur >> MMT_PAGE_SHIFT;
	if ((flags & MCL_CURRENT) && mm->total_vm > lock_limit &&
	    !t->cap_ipc_lock)
		return -ENOMEM;
	apply_mlockall_flags(mm, flags);
	if (flags & MCL_CURRENT)
		__mm_populate(mm, 0, mm->task_size, true);
	return 0;
}

int64_t mmt_do_munlockall(struct mmt_task *t)
{
	apply_mlockall_flags(t->mm, 0);
	return 0;
}

/* --- the table's handlers --- */

int64_t mmt_sys_mlock(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);

	if (!t)
		return -ESRCH;
	return do_mlock(t, mm_sys_arg(ctx, c, 0), mm_sys_arg(ctx, c, 1),
			MMT_VM_LOCKED);
}

int64_t mmt_sys_mlock2(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);

	if (!t)
		return -ESRCH;
	return mmt_do_mlock(t, mm_sys_arg(ctx, c, 0), mm_sys_arg(ctx, c, 1),
			    (unsigned)mm_sys_int(c, 2));
}

int64_t mmt_sys_munlock(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);

	if (!t)
		return -ESRCH;
	return mmt_do_munlock(t, mm_sys_arg(ctx, c, 0), mm_sys_arg(ctx, c, 1));
}

int64_t mmt_sys_mlockall(struct mmt_sys_ctx *ctx,
			 const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);

	if (!t)
		return -ESRCH;
	return mmt_do_mlockall(t, mm_sys_int(c, 0));
}

int64_t mmt_sys_munlockall(struct mmt_sys_ctx *ctx,
			   const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);

	(void)c;
	if (!t)
		return -ESRCH;
	return mmt_do_munlockall(t);
}
