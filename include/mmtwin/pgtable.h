/* SPDX-License-Identifier: MIT */
/*
 * mmtwin/pgtable.h - page tables stored in modelled frames, the MMU, the TLB.
 *
 * Entries use the real x86 bit layout (arch/x86/include/asm/pgtable_types.h)
 * in 4-byte (non-PAE) or 8-byte (PAE, x86_64) slots inside frames obtained
 * from the page allocator.  pt_walk() follows one address (map, unmap,
 * lookup); mmt_walk_page_range() (pagewalk.h) visits ranges (dump, check,
 * teardown, free_pgd_range).
 */
#ifndef MMTWIN_PGTABLE_H
#define MMTWIN_PGTABLE_H

#ifdef __cplusplus
extern "C" {
#endif

#include <stdbool.h>
#include <stdint.h>

struct mmt_machine;

#define MMT_PTE_PRESENT  (1ULL << 0)
#define MMT_PTE_RW       (1ULL << 1)
#define MMT_PTE_USER     (1ULL << 2)
#define MMT_PTE_PWT      (1ULL << 3)
#define MMT_PTE_PCD      (1ULL << 4)
#define MMT_PTE_ACCESSED (1ULL << 5)
#define MMT_PTE_DIRTY    (1ULL << 6)
#define MMT_PTE_PSE      (1ULL << 7)	/* large page in PMD/PUD/PGD(2-level) */
#define MMT_PTE_PAT      (1ULL << 7)	/* in a 4 KiB PTE */
#define MMT_PTE_GLOBAL   (1ULL << 8)
#define MMT_PTE_SPECIAL  (1ULL << 9)
#define MMT_PTE_NX       (1ULL << 63)	/* only with 8-byte entries */
/* _PAGE_PROTNONE: the G bit, meaningful only with P clear */
#define MMT_PTE_PROTNONE MMT_PTE_GLOBAL

/* __PAGE_KERNEL: P|RW|A|D|G|NX (NX dropped where entries are 4 bytes) */
#define MMT_PAGE_KERNEL (MMT_PTE_PRESENT | MMT_PTE_RW | MMT_PTE_ACCESSED | \
			 MMT_PTE_DIRTY | MMT_PTE_GLOBAL | MMT_PTE_NX)
#define MMT_PAGE_KERNEL_RO (MMT_PTE_PRESENT | MMT_PTE_ACCESSED | \
			    MMT_PTE_GLOBAL | MMT_PTE_NX)
#define MMT_PAGE_KERNEL_EXEC (MMT_PTE_PRESENT | MMT_PTE_RW | \
			      MMT_PTE_ACCESSED | MMT_PTE_DIRTY | MMT_PTE_GLOBAL)
#define MMT_PAGE_KERNEL_NOCACHE (MMT_PAGE_KERNEL | MMT_PTE_PCD)

/* PAGE_NONE (protection_map[VM_NONE]): A | PROTNONE, P clear */
#define MMT_PAGE_NONE (MMT_PTE_ACCESSED | MMT_PTE_PROTNONE)

/* Access kinds for the MMU. */
#define MMT_ACCESS_READ  0u
#define MMT_ACCESS_WRITE 1u
#define MMT_ACCESS_EXEC  2u
#define MMT_ACCESS_USER  4u	/* CPL 3 */

/* x86 page-fault error code bits (arch/x86/include/asm/trap_pf.h) */
#define MMT_PF_PROT  0x01	/* 0: not present, 1: protection */
#define MMT_PF_WRITE 0x02
#define MMT_PF_USER  0x04
#define MMT_PF_RSVD  0x08
#define MMT_PF_INSTR 0x10

enum mmt_xlate_result {
	MMT_XLATE_OK = 0,
	MMT_XLATE_PF = 1,	/* page fault, see pf_error */
	MMT_XLATE_GP = 2,	/* non-canonical address */
};

/* What a lookup found: the leaf entry and where it sits. */
struct mmt_pt_leaf {
	uint64_t entry;		/* raw entry value */
	uint64_t pfn;		/* frame of the 4 KiB page containing va */
	unsigned level;		/* 0 = top level */
	unsigned page_shift;	/* 12, 21, 22 or 30 */
};

/* pfn of init_mm's top-level table (swapper_pg_dir). */
uint64_t mmt_init_mm_pgd(struct mmt_machine *m);

/*
 * Map [va, va + 2^page_shift) to @pfn with entry bits @prot in the tables
 * rooted at @pgd_pfn, allocating table pages (GFP_KERNEL) as needed.
 * Returns 0, -ENOMEM, -EEXIST (already mapped) or -EINVAL (misaligned,
 * page size not supported by the format).
 */
int mmt_pt_map(struct mmt_machine *m, uint64_t pgd_pfn, uint64_t va,
	       uint64_t pfn, uint64_t prot, unsigned page_shift);
/*
 * Remove the leaf covering @va; 0 or -ENOENT.  Flushes the TLBs.  Never
 * frees a page table (see mmt_free_pgd_range).
 */
int mmt_pt_unmap(struct mmt_machine *m, uint64_t pgd_pfn, uint64_t va);
/*
 * free_pgd_range(tlb, addr, end, floor, ceiling) of mm/memory.c on the
 * process PGD @pgd_pfn: free the page tables that translate only
 * addresses of [addr, end) and nothing outside [floor, ceiling) (ceiling 0
 * = the top of the address space), with the kernel's roundings: [addr,
 * end) to PMD_SIZE for PTE tables, then PUD/P4D/PGDIR granules for the
 * tables above.  munmap passes the neighbouring VMAs' end/start, exit 0/0.
 * Leaves are not touched (zap them first).  The CPUs running the mm are
 * flushed (freed_tables).  Returns the number of tables freed, or -EINVAL
 * (not a process PGD, empty range, range beyond the user half).
 */
int mmt_free_pgd_range(struct mmt_machine *m, uint64_t pgd_pfn,
		       uint64_t addr, uint64_t end, uint64_t floor,
		       uint64_t ceiling);
/* 0 and *leaf, or -ENOENT when not mapped. */
int mmt_pt_lookup(struct mmt_machine *m, uint64_t pgd_pfn, uint64_t va,
		  struct mmt_pt_leaf *leaf);

/* init_mm shorthands, with flush_tlb_kernel_range semantics on unmap. */
int mmt_kernel_map(struct mmt_machine *m, uint64_t va, uint64_t pfn,
		   uint64_t prot);
int mmt_kernel_unmap(struct mmt_machine *m, uint64_t va);

/*
 * The MMU: translate @va for @access on @cpu (its current CR3), through
 * the TLB, setting Accessed/Dirty like the hardware.  Returns an
 * mmt_xlate_result; *pa on success, *pf_error on MMT_XLATE_PF.
 */
int mmt_mmu_translate(struct mmt_machine *m, unsigned cpu, uint64_t va,
		      unsigned access, uint64_t *pa, unsigned *pf_error);

/*
 * Non-present entries that carry information (src/arch/x86/pte_nonpresent.c
 * draws the bit layouts).  pte_present() is the kernel's: P or PROTNONE.
 */
#define MMT_SWP_TYPE_BITS 5
bool mmt_pte_present(uint64_t pte);
bool mmt_pte_protnone(uint64_t pte);	/* P clear, PROTNONE set */
bool mmt_is_swap_pte(uint64_t pte);	/* !pte_none && !pte_present */
/* pfn_pte(): with 8-byte entries a non-present @prot inverts the pfn. */
uint64_t mmt_pfn_pte(const struct mmt_machine *m, uint64_t pfn,
		     uint64_t prot);
/* pte_pfn(): undoes the inversion. */
uint64_t mmt_pte_pfn(const struct mmt_machine *m, uint64_t pte);
/* Largest swap offset of the format: 2^50-1, 2^27-1 (PAE), 2^23-1. */
uint64_t mmt_swp_offset_max(const struct mmt_machine *m);
/* _PAGE_SWP_EXCLUSIVE of the format (bit 3 on x86_64, bit 7 on 32-bit). */
uint64_t mmt_pte_swp_exclusive_bit(const struct mmt_machine *m);
/* swp_entry_to_pte(swp_entry(type, offset)); 0, or -EINVAL if too big. */
int mmt_swp_entry_to_pte(const struct mmt_machine *m, unsigned type,
			 uint64_t offset, uint64_t *pte);
/* pte_to_swp_entry(); 0, or -EINVAL if @pte is no swap PTE. */
int mmt_pte_to_swp_entry(const struct mmt_machine *m, uint64_t pte,
			 unsigned *type, uint64_t *offset);

/*
 * Store the raw PTE @raw for the page containing @va in the tables of
 * @pgd_pfn (set_pte_at), allocating tables as needed; any format the
 * checker accepts: zero, a present leaf, PROT_NONE, a swap entry.  A
 * present entry it replaces is flushed from the TLBs.  0, -ENOMEM,
 * -EEXIST (a large leaf or a non-present upper entry covers @va) or
 * -EINVAL (bad address, kernel half of a process PGD, malformed @raw).
 */
int mmt_pt_set_pte(struct mmt_machine *m, uint64_t pgd_pfn, uint64_t va,
		   uint64_t raw);
/*
 * The raw entry translating @va: the PTE (possibly 0 or non-present) or a
 * large leaf, with its level; an upper entry that is zero or non-present
 * when no PTE table exists.  0, or -EINVAL for an invalid address.
 */
int mmt_pt_get_pte(struct mmt_machine *m, uint64_t pgd_pfn, uint64_t va,
		   uint64_t *raw, unsigned *level);
#ifdef __cplusplus
}
#endif

#endif
