/* SPDX-License-Identifier: MIT */
/* Shared by the page-table and MMU tests. */
#ifndef MMT_TEST_PGTABLE_H
#define MMT_TEST_PGTABLE_H

#include "test.h"

#include <mmtwin/kern.h>

static const enum mmt_arch all_arches[] = {
	MMT_ARCH_X86_32, MMT_ARCH_X86_32_PAE, MMT_ARCH_X86_64,
	MMT_ARCH_X86_64_LA57,
};

/* Run the page-table checker; a failure names the caller's line. */
#define PT_OK(m) do { char e_[256]; \
	if (mmt_pgtable_check((m), e_, sizeof(e_))) \
		test_fail(__FILE__, __LINE__, "pgtable_check: %s", e_); \
	} while (0)

#endif
