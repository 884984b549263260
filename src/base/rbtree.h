/* SPDX-License-Identifier: MIT */
/*
 * base/rbtree.h - an intrusive, optionally augmented red-black tree.
 *
 * The model of the kernel's lib/rbtree.c, for the per-mm VMA tree with
 * gap tracking (the pre-maple-tree mm_rb and rb_subtree_gap).  The node
 * is embedded in the user's struct and mapped back with mmt_rb_entry():
 *
 *   struct vma {                      struct mmt_rb_node (3 words)
 *       uint64_t start, end;          +----------------------------+
 *       struct mmt_rb_node rb; -----> | parent | colour (bit 0)     |
 *       uint64_t subtree_max_gap;     | left                        |
 *   };                                | right                       |
 *                                     +----------------------------+
 *
 * The tree never compares keys itself: the caller walks from the root
 * with its own comparison, links the new node at the empty slot it found
 * (mmt_rb_link_node), then rebalances (mmt_rb_insert_color).  mmt_rb_add()
 * does both with a compare callback.
 *
 * Augmentation (a value per node summarising its subtree, such as the
 * largest gap below it) is maintained through three callbacks, with the
 * kernel's contracts (rbtree_augmented.h):
 *   propagate(n, stop)  recompute n, its parent, ... up to but excluding
 *                       stop (NULL: the root); may stop early once a
 *                       recomputed value equals the stored one;
 *   copy(old, new)      new takes old's value (new replaces old in place);
 *   rotate(old, new)    new took old's place at the top of a rotation:
 *                       new takes old's value, old is recomputed.
 * MMT_RB_DECLARE_CALLBACKS() writes all three from a compute function.
 *
 * Colours: black 1, red 0, packed in bit 0 of the parent word, so a node
 * must be at least 2-byte aligned (any struct holding a pointer is).
 * Nothing here allocates; nothing here locks (one mm, one model thread).
 */
#ifndef MMT_BASE_RBTREE_H
#define MMT_BASE_RBTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mmt_rb_node {
	uintptr_t parent_color;		/* parent pointer | colour bit */
	union {
		struct {
			struct mmt_rb_node *left, *right;
		};
		struct mmt_rb_node *child[2];	/* [0] left, [1] right */
	};
};

struct mmt_rb_root {
	struct mmt_rb_node *node;	/* NULL: empty */
};

#define MMT_RB_ROOT ((struct mmt_rb_root){ NULL })
#define MMT_RB_RED 0u
#define MMT_RB_BLACK 1u

/* The struct of type @type whose member @member is the node @ptr. */
#define mmt_rb_entry(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
/* As mmt_rb_entry, but NULL stays NULL (for first/next/find results). */
#define mmt_rb_entry_safe(ptr, type, member) ({				\
	struct mmt_rb_node *rbe_ = (ptr);				\
	rbe_ ? mmt_rb_entry(rbe_, type, member) : (type *)NULL; })

static inline struct mmt_rb_node *mmt_rb_parent(const struct mmt_rb_node *n)
{
	return (struct mmt_rb_node *)(n->parent_color & ~(uintptr_t)1);
}

static inline unsigned mmt_rb_color(const struct mmt_rb_node *n)
{
	return (unsigned)(n->parent_color & 1);
}

/* NULL children count as black, as in every red-black argument. */
static inline bool mmt_rb_is_red(const struct mmt_rb_node *n)
{
	return n && mmt_rb_color(n) == MMT_RB_RED;
}

static inline bool mmt_rb_empty_root(const struct mmt_rb_root *r)
{
	return r->node == NULL;
}

/*
 * A node not in any tree points at itself, so "is this VMA linked?" is
 * answerable without a separate flag.  Clear a node before first use if
 * the caller wants to ask.
 */
static inline void mmt_rb_clear_node(struct mmt_rb_node *n)
{
	n->parent_color = (uintptr_t)n;
}

static inline bool mmt_rb_empty_node(const struct mmt_rb_node *n)
{
	return n->parent_color == (uintptr_t)n;
}

/*
 * Put @n, red and childless, in the empty slot @link (the root's node or
 * @parent's left or right) found by the caller's descent.  The tree is
 * then a valid search tree but maybe not a red-black one: follow with
 * mmt_rb_insert_color() or mmt_rb_insert_augmented().
 */
static inline void mmt_rb_link_node(struct mmt_rb_node *n,
				    struct mmt_rb_node *parent,
				    struct mmt_rb_node **link)
{
	n->parent_color = (uintptr_t)parent;	/* red: bit 0 clear */
	n->left = n->right = NULL;
	*link = n;
}

struct mmt_rb_augment {
	void (*propagate)(struct mmt_rb_node *n, struct mmt_rb_node *stop);
	void (*copy)(struct mmt_rb_node *old, struct mmt_rb_node *new_);
	void (*rotate)(struct mmt_rb_node *old, struct mmt_rb_node *new_);
};

/*
 * Rebalance after mmt_rb_link_node(@n).  O(log n) recolourings, at most
 * two rotations.  The augmented variant calls @aug->rotate on each
 * rotation; the caller must already have brought the augmented values on
 * the path from @n to the root up to date, because linking changes only
 * that path: set @n's own value as for a leaf, then
 * @aug->propagate(parent, NULL).  (Not propagate(@n, ...): it would stop
 * at once, @n's value being unchanged.)  @aug NULL is the plain tree.
 */
void mmt_rb_insert_color(struct mmt_rb_node *n, struct mmt_rb_root *root);
void mmt_rb_insert_augmented(struct mmt_rb_node *n, struct mmt_rb_root *root,
			     const struct mmt_rb_augment *aug);

/*
 * Unlink @n, which must be in @root, and rebalance: at most three
 * rotations.  @n's own fields are left stale (clear it to reuse it as
 * "unlinked").  The augmented variant keeps every other node's value
 * consistent with its subtree as it now is; if the erase changed the
 * value some *other* node computes from (the successor's gap, when its
 * predecessor goes), the caller propagates from that node afterwards.
 */
void mmt_rb_erase(struct mmt_rb_node *n, struct mmt_rb_root *root);
void mmt_rb_erase_augmented(struct mmt_rb_node *n, struct mmt_rb_root *root,
			    const struct mmt_rb_augment *aug);

/*
 * In-order walks.  first/last are O(log n); next/prev are O(1)
 * amortised over a whole walk, O(log n) worst case.  NULL at the ends.
 */
struct mmt_rb_node *mmt_rb_first(const struct mmt_rb_root *root);
struct mmt_rb_node *mmt_rb_last(const struct mmt_rb_root *root);
struct mmt_rb_node *mmt_rb_next(const struct mmt_rb_node *n);
struct mmt_rb_node *mmt_rb_prev(const struct mmt_rb_node *n);

/* <0, 0, >0 as @a sorts before, with, after @b. */
typedef int (*mmt_rb_cmp_fn)(const struct mmt_rb_node *a,
			     const struct mmt_rb_node *b);

/*
 * Insert @n by @cmp; an equal key goes after the existing ones.  The
 * augmented variant expects @n's own value set as for a leaf (its
 * compute with no children) and brings its ancestors up to date before
 * rebalancing.
 */
void mmt_rb_add(struct mmt_rb_node *n, struct mmt_rb_root *root,
		mmt_rb_cmp_fn cmp);
void mmt_rb_add_augmented(struct mmt_rb_node *n, struct mmt_rb_root *root,
			  mmt_rb_cmp_fn cmp, const struct mmt_rb_augment *aug);

/* 0 if @n's stored augmented value is what its subtree gives. */
typedef int (*mmt_rb_aug_check_fn)(const struct mmt_rb_node *n);

/*
 * The whole-tree validator: parent links, the root black and parentless,
 * no red node with a red child, the same number of black nodes on every
 * root-to-leaf path, in-order keys non-decreasing by @cmp (NULL: not
 * checked) and @aug_check passing on every node (NULL: not augmented).
 * Returns 0, or -1 with the first violation in @err, naming the node by
 * its in-order index.  O(n) time, O(log n) stack.
 */
int mmt_rb_check(const struct mmt_rb_root *root, mmt_rb_cmp_fn cmp,
		 mmt_rb_aug_check_fn aug_check, char *err, size_t errlen);

/*
 * MMT_RB_DECLARE_CALLBACKS(static, name, type, rbfield, augfield, compute)
 * defines the three callbacks and `const struct mmt_rb_augment name`
 * for a value @augfield of @type that is a pure function of the node and
 * its children's stored @augfield: @compute(const type *) returns it.
 * The value must be comparable with == (propagate stops at the first
 * ancestor whose value did not change: the ones above it cannot either).
 */
#define MMT_RB_DECLARE_CALLBACKS(scope, name, type, rbfield, augfield,	\
				 compute)				\
static void name##_propagate(struct mmt_rb_node *rb,			\
			     struct mmt_rb_node *stop)			\
{									\
	while (rb != stop) {						\
		type *n_ = mmt_rb_entry(rb, type, rbfield);		\
		__typeof__(n_->augfield) v_ = compute(n_);		\
		if (n_->augfield == v_)					\
			break;						\
		n_->augfield = v_;					\
		rb = mmt_rb_parent(rb);					\
	}								\
}									\
static void name##_copy(struct mmt_rb_node *o, struct mmt_rb_node *n)	\
{									\
	mmt_rb_entry(n, type, rbfield)->augfield =			\
		mmt_rb_entry(o, type, rbfield)->augfield;		\
}									\
static void name##_rotate(struct mmt_rb_node *o, struct mmt_rb_node *n)	\
{									\
	type *old_ = mmt_rb_entry(o, type, rbfield);			\
									\
	mmt_rb_entry(n, type, rbfield)->augfield = old_->augfield;	\
	old_->augfield = compute(old_);					\
}									\
scope const struct mmt_rb_augment name = {				\
	name##_propagate, name##_copy, name##_rotate			\
}

#endif
