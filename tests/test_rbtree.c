// SPDX-License-Identifier: MIT
/*
 * The augmented red-black tree (src/base/rbtree.c), used the way the VMA
 * tree will use it: a VMA-like struct whose gap is start - prev->end,
 * each node holding the largest gap in its subtree.  Random insert/erase
 * sequences are checked against a sorted array, with the validator after
 * every step at first; the models of unmapped_area (lowest fit) and
 * unmapped_area_topdown (highest fit) are checked against a scan of the
 * array, and their visit counts against the tree's height.
 */
#include "test.h"

#include "base/rbtree.h"

#include <mmtwin/random.h>

#include <stdlib.h>

#define PG 4096ULL

/* ------------------------------------------------ the VMA-like struct */

struct tvma {
	uint64_t start, end;		/* [start, end), start < end */
	struct mmt_rb_node rb;
	uint64_t gap;			/* start - prev->end (prev: 0), cached */
	uint64_t subtree_max_gap;	/* max gap in this subtree */
};

#define TV(x) mmt_rb_entry(x, struct tvma, rb)
#define TV_SAFE(x) mmt_rb_entry_safe(x, struct tvma, rb)

static uint64_t smg(const struct mmt_rb_node *rb)
{
	return rb ? TV(rb)->subtree_max_gap : 0;
}

static uint64_t max3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a > b ? a : b;

	return m > c ? m : c;
}

static uint64_t tv_compute(const struct tvma *v)
{
	return max3(v->gap, smg(v->rb.left), smg(v->rb.right));
}

MMT_RB_DECLARE_CALLBACKS(static, tv_aug, struct tvma, rb, subtree_max_gap,
			 tv_compute);

/* The gap before @v as the tree now orders it (prev found by walking). */
static uint64_t tv_gap_now(const struct tvma *v)
{
	struct tvma *p = TV_SAFE(mmt_rb_prev(&v->rb));

	return v->start - (p ? p->end : 0);
}

static int tv_cmp(const struct mmt_rb_node *a, const struct mmt_rb_node *b)
{
	uint64_t x = TV(a)->start, y = TV(b)->start;

	return x < y ? -1 : x > y;
}

/* The validator's augmented check: the cached gap and the subtree max. */
static int tv_aug_check(const struct mmt_rb_node *rb)
{
	const struct tvma *v = TV(rb);

	return v->gap != tv_gap_now(v) || v->subtree_max_gap != tv_compute(v);
}

static int tv_check(const struct mmt_rb_root *root, char *err, size_t len)
{
	return mmt_rb_check(root, tv_cmp, tv_aug_check, err, len);
}

/* Refresh @v's cached gap after its predecessor changed. */
static void tv_regap(struct tvma *v)
{
	v->gap = tv_gap_now(v);
	tv_aug.propagate(&v->rb, NULL);
}

/*
 * vma_link: insert @v (not overlapping anything) by the caller's own
 * descent, then fix the gaps that changed: @v's own and its successor's.
 */
static void tv_insert(struct mmt_rb_root *root, struct tvma *v)
{
	struct mmt_rb_node **link = &root->node, *parent = NULL, *next;

	while (*link) {
		parent = *link;
		link = &parent->child[v->start >= TV(parent)->start];
	}
	mmt_rb_link_node(&v->rb, parent, link);
	v->gap = tv_gap_now(v);
	v->subtree_max_gap = v->gap;		/* as a leaf */
	if (parent)
		tv_aug.propagate(parent, NULL);
	next = mmt_rb_next(&v->rb);
	if (next)
		tv_regap(TV(next));
	mmt_rb_insert_augmented(&v->rb, root, &tv_aug);
}

/* vma_unlink: erase @v; its successor's gap grows to cover @v. */
static void tv_erase(struct mmt_rb_root *root, struct tvma *v)
{
	struct mmt_rb_node *next = mmt_rb_next(&v->rb);

	mmt_rb_erase_augmented(&v->rb, root, &tv_aug);
	mmt_rb_clear_node(&v->rb);
	if (next)
		tv_regap(TV(next));
}

/* find_vma: the first VMA with end > @addr (containing or after it). */
static struct tvma *tv_find(const struct mmt_rb_root *root, uint64_t addr)
{
	struct mmt_rb_node *rb = root->node;
	struct tvma *best = NULL;

	while (rb) {
		struct tvma *v = TV(rb);

		if (v->end > addr) {
			best = v;
			if (v->start <= addr)
				break;
			rb = rb->left;
		} else {
			rb = rb->right;
		}
	}
	return best;
}

static int height(const struct mmt_rb_node *rb)
{
	int l, r;

	if (!rb)
		return 0;
	l = height(rb->left);
	r = height(rb->right);
	return 1 + (l > r ? l : r);
}

/* -------------------------------------------- the gap-search models */

/*
 * get_unmapped_area's question: a range [addr, addr + len) inside a gap
 * and inside [low, high).  Gaps are [prev->end, v->start) for each VMA
 * and [last->end, 2^64) after the last.  (Alignment is the caller's:
 * it asks for len + align - PAGE and rounds addr up.)
 */
struct gap_query {
	uint64_t len, low, high;	/* len > 0 */
	uint64_t end_min;		/* a fitting gap ends at >= this */
	uint64_t start_max;		/* ... and starts at <= this */
	unsigned visits;		/* tree nodes looked at */
};

/* Fill the derived bounds; false if [low, high) cannot hold len. */
static bool gap_query_init(struct gap_query *q)
{
	q->visits = 0;
	if (q->high < q->low || q->high - q->low < q->len)
		return false;
	q->end_min = q->low + q->len;
	q->start_max = q->high - q->len;
	return true;
}

static bool gap_fits(const struct gap_query *q, const struct tvma *v)
{
	return v->start >= q->end_min && v->gap >= q->len &&
	       v->start - v->gap <= q->start_max;
}

/*
 * unmapped_area within @rb's subtree: 1 and *@addr if a gap fits, 0 if
 * none does here, -1 if none does here *and* no later gap can (this
 * subtree reached gaps starting past start_max: in-order, the rest start
 * later still).  A subtree whose largest gap is too small is skipped
 * whole; the left one also when even its last gap (ending at v->start)
 * ends too low.  So the search looks at O(height) nodes.
 */
static int lowest_in(const struct mmt_rb_node *rb, struct gap_query *q,
		     uint64_t *addr)
{
	const struct tvma *v;
	int r;

	if (!rb || smg(rb) < q->len)
		return 0;
	q->visits++;
	v = TV(rb);
	if (v->start >= q->end_min) {
		r = lowest_in(rb->left, q, addr);
		if (r)
			return r;
	}
	if (v->start - v->gap > q->start_max)
		return -1;
	if (gap_fits(q, v)) {
		*addr = v->start - v->gap > q->low ? v->start - v->gap : q->low;
		return 1;
	}
	return lowest_in(rb->right, q, addr);
}

/* The mirror image: the highest fit, -1 once gaps end below end_min. */
static int highest_in(const struct mmt_rb_node *rb, struct gap_query *q,
		      uint64_t *addr)
{
	const struct tvma *v;
	int r;

	if (!rb || smg(rb) < q->len)
		return 0;
	q->visits++;
	v = TV(rb);
	if (v->start - v->gap <= q->start_max) {
		r = highest_in(rb->right, q, addr);
		if (r)
			return r;
	}
	if (v->start < q->end_min)
		return -1;
	if (gap_fits(q, v)) {
		*addr = (v->start < q->high ? v->start : q->high) - q->len;
		return 1;
	}
	return highest_in(rb->left, q, addr);
}

static uint64_t tail_start(const struct mmt_rb_root *root)
{
	struct mmt_rb_node *last = mmt_rb_last(root);

	return last ? TV(last)->end : 0;
}

/* unmapped_area: 0 and the lowest fitting *@addr, or -1 (ENOMEM). */
static int unmapped_area(const struct mmt_rb_root *root, struct gap_query *q,
			 uint64_t *addr)
{
	uint64_t tail;

	if (!gap_query_init(q))
		return -1;
	if (lowest_in(root->node, q, addr) == 1)
		return 0;
	tail = tail_start(root);
	if (tail > q->start_max)
		return -1;
	*addr = tail > q->low ? tail : q->low;
	return 0;
}

/* unmapped_area_topdown: the tail gap first, then the tree. */
static int unmapped_area_topdown(const struct mmt_rb_root *root,
				 struct gap_query *q, uint64_t *addr)
{
	if (!gap_query_init(q))
		return -1;
	if (tail_start(root) <= q->start_max) {
		*addr = q->start_max;
		return 0;
	}
	return highest_in(root->node, q, addr) == 1 ? 0 : -1;
}

/* ------------------------------------------------ the brute force */

/* VMAs sorted by start, and the pool they come from. */
struct model {
	struct mmt_rb_root root;
	struct tvma **sorted;
	size_t n;
	struct tvma *pool;
	struct tvma **free;
	size_t nfree;
};

static void model_init(struct model *m, size_t cap)
{
	m->root = MMT_RB_ROOT;
	m->sorted = calloc(cap, sizeof(*m->sorted));
	m->pool = calloc(cap, sizeof(*m->pool));
	m->free = calloc(cap, sizeof(*m->free));
	if (!m->sorted || !m->pool || !m->free)
		abort();
	m->n = 0;
	for (m->nfree = 0; m->nfree < cap; m->nfree++)
		m->free[m->nfree] = &m->pool[cap - 1 - m->nfree];
}

static void model_fini(struct model *m)
{
	free(m->sorted);
	free(m->pool);
	free(m->free);
}

/* Index of the first VMA with end > @addr (n if none). */
static size_t brute_find(const struct model *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->sorted[mid]->end > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static bool brute_gap_fits(const struct gap_query *q, uint64_t gs, uint64_t ge)
{
	uint64_t lo = gs > q->low ? gs : q->low;
	uint64_t hi = ge < q->high ? ge : q->high;

	return lo < hi && hi - lo >= q->len;
}

/* Scan every gap, lowest first or highest first. */
static int brute_area(const struct model *m, const struct gap_query *q,
		      bool topdown, uint64_t *addr)
{
	size_t ngaps = m->n + 1;

	for (size_t k = 0; k < ngaps; k++) {
		size_t i = topdown ? ngaps - 1 - k : k;
		uint64_t gs = i ? m->sorted[i - 1]->end : 0;
		uint64_t ge = i < m->n ? m->sorted[i]->start : UINT64_MAX;

		if (!brute_gap_fits(q, gs, ge))
			continue;
		if (topdown)
			*addr = (ge < q->high ? ge : q->high) - q->len;
		else
			*addr = gs > q->low ? gs : q->low;
		return 0;
	}
	return -1;
}

/* Insert [start, end) in both if it overlaps nothing; true if it did. */
static bool model_insert(struct model *m, uint64_t start, uint64_t end)
{
	size_t i = brute_find(m, start);
	struct tvma *v;

	if ((i < m->n && m->sorted[i]->start < end) || !m->nfree)
		return false;
	v = m->free[--m->nfree];
	v->start = start;
	v->end = end;
	tv_insert(&m->root, v);
	memmove(&m->sorted[i + 1], &m->sorted[i],
		(m->n - i) * sizeof(*m->sorted));
	m->sorted[i] = v;
	m->n++;
	return true;
}

static void model_erase(struct model *m, size_t i)
{
	struct tvma *v = m->sorted[i];

	tv_erase(&m->root, v);
	memmove(&m->sorted[i], &m->sorted[i + 1],
		(m->n - i - 1) * sizeof(*m->sorted));
	m->n--;
	m->free[m->nfree++] = v;
}

/* The tree's in-order walk both ways, gaps and find against the array. */
static void model_compare(const struct model *m, struct mmt_rng *rng)
{
	struct mmt_rb_node *rb = mmt_rb_first(&m->root);
	size_t i;

	for (i = 0; rb && i < m->n; i++, rb = mmt_rb_next(rb)) {
		CHECK(TV(rb) == m->sorted[i]);
		CHECK_EQ(TV(rb)->gap, m->sorted[i]->start -
			 (i ? m->sorted[i - 1]->end : 0));
	}
	CHECK(!rb && i == m->n);
	rb = mmt_rb_last(&m->root);
	for (i = m->n; rb && i > 0; i--, rb = mmt_rb_prev(rb))
		CHECK(TV(rb) == m->sorted[i - 1]);
	CHECK(!rb && i == 0);
	for (int k = 0; k < 64; k++) {
		uint64_t a = mmt_rng_below(rng, 1ULL << 33);
		size_t j = brute_find(m, a);

		CHECK(tv_find(&m->root, a) == (j < m->n ? m->sorted[j] : NULL));
	}
}

/* A query of mixed scale: most lengths small, some huge, some windows. */
static void random_query(struct mmt_rng *rng, struct gap_query *q)
{
	q->len = (1 + mmt_rng_below(rng, 16)) << mmt_rng_below(rng, 24);
	if (mmt_rng_below(rng, 4) == 0) {
		q->low = 0;
		q->high = UINT64_MAX;
	} else {
		q->low = mmt_rng_below(rng, 1ULL << 33);
		q->high = q->low + mmt_rng_below(rng, 1ULL << 33);
	}
}

/*
 * Both searches against the scan.  The visit bound: a subtree is entered
 * only if its largest gap is big enough, and failures happen only along
 * the paths of low and high, so a handful of root-to-leaf paths.
 */
static void model_queries(const struct model *m, struct mmt_rng *rng,
			  int nq)
{
	int h = height(m->root.node);

	for (int k = 0; k < nq; k++) {
		struct gap_query q;
		uint64_t got = 0, want = 0;
		int rt, rb;

		random_query(rng, &q);
		rt = unmapped_area(&m->root, &q, &got);
		rb = brute_area(m, &q, false, &want);
		CHECK_EQ(rt, rb);
		if (!rt && !rb)
			CHECK_EQ(got, want);
		CHECK(q.visits <= 4u * (unsigned)h + 2);
		rt = unmapped_area_topdown(&m->root, &q, &got);
		rb = brute_area(m, &q, true, &want);
		CHECK_EQ(rt, rb);
		if (!rt && !rb)
			CHECK_EQ(got, want);
		CHECK(q.visits <= 4u * (unsigned)h + 2);
	}
}

/* -------------------------------------------------------------- cases */

#define RAND_OPS 100000
#define RAND_CHECK_EVERY_OP 4000
#define RAND_BATCH 1000

static void random_op(struct model *m, struct mmt_rng *rng, bool growing)
{
	bool insert = !m->n || mmt_rng_below(rng, 4) < (growing ? 3u : 1u);

	if (insert) {
		/* pages in [0, 2^21): dense enough for small gaps */
		uint64_t s = mmt_rng_below(rng, 1ULL << 21) * PG;
		uint64_t len = (1 + mmt_rng_below(rng, 64)) * PG;

		model_insert(m, s, s + len);
	} else {
		model_erase(m, (size_t)mmt_rng_below(rng, m->n));
	}
}

/*
 * 10^5 random inserts and erases in waves (grow, shrink to empty, ...),
 * the validator after each of the first few thousand, then per batch
 * with the full comparison and gap queries.
 */
TEST(rbtree_random_vs_sorted_array)
{
	struct mmt_rng rng;
	struct model m;
	char err[128];
	int bad = 0;

	mmt_rng_seed(&rng, 0x7262747265650001ULL);
	model_init(&m, 1 << 16);
	for (int i = 0; i < RAND_OPS && !bad; i++) {
		bool growing = (i / 12500) % 2 == 0;

		/* the end of each shrinking wave: erase what is left */
		if (i % 25000 == 24999)
			while (m.n)
				model_erase(&m, m.n - 1);
		random_op(&m, &rng, growing);
		if (i < RAND_CHECK_EVERY_OP || i % RAND_BATCH == 0) {
			bad = tv_check(&m.root, err, sizeof(err));
			if (bad)
				test_fail(__FILE__, __LINE__, "op %d: %s", i,
					  err);
		}
		if (i % RAND_BATCH == RAND_BATCH - 1) {
			model_compare(&m, &rng);
			model_queries(&m, &rng, 40);
		}
	}
	CHECK(m.n > 0);
	model_fini(&m);
}

/* Gap queries on trees of chosen shapes: dense, sparse, one huge hole. */
TEST(rbtree_gap_search_shapes)
{
	struct mmt_rng rng;
	struct model m;
	char err[128];

	mmt_rng_seed(&rng, 42);
	model_init(&m, 1 << 14);
	/* back to back: every gap 0 but the first and the tail */
	for (uint64_t a = 16 * PG; m.n < 4000; a += 3 * PG)
		model_insert(&m, a, a + 3 * PG);
	CHECK_EQ(tv_check(&m.root, err, sizeof(err)), 0);
	model_queries(&m, &rng, 300);
	/* punch holes of growing size: one gap of each size 2^k pages */
	for (size_t k = 0; k < 11; k++)
		for (size_t j = 0; j < (1u << k) && m.n > 100 * (k + 2); j++)
			model_erase(&m, 100 * (k + 1));
	CHECK_EQ(tv_check(&m.root, err, sizeof(err)), 0);
	model_queries(&m, &rng, 300);
	model_fini(&m);
}

/* Exact answers on a small drawn layout, both directions and windows. */
TEST(rbtree_gap_search_table)
{
	/*
	 *  0   0x1000 0x3000   0x4000  0x8000 0x9000
	 *  |gap| A  |  gap  | B |  gap   | C  |  tail ...
	 *    1p  2p    1p    1p    4p      1p
	 */
	static const uint64_t vmas[][2] = {
		{ 0x1000, 0x3000 }, { 0x4000, 0x5000 }, { 0x8000, 0x9000 },
	};
	static const struct {
		uint64_t len, low, high;
		int ret_up;
		uint64_t up;
		int ret_down;
		uint64_t down;
	} cases[] = {
		{ 0x1000, 0, UINT64_MAX, 0, 0x0000, 0, UINT64_MAX - 0x1000 },
		{ 0x2000, 0, 0x9000, 0, 0x5000, 0, 0x6000 },
		{ 0x3000, 0, 0x9000, 0, 0x5000, 0, 0x5000 },
		{ 0x4000, 0, 0x9000, -1, 0, -1, 0 },
		{ 0x1000, 0x1000, 0x8000, 0, 0x3000, 0, 0x7000 },
		{ 0x1000, 0x5800, 0x7000, 0, 0x5800, 0, 0x6000 },
		{ 0x1000, 0x5800, 0x6000, -1, 0, -1, 0 },
		{ 0x1000, 0x9000, 0xa000, 0, 0x9000, 0, 0x9000 },
		{ 0x10000, 0, 0x20000, 0, 0x9000, 0, 0x10000 },
		{ 0x1000, 0x2000, 0x1000, -1, 0, -1, 0 },  /* low > high */
	};
	struct model m;

	model_init(&m, 8);
	for (size_t i = 0; i < 3; i++)
		CHECK(model_insert(&m, vmas[i][0], vmas[i][1]));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gap_query q = { cases[i].len, cases[i].low,
				       cases[i].high, 0, 0, 0 };
		uint64_t a = 0;

		CHECK_EQ(unmapped_area(&m.root, &q, &a), cases[i].ret_up);
		if (!cases[i].ret_up)
			CHECK_EQ(a, cases[i].up);
		CHECK_EQ(unmapped_area_topdown(&m.root, &q, &a),
			 cases[i].ret_down);
		if (!cases[i].ret_down)
			CHECK_EQ(a, cases[i].down);
	}
	model_fini(&m);
}

TEST(rbtree_empty_and_single)
{
	struct model m;
	struct gap_query q = { PG, 0, 16 * PG, 0, 0, 0 };
	char err[64];
	uint64_t a = 1;

	model_init(&m, 4);
	CHECK(mmt_rb_empty_root(&m.root));
	CHECK(!mmt_rb_first(&m.root) && !mmt_rb_last(&m.root));
	CHECK_EQ(tv_check(&m.root, err, sizeof(err)), 0);
	CHECK(!tv_find(&m.root, 0));
	CHECK_EQ(unmapped_area(&m.root, &q, &a), 0);
	CHECK_EQ(a, 0);
	CHECK_EQ(unmapped_area_topdown(&m.root, &q, &a), 0);
	CHECK_EQ(a, 15 * PG);

	CHECK(model_insert(&m, 4 * PG, 8 * PG));
	CHECK(!model_insert(&m, 7 * PG, 9 * PG));	/* overlaps */
	CHECK_EQ(tv_check(&m.root, err, sizeof(err)), 0);
	CHECK(mmt_rb_first(&m.root) == mmt_rb_last(&m.root));
	CHECK(!mmt_rb_next(m.root.node) && !mmt_rb_prev(m.root.node));
	CHECK_EQ(mmt_rb_color(m.root.node), MMT_RB_BLACK);
	CHECK_EQ(TV(m.root.node)->subtree_max_gap, 4 * PG);
	CHECK(tv_find(&m.root, 7 * PG) == m.sorted[0]);
	CHECK(!tv_find(&m.root, 8 * PG));

	model_erase(&m, 0);
	CHECK(mmt_rb_empty_root(&m.root));
	CHECK(mmt_rb_empty_node(&m.free[m.nfree - 1]->rb));	/* cleared */
	CHECK_EQ(tv_check(&m.root, err, sizeof(err)), 0);
	model_fini(&m);
}

/* Erase whatever is at the root until nothing is left. */
TEST(rbtree_erase_root_until_empty)
{
	struct model m;
	char err[128];
	int steps = 0;

	model_init(&m, 600);
	for (uint64_t i = 0; i < 600; i++)
		model_insert(&m, (i * 7919 % 600) * 4 * PG,
			     (i * 7919 % 600) * 4 * PG + (1 + i % 3) * PG);
	CHECK_EQ(m.n, 600);
	while (m.n) {
		size_t i = brute_find(&m, TV(m.root.node)->start);

		CHECK(m.sorted[i] == TV(m.root.node));
		model_erase(&m, i);
		if (tv_check(&m.root, err, sizeof(err))) {
			test_fail(__FILE__, __LINE__, "step %d: %s", steps, err);
			break;
		}
		steps++;
	}
	CHECK_EQ(steps, 600);
	CHECK(mmt_rb_empty_root(&m.root));
	model_fini(&m);
}

/* Ascending insertion: the shapes the fixup cases must produce. */
TEST(rbtree_ascending_shapes)
{
	struct model m;
	char err[128];

	model_init(&m, 1024);
	model_insert(&m, 1 * PG, 2 * PG);
	model_insert(&m, 3 * PG, 4 * PG);
	model_insert(&m, 5 * PG, 6 * PG);	/* a left rotation at 1 */
	CHECK_EQ(TV(m.root.node)->start, 3 * PG);
	CHECK_EQ(mmt_rb_color(m.root.node), MMT_RB_BLACK);
	CHECK(mmt_rb_is_red(m.root.node->left));
	CHECK(mmt_rb_is_red(m.root.node->right));
	model_insert(&m, 7 * PG, 8 * PG);	/* a recolouring */
	CHECK(!mmt_rb_is_red(m.root.node->left));
	CHECK(!mmt_rb_is_red(m.root.node->right));
	for (uint64_t i = 4; i < 1023; i++)
		model_insert(&m, (2 * i + 1) * PG, (2 * i + 2) * PG);
	CHECK_EQ(tv_check(&m.root, err, sizeof(err)), 0);
	/* a red-black tree of n nodes is at most 2 log2(n + 1) high */
	CHECK(height(m.root.node) <= 20);
	CHECK_EQ(TV(m.root.node)->subtree_max_gap, PG);
	model_fini(&m);
}

/* A plain (not augmented) tree by mmt_rb_add: equal keys keep order. */
struct item {
	int key, seq;
	struct mmt_rb_node rb;
};

static int item_cmp(const struct mmt_rb_node *a, const struct mmt_rb_node *b)
{
	int x = mmt_rb_entry(a, struct item, rb)->key;
	int y = mmt_rb_entry(b, struct item, rb)->key;

	return (x > y) - (x < y);
}

/* The caller's own descent, then link + insert_color. */
static void item_link(struct mmt_rb_root *root, struct item *x)
{
	struct mmt_rb_node **link = &root->node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = &parent->child[x->key >=
				      mmt_rb_entry(parent, struct item, rb)->key];
	}
	mmt_rb_link_node(&x->rb, parent, link);
	mmt_rb_insert_color(&x->rb, root);
}

TEST(rbtree_plain_add_duplicates)
{
	struct mmt_rb_root root = MMT_RB_ROOT;
	struct item it[300];
	struct mmt_rb_node *rb;
	char err[128];
	int n = 0, last_key = -1, last_seq = -1;

	for (int i = 0; i < 300; i++) {
		it[i].key = (i * 37) % 50;
		it[i].seq = i;
		if (i % 2)
			mmt_rb_add(&it[i].rb, &root, item_cmp);
		else
			item_link(&root, &it[i]);
	}
	CHECK_EQ(mmt_rb_check(&root, item_cmp, NULL, err, sizeof(err)), 0);
	for (rb = mmt_rb_first(&root); rb; rb = mmt_rb_next(rb), n++) {
		struct item *x = mmt_rb_entry(rb, struct item, rb);

		CHECK(x->key > last_key ||
		      (x->key == last_key && x->seq > last_seq));
		last_key = x->key;
		last_seq = x->seq;
	}
	CHECK_EQ(n, 300);
	for (int i = 0; i < 300; i += 2)
		mmt_rb_erase(&it[i].rb, &root);
	CHECK_EQ(mmt_rb_check(&root, item_cmp, NULL, err, sizeof(err)), 0);
	for (int i = 1; i < 300; i += 2)
		mmt_rb_erase(&it[i].rb, &root);
	CHECK(mmt_rb_empty_root(&root));
}

/* mmt_rb_add_augmented keeps the subtree max right without a regap. */
struct aitem {
	uint64_t key, val, max;
	struct mmt_rb_node rb;
};

static uint64_t aitem_compute(const struct aitem *x)
{
	const struct mmt_rb_node *l = x->rb.left, *r = x->rb.right;

	return max3(x->val, l ? mmt_rb_entry(l, struct aitem, rb)->max : 0,
		    r ? mmt_rb_entry(r, struct aitem, rb)->max : 0);
}

MMT_RB_DECLARE_CALLBACKS(static, aitem_aug, struct aitem, rb, max,
			 aitem_compute);

static int aitem_cmp(const struct mmt_rb_node *a, const struct mmt_rb_node *b)
{
	uint64_t x = mmt_rb_entry(a, struct aitem, rb)->key;
	uint64_t y = mmt_rb_entry(b, struct aitem, rb)->key;

	return (x > y) - (x < y);
}

static int aitem_check(const struct mmt_rb_node *rb)
{
	const struct aitem *x = mmt_rb_entry(rb, struct aitem, rb);

	return x->max != aitem_compute(x);
}

TEST(rbtree_add_augmented)
{
	struct mmt_rb_root root = MMT_RB_ROOT;
	struct aitem *it = calloc(2000, sizeof(*it));
	struct mmt_rng rng;
	char err[128];
	uint64_t want = 0;

	mmt_rng_seed(&rng, 7);
	for (int i = 0; i < 2000 && it; i++) {
		it[i].key = mmt_rng_below(&rng, 1000);
		it[i].val = it[i].max = mmt_rng_below(&rng, 1ULL << 40);
		mmt_rb_add_augmented(&it[i].rb, &root, aitem_cmp, &aitem_aug);
		if (i < 300 && mmt_rb_check(&root, aitem_cmp, aitem_check,
					    err, sizeof(err))) {
			test_fail(__FILE__, __LINE__, "add %d: %s", i, err);
			break;
		}
	}
	for (int i = 0; i < 2000 && it; i++) {
		if (i % 3 == 0)
			mmt_rb_erase_augmented(&it[i].rb, &root, &aitem_aug);
		else if (it[i].val > want)
			want = it[i].val;
	}
	CHECK_EQ(mmt_rb_check(&root, aitem_cmp, aitem_check, err,
			      sizeof(err)), 0);
	CHECK_EQ(mmt_rb_entry(root.node, struct aitem, rb)->max, want);
	free(it);
}

/*
 * The validator must catch each kind of breakage: corrupt a valid tree
 * one way at a time, expect -1 and the right message, then repair.
 */
TEST(rbtree_check_catches_corruption)
{
	struct model m;
	char err[128];
	struct mmt_rb_node *root, *leaf, *red;
	uint64_t saved;

	model_init(&m, 64);
	for (uint64_t i = 0; i < 40; i++)
		model_insert(&m, (i * 13 % 40) * 2 * PG,
			     (i * 13 % 40) * 2 * PG + PG);
	CHECK_EQ(tv_check(&m.root, err, sizeof(err)), 0);
	root = m.root.node;

	root->parent_color &= ~(uintptr_t)1;
	CHECK_EQ(tv_check(&m.root, err, sizeof(err)), -1);
	CHECK(strstr(err, "root is red"));
	root->parent_color |= MMT_RB_BLACK;

	/* a red node with a red child: paint a red node's black child red */
	red = NULL;
	for (struct mmt_rb_node *rb = mmt_rb_first(&m.root); rb;
	     rb = mmt_rb_next(rb))
		if (mmt_rb_is_red(rb) && rb->left) {
			red = rb;
			break;
		}
	CHECK(red != NULL);
	if (red) {
		red->left->parent_color &= ~(uintptr_t)1;
		CHECK_EQ(tv_check(&m.root, err, sizeof(err)), -1);
		CHECK(strstr(err, "red node under a red parent"));
		red->left->parent_color |= MMT_RB_BLACK;
	}

	/* one more black on one path: paint a red leaf black */
	leaf = NULL;
	for (struct mmt_rb_node *rb = mmt_rb_first(&m.root); rb;
	     rb = mmt_rb_next(rb))
		if (mmt_rb_is_red(rb) && !rb->left && !rb->right)
			leaf = rb;
	CHECK(leaf != NULL);
	if (leaf) {
		leaf->parent_color |= MMT_RB_BLACK;
		CHECK_EQ(tv_check(&m.root, err, sizeof(err)), -1);
		CHECK(strstr(err, "black height"));
		leaf->parent_color &= ~(uintptr_t)1;
	}

	/* order: the last VMA's key moved before the first's */
	saved = m.sorted[m.n - 1]->start;
	m.sorted[m.n - 1]->start = 0;
	CHECK_EQ(mmt_rb_check(&m.root, tv_cmp, NULL, err, sizeof(err)), -1);
	CHECK(strstr(err, "sorts before"));
	m.sorted[m.n - 1]->start = saved;

	/* a stale subtree max */
	TV(root)->subtree_max_gap++;
	CHECK_EQ(tv_check(&m.root, err, sizeof(err)), -1);
	CHECK(strstr(err, "augmented"));
	TV(root)->subtree_max_gap--;

	/* a child whose parent pointer is wrong */
	saved = root->left->parent_color;
	root->left->parent_color = (uintptr_t)root->right |
				   mmt_rb_color(root->left);
	CHECK_EQ(tv_check(&m.root, err, sizeof(err)), -1);
	CHECK(strstr(err, "parent pointer"));
	root->left->parent_color = saved;

	CHECK_EQ(tv_check(&m.root, err, sizeof(err)), 0);
	model_fini(&m);
}

TEST(rbtree_node_is_three_words)
{
	CHECK(sizeof(struct mmt_rb_node) <= 3 * sizeof(void *));
	CHECK(sizeof(struct tvma) <= 256);
}
