// SPDX-License-Identifier: MIT
/*
 * mmtwin replay [options] LOG
 * Replay an strace log on the model (src/twin/replay.c): the exec from
 * the logged execve, every memory and process call through the mirror,
 * the model's result compared with the logged one; then each process's
 * final modelled maps and "syscalls: N, agreed: M".
 */
#include "cli.h"
#include "twin/replay.h"
#include "twin/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char replay_usage[] =
	"usage: mmtwin replay [options] LOG\n\n"
	"Replay an strace log on the model and check it.  Record the log with\n"
	"  setarch -R strace -f -qq -y -v -s 65536 -e trace=%memory,%process \\\n"
	"          -o LOG -- CMD ARGS\n"
	"(-f follows threads and children, -y names the file behind an mmap's\n"
	"fd, -v -s 65536 keep execve's argv and environment whole, setarch -R\n"
	"turns ASLR off, which the model's placement assumes; add %ipc for\n"
	"SysV shm, and prlimit64,setrlimit for a program that changes its\n"
	"limits, to the trace= list: they are replayed too).  The first\n"
	"execve is rebuilt from its line (argv and environment as logged) in a\n"
	"task with mmtwin's own personality and resource limits, as for\n"
	"`mmtwin exec` (a log does not record them: the options below set\n"
	"them); clone with CLONE_VM makes a thread sharing the mm, fork, vfork\n"
	"and clone without it a copy, the child's pid from the result; execve\n"
	"in children, exit and exit_group are followed.  The file behind an\n"
	"mmap's fd is its -y path, identified by stat(2) on this machine.\n"
	"Every mirrored call's model result (address, value or errno) is\n"
	"compared with the logged one; a divergence prints the call, both\n"
	"results and, with --trace, the model's reasoning.  Then each process,\n"
	"the main one first, with \"syscalls: N, agreed: M\" and its modelled\n"
	"/proc/PID/maps as it was when the process ended.  A progress line\n"
	"(lines read, syscalls mirrored, agreed) goes to stderr when it is a\n"
	"terminal and the replay is long.\n\n"
	"What a log does not say: the order in which overlapping calls of\n"
	"one process (<unfinished ...> while others ended) took the mmap\n"
	"lock is found by trying the orders the log allows on a copy of the\n"
	"process until every result agrees; page faults are not logged, so\n"
	"a fork assumes the parent wrote its private writable mappings, and\n"
	"a stack grown by faults is not seen (the final [stack] is smaller).\n\n"
	"Options:\n"
	"  --trace              with each divergence, the model's reasoning\n"
	"  --no-maps            the counts only, no maps\n"
	"  --report FILE.html   also write a self-contained page: each\n"
	"                       process's address space drawn (kernel half\n"
	"                       and its final VMAs) beside the timeline of\n"
	"                       its mirrored calls, divergences highlighted\n"
	"  --max-divergences N  report at most N divergences (default 100)\n"
	"  --personality P      the first task's personality: a number or\n"
	"                       names (ADDR_NO_RANDOMIZE|ADDR_COMPAT_LAYOUT)\n"
	"                       (default: mmtwin's own)\n"
	"  --rlimit-stack V     RLIMIT_STACK (soft and hard): a size or\n"
	"                       'unlimited' (default: mmtwin's own); likewise\n"
	"  --rlimit-data V --rlimit-as V --rlimit-memlock V\n"
	"  --format text|json   the report as text or one JSON document\n"
	"Machine options (--trace above is the replay's):\n" CLI_MACHINE_OPTS "\n"
	"Exit status: 0 every call agreed; 1 some call diverged (or an\n"
	"invariant check failed); 2 bad usage, an unreadable log, or a\n"
	"malformed or truncated one (\"LOG:LINE: message\" on stderr).\n";

static const struct {
	const char *opt;
	enum mmt_rlimit_res res;
} rlimit_opts[] = {
	{ "--rlimit-stack", MMT_RLIMIT_STACK },
	{ "--rlimit-data", MMT_RLIMIT_DATA },
	{ "--rlimit-as", MMT_RLIMIT_AS },
	{ "--rlimit-memlock", MMT_RLIMIT_MEMLOCK },
};
#define NR_RLIMIT_OPTS (sizeof(rlimit_opts) / sizeof(rlimit_opts[0]))

/* "ADDR_NO_RANDOMIZE|0x0040000" or a number */
static int parse_personality(const char *s, unsigned *out)
{
	const struct mmt_sys_xlat *x = mmt_sys_xlat_of(MMT_SYS_ARG_PERSONALITY);
	uint64_t v = 0, n;

	while (*s) {
		size_t len = strcspn(s, "|");
		bool found = false;
		char tok[64];

		if (!len || len >= sizeof(tok))
			return -1;
		memcpy(tok, s, len);
		tok[len] = 0;
		if (!mmt_parse_addr(tok, &n) && n <= 0xffffffffu) {
			v |= n;
			found = true;
		}
		for (; !found && x && x->name; x++)
			if (!strcmp(x->name, tok)) {
				v |= x->val;
				found = true;
			}
		x = mmt_sys_xlat_of(MMT_SYS_ARG_PERSONALITY);
		if (!found)
			return -1;
		s += len;
		if (*s == '|' && !*++s)
			return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static int parse_rlimit(const char *s, uint64_t *out)
{
	if (!strcmp(s, "unlimited") || !strcmp(s, "infinity")) {
		*out = MMT_RLIM_INFINITY;
		return 0;
	}
	return mmt_parse_size(s, out);
}

/* "--opt VALUE" or "--opt=VALUE": the value, NULL when absent. */
static const char *opt_value(int argc, char **argv, int *i, const char *opt)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static bool is_opt(const char *arg, const char *opt)
{
	size_t n = strlen(opt);

	return !strncmp(arg, opt, n) && (!arg[n] || arg[n] == '=');
}

/* --report FILE: each process's final maps, every mirrored step. */
static int write_report(struct mmt_replay *r, struct mmt_machine *m,
			const char *log, const char *path)
{
	unsigned n = mmt_replay_nprocs(r);
	struct mmt_report_proc *procs = calloc(n ? n : 1, sizeof(*procs));
	struct mmt_report rep = { .title = log, .m = m, .procs = procs,
				  .nprocs = n };
	FILE *f;
	int rc = 0;

	if (!procs)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		const struct mmt_replay_proc *p = mmt_replay_proc(r, i);

		procs[i] = (struct mmt_report_proc){ p->pid, p->maps };
	}
	rep.steps = mmt_twin_steps(mmt_replay_twin(r), &rep.nsteps);
	f = fopen(path, "w");
	if (!f || mmt_report_write_html(&rep, f))
		rc = -1;
	if (f && fclose(f))
		rc = -1;
	if (rc)
		fprintf(stderr, "mmtwin replay: cannot write the report %s\n",
			path);
	free(procs);
	return rc;
}

int cmd_replay(int argc, char **argv)
{
	struct mmt_config c;
	enum mmt_format fmt = MMT_FMT_TEXT;
	struct mmt_replay_opts ro = { 0 };
	struct mmt_twin_init init = { 0 };
	struct mmt_replay *r;
	struct mmt_machine *m;
	const char *log = NULL, *v, *report = NULL;
	static char status[8192];
	bool maps = true;
	char err[512];
	uint64_t n, sys, agr;
	FILE *in;
	int i, rc;

	mmt_config_init(&c, MMT_ARCH_X86_64);
	mmt_twin_init_own(&init, status, sizeof(status));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool done = false;

		if (cli_is_help(a)) {
			fputs(replay_usage, stdout);
			return 0;
		}
		if (!strcmp(a, "--trace")) {
			ro.trace = true;
			continue;
		}
		if (!strcmp(a, "--no-maps")) {
			maps = false;
			continue;
		}
		if (is_opt(a, "--report")) {
			report = opt_value(argc, argv, &i, "--report");
			if (!report || !*report) {
				fprintf(stderr, "mmtwin replay: --report needs "
					"a file name\n");
				return 2;
			}
			continue;
		}
		if (is_opt(a, "--max-divergences")) {
			v = opt_value(argc, argv, &i, "--max-divergences");
			if (!v || mmt_parse_addr(v, &n) || !n || n > 1000000) {
				fprintf(stderr, "mmtwin replay: --max-divergences "
					"needs a number 1..1000000\n");
				return 2;
			}
			ro.max_divergences = (unsigned)n;
			continue;
		}
		if (is_opt(a, "--personality")) {
			v = opt_value(argc, argv, &i, "--personality");
			if (!v || parse_personality(v, &init.personality)) {
				fprintf(stderr, "mmtwin replay: --personality "
					"needs a number or PER_*/ADDR_* names "
					"joined by '|'\n");
				return 2;
			}
			continue;
		}
		for (size_t k = 0; k < NR_RLIMIT_OPTS && !done; k++) {
			if (!is_opt(a, rlimit_opts[k].opt))
				continue;
			v = opt_value(argc, argv, &i, rlimit_opts[k].opt);
			if (!v || parse_rlimit(v, &n)) {
				fprintf(stderr, "mmtwin replay: %s needs a size "
					"or 'unlimited'\n", rlimit_opts[k].opt);
				return 2;
			}
			init.rlim[rlimit_opts[k].res].cur = n;
			init.rlim[rlimit_opts[k].res].max = n;
			done = true;
		}
		if (done)
			continue;
		if (a[0] == '-' && a[1] == '-' && a[2]) {
			if (mmt_parse_machine_opt(&c, argc, argv, &i, &fmt, err,
						  sizeof(err))) {
				fprintf(stderr, "mmtwin replay: %s\n", err);
				return 2;
			}
			continue;
		}
		if (log) {
			fprintf(stderr, "mmtwin replay: one LOG only ('%s' and "
				"'%s')\n", log, a);
			return 2;
		}
		log = a;
	}
	if (!log) {
		fprintf(stderr, "mmtwin replay: no LOG\n%s", replay_usage);
		return 2;
	}
	if (mmt_config_check(&c, err, sizeof(err))) {
		fprintf(stderr, "mmtwin replay: %s\n", err);
		return 2;
	}
	in = strcmp(log, "-") ? fopen(log, "r") : stdin;
	if (!in) {
		fprintf(stderr, "mmtwin replay: %s: %s\n", log, strerror(errno));
		return 2;
	}
	m = cli_boot(&c);
	if (!m) {
		if (in != stdin)
			fclose(in);
		return 2;
	}
	cli_progress(&ro.progress, &ro.progress_after, &ro.progress_every);
	r = mmt_replay_new(m, &init, &ro);
	if (!r) {
		fprintf(stderr, "mmtwin replay: out of memory\n");
		mmt_machine_free(m);
		if (in != stdin)
			fclose(in);
		return 2;
	}
	if (!(init.personality & MMT_PER_ADDR_NO_RANDOMIZE) &&
	    init.randomize_va_space)
		fprintf(stderr, "mmtwin replay: note: this process runs with "
			"ASLR on, and so does the model's first task; a log "
			"recorded under setarch -R replays with `setarch -R "
			"mmtwin replay` or --personality ADDR_NO_RANDOMIZE\n");
	if (report)
		mmt_twin_record(mmt_replay_twin(r), true);
	rc = mmt_replay_file(r, in, log, stderr) ? 2 : 0;
	if (in != stdin)
		fclose(in);
	if (!rc) {
		mmt_replay_print(r, stdout, fmt, maps);
		mmt_replay_totals(r, &sys, &agr);
		if (sys != agr || mmt_replay_divergences_seen(r))
			rc = 1;
		if (c.check && mmt_machine_check(m, err, sizeof(err))) {
			fprintf(stderr, "mmtwin replay: %s\n", err);
			rc = 1;
		}
		if (report && write_report(r, m, log, report))
			rc = 2;
	}
	mmt_replay_free(r);
	mmt_machine_free(m);
	return rc;
}
