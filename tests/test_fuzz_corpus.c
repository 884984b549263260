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

TEST(fuzz_corpus_scripts)
{
	CHECK(for_each_file("fuzz/corpus/script", run_script_file) >= 4);
}

TEST(fuzz_corpus_memmaps)
{
	CHECK(for_each_file("fuzz/corpus/memmap", boot_memmap_file) >= 5);
}
