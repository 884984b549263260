// SPDX-License-Identifier: MIT
/*
 * The malloc oracle: an ordinary glibc program (dynamically linked, the
 * host's glibc 2.36) that runs a malloc/free/realloc/calloc/mallopt
 * sequence from its arguments.  tests/test_malloc.c runs it under ptrace
 * with ASLR off and records its system calls between the two markers
 * (sched_yield), seeding the model at the first one.
 *
 * Words, in order (slots 0..63):
 *   L<n>         setup: RLIMIT_DATA soft limit n bytes
 *   B<off>       setup: map one page at the break + off (hex) so brk
 *                cannot grow past it
 *   S            the start marker; no stdio or malloc before it
 *   m<i>=<n>     slot i = malloc(n)
 *   c<i>=<n>x<k> slot i = calloc(n, k)
 *   r<i>=<n>     slot i = realloc(slot i, n)
 *   f<i>         free(slot i)
 *   o<p>=<v>     mallopt(p, v) (p negative: M_TOP_PAD is -2 ...)
 *   E            the end marker
 * After E it prints one line per result: the address in hex (0 for
 * NULL), or the mallopt result, in the order of the words.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static void *slot[64];
static uintptr_t result[256];
static int nres;

static long num(const char **p, int base)
{
	char *end;
	long v = strtol(*p, &end, base);

	*p = end;
	return v;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *p = argv[i] + 1;
		long a, b, c;

		switch (argv[i][0]) {
		case 'L': {
			struct rlimit r;

			getrlimit(RLIMIT_DATA, &r);
			r.rlim_cur = (rlim_t)num(&p, 10);
			setrlimit(RLIMIT_DATA, &r);
			break;
		}
		case 'B': {
			uintptr_t brk0 = (uintptr_t)syscall(SYS_brk, 0);

			a = num(&p, 16);
			mmap((void *)(brk0 + (uintptr_t)a), 4096, PROT_READ,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			     -1, 0);
			break;
		}
		case 'S':
		case 'E':
			sched_yield();
			break;
		case 'm':
			a = num(&p, 10);
			b = num(&(const char *){ p + 1 }, 10);
			slot[a & 63] = malloc((size_t)b);
			result[nres++] = (uintptr_t)slot[a & 63];
			break;
		case 'c': {
			const char *q;

			a = num(&p, 10);
			q = p + 1;
			b = num(&q, 10);
			q++;
			c = num(&q, 10);
			slot[a & 63] = calloc((size_t)b, (size_t)c);
			result[nres++] = (uintptr_t)slot[a & 63];
			break;
		}
		case 'r':
			a = num(&p, 10);
			b = num(&(const char *){ p + 1 }, 10);
			slot[a & 63] = realloc(slot[a & 63], (size_t)b);
			result[nres++] = (uintptr_t)slot[a & 63];
			break;
		case 'f':
			a = num(&p, 10);
			free(slot[a & 63]);
			slot[a & 63] = NULL;
			break;
		case 'o':
			a = num(&p, 10);
			b = num(&(const char *){ p + 1 }, 10);
			result[nres++] = (uintptr_t)mallopt((int)a, (int)b);
			break;
		}
	}
	for (int i = 0; i < nres; i++)
		printf("%#lx\n", (unsigned long)result[i]);
	return 0;
}
