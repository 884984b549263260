// SPDX-License-Identifier: MIT
/*
 * The live-kernel harness against the real kernel (docs/live-tests.md).
 *
 * Assumes: Linux 6.18 on x86_64 with IA32 emulation (each test checks
 * `uname -r` and prints "SKIP ..." on any other kernel instead of
 * passing), ptrace-level access to our own children (/proc/PID/pagemap,
 * stat's start_brk), and the children built by `make check`
 * ($MMTWIN_LIVE_CHILD_X86_64, $MMTWIN_LIVE_CHILD_I386).  Nothing here
 * changes a system setting; vm.max_map_count and friends are only read.
 *
 * Today the model is the null model (the kernel's own answers), so these
 * runs check the harness, the step tables and the kernel-side invariants;
 * tests/test_live_diff.c plugs in the process model.
 */
#include "test.h"
#include "live/live.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#define STEPS_DIR "tests/live/steps"

static bool live_ok(const char *test)
{
	char why[256];

	if (live_kernel_check(why, sizeof(why))) {
		printf("    SKIP %s: %s\n", test, why);
		return false;
	}
	return true;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char *vma_name_at(const struct live_vma *v, int n, uint64_t a)
{
	for (int i = 0; i < n; i++)
		if (v[i].start <= a && a < v[i].end)
			return v[i].perms;
	return NULL;
}

TEST(live_kernel_version_check)
{
	char why[256] = "";
	int rc = live_kernel_check(why, sizeof(why));

	/* either it is the kernel the tables were written for, or it says
	 * why not: never a silent pass */
	CHECK(rc == 0 || strstr(why, "assume Linux 6.18") || strstr(why, "x86_64"));
	if (rc)
		printf("    SKIP live tests: %s\n", why);
}

/* The child starts, says hello with its buffer inside its .bss, runs raw
 * calls, survives faulting touches (si_code MAPERR / ACCERR), and its
 * /proc files and pagemap read. */
static void protocol(enum mmt_abi abi)
{
	struct live_opts o = { .abi = abi };
	struct live_child c;
	struct live_touch t;
	struct live_vma *v;
	uint64_t pm[2];
	int64_t addr, r;
	char *text, err[256];
	int n;

	if (live_start(&c, &o)) {
		test_fail(__FILE__, __LINE__, "%s", c.err);
		return;
	}
	CHECK(c.pid > 0);
	CHECK_EQ(c.payload_size, 65536);
	CHECK(!live_read(&c, "maps", &text));
	n = live_maps_parse(text ? text : "", &v, err, sizeof(err));
	CHECK(n >= 5);
	if (n > 0)
		CHECK_STR(vma_name_at(v, n, c.payload), "rw-p");
	free(v);
	free(text);

	CHECK(!live_call(&c, abi == MMT_ABI_I386 ?
			 "mmap2(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)" :
			 "mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
			 &addr, err, sizeof(err)));
	CHECK(addr > 0 && !(addr & 4095));
	/* i386 addresses above 2 GiB stay positive */
	if (abi == MMT_ABI_I386)
		CHECK(addr > 0x80000000LL && addr < 0x100000000LL);
	CHECK(!live_touch(&c, (uint64_t)addr, false, 0, &t));
	CHECK_EQ(t.signo, 0);
	CHECK(!live_touch(&c, (uint64_t)addr + 4096, true, 7, &t));
	CHECK_EQ(t.signo, SIGSEGV);
	CHECK_EQ(t.code, 2);		/* SEGV_ACCERR */
	CHECK_EQ(t.addr, (uint64_t)addr + 4096);
	CHECK(!live_touch(&c, 0x1000, false, 0, &t));
	CHECK_EQ(t.signo, SIGSEGV);
	CHECK_EQ(t.code, 1);		/* SEGV_MAPERR */
	/* the child survived both: it still answers */
	CHECK(!live_call(&c, "mprotect(0x1000, 4096, PROT_READ)", &r, err,
			 sizeof(err)));
	CHECK_EQ(r, -ENOMEM);
	CHECK(!live_call(&c, "munmap(0x1001, 4096)", &r, err, sizeof(err)));
	CHECK_EQ(r, -EINVAL);
	/* the read touched the first page: present in pagemap (bit 63) */
	CHECK(!live_pagemap(&c, (uint64_t)addr, 2, pm));
	CHECK(pm[0] >> 63);
	CHECK(!(pm[1] >> 63));
	for (const char *f = "smaps\0stat\0status\0statm\0"; *f; f += strlen(f) + 1) {
		CHECK(!live_read(&c, f, &text));
		CHECK(text && strlen(text) > 0);
		free(text);
	}
	/* i386 "mmap" is old_mmap: the six words go through the buffer */
	if (abi == MMT_ABI_I386) {
		CHECK(!live_call(&c, "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
				 &r, err, sizeof(err)));
		CHECK(r > 0 && !(r & 4095));
	}
	CHECK(live_call(&c, "mmapp(NULL)", &r, err, sizeof(err)) == -1);
	CHECK(strstr(err, "mmapp") != NULL);
	live_finish(&c);
	CHECK_EQ(c.pid, 0);
}

TEST(live_child_protocol_x86_64)
{
	if (live_ok("live_child_protocol_x86_64"))
		protocol(MMT_ABI_X86_64);
}

TEST(live_child_protocol_i386)
{
	if (live_ok("live_child_protocol_i386"))
		protocol(MMT_ABI_I386);
}

/* A call that never returns hits the timeout; the child is then killed
 * and reaped, not left behind. */
TEST(live_child_timeout_reaps)
{
	struct live_opts o = { .abi = MMT_ABI_X86_64, .timeout_ms = 200 };
	struct live_child c;
	uint64_t a[6] = { 0 };
	int64_t r;
	pid_t pid;

	if (!live_ok("live_child_timeout_reaps"))
		return;
	if (live_start(&c, &o)) {
		test_fail(__FILE__, __LINE__, "%s", c.err);
		return;
	}
	pid = c.pid;
	CHECK(live_syscall(&c, 34 /* pause */, a, &r) == -1);
	CHECK(strstr(c.err, "no reply within 200 ms") != NULL);
	CHECK_EQ(c.pid, 0);
	CHECK(kill(pid, 0) == -1 && errno == ESRCH);
	CHECK(live_syscall(&c, 39, a, &r) == -1);	/* stays dead */
	live_finish(&c);
}

/* rlimits reach the child (set before execve) and ASLR is off: two
 * children have the very same maps. */
TEST(live_child_rlimits_and_no_aslr)
{
	struct live_opts o = { .abi = MMT_ABI_X86_64 };
	struct live_child c, d;
	char *limits = NULL, *m1 = NULL, *m2 = NULL;

	if (!live_ok("live_child_rlimits_and_no_aslr"))
		return;
	o.rlim[LIVE_RLIM_STACK] = (struct live_rlimit){ true, 1 << 20, 1 << 20 };
	o.rlim[LIVE_RLIM_AS] = (struct live_rlimit){ true, 1ULL << 32, LIVE_RLIM_INFINITY };
	o.rlim[LIVE_RLIM_MEMLOCK] = (struct live_rlimit){ true, 65536, 65536 };
	if (live_start(&c, &o)) {
		test_fail(__FILE__, __LINE__, "%s", c.err);
		return;
	}
	CHECK(!live_read(&c, "limits", &limits));
	CHECK(limits && strstr(limits, "Max stack size            1048576              1048576"));
	CHECK(limits && strstr(limits, "Max address space         4294967296           unlimited"));
	CHECK(limits && strstr(limits, "Max locked memory         65536                65536"));
	CHECK(!live_read(&c, "maps", &m1));
	memset(&o.rlim, 0, sizeof(o.rlim));
	o.rlim[LIVE_RLIM_STACK] = (struct live_rlimit){ true, 1 << 20, 1 << 20 };
	if (!live_start(&d, &o)) {
		CHECK(!live_read(&d, "maps", &m2));
		CHECK(m1 && m2 && !strcmp(m1, m2));
		live_finish(&d);
	}
	live_finish(&c);
	free(limits);
	free(m1);
	free(m2);
}

TEST(live_sysctl_reported)
{
	struct live_sysctl s;

	if (!live_ok("live_sysctl_reported"))
		return;
	live_sysctl_read(&s);
	CHECK(s.max_map_count > 0);
	CHECK(s.mmap_min_addr >= 0);
	CHECK(s.overcommit_memory >= 0 && s.overcommit_memory <= 2);
	printf("    vm.max_map_count=%ld vm.mmap_min_addr=%ld "
	       "vm.overcommit_memory=%ld thp=%s\n", s.max_map_count,
	       s.mmap_min_addr, s.overcommit_memory, s.thp_enabled);
}

TEST(live_maps_parser_invariants)
{
	struct live_vma *v;
	char err[256];

	CHECK_EQ(live_maps_parse("00400000-00401000 r--p 00000000 fe:00 12 /x\n"
				 "00401000-00402000 rw-p 00000000 00:00 0 \n",
				 &v, err, sizeof(err)), 2);
	CHECK_STR(v[0].name, "/x");
	CHECK_STR(v[1].name, "");
	free(v);
	/* unaligned, unsorted, overlapping, malformed, no newline */
	CHECK(live_maps_parse("00400001-00401000 r--p 00000000 00:00 0\n", &v,
			      err, sizeof(err)) < 0);
	CHECK(strstr(err, "page-aligned") != NULL);
	CHECK(live_maps_parse("00402000-00403000 r--p 00000000 00:00 0\n"
			      "00400000-00401000 r--p 00000000 00:00 0\n", &v,
			      err, sizeof(err)) < 0);
	CHECK(live_maps_parse("00400000-00402000 r--p 00000000 00:00 0\n"
			      "00401000-00403000 r--p 00000000 00:00 0\n", &v,
			      err, sizeof(err)) < 0);
	CHECK(live_maps_parse("00400000-00402000 rq-p 00000000 00:00 0\n", &v,
			      err, sizeof(err)) < 0);
	CHECK(live_maps_parse("00400000-00402000 r--p 00000000 00:00 0", &v,
			      err, sizeof(err)) < 0);
}

TEST(live_diff_text_excerpt)
{
	char *d = live_diff_text("a\nb\nc\nd\ne\n", "a\nb\nX\nd\ne\n", "k", "m");

	CHECK_STR(d, "--- k\n+++ m\n@@ -3,1 +3,1 @@\n a\n b\n-c\n+X\n d\n e\n");
	free(d);
	d = live_diff_text("a\nb\n", "a\nb\nc\n", "k", "m");
	CHECK_STR(d, "--- k\n+++ m\n@@ -3,0 +3,1 @@\n a\n b\n+c\n");
	free(d);
	CHECK(live_diff_text("same\n", "same\n", "k", "m") == NULL);
}

/* A small hand-made sequence, for the driver's own tests. */
static const struct live_step demo_steps[] = {
	{ "mmap(NULL, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)", 1, 1 },
	{ "mprotect($1+0x1000, 4096, PROT_READ)", 1, 2 },
	{ "munmap($1, 4096) = 0", 1, 3 },
	{ "mmap($1, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0) = $1", 1, 4 },
	{ "munmap($1+%i*0x1000, 4096)", 4, 5 },
};

static struct live_seq demo_seq(enum mmt_abi abi)
{
	struct live_seq s = {
		.name = "demo", .desc = "driver self-test", .abi = abi,
		.where = __FILE__, .steps = demo_steps,
		.nsteps = sizeof(demo_steps) / sizeof(demo_steps[0]),
	};

	return s;
}

TEST(live_diff_null_model_agrees)
{
	struct live_report rep = { 0 };
	struct live_seq s = demo_seq(MMT_ABI_X86_64);

	if (!live_ok("live_diff_null_model_agrees"))
		return;
	CHECK_EQ(live_diff_run(&s, &live_null_model, &rep), 0);
	if (rep.failed)
		test_fail(__FILE__, __LINE__, "%s", rep.what);
	CHECK_EQ(rep.steps, 8);
	CHECK_EQ(rep.seqs, 1);
	CHECK(rep.kernel_checks >= 7);
	live_report_free(&rep);
}

/* The broken model differs in one maps byte at step 3: the driver stops
 * there and shows both texts and the differing line. */
TEST(live_diff_catches_one_byte)
{
	struct live_broken_cfg cfg = { .step = 3 };
	struct live_model_ops ops = live_broken_model(&cfg);
	struct live_report rep = { 0 };
	struct live_seq s = demo_seq(MMT_ABI_X86_64);

	if (!live_ok("live_diff_catches_one_byte"))
		return;
	CHECK_EQ(live_diff_run(&s, &ops, &rep), -1);
	CHECK(rep.failed);
	CHECK(strstr(rep.what, "demo") && strstr(rep.what, "step 3:"));
	CHECK(strstr(rep.what, "maps differ") != NULL);
	CHECK(rep.kernel_maps && rep.model_maps);
	CHECK(rep.diff && strstr(rep.diff, "\n-") && strstr(rep.diff, "\n+"));
	CHECK_EQ(rep.steps, 3);
	live_report_free(&rep);

	/* and a result off by one at the second call */
	cfg = (struct live_broken_cfg){ .step = 2, .ret_off = true };
	memset(&rep, 0, sizeof(rep));
	CHECK_EQ(live_diff_run(&s, &ops, &rep), -1);
	CHECK(strstr(rep.what, "step 2:") && strstr(rep.what, "model broken"));
	CHECK_EQ(rep.model_ret, rep.kernel_ret + 1);
	live_report_free(&rep);
}

/* A step's " = RET" is checked against the kernel: a wrong one fails. */
TEST(live_diff_checks_expectations)
{
	static const struct live_step bad[] = {
		{ "mmap(NULL, 0, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 ENOMEM", 1, 1 },
	};
	struct live_seq s = { .name = "bad", .desc = "wrong expectation",
			      .abi = MMT_ABI_X86_64, .where = __FILE__,
			      .steps = bad, .nsteps = 1 };
	struct live_report rep = { 0 };

	if (!live_ok("live_diff_checks_expectations"))
		return;
	CHECK_EQ(live_diff_run(&s, &live_null_model, &rep), -1);
	CHECK(strstr(rep.what, "answered -22 EINVAL") != NULL);
	live_report_free(&rep);
}

/* Every sequence of tests/live/steps/ on the kernel, both ABIs. */
static void step_tables(enum mmt_abi abi)
{
	struct live_seqs seqs;
	struct live_report rep = { 0 };
	char err[512];
	unsigned distinct;
	double t0 = now();

	if (live_seqs_load(STEPS_DIR, abi, &seqs, err, sizeof(err))) {
		test_fail(__FILE__, __LINE__, "%s", err);
		return;
	}
	distinct = live_seqs_distinct(&seqs);
	CHECK(distinct >= 300);
	for (unsigned i = 0; i < seqs.n; i++) {
		CHECK(seqs.seq[i].desc && *seqs.seq[i].desc);
		if (live_diff_run(&seqs.seq[i], &live_null_model, &rep)) {
			test_fail(__FILE__, __LINE__, "%s", rep.what);
			if (rep.diff)
				printf("%s", rep.diff);
			live_report_free(&rep);
			rep.failed = false;
		}
	}
	printf("    %s: %u sequences, %u distinct steps, %u steps run, "
	       "%u kernel checks, %.2f s\n", mmt_abi_name(abi), seqs.n,
	       distinct, rep.steps, rep.kernel_checks, now() - t0);
	live_report_free(&rep);
	live_seqs_free(&seqs);
}

TEST(live_steps_x86_64)
{
	if (live_ok("live_steps_x86_64"))
		step_tables(MMT_ABI_X86_64);
}

TEST(live_steps_i386)
{
	if (live_ok("live_steps_i386"))
		step_tables(MMT_ABI_I386);
}

#define RANDOM_STEPS 10000

static void random_run(enum mmt_abi abi, uint64_t seed)
{
	struct live_random gen;
	struct live_seq s;
	struct live_report rep = { 0 };

	live_random_seq(&s, &gen, abi, seed, RANDOM_STEPS);
	if (live_diff_run(&s, &live_null_model, &rep)) {
		test_fail(__FILE__, __LINE__, "%s", rep.what);
		if (rep.diff)
			printf("%s", rep.diff);
	}
	CHECK_EQ(rep.steps, RANDOM_STEPS);
	printf("    %s seed %#llx: %u steps (mmap %u munmap %u mprotect %u brk %u "
	       "mremap %u madvise %u) in %.2f s\n", mmt_abi_name(abi),
	       (unsigned long long)seed, rep.steps,
	       gen.counts[LIVE_RND_MMAP], gen.counts[LIVE_RND_MUNMAP],
	       gen.counts[LIVE_RND_MPROTECT], gen.counts[LIVE_RND_BRK],
	       gen.counts[LIVE_RND_MREMAP], gen.counts[LIVE_RND_MADVISE],
	       rep.seconds);
	live_report_free(&rep);
	live_random_free(&gen);
}

TEST(live_random_x86_64)
{
	if (live_ok("live_random_x86_64"))
		random_run(MMT_ABI_X86_64, 0x6d6d7477696e0001ULL);
}

TEST(live_random_i386)
{
	if (live_ok("live_random_i386"))
		random_run(MMT_ABI_I386, 0x6d6d7477696e0002ULL);
}
