/* SPDX-License-Identifier: MIT */
/*
 * mmtwin/mm.h - user processes: tasks, their mm_struct, VMAs, and the
 * memory system calls (mmap, munmap, mprotect, brk) with 6.18's rules.
 *
 *   machine ─► m->tasks (struct mmt_tasks)
 *               ├─ list     task ─► task ─► ...   (pid order of creation)
 *               ├─ current  the task syscall lines run in
 *               └─ sysctl   vm.max_map_count, mmap_min_addr, stack_guard_gap
 *
 *   task ─┬─ mm ─► VMA tree (augmented red-black tree, src/mm/vma.c)
 *         │        mm_struct fields: code/data/brk/stack/arg/env bounds,
 *         │        mmap_base (+ compat bases), counters, pgd pfn
 *         └─ fds[] fd ─► struct mmt_file (refcounted: VMAs share it)
 *
 * An x86_64 task's address space, ASLR off, RLIMIT_STACK 8 MiB:
 *
 *   0xffffffffff600000 [vsyscall]    the gate VMA: not in the tree
 *   0x7ffffffff000     TASK_SIZE_MAX / STACK_TOP
 *   0x7ffff7fff000     mmap_base: top-down mmaps pack below it
 *   0x2aaaaaaab000     mmap_legacy_base (bottom-up, legacy layout)
 *   0x40000000-0x80000000  MAP_32BIT window
 *   0x10000            mmap_min_addr = max(vm.mmap_min_addr 4096,
 *                      CONFIG_LSM_MMAP_MIN_ADDR 65536): hints, searches
 *   0x1000             vm.mmap_min_addr: MAP_FIXED below needs CAP_SYS_RAWIO
 *
 * The struct mmt_vma itself is private (src/mm/vma_internal.h: the tree
 * node and its gap live there); users read VMAs through mmt_vma_info.
 * Pages arrive on first touch (mmt_task_access: the MMU walk, then
 * handle_mm_fault, src/mm/memory.c); fork shares them copy-on-write.
 */
#ifndef MMTWIN_MM_H
#define MMTWIN_MM_H

#ifdef __cplusplus
extern "C" {
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "random.h"
#include "render.h"
#include "syscall.h"

struct mmt_machine;
struct mmt_vma;
struct mmt_mapping;
struct mmt_kstacks;
struct mmt_vm_ops;

/* vm_flags bits (include/linux/mm.h, 6.18, x86) */
#define MMT_VM_NONE		0x00000000ULL
#define MMT_VM_READ		0x00000001ULL
#define MMT_VM_WRITE		0x00000002ULL
#define MMT_VM_EXEC		0x00000004ULL
#define MMT_VM_SHARED		0x00000008ULL
#define MMT_VM_MAYREAD		0x00000010ULL
#define MMT_VM_MAYWRITE		0x00000020ULL
#define MMT_VM_MAYEXEC		0x00000040ULL
#define MMT_VM_MAYSHARE		0x00000080ULL
#define MMT_VM_GROWSDOWN	0x00000100ULL
#define MMT_VM_UFFD_MISSING	0x00000200ULL
#define MMT_VM_PFNMAP		0x00000400ULL
#define MMT_VM_MAYBE_GUARD	0x00000800ULL	/* "gu": MADV_GUARD_INSTALL was
						 * done here (6.18; sticky) */
#define MMT_VM_UFFD_WP		0x00001000ULL
#define MMT_VM_LOCKED		0x00002000ULL
#define MMT_VM_IO		0x00004000ULL
#define MMT_VM_SEQ_READ		0x00008000ULL
#define MMT_VM_RAND_READ	0x00010000ULL
#define MMT_VM_DONTCOPY		0x00020000ULL
#define MMT_VM_DONTEXPAND	0x00040000ULL
#define MMT_VM_LOCKONFAULT	0x00080000ULL
#define MMT_VM_ACCOUNT		0x00100000ULL
#define MMT_VM_NORESERVE	0x00200000ULL
#define MMT_VM_HUGETLB		0x00400000ULL
#define MMT_VM_SYNC		0x00800000ULL
#define MMT_VM_ARCH_1		0x01000000ULL	/* VM_PAT on x86 */
#define MMT_VM_WIPEONFORK	0x02000000ULL
#define MMT_VM_DONTDUMP		0x04000000ULL
#define MMT_VM_SOFTDIRTY	0x08000000ULL	/* only with CONFIG_MEM_SOFT_DIRTY
						 * (off on this host: never set) */
#define MMT_VM_MIXEDMAP		0x10000000ULL
#define MMT_VM_HUGEPAGE		0x20000000ULL
#define MMT_VM_NOHUGEPAGE	0x40000000ULL
#define MMT_VM_MERGEABLE	0x80000000ULL
/* 64-bit only (VM_NONE on 32-bit kernels) */
#define MMT_VM_PKEY_SHIFT	32		/* VM_PKEY_BIT0..3: bits 32-35 */
#define MMT_VM_PKEY_MASK	(0xfULL << 32)
#define MMT_VM_SHADOW_STACK	(1ULL << 37)	/* VM_HIGH_ARCH_5 */
#define MMT_VM_DROPPABLE	(1ULL << 40)
#define MMT_VM_UFFD_MINOR	(1ULL << 41)
#define MMT_VM_SEALED		(1ULL << 42)

/*
 * VM_STICKY: a flag one merged VMA had, the merged VMA has (guard markers
 * live in the page tables, not in the VMA, so any VMA covering them may
 * hold some; a split keeps it on both parts).  VM_IGNORE_MERGE: flags
 * that differ without preventing a merge.
 */
#define MMT_VM_STICKY		(MMT_VM_SOFTDIRTY | MMT_VM_MAYBE_GUARD)
#define MMT_VM_IGNORE_MERGE	MMT_VM_STICKY

#define MMT_VM_SPECIAL	(MMT_VM_IO | MMT_VM_DONTEXPAND | MMT_VM_PFNMAP | \
			 MMT_VM_MIXEDMAP)
#define MMT_VM_ACCESS_FLAGS (MMT_VM_READ | MMT_VM_WRITE | MMT_VM_EXEC)

/* The tasks' ABIs: native x86_64, ia32 compat on x86_64, native i386. */
enum mmt_task_abi {
	MMT_TASK_X86_64,
	MMT_TASK_IA32,
	MMT_TASK_I386,
};
const char *mmt_task_abi_name(enum mmt_task_abi abi); /* "x86_64" ... */
/* The syscall ABI a task enters the kernel with. */
enum mmt_abi mmt_task_sys_abi(enum mmt_task_abi abi);

/* Resource limits the memory syscalls consult. */
enum mmt_rlimit_res {
	MMT_RLIMIT_STACK,
	MMT_RLIMIT_DATA,
	MMT_RLIMIT_AS,
	MMT_RLIMIT_MEMLOCK,
	MMT_NR_RLIMITS
};
#define MMT_RLIM_INFINITY UINT64_MAX
struct mmt_rlimit {
	uint64_t cur, max;
};

/* personality(2) bits the model honours */
#define MMT_PER_READ_IMPLIES_EXEC	0x0400000u
#define MMT_PER_ADDR_NO_RANDOMIZE	0x0040000u
#define MMT_PER_ADDR_COMPAT_LAYOUT	0x0200000u

/* A mapped file: identity from stat(2), shared by the fds and VMAs that
 * hold it (refcount).  A shmem object (MAP_SHARED|MAP_ANONYMOUS) is
 * "/dev/zero", deleted, on device 00:01. */
struct mmt_file {
	char *path;
	unsigned major, minor;
	uint64_t ino;
	uint64_t size;
	bool deleted;
	bool shmem;
	bool regular;		/* S_ISREG: the model maps only these */
	/* the file_operations' mmap rules, from the file system (statfs) */
	bool thp_area;		/* get_unmapped_area is thp_get_unmapped_area
				 * (ext4, xfs, fuse, erofs) */
	bool mmap_sync;		/* FOP_MMAP_SYNC, and an mmap_prepare that
				 * refuses VM_SYNC without DAX (ext4, xfs) */
	uint64_t acct_pages;	/* shmem: shmem_acct_size() charge, given
				 * back when the last reference goes */
	struct mmt_machine *acct_m;	/* shmem: whose vm_committed_as */
	unsigned refcount;
	struct mmt_mapping *mapping;	/* its inode's page cache, from the
					 * first fault on (src/mm/filemap.c) */
	/* the vm_operations_struct of the VMAs that map it (open on a
	 * VMA's copy, close on its free: a SysV shm attach counts its
	 * VMAs); NULL for every other file.  Private to the library. */
	const struct mmt_vm_ops *vm_ops;
	void *private_data;	/* vm_ops' own (the shm segment) */
};

/* f_mode bits of an open file */
#define MMT_FMODE_READ	0x1u
#define MMT_FMODE_WRITE	0x2u

struct mmt_fd {
	struct mmt_file *file;	/* NULL: fd not open */
	unsigned f_mode;	/* MMT_FMODE_* */
};

/* mm->flags */
#define MMT_MMF_TOPDOWN 0x1u

/* The mm_struct fields of include/linux/mm_types.h the model keeps. */
struct mmt_mm {
	uint64_t start_code, end_code, start_data, end_data;
	uint64_t start_brk, brk, start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t mmap_base, mmap_legacy_base;		/* native */
	uint64_t mmap_compat_base, mmap_compat_legacy_base; /* x86_64 only */
	uint64_t task_size;
	unsigned flags;			/* MMT_MMF_* */
	uint64_t def_flags;		/* vm_flags every new VMA gets */
	unsigned long map_count;
	uint64_t total_vm, locked_vm, data_vm, exec_vm, stack_vm; /* pages */
	uint64_t pgd_pfn;		/* from mmt_pgd_alloc */
	uint64_t kaddr;			/* the modelled mm_struct object */
	bool brk_randomized;		/* never with ASLR off */
	/* rss_stat (enum mm_counter order), in pages */
	uint64_t rss_stat[4];
	uint64_t hiwater_rss, hiwater_vm;	/* VmHWM, VmPeak (pages) */
	/* mm->context's protection keys (init_new_context): with PKU pkey
	 * 0 allocated and no execute-only key (-1); without, both zero */
	uint16_t pkey_allocation_map;
	int execute_only_pkey;
	/* what execve wrote (src/exec/): saved_auxv as the kernel keeps it
	 * (elf_addr_t words: 4 bytes each for 32-bit tasks, packed) */
	uint64_t saved_auxv[52];
	bool exec_done;			/* an image was loaded by mmt_execve */
};

/* enum mm_counter: the rss_stat slots */
enum mmt_mm_counter {
	MMT_MM_FILEPAGES,	/* file pages not swap-backed */
	MMT_MM_ANONPAGES,
	MMT_MM_SWAPENTS,
	MMT_MM_SHMEMPAGES,	/* shmem/tmpfs pages */
	MMT_NR_MM_COUNTERS
};

struct mmt_task {
	int pid;
	int tgid;			/* the thread group (process) id */
	char comm[16];
	enum mmt_task_abi abi;
	unsigned personality;
	bool pf_randomize;		/* PF_RANDOMIZE: set by exec when
					 * ASLR applies (arch_pick_mmap_layout
					 * then randomizes the mmap bases) */
	bool cap_sys_rawio;		/* may map below mmap_min_addr */
	bool cap_ipc_lock;		/* may mlock without RLIMIT_MEMLOCK */
	bool cap_ipc_owner;		/* SysV IPC permission bits bypassed */
	bool cap_sys_admin;		/* no admin reserve in overcommit
					 * mode 2 (__vm_enough_memory) */
	bool cap_sys_resource;		/* may raise a hard rlimit */
	struct mmt_rlimit rlim[MMT_NR_RLIMITS];
	struct mmt_mm *mm;
	struct mmt_fd *fds;		/* fds[0 .. nr_fds) */
	unsigned nr_fds;
	uint64_t kaddr;			/* the modelled task_struct object */
	unsigned cpu;			/* the CPU it runs on */
	uint64_t min_flt, maj_flt;	/* fault counters (stat fields 10, 12) */
	uint64_t stack;			/* task_struct->stack: lowest address
					 * of its THREAD_SIZE kernel stack (a
					 * vmalloc area on x86_64, an order-1
					 * lowmem block on x86_32); 0: none */
	/* the process's user-space state the model keeps (glibc's malloc,
	 * src/libc/malloc.c), freed with the task by @user_free; fork does
	 * not copy it */
	void *user;
	void (*user_free)(void *user);
	uint64_t user_sp, user_ip;	/* pt_regs after execve (start_thread) */
	struct mmt_machine *m;
	struct mmt_task *next;		/* the machine's task list */
};

/* Per-machine sysctls of the vm.* namespace the model consults.
 * mmt_mmap_min_addr() is the kernel's mmap_min_addr variable. */
struct mmt_vm_sysctl {
	uint64_t max_map_count;		/* vm.max_map_count: 65530 */
	uint64_t mmap_min_addr;		/* vm.mmap_min_addr (dac_mmap_min_addr):
					 * 4096; below it needs CAP_SYS_RAWIO */
	uint64_t lsm_mmap_min_addr;	/* CONFIG_LSM_MMAP_MIN_ADDR: 65536 */
	uint64_t stack_guard_gap;	/* 256 pages (stack_guard_gap=) */
	unsigned overcommit_memory;	/* 0 guess, 1 always, 2 never */
	int overcommit_ratio;		/* vm.overcommit_ratio: 50 (%) */
	uint64_t overcommit_kbytes;	/* vm.overcommit_kbytes: 0 (unset);
					 * writing one of the two zeroes
					 * the other */
	uint64_t admin_reserve_kbytes;	/* boot: min(free/32, 8 MiB) */
	uint64_t user_reserve_kbytes;	/* boot: min(free/32, 128 MiB) */
	bool legacy_va_layout;		/* vm.legacy_va_layout */
	unsigned randomize_va_space;	/* kernel.randomize_va_space: 2 */
	unsigned mmap_rnd_bits;		/* vm.mmap_rnd_bits: 28 (8 on i386) */
	unsigned mmap_rnd_compat_bits;	/* vm.mmap_rnd_compat_bits: 8 */
	bool pku;			/* CPU feature OSPKE: pkey 0 exists
					 * (off: the reference host has none,
					 * so every pkey but -1 is -EINVAL) */
	uint64_t fault_around_pages;	/* fault_around_bytes / 4096: 16 */
	uint64_t ra_pages;		/* the backing device's read-ahead
					 * (read_ahead_kb / 4): 32 */
};

/* Machine-wide page counts of the user pages (node vmstat items). */
enum mmt_vmstat_item {
	MMT_NR_ANON_MAPPED,	/* AnonPages */
	MMT_NR_FILE_MAPPED,	/* Mapped: cache pages mapped at least once */
	MMT_NR_FILE_PAGES,	/* the page cache, shmem included */
	MMT_NR_SHMEM,		/* Shmem */
	MMT_NR_FILE_DIRTY,	/* Dirty */
	MMT_NR_VMSTAT_ITEMS
};

/* The machine's processes (m->tasks). */
struct mmt_tasks {
	struct mmt_task *list;		/* creation order */
	struct mmt_task *current;	/* NULL: none */
	int last_pid;
	struct mmt_vm_sysctl sysctl;
	uint64_t next_shmem_ino;	/* shmem inode numbers */
	uint64_t next_anon_vma;		/* anon_vma identities (0: none) */
	uint64_t nr_anon_vmas;		/* anon_vma objects (src/mm/rmap.c) */
	uint64_t nr_anon_vma_chains;	/* anon_vma_chain objects */
	uint64_t vm_committed_as;	/* pages charged (VM_ACCOUNT VMAs,
					 * shmem objects): Committed_AS */
	uint64_t shmem_committed;	/* the shmem objects' part of it */
	uint64_t committed_leaked;	/* charged by a path of 6.18 that
					 * never gives it back (a shrinking
					 * MREMAP_FIXED move) */
	uint64_t zero_pfn;		/* empty_zero_page */
	void *lru_lazyfree;		/* per-CPU folio batches (memory.c) */
	uint64_t vmstat[MMT_NR_VMSTAT_ITEMS];
	struct mmt_mapping *mappings;	/* page caches (src/mm/filemap.c) */
	struct mmt_kstacks *kstacks;	/* kernel/kstack.c: per-CPU cached
					 * thread stacks, NR_KERNEL_STACK_KB */
	struct mmt_rng exec_rng;	/* get_random_bytes() of exec (AT_RANDOM),
					 * from the machine's seed */
};

/* --- tasks --- */

/* The machine's sysctls (m->tasks->sysctl). */
struct mmt_vm_sysctl *mmt_vm_sysctl(struct mmt_machine *m);
/*
 * Write the sysctl @name ("vm.overcommit_ratio") as /proc/sys would: vm.overcommit_memory 0..2, vm.overcommit_ratio an
 * int (and vm.overcommit_kbytes becomes 0), vm.overcommit_kbytes (and
 * the ratio becomes 0), vm.admin_reserve_kbytes, vm.user_reserve_kbytes,
 * vm.max_map_count, vm.mmap_min_addr, vm.legacy_va_layout.  0, -ENOENT
 * (no such sysctl) or -EINVAL (a value the handler refuses).
 */
int mmt_vm_sysctl_set(struct mmt_machine *m, const char *name, uint64_t val);
/* vm_commit_limit() (CommitLimit, in pages) and the pages committed
 * (vm_memory_committed(): Committed_AS). */
uint64_t mmt_vm_commit_limit(const struct mmt_machine *m);
uint64_t mmt_vm_committed(const struct mmt_machine *m);
/* mmap_min_addr of security/min_addr.c: the larger of the two limits. */
uint64_t mmt_mmap_min_addr(const struct mmt_machine *m);
/*
 * A task with an empty mm as exec would set it up with ASLR off
 * (task_size, the mmap bases from the profile and an 8 MiB
 * RLIMIT_STACK, MMF_TOPDOWN), a PGD, and its task_struct and mm_struct
 * objects from their slab caches.  @pid 0: the lowest unused from 1 up.
 * NULL with *error: -EINVAL (abi not possible on this profile, bad pid),
 * -EEXIST (pid in use), -ENOMEM.
 */
struct mmt_task *mmt_task_create(struct mmt_machine *m, enum mmt_task_abi abi,
				 int pid, int *error);
/*
 * clone(CLONE_VM|CLONE_THREAD...): a thread of @leader's process
 * (tgid), sharing its mm (mm_users), with its own task_struct and kernel
 * stack and a copy of the fds.  NULL with *error as mmt_task_create.
 */
struct mmt_task *mmt_task_create_thread(struct mmt_task *leader, int pid,
					int *error);
/* Tear @t down (do_exit): its task_struct and stack, fds, and the mm when
 * it was the last user (VMAs, page tables, the mm_struct); unlinks it.
 * The current task becomes NULL if it was @t. */
void mmt_task_exit(struct mmt_task *t);
struct mmt_task *mmt_task_find(struct mmt_machine *m, int pid);
struct mmt_task *mmt_task_first(struct mmt_machine *m);
struct mmt_task *mmt_task_current(struct mmt_machine *m);
void mmt_task_set_current(struct mmt_machine *m, struct mmt_task *t);
/* Recompute the mmap bases from t->rlim[STACK] (arch_pick_mmap_layout)
 * and personality (ADDR_COMPAT_LAYOUT: bottom-up), randomized from the
 * machine's seed when t->pf_randomize (mmap_rnd_bits, the compat bits). */
void mmt_task_pick_mmap_layout(struct mmt_task *t);
/* arch_rnd(): a random multiple of the page size below 2^(@bits + 12);
 * 0 unless t->pf_randomize. */
uint64_t mmt_task_arch_rnd(struct mmt_task *t, unsigned bits);

/*
 * Open @path as @fd in @t (O_RDONLY; _mode: MMT_FMODE_* bits), its
 * identity from stat(2).  0, or -EBADF (fd < 0 or > 65535), -ENOENT and
 * other stat errors, -ENOMEM.  An open fd is replaced.
 */
int mmt_task_fd_install(struct mmt_task *t, int fd, const char *path);
int mmt_task_fd_install_mode(struct mmt_task *t, int fd, const char *path,
			     unsigned f_mode);

/*
 * Seed @t's (empty) mm from a live process: @maps is /proc/PID/maps,
 * @smaps its smaps (NULL: flags from the permissions plus the VM_MAY*
 * bits the kernel would have set), @stat its /proc/PID/stat (NULL: the
 * heap and stack bounds from the [heap] and [stack] lines).  brk is the
 * end of [heap] (or start_brk).  Files are identified by stat(2) of the
 * path when it names the same dev:inode, else by the printed numbers.
 * 0, or -1 with the line and reason in @err (the mm is then emptied).
 */
int mmt_task_seed(struct mmt_task *t, const char *maps, const char *smaps,
		  const char *stat, char *err, size_t errlen);
/* The capabilities the model uses (CAP_IPC_LOCK, CAP_IPC_OWNER,
 * CAP_SYS_RAWIO, CAP_SYS_ADMIN, CAP_SYS_RESOURCE) from the CapEff: line
 * of a /proc/PID/status text; NULL or no such line: unchanged. */
void mmt_task_seed_caps(struct mmt_task *t, const char *status);
/* @to takes @from's capabilities (a thread, a fork's child, a re-seed). */
void mmt_task_copy_caps(struct mmt_task *to, const struct mmt_task *from);
/*
 * Create a task for live process @pid (same pid in the model unless it
 * is taken: then the next free one) and seed it from its /proc files
 * (maps, smaps, stat, limits, status), and its present pages from
 * /proc/PID/pagemap (anonymous, page cache or the zero page).  The ABI is x86_64 when the maps
 * show [vsyscall] or an address above 4 GiB, else ia32 (i386 on the
 * x86_32 profiles).  NULL with @err on failure.
 */
struct mmt_task *mmt_task_seed_pid(struct mmt_machine *m, int pid, char *err,
				   size_t errlen);

/* --- user accesses, faults, fork --- */

/* The signal a user access raised (siginfo_t's three fields). */
struct mmt_siginfo {
	int signo;		/* 0: none; MMT_SIGSEGV, MMT_SIGBUS */
	int code;		/* si_code */
	uint64_t addr;		/* si_addr */
};
#define MMT_SIGBUS	7
#define MMT_SIGSEGV	11
#define MMT_SEGV_MAPERR	1	/* no mapping at the address */
#define MMT_SEGV_ACCERR	2	/* the mapping forbids the access */
#define MMT_BUS_ADRERR	2	/* past the end of the file */

/*
 * One user-mode access by @t to the byte at @va (MMT_ACCESS_READ, _WRITE
 * or _EXEC of pgtable.h), as its CPU would do it: switch to its mm, the
 * MMU walk through the TLB, and on a page fault exc_page_fault ->
 * do_user_addr_fault -> handle_mm_fault, then the access again.  A write
 * stores *@val, a read returns the byte in *@val (@val may be NULL).
 * Returns 0, or the signal number with *@si filled (the task lives on, as
 * the live child with its handler does); -ENOMEM when the model ran out
 * of frames (the kernel's OOM killer is not modelled).
 */
int mmt_task_access(struct mmt_task *t, uint64_t va, unsigned access,
		    uint8_t *val, struct mmt_siginfo *si);

/*
 * fork(): a new task (@pid 0: the lowest free) with a copy of @parent's mm
 * (dup_mmap: VM_DONTCOPY skipped, VM_WIPEONFORK emptied, locks dropped,
 * copy_page_range write-protecting private pages) and its fds.  NULL with
 * *error (-ENOMEM, -EEXIST, -EINVAL) and nothing left behind.
 */
struct mmt_task *mmt_task_fork(struct mmt_task *parent, int pid, int *error);

/*
 * A what-if copy of a process (mmt_twin_trial): calls applied to it give
 * the results they would give in @t, and @t is left as it was.  The copy
 * has @t's VMAs exactly, unlike a fork's: VM_DONTCOPY ones too, locks
 * kept, on the same anon_vma chains (so merges decide as in @t), with
 * @t's locked_vm and def_flags.  It has no pages (nothing of @t's page
 * tables is write-protected) and no commit charge of its own.
 * mmt_trial_end() frees it and puts back the machine's counters it moved:
 * Committed_AS, the last pid, the shmem inode and anon_vma numbers, the
 * SysV segments' lprid.  What stays is only where slab objects and
 * frames were placed.  0 or -ENOMEM.
 */
struct mmt_trial {
	struct mmt_task *t;		/* the copy */
	struct mmt_task *orig;
	uint64_t committed_as, shmem_committed, committed_leaked;
	uint64_t next_shmem_ino, next_anon_vma;
	int last_pid;
	int *lprid, nlprid;
};
int mmt_trial_begin(struct mmt_trial *tr, struct mmt_task *t);
void mmt_trial_end(struct mmt_trial *tr);

/* get_mm_rss(): file + anon + shmem pages mapped. */
uint64_t mmt_mm_rss(const struct mmt_mm *mm);

/* --- VMAs (read-only view) --- */

struct mmt_vma_info {
	uint64_t vm_start, vm_end, vm_flags, vm_pgoff;
	const struct mmt_file *vm_file;	/* NULL: anonymous */
	uint64_t anon_vma;		/* identity, 0: none yet */
	const char *anon_name;		/* prctl(PR_SET_VMA_ANON_NAME), NULL */
	const char *special;		/* "[vdso]", "[vvar]", ...; NULL */
	uint64_t kaddr;			/* modelled vm_area_struct */
};

/* find_vma(): the first VMA with vm_end > @addr, or NULL. */
const struct mmt_vma *mmt_find_vma(const struct mmt_mm *mm, uint64_t addr);
const struct mmt_vma *mmt_vma_first(const struct mmt_mm *mm);
const struct mmt_vma *mmt_vma_next(const struct mmt_vma *vma);
void mmt_vma_get_info(const struct mmt_vma *vma, struct mmt_vma_info *out);

/* --- the memory syscalls on a task (the table's handlers call these) ---
 * @abi is the syscall's ABI (i386 from an ia32 task or int $0x80): it
 * picks the compat mmap bases and turns off THP alignment.  Each returns
 * the syscall's value or a negative errno.
 */
int64_t mmt_ksys_mmap_pgoff(struct mmt_task *t, enum mmt_abi abi,
			    uint64_t addr, uint64_t len, uint64_t prot,
			    uint64_t flags, int fd, uint64_t pgoff);
int64_t mmt_vm_munmap(struct mmt_task *t, uint64_t start, uint64_t len);
int64_t mmt_do_mprotect_pkey(struct mmt_task *t, uint64_t start,
			     uint64_t len, uint64_t prot, int pkey);
int64_t mmt_sys_brk(struct mmt_task *t, uint64_t brk);

/* --- /proc/PID/maps --- */

/* show_map_vma() for every VMA and the gate VMA, byte for byte. */
void mmt_maps_print(const struct mmt_task *t, FILE *out);
/* The same as JSON: an array of objects (start, end, perms, ...). */
void mmt_maps_print_json(const struct mmt_task *t, FILE *out);
/* One line of it: @v's (a VMA of @t's mm). */
void mmt_maps_print_vma(const struct mmt_task *t, const struct mmt_vma *v,
			FILE *out);

/* meminfo "KernelStack:" (NR_KERNEL_STACK_KB): THREAD_SIZE / 1024 per
 * live task; the per-CPU cached free stacks do not count. */
uint64_t mmt_kernel_stack_kb(const struct mmt_machine *m);
/* THREAD_SIZE of the profile: 16 KiB on x86_64, 8 KiB on x86_32. */
uint64_t mmt_thread_size(const struct mmt_machine *m);
/*
 * The kernel stacks: every task's stack is a live vmalloc area of
 * THREAD_SIZE with caller kernel_clone (x86_64) or an order-1 lowmem
 * block (x86_32), no stack is both a task's and cached, or two tasks',
 * and NR_KERNEL_STACK_KB agrees with the tasks.
 */
int mmt_kstack_check(struct mmt_machine *m, char *err, size_t len);

/*
 * Whole-structure validator of every task's mm: the tree ordered and
 * non-overlapping, gaps, map_count, counters, bounds, no unmerged pair
 * the kernel would have merged (see docs/processes.md), slab objects.
 */
int mmt_mm_check(struct mmt_machine *m, char *err, size_t len);

#ifdef __cplusplus
}
#endif

#endif
