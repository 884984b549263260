/* SPDX-License-Identifier: MIT */
/*
 * mmtwin/script.h - the scenario runner.
 *
 * A scenario is a line-oriented script: '#' starts a comment, each line is
 * one operation "NAME ARG...".  `machine --arch x86_32 --mem 2G` (or
 * `machine arch=x86_32 mem=2G`) configures the next machine, which boots on
 * first use; `show VIEW` prints a view.  Subsystems extend the language by
 * adding a command table to the list in src/script/script_tables.c.
 * Errors name the file, the line and what was expected.
 *
 * Commands that create an object bind it to a NAME in the script's typed
 * name table (src/script/names.h); the allocators know nothing of names.
 */
#ifndef MMTWIN_SCRIPT_H
#define MMTWIN_SCRIPT_H

#ifdef __cplusplus
extern "C" {
#endif

#include "machine.h"
#include "render.h"

#define MMT_SCRIPT_MAX_ARGS 32

struct mmt_script_names;

struct mmt_script {
	struct mmt_config cfg;		/* next machine's configuration */
	struct mmt_config base;		/* what "machine" options start from */
	uint64_t mem_limit;		/* refuse larger machines; 0: none */
	struct mmt_machine *m;		/* booted machine, or NULL */
	FILE *out;
	const char *file;
	unsigned line;
	enum mmt_format fmt;
	char err[512];
	/* names bound on machine m (NULL until the first); cleared with m */
	struct mmt_script_names *names;
};

typedef int (*mmt_script_fn)(struct mmt_script *s, int argc, char **argv);

struct mmt_script_cmd {
	const char *name;
	const char *usage;
	const char *summary;
	mmt_script_fn fn;
};

/* NULL-terminated list of NULL-name-terminated command tables. */
extern const struct mmt_script_cmd *const mmt_script_tables[];
extern const struct mmt_script_cmd mmt_script_cmds_core[];
extern const struct mmt_script_cmd mmt_script_cmds_phys[];	/* cmd_phys.c */
extern const struct mmt_script_cmd mmt_script_cmds_pgtable[];	/* cmd_pgtable.c */
extern const struct mmt_script_cmd mmt_script_cmds_kalloc[];	/* cmd_kalloc.c */
extern const struct mmt_script_cmd mmt_script_cmds_task[];	/* cmd_task.c */
extern const struct mmt_script_cmd mmt_script_cmds_fault[];	/* cmd_fault.c */
extern const struct mmt_script_cmd mmt_script_cmds_malloc[];	/* cmd_malloc.c */
extern const struct mmt_script_cmd mmt_script_cmds_exec[];	/* cmd_exec.c */

/* The booted machine (boots it on first use).  NULL + s->err on failure. */
struct mmt_machine *mmt_script_machine(struct mmt_script *s);
/* Set s->err ("expected ...") and return -1. */
int mmt_script_fail(struct mmt_script *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Run a script from @in.  Output goes to @out, a "file:line: message" to
 * @errf on the first error.  Returns 0 on success, 1 when a line fails
 * (bad command or arguments, an operation that fails), 2 when @in is not
 * a readable text script (a read error, binary data, a line longer than
 * 4094 bytes).  Never echoes a non-text byte.
 */
int mmt_script_run(FILE *in, const char *name, FILE *out, FILE *errf);
/* The same with @fmt as the default format of `show` and `explain`. */
int mmt_script_run_fmt(FILE *in, const char *name, enum mmt_format fmt,
		       FILE *out, FILE *errf);
int mmt_script_run_text(const char *text, const char *name, FILE *out,
			FILE *errf);

/*
 * How a caller other than the CLI runs scenarios.  The fuzz target keeps
 * machines small, since every input boots at least one.
 */
struct mmt_script_opts {
	/* the machine before any "machine" line, and what a "machine"
	 * line's options start from; NULL: the x86_64 profile's defaults */
	const struct mmt_config *defaults;
	/* refuse to boot a machine with more RAM (an error, as for a bad
	 * option); 0: no limit */
	uint64_t mem_limit;
	/* default format of `show` and `explain` */
	enum mmt_format fmt;
};
/* mmt_script_run/_text with @o (NULL: as without). */
int mmt_script_run_opts(FILE *in, const char *name, FILE *out, FILE *errf,
			const struct mmt_script_opts *o);
int mmt_script_run_text_opts(const char *text, const char *name, FILE *out,
			     FILE *errf, const struct mmt_script_opts *o);
void mmt_script_help(FILE *out);


#ifdef __cplusplus
}
#endif

#endif
