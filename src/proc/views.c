// SPDX-License-Identifier: MIT
/* The view table: one line per printable view of a machine. */
#include <mmtwin/kalloc.h>
#include <mmtwin/kern.h>
#include <mmtwin/mm.h>
#include <mmtwin/views.h>

#include <string.h>

/* ptdump lives with the page-table code (arch/x86/mm/dump_pagetables.c). */
int mmt_view_pagetable(const struct mmt_view_ctx *c)
{
	mmt_ptdump_print(c->m, c->out, c->fmt);
	return 0;
}

const struct mmt_view mmt_views[] = {
	{ "layout", "virtual address-space layout, user and kernel, and zones",
	  mmt_view_layout, 0 },
	{ "e820", "the boot memory map (firmware and after kernel fixups)",
	  mmt_view_e820, 0 },
	{ "fixmap", "the fixmap slots: enum fixed_addresses and addresses",
	  mmt_view_fixmap, 0 },
	{ "buddyinfo", "free blocks per zone and order (/proc/buddyinfo)",
	  mmt_view_buddyinfo, 0 },
	{ "pagetypeinfo", "free blocks per migratetype (/proc/pagetypeinfo)",
	  mmt_view_pagetypeinfo, 0 },
	{ "zoneinfo", "zones: watermarks, spanned/present/managed (/proc/zoneinfo)",
	  mmt_view_zoneinfo, 0 },
	{ "meminfo", "memory totals (/proc/meminfo)", mmt_view_meminfo, 0 },
	{ "iomem", "physical address map and kernel image (/proc/iomem)",
	  mmt_view_iomem, 0 },
	{ "pagetable", "init_mm page tables: counts and ranges (ptdump)",
	  mmt_view_pagetable, 0 },
	{ "slabinfo", "/proc/slabinfo: slab caches (SLUB, kmalloc-*)",
	  mmt_view_slabinfo, 0 },
	{ "vmallocinfo", "/proc/vmallocinfo: vmalloc, vmap and ioremap areas",
	  mmt_view_vmallocinfo, 0 },
	{ "pkmap", "kmap() slots: pkmap_count and pages, kmap_local depth",
	  mmt_view_pkmap, 0 },
	{ "fixmap-slots", "fixmap slots in use (set_fixmap, kmap_local)",
	  mmt_view_fixmap_slots, 0 },
	{ "maps", "/proc/PID/maps: a process's VMAs (show maps [PID])",
	  mmt_view_maps, MMT_VIEW_TASK },
	{ "auxv", "the auxiliary vector execve wrote (/proc/PID/auxv)",
	  mmt_view_auxv, MMT_VIEW_TASK },
	{ "stack", "the initial stack execve built, labelled from sp up",
	  mmt_view_stack, MMT_VIEW_TASK },
	{ "mm", "mm fields: code/data/brk/stack/arg/env (stat 26-28, 45-51)",
	  mmt_view_mm, MMT_VIEW_TASK },
	{ "sysvipc_shm", "/proc/sysvipc/shm: SysV shared memory segments",
	  mmt_view_sysvipc_shm, 0 },
	{ "smaps", "/proc/PID/smaps: each VMA's memory use (Rss, Pss, ...)",
	  mmt_view_smaps, MMT_VIEW_TASK },
	{ "smaps_rollup", "/proc/PID/smaps_rollup: smaps summed over the VMAs",
	  mmt_view_smaps_rollup, MMT_VIEW_TASK },
	{ "status", "/proc/PID/status: its memory lines only (VmPeak..)",
	  mmt_view_status, MMT_VIEW_TASK },
	{ "statm", "/proc/PID/statm: sizes in pages", mmt_view_statm,
	  MMT_VIEW_TASK },
	{ "pagemap", "/proc/PID/pagemap, binary (show pagemap PID START-END)",
	  mmt_view_pagemap, MMT_VIEW_TASK | MMT_VIEW_BINARY | MMT_VIEW_ARG |
	  MMT_VIEW_ARG_REQUIRED },
	{ "pagemap-text", "pagemap entries of mapped pages, one a line "
	  "[START-END]", mmt_view_pagemap_text, MMT_VIEW_TASK | MMT_VIEW_ARG },
	{ NULL, NULL, NULL, 0 }
};

const struct mmt_view *mmt_view_find(const char *name)
{
	const struct mmt_view *v;

	for (v = mmt_views; v->name; v++)
		if (!strcmp(v->name, name))
			return v;
	return NULL;
}

int mmt_view_run(const struct mmt_view *v, struct mmt_view_ctx *ctx,
		 const char *pid)
{
	if ((v->flags & MMT_VIEW_TASK) && !pid && !ctx->task) {
		snprintf(ctx->err, ctx->errlen, "view '%s' is per process: "
			 "give a PID", v->name);
		return -1;
	}
	if (!(v->flags & MMT_VIEW_TASK) && (pid || ctx->task)) {
		snprintf(ctx->err, ctx->errlen, "view '%s' is not per process: "
			 "it takes no PID", v->name);
		return -1;
	}
	if (ctx->arg && !(v->flags & MMT_VIEW_ARG)) {
		snprintf(ctx->err, ctx->errlen, "view '%s' takes no argument "
			 "after the PID, got '%s'", v->name, ctx->arg);
		return -1;
	}
	if (!ctx->arg && (v->flags & MMT_VIEW_ARG_REQUIRED)) {
		snprintf(ctx->err, ctx->errlen, "view '%s' needs an address "
			 "range after the PID: START-END", v->name);
		return -1;
	}
	if ((v->flags & MMT_VIEW_BINARY) && ctx->fmt == MMT_FMT_JSON) {
		snprintf(ctx->err, ctx->errlen, "view '%s' is binary: it has "
			 "no JSON form", v->name);
		return -1;
	}
	if (pid && mmt_view_task(ctx->m, pid, &ctx->task, ctx->err,
				 ctx->errlen))
		return -1;
	return v->fn(ctx);
}

int mmt_view_task(struct mmt_machine *m, const char *pid,
		  struct mmt_task **task, char *err, size_t errlen)
{
	uint64_t n;

	*task = NULL;
	if (mmt_parse_addr(pid, &n) || n == 0 || n > 4194304) {
		snprintf(err, errlen, "bad PID '%s': a number from 1 to "
			 "4194304 (PID_MAX_LIMIT)", pid);
		return -1;
	}
	*task = mmt_task_find(m, (int)n);
	if (!*task) {
		snprintf(err, errlen, "no process with PID %s (see 'process' "
			 "and 'seed_process')", pid);
		return -1;
	}
	return 0;
}

int mmt_view_print(struct mmt_machine *m, const char *name, FILE *out,
		   enum mmt_format fmt, char *err, size_t errlen)
{
	const struct mmt_view *v = mmt_view_find(name);
	struct mmt_view_ctx c = { .m = m, .out = out, .fmt = fmt,
				  .err = err, .errlen = errlen };

	if (!v) {
		snprintf(err, errlen, "unknown view '%s'", name);
		return -1;
	}
	return mmt_view_run(v, &c, NULL);
}
