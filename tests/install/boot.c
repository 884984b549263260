// SPDX-License-Identifier: MIT
/*
 * A C program built against an installed mmtwin (tests/install/run.sh):
 * boot Debian's x86_32 kernel with 2 GiB, check where lowmem ends and
 * that /proc/meminfo reports highmem, and print both.  Exit 0 if right.
 */
#define _POSIX_C_SOURCE 200809L
#include <mmtwin/mmtwin.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	struct mmt_config c;
	struct mmt_machine *m;
	char err[512], *text = NULL;
	size_t len = 0;
	unsigned long high_kb = 0;
	FILE *f;
	int ok;

	mmt_config_init(&c, MMT_ARCH_X86_32);
	if (mmt_config_set(&c, "mem", "2G", err, sizeof(err))) {
		fprintf(stderr, "boot: %s\n", err);
		return 1;
	}
	m = mmt_machine_new(&c, err, sizeof(err));
	if (!m) {
		fprintf(stderr, "boot: %s\n", err);
		return 1;
	}
	f = open_memstream(&text, &len);
	if (!f || mmt_view_print(m, "meminfo", f, MMT_FMT_TEXT, err, sizeof(err))) {
		fprintf(stderr, "boot: meminfo: %s\n", f ? err : "no memory");
		return 1;
	}
	fclose(f);
	if (strstr(text, "HighTotal:"))
		high_kb = strtoul(strstr(text, "HighTotal:") + 10, NULL, 10);
	printf("mmtwin %s, C: %s %" PRIu64 " MiB: high_memory %#" PRIx64
	       ", HighTotal %lu kB\n", MMTWIN_VERSION,
	       mmt_arch_name(m->cfg.arch), m->cfg.mem_bytes >> 20,
	       m->layout.high_memory, high_kb);
	/* 875.99 MB of lowmem on Debian's 686 kernel (README) */
	ok = m->layout.high_memory == 0xf6bfe000 && high_kb > 0 &&
	     strstr(text, "MemTotal:") == text;
	free(text);
	mmt_machine_free(m);
	if (!ok)
		fprintf(stderr, "boot: unexpected layout or meminfo\n");
	return ok ? 0 : 1;
}
