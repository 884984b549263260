// SPDX-License-Identifier: MIT
/*
 * Overcommit accounting (mm/util.c __vm_enough_memory, 6.18): the commit
 * charge every accountable mapping adds, the three policies of
 * vm.overcommit_memory and the sysctls behind them, CommitLimit and
 * Committed_AS in meminfo.
 *
 * Mode 2 admits a charge of N pages only while Committed_AS + N stays
 * strictly below
 *
 *   allowed = CommitLimit - admin_reserve (no CAP_SYS_ADMIN)
 *             - min(total_vm / 32, user_reserve)        (all in pages)
 *
 * so each caller is probed at the edge: N = allowed - committed - 1
 * succeeds, one page more is -ENOMEM and changes nothing.  The limit is
 * computed here from meminfo's MemTotal and the documented formula
 * (Documentation/mm/overcommit-accounting.rst), not read back from the
 * model's own function.  The live part compares mode 0 (the host's own
 * policy, read and never changed) with a model of the host's RAM.
 */
#include "test.h"
#include "live/live.h"
#include "mm/vma_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PG 4096ULL
#define R 1ULL
#define RW 3ULL
#define PRIV 0x02ULL
#define SHARED 0x01ULL
#define ANON 0x20ULL
#define FIXED 0x10ULL
#define NORESERVE 0x4000ULL
#define MAYMOVE 1ULL
#define DONTUNMAP 4ULL

static const enum mmt_abi A64 = MMT_ABI_X86_64;

/* A "Name:  N kB" value of the model's /proc/meminfo. */
static uint64_t meminfo_kb(struct mmt_machine *m, const char *name)
{
	char *text = NULL, err[128], *p;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	uint64_t v = UINT64_MAX;

	if (!mmt_view_print(m, "meminfo", f, MMT_FMT_TEXT, err, sizeof(err)))
		v = 0;
	fclose(f);
	p = v == 0 && text ? strstr(text, name) : NULL;
	v = p ? strtoull(p + strlen(name), NULL, 10) : UINT64_MAX;
	free(text);
	return v;
}

static uint64_t committed(struct mmt_machine *m)
{
	return meminfo_kb(m, "Committed_AS:") / 4;
}

/* The documented mode 2 limit for a call by @t now, in pages. */
static int64_t allowed(struct mmt_machine *m, const struct mmt_task *t)
{
	const struct mmt_vm_sysctl *sc = mmt_vm_sysctl(m);
	uint64_t total = meminfo_kb(m, "MemTotal:") / 4;
	int64_t a = sc->overcommit_kbytes
		    ? (int64_t)(sc->overcommit_kbytes / 4)
		    : (int64_t)(total * (uint64_t)sc->overcommit_ratio / 100);
	int64_t share = (int64_t)(t->mm->total_vm / 32);
	int64_t user = (int64_t)(sc->user_reserve_kbytes / 4);

	if (!t->cap_sys_admin)
		a -= (int64_t)(sc->admin_reserve_kbytes / 4);
	return a - (share < user ? share : user);
}

/* The largest charge @t may make now (negative: none). */
static int64_t headroom(struct mmt_machine *m, const struct mmt_task *t)
{
	return allowed(m, t) - (int64_t)committed(m) - 1;
}

static void machine_ok(struct mmt_machine *m)
{
	char err[256];

	if (mmt_machine_check(m, err, sizeof(err)))
		test_fail(__FILE__, __LINE__, "validator: %s", err);
}

static struct mmt_task *oc_task(struct mmt_machine **mp, const char *mem,
				unsigned mode)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, mem);
	int e;
	struct mmt_task *t = mmt_task_create(m, MMT_TASK_X86_64, 0, &e);

	CHECK(t != NULL);
	CHECK_EQ(mmt_vm_sysctl_set(m, "vm.overcommit_memory", mode), 0);
	*mp = m;
	return t;
}

/* The VMA at @addr has VM_ACCOUNT. */
static bool accounted(const struct mmt_task *t, uint64_t addr)
{
	const struct mmt_vma *v = mmt_find_vma(t->mm, addr);

	return v && v->vm_start <= addr && (v->vm_flags & MMT_VM_ACCOUNT);
}

/* The boot values of the reserves (init_user_reserve, init_admin_reserve)
 * and CommitLimit's default (overcommit_ratio 50 of MemTotal). */
TEST(overcommit_reserves_and_limit_at_boot)
{
	static const struct { enum mmt_arch arch; const char *mem; } ms[] = {
		{ MMT_ARCH_X86_64, "64M" }, { MMT_ARCH_X86_64, "256M" },
		{ MMT_ARCH_X86_64, "8G" }, { MMT_ARCH_X86_32, "512M" },
		{ MMT_ARCH_X86_32_PAE, "2G" },
	};

	for (unsigned i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		struct mmt_machine *m = test_machine(ms[i].arch, ms[i].mem);
		const struct mmt_vm_sysctl *sc = mmt_vm_sysctl(m);
		uint64_t free32 = meminfo_kb(m, "MemFree:") / 32;
		uint64_t total = meminfo_kb(m, "MemTotal:") / 4;

		CHECK_EQ(sc->admin_reserve_kbytes, free32 < 8192 ? free32 : 8192);
		CHECK_EQ(sc->user_reserve_kbytes,
			 free32 < 131072 ? free32 : 131072);
		CHECK_EQ(sc->overcommit_ratio, 50);
		CHECK_EQ(sc->overcommit_kbytes, 0);
		CHECK_EQ(meminfo_kb(m, "CommitLimit:"), total * 50 / 100 * 4);
		CHECK_EQ(meminfo_kb(m, "Committed_AS:"), 0);
		mmt_machine_free(m);
	}
	/* the small machine's admin reserve is free/32 (under 8 MiB), the
	 * big one's user reserve is the 128 MiB cap: both branches ran */
	{
		struct mmt_machine *s = test_machine(MMT_ARCH_X86_64, "64M");
		struct mmt_machine *b = test_machine(MMT_ARCH_X86_64, "8G");

		CHECK(mmt_vm_sysctl(s)->admin_reserve_kbytes < 8192);
		CHECK_EQ(mmt_vm_sysctl(b)->user_reserve_kbytes, 131072);
		mmt_machine_free(s);
		mmt_machine_free(b);
	}
}

/* vm.overcommit_ratio and vm.overcommit_kbytes exclude each other; the
 * limit follows whichever was written last. */
TEST(overcommit_sysctl_rules)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	const struct mmt_vm_sysctl *sc = mmt_vm_sysctl(m);
	uint64_t total = meminfo_kb(m, "MemTotal:") / 4;
	char *out, *err;

	CHECK_EQ(mmt_vm_sysctl_set(m, "vm.overcommit_kbytes", 100000), 0);
	CHECK_EQ(sc->overcommit_ratio, 0);
	CHECK_EQ(meminfo_kb(m, "CommitLimit:"), 100000);
	CHECK_EQ(mmt_vm_sysctl_set(m, "vm.overcommit_kbytes", 100003), 0);
	CHECK_EQ(meminfo_kb(m, "CommitLimit:"), 100000);	/* >> 2 */
	CHECK_EQ(mmt_vm_sysctl_set(m, "vm.overcommit_ratio", 30), 0);
	CHECK_EQ(sc->overcommit_kbytes, 0);
	CHECK_EQ(meminfo_kb(m, "CommitLimit:"), total * 30 / 100 * 4);
	CHECK_EQ(mmt_vm_sysctl_set(m, "vm.overcommit_ratio", 1ULL << 31),
		 -EINVAL);
	CHECK_EQ(sc->overcommit_ratio, 30);
	CHECK_EQ(mmt_vm_sysctl_set(m, "vm.overcommit_memory", 3), -EINVAL);
	CHECK_EQ(mmt_vm_sysctl_set(m, "vm.overcommit_bytes", 1), -ENOENT);
	CHECK_EQ(mmt_vm_sysctl_set(m, "vm.admin_reserve_kbytes", 0), 0);
	CHECK_EQ(mmt_vm_sysctl_set(m, "vm.user_reserve_kbytes", 4096), 0);
	CHECK_EQ(sc->admin_reserve_kbytes, 0);
	CHECK_EQ(sc->user_reserve_kbytes, 4096);
	mmt_machine_free(m);

	/* the scenario command: the same rules, bad values are errors */
	CHECK_EQ(test_run_script("machine --mem 256M\n"
		"sysctl vm.overcommit_kbytes 8192\n"
		"show meminfo\n", &out, &err), 0);
	CHECK(out && strstr(out, "CommitLimit:        8192 kB\n"));
	free(out);
	free(err);
	CHECK_EQ(test_run_script("machine --mem 256M\n"
		"sysctl vm.overcommit_memory 3\n", &out, &err), 1);
	CHECK_STR(err, "test:2: sysctl vm.overcommit_memory: invalid value "
		  "'3'\n");
	free(out);
	free(err);
	CHECK_EQ(test_run_script("machine --mem 256M\n"
		"sysctl vm.overcommit_percent 3\n", &out, &err), 1);
	CHECK(err && strstr(err, "unknown sysctl 'vm.overcommit_percent'"));
	free(out);
	free(err);
}

/* Mode 2, mmap: the edge, what is charged, CAP_SYS_ADMIN, munmap/exit. */
TEST(overcommit_never_mmap_at_the_limit)
{
	struct mmt_machine *m;
	struct mmt_task *t = oc_task(&m, "256M", 2);
	uint64_t c0 = committed(m), n = (uint64_t)headroom(m, t), admin;
	int64_t a, h;

	CHECK(n > 1000 && n < 65536);		/* ~ half of 256M, less 8M */
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, A64, 0, (n + 1) * PG, RW, PRIV | ANON,
				     -1, 0), -ENOMEM);
	CHECK_EQ(committed(m), c0);
	CHECK_EQ(t->mm->map_count, 0);
	/* NORESERVE is ignored in mode 2: refused the same */
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, A64, 0, (n + 1) * PG, RW,
				     PRIV | ANON | NORESERVE, -1, 0), -ENOMEM);
	/* not accountable: read-only private, any size */
	a = mmt_ksys_mmap_pgoff(t, A64, 0, 4 * n * PG, R, PRIV | ANON, -1, 0);
	CHECK(a > 0);
	CHECK_EQ(committed(m), c0);
	CHECK_EQ(mmt_vm_munmap(t, (uint64_t)a, 4 * n * PG), 0);
	a = mmt_ksys_mmap_pgoff(t, A64, 0, n * PG, RW, PRIV | ANON, -1, 0);
	CHECK(a > 0);
	CHECK(accounted(t, (uint64_t)a));
	CHECK_EQ(committed(m), c0 + n);
	/* full now: total_vm / 32 is reserved as well, one page fails */
	CHECK(allowed(m, t) - (int64_t)committed(m) < 1);
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, A64, 0, PG, RW, PRIV | ANON, -1, 0),
		 -ENOMEM);
	/* MAP_FIXED over accounted pages charges only what is new */
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, A64, (uint64_t)a, n * PG, RW,
				     PRIV | ANON | FIXED, -1, 0), a);
	CHECK_EQ(committed(m), c0 + n);
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, A64, (uint64_t)a - PG, (n + 1) * PG,
				     RW, PRIV | ANON | FIXED, -1, 0), -ENOMEM);
	CHECK_EQ(mmt_find_vma(t->mm, (uint64_t)a)->vm_start, (uint64_t)a);
	machine_ok(m);
	/* CAP_SYS_ADMIN: the admin reserve is not held back */
	admin = mmt_vm_sysctl(m)->admin_reserve_kbytes / 4;
	h = headroom(m, t);
	t->cap_sys_admin = true;
	CHECK_EQ(headroom(m, t), h + (int64_t)admin);
	h += (int64_t)admin;
	CHECK(h > 1);
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, A64, 0, (uint64_t)(h + 1) * PG, RW,
				     PRIV | ANON, -1, 0), -ENOMEM);
	CHECK(mmt_ksys_mmap_pgoff(t, A64, 0, (uint64_t)h * PG, RW, PRIV | ANON,
				  -1, 0) > 0);
	CHECK_EQ(committed(m), c0 + n + (uint64_t)h);
	t->cap_sys_admin = false;
	CHECK_EQ(mmt_vm_munmap(t, (uint64_t)a, n * PG), 0);
	CHECK_EQ(committed(m), c0 + (uint64_t)h);
	machine_ok(m);
	mmt_task_exit(t);
	CHECK_EQ(committed(m), 0);
	machine_ok(m);
	mmt_machine_free(m);
}

/* Mode 2, brk: do_brk_flags charges the growth; the old brk on refusal. */
TEST(overcommit_never_brk)
{
	struct mmt_machine *m;
	struct mmt_task *t = oc_task(&m, "256M", 2);
	const uint64_t base = 0x10000000;
	uint64_t n, c0 = committed(m);

	t->mm->start_brk = t->mm->brk = base;	/* as exec leaves it */
	CHECK_EQ(mmt_sys_brk(t, base + 16 * PG), base + 16 * PG);
	CHECK_EQ(committed(m), c0 + 16);
	n = (uint64_t)headroom(m, t);
	CHECK_EQ(mmt_sys_brk(t, base + (17 + n) * PG), base + 16 * PG);
	CHECK_EQ(committed(m), c0 + 16);
	CHECK_EQ(mmt_sys_brk(t, base + (16 + n) * PG), base + (16 + n) * PG);
	CHECK_EQ(committed(m), c0 + 16 + n);
	CHECK(accounted(t, base));
	machine_ok(m);
	CHECK_EQ(mmt_sys_brk(t, base), base);	/* shrink: released */
	CHECK_EQ(committed(m), c0);
	machine_ok(m);
	mmt_machine_free(m);
}

/* Mode 2, mremap: growth in place and by a move charges the delta,
 * DONTUNMAP the whole new length; refusals change nothing. */
TEST(overcommit_never_mremap_grow)
{
	struct mmt_machine *m;
	struct mmt_task *t = oc_task(&m, "256M", 2);
	const uint64_t a = 0x10000000, k = 64;
	uint64_t n, c0 = committed(m);
	int64_t b;

	CHECK_EQ(mmt_ksys_mmap_pgoff(t, A64, a, k * PG, RW, PRIV | ANON | FIXED,
				     -1, 0), a);
	n = (uint64_t)headroom(m, t);
	CHECK_EQ(mmt_do_mremap(t, A64, a, k * PG, (k + n + 1) * PG, 0, 0),
		 -ENOMEM);
	CHECK_EQ(mmt_find_vma(t->mm, a)->vm_end, a + k * PG);
	CHECK_EQ(committed(m), c0 + k);
	CHECK_EQ(mmt_do_mremap(t, A64, a, k * PG, (k + n) * PG, 0, 0), a);
	CHECK_EQ(committed(m), c0 + k + n);
	machine_ok(m);
	CHECK_EQ(mmt_do_mremap(t, A64, a, (k + n) * PG, k * PG, 0, 0), a);
	CHECK_EQ(committed(m), c0 + k);

	/* a move that grows: a blocker above forces MAYMOVE */
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, A64, a + k * PG, PG, R,
				     PRIV | ANON | FIXED, -1, 0), a + k * PG);
	n = (uint64_t)headroom(m, t);
	CHECK_EQ(mmt_do_mremap(t, A64, a, k * PG, (k + n + 1) * PG, MAYMOVE, 0),
		 -ENOMEM);
	CHECK_EQ(committed(m), c0 + k);
	b = mmt_do_mremap(t, A64, a, k * PG, (k + n) * PG, MAYMOVE, 0);
	CHECK(b > 0 && b != (int64_t)a);
	CHECK_EQ(committed(m), c0 + k + n);
	CHECK(accounted(t, (uint64_t)b));
	CHECK_EQ(mmt_vm_munmap(t, (uint64_t)b, (k + n) * PG), 0);
	CHECK_EQ(committed(m), c0);

	/* DONTUNMAP: the source keeps its charge, the copy charges k more */
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, A64, a, k * PG, RW, PRIV | ANON | FIXED,
				     -1, 0), a);
	b = mmt_do_mremap(t, A64, a, k * PG, k * PG, MAYMOVE | DONTUNMAP, 0);
	CHECK(b > 0);
	CHECK(accounted(t, a) && accounted(t, (uint64_t)b));
	CHECK_EQ(committed(m), c0 + 2 * k);
	machine_ok(m);
	mmt_task_exit(t);
	CHECK_EQ(committed(m), 0);
	mmt_machine_free(m);
}

/* A shrinking MREMAP_FIXED move charges the stale delta and never gives
 * it back: 6.18 does (measured on the host: Committed_AS grows by the
 * delta per call), so the model's Committed_AS stays above the VMAs'. */
TEST(overcommit_mremap_shrinking_move_leaks_as_6_18)
{
	struct mmt_machine *m;
	struct mmt_task *t = oc_task(&m, "256M", 1);
	const uint64_t a = 0x10000000, to = 0x20000000;

	CHECK_EQ(mmt_ksys_mmap_pgoff(t, A64, a, 8 * PG, RW, PRIV | ANON | FIXED,
				     -1, 0), a);
	CHECK_EQ(mmt_do_mremap(t, A64, a, 8 * PG, 2 * PG, MAYMOVE | 2, to), to);
	CHECK_EQ(committed(m), 2 + 6);
	machine_ok(m);		/* the leak is known to the validator */
	mmt_task_exit(t);
	CHECK_EQ(committed(m), 6);
	machine_ok(m);
	mmt_machine_free(m);
}

/* Mode 2, mprotect: a private mapping made writable is charged then. */
TEST(overcommit_never_mprotect_to_writable)
{
	struct mmt_machine *m;
	struct mmt_task *t = oc_task(&m, "256M", 2);
	uint64_t n, c0 = committed(m);
	int64_t a;

	n = (uint64_t)headroom(m, t);
	a = mmt_ksys_mmap_pgoff(t, A64, 0, 2 * n * PG, R, PRIV | ANON, -1, 0);
	CHECK(a > 0);
	n = (uint64_t)headroom(m, t);		/* total_vm grew: less room */
	CHECK_EQ(mmt_do_mprotect_pkey(t, (uint64_t)a, (n + 1) * PG, RW, -1),
		 -ENOMEM);
	CHECK_EQ(committed(m), c0);
	CHECK_EQ(t->mm->map_count, 1);
	CHECK(!accounted(t, (uint64_t)a));
	CHECK_EQ(mmt_do_mprotect_pkey(t, (uint64_t)a, n * PG, RW, -1), 0);
	CHECK_EQ(committed(m), c0 + n);
	CHECK(accounted(t, (uint64_t)a));
	CHECK(!accounted(t, (uint64_t)a + n * PG));
	machine_ok(m);
	/* back to read-only while untouched (no anon_vma): released */
	CHECK_EQ(mmt_do_mprotect_pkey(t, (uint64_t)a, n * PG, R, -1), 0);
	CHECK_EQ(committed(m), c0);
	CHECK(!accounted(t, (uint64_t)a));
	machine_ok(m);
	mmt_machine_free(m);
}

/* Mode 0: only a single request bigger than RAM fails; many that add up
 * to more are fine.  Mode 1: nothing fails, everything is counted. */
TEST(overcommit_guess_and_always)
{
	struct mmt_machine *m;
	struct mmt_task *t = oc_task(&m, "256M", 0);
	uint64_t ram = meminfo_kb(m, "MemTotal:") / 4;
	int64_t a, b;

	CHECK_EQ(mmt_ksys_mmap_pgoff(t, A64, 0, (ram + 1) * PG, RW, PRIV | ANON,
				     -1, 0), -ENOMEM);
	CHECK_EQ(committed(m), 0);
	a = mmt_ksys_mmap_pgoff(t, A64, 0, ram * PG, RW, PRIV | ANON, -1, 0);
	b = mmt_ksys_mmap_pgoff(t, A64, 0, ram * PG, RW, PRIV | ANON, -1, 0);
	CHECK(a > 0 && b > 0);
	CHECK_EQ(committed(m), 2 * ram);	/* twice RAM: allowed */
	/* NORESERVE: honoured, not charged, any size */
	CHECK(mmt_ksys_mmap_pgoff(t, A64, 0, 4 * ram * PG, RW,
				  PRIV | ANON | NORESERVE, -1, 0) > 0);
	CHECK_EQ(committed(m), 2 * ram);
	/* shared anonymous: shmem_acct_size, the same single-request rule */
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, A64, 0, (ram + 1) * PG, RW,
				     SHARED | ANON, -1, 0), -ENOMEM);
	CHECK(mmt_ksys_mmap_pgoff(t, A64, 0, (ram + 1) * PG, RW,
				  SHARED | ANON | NORESERVE, -1, 0) > 0);
	CHECK_EQ(committed(m), 2 * ram);
	machine_ok(m);

	CHECK_EQ(mmt_vm_sysctl_set(m, "vm.overcommit_memory", 1), 0);
	CHECK(mmt_ksys_mmap_pgoff(t, A64, 0, 8 * ram * PG, RW, PRIV | ANON,
				  -1, 0) > 0);
	CHECK_EQ(committed(m), 10 * ram);
	machine_ok(m);
	mmt_task_exit(t);
	CHECK_EQ(committed(m), 0);
	mmt_machine_free(m);
}

/* Shared anonymous memory: the shmem object holds the charge for its
 * size until its last piece is unmapped; mode 2 charges NORESERVE too. */
TEST(overcommit_shared_anonymous_charge_lives_with_the_object)
{
	struct mmt_machine *m;
	struct mmt_task *t = oc_task(&m, "256M", 0);
	uint64_t n;
	int64_t a;

	a = mmt_ksys_mmap_pgoff(t, A64, 0, 16 * PG, RW, SHARED | ANON, -1, 0);
	CHECK(a > 0);
	CHECK(!accounted(t, (uint64_t)a));	/* not VM_ACCOUNT */
	CHECK_EQ(committed(m), 16);
	CHECK_EQ(mmt_vm_munmap(t, (uint64_t)a + 4 * PG, 4 * PG), 0);
	CHECK_EQ(t->mm->map_count, 2);
	CHECK_EQ(committed(m), 16);		/* the object is still there */
	CHECK_EQ(mmt_vm_munmap(t, (uint64_t)a, 4 * PG), 0);
	CHECK_EQ(committed(m), 16);
	machine_ok(m);
	CHECK_EQ(mmt_vm_munmap(t, (uint64_t)a + 8 * PG, 8 * PG), 0);
	CHECK_EQ(committed(m), 0);
	/* read-only shared anonymous is charged as well */
	a = mmt_ksys_mmap_pgoff(t, A64, 0, 4 * PG, R, SHARED | ANON, -1, 0);
	CHECK_EQ(committed(m), 4);
	CHECK_EQ(mmt_vm_munmap(t, (uint64_t)a, 4 * PG), 0);

	CHECK_EQ(mmt_vm_sysctl_set(m, "vm.overcommit_memory", 2), 0);
	n = (uint64_t)headroom(m, t);
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, A64, 0, (n + 1) * PG, RW,
				     SHARED | ANON | NORESERVE, -1, 0), -ENOMEM);
	CHECK_EQ(t->mm->map_count, 0);
	a = mmt_ksys_mmap_pgoff(t, A64, 0, n * PG, RW, SHARED | ANON | NORESERVE,
				-1, 0);
	CHECK(a > 0);
	CHECK_EQ(committed(m), n);
	machine_ok(m);
	mmt_task_exit(t);
	CHECK_EQ(committed(m), 0);
	machine_ok(m);
	mmt_machine_free(m);
}

/* ------------------------------------------------------------- live */

/* A "Name:  N kB" value of the host's /proc/meminfo, or -1. */
static int64_t host_meminfo_kb(const char *name)
{
	char *text = test_read_file("/proc/meminfo"), *p;
	int64_t v = -1;

	p = text ? strstr(text, name) : NULL;
	if (p)
		v = strtoll(p + strlen(name), NULL, 10);
	free(text);
	return v;
}

static long host_sysctl(const char *path)
{
	char *text = test_read_file(path);
	long v = text ? strtol(text, NULL, 10) : -1;

	free(text);
	return v;
}

/* The host's CommitLimit is vm_commit_limit() of its own numbers. */
TEST(overcommit_live_commit_limit_formula)
{
	int64_t total = host_meminfo_kb("MemTotal:"),
		swap = host_meminfo_kb("SwapTotal:"),
		huge = host_meminfo_kb("Hugetlb:"),
		limit = host_meminfo_kb("CommitLimit:");
	long ratio = host_sysctl("/proc/sys/vm/overcommit_ratio"),
	     kbytes = host_sysctl("/proc/sys/vm/overcommit_kbytes");
	int64_t want;

	if (total < 0 || swap < 0 || huge < 0 || limit < 0 || ratio < 0 ||
	    kbytes < 0) {
		printf("    SKIP overcommit_live_commit_limit_formula: "
		       "/proc/meminfo or /proc/sys/vm unreadable\n");
		return;
	}
	want = kbytes ? kbytes / 4 : (total / 4 - huge / 4) * ratio / 100;
	want += swap / 4;
	CHECK_EQ(limit, want * 4);
}

/* Model a machine of the host's RAM: the host's e820 when readable. */
static struct mmt_machine *host_sized_machine(void)
{
	struct mmt_config c;
	char err[256], mem[32];

	mmt_config_init(&c, MMT_ARCH_X86_64);
	if (access("/sys/firmware/memmap/0/type", R_OK) == 0 &&
	    !mmt_config_set(&c, "memmap", "host", err, sizeof(err))) {
		struct mmt_machine *m = mmt_machine_new(&c, err, sizeof(err));

		if (m)
			return m;
		mmt_config_init(&c, MMT_ARCH_X86_64);
	}
	snprintf(mem, sizeof(mem), "%lldK",
		 (long long)host_meminfo_kb("MemTotal:"));
	if (mmt_config_set(&c, "mem", mem, err, sizeof(err)))
		return NULL;
	return mmt_machine_new(&c, err, sizeof(err));
}

/* One mmap in the live child: the result (value or -errno). */
static int64_t live_mmap(struct live_child *c, uint64_t len, uint64_t flags)
{
	const uint64_t args[6] = { 0, len, RW, flags, (uint64_t)-1, 0 };
	int64_t r = 0;

	if (live_syscall(c, 9, args, &r))
		test_fail(__FILE__, __LINE__, "%s", c->err);
	if (r > 0) {
		const uint64_t un[6] = { (uint64_t)r, len, 0, 0, 0, 0 };
		int64_t u;

		CHECK(!live_syscall(c, 11, un, &u) && u == 0);
	}
	return r;
}

/*
 * Mode 0 on the host (read, never changed): a private writable mapping
 * bigger than RAM + swap is refused with ENOMEM by the host and by a
 * model of the host's RAM; MAP_NORESERVE is accepted by both; one of
 * RAM less 1 GiB is accepted by both.  With no swap the host is also
 * probed at its exact edge: totalram_pages (MemTotal / 4) pages succeed,
 * one more fails.
 */
TEST(overcommit_live_guess_mode_matches_the_host)
{
	struct live_opts o = { .abi = MMT_ABI_X86_64 };
	struct live_child c;
	struct live_sysctl s;
	struct mmt_machine *m;
	struct mmt_task *t;
	char why[256];
	int64_t total = host_meminfo_kb("MemTotal:"),
		swap = host_meminfo_kb("SwapTotal:");
	uint64_t big, small, mtotal;
	int e;

	if (live_kernel_check(why, sizeof(why))) {
		printf("    SKIP overcommit_live_guess_mode: %s\n", why);
		return;
	}
	live_sysctl_read(&s);
	if (s.overcommit_memory != 0 || total <= (2 << 20) || swap < 0) {
		printf("    SKIP overcommit_live_guess_mode: the host runs "
		       "vm.overcommit_memory=%ld (needs 0, the default) or "
		       "has under 2 GiB\n", s.overcommit_memory);
		return;
	}
	big = ((uint64_t)(total + swap) << 10) + (1ULL << 30);
	small = ((uint64_t)total << 10) - (1ULL << 30);
	if (live_start(&c, &o)) {
		test_fail(__FILE__, __LINE__, "%s", c.err);
		return;
	}
	CHECK_EQ(live_mmap(&c, big, PRIV | ANON), -ENOMEM);
	CHECK(live_mmap(&c, big, PRIV | ANON | NORESERVE) > 0);
	CHECK(live_mmap(&c, small, PRIV | ANON) > 0);
	if (swap == 0) {
		uint64_t ram = (uint64_t)total / 4;

		CHECK(live_mmap(&c, ram * PG, PRIV | ANON) > 0);
		CHECK_EQ(live_mmap(&c, (ram + 1) * PG, PRIV | ANON), -ENOMEM);
	}
	live_finish(&c);

	m = host_sized_machine();
	CHECK(m != NULL);
	if (!m)
		return;
	mtotal = meminfo_kb(m, "MemTotal:");
	/* the model's RAM is the host's to well within the 1 GiB margins */
	CHECK(mtotal + (512 << 10) > (uint64_t)total &&
	      mtotal < (uint64_t)total + (512 << 10));
	t = mmt_task_create(m, MMT_TASK_X86_64, 0, &e);
	CHECK(t != NULL);
	CHECK_EQ(mmt_vm_sysctl(m)->overcommit_memory, 0);
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, A64, 0, big, RW, PRIV | ANON, -1, 0),
		 -ENOMEM);
	CHECK(mmt_ksys_mmap_pgoff(t, A64, 0, big, RW, PRIV | ANON | NORESERVE,
				  -1, 0) > 0);
	CHECK(mmt_ksys_mmap_pgoff(t, A64, 0, small, RW, PRIV | ANON, -1, 0) > 0);
	CHECK_EQ(committed(m), small / PG);
	/* the model's own edge, by the same rule */
	CHECK(mmt_ksys_mmap_pgoff(t, A64, 0, mtotal / 4 * PG, RW, PRIV | ANON,
				  -1, 0) > 0);
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, A64, 0, (mtotal / 4 + 1) * PG, RW,
				     PRIV | ANON, -1, 0), -ENOMEM);
	machine_ok(m);
	mmt_machine_free(m);
}

/* The VmFlags line of the VMA starting at @start in an smaps text. */
static const char *smaps_vmflags(const char *smaps, uint64_t start)
{
	char head[32];
	const char *p;

	snprintf(head, sizeof(head), "%08llx-", (unsigned long long)start);
	for (p = smaps; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1
						      : NULL)
		if (!strncmp(p, head, strlen(head)))
			return strstr(p, "VmFlags:");
	return NULL;
}

/* Does the line at @line hold the word @w (" ac ")? */
static bool line_has(const char *line, const char *w)
{
	const char *nl = line ? strchr(line, '\n') : NULL, *p;

	p = line ? strstr(line, w) : NULL;
	return p && (!nl || p < nl);
}

/* MREMAP_DONTUNMAP: the host keeps VM_ACCOUNT ("ac") on the source (the
 * charge stays with it), and so does the model.  Fixed addresses, free
 * in the child and in a fresh model task, keep the two VMAs apart. */
TEST(overcommit_live_dontunmap_source_stays_accounted)
{
	struct live_opts o = { .abi = MMT_ABI_X86_64 };
	const uint64_t a = 0x10000000, b = 0x20000000;
	const uint64_t mm[6] = { a, 4 * PG, RW, PRIV | ANON | FIXED,
				 (uint64_t)-1, 0 };
	const uint64_t mr[6] = { a, 4 * PG, 4 * PG,
				 MAYMOVE | DONTUNMAP | 2 /* FIXED */, b, 0 };
	struct live_child c;
	struct mmt_machine *m;
	struct mmt_task *t;
	char why[256], *smaps = NULL;
	int64_t r1 = 0, r2 = 0;

	if (live_kernel_check(why, sizeof(why))) {
		printf("    SKIP overcommit_live_dontunmap: %s\n", why);
		return;
	}
	if (live_start(&c, &o)) {
		test_fail(__FILE__, __LINE__, "%s", c.err);
		return;
	}
	CHECK(!live_syscall(&c, 9, mm, &r1));
	CHECK(!live_syscall(&c, 25, mr, &r2));
	CHECK_EQ(r1, a);
	CHECK_EQ(r2, b);
	CHECK(!live_read(&c, "smaps", &smaps));
	CHECK(smaps && line_has(smaps_vmflags(smaps, a), " ac "));
	CHECK(smaps && line_has(smaps_vmflags(smaps, b), " ac "));
	free(smaps);
	live_finish(&c);

	t = oc_task(&m, "256M", 0);
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, A64, a, 4 * PG, RW, PRIV | ANON | FIXED,
				     -1, 0), a);
	CHECK_EQ(mmt_do_mremap(t, A64, a, 4 * PG, 4 * PG,
			       MAYMOVE | DONTUNMAP | 2, b), b);
	CHECK(accounted(t, a) && accounted(t, b));
	CHECK_EQ(mmt_find_vma(t->mm, a)->vm_end, a + 4 * PG);
	CHECK_EQ(committed(m), 8);
	machine_ok(m);
	mmt_machine_free(m);
}
