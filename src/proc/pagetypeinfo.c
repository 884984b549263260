// SPDX-License-Identifier: MIT
/*
 * /proc/pagetypeinfo (mm/vmstat.c pagetypeinfo_show): pageblock size,
 * free blocks per zone/type/order, pageblocks per type.  No page_owner
 * "mixed blocks" section (CONFIG_PAGE_OWNER off).  JSON (not a kernel
 * format) carries the same numbers, one object per populated zone:
 * {"pageblock_order": 9, "pages_per_block": 512, "zones": [{"node": 0,
 * "zone": "DMA", "free": {"Unmovable": [order 0 .. 10], ...},
 * "blocks": {"Unmovable": N, ...}}, ...]}.
 */
#include "mm/internal.h"
#include <mmtwin/views.h>

static const char *zname(int t)
{
	return t < 0 ? "Device" : mmt_zone_name((enum mmt_zone_type)t);
}

/* Row @i of node @n's zone list, NULL if not shown (Device, unpopulated). */
static struct mmt_zone *shown_zone(struct mmt_phys *p, unsigned n,
				   const int *types, unsigned i)
{
	struct mmt_zone *z;

	if (types[i] < 0)
		return NULL;
	z = &p->nodes[n].zones[types[i]];
	return mmt_zone_populated(z) ? z : NULL;
}

/* Pageblocks with a memmap (some memory) in @z, by migratetype. */
static void count_blocks(struct mmt_machine *m, const struct mmt_zone *z,
			 uint64_t cnt[MMT_MIGRATE_TYPES])
{
	unsigned pbo = m->phys->pageblock_order;
	uint64_t pfn, end = mmt_zone_end_pfn(z);

	for (unsigned mt = 0; mt < MMT_MIGRATE_TYPES; mt++)
		cnt[mt] = 0;
	for (pfn = z->zone_start_pfn; pfn < end;
	     pfn = ((pfn >> pbo) + 1) << pbo) {
		uint64_t e = ((pfn >> pbo) + 1) << pbo;

		if (e > end)
			e = end;
		if (mmt_phys_memory_pages(m, pfn, e))
			cnt[mmt_pfn_migratetype(m, pfn)]++;
	}
}

static void pagetypeinfo_text(struct mmt_machine *m, const int *types,
			      unsigned nt, FILE *out)
{
	struct mmt_phys *p = m->phys;
	unsigned pbo = p->pageblock_order;

	fprintf(out, "Page block order: %u\n", pbo);
	fprintf(out, "Pages per block:  %llu\n\n", 1ULL << pbo);
	fprintf(out, "%-43s ", "Free pages count per migrate type at order");
	for (unsigned o = 0; o < MMT_NR_ORDERS; o++)
		fprintf(out, "%6u ", o);
	fputc('\n', out);
	for (unsigned n = 0; n < p->nr_nodes; n++)
		for (unsigned i = 0; i < nt; i++) {
			struct mmt_zone *z = shown_zone(p, n, types, i);

			if (!z)
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
			uint64_t cnt[MMT_MIGRATE_TYPES];
			struct mmt_zone *z = shown_zone(p, n, types, i);

			if (!z)
				continue;
			count_blocks(m, z, cnt);
			fprintf(out, "Node %u, zone %8s ", n, zname(types[i]));
			for (unsigned mt = 0; mt < MMT_MIGRATE_TYPES; mt++)
				fprintf(out, "%12llu ", (unsigned long long)cnt[mt]);
			fputc('\n', out);
		}
}

static void pagetypeinfo_json(struct mmt_machine *m, const int *types,
			      unsigned nt, FILE *out)
{
	struct mmt_phys *p = m->phys;
	struct mmt_json j;

	mmt_json_init(&j, out);
	mmt_json_begin_obj(&j, NULL);
	mmt_json_u64(&j, "pageblock_order", p->pageblock_order);
	mmt_json_u64(&j, "pages_per_block", 1ULL << p->pageblock_order);
	mmt_json_begin_arr(&j, "zones");
	for (unsigned n = 0; n < p->nr_nodes; n++)
		for (unsigned i = 0; i < nt; i++) {
			uint64_t cnt[MMT_MIGRATE_TYPES];
			struct mmt_zone *z = shown_zone(p, n, types, i);

			if (!z)
				continue;
			mmt_json_begin_obj(&j, NULL);
			mmt_json_u64(&j, "node", n);
			mmt_json_str(&j, "zone", zname(types[i]));
			mmt_json_begin_obj(&j, "free");
			for (unsigned mt = 0; mt < MMT_MIGRATE_TYPES; mt++) {
				mmt_json_begin_arr(&j, mmt_migratetype_name(mt));
				for (unsigned o = 0; o < MMT_NR_ORDERS; o++)
					mmt_json_u64(&j, NULL,
						     mmt_zone_nr_free_mt(z, o, mt));
				mmt_json_end_arr(&j);
			}
			mmt_json_end_obj(&j);
			count_blocks(m, z, cnt);
			mmt_json_begin_obj(&j, "blocks");
			for (unsigned mt = 0; mt < MMT_MIGRATE_TYPES; mt++)
				mmt_json_u64(&j, mmt_migratetype_name(mt), cnt[mt]);
			mmt_json_end_obj(&j);
			mmt_json_end_obj(&j);
		}
	mmt_json_end_arr(&j);
	mmt_json_end_obj(&j);
	mmt_json_finish(&j);
}

int mmt_view_pagetypeinfo(const struct mmt_view_ctx *c)
{
	struct mmt_machine *m = c->m;
	FILE *out = c->out;
	enum mmt_format fmt = c->fmt;
	char *err = c->err;
	size_t errlen = c->errlen;
	int types[8];
	unsigned nt = mmt_arch_zone_list(m, types);

	if (!m->phys) {
		snprintf(err, errlen, "pagetypeinfo: no physical memory");
		return -1;
	}
	if (fmt == MMT_FMT_JSON)
		pagetypeinfo_json(m, types, nt, out);
	else
		pagetypeinfo_text(m, types, nt, out);
	return 0;
}
