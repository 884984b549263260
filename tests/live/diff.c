// SPDX-License-Identifier: MIT
/*
 * The differential driver: one sequence on a fresh child and on a model,
 * step by step, comparing results and /proc/PID/maps bytes, and checking
 * on the kernel's side what must hold whatever the model does (every
 * step returns, maps parses, ranges are page-aligned, sorted, disjoint,
 * a successful mapping call's range is inside the maps, the child lives).
 * The first failure stops the run and is kept in the report.
 */
#define _GNU_SOURCE
#include "live.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What $name means in a step (live.h, docs/live-tests.md). */
struct symbols {
	uint64_t brk, stack, stack_end, vvar, vdso, text, payload, pid;
	uint64_t low, high, task_size, mmap_min_addr, max_map_count;
};

struct run {
	const struct live_seq *seq;
	const struct live_model_ops *ops;
	struct live_report *rep;
	struct live_child child;
	void *model;
	struct symbols sym;
	int64_t *res;		/* results by step, 1-based */
	unsigned nres;
	unsigned step;		/* 1-based, for messages */
	char dir[64];		/* the temporary files' directory */
	bool trace;		/* $MMTWIN_LIVE_TRACE */
	char *paths[LIVE_MAX_FILES];
	/* shmem inode numbers: kernel's <-> model's, one to one for the run
	 * (the one tolerated difference, see shmem_renumber()) */
	struct { uint64_t kino, mino; } *ino;
	size_t nino, ino_cap;
	/* SysV shm ids: kernel's <-> model's (see shmid_pair()) */
	struct { int64_t kid, mid; } *shmid;
	size_t nshmid, shmid_cap;
};

static int run_fail(struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int run_fail(struct run *r, const char *fmt, ...)
{
	struct live_report *rep = r->rep;
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!rep->failed) {
		rep->failed = true;
		if (r->step)
			snprintf(rep->what, sizeof(rep->what),
				 "%s (%s) %s step %u: %s", r->seq->name,
				 r->seq->where, mmt_abi_name(r->seq->abi),
				 r->step, msg);
		else
			snprintf(rep->what, sizeof(rep->what), "%s (%s) %s: %s",
				 r->seq->name, r->seq->where,
				 mmt_abi_name(r->seq->abi), msg);
	}
	return -1;
}

/* ---- substitution ---- */

static bool sym_value(const struct symbols *s, const char *name, size_t n,
		      uint64_t *v)
{
	static const struct { const char *name; size_t off; } tab[] = {
#define SYM(x) { #x, offsetof(struct symbols, x) }
		SYM(brk), SYM(stack), SYM(stack_end), SYM(vvar), SYM(vdso),
		SYM(text), SYM(payload), SYM(low), SYM(high), SYM(task_size),
		SYM(mmap_min_addr), SYM(max_map_count), SYM(pid),
#undef SYM
	};

	if (n == 4 && !memcmp(name, "page", 4)) {
		*v = 4096;
		return true;
	}
	if (n == 4 && !memcmp(name, "huge", 4)) {
		*v = 2 << 20;
		return true;
	}
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strlen(tab[i].name) == n && !memcmp(tab[i].name, name, n)) {
			*v = *(const uint64_t *)((const char *)s + tab[i].off);
			return true;
		}
	return false;
}

/* One factor at *p: a number, $N, $name or %i. */
static int factor(struct run *r, const char **p, unsigned iter, uint64_t *v,
		  char *err, size_t len)
{
	const char *s = *p;
	char *e;

	if (s[0] == '%' && s[1] == 'i') {
		*v = iter;
		*p = s + 2;
		return 0;
	}
	if (s[0] == '$' && s[1] >= '0' && s[1] <= '9') {
		unsigned long n = strtoul(s + 1, &e, 10);

		if (n < 1 || n >= r->step) {
			snprintf(err, len, "$%lu: not an earlier step", n);
			return -1;
		}
		*v = (uint64_t)r->res[n];
		*p = e;
		return 0;
	}
	if (s[0] == '$') {
		size_t n = strspn(s + 1, "abcdefghijklmnopqrstuvwxyz_");

		if (!sym_value(&r->sym, s + 1, n, v)) {
			snprintf(err, len, "unknown reference '$%.*s'", (int)n,
				 s + 1);
			return -1;
		}
		*p = s + 1 + n;
		return 0;
	}
	if (s[0] >= '0' && s[0] <= '9') {
		errno = 0;
		*v = strtoull(s, &e, 0);
		if (errno) {
			snprintf(err, len, "number out of range at '%.16s'", s);
			return -1;
		}
		*p = e;
		return 0;
	}
	snprintf(err, len, "expected a number or reference at '%.16s'", s);
	return -1;
}

static bool factor_start(char c)
{
	return c == '$' || c == '%' || (c >= '0' && c <= '9');
}

/* A sum of products, left to right, starting with a reference. */
static int expr(struct run *r, const char **p, unsigned iter, uint64_t *v,
		char *err, size_t len)
{
	uint64_t sum = 0, prod;
	int sign = 1;

	for (;;) {
		if (factor(r, p, iter, &prod, err, len))
			return -1;
		while (**p == '*' && factor_start((*p)[1])) {
			uint64_t f;

			++*p;
			if (factor(r, p, iter, &f, err, len))
				return -1;
			prod *= f;
		}
		sum = sign > 0 ? sum + prod : sum - prod;
		if ((**p != '+' && **p != '-') || !factor_start((*p)[1]))
			break;
		sign = **p == '+' ? 1 : -1;
		++*p;
	}
	*v = sum;
	return 0;
}

/* @text with every reference expression replaced by its value (hex). */
static int substitute(struct run *r, const char *text, unsigned iter,
		      char *out, size_t len, char *err, size_t errlen)
{
	size_t n = 0;

	for (const char *p = text; *p;) {
		if (*p == '$' || (p[0] == '%' && p[1] == 'i')) {
			uint64_t v;
			int w;

			if (expr(r, &p, iter, &v, err, errlen))
				return -1;
			if ((int64_t)v < 0 && (int64_t)v > -4096)
				w = snprintf(out + n, len - n, "%" PRId64,
					     (int64_t)v);
			else
				w = snprintf(out + n, len - n, "%#" PRIx64, v);
			if (w < 0 || (size_t)w >= len - n)
				goto long_;
			n += (size_t)w;
			continue;
		}
		if (n + 1 >= len)
			goto long_;
		out[n++] = *p++;
	}
	out[n] = 0;
	return 0;
long_:
	snprintf(err, errlen, "step text too long");
	return -1;
}

/* Where the call "NAME(...)" ends: the " = RET" part, if any, follows. */
static size_t call_end(const char *s)
{
	int depth = 0;
	bool quote = false;

	for (size_t i = 0; s[i]; i++) {
		if (quote) {
			if (s[i] == '\\' && s[i + 1])
				i++;
			else if (s[i] == '"')
				quote = false;
		} else if (s[i] == '"') {
			quote = true;
		} else if (s[i] == '(' || s[i] == '[' || s[i] == '{') {
			depth++;
		} else if (s[i] == ')' || s[i] == ']' || s[i] == '}') {
			if (--depth == 0 && s[i] == ')')
				return i + 1;
		}
	}
	return strlen(s);
}

/* ---- the kernel side ---- */

static int64_t stat_field(const char *stat, int field)
{
	const char *p = strrchr(stat, ')');	/* comm may hold spaces */
	int f = 2;

	if (!p)
		return -1;
	p++;
	while (*p && f < field) {
		while (*p == ' ')
			p++;
		f++;
		if (f == field)
			return strtoll(p, NULL, 10);
		while (*p && *p != ' ')
			p++;
	}
	return -1;
}

static void find_symbols(struct run *r, const struct live_vma *v, int n,
			 const char *stat, const struct live_sysctl *sc)
{
	struct symbols *s = &r->sym;
	bool i386 = r->seq->abi == MMT_ABI_I386;

	memset(s, 0, sizeof(*s));
	s->text = n ? v[0].start : 0;
	for (int i = 0; i < n; i++) {
		if (!strcmp(v[i].name, "[stack]")) {
			s->stack = v[i].start;
			s->stack_end = v[i].end;
		} else if (!strcmp(v[i].name, "[vvar]")) {
			s->vvar = v[i].start;
		} else if (!strcmp(v[i].name, "[vdso]")) {
			s->vdso = v[i].start;
		}
	}
	s->brk = (uint64_t)stat_field(stat, 47);	/* start_brk */
	s->payload = r->child.payload;
	s->pid = (uint64_t)r->child.pid;
	s->low = 0x10000000;
	s->high = i386 ? 0xe0000000 : 0x7f0000000000;
	s->task_size = i386 ? 0xffffe000 : 0x7ffffffff000;
	s->mmap_min_addr = (uint64_t)sc->mmap_min_addr;
	s->max_map_count = (uint64_t)sc->max_map_count;
}

static int make_files(struct run *r)
{
	const struct live_seq *q = r->seq;

	if (!q->nfiles)
		return 0;
	snprintf(r->dir, sizeof(r->dir), "/tmp/mmtwin-live-XXXXXX");
	if (!mkdtemp(r->dir)) {
		r->dir[0] = 0;
		return run_fail(r, "mkdtemp: %s", strerror(errno));
	}
	for (unsigned i = 0; i < q->nfiles; i++) {
		int fd;

		if (asprintf(&r->paths[i], "%s/f%u", r->dir, i) < 0) {
			r->paths[i] = NULL;
			return run_fail(r, "out of memory");
		}
		fd = open(r->paths[i], O_CREAT | O_RDWR | O_CLOEXEC, 0600);
		if (fd < 0 || ftruncate(fd, (off_t)q->files[i].size)) {
			if (fd >= 0)
				close(fd);
			return run_fail(r, "%s: %s", r->paths[i], strerror(errno));
		}
		close(fd);
	}
	return 0;
}

static void remove_files(struct run *r)
{
	for (unsigned i = 0; i < LIVE_MAX_FILES; i++) {
		if (r->paths[i])
			unlink(r->paths[i]);
		free(r->paths[i]);
		r->paths[i] = NULL;
	}
	if (r->dir[0])
		rmdir(r->dir);
}

/* Calls whose success is a new mapping: its length argument's slot, or
 * 6 for mremap, whose result need only be mapped itself (a shrink in
 * place succeeds when the vma at the old address is shorter). */
static int mapping_len_slot(const char *text)
{
	if (!strncmp(text, "mmap(", 5) || !strncmp(text, "mmap2(", 6))
		return 1;
	if (!strncmp(text, "mremap(", 7) || !strncmp(text, "shmat(", 6))
		return 6;
	return -1;
}

/* The kernel-side invariants after a step: maps parse (aligned, sorted,
 * disjoint) and a new mapping's range is inside them. */
static int kernel_check(struct run *r, const char *text, int64_t kret,
			const char *maps)
{
	struct mmt_sys_call call;
	struct live_vma *v;
	char err[512];
	int n, slot = mapping_len_slot(text);

	n = live_maps_parse(maps, &v, err, sizeof(err));
	r->rep->kernel_checks++;
	if (n < 0)
		return run_fail(r, "kernel maps: %s", err);
	if (slot >= 0 && kret >= 0 &&
	    !mmt_sys_parse_call(text, r->seq->abi, &call, err, sizeof(err))) {
		uint64_t lo = (uint64_t)kret;
		uint64_t hi = lo + (slot == 6 ? 4096 :
				    (call.args[slot] + 4095) & ~4095ULL);
		uint64_t at = lo;

		mmt_sys_call_release(&call);
		for (int i = 0; i < n && at < hi; i++)
			if (v[i].start <= at && at < v[i].end)
				at = v[i].end;
		r->rep->kernel_checks++;
		if (at < hi) {
			free(v);
			return run_fail(r, "%s returned %#" PRIx64 " but %#" PRIx64
					" is not mapped", text, lo, at);
		}
	}
	free(v);
	return 0;
}

/* ---- the run ---- */

static int start(struct run *r)
{
	struct live_opts o = { .abi = r->seq->abi };
	struct live_state st;
	struct live_vma *v;
	char *maps = NULL, *smaps = NULL, *stat = NULL, *status = NULL;
	char err[512];
	int n, rc = -1;

	memcpy(o.rlim, r->seq->rlim, sizeof(o.rlim));
	if (make_files(r))
		return -1;
	if (live_start(&r->child, &o))
		return run_fail(r, "%s", r->child.err);
	for (unsigned i = 0; i < r->seq->nfiles; i++) {
		int64_t fd;

		if (live_open(&r->child, r->paths[i],
			      r->seq->files[i].rdonly ? O_RDONLY : O_RDWR, &fd))
			return run_fail(r, "%s", r->child.err);
		if (fd != 3 + (int)i)
			return run_fail(r, "open %s: %" PRId64 ", expected fd %u",
					r->paths[i], fd, 3 + i);
	}
	if (live_read(&r->child, "maps", &maps) ||
	    live_read(&r->child, "smaps", &smaps) ||
	    live_read(&r->child, "stat", &stat) ||
	    live_read(&r->child, "status", &status)) {
		run_fail(r, "%s", r->child.err);
		goto out;
	}
	n = live_maps_parse(maps, &v, err, sizeof(err));
	if (n < 0) {
		run_fail(r, "kernel maps at start: %s", err);
		goto out;
	}
	memset(&st, 0, sizeof(st));
	live_sysctl_read(&st.sysctl);
	find_symbols(r, v, n, stat, &st.sysctl);
	free(v);
	st.abi = r->seq->abi;
	st.pid = r->child.pid;
	st.maps = maps;
	st.smaps = smaps;
	st.stat = stat;
	st.status = status;
	st.rlim = r->seq->rlim;
	st.file_path = (const char *const *)r->paths;
	st.files = r->seq->files;
	st.nfiles = r->seq->nfiles;
	st.payload = r->child.payload;
	st.child = &r->child;
	st.ops_cfg = r->ops->cfg;
	err[0] = 0;
	r->model = r->ops->seed(&st, st.abi, err, sizeof(err));
	if (!r->model) {
		run_fail(r, "model %s: seed failed: %s", r->ops->name, err);
		goto out;
	}
	rc = 0;
out:
	free(maps);
	free(smaps);
	free(stat);
	free(status);
	return rc;
}

static void keep_failure(struct run *r, int64_t kret, int64_t mret,
			 char *kmaps, char *mmaps)
{
	struct live_report *rep = r->rep;

	if (rep->failed) {	/* an earlier run's failure stays the first */
		free(kmaps);
		free(mmaps);
		return;
	}
	rep->kernel_ret = kret;
	rep->model_ret = mret;
	free(rep->kernel_maps);
	free(rep->model_maps);
	free(rep->diff);
	rep->kernel_maps = kmaps;
	rep->model_maps = mmaps;
	rep->diff = kmaps && mmaps ? live_diff_text(kmaps, mmaps, "kernel maps",
						    "model maps") : NULL;
}

/* ---- the second tolerated difference: SysV shm ids ----
 *
 * A segment's id is its index in the IPC namespace plus a sequence
 * number; the kernel's namespace is the host's, shared with every other
 * process, so the model (a namespace of its own) cannot know the number.
 * A successful shmget on both sides pairs the two ids, one to one over
 * the run; the step's later references ($N, the kernel's id) reach the
 * model as its own id (shmat, shmctl), and the inode field of a
 * "/SYSV%08x (deleted)" maps line (the id) is compared as the pair's.
 */

/* The id paired with @id (@model: @id is the model's), or -1. */
static int64_t shmid_lookup(const struct run *r, int64_t id, bool model)
{
	for (size_t i = 0; i < r->nshmid; i++)
		if ((model ? r->shmid[i].mid : r->shmid[i].kid) == id)
			return model ? r->shmid[i].kid : r->shmid[i].mid;
	return -1;
}

/* Pair kernel id @kid with model id @mid: 0, or -1 when either is paired
 * with another already (or out of memory). */
static int shmid_pair(struct run *r, int64_t kid, int64_t mid)
{
	int64_t k = shmid_lookup(r, mid, true), m = shmid_lookup(r, kid, false);

	if (k >= 0 || m >= 0)
		return k == kid && m == mid ? 0 : -1;
	if (r->nshmid == r->shmid_cap) {
		size_t cap = r->shmid_cap ? r->shmid_cap * 2 : 8;
		void *n = realloc(r->shmid, cap * sizeof(*r->shmid));

		if (!n)
			return -1;
		r->shmid = n;
		r->shmid_cap = cap;
	}
	r->shmid[r->nshmid].kid = kid;
	r->shmid[r->nshmid++].mid = mid;
	return 0;
}

/* @call for the model: the shmid argument of shmat/shmctl, when it is a
 * paired kernel id, becomes the model's.  Into @out (@len bytes). */
static void model_call_text(const struct run *r, const char *call, char *out,
			    size_t len)
{
	size_t n = !strncmp(call, "shmat(", 6) ? 6 :
		   !strncmp(call, "shmctl(", 7) ? 7 : 0;
	char *end;
	long long id;
	int64_t mid;

	snprintf(out, len, "%s", call);
	if (!n)
		return;
	errno = 0;
	id = strtoll(call + n, &end, 0);
	if (errno || end == call + n || (mid = shmid_lookup(r, id, false)) < 0)
		return;
	snprintf(out, len, "%.*s%#llx%s", (int)n, call, (long long)mid, end);
}

/* Run one call (after substitution) on both sides; *kret, *mret. */
static int one_call(struct run *r, const char *text, int64_t *kret,
		    int64_t *mret)
{
	size_t end = call_end(text);
	char call[1024], err[512];
	struct mmt_sys_call expect;

	if (end >= sizeof(call))
		return run_fail(r, "step too long");
	memcpy(call, text, end);
	call[end] = 0;
	if (live_call(&r->child, call, kret, err, sizeof(err)))
		return run_fail(r, "%s: %s", call, err);
	if (text[end]) {
		int64_t want;
		bool check;

		if (mmt_sys_parse_call(text, r->seq->abi, &expect, err,
				       sizeof(err)))
			return run_fail(r, "%s: %s", text, err);
		want = expect.err ? -(int64_t)expect.err : expect.ret;
		check = expect.has_ret && !expect.ret_unknown;
		mmt_sys_call_release(&expect);
		r->rep->kernel_checks++;
		if (check && want != *kret) {
			const char *en = *kret < 0 ? mmt_errno_name((int)-*kret) : NULL;

			keep_failure(r, *kret, 0, NULL, NULL);
			return run_fail(r, "%s: the kernel answered %" PRId64
					"%s%s, the step expects%s", call, *kret,
					en ? " " : "", en ? en : "",
					text + end);
		}
	}
	err[0] = 0;
	{
		char mcall[1024];

		model_call_text(r, call, mcall, sizeof(mcall));
		*mret = r->ops->call(r->model, mcall, err, sizeof(err));
	}
	if (!strncmp(call, "shmget(", 7) && *kret >= 0 && *mret >= 0 &&
	    !shmid_pair(r, *kret, *mret))
		*mret = *kret;		/* the same segment on both sides */
	if (*mret != *kret) {
		keep_failure(r, *kret, *mret, NULL, NULL);
		return run_fail(r, "%s: kernel %" PRId64 ", model %s %" PRId64
				"%s%s", call, *kret, r->ops->name, *mret,
				err[0] ? ": " : "", err);
	}
	return 0;
}

/* ---- the one tolerated difference: shmem inode numbers ----
 *
 * A MAP_SHARED|MAP_ANONYMOUS mapping is a shmem object whose inode number
 * comes from the kernel's get_next_ino() counter, which a model cannot
 * know.  Its maps line ("00:01 INO ... /dev/zero (deleted)") may carry
 * another number, as long as the numbers correspond one to one over the
 * whole run: each kernel object is one model object and no two share
 * one.  Everything else on the line, and every other line, must be equal.
 */

struct maps_fields {
	uint64_t start;
	size_t ino_at, ino_len;	/* the inode field */
	const char *name;	/* after the padding */
	size_t name_len;
};

/* Split one maps line (@len bytes, no newline) into the parts above;
 * false when it is not a shmem object's line.  *@sysv: a SysV segment's
 * ("/SYSV%08x (deleted)", whose inode is the shmid). */
static bool shmem_line(const char *l, size_t len, struct maps_fields *f,
		       bool *sysv)
{
	static const char zero[] = "/dev/zero (deleted)";
	static const char del[] = " (deleted)";
	const char *p = l, *end = l + len;
	int field = 0;

	f->start = strtoull(l, NULL, 16);
	while (p < end && field < 4) {	/* range perms offset dev */
		const char *w = p;

		while (p < end && *p != ' ')
			p++;
		if (field == 3 && (p - w != 5 || memcmp(w, "00:01", 5)))
			return false;
		while (p < end && *p == ' ')
			p++;
		field++;
	}
	f->ino_at = (size_t)(p - l);
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	f->ino_len = (size_t)(p - l) - f->ino_at;
	while (p < end && *p == ' ')
		p++;
	f->name = p;
	f->name_len = (size_t)(end - p);
	*sysv = f->name_len == 13 + sizeof(del) - 1 && !memcmp(p, "/SYSV", 5) &&
		!memcmp(p + 13, del, sizeof(del) - 1);
	return field == 4 && f->ino_len &&
	       ((f->name_len == sizeof(zero) - 1 &&
		 !memcmp(p, zero, sizeof(zero) - 1)) || *sysv);
}

/* The kernel's inode for model inode @mino: a pair seen before, or a new
 * pair when neither number is paired yet; 0 when they would not be one
 * to one. */
static uint64_t ino_pair(struct run *r, uint64_t kino, uint64_t mino)
{
	for (size_t i = 0; i < r->nino; i++) {
		if (r->ino[i].mino == mino)
			return r->ino[i].kino == kino ? kino : 0;
		if (r->ino[i].kino == kino)
			return 0;
	}
	if (r->nino == r->ino_cap) {
		size_t cap = r->ino_cap ? r->ino_cap * 2 : 16;
		void *n = realloc(r->ino, cap * sizeof(*r->ino));

		if (!n)
			return 0;
		r->ino = n;
		r->ino_cap = cap;
	}
	r->ino[r->nino].kino = kino;
	r->ino[r->nino++].mino = mino;
	return kino;
}

/* The kernel's line of the mapping at @start, or NULL. */
static const char *kernel_line(const char *kmaps, uint64_t start, size_t *len)
{
	for (const char *p = kmaps; *p;) {
		size_t n = strcspn(p, "\n");

		if (strtoull(p, NULL, 16) == start) {
			*len = n;
			return p;
		}
		p += n + (p[n] == '\n');
	}
	return NULL;
}

/*
 * @mmaps with each shmem line's inode replaced by the kernel's for the
 * same mapping (same start, also shmem), where the pairing stays one to
 * one; the padding is redone as show_map_vma() does (the name at column 73).
 * malloc'd; NULL when out of memory.
 */
static char *shmem_renumber(struct run *r, const char *kmaps, const char *mmaps)
{
	size_t cap = strlen(mmaps) + 1, n = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	for (const char *p = mmaps; *p;) {
		size_t len = strcspn(p, "\n"), klen;
		struct maps_fields mf, kf;
		const char *k;
		uint64_t kino = 0;
		bool msysv = false, ksysv = false;
		char line[512];
		int w;

		if (shmem_line(p, len, &mf, &msysv) &&
		    (k = kernel_line(kmaps, mf.start, &klen)) &&
		    shmem_line(k, klen, &kf, &ksysv) && msysv == ksysv &&
		    (msysv ? (int64_t)(kino = (uint64_t)shmid_lookup(r,
				(int64_t)strtoull(p + mf.ino_at, NULL, 10),
				true)) >= 0
			   : (kino = ino_pair(r, strtoull(k + kf.ino_at, NULL, 10),
					      strtoull(p + mf.ino_at, NULL, 10))) != 0)) {
			w = snprintf(line, sizeof(line), "%.*s%" PRIu64 " ",
				     (int)mf.ino_at, p, kino);
			while (w > 0 && w < 72)
				line[w++] = ' ';
			w += snprintf(line + w, sizeof(line) - (size_t)w,
				      " %.*s", (int)mf.name_len, mf.name);
		} else {
			w = snprintf(line, sizeof(line), "%.*s",
				     (int)(len < 500 ? len : 500), p);
		}
		if (n + (size_t)w + 2 > cap) {
			char *g = realloc(out, cap = (cap + (size_t)w + 2) * 2);

			if (!g) {
				free(out);
				return NULL;
			}
			out = g;
		}
		memcpy(out + n, line, (size_t)w);
		n += (size_t)w;
		if (p[len] == '\n')
			out[n++] = '\n';
		p += len + (p[len] == '\n');
	}
	out[n] = 0;
	return out;
}

static int compare_maps(struct run *r, const char *text, int64_t kret,
			int64_t mret)
{
	char *kmaps = NULL, *mmaps = NULL;

	if (live_read(&r->child, "maps", &kmaps))
		return run_fail(r, "%s", r->child.err);
	if (kernel_check(r, text, kret, kmaps)) {
		keep_failure(r, kret, mret, kmaps, NULL);
		return -1;
	}
	if (r->ops->maps(r->model, &mmaps) || !mmaps) {
		keep_failure(r, kret, mret, kmaps, NULL);
		return run_fail(r, "model %s: no maps", r->ops->name);
	}
	if (strcmp(kmaps, mmaps) && strstr(mmaps, " 00:01 ")) {
		char *renum = shmem_renumber(r, kmaps, mmaps);

		if (!renum) {
			keep_failure(r, kret, mret, kmaps, mmaps);
			return run_fail(r, "out of memory");
		}
		free(mmaps);
		mmaps = renum;
	}
	if (strcmp(kmaps, mmaps)) {
		keep_failure(r, kret, mret, kmaps, mmaps);
		return run_fail(r, "%s: maps differ", text);
	}
	free(kmaps);
	free(mmaps);
	return 0;
}

/* $MMTWIN_LIVE_TRACE set: every step and the kernel's answer on stderr,
 * in strace's notation (for writing a step file's expectations). */
static void trace_step(struct run *r, const char *text, int64_t kret)
{
	const char *en = kret < 0 && kret > -4096 ? mmt_errno_name((int)-kret) : NULL;

	if (en)
		fprintf(stderr, "%s %s %u: %s = -1 %s\n", r->seq->name,
			mmt_abi_name(r->seq->abi), r->step, text, en);
	else
		fprintf(stderr, "%s %s %u: %s = %#" PRIx64 "\n", r->seq->name,
			mmt_abi_name(r->seq->abi), r->step, text, (uint64_t)kret);
}

static int one_step(struct run *r, const char *text, unsigned repeat)
{
	char buf[1024], err[512];
	int64_t kret = 0, mret = 0;

	if (repeat < 1)
		repeat = 1;
	for (unsigned it = 0; it < repeat; it++) {
		if (substitute(r, text, it, buf, sizeof(buf), err, sizeof(err)))
			return run_fail(r, "%s: %s", text, err);
		if (one_call(r, buf, &kret, &mret))
			return -1;
	}
	r->res[r->step] = kret;
	r->rep->steps += repeat;
	if (r->trace)
		trace_step(r, buf, kret);
	return compare_maps(r, buf, kret, mret);
}

static int run_steps(struct run *r)
{
	const struct live_seq *q = r->seq;
	unsigned n = q->gen ? q->gen_max : q->nsteps;

	r->res = calloc((size_t)n + 2, sizeof(*r->res));
	if (!r->res)
		return run_fail(r, "out of memory");
	for (unsigned i = 0; i < n; i++) {
		r->step = i + 1;
		if (q->gen) {
			char text[1024], *maps;
			int g;

			if (live_read(&r->child, "maps", &maps))
				return run_fail(r, "%s", r->child.err);
			g = q->gen(q->gen_ctx, i, maps, r->sym.brk, text,
				   sizeof(text));
			free(maps);
			if (g)
				break;
			if (one_step(r, text, 1))
				return -1;
		} else if (one_step(r, q->steps[i].text, q->steps[i].repeat)) {
			return -1;
		}
	}
	return 0;
}

int live_diff_run(const struct live_seq *seq, const struct live_model_ops *ops,
		  struct live_report *rep)
{
	struct run r = { .seq = seq, .ops = ops, .rep = rep };
	struct timespec t0, t1;
	int rc;

	r.child.to_child = r.child.from_child = -1;
	r.trace = getenv("MMTWIN_LIVE_TRACE") != NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rep->seqs++;
	rc = start(&r);
	if (!rc)
		rc = run_steps(&r);
	if (r.model)
		ops->release(r.model);
	live_finish(&r.child);
	remove_files(&r);
	free(r.res);
	free(r.ino);
	free(r.shmid);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rep->seconds += (double)(t1.tv_sec - t0.tv_sec) +
			(double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return rc;
}

void live_report_free(struct live_report *rep)
{
	free(rep->kernel_maps);
	free(rep->model_maps);
	free(rep->diff);
	rep->kernel_maps = rep->model_maps = rep->diff = NULL;
}

/* ---- the null and broken models ---- */

struct null_model {
	struct live_child *child;
	struct live_broken_cfg cfg;	/* step 0: not broken */
	unsigned calls, maps;
};

static void *null_seed(const struct live_state *s, enum mmt_abi abi,
		       char *err, size_t len)
{
	struct null_model *m = calloc(1, sizeof(*m));

	(void)abi;
	if (!m) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	m->child = s->child;
	if (s->ops_cfg)
		m->cfg = *(const struct live_broken_cfg *)s->ops_cfg;
	return m;
}

/* The kernel already ran this call: its answer is the child's last. */
static int64_t null_call(void *model, const char *text, char *err, size_t len)
{
	struct null_model *m = model;

	(void)text;
	(void)err;
	(void)len;
	m->calls++;
	if (m->cfg.step && m->cfg.ret_off && m->calls == m->cfg.step)
		return m->child->last_ret + 1;
	return m->child->last_ret;
}

static int null_maps(void *model, char **text)
{
	struct null_model *m = model;

	if (live_read(m->child, "maps", text))
		return -1;
	m->maps++;
	if (m->cfg.step && !m->cfg.ret_off && m->maps == m->cfg.step) {
		size_t n = strlen(*text), at = n / 2;

		while (at < n && (*text)[at] == '\n')
			at++;
		if (at < n)
			(*text)[at] ^= 1;	/* '0' <-> '1', 'r' <-> 's' ... */
	}
	return 0;
}

static void null_release(void *model)
{
	free(model);
}

const struct live_model_ops live_null_model = {
	.name = "null",
	.seed = null_seed,
	.call = null_call,
	.maps = null_maps,
	.release = null_release,
};

struct live_model_ops live_broken_model(const struct live_broken_cfg *cfg)
{
	struct live_model_ops ops = live_null_model;

	ops.name = "broken";
	ops.cfg = cfg;
	return ops;
}
