// SPDX-License-Identifier: MIT
/* Test runner and shared helpers. */
#include "test.h"

#include <mmtwin/views.h>

#include <stdarg.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_TESTS 1024

static struct test_case cases[MAX_TESTS];
static int nr_cases, cur_failures;

void test_register(const char *name, void (*fn)(void))
{
	if (nr_cases < MAX_TESTS)
		cases[nr_cases++] = (struct test_case){ name, fn };
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (cur_failures++ < 8) {
		fprintf(stdout, "    %s:%d: ", file, line);
		va_start(ap, fmt);
		vfprintf(stdout, fmt, ap);
		va_end(ap);
		fputc('\n', stdout);
	}
}

int test_failures(void)
{
	return cur_failures;
}

struct mmt_machine *test_machine_cfg(const struct mmt_config *c)
{
	char err[512];
	struct mmt_machine *m = mmt_machine_new(c, err, sizeof(err));

	if (!m) {
		fprintf(stdout, "    machine failed: %s\n", err);
		abort();
	}
	return m;
}

struct mmt_machine *test_machine(enum mmt_arch arch, const char *mem)
{
	struct mmt_config c;
	char err[256];

	mmt_config_init(&c, arch);
	if (mem && mmt_config_set(&c, "mem", mem, err, sizeof(err))) {
		fprintf(stdout, "    bad mem: %s\n", err);
		abort();
	}
	return test_machine_cfg(&c);
}

char *test_task_view(struct mmt_task *t, const char *name)
{
	char err[256], *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	struct mmt_view_ctx c = { .m = t->m, .task = t, .out = f,
				  .fmt = MMT_FMT_TEXT, .err = err,
				  .errlen = sizeof(err) };

	if (!f || mmt_view_run(mmt_view_find(name), &c, NULL))
		test_fail(__FILE__, __LINE__, "view %s: %s", name,
			  f ? err : "no memory");
	if (f)
		fclose(f);
	return buf;
}

char *test_slurp(FILE *f)
{
	size_t cap = 4096, len = 0, n;
	char *buf = malloc(cap);

	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	if (buf)
		buf[len] = 0;
	return buf;
}

char *test_read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;

	if (!f)
		return NULL;
	buf = test_slurp(f);
	fclose(f);
	return buf;
}

int test_stat_fields(const char *stat, uint64_t out[10])
{
	static const unsigned want[10] = { 26, 27, 28, 45, 46, 47, 48, 49, 50, 51 };
	const char *p = strrchr(stat, ')');
	unsigned field = 2, k = 0;

	if (!p)
		return -1;
	p++;
	while (*p && *p != '\n' && k < 10) {
		while (*p == ' ')
			p++;
		field++;
		if (field == want[k])
			out[k++] = strtoull(p, NULL, 10);
		while (*p && *p != ' ')
			p++;
	}
	return k == 10 ? 0 : -1;
}

const char *test_chromium(void)
{
	static const char *const c[] = { "/usr/bin/chromium",
					 "/usr/bin/chromium-browser" };

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (!access(c[i], X_OK))
			return c[i];
	return NULL;
}

int test_run_cli(const char *args, char **out)
{
	const char *bin = getenv("MMTWIN_BIN");
	char cmd[4096];
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", bin ? bin : "build/mmtwin",
		 args);
	p = popen(cmd, "r");
	if (!p) {
		*out = NULL;
		return -1;
	}
	*out = test_slurp(p);
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int test_run_script(const char *text, char **out, char **err)
{
	char *ob = NULL, *eb = NULL;
	size_t ol = 0, el = 0;
	FILE *o = open_memstream(&ob, &ol), *e = open_memstream(&eb, &el);
	int r = mmt_script_run_text(text, "test", o, e);

	fclose(o);
	fclose(e);
	*out = ob;
	*err = eb;
	return r;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < nr_cases; i++) {
		struct timespec t0, t1;
		char took[32] = "";
		double s;

		if (argc > 1 && !strstr(cases[i].name, argv[1]))
			continue;
		cur_failures = 0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		cases[i].fn();
		clock_gettime(CLOCK_MONOTONIC, &t1);
		/* the slow ones say so: CI's budget is the suite's time */
		s = (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (s >= 2)
			snprintf(took, sizeof(took), "  [%.1f s]", s);
		if (cur_failures) {
			printf("FAIL %s (%d failed checks)%s\n", cases[i].name,
			       cur_failures, took);
			failed++;
		} else {
			printf("ok   %s%s\n", cases[i].name, took);
			passed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
