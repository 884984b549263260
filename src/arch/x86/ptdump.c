// SPDX-License-Identifier: MIT
/*
 * Printing page tables: the walk of one address (explain --walk, the
 * `walk` scenario command) and `show pagetable`, a summary of init_mm
 * followed by ranges in the compact format of the kernel's
 * /sys/kernel/debug/page_tables/kernel (arch/x86/mm/dump_pagetables.c):
 *
 *   0xffff888000000000-0xffff888000100000           1M     RW         GLB NX pte
 *
 * Ranges merge while level and the printed bits (USR RW PWT PCD PSE GLB
 * NX) stay the same; Accessed/Dirty are not compared.
 */
#include "pgtable_internal.h"

#include <inttypes.h>

void mmt_pt_entry_bits(const struct mmt_machine *m, unsigned level,
		       uint64_t e, char *buf, size_t len)
{
	const struct mmt_paging *p = &m->layout.paging;
	static const char *const names[9] = {
		"P", "RW", "US", "PWT", "PCD", "A", "D", "PSE", "G"
	};
	size_t n = 0;
	unsigned b;

	buf[0] = 0;
	for (b = 0; b < 9 && n < len; b++) {
		const char *s = names[b];

		if (!(e >> b & 1))
			continue;
		if (b == 7 && level == p->levels - 1)
			s = "PAT";
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " " : "", s);
	}
	if (n < len && p->entry_size == 8 && (e & MMT_PTE_NX))
		snprintf(buf + n, len - n, "%sNX", n ? " " : "");
}

static const char *size_unit(uint64_t size, uint64_t *val)
{
	static const char *const u[] = { "", "K", "M", "G", "T", "P", "E" };
	unsigned i = 0;

	while (size && !(size & 1023) && i < 6) {
		size >>= 10;
		i++;
	}
	*val = size;
	return u[i];
}

/* "(not present)", decoded when the entry carries a swap/PROT_NONE PTE. */
static void print_nonpresent(struct mmt_machine *m, uint64_t e, FILE *out)
{
	unsigned type;
	uint64_t off;

	if (mmt_pte_protnone(e))
		fprintf(out, "(not present: PROT_NONE, pfn %#" PRIx64 ")\n",
			mmt_pte_pfn(m, e));
	else if (!mmt_pte_to_swp_entry(m, e, &type, &off))
		fprintf(out, "(not present: swap type %u offset %#" PRIx64
			")\n", type, off);
	else
		fprintf(out, "(not present)\n");
}

void mmt_pt_walk_print(struct mmt_machine *m, uint64_t pgd_pfn, uint64_t va,
		       FILE *out)
{
	const struct mmt_paging *p = &m->layout.paging;
	unsigned l, w16 = p->entry_size * 2;
	struct pt_walk w;
	char bits[64];
	uint64_t e, sz, v;

	fprintf(out, "page walk of %#" PRIx64 " from CR3 pfn %#" PRIx64 ":\n",
		va, pgd_pfn);
	if (!pt_va_valid(m, va)) {
		fprintf(out, "  non-canonical: no walk, #GP\n");
		return;
	}
	pt_walk(m, pgd_pfn, va, p->levels - 1, WALK_LOOKUP, &w);
	for (l = 0; l <= w.level; l++) {
		e = l == w.level ? w.entry :
		    mmt_pt_entry_read(m, w.tbl[l], w.idx[l]);
		mmt_pt_entry_bits(m, l, e, bits, sizeof(bits));
		fprintf(out, "  %-4s index %4u  entry 0x%0*" PRIx64 "  ",
			p->level_name[l], w.idx[l], (int)w16, e);
		if (!pt_hw_present(e)) {
			print_nonpresent(m, e, out);
			continue;
		}
		fprintf(out, "%-24s", bits);
		if (pt_leaf(p, l, e)) {
			const char *u;

			sz = 1ULL << p->shift[l];
			u = size_unit(sz, &v);
			fprintf(out, " -> page pfn %#" PRIx64 " (%" PRIu64 "%s)\n",
				(pt_addr(m->kern, e) & ~(sz - 1)) >>
				MMT_PAGE_SHIFT, v, u);
		} else {
			fprintf(out, " -> table pfn %#" PRIx64 "\n",
				pt_addr(m->kern, e) >> MMT_PAGE_SHIFT);
		}
	}
	if (pt_hw_present(w.entry)) {
		sz = 1ULL << p->shift[w.level];
		fprintf(out, "  => physical address %#" PRIx64 "\n",
			((pt_addr(m->kern, w.entry) & ~(sz - 1)) | (va & (sz - 1))));
	} else {
		fprintf(out, "  => not mapped: a kernel read faults with "
			"error code 0x0, a user read with 0x4\n");
	}
}

void mmt_pt_walk_json(struct mmt_machine *m, uint64_t pgd_pfn, uint64_t va,
		      struct mmt_json *j, const char *key)
{
	const struct mmt_paging *p = &m->layout.paging;
	struct pt_walk w;
	char bits[64];
	uint64_t e, sz;

	mmt_json_begin_obj(j, key);
	mmt_json_hex(j, "cr3_pfn", pgd_pfn);
	if (!pt_va_valid(m, va)) {
		mmt_json_str(j, "result", "#GP (non-canonical)");
		mmt_json_end_obj(j);
		return;
	}
	pt_walk(m, pgd_pfn, va, p->levels - 1, WALK_LOOKUP, &w);
	mmt_json_begin_arr(j, "levels");
	for (unsigned l = 0; l <= w.level; l++) {
		e = l == w.level ? w.entry : mmt_pt_entry_read(m, w.tbl[l], w.idx[l]);
		mmt_pt_entry_bits(m, l, e, bits, sizeof(bits));
		mmt_json_begin_obj(j, NULL);
		mmt_json_str(j, "level", p->level_name[l]);
		mmt_json_u64(j, "index", w.idx[l]);
		mmt_json_hex(j, "entry", e);
		mmt_json_bool(j, "present", pt_hw_present(e));
		if (pt_hw_present(e)) {
			mmt_json_str(j, "bits", bits);
			mmt_json_bool(j, "leaf", pt_leaf(p, l, e));
			sz = pt_leaf(p, l, e) ? 1ULL << p->shift[l] : MMT_PAGE_SIZE;
			mmt_json_hex(j, "pfn", (pt_addr(m->kern, e) & ~(sz - 1)) >>
				     MMT_PAGE_SHIFT);
			if (pt_leaf(p, l, e))
				mmt_json_u64(j, "page_size", sz);
		}
		mmt_json_end_obj(j);
	}
	mmt_json_end_arr(j);
	mmt_json_bool(j, "mapped", pt_hw_present(w.entry));
	if (pt_hw_present(w.entry)) {
		sz = 1ULL << p->shift[w.level];
		mmt_json_hex(j, "pa", (pt_addr(m->kern, w.entry) & ~(sz - 1)) |
				      (va & (sz - 1)));
	}
	mmt_json_end_obj(j);
}

/* ------------------------------------------------------------ ptdump */

#define DUMP_BITS (MMT_PTE_PRESENT | MMT_PTE_RW | MMT_PTE_USER | \
		   MMT_PTE_PWT | MMT_PTE_PCD | MMT_PTE_PSE | MMT_PTE_GLOBAL | \
		   MMT_PTE_NX)
/*
 * Marks a non-present, non-zero entry (swap, PROT_NONE) in a range's
 * prot: the kernel's note_page() compares raw flag bits, so such entries
 * never merge with holes; they print with no flags, P being clear.
 */
#define DUMP_NONPRESENT (1ULL << 11)

struct ptdump {
	struct mmt_machine *m;
	FILE *out;
	uint64_t start, end, prot;	/* current range */
	int level;			/* -1: no range yet */
	const char *marker;
	uint64_t tables[5], present[5], leaves[5];
};

static const char *const lvl_names5[] = { "pgd", "p4d", "pud", "pmd", "pte" };

static const char *dump_level_name(const struct mmt_machine *m, unsigned l)
{
	return lvl_names5[5 - m->layout.paging.levels + l];
}

static void dump_line(struct ptdump *d, uint64_t end)
{
	const struct mmt_region *r;
	int width = mmt_arch_is_64(d->m->layout.arch) ? 16 : 8;
	uint64_t val, pr = d->prot;
	const char *u = size_unit(end - d->start, &val);
	bool leafpse = (unsigned)d->level != d->m->layout.paging.levels - 1;

	r = mmt_layout_find(&d->m->layout, d->start);
	if (r && r->name != d->marker) {
		fprintf(d->out, "---[ %s ]---\n", r->name);
		d->marker = r->name;
	}
	fprintf(d->out, "0x%0*" PRIx64 "-0x%0*" PRIx64 "   %9" PRIu64 "%s ",
		width, d->start, width, end, val, *u ? u : " ");
	if (!(pr & MMT_PTE_PRESENT))
		fprintf(d->out, "%-29s", "");
	else
		fprintf(d->out, "%s%s%s%s%s%s%s",
			pr & MMT_PTE_USER ? "USR " : "    ",
			pr & MMT_PTE_RW ? "RW " : "ro ",
			pr & MMT_PTE_PWT ? "PWT " : "    ",
			pr & MMT_PTE_PCD ? "PCD " : "    ",
			leafpse && (pr & MMT_PTE_PSE) ? "PSE " : "    ",
			pr & MMT_PTE_GLOBAL ? "GLB " : "    ",
			pr & MMT_PTE_NX ? "NX " : "x  ");
	fprintf(d->out, "%s\n", dump_level_name(d->m, (unsigned)d->level));
}

/*
 * [start, end) at @level with printed bits @prot (0 for a hole): extend
 * the current range or close it.  A gap between ranges (the x86_64
 * non-canonical hole) closes the current range at its own end.
 */
static void note_page(struct ptdump *d, uint64_t start, uint64_t end,
		      unsigned level, uint64_t prot)
{
	if (d->level >= 0 && start != d->end) {
		if (d->out)
			dump_line(d, d->end);
		d->level = -1;
	}
	if (d->level < 0 || (unsigned)d->level != level || d->prot != prot) {
		if (d->level >= 0 && d->out)
			dump_line(d, start);
		d->start = start;
		d->prot = prot;
		d->level = (int)level;
	}
	d->end = end;
}

/* Walker callbacks of the dump: count, then note the range. */
static int dump_hole(uint64_t start, uint64_t end, unsigned level,
		     struct mmt_walk *w)
{
	note_page(w->priv, start, end, level, 0);
	return 0;
}

static int dump_link(const struct mmt_walk_entry *e, struct mmt_walk *w)
{
	struct ptdump *d = w->priv;

	d->present[e->level]++;
	d->tables[e->level + 1]++;
	return 0;
}

static int dump_leaf(const struct mmt_walk_entry *e, struct mmt_walk *w)
{
	struct ptdump *d = w->priv;

	d->present[e->level]++;
	d->leaves[e->level]++;
	note_page(d, e->start, e->end, e->level, e->value & DUMP_BITS);
	return 0;
}

static int dump_nonpresent(const struct mmt_walk_entry *e, struct mmt_walk *w)
{
	note_page(w->priv, e->start, e->end, e->level,
		  (e->value & DUMP_BITS) | DUMP_NONPRESENT);
	return 0;
}

static const struct mmt_walk_ops dump_ops = {
	.entry = dump_link,
	.leaf = dump_leaf,
	.nonpresent = dump_nonpresent,
	.pte_hole = dump_hole,
};

/* Walk all of init_mm into @d (d->out NULL: count only). */
static void dump_walk(struct ptdump *d)
{
	d->tables[0] = 1;
	mmt_walk_page_range(d->m, d->m->kern->pgd, 0, 0, &dump_ops, d);
	if (d->level >= 0 && d->out)
		dump_line(d, d->end);
}

static void dump_summary(struct ptdump *d)
{
	struct mmt_machine *m = d->m;
	const struct mmt_paging *p = &m->layout.paging;
	uint64_t val;
	unsigned l;

	fprintf(d->out, "init_mm page tables: %s, %u levels, %u-byte "
		"entries, %" PRIu64 " page-table pages (all PGDs)\n",
		mmt_arch_name(m->layout.arch), p->levels, p->entry_size,
		m->kern->pt_pages);
	fprintf(d->out, "%-5s %8s %10s %10s  %s\n", "level", "tables",
		"present", "leaves", "leaf size");
	for (l = 0; l < p->levels; l++) {
		const char *u = size_unit(1ULL << p->shift[l], &val);

		fprintf(d->out, "%-5s %8" PRIu64 " %10" PRIu64 " %10" PRIu64
			"  %" PRIu64 "%s\n", p->level_name[l], d->tables[l],
			d->present[l], d->leaves[l], val, u);
	}
	fprintf(d->out, "\n");
}

void mmt_ptdump_print(struct mmt_machine *m, FILE *out, enum mmt_format fmt)
{
	struct ptdump d = { .m = m, .level = -1 };
	unsigned l;

	dump_walk(&d);		/* count only */
	if (fmt == MMT_FMT_JSON) {
		fprintf(out, "{\"arch\": \"%s\", \"levels\": %u, "
			"\"pt_pages\": %" PRIu64 ", \"per_level\": [",
			mmt_arch_name(m->layout.arch), m->layout.paging.levels,
			m->kern->pt_pages);
		for (l = 0; l < m->layout.paging.levels; l++)
			fprintf(out, "%s{\"level\": \"%s\", \"tables\": %" PRIu64
				", \"present\": %" PRIu64 ", \"leaves\": %"
				PRIu64 "}", l ? ", " : "",
				m->layout.paging.level_name[l], d.tables[l],
				d.present[l], d.leaves[l]);
		fprintf(out, "]}\n");
		return;
	}
	d.out = out;
	dump_summary(&d);
	d = (struct ptdump){ .m = m, .out = out, .level = -1 };
	dump_walk(&d);
}
