/* SPDX-License-Identifier: MIT */
/*
 * twin/report.h - the self-contained HTML report of a twin run (shadow or
 * replay, `--report FILE.html`): for each process the address space drawn
 * as the seed notes draw it (kernel half on top, then the user half from
 * the stack down to the text, each VMA a box, gaps squeezed to a
 * readable scale), the timeline of its memory system calls with the
 * kernel's and the model's answers, and every divergence highlighted with
 * its maps diff.  No scripts, no external resources: one file.
 */
#ifndef MMT_TWIN_REPORT_H
#define MMT_TWIN_REPORT_H

#include <mmtwin/machine.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct mmt_report_step {
	int pid;
	const char *call;	/* strace notation, without the result */
	int64_t real, model;	/* the kernel's and the model's results */
	bool agreed;		/* results and maps */
	const char *diff;	/* the maps diff when they diverged, or NULL */
	bool no_result;		/* exit/exit_group: the call never returns */
};

/* A process as its /proc/PID/maps text shows it (e.g. at its exit). */
struct mmt_report_proc {
	int pid;
	const char *maps;
};

struct mmt_report {
	const char *title;		/* e.g. the command line */
	struct mmt_machine *m;		/* its kernel layout is drawn, and its
					 * tasks unless @procs is given */
	const struct mmt_report_proc *procs;
	size_t nprocs;
	const struct mmt_report_step *steps;
	size_t nsteps;
};

/* Write the page; 0, or -1 on a write error. */
int mmt_report_write_html(const struct mmt_report *r, FILE *out);

#endif
