// SPDX-License-Identifier: MIT
/*
 * madvise, mlock/munlock/mlockall, msync and mseal rules as tables
 * (tests/mm_rules.h): a fresh x86_64 process, fixed addresses at
 * 0x10000000.  Letters: A VM_ACCOUNT, C DONTCOPY, D DONTDUMP, G
 * MAYBE_GUARD, H/N
 * (NO)HUGEPAGE, L LOCKED, M MERGEABLE, O LOCKONFAULT, Q/R SEQ/RAND_READ,
 * S SEALED, W WIPEONFORK, a anon_vma.
 */
#include "test.h"
#include "mm_rules.h"
#include "mm/vma_internal.h"

#include <errno.h>

#define RW "PROT_READ|PROT_WRITE"
#define ANONF "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)"
#define MAP(a, l, p) "mmap(" a ", " l ", " p ", " ANONF
#define MADV(a, l, adv) "madvise(" a ", " l ", " adv ")"

static const struct mm_rule madvise_rules[] = {
	{ "flag advice splits the VMA; the opposite advice merges it back",
	  NULL, {
		{ MAP("0x10000000", "0x10000", RW), 0x10000000 },
		{ MADV("0x10001000", "0x1000", "MADV_DONTFORK"), 0 },
		{ MADV("0x10003000", "0x1000", "MADV_WIPEONFORK"), 0 },
		{ MADV("0x10005000", "0x1000", "MADV_DONTDUMP"), 0 },
		{ MADV("0x10007000", "0x1000", "MADV_HUGEPAGE"), 0 },
		{ MADV("0x10009000", "0x1000", "MADV_MERGEABLE"), 0 },
		{ MADV("0x1000b000", "0x1000", "MADV_SEQUENTIAL"), 0 },
		{ MADV("0x1000b000", "0x1000", "MADV_RANDOM"), 0 },
		{ MADV("0x10001000", "0x1000", "MADV_DOFORK"), 0 },
		{ MADV("0x10003000", "0x1000", "MADV_KEEPONFORK"), 0 },
		{ MADV("0x10005000", "0x1000", "MADV_DODUMP"), 0 },
		{ MADV("0x10007000", "0x1000", "MADV_NOHUGEPAGE"), 0 },
		{ MADV("0x10009000", "0x1000", "MADV_UNMERGEABLE"), 0 },
		{ MADV("0x10000000", "0x10000", "MADV_NORMAL"), 0 },
		{ NULL, 0 } },
	  /* only NOHUGEPAGE is left: [rw 7][N 1][rw 8] */
	  "10000000-10007000 rw-p 10000 A\n"
	  "10007000-10008000 rw-p 10007 AN\n"
	  "10008000-10010000 rw-p 10008 A\n" },
	{ "WIPEONFORK only for private anonymous memory; MERGEABLE "
	  "ignored on shared memory",
	  "16384", {
		{ "mmap(0x10000000, 0x4000, PROT_READ, MAP_PRIVATE|MAP_FIXED, "
		  "3, 0)", 0x10000000 },
		{ MADV("0x10000000", "0x4000", "MADV_WIPEONFORK"), -EINVAL },
		{ MADV("0x10000000", "0x4000", "MADV_DONTFORK"), 0 },
		{ "mmap(0x10010000, 0x4000, PROT_READ, MAP_SHARED|"
		  "MAP_ANONYMOUS|MAP_FIXED, -1, 0)", 0x10010000 },
		{ MADV("0x10010000", "0x4000", "MADV_WIPEONFORK"), -EINVAL },
		{ MADV("0x10010000", "0x4000", "MADV_MERGEABLE"), 0 },
		{ NULL, 0 } },
	  "10000000-10004000 r--p 0 C\n"
	  "10010000-10014000 r--s 0 \n" },
	{ "the checks; a hole is ENOMEM after the mapped part is advised",
	  "16384", {
		{ MAP("0x10000000", "0x4000", RW), 0x10000000 },
		{ MADV("0x10000001", "0x1000", "MADV_DONTNEED"), -EINVAL },
		{ MADV("0x10000000", "0x1000", "0x7fff"), -EINVAL },
		{ MADV("0x10000000", "0xffffffffffffffff", "MADV_DONTNEED"),
		  -EINVAL },
		{ MADV("0x10000000", "0", "MADV_DONTNEED"), 0 },
		{ MADV("0x10000000", "0x8000", "MADV_DONTFORK"), -ENOMEM },
		{ MADV("0x10100000", "0x1000", "MADV_WILLNEED"), -ENOMEM },
		{ MADV("0x10000000", "0x4000", "MADV_REMOVE"), -EINVAL },
		{ MADV("0x10000000", "0x4000", "MADV_HWPOISON"), -EINVAL },
		{ MADV("0x10000000", "0x4000", "MADV_COLLAPSE"), -EINVAL },
		{ "mmap(0x10010000, 0x4000, " RW ", MAP_PRIVATE|MAP_FIXED, "
		  "3, 0)", 0x10010000 },
		{ MADV("0x10010000", "0x4000", "MADV_REMOVE"), -EACCES },
		{ MADV("0x10010000", "0x4000", "MADV_FREE"), -EINVAL },
		{ NULL, 0 } },
	  "10000000-10004000 rw-p 10000 AC\n"
	  "10010000-10014000 rw-p 0 A\n" },
	/* as this host's 6.18 does it (probed with a C program reading its
	 * own smaps): the flag marks the whole VMA without a split, stays
	 * after GUARD_REMOVE, does not prevent merges and is kept by the
	 * merged VMA and by both parts of a split */
	{ "GUARD_INSTALL marks the VMA VM_MAYBE_GUARD, sticky through "
	  "merges and splits",
	  NULL, {
		{ MAP("0x10008000", "0x4000", RW), 0x10008000 },
		{ MADV("0x10008000", "0x1000", "MADV_GUARD_INSTALL"), 0 },
		{ MAP("0x1000c000", "0x4000", RW), 0x1000c000 },
		{ MAP("0x10004000", "0x4000", RW), 0x10004000 },
		{ "mprotect(0x1000a000, 0x1000, PROT_READ)", 0 },
		{ "mprotect(0x1000a000, 0x1000, PROT_READ|PROT_WRITE)", 0 },
		{ MADV("0x10008000", "0x1000", "MADV_GUARD_REMOVE"), 0 },
		{ MAP("0x10032000", "0x2000", RW), 0x10032000 },
		{ MAP("0x10034000", "0x2000", "PROT_READ"), 0x10034000 },
		{ MADV("0x10032000", "0x1000", "MADV_GUARD_INSTALL"), 0 },
		{ "mprotect(0x10034000, 0x2000, PROT_READ|PROT_WRITE)", 0 },
		{ MAP("0x10040000", "0x2000", "PROT_READ"), 0x10040000 },
		{ MADV("0x10040000", "0x1000", "MADV_GUARD_INSTALL"), 0 },
		{ "mprotect(0x10041000, 0x1000, PROT_NONE)", 0 },
		{ NULL, 0 } },
	  "10004000-10010000 rw-p 10004 AGa\n"
	  "10032000-10036000 rw-p 10032 AGa\n"
	  "10040000-10041000 r--p 10040 Ga\n"
	  "10041000-10042000 ---p 10041 Ga\n" },
	{ "locked memory refuses DONTNEED, FREE, COLD, GUARD_INSTALL",
	  NULL, {
		{ "mmap(0x10000000, 0x4000, " RW ", MAP_PRIVATE|MAP_ANONYMOUS|"
		  "MAP_FIXED|MAP_LOCKED, -1, 0)", 0x10000000 },
		{ MADV("0x10000000", "0x4000", "MADV_DONTNEED"), -EINVAL },
		{ MADV("0x10000000", "0x4000", "MADV_FREE"), -EINVAL },
		{ MADV("0x10000000", "0x4000", "MADV_COLD"), -EINVAL },
		{ MADV("0x10000000", "0x4000", "MADV_PAGEOUT"), -EINVAL },
		{ MADV("0x10000000", "0x4000", "MADV_GUARD_INSTALL"), -EINVAL },
		{ MADV("0x10000000", "0x4000", "MADV_GUARD_REMOVE"), 0 },
		{ MADV("0x10000000", "0x4000", "MADV_DONTNEED_LOCKED"), 0 },
		{ NULL, 0 } },
	  /* MAP_LOCKED populates: the write faults prepared an anon_vma */
	  "10000000-10004000 rw-p 10000 ALa\n" },
	{ "POPULATE: a read-only part refuses WRITE, PROT_NONE refuses "
	  "READ (EINVAL), a hole is ENOMEM, past EOF EFAULT",
	  "8192", {
		{ MAP("0x10000000", "0x4000", RW), 0x10000000 },
		{ MAP("0x10004000", "0x2000", "PROT_READ"), 0x10004000 },
		{ MAP("0x10006000", "0x2000", "PROT_NONE"), 0x10006000 },
		{ MADV("0x10000000", "0x6000", "MADV_POPULATE_WRITE"),
		  -EINVAL },
		{ MADV("0x10004000", "0x4000", "MADV_POPULATE_READ"),
		  -EINVAL },
		{ MADV("0x10004000", "0x2000", "MADV_POPULATE_READ"), 0 },
		{ MADV("0x10004000", "0x8000", "MADV_POPULATE_READ"),
		  -EINVAL },
		{ "mmap(0x10010000, 0x4000, PROT_READ, MAP_SHARED|MAP_FIXED, "
		  "3, 0)", 0x10010000 },
		{ MADV("0x10010000", "0x2000", "MADV_POPULATE_READ"), 0 },
		{ MADV("0x10010000", "0x4000", "MADV_POPULATE_READ"), -EFAULT },
		{ MADV("0x10014000", "0x1000", "MADV_POPULATE_READ"), -ENOMEM },
		{ NULL, 0 } },
	  /* the write fault gave the first VMA its anon_vma */
	  "10000000-10004000 rw-p 10000 Aa\n"
	  "10004000-10006000 r--p 10004 \n"
	  "10006000-10008000 ---p 10006 \n"
	  "10010000-10014000 r--s 0 \n" },
	{ "sealed read-only anonymous memory refuses discarding advice",
	  NULL, {
		{ MAP("0x10000000", "0x4000", "PROT_READ"), 0x10000000 },
		{ MAP("0x10004000", "0x4000", RW), 0x10004000 },
		{ "mseal(0x10000000, 0x8000, 0)", 0 },
		{ MADV("0x10000000", "0x1000", "MADV_DONTNEED"), -EPERM },
		{ MADV("0x10000000", "0x1000", "MADV_FREE"), -EPERM },
		{ MADV("0x10000000", "0x1000", "MADV_DONTFORK"), -EPERM },
		{ MADV("0x10000000", "0x1000", "MADV_GUARD_INSTALL"), -EPERM },
		{ MADV("0x10000000", "0x1000", "MADV_WILLNEED"), 0 },
		{ MADV("0x10000000", "0x1000", "MADV_HUGEPAGE"), 0 },
		{ MADV("0x10004000", "0x1000", "MADV_DONTNEED"), 0 },
		{ NULL, 0 } },
	  "10000000-10001000 r--p 10000 HS\n"
	  "10001000-10004000 r--p 10001 S\n"
	  "10004000-10008000 rw-p 10004 AS\n" },
};

static const struct mm_rule mlock_rules[] = {
	{ "mlock splits at the range, munlock merges back; a hole is "
	  "ENOMEM; mlock2 flags",
	  NULL, {
		{ MAP("0x10000000", "0x8000", RW), 0x10000000 },
		{ "mlock(0x10002000, 0x2000)", 0 },
		{ "munlock(0x10002000, 0x2000)", 0 },
		{ "mlock(0x10000000, 0x10000)", -ENOMEM },
		{ "munlock(0x10000000, 0x10000)", -ENOMEM },
		{ "mlock(0x10100000, 0x1000)", -ENOMEM },
		{ "mlock2(0x10000000, 0x2000, 0x2)", -EINVAL },
		{ "mlock2(0x10000000, 0x2000, MLOCK_ONFAULT)", 0 },
		{ NULL, 0 } },
	  /* the failed mlock locked the VMA before the hole (and faulted
	   * it in: anon_vma), the failed munlock unlocked it again */
	  "10000000-10002000 rw-p 10000 ALOa\n"
	  "10002000-10008000 rw-p 10002 Aa\n" },
	{ "mlock of PROT_NONE memory locks it and answers ENOMEM",
	  NULL, {
		{ MAP("0x10000000", "0x4000", "PROT_NONE"), 0x10000000 },
		{ "mlock(0x10000000, 0x4000)", -ENOMEM },
		{ NULL, 0 } },
	  "10000000-10004000 ---p 10000 L\n" },
	{ "mlockall: bad flags; CURRENT locks all, FUTURE the new ones; "
	  "munlockall undoes both",
	  NULL, {
		{ MAP("0x10000000", "0x4000", "PROT_READ"), 0x10000000 },
		{ "mlockall(0)", -EINVAL },
		{ "mlockall(MCL_ONFAULT)", -EINVAL },
		{ "mlockall(0x8)", -EINVAL },
		{ "mlockall(MCL_FUTURE|MCL_ONFAULT)", 0 },
		{ MAP("0x10010000", "0x4000", "PROT_READ"), 0x10010000 },
		{ "mlockall(MCL_CURRENT)", 0 },
		{ MAP("0x10020000", "0x4000", "PROT_READ"), 0x10020000 },
		{ "munlock(0x10000000, 0x1000)", 0 },
		{ NULL, 0 } },
	  "10000000-10001000 r--p 10000 \n"
	  "10001000-10004000 r--p 10001 L\n"
	  "10010000-10014000 r--p 10010 L\n"
	  "10020000-10024000 r--p 10020 \n" },
	{ "msync: flags, alignment, holes, EBUSY on locked memory",
	  "32768", {
		{ "mmap(0x10000000, 0x8000, " RW ", MAP_SHARED|MAP_FIXED, 3, "
		  "0)", 0x10000000 },
		{ "msync(0x10000000, 0x8000, MS_SYNC)", 0 },
		{ "msync(0x10000000, 0x8000, MS_SYNC|MS_ASYNC)", -EINVAL },
		{ "msync(0x10000001, 0x1000, MS_SYNC)", -EINVAL },
		{ "msync(0x10000000, 0x1000, 0x8)", -EINVAL },
		{ "msync(0x10000000, 0, MS_SYNC)", 0 },
		{ "msync(0x10000000, 0x10000, MS_SYNC)", -ENOMEM },
		{ "msync(0x0fff0000, 0x10000, MS_ASYNC)", -ENOMEM },
		{ "msync(0x0fff0000, 0x18000, MS_INVALIDATE)", -ENOMEM },
		{ "mlock(0x10004000, 0x1000)", 0 },
		{ "msync(0x10000000, 0x8000, MS_INVALIDATE)", -EBUSY },
		{ "msync(0x10000000, 0x4000, MS_INVALIDATE)", 0 },
		{ NULL, 0 } },
	  "10000000-10004000 rw-s 0 \n"
	  "10004000-10005000 rw-s 4 L\n"
	  "10005000-10008000 rw-s 5 \n" },
	{ "mseal: flags, alignment, holes; sealed neighbours merge",
	  NULL, {
		{ MAP("0x10000000", "0x4000", "PROT_READ"), 0x10000000 },
		{ "mseal(0x10000001, 0x1000, 0)", -EINVAL },
		{ "mseal(0x10000000, 0x1000, 1)", -EINVAL },
		{ "mseal(0x10000000, 0x8000, 0)", -ENOMEM },
		{ "mseal(0x10000000, 0xfffffffffffff001, 0)", -EINVAL },
		{ "mseal(0x10000000, 0, 0)", 0 },
		{ "mseal(0x10001000, 0x1000, 0)", 0 },
		{ "mseal(0x10002000, 0x1000, 0)", 0 },
		{ "mlock(0x10001000, 0x1000)", 0 },
		{ NULL, 0 } },
	  "10000000-10001000 r--p 10000 \n"
	  "10001000-10002000 r--p 10001 LS\n"
	  "10002000-10003000 r--p 10002 S\n"
	  "10003000-10004000 r--p 10003 \n" },
};

TEST(madvise_rules_table)
{
	mm_rules_run(madvise_rules, sizeof(madvise_rules) /
				    sizeof(madvise_rules[0]));
}

TEST(mlock_msync_mseal_rules_table)
{
	mm_rules_run(mlock_rules, sizeof(mlock_rules) / sizeof(mlock_rules[0]));
}

/* A split past vm.max_map_count: madvise answers EAGAIN, mlock ENOMEM,
 * mremap's headroom check ENOMEM. */
TEST(mm_advice_max_map_count)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct mmt_task *t;
	int e = 0;

	t = mmt_task_create(m, MMT_TASK_X86_64, 0, &e);
	CHECK(t != NULL);
	if (!t) {
		mmt_machine_free(m);
		return;
	}
	mmt_vm_sysctl(m)->max_map_count = 1;
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, MMT_ABI_X86_64, 0x10000000, 0x4000, 3,
				     0x32, -1, 0), 0x10000000);
	CHECK_EQ(mmt_do_madvise(t, 0x10001000, 0x1000, 10), -EAGAIN);
	CHECK_EQ(mmt_do_mlock(t, 0x10001000, 0x1000, 0), -ENOMEM);
	CHECK_EQ(mmt_do_mremap(t, MMT_ABI_X86_64, 0x10000000, 0x1000, 0x1000,
			       3, 0x20000000), -ENOMEM);
	CHECK_EQ(t->mm->map_count, 1);
	mmt_machine_free(m);
}
