// SPDX-License-Identifier: MIT
/*
 * Machine options: order does not matter, what does not apply is refused,
 * limits are the kernel's; and the allocator inputs the kernel refuses.
 */
#include "test.h"

#include "script/names.h"

#include <mmtwin/kalloc.h>
#include "mm/internal.h"

#include <errno.h>
#include <stdlib.h>

/* Parse @args (NULL-terminated "--key", "value" ...) onto an x86_64 base. */
static int parse(struct mmt_config *c, const char *const *args, char *err,
		 size_t len)
{
	char *argv[16];
	int argc = 0;

	for (; args[argc]; argc++)
		argv[argc] = (char *)args[argc];
	mmt_config_init(c, MMT_ARCH_X86_64);
	for (int i = 0; i < argc; i++)
		if (mmt_parse_machine_opt(c, argc, argv, &i, NULL, err, len))
			return -1;
	return mmt_config_check(c, err, len);
}

TEST(options_arch_keeps_explicit_options)
{
	static const char *const a[] = { "--nr-cpus", "64", "--arch",
					 "x86_32", NULL };
	static const char *const b[] = { "--arch", "x86_32", "--nr-cpus",
					 "64", NULL };
	static const char *const m1[] = { "--mem", "2G", "--arch", "x86_32",
					  NULL };
	static const char *const m2[] = { "--arch", "x86_32", NULL };
	static const char *const m3[] = { "--arch", "x86_32", "--arch",
					  "x86_64", NULL };
	struct mmt_config c, d;
	char err[256];

	CHECK_EQ(parse(&c, a, err, sizeof(err)), 0);
	CHECK_EQ(parse(&d, b, err, sizeof(err)), 0);
	CHECK_EQ(c.kc.nr_cpus, 64);
	CHECK_EQ(d.kc.nr_cpus, 64);
	CHECK_EQ(c.kc.cea_pages_per_cpu, 43);	/* the profile's own config */
	CHECK_EQ(parse(&c, m1, err, sizeof(err)), 0);
	CHECK_EQ(c.mem_bytes, 2ULL << 30);
	/* the default RAM size follows the final arch */
	CHECK_EQ(parse(&c, m2, err, sizeof(err)), 0);
	CHECK_EQ(c.mem_bytes, 1ULL << 30);
	CHECK_EQ(parse(&c, m3, err, sizeof(err)), 0);
	CHECK_EQ(c.mem_bytes, 4ULL << 30);
	CHECK_EQ(c.kc.nr_cpus, 256);
}

TEST(options_that_do_not_apply_are_refused_in_any_order)
{
	static const struct { const char *args[6]; const char *msg; } t[] = {
		{ { "--vmalloc", "256M", NULL }, "--vmalloc does not apply to x86_64" },
		{ { "--vmsplit", "2G", NULL }, "--vmsplit does not apply to x86_64" },
		{ { "--vmsplit", "2G", "--arch", "x86_64-la57", NULL },
		  "--vmsplit does not apply to x86_64-la57" },
		{ { "--arch", "x86_32", "--kaslr", NULL }, "--kaslr does not apply to x86_32" },
		{ { "--kaslr", "--arch", "x86_32-pae", NULL },
		  "--kaslr does not apply to x86_32-pae" },
		{ { "--cpus", "300", NULL }, "--cpus 300 is more than NR_CPUS (256" },
		{ { "--cpus", "33", "--arch", "x86_32", NULL },
		  "--cpus 33 is more than NR_CPUS (32 on x86_32)" },
		{ { "--memmap", "", NULL }, "--memmap needs a source" },
		{ { "--bogus", "1", NULL }, "unknown option '--bogus'" },
	};
	static const char *const ok[] = { "--vmsplit", "2G", "--arch",
		"x86_32", "--vmalloc", "64M", "--cpus", "33", "--nr-cpus",
		"64", NULL };
	struct mmt_config c;
	char err[256];

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err[0] = 0;
		CHECK_EQ(parse(&c, t[i].args, err, sizeof(err)), -1);
		if (!strstr(err, t[i].msg))
			test_fail(__FILE__, __LINE__, "case %u: '%s'", i, err);
	}
	CHECK_EQ(parse(&c, ok, err, sizeof(err)), 0);
	/* the API refuses them too: mmt_machine_new checks the config */
	mmt_config_init(&c, MMT_ARCH_X86_64);
	c.kaslr = false;
	CHECK(mmt_config_set(&c, "vmalloc", "128M", err, sizeof(err)) == 0);
	CHECK(mmt_machine_new(&c, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "--vmalloc does not apply") != NULL);
}

TEST(options_mem_up_to_64T_boots)
{
	struct mmt_config c;
	struct mmt_machine *m;
	char err[256];

	mmt_config_init(&c, MMT_ARCH_X86_64);
	CHECK_EQ(mmt_config_set(&c, "mem", "64T", err, sizeof(err)), 0);
	m = mmt_machine_new(&c, err, sizeof(err));
	CHECK(m != NULL);
	/* 4-level: MAX_PHYSMEM_BITS 46, RAM above 64 TiB is not used */
	if (m)
		CHECK_EQ(m->ram_end_pfn, 1ULL << 34);
	mmt_machine_free(m);
	CHECK_EQ(mmt_config_set(&c, "mem", "65T", err, sizeof(err)), -1);
	CHECK(strstr(err, "16M to 64T") != NULL);
}

TEST(options_x86_32_nr_cpus_build_limit)
{
	struct mmt_config c;
	struct mmt_machine *m;
	char err[512];

	mmt_config_init(&c, MMT_ARCH_X86_32);
	CHECK_EQ(mmt_config_set(&c, "nr-cpus", "8192", err, sizeof(err)), 0);
	CHECK(mmt_machine_new(&c, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "NR_CPUS=8192 does not build for x86_32") != NULL);
	CHECK(strstr(err, "BUILD_BUG_ON(VMALLOC_START >= VMALLOC_END)") != NULL);
	CHECK(strstr(err, "at most NR_CPUS=458") != NULL);
	/* the limit is exact: 458 builds, 459 does not */
	CHECK_EQ(mmt_config_set(&c, "nr-cpus", "458", err, sizeof(err)), 0);
	m = mmt_machine_new(&c, err, sizeof(err));
	CHECK(m != NULL);
	if (m)
		CHECK(m->layout.vmalloc_end > 0xf8800000ULL);
	mmt_machine_free(m);
	CHECK_EQ(mmt_config_set(&c, "nr-cpus", "459", err, sizeof(err)), 0);
	CHECK(mmt_machine_new(&c, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "at most NR_CPUS=458") != NULL);
}

TEST(options_numbers_have_one_rule)
{
	uint64_t v;

	CHECK(mmt_parse_addr("010", &v) == 0 && v == 10);
	CHECK(mmt_parse_addr("09", &v) == 0 && v == 9);
	CHECK(mmt_parse_addr("0x1F", &v) == 0 && v == 31);
	CHECK(mmt_parse_addr("0X10", &v) == 0 && v == 16);
	CHECK(mmt_parse_addr("0x", &v) == -1);
	CHECK(mmt_parse_addr("+5", &v) == -1);
	CHECK(mmt_parse_addr(" 5", &v) == -1);
	CHECK(mmt_parse_addr("5 ", &v) == -1);
	CHECK(mmt_parse_addr("0b1", &v) == -1);
	CHECK(mmt_parse_addr("99999999999999999999", &v) == -1);
	CHECK(mmt_parse_size("010M", &v) == 0 && v == 10ULL << 20);
	CHECK(mmt_parse_size("0x10M", &v) == 0 && v == 16ULL << 20);
}

/* All 16 zone-modifier combinations against GFP_ZONE_BAD. */
TEST(options_gfp_zone_bad_is_einval)
{
	static const unsigned bad[] = { 0x3, 0x5, 0x6, 0x7, 0xb, 0xd, 0xe,
					0xf };
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_32, "2G");
	char *out, *err;

	for (unsigned g = 0; g <= MMT_GFP_ZONEMASK; g++) {
		bool is_bad = false;
		uint64_t pfn;
		int r;

		for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			is_bad |= bad[i] == g;
		CHECK_EQ(mmt_gfp_zone_bad(g), is_bad);
		r = mmt_alloc_pages(m, g, 0, &pfn);
		CHECK_EQ(r, is_bad ? -EINVAL : 0);
		if (!r)
			mmt_free_pages(m, pfn, 0);
	}
	mmt_machine_free(m);
	CHECK_EQ(test_run_script("alloc_pages x __GFP_DMA|__GFP_HIGHMEM 0\n",
				 &out, &err), 1);
	CHECK(err && strstr(err, "test:1: GFP flags '__GFP_DMA|__GFP_HIGHMEM' "
			    "name no zone: GFP_ZONE_BAD") != NULL);
	free(out);
	free(err);
}

TEST(options_percpu_align)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "1G");
	uint64_t p;
	char *out, *err;

	/* pcpu_alloc(): align below 4 is raised to 4; else a power of two
	 * up to PAGE_SIZE */
	CHECK_EQ(mmt_alloc_percpu(m, 8, 3, &p), 0);
	CHECK_EQ(p & 3, 0);
	CHECK_EQ(mmt_alloc_percpu(m, 8, 6, &p), -EINVAL);
	CHECK_EQ(mmt_alloc_percpu(m, 8, 8192, &p), -EINVAL);
	mmt_machine_free(m);
	/* the scenario command takes __alignof__-style powers of two only */
	CHECK_EQ(test_run_script("alloc_percpu c 8 3\n", &out, &err), 1);
	CHECK(err && strstr(err, "ALIGN 3 is not a power of two") != NULL);
	free(out);
	free(err);
	CHECK_EQ(test_run_script("alloc_percpu c 8 16\n", &out, &err), 0);
	free(out);
	free(err);
}

/* VmallocUsed is vmalloc_nr_pages(): vmalloc's own pages only. */
TEST(options_meminfo_vmalloc_used)
{
	static const char script[] =
		"machine --arch x86_32 --mem 2G\n"
		"vmalloc b 12288\n"
		"alloc_page h GFP_HIGHUSER\n"
		"vmap v h\n"
		"ioremap io 0xfebc0000 8192\n"
		"show meminfo\n"
		"vfree b\n"
		"show meminfo\n";
	char *out, *err;
	const char *first, *second;

	CHECK_EQ(test_run_script(script, &out, &err), 0);
	first = out ? strstr(out, "VmallocUsed:") : NULL;
	second = first ? strstr(first + 1, "VmallocUsed:") : NULL;
	CHECK(first && !strncmp(first, "VmallocUsed:          12 kB\n", 28));
	CHECK(second && !strncmp(second, "VmallocUsed:           0 kB\n", 28));
	free(out);
	free(err);
}

/* fragment leaves order-0 holes in the buddy, not on the pcp lists. */
TEST(options_fragment_fragments)
{
	struct mmt_machine *m;
	struct mmt_config c;
	struct mmt_script s;
	struct mmt_zone *z;
	char *argv[] = { "fragment", "GFP_KERNEL", "200" };
	const struct mmt_script_cmd *cmd = NULL;
	uint64_t before;

	for (const struct mmt_script_cmd *k = mmt_script_cmds_phys; k->name; k++)
		if (!strcmp(k->name, "fragment"))
			cmd = k;
	CHECK(cmd != NULL);
	if (!cmd)
		return;
	mmt_config_init(&c, MMT_ARCH_X86_64);
	m = test_machine_cfg(&c);
	z = &m->phys->nodes[0].zones[MMT_ZONE_NORMAL];
	before = z->free_area[0].nr_free;
	memset(&s, 0, sizeof(s));
	s.cfg = c;
	s.m = m;
	s.out = fopen("/dev/null", "w");
	CHECK_EQ(cmd->fn(&s, 3, argv), 0);
	/* 100 freed pages, each an order-0 block (a few of the blocks
	 * that were there before may have been allocated) */
	CHECK(z->free_area[0].nr_free >= before + 90);
	{
		char e[256];

		CHECK_EQ(mmt_phys_check(m, e, sizeof(e)), 0);
	}
	fclose(s.out);
	mmt_script_names_clear(&s);
	mmt_machine_free(m);
}
