// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the scenario parser and every command behind it:
 * any input must end in success or a "file:line: message" error, never a
 * crash, a sanitizer report or a broken invariant (abort).
 *   make fuzz && ./build-fuzz/fuzz-script fuzz/corpus/script
 *
 * Every input boots at least one machine, and a boot is most of an
 * execution, so machines stay small: the default one (no "machine" line,
 * or "machine" without --mem) has 64 MiB, and --mem above 4 GiB (the
 * largest in the corpus, enough for every profile's zones) is refused
 * with an ordinary error.
 */
#include <mmtwin/mmtwin.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_DEFAULT_MEM (64ULL << 20)
#define FUZZ_MEM_LIMIT (4ULL << 30)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* opened once: the harness, not the model, keeps this across runs */
	static FILE *null;
	struct mmt_config defaults;
	struct mmt_script_opts o = { .defaults = &defaults,
				      .mem_limit = FUZZ_MEM_LIMIT };
	char *text = malloc(size + 1);

	if (!null)
		null = fopen("/dev/null", "w");
	if (!text || !null)
		abort();
	memcpy(text, data, size);
	text[size] = 0;
	mmt_config_init(&defaults, MMT_ARCH_X86_64);
	defaults.mem_bytes = FUZZ_DEFAULT_MEM;
	defaults.given |= MMT_OPT_MEM;	/* kept across "machine --arch" */
	mmt_script_run_text_opts(text, "fuzz", null, null, &o);
	free(text);
	return 0;
}
