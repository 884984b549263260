// SPDX-License-Identifier: MIT
/*
 * The named values against the host's own headers (glibc's copies of the
 * kernel uapi values): a name that maps to a wrong number round-trips
 * through print and parse unnoticed, so the numbers are checked here.
 * Values newer than the host's headers are checked against the kernel's
 * uapi text, cited by file.
 */
#define _GNU_SOURCE
#include "test.h"

#include <mmtwin/syscall.h>

#include <asm/prctl.h>
#include <asm-generic/hugetlb_encode.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/wait.h>

#define V(type, name) { MMT_SYS_ARG_##type, #name, (uint64_t)(name) }

static const struct { enum mmt_sys_argtype type; const char *name;
		      uint64_t val; } vals[] = {
	V(PROT, PROT_NONE), V(PROT, PROT_READ), V(PROT, PROT_WRITE),
	V(PROT, PROT_EXEC), V(PROT, PROT_GROWSDOWN),
	V(PROT, PROT_GROWSUP),
	V(MAP_FLAGS, MAP_FILE), V(MAP_FLAGS, MAP_SHARED),
	V(MAP_FLAGS, MAP_PRIVATE), V(MAP_FLAGS, MAP_SHARED_VALIDATE),
	V(MAP_FLAGS, MAP_FIXED), V(MAP_FLAGS, MAP_ANONYMOUS),
	V(MAP_FLAGS, MAP_32BIT), V(MAP_FLAGS, MAP_GROWSDOWN),
	V(MAP_FLAGS, MAP_DENYWRITE), V(MAP_FLAGS, MAP_EXECUTABLE),
	V(MAP_FLAGS, MAP_LOCKED), V(MAP_FLAGS, MAP_NORESERVE),
	V(MAP_FLAGS, MAP_POPULATE), V(MAP_FLAGS, MAP_NONBLOCK),
	V(MAP_FLAGS, MAP_STACK), V(MAP_FLAGS, MAP_HUGETLB),
	V(MAP_FLAGS, MAP_SYNC), V(MAP_FLAGS, MAP_FIXED_NOREPLACE),
	{ MMT_SYS_ARG_MAP_FLAGS, "MAP_HUGE_2MB", HUGETLB_FLAG_ENCODE_2MB },
	{ MMT_SYS_ARG_MAP_FLAGS, "MAP_HUGE_1GB", HUGETLB_FLAG_ENCODE_1GB },
	/* glibc leaves these out: include/uapi/asm-generic/mman-common.h */
	{ MMT_SYS_ARG_PROT, "PROT_SEM", 0x8 },
	{ MMT_SYS_ARG_MAP_FLAGS, "MAP_UNINITIALIZED", 0x4000000 },
	/* include/uapi/linux/mman.h; arch/x86/include/uapi/asm/mman.h */
	{ MMT_SYS_ARG_MAP_FLAGS, "MAP_DROPPABLE", 0x08 },
	{ MMT_SYS_ARG_MAP_FLAGS, "MAP_ABOVE4G", 0x80 },
	V(MREMAP_FLAGS, MREMAP_MAYMOVE), V(MREMAP_FLAGS, MREMAP_FIXED),
	V(MREMAP_FLAGS, MREMAP_DONTUNMAP),
	V(MADV, MADV_NORMAL), V(MADV, MADV_RANDOM), V(MADV, MADV_SEQUENTIAL),
	V(MADV, MADV_WILLNEED), V(MADV, MADV_DONTNEED), V(MADV, MADV_FREE),
	V(MADV, MADV_REMOVE), V(MADV, MADV_DONTFORK), V(MADV, MADV_DOFORK),
	V(MADV, MADV_MERGEABLE), V(MADV, MADV_UNMERGEABLE),
	V(MADV, MADV_HUGEPAGE), V(MADV, MADV_NOHUGEPAGE),
	V(MADV, MADV_DONTDUMP), V(MADV, MADV_DODUMP),
	V(MADV, MADV_WIPEONFORK), V(MADV, MADV_KEEPONFORK), V(MADV, MADV_COLD),
	V(MADV, MADV_PAGEOUT), V(MADV, MADV_POPULATE_READ),
	V(MADV, MADV_POPULATE_WRITE), V(MADV, MADV_HWPOISON),
	/* include/uapi/asm-generic/mman-common.h (6.1 and later) */
	{ MMT_SYS_ARG_MADV, "MADV_DONTNEED_LOCKED", 24 },
	{ MMT_SYS_ARG_MADV, "MADV_COLLAPSE", 25 },
	{ MMT_SYS_ARG_MADV, "MADV_SOFT_OFFLINE", 101 },
	{ MMT_SYS_ARG_MADV, "MADV_GUARD_INSTALL", 102 },
	{ MMT_SYS_ARG_MADV, "MADV_GUARD_REMOVE", 103 },
	V(MLOCK2_FLAGS, MLOCK_ONFAULT),
	V(MCL_FLAGS, MCL_CURRENT), V(MCL_FLAGS, MCL_FUTURE),
	V(MCL_FLAGS, MCL_ONFAULT),
	V(MS_FLAGS, MS_ASYNC), V(MS_FLAGS, MS_INVALIDATE), V(MS_FLAGS, MS_SYNC),
	V(PKEY_RIGHTS, PKEY_DISABLE_ACCESS), V(PKEY_RIGHTS, PKEY_DISABLE_WRITE),
	V(SHMGET_FLAGS, IPC_CREAT), V(SHMGET_FLAGS, IPC_EXCL),
	V(SHMGET_FLAGS, SHM_HUGETLB), V(SHMGET_FLAGS, SHM_NORESERVE),
	V(SHMAT_FLAGS, SHM_RDONLY), V(SHMAT_FLAGS, SHM_RND),
	V(SHMAT_FLAGS, SHM_REMAP), V(SHMAT_FLAGS, SHM_EXEC),
	V(SHMCTL_CMD, IPC_RMID), V(SHMCTL_CMD, IPC_SET), V(SHMCTL_CMD, IPC_STAT),
	V(SHMCTL_CMD, IPC_INFO), V(SHMCTL_CMD, SHM_LOCK),
	V(SHMCTL_CMD, SHM_UNLOCK), V(SHMCTL_CMD, SHM_STAT),
	V(SHMCTL_CMD, SHM_INFO), V(SHMCTL_CMD, SHM_STAT_ANY),
	V(IPC_KEY, IPC_PRIVATE),
	V(CLONE_FLAGS, CLONE_VM), V(CLONE_FLAGS, CLONE_FS),
	V(CLONE_FLAGS, CLONE_FILES), V(CLONE_FLAGS, CLONE_SIGHAND),
	V(CLONE_FLAGS, CLONE_PIDFD), V(CLONE_FLAGS, CLONE_PTRACE),
	V(CLONE_FLAGS, CLONE_VFORK), V(CLONE_FLAGS, CLONE_PARENT),
	V(CLONE_FLAGS, CLONE_THREAD), V(CLONE_FLAGS, CLONE_NEWNS),
	V(CLONE_FLAGS, CLONE_SYSVSEM), V(CLONE_FLAGS, CLONE_SETTLS),
	V(CLONE_FLAGS, CLONE_PARENT_SETTID), V(CLONE_FLAGS, CLONE_CHILD_CLEARTID),
	V(CLONE_FLAGS, CLONE_DETACHED), V(CLONE_FLAGS, CLONE_UNTRACED),
	V(CLONE_FLAGS, CLONE_CHILD_SETTID), V(CLONE_FLAGS, CLONE_NEWCGROUP),
	V(CLONE_FLAGS, CLONE_NEWUTS), V(CLONE_FLAGS, CLONE_NEWIPC),
	V(CLONE_FLAGS, CLONE_NEWUSER), V(CLONE_FLAGS, CLONE_NEWPID),
	V(CLONE_FLAGS, CLONE_NEWNET), V(CLONE_FLAGS, CLONE_IO),
	V(CLONE_FLAGS, CLONE_NEWTIME),
	/* include/uapi/linux/sched.h: clone3 only */
	{ MMT_SYS_ARG_CLONE_FLAGS, "CLONE_CLEAR_SIGHAND", 0x100000000ULL },
	{ MMT_SYS_ARG_CLONE_FLAGS, "CLONE_INTO_CGROUP", 0x200000000ULL },
	V(CLONE_FLAGS, SIGCHLD), V(SIGNAL, SIGKILL), V(SIGNAL, SIGSEGV),
	V(SIGNAL, SIGSTKFLT), V(SIGNAL, SIGSYS),
	V(WAIT_OPTIONS, WNOHANG), V(WAIT_OPTIONS, WUNTRACED),
	V(WAIT_OPTIONS, WEXITED), V(WAIT_OPTIONS, WCONTINUED),
	V(WAIT_OPTIONS, WNOWAIT), V(WAIT_OPTIONS, __WNOTHREAD),
	V(WAIT_OPTIONS, __WALL), V(WAIT_OPTIONS, __WCLONE),
	V(RLIMIT, RLIMIT_CPU), V(RLIMIT, RLIMIT_DATA), V(RLIMIT, RLIMIT_STACK),
	V(RLIMIT, RLIMIT_NOFILE), V(RLIMIT, RLIMIT_MEMLOCK), V(RLIMIT, RLIMIT_AS),
	V(RLIMIT, RLIMIT_RTTIME),
	V(PERSONALITY, PER_LINUX), V(PERSONALITY, PER_LINUX32),
	V(PERSONALITY, PER_SVR4 & 0xff), V(PERSONALITY, PER_HPUX),
	V(PERSONALITY, ADDR_NO_RANDOMIZE), V(PERSONALITY, READ_IMPLIES_EXEC),
	V(PERSONALITY, ADDR_LIMIT_32BIT), V(PERSONALITY, ADDR_COMPAT_LAYOUT),
	V(PERSONALITY, MMAP_PAGE_ZERO), V(PERSONALITY, ADDR_LIMIT_3GB),
	V(PERSONALITY, UNAME26), V(PERSONALITY, STICKY_TIMEOUTS),
	V(ARCH_PRCTL, ARCH_SET_GS), V(ARCH_PRCTL, ARCH_SET_FS),
	V(ARCH_PRCTL, ARCH_GET_FS), V(ARCH_PRCTL, ARCH_GET_GS),
	V(ARCH_PRCTL, ARCH_GET_CPUID), V(ARCH_PRCTL, ARCH_SET_CPUID),
	V(ARCH_PRCTL, ARCH_REQ_XCOMP_PERM), V(ARCH_PRCTL, ARCH_MAP_VDSO_64),
};

/* "NAME" parsed as an argument of @type, via a call that takes one. */
static int value_of(enum mmt_sys_argtype type, const char *name, uint64_t *v)
{
	static const struct { enum mmt_sys_argtype type; const char *fmt;
			      unsigned slot; } calls[] = {
		{ MMT_SYS_ARG_PROT, "mprotect(NULL, 1, %s)", 2 },
		{ MMT_SYS_ARG_MAP_FLAGS, "mmap(NULL, 1, 0, %s, -1, 0)", 3 },
		{ MMT_SYS_ARG_MREMAP_FLAGS, "mremap(NULL, 1, 1, %s)", 3 },
		{ MMT_SYS_ARG_MADV, "madvise(NULL, 1, %s)", 2 },
		{ MMT_SYS_ARG_MLOCK2_FLAGS, "mlock2(NULL, 1, %s)", 2 },
		{ MMT_SYS_ARG_MCL_FLAGS, "mlockall(%s)", 0 },
		{ MMT_SYS_ARG_MS_FLAGS, "msync(NULL, 1, %s)", 2 },
		{ MMT_SYS_ARG_PKEY_RIGHTS, "pkey_alloc(0, %s)", 1 },
		{ MMT_SYS_ARG_SHMGET_FLAGS, "shmget(1, 1, %s)", 2 },
		{ MMT_SYS_ARG_SHMAT_FLAGS, "shmat(1, NULL, %s)", 2 },
		{ MMT_SYS_ARG_SHMCTL_CMD, "shmctl(1, %s, NULL)", 1 },
		{ MMT_SYS_ARG_IPC_KEY, "shmget(%s, 1, 0)", 0 },
		{ MMT_SYS_ARG_CLONE_FLAGS, "clone(flags=%s)", 0 },
		{ MMT_SYS_ARG_SIGNAL, "kill(1, %s)", 1 },
		{ MMT_SYS_ARG_WAIT_OPTIONS, "wait4(-1, NULL, %s, NULL)", 2 },
		{ MMT_SYS_ARG_RLIMIT, "setrlimit(%s, NULL)", 0 },
		{ MMT_SYS_ARG_PERSONALITY, "personality(%s)", 0 },
		{ MMT_SYS_ARG_ARCH_PRCTL, "arch_prctl(%s, NULL)", 0 },
	};
	struct mmt_sys_call call;
	char in[128], err[256];

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		if (calls[i].type != type)
			continue;
		snprintf(in, sizeof(in), calls[i].fmt, name);
		if (mmt_sys_parse_call(in, MMT_ABI_X86_64, &call, err,
				       sizeof(err)))
			return -1;
		*v = call.args[calls[i].slot];
		mmt_sys_call_release(&call);
		return 0;
	}
	return -1;
}

TEST(syscall_values_match_the_headers)
{
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		const char *name = vals[i].name;
		uint64_t v;

		/* V(PERSONALITY, PER_SVR4 & 0xff): the name is the first word */
		char word[64];

		snprintf(word, sizeof(word), "%.*s", (int)strcspn(name, " "),
			 name);
		if (value_of(vals[i].type, word, &v) || v != vals[i].val)
			test_fail(__FILE__, __LINE__, "%s: %#" PRIx64
				  ", headers say %#" PRIx64, word, v,
				  vals[i].val);
	}
}
