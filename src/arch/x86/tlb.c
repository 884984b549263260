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

void mmt_cpu_switch_mm(struct mmt_machine *m, unsigned cpu, uint64_t pgd_pfn)
{
	struct mmt_cpu *c = cpu_of(m, cpu, "mmt_cpu_switch_mm");

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
	unsigned i;

	for (i = 0; i < m->kern->nr_cpus; i++)
		mmt_tlb_flush_one(m, i, va);
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

/*
 * After free_pgd_range() freed tables of @pgd covering [lo, hi): every CPU
 * running it reloads CR3 (PAE needs that for a PDPTE change anyway).
 */
void pt_flush_freed_tables(struct mmt_machine *m, uint64_t pgd, uint64_t lo,
			   uint64_t hi)
{
	(void)lo, (void)hi;
	for (unsigned i = 0; i < m->kern->nr_cpus; i++)
		if (m->kern->cpus[i].cr3 == pgd)
			tlb_flush(&m->kern->cpus[i].tlb, true);
}

/* A leaf of @pgd's tables at @va changed: flush it where it may be cached. */
void pt_flush_one(struct mmt_machine *m, uint64_t pgd, uint64_t va)
{
	(void)pgd;
	mmt_tlb_flush_va_all_cpus(m, va);
}
