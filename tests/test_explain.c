// SPDX-License-Identifier: MIT
/* explain on addresses across all four profiles, and the CLI/runner. */
#include "test.h"

#include <stdlib.h>

struct xcase {
	enum mmt_arch arch;
	uint64_t addr;
	bool phys;
	const char *region;	/* NULL: don't care / physical */
	int canonical;		/* 1 yes, 0 no */
	enum mmt_access user;	/* user-mode access outcome */
	unsigned pf_error;	/* when user == PF */
	int zone;		/* -1: none / don't care */
	int has_va;		/* physical: permanent mapping exists */
	uint64_t pa;		/* expected __pa, ~0 = none */
};

#define NONE (~0ULL)
#define X32 MMT_ARCH_X86_32
#define PAE MMT_ARCH_X86_32_PAE
#define X64 MMT_ARCH_X86_64
#define L57 MMT_ARCH_X86_64_LA57

/* Machines: x86_32 at 2G (lowmem ends 0x36bfe000 / PAE 0x36ffe000), x86_64 4G. */
static const struct xcase cases[] = {
	/* x86_32 non-PAE */
	{ X32, 0x08048000, 0, "user", 1, MMT_ACC_DEPENDS, 0x4, -1, 0, NONE },
	{ X32, 0xc0001000, 0, "direct-map", 1, MMT_ACC_PF, 0x5, MMT_ZONE_DMA, 0, 0x1000 },
	{ X32, 0xc1000000, 0, "direct-map", 1, MMT_ACC_PF, 0x5, MMT_ZONE_NORMAL, 0, 0x1000000 },
	{ X32, 0xf6bfd000, 0, "direct-map", 1, MMT_ACC_PF, 0x5, MMT_ZONE_NORMAL, 0, 0x36bfd000 },
	{ X32, 0xf6c00000, 0, "vmalloc-offset", 1, MMT_ACC_PF, 0x4, -1, 0, NONE },
	{ X32, 0xf8000000, 0, "vmalloc", 1, MMT_ACC_PF, 0x5, -1, 0, NONE },
	{ X32, 0xfec00000, 0, "pkmap", 1, MMT_ACC_PF, 0x5, -1, 0, NONE },
	{ X32, 0xfffff000, 0, "fixmap", 1, MMT_ACC_PF, 0x5, -1, 0, NONE },
	{ X32, 0x00500000, 1, NULL, 1, 0, 0, MMT_ZONE_DMA, 1, NONE },
	{ X32, 0x40000000, 1, NULL, 1, 0, 0, MMT_ZONE_HIGHMEM, 0, NONE },
	{ X32, 0xfffc0000, 1, NULL, 1, 0, 0, -1, 0, NONE },	/* BIOS ROM */
	/* x86_32 PAE */
	{ PAE, 0xf6ffd000, 0, "direct-map", 1, MMT_ACC_PF, 0x5, MMT_ZONE_NORMAL, 0, 0x36ffd000 },
	{ PAE, 0xff000000, 0, "pkmap", 1, MMT_ACC_PF, 0x5, -1, 0, NONE },
	{ PAE, 0xbffff000, 0, "user", 1, MMT_ACC_DEPENDS, 0x4, -1, 0, NONE },
	{ PAE, 0x36ffe000, 1, NULL, 1, 0, 0, MMT_ZONE_HIGHMEM, 0, NONE },
	{ PAE, 0x36ffd000, 1, NULL, 1, 0, 0, MMT_ZONE_NORMAL, 1, NONE },
	/* x86_64 4-level */
	{ X64, 0x0000555555554000, 0, "user", 1, MMT_ACC_DEPENDS, 0x4, -1, 0, NONE },
	{ X64, 0x0000800000000000, 0, "non-canonical", 0, MMT_ACC_GP, 0, -1, 0, NONE },
	{ X64, 0xdead000000000000, 0, "non-canonical", 0, MMT_ACC_GP, 0, -1, 0, NONE },
	{ X64, 0xffff800000000000, 0, "guard-hole", 1, MMT_ACC_PF, 0x4, -1, 0, NONE },
	{ X64, 0xffff888000100000, 0, "direct-map", 1, MMT_ACC_PF, 0x5, MMT_ZONE_DMA, 0, 0x100000 },
	{ X64, 0xffff888100000000, 0, "direct-map", 1, MMT_ACC_PF, 0x5, MMT_ZONE_NORMAL, 0, 0x100000000 },
	{ X64, 0xffffc90000001000, 0, "vmalloc", 1, MMT_ACC_PF, 0x5, -1, 0, NONE },
	{ X64, 0xffffea0000000040, 0, "vmemmap", 1, MMT_ACC_PF, 0x5, -1, 0, NONE },
	{ X64, 0xffffffff81000000, 0, "kernel-text", 1, MMT_ACC_PF, 0x5, MMT_ZONE_NORMAL - 1, 0, 0x1000000 },
	{ X64, 0xffffffffff600000, 0, "vsyscall", 1, MMT_ACC_PF, 0x5, -1, 0, NONE },
	{ X64, 0x0000000080000000, 1, NULL, 1, 0, 0, MMT_ZONE_DMA32, 1, NONE },
	{ X64, 0x00000000d0000000, 1, NULL, 1, 0, 0, MMT_ZONE_DMA32, 0, NONE },	/* PCI hole */
	/* x86_64 5-level */
	{ L57, 0x00ff000000000000, 0, "user", 1, MMT_ACC_DEPENDS, 0x4, -1, 0, NONE },
	{ L57, 0x0100000000000000, 0, "non-canonical", 0, MMT_ACC_GP, 0, -1, 0, NONE },
	{ L57, 0xff11000000200000, 0, "direct-map", 1, MMT_ACC_PF, 0x5, MMT_ZONE_DMA, 0, 0x200000 },
	{ L57, 0xff11000040000000, 0, "direct-map", 1, MMT_ACC_PF, 0x5, MMT_ZONE_DMA32, 0, 0x40000000 },
	{ L57, 0xffa0000000000000, 0, "vmalloc", 1, MMT_ACC_PF, 0x5, -1, 0, NONE },
	{ L57, 0xffff800000000000, 0, "kasan", 1, MMT_ACC_PF, 0x5, -1, 0, NONE },
};

static struct mmt_machine *machine_for(enum mmt_arch a)
{
	return test_machine(a, mmt_arch_is_64(a) ? "4G" : "2G");
}

TEST(explain_addresses_across_profiles)
{
	struct mmt_machine *m[MMT_NR_ARCHES];
	char err[256];
	unsigned n = sizeof(cases) / sizeof(cases[0]);

	CHECK(n >= 20);
	for (int a = 0; a < MMT_NR_ARCHES; a++)
		m[a] = machine_for((enum mmt_arch)a);
	for (unsigned i = 0; i < n; i++) {
		const struct xcase *t = &cases[i];
		struct mmt_explain x;
		int before = test_failures();
		int r = t->phys ? mmt_explain_pa(m[t->arch], t->addr, &x, err, sizeof(err))
				: mmt_explain_va(m[t->arch], t->addr, &x, err, sizeof(err));

		CHECK(r == 0);
		if (!t->phys) {
			CHECK(x.region != NULL);
			if (t->region && x.region)
				CHECK_STR(x.region->name, t->region);
			CHECK_EQ(x.canonical, t->canonical);
			CHECK_EQ(x.user_access, t->user);
			if (t->user == MMT_ACC_PF)
				CHECK_EQ(x.user_pf_error, t->pf_error);
			if (t->pa != NONE) {
				CHECK(x.has_pa);
				CHECK_EQ(x.pa, t->pa);
			}
		} else {
			CHECK_EQ(x.has_va, t->has_va);
			if (t->has_va)
				CHECK_EQ(x.va, t->addr + m[t->arch]->layout.page_offset);
		}
		if (t->zone >= 0)
			CHECK_EQ(x.zone, t->zone);
		if (test_failures() != before)
			printf("    (case %u: %s %#" PRIx64 ")\n", i,
			       mmt_arch_name(t->arch), t->addr);
	}
	for (int a = 0; a < MMT_NR_ARCHES; a++)
		mmt_machine_free(m[a]);
}

TEST(explain_index_bits_per_paging_format)
{
	struct mmt_machine *m;
	unsigned idx[5];
	uint64_t off;

	/* 10/10/12: 0xc1234567 -> PGD 0x304, PTE 0x234, offset 0x567 */
	m = machine_for(X32);
	CHECK_EQ(mmt_va_indexes(&m->layout.paging, 0xc1234567, idx, &off), 2);
	CHECK_EQ(idx[0], 0x304);
	CHECK_EQ(idx[1], 0x234);
	CHECK_EQ(off, 0x567);
	mmt_machine_free(m);
	/* 2/9/9/12: PGD 3, PMD 0x009, PTE 0x034 */
	m = machine_for(PAE);
	CHECK_EQ(mmt_va_indexes(&m->layout.paging, 0xc1234567, idx, &off), 3);
	CHECK_EQ(idx[0], 3);
	CHECK_EQ(idx[1], 0x9);
	CHECK_EQ(idx[2], 0x34);
	mmt_machine_free(m);
	/* 9/9/9/9/12: PAGE_OFFSET is PGD slot 273 (0x111) */
	m = machine_for(X64);
	CHECK_EQ(mmt_va_indexes(&m->layout.paging, 0xffff888000000000ULL, idx, &off), 4);
	CHECK_EQ(idx[0], 273);
	CHECK_EQ(idx[1], 0);
	mmt_machine_free(m);
	/* 9/9/9/9/9/12: the LA57 direct map starts in PGD slot 273 too */
	m = machine_for(L57);
	CHECK_EQ(mmt_va_indexes(&m->layout.paging, 0xff11000000000000ULL, idx, &off), 5);
	CHECK_EQ(idx[0], 273);
	CHECK_EQ(idx[1], 0);
	mmt_machine_free(m);
}

TEST(explain_rejects_impossible_addresses)
{
	struct mmt_machine *m = machine_for(X32);
	struct mmt_explain x;
	char err[256];

	CHECK(mmt_explain_va(m, 0x100000000ULL, &x, err, sizeof(err)) == -1);
	CHECK(strstr(err, "32-bit") != NULL);
	CHECK(mmt_explain_pa(m, 0x100000000ULL, &x, err, sizeof(err)) == -1);
	mmt_machine_free(m);
}

/* ------------------------------------------------ CLI and runner */

TEST(cli_layout_explain_show_and_errors)
{
	char *out;

	CHECK_EQ(test_run_cli("layout --arch x86_32 --mem 2G", &out), 0);
	CHECK(out && strstr(out, "HighMem  [mem 0x0000000036bfe000-0x000000007ffdffff]"));
	free(out);
	CHECK_EQ(test_run_cli("layout --arch x86_64-la57 --format json", &out), 0);
	CHECK(out && strstr(out, "\"VMALLOC_START\": \"0xffa0000000000000\""));
	free(out);
	CHECK_EQ(test_run_cli("explain 0x0000800000000000", &out), 0);
	CHECK(out && strstr(out, "#GP"));
	free(out);
	CHECK_EQ(test_run_cli("explain --phys 0x60000000 --arch x86_32 --mem 2G", &out), 0);
	CHECK(out && strstr(out, "kmap"));
	free(out);
	CHECK_EQ(test_run_cli("explain --arch x86_32 0xffffffff --format json", &out), 0);
	CHECK(out && strstr(out, "\"region\": \"fixmap\""));
	free(out);
	CHECK_EQ(test_run_cli("show layout --arch x86_32-pae", &out), 0);
	free(out);
	CHECK_EQ(test_run_cli("--help", &out), 0);
	free(out);
	/* bad input: clear message, non-zero exit */
	CHECK_EQ(test_run_cli("layout --arch mips", &out), 2);
	CHECK(out && strstr(out, "unknown arch"));
	free(out);
	CHECK_EQ(test_run_cli("explain zzz", &out), 2);
	free(out);
	CHECK_EQ(test_run_cli("explain 0x100000000 --arch x86_32", &out), 2);
	free(out);
	CHECK_EQ(test_run_cli("show nosuchview", &out), 2);
	free(out);
	CHECK_EQ(test_run_cli("frobnicate", &out), 2);
	free(out);
	CHECK_EQ(test_run_cli("layout --mem", &out), 2);
	free(out);
	CHECK_EQ(test_run_cli("run /nonexistent/script", &out), 2);
	free(out);
}

TEST(script_runner_runs_and_reports_errors_with_line)
{
	char *out, *err;

	CHECK_EQ(test_run_script("# a comment\n\nmachine --arch x86_32 --mem 1G\n"
				 "echo \"hello world\"\nexplain 0xc0001000\n",
				 &out, &err), 0);
	CHECK(strstr(out, "hello world") != NULL);
	CHECK(strstr(out, "direct-map") != NULL);
	free(out);
	free(err);
	CHECK_EQ(test_run_script("machine --arch x86_32\nbogus 1 2\n", &out, &err), 1);
	CHECK(strstr(err, "test:2:") != NULL);
	CHECK(strstr(err, "unknown command 'bogus'") != NULL);
	free(out);
	free(err);
	CHECK_EQ(test_run_script("machine mem=zero\n", &out, &err), 1);
	CHECK(strstr(err, "test:1:") != NULL && strstr(err, "mem") != NULL);
	free(out);
	free(err);
	CHECK_EQ(test_run_script("echo \"unclosed\n", &out, &err), 1);
	CHECK(strstr(err, "quote") != NULL);
	free(out);
	free(err);
	CHECK_EQ(test_run_script("show nosuch\n", &out, &err), 1);
	CHECK(strstr(err, "unknown view") != NULL);
	free(out);
	free(err);
	CHECK_EQ(test_run_script("explain\n", &out, &err), 1);
	CHECK(strstr(err, "expected") != NULL);
	free(out);
	free(err);
}

TEST(demo_runs_clean)
{
	char *out;

	CHECK_EQ(test_run_cli("demo", &out), 0);
	CHECK(out && strstr(out, "== 9."));
	CHECK(out && strstr(out, "== 16."));
	CHECK(out && strstr(out, "#GP"));
	/* the fallback chapter really falls back, and the checker is happy */
	CHECK(out && strstr(out, "more: pfn") && strstr(out, "zone Normal (Movable)"));
	CHECK(out && strstr(out, "(1G)"));
	free(out);
}

TEST(cli_explain_walk_json_is_one_document)
{
	char *out;

	CHECK_EQ(test_run_cli("explain 0xc0001000 --arch x86_32 --walk "
			      "--format json", &out), 0);
	/* one object: the walk is a member, nothing follows the document */
	CHECK(out && strstr(out, "\"walk\": {"));
	CHECK(out && strstr(out, "\"pa\": \"0x0000000000001000\""));
	CHECK(out && out[strlen(out) - 2] == '}');
	free(out);
}

TEST(cli_trace_explains_allocator_decisions)
{
	char *out;

	/* boot allocates init_mm's page tables: each decision is explained */
	CHECK_EQ(test_run_cli("show buddyinfo --arch x86_32 --mem 256M --trace",
			      &out), 0);
	CHECK(out && strstr(out, "trace: order-0 Unmovable from node 0 zone "
				 "Normal"));
	free(out);
	CHECK_EQ(test_run_cli("show buddyinfo --arch x86_32 --mem 256M", &out), 0);
	CHECK(out && !strstr(out, "trace:"));
	free(out);
}
