// SPDX-License-Identifier: MIT
/*
 * The VMA tree: find_vma and neighbours, the augmented gaps, the gap
 * searches against a brute-force scan of random layouts; a process's
 * exit returning slabinfo and buddyinfo to where they were.
 */
#include "test.h"
#include "mm/vma_internal.h"

#include <stdlib.h>

#define PAGE 4096ULL

static struct mmt_task *new_task(struct mmt_machine *m)
{
	int err;
	struct mmt_task *t = mmt_task_create(m, MMT_TASK_X86_64, 0, &err);

	CHECK(t != NULL);
	return t;
}

/* A VMA [start, end) linked into @t (flags rw, anonymous). */
static struct mmt_vma *add(struct mmt_task *t, uint64_t start, uint64_t end,
			   uint64_t flags)
{
	struct mmt_vma *v = vm_area_alloc(t->mm);

	v->vm_start = start;
	v->vm_end = end;
	v->vm_flags = flags;
	v->vm_pgoff = start / PAGE;
	vma_link(t->mm, v);
	vm_stat_account(t->mm, flags, (int64_t)((end - start) / PAGE));
	return v;
}

/*
 *   0x10000   0x20000        0x50000  0x60000
 *   |  A  |     (gap 0x30000)    |  B  |       C at 0x100000-0x101000
 */
TEST(vma_find_and_neighbours)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct mmt_task *t = new_task(m);
	struct mmt_vma *a = add(t, 0x10000, 0x20000, MMT_VM_READ);
	struct mmt_vma *c = add(t, 0x100000, 0x101000, MMT_VM_READ);
	struct mmt_vma *b = add(t, 0x50000, 0x60000, MMT_VM_READ), *prev;
	char err[256];

	CHECK(find_vma(t->mm, 0) == a);
	CHECK(find_vma(t->mm, 0x1ffff) == a);
	CHECK(find_vma(t->mm, 0x20000) == b);	/* first with vm_end > addr */
	CHECK(find_vma(t->mm, 0x60000) == c);
	CHECK(find_vma(t->mm, 0x101000) == NULL);
	CHECK(find_vma_prev(t->mm, 0x30000, &prev) == b && prev == a);
	CHECK(find_vma_prev(t->mm, 0x200000, &prev) == NULL && prev == c);
	CHECK(vma_next(a) == b && vma_prev(c) == b && !vma_prev(a));
	CHECK(find_vma_intersection(t->mm, 0x20000, 0x50000) == NULL);
	CHECK(find_vma_intersection(t->mm, 0x20000, 0x50001) == b);
	CHECK_EQ(a->rb_gap, 0);	/* the head gap [0, 0x10000) is kept apart */
	CHECK_EQ(b->rb_gap, 0x30000);
	CHECK_EQ(c->rb_gap, 0xa0000);
	CHECK_EQ(t->mm->map_count, 3);
	CHECK_EQ(mmt_mm_check(m, err, sizeof(err)), 0);
	vma_unlink(t->mm, b);
	vm_stat_account(t->mm, b->vm_flags, -16);
	CHECK_EQ(c->rb_gap, 0xe0000);	/* B's space joined C's gap */
	vm_area_free(b);
	CHECK_EQ(mmt_mm_check(m, err, sizeof(err)), 0);
	mmt_machine_free(m);
}

/* The lowest / highest fit by scanning every gap (the oracle). */
static uint64_t brute(struct mmt_mm *mm, uint64_t len, uint64_t low,
		      uint64_t high, bool topdown)
{
	uint64_t best = (uint64_t)-ENOMEM, prev_end = 0;
	struct mmt_vma *v = vma_first(mm);

	low = low < 65536 ? 65536 : low;	/* mmap_min_addr */
	for (;;) {
		uint64_t gs = prev_end, ge = v ? v->vm_start : UINT64_MAX;
		uint64_t s = gs > low ? gs : low, e = ge < high ? ge : high;

		if (e > s && e - s >= len) {
			if (!topdown)
				return s;
			best = e - len;
		}
		if (!v)
			break;
		prev_end = v->vm_end;
		v = vma_next(v);
	}
	return best;
}

/* Random layouts: the O(log n) searches equal the scan. */
TEST(vma_gap_search_matches_scan)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct mmt_task *t = new_task(m);
	uint64_t seed = 12345;
	char err[256];

	for (int i = 0; i < 400; i++) {
		uint64_t start, len;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		start = ((seed >> 20) % 0x4000) * PAGE;
		len = ((seed >> 40) % 16 + 1) * PAGE;
		if (find_vma_intersection(t->mm, start - PAGE, start + len + PAGE))
			continue;	/* no overlap, no mergeable neighbour */
		add(t, start, start + len, MMT_VM_READ);
	}
	CHECK_EQ(mmt_mm_check(m, err, sizeof(err)), 0);
	for (int q = 0; q < 2000; q++) {
		struct vm_unmapped_area_info info = { 0 };
		uint64_t lo, hi, want, got;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		info.length = ((seed >> 10) % 24 + 1) * PAGE;
		lo = ((seed >> 20) % 0x4000) * PAGE;
		hi = lo + ((seed >> 36) % 0x3000) * PAGE;
		info.low_limit = lo;
		info.high_limit = hi;
		info.flags = q & 1 ? VM_UNMAPPED_AREA_TOPDOWN : 0;
		want = brute(t->mm, info.length, lo, hi, q & 1);
		got = vm_unmapped_area(t->mm, &info);
		if (want != got)
			test_fail(__FILE__, __LINE__, "query %d [%#llx, %#llx) "
				  "len %#llx %s: got %#llx, want %#llx", q,
				  (unsigned long long)lo, (unsigned long long)hi,
				  (unsigned long long)info.length,
				  q & 1 ? "top-down" : "bottom-up",
				  (unsigned long long)got,
				  (unsigned long long)want);
	}
	mmt_machine_free(m);
}

/*
 * The stack guard: a gap directly below a VM_GROWSDOWN VMA is usable
 * only 1 MiB (stack_guard_gap) below it.
 *
 *   0x10000000 [ lower ]   ...  2 MiB gap ...   [ stack (GROWSDOWN) ] 0x10300000
 */
TEST(vma_gap_search_keeps_the_stack_guard)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct mmt_task *t = new_task(m);
	struct vm_unmapped_area_info info = {
		.flags = VM_UNMAPPED_AREA_TOPDOWN, .length = 0x80000,
		.low_limit = 0x10000000, .high_limit = 0x10400000,
	};

	add(t, 0x10000000, 0x10100000, MMT_VM_READ);
	add(t, 0x10300000, 0x10400000, MMT_VM_READ | MMT_VM_GROWSDOWN);
	/* highest fit below the guard: 0x10200000 - len */
	CHECK_EQ(vm_unmapped_area(t->mm, &info), 0x10300000 - 0x100000 - 0x80000);
	info.length = 0x180000;		/* fits the raw gap, not with the guard */
	CHECK_EQ(vm_unmapped_area(t->mm, &info), (uint64_t)-ENOMEM);
	info.flags = 0;			/* bottom-up skips past the stack */
	CHECK_EQ(vm_unmapped_area(t->mm, &info), (uint64_t)-ENOMEM);
	info.high_limit = 0x20000000;
	CHECK_EQ(vm_unmapped_area(t->mm, &info), 0x10400000);
	info.length = 0x80000;		/* fits below the guard */
	CHECK_EQ(vm_unmapped_area(t->mm, &info), 0x10100000);
	mmt_machine_free(m);
}

/*
 * Creating and exiting processes leaves slabinfo and buddyinfo as they
 * were, once SLUB's kept empty slabs are shrunk and the per-CPU lists
 * drained (as echo 1 > /sys/kernel/slab/NAME/shrink and drain_all_pages
 * would: the kernel keeps both caches warm too).
 */
TEST(vma_exit_restores_slabinfo_and_buddyinfo)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	char *s0 = NULL, *b0 = NULL, *s1 = NULL, *b1 = NULL, err[256];
	size_t n;
	FILE *f;
	struct mmt_task *t1, *t2;

	/* warm CPU 0's two cached thread stacks: they stay, with vmalloc's
	 * page tables, as in the kernel (tests/test_kstack.c) */
	t1 = new_task(m);
	t2 = new_task(m);
	mmt_task_exit(t1);
	mmt_task_exit(t2);
	mmt_kmem_cache_shrink(m, mmt_kmem_cache_find(m, "mm_struct"));
	mmt_kmem_cache_shrink(m, mmt_kmem_cache_find(m, "task_struct"));
	mmt_drain_all_pages(m);
	f = open_memstream(&s0, &n);
	mmt_slabinfo_print(m, f);
	fclose(f);
	f = open_memstream(&b0, &n);
	CHECK_EQ(mmt_view_print(m, "buddyinfo", f, MMT_FMT_TEXT, err,
				sizeof(err)), 0);
	fclose(f);
	t1 = new_task(m);
	t2 = new_task(m);
	for (int i = 0; i < 300; i++) {	/* enough VMAs for new slabs */
		CHECK(mmt_ksys_mmap_pgoff(t1, MMT_ABI_X86_64, 0, PAGE, 1 + (i & 1),
					  0x22, -1, 0) > 0);
		CHECK(mmt_ksys_mmap_pgoff(t2, MMT_ABI_X86_64, 0, PAGE, 1,
					  0x22, -1, 0) > 0);
	}
	CHECK_EQ(t1->mm->map_count, 300);
	CHECK_EQ(t2->mm->map_count, 1);	/* all merged */
	CHECK_EQ(mmt_machine_check(m, err, sizeof(err)), 0);
	mmt_task_exit(t1);
	mmt_task_exit(t2);
	CHECK_EQ(mmt_mm_check(m, err, sizeof(err)), 0);
	CHECK(mmt_kmem_cache_shrink(m, mmt_kmem_cache_find(m, "vm_area_struct")) > 0);
	mmt_kmem_cache_shrink(m, mmt_kmem_cache_find(m, "mm_struct"));
	mmt_kmem_cache_shrink(m, mmt_kmem_cache_find(m, "task_struct"));
	mmt_drain_all_pages(m);
	f = open_memstream(&s1, &n);
	mmt_slabinfo_print(m, f);
	fclose(f);
	f = open_memstream(&b1, &n);
	CHECK_EQ(mmt_view_print(m, "buddyinfo", f, MMT_FMT_TEXT, err,
				sizeof(err)), 0);
	fclose(f);
	CHECK_STR(s1, s0);
	CHECK_STR(b1, b0);
	free(s0);
	free(s1);
	free(b0);
	free(b1);
	mmt_machine_free(m);
}

/* The validator catches what it claims to. */
TEST(vma_check_finds_broken_state)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct mmt_task *t = new_task(m);
	struct mmt_vma *a, *b;
	char err[256];

	a = add(t, 0x100000, 0x101000, MMT_VM_READ);
	b = add(t, 0x101000, 0x102000, MMT_VM_READ | MMT_VM_WRITE);
	CHECK_EQ(mmt_mm_check(m, err, sizeof(err)), 0);
	b->vm_flags = MMT_VM_READ;	/* now mergeable with a */
	CHECK_EQ(mmt_mm_check(m, err, sizeof(err)), -1);
	CHECK(strstr(err, "should have been merged") != NULL);
	b->vm_flags = MMT_VM_READ | MMT_VM_WRITE;
	t->mm->total_vm++;
	CHECK_EQ(mmt_mm_check(m, err, sizeof(err)), -1);
	CHECK(strstr(err, "counters") != NULL);
	t->mm->total_vm--;
	a->rb_gap++;
	CHECK_EQ(mmt_mm_check(m, err, sizeof(err)), -1);
	CHECK(strstr(err, "VMA tree") != NULL);
	a->rb_gap--;
	CHECK_EQ(mmt_mm_check(m, err, sizeof(err)), 0);
	mmt_machine_free(m);
}
