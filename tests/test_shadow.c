// SPDX-License-Identifier: MIT
/*
 * mmtwin shadow against the live kernel: real programs of this machine and
 * the helper (tests/shadow/helper.c, built for x86_64, i386 and static)
 * run under the tracer, and every mirrored call of every process must
 * agree (the result, the maps of the range, the whole maps at exec, fork
 * and exit).  Then what must be reported (a call the model does not
 * mirror), what must survive (signals, a 32-bit exec, threads exiting,
 * vfork, a timeout, vm.max_map_count), and the mirror's API alone.
 */
#include "test.h"
#include "live/live.h"
#include "twin/twin.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *bin(void)
{
	const char *b = getenv("MMTWIN_BIN");

	return b ? b : "build/mmtwin";
}

static char helper[3][256];	/* 64, 32, static */

static bool shadow_ok(void)
{
	const char *h = getenv("MMTWIN_SHADOW_HELPER");
	char why[256];

	if (live_kernel_check(why, sizeof(why))) {
		printf("    SKIP shadow tests: %s\n", why);
		return false;
	}
	snprintf(helper[0], sizeof(helper[0]), "%s-64", h ? h : "build/shadow-helper");
	snprintf(helper[1], sizeof(helper[1]), "%s-32", h ? h : "build/shadow-helper");
	snprintf(helper[2], sizeof(helper[2]), "%s-static", h ? h : "build/shadow-helper");
	if (access(helper[0], X_OK)) {
		printf("    SKIP shadow tests: no %s (make builds it)\n", helper[0]);
		return false;
	}
	return true;
}

/* A number after "key": in the JSON summary (the last object). */
static long long jnum(const char *json, const char *key)
{
	char k[64];
	const char *p, *last = NULL;

	snprintf(k, sizeof(k), "\"%s\": ", key);
	for (p = json; (p = strstr(p, k)); p++)
		last = p;
	if (!last)
		return -1;
	if (!strncmp(last + strlen(k), "true", 4))
		return 1;
	if (!strncmp(last + strlen(k), "false", 5))
		return 0;
	return strtoll(last + strlen(k), NULL, 10);
}

struct run {
	int status;		/* mmtwin's exit status */
	char *report;		/* -o FILE */
	char *out;		/* the program's stdout */
};

/* mmtwin shadow OPTS --format json -o FILE -- CMD (a shell word list). */
static void run_shadow(struct run *r, const char *opts, const char *cmd)
{
	char line[4096], rep[] = "/tmp/mmtwin-shadow-XXXXXX";
	int fd = mkstemp(rep), st;
	FILE *p;

	memset(r, 0, sizeof(*r));
	if (fd < 0) {
		r->status = -1;
		return;
	}
	close(fd);
	snprintf(line, sizeof(line), "%s shadow %s --format json -o %s -- %s "
		 "2>/dev/null </dev/null", bin(), opts, rep, cmd);
	p = popen(line, "r");
	if (!p) {
		r->status = -1;
		unlink(rep);
		return;
	}
	r->out = test_slurp(p);
	st = pclose(p);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r->report = test_read_file(rep);
	unlink(rep);
}

static void run_free(struct run *r)
{
	free(r->report);
	free(r->out);
}

/* Where the first word of @cmd is on this machine (or NULL). */
static bool installed(const char *cmd)
{
	char word[256], line[512];
	size_t n = strcspn(cmd, " ");

	if (n >= sizeof(word))
		return false;
	memcpy(word, cmd, n);
	word[n] = 0;
	if (strchr(word, '/'))
		return access(word, X_OK) == 0;
	snprintf(line, sizeof(line), "command -v %s >/dev/null 2>&1", word);
	return system(line) == 0;
}

struct prog {
	const char *what;
	const char *cmd;	/* "@64" "@32" "@static": the helper */
};

static const struct prog progs[] = {
	{ "true", "/bin/true" },
	{ "ls", "ls -l /" },
	{ "cat", "cat /etc/passwd" },
	{ "sort", "sort /etc/passwd" },
	{ "cp", "cp /etc/passwd /tmp/mmtwin-shadow-cp" },
	{ "head", "head -1 /etc/passwd" },
	{ "env", "env" },
	{ "sh -c", "sh -c true" },
	{ "bash -c", "bash -c 'echo hi; x=$(date); echo $x'" },
	{ "pipeline", "sh -c 'ls / | wc -l'" },
	{ "python3", "python3 -c 'import json; print(json.dumps([1]))'" },
	{ "perl", "perl -e 'print 1'" },
	{ "gcc --version", "gcc --version" },
	{ "cc -c", "cc -c -x c /dev/null -o /tmp/mmtwin-shadow.o" },
	{ "sqlite3", "sqlite3 :memory: 'select 1'" },
	{ "awk", "awk 'BEGIN{print 1}'" },
	{ "sed", "sed -n 1p /etc/passwd" },
	{ "grep", "grep root /etc/passwd" },
	{ "find", "find /etc -maxdepth 1 -name passwd" },
	{ "tar", "tar cf /tmp/mmtwin-shadow.tar /etc/hostname" },
	{ "gzip", "gzip -c /etc/passwd" },
	{ "ld.so direct", "/lib64/ld-linux-x86-64.so.2 /bin/true" },
	{ "threads", "@64 threads" },
	{ "threads exiting", "@64 threads-exit" },
	{ "mremap", "@64 mremap" },
	{ "MAP_FIXED", "@64 fixed" },
	{ "SysV shm", "@64 shm" },
	{ "misc", "@64 misc" },
	{ "fork", "@64 fork" },
	{ "vfork", "@64 vfork" },
	{ "static", "@static misc" },
	{ "static threads", "@static threads" },
	{ "i386", "@32 misc" },
	{ "i386 threads", "@32 threads" },
	{ "i386 shm", "@32 shm" },
	{ "i386 mremap", "@32 mremap" },
	{ "exec 32-bit", "@64 exec @32" },
};

/* @cmd with the helper's paths; false: that helper is missing. */
static bool expand(const char *cmd, char *buf, size_t len)
{
	size_t o = 0;

	for (const char *c = cmd; *c && o + 260 < len;) {
		int k = !strncmp(c, "@64", 3) ? 0 : !strncmp(c, "@32", 3) ? 1
			: !strncmp(c, "@static", 7) ? 2 : -1;

		if (k < 0) {
			buf[o++] = *c++;
			continue;
		}
		if (access(helper[k], X_OK))
			return false;
		o += (size_t)snprintf(buf + o, len - o, "%s", helper[k]);
		c += k == 2 ? 7 : 3;
	}
	buf[o] = 0;
	return true;
}

TEST(shadow_live_programs)
{
	unsigned programs = 0, skipped = 0;
	long long processes = 0, syscalls = 0;

	if (!shadow_ok())
		return;
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		char cmd[1024];
		struct run r;
		long long n, ok, div, done;

		if (!expand(progs[i].cmd, cmd, sizeof(cmd)) || !installed(cmd)) {
			printf("    SKIP %s: not on this machine (%s)\n",
			       progs[i].what, progs[i].cmd);
			skipped++;
			continue;
		}
		run_shadow(&r, "", cmd);
		n = r.report ? jnum(r.report, "syscalls") : -1;
		ok = r.report ? jnum(r.report, "agreed") : -1;
		div = r.report ? jnum(r.report, "divergences") : -1;
		done = r.report ? jnum(r.report, "complete") : -1;
		if (r.status != 0 || n <= 0 || n != ok || div != 0 || done != 1)
			test_fail(__FILE__, __LINE__, "%s: status %d, syscalls "
				  "%lld, agreed %lld, divergences %lld:\n%.3000s",
				  progs[i].what, r.status, n, ok, div,
				  r.report ? r.report : "(no report)");
		else {
			programs++;
			processes += jnum(r.report, "processes_total");
			syscalls += n;
		}
		run_free(&r);
	}
	printf("    shadow: %u programs, %lld processes, %lld syscalls, all "
	       "agreed (%u skipped)\n", programs, processes, syscalls, skipped);
	CHECK(programs >= 25);
}

/* --aslr: the randomised image is taken over after each exec (a resync)
 * and the mmap area's base learned from it; what follows must agree. */
TEST(shadow_live_aslr)
{
	static const char *const cmds[] = {
		"ls /", "sh -c 'ls / | wc -l'", "@static misc", "@64 threads",
	};

	if (!shadow_ok())
		return;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char cmd[1024];
		struct run r;

		if (!expand(cmds[i], cmd, sizeof(cmd)) || !installed(cmd))
			continue;
		run_shadow(&r, "--aslr", cmd);
		if (r.status != 0 || !r.report ||
		    jnum(r.report, "syscalls") != jnum(r.report, "agreed"))
			test_fail(__FILE__, __LINE__, "--aslr %s: status %d:\n"
				  "%.2000s", cmds[i], r.status,
				  r.report ? r.report : "(no report)");
		run_free(&r);
	}
}

/* A call the model does not mirror must come out as a divergence, with the
 * call, the diff and the trace; --keep-going resyncs and goes on. */
TEST(shadow_live_reports_divergence)
{
	char cmd[512];
	struct run r;

	if (!shadow_ok())
		return;
	snprintf(cmd, sizeof(cmd), "%s unmirrored", helper[0]);
	run_shadow(&r, "", cmd);
	CHECK_EQ(r.status, 1);
	CHECK(r.report && strstr(r.report, "\"divergence\": \"maps\""));
	CHECK(r.report && strstr(r.report, "mprotect("));
	CHECK(r.report && strstr(r.report, "--- kernel\\n+++ model"));
	CHECK(r.report && strstr(r.report, "/memfd:shadow (deleted)"));
	CHECK(r.report && strstr(r.report, "\"trace\": \"trace: mm:"));
	CHECK(r.report && jnum(r.report, "complete") == 0);
	CHECK(r.report && jnum(r.report, "exit_code") == 0);
	run_free(&r);
	run_shadow(&r, "--keep-going", cmd);
	CHECK_EQ(r.status, 1);
	CHECK(r.report && jnum(r.report, "complete") == 1);
	CHECK(r.report && jnum(r.report, "resyncs") == 1);
	CHECK(r.report && jnum(r.report, "divergences") == 1);
	/* after the resync the munmap and the exit still agree */
	CHECK(r.report && jnum(r.report, "syscalls") ==
			  jnum(r.report, "agreed") + 1);
	run_free(&r);
}

TEST(shadow_live_survives)
{
	char cmd[512];
	struct run r;
	long long pid;

	if (!shadow_ok())
		return;
	/* a handled signal passes through; the exit status is the program's */
	snprintf(cmd, sizeof(cmd), "%s signal", helper[0]);
	run_shadow(&r, "", cmd);
	CHECK_EQ(r.status, 0);
	CHECK(r.out && strstr(r.out, "signal 10 handled"));
	CHECK(r.report && jnum(r.report, "exit_code") == 7);
	run_free(&r);
	/* killed by a signal */
	snprintf(cmd, sizeof(cmd), "%s kill", helper[0]);
	run_shadow(&r, "", cmd);
	CHECK_EQ(r.status, 0);
	CHECK(r.report && jnum(r.report, "exit_code") == 128 + SIGTERM);
	run_free(&r);
	/* SIGKILL while a thread's mmap waits for the others to park: each
	 * child dies, nothing hangs (before stopper_gone: 9 of 10 runs hung
	 * until the timeout) */
	snprintf(cmd, sizeof(cmd), "%s killmap", helper[0]);
	run_shadow(&r, "--timeout 60", cmd);
	CHECK_EQ(r.status, 0);
	CHECK(r.out && strstr(r.out, "30 of 30 children killed"));
	CHECK(r.report && jnum(r.report, "timed_out") == 0 &&
	      jnum(r.report, "syscalls") == jnum(r.report, "agreed"));
	run_free(&r);
	/* vm.max_map_count: map until ENOMEM, every call agreeing */
	snprintf(cmd, sizeof(cmd), "%s maxmap", helper[0]);
	run_shadow(&r, "", cmd);
	CHECK_EQ(r.status, 0);
	CHECK(r.out && strstr(r.out, "mappings until ENOMEM"));
	CHECK(r.report && jnum(r.report, "syscalls") > 60000 &&
	      jnum(r.report, "syscalls") == jnum(r.report, "agreed"));
	run_free(&r);
	/* never exits: killed at the timeout, nothing left behind */
	snprintf(cmd, sizeof(cmd), "%s hang", helper[0]);
	run_shadow(&r, "--timeout 0.5", cmd);
	CHECK_EQ(r.status, 3);
	CHECK(r.report && jnum(r.report, "timed_out") == 1);
	CHECK(r.report && jnum(r.report, "exit_code") == 128 + SIGKILL);
	pid = r.report ? jnum(r.report, "pid") : -1;
	CHECK(pid > 0 && kill((pid_t)pid, 0) == -1 && errno == ESRCH);
	run_free(&r);
}

/* A temporary file's name in @buf (the file exists, empty); false: none. */
static bool temp_file(char *buf, size_t len)
{
	int fd;

	snprintf(buf, len, "/tmp/mmtwin-shadow-XXXXXX");
	fd = mkstemp(buf);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * What a terminal got from `mmtwin shadow` (@text): nothing but progress
 * lines, each "\rmmtwin shadow: N syscalls mirrored, M agreed, P
 * processes ", N rising, every call agreed, one process, then the erase
 * "\r\033[K" at the very end.  The number of lines; the last N in @last.
 */
static unsigned shadow_progress_lines(const char *text, long long *last)
{
	unsigned lines = 0;
	const char *p = text;

	*last = 0;
	while (*p) {
		unsigned long long n, ok;
		unsigned procs;
		const char *q;
		int used = 0;

		if (*p++ != '\r') {
			test_fail(__FILE__, __LINE__, "progress: text outside a "
				  "line: '%.60s'", p - 1);
			return lines;
		}
		q = strchr(p, '\r');
		if (!q)
			q = p + strlen(p);
		if (!strcmp(p, "\033[K"))
			return lines;	/* the erase, last */
		if (sscanf(p, "mmtwin shadow: %llu syscalls mirrored, %llu agreed,"
			   " %u processes%n", &n, &ok, &procs, &used) != 3 ||
		    p + used + 1 != q || p[used] != ' ' ||
		    (long long)n <= *last || ok != n ||
		    procs != 1) {
			test_fail(__FILE__, __LINE__, "progress: line %u after "
				  "%lld: '%.*s'", lines + 1, *last, (int)(q - p),
				  p);
			return lines;
		}
		*last = (long long)n;
		lines++;
		p = q;
	}
	test_fail(__FILE__, __LINE__, "progress: not erased at the end");
	return lines;
}

/*
 * The progress line: on a terminal, with the line asked for at every
 * check (MMTWIN_PROGRESS_AFTER=0, MMTWIN_PROGRESS_EVERY=0, the CLI's
 * testing seam), the helper's 65,000 mmaps show one every 1024 stops
 * (~512 calls), the counts rising to the summary's, and the line is
 * erased at the end; on a pipe, nothing; under the CLI's own policy
 * (after 2 s) a short run shows nothing either.
 */
TEST(shadow_progress_line)
{
	char rep[64], cmd[2048], *json;
	struct test_spawned r;
	long long last = 0, total;
	unsigned lines;

	if (!shadow_ok() || !temp_file(rep, sizeof(rep)))
		return;
	snprintf(cmd, sizeof(cmd), "exec env MMTWIN_PROGRESS_AFTER=0 "
		 "MMTWIN_PROGRESS_EVERY=0 %s shadow --format json -o %s -- %s "
		 "maxmap >/dev/null", bin(), rep, helper[0]);
	CHECK_EQ(test_spawn(cmd, true, 300, &r), 0);
	CHECK_EQ(r.status, 0);
	json = test_read_file(rep);
	total = json ? jnum(json, "syscalls") : -1;
	lines = r.err ? shadow_progress_lines(r.err, &last) : 0;
	CHECK(total > 60000 && lines > 50);
	CHECK(last <= total && last > total - 1024);
	free(json);
	test_spawned_free(&r);
	/* stderr a pipe: no line, nothing at all */
	CHECK_EQ(test_spawn(cmd, false, 300, &r), 0);
	CHECK_EQ(r.status, 0);
	CHECK(r.err && !r.err[0]);
	test_spawned_free(&r);
	/* the CLI's policy: /bin/true is over long before 2 s */
	snprintf(cmd, sizeof(cmd), "exec env -u MMTWIN_PROGRESS_AFTER -u "
		 "MMTWIN_PROGRESS_EVERY %s shadow --format json -o %s -- "
		 "/bin/true", bin(), rep);
	CHECK_EQ(test_spawn(cmd, true, 60, &r), 0);
	CHECK_EQ(r.status, 0);
	CHECK(r.err && !r.err[0]);
	test_spawned_free(&r);
	unlink(rep);
}

/*
 * The tracer's own error, injected (MMTWIN_SHADOW_FAIL_AT=N: the resume
 * out of its Nth stop fails, whenever it comes), at every stop of the
 * small programs and every few of the larger: whatever its threads are
 * doing then (in a syscall, held at an entry waiting their turn, parked
 * while another thread's call runs, a new child held for its parent's
 * event, a vfork parent, a signal on its way, a group-stop), mmtwin
 * detaches from all of them and the program finishes untraced: its
 * output complete, its exit status its own, nothing of it left stopped,
 * traced or orphaned; mmtwin exits with 3 and the summary names the
 * error.  A thread killed before its resume (exit_group) takes the
 * failure with it: then the run is a normal one.
 */
static const struct {
	const char *what, *cmd;
	const char *out;	/* the program's whole stdout; NULL: the
				 * command's own, run untraced */
	int exit_code;
	unsigned step;		/* N = 1, 1 + step, ... */
} fail_cases[] = {
	{ "signal", "@64 signal", "signal 10 handled\n", 7, 1 },
	{ "group-stop", "@64 stopcont",
	  "stopcont: the child stopped, was continued and exited\n", 0, 1 },
	{ "fork", "@64 fork", "", 0, 3 },
	{ "vfork", "@64 vfork", "", 0, 3 },
	{ "pipeline", "sh -c 'ls / | wc -l'", NULL, 0, 19 },
	{ "threads", "@64 threads", "threads: 4 done\n", 0, 37 },
	{ "threads exiting", "@64 threads-exit", "", 0, 23 },
};

/* One run of case @c failing at stop @n; false: it fired no failure. */
static bool fail_run(unsigned c, const char *cmd, const char *want,
		     unsigned n, bool *hung)
{
	char rep[64], out[64], line[2048], why[64], *json, *got;
	struct test_spawned r;
	bool fired = false;

	if (!temp_file(rep, sizeof(rep)) || !temp_file(out, sizeof(out)))
		return false;
	snprintf(line, sizeof(line), "exec env MMTWIN_SHADOW_FAIL_AT=%u %s "
		 "shadow --format json -o %s -- %s >%s", n, bin(), rep, cmd,
		 out);
	CHECK_EQ(test_spawn(line, false, 30, &r), 0);
	json = test_read_file(rep);
	got = test_read_file(out);
	snprintf(why, sizeof(why), "injected failure at stop %u\"", n);
	if (json && strstr(json, "\"error\": \"ptrace on "))
		fired = true;
	*hung = r.timed_out;
	if (r.timed_out || r.leftovers || !json || !got ||
	    strcmp(got, want) ||
	    jnum(json, "exit_code") != fail_cases[c].exit_code ||
	    (fired && (r.status != 3 || !strstr(json, why) ||
		       jnum(json, "complete") != 0)) ||
	    (!fired && (r.status != 0 || jnum(json, "complete") != 1)))
		test_fail(__FILE__, __LINE__, "%s, failing at stop %u: status "
			  "%d%s, stdout '%.80s', %u left (%s); summary:\n%.600s",
			  fail_cases[c].what, n, r.status,
			  r.timed_out ? " (hung: killed)" : "", got ? got : "",
			  r.leftovers, r.left, json ? json : "(none)");
	free(json);
	free(got);
	test_spawned_free(&r);
	unlink(rep);
	unlink(out);
	return fired;
}

TEST(shadow_tracer_error_detaches)
{
	if (!shadow_ok())
		return;
	for (unsigned c = 0; c < sizeof(fail_cases) / sizeof(fail_cases[0]); c++) {
		char cmd[1024], *want = NULL;
		unsigned runs = 0, fired = 0;
		long long stops;
		bool hung = false;
		struct run r;

		if (!expand(fail_cases[c].cmd, cmd, sizeof(cmd)) ||
		    !installed(cmd)) {
			printf("    SKIP %s: not on this machine\n",
			       fail_cases[c].what);
			continue;
		}
		if (!fail_cases[c].out) {
			FILE *p = popen(cmd, "r");

			want = p ? test_slurp(p) : NULL;
			if (p)
				pclose(p);
		}
		/* the stops of a whole run (syscall stops: a few fewer) */
		run_shadow(&r, "", cmd);
		stops = r.report ? jnum(r.report, "syscall_stops") : -1;
		CHECK(r.status == 0 && stops > 10);
		run_free(&r);
		for (unsigned n = 1; n <= stops && !hung;
		     n += fail_cases[c].step) {
			runs++;
			fired += fail_run(c, cmd, want ? want : fail_cases[c].out,
					  n, &hung);
		}
		printf("    %s: failing at %u stops (%u fired)\n",
		       fail_cases[c].what, runs, fired);
		CHECK(fired >= runs * 3 / 4);
		free(want);
	}
}

/* setrlimit/prlimit64 are mirrored: an unlimited stack before an exec is
 * the legacy (bottom-up) layout, for 64- and 32-bit programs; a hard
 * limit raised without CAP_SYS_RESOURCE is -EPERM in both. */
TEST(shadow_live_rlimits)
{
	static const char *const cmds[] = {
		"bash -c 'ulimit -s unlimited; exec /bin/true'",
		"bash -c 'ulimit -s unlimited; exec @32 misc'",
		"prlimit --stack=unlimited /bin/true",
		"bash -c 'ulimit -s 300; exec @64 misc'",
		/* without CAP_SYS_RESOURCE (for mmtwin and the program) */
		"! bash -c 'ulimit -s 100; ulimit -Hs 200; exec /bin/true'",
	};

	if (!shadow_ok())
		return;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char cmd[1024], line[1400], rep[] = "/tmp/mmtwin-rlim-XXXXXX";
		bool drop = cmds[i][0] == '!';
		const char *c = cmds[i] + (drop ? 2 : 0);
		char *report;
		int fd, st;

		if (!expand(c, cmd, sizeof(cmd)) || !installed(cmd) ||
		    (drop && !installed("setpriv"))) {
			printf("    SKIP %s\n", c);
			continue;
		}
		fd = mkstemp(rep);
		if (fd < 0)
			continue;
		close(fd);
		snprintf(line, sizeof(line), "%s%s shadow --format json -o %s -- "
			 "%s >/dev/null 2>&1 </dev/null", drop ?
			 "setpriv --bounding-set=-sys_resource " : "", bin(),
			 rep, cmd);
		st = system(line);
		report = test_read_file(rep);
		if (!WIFEXITED(st) || WEXITSTATUS(st) || !report ||
		    jnum(report, "syscalls") <= 0 ||
		    jnum(report, "syscalls") != jnum(report, "agreed"))
			test_fail(__FILE__, __LINE__, "%s: status %d:\n%.2000s",
				  c, st, report ? report : "(no report)");
		free(report);
		unlink(rep);
	}
}

/* The number of VMA boxes in process @pid's section of the page. */
static unsigned vma_boxes(const char *html, long long pid)
{
	char h[64];
	const char *p, *end;
	unsigned n = 0;

	snprintf(h, sizeof(h), "<h2>process %lld<", pid);
	p = strstr(html, h);
	if (!p)
		return 0;
	end = strstr(p + 1, "<h2>");
	for (p = strstr(p, "class=\"vma\""); p && (!end || p < end);
	     p = strstr(p + 1, "class=\"vma\""))
		n++;
	return n;
}

/* --report: the page draws every VMA of the real maps at the exit (the
 * helper prints its own), the timeline has every mirrored call, and it
 * loads in headless Chromium with every VMA in its DOM. */
TEST(shadow_live_report)
{
	char opts[256], cmd[1024], id[64], page[] = "/tmp/mmtwin-shadow-XXXXXX";
	const char *chrome = test_chromium();
	unsigned lines = 0, found = 0;
	char *html, *dom = NULL;
	long long pid, n;
	struct run r;
	int fd;

	if (!shadow_ok())
		return;
	fd = mkstemp(page);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	snprintf(opts, sizeof(opts), "--report %s", page);
	snprintf(cmd, sizeof(cmd), "%s dump misc", helper[0]);
	run_shadow(&r, opts, cmd);
	CHECK_EQ(r.status, 0);
	html = test_read_file(page);
	CHECK(html && strstr(html, "<!DOCTYPE html>") &&
	      !strstr(html, "<script"));
	pid = r.report ? jnum(r.report, "pid") : -1;
	n = r.report ? jnum(r.report, "syscalls") : -1;
	snprintf(id, sizeof(id), "%lld system calls, %lld agreed", n, n);
	CHECK(html && n > 10 && strstr(html, id));
	CHECK(html && strstr(html, "exit_group(0) = ?"));
	if (chrome && html) {
		snprintf(cmd, sizeof(cmd), "%s --headless --no-sandbox "
			 "--disable-gpu --dump-dom file://%s 2>/dev/null",
			 chrome, page);
		FILE *p = popen(cmd, "r");

		dom = p ? test_slurp(p) : NULL;
		if (p)
			pclose(p);
		CHECK(dom && strstr(dom, id));
	} else if (!chrome) {
		printf("    SKIP headless check: no chromium\n");
	}
	/* every line of the real final maps is a box, and nothing else */
	for (const char *l = r.out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : "") {
		unsigned long long a, b;

		if (sscanf(l, "%llx-%llx ", &a, &b) != 2)
			continue;
		lines++;
		snprintf(id, sizeof(id), "id=\"vma-%lld-%llx\"", pid, a);
		if (html && strstr(html, id) && (!chrome || (dom && strstr(dom, id))))
			found++;
		else
			test_fail(__FILE__, __LINE__, "report: no box for %.60s", l);
	}
	CHECK(lines > 10 && found == lines);
	CHECK_EQ(html ? vma_boxes(html, pid) : 0, lines);
	free(dom);
	free(html);
	run_free(&r);
	unlink(page);
	/* a forking pipeline: a section per process, each with its VMAs */
	snprintf(cmd, sizeof(cmd), "sh -c 'ls / | wc -l'");
	run_shadow(&r, opts, cmd);
	CHECK_EQ(r.status, 0);
	html = test_read_file(page);
	CHECK(r.report && jnum(r.report, "processes_total") == 3);
	for (unsigned k = 0; html && r.report && k < 3; k++) {
		const char *p = r.report;
		long long kp = -1;

		for (unsigned j = 0; j <= k && p; j++)
			if ((p = strstr(p, "\"pid\": ")))
				kp = strtoll(p += 7, NULL, 10);
		CHECK(kp > 0 && vma_boxes(html, kp) >= 20);
	}
	free(html);
	run_free(&r);
	unlink(page);
}

TEST(shadow_usage)
{
	struct run r;

	run_shadow(&r, "", "");
	CHECK_EQ(r.status, 2);
	run_free(&r);
	run_shadow(&r, "--timeout -1", "/bin/true");
	CHECK_EQ(r.status, 2);
	run_free(&r);
	run_shadow(&r, "--arch x86_32", "/bin/true");
	CHECK_EQ(r.status, 2);
	run_free(&r);
	/* --trace: every mirrored call with the model's reasoning */
	{
		char line[512];
		FILE *p;
		char *out;

		snprintf(line, sizeof(line), "%s shadow --trace -- /bin/true "
			 "2>&1 >/dev/null", bin());
		p = popen(line, "r");
		out = p ? test_slurp(p) : NULL;
		if (p)
			pclose(p);
		CHECK(out && strstr(out, "execve(\"/bin/true\"") &&
		      strstr(out, "trace: mm: pid ") &&
		      strstr(out, "vm_unmapped_area("));
		free(out);
	}
	/* a program that does not exist: its execve fails in both */
	run_shadow(&r, "", "/nonexistent/mmtwin-shadow");
	CHECK_EQ(r.status, 0);
	CHECK(r.report && jnum(r.report, "exit_code") == 127);
	/* the failed execve (the model's too) and exit_group */
	CHECK(r.report && jnum(r.report, "syscalls") == 2 &&
	      jnum(r.report, "agreed") == 2);
	run_free(&r);
}

/* The mirror's API without ptrace (what replay feeds it): an exec, an
 * mmap whose result the model must predict, a wrong result, a thread, a
 * fork, exit_group. */
TEST(twin_mirror_events)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "4G");
	struct mmt_twin *tw = mmt_twin_new(m, NULL);
	char *const argv[] = { "true", NULL }, *const envp[] = { "A=1", NULL };
	struct mmt_twin_event ev = { .pid = 100, .tid = 100,
				     .abi = MMT_ABI_X86_64 };
	struct mmt_twin_result res;
	struct mmt_twin_proc *p;
	char err[256], *maps;
	int64_t addr;

	CHECK(tw != NULL);
	if (!tw) {
		mmt_machine_free(m);
		return;
	}
	CHECK_EQ(mmt_twin_spawn(tw, 100, MMT_TASK_X86_64), 0);
	CHECK_EQ(mmt_twin_spawn(tw, 100, MMT_TASK_X86_64), (uint64_t)-EEXIST);
	ev.nr = 59;	/* execve */
	ev.path = "/bin/true";
	ev.argv = argv;
	ev.envp = envp;
	ev.ret = 0;
	CHECK_EQ(mmt_twin_apply(tw, &ev, &res), 0);
	CHECK(res.mirrored && res.agreed && res.whole);
	maps = mmt_twin_maps(tw, 100);
	CHECK(maps && strstr(maps, "[stack]"));
	free(maps);
	/* mmap(NULL, 8192, RW, PRIVATE|ANON): the model's own answer */
	memset(&ev, 0, sizeof(ev));
	ev.pid = ev.tid = 100;
	ev.abi = MMT_ABI_X86_64;
	ev.nr = 9;
	ev.args[1] = 8192;
	ev.args[2] = 3;
	ev.args[3] = 0x22;
	ev.args[4] = (uint64_t)-1;
	ev.ret = 0x1000;	/* not what the kernel would say */
	CHECK_EQ(mmt_twin_apply(tw, &ev, &res), 0);
	CHECK(res.mirrored && !res.agreed);
	addr = res.ret;
	/* the range covers the model's placement and the kernel's */
	CHECK(addr > 0x7ff000000000LL && res.lo == 0x1000 &&
	      res.hi == (uint64_t)addr + 8192);
	/* munmap of it, with the right answer */
	ev.nr = 11;
	ev.args[0] = (uint64_t)addr;
	ev.args[1] = 8192;
	ev.ret = 0;
	CHECK_EQ(mmt_twin_apply(tw, &ev, &res), 0);
	CHECK(res.mirrored && res.agreed);
	/* a non-memory call is not mirrored */
	ev.nr = 61;	/* wait4 */
	CHECK_EQ(mmt_twin_apply(tw, &ev, &res), 0);
	CHECK(!res.mirrored);
	/* an unknown thread */
	ev.tid = 999;
	ev.nr = 11;
	CHECK_EQ(mmt_twin_apply(tw, &ev, &res), (uint64_t)-ESRCH);
	/* a thread (CLONE_VM|CLONE_THREAD) and a fork child */
	ev.tid = 100;
	ev.nr = 56;
	ev.clone_flags = 0x00010100;
	ev.ret = 101;
	CHECK_EQ(mmt_twin_apply(tw, &ev, &res), 0);
	CHECK(res.agreed && mmt_twin_task(tw, 101) &&
	      mmt_twin_task(tw, 101)->mm == mmt_twin_task(tw, 100)->mm);
	ev.clone_flags = 17;
	ev.ret = 200;
	CHECK_EQ(mmt_twin_apply(tw, &ev, &res), 0);
	CHECK(res.agreed && res.whole && mmt_twin_task(tw, 200) &&
	      mmt_twin_task(tw, 200)->mm != mmt_twin_task(tw, 100)->mm);
	CHECK(mmt_twin_proc_of(tw, 101) == mmt_twin_proc_of(tw, 100));
	CHECK(mmt_twin_proc_of(tw, 200) != mmt_twin_proc_of(tw, 100));
	CHECK(mmt_machine_check(m, err, sizeof(err)) == 0);
	/* exit_group of the first process: both of its threads */
	ev.nr = 231;
	ev.ret = 0;
	CHECK_EQ(mmt_twin_apply(tw, &ev, &res), 0);
	CHECK(!mmt_twin_task(tw, 100) && !mmt_twin_task(tw, 101));
	p = mmt_twin_proc_of(tw, 100);
	CHECK(p && p->exited && p->syscalls == 6 && p->agreed == 5);
	CHECK(mmt_twin_task(tw, 200) != NULL);
	mmt_twin_task_gone(tw, 200);
	CHECK(mmt_twin_task(tw, 200) == NULL);
	CHECK(mmt_machine_check(m, err, sizeof(err)) == 0);
	mmt_twin_free(tw);
	mmt_machine_free(m);
}
