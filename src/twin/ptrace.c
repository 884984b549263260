// SPDX-License-Identifier: MIT
/*
 * The shadow's tracer: a real program under ptrace, its memory syscalls
 * mirrored into the model (mirror.c) and compared at every step.
 *
 *   fork ── child: personality(ADDR_NO_RANDOMIZE), wait on a pipe, execve
 *   PTRACE_SEIZE (TRACESYSGOOD|TRACEEXEC|TRACECLONE|TRACEFORK|TRACEVFORK|
 *                 TRACEEXIT|EXITKILL), PTRACE_INTERRUPT, PTRACE_SYSCALL
 *   waitpid(-1, __WALL) loop, one stop at a time:
 *     syscall entry   PTRACE_GET_SYSCALL_INFO: arch, nr, args; for execve the
 *                     path, argv, envp read from the tracee; for an mmap of an
 *                     fd /proc/TID/fd/N and its mode; clone3's flags; exit and
 *                     exit_group are applied here (they never return)
 *     syscall exit    the event goes to mmt_twin_apply(), then the compare
 *     EVENT_FORK/     the child is created in the model now (the parent's
 *     VFORK/CLONE     mm as it is at the fork); its first stop waits for it
 *     EVENT_EXEC      a non-leader's exec takes the leader's tid
 *     EVENT_STOP      group-stop: PTRACE_LISTEN; a new child's first stop
 *     signal stop     the signal is passed through unchanged
 *
 * What is compared when:
 *   - every mirrored call: the model's result with the kernel's;
 *   - then the maps of the range the call can have changed, with the VMA
 *     just below it and the one at or after its end (PROCMAP_QUERY on
 *     /proc/TGID/maps; the model's lines from the same definition);
 *   - the whole /proc/PID/maps text after each execve, of a new process
 *     at its fork, and at exit_group of a single-threaded process.
 * The stack grows by page faults, which ptrace does not report: when the
 * real [stack] starts below the model's, the model takes the fault at the
 * real stack's lowest page (mmt_task_access; expand_stack decides).
 *
 * The tracer never leaves a tracee stopped: on its own error it detaches
 * from every thread (those it holds in a stop at once, the others at the
 * stop a PTRACE_INTERRUPT brings; signals passed on) and waits for the
 * program untraced (o->fail_at injects such an error); at --timeout it
 * kills the program (SIGKILL) and reaps it.
 */
#define _GNU_SOURCE
#include "twin/shadow.h"
#include "twin/progress.h"
#include "twin/report.h"

#include <mmtwin/pgtable.h>
#include <mmtwin/render.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define AUDIT_ARCH_X86_64_	0xc000003eu
#define AUDIT_ARCH_I386_	0x40000003u

/* include/uapi/linux/fs.h (6.11+): not in every libc's headers yet */
struct sh_procmap_query {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start;
	uint64_t vma_end;
	uint64_t vma_flags;
	uint64_t vma_page_size;
	uint64_t vma_offset;
	uint64_t inode;
	uint32_t dev_major;
	uint32_t dev_minor;
	uint32_t vma_name_size;
	uint32_t build_id_size;
	uint64_t vma_name_addr;
	uint64_t build_id_addr;
};
#define SH_PROCMAP_QUERY	_IOWR('f', 17, struct sh_procmap_query)
#define SH_PMQ_READ		0x01
#define SH_PMQ_WRITE		0x02
#define SH_PMQ_EXEC		0x04
#define SH_PMQ_SHARED		0x08
#define SH_PMQ_COVERING_OR_NEXT	0x10

#define SH_CLONE_VM		0x00000100ULL
#define SH_CLONE_VFORK		0x00004000ULL
#define SH_SIGCHLD		17ULL

struct sh_thread {
	int tid, tgid;
	bool known;		/* the twin has it */
	bool started;		/* its first stop was seen */
	bool held;		/* stopped, waiting for its parent's event */
	bool stopped;		/* in a ptrace-stop the tracer has seen and
				 * not resumed (also when a resume failed) */
	bool gone;
	bool serial;		/* its call is one the mirror applies */
	bool in_flight;		/* in such a call, in the kernel now */
	bool waiting;		/* held at its entry stop: another thread of
				 * the process is in such a call */
	bool scanned_at_entry;	/* the faults were caught up at the entry */
	bool park_pending;	/* asked to stop while another thread's memory
				 * call runs (no faults meanwhile) */
	bool parked;		/* so stopped; resumed with park_op/park_sig */
	int park_op, park_sig;
	int stop_sig;		/* stopped: the signal its resume or detach
				 * must pass on (a signal-delivery-stop's) */
	bool fail_resume;	/* the testing seam: its resume fails */
	/* the syscall in progress (entry seen) */
	bool in_call;
	bool relevant;
	bool clone_done;	/* applied at the PTRACE_EVENT stop */
	struct mmt_twin_event ev;
	const struct mmt_syscall *entry;
	char *path, *cwd, *fd_name;
	char **argv, **envp;
	char fd_path[64];
};

struct sh_mapsfd {
	int tgid, fd, pagemap;
};

struct sh {
	struct mmt_twin *tw;
	const struct mmt_shadow_opts *o;
	struct mmt_shadow_stats *st;
	FILE *out;
	int child;
	struct sh_thread *th;
	unsigned nth, cap;
	struct sh_mapsfd *mfd;
	unsigned nmfd, capmfd;
	struct sh_thread *stopper;	/* its call runs once the others of its
					 * process are parked */
	unsigned nparking;	/* interrupts not yet answered */
	bool stop_mirroring;	/* after the first divergence without
				 * --keep-going: detach */
	bool json;
	struct timespec t0;	/* the start (--timeout) */
	struct mmt_progress prog;
	unsigned long nstops;	/* every stop seen (o->fail_at counts) */
	uint64_t zero_pfn;	/* the host's empty_zero_page (0: unknown) */
	uint64_t pm[512];	/* pagemap entries being read */
	char namebuf[4352];
};

/* ------------------------------------------------------------ helpers */

static struct sh_thread *sh_find(struct sh *s, int tid)
{
	for (unsigned i = 0; i < s->nth; i++)
		if (s->th[i].tid == tid && !s->th[i].gone)
			return &s->th[i];
	return NULL;
}

static struct sh_thread *sh_add(struct sh *s, int tid)
{
	struct sh_thread *t;

	for (unsigned i = 0; i < s->nth; i++)
		if (s->th[i].gone) {
			memset(&s->th[i], 0, sizeof(s->th[i]));
			s->th[i].tid = tid;
			return &s->th[i];
		}
	if (s->nth == s->cap) {
		unsigned n = s->cap ? 2 * s->cap : 16;
		struct sh_thread *p = realloc(s->th, n * sizeof(*p));

		if (!p)
			return NULL;
		s->th = p;
		s->cap = n;
	}
	t = &s->th[s->nth++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	return t;
}

static void call_clear(struct sh_thread *t)
{
	free(t->path);
	free(t->cwd);
	free(t->fd_name);
	mmt_twin_strv_free(t->argv);
	mmt_twin_strv_free(t->envp);
	t->path = t->cwd = t->fd_name = NULL;
	t->argv = t->envp = NULL;
	t->fd_path[0] = 0;
	t->in_call = t->relevant = t->clone_done = t->serial = false;
	t->scanned_at_entry = false;
	t->entry = NULL;
}

static int tgid_of(int tid)
{
	char p[64], buf[512];
	int fd, tg = tid;
	ssize_t n;
	char *q;

	snprintf(p, sizeof(p), "/proc/%d/status", tid);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tid;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return tid;
	buf[n] = 0;
	q = strstr(buf, "\nTgid:");
	if (q)
		tg = atoi(q + 6);
	return tg > 0 ? tg : tid;
}

static size_t read_mem(int tid, uint64_t addr, void *buf, size_t len)
{
	struct iovec l = { buf, len }, r = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(tid, &l, 1, &r, 1, 0);

	return n < 0 ? 0 : (size_t)n;
}

/*
 * The tracee's memory read through a 16 KiB window: an execve's path,
 * argv and envp are mostly side by side (the strings on the caller's
 * stack or heap), so one process_vm_readv serves many of them instead of
 * two per string (a shell's PATH search execs many times with the whole
 * environment).
 */
struct tracee_reader {
	int tid;
	uint64_t base;		/* the window: [base, base + len) */
	size_t len;
	char buf[16384];
};

/* The window at @addr: one remote iovec per page, as process_vm_readv
 * transfers whole iovecs only (it stops at the first page not mapped). */
static size_t rd_fill(int tid, uint64_t addr, char *buf, size_t len)
{
	struct iovec l = { buf, len }, rv[8];
	unsigned n = 0;
	size_t off = 0;
	ssize_t got;

	while (off < len && n < 8) {
		size_t k = 4096 - (size_t)((addr + off) & 4095);

		if (k > len - off)
			k = len - off;
		rv[n].iov_base = (void *)(uintptr_t)(addr + off);
		rv[n++].iov_len = k;
		off += k;
	}
	l.iov_len = off;
	got = process_vm_readv(tid, &l, 1, rv, n, 0);
	return got < 0 ? 0 : (size_t)got;
}

/* Up to @n bytes at @addr into @out (fewer where the memory ends). */
static size_t rd_get(struct tracee_reader *r, uint64_t addr, void *out,
		     size_t n)
{
	size_t got = 0;

	while (got < n) {
		uint64_t a = addr + got;
		size_t k;

		if (a < r->base || a >= r->base + r->len) {
			r->base = a;
			r->len = rd_fill(r->tid, a, r->buf, sizeof(r->buf));
			if (!r->len)
				break;
		}
		k = r->base + r->len - a;
		if (k > n - got)
			k = n - got;
		memcpy((char *)out + got, r->buf + (a - r->base), k);
		got += k;
	}
	return got;
}

/* A NUL-terminated string of the tracee (at most 1 MiB). */
static char *rd_str(struct tracee_reader *r, uint64_t addr)
{
	size_t cap = 256, len = 0;
	char *s;

	if (!addr)
		return NULL;
	s = malloc(cap);
	while (s) {
		char c;

		if (rd_get(r, addr + len, &c, 1) != 1 || len > (1u << 20))
			c = 0;
		if (len + 1 >= cap) {
			char *p = realloc(s, cap *= 2);

			if (!p)
				break;
			s = p;
		}
		s[len++] = c;
		if (!c)
			return s;
	}
	free(s);
	return NULL;
}

/* argv/envp: pointers of @wsize bytes up to NULL. */
static char **rd_strv(struct tracee_reader *r, uint64_t addr, unsigned wsize)
{
	size_t n = 0, cap = 16;
	char **v = calloc(cap, sizeof(*v));

	if (!v)
		return NULL;
	while (addr) {
		uint64_t p = 0;

		if (rd_get(r, addr + n * wsize, &p, wsize) != wsize || !p)
			break;
		if (n + 2 > cap) {
			char **q = realloc(v, 2 * cap * sizeof(*v));

			if (!q)
				break;
			v = q;
			cap *= 2;
		}
		v[n] = rd_str(r, p);
		if (!v[n])
			break;
		v[++n] = NULL;
		if (n > (1u << 20))
			break;
	}
	v[n] = NULL;
	return v;
}

static char *read_link(const char *path)
{
	char buf[4200];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0)
		return NULL;
	buf[n] = 0;
	return strdup(buf);
}

static unsigned fd_mode_of(int tid, int fd)
{
	char p[64], buf[512], *q;
	unsigned long flags = 0;
	ssize_t n;
	int f;

	snprintf(p, sizeof(p), "/proc/%d/fdinfo/%d", tid, fd);
	f = open(p, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return MMT_FMODE_READ;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return MMT_FMODE_READ;
	buf[n] = 0;
	q = strstr(buf, "flags:");
	if (q)
		flags = strtoul(q + 6, NULL, 8);
	switch (flags & O_ACCMODE) {
	case O_WRONLY:
		return MMT_FMODE_WRITE;
	case O_RDWR:
		return MMT_FMODE_READ | MMT_FMODE_WRITE;
	default:
		return MMT_FMODE_READ;
	}
}

static char *slurp(const char *path)
{
	size_t cap = 65536, len = 0;
	char *b = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (!b || fd < 0) {
		free(b);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, b + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 4096) {
			char *p = realloc(b, cap * 2);

			if (!p)
				break;
			b = p;
			cap *= 2;
		}
	}
	close(fd);
	b[len] = 0;
	return b;
}

static char *proc_text(int pid, const char *what)
{
	char p[64];

	snprintf(p, sizeof(p), "/proc/%d/%s", pid, what);
	return slurp(p);
}

/* ------------------------------------------------------ maps compare */

static int maps_fd(struct sh *s, int tgid)
{
	char p[64];
	int fd;

	for (unsigned i = 0; i < s->nmfd; i++)
		if (s->mfd[i].tgid == tgid)
			return s->mfd[i].fd;
	snprintf(p, sizeof(p), "/proc/%d/maps", tgid);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (s->nmfd == s->capmfd) {
		unsigned n = s->capmfd ? 2 * s->capmfd : 8;
		struct sh_mapsfd *q = realloc(s->mfd, n * sizeof(*q));

		if (!q) {
			close(fd);
			return -1;
		}
		s->mfd = q;
		s->capmfd = n;
	}
	s->mfd[s->nmfd].tgid = tgid;
	s->mfd[s->nmfd].fd = fd;
	s->mfd[s->nmfd].pagemap = -1;
	s->nmfd++;
	return fd;
}

static int pagemap_fd(struct sh *s, int tgid)
{
	char p[64];

	if (maps_fd(s, tgid) < 0)
		return -1;
	for (unsigned i = 0; i < s->nmfd; i++)
		if (s->mfd[i].tgid == tgid) {
			if (s->mfd[i].pagemap < 0) {
				snprintf(p, sizeof(p), "/proc/%d/pagemap", tgid);
				s->mfd[i].pagemap = open(p, O_RDONLY | O_CLOEXEC);
			}
			return s->mfd[i].pagemap;
		}
	return -1;
}

/* The mm changed under the fd (exec) or the process went. */
static void maps_fd_drop(struct sh *s, int tgid)
{
	for (unsigned i = 0; i < s->nmfd; i++)
		if (s->mfd[i].tgid == tgid) {
			close(s->mfd[i].fd);
			if (s->mfd[i].pagemap >= 0)
				close(s->mfd[i].pagemap);
			s->mfd[i] = s->mfd[--s->nmfd];
			return;
		}
}

/* A list of normalised map lines. */
struct sh_lines {
	char **l;
	uint64_t *start;
	unsigned n, cap;
};

static void lines_add(struct sh_lines *L, uint64_t start, const char *text)
{
	if (L->n == L->cap) {
		unsigned c = L->cap ? 2 * L->cap : 16;
		char **p = realloc(L->l, c * sizeof(*p));
		uint64_t *q;

		if (!p)
			return;
		L->l = p;
		q = realloc(L->start, c * sizeof(*q));
		if (!q)
			return;
		L->start = q;
		L->cap = c;
	}
	L->l[L->n] = strdup(text);
	L->start[L->n] = start;
	if (L->l[L->n])
		L->n++;
}

static void lines_free(struct sh_lines *L)
{
	for (unsigned i = 0; i < L->n; i++)
		free(L->l[i]);
	free(L->l);
	free(L->start);
	memset(L, 0, sizeof(*L));
}

static void norm_line(char *buf, size_t len, uint64_t start, uint64_t end,
		      const char *perms, uint64_t off, unsigned maj,
		      unsigned min, uint64_t ino, const char *name)
{
	snprintf(buf, len, "%08llx-%08llx %s %08llx %02x:%02x %llu%s%s",
		 (unsigned long long)start, (unsigned long long)end, perms,
		 (unsigned long long)off, maj, min, (unsigned long long)ino,
		 name && *name ? " " : "", name ? name : "");
}

/* One real VMA at or after @addr (@flags: 0 covering only). */
static int real_query(struct sh *s, int fd, uint64_t addr, uint64_t flags,
		      struct sh_procmap_query *q)
{
	memset(q, 0, sizeof(*q));
	q->size = sizeof(*q);
	q->query_flags = flags;
	q->query_addr = addr;
	q->vma_name_addr = (uint64_t)(uintptr_t)s->namebuf;
	q->vma_name_size = sizeof(s->namebuf);
	return ioctl(fd, SH_PROCMAP_QUERY, q);
}

static void real_line(struct sh *s, const struct sh_procmap_query *q,
		      struct sh_lines *L)
{
	char perms[5], buf[4600];

	perms[0] = q->vma_flags & SH_PMQ_READ ? 'r' : '-';
	perms[1] = q->vma_flags & SH_PMQ_WRITE ? 'w' : '-';
	perms[2] = q->vma_flags & SH_PMQ_EXEC ? 'x' : '-';
	perms[3] = q->vma_flags & SH_PMQ_SHARED ? 's' : 'p';
	perms[4] = 0;
	norm_line(buf, sizeof(buf), q->vma_start, q->vma_end, perms,
		  q->vma_offset, q->dev_major, q->dev_minor, q->inode,
		  q->vma_name_size ? s->namebuf : "");
	lines_add(L, q->vma_start, buf);
}

/* The real VMAs: the one covering lo-1, those meeting [lo, hi), and the
 * first at or after hi.  -1 if PROCMAP_QUERY fails (old kernel). */
static int real_range(struct sh *s, int tgid, uint64_t lo, uint64_t hi,
		      struct sh_lines *L)
{
	struct sh_procmap_query q;
	int fd = maps_fd(s, tgid);
	uint64_t addr = lo;

	if (fd < 0)
		return -1;
	if (lo && !real_query(s, fd, lo - 1, 0, &q))
		real_line(s, &q, L);
	else if (lo && errno != ENOENT)
		return -1;
	for (;;) {
		if (real_query(s, fd, addr, SH_PMQ_COVERING_OR_NEXT, &q)) {
			if (errno == ENOENT)
				break;
			return -1;
		}
		if (q.vma_start < lo && lo) {
			/* covering lo-1 too: already listed */
		} else {
			real_line(s, &q, L);
		}
		if (q.vma_start >= hi || q.vma_end <= addr)
			break;
		addr = q.vma_end;
	}
	return 0;
}

/* The model's line of @v, normalised. */
static void model_line(struct sh *s, const struct mmt_task *t,
		       const struct mmt_vma *v, struct sh_lines *L)
{
	char *text = NULL, perms[8] = "", name[4300] = "", buf[4600];
	unsigned long long a, b, off, ino;
	unsigned maj, min;
	size_t len = 0;
	int used = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	mmt_maps_print_vma(t, v, f);
	fclose(f);
	if (sscanf(text, "%llx-%llx %7s %llx %x:%x %llu%n", &a, &b, perms,
		   &off, &maj, &min, &ino, &used) >= 7) {
		const char *p = text + used;

		while (*p == ' ')
			p++;
		snprintf(name, sizeof(name), "%s", p);
		name[strcspn(name, "\n")] = 0;
		if (!strncmp(name, "/SYSV", 5))
			ino = (unsigned long long)mmt_twin_shm_host_id(
				s->tw, (int64_t)ino);
		norm_line(buf, sizeof(buf), a, b, perms, off, maj, min, ino,
			  name);
		lines_add(L, a, buf);
	}
	free(text);
}

static void model_range(struct sh *s, const struct mmt_task *t, uint64_t lo,
			uint64_t hi, struct sh_lines *L)
{
	const struct mmt_vma *v;
	struct mmt_vma_info vi;
	uint64_t addr = lo;

	if (lo) {
		v = mmt_find_vma(t->mm, lo - 1);
		if (v) {
			mmt_vma_get_info(v, &vi);
			if (vi.vm_start <= lo - 1)
				model_line(s, t, v, L);
		}
	}
	for (v = mmt_find_vma(t->mm, addr); v; v = mmt_vma_next(v)) {
		mmt_vma_get_info(v, &vi);
		if (!(vi.vm_start < lo && lo))
			model_line(s, t, v, L);
		if (vi.vm_start >= hi)
			break;
	}
}

/* Split a maps text into lines (in place). */
static void text_lines(char *text, struct sh_lines *L)
{
	for (char *p = text; p && *p;) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = 0;
		lines_add(L, strtoull(p, NULL, 16), p);
		p = nl ? nl + 1 : NULL;
	}
}

static bool lines_equal(const struct sh_lines *a, const struct sh_lines *b)
{
	if (a->n != b->n)
		return false;
	for (unsigned i = 0; i < a->n; i++)
		if (strcmp(a->l[i], b->l[i]))
			return false;
	return true;
}

/* A unified diff of @a (the kernel) and @b (the model) into @f. */
static void udiff(FILE *f, const struct sh_lines *a, const struct sh_lines *b)
{
	unsigned pre = 0, suf = 0, na, nb;
	unsigned *dp;

	while (pre < a->n && pre < b->n && !strcmp(a->l[pre], b->l[pre]))
		pre++;
	while (suf < a->n - pre && suf < b->n - pre &&
	       !strcmp(a->l[a->n - 1 - suf], b->l[b->n - 1 - suf]))
		suf++;
	na = a->n - pre - suf;
	nb = b->n - pre - suf;
	fprintf(f, "--- kernel\n+++ model\n@@ -%u,%u +%u,%u @@\n",
		pre + 1 - (pre ? 1 : 0), na + (pre ? 1 : 0) + (suf ? 1 : 0),
		pre + 1 - (pre ? 1 : 0), nb + (pre ? 1 : 0) + (suf ? 1 : 0));
	if (pre)
		fprintf(f, " %s\n", a->l[pre - 1]);
	dp = (uint64_t)(na + 1) * (nb + 1) <= 4000000
	     ? calloc((size_t)(na + 1) * (nb + 1), sizeof(*dp)) : NULL;
	if (!dp) {
		for (unsigned i = 0; i < na; i++)
			fprintf(f, "-%s\n", a->l[pre + i]);
		for (unsigned i = 0; i < nb; i++)
			fprintf(f, "+%s\n", b->l[pre + i]);
	} else {
		/* LCS from the end: dp[i][j] for suffixes */
#define DP(i, j) dp[(size_t)(i) * (nb + 1) + (j)]
		for (unsigned i = na; i-- > 0;)
			for (unsigned j = nb; j-- > 0;)
				DP(i, j) = !strcmp(a->l[pre + i], b->l[pre + j])
					   ? DP(i + 1, j + 1) + 1
					   : (DP(i + 1, j) > DP(i, j + 1)
					      ? DP(i + 1, j) : DP(i, j + 1));
		unsigned i = 0, j = 0;

		while (i < na || j < nb) {
			if (i < na && j < nb &&
			    !strcmp(a->l[pre + i], b->l[pre + j])) {
				fprintf(f, " %s\n", a->l[pre + i]);
				i++, j++;
			} else if (j < nb && (i == na ||
					      DP(i, j + 1) >= DP(i + 1, j))) {
				fprintf(f, "+%s\n", b->l[pre + j++]);
			} else {
				fprintf(f, "-%s\n", a->l[pre + i++]);
			}
		}
#undef DP
		free(dp);
	}
	if (suf)
		fprintf(f, " %s\n", a->l[a->n - suf]);
}

/* ---------------------------------------------------------- reports */

/* The report is about to write to the terminal the line is on. */
static void progress_erase(struct sh *s)
{
	if (s->out == stderr)
		mmt_progress_erase(&s->prog);
}

static void print_divergence(struct sh *s, const struct mmt_twin_event *ev,
			     const struct mmt_twin_result *res,
			     const char *what, const char *diff)
{
	char call[4096];

	s->st->divergences++;
	if (s->st->divergences > (s->o->max_diverge ? s->o->max_diverge : 20))
		return;
	progress_erase(s);
	mmt_twin_format(call, sizeof(call), ev);
	if (s->json) {
		struct mmt_json j;

		mmt_json_init(&j, s->out);
		mmt_json_begin_obj(&j, NULL);
		mmt_json_str(&j, "divergence", what);
		mmt_json_i64(&j, "pid", ev->pid);
		mmt_json_i64(&j, "tid", ev->tid);
		mmt_json_str(&j, "abi", mmt_abi_name(ev->abi));
		mmt_json_str(&j, "syscall", call);
		mmt_json_i64(&j, "kernel", ev->ret);
		mmt_json_i64(&j, "model", res->ret);
		mmt_json_str(&j, "note", res->note);
		mmt_json_str(&j, "diff", diff ? diff : "");
		mmt_json_str(&j, "trace", res->trace ? res->trace : "");
		mmt_json_end_obj(&j);
		mmt_json_finish(&j);
		return;
	}
	fprintf(s->out, "divergence (%s) in pid %d (tid %d, %s):\n  %s\n",
		what, ev->pid, ev->tid, mmt_abi_name(ev->abi), call);
	if (res->ret != ev->ret)
		fprintf(s->out, "  kernel: %lld, model: %lld%s%s\n",
			(long long)ev->ret, (long long)res->ret,
			res->note[0] ? "  # " : "", res->note);
	else if (res->note[0])
		fprintf(s->out, "  # %s\n", res->note);
	if (diff)
		fputs(diff, s->out);
	if (res->trace && *res->trace)
		fprintf(s->out, "model trace:\n%s", res->trace);
	else
		fprintf(s->out, "model trace: (no decisions traced)\n");
}

static char *diff_text(const struct sh_lines *a, const struct sh_lines *b)
{
	char *t = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&t, &len);

	if (!f)
		return NULL;
	udiff(f, a, b);
	fclose(f);
	return t;
}

/* Let the model's stack take the faults the real one took. */
static bool stack_catch_up(struct sh *s, struct mmt_task *t, int tgid)
{
	const struct mmt_vma *v;
	struct mmt_vma_info vi;
	struct sh_procmap_query q;
	int fd = maps_fd(s, tgid);
	bool changed = false;

	if (fd < 0)
		return false;
	for (v = mmt_vma_first(t->mm); v; v = mmt_vma_next(v)) {
		mmt_vma_get_info(v, &vi);
		if (!(vi.vm_flags & MMT_VM_GROWSDOWN))
			continue;
		if (real_query(s, fd, vi.vm_start, 0, &q))
			continue;
		if (q.vma_start < vi.vm_start && q.vma_end == vi.vm_end) {
			struct mmt_siginfo si;
			uint64_t a = q.vma_start;

			if (mmt_task_access(t, a, MMT_ACCESS_READ, NULL, &si))
				continue;
			changed = true;
			break;	/* the VMA list changed under us */
		}
	}
	return changed;
}

#define PM_PRESENT	(1ULL << 63)
#define PM_SWAP		(1ULL << 62)
#define PM_FILE		(1ULL << 61)
#define PM_EXCLUSIVE	(1ULL << 56)
#define PM_PFN		((1ULL << 55) - 1)

/* The first page of [start, end) of the real process holding an anonymous
 * page (present or swapped, not a file page, not the zero page); 0. */
static uint64_t real_anon_page(struct sh *s, int tgid, uint64_t start,
			       uint64_t end)
{
	int fd = pagemap_fd(s, tgid);
	uint64_t limit = start + (65536ULL << 12);

	if (fd < 0)
		return 0;
	if (end > limit)
		end = limit;
	for (uint64_t a = start; a < end;) {
		size_t n = (size_t)((end - a) >> 12);
		ssize_t got;

		if (n > 512)
			n = 512;
		got = pread(fd, s->pm, n * 8, (off_t)((a >> 12) * 8));
		if (got <= 0)
			return 0;
		for (size_t i = 0; i < (size_t)got / 8; i++) {
			uint64_t e = s->pm[i];

			if (e & PM_FILE)
				continue;
			if ((e & PM_SWAP) ||
			    ((e & PM_PRESENT) &&
			     ((e & PM_PFN) ? (e & PM_PFN) != s->zero_pfn
					   : !!(e & PM_EXCLUSIVE))))
				return a + ((uint64_t)i << 12);
		}
		a += (uint64_t)got / 8 << 12;
	}
	return 0;
}

/*
 * The faults ptrace did not report, for the VMAs a call meets: a model VMA
 * without an anon_vma whose real pages include an anonymous one takes the
 * write fault there (VMAs merge only with compatible anon_vmas).
 */
static void anon_catch_up(struct sh *s, struct sh_thread *t, uint64_t lo,
			  uint64_t hi)
{
	struct mmt_task *mt = mmt_twin_task(s->tw, t->tid);
	uint64_t stack_todo[64], *todo = stack_todo;
	unsigned n = 0, cap = 64;
	const struct mmt_vma *v;
	struct mmt_vma_info vi;

	if (!mt || lo >= hi)
		return;
	v = mmt_find_vma(mt->mm, lo ? lo - 1 : 0);
	for (; v; v = mmt_vma_next(v)) {
		if (n + 2 > cap) {
			uint64_t *p = malloc(2 * cap * sizeof(*p));

			if (!p)
				break;
			memcpy(p, todo, n * sizeof(*p));
			if (todo != stack_todo)
				free(todo);
			todo = p;
			cap *= 2;
		}
		mmt_vma_get_info(v, &vi);
		if (vi.vm_start > hi)
			break;
		if (vi.anon_vma || (vi.vm_flags & MMT_VM_SHARED) ||
		    vi.special || !(vi.vm_flags & (MMT_VM_READ | MMT_VM_WRITE |
						   MMT_VM_EXEC)))
			continue;
		todo[n++] = vi.vm_start;
		todo[n++] = vi.vm_end;
	}
	for (unsigned i = 0; i + 1 < n; i += 2) {
		uint64_t a = real_anon_page(s, t->tgid, todo[i], todo[i + 1]);

		if (a)
			mmt_twin_fault(s->tw, t->tid, a, true);
	}
	if (todo != stack_todo)
		free(todo);
}

/* The host's zero page: read-fault a page of our own and look. */
static uint64_t host_zero_pfn(void)
{
	volatile uint8_t *p = mmap(NULL, 4096, PROT_READ,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t e = 0;
	int fd;

	if (p == MAP_FAILED)
		return 0;
	(void)p[0];
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (pread(fd, &e, 8, (off_t)(((uintptr_t)p >> 12) * 8)) != 8)
			e = 0;
		close(fd);
	}
	munmap((void *)p, 4096);
	return (e & PM_PRESENT) ? e & PM_PFN : 0;
}

static void resync(struct sh *s, int tgid)
{
	char *maps = proc_text(tgid, "maps"), *smaps = proc_text(tgid, "smaps");
	char *stat = proc_text(tgid, "stat"), err[512];

	if (maps && mmt_twin_resync(s->tw, tgid, maps, smaps, stat, err,
				    sizeof(err)))
		fprintf(s->out, "mmtwin shadow: resync of %d failed: %s\n",
			tgid, err);
	free(maps);
	free(smaps);
	free(stat);
}

/*
 * --aslr: the model takes the randomised image over (a resync from the
 * real maps), and its mmap_base is where the kernel's top-down mmap area
 * starts: the end of the highest VMA below [stack] (the interpreter, or
 * the vDSO of a static program, was the first placed under mmap_base).
 */
static void adopt_layout(struct sh *s, int tgid)
{
	struct mmt_task *t;
	const struct mmt_vma *v;
	struct mmt_vma_info vi;
	uint64_t stack = 0, top = 0;

	resync(s, tgid);
	t = mmt_twin_task(s->tw, tgid);
	if (!t)
		return;
	for (v = mmt_vma_first(t->mm); v; v = mmt_vma_next(v)) {
		mmt_vma_get_info(v, &vi);
		if (vi.vm_flags & MMT_VM_GROWSDOWN)
			stack = vi.vm_start;
	}
	for (v = mmt_vma_first(t->mm); v; v = mmt_vma_next(v)) {
		mmt_vma_get_info(v, &vi);
		if (stack && vi.vm_end < stack && !(vi.vm_flags & MMT_VM_GROWSDOWN))
			top = vi.vm_end;
	}
	if (top)
		t->mm->mmap_base = top;
}

/* After a divergence: go on (--keep-going) or stop mirroring. */
static void diverged(struct sh *s, int tgid)
{
	struct mmt_twin_proc *pr = mmt_twin_proc_of(s->tw, tgid);

	if (pr && pr->agreed)
		pr->agreed--;	/* the call agreed, its maps did not */
	if (s->o->keep_going)
		resync(s, tgid);
	else
		s->stop_mirroring = true;
}

/* The whole maps text of @tgid against the model's. */
static void compare_whole(struct sh *s, const struct mmt_twin_event *ev,
			  const struct mmt_twin_result *res, int tgid,
			  const char *what, bool count_back)
{
	struct mmt_task *t = mmt_twin_task(s->tw, tgid);
	struct sh_lines a = { 0 }, b = { 0 };
	char *real, *model;

	if (!t)
		return;
	for (int tries = 0; tries < 4; tries++) {
		real = proc_text(tgid, "maps");
		model = mmt_twin_maps(s->tw, tgid);
		if (!real || !model || !strcmp(real, model) ||
		    !stack_catch_up(s, t, tgid))
			break;
		free(real);
		free(model);
	}
	if (real && model && strcmp(real, model)) {
		char *d;

		text_lines(real, &a);
		text_lines(model, &b);
		d = diff_text(&a, &b);
		print_divergence(s, ev, res, what, d);
		mmt_twin_step_diverged(s->tw, tgid, d);
		free(d);
		lines_free(&a);
		lines_free(&b);
		if (count_back)
			diverged(s, tgid);
		else if (s->o->keep_going)
			resync(s, tgid);
		else
			s->stop_mirroring = true;
	}
	free(real);
	free(model);
}

static void compare_range(struct sh *s, const struct mmt_twin_event *ev,
			  const struct mmt_twin_result *res)
{
	struct mmt_task *t = mmt_twin_task(s->tw, ev->tid);
	struct sh_lines a = { 0 }, b = { 0 };

	if (!t)
		return;
	for (int tries = 0; tries < 3; tries++) {
		lines_free(&a);
		lines_free(&b);
		if (real_range(s, ev->pid, res->lo, res->hi, &a)) {
			/* no PROCMAP_QUERY: the whole file instead */
			lines_free(&a);
			compare_whole(s, ev, res, ev->pid, "maps", true);
			return;
		}
		model_range(s, t, res->lo, res->hi, &b);
		if (lines_equal(&a, &b) || !stack_catch_up(s, t, ev->pid))
			break;
	}
	if (!lines_equal(&a, &b)) {
		char *d = diff_text(&a, &b);

		print_divergence(s, ev, res, "maps", d);
		mmt_twin_step_diverged(s->tw, ev->pid, d);
		free(d);
		diverged(s, ev->pid);
	}
	lines_free(&a);
	lines_free(&b);
}

static double elapsed(const struct timespec *a)
{
	struct timespec n;

	clock_gettime(CLOCK_MONOTONIC, &n);
	return (double)(n.tv_sec - a->tv_sec) +
	       (double)(n.tv_nsec - a->tv_nsec) / 1e9;
}

/* The progress line (o->progress), counted in syscall stops. */
static void progress(struct sh *s)
{
	uint64_t n = 0, ok = 0;
	struct mmt_twin_proc *p;

	if (!s->o->progress || !mmt_progress_due(&s->prog, s->st->stops))
		return;
	for (unsigned i = 0; (p = mmt_twin_proc_at(s->tw, i)); i++) {
		n += p->syscalls;
		ok += p->agreed;
	}
	mmt_progress_show(&s->prog, "mmtwin shadow: %llu syscalls mirrored, "
			  "%llu agreed, %u processes ", (unsigned long long)n,
			  (unsigned long long)ok, s->st->processes);
}

/* ------------------------------------------------------ the stops */

/* The tracer's own error; the first one is the one reported.  The main
 * loop stops at it and detach_all lets the program go. */
static void tracer_failed(struct sh *s, int tid, const char *why)
{
	if (!s->st->error[0])
		snprintf(s->st->error, sizeof(s->st->error), "ptrace on %d: %s",
			 tid, why);
	s->st->tracer_error = true;
}

/* The signal a stop holds for the tracee: a signal-delivery-stop's, 0 for
 * a syscall stop and a PTRACE_EVENT stop (group-stops included: the
 * kernel keeps a group-stop across a detach by itself). */
static int stop_signal(int status)
{
	int sig = WSTOPSIG(status);

	if (sig == (SIGTRAP | 0x80) || status >> 16)
		return 0;
	return sig;
}

/* @t is in a new stop.  Every stop is counted: the testing seam
 * (o->fail_at) makes the resume out of the Nth one fail, whenever it
 * comes (at once, or when a held, waiting or parked thread is let go). */
static void stop_seen(struct sh *s, struct sh_thread *t, int status)
{
	t->stopped = true;
	t->stop_sig = stop_signal(status);
	t->fail_resume = ++s->nstops == s->o->fail_at;
}

/* A ptrace request about @t's stop failed.  ESRCH: the thread was killed
 * meanwhile, it is in no stop now and its exit is on the way; true, go
 * on.  Anything else is the tracer's error, @t left in its stop. */
static bool stop_request_failed(struct sh *s, struct sh_thread *t)
{
	if (errno == ESRCH) {
		t->stopped = false;
		return true;
	}
	tracer_failed(s, t->tid, strerror(errno));
	return false;
}

static bool is_name(const struct mmt_syscall *e, const char *n)
{
	return e && !strcmp(e->name, n);
}

/*
 * The new limit of a setrlimit or prlimit64, from the caller's memory:
 * prlimit64 takes struct rlimit64 in either ABI; setrlimit a native
 * struct rlimit (two longs: compat's are 32-bit, infinity 0xffffffff).
 */
static void read_rlimit(struct sh_thread *t, bool prlimit)
{
	uint64_t ptr = t->ev.args[prlimit ? 2 : 1];

	t->ev.rlim_set = false;
	if (!ptr)
		return;
	if (prlimit || t->ev.abi == MMT_ABI_X86_64) {
		uint64_t v[2];

		if (read_mem(t->tid, ptr, v, sizeof(v)) != sizeof(v))
			return;
		t->ev.rlim_cur = v[0];
		t->ev.rlim_max = v[1];
	} else {
		uint32_t v[2];

		if (read_mem(t->tid, ptr, v, sizeof(v)) != sizeof(v))
			return;
		t->ev.rlim_cur = v[0] == UINT32_MAX ? MMT_RLIM_INFINITY : v[0];
		t->ev.rlim_max = v[1] == UINT32_MAX ? MMT_RLIM_INFINITY : v[1];
	}
	t->ev.rlim_set = true;
}

/* An execve's path, argv and envp (@o: execveat's dirfd before them). */
static void read_exec_args(struct sh_thread *t, unsigned o, unsigned wsize)
{
	struct tracee_reader *rd = malloc(sizeof(*rd));

	if (!rd)
		return;
	rd->tid = t->tid;
	rd->base = rd->len = 0;
	t->path = rd_str(rd, t->ev.args[o]);
	t->argv = rd_strv(rd, t->ev.args[o + 1], wsize);
	t->envp = rd_strv(rd, t->ev.args[o + 2], wsize);
	free(rd);
}

static void on_entry(struct sh *s, struct sh_thread *t,
		     const struct __ptrace_syscall_info *si)
{
	const struct mmt_syscall *e;
	unsigned wsize;

	call_clear(t);
	t->in_call = true;
	memset(&t->ev, 0, sizeof(t->ev));
	t->ev.pid = t->tgid;
	t->ev.tid = t->tid;
	t->ev.abi = si->arch == AUDIT_ARCH_I386_ ? MMT_ABI_I386
						 : MMT_ABI_X86_64;
	t->ev.nr = (unsigned)si->entry.nr;
	memcpy(t->ev.args, si->entry.args, sizeof(t->ev.args));
	if (t->ev.abi == MMT_ABI_I386)
		for (int i = 0; i < 6; i++)
			t->ev.args[i] &= 0xffffffffULL;
	e = mmt_sys_by_nr(t->ev.abi, t->ev.nr);
	t->entry = e;
	if (is_name(e, "setrlimit") || is_name(e, "prlimit64")) {
		read_rlimit(t, is_name(e, "prlimit64"));
		t->relevant = t->ev.rlim_set;
		t->serial = true;
		return;
	}
	if (!e || !(e->flags & (MMT_SYS_MEMORY | MMT_SYS_PROCESS |
				MMT_SYS_IPC)))
		return;
	t->relevant = true;
	t->serial = !is_name(e, "exit") && !is_name(e, "exit_group") &&
		    (e->handler || is_name(e, "execve") ||
		     is_name(e, "execveat") || is_name(e, "clone") ||
		     is_name(e, "clone3") || is_name(e, "fork") ||
		     is_name(e, "vfork"));
	wsize = t->ev.abi == MMT_ABI_I386 ? 4 : 8;
	if (is_name(e, "execve") || is_name(e, "execveat")) {
		unsigned o = is_name(e, "execveat") ? 1 : 0;
		char p[64];

		read_exec_args(t, o, wsize);
		snprintf(p, sizeof(p), "/proc/%d/cwd", t->tid);
		t->cwd = read_link(p);
		t->ev.path = t->path;
		t->ev.argv = t->argv;
		t->ev.envp = t->envp;
		t->ev.cwd = t->cwd;
	} else if (is_name(e, "mmap") || is_name(e, "mmap2")) {
		int fd = (int)(int32_t)t->ev.args[4];

		if (!(t->ev.args[3] & 0x20) && fd >= 0) {
			snprintf(t->fd_path, sizeof(t->fd_path),
				 "/proc/%d/fd/%d", t->tid, fd);
			t->fd_name = read_link(t->fd_path);
			t->ev.fd_path = t->fd_path;
			t->ev.fd_name = t->fd_name;
			t->ev.fd_mode = fd_mode_of(t->tid, fd);
		}
	} else if (is_name(e, "clone")) {
		t->ev.clone_flags = t->ev.args[0];
	} else if (is_name(e, "clone3")) {
		uint64_t f = 0;

		read_mem(t->tid, t->ev.args[0], &f, sizeof(f));
		t->ev.clone_flags = f;
	} else if (is_name(e, "fork")) {
		t->ev.clone_flags = SH_SIGCHLD;
	} else if (is_name(e, "vfork")) {
		t->ev.clone_flags = SH_CLONE_VM | SH_CLONE_VFORK | SH_SIGCHLD;
	} else if ((is_name(e, "exit_group") || is_name(e, "exit")) &&
		   !s->stop_mirroring && t->known) {
		struct mmt_twin_result res;
		struct mmt_task *mt = mmt_twin_task(s->tw, t->tid);
		struct mmt_twin_proc *pr;
		bool single = true;

		for (unsigned i = 0; i < s->nth; i++)
			if (!s->th[i].gone && s->th[i].tgid == t->tgid &&
			    s->th[i].tid != t->tid)
				single = false;
		memset(&res, 0, sizeof(res));
		pr = mmt_twin_proc_of(s->tw, t->tid);
		if (mt && single && pr && pr->exec_seen)
			compare_whole(s, &t->ev, &res, t->tgid, "maps at exit",
				      false);
		if (!s->stop_mirroring)
			mmt_twin_apply(s->tw, &t->ev, &res);
		t->relevant = false;
	}
}

/* Before a call is applied: the faults in the VMAs it meets. */
static void pre_faults(struct sh *s, struct sh_thread *t)
{
	const struct mmt_syscall *e = t->entry;
	const uint64_t *a = t->ev.args;
	int64_t r = t->ev.ret;
	bool ok = !(r < 0 && r >= -4095);
	struct mmt_task *mt;

	if (!e)
		return;
	if (is_name(e, "mmap") || is_name(e, "mmap2")) {
		if (a[0])
			anon_catch_up(s, t, a[0] & ~0xfffULL, a[0] + a[1]);
		if (ok)
			anon_catch_up(s, t, (uint64_t)r, (uint64_t)r + a[1]);
	} else if (is_name(e, "mremap")) {
		anon_catch_up(s, t, a[0] & ~0xfffULL, a[0] + a[1]);
		if (ok)
			anon_catch_up(s, t, (uint64_t)r, (uint64_t)r + a[2]);
	} else if (is_name(e, "munmap") || is_name(e, "mprotect") ||
		   is_name(e, "pkey_mprotect") || is_name(e, "madvise") ||
		   is_name(e, "mlock") || is_name(e, "mlock2") ||
		   is_name(e, "munlock") || is_name(e, "mseal")) {
		anon_catch_up(s, t, a[0] & ~0xfffULL, a[0] + a[1]);
	} else if (is_name(e, "brk")) {
		mt = mmt_twin_task(s->tw, t->tid);
		if (mt && mt->mm->brk > mt->mm->start_brk)
			anon_catch_up(s, t, mt->mm->start_brk, mt->mm->brk);
		else if (mt)
			anon_catch_up(s, t, mt->mm->start_brk,
				      mt->mm->start_brk + 1);
	} else if (is_name(e, "shmat") && ok) {
		anon_catch_up(s, t, (uint64_t)r, (uint64_t)r + 1);
	}
}

/* close, close_range, dup2, dup3 (not in the table): the model's fd goes */
static void fd_closes(struct sh *s, struct sh_thread *t)
{
	bool i386 = t->ev.abi == MMT_ABI_I386;
	unsigned nr = t->ev.nr;
	const uint64_t *a = t->ev.args;

	if (nr == (i386 ? 6u : 3u)) {
		mmt_twin_fd_close(s->tw, t->tid, (int)(int32_t)a[0]);
	} else if (nr == (i386 ? 63u : 33u) || nr == (i386 ? 330u : 292u)) {
		if ((int32_t)a[0] != (int32_t)a[1])
			mmt_twin_fd_close(s->tw, t->tid, (int)(int32_t)a[1]);
	} else if (nr == 436) {
		uint64_t lo = (uint32_t)a[0], hi = (uint32_t)a[1];

		if (hi > lo + 65536)
			hi = lo + 65536;
		for (uint64_t fd = lo; fd <= hi && fd < 65536; fd++)
			mmt_twin_fd_close(s->tw, t->tid, (int)fd);
	}
}

static void on_exit_stop(struct sh *s, struct sh_thread *t,
			 const struct __ptrace_syscall_info *si)
{
	struct mmt_twin_result res;
	int rc;

	if (t->in_call && !s->stop_mirroring && !si->exit.is_error)
		fd_closes(s, t);
	if (!t->in_call || !t->relevant || t->clone_done || s->stop_mirroring)
		goto out;
	t->ev.ret = si->exit.rval;
	if (t->ev.abi == MMT_ABI_I386 && !(si->exit.rval < 0 &&
					   si->exit.rval >= -4095))
		t->ev.ret = (int64_t)(uint32_t)si->exit.rval;
	if (is_name(t->entry, "clone") || is_name(t->entry, "clone3") ||
	    is_name(t->entry, "fork") || is_name(t->entry, "vfork"))
		goto out;	/* failed (no event): nothing was created */
	t->ev.pid = t->tgid;
	t->ev.tid = t->tid;
	if (!t->scanned_at_entry)
		pre_faults(s, t);
	rc = mmt_twin_apply(s->tw, &t->ev, &res);
	if (rc == -ESRCH || !res.mirrored)
		goto out;
	s->st->syscalls++;
	if (s->o->trace) {
		char call[4096];

		mmt_twin_format(call, sizeof(call), &t->ev);
		progress_erase(s);
		fprintf(s->out, "[%d] %s  (model: %lld)\n%s", t->tid, call,
			(long long)res.ret, res.trace ? res.trace : "");
	}
	if (!res.agreed) {
		print_divergence(s, &t->ev, &res, "result", NULL);
		if (s->o->keep_going)
			resync(s, t->tgid);
		else
			s->stop_mirroring = true;
		goto out;
	}
	if (is_name(t->entry, "execve") || is_name(t->entry, "execveat")) {
		if (t->ev.ret == 0) {
			maps_fd_drop(s, t->tgid);
			if (s->o->aslr)
				adopt_layout(s, t->tgid);
			else
				compare_whole(s, &t->ev, &res, t->tgid,
					      "maps after execve", true);
		}
	} else if (res.whole) {
		compare_whole(s, &t->ev, &res, t->tgid, "maps", true);
	} else if (res.lo < res.hi) {
		compare_range(s, &t->ev, &res);
	}
out:
	call_clear(t);
}

static bool world_is_stopped(struct sh *s, int tgid);
enum { R_SYSCALL, R_LISTEN };
static bool ptrace_resume(struct sh *s, struct sh_thread *t, int op, int sig);

static void on_new_child(struct sh *s, struct sh_thread *parent, int child)
{
	struct mmt_twin_result res;
	struct mmt_twin_event ev = parent->ev;
	struct sh_thread *c = sh_find(s, child);

	if (!c)
		c = sh_add(s, child);
	if (!c)
		return;
	parent = sh_find(s, ev.tid);	/* sh_add may have moved it */
	c->tgid = ev.clone_flags & 0x00010000ULL ? parent->tgid : child;
	c->known = true;
	if (c->tgid == child)
		s->st->processes++;
	if (parent)
		parent->clone_done = true;
	if (s->stop_mirroring)
		goto resume;
	ev.ret = child;
	ev.pid = parent->tgid;
	if (!parent->entry || !parent->relevant)
		goto resume;
	if (!(ev.clone_flags & SH_CLONE_VM))
		anon_catch_up(s, parent, 0, UINT64_MAX);	/* what fork copies */
	if (!mmt_twin_apply(s->tw, &ev, &res) && res.mirrored) {
		s->st->syscalls++;
		if (!res.agreed) {
			print_divergence(s, &ev, &res, "result", NULL);
			if (!s->o->keep_going)
				s->stop_mirroring = true;
		} else if (res.whole) {
			compare_whole(s, &ev, &res, child, "maps of the child "
				      "at fork", true);
		}
	}
resume:
	if (c->held) {
		c->held = false;
		if (world_is_stopped(s, c->tgid)) {
			c->parked = true;	/* runs after the call */
			c->park_op = R_SYSCALL;
			c->park_sig = 0;
		} else {
			ptrace_resume(s, c, R_SYSCALL, 0);
		}
	}
}

/* The program's own end, as waitpid reported it. */
static void child_ended(struct sh *s, int status)
{
	if (WIFEXITED(status)) {
		s->st->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		s->st->killed = true;
		s->st->signal = WTERMSIG(status);
		s->st->exit_code = 128 + WTERMSIG(status);
	}
}

/*
 * Detach from every thread and let the program run on untraced; then wait
 * for its end.  A thread the tracer holds in a stop (a syscall stop, one
 * waiting its turn or parked, a new child held for its parent's event,
 * one whose resume failed: t->stopped) is detached at once, passing on
 * the signal its stop holds.  Every other one is interrupted (running,
 * LISTENing in a group-stop, or a new child before its first stop) and
 * detached at the stop that answers, as is a tracee the table does not
 * know yet (a child auto-attached at a fork whose event never came).
 * PTRACE_DETACH only works in a stop, so a thread the table wrongly
 * thought stopped is caught at its next stop the same way.  A group-stop
 * outlives the detach: the kernel puts the thread back into it, as it
 * would be untraced, and the program's SIGCONT ends it.
 */
static void detach_all(struct sh *s)
{
	int st, tid;

	for (unsigned i = 0; i < s->nth; i++) {
		struct sh_thread *t = &s->th[i];

		if (t->gone)
			continue;
		if (t->stopped && !ptrace(PTRACE_DETACH, t->tid, 0, t->stop_sig))
			t->gone = true;
		else
			ptrace(PTRACE_INTERRUPT, t->tid, 0, 0);
	}
	while ((tid = waitpid(-1, &st, __WALL)) > 0) {
		struct sh_thread *t = sh_find(s, tid);

		if (WIFSTOPPED(st)) {
			ptrace(PTRACE_DETACH, tid, 0, stop_signal(st));
			if (t)
				t->gone = true;
			continue;
		}
		if (tid == s->child)
			child_ended(s, st);
		if (t)
			t->gone = true;
	}
}

static void kill_all(struct sh *s)
{
	int st, tid;

	for (unsigned i = 0; i < s->nth; i++)
		if (!s->th[i].gone)
			kill(s->th[i].tgid, SIGKILL);
	kill(s->child, SIGKILL);
	while ((tid = waitpid(-1, &st, __WALL)) > 0) {
		/* the PTRACE_EVENT_EXIT stop of a killed tracee, and any stop
		 * that came before the kill: let it go on to die */
		if (WIFSTOPPED(st)) {
			ptrace(PTRACE_DETACH, tid, 0, 0);
			kill(tid, SIGKILL);
			continue;
		}
		if (tid == s->child && WIFSIGNALED(st)) {
			s->st->killed = true;
			s->st->signal = WTERMSIG(st);
			s->st->exit_code = 128 + WTERMSIG(st);
		}
	}
}

static const char *find_in_path(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH");

	if (strchr(name, '/'))
		return name;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, len, "%.*s%s%s", (int)n, n ? path : ".",
			 "/", name);
		if (!access(buf, X_OK)) {
			struct stat sb;

			if (!stat(buf, &sb) && S_ISREG(sb.st_mode))
				return buf;
		}
		path += n;
		if (*path == ':')
			path++;
	}
	return name;
}

/*
 * In a process with other threads running, the faults are caught up when
 * a memory call is about to run (at its entry stop): what the scan sees
 * then happened before the call; at the exit stop it could also see the
 * other threads' faults that came after it.  The whole mm is scanned, as
 * the call's range is not known yet.  A single thread is scanned at its
 * exit stop, around the range.
 */
static void entry_faults(struct sh *s, struct sh_thread *t)
{
	bool others = false;

	for (unsigned i = 0; i < s->nth; i++)
		if (!s->th[i].gone && s->th[i].tgid == t->tgid &&
		    s->th[i].tid != t->tid)
			others = true;
	if (!others || !t->known)
		return;
	anon_catch_up(s, t, 0, UINT64_MAX);
	t->scanned_at_entry = true;
}

/*
 * The memory calls of one process run one at a time: the kernel's
 * mmap_lock orders them, but the order of their exit stops need not be
 * its order, so a thread entering one while another thread of the process
 * is in one waits at its entry stop.
 */
static struct sh_thread *busy_thread(struct sh *s, int tgid, int except)
{
	for (unsigned i = 0; i < s->nth; i++)
		if (!s->th[i].gone && s->th[i].tgid == tgid &&
		    s->th[i].in_flight && s->th[i].tid != except)
			return &s->th[i];
	return NULL;
}

/*
 * Resume @t from its stop: PTRACE_SYSCALL passing @sig on, or
 * PTRACE_LISTEN in a group-stop.  A thread gone meanwhile (ESRCH, killed)
 * counts as resumed: its exit is on the way.  false when ptrace refuses:
 * @t stays marked stopped, holding @sig, for detach_all, and the
 * tracer's error is set (the main loop stops).
 */
static bool ptrace_resume(struct sh *s, struct sh_thread *t, int op, int sig)
{
	char why[64];
	long r;

	if (t->fail_resume) {	/* the testing seam: as if refused */
		t->fail_resume = false;
		snprintf(why, sizeof(why), "injected failure at stop %lu",
			 s->o->fail_at);
	} else {
		r = op == R_LISTEN ? ptrace(PTRACE_LISTEN, t->tid, 0, 0)
				   : ptrace(PTRACE_SYSCALL, t->tid, 0, sig);
		if (!r || errno == ESRCH) {
			t->stopped = false;
			return true;
		}
		snprintf(why, sizeof(why), "%s", strerror(errno));
	}
	t->stop_sig = op == R_LISTEN ? 0 : sig;
	tracer_failed(s, t->tid, why);
	return false;
}

static void world_stopped(struct sh *s)
{
	struct sh_thread *t = s->stopper;

	s->stopper = NULL;
	if (!t || t->gone)
		return;
	entry_faults(s, t);
	ptrace_resume(s, t, R_SYSCALL, 0);
}

/*
 * The thread whose call was waiting for the others to park died first (a
 * SIGKILL of the process reaches it at its entry stop).  The threads not
 * parked yet are not to be: their next stop (the interrupt's, or their
 * own PTRACE_EVENT_EXIT) resumes them; end_call then lets the parked ones
 * go.  Without this a thread that parked after the stopper's death waited
 * for a world_stopped() that had no call left to run.
 */
static void stopper_gone(struct sh *s)
{
	s->stopper = NULL;
	for (unsigned i = 0; i < s->nth; i++)
		s->th[i].park_pending = false;
	s->nparking = 0;
}

/*
 * A thread's memory call is about to run.  In a process with other
 * threads running they are stopped first (PTRACE_INTERRUPT; a thread
 * stopped here already parks when it would be resumed): no fault happens
 * while the call runs, so the faults caught up before it are exactly
 * those that came before it.  true: run it now; false: when the last of
 * them is parked (world_stopped).
 */
static bool begin_call(struct sh *s, struct sh_thread *t)
{
	t->in_flight = true;
	t->waiting = false;
	for (unsigned i = 0; i < s->nth; i++) {
		struct sh_thread *o = &s->th[i];

		if (o == t || o->gone || o->tgid != t->tgid || !o->known ||
		    o->parked || o->waiting || o->held || o->park_pending)
			continue;
		if (!o->stopped && ptrace(PTRACE_INTERRUPT, o->tid, 0, 0))
			continue;	/* gone: its exit is on the way */
		o->park_pending = true;
		s->nparking++;
	}
	if (!s->nparking) {
		entry_faults(s, t);
		return true;
	}
	s->stopper = t;
	return false;
}

/* Park @t instead of resuming it, or resume it.  false: ptrace failed. */
static bool resume_thread(struct sh *s, struct sh_thread *t, int op, int sig)
{
	if (t->park_pending) {
		t->park_pending = false;
		t->parked = true;
		t->park_op = op;
		t->park_sig = t->stop_sig = sig;
		t->stopped = true;
		if (s->nparking && !--s->nparking)
			world_stopped(s);
		return true;
	}
	return ptrace_resume(s, t, op, sig);
}

/* A memory call of process @tgid ended: the next waiting one, or the
 * parked threads run again. */
static void end_call(struct sh *s, int tgid)
{
	if (busy_thread(s, tgid, 0))
		return;
	for (unsigned i = 0; i < s->nth; i++) {
		struct sh_thread *w = &s->th[i];

		if (w->gone || w->tgid != tgid || !w->waiting)
			continue;
		if (begin_call(s, w))
			ptrace_resume(s, w, R_SYSCALL, 0);
		return;
	}
	for (unsigned i = 0; i < s->nth; i++) {
		struct sh_thread *p = &s->th[i];

		if (p->gone || p->tgid != tgid || !p->parked)
			continue;
		p->parked = false;
		ptrace_resume(s, p, p->park_op, p->park_sig);
	}
}

/* Is a memory call of @tgid running with the others parked? */
static bool world_is_stopped(struct sh *s, int tgid)
{
	struct sh_thread *b = busy_thread(s, tgid, 0);

	if (!b)
		return false;
	for (unsigned i = 0; i < s->nth; i++)
		if (!s->th[i].gone && s->th[i].tgid == tgid &&
		    (s->th[i].parked || s->th[i].park_pending))
			return true;
	return false;
}

/* Handle one wait status; false: the tracer must stop (its error). */
/* close, dup2, dup3, close_range: their exit tells the mirror an fd
 * went (fd_closes). */
static bool closes_fds(const struct sh_thread *t)
{
	bool i386 = t->ev.abi == MMT_ABI_I386;
	unsigned nr = t->ev.nr;

	return nr == (i386 ? 6u : 3u) || nr == (i386 ? 63u : 33u) ||
	       nr == (i386 ? 330u : 292u) || nr == 436;
}

/*
 * The syscall-stop of @t is the exit of a call whose entry it saw and that
 * neither the mirror nor the fd table cares about: its result is not
 * needed, so the stop costs one resume, as strace's for a call it does not
 * print (a syscall-entry stop is always followed by that call's exit stop;
 * exec's event comes between, for calls that matter).
 */
static bool quiet_exit(const struct sh_thread *t)
{
	return t->in_call && !t->relevant && !closes_fds(t);
}

static bool on_wait(struct sh *s, int tid, int status)
{
	struct sh_thread *t = sh_find(s, tid);
	struct __ptrace_syscall_info si;
	unsigned long msg = 0;
	long n;
	int sig, ev;

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		if (tid == s->child)
			child_ended(s, status);
		if (t) {
			bool busy = t->in_flight;
			int tg = t->tgid;

			if (!s->stop_mirroring)
				mmt_twin_task_gone(s->tw, tid);
			if (t->tgid == tid)
				maps_fd_drop(s, tid);
			call_clear(t);
			t->gone = true;
			t->in_flight = t->waiting = t->parked = false;
			if (t->park_pending) {
				t->park_pending = false;
				if (s->nparking && !--s->nparking)
					world_stopped(s);
			}
			if (s->stopper == t)
				stopper_gone(s);
			if (busy)
				end_call(s, tg);
		}
		return true;
	}
	if (!WIFSTOPPED(status))
		return true;
	if (!t) {
		/* a new thread or child before its parent's event */
		t = sh_add(s, tid);
		if (!t)
			return false;
		t->tgid = tgid_of(tid);
		t->started = true;
		t->held = true;
		stop_seen(s, t, status);
		return true;
	}
	stop_seen(s, t, status);
	sig = WSTOPSIG(status);
	ev = status >> 16;
	if (!t->started) {
		t->started = true;
		if (!t->known) {
			t->held = true;
			return true;
		}
		return resume_thread(s, t, R_SYSCALL, 0);
	}
	if (sig == (SIGTRAP | 0x80)) {
		s->st->stops++;
		progress(s);
		if (quiet_exit(t)) {
			call_clear(t);	/* nothing to read at this exit */
			goto resume;
		}
		n = ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof(si), &si);
		if (n < 0)
			return stop_request_failed(s, t);
		if (!n)
			goto resume;	/* not a syscall stop after all */
		if (si.op == PTRACE_SYSCALL_INFO_ENTRY) {
			on_entry(s, t, &si);
			t = sh_find(s, tid);
			if (t && t->serial && !s->stop_mirroring) {
				if (busy_thread(s, t->tgid, t->tid)) {
					t->waiting = true;	/* held */
					if (t->park_pending) {	/* parked too */
						t->park_pending = false;
						if (s->nparking && !--s->nparking)
							world_stopped(s);
					}
					return true;
				}
				if (!begin_call(s, t))
					return true;	/* runs when parked */
			}
		} else if (si.op == PTRACE_SYSCALL_INFO_EXIT) {
			on_exit_stop(s, t, &si);
			t = sh_find(s, tid);
			if (t && t->in_flight) {
				t->in_flight = false;
				end_call(s, t->tgid);
			}
		}
		goto resume;
	}
	if (sig == SIGTRAP && ev) {
		switch (ev) {
		case PTRACE_EVENT_FORK:
		case PTRACE_EVENT_VFORK:
		case PTRACE_EVENT_CLONE:
			if (ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg))
				return stop_request_failed(s, t);
			on_new_child(s, t, (int)msg);
			t = sh_find(s, tid);
			break;
		case PTRACE_EVENT_EXEC:
			if (ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg))
				return stop_request_failed(s, t);
			if ((int)msg != tid) {
				/* a non-leader exec'ed: it is the leader now */
				struct sh_thread *o = sh_find(s, (int)msg);

				if (o) {
					call_clear(t);
					*t = *o;	/* its call, its strings */
					t->tid = tid;
					memset(o, 0, sizeof(*o));
					o->gone = true;
				}
			}
			break;
		default:
			break;
		}
		goto resume;
	}
	if (ev == PTRACE_EVENT_STOP) {
		/* group-stop (SIGSTOP/TSTP/TTIN/TTOU) or an interrupt */
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
		    sig == SIGTTOU)
			return resume_thread(s, t, R_LISTEN, 0);
		goto resume;
	}
	/* a signal for the tracee: passed on untouched */
	return resume_thread(s, t, R_SYSCALL, sig);
resume:
	if (!t)
		return true;
	return resume_thread(s, t, R_SYSCALL, 0);
}

/* --report: every process from the model's maps at its end (a process
 * still running when mirroring stopped: as it is now), every step. */
static int write_report(struct sh *s, char *const *argv)
{
	struct mmt_report rep = { .m = mmt_twin_machine(s->tw) };
	struct mmt_report_proc *procs;
	char **owned, *title = NULL;
	struct mmt_twin_proc *p;
	size_t n = 0, tlen = 0;
	FILE *f;
	int rc = 0;

	while (mmt_twin_proc_at(s->tw, (unsigned)n))
		n++;
	procs = calloc(n + 1, sizeof(*procs));
	owned = calloc(n + 1, sizeof(*owned));
	f = open_memstream(&title, &tlen);
	if (!procs || !owned || !f) {
		if (f)
			fclose(f);
		free(title);
		free(procs);
		free(owned);
		return -1;
	}
	for (char *const *a = argv; *a; a++)
		fprintf(f, "%s%s", a == argv ? "mmtwin shadow -- " : " ", *a);
	fclose(f);
	for (size_t i = 0; (p = mmt_twin_proc_at(s->tw, (unsigned)i)); i++) {
		const char *maps = p->final_maps;

		if (!maps && p->task)
			maps = owned[i] = mmt_twin_maps(s->tw, p->tgid);
		procs[i] = (struct mmt_report_proc){ p->tgid, maps ? maps : "" };
	}
	rep.title = title ? title : "mmtwin shadow";
	rep.procs = procs;
	rep.nprocs = n;
	rep.steps = mmt_twin_steps(s->tw, &rep.nsteps);
	f = fopen(s->o->report, "w");
	if (!f || mmt_report_write_html(&rep, f))
		rc = -1;
	if (f && fclose(f))
		rc = -1;
	for (size_t i = 0; i < n; i++)
		free(owned[i]);
	free(owned);
	free(procs);
	free(title);
	return rc;
}

int mmt_shadow_run(struct mmt_machine *m, const struct mmt_twin_init *init,
		   char *const *argv, char *const *envp,
		   const struct mmt_shadow_opts *o, struct mmt_shadow_stats *st)
{
	struct sh s = { 0 };
	sigset_t chld, old;
	char pathbuf[4096];
	const char *path;
	int pfd[2], status, tid;
	struct sh_thread *t;
	int ret = 0;

	memset(st, 0, sizeof(*st));
	s.o = o;
	s.st = st;
	s.out = o->out ? o->out : stderr;
	s.json = o->json;
	s.tw = mmt_twin_new(m, init);
	if (!s.tw) {
		snprintf(st->error, sizeof(st->error), "out of memory");
		return 3;
	}
	mmt_twin_set_trace(s.tw, true);
	if (o->report)
		mmt_twin_record(s.tw, true);
	s.zero_pfn = host_zero_pfn();
	path = find_in_path(argv[0], pathbuf, sizeof(pathbuf));
	if (pipe2(pfd, O_CLOEXEC)) {
		snprintf(st->error, sizeof(st->error), "pipe: %s",
			 strerror(errno));
		mmt_twin_free(s.tw);
		return 3;
	}
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	fflush(NULL);
	s.child = fork();
	if (s.child < 0) {
		snprintf(st->error, sizeof(st->error), "fork: %s",
			 strerror(errno));
		sigprocmask(SIG_SETMASK, &old, NULL);
		mmt_twin_free(s.tw);
		return 3;
	}
	if (s.child == 0) {
		char c;

		sigprocmask(SIG_SETMASK, &old, NULL);
		if (!o->aslr)
			personality((unsigned long)init->personality);
		close(pfd[1]);
		if (read(pfd[0], &c, 1) != 1)
			_exit(127);
		execve(path, argv, envp);
		_exit(127);
	}
	close(pfd[0]);
	clock_gettime(CLOCK_MONOTONIC, &s.t0);
	mmt_progress_start(&s.prog, o->progress_after, o->progress_every);
	if (ptrace(PTRACE_SEIZE, s.child, 0,
		   PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC |
		   PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK |
		   PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXIT |
		   PTRACE_O_EXITKILL) ||
	    ptrace(PTRACE_INTERRUPT, s.child, 0, 0)) {
		snprintf(st->error, sizeof(st->error), "ptrace: %s",
			 strerror(errno));
		kill(s.child, SIGKILL);
		close(pfd[1]);
		waitpid(s.child, &status, 0);
		sigprocmask(SIG_SETMASK, &old, NULL);
		mmt_twin_free(s.tw);
		return 3;
	}
	t = sh_add(&s, s.child);
	if (t) {
		t->tgid = s.child;
		t->known = true;
		t->started = true;
	}
	st->processes = 1;
	if (mmt_twin_spawn(s.tw, s.child, MMT_TASK_X86_64)) {
		snprintf(st->error, sizeof(st->error), "cannot create the model "
			 "task");
		st->tracer_error = true;
	}
	/* the interrupt stop, then syscall stops from here on */
	if (!t) {	/* detach_all finds the child by its stop */
		if (!st->error[0])
			snprintf(st->error, sizeof(st->error), "out of memory");
		st->tracer_error = true;
	} else if (waitpid(s.child, &status, __WALL) == s.child &&
		   WIFSTOPPED(status)) {
		stop_seen(&s, t, status);
		ptrace_resume(&s, t, R_SYSCALL, 0);
	}
	if (write(pfd[1], "g", 1) != 1)
		st->tracer_error = true;
	close(pfd[1]);
	while (!st->tracer_error) {
		if (s.stop_mirroring) {
			detach_all(&s);
			break;
		}
		tid = waitpid(-1, &status, __WALL | (o->timeout > 0 ? WNOHANG : 0));
		if (tid == 0) {
			double left = o->timeout - elapsed(&s.t0);
			struct timespec ts;

			if (left <= 0) {
				st->timed_out = true;
				kill_all(&s);
				break;
			}
			if (left > 0.25)
				left = 0.25;
			ts.tv_sec = (time_t)left;
			ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
			sigtimedwait(&chld, NULL, &ts);
			continue;
		}
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			break;	/* ECHILD: everything ended */
		}
		if (!on_wait(&s, tid, status))
			tracer_failed(&s, tid, strerror(errno));
	}
	if (st->tracer_error)
		detach_all(&s);
	sigprocmask(SIG_SETMASK, &old, NULL);
	mmt_progress_erase(&s.prog);
	/* the summary */
	{
		struct mmt_twin_proc *p;
		struct mmt_json j;

		st->syscalls = st->agreed = 0;
		for (unsigned i = 0; (p = mmt_twin_proc_at(s.tw, i)); i++) {
			st->syscalls += p->syscalls;
			st->agreed += p->agreed;
		}
		if (s.json) {
			mmt_json_init(&j, s.out);
			mmt_json_begin_obj(&j, NULL);
			mmt_json_begin_arr(&j, "processes");
			for (unsigned i = 0; (p = mmt_twin_proc_at(s.tw, i)); i++) {
				mmt_json_begin_obj(&j, NULL);
				mmt_json_i64(&j, "pid", p->tgid);
				mmt_json_str(&j, "comm", p->comm);
				mmt_json_u64(&j, "syscalls", p->syscalls);
				mmt_json_u64(&j, "agreed", p->agreed);
				mmt_json_u64(&j, "resyncs", p->resyncs);
				mmt_json_end_obj(&j);
			}
			mmt_json_end_arr(&j);
			mmt_json_u64(&j, "processes_total", mmt_twin_proc_at(
					     s.tw, 0) ? st->processes : 0);
			mmt_json_u64(&j, "syscalls", st->syscalls);
			mmt_json_u64(&j, "agreed", st->agreed);
			mmt_json_u64(&j, "divergences", st->divergences);
			mmt_json_u64(&j, "syscall_stops", st->stops);
			mmt_json_bool(&j, "complete", !s.stop_mirroring &&
				      !st->timed_out && !st->tracer_error);
			mmt_json_i64(&j, "exit_code", st->exit_code);
			mmt_json_bool(&j, "timed_out", st->timed_out);
			mmt_json_str(&j, "error", st->error);
			mmt_json_end_obj(&j);
			mmt_json_finish(&j);
		} else {
			for (unsigned i = 0; (p = mmt_twin_proc_at(s.tw, i)); i++)
				fprintf(s.out, "pid %d (%s): syscalls: %llu, "
					"agreed: %llu%s\n", p->tgid,
					p->comm[0] ? p->comm : "?",
					(unsigned long long)p->syscalls,
					(unsigned long long)p->agreed,
					p->resyncs ? " (resynced)" : "");
			fprintf(s.out, "total: processes: %u, syscalls: %llu, "
				"agreed: %llu%s\n", st->processes,
				(unsigned long long)st->syscalls,
				(unsigned long long)st->agreed,
				s.stop_mirroring ? " (stopped mirroring at "
				"the first divergence)" : "");
			if (st->timed_out)
				fprintf(s.out, "timeout: the program was killed "
					"after %g s\n", o->timeout);
			if (st->error[0])
				fprintf(s.out, "tracer: %s (detached)\n",
					st->error);
		}
	}
	if (st->timed_out || st->tracer_error)
		ret = 3;
	else if (st->divergences || st->agreed != st->syscalls)
		ret = 1;
	if (o->report && write_report(&s, argv)) {
		snprintf(st->error, sizeof(st->error), "cannot write the "
			 "report %s", o->report);
		ret = 3;
	}
	for (unsigned i = 0; i < s.nth; i++)
		call_clear(&s.th[i]);
	for (unsigned i = 0; i < s.nmfd; i++) {
		close(s.mfd[i].fd);
		if (s.mfd[i].pagemap >= 0)
			close(s.mfd[i].pagemap);
	}
	free(s.mfd);
	free(s.th);
	mmt_twin_free(s.tw);
	return ret;
}
