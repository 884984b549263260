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

/* ------------------------------------------- the initial stack, by pid */

#include <mmtwin/exec.h>
#include <unistd.h>

static const char *stack_what(struct mmt_machine *m, struct mmt_task *t,
			      uint64_t a, struct mmt_explain *x)
{
	char err[256];

	if (mmt_explain_task(m, t, a, x, err, sizeof(err)))
		return "(error)";
	return x->in_exec_stack ? x->stack.what : "(none)";
}

TEST(explain_initial_stack_items)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "1G");
	char *argv[] = { "/bin/true", "a", "bb", "ccc", "dddd", NULL };
	char *envp[] = { "HOME=/root", "X=1", NULL };
	struct mmt_exec_params p = { 0 };
	struct mmt_explain x;
	struct mmt_task *t;
	uint64_t sp, a, ty[MMT_AT_VECTOR_SIZE], val[MMT_AT_VECTOR_SIZE];
	uint64_t entry_at = 0, entry = 0, random = 0, platform = 0, execfn = 0;
	unsigned n;
	int e;

	if (access("/bin/true", X_OK)) {
		mmt_machine_free(m);
		return;
	}
	t = mmt_task_create(m, MMT_TASK_X86_64, 0, &e);
	CHECK(t != NULL);
	if (!t) {
		mmt_machine_free(m);
		return;
	}
	/* before any exec: no initial stack to name */
	CHECK_STR(stack_what(m, t, 0x7fffffffe000ULL, &x), "(none)");
	p.filename = argv[0];
	p.argv = argv;
	p.envp = envp;
	CHECK_EQ(mmt_execve(t, &p, NULL, NULL, 0), 0);
	sp = t->mm->start_stack;
	/* argc, the pointers */
	CHECK_STR(stack_what(m, t, sp, &x), "argc");
	CHECK_EQ(x.stack.value, 5);
	CHECK_STR(stack_what(m, t, sp + 8 * 4 + 3, &x), "argv[3]");
	CHECK_STR(stack_what(m, t, sp + 8 * 6, &x), "argv[5] NULL");
	CHECK_STR(stack_what(m, t, sp + 8 * 7, &x), "envp[0]");
	CHECK_EQ(x.stack.value, t->mm->env_start);
	CHECK_STR(stack_what(m, t, sp + 8 * 9, &x), "envp[2] NULL");
	/* the strings: arg_start holds "/bin/true\0a\0bb\0ccc\0dddd\0" */
	a = t->mm->arg_start + 10 + 2 + 3 + 1;		/* 2nd 'c' */
	CHECK_STR(stack_what(m, t, a, &x), "argv[3] string");
	CHECK_STR(x.stack.string, "ccc");
	CHECK_EQ(x.stack.addr, a - 1);
	CHECK_EQ(x.stack.size, 4);
	CHECK_STR(stack_what(m, t, t->mm->env_start, &x), "envp[0] string");
	CHECK_STR(x.stack.string, "HOME=/root");
	CHECK_STR(stack_what(m, t, t->mm->env_end - 1, &x), "envp[1] string");
	/* the vector: AT_ENTRY's value word, AT_RANDOM, platform, execfn */
	n = mmt_exec_auxv(t, ty, val, MMT_AT_VECTOR_SIZE);
	CHECK(n > 10);
	for (unsigned i = 0; i < n; i++) {
		uint64_t at = sp + 8 * (1 + 6 + 3) + 16 * i;

		if (ty[i] == MMT_AT_ENTRY) {
			entry_at = at + 8;
			entry = val[i];
		}
		if (ty[i] == MMT_AT_RANDOM)
			random = val[i];
		if (ty[i] == MMT_AT_PLATFORM)
			platform = val[i];
		if (ty[i] == MMT_AT_EXECFN)
			execfn = val[i];
	}
	CHECK_STR(stack_what(m, t, entry_at, &x), "auxv AT_ENTRY value");
	CHECK_EQ(x.stack.value, entry);
	CHECK(entry > t->mm->start_code && entry < t->mm->end_code);
	CHECK_STR(stack_what(m, t, entry_at - 8, &x), "auxv type AT_ENTRY");
	CHECK_EQ(x.stack.value, MMT_AT_ENTRY);
	CHECK_STR(stack_what(m, t, random + 15, &x), "AT_RANDOM bytes");
	CHECK_STR(stack_what(m, t, random - 1, &x), "padding");
	CHECK_STR(stack_what(m, t, platform + 2, &x), "platform string");
	CHECK_STR(x.stack.string, "x86_64");
	CHECK_STR(stack_what(m, t, execfn, &x), "execfn string");
	CHECK_STR(x.stack.string, "/bin/true");
	CHECK_STR(stack_what(m, t, 0x7ffffffff000ULL - 1, &x), "padding");
	CHECK_STR(x.vma_kind, "[stack]");
	/* below sp: in [stack], but nothing execve wrote */
	CHECK_STR(stack_what(m, t, sp - 8, &x), "(none)");
	CHECK(x.in_vma);
	CHECK(x.nr_why > 0 && strstr(x.why[x.nr_why - 1], "below the initial"));
	/* the program's text: a file VMA, not the stack */
	CHECK_STR(stack_what(m, t, t->mm->start_code, &x), "(none)");
	CHECK_STR(x.vma_kind, "file");
	CHECK(mmt_machine_check(m, NULL, 0) == 0);
	mmt_machine_free(m);
}

TEST(explain_pid_scenario)
{
	char *out = NULL, *err = NULL;
	int r;

	if (access("/bin/true", X_OK))
		return;
	r = test_run_script("machine --arch x86_64 --mem 1G\nprocess\n"
			    "exec /bin/true one two\n"
			    "explain 0x7fffffffefee --pid 1\n"
			    "explain 0x7fffffffefc9 --pid 1\n", &out, &err);
	CHECK_EQ(r, 0);
	CHECK(out && strstr(out, "process 1:    VMA 0x7ffffffde000-"
			    "0x7ffffffff000 [stack]"));
	CHECK(out && strstr(out, "initial stack: execfn string, byte 0 of 10"
			    " at 0x7fffffffefee \"/bin/true\""));
	CHECK(out && strstr(out, "initial stack: platform string, byte 0 of "
			    "7 at 0x7fffffffefc9 \"x86_64\""));
	free(out);
	free(err);
	r = test_run_script("machine --arch x86_64 --mem 1G\nprocess\n"
			    "explain 0x1000 --pid 7\n", &out, &err);
	CHECK(r != 0);
	CHECK(err && strstr(err, "no process '7'"));
	free(out);
	free(err);
}
