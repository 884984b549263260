// SPDX-License-Identifier: MIT
/*
 * The live-kernel differential test of the process model: every step
 * sequence of tests/live/steps/ and 10,000 random steps per ABI, run on a
 * live child and on the model; results and /proc/PID/maps must agree
 * byte for byte after every step (docs/live-tests.md).
 *
 * SWITCHED OFF until the model's API lands.  To switch it on:
 *   1. implement `live_process_model` (a struct live_model_ops, see
 *      tests/live/live.h) in tests/live/model.c: seed() builds a task
 *      from state->maps/smaps/stat (and the rlimits, sysctls, files),
 *      call() parses the strace text for the ABI and dispatches it in
 *      that task, maps() prints the task's /proc/PID/maps view;
 *   2. build with -DMMTWIN_LIVE_MODEL (or define it here).
 * Assumes what tests/test_live_kernel.c assumes (Linux 6.18, x86_64).
 */
#include "test.h"
#include "live/live.h"

#ifdef MMTWIN_LIVE_MODEL

#include <stdlib.h>

extern const struct live_model_ops live_process_model;

static void diff_all(enum mmt_abi abi, uint64_t seed)
{
	struct live_seqs seqs;
	struct live_report rep = { 0 };
	struct live_random gen;
	struct live_seq rnd;
	char why[256], err[512];

	if (live_kernel_check(why, sizeof(why))) {
		printf("    SKIP live differential test: %s\n", why);
		return;
	}
	if (live_seqs_load("tests/live/steps", abi, &seqs, err, sizeof(err))) {
		test_fail(__FILE__, __LINE__, "%s", err);
		return;
	}
	for (unsigned i = 0; i < seqs.n && !rep.failed; i++)
		live_diff_run(&seqs.seq[i], &live_process_model, &rep);
	live_random_seq(&rnd, &gen, abi, seed, 10000);
	if (!rep.failed)
		live_diff_run(&rnd, &live_process_model, &rep);
	if (rep.failed) {
		test_fail(__FILE__, __LINE__, "%s", rep.what);
		if (rep.diff)
			printf("%s", rep.diff);
	}
	printf("    %s: %u steps against the model in %.2f s\n",
	       mmt_abi_name(abi), rep.steps, rep.seconds);
	live_report_free(&rep);
	live_random_free(&gen);
	live_seqs_free(&seqs);
}

TEST(live_diff_model_x86_64)
{
	diff_all(MMT_ABI_X86_64, 0x6d6d7477696e0001ULL);
}

TEST(live_diff_model_i386)
{
	diff_all(MMT_ABI_I386, 0x6d6d7477696e0002ULL);
}

#endif
