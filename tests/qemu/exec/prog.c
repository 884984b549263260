// SPDX-License-Identifier: MIT
/*
 * prog.c - the program the exec ground truth runs (tests/qemu/README.md).
 * Built four ways by tests/qemu/exec/build.sh: freestanding static non-PIE
 * (text at 0x08048000), freestanding static-pie, and with glibc as a
 * dynamic PIE and a dynamic non-PIE program (interpreter
 * /lib/ld-linux.so.2).  Nothing here runs in the ground truth: the tracer
 * stops it when execve returns.  It has initialised data and bss so the
 * loader maps a data segment and a brk.
 */
#ifdef FREESTANDING
int data_word = 42;
char bss_area[5000];

__attribute__((noreturn)) void _start(void)
{
	bss_area[0] = (char)data_word;
	/* exit_group(0) */
	__asm__ volatile("int $0x80" : : "a"(252), "b"(0));
	for (;;)
		;
}
#else
#include <stdio.h>
int data_word = 42;
char bss_area[5000];

int main(void)
{
	bss_area[0] = (char)data_word;
	printf("%d\n", bss_area[0]);
	return 0;
}
#endif
