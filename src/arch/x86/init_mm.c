// SPDX-License-Identifier: MIT
/*
 * Booting the kernel half: swapper_pg_dir and what the kernel maps in it
 * before anything else runs (arch/x86/mm/init.c init_mem_mapping,
 * init_64.c / init_32.c kernel_physical_mapping_init), and the CPUs.
 *
 *   direct map   [0, 1 MiB) with 4 KiB pages first (ISA range), then each
 *                e820 RAM range below max_low_pfn with the largest page
 *                that fits: 1 GiB / 2 MiB (x86_64), 4 MiB (non-PAE),
 *                2 MiB (PAE), 4 KiB at unaligned edges.  PAGE_KERNEL.
 *   kernel image x86_64: __START_KERNEL_map + [16 MiB, 64 MiB) with 2 MiB
 *                pages: first 16 MiB (text) PAGE_KERNEL_EXEC, rest NX.
 *   fixmap       the PTE tables covering it, entries empty.
 *   PAE          the kernel PMDs of every kernel PDPT slot, allocated now
 *                so process PGDs can share them.
 */
#include "pgtable_internal.h"
#include "init/boot.h"

#include <errno.h>
#include <stdio.h>

#define ISA_END 0x100000ULL
#define KERNEL_PHYS_START 0x1000000ULL	/* CONFIG_PHYSICAL_START */
#define KERNEL_MAP_END 0x4000000ULL	/* 64 MiB mapped at __START_KERNEL_map */
#define KERNEL_TEXT_END 0x2000000ULL

/* Geometry-derived constants of m->kern. */
static void kern_geometry(struct mmt_machine *m, struct mmt_kern *k)
{
	const struct mmt_paging *p = &m->layout.paging;
	unsigned l, leaf;

	k->phys_shift = mmt_arch_phys_bits(m->layout.arch).pte;
	k->phys_mask = ((1ULL << k->phys_shift) - 1) & MMT_PAGE_MASK;
	k->va_bits = mmt_arch_is_64(m->layout.arch) ? p->va_bits : 32;
	k->va_add = k->va_bits == 32 ? 0 : 1ULL << (k->va_bits - 1);
	k->va_lim = 1ULL << k->va_bits;
	if (mmt_arch_is_64(m->layout.arch))
		k->kern_pgd_start = 1u << (p->bits[0] - 1);
	else
		k->kern_pgd_start = (unsigned)(m->layout.page_offset >>
					       p->shift[0]);
	k->nr_tlb_shifts = 0;
	k->tlb_shifts[k->nr_tlb_shifts++] = MMT_PAGE_SHIFT;
	for (l = p->levels - 1; l-- > 0;)
		if (p->large_levels >> l & 1)
			k->tlb_shifts[k->nr_tlb_shifts++] = p->shift[l];
	for (l = 0; l < p->levels; l++)
		for (leaf = 0; leaf < 2; leaf++)
			k->rsvd[l][leaf] = pt_reserved_mask(m, l,
					leaf ? MMT_PTE_PSE : 0);
}

/*
 * Map the 4 KiB pages of [pa, end) that share the PTE table of @pa's
 * address: one walk (allocating the tables above), then the entries, as
 * phys_pte_init() fills one table.  Returns the bytes mapped (> 0), or
 * -ENOMEM / -EEXIST.  The direct map below 2 MiB is 512 such pages and
 * one walk per page was most of a small machine's boot.
 */
static int64_t map_direct_4k(struct mmt_machine *m, uint64_t pa, uint64_t end)
{
	const struct mmt_paging *p = &m->layout.paging;
	unsigned last = p->levels - 1, idx;
	uint64_t va = m->layout.page_offset + pa, start = pa;
	uint64_t table_end = (pa | ((1ULL << p->shift[last - 1]) - 1)) + 1;
	uint64_t prot = MMT_PAGE_KERNEL;
	struct pt_walk w;
	void *t;
	int r;

	if (p->entry_size == 4)
		prot &= ~MMT_PTE_NX;	/* __supported_pte_mask */
	r = pt_walk(m, m->kern->pgd, va, last, WALK_ALLOC, &w);
	if (r)
		return r;
	if (w.level != last)
		return -EEXIST;		/* a large leaf covers it */
	t = pt_frame(m, w.tbl[last]);
	if (end > table_end)
		end = table_end;
	for (; pa < end; pa += MMT_PAGE_SIZE, va += MMT_PAGE_SIZE) {
		idx = pt_index(p, last, va);
		if (pt_get(p->entry_size, t, idx))
			return -EEXIST;
		pt_set(p->entry_size, t, idx, pa | prot);
		m->kern->direct_pages[0]++;
	}
	return (int64_t)(pa - start);
}

/* Map [pa, end) of RAM at __va(pa) with the largest pages that fit. */
static int map_direct_range(struct mmt_machine *m, uint64_t pa, uint64_t end)
{
	struct mmt_kern *k = m->kern;
	uint64_t va, size = MMT_PAGE_SIZE;
	unsigned s, shift = MMT_PAGE_SHIFT;
	int64_t n;
	int r;

	while (pa < end) {
		for (s = k->nr_tlb_shifts; s-- > 0;) {
			shift = k->tlb_shifts[s];
			size = 1ULL << shift;
			if (!(pa & (size - 1)) && end - pa >= size)
				break;
		}
		if (shift == MMT_PAGE_SHIFT) {
			n = map_direct_4k(m, pa, end);
			if (n < 0)
				return (int)n;
			pa += (uint64_t)n;
			continue;
		}
		va = m->layout.page_offset + pa;
		r = mmt_pt_map(m, k->pgd, va, pa >> MMT_PAGE_SHIFT,
			       MMT_PAGE_KERNEL, shift);
		if (r)
			return r;
		/* update_page_count(): PG_LEVEL_4K, _2M (4M without PAE), _1G */
		k->direct_pages[shift == MMT_PAGE_SHIFT ? 0 : shift < 30 ? 1 : 2]++;
		pa += size;
	}
	return 0;
}

/* The direct map of lowmem RAM (init_mem_mapping). */
static int map_direct(struct mmt_machine *m)
{
	uint64_t low_end = m->layout.max_low_pfn << MMT_PAGE_SHIFT;
	unsigned i;
	int r;

	r = map_direct_range(m, 0, ISA_END < low_end ? ISA_END : low_end);
	for (i = 0; !r && i < m->e820.nr; i++) {
		const struct mmt_e820_entry *e = &m->e820.e[i];
		uint64_t s = (e->addr + MMT_PAGE_SIZE - 1) & MMT_PAGE_MASK;
		uint64_t end = (e->addr + e->size) & MMT_PAGE_MASK;

		if (e->type != MMT_E820_RAM)
			continue;
		if (s < ISA_END)
			s = ISA_END;
		if (end > low_end)
			end = low_end;
		if (s < end)
			r = map_direct_range(m, s, end);
	}
	return r;
}

/* x86_64: the kernel image at __START_KERNEL_map (level2_kernel_pgt). */
static int map_kernel_image(struct mmt_machine *m)
{
	uint64_t pa, end = m->ram_end_pfn << MMT_PAGE_SHIFT, prot;
	int r;

	if (!mmt_arch_is_64(m->layout.arch))
		return 0;
	if (end > KERNEL_MAP_END)
		end = KERNEL_MAP_END;
	for (pa = KERNEL_PHYS_START; pa + (1ULL << 21) <= end;
	     pa += 1ULL << 21) {
		prot = pa < KERNEL_TEXT_END ? MMT_PAGE_KERNEL_EXEC
					    : MMT_PAGE_KERNEL;
		r = mmt_pt_map(m, m->kern->pgd, m->layout.start_kernel_map + pa,
			       pa >> MMT_PAGE_SHIFT, prot, 21);
		if (r)
			return r;
	}
	return 0;
}

/* The fixmap's PTE tables (early_ioremap_init / fixrange_init). */
static int populate_fixmap(struct mmt_machine *m)
{
	const struct mmt_paging *p = &m->layout.paging;
	uint64_t span = 1ULL << p->shift[p->levels - 2];
	uint64_t start = m->layout.fixaddr_tot_start, top = m->layout.fixaddr_top;
	uint64_t va;
	int r;

	if (!start || start > m->layout.fixaddr_start)
		start = m->layout.fixaddr_start;
	if (!start || top <= start)
		return 0;
	for (va = start & ~(span - 1); va < top; va += span) {
		r = mmt_pt_populate(m, m->kern->pgd, va < start ? start : va);
		if (r)
			return r;
		if (va + span < va)
			break;
	}
	return 0;
}

/* PAE: one kernel PMD per kernel PDPT slot, shared by every PGD. */
static int pae_kernel_pmds(struct mmt_machine *m)
{
	struct mmt_kern *k = m->kern;
	unsigned i;

	if (m->layout.paging.levels != 3)
		return 0;
	for (i = k->kern_pgd_start; i < 4; i++) {
		int r = mmt_pt_populate(m, k->pgd, (uint64_t)i << 30);

		if (r)
			return r;
	}
	return 0;
}

static int kern_cpus(struct mmt_machine *m, struct mmt_kern *k)
{
	unsigned i;

	k->nr_cpus = m->cfg.online_cpus ? m->cfg.online_cpus : 1;
	k->cpumask_words = (k->nr_cpus + 63) / 64;
	k->cpus = calloc(k->nr_cpus, sizeof(*k->cpus));
	if (!k->cpus)
		return -ENOMEM;
	for (i = 0; i < k->nr_cpus; i++)
		k->cpus[i].cr3 = k->pgd;
	return mmt_tlb_configure(m, MMT_TLB_DEFAULT_ENTRIES,
				 MMT_TLB_DEFAULT_WAYS);
}

/*
 * Build m->kern.  Returns 0, or -1 with a message (out of modelled or
 * host memory); mmt_kern_exit then releases what was built.
 */
int mmt_kern_init(struct mmt_machine *m, char *err, size_t errlen)
{
	struct mmt_kern *k = calloc(1, sizeof(*k));
	int r;

	if (!k) {
		snprintf(err, errlen, "out of host memory");
		return -1;
	}
	m->kern = k;
	kern_geometry(m, k);
	r = pt_alloc_table(m, &k->pgd);
	if (r)
		goto fail;
	k->have_pgd = true;
	r = kern_cpus(m, k);
	if (!r)
		r = pae_kernel_pmds(m);
	if (!r)
		r = map_direct(m);
	if (!r)
		r = map_kernel_image(m);
	if (!r)
		r = populate_fixmap(m);
	if (!r)
		return 0;
fail:
	snprintf(err, errlen, "building init_mm page tables: %s",
		 r == -ENOMEM ? "out of memory" : "mapping conflict");
	return -1;
}

void mmt_kern_exit(struct mmt_machine *m)
{
	struct mmt_kern *k = m->kern;
	unsigned i;

	if (!k)
		return;
	if (k->have_pgd)
		mmt_pt_free_init_mm(m);
	for (i = 0; k->cpus && i < k->nr_cpus; i++)
		mmt_tlb_free(&k->cpus[i].tlb);
	free(k->cpus);
	free(k->pgds);
	free(k->mm_cpumask);
	free(k);
	m->kern = NULL;
}
