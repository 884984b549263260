// SPDX-License-Identifier: MIT
/*
 * ASLR of exec, statistically: the same program run for real many
 * times (fork, PTRACE_TRACEME, execve, the PTRACE_EVENT_EXEC stop:
 * /proc/PID/maps and stat, ASLR on as the host has it) and through
 * mmt_execve() as many times (a fixed machine seed: deterministic).
 * For every randomised base (the text / PIE base, ld.so, the vDSO, the
 * stack top, start_stack, start_brk) both sides must
 *  - vary in the same bits: the lowest varying bit is the same (the
 *    alignment) and the bits below it are the same fixed bits;
 *  - span most of the range the kernel's entropy gives (at least 85%
 *    of it, each; with 200 samples a uniform draw misses that with a
 *    probability below 1e-7), and together no more than that range:
 *    so the two lie in the same window of the kernel's width.
 * Bases the kernel does not move (a non-PIE text) must be fixed and
 * equal.  The host's kernel.randomize_va_space is read, never changed:
 * the live side runs only when it is 2.
 */
#include "test.h"
#include "live/live.h"

#include <mmtwin/exec.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NRUNS	200
#define PG	4096ULL

enum base { B_TEXT, B_LDSO, B_VDSO, B_STACK_TOP, B_START_STACK, B_BRK,
	    NR_BASES };

static const char *const base_name[NR_BASES] = {
	"text", "ld.so", "vdso", "stack top", "start_stack", "start_brk",
};

struct sample {
	uint64_t v[NR_BASES];
	bool have[NR_BASES];
};

/* The kernel's window of each base: the entropy times its granule. */
struct prog {
	const char *name;
	char path[PATH_MAX];	/* what maps names */
	bool m32;
	uint64_t width[NR_BASES];	/* 0: the base must be fixed */
	bool brk_rel_text;	/* start_brk measured from the text base */
};

static char aslr_dir[64];

static bool build(void)
{
	static int done;
	char cmd[1024];
	FILE *f;

	if (done)
		return done > 0;
	done = -1;
	if (!mkdtemp(strcpy(aslr_dir, "/tmp/mmtwin-aslr-XXXXXX")))
		return false;
	snprintf(cmd, sizeof(cmd), "%s/p.c", aslr_dir);
	f = fopen(cmd, "w");
	if (!f)
		return false;
	fputs("int x[4000]; int main(void) { return x[1]; }\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd %s && gcc -O1 -no-pie -o nopie p.c && "
		 "gcc -O1 -static-pie -o static-pie p.c 2>/dev/null", aslr_dir);
	if (system(cmd))
		return false;
	snprintf(cmd, sizeof(cmd), "cd %s && gcc -m32 -O1 -o pie32 p.c "
		 "2>/dev/null", aslr_dir);
	if (system(cmd))
		unlink("/nonexistent");	/* no -m32: that program skips */
	done = 1;
	return true;
}

/* ------------------------------------------------------ the samples */

static bool line_has(const char *line, const char *end, const char *what)
{
	size_t n = strlen(what);

	for (const char *p = line; p + n <= end; p++)
		if (!memcmp(p, what, n))
			return true;
	return false;
}

/* The bases from a maps text (and start_stack, start_brk). */
static void parse_maps(const struct prog *pg, const char *maps,
		       uint64_t start_stack, uint64_t start_brk,
		       struct sample *s)
{
	const char *p = maps;

	memset(s, 0, sizeof(*s));
	while (p && *p) {
		const char *e = strchr(p, '\n');
		unsigned long long a, b;

		if (!e)
			e = p + strlen(p);
		if (sscanf(p, "%llx-%llx", &a, &b) == 2) {
			int which = -1;

			if (line_has(p, e, pg->path) && !s->have[B_TEXT])
				which = B_TEXT;
			else if (line_has(p, e, "/ld-linux") && !s->have[B_LDSO])
				which = B_LDSO;
			else if (line_has(p, e, "[vdso]"))
				which = B_VDSO;
			else if (line_has(p, e, "[stack]"))
				which = B_STACK_TOP;
			if (which == B_STACK_TOP)
				s->v[which] = b;
			else if (which >= 0)
				s->v[which] = a;
			if (which >= 0)
				s->have[which] = true;
		}
		p = *e ? e + 1 : e;
	}
	s->v[B_START_STACK] = start_stack;
	s->have[B_START_STACK] = true;
	s->v[B_BRK] = pg->brk_rel_text ? start_brk - s->v[B_TEXT] : start_brk;
	s->have[B_BRK] = true;
}

static char *argv_[] = { NULL, "x", NULL };
static char *envp_[] = { "A=1", NULL };

/* One live run to its PTRACE_EVENT_EXEC stop.  0 or -1. */
static int live_sample(const struct prog *pg, const char *path,
		       struct sample *s)
{
	char fn[64], *maps, *stat, *q;
	uint64_t f28 = 0, f47 = 0;
	unsigned field = 2;
	int st, r = -1;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		argv_[0] = (char *)path;
		execve(path, argv_, envp_);
		_exit(127);
	}
	/* PTRACE_TRACEME without options: the exec stops with SIGTRAP */
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st) ||
	    WSTOPSIG(st) != SIGTRAP)
		goto out;
	snprintf(fn, sizeof(fn), "/proc/%d/maps", pid);
	maps = test_read_file(fn);
	snprintf(fn, sizeof(fn), "/proc/%d/stat", pid);
	stat = test_read_file(fn);
	q = stat ? strrchr(stat, ')') : NULL;
	if (maps && q) {
		for (q++; *q; ) {
			while (*q == ' ')
				q++;
			field++;
			if (field == 28)
				f28 = strtoull(q, NULL, 10);
			if (field == 47)
				f47 = strtoull(q, NULL, 10);
			while (*q && *q != ' ')
				q++;
		}
		parse_maps(pg, maps, f28, f47, s);
		r = 0;
	}
	free(maps);
	free(stat);
out:
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return r;
}

/* One modelled exec in a fresh task of @m.  0 or -1. */
static int model_sample(struct mmt_machine *m, const struct prog *pg,
			const char *path, struct sample *s)
{
	struct mmt_exec_params p = { 0 };
	char err[256], *maps = NULL;
	size_t ml = 0;
	struct mmt_task *t;
	FILE *mf;
	int e, r;

	t = mmt_task_create(m, MMT_TASK_X86_64, 0, &e);
	if (!t)
		return -1;
	t->personality = 0;			/* PER_LINUX: ASLR applies */
	argv_[0] = (char *)path;
	p.filename = path;
	p.argv = argv_;
	p.envp = envp_;
	r = mmt_execve(t, &p, NULL, err, sizeof(err));
	if (r) {
		test_fail(__FILE__, __LINE__, "%s: mmt_execve: %s (%s)",
			  pg->name, strerror(-r), err);
		mmt_task_exit(t);
		return -1;
	}
	mf = open_memstream(&maps, &ml);
	if (mf) {
		mmt_maps_print(t, mf);
		fclose(mf);
	}
	if (maps)
		parse_maps(pg, maps, t->mm->start_stack, t->mm->start_brk, s);
	free(maps);
	mmt_task_exit(t);
	return maps ? 0 : -1;
}

/* ---------------------------------------------------- the statistics */

struct stats {
	uint64_t min, max, varying, first;
	unsigned n;
};

static void stats_of(const struct sample *s, unsigned n, int b,
		     struct stats *st)
{
	memset(st, 0, sizeof(*st));
	st->min = UINT64_MAX;
	for (unsigned i = 0; i < n; i++) {
		uint64_t v = s[i].v[b];

		if (!s[i].have[b])
			continue;
		if (!st->n)
			st->first = v;
		st->n++;
		st->varying |= v ^ st->first;
		if (v < st->min)
			st->min = v;
		if (v > st->max)
			st->max = v;
	}
}

/* Compare kernel and model samples of one base against @width. */
static void compare_base(const struct prog *pg, int b, const struct sample *k,
			 const struct sample *mo, unsigned n)
{
	struct stats sk, sm;
	uint64_t w = pg->width[b], lo, hi;
	unsigned zk, zm;

	stats_of(k, n, b, &sk);
	stats_of(mo, n, b, &sm);
	if (!sk.n && !sm.n)
		return;
	if (sk.n != sm.n) {
		test_fail(__FILE__, __LINE__, "%s %s: found in %u live runs, "
			  "%u modelled", pg->name, base_name[b], sk.n, sm.n);
		return;
	}
	if (!w) {		/* fixed in the kernel: fixed and equal */
		if (sk.varying || sm.varying || sk.first != sm.first)
			test_fail(__FILE__, __LINE__, "%s %s: kernel %#llx.."
				  "%#llx, model %#llx..%#llx: should be one "
				  "fixed value", pg->name, base_name[b],
				  (unsigned long long)sk.min,
				  (unsigned long long)sk.max,
				  (unsigned long long)sm.min,
				  (unsigned long long)sm.max);
		return;
	}
	zk = sk.varying ? (unsigned)__builtin_ctzll(sk.varying) : 64;
	zm = sm.varying ? (unsigned)__builtin_ctzll(sm.varying) : 64;
	if (zk != zm || (zk < 64 && ((sk.first ^ sm.first) &
				     ((1ULL << zk) - 1))))
		test_fail(__FILE__, __LINE__, "%s %s: the kernel varies from "
			  "bit %u (low bits %#llx), the model from bit %u (low "
			  "bits %#llx)", pg->name, base_name[b], zk,
			  (unsigned long long)(sk.first & ((1ULL << zk) - 1)),
			  zm, (unsigned long long)(sm.first &
						   ((1ULL << zm) - 1)));
	if (getenv("ASLR_DEBUG"))
		printf("    %-22s %-11s kernel %#14llx..%#14llx model %#14llx.."
		       "%#14llx bit %u/%u\n", pg->name, base_name[b],
		       (unsigned long long)sk.min, (unsigned long long)sk.max,
		       (unsigned long long)sm.min, (unsigned long long)sm.max,
		       zk, zm);
	lo = sk.min < sm.min ? sk.min : sm.min;
	hi = sk.max > sm.max ? sk.max : sm.max;
	if (sk.max - sk.min < w / 100 * 85 || sm.max - sm.min < w / 100 * 85 ||
	    hi - lo > w)
		test_fail(__FILE__, __LINE__, "%s %s: kernel %#llx..%#llx "
			  "(span %#llx), model %#llx..%#llx (span %#llx): "
			  "the kernel's window is %#llx", pg->name,
			  base_name[b], (unsigned long long)sk.min,
			  (unsigned long long)sk.max,
			  (unsigned long long)(sk.max - sk.min),
			  (unsigned long long)sm.min,
			  (unsigned long long)sm.max,
			  (unsigned long long)(sm.max - sm.min),
			  (unsigned long long)w);
}

static int host_randomize_va_space(void)
{
	char *s = test_read_file("/proc/sys/kernel/randomize_va_space");
	int v = s ? atoi(s) : -1;

	free(s);
	return v;
}

/*
 * The windows, from the kernel's constants (6.18 x86_64 host):
 *  64-bit mmap: 2^28 pages (vm.mmap_rnd_bits) - the PIE base, ld.so and
 *  the vDSO below mmap_base, a static PIE's text; stack top: 0x3fffff
 *  pages and the one page arch_align_stack's < 8192 bytes can cost;
 *  start_stack: that and the second arch_align_stack (8 KiB); brk:
 *  1 GiB.  ia32: 2^8 pages, 0x7ff + 1 stack pages, brk 32 MiB.
 */
static void set_windows(struct prog *pg, bool pie, bool ldso)
{
	uint64_t mmap = ((pg->m32 ? 1ULL << 8 : 1ULL << 28) - 1) * PG;
	uint64_t stack = (pg->m32 ? 0x800ULL : 0x400000ULL) * PG;

	pg->width[B_TEXT] = pie ? mmap : 0;
	pg->width[B_LDSO] = ldso ? mmap : 0;
	pg->width[B_VDSO] = mmap;
	pg->width[B_STACK_TOP] = stack;
	pg->width[B_START_STACK] = stack + 8192;
	pg->width[B_BRK] = (pg->m32 ? 32ULL << 20 : 1ULL << 30) - PG;
}

static void run_prog(struct prog *pg, const char *path, bool live)
{
	struct sample *k = calloc(NRUNS, sizeof(*k));
	struct sample *mo = calloc(NRUNS, sizeof(*mo));
	struct mmt_machine *m;
	char err[256];
	unsigned n = 0;

	if (!k || !mo || !realpath(path, pg->path)) {
		test_fail(__FILE__, __LINE__, "%s: setup", pg->name);
		goto out;
	}
	m = test_machine(MMT_ARCH_X86_64, "4G");
	for (unsigned i = 0; i < NRUNS; i++) {
		if (live && live_sample(pg, path, &k[i])) {
			test_fail(__FILE__, __LINE__, "%s: live run %u failed",
				  pg->name, i);
			break;
		}
		if (model_sample(m, pg, path, &mo[i]))
			break;
		n++;
	}
	if (mmt_machine_check(m, err, sizeof(err)))
		test_fail(__FILE__, __LINE__, "%s: %s", pg->name, err);
	mmt_machine_free(m);
	if (getenv("ASLR_DEBUG"))
		printf("    %s: %u runs\n", pg->name, n);
	if (n == NRUNS) {
		for (int b = 0; b < NR_BASES; b++)
			if (live)
				compare_base(pg, b, k, mo, n);
	}
out:
	free(k);
	free(mo);
}

TEST(aslr_live_bases)
{
	struct prog progs[4] = {
		{ .name = "dynamic PIE /bin/true", .brk_rel_text = true },
		{ .name = "non-PIE" },
		{ .name = "static-pie" },
		{ .name = "i386 PIE", .m32 = true, .brk_rel_text = true },
	};
	char why[256], path[4][128];
	bool live;

	if (!build()) {
		printf("    SKIP aslr live tests: cannot build with gcc\n");
		return;
	}
	live = !live_kernel_check(why, sizeof(why)) &&
	       host_randomize_va_space() == 2;
	if (!live)
		printf("    SKIP the live side: %s\n", why[0] ? why :
		       "kernel.randomize_va_space is not 2");
	snprintf(path[0], sizeof(path[0]), "/bin/true");
	snprintf(path[1], sizeof(path[1]), "%s/nopie", aslr_dir);
	snprintf(path[2], sizeof(path[2]), "%s/static-pie", aslr_dir);
	snprintf(path[3], sizeof(path[3]), "%s/pie32", aslr_dir);
	set_windows(&progs[0], true, true);
	set_windows(&progs[1], false, true);
	set_windows(&progs[2], true, false);
	set_windows(&progs[3], true, true);
	for (int i = 0; i < 4; i++) {
		if (access(path[i], X_OK)) {
			printf("    SKIP %s: not built\n", progs[i].name);
			continue;
		}
		run_prog(&progs[i], path[i], live);
	}
}

/*
 * The model alone: kernel.randomize_va_space 0 gives the layout of
 * ADDR_NO_RANDOMIZE; 1 moves everything but the brk; 2 the brk too;
 * ADDR_NO_RANDOMIZE wins over 2; the same seed gives the same layout.
 */
static void exec_once(struct mmt_machine *m, unsigned per, uint64_t *out)
{
	struct mmt_exec_params p = { 0 };
	char *av[] = { "/bin/true", NULL }, err[256];
	struct mmt_task *t;
	int e;

	memset(out, 0, 3 * sizeof(*out));
	t = mmt_task_create(m, MMT_TASK_X86_64, 0, &e);
	CHECK(t != NULL);
	if (!t)
		return;
	t->personality = per;
	p.filename = av[0];
	p.argv = av;
	p.envp = envp_;
	CHECK_EQ(mmt_execve(t, &p, NULL, err, sizeof(err)), 0);
	out[0] = t->mm->start_code;
	out[1] = t->mm->mmap_base;
	out[2] = t->mm->start_brk - (t->mm->end_data + PG - 1) / PG * PG;
	mmt_task_exit(t);
}

TEST(aslr_randomize_va_space)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "4G");
	uint64_t fixed[3], a[3], b[3];

	if (access("/bin/true", X_OK)) {
		mmt_machine_free(m);
		return;
	}
	exec_once(m, MMT_PER_ADDR_NO_RANDOMIZE, fixed);
	CHECK_EQ(mmt_vm_sysctl_set(m, "kernel.randomize_va_space", 3), -EINVAL);
	CHECK_EQ(mmt_vm_sysctl_set(m, "vm.mmap_rnd_bits", 27), -EINVAL);
	CHECK_EQ(mmt_vm_sysctl_set(m, "vm.mmap_rnd_compat_bits", 17), -EINVAL);
	CHECK_EQ(mmt_vm_sysctl_set(m, "kernel.randomize_va_space", 0), 0);
	exec_once(m, 0, a);
	CHECK_EQ(a[0], fixed[0]);
	CHECK_EQ(a[1], fixed[1]);
	CHECK_EQ(a[2], fixed[2]);
	CHECK_EQ(mmt_vm_sysctl_set(m, "kernel.randomize_va_space", 1), 0);
	exec_once(m, 0, a);
	exec_once(m, 0, b);
	CHECK(a[0] != fixed[0] && a[0] != b[0]);
	CHECK(a[1] != fixed[1] && a[1] != b[1]);
	CHECK_EQ(a[2], fixed[2]);		/* brk: only with 2 */
	CHECK_EQ(b[2], fixed[2]);
	CHECK_EQ(mmt_vm_sysctl_set(m, "kernel.randomize_va_space", 2), 0);
	exec_once(m, 0, a);
	exec_once(m, 0, b);
	CHECK(a[2] != b[2]);
	CHECK(a[2] >= PG && a[2] < PG + (1ULL << 30));
	exec_once(m, MMT_PER_ADDR_NO_RANDOMIZE, a);
	CHECK_EQ(a[0], fixed[0]);
	CHECK_EQ(a[1], fixed[1]);
	CHECK_EQ(a[2], fixed[2]);
	/* vm.mmap_rnd_bits 32: a 2^44 window, still page-aligned */
	CHECK_EQ(mmt_vm_sysctl_set(m, "vm.mmap_rnd_bits", 32), 0);
	{
		uint64_t lo = UINT64_MAX, hi = 0;

		for (int i = 0; i < 64; i++) {
			exec_once(m, 0, a);
			lo = a[1] < lo ? a[1] : lo;
			hi = a[1] > hi ? a[1] : hi;
			CHECK_EQ(a[1] % PG, 0);
		}
		CHECK(hi - lo > (1ULL << 43));
		CHECK(hi - lo < (1ULL << 44));
	}
	mmt_machine_free(m);
	/* the same machine seed, the same layout */
	{
		struct mmt_machine *m1 = test_machine(MMT_ARCH_X86_64, "4G");
		struct mmt_machine *m2 = test_machine(MMT_ARCH_X86_64, "4G");

		exec_once(m1, 0, a);
		exec_once(m2, 0, b);
		CHECK_EQ(a[0], b[0]);
		CHECK_EQ(a[1], b[1]);
		CHECK_EQ(a[2], b[2]);
		mmt_machine_free(m1);
		mmt_machine_free(m2);
	}
}
