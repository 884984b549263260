// SPDX-License-Identifier: MIT
/*
 * exec/binfmt_elf.c - load_elf_binary() of Linux 6.18 (fs/binfmt_elf.c)
 * for the native x86_64 loader and the Elf32 one (compat_binfmt_elf on
 * x86_64, binfmt_elf on i386): the checks before the point of no return,
 * SET_PERSONALITY2 and READ_IMPLIES_EXEC, setup_arg_pages, the PT_LOAD
 * segments (elf_load, elf_map, padzero, the bss through vm_brk_flags),
 * the PIE base (ELF_ET_DYN_BASE, maximum_alignment), load_elf_interp,
 * the vDSO, create_elf_tables and the brk (6.15's "brk for static PIE
 * moves to ELF_ET_DYN_BASE even without ASLR").
 *
 * Not modelled: PT_GNU_PROPERTY contents (x86 has no arch_parse_elf_
 * property: IBT and SHSTK stay off, the header is only noted),
 * MMAP_PAGE_ZERO, setuid/AT_SECURE, binfmt_misc, FDPIC.
 */
#include "exec/binfmt.h"
#include "mm/memory.h"
#include "mm/vma_internal.h"

#include <mmtwin/layout.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PAGE		MMT_PAGE_SIZE
#define ELF_MIN_ALIGN	4096ULL
#define ELF_PAGESTART(v)	((v) & ~(ELF_MIN_ALIGN - 1))
#define ELF_PAGEOFFSET(v)	((v) & (ELF_MIN_ALIGN - 1))
#define ELF_PAGEALIGN(v)	(((v) + ELF_MIN_ALIGN - 1) & ~(ELF_MIN_ALIGN - 1))

#define PROT_READ	0x1
#define PROT_WRITE	0x2
#define PROT_EXEC	0x4
#define MAP_PRIVATE	0x02
#define MAP_FIXED	0x10
#define MAP_FIXED_NOREPLACE 0x100000

/* One loading: the program or its interpreter. */
struct elf_load_ctx {
	struct linux_binprm *bprm;
	struct exec_file *f;
	struct elf_image *img;
	uint64_t mask;			/* the kernel's unsigned long */
};

static uint64_t task_size(const struct linux_binprm *bprm)
{
	return bprm->t->mm->task_size;
}

static bool bad_addr(const struct linux_binprm *bprm, uint64_t x)
{
	return x >= task_size(bprm);	/* BAD_ADDR */
}

static bool is_err_value(uint64_t x, uint64_t mask)
{
	return (x & mask) >= ((uint64_t)-4095 & mask);
}

/* -errno of an error value in the kernel's word */
static int err_of(uint64_t x, uint64_t mask)
{
	return (int)(int64_t)(x | ~mask);
}

static enum mmt_abi mmap_abi(const struct linux_binprm *bprm)
{
	return mmt_task_sys_abi(bprm->t->abi);	/* TS_COMPAT for ia32 */
}

/* vm_mmap(): the offset's checks, then do_mmap.  The address or an
 * error value. */
static uint64_t vm_mmap(struct elf_load_ctx *c, uint64_t addr, uint64_t len,
			int prot, int flags, uint64_t off)
{
	struct mmt_fd fd = { .file = c->f->file, .f_mode = MMT_FMODE_READ };
	uint64_t alen = (len + PAGE - 1) & MMT_PAGE_MASK & c->mask;
	int64_t r;

	if (((off + alen) & c->mask) < off)
		return (uint64_t)-EINVAL;
	if (off & (PAGE - 1))
		return (uint64_t)-EINVAL;
	r = do_mmap(c->bprm->t, mmap_abi(c->bprm), &fd, addr, len,
		    (uint64_t)prot, (uint64_t)flags, off >> MMT_PAGE_SHIFT);
	return (uint64_t)r;
}

/* elf_map(): the file part of one PT_LOAD; with @total_size the whole
 * image is reserved first and the rest unmapped. */
static uint64_t elf_map(struct elf_load_ctx *c, uint64_t addr,
			const struct elf_phdr_n *ph, int prot, int type,
			uint64_t total_size)
{
	uint64_t size = (ph->p_filesz + ELF_PAGEOFFSET(ph->p_vaddr)) & c->mask;
	uint64_t off = (ph->p_offset - ELF_PAGEOFFSET(ph->p_vaddr)) & c->mask;
	uint64_t map_addr;

	addr = ELF_PAGESTART(addr);
	size = ELF_PAGEALIGN(size) & c->mask;
	if (!size)
		return addr;
	if (total_size) {
		total_size = ELF_PAGEALIGN(total_size) & c->mask;
		map_addr = vm_mmap(c, addr, total_size, prot, type, off);
		if (!bad_addr(c->bprm, map_addr))
			do_vmi_munmap(c->bprm->t->mm, map_addr + size,
				      total_size - size);
	} else {
		map_addr = vm_mmap(c, addr, size, prot, type, off);
	}
	return map_addr;
}

/* padzero(): clear the rest of the page after @address (clear_user). */
static int padzero(struct linux_binprm *bprm, uint64_t address)
{
	static const uint8_t zeros[4096];
	uint64_t nbyte = ELF_PAGEOFFSET(address);

	if (!nbyte)
		return 0;
	nbyte = ELF_MIN_ALIGN - nbyte;
	return exec_copy_to_user(bprm->t, address, zeros, nbyte) ? -EFAULT : 0;
}

/* vm_brk_flags(): anonymous memory [addr, addr + len) for a bss. */
static int vm_brk_flags(struct linux_binprm *bprm, uint64_t addr,
			uint64_t request, uint64_t flags)
{
	struct mmt_mm *mm = bprm->t->mm;
	uint64_t len = (request + PAGE - 1) & MMT_PAGE_MASK, gua;
	struct mmt_vma *prev;
	int r;

	if (len < request)
		return -ENOMEM;
	if (!len)
		return 0;
	gua = __get_unmapped_area(mm, mmap_abi(bprm), NULL, addr, len, 0,
				  MAP_FIXED);		/* check_brk_limits */
	if (IS_ERR_VALUE(gua))
		return (int)(int64_t)gua;
	r = do_vmi_munmap(mm, addr, len);
	if (r)
		return r;
	find_vma_prev(mm, addr, &prev);
	return do_brk_flags(mm, prev, addr, len, flags);
}

/* elf_load(): one PT_LOAD segment, its bss zeroed and mapped. */
static uint64_t elf_load(struct elf_load_ctx *c, uint64_t addr,
			 const struct elf_phdr_n *ph, int prot, int type,
			 uint64_t total_size)
{
	uint64_t zero_start, zero_end, map_addr;

	if (ph->p_filesz) {
		map_addr = elf_map(c, addr, ph, prot, type, total_size);
		if (bad_addr(c->bprm, map_addr))
			return map_addr;
		if (ph->p_memsz > ph->p_filesz) {
			zero_start = (map_addr + ELF_PAGEOFFSET(ph->p_vaddr) +
				      ph->p_filesz) & c->mask;
			zero_end = (map_addr + ELF_PAGEOFFSET(ph->p_vaddr) +
				    ph->p_memsz) & c->mask;
			/* errors count only for a writable segment */
			if (padzero(c->bprm, zero_start) && (prot & PROT_WRITE))
				return (uint64_t)-EFAULT & c->mask;
		} else {
			zero_start = zero_end = 0;
		}
	} else {
		map_addr = zero_start = ELF_PAGESTART(addr);
		zero_end = (zero_start + ELF_PAGEOFFSET(ph->p_vaddr) +
			    ph->p_memsz) & c->mask;
	}
	if (ph->p_memsz > ph->p_filesz) {
		int e;

		zero_start = ELF_PAGEALIGN(zero_start) & c->mask;
		zero_end = ELF_PAGEALIGN(zero_end) & c->mask;
		e = vm_brk_flags(c->bprm, zero_start, zero_end - zero_start,
				 prot & PROT_EXEC ? MMT_VM_EXEC : 0);
		if (e)
			map_addr = (uint64_t)(int64_t)e & c->mask;
	}
	return map_addr;
}

/* make_prot(): PF_* to PROT_* (x86 has no arch_elf_adjust_prot). */
static int make_prot(uint32_t p_flags)
{
	return (p_flags & ELF_PF_R ? PROT_READ : 0) |
	       (p_flags & ELF_PF_W ? PROT_WRITE : 0) |
	       (p_flags & ELF_PF_X ? PROT_EXEC : 0);
}

/* The segment's size must fit the task (the check after each map). */
static bool segment_fits(const struct linux_binprm *bprm,
			 const struct elf_phdr_n *ph, uint64_t k)
{
	uint64_t ts = task_size(bprm);

	return !(bad_addr(bprm, k) || ph->p_filesz > ph->p_memsz ||
		 ph->p_memsz > ts || ts - ph->p_memsz < k);
}

/*
 * load_elf_interp(): the interpreter's PT_LOADs, the first one through
 * the mmap search (ET_DYN: hint p_vaddr + 0) reserving total_mapping_
 * size.  Its load address, or an error value (~0UL for a bad header:
 * -EPERM when the caller reads it as an errno, as the kernel does).
 */
static uint64_t load_elf_interp(struct elf_load_ctx *c, uint64_t no_base)
{
	struct elf_image *ix = c->img;
	uint64_t load_addr = 0, total_size, error = ~0ULL & c->mask;
	bool load_addr_set = false;

	if (ix->e_type != ELF_ET_EXEC && ix->e_type != ELF_ET_DYN)
		return error;
	total_size = elf_total_mapping_size(ix, c->mask);
	if (!total_size)
		return (uint64_t)-EINVAL & c->mask;
	for (int i = 0; i < ix->e_phnum; i++) {
		const struct elf_phdr_n *ph = &ix->phdr[i];
		int type = MAP_PRIVATE, prot = make_prot(ph->p_flags);
		uint64_t vaddr = ph->p_vaddr, map_addr, k;

		if (ph->p_type != ELF_PT_LOAD)
			continue;
		if (ix->e_type == ELF_ET_EXEC || load_addr_set)
			type |= MAP_FIXED;
		else if (no_base && ix->e_type == ELF_ET_DYN)
			load_addr = (0 - vaddr) & c->mask;
		map_addr = elf_load(c, (load_addr + vaddr) & c->mask, ph, prot,
				    type, total_size);
		total_size = 0;
		error = map_addr;
		if (bad_addr(c->bprm, map_addr))
			return error;
		if (!load_addr_set && ix->e_type == ELF_ET_DYN) {
			load_addr = (map_addr - ELF_PAGESTART(vaddr)) & c->mask;
			load_addr_set = true;
		}
		k = (load_addr + ph->p_vaddr) & c->mask;
		if (!segment_fits(c->bprm, ph, k))
			return (uint64_t)-ENOMEM & c->mask;
	}
	return load_addr;
}

/* ELF_ET_DYN_BASE: 2/3 of the 47-bit window for 64-bit tasks; 4 MiB on
 * i386 (mmap_is_ia32); compat_binfmt_elf's COMPAT_ELF_ET_DYN_BASE,
 * TASK_UNMAPPED_BASE + 16 MiB = 0x56555000, for ia32 tasks. */
static uint64_t elf_et_dyn_base(const struct linux_binprm *bprm)
{
	const struct mmt_machine *m = bprm->t->m;

	if (bprm->t->abi == MMT_TASK_I386)
		return 0x400000;
	if (bprm->t->abi == MMT_TASK_IA32)
		return ((m->layout.compat_task_size / 3 + PAGE - 1) &
			MMT_PAGE_MASK) + 0x1000000;
	return m->layout.default_map_window / 3 * 2;
}

/* --------------------------------------------------- create_elf_tables */

struct auxv_builder {
	uint64_t v[MMT_AT_VECTOR_SIZE];
	unsigned n;
};

static void new_aux_ent(struct auxv_builder *a, uint64_t id, uint64_t val)
{
	if (a->n + 2 <= MMT_AT_VECTOR_SIZE) {
		a->v[a->n++] = id;
		a->v[a->n++] = val;
	}
}

static uint64_t bprm_strlen(const struct linux_binprm *bprm, uint64_t a)
{
	uint64_t n = 0;

	while (a + n < bprm->top && bprm_byte(bprm, a + n + 0) != 0)
		n++;
	return n + 1;
}

/* The byte at @a of the strings area, the area now at its final place
 * ([bprm->p, bprm->top) after setup_arg_pages moved it). */
static int create_elf_tables(struct linux_binprm *bprm,
			     const struct elf_image *ex, uint64_t interp_load_addr,
			     uint64_t e_entry, uint64_t phdr_addr,
			     const struct mmt_exec_hw *hw)
{
	struct mmt_task *t = bprm->t;
	struct mmt_mm *mm = t->mm;
	const struct mmt_exec_params *prm = bprm->params;
	bool native = t->abi == MMT_TASK_X86_64;
	unsigned w = exec_word(t), ei_index, items;
	const char *platform = native ? "x86_64" : "i686";
	uint64_t p = bprm->p, u_platform, u_rand, sp, vdso = 0, a;
	struct auxv_builder aux = { .n = 0 };
	uint8_t rnd[16], *tbl;
	size_t tlen;
	int r;

	p = (p - exec_random(bprm, EXEC_RND_STACK_ALIGN)) & ~15ULL;
	p -= strlen(platform) + 1;
	u_platform = p;
	r = exec_copy_to_user(t, u_platform, platform, strlen(platform) + 1);
	if (prm->random) {
		memcpy(rnd, prm->random, 16);
	} else {
		for (unsigned i = 0; i < 16; i += 8) {
			uint64_t x = mmt_rng_next(&t->m->tasks->exec_rng);

			memcpy(rnd + i, &x, 8);
		}
	}
	p -= 16;
	u_rand = p;
	if (!r)
		r = exec_copy_to_user(t, u_rand, rnd, 16);
	if (r)
		return exec_fail(bprm, -EFAULT, "cannot write the platform "
				 "and AT_RANDOM bytes");
	for (const struct mmt_vma *v = vma_first(mm); v; v = vma_next(v))
		if (v->vm_special && !strcmp(v->vm_special, "[vdso]"))
			vdso = v->vm_start;
	/* ARCH_DLINFO / ARCH_DLINFO_IA32 */
	if (native) {
		new_aux_ent(&aux, MMT_AT_SYSINFO_EHDR, vdso);
		new_aux_ent(&aux, MMT_AT_MINSIGSTKSZ, hw->minsigstksz);
	} else {
		if (vdso) {
			new_aux_ent(&aux, MMT_AT_SYSINFO,
				    vdso + hw->vdso32_vsyscall);
			new_aux_ent(&aux, MMT_AT_SYSINFO_EHDR, vdso);
		}
		new_aux_ent(&aux, MMT_AT_MINSIGSTKSZ, hw->minsigstksz32);
	}
	new_aux_ent(&aux, MMT_AT_HWCAP, hw->hwcap);
	new_aux_ent(&aux, MMT_AT_PAGESZ, PAGE);
	new_aux_ent(&aux, MMT_AT_CLKTCK, 100);
	new_aux_ent(&aux, MMT_AT_PHDR, phdr_addr);
	new_aux_ent(&aux, MMT_AT_PHENT, ex->kind == ELF_KIND_64 ? 56 : 32);
	new_aux_ent(&aux, MMT_AT_PHNUM, ex->e_phnum);
	new_aux_ent(&aux, MMT_AT_BASE, interp_load_addr);
	new_aux_ent(&aux, MMT_AT_FLAGS, 0);
	new_aux_ent(&aux, MMT_AT_ENTRY, e_entry);
	new_aux_ent(&aux, MMT_AT_UID, prm->uid);
	new_aux_ent(&aux, MMT_AT_EUID, prm->euid);
	new_aux_ent(&aux, MMT_AT_GID, prm->gid);
	new_aux_ent(&aux, MMT_AT_EGID, prm->egid);
	new_aux_ent(&aux, MMT_AT_SECURE, 0);
	new_aux_ent(&aux, MMT_AT_RANDOM, u_rand);
	new_aux_ent(&aux, MMT_AT_HWCAP2, hw->hwcap2);
	new_aux_ent(&aux, MMT_AT_EXECFN, bprm->exec);
	new_aux_ent(&aux, MMT_AT_PLATFORM, u_platform);
	new_aux_ent(&aux, MMT_AT_RSEQ_FEATURE_SIZE, 28);
	new_aux_ent(&aux, MMT_AT_RSEQ_ALIGN, 32);
	/* saved_auxv: the entries in elf_addr_t words, the rest zeroed */
	memset(mm->saved_auxv, 0, sizeof(mm->saved_auxv));
	for (unsigned i = 0; i < aux.n; i++)
		memcpy((uint8_t *)mm->saved_auxv + i * w, &aux.v[i], w);
	ei_index = aux.n + 2;			/* and AT_NULL */
	sp = p - (uint64_t)ei_index * w;
	items = (unsigned)((bprm->argc + 1) + (bprm->envc + 1) + 1);
	bprm->p = (sp - (uint64_t)items * w) & ~15ULL;	/* STACK_ROUND */
	sp = bprm->p;
	/* argc, argv[], NULL, envp[], NULL, auxv: one table */
	tlen = (size_t)(items + ei_index) * w;
	tbl = calloc(1, tlen);
	if (!tbl)
		return exec_fail(bprm, -ENOMEM, "out of host memory");
	memcpy(tbl, &bprm->argc, w);
	a = mm->arg_start;
	for (uint64_t i = 0; i < bprm->argc; i++) {
		memcpy(tbl + (1 + i) * w, &a, w);
		a += bprm_strlen(bprm, a);
	}
	mm->arg_end = mm->env_start = a;
	for (uint64_t i = 0; i < bprm->envc; i++) {
		memcpy(tbl + (2 + bprm->argc + i) * w, &a, w);
		a += bprm_strlen(bprm, a);
	}
	mm->env_end = a;
	for (unsigned i = 0; i < aux.n; i++)
		memcpy(tbl + ((size_t)items + i) * w, &aux.v[i], w);
	r = exec_copy_to_user(t, sp, tbl, tlen);
	free(tbl);
	if (r)
		return exec_fail(bprm, -EFAULT, "cannot write the stack tables");
	return 0;
}

/* ------------------------------------------------------ load_elf_binary */

static int read_interp(struct linux_binprm *bprm, const struct elf_image *ex,
		       struct exec_file **interp, struct elf_image *ix,
		       enum elf_kind kind)
{
	struct elf_file_bytes fb = { bprm->file->data, bprm->file->size,
				     bprm->file->size };
	struct elf_file_bytes ib;
	char path[PATH_MAX_K + 1], why[200];
	int r;

	r = elf_interp_path(&fb, ex, path, sizeof(path), why, sizeof(why));
	if (r)
		return exec_fail(bprm, r, "%s: %s", bprm->file->path, why);
	r = exec_open(bprm, path, interp);
	if (r)
		return r;
	ib = (struct elf_file_bytes){ (*interp)->data, (*interp)->size,
				      (*interp)->size };
	/* elf_read of the interpreter's header: a short file is -EIO */
	if ((*interp)->size < (kind == ELF_KIND_64 ? 64u : 52u))
		return exec_fail(bprm, -EIO, "interpreter %s: shorter than an "
				 "ELF header", path);
	/* the interpreter's checks give -ELIBBAD */
	if (memcmp((*interp)->data, "\177ELF", 4))
		return exec_fail(bprm, -ELIBBAD, "interpreter %s is not an ELF "
				 "file", path);
	if (!elf_check_arch((*interp)->data, kind))
		return exec_fail(bprm, -ELIBBAD, "interpreter %s is not for "
				 "this architecture", path);
	/* load_elf_phdrs() of the interpreter (its e_type is checked by
	 * load_elf_interp, after the point of no return) */
	r = elf_parse_phdrs(&ib, kind, ix, why, sizeof(why));
	if (r)
		return exec_fail(bprm, r == -ENOMEM ? r : -ELIBBAD,
				 "interpreter %s: %s", path, why);
	return 0;
}

int load_elf_binary(struct linux_binprm *bprm, enum elf_kind kind)
{
	struct mmt_task *t = bprm->t;
	struct mmt_machine *m = t->m;
	struct exec_file *file = bprm->file, *interpreter = NULL;
	struct elf_file_bytes fb = { file->data, file->size, file->size };
	struct elf_image ex, ix = { .phdr = NULL };
	struct elf_load_ctx c = { .bprm = bprm, .f = file, .img = &ex };
	const struct mmt_exec_hw *hw;
	struct mmt_exec_hw hwd;
	int executable_stack = EXSTACK_DEFAULT, r;
	uint64_t mask = kernel_word_mask(m);
	uint64_t load_bias = 0, load_addr = 0, elf_brk = 0, e_entry, elf_entry;
	uint64_t start_code = ~0ULL & mask, end_code = 0, start_data = 0;
	uint64_t end_data = 0, phdr_addr = 0, interp_load_addr = 0;
	bool first_pt_load = true, brk_moved = false;
	char why[200];

	c.mask = mask;
	r = elf_parse(&fb, kind, &ex, why, sizeof(why));
	if (r) {
		if (r == -ENOEXEC && !bprm->err[0])
			exec_fail(bprm, r, "%s: %s", file->path, why);
		else if (r != -ENOEXEC)
			exec_fail(bprm, r, "%s: %s", file->path, why);
		return r;
	}
	if (ex.interp_idx >= 0) {
		r = read_interp(bprm, &ex, &interpreter, &ix, kind);
		if (r)
			goto out;
	}
	if (ex.gnu_stack_idx >= 0)
		executable_stack = ex.phdr[ex.gnu_stack_idx].p_flags & ELF_PF_X
				   ? EXSTACK_ENABLE_X : EXSTACK_DISABLE_X;

	/* ------------------------------------ the point of no return */
	r = begin_new_exec(bprm);
	if (r)
		goto out;
	/* SET_PERSONALITY2 */
	if (kind == ELF_KIND_64) {
		t->abi = MMT_TASK_X86_64;
		t->personality &= ~MMT_PER_READ_IMPLIES_EXEC;
	} else {
		t->abi = mmt_arch_is_64(m->cfg.arch) ? MMT_TASK_IA32
						     : MMT_TASK_I386;
		if (executable_stack == EXSTACK_DEFAULT)  /* elf_read_implies_exec */
			t->personality |= MMT_PER_READ_IMPLIES_EXEC;
	}
	if (!(t->personality & MMT_PER_ADDR_NO_RANDOMIZE) &&
	    bprm->params->randomize_va_space)
		bprm->randomize = true;
	setup_new_exec(bprm);
	r = setup_arg_pages(bprm, (t->abi == MMT_TASK_IA32
				   ? m->layout.compat_task_size
				   : m->layout.stack_top) -
			    exec_random(bprm, EXEC_RND_STACK_TOP),
			    executable_stack);
	if (r)
		goto out;
	mask = kernel_word_mask(m);
	for (int i = 0; i < ex.e_phnum; i++) {
		const struct elf_phdr_n *ph = &ex.phdr[i];
		int prot, flags = MAP_PRIVATE;
		uint64_t total_size = 0, vaddr, k, error;

		if (ph->p_type != ELF_PT_LOAD)
			continue;
		prot = make_prot(ph->p_flags);
		vaddr = ph->p_vaddr;
		if (!first_pt_load) {
			flags |= MAP_FIXED;
		} else if (ex.e_type == ELF_ET_EXEC) {
			flags |= MAP_FIXED_NOREPLACE;
		} else {
			uint64_t alignment;

			total_size = elf_total_mapping_size(&ex, mask);
			if (!total_size) {
				r = exec_fail(bprm, -EINVAL, "%s: no PT_LOAD "
					      "extent", file->path);
				goto out;
			}
			alignment = elf_maximum_alignment(&ex, mask);
			if (interpreter) {
				load_bias = elf_et_dyn_base(bprm);
				load_bias += exec_random(bprm, EXEC_RND_MMAP);
				if (alignment)
					load_bias &= ~(alignment - 1);
				flags |= MAP_FIXED_NOREPLACE;
			} else if (alignment > ELF_MIN_ALIGN) {
				load_bias = elf_load(&c, 0, ph, prot, flags,
						     total_size);
				if (bad_addr(bprm, load_bias)) {
					r = is_err_value(load_bias, mask)
					    ? err_of(load_bias, mask) : -EINVAL;
					exec_fail(bprm, r, "%s: cannot place "
						  "the image", file->path);
					goto out;
				}
				do_vmi_munmap(t->mm, load_bias, total_size);
				load_bias &= ~(alignment - 1);
				flags |= MAP_FIXED_NOREPLACE;
			} else {
				load_bias = 0;
			}
			load_bias = ELF_PAGESTART((load_bias - vaddr) & mask);
		}
		error = elf_load(&c, (load_bias + vaddr) & mask, ph, prot,
				 flags, total_size);
		if (bad_addr(bprm, error)) {
			r = is_err_value(error, mask) ? err_of(error, mask)
						      : -EINVAL;
			exec_fail(bprm, r, "%s: cannot map PT_LOAD %d at "
				  "%#llx: %s", file->path, i,
				  (unsigned long long)((load_bias + vaddr) & mask),
				  strerror(-r));
			goto out;
		}
		if (first_pt_load) {
			first_pt_load = false;
			if (ex.e_type == ELF_ET_DYN) {
				load_bias = (load_bias + error -
					     ELF_PAGESTART((load_bias + vaddr) &
							   mask)) & mask;
				load_addr += load_bias;
			}
		}
		if (ph->p_offset <= ex.e_phoff &&
		    ex.e_phoff < ph->p_offset + ph->p_filesz)
			phdr_addr = (ex.e_phoff - ph->p_offset + ph->p_vaddr) &
				    mask;
		k = ph->p_vaddr;
		if ((ph->p_flags & ELF_PF_X) && k < start_code)
			start_code = k;
		if (start_data < k)
			start_data = k;
		if (!segment_fits(bprm, ph, k)) {
			r = exec_fail(bprm, -EINVAL, "%s: PT_LOAD %d [%#llx, "
				      "+%#llx) does not fit the task (or "
				      "p_filesz > p_memsz)", file->path, i,
				      (unsigned long long)k,
				      (unsigned long long)ph->p_memsz);
			goto out;
		}
		k = ph->p_vaddr + ph->p_filesz;
		if ((ph->p_flags & ELF_PF_X) && end_code < k)
			end_code = k;
		if (end_data < k)
			end_data = k;
		k = ph->p_vaddr + ph->p_memsz;
		if (k > elf_brk)
			elf_brk = k;
	}
	e_entry = (ex.e_entry + load_bias) & mask;
	phdr_addr = (phdr_addr + load_bias) & mask;
	elf_brk = (elf_brk + load_bias) & mask;
	start_code = (start_code + load_bias) & mask;
	end_code = (end_code + load_bias) & mask;
	start_data = (start_data + load_bias) & mask;
	end_data = (end_data + load_bias) & mask;
	(void)load_addr;

	if (interpreter) {
		struct elf_load_ctx ic = { .bprm = bprm, .f = interpreter,
					   .img = &ix, .mask = mask };

		elf_entry = load_elf_interp(&ic, load_bias);
		if (!is_err_value(elf_entry, mask)) {
			interp_load_addr = elf_entry;
			elf_entry = (elf_entry + ix.e_entry) & mask;
		}
		if (bad_addr(bprm, elf_entry)) {
			r = is_err_value(elf_entry, mask)
			    ? err_of(elf_entry, mask) : -EINVAL;
			exec_fail(bprm, r, "interpreter %s: cannot load it: %s",
				  interpreter->path, strerror(-r));
			goto out;
		}
	} else {
		elf_entry = e_entry;
		if (bad_addr(bprm, elf_entry)) {
			r = exec_fail(bprm, -EINVAL, "%s: entry point %#llx "
				      "outside the task", file->path,
				      (unsigned long long)elf_entry);
			goto out;
		}
	}
	r = arch_setup_additional_pages(bprm);
	if (r)
		goto out;
	hw = bprm->params->hw;
	if (!hw) {
		mmt_exec_hw_default(m, &hwd);
		hw = &hwd;
	}
	r = create_elf_tables(bprm, &ex, interp_load_addr, e_entry, phdr_addr,
			      hw);
	if (r)
		goto out;
	t->mm->end_code = end_code;
	t->mm->start_code = start_code;
	t->mm->start_data = start_data;
	t->mm->end_data = end_data;
	t->mm->start_stack = bprm->p;
	/* "brk" handling (6.15+): a loader run directly gets its brk at
	 * ELF_ET_DYN_BASE, ASLR or not */
	if (ex.e_type == ELF_ET_DYN && !interpreter) {
		elf_brk = elf_et_dyn_base(bprm);
		brk_moved = true;
	}
	t->mm->start_brk = t->mm->brk = ELF_PAGEALIGN(elf_brk) & mask;
	if (bprm->randomize && bprm->params->randomize_va_space > 1) {
		if (!brk_moved)
			t->mm->start_brk = t->mm->brk += PAGE;
		t->mm->start_brk = t->mm->brk +=
			exec_random(bprm, EXEC_RND_BRK);
		brk_moved = true;
	}
	t->mm->brk_randomized = brk_moved;
	bprm->res.sp = bprm->p;
	bprm->res.entry = elf_entry;
	bprm->res.load_bias = load_bias;
	bprm->res.interp_base = interp_load_addr;
	bprm->file = NULL;		/* loaded: exec_binprm stops */
	r = 0;
out:
	elf_image_free(&ex);
	elf_image_free(&ix);
	return r;
}
