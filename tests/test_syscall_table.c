// SPDX-License-Identifier: MIT
/*
 * The syscall table: numbers against the kernel's tables, look-ups, the
 * dispatcher, flag decoding (combined, unknown and newer-than-strace-6.1
 * bits), error messages for malformed input, errno names and messages.
 */
#include "test.h"

#include <mmtwin/syscall.h>

#include <errno.h>
#include <stdlib.h>

/*
 * Numbers copied by hand from linux arch/x86/entry/syscalls/syscall_64.tbl
 * and syscall_32.tbl (torvalds/linux master; mseal 462 from its 6.10
 * addition); -1 where the ABI lacks the call.  The table must agree.
 */
static const struct { const char *name; int x86_64, i386; } nrs[] = {
	{ "arch_prctl", 158, 384 }, { "brk", 12, 45 }, { "clone", 56, 120 },
	{ "clone3", 435, 435 }, { "execve", 59, 11 },
	{ "execveat", 322, 358 }, { "exit", 60, 1 },
	{ "exit_group", 231, 252 }, { "fork", 57, 2 },
	{ "getrlimit", 97, 76 }, { "ipc", -1, 117 }, { "kill", 62, 37 },
	{ "madvise", 28, 219 }, { "mincore", 27, 218 }, { "mlock", 149, 150 },
	{ "mlock2", 325, 376 }, { "mlockall", 151, 152 }, { "mmap", 9, 90 },
	{ "mmap2", -1, 192 }, { "mprotect", 10, 125 }, { "mremap", 25, 163 },
	{ "mseal", 462, 462 }, { "msync", 26, 144 }, { "munlock", 150, 151 },
	{ "munlockall", 152, 153 }, { "munmap", 11, 91 },
	{ "personality", 135, 136 }, { "pkey_alloc", 330, 381 },
	{ "pkey_free", 331, 382 }, { "pkey_mprotect", 329, 380 },
	{ "prlimit64", 302, 340 }, { "process_madvise", 440, 440 },
	{ "remap_file_pages", 216, 257 }, { "set_tid_address", 218, 258 },
	{ "setrlimit", 160, 75 }, { "shmat", 30, 397 }, { "shmctl", 31, 396 },
	{ "shmdt", 67, 398 }, { "shmget", 29, 395 }, { "tgkill", 234, 270 },
	{ "tkill", 200, 238 }, { "ugetrlimit", -1, 191 }, { "vfork", 58, 190 },
	{ "wait4", 61, 114 }, { "waitpid", -1, 7 },
};

static void check_nr(enum mmt_abi abi, const char *name, int nr)
{
	const struct mmt_syscall *e = mmt_sys_by_name(abi, name);

	if (nr < 0) {
		if (e)
			test_fail(__FILE__, __LINE__, "%s has %s", mmt_abi_name(abi),
				  name);
		return;
	}
	if (!e || e->nr[abi] != nr || mmt_sys_by_nr(abi, (unsigned)nr) != e)
		test_fail(__FILE__, __LINE__, "%s %s: want nr %d",
			  mmt_abi_name(abi), name, nr);
}

TEST(syscall_table_numbers_match_the_kernel)
{
	char err[128];
	unsigned n = 0;

	CHECK(mmt_sys_table_check(err, sizeof(err)) == 0);
	for (size_t i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
		check_nr(MMT_ABI_X86_64, nrs[i].name, nrs[i].x86_64);
		check_nr(MMT_ABI_I386, nrs[i].name, nrs[i].i386);
	}
	/* every entry is in the list above */
	while (mmt_sys_entry(n))
		n++;
	CHECK_EQ(n, sizeof(nrs) / sizeof(nrs[0]) + 3);	/* 3 split names */
	CHECK_STR(mmt_sys_by_nr(MMT_ABI_I386, 90)->kname, "sys_old_mmap");
	CHECK_STR(mmt_sys_by_nr(MMT_ABI_I386, 192)->kname, "sys_mmap_pgoff");
	CHECK(!mmt_sys_by_nr(MMT_ABI_X86_64, 0));	/* read: not ours */
	CHECK(!mmt_sys_by_nr(MMT_ABI_X86_64, 100000));
	CHECK(!mmt_sys_by_name(MMT_ABI_X86_64, "mmapp"));
	CHECK(!mmt_sys_by_name(MMT_NR_ABIS, "mmap"));
}

TEST(syscall_dispatch_not_modelled_yet)
{
	struct mmt_sys_ctx ctx = { .abi = MMT_ABI_X86_64 };
	struct mmt_sys_call call;
	char err[128];

	CHECK(mmt_sys_parse_call("mincore(0x7f0000000000, 4096, NULL)",
				 MMT_ABI_X86_64, &call, err, sizeof(err)) == 0);
	CHECK_EQ(mmt_sys_dispatch(&ctx, &call), -ENOSYS);
	CHECK_STR(ctx.err, "mincore: not modelled yet");
	mmt_sys_call_release(&call);
}

/* Parse @in for @abi and print it back without padding. */
static void check_print(enum mmt_abi abi, const char *in, const char *want)
{
	struct mmt_sys_call call;
	char err[256], out[1024];

	if (mmt_sys_parse_call(in, abi, &call, err, sizeof(err))) {
		test_fail(__FILE__, __LINE__, "%s: %s", in, err);
		return;
	}
	mmt_sys_format_call(out, sizeof(out), &call, -1);
	mmt_sys_call_release(&call);
	if (strcmp(out, want))
		test_fail(__FILE__, __LINE__, "%s:\n  got  %s\n  want %s", in,
			  out, want);
}

TEST(syscall_flags_by_name_or_number)
{
	static const struct { const char *in, *out; } cases[] = {
		/* numbers and names mean the same */
		{ "mmap(0, 8192, 3, 0x22, -1, 0)",
		  "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)" },
		{ "mmap(NULL, 4096, PROT_READ|0x10, MAP_SHARED|MAP_HUGETLB|MAP_HUGE_2MB, 3, 4096)",
		  "mmap(NULL, 4096, PROT_READ|0x10, MAP_SHARED|MAP_HUGETLB|21<<MAP_HUGE_SHIFT, 3, 0x1000)" },
		/* newer than strace 6.1: named as the kernel names them */
		{ "mmap(NULL, 4096, PROT_READ, MAP_DROPPABLE|MAP_ANONYMOUS|MAP_ABOVE4G, -1, 0)",
		  "mmap(NULL, 4096, PROT_READ, MAP_DROPPABLE|MAP_ANONYMOUS|MAP_ABOVE4G, -1, 0)" },
		{ "madvise(0x1000, 4096, 102)",
		  "madvise(0x1000, 4096, MADV_GUARD_INSTALL)" },
		{ "madvise(0x1000, 4096, MADV_GUARD_REMOVE)",
		  "madvise(0x1000, 4096, MADV_GUARD_REMOVE)" },
		{ "madvise(0x1000, 4096, 0x63 /* MADV_??? */)",
		  "madvise(0x1000, 4096, 0x63 /* MADV_??? */)" },
		/* MAP_UNINITIALIZED is bit 26: strace shows the HUGE field */
		{ "mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_UNINITIALIZED, -1, 0)",
		  "mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|1<<MAP_HUGE_SHIFT, -1, 0)" },
		{ "mmap(NULL, 4096, 0, MAP_SHARED_VALIDATE|MAP_SYNC|MAP_FIXED_NOREPLACE, 3, 0)",
		  "mmap(NULL, 4096, PROT_NONE, MAP_SHARED_VALIDATE|MAP_SYNC|MAP_FIXED_NOREPLACE, 3, 0)" },
		{ "mremap(0x1000, 4096, 8192, MREMAP_MAYMOVE|MREMAP_FIXED, 0x200000) = -1 EINVAL (Invalid argument)",
		  "mremap(0x1000, 4096, 8192, MREMAP_MAYMOVE|MREMAP_FIXED, 0x200000) = -1 EINVAL (Invalid argument)" },
		{ "mlock2(0x1000, 4096, 0x7)",
		  "mlock2(0x1000, 4096, MLOCK_ONFAULT|0x6)" },
		{ "mlockall(MCL_FUTURE|MCL_CURRENT)",
		  "mlockall(MCL_CURRENT|MCL_FUTURE)" },
		{ "msync(0x1000, 4096, 5)", "msync(0x1000, 4096, MS_ASYNC|MS_SYNC)" },
		{ "shmget(0, 4096, 01600)", "shmget(IPC_PRIVATE, 4096, IPC_CREAT|0600)" },
		{ "shmctl(3, IPC_64|IPC_STAT, NULL)", "shmctl(3, IPC_64|IPC_STAT, NULL)" },
		{ "shmat(3, NULL, SHM_EXEC|SHM_REMAP)", "shmat(3, NULL, SHM_REMAP|SHM_EXEC)" },
		{ "pkey_alloc(0, PKEY_DISABLE_WRITE|PKEY_DISABLE_ACCESS) = 1",
		  "pkey_alloc(0, PKEY_DISABLE_ACCESS|PKEY_DISABLE_WRITE) = 1" },
		{ "clone(child_stack=NULL, flags=0x1200011, child_tidptr=0x7f0000001000) = 12",
		  "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0000001000) = 12" },
		{ "clone(flags=CLONE_VM|CLONE_VFORK|SIGCHLD, child_stack=0x1000) = 5",
		  "clone(child_stack=0x1000, flags=CLONE_VM|CLONE_VFORK|SIGCHLD) = 5" },
		{ "personality(PER_LINUX32|ADDR_NO_RANDOMIZE) = 0x8 (PER_LINUX32)",
		  "personality(PER_LINUX32|ADDR_NO_RANDOMIZE) = 8 (PER_LINUX32)" },
		{ "arch_prctl(ARCH_SET_FS, 0x7f0000000740) = 0",
		  "arch_prctl(ARCH_SET_FS, 0x7f0000000740) = 0" },
		{ "arch_prctl(0x3001 /* ARCH_??? */, 0x7ffc00000000) = -1 EINVAL (Invalid argument)",
		  "arch_prctl(0x3001 /* ARCH_??? */, 0x7ffc00000000) = -1 EINVAL (Invalid argument)" },
		{ "prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0",
		  "prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0" },
		{ "execve(\"/bin/ls\", [\"ls\", \"-l\"], 0x7ffd00000000 /* 3 vars */) = 0",
		  "execve(\"/bin/ls\", [\"ls\", \"-l\"], 0x7ffd00000000 /* 3 vars */) = 0" },
		{ "execveat(AT_FDCWD, \"x\\x41\\101\", [], [], AT_EMPTY_PATH) = -1 ENOENT (No such file or directory)",
		  "execveat(AT_FDCWD, \"xAA\", [], [], AT_EMPTY_PATH) = -1 ENOENT (No such file or directory)" },
		{ "wait4(-1, 0x7ffd00000000, WNOHANG|__WALL, NULL) = 0",
		  "wait4(-1, 0x7ffd00000000, WNOHANG|__WALL, NULL) = 0" },
		{ "syscall_0x1ff(0x1, 2)", "syscall_0x1ff(0x1, 0x2)" },
		{ "mseal(0x1000, 4096, 0) = 0", "mseal(0x1000, 4096, 0) = 0" },
		{ "exit_group(0) = ?", "exit_group(0) = ?" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_print(MMT_ABI_X86_64, cases[i].in, cases[i].out);
	/* i386: mmap2 counts pages, addresses are 32-bit */
	check_print(MMT_ABI_I386, "mmap2(0xf7000000, 4096, 1, 2, 3, 0x3000) = 0xf7000000",
		    "mmap2(0xf7000000, 4096, PROT_READ, MAP_PRIVATE, 3, 0x3000) = 0xf7000000");
	check_print(MMT_ABI_I386, "ugetrlimit(RLIMIT_AS, 0xffd00000) = 0",
		    "ugetrlimit(RLIMIT_AS, 0xffd00000) = 0");
	check_print(MMT_ABI_I386, "ipc(SHMDT, 0, 0, 0, 0xf7000000, 0) = 0",
		    "ipc(SHMDT, 0, 0, 0, 0xf7000000, 0) = 0");
}

TEST(syscall_parse_fills_the_call)
{
	struct mmt_sys_call call;
	char err[128];

	CHECK(mmt_sys_parse_call("mmap2(NULL, 8192, PROT_READ, MAP_PRIVATE, "
				 "3</lib/libc.so.6>, 0x2000) = 0xf7fa1000",
				 MMT_ABI_I386, &call, err, sizeof(err)) == 0);
	CHECK_EQ(call.nr, 192);
	CHECK_EQ(call.args[4], (uint64_t)3);
	CHECK_EQ(call.args[5], 2);		/* pages, not bytes */
	CHECK_STR(call.val[4].str, "/lib/libc.so.6");
	CHECK(call.has_ret && call.ret == 0xf7fa1000 && !call.err);
	mmt_sys_call_release(&call);

	CHECK(mmt_sys_parse_call("mmap(NULL, 1, PROT_READ, MAP_SHARED, -1, 0) = "
				 "-1 ENOMEM (Cannot allocate memory)",
				 MMT_ABI_X86_64, &call, err, sizeof(err)) == 0);
	CHECK_EQ(call.args[4], (uint64_t)-1);	/* fd -1, sign-extended */
	CHECK(call.ret == -1 && call.err == ENOMEM);
	mmt_sys_call_release(&call);

	CHECK(mmt_sys_parse_call("execve(\"/bin/a\\0b\", [\"x\"], [\"A=1\", \"B\"...]) = 0",
				 MMT_ABI_X86_64, &call, err, sizeof(err)) == 0);
	CHECK_EQ(call.val[0].len, 8);		/* the NUL is kept */
	CHECK_EQ(call.val[2].nstr, 2);
	CHECK(call.val[2].flags & MMT_SYS_VAL_STRV);
	CHECK_STR(call.val[2].strv[1], "B");
	mmt_sys_call_release(&call);
}

TEST(syscall_parse_errors_say_what_is_wrong)
{
	static const struct { const char *in, *err; } cases[] = {
		{ "mmapp(NULL, 1, 0, 0, -1, 0)", "unknown syscall 'mmapp'" },
		{ "mmap(NULL, 8192, PROT_REED, MAP_PRIVATE, -1, 0)",
		  "mmap: argument 3: unknown flag 'PROT_REED'" },
		{ "mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, -1, 0",
		  "mmap: argument 6: expected ',' or ')'" },
		{ "mmap(NULL, 8192, PROT_READ)", "mmap: too few arguments (3 of 6)" },
		{ "munmap(NULL, 1, 2)", "munmap: too many arguments (2 expected)" },
		{ "mmap", "expected '(' after the name" },
		{ "", "expected a syscall name" },
		{ "munmap(0x10000000000000000, 1)", "munmap: argument 1: number too large" },
		{ "munmap(NULL, 1) = -1 EWHAT (Hm)", "unknown errno 'EWHAT'" },
		{ "munmap(NULL, 1) = 0 trailing", "unexpected 'trailing' after the call" },
		{ "madvise(NULL, 1, MADV_NOPE)", "madvise: argument 3: unknown name 'MADV_NOPE'" },
		{ "execve(\"/bin/ls, [], [])", "execve: argument 1: unterminated string" },
		{ "execve(\"\\q\", [], [])", "bad escape '\\q'" },
		{ "execve(\"a\", [\"b\" \"c\"], [])", "expected a string" },
		{ "wait4(-1, [{WIFEXITED(s)], 0, NULL)", "unbalanced brackets" },
		{ "mmap2(NULL, 1, 0, 0, -1, 0)", "unknown syscall 'mmap2'" },
		{ "clone(stack=NULL)", "expected one of clone's name=value arguments" },
		{ "mmap(NULL, 1, 0, 0, 3</lib, 0)", "unterminated fd path" },
	};
	char deep[400];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mmt_sys_call call;
		char err[256] = "";

		if (!mmt_sys_parse_call(cases[i].in, MMT_ABI_X86_64, &call, err,
					sizeof(err))) {
			test_fail(__FILE__, __LINE__, "%s: parsed", cases[i].in);
			mmt_sys_call_release(&call);
		} else if (!strstr(err, cases[i].err)) {
			test_fail(__FILE__, __LINE__, "%s: \"%s\", want \"%s\"",
				  cases[i].in, err, cases[i].err);
		}
		CHECK(!call.mem);	/* nothing left behind */
	}
	{
		struct mmt_sys_call call;
		char err[256];

		CHECK(mmt_sys_parse_call("mmap2(NULL, 1, 0, 0, -1, 0x123)",
					 MMT_ABI_I386, &call, err,
					 sizeof(err)) == -1);
		CHECK(strstr(err, "offset not a multiple of 4096"));
	}
	/* deep nesting is refused, not recursed into */
	memcpy(deep, "wait4(-1, ", 10);
	memset(deep + 10, '[', 300);
	strcpy(deep + 310, ", 0, NULL)");
	{
		struct mmt_sys_call call;
		char err[256];

		CHECK(mmt_sys_parse_call(deep, MMT_ABI_X86_64, &call, err,
					 sizeof(err)) == -1);
		CHECK(strstr(err, "nesting too deep"));
	}
}

/* Small flag spaces, exhaustively: print, parse back, same value. */
static void check_value_round_trip(const char *fmt, uint64_t v, unsigned slot)
{
	struct mmt_sys_call call;
	char in[128], out[512], err[256];

	snprintf(in, sizeof(in), fmt, v);
	if (mmt_sys_parse_call(in, MMT_ABI_X86_64, &call, err, sizeof(err))) {
		test_fail(__FILE__, __LINE__, "%s: %s", in, err);
		return;
	}
	mmt_sys_format_call(out, sizeof(out), &call, -1);
	mmt_sys_call_release(&call);
	if (mmt_sys_parse_call(out, MMT_ABI_X86_64, &call, err, sizeof(err))) {
		test_fail(__FILE__, __LINE__, "%s -> %s: %s", in, out, err);
		return;
	}
	if (call.args[slot] != v)
		test_fail(__FILE__, __LINE__, "%s -> %s -> %#" PRIx64, in, out,
			  call.args[slot]);
	mmt_sys_call_release(&call);
}

TEST(syscall_flag_spaces_round_trip)
{
	for (uint64_t v = 0; v < 64; v++) {
		check_value_round_trip("mprotect(NULL, 1, %#" PRIx64 ")", v, 2);
		check_value_round_trip("mlockall(%#" PRIx64 ")", v, 0);
		check_value_round_trip("msync(NULL, 1, %#" PRIx64 ")", v, 2);
		check_value_round_trip("mremap(NULL, 1, 1, %#" PRIx64 ", NULL)",
				       v & ~3ULL, 3);
		check_value_round_trip("madvise(NULL, 1, %#" PRIx64 ")",
				       v * 2, 2);
	}
	for (unsigned bit = 0; bit < 32; bit++)
		for (uint64_t type = 0; type < 16; type++)
			check_value_round_trip("mmap(NULL, 1, 0, %#" PRIx64
					       ", -1, 0)", type | (1ULL << bit),
					       3);
	for (unsigned bit = 0; bit < 34; bit++)
		check_value_round_trip("clone(child_stack=NULL, flags=%#" PRIx64
				       ")", (1ULL << bit) | 17, 0);
}

TEST(syscall_errno_names_and_messages)
{
	static const int mine[] = { EPERM, ENOENT, ESRCH, EINTR, EBADF, ECHILD,
				    EAGAIN, ENOMEM, EACCES, EFAULT, EBUSY,
				    EEXIST, ENODEV, EINVAL, ENFILE, EMFILE,
				    ETXTBSY, ENOSYS, EOVERFLOW, EOPNOTSUPP };

	/* strace prints glibc's strerror(): the table must agree with it */
	for (size_t i = 0; i < sizeof(mine) / sizeof(mine[0]); i++) {
		CHECK(mmt_errno_name(mine[i]));
		CHECK_STR(mmt_errno_message(mine[i]), strerror(mine[i]));
		CHECK_EQ(mmt_errno_by_name(mmt_errno_name(mine[i])), mine[i]);
	}
	CHECK_STR(mmt_errno_name(12), "ENOMEM");
	CHECK_STR(mmt_errno_name(75), "EOVERFLOW");
	CHECK_STR(mmt_errno_name(512), "ERESTARTSYS");
	CHECK(!mmt_errno_name(4000));
	check_print(MMT_ABI_X86_64, "wait4(-1, NULL, 0, NULL) = ? ERESTARTSYS "
		    "(To be restarted if SA_RESTART is set)",
		    "wait4(-1, NULL, 0, NULL) = ? ERESTARTSYS (To be restarted "
		    "if SA_RESTART is set)");
}

TEST(syscall_format_pads_like_strace)
{
	struct mmt_sys_call call;
	char err[128], out[256];
	size_t n;

	CHECK(!mmt_sys_parse_call("brk(NULL) = 0x561f73510000", MMT_ABI_X86_64,
				  &call, err, sizeof(err)));
	mmt_sys_format_call(out, sizeof(out), &call, 6);
	CHECK_STR(out, "brk(NULL)                         = 0x561f73510000");
	/* snprintf-style: the needed length, a truncated NUL-ended text */
	n = mmt_sys_format_call(out, 8, &call, -1);
	CHECK_EQ(n, strlen("brk(NULL) = 0x561f73510000"));
	CHECK_STR(out, "brk(NUL");
	mmt_sys_call_release(&call);
}

TEST(strace_line_framing)
{
	struct mmt_strace_line l;
	char err[128];

	CHECK(!mmt_strace_line_parse("5561  wait4(-1,  <unfinished ...>", &l,
				     err, sizeof(err)));
	CHECK(l.kind == MMT_STRACE_UNFINISHED && l.pid == 5561);
	CHECK(l.text_len == 10 && !strncmp(l.text, "wait4(-1, ", 10));
	CHECK(!mmt_strace_line_parse("[pid  77] <... vfork resumed>) = 5562",
				     &l, err, sizeof(err)));
	CHECK(l.kind == MMT_STRACE_RESUMED && l.pid == 77);
	CHECK_STR(l.name, "vfork");
	CHECK(!strncmp(l.text, ") = 5562", l.text_len));
	CHECK(!mmt_strace_line_parse("9 +++ exited with 3 +++", &l, err,
				     sizeof(err)));
	CHECK(l.kind == MMT_STRACE_EXITED && l.status == 3);
	CHECK(!mmt_strace_line_parse("+++ killed by SIGSEGV (core dumped) +++",
				     &l, err, sizeof(err)));
	CHECK(l.kind == MMT_STRACE_KILLED && l.core_dumped);
	CHECK_STR(l.name, "SIGSEGV");
	CHECK(!mmt_strace_line_parse("1 --- SIGCHLD {si_signo=SIGCHLD} ---", &l,
				     err, sizeof(err)));
	CHECK(l.kind == MMT_STRACE_SIGNAL);
	CHECK_STR(l.name, "SIGCHLD");
	CHECK(mmt_strace_line_parse("1 +++ exited", &l, err, sizeof(err)));
	CHECK(mmt_strace_line_parse("<... resumed>", &l, err, sizeof(err)));
}
