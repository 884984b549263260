// SPDX-License-Identifier: MIT
/* Page tables in modelled frames: encodings, map/lookup/unmap, teardown. */
#include "test_pgtable.h"

#include <mmtwin/kalloc.h>
#include <mmtwin/kern.h>
#include "mm/internal.h"
#include "arch/x86/kern_internal.h"
#include "init/boot.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

/* A raw entry read straight from frame memory. */
static uint64_t raw_entry(struct mmt_machine *m, uint64_t table, unsigned i)
{
	const unsigned char *b = mmt_frame_data(m, table, false);
	unsigned es = m->layout.paging.entry_size, k;
	uint64_t v = 0;

	for (k = 0; b && k < es; k++)
		v |= (uint64_t)b[i * es + k] << (8 * k);
	return v;
}

TEST(pgtable_bit_values_match_kernel)
{
	/* _PAGE_BIT_* of arch/x86/include/asm/pgtable_types.h */
	CHECK_EQ(MMT_PTE_PRESENT, 1ULL << 0);
	CHECK_EQ(MMT_PTE_RW, 1ULL << 1);
	CHECK_EQ(MMT_PTE_USER, 1ULL << 2);
	CHECK_EQ(MMT_PTE_PWT, 1ULL << 3);
	CHECK_EQ(MMT_PTE_PCD, 1ULL << 4);
	CHECK_EQ(MMT_PTE_ACCESSED, 1ULL << 5);
	CHECK_EQ(MMT_PTE_DIRTY, 1ULL << 6);
	CHECK_EQ(MMT_PTE_PSE, 1ULL << 7);
	CHECK_EQ(MMT_PTE_GLOBAL, 1ULL << 8);
	CHECK_EQ(MMT_PTE_NX, 1ULL << 63);
	CHECK_EQ(MMT_PAGE_KERNEL, 0x8000000000000163ULL);
	CHECK_EQ(MMT_PAGE_KERNEL_EXEC, 0x163ULL);
}

/* An address in vmalloc space aligned to 2^shift, in the kernel half. */
static uint64_t vmalloc_aligned(struct mmt_machine *m, unsigned shift)
{
	uint64_t size = 1ULL << shift;

	return (m->layout.vmalloc_start + 2 * size - 1) & ~(size - 1);
}

/* Map, look up, read the raw entry, unmap: one size on one profile. */
static void roundtrip(struct mmt_machine *m, unsigned shift)
{
	uint64_t pgd = mmt_init_mm_pgd(m), va = vmalloc_aligned(m, shift);
	uint64_t pfn = (1ULL << (shift - 12)) * 3, want;
	bool nx = m->layout.paging.entry_size == 8;
	struct mmt_pt_leaf leaf;
	uint64_t before = mmt_pgtable_pages(m);

	CHECK_EQ(mmt_pt_map(m, pgd, va, pfn, MMT_PAGE_KERNEL, shift), 0);
	PT_OK(m);
	CHECK_EQ(mmt_pt_map(m, pgd, va, pfn, MMT_PAGE_KERNEL, shift), -EEXIST);
	uint64_t off = shift > 12 ? 0x1234 : 0x234;

	CHECK_EQ(mmt_pt_lookup(m, pgd, va + off, &leaf), 0);
	CHECK_EQ(leaf.page_shift, shift);
	CHECK_EQ(leaf.pfn, pfn + (off >> 12));
	want = (pfn << 12) | (MMT_PAGE_KERNEL & (nx ? ~0ULL : ~MMT_PTE_NX)) |
	       (shift > 12 ? MMT_PTE_PSE : 0);
	CHECK_EQ(leaf.entry, want);
	{
		/* find the table holding the leaf by walking from the top */
		unsigned lvl = leaf.level, idx[5], i;
		uint64_t tbl = pgd, pgoff;

		mmt_va_indexes(&m->layout.paging, va, idx, &pgoff);
		for (i = 0; i < lvl; i++)
			tbl = (raw_entry(m, tbl, idx[i]) &
			       (nx ? 0x000ffffffffff000ULL : 0xfffff000ULL)) >> 12;
		CHECK_EQ(raw_entry(m, tbl, idx[lvl]), want);
	}
	CHECK_EQ(mmt_pt_unmap(m, pgd, va), 0);
	PT_OK(m);
	CHECK_EQ(mmt_pt_lookup(m, pgd, va, &leaf), -ENOENT);
	CHECK_EQ(mmt_pt_unmap(m, pgd, va), -ENOENT);
	CHECK(mmt_pgtable_pages(m) >= before);
}

TEST(pgtable_map_lookup_unmap_all_sizes)
{
	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = test_machine(all_arches[a], "1G");
		const struct mmt_paging *p = &m->layout.paging;

		PT_OK(m);
		roundtrip(m, 12);
		for (unsigned l = 0; l < p->levels; l++)
			if (p->large_levels >> l & 1 &&
			    (p->shift[l] < 30 || mmt_arch_is_64(m->layout.arch)))
				roundtrip(m, p->shift[l]);
		mmt_machine_free(m);
	}
}

TEST(pgtable_map_rejects_bad_arguments)
{
	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = test_machine(all_arches[a], "1G");
		uint64_t pgd = mmt_init_mm_pgd(m);
		uint64_t va = vmalloc_aligned(m, 22);

		CHECK_EQ(mmt_pt_map(m, pgd, va + 0x800, 5, MMT_PAGE_KERNEL, 12),
			 -EINVAL);
		CHECK_EQ(mmt_pt_map(m, pgd, va, 5, MMT_PAGE_KERNEL, 13),
			 -EINVAL);
		CHECK_EQ(mmt_pt_map(m, pgd, va, 5, 0, 12), -EINVAL);
		if (m->layout.paging.levels < 4)	/* no 1G pages */
			CHECK_EQ(mmt_pt_map(m, pgd, 0xc0000000, 0,
					    MMT_PAGE_KERNEL, 30), -EINVAL);
		else	/* non-canonical */
			CHECK_EQ(mmt_pt_map(m, pgd, 0x4000000000000000ULL, 0,
					    MMT_PAGE_KERNEL, 12), -EINVAL);
		/* 4K inside the direct map's large page: covered already */
		CHECK_EQ(mmt_kernel_map(m, m->layout.page_offset + 0x1000000,
					7, MMT_PAGE_KERNEL), -EEXIST);
		PT_OK(m);
		mmt_machine_free(m);
	}
}

TEST(pgtable_direct_map_is_pa)
{
	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = test_machine(all_arches[a], "2G");
		uint64_t low = m->layout.max_low_pfn << 12;
		uint64_t pas[] = { 0x1000, 0x9f000, 0x100000, 0x1234000,
				   0x20000000, low - 0x1000 };
		struct mmt_pt_leaf leaf;

		for (unsigned i = 0; i < sizeof(pas) / sizeof(pas[0]); i++) {
			uint64_t va = m->layout.page_offset + pas[i] + 0x10;

			CHECK_EQ(mmt_pt_lookup(m, mmt_init_mm_pgd(m), va,
					       &leaf), 0);
			CHECK_EQ(leaf.pfn, pas[i] >> 12);
			CHECK(leaf.entry & MMT_PTE_GLOBAL);
			CHECK(leaf.entry & MMT_PTE_RW);
		}
		/* large pages where aligned */
		CHECK_EQ(mmt_pt_lookup(m, mmt_init_mm_pgd(m),
				       m->layout.page_offset + 0x1000000, &leaf), 0);
		CHECK(leaf.page_shift > 12);
		/* the ISA range is 4K pages */
		CHECK_EQ(mmt_pt_lookup(m, mmt_init_mm_pgd(m),
				       m->layout.page_offset + 0x1000, &leaf), 0);
		CHECK_EQ(leaf.page_shift, 12);
		/* nothing above lowmem */
		if (!mmt_arch_is_64(m->layout.arch))
			CHECK_EQ(mmt_pt_lookup(m, mmt_init_mm_pgd(m),
					       m->layout.page_offset + low,
					       &leaf), -ENOENT);
		PT_OK(m);
		mmt_machine_free(m);
	}
}

TEST(pgtable_x86_64_kernel_image_and_gbpages)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "4G");
	struct mmt_pt_leaf leaf;

	CHECK_EQ(mmt_pt_lookup(m, mmt_init_mm_pgd(m),
			       m->layout.start_kernel_map + 0x1000000, &leaf), 0);
	CHECK_EQ(leaf.page_shift, 21);
	CHECK_EQ(leaf.pfn, 0x1000);
	CHECK(!(leaf.entry & MMT_PTE_NX));
	CHECK_EQ(mmt_pt_lookup(m, mmt_init_mm_pgd(m),
			       m->layout.page_offset + 0x40000000, &leaf), 0);
	CHECK_EQ(leaf.page_shift, 30);
	CHECK(leaf.entry & MMT_PTE_NX);
	mmt_machine_free(m);
}

TEST(pgtable_1tib_boots_fast)
{
	struct timespec t0, t1;
	struct mmt_machine *m;
	struct mmt_pt_leaf leaf;
	double s;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	m = test_machine(MMT_ARCH_X86_64, "1T");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	CHECK(s < 1.0);
	CHECK(mmt_pgtable_pages(m) < 64);
	CHECK_EQ(mmt_pt_lookup(m, mmt_init_mm_pgd(m),
			       m->layout.page_offset + (900ULL << 30), &leaf), 0);
	CHECK_EQ(leaf.page_shift, 30);
	CHECK_EQ(leaf.pfn, (900ULL << 30) >> 12);
	PT_OK(m);
	mmt_machine_free(m);
}

/*
 * Unmapping frees no table (the kernel's zap does not); free_pgd_range
 * with exit's floor/ceiling (0, 0) does, and pgd_free gives the rest back.
 */
TEST(pgtable_user_tables_freed)
{
	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = test_machine(all_arches[a], "1G");
		uint64_t free0 = mmt_phys_free_pages(m), pt0, pgd, pt1, pt2;
		unsigned lv = m->layout.paging.levels;
		struct mmt_pt_leaf leaf;

		pt0 = mmt_pgtable_pages(m);
		CHECK_EQ(mmt_pgd_alloc(m, &pgd), 0);
		PT_OK(m);
		pt1 = mmt_pgtable_pages(m);
		CHECK_EQ(pt1 - pt0, lv == 3 ? 1 + m->kern->kern_pgd_start : 1);
		CHECK_EQ(mmt_pt_map(m, pgd, 0x400000, 0x1234,
				    MMT_PTE_PRESENT | MMT_PTE_USER, 12), 0);
		PT_OK(m);
		pt2 = mmt_pgtable_pages(m);
		CHECK_EQ(pt2 - pt1, lv == 3 ? 1 : lv - 1);
		CHECK_EQ(mmt_pt_lookup(m, pgd, 0x400123, &leaf), 0);
		CHECK_EQ(leaf.pfn, 0x1234);
		/* kernel half shared: the direct map is visible */
		CHECK_EQ(mmt_pt_lookup(m, pgd, m->layout.page_offset + 0x2000000,
				       &leaf), 0);
		CHECK_EQ(leaf.pfn, 0x2000);
		/* kernel addresses only through init_mm */
		CHECK_EQ(mmt_pt_map(m, pgd, vmalloc_aligned(m, 12), 1,
				    MMT_PAGE_KERNEL, 12), -EINVAL);
		CHECK_EQ(mmt_pt_unmap(m, pgd, 0x400000), 0);
		PT_OK(m);
		CHECK_EQ(mmt_pgtable_pages(m), pt2);	/* zap frees nothing */
		/* exit: free_pgtables(FIRST_USER_ADDRESS, USER_PGTABLES_CEILING);
		 * on PAE that includes the PMD of the first GiB */
		CHECK_EQ(mmt_free_pgd_range(m, pgd, 0x400000, 0x401000, 0, 0),
			 lv == 3 ? 2 : lv - 1);
		PT_OK(m);
		CHECK_EQ(mmt_pgtable_pages(m), pt1 - (lv == 3));
		mmt_pgd_free(m, pgd);
		PT_OK(m);
		CHECK_EQ(mmt_pgtable_pages(m), pt0);
		CHECK_EQ(mmt_phys_free_pages(m), free0);
		mmt_machine_free(m);
	}
}

#define UP (MMT_PTE_PRESENT | MMT_PTE_USER | MMT_PTE_RW)

/*
 * The floor/ceiling rules of free_pgd_range (mm/memory.c), on every
 * format.  S is PMD_SIZE, what one PTE table covers (2M, or 4M non-PAE):
 *
 *   A = [base, base+4K)   B = [base+S, base+S+4K)   C = [base+8K, ..)
 *
 *  - munmap A, ceiling = B's start (B in the next PTE table, same upper
 *    tables): only A's PTE table goes;
 *  - munmap A, ceiling = C's start (C shares A's PTE table): nothing;
 *  - munmap C, floor = A's end (A shares the table below): nothing.
 */
TEST(pgtable_free_pgd_range_floor_ceiling)
{
	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = test_machine(all_arches[a], "1G");
		const struct mmt_paging *p = &m->layout.paging;
		uint64_t S = 1ULL << p->shift[p->levels - 2];
		uint64_t base = 0x10000000, pgd, pt, A = base, B = base + S,
			 C = base + 0x2000;
		struct mmt_pt_leaf leaf;

		CHECK_EQ(mmt_pgd_alloc(m, &pgd), 0);
		CHECK_EQ(mmt_pt_map(m, pgd, A, 0x100, UP, 12), 0);
		CHECK_EQ(mmt_pt_map(m, pgd, B, 0x101, UP, 12), 0);
		CHECK_EQ(mmt_pt_map(m, pgd, C, 0x102, UP, 12), 0);
		pt = mmt_pgtable_pages(m);
		/* C shares A's PTE table: munmap A with ceiling = C */
		CHECK_EQ(mmt_pt_unmap(m, pgd, A), 0);
		CHECK_EQ(mmt_free_pgd_range(m, pgd, A, A + 0x1000, 0, C), 0);
		CHECK_EQ(mmt_pgtable_pages(m), pt);
		/* A's end as C's floor: the shared table stays too */
		CHECK_EQ(mmt_free_pgd_range(m, pgd, C, C + 0x1000, A + 0x1000, B),
			 0);
		CHECK_EQ(mmt_pgtable_pages(m), pt);
		CHECK_EQ(mmt_pt_lookup(m, pgd, C, &leaf), 0);
		/* now C goes; B is the ceiling: one PTE table freed */
		CHECK_EQ(mmt_pt_unmap(m, pgd, C), 0);
		CHECK_EQ(mmt_free_pgd_range(m, pgd, C, C + 0x1000, 0, B), 1);
		CHECK_EQ(mmt_pgtable_pages(m), pt - 1);
		CHECK_EQ(mmt_pt_lookup(m, pgd, B, &leaf), 0);
		CHECK_EQ(leaf.pfn, 0x101);
		PT_OK(m);
		/* not on process PGDs or the kernel half */
		CHECK_EQ(mmt_free_pgd_range(m, mmt_init_mm_pgd(m), B, B + 1, 0,
					    0), -EINVAL);
		CHECK_EQ(mmt_free_pgd_range(m, pgd, B, B, 0, 0), -EINVAL);
		CHECK_EQ(mmt_free_pgd_range(m, pgd, m->layout.page_offset,
					    m->layout.page_offset + 0x1000, 0,
					    0), -EINVAL);
		mmt_pgd_free(m, pgd);
		PT_OK(m);
		mmt_machine_free(m);
	}
}

/*
 * x86_64, the upper levels.  P = [1G, 1G+4K), A = [1G+2M, 1G+2M+4K) in
 * the same PMD table (it covers [1G, 2G)), N at 2G in the next one:
 *  - munmap A (floor = P's end, ceiling = N): A's PTE table goes, the PMD
 *    table stays (its range starts below the floor);
 *  - munmap P (floor below 1G, ceiling = N): P's PTE table and the PMD
 *    table go, the PUD table stays (the PGDIR granule is 512G: the ceiling
 *    rounds down to 0, i.e. below the range's end).
 */
TEST(pgtable_free_pgd_range_upper_levels_x86_64)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "1G");
	uint64_t pgd, pt, G = 1ULL << 30, M2 = 1ULL << 21;

	CHECK_EQ(mmt_pgd_alloc(m, &pgd), 0);
	CHECK_EQ(mmt_pt_map(m, pgd, G, 0x100, UP, 12), 0);
	CHECK_EQ(mmt_pt_map(m, pgd, G + M2, 0x101, UP, 12), 0);
	CHECK_EQ(mmt_pt_map(m, pgd, 2 * G, 0x102, UP, 12), 0);
	pt = mmt_pgtable_pages(m);
	CHECK_EQ(mmt_pt_unmap(m, pgd, G + M2), 0);
	CHECK_EQ(mmt_free_pgd_range(m, pgd, G + M2, G + M2 + 0x1000,
				    G + 0x1000, 2 * G), 1);
	CHECK_EQ(mmt_pt_unmap(m, pgd, G), 0);
	CHECK_EQ(mmt_free_pgd_range(m, pgd, G, G + 0x1000, 0x1000, 2 * G), 2);
	CHECK_EQ(mmt_pgtable_pages(m), pt - 3);
	PT_OK(m);
	/* the last VMA with exit's 0/0: its PTE, PMD and PUD tables */
	CHECK_EQ(mmt_pt_unmap(m, pgd, 2 * G), 0);
	CHECK_EQ(mmt_free_pgd_range(m, pgd, 2 * G, 2 * G + 0x1000, 0, 0), 3);
	CHECK_EQ(mmt_pgtable_pages(m), pt - 6);
	PT_OK(m);
	mmt_pgd_free(m, pgd);
	PT_OK(m);
	mmt_machine_free(m);
}

/*
 * vfree never frees init_mm's page tables (vunmap_range): the PTE tables
 * a 3 MB vmalloc allocated stay, PageTables unchanged.
 */
TEST(pgtable_vfree_keeps_kernel_tables)
{
	static const enum mmt_arch arches[] = { MMT_ARCH_X86_32,
						MMT_ARCH_X86_64 };

	for (unsigned a = 0; a < 2; a++) {
		struct mmt_machine *m = test_machine(arches[a], "2G");
		uint64_t before, mapped, va;

		before = mmt_pgtable_pages(m);
		CHECK_EQ(mmt_vmalloc(m, 3000000, NULL, &va), 0);
		mapped = mmt_pgtable_pages(m);
		CHECK(mapped > before);
		CHECK_EQ(mmt_vfree(m, va), 0);
		CHECK_EQ(mmt_pgtable_pages(m), mapped);
		PT_OK(m);
		/* the next vmalloc reuses them */
		CHECK_EQ(mmt_vmalloc(m, 3000000, NULL, &va), 0);
		CHECK_EQ(mmt_pgtable_pages(m), mapped);
		mmt_machine_free(m);
	}
}

/* A new kernel top-level entry reaches every process PGD. */
TEST(pgtable_kernel_pgd_sync)
{
	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = test_machine(all_arches[a], "1G");
		uint64_t pgd, va = vmalloc_aligned(m, 22) + (64ULL << 20);
		struct mmt_pt_leaf leaf;

		if (mmt_arch_is_64(m->layout.arch))
			va = m->layout.vmalloc_start + (1ULL << 40);
		CHECK_EQ(mmt_pgd_alloc(m, &pgd), 0);
		CHECK_EQ(mmt_kernel_map(m, va, 0x77, MMT_PAGE_KERNEL), 0);
		CHECK_EQ(mmt_pt_lookup(m, pgd, va, &leaf), 0);
		CHECK_EQ(leaf.pfn, 0x77);
		PT_OK(m);
		CHECK_EQ(mmt_kernel_unmap(m, va), 0);
		CHECK_EQ(mmt_pt_lookup(m, pgd, va, &leaf), -ENOENT);
		PT_OK(m);
		mmt_pgd_free(m, pgd);
		PT_OK(m);
		mmt_machine_free(m);
	}
}

/* Teardown gives back every page-table page. */
TEST(pgtable_teardown_returns_pages)
{
	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = test_machine(all_arches[a], "1G");
		uint64_t pgd, free1, pt;

		CHECK_EQ(mmt_pgd_alloc(m, &pgd), 0);
		CHECK_EQ(mmt_pt_map(m, pgd, 0x8000000, 0x99,
				    MMT_PTE_PRESENT | MMT_PTE_USER, 12), 0);
		mmt_kalloc_exit(m);
		m->kalloc = NULL;
		free1 = mmt_phys_free_pages(m);
		pt = mmt_pgtable_pages(m);
		CHECK(pt > 0);
		mmt_kern_exit(m);
		CHECK(m->kern == NULL);
		CHECK_EQ(mmt_phys_free_pages(m), free1 + pt);
		mmt_machine_free(m);
	}
}

TEST(pgtable_checker_catches_corruption)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "1G");
	uint64_t va = vmalloc_aligned(m, 12), pgd = mmt_init_mm_pgd(m);
	unsigned char *t;
	unsigned idx[5];
	uint64_t off;
	char err[256];

	CHECK_EQ(mmt_kernel_map(m, va, 0x10, MMT_PAGE_KERNEL), 0);
	mmt_va_indexes(&m->layout.paging, va, idx, &off);
	t = mmt_frame_data(m, pgd, false);
	t[idx[0] * 8 + 1] ^= 0x10;	/* points to another frame */
	CHECK(mmt_pgtable_check(m, err, sizeof(err)) != 0);
	t[idx[0] * 8 + 1] ^= 0x10;
	PT_OK(m);
	t[idx[0] * 8] |= 0x80;		/* PSE in a PGD entry */
	CHECK(mmt_pgtable_check(m, err, sizeof(err)) != 0);
	CHECK(strstr(err, "reserved") != NULL);
	t[idx[0] * 8] &= 0x7f;
	PT_OK(m);
	mmt_machine_free(m);
}
