// SPDX-License-Identifier: MIT
/*
 * mm/rmap.c - anon_vma objects and their chains, as mm/rmap.c keeps
 * them: each anon_vma and each anon_vma_chain is an object of its slab
 * cache (sizes of the reference host: 104 and 64 bytes), so slabinfo
 * counts what the kernel would.
 *
 *   VMA ──chain──► avc ─► anon_vma (its own: vma->anon_vma)
 *                  avc ─► anon_vma of the parent (after fork)
 *                  ...        each anon_vma: avcs pointing at it,
 *                             children (forked anon_vmas naming it parent)
 *
 * A VMA's chain links it to its own anon_vma and, after fork, to every
 * ancestor's; a split or a moved copy clones the chain (anon_vma_clone);
 * fork clones it and adds a new anon_vma whose parent is the parent
 * VMA's (anon_vma_fork); freeing the VMA unlinks it (unlink_anon_vmas),
 * and an anon_vma no avc and no child names any more is freed.  The
 * kernel's reuse of an idle ancestor in anon_vma_clone is not modelled
 * (a fork tree's anon_vmas are never recycled), nor the interval trees.
 */
#include "mm/vma_internal.h"
#include "base/bug.h"

#include <stdlib.h>
#include <string.h>

struct anon_vma {
	uint64_t id;		/* the identity VMAs compare (vma->anon_vma) */
	uint64_t kaddr;		/* its slab object */
	struct anon_vma *parent;
	unsigned nr_avc;	/* anon_vma_chains pointing here */
	unsigned nr_children;
};

struct anon_chain_entry {
	struct anon_vma *av;
	uint64_t kaddr;		/* the anon_vma_chain object */
};

struct anon_chain {
	unsigned n, cap;
	struct anon_chain_entry e[];
};

static struct mmt_machine *vma_machine(const struct mmt_vma *vma)
{
	return mm_machine(vma->vm_mm);
}

/* anon_vma_alloc(): a new object, no avcs yet.  NULL: -ENOMEM. */
static struct anon_vma *anon_vma_alloc(struct mmt_machine *m,
				       struct anon_vma *parent)
{
	struct anon_vma *av = calloc(1, sizeof(*av));

	if (!av)
		return NULL;
	if (mm_slab_alloc(m, "anon_vma", &av->kaddr)) {
		free(av);
		return NULL;
	}
	av->id = m->tasks->next_anon_vma++;
	av->parent = parent;
	if (parent)
		parent->nr_children++;
	m->tasks->nr_anon_vmas++;
	return av;
}

/* put_anon_vma(): free @av and its ancestors nobody names any more. */
static void anon_vma_put_unused(struct mmt_machine *m, struct anon_vma *av)
{
	while (av && !av->nr_avc && !av->nr_children) {
		struct anon_vma *parent = av->parent;

		mm_slab_free(m, "anon_vma", av->kaddr);
		m->tasks->nr_anon_vmas--;
		mmt_free_poisoned(av, sizeof(*av));
		if (parent)
			parent->nr_children--;
		av = parent;
	}
}

/* anon_vma_chain_link(): one more avc of @vma, to @av.  0 or -ENOMEM. */
static int chain_link(struct mmt_vma *vma, struct anon_vma *av)
{
	struct mmt_machine *m = vma_machine(vma);
	struct anon_chain *c = vma->avc;
	uint64_t kaddr;

	if (!c || c->n == c->cap) {
		unsigned cap = c ? 2 * c->cap : 2;
		struct anon_chain *n = realloc(c, sizeof(*c) +
					       cap * sizeof(c->e[0]));

		if (!n)
			return -ENOMEM;
		if (!c)
			n->n = 0;
		n->cap = cap;
		vma->avc = c = n;
	}
	if (mm_slab_alloc(m, "anon_vma_chain", &kaddr))
		return -ENOMEM;
	c->e[c->n++] = (struct anon_chain_entry){ av, kaddr };
	av->nr_avc++;
	m->tasks->nr_anon_vma_chains++;
	return 0;
}

/* The anon_vma object behind @vma->anon_vma (in its chain). */
static struct anon_vma *vma_anon_vma(const struct mmt_vma *vma)
{
	const struct anon_chain *c = vma->avc;

	for (unsigned i = 0; c && i < c->n; i++)
		if (c->e[i].av->id == vma->anon_vma)
			return c->e[i].av;
	return NULL;
}

void unlink_anon_vmas(struct mmt_vma *vma)
{
	struct mmt_machine *m = vma_machine(vma);
	struct anon_chain *c = vma->avc;

	vma->anon_vma = 0;
	if (!c)
		return;
	for (unsigned i = 0; i < c->n; i++) {
		mm_slab_free(m, "anon_vma_chain", c->e[i].kaddr);
		m->tasks->nr_anon_vma_chains--;
		c->e[i].av->nr_avc--;
	}
	for (unsigned i = 0; i < c->n; i++)
		anon_vma_put_unused(m, c->e[i].av);
	free(c);
	vma->avc = NULL;
}

int anon_vma_attach_new(struct mmt_vma *vma)
{
	struct anon_vma *av = anon_vma_alloc(vma_machine(vma), NULL);

	if (!av)
		return -ENOMEM;
	if (chain_link(vma, av)) {
		anon_vma_put_unused(vma_machine(vma), av);
		return -ENOMEM;
	}
	vma->anon_vma = av->id;
	return 0;
}

int anon_vma_attach_shared(struct mmt_vma *vma, const struct mmt_vma *from)
{
	struct anon_vma *av = vma_anon_vma(from);

	MMT_BUG_ON(!av);
	if (chain_link(vma, av))
		return -ENOMEM;
	vma->anon_vma = av->id;
	return 0;
}

int anon_vma_clone(struct mmt_vma *dst, const struct mmt_vma *src)
{
	const struct anon_chain *c = src->avc;

	for (unsigned i = 0; c && i < c->n; i++)
		if (chain_link(dst, c->e[i].av)) {
			unlink_anon_vmas(dst);
			return -ENOMEM;
		}
	dst->anon_vma = src->anon_vma;
	return 0;
}

int anon_vma_fork(struct mmt_vma *vma, const struct mmt_vma *pvma)
{
	struct anon_vma *av;

	vma->anon_vma = 0;
	if (!pvma->anon_vma)
		return 0;
	if (anon_vma_clone(vma, pvma))
		return -ENOMEM;
	av = anon_vma_alloc(vma_machine(vma), vma_anon_vma(pvma));
	if (!av || chain_link(vma, av)) {
		if (av)
			anon_vma_put_unused(vma_machine(vma), av);
		unlink_anon_vmas(vma);
		return -ENOMEM;
	}
	vma->anon_vma = av->id;
	return 0;
}

unsigned vma_anon_chain_len(const struct mmt_vma *vma)
{
	return vma->avc ? vma->avc->n : 0;
}
