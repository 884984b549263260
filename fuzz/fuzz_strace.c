// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the strace line framing and the call parser: any
 * input, line by line, must be framed or refused with a message, never
 * crash; a call that parses must print to text that parses again and
 * prints the same (format . parse is a fixed point after one step).
 *   make fuzz && ./build-fuzz/fuzz-strace fuzz/corpus/strace
 */
#include <mmtwin/syscall.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse, print, parse the print, print again: the two prints agree. */
static void check_call(const char *text, enum mmt_abi abi)
{
	static char a[1 << 16], b[1 << 16];
	struct mmt_sys_call call;
	char err[256];

	if (mmt_sys_parse_call(text, abi, &call, err, sizeof(err))) {
		if (!err[0])
			abort();		/* refused without a message */
		return;
	}
	mmt_sys_format_call(a, sizeof(a), &call, -1);
	mmt_sys_call_release(&call);
	if (mmt_sys_parse_call(a, abi, &call, err, sizeof(err)))
		abort();			/* our own print must parse */
	mmt_sys_format_call(b, sizeof(b), &call, -1);
	mmt_sys_call_release(&call);
	if (strcmp(a, b))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *line, *save = NULL;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = 0;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct mmt_strace_line l;
		char err[128], *call;

		if (mmt_strace_line_parse(line, &l, err, sizeof(err)))
			continue;
		call = strndup(l.text, l.text_len);
		if (!call)
			abort();
		check_call(call, MMT_ABI_X86_64);
		check_call(call, MMT_ABI_I386);
		free(call);
	}
	free(text);
	return 0;
}
