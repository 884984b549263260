// SPDX-License-Identifier: MIT
/*
 * mm/mmap.c - mmap, munmap and brk as 6.18 runs them: ksys_mmap_pgoff ->
 * do_mmap -> __get_unmapped_area (x86-64's arch_get_unmapped_area and
 * _topdown from arch/x86/kernel/sys_x86_64.c, the generic ones of
 * mm/mmap.c on the x86_32 profiles, THP alignment from mm/huge_memory.c)
 * -> mmap_region (mm/vma.c); SYSCALL_DEFINE1(brk); the table's handlers.
 *
 * File systems' mmap rules are those of their file_operations as far as
 * mmap sees them (struct mmt_file thp_area, mmap_sync: ext4/xfs THP
 * placement and MAP_SYNC refusal without DAX).
 *
 * Not modelled (yet): hugetlbfs (MAP_HUGETLB of a huge page size x86
 * has answers -ENOMEM: no huge pages configured), DAX (MAP_SYNC never
 * maps a file), shmem huge alignment (shmem_enabled is "never" on the
 * reference host), mseal,
 * memory-deny-write-execute.  The commit charge and its refusals are
 * mm/util.c's (__vm_enough_memory); MAP_NORESERVE is honoured unless
 * vm.overcommit_memory is 2.
 */
#include "mm/vma_internal.h"
#include "mm/gup.h"
#include "mm/mm_syscall.h"

#include <stdlib.h>
#include <string.h>

#define PAGE MMT_PAGE_SIZE
#define PMD_SIZE (2ULL << 20)
#define PAGE_ALIGN(x) (((x) + PAGE - 1) & MMT_PAGE_MASK)

/* uapi/asm-generic/mman-common.h, x86 mman.h */
#define PROT_READ	0x1
#define PROT_WRITE	0x2
#define PROT_EXEC	0x4
#define MAP_SHARED	0x01
#define MAP_PRIVATE	0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_DROPPABLE	0x08
#define MAP_TYPE	0x0f
#define MAP_FIXED	0x10
#define MAP_ANONYMOUS	0x20
#define MAP_32BIT	0x40
#define MAP_ABOVE4G	0x80
#define MAP_GROWSDOWN	0x0100
#define MAP_DENYWRITE	0x0800
#define MAP_EXECUTABLE	0x1000
#define MAP_LOCKED	0x2000
#define MAP_NORESERVE	0x4000
#define MAP_POPULATE	0x8000
#define MAP_NONBLOCK	0x10000
#define MAP_STACK	0x20000
#define MAP_HUGETLB	0x40000
#define MAP_SYNC	0x80000
#define MAP_FIXED_NOREPLACE 0x100000
#define MAP_UNINITIALIZED 0x4000000
#define MAP_HUGE_SHIFT	26
#define MAP_HUGE_MASK	0x3f
/* LEGACY_MAP_MASK: what MAP_SHARED accepts without validation */
#define LEGACY_MAP_MASK (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | \
			 MAP_DENYWRITE | MAP_EXECUTABLE | MAP_UNINITIALIZED | \
			 MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | \
			 MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB)

/* The x86-64 address-space constants of the machine's profile. */
static uint64_t task_size_max(const struct mmt_machine *m)
{
	return m->layout.task_size_max;
}

static uint64_t default_map_window(const struct mmt_machine *m)
{
	return mmt_arch_is_64(m->cfg.arch) ? m->layout.default_map_window
					   : m->layout.task_size;
}

/* get_mmap_base(): the compat pair for 32-bit syscalls on x86_64. */
static uint64_t get_mmap_base(const struct mmt_mm *mm, enum mmt_abi abi,
			      bool legacy)
{
	if (in_32bit_syscall(abi) && mmt_arch_is_64(mm_machine(mm)->cfg.arch))
		return legacy ? mm->mmap_compat_legacy_base
			      : mm->mmap_compat_base;
	return legacy ? mm->mmap_legacy_base : mm->mmap_base;
}

/* ------------------------------------------------ get_unmapped_area */

/* What one get_unmapped_area call knows. */
struct gua {
	struct mmt_mm *mm;
	enum mmt_abi abi;
	struct mmt_file *file;
	uint64_t addr, len, pgoff, flags, vm_flags;
};

/* find_start_end(): the bottom-up window. */
static void find_start_end(const struct gua *g, uint64_t addr,
			   uint64_t *begin, uint64_t *end)
{
	struct mmt_machine *m = mm_machine(g->mm);

	if (!in_32bit_syscall(g->abi) && (g->flags & MAP_32BIT)) {
		*begin = 0x40000000;
		*end = 0x80000000;
		return;
	}
	*begin = get_mmap_base(g->mm, g->abi, true);
	if (in_32bit_syscall(g->abi))
		*end = m->layout.compat_task_size;
	else
		*end = addr > default_map_window(m) ? task_size_max(m)
						    : default_map_window(m);
}

static uint64_t stack_guard_placement(uint64_t vm_flags)
{
	return vm_flags & MMT_VM_SHADOW_STACK ? PAGE : 0;
}

/* arch_get_unmapped_area_vmflags() (x86-64, bottom-up) */
static uint64_t arch_get_unmapped_area(const struct gua *g, uint64_t len)
{
	struct vm_unmapped_area_info info = { 0 };
	uint64_t begin, end, addr = g->addr;
	struct mmt_vma *vma;

	if (g->flags & MAP_FIXED)
		return addr;
	find_start_end(g, addr, &begin, &end);
	if (len > end)
		return (uint64_t)-ENOMEM;
	if (addr) {
		addr = PAGE_ALIGN(addr);
		vma = find_vma(g->mm, addr);
		if (end - len >= addr &&
		    (!vma || addr + len <= vm_start_gap(vma))) {
			mm_trace(g->mm, "hint %#llx is free: taken",
				 (unsigned long long)addr);
			return addr;
		}
	}
	info.length = len;
	info.low_limit = begin;
	info.high_limit = end;
	info.align_offset = g->pgoff << MMT_PAGE_SHIFT;
	info.start_gap = stack_guard_placement(g->vm_flags);
	return vm_unmapped_area(g->mm, &info);
}

/* mmap_address_hint_valid(): inside TASK_SIZE, one side of the window. */
static bool mmap_address_hint_valid(const struct gua *g, uint64_t addr,
				    uint64_t len)
{
	uint64_t dmw = default_map_window(mm_machine(g->mm));

	if (g->mm->task_size - len < addr)
		return false;
	return (addr > dmw) == (addr + len > dmw);
}

/* arch_get_unmapped_area_topdown_vmflags() (x86-64) */
static uint64_t arch_get_unmapped_area_topdown(const struct gua *g,
					       uint64_t len)
{
	struct mmt_machine *m = mm_machine(g->mm);
	struct vm_unmapped_area_info info = { 0 };
	uint64_t addr = g->addr, r;
	struct mmt_vma *vma;

	if (len > g->mm->task_size)
		return (uint64_t)-ENOMEM;
	if (g->flags & MAP_FIXED)
		return addr;
	if (!in_32bit_syscall(g->abi) && (g->flags & MAP_32BIT))
		goto bottomup;
	if (addr) {
		addr &= MMT_PAGE_MASK;
		if (mmap_address_hint_valid(g, addr, len)) {
			vma = find_vma(g->mm, addr);
			if (!vma || addr + len <= vm_start_gap(vma)) {
				mm_trace(g->mm, "hint %#llx is free: taken",
					 (unsigned long long)addr);
				return addr;
			}
			mm_trace(g->mm, "hint %#llx collides with [%#llx, "
				 "%#llx): searched", (unsigned long long)addr,
				 (unsigned long long)vma->vm_start,
				 (unsigned long long)vma->vm_end);
		}
	}
	info.flags = VM_UNMAPPED_AREA_TOPDOWN;
	info.length = len;
	info.low_limit = !in_32bit_syscall(g->abi) && (g->flags & MAP_ABOVE4G)
			 ? 1ULL << 32 : PAGE;
	info.high_limit = get_mmap_base(g->mm, g->abi, false);
	info.start_gap = stack_guard_placement(g->vm_flags);
	if (addr > default_map_window(m) && !in_32bit_syscall(g->abi))
		info.high_limit += task_size_max(m) - default_map_window(m);
	info.align_offset = g->pgoff << MMT_PAGE_SHIFT;
	r = vm_unmapped_area(g->mm, &info);
	if (!(r & ~MMT_PAGE_MASK))
		return r;
	mm_trace(g->mm, "top-down search failed: falling back to bottom-up");
bottomup:
	{
		struct gua b = *g;

		b.vm_flags = 0;
		return arch_get_unmapped_area(&b, len);
	}
}

/* generic_get_unmapped_area(_topdown) of mm/mmap.c (x86_32 kernels) */
static uint64_t generic_get_unmapped_area(const struct gua *g, uint64_t len,
					  bool topdown)
{
	struct mmt_mm *mm = g->mm;
	uint64_t mmap_end = mm->task_size, addr = g->addr, r;
	uint64_t min = mmt_mmap_min_addr(mm_machine(mm));
	struct vm_unmapped_area_info info = { 0 };
	struct mmt_vma *vma, *prev;

	if (len > mmap_end - min)
		return (uint64_t)-ENOMEM;
	if (g->flags & MAP_FIXED)
		return addr;
	if (addr) {
		addr = PAGE_ALIGN(addr);
		vma = find_vma_prev(mm, addr, &prev);
		if (mmap_end - len >= addr && addr >= min &&
		    (!vma || addr + len <= vm_start_gap(vma)) &&
		    (!prev || addr >= vm_end_gap(prev)))
			return addr;
	}
	info.length = len;
	info.start_gap = stack_guard_placement(g->vm_flags);
	if (!topdown) {
		info.low_limit = mm->mmap_base;
		info.high_limit = mmap_end;
		return vm_unmapped_area(mm, &info);
	}
	info.flags = VM_UNMAPPED_AREA_TOPDOWN;
	info.low_limit = PAGE;
	info.high_limit = mm->mmap_base;
	r = vm_unmapped_area(mm, &info);
	if (r & ~MMT_PAGE_MASK) {
		info.flags = 0;
		info.low_limit = PAGE_ALIGN(mm->task_size / 3);
		info.high_limit = mmap_end;
		r = vm_unmapped_area(mm, &info);
	}
	return r;
}

/* mm_get_unmapped_area_vmflags(): MMF_TOPDOWN picks the direction. */
static uint64_t mm_get_unmapped_area(const struct gua *g, uint64_t len)
{
	bool topdown = g->mm->flags & MMT_MMF_TOPDOWN;

	if (!mmt_arch_is_64(mm_machine(g->mm)->cfg.arch))
		return generic_get_unmapped_area(g, len, topdown);
	return topdown ? arch_get_unmapped_area_topdown(g, len)
		       : arch_get_unmapped_area(g, len);
}

/*
 * __thp_get_unmapped_area(): search for len + 2 MiB and place the
 * mapping on a 2 MiB boundary inside it.  0 when it does not apply
 * (32-bit, compat syscall, too short) or the padded search fails.
 */
static uint64_t thp_get_unmapped_area(const struct gua *g)
{
	uint64_t off = g->pgoff << MMT_PAGE_SHIFT, size = PMD_SIZE;
	uint64_t off_end = off + g->len, off_align = (off + size - 1) & ~(size - 1);
	uint64_t len_pad, ret, off_sub;

	if (!mmt_arch_is_64(mm_machine(g->mm)->cfg.arch) ||
	    in_32bit_syscall(g->abi))
		return 0;
	if (off_end <= off_align || off_end - off_align < size)
		return 0;
	len_pad = g->len + size;
	if (len_pad < g->len || off + len_pad < off)
		return 0;
	ret = mm_get_unmapped_area(g, len_pad);
	if (IS_ERR_VALUE(ret))
		return 0;
	if (ret == g->addr)
		return g->addr;
	off_sub = (off - ret) & (size - 1);
	if ((g->mm->flags & MMT_MMF_TOPDOWN) && !off_sub)
		ret += size;
	else
		ret += off_sub;
	mm_trace(g->mm, "THP alignment: %#llx (searched %#llx bytes)",
		 (unsigned long long)ret, (unsigned long long)len_pad);
	return ret;
}

/* __get_unmapped_area(): the address, or -ENOMEM/-EINVAL/-EPERM. */
static uint64_t get_unmapped_area(struct gua *g)
{
	struct mmt_task *t = mm_task(g->mm);
	uint64_t addr, ts = g->mm->task_size;

	if (g->len > ts)
		return (uint64_t)-ENOMEM;
	if (!g->file)
		g->pgoff = 0;
	addr = 0;
	/* a file's own get_unmapped_area: thp_get_unmapped_area() applies
	 * to any hint, length and offset (it checks what fits a 2 MiB page);
	 * anonymous private memory is aligned only without a hint and for a
	 * 2 MiB multiple; shmem_get_unmapped_area() with shmem_enabled
	 * "never" is the plain search */
	if (g->file ? g->file->thp_area
		    : !(g->flags & MAP_SHARED) && !g->addr &&
		      !(g->len & (PMD_SIZE - 1)))
		addr = thp_get_unmapped_area(g);
	if (!addr)
		addr = mm_get_unmapped_area(g, g->len);
	if (IS_ERR_VALUE(addr))
		return addr;
	if (addr > ts - g->len)
		return (uint64_t)-ENOMEM;
	if (addr & ~MMT_PAGE_MASK)
		return (uint64_t)-EINVAL;
	if (addr < mm_machine(g->mm)->tasks->sysctl.mmap_min_addr &&
	    !t->cap_sys_rawio) {	/* cap_mmap_addr(): dac_mmap_min_addr */
		mm_trace(g->mm, "%#llx is below vm.mmap_min_addr: -EPERM",
			 (unsigned long long)addr);
		return (uint64_t)-EPERM;
	}
	return addr;
}

uint64_t __get_unmapped_area(struct mmt_mm *mm, enum mmt_abi abi,
			     const struct mmt_file *file, uint64_t addr,
			     uint64_t len, uint64_t pgoff, uint64_t flags)
{
	struct gua g = { .mm = mm, .abi = abi,
			 .file = (struct mmt_file *)file, .addr = addr,
			 .len = len, .pgoff = pgoff, .flags = flags };

	return get_unmapped_area(&g);
}

/* ------------------------------------------------------------ do_mmap */

/* calc_vm_prot_bits() and calc_vm_flag_bits() (THP on: MAP_STACK ->
 * VM_NOHUGEPAGE) */
static uint64_t calc_vm_prot_bits(uint64_t prot)
{
	return (prot & PROT_READ ? MMT_VM_READ : 0) |
	       (prot & PROT_WRITE ? MMT_VM_WRITE : 0) |
	       (prot & PROT_EXEC ? MMT_VM_EXEC : 0);
}

static uint64_t calc_vm_flag_bits(uint64_t flags)
{
	return (flags & MAP_GROWSDOWN ? MMT_VM_GROWSDOWN : 0) |
	       (flags & MAP_LOCKED ? MMT_VM_LOCKED : 0) |
	       (flags & MAP_SYNC ? MMT_VM_SYNC : 0) |
	       (flags & MAP_STACK ? MMT_VM_NOHUGEPAGE : 0);
}

/* round_hint_to_min(): a hint below mmap_min_addr is raised to it. */
static uint64_t round_hint_to_min(const struct mmt_mm *mm, uint64_t hint)
{
	uint64_t min = mmt_mmap_min_addr(mm_machine(mm));

	hint &= MMT_PAGE_MASK;
	if (hint && hint < min)
		return PAGE_ALIGN(min);
	return hint;
}

/* file_mmap_ok(): the last page offset fits MAX_LFS_FILESIZE. */
static bool file_mmap_ok(const struct mmt_mm *mm, uint64_t pgoff,
			 uint64_t len)
{
	uint64_t maxsize = mmt_arch_is_64(mm_machine(mm)->cfg.arch)
			   ? (uint64_t)INT64_MAX : 0xffffffffULL << 12;

	if (len > maxsize)
		return false;
	maxsize -= len;
	return pgoff <= maxsize >> MMT_PAGE_SHIFT;
}

/* The file-backed part of do_mmap's checks: 0 or -errno. */
static int do_mmap_file_flags(const struct mmt_fd *fd, uint64_t *flags,
			      uint64_t prot, uint64_t *vm_flags)
{
	/* flags_mask: FOP_MMAP_SYNC file systems accept MAP_SYNC here (and
	 * refuse VM_SYNC later, in mmap_prepare, without DAX) */
	uint64_t mask = LEGACY_MAP_MASK | (fd->file->mmap_sync ? MAP_SYNC : 0);

	switch (*flags & MAP_TYPE) {
	case MAP_SHARED:
		*flags &= LEGACY_MAP_MASK;
		/* fall through */
	case MAP_SHARED_VALIDATE:
		if (*flags & ~mask)
			return -EOPNOTSUPP;
		if ((prot & PROT_WRITE) && !(fd->f_mode & MMT_FMODE_WRITE))
			return -EACCES;
		*vm_flags |= MMT_VM_SHARED | MMT_VM_MAYSHARE;
		if (!(fd->f_mode & MMT_FMODE_WRITE))
			*vm_flags &= ~(MMT_VM_MAYWRITE | MMT_VM_SHARED);
		/* fall through */
	case MAP_PRIVATE:
		if (!(fd->f_mode & MMT_FMODE_READ))
			return -EACCES;
		if (!fd->file->regular)
			return -ENODEV;	/* only regular files modelled */
		if (*vm_flags & MMT_VM_GROWSDOWN)
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

/* The anonymous part: 0 or -errno; pgoff as the mapping will have it. */
static int do_mmap_anon_flags(const struct mmt_mm *mm, uint64_t flags,
			      uint64_t addr, uint64_t *vm_flags,
			      uint64_t *pgoff)
{
	switch (flags & MAP_TYPE) {
	case MAP_SHARED:
		if (*vm_flags & MMT_VM_GROWSDOWN)
			return -EINVAL;
		*pgoff = 0;
		*vm_flags |= MMT_VM_SHARED | MMT_VM_MAYSHARE;
		return 0;
	case MAP_DROPPABLE:
		if (!mmt_arch_is_64(mm_machine(mm)->cfg.arch))
			return -ENOTSUPP;	/* VM_DROPPABLE == VM_NONE */
		if (flags & (MAP_LOCKED | MAP_HUGETLB))
			return -EINVAL;
		if (*vm_flags & MMT_VM_GROWSDOWN)
			return -EINVAL;
		*vm_flags |= MMT_VM_DROPPABLE | MMT_VM_NORESERVE |
			     MMT_VM_WIPEONFORK | MMT_VM_DONTDUMP;
		/* fall through */
	case MAP_PRIVATE:
		*pgoff = addr >> MMT_PAGE_SHIFT;
		return 0;
	default:
		return -EINVAL;
	}
}

int64_t do_mmap(struct mmt_task *t, enum mmt_abi abi, const struct mmt_fd *fd,
		uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags,
		uint64_t pgoff)
{
	struct mmt_mm *mm = t->mm;
	struct gua g;
	uint64_t vm_flags;
	int err;

	if (!len)
		return -EINVAL;
	if ((prot & PROT_READ) && (t->personality & MMT_PER_READ_IMPLIES_EXEC))
		prot |= PROT_EXEC;
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	if (!(flags & MAP_FIXED))
		addr = round_hint_to_min(mm, addr);
	len = PAGE_ALIGN(len);
	if (!len)
		return -ENOMEM;
	if (pgoff + (len >> MMT_PAGE_SHIFT) < pgoff)
		return -EOVERFLOW;
	if (mm->map_count > mm_machine(mm)->tasks->sysctl.max_map_count) {
		mm_trace(mm, "map_count %lu above vm.max_map_count: -ENOMEM",
			 mm->map_count);
		return -ENOMEM;
	}
	g = (struct gua){ .mm = mm, .abi = abi, .file = fd ? fd->file : NULL,
			  .addr = addr, .len = len, .pgoff = pgoff,
			  .flags = flags };
	addr = get_unmapped_area(&g);
	if (IS_ERR_VALUE(addr))
		return (int64_t)addr;
	if ((flags & MAP_FIXED_NOREPLACE) &&
	    find_vma_intersection(mm, addr, addr + len)) {
		mm_trace(mm, "MAP_FIXED_NOREPLACE [%#llx, %#llx) overlaps a "
			 "VMA: -EEXIST", (unsigned long long)addr,
			 (unsigned long long)(addr + len));
		return -EEXIST;
	}
	vm_flags = calc_vm_prot_bits(prot) | calc_vm_flag_bits(flags) |
		   mm->def_flags | MMT_VM_MAYREAD | MMT_VM_MAYWRITE |
		   MMT_VM_MAYEXEC;
	if ((flags & MAP_LOCKED) && !mm_can_do_mlock(t))
		return -EPERM;
	if (!mm_mlock_future_ok(t, vm_flags, len))
		return -EAGAIN;
	if (fd) {
		if (!file_mmap_ok(mm, pgoff, len))
			return -EOVERFLOW;
		err = do_mmap_file_flags(fd, &flags, prot, &vm_flags);
	} else {
		err = do_mmap_anon_flags(mm, flags, addr, &vm_flags, &pgoff);
	}
	if (err)
		return err;
	if ((flags & MAP_NORESERVE) &&
	    mm_machine(mm)->tasks->sysctl.overcommit_memory != 2)
		vm_flags |= MMT_VM_NORESERVE;
	return mmap_region(mm, fd ? fd->file : NULL, addr, len, vm_flags,
			   pgoff);
}

/*
 * hstate_sizelog() (include/linux/hugetlb.h) as ksys_mmap_pgoff() asks it
 * for MAP_HUGETLB: is there a huge page size 2^@log?  0 is the default
 * size.  The hstates x86 registers at boot: HPAGE_SHIFT's (hugetlb_init:
 * 2 MiB, 4 MiB with 2-level paging) and, on 64-bit with
 * X86_FEATURE_GBPAGES (gigantic_pages_init in arch/x86/mm/hugetlbpage.c;
 * the model assumes gbpages, as its direct map does), PUD_SHIFT's 1 GiB.
 * Any other size is -EINVAL before hugetlbfs is asked.
 */
static bool hstate_sizelog(const struct mmt_machine *m, uint64_t log)
{
	if (!log)
		return true;
	if (m->cfg.arch == MMT_ARCH_X86_32)
		return log == 22;
	return log == 21 || (mmt_arch_is_64(m->cfg.arch) && log == 30);
}

/* do_mmap's *populate: a locked mapping, or MAP_POPULATE without
 * MAP_NONBLOCK; vm_mmap_pgoff then runs mm_populate. */
static bool mmap_wants_populate(struct mmt_mm *mm, uint64_t addr,
				uint64_t flags)
{
	const struct mmt_vma *vma = find_vma(mm, addr);

	if (vma && (vma->vm_flags & MMT_VM_LOCKED))
		return true;
	return (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE;
}

int64_t mmt_ksys_mmap_pgoff(struct mmt_task *t, enum mmt_abi abi,
			    uint64_t addr, uint64_t len, uint64_t prot,
			    uint64_t flags, int fd, uint64_t pgoff)
{
	const struct mmt_fd *f = NULL;
	int64_t r;

	if (!(flags & MAP_ANONYMOUS)) {
		if (fd < 0 || (unsigned)fd >= t->nr_fds || !t->fds[fd].file)
			return -EBADF;
		f = &t->fds[fd];
		if (flags & MAP_HUGETLB)
			return -EINVAL;
	} else if (flags & MAP_HUGETLB) {
		if (!hstate_sizelog(t->m, flags >> MAP_HUGE_SHIFT & MAP_HUGE_MASK)) {
			mm_trace(t->mm, "MAP_HUGETLB: no huge page size 2^%llu: "
				 "-EINVAL", (unsigned long long)
				 (flags >> MAP_HUGE_SHIFT & MAP_HUGE_MASK));
			return -EINVAL;
		}
		mm_trace(t->mm, "MAP_HUGETLB: no huge pages configured "
			 "(hugetlbfs not modelled): -ENOMEM");
		return -ENOMEM;
	}
	r = do_mmap(t, abi, f, addr, len, prot, flags, pgoff);
	if (r >= 0 && mmap_wants_populate(t->mm, (uint64_t)r, flags))
		__mm_populate(t->mm, (uint64_t)r, PAGE_ALIGN(len), true);
	mm_trace(t->mm, "mmap(%#llx, %#llx, prot %#llx, flags %#llx) = "
		 "%s%#llx", (unsigned long long)addr, (unsigned long long)len,
		 (unsigned long long)prot, (unsigned long long)flags,
		 r < 0 ? "-" : "", (unsigned long long)(r < 0 ? -r : r));
	return r;
}

int64_t mmt_vm_munmap(struct mmt_task *t, uint64_t start, uint64_t len)
{
	return do_vmi_munmap(t->mm, start, len);
}

/* ---------------------------------------------------------------- brk */

/* check_brk_limits(): MAP_FIXED get_unmapped_area, then the mlock limit */
static int check_brk_limits(struct mmt_task *t, uint64_t addr, uint64_t len)
{
	struct gua g = { .mm = t->mm, .abi = mmt_task_sys_abi(t->abi),
			 .addr = addr, .len = len, .flags = MAP_FIXED };
	uint64_t r = get_unmapped_area(&g);

	if (IS_ERR_VALUE(r))
		return (int)(int64_t)r;
	return mm_mlock_future_ok(t, t->mm->def_flags, len) ? 0 : -EAGAIN;
}

/* check_data_rlimit(): heap plus data segment within RLIMIT_DATA */
static bool data_rlimit_ok(const struct mmt_task *t, uint64_t brk)
{
	const struct mmt_mm *mm = t->mm;
	uint64_t rlim = t->rlim[MMT_RLIMIT_DATA].cur;

	return rlim == MMT_RLIM_INFINITY ||
	       (brk - mm->start_brk) + (mm->end_data - mm->start_data) <= rlim;
}

/* The heap VMA brk grows: the last one below @oldbrk if it reaches
 * above start_brk (vma_prev_limit(&vmi, mm->start_brk)). */
static struct mmt_vma *brk_vma(struct mmt_mm *mm, uint64_t oldbrk)
{
	struct mmt_vma *next = find_vma(mm, oldbrk), *prev;

	prev = next ? vma_prev(next) : vma_last(mm);
	return prev && prev->vm_end > mm->start_brk ? prev : NULL;
}

static int64_t brk_grow(struct mmt_task *t, uint64_t brk, uint64_t oldbrk,
			uint64_t newbrk)
{
	struct mmt_mm *mm = t->mm;
	uint64_t gap = mm_machine(mm)->tasks->sysctl.stack_guard_gap;
	struct mmt_vma *next;

	if (check_brk_limits(t, oldbrk, newbrk - oldbrk))
		return -1;
	next = find_vma_intersection(mm, oldbrk, newbrk + PAGE + gap);
	if (next && newbrk + PAGE > vm_start_gap(next)) {
		mm_trace(mm, "brk %#llx: one page below [%#llx, %#llx) (or its "
			 "guard) must stay free: refused",
			 (unsigned long long)brk,
			 (unsigned long long)next->vm_start,
			 (unsigned long long)next->vm_end);
		return -1;
	}
	if (do_brk_flags(mm, brk_vma(mm, oldbrk), oldbrk, newbrk - oldbrk, 0))
		return -1;
	mm->brk = brk;
	return 0;
}

int64_t mmt_sys_brk(struct mmt_task *t, uint64_t brk)
{
	struct mmt_mm *mm = t->mm;
	uint64_t origbrk = mm->brk, newbrk, oldbrk;
	struct mmt_vma *brkvma;

	if (brk < mm->start_brk || !data_rlimit_ok(t, brk))
		return (int64_t)origbrk;
	newbrk = PAGE_ALIGN(brk);
	oldbrk = PAGE_ALIGN(mm->brk);
	if (oldbrk == newbrk) {
		mm->brk = brk;
		return (int64_t)brk;
	}
	if (brk <= mm->brk) {
		brkvma = find_vma_intersection(mm, newbrk, oldbrk);
		if (!brkvma || brkvma->vm_start >= oldbrk)
			return (int64_t)origbrk;
		mm->brk = brk;
		if (do_vmi_align_munmap(mm, brkvma, newbrk, oldbrk)) {
			mm->brk = origbrk;
			return (int64_t)origbrk;
		}
		return (int64_t)brk;
	}
	if (brk_grow(t, brk, oldbrk, newbrk)) {
		mm->brk = origbrk;
		return (int64_t)origbrk;
	}
	if (mm->def_flags & MMT_VM_LOCKED)	/* mlockall(MCL_FUTURE) */
		__mm_populate(mm, oldbrk, newbrk - oldbrk, true);
	return (int64_t)brk;
}

/* ----------------------------------------------------------- handlers */

int64_t mmt_sys_mmap(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);
	uint64_t off = mm_sys_arg(ctx, c, 5);

	if (!t)
		return -ESRCH;
	if (off & ~MMT_PAGE_MASK)
		return -EINVAL;
	return mmt_ksys_mmap_pgoff(t, ctx->abi, mm_sys_arg(ctx, c, 0),
				   mm_sys_arg(ctx, c, 1), mm_sys_arg(ctx, c, 2),
				   mm_sys_arg(ctx, c, 3),
				   (int)mm_sys_arg(ctx, c, 4),
				   off >> MMT_PAGE_SHIFT);
}

/* sys_old_mmap / compat ia32_mmap: the six words of struct mmap_arg_struct */
int64_t mmt_sys_old_mmap(struct mmt_sys_ctx *ctx,
			 const struct mmt_sys_call *c)
{
	return mmt_sys_mmap(ctx, c);
}

int64_t mmt_sys_mmap2(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);

	if (!t)
		return -ESRCH;
	return mmt_ksys_mmap_pgoff(t, ctx->abi, mm_sys_arg(ctx, c, 0),
				   mm_sys_arg(ctx, c, 1), mm_sys_arg(ctx, c, 2),
				   mm_sys_arg(ctx, c, 3),
				   (int)mm_sys_arg(ctx, c, 4),
				   mm_sys_arg(ctx, c, 5));
}

int64_t mmt_sys_munmap(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);

	if (!t)
		return -ESRCH;
	return mmt_vm_munmap(t, mm_sys_arg(ctx, c, 0), mm_sys_arg(ctx, c, 1));
}

int64_t mmt_sys_brk_handler(struct mmt_sys_ctx *ctx,
			    const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);

	if (!t)
		return -ESRCH;
	return mmt_sys_brk(t, mm_sys_arg(ctx, c, 0));
}
