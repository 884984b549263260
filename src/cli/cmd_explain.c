// SPDX-License-Identifier: MIT
/* mmtwin explain ADDR: what is at an address, and why. */
#include "cli.h"

#include <mmtwin/kern.h>

#include <string.h>

static const char usage_text[] =
	"usage: mmtwin explain ADDR [machine options]\n"
	"       mmtwin explain --phys ADDR [machine options]\n"
	"       mmtwin explain ADDR --walk [machine options]\n\n"
	"For a virtual address: user / kernel / non-canonical, what the CPU\n"
	"does on access from user and kernel mode (#GP, #PF and its error\n"
	"code), the region and offset, the index each paging level takes,\n"
	"and for the direct map __pa, the pfn and the zone.  With --phys: the\n"
	"zone, the pfn and __va, or why highmem has no permanent mapping.\n"
	"With --walk: the page walk through init_mm, level by level.\n"
	"ADDR is decimal or 0x-hex (no octal: 010 is ten).\n\n"
	"Options:\n" CLI_MACHINE_OPTS "\n" CLI_EXIT_CODES;

/* One JSON document: the explanation with its walk as member "walk". */
static void print_json_with_walk(struct mmt_machine *m,
				 const struct mmt_explain *x, uint64_t addr)
{
	struct mmt_json j;

	mmt_json_init(&j, stdout);
	mmt_json_begin_obj(&j, NULL);
	mmt_explain_json_members(m, x, &j);
	mmt_pt_walk_json(m, mmt_init_mm_pgd(m), addr, &j, "walk");
	mmt_json_end_obj(&j);
	mmt_json_finish(&j);
}

int cmd_explain(int argc, char **argv)
{
	struct mmt_config c;
	enum mmt_format fmt = MMT_FMT_TEXT;
	char *rest[2], err[512];
	struct mmt_machine *m;
	struct mmt_explain x;
	bool phys = false, walk = false;
	uint64_t addr;
	int nrest, r, i, j;

	/* strip --phys before the shared parser sees it */
	for (i = 1, j = 1; i < argc; i++)
		if (!strcmp(argv[i], "--phys"))
			phys = true;
		else if (!strcmp(argv[i], "--walk"))
			walk = true;
		else
			argv[j++] = argv[i];
	argc = j;
	mmt_config_init(&c, MMT_ARCH_X86_64);
	r = cli_parse(argc, argv, 1, &c, &fmt, rest, 1, &nrest, usage_text);
	if (r)
		return r == 1 ? 0 : 2;
	if (nrest != 1) {
		fprintf(stderr, "mmtwin explain: expected one address\n%s",
			usage_text);
		return 2;
	}
	if (mmt_parse_addr(rest[0], &addr)) {
		fprintf(stderr, "mmtwin explain: '%s' is not an address "
			"(decimal or 0x-hex)\n", rest[0]);
		return 2;
	}
	m = cli_boot(&c);
	if (!m)
		return 2;
	r = phys ? mmt_explain_pa(m, addr, &x, err, sizeof(err))
		 : mmt_explain_va(m, addr, &x, err, sizeof(err));
	if (r)
		fprintf(stderr, "mmtwin explain: %s\n", err);
	else if (walk && !phys && fmt == MMT_FMT_JSON)
		print_json_with_walk(m, &x, addr);
	else
		mmt_explain_print(m, &x, stdout, fmt);
	if (!r && walk && !phys && fmt == MMT_FMT_TEXT)
		mmt_pt_walk_print(m, mmt_init_mm_pgd(m), addr, stdout);
	mmt_machine_free(m);
	return r ? 2 : 0;
}
