/* SPDX-License-Identifier: MIT */
/*
 * mm/gup.h - faulting ranges in without page contents (mm/gup.c): what
 * a fault would answer, and the anon_vma a write fault leaves behind.
 */
#ifndef MMT_MM_GUP_H
#define MMT_MM_GUP_H

#include "mm/vma_internal.h"

/* anon_vma_prepare(): give @vma an anon_vma identity if it has none (a
 * compatible neighbour's, else a new one).  Always 0 (no allocation can
 * fail: an identity is a counter). */
int anon_vma_prepare(struct mmt_vma *vma);

/*
 * faultin_page_range() as MADV_POPULATE_(READ|WRITE) uses it: walk
 * [start, end) (page aligned) in address order, stopping at the first
 * problem: a hole -ENOMEM, an access the VMA does not allow -EINVAL, a
 * file page past EOF -EFAULT.  0 when all of it faulted in.
 */
int64_t faultin_page_range(struct mmt_mm *mm, uint64_t start, uint64_t end,
			   bool write);

/*
 * __mm_populate() as mlock uses it: every VMA of [start, start + len)
 * except VM_IO/VM_PFNMAP ones, holes skipped, VM_LOCKONFAULT ones left
 * alone; writable private ones are write-faulted, everything accessible
 * is FOLL_FORCE'd.  0, or -EFAULT (a PROT_NONE VMA, SIGBUS past EOF)
 * unless @ignore_errors.
 */
int __mm_populate(struct mmt_mm *mm, uint64_t start, uint64_t len,
		  bool ignore_errors);

#endif
