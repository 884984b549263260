// SPDX-License-Identifier: MIT
/*
 * The scenario runner: tokenise a line, look the first word up in the
 * command tables, run it.  The core commands live here; subsystems add
 * their own tables (src/core/script_tables.c).
 */
#include <mmtwin/explain.h>
#include <mmtwin/script.h>
#include <mmtwin/views.h>

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

int mmt_parse_machine_opt(struct mmt_config *c, int argc, char **argv,
			  int *i, enum mmt_format *fmt, char *err, size_t errlen)
{
	char key[64];
	const char *arg = argv[*i], *val = NULL, *eq;
	size_t klen;

	if (!strncmp(arg, "--", 2))
		arg += 2;
	eq = strchr(arg, '=');
	klen = eq ? (size_t)(eq - arg) : strlen(arg);
	if (klen == 0 || klen >= sizeof(key)) {
		snprintf(err, errlen, "bad option '%s'", argv[*i]);
		return -1;
	}
	memcpy(key, arg, klen);
	key[klen] = 0;
	if (eq)
		val = eq + 1;
	else if (strcmp(key, "kaslr") && strcmp(key, "no-kaslr") &&
		 strcmp(key, "json") && strcmp(key, "trace")) {
		if (*i + 1 >= argc) {
			snprintf(err, errlen, "option '%s' needs a value", key);
			return -1;
		}
		val = argv[++*i];
	}
	if (!strcmp(key, "json")) {
		if (fmt)
			*fmt = MMT_FMT_JSON;
		return 0;
	}
	if (!strcmp(key, "format")) {
		if (!strcmp(val, "json") && fmt)
			*fmt = MMT_FMT_JSON;
		else if (!strcmp(val, "text") && fmt)
			*fmt = MMT_FMT_TEXT;
		else {
			snprintf(err, errlen, "bad --format '%s': text or json",
				 val);
			return -1;
		}
		return 0;
	}
	return mmt_config_set(c, key, val, err, errlen);
}

/* ------------------------------------------------------------- commands */

static int cmd_machine(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_config c = s->base;

	for (int i = 1; i < argc; i++)
		if (mmt_parse_machine_opt(&c, argc, argv, &i, &s->fmt, s->err,
					  sizeof(s->err)))
			return -1;
	mmt_machine_free(s->m);
	s->m = NULL;
	s->cfg = c;
	return mmt_script_machine(s) ? 0 : -1;
}

static int cmd_show(struct mmt_script *s, int argc, char **argv)
{
	const struct mmt_view *v;
	enum mmt_format fmt = s->fmt;
	struct mmt_machine *m;

	if (argc < 2 || argc > 3)
		return mmt_script_fail(s, "expected 'show VIEW [json]'");
	v = mmt_view_find(argv[1]);
	if (!v)
		return mmt_script_fail(s, "unknown view '%s' (see 'mmtwin show "
				       "--help')", argv[1]);
	if (argc == 3) {
		if (strcmp(argv[2], "json") && strcmp(argv[2], "text"))
			return mmt_script_fail(s, "expected 'json' or 'text' "
					       "after the view name");
		fmt = !strcmp(argv[2], "json") ? MMT_FMT_JSON : MMT_FMT_TEXT;
	}
	m = mmt_script_machine(s);
	if (!m)
		return -1;
	return v->fn(m, s->out, fmt, s->err, sizeof(s->err));
}

static int cmd_explain(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m = mmt_script_machine(s);
	struct mmt_explain x;
	bool phys = argc == 3 && !strcmp(argv[1], "phys");
	uint64_t addr;
	int r;

	if (!m)
		return -1;
	if (argc != 2 && !phys)
		return mmt_script_fail(s, "expected 'explain ADDR' or "
				       "'explain phys ADDR'");
	if (mmt_parse_addr(argv[argc - 1], &addr))
		return mmt_script_fail(s, "expected an address, got '%s'",
				       argv[argc - 1]);
	r = phys ? mmt_explain_pa(m, addr, &x, s->err, sizeof(s->err))
		 : mmt_explain_va(m, addr, &x, s->err, sizeof(s->err));
	if (r)
		return -1;
	mmt_explain_print(m, &x, s->out, s->fmt);
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
	{ "machine", "machine [--arch A] [--mem SIZE] [--vmalloc SIZE] "
		     "[--vmsplit S] [--memmap SRC] [--nodes N] [--seed N]",
	  "configure and boot a new machine", cmd_machine },
	{ "show", "show VIEW [json]", "print a view of the machine", cmd_show },
	{ "explain", "explain ADDR | explain phys ADDR",
	  "what is at an address, and why", cmd_explain },
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
	for (unsigned t = 0; mmt_script_tables[t]; t++)
		for (const struct mmt_script_cmd *c = mmt_script_tables[t];
		     c->name; c++)
			fprintf(out, "  %-40s %s\n", c->usage, c->summary);
}

static int run_line(struct mmt_script *s, char *line)
{
	char *argv[MMT_SCRIPT_MAX_ARGS];
	const struct mmt_script_cmd *c;
	int argc, r = tokenize(line, argv, &argc);

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
	return 0;
}

/* ------------------------------------------------ runner with options */

int mmt_script_run_opts(FILE *in, const char *name, FILE *out, FILE *errf,
			const struct mmt_script_opts *o)
{
	struct mmt_script s;
	char line[4096];
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
	while (fgets(line, sizeof(line), in)) {
		s.line++;
		if (!strchr(line, '\n') && !feof(in)) {
			mmt_script_fail(&s, "line longer than %zu bytes",
					sizeof(line) - 2);
			ret = 1;
			break;
		}
		s.err[0] = 0;
		if (run_line(&s, line)) {
			ret = 1;
			break;
		}
	}
	if (ret)
		fprintf(errf, "%s:%u: %s\n", name, s.line, s.err);
	mmt_machine_free(s.m);
	return ret;
}

int mmt_script_run_text_opts(const char *text, const char *name, FILE *out,
			     FILE *errf, const struct mmt_script_opts *o)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	int r;

	if (!in) {
		fprintf(errf, "%s: cannot open script\n", name);
		return 1;
	}
	r = mmt_script_run_opts(in, name, out, errf, o);
	fclose(in);
	return r;
}

/* -------------------------------------------- end of runner with options */

int mmt_script_run(FILE *in, const char *name, FILE *out, FILE *errf)
{
	return mmt_script_run_opts(in, name, out, errf, NULL);
}

int mmt_script_run_text(const char *text, const char *name, FILE *out,
			FILE *errf)
{
	return mmt_script_run_text_opts(text, name, out, errf, NULL);
}
