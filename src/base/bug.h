/* SPDX-License-Identifier: MIT */
/*
 * base/bug.h - the one way to report a broken invariant, and poisoning.
 *
 * Three failure classes (STYLE.md): out of resources -> an error code to
 * the caller; bad user input -> a clear message and a non-zero exit; a
 * broken internal invariant -> MMT_BUG(), which prints
 *   mmtwin: BUG in FUNCTION: message
 * on stderr and aborts.  Nothing else in the library calls abort().
 *
 * Debug builds (no NDEBUG) poison model memory on free with MMT_POISON_FREE
 * so a use after free reads a pattern no valid state contains.
 */
#ifndef MMT_BASE_BUG_H
#define MMT_BASE_BUG_H

#include <stddef.h>

void mmt_bug(const char *fn, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3), cold));

#define MMT_BUG(...) mmt_bug(__func__, __VA_ARGS__)
#define MMT_BUG_ON(cond) do { if (__builtin_expect(!!(cond), 0)) \
	mmt_bug(__func__, "%s", #cond); } while (0)

#define MMT_POISON_FREE 0x6b	/* the kernel's POISON_FREE byte */

/* Fill @n bytes at @p with MMT_POISON_FREE in debug builds. */
static inline void mmt_poison(void *p, size_t n)
{
#ifndef NDEBUG
	__builtin_memset(p, MMT_POISON_FREE, n);
#else
	(void)p;
	(void)n;
#endif
}

/* free() after poisoning @n bytes (debug builds); NULL is fine. */
void mmt_free_poisoned(void *p, size_t n);

#endif
