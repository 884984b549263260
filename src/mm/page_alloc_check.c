// SPDX-License-Identifier: MIT
/*
 * mmt_phys_check(): the whole-structure validator of the buddy allocator,
 * and the GFP word parser shared by scripts and tests.
 *
 * Invariants checked, per zone:
 *  - every explicit free block: head descriptor PageBuddy with ->private ==
 *    the list's order, aligned to its order, inside the zone span, on the
 *    list of its pageblock's migratetype, links consistent both ways;
 *  - boot runs: order-10 aligned, inside the zone;
 *  - no two free blocks overlap (sorted sweep);
 *  - a free block's buddy is never free at the same order (else they
 *    should have merged);
 *  - nr_free and per-type counts equal the list lengths; NR_FREE_PAGES
 *    equals the pages on the lists; allocated + free == managed;
 *  - every PageBuddy descriptor in the tables is on some list;
 *  - per-CPU lists: every block is a pcp-flagged (never PageBuddy) head
 *    with its list's order, aligned, inside the zone, links consistent,
 *    on exactly one list (it joins the overlap sweep with the buddy
 *    blocks); pages listed == pcp->count; batch >= 1, high_min <=
 *    high_max, 0 <= count; allocated + buddy free + pcp == managed;
 *    every pcp-flagged descriptor is on some pcp list.
 */
#include "mm/internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct blk {
	uint64_t pfn;
	unsigned order;
	bool pcp;	/* on a per-CPU list, not a buddy free list */
};

static int cmp_blk(const void *a, const void *b)
{
	const struct blk *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Append a block to the growable array @b; -1 when out of host memory. */
static int blk_push(struct blk **b, uint64_t *nb, uint64_t *cap,
		    struct blk v)
{
	if (*nb == *cap) {
		struct blk *nbk;

		*cap = *cap ? *cap * 2 : 1024;
		nbk = realloc(*b, *cap * sizeof(**b));
		if (!nbk)
			return -1;
		*b = nbk;
	}
	(*b)[(*nb)++] = v;
	return 0;
}

/* Walk one explicit list; append its blocks to @b.  -1 on corruption. */
static int check_list(struct mmt_machine *m, struct mmt_zone *z,
		      unsigned o, unsigned mt, struct blk **b, uint64_t *nb,
		      uint64_t *cap, uint64_t *count, char *err, size_t errlen)
{
	uint64_t pfn = z->free_area[o].head[mt], prev = MMT_PFN_NONE;
	const char *zn = mmt_zone_name(z->type);

	while (pfn != MMT_PFN_NONE) {
		struct mmt_page *pg = mmt_pfn_to_page(m, pfn, false);

		if (!pg || !(pg->flags & MMT_PG_BUDDY) || pg->private != o)
			return fail(err, errlen, "zone %s order %u: pfn %#llx on "
				    "list is not a free order-%u block", zn, o,
				    (unsigned long long)pfn, o);
		if (pfn & ((1ULL << o) - 1))
			return fail(err, errlen, "zone %s: pfn %#llx misaligned "
				    "for order %u", zn, (unsigned long long)pfn, o);
		if (pfn < z->zone_start_pfn ||
		    pfn + (1ULL << o) > mmt_zone_end_pfn(z))
			return fail(err, errlen, "zone %s: block %#llx outside "
				    "zone", zn, (unsigned long long)pfn);
		if (mmt_pfn_migratetype(m, pfn) != mt)
			return fail(err, errlen, "zone %s: block %#llx on %s list"
				    " in a %s pageblock", zn,
				    (unsigned long long)pfn,
				    mmt_migratetype_name(mt),
				    mmt_migratetype_name(
					    mmt_pfn_migratetype(m, pfn)));
		if (pg->lru_prev != prev)
			return fail(err, errlen, "zone %s: broken prev link at "
				    "%#llx", zn, (unsigned long long)pfn);
		if (blk_push(b, nb, cap, (struct blk){ pfn, o, false }))
			return fail(err, errlen, "out of host memory");
		(*count)++;
		if (*count > z->spanned)
			return fail(err, errlen, "zone %s: list cycle", zn);
		prev = pfn;
		pfn = pg->lru_next;
	}
	if (z->free_area[o].tail[mt] != prev)
		return fail(err, errlen, "zone %s order %u: bad tail", zn, o);
	return 0;
}

/* Order of pcp list @pindex (pindex_to_order). */
static unsigned pcp_list_order(const struct mmt_phys *p, unsigned pindex)
{
	return pindex >= MMT_NR_LOWORDER_PCP_LISTS ? p->pcp_thp_order :
	       pindex / MMT_MIGRATE_PCPTYPES;
}

/*
 * Walk every list of @cpu's pcp of @z; append the blocks to @b, count
 * them in *@listed and their pages in *@pages.  -1 on corruption.
 */
static int check_pcp(struct mmt_machine *m, struct mmt_zone *z, unsigned cpu,
		     struct blk **b, uint64_t *nb, uint64_t *cap,
		     uint64_t *listed, uint64_t *pages, char *err,
		     size_t errlen)
{
	const struct mmt_per_cpu_pages *pcp = &z->pcp[cpu];
	const char *zn = mmt_zone_name(z->type);
	uint64_t sum = 0;

	if (pcp->batch < 1 || pcp->high_min > pcp->high_max || pcp->count < 0)
		return fail(err, errlen, "zone %s cpu %u: bad pcp (batch %d, "
			    "high_min %d, high_max %d, count %d)", zn, cpu,
			    pcp->batch, pcp->high_min, pcp->high_max,
			    pcp->count);
	for (unsigned i = 0; i < MMT_NR_PCP_LISTS; i++) {
		unsigned o = pcp_list_order(m->phys, i);
		uint64_t pfn = pcp->head[i], prev = MMT_PFN_NONE, n = 0;

		while (pfn != MMT_PFN_NONE) {
			struct mmt_page *pg = mmt_pfn_to_page(m, pfn, false);

			if (!pg || !(pg->flags & MMT_PG_PCP) ||
			    (pg->flags & (MMT_PG_BUDDY | MMT_PG_HEAD)) ||
			    pg->private != o)
				return fail(err, errlen, "zone %s cpu %u pcp list"
					    " %u: pfn %#llx is not a pcp order-%u"
					    " block", zn, cpu, i,
					    (unsigned long long)pfn, o);
			if ((pfn & ((1ULL << o) - 1)) ||
			    pfn < z->zone_start_pfn ||
			    pfn + (1ULL << o) > mmt_zone_end_pfn(z))
				return fail(err, errlen, "zone %s cpu %u: pcp "
					    "block %#llx/%u misaligned or outside"
					    " the zone", zn, cpu,
					    (unsigned long long)pfn, o);
			if (pg->lru_prev != prev)
				return fail(err, errlen, "zone %s cpu %u: broken"
					    " pcp prev link at %#llx", zn, cpu,
					    (unsigned long long)pfn);
			if (++n > z->spanned)
				return fail(err, errlen, "zone %s cpu %u: pcp "
					    "list cycle", zn, cpu);
			if (blk_push(b, nb, cap, (struct blk){ pfn, o, true }))
				return fail(err, errlen, "out of host memory");
			sum += 1ULL << o;
			prev = pfn;
			pfn = pg->lru_next;
		}
		if (pcp->tail[i] != prev)
			return fail(err, errlen, "zone %s cpu %u pcp list %u: "
				    "bad tail", zn, cpu, i);
		*listed += n;
	}
	if (sum != (uint64_t)pcp->count)
		return fail(err, errlen, "zone %s cpu %u: pcp count %d, lists "
			    "hold %llu pages", zn, cpu, pcp->count,
			    (unsigned long long)sum);
	*pages += sum;
	return 0;
}

static int check_zone(struct mmt_machine *m, struct mmt_zone *z,
		      uint64_t *buddies, uint64_t *pcps, char *err,
		      size_t errlen)
{
	const char *zn = mmt_zone_name(z->type);
	struct blk *b = NULL;
	uint64_t nb = 0, cap = 0, pages = 0, pcp_pages = 0;
	int ret = -1;

	if (z->page_bits != (((unsigned)z->type << MMT_PAGE_ZONE_SHIFT) |
			     (z->node << MMT_PAGE_NODE_SHIFT)) ||
	    m->phys->zone_table[MMT_PAGE_ZONEID(z->page_bits)] != z)
		return fail(err, errlen, "zone %s: page_bits %#x do not name it",
			    zn, z->page_bits);
	for (unsigned o = 0; o < MMT_NR_ORDERS; o++) {
		uint64_t total = 0;

		for (unsigned mt = 0; mt < MMT_MIGRATE_TYPES; mt++) {
			uint64_t cnt = 0;

			if (check_list(m, z, o, mt, &b, &nb, &cap, &cnt, err,
				       errlen))
				goto out;
			*buddies += cnt;
			if (o == MMT_MAX_ORDER && mt == MMT_MIGRATE_MOVABLE)
				for (unsigned r = z->run_first; r < z->nr_runs;
				     r++)
					cnt += z->runs[r].nr;
			if (cnt != z->free_area[o].nr_mt[mt]) {
				fail(err, errlen, "zone %s order %u %s: %llu "
				     "blocks listed, count says %llu", zn, o,
				     mmt_migratetype_name(mt),
				     (unsigned long long)cnt,
				     (unsigned long long)
				     z->free_area[o].nr_mt[mt]);
				goto out;
			}
			total += cnt;
			pages += cnt << o;
		}
		if (total != z->free_area[o].nr_free) {
			fail(err, errlen, "zone %s order %u: nr_free %llu, lists "
			     "hold %llu", zn, o,
			     (unsigned long long)z->free_area[o].nr_free,
			     (unsigned long long)total);
			goto out;
		}
	}
	for (unsigned r = z->run_first; r < z->nr_runs; r++) {
		const struct mmt_run *run = &z->runs[r];

		if ((run->pfn & ((1ULL << MMT_MAX_ORDER) - 1)) || !run->nr ||
		    run->pfn < z->zone_start_pfn ||
		    run->pfn + (run->nr << MMT_MAX_ORDER) > mmt_zone_end_pfn(z)) {
			fail(err, errlen, "zone %s: bad boot run %#llx+%llu", zn,
			     (unsigned long long)run->pfn,
			     (unsigned long long)run->nr);
			goto out;
		}
		for (unsigned long long k = 0; k < run->nr; k++)
			if (mmt_pfn_migratetype(m, run->pfn + (k << 10)) !=
			    MMT_MIGRATE_MOVABLE) {
				fail(err, errlen, "zone %s: run block not "
				     "MOVABLE", zn);
				goto out;
			}
	}
	if (pages != z->nr_free_pages) {
		fail(err, errlen, "zone %s: NR_FREE_PAGES %llu, lists hold %llu",
		     zn, (unsigned long long)z->nr_free_pages,
		     (unsigned long long)pages);
		goto out;
	}
	if (z->pcp)
		for (unsigned c = 0; c < m->phys->nr_cpus; c++)
			if (check_pcp(m, z, c, &b, &nb, &cap, pcps, &pcp_pages,
				      err, errlen))
				goto out;
	if (z->nr_alloc_pages + z->nr_free_pages + pcp_pages != z->managed) {
		fail(err, errlen, "zone %s: allocated %llu + free %llu + pcp "
		     "%llu != managed %llu", zn,
		     (unsigned long long)z->nr_alloc_pages,
		     (unsigned long long)z->nr_free_pages,
		     (unsigned long long)pcp_pages,
		     (unsigned long long)z->managed);
		goto out;
	}
	if (nb)
		qsort(b, nb, sizeof(*b), cmp_blk);
	for (uint64_t i = 0; i + 1 < nb; i++)
		if (b[i].pfn + (1ULL << b[i].order) > b[i + 1].pfn) {
			fail(err, errlen, "zone %s: free blocks %#llx/%u and "
			     "%#llx/%u overlap", zn,
			     (unsigned long long)b[i].pfn, b[i].order,
			     (unsigned long long)b[i + 1].pfn, b[i + 1].order);
			goto out;
		}
	for (uint64_t i = 0; i < nb; i++) {
		uint64_t bud = b[i].pfn ^ (1ULL << b[i].order);
		struct mmt_page *pg;

		if (b[i].pcp || b[i].order >= MMT_MAX_ORDER ||
		    bud < z->zone_start_pfn ||
		    bud >= mmt_zone_end_pfn(z))
			continue;
		pg = mmt_pfn_to_page(m, bud, false);
		if (pg && (pg->flags & MMT_PG_BUDDY) &&
		    pg->private == b[i].order &&
		    mmt_pfn_migratetype(m, bud) < MMT_MIGRATE_HIGHATOMIC &&
		    mmt_pfn_migratetype(m, b[i].pfn) <
		    MMT_MIGRATE_HIGHATOMIC) {
			fail(err, errlen, "zone %s: buddies %#llx and %#llx both "
			     "free at order %u", zn,
			     (unsigned long long)b[i].pfn,
			     (unsigned long long)bud, b[i].order);
			goto out;
		}
	}
	ret = 0;
out:
	free(b);
	return ret;
}

int mmt_phys_check(struct mmt_machine *m, char *err, size_t errlen)
{
	struct mmt_phys *p = m->phys;
	uint64_t listed = 0, flagged = 0, pcp_listed = 0, pcp_flagged = 0;

	if (!p)
		return fail(err, errlen, "no physical memory booted");
	for (unsigned n = 0; n < p->nr_nodes; n++)
		for (unsigned t = 0; t < MMT_NR_ZONES; t++) {
			struct mmt_zone *z = &p->nodes[n].zones[t];

			if (!z->spanned)
				continue;
			if (check_zone(m, z, &listed, &pcp_listed, err, errlen))
				return -1;
		}
	for (uint64_t c = 0; c < p->nr_chunks; c++) {
		uint64_t pfn = c << MMT_PG_CHUNK_SHIFT;
		const struct mmt_page *pg = mmt_pfn_to_page(m, pfn, false);

		for (unsigned i = 0; pg && i < (1u << MMT_PG_CHUNK_SHIFT) &&
				     pfn + i < p->max_pfn; i++) {
			if (pg[i].flags & MMT_PG_BUDDY)
				flagged++;
			if (pg[i].flags & MMT_PG_PCP)
				pcp_flagged++;
		}
	}
	if (pcp_flagged != pcp_listed)
		return fail(err, errlen, "%llu pcp-flagged descriptors, %llu on "
			    "pcp lists", (unsigned long long)pcp_flagged,
			    (unsigned long long)pcp_listed);
	if (flagged != listed)
		return fail(err, errlen, "%llu PageBuddy descriptors, %llu on "
			    "free lists", (unsigned long long)flagged,
			    (unsigned long long)listed);
	return 0;
}

/* ------------------------------------------------------------- GFP words */

static const struct { const char *name; unsigned gfp; } gfp_words[] = {
	{ "GFP_KERNEL", MMT_GFP_KERNEL },
	{ "GFP_ATOMIC", MMT_GFP_ATOMIC },
	{ "GFP_USER", MMT_GFP_USER },
	{ "GFP_HIGHUSER", MMT_GFP_HIGHUSER },
	{ "GFP_HIGHUSER_MOVABLE", MMT_GFP_HIGHUSER_MOVABLE },
	{ "GFP_KERNEL_ACCOUNT", MMT_GFP_KERNEL_ACCOUNT },
	{ "GFP_DMA", MMT_GFP_DMA },
	{ "GFP_DMA32", MMT_GFP_DMA32 },
	{ "__GFP_DMA", MMT_GFP_DMA },
	{ "__GFP_DMA32", MMT_GFP_DMA32 },
	{ "__GFP_HIGHMEM", MMT_GFP_HIGHMEM },
	{ "__GFP_MOVABLE", MMT_GFP_MOVABLE },
	{ "__GFP_RECLAIMABLE", MMT_GFP_RECLAIMABLE },
	{ "__GFP_HIGH", MMT_GFP_HIGH },
	{ "__GFP_ZERO", MMT_GFP_ZERO },
	{ "__GFP_COMP", MMT_GFP_COMP },
	{ "__GFP_NOWARN", MMT_GFP_NOWARN },
	{ "__GFP_ACCOUNT", MMT_GFP_ACCOUNT },
};

int mmt_gfp_parse(const char *s, unsigned *gfp)
{
	char buf[256], *save = NULL, *w;

	if (!s || strlen(s) >= sizeof(buf) || !*s)
		return -1;
	strcpy(buf, s);
	*gfp = 0;
	for (w = strtok_r(buf, "|", &save); w; w = strtok_r(NULL, "|", &save)) {
		unsigned i;

		for (i = 0; i < sizeof(gfp_words) / sizeof(gfp_words[0]); i++)
			if (!strcmp(w, gfp_words[i].name))
				break;
		if (i == sizeof(gfp_words) / sizeof(gfp_words[0]))
			return -1;
		*gfp |= gfp_words[i].gfp;
	}
	return 0;
}
