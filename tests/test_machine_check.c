// SPDX-License-Identifier: MIT
/* mmt_machine_check(): every validator, named in the message. */
#include "test.h"

#include <mmtwin/kern.h>
#include "mm/internal.h"

#include "base/bug.h"
#include "arch/x86/kern_internal.h"

#include <stdlib.h>

TEST(machine_check_clean_on_every_profile)
{
	static const enum mmt_arch arches[] = {
		MMT_ARCH_X86_32, MMT_ARCH_X86_32_PAE, MMT_ARCH_X86_64,
		MMT_ARCH_X86_64_LA57,
	};
	char err[512];

	for (unsigned a = 0; a < 4; a++) {
		struct mmt_machine *m = test_machine(arches[a], "512M");

		err[0] = 0;
		CHECK_EQ(mmt_machine_check(m, err, sizeof(err)), 0);
		CHECK_STR(err, "");
		mmt_machine_free(m);
	}
}

/* A corrupted counter is found, and the message names the validator. */
TEST(machine_check_names_the_broken_subsystem)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	char err[512];

	m->kern->pt_pages++;
	CHECK_EQ(mmt_machine_check(m, err, sizeof(err)), -1);
	CHECK(!strncmp(err, "pgtable: ", 9));
	m->kern->pt_pages--;
	m->phys->nodes[0].zones[MMT_ZONE_DMA32].nr_free_pages++;
	CHECK_EQ(mmt_machine_check(m, err, sizeof(err)), -1);
	CHECK(!strncmp(err, "phys: ", 6));
	m->phys->nodes[0].zones[MMT_ZONE_DMA32].nr_free_pages--;
	CHECK_EQ(mmt_machine_check(m, err, sizeof(err)), 0);
	mmt_machine_free(m);
}

TEST(machine_check_scenario_command_and_option)
{
	char *out = NULL, *err = NULL;

	CHECK_EQ(test_run_script("machine --check --mem 256M\n"
				 "alloc_pages a GFP_KERNEL 2\nkmalloc k 64\n"
				 "vmalloc v 20000\nvfree v\ncheck\n",
				 &out, &err), 0);
	CHECK(strstr(out, "check: ok\n") != NULL);
	CHECK_STR(err, "");
	free(out);
	free(err);
	CHECK_EQ(test_run_script("check extra\n", &out, &err), 1);
	CHECK(strstr(err, ":1: expected 'check'") != NULL);
	free(out);
	free(err);
}

/* Debug builds (tests) poison what the model frees: the pattern is there. */
TEST(base_poison_pattern)
{
	unsigned char b[64];

	memset(b, 0, sizeof(b));
	mmt_poison(b, sizeof(b));
#ifndef NDEBUG
	for (unsigned i = 0; i < sizeof(b); i++)
		CHECK_EQ(b[i], MMT_POISON_FREE);
#else
	CHECK_EQ(b[0], 0);
#endif
}
