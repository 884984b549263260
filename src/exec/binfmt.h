/* SPDX-License-Identifier: MIT */
/*
 * exec/binfmt.h - the exec subsystem's internals (include/linux/binfmts.h
 * to Linux): the ELF parser's results, struct linux_binprm, and the
 * pieces fs/exec.c, fs/binfmt_elf.c, fs/binfmt_script.c and the x86 vDSO
 * code share.  Private to the library (and its tests and fuzzers).
 *
 *   mmt_execve (exec.c)
 *     open_exec, bprm_stack_limits, copy_strings      -> bprm (strings in
 *     search_binary_handler, depth <= 5:                 a host buffer)
 *       load_script (binfmt_script.c)   argv rewrite, next interpreter
 *       load_elf_binary (binfmt_elf.c)  parse (elf.c), checks, then
 *         begin_new_exec ── the point of no return ──
 *         setup_new_exec, setup_arg_pages, elf_load x N, load_elf_interp,
 *         map_vdso (vdso.c), create_elf_tables, brk
 *     commit: the task gets the new mm, the old one is freed
 */
#ifndef MMT_EXEC_BINFMT_H
#define MMT_EXEC_BINFMT_H

#include <mmtwin/exec.h>
#include <mmtwin/machine.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BINPRM_BUF_SIZE	256
#define MAX_ARG_STRLEN	(32 * 4096ULL)
#define MAX_ARG_STRINGS	0x7fffffff
#define ARG_MAX		131072ULL
#define STK_LIM		(8ULL << 20)		/* _STK_LIM */
#define PATH_MAX_K	4096
#define EXEC_MAX_DEPTH	5			/* exec_binprm's loop */

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

/* ---------------------------------------------------------- ELF files */

/* The ELF loader of a kernel: which layout it reads headers in. */
enum elf_kind {
	ELF_KIND_64,		/* binfmt_elf on x86_64 (Elf64, EM_X86_64) */
	ELF_KIND_32,		/* compat_binfmt_elf or i386's binfmt_elf
				 * (Elf32, EM_386 / EM_486) */
};

/* A program header, widened to 64 bits. */
struct elf_phdr_n {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

/* What the loader reads of one ELF file (the executable or its
 * interpreter), every field as the kernel sees it. */
struct elf_image {
	enum elf_kind kind;
	uint16_t e_type, e_machine;
	uint64_t e_entry, e_phoff;
	uint16_t e_phentsize, e_phnum;
	struct elf_phdr_n *phdr;	/* e_phnum entries (malloc'd) */
	/* derived by elf_parse: */
	int interp_idx;			/* the first PT_INTERP, -1: none */
	int gnu_stack_idx;		/* the last PT_GNU_STACK, -1 */
	int property_idx;		/* the first PT_GNU_PROPERTY, -1 */
};

/* The file's first BINPRM_BUF_SIZE bytes (zero padded) and its length. */
struct elf_file_bytes {
	const uint8_t *data;		/* the whole file, or a prefix */
	uint64_t len;			/* bytes in @data */
	uint64_t file_size;		/* st_size */
};

/*
 * Parse the ELF header of @f as loader @kind reads it (the kernel's
 * checks, in its order): ELF magic, e_type ET_EXEC/ET_DYN,
 * elf_check_arch, then load_elf_phdrs (e_phentsize, phnum * phentsize
 * in (0, 65536], the table inside the file).  0 and *@img (free it with
 * elf_image_free), or -ENOEXEC with the reason in @why.  Pure: no I/O,
 * no allocation beyond img->phdr.
 */
int elf_parse(const struct elf_file_bytes *f, enum elf_kind kind,
	      struct elf_image *img, char *why, size_t whylen);
/* The header fields and load_elf_phdrs() only (no magic, e_type or
 * e_machine checks): the interpreter's, whose e_type load_elf_interp
 * checks after the point of no return. */
int elf_parse_phdrs(const struct elf_file_bytes *f, enum elf_kind kind,
		    struct elf_image *img, char *why, size_t whylen);
void elf_image_free(struct elf_image *img);
/* elf_check_arch() of @kind on the header bytes (at least 20 of them). */
bool elf_check_arch(const uint8_t *hdr, enum elf_kind kind);
/* The PT_INTERP path of @img (load_elf_binary's checks: p_filesz in
 * [2, PATH_MAX], inside the file, NUL-terminated).  0 with the path in
 * @buf, or -ENOEXEC (-EIO for a short read) with the reason. */
int elf_interp_path(const struct elf_file_bytes *f, const struct elf_image *img,
		    char *buf, size_t buflen, char *why, size_t whylen);
/* total_mapping_size() and maximum_alignment() (page-aligned), in the
 * kernel's unsigned long of @word_mask. */
uint64_t elf_total_mapping_size(const struct elf_image *img, uint64_t word_mask);
uint64_t elf_maximum_alignment(const struct elf_image *img, uint64_t word_mask);

/* <elf.h> constants the loader uses */
#define ELF_ET_EXEC	2
#define ELF_ET_DYN	3
#define ELF_PT_LOAD	1
#define ELF_PT_INTERP	3
#define ELF_PT_PHDR	6
#define ELF_PT_GNU_STACK	0x6474e551
#define ELF_PT_GNU_PROPERTY	0x6474e553
#define ELF_PF_X	1
#define ELF_PF_W	2
#define ELF_PF_R	4

/* ------------------------------------------------------------- bprm */

/* An open program file (open_exec): its identity and its bytes. */
struct exec_file {
	char *path;
	struct mmt_file *file;		/* for the mappings */
	uint8_t *data;			/* the whole file (read once) */
	uint64_t size;
};

/*
 * struct linux_binprm: the strings live in a host buffer standing for
 * the top of the new stack, [STACK_TOP_MAX - cap, STACK_TOP_MAX), until
 * setup_arg_pages writes them to the task's memory at their final place.
 */
struct linux_binprm {
	struct mmt_task *t;
	const struct mmt_exec_params *params;
	struct exec_file *file;		/* the current binary (script or ELF) */
	struct exec_file *files[EXEC_MAX_DEPTH + 2];
	unsigned nfiles;
	char filename[PATH_MAX_K];	/* bprm->filename (execve's path) */
	char interp[PATH_MAX_K];	/* bprm->interp */
	uint64_t top;			/* STACK_TOP_MAX: the buffer's end */
	uint8_t *buf;			/* host bytes of [top - cap, top) */
	uint64_t cap;
	uint64_t p;			/* bprm->p (an address below top) */
	uint64_t lowest;		/* the lowest address written */
	uint64_t argmin;		/* bprm->argmin */
	uint64_t exec;			/* bprm->exec: the execfn string */
	uint64_t argc, envc;
	uint64_t rlim_stack;		/* bprm->rlim_stack.rlim_cur */
	/* from begin_new_exec on: */
	struct mmt_mm *mm;		/* the new mm (installed in t->mm
					 * while the image is built) */
	struct mmt_mm *old_mm;
	bool point_of_no_return;
	bool randomize;			/* PF_RANDOMIZE */
	struct mmt_exec_result res;
	char *err;
	size_t errlen;
};

/* A failure with the reason in bprm->err; returns @error. */
int exec_fail(struct linux_binprm *bprm, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* open_exec(): 0 and *out, or -ENOENT/-EACCES/-ENOEXEC/... */
int exec_open(struct linux_binprm *bprm, const char *path,
	      struct exec_file **out);
/* copy_string_kernel(): push @s (with its NUL) below bprm->p. */
int copy_string_kernel(struct linux_binprm *bprm, const char *s);
/* remove_arg_zero(): drop argv[0] (the lowest string). */
int remove_arg_zero(struct linux_binprm *bprm);
/* The byte at stack address @a of the strings area. */
uint8_t bprm_byte(const struct linux_binprm *bprm, uint64_t a);

/* begin_new_exec(): the new mm replaces t's (the old one kept for a
 * roll-back until exec_commit).  0 or -ENOMEM. */
int begin_new_exec(struct linux_binprm *bprm);
/* setup_new_exec(): the mmap layout, task_size. */
void setup_new_exec(struct linux_binprm *bprm);
/* setup_arg_pages(): the stack VMA at @stack_top, the strings in it. */
int setup_arg_pages(struct linux_binprm *bprm, uint64_t stack_top,
		    int executable_stack);
#define EXSTACK_DEFAULT		0
#define EXSTACK_DISABLE_X	1
#define EXSTACK_ENABLE_X	2

/* The random offsets of ASLR, all through one function: 0 unless
 * PF_RANDOMIZE (and the model has no entropy yet: 0 then too). */
enum exec_rnd {
	EXEC_RND_MMAP,		/* arch_mmap_rnd (PIE load_bias) */
	EXEC_RND_STACK_TOP,	/* randomize_stack_top */
	EXEC_RND_STACK_ALIGN,	/* arch_align_stack */
	EXEC_RND_BRK,		/* arch_randomize_brk */
	EXEC_RND_VDSO,
};
uint64_t exec_random(struct linux_binprm *bprm, enum exec_rnd what);

/* Write @len bytes to @t's memory at @addr as the kernel's put_user
 * would (faulting the pages in).  0 or -EFAULT / -ENOMEM. */
int exec_copy_to_user(struct mmt_task *t, uint64_t addr, const void *src,
		      size_t len);

/* The loaders: 0, -ENOEXEC (not mine), or another negative errno. */
int load_elf_binary(struct linux_binprm *bprm, enum elf_kind kind);
int load_script(struct linux_binprm *bprm);
/* arch_setup_additional_pages / compat_arch_setup_additional_pages:
 * the vDSO and its data pages.  0 or a negative errno. */
int arch_setup_additional_pages(struct linux_binprm *bprm);

/* Widths of the task's words and the kernel's. */
static inline unsigned exec_word(const struct mmt_task *t)
{
	return t->abi == MMT_TASK_X86_64 ? 8 : 4;
}

static inline uint64_t kernel_word_mask(const struct mmt_machine *m)
{
	return mmt_arch_is_64(m->cfg.arch) ? UINT64_MAX : 0xffffffffULL;
}

#endif
