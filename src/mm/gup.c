// SPDX-License-Identifier: MIT
/*
 * mm/gup.c - faulting a range in: check_vma_flags() of mm/gup.c (VM_IO
 * and VM_PFNMAP, the access rights, FOLL_FORCE's COW rule), then every
 * page the page tables do not serve goes through handle_mm_fault (a
 * file page at or past the end of the file is SIGBUS: -EFAULT); and
 * anon_vma_prepare of mm/rmap.c, reusing a neighbour's anon_vma when
 * find_mergeable_anon_vma would, because it decides later merges.
 *
 * Callers: mlock/mlockall (__mm_populate), MADV_POPULATE_READ/WRITE
 * (faultin_page_range), MADV_GUARD_INSTALL (anon_vma_prepare).
 */
#include "mm/gup.h"
#include "mm/memory.h"

#define PAGE MMT_PAGE_SIZE

/* anon_vma_compatible(): @b continues @a so they could share one. */
static bool anon_vma_compatible(const struct mmt_vma *a,
				const struct mmt_vma *b)
{
	return a->vm_end == b->vm_start && a->vm_file == b->vm_file &&
	       !((a->vm_flags ^ b->vm_flags) &
		 ~(MMT_VM_ACCESS_FLAGS | MMT_VM_IGNORE_MERGE)) &&
	       b->vm_pgoff == a->vm_pgoff +
			      ((b->vm_start - a->vm_start) >> MMT_PAGE_SHIFT);
}

/* find_mergeable_anon_vma(): next first, then prev, whose anon_vma is
 * reusable (reusable_anon_vma: a single chain entry, so not forked). */
static const struct mmt_vma *find_mergeable_anon_vma(const struct mmt_vma *vma)
{
	const struct mmt_vma *next = vma_next(vma), *prev = vma_prev(vma);

	if (next && next->anon_vma && vma_anon_chain_len(next) == 1 &&
	    anon_vma_compatible(vma, next))
		return next;
	if (prev && prev->anon_vma && vma_anon_chain_len(prev) == 1 &&
	    anon_vma_compatible(prev, vma))
		return prev;
	return NULL;
}

int anon_vma_prepare(struct mmt_vma *vma)
{
	const struct mmt_vma *from;
	int err;

	if (vma->anon_vma)
		return 0;
	from = find_mergeable_anon_vma(vma);
	err = from ? anon_vma_attach_shared(vma, from)
		   : anon_vma_attach_new(vma);
	if (err)
		return err;
	mm_trace(vma->vm_mm, "anon_vma %llu for [%#llx, %#llx)",
		 (unsigned long long)vma->anon_vma,
		 (unsigned long long)vma->vm_start,
		 (unsigned long long)vma->vm_end);
	return 0;
}

/* is_cow_mapping(): private and may be written. */
static bool is_cow_mapping(uint64_t flags)
{
	return (flags & (MMT_VM_SHARED | MMT_VM_MAYWRITE)) == MMT_VM_MAYWRITE;
}

/* check_vma_flags(): may gup touch @vma this way?  0 or -EFAULT. */
static int check_vma_flags(const struct mmt_vma *vma, bool write, bool force)
{
	uint64_t f = vma->vm_flags;

	if (f & (MMT_VM_IO | MMT_VM_PFNMAP))
		return -EFAULT;
	if (write) {
		if (!(f & MMT_VM_WRITE) || (f & MMT_VM_SHADOW_STACK)) {
			if (!force || !(f & MMT_VM_MAYWRITE) ||
			    !is_cow_mapping(f))
				return -EFAULT;
		}
	} else if (!(f & MMT_VM_READ)) {
		if (!force || !(f & MMT_VM_MAYREAD))
			return -EFAULT;
	}
	return 0;
}

/* follow_page_pte(): does the PTE already serve the access? */
static bool gup_pte_ok(uint64_t pte, bool write)
{
	if (!(pte & MMT_PTE_PRESENT))
		return false;
	return !write || (pte & MMT_PTE_RW);
}

/*
 * __get_user_pages() over [start, end) of @vma: every page that the
 * tables do not already serve is faulted in (faultin_page ->
 * handle_mm_fault, counted in the task's minor faults), then looked at
 * again.  0, -EFAULT (SIGBUS past the end of the file, a guard marker),
 * -ENOMEM (out of frames).
 */
static int fault_range(struct mmt_vma *vma, uint64_t start, uint64_t end,
		       bool write)
{
	struct mmt_mm *mm = vma->vm_mm;
	struct mmt_task *t = mm_task(mm);

	for (uint64_t addr = start; addr < end; addr += PAGE) {
		for (int tries = 0; !gup_pte_ok(mm_get_pte(mm, addr), write);
		     tries++) {
			unsigned ret;

			if (tries == 3)
				MMT_BUG("gup at %#llx: the fault did not map it",
					(unsigned long long)addr);
			ret = handle_mm_fault(t, vma, addr,
					      write ? FAULT_FLAG_WRITE : 0);
			if (ret & VM_FAULT_OOM)
				return -ENOMEM;
			if (ret & VM_FAULT_ERROR)
				return -EFAULT;
		}
	}
	return 0;
}

int64_t faultin_page_range(struct mmt_mm *mm, uint64_t start, uint64_t end,
			   bool write)
{
	while (start < end) {
		struct mmt_vma *vma = find_vma(mm, start);
		uint64_t e;
		int r;

		if (!vma || vma->vm_start > start)
			return -ENOMEM;	/* vma_lookup() failed */
		if (check_vma_flags(vma, write, false))
			return -EINVAL;	/* FOLL_MADV_POPULATE's answer */
		e = vma->vm_end < end ? vma->vm_end : end;
		r = fault_range(vma, start, e, write);
		if (r)
			return r;
		start = e;
	}
	return 0;
}

/* populate_vma_page_range(): what mlock asks of one VMA.  0 or -EFAULT. */
static int populate_vma_page_range(struct mmt_vma *vma, uint64_t start,
				   uint64_t end)
{
	uint64_t f = vma->vm_flags;
	bool write = (f & (MMT_VM_WRITE | MMT_VM_SHARED)) == MMT_VM_WRITE;
	bool force = f & MMT_VM_ACCESS_FLAGS;	/* vma_is_accessible() */

	if (f & MMT_VM_LOCKONFAULT)
		return 0;	/* never faulted in, not even to break COW */
	if (check_vma_flags(vma, write, force))
		return -EFAULT;
	return fault_range(vma, start, end, write);
}

int __mm_populate(struct mmt_mm *mm, uint64_t start, uint64_t len,
		  bool ignore_errors)
{
	uint64_t end = start + len, nstart, nend;
	struct mmt_vma *vma;

	for (nstart = start; nstart < end; nstart = nend) {
		int err;

		vma = find_vma_intersection(mm, nstart, end);
		if (!vma)
			break;
		nend = vma->vm_end < end ? vma->vm_end : end;
		if (vma->vm_flags & (MMT_VM_IO | MMT_VM_PFNMAP))
			continue;
		if (nstart < vma->vm_start)
			nstart = vma->vm_start;
		err = populate_vma_page_range(vma, nstart, nend);
		if (err && !ignore_errors)
			return err;
	}
	return 0;
}
