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
		if (!pte_present(e)) {
			fprintf(out, "(not present)\n");
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
	if (pte_present(w.entry)) {
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
		mmt_json_bool(j, "present", pte_present(e));
		if (pte_present(e)) {
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
	mmt_json_bool(j, "mapped", pte_present(w.entry));
	if (pte_present(w.entry)) {
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

struct ptdump {
	struct mmt_machine *m;
	FILE *out;
	uint64_t start, prot;	/* current range */
	int level;		/* -1: no range yet */
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

/* A range [addr, ...) with @prot at @level starts: close the current. */
static void note_page(struct ptdump *d, uint64_t addr, unsigned level,
		      uint64_t prot, bool force)
{
	prot &= DUMP_BITS;
	if (!(prot & MMT_PTE_PRESENT))
		prot = 0;
	if (d->level >= 0 && !force && (unsigned)d->level == level &&
	    d->prot == prot)
		return;
	if (d->level >= 0 && d->out)
		dump_line(d, addr);
	d->start = addr;
	d->prot = prot;
	d->level = (int)level;
}

/* Sign-extend a 64-bit address to the canonical form. */
static uint64_t canon(const struct mmt_machine *m, uint64_t a)
{
	unsigned vb = m->kern->va_bits;

	if (vb == 32)
		return a;
	return (uint64_t)((int64_t)(a << (64 - vb)) >> (64 - vb));
}

static void dump_table(struct ptdump *d, uint64_t pfn, unsigned l,
		       uint64_t base)
{
	struct mmt_machine *m = d->m;
	const struct mmt_paging *p = &m->layout.paging;
	unsigned i, n = mmt_pt_ptrs(m, l);
	uint64_t e, a;

	d->tables[l]++;
	for (i = 0; i < n; i++) {
		a = canon(m, base + ((uint64_t)i << p->shift[l]));
		e = mmt_pt_entry_read(m, pfn, i);
		/* the non-canonical hole splits ranges */
		bool hole = l == 0 && i == n / 2 && mmt_arch_is_64(m->layout.arch);

		if (hole && d->level >= 0 && d->out)
			dump_line(d, base + ((uint64_t)i << p->shift[l]));
		if (hole)
			d->level = -1;
		if (!pte_present(e)) {
			note_page(d, a, l, 0, false);
			continue;
		}
		d->present[l]++;
		if (pt_leaf(p, l, e)) {
			d->leaves[l]++;
			note_page(d, a, l, e, false);
		} else {
			dump_table(d, pt_addr(m->kern, e) >> MMT_PAGE_SHIFT,
				   l + 1, a);
		}
	}
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

	dump_table(&d, m->kern->pgd, 0, 0);	/* count only */
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
	dump_table(&d, m->kern->pgd, 0, 0);
	if (d.level >= 0)
		dump_line(&d, mmt_arch_is_64(m->layout.arch) ? 0 :
			  0x100000000ULL);
}
