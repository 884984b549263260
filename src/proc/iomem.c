// SPDX-License-Identifier: MIT
/*
 * /proc/iomem (kernel/resource.c r_show): "%0*llx-%0*llx : %s", at least
 * 8 hex digits, two spaces of indent per nesting level.  The model knows
 * the e820 map (after the kernel's fixups) and the kernel image, which
 * nests under the System RAM range holding it; PCI windows and devices
 * are not modelled.  JSON (not a kernel format): the same tree as an
 * array of {"start", "end", "name", "children": [...]}, addresses as
 * "0x%016x" strings, end inclusive as in the text.
 */
#include "mm/internal.h"
#include <mmtwin/views.h>

static const char *iomem_name(enum mmt_e820_type t)
{
	switch (t) {
	case MMT_E820_RAM: return "System RAM";
	case MMT_E820_ACPI: return "ACPI Tables";
	case MMT_E820_NVS: return "ACPI Non-volatile Storage";
	case MMT_E820_UNUSABLE: return "Unusable memory";
	default: return "Reserved";
	}
}

/* The kernel image regions nesting under e820 entry @e, in order. */
static unsigned kimage_children(const struct mmt_machine *m,
				const struct mmt_e820_entry *e,
				const struct mmt_mb_region **kid)
{
	uint64_t last = e->addr + e->size - 1;
	unsigned n = 0;

	if (e->type != MMT_E820_RAM)
		return 0;
	for (unsigned k = 0; k < 4; k++) {
		const struct mmt_mb_region *r = &m->phys->kimage[k];

		if (r->start >= e->addr && r->end - 1 <= last)
			kid[n++] = r;
	}
	return n;
}

static void iomem_text(const struct mmt_machine *m, FILE *out)
{
	for (unsigned i = 0; i < m->e820.nr; i++) {
		const struct mmt_e820_entry *e = &m->e820.e[i];
		const struct mmt_mb_region *kid[4];
		unsigned nk;

		if (!e->size)
			continue;
		fprintf(out, "%08llx-%08llx : %s\n", (unsigned long long)e->addr,
			(unsigned long long)(e->addr + e->size - 1),
			iomem_name(e->type));
		nk = kimage_children(m, e, kid);
		for (unsigned k = 0; k < nk; k++)
			fprintf(out, "  %08llx-%08llx : %s\n",
				(unsigned long long)kid[k]->start,
				(unsigned long long)kid[k]->end - 1,
				kid[k]->name);
	}
}

/*
 * Opens {"start", "end" (inclusive, as the text), "name", "children": [
 * and leaves the children array and the object for the caller to close.
 */
static void json_resource(struct mmt_json *j, uint64_t start, uint64_t last,
			  const char *name)
{
	mmt_json_begin_obj(j, NULL);
	mmt_json_hex(j, "start", start);
	mmt_json_hex(j, "end", last);
	mmt_json_str(j, "name", name);
	mmt_json_begin_arr(j, "children");
}

static void iomem_json(const struct mmt_machine *m, FILE *out)
{
	struct mmt_json j;

	mmt_json_init(&j, out);
	mmt_json_begin_arr(&j, NULL);
	for (unsigned i = 0; i < m->e820.nr; i++) {
		const struct mmt_e820_entry *e = &m->e820.e[i];
		const struct mmt_mb_region *kid[4];
		unsigned nk;

		if (!e->size)
			continue;
		json_resource(&j, e->addr, e->addr + e->size - 1,
			      iomem_name(e->type));
		nk = kimage_children(m, e, kid);
		for (unsigned k = 0; k < nk; k++) {
			json_resource(&j, kid[k]->start, kid[k]->end - 1,
				      kid[k]->name);
			mmt_json_end_arr(&j);
			mmt_json_end_obj(&j);
		}
		mmt_json_end_arr(&j);
		mmt_json_end_obj(&j);
	}
	mmt_json_end_arr(&j);
	mmt_json_finish(&j);
}

int mmt_view_iomem(const struct mmt_view_ctx *c)
{
	struct mmt_machine *m = c->m;
	FILE *out = c->out;
	enum mmt_format fmt = c->fmt;
	char *err = c->err;
	size_t errlen = c->errlen;
	if (!m->phys) {
		snprintf(err, errlen, "iomem: no physical memory");
		return -1;
	}
	if (fmt == MMT_FMT_JSON)
		iomem_json(m, out);
	else
		iomem_text(m, out);
	return 0;
}
