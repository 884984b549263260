// SPDX-License-Identifier: MIT
/*
 * The one table of system calls: every memory- and process-relevant call
 * of x86_64 and i386 (native x86_32, and compat tasks on x86_64), with
 * its numbers (arch/x86/entry/syscalls/syscall_64.tbl and syscall_32.tbl),
 * its name as strace prints it, its arguments in strace's printing order
 * and a handler slot.  The handlers are filled in as the process model
 * grows; a NULL one makes mmt_sys_dispatch() answer -ENOSYS.  Modelled:
 * mmap, mmap2, old_mmap, munmap, mprotect, pkey_mprotect, brk, mremap,
 * madvise, mlock*, mseal, msync (src/mm/); shmget, shmat, shmdt, shmctl
 * and i386's ipc() (src/ipc/).
 *
 * Look-ups: the table is sorted by name (binary search); per ABI a list of
 * entry ids sorted by number (binary search).  Both orders and every
 * number are checked by mmt_sys_table_check(), which the tests run.
 *
 * Where one strace name means two kernel calls, there are two entries:
 * i386 "mmap" is sys_old_mmap (nr 90: one pointer to six words, which
 * strace prints as the six arguments - and so do args[] here), i386
 * "getrlimit" is sys_old_getrlimit; clone takes its arguments in a
 * different order on i386 (CONFIG_CLONE_BACKWARDS: tls before child_tid).
 */
#include "kernel/syscall_internal.h"
#include "ipc/shm_internal.h"
#include "mm/vma_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_PIDFD		0x00001000
#define CLONE_SETTLS		0x00080000
#define CLONE_CHILD_SETTID	0x01000000
#define CLONE_CHILD_CLEARTID	0x00200000
#define MREMAP_MAYMOVE		1
#define MREMAP_FIXED		2

#define ARG(s, n, t) { .name = n, .type = MMT_SYS_ARG_##t, .slot = s }
/* printed only when raw argument @cs has any of (@all: all of) @c's bits */
#define COND(s, n, t, c, cs, all) { .name = n, .type = MMT_SYS_ARG_##t, \
	.slot = s, .cond = (c), .cond_slot = cs, .cond_all = all }

/* Entry ids, in the table's (name) order. */
enum sys_id {
	SID_arch_prctl,
	SID_brk,
	SID_clone_64,
	SID_clone_32,
	SID_clone3,
	SID_execve,
	SID_execveat,
	SID_exit,
	SID_exit_group,
	SID_fork,
	SID_getrlimit_64,
	SID_old_getrlimit,
	SID_ipc,
	SID_kill,
	SID_madvise,
	SID_mincore,
	SID_mlock,
	SID_mlock2,
	SID_mlockall,
	SID_mmap_64,
	SID_old_mmap,
	SID_mmap2,
	SID_mprotect,
	SID_mremap,
	SID_mseal,
	SID_msync,
	SID_munlock,
	SID_munlockall,
	SID_munmap,
	SID_personality,
	SID_pkey_alloc,
	SID_pkey_free,
	SID_pkey_mprotect,
	SID_prlimit64,
	SID_process_madvise,
	SID_remap_file_pages,
	SID_set_tid_address,
	SID_setrlimit,
	SID_shmat,
	SID_shmctl,
	SID_shmdt,
	SID_shmget,
	SID_tgkill,
	SID_tkill,
	SID_ugetrlimit,
	SID_vfork,
	SID_wait4,
	SID_waitpid,
	NR_SYS_IDS
};

static const struct mmt_syscall sys_table[NR_SYS_IDS] = {
	[SID_arch_prctl] = {
		.name = "arch_prctl", .kname = "sys_arch_prctl", .nr = { 158, 384 },
		.ret = MMT_SYS_RET_INT, .flags = 0,
		.nargs = 2, .args = {
			ARG(0, "option", ARCH_PRCTL),
			ARG(1, "addr", PTR),
		},
		.handler = NULL,
	},
	[SID_brk] = {
		.name = "brk", .kname = "sys_brk", .nr = { 12, 45 },
		.ret = MMT_SYS_RET_ADDR, .flags = MMT_SYS_MEMORY,
		.nargs = 1, .args = {
			ARG(0, "brk", ADDR),
		},
		.handler = mmt_sys_brk_handler,
	},
	[SID_clone_64] = {
		.name = "clone", .kname = "sys_clone", .nr = { 56, -1 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_PROCESS|MMT_SYS_KEYWORD,
		.nargs = 5, .args = {
			ARG(1, "child_stack", ADDR),
			ARG(0, "flags", CLONE_FLAGS),
			COND(2, "parent_tid", PTR, CLONE_PARENT_SETTID|CLONE_PIDFD, 0, 0),
			COND(4, "tls", PTR, CLONE_SETTLS, 0, 0),
			COND(3, "child_tidptr", PTR, CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID, 0, 0),
		},
		.handler = NULL,
	},
	[SID_clone_32] = {
		.name = "clone", .kname = "sys_clone", .nr = { -1, 120 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_PROCESS|MMT_SYS_KEYWORD,
		.nargs = 5, .args = {
			ARG(1, "child_stack", ADDR),
			ARG(0, "flags", CLONE_FLAGS),
			COND(2, "parent_tid", PTR, CLONE_PARENT_SETTID|CLONE_PIDFD, 0, 0),
			COND(3, "tls", PTR, CLONE_SETTLS, 0, 0),
			COND(4, "child_tidptr", PTR, CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID, 0, 0),
		},
		.handler = NULL,
	},
	[SID_clone3] = {
		.name = "clone3", .kname = "sys_clone3", .nr = { 435, 435 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_PROCESS,
		.nargs = 2, .args = {
			ARG(0, "cl_args", PTR),
			ARG(1, "size", ULONG),
		},
		.handler = NULL,
	},
	[SID_execve] = {
		.name = "execve", .kname = "sys_execve", .nr = { 59, 11 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_PROCESS,
		.nargs = 3, .args = {
			ARG(0, "filename", PATH),
			ARG(1, "argv", ARGV),
			ARG(2, "envp", ENVP),
		},
		.handler = NULL,
	},
	[SID_execveat] = {
		.name = "execveat", .kname = "sys_execveat", .nr = { 322, 358 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_PROCESS,
		.nargs = 5, .args = {
			ARG(0, "fd", DIRFD),
			ARG(1, "filename", PATH),
			ARG(2, "argv", ARGV),
			ARG(3, "envp", ENVP),
			ARG(4, "flags", AT_FLAGS),
		},
		.handler = NULL,
	},
	[SID_exit] = {
		.name = "exit", .kname = "sys_exit", .nr = { 60, 1 },
		.ret = MMT_SYS_RET_NONE, .flags = MMT_SYS_PROCESS,
		.nargs = 1, .args = {
			ARG(0, "error_code", INT),
		},
		.handler = NULL,
	},
	[SID_exit_group] = {
		.name = "exit_group", .kname = "sys_exit_group", .nr = { 231, 252 },
		.ret = MMT_SYS_RET_NONE, .flags = MMT_SYS_PROCESS,
		.nargs = 1, .args = {
			ARG(0, "error_code", INT),
		},
		.handler = NULL,
	},
	[SID_fork] = {
		.name = "fork", .kname = "sys_fork", .nr = { 57, 2 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_PROCESS,
		.handler = NULL,
	},
	[SID_getrlimit_64] = {
		.name = "getrlimit", .kname = "sys_getrlimit", .nr = { 97, -1 },
		.ret = MMT_SYS_RET_INT, .flags = 0,
		.nargs = 2, .args = {
			ARG(0, "resource", RLIMIT),
			ARG(1, "rlim", PTR),
		},
		.handler = NULL,
	},
	[SID_old_getrlimit] = {
		.name = "getrlimit", .kname = "sys_old_getrlimit", .nr = { -1, 76 },
		.ret = MMT_SYS_RET_INT, .flags = 0,
		.nargs = 2, .args = {
			ARG(0, "resource", RLIMIT),
			ARG(1, "rlim", PTR),
		},
		.handler = NULL,
	},
	[SID_ipc] = {
		.name = "ipc", .kname = "sys_ipc", .nr = { -1, 117 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_IPC,
		.nargs = 6, .args = {
			ARG(0, "call", IPC_CALL),
			ARG(1, "first", INT),
			ARG(2, "second", INT),
			ARG(3, "third", INT),
			ARG(4, "ptr", PTR),
			ARG(5, "fifth", INT),
		},
		.handler = mmt_sys_ipc,
	},
	[SID_kill] = {
		.name = "kill", .kname = "sys_kill", .nr = { 62, 37 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_PROCESS,
		.nargs = 2, .args = {
			ARG(0, "pid", PID),
			ARG(1, "sig", SIGNAL),
		},
		.handler = NULL,
	},
	[SID_madvise] = {
		.name = "madvise", .kname = "sys_madvise", .nr = { 28, 219 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_MEMORY,
		.nargs = 3, .args = {
			ARG(0, "start", ADDR),
			ARG(1, "len_in", ULONG),
			ARG(2, "behavior", MADV),
		},
		.handler = mmt_sys_madvise,
	},
	[SID_mincore] = {
		.name = "mincore", .kname = "sys_mincore", .nr = { 27, 218 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_MEMORY,
		.nargs = 3, .args = {
			ARG(0, "start", ADDR),
			ARG(1, "len", ULONG),
			ARG(2, "vec", PTR),
		},
		.handler = NULL,
	},
	[SID_mlock] = {
		.name = "mlock", .kname = "sys_mlock", .nr = { 149, 150 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_MEMORY,
		.nargs = 2, .args = {
			ARG(0, "start", ADDR),
			ARG(1, "len", ULONG),
		},
		.handler = mmt_sys_mlock,
	},
	[SID_mlock2] = {
		.name = "mlock2", .kname = "sys_mlock2", .nr = { 325, 376 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_MEMORY,
		.nargs = 3, .args = {
			ARG(0, "start", ADDR),
			ARG(1, "len", ULONG),
			ARG(2, "flags", MLOCK2_FLAGS),
		},
		.handler = mmt_sys_mlock2,
	},
	[SID_mlockall] = {
		.name = "mlockall", .kname = "sys_mlockall", .nr = { 151, 152 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_MEMORY,
		.nargs = 1, .args = {
			ARG(0, "flags", MCL_FLAGS),
		},
		.handler = mmt_sys_mlockall,
	},
	[SID_mmap_64] = {
		.name = "mmap", .kname = "sys_mmap", .nr = { 9, -1 },
		.ret = MMT_SYS_RET_ADDR, .flags = MMT_SYS_MEMORY,
		.nargs = 6, .args = {
			ARG(0, "addr", ADDR),
			ARG(1, "len", ULONG),
			ARG(2, "prot", PROT),
			ARG(3, "flags", MAP_FLAGS),
			ARG(4, "fd", FD),
			ARG(5, "off", HEX),
		},
		.handler = mmt_sys_mmap,
	},
	[SID_old_mmap] = {
		.name = "mmap", .kname = "sys_old_mmap", .nr = { -1, 90 },
		.ret = MMT_SYS_RET_ADDR, .flags = MMT_SYS_MEMORY,
		.nargs = 6, .args = {
			ARG(0, "addr", ADDR),
			ARG(1, "len", ULONG),
			ARG(2, "prot", PROT),
			ARG(3, "flags", MAP_FLAGS),
			ARG(4, "fd", FD),
			ARG(5, "offset", HEX),
		},
		.handler = mmt_sys_old_mmap,
	},
	[SID_mmap2] = {
		.name = "mmap2", .kname = "sys_mmap_pgoff", .nr = { -1, 192 },
		.ret = MMT_SYS_RET_ADDR, .flags = MMT_SYS_MEMORY,
		.nargs = 6, .args = {
			ARG(0, "addr", ADDR),
			ARG(1, "len", ULONG),
			ARG(2, "prot", PROT),
			ARG(3, "flags", MAP_FLAGS),
			ARG(4, "fd", FD),
			ARG(5, "pgoff", PGOFF),
		},
		.handler = mmt_sys_mmap2,
	},
	[SID_mprotect] = {
		.name = "mprotect", .kname = "sys_mprotect", .nr = { 10, 125 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_MEMORY,
		.nargs = 3, .args = {
			ARG(0, "start", ADDR),
			ARG(1, "len", ULONG),
			ARG(2, "prot", PROT),
		},
		.handler = mmt_sys_mprotect,
	},
	[SID_mremap] = {
		.name = "mremap", .kname = "sys_mremap", .nr = { 25, 163 },
		.ret = MMT_SYS_RET_ADDR, .flags = MMT_SYS_MEMORY,
		.nargs = 5, .args = {
			ARG(0, "addr", ADDR),
			ARG(1, "old_len", ULONG),
			ARG(2, "new_len", ULONG),
			ARG(3, "flags", MREMAP_FLAGS),
			COND(4, "new_addr", ADDR, MREMAP_MAYMOVE|MREMAP_FIXED, 3, 1),
		},
		.handler = mmt_sys_mremap,
	},
	[SID_mseal] = {
		.name = "mseal", .kname = "sys_mseal", .nr = { 462, 462 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_MEMORY,
		.nargs = 3, .args = {
			ARG(0, "start", ADDR),
			ARG(1, "len", ULONG),
			ARG(2, "flags", ULONG),
		},
		.handler = mmt_sys_mseal,
	},
	[SID_msync] = {
		.name = "msync", .kname = "sys_msync", .nr = { 26, 144 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_MEMORY,
		.nargs = 3, .args = {
			ARG(0, "start", ADDR),
			ARG(1, "len", ULONG),
			ARG(2, "flags", MS_FLAGS),
		},
		.handler = mmt_sys_msync,
	},
	[SID_munlock] = {
		.name = "munlock", .kname = "sys_munlock", .nr = { 150, 151 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_MEMORY,
		.nargs = 2, .args = {
			ARG(0, "start", ADDR),
			ARG(1, "len", ULONG),
		},
		.handler = mmt_sys_munlock,
	},
	[SID_munlockall] = {
		.name = "munlockall", .kname = "sys_munlockall", .nr = { 152, 153 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_MEMORY,
		.handler = mmt_sys_munlockall,
	},
	[SID_munmap] = {
		.name = "munmap", .kname = "sys_munmap", .nr = { 11, 91 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_MEMORY,
		.nargs = 2, .args = {
			ARG(0, "addr", ADDR),
			ARG(1, "len", ULONG),
		},
		.handler = mmt_sys_munmap,
	},
	[SID_personality] = {
		.name = "personality", .kname = "sys_personality", .nr = { 135, 136 },
		.ret = MMT_SYS_RET_PERSONALITY, .flags = 0,
		.nargs = 1, .args = {
			ARG(0, "personality", PERSONALITY),
		},
		.handler = NULL,
	},
	[SID_pkey_alloc] = {
		.name = "pkey_alloc", .kname = "sys_pkey_alloc", .nr = { 330, 381 },
		.ret = MMT_SYS_RET_INT, .flags = 0,
		.nargs = 2, .args = {
			ARG(0, "flags", ULONG),
			ARG(1, "init_val", PKEY_RIGHTS),
		},
		.handler = mmt_sys_pkey_alloc,
	},
	[SID_pkey_free] = {
		.name = "pkey_free", .kname = "sys_pkey_free", .nr = { 331, 382 },
		.ret = MMT_SYS_RET_INT, .flags = 0,
		.nargs = 1, .args = {
			ARG(0, "pkey", INT),
		},
		.handler = mmt_sys_pkey_free,
	},
	[SID_pkey_mprotect] = {
		.name = "pkey_mprotect", .kname = "sys_pkey_mprotect", .nr = { 329, 380 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_MEMORY,
		.nargs = 4, .args = {
			ARG(0, "start", ADDR),
			ARG(1, "len", ULONG),
			ARG(2, "prot", PROT),
			ARG(3, "pkey", INT),
		},
		.handler = mmt_sys_pkey_mprotect,
	},
	[SID_prlimit64] = {
		.name = "prlimit64", .kname = "sys_prlimit64", .nr = { 302, 340 },
		.ret = MMT_SYS_RET_INT, .flags = 0,
		.nargs = 4, .args = {
			ARG(0, "pid", PID),
			ARG(1, "resource", RLIMIT),
			ARG(2, "new_rlim", PTR),
			ARG(3, "old_rlim", PTR),
		},
		.handler = NULL,
	},
	[SID_process_madvise] = {
		.name = "process_madvise", .kname = "sys_process_madvise", .nr = { 440, 440 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_MEMORY,
		.nargs = 5, .args = {
			ARG(0, "pidfd", FD),
			ARG(1, "vec", PTR),
			ARG(2, "vlen", ULONG),
			ARG(3, "behavior", MADV),
			ARG(4, "flags", ULONG),
		},
		.handler = NULL,
	},
	[SID_remap_file_pages] = {
		.name = "remap_file_pages", .kname = "sys_remap_file_pages", .nr = { 216, 257 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_MEMORY,
		.nargs = 5, .args = {
			ARG(0, "start", ADDR),
			ARG(1, "size", ULONG),
			ARG(2, "prot", PROT),
			ARG(3, "pgoff", ULONG),
			ARG(4, "flags", MAP_FLAGS),
		},
		.handler = NULL,
	},
	[SID_set_tid_address] = {
		.name = "set_tid_address", .kname = "sys_set_tid_address", .nr = { 218, 258 },
		.ret = MMT_SYS_RET_INT, .flags = 0,
		.nargs = 1, .args = {
			ARG(0, "tidptr", HEX),
		},
		.handler = NULL,
	},
	[SID_setrlimit] = {
		.name = "setrlimit", .kname = "sys_setrlimit", .nr = { 160, 75 },
		.ret = MMT_SYS_RET_INT, .flags = 0,
		.nargs = 2, .args = {
			ARG(0, "resource", RLIMIT),
			ARG(1, "rlim", PTR),
		},
		.handler = NULL,
	},
	[SID_shmat] = {
		.name = "shmat", .kname = "sys_shmat", .nr = { 30, 397 },
		.ret = MMT_SYS_RET_ADDR, .flags = MMT_SYS_MEMORY|MMT_SYS_IPC,
		.nargs = 3, .args = {
			ARG(0, "shmid", INT),
			ARG(1, "shmaddr", ADDR),
			ARG(2, "shmflg", SHMAT_FLAGS),
		},
		.handler = mmt_sys_shmat,
	},
	[SID_shmctl] = {
		.name = "shmctl", .kname = "sys_shmctl", .nr = { 31, 396 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_IPC,
		.nargs = 3, .args = {
			ARG(0, "shmid", INT),
			ARG(1, "cmd", SHMCTL_CMD),
			ARG(2, "buf", PTR),
		},
		.handler = mmt_sys_shmctl,
	},
	[SID_shmdt] = {
		.name = "shmdt", .kname = "sys_shmdt", .nr = { 67, 398 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_MEMORY|MMT_SYS_IPC,
		.nargs = 1, .args = {
			ARG(0, "shmaddr", ADDR),
		},
		.handler = mmt_sys_shmdt,
	},
	[SID_shmget] = {
		.name = "shmget", .kname = "sys_shmget", .nr = { 29, 395 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_IPC,
		.nargs = 3, .args = {
			ARG(0, "key", IPC_KEY),
			ARG(1, "size", ULONG),
			ARG(2, "shmflg", SHMGET_FLAGS),
		},
		.handler = mmt_sys_shmget,
	},
	[SID_tgkill] = {
		.name = "tgkill", .kname = "sys_tgkill", .nr = { 234, 270 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_PROCESS,
		.nargs = 3, .args = {
			ARG(0, "tgid", PID),
			ARG(1, "pid", PID),
			ARG(2, "sig", SIGNAL),
		},
		.handler = NULL,
	},
	[SID_tkill] = {
		.name = "tkill", .kname = "sys_tkill", .nr = { 200, 238 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_PROCESS,
		.nargs = 2, .args = {
			ARG(0, "pid", PID),
			ARG(1, "sig", SIGNAL),
		},
		.handler = NULL,
	},
	[SID_ugetrlimit] = {
		.name = "ugetrlimit", .kname = "sys_getrlimit", .nr = { -1, 191 },
		.ret = MMT_SYS_RET_INT, .flags = 0,
		.nargs = 2, .args = {
			ARG(0, "resource", RLIMIT),
			ARG(1, "rlim", PTR),
		},
		.handler = NULL,
	},
	[SID_vfork] = {
		.name = "vfork", .kname = "sys_vfork", .nr = { 58, 190 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_PROCESS,
		.handler = NULL,
	},
	[SID_wait4] = {
		.name = "wait4", .kname = "sys_wait4", .nr = { 61, 114 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_PROCESS,
		.nargs = 4, .args = {
			ARG(0, "upid", PID),
			ARG(1, "stat_addr", PTR),
			ARG(2, "options", WAIT_OPTIONS),
			ARG(3, "ru", PTR),
		},
		.handler = NULL,
	},
	[SID_waitpid] = {
		.name = "waitpid", .kname = "sys_waitpid", .nr = { -1, 7 },
		.ret = MMT_SYS_RET_INT, .flags = MMT_SYS_PROCESS,
		.nargs = 3, .args = {
			ARG(0, "pid", PID),
			ARG(1, "stat_addr", PTR),
			ARG(2, "options", WAIT_OPTIONS),
		},
		.handler = NULL,
	},
};

/* x86_64 entries in ascending number order */
static const uint8_t x86_64_by_nr[] = {
	SID_mmap_64, SID_mprotect, SID_munmap, SID_brk, SID_mremap,
	SID_msync, SID_mincore, SID_madvise, SID_shmget, SID_shmat,
	SID_shmctl, SID_clone_64, SID_fork, SID_vfork, SID_execve,
	SID_exit, SID_wait4, SID_kill, SID_shmdt, SID_getrlimit_64,
	SID_personality, SID_mlock, SID_munlock, SID_mlockall,
	SID_munlockall, SID_arch_prctl, SID_setrlimit, SID_tkill,
	SID_remap_file_pages, SID_set_tid_address, SID_exit_group,
	SID_tgkill, SID_prlimit64, SID_execveat, SID_mlock2,
	SID_pkey_mprotect, SID_pkey_alloc, SID_pkey_free, SID_clone3,
	SID_process_madvise, SID_mseal,
};

/* i386 entries in ascending number order */
static const uint8_t i386_by_nr[] = {
	SID_exit, SID_fork, SID_waitpid, SID_execve, SID_kill, SID_brk,
	SID_setrlimit, SID_old_getrlimit, SID_old_mmap,
	SID_munmap, SID_wait4, SID_ipc, SID_clone_32, SID_mprotect,
	SID_personality, SID_msync, SID_mlock, SID_munlock, SID_mlockall,
	SID_munlockall, SID_mremap, SID_vfork, SID_ugetrlimit, SID_mmap2,
	SID_mincore, SID_madvise, SID_tkill, SID_exit_group,
	SID_remap_file_pages, SID_set_tid_address, SID_tgkill,
	SID_prlimit64, SID_execveat, SID_mlock2, SID_pkey_mprotect,
	SID_pkey_alloc, SID_pkey_free, SID_arch_prctl, SID_shmget,
	SID_shmctl, SID_shmat, SID_shmdt, SID_clone3, SID_process_madvise,
	SID_mseal,
};
struct sys_abi_index {
	const uint8_t *ids;
	size_t n;
};

static const struct sys_abi_index abi_index[MMT_NR_ABIS] = {
	[MMT_ABI_X86_64] = { x86_64_by_nr, sizeof(x86_64_by_nr) },
	[MMT_ABI_I386] = { i386_by_nr, sizeof(i386_by_nr) },
};

const char *mmt_abi_name(enum mmt_abi abi)
{
	switch (abi) {
	case MMT_ABI_X86_64:
		return "x86_64";
	case MMT_ABI_I386:
		return "i386";
	default:
		return "?";
	}
}

const struct mmt_syscall *mmt_sys_entry(unsigned i)
{
	return i < NR_SYS_IDS ? &sys_table[i] : NULL;
}

/* Binary search of @abi's number index; NULL when @nr is not there. */
const struct mmt_syscall *mmt_sys_by_nr(enum mmt_abi abi, unsigned nr)
{
	const struct sys_abi_index *ix;
	size_t lo = 0, hi;

	if ((unsigned)abi >= MMT_NR_ABIS)
		return NULL;
	ix = &abi_index[abi];
	hi = ix->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mmt_syscall *e = &sys_table[ix->ids[mid]];
		unsigned enr = (unsigned)e->nr[abi];

		if (enr == nr)
			return e;
		if (enr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Binary search of the name-sorted table for the first entry called
 * @name, then the one (of at most a few equal names) that @abi has.
 */
const struct mmt_syscall *mmt_sys_by_name(enum mmt_abi abi, const char *name)
{
	size_t lo = 0, hi = NR_SYS_IDS;

	if ((unsigned)abi >= MMT_NR_ABIS || !name)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(sys_table[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < NR_SYS_IDS && !strcmp(sys_table[lo].name, name); lo++)
		if (sys_table[lo].nr[abi] >= 0)
			return &sys_table[lo];
	return NULL;
}

/* One ABI's index: ascending numbers, each entry of the ABI once. */
static int check_abi_index(enum mmt_abi abi, char *err, size_t errlen)
{
	const struct sys_abi_index *ix = &abi_index[abi];
	unsigned counted = 0;

	for (size_t i = 0; i < ix->n; i++) {
		const struct mmt_syscall *e = &sys_table[ix->ids[i]];

		if (e->nr[abi] < 0 || (i && e->nr[abi] <=
				       sys_table[ix->ids[i - 1]].nr[abi])) {
			snprintf(err, errlen, "%s: %s out of number order",
				 mmt_abi_name(abi), e->name);
			return -1;
		}
	}
	for (unsigned i = 0; i < NR_SYS_IDS; i++)
		counted += sys_table[i].nr[abi] >= 0;
	if (counted != ix->n) {
		snprintf(err, errlen, "%s: %u entries, %zu in the index",
			 mmt_abi_name(abi), counted, ix->n);
		return -1;
	}
	return 0;
}

/* One entry: its arguments name distinct slots below MMT_SYS_MAX_ARGS. */
static int check_entry(const struct mmt_syscall *e, char *err, size_t errlen)
{
	unsigned seen = 0;

	if (e->nargs > MMT_SYS_MAX_ARGS)
		goto bad;
	for (unsigned i = 0; i < e->nargs; i++) {
		const struct mmt_sys_argdesc *a = &e->args[i];

		if (a->slot >= MMT_SYS_MAX_ARGS || (seen & (1u << a->slot)) ||
		    a->type >= MMT_NR_SYS_ARGTYPES || !a->name)
			goto bad;
		seen |= 1u << a->slot;
	}
	return 0;
bad:
	snprintf(err, errlen, "%s: bad argument list", e->name);
	return -1;
}

/* Contract: 0 when the table is sorted by name, every entry is sound and
 * each ABI's number index is complete and sorted; else -1 and @err. */
int mmt_sys_table_check(char *err, size_t errlen)
{
	for (unsigned i = 0; i < NR_SYS_IDS; i++) {
		if (i && strcmp(sys_table[i - 1].name, sys_table[i].name) > 0) {
			snprintf(err, errlen, "%s out of name order",
				 sys_table[i].name);
			return -1;
		}
		if (check_entry(&sys_table[i], err, errlen))
			return -1;
	}
	for (int abi = 0; abi < MMT_NR_ABIS; abi++)
		if (check_abi_index((enum mmt_abi)abi, err, errlen))
			return -1;
	return 0;
}

int64_t mmt_sys_dispatch(struct mmt_sys_ctx *ctx,
			 const struct mmt_sys_call *call)
{
	const struct mmt_syscall *e = call->entry;

	ctx->err[0] = 0;
	if (!e || !e->handler) {
		if (e)
			snprintf(ctx->err, sizeof(ctx->err),
				 "%s: not modelled yet", e->name);
		else
			snprintf(ctx->err, sizeof(ctx->err),
				 "syscall %u (%s): not in the table", call->nr,
				 mmt_abi_name(call->abi));
		return -ENOSYS;
	}
	return e->handler(ctx, call);
}
