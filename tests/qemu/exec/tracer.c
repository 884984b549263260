// SPDX-License-Identifier: MIT
/*
 * tracer.c - the guest side of the exec ground truth (tests/qemu/README.md).
 * Static i386 program run by tests/qemu/init.sh inside Debian's 686 kernel:
 *
 *   exec-tracer OUTPUT-LABEL PROGRAM [ARGS...]
 *
 * forks; the child sets RLIMIT_STACK to 8 MiB (cur), the personality to
 * PER_LINUX | ADDR_NO_RANDOMIZE, asks to be traced (PTRACE_TRACEME) and
 * execve()s PROGRAM with ARGS and the fixed environment {"A=1",
 * "MMTWIN=exec"}.  The parent waits for the SIGTRAP stop that execve leaves
 * (before the first user instruction) and prints, between
 * "==== EXEC LABEL <what> ====" lines: the personality and rlimits the child
 * used, /proc/PID/maps, /proc/PID/stat, /proc/PID/auxv (hex), the stack
 * pointer, and the bytes of /proc/PID/mem from the stack pointer to the end
 * of the [stack] VMA (hex, 32 bytes a line).  Then it kills the child.
 * Build: gcc -m32 -static -O2 -o exec-tracer tracer.c
 */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64	/* /proc/PID/mem offsets above 2 GiB */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *label;

static void sec(const char *what)
{
	printf("==== EXEC %s %s ====\n", label, what);
}

static long slurp(const char *path, unsigned char *buf, long max)
{
	int fd = open(path, O_RDONLY);
	long n = 0, r;

	if (fd < 0)
		return -1;
	while (n < max && (r = read(fd, buf + n, max - n)) > 0)
		n += r;
	close(fd);
	return n;
}

static void hexdump(const unsigned char *b, long n, unsigned long base)
{
	for (long i = 0; i < n; i += 32) {
		printf("%08lx:", base + (unsigned long)i);
		for (long j = i; j < i + 32 && j < n; j++)
			printf("%s%02x", (j - i) % 4 ? "" : " ", b[j]);
		printf("\n");
	}
}

static unsigned char buf[1 << 20];

int main(int argc, char **argv)
{
	static char *envp[] = { "A=1", "MMTWIN=exec", NULL };
	char path[64];
	struct user_regs_struct regs;
	unsigned long lo = 0, hi = 0;
	int status;
	pid_t pid;
	long n;

	if (argc < 3) {
		fprintf(stderr, "usage: %s LABEL PROGRAM [ARGS...]\n", argv[0]);
		return 2;
	}
	label = argv[1];
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		struct rlimit r;

		getrlimit(RLIMIT_STACK, &r);
		r.rlim_cur = 8UL << 20;
		if (setrlimit(RLIMIT_STACK, &r))
			perror("setrlimit");
		if (personality(PER_LINUX | ADDR_NO_RANDOMIZE) == -1)
			perror("personality");
		if (ptrace(PTRACE_TRACEME, 0, 0, 0))
			perror("ptrace");
		execve(argv[2], argv + 2, envp);
		fprintf(stderr, "execve %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)
	    || WSTOPSIG(status) != SIGTRAP) {
		fprintf(stderr, "%s: no exec stop (status 0x%x)\n", label, status);
		return 1;
	}
	sec("argv");
	for (int i = 2; i < argc; i++)
		printf("%s\n", argv[i]);
	sec("envp");
	for (char **e = envp; *e; e++)
		printf("%s\n", *e);
	sec("limits");
	{
		static const struct { int r; const char *n; } l[] = {
			{ RLIMIT_STACK, "stack" }, { RLIMIT_DATA, "data" },
			{ RLIMIT_AS, "as" }, { RLIMIT_MEMLOCK, "memlock" } };
		snprintf(path, sizeof(path), "/proc/%d/limits", pid);
		for (unsigned i = 0; i < 4; i++) {
			struct rlimit r;

			if (prlimit(pid, l[i].r, NULL, &r) == 0)
				printf("%s %llu %llu\n", l[i].n,
				       (unsigned long long)r.rlim_cur,
				       (unsigned long long)r.rlim_max);
		}
		printf("personality 0x%x\n", PER_LINUX | ADDR_NO_RANDOMIZE);
		printf("uid %u euid %u gid %u egid %u\n", getuid(), geteuid(),
		       getgid(), getegid());
	}
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	n = slurp(path, buf, sizeof(buf) - 1);
	sec("maps");
	if (n > 0) {
		buf[n] = 0;
		fputs((char *)buf, stdout);
		for (char *line = (char *)buf; line && *line;) {
			char *nl = strchr(line, '\n');

			if (strstr(line, "[stack]") && (!nl || strstr(line, "[stack]") < nl))
				sscanf(line, "%lx-%lx", &lo, &hi);
			line = nl ? nl + 1 : NULL;
		}
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	n = slurp(path, buf, sizeof(buf) - 1);
	sec("stat");
	if (n > 0) {
		buf[n] = 0;
		fputs((char *)buf, stdout);
	}
	snprintf(path, sizeof(path), "/proc/%d/auxv", pid);
	n = slurp(path, buf, sizeof(buf));
	sec("auxv");
	if (n > 0)
		hexdump(buf, n, 0);
	if (ptrace(PTRACE_GETREGS, pid, 0, &regs)) {
		perror("PTRACE_GETREGS");
		return 1;
	}
	sec("regs");
	printf("sp %08lx ip %08lx\n", (unsigned long)regs.esp,
	       (unsigned long)regs.eip);
	sec("stack");
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	if (hi > (unsigned long)regs.esp) {
		int fd = open(path, O_RDONLY);
		long len = (long)(hi - (unsigned long)regs.esp);

		if (fd >= 0 && len <= (long)sizeof(buf)
		    && pread(fd, buf, len, (off_t)(unsigned long)regs.esp) == len)
			hexdump(buf, len, (unsigned long)regs.esp);
		else
			printf("(cannot read %s)\n", path);
		if (fd >= 0)
			close(fd);
	}
	sec("end");
	fflush(stdout);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return 0;
}
