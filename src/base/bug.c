// SPDX-License-Identifier: MIT
/* The single report for a broken invariant (see bug.h). */
#include "base/bug.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void mmt_bug(const char *fn, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "mmtwin: BUG in %s: ", fn);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void mmt_free_poisoned(void *p, size_t n)
{
	if (p)
		mmt_poison(p, n);
	free(p);
}
