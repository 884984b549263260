// SPDX-License-Identifier: MIT
/*
 * /proc/slabinfo (mm/slab_common.c slab_show, SLUB's get_slabinfo):
 * version 2.1, newest cache first, SLUB reports tunables and sharedavail
 * as 0 and active_slabs == num_slabs.
 */
#include <mmtwin/kalloc.h>
#include <mmtwin/machine.h>
#include <mmtwin/views.h>
#include "mm/kalloc_internal.h"

static void slabinfo_header(FILE *out)
{
	fputs("slabinfo - version: 2.1\n", out);
	fputs("# name            <active_objs> <num_objs> <objsize> "
	      "<objperslab> <pagesperslab> : tunables <limit> <batchcount> "
	      "<sharedfactor> : slabdata <active_slabs> <num_slabs> "
	      "<sharedavail>\n", out);
}

void mmt_slabinfo_print(struct mmt_machine *m, FILE *out)
{
	slabinfo_header(out);
	for (const struct mmt_kmem_cache *s = m->kalloc->slab_caches; s;
	     s = s->next)
		fprintf(out, "%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u "
			"%4u : slabdata %6lu %6lu %6lu\n", s->name,
			s->active_objs, s->nr_slabs * s->objects, s->size,
			s->objects, 1 << s->order, 0u, 0u, 0u, s->nr_slabs,
			s->nr_slabs, 0ul);
}

int mmt_view_slabinfo(const struct mmt_view_ctx *c)
{
	struct mmt_machine *m = c->m;
	FILE *out = c->out;
	enum mmt_format fmt = c->fmt;
	char *err = c->err;
	size_t errlen = c->errlen;
	struct mmt_json j;

	(void)err, (void)errlen;
	if (fmt != MMT_FMT_JSON) {
		mmt_slabinfo_print(m, out);
		return 0;
	}
	mmt_json_init(&j, out);
	mmt_json_begin_arr(&j, NULL);
	for (const struct mmt_kmem_cache *s = m->kalloc->slab_caches; s;
	     s = s->next) {
		mmt_json_begin_obj(&j, NULL);
		mmt_json_str(&j, "name", s->name);
		mmt_json_u64(&j, "active_objs", s->active_objs);
		mmt_json_u64(&j, "num_objs", s->nr_slabs * s->objects);
		mmt_json_u64(&j, "objsize", s->size);
		mmt_json_u64(&j, "objperslab", s->objects);
		mmt_json_u64(&j, "pagesperslab", 1u << s->order);
		mmt_json_u64(&j, "num_slabs", s->nr_slabs);
		mmt_json_end_obj(&j);
	}
	mmt_json_end_arr(&j);
	mmt_json_finish(&j);
	return 0;
}
