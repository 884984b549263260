// SPDX-License-Identifier: MIT
/*
 * Freeing page tables the kernel's way: free_pgd_range() of mm/memory.c
 * (free_p4d_range .. free_pte_range), the only place user page tables are
 * freed (munmap's unmap_region and exit go through free_pgtables()).
 * Unmapping never frees a table, and init_mm's tables are never freed
 * (vunmap_range() leaves them), so this works on process PGDs only.
 *
 * The rule: a table may be freed only if the whole range it translates
 * lies inside [floor, ceiling) (ceiling 0 = the top), with floor and the
 * start rounded down, ceiling rounded down, at the granule of the entry
 * that points to the table.  PTE tables are tested once, up front, by the
 * PMD_MASK rounding of [addr, end); every higher table after its entries
 * (free_pmd_range: PUD_MASK, free_pud_range: P4D_MASK, free_p4d_range:
 * PGDIR_MASK).  In a folded format the kernel's extra levels free nothing,
 * so model level l's table is tested with the mask of level l - 1.
 *
 *     floor                    addr        end              ceiling
 *       |   prev vma   |  ...  [ unmapped range )  ...  | next vma |
 *   a table covering any byte below floor or at/above ceiling stays.
 */
#include "pgtable_internal.h"

#include <errno.h>

struct free_ctx {
	uint64_t floor, ceiling;
	uint64_t lo, hi;	/* span of the freed tables (TLB flush) */
	unsigned freed;
};

/* Unlink and free the table below @e; remember its span. */
static void free_below(struct mmt_walk *w, const struct mmt_walk_entry *e)
{
	struct free_ctx *c = w->priv;

	mmt_walk_set_entry(w, e, 0);
	pt_free_table(w->m, e->pfn);
	pt_account_table(w->m, w->pgd, e->level + 1, -1);
	if (!c->freed++ || e->start < c->lo)
		c->lo = e->start;
	if (e->start + MMT_PAGE_SIZE > c->hi)
		c->hi = e->start + MMT_PAGE_SIZE;
}

/*
 * free_pte_range(): an entry pointing to a PTE table frees it at once;
 * the caller's rounding already kept [addr, end) inside floor/ceiling.
 * Skips the walk of the PTEs themselves (the kernel never looks at them).
 */
static int free_pte_table(const struct mmt_walk_entry *e, struct mmt_walk *w)
{
	if (e->level + 2 != w->m->layout.paging.levels)
		return 0;
	free_below(w, e);
	w->action = MMT_WALK_CONTINUE;
	return 0;
}

/*
 * The tail of free_pmd_range/free_pud_range/free_p4d_range: the table
 * below @e (entries already walked) goes if the range @e covers, rounded
 * to @e's granule, lies within [floor, ceiling).
 */
static int free_upper_table(const struct mmt_walk_entry *e,
			    struct mmt_walk *w)
{
	const struct free_ctx *c = w->priv;
	uint64_t mask = ~((1ULL << mmt_pt_level_shift(w->m, e->level)) - 1);
	uint64_t ceiling = c->ceiling;

	if ((e->start & mask) < c->floor)
		return 0;
	if (ceiling) {
		ceiling &= mask;
		if (!ceiling)
			return 0;
	}
	if (e->end - 1 > ceiling - 1)
		return 0;
	free_below(w, e);
	return 0;
}

static const struct mmt_walk_ops free_ops = {
	.entry = free_pte_table,
	.post_table = free_upper_table,
};

/*
 * The PMD_MASK rounding at the top of free_pgd_range(), in the width of
 * the kernel's unsigned long (@ul: 32 or 64 bits).  Returns false when
 * nothing can be freed; else the adjusted [*addr, *end).
 */
static bool free_round(uint64_t pmd_size, uint64_t ul, uint64_t *addr,
		       uint64_t *end, uint64_t floor, uint64_t *ceiling)
{
	uint64_t pmd_mask = ~(pmd_size - 1);

	*addr &= pmd_mask;
	if (*addr < floor) {
		*addr = (*addr + pmd_size) & ul;
		if (!*addr)
			return false;
	}
	if (*ceiling) {
		*ceiling &= pmd_mask;
		if (!*ceiling)
			return false;
	}
	if (((*end - 1) & ul) > ((*ceiling - 1) & ul))
		*end -= pmd_size;
	return *addr <= ((*end - 1) & ul);
}

/*
 * free_pgd_range() on @pgd without argument checks or TLB flush; returns
 * the number of tables freed (and their span in *lo, *hi when non-zero).
 * The caller guarantees [addr, end) lies in the user half.
 */
static unsigned free_pgd_range(struct mmt_machine *m, uint64_t pgd,
			       uint64_t addr, uint64_t end, uint64_t floor,
			       uint64_t ceiling, uint64_t *lo, uint64_t *hi)
{
	const struct mmt_paging *p = &m->layout.paging;
	uint64_t ul = m->kern->va_bits == 32 ? 0xffffffffULL : ~0ULL;
	struct free_ctx c = { .floor = floor };

	if (!free_round(1ULL << p->shift[p->levels - 2], ul, &addr, &end,
			floor, &ceiling))
		return 0;
	c.ceiling = ceiling;
	mmt_walk_page_range(m, pgd, addr, end, &free_ops, &c);
	*lo = c.lo;
	*hi = c.hi;
	return c.freed;
}

unsigned pt_free_pgd_range(struct mmt_machine *m, uint64_t pgd,
			   uint64_t addr, uint64_t end, uint64_t floor,
			   uint64_t ceiling)
{
	uint64_t lo, hi;

	return free_pgd_range(m, pgd, addr, end, floor, ceiling, &lo, &hi);
}

/* Is @pgd on pgd_list (a process PGD)? */
static bool pgd_listed(const struct mmt_kern *k, uint64_t pgd)
{
	for (unsigned i = 0; i < k->nr_pgds; i++)
		if (k->pgds[i] == pgd)
			return true;
	return false;
}

int mmt_free_pgd_range(struct mmt_machine *m, uint64_t pgd_pfn,
		       uint64_t addr, uint64_t end, uint64_t floor,
		       uint64_t ceiling)
{
	struct mmt_kern *k = m->kern;
	uint64_t lo, hi;
	unsigned n;

	if (!pgd_listed(k, pgd_pfn) || !k->kern_pgd_start || addr >= end ||
	    end > pt_user_end(m))
		return -EINVAL;
	n = free_pgd_range(m, pgd_pfn, addr, end, floor, ceiling, &lo, &hi);
	if (n)
		pt_flush_freed_tables(m, pgd_pfn, lo, hi);
	return (int)n;
}

int mmt_pt_free_empty_pte_table(struct mmt_machine *m, uint64_t pgd_pfn,
				uint64_t va)
{
	const struct mmt_paging *p = &m->layout.paging;
	unsigned pmd_level = p->levels - 2, n = mmt_pt_ptrs(m, p->levels - 1);
	uint64_t span = 1ULL << p->shift[pmd_level], tbl;
	struct pt_walk w;
	void *t;

	pt_walk(m, pgd_pfn, va, pmd_level, WALK_LOOKUP, &w);
	if (w.level != pmd_level || !pt_hw_present(w.entry) ||
	    pt_leaf(p, pmd_level, w.entry))
		return 0;
	tbl = pt_addr(m->kern, w.entry) >> MMT_PAGE_SHIFT;
	t = pt_frame(m, tbl);
	for (unsigned i = 0; i < n; i++)
		if (pt_get(p->entry_size, t, i))
			return 0;
	pt_set_entry(m, &w, 0);
	pt_free_table(m, tbl);
	pt_account_table(m, pgd_pfn, p->levels - 1, -1);
	va &= ~(span - 1);
	pt_flush_freed_tables(m, pgd_pfn, va, va + span);
	return 1;
}
