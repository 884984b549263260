// SPDX-License-Identifier: MIT
/*
 * The framing of an strace log line, kept apart from the call parser:
 *   [PID  |[pid PID] ] CALL                       a whole call
 *   [PID  ] NAME(ARGS... <unfinished ...>         a call cut by another pid
 *   [PID  ] <... NAME resumed>REST                its end
 *   [PID  ] --- SIGCHLD {si_signo=...} ---        a signal delivered
 *   [PID  ] +++ exited with 0 +++                 the process ended
 *   [PID  ] +++ killed by SIGSEGV (core dumped) +++
 * An unfinished part and its resumed rest, concatenated, are the call as
 * strace would have printed it whole ("wait4(-1, " + "NULL, 0, NULL) = 5").
 */
#include "kernel/syscall_internal.h"

#include <stdio.h>
#include <string.h>

static const char unfinished[] = " <unfinished ...>";

/* "1234  " (-f to a file) or "[pid  1234] " (-f to a terminal). */
static const char *parse_pid(const char *p, int *pid)
{
	const char *q = p;
	long v = 0;

	if (!strncmp(q, "[pid ", 5)) {
		for (q += 5; *q == ' '; q++)
			;
		for (; *q >= '0' && *q <= '9' && v < 1000000000; q++)
			v = v * 10 + (*q - '0');
		if (*q != ']' || q[1] != ' ')
			return p;
		*pid = (int)v;
		return q + 2;
	}
	for (; *q >= '0' && *q <= '9' && v < 1000000000; q++)
		v = v * 10 + (*q - '0');
	if (q == p || *q != ' ')
		return p;
	while (*q == ' ')
		q++;
	*pid = (int)v;
	return q;
}

/* Copy the identifier at @p (at most sizeof(out->name) - 1 bytes). */
static size_t copy_name(struct mmt_strace_line *out, const char *p)
{
	size_t n = 0;

	while (((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') ||
		(p[n] >= '0' && p[n] <= '9') || p[n] == '_') &&
	       n + 1 < sizeof(out->name))
		n++;
	memcpy(out->name, p, n);
	out->name[n] = 0;
	return n;
}

static size_t line_len(const char *p)
{
	size_t n = strlen(p);

	while (n && (p[n - 1] == '\n' || p[n - 1] == '\r'))
		n--;
	return n;
}

/* "+++ exited with N +++" / "+++ killed by SIG... [(core dumped)] +++" */
static int parse_exit(const char *p, size_t n, struct mmt_strace_line *out)
{
	int st = 0;
	size_t k;

	if (n < 8 || strncmp(p + n - 4, " +++", 4))
		return -1;
	if (!strncmp(p, "+++ exited with ", 16)) {
		for (p += 16; *p >= '0' && *p <= '9' && st < 100000; p++)
			st = st * 10 + (*p - '0');
		out->kind = MMT_STRACE_EXITED;
		out->status = st;
		return *p == ' ' ? 0 : -1;
	}
	if (!strncmp(p, "+++ killed by ", 14)) {
		k = copy_name(out, p + 14);
		out->kind = MMT_STRACE_KILLED;
		out->core_dumped = !strncmp(p + 14 + k, " (core dumped)", 14);
		return k ? 0 : -1;
	}
	return -1;
}

int mmt_strace_line_parse(const char *line, struct mmt_strace_line *out,
			  char *err, size_t errlen)
{
	const char *p;
	size_t n, ul = sizeof(unfinished) - 1, k;

	memset(out, 0, sizeof(*out));
	if (!line) {
		snprintf(err, errlen, "no line");
		return -1;
	}
	p = parse_pid(line, &out->pid);
	out->prefix_len = (unsigned)(p - line);
	n = line_len(p);
	out->text = p;
	out->text_len = n;
	if (!strncmp(p, "+++ ", 4)) {
		if (parse_exit(p, n, out)) {
			snprintf(err, errlen, "malformed exit line");
			return -1;
		}
		return 0;
	}
	if (!strncmp(p, "--- ", 4)) {
		if (n < 8 || strncmp(p + n - 4, " ---", 4) ||
		    !copy_name(out, p + 4)) {
			snprintf(err, errlen, "malformed signal line");
			return -1;
		}
		out->kind = MMT_STRACE_SIGNAL;
		out->text = p + 4;
		out->text_len = n - 8;
		return 0;
	}
	if (!strncmp(p, "<... ", 5)) {
		k = copy_name(out, p + 5);
		if (!k || strncmp(p + 5 + k, " resumed>", 9)) {
			snprintf(err, errlen, "malformed resumed line");
			return -1;
		}
		out->kind = MMT_STRACE_RESUMED;
		out->text = p + 5 + k + 9;
		out->text_len = n - (5 + k + 9);
		return 0;
	}
	if (n >= ul && !memcmp(p + n - ul, unfinished, ul)) {
		out->kind = MMT_STRACE_UNFINISHED;
		out->text_len = n - ul;
		copy_name(out, p);
		return 0;
	}
	out->kind = (*p >= 'a' && *p <= 'z') ? MMT_STRACE_CALL
					      : MMT_STRACE_OTHER;
	return 0;
}
