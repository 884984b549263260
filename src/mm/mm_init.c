// SPDX-License-Identifier: MIT
/*
 * Booting physical memory (mm/memblock.c, mm/mm_init.c, arch/x86 setup):
 *
 *   e820 RAM ──► memblock.memory (whole pages, capped at max_pfn)
 *   reservations ──► memblock.reserved: first 1 MiB, kernel image,
 *                    early page tables, the memmap (struct page array)
 *   nodes: RAM split evenly by pfn; zones: layout boundaries ∩ node
 *   spanned = end - start; present = memory pages inside;
 *   managed = pages memblock_free_all() hands to the buddy
 *   then min_free_kbytes, watermarks and lowmem_reserve.
 */
#include "mm/internal.h"
#include "init/boot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define MB(x) ((uint64_t)(x) << 20)

static const char *const mt_names[MMT_MIGRATE_TYPES] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate",
};

const char *mmt_migratetype_name(enum mmt_migratetype mt)
{
	return (unsigned)mt < MMT_MIGRATE_TYPES ? mt_names[mt] : "?";
}

/*
 * Zones in the kernel's enum order for this arch, as /proc/zoneinfo lists
 * them: x86_64 (6.18 host config) DMA, DMA32, Normal, Movable, Device;
 * x86_32 (Debian 6.1, no ZONE_DMA32/ZONE_DEVICE) DMA, Normal, HighMem,
 * Movable.  Device is MMT_ZONE_DEVICE_VIEW (never populated).
 */
unsigned mmt_arch_zone_list(const struct mmt_machine *m, int *types)
{
	unsigned n = 0;

	types[n++] = MMT_ZONE_DMA;
	if (mmt_arch_is_64(m->cfg.arch))
		types[n++] = MMT_ZONE_DMA32;
	types[n++] = MMT_ZONE_NORMAL;
	if (!mmt_arch_is_64(m->cfg.arch))
		types[n++] = MMT_ZONE_HIGHMEM;
	types[n++] = MMT_ZONE_MOVABLE;
	if (mmt_arch_is_64(m->cfg.arch))
		types[n++] = MMT_ZONE_DEVICE_VIEW;
	return n;
}

/* NR_FREE_PAGES summed: the buddy lists only (MemFree). */
uint64_t mmt_phys_nr_free_pages(struct mmt_machine *m)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < m->phys->nr_nodes; i++)
		for (unsigned t = 0; t < MMT_NR_ZONES; t++)
			n += m->phys->nodes[i].zones[t].nr_free_pages;
	return n;
}

/* Pages nobody holds: the buddy lists plus every pcp list. */
uint64_t mmt_phys_free_pages(struct mmt_machine *m)
{
	uint64_t n = mmt_phys_nr_free_pages(m);

	for (unsigned i = 0; i < m->phys->nr_nodes; i++)
		for (unsigned t = 0; t < MMT_NR_ZONES; t++)
			n += mmt_zone_pcp_pages(m,
						&m->phys->nodes[i].zones[t]);
	return n;
}

uint64_t mmt_phys_high_pages(struct mmt_machine *m, bool free_only)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < m->phys->nr_nodes; i++) {
		struct mmt_zone *z = &m->phys->nodes[i].zones[MMT_ZONE_HIGHMEM];

		n += free_only ? z->nr_free_pages : z->managed;
	}
	return n;
}

/* ------------------------------------------------------------ memblock */

static uint64_t memory_pages_in(struct mmt_phys *p, uint64_t s, uint64_t e);

uint64_t mmt_phys_memory_pages(struct mmt_machine *m, uint64_t s, uint64_t e)
{
	return memory_pages_in(m->phys, s, e);
}

/* calculate_totalreserve_pages(): what MemAvailable keeps back. */
uint64_t mmt_phys_totalreserve_pages(struct mmt_machine *m)
{
	uint64_t total = 0;

	for (unsigned n = 0; n < m->phys->nr_nodes; n++)
		for (unsigned t = 0; t < MMT_NR_ZONES; t++) {
			struct mmt_zone *z = &m->phys->nodes[n].zones[t];
			uint64_t mx = 0;

			for (unsigned j = 0; j < MMT_NR_ZONES; j++)
				if (z->lowmem_reserve[j] > mx)
					mx = z->lowmem_reserve[j];
			mx += z->wmark[MMT_WMARK_HIGH];
			total += mx < z->managed ? mx : z->managed;
		}
	return total;
}

static int mb_add(struct mmt_mb_region *r, unsigned *nr, uint64_t start,
		  uint64_t end, const char *name)
{
	if (end <= start)
		return 0;
	if (*nr >= MMT_MB_MAX)
		return -1;
	r[(*nr)++] = (struct mmt_mb_region){ start, end, name };
	return 0;
}

static int cmp_region(const void *a, const void *b)
{
	const struct mmt_mb_region *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* memblock.memory: e820 RAM, whole pages, below max_pfn. */
static int memblock_memory(struct mmt_machine *m, uint64_t max_pfn)
{
	struct mmt_phys *p = m->phys;

	for (unsigned i = 0; i < m->e820.nr; i++) {
		const struct mmt_e820_entry *e = &m->e820.e[i];
		uint64_t s, end;

		if (e->type != MMT_E820_RAM)
			continue;
		s = (e->addr + MMT_PAGE_SIZE - 1) & MMT_PAGE_MASK;
		end = (e->addr + e->size) & MMT_PAGE_MASK;
		if (end > max_pfn << MMT_PAGE_SHIFT)
			end = max_pfn << MMT_PAGE_SHIFT;
		if (mb_add(p->memory, &p->nr_memory, s, end, "System RAM"))
			return -1;
	}
	qsort(p->memory, p->nr_memory, sizeof(p->memory[0]), cmp_region);
	return 0;
}

/* Memory region @i as whole pfns, clipped to [s, e); a >= b when empty. */
static void memory_pfns_in(const struct mmt_phys *p, unsigned i, uint64_t s,
			   uint64_t e, uint64_t *a, uint64_t *b)
{
	*a = p->memory[i].start >> MMT_PAGE_SHIFT;
	*b = p->memory[i].end >> MMT_PAGE_SHIFT;
	if (*a < s)
		*a = s;
	if (*b > e)
		*b = e;
}

/* Memory pages inside pfns [s, e). */
static uint64_t memory_pages_in(struct mmt_phys *p, uint64_t s, uint64_t e)
{
	uint64_t n = 0, a, b;

	for (unsigned i = 0; i < p->nr_memory; i++) {
		memory_pfns_in(p, i, s, e, &a, &b);
		if (b > a)
			n += b - a;
	}
	return n;
}

/*
 * The kernel image, as /proc/iomem prints it.  x86_64: this host's 6.18
 * kernel (no KASLR); x86_32: Debian 6.1 686's sections (9327K code) moved
 * to CONFIG_PHYSICAL_START = 16 MiB.
 */
static void kernel_image(struct mmt_machine *m)
{
	struct mmt_mb_region *k = m->phys->kimage;

	if (mmt_arch_is_64(m->cfg.arch)) {
		k[0] = (struct mmt_mb_region){ 0x1000000, 0x2209988, "Kernel code" };
		k[1] = (struct mmt_mb_region){ 0x2400000, 0x2e0a000, "Kernel rodata" };
		k[2] = (struct mmt_mb_region){ 0x3000000, 0x327c100, "Kernel data" };
		k[3] = (struct mmt_mb_region){ 0x3b34000, 0x3c58000, "Kernel bss" };
	} else {
		k[0] = (struct mmt_mb_region){ 0x1000000, 0x191bc80, "Kernel code" };
		k[1] = (struct mmt_mb_region){ 0x191c000, 0x1c39000, "Kernel rodata" };
		k[2] = (struct mmt_mb_region){ 0x1c39000, 0x1d70bc0, "Kernel data" };
		k[3] = (struct mmt_mb_region){ 0x1e72000, 0x1ee6000, "Kernel bss" };
	}
}

/* Highest memory address below @limit (top-down memblock_alloc). */
static uint64_t memory_top_below(struct mmt_phys *p, uint64_t limit)
{
	uint64_t top = 0;

	for (unsigned i = 0; i < p->nr_memory; i++) {
		uint64_t e = p->memory[i].end < limit ? p->memory[i].end : limit;

		if (e > p->memory[i].start && e > top)
			top = e;
	}
	return top;
}

/*
 * memblock.reserved: the first 1 MiB (x86 always reserves it), the kernel
 * image (_text .. end of bss), the memmap (layout.struct_page_size bytes per
 * present page, per node, at the top of the node's directly mapped
 * memory, 2 MiB granular on x86_64's vmemmap) and an estimate of the
 * early page tables (one page per GiB of direct map, plus 4) below it.
 */
static int memblock_reserve_boot(struct mmt_machine *m)
{
	struct mmt_phys *p = m->phys;
	uint64_t low_limit = m->layout.max_low_pfn << MMT_PAGE_SHIFT;

	if (mb_add(p->reserved, &p->nr_reserved, 0, MB(1), "first 1 MiB") ||
	    mb_add(p->reserved, &p->nr_reserved, p->kimage[0].start,
		   (p->kimage[3].end + MMT_PAGE_SIZE - 1) & MMT_PAGE_MASK,
		   "kernel image"))
		return -1;
	for (unsigned n = 0; n < p->nr_nodes; n++) {
		struct mmt_node *nd = &p->nodes[n];
		uint64_t bytes = nd->present * m->layout.struct_page_size, top, pt;
		uint64_t limit = nd->end_pfn << MMT_PAGE_SHIFT;

		if (!mmt_arch_is_64(m->cfg.arch) || limit > low_limit)
			limit = limit < low_limit ? limit : low_limit;
		if (mmt_arch_is_64(m->cfg.arch))
			bytes = (bytes + MB(2) - 1) & ~(MB(2) - 1);
		else
			bytes = (bytes + MMT_PAGE_SIZE - 1) & MMT_PAGE_MASK;
		top = memory_top_below(p, limit);
		if (top < bytes + MB(32) ||
		    top - bytes < (nd->start_pfn << MMT_PAGE_SHIFT))
			continue;	/* tiny node: memmap lives elsewhere */
		if (mb_add(p->reserved, &p->nr_reserved, top - bytes, top,
			   "memmap"))
			return -1;
		pt = ((nd->present >> 18) + 4) << MMT_PAGE_SHIFT;
		if (n == 0 && mb_add(p->reserved, &p->nr_reserved,
				     top - bytes - pt, top - bytes,
				     "early page tables"))
			return -1;
	}
	qsort(p->reserved, p->nr_reserved, sizeof(p->reserved[0]), cmp_region);
	return 0;
}

/*
 * Call @fn for every free (memory minus reserved) pfn range inside
 * [s, e).  Reserved ranges are sorted; they may overlap each other.
 */
static void for_each_free_range(struct mmt_machine *m, struct mmt_zone *z,
				 uint64_t s, uint64_t e,
				 uint64_t *count, bool do_free)
{
	struct mmt_phys *p = m->phys;

	for (unsigned i = 0; i < p->nr_memory; i++) {
		uint64_t a, b;

		memory_pfns_in(p, i, s, e, &a, &b);
		for (unsigned r = 0; r < p->nr_reserved && a < b; r++) {
			uint64_t rs = p->reserved[r].start >> MMT_PAGE_SHIFT;
			uint64_t re = (p->reserved[r].end + MMT_PAGE_SIZE - 1)
				      >> MMT_PAGE_SHIFT;

			if (re <= a || rs >= b)
				continue;
			if (rs > a) {
				*count += rs - a;
				if (do_free)
					mmt_buddy_free_boot_range(m, z, a, rs);
			}
			a = re;
		}
		if (b > a) {
			*count += b - a;
			if (do_free)
				mmt_buddy_free_boot_range(m, z, a, b);
		}
	}
}

/* ------------------------------------------------------ nodes, zones */

static void setup_nodes(struct mmt_machine *m, uint64_t max_pfn)
{
	struct mmt_phys *p = m->phys;
	uint64_t first = p->memory[0].start >> MMT_PAGE_SHIFT;
	unsigned nr = m->cfg.nodes ? m->cfg.nodes : 1;
	uint64_t span = max_pfn - first;

	if (nr > MMT_MAX_NODES)
		nr = MMT_MAX_NODES;
	/* nodes smaller than 64 MiB would be silly: use fewer */
	while (nr > 1 && span / nr < (MB(64) >> MMT_PAGE_SHIFT))
		nr--;
	p->nr_nodes = nr;
	for (unsigned n = 0; n < nr; n++) {
		struct mmt_node *nd = &p->nodes[n];
		uint64_t s = n ? (first + span * n / nr) & ~1023ULL : 0;
		uint64_t e = n + 1 < nr ?
			     (first + span * (n + 1) / nr) & ~1023ULL : max_pfn;
		uint64_t lo = UINT64_MAX, hi = 0;

		for (unsigned i = 0; i < p->nr_memory; i++) {
			uint64_t a, b;

			memory_pfns_in(p, i, s, e, &a, &b);
			if (b <= a)
				continue;
			if (a < lo)
				lo = a;
			if (b > hi)
				hi = b;
		}
		nd->start_pfn = lo == UINT64_MAX ? s : lo;
		nd->end_pfn = hi ? hi : s;
		nd->present = memory_pages_in(p, nd->start_pfn, nd->end_pfn);
	}
}

static int setup_zones(struct mmt_machine *m)
{
	struct mmt_phys *p = m->phys;
	unsigned pbo = p->pageblock_order;

	for (unsigned n = 0; n < p->nr_nodes; n++) {
		struct mmt_node *nd = &p->nodes[n];

		for (unsigned t = 0; t < MMT_NR_ZONES; t++) {
			struct mmt_zone *z = &nd->zones[t];
			uint64_t s = m->layout.zone_start_pfn[t];
			uint64_t e = m->layout.zone_end_pfn[t];
			uint64_t nb;

			z->type = (enum mmt_zone_type)t;
			z->node = n;
			z->page_bits = (t << MMT_PAGE_ZONE_SHIFT) |
				       (n << MMT_PAGE_NODE_SHIFT);
			for (unsigned o = 0; o < MMT_NR_ORDERS; o++)
				for (unsigned mt = 0; mt < MMT_MIGRATE_TYPES; mt++)
					z->free_area[o].head[mt] =
					z->free_area[o].tail[mt] = MMT_PFN_NONE;
			if (s < nd->start_pfn)
				s = nd->start_pfn;
			if (e > nd->end_pfn)
				e = nd->end_pfn;
			if (e <= s)
				continue;
			z->zone_start_pfn = s;
			z->spanned = e - s;
			z->present = memory_pages_in(p, s, e);
			nb = ((e - 1) >> pbo) - (s >> pbo) + 1;
			/* all pageblocks MOVABLE at boot (memmap_init) */
			z->pageblock_mt = malloc(nb);
			if (!z->pageblock_mt)
				return -1;
			memset(z->pageblock_mt, MMT_MIGRATE_MOVABLE, nb);
			p->host_bytes += nb;
		}
	}
	return 0;
}

/* int_sqrt(): floor of the square root. */
static uint64_t int_sqrt(uint64_t x)
{
	uint64_t r = 0;

	for (uint64_t bit = 1ULL << 62; bit; bit >>= 2) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
	}
	return r;
}

/*
 * calculate_min_free_kbytes() + __setup_per_zone_wmarks() +
 * setup_per_zone_lowmem_reserve(); see kernel-facts 4.3 and the tests.
 * Like setup_per_zone_wmarks(), then re-sizes every zone's pagesets
 * (zone_pcp_update(zone, 0)), since pcp high_min derives from "low".
 */
void mmt_setup_watermarks(struct mmt_machine *m)
{
	static const unsigned ratio[MMT_NR_ZONES] = {
		[MMT_ZONE_DMA] = 256, [MMT_ZONE_DMA32] = 256,
		[MMT_ZONE_NORMAL] = 32,
	};
	struct mmt_phys *p = m->phys;
	uint64_t lowmem = 0, pages_min, mfk;

	for (unsigned n = 0; n < p->nr_nodes; n++)
		for (unsigned t = 0; t <= MMT_ZONE_NORMAL; t++)
			lowmem += p->nodes[n].zones[t].managed;
	mfk = int_sqrt(lowmem * 4 * 16);
	mfk = mfk < 128 ? 128 : mfk > 262144 ? 262144 : mfk;
	/*
	 * khugepaged's set_recommended_min_free_kbytes() (THP is on in every
	 * modelled config): per populated zone up to gfp_zone(GFP_USER),
	 * pageblock * (2 + MIGRATE_PCPTYPES^2), at most 5% of lowmem.
	 */
	{
		uint64_t nz = 0, rec;

		for (unsigned n = 0; n < p->nr_nodes; n++)
			for (unsigned t = 0; t <= MMT_ZONE_NORMAL; t++)
				nz += p->nodes[n].zones[t].managed != 0;
		rec = (1ULL << p->pageblock_order) * nz * (2 + 3 * 3);
		if (rec > lowmem / 20)
			rec = lowmem / 20;
		rec <<= MMT_PAGE_SHIFT - 10;
		if (rec > mfk)
			mfk = rec;
	}
	p->min_free_kbytes = mfk;
	pages_min = mfk >> (MMT_PAGE_SHIFT - 10);
	for (unsigned n = 0; n < p->nr_nodes; n++) {
		for (unsigned t = 0; t < MMT_NR_ZONES; t++) {
			struct mmt_zone *z = &p->nodes[n].zones[t];
			uint64_t tmp = lowmem ? pages_min * z->managed / lowmem : 0;
			uint64_t delta, scaled;

			if (t == MMT_ZONE_HIGHMEM || t == MMT_ZONE_MOVABLE) {
				uint64_t mn = z->managed / 1024;

				z->wmark[MMT_WMARK_MIN] = mn < 32 ? 32 :
							  mn > 128 ? 128 : mn;
			} else {
				z->wmark[MMT_WMARK_MIN] = tmp;
			}
			scaled = z->managed * p->watermark_scale_factor / 10000;
			delta = (tmp >> 2) > scaled ? tmp >> 2 : scaled;
			z->wmark[MMT_WMARK_LOW] = z->wmark[MMT_WMARK_MIN] + delta;
			z->wmark[MMT_WMARK_HIGH] = z->wmark[MMT_WMARK_LOW] + delta;
			z->wmark[MMT_WMARK_PROMO] = z->wmark[MMT_WMARK_HIGH] + delta;
		}
		/* setup_per_zone_wmarks(): the pcp high limits follow low */
		for (unsigned t = 0; t < MMT_NR_ZONES; t++)
			mmt_zone_pcp_update(m, &p->nodes[n].zones[t], 0);
		for (unsigned i = 0; i < MMT_NR_ZONES; i++) {
			struct mmt_zone *z = &p->nodes[n].zones[i];
			uint64_t sum = 0;

			memset(z->lowmem_reserve, 0, sizeof(z->lowmem_reserve));
			if (!ratio[i] || !z->managed)
				continue;
			for (unsigned j = i + 1; j < MMT_NR_ZONES; j++) {
				sum += p->nodes[n].zones[j].managed;
				z->lowmem_reserve[j] = sum / ratio[i];
			}
		}
	}
}

/*
 * The descriptor array: address space for max_pfn descriptors, reserved
 * without committing memory, so the host backs (with zero-filled pages)
 * only the descriptors the model writes -- a 1 TiB machine reserves 8 GiB
 * of address space and uses a few MiB of it.
 */
static int reserve_page_array(struct mmt_phys *p, char *err, size_t errlen)
{
	/* up to the next max-order boundary: buddies of the last blocks */
	uint64_t n = (p->max_pfn + (1ULL << MMT_MAX_ORDER) - 1) &
		     ~((1ULL << MMT_MAX_ORDER) - 1);
	size_t bytes = ((size_t)n * sizeof(struct mmt_page) +
			MMT_PAGE_SIZE - 1) & ~(size_t)(MMT_PAGE_SIZE - 1);
	void *a = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (a == MAP_FAILED) {
		snprintf(err, errlen, "cannot reserve %zu MiB of host address "
			 "space for the page descriptors: %s", bytes >> 20,
			 strerror(errno));
		return -1;
	}
	p->pages = a;
	p->pages_bytes = bytes;
	return 0;
}

int mmt_mm_init(struct mmt_machine *m, char *err, size_t errlen)
{
	struct mmt_phys *p = calloc(1, sizeof(*p));
	uint64_t max_pfn = m->layout.max_pfn ? m->layout.max_pfn : m->ram_end_pfn;

	if (!p)
		goto oom;
	m->phys = p;
	p->host_bytes = sizeof(*p);
	p->pageblock_order = m->cfg.arch == MMT_ARCH_X86_32 ? 10 : 9;
	p->watermark_scale_factor = 10;
	p->nr_cpus = m->cfg.online_cpus ? m->cfg.online_cpus : 1;
	/* HPAGE_PMD_ORDER: 10 with 2-level (4 MiB) PMDs, else 9 */
	p->pcp_thp_order = p->pageblock_order;
	p->percpu_pagelist_high_fraction = 0;
	/* this host's L3 (32 MiB, shared by all its CPUs) */
	p->llc_bytes = 32ULL << 20;
	kernel_image(m);
	if (memblock_memory(m, max_pfn) || !p->nr_memory) {
		snprintf(err, errlen, "memblock: no usable RAM below max_pfn");
		return -1;
	}
	max_pfn = p->memory[p->nr_memory - 1].end >> MMT_PAGE_SHIFT;
	p->max_pfn = max_pfn;
	p->nr_chunks = (max_pfn >> MMT_PG_CHUNK_SHIFT) + 1;
	if (reserve_page_array(p, err, errlen))
		return -ENOMEM;
	p->pg_present = calloc((p->nr_chunks + 63) / 64, sizeof(uint64_t));
	p->fr_chunk = calloc(p->nr_chunks, sizeof(*p->fr_chunk));
	if (!p->pg_present || !p->fr_chunk)
		goto oom;
	p->host_bytes += (p->nr_chunks + 63) / 64 * sizeof(uint64_t) +
			 p->nr_chunks * sizeof(void *);
	setup_nodes(m, max_pfn);
	if (memblock_reserve_boot(m)) {
		snprintf(err, errlen, "memblock: too many regions");
		return -1;
	}
	if (setup_zones(m))
		goto oom;
	/* memblock_free_all(): free what is not reserved, zone by zone */
	for (unsigned n = 0; n < p->nr_nodes; n++)
		for (unsigned t = 0; t < MMT_NR_ZONES; t++) {
			struct mmt_zone *z = &p->nodes[n].zones[t];
			uint64_t cnt = 0;

			if (!z->spanned)
				continue;
			for_each_free_range(m, z, z->zone_start_pfn,
					    mmt_zone_end_pfn(z), &cnt, true);
			z->managed = cnt;
			p->totalram_pages += cnt;
		}
	mmt_build_all_zonelists(m);
	/* setup_per_cpu_pageset(), then the watermarks re-size them */
	if (mmt_setup_per_cpu_pageset(m))
		goto oom;
	mmt_setup_watermarks(m);
	mmt_setup_pcp_cacheinfo(m);
	/* --trace: every decision from here on (boot-time page tables too) */
	p->trace = m->cfg.trace ? stdout : NULL;
	return 0;
oom:
	snprintf(err, errlen, "out of host memory booting physical memory");
	return -ENOMEM;
}

void mmt_mm_exit(struct mmt_machine *m)
{
	struct mmt_phys *p = m->phys;

	if (!p)
		return;
	for (uint64_t c = 0; c < p->nr_chunks; c++) {
		if (p->fr_chunk && p->fr_chunk[c]) {
			for (unsigned i = 0; i < (1u << MMT_PG_CHUNK_SHIFT); i++)
				free(p->fr_chunk[c][i]);
			free(p->fr_chunk[c]);
		}
	}
	if (p->pages)
		munmap(p->pages, p->pages_bytes);
	free(p->pg_present);
	free(p->fr_chunk);
	for (unsigned n = 0; n < p->nr_nodes; n++)
		for (unsigned t = 0; t < MMT_NR_ZONES; t++) {
			free(p->nodes[n].zones[t].runs);
			free(p->nodes[n].zones[t].pageblock_mt);
			free(p->nodes[n].zones[t].pcp);
		}
	free(p);
	m->phys = NULL;
}
