// SPDX-License-Identifier: MIT
/* mmtwin show VIEW: one view of a freshly booted machine. */
#include "cli.h"

#include <string.h>

static void usage(FILE *out)
{
	fprintf(out, "usage: mmtwin show VIEW [PID [ARG]] [machine options]\n\n"
		"A PID (or --pid N) selects the process of a per-process view\n"
		"(marked [PID]); pagemap takes an address range START-END after\n"
		"it (pagemap-text may).  status prints only the memory lines of\n"
		"/proc/PID/status (task_mem(): VmPeak .. HugetlbPages).\n\n"
		"Views:\n");
	for (const struct mmt_view *v = mmt_views; v->name; v++)
		fprintf(out, "  %-12s %s%s\n", v->name, v->summary,
			v->flags & MMT_VIEW_TASK ? " [PID]" : "");
	fprintf(out, "\nOptions:\n" CLI_MACHINE_OPTS "\n" CLI_EXIT_CODES);
}

/* Take "--pid N" / "--pid=N" out of argv; -1 (reported) without a value. */
static int take_pid(int *argc, char **argv, char **pid)
{
	int i, o;

	for (i = o = 1; i < *argc; i++) {
		if (!strncmp(argv[i], "--pid=", 6)) {
			*pid = argv[i] + 6;
			continue;
		}
		if (!strcmp(argv[i], "--pid")) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "mmtwin show: --pid needs a "
					"value\n");
				return -1;
			}
			*pid = argv[++i];
			continue;
		}
		argv[o++] = argv[i];
	}
	*argc = o;
	return 0;
}

int cmd_show(int argc, char **argv)
{
	struct mmt_config c;
	enum mmt_format fmt = MMT_FMT_TEXT;
	char *rest[3], err[512], *pid = NULL;
	const struct mmt_view *v;
	struct mmt_machine *m;
	struct mmt_view_ctx ctx = { .out = stdout, .err = err,
				    .errlen = sizeof(err) };
	int nrest, r;

	for (int i = 1; i < argc; i++)
		if (cli_is_help(argv[i])) {
			usage(stdout);
			return 0;
		}
	if (take_pid(&argc, argv, &pid))
		return 2;
	mmt_config_init(&c, MMT_ARCH_X86_64);
	r = cli_parse(argc, argv, 1, &c, &fmt, rest, pid ? 2 : 3, &nrest, "");
	if (r)
		return 2;
	if (pid) {			/* --pid N: VIEW [ARG] */
		if (nrest == 2)
			ctx.arg = rest[1];
	} else if (nrest >= 2) {	/* VIEW PID [ARG] */
		pid = rest[1];
		if (nrest == 3)
			ctx.arg = rest[2];
	}
	if (nrest < 1) {
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
	ctx.m = m;
	ctx.fmt = fmt;
	r = mmt_view_run(v, &ctx, pid);
	if (r)
		fprintf(stderr, "mmtwin show %s: %s\n", rest[0], err);
	mmt_machine_free(m);
	return r ? 1 : 0;
}
