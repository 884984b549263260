/* SPDX-License-Identifier: MIT */
/* Helpers shared by the kernel-allocator tests (test_kalloc*.c etc.). */
#ifndef MMT_TEST_KALLOC_H
#define MMT_TEST_KALLOC_H

#include "test.h"

#include <mmtwin/kalloc.h>
#include <mmtwin/kern.h>

#include <stdlib.h>

extern const enum mmt_arch kalloc_arches[4];

/* Boot @a with @mem RAM and @cpus online CPUs (NULL on bad config). */
struct mmt_machine *kalloc_boot(enum mmt_arch a, const char *mem,
				const char *cpus);
/* Every allocator's invariant checker, page tables and buddy too. */
int kalloc_checks(struct mmt_machine *m, char *err, size_t len);
/* MMU translation for a kernel write on CPU 0. */
int kalloc_xlate(struct mmt_machine *m, uint64_t va, uint64_t *pa);
int kalloc_expect_map(struct mmt_machine *m, uint64_t va, uint64_t pa,
		      char *err, size_t len);

#define KALLOC_OK(m) do { char e_[256]; \
	if (kalloc_checks((m), e_, sizeof(e_))) \
		test_fail(__FILE__, __LINE__, "invariants: %s", e_); \
	} while (0)

#endif
