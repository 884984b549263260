/* SPDX-License-Identifier: MIT */
/*
 * arch/x86/kern_internal.h - the kernel half's machine state, private to
 * the library (arch/x86, the views, the scenario commands, the tests):
 * init_mm's page tables, the list of process PGDs sharing its kernel
 * half, and the CPUs (CR3 and TLB).  Lives at m->kern; built by mmt_kern_init().
 *
 *   m->kern
 *    ├─ pgd            swapper_pg_dir (init_mm.pgd), a frame from the buddy
 *    ├─ pgds[]         pgd_list: process PGDs (kernel half copied in)
 *    ├─ pt_pages       page-table pages allocated (meminfo PageTables)
 *    ├─ fc[]           pfn -> frame-data pointer cache (walk fast path)
 *    └─ cpus[]         per CPU: CR3 and a set-associative LRU TLB
 *
 * TLB model: one array of sets x ways entries per CPU (default 64 entries,
 * 4 ways, 16 sets), shared by all page sizes.  An entry for a page of size
 * 2^shift is tagged va >> shift and lives in set (va >> shift) % sets; a
 * lookup probes the 4 KiB set, then each large-page size.  Replacement is
 * LRU within a set.  Entries cache the combined permissions of the walk
 * (RW and US ANDed over every level, NX ORed) and the leaf's G and D bits.
 * A write through an entry whose D bit is clear re-walks (as the hardware
 * does to set D).  No PCIDs: a CR3 write drops every non-global entry.
 *
 * Flushes (arch/x86/mm/tlb.c of 6.18, without PCID/INVLPGB): every
 * process PGD has an mm_cpumask; switch_mm sets the CPU's bit and, since
 * "x86/mm/tlb: Update mm_cpumask lazily", leaves it set in the previous
 * mm.  flush_tlb_mm_range() goes to the CPUs in the mask that have the mm
 * loaded (should_flush_tlb), or to all of them when page tables were
 * freed; a CPU reached with another mm loaded clears its bit and flushes
 * nothing.  More than tlb_single_page_flush_ceiling (33) pages: a full
 * flush (non-global, as a CR3 reload).  flush_tlb_kernel_range() reaches
 * every CPU, with invlpg per page or, above 33 pages, a global flush.
 * Not modelled: lazy TLB mode, the once-a-second cpumask trim.
 */
#ifndef MMT_ARCH_X86_KERN_INTERNAL_H
#define MMT_ARCH_X86_KERN_INTERNAL_H

#include <mmtwin/kern.h>

#define MMT_TLB_DEFAULT_ENTRIES 64
#define MMT_TLB_DEFAULT_WAYS 4
#define MMT_FC_SLOTS 1024		/* frame-pointer cache, power of 2 */

/* Cached permission bits of a TLB entry. */
#define MMT_TLBF_RW	0x01
#define MMT_TLBF_USER	0x02
#define MMT_TLBF_NX	0x04
#define MMT_TLBF_DIRTY	0x08
#define MMT_TLBF_GLOBAL	0x10

struct mmt_tlb_entry {
	uint64_t tag;		/* (va >> shift) << 6 | shift; 0 = invalid */
	uint64_t pa;		/* physical base of the page */
	uint64_t mask;		/* offset mask: 2^shift - 1 */
	uint32_t stamp;		/* hits + misses at the last use (LRU) */
	uint8_t shift;		/* page shift; 0 = invalid */
	uint8_t flags;		/* MMT_TLBF_* */
	uint8_t allow;		/* bit a: access a hits without a walk */
};

struct mmt_tlb {
	struct mmt_tlb_entry *e;	/* sets * ways */
	unsigned sets, ways;		/* sets is a power of 2; 0 = no TLB */
	uint64_t hits, misses, flushes;	/* flushes: whole-TLB drops, CR3 too */
	/* flush_tlb_func() runs on this CPU (local or IPI), and those that
	 * found another mm loaded (only cleared the mm_cpumask bit) */
	uint64_t flush_received, flush_wrong_mm;
};

struct mmt_cpu {
	uint64_t cr3;		/* pfn of the current top-level table */
	struct mmt_tlb tlb;
};

struct mmt_frame_slot {
	uint64_t pfn_plus1;	/* 0 = empty */
	void *data;
};

struct mmt_kern {
	uint64_t pgd;			/* init_mm.pgd (swapper_pg_dir) pfn */
	uint64_t pt_pages;		/* live page-table pages */
	uint64_t phys_mask;		/* PTE_PFN_MASK */
	unsigned phys_shift;		/* __PHYSICAL_MASK_SHIFT */
	unsigned kern_pgd_start;	/* KERNEL_PGD_BOUNDARY index */
	unsigned va_bits;		/* 32, 48 or 57 */
	uint64_t va_add, va_lim;	/* valid iff va + va_add < va_lim */
	bool have_pgd;			/* pgd allocated (teardown) */
	unsigned tlb_shifts[3], nr_tlb_shifts;
	uint64_t rsvd[5][2];		/* reserved bits per level [leaf?] */
	uint64_t *pgds;			/* pgd_list */
	unsigned nr_pgds, cap_pgds;
	/* mm_cpumask of pgds[i]: cpumask_words words at i * cpumask_words */
	uint64_t *mm_cpumask;
	unsigned cpumask_words;
	unsigned nr_cpus;
	struct mmt_cpu *cpus;
	uint64_t walks;			/* MMU page walks done */
	/* direct_pages_count[]: direct-map leaves of 4K, 2M/4M and 1G */
	uint64_t direct_pages[3];
	struct mmt_frame_slot fc[MMT_FC_SLOTS];
};

/* Teardown: every process PGD, then all of init_mm's tables. */
void mmt_pt_free_init_mm(struct mmt_machine *m);

/* Internal TLB helpers used by the MMU (src/arch/x86/tlb.c). */
const struct mmt_tlb_entry *mmt_tlb_lookup(struct mmt_tlb *t,
					   const unsigned *shifts,
					   unsigned nr_shifts, uint64_t va);
void mmt_tlb_insert(struct mmt_tlb *t, uint64_t va, unsigned shift,
		    uint64_t pa, unsigned flags);
void mmt_tlb_drop(struct mmt_tlb *t, const struct mmt_tlb_entry *e);
void mmt_tlb_free(struct mmt_tlb *t);

#endif
