// SPDX-License-Identifier: MIT
/*
 * An intrusive augmented red-black tree (see rbtree.h).
 *
 * The classic algorithm (Guibas-Sedgewick, as CLRS and lib/rbtree.c
 * present it), written once for both mirror images: child[d] and
 * child[!d] stand for "this side" and "the other side", so each fixup
 * case appears once instead of twice.  Differences from lib/rbtree.c:
 *   - no RCU-safe store ordering (one model thread);
 *   - no cached-leftmost variant (the VMA layer keeps its own ends);
 *   - rotations are one helper that keeps colours, colours are then set
 *     explicitly: a few more stores to the parent word per fixup, for
 *     cases that read like the textbook.
 */
#include "base/rbtree.h"

#include "base/bug.h"

#include <stdio.h>

_Static_assert(sizeof(struct mmt_rb_node) <= 3 * sizeof(void *),
	       "an rb node is three words");
_Static_assert(_Alignof(struct mmt_rb_node) >= 2,
	       "bit 0 of the parent word holds the colour");
_Static_assert(offsetof(struct mmt_rb_node, child[1]) ==
	       offsetof(struct mmt_rb_node, right), "child[1] is right");

/* ------------------------------------------------------------ helpers */

static void set_parent(struct mmt_rb_node *n, struct mmt_rb_node *p)
{
	n->parent_color = (uintptr_t)p | mmt_rb_color(n);
}

static void set_color(struct mmt_rb_node *n, unsigned color)
{
	n->parent_color = (n->parent_color & ~(uintptr_t)1) | color;
}

/* Which child of @p is @n: 0 left, 1 right.  Also right for @n NULL
 * when @p's right is NULL, which erase_fixup relies on. */
static int side_of(const struct mmt_rb_node *p, const struct mmt_rb_node *n)
{
	return p->right == n;
}

/* Make @new_ take @old's place under @p (NULL: at the root). */
static void replace_child(struct mmt_rb_node *p, struct mmt_rb_node *old,
			  struct mmt_rb_node *new_, struct mmt_rb_root *root)
{
	if (!p)
		root->node = new_;
	else
		p->child[side_of(p, old)] = new_;
}

/*
 * Rotate @x down towards side @d: its child y on the other side comes up
 * into @x's place, y's @d-side subtree moves under @x.  Colours are kept;
 * @aug (if any) sees rotate(x, y), as y now spans what x spanned.
 *
 *        x                y          (d = 0: a left rotation)
 *       / \              / \
 *      a   y     ->     x   c
 *         / \          / \
 *        b   c        a   b
 */
static void rotate(struct mmt_rb_node *x, int d, struct mmt_rb_root *root,
		   const struct mmt_rb_augment *aug)
{
	struct mmt_rb_node *y = x->child[!d], *p = mmt_rb_parent(x);
	struct mmt_rb_node *b = y->child[d];

	x->child[!d] = b;
	if (b)
		set_parent(b, x);
	y->child[d] = x;
	set_parent(y, p);
	replace_child(p, x, y, root);
	set_parent(x, y);
	if (aug)
		aug->rotate(x, y);
}

/* ---------------------------------------------------------- insertion */

/*
 * Restore the red-black properties after linking red @n: the only
 * possible violation is @n red under a red parent.  A red uncle is
 * recoloured away and the problem moves two levels up; a black uncle
 * ends it with one or two rotations.
 */
static void insert_fixup(struct mmt_rb_node *n, struct mmt_rb_root *root,
			 const struct mmt_rb_augment *aug)
{
	for (;;) {
		struct mmt_rb_node *p = mmt_rb_parent(n), *g, *uncle;
		int d;

		if (!p) {
			set_color(n, MMT_RB_BLACK);	/* the root */
			return;
		}
		if (!mmt_rb_is_red(p))
			return;
		g = mmt_rb_parent(p);	/* a red node is never the root */
		d = side_of(g, p);
		uncle = g->child[!d];
		if (mmt_rb_is_red(uncle)) {
			set_color(p, MMT_RB_BLACK);
			set_color(uncle, MMT_RB_BLACK);
			set_color(g, MMT_RB_RED);
			n = g;
			continue;
		}
		if (n == p->child[!d]) {
			/* the inner grandchild: make it the outer one */
			rotate(p, d, root, aug);
			p = n;
		}
		rotate(g, !d, root, aug);
		set_color(p, MMT_RB_BLACK);
		set_color(g, MMT_RB_RED);
		return;
	}
}

void mmt_rb_insert_color(struct mmt_rb_node *n, struct mmt_rb_root *root)
{
	insert_fixup(n, root, NULL);
}

void mmt_rb_insert_augmented(struct mmt_rb_node *n, struct mmt_rb_root *root,
			     const struct mmt_rb_augment *aug)
{
	insert_fixup(n, root, aug);
}

/*
 * The slot where @n goes by @cmp, and its parent; an equal key descends
 * right so that insertion order is kept among equals.
 */
static struct mmt_rb_node **find_link(struct mmt_rb_node *n,
				      struct mmt_rb_root *root,
				      mmt_rb_cmp_fn cmp,
				      struct mmt_rb_node **parent)
{
	struct mmt_rb_node **link = &root->node;

	*parent = NULL;
	while (*link) {
		*parent = *link;
		link = &(*link)->child[cmp(n, *link) >= 0];
	}
	return link;
}

void mmt_rb_add(struct mmt_rb_node *n, struct mmt_rb_root *root,
		mmt_rb_cmp_fn cmp)
{
	struct mmt_rb_node *parent, **link = find_link(n, root, cmp, &parent);

	mmt_rb_link_node(n, parent, link);
	insert_fixup(n, root, NULL);
}

void mmt_rb_add_augmented(struct mmt_rb_node *n, struct mmt_rb_root *root,
			  mmt_rb_cmp_fn cmp, const struct mmt_rb_augment *aug)
{
	struct mmt_rb_node *parent, **link = find_link(n, root, cmp, &parent);

	mmt_rb_link_node(n, parent, link);
	if (parent)
		aug->propagate(parent, NULL);
	insert_fixup(n, root, aug);
}

/* ------------------------------------------------------------ erasure */

/*
 * @p's subtree on side @d (possibly empty) is one black short of the
 * other side.  Borrow from the sibling's side: a red sibling is rotated
 * up first so the sibling is black; a black sibling with black children
 * turns red and the deficit moves up to @p (or is absorbed by a red @p);
 * otherwise one or two rotations end it.
 */
static void erase_fixup(struct mmt_rb_node *p, int d, struct mmt_rb_root *root,
			const struct mmt_rb_augment *aug)
{
	for (;;) {
		struct mmt_rb_node *sib = p->child[!d], *near, *far, *n;

		/* the other side is a black taller, so it is not empty */
		MMT_BUG_ON(!sib);
		if (mmt_rb_is_red(sib)) {
			rotate(p, d, root, aug);
			set_color(sib, MMT_RB_BLACK);
			set_color(p, MMT_RB_RED);
			sib = p->child[!d];
		}
		near = sib->child[d];
		far = sib->child[!d];
		if (!mmt_rb_is_red(near) && !mmt_rb_is_red(far)) {
			set_color(sib, MMT_RB_RED);
			if (mmt_rb_is_red(p)) {
				set_color(p, MMT_RB_BLACK);
				return;
			}
			n = p;
			p = mmt_rb_parent(n);
			if (!p)
				return;	/* the whole tree lost one black */
			d = side_of(p, n);
			continue;
		}
		if (!mmt_rb_is_red(far)) {
			/* only the near nephew is red: make it the far one */
			rotate(sib, !d, root, aug);
			set_color(sib, MMT_RB_RED);
			set_color(near, MMT_RB_BLACK);
			far = sib;
			sib = near;
		}
		rotate(p, d, root, aug);
		set_color(sib, mmt_rb_color(p));
		set_color(p, MMT_RB_BLACK);
		set_color(far, MMT_RB_BLACK);
		return;
	}
}

/*
 * Unlink @n with at most one child: the child (necessarily red, @n
 * black) takes @n's place and colour.  Returns the node under which a
 * black went missing, or NULL.
 */
static struct mmt_rb_node *unlink_simple(struct mmt_rb_node *n,
					 struct mmt_rb_root *root)
{
	struct mmt_rb_node *child = n->left ? n->left : n->right;
	struct mmt_rb_node *p = mmt_rb_parent(n);

	/* a lone child is a red leaf under a black node, or the tree is bad */
	MMT_BUG_ON(child && (!mmt_rb_is_red(child) || mmt_rb_is_red(n)));
	replace_child(p, n, child, root);
	if (child) {
		child->parent_color = n->parent_color;
		return NULL;
	}
	return mmt_rb_is_red(n) ? NULL : p;
}

/*
 * Unlink @n with two children: its successor s (the leftmost of the
 * right subtree, no left child) takes @n's place and colour, and s's
 * right child takes s's old place.  Returns the node under which a black
 * went missing (or NULL); *@succ is s, whose copied augmented value
 * (@n's) the caller recomputes upwards.
 */
static struct mmt_rb_node *unlink_two(struct mmt_rb_node *n,
				      struct mmt_rb_root *root,
				      const struct mmt_rb_augment *aug,
				      struct mmt_rb_node **succ)
{
	struct mmt_rb_node *s = n->right, *sp, *child;
	bool s_black;

	while (s->left)
		s = s->left;
	*succ = s;
	child = s->right;
	if (s == n->right) {
		sp = s;			/* s keeps its right subtree */
	} else {
		sp = mmt_rb_parent(s);
		sp->left = child;
		s->right = n->right;
		set_parent(n->right, s);
	}
	if (aug) {
		aug->copy(n, s);
		aug->propagate(sp, s);	/* sp .. below s lost s */
	}
	s->left = n->left;
	set_parent(n->left, s);
	s_black = !mmt_rb_is_red(s);
	s->parent_color = n->parent_color;
	replace_child(mmt_rb_parent(n), n, s, root);
	if (child) {
		child->parent_color = (uintptr_t)sp | MMT_RB_BLACK;
		return NULL;
	}
	return s_black ? sp : NULL;
}

void mmt_rb_erase_augmented(struct mmt_rb_node *n, struct mmt_rb_root *root,
			    const struct mmt_rb_augment *aug)
{
	struct mmt_rb_node *short_p, *fix_from;

	MMT_BUG_ON(mmt_rb_empty_node(n));	/* cleared: not in a tree */
	if (n->left && n->right) {
		short_p = unlink_two(n, root, aug, &fix_from);
	} else {
		short_p = unlink_simple(n, root);
		fix_from = mmt_rb_parent(n);
	}
	if (aug && fix_from)
		aug->propagate(fix_from, NULL);
	/* the side that went short is the empty one (see side_of) */
	if (short_p)
		erase_fixup(short_p, side_of(short_p, NULL), root, aug);
}

void mmt_rb_erase(struct mmt_rb_node *n, struct mmt_rb_root *root)
{
	mmt_rb_erase_augmented(n, root, NULL);
}

/* -------------------------------------------------------------- walks */

static struct mmt_rb_node *extreme(struct mmt_rb_node *n, int d)
{
	if (n)
		while (n->child[d])
			n = n->child[d];
	return n;
}

/* The in-order neighbour of @n on side @d: 1 next, 0 previous. */
static struct mmt_rb_node *step(const struct mmt_rb_node *n, int d)
{
	struct mmt_rb_node *p;

	if (n->child[d])
		return extreme(n->child[d], !d);
	/* climb while we are on the @d side: those parents are behind us */
	while ((p = mmt_rb_parent(n)) && n == p->child[d])
		n = p;
	return p;
}

struct mmt_rb_node *mmt_rb_first(const struct mmt_rb_root *root)
{
	return extreme(root->node, 0);
}

struct mmt_rb_node *mmt_rb_last(const struct mmt_rb_root *root)
{
	return extreme(root->node, 1);
}

struct mmt_rb_node *mmt_rb_next(const struct mmt_rb_node *n)
{
	return step(n, 1);
}

struct mmt_rb_node *mmt_rb_prev(const struct mmt_rb_node *n)
{
	return step(n, 0);
}

/* ---------------------------------------------------------- validator */

/*
 * Two passes: the shape first (links, colours, black heights), then the
 * in-order checks (keys, augmented values), because the caller's
 * aug_check may walk the tree (a VMA's gap needs its predecessor) and
 * must not be handed a tree whose links are broken.
 */
struct check_ctx {
	size_t index;		/* in-order index of the next node */
	unsigned depth;		/* of the subtree being checked */
	char *err;
	size_t errlen;
};

static int check_fail(char *err, size_t errlen, size_t index,
		      const char *what)
{
	snprintf(err, errlen, "rbtree: node #%zu (in order): %s", index, what);
	return -1;
}

/* Black height of @n's subtree (NULL: 0), or -1 on a shape violation. */
static int check_shape(struct check_ctx *c, const struct mmt_rb_node *n,
		       const struct mmt_rb_node *parent)
{
	int lh, rh;
	size_t i;

	if (!n)
		return 0;
	/* deeper than any balanced tree that fits in memory: a cycle */
	if (c->depth >= 2 * 8 * sizeof(void *))
		return check_fail(c->err, c->errlen, c->index,
				  "too deep: a cycle?");
	c->depth++;
	lh = check_shape(c, n->left, n);
	if (lh < 0)
		return -1;
	i = c->index++;
	if (mmt_rb_parent(n) != parent)
		return check_fail(c->err, c->errlen, i,
				  "parent pointer is not its parent");
	if (mmt_rb_is_red(n) && mmt_rb_is_red(parent))
		return check_fail(c->err, c->errlen, i,
				  "red node under a red parent");
	rh = check_shape(c, n->right, n);
	if (rh < 0)
		return -1;
	c->depth--;
	if (lh != rh) {
		char what[64];

		snprintf(what, sizeof(what), "black height %d on the left, "
			 "%d on the right", lh, rh);
		return check_fail(c->err, c->errlen, i, what);
	}
	return lh + !mmt_rb_is_red(n);
}

/* Keys in order and every augmented value, on a tree of sound shape. */
static int check_inorder(const struct mmt_rb_root *root, mmt_rb_cmp_fn cmp,
			 mmt_rb_aug_check_fn aug_check, char *err,
			 size_t errlen)
{
	const struct mmt_rb_node *prev = NULL, *n;
	size_t i = 0;

	for (n = mmt_rb_first(root); n; prev = n, n = mmt_rb_next(n), i++) {
		if (cmp && prev && cmp(prev, n) > 0)
			return check_fail(err, errlen, i,
					  "sorts before its predecessor");
		if (aug_check && aug_check(n))
			return check_fail(err, errlen, i, "augmented value "
					  "differs from its subtree's");
	}
	return 0;
}

int mmt_rb_check(const struct mmt_rb_root *root, mmt_rb_cmp_fn cmp,
		 mmt_rb_aug_check_fn aug_check, char *err, size_t errlen)
{
	struct check_ctx c = { 0, 0, err, errlen };

	if (mmt_rb_is_red(root->node)) {
		snprintf(err, errlen, "rbtree: the root is red");
		return -1;
	}
	if (check_shape(&c, root->node, NULL) < 0)
		return -1;
	return check_inorder(root, cmp, aug_check, err, errlen);
}
