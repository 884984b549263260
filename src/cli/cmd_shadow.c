// SPDX-License-Identifier: MIT
/*
 * mmtwin shadow [--aslr] [--keep-going] [--format text|json] [--timeout S]
 *               [--trace] [--output FILE] [machine options] [--] PROGRAM ARGS...
 * Run PROGRAM for real under ptrace and mirror its memory syscalls into
 * the model, comparing at every step (src/twin/ptrace.c, mirror.c).
 */
#include "cli.h"
#include "twin/shadow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static const char shadow_usage[] =
	"usage: mmtwin shadow [--aslr] [--keep-going] [--format text|json]\n"
	"                     [--timeout S] [--trace] [--output FILE]\n"
	"                     [--report FILE.html]\n"
	"                     [machine options] [--] PROGRAM [ARGS...]\n\n"
	"Run PROGRAM on this machine under ptrace (all threads and children)\n"
	"and mirror its memory system calls into the model: execve, brk,\n"
	"mmap/mmap2, munmap, mprotect, pkey_mprotect, mremap, madvise,\n"
	"mlock*, mseal, msync, shmget/shmat/shmdt/shmctl, clone/clone3/fork/\n"
	"vfork, exit/exit_group, personality, and setrlimit/prlimit64 of\n"
	"the stack, data, address-space and memlock limits; x86_64 and i386\n"
	"tasks.  The model decides from the calls alone; the real process is\n"
	"only read to compare, at the start (its exec) and when --keep-going\n"
	"resyncs.\n\n"
	"What is compared when:\n"
	"  every mirrored call   the model's result (address, value or errno)\n"
	"                        with the kernel's, at the syscall-exit stop\n"
	"  then                  the maps lines of the range the call can have\n"
	"                        changed, with the VMA just below it and the\n"
	"                        next one at or after its end (PROCMAP_QUERY\n"
	"                        ioctl on /proc/PID/maps, Linux 6.11+; older\n"
	"                        kernels: the whole file)\n"
	"  after each execve,    the whole /proc/PID/maps text, byte for byte\n"
	"  a new process at its\n"
	"  fork, and at exit_group of a single-threaded process\n"
	"Stack growth is a page fault ptrace cannot see: when the real [stack]\n"
	"starts lower, the model takes the same fault before comparing.\n\n"
	"Options:\n"
	"  --aslr         keep the host's ASLR (default: ADDR_NO_RANDOMIZE);\n"
	"                 after each exec the model adopts the real layout\n"
	"                 (a resync), as ASLR is not modelled\n"
	"  --keep-going   after a divergence resynchronise that process from\n"
	"                 its real maps and go on, counting (default: stop\n"
	"                 mirroring at the first one; the program runs on\n"
	"                 untraced)\n"
	"  --format F     text | json: the divergences (one JSON object each)\n"
	"                 and the summary\n"
	"  --timeout S    kill the program (SIGKILL, the whole tree) after S\n"
	"                 seconds and report\n"
	"  --trace        print every mirrored call with the model's --trace\n"
	"                 reasoning (a divergence always shows its step's)\n"
	"  --output FILE  write the report to FILE (also -o; default: stderr,\n"
	"                 so that the program's own output stays on stdout)\n"
	"  --report FILE.html  also write a self-contained page: each\n"
	"                 process's address space drawn (kernel half and user\n"
	"                 half, from the model's maps at its end), the timeline\n"
	"                 of its mirrored calls, divergences highlighted\n"
	"  --mem SIZE     the model's RAM (default: this host's MemTotal)\n"
	"The program's stdin, stdout, stderr, signals and exit status are its\n"
	"own.  On a divergence the report prints the call in strace's\n"
	"notation, both maps as a unified diff (the kernel's lines -, the\n"
	"model's +) and the model's trace of that step; at the end\n"
	"`syscalls: N, agreed: M` per process and in total.  A progress line\n"
	"(syscalls mirrored, agreed, processes) goes to stderr when it is a\n"
	"terminal and the run is long.\n\n"
	"Machine options (see mmtwin --help):\n" CLI_MACHINE_OPTS "\n"
	"Exit status: 0 every mirrored call agreed; 1 a divergence; 2 bad\n"
	"usage; 3 the program could not be traced, the tracer gave up (it\n"
	"detached and let the program finish) or --timeout killed it.  The\n"
	"program's own status is in the report (exit_code in JSON).\n";

static uint64_t host_memtotal(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	unsigned long long kb = 0;
	char line[256];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb << 10;
}

static long read_sysctl(const char *name)
{
	char p[128];
	FILE *f;
	long v = -1;

	snprintf(p, sizeof(p), "/proc/sys/%s", name);
	f = fopen(p, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* The host's vm sysctls the model consults. */
static void host_sysctls(struct mmt_machine *m)
{
	static const char *const names[] = {
		"vm.max_map_count", "vm.mmap_min_addr", "vm.overcommit_memory",
		"vm.overcommit_ratio", "vm.legacy_va_layout",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[64];
		long v;

		snprintf(path, sizeof(path), "%s", names[i]);
		for (char *p = path; *p; p++)
			if (*p == '.')
				*p = '/';
		v = read_sysctl(path);
		if (v >= 0)
			mmt_vm_sysctl_set(m, names[i], (uint64_t)v);
	}
}

/*
 * MMTWIN_SHADOW_FAIL_AT=N, a testing seam (struct mmt_shadow_opts's
 * fail_at): the tracer fails at its Nth stop and must detach from
 * everything.  Unset or not a number: never.
 */
static unsigned long fail_at_env(void)
{
	const char *v = getenv("MMTWIN_SHADOW_FAIL_AT");
	unsigned long n;
	char *end;

	if (!v || !*v)
		return 0;
	errno = 0;
	n = strtoul(v, &end, 10);
	return errno || *end ? 0 : n;
}

int cmd_shadow(int argc, char **argv)
{
	struct mmt_shadow_opts o = { 0 };
	struct mmt_shadow_stats st;
	struct mmt_twin_init init = { 0 };
	struct mmt_config c;
	enum mmt_format fmt = MMT_FMT_TEXT;
	struct mmt_machine *m;
	bool mem_given = false;
	char err[512];
	static char status[8192];
	const char *outfile = NULL;
	int i, r;

	mmt_config_init(&c, MMT_ARCH_X86_64);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-')
			break;
		if (cli_is_help(a)) {
			fputs(shadow_usage, stdout);
			return 0;
		}
		if (!strcmp(a, "--aslr")) {
			o.aslr = true;
		} else if (!strcmp(a, "--keep-going")) {
			o.keep_going = true;
		} else if (!strcmp(a, "--trace")) {
			o.trace = true;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "mmtwin shadow: %s needs a "
					"file\n", a);
				return 2;
			}
			outfile = argv[++i];
		} else if (!strcmp(a, "--report") ||
			   !strncmp(a, "--report=", 9)) {
			const char *v = a[8] == '=' ? a + 9
				      : i + 1 < argc ? argv[++i] : NULL;

			if (!v || !*v) {
				fprintf(stderr, "mmtwin shadow: --report needs "
					"a file name\n");
				return 2;
			}
			o.report = v;
		} else if (!strcmp(a, "--timeout") ||
			   !strncmp(a, "--timeout=", 10)) {
			const char *v = a[9] == '=' ? a + 10
				      : i + 1 < argc ? argv[++i] : NULL;
			char *end;

			if (!v) {
				fprintf(stderr, "mmtwin shadow: --timeout needs "
					"seconds\n");
				return 2;
			}
			errno = 0;
			o.timeout = strtod(v, &end);
			if (errno || *end || end == v || !(o.timeout > 0) ||
			    o.timeout > 1e7) {
				fprintf(stderr, "mmtwin shadow: --timeout %s: "
					"a positive number of seconds\n", v);
				return 2;
			}
		} else if (a[1] == '-') {
			if (!strcmp(a, "--mem") || !strncmp(a, "--mem=", 6))
				mem_given = true;
			if (mmt_parse_machine_opt(&c, argc, argv, &i, &fmt, err,
						  sizeof(err))) {
				fprintf(stderr, "mmtwin shadow: %s\n", err);
				return 2;
			}
		} else {
			fprintf(stderr, "mmtwin shadow: unknown option '%s'\n%s",
				a, shadow_usage);
			return 2;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "mmtwin shadow: no program\n%s", shadow_usage);
		return 2;
	}
	if (c.arch != MMT_ARCH_X86_64) {
		fprintf(stderr, "mmtwin shadow: only --arch x86_64 (this "
			"host's) can shadow a real program\n");
		return 2;
	}
	if (!mem_given) {
		uint64_t mem = host_memtotal();

		if (mem >= (64ULL << 20))
			c.mem_bytes = (mem + (1ULL << 20) - 1) & ~((1ULL << 20) - 1);
	}
	if (mmt_config_check(&c, err, sizeof(err))) {
		fprintf(stderr, "mmtwin shadow: %s\n", err);
		return 2;
	}
	o.json = fmt == MMT_FMT_JSON;
	o.out = stderr;
	if (outfile) {
		o.out = fopen(outfile, "w");
		if (!o.out) {
			fprintf(stderr, "mmtwin shadow: %s: %s\n", outfile,
				strerror(errno));
			return 2;
		}
	}
	cli_progress(&o.progress, &o.progress_after, &o.progress_every);
	o.fail_at = fail_at_env();
	m = cli_boot(&c);
	if (!m) {
		if (outfile)
			fclose(o.out);
		return 2;
	}
	host_sysctls(m);
	mmt_twin_init_own(&init, status, sizeof(status));
	if (!o.aslr)
		init.personality |= MMT_PER_ADDR_NO_RANDOMIZE;
	r = mmt_shadow_run(m, &init, argv + i, environ, &o, &st);
	if (c.check && mmt_machine_check(m, err, sizeof(err))) {
		fprintf(o.out, "mmtwin shadow: %s\n", err);
		r = r ? r : 1;
	}
	if (st.error[0] && !st.syscalls)
		fprintf(stderr, "mmtwin shadow: %s\n", st.error);
	mmt_machine_free(m);
	if (outfile && fclose(o.out))
		r = r ? r : 2;
	return r;
}
