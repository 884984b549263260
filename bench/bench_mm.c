// SPDX-License-Identifier: MIT
/*
 * The process model's costs:
 *   mm.bytes_per_vma          host bytes per VMA (struct, malloc overhead,
 *                             the slab model's bookkeeping of its object)
 *   mm.mmap_munmap_10         mmap(NULL, 4096) + munmap of it with 10 VMAs
 *                             present; ref: the live kernel, same pair here
 *   mm.mmap_munmap_1e6        the same with 10^6 VMAs (model only: the
 *                             host's vm.max_map_count is 65530)
 *   mm.mmap_munmap_scaling    1e6 / 10 (should stay under 2)
 *   mm.mprotect_split_merge   mprotect the middle page of 3 to r, then
 *                             back to rw (split in three, merge back)
 *   mm.brk_grow_shrink        brk up one page and back
 *   mm.mremap_grow_move       grow a blocked 2-page VMA to 3 with
 *                             MREMAP_MAYMOVE (it moves), then move it
 *                             back shrunk with MREMAP_FIXED; ref: the
 *                             live kernel, same pair here
 */
#define _GNU_SOURCE 1	/* mremap() */
#include "bench.h"

#include "mm/vma_internal.h"

#include <malloc.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096ULL
#define MAP_PA 0x22	/* MAP_PRIVATE|MAP_ANONYMOUS */

static struct mmt_task *bench_task(struct mmt_machine *m)
{
	int err;
	struct mmt_task *t = mmt_task_create(m, MMT_TASK_X86_64, 0, &err);

	if (!t)
		abort();
	mmt_vm_sysctl(m)->max_map_count = 4000000;
	return t;
}

/* @n unmergeable VMAs, alternating r and rw, packed top-down. */
static void fill_vmas(struct mmt_task *t, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		if (mmt_ksys_mmap_pgoff(t, MMT_ABI_X86_64, 0, PAGE, 1 + (i & 1),
					MAP_PA, -1, 0) < 0)
			abort();
}

BENCH(mm_bytes_per_vma)
{
	struct mmt_machine *m;
	struct mmt_config c;
	struct mmt_task *t;
	size_t before;
	const unsigned long n = 100000;

	mmt_config_init(&c, MMT_ARCH_X86_64);
	c.mem_bytes = 1ULL << 30;
	m = mmt_machine_new(&c, NULL, 0);
	t = bench_task(m);
	before = mallinfo2().uordblks;
	fill_vmas(t, n);
	bench_figure("mm.bytes_per_vma",
		     (double)(mallinfo2().uordblks - before) / (double)n,
		     "bytes");
	mmt_machine_free(m);
}

/* ns per mmap+munmap pair in the model with @n VMAs present. */
static double model_mmap_munmap(unsigned long n)
{
	struct mmt_config c;
	struct mmt_machine *m;
	struct mmt_task *t;
	const unsigned iters = 200000;
	uint64_t t0, t1;

	mmt_config_init(&c, MMT_ARCH_X86_64);
	c.mem_bytes = 2ULL << 30;
	m = mmt_machine_new(&c, NULL, 0);
	t = bench_task(m);
	fill_vmas(t, n);
	t0 = bench_now_ns();
	for (unsigned i = 0; i < iters; i++) {
		int64_t a = mmt_ksys_mmap_pgoff(t, MMT_ABI_X86_64, 0, PAGE,
						5 /* r-x: merges nowhere */,
						MAP_PA, -1, 0);

		if (a < 0 || mmt_vm_munmap(t, (uint64_t)a, PAGE))
			abort();
	}
	t1 = bench_now_ns();
	mmt_machine_free(m);
	return (double)(t1 - t0) / iters;
}

static double live_mmap_munmap(void)
{
	const unsigned iters = 200000;
	uint64_t t0 = bench_now_ns();

	for (unsigned i = 0; i < iters; i++) {
		void *p = mmap(NULL, PAGE, PROT_READ | PROT_EXEC,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED || munmap(p, PAGE))
			abort();
	}
	return (double)(bench_now_ns() - t0) / iters;
}

BENCH(mm_mmap_munmap)
{
	double m10 = model_mmap_munmap(10), m1e6 = model_mmap_munmap(1000000);

	bench_compare("mm.mmap_munmap_10", m10, live_mmap_munmap(), "ns/op");
	bench_figure("mm.mmap_munmap_1e6", m1e6, "ns/op");
	bench_figure("mm.mmap_munmap_scaling", m1e6 / m10, "x");
}

BENCH(mm_mprotect_split_merge)
{
	struct mmt_config c;
	struct mmt_machine *m;
	struct mmt_task *t;
	const unsigned iters = 200000;
	uint64_t t0, t1, base;
	char *p;

	mmt_config_init(&c, MMT_ARCH_X86_64);
	c.mem_bytes = 256ULL << 20;
	m = mmt_machine_new(&c, NULL, 0);
	t = bench_task(m);
	fill_vmas(t, 10);
	base = (uint64_t)mmt_ksys_mmap_pgoff(t, MMT_ABI_X86_64, 0, 3 * PAGE, 3,
					     MAP_PA, -1, 0);
	t0 = bench_now_ns();
	for (unsigned i = 0; i < iters; i++)
		if (mmt_do_mprotect_pkey(t, base + PAGE, PAGE, 1, -1) ||
		    mmt_do_mprotect_pkey(t, base + PAGE, PAGE, 3, -1))
			abort();
	t1 = bench_now_ns();
	mmt_machine_free(m);
	p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	base = bench_now_ns();
	for (unsigned i = 0; i < iters; i++)
		if (mprotect(p + PAGE, PAGE, PROT_READ) ||
		    mprotect(p + PAGE, PAGE, PROT_READ | PROT_WRITE))
			abort();
	bench_compare("mm.mprotect_split_merge", (double)(t1 - t0) / iters,
		      (double)(bench_now_ns() - base) / iters, "ns/op");
	munmap(p, 3 * PAGE);
}

BENCH(mm_brk_grow_shrink)
{
	struct mmt_config c;
	struct mmt_machine *m;
	struct mmt_task *t;
	const unsigned iters = 200000;
	uint64_t t0, t1, b;
	long cur;

	mmt_config_init(&c, MMT_ARCH_X86_64);
	c.mem_bytes = 256ULL << 20;
	m = mmt_machine_new(&c, NULL, 0);
	t = bench_task(m);
	fill_vmas(t, 10);
	t->mm->start_brk = t->mm->brk = b = 0x555555559000ULL;
	t0 = bench_now_ns();
	for (unsigned i = 0; i < iters; i++)
		if (mmt_sys_brk(t, b + PAGE) != (int64_t)(b + PAGE) ||
		    mmt_sys_brk(t, b) != (int64_t)b)
			abort();
	t1 = bench_now_ns();
	mmt_machine_free(m);
	cur = syscall(SYS_brk, 0);
	b = bench_now_ns();
	for (unsigned i = 0; i < iters; i++)
		if (syscall(SYS_brk, cur + (long)PAGE) != cur + (long)PAGE ||
		    syscall(SYS_brk, cur) != cur)
			abort();
	bench_compare("mm.brk_grow_shrink", (double)(t1 - t0) / iters,
		      (double)(bench_now_ns() - b) / iters, "ns/op");
}

/* mremap a 2-page VMA to 3 pages with MREMAP_MAYMOVE while a page right
 * above it blocks growth in place (so it moves top-down), then back
 * to 2 pages at the old address with MREMAP_FIXED: two moves per op. */
BENCH(mm_mremap_grow_move)
{
	struct mmt_config c;
	struct mmt_machine *m;
	struct mmt_task *t;
	const unsigned iters = 100000;
	uint64_t t0, t1, a;
	char *p, *q;

	mmt_config_init(&c, MMT_ARCH_X86_64);
	c.mem_bytes = 256ULL << 20;
	m = mmt_machine_new(&c, NULL, 0);
	t = bench_task(m);
	fill_vmas(t, 10);
	a = (uint64_t)mmt_ksys_mmap_pgoff(t, MMT_ABI_X86_64, 0, 3 * PAGE, 3,
					  MAP_PA, -1, 0);
	if (mmt_do_mprotect_pkey(t, a + 2 * PAGE, PAGE, 1, -1))
		abort();
	t0 = bench_now_ns();
	for (unsigned i = 0; i < iters; i++) {
		int64_t n = mmt_do_mremap(t, MMT_ABI_X86_64, a, 2 * PAGE,
					  3 * PAGE, 1, 0);

		if (n < 0 || n == (int64_t)a ||
		    mmt_do_mremap(t, MMT_ABI_X86_64, (uint64_t)n, 3 * PAGE,
				  2 * PAGE, 3, a) != (int64_t)a)
			abort();
	}
	t1 = bench_now_ns();
	mmt_machine_free(m);
	p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || mprotect(p + 2 * PAGE, PAGE, PROT_READ))
		abort();
	a = bench_now_ns();
	for (unsigned i = 0; i < iters; i++) {
		q = mremap(p, 2 * PAGE, 3 * PAGE, MREMAP_MAYMOVE);
		if (q == MAP_FAILED || q == p ||
		    mremap(q, 3 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
			   p) != p)
			abort();
	}
	bench_compare("mm.mremap_grow_move", (double)(t1 - t0) / iters,
		      (double)(bench_now_ns() - a) / iters, "ns/op");
	munmap(p, 3 * PAGE);
}
