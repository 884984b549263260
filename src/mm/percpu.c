// SPDX-License-Identifier: MIT
/*
 * Per-CPU areas (mm/percpu.c, arch/x86/kernel/setup_percpu.c), first
 * chunk only.
 *
 * pcpu_embed_first_chunk() sizes each unit as
 *   size_sum  = PFN_ALIGN(static + reserved + PERCPU_DYNAMIC_RESERVE)
 *   unit_size = alloc_size / upa, alloc_size = roundup(size_sum, atom),
 * atom = PMD_SIZE on x86_64 and PAGE_SIZE on x86_32, upa the largest
 * units-per-allocation that divides alloc_size into whole pages without
 * wasting more than a third of the CPUs' units.  The static sizes are the
 * ones the reference kernels print ("percpu: Embedded 53 pages/cpu
 * s185496 r0 d31592 u1048576" on the host 6.18, "s103316 r0 d31852
 * u135168" on Debian 6.1 i386).
 *
 * Simplified: each online CPU's unit is its own lowmem buddy block of
 * get_order(unit_size) (the kernel takes the units from memblock in
 * groups and returns each unit's unused tail); a __percpu pointer is CPU
 * 0's address and per_cpu_ptr() adds __per_cpu_offset[cpu], the distance
 * from unit 0 to the CPU's unit; only the first chunk's dynamic space is
 * allocatable (no further chunks: -ENOMEM when it is full).
 */
#include <mmtwin/kalloc.h>
#include <mmtwin/machine.h>
#include <mmtwin/page_alloc.h>
#include "mm/kalloc_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#define PCPU_MIN_UNIT_SIZE	(32u << 10)
#define PCPU_MIN_ALLOC_SIZE	4u
#define PERCPU_DYNAMIC_RESERVE	(28u << 10)

struct mmt_pcpu_area {
	uint64_t off;		/* offset inside each unit */
	uint64_t size;
	struct mmt_pcpu_area *next;
};

static uint64_t pfn_align(uint64_t v)
{
	return (v + MMT_PAGE_SIZE - 1) & MMT_PAGE_MASK;
}

/* pcpu_build_alloc_info() for one group of @nr CPUs. */
static uint64_t pcpu_unit_size_for(uint64_t size_sum, uint64_t atom,
				   unsigned nr)
{
	uint64_t min_unit = size_sum < PCPU_MIN_UNIT_SIZE ? PCPU_MIN_UNIT_SIZE
							  : size_sum;
	uint64_t alloc = (min_unit + atom - 1) / atom * atom;
	unsigned upa = (unsigned)(alloc / min_unit), best = 1, last = ~0u;

	while (alloc % upa || (alloc / upa) & (MMT_PAGE_SIZE - 1))
		upa--;
	for (; upa; upa--) {
		unsigned allocs = (nr + upa - 1) / upa;

		if (alloc % upa || (alloc / upa) & (MMT_PAGE_SIZE - 1))
			continue;
		if (allocs * upa - nr > nr / 3)
			continue;
		if (allocs > last)
			break;
		last = allocs;
		best = upa;
	}
	return alloc / best;
}

static unsigned order_for(uint64_t bytes)
{
	unsigned o = 0;

	while ((MMT_PAGE_SIZE << o) < bytes)
		o++;
	return o;
}

/* Populated (and allocatable) bytes of each unit. */
static uint64_t size_sum(const struct mmt_kalloc *ka)
{
	return pfn_align(ka->pcpu_static_size + PERCPU_DYNAMIC_RESERVE);
}

int mmt_percpu_init(struct mmt_machine *m, char *err, size_t len)
{
	struct mmt_kalloc *ka = m->kalloc;
	bool is64 = mmt_arch_is_64(m->cfg.arch);
	unsigned n = m->cfg.online_cpus;

	ka->pcpu_static_size = is64 ? 185496 : 103316;
	ka->pcpu_unit_size = pcpu_unit_size_for(size_sum(ka),
						is64 ? 2u << 20 : MMT_PAGE_SIZE,
						n);
	ka->pcpu_order = order_for(ka->pcpu_unit_size);
	ka->pcpu_unit_pfn = calloc(n, sizeof(uint64_t));
	ka->pcpu_unit_base = calloc(n, sizeof(uint64_t));
	if (!ka->pcpu_unit_pfn || !ka->pcpu_unit_base) {
		snprintf(err, len, "percpu: out of host memory");
		return -1;
	}
	for (; ka->pcpu_nr_units < n; ka->pcpu_nr_units++) {
		unsigned u = ka->pcpu_nr_units;

		if (mmt_alloc_pages(m, MMT_GFP_KERNEL, ka->pcpu_order,
				    &ka->pcpu_unit_pfn[u]) ||
		    mmt_va(&m->layout, ka->pcpu_unit_pfn[u] << MMT_PAGE_SHIFT,
			   &ka->pcpu_unit_base[u])) {
			snprintf(err, len, "percpu: cannot allocate unit %u of "
				 "%" PRIu64 " bytes", u, ka->pcpu_unit_size);
			return -1;
		}
	}
	ka->pcpu_base = ka->pcpu_unit_base[0];
	return 0;
}

void mmt_percpu_exit(struct mmt_machine *m)
{
	struct mmt_kalloc *ka = m->kalloc;

	while (ka->pcpu_areas) {
		struct mmt_pcpu_area *a = ka->pcpu_areas;

		ka->pcpu_areas = a->next;
		free(a);
	}
	free(ka->pcpu_unit_pfn);
	free(ka->pcpu_unit_base);
	ka->pcpu_unit_pfn = ka->pcpu_unit_base = NULL;
}

/* pcpu_alloc(): first fit in [static, size_sum) of the first chunk. */
int mmt_alloc_percpu(struct mmt_machine *m, uint64_t size, uint64_t align,
		     uint64_t *ptr)
{
	struct mmt_kalloc *ka = m->kalloc;
	struct mmt_pcpu_area **pp = &ka->pcpu_areas, *a;
	uint64_t cand, end = size_sum(ka);

	if (align < PCPU_MIN_ALLOC_SIZE)
		align = PCPU_MIN_ALLOC_SIZE;
	if (!size || size > PCPU_MIN_UNIT_SIZE || align > MMT_PAGE_SIZE ||
	    (align & (align - 1)))
		return -EINVAL;
	size = (size + PCPU_MIN_ALLOC_SIZE - 1) & ~(uint64_t)(PCPU_MIN_ALLOC_SIZE - 1);
	cand = (ka->pcpu_static_size + align - 1) & ~(align - 1);
	for (; *pp; pp = &(*pp)->next) {
		if (cand + size <= (*pp)->off)
			break;
		cand = ((*pp)->off + (*pp)->size + align - 1) & ~(align - 1);
	}
	if (cand + size > end)
		return -ENOMEM;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	*a = (struct mmt_pcpu_area){ cand, size, *pp };
	*pp = a;
	*ptr = ka->pcpu_base + cand;
	return 0;
}

int mmt_free_percpu(struct mmt_machine *m, uint64_t ptr)
{
	struct mmt_kalloc *ka = m->kalloc;

	for (struct mmt_pcpu_area **pp = &ka->pcpu_areas; *pp;
	     pp = &(*pp)->next) {
		if (ka->pcpu_base + (*pp)->off == ptr) {
			struct mmt_pcpu_area *a = *pp;

			*pp = a->next;
			free(a);
			return 0;
		}
	}
	return -EINVAL;
}

uint64_t mmt_per_cpu_offset(struct mmt_machine *m, unsigned cpu)
{
	struct mmt_kalloc *ka = m->kalloc;

	if (cpu >= ka->pcpu_nr_units)
		return UINT64_MAX;
	return ka->pcpu_unit_base[cpu] - ka->pcpu_base;
}

int mmt_per_cpu_ptr(struct mmt_machine *m, uint64_t ptr, unsigned cpu,
		    uint64_t *addr)
{
	struct mmt_kalloc *ka = m->kalloc;

	if (cpu >= ka->pcpu_nr_units || ptr < ka->pcpu_base ||
	    ptr - ka->pcpu_base >= ka->pcpu_unit_size)
		return -EINVAL;
	*addr = ptr + mmt_per_cpu_offset(m, cpu);
	return 0;
}

uint64_t mmt_pcpu_unit_size(struct mmt_machine *m)
{
	return m->kalloc->pcpu_unit_size;
}

uint64_t mmt_percpu_bytes(struct mmt_machine *m)
{
	return size_sum(m->kalloc) * m->kalloc->pcpu_nr_units;
}

int mmt_percpu_check(struct mmt_machine *m, char *err, size_t len)
{
	struct mmt_kalloc *ka = m->kalloc;
	uint64_t prev = ka->pcpu_static_size;

	if (ka->pcpu_unit_size > MMT_PAGE_SIZE << ka->pcpu_order ||
	    ka->pcpu_unit_size < size_sum(ka)) {
		snprintf(err, len, "percpu: unit does not fit its block");
		return -1;
	}
	for (unsigned u = 0; u < ka->pcpu_nr_units; u++) {
		uint64_t va;

		if (ka->pcpu_unit_pfn[u] >= m->layout.max_low_pfn ||
		    mmt_va(&m->layout, ka->pcpu_unit_pfn[u] << MMT_PAGE_SHIFT,
			   &va) || va != ka->pcpu_unit_base[u]) {
			snprintf(err, len, "percpu: unit %u not in lowmem", u);
			return -1;
		}
	}
	for (const struct mmt_pcpu_area *a = ka->pcpu_areas; a; a = a->next) {
		if (a->off < prev || a->off + a->size > size_sum(ka) ||
		    !a->size) {
			snprintf(err, len, "percpu: area at offset %#" PRIx64
				 " overlaps or leaves the dynamic space", a->off);
			return -1;
		}
		prev = a->off + a->size;
	}
	return 0;
}
