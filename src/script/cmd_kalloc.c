// SPDX-License-Identifier: MIT
/*
 * Scenario commands for every kernel allocator (slab, vmalloc, kmap,
 * fixmap, percpu): `kmalloc NAME SIZE`, `vmalloc NAME SIZE [caller]`,
 * `kmap NAME PAGE` ...  Each prints the address(es) it obtained, so a
 * script reads as a lesson.  NAME binds the result on the machine
 * (m->kalloc->names) for later kfree/vfree/kunmap/per_cpu_ptr lines.
 */
#include <mmtwin/kalloc.h>
#include <mmtwin/machine.h>
#include <mmtwin/page_alloc.h>
#include <mmtwin/pgtable.h>
#include <mmtwin/script.h>

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum name_kind {
	NK_KMALLOC, NK_VMALLOC, NK_VMAP, NK_IOREMAP, NK_PAGE, NK_KMAP,
	NK_KMAP_LOCAL, NK_PERCPU, NK_CACHE
};

struct mmt_kalloc_name {
	char name[32];
	enum name_kind kind;
	uint64_t addr;		/* virtual address, or pfn for NK_PAGE */
	uint64_t pfn;		/* page behind a kmap */
	unsigned cpu;
	struct mmt_kalloc_name *next;
};

static const char *const kind_name[] = {
	"kmalloc", "vmalloc", "vmap", "ioremap", "alloc_page", "kmap",
	"kmap_local", "alloc_percpu", "kmem_cache_create"
};

void mmt_kalloc_names_free(struct mmt_machine *m)
{
	while (m->kalloc->names) {
		struct mmt_kalloc_name *n = m->kalloc->names;

		m->kalloc->names = n->next;
		free(n);
	}
}

static struct mmt_kalloc_name *name_find(struct mmt_machine *m,
					 const char *name)
{
	for (struct mmt_kalloc_name *n = m->kalloc->names; n; n = n->next)
		if (!strcmp(n->name, name))
			return n;
	return NULL;
}

/* The binding @name of @kind, or NULL with s->err set. */
static struct mmt_kalloc_name *name_get(struct mmt_script *s,
					struct mmt_machine *m,
					const char *name, enum name_kind kind)
{
	struct mmt_kalloc_name *n = name_find(m, name);

	if (!n)
		mmt_script_fail(s, "'%s' is not defined (expected a name bound "
				"by %s)", name, kind_name[kind]);
	else if (n->kind != kind)
		mmt_script_fail(s, "'%s' was bound by %s, expected one bound "
				"by %s", name, kind_name[n->kind],
				kind_name[kind]);
	return n && n->kind == kind ? n : NULL;
}

static int name_bind(struct mmt_script *s, struct mmt_machine *m,
		     const char *name, enum name_kind kind, uint64_t addr,
		     uint64_t pfn, unsigned cpu)
{
	struct mmt_kalloc_name *n;

	n = calloc(1, sizeof(*n));
	if (!n)
		return mmt_script_fail(s, "out of host memory");
	snprintf(n->name, sizeof(n->name), "%s", name);
	*n = (struct mmt_kalloc_name){ .kind = kind, .addr = addr, .pfn = pfn,
				       .cpu = cpu, .next = m->kalloc->names };
	snprintf(n->name, sizeof(n->name), "%s", name);
	m->kalloc->names = n;
	return 0;
}

static void name_drop(struct mmt_machine *m, struct mmt_kalloc_name *victim)
{
	for (struct mmt_kalloc_name **pp = &m->kalloc->names; *pp;
	     pp = &(*pp)->next)
		if (*pp == victim) {
			*pp = victim->next;
			free(victim);
			return;
		}
}

/* Machine + a fresh NAME (argv[1]), or NULL with s->err. */
static struct mmt_machine *prep(struct mmt_script *s, int argc, char **argv,
				int min, int max, const char *usage,
				bool new_name)
{
	struct mmt_machine *m;

	if (argc < min || argc > max) {
		mmt_script_fail(s, "expected '%s'", usage);
		return NULL;
	}
	m = mmt_script_machine(s);
	if (!m)
		return NULL;
	if (new_name && (strlen(argv[1]) >= 32 || name_find(m, argv[1]))) {
		mmt_script_fail(s, "name '%s' is already bound or longer than "
				"31 characters", argv[1]);
		return NULL;
	}
	return m;
}

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
	for (int z = 0; z < MMT_NR_ZONES; z++)
		if (pfn >= m->layout.zone_start_pfn[z] &&
		    pfn < m->layout.zone_end_pfn[z])
			return mmt_zone_name((enum mmt_zone_type)z);
	return "?";
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
	uint64_t size, addr, pfn;
	int r;

	m = prep(s, argc, argv, 3, 3, "kmalloc NAME SIZE", true);
	if (!m || parse_u64(s, "a size", argv[2], &size, true))
		return -1;
	r = mmt_kmalloc(m, size, MMT_GFP_KERNEL, &addr);
	if (r == -EINVAL)
		return mmt_script_fail(s, "kmalloc(%" PRIu64 ") fails: above "
				       "KMALLOC_MAX_SIZE (4 MiB)", size);
	if (r)
		return errno_fail(s, "kmalloc", r);
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
	return name_bind(s, m, argv[1], NK_KMALLOC, addr, 0, 0);
}

static int cmd_kfree(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_kalloc_name *n;
	struct mmt_machine *m = prep(s, argc, argv, 2, 2, "kfree NAME", false);

	if (!m || !(n = name_get(s, m, argv[1], NK_KMALLOC)))
		return -1;
	if (mmt_kfree(m, n->addr))
		return mmt_script_fail(s, "kfree(%#" PRIx64 "): not a live "
				       "kmalloc object", n->addr);
	fprintf(s->out, "kfree(%s = %#" PRIx64 ")\n", argv[1], n->addr);
	name_drop(m, n);
	return 0;
}

static int cmd_kmem_cache_create(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_kmem_cache *c;
	struct mmt_machine *m;
	uint64_t size, align = 0;
	int e;

	m = prep(s, argc, argv, 3, 4, "kmem_cache_create CACHE SIZE [ALIGN]",
		 false);
	if (!m || parse_u64(s, "a size", argv[2], &size, true) ||
	    (argc == 4 && parse_u64(s, "an alignment", argv[3], &align, true)))
		return -1;
	/* __alloc_percpu() callers pass __alignof__(type), a power of two;
	 * pcpu_alloc() refuses others (it rounds only those below 4 up) */
	if (align & (align - 1) || !align)
		return mmt_script_fail(s, "alloc_percpu: ALIGN %s is not a "
				       "power of two", argv[3]);
	if (size > UINT32_MAX || align > UINT32_MAX)
		return mmt_script_fail(s, "size or alignment too large");
	c = mmt_kmem_cache_create(m, argv[1], (unsigned)size, (unsigned)align,
				  &e);
	if (!c)
		return mmt_script_fail(s, "kmem_cache_create(%s): %s", argv[1],
				       e == -EEXIST ? "name exists" :
				       "bad name, size or alignment");
	fprintf(s->out, "kmem_cache %s: object %u bytes, stride %u, %u "
		"objects per slab of %u pages\n", c->name, c->object_size,
		c->size, c->objects, 1u << c->order);
	return 0;
}

static int cmd_kmem_cache_alloc(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_kmem_cache *c;
	struct mmt_machine *m;
	uint64_t addr;
	int r;

	m = prep(s, argc, argv, 3, 3, "kmem_cache_alloc NAME CACHE", true);
	if (!m)
		return -1;
	c = mmt_kmem_cache_find(m, argv[2]);
	if (!c)
		return mmt_script_fail(s, "no slab cache named '%s'", argv[2]);
	r = mmt_kmem_cache_alloc(m, c, MMT_GFP_KERNEL, &addr);
	if (r)
		return errno_fail(s, "kmem_cache_alloc", r);
	fprintf(s->out, "%s = kmem_cache_alloc(%s) = %#" PRIx64 "\n", argv[1],
		c->name, addr);
	return name_bind(s, m, argv[1], NK_KMALLOC, addr, 0, 0);
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
	uint64_t size, addr;
	char caller[MMT_CALLER_MAX];
	int r;

	m = prep(s, argc, argv, 3, 4, "vmalloc NAME SIZE [CALLER]", true);
	if (!m || parse_u64(s, "a size", argv[2], &size, true))
		return -1;
	caller_name(argc == 4 ? argv[3] : NULL, "vmalloc", caller,
		    sizeof(caller));
	r = mmt_vmalloc(m, size, caller, &addr);
	if (r)
		return errno_fail(s, "vmalloc", r);
	fprintf(s->out, "%s = vmalloc(%" PRIu64 ") = %#" PRIx64 "\n", argv[1],
		size, addr);
	print_area_pages(s, m, addr);
	return name_bind(s, m, argv[1], NK_VMALLOC, addr, 0, 0);
}

static int cmd_vfree(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m = prep(s, argc, argv, 2, 2, "vfree NAME", false);
	struct mmt_kalloc_name *n;
	int r;

	if (!m || !(n = name_find(m, argv[1])))
		return m ? mmt_script_fail(s, "'%s' is not defined", argv[1])
			 : -1;
	if (n->kind == NK_VMALLOC)
		r = mmt_vfree(m, n->addr);
	else if (n->kind == NK_VMAP)
		r = mmt_vunmap(m, n->addr);
	else if (n->kind == NK_IOREMAP)
		r = mmt_iounmap(m, n->addr);
	else
		return mmt_script_fail(s, "'%s' is no vmalloc/vmap/ioremap "
				       "address", argv[1]);
	if (r)
		return errno_fail(s, "vfree", r);
	fprintf(s->out, "%s(%s = %#" PRIx64 "): unmapped, TLB flushed\n",
		n->kind == NK_VMALLOC ? "vfree" : n->kind == NK_VMAP ? "vunmap"
		: "iounmap", argv[1], n->addr);
	name_drop(m, n);
	return 0;
}

static int cmd_vmap(struct mmt_script *s, int argc, char **argv)
{
	uint64_t pfns[MMT_SCRIPT_MAX_ARGS], addr;
	char caller[MMT_CALLER_MAX];
	struct mmt_machine *m;
	int r;

	m = prep(s, argc, argv, 3, MMT_SCRIPT_MAX_ARGS,
		 "vmap NAME PAGE...", true);
	if (!m)
		return -1;
	for (int i = 2; i < argc; i++) {
		struct mmt_kalloc_name *p = name_get(s, m, argv[i], NK_PAGE);

		if (!p)
			return -1;
		pfns[i - 2] = p->addr;
	}
	caller_name(NULL, "vmap", caller, sizeof(caller));
	r = mmt_vmap(m, pfns, (unsigned)argc - 2, caller, &addr);
	if (r)
		return errno_fail(s, "vmap", r);
	fprintf(s->out, "%s = vmap(%d pages) = %#" PRIx64 "\n", argv[1],
		argc - 2, addr);
	print_area_pages(s, m, addr);
	return name_bind(s, m, argv[1], NK_VMAP, addr, 0, 0);
}

static int cmd_ioremap(struct mmt_script *s, int argc, char **argv)
{
	char caller[MMT_CALLER_MAX];
	struct mmt_machine *m;
	uint64_t phys, size, addr;
	int r;

	m = prep(s, argc, argv, 4, 4, "ioremap NAME PHYS SIZE", true);
	if (!m || parse_u64(s, "a physical address", argv[2], &phys, false) ||
	    parse_u64(s, "a size", argv[3], &size, true))
		return -1;
	caller_name(NULL, "ioremap", caller, sizeof(caller));
	r = mmt_ioremap(m, phys, size, caller, &addr);
	if (r == -EINVAL)
		return mmt_script_fail(s, "ioremap(%#" PRIx64 ", %" PRIu64 "): "
				       "empty, out of range or System RAM",
				       phys, size);
	if (r)
		return errno_fail(s, "ioremap", r);
	fprintf(s->out, "%s = ioremap(%#" PRIx64 ", %" PRIu64 ") = %#" PRIx64
		" (uncached)\n", argv[1], phys, size, addr);
	return name_bind(s, m, argv[1], NK_IOREMAP, addr, 0, 0);
}

/* --------------------------------------------------------------- kmap */


static int cmd_alloc_page(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;
	unsigned gfp = MMT_GFP_KERNEL;
	uint64_t pfn, va;

	m = prep(s, argc, argv, 2, 3, "alloc_page NAME [GFP]", true);
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
	if (mmt_alloc_pages(m, gfp, 0, &pfn))
		return mmt_script_fail(s, "alloc_page: out of memory");
	fprintf(s->out, "%s = alloc_page(%s) = pfn %#" PRIx64 " (phys %#" PRIx64
		", %s)", argv[1], argc == 3 ? argv[2] : "GFP_KERNEL", pfn,
		pfn << MMT_PAGE_SHIFT, zone_of(m, pfn));
	if (mmt_page_address(m, pfn, &va))
		fprintf(s->out, ": highmem, no direct-map address\n");
	else
		fprintf(s->out, ": page_address %#" PRIx64 "\n", va);
	return name_bind(s, m, argv[1], NK_PAGE, pfn, pfn, 0);
}

static int cmd_kmap(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_kalloc_name *p;
	struct mmt_machine *m;
	uint64_t va;
	int r, count;

	m = prep(s, argc, argv, 3, 3, "kmap NAME PAGE", true);
	if (!m || !(p = name_get(s, m, argv[2], NK_PAGE)))
		return -1;
	r = mmt_kmap(m, p->addr, &va);
	if (r == -EAGAIN) {
		fprintf(s->out, "%s = kmap(%s): would sleep -- all %u pkmap "
			"slots are in use (pkmap_map_wait)\n", argv[1], argv[2],
			mmt_last_pkmap(m));
		return 0;
	}
	if (r)
		return errno_fail(s, "kmap", r);
	fprintf(s->out, "%s = kmap(%s) = %#" PRIx64, argv[1], argv[2], va);
	if (mmt_page_is_highmem(m, p->addr)) {
		unsigned nr = (unsigned)((va - m->layout.pkmap_base) >>
					 MMT_PAGE_SHIFT);
		uint64_t pfn;

		mmt_pkmap_slot(m, nr, &count, &pfn);
		fprintf(s->out, "  pkmap slot %u, pkmap_count %d\n", nr, count);
	} else {
		fprintf(s->out, "  lowmem: page_address(), no slot used\n");
	}
	return name_bind(s, m, argv[1], NK_KMAP, va, p->addr, 0);
}

static int cmd_kunmap(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m = prep(s, argc, argv, 2, 2, "kunmap NAME", false);
	struct mmt_kalloc_name *n;

	if (!m || !(n = name_get(s, m, argv[1], NK_KMAP)))
		return -1;
	if (mmt_kunmap(m, n->pfn))
		return mmt_script_fail(s, "kunmap(%s): page not kmapped",
				       argv[1]);
	fprintf(s->out, "kunmap(%s = %#" PRIx64 ")\n", argv[1], n->addr);
	name_drop(m, n);
	return 0;
}

static int cmd_kmap_local(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_kalloc_name *p;
	struct mmt_machine *m;
	uint64_t cpu = 0, va;
	unsigned fix;
	int r;

	m = prep(s, argc, argv, 3, 5, "kmap_local NAME PAGE [cpu N]", true);
	if (!m || !(p = name_get(s, m, argv[2], NK_PAGE)))
		return -1;
	if (argc != 3 && (argc != 5 || strcmp(argv[3], "cpu") ||
			  parse_u64(s, "a CPU number", argv[4], &cpu, false)))
		return mmt_script_fail(s, "expected 'kmap_local NAME PAGE "
				       "[cpu N]'");
	if (cpu >= m->cfg.online_cpus)
		return mmt_script_fail(s, "cpu %" PRIu64 " is not online (%u "
				       "CPUs)", cpu, m->cfg.online_cpus);
	r = mmt_kmap_local_page(m, (unsigned)cpu, p->addr, &va);
	if (r == -ENOSPC)
		return mmt_script_fail(s, "kmap_local: cpu %" PRIu64 " has all "
				       "KM_MAX_IDX slots in use", cpu);
	if (r)
		return errno_fail(s, "kmap_local", r);
	fprintf(s->out, "%s = kmap_local_page(%s) on cpu %" PRIu64 " = %#"
		PRIx64, argv[1], argv[2], cpu, va);
	if (!mmt_virt_to_fix(m, va, &fix))
		fprintf(s->out, "  fixmap slot %u = FIX_KMAP_BEGIN + %u\n", fix,
			fix - m->layout.fix_kmap_begin);
	else
		fprintf(s->out, "  lowmem: page_address(), no slot used\n");
	return name_bind(s, m, argv[1], NK_KMAP_LOCAL, va, p->addr,
			 (unsigned)cpu);
}

static int cmd_kunmap_local(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m = prep(s, argc, argv, 2, 2, "kunmap_local NAME",
				     false);
	struct mmt_kalloc_name *n;

	if (!m || !(n = name_get(s, m, argv[1], NK_KMAP_LOCAL)))
		return -1;
	if (mmt_kunmap_local(m, n->cpu, n->addr))
		return mmt_script_fail(s, "kunmap_local(%s): not the most recent "
				       "kmap_local of cpu %u (unmapping must be "
				       "LIFO)", argv[1], n->cpu);
	fprintf(s->out, "kunmap_local(%s = %#" PRIx64 ")\n", argv[1], n->addr);
	name_drop(m, n);
	return 0;
}

/* ------------------------------------------------------ fixmap, percpu */

static int cmd_set_fixmap(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;
	uint64_t idx, phys;

	m = prep(s, argc, argv, 3, 3, "set_fixmap IDX PHYS", false);
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

	m = prep(s, argc, argv, 2, 2, "clear_fixmap IDX", false);
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
	uint64_t size, align = 8, ptr;
	int r;

	m = prep(s, argc, argv, 3, 4, "alloc_percpu NAME SIZE [ALIGN]", true);
	if (!m || parse_u64(s, "a size", argv[2], &size, true) ||
	    (argc == 4 && parse_u64(s, "an alignment", argv[3], &align, true)))
		return -1;
	/* __alloc_percpu() callers pass __alignof__(type), a power of two;
	 * pcpu_alloc() refuses others (it rounds only those below 4 up) */
	if (align & (align - 1) || !align)
		return mmt_script_fail(s, "alloc_percpu: ALIGN %s is not a "
				       "power of two", argv[3]);
	r = mmt_alloc_percpu(m, size, align, &ptr);
	if (r == -EINVAL)
		return mmt_script_fail(s, "alloc_percpu: size must be 1..32K, "
				       "align a power of two <= 4K");
	if (r)
		return errno_fail(s, "alloc_percpu", r);
	fprintf(s->out, "%s = alloc_percpu(%" PRIu64 ") = %#" PRIx64 " (cpu 0's "
		"copy; unit size %#" PRIx64 ")\n", argv[1], size, ptr,
		mmt_pcpu_unit_size(m));
	return name_bind(s, m, argv[1], NK_PERCPU, ptr, 0, 0);
}

static int cmd_per_cpu_ptr(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_kalloc_name *n;
	struct mmt_machine *m;
	uint64_t cpu, addr;

	m = prep(s, argc, argv, 3, 3, "per_cpu_ptr NAME CPU", false);
	if (!m || !(n = name_get(s, m, argv[1], NK_PERCPU)) ||
	    parse_u64(s, "a CPU number", argv[2], &cpu, false))
		return -1;
	if (cpu > UINT32_MAX || mmt_per_cpu_ptr(m, n->addr, (unsigned)cpu,
						&addr))
		return mmt_script_fail(s, "cpu %s is not online (%u CPUs)",
				       argv[2], m->cfg.online_cpus);
	fprintf(s->out, "per_cpu_ptr(%s, %" PRIu64 ") = %#" PRIx64 "\n",
		argv[1], cpu, addr);
	return 0;
}

static int cmd_free_percpu(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m = prep(s, argc, argv, 2, 2, "free_percpu NAME",
				     false);
	struct mmt_kalloc_name *n;

	if (!m || !(n = name_get(s, m, argv[1], NK_PERCPU)))
		return -1;
	if (mmt_free_percpu(m, n->addr))
		return mmt_script_fail(s, "free_percpu(%s) failed", argv[1]);
	fprintf(s->out, "free_percpu(%s)\n", argv[1]);
	name_drop(m, n);
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
	{ "vmalloc", "vmalloc NAME SIZE [CALLER]",
	  "virtually contiguous pages in the vmalloc area", cmd_vmalloc },
	{ "vfree", "vfree NAME", "vfree/vunmap/iounmap", cmd_vfree },
	{ "vmap", "vmap NAME PAGE...", "map alloc_page pages contiguously",
	  cmd_vmap },
	{ "ioremap", "ioremap NAME PHYS SIZE", "map device memory uncached",
	  cmd_ioremap },
	{ "alloc_page", "alloc_page NAME [GFP]", "one page (to kmap/vmap)",
	  cmd_alloc_page },
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
