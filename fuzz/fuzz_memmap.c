// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the memory-map reader (/proc/iomem or kernel-log
 * e820 lines) and the boot that follows it: bad maps give a message.
 *   make fuzz && ./build-fuzz/fuzz-memmap fuzz/corpus/memmap
 *
 * Per input: parse it from memory (the file reader shares every line of
 * the parser but the fgets loop), then the allocation-free start of the
 * boot -- sanitize, the RAM span, the layout -- on all four profiles.
 * Only then one profile (picked by a hash of the input, so a given input
 * always takes the same path) boots for real, and only when its RAM ends
 * below FUZZ_BOOT_MAX_END: a boot costs as much as everything else here
 * together, and more with RAM.
 */
#include <mmtwin/mmtwin.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_BOOT_MAX_END (4ULL << 30)

/* FNV-1a: any stable spread of the input over the profiles will do */
static unsigned input_hash(const uint8_t *data, size_t size)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	return h;
}

/* A refusal must say why (the contract of every entry point used here). */
static void need_message(int failed, const char *err)
{
	if (failed && !err[0])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* ~12 KiB each: static, the harness is single-threaded */
	static struct mmt_machine plan[MMT_NR_ARCHES];
	struct mmt_e820 fw;
	struct mmt_machine *m;
	char err[512] = "";
	unsigned a;
	int r;

	r = mmt_e820_parse_text((const char *)data, size, "fuzz", &fw, err,
				sizeof(err));
	need_message(r, err);
	if (r)
		return 0;
	for (a = 0; a < MMT_NR_ARCHES; a++) {
		memset(&plan[a], 0, sizeof(plan[a]));
		mmt_config_init(&plan[a].cfg, (enum mmt_arch)a);
		plan[a].firmware = fw;
		err[0] = 0;
		r = mmt_machine_setup_arch(&plan[a], err, sizeof(err));
		need_message(r, err);
		if (r)
			plan[a].ram_end_pfn = 0;	/* not bootable */
	}
	a = input_hash(data, size) % MMT_NR_ARCHES;
	if (!plan[a].ram_end_pfn ||
	    plan[a].ram_end_pfn > FUZZ_BOOT_MAX_END >> MMT_PAGE_SHIFT)
		return 0;
	err[0] = 0;
	m = mmt_machine_new_e820(&plan[a].cfg, &fw, err, sizeof(err));
	need_message(!m, err);
	mmt_machine_free(m);
	return 0;
}
