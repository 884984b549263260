// SPDX-License-Identifier: MIT
/*
 * The scenario runner: tokenise a line, look the first word up in the
 * command tables, run it.  The core commands live here; subsystems add
 * their own tables (src/script/script_tables.c).
 */
#include "names.h"

#include <mmtwin/explain.h>
#include <mmtwin/mm.h>
#include <mmtwin/script.h>
#include <mmtwin/syscall.h>
#include <mmtwin/views.h>

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int mmt_script_fail(struct mmt_script *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* Tear the machine down; its names go with it (they describe only it). */
static void script_machine_free(struct mmt_script *s)
{
	mmt_script_names_clear(s);
	mmt_machine_free(s->m);
	s->m = NULL;
}

struct mmt_machine *mmt_script_machine(struct mmt_script *s)
{
	if (!s->m && s->mem_limit && s->cfg.mem_bytes > s->mem_limit) {
		mmt_script_fail(s, "--mem above %llu MiB is refused here",
				(unsigned long long)(s->mem_limit >> 20));
		return NULL;
	}
	if (!s->m)
		s->m = mmt_machine_new(&s->cfg, s->err, sizeof(s->err));
	return s->m;
}

/* ------------------------------------------------------------- commands */

static int cmd_machine(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_config c = s->base;

	for (int i = 1; i < argc; i++)
		if (mmt_parse_machine_opt(&c, argc, argv, &i, &s->fmt, s->err,
					  sizeof(s->err)))
			return -1;
	script_machine_free(s);
	s->cfg = c;
	return mmt_script_machine(s) ? 0 : -1;
}

/* show VIEW [PID [ARG]] [json|text] */
static int cmd_show(struct mmt_script *s, int argc, char **argv)
{
	const struct mmt_view *v;
	struct mmt_view_ctx c = { .out = s->out, .fmt = s->fmt, .err = s->err,
				  .errlen = sizeof(s->err) };
	const char *pid = NULL;
	int i;

	if (argc < 2 || argc > 5)
		return mmt_script_fail(s, "expected 'show VIEW [PID [ARG]] "
				       "[json]'");
	v = mmt_view_find(argv[1]);
	if (!v)
		return mmt_script_fail(s, "unknown view '%s' (see 'mmtwin show "
				       "--help')", argv[1]);
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "json") || !strcmp(argv[i], "text"))
			c.fmt = !strcmp(argv[i], "json") ? MMT_FMT_JSON
							 : MMT_FMT_TEXT;
		else if (!pid && i == 2)
			pid = argv[i];
		else if (pid && !c.arg && i == 3)
			c.arg = argv[i];
		else
			return mmt_script_fail(s, "expected 'json' or 'text' "
					       "after the view name, got '%s'",
					       argv[i]);
	}
	c.m = mmt_script_machine(s);
	if (!c.m)
		return -1;
	if ((v->flags & MMT_VIEW_TASK) && !pid) {
		c.task = mmt_task_current(c.m);
		if (!c.task)
			return mmt_script_fail(s, "view '%s' is per process: "
					       "give a PID (there is no "
					       "current process)", v->name);
	}
	return mmt_view_run(v, &c, pid);
}

static int cmd_explain(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m = mmt_script_machine(s);
	struct mmt_explain x;
	bool phys = argc == 3 && !strcmp(argv[1], "phys");
	bool pid = argc == 4 && !strcmp(argv[2], "--pid");
	const struct mmt_task *t = NULL;
	uint64_t addr, n;
	int r;

	if (!m)
		return -1;
	if (argc != 2 && !phys && !pid)
		return mmt_script_fail(s, "expected 'explain ADDR', 'explain "
				       "ADDR --pid N' or 'explain phys ADDR'");
	if (mmt_parse_addr(argv[pid ? 1 : argc - 1], &addr))
		return mmt_script_fail(s, "expected an address, got '%s'",
				       argv[pid ? 1 : argc - 1]);
	if (pid) {
		if (mmt_parse_addr(argv[3], &n) || n > INT32_MAX ||
		    !(t = mmt_task_find(m, (int)n)))
			return mmt_script_fail(s, "explain: no process '%s'",
					       argv[3]);
	}
	r = phys ? mmt_explain_pa(m, addr, &x, s->err, sizeof(s->err))
	    : t ? mmt_explain_task(m, t, addr, &x, s->err, sizeof(s->err))
		 : mmt_explain_va(m, addr, &x, s->err, sizeof(s->err));
	if (r)
		return -1;
	mmt_explain_print(m, &x, s->out, s->fmt);
	return 0;
}

static int cmd_check(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;
	char err[sizeof(s->err) - 32];

	(void)argv;
	if (argc != 1)
		return mmt_script_fail(s, "expected 'check'");
	m = mmt_script_machine(s);
	if (!m)
		return -1;
	if (mmt_machine_check(m, err, sizeof(err)))
		return mmt_script_fail(s, "invariant broken: %s", err);
	fprintf(s->out, "check: ok\n");
	return 0;
}

/*
 * The three bases kernel_randomize_memory() moves (x86_64), on one line,
 * so machines booted with different seeds can be compared row by row.
 */
static int cmd_kaslr(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;
	const struct mmt_layout *l;

	(void)argv;
	if (argc != 1)
		return mmt_script_fail(s, "expected 'kaslr'");
	m = mmt_script_machine(s);
	if (!m)
		return -1;
	if (!mmt_arch_is_64(m->cfg.arch))
		return mmt_script_fail(s, "kaslr: %s has no region KASLR "
				       "(x86_64 only)",
				       mmt_arch_name(m->cfg.arch));
	l = &m->layout;
	if (m->cfg.kaslr)
		fprintf(s->out, "KASLR seed %-6llu", (unsigned long long)m->cfg.seed);
	else
		fprintf(s->out, "KASLR off        ");
	fprintf(s->out, "  page_offset_base %#llx  vmalloc_base %#llx  "
		"vmemmap_base %#llx\n", (unsigned long long)l->page_offset,
		(unsigned long long)l->vmalloc_start,
		(unsigned long long)l->vmemmap_base);
	return 0;
}

static int cmd_echo(struct mmt_script *s, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		fprintf(s->out, "%s%s", argv[i], i + 1 < argc ? " " : "");
	fputc('\n', s->out);
	return 0;
}

const struct mmt_script_cmd mmt_script_cmds_core[] = {
	{ "machine", "machine [machine options]",
	  "configure and boot a new machine (the options of 'mmtwin show "
	  "--help': --arch --mem --vmalloc --vmsplit --memmap --nodes --cpus "
	  "--nr-cpus --kaslr --seed --trace --check)", cmd_machine },
	{ "show", "show VIEW [PID [ARG]] [json]", "print a view of the machine "
	  "(PID: of a per-process view; ARG: pagemap's START-END)", cmd_show },
	{ "explain", "explain ADDR [--pid N] | explain phys ADDR",
	  "what is at an address, and why (--pid: in that process: its VMA, "
	  "the initial stack's item)", cmd_explain },
	{ "check", "check", "run every invariant checker of the machine "
	  "(machine option --check: after every command)", cmd_check },
	{ "kaslr", "kaslr", "the direct map, vmalloc and vmemmap bases "
	  "(x86_64; randomised with --kaslr)", cmd_kaslr },
	{ "echo", "echo TEXT...", "print a line (narration)", cmd_echo },
	{ NULL, NULL, NULL, NULL }
};

/* ------------------------------------------------------------- runner */

/* Split @line in place; quotes group words.  -1 on an unclosed quote. */
static int tokenize(char *line, char **argv, int *argc)
{
	char *p = line, *o;

	*argc = 0;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			break;
		if (*argc >= MMT_SCRIPT_MAX_ARGS)
			return -2;
		argv[(*argc)++] = o = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' &&
		       *p != '\n') {
			if (*p == '"') {
				p++;
				while (*p && *p != '"')
					*o++ = *p++;
				if (*p != '"')
					return -1;
				p++;
			} else {
				*o++ = *p++;
			}
		}
		if (*p)
			p++;
		*o = 0;
	}
	return 0;
}

static const struct mmt_script_cmd *lookup(const char *name)
{
	for (unsigned t = 0; mmt_script_tables[t]; t++)
		for (const struct mmt_script_cmd *c = mmt_script_tables[t];
		     c->name; c++)
			if (!strcmp(c->name, name))
				return c;
	return NULL;
}

void mmt_script_help(FILE *out)
{
	fprintf(out, "Scenario commands (one per line, '#' comments):\n");
	fprintf(out, "  A NAME binds what the command creates; later commands "
		"take it wherever\n  its type fits (a PAGE is any alloc_page "
		"or alloc_pages block).  A freed\n  NAME may be bound again; "
		"'machine' forgets every name.\n"
		"  A line NAME(ARGS) is a system call in strace's notation, "
		"e.g.\n    mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
		"MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)\n  run through the syscall "
		"table in the current process (its ABI; without one, the\n  profile's) and printed as strace prints it, "
		"with the model's result (-ENOSYS: not modelled yet).\n");
	for (unsigned t = 0; mmt_script_tables[t]; t++)
		for (const struct mmt_script_cmd *c = mmt_script_tables[t];
		     c->name; c++)
			fprintf(out, "  %-40s %s\n", c->usage, c->summary);
}

/* --check: every invariant after each command that touched a machine. */
static int check_after(struct mmt_script *s, const char *cmd)
{
	char err[sizeof(s->err) - 64];

	if (mmt_machine_check(s->m, err, sizeof(err)))
		return mmt_script_fail(s, "invariant broken after '%s': %s",
				       cmd, err);
	return 0;
}

/*
 * A line in strace's notation, "NAME(" first: a system call.  The same
 * parser reads strace logs, so a line copied from `strace -y` runs as is
 * (its " = RET" part, if any, is what the real kernel returned).
 */
static const char *syscall_text(const char *line)
{
	const char *p = line;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
		return NULL;
	while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
	       *p == '_')
		p++;
	return *p == '(' ? line : NULL;
}

/* A call of the other ABI gets a clearer message than "unknown". */
static int other_abi_hint(struct mmt_script *s, const char *text,
			  enum mmt_abi abi)
{
	enum mmt_abi other = abi == MMT_ABI_I386 ? MMT_ABI_X86_64
						 : MMT_ABI_I386;
	char name[32];
	size_t n;

	text += strspn(text, " \t");
	n = strcspn(text, "(");
	if (n >= sizeof(name))
		return -1;
	memcpy(name, text, n);
	name[n] = 0;
	if (mmt_sys_by_name(abi, name) || !mmt_sys_by_name(other, name))
		return -1;	/* the parser's own message stands */
	return mmt_script_fail(s, "'%s' is a system call of the %s ABI; this "
			       "machine's tasks use %s", name,
			       other == MMT_ABI_I386 ? "i386" : "x86_64",
			       abi == MMT_ABI_I386 ? "i386" : "x86_64");
}

/*
 * Run one system call through the syscall table on the machine, with the
 * ABI of its profile (i386 on x86_32, x86_64 otherwise), and print it as
 * strace would, with the model's result.  A call the model does not
 * implement yet answers -ENOSYS, said so in a comment; a recorded result
 * that differs from the model's is shown beside it.
 */
static int run_syscall(struct mmt_script *s, const char *text)
{
	struct mmt_machine *m = mmt_script_machine(s);
	struct mmt_sys_ctx ctx = { .m = m };
	struct mmt_sys_call call;
	char buf[1024], logged[128] = "";
	int64_t r;
	size_t n;

	if (!m)
		return -1;
	n = strcspn(text, "\r\n");
	if (n >= sizeof(buf))
		return mmt_script_fail(s, "system call longer than %zu bytes",
				       sizeof(buf) - 1);
	memcpy(buf, text, n);
	buf[n] = 0;
	ctx.task = mmt_task_current(m);
	if (ctx.task)
		ctx.abi = mmt_task_sys_abi(ctx.task->abi);
	else
		ctx.abi = mmt_arch_is_64(m->cfg.arch) ? MMT_ABI_X86_64
						      : MMT_ABI_I386;
	if (mmt_sys_parse_call(buf, ctx.abi, &call, s->err, sizeof(s->err)))
		return other_abi_hint(s, buf, ctx.abi);
	if (call.has_ret) {
		struct mmt_sys_call rec = call;

		rec.nargs = 0;
		mmt_sys_format_call(logged, sizeof(logged), &rec, -1);
	}
	r = mmt_sys_dispatch(&ctx, &call);
	call.has_ret = true;
	call.ret_unknown = false;
	call.ret = r < 0 && r >= -4095 ? -1 : r;
	call.err = r < 0 && r >= -4095 ? (int)-r : 0;
	mmt_sys_format_call(buf, sizeof(buf), &call, 0);
	fprintf(s->out, "%s", buf);
	if (ctx.err[0])
		fprintf(s->out, "  # %s", ctx.err);
	if (logged[0] && strcmp(strrchr(logged, '=') ? strrchr(logged, '=') : "",
				strrchr(buf, '=') ? strrchr(buf, '=') : ""))
		fprintf(s->out, "  # recorded: %s", strrchr(logged, '='));
	fputc('\n', s->out);
	mmt_sys_call_release(&call);
	return 0;
}

static int run_line(struct mmt_script *s, char *line)
{
	char *argv[MMT_SCRIPT_MAX_ARGS];
	const struct mmt_script_cmd *c;
	int argc, r;

	if (syscall_text(line))
		return run_syscall(s, line);
	r = tokenize(line, argv, &argc);

	if (r == -1)
		return mmt_script_fail(s, "unclosed quote");
	if (r == -2)
		return mmt_script_fail(s, "too many words (at most %d)",
				       MMT_SCRIPT_MAX_ARGS);
	if (argc == 0)
		return 0;
	c = lookup(argv[0]);
	if (!c)
		return mmt_script_fail(s, "unknown command '%s' (expected one "
				       "of the commands in 'mmtwin run --help')",
				       argv[0]);
	if (c->fn(s, argc, argv)) {
		if (!s->err[0])
			mmt_script_fail(s, "usage: %s", c->usage);
		return -1;
	}
	return s->m && s->m->cfg.check ? check_after(s, argv[0]) : 0;
}

/*
 * Is @line (@len bytes, NULs included) text?  Tabs, CR and LF are the only
 * control bytes a script has; bytes >= 0x80 must form UTF-8 sequences.
 */
static bool line_is_text(const char *line, size_t len)
{
	const unsigned char *p = (const unsigned char *)line;

	for (size_t i = 0; i < len; i++) {
		unsigned n;

		if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\r' &&
		    p[i] != '\n')
			return false;
		if (p[i] == 0x7f)
			return false;
		if (p[i] < 0x80)
			continue;
		/* lead byte: how many continuation bytes follow */
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			n = 1;
		else if (p[i] >= 0xe0 && p[i] <= 0xef)
			n = 2;
		else if (p[i] >= 0xf0 && p[i] <= 0xf4)
			n = 3;
		else
			return false;
		if (i + n >= len)
			return false;
		for (; n; n--)
			if ((p[++i] & 0xc0) != 0x80)
				return false;
	}
	return true;
}

/* Longest line, newline excluded (the runner's historical 4 KiB buffer). */
#define MMT_SCRIPT_MAX_LINE 4094

int mmt_script_run_opts(FILE *in, const char *name, FILE *out, FILE *errf,
			const struct mmt_script_opts *o)
{
	struct mmt_script s;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int ret = 0;

	memset(&s, 0, sizeof(s));
	if (o && o->defaults)
		s.base = *o->defaults;
	else
		mmt_config_init(&s.base, MMT_ARCH_X86_64);
	s.mem_limit = o ? o->mem_limit : 0;
	s.cfg = s.base;
	s.out = out;
	s.file = name;
	s.fmt = o ? o->fmt : MMT_FMT_TEXT;
	while ((len = getline(&line, &cap, in)) > 0) {
		s.line++;
		if (!line_is_text(line, (size_t)len)) {
			mmt_script_fail(&s, "binary data at line %u: not a "
					"scenario script", s.line);
			ret = 2;
			break;
		}
		if ((size_t)len - (line[len - 1] == '\n') > MMT_SCRIPT_MAX_LINE) {
			mmt_script_fail(&s, "line longer than %d bytes",
					MMT_SCRIPT_MAX_LINE);
			ret = 2;
			break;
		}
		s.err[0] = 0;
		if (run_line(&s, line)) {
			ret = 1;
			break;
		}
	}
	if (!ret && ferror(in)) {
		mmt_script_fail(&s, "read error: %s", strerror(errno));
		ret = 2;
	}
	if (ret)
		fprintf(errf, "%s:%u: %s\n", name, s.line, s.err);
	free(line);
	script_machine_free(&s);
	return ret;
}

int mmt_script_run_fmt(FILE *in, const char *name, enum mmt_format fmt,
		       FILE *out, FILE *errf)
{
	struct mmt_script_opts o = { .fmt = fmt };

	return mmt_script_run_opts(in, name, out, errf, &o);
}

int mmt_script_run(FILE *in, const char *name, FILE *out, FILE *errf)
{
	return mmt_script_run_opts(in, name, out, errf, NULL);
}

int mmt_script_run_text_opts(const char *text, const char *name, FILE *out,
			     FILE *errf, const struct mmt_script_opts *o)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	int r;

	if (!in) {
		fprintf(errf, "%s: cannot open script\n", name);
		return 2;
	}
	r = mmt_script_run_opts(in, name, out, errf, o);
	fclose(in);
	return r;
}

int mmt_script_run_text(const char *text, const char *name, FILE *out,
			FILE *errf)
{
	return mmt_script_run_text_opts(text, name, out, errf, NULL);
}
