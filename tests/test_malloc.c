// SPDX-License-Identifier: MIT
/*
 * The malloc model (src/libc/malloc.c) against the host's glibc 2.36.
 *
 *   test ──fork, ADDR_NO_RANDOMIZE, PTRACE_TRACEME, exec──► malloc child
 *     │  PTRACE_SYSCALL stops, PTRACE_GET_SYSCALL_INFO        (tests/malloc/child.c)
 *     │  first sched_yield: mmt_task_seed_pid (the state right before the
 *     │  sequence); every call until the second one recorded
 *     └─ the same words run on the model: the same calls with the same
 *        arguments and results, and the same addresses (ASLR off)
 *
 * The children are built by make (MMTWIN_MALLOC_CHILD_X86_64 / _I386);
 * without them (no gcc-multilib for i386) the test says SKIP.
 */
#include "test.h"
#include "live/live.h"

#include <mmtwin/machine.h>
#include <mmtwin/malloc.h>
#include <mmtwin/mm.h>
#include <mmtwin/syscall.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#define GET_SYSCALL_INFO	0x420e	/* PTRACE_GET_SYSCALL_INFO */
#define MAX_CALLS		512
#define MAX_RES			256

/* struct ptrace_syscall_info of <linux/ptrace.h> (which glibc's
 * <sys/ptrace.h> cannot be included with) */
struct sc_info {
	uint8_t op;
	uint8_t pad[3];
	uint32_t arch;
	uint64_t ip, sp;
	union {
		struct {
			uint64_t nr;
			uint64_t args[6];
		} entry;
		struct {
			int64_t rval;
			uint8_t is_error;
		} exit;
		uint64_t raw[8];
	};
};

struct run {
	struct mmt_malloc_call calls[MAX_CALLS];
	unsigned ncalls;
	uint64_t res[MAX_RES];
	unsigned nres;
	unsigned nother, other_nr;	/* calls outside the memory class */
};

/* The calls compared: brk, mmap/mmap2, munmap, mprotect, mremap, madvise
 * (glibc's ptmalloc_init also calls getrandom for the tcache key). */
static bool is_mm_call(uint64_t nr, bool m32)
{
	static const unsigned n64[] = { 12, 9, 11, 10, 25, 28 };
	static const unsigned n32[] = { 45, 192, 91, 125, 163, 219 };

	for (unsigned i = 0; i < 6; i++)
		if (nr == (m32 ? n32[i] : n64[i]))
			return true;
	return false;
}

static const char *child_path(bool m32)
{
	const char *p = getenv(m32 ? "MMTWIN_MALLOC_CHILD_I386"
				   : "MMTWIN_MALLOC_CHILD_X86_64");

	return p && !access(p, X_OK) ? p : NULL;
}

/*
 * Run the child with @words under ptrace; seed @m's task from it at the
 * start marker (*@tp).  false when something failed (reported).
 */
static bool run_live(const char *bin, bool m32, const char *const *words,
		     struct mmt_machine *m, struct mmt_task **tp,
		     struct run *r)
{
	unsigned marker = m32 ? 158 : 24;	/* sched_yield */
	const char *argv[64];
	int pfd[2], status, phase = 0, n = 0;
	uint64_t cur_nr = 0, cur_args[6] = { 0 };
	char err[256], buf[8192];
	size_t len = 0;
	pid_t pid;

	argv[n++] = bin;
	for (unsigned i = 0; words[i] && n < 63; i++)
		argv[n++] = words[i];
	argv[n] = NULL;
	if (pipe(pfd))
		return false;
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		personality(PER_LINUX | ADDR_NO_RANDOMIZE);
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
		close(pfd[0]);
		return false;
	}
	ptrace(PTRACE_SETOPTIONS, pid, 0,
	       PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL);
	for (;;) {
		int sig = 0;
		struct sc_info si;

		if (ptrace(PTRACE_SYSCALL, pid, 0, 0) ||
		    waitpid(pid, &status, 0) != pid)
			break;
		if (WIFEXITED(status) || WIFSIGNALED(status))
			break;
		if (WSTOPSIG(status) != (SIGTRAP | 0x80)) {
			sig = WSTOPSIG(status);
			(void)sig;
			continue;
		}
		memset(&si, 0, sizeof(si));
		if (ptrace((enum __ptrace_request)GET_SYSCALL_INFO, pid,
			   (void *)sizeof(si), &si) <= 0)
			continue;
		if (si.op == 1) {		/* entry */
			cur_nr = si.entry.nr;
			memcpy(cur_args, si.entry.args, sizeof(cur_args));
			if (cur_nr == marker && phase == 0) {
				*tp = mmt_task_seed_pid(m, pid, err,
							sizeof(err));
				if (!*tp)
					printf("    seeding failed: %s\n", err);
				phase = 1;
			} else if (cur_nr == marker && phase == 1) {
				phase = 2;
			}
		} else if (si.op == 2 && phase == 1 && cur_nr != marker &&
			   !is_mm_call(cur_nr, m32)) {
			r->nother++;
			r->other_nr = (unsigned)cur_nr;
		} else if (si.op == 2 && phase == 1 && cur_nr != marker &&
			   r->ncalls < MAX_CALLS) {
			struct mmt_malloc_call *c = &r->calls[r->ncalls++];

			c->nr = (unsigned)cur_nr;
			memcpy(c->args, cur_args, sizeof(c->args));
			c->ret = si.exit.rval;
		}
	}
	waitpid(pid, &status, WNOHANG);
	while (len < sizeof(buf) - 1) {
		ssize_t k = read(pfd[0], buf + len, sizeof(buf) - 1 - len);

		if (k <= 0)
			break;
		len += (size_t)k;
	}
	close(pfd[0]);
	buf[len] = 0;
	for (char *p = strtok(buf, "\n"); p && r->nres < MAX_RES;
	     p = strtok(NULL, "\n"))
		r->res[r->nres++] = strtoull(p, NULL, 16);
	return phase == 2 && *tp;
}

static long num(const char **p)
{
	char *end;
	long v = strtol(*p, &end, 10);

	*p = end;
	return v;
}

/* The same words on the model's task @t. */
static void run_model(struct mmt_task *t, const char *const *words,
		      struct run *r)
{
	uint64_t slot[64] = { 0 };
	bool on = false;

	for (unsigned i = 0; words[i]; i++) {
		const char *p = words[i] + 1;
		const struct mmt_malloc_call *c;
		uint64_t res = 0;
		bool has_res = true;
		long a, b, k;
		size_t n = 0;
		int err;

		switch (words[i][0]) {
		case 'S':
			on = true;
			continue;
		case 'E':
			on = false;
			continue;
		case 'm':
			a = num(&p) & 63;
			p++;
			b = num(&p);
			res = slot[a] = mmt_libc_malloc(t, (uint64_t)b, &err);
			break;
		case 'c':
			a = num(&p) & 63;
			p++;
			b = num(&p);
			p++;
			k = num(&p);
			res = slot[a] = mmt_libc_calloc(t, (uint64_t)b,
							(uint64_t)k, &err);
			break;
		case 'r':
			a = num(&p) & 63;
			p++;
			b = num(&p);
			res = slot[a] = mmt_libc_realloc(t, slot[a], (uint64_t)b,
							 &err);
			break;
		case 'f':
			a = num(&p) & 63;
			CHECK_EQ(mmt_libc_free(t, slot[a]), 0);
			slot[a] = 0;
			has_res = false;
			break;
		case 'o':
			a = num(&p);
			p++;
			b = num(&p);
			res = (uint64_t)mmt_libc_mallopt(t, (int)a, b);
			break;
		default:
			continue;	/* setup words ran before the seed */
		}
		if (!on)
			continue;
		if (has_res && r->nres < MAX_RES)
			r->res[r->nres++] = res;
		c = mmt_malloc_calls(t, &n);
		for (size_t j = 0; j < n && r->ncalls < MAX_CALLS; j++)
			r->calls[r->ncalls++] = c[j];
	}
}

static void print_call(const char *who, const struct mmt_malloc_call *c,
		       bool m32)
{
	const struct mmt_syscall *e =
		mmt_sys_by_nr(m32 ? MMT_ABI_I386 : MMT_ABI_X86_64, c->nr);

	printf("      %s: %s(%#llx, %#llx, %#llx, %#llx, %#llx) = %#llx\n", who,
	       e ? e->name : "?", (unsigned long long)c->args[0],
	       (unsigned long long)c->args[1], (unsigned long long)c->args[2],
	       (unsigned long long)c->args[3], (unsigned long long)c->args[4],
	       (unsigned long long)c->ret);
}

static bool same_call(const struct mmt_malloc_call *l,
		      const struct mmt_malloc_call *mc, bool m32)
{
	uint64_t mask = m32 ? 0xffffffffULL : ~0ULL;
	const struct mmt_syscall *e =
		mmt_sys_by_nr(m32 ? MMT_ABI_I386 : MMT_ABI_X86_64, l->nr);
	unsigned nargs = e ? e->nargs : 6;

	if (l->nr != mc->nr || ((uint64_t)l->ret & mask) !=
	    ((uint64_t)mc->ret & mask))
		return false;
	for (unsigned i = 0; i < nargs && i < 6; i++) {
		/* mmap's fd is an int: the upper half of its register is
		 * whatever the caller left there */
		uint64_t k = i == 4 && (l->nr == 9 || l->nr == 192)
			     ? 0xffffffffULL : mask;

		if ((l->args[i] & k) != (mc->args[i] & k))
			return false;
	}
	return true;
}

/* One sequence, live and modelled; returns true when they agree. */
static bool malloc_case(const char *name, bool m32, const char *const *words,
			unsigned *ncalls)
{
	const char *bin = child_path(m32);
	struct mmt_machine *m;
	struct mmt_task *t = NULL;
	struct run *live, *model;
	char why[256];
	bool ok = true;

	if (live_kernel_check(why, sizeof(why))) {
		printf("    SKIP %s: %s\n", name, why);
		return true;
	}
	if (!bin) {
		printf("    SKIP %s: no %s malloc child (gcc%s failed to build "
		       "it: gcc-multilib missing?)\n", name,
		       m32 ? "i386" : "x86_64", m32 ? " -m32" : "");
		return true;
	}
	live = calloc(1, sizeof(*live));
	model = calloc(1, sizeof(*model));
	m = test_machine(MMT_ARCH_X86_64, "256M");
	CHECK(live && model && m);
	if (!live || !model || !m || !run_live(bin, m32, words, m, &t, live)) {
		test_fail(__FILE__, __LINE__, "%s: the live run failed", name);
		ok = false;
		goto out;
	}
	run_model(t, words, model);
	/* outside the memory class only getrandom (318, i386 355), once */
	if (live->nother > 1 ||
	    (live->nother && live->other_nr != (m32 ? 355u : 318u))) {
		test_fail(__FILE__, __LINE__, "%s: %u other calls (nr %u)",
			  name, live->nother, live->other_nr);
		ok = false;
	}
	if (live->ncalls != model->ncalls)
		ok = false;
	for (unsigned i = 0; i < live->ncalls && i < model->ncalls; i++)
		if (!same_call(&live->calls[i], &model->calls[i], m32))
			ok = false;
	if (live->nres != model->nres)
		ok = false;
	for (unsigned i = 0; i < live->nres && i < model->nres; i++)
		if (live->res[i] != model->res[i])
			ok = false;
	if (!ok) {
		test_fail(__FILE__, __LINE__, "%s (%s): the model differs from "
			  "glibc", name, m32 ? "i386" : "x86_64");
		for (unsigned i = 0; i < live->ncalls || i < model->ncalls; i++) {
			if (i < live->ncalls)
				print_call("glibc", &live->calls[i], m32);
			if (i < model->ncalls)
				print_call("model", &model->calls[i], m32);
		}
		for (unsigned i = 0; i < live->nres || i < model->nres; i++)
			printf("      result %u: glibc %#llx model %#llx\n", i,
			       (unsigned long long)(i < live->nres ? live->res[i] : 0),
			       (unsigned long long)(i < model->nres ? model->res[i] : 0));
	} else {
		*ncalls += live->ncalls;
	}
	{
		char e[256];

		CHECK_EQ(mmt_machine_check(m, e, sizeof(e)), 0);
	}
out:
	if (m)
		mmt_machine_free(m);
	free(live);
	free(model);
	return ok;
}

struct mcase {
	const char *name;
	const char *words[48];
};

static const struct mcase cases[] = {
	{ "brk-small-mmap-large", { "S", "m0=100", "m1=200", "m2=5000",
	  "m3=131072", "m4=200000", "m5=300000", "f0", "m6=90", "E" } },
	{ "threshold-raise", { "S", "m0=100", "m1=200000", "f1", "m2=200000",
	  "m3=300000", "f3", "m4=300000", "m5=40000000", "f5", "m6=150000",
	  "E" } },
	{ "trim", { "S", "m0=100000", "m1=100000", "m2=100000", "m3=100000",
	  "f3", "f2", "f1", "m4=50", "f0", "E" } },
	{ "trim-after-raise", { "S", "m0=100", "m1=400000", "f1", "m2=300000",
	  "m3=300000", "f3", "f2", "E" } },
	{ "mallopt", { "S", "o-3=1048576", "m0=500000", "o-2=0", "m1=100",
	  "m2=70000", "o-1=4096", "f2", "o-4=0", "m3=2000000", "o-3=0",
	  "o-4=65536", "m4=10", "o-3=999999999", "m5=40000000", "E" } },
	{ "realloc-mremap", { "S", "m0=200000", "r0=400000", "r0=1000000",
	  "r0=150000", "r0=100", "r0=131000", "f0", "m1=100", "r1=200",
	  "m2=50", "r1=5000", "r1=300000", "r1=20", "E" } },
	{ "bins-and-reuse", { "S", "m0=24", "m1=24", "m2=24", "m3=24",
	  "m4=24", "m5=24", "m6=24", "m7=24", "m8=24", "m9=24", "f0", "f1",
	  "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "m10=1500",
	  "m11=3000", "m12=1500", "m13=5000", "m14=100", "f10", "f12", "f13",
	  "m15=2000", "m16=1000", "m17=70000", "f17", "m18=24", "m19=24",
	  "c20=100x30", "m21=4000", "f11", "m22=6000", "f21", "E" } },
	{ "brk-blocked-fallback", { "B40000", "S", "m0=100", "m1=100000",
	  "m2=100000", "m3=600000", "f1", "m4=2000000", "E" } },
	{ "rlimit-data", { "L300000", "S", "m0=100", "m1=100000",
	  "m2=100000", "m3=600000", "E" } },
};

TEST(malloc_matches_glibc_x86_64)
{
	unsigned agreed = 0, calls = 0;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		agreed += malloc_case(cases[i].name, false, cases[i].words,
				      &calls);
	printf("    x86_64: %u of %zu sequences agree, %u system calls\n",
	       agreed, sizeof(cases) / sizeof(cases[0]), calls);
}

TEST(malloc_matches_glibc_i386)
{
	unsigned agreed = 0, calls = 0;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		agreed += malloc_case(cases[i].name, true, cases[i].words,
				      &calls);
	printf("    i386: %u of %zu sequences agree, %u system calls\n",
	       agreed, sizeof(cases) / sizeof(cases[0]), calls);
}

/*
 * Seeded random sequences: sizes from the tcache range to past the
 * mmap threshold, frees and reallocs of live slots, a mallopt now and
 * then; each sequence live and modelled.
 */
static void random_words(uint64_t seed, char (*buf)[24], const char **words,
			 unsigned n)
{
	bool live[16] = { false };
	unsigned k = 0;

	words[k++] = "S";
	for (unsigned i = 0; i < n; i++) {
		unsigned s, op, slot;
		uint64_t size;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		op = (unsigned)(seed >> 60);
		slot = (unsigned)(seed >> 40) & 15;
		s = (unsigned)(seed >> 20) & 0xfffff;
		switch ((seed >> 33) & 7) {
		case 0: case 1: case 2: size = s % 1040; break;
		case 3: case 4: size = s % 8000; break;
		case 5: size = s % 140000; break;
		case 6: size = s % 600000; break;
		default: size = 60000 + s % 200000; break;
		}
		if (op < 7 || !live[slot]) {
			if (live[slot])
				snprintf(buf[k], 24, "f%u", slot);
			else
				snprintf(buf[k], 24, "m%u=%llu", slot,
					 (unsigned long long)size);
			live[slot] = !live[slot];
		} else if (op < 13) {
			snprintf(buf[k], 24, "r%u=%llu", slot,
				 (unsigned long long)size);
			live[slot] = size != 0;
		} else if (op < 15) {
			snprintf(buf[k], 24, "c%u=%llux3", slot,
				 (unsigned long long)size / 3);
			if (live[slot])	/* calloc over a live slot leaks it */
				snprintf(buf[k], 24, "f%u", slot);
			live[slot] = !live[slot];
		} else {
			snprintf(buf[k], 24, "o-2=%llu",
				 (unsigned long long)(s % 4) * 65536);
		}
		words[k] = buf[k];
		k++;
	}
	words[k++] = "E";
	words[k] = NULL;
}

TEST(malloc_random_sequences_match_glibc)
{
	static char buf[48][24];
	const char *words[50];

	for (int abi = 0; abi < 2; abi++) {
		unsigned agreed = 0, calls = 0, n = 0;

		for (uint64_t seed = 1; seed <= 24; seed++, n++) {
			char name[32];

			snprintf(name, sizeof(name), "random-%llu",
				 (unsigned long long)seed);
			random_words(seed * 7919, buf, words, 44);
			agreed += malloc_case(name, abi == 1, words, &calls);
		}
		printf("    %s: %u of %u random sequences agree, %u system "
		       "calls\n", abi ? "i386" : "x86_64", agreed, n, calls);
	}
}

/* The scenario commands: output, names, errors. */
TEST(malloc_scenario_commands)
{
	char *out = NULL, *err = NULL;
	int r;

	r = test_run_script("process\n"
			    "malloc --trace a 100\n"
			    "malloc b 200000\n"
			    "realloc --trace b 400000\n"
			    "calloc c 10 20\n"
			    "free --trace b\n"
			    "mallopt M_MMAP_THRESHOLD 65536\n"
			    "malloc --trace d 70000\n"
			    "realloc e_missing 10\n", &out, &err);
	CHECK_EQ(r, 1);
	CHECK(out && strstr(out, "a = malloc(100) = 0x5555555542a0\n"
			    "  brk(NULL)                             = "
			    "0x555555554000\n"));
	CHECK(out && strstr(out, "b = malloc(200000) = 0x7ffff7fce010\n"));
	/* nothing above it in this process: mremap grows it in place */
	CHECK(out && strstr(out, "b = realloc(b, 400000) = 0x7ffff7fce010\n"
			    "  mremap(0x7ffff7fce000, 200704, 401408, "
			    "MREMAP_MAYMOVE) = 0x7ffff7fce000\n"));
	CHECK(out && strstr(out, "c = calloc(10, 20) = 0x555555554310\n"));
	CHECK(out && strstr(out, "free(b)\n  munmap(0x7ffff7fce000, 401408)"));
	CHECK(out && strstr(out, "mallopt(M_MMAP_THRESHOLD, 65536) = 1\n"));
	/* above the new threshold, but the top chunk has room: no call */
	CHECK(out && strstr(out, "d = malloc(70000) = 0x5555555543e0\n"));
	CHECK(out && !strstr(out, "mmap(NULL, 73728"));
	CHECK(err && strstr(err, "unknown name 'e_missing'"));
	free(out);
	free(err);

	r = test_run_script("process\nmalloc a 10\nfree a\nfree a\n",
			    &out, &err);
	CHECK_EQ(r, 1);
	CHECK(err && strstr(err, "'a' was already freed"));
	free(out);
	free(err);
	r = test_run_script("process\nkmalloc k 64\nfree k\n", &out, &err);
	CHECK(r == 1 && err && strstr(err, "'k' is a kmalloc object, not a "
				      "malloc block"));
	free(out);
	free(err);
	r = test_run_script("process\nmalloc a 10\nprocess\nfree a\n",
			    &out, &err);
	CHECK(r == 1 && err && strstr(err, "'a' is a block of process 1, not "
				      "of the current process 2"));
	free(out);
	free(err);
	r = test_run_script("process\nmalloc a 10\nbrk_base 0x10000000\n",
			    &out, &err);
	CHECK(r == 1 && err && strstr(err, "already has a heap"));
	free(out);
	free(err);
	r = test_run_script("process\nmallopt M_BOGUS 1\n", &out, &err);
	CHECK(r == 1 && err && strstr(err, "unknown mallopt parameter"));
	free(out);
	free(err);
	r = test_run_script("process\nmalloc a lots\n", &out, &err);
	CHECK(r == 1 && err && strstr(err, "expected a size, got 'lots'"));
	free(out);
	free(err);
	r = test_run_script("malloc a 10\n", &out, &err);
	CHECK(r == 1 && err && strstr(err, "no current process"));
	free(out);
	free(err);
	/* an impossible size: NULL, not an error */
	r = test_run_script("process\nmalloc a 100T\nfree a\n", &out, &err);
	CHECK_EQ(r, 1);
	CHECK(out && strstr(out, "a = malloc(109951162777600) = NULL (ENOMEM)"));
	CHECK(err && strstr(err, "unknown name 'a'"));
	free(out);
	free(err);
}

/*
 * A thread's first malloc: a 64 MiB-aligned heap carved out of a 128 MiB
 * PROT_NONE reservation, its first 0x21000 bytes made read-write; the
 * arena and its tcache come first, so the block sits at heap + 0xb70
 * (heap_info 0x30, malloc_state 0x898, alignment, the 0x290 tcache).
 * i386: 1 MiB heaps, the block at heap + 0x620 (0x18 + 0x45c, 0x190).
 */
TEST(malloc_thread_arena)
{
	char *out = NULL, *err = NULL;
	int r;

	r = test_run_script("process\nmalloc a 100\nmalloc_thread 1\n"
			    "malloc --trace t 100\nmalloc --trace u 100\n"
			    "malloc_thread 0\nfree --trace t\n"
			    "malloc_thread 2\nmalloc --trace v 100\n"
			    "show maps\n", &out, &err);
	CHECK_EQ(r, 0);
	CHECK(out && strstr(out, "t = malloc(100) = 0x7ffff0000b70\n"
		"  mmap(NULL, 134217728, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|"
		"MAP_NORESERVE, -1, 0) = 0x7fffefe00000\n"
		"  munmap(0x7fffefe00000, 2097152)       = 0\n"
		"  munmap(0x7ffff4000000, 65011712)      = 0\n"
		"  mprotect(0x7ffff0000000, 135168, PROT_READ|PROT_WRITE) = 0\n"
		"u = malloc(100) = 0x7ffff0000be0\n"));
	/* the main thread frees t into its own tcache: no call */
	CHECK(out && strstr(out, "free(t)\nmalloc_thread") == NULL);
	/* thread 2 gets a heap of its own, 64 MiB lower */
	CHECK(out && strstr(out, "v = malloc(100) = 0x7fffe8000b70\n"));
	CHECK(out && strstr(out, "7ffff0000000-7ffff0021000 rw-p"));
	CHECK(out && strstr(out, "7ffff0021000-7ffff4000000 ---p"));
	free(out);
	free(err);
}
