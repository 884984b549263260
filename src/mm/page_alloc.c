// SPDX-License-Identifier: MIT
/*
 * The buddy allocator (mm/page_alloc.c): free lists per zone, order and
 * migratetype; expand() on allocation, __free_one_page() coalescing on
 * free; gfp -> zonelist, watermark checks with lowmem_reserve, migratetype
 * fallback.  See include/mmtwin/phys.h for the data layout.
 *
 * Simplifications (documented in docs/physical-memory.md):
 *  - no per-CPU page lists (pcp): every order-0 page goes straight to and
 *    from the buddy lists, so buddyinfo shows what a pcp-less kernel would;
 *  - no reclaim/compaction: the slow path is "retry at the min watermark";
 *  - no MIGRATE_HIGHATOMIC reserves are created (lists exist, stay empty);
 *  - claiming a pageblock on fallback counts free pages only (the kernel
 *    also counts allocated pages of a compatible type).
 */
#include <mmtwin/phys.h>

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_PAGES (1ULL << MMT_PG_CHUNK_SHIFT)

void mmt_phys_bug(const char *fn, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mmtwin: BUG in %s: ", fn);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define TRACE(m, ...) do { if ((m)->phys && (m)->phys->trace) \
	fprintf((m)->phys->trace, "trace: " __VA_ARGS__); } while (0)

/* ---------------------------------------------------- sparse tables */

/*
 * Descriptor of @pfn.  With @create, materialises its chunk (zeroed);
 * returns NULL beyond max_pfn, or when absent and !@create, or when the
 * host is out of memory (callers treat that as -ENOMEM or abort).
 */
struct mmt_page *mmt_pfn_to_page(struct mmt_machine *m, uint64_t pfn,
				 bool create)
{
	struct mmt_phys *p = m->phys;
	uint64_t c = pfn >> MMT_PG_CHUNK_SHIFT;

	if (!p || pfn >= p->max_pfn)
		return NULL;
	if (!p->pg_chunk[c]) {
		if (!create)
			return NULL;
		p->pg_chunk[c] = calloc(CHUNK_PAGES, sizeof(struct mmt_page));
		if (!p->pg_chunk[c])
			return NULL;
		p->nr_pg_chunks++;
		p->host_bytes += CHUNK_PAGES * sizeof(struct mmt_page);
	}
	return &p->pg_chunk[c][pfn & (CHUNK_PAGES - 1)];
}

/* Hot-path lookup of an already materialised descriptor, NULL otherwise. */
static inline struct mmt_page *page_lookup(const struct mmt_phys *p,
					   uint64_t pfn)
{
	struct mmt_page *c;

	if (pfn >= p->max_pfn)
		return NULL;
	c = p->pg_chunk[pfn >> MMT_PG_CHUNK_SHIFT];
	return c ? &c[pfn & (CHUNK_PAGES - 1)] : NULL;
}

static struct mmt_page *page_must_slow(struct mmt_machine *m, uint64_t pfn);

/* Descriptor that must exist (a free-list member): aborts otherwise. */
static inline struct mmt_page *page_must(struct mmt_machine *m, uint64_t pfn)
{
	struct mmt_page *pg = page_lookup(m->phys, pfn);

	return __builtin_expect(pg != NULL, 1) ? pg : page_must_slow(m, pfn);
}

/* Materialise the descriptor's chunk; aborts when the host is out of memory. */
__attribute__((noinline))
static struct mmt_page *page_must_slow(struct mmt_machine *m, uint64_t pfn)
{
	struct mmt_page *pg = mmt_pfn_to_page(m, pfn, true);

	if (!pg)
		MMT_PHYS_BUG("no descriptor for pfn %#llx (host OOM?)",
			     (unsigned long long)pfn);
	return pg;
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
	free(p->fr_chunk[c][i]);
	p->fr_chunk[c][i] = NULL;
	p->nr_frames--;
	p->host_bytes -= MMT_PAGE_SIZE;
}

/* Drop the contents of [pfn, pfn + n), skipping chunks never written. */
static void frames_drop_range(struct mmt_machine *m, uint64_t pfn, uint64_t n)
{
	struct mmt_phys *p = m->phys;
	uint64_t end = pfn + n;

	if (!p->nr_frames)
		return;
	while (pfn < end) {
		uint64_t c = pfn >> MMT_PG_CHUNK_SHIFT;
		uint64_t next = (c + 1) << MMT_PG_CHUNK_SHIFT;

		if (p->fr_chunk[c])
			for (; pfn < end && pfn < next; pfn++)
				mmt_frame_drop(m, pfn);
		pfn = next;
	}
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

struct mmt_zone *mmt_page_zone(struct mmt_machine *m, uint64_t pfn)
{
	struct mmt_phys *p = m->phys;

	for (unsigned n = 0; n < p->nr_nodes; n++) {
		struct mmt_node *nd = &p->nodes[n];

		if (pfn < nd->start_pfn || pfn >= nd->end_pfn)
			continue;
		for (unsigned t = 0; t < MMT_NR_ZONES; t++) {
			struct mmt_zone *z = &nd->zones[t];

			if (z->spanned && pfn >= z->zone_start_pfn &&
			    pfn < mmt_zone_end_pfn(z))
				return z;
		}
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

/* A node's zones[] is indexed by zone type, so the type is the index. */
static inline unsigned zone_index_of(struct mmt_machine *m,
				     const struct mmt_zone *z)
{
	(void)m;
	return (unsigned)z->type;
}

/* -------------------------------------------------------- free lists */

/*
 * Put the free block [pfn, pfn + 2^order) on @z's list for @mt, at the
 * head (allocated first) or the tail.  Marks the head PageBuddy.
 */
static void add_to_free_list(struct mmt_machine *m, struct mmt_zone *z,
			     uint64_t pfn, unsigned order,
			     enum mmt_migratetype mt, bool tail)
{
	struct mmt_free_area *fa = &z->free_area[order];
	struct mmt_page *pg = page_must(m, pfn);

	pg->flags = MMT_PG_BUDDY |
		    (zone_index_of(m, z) << MMT_PAGE_ZONE_SHIFT) |
		    (z->node << MMT_PAGE_NODE_SHIFT);
	pg->refcount = 0;
	pg->mapcount = 0;
	pg->private = order;
	if (fa->head[mt] == MMT_PFN_NONE) {
		pg->lru_next = pg->lru_prev = MMT_PFN_NONE;
		fa->head[mt] = fa->tail[mt] = pfn;
	} else if (tail) {
		pg->lru_next = MMT_PFN_NONE;
		pg->lru_prev = fa->tail[mt];
		page_must(m, fa->tail[mt])->lru_next = pfn;
		fa->tail[mt] = pfn;
	} else {
		pg->lru_prev = MMT_PFN_NONE;
		pg->lru_next = fa->head[mt];
		page_must(m, fa->head[mt])->lru_prev = pfn;
		fa->head[mt] = pfn;
	}
	fa->nr_mt[mt]++;
	fa->nr_free++;
	z->nr_free_pages += 1ULL << order;
}

/* Unlink an explicit free block; the caller decides what it becomes. */
static void del_from_free_list(struct mmt_machine *m, struct mmt_zone *z,
			       uint64_t pfn, unsigned order,
			       enum mmt_migratetype mt)
{
	struct mmt_free_area *fa = &z->free_area[order];
	struct mmt_page *pg = page_must(m, pfn);

	if (!(pg->flags & MMT_PG_BUDDY) || pg->private != order)
		MMT_PHYS_BUG("pfn %#llx is not a free order-%u block",
			     (unsigned long long)pfn, order);
	if (pg->lru_prev == MMT_PFN_NONE)
		fa->head[mt] = pg->lru_next;
	else
		page_must(m, pg->lru_prev)->lru_next = pg->lru_next;
	if (pg->lru_next == MMT_PFN_NONE)
		fa->tail[mt] = pg->lru_prev;
	else
		page_must(m, pg->lru_next)->lru_prev = pg->lru_prev;
	pg->flags &= ~MMT_PG_BUDDY;
	pg->lru_next = pg->lru_prev = MMT_PFN_NONE;
	fa->nr_mt[mt]--;
	fa->nr_free--;
	z->nr_free_pages -= 1ULL << order;
}

/* Boot runs are part of the order-10 MOVABLE list (its tail). */
static bool have_runs(const struct mmt_zone *z)
{
	return z->run_first < z->nr_runs;
}

/* Take the first order-10 block of the boot runs off the list. */
static uint64_t take_from_runs(struct mmt_zone *z)
{
	struct mmt_run *r = &z->runs[z->run_first];
	uint64_t pfn = r->pfn;

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
static uint64_t take_first(struct mmt_machine *m, struct mmt_zone *z,
			   unsigned order, enum mmt_migratetype mt)
{
	uint64_t pfn = z->free_area[order].head[mt];

	if (pfn != MMT_PFN_NONE) {
		del_from_free_list(m, z, pfn, order, mt);
		return pfn;
	}
	if (order == MMT_MAX_ORDER && mt == MMT_MIGRATE_MOVABLE &&
	    have_runs(z))
		return take_from_runs(z);
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
static void expand(struct mmt_machine *m, struct mmt_zone *z, uint64_t pfn,
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
static uint64_t rmqueue_smallest(struct mmt_machine *m, struct mmt_zone *z,
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

/* __rmqueue(): own type first, then claim, then steal. */
static uint64_t rmqueue(struct mmt_machine *m, struct mmt_zone *z,
			unsigned order, enum mmt_migratetype mt)
{
	uint64_t pfn = rmqueue_smallest(m, z, order, mt);

	if (pfn == MMT_PFN_NONE)
		pfn = rmqueue_claim(m, z, order, mt);
	if (pfn == MMT_PFN_NONE)
		pfn = rmqueue_steal(m, z, order, mt);
	return pfn;
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
bool mmt_zone_watermark_ok(const struct mmt_zone *z, unsigned order,
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
	for (unsigned o = order; o <= MMT_MAX_ORDER; o++)
		for (unsigned mt = 0; mt < MMT_MIGRATE_HIGHATOMIC; mt++)
			if (z->free_area[o].nr_mt[mt])
				return true;
	return false;
}

/* --------------------------------------------------------- alloc/free */

/* Mark the head of a freshly allocated block and account it. */
static void prep_new_page(struct mmt_machine *m, struct mmt_zone *z,
			  uint64_t pfn, unsigned order)
{
	struct mmt_page *pg = page_must(m, pfn);

	pg->flags = MMT_PG_HEAD | (zone_index_of(m, z) << MMT_PAGE_ZONE_SHIFT) |
		    (z->node << MMT_PAGE_NODE_SHIFT);
	pg->refcount = 1;
	pg->mapcount = 0;
	pg->private = order;
	pg->lru_next = pg->lru_prev = MMT_PFN_NONE;
	z->nr_alloc_pages += 1ULL << order;
}

/*
 * One pass over the zonelist (get_page_from_freelist): zones from the
 * highest allowed type down, preferred node first, at watermark @wm.
 */
static uint64_t get_page_from_freelist(struct mmt_machine *m, unsigned nid,
				       unsigned gfp, unsigned order,
				       enum mmt_wmark wm)
{
	struct mmt_phys *p = m->phys;
	enum mmt_zone_type high = mmt_gfp_zone(m, gfp);
	enum mmt_migratetype mt = mmt_gfp_migratetype(gfp);

	for (unsigned k = 0; k < p->nr_nodes; k++) {
		struct mmt_node *nd = &p->nodes[(nid + k) % p->nr_nodes];

		for (int t = (int)high; t >= 0; t--) {
			struct mmt_zone *z = &nd->zones[t];
			uint64_t pfn;

			if (!mmt_zone_populated(z))
				continue;
			if (!mmt_zone_watermark_ok(z, order, z->wmark[wm],
						   high, gfp)) {
				TRACE(m, "node %u zone %s: watermark %s not ok "
				      "(free %llu, mark %llu, reserve %llu)\n",
				      z->node, mmt_zone_name(z->type),
				      wm == MMT_WMARK_LOW ? "low" : "min",
				      (unsigned long long)z->nr_free_pages,
				      (unsigned long long)z->wmark[wm],
				      (unsigned long long)
				      z->lowmem_reserve[high]);
				continue;
			}
			pfn = rmqueue(m, z, order, mt);
			if (pfn == MMT_PFN_NONE)
				continue;
			prep_new_page(m, z, pfn, order);
			TRACE(m, "order-%u %s from node %u zone %s: pfn %#llx\n",
			      order, mmt_migratetype_name(mt), z->node,
			      mmt_zone_name(z->type), (unsigned long long)pfn);
			return pfn;
		}
	}
	return MMT_PFN_NONE;
}

int mmt_alloc_pages_node(struct mmt_machine *m, unsigned nid, unsigned gfp,
			 unsigned order, uint64_t *pfn)
{
	uint64_t got;

	if (!m->phys || order > MMT_MAX_ORDER || nid >= m->phys->nr_nodes)
		return -ENOMEM;
	/* fast path at the low watermark, then the slow path at min */
	got = get_page_from_freelist(m, nid, gfp, order, MMT_WMARK_LOW);
	if (got == MMT_PFN_NONE)
		got = get_page_from_freelist(m, nid, gfp, order, MMT_WMARK_MIN);
	if (got == MMT_PFN_NONE) {
		TRACE(m, "order-%u allocation failed: -ENOMEM\n", order);
		return -ENOMEM;
	}
	*pfn = got;
	return 0;
}

int mmt_alloc_pages(struct mmt_machine *m, unsigned gfp, unsigned order,
		    uint64_t *pfn)
{
	return mmt_alloc_pages_node(m, 0, gfp, order, pfn);
}

/* Is @pfn the head of a free block of @order in zone @z? (page_is_buddy) */
static bool page_is_buddy(struct mmt_machine *m, struct mmt_zone *z,
			  uint64_t pfn, unsigned order)
{
	struct mmt_page *pg;

	if (pfn < z->zone_start_pfn || pfn >= mmt_zone_end_pfn(z))
		return false;
	pg = page_lookup(m->phys, pfn);
	return pg && (pg->flags & MMT_PG_BUDDY) && pg->private == order;
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
	bool tail = false;

	while (order < MMT_MAX_ORDER) {
		uint64_t buddy = pfn ^ (1ULL << order);
		enum mmt_migratetype bmt, mt;

		if (!page_is_buddy(m, z, buddy, order))
			break;
		bmt = pb_mt(m, z, buddy);
		mt = pb_mt(m, z, pfn);
		if (bmt != mt && (bmt >= MMT_MIGRATE_HIGHATOMIC ||
				  mt >= MMT_MIGRATE_HIGHATOMIC))
			break;
		del_from_free_list(m, z, buddy, order, bmt);
		pfn &= buddy;
		order++;
		if (bmt != mt)
			set_pageblock_range(m, z, pfn, order,
					    pb_mt(m, z, pfn));
	}
	if (order < MMT_MAX_ORDER - 1) {
		uint64_t higher = (pfn & ~((2ULL << order) - 1)) ^
				  (2ULL << order);

		tail = page_is_buddy(m, z, higher, order + 1);
	}
	add_to_free_list(m, z, pfn, order, pb_mt(m, z, pfn), tail);
}

void mmt_free_pages(struct mmt_machine *m, uint64_t pfn, unsigned order)
{
	struct mmt_page *pg = m->phys ? page_lookup(m->phys, pfn) : NULL;
	struct mmt_zone *z;

	if (!pg || !(pg->flags & MMT_PG_HEAD) || pg->private != order)
		MMT_PHYS_BUG("pfn %#llx was not allocated with order %u",
			     (unsigned long long)pfn, order);
	if (pg->refcount != 1)
		MMT_PHYS_BUG("pfn %#llx freed with refcount %d",
			     (unsigned long long)pfn, pg->refcount);
	z = &m->phys->nodes[(pg->flags >> MMT_PAGE_NODE_SHIFT) & 7]
		     .zones[(pg->flags >> MMT_PAGE_ZONE_SHIFT) & 7];
	pg->flags &= ~MMT_PG_HEAD;
	pg->refcount = 0;
	z->nr_alloc_pages -= 1ULL << order;
	frames_drop_range(m, pfn, 1ULL << order);
	TRACE(m, "free order-%u pfn %#llx to zone %s\n", order,
	      (unsigned long long)pfn, mmt_zone_name(z->type));
	free_one_page(m, z, pfn, order);
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
				MMT_PHYS_BUG("host out of memory at boot");
			start += n << MMT_MAX_ORDER;
			continue;
		}
		add_to_free_list(m, z, start, order, pb_mt(m, z, start), true);
		start += 1ULL << order;
	}
}
