// SPDX-License-Identifier: MIT
/*
 * /proc/zoneinfo, 6.18 format (mm/vmstat.c zoneinfo_show_print): every
 * zone of every node, populated or not.  Counters the model does not
 * have yet (page cache, anon, NUMA events) are printed as 0 -- true for
 * a machine that has run nothing.  The pageset block prints each CPU's
 * struct per_cpu_pages (count, high, batch, high_min, high_max; high is
 * 0 until the CPU first uses the zone, as on the host); the vm stats
 * threshold follows calculate_normal_threshold().
 */
#include <mmtwin/phys.h>
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

static void print_zone(struct mmt_machine *m, FILE *out, unsigned nid,
		       const int *types, unsigned nt, unsigned i,
		       bool *first_done)
{
	static const struct mmt_zone empty;
	const struct mmt_zone *z = types[i] < 0 ? &empty :
				   &m->phys->nodes[nid].zones[types[i]];
	const char *name = types[i] < 0 ? "Device" :
			   mmt_zone_name((enum mmt_zone_type)types[i]);
	unsigned cpus = m->cfg.online_cpus ? m->cfg.online_cpus : 1;

	fprintf(out, "Node %u, zone %8s", nid, name);
	if (mmt_zone_populated(z) && !*first_done) {
		*first_done = true;
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
	for (unsigned j = 0; j < nt; j++) {
		/* Device (never populated) adds nothing: same sum as before */
		int t = types[j] < 0 ? MMT_ZONE_MOVABLE : types[j];

		fprintf(out, "%s%lld", j ? ", " : "",
			(long long)z->lowmem_reserve[t]);
	}
	fprintf(out, ")");
	if (!mmt_zone_populated(z)) {
		fputc('\n', out);
		return;
	}
	fprintf(out, "\n      %-12s %llu", "nr_free_pages",
		(unsigned long long)z->nr_free_pages);
	fprintf(out, "\n      %-12s %llu", "nr_free_pages_blocks",
		(unsigned long long)free_blocks_pages(m, z));
	for (unsigned k = 0; k < ARRAY_LEN(zone_stats); k++)
		fprintf(out, "\n      %-12s %lu", zone_stats[k], 0UL);
	fprintf(out, "\n  pagesets");
	for (unsigned c = 0; c < cpus; c++) {
		static const struct mmt_per_cpu_pages none = {
			.batch = MMT_BOOT_PAGESET_BATCH };
		const struct mmt_per_cpu_pages *pcp =
			z->pcp && c < m->phys->nr_cpus ? &z->pcp[c] : &none;

		fprintf(out, "\n    cpu: %u"
			"\n              count:    %d"
			"\n              high:     %d"
			"\n              batch:    %d"
			"\n              high_min: %d"
			"\n              high_max: %d"
			"\n  vm stats threshold: %u",
			c, pcp->count, pcp->high, pcp->batch, pcp->high_min,
			pcp->high_max, stat_threshold(m, z));
	}
	fprintf(out, "\n  node_unreclaimable:  %u"
		"\n  start_pfn:           %llu\n", 0u,
		(unsigned long long)z->zone_start_pfn);
}

int mmt_view_zoneinfo(struct mmt_machine *m, FILE *out, enum mmt_format fmt,
		      char *err, size_t errlen)
{
	int types[8];
	unsigned nt = mmt_arch_zone_list(m, types);

	(void)fmt;
	if (!m->phys) {
		snprintf(err, errlen, "zoneinfo: no physical memory");
		return -1;
	}
	for (unsigned n = 0; n < m->phys->nr_nodes; n++) {
		bool first_done = false;

		for (unsigned i = 0; i < nt; i++)
			print_zone(m, out, n, types, nt, i, &first_done);
	}
	return 0;
}
