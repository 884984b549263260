/* SPDX-License-Identifier: MIT */
/*
 * mmtwin/pagewalk.h - the range walker over page tables stored in modelled
 * frames, in the spirit of the kernel's mm/pagewalk.c walk_page_range().
 *
 * mmt_walk_page_range(m, pgd, start, end, ops, priv) visits the entries
 * covering [start, end) of the tables rooted at @pgd, top-down and in
 * address order.  Each entry met at level l (0 = the top-level table) goes
 * to exactly one callback:
 *
 *   entry value                     callback
 *   ------------------------------  --------------------------------------
 *   0                               pte_hole(start, end, l)    merged runs
 *   P set, points to a table        entry(), descend, post_table()
 *   P set, a leaf (PTE or PSE)      leaf()
 *   P clear, not 0                  nonpresent()  swap, PROT_NONE, garbage
 *
 * Only present tables are descended into.  Any callback returning non-zero
 * stops the walk, and mmt_walk_page_range returns that value.  entry() can
 * set w->action = MMT_WALK_CONTINUE to skip the table below it (no
 * post_table() then); the walker re-reads an entry after entry(), so a
 * callback that cleared or replaced it is not descended through.
 *
 * Addresses handed to callbacks are canonical; e->start/e->end is the part
 * of [start, end) the entry covers (clipped, like the kernel's addr/next),
 * end exclusive, 0 meaning the top of the address space.  On x86_64 a walk
 * over the non-canonical hole simply continues at the kernel half (the
 * top-level index space is contiguous); holes are never merged across it.
 *
 *   machine ── pgd pfn ── [table level 0] ── entry ── [table level 1] ...
 *                              ^ e->table_pfn, e->index   ^ e->pfn
 */
#ifndef MMTWIN_PAGEWALK_H
#define MMTWIN_PAGEWALK_H

#include <stdbool.h>
#include <stdint.h>

struct mmt_machine;
struct mmt_walk;

/* One entry as a callback sees it. */
struct mmt_walk_entry {
	uint64_t start, end;	/* covered part of the walk range; end 0 = top */
	uint64_t value;		/* raw entry (4-byte formats zero-extended) */
	uint64_t table_pfn;	/* table holding the entry */
	uint64_t pfn;		/* table link: the child table; leaf: its first
				 * frame (PSE base); otherwise 0 */
	unsigned level;		/* 0 = top level */
	unsigned index;		/* index of the entry in its table */
};

/* Callbacks; any may be NULL.  Non-zero return stops the walk. */
struct mmt_walk_ops {
	/* a present entry pointing to a table, before its entries */
	int (*entry)(const struct mmt_walk_entry *e, struct mmt_walk *w);
	/* after the table below @e was walked; @e re-read (teardown frees) */
	int (*post_table)(const struct mmt_walk_entry *e, struct mmt_walk *w);
	/* a present leaf: a 4 KiB PTE or a large page */
	int (*leaf)(const struct mmt_walk_entry *e, struct mmt_walk *w);
	/* P clear but not zero: a swap entry, PROT_NONE, or corruption */
	int (*nonpresent)(const struct mmt_walk_entry *e, struct mmt_walk *w);
	/* [start, end) has zero entries at @level (runs merged per table) */
	int (*pte_hole)(uint64_t start, uint64_t end, unsigned level,
			struct mmt_walk *w);
};

enum mmt_walk_action {
	MMT_WALK_SUBTREE = 0,	/* default: descend into the table */
	MMT_WALK_CONTINUE = 1,	/* entry() asks to skip the table below */
};

/* The walk context handed to every callback. */
struct mmt_walk {
	struct mmt_machine *m;
	uint64_t pgd;			/* root table pfn */
	const struct mmt_walk_ops *ops;
	void *priv;			/* the caller's */
	enum mmt_walk_action action;	/* reset to SUBTREE before entry() */
};

/*
 * Walk [start, end) of the tables rooted at @pgd_pfn (end 0 = the top of
 * the address space).  Returns 0, the first non-zero callback value, or
 * -EINVAL when the range is empty or not made of valid addresses.  The
 * caller guarantees @pgd_pfn is a live top-level table; callbacks may
 * change the entry they were handed (mmt_walk_set_entry) and free the
 * table it pointed to, but nothing else in the tree being walked.
 */
int mmt_walk_page_range(struct mmt_machine *m, uint64_t pgd_pfn,
			uint64_t start, uint64_t end,
			const struct mmt_walk_ops *ops, void *priv);

/*
 * Store @v in the slot of @e.  A kernel-half top-level entry of init_mm is
 * copied into every process PGD (sync_global_pgds), as any other store of
 * the page-table code.  No TLB flush: the caller flushes (and batches).
 */
void mmt_walk_set_entry(struct mmt_walk *w, const struct mmt_walk_entry *e,
			uint64_t v);

#endif
