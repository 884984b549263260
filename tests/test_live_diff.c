// SPDX-License-Identifier: MIT
/*
 * The live-kernel differential test of the process model
 * (tests/live/model.c): the step sequences of tests/live/steps/ and
 * 10,000 random steps per ABI, run on a live child and on the model;
 * results and /proc/PID/maps must agree after every step
 * (docs/live-tests.md).
 *
 * It grows as the syscall table's handlers are filled in: a sequence runs
 * only when every call it makes has a handler for its ABI; the others are
 * counted ("not modelled yet") by the calls that keep them out.  The
 * random run draws only the kinds whose calls have handlers.  Every
 * sequence that runs must agree at every step; the first divergence fails
 * the test with the diff.  Assumes what tests/test_live_kernel.c assumes
 * (Linux 6.18, x86_64).
 */
#include "test.h"
#include "live/live.h"

#include <stdlib.h>
#include <string.h>

extern const struct live_model_ops live_process_model;

/* Does @abi's table have a handler for the call that starts @text? */
static bool modelled(enum mmt_abi abi, const char *text, char *name,
		     size_t len)
{
	const struct mmt_syscall *e;
	size_t n = strcspn(text, "(");

	if (n >= len)
		n = len - 1;
	memcpy(name, text, n);
	name[n] = 0;
	e = mmt_sys_by_name(abi, name);
	return e && e->handler;
}

/* The calls that keep sequences out, and how many each keeps out. */
struct missing {
	char name[16][24];
	unsigned seqs[16];
	unsigned n, total;
};

static void missing_add(struct missing *ms, const char *name)
{
	unsigned i;

	for (i = 0; i < ms->n; i++)
		if (!strcmp(ms->name[i], name))
			break;
	if (i == ms->n) {
		if (ms->n == 16)
			return;
		snprintf(ms->name[ms->n++], sizeof(ms->name[0]), "%.23s", name);
	}
	ms->seqs[i]++;
}

/* true when every step of @q has a handler; else counts it in @ms under
 * each call it lacks. */
static bool seq_covered(const struct live_seq *q, struct missing *ms)
{
	char lacks[8][24], name[24];
	unsigned nl = 0;

	for (unsigned i = 0; i < q->nsteps; i++) {
		bool seen = false;

		if (modelled(q->abi, q->steps[i].text, name, sizeof(name)))
			continue;
		for (unsigned j = 0; j < nl; j++)
			seen |= !strcmp(lacks[j], name);
		if (!seen && nl < 8)
			memcpy(lacks[nl++], name, sizeof(name));
	}
	for (unsigned j = 0; j < nl; j++)
		missing_add(ms, lacks[j]);
	ms->total += nl > 0;
	return nl == 0;
}

/* The random kinds whose calls all have handlers in @abi. */
static unsigned random_kinds(enum mmt_abi abi)
{
	static const char *const call[LIVE_RND_KINDS] = {
		[LIVE_RND_MMAP] = "mmap", [LIVE_RND_MUNMAP] = "munmap",
		[LIVE_RND_MPROTECT] = "mprotect", [LIVE_RND_BRK] = "brk",
		[LIVE_RND_MREMAP] = "mremap", [LIVE_RND_MADVISE] = "madvise",
	};
	unsigned kinds = 0;
	char name[24];

	for (int k = 0; k < LIVE_RND_KINDS; k++) {
		const char *c = abi == MMT_ABI_I386 && k == LIVE_RND_MMAP ?
				"mmap2" : call[k];

		if (modelled(abi, c, name, sizeof(name)))
			kinds |= 1u << k;
	}
	return kinds;
}

static void report_failure(struct live_report *rep)
{
	test_fail(__FILE__, __LINE__, "%s", rep->what);
	if (rep->diff)
		printf("%s", rep->diff);
}

static void diff_all(enum mmt_abi abi, uint64_t seed)
{
	struct live_seqs seqs, cov = { 0 };
	struct live_report rep = { 0 }, rrep = { 0 };
	struct missing ms = { 0 };
	struct live_random gen;
	struct live_seq rnd;
	char why[256], err[512], list[256] = "";
	unsigned covered = 0, failed = 0;
	/* $MMTWIN_LIVE_ALL: go on after a divergence (every one is printed) */
	bool all = getenv("MMTWIN_LIVE_ALL") != NULL;

	if (live_kernel_check(why, sizeof(why))) {
		printf("    SKIP live differential test: %s\n", why);
		return;
	}
	if (live_seqs_load("tests/live/steps", abi, &seqs, err, sizeof(err))) {
		test_fail(__FILE__, __LINE__, "%s", err);
		return;
	}
	cov.seq = calloc(seqs.n ? seqs.n : 1, sizeof(*cov.seq));
	if (!cov.seq) {
		test_fail(__FILE__, __LINE__, "out of memory");
		live_seqs_free(&seqs);
		return;
	}
	for (unsigned i = 0; i < seqs.n && (!rep.failed || all); i++) {
		struct live_report one = { 0 };

		if (!seq_covered(&seqs.seq[i], &ms))
			continue;
		cov.seq[cov.n++] = seqs.seq[i];	/* shallow: for counting */
		covered++;
		if (live_diff_run(&seqs.seq[i], &live_process_model, &one)) {
			report_failure(&one);
			failed++;
		}
		rep.steps += one.steps;
		rep.seconds += one.seconds;
		rep.failed |= one.failed;
		live_report_free(&one);
	}
	if (failed)
		printf("    %s: %u of %u covered sequences diverged\n",
		       mmt_abi_name(abi), failed, covered);
	else
		printf("    %s: %u of %u sequences covered (%u of %u distinct "
		       "steps), %u steps agreed (%.2f s)\n", mmt_abi_name(abi),
		       covered, seqs.n, live_seqs_distinct(&cov),
		       live_seqs_distinct(&seqs), rep.steps, rep.seconds);
	free(cov.seq);
	for (unsigned i = 0; i < ms.n; i++) {
		size_t l = strlen(list);

		snprintf(list + l, sizeof(list) - l, "%s%s %u", i ? ", " : "",
			 ms.name[i], ms.seqs[i]);
	}
	if (ms.total)
		printf("    %s: not modelled yet: %u sequences (%s)\n",
		       mmt_abi_name(abi), ms.total, list);

	if (getenv("MMTWIN_LIVE_SEED"))	/* explore another sequence */
		seed ^= strtoull(getenv("MMTWIN_LIVE_SEED"), NULL, 0);
	live_random_seq(&rnd, &gen, abi, seed, 10000);
	gen.kinds = random_kinds(abi);
	/* MADV_POPULATE_* fault every page in through handle_mm_fault */
	gen.no_populate = false;
	live_diff_run(&rnd, &live_process_model, &rrep);
	if (rrep.failed)
		report_failure(&rrep);
	printf("    %s: random: %u of 10000 steps agreed (mmap %u, munmap %u, "
	       "mprotect %u, brk %u, mremap %u, madvise %u; %.2f s)\n",
	       mmt_abi_name(abi), rrep.failed ? rrep.steps - 1 : rrep.steps,
	       gen.counts[LIVE_RND_MMAP], gen.counts[LIVE_RND_MUNMAP],
	       gen.counts[LIVE_RND_MPROTECT], gen.counts[LIVE_RND_BRK],
	       gen.counts[LIVE_RND_MREMAP], gen.counts[LIVE_RND_MADVISE],
	       rrep.seconds);
	live_report_free(&rep);
	live_report_free(&rrep);
	live_random_free(&gen);
	live_seqs_free(&seqs);
}

TEST(live_diff_model_x86_64)
{
	diff_all(MMT_ABI_X86_64, 0x6d6d7477696e0001ULL);
}

TEST(live_diff_model_i386)
{
	diff_all(MMT_ABI_I386, 0x6d6d7477696e0002ULL);
}
