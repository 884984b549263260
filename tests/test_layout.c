// SPDX-License-Identifier: MIT
/*
 * Layout tests: the x86_64 tables against Documentation/arch/x86/x86_64/
 * mm.rst row by row, the x86_32 boundaries derived from the kernel's
 * formulas, and the x86_32 model against real Debian 6.1 kernels booted
 * under QEMU (logs in tests/data/i386/, made by tests/qemu/boot686.sh).
 */
#include "test.h"

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

struct doc_row {
	uint64_t start, last;
	const char *name;
};

static void check_rows(const struct mmt_layout *l, const struct doc_row *rows,
		       unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const struct mmt_region *r = mmt_layout_find(l, rows[i].start);

		if (!r) {
			test_fail(__FILE__, __LINE__, "no region at %#" PRIx64,
				  rows[i].start);
			continue;
		}
		if (r->start != rows[i].start || r->last != rows[i].last ||
		    strcmp(r->name, rows[i].name))
			test_fail(__FILE__, __LINE__, "doc row %s %016" PRIx64
				  "-%016" PRIx64 ": model has %s %016" PRIx64
				  "-%016" PRIx64, rows[i].name, rows[i].start,
				  rows[i].last, r->name, r->start, r->last);
	}
}

/* The doc table assumes a kernel without CONFIG_RANDOMIZE_BASE (512 MB). */
static struct mmt_machine *doc_machine(enum mmt_arch a)
{
	struct mmt_config c;

	mmt_config_init(&c, a);
	c.kc.randomize_base = false;
	return test_machine_cfg(&c);
}

/* mm.rst, "Complete virtual memory map with 4-level page tables" */
TEST(layout_x86_64_4level_matches_kernel_doc)
{
	static const struct doc_row rows[] = {
		{ 0x0000000000000000, 0x00007fffffffefff, "user" },
		{ 0x00007ffffffff000, 0x00007fffffffffff, "guard-hole" },
		{ 0x0000800000000000, 0x7fffffffffffffff, "non-canonical" },
		{ 0x8000000000000000, 0xffff7fffffffffff, "non-canonical" },
		{ 0xffff800000000000, 0xffff87ffffffffff, "guard-hole" },
		{ 0xffff880000000000, 0xffff887fffffffff, "ldt" },
		{ 0xffff888000000000, 0xffffc87fffffffff, "direct-map" },
		{ 0xffffc88000000000, 0xffffc8ffffffffff, "hole" },
		{ 0xffffc90000000000, 0xffffe8ffffffffff, "vmalloc" },
		{ 0xffffe90000000000, 0xffffe9ffffffffff, "hole" },
		{ 0xffffea0000000000, 0xffffeaffffffffff, "vmemmap" },
		{ 0xffffeb0000000000, 0xffffebffffffffff, "hole" },
		{ 0xffffec0000000000, 0xfffffbffffffffff, "kasan" },
		{ 0xfffffc0000000000, 0xfffffdffffffffff, "hole" },
		{ 0xfffffe0000000000, 0xfffffe7fffffffff, "cpu_entry_area" },
		{ 0xfffffe8000000000, 0xfffffeffffffffff, "hole" },
		{ 0xffffff0000000000, 0xffffff7fffffffff, "espfix" },
		{ 0xffffff8000000000, 0xffffffeeffffffff, "hole" },
		{ 0xffffffef00000000, 0xfffffffeffffffff, "efi" },
		{ 0xffffffff00000000, 0xffffffff7fffffff, "hole" },
		{ 0xffffffff80000000, 0xffffffff9fffffff, "kernel-text" },
		{ 0xffffffffa0000000, 0xfffffffffeffffff, "modules" },
		{ 0xffffffffff600000, 0xffffffffff600fff, "vsyscall" },
		{ 0xffffffffffe00000, 0xffffffffffffffff, "hole" },
	};
	struct mmt_machine *m = doc_machine(MMT_ARCH_X86_64);
	const struct mmt_layout *l = &m->layout;

	check_rows(l, rows, sizeof(rows) / sizeof(rows[0]));
	/* the fixmap row: "FIXADDR_START | ~-11 MB | ffffffffff5fffff" */
	CHECK(mmt_layout_find(l, 0xffffffffff5fffffULL) != NULL);
	CHECK_STR(mmt_layout_find(l, 0xffffffffff5fffffULL)->name, "fixmap");
	CHECK(l->fixaddr_start > 0xffffffffff400000ULL);	/* ~ -11 MB */
	CHECK(l->fixaddr_start < 0xffffffffff5fffffULL);
	/* FIXADDR_TOP = round_up(VSYSCALL_ADDR + 4K, 2M) - 4K */
	CHECK_EQ(l->fixaddr_top, 0xffffffffff7ff000ULL);
	/* VmallocTotal in /proc/meminfo: (32 TB - 1) >> 10 */
	CHECK_EQ((l->vmalloc_end - l->vmalloc_start) >> 10, 34359738367ULL);
	CHECK_EQ(l->task_size_max, 0x00007ffffffff000ULL);
	CHECK_EQ(l->mmap_base, 0x7ffff7fff000ULL);	/* kernel-facts §9 */
	CHECK_EQ(l->mmap_base_compat, 0xf7ffe000ULL);
	/* kernel-facts §8.4, §9: compat PIE 0x56555000, legacy bases */
	CHECK_EQ(l->compat_task_size, 0xffffe000ULL);
	CHECK_EQ(l->compat_pie_base, 0x56555000ULL);
	CHECK_EQ(l->compat_unmapped_base, 0x55555000ULL);
	CHECK_EQ(l->unmapped_base, 0x2aaaaaaab000ULL);
	CHECK_EQ(l->elf_et_dyn_base & ~0xfffULL, 0x555555554000ULL);
	mmt_machine_free(m);
}

/* mm.rst, "Complete virtual memory map with 5-level page tables" */
TEST(layout_x86_64_5level_matches_kernel_doc)
{
	static const struct doc_row rows[] = {
		{ 0x0000000000000000, 0x00ffffffffffefff, "user" },
		{ 0x00fffffffffff000, 0x00ffffffffffffff, "guard-hole" },
		{ 0x0100000000000000, 0x7fffffffffffffff, "non-canonical" },
		{ 0x8000000000000000, 0xfeffffffffffffff, "non-canonical" },
		{ 0xff00000000000000, 0xff0fffffffffffff, "guard-hole" },
		{ 0xff10000000000000, 0xff10ffffffffffff, "ldt" },
		{ 0xff11000000000000, 0xff90ffffffffffff, "direct-map" },
		{ 0xff91000000000000, 0xff9fffffffffffff, "hole" },
		{ 0xffa0000000000000, 0xffd1ffffffffffff, "vmalloc" },
		{ 0xffd2000000000000, 0xffd3ffffffffffff, "hole" },
		{ 0xffd4000000000000, 0xffd5ffffffffffff, "vmemmap" },
		{ 0xffd6000000000000, 0xffdeffffffffffff, "hole" },
		{ 0xffdf000000000000, 0xfffffbffffffffff, "kasan" },
		{ 0xfffffc0000000000, 0xfffffdffffffffff, "hole" },
		{ 0xfffffe0000000000, 0xfffffe7fffffffff, "cpu_entry_area" },
		{ 0xffffff0000000000, 0xffffff7fffffffff, "espfix" },
		{ 0xffffffef00000000, 0xfffffffeffffffff, "efi" },
		{ 0xffffffff80000000, 0xffffffff9fffffff, "kernel-text" },
		{ 0xffffffffa0000000, 0xfffffffffeffffff, "modules" },
		{ 0xffffffffff600000, 0xffffffffff600fff, "vsyscall" },
		{ 0xffffffffffe00000, 0xffffffffffffffff, "hole" },
	};
	struct mmt_machine *m = doc_machine(MMT_ARCH_X86_64_LA57);
	const struct mmt_layout *l = &m->layout;

	check_rows(l, rows, sizeof(rows) / sizeof(rows[0]));
	/* 12800 TB of vmalloc = 12.5 PB */
	CHECK_EQ(l->vmalloc_end - l->vmalloc_start + 1, 12800ULL << 40);
	/* the formula's shadow start lies inside the PGD slot the doc shows */
	CHECK_EQ(l->kasan_shadow_start, 0xffdffc0000000000ULL);
	CHECK_EQ(l->task_size_max, 0x00fffffffffff000ULL);
	CHECK_EQ(l->paging.levels, 5);
	mmt_machine_free(m);
}

TEST(layout_x86_64_kaslr_is_seeded_and_ordered)
{
	struct mmt_config c;
	struct mmt_machine *a, *b, *d;

	mmt_config_init(&c, MMT_ARCH_X86_64);
	c.kaslr = true;
	c.seed = 7;
	a = test_machine_cfg(&c);
	b = test_machine_cfg(&c);
	c.seed = 8;
	d = test_machine_cfg(&c);
	/* same seed, same bases; another seed, other bases */
	CHECK_EQ(a->layout.page_offset, b->layout.page_offset);
	CHECK_EQ(a->layout.vmalloc_start, b->layout.vmalloc_start);
	CHECK(a->layout.page_offset != d->layout.page_offset ||
	      a->layout.vmalloc_start != d->layout.vmalloc_start);
	for (struct mmt_machine *m = a; m; m = m == a ? d : NULL) {
		const struct mmt_layout *l = &m->layout;

		/* order kept, 1 GiB (PUD) aligned, inside [base, CEA) */
		CHECK(l->page_offset >= 0xffff888000000000ULL);
		CHECK(l->page_offset + l->direct_map_size <= l->vmalloc_start);
		CHECK(l->vmalloc_end < l->vmemmap_base);
		CHECK(l->vmemmap_base + l->vmemmap_size <= 0xfffffe0000000000ULL);
		CHECK_EQ(l->page_offset & ((1ULL << 30) - 1), 0);
		CHECK_EQ(l->vmalloc_start & ((1ULL << 30) - 1), 0);
		CHECK_EQ(l->vmemmap_base & ((1ULL << 30) - 1), 0);
	}
	mmt_machine_free(a);
	mmt_machine_free(b);
	mmt_machine_free(d);
}

/*
 * x86_32, Debian 6.1 config: NR_CPUS = 32, sizeof(struct cpu_entry_area) =
 * 176128 (43 pages), __end_of_permanent_fixed_addresses = 583,
 * __end_of_fixed_addresses = 1537 (FIX_BTMAP rounded up to 1024, then 512
 * boot slots and FIX_WP_TEST).  Derivation, 3G split, default vmalloc:
 *
 *   FIXADDR_TOP       = 0xfffff000
 *   FIXADDR_START     = 0xfffff000 - 583 * 4K   = 0xffdb8000
 *   FIXADDR_TOT_START = 0xfffff000 - 1537 * 4K  = 0xff9fe000
 *   CPU_ENTRY_AREA_BASE = (0xff9fe000 - 4K * (32*43 + 1)) & PMD_MASK
 *                       = 0xff49d000 & PMD_MASK = 0xff400000 (4M and 2M)
 *   non-PAE (PMD = 4M): LDT = (0xff400000 - 4K) & 4M-mask = 0xff000000
 *                       PKMAP_BASE = 0xfec00000, VMALLOC_END = 0xfebfe000
 *   PAE (PMD = 2M):     LDT = 0xff200000, PKMAP_BASE = 0xff000000,
 *                       VMALLOC_END = 0xfeffe000
 *   MAXMEM = VMALLOC_END - PAGE_OFFSET - 128M
 *          = 0x36bfe000 (875.99 MB, non-PAE) / 0x36ffe000 (879.99 MB, PAE)
 * RAM below MAXMEM: all lowmem, VMALLOC_START = 0xc0000000 + RAM + 8M.
 * RAM above: max_low_pfn = MAXMEM_PFN, VMALLOC_START = 0xc0000000 +
 * MAXMEM + 8M.  QEMU's map ends low RAM 128K below the -m size (SeaBIOS),
 * and at -m 4G keeps 3G below 4 GiB and puts 1G above it.
 */
struct x32_case {
	enum mmt_arch arch;
	const char *mem;
	uint64_t max_low_pfn, vmalloc_start, vmalloc_end, pkmap_base;
	uint64_t fixaddr_start, normal_end_pfn, high_end_pfn;
};

TEST(layout_x86_32_boundaries_from_kernel_formulas)
{
	static const struct x32_case cases[] = {
		/* 512M: RAM ends 0x1ffe0000 < MAXMEM: no highmem */
		{ MMT_ARCH_X86_32, "512M", 0x1ffe0, 0xe07e0000, 0xfebfe000,
		  0xfec00000, 0xffdb8000, 0x1ffe0, 0 },
		{ MMT_ARCH_X86_32, "1G", 0x36bfe, 0xf73fe000, 0xfebfe000,
		  0xfec00000, 0xffdb8000, 0x36bfe, 0x3ffe0 },
		{ MMT_ARCH_X86_32, "2G", 0x36bfe, 0xf73fe000, 0xfebfe000,
		  0xfec00000, 0xffdb8000, 0x36bfe, 0x7ffe0 },
		/* 4G non-PAE: the 1G above 4 GiB is invisible (32-bit phys) */
		{ MMT_ARCH_X86_32, "4G", 0x36bfe, 0xf73fe000, 0xfebfe000,
		  0xfec00000, 0xffdb8000, 0x36bfe, 0xbffe0 },
		{ MMT_ARCH_X86_32_PAE, "512M", 0x1ffe0, 0xe07e0000, 0xfeffe000,
		  0xff000000, 0xffdb8000, 0x1ffe0, 0 },
		{ MMT_ARCH_X86_32_PAE, "1G", 0x36ffe, 0xf77fe000, 0xfeffe000,
		  0xff000000, 0xffdb8000, 0x36ffe, 0x3ffe0 },
		{ MMT_ARCH_X86_32_PAE, "2G", 0x36ffe, 0xf77fe000, 0xfeffe000,
		  0xff000000, 0xffdb8000, 0x36ffe, 0x7ffe0 },
		/* 4G PAE (6.1 has HIGHMEM64G): RAM above 4 GiB is highmem */
		{ MMT_ARCH_X86_32_PAE, "4G", 0x36ffe, 0xf77fe000, 0xfeffe000,
		  0xff000000, 0xffdb8000, 0x36ffe, 0x140000 },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct x32_case *t = &cases[i];
		struct mmt_machine *m = test_machine(t->arch, t->mem);
		const struct mmt_layout *l = &m->layout;

		CHECK_EQ(l->page_offset, 0xc0000000ULL);
		CHECK_EQ(l->fixaddr_top, 0xfffff000ULL);
		CHECK_EQ(l->fix_permanent, 583);
		CHECK_EQ(l->fix_total, 1537);
		CHECK_EQ(l->fix_kmap_begin, 68);
		CHECK_EQ(l->fix_kmap_end, 579);
		CHECK_EQ(l->fixaddr_start, t->fixaddr_start);
		CHECK_EQ(l->fixaddr_tot_start, 0xff9fe000ULL);
		CHECK_EQ(l->cpu_entry_area_base, 0xff400000ULL);
		CHECK_EQ(l->max_low_pfn, t->max_low_pfn);
		CHECK_EQ(l->high_memory, 0xc0000000ULL + (t->max_low_pfn << 12));
		CHECK_EQ(l->vmalloc_start, t->vmalloc_start);
		CHECK_EQ(l->vmalloc_end, t->vmalloc_end);
		CHECK_EQ(l->pkmap_base, t->pkmap_base);
		CHECK_EQ(l->zone_start_pfn[MMT_ZONE_DMA], 1);
		CHECK_EQ(l->zone_end_pfn[MMT_ZONE_DMA], 4096);
		CHECK_EQ(l->zone_end_pfn[MMT_ZONE_NORMAL], t->normal_end_pfn);
		CHECK_EQ(l->zone_end_pfn[MMT_ZONE_HIGHMEM], t->high_end_pfn);
		/* native 3G/1G: mmap_base = 3G - 128M, TASK_UNMAPPED_BASE = 1G */
		CHECK_EQ(l->mmap_base, 0xb8000000ULL);
		CHECK_EQ(l->unmapped_base, 0x40000000ULL);
		if (test_failures())
			printf("    (case %s %s)\n", mmt_arch_name(t->arch), t->mem);
		mmt_machine_free(m);
	}
}

TEST(layout_x86_32_vmalloc_and_vmsplit_options)
{
	struct mmt_config c;
	struct mmt_machine *m;
	char err[128];

	/* vmalloc=256M: __VMALLOC_RESERVE = 256M + 8M, lowmem shrinks by 136M */
	mmt_config_init(&c, MMT_ARCH_X86_32);
	CHECK(mmt_config_set(&c, "vmalloc", "256M", err, sizeof(err)) == 0);
	m = test_machine_cfg(&c);
	CHECK_EQ(m->layout.maxmem, 0xfebfe000ULL - 0xc0000000ULL - (264ULL << 20));
	CHECK_EQ(m->layout.vmalloc_end - m->layout.vmalloc_start, 256ULL << 20);
	mmt_machine_free(m);

	/* VMSPLIT_2G: PAGE_OFFSET 0x80000000, lowmem up to ~1.9 GB */
	mmt_config_init(&c, MMT_ARCH_X86_32);
	CHECK(mmt_config_set(&c, "vmsplit", "2G", err, sizeof(err)) == 0);
	CHECK(mmt_config_set(&c, "mem", "4G", err, sizeof(err)) == 0);
	m = test_machine_cfg(&c);
	CHECK_EQ(m->layout.page_offset, 0x80000000ULL);
	CHECK_EQ(m->layout.task_size, 0x80000000ULL);
	CHECK_EQ(m->layout.maxmem, 0xfebfe000ULL - 0x80000000ULL - (128ULL << 20));
	mmt_machine_free(m);

	/* absurd vmalloc= is refused with a message, not a crash */
	mmt_config_init(&c, MMT_ARCH_X86_32);
	CHECK(mmt_config_set(&c, "vmalloc", "2G", err, sizeof(err)) == 0);
	CHECK(mmt_machine_new(&c, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "vmalloc") != NULL);
}

/* ------------------------------------------------ QEMU ground truth */

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = 0;
	fclose(f);
	return buf;
}

/* "  Normal   [mem 0x...-0x...]" from the log's Zone ranges block */
static int log_zone(const char *log, const char *zone, uint64_t *s,
		    uint64_t *e)
{
	char pat[64];
	const char *p;
	unsigned long long a, b;

	snprintf(pat, sizeof(pat), "  %-8s [mem ", zone);
	p = strstr(log, pat);
	if (!p || sscanf(p + strlen(pat), "0x%llx-0x%llx]", &a, &b) != 2)
		return -1;
	*s = a;
	*e = b;
	return 0;
}

static long log_number_before(const char *log, const char *suffix)
{
	const char *p = strstr(log, suffix);

	if (!p)
		return -1;
	while (p > log && p[-1] >= '0' && p[-1] <= '9')
		p--;
	return strtol(p, NULL, 10);
}

static void check_qemu_log(const char *dir, const char *name)
{
	char path[512], err[256];
	struct mmt_config c;
	struct mmt_machine *m;
	const struct mmt_layout *l;
	char *log;
	const char *p;
	uint64_t s, e;
	long mb;
	int before = test_failures();

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	log = read_file(path);
	if (!log)
		return;
	mmt_config_init(&c, strstr(name, "-pae") ? MMT_ARCH_X86_32_PAE
						  : MMT_ARCH_X86_32);
	CHECK(mmt_config_set(&c, "memmap", path, err, sizeof(err)) == 0);
	p = strstr(log, "vmalloc=");
	if (p) {
		char v[32];

		sscanf(p + 8, "%31[0-9A-Za-z]", v);
		CHECK(mmt_config_set(&c, "vmalloc", v, err, sizeof(err)) == 0);
	}
	m = test_machine_cfg(&c);
	l = &m->layout;
	/* Zone ranges: exact byte ranges */
	CHECK(log_zone(log, "DMA", &s, &e) == 0);
	CHECK_EQ(s, l->zone_start_pfn[MMT_ZONE_DMA] << 12);
	CHECK_EQ(e + 1, l->zone_end_pfn[MMT_ZONE_DMA] << 12);
	CHECK(log_zone(log, "Normal", &s, &e) == 0);
	CHECK_EQ(s, l->zone_start_pfn[MMT_ZONE_NORMAL] << 12);
	CHECK_EQ(e + 1, l->zone_end_pfn[MMT_ZONE_NORMAL] << 12);
	if (log_zone(log, "HighMem", &s, &e) == 0) {
		CHECK_EQ(s, l->zone_start_pfn[MMT_ZONE_HIGHMEM] << 12);
		CHECK_EQ(e + 1, l->zone_end_pfn[MMT_ZONE_HIGHMEM] << 12);
	} else {
		CHECK_EQ(l->zone_end_pfn[MMT_ZONE_HIGHMEM], 0);
	}
	/* "875MB LOWMEM available." = pages_to_mb(max_low_pfn) */
	mb = log_number_before(log, "MB LOWMEM available");
	CHECK(mb > 0);
	CHECK_EQ(mb, l->max_low_pfn >> 8);
	mb = log_number_before(log, "MB HIGHMEM available");
	CHECK_EQ(mb, (l->max_pfn - l->highstart_pfn) >> 8);
	/* VmallocTotal = (VMALLOC_END - VMALLOC_START) >> 10 */
	p = strstr(log, "VmallocTotal:");	/* absent if the boot oopsed */
	if (p)
		CHECK_EQ(strtoull(p + 13, NULL, 10),
			 (l->vmalloc_end - l->vmalloc_start) >> 10);
	/* a complete boot dumped /proc/meminfo */
	CHECK(p != NULL || strstr(name, "oops") || strstr(name, "hang"));
	/* every /proc/vmallocinfo area lies inside [VMALLOC_START, END) */
	p = strstr(log, "/proc/vmallocinfo");
	for (unsigned n = 0; p && (p = strstr(p, "\n0x")); p++) {
		unsigned long long a, b;

		if (sscanf(p + 1, "0x%llx-0x%llx", &a, &b) != 2 || a >> 32)
			break;
		if (a < l->vmalloc_start || b > l->vmalloc_end)
			test_fail(__FILE__, __LINE__, "%s: area %llx-%llx outside "
				  "vmalloc", name, a, b);
		n++;
	}
	if (test_failures() != before)
		printf("    (log %s)\n", name);
	mmt_machine_free(m);
	free(log);
}

TEST(layout_x86_32_matches_debian_6_1_under_qemu)
{
	const char *dir = "tests/data/i386";
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned n = 0;

	CHECK(d != NULL);
	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len > 4 && !strcmp(de->d_name + len - 4, ".log") &&
		    !strncmp(de->d_name, "686", 3)) {
			check_qemu_log(dir, de->d_name);
			n++;
		}
	}
	closedir(d);
	CHECK(n >= 6);	/* 512M..4G, non-PAE and PAE */
}

TEST(layout_rejects_bad_input)
{
	struct mmt_config c;
	char err[256];
	uint64_t v;

	mmt_config_init(&c, MMT_ARCH_X86_64);
	CHECK(mmt_config_set(&c, "arch", "sparc", err, sizeof(err)) == -1);
	CHECK(strstr(err, "sparc") != NULL);
	CHECK(mmt_config_set(&c, "mem", "lots", err, sizeof(err)) == -1);
	CHECK(mmt_config_set(&c, "mem", "1K", err, sizeof(err)) == -1);
	CHECK(mmt_config_set(&c, "mem", "99999999999T", err, sizeof(err)) == -1);
	CHECK(mmt_config_set(&c, "vmsplit", "5G", err, sizeof(err)) == -1);
	CHECK(mmt_config_set(&c, "nodes", "0", err, sizeof(err)) == -1);
	CHECK(mmt_config_set(&c, "bogus", "1", err, sizeof(err)) == -1);
	CHECK(mmt_parse_size("2G", &v) == 0 && v == 2ULL << 30);
	CHECK(mmt_parse_size("512MiB", &v) == 0 && v == 512ULL << 20);
	CHECK(mmt_parse_size("0x1000", &v) == 0 && v == 0x1000);
	CHECK(mmt_parse_size("-1", &v) == -1);
	CHECK(mmt_parse_size("12Q", &v) == -1);
	/* a memory map file that does not exist or has no entries */
	CHECK(mmt_config_set(&c, "memmap", "/nonexistent", err, sizeof(err)) == 0);
	CHECK(mmt_machine_new(&c, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "/nonexistent") != NULL);
	CHECK(mmt_config_set(&c, "memmap", "/etc/hostname", err, sizeof(err)) == 0);
	CHECK(mmt_machine_new(&c, err, sizeof(err)) == NULL);
	/* absurd sizes: refused with a message, not a hang */
	CHECK(mmt_config_set(&c, "mem", "4P", err, sizeof(err)) == -1);
	{
		char path[] = "/tmp/mmtwin-test-map-XXXXXX";
		int fd = mkstemp(path);
		FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

		CHECK(f != NULL);
		if (f) {
			fputs("0-1ffffffffffff : System RAM\n", f);
			fclose(f);
			struct mmt_machine *m;

			/* 4-level: e820__end_of_ram_pfn() caps RAM at
			 * MAX_ARCH_PFN, 2^46 bytes; the rest is unused */
			CHECK(mmt_config_set(&c, "memmap", path, err,
					     sizeof(err)) == 0);
			m = mmt_machine_new(&c, err, sizeof(err));
			CHECK(m != NULL);
			if (m)
				CHECK_EQ(m->ram_end_pfn, 1ULL << 34);
			mmt_machine_free(m);
			/* 5-level addresses it all: more than the model */
			CHECK(mmt_config_set(&c, "arch", "x86_64-la57", err,
					     sizeof(err)) == 0);
			CHECK(mmt_machine_new(&c, err, sizeof(err)) == NULL);
			CHECK(strstr(err, "128 TiB") != NULL);
			unlink(path);
		}
	}
}

TEST(layout_many_machines_side_by_side)
{
	struct mmt_machine *m[MMT_NR_ARCHES];

	for (int a = 0; a < MMT_NR_ARCHES; a++)
		m[a] = test_machine((enum mmt_arch)a, "2G");
	CHECK_EQ(m[MMT_ARCH_X86_32]->layout.paging.levels, 2);
	CHECK_EQ(m[MMT_ARCH_X86_32_PAE]->layout.paging.levels, 3);
	CHECK_EQ(m[MMT_ARCH_X86_64]->layout.paging.levels, 4);
	CHECK_EQ(m[MMT_ARCH_X86_64_LA57]->layout.paging.levels, 5);
	/* independent: freeing one leaves the others intact */
	mmt_machine_free(m[0]);
	CHECK_EQ(m[1]->layout.page_offset, 0xc0000000ULL);
	for (int a = 1; a < MMT_NR_ARCHES; a++)
		mmt_machine_free(m[a]);
}
