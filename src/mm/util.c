// SPDX-License-Identifier: MIT
/*
 * mm/util.c - overcommit accounting as 6.18 does it: the commit charge
 * (vm_committed_as, Committed_AS), the limit of strict mode
 * (vm_commit_limit, CommitLimit), __vm_enough_memory's three policies and
 * the sysctls behind them (overcommit_ratio_handler and
 * overcommit_kbytes_handler; init_user_reserve and init_admin_reserve of
 * mm/mmap.c for the reserves' boot values).
 *
 *   caller                       charges              released by
 *   __mmap_region (private       pglen - what a       munmap, exit_mmap
 *     writable, !VM_NORESERVE)   MAP_FIXED replaces
 *   do_brk_flags                 len                  munmap (brk shrink)
 *   mprotect_fixup (becomes      nrpages              munmap; mprotect back
 *     writable, not yet charged)                      of an untouched VMA
 *   vrm_calc_charge (mremap)     delta, or new_len    munmap
 *                                with DONTUNMAP
 *   shmem_acct_size (shared      PAGE_ALIGN(size)     the shmem object's
 *     anonymous, !VM_NORESERVE)                       last reference
 *
 * Every charge is added first and taken back when refused
 * (vm_acct_memory, then vm_unacct_memory), as the kernel does.
 * Simplifications: the counter is exact (the kernel's percpu counter is
 * read approximately, percpu_counter_read_positive, by the mode 2 check,
 * and summed exactly, percpu_counter_sum_positive, by Committed_AS); no
 * swap (total_swap_pages 0), no hugetlb pages (hugetlb_total_pages 0);
 * the capability is the calling task's CAP_SYS_ADMIN (no LSM other than
 * commoncap's cap_vm_enough_memory answers).
 */
#include "mm/vma_internal.h"
#include "base/bug.h"

#include <limits.h>
#include <string.h>

#define OVERCOMMIT_GUESS	0
#define OVERCOMMIT_ALWAYS	1
#define OVERCOMMIT_NEVER	2

#define KB_TO_PAGES(kb)	((kb) >> (MMT_PAGE_SHIFT - 10))

void vm_acct_memory(struct mmt_machine *m, uint64_t pages)
{
	m->tasks->vm_committed_as += pages;
}

void vm_unacct_memory(struct mmt_machine *m, uint64_t pages)
{
	MMT_BUG_ON(pages > m->tasks->vm_committed_as);
	m->tasks->vm_committed_as -= pages;
}

/* totalram_pages() - hugetlb_total_pages() (none) ... + total_swap_pages
 * (none), or overcommit_kbytes when it is set. */
uint64_t vm_commit_limit(const struct mmt_machine *m)
{
	const struct mmt_vm_sysctl *sc = &m->tasks->sysctl;

	if (sc->overcommit_kbytes)
		return KB_TO_PAGES(sc->overcommit_kbytes);
	/* unsigned long arithmetic, as the kernel's (a huge ratio wraps) */
	return m->phys->totalram_pages * (uint64_t)(int64_t)sc->overcommit_ratio
	       / 100;
}

uint64_t mmt_vm_commit_limit(const struct mmt_machine *m)
{
	return vm_commit_limit(m);
}

uint64_t mmt_vm_committed(const struct mmt_machine *m)
{
	return m->tasks->vm_committed_as;
}

int __vm_enough_memory(struct mmt_machine *m, const struct mmt_mm *mm,
		       uint64_t pages, bool cap_sys_admin)
{
	const struct mmt_vm_sysctl *sc = &m->tasks->sysctl;
	int64_t allowed;

	vm_acct_memory(m, pages);
	if (sc->overcommit_memory == OVERCOMMIT_ALWAYS)
		return 0;
	if (sc->overcommit_memory == OVERCOMMIT_GUESS) {
		/* only a single request bigger than RAM + swap fails */
		if (pages <= m->phys->totalram_pages)
			return 0;
		if (mm)
			mm_trace(mm, "overcommit (guess): %llu pages, more than "
				 "RAM %llu: -ENOMEM", (unsigned long long)pages,
				 (unsigned long long)m->phys->totalram_pages);
		goto error;
	}
	/* OVERCOMMIT_NEVER: the limit less the reserves, in signed longs */
	allowed = (int64_t)vm_commit_limit(m);
	if (!cap_sys_admin)
		allowed -= (int64_t)KB_TO_PAGES(sc->admin_reserve_kbytes);
	if (mm) {
		int64_t reserve = (int64_t)KB_TO_PAGES(sc->user_reserve_kbytes);
		int64_t share = (int64_t)(mm->total_vm / 32);

		allowed -= share < reserve ? share : reserve;
	}
	if ((int64_t)m->tasks->vm_committed_as < allowed)
		return 0;
	if (mm)
		mm_trace(mm, "overcommit (never): %llu pages would make "
			 "Committed_AS %llu, not below %lld: -ENOMEM",
			 (unsigned long long)pages,
			 (unsigned long long)m->tasks->vm_committed_as,
			 (long long)allowed);
error:
	vm_unacct_memory(m, pages);
	return -ENOMEM;
}

int security_vm_enough_memory_mm(struct mmt_mm *mm, uint64_t pages)
{
	return __vm_enough_memory(mm_machine(mm), mm, pages,
				  mm_task(mm)->cap_sys_admin);
}

/* NR_FREE_PAGES in kB, as the reserves' initcalls read it. */
static uint64_t free_kbytes(struct mmt_machine *m)
{
	return mmt_phys_nr_free_pages(m) << (MMT_PAGE_SHIFT - 10);
}

void init_user_reserve(struct mmt_machine *m)
{
	uint64_t kb = free_kbytes(m) / 32;

	m->tasks->sysctl.user_reserve_kbytes = kb < 131072 ? kb : 131072;
}

void init_admin_reserve(struct mmt_machine *m)
{
	uint64_t kb = free_kbytes(m) / 32;

	m->tasks->sysctl.admin_reserve_kbytes = kb < 8192 ? kb : 8192;
}

int mmt_vm_sysctl_set(struct mmt_machine *m, const char *name, uint64_t v)
{
	struct mmt_vm_sysctl *sc = &m->tasks->sysctl;

	if (!strcmp(name, "vm.overcommit_memory")) {
		if (v > OVERCOMMIT_NEVER)	/* proc_dointvec_minmax 0..2 */
			return -EINVAL;
		sc->overcommit_memory = (unsigned)v;
	} else if (!strcmp(name, "vm.overcommit_ratio")) {
		if (v > INT_MAX)		/* proc_dointvec: an int */
			return -EINVAL;
		sc->overcommit_ratio = (int)v;
		sc->overcommit_kbytes = 0;	/* overcommit_ratio_handler */
	} else if (!strcmp(name, "vm.overcommit_kbytes")) {
		sc->overcommit_kbytes = v;
		sc->overcommit_ratio = 0;	/* overcommit_kbytes_handler */
	} else if (!strcmp(name, "vm.admin_reserve_kbytes")) {
		sc->admin_reserve_kbytes = v;
	} else if (!strcmp(name, "vm.user_reserve_kbytes")) {
		sc->user_reserve_kbytes = v;
	} else if (!strcmp(name, "vm.max_map_count")) {
		sc->max_map_count = v;
	} else if (!strcmp(name, "vm.mmap_min_addr")) {
		sc->mmap_min_addr = v;
	} else if (!strcmp(name, "vm.legacy_va_layout")) {
		sc->legacy_va_layout = v != 0;
	} else if (!strcmp(name, "kernel.randomize_va_space")) {
		if (v > 2)		/* proc_dointvec_minmax 0..2 */
			return -EINVAL;
		sc->randomize_va_space = (unsigned)v;
	} else if (!strcmp(name, "vm.mmap_rnd_bits")) {
		/* ARCH_MMAP_RND_BITS_MIN .. _MAX: 28..32 (8..16 on i386) */
		bool is64 = mmt_arch_is_64(m->cfg.arch);

		if (v < (is64 ? 28 : 8) || v > (is64 ? 32 : 16))
			return -EINVAL;
		sc->mmap_rnd_bits = (unsigned)v;
	} else if (!strcmp(name, "vm.mmap_rnd_compat_bits")) {
		if (!mmt_arch_is_64(m->cfg.arch))
			return -ENOENT;	/* CONFIG_COMPAT only */
		if (v < 8 || v > 16)	/* ARCH_MMAP_RND_COMPAT_BITS_MIN/MAX */
			return -EINVAL;
		sc->mmap_rnd_compat_bits = (unsigned)v;
	} else {
		return -ENOENT;
	}
	return 0;
}
