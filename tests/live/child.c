// SPDX-License-Identifier: MIT
/*
 * The live-kernel child: a freestanding program (no libc, its own _start
 * and system-call stubs) whose address space changes only when the parent
 * commands it.  Built twice, for x86_64 (`syscall`) and for i386
 * (`int $0x80`, an IA32-emulation task on an x86_64 kernel).
 *
 * Protocol (tests/live/protocol.h, docs/live-tests.md): the child reads
 * fixed-size requests from fd 0 and answers each with one fixed-size reply
 * on fd 1.  Right after start-up it sends a HELLO reply that tells the
 * parent where its payload buffer is.  Requests:
 *
 *   LIVE_OP_SYSCALL  nr, a[0..5]        -> ret = the raw return value
 *   LIVE_OP_PUT      a[0]=offset, size  -> `size` payload bytes follow the
 *                                          request; copied into the buffer
 *   LIVE_OP_READ     a[0]=address       -> one byte read from the address
 *   LIVE_OP_WRITE    a[0]=address, a[1]=byte
 *   LIVE_OP_EXIT                        -> exit_group(0), no reply
 *   LIVE_OP_FORK     a[0], a[1]=FIFO paths -> ret = the new pid; the new
 *                                          process talks over the FIFOs
 *
 * A touch (READ/WRITE) that faults does not kill the child: SIGSEGV and
 * SIGBUS are caught on an alternate signal stack in .bss (so handling them
 * never grows [stack]), the handler records si_signo, si_code and si_addr
 * and resumes at the touch's recovery label.
 *
 * Nothing here allocates: the buffers are static, the stack stays shallow.
 */
#include "protocol.h"

typedef long sys_word;

#if defined(__x86_64__)
#define NR_read		0
#define NR_write	1
#define NR_rt_sigaction	13
#define NR_rt_sigreturn	15
#define NR_sigaltstack	131
#define NR_exit_group	231
#define NR_open		2
#define NR_close	3
#define NR_dup2		33
#define NR_clone	56

static sys_word raw_syscall6(sys_word nr, sys_word a, sys_word b, sys_word c,
			     sys_word d, sys_word e, sys_word f)
{
	register sys_word r10 __asm__("r10") = d;
	register sys_word r8 __asm__("r8") = e;
	register sys_word r9 __asm__("r9") = f;
	sys_word ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

/* the offset of the saved instruction pointer in the ucontext the kernel
 * passes to an SA_SIGINFO handler (uc_mcontext at 40, rip is gregs[16]) */
#define UC_IP_OFFSET	(40 + 16 * 8)

__asm__(".text\n"
	".globl _start\n"
	"_start:\n"
	"	xor %rbp, %rbp\n"
	"	and $-16, %rsp\n"
	"	call child_main\n"
	"	hlt\n"
	"restore_rt:\n"
	"	mov $15, %rax\n"
	"	syscall\n"
	"	hlt\n");

#elif defined(__i386__)
#define NR_read		3
#define NR_write	4
#define NR_rt_sigaction	174
#define NR_rt_sigreturn	173
#define NR_sigaltstack	186
#define NR_exit_group	252
#define NR_open		5
#define NR_close	6
#define NR_dup2		63
#define NR_clone	120

/* ebp is the frame pointer and ebx may be the PIC register; i386's sixth
 * argument goes in ebp, so the stub saves both and loads them from memory */
static sys_word raw_syscall6(sys_word nr, sys_word a, sys_word b, sys_word c,
			     sys_word d, sys_word e, sys_word f)
{
	sys_word args[3] = { a, f, nr };
	sys_word ret;

	/* only registers address args[]: the pushes move esp and ebp is
	 * overwritten before the last load */
	__asm__ volatile("push %%ebx\n\t"
			 "push %%ebp\n\t"
			 "mov 0(%%eax), %%ebx\n\t"
			 "mov 4(%%eax), %%ebp\n\t"
			 "mov 8(%%eax), %%eax\n\t"
			 "int $0x80\n\t"
			 "pop %%ebp\n\t"
			 "pop %%ebx"
			 : "=a"(ret)
			 : "a"(args), "c"(b), "d"(c), "S"(d), "D"(e)
			 : "memory");
	return ret;
}

/* uc_mcontext at 20, eip is the 15th saved register */
#define UC_IP_OFFSET	(20 + 14 * 4)

__asm__(".text\n"
	".globl _start\n"
	"_start:\n"
	"	xor %ebp, %ebp\n"
	"	and $-16, %esp\n"
	"	call child_main\n"
	"	hlt\n"
	"restore_rt:\n"
	"	mov $173, %eax\n"
	"	int $0x80\n"
	"	hlt\n");
#else
#error "the live child is built for x86_64 or i386"
#endif

#define SIGBUS		7
#define SIGSEGV		11
#define SA_SIGINFO	0x00000004u
#define SA_ONSTACK	0x08000000u
#define SA_RESTORER	0x04000000u

extern char restore_rt[];

/* the kernel's struct sigaction for rt_sigaction (not libc's) */
struct k_sigaction {
	void (*handler)(int, void *, void *);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask[64 / (8 * sizeof(unsigned long))];
};

struct k_stack {
	void *sp;
	int flags;
	unsigned long size;
};

/* siginfo: si_signo, si_errno, si_code, then (after padding to the
 * pointer size on x86_64) si_addr */
struct k_siginfo_head {
	int signo, err, code;
#if defined(__x86_64__)
	int pad;
#endif
	void *addr;
};

static unsigned char payload[LIVE_PAYLOAD_SIZE] __attribute__((aligned(4096)));
static unsigned char altstack[65536] __attribute__((aligned(16)));

/* the touch in progress: where to resume after a fault, what it raised */
static volatile unsigned long touch_resume;
static volatile struct live_reply fault;

void *memcpy(void *dst, const void *src, unsigned long n);
void *memset(void *dst, int c, unsigned long n);

/* the compiler may emit calls to these for structure copies */
void *memcpy(void *dst, const void *src, unsigned long n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, unsigned long n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

static void on_fault(int sig, void *info, void *uctx)
{
	const struct k_siginfo_head *si = info;

	fault.signo = (uint32_t)sig;
	fault.code = si->code;
	fault.addr = (uint64_t)(unsigned long)si->addr;
	*(unsigned long *)((char *)uctx + UC_IP_OFFSET) = touch_resume;
}

static void install_fault_handler(void)
{
	struct k_stack ss = { altstack, 0, sizeof(altstack) };
	struct k_sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.handler = on_fault;
	sa.flags = SA_SIGINFO | SA_ONSTACK | SA_RESTORER;
	sa.restorer = (void (*)(void))restore_rt;
	raw_syscall6(NR_sigaltstack, (sys_word)&ss, 0, 0, 0, 0, 0);
	raw_syscall6(NR_rt_sigaction, SIGSEGV, (sys_word)&sa, 0, 8, 0, 0);
	raw_syscall6(NR_rt_sigaction, SIGBUS, (sys_word)&sa, 0, 8, 0, 0);
}

#if defined(__x86_64__)
#define LOAD_RESUME "lea 1f(%%rip), %[tmp]\n\t"
#else
#define LOAD_RESUME "mov $1f, %[tmp]\n\t"
#endif

/* Read or write one byte at @addr; a fault lands in on_fault(), which
 * resumes at label 1 with the signal recorded in `fault`. */
static void touch(struct live_reply *rep, unsigned long addr, int write,
		  unsigned char val)
{
	unsigned char got = 0;
	unsigned long tmp;

	fault.signo = 0;
	fault.code = 0;
	fault.addr = 0;
	if (write)
		__asm__ volatile(LOAD_RESUME
				 "mov %[tmp], %[resume]\n\t"
				 "movb %[val], (%[addr])\n"
				 "1:"
				 : [resume] "=m"(touch_resume), [tmp] "=&r"(tmp)
				 : [addr] "r"(addr), [val] "q"(val)
				 : "memory");
	else
		__asm__ volatile(LOAD_RESUME
				 "mov %[tmp], %[resume]\n\t"
				 "movb (%[addr]), %[got]\n"
				 "1:"
				 : [resume] "=m"(touch_resume), [tmp] "=&r"(tmp),
				   [got] "+q"(got)
				 : [addr] "r"(addr)
				 : "memory");
	rep->signo = fault.signo;
	rep->code = fault.code;
	rep->addr = fault.addr;
	rep->ret = fault.signo ? -1 : 0;
	rep->value = got;
}

static int read_full(void *buf, unsigned long n)
{
	unsigned char *p = buf;

	while (n) {
		sys_word r = raw_syscall6(NR_read, 0, (sys_word)p, (sys_word)n,
					  0, 0, 0);

		if (r == -4)	/* EINTR */
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (unsigned long)r;
	}
	return 0;
}

static void reply(const struct live_reply *rep)
{
	const unsigned char *p = (const unsigned char *)rep;
	unsigned long n = sizeof(*rep);

	while (n) {
		sys_word r = raw_syscall6(NR_write, 1, (sys_word)p, (sys_word)n,
					  0, 0, 0);

		if (r == -4)
			continue;
		if (r <= 0)
			raw_syscall6(NR_exit_group, 3, 0, 0, 0, 0, 0);
		p += r;
		n -= (unsigned long)r;
	}
}

static void hello(void)
{
	struct live_reply rep;

	memset(&rep, 0, sizeof(rep));
	rep.ret = LIVE_HELLO_MAGIC;
	rep.addr = (uint64_t)(unsigned long)payload;
	rep.value = sizeof(payload);
	reply(&rep);
}

#define CLONE_PARENT	0x00008000
#define SIGCHLD		17

/*
 * fork() as clone(CLONE_PARENT | SIGCHLD): the same copy of the mm, but
 * the new process is the harness's child, so the harness reaps it.  In
 * the new process: the FIFO @req_path (O_RDONLY: waits for the harness)
 * becomes fd 0, @rep_path fd 1, the old pipes are gone, a hello follows.
 * Returns the new pid (or -errno) in the parent, 0 in the new process.
 */
static sys_word do_fork(unsigned long req_path, unsigned long rep_path)
{
	sys_word pid = raw_syscall6(NR_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0,
				    0, 0), in, out;

	if (pid)
		return pid;
	in = raw_syscall6(NR_open, (sys_word)req_path, 0 /* O_RDONLY */, 0, 0,
			  0, 0);
	out = raw_syscall6(NR_open, (sys_word)rep_path, 1 /* O_WRONLY */, 0, 0,
			   0, 0);
	if (in < 0 || out < 0 ||
	    raw_syscall6(NR_dup2, in, 0, 0, 0, 0, 0) < 0 ||
	    raw_syscall6(NR_dup2, out, 1, 0, 0, 0, 0) < 0)
		raw_syscall6(NR_exit_group, 6, 0, 0, 0, 0, 0);
	raw_syscall6(NR_close, in, 0, 0, 0, 0, 0);
	raw_syscall6(NR_close, out, 0, 0, 0, 0, 0);
	hello();
	return 0;
}

void child_main(void);

void child_main(void)
{
	struct live_request req;
	struct live_reply rep;

	install_fault_handler();
	hello();
	for (;;) {
		if (read_full(&req, sizeof(req)))
			raw_syscall6(NR_exit_group, 0, 0, 0, 0, 0, 0);
		memset(&rep, 0, sizeof(rep));
		switch (req.op) {
		case LIVE_OP_SYSCALL:
			rep.ret = (int64_t)(unsigned long)raw_syscall6(
					       (sys_word)req.nr,
					       (sys_word)req.a[0], (sys_word)req.a[1],
					       (sys_word)req.a[2], (sys_word)req.a[3],
					       (sys_word)req.a[4], (sys_word)req.a[5]);
			break;
		case LIVE_OP_PUT:
			if (req.a[0] > sizeof(payload) ||
			    req.size > sizeof(payload) - req.a[0]) {
				rep.ret = -22;	/* EINVAL; the parent stops */
				reply(&rep);
				raw_syscall6(NR_exit_group, 4, 0, 0, 0, 0, 0);
			}
			if (read_full(payload + req.a[0], req.size))
				raw_syscall6(NR_exit_group, 5, 0, 0, 0, 0, 0);
			rep.ret = (int64_t)(unsigned long)(payload + req.a[0]);
			break;
		case LIVE_OP_READ:
		case LIVE_OP_WRITE:
			touch(&rep, (unsigned long)req.a[0],
			      req.op == LIVE_OP_WRITE, (unsigned char)req.a[1]);
			break;
		case LIVE_OP_EXIT:
			raw_syscall6(NR_exit_group, 0, 0, 0, 0, 0, 0);
			break;
		case LIVE_OP_FORK:
			rep.ret = (int64_t)(unsigned long)do_fork(
					(unsigned long)req.a[0],
					(unsigned long)req.a[1]);
			if (!rep.ret)
				continue;	/* the new process: hello sent */
			break;
		default:
			rep.ret = -38;	/* ENOSYS */
			break;
		}
		reply(&rep);
	}
}
