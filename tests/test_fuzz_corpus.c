// SPDX-License-Identifier: MIT
/*
 * The fuzz corpora (fuzz/corpus/) as ordinary regression tests: every
 * scenario ends in success or a "fuzz:LINE: message" error, every memory
 * map boots or is refused with a message, on every profile.
 */
#include "test.h"

#include <mmtwin/kern.h>
#include <mmtwin/page_alloc.h>

#include <dirent.h>
#include <stdlib.h>

static unsigned for_each_file(const char *dir, void (*fn)(const char *path))
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];
	unsigned n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fn(path);
		n++;
	}
	closedir(d);
	return n;
}

static void run_script_file(const char *path)
{
	FILE *in = fopen(path, "r"), *null = fopen("/dev/null", "w");
	char *eb = NULL;
	size_t el = 0;
	FILE *errf = open_memstream(&eb, &el);
	int r;

	CHECK(in && null && errf);
	if (!in || !null || !errf)
		return;
	r = mmt_script_run(in, path, null, errf);
	fclose(errf);
	CHECK(r == 0 || r == 1);
	/* an error names the file and the line */
	if (r == 1 && !strstr(eb, path))
		test_fail(__FILE__, __LINE__, "%s: error without location: %s",
			  path, eb);
	free(eb);
	fclose(in);
	fclose(null);
}

static void boot_memmap_file(const char *path)
{
	for (int a = 0; a < MMT_NR_ARCHES; a++) {
		struct mmt_config c;
		struct mmt_machine *m;
		char err[512] = "";

		mmt_config_init(&c, (enum mmt_arch)a);
		CHECK(mmt_config_set(&c, "memmap", path, err, sizeof(err)) == 0);
		m = mmt_machine_new(&c, err, sizeof(err));
		if (!m && !err[0])
			test_fail(__FILE__, __LINE__, "%s: refused without a "
				  "message", path);
		/* a map that boots must leave a consistent machine */
		if (m && (mmt_phys_check(m, err, sizeof(err)) ||
			  mmt_pgtable_check(m, err, sizeof(err))))
			test_fail(__FILE__, __LINE__, "%s: %s", path, err);
		mmt_machine_free(m);
	}
}

/* strace lines: framed or refused with a message; a parsed call prints
 * to text that parses and prints the same (as fuzz/fuzz_strace.c). */
static void strace_check_call(const char *path, const char *text,
			      enum mmt_abi abi)
{
	static char a[1 << 16], b[1 << 16];
	struct mmt_sys_call call;
	char err[256] = "";

	if (mmt_sys_parse_call(text, abi, &call, err, sizeof(err))) {
		if (!err[0])
			test_fail(__FILE__, __LINE__, "%s: refused silently",
				  path);
		return;
	}
	mmt_sys_format_call(a, sizeof(a), &call, -1);
	mmt_sys_call_release(&call);
	CHECK(mmt_sys_parse_call(a, abi, &call, err, sizeof(err)) == 0);
	mmt_sys_format_call(b, sizeof(b), &call, -1);
	mmt_sys_call_release(&call);
	if (strcmp(a, b))
		test_fail(__FILE__, __LINE__, "%s: %s -> %s", path, a, b);
}

static void run_strace_file(const char *path)
{
	char *text = test_read_file(path), *line, *save = NULL;

	CHECK(text);
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct mmt_strace_line l;
		char err[128], *call;

		if (mmt_strace_line_parse(line, &l, err, sizeof(err)))
			continue;
		call = strndup(l.text, l.text_len);
		CHECK(call);
		if (!call)
			break;
		strace_check_call(path, call, MMT_ABI_X86_64);
		strace_check_call(path, call, MMT_ABI_I386);
		free(call);
	}
	free(text);
}

TEST(fuzz_corpus_strace)
{
	CHECK(for_each_file("fuzz/corpus/strace", run_strace_file) >= 4);
}

TEST(fuzz_corpus_scripts)
{
	CHECK(for_each_file("fuzz/corpus/script", run_script_file) >= 4);
}

TEST(fuzz_corpus_memmaps)
{
	CHECK(for_each_file("fuzz/corpus/memmap", boot_memmap_file) >= 5);
}
