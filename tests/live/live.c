// SPDX-License-Identifier: MIT
/*
 * The live-kernel harness: start the freestanding child, run its system
 * calls, read its /proc files.  The wire format is in protocol.h; the
 * rules (ASLR off, rlimits before exec, a timeout on every read, no
 * orphans) in live.h and docs/live-tests.md.
 */
#define _GNU_SOURCE
#include "live.h"
#include "protocol.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LIVE_TIMEOUT_MS 5000

/* openat, which the syscall table does not carry */
#define NR_OPENAT_X86_64 257
#define NR_OPENAT_I386 295
#define LIVE_AT_FDCWD (-100)

int live_kernel_check(char *why, size_t len)
{
	struct utsname u;
	size_t n = strlen(LIVE_KERNEL_SERIES);

	if (uname(&u)) {
		snprintf(why, len, "uname: %s", strerror(errno));
		return -1;
	}
	if (strcmp(u.machine, "x86_64")) {
		snprintf(why, len, "live tests need an x86_64 kernel, this is %s",
			 u.machine);
		return -1;
	}
	if (strncmp(u.release, LIVE_KERNEL_SERIES, n) ||
	    (u.release[n] && u.release[n] != '.' && u.release[n] != '-')) {
		snprintf(why, len, "live tests assume Linux %s, this is %s",
			 LIVE_KERNEL_SERIES, u.release);
		return -1;
	}
	return 0;
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

void live_sysctl_read(struct live_sysctl *s)
{
	char buf[128] = "";
	FILE *f;

	s->max_map_count = read_long("/proc/sys/vm/max_map_count");
	s->mmap_min_addr = read_long("/proc/sys/vm/mmap_min_addr");
	s->overcommit_memory = read_long("/proc/sys/vm/overcommit_memory");
	s->thp_enabled[0] = 0;
	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (f) {
		if (fgets(buf, sizeof(buf), f)) {
			char *l = strchr(buf, '['), *r = l ? strchr(l, ']') : NULL;

			if (r && (size_t)(r - l - 1) < sizeof(s->thp_enabled)) {
				memcpy(s->thp_enabled, l + 1, (size_t)(r - l - 1));
				s->thp_enabled[r - l - 1] = 0;
			}
		}
		fclose(f);
	}
}

bool live_kdamond_running(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d))) {
		char path[300], comm[32] = "";
		FILE *f;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		found = fgets(comm, sizeof(comm), f) &&
			!strncmp(comm, "kdamond.", 8);
		fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

static int fail(struct live_child *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record why, kill and reap the child: after a protocol error nothing it
 * says can be trusted. */
static int fail(struct live_child *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	live_finish(c);
	return -1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void live_finish(struct live_child *c)
{
	int st;

	if (c->pid > 0) {
		/* no polite exit request: SIGKILL is immediate and a child
		 * stuck anywhere cannot ignore it */
		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	c->pid = 0;
	close_fd(&c->to_child);
	close_fd(&c->from_child);
}

/* Wait for and read exactly @n bytes, within the timeout. */
static int read_reply(struct live_child *c, void *buf, size_t n)
{
	unsigned char *p = buf;
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (n) {
		struct pollfd pfd = { .fd = c->from_child, .events = POLLIN };
		long spent;
		ssize_t r;
		int pr;

		clock_gettime(CLOCK_MONOTONIC, &t);
		spent = (t.tv_sec - t0.tv_sec) * 1000 +
			(t.tv_nsec - t0.tv_nsec) / 1000000;
		if (spent >= c->timeout_ms)
			return fail(c, "child %d: no reply within %d ms",
				    (int)c->pid, c->timeout_ms);
		pr = poll(&pfd, 1, (int)(c->timeout_ms - spent));
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return fail(c, "poll: %s", strerror(errno));
		if (pr == 0)
			continue;
		r = read(c->from_child, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int st = 0;

			if (c->pid > 0 && waitpid(c->pid, &st, 0) == c->pid)
				c->pid = 0;
			return fail(c, "child died (%s %d) before replying",
				    WIFSIGNALED(st) ? "signal" : "exit",
				    WIFSIGNALED(st) ? WTERMSIG(st) :
				    WEXITSTATUS(st));
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int write_all(struct live_child *c, const void *buf, size_t n)
{
	const unsigned char *p = buf;

	while (n) {
		ssize_t r = write(c->to_child, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return fail(c, "write to child: %s",
				    r < 0 ? strerror(errno) : "short");
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int request(struct live_child *c, const struct live_request *req,
		   const void *payload, struct live_reply *rep)
{
	if (c->pid <= 0) {
		if (!c->err[0])
			snprintf(c->err, sizeof(c->err), "child not running");
		return -1;
	}
	if (write_all(c, req, sizeof(*req)))
		return -1;
	if (payload && req->size && write_all(c, payload, req->size))
		return -1;
	return read_reply(c, rep, sizeof(*rep));
}

static const int rlimit_res[LIVE_NR_RLIMS] = {
	[LIVE_RLIM_STACK] = RLIMIT_STACK, [LIVE_RLIM_AS] = RLIMIT_AS,
	[LIVE_RLIM_DATA] = RLIMIT_DATA, [LIVE_RLIM_MEMLOCK] = RLIMIT_MEMLOCK,
};

/* Between fork and execve: only async-signal-safe calls; errors go to
 * the parent as exit codes 120+ (it reports "child died"). */
static void exec_child(const char *path, const struct live_opts *o,
		       int in_fd, int out_fd)
{
	char *const argv[] = { (char *)"live-child", NULL };
	char *const envp[] = { NULL };

	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0)
		_exit(120);
	/* fds 3+ closed: the child's files are exactly those it opens */
	if (syscall(SYS_close_range, 3, ~0U, 0))
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	for (int i = 0; i < LIVE_NR_RLIMS; i++) {
		struct rlimit rl;

		if (!o->rlim[i].set)
			continue;
		rl.rlim_cur = o->rlim[i].cur == LIVE_RLIM_INFINITY ?
			      RLIM_INFINITY : (rlim_t)o->rlim[i].cur;
		rl.rlim_max = o->rlim[i].max == LIVE_RLIM_INFINITY ?
			      RLIM_INFINITY : (rlim_t)o->rlim[i].max;
		if (setrlimit(rlimit_res[i], &rl))
			_exit(121);
	}
	if (personality(PER_LINUX | ADDR_NO_RANDOMIZE) < 0)
		_exit(122);
	{	/* one CPU: per-CPU batches (lru_lazyfree) drain where the
		 * model drains them; a failure only costs that */
		cpu_set_t one;

		CPU_ZERO(&one);
		CPU_SET(0, &one);
		sched_setaffinity(0, sizeof(one), &one);
	}
	execve(path, argv, envp);
	_exit(123);
}

int live_start(struct live_child *c, const struct live_opts *o)
{
	const char *path = o->child_path;
	int in[2], out[2];
	struct live_reply hello;

	memset(c, 0, sizeof(*c));
	c->to_child = c->from_child = -1;
	c->abi = o->abi;
	c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : LIVE_TIMEOUT_MS;
	if (!path)
		path = getenv(o->abi == MMT_ABI_I386 ? "MMTWIN_LIVE_CHILD_I386"
						      : "MMTWIN_LIVE_CHILD_X86_64");
	if (!path || access(path, X_OK)) {
		snprintf(c->err, sizeof(c->err),
			 "no live child for %s: set MMTWIN_LIVE_CHILD_%s (make check does)",
			 mmt_abi_name(o->abi),
			 o->abi == MMT_ABI_I386 ? "I386" : "X86_64");
		return -1;
	}
	if (pipe2(in, O_CLOEXEC))
		return fail(c, "pipe: %s", strerror(errno));
	if (pipe2(out, O_CLOEXEC)) {
		close(in[0]);
		close(in[1]);
		return fail(c, "pipe: %s", strerror(errno));
	}
	/* the parent must see EPIPE, not die of SIGPIPE, if the child dies */
	signal(SIGPIPE, SIG_IGN);
	c->pid = fork();
	if (c->pid == 0)
		exec_child(path, o, in[0], out[1]);
	close(in[0]);
	close(out[1]);
	c->to_child = in[1];
	c->from_child = out[0];
	if (c->pid < 0) {
		c->pid = 0;
		return fail(c, "fork: %s", strerror(errno));
	}
	if (read_reply(c, &hello, sizeof(hello)))
		return -1;
	if (hello.ret != LIVE_HELLO_MAGIC)
		return fail(c, "child %s: bad hello %#" PRIx64, path,
			    (uint64_t)hello.ret);
	c->payload = hello.addr;
	c->payload_size = hello.value;
	return 0;
}

/* An i386 child's register is 32 bits; -4095..-1 are errors. */
static int64_t abi_ret(const struct live_child *c, int64_t raw)
{
	if (c->abi == MMT_ABI_I386) {
		uint32_t r = (uint32_t)raw;

		return r >= 0xfffff001u ? (int64_t)(int32_t)r : (int64_t)r;
	}
	return raw;
}

int live_syscall(struct live_child *c, unsigned nr, const uint64_t args[6],
		 int64_t *ret)
{
	struct live_request req = { .op = LIVE_OP_SYSCALL, .nr = nr };
	struct live_reply rep;

	memcpy(req.a, args, sizeof(req.a));
	if (request(c, &req, NULL, &rep))
		return -1;
	c->last_ret = abi_ret(c, rep.ret);
	if (ret)
		*ret = c->last_ret;
	return 0;
}

int live_put(struct live_child *c, size_t off, const void *buf, size_t n,
	     uint64_t *addr)
{
	struct live_request req = { .op = LIVE_OP_PUT, .size = (uint32_t)n,
				    .a = { off } };
	struct live_reply rep;

	if (off > c->payload_size || n > c->payload_size - off) {
		snprintf(c->err, sizeof(c->err),
			 "put: %zu bytes at %zu do not fit the %" PRIu64
			 "-byte buffer", n, off, c->payload_size);
		return -1;
	}
	if (request(c, &req, buf, &rep))
		return -1;
	if (addr)
		*addr = (uint64_t)rep.ret;
	return 0;
}

int live_open(struct live_child *c, const char *path, int flags, int64_t *fd)
{
	uint64_t a[6] = { (uint64_t)(int64_t)LIVE_AT_FDCWD, 0, (uint64_t)flags,
			  0600, 0, 0 };

	if (live_put(c, 0, path, strlen(path) + 1, &a[1]))
		return -1;
	return live_syscall(c, c->abi == MMT_ABI_I386 ? NR_OPENAT_I386 :
			    NR_OPENAT_X86_64, a, fd);
}

int live_touch(struct live_child *c, uint64_t va, bool write, uint8_t val,
	       struct live_touch *out)
{
	struct live_request req = { .op = write ? LIVE_OP_WRITE : LIVE_OP_READ,
				    .a = { va, val } };
	struct live_reply rep;

	if (request(c, &req, NULL, &rep))
		return -1;
	out->signo = (int)rep.signo;
	out->code = rep.code;
	out->addr = rep.addr;
	out->value = (uint8_t)rep.value;
	return 0;
}

/* Open the FIFO @path for writing, waiting (ENXIO) for the reader. */
static int open_fifo_writer(const char *path, int timeout_ms)
{
	for (int waited = 0; waited <= timeout_ms; waited++) {
		int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

		if (fd >= 0 || errno != ENXIO)
			return fd;
		usleep(1000);
	}
	errno = ETIMEDOUT;
	return -1;
}

static int set_blocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
}

int live_fork(struct live_child *c, struct live_child *child)
{
	char dir[] = "/tmp/mmtwin-fork-XXXXXX", req_path[64], rep_path[64];
	struct live_request req = { .op = LIVE_OP_FORK };
	struct live_reply rep, hi;
	int64_t pid;
	int r = -1;

	memset(child, 0, sizeof(*child));
	child->to_child = child->from_child = -1;
	child->abi = c->abi;
	child->timeout_ms = c->timeout_ms;
	if (!mkdtemp(dir)) {
		snprintf(c->err, sizeof(c->err), "mkdtemp: %s",
			 strerror(errno));
		return -1;
	}
	snprintf(req_path, sizeof(req_path), "%s/req", dir);
	snprintf(rep_path, sizeof(rep_path), "%s/rep", dir);
	if (mkfifo(req_path, 0600) || mkfifo(rep_path, 0600)) {
		snprintf(c->err, sizeof(c->err), "mkfifo: %s", strerror(errno));
		goto out;
	}
	if (live_put(c, 0, req_path, strlen(req_path) + 1, &req.a[0]) ||
	    live_put(c, 64, rep_path, strlen(rep_path) + 1, &req.a[1]) ||
	    request(c, &req, NULL, &rep))
		goto out;
	pid = abi_ret(c, rep.ret);
	if (pid <= 0) {
		snprintf(c->err, sizeof(c->err), "fork in the child: %" PRId64,
			 pid);
		goto out;
	}
	child->pid = (pid_t)pid;
	/* the reader first (never blocks), then the writer the new process
	 * waits for in its open(O_RDONLY) */
	child->from_child = open(rep_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (child->from_child < 0 || set_blocking(child->from_child)) {
		fail(child, "open %s: %s", rep_path, strerror(errno));
		goto out;
	}
	child->to_child = open_fifo_writer(req_path, child->timeout_ms);
	if (child->to_child < 0 || set_blocking(child->to_child)) {
		fail(child, "open %s: %s", req_path, strerror(errno));
		goto out;
	}
	if (read_reply(child, &hi, sizeof(hi)))
		goto out;
	if (hi.ret != LIVE_HELLO_MAGIC) {
		fail(child, "forked child: bad hello %#" PRIx64,
		     (uint64_t)hi.ret);
		goto out;
	}
	child->payload = hi.addr;
	child->payload_size = hi.value;
	r = 0;
out:
	if (r && child->err[0])
		snprintf(c->err, sizeof(c->err), "%s", child->err);
	unlink(req_path);
	unlink(rep_path);
	rmdir(dir);
	return r;
}

/* Arguments a raw call needs in the child's memory: strings (PATH) go to
 * the payload buffer after the first 64 bytes (old_mmap's words). */
static int stage_strings(struct live_child *c, struct mmt_sys_call *call,
			 char *err, size_t errlen)
{
	size_t off = 64;

	if (!call->entry)
		return 0;
	for (unsigned i = 0; i < call->entry->nargs; i++) {
		const struct mmt_sys_argdesc *d = &call->entry->args[i];
		const struct mmt_sys_argval *v = &call->val[d->slot];
		uint64_t addr;

		if (d->type != MMT_SYS_ARG_PATH || !(v->flags & MMT_SYS_VAL_STR))
			continue;
		if (live_put(c, off, v->str, v->len, NULL) ||
		    live_put(c, off + v->len, "", 1, &addr)) {
			snprintf(err, errlen, "%s", c->err);
			return -1;
		}
		call->args[d->slot] = addr - v->len;
		off += (v->len + 8) & ~(size_t)7;
	}
	return 0;
}

int live_call(struct live_child *c, const char *text, int64_t *ret,
	      char *err, size_t errlen)
{
	struct mmt_sys_call call;
	int rc = -1;

	if (mmt_sys_parse_call(text, c->abi, &call, err, errlen))
		return -1;
	if (stage_strings(c, &call, err, errlen))
		goto out;
	if (call.entry && !strcmp(call.entry->kname, "sys_old_mmap")) {
		uint32_t words[6];
		uint64_t addr;

		for (int i = 0; i < 6; i++)
			words[i] = (uint32_t)call.args[i];
		if (live_put(c, 0, words, sizeof(words), &addr)) {
			snprintf(err, errlen, "%s", c->err);
			goto out;
		}
		memset(call.args, 0, sizeof(call.args));
		call.args[0] = addr;
	}
	if (live_syscall(c, call.nr, call.args, ret)) {
		snprintf(err, errlen, "%s", c->err);
		goto out;
	}
	rc = 0;
out:
	mmt_sys_call_release(&call);
	return rc;
}

static char *slurp_fd(int fd)
{
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap);

	while (buf) {
		ssize_t r;

		if (cap - len < 4096) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (buf)
		buf[len] = 0;
	return buf;
}

int live_read(struct live_child *c, const char *file, char **text)
{
	char path[64];
	int fd;

	*text = NULL;
	if (c->pid <= 0) {
		snprintf(c->err, sizeof(c->err), "read %s: child not running",
			 file);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)c->pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(c->err, sizeof(c->err), "%s: %s", path, strerror(errno));
		return -1;
	}
	*text = slurp_fd(fd);
	close(fd);
	if (!*text) {
		snprintf(c->err, sizeof(c->err), "%s: read failed", path);
		return -1;
	}
	return 0;
}

int live_pagemap(struct live_child *c, uint64_t va, size_t n, uint64_t out[])
{
	char path[64];
	size_t want = n * sizeof(uint64_t), got = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)c->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(c->err, sizeof(c->err), "%s: %s", path, strerror(errno));
		return -1;
	}
	while (got < want) {
		ssize_t r = pread(fd, (char *)out + got, want - got,
				  (off_t)((va / 4096) * 8 + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(c->err, sizeof(c->err), "%s: %s", path,
				 r < 0 ? strerror(errno) : "short read");
			close(fd);
			return -1;
		}
		got += (size_t)r;
	}
	close(fd);
	return 0;
}

/* "start-end perms offset dev inode   name": the kernel pads the name to
 * column 74 (x86_64) with spaces after the inode. */
static int parse_maps_line(const char *l, const char *e, struct live_vma *v)
{
	char buf[512];
	unsigned maj, min;
	unsigned long long ino;
	int pos = 0;
	size_t n = (size_t)(e - l);

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, l, n);
	buf[n] = 0;
	if (sscanf(buf, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %llu%n",
		   &v->start, &v->end, v->perms, &v->pgoff, &maj, &min, &ino,
		   &pos) != 7)
		return -1;
	if (strspn(v->perms, "r-") < 1 || strlen(v->perms) != 4 ||
	    !strchr("r-", v->perms[0]) || !strchr("w-", v->perms[1]) ||
	    !strchr("x-", v->perms[2]) || !strchr("ps", v->perms[3]))
		return -1;
	while (buf[pos] == ' ')
		pos++;
	snprintf(v->name, sizeof(v->name), "%s", buf + pos);
	return 0;
}

int live_maps_parse(const char *text, struct live_vma **out, char *err,
		    size_t errlen)
{
	size_t cap = 64;
	int n = 0;
	struct live_vma *v = malloc(cap * sizeof(*v));
	const char *l = text;

	*out = NULL;
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (*l) {
		const char *e = strchr(l, '\n');

		if (!e) {
			snprintf(err, errlen, "maps line %d has no newline", n + 1);
			goto bad;
		}
		if ((size_t)n == cap) {
			struct live_vma *nv = realloc(v, 2 * cap * sizeof(*v));

			if (!nv) {
				snprintf(err, errlen, "out of memory");
				goto bad;
			}
			v = nv;
			cap *= 2;
		}
		if (parse_maps_line(l, e, &v[n])) {
			snprintf(err, errlen, "maps line %d malformed: %.*s",
				 n + 1, (int)(e - l), l);
			goto bad;
		}
		if (v[n].start >= v[n].end || (v[n].start | v[n].end) & 4095) {
			snprintf(err, errlen, "maps line %d: range %" PRIx64
				 "-%" PRIx64 " empty or not page-aligned",
				 n + 1, v[n].start, v[n].end);
			goto bad;
		}
		if (n && v[n].start < v[n - 1].end) {
			snprintf(err, errlen, "maps line %d: %" PRIx64
				 " starts before the previous end %" PRIx64,
				 n + 1, v[n].start, v[n - 1].end);
			goto bad;
		}
		n++;
		l = e + 1;
	}
	*out = v;
	return n;
bad:
	free(v);
	return -1;
}

struct lines {
	const char **at;	/* line starts */
	int *len;
	int n;
};

static int split_lines(const char *s, struct lines *l)
{
	int cap = 1;

	for (const char *p = s; *p; p++)
		cap += *p == '\n';
	l->at = malloc((size_t)cap * sizeof(*l->at));
	l->len = malloc((size_t)cap * sizeof(*l->len));
	l->n = 0;
	if (!l->at || !l->len)
		return -1;
	while (*s) {
		const char *e = strchr(s, '\n');
		int len = e ? (int)(e - s) : (int)strlen(s);

		l->at[l->n] = s;
		l->len[l->n++] = len;
		s += len + (e ? 1 : 0);
	}
	return 0;
}

static bool same_line(const struct lines *a, int i, const struct lines *b,
		      int j)
{
	return a->len[i] == b->len[j] &&
	       !memcmp(a->at[i], b->at[j], (size_t)a->len[i]);
}

static void put_lines(FILE *f, const struct lines *l, int from, int to,
		      char mark)
{
	for (int i = from; i < to && i < l->n; i++)
		fprintf(f, "%c%.*s\n", mark, l->len[i], l->at[i]);
}

/* One hunk: the common prefix and suffix are context, what lies between
 * is the change (each side cut at 8 lines). */
char *live_diff_text(const char *a, const char *b, const char *name_a,
		     const char *name_b)
{
	struct lines la = { 0 }, lb = { 0 };
	int pre = 0, suf = 0;
	char *out = NULL;
	size_t len = 0;
	FILE *f = NULL;

	if (!strcmp(a, b))
		return NULL;
	if (split_lines(a, &la) || split_lines(b, &lb))
		goto done;
	while (pre < la.n && pre < lb.n && same_line(&la, pre, &lb, pre))
		pre++;
	while (suf < la.n - pre && suf < lb.n - pre &&
	       same_line(&la, la.n - 1 - suf, &lb, lb.n - 1 - suf))
		suf++;
	f = open_memstream(&out, &len);
	if (!f)
		goto done;
	fprintf(f, "--- %s\n+++ %s\n@@ -%d,%d +%d,%d @@\n", name_a, name_b,
		pre + 1, la.n - pre - suf, pre + 1, lb.n - pre - suf);
	put_lines(f, &la, pre >= 2 ? pre - 2 : 0, pre, ' ');
	put_lines(f, &la, pre, pre + 8 < la.n - suf ? pre + 8 : la.n - suf, '-');
	put_lines(f, &lb, pre, pre + 8 < lb.n - suf ? pre + 8 : lb.n - suf, '+');
	put_lines(f, &la, la.n - suf, la.n - suf + 2, ' ');
	if (strlen(a) && a[strlen(a) - 1] != '\n')
		fprintf(f, "\\ no newline at the end of %s\n", name_a);
	if (strlen(b) && b[strlen(b) - 1] != '\n')
		fprintf(f, "\\ no newline at the end of %s\n", name_b);
	fclose(f);
done:
	free(la.at);
	free(la.len);
	free(lb.at);
	free(lb.len);
	return out;
}
