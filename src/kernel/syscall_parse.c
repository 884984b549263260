// SPDX-License-Identifier: MIT
/*
 * Parsing one call in strace's notation back into a struct mmt_sys_call:
 *   NAME "(" [ARG {", " ARG}] ")" [ " = " RESULT ]
 * Scenario scripts write the same notation, so each argument also takes a
 * plain number, flags by name or number ("PROT_READ|0x10"), "NULL".
 *
 * Safety: one pass over the text with a cursor that never reads past the
 * terminating NUL; no recursion (decoded structures such as wait4's
 * "[{WIFEXITED(s) ...}]" are kept as text, scanned with a depth counter
 * bounded by SYS_MAX_DEPTH); numbers are overflow-checked.
 */
#include "kernel/syscall_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYS_MAX_DEPTH 64

struct cursor {
	const char *p;
	struct mmt_sys_call *call;
	const char *name;	/* the call's name, for messages */
	unsigned argno;		/* 1-based argument being parsed, or 0 */
	char *err;
	size_t errlen;
};

/* Record the first error, prefixed by the call and argument; returns -1. */
static int fail(struct cursor *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(struct cursor *c, const char *fmt, ...)
{
	char msg[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->name && c->argno)
		snprintf(c->err, c->errlen, "%s: argument %u: %s", c->name,
			 c->argno, msg);
	else if (c->name)
		snprintf(c->err, c->errlen, "%s: %s", c->name, msg);
	else
		snprintf(c->err, c->errlen, "%s", msg);
	return -1;
}

static bool is_ident(char ch, bool first)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       ch == '_' || (!first && ch >= '0' && ch <= '9');
}

static void skip_spaces(struct cursor *c)
{
	while (*c->p == ' ' || *c->p == '\t')
		c->p++;
}

/* Length of the identifier at the cursor (0 if none). */
static size_t ident_len(const char *p)
{
	size_t n = 0;

	while (is_ident(p[n], n == 0))
		n++;
	return n;
}

/* A quoted copy of at most 40 characters of @p, for messages. */
static const char *excerpt(const char *p, size_t n, char *out, size_t size)
{
	size_t m = n < 40 ? n : 40;

	snprintf(out, size, "%.*s%s", (int)m, p, m < n ? "..." : "");
	return out;
}

static int digit_value(char ch, unsigned base)
{
	int d = -1;

	if (ch >= '0' && ch <= '9')
		d = ch - '0';
	else if (ch >= 'a' && ch <= 'f')
		d = ch - 'a' + 10;
	else if (ch >= 'A' && ch <= 'F')
		d = ch - 'A' + 10;
	return d >= 0 && (unsigned)d < base ? d : -1;
}

/*
 * A number: optional '-', then 0x hex, 0 octal or decimal.  Negative
 * numbers are two's complement.  -1 with a message when there is no
 * digit or the value does not fit in 64 bits.
 */
static int parse_number(struct cursor *c, uint64_t *out)
{
	bool neg = *c->p == '-';
	unsigned base = 10;
	uint64_t v = 0;
	const char *start;
	int d;

	if (neg)
		c->p++;
	if (c->p[0] == '0' && (c->p[1] == 'x' || c->p[1] == 'X') &&
	    digit_value(c->p[2], 16) >= 0) {
		base = 16;
		c->p += 2;
	} else if (c->p[0] == '0') {
		base = 8;
	}
	start = c->p;
	while ((d = digit_value(*c->p, base)) >= 0) {
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return fail(c, "number too large");
		v = v * base + (uint64_t)d;
		c->p++;
	}
	if (c->p == start)
		return fail(c, "expected a number");
	*out = neg ? (uint64_t)0 - v : v;
	return 0;
}

static bool starts_number(const char *p)
{
	return (*p >= '0' && *p <= '9') || (*p == '-' && p[1] >= '0' &&
					    p[1] <= '9');
}

/* Skip one " / * ... * / " comment after a value, if there is one. */
static int skip_comment(struct cursor *c)
{
	const char *q = c->p;
	const char *end;

	while (*q == ' ')
		q++;
	if (q[0] != '/' || q[1] != '*')
		return 0;
	end = strstr(q + 2, "*/");
	if (!end)
		return fail(c, "unterminated comment");
	c->p = end + 2;
	return 0;
}

static const struct mmt_sys_xlat *xlat_find(const struct mmt_sys_xlat *x,
					    const char *name, size_t len)
{
	for (; x && x->name; x++)
		if (strlen(x->name) == len && !memcmp(x->name, name, len))
			return x;
	return NULL;
}

/* A name that argument type @type knows: its table, its aliases, the
 * mapping types, the signals of clone's flags. */
static bool named_value(enum mmt_sys_argtype type, const char *name,
			size_t len, uint64_t *v)
{
	const struct mmt_sys_xlat *x = xlat_find(mmt_sys_xlat_of(type), name,
						 len);
	int sig;

	if (!x)
		x = xlat_find(sys_parse_aliases(type), name, len);
	if (!x && type == MMT_SYS_ARG_MAP_FLAGS)
		x = xlat_find(sys_map_type_xlat(), name, len);
	if (x) {
		*v = x->val;
		return true;
	}
	if (type == MMT_SYS_ARG_CLONE_FLAGS || type == MMT_SYS_ARG_SIGNAL) {
		sig = sys_signal_by_name(name, len);
		*v = (uint64_t)sig;
		return sig != 0;
	}
	if (type == MMT_SYS_ARG_DIRFD && len == 8 &&
	    !memcmp(name, "AT_FDCWD", 8)) {
		*v = (uint64_t)(int64_t)SYS_AT_FDCWD;
		return true;
	}
	return false;
}

/* One term of a flag expression: NAME, NUMBER [comment] or
 * NUMBER<<MAP_HUGE_SHIFT. */
static int parse_term(struct cursor *c, enum mmt_sys_argtype type,
		      uint64_t *v)
{
	size_t n = ident_len(c->p);
	char buf[64];

	if (starts_number(c->p)) {
		if (parse_number(c, v))
			return -1;
		if (!strncmp(c->p, "<<MAP_HUGE_SHIFT", 16)) {
			if (*v > 63)
				return fail(c, "huge page shift too large");
			*v <<= SYS_MAP_HUGE_SHIFT;
			c->p += 16;
		}
		return skip_comment(c);
	}
	if (!n)
		return fail(c, "expected a value");
	if (!named_value(type, c->p, n, v))
		return fail(c, "unknown %s '%s'",
			    sys_typeinfo(type)->style == SYS_STYLE_FLAGS ?
			    "flag" : "name", excerpt(c->p, n, buf, sizeof(buf)));
	c->p += n;
	return 0;
}

/* TERM {'|' TERM}, OR-ed together (also for values: "IPC_64|IPC_STAT"). */
static int parse_flags(struct cursor *c, enum mmt_sys_argtype type,
		       uint64_t *out)
{
	uint64_t v, acc = 0;

	for (;;) {
		if (parse_term(c, type, &v))
			return -1;
		acc |= v;
		if (*c->p != '|')
			break;
		c->p++;
	}
	*out = acc;
	return 0;
}

/* "NULL" or a number. */
static int parse_addr(struct cursor *c, uint64_t *v)
{
	if (!strncmp(c->p, "NULL", 4) && !is_ident(c->p[4], false)) {
		c->p += 4;
		*v = 0;
		return 0;
	}
	if (!starts_number(c->p))
		return fail(c, "expected an address or NULL");
	return parse_number(c, v);
}

/* The byte a one-letter escape stands for ("\n"), or -1. */
static int simple_escape(char ch)
{
	switch (ch) {
	case '"':
	case '\\':
		return ch;
	case 'n':
		return '\n';
	case 't':
		return '\t';
	case 'v':
		return '\v';
	case 'f':
		return '\f';
	case 'r':
		return '\r';
	default:
		return -1;
	}
}

/* Decode one escape after a backslash; @*p points past the backslash. */
static int unescape(struct cursor *c, const char **p, char *out)
{
	char ch = **p;
	unsigned v = 0, n = 0;
	int e = simple_escape(ch);

	if (e >= 0) {
		*out = (char)e;
		(*p)++;
		return 0;
	}
	if (ch == 'x' && digit_value((*p)[1], 16) >= 0) {
		for ((*p)++; n < 2 && digit_value(**p, 16) >= 0; n++, (*p)++)
			v = v * 16 + (unsigned)digit_value(**p, 16);
		*out = (char)v;
		return 0;
	}
	if (ch >= '0' && ch <= '7') {
		for (; n < 3 && **p >= '0' && **p <= '7'; n++, (*p)++)
			v = v * 8 + (unsigned)(**p - '0');
		if (v > 255)
			return fail(c, "octal escape out of range");
		*out = (char)v;
		return 0;
	}
	return fail(c, "bad escape '\\%c'", ch ? ch : '0');
}

/*
 * A quoted string at the cursor, decoded into storage owned by the call;
 * "..." after the closing quote marks strace's truncation.
 */
static int parse_string(struct cursor *c, const char **s, size_t *len,
			bool *trunc)
{
	const char *p = c->p + 1, *end = p;
	char *out;
	size_t n = 0;

	while (*end && *end != '"')
		end += (*end == '\\' && end[1]) ? 2 : 1;
	if (*end != '"')
		return fail(c, "unterminated string");
	out = sys_call_alloc(c->call, (size_t)(end - p));
	if (!out)
		return fail(c, "out of memory");
	while (p < end) {
		if (*p != '\\') {
			out[n++] = *p++;
			continue;
		}
		p++;
		if (unescape(c, &p, &out[n++]))
			return -1;
	}
	out[n] = 0;
	c->p = end + 1;
	*trunc = !strncmp(c->p, "...", 3);
	if (*trunc)
		c->p += 3;
	*s = out;
	*len = n;
	return 0;
}

/* Copy [from, to) into the call's storage as the argument's text. */
static int keep_text(struct cursor *c, struct mmt_sys_argval *val,
		     const char *from, const char *to)
{
	char *s = sys_call_alloc(c->call, (size_t)(to - from));

	if (!s)
		return fail(c, "out of memory");
	memcpy(s, from, (size_t)(to - from));
	s[to - from] = 0;
	val->str = s;
	val->len = (size_t)(to - from);
	val->flags |= MMT_SYS_VAL_STR;
	return 0;
}

/* The end of the bracketed group at @p ("{...}", "[...]"), strings and
 * nesting respected; NULL when unbalanced or too deep. */
static const char *group_end(struct cursor *c, const char *p)
{
	char stack[SYS_MAX_DEPTH];
	unsigned depth = 0;

	for (; *p; p++) {
		char ch = *p;

		if (ch == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (!*p)
				break;
		} else if (ch == '{' || ch == '[' || ch == '(') {
			if (depth == SYS_MAX_DEPTH) {
				fail(c, "nesting too deep");
				return NULL;
			}
			stack[depth++] = ch == '{' ? '}' : ch == '[' ? ']' : ')';
		} else if (ch == '}' || ch == ']' || ch == ')') {
			if (!depth || stack[depth - 1] != ch)
				break;
			if (--depth == 0)
				return p + 1;
		}
	}
	fail(c, "unbalanced brackets");
	return NULL;
}

/* A pointer argument: NULL, a number, or strace's decoded text (kept). */
static int parse_ptr(struct cursor *c, uint64_t *v, struct mmt_sys_argval *val)
{
	const char *start = c->p, *end;

	if (*c->p != '{' && *c->p != '[')
		return parse_addr(c, v);
	end = group_end(c, c->p);
	if (!end)
		return -1;
	/* clone3's "{...} => {parent_tid=[5568]}": the value on return */
	if (!strncmp(end, " => ", 4) && (end[4] == '{' || end[4] == '[')) {
		end = group_end(c, end + 4);
		if (!end)
			return -1;
	}
	c->p = end;
	*v = 0;
	return keep_text(c, val, start, end);
}

/* An fd, with strace -y's "<path>" after it. */
static int parse_fd(struct cursor *c, enum mmt_sys_argtype type, uint64_t *v,
		    struct mmt_sys_argval *val)
{
	const char *start, *q;

	if (type == MMT_SYS_ARG_DIRFD && is_ident(*c->p, true))
		return parse_flags(c, type, v);
	if (parse_number(c, v))
		return -1;
	if (*c->p != '<')
		return 0;
	start = c->p + 1;
	/* the path ends at a '>' that ends the argument */
	for (q = start; *q; q++)
		if (*q == '>' && (q[1] == ',' || q[1] == ')' || !q[1] ||
				  q[1] == ' '))
			break;
	if (!*q)
		return fail(c, "unterminated fd path");
	c->p = q + 1;
	return keep_text(c, val, start, q);
}

static int parse_path(struct cursor *c, uint64_t *v,
		      struct mmt_sys_argval *val)
{
	bool trunc;

	if (*c->p != '"')
		return parse_addr(c, v);
	if (parse_string(c, &val->str, &val->len, &trunc))
		return -1;
	val->flags |= MMT_SYS_VAL_STR | (trunc ? MMT_SYS_VAL_TRUNC : 0);
	*v = 0;
	return 0;
}

/* Grow a pair of temporary arrays; -1 when out of memory. */
static int strv_grow(const char ***sv, size_t **lv, size_t *cap)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	const char **ns = realloc(*sv, ncap * sizeof(**sv));
	size_t *nl;

	if (!ns)
		return -1;
	*sv = ns;
	nl = realloc(*lv, ncap * sizeof(**lv));
	if (!nl)
		return -1;
	*lv = nl;
	*cap = ncap;
	return 0;
}

/* Move the collected strings into the call's storage. */
static int strv_keep(struct cursor *c, struct mmt_sys_argval *val,
		     const char **sv, size_t *lv, size_t n)
{
	const char **s = sys_call_alloc(c->call, (n + 1) * sizeof(*s));
	size_t *l = sys_call_alloc(c->call, (n + 1) * sizeof(*l));

	if (!s || !l)
		return fail(c, "out of memory");
	if (n) {
		memcpy(s, sv, n * sizeof(*s));
		memcpy(l, lv, n * sizeof(*l));
	}
	s[n] = NULL;
	val->strv = s;
	val->strv_len = l;
	val->nstr = n;
	val->flags |= MMT_SYS_VAL_STRV;
	return 0;
}

/* '[' ["str" {", " "str"}] [", ..." | "..."] ']' */
static int parse_strv_list(struct cursor *c, struct mmt_sys_argval *val)
{
	const char **sv = NULL;
	size_t *lv = NULL, n = 0, cap = 0;
	int r = -1;
	bool trunc;

	c->p++;
	while (*c->p != ']') {
		if (n && !strncmp(c->p, ", ", 2))
			c->p += 2;
		else if (n)
			goto out_msg;
		if (!strncmp(c->p, "...", 3)) {
			c->p += 3;
			val->flags |= MMT_SYS_VAL_STRV_TRUNC;
			if (*c->p != ']')
				goto out_msg;
			break;
		}
		if (*c->p != '"')
			goto out_msg;
		if (n == cap && strv_grow(&sv, &lv, &cap)) {
			fail(c, "out of memory");
			goto out;
		}
		if (parse_string(c, &sv[n], &lv[n], &trunc))
			goto out;
		n++;
	}
	c->p++;
	r = strv_keep(c, val, sv, lv, n);
	goto out;
out_msg:
	fail(c, "expected a string, \"...\" or ']'");
out:
	free(sv);
	free(lv);
	return r;
}

/* argv/envp: an array, or an address with strace's "N vars" comment. */
static int parse_strv(struct cursor *c, uint64_t *v,
		      struct mmt_sys_argval *val)
{
	const char *q;
	uint64_t nv;

	if (*c->p == '[') {
		*v = 0;
		if (parse_strv_list(c, val))
			return -1;
	} else if (parse_addr(c, v)) {
		return -1;
	}
	q = c->p;
	if (strncmp(q, " /* ", 4))
		return 0;
	c->p = q + 4;
	if (parse_number(c, &nv) || nv > UINT32_MAX)
		return fail(c, "expected a count of vars");
	if (strncmp(c->p, " vars */", 8) && strncmp(c->p, " var */", 7))
		return fail(c, "expected \"vars */\"");
	c->p += c->p[4] == 's' ? 8 : 7;
	val->nvars = (unsigned)nv;
	val->flags |= MMT_SYS_VAL_VARS;
	return 0;
}

/* One argument of @type into raw slot value @v and extras @val. */
static int parse_arg(struct cursor *c, enum mmt_sys_argtype type, uint64_t *v,
		     struct mmt_sys_argval *val)
{
	switch (type) {
	case MMT_SYS_ARG_ADDR:
		return parse_addr(c, v);
	case MMT_SYS_ARG_PTR:
		return parse_ptr(c, v, val);
	case MMT_SYS_ARG_ULONG:
	case MMT_SYS_ARG_INT:
	case MMT_SYS_ARG_PID:
	case MMT_SYS_ARG_HEX:
		return parse_number(c, v);
	case MMT_SYS_ARG_PGOFF:
		if (parse_number(c, v))
			return -1;
		if (*v & 4095)
			return fail(c, "offset not a multiple of 4096");
		*v >>= 12;
		return 0;
	case MMT_SYS_ARG_FD:
	case MMT_SYS_ARG_DIRFD:
		return parse_fd(c, type, v, val);
	case MMT_SYS_ARG_PATH:
		return parse_path(c, v, val);
	case MMT_SYS_ARG_ARGV:
	case MMT_SYS_ARG_ENVP:
		return parse_strv(c, v, val);
	default:
		return parse_flags(c, type, v);
	}
}

/* Store @v in @slot, in the ABI's word size; signed words stay signed. */
static void set_arg(struct mmt_sys_call *call, enum mmt_sys_argtype type,
		    unsigned slot, uint64_t v)
{
	if (type == MMT_SYS_ARG_INT || type == MMT_SYS_ARG_PID ||
	    type == MMT_SYS_ARG_FD || type == MMT_SYS_ARG_DIRFD)
		v = (uint64_t)(int64_t)(int32_t)v;
	else
		v &= sys_abi_mask(call->abi);
	call->args[slot] = v;
}

/* Between arguments: ", " or the closing ')'.  1 at ')', 0 at ','. */
static int next_sep(struct cursor *c)
{
	if (*c->p == ')') {
		c->p++;
		return 1;
	}
	if (*c->p != ',')
		return fail(c, "expected ',' or ')'");
	c->p++;
	skip_spaces(c);
	return 0;
}

static const struct mmt_sys_argdesc *keyword_arg(const struct mmt_syscall *e,
						 const char *name, size_t n)
{
	for (unsigned i = 0; i < e->nargs; i++)
		if (strlen(e->args[i].name) == n &&
		    !memcmp(e->args[i].name, name, n))
			return &e->args[i];
	return NULL;
}

/* clone's "name=value, ..." arguments, in any order. */
static int parse_keyword_args(struct cursor *c, const struct mmt_syscall *e)
{
	char buf[64];
	int r;

	if (*c->p == ')') {
		c->p++;
		return 0;
	}
	do {
		size_t n = ident_len(c->p);
		const struct mmt_sys_argdesc *a = keyword_arg(e, c->p, n);

		c->argno++;
		if (!a || c->p[n] != '=')
			return fail(c, "expected one of %s's name=value "
				    "arguments, got '%s'", e->name,
				    excerpt(c->p, n ? n : strlen(c->p), buf,
					    sizeof(buf)));
		c->p += n + 1;
		if (parse_arg(c, (enum mmt_sys_argtype)a->type,
			      &c->call->args[a->slot], &c->call->val[a->slot]))
			return -1;
		set_arg(c->call, (enum mmt_sys_argtype)a->type, a->slot,
			c->call->args[a->slot]);
	} while ((r = next_sep(c)) == 0);
	return r < 0 ? -1 : 0;
}

/* Positional arguments; trailing conditional ones may be left out. */
static int parse_positional(struct cursor *c, const struct mmt_syscall *e)
{
	unsigned i = 0;
	int r;

	if (*c->p == ')') {
		c->p++;
		goto done;
	}
	do {
		const struct mmt_sys_argdesc *a;

		if (i == e->nargs) {
			c->argno = 0;
			return fail(c, "too many arguments (%u expected)",
				    e->nargs);
		}
		a = &e->args[i++];
		c->argno = i;
		if (parse_arg(c, (enum mmt_sys_argtype)a->type,
			      &c->call->args[a->slot], &c->call->val[a->slot]))
			return -1;
		set_arg(c->call, (enum mmt_sys_argtype)a->type, a->slot,
			c->call->args[a->slot]);
	} while ((r = next_sep(c)) == 0);
	if (r < 0)
		return -1;
done:
	c->argno = 0;
	if (i < e->nargs && !e->args[i].cond)
		return fail(c, "too few arguments (%u of %u)", i, e->nargs);
	return 0;
}

/* A call not in the table: "syscall_0x1ce(0x1, 0x2)". */
static int parse_raw_args(struct cursor *c)
{
	unsigned i = 0;
	int r;

	if (*c->p == ')') {
		c->p++;
		return 0;
	}
	do {
		if (i == MMT_SYS_MAX_ARGS) {
			c->argno = 0;
			return fail(c, "too many arguments");
		}
		c->argno = i + 1;
		if (parse_addr(c, &c->call->args[i]))
			return -1;
		c->call->args[i] &= sys_abi_mask(c->call->abi);
		c->call->nargs = ++i;
	} while ((r = next_sep(c)) == 0);
	c->argno = 0;
	return r < 0 ? -1 : 0;
}

/* A bracketed annotation after the result, "(PER_LINUX)", skipped. */
static int skip_note(struct cursor *c)
{
	const char *end;

	skip_spaces(c);
	if (*c->p != '(' && *c->p != '<')
		return 0;
	if (*c->p == '<') {	/* "<unavailable>" */
		end = strchr(c->p, '>');
		if (!end)
			return fail(c, "expected '>'");
		c->p = end + 1;
		return 0;
	}
	end = group_end(c, c->p);
	if (!end)
		return -1;
	c->p = end;
	return 0;
}

/* "= ?", "= 0x7f..", "= 5", "= -1 ENOMEM (Cannot allocate memory)",
 * "= ? ERESTARTSYS (To be restarted ...)". */
static int parse_result(struct cursor *c)
{
	struct mmt_sys_call *call = c->call;
	uint64_t v;
	size_t n;
	char name[64];

	skip_spaces(c);
	call->has_ret = true;
	if (*c->p == '?') {
		c->p++;
		call->ret_unknown = true;
	} else {
		if (parse_number(c, &v))
			return -1;
		call->ret = (int64_t)v;
	}
	skip_spaces(c);
	n = ident_len(c->p);
	if (n && c->p[0] == 'E') {
		snprintf(name, sizeof(name), "%.*s", (int)(n < 63 ? n : 63),
			 c->p);
		call->err = mmt_errno_by_name(name);
		if (!call->err)
			return fail(c, "unknown errno '%s'", name);
		c->p += n;
	}
	return skip_note(c);
}

/* The name at the start: a table entry, or strace's "syscall_0x1ce". */
static int parse_name(struct cursor *c, enum mmt_abi abi)
{
	size_t n = ident_len(c->p);
	char name[64], buf[64];
	struct cursor tmp;
	uint64_t nr;

	if (!n)
		return fail(c, "expected a syscall name");
	snprintf(name, sizeof(name), "%.*s", (int)(n < 63 ? n : 63), c->p);
	c->call->entry = n < 63 ? mmt_sys_by_name(abi, name) : NULL;
	if (c->call->entry) {
		c->name = c->call->entry->name;
		c->call->nr = (unsigned)c->call->entry->nr[abi];
		c->p += n;
		return 0;
	}
	if (!strncmp(c->p, "syscall_0x", 10)) {
		tmp = *c;
		tmp.p += 8;
		if (!parse_number(&tmp, &nr) && nr < 4096 && tmp.p == c->p + n) {
			c->call->nr = (unsigned)nr;
			c->call->entry = mmt_sys_by_nr(abi, (unsigned)nr);
			c->name = "syscall";
			c->p += n;
			return 0;
		}
	}
	return fail(c, "unknown syscall '%s'", excerpt(c->p, n, buf,
						       sizeof(buf)));
}

static int parse_call(struct cursor *c, enum mmt_abi abi)
{
	const struct mmt_syscall *e;

	skip_spaces(c);
	if (parse_name(c, abi))
		return -1;
	if (*c->p != '(')
		return fail(c, "expected '(' after the name");
	c->p++;
	e = c->call->entry;
	c->call->nargs = e ? MMT_SYS_MAX_ARGS : 0;
	/* strace prints a call it has no decoder for (an older strace and a
	 * newer call: mseal as syscall_0x1ce) with all six raw registers */
	if (!e || !strcmp(c->name, "syscall")) {
		if (parse_raw_args(c))
			return -1;
		if (e)
			c->call->nargs = MMT_SYS_MAX_ARGS;
	} else if ((e->flags & MMT_SYS_KEYWORD) ? parse_keyword_args(c, e)
						: parse_positional(c, e)) {
		return -1;
	}
	skip_spaces(c);
	if (*c->p == '=') {
		c->p++;
		if (parse_result(c))
			return -1;
		skip_spaces(c);
	}
	if (*c->p && *c->p != '\n' && *c->p != '\r') {
		char buf[64];

		return fail(c, "unexpected '%s' after the call",
			    excerpt(c->p, strlen(c->p), buf, sizeof(buf)));
	}
	return 0;
}

int mmt_sys_parse_call(const char *text, enum mmt_abi abi,
		       struct mmt_sys_call *call, char *err, size_t errlen)
{
	struct cursor c = { .p = text, .call = call, .err = err,
			    .errlen = errlen };

	memset(call, 0, sizeof(*call));
	if (errlen)
		err[0] = 0;
	if ((unsigned)abi >= MMT_NR_ABIS) {
		snprintf(err, errlen, "unknown ABI");
		return -1;
	}
	call->abi = abi;
	if (!text || parse_call(&c, abi)) {
		if (!text)
			snprintf(err, errlen, "no text");
		mmt_sys_call_release(call);
		return -1;
	}
	return 0;
}
