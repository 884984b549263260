// SPDX-License-Identifier: MIT
/* The view table: one line per printable view of a machine. */
#include <mmtwin/views.h>

#include <string.h>

const struct mmt_view mmt_views[] = {
	{ "layout", "virtual address-space layout, user and kernel, and zones",
	  mmt_view_layout },
	{ "e820", "the boot memory map (firmware and after kernel fixups)",
	  mmt_view_e820 },
	{ "fixmap", "the fixmap slots: enum fixed_addresses and addresses",
	  mmt_view_fixmap },
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
