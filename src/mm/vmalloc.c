// SPDX-License-Identifier: MIT
/*
 * vmalloc, vmap and ioremap (mm/vmalloc.c, arch/x86/mm/ioremap.c).
 *
 * Busy areas are kept in one address-sorted list; alloc_vmap_area() takes
 * the lowest fit in [VMALLOC_START, VMALLOC_END) honouring the alignment,
 * as the kernel's augmented free tree does.  Every area is followed by one
 * unmapped guard page unless VM_NO_GUARD.
 *
 * Simplified: vfree unmaps and flushes eagerly and releases the range at
 * once (the kernel keeps it on a lazy purge list until lazy_max_pages()),
 * so a freed range can be reused by the very next vmalloc; translations
 * always fault after vfree.  One vmap node; N0 counts every page.
 */
#include <mmtwin/kalloc.h>
#include <mmtwin/machine.h>
#include <mmtwin/page_alloc.h>
#include <mmtwin/pgtable.h>
#include "base/bug.h"
#include "mm/kalloc_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void mmt_vmalloc_range(struct mmt_machine *m, uint64_t *start, uint64_t *end)
{
	*start = m->layout.vmalloc_start;
	/* inclusive on 64-bit, exclusive on 32-bit: both round down */
	*end = m->layout.vmalloc_end & MMT_PAGE_MASK;
}

/* IOREMAP_MAX_ORDER: PUD_SHIFT on x86_64, PMD_SHIFT on x86_32. */
static unsigned ioremap_max_order(struct mmt_machine *m)
{
	const struct mmt_paging *p = &m->layout.paging;

	if (mmt_arch_is_64(m->cfg.arch))
		return 30;
	return p->shift[p->levels - 2];
}

static unsigned fls64_u(uint64_t v)
{
	unsigned r = 0;

	for (; v; v >>= 1)
		r++;
	return r;
}

/*
 * alloc_vmap_area(): lowest @align-aligned [a, a + size) in [vstart, vend)
 * clear of busy areas.  0 and *addr, or -ENOMEM.
 */
static int alloc_vmap_area(struct mmt_machine *m, uint64_t size,
			   uint64_t align, uint64_t vstart, uint64_t vend,
			   uint64_t *addr)
{
	uint64_t cand = (vstart + align - 1) & ~(align - 1);

	for (const struct mmt_vm_struct *v = m->kalloc->vmap_areas; v;
	     v = v->next) {
		if (cand + size <= v->addr)
			break;
		if (v->addr + v->size > cand)
			cand = (v->addr + v->size + align - 1) & ~(align - 1);
	}
	if (cand < vstart || cand + size < cand || cand + size > vend)
		return -ENOMEM;
	*addr = cand;
	return 0;
}

static void insert_vmap_area(struct mmt_machine *m, struct mmt_vm_struct *vm)
{
	struct mmt_vm_struct **pp = &m->kalloc->vmap_areas;

	while (*pp && (*pp)->addr < vm->addr)
		pp = &(*pp)->next;
	vm->next = *pp;
	*pp = vm;
	m->kalloc->nr_vmap_areas++;
}

static void unlink_vmap_area(struct mmt_machine *m, struct mmt_vm_struct *vm)
{
	struct mmt_vm_struct **pp = &m->kalloc->vmap_areas;

	while (*pp && *pp != vm)
		pp = &(*pp)->next;
	if (!*pp) {
		MMT_BUG("area not busy");
	}
	*pp = vm->next;
	m->kalloc->nr_vmap_areas--;
}

/*
 * __get_vm_area_node(): size page-aligned, @align (a power of two, at
 * least a page) or the ioremap alignment rule, guard page added.
 * Returns the new (inserted) area or NULL with -errno in *e.
 */
static struct mmt_vm_struct *get_vm_area(struct mmt_machine *m, uint64_t size,
					 uint64_t align, unsigned flags,
					 const char *caller, int *e)
{
	uint64_t start, end, addr;
	struct mmt_vm_struct *vm;

	*e = -EINVAL;
	if (size == 0 || size > (1ull << 62))
		return NULL;
	size = (size + MMT_PAGE_SIZE - 1) & MMT_PAGE_MASK;
	if (flags & MMT_VM_IOREMAP) {
		unsigned sh = fls64_u(size), max = ioremap_max_order(m);

		sh = sh < MMT_PAGE_SHIFT ? MMT_PAGE_SHIFT : sh > max ? max : sh;
		align = 1ull << sh;
	}
	if (!(flags & MMT_VM_NO_GUARD))
		size += MMT_PAGE_SIZE;
	mmt_vmalloc_range(m, &start, &end);
	*e = -ENOMEM;
	if (alloc_vmap_area(m, size, align, start, end, &addr))
		return NULL;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return NULL;
	vm->addr = addr;
	vm->size = size;
	vm->flags = flags;
	if (caller)
		snprintf(vm->caller, sizeof(vm->caller), "%s", caller);
	insert_vmap_area(m, vm);
	*e = 0;
	return vm;
}

/* get_vm_area_size(): without the guard page. */
static uint64_t area_size(const struct mmt_vm_struct *vm)
{
	return vm->size - (vm->flags & MMT_VM_NO_GUARD ? 0 : MMT_PAGE_SIZE);
}

/* Unmap the first @n pages; each unmap flushes the TLBs. */
static void unmap_pages(struct mmt_machine *m, struct mmt_vm_struct *vm,
			unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (mmt_kernel_unmap(m, vm->addr + (uint64_t)i * MMT_PAGE_SIZE)) {
			MMT_BUG("%#" PRIx64 " was not mapped", vm->addr);
		}
}

/* Drop an area: unmap its @mapped pages, free owned frames, release VA. */
static void release_area(struct mmt_machine *m, struct mmt_vm_struct *vm,
			 unsigned mapped)
{
	unmap_pages(m, vm, mapped);
	if (vm->owns_pages)
		for (unsigned i = 0; i < vm->nr_pages; i++)
			mmt_free_pages(m, vm->pfns[i], 0);
	unlink_vmap_area(m, vm);
	mmt_free_poisoned(vm->pfns, vm->nr_pages * sizeof(*vm->pfns));
	mmt_free_poisoned(vm, sizeof(*vm));
}

/* vmap_pages_range(): map pfns[i] (or phys + i pages) at addr + i pages. */
static int map_area(struct mmt_machine *m, struct mmt_vm_struct *vm,
		    uint64_t first_pfn, uint64_t prot, unsigned n,
		    unsigned *mapped)
{
	for (*mapped = 0; *mapped < n; (*mapped)++) {
		uint64_t pfn = vm->pfns ? vm->pfns[*mapped]
					: first_pfn + *mapped;

		if (mmt_kernel_map(m, vm->addr + (uint64_t)*mapped *
				   MMT_PAGE_SIZE, pfn, prot))
			return -ENOMEM;
	}
	return 0;
}

/*
 * Map @vm's @n pages with PAGE_KERNEL and hand out its address; on failure
 * undo the mapped part, release the area and return -ENOMEM.
 */
static int map_and_publish(struct mmt_machine *m, struct mmt_vm_struct *vm,
			   unsigned n, uint64_t *addr)
{
	unsigned mapped = 0;

	if (map_area(m, vm, 0, MMT_PAGE_KERNEL, n, &mapped)) {
		release_area(m, vm, mapped);
		return -ENOMEM;
	}
	*addr = vm->addr;
	return 0;
}

int mmt_vmalloc(struct mmt_machine *m, uint64_t size, const char *caller,
		uint64_t *addr)
{
	return mmt_vmalloc_node_range(m, size, MMT_PAGE_SIZE, caller, addr);
}

int mmt_vmalloc_node_range(struct mmt_machine *m, uint64_t size,
			   uint64_t align, const char *caller, uint64_t *addr)
{
	struct mmt_vm_struct *vm;
	unsigned n;
	int e;

	if (size == 0 || (size >> MMT_PAGE_SHIFT) > m->ram_end_pfn ||
	    align < MMT_PAGE_SIZE || (align & (align - 1)) ||
	    align > (1ull << 40))
		return -EINVAL;
	vm = get_vm_area(m, size, align, MMT_VM_ALLOC, caller, &e);
	if (!vm)
		return e;
	n = (unsigned)(area_size(vm) >> MMT_PAGE_SHIFT);
	vm->pfns = calloc(n, sizeof(uint64_t));
	vm->owns_pages = true;
	if (!vm->pfns)
		goto fail;
	/* vm_area_alloc_pages(): order-0 pages, highmem allowed */
	for (; vm->nr_pages < n; vm->nr_pages++)
		if (mmt_alloc_pages(m, MMT_GFP_KERNEL | MMT_GFP_HIGHMEM, 0,
				    &vm->pfns[vm->nr_pages]))
			goto fail;
	return map_and_publish(m, vm, n, addr);
fail:
	release_area(m, vm, 0);
	return -ENOMEM;
}

int mmt_vmap(struct mmt_machine *m, const uint64_t *pfns, unsigned n,
	     const char *caller, uint64_t *addr)
{
	struct mmt_vm_struct *vm;
	int e;

	if (n == 0 || n > m->ram_end_pfn)
		return -EINVAL;
	vm = get_vm_area(m, (uint64_t)n << MMT_PAGE_SHIFT, MMT_PAGE_SIZE,
			 MMT_VM_MAP, caller, &e);
	if (!vm)
		return e;
	vm->pfns = malloc(n * sizeof(uint64_t));
	if (!vm->pfns)
		goto fail;
	memcpy(vm->pfns, pfns, n * sizeof(uint64_t));
	/* the kernel leaves vm->nr_pages 0 for vmap(): no "pages=" */
	return map_and_publish(m, vm, n, addr);
fail:
	release_area(m, vm, 0);
	return -ENOMEM;
}

/* ioremap refuses System RAM (__ioremap_check_ram). */
static bool range_is_ram(struct mmt_machine *m, uint64_t pa, uint64_t end)
{
	for (unsigned i = 0; i < m->e820.nr; i++) {
		const struct mmt_e820_entry *e = &m->e820.e[i];

		if (e->type == MMT_E820_RAM && pa < e->addr + e->size &&
		    e->addr < end)
			return true;
	}
	return false;
}

int mmt_ioremap(struct mmt_machine *m, uint64_t phys, uint64_t size,
		const char *caller, uint64_t *addr)
{
	uint64_t last = phys + size - 1, base, len;
	/* what a PTE can hold: __PHYSICAL_MASK_SHIFT */
	uint64_t maxphys = 1ull << mmt_arch_phys_bits(m->cfg.arch).pte;
	struct mmt_vm_struct *vm;
	unsigned mapped = 0, n;
	int e;

	if (!size || last < phys || last >= maxphys)
		return -EINVAL;
	base = phys & MMT_PAGE_MASK;
	len = ((last + MMT_PAGE_SIZE) & MMT_PAGE_MASK) - base;
	if (range_is_ram(m, base, base + len))
		return -EINVAL;
	vm = get_vm_area(m, len, MMT_PAGE_SIZE, MMT_VM_IOREMAP, caller, &e);
	if (!vm)
		return e;
	vm->phys_addr = base;
	n = (unsigned)(len >> MMT_PAGE_SHIFT);
	if (map_area(m, vm, base >> MMT_PAGE_SHIFT, MMT_PAGE_KERNEL_NOCACHE, n,
		     &mapped)) {
		release_area(m, vm, mapped);
		return -ENOMEM;
	}
	*addr = vm->addr + (phys & ~MMT_PAGE_MASK);
	return 0;
}

const struct mmt_vm_struct *mmt_find_vm_area(const struct mmt_machine *m,
					     uint64_t addr)
{
	for (const struct mmt_vm_struct *v = m->kalloc->vmap_areas; v;
	     v = v->next)
		if (addr >= v->addr && addr - v->addr < v->size)
			return v;
	return NULL;
}

/* Remove the area starting at @addr if it has @flag. */
static int remove_area(struct mmt_machine *m, uint64_t addr, unsigned flag)
{
	struct mmt_vm_struct *vm = m->kalloc->vmap_areas;

	while (vm && vm->addr != addr)
		vm = vm->next;
	if (!vm || !(vm->flags & flag))
		return -EINVAL;
	release_area(m, vm, (unsigned)(area_size(vm) >> MMT_PAGE_SHIFT));
	return 0;
}

int mmt_vfree(struct mmt_machine *m, uint64_t addr)
{
	return remove_area(m, addr, MMT_VM_ALLOC);
}

int mmt_vunmap(struct mmt_machine *m, uint64_t addr)
{
	return remove_area(m, addr, MMT_VM_MAP);
}

int mmt_iounmap(struct mmt_machine *m, uint64_t addr)
{
	return remove_area(m, addr & MMT_PAGE_MASK, MMT_VM_IOREMAP);
}

void mmt_vmalloc_exit(struct mmt_machine *m)
{
	while (m->kalloc->vmap_areas) {
		struct mmt_vm_struct *vm = m->kalloc->vmap_areas;

		m->kalloc->vmap_areas = vm->next;
		free(vm->pfns);
		free(vm);
	}
	m->kalloc->nr_vmap_areas = 0;
}

/* Page @i of @vm maps the right frame; the guard page maps nothing. */
static int check_area_pages(struct mmt_machine *m,
			    const struct mmt_vm_struct *vm, char *err,
			    size_t len)
{
	uint64_t pgd = mmt_init_mm_pgd(m), n = area_size(vm) >> MMT_PAGE_SHIFT;
	struct mmt_pt_leaf leaf;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t va = vm->addr + i * MMT_PAGE_SIZE, want;

		want = vm->pfns ? vm->pfns[i]
				: (vm->phys_addr >> MMT_PAGE_SHIFT) + i;
		if (mmt_pt_lookup(m, pgd, va, &leaf) || leaf.pfn != want) {
			snprintf(err, len, "vmalloc: %#" PRIx64 " does not map "
				 "pfn %#" PRIx64, va, want);
			return -1;
		}
	}
	if (!(vm->flags & MMT_VM_NO_GUARD) &&
	    !mmt_pt_lookup(m, pgd, vm->addr + n * MMT_PAGE_SIZE, &leaf)) {
		snprintf(err, len, "vmalloc: guard page of %#" PRIx64
			 " is mapped", vm->addr);
		return -1;
	}
	return 0;
}

/*
 * vmalloc_nr_pages() (6.18, meminfo's VmallocUsed): nr_vmalloc_pages grows
 * in __vmalloc_area_node() by the pages vmalloc itself allocated and
 * shrinks in vfree(); vmap() and ioremap() areas bring their own (or no)
 * pages and do not count.
 */
uint64_t mmt_vmalloc_nr_pages(struct mmt_machine *m)
{
	uint64_t n = 0;

	if (!m->kalloc)
		return 0;
	for (const struct mmt_vm_struct *v = m->kalloc->vmap_areas; v;
	     v = v->next)
		if ((v->flags & MMT_VM_ALLOC) && v->owns_pages)
			n += v->nr_pages;
	return n;
}

int mmt_vmalloc_check(struct mmt_machine *m, char *err, size_t len)
{
	uint64_t start, end, prev_end, n = 0;

	mmt_vmalloc_range(m, &start, &end);
	prev_end = start;
	for (const struct mmt_vm_struct *v = m->kalloc->vmap_areas; v;
	     v = v->next, n++) {
		if (v->addr < prev_end || v->addr + v->size > end ||
		    (v->addr | v->size) & ~MMT_PAGE_MASK ||
		    v->size <= (v->flags & MMT_VM_NO_GUARD ? 0 : MMT_PAGE_SIZE)) {
			snprintf(err, len, "vmalloc: area %#" PRIx64 "+%#" PRIx64
				 " overlaps, is unaligned or out of range",
				 v->addr, v->size);
			return -1;
		}
		if ((v->flags & MMT_VM_ALLOC) &&
		    (uint64_t)v->nr_pages << MMT_PAGE_SHIFT != area_size(v)) {
			snprintf(err, len, "vmalloc: area %#" PRIx64 " has %u "
				 "pages for %#" PRIx64 " bytes", v->addr,
				 v->nr_pages, area_size(v));
			return -1;
		}
		if (check_area_pages(m, v, err, len))
			return -1;
		prev_end = v->addr + v->size;
	}
	if (n != m->kalloc->nr_vmap_areas) {
		snprintf(err, len, "vmalloc: %" PRIu64 " areas, counter says "
			 "%lu", n, m->kalloc->nr_vmap_areas);
		return -1;
	}
	return 0;
}
