// SPDX-License-Identifier: MIT
/*
 * Fixmap slots (arch/x86/include/asm/fixmap.h, arch/x86/mm/pgtable.c
 * __native_set_fixmap): compile-time indexes whose virtual address is
 * FIXADDR_TOP - idx * PAGE_SIZE; set_fixmap() points one at any physical
 * page, clear_fixmap() removes it (TLB flushed).  The FIX_KMAP_BEGIN..END
 * range belongs to kmap_local and is refused here.  The slots the real
 * kernel fills at boot (APIC, IO-APIC, early consoles) are not modelled.
 */
#include <mmtwin/kalloc.h>
#include <mmtwin/machine.h>
#include <mmtwin/pgtable.h>

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "arch/x86/fixmap_enum.h"
#include "base/bug.h"
#include "mm/kalloc_internal.h"

uint64_t mmt_fix_to_virt(struct mmt_machine *m, unsigned idx)
{
	if (idx >= m->layout.fix_total) {
		MMT_BUG("index %u >= %u", idx,
			m->layout.fix_total);
	}
	return m->layout.fixaddr_top - ((uint64_t)idx << MMT_PAGE_SHIFT);
}

int mmt_virt_to_fix(struct mmt_machine *m, uint64_t va, unsigned *idx)
{
	const struct mmt_layout *l = &m->layout;

	if (va >= l->fixaddr_top || va < l->fixaddr_tot_start)
		return -EINVAL;
	*idx = (unsigned)((l->fixaddr_top - (va & MMT_PAGE_MASK)) >>
			  MMT_PAGE_SHIFT);
	return 0;
}

/* Lowest index of the enum (FIX_HOLE on 32-bit and the indexes below
 * VSYSCALL_PAGE on 64-bit are placeholders, never mapped). */
static unsigned first_real_index(struct mmt_machine *m)
{
	struct mmt_fix_kconfig k;
	struct mmt_fix_enum e;

	mmt_fix_kconfig_for(&m->cfg, &k);
	mmt_fix_enum_build(&k, &e);
	if (!e.nr)
		return 0;
	return !mmt_arch_is_64(m->cfg.arch) ? e.g[0].first + e.g[0].count
					    : e.g[0].first;
}

static bool in_kmap_range(struct mmt_machine *m, unsigned idx)
{
	const struct mmt_layout *l = &m->layout;

	return !mmt_arch_is_64(m->cfg.arch) && l->fix_kmap_end >= l->fix_kmap_begin &&
	       idx >= l->fix_kmap_begin && idx <= l->fix_kmap_end;
}

int mmt_set_fixmap(struct mmt_machine *m, unsigned idx, uint64_t phys,
		   uint64_t prot)
{
	struct mmt_kalloc *ka = m->kalloc;
	uint64_t va;

	if (idx >= ka->fix_total || idx < first_real_index(m) ||
	    in_kmap_range(m, idx))
		return -EINVAL;
	if (phys >> mmt_arch_phys_bits(m->cfg.arch).pte)	/* PTE width */
		return -EINVAL;
	va = mmt_fix_to_virt(m, idx);
	if (ka->fix_use[idx] == MMT_FIX_SET && mmt_kernel_unmap(m, va)) {
		MMT_BUG("slot %u lost", idx);
	}
	ka->fix_use[idx] = MMT_FIX_FREE;
	if (mmt_kernel_map(m, va, phys >> MMT_PAGE_SHIFT, prot))
		return -ENOMEM;
	ka->fix_use[idx] = MMT_FIX_SET;
	ka->fix_phys[idx] = phys & MMT_PAGE_MASK;
	return 0;
}

int mmt_clear_fixmap(struct mmt_machine *m, unsigned idx)
{
	struct mmt_kalloc *ka = m->kalloc;

	if (idx >= ka->fix_total || ka->fix_use[idx] != MMT_FIX_SET)
		return -EINVAL;
	if (mmt_kernel_unmap(m, mmt_fix_to_virt(m, idx))) {
		MMT_BUG("slot %u lost", idx);
	}
	ka->fix_use[idx] = MMT_FIX_FREE;
	ka->fix_phys[idx] = 0;
	return 0;
}

enum mmt_fix_use mmt_fixmap_slot(struct mmt_machine *m, unsigned idx,
				 uint64_t *phys)
{
	struct mmt_kalloc *ka = m->kalloc;

	if (idx >= ka->fix_total)
		return MMT_FIX_FREE;
	*phys = ka->fix_phys[idx];
	return (enum mmt_fix_use)ka->fix_use[idx];
}
