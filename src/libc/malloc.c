// SPDX-License-Identifier: MIT
/*
 * glibc 2.36's malloc (malloc/malloc.c, malloc/arena.c) as the modelled
 * kernel sees it: which brk/mmap/munmap/mprotect/mremap/madvise calls a
 * sequence of malloc/free/realloc/calloc makes, and which addresses it
 * returns.  Written from the policy, not from the code: the chunks are
 * records (address, size, state) in one address-sorted array, the bins
 * are lists of addresses kept in glibc's orders, so that reuse - which
 * decides whether a call reaches the kernel at all - matches.
 *
 *   __libc_malloc ─ tcache hit? ─► _int_malloc: fastbin, smallbin, the
 *       unsorted scan (last remainder, exact fits stashed in the tcache,
 *       binning), the large bin's best fit, the binmap, the top chunk,
 *       malloc_consolidate, sysmalloc
 *   sysmalloc ─ nb >= mmap_threshold: mmap(size + SIZE_SZ, pages)
 *             ─ main arena: sbrk(nb + top_pad + MINSIZE - top), the first
 *               time brk(NULL) too; brk fails: a >= 1 MiB mmap, the arena
 *               becomes non-contiguous; fenceposts end the old top
 *             ─ thread arena: grow_heap (mprotect), else new_heap
 *   __libc_free ─ mmapped: raise mmap_threshold to its size (<= MAX),
 *       munmap ─ else _int_free: tcache, fastbin, or merge and bin; a
 *       merged chunk >= 64 KiB consolidates and trims (systrim: brk down
 *       to top_pad; heap_trim for thread heaps)
 *
 * The process's state hangs off its task (t->user); nothing is global.
 * Simplifications are listed in include/mmtwin/malloc.h.
 */
#include <mmtwin/machine.h>
#include <mmtwin/malloc.h>
#include <mmtwin/mm.h>
#include <mmtwin/syscall.h>

#include "base/bug.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define TCACHE_MAX_BINS		64
#define TCACHE_FILL_COUNT	7
#define NBINS			128
#define NFASTBINS_MAX		11
#define MALLOC_ALIGNMENT	16ULL
#define MALLOC_ALIGN_MASK	(MALLOC_ALIGNMENT - 1)
#define FASTBIN_CONSOLIDATION_THRESHOLD	65536ULL
#define MMAP_AS_MORECORE_SIZE	(1024ULL * 1024)
#define HEAP_MIN_SIZE		(32ULL * 1024)
#define PAGE			4096ULL
#define MAX_THREADS		1024
#define MAX_ARENAS		256

#define PROT_RW			3ULL
#define MAP_PRIVATE_ANON	0x22ULL
#define MAP_FIXED_		0x10ULL
#define MAP_NORESERVE_		0x4000ULL
#define MREMAP_MAYMOVE_		1ULL
#define MADV_DONTNEED_		4ULL

#define ALIGN_UP(x, a)		(((x) + (a) - 1) & ~((a) - 1))
#define ALIGN_DOWN(x, a)	((x) & ~((a) - 1))

enum chunk_state {
	CH_INUSE,	/* handed out */
	CH_TCACHE,	/* in a thread's tcache (inuse for its neighbours) */
	CH_FAST,	/* in a fastbin (inuse for its neighbours) */
	CH_FREE,	/* in the unsorted, a small or a large bin */
	CH_FENCE,	/* a fencepost: never freed */
	CH_FENCE_TIGHT,	/* a fencepost whose PREV_INUSE bit was forced */
};

struct mchunk {
	uint64_t addr, size;	/* chunk address, chunksize() */
	uint8_t state;
	uint8_t arena;
};

/* A list of chunk addresses: v[0] is the bin's fd end, v[n-1] its bk. */
struct mlist {
	uint64_t *v;
	size_t n, cap;
};

struct heap {		/* heap_info of a thread arena */
	uint64_t addr, size, mprotect_size;
	int prev;	/* index in ms->heaps, -1: none */
	int arena;
	bool live;
};

struct arena {
	unsigned id;			/* index in ms->arenas (0: main) */
	uint64_t top, top_size;		/* top == 0: not set up (main) */
	uint64_t last_remainder;
	uint64_t system_mem;
	bool have_fastchunks;
	bool contiguous;
	int heap;			/* thread arenas: the newest heap */
	unsigned next;			/* the arena list (main first) */
	struct mlist fast[NFASTBINS_MAX];
	struct mlist unsorted;
	struct mlist bins[NBINS];
};

struct mthread {
	bool tcache_done;		/* tcache_init ran (NULL if it failed) */
	uint64_t tcache;		/* the tcache_perthread_struct, 0: none */
	int arena;			/* thread_arena, -1: none */
	struct mlist tc[TCACHE_MAX_BINS];
};

struct mmapped {
	uint64_t p, offset, size;	/* chunk, prev_size, chunksize */
};

struct mmt_malloc_state {
	struct mmt_task *t;
	/* the ABI's constants */
	uint64_t size_sz, minsize, hdr, min_large, max_fast;
	uint64_t mmap_threshold_max, heap_max;
	uint64_t sizeof_heap_info, sizeof_malloc_state, sizeof_tcache;
	unsigned arena_test_default;
	/* mp_ */
	uint64_t top_pad, mmap_threshold, trim_threshold;
	int n_mmaps, n_mmaps_max, no_dyn_threshold;
	uint64_t arena_test, arena_max, narenas_limit;
	uint64_t sbrk_base;
	bool initialized;
	/* __curbrk */
	uint64_t curbrk;
	bool curbrk_known;
	/* arenas, heaps, threads */
	struct arena *arenas[MAX_ARENAS];
	unsigned narenas;
	unsigned next_to_use;
	uint64_t aligned_heap_area;
	struct heap *heaps;
	unsigned nheaps;
	struct mthread *threads[MAX_THREADS];
	unsigned cur;			/* the calling thread */
	bool multi;			/* !SINGLE_THREAD_P */
	int may_shrink_heap;		/* -1: not read yet */
	/* the chunks of every arena, by address */
	struct mchunk *ch;
	size_t nch, capch;
	struct mmapped *mm;
	size_t nmm, capmm;
	/* what the current entry point issued */
	struct mmt_malloc_call *calls;
	size_t ncalls, capcalls;
	char abort_msg[96];
	bool aborted;
	bool oom;			/* the host ran out of memory */
};

/* ------------------------------------------------------------- plumbing */

static bool list_grow(struct mmt_malloc_state *ms, struct mlist *l)
{
	uint64_t *v;
	size_t cap;

	if (l->n < l->cap)
		return true;
	cap = l->cap ? l->cap * 2 : 8;
	v = realloc(l->v, cap * sizeof(*v));
	if (!v) {
		ms->oom = true;
		return false;
	}
	l->v = v;
	l->cap = cap;
	return true;
}

static void list_insert(struct mmt_malloc_state *ms, struct mlist *l,
			size_t i, uint64_t a)
{
	if (!list_grow(ms, l))
		return;
	memmove(l->v + i + 1, l->v + i, (l->n - i) * sizeof(*l->v));
	l->v[i] = a;
	l->n++;
}

static void list_push_head(struct mmt_malloc_state *ms, struct mlist *l,
			   uint64_t a)
{
	list_insert(ms, l, 0, a);
}

static uint64_t list_take(struct mlist *l, size_t i)
{
	uint64_t a = l->v[i];

	memmove(l->v + i, l->v + i + 1, (l->n - i - 1) * sizeof(*l->v));
	l->n--;
	return a;
}

static bool list_remove(struct mlist *l, uint64_t a)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == a) {
			list_take(l, i);
			return true;
		}
	return false;
}

static void list_free(struct mlist *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Index of the first chunk record with addr >= @a. */
static size_t ch_lower(const struct mmt_malloc_state *ms, uint64_t a)
{
	size_t lo = 0, hi = ms->nch;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ms->ch[mid].addr < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct mchunk *ch_find(struct mmt_malloc_state *ms, uint64_t a)
{
	size_t i = ch_lower(ms, a);

	return i < ms->nch && ms->ch[i].addr == a ? &ms->ch[i] : NULL;
}

static struct mchunk *ch_add(struct mmt_malloc_state *ms, uint64_t a,
			     uint64_t size, int state, int arena)
{
	size_t i = ch_lower(ms, a);

	if (i < ms->nch && ms->ch[i].addr == a)
		MMT_BUG("chunk %#llx recorded twice", (unsigned long long)a);
	if (ms->nch == ms->capch) {
		size_t cap = ms->capch ? ms->capch * 2 : 64;
		struct mchunk *c = realloc(ms->ch, cap * sizeof(*c));

		if (!c) {
			ms->oom = true;
			return NULL;
		}
		ms->ch = c;
		ms->capch = cap;
	}
	memmove(ms->ch + i + 1, ms->ch + i, (ms->nch - i) * sizeof(*ms->ch));
	ms->ch[i] = (struct mchunk){ a, size, (uint8_t)state, (uint8_t)arena };
	ms->nch++;
	return &ms->ch[i];
}

static void ch_del(struct mmt_malloc_state *ms, uint64_t a)
{
	size_t i = ch_lower(ms, a);

	if (i >= ms->nch || ms->ch[i].addr != a)
		MMT_BUG("no chunk at %#llx", (unsigned long long)a);
	memmove(ms->ch + i, ms->ch + i + 1, (ms->nch - i - 1) * sizeof(*ms->ch));
	ms->nch--;
}

/* The chunk ending right at @a, or NULL. */
static struct mchunk *ch_before(struct mmt_malloc_state *ms, uint64_t a)
{
	size_t i = ch_lower(ms, a);

	if (i == 0 || ms->ch[i - 1].addr + ms->ch[i - 1].size != a)
		return NULL;
	return &ms->ch[i - 1];
}

/*
 * Issue one system call of the task's ABI through the syscall table (the
 * handlers syscall lines use), record it, return the model's result.
 */
static int64_t sys(struct mmt_malloc_state *ms, const char *name,
		   unsigned nargs, uint64_t a0, uint64_t a1, uint64_t a2,
		   uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct mmt_task *t = ms->t;
	enum mmt_abi abi = mmt_task_sys_abi(t->abi);
	struct mmt_sys_ctx ctx = { .m = t->m, .task = t, .abi = abi };
	const struct mmt_syscall *e;
	struct mmt_sys_call c;
	uint64_t a[6] = { a0, a1, a2, a3, a4, a5 };
	int64_t r;

	if (abi == MMT_ABI_I386 && !strcmp(name, "mmap"))
		name = "mmap2";		/* glibc's i386 mmap: offset in pages */
	e = mmt_sys_by_name(abi, name);
	if (!e)
		MMT_BUG("no syscall %s", name);
	mmt_sys_call_init(&c, abi, e);
	c.nargs = nargs;
	for (unsigned i = 0; i < 6; i++)
		c.args[i] = abi == MMT_ABI_I386 ? (uint32_t)a[i] : a[i];
	r = mmt_sys_dispatch(&ctx, &c);
	if (ms->ncalls == ms->capcalls) {
		size_t cap = ms->capcalls ? ms->capcalls * 2 : 8;
		struct mmt_malloc_call *n = realloc(ms->calls, cap * sizeof(*n));

		if (!n) {
			ms->oom = true;
			return r;
		}
		ms->calls = n;
		ms->capcalls = cap;
	}
	ms->calls[ms->ncalls].nr = c.nr;
	ms->calls[ms->ncalls].nargs = nargs;
	memcpy(ms->calls[ms->ncalls].args, c.args, sizeof(ms->calls->args));
	ms->calls[ms->ncalls].ret = r;
	ms->ncalls++;
	return r;
}

static bool is_err(int64_t r)
{
	return r < 0 && r >= -4095;
}

/* MMAP(addr, size, prot, flags): anonymous private; 0 = MAP_FAILED. */
static uint64_t do_mmap(struct mmt_malloc_state *ms, uint64_t addr,
			uint64_t size, uint64_t prot, uint64_t flags)
{
	int64_t r = sys(ms, "mmap", 6, addr, size, prot,
			flags | MAP_PRIVATE_ANON, (uint64_t)-1, 0);

	return is_err(r) ? 0 : (uint64_t)r;
}

static void do_munmap(struct mmt_malloc_state *ms, uint64_t a, uint64_t len)
{
	sys(ms, "munmap", 2, a, len, 0, 0, 0, 0);
}

/* __brk(): the kernel's answer becomes __curbrk; fails when below @v. */
static int libc_brk(struct mmt_malloc_state *ms, uint64_t v)
{
	int64_t r = sys(ms, "brk", 1, v, 0, 0, 0, 0, 0);

	ms->curbrk = (uint64_t)r;
	ms->curbrk_known = true;
	return ms->curbrk < v ? -1 : 0;
}

/* __sbrk(): the old break, or UINT64_MAX (MORECORE_FAILURE). */
static uint64_t morecore(struct mmt_malloc_state *ms, int64_t incr)
{
	uint64_t old, lim = ms->size_sz == 4 ? UINT32_MAX : UINT64_MAX;

	if (!ms->curbrk_known && libc_brk(ms, 0))
		return UINT64_MAX;
	if (incr == 0)
		return ms->curbrk;
	old = ms->curbrk;
	if (incr < 0 ? old < (uint64_t)-incr : lim - old < (uint64_t)incr)
		return UINT64_MAX;
	if (libc_brk(ms, old + (uint64_t)incr))
		return UINT64_MAX;
	return old;
}

static void abort_with(struct mmt_malloc_state *ms, const char *msg)
{
	if (!ms->aborted)
		snprintf(ms->abort_msg, sizeof(ms->abort_msg), "%s", msg);
	ms->aborted = true;
}

/* -------------------------------------------------------- sizes, bins */

static uint64_t request2size(const struct mmt_malloc_state *ms, uint64_t req)
{
	uint64_t s = req + ms->size_sz + MALLOC_ALIGN_MASK;

	return s < ms->minsize ? ms->minsize : s & ~MALLOC_ALIGN_MASK;
}

/* checked_request2size: 0 when @req exceeds PTRDIFF_MAX. */
static uint64_t checked_request2size(const struct mmt_malloc_state *ms,
				     uint64_t req)
{
	uint64_t max = ms->size_sz == 4 ? INT32_MAX : INT64_MAX;

	return req > max ? 0 : request2size(ms, req);
}

static size_t csize2tidx(const struct mmt_malloc_state *ms, uint64_t sz)
{
	return (size_t)((sz - ms->minsize + MALLOC_ALIGNMENT - 1) /
			MALLOC_ALIGNMENT);
}

static unsigned fastbin_index(const struct mmt_malloc_state *ms, uint64_t sz)
{
	return (unsigned)(sz >> (ms->size_sz == 8 ? 4 : 3)) - 2;
}

static bool in_smallbin_range(const struct mmt_malloc_state *ms, uint64_t sz)
{
	return sz < ms->min_large;
}

static unsigned smallbin_index(const struct mmt_malloc_state *ms, uint64_t sz)
{
	return (unsigned)(sz >> 4) + (ms->size_sz == 4 ? 1 : 0);
}

static unsigned largebin_index(const struct mmt_malloc_state *ms, uint64_t sz)
{
	if (ms->size_sz == 8 ? (sz >> 6) <= 48 : (sz >> 6) <= 45)
		return (unsigned)(sz >> 6) + (ms->size_sz == 8 ? 48 : 49);
	if ((sz >> 9) <= 20)
		return 91 + (unsigned)(sz >> 9);
	if ((sz >> 12) <= 10)
		return 110 + (unsigned)(sz >> 12);
	if ((sz >> 15) <= 4)
		return 119 + (unsigned)(sz >> 15);
	if ((sz >> 18) <= 2)
		return 124 + (unsigned)(sz >> 18);
	return 126;
}

static unsigned bin_index(const struct mmt_malloc_state *ms, uint64_t sz)
{
	return in_smallbin_range(ms, sz) ? smallbin_index(ms, sz)
					 : largebin_index(ms, sz);
}

static uint64_t csize(struct mmt_malloc_state *ms, uint64_t a)
{
	struct mchunk *c = ch_find(ms, a);

	if (!c)
		MMT_BUG("no chunk at %#llx", (unsigned long long)a);
	return c->size;
}

/* Put a free chunk into its small or large bin in glibc's order. */
static void bin_insert(struct mmt_malloc_state *ms, struct arena *av,
		       uint64_t a, uint64_t size)
{
	struct mlist *b = &av->bins[bin_index(ms, size)];
	size_t i;

	if (in_smallbin_range(ms, size)) {
		list_push_head(ms, b, a);
		return;
	}
	/* large: sizes descending; an equal size goes second in its run */
	for (i = 0; i < b->n; i++) {
		uint64_t s = csize(ms, b->v[i]);

		if (s == size) {
			i++;
			break;
		}
		if (s < size)
			break;
	}
	list_insert(ms, b, i, a);
}

/* unlink_chunk(): take a CH_FREE chunk out of whichever bin holds it. */
static void unlink_chunk(struct mmt_malloc_state *ms, struct arena *av,
			 struct mchunk *c)
{
	if (!list_remove(&av->unsorted, c->addr) &&
	    !list_remove(&av->bins[bin_index(ms, c->size)], c->addr))
		MMT_BUG("free chunk %#llx in no bin",
			(unsigned long long)c->addr);
}

static struct arena *arena_of(struct mmt_malloc_state *ms, unsigned i)
{
	return ms->arenas[i];
}

static unsigned arena_idx(struct mmt_malloc_state *ms, struct arena *av)
{
	(void)ms;
	return av->id;
}

/* ----------------------------------------------------------- tcache */

static struct mthread *thread_cur(struct mmt_malloc_state *ms)
{
	return ms->threads[ms->cur];
}

static void tcache_put(struct mmt_malloc_state *ms, struct mthread *th,
		       struct mchunk *c, size_t idx)
{
	c->state = CH_TCACHE;
	list_push_head(ms, &th->tc[idx], c->addr);
}

static uint64_t tcache_get(struct mmt_malloc_state *ms, struct mthread *th,
			   size_t idx)
{
	uint64_t a = list_take(&th->tc[idx], 0);

	ch_find(ms, a)->state = CH_INUSE;
	return a;
}

static bool tcache_room(const struct mthread *th, size_t idx)
{
	return th && th->tcache && idx < TCACHE_MAX_BINS &&
	       th->tc[idx].n < TCACHE_FILL_COUNT;
}

/* ------------------------------------------------------------- consolidation */

static void set_top(struct arena *av, uint64_t a, uint64_t size)
{
	av->top = a;
	av->top_size = size;
}

/*
 * Merge the chunk @a (@size) with free neighbours and put it at the head
 * of the unsorted bin, or into top; the merged size.  The chunk's record
 * must exist (any state); it ends up CH_FREE or gone into top.
 */
static uint64_t merge_and_place(struct mmt_malloc_state *ms,
				struct arena *av, uint64_t a)
{
	struct mchunk *c = ch_find(ms, a), *prev, *next;
	uint64_t size = c->size, p = a;
	int ar = c->arena;

	prev = ch_before(ms, a);
	if (prev && prev->state == CH_FREE) {
		unlink_chunk(ms, av, prev);
		p = prev->addr;
		size += prev->size;
		ch_del(ms, a);
		c = ch_find(ms, p);
	}
	if (p + size == av->top) {
		uint64_t ts = av->top_size;

		ch_del(ms, p);
		set_top(av, p, size + ts);
		return size + ts;
	}
	next = ch_find(ms, p + size);
	if (!next)
		MMT_BUG("chunk %#llx has no successor", (unsigned long long)p);
	if (next->state == CH_FREE) {
		uint64_t ns = next->size;

		unlink_chunk(ms, av, next);
		ch_del(ms, next->addr);
		size += ns;
	}
	c = ch_find(ms, p);
	c->size = size;
	c->state = CH_FREE;
	c->arena = (uint8_t)ar;
	list_push_head(ms, &av->unsorted, p);
	return size;
}

static void malloc_consolidate(struct mmt_malloc_state *ms, struct arena *av)
{
	av->have_fastchunks = false;
	for (unsigned i = 0; i < NFASTBINS_MAX; i++) {
		struct mlist *fb = &av->fast[i];

		while (fb->n) {
			uint64_t a = list_take(fb, 0);

			merge_and_place(ms, av, a);
		}
	}
}

/* ------------------------------------------------------------ sysmalloc */

static uint64_t chunk2mem(const struct mmt_malloc_state *ms, uint64_t p)
{
	return p + 2 * ms->size_sz;
}

/* Split @nb off the top chunk; the chunk address. */
static uint64_t split_top(struct mmt_malloc_state *ms, struct arena *av,
			  uint64_t nb)
{
	uint64_t p = av->top;

	if (!ch_add(ms, p, nb, CH_INUSE, (int)arena_idx(ms, av)))
		return 0;
	set_top(av, p + nb, av->top_size - nb);
	return p;
}

/* sysmalloc_mmap(): a chunk of its own; 0 when mmap failed. */
static uint64_t sysmalloc_mmap(struct mmt_malloc_state *ms, uint64_t nb)
{
	uint64_t size, mm, corr = 0, p;

	if (ms->hdr == MALLOC_ALIGNMENT)
		size = ALIGN_UP(nb + ms->size_sz, PAGE);
	else
		size = ALIGN_UP(nb + ms->size_sz + MALLOC_ALIGN_MASK, PAGE);
	if (size <= nb)
		return 0;
	mm = do_mmap(ms, 0, size, PROT_RW, 0);
	if (!mm)
		return 0;
	if (ms->hdr != MALLOC_ALIGNMENT) {
		uint64_t mis = chunk2mem(ms, mm) & MALLOC_ALIGN_MASK;

		if (mis)
			corr = MALLOC_ALIGNMENT - mis;
	}
	p = mm + corr;
	if (ms->nmm == ms->capmm) {
		size_t cap = ms->capmm ? ms->capmm * 2 : 16;
		struct mmapped *n = realloc(ms->mm, cap * sizeof(*n));

		if (!n) {
			ms->oom = true;
			return 0;
		}
		ms->mm = n;
		ms->capmm = cap;
	}
	ms->mm[ms->nmm++] = (struct mmapped){ p, corr, size - corr };
	ms->n_mmaps++;
	return p;
}

static struct mmapped *mmapped_find(struct mmt_malloc_state *ms, uint64_t p)
{
	for (size_t i = 0; i < ms->nmm; i++)
		if (ms->mm[i].p == p)
			return &ms->mm[i];
	return NULL;
}

static void mmapped_del(struct mmt_malloc_state *ms, struct mmapped *c)
{
	*c = ms->mm[--ms->nmm];
}

static void int_free(struct mmt_malloc_state *ms, struct arena *av,
		     uint64_t p);

/* The main arena's old top, ended by two fenceposts, freed if it can be. */
static void fence_old_top(struct mmt_malloc_state *ms, struct arena *av,
			  uint64_t old_top, uint64_t old_size)
{
	uint64_t os = (old_size - 2 * ms->hdr) & ~MALLOC_ALIGN_MASK;

	if (old_size < 2 * ms->hdr)
		os = 0;
	if (os >= ms->minsize) {
		ch_add(ms, old_top + os, old_size - os, CH_FENCE, 0);
		ch_add(ms, old_top, os, CH_INUSE, 0);
		int_free(ms, av, old_top);
	} else {
		ch_add(ms, old_top, old_size, CH_FENCE, 0);
	}
}

/* --- thread heaps (arena.c) --- */

static bool may_shrink_heap(struct mmt_malloc_state *ms)
{
	if (ms->may_shrink_heap < 0)
		ms->may_shrink_heap =
			mmt_vm_sysctl(ms->t->m)->overcommit_memory == 2;
	return ms->may_shrink_heap;
}

/* new_heap(): a heap_max-aligned reservation, its first @size + top_pad
 * bytes made read-write; index in ms->heaps or -1. */
static int new_heap(struct mmt_malloc_state *ms, uint64_t size,
		    uint64_t top_pad)
{
	uint64_t max = ms->heap_max, p1, p2 = 0, ul;
	struct heap *h;

	if (size + top_pad < HEAP_MIN_SIZE)
		size = HEAP_MIN_SIZE;
	else if (size + top_pad <= max)
		size += top_pad;
	else if (size > max)
		return -1;
	else
		size = max;
	size = ALIGN_UP(size, PAGE);
	if (ms->aligned_heap_area) {
		p2 = do_mmap(ms, ms->aligned_heap_area, max, 0, MAP_NORESERVE_);
		ms->aligned_heap_area = 0;
		if (p2 && (p2 & (max - 1))) {
			do_munmap(ms, p2, max);
			p2 = 0;
		}
	}
	if (!p2) {
		p1 = do_mmap(ms, 0, max << 1, 0, MAP_NORESERVE_);
		if (p1) {
			p2 = ALIGN_UP(p1, max);
			ul = p2 - p1;
			if (ul)
				do_munmap(ms, p1, ul);
			else
				ms->aligned_heap_area = p2 + max;
			do_munmap(ms, p2 + max, max - ul);
		} else {
			p2 = do_mmap(ms, 0, max, 0, MAP_NORESERVE_);
			if (!p2)
				return -1;
			if (p2 & (max - 1)) {
				do_munmap(ms, p2, max);
				return -1;
			}
		}
	}
	if (sys(ms, "mprotect", 3, p2, size, PROT_RW, 0, 0, 0)) {
		do_munmap(ms, p2, max);
		return -1;
	}
	h = realloc(ms->heaps, (ms->nheaps + 1) * sizeof(*h));
	if (!h) {
		ms->oom = true;
		return -1;
	}
	ms->heaps = h;
	ms->heaps[ms->nheaps] = (struct heap){ p2, size, size, -1, -1, true };
	return (int)ms->nheaps++;
}

static int grow_heap(struct mmt_malloc_state *ms, struct heap *h,
		     uint64_t diff)
{
	uint64_t new_size;

	diff = ALIGN_UP(diff, PAGE);
	new_size = h->size + diff;
	if (new_size > ms->heap_max)
		return -1;
	if (new_size > h->mprotect_size) {
		if (sys(ms, "mprotect", 3, h->addr + h->mprotect_size,
			new_size - h->mprotect_size, PROT_RW, 0, 0, 0))
			return -2;
		h->mprotect_size = new_size;
	}
	h->size = new_size;
	return 0;
}

static int shrink_heap(struct mmt_malloc_state *ms, struct heap *h,
		       uint64_t diff)
{
	uint64_t new_size = h->size - diff;

	if ((int64_t)new_size < (int64_t)ms->sizeof_heap_info)
		return -1;
	if (may_shrink_heap(ms)) {
		if (!do_mmap(ms, h->addr + new_size, diff, 0, MAP_FIXED_))
			return -2;
		h->mprotect_size = new_size;
	} else {
		sys(ms, "madvise", 3, h->addr + new_size, diff,
		    MADV_DONTNEED_, 0, 0, 0);
	}
	h->size = new_size;
	return 0;
}

static struct heap *heap_for_ptr(struct mmt_malloc_state *ms, uint64_t a)
{
	uint64_t base = a & ~(ms->heap_max - 1);

	for (unsigned i = 0; i < ms->nheaps; i++)
		if (ms->heaps[i].live && ms->heaps[i].addr == base)
			return &ms->heaps[i];
	MMT_BUG("no heap at %#llx", (unsigned long long)base);
}

static void heap_trim(struct mmt_malloc_state *ms, struct arena *av,
		      struct heap *heap, uint64_t pad)
{
	uint64_t top_size, extra;
	int64_t top_area;

	while (av->top == heap->addr + ms->sizeof_heap_info &&
	       heap->prev >= 0) {
		struct heap *prev = &ms->heaps[heap->prev];
		uint64_t end = prev->addr + prev->size, new_size, start;
		struct mchunk *fence = ch_before(ms, end), *before;
		bool merge;

		if (!fence || (fence->state != CH_FENCE &&
			       fence->state != CH_FENCE_TIGHT))
			MMT_BUG("heap %#llx ends in no fencepost",
				(unsigned long long)prev->addr);
		new_size = fence->size;
		start = fence->addr;
		before = fence->state == CH_FENCE ? ch_before(ms, start) : NULL;
		merge = before && before->state == CH_FREE;
		if (merge)
			new_size += before->size;
		if (new_size + (ms->heap_max - prev->size) <
		    pad + ms->minsize + PAGE)
			break;
		av->system_mem -= heap->size;
		if (heap->addr + ms->heap_max == ms->aligned_heap_area)
			ms->aligned_heap_area = 0;
		do_munmap(ms, heap->addr, ms->heap_max);
		heap->live = false;
		heap = prev;
		av->heap = (int)(heap - ms->heaps);
		ch_del(ms, start);
		if (merge) {
			before = ch_before(ms, start);
			start = before->addr;
			unlink_chunk(ms, av, before);
			ch_del(ms, start);
		}
		set_top(av, start, new_size);
	}
	top_size = av->top_size;
	if (top_size < ms->trim_threshold)
		return;
	top_area = (int64_t)(top_size - ms->minsize - 1);
	if (top_area < 0 || (uint64_t)top_area <= pad)
		return;
	extra = ALIGN_DOWN((uint64_t)top_area - pad, PAGE);
	if (!extra || shrink_heap(ms, heap, extra))
		return;
	av->system_mem -= extra;
	av->top_size = top_size - extra;
}

/* sysmalloc(): memory from the system for @nb; the chunk, or 0. */
static uint64_t sysmalloc(struct mmt_malloc_state *ms, struct arena *av,
			  uint64_t nb)
{
	uint64_t old_top, old_size, old_end, size, brk = UINT64_MAX;
	uint64_t snd_brk = UINT64_MAX, p;
	bool tried_mmap = false;

	if (!av || (nb >= ms->mmap_threshold &&
		    ms->n_mmaps < ms->n_mmaps_max)) {
try_mmap:
		p = sysmalloc_mmap(ms, nb);
		if (p)
			return p;
		tried_mmap = true;
	}
	if (!av)
		return 0;
	old_top = av->top;
	old_size = av->top_size;
	old_end = old_top + old_size;

	if (av != ms->arenas[0]) {
		struct heap *oh = &ms->heaps[av->heap];
		uint64_t ohs = oh->size;
		int hi;

		if ((int64_t)(ms->minsize + nb - old_size) > 0 &&
		    grow_heap(ms, oh, ms->minsize + nb - old_size) == 0) {
			av->system_mem += oh->size - ohs;
			av->top_size = oh->addr + oh->size - old_top;
		} else if ((hi = new_heap(ms, nb + ms->minsize +
					  ms->sizeof_heap_info,
					  ms->top_pad)) >= 0) {
			struct heap *h = &ms->heaps[hi];
			uint64_t os;

			h->arena = (int)arena_idx(ms, av);
			h->prev = av->heap;
			av->heap = hi;
			av->system_mem += h->size;
			set_top(av, h->addr + ms->sizeof_heap_info,
				h->size - ms->sizeof_heap_info);
			os = (old_size - ms->minsize) & ~MALLOC_ALIGN_MASK;
			if (old_size < ms->minsize)
				os = 0;
			if (os >= ms->minsize) {
				ch_add(ms, old_top + os, old_size - os,
				       CH_FENCE, (int)arena_idx(ms, av));
				ch_add(ms, old_top, os, CH_INUSE,
				       (int)arena_idx(ms, av));
				int_free(ms, av, old_top);
			} else {
				ch_add(ms, old_top, old_size, CH_FENCE_TIGHT,
				       (int)arena_idx(ms, av));
			}
		} else if (!tried_mmap) {
			goto try_mmap;
		}
	} else {
		size = nb + ms->top_pad + ms->minsize;
		if (av->contiguous)
			size -= old_size;
		size = ALIGN_UP(size, PAGE);
		if ((int64_t)size > 0)
			brk = morecore(ms, (int64_t)size);
		if (brk == UINT64_MAX) {
			/* sysmalloc_mmap_fallback */
			uint64_t fs = size, mbrk = 0;

			if (av->contiguous)
				fs = ALIGN_UP(fs + old_size, PAGE);
			if (fs < MMAP_AS_MORECORE_SIZE)
				fs = MMAP_AS_MORECORE_SIZE;
			if (fs > nb) {
				mbrk = do_mmap(ms, 0, fs, PROT_RW, 0);
				if (mbrk)
					av->contiguous = false;
			}
			if (mbrk) {
				brk = mbrk;
				size = fs;
				snd_brk = brk + size;
			}
		}
		if (brk != UINT64_MAX) {
			if (!ms->sbrk_base)
				ms->sbrk_base = brk;
			av->system_mem += size;
			if (brk == old_end && snd_brk == UINT64_MAX && old_top) {
				av->top_size = size + old_size;
			} else if (av->contiguous && old_size && brk < old_end) {
				abort_with(ms, "break adjusted to free malloc "
					   "space");
				return 0;
			} else {
				uint64_t aligned = brk, corr = 0, mis;

				if (av->contiguous) {
					if (old_size)
						av->system_mem += brk - old_end;
					mis = chunk2mem(ms, brk) &
					      MALLOC_ALIGN_MASK;
					if (mis) {
						corr = MALLOC_ALIGNMENT - mis;
						aligned += corr;
					}
					corr += old_size;
					mis = brk + size + corr;
					corr += ALIGN_UP(mis, PAGE) - mis;
					snd_brk = morecore(ms, (int64_t)corr);
					if (snd_brk == UINT64_MAX) {
						corr = 0;
						snd_brk = morecore(ms, 0);
					}
				} else {
					mis = chunk2mem(ms, brk) &
					      MALLOC_ALIGN_MASK;
					if (mis)
						aligned += MALLOC_ALIGNMENT - mis;
					if (snd_brk == UINT64_MAX)
						snd_brk = morecore(ms, 0);
				}
				if (snd_brk != UINT64_MAX) {
					set_top(av, aligned,
						snd_brk - aligned + corr);
					av->system_mem += corr;
					if (old_size)
						fence_old_top(ms, av, old_top,
							      old_size);
				}
			}
		}
	}
	if (av->top && av->top_size >= nb + ms->minsize)
		return split_top(ms, av, nb);
	return 0;
}

/* systrim(): give the top back to the kernel above @pad; 1 if it did. */
static int systrim(struct mmt_malloc_state *ms, struct arena *av,
		   uint64_t pad)
{
	uint64_t top_size = av->top_size, top_area, extra, cur, nb;

	if (top_size < ms->minsize + 1)
		return 0;
	top_area = top_size - ms->minsize - 1;
	if (top_area <= pad)
		return 0;
	extra = ALIGN_DOWN(top_area - pad, PAGE);
	if (!extra)
		return 0;
	cur = morecore(ms, 0);
	if (cur != av->top + top_size)
		return 0;
	morecore(ms, -(int64_t)extra);
	nb = morecore(ms, 0);
	if (nb != UINT64_MAX && cur != nb) {
		av->system_mem -= cur - nb;
		av->top_size = top_size - (cur - nb);
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------ _int_malloc */

/* Split @c (a chunk just unlinked) for @nb; the remainder to unsorted. */
static uint64_t split_chunk(struct mmt_malloc_state *ms, struct arena *av,
			    struct mchunk *c, uint64_t nb, bool remainder_is_last)
{
	uint64_t a = c->addr, size = c->size;
	int ar = c->arena;

	if (size - nb < ms->minsize) {
		c->state = CH_INUSE;
		return a;
	}
	c->size = nb;
	c->state = CH_INUSE;
	if (!ch_add(ms, a + nb, size - nb, CH_FREE, ar))
		return 0;
	list_push_head(ms, &av->unsorted, a + nb);
	if (remainder_is_last)
		av->last_remainder = a + nb;
	return a;
}

static uint64_t int_malloc(struct mmt_malloc_state *ms, struct arena *av,
			   uint64_t bytes)
{
	struct mthread *th = thread_cur(ms);
	uint64_t nb = checked_request2size(ms, bytes);
	size_t tc_idx;
	bool tc_ok;
	unsigned idx;

	if (!nb)
		return 0;
	if (!av)
		return sysmalloc(ms, NULL, nb);
	tc_idx = csize2tidx(ms, nb);
	tc_ok = tc_idx < TCACHE_MAX_BINS;

	if (nb <= ms->max_fast) {
		struct mlist *fb = &av->fast[fastbin_index(ms, nb)];

		if (fb->n) {
			uint64_t a = list_take(fb, 0);

			ch_find(ms, a)->state = CH_INUSE;
			while (tc_ok && tcache_room(th, tc_idx) && fb->n)
				tcache_put(ms, th, ch_find(ms, list_take(fb, 0)),
					   tc_idx);
			return a;
		}
	}
	if (in_smallbin_range(ms, nb)) {
		struct mlist *b;

		idx = smallbin_index(ms, nb);
		b = &av->bins[idx];
		if (b->n) {
			uint64_t a = list_take(b, b->n - 1);

			ch_find(ms, a)->state = CH_INUSE;
			while (tc_ok && tcache_room(th, tc_idx) && b->n)
				tcache_put(ms, th,
					   ch_find(ms, list_take(b, b->n - 1)),
					   tc_idx);
			return a;
		}
	} else {
		idx = largebin_index(ms, nb);
		if (av->have_fastchunks)
			malloc_consolidate(ms, av);
	}

	for (;;) {
		bool return_cached = false;
		unsigned iters = 0;

		while (av->unsorted.n) {
			uint64_t a = av->unsorted.v[av->unsorted.n - 1];
			struct mchunk *c = ch_find(ms, a);
			uint64_t size = c->size;

			if (in_smallbin_range(ms, nb) && av->unsorted.n == 1 &&
			    a == av->last_remainder && size > nb + ms->minsize) {
				list_take(&av->unsorted, av->unsorted.n - 1);
				return split_chunk(ms, av, c, nb, true);
			}
			list_take(&av->unsorted, av->unsorted.n - 1);
			if (size == nb) {
				if (tc_ok && tcache_room(th, tc_idx)) {
					tcache_put(ms, th, c, tc_idx);
					return_cached = true;
					continue;
				}
				c->state = CH_INUSE;
				return a;
			}
			bin_insert(ms, av, a, size);
			if (++iters >= 10000)
				break;
		}
		if (return_cached)
			return tcache_get(ms, th, tc_idx);

		if (!in_smallbin_range(ms, nb)) {
			struct mlist *b = &av->bins[idx];

			if (b->n && csize(ms, b->v[0]) >= nb) {
				size_t i = b->n - 1, j;
				uint64_t s;

				while ((s = csize(ms, b->v[i])) < nb)
					i--;
				/* i: the last (smallest) entry of the run of
				 * size s; take the run's second if any */
				j = i;
				while (j > 0 && csize(ms, b->v[j - 1]) == s)
					j--;
				if (j + 1 <= i)
					j++;
				{
					uint64_t a = list_take(b, j);

					return split_chunk(ms, av,
							   ch_find(ms, a), nb,
							   false);
				}
			}
		}
		for (unsigned bi = idx + 1; bi < NBINS; bi++) {
			struct mlist *b = &av->bins[bi];

			if (b->n) {
				uint64_t a = list_take(b, b->n - 1);

				return split_chunk(ms, av, ch_find(ms, a), nb,
						   in_smallbin_range(ms, nb));
			}
		}
		if (av->top && av->top_size >= nb + ms->minsize)
			return split_top(ms, av, nb);
		if (av->have_fastchunks) {
			malloc_consolidate(ms, av);
			idx = in_smallbin_range(ms, nb) ? smallbin_index(ms, nb)
							: largebin_index(ms, nb);
			continue;
		}
		return sysmalloc(ms, av, nb);
	}
}

/* ---------------------------------------------------------- _int_free */

static void int_free(struct mmt_malloc_state *ms, struct arena *av,
		     uint64_t p)
{
	struct mthread *th = thread_cur(ms);
	struct mchunk *c = ch_find(ms, p);
	uint64_t size;
	size_t tc_idx;

	if (!c || c->state != CH_INUSE) {
		abort_with(ms, "free(): invalid pointer");
		return;
	}
	size = c->size;
	tc_idx = csize2tidx(ms, size);
	if (tcache_room(th, tc_idx)) {
		tcache_put(ms, th, c, tc_idx);
		return;
	}
	if (size <= ms->max_fast) {
		c->state = CH_FAST;
		list_push_head(ms, &av->fast[fastbin_index(ms, size)], p);
		av->have_fastchunks = true;
		return;
	}
	size = merge_and_place(ms, av, p);
	if (size >= FASTBIN_CONSOLIDATION_THRESHOLD) {
		if (av->have_fastchunks)
			malloc_consolidate(ms, av);
		if (av == ms->arenas[0]) {
			if (av->top_size >= ms->trim_threshold)
				systrim(ms, av, ms->top_pad);
		} else {
			heap_trim(ms, av, heap_for_ptr(ms, av->top),
				  ms->top_pad);
		}
	}
}

/* ------------------------------------------------------------- arenas */

static int arena_new(struct mmt_malloc_state *ms)
{
	struct arena *a;

	if (ms->narenas == MAX_ARENAS)
		return -1;
	a = calloc(1, sizeof(*a));
	if (!a) {
		ms->oom = true;
		return -1;
	}
	a->id = ms->narenas;
	a->contiguous = true;
	a->heap = -1;
	ms->arenas[ms->narenas] = a;
	return (int)ms->narenas++;
}

/* _int_new_arena(): a heap holding the arena itself; -1 on failure. */
static int int_new_arena(struct mmt_malloc_state *ms, uint64_t size)
{
	uint64_t hdr = ms->sizeof_heap_info + ms->sizeof_malloc_state +
		       MALLOC_ALIGNMENT, ptr, mis;
	int hi = new_heap(ms, size + hdr, ms->top_pad), ai;
	struct heap *h;
	struct arena *a;

	if (hi < 0)
		hi = new_heap(ms, hdr, 0);
	if (hi < 0)
		return -1;
	ai = arena_new(ms);
	if (ai < 0)
		return -1;
	h = &ms->heaps[hi];
	a = ms->arenas[ai];
	h->arena = ai;
	a->heap = hi;
	a->system_mem = h->size;
	ptr = h->addr + ms->sizeof_heap_info + ms->sizeof_malloc_state;
	mis = chunk2mem(ms, ptr) & MALLOC_ALIGN_MASK;
	if (mis)
		ptr += MALLOC_ALIGNMENT - mis;
	set_top(a, ptr, h->addr + h->size - ptr);
	a->next = ms->arenas[0]->next;
	ms->arenas[0]->next = (unsigned)ai;
	thread_cur(ms)->arena = ai;
	return ai;
}

static int reused_arena(struct mmt_malloc_state *ms)
{
	unsigned r = ms->next_to_use;

	ms->next_to_use = ms->arenas[r]->next;
	thread_cur(ms)->arena = (int)r;
	return (int)r;
}

static int arena_get2(struct mmt_malloc_state *ms, uint64_t size)
{
	if (ms->narenas_limit == 0) {
		if (ms->arena_max)
			ms->narenas_limit = ms->arena_max;
		else if (ms->narenas > ms->arena_test) {
			unsigned n = ms->t->m->cfg.online_cpus;

			ms->narenas_limit = (n ? n : 2) *
					    (ms->size_sz == 4 ? 2 : 8);
		}
	}
	if (ms->narenas <= ms->narenas_limit - 1) {
		int a = int_new_arena(ms, size);

		return a;
	}
	return reused_arena(ms);
}

/* arena_get(): the calling thread's arena (a new one on first use). */
static struct arena *arena_get(struct mmt_malloc_state *ms, uint64_t size)
{
	struct mthread *th = thread_cur(ms);
	int a = th->arena;

	if (a < 0)
		a = arena_get2(ms, size);
	return a < 0 ? NULL : ms->arenas[a];
}

/* arena_get_retry(): the main arena for a thread arena, else another. */
static struct arena *arena_get_retry(struct mmt_malloc_state *ms,
				     struct arena *av, uint64_t size)
{
	int a;

	if (av != ms->arenas[0])
		return ms->arenas[0];
	a = arena_get2(ms, size);
	return a < 0 ? NULL : ms->arenas[a];
}

static void tcache_init(struct mmt_malloc_state *ms)
{
	struct mthread *th = thread_cur(ms);
	struct arena *av;
	uint64_t p;

	th->tcache_done = true;
	av = arena_get(ms, ms->sizeof_tcache);
	p = int_malloc(ms, av, ms->sizeof_tcache);
	if (!p && av) {
		av = arena_get_retry(ms, av, ms->sizeof_tcache);
		p = int_malloc(ms, av, ms->sizeof_tcache);
	}
	if (p)
		th->tcache = chunk2mem(ms, p);
}

/* ------------------------------------------------------------- state */

static struct mthread *thread_new(void)
{
	struct mthread *th = calloc(1, sizeof(*th));

	if (th)
		th->arena = -1;
	return th;
}

static void state_free(void *v)
{
	struct mmt_malloc_state *ms = v;

	if (!ms)
		return;
	for (unsigned i = 0; i < ms->narenas; i++) {
		struct arena *a = ms->arenas[i];

		for (unsigned j = 0; j < NFASTBINS_MAX; j++)
			list_free(&a->fast[j]);
		list_free(&a->unsorted);
		for (unsigned j = 0; j < NBINS; j++)
			list_free(&a->bins[j]);
		free(a);
	}
	for (unsigned i = 0; i < MAX_THREADS; i++)
		if (ms->threads[i]) {
			for (unsigned j = 0; j < TCACHE_MAX_BINS; j++)
				list_free(&ms->threads[i]->tc[j]);
			free(ms->threads[i]);
		}
	free(ms->heaps);
	free(ms->ch);
	free(ms->mm);
	free(ms->calls);
	free(ms);
}

static struct mmt_malloc_state *state_of(struct mmt_task *t)
{
	struct mmt_malloc_state *ms;
	bool b64 = t->abi == MMT_TASK_X86_64;

	if (t->user)
		return t->user;
	ms = calloc(1, sizeof(*ms));
	if (!ms)
		return NULL;
	ms->t = t;
	ms->size_sz = b64 ? 8 : 4;
	ms->minsize = 4 * ms->size_sz;
	ms->hdr = 2 * ms->size_sz;
	ms->min_large = b64 ? 1024 : 1008;
	ms->max_fast = b64 ? 128 : 64;		/* set_max_fast(DEFAULT_MXFAST) */
	ms->mmap_threshold_max = b64 ? 32ULL << 20 : 512ULL << 10;
	ms->heap_max = 2 * ms->mmap_threshold_max;
	ms->sizeof_heap_info = b64 ? 48 : 24;
	ms->sizeof_malloc_state = b64 ? 2200 : 1116;
	ms->sizeof_tcache = TCACHE_MAX_BINS * (2 + ms->size_sz);
	ms->top_pad = 128 * 1024;		/* DEFAULT_TOP_PAD */
	ms->mmap_threshold = 128 * 1024;
	ms->trim_threshold = 128 * 1024;
	ms->n_mmaps_max = 65536;
	ms->arena_test = b64 ? 8 : 2;		/* NARENAS_FROM_NCORES(1) */
	ms->may_shrink_heap = -1;
	ms->threads[0] = thread_new();
	if (!ms->threads[0] || arena_new(ms) < 0) {
		state_free(ms);
		return NULL;
	}
	ms->threads[0]->arena = 0;
	t->user = ms;
	t->user_free = state_free;
	return ms;
}

/* Start an entry point: the state, the call log emptied. */
static struct mmt_malloc_state *enter(struct mmt_task *t, int *err)
{
	struct mmt_malloc_state *ms = state_of(t);

	if (err)
		*err = ms ? 0 : -ENOMEM;
	if (!ms)
		return NULL;
	ms->ncalls = 0;
	ms->aborted = false;
	ms->abort_msg[0] = 0;
	ms->initialized = true;		/* ptmalloc_init */
	return ms;
}

static uint64_t leave(struct mmt_malloc_state *ms, uint64_t mem, int *err)
{
	if (ms->oom || ms->aborted) {
		if (err)
			*err = ms->oom ? -ENOMEM : -EFAULT;
		ms->oom = false;
		return 0;
	}
	if (err)
		*err = mem ? 0 : ENOMEM;
	return mem;
}

static void maybe_init_tcache(struct mmt_malloc_state *ms)
{
	if (!thread_cur(ms)->tcache_done)
		tcache_init(ms);
}

static uint64_t libc_malloc(struct mmt_malloc_state *ms, uint64_t bytes)
{
	struct mthread *th;
	struct arena *av;
	uint64_t nb = checked_request2size(ms, bytes), p;
	size_t idx;

	if (!nb)
		return 0;
	idx = csize2tidx(ms, nb);
	maybe_init_tcache(ms);
	th = thread_cur(ms);
	if (idx < TCACHE_MAX_BINS && th->tcache && th->tc[idx].n)
		return chunk2mem(ms, tcache_get(ms, th, idx));
	if (!ms->multi)
		av = ms->arenas[0];
	else
		av = arena_get(ms, bytes);
	p = int_malloc(ms, av, bytes);
	if (!p && ms->multi && av) {
		av = arena_get_retry(ms, av, bytes);
		p = int_malloc(ms, av, bytes);
	}
	return p ? chunk2mem(ms, p) : 0;
}

uint64_t mmt_libc_malloc(struct mmt_task *t, uint64_t bytes, int *err)
{
	struct mmt_malloc_state *ms = enter(t, err);

	if (!ms)
		return 0;
	return leave(ms, libc_malloc(ms, bytes), err);
}

uint64_t mmt_libc_calloc(struct mmt_task *t, uint64_t n, uint64_t size,
			 int *err)
{
	struct mmt_malloc_state *ms = enter(t, err);
	uint64_t bytes, p, lim;
	struct arena *av;

	if (!ms)
		return 0;
	lim = ms->size_sz == 4 ? UINT32_MAX : UINT64_MAX;
	if (size && n > lim / size)
		return leave(ms, 0, err);
	bytes = n * size;
	maybe_init_tcache(ms);
	av = ms->multi ? arena_get(ms, bytes) : ms->arenas[0];
	p = int_malloc(ms, av, bytes);
	if (!p && av) {
		av = arena_get_retry(ms, av, bytes);
		p = int_malloc(ms, av, bytes);
	}
	return leave(ms, p ? chunk2mem(ms, p) : 0, err);
}

static void munmap_chunk(struct mmt_malloc_state *ms, struct mmapped *c)
{
	uint64_t block = c->p - c->offset, total = c->offset + c->size;

	mmapped_del(ms, c);
	ms->n_mmaps--;
	do_munmap(ms, block, total);
}

static struct arena *arena_for_chunk(struct mmt_malloc_state *ms,
				     const struct mchunk *c)
{
	return arena_of(ms, c->arena);
}

static void libc_free(struct mmt_malloc_state *ms, uint64_t mem)
{
	uint64_t p = mem - 2 * ms->size_sz;
	struct mmapped *mc;
	struct mchunk *c;

	if (!mem)
		return;
	mc = mmapped_find(ms, p);
	if (mc) {
		uint64_t nomask = mc->size | 2;	/* chunksize_nomask */

		if (!ms->no_dyn_threshold && nomask > ms->mmap_threshold &&
		    nomask <= ms->mmap_threshold_max) {
			ms->mmap_threshold = mc->size;
			ms->trim_threshold = 2 * ms->mmap_threshold;
		}
		munmap_chunk(ms, mc);
		return;
	}
	maybe_init_tcache(ms);
	c = ch_find(ms, p);
	if (!c || c->state != CH_INUSE) {
		abort_with(ms, "free(): invalid pointer");
		return;
	}
	int_free(ms, arena_for_chunk(ms, c), p);
}

int mmt_libc_free(struct mmt_task *t, uint64_t mem)
{
	int err;
	struct mmt_malloc_state *ms = enter(t, &err);

	if (!ms)
		return err;
	libc_free(ms, mem);
	leave(ms, 1, &err);
	return err;
}

/* mremap_chunk(): the chunk resized in place or moved; 0 if mremap failed. */
static uint64_t mremap_chunk(struct mmt_malloc_state *ms, struct mmapped *c,
			     uint64_t nb)
{
	uint64_t block = c->p - c->offset, total = c->offset + c->size;
	uint64_t new_size = ALIGN_UP(nb + c->offset + ms->size_sz, PAGE);
	int64_t r;

	if (total == new_size)
		return c->p;
	r = sys(ms, "mremap", 4, block, total, new_size, MREMAP_MAYMOVE_, 0, 0);
	if (is_err(r))
		return 0;
	c->p = (uint64_t)r + c->offset;
	c->size = new_size - c->offset;
	return c->p;
}

static uint64_t int_realloc(struct mmt_malloc_state *ms, struct arena *av,
			    uint64_t oldp, uint64_t nb)
{
	struct mchunk *c = ch_find(ms, oldp), *next;
	uint64_t oldsize = c->size, newsize, nextaddr = oldp + oldsize;
	uint64_t newp = oldp;

	if (oldsize >= nb) {
		newsize = oldsize;
	} else if (nextaddr == av->top &&
		   (newsize = oldsize + av->top_size) >= nb + ms->minsize) {
		c->size = nb;
		set_top(av, oldp + nb, newsize - nb);
		return oldp;
	} else if (nextaddr != av->top && (next = ch_find(ms, nextaddr)) &&
		   next->state == CH_FREE &&
		   (newsize = oldsize + next->size) >= nb) {
		unlink_chunk(ms, av, next);
		ch_del(ms, nextaddr);
		c = ch_find(ms, oldp);
		c->size = newsize;
	} else {
		uint64_t np = int_malloc(ms, av, nb - MALLOC_ALIGN_MASK);

		if (!np)
			return 0;
		if (np == nextaddr) {
			/* glibc merges instead of copying */
			newsize = oldsize + csize(ms, np);
			ch_del(ms, np);
			c = ch_find(ms, oldp);
			c->size = newsize;
		} else {
			int_free(ms, av, oldp);
			return np;
		}
	}
	if (newsize - nb >= ms->minsize) {
		c->size = nb;
		if (!ch_add(ms, oldp + nb, newsize - nb, CH_INUSE,
			    (int)arena_idx(ms, av)))
			return 0;
		int_free(ms, av, oldp + nb);
	}
	return newp;
}

uint64_t mmt_libc_realloc(struct mmt_task *t, uint64_t mem, uint64_t bytes,
			  int *err)
{
	struct mmt_malloc_state *ms = enter(t, err);
	struct mmapped *mc;
	struct mchunk *c;
	struct arena *av;
	uint64_t p, nb, np;

	if (!ms)
		return 0;
	if (bytes == 0 && mem) {
		libc_free(ms, mem);
		leave(ms, 1, err);
		return 0;
	}
	if (!mem)
		return leave(ms, libc_malloc(ms, bytes), err);
	p = mem - 2 * ms->size_sz;
	mc = mmapped_find(ms, p);
	c = mc ? NULL : ch_find(ms, p);
	if (!mc && (!c || c->state != CH_INUSE)) {
		abort_with(ms, "realloc(): invalid pointer");
		return leave(ms, 0, err);
	}
	if (!mc)
		maybe_init_tcache(ms);
	nb = checked_request2size(ms, bytes);
	if (!nb)
		return leave(ms, 0, err);
	if (mc) {
		uint64_t oldsize = mc->size;

		np = mremap_chunk(ms, mc, nb);
		if (np)
			return leave(ms, chunk2mem(ms, np), err);
		if (oldsize - ms->size_sz >= nb)
			return leave(ms, mem, err);
		np = libc_malloc(ms, bytes);
		if (!np)
			return leave(ms, 0, err);
		munmap_chunk(ms, mmapped_find(ms, p));
		return leave(ms, np, err);
	}
	c = ch_find(ms, p);
	av = arena_for_chunk(ms, c);
	np = int_realloc(ms, av, p, nb);
	if (np)
		return leave(ms, chunk2mem(ms, np), err);
	if (ms->multi) {
		np = libc_malloc(ms, bytes);
		if (np)
			int_free(ms, av, p);
	}
	return leave(ms, np, err);
}

int mmt_libc_mallopt(struct mmt_task *t, int param, int64_t value)
{
	int err;
	struct mmt_malloc_state *ms = enter(t, &err);
	int res = 1;

	if (!ms)
		return err;
	malloc_consolidate(ms, ms->arenas[0]);
	switch (param) {
	case MMT_M_TRIM_THRESHOLD:
		ms->trim_threshold = (uint64_t)value;
		ms->no_dyn_threshold = 1;
		break;
	case MMT_M_TOP_PAD:
		ms->top_pad = (uint64_t)value;
		ms->no_dyn_threshold = 1;
		break;
	case MMT_M_MMAP_THRESHOLD:
		/* 2.36 sets any value (older releases refused more than
		 * HEAP_MAX_SIZE / 2: the host's glibc does not) */
		ms->mmap_threshold = (uint64_t)value;
		ms->no_dyn_threshold = 1;
		break;
	case MMT_M_MMAP_MAX:
		ms->n_mmaps_max = (int)value;
		ms->no_dyn_threshold = 1;
		break;
	case MMT_M_ARENA_TEST:
		if (value > 0)
			ms->arena_test = (uint64_t)value;
		break;
	case MMT_M_ARENA_MAX:
		if (value > 0)
			ms->arena_max = (uint64_t)value;
		break;
	default:
		res = 0;
	}
	return res;
}

int mmt_libc_set_thread(struct mmt_task *t, unsigned tid)
{
	int err;
	struct mmt_malloc_state *ms = enter(t, &err);

	if (!ms)
		return err;
	if (tid >= MAX_THREADS)
		return -EINVAL;
	if (!ms->threads[tid]) {
		ms->threads[tid] = thread_new();
		if (!ms->threads[tid])
			return -ENOMEM;
		ms->multi = true;
	}
	ms->cur = tid;
	return 0;
}

const struct mmt_malloc_call *mmt_malloc_calls(const struct mmt_task *t,
					       size_t *n)
{
	const struct mmt_malloc_state *ms = t->user;

	*n = ms ? ms->ncalls : 0;
	return ms ? ms->calls : NULL;
}

const char *mmt_malloc_abort_msg(const struct mmt_task *t)
{
	const struct mmt_malloc_state *ms = t->user;

	return ms && ms->aborted ? ms->abort_msg : NULL;
}

int mmt_malloc_get_params(const struct mmt_task *t,
			  struct mmt_malloc_params *out)
{
	const struct mmt_malloc_state *ms = t->user;

	if (!ms)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->mmap_threshold = ms->mmap_threshold;
	out->trim_threshold = ms->trim_threshold;
	out->top_pad = ms->top_pad;
	out->n_mmaps = ms->n_mmaps;
	out->n_mmaps_max = ms->n_mmaps_max;
	out->no_dyn_threshold = ms->no_dyn_threshold;
	out->narenas = ms->narenas;
	out->main_top = ms->arenas[0]->top;
	out->main_top_size = ms->arenas[0]->top_size;
	out->main_system_mem = ms->arenas[0]->system_mem;
	return 0;
}

uint64_t mmt_malloc_chunk_size(const struct mmt_task *t, uint64_t mem,
			       int *mmapped)
{
	struct mmt_malloc_state *ms = t->user;
	struct mmapped *mc;
	struct mchunk *c;

	*mmapped = 0;
	if (!ms)
		return 0;
	mc = mmapped_find(ms, mem - 2 * ms->size_sz);
	if (mc) {
		*mmapped = 1;
		return mc->size;
	}
	c = ch_find(ms, mem - 2 * ms->size_sz);
	return c && c->state == CH_INUSE ? c->size : 0;
}
