// SPDX-License-Identifier: MIT
/*
 * Printing a decoded call the way `strace -y -v -s 65536` prints it.
 * The rules below were read off strace 6.1's output on this project's
 * machines (tests/data/strace/ holds the logs they are checked against):
 *   - flags: known names in ascending value, joined by '|', then the
 *     unknown rest as "|0x10"; with no known name "0x80 / * PROT_??? * /";
 *     0 is the table's zero name (PROT_NONE) or "0";
 *   - mmap flags: the type (MAP_PRIVATE, or "0x7 / * MAP_??? * /"), the
 *     flags, then the MAP_HUGE field as "|21<<MAP_HUGE_SHIFT";
 *   - strings: "..." with \" \\ \t \n \v \f \r, other bytes outside
 *     0x20..0x7e in octal, three digits when an octal digit follows;
 *   - the result: " = " at column 40 (at least one space before it).
 */
#include "kernel/syscall_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An snprintf-style sink: counts everything, stores what fits. */
struct sbuf {
	char *buf;
	size_t size;
	size_t len;
};

static void sb_put(struct sbuf *sb, const char *s, size_t n)
{
	if (sb->len < sb->size) {
		size_t room = sb->size - sb->len;

		memcpy(sb->buf + sb->len, s, n < room ? n : room);
	}
	sb->len += n;
}

static void sb_puts(struct sbuf *sb, const char *s)
{
	sb_put(sb, s, strlen(s));
}

static void sb_printf(struct sbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_put(sb, tmp, (size_t)n < sizeof(tmp) ? (size_t)n
			: sizeof(tmp) - 1);
}

static void sb_hex(struct sbuf *sb, uint64_t v)
{
	if (v)
		sb_printf(sb, "%#" PRIx64, v);
	else
		sb_puts(sb, "0");
}

static void sb_unknown(struct sbuf *sb, uint64_t v, const char *what)
{
	sb_printf(sb, "%#" PRIx64, v);
	if (what)
		sb_printf(sb, " /* %s */", what);
}

/* strace's printflags: known names, then the unknown rest. */
static void print_flags(struct sbuf *sb, const struct mmt_sys_xlat *x,
			uint64_t v, const char *unknown)
{
	unsigned n = 0;

	if (!v) {
		sb_puts(sb, x && x->name && x->val == 0 ? x->name : "0");
		return;
	}
	for (; x && x->name; x++) {
		if (!x->val || (v & x->val) != x->val)
			continue;
		if (n++)
			sb_puts(sb, "|");
		sb_puts(sb, x->name);
		v &= ~x->val;
	}
	if (n && v)
		sb_printf(sb, "|%#" PRIx64, v);
	else if (!n)
		sb_unknown(sb, v, unknown);
}

/* strace's printxval: one name, or the number and a "???" comment. */
static void print_value(struct sbuf *sb, const struct mmt_sys_xlat *x,
			uint64_t v, const char *unknown)
{
	for (; x && x->name; x++)
		if (x->val == v) {
			sb_puts(sb, x->name);
			return;
		}
	sb_unknown(sb, v, unknown);
}

static void print_map_flags(struct sbuf *sb, uint64_t v)
{
	uint64_t huge = v & SYS_MAP_HUGE_MASK;
	uint64_t rest = v & ~(SYS_MAP_TYPE | SYS_MAP_HUGE_MASK);

	print_value(sb, sys_map_type_xlat(), v & SYS_MAP_TYPE, "MAP_???");
	if (rest) {
		sb_puts(sb, "|");
		print_flags(sb, sys_typeinfo(MMT_SYS_ARG_MAP_FLAGS)->xlat, rest,
			    "MAP_???");
	}
	if (huge)
		sb_printf(sb, "|%" PRIu64 "<<MAP_HUGE_SHIFT",
			  huge >> SYS_MAP_HUGE_SHIFT);
}

/* clone()'s flags: CLONE_* names, then the exit signal in the low byte. */
static void print_clone_flags(struct sbuf *sb, uint64_t v)
{
	uint64_t flags = v & ~SYS_CSIGNAL;
	unsigned sig = (unsigned)(v & SYS_CSIGNAL);
	const char *name = sys_signal_name(sig);

	if (flags)
		print_flags(sb, sys_typeinfo(MMT_SYS_ARG_CLONE_FLAGS)->xlat,
			    flags, "CLONE_???");
	if (!sig) {
		if (!flags)
			sb_puts(sb, "0");
		return;
	}
	if (flags)
		sb_puts(sb, "|");
	if (name)
		sb_puts(sb, name);
	else
		sb_printf(sb, "%u", sig);
}

static void print_shmget_flags(struct sbuf *sb, uint64_t v)
{
	uint64_t flags = v & ~SYS_SHM_MODE;

	if (flags) {
		print_flags(sb, sys_typeinfo(MMT_SYS_ARG_SHMGET_FLAGS)->xlat,
			    flags, "IPC_???");
		sb_puts(sb, "|");
	}
	sb_printf(sb, "%#03o", (unsigned)(v & SYS_SHM_MODE));
}

static void print_personality(struct sbuf *sb, uint64_t v)
{
	uint64_t flags = v & ~SYS_PER_MASK;

	if (v == 0xffffffffULL) {	/* the query: strace prints it raw */
		sb_puts(sb, "0xffffffff");
		return;
	}
	print_value(sb, sys_per_type_xlat(), v & SYS_PER_MASK, "PER_???");
	if (flags) {
		sb_puts(sb, "|");
		print_flags(sb, sys_typeinfo(MMT_SYS_ARG_PERSONALITY)->xlat,
			    flags, NULL);
	}
}

/* One byte of a quoted string, as strace escapes it. */
static void print_char(struct sbuf *sb, unsigned char c, int next)
{
	static const char esc[] = "\"\"\\\\\ff\nn\rr\tt\vv";
	const char *e = c ? memchr(esc, c, sizeof(esc) - 1) : NULL;
	char ch = (char)c;

	if (e && (e - esc) % 2 == 0) {
		sb_puts(sb, "\\");
		sb_put(sb, e + 1, 1);
	} else if (c >= 0x20 && c < 0x7f) {
		sb_put(sb, &ch, 1);
	} else if (next >= '0' && next <= '7') {
		sb_printf(sb, "\\%03o", c);
	} else {
		sb_printf(sb, "\\%o", c);
	}
}

static void print_string(struct sbuf *sb, const char *s, size_t len,
			 bool trunc)
{
	sb_puts(sb, "\"");
	for (size_t i = 0; i < len; i++)
		print_char(sb, (unsigned char)s[i],
			   i + 1 < len ? (unsigned char)s[i + 1] : -1);
	sb_puts(sb, trunc ? "\"..." : "\"");
}

static void print_addr(struct sbuf *sb, uint64_t v)
{
	if (v)
		sb_printf(sb, "%#" PRIx64, v);
	else
		sb_puts(sb, "NULL");
}

static void print_strv(struct sbuf *sb, const struct mmt_sys_argval *val,
		       uint64_t v)
{
	if (!(val->flags & MMT_SYS_VAL_STRV)) {
		print_addr(sb, v);
	} else {
		sb_puts(sb, "[");
		for (size_t i = 0; i < val->nstr; i++) {
			if (i)
				sb_puts(sb, ", ");
			print_string(sb, val->strv[i], val->strv_len[i], false);
		}
		if (val->flags & MMT_SYS_VAL_STRV_TRUNC)
			sb_puts(sb, val->nstr ? ", ..." : "...");
		sb_puts(sb, "]");
	}
	if (val->flags & MMT_SYS_VAL_VARS)
		sb_printf(sb, " /* %u var%s */", val->nvars,
			  val->nvars == 1 ? "" : "s");
}

static void print_fd(struct sbuf *sb, const struct mmt_sys_argval *val,
		     uint64_t v)
{
	sb_printf(sb, "%d", (int)(int32_t)v);
	if (val->flags & MMT_SYS_VAL_STR) {
		sb_puts(sb, "<");
		sb_put(sb, val->str, val->len);
		sb_puts(sb, ">");
	}
}

/* The names-only types: flags or a value out of their table. */
static void print_named(struct sbuf *sb, enum mmt_sys_argtype type,
			uint64_t v)
{
	const struct sys_typeinfo *ti = sys_typeinfo(type);

	if (ti->style == SYS_STYLE_FLAGS)
		print_flags(sb, ti->xlat, v, ti->unknown);
	else if (ti->style == SYS_STYLE_VALUE && ti->unknown)
		print_value(sb, ti->xlat, v, ti->unknown);
	else if (type == MMT_SYS_ARG_SIGNAL && sys_signal_name((unsigned)v))
		sb_puts(sb, sys_signal_name((unsigned)v));
	else
		sb_printf(sb, "%" PRId64, (int64_t)v);
}

/* Print one argument of type @type, raw value @v, decoded extras @val. */
static void print_arg(struct sbuf *sb, enum mmt_sys_argtype type, uint64_t v,
		      const struct mmt_sys_argval *val)
{
	switch (type) {
	case MMT_SYS_ARG_ADDR:
		print_addr(sb, v);
		break;
	case MMT_SYS_ARG_PTR:
		if (val->flags & MMT_SYS_VAL_STR)
			sb_put(sb, val->str, val->len);
		else
			print_addr(sb, v);
		break;
	case MMT_SYS_ARG_ULONG:
		sb_printf(sb, "%" PRIu64, v);
		break;
	case MMT_SYS_ARG_INT:
	case MMT_SYS_ARG_PID:
		sb_printf(sb, "%d", (int)(int32_t)v);
		break;
	case MMT_SYS_ARG_HEX:
		sb_hex(sb, v);
		break;
	case MMT_SYS_ARG_PGOFF:
		sb_hex(sb, v << 12);
		break;
	case MMT_SYS_ARG_DIRFD:
		if ((int32_t)v == SYS_AT_FDCWD) {
			sb_puts(sb, "AT_FDCWD");
			break;
		}
		/* fall through */
	case MMT_SYS_ARG_FD:
		print_fd(sb, val, v);
		break;
	case MMT_SYS_ARG_MAP_FLAGS:
		print_map_flags(sb, v);
		break;
	case MMT_SYS_ARG_CLONE_FLAGS:
		print_clone_flags(sb, v);
		break;
	case MMT_SYS_ARG_SHMGET_FLAGS:
		print_shmget_flags(sb, v);
		break;
	case MMT_SYS_ARG_SHMCTL_CMD:
		if (v & SYS_IPC_64)
			sb_puts(sb, "IPC_64|");
		print_named(sb, type, v & ~SYS_IPC_64);
		break;
	case MMT_SYS_ARG_IPC_KEY:
		if (v)
			sb_printf(sb, "%#" PRIx64, v);
		else
			sb_puts(sb, "IPC_PRIVATE");
		break;
	case MMT_SYS_ARG_PERSONALITY:
		print_personality(sb, v);
		break;
	case MMT_SYS_ARG_PATH:
		if (val->flags & MMT_SYS_VAL_STR)
			print_string(sb, val->str, val->len,
				     val->flags & MMT_SYS_VAL_TRUNC);
		else
			print_addr(sb, v);
		break;
	case MMT_SYS_ARG_ARGV:
	case MMT_SYS_ARG_ENVP:
		print_strv(sb, val, v);
		break;
	default:
		print_named(sb, type, v);
		break;
	}
}

/* Is argument @a printed for this call (strace's conditional args)? */
static bool arg_shown(const struct mmt_sys_call *c,
		      const struct mmt_sys_argdesc *a)
{
	uint64_t v;

	if (!a->cond)
		return true;
	v = c->args[a->cond_slot];
	return a->cond_all ? (v & a->cond) == a->cond : (v & a->cond) != 0;
}

static void print_args(struct sbuf *sb, const struct mmt_sys_call *c)
{
	const struct mmt_syscall *e = c->entry;
	uint64_t mask = sys_abi_mask(c->abi);
	unsigned n = 0;

	if (!e) {	/* not in the table: strace's raw hex arguments */
		for (unsigned i = 0; i < c->nargs && i < MMT_SYS_MAX_ARGS; i++) {
			sb_puts(sb, i ? ", " : "");
			sb_hex(sb, c->args[i] & mask);
		}
		return;
	}
	for (unsigned i = 0; i < e->nargs; i++) {
		const struct mmt_sys_argdesc *a = &e->args[i];

		if (!arg_shown(c, a))
			continue;
		if (n++)
			sb_puts(sb, ", ");
		if (e->flags & MMT_SYS_KEYWORD)
			sb_printf(sb, "%s=", a->name);
		print_arg(sb, (enum mmt_sys_argtype)a->type,
			  c->args[a->slot] & mask, &c->val[a->slot]);
	}
}

static void print_ret(struct sbuf *sb, const struct mmt_sys_call *c)
{
	const char *name = mmt_errno_name(c->err);
	enum mmt_sys_ret kind = c->entry ? (enum mmt_sys_ret)c->entry->ret
					 : MMT_SYS_RET_INT;

	if (c->ret_unknown)
		sb_puts(sb, "?");
	else if (c->err)
		sb_puts(sb, "-1");
	else if (kind == MMT_SYS_RET_ADDR || !c->entry)
		sb_hex(sb, (uint64_t)c->ret & sys_abi_mask(c->abi));
	else
		sb_printf(sb, "%" PRId64, c->ret);
	if (c->err) {
		if (name)
			sb_printf(sb, " %s (%s)", name,
				  mmt_errno_message(c->err));
		else
			sb_printf(sb, " (errno %d)", c->err);
	} else if (!c->ret_unknown && kind == MMT_SYS_RET_PERSONALITY) {
		sb_puts(sb, " (");
		print_personality(sb, (uint64_t)c->ret);
		sb_puts(sb, ")");
	}
}

size_t mmt_sys_format_call(char *buf, size_t size,
			   const struct mmt_sys_call *c, int column)
{
	struct sbuf sb = { buf, size ? size - 1 : 0, 0 };

	if (c->entry)
		sb_puts(&sb, c->entry->name);
	else
		sb_printf(&sb, "syscall_%#x", c->nr);
	sb_puts(&sb, "(");
	print_args(&sb, c);
	sb_puts(&sb, ")");
	if (c->has_ret) {
		sb_puts(&sb, " ");
		/* strace pads to its column, counted from the line's start */
		while (column >= 0 &&
		       (size_t)column + sb.len < MMT_STRACE_ACOLUMN)
			sb_puts(&sb, " ");
		sb_puts(&sb, "= ");
		print_ret(&sb, c);
	}
	if (size)
		buf[sb.len < size ? sb.len : size - 1] = 0;
	return sb.len;
}

/* --- the call's storage --- */
void *sys_call_alloc(struct mmt_sys_call *call, size_t n)
{
	struct mmt_sys_blk *b;

	if (n > SIZE_MAX / 2)
		return NULL;
	b = malloc(sizeof(*b) + n + 1);
	if (!b)
		return NULL;
	b->next = call->mem;
	b->size = n;
	call->mem = b;
	return b->data;
}

void mmt_sys_call_release(struct mmt_sys_call *call)
{
	struct mmt_sys_blk *b = call->mem;

	while (b) {
		struct mmt_sys_blk *next = b->next;

		free(b);
		b = next;
	}
	memset(call, 0, sizeof(*call));
}

void mmt_sys_call_init(struct mmt_sys_call *call, enum mmt_abi abi,
		       const struct mmt_syscall *entry)
{
	memset(call, 0, sizeof(*call));
	call->abi = abi;
	call->entry = entry;
	if (entry && entry->nr[abi] >= 0)
		call->nr = (unsigned)entry->nr[abi];
	call->nargs = MMT_SYS_MAX_ARGS;
}
