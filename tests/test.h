/* SPDX-License-Identifier: MIT */
/*
 * A minimal test harness: TEST(name) registers a case; CHECK* record a
 * failure with file:line and keep going; the runner prints one line per
 * case and ends with "N passed, N failed".  `mmtwin-tests PATTERN` runs
 * the cases whose name contains PATTERN.
 */
#ifndef MMT_TEST_H
#define MMT_TEST_H

#include <mmtwin/mmtwin.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
};

void test_register(const char *name, void (*fn)(void));
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int test_failures(void);

#define TEST(name)							\
	static void test_##name(void);					\
	__attribute__((constructor)) static void reg_##name(void)	\
	{ test_register(#name, test_##name); }				\
	static void test_##name(void)

#define CHECK(cond) do { if (!(cond)) \
	test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond); } while (0)

#define CHECK_EQ(a, b) do { uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b); \
	if (a_ != b_) test_fail(__FILE__, __LINE__, "%s == %#" PRIx64 \
		", expected %s == %#" PRIx64, #a, a_, #b, b_); } while (0)

#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
	if (!a_ || !b_ || strcmp(a_, b_)) test_fail(__FILE__, __LINE__, \
		"%s == \"%s\", expected \"%s\"", #a, a_ ? a_ : "(null)", \
		b_ ? b_ : "(null)"); } while (0)

/* Helpers */
struct mmt_machine *test_machine(enum mmt_arch arch, const char *mem);
struct mmt_machine *test_machine_cfg(const struct mmt_config *c);
/* The model's /proc/PID/@name view of @t as text (malloc'd; a failed
 * run is a failed check). */
struct mmt_task;
char *test_task_view(struct mmt_task *t, const char *name);
/* The rest of @f, NUL-terminated and malloc'd; NULL on no memory. */
char *test_slurp(FILE *f);
/* Whole text file, NUL-terminated and malloc'd; NULL if unreadable. */
char *test_read_file(const char *path);
/* Fields 26-28 and 45-51 of a /proc/PID/stat line (start_code,
 * end_code, start_stack, start_data .. env_end, the ones exec sets) into
 * @out; 0, or -1 if the line is short. */
int test_stat_fields(const char *stat, uint64_t out[10]);
/* Debian's headless browser for the HTML report tests, or NULL. */
const char *test_chromium(void);
/* Run the CLI binary; returns exit status, output in @out (malloc'd). */
int test_run_cli(const char *args, char **out);
/* Run a scenario; returns the runner's status, output/errors malloc'd. */
int test_run_script(const char *text, char **out, char **err);

/* A command run by test_spawn (tests/spawn.c). */
struct test_spawned {
	int status;		/* sh's exit status, -1: killed or signalled */
	bool timed_out;		/* killed (its whole group) at the deadline */
	char *err;		/* what came on its stderr, NUL-terminated */
	unsigned leftovers;	/* processes of its group alive after it */
	char left[512];		/* them: "pid P state S tracer T; ..." */
};
/*
 * `sh -c CMD` (stdin /dev/null) in a process group of its own, its
 * stderr on a new pseudo-terminal in raw mode (@pty: isatty(2) holds, the
 * bytes arrive as written) or on a pipe; the group is killed after
 * @seconds.  Then any process still in the group is a leftover: listed in
 * @r and killed.  0, or -1 when it could not be started.
 */
int test_spawn(const char *cmd, bool pty, double seconds,
	       struct test_spawned *r);
void test_spawned_free(struct test_spawned *r);

#endif
