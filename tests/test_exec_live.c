// SPDX-License-Identifier: MIT
/*
 * execve against the live kernel: for each case a child sets
 * ADDR_NO_RANDOMIZE (and the case's personality bits and RLIMIT_STACK),
 * asks to be traced with PTRACE_O_TRACEEXEC and execs the program; at
 * the PTRACE_EVENT_EXEC stop (execve has returned, no user instruction
 * has run) the test reads /proc/PID/maps, /proc/PID/stat, /proc/PID/auxv,
 * the stack pointer (PTRACE_GETREGS) and the stack's bytes from there to
 * the top (/proc/PID/mem).  mmt_execve() with the same file, argv,
 * environment, personality and limits must give the same maps text byte
 * for byte, the same mm fields (stat 26-28, 45-51), the same auxv bytes
 * and the same stack bytes (AT_RANDOM's 16 bytes are handed to the model:
 * they are the kernel's entropy).
 *
 * Assumes Linux 6.18 (live_kernel_check), gcc with -m32 support for the
 * i386 cases (each says SKIP without), /bin/sh, perl and python3 where
 * the cases name them (skipped when missing).
 */
#include "test.h"
#include "live/live.h"

#include <mmtwin/exec.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXEC_DIR_TEMPLATE "/tmp/mmtwin-exec-XXXXXX"

/* ----------------------------------------------------- test programs */

static char exec_dir[64];
static bool have_m32;

static int sh(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Build the programs the cases need, once.  false: no gcc at all. */
static bool build_programs(void)
{
	static int done;
	char cmd[2048];
	FILE *f;

	if (done)
		return done > 0;
	done = -1;
	if (!mkdtemp(strcpy(exec_dir, EXEC_DIR_TEMPLATE)))
		return false;
	snprintf(cmd, sizeof(cmd), "%s/hello.c", exec_dir);
	f = fopen(cmd, "w");
	if (!f)
		return false;
	fputs("#include <stdio.h>\nint big[20000];\nint main(int c, char **v)"
	      "{ big[1] = c; printf(\"%s\\n\", v[0]); return big[1] > 99; }\n",
	      f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "cd %s && gcc -O1 -o pie hello.c && gcc -O1 -no-pie -o nopie "
		 "hello.c && gcc -O1 -static -o static hello.c && gcc -O1 "
		 "-static-pie -o static-pie hello.c && gcc -O1 -Wl,-z,"
		 "max-page-size=0x200000 -o align2m hello.c && gcc -O1 -Wl,-z,"
		 "execstack -o execstack hello.c && gcc -O1 -static-pie -Wl,-z,"
		 "max-page-size=0x200000 -o static-pie-2m hello.c 2>/dev/null",
		 exec_dir);
	if (sh(cmd))
		return false;
	snprintf(cmd, sizeof(cmd),
		 "cd %s && gcc -m32 -O1 -o pie32 hello.c && gcc -m32 -O1 "
		 "-static -o static32 hello.c && gcc -m32 -O1 -no-pie -o "
		 "nopie32 hello.c && gcc -m32 -O1 -static-pie -o "
		 "static-pie32 hello.c 2>/dev/null", exec_dir);
	have_m32 = !sh(cmd);
	snprintf(cmd, sizeof(cmd), "%s/script.sh", exec_dir);
	f = fopen(cmd, "w");
	if (!f)
		return false;
	fputs("#!/bin/sh -e\necho hi\n", f);
	fclose(f);
	chmod(cmd, 0755);
	snprintf(cmd, sizeof(cmd), "%s/script2", exec_dir);
	f = fopen(cmd, "w");
	if (!f)
		return false;
	fprintf(f, "#! %s/script.sh  one two \n", exec_dir);
	fclose(f);
	chmod(cmd, 0755);
	done = 1;
	return true;
}

/* -------------------------------------------------------- live side */

struct capture {
	char *maps, *stat;
	uint8_t auxv[1024];
	size_t auxv_len;
	uint64_t sp, top;
	uint8_t *stack;		/* [sp, top) */
	uint8_t random[16];
};

static void capture_free(struct capture *c)
{
	free(c->maps);
	free(c->stat);
	free(c->stack);
}

static char *read_proc(int pid, const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	return test_read_file(path);
}

struct exec_case {
	const char *name;
	const char *path;	/* NULL: built, exec_dir/prog */
	const char *prog;
	const char *args[8];	/* argv[1...] */
	unsigned per;		/* personality bits beyond ADDR_NO_RANDOMIZE */
	uint64_t stack_rlim;	/* 0: leave; RLIM_INFINITY */
	unsigned big_argv;	/* extra "argNNNN" arguments */
	unsigned big_env;	/* extra environment strings of 100 bytes */
	bool m32;
	bool cli;		/* also through the mmtwin binary */
};

/* argv and envp of a case (the strings are leaked per case: small) */
static void case_vectors(const struct exec_case *k, const char *path,
			 char ***argv, char ***envp)
{
	unsigned na = 0, ne = 0;
	char **a = calloc(16 + k->big_argv, sizeof(char *));
	char **e = calloc(8 + k->big_env, sizeof(char *));

	a[na++] = strdup(k->path ? k->path : path);
	for (unsigned i = 0; i < 8 && k->args[i]; i++)
		a[na++] = strdup(k->args[i]);
	for (unsigned i = 0; i < k->big_argv; i++) {
		char b[32];

		snprintf(b, sizeof(b), "arg%u", i);
		a[na++] = strdup(b);
	}
	e[ne++] = strdup("A=1");
	e[ne++] = strdup("PATH=/usr/bin:/bin");
	e[ne++] = strdup("LONG_NAME_FOR_ALIGNMENT=xyz");
	for (unsigned i = 0; i < k->big_env; i++) {
		char b[128];

		snprintf(b, sizeof(b), "E%u=%0*u", i, 96, i);
		e[ne++] = strdup(b);
	}
	*argv = a;
	*envp = e;
}

static void free_vec(char **v)
{
	for (unsigned i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int live_exec(const struct exec_case *k, const char *path, char **argv,
		     char **envp, struct capture *c)
{
	struct user_regs_struct regs;
	int st, fd;
	pid_t pid;
	char *p;

	memset(c, 0, sizeof(*c));
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		personality(ADDR_NO_RANDOMIZE | k->per);
		if (k->stack_rlim) {
			struct rlimit r = { k->stack_rlim, RLIM_INFINITY };

			setrlimit(RLIMIT_STACK, &r);
		}
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		execve(path, argv, envp);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
		goto fail;
	ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL);
	ptrace(PTRACE_CONT, pid, 0, 0);
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st) ||
	    st >> 8 != (SIGTRAP | PTRACE_EVENT_EXEC << 8))
		goto fail;
	c->maps = read_proc(pid, "maps");
	c->stat = read_proc(pid, "stat");
	if (ptrace(PTRACE_GETREGS, pid, 0, &regs))
		goto fail;
	c->sp = regs.rsp;
	{
		char ap[64];

		snprintf(ap, sizeof(ap), "/proc/%d/auxv", pid);
		fd = open(ap, O_RDONLY);
		if (fd < 0)
			goto fail;
		c->auxv_len = (size_t)read(fd, c->auxv, sizeof(c->auxv));
		close(fd);
	}
	p = c->maps ? strstr(c->maps, "[stack]") : NULL;
	while (p && p > c->maps && p[-1] != '\n')
		p--;
	if (!p || sscanf(p, "%*x-%llx", (unsigned long long *)&c->top) != 1)
		goto fail;
	c->stack = malloc(c->top - c->sp);
	{
		char mp[64];

		snprintf(mp, sizeof(mp), "/proc/%d/mem", pid);
		fd = open(mp, O_RDONLY);
		if (fd < 0 || pread(fd, c->stack, c->top - c->sp,
				    (off_t)c->sp) != (ssize_t)(c->top - c->sp)) {
			if (fd >= 0)
				close(fd);
			goto fail;
		}
		close(fd);
	}
	/* AT_RANDOM's bytes (the kernel's entropy) for the model */
	for (size_t i = 0; i + 1 < c->auxv_len / (k->m32 ? 4 : 8); i += 2) {
		uint64_t ty = 0, v = 0;
		unsigned w = k->m32 ? 4 : 8;

		memcpy(&ty, c->auxv + i * w, w);
		memcpy(&v, c->auxv + (i + 1) * w, w);
		if (ty == MMT_AT_RANDOM && v >= c->sp && v + 16 <= c->top)
			memcpy(c->random, c->stack + (v - c->sp), 16);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return 0;
fail:
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

/* The live children run with this process's capabilities. */
static void host_caps(struct mmt_task *t)
{
	char *status = test_read_file("/proc/self/status");

	mmt_task_seed_caps(t, status);
	free(status);
}

/* ------------------------------------------------------------ cases */

static const struct exec_case cases[] = {
	{ "true", "/bin/true", NULL, { 0 }, 0, 0, 0, 0, false, true },
	{ "env", "/usr/bin/env", NULL, { "-0" }, 0, 0, 0, 0, false, false },
	{ "ls", "/bin/ls", NULL, { "-l", "/" }, 0, 0, 0, 0, false, false },
	{ "cat", "/bin/cat", NULL, { "/dev/null" }, 0, 0, 0, 0, false, false },
	{ "sh", "/bin/sh", NULL, { "-c", "exit 0" }, 0, 0, 0, 0, false, false },
	{ "bash", "/bin/bash", NULL, { "--version" }, 0, 0, 0, 0, false, false },
	{ "perl", "/usr/bin/perl", NULL, { "-e", "1" }, 0, 0, 0, 0, false, false },
	{ "python3", "/usr/bin/python3", NULL, { "-c", "pass" }, 0, 0, 0, 0, false, true },
	{ "gcc", "/usr/bin/gcc", NULL, { "--version" }, 0, 0, 0, 0, false, false },
	{ "make", "/usr/bin/make", NULL, { "-v" }, 0, 0, 0, 0, false, false },
	{ "ld.so-direct", "/lib64/ld-linux-x86-64.so.2", NULL, { "/bin/true" },
	  0, 0, 0, 0, false, true },
	{ "nopie", NULL, "nopie", { "x" }, 0, 0, 0, 0, false, false },
	{ "static", NULL, "static", { 0 }, 0, 0, 0, 0, false, false },
	{ "static-pie", NULL, "static-pie", { 0 }, 0, 0, 0, 0, false, false },
	{ "static-pie-2m", NULL, "static-pie-2m", { 0 }, 0, 0, 0, 0, false, false },
	{ "pie-align-2m", NULL, "align2m", { 0 }, 0, 0, 0, 0, false, false },
	{ "execstack", NULL, "execstack", { 0 }, 0, 0, 0, 0, false, false },
	{ "script", NULL, "script.sh", { "a1", "a2" }, 0, 0, 0, 0, false, false },
	{ "script-of-script", NULL, "script2", { "z" }, 0, 0, 0, 0, false, false },
	{ "big-argv", "/bin/true", NULL, { 0 }, 0, 0, 5000, 0, false, false },
	{ "big-env", "/bin/true", NULL, { 0 }, 0, 0, 0, 1500, false, false },
	{ "rlimit-stack-1g", "/bin/true", NULL, { 0 }, 0, 1ULL << 30, 0, 0, false, false },
	{ "rlimit-stack-unlimited", "/bin/true", NULL, { 0 }, 0, RLIM_INFINITY,
	  0, 0, false, false },
	{ "rlimit-stack-256k", "/bin/true", NULL, { 0 }, 0, 256 << 10, 0, 0,
	  false, false },
	{ "compat-layout", "/bin/true", NULL, { 0 }, ADDR_COMPAT_LAYOUT, 0, 0, 0,
	  false, false },
	{ "compat-layout-python3", "/usr/bin/python3", NULL, { 0 },
	  ADDR_COMPAT_LAYOUT, 0, 0, 0, false, false },
	{ "read-implies-exec", "/bin/true", NULL, { 0 }, READ_IMPLIES_EXEC, 0,
	  0, 0, false, false },
	{ "freestanding", "build/live-child-64", NULL, { 0 }, 0, 0, 0, 0, false, false },
	{ "i386-freestanding", "build/live-child-32", NULL, { 0 }, 0, 0, 0, 0, true, false },
	{ "i386-pie", NULL, "pie32", { "b" }, 0, 0, 0, 0, true, true },
	{ "i386-static", NULL, "static32", { 0 }, 0, 0, 0, 0, true, false },
	{ "i386-nopie", NULL, "nopie32", { 0 }, 0, 0, 0, 0, true, false },
	{ "i386-static-pie", NULL, "static-pie32", { 0 }, 0, 0, 0, 0, true, false },
	{ "i386-ld.so-direct", "/lib/ld-linux.so.2", NULL, { "/bin/true" },
	  0, 0, 0, 0, true, false },
	{ "i386-compat-layout", NULL, "pie32", { 0 }, ADDR_COMPAT_LAYOUT, 0, 0,
	  0, true, false },
	{ "i386-rlimit-unlimited", NULL, "pie32", { 0 }, 0, RLIM_INFINITY, 0, 0,
	  true, false },
};

static bool live_ok(void)
{
	char why[256];

	if (live_kernel_check(why, sizeof(why))) {
		printf("    SKIP exec live tests: %s\n", why);
		return false;
	}
	if (!build_programs()) {
		printf("    SKIP exec live tests: cannot build the test "
		       "programs with gcc\n");
		return false;
	}
	return true;
}

/* The model's side of one case, compared with @c.  Failures counted. */
static void model_compare(const struct exec_case *k, const char *path,
			  char **argv, char **envp, const struct capture *c)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "4G");
	struct mmt_exec_params p = { 0 };
	struct mmt_exec_hw hw;
	struct mmt_task *t;
	uint64_t live_f[10], model_f[10];
	uint8_t auxv[1024];
	char err[512], *maps = NULL;
	size_t ml = 0, al;
	FILE *mf;
	int e, r;

	t = mmt_task_create(m, MMT_TASK_X86_64, 0, &e);
	CHECK(t != NULL);
	if (!t) {
		mmt_machine_free(m);
		return;
	}
	t->personality = MMT_PER_ADDR_NO_RANDOMIZE | k->per;
	host_caps(t);
	if (k->stack_rlim)
		t->rlim[MMT_RLIMIT_STACK].cur = k->stack_rlim == RLIM_INFINITY
						? MMT_RLIM_INFINITY
						: k->stack_rlim;
	mmt_exec_hw_host(m, &hw);
	p.filename = path;
	p.argv = argv;
	p.envp = envp;
	p.uid = (unsigned)getuid();
	p.euid = (unsigned)geteuid();
	p.gid = (unsigned)getgid();
	p.egid = (unsigned)getegid();
	p.hw = &hw;
	p.random = c->random;
	r = mmt_execve(t, &p, NULL, err, sizeof(err));
	if (r) {
		test_fail(__FILE__, __LINE__, "%s: mmt_execve: %s (%s)", k->name,
			  strerror(-r), err);
		mmt_machine_free(m);
		return;
	}
	mf = open_memstream(&maps, &ml);
	mmt_maps_print(t, mf);
	fclose(mf);
	if (strcmp(maps, c->maps))
		test_fail(__FILE__, __LINE__, "%s: maps differ\nkernel:\n%s"
			  "model:\n%s", k->name, c->maps, maps);
	free(maps);
	CHECK(test_stat_fields(c->stat, live_f) == 0);
	model_f[0] = t->mm->start_code;
	model_f[1] = t->mm->end_code;
	model_f[2] = t->mm->start_stack;
	model_f[3] = t->mm->start_data;
	model_f[4] = t->mm->end_data;
	model_f[5] = t->mm->start_brk;
	model_f[6] = t->mm->arg_start;
	model_f[7] = t->mm->arg_end;
	model_f[8] = t->mm->env_start;
	model_f[9] = t->mm->env_end;
	for (unsigned i = 0; i < 10; i++)
		if (live_f[i] != model_f[i])
			test_fail(__FILE__, __LINE__, "%s: mm field %u: kernel "
				  "%#llx, model %#llx", k->name, i,
				  (unsigned long long)live_f[i],
				  (unsigned long long)model_f[i]);
	al = mmt_proc_auxv(t, auxv, sizeof(auxv));
	if (al != c->auxv_len || memcmp(auxv, c->auxv, al)) {
		test_fail(__FILE__, __LINE__, "%s: auxv differs (%zu vs %zu "
			  "bytes)", k->name, al, c->auxv_len);
		for (size_t i = 0; i < al && i < c->auxv_len; i += 8)
			if (memcmp(auxv + i, c->auxv + i, 8))
				printf("      auxv +%zu: kernel %#llx model "
				       "%#llx\n", i, *(unsigned long long *)
				       (c->auxv + i), *(unsigned long long *)
				       (auxv + i));
	}
	CHECK_EQ(t->user_sp, c->sp);
	if (t->user_sp == c->sp) {
		uint8_t *mb = malloc(c->top - c->sp);

		CHECK(mmt_task_read_mem(t, c->sp, mb, c->top - c->sp) == 0);
		for (uint64_t i = 0; i < c->top - c->sp; i++)
			if (mb[i] != c->stack[i]) {
				test_fail(__FILE__, __LINE__, "%s: stack byte "
					  "at %#llx: kernel %02x, model %02x",
					  k->name, (unsigned long long)
					  (c->sp + i), c->stack[i], mb[i]);
				break;
			}
		free(mb);
	}
	CHECK(mmt_machine_check(m, err, sizeof(err)) == 0);
	mmt_machine_free(m);
}

/* The same case through the mmtwin binary (maps only): its environment
 * is the case's, its personality and limits through setarch/prlimit. */
static void cli_compare(const struct exec_case *k, const char *path,
			char **argv, const struct capture *c)
{
	char cmd[4096], *out = NULL;
	size_t o;
	int r;

	o = (size_t)snprintf(cmd, sizeof(cmd), "env -i A=1 PATH=/usr/bin:/bin "
			     "LONG_NAME_FOR_ALIGNMENT=xyz setarch -R %s exec -- "
			     "%s", getenv("MMTWIN_BIN") ? getenv("MMTWIN_BIN")
			     : "build/mmtwin", path);
	for (unsigned i = 1; argv[i] && o < sizeof(cmd) - 64; i++)
		o += (size_t)snprintf(cmd + o, sizeof(cmd) - o, " '%s'",
				      argv[i]);
	snprintf(cmd + o, sizeof(cmd) - o, " 2>&1");
	{
		FILE *pp = popen(cmd, "r");

		CHECK(pp != NULL);
		if (!pp)
			return;
		out = test_slurp(pp);
		r = pclose(pp);
	}
	CHECK(WIFEXITED(r) && WEXITSTATUS(r) == 0);
	/* argv[0] differs (the path): maps do not show it */
	if (!out || strcmp(out, c->maps))
		test_fail(__FILE__, __LINE__, "%s: mmtwin exec maps differ:\n%s",
			  k->name, out ? out : "(none)");
	free(out);
}

static void run_case(const struct exec_case *k)
{
	char path[256], **argv, **envp;
	struct capture c;

	if (k->path)
		snprintf(path, sizeof(path), "%s", k->path);
	else
		snprintf(path, sizeof(path), "%s/%s", exec_dir, k->prog);
	if (access(path, X_OK)) {
		printf("    SKIP exec %s: %s not available\n", k->name, path);
		return;
	}
	if (k->m32 && !have_m32) {
		printf("    SKIP exec %s: gcc -m32 cannot link (install "
		       "gcc-multilib)\n", k->name);
		return;
	}
	case_vectors(k, path, &argv, &envp);
	if (live_exec(k, path, argv, envp, &c)) {
		test_fail(__FILE__, __LINE__, "%s: the live exec failed",
			  k->name);
	} else {
		model_compare(k, path, argv, envp, &c);
		if (k->cli && !k->big_argv && !k->big_env && !k->per &&
		    !k->stack_rlim)
			cli_compare(k, path, argv, &c);
	}
	capture_free(&c);
	free_vec(argv);
	free_vec(envp);
}

TEST(exec_live_programs)
{
	unsigned n = 0;

	if (!live_ok())
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int before = test_failures();

		run_case(&cases[i]);
		if (test_failures() > before)
			printf("    exec case %s FAILED\n", cases[i].name);
		n++;
	}
	printf("    exec: %u cases against the live kernel\n", n);
}

/* ------------------------------------------------- malformed files */

/*
 * A broken program, derived from a good one by a byte patch or a
 * truncation.  The kernel refuses it before its point of no return
 * (execve returns the errno: the model must return the same one and
 * keep the old mm), or after it (the task dies by SIGSEGV: the model
 * must say `fatal`), or runs it (both succeed).
 */
struct bad_case {
	const char *name;
	bool elf32;		/* the base is the ia32 live child */
	long truncate;		/* > 0: keep this many bytes */
	unsigned off, size;	/* patch @size bytes at @off with @val */
	uint64_t val;
	const char *script;	/* instead: a #! file with this text */
};

/* Elf64: e_type 16, e_machine 18, e_phoff 32, e_phentsize 54, e_phnum
 * 56; phdr i at 64 + 56 i: type +0, flags +4, offset +8, vaddr +16,
 * filesz +32, memsz +40, align +48.  Elf32: e_phoff 28, e_phentsize 42,
 * e_phnum 44; phdr i at 52 + 32 i: type +0, offset +4, vaddr +8, filesz
 * +16, memsz +20, flags +24. */
static const struct bad_case bad_cases[] = {
	{ "truncated-10", false, 10, 0, 0, 0, NULL },
	{ "truncated-63", false, 63, 0, 0, 0, NULL },
	{ "truncated-100", false, 100, 0, 0, 0, NULL },
	{ "truncated-4096", false, 4096, 0, 0, 0, NULL },
	{ "no-magic", false, 0, 1, 1, 'X', NULL },
	{ "et-rel", false, 0, 16, 2, 1, NULL },
	{ "em-arm", false, 0, 18, 2, 40, NULL },
	{ "phentsize-32", false, 0, 54, 2, 32, NULL },
	{ "phnum-0", false, 0, 56, 2, 0, NULL },
	{ "phnum-100", false, 0, 56, 2, 100, NULL },
	{ "phnum-73", false, 0, 56, 2, 73, NULL },
	{ "phoff-past-eof", false, 0, 32, 8, 1 << 20, NULL },
	{ "phoff-negative", false, 0, 32, 8, 0x8000000000000000ULL, NULL },
	{ "phoff-wraps", false, 0, 32, 8, 0xfffffffffffffff0ULL, NULL },
	{ "load1-memsz-huge", false, 0, 64 + 56 + 40, 8, 0xffffffffffff0000ULL, NULL },
	{ "load1-vaddr-high", false, 0, 64 + 56 + 16, 8, 0x7ffffffff000ULL, NULL },
	{ "load1-vaddr-kernel", false, 0, 64 + 56 + 16, 8, 0xffff800000001000ULL, NULL },
	{ "load0-vaddr-zero", false, 0, 64 + 16, 8, 0, NULL },
	{ "load1-offset-unaligned", false, 0, 64 + 56 + 8, 8, 0x1234, NULL },
	{ "load1-filesz-gt-memsz", false, 0, 64 + 56 + 32, 8, 0x3000, NULL },
	{ "load1-offset-past-eof", false, 0, 64 + 56 + 8, 8, 0x100000, NULL },
	{ "load-overlap", false, 0, 64 + 56 + 16, 8, 0x400000, NULL },
	{ "entry-kernel", false, 0, 24, 8, 0xffffffff81000000ULL, NULL },
	{ "type-interp", false, 0, 64 + 56 * 3, 4, 3, NULL },
	{ "elf32-truncated-60", true, 60, 0, 0, 0, NULL },
	{ "elf32-phnum-200", true, 0, 44, 2, 200, NULL },
	{ "elf32-phentsize-56", true, 0, 42, 2, 56, NULL },
	{ "elf32-load1-memsz-huge", true, 0, 52 + 32 + 20, 4, 0xfffff000u, NULL },
	{ "elf32-load1-vaddr-high", true, 0, 52 + 32 + 8, 4, 0xffffe000u, NULL },
	{ "script-no-interp", false, 0, 0, 0, 0, "#!\n" },
	{ "script-blank", false, 0, 0, 0, 0, "#!   \t \n" },
	{ "script-missing-interp", false, 0, 0, 0, 0, "#!/nonexistent/sh\n" },
	{ "script-interp-not-exec", false, 0, 0, 0, 0, "#!/etc/passwd\n" },
	{ "script-interp-dir", false, 0, 0, 0, 0, "#!/tmp\n" },
	{ "script-loop", false, 0, 0, 0, 0, "#!SELF\n" },
	{ "script-long-name", false, 0, 0, 0, 0, "#!/"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
	{ "script-not-elf-interp", false, 0, 0, 0, 0, "#!INTERP_TEXT\n" },
	{ "empty-file", false, -1, 0, 0, 0, NULL },
	{ "text-file", false, 0, 0, 0, 0, "hello world\n" },
};

/* Write the case's file; false if the base program is missing. */
static bool write_bad(const struct bad_case *b, const char *path)
{
	const char *base = getenv(b->elf32 ? "MMTWIN_LIVE_CHILD_I386"
				       : "MMTWIN_LIVE_CHILD_X86_64");
	uint8_t *data = NULL;
	size_t len = 0;
	FILE *f;

	if (b->script) {
		char text[600], self[300];

		snprintf(self, sizeof(self), "%s", path);
		if (!strcmp(b->script, "#!SELF\n"))
			snprintf(text, sizeof(text), "#!%s\n", self);
		else if (!strcmp(b->script, "#!INTERP_TEXT\n"))
			snprintf(text, sizeof(text), "#!%s/hello.c\n", exec_dir);
		else
			snprintf(text, sizeof(text), "%s", b->script);
		data = (uint8_t *)strdup(text);
		len = strlen(text);
	} else if (b->truncate >= 0) {
		char *all;
		FILE *in = base ? fopen(base, "rb") : NULL;

		if (!in)
			return false;
		all = test_slurp(in);
		fclose(in);
		if (!all)
			return false;
		{
			struct stat st;

			stat(base, &st);
			len = (size_t)st.st_size;
		}
		data = (uint8_t *)all;
		if (b->truncate > 0 && (size_t)b->truncate < len)
			len = (size_t)b->truncate;
		if (b->size && b->off + b->size <= len)
			memcpy(data + b->off, &b->val, b->size);
	}
	f = fopen(path, "wb");
	if (!f) {
		free(data);
		return false;
	}
	if (len)
		fwrite(data, 1, len, f);
	fclose(f);
	free(data);
	chmod(path, 0755);
	if (!strcmp(b->name, "script-interp-not-exec") ||
	    !strcmp(b->name, "script-not-elf-interp")) {
		char ip[300];

		snprintf(ip, sizeof(ip), "%s/hello.c", exec_dir);
		chmod(ip, 0755);
	}
	return true;
}

/* The live verdict: 0 and *errno_out (0 = it ran), or 1 = killed after
 * the point of no return. */
static int live_verdict(const char *path, int *errno_out)
{
	char *argv[] = { (char *)path, NULL }, *envp[] = { "A=1", NULL };
	int st, pfd[2];
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (!pid) {
		int e;

		close(pfd[0]);
		personality(ADDR_NO_RANDOMIZE);
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		execve(path, argv, envp);
		e = errno;
		if (write(pfd[1], &e, sizeof(e)) != sizeof(e))
			_exit(126);
		_exit(0);
	}
	close(pfd[1]);
	waitpid(pid, &st, 0);
	ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL);
	ptrace(PTRACE_CONT, pid, 0, 0);
	*errno_out = 0;
	for (;;) {
		if (waitpid(pid, &st, 0) != pid)
			break;
		if (WIFSTOPPED(st) && st >> 8 == (SIGTRAP | PTRACE_EVENT_EXEC << 8)) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			close(pfd[0]);
			return 0;		/* it ran */
		}
		if (WIFSTOPPED(st)) {	/* the SIGSEGV of a failed exec */
			int sig = WSTOPSIG(st);

			ptrace(PTRACE_CONT, pid, 0, sig);
			continue;
		}
		break;
	}
	if (WIFSIGNALED(st)) {
		close(pfd[0]);
		return 1;
	}
	if (read(pfd[0], errno_out, sizeof(*errno_out)) != sizeof(*errno_out))
		*errno_out = -1;
	close(pfd[0]);
	return 0;
}

TEST(exec_live_malformed)
{
	unsigned n = 0;

	if (!live_ok())
		return;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *b = &bad_cases[i];
		struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "4G");
		struct mmt_exec_params p = { 0 };
		struct mmt_exec_result res;
		char path[256], err[512], *before = NULL, *after = NULL;
		char *argv[2], *envp[] = { "A=1", NULL };
		size_t bl = 0, al = 0;
		struct mmt_task *t;
		int e, r, kerr, verdict;
		FILE *mf;

		snprintf(path, sizeof(path), "%s/bad-%s", exec_dir, b->name);
		if (!write_bad(b, path)) {
			printf("    SKIP exec malformed %s: no base program\n",
			       b->name);
			mmt_machine_free(m);
			continue;
		}
		verdict = live_verdict(path, &kerr);
		t = mmt_task_create(m, MMT_TASK_X86_64, 0, &e);
		CHECK(t != NULL);
		host_caps(t);
		/* an old image to keep: /bin/true */
		argv[0] = "/bin/true";
		argv[1] = NULL;
		p.filename = "/bin/true";
		p.argv = argv;
		p.envp = envp;
		CHECK(mmt_execve(t, &p, NULL, err, sizeof(err)) == 0);
		mf = open_memstream(&before, &bl);
		mmt_maps_print(t, mf);
		fclose(mf);
		argv[0] = path;
		p.filename = path;
		err[0] = 0;
		memset(&res, 0, sizeof(res));
		r = mmt_execve(t, &p, &res, err, sizeof(err));
		if (verdict == 1) {
			if (!r || !res.fatal)
				test_fail(__FILE__, __LINE__, "%s: the kernel "
					  "killed the task after its point of "
					  "no return; model: %d fatal %d (%s)",
					  b->name, r, res.fatal, err);
		} else if (-r != kerr) {
			test_fail(__FILE__, __LINE__, "%s: kernel errno %d (%s)"
				  ", model %d (%s)", b->name, kerr,
				  kerr > 0 ? strerror(kerr) : "ran", -r, err);
		}
		if (r && !err[0])
			test_fail(__FILE__, __LINE__, "%s: no message", b->name);
		if (r) {	/* the old image is intact */
			mf = open_memstream(&after, &al);
			mmt_maps_print(t, mf);
			fclose(mf);
			CHECK_STR(after, before);
			free(after);
		}
		free(before);
		CHECK(mmt_machine_check(m, err, sizeof(err)) == 0);
		mmt_machine_free(m);
		n++;
	}
	printf("    exec: %u malformed files against the live kernel\n", n);
}
