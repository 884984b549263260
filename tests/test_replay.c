// SPDX-License-Identifier: MIT
/*
 * mmtwin replay (src/twin/replay.c) against real programs, and against
 * broken logs.
 *
 * replay_live_programs: each program runs under the documented command,
 *   setarch -R strace -f -qq -y -v -s 65536 -e trace=%memory,%process
 * plus `-e inject=exit_group:delay_enter=150000`: strace then holds every
 * exit_group at its syscall-entry stop for 150 ms before letting it run.
 * The delay changes no call and no line of the log (exit_group prints
 * "= ?" as always); it gives the test a window in which the process sits
 * in a ptrace stop, its mm complete and unchangeable, at the same point
 * where the replay takes its final maps (exit_group's entry).  Meanwhile
 * the test scans /proc for strace's tracees (TracerPid) whose
 * /proc/PID/syscall names exit_group (231 x86_64, 252 i386), reads
 * /proc/PID/maps, and reads the syscall file again: the maps count only
 * if the process was still stopped in that exit_group on both sides of
 * the read.  Then the log is replayed: every mirrored call must agree
 * with the logged result, and every captured process's final modelled
 * maps must equal the real ones byte for byte (and the main process must
 * have been captured).  The SysV shm program adds %ipc (shmget is not in
 * %memory, and the replay needs the segment's size).
 *
 * replay_malformed: truncated lines and logs, unknown syscalls, a resumed
 * line without its start, bad numbers, a 2 MB line, NULs: each is an
 * error "LINE: message" from the library and "LOG:LINE: message" with
 * exit status 2 from the binary, never a crash.
 */
#include "test.h"
#include "live/live.h"
#include "twin/replay.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REPLAY_DIR_TEMPLATE "/tmp/mmtwin-replay-XXXXXX"

static char rdir[64];
static bool have_m32;

static int sh(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char prog_src[] =
	"#define _GNU_SOURCE\n"
	"#include <pthread.h>\n#include <stdio.h>\n#include <stdlib.h>\n"
	"#include <string.h>\n#include <sys/mman.h>\n#include <sys/shm.h>\n"
	"#include <fcntl.h>\n#include <unistd.h>\n"
	"static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;\n"
	"static void *work(void *a) {\n"
	"  pthread_mutex_lock(&mu);\n"
	"  char *p = mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);\n"
	"  memset(p, 1, 65536); munmap(p + 16384, 16384);\n"
	"  void *m = malloc(300000 + (long)a); free(malloc(1000));\n"
	"  pthread_mutex_unlock(&mu);\n  return m;\n}\n"
	"int main(int argc, char **argv) {\n"
	"  const char *mode = argc > 1 ? argv[1] : \"\";\n"
	"  long pg = 4096;\n"
	"  if (!strcmp(mode, \"threads\")) {\n"
	"    pthread_t t[4];\n"
	"    for (long i = 0; i < 4; i++) {\n"
	"      pthread_mutex_lock(&mu);   /* its stack's mmap under the lock too */\n"
	"      pthread_create(&t[i], NULL, work, (void *)i);\n"
	"      pthread_mutex_unlock(&mu);\n"
	"    }\n"
	"    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);\n"
	"  } else if (!strcmp(mode, \"mremap\")) {\n"
	"    char *p = mmap(NULL, 4 * pg, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);\n"
	"    char *q = mremap(p, 4 * pg, 8 * pg, 0);\n"
	"    char *b = mmap(p + 8 * pg, pg, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0);\n"
	"    q = mremap(p, 8 * pg, 64 * pg, MREMAP_MAYMOVE);\n"
	"    q = mremap(q, 64 * pg, 16 * pg, 0);\n"
	"    char *r = mremap(q, 16 * pg, 16 * pg, MREMAP_MAYMOVE|MREMAP_FIXED, (char *)0x300000000);\n"
	"    mremap(r, 16 * pg, 32 * pg, 0);\n"
	"    munmap(b, pg);\n"
	"  } else if (!strcmp(mode, \"fixed\")) {\n"
	"    char *p = mmap(NULL, 32 * pg, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);\n"
	"    int fd = open(\"/etc/passwd\", O_RDONLY);\n"
	"    mmap(p + 4 * pg, pg, PROT_READ, MAP_PRIVATE|MAP_FIXED, fd, 0);\n"
	"    mmap(p + 8 * pg, 8 * pg, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0);\n"
	"    mprotect(p + 10 * pg, 2 * pg, PROT_NONE);\n"
	"    mmap(p, 32 * pg, PROT_READ, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0);\n"
	"    mmap(p + 2 * pg, pg, PROT_READ, MAP_PRIVATE|MAP_FIXED, fd, 0);\n"
	"    munmap(p + 20 * pg, 4 * pg);\n"
	"    mmap(p + 30 * pg, 8 * pg, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0);\n"
	"  } else if (!strcmp(mode, \"shm\")) {\n"
	"    int id = shmget(IPC_PRIVATE, 65536, IPC_CREAT|0600);\n"
	"    int id2 = shmget(IPC_PRIVATE, 3 * pg, IPC_CREAT|0600);\n"
	"    char *p = shmat(id, NULL, 0); p[0] = 1;\n"
	"    char *q = shmat(id2, NULL, SHM_RDONLY);\n"
	"    shmat(id, q - 16 * pg, 0);\n"
	"    shmdt(p);\n"
	"    shmctl(id, IPC_RMID, NULL); shmctl(id2, IPC_RMID, NULL);\n"
	"  }\n"
	"  printf(\"%s\\n\", mode);\n  return 0;\n}\n";

/* Build the test program (64-bit, static, i386), once. */
static bool build(void)
{
	static int done;
	char cmd[1024];
	FILE *f;

	if (done)
		return done > 0;
	done = -1;
	if (!mkdtemp(strcpy(rdir, REPLAY_DIR_TEMPLATE)))
		return false;
	snprintf(cmd, sizeof(cmd), "%s/prog.c", rdir);
	f = fopen(cmd, "w");
	if (!f)
		return false;
	fputs(prog_src, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd %s && gcc -O1 -pthread -o prog prog.c "
		 "&& gcc -O1 -static -pthread -o prog-static prog.c", rdir);
	if (sh(cmd))
		return false;
	snprintf(cmd, sizeof(cmd), "cd %s && gcc -m32 -O1 -pthread -o prog32 "
		 "prog.c 2>/dev/null", rdir);
	have_m32 = !sh(cmd);
	done = 1;
	return true;
}

struct captured {
	int pid;
	char *maps;
};

struct capture {
	struct captured *c;
	unsigned n;
};

static char *read_small(const char *path)
{
	return test_read_file(path);
}

/* The field after "TracerPid:" in /proc/PID/status, -1. */
static int tracer_of(int pid)
{
	char path[64], *st, *p;
	int t = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	st = read_small(path);
	if (!st)
		return -1;
	p = strstr(st, "TracerPid:");
	if (p)
		t = atoi(p + 10);
	free(st);
	return t;
}

static bool at_exit_group(int pid)
{
	char path[64], *s;
	bool yes;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	s = read_small(path);
	if (!s)
		return false;
	yes = !strncmp(s, "231 ", 4) || !strncmp(s, "252 ", 4);
	free(s);
	return yes;
}

/* strace's own child before its execve: /proc/PID/syscall can show a
 * number that looks like exit_group there, and its maps are strace's. */
static bool same_exe(int a, int b)
{
	char pa[64], pb[64], ea[4096], eb[4096];
	ssize_t na, nb;

	snprintf(pa, sizeof(pa), "/proc/%d/exe", a);
	snprintf(pb, sizeof(pb), "/proc/%d/exe", b);
	na = readlink(pa, ea, sizeof(ea) - 1);
	nb = readlink(pb, eb, sizeof(eb) - 1);
	return na > 0 && na == nb && !memcmp(ea, eb, (size_t)na);
}

static bool captured_already(const struct capture *cap, int pid)
{
	for (unsigned i = 0; i < cap->n; i++)
		if (cap->c[i].pid == pid)
			return true;
	return false;
}

/* One pass over /proc: every tracee of @tracer held at exit_group. */
static void scan(int tracer, struct capture *cap)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		int pid = atoi(de->d_name);
		char path[64], *maps;

		if (pid <= 0 || captured_already(cap, pid) ||
		    tracer_of(pid) != tracer || !at_exit_group(pid) ||
		    same_exe(pid, tracer))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/maps", pid);
		maps = read_small(path);
		if (!maps)
			continue;
		if (!at_exit_group(pid) || tracer_of(pid) != tracer) {
			free(maps);	/* it moved on: not a stable read */
			continue;
		}
		cap->c = realloc(cap->c, (cap->n + 1) * sizeof(*cap->c));
		if (!cap->c)
			abort();
		cap->c[cap->n].pid = pid;
		cap->c[cap->n++].maps = maps;
	}
	closedir(d);
}

/*
 * The maps text with the inode of every shmem file but SysV segments
 * (device 00:01: shared anonymous memory, /dev/zero) as 0: the host
 * numbers those inodes from its own counter, the model from the
 * machine's.  A SysV segment's inode is its shm id, which the mirror
 * translates to the host's (from shmget's logged results): compared.
 */
static char *mask_shmem_inodes(const char *maps)
{
	char *out = strdup(maps), *p = out;

	while (p && *p) {
		char *nl = strchr(p, '\n'), *dev = strstr(p, " 00:01 ");
		char *sysv = strstr(p, " /SYSV");

		if (dev && (!nl || dev < nl) && !(sysv && (!nl || sysv < nl))) {
			char *ino = dev + 7;

			while (*ino >= '0' && *ino <= '9') {
				*ino = ' ';
				ino++;
			}
			if (ino > dev + 7)
				dev[7] = '0';
		}
		p = nl ? nl + 1 : NULL;
	}
	return out;
}

/*
 * @real and @model equal but for the start of [stack], the real one lower:
 * the stack grew by page faults, and a log records none (the one change
 * to a process's maps the replay cannot know).  Anything else differing,
 * or a model stack larger than the real one, is a divergence.
 */
static bool only_stack_grew(const char *real, const char *model)
{
	const char *a = real, *b = model;
	bool grew = false;

	while (*a && *b) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
		const char *da = memchr(a, '-', la), *db = memchr(b, '-', lb);

		if (la != lb || memcmp(a, b, la)) {
			if (grew || !da || !db || la - (size_t)(da - a) !=
			    lb - (size_t)(db - b) ||
			    memcmp(da, db, la - (size_t)(da - a)) ||
			    la < 7 || memcmp(a + la - 7, "[stack]", 7) ||
			    strtoull(a, NULL, 16) >= strtoull(b, NULL, 16))
				return false;
			grew = true;
		}
		a += la + (a[la] == '\n');
		b += lb + (b[lb] == '\n');
	}
	return grew && !*a && !*b;
}

#define MORE_IPC	1u	/* the filter adds %ipc (shmget) */
#define MORE_LIMITS	2u	/* and prlimit64,setrlimit */

/* Record @argv under strace into @log, capturing the real final maps. */
static int record(char *const *argv, const char *log, unsigned more,
		  struct capture *cap)
{
	char *args[64];
	unsigned n = 0;
	pid_t pid;
	int st;
	struct timespec ts = { 0, 1000000 };

	args[n++] = "setarch";
	args[n++] = "-R";
	args[n++] = "strace";
	args[n++] = "-f";
	args[n++] = "-qq";
	args[n++] = "-y";
	args[n++] = "-v";
	args[n++] = "-s";
	args[n++] = "65536";
	args[n++] = "-e";
	args[n++] = more == (MORE_IPC | MORE_LIMITS)
		    ? "trace=%memory,%process,%ipc,prlimit64,setrlimit"
		    : more == MORE_IPC ? "trace=%memory,%process,%ipc"
		    : more == MORE_LIMITS
		    ? "trace=%memory,%process,prlimit64,setrlimit"
		    : "trace=%memory,%process";
	args[n++] = "-e";
	args[n++] = "inject=exit_group:delay_enter=150000";
	args[n++] = "-o";
	args[n++] = (char *)log;
	args[n++] = "--";
	for (unsigned i = 0; argv[i] && n < 63; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		execvp("setarch", args);
		_exit(127);
	}
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			break;
		if (w < 0)
			return -1;
		scan(pid, cap);
		nanosleep(&ts, NULL);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The replay's first task: this process's limits, as strace's child had
 * them, and setarch -R's personality. */
static void test_init(struct mmt_twin_init *init)
{
	static char status[8192];

	memset(init, 0, sizeof(*init));
	mmt_twin_init_own(init, status, sizeof(status));
	init->personality = MMT_PER_ADDR_NO_RANDOMIZE;
	init->randomize_va_space = 2;
}

struct rcase {
	const char *name;
	const char *argv[8];	/* "@": the test directory; "$64": the
				 * shadow helper build/shadow-helper-64 */
	unsigned more;		/* MORE_IPC: %ipc too (shmget);
				 * MORE_LIMITS: prlimit64,setrlimit too */
	bool m32;		/* needs gcc -m32 */
	unsigned min_procs;
};

static const struct rcase rcases[] = {
	{ "sh", { "/bin/sh", "-c", "echo hi; x=$(echo a); echo $x" }, false, false, 2 },
	{ "bash", { "/bin/bash", "-c", "for i in 1 2; do /bin/true; done" }, false, false, 3 },
	{ "ls", { "/bin/ls", "-l", "/usr" }, false, false, 1 },
	{ "cat", { "/bin/cat", "/etc/hostname" }, false, false, 1 },
	{ "sort", { "/usr/bin/sort", "/etc/passwd" }, false, false, 1 },
	{ "python3", { "/usr/bin/python3", "-c", "import json; print(len(json.dumps(list(range(20000)))))" }, false, false, 1 },
	{ "perl", { "/usr/bin/perl", "-e", "my @a = (1) x 200000; print scalar(@a), qq(\\n)" }, false, false, 1 },
	{ "gcc", { "/usr/bin/gcc", "--version" }, false, false, 1 },
	{ "threads", { "@/prog", "threads" }, false, false, 1 },
	{ "pipeline", { "/bin/sh", "-c", "ls / | sort | wc -l" }, false, false, 4 },
	{ "mremap", { "@/prog", "mremap" }, false, false, 1 },
	{ "map-fixed", { "@/prog", "fixed" }, false, false, 1 },
	{ "sysv-shm", { "@/prog", "shm" }, MORE_IPC, false, 1 },
	{ "static", { "@/prog-static", "threads" }, false, false, 1 },
	{ "ld.so", { "/lib64/ld-linux-x86-64.so.2", "/bin/true" }, false, false, 1 },
	{ "i386", { "@/prog32", "mremap" }, false, true, 1 },
	{ "i386-threads", { "@/prog32", "threads" }, false, true, 1 },
	/* glibc's i386 shmctl goes through ipc(2), which strace prints as
	 * shmctl(id, IPC_64|IPC_RMID): replayed as that subcall */
	{ "i386-shm", { "@/prog32", "shm" }, MORE_IPC, true, 1 },
	{ "i386-fixed", { "@/prog32", "fixed" }, false, true, 1 },
	/* the rest of shadow's programs (tests/test_shadow.c) */
	{ "true", { "/bin/true" }, false, false, 1 },
	{ "cp", { "/bin/cp", "/etc/passwd", "@/cp-out" }, false, false, 1 },
	{ "head", { "/usr/bin/head", "-1", "/etc/passwd" }, false, false, 1 },
	{ "env", { "/usr/bin/env" }, false, false, 1 },
	{ "awk", { "/usr/bin/awk", "BEGIN{print 1}" }, false, false, 1 },
	{ "sed", { "/bin/sed", "-n", "1p", "/etc/passwd" }, false, false, 1 },
	{ "grep", { "/bin/grep", "root", "/etc/passwd" }, false, false, 1 },
	{ "find", { "/usr/bin/find", "/etc", "-maxdepth", "1", "-name", "passwd" }, false, false, 1 },
	{ "tar", { "/bin/tar", "cPf", "@/out.tar", "/etc/hostname" }, false, false, 1 },
	{ "gzip", { "/bin/gzip", "-c", "/etc/passwd" }, false, false, 1 },
	{ "sqlite3", { "/usr/bin/sqlite3", ":memory:", "select 1" }, false, false, 1 },
	{ "cc -c", { "/usr/bin/cc", "-c", "-x", "c", "/dev/null", "-o", "@/null.o" }, false, false, 3 },
	{ "shadow misc", { "$64", "misc" }, false, false, 1 },
	{ "shadow fork", { "$64", "fork" }, false, false, 2 },
	{ "shadow vfork", { "$64", "vfork" }, false, false, 2 },
	{ "threads exiting", { "$64", "threads-exit" }, false, false, 1 },
	{ "shadow static", { "$static", "misc" }, false, false, 1 },
	{ "shadow i386", { "$32", "misc" }, false, true, 1 },
	{ "exec 32-bit", { "$64", "exec", "$32" }, false, true, 1 },
	/* limits a program sets: in the log when the filter has them */
	{ "ulimit -s unlimited", { "/bin/bash", "-c", "ulimit -s unlimited; exec /bin/true" }, MORE_LIMITS, false, 1 },
	{ "prlimit --stack", { "/usr/bin/prlimit", "--stack=unlimited", "$32", "mremap" }, MORE_LIMITS, true, 1 },
};

static void run_case(const struct rcase *k, unsigned *procs, uint64_t *calls,
		     unsigned *grown)
{
	char log[128], *argv[8], bufs[8][256];
	struct capture cap = { 0 };
	struct mmt_twin_init init;
	struct mmt_replay *r;
	struct mmt_machine *m;
	char *eb = NULL;
	size_t el = 0;
	FILE *in, *errf;
	uint64_t sys, agr;
	unsigned i;
	int st;

	for (i = 0; k->argv[i]; i++) {
		const char *helper = getenv("MMTWIN_SHADOW_HELPER");

		if (k->argv[i][0] == '@')
			snprintf(bufs[i], sizeof(bufs[i]), "%s%s", rdir,
				 k->argv[i] + 1);
		else if (k->argv[i][0] == '$')	/* tests/shadow/helper.c */
			snprintf(bufs[i], sizeof(bufs[i]), "%s-%s",
				 helper ? helper : "build/shadow-helper",
				 k->argv[i] + 1);
		else
			snprintf(bufs[i], sizeof(bufs[i]), "%s", k->argv[i]);
		argv[i] = bufs[i];
	}
	argv[i] = NULL;
	if (access(argv[0], X_OK)) {
		printf("    SKIP replay %s: %s not available\n", k->name,
		       argv[0]);
		return;
	}
	snprintf(log, sizeof(log), "%s/%s.log", rdir, k->name);
	st = record(argv, log, k->more, &cap);
	if (st)
		test_fail(__FILE__, __LINE__, "%s: strace exited with %d",
			  k->name, st);
	m = test_machine(MMT_ARCH_X86_64, "4G");
	test_init(&init);
	r = m ? mmt_replay_new(m, &init, NULL) : NULL;
	in = fopen(log, "r");
	errf = open_memstream(&eb, &el);
	CHECK(r && in && errf);
	if (!r || !in || !errf)
		goto out;
	if (mmt_replay_file(r, in, log, errf)) {
		fflush(errf);
		test_fail(__FILE__, __LINE__, "%s: %s", k->name, eb);
		goto out;
	}
	mmt_replay_totals(r, &sys, &agr);
	if (sys != agr || !sys) {
		char *o = NULL;
		size_t ol = 0;
		FILE *of = open_memstream(&o, &ol);

		mmt_replay_print(r, of, MMT_FMT_TEXT, false);
		fclose(of);
		test_fail(__FILE__, __LINE__, "%s: %llu syscalls, %llu agreed:\n%s",
			  k->name, (unsigned long long)sys,
			  (unsigned long long)agr, o);
		free(o);
	}
	if (mmt_replay_nprocs(r) < k->min_procs)
		test_fail(__FILE__, __LINE__, "%s: %u processes, expected at "
			  "least %u", k->name, mmt_replay_nprocs(r),
			  k->min_procs);
	/* the main process was captured, and every capture matches */
	if (!cap.n || !mmt_replay_proc(r, 0) ||
	    !captured_already(&cap, mmt_replay_proc(r, 0)->pid))
		test_fail(__FILE__, __LINE__, "%s: the main process's final "
			  "maps were not captured", k->name);
	for (i = 0; i < cap.n; i++) {
		const struct mmt_replay_proc *p = mmt_replay_find(r, cap.c[i].pid);

		if (!p || !p->maps) {
			test_fail(__FILE__, __LINE__, "%s: pid %d ran but the "
				  "replay has no maps for it; its maps:\n%.600s",
				  k->name, cap.c[i].pid, cap.c[i].maps);
			continue;
		}
		char *a = mask_shmem_inodes(p->maps);
		char *b = mask_shmem_inodes(cap.c[i].maps);

		if (a && b && strcmp(a, b) && only_stack_grew(b, a)) {
			printf("    replay %s: pid %d's real [stack] grew by "
			       "faults, which no log records\n", k->name, p->pid);
			(*grown)++;
		} else if (!a || !b || strcmp(a, b)) {
			test_fail(__FILE__, __LINE__, "%s: pid %d (%s): final "
				  "maps differ\nmodel:\n%sreal:\n%s", k->name,
				  p->pid, p->comm, p->maps, cap.c[i].maps);
		}
		free(a);
		free(b);
	}
	{
		char merr[256];

		if (mmt_machine_check(m, merr, sizeof(merr)))
			test_fail(__FILE__, __LINE__, "%s: %s", k->name, merr);
	}
	printf("    replay %-13s %2u processes (%u captured), %4llu syscalls, "
	       "%4llu agreed\n", k->name, mmt_replay_nprocs(r), cap.n,
	       (unsigned long long)sys, (unsigned long long)agr);
	*procs += mmt_replay_nprocs(r);
	*calls += sys;
out:
	if (errf)
		fclose(errf);
	free(eb);
	if (in)
		fclose(in);
	mmt_replay_free(r);
	if (m)
		mmt_machine_free(m);
	for (i = 0; i < cap.n; i++)
		free(cap.c[i].maps);
	free(cap.c);
}

static bool have_strace(void)
{
	return !sh("strace -V >/dev/null 2>&1 && setarch -R true 2>/dev/null");
}

TEST(replay_live_programs)
{
	char why[256];
	unsigned procs = 0, n = 0, grown = 0;
	uint64_t calls = 0;

	if (live_kernel_check(why, sizeof(why))) {
		printf("    SKIP replay live tests: %s\n", why);
		return;
	}
	if (!have_strace()) {
		printf("    SKIP replay live tests: no strace or setarch\n");
		return;
	}
	if (!build()) {
		printf("    SKIP replay live tests: cannot build the test "
		       "programs with gcc\n");
		return;
	}
	for (unsigned i = 0; i < sizeof(rcases) / sizeof(rcases[0]); i++) {
		if (rcases[i].m32 && !have_m32) {
			printf("    SKIP replay %s: gcc -m32 cannot link "
			       "(install gcc-multilib)\n", rcases[i].name);
			continue;
		}
		run_case(&rcases[i], &procs, &calls, &grown);
		n++;
	}
	printf("    replay: %u programs, %u processes, %llu syscalls; %u "
	       "final maps differ only by stack growth\n", n, procs,
	       (unsigned long long)calls, grown);
}

/* --- broken logs --- */

#define EXEC_LINE "100   execve(\"/bin/true\", [\"true\"], [\"A=1\"]) = 0\n"

/* Replay @text (@len bytes) named "bad"; the error text, or NULL. */
static char *replay_text(const char *text, size_t len, int *rc,
			 uint64_t *diverged)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "4G");
	struct mmt_twin_init init;
	struct mmt_replay *r;
	char *eb = NULL;
	size_t el = 0;
	FILE *in = fmemopen((void *)text, len, "r");
	FILE *errf = open_memstream(&eb, &el);

	test_init(&init);
	r = m ? mmt_replay_new(m, &init, NULL) : NULL;
	if (!r || !in || !errf) {
		*rc = -2;
	} else {
		*rc = mmt_replay_file(r, in, "bad", errf);
		*diverged = mmt_replay_divergences_seen(r);
	}
	if (errf)
		fclose(errf);
	if (in)
		fclose(in);
	mmt_replay_free(r);
	if (m)
		mmt_machine_free(m);
	return eb;
}

static const struct {
	const char *name, *text, *msg;
} bad_logs[] = {
	{ "truncated-line", EXEC_LINE "100   mmap(NULL, 81\n", "bad:2: " },
	{ "no-newline", EXEC_LINE "100   brk(NULL) = 0x555555559000",
	  "bad:2: the last line has no newline" },
	{ "unknown-syscall", EXEC_LINE "100   frobnicate(1, 2) = 0\n",
	  "bad:2: unknown syscall 'frobnicate'" },
	/* strace's raw form of a call it cannot decode has six arguments */
	{ "syscall-number", EXEC_LINE "100   syscall_0x1ce(0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7) = -1 ENOSYS (Function not implemented)\n",
	  "bad:2: syscall: too many arguments" },
	{ "resumed-alone", EXEC_LINE "100   <... mmap resumed>) = 0x7ffff7fc0000\n",
	  "bad:2: '<... mmap resumed>' without its start" },
	{ "resumed-other", EXEC_LINE "100   munmap(0x1000, 4096 <unfinished ...>\n"
	  "100   <... mmap resumed>) = 0\n", "bad:3: '<... mmap resumed>', but" },
	{ "bad-number", EXEC_LINE "100   munmap(0xzz, 4096) = 0\n", "bad:2: " },
	{ "bad-number-overflow", EXEC_LINE "100   munmap(0x1000, 99999999999999999999999) = 0\n",
	  "bad:2: " },
	{ "no-result", EXEC_LINE "100   brk(NULL)\n", "bad:2: " },
	{ "pid-without-clone", EXEC_LINE "200   brk(NULL) = 0x1000\n",
	  "bad:2: pid 200 appears without a clone" },
	{ "unfinished-at-end", EXEC_LINE "100   wait4(-1,  <unfinished ...>\n",
	  "bad:2: the log ends while pid 100's 'wait4' is unfinished" },
	{ "two-unfinished", EXEC_LINE "100   wait4(-1,  <unfinished ...>\n"
	  "100   wait4(-1,  <unfinished ...>\n", "bad:3: pid 100: two unfinished" },
	{ "empty-log", "", "bad:1: empty log" },
	{ "empty-line", EXEC_LINE "\n", "bad:2: empty line" },
	{ "not-strace", EXEC_LINE "[garbage]\n", "bad:2: not an strace line" },
	{ "exit-garbage", EXEC_LINE "100   +++ exited with +++\n", "bad:2: malformed exit line" },
	{ "signal-garbage", EXEC_LINE "100   --- SIGCHLD\n", "bad:2: malformed signal line" },
	{ "env-not-logged", "100   execve(\"/bin/true\", [\"true\"], 0x7fffffffe3a8 /* 3 vars */) = 0\n",
	  "bad:1: execve: no environment in the log (record with -v)" },
	{ "env-cut", "100   execve(\"/bin/true\", [\"true\"], [\"A=1\", ...]) = 0\n",
	  "bad:1: execve: a string or the vector is cut short" },
};

/*
 * Two threads' mmaps overlap in the log: the main thread's call began
 * first and ended last (printed unfinished/resumed), the thread's call
 * came and went between.  The kernel ran the main thread's first (its
 * result is the higher address, top-down): the replay must find that
 * order, agree with both results and end with the same maps as the same
 * calls logged one after the other.  Results no order can give stay a
 * divergence.
 */
#define OVL_MAP1 \
	"100   mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7fc0000\n"
#define OVL_CLONE3 \
	"100   clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7ffff7dcb990, parent_tid=0x7ffff7dcb990, exit_signal=0, stack=0x7ffff75cb000, stack_size=0x7fff80, tls=0x7ffff7dcb6c0} => {parent_tid=[101]}, 88) = 101\n"
#define OVL_HEAD EXEC_LINE OVL_MAP1 OVL_CLONE3
#define OVL_A "mmap(NULL, 16384, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0"
#define OVL_B "mmap(NULL, 4096, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0"
/* the two calls one after the other, and the thread's inside the main's */
#define OVL_SERIAL \
	"100   " OVL_A ") = 0x7ffff7fbc000\n" \
	"101   " OVL_B ") = 0x7ffff7fbb000\n"
#define OVL_OVERLAPPED \
	"100   " OVL_A " <unfinished ...>\n" \
	"101   " OVL_B ") = 0x7ffff7fbb000\n" \
	"100   <... mmap resumed>) = 0x7ffff7fbc000\n"

static uint64_t replay_agreed(const char *text, uint64_t *calls, char **maps)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "4G");
	struct mmt_twin_init init;
	struct mmt_replay *r;
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	uint64_t agreed = 0;

	test_init(&init);
	r = mmt_replay_new(m, &init, NULL);
	*calls = 0;
	*maps = NULL;
	CHECK(r && in);
	if (r && in && !mmt_replay_file(r, in, "ovl", stdout)) {
		mmt_replay_totals(r, calls, &agreed);
		if (mmt_replay_proc(r, 0) && mmt_replay_proc(r, 0)->maps)
			*maps = strdup(mmt_replay_proc(r, 0)->maps);
	}
	if (in)
		fclose(in);
	mmt_replay_free(r);
	mmt_machine_free(m);
	return agreed;
}

TEST(replay_overlapping_calls_take_the_kernels_order)
{
	static const char serial[] = OVL_HEAD OVL_SERIAL;
	static const char overlapped[] = OVL_HEAD OVL_OVERLAPPED;
	/* both below the other: no order gives these */
	static const char impossible[] = OVL_HEAD
		"100   " OVL_A " <unfinished ...>\n"
		"101   " OVL_B ") = 0x7ffff7fbb000\n"
		"100   <... mmap resumed>) = 0x7ffff7fb7000\n";
	/* the thread's call ended before the main one began: log order only */
	static const char sequential[] = OVL_HEAD
		"101   " OVL_B ") = 0x7ffff7fbb000\n"
		"100   " OVL_A ") = 0x7ffff7fbc000\n";
	/* the thread exits while the main thread's call is still in flight:
	 * its exit stays behind its held call */
	static const char thread_exits[] = OVL_HEAD
		"100   " OVL_A " <unfinished ...>\n"
		"101   " OVL_B ") = 0x7ffff7fbb000\n"
		"101   exit(0)                           = ?\n"
		"101   +++ exited with 0 +++\n"
		"100   <... mmap resumed>) = 0x7ffff7fbc000\n";
	uint64_t n, ok;
	char *m1, *m2, *m3, *m4, *m5;

	ok = replay_agreed(serial, &n, &m1);
	CHECK(n == 5 && ok == 5);	/* execve, mmap, clone3, two mmaps */
	ok = replay_agreed(overlapped, &n, &m2);
	CHECK(n == 5 && ok == 5);
	CHECK(m1 && m2 && !strcmp(m1, m2));
	ok = replay_agreed(impossible, &n, &m3);
	CHECK(n == 5 && ok < 5);
	ok = replay_agreed(sequential, &n, &m4);
	CHECK(n == 5 && ok < 5);
	ok = replay_agreed(thread_exits, &n, &m5);
	CHECK(n == 6 && ok == 6);
	CHECK(m1 && m5 && !strcmp(m1, m5));
	free(m5);
	free(m1);
	free(m2);
	free(m3);
	free(m4);
}

/*
 * The same overlap in a process whose first mapping is MADV_DONTFORK: the
 * trials' copy must have it too (a fork's would not, and would place the
 * main thread's 16 KiB in its hole: no order would agree).
 */
#define OVL_HEAD_DONTFORK EXEC_LINE OVL_MAP1 \
	"100   madvise(0x7ffff7fc0000, 8192, MADV_DONTFORK) = 0\n" OVL_CLONE3

TEST(replay_overlap_trials_keep_dontfork_vmas)
{
	static const char serial[] = OVL_HEAD_DONTFORK OVL_SERIAL;
	static const char overlapped[] = OVL_HEAD_DONTFORK OVL_OVERLAPPED;
	uint64_t n, ok;
	char *m1, *m2;

	ok = replay_agreed(serial, &n, &m1);
	CHECK(n == 6 && ok == 6);
	ok = replay_agreed(overlapped, &n, &m2);
	CHECK(n == 6 && ok == 6);
	CHECK(m1 && m2 && !strcmp(m1, m2));
	free(m1);
	free(m2);
}

TEST(replay_malformed)
{
	int rc;
	uint64_t div = 0;
	char *e;

	for (unsigned i = 0; i < sizeof(bad_logs) / sizeof(bad_logs[0]); i++) {
		e = replay_text(bad_logs[i].text, strlen(bad_logs[i].text), &rc,
				&div);
		if (rc != -1 || !e || strncmp(e, bad_logs[i].msg,
					      strlen(bad_logs[i].msg)))
			test_fail(__FILE__, __LINE__, "%s: rc %d, message '%s', "
				  "expected '%s...'", bad_logs[i].name, rc,
				  e ? e : "(none)", bad_logs[i].msg);
		free(e);
	}
	/* a NUL inside a line */
	{
		static const char nul[] = EXEC_LINE "100   brk(N\0LL) = 0x1000\n";

		e = replay_text(nul, sizeof(nul) - 1, &rc, &div);
		CHECK(rc == -1 && e && strstr(e, "bad:2: NUL byte"));
		free(e);
	}
	/* a 2 MB line: refused with a message, no crash */
	{
		size_t n = 2u << 20, k = strlen(EXEC_LINE) + 12;
		char *big = malloc(k + n + 4);

		CHECK(big);
		if (big) {
			snprintf(big, k + 1, "%s100   mmap(", EXEC_LINE);
			k = strlen(big);
			memset(big + k, '7', n);
			memcpy(big + k + n, ")\n", 3);
			e = replay_text(big, k + n + 2, &rc, &div);
			CHECK(rc == -1 && e && !strncmp(e, "bad:2: ", 7));
			free(e);
			free(big);
		}
	}
	/* a well-formed log: a divergence is counted, not an error */
	{
		static const char ok[] = EXEC_LINE
			"100   brk(NULL)                         = 0x1234000\n"
			"100   exit_group(0)                     = ?\n";

		e = replay_text(ok, sizeof(ok) - 1, &rc, &div);
		CHECK_EQ(rc, 0);
		CHECK_EQ(div, 1);
		free(e);
	}
}

TEST(replay_cli)
{
	char path[] = "/tmp/mmtwin-replay-cli-XXXXXX", args[256], *out = NULL;
	int fd = mkstemp(path), st;
	static const char log[] = EXEC_LINE
		"100   brk(NULL)                         = 0x1234000\n"
		"100   exit_group(0)                     = ?\n";

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, log, sizeof(log) - 1) == (ssize_t)(sizeof(log) - 1));
	close(fd);
	/* a divergence: status 1, the call, the model's value, the counts */
	snprintf(args, sizeof(args), "replay --personality ADDR_NO_RANDOMIZE %s",
		 path);
	st = test_run_cli(args, &out);
	CHECK_EQ(st, 1);
	CHECK(out && strstr(out, "divergence at line 2, pid 100: brk(NULL)"));
	CHECK(out && strstr(out, "logged 0x1234000, model 0x"));
	CHECK(out && strstr(out, "process 100 (true), main: syscalls: 3, agreed: 2"));
	CHECK(out && strstr(out, "[stack]"));
	free(out);
	snprintf(args, sizeof(args), "replay --format json --no-maps "
		 "--personality ADDR_NO_RANDOMIZE %s", path);
	st = test_run_cli(args, &out);
	CHECK_EQ(st, 1);
	CHECK(out && strstr(out, "\"all_agreed\": false"));
	CHECK(out && strstr(out, "\"logged\": 19087360"));
	free(out);
	/* a malformed log: status 2 and LOG:LINE */
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && write(fd, EXEC_LINE "100   mmap(NULL\n", strlen(EXEC_LINE) + 16) > 0);
	if (fd >= 0)
		close(fd);
	snprintf(args, sizeof(args), "replay %s", path);
	st = test_run_cli(args, &out);
	CHECK_EQ(st, 2);
	snprintf(args, sizeof(args), "%s:2: ", path);
	CHECK(out && strstr(out, args));
	free(out);
	st = test_run_cli("replay /nonexistent/log", &out);
	CHECK_EQ(st, 2);
	free(out);
	st = test_run_cli("replay --rlimit-stack lots x", &out);
	CHECK_EQ(st, 2);
	free(out);
	unlink(path);
}

/*
 * What a terminal got from `mmtwin replay` of @lines munmap lines after
 * the execve (@text): the k-th progress line says k * 1024 lines, as
 * many syscalls (the execve and every munmap are mirrored), all agreed;
 * then the erase "\r\033[K"; then @tail (an error message, or "").
 */
static void check_replay_progress(const char *text, unsigned lines,
				  const char *tail)
{
	unsigned k = 0;
	const char *p = text;

	while (*p == '\r') {
		unsigned long long n, ok;
		unsigned l;
		const char *q = strchr(++p, '\r');
		int used = 0;

		if (!strncmp(p, "\033[K", 3)) {
			p += 3;
			break;
		}
		if (!q)
			q = p + strlen(p);
		k++;
		if (sscanf(p, "mmtwin replay: %u lines, %llu syscalls, %llu "
			   "agreed%n", &l, &n, &ok, &used) != 3 ||
		    p + used + 1 != q || p[used] != ' ' || l != k * 1024 ||
		    n != l || ok != n) {
			test_fail(__FILE__, __LINE__, "progress line %u: '%.*s'",
				  k, (int)(q - p), p);
			return;
		}
		p = q;
	}
	CHECK_EQ(k, (lines + 1) / 1024);
	CHECK(p > text && !strncmp(p - 4, "\r\033[K", 4));
	CHECK_STR(p, tail);
}

/*
 * The progress line: on a terminal, with the line asked for at every
 * check (MMTWIN_PROGRESS_AFTER=0, MMTWIN_PROGRESS_EVERY=0, the CLI's
 * testing seam), one every 1024 lines of a long valid log, erased at the
 * end, and erased before an error message too; on a pipe nothing; under
 * the CLI's own policy (after 2 s) a replay of a fraction of a second
 * shows nothing either.
 */
TEST(replay_progress_line)
{
	char path[] = "/tmp/mmtwin-replay-progress-XXXXXX", cmd[1024], want[256];
	const char *bin = getenv("MMTWIN_BIN");
	const unsigned lines = 30000;
	struct test_spawned r;
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	CHECK(f);
	if (!f)
		return;
	fputs(EXEC_LINE, f);
	for (unsigned i = 0; i < lines; i++)	/* a hole: 0 for both */
		fputs("100   munmap(0x200000000, 4096)        = 0\n", f);
	fputs("100   exit_group(0)                     = ?\n", f);
	CHECK(!fclose(f));
	snprintf(cmd, sizeof(cmd), "exec env MMTWIN_PROGRESS_AFTER=0 "
		 "MMTWIN_PROGRESS_EVERY=0 %s replay --no-maps --personality "
		 "ADDR_NO_RANDOMIZE %s >/dev/null", bin ? bin : "build/mmtwin",
		 path);
	CHECK_EQ(test_spawn(cmd, true, 120, &r), 0);
	CHECK_EQ(r.status, 0);
	if (r.err)
		check_replay_progress(r.err, lines, "");
	test_spawned_free(&r);
	CHECK_EQ(test_spawn(cmd, false, 120, &r), 0);
	CHECK_EQ(r.status, 0);
	CHECK(r.err && !r.err[0]);
	test_spawned_free(&r);
	/* the CLI's policy */
	snprintf(cmd, sizeof(cmd), "exec env -u MMTWIN_PROGRESS_AFTER -u "
		 "MMTWIN_PROGRESS_EVERY %s replay --no-maps --personality "
		 "ADDR_NO_RANDOMIZE %s >/dev/null", bin ? bin : "build/mmtwin",
		 path);
	CHECK_EQ(test_spawn(cmd, true, 120, &r), 0);
	CHECK_EQ(r.status, 0);
	CHECK(r.err && !r.err[0]);
	test_spawned_free(&r);
	/* a truncated last line: the line is erased, then the message */
	if (truncate(path, 0) == 0 && (f = fopen(path, "w"))) {
		fputs(EXEC_LINE, f);
		for (unsigned i = 0; i < lines; i++)
			fputs("100   munmap(0x200000000, 4096)        = 0\n", f);
		fputs("100   exit_group(0", f);
		fclose(f);
		snprintf(cmd, sizeof(cmd), "exec env MMTWIN_PROGRESS_AFTER=0 "
			 "MMTWIN_PROGRESS_EVERY=0 %s replay --personality "
			 "ADDR_NO_RANDOMIZE %s >/dev/null",
			 bin ? bin : "build/mmtwin", path);
		CHECK_EQ(test_spawn(cmd, true, 120, &r), 0);
		CHECK_EQ(r.status, 2);
		snprintf(want, sizeof(want), "%s:%u: the last line has no "
			 "newline (a truncated log?)\n", path, lines + 2);
		if (r.err)
			check_replay_progress(r.err, lines, want);
		test_spawned_free(&r);
	}
	unlink(path);
}
