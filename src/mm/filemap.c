// SPDX-License-Identifier: MIT
/*
 * mm/filemap.c - the page cache, as far as faults need it: one
 * struct mmt_mapping (address_space) per inode, holding the frames of
 * the file's pages by index, shared by every VMA that maps the inode.
 *
 *   mmt_file (an open file) ──► mmt_mapping (dev, ino) ──► index -> pfn
 *   mmt_file (another open)  ─┘    refs = open files pointing here
 *
 * A page-cache page holds one reference for the cache and one more per
 * PTE mapping it (mapcount counts the PTEs).  A miss reads in the
 * faulting page and the read-around window of do_sync_mmap_readahead
 * (ra_pages centred on it, clipped to the file's end; VM_RAND_READ reads
 * only the page, VM_SEQ_READ ra_pages from it); there is no I/O, so
 * nothing is ever a major fault.  Contents stay lazy: a cached page has
 * no host bytes until someone writes them.
 *
 * Simplification: the kernel keeps clean cache pages until reclaim; the
 * model drops an inode's cache when its last open file goes, so a
 * machine returns to its starting state when its processes exit.
 */
#include "mm/memory.h"
#include "base/bug.h"

#include <stdlib.h>
#include <string.h>

#define PAGE MMT_PAGE_SIZE

struct mmt_mapping {
	struct mmt_machine *m;
	unsigned major, minor;
	uint64_t ino;
	bool shmem;
	unsigned refs;			/* mmt_file objects pointing here */
	uint64_t nrpages;
	uint64_t *keys, *pfns;		/* open addressing: key = index + 1 */
	size_t cap;			/* power of 2, or 0 */
	struct mmt_mapping *next;	/* the machine's list */
};

static size_t slot_of(const struct mmt_mapping *a, uint64_t index)
{
	uint64_t h = (index + 1) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 20) & (a->cap - 1);
}

uint64_t filemap_lookup(const struct mmt_mapping *a, uint64_t index)
{
	if (!a || !a->cap)
		return MMT_PFN_NONE;
	for (size_t i = slot_of(a, index);; i = (i + 1) & (a->cap - 1)) {
		if (a->keys[i] == index + 1)
			return a->pfns[i];
		if (!a->keys[i])
			return MMT_PFN_NONE;
	}
}

static void slot_put(struct mmt_mapping *a, uint64_t index, uint64_t pfn)
{
	size_t i = slot_of(a, index);

	while (a->keys[i])
		i = (i + 1) & (a->cap - 1);
	a->keys[i] = index + 1;
	a->pfns[i] = pfn;
}

/* Keep the table at most half full. */
static int mapping_grow(struct mmt_mapping *a)
{
	size_t old = a->cap, ncap = old ? old * 2 : 64;
	uint64_t *ok = a->keys, *op = a->pfns;

	if (2 * (a->nrpages + 1) <= old)
		return 0;
	a->keys = calloc(ncap, sizeof(*a->keys));
	a->pfns = malloc(ncap * sizeof(*a->pfns));
	if (!a->keys || !a->pfns) {
		free(a->keys);
		free(a->pfns);
		a->keys = ok;
		a->pfns = op;
		return -ENOMEM;
	}
	a->cap = ncap;
	for (size_t i = 0; i < old; i++)
		if (ok[i])
			slot_put(a, ok[i] - 1, op[i]);
	free(ok);
	free(op);
	return 0;
}

/* The inode's mapping, found or created; the file holds one ref. */
struct mmt_mapping *file_mapping(struct mmt_machine *m, struct mmt_file *f)
{
	struct mmt_tasks *ts = m->tasks;
	struct mmt_mapping *a;

	if (f->mapping)
		return f->mapping;
	/* a shmem object is its own inode (never opened again by path);
	 * a regular file's cache is shared by every open of the inode */
	for (a = f->shmem ? NULL : ts->mappings; a; a = a->next)
		if (!a->shmem && a->ino == f->ino && a->major == f->major &&
		    a->minor == f->minor)
			break;
	if (!a) {
		a = calloc(1, sizeof(*a));
		if (!a)
			return NULL;
		a->m = m;
		a->major = f->major;
		a->minor = f->minor;
		a->ino = f->ino;
		a->shmem = f->shmem;
		a->next = ts->mappings;
		ts->mappings = a;
	}
	a->refs++;
	f->mapping = a;
	return a;
}

bool mapping_is_shmem(const struct mmt_mapping *a)
{
	return a->shmem;
}

uint64_t mapping_nrpages(const struct mmt_mapping *a)
{
	return a ? a->nrpages : 0;
}

/* A new cache page at @index: GFP_HIGHUSER_MOVABLE, one cache ref. */
static int add_to_page_cache(struct mmt_mapping *a, uint64_t index,
			     uint64_t *pfn)
{
	struct mmt_machine *m = a->m;
	struct mmt_page *pg;

	if (mapping_grow(a))
		return -ENOMEM;
	if (user_page_alloc(m, 0, pfn))
		return -ENOMEM;
	pg = mmt_pfn_to_page(m, *pfn, false);
	pg->refcount = 1;
	pg->mapcount = 0;
	pg->flags |= MMT_PG_CACHE | (a->shmem ? MMT_PG_SWAPBACKED : 0);
	pg->lru_next = index;	/* page->index */
	slot_put(a, index, *pfn);
	a->nrpages++;
	m->tasks->vmstat[MMT_NR_FILE_PAGES]++;
	if (a->shmem)
		m->tasks->vmstat[MMT_NR_SHMEM]++;
	return 0;
}

/* Pages of the file (DIV_ROUND_UP(i_size, PAGE_SIZE)). */
static uint64_t file_pages(const struct mmt_file *f)
{
	return (f->size + PAGE - 1) / PAGE;
}

/*
 * filemap_fault()'s lookup: the page at @index, read in with its
 * read-around window on a miss (shmem: just the page, shmem_fault).
 * 0 and *pfn; -EFAULT at or past the end of the file (SIGBUS);
 * -ENOMEM.
 */
int filemap_get_page(struct mmt_machine *m, struct mmt_file *f,
		     uint64_t index, uint64_t vm_flags, uint64_t *pfn)
{
	struct mmt_mapping *a = file_mapping(m, f);
	uint64_t n = file_pages(f), ra = m->tasks->sysctl.ra_pages;
	uint64_t start = index, end = index + 1, p;

	if (!a)
		return -ENOMEM;
	if (index >= n)
		return -EFAULT;
	*pfn = filemap_lookup(a, index);
	if (*pfn != MMT_PFN_NONE)
		return 0;
	if (!a->shmem && !(vm_flags & MMT_VM_RAND_READ) && ra) {
		if (vm_flags & MMT_VM_SEQ_READ) {
			end = index + ra;
		} else {
			start = index > ra / 2 ? index - ra / 2 : 0;
			end = start + ra;
		}
		if (end > n)
			end = n;
	}
	for (uint64_t i = start; i < end; i++) {
		if (filemap_lookup(a, i) != MMT_PFN_NONE)
			continue;
		if (add_to_page_cache(a, i, &p))
			return i == index ? -ENOMEM : 0;
		if (i == index)
			*pfn = p;
	}
	return 0;
}

int filemap_find_or_add(struct mmt_machine *m, struct mmt_file *f,
			uint64_t index, uint64_t *pfn)
{
	struct mmt_mapping *a = file_mapping(m, f);

	if (!a)
		return -ENOMEM;
	*pfn = filemap_lookup(a, index);
	return *pfn != MMT_PFN_NONE ? 0 : add_to_page_cache(a, index, pfn);
}

/* Free every cache page (truncate_inode_pages_final); none is mapped. */
static void mapping_free_pages(struct mmt_mapping *a)
{
	for (size_t i = 0; i < a->cap; i++) {
		struct mmt_page *pg;

		if (!a->keys[i])
			continue;
		pg = mmt_pfn_to_page(a->m, a->pfns[i], false);
		if (pg->mapcount || pg->refcount != 1)
			MMT_BUG("cache page %#llx still mapped (%d maps, %d refs)",
				(unsigned long long)a->pfns[i], pg->mapcount,
				pg->refcount);
		user_page_free(a->m, a->pfns[i]);
	}
	free(a->keys);
	free(a->pfns);
	a->keys = a->pfns = NULL;
	a->cap = 0;
	a->nrpages = 0;
}

void mapping_put(struct mmt_mapping *a)
{
	struct mmt_mapping **pp;

	MMT_BUG_ON(!a->refs);
	if (--a->refs)
		return;
	mapping_free_pages(a);
	/* a SysV segment can outlive the task list (shm_exit_ns runs after
	 * the tasks are gone at machine teardown) */
	if (a->m->tasks) {
		for (pp = &a->m->tasks->mappings; *pp != a; pp = &(*pp)->next)
			;
		*pp = a->next;
	}
	free(a);
}

/* Calls @fn for each cached page (the checker). */
void mapping_for_each_page(const struct mmt_mapping *a,
			   void (*fn)(uint64_t index, uint64_t pfn, void *priv),
			   void *priv)
{
	for (size_t i = 0; i < a->cap; i++)
		if (a->keys[i])
			fn(a->keys[i] - 1, a->pfns[i], priv);
}

void mm_for_each_cache_page(struct mmt_machine *m,
			    void (*fn)(uint64_t index, uint64_t pfn, void *priv),
			    void *priv)
{
	for (struct mmt_mapping *a = m->tasks->mappings; a; a = a->next)
		mapping_for_each_page(a, fn, priv);
}
