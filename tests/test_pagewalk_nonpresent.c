// SPDX-License-Identifier: MIT
/*
 * Non-present PTEs that carry information: the x86 swap and PROT_NONE
 * encodings against values computed from the kernel's formulas, and every
 * consumer (walker, checker, MMU, map/unmap, teardown, ptdump).
 */
#include "test_pgtable.h"

#include <mmtwin/pagewalk.h>

#include <errno.h>
#include <stdlib.h>

#define UP (MMT_PTE_PRESENT | MMT_PTE_USER | MMT_PTE_RW)

/*
 * Expected values, worked out by hand from the kernel's macros:
 *   x86_64/PAE __swp_entry(t, o) = (~o << 14 >> 5) | t << 59
 *   2-level    __swp_entry(t, o) = t << 1 | o << 9
 *   pfn_pte(pfn, PAGE_NONE) = (~(pfn << 12) & PTE_PFN_MASK) | 0x120
 *   (PTE_PFN_MASK: bits 12..51 on x86_64, 12..43 on PAE; no inversion
 *   with 2-level tables)
 */
TEST(nonpresent_encodings_match_kernel_formulas)
{
	struct mmt_machine *m64 = test_machine(MMT_ARCH_X86_64, "1G");
	struct mmt_machine *pae = test_machine(MMT_ARCH_X86_32_PAE, "1G");
	struct mmt_machine *m32 = test_machine(MMT_ARCH_X86_32, "1G");
	uint64_t pte, off;
	unsigned type;

	CHECK_EQ(MMT_PAGE_NONE, 0x120);
	CHECK_EQ(mmt_swp_entry_to_pte(m64, 1, 0x1234, &pte), 0);
	CHECK_EQ(pte, 0x0fffffffffdb9600ULL);
	CHECK_EQ(mmt_swp_entry_to_pte(m64, 31, 0, &pte), 0);
	CHECK_EQ(pte, 0xfffffffffffffe00ULL);
	CHECK_EQ(mmt_pte_to_swp_entry(m64, 0x0fffffffffdb9600ULL, &type,
				      &off), 0);
	CHECK_EQ(type, 1);
	CHECK_EQ(off, 0x1234);
	CHECK_EQ(mmt_swp_offset_max(m64), (1ULL << 50) - 1);
	CHECK_EQ(mmt_swp_entry_to_pte(m64, 32, 0, &pte), -EINVAL);
	CHECK_EQ(mmt_swp_entry_to_pte(m64, 0, 1ULL << 50, &pte), -EINVAL);

	/* PAE: the same PTE layout, a 32-bit swp_entry_t */
	CHECK_EQ(mmt_swp_entry_to_pte(pae, 2, (1ULL << 27) - 1, &pte), 0);
	CHECK_EQ(pte, 0x17fffff000000000ULL);
	CHECK_EQ(mmt_swp_entry_to_pte(pae, 2, 1ULL << 27, &pte), -EINVAL);
	CHECK_EQ(mmt_pte_to_swp_entry(pae, 0x17fffff000000000ULL, &type,
				      &off), 0);
	CHECK_EQ(type, 2);
	CHECK_EQ(off, (1ULL << 27) - 1);

	/* 2-level */
	CHECK_EQ(mmt_swp_entry_to_pte(m32, 3, 0x1234, &pte), 0);
	CHECK_EQ(pte, 0x246806);
	CHECK_EQ(mmt_swp_offset_max(m32), (1ULL << 23) - 1);
	CHECK_EQ(mmt_pte_to_swp_entry(m32, 0x246806, &type, &off), 0);
	CHECK_EQ(type, 3);
	CHECK_EQ(off, 0x1234);

	/* PROT_NONE: inverted pfn with 8-byte entries */
	CHECK_EQ(mmt_pfn_pte(m64, 0x1234, MMT_PAGE_NONE), 0xffffffedcb120ULL);
	CHECK_EQ(mmt_pfn_pte(pae, 0x1234, MMT_PAGE_NONE), 0xffffedcb120ULL);
	CHECK_EQ(mmt_pfn_pte(m32, 0x1234, MMT_PAGE_NONE), 0x1234120ULL);
	CHECK_EQ(mmt_pte_pfn(m64, 0xffffffedcb120ULL), 0x1234);
	CHECK_EQ(mmt_pte_pfn(pae, 0xffffedcb120ULL), 0x1234);
	CHECK_EQ(mmt_pte_pfn(m64, mmt_pfn_pte(m64, 0x1234, UP)), 0x1234);
	/* pte_present(): P or PROTNONE; a swap PTE is neither */
	CHECK(mmt_pte_present(0xffffffedcb120ULL));
	CHECK(mmt_pte_protnone(0xffffffedcb120ULL));
	CHECK(!mmt_is_swap_pte(0xffffffedcb120ULL));
	CHECK(mmt_is_swap_pte(0x0fffffffffdb9600ULL));
	CHECK(!mmt_is_swap_pte(0));
	CHECK_EQ(mmt_pte_to_swp_entry(m64, 0xffffffedcb120ULL, &type, &off),
		 -EINVAL);
	CHECK_EQ(mmt_pte_swp_exclusive_bit(m64), MMT_PTE_PWT);
	CHECK_EQ(mmt_pte_swp_exclusive_bit(m32), MMT_PTE_PSE);
	mmt_machine_free(m64);
	mmt_machine_free(pae);
	mmt_machine_free(m32);
}

static int count_np(const struct mmt_walk_entry *e, struct mmt_walk *w)
{
	uint64_t *seen = w->priv;

	seen[0]++;
	seen[1] ^= e->value;
	return 0;
}

static unsigned xl(struct mmt_machine *m, unsigned cpu, uint64_t va,
		   unsigned acc)
{
	uint64_t pa;
	unsigned pf = 0;

	return mmt_mmu_translate(m, cpu, va, acc, &pa, &pf) == MMT_XLATE_OK ?
	       0x100 : pf;
}

/* A swap PTE and a PROT_NONE PTE in a process: every consumer copes. */
TEST(nonpresent_ptes_in_every_consumer)
{
	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = test_machine(all_arches[a], "1G");
		const struct mmt_walk_ops ops = { .nonpresent = count_np };
		uint64_t pgd, swp, pn, raw, seen[2] = { 0, 0 }, pt;
		uint64_t va = 0x20001000, va2 = 0x20002000;
		struct mmt_pt_leaf leaf;
		unsigned lvl;

		CHECK_EQ(mmt_pgd_alloc(m, &pgd), 0);
		CHECK_EQ(mmt_swp_entry_to_pte(m, 1, 0x4242, &swp), 0);
		pn = mmt_pfn_pte(m, 0x777, MMT_PAGE_NONE);
		CHECK_EQ(mmt_pt_set_pte(m, pgd, va, swp), 0);
		CHECK_EQ(mmt_pt_set_pte(m, pgd, va2, pn), 0);
		PT_OK(m);
		CHECK_EQ(mmt_pt_get_pte(m, pgd, va, &raw, &lvl), 0);
		CHECK_EQ(raw, swp);
		CHECK_EQ(lvl, m->layout.paging.levels - 1);
		/* the walker hands them to nonpresent() */
		CHECK_EQ(mmt_walk_page_range(m, pgd, 0x20000000, 0x20400000,
					     &ops, seen), 0);
		CHECK_EQ(seen[0], 2);
		CHECK_EQ(seen[1], swp ^ pn);
		/* the MMU sees P=0: not-present faults (user read: 0x4) */
		mmt_cpu_switch_mm(m, 0, pgd);
		CHECK_EQ(xl(m, 0, va, MMT_ACCESS_READ | MMT_ACCESS_USER), 0x4);
		CHECK_EQ(xl(m, 0, va2, MMT_ACCESS_WRITE | MMT_ACCESS_USER),
			 0x6);
		CHECK_EQ(mmt_pt_lookup(m, pgd, va2, &leaf), -ENOENT);
		/* not pte_none: map refuses, unmap (zap) clears */
		CHECK_EQ(mmt_pt_map(m, pgd, va, 0x55, UP, 12), -EEXIST);
		CHECK_EQ(mmt_pt_unmap(m, pgd, va), 0);
		CHECK_EQ(mmt_pt_get_pte(m, pgd, va, &raw, &lvl), 0);
		CHECK_EQ(raw, 0);
		CHECK_EQ(mmt_pt_map(m, pgd, va, 0x55, UP, 12), 0);
		CHECK_EQ(xl(m, 0, va, MMT_ACCESS_READ | MMT_ACCESS_USER), 0x100);
		/* a present PTE replaced by PROT_NONE is flushed */
		CHECK_EQ(mmt_pt_set_pte(m, pgd, va, mmt_pfn_pte(m, 0x55,
						MMT_PAGE_NONE)), 0);
		CHECK_EQ(xl(m, 0, va, MMT_ACCESS_READ | MMT_ACCESS_USER), 0x4);
		PT_OK(m);
		/* a table holding only a swap PTE is not empty: no 2M leaf */
		if (m->layout.paging.entry_size == 8) {
			CHECK_EQ(mmt_pt_unmap(m, pgd, va), 0);
			CHECK_EQ(mmt_pt_unmap(m, pgd, va2), 0);
			CHECK_EQ(mmt_pt_set_pte(m, pgd, 0x20003000, swp), 0);
			CHECK_EQ(mmt_pt_map(m, pgd, 0x20000000, 0x200, UP, 21),
				 -EEXIST);
			CHECK_EQ(mmt_pt_unmap(m, pgd, 0x20003000), 0);
			pt = mmt_pgtable_pages(m);
			CHECK_EQ(mmt_pt_map(m, pgd, 0x20000000, 0x200, UP, 21),
				 0);
			CHECK_EQ(mmt_pgtable_pages(m), pt - 1);
			/* a swap PTE under a 2M leaf cannot be stored */
			CHECK_EQ(mmt_pt_set_pte(m, pgd, 0x20003000, swp),
				 -EEXIST);
			CHECK_EQ(mmt_pt_unmap(m, pgd, 0x20000000), 0);
		}
		/* teardown with non-present PTEs left in place */
		CHECK_EQ(mmt_pt_set_pte(m, pgd, 0x30000000, swp), 0);
		mmt_pgd_free(m, pgd);
		PT_OK(m);
		mmt_machine_free(m);
	}
}

/* Malformed encodings: refused by mmt_pt_set_pte, caught by the checker. */
TEST(nonpresent_checker_validates_format)
{
	static const struct { enum mmt_arch a; uint64_t bad; } t[] = {
		{ MMT_ARCH_X86_64, 0x0fffffffffdb9680ULL },	/* bit 7 */
		{ MMT_ARCH_X86_32_PAE, 0x17fffff000000002ULL },	/* bit 1 */
		{ MMT_ARCH_X86_32_PAE, 0x17ffff0000000000ULL },	/* 28-bit off */
		{ MMT_ARCH_X86_32, 0x246846ULL },		/* bit 6 */
		{ MMT_ARCH_X86_32_PAE, 0x00fff00000000120ULL },	/* PROT_NONE
								 * above 44 bits */
	};

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct mmt_machine *m = test_machine(t[i].a, "1G");
		const struct mmt_paging *p = &m->layout.paging;
		uint64_t pgd, va = 0x20001000, raw, tbl, good;
		unsigned idx[5], lvl, l;
		uint64_t off;
		unsigned char *b;
		char err[256];

		CHECK_EQ(mmt_pgd_alloc(m, &pgd), 0);
		CHECK_EQ(mmt_pt_set_pte(m, pgd, va, t[i].bad), -EINVAL);
		CHECK_EQ(mmt_swp_entry_to_pte(m, 1, 5, &good), 0);
		CHECK_EQ(mmt_pt_set_pte(m, pgd, va, good), 0);
		PT_OK(m);
		/* write the bad value behind the API's back */
		mmt_va_indexes(p, va, idx, &off);
		for (tbl = pgd, l = 0; l + 1 < p->levels; l++)
			tbl = (mmt_pt_entry_read(m, tbl, idx[l]) &
			       0x000ffffffffff000ULL) >> 12;
		b = mmt_frame_data(m, tbl, false);
		for (unsigned k = 0; k < p->entry_size; k++)
			b[idx[l] * p->entry_size + k] =
				(unsigned char)(t[i].bad >> (8 * k));
		CHECK_EQ(mmt_pt_get_pte(m, pgd, va, &raw, &lvl), 0);
		CHECK_EQ(raw, t[i].bad);
		CHECK(mmt_pgtable_check(m, err, sizeof(err)) != 0);
		mmt_pt_unmap(m, pgd, va);
		PT_OK(m);
		mmt_pgd_free(m, pgd);
		mmt_machine_free(m);
	}
}

/*
 * ptdump: a PROT_NONE PTE in init_mm is its own 4K range with no flags
 * (the kernel's note_page compares raw flags; P is clear so none print).
 */
TEST(nonpresent_ptdump_shows_own_range)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "1G");
	uint64_t va = m->layout.vmalloc_start + (64ULL << 20);
	char *buf = NULL, want[160];
	size_t len = 0;
	FILE *o;

	CHECK_EQ(mmt_kernel_map(m, va - 0x1000, 0x300, MMT_PAGE_KERNEL), 0);
	CHECK_EQ(mmt_pt_set_pte(m, mmt_init_mm_pgd(m), va,
				mmt_pfn_pte(m, 0x301, MMT_PAGE_NONE)), 0);
	PT_OK(m);
	o = open_memstream(&buf, &len);
	mmt_ptdump_print(m, o, MMT_FMT_TEXT);
	fclose(o);
	snprintf(want, sizeof(want), "0x%016" PRIx64 "-0x%016" PRIx64
		 "           4K                              pte\n"
		 "0x%016" PRIx64 "-", va, va + 0x1000, va + 0x1000);
	CHECK(buf && strstr(buf, want));
	free(buf);
	mmt_machine_free(m);
}
