// SPDX-License-Identifier: MIT
/*
 * The scenario runner with many names: N `alloc_pages pI GFP_KERNEL 0`
 * lines, then N `free_pages pI`, run through mmt_script_run_text() on an
 * 8 GiB x86_64 machine (so 10^6 order-0 pages fit in ZONE_NORMAL).  The
 * name table is a hash map, so the cost per pair must not grow with N:
 * script.named_alloc_free_scaling compares 10^6 (model) with 10^5 (ref),
 * ratio >= 0.67 means within 1.5x.  The time to boot the machine (a
 * script of the `machine` line alone) is subtracted.  Before the table,
 * the names lived in linear lists: 4*10^4 pairs took 2.1 s.
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>

#define MACHINE_LINE "machine --mem 8G\n"

/* The scenario text for @n pairs, malloc'd; aborts when the host is out
 * of memory (a benchmark has nothing better to do). */
static char *pairs_script(unsigned n)
{
	/* "alloc_pages p4294967295 GFP_KERNEL 0\n" + "free_pages p...\n" */
	size_t cap = sizeof(MACHINE_LINE) + (size_t)n * 64, len;
	char *t = malloc(cap);

	if (!t)
		abort();
	len = (size_t)snprintf(t, cap, MACHINE_LINE);
	for (unsigned i = 0; i < n; i++)
		len += (size_t)snprintf(t + len, cap - len,
					"alloc_pages p%u GFP_KERNEL 0\n", i);
	for (unsigned i = 0; i < n; i++)
		len += (size_t)snprintf(t + len, cap - len, "free_pages p%u\n",
					i);
	if (len >= cap)
		abort();
	return t;
}

/* Best of @reps runs of @text, in ns; aborts if the script fails. */
static double run_ns(const char *text, FILE *devnull, int reps)
{
	double best = 0;

	for (int r = 0; r < reps; r++) {
		uint64_t t0 = bench_now_ns();

		if (mmt_script_run_text(text, "bench", devnull, stderr))
			abort();
		t0 = bench_now_ns() - t0;
		if (r == 0 || t0 < best)
			best = (double)t0;
	}
	return best;
}

/* ns per alloc_pages+free_pages pair at @n pairs. */
static double pair_ns(unsigned n, double boot_ns, FILE *devnull, int reps)
{
	char *text = pairs_script(n);
	double ns = run_ns(text, devnull, reps) - boot_ns;

	free(text);
	return ns / n;
}

BENCH(script_named_alloc_free)
{
	FILE *devnull = fopen("/dev/null", "w");
	double boot, small, big;

	if (!devnull)
		abort();
	boot = run_ns(MACHINE_LINE, devnull, 5);
	small = pair_ns(100000, boot, devnull, 3);
	big = pair_ns(1000000, boot, devnull, 2);
	bench_figure("script.named_alloc_free_1e5", small, "ns");
	bench_figure("script.named_alloc_free_1e6", big, "ns");
	bench_compare("script.named_alloc_free_scaling", big, small, "ns");
	fclose(devnull);
}
