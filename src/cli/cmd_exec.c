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

#include <errno.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <unistd.h>

extern char **environ;

static const char exec_usage[] =
	"usage: mmtwin exec [machine options] [--no-aslr | --seed N]\n"
	"                   [--show maps|mm|auxv|stack] [--format text|json]\n"
	"                   -- PROGRAM [ARGS...]\n\n"
	"Model execve(PROGRAM, ARGS) with this process's environment,\n"
	"personality and resource limits (so `env -i A=1 setarch -R mmtwin\n"
	"exec -- P` models `env -i A=1 setarch -R P`), and print the task's\n"
	"state at the moment execve returns:\n"
	"  maps   /proc/PID/maps (the default)\n"
	"  mm     the mm fields of /proc/PID/stat (26-28, 45-51) and brk\n"
	"  auxv   the auxiliary vector\n"
	"  stack  the initial stack from the stack pointer up, labelled\n"
	"--no-aslr adds ADDR_NO_RANDOMIZE to the personality.  ASLR itself\n"
	"is not modelled yet: a randomising exec is placed as with ASLR off\n"
	"(a note on stderr says so).\n\nOptions:\n" CLI_MACHINE_OPTS "\n"
	"Exit status: 0 success; 1 the exec failed (the errno and the reason\n"
	"on stderr); 2 bad usage.\n";

/* The modelled task gets this process's rlimits, personality and
 * capabilities. */
static void inherit_process_state(struct mmt_task *t)
{
	static const struct { int res; enum mmt_rlimit_res mres; } lims[] = {
		{ RLIMIT_STACK, MMT_RLIMIT_STACK },
		{ RLIMIT_DATA, MMT_RLIMIT_DATA },
		{ RLIMIT_AS, MMT_RLIMIT_AS },
		{ RLIMIT_MEMLOCK, MMT_RLIMIT_MEMLOCK },
	};
	int per = personality(0xffffffff);

	for (size_t i = 0; i < sizeof(lims) / sizeof(lims[0]); i++) {
		struct rlimit r;

		if (getrlimit(lims[i].res, &r))
			continue;
		t->rlim[lims[i].mres].cur = r.rlim_cur == RLIM_INFINITY
					    ? MMT_RLIM_INFINITY : r.rlim_cur;
		t->rlim[lims[i].mres].max = r.rlim_max == RLIM_INFINITY
					    ? MMT_RLIM_INFINITY : r.rlim_max;
	}
	if (per != -1)
		t->personality = (unsigned)per;
	{	/* the capabilities the model consults (CapEff) */
		FILE *f = fopen("/proc/self/status", "r");
		char buf[4096];
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

		if (f)
			fclose(f);
		buf[n] = 0;
		mmt_task_seed_caps(t, buf);
	}
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
	p.filename = argv[i + 1];
	p.argv = argv + i + 1;
	p.envp = environ;
	p.uid = (unsigned)getuid();
	p.euid = (unsigned)geteuid();
	p.gid = (unsigned)getgid();
	p.egid = (unsigned)getegid();
	p.hw = &hw;
	p.randomize_va_space = read_randomize_va_space();
	r = mmt_execve(t, &p, &res, err, sizeof(err));
	if (r) {
		fprintf(stderr, "mmtwin exec: %s: %s (%s)%s\n", argv[i + 1],
			strerror(-r), err, res.fatal ? "; the kernel would "
			"have killed the task (SIGSEGV)" : "");
		mmt_machine_free(m);
		return 1;
	}
	if (res.randomized)
		fprintf(stderr, "mmtwin exec: note: ASLR is not modelled yet; "
			"placed as with ADDR_NO_RANDOMIZE (use setarch -R or "
			"--no-aslr to compare with the kernel)\n");
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
