// SPDX-License-Identifier: MIT
/*
 * mmtwin shadow against strace on the same programs, side by side in one
 * run: the wall time of `mmtwin shadow -o /dev/null -- P` (model) and of
 * `strace -f -e trace=%memory,%process -o /dev/null P` (ref), each the
 * median of 7 alternating runs.  ratio = ref/model: >= 0.67 means shadow
 * takes at most 1.5x strace's time.  Both stop at every system call (strace
 * without --seccomp-bpf); shadow also runs the model, compares the maps
 * and reads pagemap for the faults ptrace cannot see.  Needs the mmtwin
 * binary (MMTWIN_BIN, `make bench` builds it) and strace; says SKIP
 * without them.
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RUNS 7

static const struct {
	const char *name, *cmd;
} progs[] = {
	{ "true", "/bin/true" },
	{ "ls", "ls -l /usr/bin" },
	{ "pipeline", "sh -c 'ls / | wc -l'" },
	{ "python3", "python3 -c 'import json'" },
	{ "cc", "cc -c -x c /dev/null -o /tmp/mmtwin-bench-shadow.o" },
};

static double run_ms(const char *line)
{
	uint64_t t0 = bench_now_ns();
	int r = system(line);

	(void)r;
	return (double)(bench_now_ns() - t0) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

BENCH(shadow)
{
	const char *bin = getenv("MMTWIN_BIN");
	char line[1024];

	if (!bin || access(bin, X_OK) || system("command -v strace "
						">/dev/null 2>&1")) {
		printf("SKIP shadow: needs MMTWIN_BIN and strace\n");
		return;
	}
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		double m[RUNS], s[RUNS];
		char name[64];

		for (int k = 0; k < RUNS; k++) {
			snprintf(line, sizeof(line), "%s shadow -o /dev/null -- "
				 "%s >/dev/null 2>&1 </dev/null", bin,
				 progs[i].cmd);
			m[k] = run_ms(line);
			snprintf(line, sizeof(line), "strace -f -e trace=%%memory,"
				 "%%process -o /dev/null %s >/dev/null 2>&1 "
				 "</dev/null", progs[i].cmd);
			s[k] = run_ms(line);
		}
		qsort(m, RUNS, sizeof(m[0]), cmp_double);
		qsort(s, RUNS, sizeof(s[0]), cmp_double);
		snprintf(name, sizeof(name), "shadow.%s_vs_strace", progs[i].name);
		bench_compare(name, m[RUNS / 2], s[RUNS / 2], "ms");
	}
}
