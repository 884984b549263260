// SPDX-License-Identifier: MIT
/*
 * /proc/buddyinfo (mm/vmstat.c frag_show_print): one line per populated
 * zone, free blocks per order.  JSON (not a kernel format): the same rows,
 * {"zones": [{"node": N, "zone": "DMA", "free": [order 0 .. 10]}, ...]}.
 */
#include "mm/internal.h"
#include <mmtwin/views.h>

/* Row @i of node @n's zone list, NULL if not shown (Device, unpopulated). */
static const struct mmt_zone *shown_zone(const struct mmt_phys *p,
					 unsigned n, const int *types,
					 unsigned i)
{
	const struct mmt_zone *z;

	if (types[i] < 0)
		return NULL;
	z = &p->nodes[n].zones[types[i]];
	return mmt_zone_populated(z) ? z : NULL;
}

static void buddyinfo_text(const struct mmt_phys *p, const int *types,
			   unsigned nt, FILE *out)
{
	for (unsigned n = 0; n < p->nr_nodes; n++)
		for (unsigned i = 0; i < nt; i++) {
			const struct mmt_zone *z = shown_zone(p, n, types, i);

			if (!z)
				continue;
			fprintf(out, "Node %u, zone %8s ", n,
				mmt_zone_name(z->type));
			for (unsigned o = 0; o < MMT_NR_ORDERS; o++)
				fprintf(out, "%6llu ", (unsigned long long)
					z->free_area[o].nr_free);
			fputc('\n', out);
		}
}

static void buddyinfo_json(const struct mmt_phys *p, const int *types,
			   unsigned nt, FILE *out)
{
	struct mmt_json j;

	mmt_json_init(&j, out);
	mmt_json_begin_obj(&j, NULL);
	mmt_json_begin_arr(&j, "zones");
	for (unsigned n = 0; n < p->nr_nodes; n++)
		for (unsigned i = 0; i < nt; i++) {
			const struct mmt_zone *z = shown_zone(p, n, types, i);

			if (!z)
				continue;
			mmt_json_begin_obj(&j, NULL);
			mmt_json_u64(&j, "node", n);
			mmt_json_str(&j, "zone", mmt_zone_name(z->type));
			mmt_json_begin_arr(&j, "free");
			for (unsigned o = 0; o < MMT_NR_ORDERS; o++)
				mmt_json_u64(&j, NULL, z->free_area[o].nr_free);
			mmt_json_end_arr(&j);
			mmt_json_end_obj(&j);
		}
	mmt_json_end_arr(&j);
	mmt_json_end_obj(&j);
	mmt_json_finish(&j);
}

int mmt_view_buddyinfo(const struct mmt_view_ctx *c)
{
	struct mmt_machine *m = c->m;
	FILE *out = c->out;
	enum mmt_format fmt = c->fmt;
	char *err = c->err;
	size_t errlen = c->errlen;
	struct mmt_phys *p = m->phys;
	int types[8];
	unsigned nt = mmt_arch_zone_list(m, types);

	if (!p) {
		snprintf(err, errlen, "buddyinfo: no physical memory");
		return -1;
	}
	if (fmt == MMT_FMT_JSON)
		buddyinfo_json(p, types, nt, out);
	else
		buddyinfo_text(p, types, nt, out);
	return 0;
}
