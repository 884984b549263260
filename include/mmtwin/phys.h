/* SPDX-License-Identifier: MIT */
/*
 * mmtwin/phys.h - physical memory: memblock, nodes, zones, the buddy
 * allocator and page descriptors (mm/memblock.c, mm/mm_init.c,
 * mm/page_alloc.c, include/linux/mmzone.h).
 *
 *   m->phys
 *    ├─ memblock   memory[] (whole RAM pages), reserved[] (named ranges)
 *    ├─ nodes[]    pg_data_t: pfn span, zones[MMT_NR_ZONES]
 *    │   └─ zone   spanned/present/managed, watermarks, lowmem_reserve,
 *    │             free_area[0..10] { list head/tail per migratetype,
 *    │             nr_free }, boot "runs" (see below), pageblock types
 *    ├─ pages      sparse two-level table of struct mmt_page, a chunk of
 *    │             512 descriptors is allocated on first touch
 *    └─ frames     sparse two-level table of 4 KiB frame contents
 *
 * Free lists.  An explicit free block is linked through its head page's
 * descriptor (lru_next/lru_prev hold pfns), flagged MMT_PG_BUDDY with its
 * order in ->private, like the kernel's PageBuddy.  Booting a 1 TiB
 * machine must not touch 2^28 descriptors, so the order-10 MOVABLE blocks
 * that memblock_free_all() would free are kept as "runs" of consecutive
 * blocks [pfn, pfn + nr * 1024): logically they are the tail of the
 * order-10 MOVABLE list (the boot frees go to the list tail in ascending
 * pfn order, FPI_TO_TAIL), and a block is carved from the front of the
 * first run only when the explicit list is empty.
 */
#ifndef MMTWIN_PHYS_H
#define MMTWIN_PHYS_H

#include "machine.h"
#include "page_alloc.h"

#include <stdio.h>

#define MMT_NR_ORDERS (MMT_MAX_ORDER + 1)
#define MMT_PFN_NONE UINT64_MAX

/* enum migratetype, kernel order (no CMA in these configs). */
enum mmt_migratetype {
	MMT_MIGRATE_UNMOVABLE,
	MMT_MIGRATE_MOVABLE,
	MMT_MIGRATE_RECLAIMABLE,
	MMT_MIGRATE_HIGHATOMIC,
	MMT_MIGRATE_ISOLATE,
	MMT_MIGRATE_TYPES
};

/* Page flags (a subset of PG_*, numbered for the model). */
#define MMT_PG_BUDDY	0x0001u	/* head of a free buddy block (PageBuddy) */
#define MMT_PG_HEAD	0x0002u	/* head of an allocated block */
#define MMT_PG_RESERVED	0x0004u	/* PG_reserved */
#define MMT_PG_LRU	0x0008u	/* on an LRU list (later: reclaim) */
#define MMT_PG_DIRTY	0x0010u
#define MMT_PG_ANON	0x0020u

/*
 * struct page analogue, 32 host bytes.  flags packs PG bits (0..15), the
 * zone (16..18) and the node (19..21).  lru_next/lru_prev are the free
 * list links while MMT_PG_BUDDY, the LRU links later.
 */
struct mmt_page {
	uint32_t flags;
	int32_t refcount;	/* _refcount */
	int32_t mapcount;	/* _mapcount + 1: 0 = not mapped */
	uint32_t private;	/* buddy order (free or allocated head) */
	uint64_t lru_next;
	uint64_t lru_prev;
};

#define MMT_PAGE_ZONE_SHIFT 16
#define MMT_PAGE_NODE_SHIFT 19

struct mmt_free_area {
	uint64_t head[MMT_MIGRATE_TYPES];	/* explicit list, pfns */
	uint64_t tail[MMT_MIGRATE_TYPES];
	uint64_t nr_mt[MMT_MIGRATE_TYPES];	/* blocks per type (incl. runs) */
	uint64_t nr_free;			/* blocks, all types */
};

/* A run of consecutive free order-10 MOVABLE blocks left by boot. */
struct mmt_run {
	uint64_t pfn;
	uint64_t nr;	/* blocks */
};

enum mmt_wmark { MMT_WMARK_MIN, MMT_WMARK_LOW, MMT_WMARK_HIGH,
		 MMT_WMARK_PROMO, MMT_NR_WMARK };

struct mmt_zone {
	enum mmt_zone_type type;
	unsigned node;
	uint64_t zone_start_pfn;
	uint64_t spanned, present, managed;
	uint64_t wmark[MMT_NR_WMARK];
	uint64_t lowmem_reserve[MMT_NR_ZONES];
	uint64_t nr_free_pages;		/* NR_FREE_PAGES */
	uint64_t nr_alloc_pages;	/* handed out by the buddy */
	struct mmt_free_area free_area[MMT_NR_ORDERS];
	struct mmt_run *runs;
	unsigned nr_runs, run_first;
	uint8_t *pageblock_mt;		/* one per pageblock of the span */
};

static inline uint64_t mmt_zone_end_pfn(const struct mmt_zone *z)
{
	return z->zone_start_pfn + z->spanned;
}

struct mmt_node {
	uint64_t start_pfn, end_pfn;	/* node_start_pfn, end exclusive */
	uint64_t present;
	struct mmt_zone zones[MMT_NR_ZONES];
};

/* A memblock region: [start, end) bytes, with an optional name. */
struct mmt_mb_region {
	uint64_t start, end;
	const char *name;
};

#define MMT_MB_MAX 64
#define MMT_PG_CHUNK_SHIFT 9	/* 512 descriptors (16 KiB) per chunk */

struct mmt_phys {
	unsigned nr_nodes;
	struct mmt_node nodes[MMT_MAX_NODES];
	struct mmt_mb_region memory[MMT_MB_MAX];
	unsigned nr_memory;
	struct mmt_mb_region reserved[MMT_MB_MAX];
	unsigned nr_reserved;
	struct mmt_mb_region kimage[4];	/* code, rodata, data, bss */
	uint64_t max_pfn;		/* pfns covered by the tables */
	unsigned pageblock_order;
	unsigned struct_page_size;	/* the modelled kernel's sizeof */
	uint64_t min_free_kbytes;
	unsigned watermark_scale_factor;
	uint64_t totalram_pages;	/* sum of managed */
	/* sparse descriptor and frame tables */
	struct mmt_page **pg_chunk;
	void ***fr_chunk;
	uint64_t nr_chunks;
	uint64_t nr_pg_chunks, nr_fr_chunks, nr_frames;
	uint64_t host_bytes;		/* everything this module allocated */
	FILE *trace;			/* explain decisions, or NULL */
	/* blocks held by scenario commands (alloc_pages NAME, fill ...) */
	struct mmt_phys_hold *holds;
	unsigned nr_holds, cap_holds;
};

/* A block a scenario holds: name "" for anonymous fill/fragment blocks. */
struct mmt_phys_hold {
	char name[32];
	uint64_t pfn;
	unsigned order;
};

/* Descriptor of @pfn: NULL if never materialised (and !create) or beyond. */
struct mmt_page *mmt_pfn_to_page(struct mmt_machine *m, uint64_t pfn,
				 bool create);
/* Zone holding @pfn, NULL in holes outside every zone span. */
struct mmt_zone *mmt_page_zone(struct mmt_machine *m, uint64_t pfn);
/* Migratetype of @pfn's pageblock. */
enum mmt_migratetype mmt_pfn_migratetype(struct mmt_machine *m, uint64_t pfn);
/* Blocks on a free list of @z at @order of type @mt (incl. boot runs). */
uint64_t mmt_zone_nr_free_mt(const struct mmt_zone *z, unsigned order,
			     enum mmt_migratetype mt);
bool mmt_zone_populated(const struct mmt_zone *z);
bool mmt_zone_is_highmem(const struct mmt_zone *z);

/* Allocate on a given node's zonelist first. */
int mmt_alloc_pages_node(struct mmt_machine *m, unsigned nid, unsigned gfp,
			 unsigned order, uint64_t *pfn);
/* __zone_watermark_ok(): may @order pages be taken from @z for @gfp? */
bool mmt_zone_watermark_ok(const struct mmt_zone *z, unsigned order,
			   uint64_t mark, enum mmt_zone_type highest,
			   unsigned gfp);
/* gfp_zone(): the highest zone type @gfp may use on this machine. */
enum mmt_zone_type mmt_gfp_zone(const struct mmt_machine *m, unsigned gfp);
enum mmt_migratetype mmt_gfp_migratetype(unsigned gfp);
const char *mmt_migratetype_name(enum mmt_migratetype mt);

/* Zones as the kernel lists them for this arch (for views). */
unsigned mmt_arch_zone_list(const struct mmt_machine *m, int *types);
#define MMT_ZONE_DEVICE_VIEW (-1)

/* Pages free / managed over all zones, and over highmem zones. */
uint64_t mmt_phys_free_pages(struct mmt_machine *m);
uint64_t mmt_phys_high_pages(struct mmt_machine *m, bool free_only);

/* memblock.memory pages inside pfns [s, e). */
uint64_t mmt_phys_memory_pages(struct mmt_machine *m, uint64_t s, uint64_t e);
/* Sum over zones of max(lowmem_reserve) + high watermark. */
uint64_t mmt_phys_totalreserve_pages(struct mmt_machine *m);

/* Boot helpers (mm_init.c) */
int mmt_phys_boot(struct mmt_machine *m, char *err, size_t errlen);
void mmt_buddy_free_boot_range(struct mmt_machine *m, struct mmt_zone *z,
			       uint64_t start, uint64_t end);
void mmt_setup_watermarks(struct mmt_machine *m);

/* Broken invariant: print "mmtwin: BUG in FUNCTION: message" and abort. */
void mmt_phys_bug(const char *fn, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
#define MMT_PHYS_BUG(...) mmt_phys_bug(__func__, __VA_ARGS__)

#endif
