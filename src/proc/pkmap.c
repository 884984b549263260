// SPDX-License-Identifier: MIT
/*
 * `show pkmap`: the persistent-kmap slot table (mm/highmem.c pkmap_count[]
 * and the page each slot maps) plus every CPU's kmap_local stack depth.
 */
#include <mmtwin/kalloc.h>
#include <mmtwin/machine.h>
#include <mmtwin/views.h>
#include "mm/kalloc_internal.h"

#include <inttypes.h>

static const char *count_meaning(int c)
{
	return c == 0 ? "free" : c == 1 ? "unused, needs flush" : "in use";
}

void mmt_pkmap_print(struct mmt_machine *m, FILE *out)
{
	struct mmt_kalloc *ka = m->kalloc;
	unsigned used = 0;

	if (!ka->last_pkmap) {
		fprintf(out, "no pkmap: %s has no highmem, kmap() returns "
			"page_address() (the direct map)\n",
			mmt_arch_name(m->cfg.arch));
		return;
	}
	fprintf(out, "PKMAP_BASE %#" PRIx64 ", LAST_PKMAP %u, last_pkmap_nr %u, "
		"flushes %lu\n", m->layout.pkmap_base, ka->last_pkmap,
		ka->last_pkmap_nr, ka->pkmap_flushes);
	fprintf(out, "%5s  %-12s %5s  %-12s %s\n", "nr", "address", "count",
		"page (pfn)", "state");
	for (unsigned i = 0; i < ka->last_pkmap; i++) {
		if (!ka->pkmap_count[i])
			continue;
		used++;
		fprintf(out, "%5u  %#-12" PRIx64 " %5d  %#-12" PRIx64 " %s\n", i,
			m->layout.pkmap_base + ((uint64_t)i << MMT_PAGE_SHIFT),
			ka->pkmap_count[i], ka->pkmap_page[i],
			count_meaning(ka->pkmap_count[i]));
	}
	fprintf(out, "%u of %u slots not free\n", used, ka->last_pkmap);
	for (unsigned c = 0; c < m->cfg.online_cpus; c++)
		fprintf(out, "cpu %u: kmap_local depth %u of %u\n", c,
			mmt_kmap_local_depth(m, c), ka->km_max_idx);
}

int mmt_view_pkmap(const struct mmt_view_ctx *c)
{
	struct mmt_machine *m = c->m;
	FILE *out = c->out;
	enum mmt_format fmt = c->fmt;
	char *err = c->err;
	size_t errlen = c->errlen;
	struct mmt_kalloc *ka = m->kalloc;
	struct mmt_json j;

	(void)err, (void)errlen;
	if (fmt != MMT_FMT_JSON) {
		mmt_pkmap_print(m, out);
		return 0;
	}
	mmt_json_init(&j, out);
	mmt_json_begin_obj(&j, NULL);
	mmt_json_u64(&j, "last_pkmap", ka->last_pkmap);
	mmt_json_u64(&j, "last_pkmap_nr", ka->last_pkmap_nr);
	mmt_json_u64(&j, "flushes", ka->pkmap_flushes);
	mmt_json_begin_arr(&j, "slots");
	for (unsigned i = 0; i < ka->last_pkmap; i++) {
		if (!ka->pkmap_count[i])
			continue;
		mmt_json_begin_obj(&j, NULL);
		mmt_json_u64(&j, "nr", i);
		mmt_json_hex(&j, "addr", m->layout.pkmap_base +
			     ((uint64_t)i << MMT_PAGE_SHIFT));
		mmt_json_i64(&j, "count", ka->pkmap_count[i]);
		mmt_json_hex(&j, "pfn", ka->pkmap_page[i]);
		mmt_json_end_obj(&j);
	}
	mmt_json_end_arr(&j);
	mmt_json_end_obj(&j);
	mmt_json_finish(&j);
	return 0;
}
