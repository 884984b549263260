// SPDX-License-Identifier: MIT
/*
 * Rebuild the fixmap enum from the kernel options of a profile.  The order
 * of the groups is the order of enum fixed_addresses in Linux 6.x
 * (arch/x86/include/asm/fixmap.h); only options that exist in the profile's
 * kernel config contribute slots.
 */
#include "fixmap_enum.h"

#include <string.h>

#define NR_FIX_BTMAPS 64
#define FIX_BTMAPS_SLOTS 8
#define TOTAL_FIX_BTMAPS (NR_FIX_BTMAPS * FIX_BTMAPS_SLOTS)

static void add(struct mmt_fix_enum *e, const char *name, unsigned *next,
		unsigned count, int permanent)
{
	struct mmt_fix_group *g = &e->g[e->nr++];

	g->name = name;
	g->first = *next;
	g->count = count;
	g->permanent = permanent;
	*next += count;
}

/*
 * The early_ioremap slots must not straddle a PTE page: when the 512-slot
 * run would cross a 512-index boundary the kernel rounds FIX_BTMAP_END up.
 */
static unsigned btmap_end(unsigned end_perm, unsigned ptrs_per_pte)
{
	unsigned last = end_perm + TOTAL_FIX_BTMAPS - 1;

	if ((end_perm ^ last) & ~(ptrs_per_pte - 1))
		return end_perm + TOTAL_FIX_BTMAPS -
		       (end_perm & (TOTAL_FIX_BTMAPS - 1));
	return end_perm;
}

void mmt_fix_enum_build(const struct mmt_fix_kconfig *k, struct mmt_fix_enum *e)
{
	unsigned next = 0, bt;

	memset(e, 0, sizeof(*e));
	if (k->is_32)
		add(e, "FIX_HOLE", &next, 1, 1);
	else if (k->vsyscall_emulation) {
		/* VSYSCALL_PAGE is pinned so that its address is -10 MiB. */
		next = k->fixaddr_top_pages;
		add(e, "VSYSCALL_PAGE", &next, 1, 1);
	}
	add(e, "FIX_DBGP_BASE", &next, 1, 1);
	add(e, "FIX_EARLYCON_MEM_BASE", &next, 1, 1);
	if (k->ohci1394_dma_init)
		add(e, "FIX_OHCI1394_BASE", &next, 1, 1);
	if (k->local_apic)
		add(e, "FIX_APIC_BASE", &next, 1, 1);
	if (k->io_apic)
		add(e, "FIX_IO_APIC_BASE_0", &next, k->max_io_apics, 1);
	if (k->kmap_local) {
		e->kmap_begin = next;
		e->kmap_count = k->km_max_idx * k->nr_cpus;
		add(e, "FIX_KMAP_BEGIN", &next, e->kmap_count, 1);
		if (k->pci_mmconfig)
			add(e, "FIX_PCIE_MCFG", &next, 1, 1);
	}
	if (k->paravirt_xxl)
		add(e, "FIX_PARAVIRT_BOOTMAP", &next, 1, 1);
	if (k->apei_ghes) {
		add(e, "FIX_APEI_GHES_IRQ", &next, 1, 1);
		add(e, "FIX_APEI_GHES_NMI", &next, 1, 1);
	}
	e->end_permanent = next;
	bt = btmap_end(next, k->ptrs_per_pte);
	next = bt;
	add(e, "FIX_BTMAP_END", &next, TOTAL_FIX_BTMAPS, 0);
	if (k->is_32)	/* still present in 6.1's 32-bit enum */
		add(e, "FIX_WP_TEST", &next, 1, 0);
	if (k->intel_txt)
		add(e, "FIX_TBOOT_BASE", &next, 1, 0);
	e->end_total = next;
}
