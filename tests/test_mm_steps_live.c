// SPDX-License-Identifier: MIT
/*
 * The step files of mremap, madvise, mlock/msync and mseal
 * (tests/live/steps/05, 07, 08, 09) replayed on a live child and on the
 * process model through the differential driver (docs/live-tests.md):
 * results and /proc/PID/maps byte for byte after every step, and the
 * machine validator after every model step.
 *
 * The model side is this file's own small live_model_ops (seeded from
 * the child's /proc files with mmt_task_seed_pid, its fds from
 * /proc/PID/fdinfo), so these syscalls are checked before the general
 * differential test (tests/test_live_diff.c) is switched on.  Every
 * sequence of the four files must agree except the ones listed in
 * known_divergent[] with the reason.  The other files' sequences are
 * tests/test_live_diff.c's (on the whole model, 98 of 98).
 */
#include "test.h"
#include "live/live.h"
#include "mm/vma_internal.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#define STEPS_DIR "tests/live/steps"

struct hd_model {
	struct mmt_machine *m;
	struct mmt_task *t;
	enum mmt_abi abi;
};

/* The f_mode of the child's fd @fd: "flags:" of /proc/PID/fdinfo/FD. */
static unsigned fd_mode(pid_t pid, int fd)
{
	char path[64], *text, *p;
	unsigned long flags = 0;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	text = test_read_file(path);
	if (text && (p = strstr(text, "flags:")))
		flags = strtoul(p + 6, NULL, 8);
	free(text);
	switch (flags & O_ACCMODE) {
	case O_RDWR:
		return MMT_FMODE_READ | MMT_FMODE_WRITE;
	case O_WRONLY:
		return MMT_FMODE_WRITE;
	default:
		return MMT_FMODE_READ;
	}
}

static void hd_release(void *model)
{
	struct hd_model *hm = model;

	if (!hm)
		return;
	mmt_machine_free(hm->m);
	free(hm);
}

static void *hd_seed(const struct live_state *s, enum mmt_abi abi, char *err,
		     size_t len)
{
	struct hd_model *hm = calloc(1, sizeof(*hm));

	if (!hm)
		return NULL;
	hm->m = test_machine(MMT_ARCH_X86_64, "256M");
	hm->abi = abi;
	hm->t = hm->m ? mmt_task_seed_pid(hm->m, s->pid, err, len) : NULL;
	if (!hm->t) {
		hd_release(hm);
		return NULL;
	}
	for (unsigned i = 0; i < s->nfiles; i++) {
		if (mmt_task_fd_install_mode(hm->t, 3 + (int)i, s->file_path[i],
					     fd_mode(s->pid, 3 + (int)i))) {
			snprintf(err, len, "fd %u: %s", 3 + i, s->file_path[i]);
			hd_release(hm);
			return NULL;
		}
	}
	return hm;
}

static int64_t hd_call(void *model, const char *text, char *err, size_t len)
{
	struct hd_model *hm = model;
	struct mmt_sys_ctx ctx = { .m = hm->m, .task = hm->t, .abi = hm->abi };
	struct mmt_sys_call call;
	int64_t r;

	if (mmt_sys_parse_call(text, hm->abi, &call, err, len))
		return -EINVAL;
	r = mmt_sys_dispatch(&ctx, &call);
	mmt_sys_call_release(&call);
	if (ctx.err[0])
		snprintf(err, len, "%s", ctx.err);
	if (mmt_machine_check(hm->m, err, len))
		return INT64_MIN;	/* a broken model never agrees */
	return r;
}

static int hd_maps(void *model, char **text)
{
	struct hd_model *hm = model;
	size_t n = 0;
	FILE *f = open_memstream(text, &n);

	if (!f)
		return -1;
	mmt_maps_print(hm->t, f);
	fclose(f);
	return 0;
}

static const struct live_model_ops hd_model_ops = {
	.name = "process model (mremap/madvise/mlock/mseal/msync steps)",
	.seed = hd_seed, .call = hd_call, .maps = hd_maps,
	.release = hd_release,
};

/* Sequences of the four files the model does not (yet) reproduce. */
static const struct {
	const char *seq, *why;
} known_divergent[] = {
	{ NULL, NULL },		/* none: every sequence agrees */
};

static const char *divergent_why(const char *seq)
{
	for (size_t i = 0; i < sizeof(known_divergent) /
			       sizeof(known_divergent[0]); i++)
		if (known_divergent[i].seq &&
		    !strcmp(known_divergent[i].seq, seq))
			return known_divergent[i].why;
	return NULL;
}

static bool owned(const struct live_seq *q)
{
	static const char *const files[] = { "/05-", "/07-", "/08-", "/09-" };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (q->where && strstr(q->where, files[i]))
			return true;
	return false;
}

static void run_steps(enum mmt_abi abi)
{
	unsigned own = 0, own_ok = 0;
	struct live_seqs seqs;
	char why[256], err[512];

	if (live_kernel_check(why, sizeof(why))) {
		printf("    SKIP %s steps: %s\n", mmt_abi_name(abi), why);
		return;
	}
	if (live_seqs_load(STEPS_DIR, abi, &seqs, err, sizeof(err))) {
		test_fail(__FILE__, __LINE__, "%s", err);
		return;
	}
	/* the other files' sequences run in tests/test_live_diff.c, on the
	 * whole model; here only the four files' own (each step validated) */
	for (unsigned i = 0; i < seqs.n; i++) {
		const struct live_seq *q = &seqs.seq[i];
		struct live_report rep = { 0 };
		const char *known = divergent_why(q->name);
		bool ok;

		if (!owned(q))
			continue;
		ok = !live_diff_run(q, &hd_model_ops, &rep);
		own++;
		own_ok += ok;
		if (!ok && !known) {
			test_fail(__FILE__, __LINE__, "%s", rep.what);
			if (rep.diff)
				printf("%s", rep.diff);
		} else if (ok && known) {
			printf("    %s now agrees: take it off "
			       "known_divergent[]\n", q->name);
		}
		if (!ok && getenv("MMTWIN_STEPS_VERBOSE"))
			printf("    differs: %s\n", rep.what);
		live_report_free(&rep);
	}
	printf("    %s: %u/%u sequences of 05/07/08/09 agree\n",
	       mmt_abi_name(abi), own_ok, own);
	live_seqs_free(&seqs);
}

TEST(mm_steps_live_x86_64)
{
	run_steps(MMT_ABI_X86_64);
}

TEST(mm_steps_live_i386)
{
	run_steps(MMT_ABI_I386);
}
