/* SPDX-License-Identifier: MIT */
/*
 * mm/internal.h - physical memory's internals (private to the library:
 * mm/, the views, the scenario commands, the tests): memblock, nodes,
 * zones, the buddy allocator and page descriptors (mm/memblock.c, mm/mm_init.c,
 * mm/page_alloc.c, include/linux/mmzone.h).
 *
 *   m->phys
 *    ├─ memblock   memory[] (whole RAM pages), reserved[] (named ranges)
 *    ├─ nodes[]    pg_data_t: pfn span, zones[MMT_NR_ZONES]
 *    │   └─ zone   spanned/present/managed, watermarks, lowmem_reserve,
 *    │             free_area[0..10] { list head/tail per migratetype,
 *    │             nr_free }, boot "runs" (see below), pageblock types
 *    ├─ pages      flat array of struct mmt_page indexed by pfn, in one
 *    │             MAP_NORESERVE host mapping: host pages back only the
 *    │             descriptors ever written; a bitmap records which
 *    │             chunks of 512 descriptors are materialised
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
 *
 * Per-CPU page lists (struct per_cpu_pages, "pcp").  Every populated zone
 * has one mmt_per_cpu_pages per online CPU.  Order 0..3 blocks (and the
 * THP order, = pageblock order here) freed on a CPU go to that CPU's list
 * for (migratetype, order) instead of the buddy; allocations of those
 * orders take the list head and refill a whole batch from the buddy when
 * the list is empty.  A pcp block is linked through its head descriptor's
 * lru_next/lru_prev like a free block, flagged MMT_PG_PCP (not PageBuddy)
 * with its order in ->private.  Its pages are counted in pcp->count, not
 * in NR_FREE_PAGES, so MemFree and buddyinfo leave them out (as the
 * kernel's do).
 *
 *   zone.pcp[cpu]  count/high/high_min/high_max/batch/free_count/
 *    │             alloc_factor/flags
 *    └─ lists[pindex]  pindex = 3*order + mt for order 0..3 (12 lists),
 *                      12 = THP non-movable, 13 = THP movable
 */
#ifndef MMT_MM_INTERNAL_H
#define MMT_MM_INTERNAL_H

#include <mmtwin/machine.h>
#include <mmtwin/page_alloc.h>

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
#define MMT_PG_PCP	0x0040u	/* head of a block on a pcp list */

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
/* zone and node bits together: the index of phys->zone_table */
#define MMT_PAGE_ZONEID_BITS 6
#define MMT_PAGE_ZONEID(flags) \
	(((flags) >> MMT_PAGE_ZONE_SHIFT) & ((1u << MMT_PAGE_ZONEID_BITS) - 1))

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

/* include/linux/mmzone.h: pcp list geometry (THP lists: CONFIG_THP=y). */
#define MMT_PAGE_ALLOC_COSTLY_ORDER	3
#define MMT_MIGRATE_PCPTYPES		3
#define MMT_NR_LOWORDER_PCP_LISTS \
	(MMT_MIGRATE_PCPTYPES * (MMT_PAGE_ALLOC_COSTLY_ORDER + 1))
#define MMT_NR_PCP_THP			2
#define MMT_NR_PCP_LISTS (MMT_NR_LOWORDER_PCP_LISTS + MMT_NR_PCP_THP)
#define MMT_PCP_BATCH_SCALE_MAX		5	/* CONFIG_PCP_BATCH_SCALE_MAX */
#define MMT_MIN_PERCPU_PAGELIST_HIGH_FRACTION 8
#define MMT_BOOT_PAGESET_HIGH		0
#define MMT_BOOT_PAGESET_BATCH		1

/* pcp->flags (PCPF_*) */
#define MMT_PCPF_PREV_FREE_HIGH_ORDER	0x01u
#define MMT_PCPF_FREE_HIGH_BATCH	0x02u

/* struct per_cpu_pages: one CPU's cache of free blocks of one zone. */
struct mmt_per_cpu_pages {
	int count;		/* pages on the lists (2^order per block) */
	int high;		/* current high mark, tuned in [min, max] */
	int high_min, high_max;
	int batch;		/* chunk size for buddy add/remove */
	uint8_t flags;		/* MMT_PCPF_* */
	uint8_t alloc_factor;	/* batch scale on consecutive allocs */
	short free_count;	/* pages freed since the last allocation */
	uint64_t head[MMT_NR_PCP_LISTS];	/* pfns, MMT_PFN_NONE if empty */
	uint64_t tail[MMT_NR_PCP_LISTS];
};

/* zone->flags bits (enum zone_flags subset) */
#define MMT_ZONE_BELOW_HIGH	0x01u	/* free pages below the high mark */

enum mmt_wmark { MMT_WMARK_MIN, MMT_WMARK_LOW, MMT_WMARK_HIGH,
		 MMT_WMARK_PROMO, MMT_NR_WMARK };

struct mmt_zone {
	enum mmt_zone_type type;
	unsigned node;
	uint32_t page_bits;	/* its zone and node bits in page->flags */
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
	unsigned flags;			/* MMT_ZONE_* */
	/* per_cpu_pageset: [online_cpus] for populated zones, else NULL */
	struct mmt_per_cpu_pages *pcp;
	int pageset_high_min, pageset_high_max, pageset_batch;
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
	uint64_t min_free_kbytes;
	unsigned watermark_scale_factor;
	uint64_t totalram_pages;	/* sum of managed */
	unsigned nr_cpus;		/* CPUs with pagesets (online_cpus) */
	unsigned pcp_thp_order;		/* HPAGE_PMD_ORDER (= pageblock) */
	unsigned percpu_pagelist_high_fraction;	/* sysctl, 0 = auto */
	uint64_t llc_bytes;		/* last-level cache shared by all CPUs */
	/*
	 * Descriptors: pages[pfn] for every pfn < max_pfn, one reserved
	 * host mapping (pages_bytes long).  The hot paths index it directly;
	 * a chunk's bit in pg_present is set when the allocator first puts a
	 * block there (mmt_pfn_to_page(.., true)), and only present chunks
	 * hold anything but zeros.  Frame contents stay a sparse table.
	 */
	struct mmt_page *pages;
	size_t pages_bytes;
	uint64_t *pg_present;
	void ***fr_chunk;
	uint64_t nr_chunks;
	uint64_t nr_pg_chunks, nr_fr_chunks, nr_frames;
	uint64_t host_bytes;		/* everything this module allocated */
	FILE *trace;			/* explain decisions, or NULL */
	/*
	 * node_zonelists[ZONELIST_FALLBACK], per preferred node and highest
	 * usable zone type: the populated zones in fallback order, NULL-ended.
	 */
	struct mmt_zone *zonelist[MMT_MAX_NODES][MMT_NR_ZONES]
				 [MMT_MAX_NODES * MMT_NR_ZONES + 1];
	/* page->flags zone/node bits -> zone (page_zone()) */
	struct mmt_zone *zone_table[1u << MMT_PAGE_ZONEID_BITS];
	/* GFP_ZONE_TABLE: zone modifier bits -> highest zone type */
	uint8_t gfp_zone_table[MMT_GFP_ZONEMASK + 1];
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

/*
 * Pages nobody holds over all zones: buddy free + pcp lists (what a leak
 * check wants).  mmt_phys_nr_free_pages() is NR_FREE_PAGES (buddy only,
 * MemFree).  mmt_phys_high_pages(): highmem managed, or NR_FREE_PAGES.
 */
uint64_t mmt_phys_free_pages(struct mmt_machine *m);
uint64_t mmt_phys_nr_free_pages(struct mmt_machine *m);
uint64_t mmt_phys_high_pages(struct mmt_machine *m, bool free_only);

/* ------------------------------------------------ per-CPU page lists */

/* Node of @cpu: QEMU's default NUMA assignment, cpu % nr_nodes. */
unsigned mmt_cpu_to_node(const struct mmt_machine *m, unsigned cpu);
/* zone_batchsize(): ~0.1% of managed, at most 1 MiB, /4, 2^n - 1. */
int mmt_zone_batchsize(const struct mmt_zone *z);
/*
 * zone_highsize(): @high_fraction 0 -> low watermark, else managed /
 * fraction; split over the CPUs of the zone's node (+ @cpu_online);
 * at least batch * 4.
 */
int mmt_zone_highsize(const struct mmt_machine *m, const struct mmt_zone *z,
		      int batch, int cpu_online, unsigned high_fraction);
/* zone_pcp_update(): recompute batch/high_min/high_max of @z's pagesets. */
void mmt_zone_pcp_update(struct mmt_machine *m, struct mmt_zone *z,
			 int cpu_online);
/* Pages on all pcp lists of @z. */
uint64_t mmt_zone_pcp_pages(const struct mmt_machine *m,
			    const struct mmt_zone *z);
/* drain_pages_zone(): return every pcp block of (@cpu, @z) to the buddy. */
void mmt_drain_pages_zone(struct mmt_machine *m, unsigned cpu,
			  struct mmt_zone *z);
/* decay_pcp_high(): the vmstat worker's decay of one pcp; todo count. */
int mmt_decay_pcp_high(struct mmt_machine *m, struct mmt_zone *z,
		       unsigned cpu);
/*
 * vmstat_refresh (refresh_cpu_vm_stats(true) on every CPU): decay each
 * pcp's high and free what is above it.  Returns the pages freed.
 */
uint64_t mmt_vmstat_refresh(struct mmt_machine *m);

/* memblock.memory pages inside pfns [s, e). */
uint64_t mmt_phys_memory_pages(struct mmt_machine *m, uint64_t s, uint64_t e);
/* Sum over zones of max(lowmem_reserve) + high watermark. */
uint64_t mmt_phys_totalreserve_pages(struct mmt_machine *m);

/* Boot helpers (mm_init.c) */
int mmt_phys_boot(struct mmt_machine *m, char *err, size_t errlen);
void mmt_buddy_free_boot_range(struct mmt_machine *m, struct mmt_zone *z,
			       uint64_t start, uint64_t end);
void mmt_setup_watermarks(struct mmt_machine *m);
/* build_all_zonelists(): fill phys->zonelist once managed is known. */
void mmt_build_all_zonelists(struct mmt_machine *m);
/* setup_per_cpu_pageset(): boot pagesets of every populated zone. */
int mmt_setup_per_cpu_pageset(struct mmt_machine *m);
/* setup_pcp_cacheinfo(): PCPF_FREE_HIGH_BATCH from the LLC slice. */
void mmt_setup_pcp_cacheinfo(struct mmt_machine *m);

#endif
