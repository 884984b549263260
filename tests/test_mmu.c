// SPDX-License-Identifier: MIT
/* The MMU and the TLB: translations, fault error codes, flushes. */
#include "test_pgtable.h"

#include <mmtwin/kern.h>
#include "arch/x86/kern_internal.h"

#include <errno.h>
#include <stdlib.h>

#define R MMT_ACCESS_READ
#define W MMT_ACCESS_WRITE
#define X MMT_ACCESS_EXEC
#define U MMT_ACCESS_USER

/* Translate; returns the PF error code, 0x100 for OK, 0x200 for #GP. */
static unsigned xl(struct mmt_machine *m, unsigned cpu, uint64_t va,
		   unsigned acc, uint64_t *pa)
{
	uint64_t p = 0;
	unsigned pf = 0;
	int r = mmt_mmu_translate(m, cpu, va, acc, &p, &pf);

	if (pa)
		*pa = p;
	return r == MMT_XLATE_OK ? 0x100 : r == MMT_XLATE_GP ? 0x200 : pf;
}

static struct mmt_machine *boot(enum mmt_arch a)
{
	struct mmt_config c;
	char err[256];

	mmt_config_init(&c, a);
	if (mmt_config_set(&c, "cpus", "4", err, sizeof(err)) ||
	    mmt_config_set(&c, "mem", "2G", err, sizeof(err)))
		return NULL;
	return test_machine_cfg(&c);
}

static uint64_t kva(struct mmt_machine *m)
{
	return (m->layout.vmalloc_start + (8ULL << 20)) & ~((4ULL << 20) - 1);
}

TEST(mmu_direct_map_translates_to_pa)
{
	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = boot(all_arches[a]);
		uint64_t low = m->layout.max_low_pfn << 12, pa;
		uint64_t pas[] = { 0x1008, 0x100000, 0x1234567, 0x3fffff0,
				   low - 8 };

		for (unsigned i = 0; i < 5; i++) {
			CHECK_EQ(xl(m, i % 4, m->layout.page_offset + pas[i], R,
				    &pa), 0x100);
			CHECK_EQ(pa, pas[i]);
			/* again: a TLB hit gives the same */
			CHECK_EQ(xl(m, i % 4, m->layout.page_offset + pas[i], W,
				    &pa), 0x100);
			CHECK_EQ(pa, pas[i]);
		}
		CHECK(m->kern->cpus[0].tlb.hits > 0);
		PT_OK(m);
		mmt_machine_free(m);
	}
}

TEST(mmu_fault_error_codes)
{
	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = boot(all_arches[a]);
		bool nx = m->layout.paging.entry_size == 8;
		uint64_t dm = m->layout.page_offset + 0x2000000, va = kva(m);

		/* user access to kernel: present 0x5, not present 0x4 */
		CHECK_EQ(xl(m, 0, dm, R | U, NULL), 0x5);
		CHECK_EQ(xl(m, 0, dm, W | U, NULL), 0x7);
		CHECK_EQ(xl(m, 0, va, R | U, NULL), 0x4);
		CHECK_EQ(xl(m, 0, va, R, NULL), 0x0);
		CHECK_EQ(xl(m, 0, va, W, NULL), 0x2);
		/* kernel write to a read-only page (CR0.WP) */
		CHECK_EQ(mmt_kernel_map(m, va, 0x50, MMT_PAGE_KERNEL_RO), 0);
		PT_OK(m);
		CHECK_EQ(xl(m, 1, va, R, NULL), 0x100);
		CHECK_EQ(xl(m, 1, va, W, NULL), 0x3);
		/* exec of an NX page: instr|prot; no NX without PAE */
		CHECK_EQ(xl(m, 1, va, X, NULL), nx ? 0x11 : 0x100);
		CHECK_EQ(xl(m, 1, dm, X, NULL), nx ? 0x11 : 0x100);
		CHECK_EQ(xl(m, 1, va + 0x1000, X, NULL), nx ? 0x10 : 0x0);
		/* non-canonical / beyond 4 GiB: #GP */
		CHECK_EQ(xl(m, 0, m->layout.paging.levels >= 4 ?
			    0x4000000000000000ULL : 0x100000000ULL, R, NULL),
			 0x200);
		if (m->layout.paging.levels == 4)
			CHECK_EQ(xl(m, 0, 0x0000800000000000ULL, R, NULL),
				 0x200);
		CHECK_EQ(mmt_kernel_unmap(m, va), 0);
		PT_OK(m);
		mmt_machine_free(m);
	}
}

TEST(mmu_user_pages_and_us_at_every_level)
{
	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = boot(all_arches[a]);
		uint64_t pgd, pa, uva = 0x08048000, tbl;
		unsigned idx[5], last = m->layout.paging.levels - 1;
		uint64_t off;
		unsigned char *t;

		CHECK_EQ(mmt_pgd_alloc(m, &pgd), 0);
		CHECK_EQ(mmt_pt_map(m, pgd, uva, 0x321,
				    MMT_PTE_PRESENT | MMT_PTE_USER, 12), 0);
		mmt_cpu_switch_mm(m, 2, pgd);
		PT_OK(m);
		CHECK_EQ(xl(m, 2, uva + 5, R | U, &pa), 0x100);
		CHECK_EQ(pa, 0x321005);
		CHECK_EQ(xl(m, 2, uva, W | U, NULL), 0x7);
		CHECK_EQ(xl(m, 2, uva, W, NULL), 0x3);
		/* another CPU still on init_mm: not mapped */
		CHECK_EQ(xl(m, 3, uva, R | U, NULL), 0x4);
		/* clear US in the entry above the PTE: user read faults */
		mmt_va_indexes(&m->layout.paging, uva, idx, &off);
		tbl = pgd;
		for (unsigned l = 0; l + 1 < last; l++)
			tbl = (mmt_pt_entry_read(m, tbl, idx[l]) &
			       0x000ffffffffff000ULL) >> 12;
		t = mmt_frame_data(m, tbl, false);
		if (m->layout.paging.levels != 3 || last - 1 != 0) {
			t[idx[last - 1] * m->layout.paging.entry_size] &= ~0x04;
			mmt_tlb_flush_one(m, 2, uva);
			CHECK_EQ(xl(m, 2, uva, R | U, NULL), 0x5);
			CHECK_EQ(xl(m, 2, uva, R, NULL), 0x100);
			t[idx[last - 1] * m->layout.paging.entry_size] |= 0x04;
			mmt_tlb_flush_one(m, 2, uva);
		}
		CHECK_EQ(xl(m, 2, uva, R | U, NULL), 0x100);
		mmt_pgd_free(m, pgd);
		CHECK_EQ(m->kern->cpus[2].cr3, mmt_init_mm_pgd(m));
		PT_OK(m);
		mmt_machine_free(m);
	}
}

TEST(mmu_accessed_dirty_bits)
{
	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = boot(all_arches[a]);
		uint64_t va = kva(m);
		struct mmt_pt_leaf leaf;

		CHECK_EQ(mmt_kernel_map(m, va, 0x60, MMT_PTE_PRESENT |
					MMT_PTE_RW), 0);
		CHECK_EQ(mmt_pt_lookup(m, mmt_init_mm_pgd(m), va, &leaf), 0);
		CHECK(!(leaf.entry & (MMT_PTE_ACCESSED | MMT_PTE_DIRTY)));
		CHECK_EQ(xl(m, 0, va, R, NULL), 0x100);
		mmt_pt_lookup(m, mmt_init_mm_pgd(m), va, &leaf);
		CHECK(leaf.entry & MMT_PTE_ACCESSED);
		CHECK(!(leaf.entry & MMT_PTE_DIRTY));
		/* write through a clean TLB entry re-walks and sets D */
		CHECK_EQ(xl(m, 0, va, W, NULL), 0x100);
		mmt_pt_lookup(m, mmt_init_mm_pgd(m), va, &leaf);
		CHECK(leaf.entry & MMT_PTE_DIRTY);
		PT_OK(m);
		mmt_machine_free(m);
	}
}

TEST(mmu_unmap_flushes_every_cpu)
{
	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = boot(all_arches[a]);
		uint64_t va = kva(m), pa;

		CHECK_EQ(mmt_kernel_map(m, va, 0x70, MMT_PAGE_KERNEL), 0);
		for (unsigned c = 0; c < 4; c++)
			CHECK_EQ(xl(m, c, va + 8, R, &pa), 0x100);
		CHECK_EQ(pa, 0x70008);
		for (unsigned c = 0; c < 4; c++)	/* cached now */
			CHECK_EQ(xl(m, c, va, R, NULL), 0x100);
		CHECK_EQ(mmt_kernel_unmap(m, va), 0);
		PT_OK(m);
		for (unsigned c = 0; c < 4; c++)
			CHECK_EQ(xl(m, c, va, R, NULL), 0x0);
		mmt_machine_free(m);
	}
}

TEST(mmu_global_survives_cr3_switch)
{
	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = boot(all_arches[a]);
		struct mmt_tlb *t = &m->kern->cpus[1].tlb;
		uint64_t pgd1, pgd2, kv = m->layout.page_offset + 0x3000000;
		uint64_t hits, misses;

		CHECK_EQ(mmt_pgd_alloc(m, &pgd1), 0);
		CHECK_EQ(mmt_pgd_alloc(m, &pgd2), 0);
		CHECK_EQ(mmt_pt_map(m, pgd1, 0x10000000, 0x444,
				    MMT_PTE_PRESENT | MMT_PTE_USER |
				    MMT_PTE_RW, 12), 0);
		mmt_cpu_switch_mm(m, 1, pgd1);
		CHECK_EQ(xl(m, 1, 0x10000000, R | U, NULL), 0x100);
		CHECK_EQ(xl(m, 1, kv, R, NULL), 0x100);
		mmt_cpu_switch_mm(m, 1, pgd2);
		hits = t->hits, misses = t->misses;
		CHECK_EQ(xl(m, 1, kv, R, NULL), 0x100);	/* global: hit */
		CHECK_EQ(t->hits, hits + 1);
		/* non-global entry gone: pgd2 has no such page */
		CHECK_EQ(xl(m, 1, 0x10000000, R | U, NULL), 0x4);
		CHECK_EQ(t->misses, misses + 1);
		/* invlpg drops a global entry too */
		mmt_tlb_flush_one(m, 1, kv);
		misses = t->misses;
		CHECK_EQ(xl(m, 1, kv, R, NULL), 0x100);
		CHECK_EQ(t->misses, misses + 1);
		mmt_pgd_free(m, pgd1);
		mmt_pgd_free(m, pgd2);
		PT_OK(m);
		mmt_machine_free(m);
	}
}

TEST(mmu_large_page_tlb_entry_covers_page)
{
	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = boot(all_arches[a]);
		struct mmt_tlb *t = &m->kern->cpus[0].tlb;
		uint64_t base = m->layout.page_offset + 0x10000000, misses, pa;

		CHECK_EQ(xl(m, 0, base, R, NULL), 0x100);
		misses = t->misses;
		for (uint64_t off = 0x1000; off < 0x200000; off += 0x11000) {
			CHECK_EQ(xl(m, 0, base + off, R, &pa), 0x100);
			CHECK_EQ(pa, 0x10000000 + off);
		}
		CHECK_EQ(t->misses, misses);
		mmt_machine_free(m);
	}
}

/* A reserved bit in a walked entry: P|RSVD in the error code. */
TEST(mmu_reserved_bit_fault)
{
	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = boot(all_arches[a]);
		const struct mmt_paging *p = &m->layout.paging;
		uint64_t va = m->layout.page_offset + 0x800000;
		unsigned idx[5];
		uint64_t off;
		unsigned char *t;
		char err[128];

		mmt_va_indexes(p, va, idx, &off);
		t = mmt_frame_data(m, mmt_init_mm_pgd(m), false);
		/* PAE PDPTE: RW is reserved; x86_64 PML4E: PSE is; a 4M PSE
		 * leaf on non-PAE: bit 13 (no PSE-36) */
		unsigned char bit = p->levels == 3 ? 0x02 :
				    p->levels == 2 ? 0x20 : 0x80;
		unsigned byte = idx[0] * p->entry_size + (p->levels == 2);

		t[byte] |= bit;
		mmt_tlb_flush_one(m, 0, va);
		CHECK_EQ(xl(m, 0, va, R, NULL), 0x9);
		CHECK_EQ(xl(m, 0, va, W | U, NULL), 0xf);
		CHECK(mmt_pgtable_check(m, err, sizeof(err)) != 0);
		t[byte] &= ~bit;
		CHECK_EQ(xl(m, 0, va, R, NULL), 0x100);
		PT_OK(m);
		mmt_machine_free(m);
	}
}

TEST(mmu_tlb_configurable)
{
	struct mmt_machine *m = boot(MMT_ARCH_X86_64);
	struct mmt_tlb *t = &m->kern->cpus[0].tlb;
	uint64_t base = m->layout.page_offset, misses;

	CHECK_EQ(t->sets * t->ways, 64);
	CHECK_EQ(mmt_tlb_configure(m, 0, 0), 0);
	CHECK_EQ(xl(m, 0, base + 0x5000, R, NULL), 0x100);
	misses = t->misses;
	CHECK_EQ(xl(m, 0, base + 0x5000, R, NULL), 0x100);
	CHECK_EQ(t->misses, misses + 1);
	CHECK_EQ(mmt_tlb_configure(m, 8, 8), 0);	/* fully associative */
	for (unsigned i = 0; i < 9; i++)
		xl(m, 0, base + 0x1000 * i, R, NULL);
	misses = t->misses;
	xl(m, 0, base, R, NULL);	/* LRU evicted the first */
	CHECK_EQ(t->misses, misses + 1);
	CHECK_EQ(mmt_tlb_configure(m, 8, 0), -EINVAL);
	mmt_machine_free(m);
}

TEST(mmu_script_commands)
{
	char *out = NULL, *err = NULL;
	int r = test_run_script(
		"machine --arch x86_64 --mem 2G --cpus 2\n"
		"walk 0xffff888000001234\n"
		"translate 0xffff888000001234\n"
		"translate 0xffff888000001234 read user cpu 1\n"
		"translate 0xffff888000001234 exec\n"
		"translate 0x4000000000000000\n"
		"tlb_flush cpu 1\n"
		"tlb_flush\n"
		"tlb\n"
		"show pagetable\n", &out, &err);

	CHECK_EQ(r, 0);
	CHECK(out && strstr(out, "PTE  index    1  entry 0x8000000000001163"));
	CHECK(out && strstr(out, "=> physical address 0x1234"));
	CHECK(out && strstr(out, "-> 0x1234\n"));
	CHECK(out && strstr(out, "error_code(0x0005) - user read access, "
			    "permissions violation"));
	CHECK(out && strstr(out, "error_code(0x0011) - supervisor "
			    "instruction fetch"));
	CHECK(out && strstr(out, "#GP"));
	CHECK(out && strstr(out, "cpu 1: cr3 pfn"));
	CHECK(out && strstr(out, "0xffff888000200000-0xffff88807fe00000"
			    "        2044M     RW         PSE GLB NX pmd"));
	free(out), free(err);
	out = err = NULL;
	CHECK(test_run_script("translate 0x1000 cpu 9\n", &out, &err) != 0);
	CHECK(err && strstr(err, "bad CPU"));
	free(out), free(err);
	out = err = NULL;
	CHECK(test_run_script("translate 0x1000 sideways\n", &out, &err) != 0);
	CHECK(err && strstr(err, "unknown word"));
	free(out), free(err);
}

TEST(mmu_cli_explain_walk)
{
	char *out = NULL;

	CHECK_EQ(test_run_cli("explain 0xffff888000001234 --walk", &out), 0);
	CHECK(out && strstr(out, "page walk of 0xffff888000001234"));
	CHECK(out && strstr(out, "P RW A D G NX"));
	CHECK(out && strstr(out, "=> physical address 0x1234"));
	free(out);
	out = NULL;
	CHECK_EQ(test_run_cli("explain 0xc0801000 --walk --arch x86_32", &out),
		 0);
	CHECK(out && strstr(out, "PSE G"));
	CHECK(out && strstr(out, "(4M)"));
	free(out);
}

static uint64_t received(struct mmt_machine *m, unsigned cpu)
{
	return m->kern->cpus[cpu].tlb.flush_received;
}

/*
 * mm_cpumask: CPU 1 runs A, CPU 2 ran A and now runs B (its bit stays in
 * A's mask: 6.18's lazy update), CPU 3 never ran A.  Unmapping in A
 * flushes CPU 1 only; freeing A's page tables reaches CPUs 1 and 2, and
 * CPU 2 leaves A's mask without flushing; kernel unmaps reach everyone.
 */
TEST(mmu_tlb_flush_only_cpus_running_the_mm)
{
	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = boot(all_arches[a]);
		struct mmt_tlb *t2 = &m->kern->cpus[2].tlb;
		uint64_t A, B, u = 0x10000000, r[4], hits;
		unsigned c;

		CHECK_EQ(mmt_pgd_alloc(m, &A), 0);
		CHECK_EQ(mmt_pgd_alloc(m, &B), 0);
		CHECK_EQ(mmt_pt_map(m, A, u, 0x444, MMT_PTE_PRESENT |
				    MMT_PTE_USER, 12), 0);
		CHECK_EQ(mmt_pt_map(m, B, u, 0x555, MMT_PTE_PRESENT |
				    MMT_PTE_USER, 12), 0);
		mmt_cpu_switch_mm(m, 1, A);
		mmt_cpu_switch_mm(m, 2, A);
		mmt_cpu_switch_mm(m, 2, B);
		CHECK(mmt_mm_cpumask_test(m, A, 1));
		CHECK(mmt_mm_cpumask_test(m, A, 2));	/* lazily left set */
		CHECK(mmt_mm_cpumask_test(m, B, 2));
		CHECK(!mmt_mm_cpumask_test(m, A, 3));
		CHECK(!mmt_mm_cpumask_test(m, mmt_init_mm_pgd(m), 0));
		CHECK_EQ(xl(m, 1, u, R | U, NULL), 0x100);
		CHECK_EQ(xl(m, 2, u, R | U, NULL), 0x100);	/* B's page */
		for (c = 0; c < 4; c++)
			r[c] = received(m, c);
		CHECK_EQ(mmt_pt_unmap(m, A, u), 0);
		CHECK_EQ(received(m, 0), r[0]);
		CHECK_EQ(received(m, 1), r[1] + 1);
		CHECK_EQ(received(m, 2), r[2]);	/* not running A: no IPI */
		CHECK_EQ(received(m, 3), r[3]);
		CHECK_EQ(xl(m, 1, u, R | U, NULL), 0x4);
		hits = t2->hits;
		CHECK_EQ(xl(m, 2, u, R | U, NULL), 0x100);	/* still cached */
		CHECK_EQ(t2->hits, hits + 1);
		/* freed tables: every CPU of the mask gets the IPI */
		CHECK(mmt_free_pgd_range(m, A, u, u + 0x1000, 0, 0) > 0);
		CHECK_EQ(received(m, 1), r[1] + 2);
		CHECK_EQ(received(m, 2), r[2] + 1);
		CHECK_EQ(t2->flush_wrong_mm, 1);
		CHECK(!mmt_mm_cpumask_test(m, A, 2));	/* trimmed */
		CHECK(mmt_mm_cpumask_test(m, A, 1));
		CHECK_EQ(received(m, 3), r[3]);
		hits = t2->hits;
		CHECK_EQ(xl(m, 2, u, R | U, NULL), 0x100);	/* not flushed */
		CHECK_EQ(t2->hits, hits + 1);
		/* a kernel unmap: flush_tlb_kernel_range on every CPU */
		CHECK_EQ(mmt_kernel_map(m, kva(m), 0x70, MMT_PAGE_KERNEL), 0);
		for (c = 0; c < 4; c++)
			r[c] = received(m, c);
		CHECK_EQ(mmt_kernel_unmap(m, kva(m)), 0);
		for (c = 0; c < 4; c++)
			CHECK_EQ(received(m, c), r[c] + 1);
		PT_OK(m);
		mmt_pgd_free(m, A);
		mmt_pgd_free(m, B);
		PT_OK(m);
		mmt_machine_free(m);
	}
}

/* tlb_single_page_flush_ceiling: 33 pages invlpg'd, 34 a full flush. */
TEST(mmu_tlb_flush_ceiling_33_pages)
{
	struct mmt_machine *m = boot(MMT_ARCH_X86_64);
	struct mmt_tlb *t = &m->kern->cpus[1].tlb;
	uint64_t A, u = 0x10000000, kv = m->layout.page_offset + 0x3000000;
	uint64_t flushes, misses;

	CHECK_EQ(mmt_tlb_configure(m, 256, 8), 0);
	CHECK_EQ(mmt_pgd_alloc(m, &A), 0);
	for (uint64_t i = 0; i < 40; i++)
		CHECK_EQ(mmt_pt_map(m, A, u + i * 4096, 0x400 + i,
				    MMT_PTE_PRESENT | MMT_PTE_USER, 12), 0);
	mmt_cpu_switch_mm(m, 1, A);
	CHECK_EQ(xl(m, 1, u + 34 * 4096, R | U, NULL), 0x100);
	CHECK_EQ(xl(m, 1, kv, R, NULL), 0x100);
	flushes = t->flushes;
	mmt_flush_tlb_mm_range(m, A, u, u + 33 * 4096, 12, false);
	CHECK_EQ(t->flushes, flushes);		/* 33 invlpg */
	misses = t->misses;
	CHECK_EQ(xl(m, 1, u + 34 * 4096, R | U, NULL), 0x100);
	CHECK_EQ(t->misses, misses);		/* outside: kept */
	mmt_flush_tlb_mm_range(m, A, u, u + 34 * 4096, 12, false);
	CHECK_EQ(t->flushes, flushes + 1);	/* full */
	misses = t->misses;
	CHECK_EQ(xl(m, 1, u + 34 * 4096, R | U, NULL), 0x100);
	CHECK_EQ(t->misses, misses + 1);
	CHECK_EQ(xl(m, 1, kv, R, NULL), 0x100);
	CHECK_EQ(t->misses, misses + 1);	/* global survives */
	/* the kernel's: 34 pages flush globals too */
	mmt_flush_tlb_kernel_range(m, kv, kv + 34 * 4096);
	CHECK_EQ(xl(m, 1, kv, R, NULL), 0x100);
	CHECK_EQ(t->misses, misses + 2);
	mmt_pgd_free(m, A);
	mmt_machine_free(m);
}
