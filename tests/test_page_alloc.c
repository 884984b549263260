// SPDX-License-Identifier: MIT
/*
 * The buddy allocator: randomized allocate/free with the invariant
 * checker, zone fallback, watermarks and GFP_ATOMIC, -ENOMEM.
 */
#include "test.h"

#include "mm/internal.h"

#include <errno.h>
#include <stdlib.h>

struct held {
	uint64_t pfn;
	unsigned order;
};

static uint64_t rnd_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static char *buddyinfo(struct mmt_machine *m)
{
	char *buf = NULL, err[128];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	mmt_view_print(m, "buddyinfo", f, MMT_FMT_TEXT, err, sizeof(err));
	fclose(f);
	return buf;
}

static const unsigned gfp_classes[] = {
	MMT_GFP_KERNEL, MMT_GFP_DMA, MMT_GFP_DMA32, MMT_GFP_HIGHUSER_MOVABLE,
	MMT_GFP_ATOMIC, MMT_GFP_KERNEL | MMT_GFP_RECLAIMABLE,
	MMT_GFP_HIGHUSER, MMT_GFP_MOVABLE, MMT_GFP_DMA32 | MMT_GFP_HIGH,
};
#define NR_GFP (sizeof(gfp_classes) / sizeof(gfp_classes[0]))

/*
 * @ops random operations on @m; the checker runs every @every steps.
 * Every allocated block must lie in a zone its GFP allows, be marked as
 * an allocated head, and freeing everything then draining the per-CPU
 * lists must restore buddyinfo.
 * Returns the number of operations done (stops at the first failure).
 */
static unsigned long random_ops(struct mmt_machine *m, unsigned long ops,
				unsigned every, uint64_t seed, unsigned max_held)
{
	struct held *h = calloc(max_held, sizeof(*h));
	/* boot-time users (page tables, slab) left pages on pcp lists */
	uint64_t drained = mmt_drain_all_pages(m);
	char *before = buddyinfo(m), *after, err[256];
	uint64_t s = seed | 1;
	unsigned n = 0, orders_seen = 0, gfp_seen = 0, enomem = 0;
	unsigned long i;

	for (i = 0; i < ops; i++) {
		uint64_t r = rnd_next(&s);
		unsigned p_alloc = 40 + (unsigned)((i / 5000) % 4) * 12;

		if (n < max_held && (n == 0 || r % 100 < p_alloc)) {
			unsigned order = (r >> 8) % 3 == 0 ? (r >> 12) % 11 :
					 (r >> 12) % 4;
			unsigned g = (r >> 20) % NR_GFP;
			unsigned gfp = gfp_classes[g];
			uint64_t pfn;
			struct mmt_zone *z;
			struct mmt_page *pg;

			if (mmt_alloc_pages(m, gfp, order, &pfn)) {
				enomem++;
			} else {
				orders_seen |= 1u << order;
				gfp_seen |= 1u << g;
				z = mmt_page_zone(m, pfn);
				pg = mmt_pfn_to_page(m, pfn, false);
				if (!z || z->type > mmt_gfp_zone(m, gfp) ||
				    (pfn & ((1ULL << order) - 1)) || !pg ||
				    !(pg->flags & MMT_PG_HEAD) ||
				    pfn + (1ULL << order) > mmt_zone_end_pfn(z)) {
					test_fail(__FILE__, __LINE__, "bad block "
						  "%#llx order %u gfp %#x",
						  (unsigned long long)pfn, order,
						  gfp);
					break;
				}
				h[n++] = (struct held){ pfn, order };
			}
		} else {
			unsigned k = (unsigned)((r >> 8) % n);

			mmt_free_pages(m, h[k].pfn, h[k].order);
			h[k] = h[--n];
		}
		if ((i + 1) % every == 0 && mmt_phys_check(m, err, sizeof(err))) {
			test_fail(__FILE__, __LINE__, "step %lu: %s", i, err);
			break;
		}
	}
	CHECK_EQ(orders_seen, 0x7ff);		/* every order 0..10 */
	CHECK_EQ(gfp_seen, (1u << NR_GFP) - 1);	/* every GFP class */
	while (n) {
		n--;
		mmt_free_pages(m, h[n].pfn, h[n].order);
	}
	CHECK_EQ(mmt_phys_check(m, err, sizeof(err)), 0);
	/* freed order-0..3/THP blocks sit on CPU 0's pcp lists, outside
	 * buddyinfo (as in the kernel): drain them, then the buddy must be
	 * exactly as it started */
	mmt_drain_all_pages(m);
	CHECK_EQ(mmt_phys_free_pages(m), mmt_phys_nr_free_pages(m));
	CHECK_EQ(mmt_phys_check(m, err, sizeof(err)), 0);
	after = buddyinfo(m);
	CHECK_STR(after, before);
	free(after);
	free(before);
	free(h);
	(void)enomem;
	(void)drained;
	return i;
}

/* Small machine: the full checker after every single operation. */
TEST(page_alloc_random_64M_check_every_step)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "64M");

	CHECK_EQ(random_ops(m, 60000, 1, 0x5eed1, 600), 60000);
	mmt_machine_free(m);
}

/* x86_32 2G (DMA/Normal/HighMem): a million operations, checked often. */
TEST(page_alloc_random_x86_32_2G_1M_ops)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_32, "2G");

	CHECK_EQ(random_ops(m, 1000000, 5000, 0x5eed2, 20000), 1000000);
	mmt_machine_free(m);
}

/* x86_64 two nodes, PAE and LA57: more shapes of zones. */
TEST(page_alloc_random_other_profiles)
{
	struct mmt_config c;
	struct mmt_machine *m;
	char err[256];

	mmt_config_init(&c, MMT_ARCH_X86_64);
	CHECK_EQ(mmt_config_set(&c, "mem", "6G", err, sizeof(err)), 0);
	CHECK_EQ(mmt_config_set(&c, "nodes", "2", err, sizeof(err)), 0);
	m = test_machine_cfg(&c);
	CHECK_EQ(random_ops(m, 150000, 3000, 0x5eed3, 5000), 150000);
	mmt_machine_free(m);
	m = test_machine(MMT_ARCH_X86_32_PAE, "1G");
	CHECK_EQ(random_ops(m, 100000, 2000, 0x5eed4, 3000), 100000);
	mmt_machine_free(m);
}

/*
 * Zone fallback on x86_32 2G: GFP_HIGHUSER_MOVABLE takes HighMem until its
 * low watermark, then Normal, then DMA (zonelist HighMem -> Normal -> DMA);
 * when every zone fails "low", the slow path walks the zonelist again at
 * "min".  A zone is only left when it fails the watermark in force (low
 * or min) plus its lowmem_reserve against the request's highest zone.
 */
static void fallback_walk(struct mmt_machine *m, unsigned gfp,
			  enum mmt_zone_type highest, const int *want_order,
			  unsigned nwant)
{
	struct mmt_zone *zs = m->phys->nodes[0].zones;
	int first[MMT_NR_ZONES], nfirst = 0, last = -1;
	uint64_t pfn;
	char err[256];

	while (!mmt_alloc_pages(m, gfp, 0, &pfn)) {
		int t = (int)mmt_page_zone(m, pfn)->type;
		bool known = false;

		for (int i = 0; i < nfirst; i++)
			known |= first[i] == t;
		if (!known)
			first[nfirst++] = t;
		if (last >= 0 && t < last)	/* moved down the zonelist */
			CHECK(zs[last].nr_free_pages <=
			      zs[last].wmark[MMT_WMARK_LOW] +
			      zs[last].lowmem_reserve[highest]);
		if (last >= 0 && t > last)	/* second pass, at min */
			CHECK(zs[last].nr_free_pages <=
			      zs[last].wmark[MMT_WMARK_LOW] +
			      zs[last].lowmem_reserve[highest]);
		last = t;
	}
	CHECK_EQ(nfirst, nwant);
	for (unsigned i = 0; i < nwant && i < (unsigned)nfirst; i++)
		CHECK_EQ(first[i], want_order[i]);
	/* at -ENOMEM every usable zone is at or below min + reserve */
	for (unsigned t = 0; t <= highest; t++)
		if (zs[t].managed)
			CHECK(zs[t].nr_free_pages <= zs[t].wmark[MMT_WMARK_MIN] +
			      zs[t].lowmem_reserve[highest]);
	CHECK_EQ(mmt_phys_check(m, err, sizeof(err)), 0);
}

TEST(page_alloc_fallback_x86_32)
{
	static const int order[] = { MMT_ZONE_HIGHMEM, MMT_ZONE_NORMAL,
				     MMT_ZONE_DMA };
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_32, "2G");

	fallback_walk(m, MMT_GFP_HIGHUSER_MOVABLE, MMT_ZONE_MOVABLE, order, 3);
	CHECK(mmt_phys_free_pages(m) < m->phys->totalram_pages / 20);
	mmt_machine_free(m);
}

/*
 * x86_64 5G: GFP_KERNEL goes Normal -> DMA32 but never reaches DMA: DMA's
 * lowmem_reserve against Normal ((DMA32 + Normal managed) / 256, ~5000
 * pages) exceeds all of DMA (3840 pages).  GFP_DMA32 may then still take
 * DMA32 pages down to min (no reserve against its own zone) and may use
 * DMA (reserve against DMA32 only: DMA32 managed / 256).
 */
TEST(page_alloc_fallback_x86_64)
{
	static const int kern[] = { MMT_ZONE_NORMAL, MMT_ZONE_DMA32 };
	/* DMA32 is left at min + its reserve against Normal (Normal/256 =
	 * 2048 pages), below its low mark (min + ~2500): so the fast path
	 * serves GFP_DMA32 from DMA first, the slow path (min) from DMA32 */
	static const int dma32[] = { MMT_ZONE_DMA, MMT_ZONE_DMA32 };
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "5G");
	struct mmt_zone *zs = m->phys->nodes[0].zones;

	CHECK(zs[MMT_ZONE_DMA].lowmem_reserve[MMT_ZONE_NORMAL] ==
	      (zs[MMT_ZONE_DMA32].managed + zs[MMT_ZONE_NORMAL].managed) / 256);
	CHECK(zs[MMT_ZONE_DMA].lowmem_reserve[MMT_ZONE_NORMAL] >
	      zs[MMT_ZONE_DMA].managed);
	fallback_walk(m, MMT_GFP_KERNEL, MMT_ZONE_NORMAL, kern, 2);
	CHECK_EQ(zs[MMT_ZONE_DMA].nr_free_pages, zs[MMT_ZONE_DMA].managed);
	fallback_walk(m, MMT_GFP_DMA32, MMT_ZONE_DMA32, dma32, 2);
	CHECK(zs[MMT_ZONE_DMA].nr_free_pages < zs[MMT_ZONE_DMA].managed);
	mmt_machine_free(m);
}

/*
 * GFP_ATOMIC dips below min: after GFP_DMA fails (free <= min), atomic
 * DMA allocations still succeed until free <= min - min/2 - (min/2)/4.
 * The watermark is checked on NR_FREE_PAGES before the pcp is touched,
 * and a pcp refill (rmqueue_bulk) takes a whole batch without checking
 * it, so the zone may end a little under each mark while blocks still
 * sit on CPU 0's list: every page handed out came either from the buddy
 * or from that list.
 */
TEST(page_alloc_atomic_below_min)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "1G");
	struct mmt_zone *dma = &m->phys->nodes[0].zones[MMT_ZONE_DMA];
	struct mmt_per_cpu_pages *pcp = &dma->pcp[0];
	uint64_t pfn, min = dma->wmark[MMT_WMARK_MIN], floor, extra = 0;
	uint64_t free0, pcp0, slack;
	char err[256];

	while (!mmt_alloc_pages(m, MMT_GFP_DMA, 0, &pfn))
		;
	/* a refill may overshoot by at most one batch << SCALE_MAX */
	slack = (uint64_t)pcp->batch << MMT_PCP_BATCH_SCALE_MAX;
	CHECK(dma->nr_free_pages <= min);
	CHECK(dma->nr_free_pages + slack > min);
	CHECK_EQ(mmt_alloc_pages(m, MMT_GFP_DMA, 0, &pfn), -ENOMEM);
	free0 = dma->nr_free_pages;
	pcp0 = (uint64_t)pcp->count;
	floor = min - min / 2;
	floor -= floor / 4;
	while (!mmt_alloc_pages(m, MMT_GFP_DMA | MMT_GFP_HIGH, 0, &pfn))
		extra++;
	CHECK(dma->nr_free_pages <= floor);
	CHECK(dma->nr_free_pages + slack > floor);
	CHECK(extra >= min - floor - slack);
	CHECK_EQ(extra, (free0 - dma->nr_free_pages) +
		 (pcp0 - (uint64_t)pcp->count));
	CHECK_EQ(mmt_phys_check(m, err, sizeof(err)), 0);
	mmt_machine_free(m);
}

/* Failure changes nothing; bad orders fail; pages come lowest first. */
TEST(page_alloc_enomem_and_split)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "64M");
	char *before, *after;
	uint64_t pfn, p2;
	char err[256];

	CHECK_EQ(mmt_alloc_pages(m, MMT_GFP_KERNEL, 11, &pfn), -ENOMEM);
	while (!mmt_alloc_pages(m, MMT_GFP_DMA, 4, &pfn))
		;
	before = buddyinfo(m);
	CHECK_EQ(mmt_alloc_pages(m, MMT_GFP_DMA, 4, &pfn), -ENOMEM);
	after = buddyinfo(m);
	CHECK_STR(after, before);
	free(before), free(after);
	mmt_machine_free(m);

	/* expand(): the caller gets the lowest part of the split block */
	m = test_machine(MMT_ARCH_X86_32, "512M");
	CHECK_EQ(mmt_alloc_pages(m, MMT_GFP_DMA, 0, &pfn), 0);
	CHECK_EQ(mmt_alloc_pages(m, MMT_GFP_DMA, 0, &p2), 0);
	CHECK_EQ(p2, pfn ^ 1);
	mmt_free_pages(m, pfn, 0);
	mmt_free_pages(m, p2, 0);
	CHECK_EQ(mmt_phys_check(m, err, sizeof(err)), 0);
	mmt_machine_free(m);
}

/* Unmovable requests take over a Movable pageblock (fallback + claim). */
TEST(page_alloc_migratetype_fallback)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "64M");
	uint64_t pfn;
	char err[256];

	CHECK_EQ(mmt_alloc_pages(m, MMT_GFP_KERNEL, 0, &pfn), 0);
	CHECK_EQ(mmt_pfn_migratetype(m, pfn), MMT_MIGRATE_UNMOVABLE);
	CHECK_EQ(mmt_alloc_pages(m, MMT_GFP_KERNEL | MMT_GFP_RECLAIMABLE, 0,
				 &pfn), 0);
	CHECK_EQ(mmt_pfn_migratetype(m, pfn), MMT_MIGRATE_RECLAIMABLE);
	CHECK_EQ(mmt_phys_check(m, err, sizeof(err)), 0);
	mmt_machine_free(m);
}

/* Scenario commands, and clear errors on bad input. */
TEST(page_alloc_script)
{
	char *out = NULL, *err = NULL;

	CHECK_EQ(test_run_script(
		"machine --arch x86_32 --mem 2G\n"
		"alloc_pages a GFP_DMA 3\n"
		"alloc_pages b GFP_HIGHUSER_MOVABLE|__GFP_ZERO 0\n"
		"fill GFP_KERNEL 10 3\n"
		"fragment GFP_KERNEL 10\n"
		"check\n"
		"release\n"
		"free_pages a\nfree_pages b\ncheck\n", &out, &err), 0);
	CHECK(out && strstr(out, "a: pfn 0x") && strstr(out, "zone DMA"));
	CHECK(out && strstr(out, "zone HighMem (Movable)"));
	CHECK(out && strstr(out, "fill: 3 of 3 order-10 blocks"));
	CHECK(out && strstr(out, "release: freed 8 blocks"));
	free(out), free(err);
	CHECK(test_run_script("alloc_pages x GFP_NOPE 0\n", &out, &err) != 0);
	CHECK(err && strstr(err, "unknown GFP flags 'GFP_NOPE'"));
	free(out), free(err);
	CHECK(test_run_script("alloc_pages x GFP_KERNEL 11\n", &out, &err) != 0);
	CHECK(err && strstr(err, "ORDER"));
	free(out), free(err);
	CHECK(test_run_script("free_pages nobody\n", &out, &err) != 0);
	CHECK(err && strstr(err, "unknown name 'nobody'"));
	free(out), free(err);
}
