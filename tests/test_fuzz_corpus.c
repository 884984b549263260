// SPDX-License-Identifier: MIT
/*
 * The fuzz corpora (fuzz/corpus/) as ordinary regression tests: every
 * scenario ends in success or a "fuzz:LINE: message" error, every memory
 * map boots or is refused with a message, on every profile.
 */
#include "test.h"

#include <mmtwin/kern.h>
#include <mmtwin/page_alloc.h>

#include "twin/replay.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* ------------------------------------- what the fuzz targets rely on */

/* Whole file with its length (NULs included); NULL if unreadable. */
static char *read_bytes(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			char *nb = realloc(buf, cap = cap ? 2 * cap : 4096);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r);
	fclose(f);
	*len = n;
	return buf;
}

/* The file reader and the buffer parser agree: same map, same message. */
static void check_read_matches_parse(const char *path, const char *bytes,
				     size_t len)
{
	struct mmt_e820 a, b;
	char ea[512] = "", eb[512] = "";
	int ra = mmt_e820_read(path, &a, ea, sizeof(ea));
	int rb = mmt_e820_parse_text(bytes, len, path, &b, eb, sizeof(eb));

	if (ra != rb || strcmp(ea, eb) ||
	    (!ra && (a.nr != b.nr || memcmp(a.e, b.e, a.nr * sizeof(a.e[0])))))
		test_fail(__FILE__, __LINE__, "%s: read %d '%s' (%u entries), "
			  "parse %d '%s' (%u entries)", path, ra, ea, a.nr, rb,
			  eb, b.nr);
}

static void parse_matches_read_file(const char *path)
{
	size_t len = 0;
	char *bytes = read_bytes(path, &len);

	CHECK(bytes);
	if (bytes)
		check_read_matches_parse(path, bytes, len);
	free(bytes);
}

TEST(fuzz_memmap_parse_text_matches_file_reader)
{
	CHECK(for_each_file("fuzz/corpus/memmap", parse_matches_read_file) >= 5);
}

/*
 * The corners where a buffer and a FILE differ: no final newline, a NUL
 * inside a line, a line longer than the reader's 511-byte pieces (the
 * second piece is read as a line of its own), an empty input.
 */
TEST(fuzz_memmap_parse_text_matches_file_reader_edges)
{
	/* C strings end at the NUL: the map line after it is not seen */
	static const char nul[] = "#\0" "00100000-3fffffff : System RAM\n";
	char path[] = "/tmp/mmtwin-test-memmap-XXXXXX", big[1200];
	struct { const char *text; size_t len; } cases[4];
	int fd;

	memset(big, ' ', sizeof(big));
	memcpy(big, "# ", 2);
	/* the second piece starts at byte 511 with a whole map line */
	memcpy(big + 511, "00100000-3fffffff : System RAM\n", 31);
	big[542] = 0;
	cases[0].text = "0-9ffff : System RAM\n100000-3fffffff : System RAM";
	cases[0].len = strlen(cases[0].text);
	cases[1].text = nul;
	cases[1].len = sizeof(nul) - 1;
	cases[2].text = big;
	cases[2].len = 542;
	cases[3].text = "";
	cases[3].len = 0;
	for (unsigned i = 0; i < 4; i++) {
		fd = mkstemp(path);
		CHECK(fd >= 0);
		if (fd < 0)
			return;
		CHECK(write(fd, cases[i].text, cases[i].len) ==
		      (ssize_t)cases[i].len);
		close(fd);
		check_read_matches_parse(path, cases[i].text, cases[i].len);
		unlink(path);
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
	}
}

/*
 * The fuzz target's shortcut: mmt_machine_setup_arch on a zeroed struct
 * refuses exactly the maps the boot refuses at that stage, with the same
 * message, and otherwise computes the layout the boot computes.
 */
/* The boundaries a boot depends on (memcmp would compare padding too). */
static bool same_layout(const struct mmt_layout *a, const struct mmt_layout *b)
{
	return a->max_pfn == b->max_pfn && a->max_low_pfn == b->max_low_pfn &&
	       a->page_offset == b->page_offset &&
	       a->high_memory == b->high_memory &&
	       a->vmalloc_start == b->vmalloc_start &&
	       a->vmalloc_end == b->vmalloc_end &&
	       a->nr_kregions == b->nr_kregions &&
	       !memcmp(a->zone_start_pfn, b->zone_start_pfn,
		       sizeof(a->zone_start_pfn)) &&
	       !memcmp(a->zone_end_pfn, b->zone_end_pfn,
		       sizeof(a->zone_end_pfn));
}

static void setup_arch_matches_boot(const char *path)
{
	struct mmt_e820 fw;
	char err[512] = "";

	if (mmt_e820_read(path, &fw, err, sizeof(err)))
		return;
	for (int a = 0; a < MMT_NR_ARCHES; a++) {
		struct mmt_machine plan, *m;
		char pe[512] = "", be[512] = "";
		int r;

		memset(&plan, 0, sizeof(plan));
		mmt_config_init(&plan.cfg, (enum mmt_arch)a);
		plan.firmware = fw;
		r = mmt_machine_setup_arch(&plan, pe, sizeof(pe));
		m = mmt_machine_new_e820(&plan.cfg, &fw, be, sizeof(be));
		if (r && (m || strcmp(pe, be)))
			test_fail(__FILE__, __LINE__, "%s/%s: setup_arch '%s', "
				  "boot '%s'", path, mmt_arch_name(a), pe, be);
		if (m && (plan.ram_start_pfn != m->ram_start_pfn ||
			  plan.ram_end_pfn != m->ram_end_pfn ||
			  plan.e820.nr != m->e820.nr ||
			  memcmp(plan.e820.e, m->e820.e,
				 plan.e820.nr * sizeof(plan.e820.e[0])) ||
			  !same_layout(&plan.layout, &m->layout)))
			test_fail(__FILE__, __LINE__, "%s/%s: setup_arch and "
				  "boot disagree", path, mmt_arch_name(a));
		mmt_machine_free(m);
	}
}

TEST(fuzz_memmap_setup_arch_matches_boot)
{
	CHECK(for_each_file("fuzz/corpus/memmap", setup_arch_matches_boot) >= 5);
}

static int run_opts(const char *text, const struct mmt_script_opts *o,
		    char **out, char **err)
{
	size_t ol = 0, el = 0;
	FILE *of = open_memstream(out, &ol), *ef = open_memstream(err, &el);
	int r = mmt_script_run_text_opts(text, "opts", of, ef, o);

	fclose(of);
	fclose(ef);
	return r;
}

/*
 * The fuzz target's small machines: the default machine and the start of
 * every "machine" line come from opts.defaults, and --mem above
 * opts.mem_limit is an error naming the line.
 */
TEST(fuzz_script_opts_defaults_and_mem_limit)
{
	struct mmt_config d;
	struct mmt_script_opts o = { .defaults = &d, .mem_limit = 1ULL << 30 };
	char *out, *err;
	unsigned long long kb = 0;
	const char *mt;

	mmt_config_init(&d, MMT_ARCH_X86_64);
	d.mem_bytes = 64ULL << 20;
	d.given |= MMT_OPT_MEM;
	CHECK(run_opts("show meminfo\n", &o, &out, &err) == 0);
	mt = strstr(out, "MemTotal:");
	CHECK(mt && sscanf(mt, "MemTotal: %llu", &kb) == 1);
	CHECK(kb > 0 && kb < 64ULL << 10);
	free(out);
	free(err);
	/* "machine --arch x86_32" keeps the defaults' 64 MiB, not 4 GiB */
	CHECK(run_opts("machine --arch x86_32\nshow meminfo\n", &o, &out,
		       &err) == 0);
	mt = strstr(out, "MemTotal:");
	CHECK(mt && sscanf(mt, "MemTotal: %llu", &kb) == 1);
	CHECK(kb > 0 && kb < 64ULL << 10);
	free(out);
	free(err);
	CHECK(run_opts("machine --mem 1G\nmachine --mem 2G\n", &o, &out,
		       &err) == 1);
	CHECK_STR(err, "opts:2: --mem above 1024 MiB is refused here\n");
	free(out);
	free(err);
	/* without options: the x86_64 profile's 4 GiB, no limit */
	CHECK(mmt_script_run_text_opts("machine --mem 2G\n", "opts", stdout,
				       stdout, NULL) == 0);
}

/* ELF files: the parser refuses with a reason or parses, and a whole
 * execve of the file (as fuzz/fuzz_elf.c does it) ends in success or an
 * errno with a message, the old image intact, the machine consistent. */
static void run_elf_file(const char *path)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "1G");
	char *argv[] = { (char *)path, NULL }, *envp[] = { NULL }, err[512];
	struct mmt_exec_params p = { .filename = path, .argv = argv,
				     .envp = envp };
	struct mmt_exec_result res;
	struct mmt_task *t;
	int e, r;

	chmod(path, 0755);	/* git may not keep the mode */
	t = mmt_task_create(m, MMT_TASK_X86_64, 0, &e);
	CHECK(t != NULL);
	if (t) {
		err[0] = 0;
		r = mmt_execve(t, &p, &res, err, sizeof(err));
		CHECK(r <= 0);
		if (r && !err[0])
			test_fail(__FILE__, __LINE__, "%s: refused silently",
				  path);
		if (r)	/* the old (empty) image is still there */
			CHECK(mmt_vma_first(t->mm) == NULL);
		CHECK(mmt_machine_check(m, err, sizeof(err)) == 0);
	}
	mmt_machine_free(m);
}

TEST(fuzz_corpus_elf)
{
	CHECK(for_each_file("fuzz/corpus/elf", run_elf_file) >= 20);
}

/* ------------------------------------------------- the replay corpus */

static unsigned replay_agreed_logs;

/* A log of the replay corpus (real logs recorded with the documented
 * command, and broken ones): it replays with every call agreeing, or
 * stops with "PATH:LINE: message"; the invariants hold either way. */
static void run_replay_file(const char *path)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "4G");
	struct mmt_twin_init init = { 0 };
	struct mmt_replay *r;
	char *eb = NULL, merr[256];
	size_t el = 0;
	FILE *in = fopen(path, "r"), *errf = open_memstream(&eb, &el);
	uint64_t sys, agr;

	for (int i = 0; i < MMT_NR_RLIMITS; i++)
		init.rlim[i].cur = init.rlim[i].max = MMT_RLIM_INFINITY;
	init.rlim[MMT_RLIMIT_STACK].cur = 8u << 20;
	init.personality = MMT_PER_ADDR_NO_RANDOMIZE;
	init.randomize_va_space = 2;
	r = m ? mmt_replay_new(m, &init, NULL) : NULL;
	CHECK(r && in && errf);
	if (r && in && errf) {
		if (mmt_replay_file(r, in, path, errf)) {
			fflush(errf);
			if (strncmp(eb, path, strlen(path)) ||
			    eb[strlen(path)] != ':')
				test_fail(__FILE__, __LINE__, "%s: error without "
					  "location: %s", path, eb);
		} else {
			mmt_replay_totals(r, &sys, &agr);
			if (sys != agr)
				test_fail(__FILE__, __LINE__, "%s: %llu calls, "
					  "%llu agreed", path,
					  (unsigned long long)sys,
					  (unsigned long long)agr);
			else
				replay_agreed_logs++;
		}
		if (mmt_machine_check(m, merr, sizeof(merr)))
			test_fail(__FILE__, __LINE__, "%s: %s", path, merr);
	}
	if (errf)
		fclose(errf);
	free(eb);
	if (in)
		fclose(in);
	mmt_replay_free(r);
	if (m)
		mmt_machine_free(m);
}

TEST(fuzz_corpus_replay)
{
	replay_agreed_logs = 0;
	CHECK(for_each_file("fuzz/corpus/replay", run_replay_file) >= 6);
	CHECK(replay_agreed_logs >= 4);
}
