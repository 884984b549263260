// SPDX-License-Identifier: MIT
/*
 * mmt_pgtable_check: the page tables against the page allocator.
 *
 *  - every table reachable from init_mm or a process PGD is an order-0
 *    block the allocator holds as allocated (head, refcount > 0);
 *  - no table is linked twice, and the tables found == pt_pages;
 *  - no entry has reserved bits set (address bits above MAXPHYADDR, PAE
 *    PDPTE control bits, PSE where no large page exists, the low address
 *    bits of a large leaf), so leaves are aligned and inside the
 *    physical address width;
 *  - a non-present, non-zero entry is a PTE in the swap or PROT_NONE
 *    format of the profile (pt_nonpresent_bad);
 *  - every process PGD's kernel half equals init_mm's;
 *  - every CPU's CR3 is init_mm or a live process PGD.
 */
#include "pgtable_internal.h"

#include "mm/internal.h"

#include <inttypes.h>
#include <stdarg.h>

struct pt_check {
	struct mmt_machine *m;
	uint64_t *tables;
	size_t nr, cap;
	char *err;
	size_t len;
	int bad;
};

static int ck_fail(struct pt_check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int ck_fail(struct pt_check *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->bad) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->len, fmt, ap);
		va_end(ap);
	}
	c->bad = 1;
	return -1;
}

/* Record table @pfn; it must be an allocated order-0 block. */
static int ck_table(struct pt_check *c, uint64_t pfn, unsigned l)
{
	struct mmt_page *pg = mmt_pfn_to_page(c->m, pfn, false);

	if (!pg || !(pg->flags & MMT_PG_HEAD) || (pg->flags & MMT_PG_BUDDY) ||
	    pg->refcount <= 0 || pg->private != 0)
		return ck_fail(c, "level %u table at pfn %#" PRIx64 " is not "
			       "an allocated order-0 page", l, pfn);
	if (c->nr == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 256;
		uint64_t *n = realloc(c->tables, cap * sizeof(*n));

		if (!n)
			return ck_fail(c, "out of host memory");
		c->tables = n;
		c->cap = cap;
	}
	c->tables[c->nr++] = pfn;
	return 0;
}

/* Reserved bits of a present entry: 0, or -1 with the message. */
static int ck_reserved(struct pt_check *c, const struct mmt_walk_entry *e)
{
	const struct mmt_paging *p = &c->m->layout.paging;
	uint64_t bad = e->value & pt_reserved_mask(c->m, e->level, e->value);

	if (!bad)
		return 0;
	return ck_fail(c, "%s entry %u of table %#" PRIx64 " = %#" PRIx64
		       " has reserved bits %#" PRIx64, p->level_name[e->level],
		       e->index, e->table_pfn, e->value, bad);
}

/* Walker callbacks: a table link records its child, leaves are checked. */
static int ck_link(const struct mmt_walk_entry *e, struct mmt_walk *w)
{
	struct pt_check *c = w->priv;

	if (ck_reserved(c, e))
		return -1;
	return ck_table(c, e->pfn, e->level + 1);
}

static int ck_leaf(const struct mmt_walk_entry *e, struct mmt_walk *w)
{
	return ck_reserved(w->priv, e);
}

/* Swap and PROT_NONE PTEs: their format bits must be sane. */
static int ck_nonpresent(const struct mmt_walk_entry *e, struct mmt_walk *w)
{
	struct pt_check *c = w->priv;
	const char *why = pt_nonpresent_bad(c->m, e->level, e->value);

	if (!why)
		return 0;
	return ck_fail(c, "%s entry %u of table %#" PRIx64 " = %#" PRIx64
		       ": %s", c->m->layout.paging.level_name[e->level],
		       e->index, e->table_pfn, e->value, why);
}

static const struct mmt_walk_ops ck_ops = {
	.entry = ck_link,
	.leaf = ck_leaf,
	.nonpresent = ck_nonpresent,
};

/* Check the tables below @pgd covering [start, end). */
static int ck_tree(struct pt_check *c, uint64_t pgd, uint64_t start,
		   uint64_t end)
{
	mmt_walk_page_range(c->m, pgd, start, end, &ck_ops, c);
	return c->bad ? -1 : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Process PGD @pgd: its kernel half must equal init_mm's. */
static int ck_shared_half(struct pt_check *c, uint64_t pgd)
{
	struct mmt_kern *k = c->m->kern;
	unsigned i, n = mmt_pt_ptrs(c->m, 0);

	for (i = k->kern_pgd_start; i < n; i++)
		if (mmt_pt_entry_read(c->m, pgd, i) !=
		    mmt_pt_entry_read(c->m, k->pgd, i))
			return ck_fail(c, "PGD %#" PRIx64 " entry %u differs "
				       "from init_mm's", pgd, i);
	return 0;
}

static int ck_cpus(struct pt_check *c)
{
	struct mmt_kern *k = c->m->kern;
	unsigned i, j;

	for (i = 0; i < k->nr_cpus; i++) {
		uint64_t cr3 = k->cpus[i].cr3;

		for (j = 0; j < k->nr_pgds && k->pgds[j] != cr3; j++)
			;
		if (cr3 != k->pgd && j == k->nr_pgds)
			return ck_fail(c, "CPU %u CR3 %#" PRIx64 " is no live "
				       "PGD", i, cr3);
	}
	return 0;
}

int mmt_pgtable_check(struct mmt_machine *m, char *err, size_t len)
{
	struct mmt_kern *k = m->kern;
	struct pt_check c = { .m = m, .err = err, .len = len };
	unsigned i;
	size_t j;

	if (!k)
		return 0;
	if (!ck_table(&c, k->pgd, 0))
		ck_tree(&c, k->pgd, 0, 0);
	for (i = 0; i < k->nr_pgds && !c.bad; i++) {
		if (ck_table(&c, k->pgds[i], 0) ||
		    ck_shared_half(&c, k->pgds[i]))
			break;
		if (k->kern_pgd_start)	/* the user half only */
			ck_tree(&c, k->pgds[i], 0, pt_user_end(m));
	}
	if (!c.bad)
		ck_cpus(&c);
	if (!c.bad) {
		qsort(c.tables, c.nr, sizeof(*c.tables), cmp_u64);
		for (j = 1; j < c.nr && !c.bad; j++)
			if (c.tables[j] == c.tables[j - 1])
				ck_fail(&c, "table %#" PRIx64 " is linked twice",
					c.tables[j]);
	}
	if (!c.bad && c.nr != k->pt_pages)
		ck_fail(&c, "%zu tables reachable, pt_pages says %" PRIu64,
			c.nr, k->pt_pages);
	free(c.tables);
	return c.bad ? -1 : 0;
}
