/* SPDX-License-Identifier: MIT */
/*
 * twin/twin.h - the mirror: a real program's processes as model tasks.
 *
 * The twin layer (src/twin/) sits above every subsystem.  Its shared core
 * is the mirror (mirror.c): a table of host pid/tid -> model task, and one
 * function applying one *completed* system call of the real program to the
 * model through the one syscall table (src/kernel), answering with the
 * model's result.  Two front ends feed it:
 *
 *   mmtwin shadow (ptrace.c, cmd_shadow.c)   events from syscall stops
 *   mmtwin replay (strace log)               events parsed from a log
 *
 * so nothing here knows about ptrace: an event carries every string the
 * model needs (the execve path/argv/envp, the host path behind an mmap's
 * fd), read by the front end from the tracee's memory or /proc at the
 * entry stop, or taken from strace's -y -v -s output.
 *
 *   host tid ─┐   struct mmt_twin_event        model
 *             └─> mmt_twin_apply() ──────────> mmt_sys_dispatch(), or
 *                 (execve, clone*, fork,       mmt_execve, mmt_task_fork,
 *                  vfork, exit*, personality,  mmt_task_create_thread,
 *                  shmget ids translated)      mmt_task_exit
 *
 * The model decides its state from the events alone; the real process is
 * read only to compare, except at the start (the first exec) and on an
 * explicit resynchronisation (mmt_twin_resync, shadow's --keep-going).
 */
#ifndef MMT_TWIN_H
#define MMT_TWIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <mmtwin/exec.h>
#include <mmtwin/machine.h>
#include <mmtwin/mm.h>
#include <mmtwin/syscall.h>

/* One completed system call of a host thread. */
struct mmt_twin_event {
	int pid, tid;		/* tgid and thread id on the host */
	enum mmt_abi abi;	/* x86_64, or i386 (an ia32 task or int $0x80) */
	unsigned nr;		/* the syscall number in that ABI */
	uint64_t args[6];
	int64_t ret;		/* what the kernel returned: value or -errno */
	/* execve/execveat: the strings (NULL-terminated vectors) */
	const char *path;
	char *const *argv;
	char *const *envp;
	const char *cwd;	/* the thread's cwd for a relative path; NULL:
				 * the mirror's own */
	const uint8_t *random;	/* execve: the kernel's 16 AT_RANDOM bytes
				 * (NULL: the model's generator) */
	/* mmap/mmap2 with an fd: the host file behind it (a path stat(2)
	 * identifies, e.g. /proc/PID/fd/N or strace's -y path), the name
	 * /proc/PID/maps prints for it (NULL: @fd_path), and its open mode
	 * (MMT_FMODE_*) */
	const char *fd_path;
	const char *fd_name;
	unsigned fd_mode;
	/* clone/clone3/fork/vfork: the clone flags (clone3: cl_args.flags;
	 * fork: SIGCHLD; vfork: CLONE_VM|CLONE_VFORK|SIGCHLD); the new tid
	 * is @ret */
	uint64_t clone_flags;
	/* setrlimit/prlimit64: the new limit the front end read from the
	 * caller's memory (RLIM_INFINITY in any ABI as MMT_RLIM_INFINITY);
	 * @rlim_set false: none given (prlimit64's NULL) or unreadable */
	bool rlim_set;
	uint64_t rlim_cur, rlim_max;
};

/* What the mirror made of one event. */
struct mmt_twin_result {
	bool mirrored;		/* the call changes memory state (or the
				 * task table) and was applied; false: not
				 * memory-relevant, the model was untouched */
	bool agreed;		/* the model's result is the kernel's (for
				 * shmget: both succeeded or both failed with
				 * the same errno; ids differ) */
	int64_t ret;		/* the model's result (value or -errno) */
	/* the range of addresses the call can have changed ([lo, hi),
	 * neighbours not included); lo == hi: none (the whole space when
	 * whole is set: exec, fork) */
	uint64_t lo, hi;
	bool whole;
	char note[256];		/* why the model refused, or what it could
				 * not model ("" when nothing to say) */
	char *trace;		/* the model's --trace lines for this step
				 * (with mmt_twin_set_trace); owned by the
				 * twin, valid until the next apply */
};

/* One host process (thread group) and its threads, as the mirror has it. */
struct mmt_twin_proc {
	int tgid;		/* host */
	struct mmt_task *task;	/* the model's leader (or the thread that
				 * stands for the process) */
	uint64_t syscalls;	/* events mirrored */
	uint64_t agreed;
	uint64_t resyncs;	/* mmt_twin_resync()s */
	bool exited;		/* gone (its counts stay for the summary) */
	bool exec_seen;		/* an execve succeeded in it */
	char comm[64];		/* the program last exec'ed (basename) */
	char *final_maps;	/* recording (mmt_twin_record): the model's
				 * maps when its last thread went; owned */
};

/* How new processes start (the first task's environment). */
struct mmt_twin_init {
	unsigned personality;		/* MMT_PER_* of the first task */
	struct mmt_rlimit rlim[MMT_NR_RLIMITS];	/* its rlimits */
	const char *status;		/* /proc/PID/status text for the
					 * capabilities (CapEff); NULL: none */
	unsigned uid, euid, gid, egid;
	const struct mmt_exec_hw *hw;	/* NULL: mmt_exec_hw_host */
	int randomize_va_space;		/* kernel.randomize_va_space */
};

/* mmtwin's own rlimits, personality, /proc/self/status (into @status,
 * @len bytes, which init->status then points at), ids and
 * randomize_va_space: what the model's first task takes (exec, shadow,
 * replay). */
void mmt_twin_init_own(struct mmt_twin_init *init, char *status, size_t len);

struct mmt_twin;

/*
 * A mirror on machine @m (the caller boots it and frees it after the
 * twin).  NULL on allocation failure.
 */
struct mmt_twin *mmt_twin_new(struct mmt_machine *m,
			      const struct mmt_twin_init *init);
void mmt_twin_free(struct mmt_twin *tw);
struct mmt_machine *mmt_twin_machine(const struct mmt_twin *tw);

/*
 * Capture the model's --trace reasoning per step (mmt_twin_result.trace):
 * on (true) or off.  Off costs nothing.
 */
void mmt_twin_set_trace(struct mmt_twin *tw, bool on);

/*
 * The first process: host @tid (its tgid) gets a fresh model task of
 * @abi with the init's personality and limits, before its first execve.
 * 0, or a negative errno.
 */
int mmt_twin_spawn(struct mmt_twin *tw, int tid, enum mmt_task_abi abi);

/*
 * Apply one completed system call.  Unknown threads are an error
 * (-ESRCH: the front end missed a clone); a call of the table the model
 * does not touch memory with is not mirrored.  0, or a negative errno
 * with @res->note saying why (the model itself stays valid).
 *
 * clone/fork/vfork events are applied when the kernel created the child
 * (ret > 0): the child's tid becomes known.  exit_group ends every thread
 * of the process in the model; exit ends the calling thread.
 */
int mmt_twin_apply(struct mmt_twin *tw, const struct mmt_twin_event *ev,
		   struct mmt_twin_result *res);

/*
 * A page fault the front end learned of (ptrace does not report faults;
 * shadow finds them in /proc/PID/pagemap and the real [stack]): thread
 * @tid touched @addr; @write: it wrote (an anonymous page is there).  A
 * write to a VMA that no longer allows it (written, then mprotect'ed:
 * RELRO) gives the VMA its anon_vma as the fault did.  0, or the signal
 * the model raised / a negative errno.
 */
int mmt_twin_fault(struct mmt_twin *tw, int tid, uint64_t addr, bool write);

/*
 * Host fd @fd of thread @tid's process was closed (close, close_range, the
 * target of dup2/dup3): the model forgets its file, so that the next mmap
 * of that fd gets a new open file (VMAs merge only within one struct file).
 * An fd the mirror is told nothing about stays bound while it names the
 * same dev:inode (a replayed log, which records no close, relies on that).
 */
void mmt_twin_fd_close(struct mmt_twin *tw, int tid, int fd);

/*
 * Calls whose order the front end does not know (a log's overlapping
 * calls of one process: strace prints them as they complete, the kernel
 * ran them in the order they took the mmap lock): apply @ev[0..n) in this
 * order to a copy of their process (mmt_trial_begin, thrown away after) and
 * return how many gave their logged results in a row (n: this order
 * agrees with the log), or a negative errno (-EINVAL: a call a trial
 * does not take, see mmt_twin_trialable).  The twin is left as it was.
 */
int mmt_twin_trial(struct mmt_twin *tw, const struct mmt_twin_event *ev,
		   size_t n);
/* @ev is a call a trial takes: one that changes only the VMAs (mmap,
 * munmap, mprotect, mremap, brk, madvise, mlock*, mseal). */
bool mmt_twin_trialable(const struct mmt_twin_event *ev);

/* Host thread @tid is gone (killed by a signal, or reaped): its model task
 * ends (and the process with its last thread).  Unknown tids: no-op. */
void mmt_twin_task_gone(struct mmt_twin *tw, int tid);

/* The host's id of the model's SysV shm segment @model_id (the inode
 * number /proc/PID/maps prints for it); @model_id if unknown. */
int64_t mmt_twin_shm_host_id(const struct mmt_twin *tw, int64_t model_id);

/* The model task standing for host thread @tid, NULL if unknown. */
struct mmt_task *mmt_twin_task(const struct mmt_twin *tw, int tid);
/* The process of host thread @tid (also after it exited), NULL. */
struct mmt_twin_proc *mmt_twin_proc_of(const struct mmt_twin *tw, int tid);
/* The i-th process in creation order, NULL past the end. */
struct mmt_twin_proc *mmt_twin_proc_at(const struct mmt_twin *tw, unsigned i);

/*
 * Re-seed process @tgid's model from the real /proc/PID/maps text @maps
 * (and @smaps, @stat; either may be NULL): every thread of it keeps its
 * tid, personality, limits and ABI, the mm is rebuilt by mmt_task_seed.
 * 0, or -1 with @err.
 */
int mmt_twin_resync(struct mmt_twin *tw, int tgid, const char *maps,
		    const char *smaps, const char *stat, char *err,
		    size_t errlen);

/* The model's /proc/PID/maps of host thread @tid's process into a
 * malloc'ed string (NULL if unknown), its SysV segments' inode numbers
 * turned into the host's shm ids as the host's maps print them. */
char *mmt_twin_maps(const struct mmt_twin *tw, int tid);

/* The event as strace prints it ("mmap(NULL, 8192, ...) = 0x7f..."), with
 * the real result; snprintf-style. */
size_t mmt_twin_format(char *buf, size_t size, const struct mmt_twin_event *ev);

/* Free a NULL-terminated vector of malloc'ed strings (an event's argv
 * and envp as the front ends build them); NULL: nothing. */
void mmt_twin_strv_free(char **v);

/* Keep every mirrored step (the call, both results) for the HTML
 * report (twin/report.h); off by default. */
struct mmt_report_step;
void mmt_twin_record(struct mmt_twin *tw, bool on);
const struct mmt_report_step *mmt_twin_steps(const struct mmt_twin *tw,
					     size_t *n);
/* The maps of process @tgid diverged after its last recorded step: that
 * step is marked, with the unified @diff (copied; NULL: none). */
void mmt_twin_step_diverged(struct mmt_twin *tw, int tgid, const char *diff);

#endif
