// SPDX-License-Identifier: MIT
/*
 * The range walker (include/mmtwin/pagewalk.h): walk_page_range() of the
 * kernel's mm/pagewalk.c, one function for every level and format.
 *
 * Inside, addresses are linear: the top-level index space [0, 2^va_bits)
 * with the x86_64 sign extension stripped, so a range is two integers
 * and the non-canonical hole does not exist; callbacks get canonical
 * addresses back (pt_canon).  Everything the kernel splits into
 * walk_pgd_range .. walk_pte_range is walk_table() at level l.
 */
#include "pgtable_internal.h"

#include <errno.h>

/* The walk plus what only the walker needs. */
struct walk_state {
	struct mmt_walk w;
	uint64_t hole_start, hole_end;	/* pending merged hole (linear) */
	unsigned hole_level;
	bool hole;
};

/* Canonical exclusive end of a linear range ending at @lin_end (> 0). */
static uint64_t canon_end(const struct mmt_machine *m, uint64_t lin_end)
{
	return pt_canon(m, lin_end - 1) + 1;
}

/* Report the pending hole, if any; 0 or the callback's value. */
static int flush_hole(struct walk_state *s)
{
	struct mmt_machine *m = s->w.m;

	if (!s->hole)
		return 0;
	s->hole = false;
	if (!s->w.ops->pte_hole)
		return 0;
	return s->w.ops->pte_hole(pt_canon(m, s->hole_start),
				  canon_end(m, s->hole_end), s->hole_level,
				  &s->w);
}

/*
 * A zero entry covering linear [a, next) at @l: extend the pending hole
 * or start a new one.  Runs never cross levels, tables (the caller
 * flushes at the end of each table) or the x86_64 canonical boundary.
 */
static int note_hole(struct walk_state *s, unsigned l, uint64_t a,
		     uint64_t next)
{
	const struct mmt_kern *k = s->w.m->kern;
	bool gap = k->va_bits != 32 && a == 1ULL << (k->va_bits - 1);
	int r;

	if (s->hole && s->hole_level == l && s->hole_end == a && !gap) {
		s->hole_end = next;
		return 0;
	}
	r = flush_hole(s);
	s->hole = true;
	s->hole_level = l;
	s->hole_start = a;
	s->hole_end = next;
	return r;
}

/* The callback view of entry @idx of @tbl covering linear [a, next). */
static void fill_entry(struct walk_state *s, struct mmt_walk_entry *e,
		       unsigned l, uint64_t tbl, unsigned idx, uint64_t v,
		       uint64_t a, uint64_t next)
{
	struct mmt_machine *m = s->w.m;
	const struct mmt_paging *p = &m->layout.paging;
	uint64_t base = pt_addr(m->kern, v);

	e->start = pt_canon(m, a);
	e->end = canon_end(m, next);
	e->value = v;
	e->table_pfn = tbl;
	e->index = idx;
	e->level = l;
	e->pfn = 0;
	if (pt_hw_present(v))
		e->pfn = (pt_leaf(p, l, v) ? base & ~((1ULL << p->shift[l]) - 1)
					   : base) >> MMT_PAGE_SHIFT;
}

static int walk_table(struct walk_state *s, unsigned l, uint64_t tbl,
		      uint64_t lo, uint64_t hi);

/*
 * A present entry pointing to a table: entry(), the table below unless
 * skipped or no longer linked, then post_table() with the entry re-read.
 */
static int walk_link(struct walk_state *s, struct mmt_walk_entry *e,
		     uint64_t a, uint64_t next)
{
	struct mmt_machine *m = s->w.m;
	const struct mmt_walk_ops *ops = s->w.ops;
	const struct mmt_paging *p = &m->layout.paging;
	unsigned l = e->level;
	uint64_t v;
	int r;

	s->w.action = MMT_WALK_SUBTREE;
	if (ops->entry && (r = ops->entry(e, &s->w)))
		return r;
	if (s->w.action == MMT_WALK_CONTINUE)
		return 0;
	v = mmt_pt_entry_read(m, e->table_pfn, e->index);
	if (!pt_hw_present(v) || pt_leaf(p, l, v))
		return 0;
	fill_entry(s, e, l, e->table_pfn, e->index, v, a, next);
	r = walk_table(s, l + 1, e->pfn, a, next);
	if (r || !ops->post_table)
		return r;
	fill_entry(s, e, l, e->table_pfn, e->index,
		   mmt_pt_entry_read(m, e->table_pfn, e->index), a, next);
	return ops->post_table(e, &s->w);
}

/*
 * Walk the entries of table @tbl (level @l) covering linear [lo, hi).
 * The caller guarantees lo < hi and that the range lies inside the part
 * of the address space @tbl translates.
 */
static int walk_table(struct walk_state *s, unsigned l, uint64_t tbl,
		      uint64_t lo, uint64_t hi)
{
	struct mmt_machine *m = s->w.m;
	const struct mmt_paging *p = &m->layout.paging;
	const struct mmt_walk_ops *ops = s->w.ops;
	uint64_t span = 1ULL << p->shift[l], a, next, v;
	/* this table outlives its own walk (callbacks free only tables
	 * below it, after walking them), so its frame is looked up once */
	const void *t = pt_frame(m, tbl);
	struct mmt_walk_entry e;
	unsigned idx;
	int r = 0;

	for (a = lo; a < hi && !r; a = next) {
		next = (a & ~(span - 1)) + span;
		if (next > hi)
			next = hi;
		idx = pt_index(p, l, a);
		v = pt_get(p->entry_size, t, idx);
		if (!v) {
			if (ops->pte_hole)
				r = note_hole(s, l, a, next);
			continue;
		}
		r = flush_hole(s);
		if (r)
			break;
		/* entries no callback asks for cost one test each (teardown
		 * wants only table links) */
		if (!pt_hw_present(v)) {
			if (ops->nonpresent) {
				fill_entry(s, &e, l, tbl, idx, v, a, next);
				r = ops->nonpresent(&e, &s->w);
			}
		} else if (pt_leaf(p, l, v)) {
			if (ops->leaf) {
				fill_entry(s, &e, l, tbl, idx, v, a, next);
				r = ops->leaf(&e, &s->w);
			}
		} else {
			fill_entry(s, &e, l, tbl, idx, v, a, next);
			r = walk_link(s, &e, a, next);
		}
	}
	return r ? r : flush_hole(s);
}

/* Linear [*lo, *hi) of a canonical [start, end); false if empty/invalid. */
static bool walk_range(const struct mmt_machine *m, uint64_t start,
		       uint64_t end, uint64_t *lo, uint64_t *hi)
{
	const struct mmt_kern *k = m->kern;
	uint64_t mask = k->va_lim - 1;

	if (!pt_va_valid(m, start))
		return false;
	if (end == 0 || (k->va_bits == 32 && end == k->va_lim))
		*hi = k->va_lim;
	else if (pt_va_valid(m, end - 1) && end - 1 >= start)
		*hi = ((end - 1) & mask) + 1;
	else
		return false;
	*lo = start & mask;
	return *lo < *hi;
}

int mmt_walk_page_range(struct mmt_machine *m, uint64_t pgd_pfn,
			uint64_t start, uint64_t end,
			const struct mmt_walk_ops *ops, void *priv)
{
	struct walk_state s = {
		.w = { .m = m, .pgd = pgd_pfn, .ops = ops, .priv = priv },
	};
	uint64_t lo, hi;

	if (!walk_range(m, start, end, &lo, &hi))
		return -EINVAL;
	return walk_table(&s, 0, pgd_pfn, lo, hi);
}

void mmt_walk_set_entry(struct mmt_walk *w, const struct mmt_walk_entry *e,
			uint64_t v)
{
	pt_store(w->m, e->table_pfn, e->index, e->level, v);
}
