// SPDX-License-Identifier: MIT
/*
 * /proc/buddyinfo (mm/vmstat.c frag_show_print): one line per populated
 * zone, free blocks per order.  Text only (the kernel file has no JSON).
 */
#include <mmtwin/phys.h>
#include <mmtwin/views.h>

int mmt_view_buddyinfo(struct mmt_machine *m, FILE *out, enum mmt_format fmt,
		       char *err, size_t errlen)
{
	struct mmt_phys *p = m->phys;
	int types[8];
	unsigned nt = mmt_arch_zone_list(m, types);

	(void)fmt;
	if (!p) {
		snprintf(err, errlen, "buddyinfo: no physical memory");
		return -1;
	}
	for (unsigned n = 0; n < p->nr_nodes; n++)
		for (unsigned i = 0; i < nt; i++) {
			struct mmt_zone *z;

			if (types[i] < 0)
				continue;
			z = &p->nodes[n].zones[types[i]];
			if (!mmt_zone_populated(z))
				continue;
			fprintf(out, "Node %u, zone %8s ", n,
				mmt_zone_name(z->type));
			for (unsigned o = 0; o < MMT_NR_ORDERS; o++)
				fprintf(out, "%6llu ", (unsigned long long)
					z->free_area[o].nr_free);
			fputc('\n', out);
		}
	return 0;
}
