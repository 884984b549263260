// SPDX-License-Identifier: MIT
/* `show fixmap-slots`: the fixmap slots in use (set_fixmap, kmap_local). */
#include <mmtwin/kalloc.h>
#include <mmtwin/machine.h>
#include <mmtwin/views.h>
#include "mm/kalloc_internal.h"

#include <inttypes.h>

void mmt_fixmap_slots_print(struct mmt_machine *m, FILE *out)
{
	struct mmt_kalloc *ka = m->kalloc;
	unsigned n = 0;

	fprintf(out, "%6s  %-18s %-18s %s\n", "index", "address", "phys",
		"use");
	for (unsigned i = 0; i < ka->fix_total; i++) {
		if (ka->fix_use[i] == MMT_FIX_FREE)
			continue;
		n++;
		fprintf(out, "%6u  %#-18" PRIx64 " %#-18" PRIx64 " %s\n", i,
			mmt_fix_to_virt(m, i), ka->fix_phys[i],
			ka->fix_use[i] == MMT_FIX_SET ? "set_fixmap"
						      : "kmap_local");
	}
	fprintf(out, "%u of %u fixmap slots in use\n", n, ka->fix_total);
}

int mmt_view_fixmap_slots(const struct mmt_view_ctx *c)
{
	struct mmt_machine *m = c->m;
	struct mmt_kalloc *ka = m->kalloc;
	FILE *out = c->out;
	struct mmt_json j;

	if (c->fmt != MMT_FMT_JSON) {
		mmt_fixmap_slots_print(m, out);
		return 0;
	}
	mmt_json_init(&j, out);
	mmt_json_begin_arr(&j, NULL);
	for (unsigned i = 0; i < ka->fix_total; i++) {
		if (ka->fix_use[i] == MMT_FIX_FREE)
			continue;
		mmt_json_begin_obj(&j, NULL);
		mmt_json_u64(&j, "index", i);
		mmt_json_hex(&j, "addr", mmt_fix_to_virt(m, i));
		mmt_json_hex(&j, "phys", ka->fix_phys[i]);
		mmt_json_str(&j, "use", ka->fix_use[i] == MMT_FIX_SET
				? "set_fixmap" : "kmap_local");
		mmt_json_end_obj(&j);
	}
	mmt_json_end_arr(&j);
	mmt_json_finish(&j);
	return 0;
}
