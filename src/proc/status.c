// SPDX-License-Identifier: MIT
/*
 * /proc/PID/status (its memory lines) and /proc/PID/statm: task_mem()
 * and task_statm() of fs/proc/task_mmu.c, proc_pid_statm() of
 * fs/proc/array.c (6.18; the same lines in 6.1).
 *
 * Only the lines task_mem() prints (VmPeak .. VmSwap, then HugetlbPages
 * of hugetlb_report_usage) are shown: the rest of status (Name, State,
 * ids, signal masks, capabilities, cpus, context switches) belongs to
 * parts of the kernel the model does not run, and made-up values would
 * read as facts.  VmPin is 0 (no pinned_vm), VmSwap and HugetlbPages 0
 * (no swap, no hugetlb).
 *
 * JSON (not a kernel format): status is {"pid", "VmPeak", ... in kB};
 * statm {"pid", "size", "resident", "shared", "text", "lib", "data",
 * "dt"} in pages.
 */
#include "mm/vma_internal.h"

#include <mmtwin/kern.h>
#include <mmtwin/views.h>

#define PAGE MMT_PAGE_SIZE

struct task_mem_lines {
	const char *name;
	uint64_t kb;
};

/* task_mem(): the 16 lines in order. */
static unsigned task_mem(const struct mmt_task *t,
			 struct task_mem_lines l[16])
{
	const struct mmt_mm *mm = t->mm;
	uint64_t anon = mm->rss_stat[MMT_MM_ANONPAGES];
	uint64_t file = mm->rss_stat[MMT_MM_FILEPAGES];
	uint64_t shmem = mm->rss_stat[MMT_MM_SHMEMPAGES];
	uint64_t total_rss = anon + file + shmem, hiwater_rss = total_rss;
	uint64_t total_vm = mm->total_vm, hiwater_vm = total_vm;
	uint64_t text, lib;
	unsigned n = 0;

	if (hiwater_vm < mm->hiwater_vm)
		hiwater_vm = mm->hiwater_vm;
	if (hiwater_rss < mm->hiwater_rss)
		hiwater_rss = mm->hiwater_rss;
	/* split executable areas between text and lib */
	text = ((mm->end_code + PAGE - 1) & ~(PAGE - 1)) -
	       (mm->start_code & ~(PAGE - 1));
	if (mm->end_code < mm->start_code)
		text = 0;
	if (text > mm->exec_vm * PAGE)
		text = mm->exec_vm * PAGE;
	lib = mm->exec_vm * PAGE - text;
#define L(nm, v) l[n++] = (struct task_mem_lines){ nm, v }
	L("VmPeak", hiwater_vm * 4);
	L("VmSize", total_vm * 4);
	L("VmLck", mm->locked_vm * 4);
	L("VmPin", 0);
	L("VmHWM", hiwater_rss * 4);
	L("VmRSS", total_rss * 4);
	L("RssAnon", anon * 4);
	L("RssFile", file * 4);
	L("RssShmem", shmem * 4);
	L("VmData", mm->data_vm * 4);
	L("VmStk", mm->stack_vm * 4);
	L("VmExe", text >> 10);
	L("VmLib", lib >> 10);
	L("VmPTE", mmt_pgd_pgtables_bytes(t->m, mm->pgd_pfn) >> 10);
	L("VmSwap", mm->rss_stat[MMT_MM_SWAPENTS] * 4);
	L("HugetlbPages", 0);
#undef L
	return n;
}

int mmt_view_status(const struct mmt_view_ctx *ctx)
{
	struct task_mem_lines l[16];
	unsigned n = task_mem(ctx->task, l);
	struct mmt_json j;

	if (ctx->fmt != MMT_FMT_JSON) {
		for (unsigned i = 0; i < n; i++)
			fprintf(ctx->out, "%s:\t%8llu kB\n", l[i].name,
				(unsigned long long)l[i].kb);
		return 0;
	}
	mmt_json_init(&j, ctx->out);
	mmt_json_begin_obj(&j, NULL);
	mmt_json_i64(&j, "pid", ctx->task->pid);
	for (unsigned i = 0; i < n; i++)
		mmt_json_u64(&j, l[i].name, l[i].kb);
	mmt_json_end_obj(&j);
	mmt_json_finish(&j);
	return 0;
}

/* task_statm() + proc_pid_statm(): size resident shared text 0 data 0,
 * in pages; text is not clamped to exec_vm here. */
int mmt_view_statm(const struct mmt_view_ctx *ctx)
{
	const struct mmt_mm *mm = ctx->task->mm;
	uint64_t shared = mm->rss_stat[MMT_MM_FILEPAGES] +
			  mm->rss_stat[MMT_MM_SHMEMPAGES];
	uint64_t text = mm->end_code < mm->start_code ? 0 :
			(((mm->end_code + PAGE - 1) & ~(PAGE - 1)) -
			 (mm->start_code & ~(PAGE - 1))) / PAGE;
	uint64_t data = mm->data_vm + mm->stack_vm;
	uint64_t resident = shared + mm->rss_stat[MMT_MM_ANONPAGES];
	struct mmt_json j;

	if (ctx->fmt != MMT_FMT_JSON) {
		fprintf(ctx->out, "%llu %llu %llu %llu 0 %llu 0\n",
			(unsigned long long)mm->total_vm,
			(unsigned long long)resident,
			(unsigned long long)shared, (unsigned long long)text,
			(unsigned long long)data);
		return 0;
	}
	mmt_json_init(&j, ctx->out);
	mmt_json_begin_obj(&j, NULL);
	mmt_json_i64(&j, "pid", ctx->task->pid);
	mmt_json_u64(&j, "size", mm->total_vm);
	mmt_json_u64(&j, "resident", resident);
	mmt_json_u64(&j, "shared", shared);
	mmt_json_u64(&j, "text", text);
	mmt_json_u64(&j, "lib", 0);
	mmt_json_u64(&j, "data", data);
	mmt_json_u64(&j, "dt", 0);
	mmt_json_end_obj(&j);
	mmt_json_finish(&j);
	return 0;
}
