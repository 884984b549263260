/* SPDX-License-Identifier: MIT */
/*
 * twin/progress.h - the progress line of shadow and replay (progress.c).
 *
 * A long run on a terminal says how far it is: one line on stderr,
 * "\rmmtwin shadow: ..." written over itself, erased at the end.  The
 * front end counts its steps (shadow: syscall stops; replay: log lines)
 * and asks at every MMT_PROGRESS_STEPS-th, so the clock is read only
 * then; a line is due once @after seconds have passed since the start,
 * and from then on at most every @every seconds.
 *
 *   start ── step 1024 ── 2048 ── ... ── due? ── show ── ... ── end (erase)
 *                                        │
 *                       now - t0 >= after and now - tlast >= every
 *
 * Whether there is a line at all (stderr a terminal) is the caller's
 * decision: the CLI's.  Nothing here allocates.
 */
#ifndef MMT_TWIN_PROGRESS_H
#define MMT_TWIN_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* The CLI's policy: a run is long after 2 s; a line at most every 0.5 s. */
#define MMT_PROGRESS_AFTER	2.0
#define MMT_PROGRESS_EVERY	0.5
#define MMT_PROGRESS_STEPS	1024u

struct mmt_progress {
	double after, every;	/* seconds: to the first line, between two */
	struct timespec t0, tlast;	/* the start, the last line */
	unsigned long lines;	/* drawn so far */
	bool shown;		/* a line is on the terminal now */
};

void mmt_progress_start(struct mmt_progress *p, double after, double every);
/* Is a line due at step @step?  Reads the clock only at every
 * MMT_PROGRESS_STEPS-th step. */
bool mmt_progress_due(struct mmt_progress *p, uint64_t step);
/* Write the line: "\r" and @fmt, over the one shown (pad with a space
 * or two at the end: the new text can be shorter). */
void mmt_progress_show(struct mmt_progress *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Erase the line shown, if any ("\r\033[K"), before other output goes
 * to the terminal or at the end; the next line is drawn afresh. */
void mmt_progress_erase(struct mmt_progress *p);

#endif
