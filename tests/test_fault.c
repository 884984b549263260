// SPDX-License-Identifier: MIT
/*
 * Page faults, copy-on-write and fork on the model (src/mm/memory.c,
 * src/kernel/fork.c), against the rules of Linux 6.18's mm/memory.c and
 * arch/x86/mm/fault.c: the zero page for reads, a frame for the first
 * write, one minor fault per page, the signals and their si_code, the
 * COW copy and the single-mapper reuse, fork's write protection, and
 * every frame and object back when the processes are gone.  The live
 * kernel's counts are compared in tests/test_fault_live.c.
 */
#include "test.h"
#include "mm/internal.h"
#include "mm/memory.h"

#include <mmtwin/kalloc.h>
#include <mmtwin/kern.h>
#include <mmtwin/shm.h>
#include <mmtwin/views.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE 4096ULL
#define RW 3
#define PRIV_ANON 0x22
#define FIXED 0x10
#define BASE 0x10000000ULL

static struct mmt_task *task(struct mmt_machine *m)
{
	int err;
	struct mmt_task *t = mmt_task_create(m, mmt_arch_is_64(m->cfg.arch)
					     ? MMT_TASK_X86_64 : MMT_TASK_I386,
					     0, &err);

	CHECK(t != NULL);
	return t;
}

static enum mmt_abi abi_of(const struct mmt_task *t)
{
	return mmt_task_sys_abi(t->abi);
}

static int64_t map(struct mmt_task *t, uint64_t addr, uint64_t len,
		   uint64_t prot, uint64_t flags)
{
	return mmt_ksys_mmap_pgoff(t, abi_of(t), addr, len, prot,
				   flags | (addr ? FIXED : 0), -1, 0);
}

/* One access: the signal number (0: none). */
static int acc(struct mmt_task *t, uint64_t va, unsigned kind, uint8_t v,
	       struct mmt_siginfo *si)
{
	struct mmt_siginfo dummy;

	return mmt_task_access(t, va, kind, &v, si ? si : &dummy);
}

static uint64_t pte_of(struct mmt_task *t, uint64_t va)
{
	uint64_t raw = 0;
	unsigned level;

	mmt_pt_get_pte(t->m, t->mm->pgd_pfn, va, &raw, &level);
	return raw;
}

static uint64_t pfn_of(struct mmt_task *t, uint64_t va)
{
	return mmt_pte_pfn(t->m, pte_of(t, va));
}

static void machine_ok(struct mmt_machine *m)
{
	char err[256];

	if (mmt_machine_check(m, err, sizeof(err)))
		test_fail(__FILE__, __LINE__, "machine check: %s", err);
}

/* Everything the processes could hold: free pages and slab objects. */
struct snapshot {
	uint64_t free_pages;
	unsigned long vma, mm, task;
	uint64_t pt_pages;
};

/* Two processes created and gone first: the per-CPU cache of two
 * kernel stacks (and the vmalloc tables behind them) stays filled, as
 * the kernel's does, so later snapshots compare like with like. */
static void warm_stack_cache(struct mmt_machine *m)
{
	int err;
	struct mmt_task *a = mmt_task_create(m, mmt_arch_is_64(m->cfg.arch)
					     ? MMT_TASK_X86_64 : MMT_TASK_I386,
					     0, &err);
	struct mmt_task *b = mmt_task_create(m, a->abi, 0, &err);

	mmt_task_exit(a);
	mmt_task_exit(b);
}

static void snap(struct mmt_machine *m, struct snapshot *s)
{
	static const char *const caches[] = { "vm_area_struct", "mm_struct",
					      "task_struct", "anon_vma",
					      "anon_vma_chain" };

	for (int i = 0; i < 5; i++)	/* empty slabs back to the buddy */
		mmt_kmem_cache_shrink(m, mmt_kmem_cache_find(m, caches[i]));
	mmt_drain_all_pages(m);
	s->free_pages = mmt_phys_free_pages(m);
	s->vma = mmt_kmem_cache_find(m, "vm_area_struct")->active_objs;
	s->mm = mmt_kmem_cache_find(m, "mm_struct")->active_objs;
	s->task = mmt_kmem_cache_find(m, "task_struct")->active_objs;
	s->pt_pages = mmt_pgtable_pages(m);
}

static void anon_faults_on(enum mmt_arch arch, const char *mem)
{
	struct mmt_machine *m = test_machine(arch, mem);
	struct snapshot before, after;
	struct mmt_task *t;
	uint8_t v = 0;
	struct mmt_siginfo si;

	warm_stack_cache(m);
	snap(m, &before);
	t = task(m);
	CHECK_EQ(map(t, BASE, 16 * PAGE, RW, PRIV_ANON), BASE);
	/* a read maps the zero page, read-only and special */
	CHECK_EQ(acc(t, BASE, MMT_ACCESS_READ, 0, NULL), 0);
	CHECK_EQ(pfn_of(t, BASE), m->tasks->zero_pfn);
	CHECK(!(pte_of(t, BASE) & MMT_PTE_RW));
	CHECK(pte_of(t, BASE) & MMT_PTE_SPECIAL);
	CHECK_EQ(mmt_mm_rss(t->mm), 0);
	CHECK_EQ(t->min_flt, 1);
	/* the write after it: wp fault on the zero page, a new frame */
	CHECK_EQ(acc(t, BASE + 8, MMT_ACCESS_WRITE, 0x5a, NULL), 0);
	CHECK(pfn_of(t, BASE) != m->tasks->zero_pfn);
	CHECK(pte_of(t, BASE) & MMT_PTE_RW);
	CHECK(pte_of(t, BASE) & MMT_PTE_DIRTY);
	CHECK_EQ(t->mm->rss_stat[MMT_MM_ANONPAGES], 1);
	CHECK_EQ(t->min_flt, 2);
	CHECK_EQ(mmt_task_access(t, BASE + 8, MMT_ACCESS_READ, &v, &si), 0);
	CHECK_EQ(v, 0x5a);
	CHECK_EQ(t->min_flt, 2);	/* mapped: no fault */
	for (uint64_t a = BASE; a < BASE + 16 * PAGE; a += PAGE)
		CHECK_EQ(acc(t, a + 1, MMT_ACCESS_WRITE, 1, NULL), 0);
	CHECK_EQ(t->mm->rss_stat[MMT_MM_ANONPAGES], 16);
	CHECK_EQ(t->min_flt, 17);	/* 15 first-touch write faults */
	if (arch == MMT_ARCH_X86_32 || arch == MMT_ARCH_X86_32_PAE) {
		/* GFP_HIGHUSER_MOVABLE: highmem first where there is some */
		struct mmt_zone *z = mmt_page_zone(m, pfn_of(t, BASE));

		CHECK(z && z->type == MMT_ZONE_HIGHMEM);
	}
	machine_ok(m);
	/* DONTNEED: the pages go, a read sees zeros again */
	CHECK_EQ(mmt_do_madvise(t, BASE, 4 * PAGE, 4), 0);
	CHECK_EQ(t->mm->rss_stat[MMT_MM_ANONPAGES], 12);
	CHECK_EQ(mmt_task_access(t, BASE + 8, MMT_ACCESS_READ, &v, &si), 0);
	CHECK_EQ(v, 0);
	machine_ok(m);
	CHECK_EQ(mmt_vm_munmap(t, BASE, 16 * PAGE), 0);
	CHECK_EQ(mmt_mm_rss(t->mm), 0);
	machine_ok(m);
	mmt_task_exit(t);
	snap(m, &after);
	CHECK_EQ(after.free_pages, before.free_pages);
	CHECK_EQ(after.pt_pages, before.pt_pages);
	CHECK_EQ(after.vma, before.vma);
	mmt_machine_free(m);
}

TEST(fault_anon_zero_page_then_frames)
{
	anon_faults_on(MMT_ARCH_X86_64, "256M");
	anon_faults_on(MMT_ARCH_X86_64_LA57, "256M");
	anon_faults_on(MMT_ARCH_X86_32, "2G");
	anon_faults_on(MMT_ARCH_X86_32_PAE, "2G");
}

TEST(fault_signals_and_codes)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct mmt_task *t = task(m);
	struct mmt_siginfo si;

	CHECK_EQ(map(t, BASE, PAGE, 1, PRIV_ANON), BASE);		/* r-- */
	CHECK_EQ(map(t, BASE + 2 * PAGE, PAGE, 0, PRIV_ANON),
		 BASE + 2 * PAGE);					/* --- */
	CHECK_EQ(map(t, BASE + 4 * PAGE, PAGE, RW, PRIV_ANON),
		 BASE + 4 * PAGE);					/* rw- */
	CHECK_EQ(acc(t, BASE, MMT_ACCESS_WRITE, 1, &si), MMT_SIGSEGV);
	CHECK_EQ(si.code, MMT_SEGV_ACCERR);
	CHECK_EQ(si.addr, BASE);
	CHECK_EQ(t->min_flt, 0);	/* access_error: no fault counted */
	CHECK_EQ(acc(t, BASE + 5, MMT_ACCESS_READ, 0, &si), 0);
	CHECK_EQ(acc(t, BASE + 5, MMT_ACCESS_WRITE, 1, &si), MMT_SIGSEGV);
	CHECK_EQ(si.code, MMT_SEGV_ACCERR);
	CHECK_EQ(si.addr, BASE + 5);
	CHECK_EQ(acc(t, BASE + PAGE, MMT_ACCESS_READ, 0, &si), MMT_SIGSEGV);
	CHECK_EQ(si.code, MMT_SEGV_MAPERR);
	CHECK_EQ(acc(t, BASE + 2 * PAGE, MMT_ACCESS_READ, 0, &si),
		 MMT_SIGSEGV);
	CHECK_EQ(si.code, MMT_SEGV_ACCERR);
	/* a kernel address: the direct map, present but supervisor-only */
	CHECK_EQ(acc(t, 0xffff888000001000ULL, MMT_ACCESS_READ, 0, &si),
		 MMT_SIGSEGV);
	CHECK_EQ(si.code, MMT_SEGV_MAPERR);
	/* an instruction fetch from an NX page: mapped, then ACCERR */
	CHECK_EQ(acc(t, BASE + 4 * PAGE, MMT_ACCESS_EXEC, 0, &si),
		 MMT_SIGSEGV);
	CHECK_EQ(si.code, MMT_SEGV_ACCERR);
	CHECK_EQ(t->min_flt, 2);
	machine_ok(m);
	mmt_machine_free(m);
}

TEST(fault_file_pages_sigbus_and_fault_around)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct mmt_task *t = task(m);
	char path[] = "/tmp/mmtwin-fault-XXXXXX";
	int fd = mkstemp(path);
	struct mmt_siginfo si;
	uint64_t a;

	CHECK(fd >= 0);
	CHECK_EQ(ftruncate(fd, 40 * PAGE + 100), 0);	/* 41 file pages */
	CHECK_EQ(mmt_task_fd_install(t, 3, path), 0);
	a = (uint64_t)mmt_ksys_mmap_pgoff(t, MMT_ABI_X86_64, BASE, 64 * PAGE,
					  1, 0x12, 3, 0);
	CHECK_EQ(a, BASE);
	/* the first read: one page (readahead fills the cache around it) */
	CHECK_EQ(acc(t, BASE + 20 * PAGE, MMT_ACCESS_READ, 0, &si), 0);
	CHECK_EQ(t->mm->rss_stat[MMT_MM_FILEPAGES], 1);
	/* read-around cached pages 4..35 (32 pages centred on 20); the
	 * next fault maps the cached part of its 16-page aligned window */
	CHECK_EQ(acc(t, BASE + 33 * PAGE, MMT_ACCESS_READ, 0, &si), 0);
	CHECK_EQ(t->mm->rss_stat[MMT_MM_FILEPAGES], 1 + 4);	/* 32..35 */
	CHECK_EQ(t->min_flt, 2);
	/* past the end of the file: SIGBUS, not counted */
	CHECK_EQ(acc(t, BASE + 41 * PAGE, MMT_ACCESS_READ, 0, &si), MMT_SIGBUS);
	CHECK_EQ(si.code, MMT_BUS_ADRERR);
	CHECK_EQ(t->min_flt, 2);
	/* a private write copies the file page into an anonymous one */
	CHECK_EQ(mmt_do_mprotect_pkey(t, BASE + 20 * PAGE, PAGE, RW, -1), 0);
	CHECK_EQ(acc(t, BASE + 20 * PAGE, MMT_ACCESS_WRITE, 1, &si), 0);
	CHECK_EQ(t->mm->rss_stat[MMT_MM_FILEPAGES], 4);
	CHECK_EQ(t->mm->rss_stat[MMT_MM_ANONPAGES], 1);
	machine_ok(m);
	mmt_task_exit(t);
	close(fd);
	unlink(path);
	mmt_machine_free(m);
}

/* Guard markers live in the page tables only: fork copies them even for
 * a VMA without pages (VM_COPY_ON_FORK), and the child's VMA keeps
 * VM_MAYBE_GUARD. */
TEST(fault_guard_markers_copied_on_fork)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct mmt_siginfo si;
	struct mmt_task *p, *c;
	const struct mmt_vma *v;
	int err;

	p = task(m);
	CHECK_EQ(map(p, BASE, 4 * PAGE, RW, PRIV_ANON), BASE);
	CHECK_EQ(mmt_do_madvise(p, BASE + PAGE, PAGE, 102), 0);	/* INSTALL */
	CHECK_EQ(acc(p, BASE + PAGE, MMT_ACCESS_READ, 0, &si), MMT_SIGSEGV);
	c = mmt_task_fork(p, 0, &err);
	CHECK(c != NULL);
	machine_ok(m);
	v = c ? mmt_find_vma(c->mm, BASE) : NULL;
	CHECK(v && (v->vm_flags & MMT_VM_MAYBE_GUARD));
	CHECK(c && acc(c, BASE + PAGE, MMT_ACCESS_READ, 0, &si) == MMT_SIGSEGV);
	CHECK(c && acc(c, BASE, MMT_ACCESS_READ, 0, &si) == 0);
	CHECK_EQ(mmt_do_madvise(p, BASE + PAGE, PAGE, 103), 0);	/* REMOVE */
	CHECK_EQ(acc(p, BASE + PAGE, MMT_ACCESS_READ, 0, &si), 0);
	CHECK(c && acc(c, BASE + PAGE, MMT_ACCESS_READ, 0, &si) == MMT_SIGSEGV);
	machine_ok(m);
	if (c)
		mmt_task_exit(c);
	mmt_task_exit(p);
	machine_ok(m);
	mmt_machine_free(m);
}

TEST(fault_cow_after_fork)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct snapshot before, after;
	struct mmt_task *p, *c;
	uint64_t pfn0, pfn1;
	uint8_t v;
	struct mmt_siginfo si;
	int err;

	warm_stack_cache(m);
	snap(m, &before);
	p = task(m);
	CHECK_EQ(map(p, BASE, 4 * PAGE, RW, PRIV_ANON), BASE);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(acc(p, BASE + i * PAGE, MMT_ACCESS_WRITE,
			     (uint8_t)(i + 1), NULL), 0);
	pfn0 = pfn_of(p, BASE);
	pfn1 = pfn_of(p, BASE + PAGE);
	c = mmt_task_fork(p, 0, &err);
	CHECK(c != NULL);
	machine_ok(m);
	CHECK_EQ(c->mm->rss_stat[MMT_MM_ANONPAGES], 4);
	CHECK_EQ(pfn_of(c, BASE), pfn0);
	CHECK(!(pte_of(p, BASE) & MMT_PTE_RW));		/* write-protected */
	CHECK(!(pte_of(c, BASE) & MMT_PTE_RW));
	CHECK(!(pte_of(c, BASE) & MMT_PTE_ACCESSED));	/* pte_mkold */
	CHECK_EQ(m->phys->pages[pfn0].mapcount, 2);
	/* the child's VMA chains to the parent's anon_vma and its own */
	CHECK_EQ(m->tasks->nr_anon_vmas, 2);
	CHECK_EQ(m->tasks->nr_anon_vma_chains, 3);
	/* the child writes: it copies; the parent then reuses */
	CHECK_EQ(acc(c, BASE, MMT_ACCESS_WRITE, 0x77, NULL), 0);
	CHECK(pfn_of(c, BASE) != pfn0);
	CHECK_EQ(m->phys->pages[pfn0].mapcount, 1);
	CHECK_EQ(mmt_task_access(c, BASE + 1, MMT_ACCESS_READ, &v, &si), 0);
	CHECK_EQ(v, 0);		/* the copy kept the page: byte 1 untouched */
	CHECK_EQ(mmt_task_access(c, BASE, MMT_ACCESS_READ, &v, &si), 0);
	CHECK_EQ(v, 0x77);
	CHECK_EQ(mmt_task_access(p, BASE, MMT_ACCESS_READ, &v, &si), 0);
	CHECK_EQ(v, 1);		/* the parent's byte is its own */
	CHECK_EQ(acc(p, BASE, MMT_ACCESS_WRITE, 2, NULL), 0);
	CHECK_EQ(pfn_of(p, BASE), pfn0);		/* reused, not copied */
	CHECK_EQ(p->min_flt, 5);
	CHECK_EQ(c->min_flt, 1);
	/* the other order: the parent copies, the child reuses */
	CHECK_EQ(acc(p, BASE + PAGE, MMT_ACCESS_WRITE, 2, NULL), 0);
	CHECK(pfn_of(p, BASE + PAGE) != pfn1);
	CHECK_EQ(acc(c, BASE + PAGE, MMT_ACCESS_WRITE, 2, NULL), 0);
	CHECK_EQ(pfn_of(c, BASE + PAGE), pfn1);
	machine_ok(m);
	mmt_task_exit(c);
	machine_ok(m);
	CHECK_EQ(acc(p, BASE + 2 * PAGE, MMT_ACCESS_WRITE, 9, NULL), 0);
	mmt_task_exit(p);
	snap(m, &after);
	CHECK_EQ(after.free_pages, before.free_pages);
	CHECK_EQ(after.pt_pages, before.pt_pages);
	CHECK_EQ(after.task, before.task);
	CHECK_EQ(after.mm, before.mm);
	CHECK_EQ(m->tasks->nr_anon_vmas, 0);
	CHECK_EQ(m->tasks->nr_anon_vma_chains, 0);
	mmt_machine_free(m);
}

TEST(fault_fork_dontfork_wipeonfork_and_locks)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct mmt_task *p = task(m), *c;
	int err;

	CHECK_EQ(map(p, BASE, 2 * PAGE, RW, PRIV_ANON), BASE);
	CHECK_EQ(map(p, BASE + 4 * PAGE, 2 * PAGE, RW, PRIV_ANON),
		 BASE + 4 * PAGE);
	CHECK_EQ(map(p, BASE + 8 * PAGE, 2 * PAGE, RW, PRIV_ANON | 0x2000),
		 BASE + 8 * PAGE);				/* MAP_LOCKED */
	for (int i = 0; i < 10; i++)
		acc(p, BASE + i * PAGE, MMT_ACCESS_WRITE, 1, NULL);
	CHECK_EQ(mmt_do_madvise(p, BASE, 2 * PAGE, 10), 0);	/* DONTFORK */
	CHECK_EQ(mmt_do_madvise(p, BASE + 4 * PAGE, 2 * PAGE, 18), 0);
	c = mmt_task_fork(p, 0, &err);
	CHECK(c != NULL);
	CHECK_EQ(c->mm->map_count, 2);
	CHECK(mmt_find_vma(c->mm, BASE)->vm_start == BASE + 4 * PAGE);
	CHECK_EQ(c->mm->rss_stat[MMT_MM_ANONPAGES], 2);	/* locked ones */
	CHECK_EQ(c->mm->locked_vm, 0);
	CHECK_EQ(c->mm->total_vm, 4);
	CHECK_EQ(p->mm->total_vm, 6);
	machine_ok(m);
	mmt_task_exit(c);
	mmt_task_exit(p);
	machine_ok(m);
	mmt_machine_free(m);
}

/*
 * mmt_trial_begin's copy is the process, not its fork: DONTFORK and
 * locked VMAs as they are, and what is done to it leaves the original
 * (maps, smaps, PTEs, Committed_AS, a SysV segment's lpid) as it was.
 */
TEST(fault_trial_copy_is_exact_and_leaves_the_original)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct mmt_task *p = task(m);
	struct mmt_trial tr;
	struct mmt_shm_info si0, si1;
	uint64_t committed, flt, raddr;
	char *maps0, *smaps0, *cmaps, *csmaps, *maps1, *smaps1;
	int id;

	CHECK_EQ(map(p, BASE, 2 * PAGE, RW, PRIV_ANON), BASE);
	CHECK_EQ(map(p, BASE + 4 * PAGE, 2 * PAGE, RW, PRIV_ANON | 0x2000),
		 BASE + 4 * PAGE);				/* MAP_LOCKED */
	CHECK_EQ(map(p, BASE + 8 * PAGE, 2 * PAGE, RW, 0x21), BASE + 8 * PAGE);
	for (int i = 0; i < 2; i++)
		acc(p, BASE + i * PAGE, MMT_ACCESS_WRITE, 1, NULL);
	CHECK_EQ(mmt_do_madvise(p, BASE, 2 * PAGE, 10), 0);	/* DONTFORK */
	id = (int)mmt_ksys_shmget(p, 0, 4 * PAGE, 01600);
	CHECK(id >= 0);
	CHECK_EQ(mmt_do_shmat(p, MMT_ABI_X86_64, id, BASE + 16 * PAGE, 0,
			      &raddr), 0);
	CHECK_EQ(mmt_shm_info_at(m, id % 32768, &si0), 0);
	maps0 = test_task_view(p, "maps");
	smaps0 = test_task_view(p, "smaps");
	committed = mmt_vm_committed(m);

	CHECK_EQ(mmt_trial_begin(&tr, p), 0);
	cmaps = test_task_view(tr.t, "maps");
	csmaps = test_task_view(tr.t, "smaps");
	CHECK(cmaps && maps0 && !strcmp(cmaps, maps0));
	CHECK(strstr(csmaps, " lo ") && strstr(csmaps, " dc "));
	CHECK_EQ(tr.t->mm->locked_vm, p->mm->locked_vm);
	CHECK_EQ(mmt_vm_committed(m), committed);	/* no charge of its own */
	/* what-ifs: the copy maps, unmaps and moves; the original waits */
	CHECK_EQ(mmt_vm_munmap(tr.t, BASE, 32 * PAGE), 0);
	CHECK_EQ(map(tr.t, BASE, 64 * PAGE, RW, PRIV_ANON), BASE);
	CHECK_EQ(map(tr.t, 0, 16 * PAGE, RW, 0x21) > 0, 1);
	mmt_trial_end(&tr);
	CHECK(tr.t == NULL);

	maps1 = test_task_view(p, "maps");
	smaps1 = test_task_view(p, "smaps");
	CHECK(maps1 && !strcmp(maps1, maps0));
	CHECK(smaps1 && !strcmp(smaps1, smaps0));
	CHECK_EQ(mmt_vm_committed(m), committed);
	CHECK_EQ(mmt_shm_info_at(m, id % 32768, &si1), 0);
	CHECK_EQ(si1.lpid, si0.lpid);
	CHECK_EQ(si1.nattch, si0.nattch);
	/* the written pages are still writable: no fault, not a COW */
	flt = p->min_flt;
	acc(p, BASE, MMT_ACCESS_WRITE, 2, NULL);
	CHECK_EQ(p->min_flt, flt);
	machine_ok(m);
	free(maps0);
	free(smaps0);
	free(cmaps);
	free(csmaps);
	free(maps1);
	free(smaps1);
	mmt_task_exit(p);
	machine_ok(m);
	mmt_machine_free(m);
}

TEST(fault_stack_growth_and_rlimit)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct mmt_task *t = task(m);
	struct mmt_siginfo si;
	uint64_t top = 0x20000000ULL;

	CHECK_EQ(map(t, top - PAGE, PAGE, RW, PRIV_ANON | 0x100), top - PAGE);
	CHECK_EQ(acc(t, top - 3 * PAGE + 8, MMT_ACCESS_WRITE, 1, &si), 0);
	CHECK_EQ(mmt_find_vma(t->mm, top - 3 * PAGE)->vm_start, top - 3 * PAGE);
	CHECK_EQ(t->mm->stack_vm, 3);
	/* 8 MiB of stack is the limit: a touch 9 MiB down is SIGSEGV */
	CHECK_EQ(acc(t, top - (9ULL << 20), MMT_ACCESS_READ, 0, &si),
		 MMT_SIGSEGV);
	CHECK_EQ(si.code, MMT_SEGV_MAPERR);
	/* the guard gap: nothing grows within 256 pages of a mapping */
	CHECK_EQ(map(t, top - (2ULL << 20), PAGE, RW, PRIV_ANON),
		 top - (2ULL << 20));
	CHECK_EQ(acc(t, top - (2ULL << 20) + 10 * PAGE, MMT_ACCESS_READ, 0,
		     &si), MMT_SIGSEGV);
	CHECK_EQ(acc(t, top - (2ULL << 20) + 300 * PAGE, MMT_ACCESS_READ, 0,
		     &si), 0);
	machine_ok(m);
	mmt_machine_free(m);
}

TEST(fault_mprotect_mremap_keep_pages)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct mmt_task *t = task(m);
	struct mmt_siginfo si;
	uint8_t v;
	uint64_t flt, pfn;
	int64_t r;

	CHECK_EQ(map(t, BASE, 4 * PAGE, RW, PRIV_ANON), BASE);
	for (int i = 0; i < 4; i++)
		acc(t, BASE + i * PAGE, MMT_ACCESS_WRITE, (uint8_t)(10 + i), NULL);
	CHECK_EQ(mmt_do_mprotect_pkey(t, BASE, 4 * PAGE, 1, -1), 0);
	CHECK(!(pte_of(t, BASE) & MMT_PTE_RW));
	CHECK_EQ(acc(t, BASE, MMT_ACCESS_WRITE, 1, &si), MMT_SIGSEGV);
	CHECK_EQ(mmt_do_mprotect_pkey(t, BASE, 4 * PAGE, 0, -1), 0);
	CHECK(!(pte_of(t, BASE) & MMT_PTE_PRESENT));	/* PROT_NONE PTE */
	CHECK(mmt_pte_present(pte_of(t, BASE)));
	/* back to rw: exclusive anon pages become writable at once */
	CHECK_EQ(mmt_do_mprotect_pkey(t, BASE, 4 * PAGE, RW, -1), 0);
	CHECK(pte_of(t, BASE) & MMT_PTE_RW);
	flt = t->min_flt;
	CHECK_EQ(acc(t, BASE, MMT_ACCESS_WRITE, 10, &si), 0);
	CHECK_EQ(t->min_flt, flt);
	machine_ok(m);
	/* mremap moves the PTEs with the pages (a VMA above: no room) */
	CHECK_EQ(map(t, BASE + 4 * PAGE, PAGE, 1, PRIV_ANON), BASE + 4 * PAGE);
	pfn = pfn_of(t, BASE + PAGE);
	r = mmt_do_mremap(t, MMT_ABI_X86_64, BASE, 4 * PAGE, 64 * PAGE, 1, 0);
	CHECK(r > 0 && (uint64_t)r != BASE);
	CHECK_EQ(pfn_of(t, (uint64_t)r + PAGE), pfn);
	CHECK_EQ(mmt_task_access(t, (uint64_t)r + 3 * PAGE, MMT_ACCESS_READ, &v,
				 &si), 0);
	CHECK_EQ(v, 13);
	CHECK_EQ(t->min_flt, flt);
	CHECK_EQ(t->mm->rss_stat[MMT_MM_ANONPAGES], 4);
	machine_ok(m);
	mmt_machine_free(m);
}

TEST(fault_threads_share_the_mm)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct mmt_task *p = task(m), *th, *f;
	struct mmt_siginfo si;
	uint8_t v = 0;
	int err;

	th = mmt_task_create_thread(p, 0, &err);
	CHECK(th != NULL);
	CHECK(th->mm == p->mm && th->tgid == p->pid && th->pid != p->pid);
	CHECK_EQ(map(th, BASE, 2 * PAGE, RW, PRIV_ANON), BASE);
	CHECK_EQ(mmt_task_access(th, BASE, MMT_ACCESS_WRITE, &(uint8_t){ 7 },
				 &si), 0);
	CHECK_EQ(mmt_task_access(p, BASE, MMT_ACCESS_READ, &v, &si), 0);
	CHECK_EQ(v, 7);			/* one mm, one page */
	CHECK_EQ(th->min_flt, 1);
	CHECK_EQ(p->min_flt, 0);
	machine_ok(m);
	f = mmt_task_fork(th, 0, &err);	/* a thread forks: a new process */
	CHECK(f != NULL && f->mm != p->mm);
	mmt_task_exit(p);		/* the leader goes, the mm stays */
	machine_ok(m);
	CHECK_EQ(mmt_task_access(th, BASE, MMT_ACCESS_READ, &v, &si), 0);
	CHECK_EQ(v, 7);
	CHECK_EQ(mmt_kmem_cache_find(m, "mm_struct")->active_objs, 2);
	mmt_task_exit(th);
	mmt_task_exit(f);
	machine_ok(m);
	CHECK_EQ(mmt_kmem_cache_find(m, "mm_struct")->active_objs, 0);
	mmt_machine_free(m);
}
