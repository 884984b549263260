// SPDX-License-Identifier: MIT
/*
 * Physical memory: boot (memblock, zones), watermarks, views vs the host.
 */
#include "test.h"

#include "mm/internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static char *view_text(struct mmt_machine *m, const char *name)
{
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(mmt_view_find(name) != NULL);
	CHECK_EQ(mmt_view_print(m, name, f, MMT_FMT_TEXT, err, sizeof(err)),
		 0);
	fclose(f);
	return buf;
}

/* Host zoneinfo value "KEY N" for zone @zone (of node 0); -1 if absent. */
static long long zoneinfo_value(const char *text, const char *zone,
				const char *key)
{
	char hdr[64];
	const char *z, *next, *k;

	snprintf(hdr, sizeof(hdr), "Node 0, zone %8s\n", zone);
	z = strstr(text, hdr);
	if (!z)
		return -1;
	next = strstr(z + 1, "Node ");
	k = strstr(z, key);
	if (!k || (next && k > next))
		return -1;
	k += strlen(key);
	while (*k == ' ' || *k == ':' || *k == '(')
		k++;
	return strtoll(k, NULL, 10);
}

static bool host_iomem_real(void)
{
	char *io = test_read_file("/proc/iomem");
	bool real = io && strstr(io, "System RAM") &&
		    !strstr(io, "00000000-00000000 : System RAM");

	free(io);
	return real;
}

static struct mmt_machine *host_machine(void)
{
	struct mmt_config c;
	char err[256];

	mmt_config_init(&c, MMT_ARCH_X86_64);
	CHECK_EQ(mmt_config_set(&c, "memmap", "host", err, sizeof(err)), 0);
	return test_machine_cfg(&c);
}

/*
 * Acceptance: on this host, the model booted from the host's /proc/iomem
 * has the host's spanned, present and start_pfn in every zone.  (managed
 * differs: the host defers struct page init, see docs.)
 */
TEST(phys_host_zoneinfo_spanned_present)
{
	static const char *const zones[] = { "DMA", "DMA32", "Normal" };
	char *host = test_read_file("/proc/zoneinfo"), *model;
	struct mmt_machine *m;

	if (!host || !host_iomem_real()) {
		printf("    skipped: /proc/iomem unreadable or zeroed "
		       "(not root?)\n");
		free(host);
		return;
	}
	m = host_machine();
	model = view_text(m, "zoneinfo");
	for (unsigned i = 0; i < 3; i++) {
		const char *keys[] = { "spanned", "present", "start_pfn" };

		if (zoneinfo_value(host, zones[i], "spanned") < 0)
			continue;
		for (unsigned k = 0; k < 3; k++) {
			long long h = zoneinfo_value(host, zones[i], keys[k]);
			long long v = zoneinfo_value(model, zones[i], keys[k]);

			if (h != v)
				printf("    zone %s %s: host %lld model %lld\n",
				       zones[i], keys[k], h, v);
			CHECK_EQ(v, h);
		}
	}
	/* DMA: first 1 MiB reserved, so managed = pfns 256..4095 */
	CHECK_EQ(m->phys->nodes[0].zones[MMT_ZONE_DMA].managed, 3840);
	free(model);
	free(host);
	mmt_machine_free(m);
}

/*
 * Watermarks and lowmem_reserve with the kernel formulas, fed the host's
 * managed page counts: they must give the host's own numbers.
 * Derivation for this host (DMA 3840, DMA32 772917, Normal 1015808):
 *   min_free_kbytes: int_sqrt(1792565*4*16) = 10710 kB, raised by
 *   khugepaged to 512 * 3 zones * (2 + 3*3) = 16896 pages = 67584 kB;
 *   DMA: tmp = 16896*3840/1792565 = 36 -> min 36; delta = max(36>>2 = 9,
 *   3840*10/10000 = 3) = 9 -> low 45, high 54, promo 63;
 *   protection(DMA) = (0, 772917/256 = 3019, (772917+1015808)/256 = 6987,
 *   6987, 6987); Movable (empty, highmem-like): min = clamp(0, 32, 128).
 */
TEST(phys_watermarks_kernel_formulas)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "8G");
	struct mmt_node *nd = &m->phys->nodes[0];
	char *txt;

	CHECK_EQ(m->phys->nr_nodes, 1);
	nd->zones[MMT_ZONE_DMA].managed = 3840;
	nd->zones[MMT_ZONE_DMA32].managed = 772917;
	nd->zones[MMT_ZONE_NORMAL].managed = 1015808;
	mmt_setup_watermarks(m);
	CHECK_EQ(m->phys->min_free_kbytes, 67584);
	CHECK_EQ(nd->zones[MMT_ZONE_DMA].wmark[MMT_WMARK_MIN], 36);
	CHECK_EQ(nd->zones[MMT_ZONE_DMA].wmark[MMT_WMARK_LOW], 45);
	CHECK_EQ(nd->zones[MMT_ZONE_DMA].wmark[MMT_WMARK_HIGH], 54);
	CHECK_EQ(nd->zones[MMT_ZONE_DMA].wmark[MMT_WMARK_PROMO], 63);
	CHECK_EQ(nd->zones[MMT_ZONE_DMA32].wmark[MMT_WMARK_MIN], 7285);
	CHECK_EQ(nd->zones[MMT_ZONE_DMA32].wmark[MMT_WMARK_LOW], 9106);
	CHECK_EQ(nd->zones[MMT_ZONE_DMA32].wmark[MMT_WMARK_HIGH], 10927);
	CHECK_EQ(nd->zones[MMT_ZONE_DMA32].wmark[MMT_WMARK_PROMO], 12748);
	CHECK_EQ(nd->zones[MMT_ZONE_NORMAL].wmark[MMT_WMARK_MIN], 9574);
	CHECK_EQ(nd->zones[MMT_ZONE_NORMAL].wmark[MMT_WMARK_LOW], 11967);
	CHECK_EQ(nd->zones[MMT_ZONE_NORMAL].wmark[MMT_WMARK_HIGH], 14360);
	CHECK_EQ(nd->zones[MMT_ZONE_NORMAL].wmark[MMT_WMARK_PROMO], 16753);
	CHECK_EQ(nd->zones[MMT_ZONE_MOVABLE].wmark[MMT_WMARK_MIN], 32);
	txt = view_text(m, "zoneinfo");
	CHECK(strstr(txt, "protection: (0, 3019, 6987, 6987, 6987)") != NULL);
	CHECK(strstr(txt, "protection: (0, 0, 3968, 3968, 3968)") != NULL);
	free(txt);
	mmt_machine_free(m);
}

/* Same rules on the host's live numbers, when they are readable. */
TEST(phys_watermarks_match_host)
{
	static const char *const zn[] = { "DMA", "DMA32", "Normal" };
	static const enum mmt_zone_type zt[] = { MMT_ZONE_DMA, MMT_ZONE_DMA32,
						 MMT_ZONE_NORMAL };
	char *host = test_read_file("/proc/zoneinfo"), *mfk = test_read_file(
		"/proc/sys/vm/min_free_kbytes");
	struct mmt_machine *m;

	if (!host || !mfk || zoneinfo_value(host, "DMA32", "managed") < 0 ||
	    strstr(host, "Node 1,")) {
		printf("    skipped: host zoneinfo not single-node x86_64\n");
		free(host);
		free(mfk);
		return;
	}
	m = test_machine(MMT_ARCH_X86_64, "8G");
	for (unsigned i = 0; i < 3; i++)
		m->phys->nodes[0].zones[zt[i]].managed =
			(uint64_t)zoneinfo_value(host, zn[i], "managed");
	mmt_setup_watermarks(m);
	if ((long long)m->phys->min_free_kbytes != atoll(mfk)) {
		printf("    skipped: host min_free_kbytes %s was tuned\n", mfk);
	} else {
		for (unsigned i = 0; i < 3; i++) {
			struct mmt_zone *z = &m->phys->nodes[0].zones[zt[i]];

			CHECK_EQ(z->wmark[MMT_WMARK_MIN],
				 zoneinfo_value(host, zn[i], "min "));
			CHECK_EQ(z->wmark[MMT_WMARK_LOW],
				 zoneinfo_value(host, zn[i], "low "));
			CHECK_EQ(z->wmark[MMT_WMARK_HIGH],
				 zoneinfo_value(host, zn[i], "high "));
		}
	}
	free(host);
	free(mfk);
	mmt_machine_free(m);
}

/*
 * Reduce a /proc text to its layout: a number with its padding becomes
 * " #" (pad widths depend on the values; phys_view_formats_fixed checks
 * the widths).
 */
static char *shape(const char *s)
{
	char *o = malloc(strlen(s) + 2), *p = o;

	while (*s) {
		const char *q = s;

		while (*q == ' ')
			q++;
		if (isdigit((unsigned char)*q)) {
			*p++ = ' ';
			*p++ = '#';
			while (isdigit((unsigned char)*q))
				q++;
			s = q;
			continue;
		}
		*p++ = *s++;
	}
	*p = 0;
	return o;
}

/* Field layout of buddyinfo, zoneinfo and meminfo equals the host's. */
TEST(phys_view_formats_match_host)
{
	char *hb = test_read_file("/proc/buddyinfo"), *hz = test_read_file("/proc/zoneinfo");
	char *hm = test_read_file("/proc/meminfo");
	struct mmt_config c;
	struct mmt_machine *m;
	char err[256], cpus[16], *t, *a, *b;

	if (!hb || !hz || !hm || !host_iomem_real()) {
		printf("    skipped: host /proc files unreadable\n");
		goto out;
	}
	mmt_config_init(&c, MMT_ARCH_X86_64);
	CHECK_EQ(mmt_config_set(&c, "memmap", "host", err, sizeof(err)), 0);
	snprintf(cpus, sizeof(cpus), "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	CHECK_EQ(mmt_config_set(&c, "cpus", cpus, err, sizeof(err)), 0);
	m = test_machine_cfg(&c);
	/* buddyinfo: every line "Node %d, zone %8s " + 11 x "%6lu " */
	t = view_text(m, "buddyinfo");
	a = shape(t);
	b = shape(hb);
	CHECK_STR(a, b);
	free(a), free(b), free(t);
	/* zoneinfo: identical line layout, numbers aside */
	t = view_text(m, "zoneinfo");
	a = shape(t);
	b = shape(hz);
	CHECK_STR(a, b);
	free(a), free(b), free(t);
	/* meminfo: the host's lines, DirectMap* included */
	t = view_text(m, "meminfo");
	a = shape(t);
	b = shape(hm);
	CHECK_STR(a, b);
	free(a), free(b);
	CHECK(!strncmp(t, "MemTotal:       ", 16));
	free(t);
	mmt_machine_free(m);
out:
	free(hb), free(hz), free(hm);
}

/* Field formats that do not need the host. */
TEST(phys_view_formats_fixed)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_32, "2G");
	char *t = view_text(m, "buddyinfo"), *line;
	uint64_t total = m->phys->totalram_pages;
	char want[64];

	/* 3 populated zones, each line 22 + 11*7 chars + '\n' */
	CHECK(!strncmp(t, "Node 0, zone      DMA ", 22));
	CHECK(strstr(t, "Node 0, zone   Normal ") != NULL);
	CHECK(strstr(t, "Node 0, zone  HighMem ") != NULL);
	line = strchr(t, '\n');
	CHECK(line && line - t == 22 + 11 * 7);
	free(t);
	t = view_text(m, "meminfo");
	snprintf(want, sizeof(want), "MemTotal:       %8llu kB\n",
		 (unsigned long long)total * 4);
	CHECK(!strncmp(t, want, strlen(want)));
	CHECK(strstr(t, "HighTotal:") && strstr(t, "LowFree:"));
	free(t);
	t = view_text(m, "zoneinfo");
	CHECK(strstr(t, "Node 0, zone  HighMem\n") != NULL);
	CHECK(strstr(t, "Node 0, zone    DMA32") == NULL);
	free(t);
	t = view_text(m, "iomem");
	CHECK(strstr(t, "00100000-") != NULL);
	CHECK(strstr(t, "  01000000-0191bc7f : Kernel code\n") != NULL);
	free(t);
	t = view_text(m, "pagetypeinfo");
	CHECK(!strncmp(t, "Page block order: 10\nPages per block:  1024\n", 44));
	free(t);
	mmt_machine_free(m);
}

/* spanned >= present >= managed; managed == free + allocated at boot. */
TEST(phys_zone_counts_consistent)
{
	static const struct { enum mmt_arch a; const char *mem; } cases[] = {
		{ MMT_ARCH_X86_32, "512M" }, { MMT_ARCH_X86_32, "2G" },
		{ MMT_ARCH_X86_32_PAE, "8G" }, { MMT_ARCH_X86_64, "1G" },
		{ MMT_ARCH_X86_64, "16G" }, { MMT_ARCH_X86_64_LA57, "4G" },
	};
	char err[256];

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mmt_machine *m = test_machine(cases[i].a, cases[i].mem);

		for (unsigned t = 0; t < MMT_NR_ZONES; t++) {
			struct mmt_zone *z = &m->phys->nodes[0].zones[t];

			CHECK(z->spanned >= z->present);
			CHECK(z->present >= z->managed);
			CHECK_EQ(z->spanned, m->layout.zone_end_pfn[t] > 0 ?
				 mmt_zone_end_pfn(z) - z->zone_start_pfn : 0);
		}
		CHECK_EQ(mmt_phys_check(m, err, sizeof(err)), 0);
		mmt_machine_free(m);
	}
}

/* cfg.nodes splits RAM evenly; each node has its own zones. */
TEST(phys_multi_node)
{
	struct mmt_config c;
	struct mmt_machine *m;
	char err[256];
	uint64_t pfn;

	mmt_config_init(&c, MMT_ARCH_X86_64);
	CHECK_EQ(mmt_config_set(&c, "mem", "8G", err, sizeof(err)), 0);
	CHECK_EQ(mmt_config_set(&c, "nodes", "2", err, sizeof(err)), 0);
	m = test_machine_cfg(&c);
	CHECK_EQ(m->phys->nr_nodes, 2);
	CHECK_EQ(m->phys->nodes[0].end_pfn <= m->phys->nodes[1].start_pfn, 1);
	CHECK(m->phys->nodes[1].zones[MMT_ZONE_NORMAL].managed > 0);
	CHECK_EQ(mmt_alloc_pages_node(m, 1, MMT_GFP_KERNEL, 0, &pfn), 0);
	CHECK(pfn >= m->phys->nodes[1].start_pfn);
	mmt_free_pages(m, pfn, 0);
	CHECK_EQ(mmt_phys_check(m, err, sizeof(err)), 0);
	mmt_machine_free(m);
}

/*
 * build_all_zonelists() on 3 nodes of 12 GiB (node 0: DMA, DMA32, Normal;
 * nodes 1, 2: Normal): the preferred node first, then the following nodes
 * wrapping around, each from the highest allowed type down, populated
 * zones only.
 */
TEST(phys_zonelists_node_order)
{
	struct mmt_config c;
	struct mmt_machine *m;
	char err[256];
	struct mmt_node *nd;

	mmt_config_init(&c, MMT_ARCH_X86_64);
	CHECK_EQ(mmt_config_set(&c, "mem", "12G", err, sizeof(err)), 0);
	CHECK_EQ(mmt_config_set(&c, "nodes", "3", err, sizeof(err)), 0);
	m = test_machine_cfg(&c);
	nd = m->phys->nodes;
	CHECK_EQ(nd[1].zones[MMT_ZONE_DMA32].managed, 0);
	{
		struct mmt_zone *want[] = {
			&nd[1].zones[MMT_ZONE_NORMAL],
			&nd[2].zones[MMT_ZONE_NORMAL],
			&nd[0].zones[MMT_ZONE_NORMAL],
			&nd[0].zones[MMT_ZONE_DMA32],
			&nd[0].zones[MMT_ZONE_DMA],
			NULL,
		};
		for (unsigned i = 0; i < 6; i++)
			CHECK(m->phys->zonelist[1][MMT_ZONE_MOVABLE][i] == want[i]);
	}
	{
		/* GFP_DMA32 from node 2: node 0's DMA32 and DMA only */
		struct mmt_zone *const *zl =
			m->phys->zonelist[2][MMT_ZONE_DMA32];

		CHECK(zl[0] == &nd[0].zones[MMT_ZONE_DMA32]);
		CHECK(zl[1] == &nd[0].zones[MMT_ZONE_DMA]);
		CHECK(zl[2] == NULL);
	}
	mmt_machine_free(m);
}

/*
 * 1 TiB boots lazily: few host bytes, and order-10 blocks come from runs.
 * The descriptor array is 8 GiB of reserved address space; what the host
 * actually backs (resident memory, which the shared zero page that reads
 * of untouched descriptors map does not count in) stays small.
 */
TEST(phys_one_tib_lazy_boot)
{
	uint64_t rss0 = mmt_host_resident_bytes();
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "1T");
	char err[256];
	uint64_t pfn[64];

	CHECK(m->phys->totalram_pages > (1ULL << 28) - (1ULL << 23));
	/* the memmap alone is 16 GiB: 64 bytes per 4 KiB page */
	CHECK(m->phys->host_bytes < (64ULL << 20));
	CHECK(m->phys->nr_pg_chunks < 1000);
	CHECK(m->phys->pages_bytes >= (1ULL << 28) * sizeof(struct mmt_page));
	for (int i = 0; i < 64; i++)
		CHECK_EQ(mmt_alloc_pages(m, MMT_GFP_HIGHUSER_MOVABLE, 10,
					 &pfn[i]), 0);
	for (int i = 0; i < 64; i++)
		mmt_free_pages(m, pfn[i], 10);
	CHECK_EQ(mmt_phys_check(m, err, sizeof(err)), 0);
	CHECK((int64_t)(mmt_host_resident_bytes() - rss0) < (64LL << 20));
	mmt_machine_free(m);
}

#if defined(__SANITIZE_ADDRESS__)
#define TEST_HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_HAVE_ASAN 1
#endif
#endif

/*
 * A host that will not reserve the descriptor array's address space (here
 * an address-space limit of 2 GiB against 1 TiB's 8 GiB) gets a message,
 * not a crash.  In a child, so the limit stays there; not under ASan,
 * whose shadow memory needs far more address space than that (the test
 * is not built there).
 */
#ifndef TEST_HAVE_ASAN
TEST(phys_descriptor_reservation_refused)
{
	int fd[2], status = 0;
	char msg[256] = "";
	pid_t pid;

	CHECK_EQ(pipe(fd), 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 2ULL << 30, 2ULL << 30 };
		struct mmt_config c;
		char err[256] = "";
		struct mmt_machine *m;
		ssize_t len;

		close(fd[0]);
		mmt_config_init(&c, MMT_ARCH_X86_64);
		if (setrlimit(RLIMIT_AS, &rl) ||
		    mmt_config_set(&c, "mem", "1T", err, sizeof(err)))
			_exit(3);
		m = mmt_machine_new(&c, err, sizeof(err));
		len = (ssize_t)strlen(err);
		if (write(fd[1], err, (size_t)len) != len)
			_exit(4);
		_exit(m ? 1 : 0);
	}
	close(fd[1]);
	CHECK(read(fd[0], msg, sizeof(msg) - 1) > 0);
	close(fd[0]);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(strstr(msg, "cannot reserve") != NULL);
	CHECK(strstr(msg, "page descriptors") != NULL);
}
#endif

/* Frame contents: created on first write, zero-filled, dropped on free. */
TEST(phys_frame_data)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "64M");
	uint64_t pfn;
	unsigned char *d;

	CHECK_EQ(mmt_alloc_pages(m, MMT_GFP_KERNEL, 1, &pfn), 0);
	CHECK(mmt_frame_data(m, pfn + 1, false) == NULL);
	d = mmt_frame_data(m, pfn + 1, true);
	CHECK(d != NULL && d[0] == 0 && d[4095] == 0);
	d[7] = 0x5a;
	CHECK(((unsigned char *)mmt_frame_data(m, pfn + 1, false))[7] == 0x5a);
	mmt_free_pages(m, pfn, 1);
	CHECK(mmt_frame_data(m, pfn + 1, false) == NULL);
	CHECK(mmt_frame_data(m, UINT64_MAX / 2, true) == NULL);
	mmt_machine_free(m);
}

/*
 * DirectMap lines against Debian's 6.1 kernels at 2 GiB (tests/data/i386):
 * non-PAE 12280 kB 4k + 884736 kB 4M, PAE 10232 kB 4k + 890880 kB 2M.
 * Totals equal lowmem (the whole direct map) exactly.  The kernel later
 * splits a few large pages around its own image (mark_rodata_ro, NX),
 * which the model does not do: its large-page figure may only exceed the
 * real one, by whole large pages, at most four of them.
 */
TEST(meminfo_directmap_matches_debian_totals)
{
	static const struct {
		enum mmt_arch arch;
		const char *large;
		uint64_t total_kb, real_large_kb, large_kb;
	} cases[] = {
		{ MMT_ARCH_X86_32, "DirectMap4M:", 12280 + 884736, 884736, 4096 },
		{ MMT_ARCH_X86_32_PAE, "DirectMap2M:", 10232 + 890880, 890880, 2048 },
	};

	for (unsigned i = 0; i < 2; i++) {
		struct mmt_machine *m = test_machine(cases[i].arch, "2G");
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		char err[128];
		unsigned long long k4 = 0, large = 0;
		const char *p;

		CHECK(mmt_view_print(m, "meminfo", f, MMT_FMT_TEXT, err, sizeof(err)) == 0);
		fclose(f);
		p = strstr(buf, "DirectMap4k:");
		CHECK(p && sscanf(p + 12, "%llu", &k4) == 1);
		p = strstr(buf, cases[i].large);
		CHECK(p && sscanf(p + 12, "%llu", &large) == 1);
		CHECK_EQ(k4 + large, cases[i].total_kb);
		CHECK(large >= cases[i].real_large_kb);
		CHECK(large - cases[i].real_large_kb <= 4 * cases[i].large_kb);
		CHECK_EQ((large - cases[i].real_large_kb) % cases[i].large_kb, 0);
		free(buf);
		mmt_machine_free(m);
	}
}

/*
 * e820__update_table(): overlapping entries resolve to the higher type and
 * same-type neighbours merge; page 0 and 640K-1M are then carved out.
 */
TEST(e820_overlaps_resolve_like_the_kernel)
{
	struct mmt_e820 in = { 0 }, out;
	static const struct mmt_e820_entry want[] = {
		{ 0x0, 0x1000, MMT_E820_RESERVED },
		{ 0x1000, 0x9f000, MMT_E820_RAM },
		{ 0x100000, 0x700000, MMT_E820_RAM },
		{ 0x800000, 0x100000, MMT_E820_ACPI },	/* ACPI beats RAM */
		{ 0x900000, 0x300000, MMT_E820_RAM },	/* two RAM merged */
		{ 0xc00000, 0x1000, MMT_E820_UNUSABLE },
		{ 0xffffffffffff0000ULL, 0xffff, MMT_E820_RAM }, /* saturates */
	};
	unsigned i;

	in.e[in.nr++] = (struct mmt_e820_entry){ 0, 0xa00000, MMT_E820_RAM };
	in.e[in.nr++] = (struct mmt_e820_entry){ 0x800000, 0x100000,
						 MMT_E820_ACPI };
	in.e[in.nr++] = (struct mmt_e820_entry){ 0x500000, 0x700000,
						 MMT_E820_RAM };
	in.e[in.nr++] = (struct mmt_e820_entry){ 0xc00000, 0x1000,
						 MMT_E820_UNUSABLE };
	in.e[in.nr++] = (struct mmt_e820_entry){ 0xc00000, 0x1000,
						 MMT_E820_RAM };
	in.e[in.nr++] = (struct mmt_e820_entry){ 0xffffffffffff0000ULL,
						 0x10000, MMT_E820_RAM };
	mmt_e820_sanitize(&in, &out);
	CHECK_EQ(out.nr, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < out.nr && i < sizeof(want) / sizeof(want[0]); i++) {
		CHECK_EQ(out.e[i].addr, want[i].addr);
		CHECK_EQ(out.e[i].size, want[i].size);
		CHECK_EQ(out.e[i].type, want[i].type);
	}
}
