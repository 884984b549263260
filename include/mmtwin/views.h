/* SPDX-License-Identifier: MIT */
/*
 * mmtwin/views.h - the table of things `mmtwin show VIEW` can print.
 *
 * A view is a printer over a machine: text in the kernel's own format where
 * one exists (/proc files), or a readable table; JSON on request.  Every
 * view gets one context: the machine, the task for per-task views (the
 * /proc/PID files), the output stream and format, and an error buffer.
 * Every subsystem adds its views to the table in src/proc/views.c.
 */
#ifndef MMTWIN_VIEWS_H
#define MMTWIN_VIEWS_H

#include <stddef.h>
#include <stdio.h>

#include "machine.h"
#include "render.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mmt_task;

struct mmt_view_ctx {
	struct mmt_machine *m;
	struct mmt_task *task;		/* per-task views; NULL otherwise */
	FILE *out;
	enum mmt_format fmt;
	char *err;			/* a message when the view fails */
	size_t errlen;
	/* last, so that positional initializers of the fields above keep
	 * working: the view's argument after the PID (pagemap: START-END);
	 * NULL: none */
	const char *arg;
};

/* Returns 0, or -1 with a message in ctx->err. */
typedef int (*mmt_view_fn)(const struct mmt_view_ctx *ctx);

/* mmt_view.flags */
#define MMT_VIEW_TASK	0x1u	/* /proc/PID/...: needs a task (a PID) */
#define MMT_VIEW_BINARY	0x2u	/* binary output (pagemap): no JSON form */
#define MMT_VIEW_ARG	0x4u	/* takes an argument after the PID */
#define MMT_VIEW_ARG_REQUIRED 0x8u	/* ... and needs it */

struct mmt_view {
	const char *name;
	const char *summary;
	mmt_view_fn fn;
	unsigned flags;			/* MMT_VIEW_* */
};

extern const struct mmt_view mmt_views[];	/* NULL-name terminated */
const struct mmt_view *mmt_view_find(const char *name);

/*
 * Run view @v in @ctx, after the checks every caller would repeat: a
 * per-task view needs a task (ctx->task, or @pid resolved into it), other
 * views take none, a binary view has no JSON form, only MMT_VIEW_ARG views
 * take ctx->arg (MMT_VIEW_ARG_REQUIRED ones need it).  Returns the view's
 * result, or -1 with a message in ctx->err.
 */
int mmt_view_run(const struct mmt_view *v, struct mmt_view_ctx *ctx,
		 const char *pid);
/*
 * Resolve "PID" for a per-task view: 0 and *task, or -1 with a message
 * ("no process with PID 7").
 */
int mmt_view_task(struct mmt_machine *m, const char *pid,
		  struct mmt_task **task, char *err, size_t errlen);
/* Convenience: view @name of @m (no task) to @out; 0 or -1 and @err. */
int mmt_view_print(struct mmt_machine *m, const char *name, FILE *out,
		   enum mmt_format fmt, char *err, size_t errlen);

/* Individual views (also callable directly). */
int mmt_view_layout(const struct mmt_view_ctx *ctx);
int mmt_view_e820(const struct mmt_view_ctx *ctx);
int mmt_view_fixmap(const struct mmt_view_ctx *ctx);
/* Physical memory views (src/proc/{buddyinfo,...}.c), kernel formats. */
int mmt_view_buddyinfo(const struct mmt_view_ctx *ctx);
int mmt_view_pagetypeinfo(const struct mmt_view_ctx *ctx);
int mmt_view_zoneinfo(const struct mmt_view_ctx *ctx);
int mmt_view_meminfo(const struct mmt_view_ctx *ctx);
int mmt_view_iomem(const struct mmt_view_ctx *ctx);
/* Kernel allocators and page tables (src/proc/). */
int mmt_view_slabinfo(const struct mmt_view_ctx *ctx);
int mmt_view_vmallocinfo(const struct mmt_view_ctx *ctx);
int mmt_view_pkmap(const struct mmt_view_ctx *ctx);
int mmt_view_fixmap_slots(const struct mmt_view_ctx *ctx);
int mmt_view_pagetable(const struct mmt_view_ctx *ctx);
/* Per task: /proc/PID/maps (src/proc/maps.c). */
int mmt_view_maps(const struct mmt_view_ctx *ctx);
/* what execve left (src/proc/exec_views.c): -1 before any exec */
int mmt_view_auxv(const struct mmt_view_ctx *ctx);
int mmt_view_stack(const struct mmt_view_ctx *ctx);
int mmt_view_mm(const struct mmt_view_ctx *ctx);
int mmt_view_sysvipc_shm(const struct mmt_view_ctx *ctx);
/* Per task: smaps, smaps_rollup (src/proc/smaps.c), status (its memory
 * lines) and statm (src/proc/status.c), pagemap (binary, ctx->arg
 * START-END) and its text form (src/proc/pagemap.c). */
int mmt_view_smaps(const struct mmt_view_ctx *ctx);
int mmt_view_smaps_rollup(const struct mmt_view_ctx *ctx);
int mmt_view_status(const struct mmt_view_ctx *ctx);
int mmt_view_statm(const struct mmt_view_ctx *ctx);
int mmt_view_pagemap(const struct mmt_view_ctx *ctx);
int mmt_view_pagemap_text(const struct mmt_view_ctx *ctx);
/* Their text forms alone, in the kernel's format. */
void mmt_slabinfo_print(struct mmt_machine *m, FILE *out);	/* 2.1 */
void mmt_vmallocinfo_print(struct mmt_machine *m, FILE *out);	/* as root */
void mmt_pkmap_print(struct mmt_machine *m, FILE *out);
void mmt_fixmap_slots_print(struct mmt_machine *m, FILE *out);

#ifdef __cplusplus
}
#endif

#endif
