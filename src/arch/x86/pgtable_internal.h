/* SPDX-License-Identifier: MIT */
/*
 * Private helpers of the page-table code: per-format entry access and the
 * one walker (walk()) that map, unmap, lookup, populate and the MMU use.
 */
#ifndef MMT_PGTABLE_INTERNAL_H
#define MMT_PGTABLE_INTERNAL_H

#include <mmtwin/kern.h>
#include <mmtwin/machine.h>
#include <mmtwin/page_alloc.h>
#include <mmtwin/pagewalk.h>

#include "base/bug.h"
#include "arch/x86/kern_internal.h"

#include <stdlib.h>
#include <string.h>

/* _PAGE_TABLE / _KERNPG_TABLE: what a non-leaf entry carries. */
#define MMT_PAGE_TABLE    (MMT_PTE_PRESENT | MMT_PTE_RW | MMT_PTE_USER | \
			   MMT_PTE_ACCESSED | MMT_PTE_DIRTY)
#define MMT_KERNPG_TABLE  (MMT_PTE_PRESENT | MMT_PTE_RW | \
			   MMT_PTE_ACCESSED | MMT_PTE_DIRTY)
#define MMT_PTE_PAT_LARGE (1ULL << 12)

/* Frame contents of a page-table page, through the pfn cache. */
static inline void *pt_frame(struct mmt_machine *m, uint64_t pfn)
{
	struct mmt_frame_slot *s = &m->kern->fc[pfn & (MMT_FC_SLOTS - 1)];

	if (__builtin_expect(s->pfn_plus1 != pfn + 1, 0)) {
		s->data = mmt_frame_data(m, pfn, true);
		if (!s->data)
			MMT_BUG("no frame data for table pfn %#llx",
				(unsigned long long)pfn);
		s->pfn_plus1 = pfn + 1;
	}
	return s->data;
}

/* Little-endian 4- or 8-byte entry @idx of @table. */
static inline uint64_t pt_get(unsigned esize, const void *table, unsigned idx)
{
	const unsigned char *b = (const unsigned char *)table + idx * esize;

	if (esize == 8) {
		uint64_t v;

		memcpy(&v, b, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		v = __builtin_bswap64(v);
#endif
		return v;
	} else {
		uint32_t v;

		memcpy(&v, b, 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		v = __builtin_bswap32(v);
#endif
		return v;
	}
}

static inline void pt_set(unsigned esize, void *table, unsigned idx,
			  uint64_t v)
{
	unsigned char *b = (unsigned char *)table + idx * esize;

	if (esize == 8) {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		v = __builtin_bswap64(v);
#endif
		memcpy(b, &v, 8);
	} else {
		uint32_t w = (uint32_t)v;

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w = __builtin_bswap32(w);
#endif
		memcpy(b, &w, 4);
	}
}

/*
 * The hardware's P bit: what the MMU and the walkers descend through.  The
 * kernel's pt_hw_present() (P or PROTNONE) is mmt_pte_present().
 */
static inline bool pt_hw_present(uint64_t e)
{
	return e & MMT_PTE_PRESENT;
}

/* Index of @va in a table of level @l (pgd_index, pmd_index, ...). */
static inline unsigned pt_index(const struct mmt_paging *p, unsigned l,
				uint64_t va)
{
	return (unsigned)(va >> p->shift[l]) & ((1u << p->bits[l]) - 1);
}

/* Is @e at level @l a leaf (last level, or PSE where allowed)? */
static inline bool pt_leaf(const struct mmt_paging *p, unsigned l, uint64_t e)
{
	return l == p->levels - 1 ||
	       ((p->large_levels >> l & 1) && (e & MMT_PTE_PSE));
}

/* Is level @l the PAE PDPT (entries carry only P and the address)? */
static inline bool pt_is_pdpt(const struct mmt_paging *p, unsigned l)
{
	return l == 0 && p->levels == 3;
}

/* Physical address an entry points to (table or page base). */
static inline uint64_t pt_addr(const struct mmt_kern *k, uint64_t e)
{
	return e & k->phys_mask;
}

/* Set of the page number @vpn (va >> shift). */
static inline struct mmt_tlb_entry *tlb_set(struct mmt_tlb *t, uint64_t vpn)
{
	return &t->e[(vpn & (t->sets - 1)) * t->ways];
}

/* Tag of an entry: page number and page shift in one nonzero word. */
static inline uint64_t tlb_key(uint64_t va, unsigned shift)
{
	return ((va >> shift) << 6) | shift;
}

/*
 * The accesses (index: MMT_ACCESS_* | MMT_ACCESS_USER) a cached
 * translation with TLB flags @flags allows without a walk, one bit each.
 * An access needs RW for writes, US for user mode and no NX for
 * instruction fetches; a write also needs D (with D clear the hardware
 * re-walks to set it).  Index 3 and 7 are not accesses: always walk.
 */
static inline uint8_t tlb_allow_bits(unsigned flags)
{
	uint8_t allow = 0;

	for (unsigned a = 0; a < 8; a++) {
		unsigned kind = a & 3, need = 0;

		if (kind == 3)
			continue;
		if (kind == MMT_ACCESS_WRITE)
			need |= MMT_TLBF_RW | MMT_TLBF_DIRTY;
		if (a & MMT_ACCESS_USER)
			need |= MMT_TLBF_USER;
		if ((flags & need) != need)
			continue;
		if (kind == MMT_ACCESS_EXEC && (flags & MMT_TLBF_NX))
			continue;
		allow |= (uint8_t)(1u << a);
	}
	return allow;
}

/*
 * The TLB entry translating @va, trying each page size; or NULL.  The
 * caller marks a used entry (stamp = hits + misses, the LRU clock).
 */
static inline struct mmt_tlb_entry *tlb_lookup(struct mmt_tlb *t,
					       const unsigned *shifts,
					       unsigned nr_shifts, uint64_t va)
{
	unsigned s, w;

	if (!t->sets)
		return NULL;
	{	/* 4 KiB first, with a constant shift */
		uint64_t key = tlb_key(va, MMT_PAGE_SHIFT);
		struct mmt_tlb_entry *e = tlb_set(t, va >> MMT_PAGE_SHIFT);

		for (w = 0; w < t->ways; w++)
			if (e[w].tag == key)
				return &e[w];
	}
	for (s = 1; s < nr_shifts; s++) {
		uint64_t key = tlb_key(va, shifts[s]);
		struct mmt_tlb_entry *e = tlb_set(t, va >> shifts[s]);

		for (w = 0; w < t->ways; w++)
			if (e[w].tag == key)
				return &e[w];
	}
	return NULL;
}

/* A valid address: below 4 GiB on x86_32, canonical on x86_64. */
static inline bool pt_va_valid(const struct mmt_machine *m, uint64_t va)
{
	const struct mmt_kern *k = m->kern;

	return va + k->va_add < k->va_lim;	/* sign-extended for 64-bit */
}

/* Canonical form of a linear (index-space) address: sign-extended on x86_64. */
static inline uint64_t pt_canon(const struct mmt_machine *m, uint64_t lin)
{
	unsigned vb = m->kern->va_bits;

	if (vb == 32)
		return lin;
	return (uint64_t)((int64_t)(lin << (64 - vb)) >> (64 - vb));
}

/*
 * The exclusive end of the user half (KERNEL_PGD_BOUNDARY's address):
 * 0x0000800000000000 on 4-level x86_64, PAGE_OFFSET-ish on x86_32.  The
 * caller guarantees kern_pgd_start > 0.
 */
static inline uint64_t pt_user_end(const struct mmt_machine *m)
{
	uint64_t lin = (uint64_t)m->kern->kern_pgd_start <<
		       m->layout.paging.shift[0];

	return pt_canon(m, lin - 1) + 1;
}

/* One walk's path: where it stopped and the tables it went through. */
struct pt_walk {
	uint64_t va;
	unsigned level;		/* level of the entry it stopped at */
	uint64_t entry;		/* value of that entry */
	uint64_t tbl[5];	/* pfn of the table at each level */
	unsigned idx[5];	/* index used at each level */
};

#define WALK_LOOKUP 0
#define WALK_ALLOC  1

int pt_walk(struct mmt_machine *m, uint64_t pgd_pfn, uint64_t va,
	    unsigned stop, int mode, struct pt_walk *w);
void pt_set_entry(struct mmt_machine *m, const struct pt_walk *w,
		  uint64_t v);
void pt_store(struct mmt_machine *m, uint64_t tbl, unsigned idx,
	      unsigned level, uint64_t v);
bool pt_table_empty(struct mmt_machine *m, uint64_t pfn);
int pt_alloc_table(struct mmt_machine *m, uint64_t *pfn);
void pt_free_table(struct mmt_machine *m, uint64_t pfn);
/* A table at @level of process PGD @pgd came (+1) or went (-1):
 * pgtables_bytes (VmPTE) follows; init_mm's tables are not counted. */
void pt_account_table(struct mmt_machine *m, uint64_t pgd, unsigned level,
		      int delta);
/* Does a table at @level count in pgtables_bytes? */
bool pt_level_accounted(const struct mmt_paging *p, unsigned level);
unsigned pt_free_pgd_range(struct mmt_machine *m, uint64_t pgd,
			   uint64_t addr, uint64_t end, uint64_t floor,
			   uint64_t ceiling);
void pt_flush_leaf(struct mmt_machine *m, uint64_t pgd, uint64_t va,
		   unsigned shift);
void pt_flush_freed_tables(struct mmt_machine *m, uint64_t pgd, uint64_t lo,
			   uint64_t hi);
const char *pt_nonpresent_bad(const struct mmt_machine *m, unsigned l,
			      uint64_t e);
uint64_t pt_reserved_mask(const struct mmt_machine *m, unsigned l,
			  uint64_t e);

#endif
