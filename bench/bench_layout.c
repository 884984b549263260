// SPDX-License-Identifier: MIT
/* Booting a machine and computing its layout (the cost of `mmtwin layout`). */
#include "bench.h"

#include <stdlib.h>

BENCH(layout_boot)
{
	struct mmt_config c;
	char err[256];
	const int n = 2000;
	uint64_t t0, t1;

	mmt_config_init(&c, MMT_ARCH_X86_32_PAE);
	t0 = bench_now_ns();
	for (int i = 0; i < n; i++) {
		struct mmt_machine *m = mmt_machine_new(&c, err, sizeof(err));

		if (!m)
			abort();
		bench_sink(m->layout.vmalloc_start);
		mmt_machine_free(m);
	}
	t1 = bench_now_ns();
	bench_figure("machine.boot_x86_32_pae_1G", (double)(t1 - t0) / n, "ns");
}
