// SPDX-License-Identifier: MIT
/*
 * Page faults against the live kernel: a helper child (tests/live, ASLR
 * off; x86_64 and ia32 compat) maps anonymous regions in a window
 * [0x10000000, 0x30000000) (MADV_NOHUGEPAGE) and touches them in
 * patterns; a model task seeded from the child (mmt_task_seed_pid: maps,
 * smaps, stat, pagemap) runs the same calls and the same touches
 * (mmt_task_access).  After every step both must show
 *
 *   - the same minor-fault delta (/proc/PID/stat field 10 vs min_flt),
 *   - the same smaps blocks, byte for byte, for every VMA in the window
 *     (Rss, Pss, Pss_Dirty, Shared_*, Private_*, Referenced, Anonymous,
 *     LazyFree, Locked, THPeligible, VmFlags ...),
 *   - the same pagemap flag bits (55-63) for every page of the window
 *     (the PFNs are the kernel's own and are not compared),
 *   - the same deltas of the status memory lines (VmRSS, RssAnon, VmPTE,
 *     VmSize, ...) and the same smaps_rollup deltas.
 *
 * The child's own stack, bss and signal stack are warmed up first (a
 * read of its buffer, a SIGSEGV on the alternate stack) so its protocol
 * work faults nothing more; after a fork both processes are warmed up
 * again before the counts are taken.  Fork uses LIVE_OP_FORK
 * (clone(CLONE_PARENT | SIGCHLD), FIFOs for the new process).
 *
 * Assumes Linux 6.18 (live_kernel_check), THP "madvise" for 2 MiB, root
 * (pagemap's exclusive bit needs CAP_SYS_ADMIN) and CONFIG_PT_RECLAIM.
 */
#include "test.h"
#include "live/live.h"
#include "mm/vma_internal.h"

#include <mmtwin/kern.h>
#include <mmtwin/views.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define PAGE	0x1000ULL
#define WIN_LO	0x10000000ULL
#define WIN_HI	0x30000000ULL
#define WIN_PAGES_MAX 4096	/* pagemap compared for at most this many */

/* One process on both sides. */
struct twin {
	struct live_child c;
	struct mmt_task *t;
	enum mmt_abi abi;
	uint64_t kflt, mflt;		/* min_flt at the last comparison */
	char *kstatus, *mstatus;	/* status at the last comparison */
	char *krollup, *mrollup;
	const char *scenario;
	unsigned step;
	bool failed;
	bool forked;		/* the rollup then counts the child's own
				 * protocol pages: only the window compared */
	bool lazyfree_pending;	/* LazyFree not compared (see sc_free) */
	bool lazyfree_nodelta;	/* nor its rollup deltas, in that scenario */
	bool lazyfree_seen;	/* MADV_FREE was called (see run_all) */
	bool damon;		/* a kdamond samples the host's pages */
	bool soft;		/* failed only in Referenced, with both set */
	char soft_msg[2048];
};

/* The model's binary pagemap view for @n pages from @va. */
static void model_pagemap(struct mmt_task *t, uint64_t va, size_t n,
			  uint64_t out[])
{
	char err[256], range[64], *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct mmt_view_ctx c = { .m = t->m, .task = t, .out = f,
				  .fmt = MMT_FMT_TEXT, .arg = range,
				  .err = err, .errlen = sizeof(err) };

	snprintf(range, sizeof(range), "%#llx-%#llx", (unsigned long long)va,
		 (unsigned long long)(va + n * PAGE));
	CHECK(mmt_view_run(mmt_view_find("pagemap"), &c, NULL) == 0);
	fclose(f);
	CHECK_EQ(len, n * 8);
	memset(out, 0, n * 8);
	for (size_t i = 0; i < n && i * 8 < len; i++)
		for (int b = 0; b < 8; b++)
			out[i] |= (uint64_t)(unsigned char)buf[i * 8 + b]
				  << (8 * b);
	free(buf);
}

static uint64_t kernel_min_flt(struct twin *w)
{
	char *stat = NULL;
	const char *p;
	unsigned long long v = 0;

	if (live_read(&w->c, "stat", &stat))
		return 0;
	p = strrchr(stat, ')');
	/* ") S ppid pgrp session tty tpgid flags minflt" */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %llu", &v) != 1)
		test_fail(__FILE__, __LINE__, "bad stat: %s", stat);
	free(stat);
	return v;
}

static void twin_fail(struct twin *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void twin_fail(struct twin *w, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->failed = true;
	test_fail(__FILE__, __LINE__, "%s %s pid %d step %u: %s",
		  mmt_abi_name(w->abi), w->scenario, (int)w->c.pid, w->step,
		  msg);
}

/*
 * A difference only in Referenced after MADV_FREE, with a kdamond on the
 * host (live_kdamond_running): recorded, not failed; run_all runs the
 * scenario again.  The model's Referenced is then the kernel's without a
 * sampler, which each fresh run shows unless the sampler hits again.
 */
static void twin_soft_fail(struct twin *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void twin_soft_fail(struct twin *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->soft_msg, sizeof(w->soft_msg), fmt, ap);
	va_end(ap);
	w->failed = w->soft = true;
}

static bool damon_may_explain(const struct twin *w)
{
	return w->damon && w->lazyfree_seen;
}

/* The smaps blocks of the VMAs that start inside the window. */
static char *window_blocks(const char *smaps)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	bool in = false;

	for (const char *l = smaps; l && *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l + 1) : strlen(l);
		unsigned long long s;
		char dash;

		if (sscanf(l, "%llx%c", &s, &dash) == 2 && dash == '-')
			in = s >= WIN_LO && s < WIN_HI;
		if (in)
			fwrite(l, 1, len, f);
		l += len;
	}
	fclose(f);
	return out;
}

/* Blank the values of the "@key" lines of @text (key with its colon). */
static void mask_field(char *text, const char *key)
{
	size_t n = strlen(key);

	for (char *p = strstr(text, key); p; p = strstr(p + 1, key))
		for (char *q = p + n; *q && *q != '\n'; q++)
			*q = ' ';
}

/* Equal but for Referenced values (see twin_soft_fail). */
static bool differ_only_in_referenced(const char *kb, const char *mb)
{
	char *k = strdup(kb), *m = strdup(mb);
	bool same;

	mask_field(k, "Referenced:");
	mask_field(m, "Referenced:");
	same = !strcmp(k, m);
	free(k);
	free(m);
	return same;
}

/* "Name: N" numbers of a status or rollup text, by name. */
static long long field(const char *text, const char *name)
{
	char key[40];
	const char *p;

	snprintf(key, sizeof(key), "\n%s:", name);
	p = strstr(text, key);
	if (!p && !strncmp(text, key + 1, strlen(key + 1)))
		p = text - 1;
	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

/*
 * VmHWM is left out: the kernel's hiwater_rss is sampled by
 * update_hiwater_rss() from get_mm_rss(), the approximate value of the
 * per-CPU rss counters (percpu_counter_read: up to a batch per CPU not
 * folded yet), while VmRSS is their exact sum; a zap can make VmHWM
 * *drop* (seen: -32 kB after MADV_DONTNEED of 8 pages).  The model keeps
 * exact counters.
 */
static const char *const status_fields[] = {
	"VmPeak", "VmSize", "VmLck", "VmRSS", "RssAnon", "RssFile",
	"RssShmem", "VmData", "VmStk", "VmExe", "VmLib", "VmPTE", "VmSwap",
};
static const char *const rollup_fields[] = {
	"Rss", "Pss", "Pss_Dirty", "Pss_Anon", "Shared_Clean", "Shared_Dirty",
	"Private_Clean", "Private_Dirty", "Referenced", "Anonymous",
	"LazyFree", "Locked",
};

/* Compare the deltas of @names since the last texts. */
static void compare_deltas(struct twin *w, const char *what,
			   const char *const *names, size_t n,
			   const char *k0, const char *m0, const char *k1,
			   const char *m1)
{
	for (size_t i = 0; i < n && !w->failed; i++) {
		if ((w->lazyfree_pending || w->lazyfree_nodelta) &&
		    !strcmp(names[i], "LazyFree"))
			continue;	/* see sc_free */
		long long dk = field(k1, names[i]) - field(k0, names[i]);
		long long dm = field(m1, names[i]) - field(m0, names[i]);

		if (dk != dm && damon_may_explain(w) &&
		    !strcmp(names[i], "Referenced"))
			twin_soft_fail(w, "step %u: %s Referenced changed by "
				       "%lld kB in the kernel, %lld kB in the "
				       "model", w->step, what, dk, dm);
		else if (dk != dm)
			twin_fail(w, "%s %s changed by %lld kB in the kernel, "
				  "%lld kB in the model", what, names[i], dk,
				  dm);
	}
}

static void take_baseline(struct twin *w)
{
	free(w->kstatus);
	free(w->mstatus);
	free(w->krollup);
	free(w->mrollup);
	w->kflt = kernel_min_flt(w);
	w->mflt = w->t->min_flt;
	if (live_read(&w->c, "status", &w->kstatus))
		w->kstatus = strdup("");
	if (live_read(&w->c, "smaps_rollup", &w->krollup))
		w->krollup = strdup("");
	w->mstatus = test_task_view(w->t, "status");
	w->mrollup = test_task_view(w->t, "smaps_rollup");
}

/* Everything the header promises, then a new baseline. */
static void compare(struct twin *w)
{
	static uint64_t pm[WIN_PAGES_MAX], mpm[WIN_PAGES_MAX];
	uint64_t kflt = kernel_min_flt(w);
	char *ks = NULL, *ms = test_task_view(w->t, "smaps"), *kb, *mb;
	char *kst = NULL, *kro = NULL, *mst, *mro;

	w->step++;
	if (w->failed)
		goto out;
	if (kflt - w->kflt != w->t->min_flt - w->mflt)
		twin_fail(w, "minor faults: kernel +%llu, model +%llu",
			  (unsigned long long)(kflt - w->kflt),
			  (unsigned long long)(w->t->min_flt - w->mflt));
	if (live_read(&w->c, "smaps", &ks)) {
		twin_fail(w, "%s", w->c.err);
		goto out;
	}
	kb = window_blocks(ks);
	mb = window_blocks(ms);
	if (w->lazyfree_pending) {
		mask_field(kb, "LazyFree:");
		mask_field(mb, "LazyFree:");
	}
	if (!w->failed && strcmp(kb, mb)) {
		char *d = live_diff_text(kb, mb, "kernel", "model");

		if (damon_may_explain(w) && differ_only_in_referenced(kb, mb))
			twin_soft_fail(w, "step %u: smaps of the window "
				       "differ:\n%s", w->step, d ? d : "");
		else
			twin_fail(w, "smaps of the window differ:\n%s",
				  d ? d : "");
		free(d);
	}
	free(kb);
	free(mb);
	/* pagemap flags, VMA by VMA of the window */
	for (const struct mmt_vma *v = vma_first(w->t->mm); v && !w->failed;
	     v = vma_next(v)) {
		size_t n = (v->vm_end - v->vm_start) / PAGE;

		if (v->vm_start < WIN_LO || v->vm_start >= WIN_HI)
			continue;
		if (n > WIN_PAGES_MAX)
			n = WIN_PAGES_MAX;
		if (live_pagemap(&w->c, v->vm_start, n, pm)) {
			twin_fail(w, "pagemap: %s", w->c.err);
			break;
		}
		model_pagemap(w->t, v->vm_start, n, mpm);
		for (size_t i = 0; i < n && !w->failed; i++)
			if ((pm[i] >> 55) != (mpm[i] >> 55))
				twin_fail(w, "pagemap at %#llx: kernel %016llx, "
					  "model %016llx (flags 55-63)",
					  (unsigned long long)(v->vm_start +
							       i * PAGE),
					  (unsigned long long)pm[i],
					  (unsigned long long)mpm[i]);
	}
	if (!live_read(&w->c, "status", &kst) &&
	    !live_read(&w->c, "smaps_rollup", &kro)) {
		mst = test_task_view(w->t, "status");
		mro = test_task_view(w->t, "smaps_rollup");
		compare_deltas(w, "status", status_fields,
			       sizeof(status_fields) / sizeof(status_fields[0]),
			       w->kstatus, w->mstatus, kst, mst);
		/* the page tables themselves: the seeded model built the
		 * child's from its pagemap, so VmPTE is equal, not only its
		 * changes */
		if (!w->failed && field(kst, "VmPTE") != field(mst, "VmPTE"))
			twin_fail(w, "VmPTE: kernel %lld kB, model %lld kB",
				  field(kst, "VmPTE"), field(mst, "VmPTE"));
		if (!w->forked)
			compare_deltas(w, "smaps_rollup", rollup_fields,
				       sizeof(rollup_fields) /
				       sizeof(rollup_fields[0]),
				       w->krollup, w->mrollup, kro, mro);
		free(mst);
		free(mro);
	}
	free(kst);
	free(kro);
	{
		char err[256];

		if (mmt_machine_check(w->t->m, err, sizeof(err)))
			twin_fail(w, "machine check: %s", err);
	}
out:
	free(ks);
	free(ms);
	take_baseline(w);
}

/* One call in strace notation on both; the results must agree. */
static int64_t call(struct twin *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int64_t call(struct twin *w, const char *fmt, ...)
{
	char text[256], err[512] = "";
	struct mmt_sys_ctx ctx = { .m = w->t->m, .task = w->t, .abi = w->abi };
	struct mmt_sys_call sc;
	int64_t kr = 0, mr;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (w->failed)
		return -1;
	/* i386: mmap2 (same text, offset 0) instead of old_mmap */
	if (w->abi == MMT_ABI_I386 && !strncmp(text, "mmap(", 5)) {
		memmove(text + 5, text + 4, strlen(text + 4) + 1);
		memcpy(text, "mmap2", 5);
	}
	if (live_call(&w->c, text, &kr, err, sizeof(err))) {
		twin_fail(w, "%s: %s", text, err);
		return -1;
	}
	if (mmt_sys_parse_call(text, w->abi, &sc, err, sizeof(err))) {
		twin_fail(w, "%s: %s", text, err);
		return -1;
	}
	mr = mmt_sys_dispatch(&ctx, &sc);
	mmt_sys_call_release(&sc);
	if (kr != mr)
		twin_fail(w, "%s = %lld in the kernel, %lld in the model",
			  text, (long long)kr, (long long)mr);
	return kr;
}

/* One access per page of [addr, addr + len), stride @stride pages. */
static void touch(struct twin *w, uint64_t addr, uint64_t len,
		  unsigned stride, bool write)
{
	for (uint64_t a = addr; a < addr + len && !w->failed;
	     a += stride * PAGE) {
		struct live_touch lt;
		struct mmt_siginfo si;
		uint8_t v = 0x5a;
		int r;

		if (live_touch(&w->c, a, write, v, &lt)) {
			twin_fail(w, "touch %#llx: %s", (unsigned long long)a,
				  w->c.err);
			return;
		}
		r = mmt_task_access(w->t, a, write ? MMT_ACCESS_WRITE
					     : MMT_ACCESS_READ, &v, &si);
		if (r < 0 || lt.signo != si.signo ||
		    (lt.signo && lt.code != si.code))
			twin_fail(w, "%s %#llx: kernel signal %d/%d, model "
				  "%d/%d (%d)", write ? "write" : "read",
				  (unsigned long long)a, lt.signo, lt.code,
				  si.signo, si.code, r);
	}
}

/* The child's own pages: its buffer read, a SIGSEGV on the altstack. */
static void warm_up(struct twin *w)
{
	struct live_touch lt;

	for (int i = 0; i < 2 && !w->failed; i++)
		if (live_touch(&w->c, w->c.payload, false, 0, &lt) ||
		    live_touch(&w->c, 0x8, false, 0, &lt))
			twin_fail(w, "warm-up: %s", w->c.err);
}

static bool twin_start(struct twin *w, struct mmt_machine *m,
		       enum mmt_abi abi, const char *scenario)
{
	struct live_opts o = { .abi = abi };
	char err[512];

	memset(w, 0, sizeof(*w));
	w->abi = abi;
	w->scenario = scenario;
	if (live_start(&w->c, &o)) {
		twin_fail(w, "%s", w->c.err);
		return false;
	}
	warm_up(w);
	w->t = mmt_task_seed_pid(m, w->c.pid, err, sizeof(err));
	if (!w->t) {
		twin_fail(w, "seed: %s", err);
		live_finish(&w->c);
		return false;
	}
	mmt_task_set_current(m, w->t);
	take_baseline(w);
	return true;
}

/* fork on both; the new twin is warmed up and has its baselines. */
static bool twin_fork(struct twin *w, struct twin *child)
{
	int err;

	memset(child, 0, sizeof(*child));
	child->abi = w->abi;
	child->scenario = w->scenario;
	if (live_fork(&w->c, &child->c)) {
		twin_fail(w, "fork: %s", w->c.err);
		return false;
	}
	child->t = mmt_task_fork(w->t, mmt_task_find(w->t->m, child->c.pid)
				 ? 0 : child->c.pid, &err);
	if (!child->t) {
		twin_fail(w, "model fork: %d", err);
		live_finish(&child->c);
		return false;
	}
	warm_up(w);
	warm_up(child);
	take_baseline(w);
	take_baseline(child);
	return true;
}

static void twin_end(struct twin *w)
{
	live_finish(&w->c);
	if (w->t)
		mmt_task_exit(w->t);
	free(w->kstatus);
	free(w->mstatus);
	free(w->krollup);
	free(w->mrollup);
	w->t = NULL;
}

/* mmap @pages anonymous private RW pages at @addr, MADV_NOHUGEPAGE. */
static void map_anon(struct twin *w, uint64_t addr, uint64_t pages)
{
	call(w, "mmap(%#llx, %#llx, PROT_READ|PROT_WRITE, "
	     "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
	     (unsigned long long)addr, (unsigned long long)(pages * PAGE));
	call(w, "madvise(%#llx, %#llx, MADV_NOHUGEPAGE)",
	     (unsigned long long)addr, (unsigned long long)(pages * PAGE));
}

#define A 0x10000000ULL

static void sc_reads_writes(struct twin *w)
{
	map_anon(w, A, 16);
	compare(w);
	touch(w, A, 8 * PAGE, 1, false);	/* zero page: Rss 0 */
	compare(w);
	touch(w, A, 16 * PAGE, 1, true);	/* 8 COW of the zero page */
	compare(w);
	touch(w, A, 16 * PAGE, 1, false);	/* nothing faults */
	compare(w);
}

static void sc_strided(struct twin *w)
{
	map_anon(w, A, 32);
	touch(w, A, 32 * PAGE, 3, true);
	compare(w);
	touch(w, A + PAGE, 31 * PAGE, 3, false);
	compare(w);
	touch(w, A + 5 * PAGE, 0x800, 1, true);	/* part of one page */
	compare(w);
}

static void sc_mprotect(struct twin *w)
{
	map_anon(w, A, 8);
	touch(w, A, 6 * PAGE, 1, true);
	compare(w);
	call(w, "mprotect(%#llx, %#llx, PROT_READ)",
	     (unsigned long long)(A + 2 * PAGE), (unsigned long long)(4 * PAGE));
	compare(w);
	touch(w, A, 8 * PAGE, 1, false);
	touch(w, A + 3 * PAGE, PAGE, 1, true);	/* SEGV_ACCERR */
	compare(w);
	call(w, "mprotect(%#llx, %#llx, PROT_READ|PROT_WRITE)",
	     (unsigned long long)A, (unsigned long long)(8 * PAGE));
	compare(w);
	touch(w, A, 8 * PAGE, 1, true);	/* exclusive pages: writable again */
	compare(w);
	call(w, "mprotect(%#llx, %#llx, PROT_NONE)",
	     (unsigned long long)A, (unsigned long long)(2 * PAGE));
	touch(w, A, PAGE, 1, false);
	compare(w);
}

static void sc_dontneed(struct twin *w)
{
	map_anon(w, A, 16);
	touch(w, A, 16 * PAGE, 1, true);
	compare(w);
	call(w, "madvise(%#llx, %#llx, MADV_DONTNEED)",
	     (unsigned long long)(A + 4 * PAGE), (unsigned long long)(8 * PAGE));
	compare(w);
	touch(w, A, 16 * PAGE, 1, false);
	compare(w);
	touch(w, A + 4 * PAGE, 4 * PAGE, 1, true);
	compare(w);
}

static void sc_munmap_mremap(struct twin *w)
{
	map_anon(w, A, 16);
	touch(w, A, 16 * PAGE, 1, true);
	compare(w);
	call(w, "munmap(%#llx, %#llx)", (unsigned long long)(A + 4 * PAGE),
	     (unsigned long long)(4 * PAGE));
	compare(w);
	call(w, "mremap(%#llx, %#llx, %#llx, MREMAP_MAYMOVE|MREMAP_FIXED, "
	     "%#llx)", (unsigned long long)(A + 8 * PAGE),
	     (unsigned long long)(8 * PAGE), (unsigned long long)(8 * PAGE),
	     (unsigned long long)(A + 0x100000));
	compare(w);
	touch(w, A + 0x100000, 8 * PAGE, 1, false);	/* moved: no faults */
	touch(w, A + 0x100000, 8 * PAGE, 2, true);
	compare(w);
	call(w, "mremap(%#llx, %#llx, %#llx, 0)", (unsigned long long)A,
	     (unsigned long long)(4 * PAGE), (unsigned long long)(2 * PAGE));
	compare(w);
}

/*
 * MADV_FREE: folio_mark_lazyfree() only queues the folio on the per-CPU
 * lru_lazyfree batch (31 folios); PG_swapbacked is cleared when the batch
 * drains (full, or lru_add_drain() of a later MADV_FREE, munmap, mlock,
 * exit on that CPU) -- or at any moment through lru_add_drain_all() that
 * some other process's mlock, compaction or migration starts.  So while
 * pages are queued the kernel's LazyFree depends on the rest of the
 * system, and it is not compared; everything else (clean and old PTEs,
 * Rss, Private_Dirty ...) is.  The model keeps the same batch (the child
 * runs on CPU 0, the model's CPU); after munmap's drain nothing is queued
 * and LazyFree is compared again, with its deltas.
 */
static void sc_free(struct twin *w)
{
	map_anon(w, A, 40);
	touch(w, A, 40 * PAGE, 1, true);
	compare(w);
	call(w, "madvise(%#llx, %#llx, MADV_FREE)", (unsigned long long)A,
	     (unsigned long long)(4 * PAGE));
	w->lazyfree_pending = w->lazyfree_nodelta = true;
	w->lazyfree_seen = true;
	compare(w);
	touch(w, A, 2 * PAGE, 1, false);
	touch(w, A + PAGE, PAGE, 1, true);	/* dirty again: not lazy */
	compare(w);
	call(w, "madvise(%#llx, %#llx, MADV_FREE)",
	     (unsigned long long)(A + 4 * PAGE), (unsigned long long)(4 * PAGE));
	compare(w);
	call(w, "madvise(%#llx, %#llx, MADV_FREE)",
	     (unsigned long long)(A + 8 * PAGE),
	     (unsigned long long)(32 * PAGE));
	compare(w);
	call(w, "munmap(%#llx, %#llx)", (unsigned long long)(A + 36 * PAGE),
	     (unsigned long long)(4 * PAGE));
	w->lazyfree_pending = false;	/* the window's smaps: absolute */
	compare(w);	/* drained: 35 lazy pages (40 - 1 dirty - 4 gone) */
}

/*
 * Guard regions.  6.18 (this host) also marks the VMA VM_MAYBE_GUARD
 * ("gu" in VmFlags: the whole VMA, no split, kept after GUARD_REMOVE,
 * sticky through merges and splits): compared as any flag.
 */
static void sc_guard_locked(struct twin *w)
{
	map_anon(w, A, 8);
	touch(w, A, 8 * PAGE, 1, true);
	call(w, "madvise(%#llx, %#llx, MADV_GUARD_INSTALL)",
	     (unsigned long long)(A + 2 * PAGE), (unsigned long long)(2 * PAGE));
	compare(w);
	touch(w, A + 2 * PAGE, 2 * PAGE, 1, false);	/* SIGSEGV */
	compare(w);
	call(w, "madvise(%#llx, %#llx, MADV_GUARD_REMOVE)",
	     (unsigned long long)(A + 2 * PAGE), (unsigned long long)PAGE);
	touch(w, A + 2 * PAGE, 2 * PAGE, 1, false);
	compare(w);
	call(w, "mlock(%#llx, %#llx)", (unsigned long long)(A + 4 * PAGE),
	     (unsigned long long)(4 * PAGE));	/* Locked = Pss */
	compare(w);
}

/* Page tables: one page in each of three PTE tables, then free them. */
static void sc_pgtables(struct twin *w)
{
	const uint64_t b = 0x20000000ULL, huge = 0x200000ULL;

	map_anon(w, b, 3 * huge / PAGE);
	touch(w, b, 3 * huge, (unsigned)(huge / PAGE), true);
	touch(w, b + huge + PAGE, PAGE, 1, false);
	compare(w);
	call(w, "madvise(%#llx, %#llx, MADV_DONTNEED)",
	     (unsigned long long)(b + huge), (unsigned long long)huge);
	compare(w);	/* CONFIG_PT_RECLAIM: the whole table goes */
	call(w, "munmap(%#llx, %#llx)", (unsigned long long)b,
	     (unsigned long long)(3 * huge));
	compare(w);	/* free_pgtables */
}

static void sc_fork(struct twin *w)
{
	struct twin ch;

	map_anon(w, A, 8);
	touch(w, A, 8 * PAGE, 1, true);
	compare(w);
	if (!twin_fork(w, &ch))
		return;
	w->forked = ch.forked = true;
	compare(w);
	compare(&ch);
	touch(&ch, A, 2 * PAGE, 1, true);	/* COW copies in the child */
	compare(&ch);
	compare(w);
	touch(w, A, 3 * PAGE, 1, true);		/* 0,1: reuse; 2: copy */
	compare(w);
	compare(&ch);
	touch(&ch, A + 4 * PAGE, 4 * PAGE, 1, false);
	compare(&ch);
	call(&ch, "munmap(%#llx, %#llx)", (unsigned long long)(A + 6 * PAGE),
	     (unsigned long long)(2 * PAGE));
	compare(&ch);
	compare(w);
	touch(w, A + 6 * PAGE, 2 * PAGE, 1, true);	/* now exclusive */
	compare(w);
	twin_end(&ch);
	compare(w);
}

static const struct {
	const char *name;
	void (*fn)(struct twin *w);
} scenarios[] = {
	{ "reads-then-writes", sc_reads_writes },
	{ "strided-partial", sc_strided },
	{ "mprotect", sc_mprotect },
	{ "dontneed", sc_dontneed },
	{ "munmap-mremap", sc_munmap_mremap },
	{ "madv-free", sc_free },
	{ "guard-mlock", sc_guard_locked },
	{ "page-tables", sc_pgtables },
	{ "fork-cow", sc_fork },
};

/* A run that failed only softly (twin_soft_fail) is run again. */
#define SOFT_ATTEMPTS 3

enum run_result { RUN_AGREED, RUN_FAILED, RUN_AGAIN };

/* One scenario on a fresh machine and child; @damon: a kdamond runs. */
static enum run_result run_one(enum mmt_abi abi, size_t i, bool damon,
			       unsigned attempt, unsigned *steps)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	enum run_result r = RUN_FAILED;
	struct twin w;

	if (twin_start(&w, m, abi, scenarios[i].name)) {
		w.damon = damon;
		scenarios[i].fn(&w);
		*steps += w.step;
		if (!w.failed)
			r = RUN_AGREED;
		else if (w.soft && attempt == SOFT_ATTEMPTS)
			test_fail(__FILE__, __LINE__, "%s %s: %u runs, each "
				  "differed only in Referenced; the last: %s",
				  mmt_abi_name(abi), w.scenario, attempt,
				  w.soft_msg);
		else if (w.soft) {
			printf("    %s %s: run %u differed only in Referenced "
			       "with a kdamond sampling (see "
			       "live_kdamond_running), run again:\n%s\n",
			       mmt_abi_name(abi), w.scenario, attempt,
			       w.soft_msg);
			r = RUN_AGAIN;
		}
		twin_end(&w);
	}
	mmt_machine_free(m);
	return r;
}

static void run_all(enum mmt_abi abi)
{
	char why[256];
	unsigned steps = 0, ok = 0;
	bool damon = live_kdamond_running();

	if (live_kernel_check(why, sizeof(why))) {
		printf("    SKIP fault_live %s: %s\n", mmt_abi_name(abi), why);
		return;
	}
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		enum run_result r = RUN_AGAIN;

		for (unsigned a = 1; a <= SOFT_ATTEMPTS && r == RUN_AGAIN; a++)
			r = run_one(abi, i, damon, a, &steps);
		ok += r == RUN_AGREED;
	}
	printf("    %s: %u/%zu fault scenarios agree (%u comparisons)\n",
	       mmt_abi_name(abi), ok, sizeof(scenarios) / sizeof(scenarios[0]),
	       steps);
}

TEST(live_fault_x86_64)
{
	run_all(MMT_ABI_X86_64);
}

TEST(live_fault_ia32)
{
	run_all(MMT_ABI_I386);
}
