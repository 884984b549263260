// SPDX-License-Identifier: MIT
/*
 * Kernel allocators on all four profiles: every address kmalloc, vmalloc,
 * vmap, ioremap, kmap, kmap_local, set_fixmap and per_cpu_ptr hand out
 * translates through the modelled page tables (kernel mode, via the TLB)
 * to the frame the allocator used, with kernel permissions; after the
 * matching free the translation faults even though the TLB held it.
 */
#include "test_kalloc.h"
#include "mm/kalloc_internal.h"

#include <errno.h>

const enum mmt_arch kalloc_arches[4] = {
	MMT_ARCH_X86_32, MMT_ARCH_X86_32_PAE, MMT_ARCH_X86_64,
	MMT_ARCH_X86_64_LA57,
};

struct mmt_machine *kalloc_boot(enum mmt_arch a, const char *mem,
				const char *cpus)
{
	struct mmt_config c;
	char err[256];

	mmt_config_init(&c, a);
	if (mmt_config_set(&c, "mem", mem, err, sizeof(err)) ||
	    mmt_config_set(&c, "cpus", cpus, err, sizeof(err))) {
		fprintf(stdout, "    config: %s\n", err);
		return NULL;
	}
	return test_machine_cfg(&c);
}

int kalloc_checks(struct mmt_machine *m, char *err, size_t len)
{
	if (mmt_slab_check(m, err, len) || mmt_vmalloc_check(m, err, len) ||
	    mmt_kmap_check(m, err, len) || mmt_percpu_check(m, err, len) ||
	    mmt_pgtable_check(m, err, len) || mmt_phys_check(m, err, len))
		return -1;
	return 0;
}

int kalloc_xlate(struct mmt_machine *m, uint64_t va, uint64_t *pa)
{
	unsigned pf = 0;

	*pa = 0;
	return mmt_mmu_translate(m, 0, va, MMT_ACCESS_WRITE, pa, &pf);
}

/*
 * @va translates (write, kernel mode) to @pa, and its leaf entry is a
 * kernel one: present, RW, global, not user, NX where entries have it.
 */
int kalloc_expect_map(struct mmt_machine *m, uint64_t va, uint64_t pa,
		      char *err, size_t len)
{
	struct mmt_pt_leaf leaf;
	uint64_t got, want = MMT_PTE_PRESENT | MMT_PTE_RW | MMT_PTE_GLOBAL;

	if (kalloc_xlate(m, va, &got) != MMT_XLATE_OK || got != pa) {
		snprintf(err, len, "%#" PRIx64 " -> %#" PRIx64 ", want %#" PRIx64,
			 va, got, pa);
		return -1;
	}
	if (mmt_pt_lookup(m, mmt_init_mm_pgd(m), va, &leaf)) {
		snprintf(err, len, "%#" PRIx64 ": no leaf", va);
		return -1;
	}
	if (m->layout.paging.entry_size == 8)
		want |= MMT_PTE_NX;
	if ((leaf.entry & want) != want || (leaf.entry & MMT_PTE_USER)) {
		snprintf(err, len, "%#" PRIx64 ": entry %#" PRIx64 " lacks "
			 "kernel bits %#" PRIx64 " or has US", va, leaf.entry,
			 want);
		return -1;
	}
	return 0;
}

#define MAPS(m, va, pa) do { char e_[256]; \
	if (kalloc_expect_map((m), (va), (pa), e_, sizeof(e_))) \
		test_fail(__FILE__, __LINE__, "%s: %s", \
			  mmt_arch_name((m)->cfg.arch), e_); } while (0)

#define FAULTS(m, va) do { uint64_t pa_; \
	if (kalloc_xlate((m), (va), &pa_) != MMT_XLATE_PF) \
		test_fail(__FILE__, __LINE__, "%s: %#" PRIx64 " still " \
			  "translates", mmt_arch_name((m)->cfg.arch), \
			  (uint64_t)(va)); } while (0)

static void kmalloc_translates(struct mmt_machine *m)
{
	static const size_t sizes[] = { 1, 8, 96, 100, 192, 1000, 4096, 8192,
					8193, 20000, 1 << 20 };

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const struct mmt_kmem_cache *c;
		uint64_t va, pfn;

		CHECK_EQ(mmt_kmalloc(m, sizes[i], MMT_GFP_KERNEL, &va), 0);
		CHECK_EQ(mmt_kmalloc_lookup(m, va, &c, &pfn), 0);
		CHECK(pfn < m->layout.max_low_pfn);
		MAPS(m, va, (pfn << 12) | (va & 0xfff));
		MAPS(m, va + sizes[i] - 1, mmt_pa(&m->layout, va + sizes[i] - 1,
						  &pfn) ? 0 : pfn);
		KALLOC_OK(m);
	}
}

static void vmalloc_translates(struct mmt_machine *m)
{
	const struct mmt_vm_struct *vm;
	uint64_t va, io, pa;

	CHECK_EQ(mmt_vmalloc(m, 5 * 4096 - 100, "test_fn+0x10/0x80", &va), 0);
	KALLOC_OK(m);
	vm = mmt_find_vm_area(m, va);
	CHECK(vm && vm->nr_pages == 5);
	for (unsigned i = 0; vm && i < vm->nr_pages; i++)
		MAPS(m, va + i * 4096ull + 8, (vm->pfns[i] << 12) + 8);
	FAULTS(m, va + 5 * 4096ull);	/* the guard page */
	CHECK_EQ(mmt_vfree(m, va), 0);
	KALLOC_OK(m);
	for (unsigned i = 0; i < 5; i++)
		FAULTS(m, va + i * 4096ull);

	/* ioremap: uncached, offset kept, unmapped by iounmap */
	CHECK_EQ(mmt_ioremap(m, 0xfebc0010, 0x100, NULL, &io), 0);
	CHECK_EQ(io & 0xfff, 0x10);
	MAPS(m, io, 0xfebc0010);
	{
		struct mmt_pt_leaf leaf;

		CHECK_EQ(mmt_pt_lookup(m, mmt_init_mm_pgd(m), io, &leaf), 0);
		CHECK(leaf.entry & MMT_PTE_PCD);
	}
	CHECK_EQ(kalloc_xlate(m, io, &pa), MMT_XLATE_OK);
	CHECK_EQ(mmt_iounmap(m, io), 0);
	FAULTS(m, io);
	KALLOC_OK(m);
}

static void kmap_translates(struct mmt_machine *m)
{
	uint64_t pfn, va, lo;

	CHECK_EQ(mmt_alloc_pages(m, MMT_GFP_HIGHUSER, 0, &pfn), 0);
	CHECK_EQ(mmt_kmap(m, pfn, &va), 0);
	MAPS(m, va + 0x123, (pfn << 12) + 0x123);
	KALLOC_OK(m);
	CHECK_EQ(mmt_kmap_local_page(m, 1, pfn, &lo), 0);
	MAPS(m, lo, pfn << 12);
	KALLOC_OK(m);
	CHECK_EQ(mmt_kunmap_local(m, 1, lo), 0);
	if (mmt_page_is_highmem(m, pfn))
		FAULTS(m, lo);
	else
		CHECK_EQ(lo, va);	/* page_address() both times */
	CHECK_EQ(mmt_kunmap(m, pfn), 0);
	KALLOC_OK(m);
}

static void fixmap_translates(struct mmt_machine *m)
{
	unsigned idx = m->layout.fix_permanent - 1;	/* a real, free slot */
	uint64_t va = mmt_fix_to_virt(m, idx), pa;
	unsigned back;

	CHECK_EQ(mmt_virt_to_fix(m, va + 0x80, &back), 0);
	CHECK_EQ(back, idx);
	CHECK_EQ(mmt_set_fixmap(m, idx, 0xfee00000, MMT_PAGE_KERNEL), 0);
	MAPS(m, va + 0x20, 0xfee00020);
	KALLOC_OK(m);
	CHECK_EQ(kalloc_xlate(m, va, &pa), MMT_XLATE_OK);
	CHECK_EQ(mmt_clear_fixmap(m, idx), 0);
	FAULTS(m, va);
	KALLOC_OK(m);
}

static void percpu_translates(struct mmt_machine *m)
{
	uint64_t p, a, base_pa, pa;

	CHECK_EQ(mmt_alloc_percpu(m, 24, 8, &p), 0);
	CHECK_EQ(mmt_pa(&m->layout, p, &base_pa), 0);
	for (unsigned cpu = 0; cpu < m->cfg.online_cpus; cpu++) {
		CHECK_EQ(mmt_per_cpu_ptr(m, p, cpu, &a), 0);
		CHECK_EQ(a - p, mmt_per_cpu_offset(m, cpu));
		CHECK_EQ(mmt_pa(&m->layout, a, &pa), 0);
		CHECK_EQ(pa >> 12, m->kalloc->pcpu_unit_pfn[cpu] +
			 ((p - m->kalloc->pcpu_base) >> 12));
		MAPS(m, a, pa);
	}
	CHECK_EQ(mmt_per_cpu_ptr(m, p, m->cfg.online_cpus, &a), -EINVAL);
	CHECK_EQ(mmt_free_percpu(m, p), 0);
	KALLOC_OK(m);
}

TEST(kalloc_every_address_translates_on_all_profiles)
{
	for (unsigned i = 0; i < 4; i++) {
		struct mmt_machine *m = kalloc_boot(kalloc_arches[i], "2G", "2");

		if (!m)
			continue;
		KALLOC_OK(m);
		kmalloc_translates(m);
		vmalloc_translates(m);
		kmap_translates(m);
		fixmap_translates(m);
		percpu_translates(m);
		mmt_machine_free(m);
	}
}

TEST(kalloc_scenario_commands_print_addresses)
{
	char *out = NULL, *err = NULL;
	int r = test_run_script(
		"machine --arch x86_32 --mem 2G\n"
		"kmalloc a 100\n"
		"kmalloc z 0\n"
		"alloc_page hp GFP_HIGHUSER\n"
		"kmap k hp\n"
		"kmap_local l hp cpu 1\n"
		"vmalloc v 3000 my_probe\n"
		"set_fixmap 5 0xfee00000\n"
		"alloc_percpu pc 64\n"
		"per_cpu_ptr pc 1\n"
		"show pkmap\n"
		"show fixmap-slots\n"
		"kunmap_local l\n"
		"kunmap k\n"
		"vfree v\n"
		"kfree a\n", &out, &err);

	CHECK_EQ(r, 0);
	CHECK(out && strstr(out, "a = kmalloc(100) = 0xc"));
	CHECK(out && strstr(out, "kmalloc-128"));
	CHECK(out && strstr(out, "= 0x10  (ZERO_SIZE_PTR)"));
	CHECK(out && strstr(out, "highmem, no direct-map address"));
	CHECK(out && strstr(out, "k = kmap(hp) = 0xfec01000"));
	CHECK(out && strstr(out, "pkmap slot 1, pkmap_count 2"));
	CHECK(out && strstr(out, "= FIX_KMAP_BEGIN + 16"));
	CHECK(out && strstr(out, "v = vmalloc(3000) = 0x"));
	CHECK(out && strstr(out, "set_fixmap(5, 0xfee00000): fix_to_virt = "
			    "0xffffa000"));
	CHECK(out && strstr(out, "per_cpu_ptr(pc, 1) = 0x"));
	CHECK(out && strstr(out, "kunmap(k = 0x"));
	free(out);
	free(err);
}

TEST(kalloc_scenario_bad_input_is_an_error)
{
	static const char *const bad[] = {
		"kfree nothing\n",
		"kmalloc a 5M\n",
		"kmalloc a 8\nkmalloc a 8\n",
		"alloc_page p GFP_BOGUS\n",
		"kmap k nopage\n",
		"kmalloc a 8\nvfree a\n",
		("machine --arch x86_32\nalloc_page p GFP_HIGHUSER\n"
		 "kmap_local a p\nkmap_local b p\nkunmap_local a\n"),
		"set_fixmap 99999 0x1000\n",
		"per_cpu_ptr x 1\n",
		"ioremap r 0x100000 4096\n",	/* System RAM */
		"vmalloc v 0\n",
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *out = NULL, *err = NULL;

		CHECK_EQ(test_run_script(bad[i], &out, &err), 1);
		CHECK(err && !strncmp(err, "test:", 5) && strlen(err) > 12);
		free(out);
		free(err);
	}
}
