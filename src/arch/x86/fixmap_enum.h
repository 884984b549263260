/* SPDX-License-Identifier: MIT */
/*
 * The fixmap index space ("enum fixed_addresses" of arch/x86/include/asm/
 * fixmap.h), rebuilt from a profile's kernel config.  Index 0 is the highest
 * address: __fix_to_virt(i) = FIXADDR_TOP - (i << PAGE_SHIFT).
 */
#ifndef MMT_FIXMAP_ENUM_H
#define MMT_FIXMAP_ENUM_H

#include <mmtwin/config.h>

#define MMT_FIX_MAX_GROUPS 16

/* A run of consecutive fixmap indexes with one purpose. */
struct mmt_fix_group {
	const char *name;	/* enumerator name, e.g. "FIX_KMAP_BEGIN" */
	unsigned first;		/* first index */
	unsigned count;		/* number of slots */
	int permanent;		/* below __end_of_permanent_fixed_addresses */
};

struct mmt_fix_enum {
	struct mmt_fix_group g[MMT_FIX_MAX_GROUPS];
	unsigned nr;
	unsigned end_permanent;	/* __end_of_permanent_fixed_addresses */
	unsigned end_total;	/* __end_of_fixed_addresses */
	unsigned kmap_begin;	/* FIX_KMAP_BEGIN, 0 when absent */
	unsigned kmap_count;	/* KM_MAX_IDX * NR_CPUS, 0 when absent */
};

/* Kernel build options that add fixmap slots (per profile). */
struct mmt_fix_kconfig {
	int is_32;		/* CONFIG_X86_32 */
	int vsyscall_emulation;
	int ohci1394_dma_init;
	int local_apic;
	int io_apic;
	unsigned max_io_apics;
	int kmap_local;		/* 32-bit HIGHMEM, or DEBUG_KMAP_LOCAL_FORCE_MAP */
	unsigned km_max_idx;
	unsigned nr_cpus;
	int pci_mmconfig;	/* only counted together with kmap_local */
	int paravirt_xxl;
	int apei_ghes;
	int intel_txt;
	unsigned ptrs_per_pte;	/* 1024 non-PAE, 512 otherwise */
	unsigned fixaddr_top_pages;	/* (FIXADDR_TOP - VSYSCALL_ADDR) >> 12, 64-bit */
};

void mmt_fix_enum_build(const struct mmt_fix_kconfig *k,
			struct mmt_fix_enum *e);
void mmt_fix_kconfig_for(const struct mmt_config *c,
			 struct mmt_fix_kconfig *k);

#endif
