/* SPDX-License-Identifier: MIT */
/*
 * twin/shadow.h - run a real program under ptrace and mirror it (ptrace.c).
 *
 * mmt_shadow_run() forks PROGRAM with ADDR_NO_RANDOMIZE (unless aslr),
 * PTRACE_SEIZEs it with TRACESYSGOOD|TRACEEXEC|TRACECLONE|TRACEFORK|
 * TRACEVFORK|TRACEEXIT|EXITKILL, follows every thread and child, and at
 * every syscall-exit stop of a memory or process call feeds the mirror
 * (twin.h) and compares: the model's result with the kernel's, then the
 * maps of every range the call can have changed (PROCMAP_QUERY on
 * /proc/PID/maps, the neighbours included), and the whole maps text after
 * each execve, of a fork's child at the fork, and at a single-threaded
 * process's exit_group.  With @report, every mirrored call is kept and
 * the HTML page (twin/report.h) is written at the end: each process drawn
 * from the model's maps at its end (or now, for one still running).
 */
#ifndef MMT_TWIN_SHADOW_H
#define MMT_TWIN_SHADOW_H

#include "twin/twin.h"

#include <stdio.h>

struct mmt_shadow_opts {
	bool aslr;		/* run with the host's ASLR, adopt its bases */
	bool keep_going;	/* resync after a divergence and go on */
	bool trace;		/* print each mirrored step's --trace lines */
	bool progress;		/* a progress line on stderr (progress.h) */
	double progress_after;	/* seconds to the first (CLI: 2) */
	double progress_every;	/* seconds between two (CLI: 0.5) */
	bool json;		/* --format json */
	double timeout;		/* seconds; 0: none */
	FILE *out;		/* the report */
	unsigned max_diverge;	/* divergences printed in full (keep_going) */
	const char *report;	/* --report FILE.html, or NULL */
	/* A testing seam (the CLI's MMTWIN_SHADOW_FAIL_AT): counting
	 * every ptrace stop the tracer sees (the first is 1), the resume
	 * out of the Nth fails as if PTRACE_SYSCALL (or PTRACE_LISTEN) had
	 * returned an error, whenever it comes: at once, or when a thread
	 * held, waiting its turn or parked is let go.  The thread stays in
	 * its stop and the tracer takes its own error path, detaching from
	 * everything; a thread killed before that resume takes the
	 * failure with it.  0: never. */
	unsigned long fail_at;
};

struct mmt_shadow_stats {
	unsigned processes;
	uint64_t syscalls, agreed, stops;
	uint64_t divergences;
	int exit_code;		/* the program's: exit status, or 128+signal */
	bool killed;		/* the program died of a signal */
	int signal;
	bool timed_out;		/* killed by the tracer at --timeout */
	bool tracer_error;	/* the tracer gave up (detached) */
	char error[256];
};

/*
 * Run @argv (argv[0] a path or a name looked up in PATH) with @envp on the
 * host, mirrored into a twin on @m.  Returns 0 when every mirrored call
 * agreed, 1 on divergence, 3 when the program could not be traced, the
 * tracer gave up or the timeout killed it (@st says which).
 */
int mmt_shadow_run(struct mmt_machine *m, const struct mmt_twin_init *init,
		   char *const *argv, char *const *envp,
		   const struct mmt_shadow_opts *o, struct mmt_shadow_stats *st);

#endif
