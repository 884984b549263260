// SPDX-License-Identifier: MIT
/*
 * SLUB-style slab caches and kmalloc (mm/slub.c, mm/slab_common.c).
 *
 * A cache carves slabs of 2^order lowmem pages (GFP_KERNEL) into objects
 * of `size` bytes; object i of a slab lives at __va(pfn << 12) + i * size.
 * Each slab keeps a LIFO freelist like SLUB's (a freed object is the next
 * one handed out); a fresh slab hands out objects in index order (the
 * model leaves CONFIG_SLAB_FREELIST_RANDOM off).  kmalloc picks one of the
 * kmalloc-* caches by kmalloc_index(); requests above 8 KiB go straight to
 * the page allocator (compound pages of order get_order(size)).
 *
 * Simplified: no per-CPU slabs or sheaves, no cache merging (aliases),
 * no dma-/rcl-/cg- kmalloc variants; an empty slab is given back to the
 * page allocator once the cache already holds min_partial partial slabs.
 */
#include <mmtwin/kalloc.h>
#include <mmtwin/machine.h>
#include <mmtwin/page_alloc.h>
#include "base/bug.h"
#include "mm/kalloc_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* What a lowmem page is used for by the allocators here. */
struct mmt_pfnmap_ent {
	uint64_t pfn;
	struct mmt_kmem_cache *cache;	/* NULL: large kmalloc head page */
	struct mmt_slab *slab;
	unsigned order;			/* large kmalloc order */
	struct mmt_pfnmap_ent *next;
};

#define PFNMAP_BUCKETS 1024u

static void slab_bug(const char *fn, const char *what)
{
	mmt_bug(fn, "%s", what);
}

/* ------------------------------------------------------- size classes */

/* size_index[] of mm/slab_common.c: cache index by (size - 1) / 8. */
static const uint8_t size_index[24] = {
	3, 4, 5, 5, 6, 6, 6, 6,		/* 8 .. 64 */
	1, 1, 1, 1, 7, 7, 7, 7,		/* 72 .. 128 */
	2, 2, 2, 2, 2, 2, 2, 2		/* 136 .. 192 */
};

int mmt_kmalloc_index(size_t size)
{
	unsigned idx = 0;

	if (size == 0)
		return 0;
	if (size > MMT_KMALLOC_MAX_CACHE_SIZE)
		return -1;
	if (size <= 192)
		return size_index[(size - 1) / 8];
	/* fls(size - 1): the next power of two */
	for (size_t v = size - 1; v; v >>= 1)
		idx++;
	return (int)idx;
}

unsigned mmt_kmalloc_size(int idx)
{
	if (idx == 1)
		return 96;
	if (idx == 2)
		return 192;
	if (idx >= MMT_KMALLOC_SHIFT_LOW && idx <= MMT_KMALLOC_SHIFT_HIGH)
		return 1u << idx;
	return 0;
}

static unsigned fls_u(unsigned v)
{
	unsigned r = 0;

	for (; v; v >>= 1)
		r++;
	return r;
}

/* get_order(): smallest order whose pages hold @size bytes. */
static unsigned get_order(uint64_t size)
{
	unsigned order = 0;

	while ((MMT_PAGE_SIZE << order) < size)
		order++;
	return order;
}

/* calc_slab_order(): lowest order in [min, max] wasting <= 1/@fract. */
static unsigned calc_slab_order(unsigned size, unsigned min_order,
				unsigned max_order, unsigned fract)
{
	unsigned order;

	for (order = min_order; order <= max_order; order++) {
		unsigned slab = (unsigned)MMT_PAGE_SIZE << order;

		if (slab % size <= slab / fract)
			break;
	}
	return order;
}

void mmt_slub_geometry(unsigned size, unsigned nr_cpus, unsigned *order,
		       unsigned *objects)
{
	unsigned min_objects, max_objects, min_order, o = MMT_MAX_ORDER + 1;

	if (nr_cpus == 0)
		nr_cpus = 1;
	min_objects = 4 * (fls_u(nr_cpus) + 1);
	max_objects = ((unsigned)MMT_PAGE_SIZE << MMT_SLUB_MAX_ORDER) / size;
	if (min_objects > max_objects)
		min_objects = max_objects;
	min_order = get_order((uint64_t)min_objects * size);
	for (unsigned fract = 16; fract > 1; fract /= 2) {
		o = calc_slab_order(size, min_order, MMT_SLUB_MAX_ORDER, fract);
		if (o <= MMT_SLUB_MAX_ORDER)
			break;
	}
	if (o > MMT_SLUB_MAX_ORDER)
		o = calc_slab_order(size, 0, MMT_MAX_ORDER, 1);
	*order = o;
	*objects = ((unsigned)MMT_PAGE_SIZE << o) / size;
}

/* ----------------------------------------------------- pfn -> owner map */

static struct mmt_pfnmap_ent **pfnmap_slot(struct mmt_kalloc *ka, uint64_t pfn)
{
	return &ka->pfnmap[(pfn * 0x9e3779b97f4a7c15ull >> 40) %
			   ka->pfnmap_buckets];
}

static struct mmt_pfnmap_ent *pfnmap_find(struct mmt_kalloc *ka, uint64_t pfn)
{
	for (struct mmt_pfnmap_ent *e = *pfnmap_slot(ka, pfn); e; e = e->next)
		if (e->pfn == pfn)
			return e;
	return NULL;
}

/* Record that @pfn belongs to (@cache, @slab) or a large kmalloc. */
static int pfnmap_add(struct mmt_kalloc *ka, uint64_t pfn,
		      struct mmt_kmem_cache *cache, struct mmt_slab *slab,
		      unsigned order)
{
	struct mmt_pfnmap_ent **head = pfnmap_slot(ka, pfn);
	struct mmt_pfnmap_ent *e;

	if (pfnmap_find(ka, pfn))
		slab_bug("pfnmap_add", "page handed out twice");
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	*e = (struct mmt_pfnmap_ent){ pfn, cache, slab, order, *head };
	*head = e;
	return 0;
}

static void pfnmap_del(struct mmt_kalloc *ka, uint64_t pfn)
{
	for (struct mmt_pfnmap_ent **pp = pfnmap_slot(ka, pfn); *pp;
	     pp = &(*pp)->next) {
		if ((*pp)->pfn == pfn) {
			struct mmt_pfnmap_ent *e = *pp;

			*pp = e->next;
			free(e);
			return;
		}
	}
	slab_bug("pfnmap_del", "page not recorded");
}

/* ------------------------------------------------------------- slabs */

static uint64_t direct_va(struct mmt_machine *m, uint64_t pfn)
{
	uint64_t va;

	if (mmt_va(&m->layout, pfn << MMT_PAGE_SHIFT, &va))
		slab_bug("direct_va", "slab page outside the direct map");
	return va;
}

static void free_slab_struct(struct mmt_slab *slab)
{
	if (!slab)
		return;
	free(slab->next_free);
	free(slab->used);
	mmt_free_poisoned(slab, sizeof(*slab));
}

static void unrecord_pages(struct mmt_kalloc *ka, uint64_t pfn, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		pfnmap_del(ka, pfn + i);
}

/*
 * allocate_slab(): pages from the buddy, objects chained 0, 1, 2 ... on
 * the freelist.  Returns the slab (linked first in @s) or NULL (-ENOMEM,
 * nothing changed).
 */
/*
 * The partial list in creation order, newest first: a slab that gains a
 * free object goes in after every newer partial slab.  Allocation takes
 * the head, the newest slab with a free object, which is the slab the
 * full list's first fit would find; the walk is over partial slabs only,
 * which stay few while most slabs are full.
 */
static void partial_add(struct mmt_kmem_cache *s, struct mmt_slab *slab)
{
	struct mmt_slab **pp = &s->partial, *prev = NULL;

	if (slab->on_partial)
		slab_bug("partial_add", "slab already on the partial list");
	while (*pp && (*pp)->seq > slab->seq) {
		prev = *pp;
		pp = &(*pp)->pnext;
	}
	slab->pnext = *pp;
	slab->pprev = prev;
	if (*pp)
		(*pp)->pprev = slab;
	*pp = slab;
	slab->on_partial = true;
	s->nr_partial++;
}

static void partial_del(struct mmt_kmem_cache *s, struct mmt_slab *slab)
{
	if (!slab->on_partial)
		slab_bug("partial_del", "slab not on the partial list");
	if (slab->pprev)
		slab->pprev->pnext = slab->pnext;
	else
		s->partial = slab->pnext;
	if (slab->pnext)
		slab->pnext->pprev = slab->pprev;
	slab->pnext = slab->pprev = NULL;
	slab->on_partial = false;
	s->nr_partial--;
}

static struct mmt_slab *allocate_slab(struct mmt_machine *m,
				      struct mmt_kmem_cache *s)
{
	struct mmt_kalloc *ka = m->kalloc;
	unsigned npages = 1u << s->order, i;
	struct mmt_slab *slab = calloc(1, sizeof(*slab));
	uint64_t pfn;

	if (!slab)
		return NULL;
	slab->next_free = calloc(s->objects, sizeof(int));
	slab->used = calloc(s->objects, sizeof(bool));
	if (!slab->next_free || !slab->used)
		goto fail;
	if (mmt_alloc_pages(m, s->gfp, s->order, &pfn))
		goto fail;
	for (i = 0; i < npages; i++)
		if (pfnmap_add(ka, pfn + i, s, slab, s->order)) {
			unrecord_pages(ka, pfn, i);
			mmt_free_pages(m, pfn, s->order);
			goto fail;
		}
	slab->pfn = pfn;
	slab->vaddr = direct_va(m, pfn);
	for (i = 0; i < s->objects; i++)
		slab->next_free[i] = i + 1 < s->objects ? (int)i + 1 : -1;
	slab->freelist = 0;
	slab->seq = ++s->slab_seq;
	slab->next = s->slabs;
	if (s->slabs)
		s->slabs->prev = slab;
	s->slabs = slab;
	s->nr_slabs++;
	partial_add(s, slab);
	return slab;
fail:
	free_slab_struct(slab);
	return NULL;
}

/* discard_slab(): unlink an empty slab and give its pages back. */
static void discard_slab(struct mmt_machine *m, struct mmt_kmem_cache *s,
			 struct mmt_slab *slab)
{
	if (slab->inuse)
		slab_bug("discard_slab", "slab still has objects");
	if (slab->prev)
		slab->prev->next = slab->next;
	else if (s->slabs == slab)
		s->slabs = slab->next;
	else
		slab_bug("discard_slab", "slab not on its cache");
	if (slab->next)
		slab->next->prev = slab->prev;
	partial_del(s, slab);
	unrecord_pages(m->kalloc, slab->pfn, 1u << s->order);
	mmt_free_pages(m, slab->pfn, s->order);
	s->nr_slabs--;
	free_slab_struct(slab);
}

static unsigned min_partial_for(unsigned size)
{
	unsigned v = (fls_u(size) - 1) / 2;	/* ilog2(size) / 2 */

	return v < 5 ? 5 : v > 10 ? 10 : v;
}

int mmt_kmem_cache_alloc(struct mmt_machine *m, struct mmt_kmem_cache *s,
			 unsigned gfp, uint64_t *addr)
{
	struct mmt_slab *slab;
	int idx;

	(void)gfp;	/* slab pages always come with s->gfp */
	slab = s->partial;
	if (!slab)
		slab = allocate_slab(m, s);
	if (!slab)
		return -ENOMEM;
	idx = slab->freelist;
	if (slab->used[idx])
		slab_bug("mmt_kmem_cache_alloc", "freelist holds a used object");
	slab->freelist = slab->next_free[idx];
	slab->next_free[idx] = -1;
	slab->used[idx] = true;
	slab->inuse++;
	s->active_objs++;
	if (slab->freelist < 0)
		partial_del(s, slab);
	*addr = slab->vaddr + (uint64_t)idx * s->size;
	return 0;
}

/* The slab of @s holding @addr and the object index, or -EINVAL. */
static int object_of(struct mmt_machine *m, struct mmt_kmem_cache *s,
		     uint64_t addr, struct mmt_slab **slabp, unsigned *idx)
{
	struct mmt_pfnmap_ent *e;
	uint64_t pa, off;

	if (mmt_pa(&m->layout, addr, &pa))
		return -EINVAL;
	e = pfnmap_find(m->kalloc, pa >> MMT_PAGE_SHIFT);
	if (!e || !e->slab || (s && e->cache != s))
		return -EINVAL;
	off = addr - e->slab->vaddr;
	if (off % e->cache->size || off / e->cache->size >= e->cache->objects)
		return -EINVAL;
	*slabp = e->slab;
	*idx = (unsigned)(off / e->cache->size);
	return e->slab->used[*idx] ? 0 : -EINVAL;
}

/* do_slab_free(): push on the slab's freelist; maybe discard it. */
static void slab_free(struct mmt_machine *m, struct mmt_kmem_cache *s,
		      struct mmt_slab *slab, unsigned idx)
{
	bool was_full = slab->freelist < 0;

	slab->used[idx] = false;
	slab->next_free[idx] = slab->freelist;
	slab->freelist = (int)idx;
	slab->inuse--;
	s->active_objs--;
	if (was_full)
		partial_add(s, slab);
	/* the partial slabs other than this one */
	if (!slab->inuse && s->nr_partial - 1 >= s->min_partial)
		discard_slab(m, s, slab);
}

int mmt_kmem_cache_free(struct mmt_machine *m, struct mmt_kmem_cache *s,
			uint64_t addr)
{
	struct mmt_slab *slab;
	unsigned idx;

	if (object_of(m, s, addr, &slab, &idx))
		return -EINVAL;
	slab_free(m, s, slab, idx);
	return 0;
}

int mmt_kmem_cache_shrink(struct mmt_machine *m, struct mmt_kmem_cache *s)
{
	struct mmt_slab *slab = s->slabs, *next;
	int n = 0;

	for (; slab; slab = next) {
		next = slab->next;
		if (!slab->inuse) {
			discard_slab(m, s, slab);
			n++;
		}
	}
	return n;
}

/* --------------------------------------------------------- caches */

static struct mmt_kmem_cache *cache_new(struct mmt_machine *m,
					const char *name, unsigned size,
					unsigned align, bool is_kmalloc)
{
	struct mmt_kmem_cache *s = calloc(1, sizeof(*s));
	unsigned word = mmt_arch_is_64(m->cfg.arch) ? 8 : 4;

	if (!s)
		return NULL;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->object_size = size;
	s->align = align < word ? word : align;
	s->size = (size + s->align - 1) / s->align * s->align;
	mmt_slub_geometry(s->size, m->kalloc->nr_cpus, &s->order, &s->objects);
	s->min_partial = min_partial_for(s->size);
	s->gfp = MMT_GFP_KERNEL | (s->order ? MMT_GFP_COMP : 0);
	s->is_kmalloc = is_kmalloc;
	s->next = m->kalloc->slab_caches;
	m->kalloc->slab_caches = s;
	return s;
}

struct mmt_kmem_cache *mmt_kmem_cache_find(struct mmt_machine *m,
					   const char *name)
{
	for (struct mmt_kmem_cache *s = m->kalloc->slab_caches; s; s = s->next)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

struct mmt_kmem_cache *mmt_kmem_cache_create(struct mmt_machine *m,
					     const char *name, unsigned size,
					     unsigned align, int *error)
{
	struct mmt_kmem_cache *s;

	*error = -EINVAL;
	if (!name || !*name || strlen(name) >= MMT_SLAB_NAME_MAX || !size ||
	    size > MMT_KMALLOC_MAX_SIZE || (align & (align - 1)) ||
	    align > MMT_PAGE_SIZE)
		return NULL;
	*error = -EEXIST;
	if (mmt_kmem_cache_find(m, name))
		return NULL;
	*error = -ENOMEM;
	s = cache_new(m, name, size, align, false);
	if (s)
		*error = 0;
	return s;
}

/* create_kmalloc_caches(): 96 and 192 first, then 8 .. 8k. */
static int create_kmalloc_caches(struct mmt_machine *m)
{
	for (int i = 1; i <= MMT_KMALLOC_SHIFT_HIGH; i++) {
		char name[MMT_SLAB_NAME_MAX];
		unsigned sz = mmt_kmalloc_size(i);

		if (!sz)
			continue;
		if (sz >= 1024)
			snprintf(name, sizeof(name), "kmalloc-%uk", sz >> 10);
		else
			snprintf(name, sizeof(name), "kmalloc-%u", sz);
		m->kalloc->kmalloc_caches[i] = cache_new(m, name, sz, 8, true);
		if (!m->kalloc->kmalloc_caches[i])
			return -ENOMEM;
	}
	return 0;
}

/*
 * The caches of the process model (fork_init, proc_caches_init,
 * vma_state_init), with the object sizes /proc/slabinfo shows on the
 * reference 6.18 host.
 */
static int create_process_caches(struct mmt_machine *m)
{
	static const struct { const char *name; unsigned size; } c[] = {
		{ "task_struct", 5888 },
		{ "mm_struct", 1600 },
		{ "vm_area_struct", 192 },
		{ "anon_vma", 104 },
		{ "anon_vma_chain", 64 },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (!cache_new(m, c[i].name, c[i].size, 64, false))
			return -ENOMEM;
	return 0;
}

/* ------------------------------------------------------------ kmalloc */

/* __kmalloc_large_node(): compound pages straight from the buddy. */
static int kmalloc_large(struct mmt_machine *m, size_t size, unsigned gfp,
			 uint64_t *addr)
{
	unsigned order = get_order(size);
	uint64_t pfn;

	if (mmt_alloc_pages(m, (gfp & ~MMT_GFP_HIGHMEM) | MMT_GFP_COMP, order,
			    &pfn))
		return -ENOMEM;
	if (pfnmap_add(m->kalloc, pfn, NULL, NULL, order)) {
		mmt_free_pages(m, pfn, order);
		return -ENOMEM;
	}
	*addr = direct_va(m, pfn);
	return 0;
}

int mmt_kmalloc(struct mmt_machine *m, size_t size, unsigned gfp,
		uint64_t *addr)
{
	int idx;

	if (size == 0) {
		*addr = MMT_ZERO_SIZE_PTR;
		return 0;
	}
	if (size > MMT_KMALLOC_MAX_SIZE)
		return -EINVAL;
	idx = mmt_kmalloc_index(size);
	if (idx < 0)
		return kmalloc_large(m, size, gfp, addr);
	return mmt_kmem_cache_alloc(m, m->kalloc->kmalloc_caches[idx], gfp,
				    addr);
}

int mmt_kmalloc_lookup(struct mmt_machine *m, uint64_t addr,
		       const struct mmt_kmem_cache **cache, uint64_t *pfn)
{
	struct mmt_pfnmap_ent *e;
	uint64_t pa;

	if (mmt_pa(&m->layout, addr, &pa))
		return -EINVAL;
	e = pfnmap_find(m->kalloc, pa >> MMT_PAGE_SHIFT);
	if (!e)
		return -EINVAL;
	*cache = e->cache;
	*pfn = pa >> MMT_PAGE_SHIFT;
	return 0;
}

int mmt_kmem_obj_info(const struct mmt_machine *m, uint64_t addr,
		      struct mmt_kmem_obj_info *info)
{
	struct mmt_pfnmap_ent *e;
	uint64_t pa, off, idx;

	memset(info, 0, sizeof(*info));
	if (!m->kalloc || mmt_pa(&m->layout, addr, &pa))
		return -ENOENT;
	e = pfnmap_find(m->kalloc, pa >> MMT_PAGE_SHIFT);
	if (!e || !e->slab)
		return -ENOENT;
	off = addr - e->slab->vaddr;
	idx = off / e->cache->size;
	info->cache = e->cache;
	info->slab_pfn = e->slab->pfn;
	if (idx >= e->cache->objects) {
		info->padding = true;
		info->object = e->slab->vaddr + e->cache->objects *
			       (uint64_t)e->cache->size;
		info->offset = addr - info->object;
		return 0;
	}
	info->object = e->slab->vaddr + idx * e->cache->size;
	info->offset = off - idx * e->cache->size;
	info->allocated = e->slab->used[idx];
	return 0;
}

int mmt_kfree(struct mmt_machine *m, uint64_t addr)
{
	struct mmt_pfnmap_ent *e;
	struct mmt_slab *slab;
	unsigned idx;
	uint64_t pa;

	if (addr == MMT_ZERO_SIZE_PTR)
		return 0;
	if (mmt_pa(&m->layout, addr, &pa))
		return -EINVAL;
	e = pfnmap_find(m->kalloc, pa >> MMT_PAGE_SHIFT);
	if (!e)
		return -EINVAL;
	if (e->cache) {
		if (object_of(m, e->cache, addr, &slab, &idx))
			return -EINVAL;
		slab_free(m, e->cache, slab, idx);
		return 0;
	}
	if (addr & (MMT_PAGE_SIZE - 1))
		return -EINVAL;
	/* free_large_kmalloc() */
	idx = e->order;
	pfnmap_del(m->kalloc, pa >> MMT_PAGE_SHIFT);
	mmt_free_pages(m, pa >> MMT_PAGE_SHIFT, idx);
	return 0;
}

/* ------------------------------------------------------- boot, checker */

int mmt_slab_init(struct mmt_machine *m, char *err, size_t len)
{
	struct mmt_kalloc *ka = m->kalloc;

	ka->nr_cpus = m->cfg.online_cpus;
	ka->pfnmap_buckets = PFNMAP_BUCKETS;
	ka->pfnmap = calloc(PFNMAP_BUCKETS, sizeof(*ka->pfnmap));
	if (!ka->pfnmap || create_kmalloc_caches(m) ||
	    create_process_caches(m)) {
		snprintf(err, len, "slab: out of host memory");
		return -1;
	}
	return 0;
}

void mmt_slab_exit(struct mmt_machine *m)
{
	struct mmt_kalloc *ka = m->kalloc;

	while (ka->slab_caches) {
		struct mmt_kmem_cache *s = ka->slab_caches;

		ka->slab_caches = s->next;
		while (s->slabs) {
			struct mmt_slab *slab = s->slabs;

			s->slabs = slab->next;
			free_slab_struct(slab);
		}
		free(s);
	}
	for (unsigned b = 0; ka->pfnmap && b < ka->pfnmap_buckets; b++)
		while (ka->pfnmap[b]) {
			struct mmt_pfnmap_ent *e = ka->pfnmap[b];

			ka->pfnmap[b] = e->next;
			free(e);
		}
	free(ka->pfnmap);
	ka->pfnmap = NULL;
}

/* One slab: freelist chain, counters, page ownership. */
static int check_slab(struct mmt_machine *m, const struct mmt_kmem_cache *s,
		      const struct mmt_slab *slab, char *err, size_t len)
{
	unsigned nfree = 0, used = 0;

	for (int i = slab->freelist; i >= 0; i = slab->next_free[i]) {
		if ((unsigned)i >= s->objects || slab->used[i] ||
		    ++nfree > s->objects) {
			snprintf(err, len, "%s: slab pfn %#llx: bad freelist",
				 s->name, (unsigned long long)slab->pfn);
			return -1;
		}
	}
	for (unsigned i = 0; i < s->objects; i++)
		used += slab->used[i];
	if (used != slab->inuse || used + nfree != s->objects) {
		snprintf(err, len, "%s: slab pfn %#llx: inuse %u, used %u, "
			 "free %u of %u", s->name,
			 (unsigned long long)slab->pfn, slab->inuse, used,
			 nfree, s->objects);
		return -1;
	}
	if (slab->pfn >= m->layout.max_low_pfn ||
	    slab->vaddr != direct_va(m, slab->pfn)) {
		snprintf(err, len, "%s: slab pfn %#llx not in lowmem",
			 s->name, (unsigned long long)slab->pfn);
		return -1;
	}
	for (unsigned i = 0; i < 1u << s->order; i++) {
		struct mmt_pfnmap_ent *e = pfnmap_find(m->kalloc, slab->pfn + i);

		if (!e || e->slab != slab || e->cache != s) {
			snprintf(err, len, "%s: page %#llx of a slab not "
				 "recorded", s->name,
				 (unsigned long long)(slab->pfn + i));
			return -1;
		}
	}
	return 0;
}

/* The partial list: exactly the slabs with a free object, newest first. */
static int check_partial(const struct mmt_kmem_cache *s, char *err,
			 size_t len)
{
	unsigned long n = 0, want = 0;
	const struct mmt_slab *prev = NULL;

	for (const struct mmt_slab *p = s->partial; p; prev = p, p = p->pnext) {
		if (!p->on_partial || p->freelist < 0 || p->pprev != prev ||
		    (prev && prev->seq <= p->seq)) {
			snprintf(err, len, "%s: partial list broken at the slab "
				 "at pfn %#llx", s->name,
				 (unsigned long long)p->pfn);
			return -1;
		}
		n++;
	}
	for (const struct mmt_slab *p = s->slabs; p; p = p->next)
		want += p->freelist >= 0;
	if (n != want || n != s->nr_partial) {
		snprintf(err, len, "%s: %lu slabs on the partial list, %lu "
			 "counted, %lu with a free object", s->name, n,
			 s->nr_partial, want);
		return -1;
	}
	return 0;
}

int mmt_slab_check(struct mmt_machine *m, char *err, size_t len)
{
	for (const struct mmt_kmem_cache *s = m->kalloc->slab_caches; s;
	     s = s->next) {
		unsigned long nslabs = 0, active = 0;

		if (s->objects == 0 || s->size < s->object_size ||
		    s->objects * s->size > (MMT_PAGE_SIZE << s->order)) {
			snprintf(err, len, "%s: bad geometry", s->name);
			return -1;
		}
		for (const struct mmt_slab *slab = s->slabs; slab;
		     slab = slab->next) {
			if (check_slab(m, s, slab, err, len))
				return -1;
			nslabs++;
			active += slab->inuse;
		}
		if (check_partial(s, err, len))
			return -1;
		if (nslabs != s->nr_slabs || active != s->active_objs) {
			snprintf(err, len, "%s: counters %lu/%lu, found %lu/%lu",
				 s->name, s->nr_slabs, s->active_objs, nslabs,
				 active);
			return -1;
		}
	}
	return 0;
}
