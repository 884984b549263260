// SPDX-License-Identifier: MIT
/*
 * exec/binfmt_script.c - "#!" scripts (fs/binfmt_script.c, 6.18): the
 * first line of bprm->buf (256 bytes) names the interpreter and at most
 * one argument (everything after the name's first space or tab, trailing
 * blanks trimmed; truncated arguments are fine, a truncated name is
 * -ENOEXEC).  argv becomes: interpreter, [argument], the script's path
 * (as execve got it), argv[1...]; the interpreter is opened and the
 * handlers run again on it (exec_binprm: at most 5 levels, then -ELOOP).
 */
#include "exec/binfmt.h"

#include <errno.h>
#include <string.h>

static bool spacetab(char c)
{
	return c == ' ' || c == '\t';
}

/* The first non-blank in [first, last], or NULL. */
static const char *next_non_spacetab(const char *first, const char *last)
{
	for (; first <= last; first++)
		if (!spacetab(*first))
			return first;
	return NULL;
}

/* The first blank or NUL in [first, last], or NULL. */
static const char *next_terminator(const char *first, const char *last)
{
	for (; first <= last; first++)
		if (spacetab(*first) || !*first)
			return first;
	return NULL;
}

int load_script(struct linux_binprm *bprm)
{
	char buf[BINPRM_BUF_SIZE] = { 0 };
	const char *i_name, *i_sep, *i_arg, *i_end, *buf_end;
	char name[BINPRM_BUF_SIZE + 1], arg[BINPRM_BUF_SIZE + 1];
	struct exec_file *f = bprm->file, *next;
	int r;

	if (f->size)
		memcpy(buf, f->data, f->size < sizeof(buf) ? f->size
							     : sizeof(buf));
	if (buf[0] != '#' || buf[1] != '!')
		return -ENOEXEC;
	buf_end = buf + sizeof(buf) - 1;
	i_end = memchr(buf, '\n', sizeof(buf));
	if (!i_end) {
		i_end = next_non_spacetab(buf + 2, buf_end);
		if (!i_end)
			return exec_fail(bprm, -ENOEXEC, "%s: #! line is all "
					 "blanks", f->path);
		if (!next_terminator(i_end, buf_end))
			return exec_fail(bprm, -ENOEXEC, "%s: #! interpreter "
					 "path longer than the 256-byte buffer",
					 f->path);
		i_end = buf_end;
	}
	while (spacetab(i_end[-1]))
		i_end--;
	i_name = next_non_spacetab(buf + 2, i_end);
	if (!i_name || i_name == i_end)
		return exec_fail(bprm, -ENOEXEC, "%s: #! names no interpreter",
				 f->path);
	i_arg = NULL;
	i_sep = next_terminator(i_name, i_end);
	if (i_sep && *i_sep != '\0')
		i_arg = next_non_spacetab(i_sep, i_end);
	/* the strings as the kernel cuts them: NUL at i_end and i_sep */
	snprintf(name, sizeof(name), "%.*s", (int)((i_arg ? i_sep : i_end) -
						   i_name), i_name);
	if (i_arg)
		snprintf(arg, sizeof(arg), "%.*s", (int)(i_end - i_arg), i_arg);
	r = remove_arg_zero(bprm);
	if (!r)
		r = copy_string_kernel(bprm, bprm->interp);
	if (r)
		return r;
	bprm->argc++;
	if (i_arg) {
		r = copy_string_kernel(bprm, arg);
		if (r)
			return r;
		bprm->argc++;
	}
	r = copy_string_kernel(bprm, name);
	if (r)
		return r;
	bprm->argc++;
	snprintf(bprm->interp, sizeof(bprm->interp), "%s", name);
	r = exec_open(bprm, name, &next);
	if (r)
		return r;
	bprm->file = next;
	return 0;
}
