/* SPDX-License-Identifier: MIT */
/*
 * mmtwin/kalloc.h - the kernel's own allocators: slab/kmalloc (SLUB),
 * vmalloc/vmap/ioremap, kmap/kmap_local (pkmap and fixmap slots), fixmap,
 * and per-CPU areas.  All state hangs off m->kalloc (struct mmt_kalloc).
 *
 * Where each allocator's addresses live (x86_32, 3G/1G split):
 *
 *   FIXADDR_TOP ┐ fixmap: set_fixmap() slots; FIX_KMAP_BEGIN + idx +
 *               │ KM_MAX_IDX*cpu = kmap_local slots (higher idx = lower va)
 *   PKMAP_BASE  ┘ LAST_PKMAP kmap() slots, pkmap_count[] per slot
 *   VMALLOC_END ┐ vmalloc/vmap/ioremap areas, lowest first fit, each
 *   VMALLOC_START┘ followed by one guard page unless VM_NO_GUARD
 *   high_memory ┐ direct map: slab pages (kmalloc objects), large
 *   PAGE_OFFSET ┘ kmalloc pages, the per-CPU first chunk
 *
 * On x86_64 there is no highmem: kmap and kmap_local return the direct-map
 * address (page_address) and no pkmap/kmap fixmap slots exist.
 *
 * Failure classes: out of resources -> -ENOMEM (or -EAGAIN for "kmap would
 * sleep"); bad caller input (unknown address, out-of-order kunmap_local)
 * -> -EINVAL; a broken internal invariant aborts naming the function.
 */
#ifndef MMTWIN_KALLOC_H
#define MMTWIN_KALLOC_H

#ifdef __cplusplus
extern "C" {
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "render.h"

struct mmt_machine;

/* ------------------------------------------------------------ slab */

#define MMT_KMALLOC_SHIFT_LOW	3
#define MMT_KMALLOC_SHIFT_HIGH	13		/* PAGE_SHIFT + 1 */
#define MMT_KMALLOC_MAX_CACHE_SIZE 8192u
#define MMT_KMALLOC_MAX_SIZE	(4ull << 20)	/* MAX_PAGE_ORDER + PAGE_SHIFT */
#define MMT_ZERO_SIZE_PTR	16ull		/* kmalloc(0) */
#define MMT_SLUB_MAX_ORDER	3		/* PAGE_ALLOC_COSTLY_ORDER */
#define MMT_SLAB_NAME_MAX	32

struct mmt_slab;	/* SLUB bookkeeping, mm/kalloc_internal.h */

struct mmt_kmem_cache {
	char name[MMT_SLAB_NAME_MAX];
	unsigned object_size;	/* what the caller asked for */
	unsigned size;		/* object stride (aligned) */
	unsigned align;
	unsigned order;		/* pages per slab = 1 << order */
	unsigned objects;	/* objects per slab */
	unsigned min_partial;	/* empty slabs kept before freeing (SLUB) */
	unsigned gfp;		/* allocation flags of slab pages */
	unsigned long nr_slabs;
	unsigned long active_objs;
	bool is_kmalloc;
	struct mmt_slab *slabs;	/* newest first */
	struct mmt_slab *partial;	/* slabs with a free object, newest first */
	unsigned long nr_partial;	/* slabs on @partial */
	uint64_t slab_seq;		/* slabs created so far */
	struct mmt_kmem_cache *next;	/* slab_caches: newest first */
};

/*
 * kmalloc_index(): cache index for a request of @size bytes: 0 for 0,
 * 1 = kmalloc-96, 2 = kmalloc-192, 3..13 = kmalloc-(1 << idx); -1 when
 * @size > KMALLOC_MAX_CACHE_SIZE (the request bypasses slab).
 */
int mmt_kmalloc_index(size_t size);
/* Object size of kmalloc cache @idx (1..13), 0 for others. */
unsigned mmt_kmalloc_size(int idx);
/*
 * SLUB's calculate_order() for objects of @size bytes on a machine with
 * @nr_cpus present CPUs: slab order and objects per slab.
 */
void mmt_slub_geometry(unsigned size, unsigned nr_cpus, unsigned *order,
		       unsigned *objects);

/*
 * kmalloc(@size, @gfp): 0 and *addr (a direct-map address), MMT_ZERO_SIZE_PTR
 * for size 0, -EINVAL above KMALLOC_MAX_SIZE, -ENOMEM when pages ran out.
 */
int mmt_kmalloc(struct mmt_machine *m, size_t size, unsigned gfp,
		uint64_t *addr);
/* kfree: 0, or -EINVAL when @addr is not a live kmalloc object. */
int mmt_kfree(struct mmt_machine *m, uint64_t addr);
/* What backs a kmalloc address: cache (NULL = large kmalloc), pfn of the
 * page containing it.  0, or -EINVAL. */
int mmt_kmalloc_lookup(struct mmt_machine *m, uint64_t addr,
		       const struct mmt_kmem_cache **cache, uint64_t *pfn);

/* What kmem_obj_info() reports about a slab address (mm/slab.h). */
struct mmt_kmem_obj_info {
	const struct mmt_kmem_cache *cache;
	uint64_t object;	/* start of the object holding the address */
	uint64_t offset;	/* addr - object */
	uint64_t slab_pfn;	/* the slab's first page */
	bool allocated;		/* false: on the slab's freelist */
	bool padding;		/* past the last object (slab tail) */
};
/*
 * kmem_obj_info(): the slab object @addr (a direct-map address) falls in.
 * 0 and *info, or -ENOENT when @addr is not in a slab page (large
 * kmalloc pages and non-lowmem addresses included).  O(1): the pfn map.
 */
int mmt_kmem_obj_info(const struct mmt_machine *m, uint64_t addr,
		      struct mmt_kmem_obj_info *info);

/* kmem_cache_create: NULL with -errno in *error (-EEXIST, -EINVAL). */
struct mmt_kmem_cache *mmt_kmem_cache_create(struct mmt_machine *m,
					     const char *name, unsigned size,
					     unsigned align, int *error);
struct mmt_kmem_cache *mmt_kmem_cache_find(struct mmt_machine *m,
					   const char *name);
int mmt_kmem_cache_alloc(struct mmt_machine *m, struct mmt_kmem_cache *s,
			 unsigned gfp, uint64_t *addr);
int mmt_kmem_cache_free(struct mmt_machine *m, struct mmt_kmem_cache *s,
			uint64_t addr);
/* kmem_cache_shrink() (/sys/kernel/slab/NAME/shrink): free the empty
 * slabs SLUB keeps up to min_partial; returns how many. */
int mmt_kmem_cache_shrink(struct mmt_machine *m, struct mmt_kmem_cache *s);
/* Every cache and slab consistent with the page tables' view of pfns. */
int mmt_slab_check(struct mmt_machine *m, char *err, size_t len);

/* ------------------------------------------------------------ vmalloc */

/* vm_struct flags (include/linux/vmalloc.h values) */
#define MMT_VM_IOREMAP		0x001u
#define MMT_VM_ALLOC		0x002u
#define MMT_VM_MAP		0x004u
#define MMT_VM_USERMAP		0x008u
#define MMT_VM_UNINITIALIZED	0x020u
#define MMT_VM_NO_GUARD		0x040u

#define MMT_CALLER_MAX 64

/* A busy vmap area and its vm_struct, merged (the model keeps one). */
struct mmt_vm_struct {
	uint64_t addr;		/* va_start */
	uint64_t size;		/* including the guard page */
	unsigned flags;
	uint64_t *pfns;		/* nr_pages frames, NULL for ioremap */
	unsigned nr_pages;
	bool owns_pages;	/* vmalloc: vfree frees them */
	uint64_t phys_addr;	/* ioremap */
	char caller[MMT_CALLER_MAX];	/* "func+0x12/0x40" */
	struct mmt_vm_struct *next;	/* sorted by addr */
};

/*
 * vmalloc(@size): page-aligned, pages GFP_KERNEL|__GFP_HIGHMEM one at a
 * time, mapped PAGE_KERNEL in init_mm.  @caller names the caller for
 * /proc/vmallocinfo (NULL: none).  0 and *addr, -EINVAL, -ENOMEM.
 */
int mmt_vmalloc(struct mmt_machine *m, uint64_t size, const char *caller,
		uint64_t *addr);
/* __vmalloc_node_range(@size, @align, VMALLOC_START, VMALLOC_END, ...):
 * vmalloc() whose area starts on an @align boundary (a power of two, at
 * least a page; the guard page is not part of the alignment), as thread
 * stacks ask for THREAD_ALIGN.  0 and *addr, -EINVAL, -ENOMEM. */
int mmt_vmalloc_node_range(struct mmt_machine *m, uint64_t size,
			   uint64_t align, const char *caller, uint64_t *addr);
/* vfree/vunmap/iounmap: unmap (TLB flushed) and release; -EINVAL when
 * @addr starts no area of the right kind. */
int mmt_vfree(struct mmt_machine *m, uint64_t addr);
/* vmap(@pfns, @n, VM_MAP, PAGE_KERNEL): caller keeps the pages. */
int mmt_vmap(struct mmt_machine *m, const uint64_t *pfns, unsigned n,
	     const char *caller, uint64_t *addr);
int mmt_vunmap(struct mmt_machine *m, uint64_t addr);
/* ioremap(@phys, @size): uncached (PCD) mapping; *addr keeps phys's
 * offset within its page. */
int mmt_ioremap(struct mmt_machine *m, uint64_t phys, uint64_t size,
		const char *caller, uint64_t *addr);
int mmt_iounmap(struct mmt_machine *m, uint64_t addr);
/* The area containing @addr (guard page included), or NULL. */
const struct mmt_vm_struct *mmt_find_vm_area(const struct mmt_machine *m,
					     uint64_t addr);
/* meminfo "VmallocUsed:" in pages: vmalloc()'s own pages, not vmap's. */
uint64_t mmt_vmalloc_nr_pages(struct mmt_machine *m);
/* Usable [start, end) of the vmalloc space. */
void mmt_vmalloc_range(struct mmt_machine *m, uint64_t *start, uint64_t *end);
int mmt_vmalloc_check(struct mmt_machine *m, char *err, size_t len);

/* ------------------------------------------------------------ kmap */

#define MMT_PKMAP_NONE UINT64_MAX

/* PageHighMem: above max_low_pfn on x86_32, never on x86_64. */
bool mmt_page_is_highmem(struct mmt_machine *m, uint64_t pfn);
/* page_address(): 0 and *va, or -ENOENT (highmem page not kmapped). */
int mmt_page_address(struct mmt_machine *m, uint64_t pfn, uint64_t *va);
/* kmap(): 0 and *va, -EAGAIN when every pkmap slot is busy (the kernel
 * would sleep on pkmap_map_wait), -ENOMEM on page-table allocation. */
int mmt_kmap(struct mmt_machine *m, uint64_t pfn, uint64_t *va);
/* kunmap(): -EINVAL when @pfn is not kmapped (the kernel BUGs). */
int mmt_kunmap(struct mmt_machine *m, uint64_t pfn);
/* pkmap slot @nr: its count and pfn (MMT_PKMAP_NONE when free). */
int mmt_pkmap_slot(struct mmt_machine *m, unsigned nr, int *count,
		   uint64_t *pfn);
unsigned mmt_last_pkmap(struct mmt_machine *m);
unsigned mmt_last_pkmap_nr(struct mmt_machine *m);
unsigned long mmt_pkmap_flushes(struct mmt_machine *m);

/* kmap_local_page() on @cpu: 0 and *va; -ENOSPC when the CPU's
 * KM_MAX_IDX slots are in use, -EINVAL for a bad cpu. */
int mmt_kmap_local_page(struct mmt_machine *m, unsigned cpu, uint64_t pfn,
			uint64_t *va);
/* kunmap_local(): -EINVAL unless @va is the top of @cpu's stack (LIFO) or
 * a direct-map address. */
int mmt_kunmap_local(struct mmt_machine *m, unsigned cpu, uint64_t va);
/* Depth of @cpu's kmap_local stack. */
unsigned mmt_kmap_local_depth(struct mmt_machine *m, unsigned cpu);
int mmt_kmap_check(struct mmt_machine *m, char *err, size_t len);

/* ------------------------------------------------------------ fixmap */

enum mmt_fix_use { MMT_FIX_FREE, MMT_FIX_SET, MMT_FIX_KMAP_LOCAL };

uint64_t mmt_fix_to_virt(struct mmt_machine *m, unsigned idx);
/* virt_to_fix: -EINVAL outside [FIXADDR_TOT_START, FIXADDR_TOP). */
int mmt_virt_to_fix(struct mmt_machine *m, uint64_t va, unsigned *idx);
/* set_fixmap(@idx, @phys) with @prot; -EINVAL for a bad or kmap_local
 * index. */
int mmt_set_fixmap(struct mmt_machine *m, unsigned idx, uint64_t phys,
		   uint64_t prot);
int mmt_clear_fixmap(struct mmt_machine *m, unsigned idx);
/* What slot @idx holds: use, and phys when not free. */
enum mmt_fix_use mmt_fixmap_slot(struct mmt_machine *m, unsigned idx,
				 uint64_t *phys);

/* ------------------------------------------------------------ percpu */

/*
 * The first chunk only: one unit of unit_size bytes per online CPU, each a
 * lowmem buddy block; the static per-CPU variables of the kernel image
 * occupy the start of each unit.  A __percpu pointer is the address of
 * CPU 0's copy; per_cpu_ptr(p, cpu) = p + __per_cpu_offset[cpu], the
 * distance from unit 0 to unit cpu.
 */
int mmt_alloc_percpu(struct mmt_machine *m, uint64_t size, uint64_t align,
		     uint64_t *ptr);
int mmt_free_percpu(struct mmt_machine *m, uint64_t ptr);
int mmt_per_cpu_ptr(struct mmt_machine *m, uint64_t ptr, unsigned cpu,
		    uint64_t *addr);
/* pcpu_unit_size; __per_cpu_offset[cpu] (-1 for a CPU not online). */
uint64_t mmt_pcpu_unit_size(struct mmt_machine *m);
uint64_t mmt_per_cpu_offset(struct mmt_machine *m, unsigned cpu);
/* meminfo "Percpu:" in bytes (populated pages of all units). */
uint64_t mmt_percpu_bytes(struct mmt_machine *m);
int mmt_percpu_check(struct mmt_machine *m, char *err, size_t len);

#ifdef __cplusplus
}
#endif

#endif
