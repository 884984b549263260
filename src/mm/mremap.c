// SPDX-License-Identifier: MIT
/*
 * mm/mremap.c - mremap(2) as 6.18 runs it.
 *
 *   do_mremap ── check_mremap_params (flags, alignment, lengths, the
 *    │           fixed target: inside TASK_SIZE, MAYMOVE, DONTUNMAP same
 *    │           size, no overlap, map_count headroom)
 *    ├─ MREMAP_FIXED, old_len == new_len: remap_move - every VMA of the
 *    │   range moves (holes keep their size; none allowed at the start)
 *    └─ else vma_lookup + check_prep_vma (seal, duplicate-of-private,
 *        DONTUNMAP on special, crossing the VMA's end, growth limits)
 *        ├─ FIXED/DONTUNMAP: mremap_to - unmap the target, shrink, move
 *        └─ mremap_at: same size (nothing), shrink in place (unmap the
 *            tail), grow: in place when vma_expandable, else with
 *            MAYMOVE move_vma to get_unmapped_area's choice
 *
 * move_vma = copy_vma (merge at the destination, or a new VMA; an
 * untouched private anonymous VMA takes the new address as its pgoff)
 * + unmapping the source (its VM_ACCOUNT charge moves with the pages),
 * or with DONTUNMAP leaving it mapped (and charged) without VM_LOCKED.
 * The PTEs move with the VMA (move_page_tables, one entry at a time: no
 * whole-PMD moves yet).  Not
 * modelled: hugetlb (never mapped in the model), userfaultfd, a special
 * mapping's own mremap hook ([vdso] cannot be moved: it cannot split).
 */
#include "mm/gup.h"
#include "mm/memory.h"
#include "mm/mm_syscall.h"

#define MREMAP_MAYMOVE		1
#define MREMAP_FIXED		2
#define MREMAP_DONTUNMAP	4
#define MAP_SHARED		0x01
#define MAP_FIXED		0x10

#define PAGE_ALIGN(x) (((x) + MMT_PAGE_SIZE - 1) & MMT_PAGE_MASK)

enum mremap_type {
	MREMAP_INVALID,
	MREMAP_NO_RESIZE,	/* old_len == new_len */
	MREMAP_SHRINK,
	MREMAP_EXPAND,
};

/* One mremap call, threaded through the operation. */
struct vma_remap_struct {
	struct mmt_task *t;
	enum mmt_abi abi;
	uint64_t addr, old_len, new_len, flags, new_addr;
	struct mmt_vma *vma;		/* the source VMA */
	uint64_t delta;			/* |old_len - new_len| */
	enum mremap_type remap_type;
	uint64_t charged;		/* VM_ACCOUNT pages charged */
	bool populate_expand;		/* VM_LOCKED and growing */
};

static struct mmt_mm *vrm_mm(const struct vma_remap_struct *vrm)
{
	return vrm->t->mm;
}

/* vma_lookup(): the VMA containing @addr, or NULL. */
static struct mmt_vma *vma_lookup(struct mmt_mm *mm, uint64_t addr)
{
	struct mmt_vma *vma = find_vma(mm, addr);

	return vma && vma->vm_start <= addr ? vma : NULL;
}

static bool vma_is_anonymous(const struct mmt_vma *vma)
{
	return !vma->vm_file && !vma->vm_special;
}

static bool vrm_implies_new_addr(const struct vma_remap_struct *vrm)
{
	return vrm->flags & (MREMAP_FIXED | MREMAP_DONTUNMAP);
}

static bool vrm_move_only(const struct vma_remap_struct *vrm)
{
	return (vrm->flags & MREMAP_FIXED) && vrm->old_len == vrm->new_len;
}

static bool vrm_overlaps(const struct vma_remap_struct *vrm)
{
	return vrm->addr + vrm->old_len > vrm->new_addr &&
	       vrm->new_addr + vrm->new_len > vrm->addr;
}

static void vrm_set_delta(struct vma_remap_struct *vrm)
{
	vrm->delta = vrm->old_len > vrm->new_len ? vrm->old_len - vrm->new_len
						 : vrm->new_len - vrm->old_len;
	vrm->remap_type = !vrm->delta ? MREMAP_NO_RESIZE
			  : vrm->old_len > vrm->new_len ? MREMAP_SHRINK
							: MREMAP_EXPAND;
}

static bool vrm_will_map_new(const struct vma_remap_struct *vrm)
{
	return vrm->remap_type == MREMAP_EXPAND || vrm_implies_new_addr(vrm);
}

/* How many more VMAs than @slack the mm has room for; signed, as the
 * kernel's int sysctl_max_map_count - 3 is. */
static int64_t map_count_room(const struct vma_remap_struct *vrm,
			      int64_t slack)
{
	return (int64_t)mm_machine(vrm_mm(vrm))->tasks->sysctl.max_map_count -
	       slack - (int64_t)vrm_mm(vrm)->map_count;
}

/* check_mremap_params(): what needs no VMA.  0 or -errno. */
static int check_mremap_params(const struct vma_remap_struct *vrm)
{
	uint64_t ts = vrm_mm(vrm)->task_size;

	if (vrm->flags & ~(uint64_t)(MREMAP_FIXED | MREMAP_MAYMOVE |
				     MREMAP_DONTUNMAP))
		return -EINVAL;
	if (vrm->addr & ~MMT_PAGE_MASK)
		return -EINVAL;
	if (!vrm->new_len || vrm->new_len > ts)
		return -EINVAL;
	if (!vrm_implies_new_addr(vrm))
		return 0;
	if (vrm->new_addr > ts - vrm->new_len)
		return -EINVAL;
	if (vrm->new_addr & ~MMT_PAGE_MASK)
		return -EINVAL;
	if (!(vrm->flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((vrm->flags & MREMAP_DONTUNMAP) && vrm->old_len != vrm->new_len)
		return -EINVAL;
	if (vrm_overlaps(vrm))
		return -EINVAL;
	/* room for both ranges to split in three before anything moves */
	if (map_count_room(vrm, 3 + 2) <= 0)	/* map_count + 2 >= max - 3 */
		return -ENOMEM;
	return 0;
}

/* check_prep_vma(): the source VMA may be resized or moved this way. */
static int check_prep_vma(struct vma_remap_struct *vrm)
{
	struct mmt_vma *vma = vrm->vma;
	uint64_t old_len, pgoff;

	if (!vma)
		return -EFAULT;
	if (vma_is_sealed(vma))
		return -EPERM;
	vrm_set_delta(vrm);
	if (!vrm_implies_new_addr(vrm))
		vrm->new_addr = vrm->addr;
	if (!vrm_will_map_new(vrm))
		return 0;
	old_len = vrm->old_len;
	/* old_len 0 "duplicates" a mapping: only sensible when shared */
	if (!old_len && !(vma->vm_flags & (MMT_VM_SHARED | MMT_VM_MAYSHARE)))
		return -EINVAL;
	if ((vrm->flags & MREMAP_DONTUNMAP) &&
	    (vma->vm_flags & (MMT_VM_DONTEXPAND | MMT_VM_PFNMAP)))
		return -EINVAL;
	if (vrm->remap_type == MREMAP_SHRINK)
		old_len = vrm->new_len;	/* the unmapped tail may cross */
	if (old_len > vma->vm_end - vrm->addr)
		return -EFAULT;
	if (vrm->new_len == old_len)
		return 0;
	if (vma->vm_flags & MMT_VM_LOCKED)
		vrm->populate_expand = true;
	pgoff = vma->vm_pgoff + ((vrm->addr - vma->vm_start) >> MMT_PAGE_SHIFT);
	if (pgoff + (vrm->new_len >> MMT_PAGE_SHIFT) < pgoff)
		return -EINVAL;
	if (vma->vm_flags & (MMT_VM_DONTEXPAND | MMT_VM_PFNMAP))
		return -EFAULT;
	if (!mm_mlock_future_ok(vrm->t, vma->vm_flags, vrm->delta))
		return -EAGAIN;
	if (!may_expand_vm(vrm->t, vma->vm_flags, vrm->delta >> MMT_PAGE_SHIFT))
		return -ENOMEM;
	return 0;
}

/* vrm_set_new_addr(): where the moved VMA goes.  0 or -errno. */
static int vrm_set_new_addr(struct vma_remap_struct *vrm)
{
	struct mmt_vma *vma = vrm->vma;
	uint64_t pgoff = vma->vm_pgoff +
			 ((vrm->addr - vma->vm_start) >> MMT_PAGE_SHIFT);
	uint64_t map_flags = 0, res;

	if (vrm->flags & MREMAP_FIXED)
		map_flags |= MAP_FIXED;
	if (vma->vm_flags & MMT_VM_MAYSHARE)
		map_flags |= MAP_SHARED;
	res = __get_unmapped_area(vrm_mm(vrm), vrm->abi, vma->vm_file,
				  vrm_implies_new_addr(vrm) ? vrm->new_addr : 0,
				  vrm->new_len, pgoff, map_flags);
	if (IS_ERR_VALUE(res))
		return (int)(int64_t)res;
	vrm->new_addr = res;
	return 0;
}

/* vrm_calc_charge(): charge the VM_ACCOUNT pages the operation adds
 * (the delta; with DONTUNMAP all of new_len, the source keeping its own
 * pages).  false: the overcommit policy refused them (-ENOMEM). */
static bool vrm_calc_charge(struct vma_remap_struct *vrm)
{
	uint64_t charged;

	if (!(vrm->vma->vm_flags & MMT_VM_ACCOUNT))
		return true;
	charged = (vrm->flags & MREMAP_DONTUNMAP ? vrm->new_len : vrm->delta)
		  >> MMT_PAGE_SHIFT;
	if (security_vm_enough_memory_mm(vrm_mm(vrm), charged))
		return false;
	vrm->charged = charged;
	return true;
}

static void vrm_uncharge(struct vma_remap_struct *vrm)
{
	vm_unacct_memory(mm_machine(vrm_mm(vrm)), vrm->charged);
	vrm->charged = 0;
}

/* vrm_stat_account(): the counters for @bytes more of the source's kind. */
static void vrm_stat_account(struct vma_remap_struct *vrm, uint64_t bytes)
{
	uint64_t pages = bytes >> MMT_PAGE_SHIFT;

	vm_stat_account(vrm_mm(vrm), vrm->vma->vm_flags, (int64_t)pages);
	if (vrm->vma->vm_flags & MMT_VM_LOCKED)
		vrm_mm(vrm)->locked_vm += pages;
}

/*
 * copy_vma(): a VMA for [addr, addr + len) with the source's flags,
 * file and anon_vma, merged into a neighbour when they agree.  If the
 * merge swallowed the source itself (an untouched anonymous VMA moved
 * next to itself), *@vmap becomes the merged VMA.  NULL: -ENOMEM.
 */
static struct mmt_vma *copy_vma(struct mmt_mm *mm, struct mmt_vma **vmap,
				uint64_t addr, uint64_t len, uint64_t pgoff)
{
	struct mmt_vma *vma = *vmap, *prev, *next, *new_vma;
	uint64_t vma_start = vma->vm_start;
	struct vma_merge_struct vmg;

	if (vma_is_anonymous(vma) && !vma->anon_vma)
		pgoff = addr >> MMT_PAGE_SHIFT;	/* keeps merging possible */
	next = find_vma_prev(mm, addr, &prev);
	MMT_BUG_ON(next && next->vm_start < addr + len);
	vmg = (struct vma_merge_struct){
		.mm = mm, .prev = prev, .next = next, .start = addr,
		.end = addr + len, .pgoff = pgoff, .vm_flags = vma->vm_flags,
		.file = vma->vm_file, .anon_vma = vma->anon_vma,
		.anon_name = vma->anon_name,
	};
	new_vma = prev || next ? vma_merge_new_range(&vmg) : NULL;
	if (new_vma && !new_vma->anon_vma && vma->anon_vma)
		anon_vma_clone(new_vma, vma);	/* the moved pages' anon_vma */
	if (new_vma) {
		if (vma_start >= new_vma->vm_start &&
		    vma_start < new_vma->vm_end)
			*vmap = new_vma;	/* the source merged in */
		return new_vma;
	}
	new_vma = vm_area_dup(vma);
	if (!new_vma)
		return NULL;
	new_vma->vm_start = addr;
	new_vma->vm_end = addr + len;
	new_vma->vm_pgoff = pgoff;
	vma_link(mm, new_vma);
	mm_trace(mm, "mremap: new VMA [%#llx, %#llx)",
		 (unsigned long long)addr, (unsigned long long)(addr + len));
	return new_vma;
}

/* unmap_source_vma(): the move's unmap, which must not uncharge what
 * moved: VM_ACCOUNT is cleared for it and put back on what remains. */
static void unmap_source_vma(struct vma_remap_struct *vrm)
{
	struct mmt_mm *mm = vrm_mm(vrm);
	struct mmt_vma *vma = vrm->vma, *prev;
	uint64_t addr = vrm->addr, end = addr + vrm->old_len;
	uint64_t vm_start = vma->vm_start, vm_end = vma->vm_end;
	bool accountable_move = (vma->vm_flags & MMT_VM_ACCOUNT) &&
				!(vrm->flags & MREMAP_DONTUNMAP);

	if (accountable_move)
		vma->vm_flags &= ~MMT_VM_ACCOUNT;
	vrm->vma = NULL;
	if (do_vmi_munmap(mm, addr, vrm->old_len)) {
		/* OOM splitting: just get the charge right */
		mm_machine(mm)->tasks->vm_committed_as +=
			vrm->old_len >> MMT_PAGE_SHIFT;
		return;
	}
	if (!accountable_move)
		return;
	if (vm_start < addr) {
		find_vma_prev(mm, addr, &prev);
		prev->vm_flags |= MMT_VM_ACCOUNT;
	}
	if (vm_end > end)
		find_vma(mm, end)->vm_flags |= MMT_VM_ACCOUNT;
}

/* dontunmap_complete(): the source stays mapped and unlocked, without
 * its anon_vma when all of it moved.  It keeps VM_ACCOUNT and its charge
 * ("mm/mremap: correctly account old mapping after MREMAP_DONTUNMAP
 * remap", in 6.18.y: the live host's smaps shows "ac" on it). */
static void dontunmap_complete(struct vma_remap_struct *vrm,
			       struct mmt_vma *new_vma)
{
	struct mmt_vma *vma = vrm->vma;
	bool whole = vrm->addr == vma->vm_start &&
		     vrm->addr + vrm->old_len == vma->vm_end;

	vma->vm_flags &= ~(MMT_VM_LOCKED | MMT_VM_LOCKONFAULT);
	if (new_vma != vma && whole)
		unlink_anon_vmas(vma);
	/* locked_vm is left as it is, as the kernel leaves it */
}

/* prep_move_vma(): headroom for the unmap's splits. */
static int prep_move_vma(const struct vma_remap_struct *vrm)
{
	if (map_count_room(vrm, 3) <= 0)	/* map_count >= max - 3 */
		return -ENOMEM;
	return 0;
}

/* move_vma(): copy the source to vrm->new_addr, then unmap it (or with
 * DONTUNMAP leave it).  The new address, or -errno. */
static int64_t move_vma(struct vma_remap_struct *vrm)
{
	struct mmt_vma *new_vma;
	uint64_t pgoff;
	int err = prep_move_vma(vrm);

	if (err)
		return err;
	if (!vrm_calc_charge(vrm))
		return -ENOMEM;
	pgoff = vrm->vma->vm_pgoff +
		((vrm->addr - vrm->vma->vm_start) >> MMT_PAGE_SHIFT);
	new_vma = copy_vma(vrm_mm(vrm), &vrm->vma, vrm->new_addr,
			   vrm->new_len, pgoff);
	if (!new_vma) {
		vrm_uncharge(vrm);
		return -ENOMEM;
	}
	move_page_tables(vrm->vma, vrm->addr, new_vma, vrm->new_addr,
			 vrm->old_len);
	vrm_stat_account(vrm, vrm->new_len);
	if (vrm->flags & MREMAP_DONTUNMAP)
		dontunmap_complete(vrm, new_vma);
	else
		unmap_source_vma(vrm);
	/*
	 * A shrinking move (mremap_to) shrank first, then charged the stale
	 * delta, which nothing holds or gives back: 6.18 leaks it (the live
	 * host's Committed_AS grows by the delta per such call).
	 */
	if (vrm->remap_type == MREMAP_SHRINK)
		mm_machine(vrm_mm(vrm))->tasks->committed_leaked +=
			vrm->charged;
	return (int64_t)vrm->new_addr;
}

/* shrink_vma(): unmap the tail [addr + new_len, addr + old_len). */
static int shrink_vma(struct vma_remap_struct *vrm, bool reload)
{
	int err = do_vmi_munmap(vrm_mm(vrm), vrm->addr + vrm->new_len,
				vrm->delta);

	vrm->vma = NULL;
	if (err)
		return err;
	if (reload) {
		vrm->vma = vma_lookup(vrm_mm(vrm), vrm->addr);
		if (!vrm->vma)
			return -EFAULT;
	}
	return 0;
}

/* mremap_to(): move to a given (FIXED) or chosen (DONTUNMAP) place. */
static int64_t mremap_to(struct vma_remap_struct *vrm)
{
	struct mmt_mm *mm = vrm_mm(vrm);
	int err;

	if (vrm->flags & MREMAP_FIXED) {
		err = do_vmi_munmap(mm, vrm->new_addr, vrm->new_len);
		vrm->vma = NULL;
		if (err)
			return err;
		vrm->vma = vma_lookup(mm, vrm->addr);
		if (!vrm->vma)
			return -EFAULT;
	}
	if (vrm->remap_type == MREMAP_SHRINK) {
		err = shrink_vma(vrm, true);
		if (err)
			return err;
		vrm->old_len = vrm->new_len;
	}
	if ((vrm->flags & MREMAP_DONTUNMAP) &&
	    !may_expand_vm(vrm->t, vrm->vma->vm_flags,
			   vrm->old_len >> MMT_PAGE_SHIFT))
		return -ENOMEM;
	err = vrm_set_new_addr(vrm);
	if (err)
		return err;
	return move_vma(vrm);
}

/* vma_expandable(): nothing in [vm_end, vm_end + delta) and the grown
 * range passes get_unmapped_area(MAP_FIXED) (TASK_SIZE, mmap_min_addr). */
static bool vma_expandable(const struct vma_remap_struct *vrm)
{
	const struct mmt_vma *vma = vrm->vma;
	uint64_t end = vma->vm_end + vrm->delta;

	if (end < vma->vm_end)
		return false;
	if (find_vma_intersection(vrm_mm(vrm), vma->vm_end, end))
		return false;
	return !(__get_unmapped_area(vrm_mm(vrm), vrm->abi, NULL,
				     vma->vm_start, end - vma->vm_start, 0,
				     MAP_FIXED) & ~MMT_PAGE_MASK);
}

/* expand_vma_in_place(): vma_merge_extend() - the VMA grows by delta
 * (and swallows the next one if that now touches it and agrees). */
static int expand_vma_in_place(struct vma_remap_struct *vrm)
{
	struct mmt_vma *vma = vrm->vma;
	struct vma_merge_struct vmg = {
		.mm = vrm_mm(vrm), .prev = vma, .next = vma_next(vma),
		.start = vma->vm_end, .end = vma->vm_end + vrm->delta,
		.pgoff = vma->vm_pgoff + vma_pages(vma),
		.vm_flags = vma->vm_flags, .file = vma->vm_file,
		.anon_vma = vma->anon_vma, .anon_name = vma->anon_name,
	};

	if (!vrm_calc_charge(vrm))
		return -ENOMEM;
	vma = vma_merge_new_range(&vmg);
	if (!vma) {
		vrm_uncharge(vrm);
		return -ENOMEM;
	}
	vrm->vma = vma;
	vrm_stat_account(vrm, vrm->delta);
	return 0;
}

/* expand_vma(): grow in place if [addr, addr + old_len) ends the VMA and
 * the space above is free; else move (MREMAP_MAYMOVE) or -ENOMEM. */
static int64_t expand_vma(struct vma_remap_struct *vrm)
{
	int err;

	if (vrm->vma->vm_end - vrm->addr == vrm->old_len &&
	    vma_expandable(vrm)) {
		err = expand_vma_in_place(vrm);
		return err ? err : (int64_t)vrm->addr;
	}
	if (!(vrm->flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	err = vrm_set_new_addr(vrm);
	if (err)
		return err;
	return move_vma(vrm);
}

/* mremap_at(): resize at the same address, moving only to grow. */
static int64_t mremap_at(struct vma_remap_struct *vrm)
{
	int err;

	switch (vrm->remap_type) {
	case MREMAP_NO_RESIZE:
		return (int64_t)vrm->addr;
	case MREMAP_SHRINK:
		err = shrink_vma(vrm, false);
		return err ? err : (int64_t)vrm->addr;
	case MREMAP_EXPAND:
		return expand_vma(vrm);
	case MREMAP_INVALID:
		break;
	}
	MMT_BUG_ON(1);
	return -EINVAL;
}

/*
 * remap_move(): MREMAP_FIXED without resizing moves every VMA piece of
 * [addr, addr + old_len), each to new_addr plus its distance from the
 * first; the first piece must start at addr.  The first piece's new
 * address, or the first error (the pieces before it have moved).
 */
static int64_t remap_move(struct vma_remap_struct *vrm)
{
	uint64_t start = vrm->addr, end = vrm->addr + vrm->old_len;
	uint64_t target = vrm->new_addr, last_end = 0, pos = start;
	int64_t res = -EFAULT;
	bool seen = false;

	for (;;) {
		struct mmt_vma *vma = find_vma(vrm_mm(vrm), pos);
		uint64_t addr, len, offset;
		int64_t r;

		if (!vma || vma->vm_start >= end)
			break;
		if (!seen && start < vma->vm_start)
			return -EFAULT;
		addr = vma->vm_start > start ? vma->vm_start : start;
		len = (vma->vm_end < end ? vma->vm_end : end) - addr;
		offset = seen ? vma->vm_start - last_end : 0;
		last_end = vma->vm_end;
		pos = addr + len;
		vrm->vma = vma;
		vrm->addr = addr;
		vrm->new_addr = target + offset;
		vrm->old_len = vrm->new_len = len;
		r = check_prep_vma(vrm);
		if (!r)
			r = mremap_to(vrm);
		if (r < 0)
			return r;
		if (!seen)
			res = r;
		seen = true;
		target = (uint64_t)r + len;
	}
	return res;
}

int64_t mmt_do_mremap(struct mmt_task *t, enum mmt_abi abi, uint64_t addr,
		      uint64_t old_len, uint64_t new_len, uint64_t flags,
		      uint64_t new_addr)
{
	struct vma_remap_struct vrm = {
		.t = t, .abi = abi, .addr = addr,
		.old_len = PAGE_ALIGN(old_len), .new_len = PAGE_ALIGN(new_len),
		.flags = flags, .new_addr = new_addr,
		.remap_type = MREMAP_INVALID,
	};
	int64_t res;

	if (old_len > UINT64_MAX - MMT_PAGE_SIZE)
		vrm.old_len = 0;	/* PAGE_ALIGN wraps */
	if (new_len > UINT64_MAX - MMT_PAGE_SIZE)
		vrm.new_len = 0;
	res = check_mremap_params(&vrm);
	if (res)
		return res;
	if (vrm_move_only(&vrm)) {
		res = remap_move(&vrm);
	} else {
		vrm.vma = vma_lookup(t->mm, vrm.addr);
		res = check_prep_vma(&vrm);
		if (!res)
			res = vrm_implies_new_addr(&vrm) ? mremap_to(&vrm)
							 : mremap_at(&vrm);
	}
	if (res >= 0 && vrm.populate_expand)
		__mm_populate(t->mm, vrm.new_addr + vrm.old_len, vrm.delta,
			      true);
	mm_trace(t->mm, "mremap(%#llx, %#llx, %#llx, %#llx) = %s%#llx",
		 (unsigned long long)addr, (unsigned long long)old_len,
		 (unsigned long long)new_len, (unsigned long long)flags,
		 res < 0 ? "-" : "", (unsigned long long)(res < 0 ? -res : res));
	return res;
}

int64_t mmt_sys_mremap(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);

	if (!t)
		return -ESRCH;
	return mmt_do_mremap(t, ctx->abi, mm_sys_arg(ctx, c, 0),
			     mm_sys_arg(ctx, c, 1), mm_sys_arg(ctx, c, 2),
			     mm_sys_arg(ctx, c, 3), mm_sys_arg(ctx, c, 4));
}
