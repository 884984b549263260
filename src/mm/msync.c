// SPDX-License-Identifier: MIT
/*
 * mm/msync.c - msync(2) as 6.18's SYSCALL_DEFINE3(msync) checks it: the
 * flags (MS_ASYNC, MS_INVALIDATE, MS_SYNC; ASYNC and SYNC exclusive),
 * the alignment of start, holes (skipped, -ENOMEM at the end; MS_ASYNC
 * alone stops at the first one) and MS_INVALIDATE on VM_LOCKED memory
 * (-EBUSY).  There is no page cache in the model, so MS_SYNC's
 * vfs_fsync_range of a shared file mapping always succeeds.
 */
#include "mm/mm_syscall.h"

#define MS_ASYNC	1
#define MS_INVALIDATE	2
#define MS_SYNC		4

int64_t mmt_do_msync(struct mmt_task *t, uint64_t start, uint64_t len,
		     int flags)
{
	struct mmt_mm *mm = t->mm;
	int unmapped_error = 0;
	struct mmt_vma *vma;
	uint64_t end;

	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if (start & ~MMT_PAGE_MASK)
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	len = (len + MMT_PAGE_SIZE - 1) & MMT_PAGE_MASK;
	end = start + len;
	if (end < start)
		return -ENOMEM;
	if (end == start)
		return 0;
	for (vma = find_vma(mm, start);; vma = find_vma(mm, start)) {
		if (!vma)
			return -ENOMEM;
		if (start < vma->vm_start) {
			if (flags == MS_ASYNC)
				return -ENOMEM;
			start = vma->vm_start;
			if (start >= end)
				return -ENOMEM;
			unmapped_error = -ENOMEM;
		}
		if ((flags & MS_INVALIDATE) && (vma->vm_flags & MMT_VM_LOCKED))
			return -EBUSY;
		/* MS_SYNC of a shared file mapping: vfs_fsync_range(), 0 */
		start = vma->vm_end;
		if (start >= end)
			return unmapped_error;
	}
}

int64_t mmt_sys_msync(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);

	if (!t)
		return -ESRCH;
	return mmt_do_msync(t, mm_sys_arg(ctx, c, 0), mm_sys_arg(ctx, c, 1),
			    mm_sys_int(c, 2));
}
