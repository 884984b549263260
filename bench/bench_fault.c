// SPDX-License-Identifier: MIT
/*
 * Page faults and fork, the model against the live kernel doing the same
 * in this process (ref), per page:
 *   fault.anon_write    first write to each page of 64 MiB of private
 *                       anonymous memory (MADV_NOHUGEPAGE): a new frame
 *   fault.zero_read     first read of each page: the zero page mapped
 *   fault.cow           after fork, the child's first write to each of
 *                       the parent's 64 MiB of written pages: a copy
 *   fork.per_pte        fork() of a process with 256 MiB written (65536
 *                       PTEs to copy and write-protect), per PTE; the
 *                       kernel's figure is fork() as the parent sees it
 * The model's access is mmt_task_access: MMU walk, #PF, handle_mm_fault,
 * then the access again, as the CPU does it; it carries no byte (the
 * model stores contents only for bytes it is given: a written byte costs
 * a host page per frame, which is the host's cost, not the fault's).
 */
#define _GNU_SOURCE 1
#include "bench.h"

#include "mm/vma_internal.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096ULL
#define AREA (64ULL << 20)
#define FORK_AREA (256ULL << 20)
#define MADV_NOHUGEPAGE_ 15

static struct mmt_machine *fault_machine(void)
{
	struct mmt_config c;

	mmt_config_init(&c, MMT_ARCH_X86_64);
	c.mem_bytes = 2ULL << 30;
	return mmt_machine_new(&c, NULL, 0);
}

static struct mmt_task *fault_task(struct mmt_machine *m, uint64_t len,
				   uint64_t *base)
{
	int err;
	struct mmt_task *t = mmt_task_create(m, MMT_TASK_X86_64, 0, &err);
	int64_t a;

	if (!t)
		abort();
	a = mmt_ksys_mmap_pgoff(t, MMT_ABI_X86_64, 0, len, 3, 0x22, -1, 0);
	if (a < 0 || mmt_do_madvise(t, (uint64_t)a, len, MADV_NOHUGEPAGE_))
		abort();
	*base = (uint64_t)a;
	return t;
}

/* ns per page of one pass of @kind accesses over [base, base + len). */
static double model_touch(struct mmt_task *t, uint64_t base, uint64_t len,
			  unsigned kind)
{
	struct mmt_siginfo si;
	uint64_t t0 = bench_now_ns();

	/* no data: the model keeps contents only for bytes it is given */
	for (uint64_t a = base; a < base + len; a += PAGE)
		if (mmt_task_access(t, a, kind, NULL, &si))
			abort();
	return (double)(bench_now_ns() - t0) / (double)(len / PAGE);
}

static double model_first_touch(unsigned kind)
{
	struct mmt_machine *m = fault_machine();
	uint64_t base;
	struct mmt_task *t = fault_task(m, AREA, &base);
	double ns = model_touch(t, base, AREA, kind);

	mmt_machine_free(m);
	return ns;
}

static char *live_area(uint64_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || madvise(p, len, MADV_NOHUGEPAGE))
		abort();
	return p;
}

static double live_first_touch(bool write)
{
	char *p = live_area(AREA);
	volatile char *q = p;
	uint64_t sum = 0, t0 = bench_now_ns();
	double ns;

	for (uint64_t off = 0; off < AREA; off += PAGE) {
		if (write)
			q[off] = 1;
		else
			sum += (uint64_t)q[off];
	}
	ns = (double)(bench_now_ns() - t0) / (double)(AREA / PAGE);
	bench_sink(sum);
	munmap(p, AREA);
	return ns;
}

BENCH(fault_anon_write)
{
	bench_compare("fault.anon_write", model_first_touch(MMT_ACCESS_WRITE),
		      live_first_touch(true), "ns/page");
}

BENCH(fault_zero_read)
{
	bench_compare("fault.zero_read", model_first_touch(MMT_ACCESS_READ),
		      live_first_touch(false), "ns/page");
}

static double model_cow(void)
{
	struct mmt_machine *m = fault_machine();
	uint64_t base;
	struct mmt_task *t = fault_task(m, AREA, &base), *c;
	int err;
	double ns;

	model_touch(t, base, AREA, MMT_ACCESS_WRITE);
	c = mmt_task_fork(t, 0, &err);
	if (!c)
		abort();
	ns = model_touch(c, base, AREA, MMT_ACCESS_WRITE);
	mmt_machine_free(m);
	return ns;
}

/* The child writes every page and reports its ns per page. */
static double live_cow(void)
{
	char *p = live_area(AREA);
	int fd[2];
	double ns = 0;
	pid_t pid;

	for (uint64_t off = 0; off < AREA; off += PAGE)
		p[off] = 1;
	if (pipe(fd))
		abort();
	pid = fork();
	if (pid == 0) {
		volatile char *q = p;
		uint64_t t0 = bench_now_ns();

		for (uint64_t off = 0; off < AREA; off += PAGE)
			q[off] = 2;
		ns = (double)(bench_now_ns() - t0) / (double)(AREA / PAGE);
		if (write(fd[1], &ns, sizeof(ns)) != sizeof(ns))
			_exit(1);
		_exit(0);
	}
	if (pid < 0 || read(fd[0], &ns, sizeof(ns)) != sizeof(ns))
		abort();
	waitpid(pid, NULL, 0);
	close(fd[0]);
	close(fd[1]);
	munmap(p, AREA);
	return ns;
}

BENCH(fault_cow)
{
	bench_compare("fault.cow", model_cow(), live_cow(), "ns/page");
}

static double model_fork(void)
{
	struct mmt_machine *m = fault_machine();
	uint64_t base, t0, t1;
	struct mmt_task *t = fault_task(m, FORK_AREA, &base), *c;
	int err;

	model_touch(t, base, FORK_AREA, MMT_ACCESS_WRITE);
	t0 = bench_now_ns();
	c = mmt_task_fork(t, 0, &err);
	t1 = bench_now_ns();
	if (!c)
		abort();
	mmt_machine_free(m);
	return (double)(t1 - t0) / (double)(FORK_AREA / PAGE);
}

static double live_fork(void)
{
	char *p = live_area(FORK_AREA);
	uint64_t t0, t1;
	pid_t pid;

	for (uint64_t off = 0; off < FORK_AREA; off += PAGE)
		p[off] = 1;
	t0 = bench_now_ns();
	pid = fork();
	if (pid == 0)
		_exit(0);
	t1 = bench_now_ns();
	if (pid < 0)
		abort();
	waitpid(pid, NULL, 0);
	munmap(p, FORK_AREA);
	return (double)(t1 - t0) / (double)(FORK_AREA / PAGE);
}

BENCH(fork_per_pte)
{
	bench_compare("fork.per_pte", model_fork(), live_fork(), "ns/pte");
}
