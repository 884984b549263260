// SPDX-License-Identifier: MIT
/*
 * /proc/PID/pagemap (fs/proc/task_mmu.c of 6.18: pagemap_read,
 * pte_to_pagemap_entry): one little-endian u64 per virtual page,
 *
 *   bit 63 PM_PRESENT     bit 58 PM_GUARD_REGION (a guard marker, 6.14+)
 *   bit 62 PM_SWAP        bit 57 PM_UFFD_WP      (never: no userfaultfd)
 *   bit 61 PM_FILE        bit 56 PM_MMAP_EXCLUSIVE (mapped exactly once)
 *   bit 55 PM_SOFT_DIRTY  (never: no CONFIG_MEM_SOFT_DIRTY)
 *   bits 0-54  the PFN (present), or swap type | offset << 5 (swap PTEs:
 *              a guard marker is type 31, offset 4)
 *
 * PM_FILE: a present page that is not anonymous (page cache, shmem); the
 * zero page is present with no other bit (vm_normal_page is NULL).  The
 * PFNs are the model's frames; the kernel shows its own (to
 * CAP_SYS_ADMIN: root here) or 0.
 *
 * `pagemap` is the binary file for a range START-END (the bytes a read
 * at offset START/4096*8 would give); `pagemap-text` lists the non-zero
 * entries of every VMA (or of a range) one per line:
 *   ADDR ENTRY flag,flag pfn PFN
 * JSON (pagemap-text only, not a kernel format): {"pid", "pages":
 * [{"addr", "entry", "present", "swap", "file", "exclusive", "guard",
 * "pfn"}]}.
 */
#include "mm/internal.h"
#include "mm/memory.h"

#include <mmtwin/views.h>

#include <string.h>

#define PAGE MMT_PAGE_SIZE

#define PM_PFRAME_MASK		((1ULL << 55) - 1)
#define PM_SOFT_DIRTY		(1ULL << 55)
#define PM_MMAP_EXCLUSIVE	(1ULL << 56)
#define PM_UFFD_WP		(1ULL << 57)
#define PM_GUARD_REGION		(1ULL << 58)
#define PM_FILE			(1ULL << 61)
#define PM_SWAP			(1ULL << 62)
#define PM_PRESENT		(1ULL << 63)

/* At most this many entries per binary read (8 MiB). */
#define PAGEMAP_MAX_PAGES	(1ULL << 20)

/* pte_to_pagemap_entry() for the page at @addr of @mm. */
static uint64_t pagemap_entry(struct mmt_machine *m, struct mmt_mm *mm,
			      uint64_t addr)
{
	uint64_t pte = mm_get_pte(mm, addr), pfn, off;
	const struct mmt_page *pg;
	unsigned type;

	if (!pte)
		return 0;
	if (!mmt_pte_present(pte)) {
		if (mmt_pte_to_swp_entry(m, pte, &type, &off))
			return 0;
		return PM_SWAP | (is_guard_pte(m, pte) ? PM_GUARD_REGION : 0) |
		       ((type | off << MMT_SWP_TYPE_BITS) & PM_PFRAME_MASK);
	}
	pfn = vm_normal_pfn(m, pte);
	if (pfn == MMT_PFN_NONE || pfn >= m->phys->max_pfn)
		return PM_PRESENT | (mmt_pte_pfn(m, pte) & PM_PFRAME_MASK);
	pg = &m->phys->pages[pfn];
	return PM_PRESENT | (pfn & PM_PFRAME_MASK) |
	       (pg->flags & MMT_PG_ANON ? 0 : PM_FILE) |
	       (pg->mapcount == 1 ? PM_MMAP_EXCLUSIVE : 0);
}

/* "START-END" -> a page-aligned range inside the task's address space. */
static int parse_range(const struct mmt_view_ctx *ctx, uint64_t *start,
		       uint64_t *end)
{
	const char *arg = ctx->arg, *dash = arg ? strchr(arg, '-') : NULL;
	uint64_t top = ctx->task->mm->task_size;
	char first[64];

	if (!dash || (size_t)(dash - arg) >= sizeof(first)) {
		snprintf(ctx->err, ctx->errlen, "expected an address range "
			 "START-END, got '%s'", arg ? arg : "");
		return -1;
	}
	memcpy(first, arg, (size_t)(dash - arg));
	first[dash - arg] = 0;
	if (mmt_parse_addr(first, start) || mmt_parse_addr(dash + 1, end) ||
	    *end < *start) {
		snprintf(ctx->err, ctx->errlen, "bad address range '%s' "
			 "(START-END, START <= END)", arg);
		return -1;
	}
	*start &= ~(PAGE - 1);
	*end = *end > top ? top : (*end + PAGE - 1) & ~(PAGE - 1);
	if (*start > *end)
		*start = *end;
	if ((*end - *start) / PAGE > PAGEMAP_MAX_PAGES) {
		snprintf(ctx->err, ctx->errlen, "range '%s' is more than %llu "
			 "pages", arg, (unsigned long long)PAGEMAP_MAX_PAGES);
		return -1;
	}
	return 0;
}

int mmt_view_pagemap(const struct mmt_view_ctx *ctx)
{
	struct mmt_task *t = ctx->task;
	uint64_t start, end;

	if (parse_range(ctx, &start, &end))
		return -1;
	for (uint64_t a = start; a < end; a += PAGE) {
		uint64_t e = pagemap_entry(t->m, t->mm, a);
		unsigned char b[8];

		for (int i = 0; i < 8; i++)
			b[i] = (unsigned char)(e >> (8 * i));
		if (fwrite(b, 1, 8, ctx->out) != 8) {
			snprintf(ctx->err, ctx->errlen, "write error");
			return -1;
		}
	}
	return 0;
}

static void entry_flags(uint64_t e, char *buf, size_t len)
{
	static const struct { uint64_t bit; const char *name; } f[] = {
		{ PM_PRESENT, "present" }, { PM_SWAP, "swap" },
		{ PM_FILE, "file" }, { PM_MMAP_EXCLUSIVE, "exclusive" },
		{ PM_GUARD_REGION, "guard" }, { PM_UFFD_WP, "uffd_wp" },
		{ PM_SOFT_DIRTY, "soft_dirty" },
	};
	size_t o = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (e & f[i].bit)
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
					      o ? "," : "", f[i].name);
}

static void text_entry(FILE *out, struct mmt_json *j, uint64_t a, uint64_t e)
{
	char flags[80];

	if (!j) {
		entry_flags(e, flags, sizeof(flags));
		fprintf(out, "%08llx %016llx %s %s %#llx\n",
			(unsigned long long)a, (unsigned long long)e, flags,
			e & PM_PRESENT ? "pfn" : "swp",
			(unsigned long long)(e & PM_PFRAME_MASK));
		return;
	}
	mmt_json_begin_obj(j, NULL);
	mmt_json_hex(j, "addr", a);
	mmt_json_hex(j, "entry", e);
	mmt_json_bool(j, "present", e & PM_PRESENT);
	mmt_json_bool(j, "swap", e & PM_SWAP);
	mmt_json_bool(j, "file", e & PM_FILE);
	mmt_json_bool(j, "exclusive", e & PM_MMAP_EXCLUSIVE);
	mmt_json_bool(j, "guard", e & PM_GUARD_REGION);
	mmt_json_hex(j, "pfn", e & PM_PFRAME_MASK);
	mmt_json_end_obj(j);
}

int mmt_view_pagemap_text(const struct mmt_view_ctx *ctx)
{
	struct mmt_task *t = ctx->task;
	struct mmt_json js, *j = NULL;
	uint64_t start = 0, end = 0;

	if (ctx->arg && parse_range(ctx, &start, &end))
		return -1;
	if (ctx->fmt == MMT_FMT_JSON) {
		j = &js;
		mmt_json_init(j, ctx->out);
		mmt_json_begin_obj(j, NULL);
		mmt_json_i64(j, "pid", t->pid);
		mmt_json_begin_arr(j, "pages");
	}
	for (const struct mmt_vma *v = vma_first(t->mm); v; v = vma_next(v)) {
		uint64_t s = v->vm_start, e = v->vm_end;

		if (ctx->arg) {
			s = s < start ? start : s;
			e = e > end ? end : e;
		}
		for (uint64_t a = s; a < e; a += PAGE) {
			uint64_t pm = pagemap_entry(t->m, t->mm, a);

			if (pm)
				text_entry(ctx->out, j, a, pm);
		}
	}
	if (j) {
		mmt_json_end_arr(j);
		mmt_json_end_obj(j);
		mmt_json_finish(j);
	}
	return 0;
}
