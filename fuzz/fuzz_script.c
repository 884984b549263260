// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the scenario parser and every command behind it:
 * any input must end in success or a "file:line: message" error, never a
 * crash, a sanitizer report or a broken invariant (abort).
 *   make fuzz && ./build-fuzz/fuzz-script fuzz/corpus/script
 */
#include <mmtwin/mmtwin.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	FILE *null = fopen("/dev/null", "w");

	if (!text || !null)
		abort();
	memcpy(text, data, size);
	text[size] = 0;
	mmt_script_run_text(text, "fuzz", null, null);
	fclose(null);
	free(text);
	return 0;
}
