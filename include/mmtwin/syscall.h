/* SPDX-License-Identifier: MIT */
/*
 * mmtwin/syscall.h - the one table of system calls, and strace's notation.
 *
 * The scenario runner, the strace-log replay and the ptrace shadow all speak
 * of system calls the same way: a struct mmt_sys_call holds the ABI, the
 * number, the table entry and six raw argument words, plus whatever strace
 * printed that is not a number (strings, argv arrays, -y fd paths, decoded
 * structures).  One parser reads strace's notation, one printer writes it:
 *
 *   "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)"
 *        |  mmt_sys_parse_call()                          ^
 *        v                                                | mmt_sys_format_call()
 *   { abi=x86_64, nr=9, entry=&mmap, args={0, 8192, 3, 0x22, -1, 0} }
 *
 * A table entry carries a handler slot; the dispatcher answers -ENOSYS
 * ("not modelled yet") where it is still NULL.  See docs/syscalls.md.
 */
#ifndef MMTWIN_SYSCALL_H
#define MMTWIN_SYSCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mmt_machine;

/* The system-call ABIs of x86: native 64-bit, and i386 (native x86_32, or a
 * compat task on x86_64 entering through int $0x80). */
enum mmt_abi {
	MMT_ABI_X86_64,
	MMT_ABI_I386,
	MMT_NR_ABIS
};

const char *mmt_abi_name(enum mmt_abi abi);	/* "x86_64", "i386" */

/* How one argument is decoded and printed (strace's notation in quotes). */
enum mmt_sys_argtype {
	MMT_SYS_ARG_ADDR,	/* "NULL" or "0x7f12..." */
	MMT_SYS_ARG_PTR,	/* an address, or what strace decoded behind it
				 * ("{rlim_cur=...}", "[5568]"), kept as text */
	MMT_SYS_ARG_ULONG,	/* size, length, count: unsigned decimal */
	MMT_SYS_ARG_INT,	/* signed decimal int */
	MMT_SYS_ARG_HEX,	/* file offset: "0" or "0x26000" */
	MMT_SYS_ARG_PGOFF,	/* mmap2's offset in 4096-byte units; strace
				 * prints the byte offset */
	MMT_SYS_ARG_FD,		/* "3" or "3</usr/lib/libc.so.6>" (-y) */
	MMT_SYS_ARG_DIRFD,	/* an fd, or "AT_FDCWD" */
	MMT_SYS_ARG_PID,	/* signed decimal */
	MMT_SYS_ARG_PROT,	/* PROT_* */
	MMT_SYS_ARG_MAP_FLAGS,	/* MAP_* type | flags | N<<MAP_HUGE_SHIFT */
	MMT_SYS_ARG_MREMAP_FLAGS,
	MMT_SYS_ARG_MADV,	/* MADV_* advice (a value) */
	MMT_SYS_ARG_MLOCK2_FLAGS,
	MMT_SYS_ARG_MCL_FLAGS,
	MMT_SYS_ARG_MS_FLAGS,
	MMT_SYS_ARG_PKEY_RIGHTS,/* PKEY_DISABLE_* */
	MMT_SYS_ARG_IPC_KEY,	/* "IPC_PRIVATE" or "0x1234" */
	MMT_SYS_ARG_SHMGET_FLAGS,/* IPC_CREAT|IPC_EXCL|0600 */
	MMT_SYS_ARG_SHMAT_FLAGS,/* SHM_RDONLY|SHM_RND|... */
	MMT_SYS_ARG_SHMCTL_CMD,	/* IPC_RMID, SHM_LOCK, IPC_64|IPC_STAT */
	MMT_SYS_ARG_IPC_CALL,	/* i386 ipc(): the sub-call number */
	MMT_SYS_ARG_CLONE_FLAGS,/* CLONE_*|SIGCHLD */
	MMT_SYS_ARG_SIGNAL,	/* SIGKILL */
	MMT_SYS_ARG_WAIT_OPTIONS,/* WNOHANG|__WALL */
	MMT_SYS_ARG_PATH,	/* "\"/bin/ls\"" */
	MMT_SYS_ARG_ARGV,	/* ["ls", "-l"] */
	MMT_SYS_ARG_ENVP,	/* ["HOME=/"] with -v, else 0x7ffd... / * 3 vars * / */
	MMT_SYS_ARG_RLIMIT,	/* RLIMIT_STACK */
	MMT_SYS_ARG_PERSONALITY,/* PER_LINUX|ADDR_NO_RANDOMIZE, 0xffffffff */
	MMT_SYS_ARG_ARCH_PRCTL,	/* ARCH_SET_FS */
	MMT_SYS_ARG_AT_FLAGS,	/* execveat: AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW */
	MMT_NR_SYS_ARGTYPES
};

/* What the return value is, for printing it. */
enum mmt_sys_ret {
	MMT_SYS_RET_INT,	/* "= 0", "= 5562" */
	MMT_SYS_RET_ADDR,	/* "= 0x7f12..." */
	MMT_SYS_RET_NONE,	/* never returns: "= ?" (exit, exit_group) */
	MMT_SYS_RET_PERSONALITY,/* "= 0 (PER_LINUX)" */
};

#define MMT_SYS_MAX_ARGS 6

struct mmt_sys_argdesc {
	const char *name;	/* the kernel's parameter name */
	uint8_t type;		/* enum mmt_sys_argtype */
	uint8_t slot;		/* which raw argument (register) it is */
	/* Printed only when raw argument cond_slot has any of these bits
	 * (cond_all: all of them); 0: always.  clone's parent_tid= appears
	 * with CLONE_PARENT_SETTID, mremap's new_address with
	 * MREMAP_MAYMOVE|MREMAP_FIXED, as strace prints them. */
	uint32_t cond;
	uint8_t cond_slot;
	uint8_t cond_all;
};

struct mmt_sys_ctx;
struct mmt_sys_call;

/* A modelled system call: returns the value or a negative errno. */
typedef int64_t (*mmt_sys_handler_fn)(struct mmt_sys_ctx *ctx,
				      const struct mmt_sys_call *call);

#define MMT_SYS_KEYWORD	0x1	/* arguments print as "name=value" (clone) */
#define MMT_SYS_MEMORY	0x2	/* strace's %memory class */
#define MMT_SYS_PROCESS	0x4	/* strace's %process class */
#define MMT_SYS_IPC	0x8	/* strace's %ipc class */

struct mmt_syscall {
	const char *name;	/* as strace prints it */
	const char *kname;	/* the kernel's entry point (sys_old_mmap) */
	int16_t nr[MMT_NR_ABIS];/* number per ABI; -1: not in that ABI */
	uint8_t ret;		/* enum mmt_sys_ret */
	uint8_t nargs;		/* printed arguments */
	uint8_t flags;		/* MMT_SYS_* */
	struct mmt_sys_argdesc args[MMT_SYS_MAX_ARGS];	/* in print order */
	mmt_sys_handler_fn handler;	/* NULL: not modelled yet */
};

/* Table look-ups: O(log n), NULL when the ABI has no such call. */
const struct mmt_syscall *mmt_sys_by_nr(enum mmt_abi abi, unsigned nr);
const struct mmt_syscall *mmt_sys_by_name(enum mmt_abi abi, const char *name);
/* The i-th entry of the whole table (both ABIs), NULL past the end. */
const struct mmt_syscall *mmt_sys_entry(unsigned i);
/* Check the table's orderings and numbers; 0 or -1 with @err filled. */
int mmt_sys_table_check(char *err, size_t errlen);

/* --- named values (PROT_READ, ENOMEM, ...) with the kernel's numbers --- */
struct mmt_sys_xlat {
	const char *name;
	uint64_t val;
};
/* The names an argument type knows, in strace's printing order; NULL-name
 * terminated; NULL for types that have none. */
const struct mmt_sys_xlat *mmt_sys_xlat_of(enum mmt_sys_argtype type);
/* errno: name ("ENOMEM") and message ("Cannot allocate memory"); NULL if
 * unknown.  Covers the kernel's internal ERESTART* values too. */
const char *mmt_errno_name(int err);
const char *mmt_errno_message(int err);
int mmt_errno_by_name(const char *name);	/* 0 if unknown */

/* --- a decoded call --- */

/* What strace printed for one argument besides its number. */
struct mmt_sys_argval {
	const char *str;	/* PATH: decoded bytes; FD: the -y path as
				 * printed; PTR: strace's decoded text */
	size_t len;		/* bytes in str */
	const char *const *strv;/* ARGV/ENVP: decoded strings */
	const size_t *strv_len;	/* their lengths (strings may hold NULs) */
	size_t nstr;
	unsigned flags;		/* MMT_SYS_VAL_* */
	unsigned nvars;		/* ENVP without -v: the "N vars" comment */
};
#define MMT_SYS_VAL_STR		0x01	/* str is set */
#define MMT_SYS_VAL_TRUNC	0x02	/* string printed with "..." after it */
#define MMT_SYS_VAL_STRV	0x04	/* strv is set */
#define MMT_SYS_VAL_STRV_TRUNC	0x08	/* array ended in "..." */
#define MMT_SYS_VAL_VARS	0x10	/* "/ * N vars * /" comment */

struct mmt_sys_blk;

struct mmt_sys_call {
	enum mmt_abi abi;
	unsigned nr;
	const struct mmt_syscall *entry;	/* NULL: "syscall_0x1ce(...)" */
	unsigned nargs;				/* raw arguments known */
	uint64_t args[MMT_SYS_MAX_ARGS];	/* raw values, by slot */
	struct mmt_sys_argval val[MMT_SYS_MAX_ARGS];	/* by slot */
	/* the result, if known */
	bool has_ret;
	bool ret_unknown;	/* "= ?" */
	int64_t ret;		/* the value (-1 on error) */
	int err;		/* errno when the call failed, else 0 */
	/* storage for strings, owned by this call: mmt_sys_call_release() */
	struct mmt_sys_blk *mem;
};

/* Free what a parsed call owns; the call is then empty. */
void mmt_sys_call_release(struct mmt_sys_call *call);
/* Start an empty call for @entry in @abi (for building one by hand). */
void mmt_sys_call_init(struct mmt_sys_call *call, enum mmt_abi abi,
		       const struct mmt_syscall *entry);

/*
 * Parse one call in strace's notation, "NAME(ARGS)" with an optional
 * " = RET" part ("= 0x7f..", "= -1 ENOMEM (Cannot allocate memory)",
 * "= ?").  Flags by name or number, NULL or numbers for addresses.
 * Returns 0, or -1 with a message in @err ("unknown syscall 'mmapp'",
 * "mmap: argument 3: unknown flag 'PROT_REED'") and @call empty.  On
 * success the caller owns @call and must mmt_sys_call_release() it.
 * Never crashes, recursion-free, overflow-checked numbers.
 */
int mmt_sys_parse_call(const char *text, enum mmt_abi abi,
		       struct mmt_sys_call *call, char *err, size_t errlen);

/* strace's column for " = " (its -a option, default 40). */
#define MMT_STRACE_ACOLUMN 40

/*
 * Print @call as `strace -y -v -s 65536` does, with " = RET" when the
 * call has a result.  @column is how many characters are already on the
 * line (the "1234  " pid prefix is 6): strace pads the result to column
 * 40 from the start of the line; pass -1 for no padding.  snprintf-style:
 * writes at most @size bytes (NUL-terminated when @size > 0) and returns
 * the length the whole text needs.
 */
size_t mmt_sys_format_call(char *buf, size_t size,
			   const struct mmt_sys_call *call, int column);

/* --- running a call on the model --- */
struct mmt_task;

struct mmt_sys_ctx {
	struct mmt_machine *m;
	struct mmt_task *task;	/* the calling task; NULL: none yet */
	enum mmt_abi abi;
	char err[256];		/* why, when the dispatcher refused */
};

/* Run the entry's handler; -ENOSYS with ctx->err "NAME: not modelled yet"
 * when it has none (or the call has no entry). */
int64_t mmt_sys_dispatch(struct mmt_sys_ctx *ctx,
			 const struct mmt_sys_call *call);

/* --- strace log lines (framing only; the call text goes to the parser) --- */
enum mmt_strace_kind {
	MMT_STRACE_CALL,	/* "mmap(...) = 0x7f..." */
	MMT_STRACE_UNFINISHED,	/* "wait4(-1, <unfinished ...>" */
	MMT_STRACE_RESUMED,	/* "<... wait4 resumed>NULL, 0, NULL) = 5" */
	MMT_STRACE_SIGNAL,	/* "--- SIGCHLD {si_signo=...} ---" */
	MMT_STRACE_EXITED,	/* "+++ exited with 0 +++" */
	MMT_STRACE_KILLED,	/* "+++ killed by SIGSEGV (core dumped) +++" */
	MMT_STRACE_OTHER,	/* anything else ("[ Process PID=... ]") */
};

struct mmt_strace_line {
	enum mmt_strace_kind kind;
	int pid;		/* from "1234  " or "[pid  1234] ", else 0 */
	unsigned prefix_len;	/* characters before the call text */
	const char *text;	/* CALL: the call; UNFINISHED: the call so far;
				 * RESUMED: the rest after "resumed>";
				 * SIGNAL: "SIGCHLD {...}" (points into line) */
	size_t text_len;
	char name[32];		/* RESUMED: the call's name; SIGNAL/KILLED:
				 * the signal's */
	int status;		/* EXITED: the exit status */
	bool core_dumped;	/* KILLED */
};

/* Recognise one line of an strace log (no trailing newline needed).
 * Returns 0, or -1 with @err for a line it cannot frame. */
int mmt_strace_line_parse(const char *line, struct mmt_strace_line *out,
			  char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
