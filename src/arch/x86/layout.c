// SPDX-License-Identifier: MIT
/*
 * Address-space layout of the four x86 profiles, computed from the machine's
 * configuration with the kernel's formulas.  Sources (read, not copied):
 * arch/x86/include/asm/page_32_types.h, pgtable_32_areas.h, fixmap.h,
 * page_64_types.h, pgtable_64_types.h, arch/x86/mm/init_32.c
 * (find_low_pfn_range, initmem_init), arch/x86/mm/kaslr.c,
 * arch/x86/mm/mmap.c and Documentation/arch/x86/x86_64/mm.rst.
 */
#include <mmtwin/layout.h>
#include <mmtwin/random.h>

#include "fixmap_enum.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define KB(x) ((uint64_t)(x) << 10)
#define MB(x) ((uint64_t)(x) << 20)
#define GB(x) ((uint64_t)(x) << 30)
#define TB(x) ((uint64_t)(x) << 40)
#define PAGE MMT_PAGE_SIZE
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define ALIGN_UP(x, a) (((x) + (uint64_t)(a) - 1) & ~((uint64_t)(a) - 1))

static const char *const zone_names[MMT_NR_ZONES] = {
	"DMA", "DMA32", "Normal", "HighMem", "Movable"
};

const char *mmt_zone_name(enum mmt_zone_type z)
{
	return z < MMT_NR_ZONES ? zone_names[z] : "?";
}

static void note(struct mmt_layout *l, const char *fmt, ...)
{
	va_list ap;

	if (l->nr_notes >= sizeof(l->notes) / sizeof(l->notes[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(l->notes[l->nr_notes++], sizeof(l->notes[0]), fmt, ap);
	va_end(ap);
}

static void kreg(struct mmt_layout *l, uint64_t start, uint64_t end_excl,
		 enum mmt_region_kind kind, const char *name, const char *desc)
{
	struct mmt_region *r;

	if (end_excl != 0 && end_excl <= start)
		return;
	r = &l->kregions[l->nr_kregions++];
	r->start = start;
	r->last = end_excl - 1;	/* end_excl == 0 means "up to 2^64" */
	r->kind = kind;
	r->name = name;
	r->desc = desc;
}

static void ureg(struct mmt_layout *l, uint64_t start, uint64_t end_excl,
		 const char *name, const char *desc)
{
	struct mmt_region *r = &l->uregions[l->nr_uregions++];

	r->start = start;
	r->last = end_excl - 1;
	r->kind = MMT_RK_USER;
	r->name = name;
	r->desc = desc;
}

/* Sort rows high address first and fill the gaps with "hole" rows. */
static void finish_table(struct mmt_layout *l, uint64_t lowest, uint64_t top)
{
	struct mmt_region tmp[MMT_MAX_REGIONS];
	unsigned n = l->nr_kregions, i, j, out = 0;
	uint64_t next_last = top;

	for (i = 1; i < n; i++)	/* insertion sort, descending start */
		for (j = i; j > 0 && l->kregions[j].start >
				      l->kregions[j - 1].start; j--) {
			struct mmt_region t = l->kregions[j];
			l->kregions[j] = l->kregions[j - 1];
			l->kregions[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		struct mmt_region *r = &l->kregions[i];

		if (r->last < next_last && out < MMT_MAX_REGIONS)
			tmp[out++] = (struct mmt_region){
				r->last + 1, next_last, MMT_RK_HOLE, "hole",
				"unused hole"
			};
		if (out < MMT_MAX_REGIONS)
			tmp[out++] = *r;
		next_last = r->start - 1;
		if (r->start == 0)
			break;
	}
	if (n && l->kregions[n - 1].start > lowest && out < MMT_MAX_REGIONS)
		tmp[out++] = (struct mmt_region){ lowest, next_last, MMT_RK_HOLE,
						  "hole", "unused hole" };
	memcpy(l->kregions, tmp, out * sizeof(tmp[0]));
	l->nr_kregions = out;
}

uint64_t mmt_mmap_base(uint64_t ts, uint64_t rlim_stack, uint64_t stack_rnd_max,
		       uint64_t rnd)
{
	uint64_t gap = rlim_stack, pad = stack_rnd_max + MB(1);
	uint64_t lo = MB(128), hi = ts / 6 * 5;

	if (gap + pad > gap)	/* RLIM_INFINITY must not wrap */
		gap += pad;
	if (gap < lo)
		gap = lo;
	if (gap > hi)
		gap = hi;
	return ALIGN_UP(ts - gap - rnd, PAGE);
}

int mmt_layout_pfn_zone(const struct mmt_layout *l, uint64_t pfn)
{
	for (int z = 0; z < MMT_NR_ZONES; z++)
		if (l->zone_end_pfn[z] && pfn >= l->zone_start_pfn[z] &&
		    pfn < l->zone_end_pfn[z])
			return z;
	return -1;
}

struct mmt_phys_bits mmt_arch_phys_bits(enum mmt_arch arch)
{
	switch (arch) {
	case MMT_ARCH_X86_32: return (struct mmt_phys_bits){ 32, 32 };
	case MMT_ARCH_X86_32_PAE: return (struct mmt_phys_bits){ 36, 44 };
	/* MAX_ARCH_PFN = MAXMEM >> PAGE_SHIFT, MAXMEM = 2^MAX_PHYSMEM_BITS:
	 * 46 with 4-level paging, 52 with 5-level */
	case MMT_ARCH_X86_64: return (struct mmt_phys_bits){ 46, 52 };
	default: return (struct mmt_phys_bits){ 52, 52 };
	}
}

uint64_t mmt_max_arch_pfn(enum mmt_arch arch)
{
	return 1ULL << (mmt_arch_phys_bits(arch).max_arch - MMT_PAGE_SHIFT);
}

static void zones_set(struct mmt_layout *l, enum mmt_zone_type z,
		      uint64_t start, uint64_t end)
{
	if (end > start) {
		l->zone_start_pfn[z] = start;
		l->zone_end_pfn[z] = end;
	}
}

/* ------------------------------------------------------------------ x86_32 */

static uint64_t page_offset_32(unsigned vmsplit_gb)
{
	return vmsplit_gb == 2 ? 0x80000000ULL :
	       vmsplit_gb == 1 ? 0x40000000ULL : 0xC0000000ULL;
}

void mmt_fix_kconfig_for(const struct mmt_config *c, struct mmt_fix_kconfig *k)
{
	bool is32 = !mmt_arch_is_64(c->arch);

	memset(k, 0, sizeof(*k));
	k->is_32 = is32;
	k->vsyscall_emulation = c->kc.vsyscall_emulation;
	k->ohci1394_dma_init = c->kc.ohci1394_dma_init;
	k->local_apic = 1;
	k->io_apic = 1;
	k->max_io_apics = c->kc.max_io_apics;
	k->kmap_local = is32;	/* 64-bit only with DEBUG_KMAP_LOCAL_FORCE_MAP */
	k->km_max_idx = c->kc.km_max_idx;
	k->nr_cpus = c->kc.nr_cpus;
	k->pci_mmconfig = c->kc.pci_mmconfig;
	k->paravirt_xxl = c->kc.paravirt_xxl;
	k->apei_ghes = c->kc.apei_ghes;
	k->intel_txt = c->kc.intel_txt;
	k->ptrs_per_pte = c->arch == MMT_ARCH_X86_32 ? 1024 : 512;
	/* (FIXADDR_TOP - VSYSCALL_ADDR) >> PAGE_SHIFT on 64-bit: 0x1ff */
	k->fixaddr_top_pages = 0x1ff;
}

static void paging_32(struct mmt_paging *p, bool pae)
{
	static const char *const n2[] = { "PGD", "PTE" };
	static const char *const n3[] = { "PGD", "PMD", "PTE" };

	memset(p, 0, sizeof(*p));
	p->va_bits = 32;
	if (pae) {
		p->levels = 3;
		p->entry_size = 8;
		p->shift[0] = 30, p->bits[0] = 2;
		p->shift[1] = 21, p->bits[1] = 9;
		p->shift[2] = 12, p->bits[2] = 9;
		p->large_levels = 1u << 1;	/* 2 MiB PMD leaves */
		memcpy(p->level_name, n3, sizeof(n3));
	} else {
		p->levels = 2;
		p->entry_size = 4;
		p->shift[0] = 22, p->bits[0] = 10;
		p->shift[1] = 12, p->bits[1] = 10;
		p->large_levels = 1u << 0;	/* 4 MiB PSE PGD leaves */
		memcpy(p->level_name, n2, sizeof(n2));
	}
}

/*
 * find_low_pfn_range() + initmem_init(): where lowmem ends.  @max_pfn is
 * already capped to what the paging mode can address.
 */
static void lowmem_32(const struct mmt_config *c, struct mmt_layout *l)
{
	uint64_t maxmem_pfn = l->maxmem >> MMT_PAGE_SHIFT;

	if (l->max_pfn <= maxmem_pfn) {
		l->max_low_pfn = l->max_pfn;
		note(l, "all RAM (%llu MiB) fits below MAXMEM: no highmem",
		     (unsigned long long)(l->max_pfn >> 8));
	} else {
		l->max_low_pfn = maxmem_pfn;
		/* non-PAE highmem stops at 4 GiB (MAX_NONPAE_PFN) */
		if (c->arch == MMT_ARCH_X86_32 && l->max_pfn > (1ULL << 20)) {
			l->max_pfn = 1ULL << 20;
			l->highmem_truncated = true;
		}
	}
	l->highstart_pfn = l->max_pfn > l->max_low_pfn ? l->max_low_pfn
							: l->max_pfn;
	/* high_memory = __va(highstart_pfn * PAGE_SIZE - 1) + 1 */
	l->high_memory = l->page_offset + (l->highstart_pfn << MMT_PAGE_SHIFT);
}

/*
 * The areas below __FIXADDR_TOP, top-down: fixmap, cpu_entry_area (NR_CPUS
 * areas plus the read-only IDT page), LDT, pkmap, VMALLOC_END.  They
 * depend on the build (NR_CPUS, the fixmap enum), not on RAM.  @e gets
 * the fixmap enum.
 */
static void top_areas_32(const struct mmt_config *c, struct mmt_layout *l,
			 struct mmt_fix_enum *e)
{
	bool pae = c->arch == MMT_ARCH_X86_32_PAE;
	uint64_t pmd_size = pae ? MB(2) : MB(4);
	struct mmt_fix_kconfig k;
	uint64_t cea_pages;

	mmt_fix_kconfig_for(c, &k);
	mmt_fix_enum_build(&k, e);
	l->fix_permanent = e->end_permanent;
	l->fix_total = e->end_total;
	l->fix_kmap_begin = e->kmap_begin;
	l->fix_kmap_end = e->kmap_begin + e->kmap_count - 1;
	l->fixaddr_top = 0xfffff000ULL;
	l->fixaddr_start = l->fixaddr_top - ((uint64_t)e->end_permanent << 12);
	l->fixaddr_tot_start = l->fixaddr_top - ((uint64_t)e->end_total << 12);

	cea_pages = (uint64_t)c->kc.nr_cpus * c->kc.cea_pages_per_cpu;
	l->cpu_entry_area_base =
		ALIGN_DOWN(l->fixaddr_tot_start - PAGE * (cea_pages + 1),
			   pmd_size);
	l->cpu_entry_area_size = (cea_pages + 1) * PAGE;
	l->ldt_base = ALIGN_DOWN(l->cpu_entry_area_base - PAGE, pmd_size);
	l->ldt_end = l->ldt_base + pmd_size;
	l->last_pkmap = pae ? 512 : 1024;
	l->pkmap_base = ALIGN_DOWN(l->ldt_base - PAGE, pmd_size);
	l->vmalloc_end = l->pkmap_base - 2 * PAGE;
}

/*
 * mem_init()'s build-time check BUILD_BUG_ON(VMALLOC_START >= VMALLOC_END)
 * with high_memory taken as -128 MiB: the areas above vmalloc must leave
 * room for it, or the kernel does not build.  Too many CPUs (43
 * cpu_entry_area pages and 16 kmap_local slots each) break it.
 */
static bool builds_32(const struct mmt_config *c, unsigned nr_cpus)
{
	struct mmt_config t = *c;
	struct mmt_layout l;
	struct mmt_fix_enum e;

	t.kc.nr_cpus = nr_cpus;
	memset(&l, 0, sizeof(l));
	top_areas_32(&t, &l, &e);
	return 0x100000000ULL - MB(128) + MB(8) < l.vmalloc_end;
}

/* The largest NR_CPUS for which builds_32() holds (bisection). */
static unsigned max_nr_cpus_32(const struct mmt_config *c)
{
	unsigned lo = 1, hi = c->kc.nr_cpus;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo + 1) / 2;

		if (builds_32(c, mid))
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

static int layout_32(const struct mmt_config *c, uint64_t start_pfn,
		     uint64_t end_pfn, struct mmt_layout *l, char *err,
		     size_t errlen)
{
	bool pae = c->arch == MMT_ARCH_X86_32_PAE;
	struct mmt_fix_enum e;
	uint64_t max_arch_pfn = mmt_max_arch_pfn(c->arch);

	paging_32(&l->paging, pae);
	l->page_offset = page_offset_32(c->vmsplit_gb);
	l->task_size = l->task_size_max = l->stack_top = l->page_offset;
	l->start_kernel_map = l->page_offset;

	if (!builds_32(c, c->kc.nr_cpus)) {
		snprintf(err, errlen, "NR_CPUS=%u does not build for %s: "
			 "cpu_entry_area (%u pages per CPU) and the fixmap "
			 "(%u kmap_local slots per CPU) leave no vmalloc area, "
			 "mem_init()'s BUILD_BUG_ON(VMALLOC_START >= "
			 "VMALLOC_END) fails; at most NR_CPUS=%u",
			 c->kc.nr_cpus, mmt_arch_name(c->arch),
			 c->kc.cea_pages_per_cpu, c->kc.km_max_idx,
			 max_nr_cpus_32(c));
		return -1;
	}
	top_areas_32(c, l, &e);

	/* vmalloc=<size> reserves size + VMALLOC_OFFSET below VMALLOC_END */
	l->vmalloc_reserve = c->vmalloc_bytes ? c->vmalloc_bytes + MB(8)
					      : MB(128);
	if (l->vmalloc_reserve >= l->vmalloc_end - l->page_offset) {
		snprintf(err, errlen, "vmalloc=%llu MiB leaves no lowmem",
			 (unsigned long long)(c->vmalloc_bytes >> 20));
		return -1;
	}
	l->maxmem = l->vmalloc_end - l->page_offset - l->vmalloc_reserve;

	l->max_pfn = end_pfn < max_arch_pfn ? end_pfn : max_arch_pfn;
	if (end_pfn > max_arch_pfn)
		l->highmem_truncated = true;
	lowmem_32(c, l);
	l->vmalloc_start = l->high_memory + MB(8);	/* VMALLOC_OFFSET */
	l->modules_vaddr = l->vmalloc_start;
	l->modules_end = l->vmalloc_end;

	zones_set(l, MMT_ZONE_DMA, start_pfn,
		  l->max_low_pfn < 4096 ? l->max_low_pfn : 4096);
	zones_set(l, MMT_ZONE_NORMAL, 4096, l->max_low_pfn);
	zones_set(l, MMT_ZONE_HIGHMEM, l->max_low_pfn, l->max_pfn);

	note(l, "MAXMEM = VMALLOC_END - PAGE_OFFSET - __VMALLOC_RESERVE = "
		"%#llx - %#llx - %llu MiB = %llu MiB (the notes' \"896 MB\")",
	     (unsigned long long)l->vmalloc_end,
	     (unsigned long long)l->page_offset,
	     (unsigned long long)(l->vmalloc_reserve >> 20),
	     (unsigned long long)(l->maxmem >> 20));
	note(l, "cpu_entry_area: %u CPUs x %u pages + IDT page; fixmap %u "
		"permanent + %u boot-time slots (%u kmap_local)",
	     c->kc.nr_cpus, c->kc.cea_pages_per_cpu, e.end_permanent,
	     e.end_total - e.end_permanent, e.kmap_count);
	if (l->highmem_truncated)
		note(l, "RAM above %s is not used by this kernel",
		     pae ? "64 GiB" : "4 GiB (non-PAE: 32 address bits)");

	kreg(l, l->fixaddr_start, 1ULL << 32, MMT_RK_KERNEL, "fixmap",
	     "fixed mappings: slot i at FIXADDR_TOP - i*4K; kmap_local slots");
	kreg(l, l->fixaddr_tot_start, l->fixaddr_start, MMT_RK_KERNEL,
	     "fixmap-boot", "boot-time early_ioremap slots (FIX_BTMAP)");
	kreg(l, l->cpu_entry_area_base,
	     l->cpu_entry_area_base + l->cpu_entry_area_size, MMT_RK_KERNEL,
	     "cpu_entry_area", "per-CPU GDT, TSS, entry stack (+ IDT page)");
	kreg(l, l->ldt_base, l->ldt_end, MMT_RK_KERNEL, "ldt",
	     "LDT remap for page-table isolation");
	kreg(l, l->pkmap_base, l->pkmap_base + l->last_pkmap * PAGE,
	     MMT_RK_KERNEL, "pkmap", "persistent kmap() window for highmem");
	kreg(l, l->vmalloc_start, l->vmalloc_end, MMT_RK_KERNEL, "vmalloc",
	     "vmalloc/ioremap/modules: virtually contiguous, guard page each");
	kreg(l, l->high_memory, l->vmalloc_start, MMT_RK_HOLE,
	     "vmalloc-offset", "VMALLOC_OFFSET: 8 MiB gap catching overruns");
	kreg(l, l->page_offset, l->high_memory, MMT_RK_KERNEL, "direct-map",
	     "lowmem: virt = phys + PAGE_OFFSET (__va/__pa)");
	kreg(l, 0, l->task_size, MMT_RK_USER, "user",
	     "user space, different per process");
	finish_table(l, 0, 0xffffffffULL);
	return 0;
}

/* ------------------------------------------------------------------ x86_64 */

static void paging_64(struct mmt_paging *p, bool la57)
{
	static const char *const n4[] = { "PGD", "PUD", "PMD", "PTE" };
	static const char *const n5[] = { "PGD", "P4D", "PUD", "PMD", "PTE" };
	unsigned i;

	memset(p, 0, sizeof(*p));
	p->levels = la57 ? 5 : 4;
	p->entry_size = 8;
	p->va_bits = la57 ? 57 : 48;
	for (i = 0; i < p->levels; i++) {
		p->bits[i] = 9;
		p->shift[i] = 12 + 9 * (p->levels - 1 - i);
		p->level_name[i] = la57 ? n5[i] : n4[i];
	}
	/* 1 GiB PUD and 2 MiB PMD leaves */
	p->large_levels = (1u << (p->levels - 3)) | (1u << (p->levels - 2));
}

/*
 * kernel_randomize_memory(): shuffle the direct map, vmalloc and vmemmap
 * bases inside [vaddr_start, vaddr_end), keeping their order, PUD aligned.
 */
static void kaslr_regions(const struct mmt_config *c, struct mmt_layout *l,
			  uint64_t vaddr_start, uint64_t vaddr_end,
			  uint64_t vmalloc_size)
{
	uint64_t memory_tb, size[3], *base[3], vaddr = vaddr_start, remain;
	uint64_t phys_bits = l->paging.levels == 5 ? 52 : 46;
	struct mmt_rng rng;
	unsigned i;

	mmt_rng_seed(&rng, c->seed ^ 0x6b61736c72ULL);	/* "kaslr" stream */
	memory_tb = ((l->max_pfn << MMT_PAGE_SHIFT) + TB(1) - 1) >> 40;
	memory_tb += c->kc.physical_padding_tb;
	if (memory_tb > (1ULL << (phys_bits - 40)))
		memory_tb = 1ULL << (phys_bits - 40);
	size[0] = TB(memory_tb);
	size[1] = vmalloc_size;
	/* a struct page for every page of the direct map, in TB */
	size[2] = ALIGN_UP((size[0] >> MMT_PAGE_SHIFT) * l->struct_page_size,
			   TB(1));
	base[0] = &l->page_offset;
	base[1] = &l->vmalloc_start;
	base[2] = &l->vmemmap_base;
	remain = vaddr_end - vaddr_start - size[0] - size[1] - size[2];
	for (i = 0; i < 3; i++) {
		uint64_t entropy = remain / (3 - i);

		entropy = (mmt_rng_next(&rng) % (entropy + 1)) & ~(GB(1) - 1);
		vaddr += entropy;
		*base[i] = vaddr;
		vaddr += size[i];
		vaddr = ALIGN_UP(vaddr + 1, GB(1));
		remain -= entropy;
	}
	l->direct_map_size = size[0];
	l->vmemmap_size = size[2];
	note(l, "KASLR (seed %llu): direct map %llu TiB at %#llx, vmalloc at "
		"%#llx, vmemmap at %#llx", (unsigned long long)c->seed,
	     (unsigned long long)memory_tb, (unsigned long long)l->page_offset,
	     (unsigned long long)l->vmalloc_start,
	     (unsigned long long)l->vmemmap_base);
}

static void fixmap_64(const struct mmt_config *c, struct mmt_layout *l)
{
	struct mmt_fix_kconfig k;
	struct mmt_fix_enum e;

	mmt_fix_kconfig_for(c, &k);
	mmt_fix_enum_build(&k, &e);
	l->vsyscall_addr = 0xffffffffff600000ULL;	/* -10 MiB */
	/* round_up(VSYSCALL_ADDR + PAGE_SIZE, PMD_SIZE) - PAGE_SIZE */
	l->fixaddr_top = ALIGN_UP(l->vsyscall_addr + PAGE, MB(2)) - PAGE;
	l->fix_permanent = e.end_permanent;
	l->fix_total = e.end_total;
	l->fixaddr_start = l->fixaddr_top - ((uint64_t)e.end_permanent << 12);
	l->fixaddr_tot_start = l->fixaddr_top - ((uint64_t)e.end_total << 12);
}

static int layout_64(const struct mmt_config *c, uint64_t start_pfn,
		     uint64_t end_pfn, struct mmt_layout *l)
{
	bool la57 = c->arch == MMT_ARCH_X86_64_LA57;
	unsigned vshift = la57 ? 56 : 47;	/* __VIRTUAL_MASK_SHIFT */
	unsigned pgdir_shift = la57 ? 48 : 39, p4d_shift = 39;
	uint64_t vmalloc_size = TB(la57 ? 12800 : 32);
	uint64_t kasan_off = 0xdffffc0000000000ULL;
	uint64_t kstart = ~0ULL << vshift;	/* lowest kernel address */

	paging_64(&l->paging, la57);
	l->max_pfn = end_pfn;
	l->max_low_pfn = end_pfn;
	l->task_size_max = (1ULL << vshift) - PAGE;
	l->task_size = l->task_size_max;
	l->default_map_window = (1ULL << 47) - PAGE;
	l->stack_top = l->default_map_window;	/* STACK_TOP = TASK_SIZE_LOW */
	l->compat_task_size = 0xFFFFe000ULL;	/* IA32_PAGE_OFFSET */

	/* GUARD_HOLE: 16 PGD slots from entry -256; LDT: entry -240 */
	l->guard_hole_start = (uint64_t)-256 << pgdir_shift;
	l->guard_hole_end = l->guard_hole_start + (16ULL << pgdir_shift);
	l->ldt_base = (uint64_t)-240 << pgdir_shift;
	l->ldt_end = l->ldt_base + (1ULL << pgdir_shift);
	l->page_offset = la57 ? 0xff11000000000000ULL : 0xffff888000000000ULL;
	l->vmalloc_start = la57 ? 0xffa0000000000000ULL : 0xffffc90000000000ULL;
	l->vmemmap_base = la57 ? 0xffd4000000000000ULL : 0xffffea0000000000ULL;
	/* the direct-map window is half the kernel half; vmemmap holds one
	 * struct page per 4 KiB of it */
	l->direct_map_size = 1ULL << (vshift - 1);
	l->vmemmap_size = (l->direct_map_size >> MMT_PAGE_SHIFT) *
			  l->struct_page_size;
	l->cpu_entry_area_base = (uint64_t)-4 << p4d_shift;
	l->cpu_entry_area_size = 1ULL << p4d_shift;
	if (c->kaslr && c->kc.randomize_memory)	/* vaddr_end = CEA base */
		kaslr_regions(c, l, l->page_offset, l->cpu_entry_area_base,
			      vmalloc_size);
	l->vmalloc_end = l->vmalloc_start + vmalloc_size - 1;
	l->high_memory = l->page_offset + (end_pfn << MMT_PAGE_SHIFT);
	/* KASAN_SHADOW_START/END for a generic-KASAN kernel (scale 3) */
	l->kasan_shadow_start = kasan_off + (kstart >> 3);
	l->kasan_shadow_end = kasan_off + (1ULL << 61);
	l->espfix_base = (uint64_t)-2 << p4d_shift;
	l->efi_va_start = (uint64_t)-4 * GB(1);
	l->efi_va_end = (uint64_t)-68 * GB(1);
	l->start_kernel_map = 0xffffffff80000000ULL;
	l->kernel_image_size = c->kc.randomize_base ? GB(1) : MB(512);
	l->modules_vaddr = l->start_kernel_map + l->kernel_image_size;
	l->modules_end = 0xffffffffff000000ULL;
	fixmap_64(c, l);

	zones_set(l, MMT_ZONE_DMA, start_pfn, end_pfn < 4096 ? end_pfn : 4096);
	zones_set(l, MMT_ZONE_DMA32, 4096,
		  end_pfn < (1ULL << 20) ? end_pfn : 1ULL << 20);
	zones_set(l, MMT_ZONE_NORMAL, 1ULL << 20, end_pfn);

	kreg(l, 0xffffffffffe00000ULL, 0, MMT_RK_HOLE, "hole",
	     "unused hole (top 2 MiB)");
	kreg(l, l->vsyscall_addr, l->vsyscall_addr + PAGE, MMT_RK_KERNEL,
	     "vsyscall", "legacy vsyscall ABI page");
	kreg(l, l->fixaddr_start, l->vsyscall_addr, MMT_RK_KERNEL, "fixmap",
	     "kernel-internal fixmap range (FIXADDR_START..)");
	kreg(l, l->modules_vaddr, l->modules_end, MMT_RK_KERNEL, "modules",
	     "module mapping space");
	kreg(l, l->start_kernel_map,
	     l->start_kernel_map + l->kernel_image_size, MMT_RK_KERNEL,
	     "kernel-text", "kernel text mapping, mapped to physical address 0");
	kreg(l, l->efi_va_end, l->efi_va_start, MMT_RK_KERNEL, "efi",
	     "EFI region mapping space");
	kreg(l, l->espfix_base, l->espfix_base + (1ULL << p4d_shift),
	     MMT_RK_KERNEL, "espfix", "%esp fixup stacks (ESPFIX)");
	kreg(l, l->cpu_entry_area_base,
	     l->cpu_entry_area_base + l->cpu_entry_area_size, MMT_RK_KERNEL,
	     "cpu_entry_area", "cpu_entry_area mapping");
	if (!(c->kaslr && c->kc.randomize_memory)) {
		/* KASAN kernels cannot randomise: the rows exist without KASLR */
		kreg(l, l->cpu_entry_area_base - TB(2), l->cpu_entry_area_base,
		     MMT_RK_HOLE, "hole", "unused hole (vaddr_end for KASLR)");
		/* the shadow occupies whole PGD slots */
		kreg(l, ALIGN_DOWN(l->kasan_shadow_start, 1ULL << pgdir_shift),
		     l->kasan_shadow_end, MMT_RK_KERNEL, "kasan",
		     "KASAN shadow memory (only with CONFIG_KASAN)");
	}
	kreg(l, l->vmemmap_base, l->vmemmap_base + l->vmemmap_size,
	     MMT_RK_KERNEL, "vmemmap",
	     "virtual memory map: the struct page array (vmemmap_base)");
	kreg(l, l->vmalloc_start, l->vmalloc_end + 1, MMT_RK_KERNEL, "vmalloc",
	     "vmalloc/ioremap space (vmalloc_base)");
	kreg(l, l->page_offset, l->page_offset + l->direct_map_size,
	     MMT_RK_KERNEL, "direct-map",
	     "direct mapping of all physical memory (page_offset_base)");
	kreg(l, l->ldt_base, l->ldt_end, MMT_RK_KERNEL, "ldt",
	     "LDT remap for PTI");
	kreg(l, l->guard_hole_start, l->guard_hole_end, MMT_RK_HOLE,
	     "guard-hole", "guard hole, also reserved for hypervisor");
	kreg(l, 0x8000000000000000ULL, kstart, MMT_RK_NONCANON, "non-canonical",
	     "non-canonical hole (kernel side): #GP on access");
	kreg(l, 1ULL << vshift, 0x8000000000000000ULL, MMT_RK_NONCANON,
	     "non-canonical", "non-canonical hole (user side): #GP on access");
	kreg(l, l->task_size_max, 1ULL << vshift, MMT_RK_HOLE, "guard-hole",
	     "guard hole: top user page never mapped (SYSRET hazard)");
	kreg(l, 0, l->task_size_max, MMT_RK_USER, "user",
	     "user-space virtual memory, different per mm");
	finish_table(l, 0, UINT64_MAX);
	if (c->kc.randomize_base)
		note(l, "CONFIG_RANDOMIZE_BASE: 1 GiB kernel image slot, "
			"modules from %#llx (the doc table assumes 512 MiB)",
		     (unsigned long long)l->modules_vaddr);
	note(l, "FIXADDR_START = FIXADDR_TOP %#llx - %u slots * 4K",
	     (unsigned long long)l->fixaddr_top, l->fix_permanent);
	return 0;
}

/* ------------------------------------------------------------------ users */

/* The typical user layout of the seed notes, ASLR off, 8 MiB stack limit. */
static void user_table(struct mmt_layout *l)
{
	uint64_t rlim = MB(8), ts = l->task_size, top = l->stack_top;

	if (mmt_arch_is_64(l->arch)) {
		l->mmap_base = mmt_mmap_base(l->default_map_window, rlim, 0, 0);
		l->mmap_base_compat = mmt_mmap_base(l->compat_task_size, rlim,
						    0, 0);
		/* __TASK_UNMAPPED_BASE(ts) = PAGE_ALIGN(ts / 3) */
		l->unmapped_base = ALIGN_UP(l->default_map_window / 3, PAGE);
		l->compat_unmapped_base = ALIGN_UP(l->compat_task_size / 3, PAGE);
		l->compat_pie_base = l->compat_unmapped_base + 0x1000000;
		/* DEFAULT_MAP_WINDOW / 3 * 2, page-aligned by the ELF loader */
		l->elf_et_dyn_base = l->default_map_window / 3 * 2;
		ureg(l, top - KB(132), top, "stack",
		     "[stack]: grows down from STACK_TOP (132 KiB at exec)");
		ureg(l, l->mmap_base - MB(1), l->mmap_base, "mmap",
		     "mmap area: libraries, big malloc, grows down from mmap_base");
		ureg(l, 0x555555554000ULL, 0x555555554000ULL + MB(1), "pie",
		     "PIE text/data/bss at ELF_ET_DYN_BASE, [heap] above");
		ureg(l, 0x400000, 0x400000 + MB(1), "exec",
		     "ET_EXEC text/data/bss at the link address, [heap] above");
		ureg(l, 0, 0x400000, "reserved",
		     "unmapped: NULL dereferences fault");
		(void)ts;
		return;
	}
	l->mmap_base = mmt_mmap_base(ts, rlim, 0, 0);
	l->unmapped_base = ALIGN_UP(ts / 3, PAGE);
	l->elf_et_dyn_base = 0x400000;	/* mmap_is_ia32() */
	ureg(l, top - KB(132), top, "stack",
	     "[stack]: grows down from STACK_TOP = PAGE_OFFSET");
	ureg(l, l->mmap_base - MB(1), l->mmap_base, "mmap",
	     "mmap area: libraries, big malloc, grows down from mmap_base");
	ureg(l, 0x08048000, 0x08048000 + MB(1), "exec",
	     "classic ET_EXEC text at 0x08048000, data/bss/[heap] above");
	ureg(l, 0, 0x08048000, "reserved",
	     "unmapped below the traditional link address");
}

int mmt_layout_compute(const struct mmt_config *c, uint64_t ram_start_pfn,
		       uint64_t ram_end_pfn, struct mmt_layout *l, char *err,
		       size_t errlen)
{
	int ret;

	memset(l, 0, sizeof(*l));
	l->arch = c->arch;
	/* 64 on x86_64; 40 on Debian 6.1 i386 (gdb on the -dbg vmlinux,
	 * tests/data/i386/sizes-686.txt) */
	l->struct_page_size = mmt_arch_is_64(c->arch) ? 64 : 40;
	if (ram_end_pfn <= ram_start_pfn) {
		snprintf(err, errlen, "the memory map has no RAM");
		return -1;
	}
	if (mmt_arch_is_64(c->arch))
		ret = layout_64(c, ram_start_pfn, ram_end_pfn, l);
	else
		ret = layout_32(c, ram_start_pfn, ram_end_pfn, l, err, errlen);
	if (ret == 0)
		user_table(l);
	return ret;
}

/* ------------------------------------------------------------ queries */

const struct mmt_region *mmt_layout_find(const struct mmt_layout *l,
					 uint64_t va)
{
	unsigned i;

	for (i = 0; i < l->nr_kregions; i++)
		if (va >= l->kregions[i].start && va <= l->kregions[i].last)
			return &l->kregions[i];
	return NULL;
}

bool mmt_va_canonical(const struct mmt_layout *l, uint64_t va)
{
	unsigned drop;

	if (!mmt_arch_is_64(l->arch))
		return va <= 0xffffffffULL;
	/* bits 63..va_bits-1 must all equal bit va_bits-1: sign-extend */
	drop = 64 - l->paging.va_bits;
	return (uint64_t)((int64_t)(va << drop) >> drop) == va;
}

int mmt_pa(const struct mmt_layout *l, uint64_t va, uint64_t *pa)
{
	if (va < l->page_offset || va >= l->high_memory)
		return -1;
	*pa = va - l->page_offset;
	return 0;
}

int mmt_va(const struct mmt_layout *l, uint64_t pa, uint64_t *va)
{
	if ((pa >> MMT_PAGE_SHIFT) >= l->max_low_pfn)
		return -1;
	*va = pa + l->page_offset;
	return 0;
}

unsigned mmt_va_indexes(const struct mmt_paging *p, uint64_t va,
			unsigned idx[5], uint64_t *offset)
{
	unsigned i;

	for (i = 0; i < p->levels; i++)
		idx[i] = (va >> p->shift[i]) & ((1u << p->bits[i]) - 1);
	*offset = va & (MMT_PAGE_SIZE - 1);
	return p->levels;
}
