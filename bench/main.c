// SPDX-License-Identifier: MIT
/* Benchmark runner: `mmtwin-bench [PATTERN]`. */
#include "bench.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_BENCH 64

static struct {
	const char *name;
	void (*fn)(void);
} benches[MAX_BENCH];
static int nr_benches;
static volatile uint64_t sink;

void bench_register(const char *name, void (*fn)(void))
{
	if (nr_benches < MAX_BENCH) {
		benches[nr_benches].name = name;
		benches[nr_benches++].fn = fn;
	}
}

void bench_figure(const char *name, double value, const char *unit)
{
	printf("%s %.2f %s\n", name, value, unit);
}

void bench_compare(const char *name, double model, double ref,
		   const char *unit)
{
	printf("%s model=%.2f ref=%.2f %s ratio=%.2f\n", name, model, ref, unit,
	       model > 0 ? ref / model : 0.0);
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void bench_sink(uint64_t v)
{
	sink += v;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < nr_benches; i++)
		if (argc < 2 || strstr(benches[i].name, argv[1]))
			benches[i].fn();
	return 0;
}
