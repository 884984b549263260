// SPDX-License-Identifier: MIT
/*
 * Per-CPU page list sizing (mm/page_alloc.c zone_batchsize,
 * zone_highsize, zone_set_pageset_high_and_batch, per_cpu_pages_init,
 * setup_zone_pageset, zone_pcp_update_cacheinfo).  The list operations
 * themselves (free_frozen_page_commit, rmqueue_pcplist, ...) live in
 * page_alloc.c next to the buddy they feed.
 *
 * Lifecycle, as in the kernel:
 *   boot pageset: high = high_min = high_max = 0, batch = 1
 *   setup_zone_pageset()  -> batch, high_min, high_max from managed/low
 *   setup_per_zone_wmarks() -> zone_pcp_update(zone, 0) again, now that
 *                            the low watermark exists
 *   pcp->high itself stays 0 (BOOT_PAGESET_HIGH) until the first
 *   allocation or free on that CPU clamps it into [high_min, high_max]:
 *   the host's zoneinfo shows "high: 0" for a never-used DMA pageset.
 */
#include "mm/internal.h"

#include <stdlib.h>

unsigned mmt_cpu_to_node(const struct mmt_machine *m, unsigned cpu)
{
	unsigned n = m->phys && m->phys->nr_nodes ? m->phys->nr_nodes : 1;

	return cpu % n;
}

static unsigned fls64(uint64_t x)
{
	return x ? 64 - (unsigned)__builtin_clzll(x) : 0;
}

int mmt_zone_batchsize(const struct mmt_zone *z)
{
	uint64_t batch = z->managed >> 10;

	if (batch > (1u << 20) / MMT_PAGE_SIZE)
		batch = (1u << 20) / MMT_PAGE_SIZE;
	batch /= 4;		/* the kernel effectively multiplies by 4 later */
	if (batch < 1)
		batch = 1;
	/* rounddown_pow_of_two(batch + batch / 2) - 1: a 2^n - 1 value */
	batch = (1ULL << (fls64(batch + batch / 2) - 1)) - 1;
	return (int)batch;
}

/* CPUs whose node is @nid (cpumask_of_node weight). */
static unsigned node_cpus(const struct mmt_machine *m, unsigned nid)
{
	unsigned n = 0;

	for (unsigned c = 0; c < m->phys->nr_cpus; c++)
		n += mmt_cpu_to_node(m, c) == nid;
	return n;
}

int mmt_zone_highsize(const struct mmt_machine *m, const struct mmt_zone *z,
		      int batch, int cpu_online, unsigned high_fraction)
{
	uint64_t total = high_fraction ? z->managed / high_fraction :
			 z->wmark[MMT_WMARK_LOW];
	unsigned split = node_cpus(m, z->node) + (unsigned)cpu_online;
	int64_t high;

	/* a memoryless-CPU node: spread over every online CPU */
	if (!split)
		split = m->phys->nr_cpus;
	high = (int64_t)(total / split);
	if (high < (int64_t)batch << 2)
		high = (int64_t)batch << 2;
	return (int)high;
}

/* pageset_update(): high itself is left alone (tuned lazily). */
static void pageset_update(struct mmt_per_cpu_pages *pcp, int high_min,
			   int high_max, int batch)
{
	pcp->batch = batch;
	pcp->high_min = high_min;
	pcp->high_max = high_max;
}

void mmt_zone_pcp_update(struct mmt_machine *m, struct mmt_zone *z,
			 int cpu_online)
{
	unsigned frac = m->phys->percpu_pagelist_high_fraction;
	int batch, high_min, high_max;

	if (!z->pcp)
		return;
	batch = mmt_zone_batchsize(z);
	if (batch < 1)
		batch = 1;
	if (frac) {
		/* tuned by hand: auto-tuning off, high_min == high_max */
		high_min = high_max = mmt_zone_highsize(m, z, batch,
							cpu_online, frac);
	} else {
		high_min = mmt_zone_highsize(m, z, batch, cpu_online, 0);
		high_max = mmt_zone_highsize(m, z, batch, cpu_online,
				MMT_MIN_PERCPU_PAGELIST_HIGH_FRACTION);
	}
	if (z->pageset_high_min == high_min && z->pageset_high_max == high_max
	    && z->pageset_batch == batch)
		return;
	z->pageset_high_min = high_min;
	z->pageset_high_max = high_max;
	z->pageset_batch = batch;
	for (unsigned c = 0; c < m->phys->nr_cpus; c++)
		pageset_update(&z->pcp[c], high_min, high_max, batch);
}

/* per_cpu_pages_init(): empty lists, boot values (pcp effectively off). */
static void per_cpu_pages_init(struct mmt_per_cpu_pages *pcp)
{
	*pcp = (struct mmt_per_cpu_pages){ 0 };
	for (unsigned i = 0; i < MMT_NR_PCP_LISTS; i++)
		pcp->head[i] = pcp->tail[i] = MMT_PFN_NONE;
	pcp->high = MMT_BOOT_PAGESET_HIGH;
	pcp->high_min = pcp->high_max = MMT_BOOT_PAGESET_HIGH;
	pcp->batch = MMT_BOOT_PAGESET_BATCH;
}

int mmt_setup_per_cpu_pageset(struct mmt_machine *m)
{
	struct mmt_phys *p = m->phys;

	for (unsigned n = 0; n < p->nr_nodes; n++)
		for (unsigned t = 0; t < MMT_NR_ZONES; t++) {
			struct mmt_zone *z = &p->nodes[n].zones[t];

			if (!mmt_zone_populated(z) || z->pcp)
				continue;
			z->pcp = calloc(p->nr_cpus, sizeof(*z->pcp));
			if (!z->pcp)
				return -1;
			p->host_bytes += p->nr_cpus * sizeof(*z->pcp);
			for (unsigned c = 0; c < p->nr_cpus; c++)
				per_cpu_pages_init(&z->pcp[c]);
			/* setup_zone_pageset() */
			mmt_zone_pcp_update(m, z, 0);
		}
	return 0;
}

/*
 * zone_pcp_update_cacheinfo(): with a per-CPU slice of the last-level
 * cache above 3 batches, consecutive high-order frees may keep a batch
 * on the pcp (PCPF_FREE_HIGH_BATCH).  The slice is llc_bytes / CPUs
 * sharing it (all online CPUs share one LLC in the model).
 */
void mmt_setup_pcp_cacheinfo(struct mmt_machine *m)
{
	struct mmt_phys *p = m->phys;
	uint64_t slice = p->llc_bytes / (p->nr_cpus ? p->nr_cpus : 1);

	for (unsigned n = 0; n < p->nr_nodes; n++)
		for (unsigned t = 0; t < MMT_NR_ZONES; t++) {
			struct mmt_zone *z = &p->nodes[n].zones[t];

			if (!z->pcp)
				continue;
			for (unsigned c = 0; c < p->nr_cpus; c++) {
				struct mmt_per_cpu_pages *pcp = &z->pcp[c];

				if ((slice >> MMT_PAGE_SHIFT) >
				    3 * (uint64_t)pcp->batch)
					pcp->flags |= MMT_PCPF_FREE_HIGH_BATCH;
				else
					pcp->flags &= ~MMT_PCPF_FREE_HIGH_BATCH;
			}
		}
}

uint64_t mmt_zone_pcp_pages(const struct mmt_machine *m,
			    const struct mmt_zone *z)
{
	uint64_t n = 0;

	if (z->pcp)
		for (unsigned c = 0; c < m->phys->nr_cpus; c++)
			n += (uint64_t)z->pcp[c].count;
	return n;
}
