// SPDX-License-Identifier: MIT
/*
 * exec/exec.c - execve(2) (fs/exec.c, 6.18): open_exec, the argument
 * strings (bprm_stack_limits, copy_strings, copy_string_kernel), the
 * binary handlers' loop (search_binary_handler, at most 5 deep),
 * begin_new_exec and setup_new_exec, setup_arg_pages, and the commit.
 *
 * Where the model differs from the kernel on purpose:
 *  - The new mm is built completely while the old one is kept aside; a
 *    failure anywhere restores the old mm (the kernel kills the task for
 *    failures after its point of no return: mmt_exec_result.fatal says
 *    which happened, and the scenario command kills the task then).
 *  - The strings are gathered in a host buffer standing for the top of
 *    the stack and written to the task's memory by setup_arg_pages at
 *    their final place; the kernel writes them at STACK_TOP_MAX and
 *    shifts the VMA down for 32-bit tasks (shift_arg_pages).  The bytes
 *    and the VMA's extent come out the same.
 *  - No credentials change (setuid bits are ignored: AT_SECURE 0), no
 *    close-on-exec, no signal or thread teardown: one thread per task.
 */
#include "exec/binfmt.h"
#include "kernel/task_internal.h"
#include "mm/memory.h"
#include "mm/vma_internal.h"
#include "base/bug.h"

#include <mmtwin/kern.h>
#include <mmtwin/layout.h>
#include <mmtwin/page_alloc.h>
#include <mmtwin/pgtable.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE MMT_PAGE_SIZE

int exec_fail(struct linux_binprm *bprm, int error, const char *fmt, ...)
{
	va_list ap;

	if (bprm->err && bprm->errlen) {
		va_start(ap, fmt);
		vsnprintf(bprm->err, bprm->errlen, fmt, ap);
		va_end(ap);
	}
	return error;
}

/* --------------------------------------------------------- randomness */

/*
 * The kernel's entropy for each base (6.18, x86):
 *  EXEC_RND_MMAP        arch_mmap_rnd(): mmap_rnd_bits (28) of pages, the
 *                       compat bits (8) for an ia32 task (mmap_is_ia32)
 *  EXEC_RND_STACK_TOP   randomize_stack_top(): STACK_RND_MASK pages,
 *                       0x3fffff (16 GiB) or 0x7ff (8 MiB) for 32-bit
 *  EXEC_RND_STACK_ALIGN arch_align_stack(): get_random_u32_below(8192)
 *                       bytes (the caller rounds to 16)
 *  EXEC_RND_BRK         arch_randomize_brk(): randomize_page(brk, range),
 *                       range 1 GiB (64-bit, since 6.9) or 32 MiB (ia32)
 *  EXEC_RND_VDSO        0: since 6.x the vDSO is placed by
 *                       get_unmapped_area(NULL, 0, ...) in the mmap area
 *                       and moves with mmap_base only
 * The values are the model's generator's, not the kernel's; the ranges
 * and the alignment are the kernel's.
 */
uint64_t exec_random(struct linux_binprm *bprm, enum exec_rnd what)
{
	struct mmt_task *t = bprm->t;
	const struct mmt_vm_sysctl *sc = &t->m->tasks->sysctl;
	struct mmt_rng *rng = &t->m->tasks->exec_rng;
	bool is32 = t->abi != MMT_TASK_X86_64;

	if (!bprm->randomize)
		return 0;
	switch (what) {
	case EXEC_RND_MMAP:
		return mmt_task_arch_rnd(t, t->abi == MMT_TASK_IA32
					 ? sc->mmap_rnd_compat_bits
					 : sc->mmap_rnd_bits);
	case EXEC_RND_STACK_TOP:
		return (mmt_rng_next(rng) & (is32 ? 0x7ffULL : 0x3fffffULL))
		       << MMT_PAGE_SHIFT;
	case EXEC_RND_STACK_ALIGN:
		return mmt_rng_below(rng, 8192);
	case EXEC_RND_BRK:
		return mmt_rng_below(rng, (is32 ? 32ULL << 20 : 1ULL << 30) >>
				     MMT_PAGE_SHIFT) << MMT_PAGE_SHIFT;
	case EXEC_RND_VDSO:
		return 0;
	}
	return 0;
}

/* ---------------------------------------------------------- hardware */

void mmt_exec_hw_default(const struct mmt_machine *m, struct mmt_exec_hw *hw)
{
	/* the reference host (AMD EPYC under Firecracker, 6.18): its
	 * /proc/self/auxv; the x86_32 guest under QEMU reports the same
	 * CPUID(1).EDX for its default CPU model only by coincidence */
	hw->hwcap = 0x178bfbff;
	hw->hwcap2 = 0x2;			/* HWCAP2_FSGSBASE */
	hw->minsigstksz = 3376;
	hw->minsigstksz32 = 3376;
	hw->vdso32_vsyscall = 0x5e0;		/* __kernel_vsyscall */
	if (!mmt_arch_is_64(m->cfg.arch)) {
		/* Debian 6.1's 686 kernels under QEMU's qemu32 CPU
		 * (tests/data/i386/exec-686*.txt): CPUID(1).EDX, no
		 * HWCAP2, an fxsave-only signal frame, and the offset of
		 * __kernel_vsyscall in 6.1's vdso32 image */
		hw->hwcap = 0x0782abfd;
		hw->hwcap2 = 0;
		hw->minsigstksz = hw->minsigstksz32 = 1440;
		hw->vdso32_vsyscall = 0x550;
	}
}

/*
 * The host kernel's values from /proc/self/auxv (not getauxval: glibc
 * replaces AT_HWCAP on x86 with its own platform bits).  Native words:
 * the host runs the 64-bit kernel this file was built for.
 */
void mmt_exec_hw_host(const struct mmt_machine *m, struct mmt_exec_hw *hw)
{
	unsigned long a[2 * MMT_AT_VECTOR_SIZE];
	ssize_t n;
	int fd;

	mmt_exec_hw_default(m, hw);
	fd = open("/proc/self/auxv", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, a, sizeof(a));
	close(fd);
	for (ssize_t i = 0; i + 1 < n / (ssize_t)sizeof(a[0]); i += 2) {
		if (a[i] == MMT_AT_HWCAP)
			hw->hwcap = a[i + 1];
		else if (a[i] == MMT_AT_HWCAP2)
			hw->hwcap2 = a[i + 1];
		else if (a[i] == MMT_AT_MINSIGSTKSZ)
			hw->minsigstksz = hw->minsigstksz32 = a[i + 1];
	}
}

/* ------------------------------------------------------------- files */

static void exec_file_close(struct exec_file *f)
{
	if (!f)
		return;
	if (f->data && f->size)
		munmap(f->data, f->size);
	if (f->file)
		mmt_file_put(f->file);
	free(f->path);
	free(f);
}

/*
 * open_exec() -> do_open_execat(): the path must name a regular file
 * the caller may execute on a mount that allows it (-EACCES), or it is
 * the lookup's errno.  The file's bytes are mapped from the host (the
 * kernel reads what it needs through kernel_read()); its identity is the
 * resolved path's (d_path prints /usr/bin/true for /bin/true).
 */
int exec_open(struct linux_binprm *bprm, const char *path,
	      struct exec_file **out)
{
	struct exec_file *f;
	char real[PATH_MAX];
	struct stat st;
	int fd, err = 0;

	if (!*path)
		return exec_fail(bprm, -ENOENT, "%s: empty path", "exec");
	if (stat(path, &st))
		return exec_fail(bprm, -errno, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return exec_fail(bprm, -EACCES, "%s: not a regular file",
				 path);
	if (access(path, X_OK))
		return exec_fail(bprm, -errno, "%s: not executable: %s", path,
				 strerror(errno));
	if (bprm->nfiles >= sizeof(bprm->files) / sizeof(bprm->files[0]))
		return exec_fail(bprm, -ELOOP, "%s: too many interpreters",
				 path);
	f = calloc(1, sizeof(*f));
	if (!f)
		return exec_fail(bprm, -ENOMEM, "out of host memory");
	bprm->files[bprm->nfiles++] = f;
	f->path = strdup(realpath(path, real) ? real : path);
	if (!f->path)
		return exec_fail(bprm, -ENOMEM, "out of host memory");
	f->file = exec_file_open(f->path, &err);
	if (!f->file)
		return exec_fail(bprm, err, "%s: %s", path, strerror(-err));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return exec_fail(bprm, -errno, "%s: %s", path, strerror(errno));
	f->size = (uint64_t)st.st_size;
	if (f->size) {
		f->data = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (f->data == MAP_FAILED) {
			f->data = NULL;
			f->size = 0;
			close(fd);
			return exec_fail(bprm, -EIO, "%s: cannot read it",
					 path);
		}
	}
	close(fd);
	*out = f;
	return 0;
}

/* ----------------------------------------------------------- strings */

uint8_t bprm_byte(const struct linux_binprm *bprm, uint64_t a)
{
	if (a >= bprm->top || a < bprm->top - bprm->cap)
		return 0;
	return bprm->buf[bprm->cap - (bprm->top - a)];
}

/* Make the buffer hold [addr, top).  0 or -ENOMEM. */
static int bprm_reserve(struct linux_binprm *bprm, uint64_t addr)
{
	uint64_t need = bprm->top - addr, cap = bprm->cap ? bprm->cap : 4 * PAGE;
	uint8_t *nb;

	if (need <= bprm->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	nb = calloc(1, cap);
	if (!nb)
		return -ENOMEM;
	if (bprm->cap)
		memcpy(nb + cap - bprm->cap, bprm->buf, bprm->cap);
	free(bprm->buf);
	bprm->buf = nb;
	bprm->cap = cap;
	return 0;
}

/* Push @len bytes of @s below bprm->p (the checks are the callers'). */
static int bprm_push(struct linux_binprm *bprm, const char *s, uint64_t len)
{
	uint64_t p = bprm->p - len;

	if (bprm_reserve(bprm, p))
		return exec_fail(bprm, -ENOMEM, "out of host memory");
	memcpy(bprm->buf + bprm->cap - (bprm->top - p), s, len);
	bprm->p = p;
	if (p < bprm->lowest)
		bprm->lowest = p;
	return 0;
}

int copy_string_kernel(struct linux_binprm *bprm, const char *s)
{
	uint64_t len = strnlen(s, MAX_ARG_STRLEN) + 1;

	if (len > MAX_ARG_STRLEN)	/* valid_arg_len */
		return exec_fail(bprm, -E2BIG, "a string of more than %llu "
				 "bytes", (unsigned long long)MAX_ARG_STRLEN);
	if (bprm->p - len < bprm->argmin)
		return exec_fail(bprm, -E2BIG, "argument list too long "
				 "(the strings exceed %llu bytes)",
				 (unsigned long long)(bprm->top - bprm->argmin));
	return bprm_push(bprm, s, len);
}

/* copy_strings(): the user's strings, the last one first. */
static int copy_strings(struct linux_binprm *bprm, uint64_t n,
			char *const *v)
{
	while (n-- > 0) {
		size_t len = strnlen(v[n], MAX_ARG_STRLEN) + 1;

		if (len > MAX_ARG_STRLEN)
			return exec_fail(bprm, -E2BIG, "argument %llu is "
					 "longer than MAX_ARG_STRLEN (%llu)",
					 (unsigned long long)n,
					 (unsigned long long)MAX_ARG_STRLEN);
		if (bprm->p - len < bprm->argmin)
			return exec_fail(bprm, -E2BIG, "argument list too "
					 "long (limit %llu bytes)",
					 (unsigned long long)(bprm->top -
							      bprm->argmin));
		if (bprm_push(bprm, v[n], len))
			return -ENOMEM;
	}
	return 0;
}

int remove_arg_zero(struct linux_binprm *bprm)
{
	if (!bprm->argc)
		return 0;
	while (bprm->p < bprm->top && bprm_byte(bprm, bprm->p))
		bprm->p++;
	if (bprm->p >= bprm->top)
		return exec_fail(bprm, -EINVAL, "argv[0] is not terminated");
	bprm->p++;
	bprm->argc--;
	return 0;
}

/* bprm_stack_limits() */
static int bprm_stack_limits(struct linux_binprm *bprm)
{
	uint64_t limit = STK_LIM / 4 * 3, ptr_size;

	if (bprm->rlim_stack / 4 < limit)
		limit = bprm->rlim_stack / 4;
	if (limit < ARG_MAX)
		limit = ARG_MAX;
	ptr_size = ((bprm->argc ? bprm->argc : 1) + bprm->envc) * 8;
	if (limit <= ptr_size)
		return exec_fail(bprm, -E2BIG, "%llu argument and environment "
				 "pointers do not fit the %llu-byte limit",
				 (unsigned long long)(ptr_size / 8),
				 (unsigned long long)limit);
	bprm->argmin = bprm->p - (limit - ptr_size);
	return 0;
}

static uint64_t count_strings(char *const *v)
{
	uint64_t n = 0;

	while (v && v[n] && n < MAX_ARG_STRINGS)
		n++;
	return n;
}

/* ------------------------------------------------- user memory access */

int exec_copy_to_user(struct mmt_task *t, uint64_t addr, const void *src,
		      size_t len)
{
	struct mmt_machine *m = t->m;
	const uint8_t *s = src;

	while (len) {
		uint64_t chunk = PAGE - (addr & (PAGE - 1)), pa;
		struct mmt_siginfo si;
		uint8_t first = s[0];
		unsigned pf;
		uint8_t *d;
		int r;

		if (chunk > len)
			chunk = len;
		r = mmt_task_access(t, addr, MMT_ACCESS_WRITE, &first, &si);
		if (r < 0)
			return r;
		if (r)
			return -EFAULT;
		if (chunk > 1) {
			if (mmt_mmu_translate(m, t->cpu, addr, MMT_ACCESS_WRITE |
					      MMT_ACCESS_USER, &pa, &pf) !=
			    MMT_XLATE_OK)
				return -EFAULT;
			d = mmt_frame_data(m, pa >> MMT_PAGE_SHIFT, true);
			if (!d)
				return -ENOMEM;
			memcpy(d + (pa & (PAGE - 1)) + 1, s + 1, chunk - 1);
		}
		addr += chunk;
		s += chunk;
		len -= chunk;
	}
	return 0;
}

int mmt_task_read_mem(const struct mmt_task *t, uint64_t addr, void *buf,
		      size_t len)
{
	struct mmt_mm *mm = t->mm;
	uint8_t *o = buf;

	while (len) {
		uint64_t chunk = PAGE - (addr & (PAGE - 1)), pte;
		const struct mmt_vma *v = find_vma(mm, addr);
		const uint8_t *d = NULL;

		if (chunk > len)
			chunk = len;
		if (!v || v->vm_start > addr)
			return -EFAULT;
		pte = mm_get_pte(mm, addr);
		if (mmt_pte_present(pte))
			d = mmt_frame_data(t->m, mmt_pte_pfn(t->m, pte), false);
		if (d)
			memcpy(o, d + (addr & (PAGE - 1)), chunk);
		else
			memset(o, 0, chunk);
		addr += chunk;
		o += chunk;
		len -= chunk;
	}
	return 0;
}

/* ------------------------------------------------- the point of no return */

int begin_new_exec(struct linux_binprm *bprm)
{
	struct mmt_task *t = bprm->t;
	struct mmt_mm *mm = exec_mm_alloc(t);
	const char *base;

	if (!mm)
		return exec_fail(bprm, -ENOMEM, "out of memory for the new mm");
	bprm->point_of_no_return = true;
	bprm->old_mm = t->mm;
	bprm->mm = mm;
	t->mm = mm;				/* exec_mmap() */
	mmt_cpu_switch_mm(t->m, t->cpu, mm->pgd_pfn);
	base = strrchr(bprm->filename, '/');
	base = base ? base + 1 : bprm->filename;
	/* __set_task_comm(): the basename, cut to TASK_COMM_LEN - 1 */
	memset(t->comm, 0, sizeof(t->comm));
	memcpy(t->comm, base, strnlen(base, sizeof(t->comm) - 1));
	return 0;
}

void setup_new_exec(struct linux_binprm *bprm)
{
	struct mmt_task *t = bprm->t;

	mmt_task_pick_mmap_layout(t);		/* arch_pick_mmap_layout */
	t->mm->task_size = exec_task_size(t->m, t->abi);
}

int setup_arg_pages(struct linux_binprm *bprm, uint64_t stack_top,
		    int executable_stack)
{
	struct mmt_task *t = bprm->t;
	struct mmt_mm *mm = t->mm;
	struct mmt_machine *m = t->m;
	uint64_t vm_end, vm_start, shift, flags, stack_base, size, rlim;
	struct mmt_vma *vma;
	int r;

	/* arch_align_stack(), then PAGE_ALIGN */
	stack_top = (stack_top - exec_random(bprm, EXEC_RND_STACK_ALIGN)) &
		    ~15ULL;
	stack_top = (stack_top + PAGE - 1) & MMT_PAGE_MASK;
	/* the VMA the strings were copied into (get_arg_page grew it) */
	vm_end = bprm->top;
	vm_start = (bprm->lowest & MMT_PAGE_MASK);
	if (vm_start > vm_end - PAGE)
		vm_start = vm_end - PAGE;
	if (stack_top < mmt_mmap_min_addr(m) ||
	    vm_end - vm_start >= stack_top - mmt_mmap_min_addr(m))
		return exec_fail(bprm, -ENOMEM, "the strings do not fit below "
				 "the stack top %#llx",
				 (unsigned long long)stack_top);
	shift = vm_end - stack_top;
	/* VM_STACK_FLAGS: VM_GROWSDOWN | VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT */
	flags = MMT_VM_GROWSDOWN | MMT_VM_READ | MMT_VM_WRITE |
		MMT_VM_MAYREAD | MMT_VM_MAYWRITE | MMT_VM_MAYEXEC |
		MMT_VM_ACCOUNT;
	if (t->personality & MMT_PER_READ_IMPLIES_EXEC)
		flags |= MMT_VM_EXEC;
	if (executable_stack == EXSTACK_ENABLE_X)
		flags |= MMT_VM_EXEC;
	else if (executable_stack == EXSTACK_DISABLE_X)
		flags &= ~MMT_VM_EXEC;
	flags |= mm->def_flags;
	if (security_vm_enough_memory_mm(mm, (vm_end - vm_start) >> MMT_PAGE_SHIFT))
		return exec_fail(bprm, -ENOMEM, "the stack's commit charge was "
				 "refused");
	vma = vm_area_alloc(mm);
	if (!vma) {
		vm_unacct_memory(m, (vm_end - vm_start) >> MMT_PAGE_SHIFT);
		return exec_fail(bprm, -ENOMEM, "out of memory");
	}
	vma->vm_start = vm_start - shift;
	vma->vm_end = vm_end - shift;
	vma->vm_pgoff = vma->vm_start >> MMT_PAGE_SHIFT;
	vma->vm_flags = flags;
	vma_link(mm, vma);
	vm_stat_account(mm, flags, (int64_t)vma_pages(vma));
	bprm->p -= shift;
	bprm->exec -= shift;
	mm->arg_start = bprm->p;
	/* the strings, where get_arg_page() put them */
	r = exec_copy_to_user(t, bprm->p, bprm->buf + bprm->cap -
			      (bprm->top - (bprm->p + shift)),
			      stack_top - bprm->p);
	if (r)
		return exec_fail(bprm, r, "cannot write the strings to the "
				 "stack");
	bprm->top -= shift;
	bprm->lowest -= shift;
	/* 128 KiB more below, within RLIMIT_STACK */
	size = vma->vm_end - vma->vm_start;
	rlim = bprm->rlim_stack & MMT_PAGE_MASK;
	if (size + 131072 > rlim)
		stack_base = vma->vm_end - rlim;
	else
		stack_base = vma->vm_start - 131072;
	mm->start_stack = bprm->p;
	if (expand_stack_locked(t, vma, stack_base))
		return exec_fail(bprm, -EFAULT, "cannot expand the stack to "
				 "%#llx", (unsigned long long)stack_base);
	return 0;
}

/* ------------------------------------------------------- the handlers */

/* search_binary_handler(): ELF (native, then compat), then #!.  When
 * every handler says -ENOEXEC, the reason given is the ELF loader's of
 * the file's class (EI_CLASS), else "neither". */
static int search_binary_handler(struct linux_binprm *bprm)
{
	struct mmt_machine *m = bprm->t->m;
	const struct exec_file *f = bprm->file;
	char why64[256] = "", why32[256] = "";
	int r;

	if (mmt_arch_is_64(m->cfg.arch)) {
		r = load_elf_binary(bprm, ELF_KIND_64);
		if (r != -ENOEXEC || bprm->point_of_no_return)
			return r;
		snprintf(why64, sizeof(why64), "%s", bprm->err);
	}
	bprm->err[0] = 0;
	r = load_elf_binary(bprm, ELF_KIND_32);
	if (r != -ENOEXEC || bprm->point_of_no_return)
		return r;
	snprintf(why32, sizeof(why32), "%s", bprm->err);
	bprm->err[0] = 0;
	r = load_script(bprm);
	if (r != -ENOEXEC || bprm->point_of_no_return)
		return r;
	if (bprm->err[0])
		return r;
	if (f->size >= 5 && !memcmp(f->data, "\177ELF", 4))
		return exec_fail(bprm, -ENOEXEC, "%s", f->data[4] == 2 &&
				 why64[0] ? why64 : why32);
	return exec_fail(bprm, -ENOEXEC, "%s: exec format error (not an ELF "
			 "file, no #! line)", f->path);
}

/* exec_binprm(): run the handlers; a script names the next file (at
 * most 5 times); a loader that succeeded clears bprm->file. */
static int exec_binprm(struct linux_binprm *bprm)
{
	for (int depth = 0;; depth++) {
		int r;

		if (depth > EXEC_MAX_DEPTH)
			return exec_fail(bprm, -ELOOP, "more than %d levels of "
					 "#! interpreters", EXEC_MAX_DEPTH);
		bprm->err[0] = 0;
		r = search_binary_handler(bprm);
		if (r < 0)
			return r;
		if (!bprm->file)
			return 0;
	}
}

/* The roll-back: the old mm comes back, the new one goes. */
static void exec_abort(struct linux_binprm *bprm, unsigned personality,
		       enum mmt_task_abi abi, const char *comm)
{
	struct mmt_task *t = bprm->t;

	if (bprm->mm) {
		t->mm = bprm->old_mm;
		mmt_cpu_switch_mm(t->m, t->cpu, t->mm->pgd_pfn);
		exec_mm_free(bprm->mm);
		bprm->mm = NULL;
	}
	t->personality = personality;
	t->abi = abi;
	memcpy(t->comm, comm, sizeof(t->comm));
}

int mmt_execve(struct mmt_task *t, const struct mmt_exec_params *p,
	       struct mmt_exec_result *res, char *err, size_t errlen)
{
	struct linux_binprm *bprm = calloc(1, sizeof(*bprm));
	unsigned personality = t->personality;
	enum mmt_task_abi abi = t->abi;
	char comm[sizeof(t->comm)], dummy[8];
	int r;

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = 0;
	if (!bprm) {
		snprintf(err, errlen, "out of host memory");
		return -ENOMEM;
	}
	memcpy(comm, t->comm, sizeof(comm));
	bprm->t = t;
	bprm->params = p;
	bprm->err = err;
	bprm->errlen = errlen;
	/* bprm_mm_init(): bprm->p one pointer below STACK_TOP_MAX */
	bprm->top = mmt_arch_is_64(t->m->cfg.arch) ? t->m->layout.task_size_max
						   : t->m->layout.stack_top;
	bprm->p = bprm->lowest = bprm->top - (mmt_arch_is_64(t->m->cfg.arch)
					       ? 8 : 4);
	bprm->rlim_stack = t->rlim[MMT_RLIMIT_STACK].cur;
	snprintf(bprm->filename, sizeof(bprm->filename), "%s",
		 p->filename ? p->filename : "");
	snprintf(bprm->interp, sizeof(bprm->interp), "%s", bprm->filename);
	r = bprm_reserve(bprm, bprm->top - PAGE);
	if (!r)
		r = exec_open(bprm, bprm->filename, &bprm->file);
	bprm->argc = count_strings(p->argv);
	bprm->envc = count_strings(p->envp);
	if (!r)
		r = bprm_stack_limits(bprm);
	if (!r)
		r = copy_string_kernel(bprm, bprm->filename);
	bprm->exec = bprm->p;
	if (!r)
		r = copy_strings(bprm, bprm->envc, p->envp);
	if (!r)
		r = copy_strings(bprm, bprm->argc, p->argv);
	if (!r && !bprm->argc) {
		r = copy_string_kernel(bprm, "");
		bprm->argc = 1;
	}
	if (!r)
		r = exec_binprm(bprm);
	if (r) {
		if (res)
			*res = bprm->res;
		if (res)
			res->fatal = bprm->point_of_no_return;
		exec_abort(bprm, personality, abi, comm);
	} else {
		/* the commit: the old mm goes (exec_mmap's mmput); other
		 * threads sharing it keep it (de_thread is not modelled) */
		exec_mm_release(t, bprm->old_mm);
		t->mm->exec_done = true;
		t->user_sp = bprm->res.sp;
		t->user_ip = bprm->res.entry;
		if (res)
			*res = bprm->res;
	}
	for (unsigned i = 0; i < bprm->nfiles; i++)
		exec_file_close(bprm->files[i]);
	free(bprm->buf);
	free(bprm);
	return r;
}

/* -------------------------------------------------------------- auxv */

const char *mmt_auxv_name(uint64_t type)
{
	static const struct { uint64_t t; const char *n; } names[] = {
		{ 0, "AT_NULL" }, { 1, "AT_IGNORE" }, { 2, "AT_EXECFD" },
		{ 3, "AT_PHDR" }, { 4, "AT_PHENT" }, { 5, "AT_PHNUM" },
		{ 6, "AT_PAGESZ" }, { 7, "AT_BASE" }, { 8, "AT_FLAGS" },
		{ 9, "AT_ENTRY" }, { 10, "AT_NOTELF" }, { 11, "AT_UID" },
		{ 12, "AT_EUID" }, { 13, "AT_GID" }, { 14, "AT_EGID" },
		{ 15, "AT_PLATFORM" }, { 16, "AT_HWCAP" }, { 17, "AT_CLKTCK" },
		{ 23, "AT_SECURE" }, { 24, "AT_BASE_PLATFORM" },
		{ 25, "AT_RANDOM" }, { 26, "AT_HWCAP2" },
		{ 27, "AT_RSEQ_FEATURE_SIZE" }, { 28, "AT_RSEQ_ALIGN" },
		{ 29, "AT_HWCAP3" }, { 30, "AT_HWCAP4" }, { 31, "AT_EXECFN" },
		{ 32, "AT_SYSINFO" }, { 33, "AT_SYSINFO_EHDR" },
		{ 51, "AT_MINSIGSTKSZ" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].t == type)
			return names[i].n;
	return NULL;
}

size_t mmt_proc_auxv(const struct mmt_task *t, uint8_t *buf, size_t len)
{
	const uint64_t *w = t->mm->saved_auxv;
	unsigned kw = mmt_arch_is_64(t->m->cfg.arch) ? 8 : 4, nwords = 0;
	size_t n;

	if (!t->mm->exec_done)
		return 0;
	/* auxv_read(): pairs of the kernel's unsigned long up to a zero
	 * type word (32-bit tasks' packed pairs are read the same way) */
	do {
		uint64_t v;

		nwords += 2;
		if (kw == 8)
			v = w[nwords - 2];
		else
			memcpy(&v, (const uint8_t *)w + (nwords - 2) * 4, 4),
			v &= 0xffffffffULL;
		if (!v || nwords >= MMT_AT_VECTOR_SIZE * 8 / kw)
			break;
	} while (1);
	n = (size_t)nwords * kw;
	if (n > len)
		n = len;
	memcpy(buf, w, n);
	return n;
}

unsigned mmt_exec_auxv(const struct mmt_task *t, uint64_t *type,
		       uint64_t *val, unsigned max)
{
	const uint8_t *b = (const uint8_t *)t->mm->saved_auxv;
	unsigned w = exec_word(t), n = 0;

	if (!t->mm->exec_done)
		return 0;
	for (unsigned i = 0; (i + 2) * w <= sizeof(t->mm->saved_auxv); i += 2) {
		uint64_t ty = 0, v = 0;

		memcpy(&ty, b + i * w, w);
		memcpy(&v, b + (i + 1) * w, w);
		if (!ty)
			break;
		if (n < max) {
			type[n] = ty;
			val[n] = v;
		}
		n++;
	}
	return n;
}
