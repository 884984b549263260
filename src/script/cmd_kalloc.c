// SPDX-License-Identifier: MIT
/*
 * Scenario commands for every kernel allocator (slab, vmalloc, kmap,
 * fixmap, percpu): `kmalloc NAME SIZE`, `vmalloc NAME SIZE [caller]`,
 * `kmap NAME PAGE` ...  Each prints the address(es) it obtained, so a
 * script reads as a lesson.  NAME binds the result in the script's name
 * table (names.h) for later kfree/vfree/kunmap/per_cpu_ptr lines; a PAGE
 * is any page block, from alloc_page or alloc_pages.
 */
#include "names.h"

#include <mmtwin/kalloc.h>
#include <mmtwin/machine.h>
#include <mmtwin/page_alloc.h>
#include <mmtwin/pgtable.h>
#include <mmtwin/script.h>

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Machine for a command of @min..@max words, or NULL with s->err. */
static struct mmt_machine *prep(struct mmt_script *s, int argc, int min,
				int max, const char *usage)
{
	if (argc < min || argc > max) {
		mmt_script_fail(s, "expected '%s'", usage);
		return NULL;
	}
	return mmt_script_machine(s);
}

#define OBJ(t) MMT_OBJ_MASK(MMT_OBJ_##t)

static int parse_u64(struct mmt_script *s, const char *what, const char *v,
		     uint64_t *out, bool size)
{
	if (size ? mmt_parse_size(v, out) : mmt_parse_addr(v, out))
		return mmt_script_fail(s, "expected %s, got '%s'", what, v);
	return 0;
}

/* "func+0x0/0x0" form the /proc/vmallocinfo caller column expects. */
static void caller_name(const char *given, const char *dflt, char *buf,
			size_t len)
{
	const char *c = given ? given : dflt;

	snprintf(buf, len, strchr(c, '+') ? "%s" : "%s+0x0/0x0", c);
}

static const char *zone_of(struct mmt_machine *m, uint64_t pfn)
{
	int z = mmt_layout_pfn_zone(&m->layout, pfn);

	return z < 0 ? "?" : mmt_zone_name((enum mmt_zone_type)z);
}

static int errno_fail(struct mmt_script *s, const char *op, int e)
{
	return mmt_script_fail(s, "%s failed: %s", op,
			       e == -ENOMEM ? "out of memory (-ENOMEM)" :
			       e == -EINVAL ? "invalid argument (-EINVAL)" :
			       e == -ENOSPC ? "no slot left (-ENOSPC)" :
			       "error");
}

/* ------------------------------------------------------------- slab */

static unsigned order_of(uint64_t size)
{
	unsigned o = 0;

	while ((MMT_PAGE_SIZE << o) < size)
		o++;
	return o;
}

static int cmd_kmalloc(struct mmt_script *s, int argc, char **argv)
{
	const struct mmt_kmem_cache *c;
	struct mmt_machine *m;
	struct mmt_obj *o;
	uint64_t size, addr, pfn;
	int r;

	m = prep(s, argc, 3, 3, "kmalloc NAME SIZE");
	if (!m || parse_u64(s, "a size", argv[2], &size, true) ||
	    !(o = mmt_script_new_name(s, argv[1])))
		return -1;
	r = mmt_kmalloc(m, size, MMT_GFP_KERNEL, &addr);
	if (r == -EINVAL)
		return mmt_script_fail(s, "kmalloc(%" PRIu64 ") fails: above "
				       "KMALLOC_MAX_SIZE (4 MiB)", size);
	if (r)
		return errno_fail(s, "kmalloc", r);
	mmt_name_bind(o, (struct mmt_obj){ .type = MMT_OBJ_KMALLOC,
					   .addr = addr });
	fprintf(s->out, "%s = kmalloc(%" PRIu64 ") = %#" PRIx64, argv[1], size,
		addr);
	if (addr == MMT_ZERO_SIZE_PTR)
		fprintf(s->out, "  (ZERO_SIZE_PTR)\n");
	else if (!mmt_kmalloc_lookup(m, addr, &c, &pfn) && c)
		fprintf(s->out, "  %s, object %" PRIu64 " of the slab at pfn "
			"%#" PRIx64 " (%u pages, %u objects)\n", c->name,
			(uint64_t)((addr & ((MMT_PAGE_SIZE << c->order) - 1)) /
				   c->size),
			pfn, 1u << c->order, c->objects);
	else
		fprintf(s->out, "  pages straight from the buddy (order %u), "
			"pfn %#" PRIx64 "\n", order_of(size), pfn);
	return 0;
}

/* kfree takes any slab object, the kernel's kfree() does too. */
static int cmd_kfree(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m = prep(s, argc, 2, 2, "kfree NAME");
	struct mmt_obj *o;

	if (!m || !(o = mmt_script_get(s, argv[1],
				       OBJ(KMALLOC) | OBJ(CACHE_OBJ))))
		return -1;
	if (mmt_kfree(m, o->addr))
		return mmt_script_fail(s, "kfree(%#" PRIx64 "): not a live "
				       "kmalloc object", o->addr);
	fprintf(s->out, "kfree(%s = %#" PRIx64 ")\n", argv[1], o->addr);
	mmt_name_release(o);
	return 0;
}

static int cmd_kmem_cache_create(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_kmem_cache *c;
	struct mmt_machine *m;
	struct mmt_obj *o;
	uint64_t size, align = 0;
	int e;

	m = prep(s, argc, 3, 4, "kmem_cache_create CACHE SIZE [ALIGN]");
	if (!m || parse_u64(s, "a size", argv[2], &size, true) ||
	    (argc == 4 && parse_u64(s, "an alignment", argv[3], &align, true)))
		return -1;
	if (size > UINT32_MAX || align > UINT32_MAX)
		return mmt_script_fail(s, "size or alignment too large");
	if (!(o = mmt_script_new_name(s, argv[1])))
		return -1;
	c = mmt_kmem_cache_create(m, argv[1], (unsigned)size, (unsigned)align,
				  &e);
	if (!c)
		return mmt_script_fail(s, "kmem_cache_create(%s): %s", argv[1],
				       e == -EEXIST ? "name exists" :
				       "bad name, size or alignment");
	mmt_name_bind(o, (struct mmt_obj){ .type = MMT_OBJ_CACHE, .cache = c });
	fprintf(s->out, "kmem_cache %s: object %u bytes, stride %u, %u "
		"objects per slab of %u pages\n", c->name, c->object_size,
		c->size, c->objects, 1u << c->order);
	return 0;
}

/*
 * The cache CACHE names: one kmem_cache_create made, or a boot-time cache
 * of the slab allocator (kmalloc-64 ...), which no script line named.
 * NULL with s->err in the name table's words.
 */
static struct mmt_kmem_cache *cache_get(struct mmt_script *s,
					struct mmt_machine *m,
					const char *name)
{
	struct mmt_kmem_cache *c = mmt_kmem_cache_find(m, name);
	struct mmt_obj *o;

	if (c)
		return c;
	o = mmt_script_get(s, name, OBJ(CACHE));
	return o ? o->cache : NULL;
}

static int cmd_kmem_cache_alloc(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_kmem_cache *c;
	struct mmt_machine *m;
	struct mmt_obj *o;
	uint64_t addr;
	int r;

	m = prep(s, argc, 3, 3, "kmem_cache_alloc NAME CACHE");
	if (!m || !(c = cache_get(s, m, argv[2])) ||
	    !(o = mmt_script_new_name(s, argv[1])))
		return -1;
	r = mmt_kmem_cache_alloc(m, c, MMT_GFP_KERNEL, &addr);
	if (r)
		return errno_fail(s, "kmem_cache_alloc", r);
	mmt_name_bind(o, (struct mmt_obj){ .type = MMT_OBJ_CACHE_OBJ,
					   .cache = c, .addr = addr });
	fprintf(s->out, "%s = kmem_cache_alloc(%s) = %#" PRIx64 "\n", argv[1],
		c->name, addr);
	return 0;
}

static int cmd_kmem_cache_free(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m = prep(s, argc, 3, 3, "kmem_cache_free CACHE NAME");
	struct mmt_kmem_cache *c;
	struct mmt_obj *o;

	if (!m || !(c = cache_get(s, m, argv[1])) ||
	    !(o = mmt_script_get(s, argv[2], OBJ(CACHE_OBJ))))
		return -1;
	/* the kernel's cache_from_obj() warns and frees into the right one;
	 * a scenario naming the wrong cache is a mistake worth stopping at */
	if (o->cache != c)
		return mmt_script_fail(s, "'%s' is an object of cache '%s', not "
				       "of '%s'", argv[2], o->cache->name,
				       c->name);
	if (mmt_kmem_cache_free(m, c, o->addr))
		return mmt_script_fail(s, "kmem_cache_free(%s, %#" PRIx64 "): "
				       "not a live object", c->name, o->addr);
	fprintf(s->out, "kmem_cache_free(%s, %s = %#" PRIx64 ")\n", c->name,
		argv[2], o->addr);
	mmt_name_release(o);
	return 0;
}

/* ------------------------------------------------------------ vmalloc */

static void print_area_pages(struct mmt_script *s, struct mmt_machine *m,
			     uint64_t addr)
{
	const struct mmt_vm_struct *vm = mmt_find_vm_area(m, addr);
	unsigned n = vm && vm->pfns ? vm->nr_pages : 0;

	if (!vm)
		return;
	if (vm->flags & MMT_VM_MAP)
		n = (unsigned)((vm->size - MMT_PAGE_SIZE) >> MMT_PAGE_SHIFT);
	fprintf(s->out, "  area %#" PRIx64 "-%#" PRIx64 " (guard page at %#"
		PRIx64 ")\n", vm->addr, vm->addr + vm->size,
		(uint64_t)(vm->addr + vm->size - MMT_PAGE_SIZE));
	for (unsigned i = 0; i < n && i < 8; i++)
		fprintf(s->out, "  %#" PRIx64 " -> pfn %#" PRIx64 " (%s)\n",
			vm->addr + ((uint64_t)i << MMT_PAGE_SHIFT), vm->pfns[i],
			zone_of(m, vm->pfns[i]));
	if (n > 8)
		fprintf(s->out, "  ... %u more pages\n", n - 8);
}

static int cmd_vmalloc(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;
	struct mmt_obj *o;
	uint64_t size, addr;
	char caller[MMT_CALLER_MAX];
	int r;

	m = prep(s, argc, 3, 4, "vmalloc NAME SIZE [CALLER]");
	if (!m || parse_u64(s, "a size", argv[2], &size, true) ||
	    !(o = mmt_script_new_name(s, argv[1])))
		return -1;
	caller_name(argc == 4 ? argv[3] : NULL, "vmalloc", caller,
		    sizeof(caller));
	r = mmt_vmalloc(m, size, caller, &addr);
	if (r)
		return errno_fail(s, "vmalloc", r);
	mmt_name_bind(o, (struct mmt_obj){ .type = MMT_OBJ_VMALLOC,
					   .addr = addr });
	fprintf(s->out, "%s = vmalloc(%" PRIu64 ") = %#" PRIx64 "\n", argv[1],
		size, addr);
	print_area_pages(s, m, addr);
	return 0;
}

/* Release a vmalloc, vmap or ioremap area (whichever of @types it is). */
static int unmap_area(struct mmt_script *s, int argc, char **argv,
		      unsigned types, const char *usage)
{
	static const char *const op[MMT_NR_OBJ_TYPES] = {
		[MMT_OBJ_VMALLOC] = "vfree", [MMT_OBJ_VMAP] = "vunmap",
		[MMT_OBJ_IOREMAP] = "iounmap",
	};
	struct mmt_machine *m = prep(s, argc, 2, 2, usage);
	struct mmt_obj *o;
	int r;

	if (!m || !(o = mmt_script_get(s, argv[1], types)))
		return -1;
	if (o->type == MMT_OBJ_VMALLOC)
		r = mmt_vfree(m, o->addr);
	else if (o->type == MMT_OBJ_VMAP)
		r = mmt_vunmap(m, o->addr);
	else
		r = mmt_iounmap(m, o->addr);
	if (r)
		return errno_fail(s, op[o->type], r);
	fprintf(s->out, "%s(%s = %#" PRIx64 "): unmapped, TLB flushed\n",
		op[o->type], argv[1], o->addr);
	mmt_name_release(o);
	return 0;
}

/* vfree() of a vmap or ioremap area works in the model (one area list);
 * vunmap and iounmap insist on their own kind. */
static int cmd_vfree(struct mmt_script *s, int argc, char **argv)
{
	return unmap_area(s, argc, argv, OBJ(VMALLOC) | OBJ(VMAP) |
			  OBJ(IOREMAP), "vfree NAME");
}

static int cmd_vunmap(struct mmt_script *s, int argc, char **argv)
{
	return unmap_area(s, argc, argv, OBJ(VMAP), "vunmap NAME");
}

static int cmd_iounmap(struct mmt_script *s, int argc, char **argv)
{
	return unmap_area(s, argc, argv, OBJ(IOREMAP), "iounmap NAME");
}

/*
 * The pfns of the page blocks named by argv[first..argc-1], every page of
 * each (a higher-order block maps as its pages would, in order).  A
 * malloc'd array in *pfns, its length in *n; -1 with s->err set.
 */
static int block_pfns(struct mmt_script *s, int argc, char **argv, int first,
		      uint64_t **pfns, unsigned *n)
{
	struct mmt_obj *blk[MMT_SCRIPT_MAX_ARGS];
	unsigned total = 0, nr = 0;

	for (int i = first; i < argc; i++) {
		blk[nr] = mmt_script_get(s, argv[i], OBJ(PAGES));
		if (!blk[nr])
			return -1;
		total += 1u << blk[nr++]->order;	/* <= 32 << 10 */
	}
	*pfns = malloc(total * sizeof(**pfns));
	if (!*pfns)
		return mmt_script_fail(s, "out of host memory");
	*n = 0;
	for (unsigned b = 0; b < nr; b++)
		for (unsigned p = 0; p < 1u << blk[b]->order; p++)
			(*pfns)[(*n)++] = blk[b]->pfn + p;
	return 0;
}

static int cmd_vmap(struct mmt_script *s, int argc, char **argv)
{
	char caller[MMT_CALLER_MAX];
	struct mmt_machine *m;
	struct mmt_obj *o;
	uint64_t *pfns, addr;
	unsigned n = 0;
	int r;

	m = prep(s, argc, 3, MMT_SCRIPT_MAX_ARGS, "vmap NAME PAGE...");
	if (!m || !(o = mmt_script_new_name(s, argv[1])) ||
	    block_pfns(s, argc, argv, 2, &pfns, &n))
		return -1;
	caller_name(NULL, "vmap", caller, sizeof(caller));
	r = mmt_vmap(m, pfns, n, caller, &addr);
	free(pfns);
	if (r)
		return errno_fail(s, "vmap", r);
	mmt_name_bind(o, (struct mmt_obj){ .type = MMT_OBJ_VMAP, .addr = addr });
	fprintf(s->out, "%s = vmap(%u pages) = %#" PRIx64 "\n", argv[1], n,
		addr);
	print_area_pages(s, m, addr);
	return 0;
}

static int cmd_ioremap(struct mmt_script *s, int argc, char **argv)
{
	char caller[MMT_CALLER_MAX];
	struct mmt_machine *m;
	struct mmt_obj *o;
	uint64_t phys, size, addr;
	int r;

	m = prep(s, argc, 4, 4, "ioremap NAME PHYS SIZE");
	if (!m || parse_u64(s, "a physical address", argv[2], &phys, false) ||
	    parse_u64(s, "a size", argv[3], &size, true) ||
	    !(o = mmt_script_new_name(s, argv[1])))
		return -1;
	caller_name(NULL, "ioremap", caller, sizeof(caller));
	r = mmt_ioremap(m, phys, size, caller, &addr);
	if (r == -EINVAL)
		return mmt_script_fail(s, "ioremap(%#" PRIx64 ", %" PRIu64 "): "
				       "empty, out of range or System RAM",
				       phys, size);
	if (r)
		return errno_fail(s, "ioremap", r);
	mmt_name_bind(o, (struct mmt_obj){ .type = MMT_OBJ_IOREMAP,
					   .addr = addr });
	fprintf(s->out, "%s = ioremap(%#" PRIx64 ", %" PRIu64 ") = %#" PRIx64
		" (uncached)\n", argv[1], phys, size, addr);
	return 0;
}

/* --------------------------------------------------------------- kmap */

static int cmd_alloc_page(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;
	struct mmt_obj *o;
	unsigned gfp = MMT_GFP_KERNEL;
	uint64_t pfn, va;

	m = prep(s, argc, 2, 3, "alloc_page NAME [GFP]");
	if (!m)
		return -1;
	if (argc == 3 && mmt_gfp_parse(argv[2], &gfp))
		return mmt_script_fail(s, "unknown GFP flags '%s' (e.g. "
				       "GFP_KERNEL, GFP_HIGHUSER, "
				       "GFP_KERNEL|__GFP_HIGHMEM)", argv[2]);
	if (mmt_gfp_zone_bad(gfp))
		return mmt_script_fail(s, "GFP flags '%s' name no zone: "
				       "GFP_ZONE_BAD (two of __GFP_DMA, "
				       "__GFP_DMA32, __GFP_HIGHMEM)", argv[2]);
	if (!(o = mmt_script_new_name(s, argv[1])))
		return -1;
	if (mmt_alloc_pages(m, gfp, 0, &pfn))
		return mmt_script_fail(s, "alloc_page: out of memory");
	mmt_name_bind(o, (struct mmt_obj){ .type = MMT_OBJ_PAGES, .pfn = pfn });
	fprintf(s->out, "%s = alloc_page(%s) = pfn %#" PRIx64 " (phys %#" PRIx64
		", %s)", argv[1], argc == 3 ? argv[2] : "GFP_KERNEL", pfn,
		pfn << MMT_PAGE_SHIFT, zone_of(m, pfn));
	if (mmt_page_address(m, pfn, &va))
		fprintf(s->out, ": highmem, no direct-map address\n");
	else
		fprintf(s->out, ": page_address %#" PRIx64 "\n", va);
	return 0;
}

/* kmap/kmap_local of a block map its first page, as kmap(alloc_pages())
 * does with the head page the kernel returns. */
static int cmd_kmap(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_obj *p, *o;
	struct mmt_machine *m;
	uint64_t va;
	int r, count;

	m = prep(s, argc, 3, 3, "kmap NAME PAGE");
	if (!m || !(p = mmt_script_get(s, argv[2], OBJ(PAGES))) ||
	    !(o = mmt_script_new_name(s, argv[1])))
		return -1;
	r = mmt_kmap(m, p->pfn, &va);
	if (r == -EAGAIN) {
		fprintf(s->out, "%s = kmap(%s): would sleep -- all %u pkmap "
			"slots are in use (pkmap_map_wait)\n", argv[1], argv[2],
			mmt_last_pkmap(m));
		return 0;
	}
	if (r)
		return errno_fail(s, "kmap", r);
	mmt_name_bind(o, (struct mmt_obj){ .type = MMT_OBJ_KMAP, .addr = va,
					   .pfn = p->pfn });
	fprintf(s->out, "%s = kmap(%s) = %#" PRIx64, argv[1], argv[2], va);
	if (mmt_page_is_highmem(m, p->pfn)) {
		unsigned nr = (unsigned)((va - m->layout.pkmap_base) >>
					 MMT_PAGE_SHIFT);
		uint64_t pfn;

		mmt_pkmap_slot(m, nr, &count, &pfn);
		fprintf(s->out, "  pkmap slot %u, pkmap_count %d\n", nr, count);
	} else {
		fprintf(s->out, "  lowmem: page_address(), no slot used\n");
	}
	return 0;
}

static int cmd_kunmap(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m = prep(s, argc, 2, 2, "kunmap NAME");
	struct mmt_obj *o;

	if (!m || !(o = mmt_script_get(s, argv[1], OBJ(KMAP))))
		return -1;
	if (mmt_kunmap(m, o->pfn))
		return mmt_script_fail(s, "kunmap(%s): page not kmapped",
				       argv[1]);
	fprintf(s->out, "kunmap(%s = %#" PRIx64 ")\n", argv[1], o->addr);
	mmt_name_release(o);
	return 0;
}

static int cmd_kmap_local(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_obj *p, *o;
	struct mmt_machine *m;
	uint64_t cpu = 0, va;
	unsigned fix;
	int r;

	m = prep(s, argc, 3, 5, "kmap_local NAME PAGE [cpu N]");
	if (!m)
		return -1;
	if (argc != 3 && (argc != 5 || strcmp(argv[3], "cpu") ||
			  parse_u64(s, "a CPU number", argv[4], &cpu, false)))
		return mmt_script_fail(s, "expected 'kmap_local NAME PAGE "
				       "[cpu N]'");
	if (cpu >= m->cfg.online_cpus)
		return mmt_script_fail(s, "cpu %" PRIu64 " is not online (%u "
				       "CPUs)", cpu, m->cfg.online_cpus);
	if (!(p = mmt_script_get(s, argv[2], OBJ(PAGES))) ||
	    !(o = mmt_script_new_name(s, argv[1])))
		return -1;
	r = mmt_kmap_local_page(m, (unsigned)cpu, p->pfn, &va);
	if (r == -ENOSPC)
		return mmt_script_fail(s, "kmap_local: cpu %" PRIu64 " has all "
				       "KM_MAX_IDX slots in use", cpu);
	if (r)
		return errno_fail(s, "kmap_local", r);
	mmt_name_bind(o, (struct mmt_obj){ .type = MMT_OBJ_KMAP_LOCAL,
					   .addr = va, .pfn = p->pfn,
					   .cpu = (unsigned)cpu });
	fprintf(s->out, "%s = kmap_local_page(%s) on cpu %" PRIu64 " = %#"
		PRIx64, argv[1], argv[2], cpu, va);
	if (!mmt_virt_to_fix(m, va, &fix))
		fprintf(s->out, "  fixmap slot %u = FIX_KMAP_BEGIN + %u\n", fix,
			fix - m->layout.fix_kmap_begin);
	else
		fprintf(s->out, "  lowmem: page_address(), no slot used\n");
	return 0;
}

static int cmd_kunmap_local(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m = prep(s, argc, 2, 2, "kunmap_local NAME");
	struct mmt_obj *o;

	if (!m || !(o = mmt_script_get(s, argv[1], OBJ(KMAP_LOCAL))))
		return -1;
	if (mmt_kunmap_local(m, o->cpu, o->addr))
		return mmt_script_fail(s, "kunmap_local(%s): not the most recent "
				       "kmap_local of cpu %u (unmapping must be "
				       "LIFO)", argv[1], o->cpu);
	fprintf(s->out, "kunmap_local(%s = %#" PRIx64 ")\n", argv[1], o->addr);
	mmt_name_release(o);
	return 0;
}

/* ------------------------------------------------------ fixmap, percpu */

static int cmd_set_fixmap(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;
	uint64_t idx, phys;

	m = prep(s, argc, 3, 3, "set_fixmap IDX PHYS");
	if (!m || parse_u64(s, "a fixmap index", argv[1], &idx, false) ||
	    parse_u64(s, "a physical address", argv[2], &phys, false))
		return -1;
	if (idx > UINT32_MAX ||
	    mmt_set_fixmap(m, (unsigned)idx, phys, MMT_PAGE_KERNEL))
		return mmt_script_fail(s, "set_fixmap(%s): index not usable "
				       "(out of range or a kmap_local slot) or "
				       "bad address", argv[1]);
	fprintf(s->out, "set_fixmap(%" PRIu64 ", %#" PRIx64 "): fix_to_virt = %#"
		PRIx64 "\n", idx, phys, mmt_fix_to_virt(m, (unsigned)idx));
	return 0;
}

static int cmd_clear_fixmap(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;
	uint64_t idx;

	m = prep(s, argc, 2, 2, "clear_fixmap IDX");
	if (!m || parse_u64(s, "a fixmap index", argv[1], &idx, false))
		return -1;
	if (idx > UINT32_MAX || mmt_clear_fixmap(m, (unsigned)idx))
		return mmt_script_fail(s, "clear_fixmap(%s): slot not set",
				       argv[1]);
	fprintf(s->out, "clear_fixmap(%" PRIu64 ")\n", idx);
	return 0;
}

static int cmd_alloc_percpu(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;
	struct mmt_obj *o;
	uint64_t size, align = 8, ptr;
	int r;

	m = prep(s, argc, 3, 4, "alloc_percpu NAME SIZE [ALIGN]");
	if (!m || parse_u64(s, "a size", argv[2], &size, true) ||
	    (argc == 4 && parse_u64(s, "an alignment", argv[3], &align, true)))
		return -1;
	/* __alloc_percpu() callers pass __alignof__(type), a power of two;
	 * pcpu_alloc() refuses others (it rounds only those below 4 up) */
	if (align & (align - 1) || !align)
		return mmt_script_fail(s, "alloc_percpu: ALIGN %s is not a "
				       "power of two", argv[3]);
	if (!(o = mmt_script_new_name(s, argv[1])))
		return -1;
	r = mmt_alloc_percpu(m, size, align, &ptr);
	if (r == -EINVAL)
		return mmt_script_fail(s, "alloc_percpu: size must be 1..32K, "
				       "align a power of two <= 4K");
	if (r)
		return errno_fail(s, "alloc_percpu", r);
	mmt_name_bind(o, (struct mmt_obj){ .type = MMT_OBJ_PERCPU,
					   .addr = ptr });
	fprintf(s->out, "%s = alloc_percpu(%" PRIu64 ") = %#" PRIx64 " (cpu 0's "
		"copy; unit size %#" PRIx64 ")\n", argv[1], size, ptr,
		mmt_pcpu_unit_size(m));
	return 0;
}

static int cmd_per_cpu_ptr(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;
	struct mmt_obj *o;
	uint64_t cpu, addr;

	m = prep(s, argc, 3, 3, "per_cpu_ptr NAME CPU");
	if (!m || !(o = mmt_script_get(s, argv[1], OBJ(PERCPU))) ||
	    parse_u64(s, "a CPU number", argv[2], &cpu, false))
		return -1;
	if (cpu > UINT32_MAX || mmt_per_cpu_ptr(m, o->addr, (unsigned)cpu,
						&addr))
		return mmt_script_fail(s, "cpu %s is not online (%u CPUs)",
				       argv[2], m->cfg.online_cpus);
	fprintf(s->out, "per_cpu_ptr(%s, %" PRIu64 ") = %#" PRIx64 "\n",
		argv[1], cpu, addr);
	return 0;
}

static int cmd_free_percpu(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m = prep(s, argc, 2, 2, "free_percpu NAME");
	struct mmt_obj *o;

	if (!m || !(o = mmt_script_get(s, argv[1], OBJ(PERCPU))))
		return -1;
	if (mmt_free_percpu(m, o->addr))
		return mmt_script_fail(s, "free_percpu(%s) failed", argv[1]);
	fprintf(s->out, "free_percpu(%s)\n", argv[1]);
	mmt_name_release(o);
	return 0;
}

const struct mmt_script_cmd mmt_script_cmds_kalloc[] = {
	{ "kmalloc", "kmalloc NAME SIZE", "kmalloc: slab object or pages",
	  cmd_kmalloc },
	{ "kfree", "kfree NAME", "free a kmalloc/kmem_cache object",
	  cmd_kfree },
	{ "kmem_cache_create", "kmem_cache_create CACHE SIZE [ALIGN]",
	  "create a named slab cache", cmd_kmem_cache_create },
	{ "kmem_cache_alloc", "kmem_cache_alloc NAME CACHE",
	  "allocate from a named slab cache", cmd_kmem_cache_alloc },
	{ "kmem_cache_free", "kmem_cache_free CACHE NAME",
	  "free an object back to its slab cache", cmd_kmem_cache_free },
	{ "vmalloc", "vmalloc NAME SIZE [CALLER]",
	  "virtually contiguous pages in the vmalloc area", cmd_vmalloc },
	{ "vfree", "vfree NAME", "vfree/vunmap/iounmap, whichever fits",
	  cmd_vfree },
	{ "vmap", "vmap NAME PAGE...",
	  "map page blocks (every page of each) contiguously", cmd_vmap },
	{ "vunmap", "vunmap NAME", "unmap a vmap area", cmd_vunmap },
	{ "ioremap", "ioremap NAME PHYS SIZE", "map device memory uncached",
	  cmd_ioremap },
	{ "iounmap", "iounmap NAME", "unmap an ioremap area", cmd_iounmap },
	{ "alloc_page", "alloc_page NAME [GFP]",
	  "one page, an order-0 block (to kmap/vmap)", cmd_alloc_page },
	{ "kmap", "kmap NAME PAGE", "persistent kmap (pkmap slot)", cmd_kmap },
	{ "kunmap", "kunmap NAME", "drop a kmap", cmd_kunmap },
	{ "kmap_local", "kmap_local NAME PAGE [cpu N]",
	  "kmap_local_page (fixmap slot)", cmd_kmap_local },
	{ "kunmap_local", "kunmap_local NAME", "LIFO unmap of a kmap_local",
	  cmd_kunmap_local },
	{ "set_fixmap", "set_fixmap IDX PHYS", "point a fixmap slot at PHYS",
	  cmd_set_fixmap },
	{ "clear_fixmap", "clear_fixmap IDX", "clear a fixmap slot",
	  cmd_clear_fixmap },
	{ "alloc_percpu", "alloc_percpu NAME SIZE [ALIGN]",
	  "per-CPU variable in the first chunk", cmd_alloc_percpu },
	{ "per_cpu_ptr", "per_cpu_ptr NAME CPU", "address of CPU's copy",
	  cmd_per_cpu_ptr },
	{ "free_percpu", "free_percpu NAME", "free a per-CPU variable",
	  cmd_free_percpu },
	{ NULL, NULL, NULL, NULL }
};
