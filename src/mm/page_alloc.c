// SPDX-License-Identifier: MIT
/*
 * The buddy allocator (mm/page_alloc.c): free lists per zone, order and
 * migratetype; expand() on allocation, __free_one_page() coalescing on
 * free; gfp -> zonelist, watermark checks with lowmem_reserve, migratetype
 * fallback.  See include/mmtwin/phys.h for the data layout.
 *
 * Per-CPU page lists (pcp) sit in front of the buddy for orders 0..3 and
 * the THP order, as in 6.18: free_frozen_page_commit / nr_pcp_high /
 * nr_pcp_free / free_pcppages_bulk on free, rmqueue_pcplist /
 * nr_pcp_alloc / rmqueue_bulk on allocation, decay_pcp_high for the
 * vmstat worker, drain_pages_zone for drains.  Sizing is in
 * page_alloc_pcp.c.
 *
 * Simplifications (documented in docs/physical-memory.md):
 *  - single-threaded: the pcp and zone locks never contend, so the
 *    trylock-failure fallbacks (straight to the buddy) never happen;
 *    no ZONE_RECLAIM_ACTIVE (no kswapd), no remote-node pageset expiry;
 *  - no reclaim/compaction: the slow path is "retry at the min watermark";
 *  - no MIGRATE_HIGHATOMIC reserves are created (lists exist, stay empty);
 *  - claiming a pageblock on fallback counts free pages only (the kernel
 *    also counts allocated pages of a compatible type).
 */
#include "mm/internal.h"
#include "base/bug.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_PAGES (1ULL << MMT_PG_CHUNK_SHIFT)
/* the order-0 paths are one function each after inlining; cold paths
 * (refill, flush, tracing, fallbacks) stay out of line */
#define HOT static inline __attribute__((always_inline))
#define COLD static __attribute__((noinline, cold))

/* Callers hold a booted machine: m->phys is never NULL here. */
#define TRACE(m, ...) do { if (__builtin_expect((m)->phys->trace != NULL, 0)) \
	fprintf((m)->phys->trace, "trace: " __VA_ARGS__); } while (0)

/* ---------------------------------------------------- sparse tables */

static inline bool chunk_present(const struct mmt_phys *p, uint64_t c)
{
	return p->pg_present[c / 64] >> (c % 64) & 1;
}

/*
 * Descriptor of @pfn.  With @create, materialises its chunk: the memory
 * is already there (zero-filled by the host on first write); the bit and
 * the host-memory estimate record it.  NULL beyond max_pfn, or when the
 * chunk is absent and !@create.
 */
struct mmt_page *mmt_pfn_to_page(struct mmt_machine *m, uint64_t pfn,
				 bool create)
{
	struct mmt_phys *p = m->phys;
	uint64_t c = pfn >> MMT_PG_CHUNK_SHIFT;

	if (!p || pfn >= p->max_pfn)
		return NULL;
	if (!chunk_present(p, c)) {
		if (!create)
			return NULL;
		p->pg_present[c / 64] |= 1ULL << (c % 64);
		p->nr_pg_chunks++;
		p->host_bytes += CHUNK_PAGES * sizeof(struct mmt_page);
	}
	return &p->pages[pfn];
}

/* Materialise the chunks under [pfn, pfn + 2^order) before first use. */
static void materialise_block(struct mmt_machine *m, uint64_t pfn,
			      unsigned order)
{
	uint64_t end = pfn + (1ULL << order);

	for (; pfn < end; pfn = (pfn | (CHUNK_PAGES - 1)) + 1)
		if (!chunk_present(m->phys, pfn >> MMT_PG_CHUNK_SHIFT))
			mmt_pfn_to_page(m, pfn, true);
}

/* Descriptor of a pfn inside the zones, materialised or not (zeros). */
static inline struct mmt_page *page_lookup(const struct mmt_phys *p,
					   uint64_t pfn)
{
	return &p->pages[pfn];
}

/*
 * Descriptor of a block the allocator is working on: its chunk was
 * materialised when the block entered the free lists (or left the boot
 * runs).  Debug builds check that.
 */
static inline struct mmt_page *page_must(struct mmt_machine *m, uint64_t pfn)
{
#ifndef NDEBUG
	if (pfn >= m->phys->max_pfn ||
	    !chunk_present(m->phys, pfn >> MMT_PG_CHUNK_SHIFT))
		MMT_BUG("pfn %#llx has no descriptor",
			     (unsigned long long)pfn);
#endif
	return &m->phys->pages[pfn];
}

void *mmt_frame_data(struct mmt_machine *m, uint64_t pfn, bool create)
{
	struct mmt_phys *p = m->phys;
	uint64_t c = pfn >> MMT_PG_CHUNK_SHIFT, i = pfn & (CHUNK_PAGES - 1);

	if (!p || pfn >= p->max_pfn)
		return NULL;
	if (!p->fr_chunk[c]) {
		if (!create)
			return NULL;
		p->fr_chunk[c] = calloc(CHUNK_PAGES, sizeof(void *));
		if (!p->fr_chunk[c])
			return NULL;
		p->nr_fr_chunks++;
		p->host_bytes += CHUNK_PAGES * sizeof(void *);
	}
	if (!p->fr_chunk[c][i] && create) {
		p->fr_chunk[c][i] = calloc(1, MMT_PAGE_SIZE);
		if (!p->fr_chunk[c][i])
			return NULL;
		p->nr_frames++;
		p->host_bytes += MMT_PAGE_SIZE;
	}
	return p->fr_chunk[c][i];
}

void mmt_frame_drop(struct mmt_machine *m, uint64_t pfn)
{
	struct mmt_phys *p = m->phys;
	uint64_t c = pfn >> MMT_PG_CHUNK_SHIFT, i = pfn & (CHUNK_PAGES - 1);

	if (!p || pfn >= p->max_pfn || !p->fr_chunk[c] || !p->fr_chunk[c][i])
		return;
	mmt_free_poisoned(p->fr_chunk[c][i], MMT_PAGE_SIZE);
	p->fr_chunk[c][i] = NULL;
	p->nr_frames--;
	p->host_bytes -= MMT_PAGE_SIZE;
}

/* Drop the contents of [pfn, end), skipping chunks never written. */
COLD void frames_drop_slow(struct mmt_machine *m, uint64_t pfn, uint64_t end)
{
	struct mmt_phys *p = m->phys;

	while (pfn < end) {
		uint64_t c = pfn >> MMT_PG_CHUNK_SHIFT;
		uint64_t next = (c + 1) << MMT_PG_CHUNK_SHIFT;

		if (p->fr_chunk[c])
			for (; pfn < end && pfn < next; pfn++)
				mmt_frame_drop(m, pfn);
		pfn = next;
	}
}

/* The common case inline: one chunk, never written. */
HOT void frames_drop_range(struct mmt_machine *m, uint64_t pfn, uint64_t n)
{
	struct mmt_phys *p = m->phys;
	uint64_t end = pfn + n;

	if (p->nr_frames && (p->fr_chunk[pfn >> MMT_PG_CHUNK_SHIFT] ||
			     ((pfn ^ (end - 1)) >> MMT_PG_CHUNK_SHIFT)))
		frames_drop_slow(m, pfn, end);
}

/* ------------------------------------------------------- zone helpers */

bool mmt_zone_populated(const struct mmt_zone *z)
{
	return z->managed != 0;
}

bool mmt_zone_is_highmem(const struct mmt_zone *z)
{
	return z->type == MMT_ZONE_HIGHMEM;
}

/*
 * A node's zones are the layout's zone ranges clipped to the node
 * (setup_zones), so the zone type comes from the layout and the node
 * from its span.
 */
struct mmt_zone *mmt_page_zone(struct mmt_machine *m, uint64_t pfn)
{
	struct mmt_phys *p = m->phys;
	int t = mmt_layout_pfn_zone(&m->layout, pfn);

	if (t < 0)
		return NULL;
	for (unsigned n = 0; n < p->nr_nodes; n++) {
		struct mmt_node *nd = &p->nodes[n];

		if (pfn >= nd->start_pfn && pfn < nd->end_pfn &&
		    nd->zones[t].spanned)
			return &nd->zones[t];
	}
	return NULL;
}

static uint8_t *pageblock_slot(struct mmt_machine *m, struct mmt_zone *z,
			       uint64_t pfn)
{
	unsigned pbo = m->phys->pageblock_order;

	return &z->pageblock_mt[(pfn >> pbo) - (z->zone_start_pfn >> pbo)];
}

static enum mmt_migratetype pb_mt(struct mmt_machine *m, struct mmt_zone *z,
				  uint64_t pfn)
{
	return (enum mmt_migratetype)*pageblock_slot(m, z, pfn);
}

enum mmt_migratetype mmt_pfn_migratetype(struct mmt_machine *m, uint64_t pfn)
{
	struct mmt_zone *z = mmt_page_zone(m, pfn);

	return z ? pb_mt(m, z, pfn) : MMT_MIGRATE_MOVABLE;
}

/* Set the type of every pageblock overlapping [pfn, pfn + 2^order). */
static void set_pageblock_range(struct mmt_machine *m, struct mmt_zone *z,
				uint64_t pfn, unsigned order,
				enum mmt_migratetype mt)
{
	unsigned pbo = m->phys->pageblock_order;
	uint64_t end = pfn + (1ULL << order);

	for (uint64_t b = pfn >> pbo << pbo; b < end; b += 1ULL << pbo)
		*pageblock_slot(m, z, b) = (uint8_t)mt;
}

uint64_t mmt_zone_nr_free_mt(const struct mmt_zone *z, unsigned order,
			     enum mmt_migratetype mt)
{
	return z->free_area[order].nr_mt[mt];
}

/* page->flags bits naming @z (set_page_zone/set_page_node). */
static inline uint32_t zone_page_bits(const struct mmt_zone *z)
{
	return z->page_bits;
}

/* -------------------------------------------------------- free lists */

/*
 * The doubly linked pfn lists behind free_area[] and the pcp lists: links
 * live in the member's descriptor (lru_next/lru_prev), the list is a
 * head/tail pair of pfns.  list_add() / list_add_tail() / list_del().
 */
static inline void pfn_list_add(struct mmt_machine *m, uint64_t *head,
				uint64_t *tail, uint64_t pfn,
				struct mmt_page *pg, bool at_tail)
{
	if (at_tail) {
		pg->lru_next = MMT_PFN_NONE;
		pg->lru_prev = *tail;
		if (*tail == MMT_PFN_NONE)
			*head = pfn;
		else
			page_must(m, *tail)->lru_next = pfn;
		*tail = pfn;
	} else {
		pg->lru_prev = MMT_PFN_NONE;
		pg->lru_next = *head;
		if (*head == MMT_PFN_NONE)
			*tail = pfn;
		else
			page_must(m, *head)->lru_prev = pfn;
		*head = pfn;
	}
}

static inline void pfn_list_del(struct mmt_machine *m, uint64_t *head,
				uint64_t *tail, struct mmt_page *pg)
{
	if (pg->lru_prev == MMT_PFN_NONE)
		*head = pg->lru_next;
	else
		page_must(m, pg->lru_prev)->lru_next = pg->lru_next;
	if (pg->lru_next == MMT_PFN_NONE)
		*tail = pg->lru_prev;
	else
		page_must(m, pg->lru_next)->lru_prev = pg->lru_prev;
	pg->lru_next = pg->lru_prev = MMT_PFN_NONE;
}

/*
 * Put the free block [pfn, pfn + 2^order) on @z's list for @mt, at the
 * head (allocated first) or the tail.  Marks the head PageBuddy.
 */
HOT void add_to_free_list(struct mmt_machine *m, struct mmt_zone *z,
			  uint64_t pfn, unsigned order,
			  enum mmt_migratetype mt, bool tail)
{
	struct mmt_free_area *fa = &z->free_area[order];
	struct mmt_page *pg = page_must(m, pfn);

	pg->flags = MMT_PG_BUDDY | zone_page_bits(z);
	pg->refcount = 0;
	pg->mapcount = 0;
	pg->private = order;
	pfn_list_add(m, &fa->head[mt], &fa->tail[mt], pfn, pg, tail);
	fa->nr_mt[mt]++;
	fa->nr_free++;
	z->nr_free_pages += 1ULL << order;
}

/* Unlink an explicit free block; the caller decides what it becomes. */
HOT void del_from_free_list(struct mmt_machine *m, struct mmt_zone *z,
			    uint64_t pfn, unsigned order,
			    enum mmt_migratetype mt)
{
	struct mmt_free_area *fa = &z->free_area[order];
	struct mmt_page *pg = page_must(m, pfn);

	if (__builtin_expect(!(pg->flags & MMT_PG_BUDDY) ||
			     pg->private != order, 0))
		MMT_BUG("pfn %#llx is not a free order-%u block",
			     (unsigned long long)pfn, order);
	pfn_list_del(m, &fa->head[mt], &fa->tail[mt], pg);
	pg->flags &= ~MMT_PG_BUDDY;
	fa->nr_mt[mt]--;
	fa->nr_free--;
	z->nr_free_pages -= 1ULL << order;
}

/* Boot runs are part of the order-10 MOVABLE list (its tail). */
static bool have_runs(const struct mmt_zone *z)
{
	return z->run_first < z->nr_runs;
}

/*
 * Take the first order-10 block of the boot runs off the list; its
 * descriptors come into being here, as the block becomes explicit.
 */
COLD uint64_t take_from_runs(struct mmt_machine *m, struct mmt_zone *z)
{
	struct mmt_run *r = &z->runs[z->run_first];
	uint64_t pfn = r->pfn;

	materialise_block(m, pfn, MMT_MAX_ORDER);

	r->pfn += 1ULL << MMT_MAX_ORDER;
	if (--r->nr == 0)
		z->run_first++;
	z->free_area[MMT_MAX_ORDER].nr_mt[MMT_MIGRATE_MOVABLE]--;
	z->free_area[MMT_MAX_ORDER].nr_free--;
	z->nr_free_pages -= 1ULL << MMT_MAX_ORDER;
	return pfn;
}

/* Append the boot range of order-10 blocks [pfn, pfn + nr*1024). */
static int runs_append(struct mmt_machine *m, struct mmt_zone *z,
		       uint64_t pfn, uint64_t nr)
{
	struct mmt_run *r;

	if (z->nr_runs && z->runs[z->nr_runs - 1].pfn +
	    (z->runs[z->nr_runs - 1].nr << MMT_MAX_ORDER) == pfn) {
		z->runs[z->nr_runs - 1].nr += nr;
	} else {
		r = realloc(z->runs, (z->nr_runs + 1) * sizeof(*r));
		if (!r)
			return -ENOMEM;
		z->runs = r;
		z->runs[z->nr_runs++] = (struct mmt_run){ pfn, nr };
		m->phys->host_bytes += sizeof(*r);
	}
	z->free_area[MMT_MAX_ORDER].nr_mt[MMT_MIGRATE_MOVABLE] += nr;
	z->free_area[MMT_MAX_ORDER].nr_free += nr;
	z->nr_free_pages += nr << MMT_MAX_ORDER;
	return 0;
}

/* First block of (order, mt), or MMT_PFN_NONE; removes it from the list. */
HOT uint64_t take_first(struct mmt_machine *m, struct mmt_zone *z,
			unsigned order, enum mmt_migratetype mt)
{
	uint64_t pfn = z->free_area[order].head[mt];

	if (pfn != MMT_PFN_NONE) {
		del_from_free_list(m, z, pfn, order, mt);
		return pfn;
	}
	if (order == MMT_MAX_ORDER && mt == MMT_MIGRATE_MOVABLE &&
	    have_runs(z))
		return take_from_runs(m, z);
	return MMT_PFN_NONE;
}

static bool list_empty_mt(const struct mmt_zone *z, unsigned order,
			  enum mmt_migratetype mt)
{
	return z->free_area[order].nr_mt[mt] == 0;
}

/* ------------------------------------------------ allocation: rmqueue */

/*
 * expand(): the block [pfn, pfn + 2^high) was taken off the lists; keep
 * its lowest 2^low pages for the caller and return the upper halves to
 * the free lists of the pageblock's type, largest first.
 */
HOT void expand(struct mmt_machine *m, struct mmt_zone *z, uint64_t pfn,
		unsigned low, unsigned high)
{
	while (high > low) {
		uint64_t half;

		high--;
		half = pfn + (1ULL << high);
		add_to_free_list(m, z, half, high, pb_mt(m, z, half), false);
	}
}

/* __rmqueue_smallest(): first block of @mt at the lowest order >= @order. */
HOT uint64_t rmqueue_smallest(struct mmt_machine *m, struct mmt_zone *z,
			      unsigned order, enum mmt_migratetype mt)
{
	for (unsigned o = order; o <= MMT_MAX_ORDER; o++) {
		uint64_t pfn = take_first(m, z, o, mt);

		if (pfn == MMT_PFN_NONE)
			continue;
		expand(m, z, pfn, order, o);
		return pfn;
	}
	return MMT_PFN_NONE;
}

/* fallbacks[]: which lists a type may borrow from, in preference order. */
static const enum mmt_migratetype fallbacks[3][2] = {
	[MMT_MIGRATE_UNMOVABLE] = { MMT_MIGRATE_RECLAIMABLE, MMT_MIGRATE_MOVABLE },
	[MMT_MIGRATE_MOVABLE] = { MMT_MIGRATE_RECLAIMABLE, MMT_MIGRATE_UNMOVABLE },
	[MMT_MIGRATE_RECLAIMABLE] = { MMT_MIGRATE_UNMOVABLE, MMT_MIGRATE_MOVABLE },
};

/* find_suitable_fallback(): first fallback type with a block at @order. */
static int find_fallback(const struct mmt_zone *z, unsigned order,
			 enum mmt_migratetype mt)
{
	for (unsigned i = 0; i < 2; i++)
		if (!list_empty_mt(z, order, fallbacks[mt][i]))
			return fallbacks[mt][i];
	return -1;
}

/*
 * Move every free block inside the pageblock [start, end) to the lists
 * of @mt (move_freepages_block) and retype the pageblock.  Free blocks
 * inside one pageblock are all on its type's lists (free-list hygiene).
 */
static void move_freepages_block(struct mmt_machine *m, struct mmt_zone *z,
				 uint64_t start, uint64_t end,
				 enum mmt_migratetype mt)
{
	enum mmt_migratetype from = pb_mt(m, z, start);
	uint64_t pfn = start;

	while (pfn < end) {
		struct mmt_page *pg = mmt_pfn_to_page(m, pfn, false);
		unsigned o;

		if (!pg || !(pg->flags & MMT_PG_BUDDY)) {
			pfn++;
			continue;
		}
		o = pg->private;
		del_from_free_list(m, z, pfn, o, from);
		add_to_free_list(m, z, pfn, o, mt, false);
		pfn += 1ULL << o;
	}
	*pageblock_slot(m, z, start) = (uint8_t)mt;
}

/* Free pages inside [start, end) (counted from free-block heads). */
static uint64_t count_free(struct mmt_machine *m, uint64_t start, uint64_t end)
{
	uint64_t pfn = start, n = 0;

	while (pfn < end) {
		struct mmt_page *pg = mmt_pfn_to_page(m, pfn, false);

		if (pg && (pg->flags & MMT_PG_BUDDY)) {
			n += 1ULL << pg->private;
			pfn += 1ULL << pg->private;
		} else {
			pfn++;
		}
	}
	return n;
}

/* should_try_claim_block(): may a @mt request claim a fallback block? */
static bool should_try_claim(struct mmt_machine *m, unsigned order,
			     enum mmt_migratetype mt)
{
	unsigned pbo = m->phys->pageblock_order;

	return order >= pbo / 2 || mt == MMT_MIGRATE_RECLAIMABLE ||
	       mt == MMT_MIGRATE_UNMOVABLE;
}

/*
 * __rmqueue_claim() + try_to_claim_block(): from the largest order down,
 * find a fallback block; a block of a pageblock or more is claimed whole
 * and expanded as @mt; a smaller one claims its pageblock when at least
 * half of it is free, then the request is served from @mt's lists.
 * Returns the pfn, or MMT_PFN_NONE if nothing could be claimed.
 */
static uint64_t rmqueue_claim(struct mmt_machine *m, struct mmt_zone *z,
			      unsigned order, enum mmt_migratetype mt)
{
	unsigned pbo = m->phys->pageblock_order;

	for (int o = MMT_MAX_ORDER; o >= (int)order; o--) {
		int fmt = find_fallback(z, (unsigned)o, mt);
		uint64_t pfn, start;

		if (fmt < 0)
			continue;
		if (!should_try_claim(m, (unsigned)o, mt))
			break;
		if ((unsigned)o >= pbo) {
			pfn = take_first(m, z, (unsigned)o, fmt);
			set_pageblock_range(m, z, pfn, (unsigned)o, mt);
			expand(m, z, pfn, order, (unsigned)o);
			TRACE(m, "claimed order-%d %s block %#llx for %s\n", o,
			      mmt_migratetype_name(fmt),
			      (unsigned long long)pfn,
			      mmt_migratetype_name(mt));
			return pfn;
		}
		pfn = z->free_area[o].head[fmt];
		start = pfn & ~((1ULL << pbo) - 1);
		if (start < z->zone_start_pfn ||
		    start + (1ULL << pbo) > mmt_zone_end_pfn(z) ||
		    count_free(m, start, start + (1ULL << pbo)) <
		    (1ULL << pbo) / 2)
			continue;
		move_freepages_block(m, z, start, start + (1ULL << pbo), mt);
		TRACE(m, "claimed pageblock %#llx (%s -> %s)\n",
		      (unsigned long long)start, mmt_migratetype_name(fmt),
		      mmt_migratetype_name(mt));
		return rmqueue_smallest(m, z, order, mt);
	}
	return MMT_PFN_NONE;
}

/*
 * __rmqueue_steal(): smallest fallback block >= @order, taken without
 * changing any pageblock type; the unused halves go back to their own
 * type's lists.
 */
static uint64_t rmqueue_steal(struct mmt_machine *m, struct mmt_zone *z,
			      unsigned order, enum mmt_migratetype mt)
{
	for (unsigned o = order; o <= MMT_MAX_ORDER; o++) {
		int fmt = find_fallback(z, o, mt);
		uint64_t pfn;

		if (fmt < 0)
			continue;
		pfn = take_first(m, z, o, fmt);
		expand(m, z, pfn, order, o);
		TRACE(m, "stole order-%u %s block %#llx for %s\n", o,
		      mmt_migratetype_name(fmt), (unsigned long long)pfn,
		      mmt_migratetype_name(mt));
		return pfn;
	}
	return MMT_PFN_NONE;
}

/* enum rmqueue_mode: where rmqueue_bulk() last found pages. */
enum rmqueue_mode { RMQUEUE_NORMAL, RMQUEUE_CLAIM, RMQUEUE_STEAL };

/*
 * __rmqueue(): own type first, then claim, then steal.  *@mode remembers
 * the stage that worked so that rmqueue_bulk()'s next call starts there
 * (a claim refills the own lists, so it resets to NORMAL).
 */
static uint64_t __rmqueue(struct mmt_machine *m, struct mmt_zone *z,
			  unsigned order, enum mmt_migratetype mt,
			  enum rmqueue_mode *mode)
{
	uint64_t pfn;

	switch (*mode) {
	case RMQUEUE_NORMAL:
		pfn = rmqueue_smallest(m, z, order, mt);
		if (pfn != MMT_PFN_NONE)
			return pfn;
		/* fall through */
	case RMQUEUE_CLAIM:
		pfn = rmqueue_claim(m, z, order, mt);
		if (pfn != MMT_PFN_NONE) {
			*mode = RMQUEUE_NORMAL;
			return pfn;
		}
		/* fall through */
	case RMQUEUE_STEAL:
		pfn = rmqueue_steal(m, z, order, mt);
		if (pfn != MMT_PFN_NONE) {
			*mode = RMQUEUE_STEAL;
			return pfn;
		}
	}
	return MMT_PFN_NONE;
}

/* rmqueue_buddy(): one block straight from the buddy lists. */
static uint64_t rmqueue_buddy(struct mmt_machine *m, struct mmt_zone *z,
			      unsigned order, enum mmt_migratetype mt)
{
	enum rmqueue_mode mode = RMQUEUE_NORMAL;

	return __rmqueue(m, z, order, mt, &mode);
}

/* ------------------------------------------------ gfp and watermarks */

enum mmt_migratetype mmt_gfp_migratetype(unsigned gfp)
{
	if (gfp & MMT_GFP_MOVABLE)
		return MMT_MIGRATE_MOVABLE;
	if (gfp & MMT_GFP_RECLAIMABLE)
		return MMT_MIGRATE_RECLAIMABLE;
	return MMT_MIGRATE_UNMOVABLE;
}

/*
 * gfp_zone() with GFP_ZONE_TABLE's answers on x86: __GFP_DMA -> DMA;
 * __GFP_DMA32 -> DMA32 (Normal when the arch has no ZONE_DMA32);
 * __GFP_HIGHMEM -> HighMem (Normal without highmem); HIGHMEM|MOVABLE ->
 * Movable; otherwise Normal.
 */
enum mmt_zone_type mmt_gfp_zone(const struct mmt_machine *m, unsigned gfp)
{
	bool is64 = mmt_arch_is_64(m->cfg.arch);

	if (gfp & MMT_GFP_DMA)
		return MMT_ZONE_DMA;
	if (gfp & MMT_GFP_DMA32)
		return is64 ? MMT_ZONE_DMA32 : MMT_ZONE_NORMAL;
	if ((gfp & MMT_GFP_HIGHMEM) && (gfp & MMT_GFP_MOVABLE))
		return MMT_ZONE_MOVABLE;
	if (gfp & MMT_GFP_HIGHMEM)
		return is64 ? MMT_ZONE_NORMAL : MMT_ZONE_HIGHMEM;
	return MMT_ZONE_NORMAL;
}

/*
 * __zone_watermark_ok(): free pages after taking 2^order must stay above
 * @mark (halved for __GFP_HIGH = ALLOC_MIN_RESERVE, then minus a quarter
 * for ALLOC_NON_BLOCK, which GFP_ATOMIC also sets) plus the zone's
 * lowmem_reserve against @highest; for order > 0 a free block of at
 * least that order must exist on an Unmovable/Movable/Reclaimable list.
 */
static bool zone_watermark_ok(const struct mmt_zone *z, unsigned order,
			   uint64_t mark, enum mmt_zone_type highest,
			   unsigned gfp)
{
	int64_t free_pages = (int64_t)z->nr_free_pages - (1LL << order) + 1;
	int64_t min = (int64_t)mark;

	if (gfp & MMT_GFP_HIGH) {
		min -= min / 2;
		min -= min / 4;
	}
	if (free_pages <= min + (int64_t)z->lowmem_reserve[highest])
		return false;
	if (!order)
		return true;
	for (unsigned o = order; o <= MMT_MAX_ORDER; o++) {
		if (!z->free_area[o].nr_free)
			continue;
		for (unsigned mt = 0; mt < MMT_MIGRATE_HIGHATOMIC; mt++)
			if (z->free_area[o].nr_mt[mt])
				return true;
	}
	return false;
}

bool mmt_zone_watermark_ok(const struct mmt_zone *z, unsigned order,
			   uint64_t mark, enum mmt_zone_type highest,
			   unsigned gfp)
{
	return zone_watermark_ok(z, order, mark, highest, gfp);
}

/*
 * zone_watermark_fast(): an order-0 request without __GFP_HIGH passes on
 * the free count alone -- the same test __zone_watermark_ok() makes for
 * order 0 -- so the common case skips the general check.
 */
static inline bool zone_watermark_fast(const struct mmt_zone *z,
				       unsigned order, uint64_t mark,
				       enum mmt_zone_type highest,
				       unsigned gfp)
{
	if (!order && !(gfp & MMT_GFP_HIGH))
		return z->nr_free_pages > mark + z->lowmem_reserve[highest];
	return zone_watermark_ok(z, order, mark, highest, gfp);
}

/*
 * build_all_zonelists(): for each preferred node, the nodes by distance
 * (all equal here; the kernel then prefers the nodes after the local one,
 * wrapping around), each contributing its populated zones from @high
 * down.  Zones never change after boot, so the lists are built once.
 */
void mmt_build_all_zonelists(struct mmt_machine *m)
{
	struct mmt_phys *p = m->phys;

	/* the lookup tables the hot paths use instead of recomputing */
	for (unsigned nid = 0; nid < MMT_MAX_NODES; nid++)
		for (unsigned t = 0; t < MMT_NR_ZONES; t++)
			p->zone_table[(nid << (MMT_PAGE_NODE_SHIFT -
					       MMT_PAGE_ZONE_SHIFT)) | t] =
				&p->nodes[nid].zones[t];
	for (unsigned g = 0; g <= MMT_GFP_ZONEMASK; g++)
		p->gfp_zone_table[g] = (uint8_t)mmt_gfp_zone(m, g);

	for (unsigned nid = 0; nid < p->nr_nodes; nid++)
		for (int high = 0; high < MMT_NR_ZONES; high++) {
			struct mmt_zone **zl = p->zonelist[nid][high];

			for (unsigned k = 0; k < p->nr_nodes; k++) {
				struct mmt_node *nd =
					&p->nodes[(nid + k) % p->nr_nodes];

				for (int t = high; t >= 0; t--)
					if (mmt_zone_populated(&nd->zones[t]))
						*zl++ = &nd->zones[t];
			}
			*zl = NULL;
		}
}

/* --------------------------------------------------------- alloc/free */

/* Mark the head of a freshly allocated block and account it. */
HOT void prep_new_page(struct mmt_machine *m, struct mmt_zone *z,
			  uint64_t pfn, unsigned order)
{
	struct mmt_page *pg = page_must(m, pfn);

	pg->flags = MMT_PG_HEAD | zone_page_bits(z);
	pg->refcount = 1;
	pg->mapcount = 0;
	pg->private = order;
	pg->lru_next = pg->lru_prev = MMT_PFN_NONE;
	z->nr_alloc_pages += 1ULL << order;
}

static inline uint64_t rmqueue(struct mmt_machine *m, unsigned cpu,
			       struct mmt_zone *z, unsigned order,
			       enum mmt_migratetype mt);

/* Trace why @z was skipped at watermark @wm. */
COLD void trace_wmark_fail(struct mmt_machine *m, const struct mmt_zone *z,
			     enum mmt_wmark wm, enum mmt_zone_type high)
{
	TRACE(m, "node %u zone %s: watermark %s not ok "
	      "(free %llu, mark %llu, reserve %llu)\n",
	      z->node, mmt_zone_name(z->type),
	      wm == MMT_WMARK_LOW ? "low" : "min",
	      (unsigned long long)z->nr_free_pages,
	      (unsigned long long)z->wmark[wm],
	      (unsigned long long)z->lowmem_reserve[high]);
}

/*
 * May get_page_from_freelist() take from @z?  As the kernel: a zone not
 * yet flagged ZONE_BELOW_HIGH that passes the high watermark is used at
 * once; failing it sets the flag (which makes the pcp free path shrink
 * pcp->high); then the watermark in force (@wm) decides.  Pages on pcp
 * lists do not count as free here, as in the kernel.
 */
static inline bool zone_usable(struct mmt_machine *m, struct mmt_zone *z,
			       unsigned order, enum mmt_wmark wm,
			       enum mmt_zone_type high, unsigned gfp)
{
	if (!(z->flags & MMT_ZONE_BELOW_HIGH)) {
		if (zone_watermark_fast(z, order, z->wmark[MMT_WMARK_HIGH],
					high, gfp))
			return true;
		z->flags |= MMT_ZONE_BELOW_HIGH;
	}
	if (zone_watermark_fast(z, order, z->wmark[wm], high, gfp))
		return true;
	trace_wmark_fail(m, z, wm, high);
	return false;
}

/*
 * One pass over the zonelist (get_page_from_freelist): zones from the
 * highest allowed type down, preferred node first, at watermark @wm,
 * served through @cpu's pcp lists where the order allows.
 */
static inline __attribute__((always_inline))
uint64_t get_page_from_freelist(struct mmt_machine *m, unsigned cpu,
				       unsigned nid, unsigned gfp,
				       unsigned order, enum mmt_wmark wm)
{
	enum mmt_zone_type high =
		m->phys->gfp_zone_table[gfp & MMT_GFP_ZONEMASK];
	enum mmt_migratetype mt = mmt_gfp_migratetype(gfp);
	struct mmt_zone *const *zl = m->phys->zonelist[nid][high], *z;

	for (; (z = *zl) != NULL; zl++) {
		uint64_t pfn;

		if (!zone_usable(m, z, order, wm, high, gfp))
			continue;
		pfn = rmqueue(m, cpu, z, order, mt);
		if (pfn == MMT_PFN_NONE)
			continue;
		prep_new_page(m, z, pfn, order);
		TRACE(m, "order-%u %s from node %u zone %s: pfn %#llx\n",
		      order, mmt_migratetype_name(mt), z->node,
		      mmt_zone_name(z->type), (unsigned long long)pfn);
		return pfn;
	}
	return MMT_PFN_NONE;
}

/* __alloc_pages_slowpath(), as far as the model goes: retry at min. */
__attribute__((noinline))
static uint64_t alloc_pages_slowpath(struct mmt_machine *m, unsigned cpu,
				     unsigned nid, unsigned gfp, unsigned order)
{
	uint64_t got = get_page_from_freelist(m, cpu, nid, gfp, order,
					      MMT_WMARK_MIN);

	if (got == MMT_PFN_NONE)
		TRACE(m, "order-%u allocation failed: -ENOMEM\n", order);
	return got;
}

/* __alloc_pages() on @cpu with @nid's zonelist: fast path at low. */
static inline __attribute__((always_inline))
int alloc_pages_cpu_node(struct mmt_machine *m, unsigned cpu, unsigned nid,
			 unsigned gfp, unsigned order, uint64_t *pfn)
{
	uint64_t got;

	if (__builtin_expect(mmt_gfp_zone_bad(gfp), 0))
		return -EINVAL;	/* gfp_zone()'s VM_BUG_ON, as an error */
	if (!m->phys || order > MMT_MAX_ORDER || nid >= m->phys->nr_nodes)
		return -ENOMEM;
	got = get_page_from_freelist(m, cpu, nid, gfp, order, MMT_WMARK_LOW);
	if (__builtin_expect(got == MMT_PFN_NONE, 0)) {
		got = alloc_pages_slowpath(m, cpu, nid, gfp, order);
		if (got == MMT_PFN_NONE)
			return -ENOMEM;
	}
	*pfn = got;
	return 0;
}

/* On CPU 0 (callers without a CPU), @nid's zonelist. */
int mmt_alloc_pages_node(struct mmt_machine *m, unsigned nid, unsigned gfp,
			 unsigned order, uint64_t *pfn)
{
	return alloc_pages_cpu_node(m, 0, nid, gfp, order, pfn);
}

int mmt_alloc_pages_cpu(struct mmt_machine *m, unsigned cpu, unsigned gfp,
			unsigned order, uint64_t *pfn)
{
	if (!m->phys || cpu >= m->phys->nr_cpus)
		return -EINVAL;
	return alloc_pages_cpu_node(m, cpu, mmt_cpu_to_node(m, cpu), gfp,
				    order, pfn);
}

int mmt_alloc_pages(struct mmt_machine *m, unsigned gfp, unsigned order,
		    uint64_t *pfn)
{
	return alloc_pages_cpu_node(m, 0, 0, gfp, order, pfn);
}

/*
 * Is @pfn the head of a free block of @order in zone @z? (page_is_buddy:
 * PageBuddy, the order, and the same zone).  @pfn lies within the
 * 1024-aligned span around a block of @z, which the descriptor array
 * covers; descriptors outside materialised chunks read as zeros.
 */
HOT bool page_is_buddy(struct mmt_machine *m, struct mmt_zone *z,
		       uint64_t pfn, unsigned order)
{
	const struct mmt_page *pg = page_lookup(m->phys, pfn);
	uint32_t mask = MMT_PG_BUDDY |
			(((1u << MMT_PAGE_ZONEID_BITS) - 1) << MMT_PAGE_ZONE_SHIFT);

	return (pg->flags & mask) == (MMT_PG_BUDDY | zone_page_bits(z)) &&
	       pg->private == order;
}

/*
 * __free_one_page(): merge [pfn, 2^order) with its buddy while the buddy
 * is free at the same order, then put the result on its pageblock's list
 * -- at the tail when the next-higher buddy is free too (the kernel's
 * buddy_merge_likely() heuristic), else at the head.  Merging across
 * pageblocks of different types stops at isolated/highatomic blocks;
 * otherwise the merged block's pageblocks take the lower block's type.
 */
static void free_one_page(struct mmt_machine *m, struct mmt_zone *z,
			  uint64_t pfn, unsigned order)
{
	enum mmt_migratetype mt = pb_mt(m, z, pfn);
	unsigned pbo = m->phys->pageblock_order;
	bool tail = false;

	while (order < MMT_MAX_ORDER) {
		uint64_t buddy = pfn ^ (1ULL << order);
		enum mmt_migratetype bmt = mt;

		if (!page_is_buddy(m, z, buddy, order))
			break;
		/* below pageblock order the buddy shares our pageblock */
		if (order >= pbo) {
			bmt = pb_mt(m, z, buddy);
			if (bmt != mt && (bmt >= MMT_MIGRATE_HIGHATOMIC ||
					  mt >= MMT_MIGRATE_HIGHATOMIC))
				break;
		}
		del_from_free_list(m, z, buddy, order, bmt);
		if (bmt != mt) {
			/* the merged block takes the lower half's type */
			if (buddy < pfn)
				mt = bmt;
			set_pageblock_range(m, z, pfn & buddy, order + 1, mt);
		}
		pfn &= buddy;
		order++;
	}
	if (order < MMT_MAX_ORDER - 1) {
		uint64_t higher = (pfn & ~((2ULL << order) - 1)) ^
				  (2ULL << order);

		tail = page_is_buddy(m, z, higher, order + 1);
	}
	add_to_free_list(m, z, pfn, order, mt, tail);
}

/* ------------------------------------------------ per-CPU page lists */

/* pcp_allowed_order(): orders 0..PAGE_ALLOC_COSTLY_ORDER and THP. */
static inline bool pcp_allowed_order(const struct mmt_phys *p, unsigned order)
{
	return order <= MMT_PAGE_ALLOC_COSTLY_ORDER ||
	       order == p->pcp_thp_order;
}

/* order_to_pindex(): THP blocks share two lists, movable or not. */
static inline unsigned order_to_pindex(const struct mmt_phys *p,
				       enum mmt_migratetype mt, unsigned order)
{
	(void)p;
	if (order > MMT_PAGE_ALLOC_COSTLY_ORDER)
		return MMT_NR_LOWORDER_PCP_LISTS + (mt == MMT_MIGRATE_MOVABLE);
	return MMT_MIGRATE_PCPTYPES * order + (unsigned)mt;
}

static inline unsigned pindex_to_order(const struct mmt_phys *p,
				       unsigned pindex)
{
	if (pindex >= MMT_NR_LOWORDER_PCP_LISTS)
		return p->pcp_thp_order;
	return pindex / MMT_MIGRATE_PCPTYPES;
}

/* Mark @pg as the head of an order-@order block on a pcp list of @zbits. */
static inline void set_pcp_page(struct mmt_page *pg, uint32_t zbits,
				unsigned order)
{
	pg->flags = MMT_PG_PCP | zbits;
	pg->refcount = 0;
	pg->mapcount = 0;
	pg->private = order;
}

/* list_add(&page->pcp_list, list): at the head (allocated next). */
static inline void pcp_list_add(struct mmt_machine *m,
				struct mmt_per_cpu_pages *pcp, unsigned pindex,
				uint64_t pfn, struct mmt_page *pg)
{
	pfn_list_add(m, &pcp->head[pindex], &pcp->tail[pindex], pfn, pg, false);
}

/* list_add_tail(&page->pcp_list, list): rmqueue_bulk's pfn order. */
static inline void pcp_list_add_tail(struct mmt_machine *m,
				     struct mmt_per_cpu_pages *pcp,
				     unsigned pindex, uint64_t pfn,
				     struct mmt_page *pg)
{
	pfn_list_add(m, &pcp->head[pindex], &pcp->tail[pindex], pfn, pg, true);
}

/* list_del(&page->pcp_list); the block is no longer a pcp block. */
static inline void pcp_list_del(struct mmt_machine *m,
				struct mmt_per_cpu_pages *pcp, unsigned pindex,
				struct mmt_page *pg)
{
	pfn_list_del(m, &pcp->head[pindex], &pcp->tail[pindex], pg);
	pg->flags &= ~MMT_PG_PCP;
}

static inline int clamp_int(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/*
 * free_pcppages_bulk(): give @count pages of @pcp back to the buddy,
 * starting with list @pindex, then round robin over the lists; each list
 * visited is emptied from its tail (the coldest blocks) until @count is
 * reached.  Blocks go to the list of their pageblock's current type.
 */
static void free_pcppages_bulk(struct mmt_machine *m, struct mmt_zone *z,
			       int count, struct mmt_per_cpu_pages *pcp,
			       unsigned pindex)
{
	struct mmt_phys *p = m->phys;

	if (count > pcp->count)
		count = pcp->count;
	pindex = pindex ? pindex - 1 : MMT_NR_PCP_LISTS - 1;
	while (count > 0) {
		unsigned order;
		int nr_pages;

		do {
			if (++pindex > MMT_NR_PCP_LISTS - 1)
				pindex = 0;
		} while (pcp->head[pindex] == MMT_PFN_NONE);
		order = pindex_to_order(p, pindex);
		nr_pages = 1 << order;
		do {
			uint64_t pfn = pcp->tail[pindex];

			pcp_list_del(m, pcp, pindex, page_must(m, pfn));
			count -= nr_pages;
			pcp->count -= nr_pages;
			free_one_page(m, z, pfn, order);
		} while (count > 0 && pcp->head[pindex] != MMT_PFN_NONE);
	}
}

/*
 * nr_pcp_free(): how many pages a free that hit high gives back: the
 * pages freed in a row (free_count), clamped to [batch, high - batch];
 * up to batch << SCALE_MAX when draining high-order frees (free_high).
 */
static int nr_pcp_free(struct mmt_per_cpu_pages *pcp, int batch, int high,
		       bool free_high)
{
	if (free_high) {
		int lim = batch << MMT_PCP_BATCH_SCALE_MAX;

		return pcp->count < lim ? pcp->count : lim;
	}
	if (high < batch)	/* pcp disabled, or a boot pageset */
		return 1;
	return clamp_int(pcp->free_count, batch, high - batch);
}

/*
 * nr_pcp_high(): the count at which a free must flush, and pcp->high's
 * auto-tuning on the free side: clamped into [high_min, high_max];
 * lowered by batch << SCALE_MAX on free_high (returns 0: flush now);
 * lowered by the pages freed in a row when the zone is below its high
 * watermark (returns max(count, high_min)); raised to hold free_count +
 * batch pages when the count reached high otherwise.
 */
HOT int nr_pcp_high(struct mmt_per_cpu_pages *pcp, const struct mmt_zone *z,
		    int batch, bool free_high)
{
	int high, high_min = pcp->high_min, high_max = pcp->high_max;

	high = pcp->high = clamp_int(pcp->high, high_min, high_max);
	if (!high)
		return 0;
	if (free_high) {
		int h = high - (batch << MMT_PCP_BATCH_SCALE_MAX);

		pcp->high = h > high_min ? h : high_min;
		return 0;
	}
	/* ZONE_RECLAIM_ACTIVE (kswapd running) is never set: no kswapd */
	if (high_min == high_max)
		return high;
	if (z->flags & MMT_ZONE_BELOW_HIGH) {
		int fc = pcp->free_count > batch ? pcp->free_count : batch;
		int h = high - fc;

		pcp->high = h > high_min ? h : high_min;
		high = pcp->count > high_min ? pcp->count : high_min;
	} else if (pcp->count >= high) {
		int need_high = pcp->free_count + batch;

		if (pcp->high < need_high)
			pcp->high = clamp_int(need_high, high_min, high_max);
	}
	return high;
}

/*
 * free_frozen_page_commit(): put the block at the head of its list; track
 * consecutive frees (free_count, alloc_factor halved) and runs of
 * order 1..3 frees (PCPF_PREV_FREE_HIGH_ORDER -> free_high); when the
 * count reaches nr_pcp_high(), flush nr_pcp_free() pages, then clear
 * ZONE_BELOW_HIGH if the zone is back above its high watermark.
 */
COLD void pcp_flush(struct mmt_machine *m, struct mmt_zone *z,
		    struct mmt_per_cpu_pages *pcp, unsigned pindex, int count,
		    int high)
{
	TRACE(m, "zone %s cpu pcp: count %d >= high %d, freeing %d pages\n",
	      mmt_zone_name(z->type), pcp->count, high, count);
	free_pcppages_bulk(m, z, count, pcp, pindex);
	if ((z->flags & MMT_ZONE_BELOW_HIGH) &&
	    mmt_zone_watermark_ok(z, 0, z->wmark[MMT_WMARK_HIGH],
				  MMT_ZONE_MOVABLE, 0))
		z->flags &= ~MMT_ZONE_BELOW_HIGH;
}

HOT void free_frozen_page_commit(struct mmt_machine *m, struct mmt_zone *z,
				 struct mmt_per_cpu_pages *pcp,
				 uint64_t pfn, struct mmt_page *pg,
				 enum mmt_migratetype mt, unsigned order)
{
	unsigned pindex = order_to_pindex(m->phys, mt, order);
	bool free_high = false;
	int high, batch;

	pcp->alloc_factor >>= 1;
	/* an allocated page's zone bits are right (prep_new_page) */
	set_pcp_page(pg, pg->flags & (~0u << MMT_PAGE_ZONE_SHIFT), order);
	pcp_list_add(m, pcp, pindex, pfn, pg);
	pcp->count += 1 << order;
	batch = pcp->batch;
	if (order && order <= MMT_PAGE_ALLOC_COSTLY_ORDER) {
		free_high = pcp->free_count >= batch + pcp->high_min / 2 &&
			    (pcp->flags & MMT_PCPF_PREV_FREE_HIGH_ORDER) &&
			    (!(pcp->flags & MMT_PCPF_FREE_HIGH_BATCH) ||
			     pcp->count >= batch);
		pcp->flags |= MMT_PCPF_PREV_FREE_HIGH_ORDER;
	} else {
		pcp->flags &= ~MMT_PCPF_PREV_FREE_HIGH_ORDER;
	}
	if (pcp->free_count < (batch << MMT_PCP_BATCH_SCALE_MAX))
		pcp->free_count = (short)(pcp->free_count + (1 << order));
	high = nr_pcp_high(pcp, z, batch, free_high);
	if (__builtin_expect(pcp->count >= high, 0))
		pcp_flush(m, z, pcp, pindex,
			  nr_pcp_free(pcp, batch, high, free_high), high);
}

/*
 * nr_pcp_alloc(): how many blocks a refill takes.  Order 0 doubles the
 * batch per refill without a free in between (alloc_factor, up to
 * SCALE_MAX) but keeps room below high; pcp->high grows by the batch
 * unless the zone is below its high watermark; orders > 0 take batch
 * pages' worth of blocks, at least 2.
 */
static int nr_pcp_alloc(struct mmt_per_cpu_pages *pcp, const struct mmt_zone *z,
			unsigned order)
{
	int base = pcp->batch, high_min = pcp->high_min;
	int high_max = pcp->high_max, high, batch;

	high = pcp->high = clamp_int(pcp->high, high_min, high_max);
	if (high < base)	/* pcp disabled, or a boot pageset */
		return 1;
	batch = order ? base : base << pcp->alloc_factor;
	if (high_min != high_max && !(z->flags & MMT_ZONE_BELOW_HIGH)) {
		high = high + batch < high_max ? high + batch : high_max;
		pcp->high = high;
	}
	if (!order) {
		int max_nr_alloc = high - pcp->count - base;

		if (max_nr_alloc < base)
			max_nr_alloc = base;
		if (batch <= max_nr_alloc &&
		    pcp->alloc_factor < MMT_PCP_BATCH_SCALE_MAX)
			pcp->alloc_factor++;
		if (batch > max_nr_alloc)
			batch = max_nr_alloc;
	}
	if (batch > 1) {
		batch >>= order;
		if (batch < 2)
			batch = 2;
	}
	return batch;
}

/*
 * rmqueue_bulk(): take up to @count blocks of @order from the buddy
 * (__rmqueue, fallbacks included, no watermark check) onto the tail of
 * list @pindex, in the order the buddy hands them out.  Returns the
 * number of blocks taken.
 */
static int rmqueue_bulk(struct mmt_machine *m, struct mmt_zone *z,
			unsigned order, int count,
			struct mmt_per_cpu_pages *pcp, unsigned pindex,
			enum mmt_migratetype mt)
{
	enum rmqueue_mode mode = RMQUEUE_NORMAL;
	int i;

	for (i = 0; i < count; i++) {
		uint64_t pfn = __rmqueue(m, z, order, mt, &mode);
		struct mmt_page *pg;

		if (pfn == MMT_PFN_NONE)
			break;
		pg = page_must(m, pfn);
		set_pcp_page(pg, zone_page_bits(z), order);
		pcp_list_add_tail(m, pcp, pindex, pfn, pg);
	}
	return i;
}

/*
 * rmqueue_pcplist() + __rmqueue_pcplist(): the head of @cpu's list for
 * (@mt, @order), refilled with nr_pcp_alloc() blocks when empty.
 * MMT_PFN_NONE when the buddy has nothing either.
 */
COLD int pcp_refill(struct mmt_machine *m, struct mmt_zone *z,
		    struct mmt_per_cpu_pages *pcp, unsigned pindex,
		    unsigned order, enum mmt_migratetype mt)
{
	int batch = nr_pcp_alloc(pcp, z, order);
	int got = rmqueue_bulk(m, z, order, batch, pcp, pindex, mt);

	pcp->count += got << order;
	TRACE(m, "zone %s pcp refill: %d of %d order-%u %s blocks\n",
	      mmt_zone_name(z->type), got, batch, order,
	      mmt_migratetype_name(mt));
	return got;
}

HOT uint64_t rmqueue_pcplist(struct mmt_machine *m, unsigned cpu,
			     struct mmt_zone *z, unsigned order,
			     enum mmt_migratetype mt)
{
	struct mmt_per_cpu_pages *pcp = &z->pcp[cpu];
	unsigned pindex = order_to_pindex(m->phys, mt, order);
	uint64_t pfn;

	pcp->free_count >>= 1;
	if (__builtin_expect(pcp->head[pindex] == MMT_PFN_NONE, 0) &&
	    !pcp_refill(m, z, pcp, pindex, order, mt))
		return MMT_PFN_NONE;
	pfn = pcp->head[pindex];
	pcp_list_del(m, pcp, pindex, page_must(m, pfn));
	pcp->count -= 1 << order;
	return pfn;
}

/* rmqueue(): pcp-sized orders through the pcp, else (or if empty) buddy. */
HOT uint64_t rmqueue(struct mmt_machine *m, unsigned cpu,
			struct mmt_zone *z, unsigned order,
			enum mmt_migratetype mt)
{
	if (__builtin_expect(pcp_allowed_order(m->phys, order), 1) && z->pcp) {
		uint64_t pfn = rmqueue_pcplist(m, cpu, z, order, mt);

		if (pfn != MMT_PFN_NONE)
			return pfn;
	}
	return rmqueue_buddy(m, z, order, mt);
}

/*
 * __free_frozen_pages(): pcp-sized blocks to @cpu's pcp list of their
 * pageblock's type (HighAtomic counts as Movable; Isolate bypasses the
 * pcp), everything else straight to the buddy.
 */
HOT void free_frozen_pages(struct mmt_machine *m, unsigned cpu,
			   struct mmt_zone *z, uint64_t pfn,
			   struct mmt_page *pg, unsigned order)
{
	enum mmt_migratetype mt;

	if (__builtin_expect(!pcp_allowed_order(m->phys, order) || !z->pcp,
			     0)) {
		free_one_page(m, z, pfn, order);
		return;
	}
	mt = pb_mt(m, z, pfn);
	if (__builtin_expect(mt >= MMT_MIGRATE_PCPTYPES, 0)) {
		if (mt == MMT_MIGRATE_ISOLATE) {
			free_one_page(m, z, pfn, order);
			return;
		}
		mt = MMT_MIGRATE_MOVABLE;
	}
	free_frozen_page_commit(m, z, &z->pcp[cpu], pfn, pg, mt, order);
}

/* A free the allocator cannot take: say what is wrong and abort. */
COLD __attribute__((noreturn))
void bad_free(struct mmt_machine *m, unsigned cpu, uint64_t pfn,
	      unsigned order)
{
	const struct mmt_page *pg = mmt_pfn_to_page(m, pfn, false);

	if (m->phys && cpu >= m->phys->nr_cpus)
		MMT_BUG("free on CPU %u, only %u online", cpu,
			     m->phys->nr_cpus);
	if (pg && (pg->flags & MMT_PG_HEAD) && pg->private == order)
		MMT_BUG("pfn %#llx freed with refcount %d",
			     (unsigned long long)pfn, pg->refcount);
	MMT_BUG("pfn %#llx was not allocated with order %u",
		     (unsigned long long)pfn, order);
}

/* __free_pages(): checks the block, then frees it on @cpu. */
HOT void free_pages_cpu(struct mmt_machine *m, unsigned cpu, uint64_t pfn,
			unsigned order)
{
	struct mmt_phys *p = m->phys;
	struct mmt_page *pg;
	struct mmt_zone *z;

	if (__builtin_expect(!p || pfn >= p->max_pfn || cpu >= p->nr_cpus, 0))
		bad_free(m, cpu, pfn, order);
	pg = page_lookup(p, pfn);
	if (__builtin_expect(!(pg->flags & MMT_PG_HEAD) ||
			     pg->private != order || pg->refcount != 1, 0))
		bad_free(m, cpu, pfn, order);
	z = p->zone_table[MMT_PAGE_ZONEID(pg->flags)];
	pg->flags &= ~MMT_PG_HEAD;
	pg->refcount = 0;
	z->nr_alloc_pages -= 1ULL << order;
	frames_drop_range(m, pfn, 1ULL << order);
	TRACE(m, "free order-%u pfn %#llx to zone %s\n", order,
	      (unsigned long long)pfn, mmt_zone_name(z->type));
	free_frozen_pages(m, cpu, z, pfn, pg, order);
}

void mmt_free_pages_cpu(struct mmt_machine *m, unsigned cpu, uint64_t pfn,
			unsigned order)
{
	free_pages_cpu(m, cpu, pfn, order);
}

void mmt_free_pages(struct mmt_machine *m, uint64_t pfn, unsigned order)
{
	free_pages_cpu(m, 0, pfn, order);
}

/* drain_pages_zone(): in chunks of batch << SCALE_MAX, until empty. */
void mmt_drain_pages_zone(struct mmt_machine *m, unsigned cpu,
			  struct mmt_zone *z)
{
	struct mmt_per_cpu_pages *pcp;

	if (!z->pcp || cpu >= m->phys->nr_cpus)
		return;
	pcp = &z->pcp[cpu];
	while (pcp->count) {
		int lim = pcp->batch << MMT_PCP_BATCH_SCALE_MAX;

		free_pcppages_bulk(m, z, pcp->count < lim ? pcp->count : lim,
				   pcp, 0);
	}
}

/*
 * Run @fn on every CPU's pageset of every zone that has pagesets, CPU by
 * CPU; returns the pages it took off the pcp lists.
 */
static uint64_t for_each_pageset(struct mmt_machine *m,
				 void (*fn)(struct mmt_machine *m, unsigned cpu,
					    struct mmt_zone *z))
{
	struct mmt_phys *p = m->phys;
	uint64_t moved = 0;

	if (!p)
		return 0;
	for (unsigned c = 0; c < p->nr_cpus; c++)
		for (unsigned n = 0; n < p->nr_nodes; n++)
			for (unsigned t = 0; t < MMT_NR_ZONES; t++) {
				struct mmt_zone *z = &p->nodes[n].zones[t];
				int before;

				if (!z->pcp)
					continue;
				before = z->pcp[c].count;
				fn(m, c, z);
				moved += (uint64_t)(before - z->pcp[c].count);
			}
	return moved;
}

uint64_t mmt_drain_all_pages(struct mmt_machine *m)
{
	return for_each_pageset(m, mmt_drain_pages_zone);
}

/*
 * decay_pcp_high(): lower pcp->high by 1/8 (not below high_min, nor more
 * than batch << SCALE_MAX under the count) and free what is above it.
 * Returns the kernel's "more work to do" count (0..2).
 */
int mmt_decay_pcp_high(struct mmt_machine *m, struct mmt_zone *z,
		       unsigned cpu)
{
	struct mmt_per_cpu_pages *pcp;
	int todo = 0, to_drain;

	if (!z->pcp || cpu >= m->phys->nr_cpus)
		return 0;
	pcp = &z->pcp[cpu];
	if (pcp->high > pcp->high_min) {
		int a = pcp->count - (pcp->batch << MMT_PCP_BATCH_SCALE_MAX);
		int b = pcp->high - (pcp->high >> 3);
		int h = a > b ? a : b;

		pcp->high = h > pcp->high_min ? h : pcp->high_min;
		if (pcp->high > pcp->high_min)
			todo++;
	}
	to_drain = pcp->count - pcp->high;
	if (to_drain > 0) {
		free_pcppages_bulk(m, z, to_drain, pcp, 0);
		todo++;
	}
	return todo;
}

static void decay_pageset(struct mmt_machine *m, unsigned cpu,
			  struct mmt_zone *z)
{
	mmt_decay_pcp_high(m, z, cpu);
}

uint64_t mmt_vmstat_refresh(struct mmt_machine *m)
{
	return for_each_pageset(m, decay_pageset);
}

/*
 * Boot: free [start, end) of @z into the buddy as memblock_free_all()
 * does (__free_pages_memory): the largest naturally aligned blocks that
 * fit, in ascending order, each to the tail of its list.  Order-10 blocks
 * become runs, so a 1 TiB zone costs a few bytes.
 */
void mmt_buddy_free_boot_range(struct mmt_machine *m, struct mmt_zone *z,
			       uint64_t start, uint64_t end)
{
	while (start < end) {
		unsigned order = MMT_MAX_ORDER;

		if (start & ((1ULL << MMT_MAX_ORDER) - 1))
			order = (unsigned)__builtin_ctzll(start);
		while (start + (1ULL << order) > end)
			order--;
		if (order == MMT_MAX_ORDER) {
			uint64_t n = (end - start) >> MMT_MAX_ORDER;

			if (runs_append(m, z, start, n))
				MMT_BUG("host out of memory at boot");
			start += n << MMT_MAX_ORDER;
			continue;
		}
		materialise_block(m, start, order);
		add_to_free_list(m, z, start, order, pb_mt(m, z, start), true);
		start += 1ULL << order;
	}
}
