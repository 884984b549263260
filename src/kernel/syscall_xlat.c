// SPDX-License-Identifier: MIT
/*
 * The named values of the memory and process system calls, with the
 * kernel's numbers (include/uapi/asm-generic/mman-common.h,
 * include/uapi/linux/mman.h, arch/x86/include/uapi/asm/mman.h,
 * include/uapi/linux/sched.h, include/uapi/linux/shm.h, linux/ipc.h,
 * arch/x86/include/uapi/asm/prctl.h, include/uapi/linux/personality.h,
 * asm-generic/errno*.h).
 *
 * Each flag table is in the order strace prints the names: ascending
 * value, as its xlat tables are.  Values that strace 6.1 does not know
 * yet (MADV_GUARD_INSTALL, MAP_DROPPABLE, MAP_ABOVE4G) are here by their
 * kernel names, so the printer names them as a newer strace does.
 */
#include "kernel/syscall_internal.h"

#include <string.h>

#define END { NULL, 0 }

/* --- mmap(2) and friends --- */
static const struct mmt_sys_xlat prot_xlat[] = {
	{ "PROT_NONE", 0x0 },		/* the name of 0 */
	{ "PROT_READ", 0x1 },
	{ "PROT_WRITE", 0x2 },
	{ "PROT_EXEC", 0x4 },
	{ "PROT_SEM", 0x8 },
	{ "PROT_GROWSDOWN", 0x01000000 },
	{ "PROT_GROWSUP", 0x02000000 },
	END
};

/* The mapping type (flags & MAP_TYPE) is a value, printed first. */
static const struct mmt_sys_xlat map_type_xlat[] = {
	{ "MAP_FILE", 0x0 },
	{ "MAP_SHARED", 0x1 },
	{ "MAP_PRIVATE", 0x2 },
	{ "MAP_SHARED_VALIDATE", 0x3 },
	{ "MAP_DROPPABLE", 0x8 },
	END
};

static const struct mmt_sys_xlat map_flags_xlat[] = {
	{ "MAP_FIXED", 0x10 },
	{ "MAP_ANONYMOUS", 0x20 },
	{ "MAP_32BIT", 0x40 },		/* x86 */
	{ "MAP_ABOVE4G", 0x80 },	/* x86, 6.4 */
	{ "MAP_GROWSDOWN", 0x100 },
	{ "MAP_DENYWRITE", 0x800 },
	{ "MAP_EXECUTABLE", 0x1000 },
	{ "MAP_LOCKED", 0x2000 },
	{ "MAP_NORESERVE", 0x4000 },
	{ "MAP_POPULATE", 0x8000 },
	{ "MAP_NONBLOCK", 0x10000 },
	{ "MAP_STACK", 0x20000 },
	{ "MAP_HUGETLB", 0x40000 },
	{ "MAP_SYNC", 0x80000 },
	{ "MAP_FIXED_NOREPLACE", 0x100000 },
	END
};

/*
 * Accepted when parsing, never printed: strace prints the whole MAP_HUGE
 * field (bits 26..31) as "N<<MAP_HUGE_SHIFT", which swallows
 * MAP_UNINITIALIZED (bit 26) too.  MAP_ANON is glibc's alias.
 */
static const struct mmt_sys_xlat map_alias_xlat[] = {
	{ "MAP_ANON", 0x20 },
	{ "MAP_UNINITIALIZED", 0x4000000 },
	{ "MAP_HUGE_16KB", 14ULL << 26 },
	{ "MAP_HUGE_64KB", 16ULL << 26 },
	{ "MAP_HUGE_512KB", 19ULL << 26 },
	{ "MAP_HUGE_1MB", 20ULL << 26 },
	{ "MAP_HUGE_2MB", 21ULL << 26 },
	{ "MAP_HUGE_8MB", 23ULL << 26 },
	{ "MAP_HUGE_16MB", 24ULL << 26 },
	{ "MAP_HUGE_32MB", 25ULL << 26 },
	{ "MAP_HUGE_256MB", 28ULL << 26 },
	{ "MAP_HUGE_512MB", 29ULL << 26 },
	{ "MAP_HUGE_1GB", 30ULL << 26 },
	{ "MAP_HUGE_2GB", 31ULL << 26 },
	{ "MAP_HUGE_16GB", 34ULL << 26 },
	END
};

/* Both halves, for the parser: the type names and the flag names. */
static const struct mmt_sys_xlat map_all_xlat[] = {
	{ "MAP_FILE", 0x0 }, { "MAP_SHARED", 0x1 }, { "MAP_PRIVATE", 0x2 },
	{ "MAP_SHARED_VALIDATE", 0x3 }, { "MAP_DROPPABLE", 0x8 },
	{ "MAP_FIXED", 0x10 }, { "MAP_ANONYMOUS", 0x20 },
	{ "MAP_32BIT", 0x40 }, { "MAP_ABOVE4G", 0x80 },
	{ "MAP_GROWSDOWN", 0x100 }, { "MAP_DENYWRITE", 0x800 },
	{ "MAP_EXECUTABLE", 0x1000 }, { "MAP_LOCKED", 0x2000 },
	{ "MAP_NORESERVE", 0x4000 }, { "MAP_POPULATE", 0x8000 },
	{ "MAP_NONBLOCK", 0x10000 }, { "MAP_STACK", 0x20000 },
	{ "MAP_HUGETLB", 0x40000 }, { "MAP_SYNC", 0x80000 },
	{ "MAP_FIXED_NOREPLACE", 0x100000 },
	END
};

static const struct mmt_sys_xlat mremap_xlat[] = {
	{ "MREMAP_MAYMOVE", 1 },
	{ "MREMAP_FIXED", 2 },
	{ "MREMAP_DONTUNMAP", 4 },
	END
};

static const struct mmt_sys_xlat madv_xlat[] = {
	{ "MADV_NORMAL", 0 },
	{ "MADV_RANDOM", 1 },
	{ "MADV_SEQUENTIAL", 2 },
	{ "MADV_WILLNEED", 3 },
	{ "MADV_DONTNEED", 4 },
	{ "MADV_FREE", 8 },
	{ "MADV_REMOVE", 9 },
	{ "MADV_DONTFORK", 10 },
	{ "MADV_DOFORK", 11 },
	{ "MADV_MERGEABLE", 12 },
	{ "MADV_UNMERGEABLE", 13 },
	{ "MADV_HUGEPAGE", 14 },
	{ "MADV_NOHUGEPAGE", 15 },
	{ "MADV_DONTDUMP", 16 },
	{ "MADV_DODUMP", 17 },
	{ "MADV_WIPEONFORK", 18 },
	{ "MADV_KEEPONFORK", 19 },
	{ "MADV_COLD", 20 },
	{ "MADV_PAGEOUT", 21 },
	{ "MADV_POPULATE_READ", 22 },
	{ "MADV_POPULATE_WRITE", 23 },
	{ "MADV_DONTNEED_LOCKED", 24 },
	{ "MADV_COLLAPSE", 25 },
	{ "MADV_HWPOISON", 100 },
	{ "MADV_SOFT_OFFLINE", 101 },
	{ "MADV_GUARD_INSTALL", 102 },	/* 6.13 */
	{ "MADV_GUARD_REMOVE", 103 },
	END
};

static const struct mmt_sys_xlat mlock2_xlat[] = {
	{ "MLOCK_ONFAULT", 1 },
	END
};

static const struct mmt_sys_xlat mcl_xlat[] = {
	{ "MCL_CURRENT", 1 },
	{ "MCL_FUTURE", 2 },
	{ "MCL_ONFAULT", 4 },
	END
};

static const struct mmt_sys_xlat ms_xlat[] = {
	{ "MS_ASYNC", 1 },
	{ "MS_INVALIDATE", 2 },
	{ "MS_SYNC", 4 },
	END
};

static const struct mmt_sys_xlat pkey_xlat[] = {
	{ "PKEY_DISABLE_ACCESS", 1 },
	{ "PKEY_DISABLE_WRITE", 2 },
	END
};

/* --- System V shared memory (octal, as the headers write them) --- */
static const struct mmt_sys_xlat ipc_key_xlat[] = {
	{ "IPC_PRIVATE", 0 },
	END
};

static const struct mmt_sys_xlat shmget_xlat[] = {
	{ "IPC_CREAT", 01000 },
	{ "IPC_EXCL", 02000 },
	{ "SHM_HUGETLB", 04000 },
	{ "SHM_NORESERVE", 010000 },
	END
};

static const struct mmt_sys_xlat shmat_xlat[] = {
	{ "SHM_RDONLY", 010000 },
	{ "SHM_RND", 020000 },
	{ "SHM_REMAP", 040000 },
	{ "SHM_EXEC", 0100000 },
	END
};

static const struct mmt_sys_xlat shmctl_xlat[] = {
	{ "IPC_RMID", 0 },
	{ "IPC_SET", 1 },
	{ "IPC_STAT", 2 },
	{ "IPC_INFO", 3 },
	{ "SHM_LOCK", 11 },
	{ "SHM_UNLOCK", 12 },
	{ "SHM_STAT", 13 },
	{ "SHM_INFO", 14 },
	{ "SHM_STAT_ANY", 15 },
	END
};

static const struct mmt_sys_xlat shmctl_alias_xlat[] = {
	{ "IPC_64", 0x100 },
	END
};

/* ipc(2) sub-calls (include/uapi/linux/ipc.h) */
static const struct mmt_sys_xlat ipc_call_xlat[] = {
	{ "SEMOP", 1 }, { "SEMGET", 2 }, { "SEMCTL", 3 },
	{ "SEMTIMEDOP", 4 }, { "MSGSND", 11 }, { "MSGRCV", 12 },
	{ "MSGGET", 13 }, { "MSGCTL", 14 }, { "SHMAT", 21 },
	{ "SHMDT", 22 }, { "SHMGET", 23 }, { "SHMCTL", 24 },
	END
};

/* --- processes --- */
static const struct mmt_sys_xlat clone_xlat[] = {
	{ "CLONE_NEWTIME", 0x80 },	/* clone3 only: inside CSIGNAL */
	{ "CLONE_VM", 0x100 },
	{ "CLONE_FS", 0x200 },
	{ "CLONE_FILES", 0x400 },
	{ "CLONE_SIGHAND", 0x800 },
	{ "CLONE_PIDFD", 0x1000 },
	{ "CLONE_PTRACE", 0x2000 },
	{ "CLONE_VFORK", 0x4000 },
	{ "CLONE_PARENT", 0x8000 },
	{ "CLONE_THREAD", 0x10000 },
	{ "CLONE_NEWNS", 0x20000 },
	{ "CLONE_SYSVSEM", 0x40000 },
	{ "CLONE_SETTLS", 0x80000 },
	{ "CLONE_PARENT_SETTID", 0x100000 },
	{ "CLONE_CHILD_CLEARTID", 0x200000 },
	{ "CLONE_DETACHED", 0x400000 },
	{ "CLONE_UNTRACED", 0x800000 },
	{ "CLONE_CHILD_SETTID", 0x1000000 },
	{ "CLONE_NEWCGROUP", 0x2000000 },
	{ "CLONE_NEWUTS", 0x4000000 },
	{ "CLONE_NEWIPC", 0x8000000 },
	{ "CLONE_NEWUSER", 0x10000000 },
	{ "CLONE_NEWPID", 0x20000000 },
	{ "CLONE_NEWNET", 0x40000000 },
	{ "CLONE_IO", 0x80000000 },
	{ "CLONE_CLEAR_SIGHAND", 0x100000000ULL },
	{ "CLONE_INTO_CGROUP", 0x200000000ULL },
	END
};

static const struct mmt_sys_xlat signal_xlat[] = {
	{ "SIGHUP", 1 }, { "SIGINT", 2 }, { "SIGQUIT", 3 }, { "SIGILL", 4 },
	{ "SIGTRAP", 5 }, { "SIGABRT", 6 }, { "SIGBUS", 7 }, { "SIGFPE", 8 },
	{ "SIGKILL", 9 }, { "SIGUSR1", 10 }, { "SIGSEGV", 11 },
	{ "SIGUSR2", 12 }, { "SIGPIPE", 13 }, { "SIGALRM", 14 },
	{ "SIGTERM", 15 }, { "SIGSTKFLT", 16 }, { "SIGCHLD", 17 },
	{ "SIGCONT", 18 }, { "SIGSTOP", 19 }, { "SIGTSTP", 20 },
	{ "SIGTTIN", 21 }, { "SIGTTOU", 22 }, { "SIGURG", 23 },
	{ "SIGXCPU", 24 }, { "SIGXFSZ", 25 }, { "SIGVTALRM", 26 },
	{ "SIGPROF", 27 }, { "SIGWINCH", 28 }, { "SIGIO", 29 },
	{ "SIGPWR", 30 }, { "SIGSYS", 31 },
	END
};

static const struct mmt_sys_xlat wait_xlat[] = {
	{ "WNOHANG", 1 },
	{ "WSTOPPED", 2 },		/* == WUNTRACED */
	{ "WEXITED", 4 },
	{ "WCONTINUED", 8 },
	{ "WNOWAIT", 0x1000000 },
	{ "__WNOTHREAD", 0x20000000 },
	{ "__WALL", 0x40000000 },
	{ "__WCLONE", 0x80000000 },
	END
};

static const struct mmt_sys_xlat wait_alias_xlat[] = {
	{ "WUNTRACED", 2 },
	END
};

static const struct mmt_sys_xlat rlimit_xlat[] = {
	{ "RLIMIT_CPU", 0 }, { "RLIMIT_FSIZE", 1 }, { "RLIMIT_DATA", 2 },
	{ "RLIMIT_STACK", 3 }, { "RLIMIT_CORE", 4 }, { "RLIMIT_RSS", 5 },
	{ "RLIMIT_NPROC", 6 }, { "RLIMIT_NOFILE", 7 },
	{ "RLIMIT_MEMLOCK", 8 }, { "RLIMIT_AS", 9 }, { "RLIMIT_LOCKS", 10 },
	{ "RLIMIT_SIGPENDING", 11 }, { "RLIMIT_MSGQUEUE", 12 },
	{ "RLIMIT_NICE", 13 }, { "RLIMIT_RTPRIO", 14 },
	{ "RLIMIT_RTTIME", 15 },
	END
};

/* personality(2): the low byte is a type (a value), the rest flags. */
static const struct mmt_sys_xlat per_type_xlat[] = {
	{ "PER_LINUX", 0x00 }, { "PER_SVR4", 0x01 }, { "PER_SVR3", 0x02 },
	{ "PER_SCOSVR3", 0x03 }, { "PER_WYSEV386", 0x04 },
	{ "PER_ISCR4", 0x05 }, { "PER_BSD", 0x06 }, { "PER_XENIX", 0x07 },
	{ "PER_LINUX32", 0x08 }, { "PER_IRIX32", 0x09 },
	{ "PER_IRIXN32", 0x0a }, { "PER_IRIX64", 0x0b },
	{ "PER_RISCOS", 0x0c }, { "PER_SOLARIS", 0x0d }, { "PER_UW7", 0x0e },
	{ "PER_OSF4", 0x0f }, { "PER_HPUX", 0x10 },
	END
};

static const struct mmt_sys_xlat per_flags_xlat[] = {
	{ "UNAME26", 0x0020000 },
	{ "ADDR_NO_RANDOMIZE", 0x0040000 },
	{ "FDPIC_FUNCPTRS", 0x0080000 },
	{ "MMAP_PAGE_ZERO", 0x0100000 },
	{ "ADDR_COMPAT_LAYOUT", 0x0200000 },
	{ "READ_IMPLIES_EXEC", 0x0400000 },
	{ "ADDR_LIMIT_32BIT", 0x0800000 },
	{ "SHORT_INODE", 0x1000000 },
	{ "WHOLE_SECONDS", 0x2000000 },
	{ "STICKY_TIMEOUTS", 0x4000000 },
	{ "ADDR_LIMIT_3GB", 0x8000000 },
	END
};

static const struct mmt_sys_xlat per_all_xlat[] = {
	{ "PER_LINUX", 0x00 }, { "PER_SVR4", 0x01 }, { "PER_SVR3", 0x02 },
	{ "PER_SCOSVR3", 0x03 }, { "PER_WYSEV386", 0x04 },
	{ "PER_ISCR4", 0x05 }, { "PER_BSD", 0x06 }, { "PER_XENIX", 0x07 },
	{ "PER_LINUX32", 0x08 }, { "PER_IRIX32", 0x09 },
	{ "PER_IRIXN32", 0x0a }, { "PER_IRIX64", 0x0b },
	{ "PER_RISCOS", 0x0c }, { "PER_SOLARIS", 0x0d }, { "PER_UW7", 0x0e },
	{ "PER_OSF4", 0x0f }, { "PER_HPUX", 0x10 },
	{ "UNAME26", 0x0020000 }, { "ADDR_NO_RANDOMIZE", 0x0040000 },
	{ "FDPIC_FUNCPTRS", 0x0080000 }, { "MMAP_PAGE_ZERO", 0x0100000 },
	{ "ADDR_COMPAT_LAYOUT", 0x0200000 },
	{ "READ_IMPLIES_EXEC", 0x0400000 },
	{ "ADDR_LIMIT_32BIT", 0x0800000 }, { "SHORT_INODE", 0x1000000 },
	{ "WHOLE_SECONDS", 0x2000000 }, { "STICKY_TIMEOUTS", 0x4000000 },
	{ "ADDR_LIMIT_3GB", 0x8000000 },
	END
};

static const struct mmt_sys_xlat arch_prctl_xlat[] = {
	{ "ARCH_SET_GS", 0x1001 }, { "ARCH_SET_FS", 0x1002 },
	{ "ARCH_GET_FS", 0x1003 }, { "ARCH_GET_GS", 0x1004 },
	{ "ARCH_GET_CPUID", 0x1011 }, { "ARCH_SET_CPUID", 0x1012 },
	{ "ARCH_GET_XCOMP_SUPP", 0x1021 }, { "ARCH_GET_XCOMP_PERM", 0x1022 },
	{ "ARCH_REQ_XCOMP_PERM", 0x1023 },
	{ "ARCH_GET_XCOMP_GUEST_PERM", 0x1024 },
	{ "ARCH_REQ_XCOMP_GUEST_PERM", 0x1025 },
	{ "ARCH_MAP_VDSO_X32", 0x2001 }, { "ARCH_MAP_VDSO_32", 0x2002 },
	{ "ARCH_MAP_VDSO_64", 0x2003 },
	{ "ARCH_GET_UNTAG_MASK", 0x4001 },
	{ "ARCH_ENABLE_TAGGED_ADDR", 0x4002 },
	{ "ARCH_GET_MAX_TAG_BITS", 0x4003 },
	{ "ARCH_FORCE_TAGGED_SVA", 0x4004 },
	{ "ARCH_SHSTK_ENABLE", 0x5001 }, { "ARCH_SHSTK_DISABLE", 0x5002 },
	{ "ARCH_SHSTK_LOCK", 0x5003 }, { "ARCH_SHSTK_UNLOCK", 0x5004 },
	{ "ARCH_SHSTK_STATUS", 0x5005 },
	END
};

static const struct mmt_sys_xlat at_xlat[] = {
	{ "AT_SYMLINK_NOFOLLOW", 0x100 },
	{ "AT_EMPTY_PATH", 0x1000 },
	END
};

static const struct sys_typeinfo typeinfo[MMT_NR_SYS_ARGTYPES] = {
	[MMT_SYS_ARG_PROT] = { prot_xlat, "PROT_???", SYS_STYLE_FLAGS },
	[MMT_SYS_ARG_MAP_FLAGS] = { map_flags_xlat, "MAP_???",
				    SYS_STYLE_FLAGS },
	[MMT_SYS_ARG_MREMAP_FLAGS] = { mremap_xlat, "MREMAP_???",
				       SYS_STYLE_FLAGS },
	[MMT_SYS_ARG_MADV] = { madv_xlat, "MADV_???", SYS_STYLE_VALUE },
	[MMT_SYS_ARG_MLOCK2_FLAGS] = { mlock2_xlat, "MLOCK_???",
				       SYS_STYLE_FLAGS },
	[MMT_SYS_ARG_MCL_FLAGS] = { mcl_xlat, "MCL_???", SYS_STYLE_FLAGS },
	[MMT_SYS_ARG_MS_FLAGS] = { ms_xlat, "MS_???", SYS_STYLE_FLAGS },
	[MMT_SYS_ARG_PKEY_RIGHTS] = { pkey_xlat, "PKEY_???",
				      SYS_STYLE_FLAGS },
	[MMT_SYS_ARG_IPC_KEY] = { ipc_key_xlat, NULL, SYS_STYLE_NUMBER },
	[MMT_SYS_ARG_SHMGET_FLAGS] = { shmget_xlat, "IPC_???",
				       SYS_STYLE_FLAGS },
	[MMT_SYS_ARG_SHMAT_FLAGS] = { shmat_xlat, "SHM_???",
				      SYS_STYLE_FLAGS },
	[MMT_SYS_ARG_SHMCTL_CMD] = { shmctl_xlat, "SHM_???",
				     SYS_STYLE_VALUE },
	[MMT_SYS_ARG_IPC_CALL] = { ipc_call_xlat, "IPCCALL_???",
				   SYS_STYLE_VALUE },
	[MMT_SYS_ARG_CLONE_FLAGS] = { clone_xlat, "CLONE_???",
				      SYS_STYLE_FLAGS },
	[MMT_SYS_ARG_SIGNAL] = { signal_xlat, NULL, SYS_STYLE_VALUE },
	[MMT_SYS_ARG_WAIT_OPTIONS] = { wait_xlat, "W???", SYS_STYLE_FLAGS },
	[MMT_SYS_ARG_RLIMIT] = { rlimit_xlat, "RLIMIT_???",
				 SYS_STYLE_VALUE },
	[MMT_SYS_ARG_PERSONALITY] = { per_flags_xlat, NULL,
				      SYS_STYLE_FLAGS },
	[MMT_SYS_ARG_ARCH_PRCTL] = { arch_prctl_xlat, "ARCH_???",
				     SYS_STYLE_VALUE },
	[MMT_SYS_ARG_AT_FLAGS] = { at_xlat, "AT_???", SYS_STYLE_FLAGS },
};

const struct sys_typeinfo *sys_typeinfo(enum mmt_sys_argtype type)
{
	static const struct sys_typeinfo none = { NULL, NULL,
						  SYS_STYLE_NUMBER };

	if ((unsigned)type >= MMT_NR_SYS_ARGTYPES || !typeinfo[type].xlat)
		return &none;
	return &typeinfo[type];
}

const struct mmt_sys_xlat *mmt_sys_xlat_of(enum mmt_sys_argtype type)
{
	if (type == MMT_SYS_ARG_MAP_FLAGS)
		return map_all_xlat;
	if (type == MMT_SYS_ARG_PERSONALITY)
		return per_all_xlat;
	return sys_typeinfo(type)->xlat;
}

const struct mmt_sys_xlat *sys_map_type_xlat(void)
{
	return map_type_xlat;
}

const struct mmt_sys_xlat *sys_per_type_xlat(void)
{
	return per_type_xlat;
}

const struct mmt_sys_xlat *sys_parse_aliases(enum mmt_sys_argtype type)
{
	switch (type) {
	case MMT_SYS_ARG_MAP_FLAGS:
		return map_alias_xlat;
	case MMT_SYS_ARG_SHMCTL_CMD:
		return shmctl_alias_xlat;
	case MMT_SYS_ARG_WAIT_OPTIONS:
		return wait_alias_xlat;
	case MMT_SYS_ARG_CLONE_FLAGS:	/* the exit signal */
		return signal_xlat;
	default:
		return NULL;
	}
}

const char *sys_signal_name(unsigned sig)
{
	if (sig < 1 || sig > 31)
		return NULL;
	return signal_xlat[sig - 1].name;
}

int sys_signal_by_name(const char *name, size_t len)
{
	for (const struct mmt_sys_xlat *x = signal_xlat; x->name; x++)
		if (strlen(x->name) == len && !memcmp(x->name, name, len))
			return (int)x->val;
	return 0;
}

/* --- errno: the kernel's numbers, glibc's messages (what strace prints) */
struct sys_errno {
	int nr;
	const char *name;
	const char *msg;
};

static const struct sys_errno errnos[] = {
	{ 1, "EPERM", "Operation not permitted" },
	{ 2, "ENOENT", "No such file or directory" },
	{ 3, "ESRCH", "No such process" },
	{ 4, "EINTR", "Interrupted system call" },
	{ 5, "EIO", "Input/output error" },
	{ 6, "ENXIO", "No such device or address" },
	{ 7, "E2BIG", "Argument list too long" },
	{ 8, "ENOEXEC", "Exec format error" },
	{ 9, "EBADF", "Bad file descriptor" },
	{ 10, "ECHILD", "No child processes" },
	{ 11, "EAGAIN", "Resource temporarily unavailable" },
	{ 12, "ENOMEM", "Cannot allocate memory" },
	{ 13, "EACCES", "Permission denied" },
	{ 14, "EFAULT", "Bad address" },
	{ 16, "EBUSY", "Device or resource busy" },
	{ 17, "EEXIST", "File exists" },
	{ 19, "ENODEV", "No such device" },
	{ 20, "ENOTDIR", "Not a directory" },
	{ 21, "EISDIR", "Is a directory" },
	{ 22, "EINVAL", "Invalid argument" },
	{ 23, "ENFILE", "Too many open files in system" },
	{ 24, "EMFILE", "Too many open files" },
	{ 26, "ETXTBSY", "Text file busy" },
	{ 27, "EFBIG", "File too large" },
	{ 28, "ENOSPC", "No space left on device" },
	{ 34, "ERANGE", "Numerical result out of range" },
	{ 36, "ENAMETOOLONG", "File name too long" },
	{ 38, "ENOSYS", "Function not implemented" },
	{ 40, "ELOOP", "Too many levels of symbolic links" },
	{ 43, "EIDRM", "Identifier removed" },
	{ 75, "EOVERFLOW", "Value too large for defined data type" },
	{ 95, "EOPNOTSUPP", "Operation not supported" },
	/* include/linux/errno.h: never seen by user space, but strace
	 * shows them on interrupted calls ("= ? ERESTARTSYS (...)") */
	{ 512, "ERESTARTSYS", "To be restarted if SA_RESTART is set" },
	{ 513, "ERESTARTNOINTR", "To be restarted" },
	{ 514, "ERESTARTNOHAND", "To be restarted if no handler" },
	{ 516, "ERESTART_RESTARTBLOCK", "Interrupted by signal" },
};

static const struct sys_errno *errno_find(int err)
{
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].nr == err)
			return &errnos[i];
	return NULL;
}

const char *mmt_errno_name(int err)
{
	const struct sys_errno *e = errno_find(err);

	return e ? e->name : NULL;
}

const char *mmt_errno_message(int err)
{
	const struct sys_errno *e = errno_find(err);

	return e ? e->msg : NULL;
}

int mmt_errno_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (!strcmp(errnos[i].name, name))
			return errnos[i].nr;
	return 0;
}
