// SPDX-License-Identifier: MIT
/*
 * mmtwin(1) and the bash completion against the binary and the library, so
 * neither goes stale silently:
 *   - every command (`mmtwin --help`), view (mmt_views), machine option
 *     (`mmtwin layout|show|explain --help`, the keys mmt_config_set takes)
 *     and scenario command (mmt_script_tables) has an entry in
 *     docs/mmtwin.1, and every entry there still exists;
 *   - EXIT STATUS lists 0, 1 and 2, and the binary exits with them;
 *   - the completion (contrib/bash-completion/mmtwin, whose lists come from
 *     the binary's --help) offers every command, view, option and value.
 * An entry is the first word of the line after a ".TP" in the section,
 * with roff's "\-" read as "-".  The files are found from the working
 * directory `make check` runs in (the repository root) or below it.
 */
#include "test.h"

#include <ctype.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_WORDS 256

struct words {
	int n;
	char *w[MAX_WORDS];
};

static void words_add(struct words *ws, const char *s, size_t len)
{
	for (int i = 0; i < ws->n; i++)
		if (strlen(ws->w[i]) == len && !strncmp(ws->w[i], s, len))
			return;
	if (ws->n < MAX_WORDS)
		ws->w[ws->n++] = strndup(s, len);
}

static bool words_has(const struct words *ws, const char *s)
{
	for (int i = 0; i < ws->n; i++)
		if (!strcmp(ws->w[i], s))
			return true;
	return false;
}

static void words_free(struct words *ws)
{
	for (int i = 0; i < ws->n; i++)
		free(ws->w[i]);
	ws->n = 0;
}

/* @rel (e.g. "docs/mmtwin.1") from the repository root; its path in @path. */
static char *read_repo_file(const char *rel, char *path, size_t len)
{
	static const char *const up[] = { "", "../", "../../" };

	for (unsigned i = 0; i < sizeof(up) / sizeof(up[0]); i++) {
		char *text;

		snprintf(path, len, "%s%s", up[i], rel);
		text = test_read_file(path);
		if (text)
			return text;
	}
	return NULL;
}

/*
 * The text of section ".SH @title" of the page: from the line after the
 * heading to the next ".SH".  Malloc'd; NULL if there is no such section.
 */
static char *man_section(const char *page, const char *title)
{
	char head[80];
	const char *p, *end;

	snprintf(head, sizeof(head), "\n.SH %s\n", title);
	p = strstr(page, head);
	if (!p)
		return NULL;
	p += strlen(head);
	end = strstr(p, "\n.SH ");
	return strndup(p, end ? (size_t)(end - p) : strlen(p));
}

/*
 * The entries of a section: the first word of each line after ".TP",
 * past the font macro (.B, .BI, .BR ...) and an opening quote, with "\-"
 * read as "-".
 */
static void man_entries(const char *sec, struct words *out)
{
	for (const char *p = sec; (p = strstr(p, ".TP\n")); ) {
		char w[64];
		size_t n = 0;

		p += 4;
		if (*p == '.')
			while (*p && *p != ' ' && *p != '\n')
				p++;
		while (*p == ' ' || *p == '"')
			p++;
		while (*p && *p != ' ' && *p != '"' && *p != '\n' &&
		       n + 1 < sizeof(w)) {
			if (p[0] == '\\' && p[1] == '-') {
				w[n++] = '-';
				p += 2;
			} else if (*p == '\\') {
				break;
			} else {
				w[n++] = *p++;
			}
		}
		if (n)
			words_add(out, w, n);
	}
}

/* The first word of each "  word ..." line under heading @head in @text. */
static void help_list(const char *text, const char *head, struct words *out)
{
	const char *p = strstr(text, head);

	if (!p)
		return;
	p = strchr(p, '\n');
	while (p && p[1] == ' ' && p[2] == ' ' && p[3] != ' ') {
		const char *w = p + 3, *e = w;

		while (*e && !isspace((unsigned char)*e))
			e++;
		words_add(out, w, (size_t)(e - w));
		p = strchr(e, '\n');
	}
}

/* Every "--word" in @text (from @from on, if it occurs). */
static void help_options(const char *text, const char *from,
			 struct words *out)
{
	const char *p = from && strstr(text, from) ? strstr(text, from) : text;

	for (; (p = strstr(p, "--")); p += 2) {
		const char *e = p + 2;

		if (p > text && !isspace((unsigned char)p[-1]) && p[-1] != '[')
			continue;
		while (islower((unsigned char)*e) || isdigit((unsigned char)*e) ||
		       *e == '-')
			e++;
		if (e > p + 2)
			words_add(out, p, (size_t)(e - p));
	}
}

/* Run `mmtwin ARGS`; its output's words as help_list/help_options see them. */
static char *cli_help(const char *args)
{
	char *out = NULL;

	CHECK_EQ(test_run_cli(args, &out), 0);
	return out ? out : strdup("");
}

struct page {
	char *text, *synopsis, *commands, *views, *options, *scenario, *exits;
	struct words cmd_e, view_e, opt_e, scen_e, exit_e;
};

static bool page_load(struct page *pg)
{
	char path[256];

	memset(pg, 0, sizeof(*pg));
	pg->text = read_repo_file("docs/mmtwin.1", path, sizeof(path));
	CHECK(pg->text);
	if (!pg->text)
		return false;
	pg->synopsis = man_section(pg->text, "SYNOPSIS");
	pg->commands = man_section(pg->text, "COMMANDS");
	pg->views = man_section(pg->text, "VIEWS");
	pg->options = man_section(pg->text, "MACHINE OPTIONS");
	pg->scenario = man_section(pg->text, "SCENARIO LANGUAGE");
	pg->exits = man_section(pg->text, "EXIT STATUS");
	CHECK(pg->synopsis && pg->commands && pg->views && pg->options && pg->scenario &&
	      pg->exits);
	if (!pg->synopsis || !pg->commands || !pg->views || !pg->options || !pg->scenario ||
	    !pg->exits)
		return false;
	man_entries(pg->commands, &pg->cmd_e);
	man_entries(pg->views, &pg->view_e);
	man_entries(pg->options, &pg->opt_e);
	man_entries(pg->scenario, &pg->scen_e);
	man_entries(pg->exits, &pg->exit_e);
	return true;
}

static void page_free(struct page *pg)
{
	free(pg->text);
	free(pg->synopsis);
	free(pg->commands);
	free(pg->views);
	free(pg->options);
	free(pg->scenario);
	free(pg->exits);
	words_free(&pg->cmd_e);
	words_free(&pg->view_e);
	words_free(&pg->opt_e);
	words_free(&pg->scen_e);
	words_free(&pg->exit_e);
}

#define CHECK_DOC(cond, what, name) do { if (!(cond)) \
	test_fail(__FILE__, __LINE__, "docs/mmtwin.1: %s '%s'", what, name); \
	} while (0)

TEST(manpage_header_and_synopsis)
{
	struct page pg;
	char *out = NULL;

	if (!page_load(&pg))
		return;
	CHECK(strstr(pg.text, "\n.TH MMTWIN 1 "));
	CHECK_DOC(strstr(pg.text, "\"mmtwin " MMTWIN_VERSION "\""),
		  ".TH without the version", MMTWIN_VERSION);
	for (const char *s = "NAME\0SYNOPSIS\0DESCRIPTION\0FILES\0EXAMPLES\0"
			     "SEE ALSO\0"; *s; s += strlen(s) + 1) {
		char *sec = man_section(pg.text, s);

		CHECK_DOC(sec, "no section", s);
		free(sec);
	}
	CHECK(strstr(pg.text, ".BR proc (5)"));
	CHECK_EQ(test_run_cli("--version", &out), 0);
	CHECK_STR(out, "mmtwin " MMTWIN_VERSION "\n");
	free(out);
	page_free(&pg);
}

TEST(manpage_commands)
{
	struct page pg;
	struct words cmds = { 0 }, opts = { 0 };
	char *help;

	if (!page_load(&pg))
		return;
	help = cli_help("--help");
	help_list(help, "Commands:", &cmds);
	CHECK(cmds.n >= 5);
	for (int i = 0; i < cmds.n; i++) {
		char *sub, args[96];

		CHECK_DOC(words_has(&pg.cmd_e, cmds.w[i]), "no command",
			  cmds.w[i]);
		snprintf(args, sizeof(args), "\n.B %s\n", cmds.w[i]);
		CHECK_DOC(strstr(pg.synopsis, args), "no synopsis for",
			  cmds.w[i]);
		/* every option a command's --help names is documented */
		snprintf(args, sizeof(args), "%s --help", cmds.w[i]);
		sub = cli_help(args);
		if (strcmp(cmds.w[i], "run") && strcmp(cmds.w[i], "demo"))
			help_options(sub, NULL, &opts);	/* run/demo: scripts */
		free(sub);
	}
	CHECK(words_has(&pg.cmd_e, "--version"));
	CHECK(words_has(&pg.cmd_e, "--help"));
	for (int i = 0; i < opts.n; i++)
		CHECK_DOC(words_has(&pg.opt_e, opts.w[i]) ||
			  words_has(&pg.cmd_e, opts.w[i]),
			  "no option", opts.w[i]);
	/* and every entry is a command or an option of one */
	for (int i = 0; i < pg.cmd_e.n; i++)
		CHECK_DOC(words_has(&cmds, pg.cmd_e.w[i]) ||
			  words_has(&opts, pg.cmd_e.w[i]) ||
			  !strcmp(pg.cmd_e.w[i], "--version") ||
			  !strcmp(pg.cmd_e.w[i], "--help"),
			  "entry for no command", pg.cmd_e.w[i]);
	free(help);
	words_free(&cmds);
	words_free(&opts);
	page_free(&pg);
}

TEST(manpage_views)
{
	struct page pg;
	struct words listed = { 0 };
	char *help;

	if (!page_load(&pg))
		return;
	for (const struct mmt_view *v = mmt_views; v->name; v++)
		CHECK_DOC(words_has(&pg.view_e, v->name), "no view", v->name);
	for (int i = 0; i < pg.view_e.n; i++)
		CHECK_DOC(mmt_view_find(pg.view_e.w[i]), "no such view",
			  pg.view_e.w[i]);
	/* `show --help` lists the same table */
	help = cli_help("show --help");
	help_list(help, "Views:", &listed);
	for (const struct mmt_view *v = mmt_views; v->name; v++)
		CHECK(words_has(&listed, v->name));
	free(help);
	words_free(&listed);
	page_free(&pg);
}

/* The keys mmt_config_set() takes, each with a value it accepts. */
static const struct { const char *key, *val; } config_keys[] = {
	{ "arch", "x86_32" }, { "mem", "2G" }, { "vmalloc", "256M" },
	{ "vmsplit", "2G" }, { "memmap", "default" }, { "nodes", "2" },
	{ "cpus", "4" }, { "nr-cpus", "8" }, { "kaslr", NULL },
	{ "no-kaslr", NULL }, { "seed", "42" }, { "trace", NULL },
};

TEST(manpage_machine_options)
{
	struct page pg;
	struct words help_opts = { 0 };
	struct mmt_config c;
	char err[256], opt[64], *help, *out = NULL;

	if (!page_load(&pg))
		return;
	help = cli_help("layout --help");
	help_options(help, "Options:", &help_opts);
	CHECK(words_has(&help_opts, "--arch"));
	for (int i = 0; i < help_opts.n; i++)
		CHECK_DOC(words_has(&pg.opt_e, help_opts.w[i]),
			  "no machine option", help_opts.w[i]);
	mmt_config_init(&c, MMT_ARCH_X86_64);
	CHECK(mmt_config_set(&c, "frobnicate", "1", err, sizeof(err)) != 0);
	for (unsigned i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]);
	     i++) {
		mmt_config_init(&c, MMT_ARCH_X86_64);
		CHECK_DOC(!mmt_config_set(&c, config_keys[i].key,
					  config_keys[i].val, err, sizeof(err)),
			  "mmt_config_set refuses", config_keys[i].key);
		snprintf(opt, sizeof(opt), "--%s", config_keys[i].key);
		CHECK_DOC(words_has(&pg.opt_e, opt), "no machine option", opt);
	}
	/* every entry is an option the binary takes */
	for (int i = 0; i < pg.opt_e.n; i++) {
		const char *o = pg.opt_e.w[i];
		bool known = words_has(&help_opts, o);

		for (unsigned k = 0; !known &&
		     k < sizeof(config_keys) / sizeof(config_keys[0]); k++)
			known = !strncmp(o, "--", 2) &&
				!strcmp(o + 2, config_keys[k].key);
		if (!known && !strcmp(o, "--json")) {
			known = test_run_cli("show meminfo --json", &out) == 0 &&
				out && out[0] == '{';
			free(out);
		}
		CHECK_DOC(known, "entry for no option", o);
	}
	free(help);
	words_free(&help_opts);
	page_free(&pg);
}

TEST(manpage_scenario_commands)
{
	struct page pg;
	int n = 0;

	if (!page_load(&pg))
		return;
	for (unsigned t = 0; mmt_script_tables[t]; t++)
		for (const struct mmt_script_cmd *c = mmt_script_tables[t];
		     c->name; c++, n++)
			CHECK_DOC(words_has(&pg.scen_e, c->name),
				  "no scenario command", c->name);
	CHECK(n > 10);
	for (int i = 0; i < pg.scen_e.n; i++) {
		bool found = false;

		for (unsigned t = 0; mmt_script_tables[t] && !found; t++)
			for (const struct mmt_script_cmd *c =
			     mmt_script_tables[t]; c->name && !found; c++)
				found = !strcmp(c->name, pg.scen_e.w[i]);
		CHECK_DOC(found, "no such scenario command", pg.scen_e.w[i]);
	}
	page_free(&pg);
}

/* The statuses EXIT STATUS describes, one case of each. */
TEST(manpage_exit_status)
{
	static const struct { const char *args; int status; } cases[] = {
		{ "--help", 0 }, { "--version", 0 }, { "layout --help", 0 },
		{ "show meminfo --arch x86_32 --help", 0 }, { "demo --help", 0 },
		{ "", 2 }, { "frobnicate", 2 }, { "show", 2 },
		{ "show nosuchview", 2 }, { "layout --mem", 2 },
		{ "layout --arch mips", 2 }, { "layout extra", 2 },
		{ "explain zzz", 2 }, { "explain 0x100000000 --arch x86_32", 2 },
		{ "run", 2 }, { "run /nonexistent/script", 2 },
		{ "layout --memmap /nonexistent/memmap", 2 },
	};
	char script[] = "/tmp/mmtwin-manpage-XXXXXX", args[64], *out = NULL;
	struct page pg;
	int fd;

	if (!page_load(&pg))
		return;
	CHECK_EQ(pg.exit_e.n, 3);
	CHECK(words_has(&pg.exit_e, "0") && words_has(&pg.exit_e, "1") &&
	      words_has(&pg.exit_e, "2"));
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int st = test_run_cli(cases[i].args, &out);

		if (st != cases[i].status)
			test_fail(__FILE__, __LINE__, "mmtwin %s: exit %d, "
				  "expected %d", cases[i].args, st,
				  cases[i].status);
		free(out);
	}
	/* a scenario that fails at run time: 1 */
	fd = mkstemp(script);
	CHECK(fd >= 0);
	if (fd >= 0) {
		static const char text[] = "machine --arch x86_32\nbogus\n";

		CHECK_EQ(write(fd, text, sizeof(text) - 1), sizeof(text) - 1);
		close(fd);
		snprintf(args, sizeof(args), "run %s", script);
		CHECK_EQ(test_run_cli(args, &out), 1);
		CHECK(out && strstr(out, ":2: unknown command 'bogus'"));
		free(out);
		unlink(script);
	}
	page_free(&pg);
}

/*
 * Complete "mmtwin WORD..." (the last word is the one under the cursor)
 * with the completion script; the candidates, one a line.  NULL without
 * bash.
 */
static char *complete(const char *script, const char *const *words, int n)
{
	const char *bin = getenv("MMTWIN_BIN");
	char cmd[2048], *out = NULL;
	int len;

	len = snprintf(cmd, sizeof(cmd), "bash --norc --noprofile -c '"
		       ". \"$0\" && COMP_WORDS=(\"$@\") && "
		       "COMP_CWORD=$(($# - 1)) && _mmtwin && "
		       "printf \"%%s\\n\" \"${COMPREPLY[@]}\"' '%s' '%s'",
		       script, bin ? bin : "build/mmtwin");
	for (int i = 0; i < n && len > 0 && (size_t)len < sizeof(cmd); i++)
		len += snprintf(cmd + len, sizeof(cmd) - (size_t)len, " '%s'",
				words[i]);
	if (len <= 0 || (size_t)len >= sizeof(cmd))
		return NULL;
	FILE *p = popen(cmd, "r");
	size_t cap = 0;

	if (!p)
		return NULL;
	if (getdelim(&out, &cap, 0, p) < 0) {
		free(out);
		out = strdup("");
	}
	if (pclose(p) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

static bool has_line(const char *text, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (!strncmp(p, w, n) && (p[n] == '\n' || !p[n]))
			return true;
	return false;
}

#define CHECK_COMPLETES(out, w, after) do { if (!(out) || !has_line(out, w)) \
	test_fail(__FILE__, __LINE__, "completion of '%s' lacks '%s'", \
		  after, w); } while (0)

TEST(completion_follows_the_binary)
{
	char path[256], *script, *out, *help;
	struct words cmds = { 0 }, opts = { 0 };

	script = read_repo_file("contrib/bash-completion/mmtwin", path,
				sizeof(path));
	CHECK(script);
	if (!script)
		return;
	free(script);
	if (system("bash -c true >/dev/null 2>&1") != 0) {
		printf("    (no bash: the completion is not run)\n");
		return;
	}
	out = complete(path, (const char *const[]){ "" }, 1);
	help = cli_help("--help");
	help_list(help, "Commands:", &cmds);
	for (int i = 0; i < cmds.n; i++)
		CHECK_COMPLETES(out, cmds.w[i], "mmtwin");
	CHECK_COMPLETES(out, "--version", "mmtwin");
	free(out);
	free(help);

	out = complete(path, (const char *const[]){ "show", "" }, 2);
	for (const struct mmt_view *v = mmt_views; v->name; v++)
		CHECK_COMPLETES(out, v->name, "mmtwin show");
	free(out);

	out = complete(path, (const char *const[]){ "show", "meminfo", "--" },
		       3);
	help = cli_help("show --help");
	help_options(help, "Options:", &opts);
	CHECK(opts.n > 5);
	for (int i = 0; i < opts.n; i++)
		CHECK_COMPLETES(out, opts.w[i], "mmtwin show meminfo --");
	free(out);
	free(help);

	out = complete(path, (const char *const[]){ "layout", "--arch", "" },
		       3);
	for (int a = 0; a < MMT_NR_ARCHES; a++)
		CHECK_COMPLETES(out, mmt_arch_name((enum mmt_arch)a),
				"mmtwin layout --arch");
	free(out);
	out = complete(path, (const char *const[]){ "explain", "--format",
						     "" }, 3);
	CHECK_COMPLETES(out, "text", "--format");
	CHECK_COMPLETES(out, "json", "--format");
	free(out);
	out = complete(path, (const char *const[]){ "show", "--memmap", "" },
		       3);
	CHECK_COMPLETES(out, "default", "--memmap");
	CHECK_COMPLETES(out, "host", "--memmap");
	if (path == strstr(path, "contrib/"))	/* run from the root */
		CHECK_COMPLETES(out, "docs", "--memmap");	/* and FILE */
	free(out);
	out = complete(path, (const char *const[]){ "run", "doc" }, 2);
	if (path == strstr(path, "contrib/"))
		CHECK_COMPLETES(out, "docs", "mmtwin run");
	free(out);
	words_free(&cmds);
	words_free(&opts);
}
