// SPDX-License-Identifier: MIT
/*
 * mm/gup.c - faulting a range in, as far as the model has it: no page
 * contents and no page tables are made yet (faults are a later step),
 * so "populating" decides only what a fault would answer and what it
 * leaves in the VMA:
 *
 *   - which accesses fail: check_vma_flags() of mm/gup.c (VM_IO and
 *     VM_PFNMAP, the access rights, FOLL_FORCE's COW rule), and a file
 *     page at or past the end of the file (SIGBUS: -EFAULT);
 *   - the anon_vma a write fault on a private mapping prepares
 *     (anon_vma_prepare of mm/rmap.c, reusing a neighbour's when
 *     find_mergeable_anon_vma would), because it decides later merges.
 *
 * Callers: mlock/mlockall (__mm_populate), MADV_POPULATE_READ/WRITE
 * (faultin_page_range), MADV_GUARD_INSTALL (anon_vma_prepare).
 */
#include "mm/gup.h"

#define PAGE MMT_PAGE_SIZE

/* anon_vma_compatible(): @b continues @a so they could share one. */
static bool anon_vma_compatible(const struct mmt_vma *a,
				const struct mmt_vma *b)
{
	return a->vm_end == b->vm_start && a->vm_file == b->vm_file &&
	       !((a->vm_flags ^ b->vm_flags) &
		 ~(MMT_VM_ACCESS_FLAGS | MMT_VM_SOFTDIRTY)) &&
	       b->vm_pgoff == a->vm_pgoff +
			      ((b->vm_start - a->vm_start) >> MMT_PAGE_SHIFT);
}

/* find_mergeable_anon_vma(): next first, then prev (no fork, so every
 * anon_vma has a single chain entry and may be reused). */
static uint64_t find_mergeable_anon_vma(const struct mmt_vma *vma)
{
	const struct mmt_vma *next = vma_next(vma), *prev = vma_prev(vma);

	if (next && next->anon_vma && anon_vma_compatible(vma, next))
		return next->anon_vma;
	if (prev && prev->anon_vma && anon_vma_compatible(prev, vma))
		return prev->anon_vma;
	return 0;
}

int anon_vma_prepare(struct mmt_vma *vma)
{
	struct mmt_tasks *ts = mm_machine(vma->vm_mm)->tasks;

	if (vma->anon_vma)
		return 0;
	vma->anon_vma = find_mergeable_anon_vma(vma);
	if (!vma->anon_vma)
		vma->anon_vma = ts->next_anon_vma++;
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

/* The first address of [start, end) in @vma a fault cannot serve (a
 * file page past EOF: SIGBUS), or @end. */
static uint64_t fault_limit(const struct mmt_vma *vma, uint64_t start,
			    uint64_t end)
{
	uint64_t eof_pg, pg;

	if (!vma->vm_file || vma->vm_special)
		return end;
	eof_pg = (vma->vm_file->size + PAGE - 1) >> MMT_PAGE_SHIFT;
	pg = vma->vm_pgoff + ((start - vma->vm_start) >> MMT_PAGE_SHIFT);
	if (pg >= eof_pg)
		return start;
	if (eof_pg - pg < (end - start) >> MMT_PAGE_SHIFT)
		return start + ((eof_pg - pg) << MMT_PAGE_SHIFT);
	return end;
}

/*
 * Fault [start, end) of @vma in (write: a write fault).  A write fault on
 * a private mapping breaks COW into an anonymous page: the VMA gets its
 * anon_vma even when a later page fails.  0, or -EFAULT (SIGBUS past the
 * end of the file).
 */
static int fault_range(struct mmt_vma *vma, uint64_t start, uint64_t end,
		       bool write)
{
	uint64_t ok = fault_limit(vma, start, end);

	if (ok > start && write && !(vma->vm_flags & MMT_VM_SHARED))
		anon_vma_prepare(vma);
	return ok < end ? -EFAULT : 0;
}

int64_t faultin_page_range(struct mmt_mm *mm, uint64_t start, uint64_t end,
			   bool write)
{
	while (start < end) {
		struct mmt_vma *vma = find_vma(mm, start);
		uint64_t e;

		if (!vma || vma->vm_start > start)
			return -ENOMEM;	/* vma_lookup() failed */
		if (check_vma_flags(vma, write, false))
			return -EINVAL;	/* FOLL_MADV_POPULATE's answer */
		e = vma->vm_end < end ? vma->vm_end : end;
		if (fault_range(vma, start, e, write))
			return -EFAULT;
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
