// SPDX-License-Identifier: MIT
/*
 * /proc/iomem (kernel/resource.c r_show): "%0*llx-%0*llx : %s", at least
 * 8 hex digits, two spaces of indent per nesting level.  The model knows
 * the e820 map (after the kernel's fixups) and the kernel image, which
 * nests under the System RAM range holding it; PCI windows and devices
 * are not modelled.
 */
#include <mmtwin/phys.h>
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

int mmt_view_iomem(struct mmt_machine *m, FILE *out, enum mmt_format fmt,
		   char *err, size_t errlen)
{
	(void)fmt;
	if (!m->phys) {
		snprintf(err, errlen, "iomem: no physical memory");
		return -1;
	}
	for (unsigned i = 0; i < m->e820.nr; i++) {
		const struct mmt_e820_entry *e = &m->e820.e[i];
		uint64_t last = e->addr + e->size - 1;

		if (!e->size)
			continue;
		fprintf(out, "%08llx-%08llx : %s\n", (unsigned long long)e->addr,
			(unsigned long long)last, iomem_name(e->type));
		if (e->type != MMT_E820_RAM)
			continue;
		for (unsigned k = 0; k < 4; k++) {
			const struct mmt_mb_region *r = &m->phys->kimage[k];

			if (r->start >= e->addr && r->end - 1 <= last)
				fprintf(out, "  %08llx-%08llx : %s\n",
					(unsigned long long)r->start,
					(unsigned long long)r->end - 1,
					r->name);
		}
	}
	return 0;
}
