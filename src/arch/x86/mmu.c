// SPDX-License-Identifier: MIT
/*
 * The MMU: translate a virtual address like the hardware page walker,
 * through the CPU's TLB.  CR0.WP=1 (kernel writes to read-only pages
 * fault), CR4.PGE=1, EFER.NXE=1 with 8-byte entries.  SMEP/SMAP and
 * protection keys are not modelled: kernel-mode accesses to user pages
 * succeed.
 */
#include "pgtable_internal.h"


/* Permissions combined over a walk (AND of RW/US, OR of NX). */
struct mmu_perm {
	uint64_t rw, us, nx;
};

/* Fault checks at the leaf; 0 or the PF error code (with P set). */
static inline unsigned leaf_fault(const struct mmu_perm *pm, unsigned kind,
				  bool user, unsigned ecode)
{
	if ((user && !pm->us) || (kind == MMT_ACCESS_WRITE && !pm->rw) ||
	    (kind == MMT_ACCESS_EXEC && pm->nx))
		return ecode | MMT_PF_PROT;
	return 0;
}

/*
 * The page walk from @c's CR3.  Sets Accessed on each table entry it goes
 * through and, on success, Accessed (and Dirty for a write) on the leaf,
 * then fills the TLB.  Returns MMT_XLATE_OK / MMT_XLATE_PF.
 */
__attribute__((noinline))	/* keeps the TLB-hit path free of spills */
static int mmu_walk(struct mmt_machine *m, struct mmt_cpu *c, uint64_t va,
		    unsigned kind, bool user, uint64_t *pa, unsigned *pf)
{
	const struct mmt_paging *p = &m->layout.paging;
	struct mmt_kern *k = m->kern;
	unsigned es = p->entry_size, l, idx, flags;
	unsigned ecode = (kind == MMT_ACCESS_WRITE ? MMT_PF_WRITE : 0) |
			 (user ? MMT_PF_USER : 0) |
			 (kind == MMT_ACCESS_EXEC && es == 8 ? MMT_PF_INSTR : 0);
	struct mmu_perm pm = { 1, 1, 0 };
	uint64_t tbl = c->cr3, e, nv, size, base;
	void *t;
	bool leaf;

	k->walks++;
	for (l = 0;; l++) {
		t = pt_frame(m, tbl);
		idx = pt_index(p, l, va);
		e = pt_get(es, t, idx);
		if (!pt_hw_present(e)) {
			*pf = ecode;
			return MMT_XLATE_PF;
		}
		leaf = pt_leaf(p, l, e);
		if (e & k->rsvd[l][leaf]) {
			*pf = ecode | MMT_PF_PROT | MMT_PF_RSVD;
			return MMT_XLATE_PF;
		}
		if (!pt_is_pdpt(p, l)) {
			pm.rw &= e >> 1;
			pm.us &= e >> 2;
			pm.nx |= e >> 63;
		}
		if (leaf)
			break;
		if (!pt_is_pdpt(p, l) && !(e & MMT_PTE_ACCESSED))
			pt_set(es, t, idx, e | MMT_PTE_ACCESSED);
		tbl = pt_addr(k, e) >> MMT_PAGE_SHIFT;
	}
	*pf = leaf_fault(&pm, kind, user, ecode);
	if (*pf)
		return MMT_XLATE_PF;
	nv = e | MMT_PTE_ACCESSED |
	     (kind == MMT_ACCESS_WRITE ? MMT_PTE_DIRTY : 0);
	if (nv != e)
		pt_set(es, t, idx, nv);
	size = 1ULL << p->shift[l];
	base = pt_addr(k, e) & ~(size - 1);
	*pa = base | (va & (size - 1));
	flags = (pm.rw & 1 ? MMT_TLBF_RW : 0) | (pm.us & 1 ? MMT_TLBF_USER : 0) |
		(pm.nx & 1 ? MMT_TLBF_NX : 0) |
		(nv & MMT_PTE_DIRTY ? MMT_TLBF_DIRTY : 0) |
		(nv & MMT_PTE_GLOBAL ? MMT_TLBF_GLOBAL : 0);
	mmt_tlb_insert(&c->tlb, va, p->shift[l], base, flags);
	return MMT_XLATE_OK;
}

/* Does TLB entry @e allow access kind @a (READ/WRITE/EXEC | USER)? */
static inline bool tlb_allows(const struct mmt_tlb_entry *e, unsigned a)
{
	return (e->allow >> a) & 1;
}

/* A permitted hit: LRU stamp, counter, physical address. */
static inline int tlb_hit(struct mmt_cpu *c, struct mmt_tlb_entry *e,
			  uint64_t va, uint64_t *pa)
{
	e->stamp = (uint32_t)(++c->tlb.hits + c->tlb.misses);
	*pa = e->pa + (va & e->mask);
	return MMT_XLATE_OK;
}

/*
 * Everything but a permitted 4 KiB TLB hit: a permitted large-page hit;
 * otherwise drop an entry that does not allow the access (a fault makes
 * the hardware re-walk), count the miss, walk.  Same arguments as
 * mmt_mmu_translate so that calling it is a tail jump.
 */
__attribute__((noinline))
static int mmu_translate_slow(struct mmt_machine *m, unsigned cpu,
			      uint64_t va, unsigned access, uint64_t *pa,
			      unsigned *pf_error)
{
	struct mmt_kern *k = m->kern;
	struct mmt_cpu *c;
	struct mmt_tlb_entry *e;

	if (cpu >= k->nr_cpus)
		mmt_bug("mmt_mmu_translate", "no CPU %u", cpu);
	c = &k->cpus[cpu];
	if (!pt_va_valid(m, va))
		return MMT_XLATE_GP;
	e = tlb_lookup(&c->tlb, k->tlb_shifts, k->nr_tlb_shifts, va);
	if (e && tlb_allows(e, access & 7))
		return tlb_hit(c, e, va, pa);
	if (e)
		mmt_tlb_drop(&c->tlb, e);
	c->tlb.misses++;
	return mmu_walk(m, c, va, access & 3, access & MMT_ACCESS_USER, pa,
			pf_error);
}

/*
 * Translate @va for @access (MMT_ACCESS_READ/WRITE/EXEC, | MMT_ACCESS_USER)
 * on @cpu.  The TLB-hit path is kept small; the rest is
 * mmu_translate_slow.  An unknown @cpu is a caller bug: abort.
 */
int mmt_mmu_translate(struct mmt_machine *m, unsigned cpu, uint64_t va,
		      unsigned access, uint64_t *pa, unsigned *pf_error)
{
	struct mmt_kern *k = m->kern;
	struct mmt_cpu *c;
	struct mmt_tlb_entry *e;
	uint64_t key;

	if (__builtin_expect(cpu >= k->nr_cpus, 0))
		goto slow;
	c = &k->cpus[cpu];
	if (__builtin_expect(!c->tlb.sets, 0))
		goto slow;
	/*
	 * The 4 KiB set only: large pages and misses take the slow path.  No
	 * canonical check first: entries exist only for valid addresses and
	 * the tag keeps every bit of the page number, so a non-canonical
	 * address never hits (the slow path raises #GP).
	 */
	key = tlb_key(va, MMT_PAGE_SHIFT);
	e = tlb_set(&c->tlb, va >> MMT_PAGE_SHIFT);
	for (unsigned w = 0; w < c->tlb.ways; w++)
		if (e[w].tag == key && tlb_allows(&e[w], access & 7))
			return tlb_hit(c, &e[w], va, pa);
slow:
	return mmu_translate_slow(m, cpu, va, access, pa, pf_error);
}
