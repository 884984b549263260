// SPDX-License-Identifier: MIT
/*
 * Non-present PTEs that carry information, in the kernel's x86 encodings:
 *
 * PROT_NONE  P clear, _PAGE_PROTNONE (= the G bit, 8) set: pfn_pte(pfn,
 *            PAGE_NONE).  The kernel's pte_present() is true (P|PROTNONE),
 *            the MMU sees P=0.  With 8-byte entries the pfn is stored
 *            inverted (pgtable-invert.h, the L1TF mitigation: a non-present
 *            entry must not point at real memory); 2-level stores it plain.
 *
 * swap       P and PROTNONE clear, not zero.
 *   x86_64 and PAE (pgtable_64.h, pgtable-3level.h __swp_pteval_entry):
 *     63..59 type | 58..9 ~offset | 8,7: 0 | 6..1 free (x86_64: SD bit 1,
 *     uffd-wp 2, exclusive 3; PAE: exclusive in bit 7, rest 0) | 0: 0
 *     PAE's swp_entry_t is 32 bits: offset below 2^27.
 *   2-level (pgtable-2level.h): 31..9 offset | 8: 0 | 7 exclusive |
 *     6: 0 | 5..1 type | 0: 0
 */
#include "pgtable_internal.h"

#include <errno.h>

#define SWP_TYPE_BITS MMT_SWP_TYPE_BITS
#define SWP_OFFSET_SHIFT 14		/* _PAGE_BIT_PROTNONE + 1 + 5 */
#define SWP2_OFFSET_SHIFT 9		/* 2-level: _PAGE_BIT_PROTNONE + 1 */

enum pte_format { FMT_2LEVEL, FMT_PAE, FMT_64 };

static enum pte_format pte_format(const struct mmt_machine *m)
{
	const struct mmt_paging *p = &m->layout.paging;

	if (p->entry_size == 4)
		return FMT_2LEVEL;
	return p->levels == 3 ? FMT_PAE : FMT_64;
}

bool mmt_pte_present(uint64_t pte)
{
	return pte & (MMT_PTE_PRESENT | MMT_PTE_PROTNONE);
}

bool mmt_pte_protnone(uint64_t pte)
{
	return (pte & (MMT_PTE_PRESENT | MMT_PTE_PROTNONE)) ==
	       MMT_PTE_PROTNONE;
}

bool mmt_is_swap_pte(uint64_t pte)
{
	return pte && !mmt_pte_present(pte);
}

uint64_t mmt_swp_offset_max(const struct mmt_machine *m)
{
	switch (pte_format(m)) {
	case FMT_2LEVEL:
		return (1ULL << (32 - SWP2_OFFSET_SHIFT)) - 1;
	case FMT_PAE:
		return (1ULL << (32 - SWP_TYPE_BITS)) - 1;
	default:
		return (1ULL << (64 - SWP_OFFSET_SHIFT)) - 1;
	}
}

uint64_t mmt_pte_swp_exclusive_bit(const struct mmt_machine *m)
{
	/* _PAGE_SWP_EXCLUSIVE: _PAGE_PWT on x86_64, _PAGE_PSE on 32-bit */
	return pte_format(m) == FMT_64 ? MMT_PTE_PWT : MMT_PTE_PSE;
}

int mmt_swp_entry_to_pte(const struct mmt_machine *m, unsigned type,
			 uint64_t offset, uint64_t *pte)
{
	if (type >> SWP_TYPE_BITS || offset > mmt_swp_offset_max(m))
		return -EINVAL;
	if (pte_format(m) == FMT_2LEVEL)
		*pte = (uint64_t)type << 1 | offset << SWP2_OFFSET_SHIFT;
	else
		*pte = (~offset << SWP_OFFSET_SHIFT >> SWP_TYPE_BITS) |
		       (uint64_t)type << (64 - SWP_TYPE_BITS);
	return 0;
}

int mmt_pte_to_swp_entry(const struct mmt_machine *m, uint64_t pte,
			 unsigned *type, uint64_t *offset)
{
	if (!mmt_is_swap_pte(pte))
		return -EINVAL;
	if (pte_format(m) == FMT_2LEVEL) {
		*type = (unsigned)(pte >> 1) & ((1u << SWP_TYPE_BITS) - 1);
		*offset = (pte & 0xffffffffULL) >> SWP2_OFFSET_SHIFT;
	} else {
		*type = (unsigned)(pte >> (64 - SWP_TYPE_BITS));
		*offset = ~pte << SWP_TYPE_BITS >> SWP_OFFSET_SHIFT;
	}
	return 0;
}

/* protnone_mask(): invert the pfn of a non-present, non-zero entry. */
static uint64_t protnone_mask(const struct mmt_machine *m, uint64_t val)
{
	if (pte_format(m) == FMT_2LEVEL)
		return 0;
	return val && !(val & MMT_PTE_PRESENT) ? ~0ULL : 0;
}

uint64_t mmt_pfn_pte(const struct mmt_machine *m, uint64_t pfn,
		     uint64_t prot)
{
	uint64_t pa = (pfn << MMT_PAGE_SHIFT) ^ protnone_mask(m, prot);

	if (m->layout.paging.entry_size == 4)
		prot &= ~MMT_PTE_NX;
	return (pa & m->kern->phys_mask) | prot;
}

uint64_t mmt_pte_pfn(const struct mmt_machine *m, uint64_t pte)
{
	uint64_t pa = pte ^ protnone_mask(m, pte);

	return (pa & m->kern->phys_mask) >> MMT_PAGE_SHIFT;
}

/*
 * What is wrong with the non-present, non-zero entry @e at level @l: NULL
 * if its format is sane.  Only PTEs carry swap or PROT_NONE encodings in
 * the model (no PMD migration entries or NUMA-hinting huge pages yet).
 */
const char *pt_nonpresent_bad(const struct mmt_machine *m, unsigned l,
			      uint64_t e)
{
	const struct mmt_paging *p = &m->layout.paging;
	unsigned type;
	uint64_t off;

	if (l != p->levels - 1)
		return "a non-present entry above the PTE level is not zero";
	if (mmt_pte_protnone(e))
		return e & pt_reserved_mask(m, l, e) ?
		       "PROT_NONE pfn beyond the physical address width" : NULL;
	switch (pte_format(m)) {
	case FMT_64:
		return e & MMT_PTE_PSE ? "swap entry with bit 7 set" : NULL;
	case FMT_PAE:
		if (e & 0x7eULL)
			return "PAE swap entry with bits 1-6 set";
		mmt_pte_to_swp_entry(m, e, &type, &off);
		return off > mmt_swp_offset_max(m) ?
		       "PAE swap offset beyond 27 bits" : NULL;
	default:
		return e & MMT_PTE_DIRTY ? "swap entry with bit 6 set" : NULL;
	}
}
