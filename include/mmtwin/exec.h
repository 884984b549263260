/* SPDX-License-Identifier: MIT */
/*
 * mmtwin/exec.h - execve(2) of a real program file into a task, as
 * Linux 6.18 does it (fs/exec.c, fs/binfmt_elf.c, fs/binfmt_script.c,
 * arch/x86/entry/vdso/vma.c): the ELF segments, the interpreter, bss and
 * brk, the vDSO, and the initial stack with its real bytes.
 *
 * The initial stack of a 64-bit task, ASLR off, as the kernel leaves it
 * (higher addresses up; 32-bit tasks: 4-byte pointers, top 0xffffe000):
 *
 *   0x7ffffffff000  STACK_TOP ────────────────────────── end of [stack]
 *                   8 zero bytes (bprm->p started one pointer below)
 *                   execfn string    "/bin/true"          AT_EXECFN
 *                   envp strings     env_start .. env_end
 *                   argv strings     arg_start .. arg_end
 *                   (align 16) platform string "x86_64"   AT_PLATFORM
 *                   16 AT_RANDOM bytes                    AT_RANDOM
 *                   (zero padding to keep sp 16-aligned)
 *                   auxv pairs, AT_NULL last
 *                   envp[] pointers, NULL
 *                   argv[] pointers, NULL
 *   start_stack =   argc ─────────────────────────────── the task's sp
 *                   (128 KiB more of [stack] below: setup_arg_pages)
 */
#ifndef MMTWIN_EXEC_H
#define MMTWIN_EXEC_H

#ifdef __cplusplus
extern "C" {
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mm.h"

/* auxv types (include/uapi/linux/auxvec.h, asm/auxvec.h) */
#define MMT_AT_NULL		0
#define MMT_AT_PHDR		3
#define MMT_AT_PHENT		4
#define MMT_AT_PHNUM		5
#define MMT_AT_PAGESZ		6
#define MMT_AT_BASE		7
#define MMT_AT_FLAGS		8
#define MMT_AT_ENTRY		9
#define MMT_AT_UID		11
#define MMT_AT_EUID		12
#define MMT_AT_GID		13
#define MMT_AT_EGID		14
#define MMT_AT_PLATFORM		15
#define MMT_AT_HWCAP		16
#define MMT_AT_CLKTCK		17
#define MMT_AT_SECURE		23
#define MMT_AT_RANDOM		25
#define MMT_AT_HWCAP2		26
#define MMT_AT_RSEQ_FEATURE_SIZE 27
#define MMT_AT_RSEQ_ALIGN	28
#define MMT_AT_EXECFN		31
#define MMT_AT_SYSINFO		32
#define MMT_AT_SYSINFO_EHDR	33
#define MMT_AT_MINSIGSTKSZ	51

/* AT_VECTOR_SIZE of x86 (2 * (ARCH 3 + BASE 22 + 1)): mm->saved_auxv */
#define MMT_AT_VECTOR_SIZE	52

/* The CPU facts the auxiliary vector carries (this machine's: from the
 * host's own auxv by default, mmt_exec_hw_host()). */
struct mmt_exec_hw {
	uint64_t hwcap;		/* AT_HWCAP: CPUID(1).EDX */
	uint64_t hwcap2;	/* AT_HWCAP2: HWCAP2_RING3MWAIT, _FSGSBASE */
	uint64_t minsigstksz;	/* AT_MINSIGSTKSZ: get_sigframe_size() */
	uint64_t minsigstksz32;	/* the same for ia32 frames */
	uint64_t vdso32_vsyscall; /* AT_SYSINFO - vdso base: the offset of
				 * __kernel_vsyscall in vdso32.so */
};

/* The machine's defaults: the reference host's values (profile x86_64)
 * or the Debian 686 guest's (x86_32). */
void mmt_exec_hw_default(const struct mmt_machine *m, struct mmt_exec_hw *hw);
/* This host's values where its auxv gives them (getauxval), the
 * defaults for the rest. */
void mmt_exec_hw_host(const struct mmt_machine *m, struct mmt_exec_hw *hw);

struct mmt_exec_params {
	const char *filename;	/* as passed to execve (AT_EXECFN) */
	char *const *argv;	/* NULL-terminated; NULL: none (argc 0) */
	char *const *envp;	/* NULL-terminated; NULL: none */
	unsigned uid, euid, gid, egid;
	const struct mmt_exec_hw *hw;	/* NULL: mmt_exec_hw_default */
	const uint8_t *random;	/* 16 AT_RANDOM bytes; NULL: the
				 * machine's seeded generator */
	int randomize_va_space;	/* kernel.randomize_va_space (2) */
};

/* What execve left behind, besides the new mm (mm->saved_auxv ...). */
struct mmt_exec_result {
	uint64_t sp;		/* the user stack pointer (start_stack) */
	uint64_t entry;		/* where the task starts: the interpreter's
				 * entry, or the program's */
	uint64_t load_bias;	/* the program's */
	uint64_t interp_base;	/* AT_BASE; 0 without an interpreter */
	bool randomized;	/* PF_RANDOMIZE was set: the random bases
				 * are still 0 (ASLR is not modelled) */
	bool fatal;		/* the failure came after the kernel's
				 * point of no return: the kernel kills the
				 * task (SIGSEGV); the model left the old
				 * mm in place, the caller decides */
};

/*
 * execve(@p->filename, @p->argv, @p->envp) in @t, with @t's rlimits and
 * personality (set them first, as the caller of execve did).  The new
 * image is built completely in a new mm before it replaces @t's, so on
 * any error @t is unchanged.  0, or a negative errno (-ENOENT, -EACCES,
 * -ENOEXEC, -ELIBBAD, -EINVAL, -E2BIG, -ELOOP, -ENOMEM ...) with a
 * one-line reason in @err.  @res may be NULL.
 */
int mmt_execve(struct mmt_task *t, const struct mmt_exec_params *p,
	       struct mmt_exec_result *res, char *err, size_t errlen);

/* --- what the views print --- */

/* The auxv type's name ("AT_PHDR"), NULL for an unknown one. */
const char *mmt_auxv_name(uint64_t type);
/* /proc/PID/auxv: the bytes of mm->saved_auxv the kernel returns
 * (pairs of the kernel's words up to AT_NULL).  The length. */
size_t mmt_proc_auxv(const struct mmt_task *t, uint8_t *buf, size_t len);
/* The auxv pairs as the task sees them (its word size): up to @max
 * pairs into @type/@val, the number of pairs before AT_NULL. */
unsigned mmt_exec_auxv(const struct mmt_task *t, uint64_t *type, uint64_t *val,
		       unsigned max);
/*
 * Read @len bytes of @t's memory at @addr without faulting anything in
 * (access_remote_vm of present pages; absent pages read as zeros).
 * 0, or -EFAULT when some byte is not inside a VMA.
 */
int mmt_task_read_mem(const struct mmt_task *t, uint64_t addr, void *buf,
		      size_t len);

/* The views (src/proc/exec_views.c), text or JSON: the mm fields of
 * /proc/PID/stat (26-28, 45-51), the vector, the labelled initial stack
 * from the task's stack pointer up.  -1 when no image was exec'ed. */
void mmt_exec_print_mm(const struct mmt_task *t, FILE *out,
		       enum mmt_format fmt);
int mmt_exec_print_auxv(const struct mmt_task *t, FILE *out,
			enum mmt_format fmt);
int mmt_exec_print_stack(const struct mmt_task *t, FILE *out,
			 enum mmt_format fmt);

#ifdef __cplusplus
}
#endif

#endif
