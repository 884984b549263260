/* SPDX-License-Identifier: MIT */
/*
 * mmtwin/layout.h - the virtual address-space layout of a profile.
 *
 * Every number here is computed from the machine's configuration with the
 * formulas of arch/x86/include/asm/{page,pgtable}_{32,64}_types.h,
 * pgtable_32_areas.h, fixmap.h and arch/x86/mm/init_32.c; nothing is copied
 * from a table.  The region tables are what `mmtwin layout` prints.
 *
 * x86_32, 3G/1G split, top-down from 4 GiB:
 *
 *   FIXADDR_TOP 0xfffff000 ┐ fixmap (grows down), FIX_KMAP slots inside
 *   FIXADDR_TOT_START      ┘ + boot-time early_ioremap slots
 *   CPU_ENTRY_AREA_BASE      per-CPU GDT/TSS/entry stacks (PMD aligned)
 *   LDT_BASE_ADDR            one PMD for the PTI LDT remap
 *   PKMAP_BASE               LAST_PKMAP kmap() slots (one PTE page)
 *   VMALLOC_END = PKMAP_BASE - 2 pages
 *   VMALLOC_START = high_memory + VMALLOC_OFFSET (8 MiB gap)
 *   high_memory  = __va(max_low_pfn << PAGE_SHIFT)
 *   PAGE_OFFSET 0xc0000000   direct map of lowmem (MAXMEM at most)
 */
#ifndef MMTWIN_LAYOUT_H
#define MMTWIN_LAYOUT_H

#ifdef __cplusplus
extern "C" {
#endif

#include "config.h"

#define MMT_PAGE_SHIFT 12
#define MMT_PAGE_SIZE (1ULL << MMT_PAGE_SHIFT)
#define MMT_PAGE_MASK (~(MMT_PAGE_SIZE - 1))
#define MMT_MAX_REGIONS 40
#define MMT_MAX_ORDER 10	/* MAX_PAGE_ORDER: orders 0..10 */

enum mmt_region_kind {
	MMT_RK_USER,		/* per-process user space */
	MMT_RK_KERNEL,		/* a kernel mapping region */
	MMT_RK_HOLE,		/* unused or guard hole (canonical) */
	MMT_RK_NONCANON,	/* non-canonical: #GP on any access */
};

/* One row of a layout table. [start, last] is inclusive so 2^64 fits. */
struct mmt_region {
	uint64_t start;
	uint64_t last;
	enum mmt_region_kind kind;
	const char *name;	/* short id: "vmalloc", "direct-map", ... */
	const char *desc;	/* what it is for */
};

enum mmt_zone_type {
	MMT_ZONE_DMA,
	MMT_ZONE_DMA32,
	MMT_ZONE_NORMAL,
	MMT_ZONE_HIGHMEM,
	MMT_ZONE_MOVABLE,
	MMT_NR_ZONES
};

/* Paging geometry: index bits per level, top level first. */
struct mmt_paging {
	unsigned levels;		/* 2, 3, 4 or 5 */
	unsigned entry_size;		/* 4 or 8 bytes */
	unsigned shift[5];		/* address shift of each level, top first */
	unsigned bits[5];		/* index width of each level */
	const char *level_name[5];	/* "PGD", "P4D", "PUD", "PMD", "PTE" */
	unsigned va_bits;		/* 32, 48 or 57 */
	unsigned large_levels;		/* bitmask of levels allowing PSE leaves */
};

struct mmt_layout {
	enum mmt_arch arch;
	struct mmt_paging paging;

	/* Common */
	uint64_t page_offset;	/* PAGE_OFFSET: start of the direct map */
	uint64_t task_size;	/* TASK_SIZE for native tasks */
	uint64_t task_size_max;	/* TASK_SIZE_MAX */
	uint64_t stack_top;	/* STACK_TOP */
	uint64_t vmalloc_start, vmalloc_end;	/* end inclusive on 64-bit, exclusive on 32-bit (as the kernel) */
	uint64_t modules_vaddr, modules_end;
	uint64_t fixaddr_top, fixaddr_start, fixaddr_tot_start;
	unsigned fix_permanent;		/* __end_of_permanent_fixed_addresses */
	unsigned fix_total;		/* __end_of_fixed_addresses */
	unsigned fix_kmap_begin, fix_kmap_end;	/* FIX_KMAP_BEGIN/END */
	uint64_t cpu_entry_area_base;
	uint64_t cpu_entry_area_size;
	uint64_t ldt_base, ldt_end;
	uint64_t max_pfn;	/* highest RAM pfn + 1 seen by the kernel */
	/* sizeof(struct page) of the modelled kernel: the memmap's size at
	 * boot, vmemmap's size and the struct page an address falls in */
	unsigned struct_page_size;
	uint64_t max_low_pfn;	/* end of directly-mapped RAM (pfn) */
	uint64_t high_memory;	/* virtual end of the direct map */

	/* x86_32 only */
	uint64_t vmalloc_reserve;	/* __VMALLOC_RESERVE */
	uint64_t maxmem;		/* MAXMEM (bytes of lowmem at most) */
	uint64_t pkmap_base;
	unsigned last_pkmap;
	uint64_t highstart_pfn;
	bool highmem_truncated;		/* RAM above the 4 GiB / MAXMEM cap dropped */

	/* x86_64 only */
	uint64_t vmemmap_base;
	uint64_t kasan_shadow_start, kasan_shadow_end;	/* end exclusive */
	uint64_t start_kernel_map;	/* __START_KERNEL_map */
	uint64_t kernel_image_size;
	uint64_t espfix_base;
	uint64_t efi_va_start, efi_va_end;	/* EFI_VA_END < EFI_VA_START */
	uint64_t vsyscall_addr;
	uint64_t guard_hole_start, guard_hole_end;
	uint64_t default_map_window;	/* DEFAULT_MAP_WINDOW */
	uint64_t compat_task_size;	/* IA32_PAGE_OFFSET for compat tasks */
	uint64_t direct_map_size;	/* reserved window (KASLR: sized to RAM) */
	uint64_t vmemmap_size;
	uint64_t mmap_base_compat;	/* compat task, ASLR off, 8 MiB stack */
	uint64_t mmap_base;		/* native task, ASLR off, 8 MiB stack */
	uint64_t unmapped_base;		/* TASK_UNMAPPED_BASE (legacy layout) */
	uint64_t compat_unmapped_base;	/* __TASK_UNMAPPED_BASE(IA32_PAGE_OFFSET) */
	uint64_t compat_pie_base;	/* COMPAT_ELF_ET_DYN_BASE */
	uint64_t elf_et_dyn_base;	/* ELF_ET_DYN_BASE (native PIE) */

	/* Zone boundaries (pfn, end exclusive), 0/0 when absent. */
	uint64_t zone_start_pfn[MMT_NR_ZONES];
	uint64_t zone_end_pfn[MMT_NR_ZONES];

	/* The tables, high addresses first, as in the seed notes. */
	struct mmt_region kregions[MMT_MAX_REGIONS];
	unsigned nr_kregions;
	struct mmt_region uregions[12];
	unsigned nr_uregions;

	/* Why the layout looks as it does: derivations for `layout` text. */
	char notes[16][160];
	unsigned nr_notes;
};

/*
 * Compute the layout of @c for RAM spanning pfns [ram_start_pfn, ram_end_pfn)
 * (from the boot memory map, before the arch caps it).  Returns 0, or -1 with
 * a message in @err.
 */
int mmt_layout_compute(const struct mmt_config *c, uint64_t ram_start_pfn,
		       uint64_t ram_end_pfn, struct mmt_layout *l, char *err,
		       size_t errlen);

/* mmap_base for a task of size @ts, RLIMIT_STACK @rlim, randomisation @rnd. */
uint64_t mmt_mmap_base(uint64_t ts, uint64_t rlim_stack, uint64_t stack_rnd_max,
		       uint64_t rnd);

const char *mmt_zone_name(enum mmt_zone_type z);
/*
 * pfn -> zone: the zone whose boundaries (l->zone_start/end_pfn) hold
 * @pfn, -1 if none.  The one place this is computed; mmt_page_zone()
 * adds the node, explain and the scenario commands name it.
 */
int mmt_layout_pfn_zone(const struct mmt_layout *l, uint64_t pfn);

/*
 * A profile's physical address widths in bits, the one place they live:
 *   max_arch  MAX_ARCH_PFN << PAGE_SHIFT, RAM the kernel uses at all
 *             (e820__end_of_ram_pfn's cap) and the addresses explain
 *             accepts: 32, 36 (PAE, 6.1), 52 (x86_64: the model's own
 *             64 TiB limit on RAM is checked separately, with a message)
 *   pte       __PHYSICAL_MASK_SHIFT, what a page-table entry can hold:
 *             32, 44 (PAE), 52
 */
struct mmt_phys_bits {
	unsigned max_arch;
	unsigned pte;
};
struct mmt_phys_bits mmt_arch_phys_bits(enum mmt_arch arch);
/* MAX_ARCH_PFN of @arch: 1 << (max_arch - PAGE_SHIFT). */
uint64_t mmt_max_arch_pfn(enum mmt_arch arch);

/* Region containing @va in the kernel table (or user table), NULL if none. */
const struct mmt_region *mmt_layout_find(const struct mmt_layout *l,
					 uint64_t va);

/* Canonical-address test for the profile (always true on x86_32). */
bool mmt_va_canonical(const struct mmt_layout *l, uint64_t va);

/* __pa / __va on the direct map; return -1 if outside it. */
int mmt_pa(const struct mmt_layout *l, uint64_t va, uint64_t *pa);
int mmt_va(const struct mmt_layout *l, uint64_t pa, uint64_t *va);

/* Index of @va at each paging level, top first; returns the level count. */
unsigned mmt_va_indexes(const struct mmt_paging *p, uint64_t va,
			unsigned idx[5], uint64_t *offset);

#ifdef __cplusplus
}
#endif

#endif
