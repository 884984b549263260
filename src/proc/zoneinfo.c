// SPDX-License-Identifier: MIT
/*
 * /proc/zoneinfo, 6.18 format (mm/vmstat.c zoneinfo_show_print): every
 * zone of every node, populated or not.  Counters the model does not
 * have yet (page cache, anon, NUMA events) are printed as 0 -- true for
 * a machine that has run nothing.  The pageset block prints each CPU's
 * struct per_cpu_pages (count, high, batch, high_min, high_max; high is
 * 0 until the CPU first uses the zone, as on the host); the vm stats
 * threshold follows calculate_normal_threshold().
 *
 * JSON (not a kernel format): {"nodes": [{"node": N, "stats": {per-node
 * counters}, "zones": [{"zone": "DMA", "populated": true, "free", "boost",
 * "min", "low", "high", "promo", "spanned", "present", "managed", "cma",
 * "protection": [...], and for populated zones "stats": {nr_free_pages,
 * nr_free_pages_blocks, ...}, "pagesets": [{"cpu", "count", "high",
 * "batch", "high_min", "high_max", "vm_stats_threshold"}],
 * "node_unreclaimable", "start_pfn"}]}]}.
 */
#include "mm/internal.h"
#include <mmtwin/views.h>

static const char *const node_stats[] = {
	"nr_inactive_anon", "nr_active_anon", "nr_inactive_file",
	"nr_active_file", "nr_unevictable", "nr_slab_reclaimable",
	"nr_slab_unreclaimable", "nr_isolated_anon", "nr_isolated_file",
	"workingset_nodes", "workingset_refault_anon",
	"workingset_refault_file", "workingset_activate_anon",
	"workingset_activate_file", "workingset_restore_anon",
	"workingset_restore_file", "workingset_nodereclaim", "nr_anon_pages",
	"nr_mapped", "nr_file_pages", "nr_dirty", "nr_writeback", "nr_shmem",
	"nr_shmem_hugepages", "nr_shmem_pmdmapped", "nr_file_hugepages",
	"nr_file_pmdmapped", "nr_anon_transparent_hugepages",
	"nr_vmscan_write", "nr_vmscan_immediate_reclaim", "nr_dirtied",
	"nr_written", "nr_throttled_written", "nr_kernel_misc_reclaimable",
	"nr_foll_pin_acquired", "nr_foll_pin_released", "nr_kernel_stack",
	"nr_page_table_pages", "nr_sec_page_table_pages", "nr_iommu_pages",
	"nr_swapcached", "pgpromote_success", "pgpromote_candidate",
	"pgpromote_candidate_nrl", "pgdemote_kswapd", "pgdemote_direct",
	"pgdemote_khugepaged", "pgdemote_proactive", "nr_hugetlb",
	"nr_balloon_pages", "nr_kernel_file_pages",
};

static const char *const zone_stats[] = {
	"nr_zone_inactive_anon", "nr_zone_active_anon",
	"nr_zone_inactive_file", "nr_zone_active_file",
	"nr_zone_unevictable", "nr_zone_write_pending", "nr_mlock",
	"nr_zspages", "nr_free_cma", "numa_hit", "numa_miss", "numa_foreign",
	"numa_interleave", "numa_local", "numa_other",
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static unsigned fls64(uint64_t x)
{
	return x ? 64 - (unsigned)__builtin_clzll(x) : 0;
}

/* calculate_normal_threshold(). */
static unsigned stat_threshold(const struct mmt_machine *m,
			       const struct mmt_zone *z)
{
	unsigned cpus = m->cfg.online_cpus ? m->cfg.online_cpus : 1;
	unsigned t = 2 * fls64(cpus) * (1 + fls64(z->managed >> (27 - 12)));

	return t > 125 ? 125 : t;
}

/* Free pages in blocks of pageblock order or more (NR_FREE_PAGES_BLOCKS). */
static uint64_t free_blocks_pages(const struct mmt_machine *m,
				  const struct mmt_zone *z)
{
	uint64_t n = 0;

	for (unsigned o = m->phys->pageblock_order; o < MMT_NR_ORDERS; o++)
		n += z->free_area[o].nr_free << o;
	return n;
}

/* One zone as the view shows it, gathered once for both printers. */
struct zone_row {
	unsigned nid;
	const char *name;
	const struct mmt_zone *z;	/* a zeroed zone for Device */
	bool populated;
	bool node_stats;	/* the node's first populated zone */
	uint64_t protection[8];
	unsigned nr_protection;
	uint64_t free_blocks;	/* nr_free_pages_blocks */
	unsigned threshold;	/* vm stats threshold */
	unsigned cpus;		/* pagesets shown */
};

static void gather_zone(const struct mmt_machine *m, unsigned nid,
			const int *types, unsigned nt, unsigned i,
			bool *first_done, struct zone_row *r)
{
	static const struct mmt_zone empty;
	const struct mmt_zone *z = types[i] < 0 ? &empty :
				   &m->phys->nodes[nid].zones[types[i]];

	r->nid = nid;
	r->z = z;
	r->name = types[i] < 0 ? "Device" :
		  mmt_zone_name((enum mmt_zone_type)types[i]);
	r->populated = mmt_zone_populated(z);
	r->node_stats = r->populated && !*first_done;
	if (r->node_stats)
		*first_done = true;
	r->nr_protection = 0;
	for (unsigned j = 0; j < nt && j < ARRAY_LEN(r->protection); j++) {
		/* Device (never populated) adds nothing: same sum as before */
		int t = types[j] < 0 ? MMT_ZONE_MOVABLE : types[j];

		r->protection[r->nr_protection++] = z->lowmem_reserve[t];
	}
	r->free_blocks = r->populated ? free_blocks_pages(m, z) : 0;
	r->threshold = stat_threshold(m, z);
	r->cpus = m->cfg.online_cpus ? m->cfg.online_cpus : 1;
}

/* CPU @c's pageset of @z (the boot pageset if it has none yet). */
static const struct mmt_per_cpu_pages *
zone_pcp(const struct mmt_machine *m, const struct mmt_zone *z, unsigned c)
{
	static const struct mmt_per_cpu_pages none = {
		.batch = MMT_BOOT_PAGESET_BATCH };

	return z->pcp && c < m->phys->nr_cpus ? &z->pcp[c] : &none;
}

static void print_zone(const struct mmt_machine *m, FILE *out,
		       const struct zone_row *r)
{
	const struct mmt_zone *z = r->z;

	fprintf(out, "Node %u, zone %8s", r->nid, r->name);
	if (r->node_stats) {
		fprintf(out, "\n  per-node stats");
		for (unsigned k = 0; k < ARRAY_LEN(node_stats); k++)
			fprintf(out, "\n      %-12s %lu", node_stats[k], 0UL);
	}
	fprintf(out, "\n  pages free     %llu"
		"\n        boost    %lu"
		"\n        min      %llu"
		"\n        low      %llu"
		"\n        high     %llu"
		"\n        promo    %llu"
		"\n        spanned  %llu"
		"\n        present  %llu"
		"\n        managed  %llu"
		"\n        cma      %lu",
		(unsigned long long)z->nr_free_pages, 0UL,
		(unsigned long long)z->wmark[MMT_WMARK_MIN],
		(unsigned long long)z->wmark[MMT_WMARK_LOW],
		(unsigned long long)z->wmark[MMT_WMARK_HIGH],
		(unsigned long long)z->wmark[MMT_WMARK_PROMO],
		(unsigned long long)z->spanned,
		(unsigned long long)z->present,
		(unsigned long long)z->managed, 0UL);
	fprintf(out, "\n        protection: (");
	for (unsigned j = 0; j < r->nr_protection; j++)
		fprintf(out, "%s%lld", j ? ", " : "",
			(long long)r->protection[j]);
	fprintf(out, ")");
	if (!r->populated) {
		fputc('\n', out);
		return;
	}
	fprintf(out, "\n      %-12s %llu", "nr_free_pages",
		(unsigned long long)z->nr_free_pages);
	fprintf(out, "\n      %-12s %llu", "nr_free_pages_blocks",
		(unsigned long long)r->free_blocks);
	for (unsigned k = 0; k < ARRAY_LEN(zone_stats); k++)
		fprintf(out, "\n      %-12s %lu", zone_stats[k], 0UL);
	fprintf(out, "\n  pagesets");
	for (unsigned c = 0; c < r->cpus; c++) {
		const struct mmt_per_cpu_pages *pcp = zone_pcp(m, z, c);

		fprintf(out, "\n    cpu: %u"
			"\n              count:    %d"
			"\n              high:     %d"
			"\n              batch:    %d"
			"\n              high_min: %d"
			"\n              high_max: %d"
			"\n  vm stats threshold: %u",
			c, pcp->count, pcp->high, pcp->batch, pcp->high_min,
			pcp->high_max, r->threshold);
	}
	fprintf(out, "\n  node_unreclaimable:  %u"
		"\n  start_pfn:           %llu\n", 0u,
		(unsigned long long)z->zone_start_pfn);
}

/* The same fields as print_zone(), as one object of the node's "zones". */
static void json_zone(const struct mmt_machine *m, struct mmt_json *j,
		      const struct zone_row *r)
{
	const struct mmt_zone *z = r->z;

	mmt_json_begin_obj(j, NULL);
	mmt_json_str(j, "zone", r->name);
	mmt_json_bool(j, "populated", r->populated);
	mmt_json_u64(j, "free", z->nr_free_pages);
	mmt_json_u64(j, "boost", 0);
	mmt_json_u64(j, "min", z->wmark[MMT_WMARK_MIN]);
	mmt_json_u64(j, "low", z->wmark[MMT_WMARK_LOW]);
	mmt_json_u64(j, "high", z->wmark[MMT_WMARK_HIGH]);
	mmt_json_u64(j, "promo", z->wmark[MMT_WMARK_PROMO]);
	mmt_json_u64(j, "spanned", z->spanned);
	mmt_json_u64(j, "present", z->present);
	mmt_json_u64(j, "managed", z->managed);
	mmt_json_u64(j, "cma", 0);
	mmt_json_begin_arr(j, "protection");
	for (unsigned k = 0; k < r->nr_protection; k++)
		mmt_json_u64(j, NULL, r->protection[k]);
	mmt_json_end_arr(j);
	if (r->populated) {
		mmt_json_begin_obj(j, "stats");
		mmt_json_u64(j, "nr_free_pages", z->nr_free_pages);
		mmt_json_u64(j, "nr_free_pages_blocks", r->free_blocks);
		for (unsigned k = 0; k < ARRAY_LEN(zone_stats); k++)
			mmt_json_u64(j, zone_stats[k], 0);
		mmt_json_end_obj(j);
		mmt_json_begin_arr(j, "pagesets");
		for (unsigned c = 0; c < r->cpus; c++) {
			const struct mmt_per_cpu_pages *pcp = zone_pcp(m, z, c);

			mmt_json_begin_obj(j, NULL);
			mmt_json_u64(j, "cpu", c);
			mmt_json_i64(j, "count", pcp->count);
			mmt_json_i64(j, "high", pcp->high);
			mmt_json_i64(j, "batch", pcp->batch);
			mmt_json_i64(j, "high_min", pcp->high_min);
			mmt_json_i64(j, "high_max", pcp->high_max);
			mmt_json_u64(j, "vm_stats_threshold", r->threshold);
			mmt_json_end_obj(j);
		}
		mmt_json_end_arr(j);
		mmt_json_u64(j, "node_unreclaimable", 0);
		mmt_json_u64(j, "start_pfn", z->zone_start_pfn);
	}
	mmt_json_end_obj(j);
}

static void zoneinfo_json(const struct mmt_machine *m, const int *types,
			  unsigned nt, FILE *out)
{
	struct mmt_json j;

	mmt_json_init(&j, out);
	mmt_json_begin_obj(&j, NULL);
	mmt_json_begin_arr(&j, "nodes");
	for (unsigned n = 0; n < m->phys->nr_nodes; n++) {
		bool first_done = false;

		mmt_json_begin_obj(&j, NULL);
		mmt_json_u64(&j, "node", n);
		/* per-node stats: printed with the first populated zone */
		mmt_json_begin_obj(&j, "stats");
		for (unsigned k = 0; k < ARRAY_LEN(node_stats); k++)
			mmt_json_u64(&j, node_stats[k], 0);
		mmt_json_end_obj(&j);
		mmt_json_begin_arr(&j, "zones");
		for (unsigned i = 0; i < nt; i++) {
			struct zone_row r;

			gather_zone(m, n, types, nt, i, &first_done, &r);
			json_zone(m, &j, &r);
		}
		mmt_json_end_arr(&j);
		mmt_json_end_obj(&j);
	}
	mmt_json_end_arr(&j);
	mmt_json_end_obj(&j);
	mmt_json_finish(&j);
}

int mmt_view_zoneinfo(const struct mmt_view_ctx *c)
{
	struct mmt_machine *m = c->m;
	FILE *out = c->out;
	enum mmt_format fmt = c->fmt;
	char *err = c->err;
	size_t errlen = c->errlen;
	int types[8];
	unsigned nt = mmt_arch_zone_list(m, types);

	if (!m->phys) {
		snprintf(err, errlen, "zoneinfo: no physical memory");
		return -1;
	}
	if (fmt == MMT_FMT_JSON) {
		zoneinfo_json(m, types, nt, out);
		return 0;
	}
	for (unsigned n = 0; n < m->phys->nr_nodes; n++) {
		bool first_done = false;

		for (unsigned i = 0; i < nt; i++) {
			struct zone_row r;

			gather_zone(m, n, types, nt, i, &first_done, &r);
			print_zone(m, out, &r);
		}
	}
	return 0;
}
