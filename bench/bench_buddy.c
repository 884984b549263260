// SPDX-License-Identifier: MIT
/*
 * The buddy allocator against a minimal free-list buddy written here as
 * the baseline ("ref"): a flat array of per-page records, one zone, one
 * migratetype, no watermarks.  Same operation sequences for both.
 */
#include "bench.h"

#include "mm/internal.h"

#include <stdio.h>
#include <stdlib.h>

/* ------------------------------------------------------------ baseline */

#define REF_NONE UINT32_MAX

struct ref_page {
	uint32_t next, prev;
	int8_t order;		/* free-block head order, -1 otherwise */
};

struct ref_buddy {
	struct ref_page *pg;
	uint32_t head[MMT_NR_ORDERS];
	uint32_t npages;
};

static void ref_push(struct ref_buddy *b, uint32_t pfn, unsigned o)
{
	b->pg[pfn].order = (int8_t)o;
	b->pg[pfn].prev = REF_NONE;
	b->pg[pfn].next = b->head[o];
	if (b->head[o] != REF_NONE)
		b->pg[b->head[o]].prev = pfn;
	b->head[o] = pfn;
}

static void ref_unlink(struct ref_buddy *b, uint32_t pfn, unsigned o)
{
	struct ref_page *p = &b->pg[pfn];

	if (p->prev == REF_NONE)
		b->head[o] = p->next;
	else
		b->pg[p->prev].next = p->next;
	if (p->next != REF_NONE)
		b->pg[p->next].prev = p->prev;
	p->order = -1;
}

static void ref_init(struct ref_buddy *b, uint32_t npages)
{
	b->pg = malloc(npages * sizeof(*b->pg));
	if (!b->pg)
		abort();
	b->npages = npages;
	for (unsigned o = 0; o < MMT_NR_ORDERS; o++)
		b->head[o] = REF_NONE;
	for (uint32_t i = 0; i < npages; i++)
		b->pg[i].order = -1;
	for (uint32_t i = 0; i + 1024 <= npages; i += 1024)
		ref_push(b, i, MMT_MAX_ORDER);
}

static int ref_alloc(struct ref_buddy *b, unsigned order, uint64_t *out)
{
	for (unsigned o = order; o < MMT_NR_ORDERS; o++) {
		uint32_t pfn = b->head[o];

		if (pfn == REF_NONE)
			continue;
		ref_unlink(b, pfn, o);
		while (o > order) {
			o--;
			ref_push(b, pfn + (1u << o), o);
		}
		*out = pfn;
		return 0;
	}
	return -1;
}

static void ref_free(struct ref_buddy *b, uint64_t p, unsigned order)
{
	uint32_t pfn = (uint32_t)p;

	while (order < MMT_MAX_ORDER) {
		uint32_t bud = pfn ^ (1u << order);

		if (bud >= b->npages || b->pg[bud].order != (int8_t)order)
			break;
		ref_unlink(b, bud, order);
		pfn &= bud;
		order++;
	}
	ref_push(b, pfn, order);
}

/* -------------------------------------------------- shared workloads */

struct ops {
	int (*alloc)(void *ctx, unsigned order, uint64_t *pfn);
	void (*free)(void *ctx, uint64_t pfn, unsigned order);
	void *ctx;
};

static int m_alloc(void *ctx, unsigned order, uint64_t *pfn)
{
	return mmt_alloc_pages(ctx, MMT_GFP_HIGHUSER_MOVABLE, order, pfn);
}

static void m_free(void *ctx, uint64_t pfn, unsigned order)
{
	mmt_free_pages(ctx, pfn, order);
}

static int r_alloc(void *ctx, unsigned order, uint64_t *pfn)
{
	return ref_alloc(ctx, order, pfn);
}

static void r_free(void *ctx, uint64_t pfn, unsigned order)
{
	ref_free(ctx, pfn, order);
}

static uint64_t xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* ns per alloc+free pair, freed immediately. */
static double run_pairs(const struct ops *o, unsigned n)
{
	uint64_t t0 = bench_now_ns(), pfn, sum = 0;

	for (unsigned i = 0; i < n; i++) {
		if (o->alloc(o->ctx, 0, &pfn))
			abort();
		sum += pfn;
		o->free(o->ctx, pfn, 0);
	}
	bench_sink(sum);
	return (double)(bench_now_ns() - t0) / n;
}

/*
 * Hold @held blocks; then @n times free a random one and allocate a new
 * one of a random order in [0, max_order].  ns per free+alloc pair.
 */
static double run_random(const struct ops *o, unsigned held, unsigned n,
			 unsigned max_order)
{
	uint64_t *pf = malloc(held * sizeof(*pf)), s = 42, t0;
	unsigned *od = malloc(held * sizeof(*od));
	double r;

	if (!pf || !od)
		abort();
	for (unsigned i = 0; i < held; i++) {
		od[i] = max_order ? (unsigned)(xs(&s) % (max_order + 1)) : 0;
		if (o->alloc(o->ctx, od[i], &pf[i]))
			abort();
	}
	t0 = bench_now_ns();
	for (unsigned i = 0; i < n; i++) {
		unsigned k = (unsigned)(xs(&s) % held);

		o->free(o->ctx, pf[k], od[k]);
		od[k] = max_order ? (unsigned)(xs(&s) % (max_order + 1)) : 0;
		if (o->alloc(o->ctx, od[k], &pf[k]))
			abort();
	}
	r = (double)(bench_now_ns() - t0) / n;
	for (unsigned i = 0; i < held; i++)
		o->free(o->ctx, pf[i], od[i]);
	free(pf);
	free(od);
	return r;
}

/* A workload: @held blocks (0: immediate pairs), @n operations. */
struct workload {
	unsigned held, n, max_order;
};

static double run(const struct ops *o, const struct workload *w)
{
	return w->held ? run_random(o, w->held, w->n, w->max_order)
		       : run_pairs(o, w->n);
}

#define TRIALS 5

/*
 * Model and baseline alternately, TRIALS times each, keeping each side's
 * best (as bench_mmu.c): single passes on this shared VM vary by +-20 %.
 */
static void compare_best(const char *name, const char *suffix,
			 const struct ops *om, const struct ops *orf,
			 const struct workload *w)
{
	double model = 1e30, ref = 1e30;
	char full[64];

	for (int t = 0; t < TRIALS; t++) {
		double a = run(om, w), b = run(orf, w);

		model = a < model ? a : model;
		ref = b < ref ? b : ref;
	}
	snprintf(full, sizeof(full), "%s%s", name, suffix);
	bench_compare(full, model, ref, "ns");
}

static struct mmt_machine *boot(enum mmt_arch a, const char *mem)
{
	struct mmt_config c;
	char err[256];
	struct mmt_machine *m;

	mmt_config_init(&c, a);
	if (mmt_config_set(&c, "mem", mem, err, sizeof(err)))
		abort();
	m = mmt_machine_new(&c, err, sizeof(err));
	if (!m) {
		fprintf(stderr, "boot: %s\n", err);
		abort();
	}
	return m;
}

/*
 * The three workloads on one machine size, model against baseline.  The
 * descriptor arrays of a 128 MiB machine (1 MiB model, 0.4 MiB baseline)
 * stay in this host's ~2 MiB of cache, so the figures compare the
 * allocators; at 1 GiB the model's 8 MiB of descriptors go to DRAM
 * (~140 ns a random load here) while the baseline's 3 MiB mostly do not,
 * so the "_1G" figures add the price of the larger descriptor (32 bytes
 * against 12).  docs/physical-memory.md discusses the figures.
 */
static void compare_on(const char *mem, const char *suffix)
{
	/* x86_64: GFP_HIGHUSER_MOVABLE is served by DMA32 below 4 GiB */
	struct mmt_machine *m = boot(MMT_ARCH_X86_64, mem);
	struct ref_buddy rb;
	struct ops om = { m_alloc, m_free, m }, orf = { r_alloc, r_free, &rb };
	uint32_t np = (uint32_t)m->phys->nodes[0].zones[MMT_ZONE_DMA32].managed;
	char name[64];
	/* blocks of orders 0..10 average ~186 pages: hold ~25 % of the zone */
	const struct workload pairs = { 0, 1000000, 0 },
			      random50 = { np / 2, 500000, 0 },
			      mixed = { np / 800, 250000, 10 };

	ref_init(&rb, np);
	compare_best("buddy.order0_pair", suffix, &om, &orf, &pairs);
	compare_best("buddy.order0_random_50pct", suffix, &om, &orf,
		     &random50);
	compare_best("buddy.mixed_orders_0_10", suffix, &om, &orf, &mixed);
	/* after the random phases: host bytes per modelled (managed) page */
	snprintf(name, sizeof(name), "buddy.host_bytes_per_page%s", suffix);
	bench_figure(name, (double)m->phys->host_bytes /
			   m->phys->totalram_pages, "B");
	free(rb.pg);
	mmt_machine_free(m);
}

BENCH(buddy)
{
	compare_on("128M", "");
	compare_on("1G", "_1G");
	bench_compare("buddy.bytes_per_descriptor", sizeof(struct mmt_page),
		      sizeof(struct ref_page), "B");
}

/*
 * Boot time and host memory of a 1 TiB machine: the model's own count
 * (phys_bytes) and the growth of this process's resident set, which is
 * what the host really backs (maxrss would only show a new high mark).
 */
BENCH(buddy_boot_1T)
{
	double r0 = (double)mmt_host_resident_bytes();
	uint64_t t0, t1;
	struct mmt_machine *m;

	t0 = bench_now_ns();
	m = boot(MMT_ARCH_X86_64, "1T");
	t1 = bench_now_ns();
	bench_figure("machine.boot_x86_64_1T", (double)(t1 - t0) / 1e6, "ms");
	bench_figure("machine.boot_x86_64_1T_phys_bytes",
		     (double)m->phys->host_bytes, "B");
	bench_figure("machine.boot_x86_64_1T_rss_delta",
		     (double)mmt_host_resident_bytes() - r0, "B");
	mmt_machine_free(m);
}
