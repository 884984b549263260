/* SPDX-License-Identifier: MIT */
/*
 * mm/kalloc_internal.h - the kernel allocators' state, private to the
 * library (mm/, the views, the scenario commands, the tests): SLUB's
 * slabs, the state hanging off m->kalloc, and the boot/teardown hooks
 * mmt_kalloc_init() calls.  The API is <mmtwin/kalloc.h>.
 */
#ifndef MMT_MM_KALLOC_INTERNAL_H
#define MMT_MM_KALLOC_INTERNAL_H

#include <mmtwin/kalloc.h>

/* One slab: 2^order pages of lowmem holding @objects objects. */
struct mmt_slab {
	uint64_t pfn;		/* first page */
	uint64_t vaddr;		/* __va(pfn << PAGE_SHIFT) */
	unsigned inuse;		/* allocated objects */
	int freelist;		/* first free object index, -1 when full */
	int *next_free;		/* per object: next free index (LIFO chain) */
	bool *used;		/* per object: allocated? (for the checker) */
	struct mmt_slab *next, *prev;	/* s->slabs, newest first */
	/* s->partial: the slabs with a free object, newest first (the
	 * kernel's CPU slab and node partial list pick the same one) */
	struct mmt_slab *pnext, *pprev;
	uint64_t seq;		/* creation order: larger is newer */
	bool on_partial;
};

/* ------------------------------------------------------------ state */

struct mmt_pfnmap_ent;
struct mmt_pcpu_area;

struct mmt_kalloc {
	/* slab */
	struct mmt_kmem_cache *slab_caches;	/* newest first */
	struct mmt_kmem_cache *kmalloc_caches[MMT_KMALLOC_SHIFT_HIGH + 1];
	struct mmt_pfnmap_ent **pfnmap;		/* pfn -> slab / large kmalloc */
	unsigned pfnmap_buckets;
	unsigned nr_cpus;			/* present CPUs */

	/* vmalloc */
	struct mmt_vm_struct *vmap_areas;	/* busy, sorted by address */
	unsigned long nr_vmap_areas;

	/* pkmap (x86_32 only; last_pkmap == 0 on x86_64) */
	unsigned last_pkmap;
	unsigned last_pkmap_nr;
	int *pkmap_count;
	uint64_t *pkmap_page;
	unsigned long pkmap_flushes;

	/* fixmap and kmap_local */
	unsigned fix_total;
	uint8_t *fix_use;			/* enum mmt_fix_use per index */
	uint64_t *fix_phys;
	unsigned km_max_idx;
	unsigned *kmap_idx;			/* per CPU stack depth */
	uint64_t *kmap_pfn;			/* [cpu * km_max_idx + idx] */

	/* percpu first chunk */
	uint64_t *pcpu_unit_pfn;		/* first page of each unit */
	uint64_t *pcpu_unit_base;		/* its direct-map address */
	unsigned pcpu_order;			/* buddy order of one unit */
	uint64_t pcpu_base;			/* unit 0's address */
	uint64_t pcpu_unit_size;
	uint64_t pcpu_static_size;
	unsigned pcpu_nr_units;
	struct mmt_pcpu_area *pcpu_areas;	/* sorted by offset */
};

/* Boot/teardown of each part, called by mmt_kalloc_init/exit in order. */
int mmt_slab_init(struct mmt_machine *m, char *err, size_t len);
void mmt_slab_exit(struct mmt_machine *m);
void mmt_vmalloc_exit(struct mmt_machine *m);
int mmt_kmap_init(struct mmt_machine *m, char *err, size_t len);
void mmt_kmap_exit(struct mmt_machine *m);
int mmt_percpu_init(struct mmt_machine *m, char *err, size_t len);
void mmt_percpu_exit(struct mmt_machine *m);

#endif
