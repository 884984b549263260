// SPDX-License-Identifier: MIT
/*
 * The mirror: host pid/tid -> model task, and one completed system call
 * applied to the model through the one syscall table (see twin.h).
 *
 * This is the core `mmtwin shadow` (ptrace, src/twin/ptrace.c) and
 * `mmtwin replay` (strace logs) share: it knows nothing of ptrace or of
 * log files, only of events.  What it does per call:
 *
 *   execve/execveat  ret 0: the other threads of the process end (de_thread),
 *                    mmt_execve rebuilds the image from the event's path,
 *                    argv, envp; failed: the same exec is tried in a scratch
 *                    task, to compare the errno
 *   clone/clone3/    at ret > 0: CLONE_VM (a thread, or vfork's child)
 *   fork/vfork       shares the mm (mmt_task_create_thread), else
 *                    mmt_task_fork copies it; the child keeps its host tid
 *   exit/exit_group  the thread / every thread of the process ends
 *   personality      the task's personality bits (the next exec uses them)
 *   shmget/shmat/    through the table, shm ids translated host -> model
 *   shmctl/ipc
 *   mmap with an fd  the event's host file is installed as that fd first
 *   the rest         mmt_sys_dispatch (brk, mmap, mmap2, munmap, mprotect,
 *                    pkey_mprotect, mremap, madvise, mlock*, mseal, ...)
 */
#include "twin/twin.h"
#include "twin/report.h"

#include <mmtwin/pgtable.h>

#include "mm/internal.h"	/* phys->trace: the --trace stream */
#include "mm/gup.h"		/* anon_vma_prepare */
#include "mm/vma_internal.h"	/* mmt_file_put */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define CLONE_VM_FLAG		0x00000100ULL
#define CLONE_THREAD_FLAG	0x00010000ULL

#define MAP_ANON_FLAG		0x20ULL
#define PAGE_MASK_4K		(~0xfffULL)

struct twin_thread {
	int tid;		/* host */
	unsigned proc;		/* index in procs */
	struct mmt_task *t;
};

struct twin_shmid {
	int64_t host, model;
};

struct mmt_twin {
	struct mmt_machine *m;
	struct mmt_twin_init init;
	struct mmt_exec_hw hw;
	struct twin_thread *th;
	unsigned nth, cap_th;
	struct mmt_twin_proc *procs;
	unsigned nprocs, cap_procs;
	struct twin_shmid *shm;
	unsigned nshm, cap_shm;
	bool trace;
	char *trace_buf;
	size_t trace_len;
	bool record;			/* keep every mirrored step (report) */
	struct mmt_report_step *steps;
	size_t nsteps, cap_steps;
};

struct mmt_twin *mmt_twin_new(struct mmt_machine *m,
			      const struct mmt_twin_init *init)
{
	struct mmt_twin *tw = calloc(1, sizeof(*tw));

	if (!tw)
		return NULL;
	tw->m = m;
	if (init)
		tw->init = *init;
	else {
		for (unsigned i = 0; i < MMT_NR_RLIMITS; i++)
			tw->init.rlim[i].cur = tw->init.rlim[i].max =
				MMT_RLIM_INFINITY;
		tw->init.rlim[MMT_RLIMIT_STACK].cur = 8ULL << 20;
		tw->init.randomize_va_space = 2;
		/* as shadow runs its tracees: the fixed layout */
		tw->init.personality = MMT_PER_ADDR_NO_RANDOMIZE;
	}
	if (tw->init.hw)
		tw->hw = *tw->init.hw;
	else
		mmt_exec_hw_host(m, &tw->hw);
	tw->init.hw = &tw->hw;
	tw->init.status = NULL;	/* not kept: applied at spawn */
	if (init && init->status) {
		/* keep the capabilities as a task would have them: applied to
		 * every spawned task (copied below at spawn) */
		tw->init.status = strdup(init->status);
	}
	return tw;
}

void mmt_twin_free(struct mmt_twin *tw)
{
	if (!tw)
		return;
	for (size_t i = 0; i < tw->nsteps; i++) {
		free((char *)tw->steps[i].call);
		free((char *)tw->steps[i].diff);
	}
	free(tw->steps);
	for (unsigned i = 0; i < tw->nprocs; i++)
		free(tw->procs[i].final_maps);
	free((char *)tw->init.status);
	free(tw->th);
	free(tw->procs);
	free(tw->shm);
	free(tw->trace_buf);
	free(tw);
}

struct mmt_machine *mmt_twin_machine(const struct mmt_twin *tw)
{
	return tw->m;
}

void mmt_twin_set_trace(struct mmt_twin *tw, bool on)
{
	tw->trace = on;
}

/* ------------------------------------------------------------ the table */

static struct twin_thread *thread_of(const struct mmt_twin *tw, int tid)
{
	for (unsigned i = tw->nth; i-- > 0;)
		if (tw->th[i].tid == tid)
			return &tw->th[i];
	return NULL;
}

struct mmt_task *mmt_twin_task(const struct mmt_twin *tw, int tid)
{
	struct twin_thread *th = thread_of(tw, tid);

	return th ? th->t : NULL;
}

struct mmt_twin_proc *mmt_twin_proc_of(const struct mmt_twin *tw, int tid)
{
	struct twin_thread *th = thread_of(tw, tid);

	if (th)
		return &tw->procs[th->proc];
	for (unsigned i = tw->nprocs; i-- > 0;)
		if (tw->procs[i].tgid == tid)
			return &tw->procs[i];
	return NULL;
}

struct mmt_twin_proc *mmt_twin_proc_at(const struct mmt_twin *tw, unsigned i)
{
	return i < tw->nprocs ? &tw->procs[i] : NULL;
}

static int add_proc(struct mmt_twin *tw, int tgid, const char *comm)
{
	if (tw->nprocs == tw->cap_procs) {
		unsigned n = tw->cap_procs ? 2 * tw->cap_procs : 8;
		struct mmt_twin_proc *p = realloc(tw->procs, n * sizeof(*p));

		if (!p)
			return -1;
		tw->procs = p;
		tw->cap_procs = n;
	}
	memset(&tw->procs[tw->nprocs], 0, sizeof(tw->procs[0]));
	tw->procs[tw->nprocs].tgid = tgid;
	snprintf(tw->procs[tw->nprocs].comm, sizeof(tw->procs[0].comm), "%s",
		 comm ? comm : "");
	return (int)tw->nprocs++;
}

static int add_thread(struct mmt_twin *tw, int tid, unsigned proc,
		      struct mmt_task *t)
{
	if (tw->nth == tw->cap_th) {
		unsigned n = tw->cap_th ? 2 * tw->cap_th : 16;
		struct twin_thread *p = realloc(tw->th, n * sizeof(*p));

		if (!p)
			return -ENOMEM;
		tw->th = p;
		tw->cap_th = n;
	}
	tw->th[tw->nth].tid = tid;
	tw->th[tw->nth].proc = proc;
	tw->th[tw->nth].t = t;
	tw->nth++;
	if (!tw->procs[proc].task)
		tw->procs[proc].task = t;
	return 0;
}

static char *host_sysv_ids(const struct mmt_twin *tw, char *model);

/* The report draws a process from its maps as they were at its end. */
static void keep_final_maps(const struct mmt_twin *tw,
			    struct mmt_twin_proc *p, struct mmt_task *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	mmt_maps_print(t, f);
	if (fclose(f)) {
		free(buf);
		return;
	}
	free(p->final_maps);
	p->final_maps = host_sysv_ids(tw, buf);
}

/* The process's model task after @gone left it: another of its threads,
 * or none (the process exited). */
static void drop_thread(struct mmt_twin *tw, struct twin_thread *th)
{
	unsigned proc = th->proc;
	struct mmt_task *t = th->t;

	*th = tw->th[--tw->nth];
	if (tw->procs[proc].task == t) {
		tw->procs[proc].task = NULL;
		for (unsigned i = 0; i < tw->nth; i++)
			if (tw->th[i].proc == proc) {
				tw->procs[proc].task = tw->th[i].t;
				break;
			}
		if (!tw->procs[proc].task) {
			tw->procs[proc].exited = true;
			if (tw->record)
				keep_final_maps(tw, &tw->procs[proc], t);
		}
	}
	mmt_task_exit(t);
}

static void apply_init(struct mmt_twin *tw, struct mmt_task *t)
{
	t->personality = tw->init.personality;
	memcpy(t->rlim, tw->init.rlim, sizeof(t->rlim));
	if (tw->init.status)
		mmt_task_seed_caps(t, tw->init.status);
	mmt_task_pick_mmap_layout(t);
}

int mmt_twin_spawn(struct mmt_twin *tw, int tid, enum mmt_task_abi abi)
{
	struct mmt_task *t;
	int e = 0, p;

	if (thread_of(tw, tid))
		return -EEXIST;
	t = mmt_task_create(tw->m, abi, tid, &e);
	if (!t)
		return e ? e : -ENOMEM;
	apply_init(tw, t);
	p = add_proc(tw, tid, NULL);
	if (p < 0 || add_thread(tw, tid, (unsigned)p, t)) {
		mmt_task_exit(t);
		return -ENOMEM;
	}
	return 0;
}

void mmt_twin_task_gone(struct mmt_twin *tw, int tid)
{
	struct twin_thread *th = thread_of(tw, tid);

	if (th)
		drop_thread(tw, th);
}

int mmt_twin_fault(struct mmt_twin *tw, int tid, uint64_t addr, bool write)
{
	struct mmt_task *t = mmt_twin_task(tw, tid);
	struct mmt_siginfo si;
	struct mmt_vma *v;

	if (!t)
		return -ESRCH;
	v = (struct mmt_vma *)mmt_find_vma(t->mm, addr);
	if (write && v && v->vm_start <= addr &&
	    !(v->vm_flags & MMT_VM_WRITE)) {
		if (v->vm_flags & MMT_VM_SHARED)
			return 0;
		return anon_vma_prepare(v);
	}
	mmt_task_set_current(tw->m, t);
	return mmt_task_access(t, addr, write ? MMT_ACCESS_WRITE
					      : MMT_ACCESS_READ, NULL, &si);
}

void mmt_twin_fd_close(struct mmt_twin *tw, int tid, int fd)
{
	struct twin_thread *th = thread_of(tw, tid);

	if (!th || fd < 0)
		return;
	/* the threads of a process share their fd table on the host */
	for (unsigned i = 0; i < tw->nth; i++) {
		struct mmt_task *t = tw->th[i].t;

		if (tw->th[i].proc != th->proc || (unsigned)fd >= t->nr_fds ||
		    !t->fds[fd].file)
			continue;
		mmt_file_put(t->fds[fd].file);
		t->fds[fd].file = NULL;
		t->fds[fd].f_mode = 0;
	}
}

/* The model's maps text with its SysV segments' inode numbers (the
 * model's shm ids) turned into the host's ids. */
static char *host_sysv_ids(const struct mmt_twin *tw, char *model)
{
	char *out = NULL, *line, *nl;
	size_t len = 0;
	FILE *f;

	if (!model || !strstr(model, " /SYSV"))
		return model;
	f = open_memstream(&out, &len);
	if (!f)
		return model;
	for (line = model; *line; line = nl ? nl + 1 : line + strlen(line)) {
		char *name = strstr(line, " /SYSV");
		unsigned long long ino;
		char *p, *q;

		nl = strchr(line, '\n');
		if (!name || (nl && name > nl)) {
			fprintf(f, "%.*s\n", (int)(nl ? nl - line : (long)strlen(line)),
				line);
			if (!nl)
				break;
			continue;
		}
		/* the inode is the fifth field: after four spaces */
		p = line;
		for (int k = 0; k < 4 && p; k++) {
			p = strchr(p, ' ');
			if (p)
				p++;
		}
		if (!p || p > name) {
			fprintf(f, "%.*s\n", (int)(nl ? nl - line : (long)strlen(line)),
				line);
			if (!nl)
				break;
			continue;
		}
		ino = strtoull(p, &q, 10);
		{
			int col = (int)(name + 1 - line), w;

			w = fprintf(f, "%.*s%lld", (int)(p - line), line,
				    (long long)mmt_twin_shm_host_id(tw,
							(int64_t)ino));
			do
				fputc(' ', f);
			while (++w < col);
			fprintf(f, "%.*s\n", (int)(nl ? nl - (name + 1)
						 : (long)strlen(name + 1)),
				name + 1);
		}
		(void)q;
		if (!nl)
			break;
	}
	fclose(f);
	if (!out)
		return model;
	free(model);
	return out;
}

char *mmt_twin_maps(const struct mmt_twin *tw, int tid)
{
	struct mmt_task *t = mmt_twin_task(tw, tid);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!t) {
		struct mmt_twin_proc *p = mmt_twin_proc_of(tw, tid);

		t = p ? p->task : NULL;
	}
	if (!t)
		return NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	mmt_maps_print(t, f);
	fclose(f);
	return host_sysv_ids(tw, buf);
}

/* ----------------------------------------------------------- shm ids */

static int64_t shm_to_model(const struct mmt_twin *tw, int64_t host)
{
	for (unsigned i = 0; i < tw->nshm; i++)
		if (tw->shm[i].host == host)
			return tw->shm[i].model;
	return host;	/* unknown: an id made before the trace (or bad) */
}

int64_t mmt_twin_shm_host_id(const struct mmt_twin *tw, int64_t model_id)
{
	for (unsigned i = 0; i < tw->nshm; i++)
		if (tw->shm[i].model == model_id)
			return tw->shm[i].host;
	return model_id;
}

static void shm_record(struct mmt_twin *tw, int64_t host, int64_t model)
{
	for (unsigned i = 0; i < tw->nshm; i++)
		if (tw->shm[i].host == host) {
			tw->shm[i].model = model;
			return;
		}
	if (tw->nshm == tw->cap_shm) {
		unsigned n = tw->cap_shm ? 2 * tw->cap_shm : 8;
		struct twin_shmid *p = realloc(tw->shm, n * sizeof(*p));

		if (!p)
			return;
		tw->shm = p;
		tw->cap_shm = n;
	}
	tw->shm[tw->nshm].host = host;
	tw->shm[tw->nshm].model = model;
	tw->nshm++;
}

/* ------------------------------------------------------------ events */

static void range_add(struct mmt_twin_result *res, uint64_t lo, uint64_t len)
{
	uint64_t hi = lo + len;

	if (!len || hi < lo)
		return;
	lo &= PAGE_MASK_4K;
	if (res->lo == res->hi) {
		res->lo = lo;
		res->hi = hi;
		return;
	}
	if (lo < res->lo)
		res->lo = lo;
	if (hi > res->hi)
		res->hi = hi;
}

static bool is_addr(int64_t r)
{
	return !(r < 0 && r >= -4095);
}

/* Install the event's file as the mmap's fd, with its printed name. */
static int install_fd(struct mmt_task *t, const struct mmt_twin_event *ev,
		      int fd, char *note, size_t nlen)
{
	const char *name = ev->fd_name ? ev->fd_name : ev->fd_path;
	struct mmt_file *f;
	struct stat sb;
	int r;

	/* the same open file as the last mmap of this fd: keep it (its VMAs
	 * may merge with the new one) */
	f = (unsigned)fd < t->nr_fds ? t->fds[fd].file : NULL;
	if (f && !stat(ev->fd_path, &sb) && sb.st_ino == f->ino &&
	    major(sb.st_dev) == f->major && minor(sb.st_dev) == f->minor)
		return 0;
	r = mmt_task_fd_install_mode(t, fd, ev->fd_path,
				     ev->fd_mode ? ev->fd_mode
						 : MMT_FMODE_READ);
	if (r) {
		snprintf(note, nlen, "fd %d: cannot identify %s: %s", fd,
			 ev->fd_path, strerror(-r));
		return r;
	}
	f = t->fds[fd].file;
	if (name && f && f->path && strcmp(name, f->path)) {
		size_t n = strlen(name);
		const char *del = " (deleted)";
		size_t dl = strlen(del);
		char *p;

		if (n > dl && !strcmp(name + n - dl, del)) {
			n -= dl;
			f->deleted = true;
		}
		p = strndup(name, n);
		if (p) {
			free(f->path);
			f->path = p;
		}
	}
	return 0;
}

/* The scratch exec of a failed execve: what errno the model gives. */
static int64_t trial_exec(struct mmt_twin *tw, struct mmt_task *like,
			  const struct mmt_exec_params *p, char *note,
			  size_t nlen)
{
	struct mmt_task *t;
	int e = 0;
	int64_t r;

	t = mmt_task_create(tw->m, like->abi, 0, &e);
	if (!t)
		return e;
	t->personality = like->personality;
	memcpy(t->rlim, like->rlim, sizeof(t->rlim));
	mmt_task_copy_caps(t, like);
	r = mmt_execve(t, p, NULL, note, nlen);
	mmt_task_exit(t);
	return r;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int do_execve(struct mmt_twin *tw, struct twin_thread *th,
		     const struct mmt_twin_event *ev,
		     struct mmt_twin_result *res)
{
	struct mmt_exec_params p = { 0 };
	struct mmt_exec_result er;
	unsigned proc = th->proc;
	struct mmt_task *t;
	int oldcwd = -1;
	int64_t r;

	if (!ev->path) {
		snprintf(res->note, sizeof(res->note),
			 "execve without its path (the front end read none)");
		return -EINVAL;
	}
	p.filename = ev->path;
	p.argv = ev->argv;
	p.envp = ev->envp;
	p.uid = tw->init.uid;
	p.euid = tw->init.euid;
	p.gid = tw->init.gid;
	p.egid = tw->init.egid;
	p.hw = &tw->hw;
	p.random = ev->random;
	/* the host's kernel.randomize_va_space, as the exec reads it */
	tw->m->tasks->sysctl.randomize_va_space = tw->init.randomize_va_space;
	if (ev->cwd && ev->path[0] != '/') {
		oldcwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (oldcwd < 0 || chdir(ev->cwd)) {
			if (oldcwd >= 0)
				close(oldcwd);
			oldcwd = -1;
		}
	}
	res->mirrored = true;
	if (ev->ret < 0) {
		r = trial_exec(tw, th->t, &p, res->note, sizeof(res->note));
		goto out;
	}
	/* de_thread: the other threads of the process go */
	for (unsigned i = 0; i < tw->nth;) {
		if (tw->th[i].proc == proc && &tw->th[i] != th) {
			struct twin_thread *keep = th;
			int tid = keep->tid;

			drop_thread(tw, &tw->th[i]);
			th = thread_of(tw, tid);
			continue;
		}
		i++;
	}
	t = th->t;
	tw->procs[proc].task = t;
	tw->procs[proc].exited = false;
	if (th->tid != tw->procs[proc].tgid)
		th->tid = tw->procs[proc].tgid;	/* the leader's pid now */
	r = mmt_execve(t, &p, &er, res->note, sizeof(res->note));
	if (!r) {
		res->whole = true;
		tw->procs[proc].exec_seen = true;
		snprintf(tw->procs[proc].comm, sizeof(tw->procs[0].comm), "%s",
			 base_name(ev->path));
		if (er.randomized)
			snprintf(res->note, sizeof(res->note), "ASLR is not "
				 "modelled: placed as with ADDR_NO_RANDOMIZE");
	}
out:
	if (oldcwd >= 0) {
		if (fchdir(oldcwd))
			r = r ? r : -errno;
		close(oldcwd);
	}
	res->ret = r;
	return 0;
}

static int do_clone(struct mmt_twin *tw, struct twin_thread *th,
		    const struct mmt_twin_event *ev,
		    struct mmt_twin_result *res)
{
	int child = (int)ev->ret, e = 0, p;
	unsigned proc = th->proc;
	struct mmt_task *parent = th->t, *t;

	if (ev->ret <= 0)
		return 0;	/* failed on the host: nothing was created */
	res->mirrored = true;
	if (thread_of(tw, child)) {
		snprintf(res->note, sizeof(res->note), "tid %d is already "
			 "known", child);
		res->ret = -EEXIST;
		return 0;
	}
	if (ev->clone_flags & CLONE_VM_FLAG)
		t = mmt_task_create_thread(parent, child, &e);
	else
		t = mmt_task_fork(parent, child, &e);
	if (!t) {
		snprintf(res->note, sizeof(res->note), "%s: %s",
			 ev->clone_flags & CLONE_VM_FLAG ? "a thread"
			 : "fork", strerror(-e));
		res->ret = e;
		return 0;
	}
	/* fork copied what the model keeps of the task; a thread too */
	t->personality = parent->personality;
	memcpy(t->rlim, parent->rlim, sizeof(t->rlim));
	if (ev->clone_flags & CLONE_THREAD_FLAG) {
		p = (int)proc;
	} else {
		char comm[sizeof(tw->procs[0].comm)];

		/* add_proc may move the table: the parent's name first */
		memcpy(comm, tw->procs[proc].comm, sizeof(comm));
		p = add_proc(tw, child, comm);
		if (p < 0) {
			mmt_task_exit(t);
			res->ret = -ENOMEM;
			return 0;
		}
		tw->procs[p].exec_seen = tw->procs[proc].exec_seen;
		if (!(ev->clone_flags & CLONE_VM_FLAG))
			res->whole = true;
	}
	if (add_thread(tw, child, (unsigned)p, t)) {
		mmt_task_exit(t);
		res->ret = -ENOMEM;
		return 0;
	}
	res->ret = child;
	return 0;
}

static void do_exit(struct mmt_twin *tw, struct twin_thread *th, bool group,
		    struct mmt_twin_result *res)
{
	unsigned proc = th->proc;

	res->mirrored = true;
	res->ret = 0;
	if (!group) {
		drop_thread(tw, th);
		return;
	}
	for (unsigned i = 0; i < tw->nth;) {
		if (tw->th[i].proc == proc) {
			drop_thread(tw, &tw->th[i]);
			continue;
		}
		i++;
	}
}

/* The range @call can have changed, from its arguments and results. */
static void call_range(const struct mmt_syscall *e,
		       const struct mmt_twin_event *ev, int64_t model,
		       uint64_t shm_len, struct mmt_twin_result *res)
{
	const char *n = e->name;
	const uint64_t *a = ev->args;

	if (!strcmp(n, "mmap") || !strcmp(n, "mmap2")) {
		if (a[0])
			range_add(res, a[0], a[1]);
		if (is_addr(ev->ret))
			range_add(res, (uint64_t)ev->ret, a[1]);
		if (is_addr(model))
			range_add(res, (uint64_t)model, a[1]);
	} else if (!strcmp(n, "mremap")) {
		range_add(res, a[0], a[1]);
		if (a[3] & 2)	/* MREMAP_FIXED */
			range_add(res, a[4], a[2]);
		if (is_addr(ev->ret))
			range_add(res, (uint64_t)ev->ret, a[2]);
		if (is_addr(model))
			range_add(res, (uint64_t)model, a[2]);
	} else if (!strcmp(n, "munmap") || !strcmp(n, "mprotect") ||
		   !strcmp(n, "pkey_mprotect") || !strcmp(n, "madvise") ||
		   !strcmp(n, "mlock") || !strcmp(n, "munlock") ||
		   !strcmp(n, "mlock2") || !strcmp(n, "mseal") ||
		   !strcmp(n, "msync")) {
		range_add(res, a[0], a[1]);
	} else if (!strcmp(n, "mlockall") || !strcmp(n, "munlockall")) {
		res->whole = true;
	} else if (!strcmp(n, "shmat") || !strcmp(n, "shmdt") ||
		   !strcmp(n, "ipc")) {
		if (!strcmp(n, "shmdt"))
			range_add(res, a[0], shm_len ? shm_len : 1);
		else if (is_addr(ev->ret) && ev->ret > 0 && !strcmp(n, "shmat"))
			range_add(res, (uint64_t)ev->ret, shm_len ? shm_len : 1);
		else if (is_addr(model) && model > 0 && !strcmp(n, "shmat"))
			range_add(res, (uint64_t)model, shm_len ? shm_len : 1);
		else if (!strcmp(n, "ipc"))
			res->whole = true;
	}
}

/* The length of the VMA holding @addr in @t (0: none). */
static uint64_t vma_len_at(const struct mmt_task *t, uint64_t addr)
{
	const struct mmt_vma *v = mmt_find_vma(t->mm, addr);
	struct mmt_vma_info vi;

	if (!v)
		return 0;
	mmt_vma_get_info(v, &vi);
	return vi.vm_start <= addr ? vi.vm_end - addr : 0;
}

static void trace_begin(struct mmt_twin *tw, FILE **f)
{
	*f = NULL;
	if (!tw->trace)
		return;
	free(tw->trace_buf);
	tw->trace_buf = NULL;
	tw->trace_len = 0;
	*f = open_memstream(&tw->trace_buf, &tw->trace_len);
	tw->m->phys->trace = *f;
}

static void trace_end(struct mmt_twin *tw, FILE *f,
		      struct mmt_twin_result *res)
{
	if (!f)
		return;
	tw->m->phys->trace = NULL;
	fclose(f);
	res->trace = tw->trace_buf;
}

void mmt_twin_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* ------------------------------------------------------- step log */

void mmt_twin_record(struct mmt_twin *tw, bool on)
{
	tw->record = on;
}

const struct mmt_report_step *mmt_twin_steps(const struct mmt_twin *tw,
					     size_t *n)
{
	*n = tw->nsteps;
	return tw->steps;
}

void mmt_twin_step_diverged(struct mmt_twin *tw, int tgid, const char *diff)
{
	for (size_t i = tw->nsteps; i-- > 0;) {
		struct mmt_report_step *st = &tw->steps[i];

		if (st->pid != tgid)
			continue;
		st->agreed = false;
		if (diff && !st->diff)
			st->diff = strdup(diff);
		return;
	}
}

static bool never_returns(const struct mmt_twin_event *ev)
{
	const struct mmt_syscall *e = mmt_sys_by_nr(ev->abi, ev->nr);

	return e && (!strcmp(e->name, "exit") || !strcmp(e->name, "exit_group"));
}

/* One mirrored call for the report (out of host memory: not kept). */
static void record_step(struct mmt_twin *tw, int tgid,
			const struct mmt_twin_event *ev,
			const struct mmt_twin_result *res)
{
	char buf[512];

	if (tw->nsteps == tw->cap_steps) {
		size_t cap = tw->cap_steps ? 2 * tw->cap_steps : 256;
		struct mmt_report_step *n = realloc(tw->steps,
						    cap * sizeof(*n));

		if (!n)
			return;
		tw->steps = n;
		tw->cap_steps = cap;
	}
	mmt_twin_format(buf, sizeof(buf), ev);
	tw->steps[tw->nsteps] = (struct mmt_report_step){
		.pid = tgid, .call = strdup(buf), .real = ev->ret,
		.model = res->ret, .agreed = res->agreed,
		.no_result = never_returns(ev),
	};
	if (tw->steps[tw->nsteps].call)
		tw->nsteps++;
}

/* The x86 resource numbers of the limits the model keeps. */
static int rlimit_res(uint64_t resource)
{
	switch (resource) {
	case 2: return MMT_RLIMIT_DATA;
	case 3: return MMT_RLIMIT_STACK;
	case 8: return MMT_RLIMIT_MEMLOCK;
	case 9: return MMT_RLIMIT_AS;
	default: return -1;
	}
}

/*
 * setrlimit(resource, rlim) and prlimit64(pid, resource, new, old) with a
 * new limit, as do_prlimit decides: -EINVAL for cur > max, -EPERM for a
 * higher hard limit without CAP_SYS_RESOURCE; the limit is the process's
 * (every thread of it).  Limits the model does not keep are not mirrored
 * (they change nothing it models).
 */
static void do_setrlimit(struct mmt_twin *tw, struct twin_thread *th,
			 const struct mmt_twin_event *ev, bool prlimit,
			 struct mmt_twin_result *res)
{
	uint64_t resource = ev->args[prlimit ? 1 : 0];
	int pid = prlimit ? (int)(int32_t)ev->args[0] : 0;
	struct twin_thread *target = pid ? thread_of(tw, pid) : th;
	int r = rlimit_res(resource);
	struct mmt_rlimit *old;

	if (!ev->rlim_set || r < 0 || !target)
		return;		/* a get, another limit, or not ours */
	res->mirrored = true;
	old = &target->t->rlim[r];
	if (ev->rlim_cur > ev->rlim_max) {
		res->ret = -EINVAL;
		return;
	}
	if (ev->rlim_max > old->max && !th->t->cap_sys_resource) {
		res->ret = -EPERM;
		return;
	}
	res->ret = 0;
	for (unsigned i = 0; i < tw->nth; i++)
		if (tw->th[i].proc == target->proc) {
			tw->th[i].t->rlim[r].cur = ev->rlim_cur;
			tw->th[i].t->rlim[r].max = ev->rlim_max;
		}
}

int mmt_twin_apply(struct mmt_twin *tw, const struct mmt_twin_event *ev,
		   struct mmt_twin_result *res)
{
	const struct mmt_syscall *e = mmt_sys_by_nr(ev->abi, ev->nr);
	struct twin_thread *th = thread_of(tw, ev->tid);
	struct mmt_sys_ctx ctx = { .m = tw->m, .abi = ev->abi };
	struct mmt_sys_call call;
	struct mmt_twin_proc *pr;
	uint64_t shm_len = 0;
	const char *n;
	FILE *tf;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	if (!e)
		return 0;	/* not in the table: nothing memory-relevant */
	n = e->name;
	if (!th) {
		snprintf(res->note, sizeof(res->note), "%s by unknown tid %d",
			 n, ev->tid);
		return -ESRCH;
	}
	pr = &tw->procs[th->proc];
	trace_begin(tw, &tf);
	if (!strcmp(n, "execve") || !strcmp(n, "execveat")) {
		rc = do_execve(tw, th, ev, res);
		goto done;
	}
	if (!strcmp(n, "clone") || !strcmp(n, "clone3") || !strcmp(n, "fork")
	    || !strcmp(n, "vfork")) {
		rc = do_clone(tw, th, ev, res);
		goto done;
	}
	if (!strcmp(n, "exit") || !strcmp(n, "exit_group")) {
		pr->syscalls++;
		pr->agreed++;
		res->agreed = true;
		if (tw->record)
			record_step(tw, pr->tgid, ev, res);
		do_exit(tw, th, !strcmp(n, "exit_group"), res);
		res->agreed = true;
		trace_end(tw, tf, res);
		return 0;
	}
	if (!strcmp(n, "setrlimit") || !strcmp(n, "prlimit64")) {
		do_setrlimit(tw, th, ev, !strcmp(n, "prlimit64"), res);
		goto done;
	}
	if (!strcmp(n, "personality")) {
		res->mirrored = true;
		res->ret = th->t->personality;
		if ((uint32_t)ev->args[0] != 0xffffffffu && ev->ret >= 0)
			th->t->personality = (uint32_t)ev->args[0];
		goto done;
	}
	if (!e->handler)
		goto done;	/* wait4, kill, getrlimit...: not mirrored */

	mmt_sys_call_init(&call, ev->abi, e);
	call.nargs = MMT_SYS_MAX_ARGS;
	memcpy(call.args, ev->args, sizeof(call.args));
	if (!strcmp(n, "shmat") || !strcmp(n, "shmctl"))
		call.args[0] = (uint64_t)shm_to_model(tw, (int64_t)ev->args[0]);
	if (!strcmp(n, "ipc") && ((ev->args[0] & 0xffff) == 21 ||
				  (ev->args[0] & 0xffff) == 24))
		call.args[1] = (uint64_t)shm_to_model(tw, (int64_t)ev->args[1]);
	if (!strcmp(n, "shmdt"))
		shm_len = vma_len_at(th->t, ev->args[0]);
	if ((!strcmp(n, "mmap") || !strcmp(n, "mmap2")) &&
	    !(ev->args[3] & MAP_ANON_FLAG) && (int32_t)ev->args[4] >= 0 &&
	    ev->fd_path) {
		rc = install_fd(th->t, ev, (int)(int32_t)ev->args[4],
				res->note, sizeof(res->note));
		if (rc) {
			mmt_sys_call_release(&call);
			goto done;
		}
	}
	ctx.task = th->t;
	mmt_task_set_current(tw->m, th->t);
	res->mirrored = true;
	res->ret = mmt_sys_dispatch(&ctx, &call);
	if (ctx.err[0] && !res->note[0])
		snprintf(res->note, sizeof(res->note), "%s", ctx.err);
	mmt_sys_call_release(&call);
	if (!strcmp(n, "shmget") || (!strcmp(n, "ipc") &&
				     (ev->args[0] & 0xffff) == 23)) {
		if (ev->ret >= 0 && res->ret >= 0)
			shm_record(tw, ev->ret, res->ret);
	}
	if (!strcmp(n, "shmat") && is_addr(res->ret))
		shm_len = vma_len_at(th->t, (uint64_t)res->ret);
	call_range(e, ev, res->ret, shm_len, res);
done:
	if (res->mirrored) {
		bool ids = !strcmp(n, "shmget") ||
			   (!strcmp(n, "ipc") && (ev->args[0] & 0xffff) == 23);

		if (ids)
			res->agreed = (ev->ret >= 0) == (res->ret >= 0) &&
				      (ev->ret >= 0 || ev->ret == res->ret);
		else
			res->agreed = res->ret == ev->ret;
		pr = mmt_twin_proc_of(tw, ev->tid);
		if (!pr)
			pr = &tw->procs[0];
		pr->syscalls++;
		if (res->agreed)
			pr->agreed++;
		if (tw->record)
			record_step(tw, pr->tgid, ev, res);
	}
	trace_end(tw, tf, res);
	return rc;
}

/* ----------------------------------------------------------- trials */

/* The calls a trial can take: they change the VMAs and nothing else. */
static bool trial_call(const char *n)
{
	static const char *const ok[] = {
		"mmap", "mmap2", "munmap", "mprotect", "pkey_mprotect",
		"mremap", "brk", "madvise", "mlock", "mlock2", "munlock",
		"mseal", NULL
	};

	for (unsigned i = 0; ok[i]; i++)
		if (!strcmp(n, ok[i]))
			return true;
	return false;
}

bool mmt_twin_trialable(const struct mmt_twin_event *ev)
{
	const struct mmt_syscall *e = mmt_sys_by_nr(ev->abi, ev->nr);

	return e && e->handler && trial_call(e->name);
}

/* One call of a trial on the copy @t; its result. */
static int64_t trial_one(struct mmt_twin *tw, struct mmt_task *t,
			 const struct mmt_twin_event *ev)
{
	const struct mmt_syscall *e = mmt_sys_by_nr(ev->abi, ev->nr);
	struct mmt_sys_ctx ctx = { .m = tw->m, .abi = ev->abi, .task = t };
	struct mmt_sys_call call;
	char note[128];
	int64_t ret;

	if ((!strcmp(e->name, "mmap") || !strcmp(e->name, "mmap2")) &&
	    !(ev->args[3] & MAP_ANON_FLAG) && (int32_t)ev->args[4] >= 0 &&
	    ev->fd_path && install_fd(t, ev, (int)(int32_t)ev->args[4], note,
				      sizeof(note)))
		return INT64_MIN;
	mmt_sys_call_init(&call, ev->abi, e);
	call.nargs = MMT_SYS_MAX_ARGS;
	memcpy(call.args, ev->args, sizeof(call.args));
	mmt_task_set_current(tw->m, t);
	ret = mmt_sys_dispatch(&ctx, &call);
	mmt_sys_call_release(&call);
	return ret;
}

int mmt_twin_trial(struct mmt_twin *tw, const struct mmt_twin_event *ev,
		   size_t n)
{
	struct twin_thread *th = n ? thread_of(tw, ev[0].tid) : NULL;
	struct mmt_trial tr;
	FILE *trace;
	size_t i;
	int e = 0;

	if (!th)
		return -ESRCH;
	for (i = 0; i < n; i++)
		if (!mmt_twin_trialable(&ev[i]) || !thread_of(tw, ev[i].tid) ||
		    thread_of(tw, ev[i].tid)->proc != th->proc)
			return -EINVAL;
	/* the copy (mmt_trial_begin) has the same VMAs, bases and files,
	 * what placement and merges depend on; its trace is not the
	 * replay's */
	trace = tw->m->phys->trace;
	tw->m->phys->trace = NULL;
	e = mmt_trial_begin(&tr, th->t);
	if (e) {
		tw->m->phys->trace = trace;
		return e;
	}
	for (i = 0; i < n && trial_one(tw, tr.t, &ev[i]) == ev[i].ret; i++)
		;
	mmt_trial_end(&tr);
	mmt_task_set_current(tw->m, th->t);
	tw->m->phys->trace = trace;
	return (int)i;
}

/* ---------------------------------------------------------- resync */

int mmt_twin_resync(struct mmt_twin *tw, int tgid, const char *maps,
		    const char *smaps, const char *stat, char *err,
		    size_t errlen)
{
	struct mmt_twin_proc *pr = mmt_twin_proc_of(tw, tgid);
	int tids[256], ntid = 0, e = 0;
	struct mmt_task *old, *t, *lead;
	struct mmt_rlimit rlim[MMT_NR_RLIMITS];
	enum mmt_task_abi abi;
	unsigned per, proc;
	struct mmt_task caps;

	if (!pr || !pr->task) {
		snprintf(err, errlen, "resync: no process %d", tgid);
		return -1;
	}
	proc = (unsigned)(pr - tw->procs);
	old = pr->task;
	abi = old->abi;
	per = old->personality;
	mmt_task_copy_caps(&caps, old);
	memcpy(rlim, old->rlim, sizeof(rlim));
	for (unsigned i = 0; i < tw->nth;) {
		if (tw->th[i].proc == proc) {
			if (ntid < 256)
				tids[ntid++] = tw->th[i].tid;
			drop_thread(tw, &tw->th[i]);
			continue;
		}
		i++;
	}
	pr = &tw->procs[proc];
	lead = NULL;
	for (int i = 0; i < ntid; i++) {
		t = lead ? mmt_task_create_thread(lead, tids[i], &e)
			 : mmt_task_create(tw->m, abi, tids[i], &e);
		if (!t) {
			snprintf(err, errlen, "resync: task %d: %s", tids[i],
				 strerror(-e));
			return -1;
		}
		t->personality = per;
		mmt_task_copy_caps(t, &caps);
		memcpy(t->rlim, rlim, sizeof(rlim));
		if (!lead) {
			mmt_task_pick_mmap_layout(t);
			if (mmt_task_seed(t, maps, smaps, stat, err, errlen)) {
				mmt_task_exit(t);
				return -1;
			}
			lead = t;
		}
		if (add_thread(tw, tids[i], proc, t)) {
			mmt_task_exit(t);
			snprintf(err, errlen, "resync: out of memory");
			return -1;
		}
	}
	pr->exited = false;
	pr->resyncs++;
	return 0;
}

/* --------------------------------------------------------- printing */

size_t mmt_twin_format(char *buf, size_t size, const struct mmt_twin_event *ev)
{
	const struct mmt_syscall *e = mmt_sys_by_nr(ev->abi, ev->nr);
	struct mmt_sys_call call;
	size_t len;

	mmt_sys_call_init(&call, ev->abi, e);
	call.nr = ev->nr;
	call.nargs = MMT_SYS_MAX_ARGS;
	memcpy(call.args, ev->args, sizeof(call.args));
	if (e && (!strcmp(e->name, "execve") || !strcmp(e->name, "execveat"))
	    && ev->path) {
		unsigned slot = !strcmp(e->name, "execveat") ? 1 : 0;

		call.val[slot].str = ev->path;
		call.val[slot].len = strlen(ev->path);
		call.val[slot].flags = MMT_SYS_VAL_STR;
	}
	if (ev->fd_name || ev->fd_path) {
		const char *p = ev->fd_name ? ev->fd_name : ev->fd_path;

		call.val[4].str = p;
		call.val[4].len = strlen(p);
		call.val[4].flags = MMT_SYS_VAL_STR;
	}
	call.has_ret = true;
	if (e && e->ret == MMT_SYS_RET_NONE) {
		call.ret_unknown = true;
	} else if (ev->ret < 0 && ev->ret >= -4095) {
		call.ret = -1;
		call.err = (int)-ev->ret;
	} else {
		call.ret = ev->ret;
	}
	len = mmt_sys_format_call(buf, size, &call, -1);
	call.val[0].str = call.val[1].str = call.val[4].str = NULL;
	mmt_sys_call_release(&call);
	return len;
}
