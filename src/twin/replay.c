// SPDX-License-Identifier: MIT
/*
 * mmtwin replay: an strace log, line by line, through the mirror (see
 * twin/replay.h for the picture).  This file knows strace's log and
 * nothing of ptrace; the mirror (mirror.c) knows neither.
 */
#include "twin/replay.h"
#include "twin/progress.h"

#include <mmtwin/shm.h>

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define SIGCHLD_NR	17
#define CLONE_VM_FLAG	0x100ULL
#define CLONE_VFORK_FLAG 0x4000ULL

/* A call strace printed in two parts: the first, until its rest comes. */
struct pending {
	int tid;
	char name[32];
	char *text;		/* "mmap(NULL, 8192, " */
	size_t len;
	unsigned line;
	bool is_clone;		/* clone, clone3, fork, vfork */
	int child;		/* the child already created from it (its
				 * first line came first), 0 */
	unsigned long seq;	/* age, for "the oldest unfinished clone" */
};

/* A completed call held back: it overlapped another call of its process
 * that was still unfinished, so the order the kernel ran them in is not
 * the order of the log's lines (see flush_held). */
struct held {
	int tid, tgid;
	char *text;		/* the whole call, result included */
	unsigned entry, exit;	/* the lines where it began and ended */
	bool trial;		/* a call trials take (else: a thread's exit
				 * or limits, held behind its own calls) */
};

struct rproc {
	struct mmt_replay_proc pub;
	char *maps;		/* owned */
};

struct mmt_replay {
	struct mmt_machine *m;
	struct mmt_twin *tw;
	struct mmt_replay_opts opts;
	enum mmt_task_abi first_abi;
	int main_pid;		/* 0: no line yet */
	unsigned line;		/* of the line being read */
	bool failed;		/* an error stopped the replay */
	unsigned long seq;
	struct pending *pend;
	size_t npend, cappend;
	struct held *held;
	size_t nheld, capheld;
	uint64_t reordered;	/* groups applied in another order than the
				 * log's */
	struct rproc *procs;
	size_t nprocs, capprocs;
	struct mmt_replay_divergence *div;
	unsigned ndiv;
	uint64_t divseen;
};

/* Names outside the table that a %memory,%process log may hold and that
 * change nothing the model keeps: they are read over. */
static const char *const ignored_calls[] = {
	"waitid", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_open",
	"pidfd_send_signal", "pidfd_getfd", "get_mempolicy",
	"set_mempolicy", "membarrier", "process_mrelease", "kcmp",
	"process_vm_readv", "process_vm_writev", "migrate_pages",
	"move_pages", "cachestat", "map_shadow_stack",
	/* %ipc, which a SysV shm program's log adds for shmget: */
	"semget", "semop", "semtimedop", "semctl", "msgget", "msgsnd",
	"msgrcv", "msgctl",
	NULL
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

struct mmt_replay *mmt_replay_new(struct mmt_machine *m,
				  const struct mmt_twin_init *init,
				  const struct mmt_replay_opts *opts)
{
	struct mmt_replay *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->m = m;
	r->tw = mmt_twin_new(m, init);
	if (!r->tw) {
		free(r);
		return NULL;
	}
	if (opts)
		r->opts = *opts;
	if (!r->opts.max_divergences)
		r->opts.max_divergences = 100;
	r->first_abi = mmt_arch_is_64(m->cfg.arch) ? MMT_TASK_X86_64
						   : MMT_TASK_I386;
	mmt_twin_set_trace(r->tw, r->opts.trace);
	return r;
}

void mmt_replay_free(struct mmt_replay *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->npend; i++)
		free(r->pend[i].text);
	free(r->pend);
	for (size_t i = 0; i < r->nheld; i++)
		free(r->held[i].text);
	free(r->held);
	for (size_t i = 0; i < r->nprocs; i++)
		free(r->procs[i].maps);
	free(r->procs);
	for (unsigned i = 0; i < r->ndiv; i++) {
		free(r->div[i].call);
		free(r->div[i].note);
		free(r->div[i].trace);
	}
	free(r->div);
	mmt_twin_free(r->tw);
	free(r);
}

/* --- processes --- */

static struct rproc *rproc_find(struct mmt_replay *r, int tgid)
{
	for (size_t i = 0; i < r->nprocs; i++)
		if (r->procs[i].pub.pid == tgid && !r->procs[i].pub.exited)
			return &r->procs[i];
	for (size_t i = r->nprocs; i-- > 0;)
		if (r->procs[i].pub.pid == tgid)
			return &r->procs[i];
	return NULL;
}

static struct rproc *rproc_add(struct mmt_replay *r, int tgid)
{
	struct rproc *p;

	if (r->nprocs == r->capprocs) {
		size_t nc = r->capprocs ? r->capprocs * 2 : 8;
		struct rproc *n = realloc(r->procs, nc * sizeof(*n));

		if (!n)
			return NULL;
		r->procs = n;
		r->capprocs = nc;
	}
	p = &r->procs[r->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pub.pid = tgid;
	return p;
}

/* Keep the model's maps of @tid's process as they are now. */
static void snapshot_maps(struct mmt_replay *r, int tid)
{
	struct mmt_twin_proc *tp = mmt_twin_proc_of(r->tw, tid);
	struct rproc *p;
	char *maps;

	if (!tp || !mmt_twin_task(r->tw, tid))
		return;
	p = rproc_find(r, tp->tgid);
	if (!p)
		return;
	maps = mmt_twin_maps(r->tw, tid);
	if (!maps)
		return;
	free(p->maps);
	p->maps = maps;
}

/* After an event: the process of @tid ended when the mirror says so. */
static void note_exit(struct mmt_replay *r, int tgid)
{
	struct rproc *p = rproc_find(r, tgid);

	for (unsigned i = 0;; i++) {
		struct mmt_twin_proc *tp = mmt_twin_proc_at(r->tw, i);

		if (!tp)
			break;
		if (tp->tgid == tgid && !tp->exited)
			return;		/* a thread of it lives on */
	}
	if (p)
		p->pub.exited = true;
}

/* --- pending halves --- */

static struct pending *pending_of(struct mmt_replay *r, int tid)
{
	for (size_t i = 0; i < r->npend; i++)
		if (r->pend[i].tid == tid)
			return &r->pend[i];
	return NULL;
}

static void pending_drop(struct mmt_replay *r, struct pending *p)
{
	free(p->text);
	*p = r->pend[--r->npend];
}

static bool is_clone_name(const char *n)
{
	return !strcmp(n, "clone") || !strcmp(n, "clone3") ||
	       !strcmp(n, "fork") || !strcmp(n, "vfork");
}

/* The clone flags in strace's text of a clone or clone3 call: the names
 * (CLONE_*, the exit signal) or numbers after the first "flags=". */
static uint64_t text_clone_flags(const char *name, const char *text,
				 size_t len)
{
	const struct mmt_sys_xlat *cx = mmt_sys_xlat_of(MMT_SYS_ARG_CLONE_FLAGS);
	const struct mmt_sys_xlat *sx = mmt_sys_xlat_of(MMT_SYS_ARG_SIGNAL);
	const char *p = NULL, *end = text + len;
	uint64_t flags = 0;

	if (!strcmp(name, "fork"))
		return SIGCHLD_NR;
	if (!strcmp(name, "vfork"))
		return CLONE_VM_FLAG | CLONE_VFORK_FLAG | SIGCHLD_NR;
	for (const char *q = text; q + 6 <= end; q++)
		if (!memcmp(q, "flags=", 6)) {
			p = q + 6;
			break;
		}
	while (p && p < end) {
		size_t n = 0;
		bool found = false;

		while (p + n < end && (p[n] == '_' || (p[n] >= 'A' && p[n] <= 'Z')
				       || (p[n] >= '0' && p[n] <= '9') ||
				       p[n] == 'x' || (p[n] >= 'a' && p[n] <= 'f')))
			n++;
		if (!n)
			break;
		if (p[0] >= '0' && p[0] <= '9') {
			flags |= strtoull(p, NULL, 0);
			found = true;
		}
		for (const struct mmt_sys_xlat *x = cx; !found && x && x->name; x++)
			if (strlen(x->name) == n && !memcmp(x->name, p, n)) {
				flags |= x->val;
				found = true;
			}
		for (const struct mmt_sys_xlat *x = sx; !found && x && x->name; x++)
			if (strlen(x->name) == n && !memcmp(x->name, p, n)) {
				flags |= x->val;
				found = true;
			}
		p += n;
		if (p >= end || *p != '|')
			break;
		p++;
	}
	return flags;
}

/* --- applying --- */

static char **dup_strv(const struct mmt_sys_argval *val)
{
	char **v = calloc(val->nstr + 1, sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < val->nstr; i++) {
		v[i] = strndup(val->strv[i], val->strv_len[i]);
		if (!v[i]) {
			mmt_twin_strv_free(v);
			return NULL;
		}
	}
	return v;
}

static void add_divergence(struct mmt_replay *r, int tid, const char *text,
			   int64_t logged, const struct mmt_twin_result *res)
{
	struct mmt_replay_divergence *d;

	r->divseen++;
	if (r->ndiv >= r->opts.max_divergences)
		return;
	d = realloc(r->div, (r->ndiv + 1) * sizeof(*d));
	if (!d)
		return;
	r->div = d;
	d = &r->div[r->ndiv];
	memset(d, 0, sizeof(*d));
	d->line = r->line;
	d->pid = tid;
	d->call = strdup(text);
	d->note = strdup(res->note);
	d->trace = res->trace && res->trace[0] ? strdup(res->trace) : NULL;
	d->logged = logged;
	d->model = res->ret;
	if (d->call && d->note)
		r->ndiv++;
	else {
		free(d->call);
		free(d->note);
		free(d->trace);
	}
}

/*
 * A log records no page faults.  What a fork copies depends on them: a
 * VMA the parent has written has an anon_vma, the child's copy is then
 * chained to it, and the kernel merges nothing new into such a copy
 * (vma_had_uncowed_parents).  The replay assumes that by the time a
 * process forks it has written each of its private writable mappings
 * (data, bss, heap, stacks, malloc's arenas: what a process maps writable
 * it writes, and ld.so's relocations write each library's data), and
 * takes one write fault at the start of each before the fork.
 */
static void assume_written(struct mmt_replay *r, int tid)
{
	struct mmt_task *t = mmt_twin_task(r->tw, tid);
	uint64_t addr[512];
	unsigned n = 0;

	if (!t)
		return;
	for (const struct mmt_vma *v = mmt_vma_first(t->mm); v;
	     v = mmt_vma_next(v)) {
		struct mmt_vma_info vi;

		mmt_vma_get_info(v, &vi);
		if ((vi.vm_flags & MMT_VM_WRITE) &&
		    !(vi.vm_flags & MMT_VM_SHARED) && !vi.anon_vma &&
		    !vi.special)
			addr[n++] = vi.vm_start;
		if (n == sizeof(addr) / sizeof(addr[0]))
			break;
	}
	/* (the addresses first: a fault does not change the VMA list, but the
	 * walk then does not depend on that) */
	for (unsigned i = 0; i < n; i++)
		mmt_twin_fault(r->tw, tid, addr[i], true);
}

static bool has_held(const struct mmt_replay *r, int tgid);
static int flush_held(struct mmt_replay *r, int tgid, char *err,
		      size_t errlen);

/* The process a new tid belongs to, when its first line comes before
 * the clone that made it resumed: the oldest unfinished clone. */
static int adopt_child(struct mmt_replay *r, int tid, char *err,
		       size_t errlen)
{
	struct pending *best = NULL;
	struct mmt_twin_event ev;
	struct mmt_twin_result res;
	struct mmt_twin_proc *tp;
	int e;

	for (size_t i = 0; i < r->npend; i++)
		if (r->pend[i].is_clone && !r->pend[i].child &&
		    (!best || r->pend[i].seq < best->seq))
			best = &r->pend[i];
	if (!best)
		return fail(err, errlen, "pid %d appears without a clone, fork "
			    "or vfork that created it", tid);
	tp = mmt_twin_proc_of(r->tw, best->tid);
	if (!tp)
		return fail(err, errlen, "pid %d: its parent %d is unknown",
			    tid, best->tid);
	memset(&ev, 0, sizeof(ev));
	ev.pid = tp->tgid;
	ev.tid = best->tid;
	ev.abi = mmt_task_sys_abi(mmt_twin_task(r->tw, best->tid)->abi);
	{
		const struct mmt_syscall *se = mmt_sys_by_name(ev.abi,
							       best->name);

		ev.nr = se ? (unsigned)se->nr[ev.abi] : 0;
	}
	ev.clone_flags = text_clone_flags(best->name, best->text, best->len);
	ev.args[0] = ev.clone_flags;
	ev.ret = tid;
	if (has_held(r, tp->tgid) && !(ev.clone_flags & CLONE_VM_FLAG)) {
		int parent = tp->tgid;

		if (flush_held(r, parent, err, errlen))
			return -1;
		tp = mmt_twin_proc_of(r->tw, best->tid);
		if (!tp)
			return fail(err, errlen, "pid %d: its parent %d is gone",
				    tid, best->tid);
	}
	if (!(ev.clone_flags & CLONE_VM_FLAG))
		assume_written(r, best->tid);
	memset(&res, 0, sizeof(res));
	e = mmt_twin_apply(r->tw, &ev, &res);
	if (e)
		return fail(err, errlen, "%s of pid %d (child %d): %s%s%s",
			    best->name, best->tid, tid, strerror(-e),
			    res.note[0] ? ": " : "", res.note);
	best->child = tid;
	tp = mmt_twin_proc_of(r->tw, tid);
	if (tp && !rproc_find(r, tp->tgid) && !rproc_add(r, tp->tgid))
		return fail(err, errlen, "out of memory");
	if (tp && tp->tgid == tid) {
		struct rproc *p = rproc_find(r, tid);

		if (p && p->pub.exited) {	/* a reused pid: a new process */
			if (!rproc_add(r, tid))
				return fail(err, errlen, "out of memory");
		}
	}
	return 0;
}

/* The thread @tid is known to the mirror (created if it is the first). */
static int ensure_task(struct mmt_replay *r, int tid, char *err,
		       size_t errlen)
{
	int e;

	if (mmt_twin_task(r->tw, tid))
		return 0;
	if (!r->main_pid) {
		e = mmt_twin_spawn(r->tw, tid, r->first_abi);
		if (e)
			return fail(err, errlen, "pid %d: cannot create the "
				    "first process: %s", tid, strerror(-e));
		r->main_pid = tid;
		if (!rproc_add(r, tid))
			return fail(err, errlen, "out of memory");
		return 0;
	}
	return adopt_child(r, tid, err, errlen);
}

/*
 * strace prints i386's ipc(2) subcalls under their own names.  A logged
 * `shmctl(id, IPC_64|cmd, ...)` is such a subcall: the direct compat
 * shmctl takes no version bits (compat_ksys_shmctl has no case for them:
 * -EINVAL), while ipc(SHMCTL) splits IPC_64 off, and glibc's i386 shmctl
 * goes through ipc(2) with IPC_64 set.  The event becomes that call.
 */
static void as_ipc_shmctl(struct mmt_twin_event *ev)
{
	const struct mmt_syscall *ipc = mmt_sys_by_name(MMT_ABI_I386, "ipc");
	uint64_t id = ev->args[0], cmd = ev->args[1], buf = ev->args[2];

	if (!ipc)
		return;
	ev->nr = (unsigned)ipc->nr[MMT_ABI_I386];
	memset(ev->args, 0, sizeof(ev->args));
	ev->args[0] = 24;	/* SHMCTL */
	ev->args[1] = id;
	ev->args[2] = cmd;
	ev->args[4] = buf;
}

/* strace's -y path of an fd argument: the file's path (without
 * " (deleted)") and its name as maps prints it; -1: out of memory. */
static int fd_names(const struct mmt_sys_argval *v, struct mmt_twin_event *ev,
		    char **fdpath, char **fdname)
{
	if (!(v->flags & MMT_SYS_VAL_STR))
		return 0;
	*fdname = strndup(v->str, v->len);
	*fdpath = strndup(v->str, v->len);
	if (!*fdname || !*fdpath)
		return -1;
	if (v->len > 10 && !strcmp(*fdpath + v->len - 10, " (deleted)"))
		(*fdpath)[v->len - 10] = 0;
	ev->fd_path = *fdpath;
	ev->fd_name = *fdname;
	ev->fd_mode = MMT_FMODE_READ;
	return 0;
}

/* --- overlapping calls ---
 *
 * Under strace -f, a call of one thread can be in the kernel while
 * another thread's calls begin and end: it is printed "<unfinished ...>"
 * and "<... resumed>".  The kernel serialised such calls on the mmap lock
 * in an order the log does not show (the lines are in the order strace
 * saw them end).  So the completed calls of a process that overlapped
 * are held until none of its calls is unfinished, and then applied in the
 * first order that both respects what the log does show (a call that
 * ended before another began came first) and gives every logged result,
 * tried on a copy of the process (mmt_twin_trial).  No such order: the
 * log's, and the divergence is reported as usual.
 */

#define HELD_MAX_GROUP	64	/* larger groups: the log's order */
#define HELD_MAX_TRIALS	4000	/* prefixes tried on copies, per group */

static int call_name(const char *text, char *name, size_t len)
{
	size_t n = 0;

	while (n + 1 < len && (text[n] == '_' ||
	       (text[n] >= 'a' && text[n] <= 'z') ||
	       (text[n] >= '0' && text[n] <= '9')))
		n++;
	memcpy(name, text, n);
	name[n] = 0;
	return (int)n;
}

/* The process of a known thread (0: not known yet). */
static int tgid_of(struct mmt_replay *r, int tid)
{
	struct mmt_twin_proc *tp = mmt_twin_task(r->tw, tid)
				   ? mmt_twin_proc_of(r->tw, tid) : NULL;

	return tp ? tp->tgid : 0;
}

/* @name, called by @tid, is a call a trial takes. */
static bool holdable(struct mmt_replay *r, int tid, const char *name)
{
	struct mmt_task *t = mmt_twin_task(r->tw, tid);
	struct mmt_twin_event ev = { 0 };
	const struct mmt_syscall *e;

	if (!t)
		return false;
	ev.abi = mmt_task_sys_abi(t->abi);
	e = mmt_sys_by_name(ev.abi, name);
	if (!e)
		return false;
	ev.nr = (unsigned)e->nr[ev.abi];
	return mmt_twin_trialable(&ev);
}

/* Another holdable call of process @tgid is unfinished (not @tid's). */
static bool in_flight(struct mmt_replay *r, int tgid, int tid)
{
	for (size_t i = 0; i < r->npend; i++)
		if (r->pend[i].tid != tid && tgid_of(r, r->pend[i].tid) == tgid &&
		    holdable(r, r->pend[i].tid, r->pend[i].name))
			return true;
	return false;
}

/* A held call of process @tgid (0: any) by thread @tid (0: any); with
 * @exit, only that thread's exit. */
static bool is_held(const struct mmt_replay *r, int tgid, int tid, bool exit)
{
	for (size_t i = 0; i < r->nheld; i++)
		if ((!tgid || r->held[i].tgid == tgid) &&
		    (!tid || r->held[i].tid == tid) &&
		    (!exit || !strncmp(r->held[i].text, "exit(", 5)))
			return true;
	return false;
}

static bool has_held(const struct mmt_replay *r, int tgid)
{
	return is_held(r, tgid, 0, false);
}

static int hold(struct mmt_replay *r, int tid, int tgid, const char *text,
		unsigned entry, bool trial, char *err, size_t errlen)
{
	struct held *h;

	if (r->nheld == r->capheld) {
		size_t nc = r->capheld ? 2 * r->capheld : 8;
		struct held *n = realloc(r->held, nc * sizeof(*n));

		if (!n)
			return fail(err, errlen, "out of memory");
		r->held = n;
		r->capheld = nc;
	}
	h = &r->held[r->nheld];
	h->text = strdup(text);
	if (!h->text)
		return fail(err, errlen, "out of memory");
	h->tid = tid;
	h->tgid = tgid;
	h->entry = entry;
	h->exit = r->line;
	h->trial = trial;
	r->nheld++;
	return 0;
}

/* A held call as a twin event (for a trial): 0, or -1. */
struct trial_ev {
	struct mmt_twin_event ev;
	char *fdpath, *fdname;
};

static int trial_event(struct mmt_replay *r, const struct held *h,
		       struct trial_ev *te)
{
	struct mmt_task *t = mmt_twin_task(r->tw, h->tid);
	const struct mmt_syscall *e;
	struct mmt_sys_call call;
	char perr[256];
	int rc = -1;

	memset(te, 0, sizeof(*te));
	if (!t || mmt_sys_parse_call(h->text, mmt_task_sys_abi(t->abi), &call,
				     perr, sizeof(perr)))
		return -1;
	e = call.entry;
	if (e && call.has_ret && !call.ret_unknown) {
		te->ev.pid = h->tgid;
		te->ev.tid = h->tid;
		te->ev.abi = call.abi;
		te->ev.nr = call.nr;
		memcpy(te->ev.args, call.args, sizeof(te->ev.args));
		te->ev.ret = call.err ? -(int64_t)call.err : call.ret;
		rc = 0;
		for (int a = 0; a < e->nargs && !rc; a++)
			if (e->args[a].type == MMT_SYS_ARG_FD)
				rc = fd_names(&call.val[e->args[a].slot],
					      &te->ev, &te->fdpath,
					      &te->fdname);
	}
	mmt_sys_call_release(&call);
	return rc;
}

struct order_search {
	struct mmt_replay *r;
	struct held **h;
	struct trial_ev *te;
	unsigned n, *order;
	bool *used;
	struct mmt_twin_event *evs;	/* the trial calls of the prefix */
	unsigned trials;
};

/* Place position @d onwards (@k trial calls so far); true when a whole
 * order gave every logged result. */
static bool search_order(struct order_search *o, unsigned d, unsigned k)
{
	if (d == o->n)
		return true;
	for (unsigned i = 0; i < o->n; i++) {
		bool ready = !o->used[i];

		/* what ended before i began must be placed already */
		for (unsigned j = 0; ready && j < o->n; j++)
			if (!o->used[j] && j != i && o->h[j]->exit < o->h[i]->entry)
				ready = false;
		if (!ready)
			continue;
		if (o->h[i]->trial) {
			if (o->trials++ >= HELD_MAX_TRIALS)
				return false;
			o->evs[k] = o->te[i].ev;
			if (mmt_twin_trial(o->r->tw, o->evs, k + 1) != (int)k + 1)
				continue;	/* this prefix already disagrees */
		}
		o->order[d] = i;
		o->used[i] = true;
		if (search_order(o, d + 1, k + o->h[i]->trial))
			return true;
		o->used[i] = false;
	}
	return false;
}

/* The order to apply @n held calls in (indices into @h): the first that
 * gives every logged result, else the log's. */
static void pick_order(struct mmt_replay *r, struct held **h, unsigned n,
		       unsigned *order)
{
	struct trial_ev *te = calloc(n, sizeof(*te));
	struct mmt_twin_event *evs = calloc(n, sizeof(*evs));
	unsigned *ord = calloc(n, sizeof(*ord)), k = 0;
	bool *used = calloc(n, sizeof(*used));
	struct order_search o = { r, h, te, n, ord, used, evs, 0 };
	bool sorted = true, ok = true;

	for (unsigned i = 0; i < n; i++)
		order[i] = i;
	if (n < 2 || n > HELD_MAX_GROUP || !te || !evs || !ord || !used)
		goto out;
	for (; k < n && ok; k++)
		ok = !h[k]->trial || !trial_event(r, h[k], &te[k]);
	if (ok && search_order(&o, 0, 0)) {
		for (unsigned i = 0; i < n; i++) {
			sorted &= ord[i] == i;
			order[i] = ord[i];
		}
		r->reordered += !sorted;
	}
out:
	for (unsigned i = 0; te && i < k; i++) {
		free(te[i].fdpath);
		free(te[i].fdname);
	}
	free(te);
	free(evs);
	free(ord);
	free(used);
}

static int replay_call(struct mmt_replay *r, int tid, const char *text,
		       struct pending *pend, char *err, size_t errlen);

/* Apply process @tgid's held calls (every process's when @tgid is 0). */
static int flush_held(struct mmt_replay *r, int tgid, char *err,
		      size_t errlen)
{
	struct held *copy, **h;
	unsigned n = 0, *ord;
	int rc = 0;

	for (size_t i = 0; i < r->nheld; i++)
		if (!tgid || r->held[i].tgid == tgid)
			n++;
	if (!n)
		return 0;
	copy = malloc(n * sizeof(*copy));
	h = malloc(n * sizeof(*h));
	ord = malloc(n * sizeof(*ord));
	if (!copy || !h || !ord) {
		free(copy);
		free(h);
		free(ord);
		return fail(err, errlen, "out of memory");
	}
	/* out of the array first: the calls applied may hold nothing, but
	 * the group is settled */
	n = 0;
	for (size_t i = 0; i < r->nheld;) {
		if (tgid && r->held[i].tgid != tgid) {
			i++;
			continue;
		}
		copy[n++] = r->held[i];
		memmove(&r->held[i], &r->held[i + 1],
			(r->nheld - i - 1) * sizeof(r->held[0]));
		r->nheld--;
	}
	for (unsigned i = 0; i < n; i++) {
		h[i] = &copy[i];
		ord[i] = i;
	}
	if (tgid)
		pick_order(r, h, n, ord);
	for (unsigned i = 0; i < n && !rc; i++)
		rc = replay_call(r, h[ord[i]]->tid, h[ord[i]]->text, NULL, err,
				 errlen);
	for (unsigned i = 0; i < n; i++)
		free(copy[i].text);
	free(copy);
	free(h);
	free(ord);
	return rc;
}

/* A call that neither reads nor changes the process's VMAs: a thread's
 * exit, a new thread (CLONE_VM), the personality and limits.  It lets an
 * open group of overlapping calls stay open. */
static bool keeps_mm(const char *name, const char *text)
{
	if (!strcmp(name, "exit") || !strcmp(name, "personality") ||
	    !strcmp(name, "setrlimit") || !strcmp(name, "prlimit64"))
		return true;
	return (!strcmp(name, "clone") || !strcmp(name, "clone3")) &&
	       strstr(text, "CLONE_VM");
}

/*
 * A whole call of @tid (@entry: the line it began on): held when it
 * overlapped another unfinished call of its process, else applied (after
 * the process's held calls, which came before it).
 */
static int complete_call(struct mmt_replay *r, int tid, const char *text,
			 unsigned entry, struct pending *pend, char *err,
			 size_t errlen)
{
	char name[32];
	int tgid = tgid_of(r, tid);

	call_name(text, name, sizeof(name));
	if (tgid && holdable(r, tid, name) &&
	    (in_flight(r, tgid, tid) || has_held(r, tgid))) {
		if (hold(r, tid, tgid, text, entry, true, err, errlen))
			return -1;
		return in_flight(r, tgid, tid) ? 0
					       : flush_held(r, tgid, err, errlen);
	}
	if (tgid && has_held(r, tgid) && keeps_mm(name, text)) {
		/* a thread's exit or limits stay behind its own held calls;
		 * a new thread needs nothing of the group */
		if (is_held(r, 0, tid, false) && !is_clone_name(name))
			return hold(r, tid, tgid, text, entry, false, err,
				    errlen);
		return replay_call(r, tid, text, pend, err, errlen);
	}
	if (tgid && has_held(r, tgid) && flush_held(r, tgid, err, errlen))
		return -1;
	return replay_call(r, tid, text, pend, err, errlen);
}

/* One value of strace's struct rlimit: RLIM64_INFINITY/RLIM_INFINITY,
 * "8192*1024" (a multiple of 1024), or a number; -1: none. */
static int rlim_value(const char *p, uint64_t *v)
{
	char *end;

	if (!strncmp(p, "RLIM64_INFINITY", 15) || !strncmp(p, "RLIM_INFINITY", 13)) {
		*v = MMT_RLIM_INFINITY;
		return 0;
	}
	errno = 0;
	*v = strtoull(p, &end, 0);
	if (end == p || errno)
		return -1;
	if (!strncmp(end, "*1024", 5)) {
		if (*v > UINT64_MAX / 1024)
			return -1;
		*v *= 1024;
	}
	return 0;
}

/*
 * setrlimit(RES, {rlim_cur=C, rlim_max=M}) or prlimit64(PID, RES,
 * {...}, OLD): the new limit strace decoded (a log records the limits a
 * program sets only when its filter has these calls: `-e
 * trace=%memory,%process,prlimit64,setrlimit`).  None: no event limit,
 * and the call is not mirrored.
 */
static void logged_rlimit(const struct mmt_sys_call *call, bool prlimit,
			  struct mmt_twin_event *ev)
{
	const struct mmt_sys_argval *v = &call->val[prlimit ? 2 : 1];
	char text[256];
	const char *c, *m;

	ev->rlim_set = false;
	if (!(v->flags & MMT_SYS_VAL_STR) || v->len >= sizeof(text))
		return;
	memcpy(text, v->str, v->len);
	text[v->len] = 0;
	c = strstr(text, "rlim_cur=");
	m = strstr(text, "rlim_max=");
	if (c && m && !rlim_value(c + 9, &ev->rlim_cur) &&
	    !rlim_value(m + 9, &ev->rlim_max))
		ev->rlim_set = true;
}

/* One whole call of @tid: parse it, apply it, compare. */
static int replay_call(struct mmt_replay *r, int tid, const char *text,
		       struct pending *pend, char *err, size_t errlen)
{
	struct mmt_sys_call call;
	struct mmt_twin_event ev;
	struct mmt_twin_result res;
	struct mmt_twin_proc *tp;
	struct mmt_task *t;
	const struct mmt_syscall *e;
	char perr[256], name[32];
	char **argv = NULL, **envp = NULL;
	char *path = NULL, *fdpath = NULL, *fdname = NULL;
	size_t n = 0;
	int rc = -1, a;
	bool exiting, cloning;
	int64_t logged;

	while (n + 1 < sizeof(name) && (text[n] == '_' ||
	       (text[n] >= 'a' && text[n] <= 'z') ||
	       (text[n] >= '0' && text[n] <= '9')))
		n++;
	memcpy(name, text, n);
	name[n] = 0;
	for (unsigned i = 0; ignored_calls[i]; i++)
		if (!strcmp(name, ignored_calls[i]))
			return 0;
	if (ensure_task(r, tid, err, errlen))
		return -1;
	t = mmt_twin_task(r->tw, tid);
	tp = mmt_twin_proc_of(r->tw, tid);
	if (!t || !tp)
		return fail(err, errlen, "pid %d: no model task", tid);
	if (mmt_sys_parse_call(text, mmt_task_sys_abi(t->abi), &call, perr,
			       sizeof(perr)))
		return fail(err, errlen, "%s", perr);
	e = call.entry;
	if (!call.has_ret) {
		fail(err, errlen, "%s: no result (a truncated line?)", name);
		goto out;
	}
	exiting = e && (!strcmp(e->name, "exit") ||
			!strcmp(e->name, "exit_group"));
	cloning = e && is_clone_name(e->name);
	if (call.ret_unknown && !exiting) {
		rc = 0;		/* the task died inside the call */
		goto out;
	}
	logged = call.err ? -(int64_t)call.err : call.ret;
	if (cloning && pend && pend->child) {
		/* applied when the child's first line came */
		if (logged != pend->child) {
			fail(err, errlen, "%s returned %lld, but pid %d's first "
			     "line came before it", name, (long long)logged,
			     pend->child);
			goto out;
		}
		rc = 0;
		goto out;
	}
	memset(&ev, 0, sizeof(ev));
	ev.pid = tp->tgid;
	ev.tid = tid;
	ev.abi = call.abi;
	ev.nr = call.nr;
	memcpy(ev.args, call.args, sizeof(ev.args));
	ev.ret = exiting ? 0 : logged;
	for (a = 0; e && a < e->nargs; a++) {
		const struct mmt_sys_argval *v = &call.val[e->args[a].slot];

		switch (e->args[a].type) {
		case MMT_SYS_ARG_PATH:
			if (!(v->flags & MMT_SYS_VAL_STR))
				break;
			if (v->flags & MMT_SYS_VAL_TRUNC) {
				fail(err, errlen, "%s: the path is cut short "
				     "(record with -s 65536)", name);
				goto out;
			}
			path = strndup(v->str, v->len);
			if (!path)
				goto oom;
			ev.path = path;
			break;
		case MMT_SYS_ARG_ARGV:
		case MMT_SYS_ARG_ENVP:
			if (!(v->flags & MMT_SYS_VAL_STRV)) {
				if (logged < 0)
					break;	/* a failed exec needs none */
				fail(err, errlen, "%s: no %s in the log (record "
				     "with -v)", name, e->args[a].type ==
				     MMT_SYS_ARG_ARGV ? "argument vector" :
				     "environment");
				goto out;
			}
			if (v->flags & (MMT_SYS_VAL_TRUNC | MMT_SYS_VAL_STRV_TRUNC)) {
				fail(err, errlen, "%s: a string or the vector is "
				     "cut short (record with -v -s 65536)",
				     name);
				goto out;
			}
			if (e->args[a].type == MMT_SYS_ARG_ARGV) {
				argv = dup_strv(v);
				if (!argv)
					goto oom;
				ev.argv = argv;
			} else {
				envp = dup_strv(v);
				if (!envp)
					goto oom;
				ev.envp = envp;
			}
			break;
		case MMT_SYS_ARG_FD:
			if (fd_names(v, &ev, &fdpath, &fdname))
				goto oom;
			break;
		default:
			break;
		}
	}
	if (e && ev.abi == MMT_ABI_I386 && !strcmp(e->name, "shmctl") &&
	    (call.args[1] & MMT_IPC_64))
		as_ipc_shmctl(&ev);
	if (e && (!strcmp(e->name, "setrlimit") || !strcmp(e->name, "prlimit64")))
		logged_rlimit(&call, !strcmp(e->name, "prlimit64"), &ev);
	if (cloning)
		ev.clone_flags = !strcmp(e->name, "clone") ? call.args[0]
			: text_clone_flags(e->name, text, strlen(text));
	if (cloning && logged > 0 && !(ev.clone_flags & CLONE_VM_FLAG))
		assume_written(r, tid);
	if (exiting)
		snapshot_maps(r, tid);
	memset(&res, 0, sizeof(res));
	a = mmt_twin_apply(r->tw, &ev, &res);
	if (a == -ESRCH) {
		fail(err, errlen, "%s: %s", name, res.note);
		goto out;
	}
	if (a) {	/* the model could not take the call: a divergence */
		res.ret = a;
		add_divergence(r, tid, text, logged, &res);
	} else if (res.mirrored && !res.agreed && !exiting)
		add_divergence(r, tid, text, logged, &res);
	if (cloning && logged > 0) {
		struct mmt_twin_proc *cp = mmt_twin_proc_of(r->tw, (int)logged);

		if (cp && cp->tgid == (int)logged) {
			struct rproc *p = rproc_find(r, cp->tgid);

			if ((!p || p->pub.exited) && !rproc_add(r, cp->tgid))
				goto oom;
		}
	}
	if (exiting)
		note_exit(r, tp->tgid);
	rc = 0;
	goto out;
oom:
	fail(err, errlen, "out of memory");
out:
	free(path);
	free(fdpath);
	free(fdname);
	mmt_twin_strv_free(argv);
	mmt_twin_strv_free(envp);
	mmt_sys_call_release(&call);
	return rc;
}

static int check_text(const char *line, size_t len, char *err, size_t errlen)
{
	if (len > MMT_REPLAY_MAX_LINE)
		return fail(err, errlen, "line longer than %u MiB",
			    MMT_REPLAY_MAX_LINE >> 20);
	if (memchr(line, 0, len))
		return fail(err, errlen, "NUL byte in the line");
	if (!len)
		return fail(err, errlen, "empty line");
	return 0;
}

int mmt_replay_line(struct mmt_replay *r, const char *line, size_t len,
		    char *err, size_t errlen)
{
	struct mmt_strace_line l;
	struct pending *p;
	char *buf, *whole;
	int tid, rc = -1;

	r->line++;
	if (r->failed)
		return fail(err, errlen, "the replay already failed");
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (check_text(line, len, err, errlen))
		goto bad;
	buf = strndup(line, len);
	if (!buf) {
		fail(err, errlen, "out of memory");
		goto bad;
	}
	if (mmt_strace_line_parse(buf, &l, err, errlen)) {
		const char *q = buf;

		/* strace's note for an exec in a thread: nothing to do */
		while ((*q >= '0' && *q <= '9') || *q == ' ')
			q++;
		if (!strncmp(q, "+++ superseded by execve in pid ", 32)) {
			free(buf);
			return 0;
		}
		free(buf);
		goto bad;
	}
	tid = l.pid ? l.pid : (r->main_pid ? r->main_pid : 1);
	switch (l.kind) {
	case MMT_STRACE_CALL:
		whole = strndup(l.text, l.text_len);
		if (!whole) {
			fail(err, errlen, "out of memory");
			break;
		}
		if (pending_of(r, tid))
			rc = fail(err, errlen, "pid %d: a new call while its "
				  "'%s' is unfinished", tid,
				  pending_of(r, tid)->name);
		else
			rc = complete_call(r, tid, whole, r->line, NULL, err,
					   errlen);
		free(whole);
		break;
	case MMT_STRACE_UNFINISHED:
		if (pending_of(r, tid)) {
			rc = fail(err, errlen, "pid %d: two unfinished calls",
				  tid);
			break;
		}
		if (!l.name[0]) {
			rc = fail(err, errlen, "an unfinished line without a "
				  "call");
			break;
		}
		if (r->npend == r->cappend) {
			size_t nc = r->cappend ? r->cappend * 2 : 8;
			struct pending *n = realloc(r->pend, nc * sizeof(*n));

			if (!n) {
				rc = fail(err, errlen, "out of memory");
				break;
			}
			r->pend = n;
			r->cappend = nc;
		}
		/* the first line of a process may be an unfinished one */
		if (ensure_task(r, tid, err, errlen))
			break;
		p = &r->pend[r->npend];
		memset(p, 0, sizeof(*p));
		p->text = strndup(l.text, l.text_len);
		if (!p->text) {
			rc = fail(err, errlen, "out of memory");
			break;
		}
		r->npend++;
		p->tid = tid;
		p->len = l.text_len;
		p->line = r->line;
		p->seq = ++r->seq;
		snprintf(p->name, sizeof(p->name), "%s", l.name);
		p->is_clone = is_clone_name(p->name);
		rc = 0;
		break;
	case MMT_STRACE_RESUMED:
		p = pending_of(r, tid);
		if (!p) {
			rc = fail(err, errlen, "'<... %s resumed>' without its "
				  "start (pid %d has no unfinished call)",
				  l.name, tid);
			break;
		}
		if (strcmp(p->name, l.name)) {
			rc = fail(err, errlen, "'<... %s resumed>', but pid "
				  "%d's unfinished call is '%s'", l.name, tid,
				  p->name);
			break;
		}
		whole = malloc(p->len + l.text_len + 1);
		if (!whole) {
			rc = fail(err, errlen, "out of memory");
			break;
		}
		memcpy(whole, p->text, p->len);
		memcpy(whole + p->len, l.text, l.text_len);
		whole[p->len + l.text_len] = 0;
		rc = complete_call(r, tid, whole, p->line, p, err, errlen);
		free(whole);
		p = pending_of(r, tid);	/* replay_call may grow pend[] */
		if (p)
			pending_drop(r, p);
		break;
	case MMT_STRACE_SIGNAL:
		rc = 0;
		break;
	case MMT_STRACE_EXITED:
	case MMT_STRACE_KILLED: {
		struct mmt_twin_proc *tp = mmt_twin_proc_of(r->tw, tid);

		p = pending_of(r, tid);
		if (p)
			pending_drop(r, p);
		/* a thread gone while others' calls overlap: the group stays
		 * open (the process cannot end before they do); its own held
		 * calls go first, then it */
		if (tp && has_held(r, tp->tgid) && in_flight(r, tp->tgid, tid)) {
			bool mine = is_held(r, 0, tid, false);

			rc = 0;
			if (mine && !is_held(r, 0, tid, true))
				rc = hold(r, tid, tp->tgid, "exit(0) = ?",
					  r->line, false, err, errlen);
			if (rc || mine)
				break;
		} else if (tp && has_held(r, tp->tgid) &&
			   flush_held(r, tp->tgid, err, errlen)) {
			break;
		}
		tp = mmt_twin_proc_of(r->tw, tid);
		if (tp && mmt_twin_task(r->tw, tid)) {
			int tgid = tp->tgid;

			snapshot_maps(r, tid);
			mmt_twin_task_gone(r->tw, tid);
			note_exit(r, tgid);
		}
		rc = 0;
		break;
	}
	case MMT_STRACE_OTHER:
		if (!strncmp(l.text, "[ Process PID=", 14)) {
			rc = 0;		/* "runs in 32 bit mode" */
			break;
		}
		rc = fail(err, errlen, "not an strace line");
		break;
	}
	free(buf);
	if (!rc)
		return 0;
bad:
	r->failed = true;
	return -1;
}

int mmt_replay_finish(struct mmt_replay *r, char *err, size_t errlen)
{
	if (r->failed)
		return fail(err, errlen, "the replay already failed");
	if (flush_held(r, 0, err, errlen)) {
		r->failed = true;
		return -1;
	}
	for (size_t i = 0; i < r->npend; i++) {
		struct pending *p = &r->pend[i];

		if (!strcmp(p->name, "exit") || !strcmp(p->name, "exit_group")) {
			/* the log ended inside the call that never returns
			 * (strace may have printed a partial argument; its
			 * effect needs none) */
			int tid = p->tid, rc;
			char *whole = strdup(!strcmp(p->name, "exit") ?
					     "exit(0) = ?" : "exit_group(0) = ?");

			if (!whole)
				return fail(err, errlen, "out of memory");
			pending_drop(r, p);
			i--;
			rc = replay_call(r, tid, whole, NULL, err, errlen);
			free(whole);
			if (rc) {
				r->failed = true;
				return -1;
			}
			continue;
		}
		r->line = p->line;
		r->failed = true;
		return fail(err, errlen, "the log ends while pid %d's '%s' is "
			    "unfinished (a truncated log?)", p->tid, p->name);
	}
	for (size_t i = 0; i < r->nprocs; i++)
		if (!r->procs[i].pub.exited) {
			struct mmt_twin_proc *tp;

			for (unsigned k = 0; (tp = mmt_twin_proc_at(r->tw, k)); k++)
				if (tp->tgid == r->procs[i].pub.pid &&
				    !tp->exited && tp->task) {
					char *maps = mmt_twin_maps(r->tw,
						tp->task->pid);

					if (maps) {
						free(r->procs[i].maps);
						r->procs[i].maps = maps;
					}
					break;
				}
		}
	return 0;
}

/* The progress line (opts.progress), counted in lines. */
static void replay_progress(struct mmt_replay *r, struct mmt_progress *pg)
{
	uint64_t n, ok;

	if (!r->opts.progress || !mmt_progress_due(pg, r->line))
		return;
	mmt_replay_totals(r, &n, &ok);
	mmt_progress_show(pg, "mmtwin replay: %u lines, %llu syscalls, %llu "
			  "agreed ", r->line, (unsigned long long)n,
			  (unsigned long long)ok);
}

int mmt_replay_file(struct mmt_replay *r, FILE *in, const char *name,
		    FILE *errout)
{
	char *line = NULL, err[512];
	size_t cap = 0;
	ssize_t n;
	bool last_nl = true;
	struct mmt_progress pg;

	mmt_progress_start(&pg, r->opts.progress_after, r->opts.progress_every);
	while ((n = getline(&line, &cap, in)) > 0) {
		last_nl = line[n - 1] == '\n';
		if (!last_nl) {
			mmt_progress_erase(&pg);
			fprintf(errout, "%s:%u: the last line has no newline "
				"(a truncated log?)\n", name, r->line + 1);
			free(line);
			r->failed = true;
			return -1;
		}
		if (mmt_replay_line(r, line, (size_t)n, err, sizeof(err))) {
			mmt_progress_erase(&pg);
			fprintf(errout, "%s:%u: %s\n", name, r->line, err);
			free(line);
			return -1;
		}
		replay_progress(r, &pg);
	}
	free(line);
	mmt_progress_erase(&pg);
	if (ferror(in)) {
		fprintf(errout, "%s:%u: read error: %s\n", name, r->line,
			strerror(errno));
		r->failed = true;
		return -1;
	}
	if (!r->line) {
		fprintf(errout, "%s:1: empty log\n", name);
		r->failed = true;
		return -1;
	}
	if (mmt_replay_finish(r, err, sizeof(err))) {
		fprintf(errout, "%s:%u: %s\n", name, r->line, err);
		return -1;
	}
	return 0;
}

/* --- results --- */

unsigned mmt_replay_nprocs(const struct mmt_replay *r)
{
	return (unsigned)r->nprocs;
}

static void fill_counts(struct mmt_replay *r, struct rproc *p)
{
	struct mmt_twin_proc *tp, *best = NULL;

	/* the mirror's process of that tgid: the latest one, or the one
	 * alive (a reused pid makes several) */
	for (unsigned k = 0; (tp = mmt_twin_proc_at(r->tw, k)); k++)
		if (tp->tgid == p->pub.pid)
			best = tp;
	if (!best)
		return;
	p->pub.syscalls = best->syscalls;
	p->pub.agreed = best->agreed;
	snprintf(p->pub.comm, sizeof(p->pub.comm), "%s", best->comm);
	p->pub.maps = p->maps;
}

const struct mmt_replay_proc *mmt_replay_proc(struct mmt_replay *r,
					      unsigned i)
{
	if (i >= r->nprocs)
		return NULL;
	fill_counts(r, &r->procs[i]);
	return &r->procs[i].pub;
}

const struct mmt_replay_proc *mmt_replay_find(struct mmt_replay *r, int pid)
{
	struct rproc *p = rproc_find(r, pid);

	if (!p)
		return NULL;
	fill_counts(r, p);
	return &p->pub;
}

unsigned mmt_replay_ndivergences(const struct mmt_replay *r)
{
	return r->ndiv;
}

uint64_t mmt_replay_divergences_seen(const struct mmt_replay *r)
{
	return r->divseen;
}

const struct mmt_replay_divergence *
mmt_replay_divergence(const struct mmt_replay *r, unsigned i)
{
	return i < r->ndiv ? &r->div[i] : NULL;
}

void mmt_replay_totals(struct mmt_replay *r, uint64_t *syscalls,
		       uint64_t *agreed)
{
	struct mmt_twin_proc *tp;

	*syscalls = *agreed = 0;
	for (unsigned k = 0; (tp = mmt_twin_proc_at(r->tw, k)); k++) {
		*syscalls += tp->syscalls;
		*agreed += tp->agreed;
	}
}

unsigned mmt_replay_lines(const struct mmt_replay *r)
{
	return r->line;
}

/* "0x7ffff7fc0000" for addresses, "-1 ENOMEM" for errors, else decimal */
static void fmt_value(char *buf, size_t len, int64_t v)
{
	const char *n;

	if (v < 0 && v >= -4095) {
		n = mmt_errno_name((int)-v);
		snprintf(buf, len, "-1 %s", n ? n : "E?");
	} else if (v >= 0x10000) {
		snprintf(buf, len, "0x%llx", (unsigned long long)v);
	} else {
		snprintf(buf, len, "%lld", (long long)v);
	}
}

static void print_json_maps(struct mmt_json *j, const char *maps)
{
	mmt_json_begin_arr(j, "maps");
	for (const char *p = maps; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *ln = strndup(p, n);

		if (ln)
			mmt_json_str(j, NULL, ln);
		free(ln);
		p += n + (nl ? 1 : 0);
	}
	mmt_json_end_arr(j);
}

void mmt_replay_print(struct mmt_replay *r, FILE *out, enum mmt_format fmt,
		      bool maps)
{
	uint64_t sys, agr;
	char a[32], b[32];
	struct mmt_json j;

	mmt_replay_totals(r, &sys, &agr);
	if (fmt == MMT_FMT_JSON) {
		mmt_json_init(&j, out);
		mmt_json_begin_obj(&j, NULL);
		mmt_json_u64(&j, "lines", r->line);
		mmt_json_u64(&j, "processes", r->nprocs);
		mmt_json_u64(&j, "syscalls", sys);
		mmt_json_u64(&j, "agreed", agr);
		mmt_json_bool(&j, "all_agreed", sys == agr && !r->divseen);
		mmt_json_u64(&j, "divergences_seen", r->divseen);
		mmt_json_u64(&j, "reordered_groups", r->reordered);
		mmt_json_begin_arr(&j, "divergences");
		for (unsigned i = 0; i < r->ndiv; i++) {
			const struct mmt_replay_divergence *d = &r->div[i];

			mmt_json_begin_obj(&j, NULL);
			mmt_json_u64(&j, "line", d->line);
			mmt_json_i64(&j, "pid", d->pid);
			mmt_json_str(&j, "call", d->call);
			mmt_json_i64(&j, "logged", d->logged);
			mmt_json_i64(&j, "model", d->model);
			mmt_json_str(&j, "note", d->note);
			if (d->trace)
				mmt_json_str(&j, "trace", d->trace);
			mmt_json_end_obj(&j);
		}
		mmt_json_end_arr(&j);
		mmt_json_begin_arr(&j, "process_list");
		for (unsigned i = 0; i < r->nprocs; i++) {
			const struct mmt_replay_proc *p = mmt_replay_proc(r, i);

			mmt_json_begin_obj(&j, NULL);
			mmt_json_i64(&j, "pid", p->pid);
			mmt_json_str(&j, "comm", p->comm);
			mmt_json_u64(&j, "syscalls", p->syscalls);
			mmt_json_u64(&j, "agreed", p->agreed);
			mmt_json_bool(&j, "exited", p->exited);
			if (maps)
				print_json_maps(&j, p->maps);
			mmt_json_end_obj(&j);
		}
		mmt_json_end_arr(&j);
		mmt_json_end_obj(&j);
		mmt_json_finish(&j);
		return;
	}
	for (unsigned i = 0; i < r->ndiv; i++) {
		const struct mmt_replay_divergence *d = &r->div[i];

		fmt_value(a, sizeof(a), d->logged);
		fmt_value(b, sizeof(b), d->model);
		fprintf(out, "divergence at line %u, pid %d: %s\n"
			"  logged %s, model %s%s%s\n", d->line, d->pid, d->call,
			a, b, d->note[0] ? ": " : "", d->note);
		if (d->trace)
			for (const char *p = d->trace; *p;) {
				const char *nl = strchr(p, '\n');
				int n = nl ? (int)(nl - p) : (int)strlen(p);

				fprintf(out, "  | %.*s\n", n, p);
				p += n + (nl ? 1 : 0);
			}
	}
	if (r->divseen > r->ndiv)
		fprintf(out, "(%llu more divergences not shown)\n",
			(unsigned long long)(r->divseen - r->ndiv));
	for (unsigned i = 0; i < r->nprocs; i++) {
		const struct mmt_replay_proc *p = mmt_replay_proc(r, i);

		fprintf(out, "%sprocess %d (%s)%s: syscalls: %llu, agreed: "
			"%llu\n", i || r->ndiv ? "\n" : "", p->pid,
			p->comm[0] ? p->comm : "?", i ? "" : ", main",
			(unsigned long long)p->syscalls,
			(unsigned long long)p->agreed);
		if (maps && p->maps)
			fputs(p->maps, out);
	}
	fprintf(out, "%stotal: processes: %zu, syscalls: %llu, agreed: %llu\n",
		r->nprocs ? "\n" : "", r->nprocs, (unsigned long long)sys,
		(unsigned long long)agr);
	if (r->reordered)
		fprintf(out, "overlapping calls: %llu group%s applied in the "
			"order the kernel ran them (the log prints them as "
			"they ended)\n", (unsigned long long)r->reordered,
			r->reordered == 1 ? "" : "s");
}

struct mmt_twin *mmt_replay_twin(struct mmt_replay *r)
{
	return r->tw;
}
