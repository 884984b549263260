// SPDX-License-Identifier: MIT
/*
 * mmtwin exec [machine options] [--no-aslr | --seed N] [--show WHAT]
 *             -- PROGRAM ARGS...
 * Boot a machine, create a task with this process's environment,
 * personality and rlimits, execve PROGRAM in it and print what the
 * kernel would show at the moment execve returns: /proc/PID/maps, the mm
 * fields of /proc/PID/stat, the auxiliary vector, or the initial stack.
 */
#include "cli.h"
#include "twin/twin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static const char exec_usage[] =
	"usage: mmtwin exec [machine options] [--no-aslr | --seed N]\n"
	"                   [--show maps|mm|auxv|stack] [--format text|json]\n"
	"                   [--hwcap N] [--hwcap2 N] [--minsigstksz N]\n"
	"                   -- PROGRAM [ARGS...]\n\n"
	"Model execve(PROGRAM, ARGS) with this process's environment,\n"
	"personality and resource limits (so `env -i A=1 setarch -R mmtwin\n"
	"exec -- P` models `env -i A=1 setarch -R P`), and print the task's\n"
	"state at the moment execve returns:\n"
	"  maps   /proc/PID/maps (the default)\n"
	"  mm     the mm fields of /proc/PID/stat (26-28, 45-51) and brk\n"
	"  auxv   the auxiliary vector\n"
	"  stack  the initial stack from the stack pointer up, labelled\n"
	"--hwcap N, --hwcap2 N, --minsigstksz N set AT_HWCAP, AT_HWCAP2 and\n"
	"AT_MINSIGSTKSZ (default: this host's own auxv; with them the model\n"
	"stands for another CPU, e.g. the QEMU guest of tests/qemu).\n"
	"--no-aslr adds ADDR_NO_RANDOMIZE to the personality (the fixed\n"
	"layout).  Otherwise, when this host's kernel.randomize_va_space\n"
	"allows it, the bases are randomised with the kernel's ranges and\n"
	"alignments from the machine's generator: --seed N picks them.\n\n"
	"Options:\n" CLI_MACHINE_OPTS "\n"
	"Exit status: 0 success; 1 the exec failed (the errno and the reason\n"
	"on stderr); 2 bad usage.\n";

/* The modelled task gets this process's rlimits, personality and
 * capabilities. */
static void inherit_process_state(struct mmt_task *t)
{
	struct mmt_twin_init own = { 0 };
	static char status[8192];

	mmt_twin_init_own(&own, status, sizeof(status));
	memcpy(t->rlim, own.rlim, sizeof(t->rlim));
	t->personality = own.personality;
	mmt_task_seed_caps(t, status);	/* the ones the model consults */
}

static int read_randomize_va_space(void)
{
	FILE *f = fopen("/proc/sys/kernel/randomize_va_space", "r");
	int v = 2;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 2;
		fclose(f);
	}
	return v;
}

int cmd_exec(int argc, char **argv)
{
	struct mmt_config c;
	enum mmt_format fmt = MMT_FMT_TEXT;
	const char *show = "maps";
	bool no_aslr = false;
	struct mmt_exec_params p = { 0 };
	struct mmt_exec_result res;
	struct mmt_exec_hw hw;
	struct mmt_machine *m;
	struct mmt_task *t;
	char err[512];
	int i, e, r, status = 0;
	/* --hwcap, --hwcap2, --minsigstksz: set, value */
	struct { const char *opt; bool set; uint64_t v; } hwopt[3] = {
		{ "--hwcap", false, 0 }, { "--hwcap2", false, 0 },
		{ "--minsigstksz", false, 0 } };

	mmt_config_init(&c, MMT_ARCH_X86_64);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (cli_is_help(argv[i])) {
			fputs(exec_usage, stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--no-aslr")) {
			no_aslr = true;
			continue;
		}
		for (unsigned k = 0; k < 3; k++) {
			char *end;

			if (strcmp(argv[i], hwopt[k].opt))
				continue;
			if (i + 1 >= argc) {
				fprintf(stderr, "mmtwin exec: %s needs a "
					"value\n", argv[i]);
				return 2;
			}
			errno = 0;
			hwopt[k].v = strtoull(argv[i + 1], &end, 0);
			if (errno || end == argv[i + 1] || *end ||
			    argv[i + 1][0] == '-') {
				fprintf(stderr, "mmtwin exec: %s %s: not a "
					"number\n", argv[i], argv[i + 1]);
				return 2;
			}
			hwopt[k].set = true;
			i++;
			goto next;
		}
		if (!strcmp(argv[i], "--show") || !strncmp(argv[i], "--show=", 7)) {
			if (argv[i][6] == '=')
				show = argv[i] + 7;
			else if (i + 1 < argc)
				show = argv[++i];
			else {
				fprintf(stderr, "mmtwin exec: --show needs a "
					"value\n");
				return 2;
			}
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1] == '-') {
			if (mmt_parse_machine_opt(&c, argc, argv, &i, &fmt, err,
						  sizeof(err))) {
				fprintf(stderr, "mmtwin exec: %s\n", err);
				return 2;
			}
			continue;
		}
		fprintf(stderr, "mmtwin exec: '%s' before '--': the program "
			"comes after '--'\n", argv[i]);
		return 2;
next:
		;
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "mmtwin exec: no program (after '--')\n%s",
			exec_usage);
		return 2;
	}
	if (strcmp(show, "maps") && strcmp(show, "mm") && strcmp(show, "auxv")
	    && strcmp(show, "stack")) {
		fprintf(stderr, "mmtwin exec: --show %s: maps, mm, auxv or "
			"stack\n", show);
		return 2;
	}
	if (mmt_config_check(&c, err, sizeof(err))) {
		fprintf(stderr, "mmtwin exec: %s\n", err);
		return 2;
	}
	m = cli_boot(&c);
	if (!m)
		return 2;
	t = mmt_task_create(m, mmt_arch_is_64(c.arch) ? MMT_TASK_X86_64
						      : MMT_TASK_I386, 0, &e);
	if (!t) {
		fprintf(stderr, "mmtwin exec: cannot create a task: %s\n",
			strerror(-e));
		mmt_machine_free(m);
		return 1;
	}
	inherit_process_state(t);
	if (no_aslr)
		t->personality |= MMT_PER_ADDR_NO_RANDOMIZE;
	mmt_exec_hw_host(m, &hw);
	if (hwopt[0].set)
		hw.hwcap = hwopt[0].v;
	if (hwopt[1].set)
		hw.hwcap2 = hwopt[1].v;
	if (hwopt[2].set)
		hw.minsigstksz = hw.minsigstksz32 = hwopt[2].v;
	p.filename = argv[i + 1];
	p.argv = argv + i + 1;
	p.envp = environ;
	p.uid = (unsigned)getuid();
	p.euid = (unsigned)geteuid();
	p.gid = (unsigned)getgid();
	p.egid = (unsigned)getegid();
	p.hw = &hw;
	mmt_vm_sysctl_set(m, "kernel.randomize_va_space",
			  (uint64_t)read_randomize_va_space());
	r = mmt_execve(t, &p, &res, err, sizeof(err));
	if (r) {
		fprintf(stderr, "mmtwin exec: %s: %s (%s)%s\n", argv[i + 1],
			strerror(-r), err, res.fatal ? "; the kernel would "
			"have killed the task (SIGSEGV)" : "");
		mmt_machine_free(m);
		return 1;
	}
	if (!strcmp(show, "maps")) {
		if (fmt == MMT_FMT_JSON)
			mmt_maps_print_json(t, stdout);
		else
			mmt_maps_print(t, stdout);
	} else if (!strcmp(show, "mm")) {
		mmt_exec_print_mm(t, stdout, fmt);
	} else if (!strcmp(show, "auxv")) {
		status = mmt_exec_print_auxv(t, stdout, fmt) ? 1 : 0;
	} else {
		status = mmt_exec_print_stack(t, stdout, fmt) ? 1 : 0;
	}
	if (c.check && mmt_machine_check(m, err, sizeof(err))) {
		fprintf(stderr, "mmtwin exec: %s\n", err);
		status = 1;
	}
	mmt_machine_free(m);
	return status;
}
