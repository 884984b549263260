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
	"  --mem SIZE        RAM size, 16M..64T (default 1G on x86_32, 4G)\n" \
	"  --vmalloc SIZE    vmalloc= boot parameter (x86_32)\n" \
	"  --vmsplit S       3G | 2G | 1G user/kernel split (x86_32)\n" \
	"  --memmap SRC      default | host (/proc/iomem) | FILE\n" \
	"  --nodes N         NUMA nodes\n" \
	"  --cpus N          online CPUs;  --nr-cpus N  CONFIG_NR_CPUS\n" \
	"  --kaslr           randomise direct map/vmalloc/vmemmap (x86_64)\n" \
	"  --seed N          seed for every random choice\n" \
	"  --trace           explain each page-allocator decision (boot included)\n" \
	"  --check           run every invariant checker after boot and each step\n" \
	"  --format F        text | json\n"

/*
 * Parse machine options from argv[first..]; non-option words are collected
 * into @rest (up to @max).  Returns 0, or prints the error and returns 2.
 */
int cli_parse(int argc, char **argv, int first, struct mmt_config *c,
	      enum mmt_format *fmt, char **rest, int max, int *nrest,
	      const char *usage);
struct mmt_machine *cli_boot(const struct mmt_config *c);
int cli_is_help(const char *arg);

int cmd_layout(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_demo(int argc, char **argv);

#endif
