// SPDX-License-Identifier: MIT
/*
 * The augmented red-black tree as the VMA tree will drive it: one
 * operation is "munmap a random VMA, get_unmapped_area (top-down) for a
 * mapping of the same size, mmap it there": an erase, a gap search and an
 * insert, each with the neighbour's gap refreshed.  At 10 VMAs (a small
 * process) and 10^6 (the scale the tree must survive).
 *
 * The baseline ("ref") is the obvious alternative: a sorted array of
 * [start, end) with a linear gap scan and memmove, the same operations
 * on the same layout.
 */
#include "bench.h"

#include "base/rbtree.h"

#include <mmtwin/random.h>

#include <stdlib.h>
#include <string.h>

#define PG 4096ULL

/* --------------------------------------------------------- the tree */

struct bvma {
	uint64_t start, end;
	struct mmt_rb_node rb;
	uint64_t gap;			/* start - prev->end (prev: 0) */
	uint64_t subtree_max_gap;
};

#define BV(x) mmt_rb_entry(x, struct bvma, rb)

static uint64_t smg(const struct mmt_rb_node *rb)
{
	return rb ? BV(rb)->subtree_max_gap : 0;
}

static uint64_t bv_compute(const struct bvma *v)
{
	uint64_t l = smg(v->rb.left), r = smg(v->rb.right);
	uint64_t m = l > r ? l : r;

	return v->gap > m ? v->gap : m;
}

MMT_RB_DECLARE_CALLBACKS(static, bv_aug, struct bvma, rb, subtree_max_gap,
			 bv_compute);

static void bv_regap(struct mmt_rb_node *rb)
{
	struct mmt_rb_node *p = mmt_rb_prev(rb);

	BV(rb)->gap = BV(rb)->start - (p ? BV(p)->end : 0);
	bv_aug.propagate(rb, NULL);
}

static void bv_insert(struct mmt_rb_root *root, struct bvma *v)
{
	struct mmt_rb_node **link = &root->node, *parent = NULL, *next;

	while (*link) {
		parent = *link;
		link = &parent->child[v->start >= BV(parent)->start];
	}
	mmt_rb_link_node(&v->rb, parent, link);
	v->subtree_max_gap = 0;		/* bv_regap sets gap and the path */
	bv_regap(&v->rb);
	next = mmt_rb_next(&v->rb);
	if (next)
		bv_regap(next);
	mmt_rb_insert_augmented(&v->rb, root, &bv_aug);
}

static void bv_erase(struct mmt_rb_root *root, struct bvma *v)
{
	struct mmt_rb_node *next = mmt_rb_next(&v->rb);

	mmt_rb_erase_augmented(&v->rb, root, &bv_aug);
	if (next)
		bv_regap(next);
}

/*
 * unmapped_area_topdown over [0, high) for @len, in the tree: the highest
 * gap before a VMA that holds it (the test's model, trimmed: no low
 * limit).  0 and *@addr, or -1.
 */
static int bv_highest(const struct mmt_rb_node *rb, uint64_t len,
		      uint64_t high, uint64_t *addr)
{
	const struct bvma *v;

	if (!rb || smg(rb) < len)
		return -1;
	v = BV(rb);
	if (v->start - v->gap <= high - len &&
	    !bv_highest(rb->right, len, high, addr))
		return 0;
	if (v->gap >= len && v->start - v->gap <= high - len) {
		*addr = (v->start < high ? v->start : high) - len;
		return 0;
	}
	return bv_highest(rb->left, len, high, addr);
}

/* The tail gap [last->end, high) first, as unmapped_area_topdown does. */
static int bv_topdown(const struct mmt_rb_root *root, uint64_t len,
		      uint64_t high, uint64_t *addr)
{
	struct mmt_rb_node *last = mmt_rb_last(root);

	if (!last || BV(last)->end <= high - len) {
		*addr = high - len;
		return 0;
	}
	return bv_highest(root->node, len, high, addr);
}

/* -------------------------------------------------------- the array */

struct arange {
	uint64_t start, end;
};

struct aset {
	struct arange *r;
	size_t n;
};

static void a_erase(struct aset *a, size_t i)
{
	memmove(&a->r[i], &a->r[i + 1], (a->n - i - 1) * sizeof(*a->r));
	a->n--;
}

/* The highest gap in [0, high) holding @len; its insertion index. */
static int a_highest(const struct aset *a, uint64_t len, uint64_t high,
		     uint64_t *addr, size_t *at)
{
	for (size_t i = a->n + 1; i-- > 0;) {
		uint64_t gs = i ? a->r[i - 1].end : 0;
		uint64_t ge = i < a->n ? a->r[i].start : high;

		if (ge > high)
			ge = high;
		if (ge > gs && ge - gs >= len) {
			*addr = ge - len;
			*at = i;
			return 0;
		}
	}
	return -1;
}

static void a_insert(struct aset *a, size_t i, uint64_t start, uint64_t end)
{
	memmove(&a->r[i + 1], &a->r[i], (a->n - i) * sizeof(*a->r));
	a->r[i] = (struct arange){ start, end };
	a->n++;
}

/* ------------------------------------------------------ the workload */

/* @n VMAs of 1..16 pages with gaps of 0..31 pages; returns the end. */
static uint64_t layout(struct mmt_rng *rng, size_t n, struct arange *out)
{
	uint64_t a = PG;

	for (size_t i = 0; i < n; i++) {
		a += mmt_rng_below(rng, 32) * PG;
		out[i].start = a;
		a += (1 + mmt_rng_below(rng, 16)) * PG;
		out[i].end = a;
	}
	return a;
}

/* ns per munmap+get_unmapped_area+mmap on the tree. */
static double run_tree(const struct arange *init, size_t n, uint64_t high,
		       unsigned ops, uint64_t seed)
{
	struct bvma *pool = malloc(n * sizeof(*pool));
	struct mmt_rb_root root = MMT_RB_ROOT;
	struct mmt_rng rng;
	uint64_t t0, sum = 0;

	if (!pool)
		abort();
	for (size_t i = 0; i < n; i++) {
		pool[i].start = init[i].start;
		pool[i].end = init[i].end;
		bv_insert(&root, &pool[i]);
	}
	mmt_rng_seed(&rng, seed);
	t0 = bench_now_ns();
	for (unsigned k = 0; k < ops; k++) {
		struct bvma *v = &pool[mmt_rng_below(&rng, n)];
		uint64_t len = v->end - v->start, addr;

		bv_erase(&root, v);
		if (bv_topdown(&root, len, high, &addr))
			abort();	/* its own hole always fits */
		v->start = addr;
		v->end = addr + len;
		bv_insert(&root, v);
		sum += addr;
	}
	t0 = bench_now_ns() - t0;
	bench_sink(sum);
	free(pool);
	return (double)t0 / ops;
}

/* The same on the sorted array (a random VMA: a random index). */
static double run_array(const struct arange *init, size_t n, uint64_t high,
			unsigned ops, uint64_t seed)
{
	struct aset a = { malloc(n * sizeof(*a.r)), n };
	struct mmt_rng rng;
	uint64_t t0, sum = 0;

	if (!a.r)
		abort();
	memcpy(a.r, init, n * sizeof(*a.r));
	mmt_rng_seed(&rng, seed);
	t0 = bench_now_ns();
	for (unsigned k = 0; k < ops; k++) {
		size_t i = (size_t)mmt_rng_below(&rng, n), at;
		uint64_t len = a.r[i].end - a.r[i].start, addr;

		a_erase(&a, i);
		if (a_highest(&a, len, high, &addr, &at))
			abort();
		a_insert(&a, at, addr, addr + len);
		sum += addr;
	}
	t0 = bench_now_ns() - t0;
	bench_sink(sum);
	free(a.r);
	return (double)t0 / ops;
}

#define TRIALS 3

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of TRIALS runs of @run, each on a fresh copy of @init. */
static double median(double (*run)(const struct arange *, size_t, uint64_t,
				   unsigned, uint64_t),
		     const struct arange *init, size_t n, uint64_t high,
		     unsigned ops)
{
	double t[TRIALS];

	for (int i = 0; i < TRIALS; i++)
		t[i] = run(init, n, high, ops, 1000 + (uint64_t)i);
	qsort(t, TRIALS, sizeof(t[0]), cmp_double);
	return t[TRIALS / 2];
}

/* One size: the plain figure and the comparison with the array. */
static void bench_size(const char *name, const char *cmp_name, size_t n,
		       unsigned tree_ops, unsigned array_ops)
{
	struct arange *init = malloc(n * sizeof(*init));
	struct mmt_rng rng;
	uint64_t high;
	double tree, array;

	if (!init)
		abort();
	mmt_rng_seed(&rng, 0x6d6d74776e);
	high = layout(&rng, n, init);
	tree = median(run_tree, init, n, high, tree_ops);
	array = median(run_array, init, n, high, array_ops);
	bench_figure(name, tree, "ns/op");
	bench_compare(cmp_name, tree, array, "ns/op");
	free(init);
}

BENCH(rbtree)
{
	bench_size("rbtree.op_10", "rbtree.vs_array_10", 10, 2000000, 2000000);
	bench_size("rbtree.op_1e6", "rbtree.vs_array_1e6", 1000000, 300000,
		   200);
	bench_figure("rbtree.bytes_per_node", sizeof(struct mmt_rb_node), "B");
}
