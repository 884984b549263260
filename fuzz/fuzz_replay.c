// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the whole strace-log replay (src/twin/replay.c):
 * any input is a log; it must replay, or stop with "fuzz:LINE: message",
 * never crash, and the model's invariants must hold either way.
 *   make fuzz && ./build-fuzz/fuzz-replay fuzz/corpus/replay
 */
#include <mmtwin/mmtwin.h>

#include "twin/replay.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mmt_twin_init init = { 0 };
	struct mmt_config c;
	struct mmt_machine *m;
	struct mmt_replay *r;
	char err[512];
	FILE *in, *null;
	int rc;

	if (!size || size > (1u << 20))
		return 0;
	mmt_config_init(&c, MMT_ARCH_X86_64);
	m = mmt_machine_new(&c, err, sizeof(err));
	if (!m)
		abort();
	for (int i = 0; i < MMT_NR_RLIMITS; i++)
		init.rlim[i].cur = init.rlim[i].max = MMT_RLIM_INFINITY;
	init.rlim[MMT_RLIMIT_STACK].cur = 8u << 20;
	init.personality = MMT_PER_ADDR_NO_RANDOMIZE;
	init.randomize_va_space = 2;
	r = mmt_replay_new(m, &init, NULL);
	in = fmemopen((void *)data, size, "r");
	null = fopen("/dev/null", "w");
	if (!r || !in || !null)
		abort();
	rc = mmt_replay_file(r, in, "fuzz", null);
	if (!rc)
		mmt_replay_print(r, null, MMT_FMT_JSON, true);
	if (mmt_machine_check(m, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	fclose(in);
	fclose(null);
	mmt_replay_free(r);
	mmt_machine_free(m);
	return 0;
}
