// SPDX-License-Identifier: MIT
/* Views of the layout: `show layout`, `show e820`, `show fixmap`. */
#include <mmtwin/views.h>

#include "arch/x86/fixmap_enum.h"

#include <inttypes.h>
#include <string.h>

static const char *kind_name(enum mmt_region_kind k)
{
	switch (k) {
	case MMT_RK_USER: return "user";
	case MMT_RK_KERNEL: return "kernel";
	case MMT_RK_HOLE: return "hole";
	case MMT_RK_NONCANON: return "non-canonical";
	}
	return "?";
}

static void print_row(FILE *out, const struct mmt_region *r, bool wide)
{
	char sz[32];

	if (r->start == 0 && r->last == UINT64_MAX)
		snprintf(sz, sizeof(sz), "16 EiB");
	else
		mmt_fmt_size(r->last - r->start + 1, sz, sizeof(sz));
	if (wide)
		fprintf(out, "  %016" PRIx64 "  %016" PRIx64 "  %10s  %-15s %s\n",
			r->start, r->last, sz, r->name, r->desc);
	else
		fprintf(out, "  %08" PRIx64 "  %08" PRIx64 "  %10s  %-15s %s\n",
			r->start, r->last, sz, r->name, r->desc);
}

static void json_regions(struct mmt_json *j, const char *key,
			 const struct mmt_region *r, unsigned n)
{
	mmt_json_begin_arr(j, key);
	for (unsigned i = 0; i < n; i++) {
		mmt_json_begin_obj(j, NULL);
		mmt_json_hex(j, "start", r[i].start);
		mmt_json_hex(j, "last", r[i].last);
		mmt_json_str(j, "name", r[i].name);
		mmt_json_str(j, "kind", kind_name(r[i].kind));
		mmt_json_str(j, "desc", r[i].desc);
		mmt_json_end_obj(j);
	}
	mmt_json_end_arr(j);
}

struct keyval {
	const char *name;
	uint64_t val;
};

/* The named constants a reader looks up in the kernel source. */
static unsigned key_values(const struct mmt_layout *l, struct keyval *kv)
{
	unsigned n = 0;

#define KV(name, v) kv[n++] = (struct keyval){ name, v }
	KV("PAGE_OFFSET", l->page_offset);
	KV("TASK_SIZE", l->task_size);
	KV("TASK_SIZE_MAX", l->task_size_max);
	KV("STACK_TOP", l->stack_top);
	KV("mmap_base", l->mmap_base);
	KV("high_memory", l->high_memory);
	KV("max_pfn", l->max_pfn);
	KV("max_low_pfn", l->max_low_pfn);
	KV("VMALLOC_START", l->vmalloc_start);
	KV("VMALLOC_END", l->vmalloc_end);
	KV("MODULES_VADDR", l->modules_vaddr);
	KV("MODULES_END", l->modules_end);
	KV("FIXADDR_START", l->fixaddr_start);
	KV("FIXADDR_TOP", l->fixaddr_top);
	KV("FIXADDR_TOT_START", l->fixaddr_tot_start);
	KV("CPU_ENTRY_AREA_BASE", l->cpu_entry_area_base);
	KV("LDT_BASE_ADDR", l->ldt_base);
	if (!mmt_arch_is_64(l->arch)) {
		KV("MAXMEM", l->maxmem);
		KV("__VMALLOC_RESERVE", l->vmalloc_reserve);
		KV("PKMAP_BASE", l->pkmap_base);
		KV("LAST_PKMAP", l->last_pkmap);
	} else {
		KV("DEFAULT_MAP_WINDOW", l->default_map_window);
		KV("VMEMMAP_START", l->vmemmap_base);
		KV("KASAN_SHADOW_START", l->kasan_shadow_start);
		KV("__START_KERNEL_map", l->start_kernel_map);
		KV("VSYSCALL_ADDR", l->vsyscall_addr);
		KV("ELF_ET_DYN_BASE", l->elf_et_dyn_base);
		KV("TASK_UNMAPPED_BASE", l->unmapped_base);
		KV("compat TASK_SIZE", l->compat_task_size);
		KV("compat STACK_TOP", l->compat_task_size);
		KV("compat mmap_base", l->mmap_base_compat);
		KV("compat ELF_ET_DYN_BASE", l->compat_pie_base);
		KV("compat UNMAPPED_BASE", l->compat_unmapped_base);
	}
#undef KV
	return n;
}

static const char *paging_desc(const struct mmt_paging *p, char *buf,
			       size_t len)
{
	size_t o = 0;

	for (unsigned i = 0; i < p->levels; i++)
		o += snprintf(buf + o, len - o, "%u/", p->bits[i]);
	snprintf(buf + o, len - o, "12");
	return buf;
}

static int layout_json(struct mmt_machine *m, FILE *out)
{
	const struct mmt_layout *l = &m->layout;
	struct keyval kv[48];
	unsigned n = key_values(l, kv);
	struct mmt_json j;
	char split[32];

	mmt_json_init(&j, out);
	mmt_json_begin_obj(&j, NULL);
	mmt_json_str(&j, "arch", mmt_arch_name(l->arch));
	mmt_json_u64(&j, "mem_bytes", m->cfg.mem_bytes);
	mmt_json_u64(&j, "levels", l->paging.levels);
	mmt_json_u64(&j, "va_bits", l->paging.va_bits);
	mmt_json_str(&j, "index_bits", paging_desc(&l->paging, split,
						    sizeof(split)));
	mmt_json_begin_obj(&j, "constants");
	for (unsigned i = 0; i < n; i++)
		mmt_json_hex(&j, kv[i].name, kv[i].val);
	mmt_json_end_obj(&j);
	json_regions(&j, "kernel", l->kregions, l->nr_kregions);
	json_regions(&j, "user", l->uregions, l->nr_uregions);
	mmt_json_begin_arr(&j, "zones");
	for (unsigned z = 0; z < MMT_NR_ZONES; z++) {
		if (l->zone_end_pfn[z] == 0)
			continue;
		mmt_json_begin_obj(&j, NULL);
		mmt_json_str(&j, "name", mmt_zone_name(z));
		mmt_json_u64(&j, "start_pfn", l->zone_start_pfn[z]);
		mmt_json_u64(&j, "end_pfn", l->zone_end_pfn[z]);
		mmt_json_end_obj(&j);
	}
	mmt_json_end_arr(&j);
	mmt_json_begin_arr(&j, "notes");
	for (unsigned i = 0; i < l->nr_notes; i++)
		mmt_json_str(&j, NULL, l->notes[i]);
	mmt_json_end_arr(&j);
	mmt_json_end_obj(&j);
	mmt_json_finish(&j);
	return 0;
}

/* "Zone ranges:" as the kernel log prints them. */
static void print_zones(FILE *out, const struct mmt_layout *l)
{
	fprintf(out, "Zone ranges:\n");
	for (unsigned z = 0; z < MMT_NR_ZONES; z++) {
		if (z == MMT_ZONE_MOVABLE)
			continue;
		if (z == MMT_ZONE_DMA32 && !mmt_arch_is_64(l->arch))
			continue;
		if (z == MMT_ZONE_HIGHMEM && mmt_arch_is_64(l->arch))
			continue;
		if (l->zone_end_pfn[z] == 0) {
			fprintf(out, "  %-8s empty\n", mmt_zone_name(z));
			continue;
		}
		fprintf(out, "  %-8s [mem 0x%016" PRIx64 "-0x%016" PRIx64 "]  %6"
			PRIu64 " MiB\n", mmt_zone_name(z),
			l->zone_start_pfn[z] << 12,
			(l->zone_end_pfn[z] << 12) - 1,
			(l->zone_end_pfn[z] - l->zone_start_pfn[z]) >> 8);
	}
}

/*
 * Whole RAM pages of the sanitised e820 map inside the kernel's span
 * [ram_start_pfn, ram_end_pfn): the RAM, without the holes the span has.
 */
static uint64_t ram_pages(const struct mmt_machine *m)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < m->e820.nr; i++) {
		const struct mmt_e820_entry *e = &m->e820.e[i];
		uint64_t s = (e->addr + MMT_PAGE_SIZE - 1) >> MMT_PAGE_SHIFT;
		uint64_t end = (e->addr + e->size) >> MMT_PAGE_SHIFT;

		if (e->type != MMT_E820_RAM)
			continue;
		if (s < m->ram_start_pfn)
			s = m->ram_start_pfn;
		if (end > m->ram_end_pfn)
			end = m->ram_end_pfn;
		if (end > s)
			n += end - s;
	}
	return n;
}

int mmt_view_layout(const struct mmt_view_ctx *c)
{
	struct mmt_machine *m = c->m;
	FILE *out = c->out;
	enum mmt_format fmt = c->fmt;
	char *err = c->err;
	size_t errlen = c->errlen;
	const struct mmt_layout *l = &m->layout;
	bool wide = mmt_arch_is_64(l->arch);
	struct keyval kv[48];
	unsigned n = key_values(l, kv), i;
	char buf[32], ram[32], split[32];

	(void)err, (void)errlen;
	if (fmt == MMT_FMT_JSON)
		return layout_json(m, out);
	mmt_fmt_size(ram_pages(m) << 12, ram, sizeof(ram));
	mmt_fmt_size((m->ram_end_pfn - m->ram_start_pfn) << 12, buf, sizeof(buf));
	fprintf(out, "%s: %u-level paging, %u-bit virtual addresses "
		"(index bits %s)\nRAM %s, spanning %s of physical addresses%s"
		"\n\n", mmt_arch_name(l->arch), l->paging.levels,
		l->paging.va_bits, paging_desc(&l->paging, split, sizeof(split)),
		ram, buf, ram_pages(m) + 4096 < m->ram_end_pfn - m->ram_start_pfn
		? " (first to last RAM page: the holes between, such as the "
		  "PCI hole below 4 GiB, included)" : "");
	fprintf(out, "Kernel space and holes (high to low):\n");
	fprintf(out, wide ? "  %-16s  %-16s  %10s  %-15s %s\n"
			  : "  %-8s  %-8s  %10s  %-15s %s\n",
		"start", "end", "size", "name", "purpose");
	for (i = 0; i < l->nr_kregions; i++)
		print_row(out, &l->kregions[i], wide);
	fprintf(out, "\nUser space, typical process (ASLR off, 8 MiB stack "
		"limit):\n");
	for (i = 0; i < l->nr_uregions; i++)
		print_row(out, &l->uregions[i], wide);
	fprintf(out, "\n");
	print_zones(out, l);
	fprintf(out, "\nKey values:\n");
	for (i = 0; i < n; i++)
		fprintf(out, "  %-24s %#" PRIx64 "\n", kv[i].name, kv[i].val);
	if (wide)
		fprintf(out, "\nCompat (ia32) tasks on this kernel: TASK_SIZE = "
			"IA32_PAGE_OFFSET %#" PRIx64 " (4 GiB - 2 pages), stack "
			"below it, mmap_base %#" PRIx64 ", PIE at %#" PRIx64 "\n",
			l->compat_task_size, l->mmap_base_compat,
			l->compat_pie_base);
	if (l->nr_notes)
		fprintf(out, "\nWhy:\n");
	for (i = 0; i < l->nr_notes; i++)
		fprintf(out, "  - %s\n", l->notes[i]);
	return 0;
}

int mmt_view_e820(const struct mmt_view_ctx *c)
{
	struct mmt_machine *m = c->m;
	FILE *out = c->out;
	enum mmt_format fmt = c->fmt;
	char *err = c->err;
	size_t errlen = c->errlen;
	const struct mmt_e820 *maps[2] = { &m->firmware, &m->e820 };
	const char *names[2] = { "firmware", "kernel" };
	struct mmt_json j;

	(void)err, (void)errlen;
	if (fmt == MMT_FMT_JSON) {
		mmt_json_init(&j, out);
		mmt_json_begin_obj(&j, NULL);
		for (int k = 0; k < 2; k++) {
			mmt_json_begin_arr(&j, names[k]);
			for (unsigned i = 0; i < maps[k]->nr; i++) {
				mmt_json_begin_obj(&j, NULL);
				mmt_json_hex(&j, "addr", maps[k]->e[i].addr);
				mmt_json_hex(&j, "size", maps[k]->e[i].size);
				mmt_json_str(&j, "type",
					     mmt_e820_type_name(maps[k]->e[i].type));
				mmt_json_end_obj(&j);
			}
			mmt_json_end_arr(&j);
		}
		mmt_json_end_obj(&j);
		mmt_json_finish(&j);
		return 0;
	}
	for (int k = 0; k < 2; k++) {
		fprintf(out, k ? "\nAfter the kernel's early fixups:\n"
			       : "Firmware map (BIOS-e820):\n");
		for (unsigned i = 0; i < maps[k]->nr; i++) {
			const struct mmt_e820_entry *e = &maps[k]->e[i];

			fprintf(out, "%s: [mem 0x%016" PRIx64 "-0x%016" PRIx64
				"] %s\n", k ? "e820" : "BIOS-e820", e->addr,
				e->addr + e->size - 1, mmt_e820_type_name(e->type));
		}
	}
	return 0;
}

int mmt_view_fixmap(const struct mmt_view_ctx *c)
{
	struct mmt_machine *m = c->m;
	FILE *out = c->out;
	enum mmt_format fmt = c->fmt;
	char *err = c->err;
	size_t errlen = c->errlen;
	const struct mmt_layout *l = &m->layout;
	struct mmt_fix_kconfig k;
	struct mmt_fix_enum e;
	struct mmt_json j;

	(void)err, (void)errlen;
	mmt_fix_kconfig_for(&m->cfg, &k);
	mmt_fix_enum_build(&k, &e);
	if (fmt == MMT_FMT_JSON) {
		mmt_json_init(&j, out);
		mmt_json_begin_obj(&j, NULL);
		mmt_json_hex(&j, "FIXADDR_TOP", l->fixaddr_top);
		mmt_json_u64(&j, "end_of_permanent", e.end_permanent);
		mmt_json_u64(&j, "end_of_fixed", e.end_total);
		mmt_json_begin_arr(&j, "groups");
		for (unsigned i = 0; i < e.nr; i++) {
			mmt_json_begin_obj(&j, NULL);
			mmt_json_str(&j, "name", e.g[i].name);
			mmt_json_u64(&j, "first", e.g[i].first);
			mmt_json_u64(&j, "count", e.g[i].count);
			mmt_json_hex(&j, "addr", l->fixaddr_top -
				     ((uint64_t)e.g[i].first << 12));
			mmt_json_end_obj(&j);
		}
		mmt_json_end_arr(&j);
		mmt_json_end_obj(&j);
		mmt_json_finish(&j);
		return 0;
	}
	fprintf(out, "FIXADDR_TOP %#" PRIx64 ", slot i at FIXADDR_TOP - i*4K "
		"(index 0 highest)\n", l->fixaddr_top);
	fprintf(out, "  %-22s %6s %6s  %-18s %s\n", "enum", "index", "slots",
		"first slot addr", "last slot addr");
	for (unsigned i = 0; i < e.nr; i++) {
		const struct mmt_fix_group *g = &e.g[i];

		fprintf(out, "  %-22s %6u %6u  %#-18" PRIx64 " %#" PRIx64 "\n",
			g->name, g->first, g->count,
			l->fixaddr_top - ((uint64_t)g->first << 12),
			l->fixaddr_top - ((uint64_t)(g->first + g->count - 1) << 12));
	}
	fprintf(out, "__end_of_permanent_fixed_addresses = %u -> FIXADDR_START "
		"%#" PRIx64 "\n", e.end_permanent, l->fixaddr_start);
	fprintf(out, "__end_of_fixed_addresses = %u -> FIXADDR_TOT_START %#"
		PRIx64 "\n", e.end_total, l->fixaddr_tot_start);
	return 0;
}
