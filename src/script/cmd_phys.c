// SPDX-License-Identifier: MIT
/*
 * Scenario commands for the page allocator:
 *   alloc_pages NAME GFP ORDER   allocate a block, bound to NAME
 *   free_pages NAME              free a block (alloc_pages or alloc_page)
 *   fill GFP ORDER COUNT         allocate up to COUNT blocks (held)
 *   fragment GFP COUNT           allocate COUNT pages, free every other,
 *                                drain the pcp lists (real order-0 holes)
 *   release                      free every fill/fragment block, newest
 *                                first
 *   drain                        drain_all_pages(): pcp lists -> buddy
 *   vmstat_refresh               the vmstat worker's decay_pcp_high()
 *   trace on|off                 explain each allocator decision
 * GFP is words joined by '|': GFP_KERNEL, GFP_DMA, GFP_DMA32, GFP_ATOMIC,
 * GFP_HIGHUSER_MOVABLE, __GFP_MOVABLE, ...
 */
#include "names.h"

#include "mm/internal.h"
#include <mmtwin/script.h>

#include <stdlib.h>
#include <string.h>

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-')
		return -1;
	v = strtoul(s, &end, 0);
	if (*end || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static const char *zone_of(struct mmt_machine *m, uint64_t pfn)
{
	struct mmt_zone *z = mmt_page_zone(m, pfn);

	return z ? mmt_zone_name(z->type) : "?";
}

static int get_gfp_order(struct mmt_script *s, const char *g, const char *o,
			 unsigned *gfp, unsigned *order)
{
	if (mmt_gfp_parse(g, gfp))
		return mmt_script_fail(s, "unknown GFP flags '%s' (expected "
				       "e.g. GFP_KERNEL|__GFP_ZERO)", g);
	if (mmt_gfp_zone_bad(*gfp))
		return mmt_script_fail(s, "GFP flags '%s' name no zone: "
				       "GFP_ZONE_BAD (two of __GFP_DMA, "
				       "__GFP_DMA32, __GFP_HIGHMEM)", g);
	if (parse_uint(o, MMT_MAX_ORDER, order))
		return mmt_script_fail(s, "expected an ORDER 0..%d, got '%s'",
				       MMT_MAX_ORDER, o);
	return 0;
}

static int cmd_alloc_pages(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;
	struct mmt_obj *o;
	unsigned gfp, order;
	uint64_t pfn;

	if (argc != 4)
		return mmt_script_fail(s, "expected 'alloc_pages NAME GFP ORDER'");
	if (get_gfp_order(s, argv[2], argv[3], &gfp, &order))
		return -1;
	m = mmt_script_machine(s);
	if (!m || !(o = mmt_script_new_name(s, argv[1])))
		return -1;
	if (mmt_alloc_pages(m, gfp, order, &pfn)) {
		fprintf(s->out, "%s: order-%u %s: -ENOMEM\n", argv[1], order,
			argv[2]);
		return 0;
	}
	mmt_name_bind(o, (struct mmt_obj){ .type = MMT_OBJ_PAGES, .pfn = pfn,
					   .order = order });
	fprintf(s->out, "%s: pfn %#llx order %u zone %s (%s)\n", argv[1],
		(unsigned long long)pfn, order, zone_of(m, pfn),
		mmt_migratetype_name(mmt_gfp_migratetype(gfp)));
	return 0;
}

static int cmd_free_pages(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;
	struct mmt_obj *o;

	if (argc != 2)
		return mmt_script_fail(s, "expected 'free_pages NAME'");
	m = mmt_script_machine(s);
	if (!m || !(o = mmt_script_get(s, argv[1],
				       MMT_OBJ_MASK(MMT_OBJ_PAGES))))
		return -1;
	mmt_free_pages(m, o->pfn, o->order);
	mmt_name_release(o);
	return 0;
}

/* Allocate up to @count blocks; print how many came from which zone. */
static int do_fill(struct mmt_script *s, struct mmt_machine *m, unsigned gfp,
		   unsigned order, unsigned count)
{
	uint64_t per_zone[MMT_NR_ZONES] = { 0 }, got = 0;

	for (unsigned i = 0; i < count; i++) {
		uint64_t pfn;
		struct mmt_zone *z;

		if (mmt_alloc_pages(m, gfp, order, &pfn))
			break;
		got++;
		z = mmt_page_zone(m, pfn);
		per_zone[z->type]++;
		if (mmt_script_hold_anon(s, pfn, order)) {
			mmt_free_pages(m, pfn, order);
			return mmt_script_fail(s, "out of host memory");
		}
	}
	fprintf(s->out, "fill: %llu of %u order-%u blocks",
		(unsigned long long)got, count, order);
	for (unsigned t = 0; t < MMT_NR_ZONES; t++)
		if (per_zone[t])
			fprintf(s->out, ", %s %llu", mmt_zone_name(t),
				(unsigned long long)per_zone[t]);
	if (got < count)
		fprintf(s->out, "; then -ENOMEM");
	fputc('\n', s->out);
	return 0;
}

/*
 * fragment: allocate @count order-0 pages and keep them all, then free
 * every other one and drain the per-CPU lists (drain_all_pages, as the
 * kernel does under pressure).  Freeing while allocating would not
 * fragment: the pcp list hands the freed page straight back.  After the
 * drain each freed page is an order-0 buddy block whose buddy is held.
 */
static int do_fragment(struct mmt_script *s, struct mmt_machine *m,
		       unsigned gfp, unsigned count)
{
	uint64_t *pfns = malloc((count ? count : 1) * sizeof(*pfns));
	uint64_t per_zone[MMT_NR_ZONES] = { 0 }, drained;
	unsigned got = 0, held = 0;

	if (!pfns)
		return mmt_script_fail(s, "out of host memory");
	for (; got < count; got++) {
		if (mmt_alloc_pages(m, gfp, 0, &pfns[got]))
			break;
		per_zone[mmt_page_zone(m, pfns[got])->type]++;
	}
	for (unsigned i = 0; i < got; i++) {
		if (i & 1) {
			mmt_free_pages(m, pfns[i], 0);
			continue;
		}
		if (mmt_script_hold_anon(s, pfns[i], 0)) {
			for (; i < got; i++)
				mmt_free_pages(m, pfns[i], 0);
			free(pfns);
			return mmt_script_fail(s, "out of host memory");
		}
		held++;
	}
	free(pfns);
	drained = mmt_drain_all_pages(m);
	fprintf(s->out, "fragment: %u of %u order-0 pages", got, count);
	for (unsigned t = 0; t < MMT_NR_ZONES; t++)
		if (per_zone[t])
			fprintf(s->out, ", %s %llu", mmt_zone_name(t),
				(unsigned long long)per_zone[t]);
	fprintf(s->out, "; freed every other one (%u), kept %u; drained %llu "
		"per-CPU pages to the buddy%s\n", got - held, held,
		(unsigned long long)drained, got < count ? "; -ENOMEM" : "");
	return 0;
}

static int cmd_fill(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;
	unsigned gfp, order, count;

	if (argc != 4)
		return mmt_script_fail(s, "expected 'fill GFP ORDER COUNT'");
	if (get_gfp_order(s, argv[1], argv[2], &gfp, &order))
		return -1;
	if (parse_uint(argv[3], 1u << 30, &count))
		return mmt_script_fail(s, "expected a COUNT, got '%s'", argv[3]);
	m = mmt_script_machine(s);
	return m ? do_fill(s, m, gfp, order, count) : -1;
}

static int cmd_fragment(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;
	unsigned gfp, order, count;

	if (argc != 3)
		return mmt_script_fail(s, "expected 'fragment GFP COUNT'");
	if (get_gfp_order(s, argv[1], "0", &gfp, &order))
		return -1;
	if (parse_uint(argv[2], 1u << 30, &count))
		return mmt_script_fail(s, "expected a COUNT, got '%s'", argv[2]);
	m = mmt_script_machine(s);
	return m ? do_fragment(s, m, gfp, count) : -1;
}

static int cmd_release(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;
	uint64_t n = 0;

	(void)argv;
	if (argc != 1)
		return mmt_script_fail(s, "expected 'release'");
	m = mmt_script_machine(s);
	if (!m)
		return -1;
	/* newest first, as the blocks would be unwound */
	for (; s->names && s->names->nr_anon; n++) {
		struct mmt_anon_block *b =
			&s->names->anon[--s->names->nr_anon];

		mmt_free_pages(m, b->pfn, b->order);
	}
	fprintf(s->out, "release: freed %llu blocks\n", (unsigned long long)n);
	return 0;
}

static int cmd_drain(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;

	(void)argv;
	if (argc != 1)
		return mmt_script_fail(s, "expected 'drain'");
	m = mmt_script_machine(s);
	if (!m)
		return -1;
	fprintf(s->out, "drain: %llu pages from per-CPU lists to the buddy\n",
		(unsigned long long)mmt_drain_all_pages(m));
	return 0;
}

static int cmd_vmstat_refresh(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;

	(void)argv;
	if (argc != 1)
		return mmt_script_fail(s, "expected 'vmstat_refresh'");
	m = mmt_script_machine(s);
	if (!m)
		return -1;
	fprintf(s->out, "vmstat_refresh: %llu pages freed by decay_pcp_high\n",
		(unsigned long long)mmt_vmstat_refresh(m));
	return 0;
}

static int cmd_trace(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;

	if (argc != 2 || (strcmp(argv[1], "on") && strcmp(argv[1], "off")))
		return mmt_script_fail(s, "expected 'trace on' or 'trace off'");
	m = mmt_script_machine(s);
	if (!m)
		return -1;
	m->phys->trace = !strcmp(argv[1], "on") ? s->out : NULL;
	return 0;
}

const struct mmt_script_cmd mmt_script_cmds_phys[] = {
	{ "alloc_pages", "alloc_pages NAME GFP ORDER",
	  "allocate 2^ORDER pages (GFP words joined by '|')", cmd_alloc_pages },
	{ "free_pages", "free_pages NAME",
	  "free a block of alloc_pages or alloc_page", cmd_free_pages },
	{ "fill", "fill GFP ORDER COUNT",
	  "allocate up to COUNT blocks and keep them", cmd_fill },
	{ "fragment", "fragment GFP COUNT",
	  "allocate COUNT pages, free every other one, drain the per-CPU "
	  "lists: order-0 holes", cmd_fragment },
	{ "release", "release", "free every fill/fragment block", cmd_release },
	{ "drain", "drain",
	  "return every per-CPU list page to the buddy (drain_all_pages)",
	  cmd_drain },
	{ "vmstat_refresh", "vmstat_refresh",
	  "run the vmstat worker's decay_pcp_high on every CPU",
	  cmd_vmstat_refresh },
	{ "trace", "trace on|off", "explain each page-allocator decision",
	  cmd_trace },
	{ NULL, NULL, NULL, NULL }
};
