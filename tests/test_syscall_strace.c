// SPDX-License-Identifier: MIT
/*
 * strace notation, checked against real strace output: every call line of
 * the logs in tests/data/strace/ (recorded with strace 6.1 on Linux x86_64,
 * see tests/data/strace/README) must parse and print back to the very same
 * text, the " = " column included.  Calls cut by another pid
 * ("<unfinished ...>" / "<... resumed>") are joined first.
 */
#include "test.h"

#include <mmtwin/syscall.h>

#include <stdlib.h>

#define DATA "tests/data/strace/"

struct pending {
	int pid;
	char *text;
};

struct replay {
	enum mmt_abi abi;
	const char *file;
	unsigned lineno, whole, joined, framed;
	struct pending pend[64];
};

/* Parse @text and print it back; 0 when the print equals @expect. */
static int round_trip(struct replay *r, const char *text, int column,
		      const char *expect)
{
	struct mmt_sys_call call;
	char err[256], out[1 << 17];

	if (mmt_sys_parse_call(text, r->abi, &call, err, sizeof(err))) {
		test_fail(__FILE__, __LINE__, "%s:%u: %s", r->file, r->lineno,
			  err);
		return -1;
	}
	mmt_sys_format_call(out, sizeof(out), &call, column);
	mmt_sys_call_release(&call);
	if (strcmp(out, expect)) {
		test_fail(__FILE__, __LINE__, "%s:%u:\n  got  %s\n  want %s",
			  r->file, r->lineno, out, expect);
		return -1;
	}
	return 0;
}

/* strace pads before " = " by the line it printed last: join, then
 * squeeze the padding to one space, which column -1 prints. */
static void squeeze_result(char *s)
{
	char *eq = NULL;

	for (char *p = s; (p = strstr(p, ") ")); p++) {
		char *q = p + 1;

		while (*q == ' ')
			q++;
		if (q[0] == '=' && q[1] == ' ')
			eq = p;
	}
	if (eq) {
		char *q = eq + 1;

		while (q[1] == ' ')
			q++;
		memmove(eq + 2, q + 1, strlen(q + 1) + 1);
	}
}

static struct pending *pending_slot(struct replay *r, int pid)
{
	for (unsigned i = 0; i < 64; i++)
		if (r->pend[i].text && r->pend[i].pid == pid)
			return &r->pend[i];
	for (unsigned i = 0; i < 64; i++)
		if (!r->pend[i].text) {
			r->pend[i].pid = pid;
			return &r->pend[i];
		}
	return NULL;
}

static void on_resumed(struct replay *r, const struct mmt_strace_line *l)
{
	struct pending *p = pending_slot(r, l->pid);
	size_t a, b;
	char *joined;

	if (!p || !p->text) {
		test_fail(__FILE__, __LINE__, "%s:%u: resumed without start",
			  r->file, r->lineno);
		return;
	}
	a = strlen(p->text);
	b = l->text_len;
	joined = malloc(a + b + 1);
	CHECK(joined);
	memcpy(joined, p->text, a);
	memcpy(joined + a, l->text, b);
	joined[a + b] = 0;
	squeeze_result(joined);
	if (!round_trip(r, joined, -1, joined))
		r->joined++;
	free(joined);
	free(p->text);
	p->text = NULL;
}

static void replay_line(struct replay *r, char *line)
{
	struct mmt_strace_line l;
	struct pending *p;
	char err[128];

	line[strcspn(line, "\n")] = 0;
	if (mmt_strace_line_parse(line, &l, err, sizeof(err))) {
		test_fail(__FILE__, __LINE__, "%s:%u: %s", r->file, r->lineno,
			  err);
		return;
	}
	switch (l.kind) {
	case MMT_STRACE_CALL:
		if (!round_trip(r, l.text, (int)l.prefix_len, l.text))
			r->whole++;
		break;
	case MMT_STRACE_UNFINISHED:
		p = pending_slot(r, l.pid);
		CHECK(p && !p->text);
		if (p && !p->text)
			p->text = strndup(l.text, l.text_len);
		break;
	case MMT_STRACE_RESUMED:
		on_resumed(r, &l);
		break;
	case MMT_STRACE_OTHER:
		test_fail(__FILE__, __LINE__, "%s:%u: unframed line", r->file,
			  r->lineno);
		break;
	default:
		r->framed++;
		break;
	}
}

/* Replay one log; returns the number of calls that round-tripped. */
static unsigned replay_file(const char *name, enum mmt_abi abi,
			    unsigned *framed)
{
	struct replay r = { .abi = abi, .file = name };
	char path[256], *text, *line, *save = NULL;

	snprintf(path, sizeof(path), DATA "%s", name);
	text = test_read_file(path);
	CHECK(text);
	if (!text)
		return 0;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		r.lineno++;
		replay_line(&r, line);
	}
	for (unsigned i = 0; i < 64; i++) {
		CHECK(!r.pend[i].text);		/* every start resumed */
		free(r.pend[i].text);
	}
	free(text);
	if (framed)
		*framed += r.framed;
	/* an unfinished start and its resumed end make one call */
	CHECK(r.whole + 2 * r.joined + r.framed == r.lineno);
	return r.whole + r.joined;
}

TEST(syscall_strace_round_trip)
{
	static const struct { const char *file; enum mmt_abi abi;
			      unsigned min; } logs[] = {
		{ "true.log", MMT_ABI_X86_64, 14 },
		{ "ls.log", MMT_ABI_X86_64, 40 },
		{ "python-mmap.log", MMT_ABI_X86_64, 50 },
		{ "python-thread.log", MMT_ABI_X86_64, 55 },
		{ "sh-fork.log", MMT_ABI_X86_64, 70 },
		{ "escapes.log", MMT_ABI_X86_64, 14 },
		{ "flags.log", MMT_ABI_X86_64, 60 },
		{ "i386.log", MMT_ABI_I386, 9 },
	};
	unsigned total = 0, framed = 0;

	for (size_t i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
		unsigned n = replay_file(logs[i].file, logs[i].abi, &framed);

		if (n < logs[i].min)
			test_fail(__FILE__, __LINE__, "%s: %u calls, want %u+",
				  logs[i].file, n, logs[i].min);
		total += n;
	}
	printf("    %u strace calls round-tripped, %u signal/exit lines\n",
	       total, framed);
}
