// SPDX-License-Identifier: MIT
/*
 * The shadow tests' helper (tests/test_shadow.c): an ordinary glibc
 * program, built for x86_64, i386 and static, that exercises one memory
 * pattern per mode for `mmtwin shadow` to mirror:
 *
 *   threads       4 threads mmap/mprotect/munmap while the others do
 *   threads-exit  threads exit while the main thread keeps mapping
 *   mremap        grow in place, move, shrink, MREMAP_FIXED
 *   fixed         MAP_FIXED over existing anonymous and file mappings
 *   shm           SysV shm: shmget, shmat (twice), shmdt, IPC_RMID
 *   misc          brk, madvise, mlock/munlock, pkey_mprotect -1, mseal,
 *                 msync, MAP_GROWSDOWN, a deep recursion (stack growth)
 *   fork          a child maps and exits, the parent maps after it
 *   vfork         vfork + _exit, vfork + execve /bin/true
 *   signal        a handled SIGUSR1, then exit 7
 *   stopcont      a child stops itself (SIGSTOP: a group-stop), the
 *                 parent sees it stopped and continues it (SIGCONT)
 *   kill          maps, then dies of SIGTERM
 *   killmap       30 times: a child whose thread maps and unmaps in a
 *                 loop while three others spin kills itself (SIGKILL)
 *                 from its main thread; the kill lands while the
 *                 mapping thread's call waits for the others to park
 *                 (the tracer must still let them die)
 *   exec PATH     execve PATH misc (a 32-bit one: the ABI changes)
 *   hang          sleeps forever (the timeout test)
 *   maxmap        maps single pages until ENOMEM (vm.max_map_count)
 *   unmirrored    remap_file_pages() splits a shared memfd mapping: a
 *                 call the model does not mirror; shadow must report it
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void *map(void *addr, size_t len, int prot, int flags)
{
	void *p = mmap(addr, len, prot, flags | MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

static void *thread_work(void *arg)
{
	unsigned n = (unsigned)(uintptr_t)arg;

	for (unsigned i = 0; i < 40; i++) {
		char *p = map(NULL, (n + 1 + i % 3) * PG, PROT_READ | PROT_WRITE, 0);

		p[0] = 1;
		if (mprotect(p, PG, PROT_READ))
			die("mprotect");
		if (munmap(p, (n + 1 + i % 3) * PG))
			die("munmap");
	}
	return NULL;
}

static int do_threads(unsigned n)
{
	pthread_t t[8];

	for (unsigned i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, thread_work, (void *)(uintptr_t)i))
			die("pthread_create");
	thread_work((void *)(uintptr_t)n);
	for (unsigned i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	printf("threads: %u done\n", n + 1);
	return 0;
}

static void *short_thread(void *arg)
{
	char *p = map(NULL, 3 * PG, PROT_READ | PROT_WRITE, 0);

	(void)arg;
	p[PG] = 1;
	munmap(p, 3 * PG);
	return NULL;
}

static int do_threads_exit(void)
{
	for (unsigned round = 0; round < 6; round++) {
		pthread_t t[4];

		for (unsigned i = 0; i < 4; i++)
			if (pthread_create(&t[i], NULL, short_thread, NULL))
				die("pthread_create");
		for (unsigned i = 0; i < 10; i++) {
			char *p = map(NULL, 2 * PG, PROT_READ, 0);

			munmap(p, 2 * PG);
		}
		for (unsigned i = 0; i < 4; i++)
			pthread_join(t[i], NULL);
	}
	return 0;
}

static int do_mremap(void)
{
	char *p = map(NULL, 3 * PG, PROT_READ | PROT_WRITE, 0), *q, *r;
	char *hole = map(NULL, 16 * PG, PROT_NONE, 0);

	p[0] = 1;
	q = mremap(p, 3 * PG, 8 * PG, MREMAP_MAYMOVE);
	if (q == MAP_FAILED)
		die("mremap grow");
	q = mremap(q, 8 * PG, 2 * PG, 0);
	if (q == MAP_FAILED)
		die("mremap shrink");
	r = mremap(q, 2 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
		   hole + 4 * PG);
	if (r == MAP_FAILED)
		die("mremap fixed");
	/* fails: not a mapping */
	if (mremap(hole + 15 * PG + 8 * PG, PG, 2 * PG, 0) != MAP_FAILED)
		die("mremap of nothing");
	r = mremap(r, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED |
		   MREMAP_DONTUNMAP, hole + 10 * PG);
	(void)r;
	return 0;
}

static int do_fixed(void)
{
	char *p = map(NULL, 16 * PG, PROT_READ | PROT_WRITE, 0);
	int fd = open("/etc/passwd", O_RDONLY);

	p[0] = p[8 * PG] = 1;
	map(p + 4 * PG, 4 * PG, PROT_READ, MAP_FIXED);
	map(p + 6 * PG, 4 * PG, PROT_READ | PROT_WRITE, MAP_FIXED);
	if (fd >= 0) {
		if (mmap(p + 12 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd,
			 0) == MAP_FAILED)
			die("mmap file fixed");
		close(fd);
	}
	if (mmap(p, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_FIXED_NOREPLACE, -1, 0) != MAP_FAILED)
		die("MAP_FIXED_NOREPLACE over a mapping");
	map(p + 2 * PG, 12 * PG, PROT_NONE, MAP_FIXED);
	return 0;
}

static int do_shm(void)
{
	int id = shmget(IPC_PRIVATE, 64 * 1024, IPC_CREAT | 0600);
	char *a, *b;

	if (id < 0)
		die("shmget");
	a = shmat(id, NULL, 0);
	if (a == (void *)-1)
		die("shmat");
	a[0] = 1;
	b = shmat(id, NULL, SHM_RDONLY);
	if (b == (void *)-1)
		die("shmat 2");
	if (shmdt(a))
		die("shmdt");
	if (shmctl(id, IPC_RMID, NULL))
		die("shmctl");
	shmdt(b);
	return 0;
}

static unsigned recurse(unsigned n)
{
	volatile char buf[4096];

	buf[0] = (char)n;
	return n ? recurse(n - 1) + buf[0] : 0;
}

static int do_misc(void)
{
	char *b = sbrk(0), *p;

	if (sbrk(64 * 1024) == (void *)-1)
		die("sbrk");
	b[0] = 1;
	sbrk(-32 * 1024);
	p = map(NULL, 32 * PG, PROT_READ | PROT_WRITE, 0);
	p[0] = 1;
	madvise(p, 8 * PG, MADV_DONTNEED);
	madvise(p + 8 * PG, 8 * PG, MADV_DONTFORK);
	madvise(p + 16 * PG, 4 * PG, MADV_WIPEONFORK);
	mlock(p + 20 * PG, 2 * PG);
	munlock(p + 20 * PG, PG);
	syscall(SYS_pkey_mprotect, p + 24 * PG, 2 * PG, PROT_READ, -1);
	msync(p, PG, MS_ASYNC);
#ifdef SYS_mseal
	syscall(SYS_mseal, p + 28 * PG, 2 * PG, 0);
#else
	syscall(462, p + 28 * PG, 2 * PG, 0);
#endif
	map(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_GROWSDOWN);
	munmap(p, 8 * PG);
	return (int)(recurse(100) & 0) ;
}

static int do_fork(void)
{
	pid_t c = fork();
	int st;

	if (c < 0)
		die("fork");
	if (c == 0) {
		char *p = map(NULL, 5 * PG, PROT_READ | PROT_WRITE, 0);

		p[0] = 1;
		munmap(p + PG, PG);
		_exit(0);
	}
	waitpid(c, &st, 0);
	map(NULL, 3 * PG, PROT_READ, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static int do_vfork(void)
{
	pid_t c = vfork();
	int st;

	if (c < 0)
		die("vfork");
	if (c == 0)
		_exit(0);
	waitpid(c, &st, 0);
	c = vfork();
	if (c == 0) {
		char *const argv[] = { "true", NULL };

		execve("/bin/true", argv, environ);
		_exit(127);
	}
	waitpid(c, &st, 0);
	map(NULL, 2 * PG, PROT_READ, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	got = sig;
}

static int do_signal(void)
{
	signal(SIGUSR1, on_usr1);
	raise(SIGUSR1);
	map(NULL, PG, PROT_READ, 0);
	printf("signal %d handled\n", (int)got);
	fflush(stdout);
	return got == SIGUSR1 ? 7 : 1;
}

static int do_stopcont(void)
{
	pid_t c = fork();
	int st;

	if (c < 0)
		die("fork");
	if (c == 0) {
		map(NULL, PG, PROT_READ, 0);
		raise(SIGSTOP);
		map(NULL, 2 * PG, PROT_READ, 0);
		_exit(0);
	}
	if (waitpid(c, &st, WUNTRACED) != c || !WIFSTOPPED(st))
		die("waitpid (stopped)");
	map(NULL, 3 * PG, PROT_READ, 0);
	kill(c, SIGCONT);
	if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st))
		die("waitpid (exited)");
	printf("stopcont: the child stopped, was continued and exited\n");
	return 0;
}

static int do_kill(void)
{
	map(NULL, 2 * PG, PROT_READ, 0);
	raise(SIGTERM);
	return 1;
}

static void *map_loop(void *arg)
{
	(void)arg;
	for (;;)
		munmap(map(NULL, PG, PROT_READ, 0), PG);
	return NULL;
}

static void *spin(void *arg)
{
	(void)arg;
	for (volatile unsigned long n = 0;; n++)
		;
	return NULL;
}

static int do_killmap(void)
{
	unsigned killed = 0;

	for (unsigned round = 0; round < 30; round++) {
		pid_t c = fork();
		int st;

		if (c < 0)
			die("fork");
		if (!c) {
			pthread_t t[4];

			for (unsigned i = 0; i < 4; i++)
				if (pthread_create(&t[i], NULL, i ? spin : map_loop,
						   NULL))
					die("pthread_create");
			usleep(600 + 50 * round);
			kill(getpid(), SIGKILL);
			for (;;)
				pause();
		}
		if (waitpid(c, &st, 0) != c)
			die("waitpid");
		killed += WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
	}
	printf("%u of 30 children killed\n", killed);
	return 0;
}

static int do_maxmap(void)
{
	unsigned long n = 0;
	char *base = map(NULL, PG, PROT_READ, 0);

	/* alternate protections so that no two neighbours merge */
	for (;;) {
		char *p = mmap(NULL, PG, (n & 1) ? PROT_READ : PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			if (errno != ENOMEM)
				die("mmap");
			break;
		}
		n++;
	}
	printf("%lu mappings until ENOMEM\n", n);
	(void)base;
	return 0;
}

/* remap_file_pages() has no model: the VMA it splits off with another
 * file offset is a change shadow does not mirror, and must report. */
static int do_unmirrored(void)
{
	int fd = memfd_create("shadow", 0);
	char *p;

	if (fd < 0 || ftruncate(fd, 4 * PG))
		die("memfd");
	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap memfd");
	if (syscall(SYS_remap_file_pages, p, PG, 0, 2, 0))
		die("remap_file_pages");
	mprotect(p + 3 * PG, PG, PROT_READ);
	munmap(p, 4 * PG);
	return 0;
}

/* "dump MODE": the process's own maps on stdout as it exits, read and
 * written with plain read/write into a static buffer (no memory call of
 * its own), for the report test to compare the drawn VMAs with. */
static char dump_buf[1 << 20];

static void dump_maps(void)
{
	int fd = open("/proc/self/maps", O_RDONLY);
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		return;
	while (n < sizeof(dump_buf) &&
	       (r = read(fd, dump_buf + n, sizeof(dump_buf) - n)) > 0)
		n += (size_t)r;
	close(fd);
	fflush(stdout);
	if (write(1, dump_buf, n) != (ssize_t)n)
		_exit(1);
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "misc";

	if (!strcmp(m, "dump") && argc > 2) {
		atexit(dump_maps);
		argv++;
		argc--;
		m = argv[1];
	}

	if (!strcmp(m, "threads"))
		return do_threads(3);
	if (!strcmp(m, "threads-exit"))
		return do_threads_exit();
	if (!strcmp(m, "mremap"))
		return do_mremap();
	if (!strcmp(m, "fixed"))
		return do_fixed();
	if (!strcmp(m, "shm"))
		return do_shm();
	if (!strcmp(m, "misc"))
		return do_misc();
	if (!strcmp(m, "fork"))
		return do_fork();
	if (!strcmp(m, "vfork"))
		return do_vfork();
	if (!strcmp(m, "signal"))
		return do_signal();
	if (!strcmp(m, "stopcont"))
		return do_stopcont();
	if (!strcmp(m, "killmap"))
		return do_killmap();
	if (!strcmp(m, "kill"))
		return do_kill();
	if (!strcmp(m, "hang")) {
		for (;;)
			pause();
	}
	if (!strcmp(m, "maxmap"))
		return do_maxmap();
	if (!strcmp(m, "unmirrored"))
		return do_unmirrored();
	if (!strcmp(m, "exec") && argc > 2) {
		char *const av[] = { argv[2], "misc", NULL };

		execve(argv[2], av, environ);
		die("execve");
	}
	fprintf(stderr, "shadow-helper: unknown mode '%s'\n", m);
	return 2;
}
