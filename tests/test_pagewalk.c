// SPDX-License-Identifier: MIT
/*
 * The range walker: coverage and order, clipping, early stop, skipping a
 * subtree, post-order, modifying entries, bad ranges.
 */
#include "test_pgtable.h"

#include <mmtwin/pagewalk.h>

#include <errno.h>
#include <stdlib.h>

#define UPROT (MMT_PTE_PRESENT | MMT_PTE_USER | MMT_PTE_RW)

/* Everything a walk reported, in order. */
struct rec {
	char kind[64];		/* 'E'ntry 'P'ost 'L'eaf 'N'onpresent 'H'ole */
	uint64_t start[64], end[64], value[64], pfn[64];
	unsigned level[64], n;
	unsigned stop_after_leaves, leaves;	/* 0: never stop */
	bool skip_tables;
};

static void add(struct rec *r, char kind, uint64_t start, uint64_t end,
		unsigned level, uint64_t value, uint64_t pfn)
{
	if (r->n == 64)
		return;
	r->kind[r->n] = kind;
	r->start[r->n] = start;
	r->end[r->n] = end;
	r->level[r->n] = level;
	r->value[r->n] = value;
	r->pfn[r->n] = pfn;
	r->n++;
}

static int rec_entry(const struct mmt_walk_entry *e, struct mmt_walk *w)
{
	struct rec *r = w->priv;

	add(r, 'E', e->start, e->end, e->level, e->value, e->pfn);
	if (r->skip_tables)
		w->action = MMT_WALK_CONTINUE;
	return 0;
}

static int rec_post(const struct mmt_walk_entry *e, struct mmt_walk *w)
{
	add(w->priv, 'P', e->start, e->end, e->level, e->value, e->pfn);
	return 0;
}

static int rec_leaf(const struct mmt_walk_entry *e, struct mmt_walk *w)
{
	struct rec *r = w->priv;

	add(r, 'L', e->start, e->end, e->level, e->value, e->pfn);
	if (r->stop_after_leaves && ++r->leaves == r->stop_after_leaves)
		return 7;
	return 0;
}

static int rec_np(const struct mmt_walk_entry *e, struct mmt_walk *w)
{
	add(w->priv, 'N', e->start, e->end, e->level, e->value, e->pfn);
	return 0;
}

static int rec_hole(uint64_t start, uint64_t end, unsigned level,
		    struct mmt_walk *w)
{
	add(w->priv, 'H', start, end, level, 0, 0);
	return 0;
}

static const struct mmt_walk_ops rec_ops = {
	.entry = rec_entry, .post_table = rec_post, .leaf = rec_leaf,
	.nonpresent = rec_np, .pte_hole = rec_hole,
};

/* Leaves, holes and non-present entries tile [start, end) in order. */
static void check_tiling(const struct rec *r, uint64_t start, uint64_t end)
{
	uint64_t at = start;

	for (unsigned i = 0; i < r->n; i++) {
		if (r->kind[i] == 'E' || r->kind[i] == 'P')
			continue;
		CHECK_EQ(r->start[i], at);
		CHECK(r->end[i] > r->start[i] || r->end[i] == 0);
		at = r->end[i];
	}
	CHECK_EQ(at, end);
}

static unsigned count(const struct rec *r, char kind)
{
	unsigned n = 0;

	for (unsigned i = 0; i < r->n; i++)
		n += r->kind[i] == kind;
	return n;
}

/* Two user pages 4 MiB apart and a third at the end of the range. */
TEST(pagewalk_user_range_tiles_and_finds_leaves)
{
	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = test_machine(all_arches[a], "1G");
		unsigned last = m->layout.paging.levels - 1;
		uint64_t pgd, pt0, start = 0x08000000, end = 0x08c00000;
		struct rec r = { 0 };
		unsigned e = 0;

		CHECK_EQ(mmt_pgd_alloc(m, &pgd), 0);
		pt0 = mmt_pgtable_pages(m);
		CHECK_EQ(mmt_pt_map(m, pgd, 0x08001000, 0x111, UPROT, 12), 0);
		CHECK_EQ(mmt_pt_map(m, pgd, 0x08401000, 0x222, UPROT, 12), 0);
		CHECK_EQ(mmt_pt_map(m, pgd, 0x08bff000, 0x333, UPROT, 12), 0);
		CHECK_EQ(mmt_walk_page_range(m, pgd, start, end, &rec_ops, &r),
			 0);
		check_tiling(&r, start, end);
		CHECK_EQ(count(&r, 'L'), 3);
		CHECK_EQ(count(&r, 'N'), 0);
		/* every table entered is also left, and each is a new table */
		CHECK_EQ(count(&r, 'E'), count(&r, 'P'));
		CHECK_EQ(count(&r, 'E'), mmt_pgtable_pages(m) - pt0 +
			 (m->layout.paging.levels == 3));
		for (unsigned i = 0; i < r.n; i++) {
			if (r.kind[i] != 'L')
				continue;
			CHECK_EQ(r.level[i], last);
			CHECK_EQ(r.end[i] - r.start[i], 4096);
			CHECK_EQ(r.pfn[i], e == 0 ? 0x111 : e == 1 ? 0x222 : 0x333);
			CHECK_EQ(r.start[i], e == 0 ? 0x08001000 :
				 e == 1 ? 0x08401000 : 0x08bff000);
			CHECK_EQ(r.value[i], (r.pfn[i] << 12) | UPROT);
			e++;
		}
		/* post-order: a table's post follows everything below it */
		CHECK(r.n > 0 && r.kind[r.n - 1] == 'P');
		mmt_pgd_free(m, pgd);
		PT_OK(m);
		mmt_machine_free(m);
	}
}

/* A walk inside one large page: one clipped leaf with its base frame. */
TEST(pagewalk_clips_large_leaf)
{
	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = test_machine(all_arches[a], "1G");
		uint64_t va = m->layout.page_offset + 0x1000000;
		struct rec r = { 0 };

		CHECK_EQ(mmt_walk_page_range(m, mmt_init_mm_pgd(m), va + 0x3000,
					     va + 0x5000, &rec_ops, &r), 0);
		CHECK_EQ(count(&r, 'L'), 1);
		for (unsigned i = 0; i < r.n; i++)
			if (r.kind[i] == 'L') {
				CHECK_EQ(r.start[i], va + 0x3000);
				CHECK_EQ(r.end[i], va + 0x5000);
				CHECK(r.level[i] < m->layout.paging.levels - 1);
				CHECK_EQ(r.pfn[i] & 0x1ff, 0);	/* PSE base */
				CHECK(r.pfn[i] <= 0x1000 && 0x1000 < r.pfn[i] +
				      (1u << (mmt_pt_level_shift(m, r.level[i]) -
					      12)));
			}
		check_tiling(&r, va + 0x3000, va + 0x5000);
		mmt_machine_free(m);
	}
}

TEST(pagewalk_stops_early_and_skips_subtrees)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "1G");
	uint64_t pgd;
	struct rec r = { .stop_after_leaves = 2 };

	CHECK_EQ(mmt_pgd_alloc(m, &pgd), 0);
	for (uint64_t i = 0; i < 5; i++)
		CHECK_EQ(mmt_pt_map(m, pgd, 0x400000 + i * 4096, 0x500 + i,
				    UPROT, 12), 0);
	CHECK_EQ(mmt_walk_page_range(m, pgd, 0, 0x800000000000ULL, &rec_ops,
				     &r), 7);
	CHECK_EQ(count(&r, 'L'), 2);
	CHECK_EQ(count(&r, 'P'), 0);	/* stopped before any post-order */
	r = (struct rec){ .skip_tables = true };
	CHECK_EQ(mmt_walk_page_range(m, pgd, 0, 0x800000000000ULL, &rec_ops,
				     &r), 0);
	CHECK_EQ(count(&r, 'E'), 1);	/* the PGD entry, not descended */
	CHECK_EQ(count(&r, 'L') + count(&r, 'P'), 0);
	mmt_pgd_free(m, pgd);
	mmt_machine_free(m);
}

/* x86_64 whole space: no hole crosses the non-canonical boundary. */
TEST(pagewalk_canonical_boundary_splits_holes)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "1G");
	struct rec r = { 0 };
	bool user_end = false, kern_start = false;

	CHECK_EQ(mmt_walk_page_range(m, mmt_init_mm_pgd(m), 0, 0, &rec_ops,
				     &r), 0);
	for (unsigned i = 0; i < r.n; i++) {
		if (r.kind[i] != 'H' || r.level[i] != 0)
			continue;
		user_end |= r.start[i] == 0 && r.end[i] == 0x800000000000ULL;
		kern_start |= r.start[i] == 0xffff800000000000ULL;
	}
	CHECK(user_end);
	CHECK(kern_start);
	mmt_machine_free(m);
}

static int clear_leaf(const struct mmt_walk_entry *e, struct mmt_walk *w)
{
	(*(unsigned *)w->priv)++;
	mmt_walk_set_entry(w, e, 0);
	return 0;
}

/* A callback modifies entries through the walk: leaves cleared. */
TEST(pagewalk_set_entry_from_callback)
{
	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = test_machine(all_arches[a], "1G");
		const struct mmt_walk_ops ops = { .leaf = clear_leaf };
		struct mmt_pt_leaf leaf;
		unsigned n = 0;
		uint64_t pgd;

		CHECK_EQ(mmt_pgd_alloc(m, &pgd), 0);
		CHECK_EQ(mmt_pt_map(m, pgd, 0x10000000, 7, UPROT, 12), 0);
		CHECK_EQ(mmt_pt_map(m, pgd, 0x10002000, 8, UPROT, 12), 0);
		CHECK_EQ(mmt_walk_page_range(m, pgd, 0x10000000, 0x10003000,
					     &ops, &n), 0);
		CHECK_EQ(n, 2);
		CHECK_EQ(mmt_pt_lookup(m, pgd, 0x10000000, &leaf), -ENOENT);
		CHECK_EQ(mmt_pt_lookup(m, pgd, 0x10002000, &leaf), -ENOENT);
		PT_OK(m);
		mmt_pgd_free(m, pgd);
		mmt_machine_free(m);
	}
}

TEST(pagewalk_rejects_bad_ranges)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "1G");
	struct mmt_machine *m32 = test_machine(MMT_ARCH_X86_32, "1G");
	struct rec r = { 0 };
	uint64_t pgd = mmt_init_mm_pgd(m);

	CHECK_EQ(mmt_walk_page_range(m, pgd, 0x2000, 0x2000, &rec_ops, &r),
		 -EINVAL);
	CHECK_EQ(mmt_walk_page_range(m, pgd, 0x3000, 0x2000, &rec_ops, &r),
		 -EINVAL);
	CHECK_EQ(mmt_walk_page_range(m, pgd, 0x0000900000000000ULL, 0,
				     &rec_ops, &r), -EINVAL);
	CHECK_EQ(r.n, 0);
	/* x86_32: the top is 4 GiB, or 0 */
	CHECK_EQ(mmt_walk_page_range(m32, mmt_init_mm_pgd(m32), 0xfff00000,
				     0x100000000ULL, &rec_ops, &r), 0);
	check_tiling(&r, 0xfff00000, 0x100000000ULL);
	CHECK_EQ(mmt_walk_page_range(m32, mmt_init_mm_pgd(m32), 0x100000000ULL,
				     0, &rec_ops, &r), -EINVAL);
	mmt_machine_free(m);
	mmt_machine_free(m32);
}
