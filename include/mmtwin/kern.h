/* SPDX-License-Identifier: MIT */
/*
 * mmtwin/kern.h - the kernel half's machine state: init_mm's page tables,
 * the list of process PGDs sharing its kernel half, and the CPUs (CR3 and
 * TLB).  Lives at m->kern; built by mmt_kern_init().
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
#ifndef MMTWIN_KERN_H
#define MMTWIN_KERN_H

#ifdef __cplusplus
extern "C" {
#endif

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pgtable.h"
#include "render.h"

struct mmt_machine;

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

/* Page-table pages in use (meminfo "PageTables"). */
uint64_t mmt_pgtable_pages(struct mmt_machine *m);

/*
 * Allocate a process PGD sharing init_mm's kernel half (pgd_alloc):
 * x86_64 copies top-level entries 256..511, x86_32 copies the entries
 * from KERNEL_PGD_BOUNDARY (PAE also preallocates the user PMDs, as the
 * PDPTEs are loaded with CR3).  0, or -ENOMEM with nothing allocated.
 */
int mmt_pgd_alloc(struct mmt_machine *m, uint64_t *pgd_pfn);
/*
 * Free a PGD from mmt_pgd_alloc (pgd_free): CPUs running it switch to
 * init_mm, exit's free_pgtables(0, 0) frees its user tables, then the PGD.
 */
void mmt_pgd_free(struct mmt_machine *m, uint64_t pgd_pfn);
/* Teardown: every process PGD, then all of init_mm's tables. */
void mmt_pt_free_init_mm(struct mmt_machine *m);

/*
 * Allocate the tables leading to the last level for @va (entries left
 * empty), as fixmap and pkmap setup do.  0 or -ENOMEM / -EEXIST (a large
 * leaf covers @va) / -EINVAL (bad address).
 */
int mmt_pt_populate(struct mmt_machine *m, uint64_t pgd_pfn, uint64_t va);

/* First top-level index of the kernel half (KERNEL_PGD_BOUNDARY). */
bool mmt_va_kernel_half(const struct mmt_machine *m, uint64_t va);

/* CPUs and TLBs */
/*
 * switch_mm on @cpu: load CR3 (drops non-global TLB entries) and set the
 * CPU in the new mm's mm_cpumask (the old mm keeps it: lazy update).
 */
void mmt_cpu_switch_mm(struct mmt_machine *m, unsigned cpu, uint64_t pgd_pfn);
/* invlpg: drop @cpu's entries (global too) covering @va. */
void mmt_tlb_flush_one(struct mmt_machine *m, unsigned cpu, uint64_t va);
/* Drop every entry of @cpu, global ones too (CR4.PGE toggle). */
void mmt_tlb_flush_all(struct mmt_machine *m, unsigned cpu);
/* flush_tlb_kernel_range for one page: invlpg on every CPU. */
void mmt_tlb_flush_va_all_cpus(struct mmt_machine *m, uint64_t va);

#define MMT_TLB_FLUSH_ALL UINT64_MAX		/* @end: the whole mm */
#define MMT_TLB_SINGLE_PAGE_FLUSH_CEILING 33	/* tlb_single_page_flush_ceiling */
/*
 * flush_tlb_mm_range(): flush [start, end) (pages of 2^@stride_shift) of
 * the process PGD @pgd_pfn on the CPUs of its mm_cpumask that run it; all
 * of the mask when @freed_tables (those running another mm leave it).
 * init_mm goes to mmt_flush_tlb_kernel_range.
 */
void mmt_flush_tlb_mm_range(struct mmt_machine *m, uint64_t pgd_pfn,
			    uint64_t start, uint64_t end,
			    unsigned stride_shift, bool freed_tables);
/* flush_tlb_kernel_range(): [start, end) on every CPU, globals too. */
void mmt_flush_tlb_kernel_range(struct mmt_machine *m, uint64_t start,
				uint64_t end);
/* cpumask_test_cpu(cpu, mm_cpumask(mm)); false for init_mm. */
bool mmt_mm_cpumask_test(struct mmt_machine *m, uint64_t pgd_pfn,
			 unsigned cpu);
/*
 * Resize every CPU's TLB: @entries total (0 disables the TLB), @ways per
 * set; entries/ways is rounded down to a power of 2.  Clears the TLBs.
 * 0, or -EINVAL / -ENOMEM (old TLBs kept).
 */
int mmt_tlb_configure(struct mmt_machine *m, unsigned entries, unsigned ways);
/* Internal TLB helpers used by the MMU (src/arch/x86/tlb.c). */
const struct mmt_tlb_entry *mmt_tlb_lookup(struct mmt_tlb *t,
					   const unsigned *shifts,
					   unsigned nr_shifts, uint64_t va);
void mmt_tlb_insert(struct mmt_tlb *t, uint64_t va, unsigned shift,
		    uint64_t pa, unsigned flags);
void mmt_tlb_drop(struct mmt_tlb *t, const struct mmt_tlb_entry *e);
void mmt_tlb_free(struct mmt_tlb *t);

/* Whole-structure validator; 0 or -1 with a message in @err. */
int mmt_pgtable_check(struct mmt_machine *m, char *err, size_t len);

/* Views and explain. */
struct mmt_json;
/* The walk of @va through @pgd_pfn as a JSON object member @key. */
void mmt_pt_walk_json(struct mmt_machine *m, uint64_t pgd_pfn, uint64_t va,
		      struct mmt_json *j, const char *key);
/* Print the walk of @va through @pgd_pfn, level by level. */
void mmt_pt_walk_print(struct mmt_machine *m, uint64_t pgd_pfn, uint64_t va,
		       FILE *out);
/* `show pagetable`: summary of init_mm, then ptdump-style ranges. */
void mmt_ptdump_print(struct mmt_machine *m, FILE *out, enum mmt_format fmt);
/* Decode entry bits as "P RW US A D G NX PSE" (kernel-style names). */
void mmt_pt_entry_bits(const struct mmt_machine *m, unsigned level,
		       uint64_t entry, char *buf, size_t len);
/* Level/format helpers shared by the walker, dump and checker. */
unsigned mmt_pt_level_shift(const struct mmt_machine *m, unsigned level);
bool mmt_pt_entry_leaf(const struct mmt_machine *m, unsigned level,
		       uint64_t entry);
uint64_t mmt_pt_entry_read(struct mmt_machine *m, uint64_t table_pfn,
			   unsigned idx);
unsigned mmt_pt_ptrs(const struct mmt_machine *m, unsigned level);

#ifdef __cplusplus
}
#endif

#endif
