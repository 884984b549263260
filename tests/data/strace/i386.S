	.globl _start
	.text
_start:
	/* brk(0) */
	movl $45, %eax; xorl %ebx, %ebx; int $0x80
	/* mmap2(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) */
	movl $192, %eax; xorl %ebx, %ebx; movl $8192, %ecx; movl $3, %edx
	movl $0x22, %esi; movl $-1, %edi; xorl %ebp, %ebp; int $0x80
	movl %eax, %ebx
	/* mprotect(p, 4096, PROT_READ) */
	movl $125, %eax; movl $4096, %ecx; movl $1, %edx; int $0x80
	/* munmap(p, 8192) */
	movl $91, %eax; movl $8192, %ecx; int $0x80
	/* old_mmap(&args) */
	movl $90, %eax; leal margs, %ebx; int $0x80
	/* madvise(p, 4096, MADV_DONTNEED) */
	movl %eax, %ebx; movl $219, %eax; movl $4096, %ecx; movl $4, %edx; int $0x80
	/* mmap2 with bad flags -> EINVAL */
	movl $192, %eax; xorl %ebx, %ebx; movl $4096, %ecx; movl $3, %edx
	movl $0x0, %esi; movl $-1, %edi; xorl %ebp, %ebp; int $0x80
	/* exit_group(0) */
	movl $252, %eax; xorl %ebx, %ebx; int $0x80
	.data
margs:	.long 0, 16384, 3, 0x22, -1, 0
