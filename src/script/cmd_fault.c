// SPDX-License-Identifier: MIT
/*
 * Scenario commands that run user code's memory accesses and fork:
 *   touch ADDR [LEN] [read|write|exec]   one access per page of the range
 *                                        (no data: contents stay lazy)
 *   read ADDR                            the byte there
 *   write ADDR VALUE                     store a byte
 *   fork [--pid N]                       copy the current process
 *   thread [--pid N]                     a thread sharing its mm
 * Accesses go through the MMU and the page-fault handler
 * (mmt_task_access); a signal is printed, not an error: user code with a
 * handler would carry on, and so does the scenario.
 */
#include <mmtwin/mm.h>
#include <mmtwin/pgtable.h>
#include <mmtwin/script.h>

#include <errno.h>
#include <string.h>

static struct mmt_task *current_task(struct mmt_script *s,
				     struct mmt_machine **pm)
{
	struct mmt_machine *m = mmt_script_machine(s);
	struct mmt_task *t;

	*pm = m;
	if (!m)
		return NULL;
	t = mmt_task_current(m);
	if (!t)
		mmt_script_fail(s, "no current process (see 'process')");
	return t;
}

static const char *sig_code_name(const struct mmt_siginfo *si)
{
	if (si->signo == MMT_SIGBUS)
		return si->code == MMT_BUS_ADRERR ? "BUS_ADRERR" : "?";
	switch (si->code) {
	case MMT_SEGV_MAPERR: return "SEGV_MAPERR";
	case MMT_SEGV_ACCERR: return "SEGV_ACCERR";
	case 0x80: return "SI_KERNEL";
	}
	return "?";
}

/* One access; 1 when a signal was raised (printed), -1 on failure. */
static int do_access(struct mmt_script *s, struct mmt_task *t, uint64_t va,
		     unsigned kind, uint8_t *val)
{
	struct mmt_siginfo si;
	int r = mmt_task_access(t, va, kind, val, &si);

	if (r < 0)
		return mmt_script_fail(s, "access at %#llx: %s",
				       (unsigned long long)va, strerror(-r));
	if (!r)
		return 0;
	fprintf(s->out, "pid %d: %s (%s) at %#llx\n", t->pid,
		si.signo == MMT_SIGBUS ? "SIGBUS" : "SIGSEGV",
		sig_code_name(&si), (unsigned long long)si.addr);
	return 1;
}

static int parse_kind(const char *w, unsigned *kind)
{
	if (!strcmp(w, "read") || !strcmp(w, "r"))
		*kind = MMT_ACCESS_READ;
	else if (!strcmp(w, "write") || !strcmp(w, "w"))
		*kind = MMT_ACCESS_WRITE;
	else if (!strcmp(w, "exec") || !strcmp(w, "x"))
		*kind = MMT_ACCESS_EXEC;
	else
		return -1;
	return 0;
}

static int cmd_touch(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;
	struct mmt_task *t = current_task(s, &m);
	uint64_t addr, len = MMT_PAGE_SIZE, end;
	unsigned kind = MMT_ACCESS_READ;
	int i = 2;

	if (!t)
		return -1;
	if (argc < 2 || argc > 4 || mmt_parse_addr(argv[1], &addr))
		return mmt_script_fail(s, "expected 'touch ADDR [LEN] "
				       "[read|write|exec]'");
	if (argc > i && parse_kind(argv[i], &kind)) {
		if (mmt_parse_size(argv[i], &len) || !len)
			return mmt_script_fail(s, "bad length '%s'", argv[i]);
		i++;
	}
	if (argc > i && parse_kind(argv[i++], &kind))
		return mmt_script_fail(s, "bad access '%s' (read, write or "
				       "exec)", argv[i - 1]);
	if (argc > i)
		return mmt_script_fail(s, "expected 'touch ADDR [LEN] "
				       "[read|write|exec]'");
	end = addr + len;
	if (end < addr)
		return mmt_script_fail(s, "range wraps around");
	for (uint64_t va = addr; va < end;
	     va = (va & MMT_PAGE_MASK) + MMT_PAGE_SIZE) {
		int r = do_access(s, t, va, kind, NULL);

		if (r)
			return r < 0 ? -1 : 0;
		if ((va & MMT_PAGE_MASK) + MMT_PAGE_SIZE == 0)
			break;
	}
	return 0;
}

static int cmd_read(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;
	struct mmt_task *t = current_task(s, &m);
	uint64_t addr;
	uint8_t v = 0;
	int r;

	if (!t)
		return -1;
	if (argc != 2 || mmt_parse_addr(argv[1], &addr))
		return mmt_script_fail(s, "expected 'read ADDR'");
	r = do_access(s, t, addr, MMT_ACCESS_READ, &v);
	if (r < 0)
		return -1;
	if (!r)
		fprintf(s->out, "%#llx: 0x%02x\n", (unsigned long long)addr, v);
	return 0;
}

static int cmd_write(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;
	struct mmt_task *t = current_task(s, &m);
	uint64_t addr, val;
	uint8_t v;

	if (!t)
		return -1;
	if (argc != 3 || mmt_parse_addr(argv[1], &addr) ||
	    mmt_parse_addr(argv[2], &val) || val > 255)
		return mmt_script_fail(s, "expected 'write ADDR VALUE' (a byte)");
	v = (uint8_t)val;
	return do_access(s, t, addr, MMT_ACCESS_WRITE, &v) < 0 ? -1 : 0;
}

/* fork [--pid N] / thread [--pid N]: 0 and *pid (0: the lowest free) */
static int parse_pid_opt(struct mmt_script *s, int argc, char **argv,
			 uint64_t *pid)
{
	*pid = 0;
	if (argc == 1 || (argc == 3 && !strcmp(argv[1], "--pid") &&
			  !mmt_parse_addr(argv[2], pid) && *pid &&
			  *pid < 4194304))
		return 0;
	return mmt_script_fail(s, "expected '%s [--pid N]'", argv[0]);
}

/* The new task of fork or thread, reported. */
static int new_task(struct mmt_script *s, int argc, char **argv, bool thread)
{
	struct mmt_machine *m;
	struct mmt_task *t = current_task(s, &m), *c;
	uint64_t pid;
	int err;

	if (!t || parse_pid_opt(s, argc, argv, &pid))
		return -1;
	c = thread ? mmt_task_create_thread(t, (int)pid, &err)
		   : mmt_task_fork(t, (int)pid, &err);
	if (!c)
		return mmt_script_fail(s, "%s: %s", argv[0], strerror(-err));
	if (thread)
		fprintf(s->out, "thread: pid %d -> thread pid %d (same mm)\n",
			t->pid, c->pid);
	else
		fprintf(s->out, "fork: pid %d -> child pid %d\n", t->pid,
			c->pid);
	return 0;
}

static int cmd_fork(struct mmt_script *s, int argc, char **argv)
{
	return new_task(s, argc, argv, false);
}

static int cmd_thread(struct mmt_script *s, int argc, char **argv)
{
	return new_task(s, argc, argv, true);
}

const struct mmt_script_cmd mmt_script_cmds_fault[] = {
	{ "touch", "touch ADDR [LEN] [read|write|exec]",
	  "user accesses, one per page, through the MMU and page faults",
	  cmd_touch },
	{ "read", "read ADDR", "a user read of one byte", cmd_read },
	{ "write", "write ADDR VALUE", "a user write of one byte", cmd_write },
	{ "fork", "fork [--pid N]",
	  "fork the current process (copy-on-write); the parent stays current",
	  cmd_fork },
	{ "thread", "thread [--pid N]",
	  "a new thread of the current process, sharing its mm", cmd_thread },
	{ NULL, NULL, NULL, NULL }
};
