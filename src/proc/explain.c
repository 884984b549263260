// SPDX-License-Identifier: MIT
/*
 * explain: classify an address the way the CPU and the kernel see it.
 * A virtual address is first checked for canonical form (#GP otherwise),
 * then placed in the layout; an access from user mode to the kernel half
 * faults because the kernel's entries have the U/S bit clear (#PF with
 * the USER bit in the error code).  Physical addresses map to a pfn, a zone
 * and, for lowmem, a direct-map address.
 *
 * The kernel object at a lowmem or vmalloc address: the slab object there
 * (kmem_obj_info) and the task that owns it (task_struct, mm_struct, a
 * VMA's vm_area_struct), a kernel stack and its guard pages, or the
 * vmalloc area.  One reverse lookup per explain (a scan of the tasks).
 */
#include <mmtwin/explain.h>
#include <mmtwin/kalloc.h>
#include "kernel/task_internal.h"
#include "mm/vma_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

static void why(struct mmt_explain *x, const char *fmt, ...)
{
	va_list ap;

	if (x->nr_why >= sizeof(x->why) / sizeof(x->why[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(x->why[x->nr_why++], sizeof(x->why[0]), fmt, ap);
	va_end(ap);
}

bool mmt_pa_is_ram(const struct mmt_machine *m, uint64_t pa)
{
	for (unsigned i = 0; i < m->e820.nr; i++) {
		const struct mmt_e820_entry *e = &m->e820.e[i];

		if (e->type == MMT_E820_RAM && pa >= e->addr &&
		    pa - e->addr < e->size)
			return true;
	}
	return false;
}

static void fill_phys(const struct mmt_machine *m, struct mmt_explain *x,
		      uint64_t pa)
{
	uint64_t va;

	x->has_pa = true;
	x->pa = pa;
	x->pfn = pa >> MMT_PAGE_SHIFT;
	x->zone = mmt_layout_pfn_zone(&m->layout, x->pfn);
	x->is_ram = mmt_pa_is_ram(m, pa);
	if (x->is_ram && mmt_va(&m->layout, pa, &va) == 0) {
		x->has_va = true;
		x->va = va;
	}
}

/* Classify user- and kernel-mode access for a canonical address. */
static void access_rules(const struct mmt_machine *m, struct mmt_explain *x)
{
	const struct mmt_region *r = x->region;

	if (x->user_half) {
		x->user_access = MMT_ACC_DEPENDS;
		x->user_pf_error = MMT_PF_USER;	/* not present, read, user */
		x->kernel_access = MMT_ACC_DEPENDS;
		why(x, "user half: reachable from user mode where a VMA maps it; "
		       "otherwise #PF error 0x4 (not-present, read, user) -> "
		       "SIGSEGV");
		why(x, "kernel mode reaches it only via copy_from_user()/"
		       "get_user(); with SMAP a plain access faults");
		return;
	}
	/* the kernel half: every kernel entry has U/S = 0 */
	x->user_access = MMT_ACC_PF;
	if (r && r->kind == MMT_RK_HOLE) {
		x->user_pf_error = MMT_PF_USER;
		x->kernel_access = MMT_ACC_PF;
		why(x, "nothing is mapped here: a kernel access oopses with #PF "
		       "error 0x0, a user access gets #PF error 0x4 -> SIGSEGV");
		return;
	}
	x->user_pf_error = MMT_PF_USER | MMT_PF_PROT;
	x->kernel_access = MMT_ACC_OK;
	why(x, "kernel half: entries have U/S=0, so a user-mode access gets "
	       "#PF with error 0x5 (present, read, user) when mapped, 0x4 when "
	       "not -> SIGSEGV");
	(void)m;
}

static void object(struct mmt_explain *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void object(struct mmt_explain *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->object, sizeof(x->object), fmt, ap);
	va_end(ap);
}

/* A kernel stack (or its guard pages) at @va: true when one is there. */
static bool stack_object(const struct mmt_machine *m, struct mmt_explain *x,
			 uint64_t va)
{
	struct kstack_where w;
	uint64_t size = mmt_thread_size(m), pa = 0;
	char who[80];

	if (!kstack_find(m, va, &w))
		return false;
	if (w.kind == KSTACK_TASK) {
		snprintf(who, sizeof(who), "the kernel stack of PID %d",
			 w.task->pid);
		x->owner_pid = w.task->pid;
	} else {
		snprintf(who, sizeof(who), "a free kernel stack cached in CPU "
			 "%u's cached_stacks[%u]", w.cpu, w.slot);
	}
	if (w.guard_above) {
		object(x, "guard page above %s [%#" PRIx64 "-%#" PRIx64 "): "
		       "the vmalloc area's last page, never mapped", who,
		       w.base, w.base + size);
	} else if (w.guard_below) {
		object(x, "guard page below %s [%#" PRIx64 "-%#" PRIx64 "): "
		       "never mapped (another area's guard page or a hole), so "
		       "overflowing the stack faults", who, w.base,
		       w.base + size);
	} else if (vmap_stack(m)) {
		object(x, "%s [%#" PRIx64 "-%#" PRIx64 "), offset %#" PRIx64
		       ": THREAD_SIZE %" PRIu64 " KiB vmalloc'ed by "
		       THREAD_STACK_CALLER " (VMAP_STACK), growing down from %#"
		       PRIx64, who, w.base, w.base + size, va - w.base,
		       size >> 10, w.base + size);
	} else {
		mmt_pa(&m->layout, w.base, &pa);
		object(x, "%s [%#" PRIx64 "-%#" PRIx64 "), offset %#" PRIx64
		       ": an order-1 lowmem block (pfn %#" PRIx64 "-%#" PRIx64
		       ", THREAD_SIZE %" PRIu64 " KiB), growing down from %#"
		       PRIx64, who, w.base, w.base + size, va - w.base,
		       pa >> MMT_PAGE_SHIFT, (pa >> MMT_PAGE_SHIFT) + 1,
		       size >> 10, w.base + size);
	}
	return true;
}

/* The slab object (and its owner) or kernel stack at lowmem @va. */
static void lowmem_object(const struct mmt_machine *m, struct mmt_explain *x,
			  uint64_t va)
{
	struct mmt_kmem_obj_info oi;
	struct kobj_owner o;
	const char *name;

	if (stack_object(m, x, va) || mmt_kmem_obj_info(m, va, &oi))
		return;
	name = oi.cache->name;
	if (oi.padding) {
		object(x, "the unused tail of a %s slab (pfn %#" PRIx64 ", %u "
		       "objects of %u bytes)", name, oi.slab_pfn,
		       oi.cache->objects, oi.cache->size);
		return;
	}
	if (!oi.allocated) {
		object(x, "free %s object %#" PRIx64 " (+%#" PRIx64 " of %u "
		       "bytes, slab pfn %#" PRIx64 ") on its slab's freelist",
		       name, oi.object, oi.offset, oi.cache->size,
		       oi.slab_pfn);
		return;
	}
	if (!kobj_owner_find(m, name, oi.object, &o)) {
		object(x, "%s object %#" PRIx64 " (+%#" PRIx64 " of %u bytes, "
		       "slab pfn %#" PRIx64 "), allocated", name, oi.object,
		       oi.offset, oi.cache->size, oi.slab_pfn);
		return;
	}
	x->owner_pid = o.task->pid;
	if (o.vma)
		object(x, "%s object %#" PRIx64 " (+%#" PRIx64 " of %u bytes, "
		       "slab pfn %#" PRIx64 "): PID %d's VMA %#" PRIx64 "-%#"
		       PRIx64, name, oi.object, oi.offset, oi.cache->size,
		       oi.slab_pfn, o.task->pid, o.vma->vm_start,
		       o.vma->vm_end);
	else
		object(x, "%s object %#" PRIx64 " (+%#" PRIx64 " of %u bytes, "
		       "slab pfn %#" PRIx64 "): PID %d's %s", name, oi.object,
		       oi.offset, oi.cache->size, oi.slab_pfn, o.task->pid,
		       name);
}

/* The vmalloc area (a kernel stack, its guard pages, another area). */
static void vmalloc_object(const struct mmt_machine *m, struct mmt_explain *x,
			   uint64_t va)
{
	const struct mmt_vm_struct *v;
	uint64_t guard;

	if (!m->kalloc || stack_object(m, x, va))
		return;
	v = mmt_find_vm_area(m, va);
	if (!v)
		return;
	guard = v->flags & MMT_VM_NO_GUARD ? 0 : MMT_PAGE_SIZE;
	object(x, "%s of the %s area [%#" PRIx64 "-%#" PRIx64 ")%s%s%s",
	       va - v->addr >= v->size - guard ? "guard page" : "a page",
	       v->flags & MMT_VM_IOREMAP ? "ioremap" :
	       v->flags & MMT_VM_ALLOC ? "vmalloc" : "vmap", v->addr,
	       v->addr + v->size - guard, v->caller[0] ? " (caller " : "",
	       v->caller, v->caller[0] ? ")" : "");
}

static void kernel_region_facts(const struct mmt_machine *m,
				struct mmt_explain *x, uint64_t va)
{
	const struct mmt_layout *l = &m->layout;
	const char *name = x->region ? x->region->name : "";
	uint64_t pa;

	if (!strcmp(name, "direct-map") && mmt_pa(l, va, &pa) == 0) {
		fill_phys(m, x, pa);
		why(x, "direct map: __pa(va) = va - PAGE_OFFSET = %#" PRIx64
		       " (pfn %#" PRIx64 ")", pa, x->pfn);
		if (!x->is_ram)
			why(x, "that physical address is not RAM in the e820 map "
			       "(a hole or reserved range)");
		else
			lowmem_object(m, x, va);
	} else if (!strcmp(name, "direct-map")) {
		why(x, "inside the direct-map window but above the end of RAM: "
		       "unmapped");
	} else if (!strcmp(name, "kernel-text")) {
		pa = va - l->start_kernel_map;
		fill_phys(m, x, pa);
		why(x, "kernel image mapping: __pa_symbol(va) = va - "
		       "__START_KERNEL_map + phys_base = %#" PRIx64
		       " (phys_base 0, no KASLR)", pa);
	} else if (!strcmp(name, "vmemmap")) {
		x->via_vmemmap = true;
		x->vmemmap_pfn = (va - l->vmemmap_base) / l->struct_page_size;
		why(x, "vmemmap: this byte belongs to struct page #%" PRIu64
		       " (%u bytes each), describing pfn %#" PRIx64,
		    x->vmemmap_pfn, l->struct_page_size, x->vmemmap_pfn);
	} else if (!strcmp(name, "vmalloc")) {
		why(x, "vmalloc area: page by page mappings in init_mm, any "
		       "physical page; a guard page follows every area");
		vmalloc_object(m, x, va);
	} else if (!strcmp(name, "pkmap")) {
		why(x, "pkmap slot %" PRIu64 " of %u: kmap() maps one highmem page "
		       "here until kunmap()", (va - l->pkmap_base) >> 12,
		    l->last_pkmap);
	} else if (!strcmp(name, "fixmap")) {
		uint64_t idx = (l->fixaddr_top - (va & MMT_PAGE_MASK)) >> 12;

		why(x, "fixmap index %" PRIu64 " (virt = FIXADDR_TOP - idx*4K)%s",
		    idx, idx >= l->fix_kmap_begin && idx <= l->fix_kmap_end &&
			  l->fix_kmap_end ? ": a kmap_local/kmap_atomic slot" : "");
	}
}

int mmt_explain_va(const struct mmt_machine *m, uint64_t va,
		   struct mmt_explain *x, char *err, size_t errlen)
{
	const struct mmt_layout *l = &m->layout;

	memset(x, 0, sizeof(*x));
	x->addr = va;
	x->zone = -1;
	if (!mmt_arch_is_64(l->arch) && va > 0xffffffffULL) {
		snprintf(err, errlen, "%#" PRIx64 " is not a 32-bit address "
			 "(profile %s)", va, mmt_arch_name(l->arch));
		return -1;
	}
	x->levels = mmt_va_indexes(&l->paging, va, x->idx, &x->page_offset);
	x->canonical = mmt_va_canonical(l, va);
	x->region = mmt_layout_find(l, va);
	if (x->region)
		x->region_offset = va - x->region->start;
	if (!x->canonical) {
		x->user_access = x->kernel_access = MMT_ACC_GP;
		why(x, "non-canonical: bits 63..%u are not all equal to bit %u, "
		       "so any access raises #GP (not #PF) before paging",
		    l->paging.va_bits, l->paging.va_bits - 1);
		return 0;
	}
	x->user_half = va < l->page_offset && (mmt_arch_is_64(l->arch)
			? va < (1ULL << (l->paging.va_bits - 1))
			: va < l->task_size);
	access_rules(m, x);
	if (!x->user_half)
		kernel_region_facts(m, x, va);
	return 0;
}

int mmt_explain_task(const struct mmt_machine *m, const struct mmt_task *t,
		     uint64_t va, struct mmt_explain *x, char *err,
		     size_t errlen)
{
	const struct mmt_vma *v;
	const struct mmt_mm *mm = t->mm;

	if (mmt_explain_va(m, va, x, err, errlen))
		return -1;
	x->pid = t->pid;
	if (!x->user_half || !mm)
		return 0;
	v = find_vma((struct mmt_mm *)mm, va);
	if (!v || v->vm_start > va)
		return 0;
	x->in_vma = true;
	x->vma_start = v->vm_start;
	x->vma_end = v->vm_end;
	if (v->vm_special)
		snprintf(x->vma_kind, sizeof(x->vma_kind), "%s", v->vm_special);
	else if (v->vm_file)
		snprintf(x->vma_kind, sizeof(x->vma_kind), "file");
	else if (v->vm_start < mm->brk && v->vm_end > mm->start_brk)
		snprintf(x->vma_kind, sizeof(x->vma_kind), "[heap]");
	else if (v->vm_start <= mm->start_stack && v->vm_end >= mm->start_stack)
		snprintf(x->vma_kind, sizeof(x->vma_kind), "[stack]");
	else
		snprintf(x->vma_kind, sizeof(x->vma_kind), "anonymous");
	if (!mmt_exec_stack_item(t, va, &x->stack))
		x->in_exec_stack = true;
	else if (mm->exec_done && !strcmp(x->vma_kind, "[stack]"))
		why(x, "in [stack] below the initial stack pointer %#" PRIx64
		    ": nothing execve wrote (the stack grows down into it)",
		    t->user_sp);
	return 0;
}

int mmt_explain_pa(const struct mmt_machine *m, uint64_t pa,
		   struct mmt_explain *x, char *err, size_t errlen)
{
	const struct mmt_layout *l = &m->layout;
	unsigned phys_bits = mmt_arch_phys_bits(l->arch).max_arch;

	memset(x, 0, sizeof(*x));
	x->addr = pa;
	x->phys = true;
	x->zone = -1;
	if (phys_bits < 64 && pa >> phys_bits) {
		snprintf(err, errlen, "%#" PRIx64 " is beyond the %u-bit physical "
			 "address space of %s", pa, phys_bits,
			 mmt_arch_name(l->arch));
		return -1;
	}
	fill_phys(m, x, pa);
	if (!x->is_ram) {
		why(x, "not RAM in the e820 map: a hole, firmware or device "
		       "range (ioremap() reaches device memory)");
		return 0;
	}
	if (x->has_va) {
		why(x, "lowmem: permanently mapped, __va(pa) = pa + PAGE_OFFSET "
		       "= %#" PRIx64, x->va);
		lowmem_object(m, x, x->va);
		return 0;
	}
	why(x, "highmem (pfn >= max_low_pfn %#" PRIx64 "): no permanent "
	       "kernel mapping, the 1 GiB kernel window cannot hold all RAM",
	    l->max_low_pfn);
	why(x, "reach it with kmap() (a pkmap slot, may sleep), kmap_local_page()"
	       "/kmap_atomic() (a per-CPU fixmap slot) or vmalloc()/vmap() "
	       "(any pages made virtually contiguous)");
	return 0;
}

static const char *access_name(enum mmt_access a)
{
	switch (a) {
	case MMT_ACC_OK: return "allowed";
	case MMT_ACC_PF: return "#PF";
	case MMT_ACC_GP: return "#GP";
	case MMT_ACC_DEPENDS: return "depends on the mapping";
	}
	return "?";
}

static void print_json(const struct mmt_machine *m, const struct mmt_explain *x,
		       FILE *out)
{
	struct mmt_json j;

	mmt_json_init(&j, out);
	mmt_json_begin_obj(&j, NULL);
	mmt_explain_json_members(m, x, &j);
	mmt_json_end_obj(&j);
	mmt_json_finish(&j);
}

void mmt_explain_json_members(const struct mmt_machine *m,
			      const struct mmt_explain *x, struct mmt_json *j)
{
	mmt_json_str(j, "arch", mmt_arch_name(m->layout.arch));
	mmt_json_hex(j, "addr", x->addr);
	mmt_json_str(j, "space", x->phys ? "physical" : "virtual");
	if (!x->phys) {
		mmt_json_bool(j, "canonical", x->canonical);
		mmt_json_str(j, "half", x->user_half ? "user" : "kernel");
		if (x->region) {
			mmt_json_str(j, "region", x->region->name);
			mmt_json_hex(j, "region_start", x->region->start);
			mmt_json_hex(j, "offset", x->region_offset);
		}
		mmt_json_str(j, "user_access", access_name(x->user_access));
		mmt_json_str(j, "kernel_access", access_name(x->kernel_access));
		if (x->user_access == MMT_ACC_PF ||
		    x->user_access == MMT_ACC_DEPENDS)
			mmt_json_u64(j, "user_pf_error", x->user_pf_error);
		mmt_json_begin_arr(j, "indexes");
		for (unsigned i = 0; i < x->levels; i++) {
			mmt_json_begin_obj(j, NULL);
			mmt_json_str(j, "level", m->layout.paging.level_name[i]);
			mmt_json_u64(j, "bits", m->layout.paging.bits[i]);
			mmt_json_u64(j, "index", x->idx[i]);
			mmt_json_end_obj(j);
		}
		mmt_json_end_arr(j);
		mmt_json_hex(j, "page_offset", x->page_offset);
	}
	if (x->has_pa) {
		mmt_json_hex(j, "pa", x->pa);
		mmt_json_hex(j, "pfn", x->pfn);
		mmt_json_bool(j, "ram", x->is_ram);
		mmt_json_str(j, "zone", x->zone >= 0 ? mmt_zone_name(x->zone)
						      : "none");
		if (x->has_va)
			mmt_json_hex(j, "va", x->va);
	}
	if (x->object[0]) {
		mmt_json_str(j, "object", x->object);
		if (x->owner_pid)
			mmt_json_u64(j, "owner_pid", (uint64_t)x->owner_pid);
	}
	if (x->pid) {
		mmt_json_i64(j, "pid", x->pid);
		if (x->in_vma) {
			mmt_json_hex(j, "vma_start", x->vma_start);
			mmt_json_hex(j, "vma_end", x->vma_end);
			mmt_json_str(j, "vma", x->vma_kind);
		}
		if (x->in_exec_stack) {
			mmt_json_begin_obj(j, "initial_stack");
			mmt_json_str(j, "what", x->stack.what);
			mmt_json_hex(j, "item", x->stack.addr);
			mmt_json_u64(j, "size", x->stack.size);
			mmt_json_u64(j, "offset", x->addr - x->stack.addr);
			if (x->stack.has_value)
				mmt_json_hex(j, "value", x->stack.value);
			if (x->stack.is_string)
				mmt_json_str(j, "string", x->stack.string);
			mmt_json_end_obj(j);
		}
	}
	mmt_json_begin_arr(j, "why");
	for (unsigned i = 0; i < x->nr_why; i++)
		mmt_json_str(j, NULL, x->why[i]);
	mmt_json_end_arr(j);
}

void mmt_explain_print(const struct mmt_machine *m, const struct mmt_explain *x,
		       FILE *out, enum mmt_format fmt)
{
	const struct mmt_paging *p = &m->layout.paging;
	int w = mmt_arch_is_64(m->layout.arch) ? 16 : 8;

	if (fmt == MMT_FMT_JSON) {
		print_json(m, x, out);
		return;
	}
	fprintf(out, "%s address %#0*" PRIx64 " on %s\n",
		x->phys ? "physical" : "virtual", w + 2, x->addr,
		mmt_arch_name(m->layout.arch));
	if (!x->phys) {
		fprintf(out, "  canonical:     %s\n", x->canonical ? "yes" : "NO");
		if (x->canonical)
			fprintf(out, "  half:          %s\n",
				x->user_half ? "user" : "kernel");
		if (x->region)
			fprintf(out, "  region:        %s (%s), offset %#" PRIx64
				" from %#" PRIx64 "\n", x->region->name,
				x->region->desc, x->region_offset,
				x->region->start);
		fprintf(out, "  user access:   %s", access_name(x->user_access));
		if (x->user_access == MMT_ACC_PF)
			fprintf(out, " (error code %#x)", x->user_pf_error);
		fprintf(out, "\n  kernel access: %s\n",
			access_name(x->kernel_access));
		fprintf(out, "  paging split:  ");
		for (unsigned i = 0; i < x->levels; i++)
			fprintf(out, "%s[%u] (%u bits) ", p->level_name[i],
				x->idx[i], p->bits[i]);
		fprintf(out, "offset %#" PRIx64 " (12 bits)\n", x->page_offset);
	}
	if (x->has_pa) {
		fprintf(out, "  physical:      %#" PRIx64 ", pfn %#" PRIx64 ", %s, "
			"zone %s\n", x->pa, x->pfn, x->is_ram ? "RAM" : "not RAM",
			x->zone >= 0 ? mmt_zone_name(x->zone) : "none");
		if (x->has_va)
			fprintf(out, "  __va:          %#" PRIx64 "\n", x->va);
	}
	if (x->object[0])
		fprintf(out, "  object:        %s\n", x->object);
	if (x->pid && x->in_vma)
		fprintf(out, "  process %d:    VMA %#" PRIx64 "-%#" PRIx64 " %s\n",
			x->pid, x->vma_start, x->vma_end, x->vma_kind);
	else if (x->pid)
		fprintf(out, "  process %d:    no VMA (an access faults: "
			"SIGSEGV)\n", x->pid);
	if (x->in_exec_stack) {
		fprintf(out, "  initial stack: %s, byte %" PRIu64 " of %" PRIu64
			" at %#" PRIx64, x->stack.what,
			x->addr - x->stack.addr, x->stack.size, x->stack.addr);
		if (x->stack.is_string)
			fprintf(out, " \"%s\"", x->stack.string);
		else if (x->stack.has_value)
			fprintf(out, " = %#" PRIx64, x->stack.value);
		fprintf(out, "\n");
	}
	for (unsigned i = 0; i < x->nr_why; i++)
		fprintf(out, "  why: %s\n", x->why[i]);
}
