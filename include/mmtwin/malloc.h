/* SPDX-License-Identifier: MIT */
/*
 * mmtwin/malloc.h - glibc 2.36's malloc (ptmalloc) as a user of the
 * modelled kernel: the calls it makes to brk, mmap, munmap, mprotect,
 * mremap and madvise, and the addresses it returns, for a sequence of
 * malloc/free/realloc/calloc/mallopt calls of a process.
 *
 *   task ─► t->user (struct mmt_malloc_state, src/libc/malloc.c)
 *            ├─ mp_       mmap_threshold, trim_threshold, top_pad, ...
 *            ├─ arenas    main_arena (brk heap, top chunk, bins, fastbins)
 *            │            thread arenas: 64 MiB-aligned heaps (1 MiB on i386)
 *            ├─ threads   each with its tcache (7 chunks per size class up
 *            │            to 1032 bytes; 1020 on i386) and its arena
 *            └─ mmapped   chunks of requests >= mmap_threshold
 *
 * An x86_64 process, ASLR off, its first malloc(100):
 *
 *   brk(NULL)                        libc's sbrk learns the break
 *   brk(start_brk + 0x21000)         656-byte tcache + 112 + 128 KiB top_pad
 *   -> start_brk + 0x2a0             (0x290 tcache chunk, 16-byte header)
 *
 * and malloc(200000): mmap(NULL, 0x31000, PROT_READ|PROT_WRITE,
 * MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) just below the previous mapping, the
 * block 16 bytes into it ("addresses go down").
 *
 * Every call goes through the syscall table's handlers (mmt_sys_dispatch),
 * as the scenario's syscall lines do; each API call records what it
 * issued (mmt_malloc_calls).  Modelled: request2size, tcache, fastbins,
 * the unsorted, small and large bins with glibc's orders, the last
 * remainder, malloc_consolidate, sysmalloc (brk growth with top_pad, the
 * first-call alignment correction, fenceposts, the 1 MiB mmap fallback
 * when brk fails), systrim, the dynamic mmap threshold, mremap_chunk,
 * _int_realloc (growth into top and the next free chunk), per-thread
 * arenas (new_heap, grow_heap, heap_trim, arena_get2's limit).  Not
 * modelled: malloc_trim, memalign/posix_memalign, tunables (GLIBC_TUNABLES),
 * hugetlb, fork and thread exit (the state is the process's, not copied).
 */
#ifndef MMTWIN_MALLOC_H
#define MMTWIN_MALLOC_H

#ifdef __cplusplus
extern "C" {
#endif

#include <stddef.h>
#include <stdint.h>

struct mmt_task;

/* One system call the allocator issued: the number of the task's ABI,
 * the raw arguments (by slot) and the value the model returned. */
struct mmt_malloc_call {
	unsigned nr;
	unsigned nargs;
	uint64_t args[6];
	int64_t ret;
};

/* mallopt parameters (malloc.h) */
#define MMT_M_TRIM_THRESHOLD	(-1)
#define MMT_M_TOP_PAD		(-2)
#define MMT_M_MMAP_THRESHOLD	(-3)
#define MMT_M_MMAP_MAX		(-4)
#define MMT_M_ARENA_TEST	(-7)
#define MMT_M_ARENA_MAX		(-8)

/*
 * glibc's entry points on @t's behalf.  Each returns what glibc returns
 * (0 is NULL); a failure sets *@err to the errno glibc would set (ENOMEM),
 * 0 otherwise (@err may be NULL).  The first use creates the state
 * (-ENOMEM in *@err when the host is out of memory).  A call glibc would
 * abort in (malloc_printerr) returns 0 with *@err = -EFAULT and
 * mmt_malloc_abort_msg() saying why.
 */
uint64_t mmt_libc_malloc(struct mmt_task *t, uint64_t bytes, int *err);
uint64_t mmt_libc_calloc(struct mmt_task *t, uint64_t n, uint64_t size,
			 int *err);
uint64_t mmt_libc_realloc(struct mmt_task *t, uint64_t mem, uint64_t bytes,
			  int *err);
/* free(); -EFAULT when @mem is no block of this allocator (glibc:
 * "free(): invalid pointer"). */
int mmt_libc_free(struct mmt_task *t, uint64_t mem);
/* mallopt(): 1 on success, 0 for a value glibc refuses, -ENOMEM. */
int mmt_libc_mallopt(struct mmt_task *t, int param, int64_t value);
/* The thread later calls run as (0: the main thread; up to 1023). */
int mmt_libc_set_thread(struct mmt_task *t, unsigned tid);
/* The calls the last entry point issued, in order; *@n of them. */
const struct mmt_malloc_call *mmt_malloc_calls(const struct mmt_task *t,
					       size_t *n);
const char *mmt_malloc_abort_msg(const struct mmt_task *t);

/* What mallinfo-like questions need: the current parameters. */
struct mmt_malloc_params {
	uint64_t mmap_threshold, trim_threshold, top_pad;
	int n_mmaps, n_mmaps_max;
	int no_dyn_threshold;
	unsigned narenas;
	uint64_t main_top, main_top_size, main_system_mem;
};
/* -ENOENT when @t has not used malloc yet. */
int mmt_malloc_get_params(const struct mmt_task *t,
			  struct mmt_malloc_params *out);
/* The chunk size of the block at @mem (mmapped or not); 0: unknown. */
uint64_t mmt_malloc_chunk_size(const struct mmt_task *t, uint64_t mem,
			       int *mmapped);

#ifdef __cplusplus
}
#endif

#endif
