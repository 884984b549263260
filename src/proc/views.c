// SPDX-License-Identifier: MIT
/* The view table: one line per printable view of a machine. */
#include <mmtwin/kalloc.h>
#include <mmtwin/views.h>
#include <mmtwin/kern.h>

#include <string.h>

const struct mmt_view mmt_views[] = {
	{ "layout", "virtual address-space layout, user and kernel, and zones",
	  mmt_view_layout },
	{ "e820", "the boot memory map (firmware and after kernel fixups)",
	  mmt_view_e820 },
	{ "fixmap", "the fixmap slots: enum fixed_addresses and addresses",
	  mmt_view_fixmap },
	{ "buddyinfo", "free blocks per zone and order (/proc/buddyinfo)",
	  mmt_view_buddyinfo },
	{ "pagetypeinfo", "free blocks per migratetype (/proc/pagetypeinfo)",
	  mmt_view_pagetypeinfo },
	{ "zoneinfo", "zones: watermarks, spanned/present/managed (/proc/zoneinfo)",
	  mmt_view_zoneinfo },
	{ "meminfo", "memory totals (/proc/meminfo)", mmt_view_meminfo },
	{ "iomem", "physical address map and kernel image (/proc/iomem)",
	  mmt_view_iomem },
	{ "pagetable", "init_mm page tables: counts and ranges (ptdump)",
	  mmt_view_pagetable },
	{ "slabinfo", "/proc/slabinfo: slab caches (SLUB, kmalloc-*)",
	  mmt_view_slabinfo },
	{ "vmallocinfo", "/proc/vmallocinfo: vmalloc, vmap and ioremap areas",
	  mmt_view_vmallocinfo },
	{ "pkmap", "kmap() slots: pkmap_count and pages, kmap_local depth",
	  mmt_view_pkmap },
	{ "fixmap-slots", "fixmap slots in use (set_fixmap, kmap_local)",
	  mmt_view_fixmap_slots },
	{ NULL, NULL, NULL }
};

const struct mmt_view *mmt_view_find(const char *name)
{
	const struct mmt_view *v;

	for (v = mmt_views; v->name; v++)
		if (!strcmp(v->name, name))
			return v;
	return NULL;
}
