/* SPDX-License-Identifier: MIT */
/* The mmtwin command line: one file per subcommand (git builtin/ style). */
#ifndef MMT_CLI_H
#define MMT_CLI_H

#include <mmtwin/mmtwin.h>

struct cli_cmd {
	const char *name;
	const char *usage;
	const char *summary;
	int (*fn)(int argc, char **argv);
};

extern const struct cli_cmd cli_cmds[];

/* Options every machine-building command accepts. */
#define CLI_MACHINE_OPTS \
	"  --arch A          x86_32 | x86_32-pae | x86_64 | x86_64-la57\n" \
	"  --mem SIZE        RAM size, 16M..64T (default 1G on x86_32, 4G on\n" \
	"                    x86_64; the default follows the final --arch)\n" \
	"  --vmalloc SIZE    vmalloc= boot parameter (x86_32 only)\n" \
	"  --vmsplit S       3G | 2G | 1G user/kernel split (x86_32 only)\n" \
	"  --memmap SRC      default | host (/proc/iomem, as root) | FILE\n" \
	"  --nodes N         NUMA nodes\n" \
	"  --cpus N          online CPUs, at most NR_CPUS\n" \
	"  --nr-cpus N       CONFIG_NR_CPUS (default 32 on x86_32, 256)\n" \
	"  --kaslr           randomise direct map/vmalloc/vmemmap (x86_64 only)\n" \
	"  --seed N          seed for every random choice\n" \
	"  --trace           explain each page-allocator decision (boot included)\n" \
	"  --check           run every invariant checker after boot and each step\n" \
	"  --format F        text | json\n" \
	"Options apply in any order (--arch first sets the profile's defaults,\n" \
	"then every option given).  Numbers and addresses are decimal or\n" \
	"0x-hex, never octal: 010 is ten.  Sizes take K, M, G, T (binary).\n"

/* The exit status every command documents. */
#define CLI_EXIT_CODES \
	"Exit status: 0 success; 1 a view or scenario failed at run time (a\n" \
	"scenario line, a write error); 2 bad usage: an unknown command or\n" \
	"option, a bad value, a machine that cannot boot from the options,\n" \
	"an input file that cannot be read (script or memory map).\n"

/*
 * Parse machine options from argv[first..]; non-option words are collected
 * into @rest (up to @max).  Returns 0, or prints the error and returns 2.
 */
int cli_parse(int argc, char **argv, int first, struct mmt_config *c,
	      enum mmt_format *fmt, char **rest, int max, int *nrest,
	      const char *usage);
struct mmt_machine *cli_boot(const struct mmt_config *c);
/* The progress line of shadow and replay (twin/progress.h): on when
 * stderr is a terminal; the policy's seconds (main.c says what else). */
void cli_progress(bool *on, double *after, double *every);
int cli_is_help(const char *arg);

int cmd_layout(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_shadow(int argc, char **argv);
int cmd_replay(int argc, char **argv);

#endif
