// SPDX-License-Identifier: MIT
/* mmtwin: command table, dispatch, shared option parsing. */
#include "cli.h"
#include "twin/progress.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const struct cli_cmd cli_cmds[] = {
	{ "layout", "layout [machine options]",
	  "the virtual address-space layout, kernel and user, and the zones",
	  cmd_layout },
	{ "show", "show VIEW [machine options]",
	  "print one view (/proc file or table) of a booted machine", cmd_show },
	{ "explain", "explain ADDR | explain --phys ADDR [machine options]",
	  "what is at an address, and why", cmd_explain },
	{ "run", "run SCRIPT | -", "run a scenario script on modelled machines",
	  cmd_run },
	{ "exec", "exec [options] -- PROGRAM [ARGS...]",
	  "load a real program as execve would; print maps, mm, auxv, stack",
	  cmd_exec },
	{ "shadow", "shadow [options] [--] PROGRAM [ARGS...]",
	  "run a real program under ptrace, mirror and compare its memory calls",
	  cmd_shadow },
	{ "replay", "replay [options] LOG",
	  "replay an strace log on the model, compare every result",
	  cmd_replay },
	{ "demo", "demo", "the built-in tour of every concept", cmd_demo },
	{ NULL, NULL, NULL, NULL }
};

int cli_is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h") ||
	       !strcmp(arg, "help");
}

int cli_parse(int argc, char **argv, int first, struct mmt_config *c,
	      enum mmt_format *fmt, char **rest, int max, int *nrest,
	      const char *usage)
{
	char err[256];

	*nrest = 0;
	for (int i = first; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			fputs(usage, stdout);
			return 1;
		}
		if (argv[i][0] == '-' && argv[i][1] == '-' && argv[i][2]) {
			if (mmt_parse_machine_opt(c, argc, argv, &i, fmt, err,
						  sizeof(err))) {
				fprintf(stderr, "mmtwin: %s\n", err);
				return 2;
			}
			continue;
		}
		if (*nrest >= max) {
			fprintf(stderr, "mmtwin: unexpected argument '%s'\n",
				argv[i]);
			return 2;
		}
		rest[(*nrest)++] = argv[i];
	}
	return 0;
}

struct mmt_machine *cli_boot(const struct mmt_config *c)
{
	char err[512];
	struct mmt_machine *m = mmt_machine_new(c, err, sizeof(err));

	if (!m)
		fprintf(stderr, "mmtwin: %s\n", err);
	return m;
}

/* Seconds from the environment variable @name, or @dflt when it is unset
 * or not a number of seconds 0..1e6. */
static double env_seconds(const char *name, double dflt)
{
	const char *v = getenv(name);
	char *end;
	double d;

	if (!v || !*v)
		return dflt;
	errno = 0;
	d = strtod(v, &end);
	if (errno || *end || !(d >= 0 && d <= 1e6))
		return dflt;
	return d;
}

/*
 * MMTWIN_PROGRESS_AFTER and MMTWIN_PROGRESS_EVERY are a testing seam:
 * the tests' runs end well before a real "long run" would, so they ask
 * for the line at once and at every check (0); a user has no reason to.
 */
void cli_progress(bool *on, double *after, double *every)
{
	*on = isatty(2);
	*after = env_seconds("MMTWIN_PROGRESS_AFTER", MMT_PROGRESS_AFTER);
	*every = env_seconds("MMTWIN_PROGRESS_EVERY", MMT_PROGRESS_EVERY);
}

static void usage(FILE *out)
{
	fprintf(out, "usage: mmtwin COMMAND [ARGS]\n\n"
		"A faithful, executable model of the Linux x86 virtual-memory "
		"system.\n\nCommands:\n");
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\nRun 'mmtwin COMMAND --help' for a command's options.\n"
		"Start with 'mmtwin demo'.\n\n" CLI_EXIT_CODES);
}

/*
 * Everything a command printed must reach its destination: flush stdout
 * and report a failed write (a full disk, a closed pipe's EPIPE is
 * SIGPIPE's business) as a run-time failure, status 1.
 */
static int close_stdout(int status)
{
	int r;

	errno = 0;
	r = fflush(stdout);
	if (r || ferror(stdout)) {
		fprintf(stderr, "mmtwin: write error: %s\n",
			strerror(errno ? errno : EIO));
		return status ? status : 1;
	}
	return status;
}

static int dispatch(int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("mmtwin %s\n", MMTWIN_VERSION);
		return 0;
	}
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		if (!strcmp(c->name, argv[1]))
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "mmtwin: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}

int main(int argc, char **argv)
{
	return close_stdout(dispatch(argc, argv));
}
