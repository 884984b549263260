// SPDX-License-Identifier: MIT
/* mmtwin run [--format F] SCRIPT: a scenario on modelled machines. */
#include "cli.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *out)
{
	fprintf(out, "usage: mmtwin run [--format text|json] SCRIPT | -\n\n"
		"Run a scenario script ('-' reads standard input).  --format "
		"sets the\ndefault format of its 'show' and 'explain' lines "
		"('show VIEW json'\nor 'machine --format F' still choose per "
		"line).\n\n");
	mmt_script_help(out);
	fprintf(out, "\n" CLI_EXIT_CODES);
}

/* Open @path as a script: a directory is refused, errors say why. */
static FILE *open_script(const char *path)
{
	struct stat st;
	FILE *in;

	if (stat(path, &st)) {
		fprintf(stderr, "mmtwin run: '%s': %s\n", path, strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		fprintf(stderr, "mmtwin run: '%s' is a directory, not a "
			"scenario script\n", path);
		return NULL;
	}
	in = fopen(path, "r");
	if (!in)
		fprintf(stderr, "mmtwin run: '%s': %s\n", path, strerror(errno));
	return in;
}

int cmd_run(int argc, char **argv)
{
	enum mmt_format fmt = MMT_FMT_TEXT;
	const char *path = NULL;
	char err[256];
	FILE *in;
	int r;

	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			usage(stdout);
			return 0;
		}
		if (!strncmp(argv[i], "--format", 8) &&
		    (argv[i][8] == 0 || argv[i][8] == '=')) {
			struct mmt_config unused;

			mmt_config_init(&unused, MMT_ARCH_X86_64);
			if (mmt_parse_machine_opt(&unused, argc, argv, &i, &fmt,
						  err, sizeof(err))) {
				fprintf(stderr, "mmtwin run: %s\n", err);
				return 2;
			}
			continue;
		}
		if (path || (argv[i][0] == '-' && argv[i][1])) {
			fprintf(stderr, "mmtwin run: unexpected argument '%s'\n",
				argv[i]);
			usage(stderr);
			return 2;
		}
		path = argv[i];
	}
	if (!path) {
		fprintf(stderr, "mmtwin run: which script?\n");
		usage(stderr);
		return 2;
	}
	if (!strcmp(path, "-"))
		return mmt_script_run_fmt(stdin, "<stdin>", fmt, stdout, stderr);
	in = open_script(path);
	if (!in)
		return 2;
	r = mmt_script_run_fmt(in, path, fmt, stdout, stderr);
	fclose(in);
	return r;
}
