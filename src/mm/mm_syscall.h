/* SPDX-License-Identifier: MIT */
/*
 * mm/mm_syscall.h - what every memory-syscall handler of the process
 * model does first: find the calling task and read an argument as the
 * syscall's ABI sees it (an i386 call has 32-bit registers: a compat
 * entry zero-extends them, so 0xffffffff is 4 GiB - 1, not -1).
 * Private to src/mm/ (the handlers of mmap.c, mprotect.c, mremap.c,
 * madvise.c, mlock.c, mseal.c, msync.c).
 */
#ifndef MMT_MM_SYSCALL_H
#define MMT_MM_SYSCALL_H

#include "base/bug.h"
#include "mm/vma_internal.h"

/* The calling task, or NULL with ctx->err set (the handler answers
 * -ESRCH then: there is no process to run the call in). */
static inline struct mmt_task *mm_sys_task(struct mmt_sys_ctx *ctx)
{
	if (!ctx->task)
		snprintf(ctx->err, sizeof(ctx->err), "no current process "
			 "(create one with 'process')");
	return ctx->task;
}

/* Raw argument @i (by slot) as an unsigned long of the call's ABI. */
static inline uint64_t mm_sys_arg(const struct mmt_sys_ctx *ctx,
				  const struct mmt_sys_call *c, unsigned i)
{
	return ctx->abi == MMT_ABI_I386 ? (uint32_t)c->args[i] : c->args[i];
}

/* Argument @i as the C int the kernel declares (flags, behavior). */
static inline int mm_sys_int(const struct mmt_sys_call *c, unsigned i)
{
	return (int)(uint32_t)c->args[i];
}

#endif
