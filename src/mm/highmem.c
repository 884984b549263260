// SPDX-License-Identifier: MIT
/*
 * kmap and kmap_local (mm/highmem.c, include/linux/highmem-internal.h).
 *
 * Persistent kmap: LAST_PKMAP slots at PKMAP_BASE with pkmap_count[]:
 *   0 = free, 1 = mapped but unused (PTE still set: must be flushed
 *   before reuse), n >= 2 = n - 1 users.
 * map_new_virtual() scans from last_pkmap_nr + 1; each time the scan
 * wraps to slot 0 it runs flush_all_zero_pkmaps(), which turns every
 * count-1 slot into a free one (PTE cleared, TLB flushed).  When a full
 * turn finds nothing the kernel sleeps on pkmap_map_wait; the model
 * returns -EAGAIN instead ("would sleep").
 *
 * kmap_local: a per-CPU stack of KM_MAX_IDX slots; slot idx of cpu c is
 * fixmap index FIX_KMAP_BEGIN + idx + KM_MAX_IDX * c (deeper = lower
 * address); unmapping must be LIFO.  The kernel keeps the stack per task
 * and re-installs it on context switch; with no tasks the model keeps it
 * per CPU.
 *
 * Lowmem pages (all pages on x86_64) are never mapped here: every variant
 * returns page_address(), the direct-map address.
 */
#include <mmtwin/kalloc.h>
#include <mmtwin/machine.h>
#include <mmtwin/pgtable.h>
#include "base/bug.h"
#include "mm/kalloc_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void kmap_bug(const char *fn, const char *what)
{
	mmt_bug(fn, "%s", what);
}

/* The profile has CONFIG_HIGHMEM (the x86_32 ones). */
static bool has_highmem(struct mmt_machine *m)
{
	return !mmt_arch_is_64(m->cfg.arch);
}

bool mmt_page_is_highmem(struct mmt_machine *m, uint64_t pfn)
{
	return has_highmem(m) && pfn >= m->layout.max_low_pfn;
}

static uint64_t pkmap_addr(struct mmt_machine *m, unsigned nr)
{
	return m->layout.pkmap_base + ((uint64_t)nr << MMT_PAGE_SHIFT);
}

/* The pkmap slot holding @pfn, or -1 (the page_address_htable lookup). */
static int pkmap_slot_of(struct mmt_machine *m, uint64_t pfn)
{
	struct mmt_kalloc *ka = m->kalloc;

	for (unsigned i = 0; i < ka->last_pkmap; i++)
		if (ka->pkmap_page[i] == pfn)
			return (int)i;
	return -1;
}

int mmt_page_address(struct mmt_machine *m, uint64_t pfn, uint64_t *va)
{
	int nr;

	if (!mmt_page_is_highmem(m, pfn))
		return mmt_va(&m->layout, pfn << MMT_PAGE_SHIFT, va) ? -ENOENT : 0;
	nr = pkmap_slot_of(m, pfn);
	if (nr < 0)
		return -ENOENT;
	*va = pkmap_addr(m, (unsigned)nr);
	return 0;
}

/* flush_all_zero_pkmaps(): free every count-1 slot, one TLB flush. */
static void flush_all_zero_pkmaps(struct mmt_machine *m)
{
	struct mmt_kalloc *ka = m->kalloc;
	bool need_flush = false;

	for (unsigned i = 0; i < ka->last_pkmap; i++) {
		if (ka->pkmap_count[i] != 1)
			continue;
		ka->pkmap_count[i] = 0;
		if (ka->pkmap_page[i] == MMT_PKMAP_NONE)
			kmap_bug("flush_all_zero_pkmaps", "count 1 without page");
		if (mmt_kernel_unmap(m, pkmap_addr(m, i)))
			kmap_bug("flush_all_zero_pkmaps", "slot PTE missing");
		ka->pkmap_page[i] = MMT_PKMAP_NONE;
		need_flush = true;
	}
	if (need_flush)
		ka->pkmap_flushes++;
}

/* map_new_virtual(): a free slot for @pfn, or -EAGAIN (would sleep). */
static int map_new_virtual(struct mmt_machine *m, uint64_t pfn, uint64_t *va)
{
	struct mmt_kalloc *ka = m->kalloc;
	unsigned count = ka->last_pkmap, nr;

	for (;;) {
		ka->last_pkmap_nr = (ka->last_pkmap_nr + 1) % ka->last_pkmap;
		if (ka->last_pkmap_nr == 0) {
			flush_all_zero_pkmaps(m);
			count = ka->last_pkmap;
		}
		if (ka->pkmap_count[ka->last_pkmap_nr] == 0)
			break;
		if (--count == 0)
			return -EAGAIN;
	}
	nr = ka->last_pkmap_nr;
	if (mmt_kernel_map(m, pkmap_addr(m, nr), pfn, MMT_PAGE_KERNEL))
		return -ENOMEM;
	ka->pkmap_count[nr] = 1;
	ka->pkmap_page[nr] = pfn;
	*va = pkmap_addr(m, nr);
	return 0;
}

int mmt_kmap(struct mmt_machine *m, uint64_t pfn, uint64_t *va)
{
	int nr, r;

	if (!mmt_page_is_highmem(m, pfn))
		return mmt_page_address(m, pfn, va) ? -EINVAL : 0;
	if (pfn >= m->layout.max_pfn)
		return -EINVAL;
	/* kmap_high() */
	nr = pkmap_slot_of(m, pfn);
	if (nr < 0) {
		r = map_new_virtual(m, pfn, va);
		if (r)
			return r;
		nr = (int)m->kalloc->last_pkmap_nr;
	}
	m->kalloc->pkmap_count[nr]++;
	*va = pkmap_addr(m, (unsigned)nr);
	return 0;
}

int mmt_kunmap(struct mmt_machine *m, uint64_t pfn)
{
	int nr;

	if (!mmt_page_is_highmem(m, pfn))
		return 0;
	/* kunmap_high() */
	nr = pkmap_slot_of(m, pfn);
	if (nr < 0 || m->kalloc->pkmap_count[nr] < 2)
		return -EINVAL;
	m->kalloc->pkmap_count[nr]--;
	return 0;
}

int mmt_pkmap_slot(struct mmt_machine *m, unsigned nr, int *count,
		   uint64_t *pfn)
{
	if (nr >= m->kalloc->last_pkmap)
		return -EINVAL;
	*count = m->kalloc->pkmap_count[nr];
	*pfn = m->kalloc->pkmap_page[nr];
	return 0;
}

unsigned mmt_last_pkmap(struct mmt_machine *m)
{
	return m->kalloc->last_pkmap;
}

unsigned mmt_last_pkmap_nr(struct mmt_machine *m)
{
	return m->kalloc->last_pkmap_nr;
}

unsigned long mmt_pkmap_flushes(struct mmt_machine *m)
{
	return m->kalloc->pkmap_flushes;
}

/* ------------------------------------------------------------ kmap_local */

/* The fixmap index of stack slot @idx of @cpu (kmap_local_calc_idx). */
static unsigned kmap_local_fix(struct mmt_machine *m, unsigned cpu,
			       unsigned idx)
{
	return m->layout.fix_kmap_begin + idx + m->kalloc->km_max_idx * cpu;
}

static bool kmap_local_slots(struct mmt_machine *m)
{
	return has_highmem(m) && m->kalloc->kmap_idx;
}

/* kmap_local_idx_push(): the next free slot of @cpu, or -ENOSPC. */
static int kmap_local_idx_push(struct mmt_machine *m, unsigned cpu)
{
	struct mmt_kalloc *ka = m->kalloc;

	if (ka->kmap_idx[cpu] >= ka->km_max_idx)
		return -ENOSPC;
	return (int)ka->kmap_idx[cpu]++;
}

int mmt_kmap_local_page(struct mmt_machine *m, unsigned cpu, uint64_t pfn,
			uint64_t *va)
{
	struct mmt_kalloc *ka = m->kalloc;
	unsigned fix;
	int idx;

	if (cpu >= m->cfg.online_cpus || pfn >= m->layout.max_pfn)
		return -EINVAL;
	if (!mmt_page_is_highmem(m, pfn) || !kmap_local_slots(m))
		return mmt_page_address(m, pfn, va) ? -EINVAL : 0;
	idx = kmap_local_idx_push(m, cpu);
	if (idx < 0)
		return idx;
	fix = kmap_local_fix(m, cpu, (unsigned)idx);
	*va = mmt_fix_to_virt(m, fix);
	if (mmt_kernel_map(m, *va, pfn, MMT_PAGE_KERNEL)) {
		ka->kmap_idx[cpu]--;
		return -ENOMEM;
	}
	ka->kmap_pfn[cpu * ka->km_max_idx + (unsigned)idx] = pfn;
	ka->fix_use[fix] = MMT_FIX_KMAP_LOCAL;
	ka->fix_phys[fix] = pfn << MMT_PAGE_SHIFT;
	return 0;
}

int mmt_kunmap_local(struct mmt_machine *m, unsigned cpu, uint64_t va)
{
	struct mmt_kalloc *ka = m->kalloc;
	unsigned idx, fix;
	uint64_t pa;

	if (cpu >= m->cfg.online_cpus)
		return -EINVAL;
	if (!mmt_pa(&m->layout, va, &pa))
		return 0;	/* a lowmem page_address(): nothing mapped */
	if (!kmap_local_slots(m) || ka->kmap_idx[cpu] == 0)
		return -EINVAL;
	idx = ka->kmap_idx[cpu] - 1;
	fix = kmap_local_fix(m, cpu, idx);
	if ((va & MMT_PAGE_MASK) != mmt_fix_to_virt(m, fix))
		return -EINVAL;	/* not the top of the stack: not LIFO */
	if (mmt_kernel_unmap(m, va & MMT_PAGE_MASK))
		kmap_bug("mmt_kunmap_local", "slot PTE missing");
	ka->kmap_idx[cpu]--;
	ka->kmap_pfn[cpu * ka->km_max_idx + idx] = MMT_PKMAP_NONE;
	ka->fix_use[fix] = MMT_FIX_FREE;
	ka->fix_phys[fix] = 0;
	return 0;
}

unsigned mmt_kmap_local_depth(struct mmt_machine *m, unsigned cpu)
{
	if (!m->kalloc->kmap_idx || cpu >= m->cfg.online_cpus)
		return 0;
	return m->kalloc->kmap_idx[cpu];
}

/* ------------------------------------------------------------ boot, check */

int mmt_kmap_init(struct mmt_machine *m, char *err, size_t len)
{
	struct mmt_kalloc *ka = m->kalloc;
	unsigned cpus = m->cfg.online_cpus;

	ka->last_pkmap = has_highmem(m) ? m->layout.last_pkmap : 0;
	ka->km_max_idx = m->cfg.kc.km_max_idx;
	if (ka->last_pkmap) {
		ka->pkmap_count = calloc(ka->last_pkmap, sizeof(int));
		ka->pkmap_page = malloc(ka->last_pkmap * sizeof(uint64_t));
		if (!ka->pkmap_count || !ka->pkmap_page)
			goto nomem;
		for (unsigned i = 0; i < ka->last_pkmap; i++)
			ka->pkmap_page[i] = MMT_PKMAP_NONE;
	}
	if (has_highmem(m) && m->layout.fix_kmap_end > m->layout.fix_kmap_begin) {
		if ((uint64_t)cpus * ka->km_max_idx >
		    m->layout.fix_kmap_end - m->layout.fix_kmap_begin + 1) {
			snprintf(err, len, "kmap_local: %u CPUs do not fit the "
				 "FIX_KMAP slots", cpus);
			return -1;
		}
		ka->kmap_idx = calloc(cpus, sizeof(unsigned));
		ka->kmap_pfn = malloc((size_t)cpus * ka->km_max_idx *
				      sizeof(uint64_t));
		if (!ka->kmap_idx || !ka->kmap_pfn)
			goto nomem;
		for (unsigned i = 0; i < cpus * ka->km_max_idx; i++)
			ka->kmap_pfn[i] = MMT_PKMAP_NONE;
	}
	return 0;
nomem:
	snprintf(err, len, "kmap: out of host memory");
	return -1;
}

void mmt_kmap_exit(struct mmt_machine *m)
{
	struct mmt_kalloc *ka = m->kalloc;

	free(ka->pkmap_count);
	free(ka->pkmap_page);
	free(ka->kmap_idx);
	free(ka->kmap_pfn);
	ka->pkmap_count = NULL;
	ka->pkmap_page = NULL;
	ka->kmap_idx = NULL;
	ka->kmap_pfn = NULL;
}

/* Does @va map @pfn in init_mm (want_pfn == NONE: map nothing)? */
static bool maps(struct mmt_machine *m, uint64_t va, uint64_t want_pfn)
{
	struct mmt_pt_leaf leaf;
	int r = mmt_pt_lookup(m, mmt_init_mm_pgd(m), va, &leaf);

	if (want_pfn == MMT_PKMAP_NONE)
		return r != 0;
	return r == 0 && leaf.pfn == want_pfn;
}

static int check_pkmap(struct mmt_machine *m, char *err, size_t len)
{
	struct mmt_kalloc *ka = m->kalloc;

	if (ka->last_pkmap && ka->last_pkmap_nr >= ka->last_pkmap) {
		snprintf(err, len, "pkmap: last_pkmap_nr %u", ka->last_pkmap_nr);
		return -1;
	}
	for (unsigned i = 0; i < ka->last_pkmap; i++) {
		int c = ka->pkmap_count[i];
		uint64_t pfn = ka->pkmap_page[i];

		if (c < 0 || (c == 0) != (pfn == MMT_PKMAP_NONE) ||
		    (c && !mmt_page_is_highmem(m, pfn)) ||
		    (c && pkmap_slot_of(m, pfn) != (int)i) ||
		    !maps(m, pkmap_addr(m, i), pfn)) {
			snprintf(err, len, "pkmap: slot %u count %d page %#"
				 PRIx64 " inconsistent with its PTE", i, c, pfn);
			return -1;
		}
	}
	return 0;
}

static int check_kmap_local(struct mmt_machine *m, char *err, size_t len)
{
	struct mmt_kalloc *ka = m->kalloc;

	if (!kmap_local_slots(m))
		return 0;
	for (unsigned cpu = 0; cpu < m->cfg.online_cpus; cpu++) {
		if (ka->kmap_idx[cpu] > ka->km_max_idx) {
			snprintf(err, len, "kmap_local: cpu %u depth %u", cpu,
				 ka->kmap_idx[cpu]);
			return -1;
		}
		for (unsigned i = 0; i < ka->km_max_idx; i++) {
			unsigned fix = kmap_local_fix(m, cpu, i);
			uint64_t pfn = ka->kmap_pfn[cpu * ka->km_max_idx + i];
			bool live = i < ka->kmap_idx[cpu];

			if (live != (pfn != MMT_PKMAP_NONE) ||
			    live != (ka->fix_use[fix] == MMT_FIX_KMAP_LOCAL) ||
			    !maps(m, mmt_fix_to_virt(m, fix), pfn)) {
				snprintf(err, len, "kmap_local: cpu %u slot %u "
					 "inconsistent", cpu, i);
				return -1;
			}
		}
	}
	return 0;
}

/* set_fixmap slots map what they say. */
static int check_fixmap(struct mmt_machine *m, char *err, size_t len)
{
	struct mmt_kalloc *ka = m->kalloc;

	for (unsigned i = 0; i < ka->fix_total; i++)
		if (ka->fix_use[i] == MMT_FIX_SET &&
		    !maps(m, mmt_fix_to_virt(m, i),
			  ka->fix_phys[i] >> MMT_PAGE_SHIFT)) {
			snprintf(err, len, "fixmap: slot %u not mapped", i);
			return -1;
		}
	return 0;
}

int mmt_kmap_check(struct mmt_machine *m, char *err, size_t len)
{
	if (check_pkmap(m, err, len) || check_kmap_local(m, err, len) ||
	    check_fixmap(m, err, len))
		return -1;
	return 0;
}
