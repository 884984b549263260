// SPDX-License-Identifier: MIT
/*
 * Page tables in modelled frames: the walker and what is built on it
 * (map, unmap, lookup, populate, pgd_alloc/pgd_free).
 *
 * Every format goes through the same loop: level 0 is the top (PGD), the
 * last level holds 4 KiB PTEs; struct mmt_paging gives each level's shift
 * and index width, and pt_get/pt_set read 4- or 8-byte little-endian
 * entries.  A non-leaf entry carries _KERNPG_TABLE (kernel half) or
 * _PAGE_TABLE (user half); a PAE PDPT entry only P and the address, as
 * the hardware reserves its other bits.
 */
#include "pgtable_internal.h"
#include "mm/internal.h"

#include <errno.h>

bool mmt_va_kernel_half(const struct mmt_machine *m, uint64_t va)
{
	return pt_index(&m->layout.paging, 0, va) >= m->kern->kern_pgd_start;
}

unsigned mmt_pt_ptrs(const struct mmt_machine *m, unsigned level)
{
	const struct mmt_paging *p = &m->layout.paging;

	return pt_is_pdpt(p, level) ? 4 : 1u << p->bits[level];
}

unsigned mmt_pt_level_shift(const struct mmt_machine *m, unsigned level)
{
	return m->layout.paging.shift[level];
}

bool mmt_pt_entry_leaf(const struct mmt_machine *m, unsigned level,
		       uint64_t entry)
{
	return pt_leaf(&m->layout.paging, level, entry);
}

uint64_t mmt_pt_entry_read(struct mmt_machine *m, uint64_t table_pfn,
			   unsigned idx)
{
	return pt_get(m->layout.paging.entry_size, pt_frame(m, table_pfn), idx);
}

/*
 * Bits of @e that the hardware reserves at level @l: address bits above
 * MAXPHYADDR, the PAE PDPTE's control bits, PSE where no large page is
 * allowed, and the low address bits of a large leaf (bit 12 is its PAT).
 */
uint64_t pt_reserved_mask(const struct mmt_machine *m, unsigned l, uint64_t e)
{
	const struct mmt_paging *p = &m->layout.paging;
	const struct mmt_kern *k = m->kern;
	uint64_t r = 0;
	unsigned shift = p->shift[l];

	if (p->entry_size == 8 && k->phys_shift < 52)
		r |= ((1ULL << 52) - 1) & ~((1ULL << k->phys_shift) - 1);
	if (pt_is_pdpt(p, l))
		return r | 0x1e6ULL | MMT_PTE_NX;
	if (l != p->levels - 1 && !(p->large_levels >> l & 1))
		r |= MMT_PTE_PSE;
	if (pt_leaf(p, l, e) && l != p->levels - 1)
		r |= ((1ULL << shift) - 1) & ~((1ULL << 13) - 1);
	return r;
}

/* A zeroed page-table page from the buddy (GFP_KERNEL, order 0). */
int pt_alloc_table(struct mmt_machine *m, uint64_t *pfn)
{
	if (mmt_alloc_pages(m, MMT_GFP_KERNEL, 0, pfn))
		return -ENOMEM;
	memset(pt_frame(m, *pfn), 0, MMT_PAGE_SIZE);
	m->kern->pt_pages++;
	return 0;
}

void pt_free_table(struct mmt_machine *m, uint64_t pfn)
{
	struct mmt_frame_slot *s = &m->kern->fc[pfn & (MMT_FC_SLOTS - 1)];

	if (m->kern->pt_pages == 0)
		MMT_BUG("page-table count underflow freeing pfn %#llx",
			(unsigned long long)pfn);
	if (s->pfn_plus1 == pfn + 1)
		s->pfn_plus1 = 0;
	mmt_frame_drop(m, pfn);
	mmt_free_pages(m, pfn, 0);
	m->kern->pt_pages--;
}

/*
 * mm->pgtables_bytes (mm_inc_nr_ptes/pmds/puds): the PTE, PMD and PUD
 * tables of a process count, 4 KiB each; the PGD and the P4D tables of
 * 5-level paging do not, nor does a folded level.  The sum is kept in the
 * PGD page's descriptor (lru_prev: a page-table page is never on an LRU),
 * as the kernel keeps it in the mm the PGD belongs to.
 */
bool pt_level_accounted(const struct mmt_paging *p, unsigned level)
{
	unsigned lowest = p->levels > 3 ? p->levels - 3 : 1;

	return level >= lowest;
}

void pt_account_table(struct mmt_machine *m, uint64_t pgd, unsigned level,
		      int delta)
{
	struct mmt_page *pg;

	if (pgd == m->kern->pgd || !pt_level_accounted(&m->layout.paging, level))
		return;
	pg = mmt_pfn_to_page(m, pgd, false);
	if (delta < 0 && pg->lru_prev < MMT_PAGE_SIZE)
		MMT_BUG("pgtables_bytes underflow on PGD %#llx",
			(unsigned long long)pgd);
	pg->lru_prev += (uint64_t)(int64_t)delta * MMT_PAGE_SIZE;
}

uint64_t mmt_pgd_pgtables_bytes(struct mmt_machine *m, uint64_t pgd_pfn)
{
	return mmt_pfn_to_page(m, pgd_pfn, false)->lru_prev;
}

bool pt_table_empty(struct mmt_machine *m, uint64_t pfn)
{
	const uint64_t *w = pt_frame(m, pfn);
	unsigned i;

	for (i = 0; i < MMT_PAGE_SIZE / 8; i++)
		if (w[i])
			return false;
	return true;
}

/*
 * Store @v in entry @idx of table @tbl at level @level.  A kernel-half
 * top-level entry of init_mm is copied into every PGD on pgd_list
 * (sync_global_pgds), so process PGDs keep sharing the kernel half.
 */
void pt_store(struct mmt_machine *m, uint64_t tbl, unsigned idx,
	      unsigned level, uint64_t v)
{
	struct mmt_kern *k = m->kern;
	unsigned es = m->layout.paging.entry_size, i;

	pt_set(es, pt_frame(m, tbl), idx, v);
	if (level != 0 || tbl != k->pgd || idx < k->kern_pgd_start)
		return;
	for (i = 0; i < k->nr_pgds; i++)
		pt_set(es, pt_frame(m, k->pgds[i]), idx, v);
}

/* Store @v in the entry @w stopped at (pt_store). */
void pt_set_entry(struct mmt_machine *m, const struct pt_walk *w, uint64_t v)
{
	pt_store(m, w->tbl[w->level], w->idx[w->level], w->level, v);
}

/* The non-leaf entry pointing to a new table @child at level @l. */
static uint64_t pt_table_entry(struct mmt_machine *m, unsigned l,
			       uint64_t va, uint64_t child)
{
	uint64_t a = child << MMT_PAGE_SHIFT;

	if (pt_is_pdpt(&m->layout.paging, l))
		return a | MMT_PTE_PRESENT;
	return a | (mmt_va_kernel_half(m, va) ? MMT_KERNPG_TABLE
					      : MMT_PAGE_TABLE);
}

/*
 * The walker.  Descend from @pgd_pfn towards @va and stop at level @stop,
 * at a leaf above it, or at a non-present entry above it (WALK_LOOKUP);
 * WALK_ALLOC instead fills zero entries above @stop with new tables (it
 * still stops at a non-zero, non-present one).  *w records the path and where it stopped (w->level,
 * w->entry).  Returns 0, or -ENOMEM (tables allocated so far stay, empty
 * and linked, as the kernel leaves them).
 */
int pt_walk(struct mmt_machine *m, uint64_t pgd_pfn, uint64_t va,
	    unsigned stop, int mode, struct pt_walk *w)
{
	const struct mmt_paging *p = &m->layout.paging;
	uint64_t tbl = pgd_pfn, e, child;
	unsigned l;

	w->va = va;
	for (l = 0;; l++) {
		w->tbl[l] = tbl;
		w->idx[l] = pt_index(p, l, va);
		w->level = l;
		e = w->entry = pt_get(p->entry_size, pt_frame(m, tbl),
				      w->idx[l]);
		if (l == stop)
			return 0;
		if (!pt_hw_present(e)) {
			/* a non-zero entry (swap, garbage) is never replaced */
			if (mode != WALK_ALLOC || e)
				return 0;
			if (pt_alloc_table(m, &child))
				return -ENOMEM;
			pt_account_table(m, pgd_pfn, l + 1, 1);
			e = w->entry = pt_table_entry(m, l, va, child);
			pt_set_entry(m, w, e);
		} else if (pt_leaf(p, l, e)) {
			return 0;
		}
		tbl = pt_addr(m->kern, e) >> MMT_PAGE_SHIFT;
	}
}

/* Level whose leaves are 2^@shift bytes, or -1 if the format has none. */
static int pt_shift_level(const struct mmt_paging *p, unsigned shift)
{
	unsigned l;

	for (l = 0; l < p->levels; l++)
		if (p->shift[l] == shift &&
		    (l == p->levels - 1 || (p->large_levels >> l & 1)))
			return (int)l;
	return -1;
}

/* Argument checks of mmt_pt_map; 0 or -EINVAL. */
static int pt_map_check(struct mmt_machine *m, uint64_t pgd_pfn, uint64_t va,
			uint64_t pa, uint64_t prot, unsigned shift)
{
	struct mmt_kern *k = m->kern;
	uint64_t mask = (1ULL << shift) - 1;

	if (!pt_va_valid(m, va) || (va & mask) || (pa & mask))
		return -EINVAL;
	if ((pa & ~k->phys_mask) || (prot & k->phys_mask))
		return -EINVAL;
	if (!(prot & MMT_PTE_PRESENT))
		return -EINVAL;
	if (pgd_pfn != k->pgd && mmt_va_kernel_half(m, va))
		return -EINVAL;	/* kernel mappings live in init_mm */
	return 0;
}

/*
 * Map 2^page_shift bytes at @va to @pfn in the tables of @pgd_pfn.
 * Kernel-half addresses must go to init_mm (-EINVAL otherwise).  NX is
 * dropped with 4-byte entries (__supported_pte_mask).  An empty PTE table
 * where a large leaf goes is freed (pmd_set_huge).  0, -ENOMEM, -EEXIST,
 * -EINVAL.
 */
int mmt_pt_map(struct mmt_machine *m, uint64_t pgd_pfn, uint64_t va,
	       uint64_t pfn, uint64_t prot, unsigned page_shift)
{
	const struct mmt_paging *p = &m->layout.paging;
	int leaf = pt_shift_level(p, page_shift), r;
	uint64_t pa = pfn << MMT_PAGE_SHIFT, child;
	struct pt_walk w;

	if (leaf < 0 || pfn >> (64 - MMT_PAGE_SHIFT))
		return -EINVAL;
	if (p->entry_size == 4)
		prot &= ~MMT_PTE_NX;
	r = pt_map_check(m, pgd_pfn, va, pa, prot, page_shift);
	if (r)
		return r;
	if ((unsigned)leaf != p->levels - 1)
		prot |= MMT_PTE_PSE;
	r = pt_walk(m, pgd_pfn, va, (unsigned)leaf, WALK_ALLOC, &w);
	if (r)
		return r;
	if (w.level != (unsigned)leaf)
		return -EEXIST;		/* a large leaf above covers va */
	if (w.entry && !pt_hw_present(w.entry))
		return -EEXIST;		/* swap/PROT_NONE: not pte_none */
	if (pt_hw_present(w.entry)) {
		if (pt_leaf(p, w.level, w.entry))
			return -EEXIST;
		child = pt_addr(m->kern, w.entry) >> MMT_PAGE_SHIFT;
		if (!pt_table_empty(m, child))
			return -EEXIST;
		pt_free_table(m, child);
	}
	pt_set_entry(m, &w, pa | prot);
	return 0;
}

/*
 * Remove the leaf covering @va (a whole large page if one maps it) and
 * flush it: flush_tlb_kernel_range in init_mm, flush_tlb_mm_range (the
 * CPUs running the mm) in a process PGD.  Page tables stay, even when emptied: the
 * kernel's vunmap_range() never frees init_mm's tables, and user tables
 * go only through free_pgd_range() (mmt_free_pgd_range).  0 or -ENOENT.
 */
int mmt_pt_unmap(struct mmt_machine *m, uint64_t pgd_pfn, uint64_t va)
{
	unsigned last = m->layout.paging.levels - 1;
	struct pt_walk w;

	if (!pt_va_valid(m, va))
		return -ENOENT;
	pt_walk(m, pgd_pfn, va, last, WALK_LOOKUP, &w);
	if (!pt_hw_present(w.entry) && (!w.entry || w.level != last))
		return -ENOENT;
	pt_set_entry(m, &w, 0);
	if (pt_hw_present(w.entry))	/* a swap PTE was never cached */
		pt_flush_leaf(m, pgd_pfn, va,
			      m->layout.paging.shift[w.level]);
	return 0;
}

/* Is @raw a PTE the checker accepts?  0 or -EINVAL. */
static int pte_check(struct mmt_machine *m, uint64_t raw)
{
	unsigned last = m->layout.paging.levels - 1;

	if (m->layout.paging.entry_size == 4 && raw >> 32)
		return -EINVAL;
	if (!raw)
		return 0;
	if (!pt_hw_present(raw))
		return pt_nonpresent_bad(m, last, raw) ? -EINVAL : 0;
	return raw & pt_reserved_mask(m, last, raw) ? -EINVAL : 0;
}

int mmt_pt_set_pte(struct mmt_machine *m, uint64_t pgd_pfn, uint64_t va,
		   uint64_t raw)
{
	unsigned last = m->layout.paging.levels - 1;
	struct pt_walk w;
	int r;

	if (!pt_va_valid(m, va) || pte_check(m, raw))
		return -EINVAL;
	if (pgd_pfn != m->kern->pgd && mmt_va_kernel_half(m, va))
		return -EINVAL;
	r = pt_walk(m, pgd_pfn, va, last, WALK_ALLOC, &w);
	if (r)
		return r;
	if (w.level != last)
		return -EEXIST;
	pt_set_entry(m, &w, raw);
	if (pt_hw_present(w.entry))
		pt_flush_leaf(m, pgd_pfn, va, MMT_PAGE_SHIFT);
	return 0;
}

int mmt_pt_get_pte(struct mmt_machine *m, uint64_t pgd_pfn, uint64_t va,
		   uint64_t *raw, unsigned *level)
{
	struct pt_walk w;

	if (!pt_va_valid(m, va))
		return -EINVAL;
	pt_walk(m, pgd_pfn, va, m->layout.paging.levels - 1, WALK_LOOKUP, &w);
	*raw = w.entry;
	*level = w.level;
	return 0;
}

/* Leaf covering @va in @pgd_pfn's tables: 0 and *leaf, or -ENOENT. */
int mmt_pt_lookup(struct mmt_machine *m, uint64_t pgd_pfn, uint64_t va,
		  struct mmt_pt_leaf *leaf)
{
	const struct mmt_paging *p = &m->layout.paging;
	struct pt_walk w;
	uint64_t size;

	if (!pt_va_valid(m, va))
		return -ENOENT;
	pt_walk(m, pgd_pfn, va, p->levels - 1, WALK_LOOKUP, &w);
	if (!pt_hw_present(w.entry))
		return -ENOENT;
	size = 1ULL << p->shift[w.level];
	leaf->entry = w.entry;
	leaf->level = w.level;
	leaf->page_shift = p->shift[w.level];
	leaf->pfn = ((pt_addr(m->kern, w.entry) & ~(size - 1)) |
		     (va & (size - 1))) >> MMT_PAGE_SHIFT;
	return 0;
}

int mmt_pt_populate(struct mmt_machine *m, uint64_t pgd_pfn, uint64_t va)
{
	unsigned last = m->layout.paging.levels - 1;
	struct pt_walk w;
	int r;

	if (!pt_va_valid(m, va))
		return -EINVAL;
	if (pgd_pfn != m->kern->pgd && mmt_va_kernel_half(m, va))
		return -EINVAL;
	r = pt_walk(m, pgd_pfn, va, last, WALK_ALLOC, &w);
	if (r)
		return r;
	return w.level == last ? 0 : -EEXIST;
}

uint64_t mmt_init_mm_pgd(struct mmt_machine *m)
{
	return m->kern->pgd;
}

int mmt_kernel_map(struct mmt_machine *m, uint64_t va, uint64_t pfn,
		   uint64_t prot)
{
	return mmt_pt_map(m, m->kern->pgd, va, pfn, prot, MMT_PAGE_SHIFT);
}

int mmt_kernel_unmap(struct mmt_machine *m, uint64_t va)
{
	return mmt_pt_unmap(m, m->kern->pgd, va);
}

uint64_t mmt_pgtable_pages(struct mmt_machine *m)
{
	return m->kern ? m->kern->pt_pages : 0;
}

/*
 * Teardown callback, after the table below @e was emptied of tables:
 * unlink it and free it.  Post-order, so children go before parents.
 */
static int free_table_below(const struct mmt_walk_entry *e,
			    struct mmt_walk *w)
{
	mmt_walk_set_entry(w, e, 0);
	pt_free_table(w->m, e->pfn);
	return 0;
}

static const struct mmt_walk_ops free_tree_ops = {
	.post_table = free_table_below,
};

/* Free every table below @pgd covering [start, end), leaves untouched. */
static void pt_free_tables(struct mmt_machine *m, uint64_t pgd,
			   uint64_t start, uint64_t end)
{
	mmt_walk_page_range(m, pgd, start, end, &free_tree_ops, NULL);
}

/* Free init_mm's tables (machine teardown; process PGDs first). */
void mmt_pt_free_init_mm(struct mmt_machine *m)
{
	while (m->kern->nr_pgds)
		mmt_pgd_free(m, m->kern->pgds[m->kern->nr_pgds - 1]);
	pt_free_tables(m, m->kern->pgd, 0, 0);
	pt_free_table(m, m->kern->pgd);
}

/* Add @pgd to pgd_list with an empty mm_cpumask; 0 or -ENOMEM. */
static int pgd_list_add(struct mmt_kern *k, uint64_t pgd)
{
	unsigned w = k->cpumask_words;
	uint64_t *n;

	if (k->nr_pgds == k->cap_pgds) {
		unsigned cap = k->cap_pgds ? 2 * k->cap_pgds : 16;

		n = realloc(k->pgds, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		k->pgds = n;
		n = realloc(k->mm_cpumask, (size_t)cap * w * sizeof(*n));
		if (!n)
			return -ENOMEM;
		k->mm_cpumask = n;
		k->cap_pgds = cap;
	}
	memset(&k->mm_cpumask[(size_t)k->nr_pgds * w], 0, w * sizeof(*n));
	k->pgds[k->nr_pgds++] = pgd;
	return 0;
}

/*
 * pgd_free() after exit's free_pgtables(FIRST_USER_ADDRESS,
 * USER_PGTABLES_CEILING): every user table, then the PGD itself.
 */
static void pgd_free_user(struct mmt_machine *m, uint64_t pgd)
{
	if (m->kern->kern_pgd_start)
		pt_free_pgd_range(m, pgd, 0, pt_user_end(m), 0, 0);
	pt_free_table(m, pgd);
}

int mmt_pgd_alloc(struct mmt_machine *m, uint64_t *pgd_pfn)
{
	const struct mmt_paging *p = &m->layout.paging;
	struct mmt_kern *k = m->kern;
	unsigned es = p->entry_size, i, n = mmt_pt_ptrs(m, 0);
	uint64_t pgd, pmd;
	void *t;

	if (pt_alloc_table(m, &pgd))
		return -ENOMEM;
	t = pt_frame(m, pgd);
	mmt_pfn_to_page(m, pgd, false)->lru_prev = 0;
	for (i = k->kern_pgd_start; i < n; i++)
		pt_set(es, t, i, pt_get(es, pt_frame(m, k->pgd), i));
	for (i = 0; p->levels == 3 && i < k->kern_pgd_start; i++) {
		if (pt_alloc_table(m, &pmd))
			goto fail;
		pt_account_table(m, pgd, 1, 1);
		pt_set(es, t, i, pt_table_entry(m, 0, 0, pmd));
	}
	if (pgd_list_add(k, pgd))
		goto fail;
	*pgd_pfn = pgd;
	return 0;
fail:
	pgd_free_user(m, pgd);
	return -ENOMEM;
}

void mmt_pgd_free(struct mmt_machine *m, uint64_t pgd_pfn)
{
	struct mmt_kern *k = m->kern;
	unsigned i;

	for (i = 0; i < k->nr_pgds && k->pgds[i] != pgd_pfn; i++)
		;
	if (i == k->nr_pgds)
		MMT_BUG("pfn %#llx is not a process PGD",
			(unsigned long long)pgd_pfn);
	k->pgds[i] = k->pgds[--k->nr_pgds];
	memmove(&k->mm_cpumask[(size_t)i * k->cpumask_words],
		&k->mm_cpumask[(size_t)k->nr_pgds * k->cpumask_words],
		k->cpumask_words * sizeof(*k->mm_cpumask));
	for (i = 0; i < k->nr_cpus; i++)
		if (k->cpus[i].cr3 == pgd_pfn)
			mmt_cpu_switch_mm(m, i, k->pgd);
	pgd_free_user(m, pgd_pfn);
}
