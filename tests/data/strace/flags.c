/* Ground truth for mmtwin's strace formatter: unusual flag combinations. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <sys/personality.h>
#include <unistd.h>
#include <stdlib.h>
#include <linux/mman.h>
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << 26)
#endif
int main(void)
{
	char *p, *q;
	unsigned char vec[4];
	struct rlimit rl;
	int id, k;

	syscall(SYS_brk, 0);
	syscall(SYS_mmap, 0, 4096, PROT_READ | 0x10, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	syscall(SYS_mmap, 0, 2 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB, -1, 0);
	p = (char *)syscall(SYS_mmap, 0x200000000UL, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_POPULATE | MAP_NORESERVE, -1, 0);
	syscall(SYS_mmap, 0x200000000UL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE | MAP_ANONYMOUS | 0x40000000, -1, 0);
	syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT | MAP_GROWSDOWN | MAP_STACK | MAP_LOCKED, -1, 0);
	syscall(SYS_mmap, 0, 4096, PROT_READ, 0x7 | MAP_ANONYMOUS, -1, 0);
	syscall(SYS_mmap, 0, 4096, 0x80, 0x80000000 | MAP_PRIVATE, 1000, 0x1000);
	syscall(SYS_mmap, 0, 0, PROT_READ, MAP_SHARED, 0, 0);
	syscall(SYS_mprotect, p, 4096, PROT_READ | PROT_EXEC | PROT_SEM);
	syscall(SYS_mprotect, p, 4096, PROT_READ | PROT_GROWSDOWN);
	syscall(SYS_mprotect, p + 1, 4096, 0x100);
	syscall(SYS_madvise, p, 8192, MADV_WIPEONFORK);
	syscall(SYS_madvise, p, 8192, MADV_KEEPONFORK);
	syscall(SYS_madvise, p, 8192, MADV_POPULATE_READ);
	syscall(SYS_madvise, p, 8192, 99);
	syscall(SYS_madvise, p, 8192, MADV_HUGEPAGE);
	q = (char *)syscall(SYS_mremap, p, 8192, 16384, MREMAP_MAYMOVE);
	syscall(SYS_mremap, q, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, 0x300000000UL);
	syscall(SYS_mremap, q, 4096, 4096, MREMAP_MAYMOVE | MREMAP_DONTUNMAP | 0x10);
	syscall(SYS_mlock, q, 4096);
	syscall(SYS_mlock2, q, 4096, MLOCK_ONFAULT);
	syscall(SYS_mlock2, q, 4096, 0x6);
	syscall(SYS_munlock, q, 4096);
	syscall(SYS_mlockall, MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT);
	syscall(SYS_mlockall, 0x10);
	syscall(SYS_munlockall);
	syscall(SYS_mincore, q, 8192, vec);
	syscall(SYS_msync, q, 4096, MS_ASYNC | MS_INVALIDATE);
	syscall(SYS_msync, q, 4096, 0x8);
	syscall(SYS_remap_file_pages, q, 4096, 0, 0, 0);
	id = syscall(SYS_shmget, IPC_PRIVATE, 8192, IPC_CREAT | IPC_EXCL | 0600);
	syscall(SYS_shmget, 0x1234, 4096, 0640);
	p = (char *)syscall(SYS_shmat, id, 0, SHM_RDONLY | SHM_RND);
	syscall(SYS_shmdt, p);
	syscall(SYS_shmctl, id, IPC_RMID, 0);
	k = syscall(SYS_pkey_alloc, 0, 0x3);
	syscall(SYS_pkey_mprotect, q, 4096, PROT_READ, k);
	syscall(SYS_pkey_free, k);
	syscall(SYS_munmap, q, 16384);
	syscall(SYS_munmap, 0, 0);
	syscall(SYS_personality, 0xffffffff);
	syscall(SYS_personality, ADDR_NO_RANDOMIZE);
	syscall(SYS_getrlimit, RLIMIT_STACK, &rl);
	syscall(SYS_setrlimit, RLIMIT_AS, &rl);
	syscall(SYS_prlimit64, 0, RLIMIT_DATA, 0, &rl);
	syscall(SYS_set_tid_address, 0);
	if (syscall(SYS_fork) == 0)
		syscall(SYS_exit, 7);
	wait(NULL);
	if (fork() == 0)
		_exit(0);
	wait(NULL);
	return 0;
}
