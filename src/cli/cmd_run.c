// SPDX-License-Identifier: MIT
/* mmtwin run SCRIPT: a scenario on modelled machines. */
#include "cli.h"

#include <string.h>

int cmd_run(int argc, char **argv)
{
	FILE *in;
	int r;

	if (argc != 2 || cli_is_help(argv[1])) {
		FILE *out = argc == 2 ? stdout : stderr;

		fprintf(out, "usage: mmtwin run SCRIPT | -\n\n");
		mmt_script_help(out);
		return argc == 2 ? 0 : 2;
	}
	if (!strcmp(argv[1], "-"))
		return mmt_script_run(stdin, "<stdin>", stdout, stderr);
	in = fopen(argv[1], "r");
	if (!in) {
		fprintf(stderr, "mmtwin run: cannot open '%s'\n", argv[1]);
		return 2;
	}
	r = mmt_script_run(in, argv[1], stdout, stderr);
	fclose(in);
	return r;
}
