/* SPDX-License-Identifier: MIT */
/*
 * mmtwin/kern.h - the kernel half's API: process PGDs sharing init_mm's
 * kernel half, the CPUs' CR3 and TLBs, TLB flushes, the page-table
 * validator and printers.  The state behind it (m->kern) and the TLB
 * model are drawn in src/arch/x86/kern_internal.h.
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
struct mmt_tlb_entry;

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

/* mm_pgtables_bytes() of the process owning @pgd_pfn: its PTE, PMD and
 * PUD tables (not the PGD, not 5-level P4Ds), 4096 bytes each (VmPTE). */
uint64_t mmt_pgd_pgtables_bytes(struct mmt_machine *m, uint64_t pgd_pfn);

/*
 * try_to_free_pte(): if the PTE table translating @va in process PGD
 * @pgd_pfn has only empty entries, unlink and free it (pgtables_bytes
 * and the freed-tables TLB flush follow).  1 if freed, else 0.
 */
int mmt_pt_free_empty_pte_table(struct mmt_machine *m, uint64_t pgd_pfn,
				uint64_t va);

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
