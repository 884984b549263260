// SPDX-License-Identifier: MIT
/*
 * vmalloc, vmap, ioremap: lowest-first-fit placement with a guard page,
 * the ioremap alignment rule, reuse after vfree, and /proc/vmallocinfo
 * lines that parse exactly like this host's.
 */
#include "test_kalloc.h"

#include <ctype.h>
#include <errno.h>

TEST(vmalloc_lowest_fit_with_guard_pages)
{
	for (unsigned i = 0; i < 4; i++) {
		struct mmt_machine *m = kalloc_boot(kalloc_arches[i], "1G", "2");
		uint64_t start, end, a, b, c, d;

		mmt_vmalloc_range(m, &start, &end);
		CHECK_EQ(mmt_vmalloc(m, 1, NULL, &a), 0);
		CHECK_EQ(a, start);
		CHECK_EQ(mmt_vmalloc(m, 3 * 4096, NULL, &b), 0);
		CHECK_EQ(b, a + 2 * 4096);		/* 1 page + guard */
		CHECK_EQ(mmt_vmalloc(m, 4096, NULL, &c), 0);
		CHECK_EQ(c, b + 4 * 4096);
		KALLOC_OK(m);
		/* a hole that fits is reused, lowest first */
		CHECK_EQ(mmt_vfree(m, b), 0);
		CHECK_EQ(mmt_vfree(m, b), -EINVAL);
		CHECK_EQ(mmt_vmalloc(m, 2 * 4096, NULL, &d), 0);
		CHECK_EQ(d, b);
		KALLOC_OK(m);
		CHECK_EQ(mmt_find_vm_area(m, d + 2 * 4096)->addr, d);	/* guard */
		CHECK(mmt_find_vm_area(m, d + 3 * 4096) == NULL);	/* hole */
		/* more than RAM: -EINVAL; more than the space: -ENOMEM */
		CHECK_EQ(mmt_vmalloc(m, end - start, NULL, &d),
			 mmt_arch_is_64(m->cfg.arch) ? -EINVAL : -ENOMEM);
		CHECK_EQ(mmt_vmalloc(m, 0, NULL, &d), -EINVAL);
		KALLOC_OK(m);
		mmt_machine_free(m);
	}
}

TEST(vmalloc_ioremap_alignment_rule)
{
	struct mmt_machine *m = kalloc_boot(MMT_ARCH_X86_64, "1G", "2");
	uint64_t start, end, a, io, io2;
	const struct mmt_vm_struct *vm;

	mmt_vmalloc_range(m, &start, &end);
	CHECK_EQ(mmt_vmalloc(m, 4096, NULL, &a), 0);
	/* 24 KiB: align = 1 << fls(24K) = 32 KiB */
	CHECK_EQ(mmt_ioremap(m, 0xfe000000, 0x6000, NULL, &io), 0);
	CHECK_EQ(io & 0x7fff, 0);
	CHECK_EQ(io, start + 0x8000);
	vm = mmt_find_vm_area(m, io);
	CHECK(vm && vm->size == 0x7000 && vm->phys_addr == 0xfe000000);
	/* 4 MiB + 1 byte spans 1025 pages: align 8 MiB */
	CHECK_EQ(mmt_ioremap(m, 0xf0000fff, 0x400001, NULL, &io2), 0);
	CHECK_EQ((io2 & ~0xfffull) & ((8ull << 20) - 1), 0);
	CHECK_EQ(io2 & 0xfff, 0xfff);
	/* RAM is refused */
	CHECK_EQ(mmt_ioremap(m, 0x200000, 4096, NULL, &a), -EINVAL);
	CHECK_EQ(mmt_iounmap(m, io2), 0);
	CHECK_EQ(mmt_iounmap(m, io), 0);
	KALLOC_OK(m);
	mmt_machine_free(m);
}

TEST(vmalloc_vmap_keeps_callers_pages)
{
	struct mmt_machine *m = kalloc_boot(MMT_ARCH_X86_32_PAE, "2G", "2");
	uint64_t pfn[3], va, pa;

	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(mmt_alloc_pages(m, MMT_GFP_HIGHUSER, 0, &pfn[i]), 0);
	CHECK_EQ(mmt_vmap(m, pfn, 3, "vmap_test+0x4/0x20", &va), 0);
	KALLOC_OK(m);
	for (unsigned i = 0; i < 3; i++) {
		CHECK_EQ(kalloc_xlate(m, va + i * 4096, &pa), MMT_XLATE_OK);
		CHECK_EQ(pa, pfn[i] << 12);
	}
	CHECK_EQ(mmt_vfree(m, va), -EINVAL);	/* not a vmalloc area */
	CHECK_EQ(mmt_vunmap(m, va), 0);
	CHECK_EQ(kalloc_xlate(m, va, &pa), MMT_XLATE_PF);
	KALLOC_OK(m);
	for (unsigned i = 0; i < 3; i++)	/* still the caller's */
		mmt_free_pages(m, pfn[i], 0);
	KALLOC_OK(m);
	mmt_machine_free(m);
}

/* One word after the size column of /proc/vmallocinfo is well formed. */
static bool good_word(const char *w, unsigned phys_digits)
{
	static const char *const flags[] = { "ioremap", "sparse", "vmalloc",
		"vmap", "user", "dma-coherent", "vpages", "unpurged",
		"vm_area", "vm_map_ram" };
	unsigned a, b, n;
	int end = -1;

	for (unsigned i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (!strcmp(w, flags[i]))
			return true;
	if (sscanf(w, "pages=%u%n", &a, &end) == 1 && !w[end])
		return true;
	if (sscanf(w, "N%u=%u%n", &a, &b, &end) == 2 && !w[end])
		return true;
	if (!strncmp(w, "phys=0x", 7)) {
		for (n = 0; isxdigit((unsigned char)w[7 + n]); n++)
			;
		return !w[7 + n] && (n == phys_digits || !phys_digits);
	}
	/* caller: symbol+0xoff/0xsize [module] */
	end = -1;
	if (sscanf(w, "%*[A-Za-z0-9_.]+0x%x/0x%x%n", &a, &b, &end) == 2 &&
	    !w[end])
		return true;
	return w[0] == '[' && w[strlen(w) - 1] == ']';
}

/* A /proc/vmallocinfo line with @digits-wide addresses; true if valid. */
static bool vmallocinfo_line_ok(char *line, unsigned digits,
				unsigned phys_digits)
{
	unsigned n1 = 0, n2 = 0;
	char *p = line, *save = NULL;
	long size;
	int end = -1;

	if (strncmp(p, "0x", 2))
		return false;
	for (p += 2; isxdigit((unsigned char)*p); p++)
		n1++;
	if (*p++ != '-' || strncmp(p, "0x", 2))
		return false;
	for (p += 2; isxdigit((unsigned char)*p); p++)
		n2++;
	if (n1 != digits || n2 != digits || *p != ' ')
		return false;
	/* " %7ld": at least 7 characters, right-aligned */
	if (sscanf(p, " %ld%n", &size, &end) != 1 || end < 8 || size <= 0)
		return false;
	p += end;
	line[strcspn(line, "\n")] = 0;
	for (char *w = strtok_r(p, " ", &save); w; w = strtok_r(NULL, " ", &save))
		if (!good_word(w, phys_digits))
			return false;
	return true;
}

static char *model_vmallocinfo(enum mmt_arch arch)
{
	struct mmt_machine *m = kalloc_boot(arch, "2G", "2");
	uint64_t a, pfn[2];
	char *buf = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&buf, &len);

	CHECK_EQ(mmt_vmalloc(m, 4 * 4096, "kernel_clone+0x94/0x3e0", &a), 0);
	CHECK_EQ(mmt_ioremap(m, 0xa0000, 8192, "acpi_os_map_iomem+0x1bc/0x1e0",
			     &a), 0);
	CHECK_EQ(mmt_vmalloc(m, 2000 * 4096, "big_table+0x1/0x2", &a), 0);
	CHECK_EQ(mmt_alloc_pages(m, MMT_GFP_KERNEL, 0, &pfn[0]), 0);
	CHECK_EQ(mmt_alloc_pages(m, MMT_GFP_KERNEL, 0, &pfn[1]), 0);
	CHECK_EQ(mmt_vmap(m, pfn, 2, "irq_init_percpu_irqstack+0xca/0x100",
			  &a), 0);
	mmt_vmallocinfo_print(m, o);
	fclose(o);
	mmt_machine_free(m);
	return buf;
}

TEST(vmalloc_vmallocinfo_format_matches_host)
{
	static const unsigned digits[4] = { 8, 8, 16, 16 };
	static const unsigned phys_digits[4] = { 8, 16, 16, 16 };
	FILE *h = fopen("/proc/vmallocinfo", "r");
	char line[1024];

	for (unsigned i = 0; i < 4; i++) {
		char *buf = model_vmallocinfo(kalloc_arches[i]), *save = NULL;
		unsigned n = 0;

		for (char *l = strtok_r(buf, "\n", &save); l;
		     l = strtok_r(NULL, "\n", &save), n++)
			if (!vmallocinfo_line_ok(l, digits[i], phys_digits[i]))
				test_fail(__FILE__, __LINE__, "%s: model line "
					  "'%s'", mmt_arch_name(kalloc_arches[i]),
					  l);
		CHECK_EQ(n, 4);
		free(buf);
	}
	if (!h)
		return;
	while (fgets(line, sizeof(line), h)) {
		char copy[1024];

		snprintf(copy, sizeof(copy), "%s", line);
		if (!vmallocinfo_line_ok(copy, 16, 16))
			test_fail(__FILE__, __LINE__, "host line '%s'", line);
	}
	fclose(h);
}

TEST(vmalloc_vmallocinfo_exact_text)
{
	struct mmt_machine *m = kalloc_boot(MMT_ARCH_X86_64, "1G", "2");
	char *buf = NULL, want[512];
	size_t len = 0;
	FILE *o = open_memstream(&buf, &len);
	uint64_t a, io, start, end;

	mmt_vmalloc_range(m, &start, &end);
	CHECK_EQ(mmt_vmalloc(m, 4 * 4096, "kernel_clone+0x94/0x3e0", &a), 0);
	CHECK_EQ(mmt_ioremap(m, 0xa0000, 8192, "acpi_os_map_iomem+0x1bc/0x1e0",
			     &io), 0);
	mmt_vmallocinfo_print(m, o);
	fclose(o);
	snprintf(want, sizeof(want),
		 "0x%016" PRIx64 "-0x%016" PRIx64 "   20480 kernel_clone+0x94/"
		 "0x3e0 pages=4 vmalloc N0=4\n"
		 "0x%016" PRIx64 "-0x%016" PRIx64 "   12288 acpi_os_map_iomem+"
		 "0x1bc/0x1e0 phys=0x00000000000a0000 ioremap\n",
		 start, start + 0x5000, start + 0x8000, start + 0xb000);
	CHECK_STR(buf, want);
	free(buf);
	mmt_machine_free(m);
}
