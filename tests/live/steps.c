// SPDX-License-Identifier: MIT
/*
 * Step files (tests/live/steps/NAME.txt): named sequences of calls in
 * strace's notation.  The grammar is in docs/live-tests.md:
 *
 *   # comment
 *   seq NAME                 starts a sequence
 *   desc ONE LINE            the rule it exercises (required)
 *   abi both|x86_64|i386     default both
 *   rlimit STACK|AS|DATA|MEMLOCK CUR [MAX]   (K/M/G suffixes, "inf")
 *   file SIZE [ro]           a temporary file, the child's fd 3, 4, ...
 *   repeat N CALL            CALL N times, %i = 0..N-1
 *   CALL [= RET]             anything else is a step
 *
 * In a "both" sequence loaded for i386 a step's leading "mmap(" becomes
 * "mmap2(" (same arguments, strace prints mmap2's offset in bytes);
 * i386-only sequences may use "mmap(", which is old_mmap.
 */
#include "live.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena {
	void **p;
	size_t n, cap;
};

static void *arena_keep(struct arena *a, void *p)
{
	if (!p)
		return NULL;
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 64;
		void **np = realloc(a->p, cap * sizeof(*np));

		if (!np) {
			free(p);
			return NULL;
		}
		a->p = np;
		a->cap = cap;
	}
	a->p[a->n++] = p;
	return p;
}

static void arena_free(struct arena *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->p[i]);
	free(a->p);
	free(a);
}

/* A size: decimal or 0x hex, optional K/M/G, or "inf". */
static int parse_size(const char *s, uint64_t *v)
{
	char *e;

	if (!strcmp(s, "inf")) {
		*v = LIVE_RLIM_INFINITY;
		return 0;
	}
	errno = 0;
	*v = strtoull(s, &e, 0);
	if (errno || e == s)
		return -1;
	switch (*e) {
	case 'K': *v <<= 10; e++; break;
	case 'M': *v <<= 20; e++; break;
	case 'G': *v <<= 30; e++; break;
	}
	return *e ? -1 : 0;
}

static const char *const rlim_names[LIVE_NR_RLIMS] = {
	[LIVE_RLIM_STACK] = "STACK", [LIVE_RLIM_AS] = "AS",
	[LIVE_RLIM_DATA] = "DATA", [LIVE_RLIM_MEMLOCK] = "MEMLOCK",
};

struct loader {
	struct live_seqs *out;
	struct arena *mem;
	enum mmt_abi abi;
	size_t cap;
	struct live_step *steps;	/* of the sequence being read */
	unsigned nsteps, stepcap;
	bool skip;			/* the sequence is for the other ABI */
	bool open;
	char *err;
	size_t errlen;
	const char *file;
	unsigned line;
};

static int lerr(struct loader *l, const char *msg, const char *arg)
{
	snprintf(l->err, l->errlen, "%s:%u: %s%s%s", l->file, l->line, msg,
		 arg ? ": " : "", arg ? arg : "");
	return -1;
}

static int end_seq(struct loader *l)
{
	struct live_seq *s;

	if (!l->open)
		return 0;
	l->open = false;
	s = &l->out->seq[l->out->n - 1];
	if (!s->desc) {
		l->line = 0;
		return lerr(l, "sequence has no desc", s->name);
	}
	if (!l->nsteps) {
		l->line = 0;
		return lerr(l, "sequence has no steps", s->name);
	}
	if (l->skip) {
		l->out->n--;
		free(l->steps);
	} else {
		s->steps = arena_keep(l->mem, l->steps);
		s->nsteps = l->nsteps;
	}
	l->steps = NULL;
	l->nsteps = l->stepcap = 0;
	return 0;
}

static int begin_seq(struct loader *l, const char *name)
{
	char where[512];
	struct live_seq *s;

	if (end_seq(l))
		return -1;
	if (!*name || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
	    strlen(name))
		return lerr(l, "sequence name must be a-z0-9-", name);
	for (unsigned i = 0; i < l->out->n; i++)
		if (!strcmp(l->out->seq[i].name, name))
			return lerr(l, "duplicate sequence", name);
	if (l->out->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct live_seq *ns = realloc(l->out->seq, cap * sizeof(*ns));

		if (!ns)
			return lerr(l, "out of memory", NULL);
		l->out->seq = ns;
		l->cap = cap;
	}
	s = &l->out->seq[l->out->n++];
	memset(s, 0, sizeof(*s));
	s->name = arena_keep(l->mem, strdup(name));
	snprintf(where, sizeof(where), "%s:%u", l->file, l->line);
	s->where = arena_keep(l->mem, strdup(where));
	s->abi = l->abi;
	l->open = true;
	l->skip = false;
	if (!s->name || !s->where)
		return lerr(l, "out of memory", NULL);
	return 0;
}

static int add_step(struct loader *l, const char *text, unsigned repeat)
{
	char buf[1024];

	if (!l->open)
		return lerr(l, "step outside a sequence", text);
	snprintf(buf, sizeof(buf), "%s", text);
	if (l->nsteps == l->stepcap) {
		unsigned cap = l->stepcap ? 2 * l->stepcap : 16;
		struct live_step *ns = realloc(l->steps, cap * sizeof(*ns));

		if (!ns)
			return lerr(l, "out of memory", NULL);
		l->steps = ns;
		l->stepcap = cap;
	}
	l->steps[l->nsteps].text = arena_keep(l->mem, strdup(buf));
	l->steps[l->nsteps].repeat = repeat;
	l->steps[l->nsteps].line = l->line;
	if (!l->steps[l->nsteps].text)
		return lerr(l, "out of memory", NULL);
	l->nsteps++;
	return 0;
}

static bool is_directive(const char *w)
{
	static const char *const names[] = { "seq", "desc", "abi", "rlimit",
					     "file", "repeat" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(w, names[i]))
			return true;
	return false;
}

static int directive(struct loader *l, char *s)
{
	struct live_seq *q = l->open ? &l->out->seq[l->out->n - 1] : NULL;
	size_t wl = strcspn(s, " \t");
	char word[16], *arg;

	if (wl >= sizeof(word))
		return add_step(l, s, 1);
	memcpy(word, s, wl);
	word[wl] = 0;
	if (!is_directive(word))
		return add_step(l, s, 1);
	arg = s + wl;
	arg += strspn(arg, " \t");
	if (!strcmp(word, "seq"))
		return begin_seq(l, arg);
	if (!q)
		return lerr(l, "directive outside a sequence", word);
	if (!strcmp(word, "desc")) {
		q->desc = arena_keep(l->mem, strdup(arg));
		return q->desc ? 0 : lerr(l, "out of memory", NULL);
	}
	if (!strcmp(word, "abi")) {
		if (!strcmp(arg, "both"))
			return 0;
		if (strcmp(arg, "x86_64") && strcmp(arg, "i386"))
			return lerr(l, "abi is both, x86_64 or i386", arg);
		if (strcmp(arg, mmt_abi_name(l->abi)))
			l->skip = true;
		else
			q->as_written = true;
		return 0;
	}
	if (!strcmp(word, "rlimit")) {
		char res[16], cur[32], max[32] = "";
		uint64_t c, m;
		int i;

		if (sscanf(arg, "%15s %31s %31s", res, cur, max) < 2)
			return lerr(l, "rlimit RES CUR [MAX]", arg);
		for (i = 0; i < LIVE_NR_RLIMS; i++)
			if (!strcmp(res, rlim_names[i]))
				break;
		if (i == LIVE_NR_RLIMS || parse_size(cur, &c) ||
		    (*max && parse_size(max, &m)))
			return lerr(l, "bad rlimit", arg);
		q->rlim[i] = (struct live_rlimit){ true, c, *max ? m : c };
		return 0;
	}
	if (!strcmp(word, "file")) {
		char size[32], mode[8] = "";
		uint64_t n;

		if (q->nfiles == LIVE_MAX_FILES)
			return lerr(l, "too many files", NULL);
		if (sscanf(arg, "%31s %7s", size, mode) < 1 || parse_size(size, &n) ||
		    (*mode && strcmp(mode, "ro")))
			return lerr(l, "file SIZE [ro]", arg);
		q->files[q->nfiles++] = (struct live_file){ n, *mode != 0 };
		return 0;
	}
	if (!strcmp(word, "repeat")) {
		char *e;
		unsigned long n = strtoul(arg, &e, 10);

		if (e == arg || n < 1 || n > 1000000 || *e != ' ')
			return lerr(l, "repeat N CALL", arg);
		return add_step(l, e + 1, (unsigned)n);
	}
	return lerr(l, "unknown directive", word);
}

static int load_file(struct loader *l, const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (!f) {
		snprintf(l->err, l->errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	l->file = arena_keep(l->mem, strdup(path));
	l->line = 0;
	while (!rc && fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		char *s = line;

		l->line++;
		if (n && line[n - 1] != '\n' && !feof(f)) {
			rc = lerr(l, "line too long", NULL);
			break;
		}
		while (n && (line[n - 1] == '\n' || line[n - 1] == ' ' ||
			     line[n - 1] == '\t'))
			line[--n] = 0;
		s += strspn(s, " \t");
		if (!*s || *s == '#')
			continue;
		rc = directive(l, s);
	}
	fclose(f);
	return rc ? rc : end_seq(l);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "mmap(" -> "mmap2(" for both-ABI sequences on i386. */
static int rewrite_i386(struct live_seqs *out, struct arena *mem)
{
	for (unsigned i = 0; i < out->n; i++) {
		struct live_seq *s = &out->seq[i];

		if (s->as_written)
			continue;
		for (unsigned j = 0; j < s->nsteps; j++) {
			struct live_step *st = (struct live_step *)&s->steps[j];
			char *t;

			if (strncmp(st->text, "mmap(", 5))
				continue;
			t = malloc(strlen(st->text) + 2);
			if (!arena_keep(mem, t))
				return -1;
			sprintf(t, "mmap2(%s", st->text + 5);
			st->text = t;
		}
	}
	return 0;
}

int live_seqs_load(const char *dir, enum mmt_abi abi, struct live_seqs *out,
		   char *err, size_t errlen)
{
	struct loader l = { .out = out, .abi = abi, .err = err,
			    .errlen = errlen };
	char **names = NULL;
	size_t nn = 0;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	l.mem = calloc(1, sizeof(*l.mem));
	if (!l.mem) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	out->mem = l.mem;
	d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		char **nn2;

		if (n < 5 || strcmp(de->d_name + n - 4, ".txt"))
			continue;
		nn2 = realloc(names, (nn + 1) * sizeof(*names));
		if (!nn2)
			break;
		names = nn2;
		names[nn] = malloc(strlen(dir) + n + 2);
		if (!names[nn])
			break;
		sprintf(names[nn++], "%s/%s", dir, de->d_name);
	}
	closedir(d);
	qsort(names, nn, sizeof(*names), cmp_names);
	for (size_t i = 0; i < nn && !rc; i++)
		rc = load_file(&l, names[i]);
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	free(l.steps);
	if (!rc && abi == MMT_ABI_I386 && rewrite_i386(out, l.mem)) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	}
	if (!rc && !out->n) {
		snprintf(err, errlen, "%s: no sequences", dir);
		rc = -1;
	}
	if (rc)
		live_seqs_free(out);
	return rc;
}

void live_seqs_free(struct live_seqs *s)
{
	if (s->mem)
		arena_free(s->mem);
	free(s->seq);
	memset(s, 0, sizeof(*s));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

unsigned live_seqs_distinct(const struct live_seqs *s)
{
	size_t n = 0, k = 0;
	const char **all;
	unsigned distinct = 0;

	for (unsigned i = 0; i < s->n; i++)
		n += s->seq[i].nsteps;
	all = malloc((n ? n : 1) * sizeof(*all));
	if (!all)
		return 0;
	for (unsigned i = 0; i < s->n; i++)
		for (unsigned j = 0; j < s->seq[i].nsteps; j++)
			all[k++] = s->seq[i].steps[j].text;
	qsort(all, n, sizeof(*all), cmp_str);
	for (size_t i = 0; i < n; i++)
		distinct += !i || strcmp(all[i], all[i - 1]);
	free(all);
	return distinct;
}
