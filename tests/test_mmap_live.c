// SPDX-License-Identifier: MIT
/*
 * The model against the live kernel, step by step.  A freestanding helper
 * (compiled here from HELPER_64 / HELPER_32 with gcc -ffreestanding
 * -nostdlib -static, -m32 for the ia32 one) runs under personality
 * (ADDR_NO_RANDOMIZE) and executes the system calls it reads from a pipe,
 * answering each result.  Before the sequence the model seeds a task from
 * the helper's /proc/PID/{maps,smaps,stat,limits,status}; after every step
 * the results must be equal and the model's `maps` text must equal
 * /proc/PID/maps byte for byte.
 *
 * Assumes (checked, else the tests say why and pass without comparing):
 * a 6.18 kernel (uname -r), vm.mmap_min_addr 4096, gcc on PATH (with -m32
 * support for the ia32 run), and that the helper's address space changes
 * only by the calls it is sent (it has no libc, no allocator, no signals).
 * Shared anonymous mappings are left out: their shmem inode numbers are
 * the kernel's own counter.
 */
#include "test.h"
#include "mm/vma_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

/* The helper: "ready", then for each 7-word request a syscall and its
 * result, until EOF. */
static const char HELPER_64[] =
	"typedef unsigned long u64;\n"
	"static long sys6(long n, long a, long b, long c, long d, long e,"
	" long f) {\n"
	"  long r; register long r10 __asm__(\"r10\") = d;\n"
	"  register long r8 __asm__(\"r8\") = e;\n"
	"  register long r9 __asm__(\"r9\") = f;\n"
	"  __asm__ volatile(\"syscall\" : \"=a\"(r) : \"a\"(n), \"D\"(a),"
	" \"S\"(b), \"d\"(c), \"r\"(r10), \"r\"(r8), \"r\"(r9)"
	" : \"rcx\", \"r11\", \"memory\");\n"
	"  return r; }\n"
	"static int rd(char *b, long n) { long got = 0;\n"
	"  while (got < n) { long r = sys6(0, 0, (long)(b + got), n - got,"
	" 0, 0, 0);\n    if (r <= 0) return -1; got += r; } return 0; }\n"
	"__attribute__((force_align_arg_pointer, noreturn))"
	" void _start(void) {\n"
	"  u64 q[7]; long r = 0x5eed;\n"
	"  sys6(1, 1, (long)&r, 8, 0, 0, 0);\n"
	"  while (!rd((char *)q, 56)) {\n"
	"    r = sys6(q[0], q[1], q[2], q[3], q[4], q[5], q[6]);\n"
	"    sys6(1, 1, (long)&r, 8, 0, 0, 0); }\n"
	"  for (;;) sys6(60, 0, 0, 0, 0, 0, 0); }\n";

static const char HELPER_32[] =
	"typedef unsigned long long u64;\n"
	"static long sys6(long n, long *p) { long r;\n"
	"  __asm__ volatile(\"push %%ebp\\n\\tpush %%ebx\\n\\t"
	"mov 20(%%ecx), %%ebp\\n\\tmov 16(%%ecx), %%edi\\n\\t"
	"mov 12(%%ecx), %%esi\\n\\tmov 8(%%ecx), %%edx\\n\\t"
	"mov 0(%%ecx), %%ebx\\n\\tmov 4(%%ecx), %%ecx\\n\\t"
	"int $0x80\\n\\tpop %%ebx\\n\\tpop %%ebp\""
	" : \"=a\"(r), \"+c\"(p) : \"a\"(n) : \"edx\", \"esi\", \"edi\","
	" \"memory\");\n  return r; }\n"
	"static long sys3(long n, long a, long b, long c) {\n"
	"  long v[6] = { a, b, c, 0, 0, 0 }; return sys6(n, v); }\n"
	"static int rd(char *b, long n) { long got = 0;\n"
	"  while (got < n) { long r = sys3(3, 0, (long)(b + got), n - got);\n"
	"    if (r <= 0) return -1; got += r; } return 0; }\n"
	"__attribute__((force_align_arg_pointer, noreturn))"
	" void _start(void) {\n"
	"  u64 q[7]; long long r = 0x5eed; long v[6];\n"
	"  sys3(4, 1, (long)&r, 8);\n"
	"  while (!rd((char *)q, 56)) {\n"
	"    for (int i = 0; i < 6; i++) v[i] = (long)q[i + 1];\n"
	"    r = sys6((long)q[0], v);\n"
	"    sys3(4, 1, (long)&r, 8); }\n"
	"  for (;;) sys3(1, 0, 0, 0); }\n";

struct live {
	pid_t pid;
	int to, from;		/* pipe ends: requests, results */
	bool m32;
};

static bool live_kernel_ok(void)
{
	struct utsname u;
	char *min = test_read_file("/proc/sys/vm/mmap_min_addr");
	bool ok = !uname(&u) && !strncmp(u.release, "6.18", 4) && min &&
		  atoi(min) == 4096;

	free(min);
	if (!ok)
		printf("    live checks skipped: they assume Linux 6.18 with "
		       "vm.mmap_min_addr 4096 (this is %s)\n", u.release);
	return ok;
}

/* Compile a helper into /tmp; false (and why) if gcc cannot. */
static bool build_helper(const char *src, bool m32, char *bin, size_t len)
{
	char cpath[64], cmd[512];
	FILE *f;
	int fd;

	snprintf(cpath, sizeof(cpath), "/tmp/mmtwin-live-XXXXXX");
	fd = mkstemp(cpath);
	if (fd < 0)
		return false;
	f = fdopen(fd, "w");
	fputs(src, f);
	fclose(f);
	snprintf(bin, len, "%s.bin", cpath);
	snprintf(cmd, sizeof(cmd), "gcc -x c %s -O2 -ffreestanding -nostdlib "
		 "-static -fno-pie -no-pie -fno-stack-protector "
		 "-fno-asynchronous-unwind-tables -o %s %s 2>/dev/null",
		 m32 ? "-m32" : "", bin, cpath);
	fd = system(cmd);
	unlink(cpath);
	if (fd) {
		printf("    live checks skipped: 'gcc%s -ffreestanding "
		       "-nostdlib -static' failed\n", m32 ? " -m32" : "");
		return false;
	}
	return true;
}

static bool read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

/* Start @bin with ASLR off, fds 3 (O_RDONLY) and 4 (O_RDWR) on @file. */
static bool live_start(struct live *l, const char *bin, const char *file)
{
	int in[2], out[2];
	int64_t ready = 0;

	if (pipe(in) || pipe(out))
		return false;
	l->pid = fork();
	if (l->pid == 0) {
		int ro = open(file, O_RDONLY), rw = open(file, O_RDWR);

		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(ro, 3);
		dup2(rw, 4);
		personality(ADDR_NO_RANDOMIZE);
		execl(bin, bin, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	l->to = in[1];
	l->from = out[0];
	return l->pid > 0 && read_full(l->from, &ready, 8) && ready == 0x5eed;
}

static int64_t live_call(struct live *l, const struct mmt_sys_call *c)
{
	uint64_t q[7] = { c->nr };
	int64_t r = 0;

	for (int i = 0; i < 6; i++)
		q[i + 1] = c->args[i];
	if (write(l->to, q, sizeof(q)) != (ssize_t)sizeof(q) ||
	    !read_full(l->from, &r, 8))
		return INT64_MIN;
	if (l->m32) {	/* an unsigned long of 32 bits, errors at the top */
		uint32_t v = (uint32_t)r;

		r = v >= 0xfffff001u ? (int32_t)v : (int64_t)v;
	}
	return r;
}

static void live_stop(struct live *l)
{
	int st;

	close(l->to);
	close(l->from);
	waitpid(l->pid, &st, 0);
}

static char *live_maps(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	return test_read_file(path);
}

static char *model_maps(const struct mmt_task *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	mmt_maps_print(t, f);
	fclose(f);
	return buf;
}

/* "{brk+0x3000}" -> the seeded start_brk plus 0x3000, in hex. */
static void substitute(const char *in, uint64_t brk, char *out, size_t len)
{
	const char *p = strstr(in, "{brk");
	unsigned long long add = 0;
	const char *end;

	if (!p) {
		snprintf(out, len, "%s", in);
		return;
	}
	end = strchr(p, '}');
	if (p[4] == '+')
		add = strtoull(p + 5, NULL, 0);
	snprintf(out, len, "%.*s%#llx%s", (int)(p - in), in,
		 (unsigned long long)(brk + add), end + 1);
}

/* Show where two maps texts first differ. */
static void report_diff(const char *step, const char *want, const char *got)
{
	size_t i = 0, line = 1;

	while (want[i] && want[i] == got[i]) {
		if (want[i] == '\n')
			line++;
		i++;
	}
	printf("    after '%s': maps differ at line %zu\n--- kernel\n%s"
	       "--- model\n%s", step, line, want, got);
}

struct live_run {
	unsigned steps, agreed;
};

/* Run @steps live and in the model, comparing after each one. */
static void live_sequence(const char *name, const char *src, bool m32,
			  const char *const *steps, struct live_run *run)
{
	char bin[96], file[] = "/tmp/mmtwin-live-file-XXXXXX", err[256];
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct live l = { .m32 = m32 };
	struct mmt_task *t;
	char *want, *got;
	int fd;

	if (!build_helper(src, m32, bin, sizeof(bin))) {
		mmt_machine_free(m);
		return;
	}
	fd = mkstemp(file);
	CHECK(fd >= 0 && ftruncate(fd, 5 * 4096) == 0);
	close(fd);
	CHECK(live_start(&l, bin, file));
	t = mmt_task_seed_pid(m, l.pid, err, sizeof(err));
	if (!t)
		printf("    %s: seeding failed: %s\n", name, err);
	CHECK(t != NULL);
	if (t) {
		CHECK_EQ(t->abi, m32 ? MMT_TASK_IA32 : MMT_TASK_X86_64);
		CHECK_EQ(mmt_task_fd_install_mode(t, 3, file, MMT_FMODE_READ), 0);
		CHECK_EQ(mmt_task_fd_install_mode(t, 4, file, MMT_FMODE_READ |
						  MMT_FMODE_WRITE), 0);
		want = live_maps(l.pid);
		got = model_maps(t);
		CHECK_STR(got, want);	/* the seed itself */
		free(want);
		free(got);
	}
	for (unsigned i = 0; t && steps[i]; i++) {
		struct mmt_sys_ctx ctx = { .m = m, .task = t,
					   .abi = mmt_task_sys_abi(t->abi) };
		struct mmt_sys_call call;
		char text[256];
		int64_t rl, rm;

		substitute(steps[i], t->mm->start_brk, text, sizeof(text));
		if (mmt_sys_parse_call(text, ctx.abi, &call, err, sizeof(err))) {
			test_fail(__FILE__, __LINE__, "%s: %s", text, err);
			continue;
		}
		rl = live_call(&l, &call);
		rm = mmt_sys_dispatch(&ctx, &call);
		mmt_sys_call_release(&call);
		want = live_maps(l.pid);
		got = model_maps(t);
		run->steps++;
		if (rl == rm && !strcmp(want, got)) {
			run->agreed++;
		} else {
			test_fail(__FILE__, __LINE__, "%s step %u '%s': kernel "
				  "%lld, model %lld", name, i, text,
				  (long long)rl, (long long)rm);
			if (strcmp(want, got))
				report_diff(text, want, got);
		}
		free(want);
		free(got);
		if (mmt_machine_check(m, err, sizeof(err)))
			test_fail(__FILE__, __LINE__, "%s step %u: %s", name,
				  i, err);
	}
	live_stop(&l);
	unlink(bin);
	unlink(file);
	mmt_machine_free(m);
}

/*
 * The sequences.  Fixed addresses use 0x200000000 (8 GiB, free in the
 * static helper); NULL hints go top-down below the vDSO.
 */
static const char *const steps_64[] = {
	/* placement and merging of new ranges */
	"mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
	"mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
	"mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
	"mmap(NULL, 4194304, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
	"mmap(NULL, 2101248, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
	"mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_32BIT, -1, 0)",
	"mmap(0x300000000, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
	"mmap(0x300000000, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
	"mmap(0x200000000, 20480, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
	"mmap(0x200001000, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)",
	"mmap(0x200001000, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
	"mmap(0x200001000, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
	"mmap(0x200005000, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
	/* flags */
	"mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK|MAP_NORESERVE, -1, 0)",
	"mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_GROWSDOWN, -1, 0)",
	"mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_LOCKED, -1, 0)",
	"mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_DROPPABLE|MAP_ANONYMOUS, -1, 0)",
	"mmap(NULL, 4096, PROT_READ, MAP_DROPPABLE|MAP_ANONYMOUS|MAP_LOCKED, -1, 0)",
	"mmap(NULL, 4096, PROT_READ, MAP_SHARED_VALIDATE|MAP_ANONYMOUS, -1, 0)",
	"mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE, -1, 0)",
	"mmap(NULL, 0, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
	"mmap(NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0)",
	"mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0x1001)",
	"mmap(0x1000, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
	/* files: fd 3 read-only, fd 4 read-write */
	"mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, 3, 0x1000)",
	"mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, 3, 0x3000)",
	"mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0)",
	"mmap(NULL, 4096, PROT_READ, MAP_SHARED, 3, 0)",
	"mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, 4, 0)",
	"mmap(NULL, 4096, PROT_READ, MAP_SHARED_VALIDATE|MAP_STACK|0x800000, 4, 0)",
	"mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 9, 0)",
	"mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_GROWSDOWN, 3, 0)",
	/* mprotect: split, merge, errors, accounting */
	"mprotect(0x200002000, 4096, PROT_READ)",
	"mprotect(0x200002000, 4096, PROT_READ|PROT_WRITE)",
	"mprotect(0x200000000, 4096, PROT_READ)",
	"mprotect(0x200001000, 4096, PROT_READ)",
	"mprotect(0x200006000, 4096, PROT_NONE)",
	"mprotect(0x200006000, 4096, PROT_READ|PROT_WRITE)",
	"mprotect(0x200000000, 0x10000, PROT_READ)",
	"mprotect(0x200000001, 4096, PROT_READ)",
	"mprotect(0x200000000, 0, PROT_READ)",
	"mprotect(0x300000000, 4096, PROT_READ|PROT_WRITE)",
	"mprotect(0x300000000, 4096, PROT_READ)",
	"mprotect(0x300000000, 4096, PROT_READ|PROT_WRITE|PROT_GROWSDOWN)",
	"pkey_mprotect(0x300000000, 4096, PROT_READ, 1)",
	"pkey_mprotect(0x300000000, 4096, PROT_READ|PROT_EXEC, 0)",
	"mprotect(0x300000000, 4096, 0x10)",
	/* munmap */
	"munmap(0x200002000, 4096)",
	"munmap(0x200000000, 0x10000)",
	"munmap(0x200000000, 0x10000)",
	"munmap(0x200000001, 4096)",
	"munmap(0x200000000, 0)",
	/* brk */
	"brk(NULL)",
	"brk({brk+0x2000})",
	"brk({brk+0x2800})",
	"brk({brk+0x1000})",
	"brk({brk})",
	"brk({brk+0x5000})",
	"mmap({brk+0x8000}, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
	"brk({brk+0x7000})",
	"brk({brk+0x6000})",
	"brk(0x1000)",
	NULL
};

TEST(mmap_live_x86_64_sequence)
{
	struct live_run run = { 0 };

	if (!live_kernel_ok())
		return;
	live_sequence("x86_64", HELPER_64, false, steps_64, &run);
	printf("    x86_64: %u of %u steps agreed byte for byte\n", run.agreed,
	       run.steps);
}

static const char *const steps_32[] = {
	"mmap2(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
	"mmap2(NULL, 4194304, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
	"mmap2(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_32BIT, -1, 0)",
	"mmap2(0x20000000, 12288, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
	"mprotect(0x20001000, 4096, PROT_READ)",
	"munmap(0x20000000, 4096)",
	"mmap2(NULL, 8192, PROT_READ, MAP_PRIVATE, 3, 0x1000)",
	"mmap2(NULL, 4096, PROT_READ, MAP_DROPPABLE|MAP_ANONYMOUS, -1, 0)",
	"munmap(0xfffff000, 4096)",
	"brk(NULL)",
	"brk({brk+0x3000})",
	"brk({brk+0x1000})",
	NULL
};

TEST(mmap_live_ia32_sequence)
{
	struct live_run run = { 0 };

	if (!live_kernel_ok())
		return;
	live_sequence("ia32", HELPER_32, true, steps_32, &run);
	printf("    ia32: %u of %u steps agreed byte for byte\n", run.agreed,
	       run.steps);
}
