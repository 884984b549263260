// SPDX-License-Identifier: MIT
/*
 * The per-CPU TLB: sets x ways entries, LRU within a set, one array for
 * every page size (see include/mmtwin/kern.h for the model).
 */
#include "pgtable_internal.h"

#include <errno.h>

/* The entry translating @va, trying each page size in @shifts; or NULL. */
const struct mmt_tlb_entry *mmt_tlb_lookup(struct mmt_tlb *t,
					   const unsigned *shifts,
					   unsigned nr_shifts, uint64_t va)
{
	return tlb_lookup(t, shifts, nr_shifts, va);
}

/* Fill an entry for the page of size 2^@shift containing @va (LRU victim). */
void mmt_tlb_insert(struct mmt_tlb *t, uint64_t va, unsigned shift,
		    uint64_t pa, unsigned flags)
{
	uint64_t tag = tlb_key(va, shift);
	struct mmt_tlb_entry *e, *victim;
	unsigned w;

	if (!t->sets)
		return;
	e = victim = tlb_set(t, va >> shift);
	for (w = 0; w < t->ways; w++) {
		if (e[w].tag == tag) {
			victim = &e[w];
			break;
		}
		if (!e[w].tag) {
			victim = &e[w];
			break;
		}
		if ((int32_t)(e[w].stamp - victim->stamp) < 0)
			victim = &e[w];
	}
	victim->tag = tag;
	victim->pa = pa;
	victim->shift = (uint8_t)shift;
	victim->mask = (1ULL << shift) - 1;
	victim->flags = (uint8_t)flags;
	victim->allow = tlb_allow_bits(flags);
	victim->stamp = (uint32_t)(t->hits + t->misses);
}

void mmt_tlb_drop(struct mmt_tlb *t, const struct mmt_tlb_entry *e)
{
	(void)t;
	((struct mmt_tlb_entry *)e)->tag = 0;
	((struct mmt_tlb_entry *)e)->shift = 0;
}

void mmt_tlb_free(struct mmt_tlb *t)
{
	free(t->e);
	t->e = NULL;
	t->sets = 0;
}

/* Drop entries of @t: all, or only the non-global ones. */
static void tlb_flush(struct mmt_tlb *t, bool keep_global)
{
	unsigned i;

	for (i = 0; i < t->sets * t->ways; i++)
		if (!keep_global || !(t->e[i].flags & MMT_TLBF_GLOBAL))
			t->e[i].tag = 0, t->e[i].shift = 0;
	t->flushes++;
}

static struct mmt_cpu *cpu_of(struct mmt_machine *m, unsigned cpu,
			      const char *fn)
{
	if (cpu >= m->kern->nr_cpus)
		mmt_bug(fn, "no CPU %u", cpu);
	return &m->kern->cpus[cpu];
}

/* mm_cpumask(mm) of a process PGD; NULL for init_mm or an unknown pfn. */
static uint64_t *mm_cpumask(struct mmt_kern *k, uint64_t pgd)
{
	for (unsigned i = 0; i < k->nr_pgds; i++)
		if (k->pgds[i] == pgd)
			return &k->mm_cpumask[(size_t)i * k->cpumask_words];
	return NULL;
}

bool mmt_mm_cpumask_test(struct mmt_machine *m, uint64_t pgd_pfn,
			 unsigned cpu)
{
	uint64_t *mask = mm_cpumask(m->kern, pgd_pfn);

	return mask && cpu < m->kern->nr_cpus && (mask[cpu / 64] >> cpu % 64 & 1);
}

/*
 * switch_mm_irqs_off() without PCID: CR3 written, non-global entries
 * gone (choose_new_asid: need_flush), the CPU set in next's mask.  The
 * previous mm keeps the bit until a flush finds the CPU elsewhere.
 */
void mmt_cpu_switch_mm(struct mmt_machine *m, unsigned cpu, uint64_t pgd_pfn)
{
	struct mmt_cpu *c = cpu_of(m, cpu, "mmt_cpu_switch_mm");
	uint64_t *mask = mm_cpumask(m->kern, pgd_pfn);

	if (pgd_pfn != m->kern->pgd && !mask)
		MMT_BUG("pfn %#llx is no PGD", (unsigned long long)pgd_pfn);
	if (mask)
		mask[cpu / 64] |= 1ULL << cpu % 64;
	c->cr3 = pgd_pfn;
	tlb_flush(&c->tlb, true);
}

void mmt_tlb_flush_all(struct mmt_machine *m, unsigned cpu)
{
	tlb_flush(&cpu_of(m, cpu, "mmt_tlb_flush_all")->tlb, false);
}

void mmt_tlb_flush_one(struct mmt_machine *m, unsigned cpu, uint64_t va)
{
	struct mmt_tlb *t = &cpu_of(m, cpu, "mmt_tlb_flush_one")->tlb;
	struct mmt_kern *k = m->kern;
	unsigned s, w;

	for (s = 0; t->sets && s < k->nr_tlb_shifts; s++) {
		uint64_t tag = tlb_key(va, k->tlb_shifts[s]);
		struct mmt_tlb_entry *e = tlb_set(t, va >> k->tlb_shifts[s]);

		for (w = 0; w < t->ways; w++)
			if (e[w].tag == tag)
				e[w].tag = 0, e[w].shift = 0;
	}
}

void mmt_tlb_flush_va_all_cpus(struct mmt_machine *m, uint64_t va)
{
	mmt_flush_tlb_kernel_range(m, va, va + MMT_PAGE_SIZE);
}

/* More pages than tlb_single_page_flush_ceiling: flush everything. */
static bool flush_is_full(uint64_t start, uint64_t end, unsigned stride)
{
	return end == MMT_TLB_FLUSH_ALL || end < start ||
	       (end - start) >> stride > MMT_TLB_SINGLE_PAGE_FLUSH_CEILING;
}

/* invlpg every 2^@stride page of [start, end) on @cpu. */
static void flush_pages(struct mmt_machine *m, unsigned cpu, uint64_t start,
			uint64_t end, unsigned stride)
{
	for (uint64_t a = start; a < end; a += 1ULL << stride)
		mmt_tlb_flush_one(m, cpu, a);
}

void mmt_flush_tlb_kernel_range(struct mmt_machine *m, uint64_t start,
				uint64_t end)
{
	bool full = flush_is_full(start, end, MMT_PAGE_SHIFT);

	for (unsigned i = 0; i < m->kern->nr_cpus; i++) {
		m->kern->cpus[i].tlb.flush_received++;
		if (full)	/* do_flush_tlb_all */
			tlb_flush(&m->kern->cpus[i].tlb, false);
		else		/* do_kernel_range_flush */
			flush_pages(m, i, start & MMT_PAGE_MASK, end,
				    MMT_PAGE_SHIFT);
	}
}

/*
 * flush_tlb_func() on @cpu for a flush of @pgd: a CPU that no longer has
 * the mm loaded leaves its mm_cpumask and flushes nothing.
 */
static void flush_tlb_func(struct mmt_machine *m, unsigned cpu, uint64_t pgd,
			   uint64_t *mask, uint64_t start, uint64_t end,
			   unsigned stride, bool full)
{
	struct mmt_tlb *t = &m->kern->cpus[cpu].tlb;

	t->flush_received++;
	if (m->kern->cpus[cpu].cr3 != pgd) {
		mask[cpu / 64] &= ~(1ULL << cpu % 64);
		t->flush_wrong_mm++;
		return;
	}
	if (full)
		tlb_flush(t, true);	/* flush_tlb_local: a CR3 reload */
	else
		flush_pages(m, cpu, start, end, stride);
}

void mmt_flush_tlb_mm_range(struct mmt_machine *m, uint64_t pgd_pfn,
			    uint64_t start, uint64_t end,
			    unsigned stride_shift, bool freed_tables)
{
	struct mmt_kern *k = m->kern;
	uint64_t *mask = mm_cpumask(k, pgd_pfn);
	bool full = flush_is_full(start, end, stride_shift);

	if (pgd_pfn == k->pgd) {
		mmt_flush_tlb_kernel_range(m, start, end);
		return;
	}
	if (!mask)
		MMT_BUG("pfn %#llx is no PGD", (unsigned long long)pgd_pfn);
	start &= ~((1ULL << stride_shift) - 1);
	for (unsigned i = 0; i < k->nr_cpus; i++) {
		if (!(mask[i / 64] >> i % 64 & 1))
			continue;
		/* should_flush_tlb(): IPIs only where the mm is loaded,
		 * unless page tables were freed (native_flush_tlb_multi) */
		if (k->cpus[i].cr3 != pgd_pfn && !freed_tables)
			continue;
		flush_tlb_func(m, i, pgd_pfn, mask, start, end, stride_shift,
			       full);
	}
}

/*
 * A leaf of 2^@shift bytes at @va changed in @pgd: flush_tlb_kernel_range
 * in the kernel half, flush_tlb_mm_range in a process's user half.
 */
void pt_flush_leaf(struct mmt_machine *m, uint64_t pgd, uint64_t va,
		   unsigned shift)
{
	uint64_t size = 1ULL << shift, start = va & ~(size - 1);

	if (pgd == m->kern->pgd || mmt_va_kernel_half(m, va))
		mmt_flush_tlb_kernel_range(m, start, start + size);
	else
		mmt_flush_tlb_mm_range(m, pgd, start, start + size, shift,
				       false);
}

/*
 * free_pgd_range() freed tables of @pgd at [lo, hi): tlb_finish_mmu's
 * flush_tlb_mm_range with freed_tables (PMD stride, as after
 * pte_free_tlb), which reaches every CPU of the mask.
 */
void pt_flush_freed_tables(struct mmt_machine *m, uint64_t pgd, uint64_t lo,
			   uint64_t hi)
{
	const struct mmt_paging *p = &m->layout.paging;

	mmt_flush_tlb_mm_range(m, pgd, lo, hi, p->shift[p->levels - 2], true);
}

int mmt_tlb_configure(struct mmt_machine *m, unsigned entries, unsigned ways)
{
	struct mmt_kern *k = m->kern;
	struct mmt_tlb_entry **n;
	unsigned sets = 0, i;

	if ((entries && (!ways || ways > entries)) || entries > (1u << 20))
		return -EINVAL;
	n = calloc(k->nr_cpus, sizeof(*n));
	if (!n)
		return -ENOMEM;
	if (entries) {
		sets = 1;
		while (sets * 2 * ways <= entries)
			sets *= 2;
	}
	for (i = 0; i < k->nr_cpus; i++) {
		n[i] = entries ? calloc((size_t)sets * ways, sizeof(*n[i]))
			       : NULL;
		if (entries && !n[i]) {
			while (i--)
				free(n[i]);
			free(n);
			return -ENOMEM;
		}
	}
	for (i = 0; i < k->nr_cpus; i++) {
		free(k->cpus[i].tlb.e);
		k->cpus[i].tlb.e = n[i];
		k->cpus[i].tlb.sets = sets;
		k->cpus[i].tlb.ways = entries ? ways : 0;
	}
	free(n);
	return 0;
}

