// SPDX-License-Identifier: MIT
/*
 * exec, the model against the live kernel in the same run:
 *   exec.dynamic   execve of /bin/true (a dynamic PIE: the program, its
 *                  interpreter, the vDSO, the initial stack) in a fresh
 *                  task, then its exit; the kernel's figure is
 *                  fork + execve + exit + wait of the same program (the
 *                  whole life of the process: the program runs to its
 *                  exit, glibc's start-up included, as a real exec has
 *                  to).  ns per exec; ratio = kernel / model.
 * The model's tasks run with ASLR (personality PER_LINUX), as the
 * kernel's children do here.
 */
#define _GNU_SOURCE 1
#include "bench.h"

#include <mmtwin/exec.h>

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXEC_PROG "/bin/true"

static double model_exec(unsigned n)
{
	struct mmt_config c;
	struct mmt_machine *m;
	char *argv[] = { EXEC_PROG, NULL }, *envp[] = { "A=1", "B=2", NULL };
	char err[256];
	uint64_t t0;

	mmt_config_init(&c, MMT_ARCH_X86_64);
	c.mem_bytes = 1ULL << 30;
	m = mmt_machine_new(&c, NULL, 0);
	if (!m)
		abort();
	t0 = bench_now_ns();
	for (unsigned i = 0; i < n; i++) {
		struct mmt_exec_params p = { 0 };
		struct mmt_task *t;
		int e;

		t = mmt_task_create(m, MMT_TASK_X86_64, 0, &e);
		if (!t)
			abort();
		t->personality = 0;
		p.filename = EXEC_PROG;
		p.argv = argv;
		p.envp = envp;
		if (mmt_execve(t, &p, NULL, err, sizeof(err)))
			abort();
		mmt_task_exit(t);
	}
	t0 = bench_now_ns() - t0;
	mmt_machine_free(m);
	return (double)t0 / n;
}

static double live_exec(unsigned n)
{
	char *argv[] = { EXEC_PROG, NULL }, *envp[] = { "A=1", "B=2", NULL };
	uint64_t t0 = bench_now_ns();

	for (unsigned i = 0; i < n; i++) {
		int st;
		pid_t pid = fork();

		if (pid < 0)
			abort();
		if (!pid) {
			execve(EXEC_PROG, argv, envp);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			abort();
	}
	return (double)(bench_now_ns() - t0) / n;
}

BENCH(exec)
{
	if (access(EXEC_PROG, X_OK))
		return;
	(void)model_exec(200);		/* warm the page cache and the host */
	(void)live_exec(50);
	bench_compare("exec.dynamic", model_exec(3000), live_exec(1000), "ns");
}
