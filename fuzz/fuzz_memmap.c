// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the memory-map reader (/proc/iomem or kernel-log
 * e820 lines) and the boot that follows it: bad maps give a message.
 *   make fuzz && ./build-fuzz/fuzz-memmap fuzz/corpus/memmap
 */
#include <mmtwin/mmtwin.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/mmtwin-fuzz-memmap-XXXXXX", err[512];
	int fd = mkstemp(path);
	struct mmt_config c;
	struct mmt_machine *m;

	if (fd < 0)
		abort();
	if (write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	for (int a = 0; a < MMT_NR_ARCHES; a++) {
		mmt_config_init(&c, (enum mmt_arch)a);
		if (mmt_config_set(&c, "memmap", path, err, sizeof(err)))
			abort();
		m = mmt_machine_new(&c, err, sizeof(err));
		mmt_machine_free(m);
	}
	unlink(path);
	return 0;
}
