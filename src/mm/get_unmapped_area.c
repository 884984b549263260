// SPDX-License-Identifier: MIT
/*
 * mm/get_unmapped_area.c - a WEAK __get_unmapped_area() for the callers
 * outside mm/mmap.c (mremap's vrm_set_new_addr and vma_expandable).
 *
 * TEMPORARY.  mm/mmap.c owns get_unmapped_area (static there); once it
 * exports it under the name declared in mm/vma_internal.h, its strong
 * definition replaces this one and this file should be deleted.  Until
 * then this is the same algorithm (x86-64's arch_get_unmapped_area and
 * _topdown, the generic pair on x86_32, THP alignment of anonymous
 * private 2 MiB multiples, the TASK_SIZE and mmap_min_addr checks),
 * without the trace lines.
 */
#include "mm/vma_internal.h"

#define PAGE MMT_PAGE_SIZE
#define PMD_SIZE (2ULL << 20)
#define PAGE_ALIGN(x) (((x) + PAGE - 1) & MMT_PAGE_MASK)
#define MAP_SHARED	0x01
#define MAP_FIXED	0x10
#define MAP_32BIT	0x40

struct gua_req {
	struct mmt_mm *mm;
	enum mmt_abi abi;
	uint64_t addr, len, pgoff, flags;
};

static bool is64(const struct mmt_mm *mm)
{
	return mmt_arch_is_64(mm_machine(mm)->cfg.arch);
}

static uint64_t map_window(const struct mmt_mm *mm)
{
	const struct mmt_machine *m = mm_machine(mm);

	return is64(mm) ? m->layout.default_map_window : m->layout.task_size;
}

static uint64_t base(const struct mmt_mm *mm, enum mmt_abi abi, bool legacy)
{
	if (in_32bit_syscall(abi) && is64(mm))
		return legacy ? mm->mmap_compat_legacy_base
			      : mm->mmap_compat_base;
	return legacy ? mm->mmap_legacy_base : mm->mmap_base;
}

static uint64_t bottomup(const struct gua_req *g, uint64_t len)
{
	const struct mmt_machine *m = mm_machine(g->mm);
	struct vm_unmapped_area_info info = { 0 };
	uint64_t begin, end, addr = g->addr;
	struct mmt_vma *vma;

	if (g->flags & MAP_FIXED)
		return addr;
	if (!in_32bit_syscall(g->abi) && (g->flags & MAP_32BIT)) {
		begin = 0x40000000;
		end = 0x80000000;
	} else {
		begin = base(g->mm, g->abi, true);
		end = in_32bit_syscall(g->abi) ? m->layout.compat_task_size
		      : addr > map_window(g->mm) ? m->layout.task_size_max
						 : map_window(g->mm);
	}
	if (len > end)
		return (uint64_t)-ENOMEM;
	if (addr) {
		addr = PAGE_ALIGN(addr);
		vma = find_vma(g->mm, addr);
		if (end - len >= addr && (!vma || addr + len <= vm_start_gap(vma)))
			return addr;
	}
	info.length = len;
	info.low_limit = begin;
	info.high_limit = end;
	info.align_offset = g->pgoff << MMT_PAGE_SHIFT;
	return vm_unmapped_area(g->mm, &info);
}

static uint64_t topdown(const struct gua_req *g, uint64_t len)
{
	const struct mmt_machine *m = mm_machine(g->mm);
	struct vm_unmapped_area_info info = { 0 };
	uint64_t addr = g->addr, dmw = map_window(g->mm), r;
	struct mmt_vma *vma;

	if (len > g->mm->task_size)
		return (uint64_t)-ENOMEM;
	if (g->flags & MAP_FIXED)
		return addr;
	if (!in_32bit_syscall(g->abi) && (g->flags & MAP_32BIT))
		return bottomup(g, len);
	if (addr) {
		addr &= MMT_PAGE_MASK;
		if (g->mm->task_size - len >= addr &&
		    (addr > dmw) == (addr + len > dmw)) {
			vma = find_vma(g->mm, addr);
			if (!vma || addr + len <= vm_start_gap(vma))
				return addr;
		}
	}
	info.flags = VM_UNMAPPED_AREA_TOPDOWN;
	info.length = len;
	info.low_limit = PAGE;
	info.high_limit = base(g->mm, g->abi, false);
	if (addr > dmw && !in_32bit_syscall(g->abi))
		info.high_limit += m->layout.task_size_max - dmw;
	info.align_offset = g->pgoff << MMT_PAGE_SHIFT;
	r = vm_unmapped_area(g->mm, &info);
	return r & ~MMT_PAGE_MASK ? bottomup(g, len) : r;
}

static uint64_t generic(const struct gua_req *g, uint64_t len, bool down)
{
	struct mmt_mm *mm = g->mm;
	uint64_t top = mm->task_size, addr = g->addr, r;
	uint64_t min = mmt_mmap_min_addr(mm_machine(mm));
	struct vm_unmapped_area_info info = { 0 };
	struct mmt_vma *vma, *prev;

	if (len > top - min)
		return (uint64_t)-ENOMEM;
	if (g->flags & MAP_FIXED)
		return addr;
	if (addr) {
		addr = PAGE_ALIGN(addr);
		vma = find_vma_prev(mm, addr, &prev);
		if (top - len >= addr && addr >= min &&
		    (!vma || addr + len <= vm_start_gap(vma)) &&
		    (!prev || addr >= vm_end_gap(prev)))
			return addr;
	}
	info.length = len;
	if (!down) {
		info.low_limit = mm->mmap_base;
		info.high_limit = top;
		return vm_unmapped_area(mm, &info);
	}
	info.flags = VM_UNMAPPED_AREA_TOPDOWN;
	info.low_limit = PAGE;
	info.high_limit = mm->mmap_base;
	r = vm_unmapped_area(mm, &info);
	if (r & ~MMT_PAGE_MASK) {
		info.flags = 0;
		info.low_limit = PAGE_ALIGN(mm->task_size / 3);
		info.high_limit = top;
		r = vm_unmapped_area(mm, &info);
	}
	return r;
}

static uint64_t search(const struct gua_req *g, uint64_t len)
{
	bool down = g->mm->flags & MMT_MMF_TOPDOWN;

	if (!is64(g->mm))
		return generic(g, len, down);
	return down ? topdown(g, len) : bottomup(g, len);
}

/* __thp_get_unmapped_area(): 0 when it does not apply. */
static uint64_t thp_area(const struct gua_req *g)
{
	uint64_t off = g->pgoff << MMT_PAGE_SHIFT, off_end = off + g->len;
	uint64_t off_align = (off + PMD_SIZE - 1) & ~(PMD_SIZE - 1), r, sub;

	if (!is64(g->mm) || in_32bit_syscall(g->abi))
		return 0;
	if (off_end <= off_align || off_end - off_align < PMD_SIZE)
		return 0;
	if (g->len + PMD_SIZE < g->len)
		return 0;
	r = search(g, g->len + PMD_SIZE);
	if (IS_ERR_VALUE(r))
		return 0;
	if (r == g->addr)
		return r;
	sub = (off - r) & (PMD_SIZE - 1);
	return (g->mm->flags & MMT_MMF_TOPDOWN) && !sub ? r + PMD_SIZE
							 : r + sub;
}

__attribute__((weak))
uint64_t __get_unmapped_area(struct mmt_mm *mm, enum mmt_abi abi,
			     const struct mmt_file *file, uint64_t addr,
			     uint64_t len, uint64_t pgoff, uint64_t flags)
{
	struct gua_req g = { .mm = mm, .abi = abi, .addr = addr, .len = len,
			     .pgoff = file ? pgoff : 0, .flags = flags };
	uint64_t ts = mm->task_size, r = 0;

	if (len > ts)
		return (uint64_t)-ENOMEM;
	if (!file && !(flags & MAP_SHARED) && !addr && !(len & (PMD_SIZE - 1)))
		r = thp_area(&g);
	if (!r)
		r = search(&g, len);
	if (IS_ERR_VALUE(r))
		return r;
	if (r > ts - len)
		return (uint64_t)-ENOMEM;
	if (r & ~MMT_PAGE_MASK)
		return (uint64_t)-EINVAL;
	if (r < mm_machine(mm)->tasks->sysctl.mmap_min_addr &&
	    !mm_task(mm)->cap_sys_rawio)
		return (uint64_t)-EPERM;
	return r;
}
