// SPDX-License-Identifier: MIT
/*
 * The progress line of shadow and replay (see twin/progress.h): one
 * policy, one place that writes the terminal's control sequences.
 */
#include "twin/progress.h"

#include <stdarg.h>
#include <stdio.h>

static double since(const struct timespec *a, const struct timespec *now)
{
	return (double)(now->tv_sec - a->tv_sec) +
	       (double)(now->tv_nsec - a->tv_nsec) / 1e9;
}

void mmt_progress_start(struct mmt_progress *p, double after, double every)
{
	p->after = after;
	p->every = every;
	p->lines = 0;
	p->shown = false;
	clock_gettime(CLOCK_MONOTONIC, &p->t0);
	p->tlast = p->t0;
}

/* The first line waits only for @after: the interval counts between
 * lines, not from the start. */
bool mmt_progress_due(struct mmt_progress *p, uint64_t step)
{
	struct timespec now;

	if (step % MMT_PROGRESS_STEPS)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (since(&p->t0, &now) < p->after)
		return false;
	if (p->lines && since(&p->tlast, &now) < p->every)
		return false;
	p->tlast = now;
	return true;
}

/* One write: the line never reaches the terminal in pieces. */
void mmt_progress_show(struct mmt_progress *p, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	line[0] = '\r';
	va_start(ap, fmt);
	vsnprintf(line + 1, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	fputs(line, stderr);
	p->lines++;
	p->shown = true;
}

void mmt_progress_erase(struct mmt_progress *p)
{
	if (!p->shown)
		return;
	fputs("\r\033[K", stderr);
	p->shown = false;
}
