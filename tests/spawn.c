// SPDX-License-Identifier: MIT
/*
 * test_spawn: a command in a process group of its own, its stderr on a
 * pseudo-terminal or a pipe, a deadline, and what it left behind.
 *
 *   test ── fork ── setpgid(0, 0), stderr = pty slave (raw) | pipe
 *    │                 └─ exec sh -c CMD ── (CMD's own processes)
 *    └─ read the master (or the pipe) until sh is reaped; past the
 *       deadline the whole group is killed; then /proc is scanned for
 *       processes still in the group
 *
 * The shadow and replay tests use it for their progress lines (isatty(2)
 * must be true, and a pty in raw mode hands over the bytes as written)
 * and for the tracer's error path (nothing may be left stopped, traced
 * or orphaned).
 */
#define _GNU_SOURCE
#include "test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The master of a new pty and its slave's name; -1 on failure. */
static int open_pty(char *name, size_t len)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	const char *n;

	if (m < 0)
		return -1;
	if (grantpt(m) || unlockpt(m) || !(n = ptsname(m))) {
		close(m);
		return -1;
	}
	snprintf(name, len, "%s", n);
	return m;
}

/* In the child: @fd (the pty slave or the pipe) as stderr, then CMD. */
static void child(const char *cmd, const char *slave, int pipe_fd)
{
	int fd = pipe_fd, in = open("/dev/null", O_RDONLY);

	setpgid(0, 0);
	if (slave) {
		struct termios tio;

		fd = open(slave, O_RDWR | O_NOCTTY);
		if (fd < 0)
			_exit(126);
		if (!tcgetattr(fd, &tio)) {
			cfmakeraw(&tio);
			tcsetattr(fd, TCSANOW, &tio);
		}
	}
	if (in < 0 || dup2(in, 0) < 0 || dup2(fd, 2) < 0)
		_exit(126);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/* Append what @fd has; false at its end (EOF, or EIO: the slave closed). */
static bool drain(int fd, char **buf, size_t *len, size_t *cap)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n <= 0)
		return n < 0 && (errno == EINTR || errno == EAGAIN);
	if (*len + (size_t)n + 1 > *cap) {
		size_t c = 2 * (*len + (size_t)n + 1);
		char *p = realloc(*buf, c);

		if (!p)
			return false;
		*buf = p;
		*cap = c;
	}
	memcpy(*buf + *len, chunk, (size_t)n);
	*len += (size_t)n;
	(*buf)[*len] = 0;
	return true;
}

/* Processes of group @pgrp (not zombies), listed into @r; their count. */
static unsigned scan_group(int pgrp, struct test_spawned *r)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	unsigned n = 0;
	size_t o = 0;

	r->left[0] = 0;
	while (d && (e = readdir(d))) {
		char path[300], *text, *p, state;
		int pid = atoi(e->d_name), ppid, grp;
		long tracer = 0;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		text = test_read_file(path);
		p = text ? strrchr(text, ')') : NULL;
		if (!p || sscanf(p + 1, " %c %d %d", &state, &ppid, &grp) != 3 ||
		    grp != pgrp || state == 'Z') {
			free(text);
			continue;
		}
		free(text);
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
		text = test_read_file(path);
		p = text ? strstr(text, "TracerPid:") : NULL;
		if (p)
			tracer = strtol(p + 10, NULL, 10);
		free(text);
		if (o < sizeof(r->left))
			o += (size_t)snprintf(r->left + o, sizeof(r->left) - o,
					      "%spid %d state %c tracer %ld",
					      n ? "; " : "", pid, state, tracer);
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

int test_spawn(const char *cmd, bool pty, double seconds,
	       struct test_spawned *r)
{
	char slave[128];
	size_t len = 0, cap = 4096;
	int fd, p[2] = { -1, -1 }, st = 0;
	double end = now() + seconds;
	bool open_end = true, reaped = false;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	r->err = calloc(1, cap);
	fd = pty ? open_pty(slave, sizeof(slave)) : pipe2(p, O_CLOEXEC) ? -1 : p[0];
	if (!r->err || fd < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		child(cmd, pty ? slave : NULL, p[1]);
	setpgid(pid, pid);	/* either side may win the race */
	if (p[1] >= 0)
		close(p[1]);
	for (;;) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		int ready = open_end ? poll(&pf, 1, 50) : 0;

		if (ready > 0)
			open_end = drain(fd, &r->err, &len, &cap);
		if (!reaped && waitpid(pid, &st, WNOHANG) == pid)
			reaped = true;
		if (reaped && ready <= 0)
			break;	/* sh ended and nothing more is waiting */
		if (!open_end && !reaped)
			usleep(10000);
		if (now() > end) {	/* what hung, then kill it all */
			r->timed_out = true;
			r->leftovers = scan_group(pid, r);
			kill(-pid, SIGKILL);
			if (!reaped)
				waitpid(pid, &st, 0);
			break;
		}
	}
	close(fd);
	if (!r->timed_out) {
		r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		/* one on its way out may take a moment to leave the group */
		for (int i = 0; i < 50 && (r->leftovers = scan_group(pid, r));
		     i++)
			usleep(20000);
	}
	if (r->leftovers) {
		kill(-pid, SIGKILL);
		kill(-pid, SIGCONT);
	}
	return 0;
}

void test_spawned_free(struct test_spawned *r)
{
	free(r->err);
	r->err = NULL;
}
