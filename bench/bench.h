/* SPDX-License-Identifier: MIT */
/*
 * Benchmark harness.  BENCH(name) registers a benchmark; it reports with
 * bench_figure() / bench_compare(), printing the DESIGN.md line format:
 *   <name> <value> <unit>
 *   <name> model=<value> ref=<value> <unit> ratio=<ref/model>
 */
#ifndef MMT_BENCH_H
#define MMT_BENCH_H

#include <mmtwin/mmtwin.h>

#include <stdint.h>

void bench_register(const char *name, void (*fn)(void));
void bench_figure(const char *name, double value, const char *unit);
void bench_compare(const char *name, double model, double ref,
		   const char *unit);
/* Monotonic nanoseconds. */
uint64_t bench_now_ns(void);
/* Keep the optimiser from deleting a computed value. */
void bench_sink(uint64_t v);

#define BENCH(name)							\
	static void bench_##name(void);					\
	__attribute__((constructor)) static void breg_##name(void)	\
	{ bench_register(#name, bench_##name); }			\
	static void bench_##name(void)

#endif
