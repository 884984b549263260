// SPDX-License-Identifier: MIT
/*
 * Scenario commands of exec:
 *   exec PATH [ARGS...]    replace the current process's image with the
 *                          real program PATH (argv[0] = PATH, an empty
 *                          environment, uid 0, the machine's CPU facts
 *                          and AT_RANDOM from its seed)
 * A refusal before the kernel's point of no return leaves the process as
 * it was; after it the kernel kills the task (SIGSEGV): so does the
 * scenario, and the line fails.  `show maps|mm|auxv|stack` print it.
 */
#include <mmtwin/exec.h>
#include <mmtwin/script.h>

#include <stdlib.h>
#include <string.h>

static int cmd_exec(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m = mmt_script_machine(s);
	struct mmt_exec_params p = { 0 };
	struct mmt_exec_result res;
	char *envp[] = { NULL }, err[512], **args;
	struct mmt_task *t;
	int r, pid;

	if (!m)
		return -1;
	if (argc < 2)
		return mmt_script_fail(s, "expected 'exec PATH [ARGS...]'");
	t = mmt_task_current(m);
	if (!t)
		return mmt_script_fail(s, "no current process (see 'process')");
	args = calloc((size_t)argc, sizeof(*args));	/* NULL-terminated */
	if (!args)
		return mmt_script_fail(s, "out of host memory");
	memcpy(args, argv + 1, (size_t)(argc - 1) * sizeof(*args));
	p.filename = argv[1];
	p.argv = args;
	p.envp = envp;
	r = mmt_execve(t, &p, &res, err, sizeof(err));
	free(args);
	if (r) {
		pid = t->pid;
		if (res.fatal) {
			mmt_task_exit(t);
			return mmt_script_fail(s, "exec %s: %s (%s): past the "
					       "point of no return, process %d "
					       "was killed (SIGSEGV)", argv[1],
					       strerror(-r), err, pid);
		}
		return mmt_script_fail(s, "exec %s: %s (%s)", argv[1],
				       strerror(-r), err);
	}
	fprintf(s->out, "exec %s: process %d (%s) entry %#llx sp %#llx "
		"brk %#llx\n", argv[1], t->pid, mmt_task_abi_name(t->abi),
		(unsigned long long)res.entry, (unsigned long long)res.sp,
		(unsigned long long)t->mm->brk);
	return 0;
}

const struct mmt_script_cmd mmt_script_cmds_exec[] = {
	{ "exec", "exec PATH [ARGS...]",
	  "replace the current process's image with a real program (execve)",
	  cmd_exec },
	{ NULL, NULL, NULL, NULL }
};
