// SPDX-License-Identifier: MIT
/*
 * Kernel stacks (src/kernel/kstack.c): where alloc_thread_stack_node puts
 * them on the four profiles, the per-CPU cache of two freed stacks and the
 * exact reuse order, what exit leaves behind, -ENOMEM without leaks,
 * KernelStack/VmallocUsed, explain on the tasks' kernel objects, and the
 * facts this host's 6.18 kernel shows (config, /proc/vmallocinfo).
 */
#include "test.h"

#include <mmtwin/kalloc.h>
#include <mmtwin/page_alloc.h>
#include "kernel/task_internal.h"
#include "mm/internal.h"
#include "mm/vma_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <unistd.h>

#define X32 MMT_ARCH_X86_32
#define PAE MMT_ARCH_X86_32_PAE
#define X64 MMT_ARCH_X86_64
#define L57 MMT_ARCH_X86_64_LA57

/* The reference host: its caller offset is the model's constant. */
#define HOST_RELEASE "6.18.44-fc-v1045"

static struct mmt_task *task_new(struct mmt_machine *m)
{
	int err = 0;
	struct mmt_task *t = mmt_task_create(m, mmt_arch_is_64(m->cfg.arch)
					     ? MMT_TASK_X86_64 : MMT_TASK_I386,
					     0, &err);

	if (!t)
		test_fail(__FILE__, __LINE__, "mmt_task_create: %d", err);
	return t;
}

static char *view(struct mmt_machine *m, const char *name)
{
	char *buf = NULL, err[256];
	size_t n;
	FILE *f = open_memstream(&buf, &n);

	if (mmt_view_print(m, name, f, MMT_FMT_TEXT, err, sizeof(err)))
		test_fail(__FILE__, __LINE__, "show %s: %s", name, err);
	fclose(f);
	return buf;
}

/* "Name:   N kB" of meminfo. */
static uint64_t meminfo_kb(struct mmt_machine *m, const char *field)
{
	char *mi = view(m, "meminfo"), *p = strstr(mi, field);
	uint64_t v = p ? strtoull(p + strlen(field), NULL, 10) : ~0ull;

	free(mi);
	return v;
}

static void machine_ok(struct mmt_machine *m, int line)
{
	char err[256];

	if (mmt_machine_check(m, err, sizeof(err)))
		test_fail(__FILE__, line, "mmt_machine_check: %s", err);
}

/* The slab caches shrunk and the per-CPU page lists drained, so what is
 * left is what the kernel would keep after shrink + drain_all_pages. */
static void settle(struct mmt_machine *m)
{
	static const char *const caches[] = { "task_struct", "mm_struct",
					      "vm_area_struct" };

	for (unsigned i = 0; i < 3; i++)
		mmt_kmem_cache_shrink(m, mmt_kmem_cache_find(m, caches[i]));
	mmt_drain_all_pages(m);
}

static char *area_line(uint64_t start)
{
	char *l = malloc(128);

	if (!l)
		abort();
	snprintf(l, 128, "0x%016" PRIx64 "-0x%016" PRIx64 "   20480 "
		 THREAD_STACK_CALLER " pages=4 vmalloc N0=4\n", start,
		 start + 0x5000);
	return l;
}

/* One task's stack on each profile: size, place, accounting. */
TEST(kstack_geometry_all_profiles)
{
	static const enum mmt_arch arches[] = { X32, PAE, X64, L57 };

	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = test_machine(arches[a], "512M");
		bool is64 = mmt_arch_is_64(arches[a]);
		uint64_t start, end, free0, pa;
		struct mmt_task *t;
		char *vi;

		mmt_vmalloc_range(m, &start, &end);
		mmt_drain_all_pages(m);
		free0 = mmt_phys_nr_free_pages(m);
		t = task_new(m);
		CHECK_EQ(mmt_thread_size(m), is64 ? 16384 : 8192);
		CHECK_EQ(meminfo_kb(m, "KernelStack:"), is64 ? 16 : 8);
		CHECK_EQ(meminfo_kb(m, "VmallocUsed:"), is64 ? 16 : 0);
		vi = view(m, "vmallocinfo");
		if (is64) {
			char *want = area_line(start);

			/* the lowest THREAD_ALIGN'ed fit: the first area */
			CHECK_EQ(t->stack, start);
			CHECK_STR(vi, want);
			free(want);
		} else {
			/* order 1 from lowmem: a direct-map address */
			CHECK_STR(vi, "");
			CHECK_EQ(mmt_pa(&m->layout, t->stack, &pa), 0);
			CHECK_EQ(pa & 0x1fff, 0);
			CHECK((pa >> MMT_PAGE_SHIFT) + 2 <= m->layout.max_low_pfn);
		}
		free(vi);
		machine_ok(m, __LINE__);
		mmt_task_exit(t);
		CHECK_EQ(meminfo_kb(m, "KernelStack:"), 0);
		/* x86_64 keeps the stack in CPU 0's cache: VmallocUsed still
		 * counts it; x86_32 gives its two pages back */
		CHECK_EQ(meminfo_kb(m, "VmallocUsed:"), is64 ? 16 : 0);
		machine_ok(m, __LINE__);
		settle(m);
		if (!is64)
			CHECK_EQ(mmt_phys_nr_free_pages(m), free0);
		mmt_machine_free(m);
	}
}

/*
 * Three processes, all exit, two more: the kernel's order.  Stacks A < B
 * < C are the lowest 16 KiB-aligned fits of 20 KiB areas (A = VMALLOC_START,
 * B = A + 0x8000, C = A + 0x10000).  Exits 1, 2, 3: A takes slot 0, B slot
 * 1, C is vfree'd (the cache is full).  The next two tasks take slot 0
 * (A) then slot 1 (B) without calling vmalloc.
 *
 * What stays after everything exits, against the fresh machine: the two
 * cached stacks (two vmallocinfo lines, 8 pages, VmallocUsed 32 kB) and
 * the init_mm page tables vmalloc built for them (PageTables); slabinfo
 * returns exactly once the empty slabs SLUB keeps are shrunk.  Against the
 * state after the first round exited, everything is exactly equal.
 */
TEST(kstack_cache_reuse_three_exit_two)
{
	static const enum mmt_arch arches[] = { X64, L57 };

	for (unsigned a = 0; a < 2; a++) {
		struct mmt_machine *m = test_machine(arches[a], "512M");
		struct mmt_kstacks *ks = m->tasks->kstacks;
		struct mmt_task *t[5];
		uint64_t start, end, free0, pt0, free1;
		char *s0, *v0, *s1, *v1, *b1, *s2, *v2, *b2, *want, *la, *lb;

		mmt_vmalloc_range(m, &start, &end);
		settle(m);
		s0 = view(m, "slabinfo");
		v0 = view(m, "vmallocinfo");
		free0 = mmt_phys_nr_free_pages(m);
		pt0 = mmt_pgtable_pages(m);
		for (int i = 0; i < 3; i++)
			t[i] = task_new(m);
		CHECK_EQ(t[0]->stack, start);
		CHECK_EQ(t[1]->stack, start + 0x8000);
		CHECK_EQ(t[2]->stack, start + 0x10000);
		CHECK_EQ(meminfo_kb(m, "KernelStack:"), 48);
		machine_ok(m, __LINE__);
		for (int i = 0; i < 3; i++)
			mmt_task_exit(t[i]);
		CHECK_EQ(ks->cached_stacks[0], start);
		CHECK_EQ(ks->cached_stacks[1], start + 0x8000);
		CHECK_EQ(ks->nr_vmalloc, 3);
		CHECK_EQ(ks->nr_vfree, 1);
		CHECK_EQ(meminfo_kb(m, "KernelStack:"), 0);
		CHECK_EQ(meminfo_kb(m, "VmallocUsed:"), 32);
		la = area_line(start);
		lb = area_line(start + 0x8000);
		want = malloc(strlen(v0) + strlen(la) + strlen(lb) + 1);
		if (!want)
			abort();
		strcat(strcat(strcpy(want, v0), la), lb);
		v1 = view(m, "vmallocinfo");
		CHECK_STR(v1, want);
		machine_ok(m, __LINE__);
		settle(m);
		s1 = view(m, "slabinfo");
		b1 = view(m, "buddyinfo");
		free1 = mmt_phys_nr_free_pages(m);
		CHECK_STR(s1, s0);
		/* exactly the cached stacks' pages and vmalloc's tables */
		CHECK_EQ(free0 - free1, 8 + (mmt_pgtable_pages(m) - pt0));
		CHECK(mmt_pgtable_pages(m) > pt0);

		t[3] = task_new(m);
		t[4] = task_new(m);
		CHECK_EQ(t[3]->stack, start);		/* slot 0 first */
		CHECK_EQ(t[4]->stack, start + 0x8000);
		CHECK_EQ(ks->cached_stacks[0], 0);
		CHECK_EQ(ks->cached_stacks[1], 0);
		CHECK_EQ(ks->nr_vmalloc, 3);		/* no new area */
		CHECK_EQ(ks->nr_cache_hits, 2);
		CHECK_EQ(meminfo_kb(m, "KernelStack:"), 32);
		CHECK_EQ(meminfo_kb(m, "VmallocUsed:"), 32);
		v2 = view(m, "vmallocinfo");
		CHECK_STR(v2, want);
		free(v2);
		machine_ok(m, __LINE__);
		mmt_task_exit(t[3]);
		mmt_task_exit(t[4]);
		CHECK_EQ(ks->cached_stacks[0], start);
		CHECK_EQ(ks->cached_stacks[1], start + 0x8000);
		settle(m);
		s2 = view(m, "slabinfo");
		v2 = view(m, "vmallocinfo");
		b2 = view(m, "buddyinfo");
		CHECK_STR(s2, s1);
		CHECK_STR(v2, v1);
		CHECK_STR(b2, b1);
		CHECK_EQ(mmt_phys_nr_free_pages(m), free1);
		machine_ok(m, __LINE__);
		free(s0), free(v0), free(s1), free(v1), free(b1);
		free(s2), free(v2), free(b2), free(want), free(la), free(lb);
		mmt_machine_free(m);
	}
}

/* x86_32: no cache; exit gives the order-1 block straight back. */
TEST(kstack_x86_32_blocks_return_to_the_buddy)
{
	static const enum mmt_arch arches[] = { X32, PAE };

	for (unsigned a = 0; a < 2; a++) {
		struct mmt_machine *m = test_machine(arches[a], "2G");
		struct mmt_task *t[5];
		char *s0, *b0, *s1, *b1, *vi;

		settle(m);
		s0 = view(m, "slabinfo");
		b0 = view(m, "buddyinfo");
		for (int i = 0; i < 3; i++)
			t[i] = task_new(m);
		for (int i = 0; i < 3; i++)
			for (int j = 0; j < i; j++)
				CHECK(t[i]->stack != t[j]->stack);
		CHECK_EQ(meminfo_kb(m, "KernelStack:"), 24);
		machine_ok(m, __LINE__);
		for (int i = 0; i < 3; i++)
			mmt_task_exit(t[i]);
		t[3] = task_new(m);
		t[4] = task_new(m);
		CHECK_EQ(meminfo_kb(m, "KernelStack:"), 16);
		vi = view(m, "vmallocinfo");
		CHECK_STR(vi, "");
		machine_ok(m, __LINE__);
		mmt_task_exit(t[3]);
		mmt_task_exit(t[4]);
		CHECK_EQ(m->tasks->kstacks->cached_stacks[0], 0);
		settle(m);
		s1 = view(m, "slabinfo");
		b1 = view(m, "buddyinfo");
		CHECK_STR(s1, s0);
		CHECK_STR(b1, b0);
		free(s0), free(b0), free(s1), free(b1), free(vi);
		mmt_machine_free(m);
	}
}

/* Allocate order-0 pages until none is left (the per-CPU lists drained
 * too); they go to pfns[*n...]. */
static void exhaust(struct mmt_machine *m, uint64_t *pfns, uint64_t *n,
		    uint64_t cap)
{
	for (uint64_t last = ~0ull; last != *n;) {
		last = *n;
		while (*n < cap && !mmt_alloc_pages(m, MMT_GFP_KERNEL, 0,
						    &pfns[*n]))
			(*n)++;
		mmt_drain_all_pages(m);
	}
}

struct snap {
	char *slab, *vmalloc, *buddy;
};

static void snap_take(struct mmt_machine *m, struct snap *s)
{
	mmt_drain_all_pages(m);
	s->slab = view(m, "slabinfo");
	s->vmalloc = view(m, "vmallocinfo");
	s->buddy = view(m, "buddyinfo");
}

static void snap_same(struct mmt_machine *m, struct snap *s0, int line)
{
	struct snap s1;

	snap_take(m, &s1);
	if (strcmp(s1.slab, s0->slab))
		test_fail(__FILE__, line, "slabinfo changed");
	if (strcmp(s1.vmalloc, s0->vmalloc))
		test_fail(__FILE__, line, "vmallocinfo changed:\n%s", s1.vmalloc);
	if (strcmp(s1.buddy, s0->buddy))
		test_fail(__FILE__, line, "buddyinfo changed:\n%s\nwas\n%s",
			  s1.buddy, s0->buddy);
	free(s1.slab), free(s1.vmalloc), free(s1.buddy);
	free(s0->slab), free(s0->vmalloc), free(s0->buddy);
}

/*
 * Out of pages: mmt_task_create fails with -ENOMEM and leaves the buddy,
 * the slabs, vmalloc and the stack cache as they were.  First the stack
 * itself fails (x86_64: two pages are left, so vmalloc gets two of its
 * four before failing; x86_32: one, so no order-1 block); then, on
 * x86_64, a stack taken from the cache goes back to its slot when the
 * PGD after it fails.
 */
TEST(kstack_enomem_leaks_nothing)
{
	static const enum mmt_arch arches[] = { X32, PAE, X64, L57 };
	const uint64_t cap = 1u << 15;

	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = test_machine(arches[a], "64M");
		bool is64 = mmt_arch_is_64(arches[a]);
		enum mmt_task_abi abi = is64 ? MMT_TASK_X86_64 : MMT_TASK_I386;
		struct mmt_kstacks *ks = m->tasks->kstacks;
		uint64_t *pfns = malloc(sizeof(uint64_t) * cap), n = 0, cached;
		struct mmt_task *held[2], *t;
		struct snap s0;
		int err = 0;

		/* the slabs get free objects, the cache none */
		held[0] = task_new(m);
		held[1] = task_new(m);
		exhaust(m, pfns, &n, cap);
		CHECK(n > 1000 && n < cap);
		for (int i = 0; i < (is64 ? 2 : 1); i++)
			mmt_free_pages(m, pfns[--n], 0);
		snap_take(m, &s0);
		t = mmt_task_create(m, abi, 0, &err);
		CHECK(t == NULL);
		CHECK_EQ(err, -ENOMEM);
		snap_same(m, &s0, __LINE__);
		CHECK_EQ(meminfo_kb(m, "KernelStack:"), is64 ? 32 : 16);
		CHECK(mmt_task_find(m, 3) == NULL);
		machine_ok(m, __LINE__);
		if (is64) {
			cached = held[1]->stack;
			mmt_task_exit(held[1]);
			CHECK_EQ(ks->cached_stacks[0], cached);
			exhaust(m, pfns, &n, cap);
			snap_take(m, &s0);
			t = mmt_task_create(m, abi, 0, &err);
			CHECK(t == NULL);
			CHECK_EQ(err, -ENOMEM);
			CHECK_EQ(ks->nr_cache_hits, 1);
			CHECK_EQ(ks->cached_stacks[0], cached);
			CHECK_EQ(meminfo_kb(m, "KernelStack:"), 16);
			snap_same(m, &s0, __LINE__);
			machine_ok(m, __LINE__);
		}
		while (n)
			mmt_free_pages(m, pfns[--n], 0);
		t = task_new(m);
		CHECK(t && t->stack);
		machine_ok(m, __LINE__);
		free(pfns);
		mmt_machine_free(m);
	}
}

/* The checker catches a corrupted stack record. */
TEST(kstack_check_finds_broken_state)
{
	struct mmt_machine *m = test_machine(X64, "256M");
	struct mmt_task *t1 = task_new(m), *t2 = task_new(m);
	uint64_t s2 = t2->stack;
	char err[256];

	CHECK_EQ(mmt_kstack_check(m, err, sizeof(err)), 0);
	t2->stack = t1->stack;
	CHECK(mmt_kstack_check(m, err, sizeof(err)) != 0);
	CHECK(strstr(err, "used twice") != NULL);
	t2->stack = s2 + 0x1000;
	CHECK(mmt_kstack_check(m, err, sizeof(err)) != 0);
	CHECK(strstr(err, "starts no vmalloc area") != NULL);
	t2->stack = s2;
	m->tasks->kstacks->nr_kernel_stack_kb += 16;
	CHECK(mmt_kstack_check(m, err, sizeof(err)) != 0);
	CHECK(strstr(err, "NR_KERNEL_STACK_KB") != NULL);
	m->tasks->kstacks->nr_kernel_stack_kb -= 16;
	CHECK_EQ(mmt_kstack_check(m, err, sizeof(err)), 0);
	mmt_machine_free(m);
}

static void explain_has(struct mmt_machine *m, uint64_t va, const char *want,
			int pid, int line)
{
	struct mmt_explain x;
	char err[256];

	if (mmt_explain_va(m, va, &x, err, sizeof(err))) {
		test_fail(__FILE__, line, "explain %#" PRIx64 ": %s", va, err);
		return;
	}
	if (!strstr(x.object, want))
		test_fail(__FILE__, line, "explain %#" PRIx64 ": object '%s', "
			  "expected '%s' in it", va, x.object, want);
	if (x.owner_pid != pid)
		test_fail(__FILE__, line, "explain %#" PRIx64 ": owner_pid %d, "
			  "expected %d", va, x.owner_pid, pid);
}

static void explain_json_has(struct mmt_machine *m, uint64_t va,
			     const char *want, int line)
{
	struct mmt_explain x;
	char err[256], *buf = NULL;
	size_t n;
	FILE *f = open_memstream(&buf, &n);

	CHECK_EQ(mmt_explain_va(m, va, &x, err, sizeof(err)), 0);
	mmt_explain_print(m, &x, f, MMT_FMT_JSON);
	fclose(f);
	if (!strstr(buf, want))
		test_fail(__FILE__, line, "explain %#" PRIx64 " json: '%s' "
			  "lacks '%s'", va, buf, want);
	free(buf);
}

/* explain names the slab object, its owner and kernel stacks. */
TEST(kstack_explain_names_kernel_objects)
{
	static const enum mmt_arch arches[] = { X32, PAE, X64, L57 };

	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = test_machine(arches[a], "512M");
		bool is64 = mmt_arch_is_64(arches[a]);
		enum mmt_abi abi = is64 ? MMT_ABI_X86_64 : MMT_ABI_I386;
		struct mmt_task *t1 = task_new(m), *t2 = task_new(m);
		const struct mmt_vma *v;
		char want[128];
		uint64_t st = t2->stack;

		CHECK_EQ(mmt_ksys_mmap_pgoff(t2, abi, 0x10000000, 0x2000, 1,
					     0x32, -1, 0), 0x10000000);
		v = vma_first(t2->mm);
		explain_json_has(m, t2->mm->kaddr, "\"owner_pid\": 2", __LINE__);
		explain_json_has(m, v->kaddr, "\"object\": \"vm_area_struct "
				 "object", __LINE__);
		explain_has(m, t1->kaddr, "task_struct object", 1, __LINE__);
		explain_has(m, t2->kaddr + 0x100, "PID 2's task_struct", 2,
			    __LINE__);
		explain_has(m, t2->mm->kaddr + 8, "PID 2's mm_struct", 2,
			    __LINE__);
		explain_has(m, v->kaddr + 0x10,
			    "PID 2's VMA 0x10000000-0x10002000", 2, __LINE__);
		explain_has(m, v->kaddr + 192, "free vm_area_struct object", 0,
			    __LINE__);
		explain_has(m, st + 0x100, "the kernel stack of PID 2", 2,
			    __LINE__);
		if (is64) {
			explain_has(m, st + 0x4000, "guard page above the kernel "
				    "stack of PID 2", 2, __LINE__);
			explain_has(m, st - 8, "guard page below the kernel "
				    "stack of PID 2", 2, __LINE__);
			mmt_task_exit(t2);
			snprintf(want, sizeof(want), "a free kernel stack cached "
				 "in CPU 0's cached_stacks[0] [%#" PRIx64, st);
			explain_has(m, st, want, 0, __LINE__);
		} else {
			explain_has(m, st + 0x1ff8, "an order-1 lowmem block", 2,
				    __LINE__);
			mmt_task_exit(t2);
			explain_has(m, st, "", 0, __LINE__);
		}
		mmt_machine_free(m);
	}
}

/* The scenario side: show vmallocinfo/meminfo and explain after process. */
TEST(kstack_scenario_views)
{
	char *out = NULL, *err = NULL;
	int r = test_run_script("machine --arch x86_64 --mem 1G --check\n"
				"process\nprocess\nexit_process 1\nprocess\n"
				"process\nshow vmallocinfo\n"
				"explain 0xffffc90000010000\n"
				"explain 0xffffc90000000000\n"
				"exit_process 2\nexit_process 3\nexit_process 1\n"
				"show meminfo\nshow vmallocinfo\n", &out, &err);

	if (r)
		test_fail(__FILE__, __LINE__, "script: %s", err ? err : "");
	/* pid 1's stack went to slot 0 and came back to the new pid 1;
	 * pid 3 got a third area */
	CHECK(out && strstr(out,
		"0xffffc90000000000-0xffffc90000005000   20480 "
		THREAD_STACK_CALLER " pages=4 vmalloc N0=4\n"
		"0xffffc90000008000-0xffffc9000000d000   20480 "
		THREAD_STACK_CALLER " pages=4 vmalloc N0=4\n"
		"0xffffc90000010000-0xffffc90000015000   20480 "
		THREAD_STACK_CALLER " pages=4 vmalloc N0=4\n"));
	CHECK(out && strstr(out, "  object:        the kernel stack of PID 3 "
			    "[0xffffc90000010000-0xffffc90000014000)"));
	CHECK(out && strstr(out, "  object:        the kernel stack of PID 1 "
			    "[0xffffc90000000000-0xffffc90000004000)"));
	CHECK(out && strstr(out, "KernelStack:           0 kB\n"));
	CHECK(out && strstr(out, "VmallocUsed:          32 kB\n"));
	free(out);
	free(err);
}

/* This host's facts: THREAD_SIZE from its config, its stacks' lines. */
TEST(kstack_host_facts)
{
	struct mmt_machine *m = test_machine(X64, "1G");
	struct mmt_task *t = task_new(m);
	FILE *f = popen("zcat /proc/config.gz 2>/dev/null", "r");
	char line[512], *model = view(m, "vmallocinfo"), *tail;
	struct utsname u;
	bool vmap = false, kasan = false, seen = false;
	unsigned stacks = 0;

	uname(&u);
	while (f && fgets(line, sizeof(line), f)) {
		vmap |= !strcmp(line, "CONFIG_VMAP_STACK=y\n");
		kasan |= !strcmp(line, "CONFIG_KASAN=y\n");
		seen = true;
	}
	if (f)
		pclose(f);
	if (seen) {
		/* THREAD_SIZE_ORDER = 2 + KASAN_STACK_ORDER */
		CHECK(vmap);
		CHECK(!kasan);
		CHECK_EQ(mmt_thread_size(m), 16384);
	}
	tail = strchr(model, ' ');
	while (tail && *tail == ' ')
		tail++;
	CHECK_STR(tail, "20480 " THREAD_STACK_CALLER
		  " pages=4 vmalloc N0=4\n");
	f = fopen("/proc/vmallocinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ' ');

		while (p && *p == ' ')
			p++;
		if (!p || !strstr(p, " kernel_clone+"))
			continue;
		stacks++;
		/* every thread stack: 16 KiB + guard, 4 pages */
		if (!strcmp(u.release, HOST_RELEASE))
			CHECK_STR(p, tail);
		else
			CHECK(!strncmp(p, "20480 kernel_clone+", 19) &&
			      strstr(p, " pages=4 vmalloc N0=4\n"));
	}
	if (f)
		fclose(f);
	/* readable only as root: then the host has thread stacks */
	if (f && !getuid())
		CHECK(stacks > 0);
	free(model);
	mmt_task_exit(t);
	mmt_machine_free(m);
}
