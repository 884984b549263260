// SPDX-License-Identifier: MIT
/*
 * /proc/pagetypeinfo (mm/vmstat.c pagetypeinfo_show): pageblock size,
 * free blocks per zone/type/order, pageblocks per type.  No page_owner
 * "mixed blocks" section (CONFIG_PAGE_OWNER off).
 */
#include <mmtwin/phys.h>
#include <mmtwin/views.h>

static const char *zname(int t)
{
	return t < 0 ? "Device" : mmt_zone_name((enum mmt_zone_type)t);
}

int mmt_view_pagetypeinfo(struct mmt_machine *m, FILE *out,
			  enum mmt_format fmt, char *err, size_t errlen)
{
	struct mmt_phys *p = m->phys;
	int types[8];
	unsigned nt = mmt_arch_zone_list(m, types), pbo;

	(void)fmt;
	if (!p) {
		snprintf(err, errlen, "pagetypeinfo: no physical memory");
		return -1;
	}
	pbo = p->pageblock_order;
	fprintf(out, "Page block order: %u\n", pbo);
	fprintf(out, "Pages per block:  %llu\n\n", 1ULL << pbo);
	fprintf(out, "%-43s ", "Free pages count per migrate type at order");
	for (unsigned o = 0; o < MMT_NR_ORDERS; o++)
		fprintf(out, "%6u ", o);
	fputc('\n', out);
	for (unsigned n = 0; n < p->nr_nodes; n++)
		for (unsigned i = 0; i < nt; i++) {
			struct mmt_zone *z;

			if (types[i] < 0)
				continue;
			z = &p->nodes[n].zones[types[i]];
			if (!mmt_zone_populated(z))
				continue;
			for (unsigned mt = 0; mt < MMT_MIGRATE_TYPES; mt++) {
				fprintf(out, "Node %4u, zone %8s, type %12s ", n,
					zname(types[i]),
					mmt_migratetype_name(mt));
				for (unsigned o = 0; o < MMT_NR_ORDERS; o++)
					fprintf(out, "%6llu ", (unsigned long long)
						mmt_zone_nr_free_mt(z, o, mt));
				fputc('\n', out);
			}
		}
	fprintf(out, "\n%-23s", "Number of blocks type ");
	for (unsigned mt = 0; mt < MMT_MIGRATE_TYPES; mt++)
		fprintf(out, "%12s ", mmt_migratetype_name(mt));
	fputc('\n', out);
	for (unsigned n = 0; n < p->nr_nodes; n++)
		for (unsigned i = 0; i < nt; i++) {
			uint64_t cnt[MMT_MIGRATE_TYPES] = { 0 };
			struct mmt_zone *z;
			uint64_t pfn, end;

			if (types[i] < 0)
				continue;
			z = &p->nodes[n].zones[types[i]];
			if (!mmt_zone_populated(z))
				continue;
			end = mmt_zone_end_pfn(z);
			/* pageblocks with a memmap (some memory) in the zone */
			for (pfn = z->zone_start_pfn; pfn < end;
			     pfn = ((pfn >> pbo) + 1) << pbo) {
				uint64_t e = ((pfn >> pbo) + 1) << pbo;

				if (e > end)
					e = end;
				if (mmt_phys_memory_pages(m, pfn, e))
					cnt[mmt_pfn_migratetype(m, pfn)]++;
			}
			fprintf(out, "Node %u, zone %8s ", n, zname(types[i]));
			for (unsigned mt = 0; mt < MMT_MIGRATE_TYPES; mt++)
				fprintf(out, "%12llu ", (unsigned long long)cnt[mt]);
			fputc('\n', out);
		}
	return 0;
}
