/* SPDX-License-Identifier: MIT */
/*
 * tests/live/live.h - the live-kernel differential harness.
 *
 * The real kernel is the oracle.  A freestanding helper child
 * (tests/live/child.c, x86_64 or i386) does nothing but the system calls
 * it is sent; the harness reads its /proc/PID files after every step; a
 * model given the same start and the same calls must answer the same
 * values and print the same /proc/PID/maps bytes.
 *
 *    test --- live_syscall() ---> child (ASLR off, rlimits set before exec)
 *      |                            |
 *      |<-- ret (value / -errno) ---+    /proc/PID/{maps,smaps,stat,...}
 *      |<------------------------------- live_read(), live_pagemap()
 *      |
 *      +--- live_model_ops.call() ---> model --- .maps() ---> compared
 *
 * Every function that talks to the child returns 0, or -1 with the reason
 * in child->err; after a protocol error or a timeout the child has been
 * killed and reaped (child->pid == 0).  live_finish() always reaps.
 * See docs/live-tests.md.
 */
#ifndef MMT_LIVE_H
#define MMT_LIVE_H

#include <mmtwin/random.h>
#include <mmtwin/syscall.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The kernel these tests were written against (docs/live-tests.md). */
#define LIVE_KERNEL_SERIES "6.18"

/* 0 when `uname -r` is the 6.18 series, else -1 with a one-line reason
 * ("live tests assume Linux 6.18, this is 6.1.0-13-amd64") in @why. */
int live_kernel_check(char *why, size_t len);

/* System settings the steps depend on: read, reported, never changed.
 * -1 (or "") where unreadable. */
struct live_sysctl {
	long max_map_count;	/* /proc/sys/vm/max_map_count */
	long mmap_min_addr;	/* /proc/sys/vm/mmap_min_addr */
	long overcommit_memory;	/* /proc/sys/vm/overcommit_memory */
	char thp_enabled[16];	/* the [selected] word of .../transparent_hugepage/enabled */
};
void live_sysctl_read(struct live_sysctl *s);

/* true when a DAMON worker thread (comm "kdamond.N") runs on the host.
 * Its access sampling (damon_ptep_mkold) moves a PTE's accessed bit into
 * the folio's young flag; smaps counts either as Referenced, but
 * MADV_FREE clears only the PTE bit, so a page sampled between its last
 * access and MADV_FREE stays Referenced.  The model has no sampler. */
bool live_kdamond_running(void);

/* rlimits the child starts with (set between fork and execve). */
enum live_rlimit_res { LIVE_RLIM_STACK, LIVE_RLIM_AS, LIVE_RLIM_DATA,
		       LIVE_RLIM_MEMLOCK, LIVE_NR_RLIMS };
#define LIVE_RLIM_INFINITY UINT64_MAX
struct live_rlimit {
	bool set;
	uint64_t cur, max;
};

struct live_opts {
	enum mmt_abi abi;
	const char *child_path;	/* NULL: $MMTWIN_LIVE_CHILD_X86_64 or
				 * $MMTWIN_LIVE_CHILD_I386 */
	struct live_rlimit rlim[LIVE_NR_RLIMS];
	int timeout_ms;		/* every read from the child; 0: 5000 */
};

struct live_child {
	pid_t pid;		/* 0: not running (never started, or reaped) */
	enum mmt_abi abi;
	int to_child, from_child;	/* pipe ends: its fd 0, its fd 1 */
	uint64_t payload;	/* the child's request buffer (.bss) */
	uint64_t payload_size;
	int timeout_ms;
	int64_t last_ret;	/* the last syscall's result (value or -errno) */
	char err[512];
};

/* Fork, set ASLR off (personality ADDR_NO_RANDOMIZE) and the rlimits,
 * execve the child with an empty environment and only fds 0, 1, 2, and
 * wait for its hello.  Returns 0 or -1 with child->err. */
int live_start(struct live_child *c, const struct live_opts *o);
/* Ask the child to exit, then kill (SIGKILL) and reap it; idempotent. */
void live_finish(struct live_child *c);

/* One raw system call in the child's ABI.  *ret: the value, or -errno
 * (an i386 child's 32-bit register is sign-extended only for -4095..-1,
 * so addresses above 2 GiB stay positive). */
int live_syscall(struct live_child *c, unsigned nr, const uint64_t args[6],
		 int64_t *ret);
/* Copy @n bytes into the child's payload buffer at @off; *addr (may be
 * NULL): where they are in the child. */
int live_put(struct live_child *c, size_t off, const void *buf, size_t n,
	     uint64_t *addr);
/* The child opens @path (openat(AT_FDCWD, path, flags, 0600)): *fd. */
int live_open(struct live_child *c, const char *path, int flags, int64_t *fd);

/* A one-byte access by the child itself.  A fault does not kill it:
 * signo/code/addr report the SIGSEGV or SIGBUS (0 when none). */
struct live_touch {
	int signo, code;
	uint64_t addr;
	uint8_t value;		/* the byte read */
};
int live_touch(struct live_child *c, uint64_t va, bool write, uint8_t val,
	       struct live_touch *out);

/*
 * fork() in the child (LIVE_OP_FORK: clone(CLONE_PARENT | SIGCHLD), so
 * the new process is this process's child and live_finish() reaps it).
 * The new process talks over two FIFOs made for it (in a temporary
 * directory, removed again) and is set up in *@child like live_start()
 * would.  0, or -1 with the reason in c->err (a half-started @child is
 * finished).
 */
int live_fork(struct live_child *c, struct live_child *child);

/*
 * One call in strace's notation, parsed by mmt_sys_parse_call() for the
 * child's ABI.  PATH arguments are copied into the payload buffer; i386
 * "mmap" is old_mmap, whose six words are written to the payload buffer
 * and passed by address.  A " = RET" part is ignored here.  Returns 0 with
 * *ret, or -1 with the parser's or the protocol's message in @err.
 */
int live_call(struct live_child *c, const char *text, int64_t *ret,
	      char *err, size_t errlen);

/* The whole text of /proc/PID/@file ("maps", "smaps", "stat", "status",
 * "statm", ...), malloc'd and NUL-terminated; the caller frees it. */
int live_read(struct live_child *c, const char *file, char **text);
/* @n pagemap entries from the page of @va on (/proc/PID/pagemap). */
int live_pagemap(struct live_child *c, uint64_t va, size_t n, uint64_t out[]);

/* --- /proc/PID/maps, parsed (kernel-side invariants) --- */
struct live_vma {
	uint64_t start, end;
	char perms[5];
	uint64_t pgoff;
	char name[96];		/* path or [heap]/[stack]/...; "" anonymous */
};
/* Parse @text into *out (malloc'd, caller frees) and check what holds
 * for any kernel: every line well formed, start < end, page-aligned,
 * sorted and disjoint.  Returns the count, or -1 with @err. */
int live_maps_parse(const char *text, struct live_vma **out, char *err,
		    size_t errlen);

/* ======================= sequences of steps ======================= */

/*
 * A step is one line of strace notation with references substituted
 * first (docs/live-tests.md, "Step syntax"):
 *   $N        result of step N of this sequence (1-based)
 *   $name     a start-up fact: $brk $stack $stack_end $vvar $vdso $text
 *             $payload $low $high $task_size $page $huge $mmap_min_addr
 *             $max_map_count
 *   %i        the iteration number inside a `repeat` step
 *   E+F, E-F, E*F   after a reference, left to right, no parentheses
 * and an optional " = RET" ("= 0", "= -1 ENOMEM", "= $1") the kernel
 * must answer.
 */
struct live_step {
	const char *text;	/* as written (before substitution) */
	unsigned repeat;	/* 0/1: once; N: run N times with %i = 0..N-1,
				 * compared after the last one only */
	unsigned line;		/* in the step file */
};

/* A temporary file created before the child starts and opened by the
 * child before the first step, as fds 3, 4, ... in order. */
struct live_file {
	uint64_t size;
	bool rdonly;		/* open O_RDONLY (else O_RDWR) */
};

#define LIVE_MAX_FILES 4

struct live_seq;
/* A generated sequence: write step @i's text (0-based) into @buf, given
 * the child's maps now and its start_brk; return 0, or 1 when done. */
typedef int (*live_gen_fn)(void *gen, unsigned i, const char *maps,
			   uint64_t start_brk, char *buf, size_t len);

struct live_seq {
	const char *name;	/* unique, a-z0-9- */
	const char *desc;	/* the one rule it exercises */
	enum mmt_abi abi;
	bool as_written;	/* ABI-specific: steps not rewritten */
	const char *where;	/* "tests/live/steps/mmap.txt:12" */
	struct live_rlimit rlim[LIVE_NR_RLIMS];
	struct live_file files[LIVE_MAX_FILES];
	unsigned nfiles;
	const struct live_step *steps;
	unsigned nsteps;
	live_gen_fn gen;	/* instead of steps: generated */
	void *gen_ctx;
	unsigned gen_max;	/* at most this many generated steps */
};

/* A step file's sequences, for one ABI (docs/live-tests.md). */
struct live_seqs {
	struct live_seq *seq;
	unsigned n;
	void *mem;		/* owned text */
};
/* Load every NAME.txt of @dir (tests/live/steps) for @abi (a "both"
 * sequence's `mmap(` steps run as `mmap2(` on i386).  0, or -1 with
 * "file:line: message" in @err. */
int live_seqs_load(const char *dir, enum mmt_abi abi, struct live_seqs *out,
		   char *err, size_t errlen);
void live_seqs_free(struct live_seqs *s);
/* The distinct step texts (as written) of @s: repeats count once. */
unsigned live_seqs_distinct(const struct live_seqs *s);

/* The random generator (tests/live/random.c): @nsteps calls of mmap,
 * munmap, mprotect, brk, mremap and madvise drawn by a struct mmt_rng
 * seeded with @seed, addresses from the current mappings and near them. */
struct live_random {
	enum mmt_abi abi;
	struct mmt_rng rng;
	struct live_vma *keep;	/* the start-up mappings, never touched */
	int nkeep;
	unsigned counts[8];	/* steps generated per kind (LIVE_RND_*) */
	unsigned kinds;		/* bit 1 << LIVE_RND_*: the kinds drawn;
				 * live_random_seq() sets LIVE_RND_ALL, a
				 * caller may narrow it before the run */
	bool no_populate;	/* draw no MADV_POPULATE_READ/WRITE: their
				 * result is what faulting each page in gives
				 * (EFAULT for a SIGBUS/SIGSEGV fault), and the
				 * model has no fault path yet */
};
enum { LIVE_RND_MMAP, LIVE_RND_MUNMAP, LIVE_RND_MPROTECT, LIVE_RND_BRK,
       LIVE_RND_MREMAP, LIVE_RND_MADVISE, LIVE_RND_KINDS };
#define LIVE_RND_ALL ((1u << LIVE_RND_KINDS) - 1)
void live_random_seq(struct live_seq *seq, struct live_random *r,
		     enum mmt_abi abi, uint64_t seed, unsigned nsteps);
void live_random_free(struct live_random *r);

/* ===================== the differential driver ===================== */

/* What the model is seeded from, read from the child before step 1. */
struct live_state {
	enum mmt_abi abi;
	pid_t pid;
	const char *maps, *smaps, *stat, *status;
	struct live_sysctl sysctl;
	const struct live_rlimit *rlim;	/* [LIVE_NR_RLIMS] */
	const char *const *file_path;	/* [nfiles]: the child's fd 3 + i */
	const struct live_file *files;	/* [nfiles]: how each was opened */
	unsigned nfiles;
	uint64_t payload;		/* the child's buffer (.bss) */
	struct live_child *child;	/* for the null model only */
	const void *ops_cfg;		/* the ops' own cfg, passed through */
};

/* The model behind a differential run.  Every call returns the value or
 * a negative errno; @err explains a model-side failure (not an errno). */
struct live_model_ops {
	const char *name;
	void *(*seed)(const struct live_state *s, enum mmt_abi abi, char *err,
		      size_t len);
	int64_t (*call)(void *model, const char *strace_text, char *err,
			size_t len);
	int (*maps)(void *model, char **text);	/* 0, text malloc'd */
	void (*release)(void *model);
	const void *cfg;	/* handed to seed() as state->ops_cfg */
};

struct live_report {
	unsigned seqs, steps;		/* run (a repeat counts N) */
	unsigned kernel_checks;		/* invariants checked */
	double seconds;			/* wall time of all steps */
	/* the first failure: a divergence, a broken kernel invariant, an
	 * expectation the kernel did not meet, or a harness error */
	bool failed;
	char what[1024];		/* one line: seq, step, why */
	int64_t kernel_ret, model_ret;
	char *kernel_maps, *model_maps;	/* malloc'd, at the failure */
	char *diff;			/* malloc'd, unified-diff-like excerpt */
};

/* The null model: replays the kernel's own answers (it reads the child),
 * so a run tests the driver and the kernel-side invariants only. */
extern const struct live_model_ops live_null_model;
/* The null model, except that at step @step (1-based, of each sequence)
 * it answers ret + 1 (ret_off) or one byte of its maps differs. */
struct live_broken_cfg {
	unsigned step;
	bool ret_off;
};
struct live_model_ops live_broken_model(const struct live_broken_cfg *cfg);

/* Run @seq on a fresh child and on @ops; stops at the first failure.
 * Returns 0 when every step agreed, else -1 with @rep filled.  Reports
 * accumulate over calls; live_report_free() frees the texts. */
int live_diff_run(const struct live_seq *seq, const struct live_model_ops *ops,
		  struct live_report *rep);
void live_report_free(struct live_report *rep);

/* A unified-diff-like excerpt of the first differing line of @a and @b
 * with two lines of context; malloc'd; NULL when equal. */
char *live_diff_text(const char *a, const char *b, const char *name_a,
		     const char *name_b);

#endif
