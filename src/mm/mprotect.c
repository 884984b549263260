// SPDX-License-Identifier: MIT
/*
 * mm/mprotect.c - mprotect(2) and pkey_mprotect(2): do_mprotect_pkey walks
 * the VMAs of [start, end) and mprotect_fixup changes each piece through
 * vma_modify_flags (merge with a neighbour, else split), as 6.18 does.
 * No page tables are changed (no faults yet: there are no PTEs to change).
 * Protection keys: no pkey_alloc yet, so only pkey 0 is allocated, and
 * only on a CPU with PKU (sysctl.pku; the reference host has none, and
 * there even pkey 0 is -EINVAL).
 */
#include "mm/vma_internal.h"
#include "mm/memory.h"
#include "mm/mm_syscall.h"

#define PROT_READ	0x1
#define PROT_WRITE	0x2
#define PROT_EXEC	0x4
#define PROT_SEM	0x8
#define PROT_GROWSDOWN	0x01000000
#define PROT_GROWSUP	0x02000000

static uint64_t prot_vm_bits(uint64_t prot)
{
	return (prot & PROT_READ ? MMT_VM_READ : 0) |
	       (prot & PROT_WRITE ? MMT_VM_WRITE : 0) |
	       (prot & PROT_EXEC ? MMT_VM_EXEC : 0);
}

static bool vma_is_anonymous(const struct mmt_vma *vma)
{
	return !vma->vm_file && !vma->vm_special;
}

/*
 * mprotect_fixup(): give [start, end) of @vma the flags @newflags.
 * *@pprev becomes the VMA now covering the range.  0, or -ENOMEM (a
 * limit, a split past vm.max_map_count), -EINVAL (a special mapping
 * cannot be split).
 */
static int mprotect_fixup(struct mmt_task *t, struct mmt_vma *vma,
			  struct mmt_vma **pprev, uint64_t start,
			  uint64_t end, uint64_t newflags)
{
	struct mmt_mm *mm = t->mm;
	uint64_t oldflags = vma->vm_flags, charged = 0;
	int64_t nrpages = (int64_t)((end - start) >> MMT_PAGE_SHIFT);
	int err = 0;

	if (vma_is_sealed(vma))
		return -EPERM;
	if (newflags == oldflags) {
		*pprev = vma;
		return 0;
	}
	if (newflags & MMT_VM_WRITE) {
		if (!may_expand_vm(t, newflags, (uint64_t)nrpages) &&
		    may_expand_vm(t, oldflags, (uint64_t)nrpages))
			return -ENOMEM;
		if (!(oldflags & (MMT_VM_ACCOUNT | MMT_VM_WRITE |
				  MMT_VM_HUGETLB | MMT_VM_SHARED |
				  MMT_VM_NORESERVE))) {
			charged = (uint64_t)nrpages;
			if (security_vm_enough_memory_mm(mm, charged))
				return -ENOMEM;
			newflags |= MMT_VM_ACCOUNT;
			mm_trace(mm, "mprotect: [%#llx, %#llx) becomes "
				 "writable: VM_ACCOUNT charged",
				 (unsigned long long)start,
				 (unsigned long long)end);
		}
	} else if ((oldflags & MMT_VM_ACCOUNT) && vma_is_anonymous(vma) &&
		   !vma->anon_vma) {
		newflags &= ~MMT_VM_ACCOUNT;
	}
	vma = vma_modify_flags(mm, *pprev, vma, start, end, newflags, &err);
	if (!vma) {
		vm_unacct_memory(mm_machine(mm), charged);	/* fail: */
		return err;
	}
	*pprev = vma;
	/* a merge kept the sticky flags of all it joined */
	vma->vm_flags = newflags | (vma->vm_flags & MMT_VM_STICKY);
	change_protection(vma, start, end, true);
	if ((oldflags & MMT_VM_ACCOUNT) && !(newflags & MMT_VM_ACCOUNT))
		vm_unacct_memory(mm_machine(mm), (uint64_t)nrpages);
	vm_stat_account(mm, oldflags, -nrpages);
	vm_stat_account(mm, newflags, nrpages);
	return 0;
}

/* ------------------------------------------------- protection keys */

/* arch_max_pkey(): 16 keys with OSPKE, else 1. */
static int arch_max_pkey(const struct mmt_mm *mm)
{
	return mm_machine(mm)->tasks->sysctl.pku ? 16 : 1;
}

/*
 * mm_pkey_is_allocated() of arch/x86/include/asm/pkeys.h.  Without PKU
 * the map and execute_only_pkey are both 0, so pkey 0 counts as the
 * execute-only key and is refused like every other.
 */
static bool mm_pkey_is_allocated(const struct mmt_mm *mm, int pkey)
{
	if (pkey < 0 || pkey >= arch_max_pkey(mm))
		return false;
	if (pkey == mm->execute_only_pkey)
		return false;
	return mm->pkey_allocation_map & (1u << pkey);
}

/*
 * sys_pkey_alloc(): the lowest free key, then arch_set_user_pkey_access,
 * which is -EINVAL without OSPKE; its undo (mm_pkey_free) is refused by
 * the same test, so that key stays taken and the next call is -ENOSPC.
 */
int64_t mmt_do_pkey_alloc(struct mmt_task *t, uint64_t flags,
			  uint64_t init_val)
{
	struct mmt_mm *mm = t->mm;
	uint16_t all = (uint16_t)((1u << arch_max_pkey(mm)) - 1);
	int pkey = 0;

	if (flags || (init_val & ~3ULL))	/* PKEY_ACCESS_MASK */
		return -EINVAL;
	if (mm->pkey_allocation_map == all)
		return -ENOSPC;
	while (mm->pkey_allocation_map & (1u << pkey))
		pkey++;
	mm->pkey_allocation_map |= (uint16_t)(1u << pkey);
	if (!mm_machine(mm)->tasks->sysctl.pku) {
		if (mm_pkey_is_allocated(mm, pkey))
			mm->pkey_allocation_map &= (uint16_t)~(1u << pkey);
		return -EINVAL;
	}
	return pkey;
}

int64_t mmt_do_pkey_free(struct mmt_task *t, int pkey)
{
	if (!mm_pkey_is_allocated(t->mm, pkey))
		return -EINVAL;
	t->mm->pkey_allocation_map &= (uint16_t)~(1u << pkey);
	return 0;
}

int64_t mmt_sys_pkey_alloc(struct mmt_sys_ctx *ctx,
			   const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);

	if (!t)
		return -ESRCH;
	return mmt_do_pkey_alloc(t, mm_sys_arg(ctx, c, 0), mm_sys_arg(ctx, c, 1));
}

int64_t mmt_sys_pkey_free(struct mmt_sys_ctx *ctx,
			  const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);

	if (!t)
		return -ESRCH;
	return mmt_do_pkey_free(t, (int)mm_sys_arg(ctx, c, 0));
}

/* The new flags of @vma for @prot (r/w/x replaced), or -EACCES. */
static int64_t mprotect_newflags(const struct mmt_vma *vma, uint64_t prot)
{
	uint64_t newflags = prot_vm_bits(prot) |
			    (vma->vm_flags & ~(MMT_VM_ACCESS_FLAGS |
					       MMT_VM_PKEY_MASK));

	/* newflags >> 4 puts VM_MAY* where VM_* are */
	if ((newflags & ~(newflags >> 4)) & MMT_VM_ACCESS_FLAGS)
		return -EACCES;
	return (int64_t)newflags;
}

int64_t mmt_do_mprotect_pkey(struct mmt_task *t, uint64_t start,
			     uint64_t len, uint64_t prot, int pkey)
{
	struct mmt_mm *mm = t->mm;
	uint64_t grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP), end, nstart;
	uint64_t tmp, reqprot;
	bool rier = (t->personality & MMT_PER_READ_IMPLIES_EXEC) &&
		    (prot & PROT_READ);
	struct mmt_vma *vma, *prev;
	int64_t err = 0;

	prot &= ~(uint64_t)(PROT_GROWSDOWN | PROT_GROWSUP);
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (start & ~MMT_PAGE_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	len = (len + MMT_PAGE_SIZE - 1) & MMT_PAGE_MASK;
	end = start + len;
	if (end <= start)
		return -ENOMEM;
	if (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM))
		return -EINVAL;		/* arch_validate_prot() */
	reqprot = prot;
	if (pkey != -1 && !mm_pkey_is_allocated(mm, pkey))
		return -EINVAL;
	vma = find_vma_intersection(mm, start, end);
	if (!vma)
		return -ENOMEM;
	if (grows & PROT_GROWSDOWN) {
		if (vma->vm_start >= end)
			return -ENOMEM;
		start = vma->vm_start;
		if (!(vma->vm_flags & MMT_VM_GROWSDOWN))
			return -EINVAL;
	} else {
		if (vma->vm_start > start)
			return -ENOMEM;
		if (grows & PROT_GROWSUP)
			return -EINVAL;	/* no VM_GROWSUP on x86 */
	}
	prev = start > vma->vm_start ? vma : vma_prev(vma);
	nstart = start;
	tmp = vma->vm_start;
	while (vma && vma->vm_start < end) {
		int64_t newflags;

		if (vma->vm_start != tmp) {
			err = -ENOMEM;
			break;
		}
		if (rier && (vma->vm_flags & MMT_VM_MAYEXEC))
			prot |= PROT_EXEC;
		newflags = mprotect_newflags(vma, prot);
		if (newflags < 0) {
			err = newflags;
			break;
		}
		tmp = vma->vm_end < end ? vma->vm_end : end;
		err = mprotect_fixup(t, vma, &prev, nstart, tmp,
				     (uint64_t)newflags);
		if (err)
			break;
		tmp = prev->vm_end;	/* vma_iter_end(): the changed VMA */
		nstart = tmp;
		prot = reqprot;
		vma = vma_next(prev);
	}
	if (!err && tmp < end)
		err = -ENOMEM;
	if (err)
		mm_trace(mm, "mprotect(%#llx, %#llx): stopped at %#llx: -%lld",
			 (unsigned long long)start, (unsigned long long)len,
			 (unsigned long long)nstart, (long long)-err);
	return err;
}

int64_t mmt_sys_mprotect(struct mmt_sys_ctx *ctx,
			 const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);

	if (!t)
		return -ESRCH;
	return mmt_do_mprotect_pkey(t, mm_sys_arg(ctx, c, 0), mm_sys_arg(ctx, c, 1),
				    mm_sys_arg(ctx, c, 2), -1);
}

int64_t mmt_sys_pkey_mprotect(struct mmt_sys_ctx *ctx,
			      const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);

	if (!t)
		return -ESRCH;
	return mmt_do_mprotect_pkey(t, mm_sys_arg(ctx, c, 0), mm_sys_arg(ctx, c, 1),
				    mm_sys_arg(ctx, c, 2), (int)mm_sys_arg(ctx, c, 3));
}
