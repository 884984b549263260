// SPDX-License-Identifier: MIT
/*
 * /proc/PID/smaps and /proc/PID/smaps_rollup (fs/proc/task_mmu.c of 6.18:
 * show_smap, show_smaps_rollup, __show_smap, smaps_pte_entry,
 * smaps_account, smaps_page_accumulate, show_smap_vma_flags).
 *
 *   per VMA: smap_gather_stats ── walk its PTEs ── smaps_pte_entry
 *              present: vm_normal_page (the zero page is not counted)
 *              marker:  nothing (guard regions have no page)
 *            ── smaps_account(page, young = PTE A, dirty = PTE D)
 *              refcount 1, or mapcount < 2: private, full Pss
 *              else shared, Pss (4096 << 12) / mapcount
 *
 * Values are bytes in mem_size_stats and printed >> 10 in 8 columns
 * (seq_put_decimal_ull_width); Pss and friends are 12-bit fixed point
 * (PSS_SHIFT), truncated when printed, as the kernel does.
 *
 * The model has no swap, KSM, hugetlb or THP mappings: those fields
 * are 0.  THPeligible follows thp_vma_allowable_orders(TVA_SMAPS) with
 * the reference host's settings: THP "madvise", only the PMD order
 * (2 MiB, "inherit") enabled, shmem_enabled "never"; file VMAs report 0
 * (READ_ONLY_THP_FOR_FS is not modelled).  The x86_32 profiles print the
 * Debian 6.1 layout: no KSM line, "THPeligible:    %d".  No PKU on the
 * reference host: ProtectionKey is printed only with sysctl.pku.
 *
 * JSON (not a kernel format): {"pid", "vmas": [{"start", "end", "name",
 * "Size", "Rss", ... in kB, "THPeligible", "VmFlags"}]} and for the
 * rollup one object with "start", "end" and the rollup's fields.
 */
#include "mm/internal.h"
#include "mm/memory.h"
#include "proc/proc_internal.h"

#include <mmtwin/pagewalk.h>
#include <mmtwin/views.h>

#include <string.h>

#define PSS_SHIFT 12
#define PAGE MMT_PAGE_SIZE

struct mem_size_stats {
	uint64_t resident, shared_clean, shared_dirty, private_clean,
		 private_dirty, referenced, anonymous, lazyfree, ksm,
		 anonymous_thp, shmem_thp, file_thp, swap, shared_hugetlb,
		 private_hugetlb;
	uint64_t pss, pss_anon, pss_file, pss_shmem, pss_dirty, pss_locked,
		 swap_pss;
};

struct smaps_walk {
	struct mmt_machine *m;
	const struct mmt_vma *vma;
	struct mem_size_stats *mss;
};

/* smaps_page_accumulate() */
static void smaps_page_accumulate(struct mem_size_stats *mss,
				  const struct mmt_page *pg, uint64_t size,
				  uint64_t pss, bool dirty, bool locked,
				  bool private)
{
	mss->pss += pss;
	if (pg->flags & MMT_PG_ANON)
		mss->pss_anon += pss;
	else if (pg->flags & MMT_PG_SWAPBACKED)
		mss->pss_shmem += pss;
	else
		mss->pss_file += pss;
	if (locked)
		mss->pss_locked += pss;
	if (dirty || (pg->flags & MMT_PG_DIRTY)) {
		mss->pss_dirty += pss;
		if (private)
			mss->private_dirty += size;
		else
			mss->shared_dirty += size;
	} else if (private) {
		mss->private_clean += size;
	} else {
		mss->shared_clean += size;
	}
}

/* smaps_account() for one order-0 page mapped by a present PTE. */
static void smaps_account(struct mem_size_stats *mss,
			  const struct mmt_page *pg, bool young, bool dirty,
			  bool locked)
{
	uint64_t pss = PAGE << PSS_SHIFT;

	if (pg->flags & MMT_PG_ANON) {
		mss->anonymous += PAGE;
		if (!(pg->flags & MMT_PG_SWAPBACKED) && !dirty &&
		    !(pg->flags & MMT_PG_DIRTY))
			mss->lazyfree += PAGE;
	}
	mss->resident += PAGE;
	if (young)	/* no PG_referenced/idle tracking in the model */
		mss->referenced += PAGE;
	if (pg->refcount == 1) {
		smaps_page_accumulate(mss, pg, PAGE, pss, dirty, locked, true);
		return;
	}
	if (pg->mapcount >= 2)
		pss /= (uint64_t)pg->mapcount;
	smaps_page_accumulate(mss, pg, PAGE, pss, dirty, locked,
			      pg->mapcount < 2);
}

/* smaps_pte_entry() for a present PTE. */
static int smaps_leaf(const struct mmt_walk_entry *e, struct mmt_walk *w)
{
	struct smaps_walk *s = w->priv;
	uint64_t pfn = vm_normal_pfn(s->m, e->value);

	if (pfn == MMT_PFN_NONE || pfn >= s->m->phys->max_pfn)
		return 0;
	smaps_account(s->mss, &s->m->phys->pages[pfn],
		      e->value & MMT_PTE_ACCESSED, e->value & MMT_PTE_DIRTY,
		      s->vma->vm_flags & MMT_VM_LOCKED);
	return 0;
}

/* Not present to the MMU: PROT_NONE entries are pte_present() all the
 * same; swap entries and markers have no page here. */
static int smaps_nonpresent(const struct mmt_walk_entry *e,
			    struct mmt_walk *w)
{
	return mmt_pte_present(e->value) ? smaps_leaf(e, w) : 0;
}

/* smap_gather_stats(): the VMA's PTEs into @mss. */
static void smap_gather_stats(struct mmt_machine *m, const struct mmt_vma *v,
			      struct mem_size_stats *mss)
{
	static const struct mmt_walk_ops ops = {
		.leaf = smaps_leaf, .nonpresent = smaps_nonpresent,
	};
	struct smaps_walk s = { m, v, mss };

	mmt_walk_page_range(m, v->vm_mm->pgd_pfn, v->vm_start, v->vm_end,
			    &ops, &s);
}

/* vma_is_anonymous(): no vm_ops (special mappings have some). */
static bool vma_anonymous(const struct mmt_vma *v)
{
	return !v->vm_file && !v->vm_special;
}

/*
 * thp_vma_allowable_orders(vma, vm_flags, TVA_SMAPS, THP_ORDERS_ALL) != 0
 * with THP "madvise" and only the PMD order enabled ("inherit"): an
 * anonymous VMA with VM_HUGEPAGE, not VM_NOHUGEPAGE, holding one aligned
 * PMD-sized range (thp_vma_suitable_order).  shmem "never", file THP not
 * modelled: 0.  x86_32 without PAE has no THP.
 */
static bool thp_eligible(const struct mmt_machine *m, const struct mmt_vma *v)
{
	uint64_t hsize;

	if (m->cfg.arch == MMT_ARCH_X86_32 || !vma_anonymous(v))
		return false;
	if (!(v->vm_flags & MMT_VM_HUGEPAGE) ||
	    (v->vm_flags & MMT_VM_NOHUGEPAGE))
		return false;
	hsize = 1ULL << m->layout.paging.shift[m->layout.paging.levels - 2];
	return v->vm_end - v->vm_start >= hsize &&
	       ((v->vm_end - hsize) & ~(hsize - 1)) >= v->vm_start;
}

/* show_smap_vma_flags(): two letters per flag, in bit order. */
static const char *const vmflag_mnemonics[64] = {
	[0] = "rd", [1] = "wr", [2] = "ex", [3] = "sh", [4] = "mr",
	[5] = "mw", [6] = "me", [7] = "ms", [8] = "gd", [9] = "um",
	[10] = "pf", [11] = "gu", [12] = "uw", [13] = "lo", [14] = "io", [15] = "sr",
	[16] = "rr", [17] = "dc", [18] = "de", [19] = "lf", [20] = "ac",
	[21] = "nr", [22] = "ht", [23] = "sf", [24] = "ar", [25] = "wf",
	[26] = "dd", [27] = "sd", [28] = "mm", [29] = "hg", [30] = "nh",
	[31] = "mg", [37] = "ss", [40] = "dp", [41] = "ui", [42] = "sl",
};

static void show_vma_flags(FILE *out, uint64_t flags)
{
	fputs("VmFlags:", out);
	for (unsigned i = 0; i < 64; i++)
		if ((flags >> i & 1) && vmflag_mnemonics[i])
			fprintf(out, " %s", vmflag_mnemonics[i]);
	fputs(" \n", out);
}

static void vmflags_string(uint64_t flags, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < 64 && o + 4 < len; i++)
		if ((flags >> i & 1) && vmflag_mnemonics[i])
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
					      o ? " " : "",
					      vmflag_mnemonics[i]);
}

/* The Debian 6.1 layout of the x86_32 profiles. */
static bool layout_6_1(const struct mmt_machine *m)
{
	return !mmt_arch_is_64(m->cfg.arch);
}

/* One "Name:   N kB" line of the kernel's SEQ_PUT_DEC (bytes in). */
static void put_kb(FILE *out, const char *name, uint64_t bytes)
{
	fprintf(out, "%s%8llu kB\n", name, (unsigned long long)(bytes >> 10));
}

/* __show_smap() */
static void show_smap_fields(const struct mmt_machine *m, FILE *out,
			     const struct mem_size_stats *s, bool rollup)
{
	put_kb(out, "Rss:            ", s->resident);
	put_kb(out, "Pss:            ", s->pss >> PSS_SHIFT);
	put_kb(out, "Pss_Dirty:      ", s->pss_dirty >> PSS_SHIFT);
	if (rollup) {
		put_kb(out, "Pss_Anon:       ", s->pss_anon >> PSS_SHIFT);
		put_kb(out, "Pss_File:       ", s->pss_file >> PSS_SHIFT);
		put_kb(out, "Pss_Shmem:      ", s->pss_shmem >> PSS_SHIFT);
	}
	put_kb(out, "Shared_Clean:   ", s->shared_clean);
	put_kb(out, "Shared_Dirty:   ", s->shared_dirty);
	put_kb(out, "Private_Clean:  ", s->private_clean);
	put_kb(out, "Private_Dirty:  ", s->private_dirty);
	put_kb(out, "Referenced:     ", s->referenced);
	put_kb(out, "Anonymous:      ", s->anonymous);
	if (!layout_6_1(m))
		put_kb(out, "KSM:            ", s->ksm);
	put_kb(out, "LazyFree:       ", s->lazyfree);
	put_kb(out, "AnonHugePages:  ", s->anonymous_thp);
	put_kb(out, "ShmemPmdMapped: ", s->shmem_thp);
	put_kb(out, "FilePmdMapped:  ", s->file_thp);
	put_kb(out, "Shared_Hugetlb: ", s->shared_hugetlb);
	fprintf(out, "Private_Hugetlb: %7llu kB\n",
		(unsigned long long)(s->private_hugetlb >> 10));
	put_kb(out, "Swap:           ", s->swap);
	put_kb(out, "SwapPss:        ", s->swap_pss >> PSS_SHIFT);
	put_kb(out, "Locked:         ", s->pss_locked >> PSS_SHIFT);
}

/* The fields again, as JSON numbers in kB. */
static void json_smap_fields(const struct mmt_machine *m, struct mmt_json *j,
			     const struct mem_size_stats *s, bool rollup)
{
	mmt_json_u64(j, "Rss", s->resident >> 10);
	mmt_json_u64(j, "Pss", s->pss >> PSS_SHIFT >> 10);
	mmt_json_u64(j, "Pss_Dirty", s->pss_dirty >> PSS_SHIFT >> 10);
	if (rollup) {
		mmt_json_u64(j, "Pss_Anon", s->pss_anon >> PSS_SHIFT >> 10);
		mmt_json_u64(j, "Pss_File", s->pss_file >> PSS_SHIFT >> 10);
		mmt_json_u64(j, "Pss_Shmem", s->pss_shmem >> PSS_SHIFT >> 10);
	}
	mmt_json_u64(j, "Shared_Clean", s->shared_clean >> 10);
	mmt_json_u64(j, "Shared_Dirty", s->shared_dirty >> 10);
	mmt_json_u64(j, "Private_Clean", s->private_clean >> 10);
	mmt_json_u64(j, "Private_Dirty", s->private_dirty >> 10);
	mmt_json_u64(j, "Referenced", s->referenced >> 10);
	mmt_json_u64(j, "Anonymous", s->anonymous >> 10);
	if (!layout_6_1(m))
		mmt_json_u64(j, "KSM", s->ksm >> 10);
	mmt_json_u64(j, "LazyFree", s->lazyfree >> 10);
	mmt_json_u64(j, "AnonHugePages", s->anonymous_thp >> 10);
	mmt_json_u64(j, "ShmemPmdMapped", s->shmem_thp >> 10);
	mmt_json_u64(j, "FilePmdMapped", s->file_thp >> 10);
	mmt_json_u64(j, "Shared_Hugetlb", s->shared_hugetlb >> 10);
	mmt_json_u64(j, "Private_Hugetlb", s->private_hugetlb >> 10);
	mmt_json_u64(j, "Swap", s->swap >> 10);
	mmt_json_u64(j, "SwapPss", s->swap_pss >> PSS_SHIFT >> 10);
	mmt_json_u64(j, "Locked", s->pss_locked >> PSS_SHIFT >> 10);
}

/* show_smap() for a VMA, or the gate VMA when @v is NULL. */
static void show_smap(const struct mmt_task *t, const struct mmt_vma *v,
		      FILE *out)
{
	struct mmt_machine *m = t->m;
	struct mem_size_stats mss = { 0 };
	uint64_t start = v ? v->vm_start : PROC_GATE_START;
	uint64_t end = v ? v->vm_end : PROC_GATE_START + PAGE;
	bool thp = v && thp_eligible(m, v);

	if (v) {
		smap_gather_stats(m, v, &mss);
		proc_show_map_vma(t, v, out);
	} else {
		proc_show_gate_vma(t, out);
	}
	put_kb(out, "Size:           ", end - start);
	put_kb(out, "KernelPageSize: ", PAGE);
	put_kb(out, "MMUPageSize:    ", PAGE);
	show_smap_fields(m, out, &mss, false);
	if (layout_6_1(m))
		fprintf(out, "THPeligible:    %d\n", thp);
	else
		fprintf(out, "THPeligible:    %8u\n", thp);
	if (m->tasks->sysctl.pku && v)
		fprintf(out, "ProtectionKey:  %8u\n",
			(unsigned)((v->vm_flags & MMT_VM_PKEY_MASK) >>
				   MMT_VM_PKEY_SHIFT));
	show_vma_flags(out, v ? v->vm_flags : MMT_VM_EXEC);
}

static void json_smap(const struct mmt_task *t, const struct mmt_vma *v,
		      struct mmt_json *j)
{
	struct mmt_machine *m = t->m;
	struct mem_size_stats mss = { 0 };
	uint64_t start = v ? v->vm_start : PROC_GATE_START;
	uint64_t end = v ? v->vm_end : PROC_GATE_START + PAGE;
	char flags[200];

	if (v)
		smap_gather_stats(m, v, &mss);
	vmflags_string(v ? v->vm_flags : MMT_VM_EXEC, flags, sizeof(flags));
	mmt_json_begin_obj(j, NULL);
	mmt_json_hex(j, "start", start);
	mmt_json_hex(j, "end", end);
	if (!v)
		mmt_json_bool(j, "gate", true);
	mmt_json_u64(j, "Size", (end - start) >> 10);
	mmt_json_u64(j, "KernelPageSize", PAGE >> 10);
	mmt_json_u64(j, "MMUPageSize", PAGE >> 10);
	json_smap_fields(m, j, &mss, false);
	mmt_json_u64(j, "THPeligible", v && thp_eligible(m, v));
	mmt_json_str(j, "VmFlags", flags);
	mmt_json_end_obj(j);
}

int mmt_view_smaps(const struct mmt_view_ctx *ctx)
{
	const struct mmt_task *t = ctx->task;
	struct mmt_json j;

	if (ctx->fmt != MMT_FMT_JSON) {
		for (const struct mmt_vma *v = vma_first(t->mm); v;
		     v = vma_next(v))
			show_smap(t, v, ctx->out);
		if (proc_has_gate_vma(t))
			show_smap(t, NULL, ctx->out);
		return 0;
	}
	mmt_json_init(&j, ctx->out);
	mmt_json_begin_obj(&j, NULL);
	mmt_json_i64(&j, "pid", t->pid);
	mmt_json_begin_arr(&j, "vmas");
	for (const struct mmt_vma *v = vma_first(t->mm); v; v = vma_next(v))
		json_smap(t, v, &j);
	if (proc_has_gate_vma(t))
		json_smap(t, NULL, &j);
	mmt_json_end_arr(&j);
	mmt_json_end_obj(&j);
	mmt_json_finish(&j);
	return 0;
}

/* show_smaps_rollup(): every VMA of the tree (not the gate VMA), the
 * header from the first start to the last end (0-0 when empty). */
int mmt_view_smaps_rollup(const struct mmt_view_ctx *ctx)
{
	const struct mmt_task *t = ctx->task;
	struct mem_size_stats mss = { 0 };
	uint64_t start = 0, end = 0;
	struct mmt_json j;

	for (const struct mmt_vma *v = vma_first(t->mm); v; v = vma_next(v)) {
		if (v == vma_first(t->mm))
			start = v->vm_start;
		smap_gather_stats(t->m, v, &mss);
		end = v->vm_end;
	}
	if (ctx->fmt != MMT_FMT_JSON) {
		proc_show_rollup_header(t, start, end, ctx->out);
		show_smap_fields(t->m, ctx->out, &mss, true);
		return 0;
	}
	mmt_json_init(&j, ctx->out);
	mmt_json_begin_obj(&j, NULL);
	mmt_json_i64(&j, "pid", t->pid);
	mmt_json_hex(&j, "start", start);
	mmt_json_hex(&j, "end", end);
	json_smap_fields(t->m, &j, &mss, true);
	mmt_json_end_obj(&j);
	mmt_json_finish(&j);
	return 0;
}
