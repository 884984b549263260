/* SPDX-License-Identifier: MIT */
/*
 * The wire format between the live-kernel harness (live.c) and its child
 * (child.c).  Both ends use these fixed-size little-endian records; the
 * child may be an i386 program, so every field has a fixed width and the
 * records have no padding.
 *
 *   parent --- struct live_request (64 bytes) [+ PUT payload] ---> fd 0
 *   parent <-- struct live_reply (32 bytes) ---------------------- fd 1
 *
 * The child starts by sending one reply with ret == LIVE_HELLO_MAGIC,
 * addr == its payload buffer and value == the buffer's size.
 */
#ifndef MMT_LIVE_PROTOCOL_H
#define MMT_LIVE_PROTOCOL_H

#include <stdint.h>

enum live_op {
	LIVE_OP_SYSCALL = 1,	/* nr, a[0..5]: ret = raw return value */
	LIVE_OP_PUT = 2,	/* copy `size` bytes after the request to
				 * payload + a[0]; ret = that address */
	LIVE_OP_READ = 3,	/* value = *(u8 *)a[0], or a signal */
	LIVE_OP_WRITE = 4,	/* *(u8 *)a[0] = a[1], or a signal */
	LIVE_OP_EXIT = 5,	/* exit_group(0); no reply */
	LIVE_OP_FORK = 6,	/* clone(CLONE_PARENT | SIGCHLD): ret = the
				 * new pid.  The new process opens the FIFOs
				 * named by the strings at a[0] (its requests)
				 * and a[1] (its replies) as fds 0 and 1 and
				 * sends its own hello there */
};

#define LIVE_HELLO_MAGIC	0x6d6d74776c697665LL	/* "mmtwlive" */
#define LIVE_PAYLOAD_SIZE	65536

struct live_request {
	uint32_t op;		/* enum live_op */
	uint32_t size;		/* PUT: payload bytes that follow */
	uint64_t nr;		/* SYSCALL: the number in the child's ABI */
	uint64_t a[6];		/* arguments (i386: the low 32 bits) */
};

/* SYSCALL: ret is the register as the child saw it, zero-extended (an
 * i386 child's -EINVAL arrives as 0xffffffea; the parent sign-extends).
 * READ/WRITE: ret 0, or -1 with signo, code (si_code) and addr (si_addr)
 * of the SIGSEGV/SIGBUS the touch raised. */
struct live_reply {
	int64_t ret;
	uint32_t signo;
	int32_t code;
	uint64_t addr;
	uint64_t value;
};

_Static_assert(sizeof(struct live_request) == 64, "request layout");
_Static_assert(sizeof(struct live_reply) == 32, "reply layout");

#endif
