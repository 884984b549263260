// SPDX-License-Identifier: MIT
/*
 * Highmem on an x86_32 2 GiB machine: no direct-map address, kmap into
 * the pkmap window (exhaustion = "would sleep", wrap-around flush),
 * kmap_local into the FIX_KMAP slots (LIFO, KM_MAX_IDX), vmalloc of
 * scattered highmem pages; x86_64's kmap is the direct map; per-CPU areas.
 */
#include "test_kalloc.h"

#include <errno.h>

static uint64_t highpage(struct mmt_machine *m)
{
	uint64_t pfn = 0;

	CHECK_EQ(mmt_alloc_pages(m, MMT_GFP_HIGHUSER, 0, &pfn), 0);
	CHECK(mmt_page_is_highmem(m, pfn));
	return pfn;
}

TEST(highmem_x86_32_2g_addresses)
{
	struct mmt_machine *m = kalloc_boot(MMT_ARCH_X86_32, "2G", "2");
	const struct mmt_layout *l = &m->layout;
	uint64_t p = highpage(m), va, lo, pa, start, end, pfn[8];
	const struct mmt_vm_struct *vm;
	unsigned fix;
	bool scattered = false;

	/* no direct-map address */
	CHECK_EQ(mmt_page_address(m, p, &va), -ENOENT);
	CHECK(mmt_va(l, p << 12, &va) != 0);
	/* kmap: a pkmap slot; page_address() now finds it */
	CHECK_EQ(mmt_kmap(m, p, &va), 0);
	CHECK(va >= l->pkmap_base && va < l->pkmap_base + l->last_pkmap * 4096ull);
	CHECK_EQ(va, l->pkmap_base + 4096);	/* search starts at slot 1 */
	CHECK_EQ(mmt_page_address(m, p, &pa), 0);
	CHECK_EQ(pa, va);
	CHECK_EQ(kalloc_expect_map(m, va, p << 12, (char[64]){0}, 64), 0);
	/* kmap_local: a FIX_KMAP slot */
	CHECK_EQ(mmt_kmap_local_page(m, 0, p, &lo), 0);
	CHECK_EQ(mmt_virt_to_fix(m, lo, &fix), 0);
	CHECK(fix >= l->fix_kmap_begin && fix <= l->fix_kmap_end);
	CHECK_EQ(fix, l->fix_kmap_begin);
	CHECK_EQ(lo, l->fixaddr_top - ((uint64_t)l->fix_kmap_begin << 12));
	CHECK_EQ(kalloc_xlate(m, lo, &pa), MMT_XLATE_OK);
	CHECK_EQ(pa, p << 12);
	KALLOC_OK(m);
	CHECK_EQ(mmt_kunmap_local(m, 0, lo), 0);
	CHECK_EQ(mmt_kunmap(m, p), 0);
	KALLOC_OK(m);

	/* vmalloc over scattered highmem pages: free every other page */
	for (unsigned i = 0; i < 8; i++)
		pfn[i] = highpage(m);
	for (unsigned i = 0; i < 8; i += 2)
		mmt_free_pages(m, pfn[i], 0);
	CHECK_EQ(mmt_vmalloc(m, 4 * 4096, NULL, &va), 0);
	mmt_vmalloc_range(m, &start, &end);
	CHECK(va >= start && va + 5 * 4096 <= end);
	vm = mmt_find_vm_area(m, va);
	for (unsigned i = 0; vm && i < 4; i++) {
		CHECK(mmt_page_is_highmem(m, vm->pfns[i]));
		CHECK_EQ(kalloc_xlate(m, va + i * 4096ull, &pa), MMT_XLATE_OK);
		CHECK_EQ(pa, vm->pfns[i] << 12);
		if (i && vm->pfns[i] != vm->pfns[i - 1] + 1)
			scattered = true;
	}
	CHECK(scattered);
	KALLOC_OK(m);
	CHECK_EQ(mmt_vfree(m, va), 0);
	KALLOC_OK(m);
	mmt_machine_free(m);
}

TEST(highmem_pkmap_exhaustion_and_wraparound_flush)
{
	struct mmt_machine *m = kalloc_boot(MMT_ARCH_X86_32, "2G", "2");
	unsigned n = mmt_last_pkmap(m);
	uint64_t *pages = calloc(n + 2, sizeof(uint64_t)), va, old, pa;
	int count;

	CHECK_EQ(n, 1024);
	for (unsigned i = 0; i < n; i++) {
		pages[i] = highpage(m);
		CHECK_EQ(mmt_kmap(m, pages[i], &va), 0);
		if (i % 128 == 0)
			KALLOC_OK(m);
	}
	/* slots 1..1023 then 0 after the first wrap */
	CHECK_EQ(mmt_page_address(m, pages[n - 1], &va), 0);
	CHECK_EQ(va, m->layout.pkmap_base);
	CHECK_EQ(mmt_kmap(m, pages[3], &va), 0);	/* same page: count 3 */
	CHECK_EQ(mmt_pkmap_slot(m, 4, &count, &pa), 0);
	CHECK_EQ(count, 3);
	CHECK_EQ(mmt_kunmap(m, pages[3]), 0);
	pages[n] = highpage(m);
	CHECK_EQ(mmt_kmap(m, pages[n], &va), -EAGAIN);	/* would sleep */
	KALLOC_OK(m);

	/* kunmap one: count 1, still mapped until the next wrap flushes */
	old = m->layout.pkmap_base + 5 * 4096ull;
	CHECK_EQ(kalloc_xlate(m, old, &pa), MMT_XLATE_OK);	/* fill TLB */
	CHECK_EQ(mmt_kunmap(m, pages[4]), 0);
	CHECK_EQ(mmt_pkmap_slot(m, 5, &count, &pa), 0);
	CHECK_EQ(count, 1);
	CHECK_EQ(kalloc_xlate(m, old, &pa), MMT_XLATE_OK);
	CHECK_EQ(pa, pages[4] << 12);
	CHECK_EQ(mmt_pkmap_flushes(m), 0);	/* wraps so far had no count 1 */
	CHECK_EQ(mmt_kmap(m, pages[n], &va), 0);	/* wraps, flushes */
	CHECK_EQ(mmt_pkmap_flushes(m), 1);
	CHECK_EQ(va, old);
	CHECK_EQ(mmt_page_address(m, pages[4], &pa), -ENOENT);
	CHECK_EQ(kalloc_xlate(m, old, &pa), MMT_XLATE_OK);
	CHECK_EQ(pa, pages[n] << 12);			/* not the stale page */
	CHECK_EQ(mmt_kunmap(m, pages[4]), -EINVAL);
	KALLOC_OK(m);
	free(pages);
	mmt_machine_free(m);
}

TEST(highmem_kmap_local_lifo_and_depth)
{
	for (unsigned a = 0; a < 2; a++) {
		struct mmt_machine *m = kalloc_boot(kalloc_arches[a], "2G", "2");
		unsigned max = m->cfg.kc.km_max_idx;
		uint64_t va[17], pfn[17], pa;

		for (unsigned i = 0; i < max; i++) {
			pfn[i] = highpage(m);
			CHECK_EQ(mmt_kmap_local_page(m, 1, pfn[i], &va[i]), 0);
			if (i)
				CHECK_EQ(va[i - 1] - va[i], 4096);
			CHECK_EQ(kalloc_xlate(m, va[i], &pa), MMT_XLATE_OK);
			CHECK_EQ(pa, pfn[i] << 12);
		}
		KALLOC_OK(m);
		pfn[max] = highpage(m);
		CHECK_EQ(mmt_kmap_local_page(m, 1, pfn[max], &va[max]), -ENOSPC);
		CHECK_EQ(mmt_kmap_local_page(m, 2, pfn[max], &va[max]), -EINVAL);
		/* out of order: refused, nothing changes */
		CHECK_EQ(mmt_kunmap_local(m, 1, va[0]), -EINVAL);
		CHECK_EQ(mmt_kunmap_local(m, 0, va[max - 1]), -EINVAL);
		CHECK_EQ(mmt_kmap_local_depth(m, 1), max);
		for (unsigned i = max; i-- > 0;) {
			CHECK_EQ(mmt_kunmap_local(m, 1, va[i] + 0x10), 0);
			CHECK_EQ(kalloc_xlate(m, va[i], &pa), MMT_XLATE_PF);
			KALLOC_OK(m);
		}
		CHECK_EQ(mmt_kmap_local_depth(m, 1), 0);
		mmt_machine_free(m);
	}
}

TEST(highmem_x86_64_kmap_is_the_direct_map)
{
	struct mmt_machine *m = kalloc_boot(MMT_ARCH_X86_64, "2G", "2");
	uint64_t pfn, va, lo, d;

	CHECK_EQ(mmt_alloc_pages(m, MMT_GFP_HIGHUSER, 0, &pfn), 0);
	CHECK(!mmt_page_is_highmem(m, pfn));
	CHECK_EQ(mmt_last_pkmap(m), 0);
	CHECK_EQ(mmt_va(&m->layout, pfn << 12, &d), 0);
	CHECK_EQ(mmt_kmap(m, pfn, &va), 0);
	CHECK_EQ(va, d);
	CHECK_EQ(mmt_kmap_local_page(m, 0, pfn, &lo), 0);
	CHECK_EQ(lo, d);
	CHECK_EQ(mmt_kmap_local_depth(m, 0), 0);
	CHECK_EQ(mmt_kunmap_local(m, 0, lo), 0);
	CHECK_EQ(mmt_kunmap(m, pfn), 0);
	KALLOC_OK(m);
	mmt_machine_free(m);
}

TEST(highmem_percpu_first_chunk)
{
	static const struct { enum mmt_arch a; uint64_t unit, bytes; } t[] = {
		{ MMT_ARCH_X86_32, 135168, 2 * 135168 },	/* u135168 */
		{ MMT_ARCH_X86_64, 1 << 20, 2 * 217088 },	/* u1048576 */
	};

	for (unsigned i = 0; i < 2; i++) {
		struct mmt_machine *m = kalloc_boot(t[i].a, "1G", "2");
		uint64_t p[64], q, r;
		unsigned n = 0;

		CHECK_EQ(mmt_pcpu_unit_size(m), t[i].unit);
		CHECK_EQ(mmt_percpu_bytes(m), t[i].bytes);
		CHECK_EQ(mmt_alloc_percpu(m, 0, 8, &q), -EINVAL);
		CHECK_EQ(mmt_alloc_percpu(m, 8, 24, &q), -EINVAL);
		CHECK_EQ(mmt_alloc_percpu(m, 8, 8192, &q), -EINVAL);
		CHECK_EQ(mmt_alloc_percpu(m, 40000, 8, &q), -EINVAL);
		while (n < 64 && !mmt_alloc_percpu(m, 1024, 64, &p[n]))
			n++;
		CHECK(n > 10 && n < 64);	/* ~28 KiB of dynamic space */
		CHECK_EQ(mmt_alloc_percpu(m, 1024, 64, &q), -ENOMEM);
		KALLOC_OK(m);
		CHECK_EQ(mmt_free_percpu(m, p[3]), 0);
		CHECK_EQ(mmt_free_percpu(m, p[3]), -EINVAL);
		CHECK_EQ(mmt_alloc_percpu(m, 512, 8, &q), 0);
		CHECK_EQ(q, p[3]);
		CHECK_EQ(mmt_per_cpu_ptr(m, q, 1, &r), 0);
		CHECK_EQ(r, q + mmt_per_cpu_offset(m, 1));
		CHECK_EQ(mmt_per_cpu_offset(m, 0), 0);
		CHECK_EQ(mmt_per_cpu_offset(m, 2), UINT64_MAX);
		KALLOC_OK(m);
		mmt_machine_free(m);
	}
}
