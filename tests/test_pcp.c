// SPDX-License-Identifier: MIT
/*
 * Per-CPU page lists (struct per_cpu_pages): sizing against the host's
 * /proc/zoneinfo, the free and refill paths, drains, decay, LIFO order,
 * and a randomized multi-CPU run with the checker after every step.
 */
#include "test.h"

#include "mm/internal.h"

#include <errno.h>
#include <stdlib.h>

static char *view(struct mmt_machine *m, const char *name)
{
	char *buf = NULL, err[128];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	mmt_view_print(m, name, f, MMT_FMT_TEXT, err, sizeof(err));
	fclose(f);
	return buf;
}

static struct mmt_machine *machine_cpus(enum mmt_arch a, const char *mem,
					const char *cpus)
{
	struct mmt_config c;
	char err[256];

	mmt_config_init(&c, a);
	CHECK_EQ(mmt_config_set(&c, "mem", mem, err, sizeof(err)), 0);
	CHECK_EQ(mmt_config_set(&c, "cpus", cpus, err, sizeof(err)), 0);
	return test_machine_cfg(&c);
}

static int clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/*
 * zone_batchsize/zone_highsize fed this host's numbers (x86_64, 2 CPUs,
 * /proc/zoneinfo): managed DMA 3840, DMA32 772917, Normal 1015808 give
 * low 45/9106/11967 and the host's pagesets: batch 1/63/63, high_min
 * 22/4553/5983 (= low / 2 CPUs), high_max 240/48307/63488 (= managed /
 * 8 / 2 CPUs).
 */
TEST(pcp_batch_high_formulas_match_host)
{
	static const struct { enum mmt_zone_type t; uint64_t managed;
			      int batch, high_min, high_max; } want[] = {
		{ MMT_ZONE_DMA, 3840, 1, 22, 240 },
		{ MMT_ZONE_DMA32, 772917, 63, 4553, 48307 },
		{ MMT_ZONE_NORMAL, 1015808, 63, 5983, 63488 },
	};
	struct mmt_machine *m = machine_cpus(MMT_ARCH_X86_64, "8G", "2");
	struct mmt_node *nd = &m->phys->nodes[0];

	for (unsigned i = 0; i < 3; i++)
		nd->zones[want[i].t].managed = want[i].managed;
	mmt_setup_watermarks(m);
	for (unsigned i = 0; i < 3; i++)
		for (unsigned c = 0; c < 2; c++) {
			struct mmt_per_cpu_pages *p = &nd->zones[want[i].t].pcp[c];

			CHECK_EQ(p->batch, want[i].batch);
			CHECK_EQ(p->high_min, want[i].high_min);
			CHECK_EQ(p->high_max, want[i].high_max);
			if (c == 1)	/* boot used CPU 0 only */
				CHECK_EQ(p->high, 0);	/* BOOT_PAGESET_HIGH */
		}
	mmt_machine_free(m);
}

/* The model's printed pagesets follow from its own managed and "low". */
TEST(pcp_model_pagesets_follow_own_watermarks)
{
	static const char *const cpus[] = { "1", "2", "3", "8" };

	for (unsigned k = 0; k < 4; k++) {
		struct mmt_machine *m = machine_cpus(MMT_ARCH_X86_64, "6G",
						     cpus[k]);
		unsigned n = m->phys->nr_cpus;
		char *t = view(m, "zoneinfo"), want[256];

		for (unsigned z = 0; z < MMT_NR_ZONES; z++) {
			struct mmt_zone *zn = &m->phys->nodes[0].zones[z];
			int batch, lo, hi;
			uint64_t b;

			if (!zn->managed)
				continue;
			b = zn->managed / 1024 > 256 ? 256 : zn->managed / 1024;
			b = b / 4 ? b / 4 : 1;
			/* rounddown_pow_of_two(b + b / 2) - 1 */
			batch = (int)((1ULL << (63 - __builtin_clzll(b + b / 2)))
				      - 1);
			if (batch < 1)
				batch = 1;
			lo = (int)(zn->wmark[MMT_WMARK_LOW] / n);
			hi = (int)(zn->managed / 8 / n);
			lo = lo > 4 * batch ? lo : 4 * batch;
			hi = hi > 4 * batch ? hi : 4 * batch;
			CHECK_EQ(zn->pcp[n - 1].batch, batch);
			CHECK_EQ(zn->pcp[n - 1].high_min, lo);
			CHECK_EQ(zn->pcp[n - 1].high_max, hi);
			snprintf(want, sizeof(want), "    cpu: %u\n"
				 "              count:    0\n"
				 "              high:     0\n"
				 "              batch:    %d\n"
				 "              high_min: %d\n"
				 "              high_max: %d\n", n - 1, batch, lo,
				 hi);
			/* CPU 0 served boot's page tables and slabs */
			if (n > 1)
				CHECK(strstr(t, want) != NULL);
		}
		free(t);
		mmt_machine_free(m);
	}
}

/* An order-0 free lands on the pcp: buddyinfo and MemFree unchanged. */
TEST(pcp_order0_free_goes_to_pcp)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "1G");
	struct mmt_zone *z;
	char *bi0, *mi0, *bi1, *mi1, *zi;
	uint64_t pfn;

	CHECK_EQ(mmt_alloc_pages_cpu(m, 1, MMT_GFP_KERNEL, 0, &pfn), 0);
	z = mmt_page_zone(m, pfn);
	mmt_drain_all_pages(m);
	bi0 = view(m, "buddyinfo");
	mi0 = view(m, "meminfo");
	mmt_free_pages_cpu(m, 1, pfn, 0);
	bi1 = view(m, "buddyinfo");
	mi1 = view(m, "meminfo");
	CHECK_STR(bi1, bi0);
	CHECK_STR(mi1, mi0);
	CHECK_EQ(z->pcp[1].count, 1);
	zi = view(m, "zoneinfo");
	CHECK(strstr(zi, "    cpu: 1\n              count:    1\n") != NULL);
	CHECK_EQ(mmt_alloc_pages_cpu(m, 9, MMT_GFP_KERNEL, 0, &pfn), -EINVAL);
	free(bi0), free(bi1), free(mi0), free(mi1), free(zi);
	mmt_machine_free(m);
}

/*
 * Consecutive order-0 frees: the free that brings count to high flushes
 * exactly nr_pcp_free() = clamp(free_count, batch, high - batch) pages
 * into the buddy (NR_FREE_PAGES grows by as much).
 */
TEST(pcp_high_triggers_bulk_free_of_nr_pcp_free)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "1G");
	struct mmt_zone *z = &m->phys->nodes[0].zones[MMT_ZONE_DMA32];
	struct mmt_per_cpu_pages *p = &z->pcp[1];
	unsigned n = 30000, flushes = 0;
	uint64_t *pf = calloc(n, sizeof(*pf));
	char err[256];

	for (unsigned i = 0; i < n; i++)
		CHECK_EQ(mmt_alloc_pages_cpu(m, 1, MMT_GFP_KERNEL, 0, &pf[i]),
			 0);
	CHECK(!(z->flags & MMT_ZONE_BELOW_HIGH));
	for (unsigned i = 0; i < n; i++) {
		int count = p->count, fc = p->free_count, high;
		uint64_t nfree = z->nr_free_pages;

		fc += fc < p->batch << MMT_PCP_BATCH_SCALE_MAX;
		high = clampi(p->high, p->high_min, p->high_max);
		mmt_free_pages_cpu(m, 1, pf[i], 0);
		if (count + 1 < high) {
			CHECK_EQ(p->count, count + 1);
			continue;
		}
		flushes++;
		CHECK_EQ(count + 1 - p->count,
			 clampi(fc, p->batch, high - p->batch));
		CHECK_EQ(z->nr_free_pages - nfree, count + 1 - p->count);
	}
	CHECK(flushes > 0);
	CHECK_EQ(mmt_phys_check(m, err, sizeof(err)), 0);
	free(pf);
	mmt_machine_free(m);
}

/*
 * A refill takes nr_pcp_alloc() blocks from the buddy: batch pages on a
 * fresh pcp, twice that on the next refill without a free in between
 * (alloc_factor), batch >> order blocks for order > 0.
 */
TEST(pcp_refill_takes_batch_from_buddy)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "8G");
	struct mmt_zone *z = &m->phys->nodes[0].zones[MMT_ZONE_NORMAL];
	struct mmt_per_cpu_pages *p = &z->pcp[1];
	uint64_t f0 = z->nr_free_pages, pfn;
	int b = p->batch;

	CHECK_EQ(b, 63);
	CHECK_EQ(mmt_alloc_pages_cpu(m, 1, MMT_GFP_KERNEL, 0, &pfn), 0);
	CHECK_EQ(f0 - z->nr_free_pages, b);
	CHECK_EQ(p->count, b - 1);
	CHECK_EQ(p->high, p->high_min + b);	/* grown by one batch */
	for (int i = 0; i < b - 1; i++)
		CHECK_EQ(mmt_alloc_pages_cpu(m, 1, MMT_GFP_KERNEL, 0, &pfn), 0);
	CHECK_EQ(p->count, 0);
	CHECK_EQ(f0 - z->nr_free_pages, b);
	CHECK_EQ(mmt_alloc_pages_cpu(m, 1, MMT_GFP_KERNEL, 0, &pfn), 0);
	CHECK_EQ(f0 - z->nr_free_pages, b + 2 * b);
	/* order 2 (Movable list): 63 >> 2 = 15 blocks of 4 pages */
	f0 = z->nr_free_pages;
	CHECK_EQ(mmt_alloc_pages_cpu(m, 1, MMT_GFP_KERNEL | MMT_GFP_MOVABLE,
				     2, &pfn), 0);
	CHECK_EQ(f0 - z->nr_free_pages, 15 * 4);
	mmt_machine_free(m);
}

/* Pcp lists are LIFO per CPU: a freed block is the next one handed out. */
TEST(pcp_lists_are_lifo)
{
	struct mmt_machine *m = machine_cpus(MMT_ARCH_X86_64, "4G", "4");
	static const struct { unsigned gfp, order; } cases[] = {
		{ MMT_GFP_KERNEL, 0 }, { MMT_GFP_HIGHUSER_MOVABLE, 0 },
		{ MMT_GFP_KERNEL | MMT_GFP_RECLAIMABLE, 1 },
		{ MMT_GFP_KERNEL, 3 }, { MMT_GFP_HIGHUSER_MOVABLE, 9 },
		{ MMT_GFP_KERNEL, 9 },
	};
	char err[256];

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (unsigned cpu = 0; cpu < 4; cpu++) {
			uint64_t a, b, c;

			CHECK_EQ(mmt_alloc_pages_cpu(m, cpu, cases[i].gfp,
						     cases[i].order, &a), 0);
			CHECK_EQ(mmt_alloc_pages_cpu(m, cpu, cases[i].gfp,
						     cases[i].order, &b), 0);
			mmt_free_pages_cpu(m, cpu, a, cases[i].order);
			mmt_free_pages_cpu(m, cpu, b, cases[i].order);
			CHECK_EQ(mmt_alloc_pages_cpu(m, cpu, cases[i].gfp,
						     cases[i].order, &c), 0);
			CHECK_EQ(c, b);
			CHECK_EQ(mmt_alloc_pages_cpu(m, cpu, cases[i].gfp,
						     cases[i].order, &c), 0);
			CHECK_EQ(c, a);
			mmt_free_pages_cpu(m, cpu, a, cases[i].order);
			mmt_free_pages_cpu(m, cpu, b, cases[i].order);
		}
	/* order 4 bypasses the pcp */
	{
		uint64_t a, f;
		struct mmt_zone *z;

		CHECK_EQ(mmt_alloc_pages_cpu(m, 2, MMT_GFP_KERNEL, 4, &a), 0);
		z = mmt_page_zone(m, a);
		f = mmt_zone_pcp_pages(m, z);
		mmt_free_pages_cpu(m, 2, a, 4);
		CHECK_EQ(mmt_zone_pcp_pages(m, z), f);
	}
	CHECK_EQ(mmt_phys_check(m, err, sizeof(err)), 0);
	mmt_machine_free(m);
}

/* decay_pcp_high: high falls by 1/8 per refresh down to high_min. */
TEST(pcp_vmstat_refresh_decays_high)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "8G");
	struct mmt_zone *z = &m->phys->nodes[0].zones[MMT_ZONE_NORMAL];
	struct mmt_per_cpu_pages *p = &z->pcp[1];
	unsigned n = 20000;
	uint64_t *pf = calloc(n, sizeof(*pf));
	char err[256];

	for (unsigned i = 0; i < n; i++)
		CHECK_EQ(mmt_alloc_pages_cpu(m, 1, MMT_GFP_KERNEL, 0, &pf[i]),
			 0);
	for (unsigned i = 0; i < n; i++)
		mmt_free_pages_cpu(m, 1, pf[i], 0);
	CHECK(p->high > p->high_min);
	for (int k = 0; k < 64 && p->high > p->high_min; k++) {
		int h = p->high, c = p->count, want;

		want = h - (h >> 3);
		if (c - (p->batch << MMT_PCP_BATCH_SCALE_MAX) > want)
			want = c - (p->batch << MMT_PCP_BATCH_SCALE_MAX);
		if (want < p->high_min)
			want = p->high_min;
		mmt_vmstat_refresh(m);
		CHECK_EQ(p->high, want);
		CHECK(p->count <= p->high);
	}
	CHECK_EQ(p->high, p->high_min);
	CHECK_EQ(mmt_phys_check(m, err, sizeof(err)), 0);
	free(pf);
	mmt_machine_free(m);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Random alloc/free on 3 CPUs, orders 0..10, every GFP class, blocks
 * freed on any CPU, the checker after every step; then free all, drain,
 * and the buddy is exactly as it started.
 */
TEST(pcp_random_multi_cpu_checked)
{
	static const unsigned gfps[] = {
		MMT_GFP_KERNEL, MMT_GFP_DMA, MMT_GFP_DMA32,
		MMT_GFP_HIGHUSER_MOVABLE, MMT_GFP_ATOMIC,
		MMT_GFP_KERNEL | MMT_GFP_RECLAIMABLE, MMT_GFP_MOVABLE,
	};
	struct mmt_machine *m = machine_cpus(MMT_ARCH_X86_64, "96M", "3");
	struct { uint64_t pfn; unsigned order; } h[400];
	unsigned n = 0, seen = 0;
	uint64_t s = 0x9c9;
	char *before, *after, err[256];

	mmt_drain_all_pages(m);
	before = view(m, "buddyinfo");
	for (unsigned i = 0; i < 20000; i++) {
		uint64_t r = rnd(&s), pfn;
		unsigned cpu = (unsigned)(r >> 40) % 3;

		if (n < 400 && (n == 0 || r % 100 < 55)) {
			unsigned o = (r >> 8) % 3 ? (r >> 12) % 4 :
				     (r >> 12) % 11;
			unsigned g = gfps[(r >> 20) % 7];

			if (!mmt_alloc_pages_cpu(m, cpu, g, o, &pfn)) {
				h[n].pfn = pfn;
				h[n++].order = o;
				seen |= 1u << o;
			}
		} else {
			unsigned k = (unsigned)((r >> 8) % n);

			mmt_free_pages_cpu(m, cpu, h[k].pfn, h[k].order);
			h[k] = h[--n];
		}
		if (r % 997 == 0)
			mmt_vmstat_refresh(m);
		if (mmt_phys_check(m, err, sizeof(err))) {
			test_fail(__FILE__, __LINE__, "step %u: %s", i, err);
			break;
		}
	}
	CHECK_EQ(seen, 0x7ff);
	while (n--)
		mmt_free_pages_cpu(m, n % 3, h[n].pfn, h[n].order);
	CHECK(mmt_phys_free_pages(m) > mmt_phys_nr_free_pages(m));
	mmt_drain_all_pages(m);
	CHECK_EQ(mmt_phys_check(m, err, sizeof(err)), 0);
	after = view(m, "buddyinfo");
	CHECK_STR(after, before);
	free(before), free(after);
	mmt_machine_free(m);
}

/* Scenario commands drain and vmstat_refresh. */
TEST(pcp_script_drain_and_vmstat_refresh)
{
	char *out = NULL, *err = NULL;

	CHECK_EQ(test_run_script(
		"machine --arch x86_64 --mem 1G\n"
		"drain\n"
		"alloc_pages a GFP_KERNEL 0\n"
		"free_pages a\n"
		"vmstat_refresh\n"
		"drain\ncheck\n", &out, &err), 0);
	/* the refill took 63 << alloc_factor pages (boot left the factor
	 * up): all of them are back on the list after the free */
	{
		const char *d = out ? strstr(strstr(out, "drain: ") + 1,
					     "drain: ") : NULL;
		unsigned long v = d ? strtoul(d + 7, NULL, 10) : 0;

		CHECK(v > 0 && v % 63 == 0);
	}
	CHECK(out && strstr(out, "vmstat_refresh: 0 pages freed"));
	free(out), free(err);
	CHECK(test_run_script("drain now\n", &out, &err) != 0);
	CHECK(err && strstr(err, "expected 'drain'"));
	free(out), free(err);
}
