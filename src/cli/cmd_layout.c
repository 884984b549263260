// SPDX-License-Identifier: MIT
/* mmtwin layout: the address-space tables of one profile. */
#include "cli.h"

static const char usage_text[] =
	"usage: mmtwin layout [machine options]\n\n"
	"Kernel-space and user-space tables (start, end, size, name, purpose)\n"
	"computed with the kernel's formulas, the zones for that RAM size,\n"
	"the key constants and why they have the values they have.\n\n"
	"Options:\n" CLI_MACHINE_OPTS "\n" CLI_EXIT_CODES;

int cmd_layout(int argc, char **argv)
{
	struct mmt_config c;
	enum mmt_format fmt = MMT_FMT_TEXT;
	char *rest[1], err[256];
	int nrest, r;
	struct mmt_machine *m;

	mmt_config_init(&c, MMT_ARCH_X86_64);
	r = cli_parse(argc, argv, 1, &c, &fmt, rest, 0, &nrest, usage_text);
	if (r)
		return r == 1 ? 0 : 2;
	m = cli_boot(&c);
	if (!m)
		return 2;
	r = mmt_view_print(m, "layout", stdout, fmt, err, sizeof(err));
	if (r)
		fprintf(stderr, "mmtwin layout: %s\n", err);
	mmt_machine_free(m);
	return r ? 1 : 0;
}
