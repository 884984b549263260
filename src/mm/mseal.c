// SPDX-License-Identifier: MIT
/*
 * mm/mseal.c - mseal(2) as 6.18's do_mseal runs it: flags must be 0,
 * start page aligned, the length rounded up (a "negative" one that
 * rounds to 0 is -EINVAL), the whole range mapped (-ENOMEM, nothing
 * changed), then mseal_apply gives every piece VM_SEALED through
 * vma_modify_flags (merging with sealed neighbours, else splitting).
 * mseal exists only in 64-bit kernels (CONFIG_64BIT): compat tasks on
 * x86_64 have it, the x86_32 profiles answer -ENOSYS.
 *
 * What a seal forbids is checked where the kernel checks it:
 *   munmap, MAP_FIXED over it  vms_gather_munmap_vmas (mm/vma.c)
 *   mprotect, pkey_mprotect    mprotect_fixup (mm/mprotect.c)
 *   mremap                     check_prep_vma (mm/mremap.c)
 *   madvise                    can_madvise_modify (mm/madvise.c)
 * vma_is_sealed() is the one test all of them use.
 */
#include "mm/mm_syscall.h"

bool vma_is_sealed(const struct mmt_vma *vma)
{
	return (vma->vm_flags & MMT_VM_SEALED) != 0;
}

/* range_contains_unmapped(): a hole anywhere in [start, end)? */
static bool range_contains_unmapped(const struct mmt_mm *mm, uint64_t start,
				    uint64_t end)
{
	uint64_t prev_end = start;

	for (struct mmt_vma *v = find_vma_intersection(mm, start, end);
	     v && v->vm_start < end; v = vma_next(v)) {
		if (v->vm_start > prev_end)
			return true;
		prev_end = v->vm_end;
	}
	return prev_end < end;
}

/* mseal_apply(): seal every VMA piece of the (gap-free) range. */
static int mseal_apply(struct mmt_mm *mm, uint64_t start, uint64_t end)
{
	struct mmt_vma *vma = find_vma(mm, start), *prev;
	uint64_t curr_start = start;

	prev = start > vma->vm_start ? vma : vma_prev(vma);
	while (vma && vma->vm_start < end) {
		uint64_t curr_end = vma->vm_end < end ? vma->vm_end : end;
		int err = 0;

		if (!vma_is_sealed(vma)) {
			vma = vma_modify_flags(mm, prev, vma, curr_start,
					       curr_end,
					       vma->vm_flags | MMT_VM_SEALED,
					       &err);
			if (!vma)
				return err;
			vma->vm_flags |= MMT_VM_SEALED;
		}
		prev = vma;
		curr_start = curr_end;
		vma = vma_next(vma);
	}
	return 0;
}

int64_t mmt_do_mseal(struct mmt_task *t, uint64_t start, uint64_t len_in,
		     uint64_t flags)
{
	uint64_t len, end;

	if (!mmt_arch_is_64(t->m->cfg.arch))
		return -ENOSYS;
	if (flags)
		return -EINVAL;
	if (start & ~MMT_PAGE_MASK)
		return -EINVAL;
	len = (len_in + MMT_PAGE_SIZE - 1) & MMT_PAGE_MASK;
	if (len_in && !len)
		return -EINVAL;
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	if (range_contains_unmapped(t->mm, start, end)) {
		mm_trace(t->mm, "mseal [%#llx, %#llx): a hole: -ENOMEM",
			 (unsigned long long)start, (unsigned long long)end);
		return -ENOMEM;
	}
	return mseal_apply(t->mm, start, end);
}

int64_t mmt_sys_mseal(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);

	if (!t)
		return -ESRCH;
	return mmt_do_mseal(t, mm_sys_arg(ctx, c, 0), mm_sys_arg(ctx, c, 1),
			    mm_sys_arg(ctx, c, 2));
}
