// SPDX-License-Identifier: MIT
/*
 * The MMU's fast paths: a TLB hit, and a full 4-level walk (TLB off), each
 * against a plain array lookup over the same addresses as the reference.
 */
#include "bench.h"

#include <mmtwin/kern.h>

#include <stdlib.h>

#define NADDR 32
#define ROUNDS 200000

/*
 * The reference: a plain array lookup, pa = table[page] | offset, behind
 * a function call like the model's (so both pay one call per address).
 */
__attribute__((noinline)) static int array_lookup(const uint64_t *table,
						  uint64_t va, uint64_t *pa)
{
	*pa = table[(va >> 12) % NADDR] | (va & 0xfff);
	return 0;
}

static double ref_lookup(const uint64_t *va, const uint64_t *table)
{
	uint64_t t0, t1, acc = 0, pa;

	t0 = bench_now_ns();
	for (int r = 0; r < ROUNDS; r++)
		for (int i = 0; i < NADDR; i++) {
			if (array_lookup(table, va[i], &pa))
				abort();
			acc += pa;
		}
	t1 = bench_now_ns();
	bench_sink(acc);
	return (double)(t1 - t0) / ((double)ROUNDS * NADDR);
}

static double model_lookup(struct mmt_machine *m, const uint64_t *va)
{
	uint64_t t0, t1, acc = 0, pa;
	unsigned pf;

	t0 = bench_now_ns();
	for (int r = 0; r < ROUNDS; r++)
		for (int i = 0; i < NADDR; i++) {
			if (mmt_mmu_translate(m, 0, va[i], MMT_ACCESS_READ, &pa,
					      &pf))
				abort();
			acc += pa;
		}
	t1 = bench_now_ns();
	bench_sink(acc);
	return (double)(t1 - t0) / ((double)ROUNDS * NADDR);
}

static struct mmt_machine *boot_4level(uint64_t *va, uint64_t *table)
{
	struct mmt_config c;
	char err[256];
	struct mmt_machine *m;

	mmt_config_init(&c, MMT_ARCH_X86_64);
	m = mmt_machine_new(&c, err, sizeof(err));
	if (!m)
		abort();
	/* 4 KiB pages in vmalloc space: every walk goes PGD..PTE */
	for (int i = 0; i < NADDR; i++) {
		va[i] = m->layout.vmalloc_start + (1ULL << 30) +
			(uint64_t)i * 4096 + 0x10;
		table[i] = (0x1000ULL + (uint64_t)i) << 12;
		if (mmt_kernel_map(m, va[i] & ~0xfffULL, 0x1000 + (uint64_t)i,
				   MMT_PAGE_KERNEL))
			abort();
	}
	return m;
}

#define TRIALS 7

/*
 * Model and reference measured alternately, TRIALS times each, keeping
 * each side's best: on a shared 2-CPU VM a single pass is at the mercy
 * of frequency changes and neighbours, and the minimum is the figure
 * least disturbed by them.
 */
static void compare(const char *name, struct mmt_machine *m,
		    const uint64_t *va, const uint64_t *table)
{
	double model = 1e30, ref = 1e30;

	for (int t = 0; t < TRIALS; t++) {
		double a = model_lookup(m, va), b = ref_lookup(va, table);

		model = a < model ? a : model;
		ref = b < ref ? b : ref;
	}
	bench_compare(name, model, ref, "ns");
}

BENCH(mmu)
{
	uint64_t va[NADDR], table[NADDR];
	struct mmt_machine *m = boot_4level(va, table);

	model_lookup(m, va);	/* warm the TLB */
	compare("mmu.tlb_hit", m, va, table);
	if (mmt_tlb_configure(m, 0, 0))	/* no TLB: every access walks */
		abort();
	compare("mmu.walk4", m, va, table);
	mmt_machine_free(m);
}
