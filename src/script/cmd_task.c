// SPDX-License-Identifier: MIT
/*
 * Scenario commands of the process model:
 *   process [--abi x86_64|ia32|i386] [--pid N]   a task with an empty mm
 *   seed_process PID                             copy a live process's mm
 *   task PID                                     switch the current task
 *   exit_process [PID]                           free it (current: default)
 *   fd_install FD PATH [r|w|rw]                  open a file in the task
 *   setrlimit STACK|DATA|AS|MEMLOCK N|unlimited  the current task's limit
 *   sysctl NAME VALUE                            vm.max_map_count, ...
 * System-call lines (mmap(...)) run in the current task; `show maps`
 * prints it (src/script/script.c).
 */
#include <mmtwin/mm.h>
#include <mmtwin/script.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int parse_pid(struct mmt_script *s, const char *arg, int *pid)
{
	uint64_t v;

	if (mmt_parse_addr(arg, &v) || v == 0 || v >= 4194304)
		return mmt_script_fail(s, "bad PID '%s': a number from 1 to "
				       "4194303", arg);
	*pid = (int)v;
	return 0;
}

/* The task named by @arg, or the current one when @arg is NULL. */
static struct mmt_task *get_task(struct mmt_script *s, struct mmt_machine *m,
				 const char *arg)
{
	struct mmt_task *t;
	int pid = 0;

	if (!arg) {
		t = mmt_task_current(m);
		if (!t)
			mmt_script_fail(s, "no current process (see 'process')");
		return t;
	}
	if (parse_pid(s, arg, &pid))
		return NULL;
	t = mmt_task_find(m, pid);
	if (!t)
		mmt_script_fail(s, "no process with PID %d", pid);
	return t;
}

static void print_task(struct mmt_script *s, const struct mmt_task *t)
{
	const struct mmt_mm *mm = t->mm;

	fprintf(s->out, "process %d (%s): task_size %#llx mmap_base %#llx "
		"mmap_legacy_base %#llx%s\n", t->pid, mmt_task_abi_name(t->abi),
		(unsigned long long)mm->task_size,
		(unsigned long long)(t->abi == MMT_TASK_IA32
				     ? mm->mmap_compat_base : mm->mmap_base),
		(unsigned long long)(t->abi == MMT_TASK_IA32
				     ? mm->mmap_compat_legacy_base
				     : mm->mmap_legacy_base),
		mm->flags & MMT_MMF_TOPDOWN ? "" : " (legacy layout)");
}

static int parse_abi(struct mmt_script *s, const char *name,
		     enum mmt_task_abi *abi)
{
	static const enum mmt_task_abi all[] = { MMT_TASK_X86_64,
						 MMT_TASK_IA32, MMT_TASK_I386 };

	for (unsigned i = 0; i < 3; i++)
		if (!strcmp(name, mmt_task_abi_name(all[i]))) {
			*abi = all[i];
			return 0;
		}
	return mmt_script_fail(s, "unknown ABI '%s' (x86_64, ia32 or i386)",
			       name);
}

static int cmd_process(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m = mmt_script_machine(s);
	enum mmt_task_abi abi;
	struct mmt_task *t;
	int pid = 0, err;

	if (!m)
		return -1;
	abi = mmt_arch_is_64(m->cfg.arch) ? MMT_TASK_X86_64 : MMT_TASK_I386;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--abi") && i + 1 < argc) {
			if (parse_abi(s, argv[++i], &abi))
				return -1;
		} else if (!strcmp(argv[i], "--pid") && i + 1 < argc) {
			if (parse_pid(s, argv[++i], &pid))
				return -1;
		} else {
			return mmt_script_fail(s, "expected 'process [--abi "
					       "x86_64|ia32|i386] [--pid N]'");
		}
	}
	t = mmt_task_create(m, abi, pid, &err);
	if (!t) {
		if (err == -EINVAL)
			return mmt_script_fail(s, "ABI %s is not possible on "
					       "%s", mmt_task_abi_name(abi),
					       mmt_arch_name(m->cfg.arch));
		if (err == -EEXIST)
			return mmt_script_fail(s, "PID %d is in use", pid);
		return mmt_script_fail(s, "process: %s", strerror(-err));
	}
	mmt_task_set_current(m, t);
	print_task(s, t);
	return 0;
}

static int cmd_seed_process(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m = mmt_script_machine(s);
	struct mmt_task *t;
	int pid = 0;

	if (!m)
		return -1;
	if (argc != 2)
		return mmt_script_fail(s, "expected 'seed_process PID'");
	if (parse_pid(s, argv[1], &pid))
		return -1;
	t = mmt_task_seed_pid(m, pid, s->err, sizeof(s->err));
	if (!t)
		return -1;
	mmt_task_set_current(m, t);
	fprintf(s->out, "seeded from live pid %d: %lu VMAs\n", pid,
		t->mm->map_count);
	print_task(s, t);
	return 0;
}

static int cmd_task(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m = mmt_script_machine(s);
	struct mmt_task *t;

	if (!m)
		return -1;
	if (argc != 2)
		return mmt_script_fail(s, "expected 'task PID'");
	t = get_task(s, m, argv[1]);
	if (!t)
		return -1;
	mmt_task_set_current(m, t);
	return 0;
}

static int cmd_exit_process(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m = mmt_script_machine(s);
	struct mmt_task *t;

	if (!m)
		return -1;
	if (argc > 2)
		return mmt_script_fail(s, "expected 'exit_process [PID]'");
	t = get_task(s, m, argc == 2 ? argv[1] : NULL);
	if (!t)
		return -1;
	mmt_task_exit(t);
	return 0;
}

static int cmd_fd_install(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m = mmt_script_machine(s);
	unsigned mode = MMT_FMODE_READ;
	struct mmt_task *t;
	uint64_t fd;
	int err;

	if (!m)
		return -1;
	if (argc < 3 || argc > 4 || mmt_parse_addr(argv[1], &fd))
		return mmt_script_fail(s, "expected 'fd_install FD PATH "
				       "[r|w|rw]'");
	if (argc == 4) {
		if (!strcmp(argv[3], "w"))
			mode = MMT_FMODE_WRITE;
		else if (!strcmp(argv[3], "rw"))
			mode = MMT_FMODE_READ | MMT_FMODE_WRITE;
		else if (strcmp(argv[3], "r"))
			return mmt_script_fail(s, "open mode '%s': r, w or rw",
					       argv[3]);
	}
	t = get_task(s, m, NULL);
	if (!t)
		return -1;
	err = fd > 65535 ? -EBADF
			 : mmt_task_fd_install_mode(t, (int)fd, argv[2], mode);
	if (err)
		return mmt_script_fail(s, "fd_install %s: %s", argv[2],
				       strerror(-err));
	return 0;
}

static int cmd_setrlimit(struct mmt_script *s, int argc, char **argv)
{
	static const char *const names[MMT_NR_RLIMITS] = {
		"STACK", "DATA", "AS", "MEMLOCK" };
	struct mmt_machine *m = mmt_script_machine(s);
	struct mmt_task *t;
	uint64_t v;
	unsigned r;

	if (!m)
		return -1;
	if (argc != 3)
		return mmt_script_fail(s, "expected 'setrlimit STACK|DATA|AS|"
				       "MEMLOCK N|unlimited'");
	for (r = 0; r < MMT_NR_RLIMITS; r++)
		if (!strcmp(argv[1], names[r]))
			break;
	if (r == MMT_NR_RLIMITS)
		return mmt_script_fail(s, "unknown limit '%s'", argv[1]);
	if (!strcmp(argv[2], "unlimited"))
		v = MMT_RLIM_INFINITY;
	else if (mmt_parse_size(argv[2], &v))
		return mmt_script_fail(s, "expected a size, got '%s'", argv[2]);
	t = get_task(s, m, NULL);
	if (!t)
		return -1;
	t->rlim[r].cur = v;
	if (t->rlim[r].max < v)
		t->rlim[r].max = v;
	if (r == MMT_RLIMIT_STACK)	/* as the next exec would see it */
		mmt_task_pick_mmap_layout(t);
	return 0;
}

static int cmd_sysctl(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m = mmt_script_machine(s);
	uint64_t v;
	int err;

	if (!m)
		return -1;
	if (argc != 3 || mmt_parse_addr(argv[2], &v))
		return mmt_script_fail(s, "expected 'sysctl NAME VALUE'");
	err = mmt_vm_sysctl_set(m, argv[1], v);
	if (err == -EINVAL)
		return mmt_script_fail(s, "sysctl %s: invalid value '%s'",
				       argv[1], argv[2]);
	if (err)
		return mmt_script_fail(s, "unknown sysctl '%s' (vm.max_map_"
				       "count, vm.mmap_min_addr, vm.overcommit_"
				       "memory, vm.overcommit_ratio, vm.over"
				       "commit_kbytes, vm.admin_reserve_kbytes, "
				       "vm.user_reserve_kbytes, vm.legacy_va_"
				       "layout, vm.mmap_rnd_bits, vm.mmap_rnd_"
				       "compat_bits, kernel.randomize_va_space)",
				       argv[1]);
	return 0;
}

const struct mmt_script_cmd mmt_script_cmds_task[] = {
	{ "process", "process [--abi x86_64|ia32|i386] [--pid N]",
	  "create a process with an empty mm and make it current", cmd_process },
	{ "seed_process", "seed_process PID",
	  "copy a live process's VMAs and mm fields (from /proc/PID)",
	  cmd_seed_process },
	{ "task", "task PID", "make process PID current", cmd_task },
	{ "exit_process", "exit_process [PID]",
	  "free a process: VMAs, page tables, objects (default: current)",
	  cmd_exit_process },
	{ "fd_install", "fd_install FD PATH [r|w|rw]",
	  "open a real file as FD in the current process", cmd_fd_install },
	{ "setrlimit", "setrlimit STACK|DATA|AS|MEMLOCK N|unlimited",
	  "set a resource limit of the current process", cmd_setrlimit },
	{ "sysctl", "sysctl NAME VALUE",
	  "set a vm sysctl: max_map_count, mmap_min_addr, overcommit_memory, "
	  "overcommit_ratio, overcommit_kbytes, admin_reserve_kbytes, "
	  "user_reserve_kbytes, legacy_va_layout, mmap_rnd_bits, "
	  "mmap_rnd_compat_bits; kernel.randomize_va_space", cmd_sysctl },
	{ NULL, NULL, NULL, NULL }
};
