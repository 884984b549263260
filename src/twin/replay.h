/* SPDX-License-Identifier: MIT */
/*
 * twin/replay.h - replay an strace log on the model (mmtwin replay).
 *
 * The log is what
 *   setarch -R strace -f -qq -y -v -s 65536 -e trace=%memory,%process \
 *           -o LOG -- CMD ARGS
 * writes.  Each line is framed (mmt_strace_line_parse), an unfinished call
 * is kept per pid until its "<... NAME resumed>" rest arrives, the whole
 * call is parsed in the ABI of the task that made it (mmt_sys_parse_call)
 * and turned into one struct mmt_twin_event for the mirror (twin.h),
 * which applies it through the one syscall table and answers with the
 * model's result; the replay compares that with the result the log
 * recorded.
 *
 *   LOG line ──frame──> pending[pid] ──whole call──> parse ──> event
 *                                                             │
 *   divergence <── compare(logged ret, model ret) <── mmt_twin_apply
 *
 * Processes the kernel created are followed: the first pid is the main
 * process (its first call is the execve strace made), a clone/fork/vfork
 * creates the child its result names (or, when the child's first line
 * comes before the parent's clone has resumed, the oldest clone still
 * unfinished), exit_group and "+++ killed" end a process; the model's
 * /proc/PID/maps of a process is kept as it was when the process ended.
 *
 * Malformed input (a line that does not frame or parse, a resumed line
 * without its start, a pid no clone created, a truncated last line, a
 * call still unfinished at the end) is an error "LOG:LINE: message":
 * the replay stops there and nothing crashes.
 */
#ifndef MMT_TWIN_REPLAY_H
#define MMT_TWIN_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <mmtwin/render.h>

#include "twin/twin.h"

/* The longest log line accepted (an execve with a large environment
 * under -s 65536 can be long; anything past this is refused). */
#define MMT_REPLAY_MAX_LINE (64u << 20)

struct mmt_replay_opts {
	bool trace;		/* keep the model's reasoning of each
				 * diverging step (mmt_twin_set_trace) */
	unsigned max_divergences; /* kept for the report; 0: 100 */
	bool progress;		/* mmt_replay_file: a progress line on stderr
				 * (twin/progress.h) */
	double progress_after;	/* seconds to the first (CLI: 2) */
	double progress_every;	/* seconds between two (CLI: 0.5) */
};

/* One process of the replay, in creation order (the main one first). */
struct mmt_replay_proc {
	int pid;		/* host tgid */
	char comm[64];		/* the program it last exec'ed */
	uint64_t syscalls;	/* calls mirrored */
	uint64_t agreed;	/* of which the model's result was the log's */
	bool exited;		/* exit_group, exit of its last thread, or
				 * killed */
	const char *maps;	/* the model's /proc/PID/maps at its end
				 * (or now, while it lives); NULL: none */
};

/* One call whose model result differs from the logged one. */
struct mmt_replay_divergence {
	unsigned line;		/* line number in the log (of the call's
				 * last part) */
	int pid;		/* host tid */
	char *call;		/* the call as logged (whole) */
	int64_t logged;		/* value or -errno */
	int64_t model;
	char *note;		/* the mirror's note, "" */
	char *trace;		/* the model's reasoning (--trace), or NULL */
};

struct mmt_replay;

/* A replay on machine @m (booted by the caller, freed after the replay)
 * with @init for the first process.  NULL when out of memory. */
struct mmt_replay *mmt_replay_new(struct mmt_machine *m,
				  const struct mmt_twin_init *init,
				  const struct mmt_replay_opts *opts);
void mmt_replay_free(struct mmt_replay *r);

/*
 * Feed one log line (@len bytes, no newline needed; NULs inside are an
 * error).  0, or -1 with the message in @err (without the location).
 */
int mmt_replay_line(struct mmt_replay *r, const char *line, size_t len,
		    char *err, size_t errlen);
/* The end of the log: calls still unfinished are an error (but exit and
 * exit_group, which never return); live processes keep their maps.
 * 0, or -1 with @err. */
int mmt_replay_finish(struct mmt_replay *r, char *err, size_t errlen);

/*
 * The whole log from @in, named @name in messages: every line, then the
 * end.  0, or -1 after writing "NAME:LINE: message" to @errout.  With
 * opts.progress, a long replay shows "mmtwin replay: LINE lines, N
 * syscalls, M agreed" on stderr meanwhile, erased before it returns.
 */
int mmt_replay_file(struct mmt_replay *r, FILE *in, const char *name,
		    FILE *errout);

unsigned mmt_replay_nprocs(const struct mmt_replay *r);
/* The i-th process (creation order), NULL past the end.  Valid until the
 * next line. */
const struct mmt_replay_proc *mmt_replay_proc(struct mmt_replay *r,
					      unsigned i);
/* The process with host pid (tgid) @pid, NULL. */
const struct mmt_replay_proc *mmt_replay_find(struct mmt_replay *r, int pid);
/* Divergences kept (at most max_divergences) and seen. */
unsigned mmt_replay_ndivergences(const struct mmt_replay *r);
uint64_t mmt_replay_divergences_seen(const struct mmt_replay *r);
const struct mmt_replay_divergence *
mmt_replay_divergence(const struct mmt_replay *r, unsigned i);
/* Totals over all processes. */
void mmt_replay_totals(struct mmt_replay *r, uint64_t *syscalls,
		       uint64_t *agreed);
/* The mirror behind the replay (its step log feeds --report). */
struct mmt_twin *mmt_replay_twin(struct mmt_replay *r);
/* Lines read so far. */
unsigned mmt_replay_lines(const struct mmt_replay *r);

/*
 * The report: each divergence (the logged call, the model's value, its
 * reasoning with --trace), then each process, the main one first, with
 * "syscalls: N, agreed: M" and its final maps (@maps), then the totals;
 * as text or one JSON document.
 */
void mmt_replay_print(struct mmt_replay *r, FILE *out, enum mmt_format fmt,
		      bool maps);

#endif
