// SPDX-License-Identifier: MIT
/*
 * What a new user hit, command by command: each case runs the CLI binary
 * and checks the exit status and the message (0 success, 1 a run-time
 * failure, 2 bad usage or input).
 */
#include "test.h"

#include <stdarg.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *bin(void)
{
	const char *b = getenv("MMTWIN_BIN");

	return b ? b : "build/mmtwin";
}

/*
 * Run a shell command line in which "@" stands for the binary; stdout
 * and stderr as the line redirects them.  Returns the exit status.
 */
static int sh(char **out, const char *fmt, ...)
{
	char line[2048], cmd[4096], *o = cmd;
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (const char *c = line; *c && o < cmd + sizeof(cmd) - 256; c++)
		if (*c == '@')
			o += snprintf(o, 256, "%s", bin());
		else
			*o++ = *c;
	*o = 0;
	p = popen(cmd, "r");
	if (!p) {
		*out = NULL;
		return -1;
	}
	*out = test_slurp(p);
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#define EXPECT(status, needle, ...) do {				\
	char *o_;							\
	int r_ = sh(&o_, __VA_ARGS__);					\
	CHECK_EQ(r_, status);						\
	if (!o_ || !strstr(o_, needle))					\
		test_fail(__FILE__, __LINE__, "no '%s' in: %.400s",	\
			  needle, o_ ? o_ : "(null)");			\
	free(o_);							\
} while (0)

/* A temporary file holding @text; the caller unlinks @path. */
static void tmpfile_with(char *path, const char *text, size_t len)
{
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, text, len) == (ssize_t)len);
	close(fd);
}

TEST(cli_memmap_refuses_devices_and_missing_files)
{
	EXPECT(2, "--memmap /dev/zero: not a regular file",
	       "@ layout --memmap /dev/zero 2>&1");
	EXPECT(2, "--memmap /dev/urandom: not a regular file",
	       "@ show e820 --memmap /dev/urandom 2>&1");
	EXPECT(2, "--memmap /nonexistent: No such file or directory",
	       "@ layout --memmap /nonexistent 2>&1");
	EXPECT(2, "--memmap /tmp: not a regular file",
	       "@ layout --memmap /tmp 2>&1");
	EXPECT(2, "--memmap needs a source", "@ layout --memmap '' 2>&1");
}

/* /proc/iomem as a non-root reader sees it: every address zero. */
TEST(cli_memmap_zeroed_iomem_names_the_non_root_cause)
{
	static const char zeroed[] =
		"00000000-00000000 : Reserved\n"
		"00000000-00000000 : System RAM\n"
		"  00000000-00000000 : Kernel code\n";
	char path[] = "/tmp/mmtwin-iomem-XXXXXX";

	tmpfile_with(path, zeroed, sizeof(zeroed) - 1);
	EXPECT(2, "/proc/iomem shows zeroed addresses to non-root users",
	       "@ show e820 --memmap %s 2>&1", path);
	unlink(path);
}

/* As root: drop to nobody and read the real /proc/iomem. */
TEST(cli_memmap_host_as_nobody)
{
	int fds[2], st;
	char buf[2048] = "";
	ssize_t n, got = 0;
	pid_t pid;

	if (geteuid() != 0)
		return;	/* the zeroed-file case above covers non-root */
	CHECK(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		if (setgid(65534) || setuid(65534))
			_exit(126);
		execl(bin(), "mmtwin", "show", "e820", "--memmap", "host",
		      (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	buf[got] = 0;
	close(fds[0]);
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st));
	if (WEXITSTATUS(st) == 127 || WEXITSTATUS(st) == 126) {
		printf("    (nobody cannot run %s: not checked)\n", bin());
		return;
	}
	CHECK_EQ(WEXITSTATUS(st), 2);
	CHECK(strstr(buf, "zeroed addresses to non-root") != NULL);
	CHECK(strstr(buf, "(you are not root)") != NULL);
}

TEST(cli_write_error_is_an_error)
{
	EXPECT(1, "mmtwin: write error: No space left on device",
	       "@ layout 2>&1 >/dev/full");
	EXPECT(1, "write error", "@ show meminfo 2>&1 >/dev/full");
	EXPECT(1, "write error", "@ demo 2>&1 >/dev/full");
}

TEST(cli_run_refuses_directories_and_binary)
{
	char path[] = "/tmp/mmtwin-bin-XXXXXX";
	static const char bin_data[] = "echo hi\n\x7f" "ELF\x02\x01\x01\x00\xff"
				       "\xfe\x01\n";
	char *o;
	int r;

	EXPECT(2, "'/tmp' is a directory", "@ run /tmp 2>&1");
	EXPECT(2, "'/nonexistent': No such file or directory",
	       "@ run /nonexistent 2>&1");
	tmpfile_with(path, bin_data, sizeof(bin_data) - 1);
	r = sh(&o, "@ run %s 2>&1", path);
	CHECK_EQ(r, 2);
	CHECK(o && strstr(o, ":2: binary data at line 2") != NULL);
	/* nothing raw echoed back: the output is plain ASCII text */
	for (const char *c = o; c && *c; c++)
		CHECK((*c >= 0x20 && *c < 0x7f) || *c == '\n');
	free(o);
	unlink(path);
	/* UTF-8 text is text */
	EXPECT(0, "caf\xc3\xa9", "printf 'echo caf\\303\\251\\n' | @ run - 2>&1");
	/* a long line is still "too long", not binary */
	EXPECT(2, "line longer than 4094 bytes",
	       "head -c 5000 /dev/zero | tr '\\0' a | @ run - 2>&1");
}

TEST(cli_run_format_sets_the_default_of_show)
{
	char *o;

	CHECK_EQ(sh(&o, "echo 'show meminfo' | @ run --format json - 2>&1"), 0);
	CHECK(o && o[0] == '{' && strstr(o, "\"MemTotal\"") != NULL);
	free(o);
	CHECK_EQ(sh(&o, "echo 'show meminfo' | @ run - --format=json 2>&1"), 0);
	CHECK(o && o[0] == '{');
	free(o);
	/* per-line choice still wins */
	CHECK_EQ(sh(&o, "echo 'show meminfo text' | @ run --format json - "
		    "2>&1"), 0);
	CHECK(o && !strncmp(o, "MemTotal:", 9));
	free(o);
	EXPECT(2, "bad --format 'xml'", "@ run --format xml - </dev/null 2>&1");
	EXPECT(2, "which script?", "@ run 2>&1");
}

TEST(cli_unknown_option_is_named)
{
	EXPECT(2, "unknown option '--foo'", "@ layout --foo 2>&1");
	EXPECT(2, "unknown option '--foo'", "@ show meminfo --foo=1 2>&1");
	EXPECT(2, "option '--mem' needs a value", "@ layout --mem 2>&1");
	EXPECT(1, "unknown option '--foo'",
	       "echo 'machine --foo' | @ run - 2>&1");
}

/* One number rule: decimal or 0x-hex; leading zeros are decimal. */
TEST(cli_numbers_are_decimal_or_hex_never_octal)
{
	char *a, *b;

	CHECK_EQ(sh(&a, "@ explain --phys 010 2>&1"), 0);
	CHECK_EQ(sh(&b, "@ explain --phys 10 2>&1"), 0);
	CHECK(a && b && !strcmp(a, b));
	CHECK(a && strstr(a, "physical:      0xa,") != NULL);
	free(a);
	free(b);
	EXPECT(0, "physical:      0x9,", "@ explain --phys 09 2>&1");
	EXPECT(0, "physical:      0x10,", "@ explain --phys 0x10 2>&1");
	EXPECT(2, "is not an address", "@ explain 0x 2>&1");
	EXPECT(2, "is not an address", "@ explain 1e3 2>&1");
	EXPECT(0, "decimal or 0x-hex", "@ explain --help");
}

TEST(cli_demo_options)
{
	EXPECT(2, "demo has no JSON form", "@ demo --format json 2>&1");
	EXPECT(2, "unknown option '--bogus'", "@ demo --bogus 2>&1");
	EXPECT(2, "needs a value", "@ demo --format 2>&1");
	EXPECT(0, "no JSON form", "@ demo --help");
}

TEST(cli_every_help_documents_the_exit_status)
{
	static const char *const cmds[] = { "", "layout", "show", "explain",
					    "run", "demo" };

	for (unsigned i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		EXPECT(0, "Exit status: 0 success; 1 a view or scenario "
		       "failed", "@ %s --help 2>&1", cmds[i]);
}

/* The demo shows what each heading promises. */
TEST(cli_demo_sections_show_their_heading)
{
	static const char *const keys[] = {
		"== 1. x86-32", "875.99 MiB  direct-map",
		"MAXMEM = VMALLOC_END - PAGE_OFFSET",
		"== 2. A lowmem address", "__pa(va) = va - PAGE_OFFSET",
		"== 3. A highmem page", "no permanent kernel mapping",
		"== 4. The same machine with PAE", "PGD[3] (2 bits) PMD[8] (9 bits)",
		"== 5. x86-64, 4-level", "48-bit virtual addresses",
		"== 6. The canonical hole", "kernel access: #GP",
		"== 7. User code touching the kernel", "#PF (error code 0x5)",
		"== 8. 5-level paging", "P4D[0] (9 bits)",
		"== 9. KASLR", "KASLR off          page_offset_base 0xffff888000000000",
		"KASLR seed 1       page_offset_base", "KASLR seed 2       page_offset_base",
		"== 10. Zones and the buddy", "zone DMA (Unmovable)",
		"== 11. Order-0 frees go to per-CPU lists",
		"p: pfn 0x2006 order 0", "q: pfn 0x2006 order 0",
		"drain: ", "== 12. Fragmentation",
		"freed every other one (32), kept 32",
		"== 13. Zone fallback", "watermark low not ok",
		"== 14. The direct map", "(4K)", "(1G)",
		"== 15. The MMU", "permissions violation",
		"#GP (non-canonical address)", "hits 1",
		"== 16. x86-32, 2 GiB: reaching highmem", "= kmap(hp)",
		"kmap_local_page(hp)", "= vmalloc(12288)", "= vmap(3 pages)",
		"== 17. x86-64: kmalloc", "kmalloc-128", "per_cpu_ptr(counter, 1)",
		"== 18. mmap places top-down", "= 0x7ffff7ffd000",
		"= 0x7ffff7ffb000", "7ffff7ffb000-7ffff7fff000 rw-p",
		"== 19. mprotect of one page", "7ffff7ffb000-7ffff7ffc000 rw-p",
		"7ffff7ffc000-7ffff7ffd000 r--p", "7ffff7ffd000-7ffff7fff000 rw-p",
		"== 20. 2 MiB multiples", "= 0x7ffff7a00000",
		"7ffff7a00000-7ffff7e00000 r--p",
		"== 21. malloc (glibc 2.36): < 128 KB from brk",
		"s1 = malloc(1000) = 0x5555555542a0", "brk(NULL)",
		"big1 = malloc(200000) = 0x7ffff7fce010",
		"big2 = malloc(300000) = 0x7ffff7f84010",
		"s3 = malloc(1000) = 0x5555555542a0",
		"munmap(0x7ffff7fce000, 200704)",
		"big3 = malloc(200000) = 0x555555554e70",
		"555555554000-5555555a6000 rw-p",
		"== 22. demand paging", "PGD  index    0  entry 0x0000000000000000  (not present)",
		"PTE  index    0  entry 0x8000000", "P RW US A D NX",
		"0x8001000: 0x00", "fork: pid 1 -> child pid 2",
		/* pid 1 kept its frame, pid 2 copied; both read the zero page */
		"08000000 810000000003efd8 present,exclusive pfn 0x3efd8",
		"08001000 8000000000003b34 present pfn 0x3b34",
		"08000000 810000000003efd9 present,exclusive pfn 0x3efd9",
		"08001000 8000000000003b34 present pfn 0x3b34",
		"RssAnon:	       4 kB", "VmPTE:	      12 kB", "check: ok",
	};
	char *o;
	const char *at;

	CHECK_EQ(sh(&o, "@ demo 2>&1"), 0);
	at = o;
	/* in order: each key after the previous one */
	for (unsigned i = 0; o && i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *f = strstr(at, keys[i]);

		if (!f) {
			test_fail(__FILE__, __LINE__, "demo: '%s' missing or "
				  "out of order", keys[i]);
			continue;
		}
		at = f;
	}
	free(o);
}

/* Section 12's promise, in numbers: order-0 blocks pile up in Normal. */
TEST(cli_demo_fragment_adds_order0_blocks)
{
	char *o;
	const char *before, *after;
	unsigned b0 = 0, a0 = 0;

	CHECK_EQ(sh(&o, "@ demo 2>&1"), 0);
	before = o ? strstr(o, "== 10.") : NULL;
	before = before ? strstr(before, "zone   Normal") : NULL;
	after = o ? strstr(o, "== 12.") : NULL;
	after = after ? strstr(after, "zone   Normal") : NULL;
	CHECK(before && after);
	if (before && after) {
		CHECK(sscanf(before, "zone   Normal %u", &b0) == 1);
		CHECK(sscanf(after, "zone   Normal %u", &a0) == 1);
		CHECK(a0 >= b0 + 30);
	}
	free(o);
}

TEST(cli_units_are_binary)
{
	char *o;

	CHECK_EQ(sh(&o, "@ layout --arch x86_32 --mem 2G 2>&1"), 0);
	CHECK(o && strstr(o, "875.99 MiB") != NULL);
	CHECK(o && strstr(o, " MB ") == NULL && strstr(o, " kB ") == NULL);
	free(o);
	EXPECT(0, "RAM 7.99 GiB, spanning 8.99 GiB of physical addresses "
	       "(first to last RAM page: the holes between, such as the PCI "
	       "hole below 4 GiB, included)", "@ layout --mem 8G 2>&1");
	/* /proc views keep the kernel's kB */
	EXPECT(0, "MemTotal:", "@ show meminfo 2>&1");
	EXPECT(0, " kB\n", "@ show meminfo 2>&1");
}
