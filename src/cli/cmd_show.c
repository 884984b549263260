// SPDX-License-Identifier: MIT
/* mmtwin show VIEW: one view of a freshly booted machine. */
#include "cli.h"

#include <string.h>

static void usage(FILE *out)
{
	fprintf(out, "usage: mmtwin show VIEW [machine options]\n\nViews:\n");
	for (const struct mmt_view *v = mmt_views; v->name; v++)
		fprintf(out, "  %-12s %s\n", v->name, v->summary);
	fprintf(out, "\nOptions:\n" CLI_MACHINE_OPTS "\n" CLI_EXIT_CODES);
}

int cmd_show(int argc, char **argv)
{
	struct mmt_config c;
	enum mmt_format fmt = MMT_FMT_TEXT;
	char *rest[1], err[512];
	const struct mmt_view *v;
	struct mmt_machine *m;
	int nrest, r;

	for (int i = 1; i < argc; i++)
		if (cli_is_help(argv[i])) {
			usage(stdout);
			return 0;
		}
	mmt_config_init(&c, MMT_ARCH_X86_64);
	r = cli_parse(argc, argv, 1, &c, &fmt, rest, 1, &nrest, "");
	if (r)
		return 2;
	if (nrest != 1) {
		fprintf(stderr, "mmtwin show: which view?\n");
		usage(stderr);
		return 2;
	}
	v = mmt_view_find(rest[0]);
	if (!v) {
		fprintf(stderr, "mmtwin show: unknown view '%s'\n", rest[0]);
		usage(stderr);
		return 2;
	}
	m = cli_boot(&c);
	if (!m)
		return 2;
	r = v->fn(m, stdout, fmt, err, sizeof(err));
	if (r)
		fprintf(stderr, "mmtwin show %s: %s\n", rest[0], err);
	mmt_machine_free(m);
	return r ? 1 : 0;
}
