// SPDX-License-Identifier: MIT
/*
 * kernel/task.c - tasks and their mm: creation as exec leaves an mm
 * before the ELF loader maps anything (task_size, arch_pick_mmap_layout
 * with ASLR off), exit, the fd table, the machine's task list, and
 * seeding an mm from a live process's /proc files.
 *
 * Seeding reads what /proc shows and reconstructs what it does not:
 *   maps     ranges, perms, offset, dev:inode, name
 *   smaps    exact vm_flags (VmFlags:), anon_vma presence (Anonymous: > 0)
 *   stat     start_code ... env_end (fields 26-28, 45-51); brk is not
 *            printed anywhere, so it is the end of [heap] (or start_brk)
 * Seeded VMAs with anonymous pages get distinct anon_vma identities (the
 * real sharing after splits is not visible from /proc).
 */
#include "kernel/task_internal.h"
#include "mm/vma_internal.h"
#include "mm/memory.h"
#include "base/bug.h"
#include "init/boot.h"

#include <mmtwin/kalloc.h>
#include <mmtwin/kern.h>
#include <mmtwin/page_alloc.h>

#include <ctype.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#define PAGE MMT_PAGE_SIZE
#define MB(x) ((uint64_t)(x) << 20)
#define PID_MAX 4194304
#define FD_MAX 65536

const char *mmt_task_abi_name(enum mmt_task_abi abi)
{
	static const char *const names[] = { "x86_64", "ia32", "i386" };

	return (unsigned)abi < 3 ? names[abi] : "?";
}

enum mmt_abi mmt_task_sys_abi(enum mmt_task_abi abi)
{
	return abi == MMT_TASK_X86_64 ? MMT_ABI_X86_64 : MMT_ABI_I386;
}

/* ------------------------------------------------------- slab objects */

int mm_slab_alloc(struct mmt_machine *m, const char *cache, uint64_t *addr)
{
	struct mmt_kmem_cache *s = mmt_kmem_cache_find(m, cache);

	MMT_BUG_ON(!s);
	return mmt_kmem_cache_alloc(m, s, MMT_GFP_KERNEL, addr);
}

void mm_slab_free(struct mmt_machine *m, const char *cache, uint64_t addr)
{
	struct mmt_kmem_cache *s = mmt_kmem_cache_find(m, cache);

	MMT_BUG_ON(!s);
	if (mmt_kmem_cache_free(m, s, addr))
		MMT_BUG("%s object %#llx was not allocated", cache,
			(unsigned long long)addr);
}

/* -------------------------------------------------------------- files */

struct mmt_file *mmt_file_get(struct mmt_file *f)
{
	f->refcount++;
	return f;
}

void mmt_file_put(struct mmt_file *f)
{
	MMT_BUG_ON(f->refcount == 0);
	if (--f->refcount)
		return;
	if (f->acct_pages && f->acct_m->tasks) {	/* shmem_evict_inode:
							 * shmem_unacct_size */
		vm_unacct_memory(f->acct_m, f->acct_pages);
		f->acct_m->tasks->shmem_committed -= f->acct_pages;
	}
	if (f->mapping)
		mapping_put(f->mapping);
	free(f->path);
	mmt_free_poisoned(f, sizeof(*f));
}

static struct mmt_file *file_new(const char *path, unsigned major,
				 unsigned minor, uint64_t ino, uint64_t size)
{
	struct mmt_file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->path = strdup(path);
	if (!f->path) {
		free(f);
		return NULL;
	}
	f->major = major;
	f->minor = minor;
	f->ino = ino;
	f->size = size;
	f->regular = true;
	f->refcount = 1;
	return f;
}

struct mmt_file *shmem_zero_file(struct mmt_machine *m, uint64_t size)
{
	struct mmt_file *f = file_new("/dev/zero", 0, 1,
				      m->tasks->next_shmem_ino++, size);

	if (f) {
		f->deleted = true;
		f->shmem = true;
	}
	return f;
}

struct mmt_file *shmem_kernel_file_setup(const char *name, uint64_t size,
					  uint64_t ino)
{
	struct mmt_file *f = file_new(name, 0, 1, ino, size);

	if (f) {
		f->deleted = true;
		f->shmem = true;
	}
	return f;
}

/* ----------------------------------------------------------- the list */

int mmt_tasks_init(struct mmt_machine *m, char *err, size_t errlen)
{
	struct mmt_tasks *ts = calloc(1, sizeof(*ts));

	if (!ts) {
		snprintf(err, errlen, "tasks: out of host memory");
		return -1;
	}
	ts->sysctl.max_map_count = 65530;	/* DEFAULT_MAX_MAP_COUNT */
	ts->sysctl.mmap_min_addr = 4096;	/* this host's vm.mmap_min_addr */
	ts->sysctl.lsm_mmap_min_addr = 65536;	/* CONFIG_LSM_MMAP_MIN_ADDR */
	ts->sysctl.stack_guard_gap = 256 * PAGE;
	ts->sysctl.overcommit_ratio = 50;
	ts->sysctl.fault_around_pages = 16;	/* fault_around_bytes 64 KiB */
	ts->sysctl.ra_pages = 32;		/* VM_READAHEAD_PAGES */
	ts->sysctl.randomize_va_space = 2;
	/* CONFIG_ARCH_MMAP_RND_BITS (this host's /proc/sys/vm values) */
	ts->sysctl.mmap_rnd_bits = mmt_arch_is_64(m->cfg.arch) ? 28 : 8;
	ts->sysctl.mmap_rnd_compat_bits = 8;
	/* empty_zero_page: the first page of the kernel image's bss */
	ts->zero_pfn = (m->phys->kimage[3].start + PAGE - 1) >> MMT_PAGE_SHIFT;
	ts->next_shmem_ino = 1;
	ts->next_anon_vma = 1;
	mmt_rng_seed(&ts->exec_rng, m->cfg.seed ^ 0x65786563ULL); /* "exec" */
	m->tasks = ts;
	init_user_reserve(m);
	init_admin_reserve(m);
	if (kstacks_init(m)) {
		snprintf(err, errlen, "tasks: out of host memory");
		return -1;
	}
	return 0;
}

void mmt_tasks_exit(struct mmt_machine *m)
{
	if (!m->tasks)
		return;
	while (m->tasks->list)
		mmt_task_exit(m->tasks->list);
	lru_batches_free(m);
	kstacks_exit(m);
	free(m->tasks);
	m->tasks = NULL;
}

struct mmt_vm_sysctl *mmt_vm_sysctl(struct mmt_machine *m)
{
	return &m->tasks->sysctl;
}

uint64_t mmt_mmap_min_addr(const struct mmt_machine *m)
{
	const struct mmt_vm_sysctl *s = &m->tasks->sysctl;

	return s->mmap_min_addr > s->lsm_mmap_min_addr ? s->mmap_min_addr
						       : s->lsm_mmap_min_addr;
}

struct mmt_task *mmt_task_find(struct mmt_machine *m, int pid)
{
	for (struct mmt_task *t = m->tasks->list; t; t = t->next)
		if (t->pid == pid)
			return t;
	return NULL;
}

struct mmt_task *mmt_task_first(struct mmt_machine *m)
{
	return m->tasks->list;
}

struct mmt_task *mmt_task_current(struct mmt_machine *m)
{
	return m->tasks->current;
}

void mmt_task_set_current(struct mmt_machine *m, struct mmt_task *t)
{
	m->tasks->current = t;
}

/* alloc_pid(): the lowest free pid from 1 up (no wrap-around model). */
static int alloc_pid(struct mmt_machine *m)
{
	for (int pid = 1; pid < PID_MAX; pid++)
		if (!mmt_task_find(m, pid))
			return pid;
	return -1;
}

/* ---------------------------------------------------- create and exit */

static bool abi_possible(const struct mmt_machine *m, enum mmt_task_abi abi)
{
	if (mmt_arch_is_64(m->cfg.arch))
		return abi == MMT_TASK_X86_64 || abi == MMT_TASK_IA32;
	return abi == MMT_TASK_I386;
}

/* arch_rnd(): @bits of page-granular entropy, 0 without PF_RANDOMIZE. */
uint64_t mmt_task_arch_rnd(struct mmt_task *t, unsigned bits)
{
	if (!t->pf_randomize)
		return 0;
	return (mmt_rng_next(&t->m->tasks->exec_rng) &
		((1ULL << bits) - 1)) << MMT_PAGE_SHIFT;
}

/*
 * The mmap bases for task size @ts (arch_pick_mmap_base), @rnd the
 * arch_rnd() offset; with PF_RANDOMIZE the gap below the stack also
 * leaves room for the stack's randomisation (stack_maxrandom_size:
 * __STACK_RND_MASK pages, 0x7ff for a 32-bit task size, 0x3fffff).
 */
static void pick_mmap_base(const struct mmt_task *t, uint64_t ts, uint64_t rnd,
			   bool is32, uint64_t *base, uint64_t *legacy)
{
	struct mmt_machine *m = t->m;
	bool is_legacy = (t->personality & MMT_PER_ADDR_COMPAT_LAYOUT) ||
			 m->tasks->sysctl.legacy_va_layout;
	uint64_t stack_rnd = t->pf_randomize
			     ? (is32 ? 0x7ffULL : 0x3fffffULL) << MMT_PAGE_SHIFT
			     : 0;

	*legacy = ((ts / 3 + PAGE - 1) & MMT_PAGE_MASK) + rnd;
	*base = is_legacy ? *legacy
			  : mmt_mmap_base(ts, t->rlim[MMT_RLIMIT_STACK].cur,
					  stack_rnd, rnd);
}

void mmt_task_pick_mmap_layout(struct mmt_task *t)
{
	struct mmt_machine *m = t->m;
	struct mmt_mm *mm = t->mm;
	const struct mmt_vm_sysctl *sc = &m->tasks->sysctl;
	bool is_legacy = (t->personality & MMT_PER_ADDR_COMPAT_LAYOUT) ||
			 sc->legacy_va_layout;
	bool is64 = mmt_arch_is_64(m->cfg.arch);
	uint64_t ts64 = is64 ? m->layout.default_map_window
			     : m->layout.task_size;

	if (is_legacy)
		mm->flags &= ~MMT_MMF_TOPDOWN;
	else
		mm->flags |= MMT_MMF_TOPDOWN;
	pick_mmap_base(t, ts64, mmt_task_arch_rnd(t, sc->mmap_rnd_bits), !is64,
		       &mm->mmap_base, &mm->mmap_legacy_base);
	if (is64)
		pick_mmap_base(t, m->layout.compat_task_size,
			       mmt_task_arch_rnd(t, sc->mmap_rnd_compat_bits),
			       true, &mm->mmap_compat_base,
			       &mm->mmap_compat_legacy_base);
}

uint64_t exec_task_size(const struct mmt_machine *m, enum mmt_task_abi abi)
{
	if (abi == MMT_TASK_IA32)
		return m->layout.compat_task_size;
	return mmt_arch_is_64(m->cfg.arch) ? m->layout.task_size_max
					   : m->layout.task_size;
}

static void task_set_defaults(struct mmt_task *t)
{
	static const struct mmt_rlimit defaults[MMT_NR_RLIMITS] = {
		[MMT_RLIMIT_STACK] = { MB(8), MMT_RLIM_INFINITY },
		[MMT_RLIMIT_DATA] = { MMT_RLIM_INFINITY, MMT_RLIM_INFINITY },
		[MMT_RLIMIT_AS] = { MMT_RLIM_INFINITY, MMT_RLIM_INFINITY },
		[MMT_RLIMIT_MEMLOCK] = { MB(8), MB(8) },
	};

	memcpy(t->rlim, defaults, sizeof(defaults));
	snprintf(t->comm, sizeof(t->comm), "task%d", t->pid);
	t->personality = MMT_PER_ADDR_NO_RANDOMIZE;
}

/*
 * mm_update_next_owner(): another task of the machine still using @mm
 * becomes its owner; NULL if @t was the last user.
 */
static struct mmt_task *mm_next_owner(const struct mmt_task *t)
{
	for (struct mmt_task *o = t->m->tasks->list; o; o = o->next)
		if (o != t && o->mm == t->mm)
			return o;
	return NULL;
}

/* Undo what task_create_mm set up (any part may be missing). */
static void task_free(struct mmt_task *t)
{
	struct mmt_machine *m = t->m;

	if (t->user_free)
		t->user_free(t->user);
	if (t->mm && mm_private(t->mm)->mm_users > 1) {	/* mmput */
		struct mm_private *mp = mm_private(t->mm);

		mp->mm_users--;
		if (mp->owner == t)
			mp->owner = mm_next_owner(t);
		MMT_BUG_ON(!mp->owner);
		t->mm = NULL;
	}
	if (t->mm) {
		exit_mmap(t->mm);
		if (t->mm->pgd_pfn)
			mmt_pgd_free(m, t->mm->pgd_pfn);
		if (t->mm->kaddr)
			mm_slab_free(m, "mm_struct", t->mm->kaddr);
		mmt_free_poisoned(mm_private(t->mm), sizeof(struct mm_private));
	}
	for (unsigned i = 0; i < t->nr_fds; i++)
		if (t->fds[i].file)
			mmt_file_put(t->fds[i].file);
	free(t->fds);
	free_thread_stack(t);
	if (t->kaddr)
		mm_slab_free(m, "task_struct", t->kaddr);
	mmt_free_poisoned(t, sizeof(*t));
}

/*
 * mm_alloc() for execve (bprm_mm_init): a new, empty mm owned by @t but
 * not installed (t->mm is untouched): its mm_struct object and PGD.
 * NULL on -ENOMEM with nothing left behind.
 */
struct mmt_mm *exec_mm_alloc(struct mmt_task *t)
{
	struct mmt_machine *m = t->m;
	struct mm_private *mp = calloc(1, sizeof(*mp));

	if (!mp)
		return NULL;
	mp->owner = t;
	mp->mm_users = 1;
	mp->mm_rb = MMT_RB_ROOT;
	if (mm_slab_alloc(m, "mm_struct", &mp->mm.kaddr)) {
		free(mp);
		return NULL;
	}
	if (mmt_pgd_alloc(m, &mp->mm.pgd_pfn)) {
		mm_slab_free(m, "mm_struct", mp->mm.kaddr);
		free(mp);
		return NULL;
	}
	if (m->tasks->sysctl.pku) {	/* init_new_context() */
		mp->mm.pkey_allocation_map = 1;
		mp->mm.execute_only_pkey = -1;
	}
	return &mp->mm;
}

/* mmput() of an mm no task runs any more: its VMAs, pages, tables, PGD
 * and mm_struct.  The CPUs running it switch to init_mm (pgd_free). */
void exec_mm_free(struct mmt_mm *mm)
{
	struct mmt_machine *m = mm_machine(mm);

	exit_mmap(mm);
	mmt_pgd_free(m, mm->pgd_pfn);
	mm_slab_free(m, "mm_struct", mm->kaddr);
	mmt_free_poisoned(mm_private(mm), sizeof(struct mm_private));
}

void exec_mm_release(struct mmt_task *t, struct mmt_mm *old)
{
	struct mm_private *mp = mm_private(old);

	if (mp->mm_users <= 1) {
		exec_mm_free(old);
		return;
	}
	mp->mm_users--;
	if (mp->owner == t)
		for (struct mmt_task *o = t->m->tasks->list; o; o = o->next)
			if (o != t && o->mm == old) {
				mp->owner = o;
				break;
			}
	MMT_BUG_ON(mp->owner == t);
}

/* The objects of a new task in fork's order: task_struct, the kernel
 * stack (dup_task_struct), mm_struct, the PGD (mm_init). */
static int task_create_mm(struct mmt_task *t)
{
	struct mmt_machine *m = t->m;
	struct mm_private *mp = calloc(1, sizeof(*mp));
	int err;

	if (!mp)
		return -ENOMEM;
	t->mm = &mp->mm;
	mp->owner = t;
	mp->mm_users = 1;
	mp->mm_rb = MMT_RB_ROOT;
	err = mm_slab_alloc(m, "task_struct", &t->kaddr);
	if (!err)
		err = alloc_thread_stack(t);
	if (!err)
		err = mm_slab_alloc(m, "mm_struct", &t->mm->kaddr);
	if (!err)
		err = mmt_pgd_alloc(m, &t->mm->pgd_pfn);
	if (err)
		return err;
	t->mm->task_size = exec_task_size(m, t->abi);
	if (m->tasks->sysctl.pku) {	/* init_new_context() */
		t->mm->pkey_allocation_map = 1;
		t->mm->execute_only_pkey = -1;
	}
	mmt_task_pick_mmap_layout(t);
	return 0;
}

/* A task struct with a pid and the defaults, not yet on the list. */
static struct mmt_task *task_new(struct mmt_machine *m, enum mmt_task_abi abi,
				 int pid, int *error)
{
	struct mmt_task *t;

	*error = -EINVAL;
	if (!abi_possible(m, abi) || pid < 0 || pid >= PID_MAX)
		return NULL;
	*error = -EEXIST;
	if (pid && mmt_task_find(m, pid))
		return NULL;
	*error = -EAGAIN;
	if (!pid && (pid = alloc_pid(m)) < 0)
		return NULL;
	*error = -ENOMEM;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->m = m;
	t->pid = t->tgid = pid;
	t->abi = abi;
	task_set_defaults(t);
	return t;
}

/* Append @t to the machine's task list. */
static void task_link(struct mmt_task *t)
{
	struct mmt_task **pp;

	for (pp = &t->m->tasks->list; *pp; pp = &(*pp)->next)
		;
	*pp = t;
	if (t->m->tasks->last_pid < t->pid)
		t->m->tasks->last_pid = t->pid;
}

struct mmt_task *mmt_task_create(struct mmt_machine *m, enum mmt_task_abi abi,
				 int pid, int *error)
{
	struct mmt_task *t = task_new(m, abi, pid, error);

	if (!t)
		return NULL;
	*error = task_create_mm(t);
	if (*error) {
		task_free(t);
		return NULL;
	}
	task_link(t);
	return t;
}

struct mmt_task *mmt_task_create_thread(struct mmt_task *leader, int pid,
					int *error)
{
	struct mmt_task *t = task_new(leader->m, leader->abi, pid, error);

	if (!t)
		return NULL;
	t->tgid = leader->tgid;
	memcpy(t->comm, leader->comm, sizeof(t->comm));
	t->personality = leader->personality;
	mmt_task_copy_caps(t, leader);
	memcpy(t->rlim, leader->rlim, sizeof(t->rlim));
	t->cpu = leader->cpu;
	*error = mm_slab_alloc(t->m, "task_struct", &t->kaddr);
	if (!*error)
		*error = alloc_thread_stack(t);
	if (!*error && leader->nr_fds) {	/* CLONE_FILES: a copy here */
		t->fds = calloc(leader->nr_fds, sizeof(*t->fds));
		*error = t->fds ? 0 : -ENOMEM;
		for (unsigned i = 0; t->fds && i < leader->nr_fds; i++) {
			t->fds[i] = leader->fds[i];
			if (t->fds[i].file)
				mmt_file_get(t->fds[i].file);
		}
		t->nr_fds = t->fds ? leader->nr_fds : 0;
	}
	if (*error) {
		task_free(t);
		return NULL;
	}
	t->mm = leader->mm;		/* CLONE_VM */
	mm_private(t->mm)->mm_users++;
	task_link(t);
	return t;
}

void mmt_task_exit(struct mmt_task *t)
{
	struct mmt_machine *m = t->m;

	for (struct mmt_task **pp = &m->tasks->list; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	if (m->tasks->current == t)
		m->tasks->current = NULL;
	task_free(t);
}

/* ------------------------------------------------------------ the fds */

/*
 * The mmap rules of @f's file_operations, by the file system @path is on
 * (statfs f_type; ext2 and ext3 mounts share ext4's magic and driver):
 * ext4_file_operations and xfs_file_operations have get_unmapped_area =
 * thp_get_unmapped_area, FOP_MMAP_SYNC and an mmap_prepare/mmap that
 * refuses VM_SYNC on non-DAX inodes; fuse's and erofs' have the THP
 * get_unmapped_area only.  Anything else: generic_file_mmap's rules.
 */
static void file_set_fops(struct mmt_file *f, const char *path)
{
	struct statfs sf;

	if (statfs(path, &sf))
		return;
	switch ((unsigned long)sf.f_type) {
	case 0xef53:		/* EXT4_SUPER_MAGIC */
	case 0x58465342:	/* XFS_SUPER_MAGIC */
		f->mmap_sync = true;
		/* fall through */
	case 0x65735546:	/* FUSE_SUPER_MAGIC */
	case 0xe0f5e1e2:	/* EROFS_SUPER_MAGIC_V1 */
		f->thp_area = true;
		break;
	}
}

static struct mmt_file *file_from_stat(const char *path, int *error)
{
	struct stat st;
	struct mmt_file *f;

	if (stat(path, &st)) {
		*error = -errno;
		return NULL;
	}
	f = file_new(path, major(st.st_dev), minor(st.st_dev),
		     (uint64_t)st.st_ino, (uint64_t)st.st_size);
	if (!f) {
		*error = -ENOMEM;
		return NULL;
	}
	f->regular = S_ISREG(st.st_mode);
	if (f->regular)
		file_set_fops(f, path);
	return f;
}

struct mmt_file *exec_file_open(const char *path, int *error)
{
	return file_from_stat(path, error);
}

int mmt_task_fd_install_mode(struct mmt_task *t, int fd, const char *path,
			     unsigned f_mode)
{
	struct mmt_file *f;
	int err = 0;

	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	if ((unsigned)fd >= t->nr_fds) {
		unsigned n = (unsigned)fd + 1;
		struct mmt_fd *fds = realloc(t->fds, n * sizeof(*fds));

		if (!fds)
			return -ENOMEM;
		memset(fds + t->nr_fds, 0, (n - t->nr_fds) * sizeof(*fds));
		t->fds = fds;
		t->nr_fds = n;
	}
	f = file_from_stat(path, &err);
	if (!f)
		return err;
	if (t->fds[fd].file)
		mmt_file_put(t->fds[fd].file);
	t->fds[fd].file = f;
	t->fds[fd].f_mode = f_mode & (MMT_FMODE_READ | MMT_FMODE_WRITE);
	return 0;
}

int mmt_task_fd_install(struct mmt_task *t, int fd, const char *path)
{
	return mmt_task_fd_install_mode(t, fd, path, MMT_FMODE_READ);
}

/* --------------------------------------------------------- VMA readers */

const struct mmt_vma *mmt_find_vma(const struct mmt_mm *mm, uint64_t addr)
{
	return find_vma(mm, addr);
}

const struct mmt_vma *mmt_vma_first(const struct mmt_mm *mm)
{
	return vma_first(mm);
}

const struct mmt_vma *mmt_vma_next(const struct mmt_vma *vma)
{
	return vma_next(vma);
}

void mmt_vma_get_info(const struct mmt_vma *v, struct mmt_vma_info *o)
{
	o->vm_start = v->vm_start;
	o->vm_end = v->vm_end;
	o->vm_flags = v->vm_flags;
	o->vm_pgoff = v->vm_pgoff;
	o->vm_file = v->vm_file;
	o->anon_vma = v->anon_vma;
	o->anon_name = v->anon_name;
	o->special = v->vm_special;
	o->kaddr = v->kaddr;
}

/* ------------------------------------------------------------ seeding */

/* The special mappings x86 installs, by the name /proc prints. */
static const char *const special_names[] = {
	"[vdso]", "[vvar]", "[vvar_vclock]", "[uprobes]", NULL
};

static const char *special_name(const char *name)
{
	for (unsigned i = 0; special_names[i]; i++)
		if (!strcmp(name, special_names[i]))
			return special_names[i];
	return NULL;
}

/* smaps VmFlags mnemonics, bit by bit (show_smap_vma_flags, x86). */
static const struct { char code[3]; uint64_t flag; } vmflag_codes[] = {
	{ "rd", MMT_VM_READ }, { "wr", MMT_VM_WRITE }, { "ex", MMT_VM_EXEC },
	{ "sh", MMT_VM_SHARED }, { "mr", MMT_VM_MAYREAD },
	{ "mw", MMT_VM_MAYWRITE }, { "me", MMT_VM_MAYEXEC },
	{ "ms", MMT_VM_MAYSHARE }, { "gd", MMT_VM_GROWSDOWN },
	{ "pf", MMT_VM_PFNMAP }, { "gu", MMT_VM_MAYBE_GUARD },
	{ "lo", MMT_VM_LOCKED }, { "io", MMT_VM_IO },
	{ "sr", MMT_VM_SEQ_READ }, { "rr", MMT_VM_RAND_READ },
	{ "dc", MMT_VM_DONTCOPY }, { "de", MMT_VM_DONTEXPAND },
	{ "lf", MMT_VM_LOCKONFAULT }, { "ac", MMT_VM_ACCOUNT },
	{ "nr", MMT_VM_NORESERVE }, { "ht", MMT_VM_HUGETLB },
	{ "sf", MMT_VM_SYNC }, { "ar", MMT_VM_ARCH_1 },
	{ "wf", MMT_VM_WIPEONFORK }, { "dd", MMT_VM_DONTDUMP },
	{ "sd", MMT_VM_SOFTDIRTY }, { "mm", MMT_VM_MIXEDMAP },
	{ "hg", MMT_VM_HUGEPAGE }, { "nh", MMT_VM_NOHUGEPAGE },
	{ "mg", MMT_VM_MERGEABLE }, { "um", MMT_VM_UFFD_MISSING },
	{ "uw", MMT_VM_UFFD_WP }, { "ui", MMT_VM_UFFD_MINOR },
	{ "ss", MMT_VM_SHADOW_STACK }, { "dp", MMT_VM_DROPPABLE },
	{ "sl", MMT_VM_SEALED },
};

/* "rd wr mr ..." -> flags; -1 on an unknown code. */
static int parse_vmflags(const char *p, uint64_t *flags)
{
	*flags = 0;
	while (*p) {
		size_t i;

		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			return 0;
		for (i = 0; i < sizeof(vmflag_codes) / sizeof(vmflag_codes[0]);
		     i++)
			if (!strncmp(p, vmflag_codes[i].code, 2) &&
			    (p[2] == ' ' || p[2] == '\n' || !p[2]))
				break;
		if (i == sizeof(vmflag_codes) / sizeof(vmflag_codes[0]))
			return -1;
		*flags |= vmflag_codes[i].flag;
		p += 2;
	}
	return 0;
}

/* One /proc/PID/maps line, split. */
struct maps_line {
	uint64_t start, end, off, ino;
	unsigned major, minor;
	char perms[5];
	char name[4096];	/* unescaped; "" for none */
};

/* seq_path escapes '\n' as "\012": undo it. */
static void unescape_name(const char *in, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		if (in[i] == '\\' && i + 3 < n + 1 && !strncmp(in + i, "\\012", 4)) {
			out[o++] = '\n';
			i += 3;
		} else {
			out[o++] = in[i];
		}
	}
	out[o] = 0;
}

static int parse_maps_line(const char *line, size_t len, struct maps_line *l)
{
	unsigned long long s, e, off, ino;
	int n = 0;
	const char *name;

	if (sscanf(line, "%llx-%llx %4s %llx %x:%x %llu%n", &s, &e, l->perms,
		   &off, &l->major, &l->minor, &ino, &n) != 7 || n <= 0 ||
	    strlen(l->perms) != 4)
		return -1;
	l->start = s;
	l->end = e;
	l->off = off;
	l->ino = ino;
	name = line + n;
	while ((size_t)(name - line) < len && *name == ' ')
		name++;
	unescape_name(name, len - (size_t)(name - line), l->name,
		      sizeof(l->name));
	return 0;
}

/* What smaps says about the VMA starting at an address. */
struct smaps_entry {
	uint64_t start;
	uint64_t flags;
	bool has_flags;
	bool anon_pages;
};

struct seed_ctx {
	struct mmt_task *t;
	struct smaps_entry *sm;
	size_t nsm;
	struct mmt_file **files;	/* one per dev:inode, shared */
	size_t nfiles;
	bool saw_vsyscall;
	char *err;
	size_t errlen;
	unsigned lineno;
};

static int seed_fail(struct seed_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int seed_fail(struct seed_ctx *c, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->lineno)
		snprintf(c->err, c->errlen, "maps line %u: %s", c->lineno, msg);
	else
		snprintf(c->err, c->errlen, "%s", msg);
	return -1;
}

/* Read smaps into c->sm: each header's start, VmFlags, Anonymous. */
static int parse_smaps(struct seed_ctx *c, const char *text)
{
	const char *p = text;
	size_t cap = 0;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		unsigned long long s, e, kb;
		struct smaps_entry *cur = c->nsm ? &c->sm[c->nsm - 1] : NULL;

		if (sscanf(p, "%llx-%llx ", &s, &e) == 2 && len > 20 &&
		    isxdigit((unsigned char)p[0])) {
			if (c->nsm == cap) {
				size_t nc = cap ? cap * 2 : 64;
				void *n = realloc(c->sm, nc * sizeof(*c->sm));

				if (!n)
					return seed_fail(c, "out of host memory");
				c->sm = n;
				cap = nc;
			}
			c->sm[c->nsm++] = (struct smaps_entry){ .start = s };
		} else if (cur && !strncmp(p, "VmFlags:", 8)) {
			char buf[512];

			snprintf(buf, sizeof(buf), "%.*s", (int)(len - 8), p + 8);
			if (parse_vmflags(buf, &cur->flags))
				return seed_fail(c, "smaps: unknown VmFlags in "
						 "'%s'", buf);
			cur->has_flags = true;
		} else if (cur && sscanf(p, "Anonymous: %llu kB", &kb) == 1) {
			cur->anon_pages = kb > 0;
		}
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

static const struct smaps_entry *smaps_find(const struct seed_ctx *c,
					    uint64_t start)
{
	for (size_t i = 0; i < c->nsm; i++)
		if (c->sm[i].start == start)
			return &c->sm[i];
	return NULL;
}

/* The file a maps line names: shared per dev:inode, stat'd if it still
 * is the same file, else taken as printed. */
static struct mmt_file *seed_file(struct seed_ctx *c,
				  const struct maps_line *l)
{
	static const char deleted[] = " (deleted)";
	char path[4096];
	size_t n = strlen(l->name), dl = sizeof(deleted) - 1;
	bool del = n > dl && !strcmp(l->name + n - dl, deleted);
	struct mmt_file *f;
	struct stat st;
	void *grown;

	for (size_t i = 0; i < c->nfiles; i++)
		if (c->files[i]->ino == l->ino && c->files[i]->major == l->major &&
		    c->files[i]->minor == l->minor)
			return mmt_file_get(c->files[i]);
	snprintf(path, sizeof(path), "%.*s", (int)(del ? n - dl : n), l->name);
	f = file_new(path, l->major, l->minor, l->ino, 0);
	if (!f)
		return NULL;
	f->deleted = del;
	f->shmem = del && l->major == 0 && l->minor == 1;
	if (!del && !stat(path, &st) && (uint64_t)st.st_ino == l->ino &&
	    major(st.st_dev) == l->major && minor(st.st_dev) == l->minor) {
		f->size = (uint64_t)st.st_size;
		f->regular = S_ISREG(st.st_mode);
		if (f->regular)
			file_set_fops(f, path);
	}
	grown = realloc(c->files, (c->nfiles + 1) * sizeof(*c->files));
	if (!grown) {
		mmt_file_put(f);
		return NULL;
	}
	c->files = grown;
	c->files[c->nfiles++] = f;
	return mmt_file_get(f);
}

/* vm_flags from the permissions: what exec, mmap and the vDSO set. */
static uint64_t flags_from_perms(const struct maps_line *l, bool file,
				 const char *special)
{
	uint64_t f = (l->perms[0] == 'r' ? MMT_VM_READ : 0) |
		     (l->perms[1] == 'w' ? MMT_VM_WRITE : 0) |
		     (l->perms[2] == 'x' ? MMT_VM_EXEC : 0);

	if (special && strcmp(special, "[vdso]") && strcmp(special, "[uprobes]"))
		return f | MMT_VM_MAYREAD | MMT_VM_IO | MMT_VM_DONTDUMP |
		       MMT_VM_PFNMAP | MMT_VM_DONTEXPAND;	/* [vvar*] */
	f |= MMT_VM_MAYREAD | MMT_VM_MAYWRITE | MMT_VM_MAYEXEC;
	if (special)
		return f | MMT_VM_DONTEXPAND;
	if (l->perms[3] == 's') {
		f |= MMT_VM_MAYSHARE;
		if (f & MMT_VM_WRITE)
			f |= MMT_VM_SHARED;
		else
			f &= ~MMT_VM_MAYWRITE;	/* assume an O_RDONLY file */
	} else if (f & MMT_VM_WRITE) {
		f |= MMT_VM_ACCOUNT;
	}
	if (!strcmp(l->name, "[stack]"))
		f |= MMT_VM_GROWSDOWN;
	(void)file;
	return f;
}

/* One maps line into a VMA of c->t's mm. */
static int seed_line(struct seed_ctx *c, const struct maps_line *l)
{
	struct mmt_mm *mm = c->t->mm;
	const struct smaps_entry *sm = smaps_find(c, l->start);
	const char *special = NULL;
	struct mmt_vma *v, *last = vma_last(mm);
	bool file = l->name[0] == '/' && (l->major || l->minor || l->ino);

	if (!strcmp(l->name, "[vsyscall]")) {
		c->saw_vsyscall = true;
		return 0;
	}
	if (l->start >= l->end || (l->start | l->end) & ~MMT_PAGE_MASK)
		return seed_fail(c, "bad range %#llx-%#llx",
				 (unsigned long long)l->start,
				 (unsigned long long)l->end);
	if (last && l->start < last->vm_end)
		return seed_fail(c, "ranges overlap or are out of order");
	if (l->name[0] == '[' && strcmp(l->name, "[heap]") &&
	    strcmp(l->name, "[stack]") && strncmp(l->name, "[anon:", 6)) {
		special = special_name(l->name);
		if (!special)
			return seed_fail(c, "unknown special mapping '%s'",
					 l->name);
	}
	v = vm_area_alloc(mm);
	if (!v)
		return seed_fail(c, "out of memory");
	v->vm_start = l->start;
	v->vm_end = l->end;
	v->vm_special = special;
	v->seeded = true;
	v->vm_flags = sm && sm->has_flags ? sm->flags
					 : flags_from_perms(l, file, special);
	if (file) {
		v->vm_file = seed_file(c, l);
		if (!v->vm_file) {
			vm_area_free(v);
			return seed_fail(c, "out of memory");
		}
		v->vm_pgoff = l->off >> MMT_PAGE_SHIFT;
	} else {
		v->vm_pgoff = special ? 0 : l->start >> MMT_PAGE_SHIFT;
	}
	if (!strncmp(l->name, "[anon:", 6)) {
		size_t n = strlen(l->name);

		v->anon_name = strndup(l->name + 6, n > 7 ? n - 7 : 0);
	}
	if (sm && sm->anon_pages && anon_vma_attach_new(v)) {
		vm_area_free(v);
		return seed_fail(c, "out of memory");
	}
	vma_link(mm, v);
	return 0;
}

/* /proc/PID/stat: fields 26-28 and 45-51 into the mm. */
static int seed_stat(struct seed_ctx *c, const char *stat)
{
	const char *p = strrchr(stat, ')');
	unsigned long long v[53] = { 0 };
	struct mmt_mm *mm = c->t->mm;
	const char *lp = strchr(stat, '(');
	unsigned field = 3;

	if (!p || !lp || p < lp)
		return seed_fail(c, "stat: no '(comm)'");
	snprintf(c->t->comm, sizeof(c->t->comm), "%.*s", (int)(p - lp - 1),
		 lp + 1);
	p += 2;	/* ") " */
	while (*p && field < 53) {
		char *end;

		while (*p == ' ')
			p++;
		if (field == 3) {	/* the state letter */
			p++;
		} else {
			v[field] = strtoull(p, &end, 10);
			if (end == p)
				break;
			p = end;
		}
		field++;
	}
	if (field < 52)
		return seed_fail(c, "stat: %u fields, expected 52", field - 1);
	mm->start_code = v[26];
	mm->end_code = v[27];
	mm->start_stack = v[28];
	mm->start_data = v[45];
	mm->end_data = v[46];
	mm->start_brk = mm->brk = v[47];
	mm->arg_start = v[48];
	mm->arg_end = v[49];
	mm->env_start = v[50];
	mm->env_end = v[51];
	return 0;
}

/* Without stat: heap and stack bounds from the named lines. */
static void seed_bounds_from_names(struct mmt_mm *mm,
				   const struct maps_line *l)
{
	if (!strcmp(l->name, "[heap]")) {
		mm->start_brk = l->start;
		mm->brk = l->end;
	} else if (!strcmp(l->name, "[stack]")) {
		mm->start_stack = l->end - 16;
	}
}

/* Counters and accounting from the seeded VMAs (what the kernel's are). */
static void seed_counters(struct mmt_task *t)
{
	struct mmt_mm *mm = t->mm;

	mm->total_vm = mm->locked_vm = mm->data_vm = 0;
	mm->exec_vm = mm->stack_vm = 0;
	for (struct mmt_vma *v = vma_first(mm); v; v = vma_next(v)) {
		vm_stat_account(mm, v->vm_flags, (int64_t)vma_pages(v));
		if (v->vm_flags & MMT_VM_LOCKED)
			mm->locked_vm += vma_pages(v);
		if (v->vm_flags & MMT_VM_ACCOUNT)
			t->m->tasks->vm_committed_as += vma_pages(v);
	}
}

/* The names the model derives must be the ones the kernel printed. */
static int seed_check_names(struct seed_ctx *c, const struct maps_line *l)
{
	struct mmt_mm *mm = c->t->mm;
	struct mmt_vma *v = find_vma(mm, l->start);
	bool heap, stack;

	if (!v || v->vm_start != l->start || v->vm_file || v->vm_special)
		return 0;
	heap = v->vm_start < mm->brk && v->vm_end > mm->start_brk;
	stack = !heap && v->vm_start <= mm->start_stack &&
		v->vm_end >= mm->start_stack;
	if (heap != !strcmp(l->name, "[heap]") ||
	    stack != !strcmp(l->name, "[stack]"))
		return seed_fail(c, "'%s' disagrees with start_brk %#llx, brk "
				 "%#llx, start_stack %#llx", l->name[0] ?
				 l->name : "(no name)",
				 (unsigned long long)mm->start_brk,
				 (unsigned long long)mm->brk,
				 (unsigned long long)mm->start_stack);
	return 0;
}

/* Walk the maps text with @fn on every line. */
static int for_each_maps_line(struct seed_ctx *c, const char *maps,
			      int (*fn)(struct seed_ctx *,
					const struct maps_line *))
{
	struct maps_line *lp = malloc(sizeof(*lp));	/* 4 KiB name */
	const char *p = maps;
	int r = 0;

	if (!lp)
		return seed_fail(c, "out of host memory");
	c->lineno = 0;
	while (p && *p && !r) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		c->lineno++;
		if (len && parse_maps_line(p, len, lp))
			r = seed_fail(c, "not a /proc/PID/maps line: '%.*s'",
				      (int)(len > 80 ? 80 : len), p);
		else if (len)
			r = fn(c, lp);
		p = nl ? nl + 1 : NULL;
	}
	free(lp);
	c->lineno = 0;
	return r;
}

static int bounds_line(struct seed_ctx *c, const struct maps_line *l)
{
	seed_bounds_from_names(c->t->mm, l);
	return 0;
}

static int heap_end_line(struct seed_ctx *c, const struct maps_line *l)
{
	if (!strcmp(l->name, "[heap]"))
		c->t->mm->brk = l->end;
	return 0;
}

int mmt_task_seed(struct mmt_task *t, const char *maps, const char *smaps,
		  const char *stat, char *err, size_t errlen)
{
	struct seed_ctx c = { .t = t, .err = err, .errlen = errlen };
	int r;

	if (t->mm->map_count)
		return seed_fail(&c, "the task's mm is not empty");
	r = smaps ? parse_smaps(&c, smaps) : 0;
	if (!r && stat)
		r = seed_stat(&c, stat);
	if (!r)
		r = for_each_maps_line(&c, maps, stat ? heap_end_line
						      : bounds_line);
	if (!r)
		r = for_each_maps_line(&c, maps, seed_line);
	if (!r)
		r = for_each_maps_line(&c, maps, seed_check_names);
	if (!r && c.saw_vsyscall && t->abi != MMT_TASK_X86_64)
		r = seed_fail(&c, "[vsyscall] is shown for 64-bit tasks only, "
			      "this one is %s", mmt_task_abi_name(t->abi));
	for (size_t i = 0; i < c.nfiles; i++)
		mmt_file_put(c.files[i]);
	free(c.files);
	free(c.sm);
	if (r) {
		exit_mmap(t->mm);
		return -1;
	}
	seed_counters(t);
	return 0;
}

/* ---------------------------------------------------- seeding a pid */

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			size_t nc = cap ? cap * 2 : 16384;
			char *nb = realloc(buf, nc);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap = nc;
		}
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = 0;
	return buf;
}

/* "Max stack size  8388608  unlimited  bytes" */
static void parse_limit(const char *text, const char *label,
			struct mmt_rlimit *r)
{
	const char *p = strstr(text, label);
	char cur[32], max[32];

	if (!p || sscanf(p + strlen(label), " %31s %31s", cur, max) != 2)
		return;
	r->cur = strcmp(cur, "unlimited") ? strtoull(cur, NULL, 10)
					  : MMT_RLIM_INFINITY;
	r->max = strcmp(max, "unlimited") ? strtoull(max, NULL, 10)
					  : MMT_RLIM_INFINITY;
}

/*
 * The live process's pages (/proc/PID/pagemap, which shows PFNs and
 * the exclusive bit only to CAP_SYS_ADMIN; without them every present
 * anonymous page reads as the zero page), then VmHWM and VmPeak from
 * its status.  0, or -1 when pagemap cannot be read (nothing seeded).
 */
static int seed_pages(struct mmt_task *t, int pid, const char *status)
{
	uint64_t pm[512];
	char path[64];
	const char *p;
	int fd, err = 0;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	for (struct mmt_vma *v = (struct mmt_vma *)mmt_vma_first(t->mm);
	     v && !err; v = (struct mmt_vma *)mmt_vma_next(v)) {
		for (uint64_t a = v->vm_start; a < v->vm_end && !err;) {
			uint64_t n = (v->vm_end - a) >> MMT_PAGE_SHIFT;
			ssize_t got;

			if (n > 512)
				n = 512;
			got = pread(fd, pm, n * 8,
				    (off_t)((a >> MMT_PAGE_SHIFT) * 8));
			if (got <= 0)
				break;
			for (uint64_t i = 0; i < (uint64_t)got / 8 && !err; i++)
				err = mm_seed_page(v, a + i * PAGE, pm[i]);
			a += ((uint64_t)got / 8) * PAGE;
		}
	}
	close(fd);
	if (status && (p = strstr(status, "VmHWM:")))
		t->mm->hiwater_rss = strtoull(p + 6, NULL, 10) / 4;
	if (status && (p = strstr(status, "VmPeak:")))
		t->mm->hiwater_vm = strtoull(p + 7, NULL, 10) / 4;
	return err ? -1 : 0;
}

static void seed_limits(struct mmt_task *t, const char *limits)
{
	if (!limits)
		return;
	parse_limit(limits, "Max stack size", &t->rlim[MMT_RLIMIT_STACK]);
	parse_limit(limits, "Max data size", &t->rlim[MMT_RLIMIT_DATA]);
	parse_limit(limits, "Max address space", &t->rlim[MMT_RLIMIT_AS]);
	parse_limit(limits, "Max locked memory", &t->rlim[MMT_RLIMIT_MEMLOCK]);
}

/* CapEff bits 14 (CAP_IPC_LOCK), 15 (CAP_IPC_OWNER), 17 (CAP_SYS_RAWIO),
 * 21 (CAP_SYS_ADMIN). */
void mmt_task_copy_caps(struct mmt_task *to, const struct mmt_task *from)
{
	to->cap_sys_rawio = from->cap_sys_rawio;
	to->cap_ipc_lock = from->cap_ipc_lock;
	to->cap_ipc_owner = from->cap_ipc_owner;
	to->cap_sys_admin = from->cap_sys_admin;
	to->cap_sys_resource = from->cap_sys_resource;
}

void mmt_task_seed_caps(struct mmt_task *t, const char *status)
{
	const char *p = status ? strstr(status, "CapEff:") : NULL;
	unsigned long long caps;

	if (!p || sscanf(p + 7, " %llx", &caps) != 1)
		return;
	t->cap_ipc_lock = caps >> 14 & 1;
	t->cap_ipc_owner = caps >> 15 & 1;
	t->cap_sys_rawio = caps >> 17 & 1;
	t->cap_sys_admin = caps >> 21 & 1;
	t->cap_sys_resource = caps >> 24 & 1;
}

/* x86_64 if the maps show the gate VMA or an address above 4 GiB. */
static enum mmt_task_abi guess_abi(const struct mmt_machine *m,
				   const char *maps)
{
	const char *p = maps;

	if (!mmt_arch_is_64(m->cfg.arch))
		return MMT_TASK_I386;
	if (strstr(maps, "[vsyscall]"))
		return MMT_TASK_X86_64;
	while (p && *p) {
		unsigned long long e;

		if (sscanf(p, "%*x-%llx", &e) == 1 && e > 0x100000000ULL)
			return MMT_TASK_X86_64;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return MMT_TASK_IA32;
}

struct mmt_task *mmt_task_seed_pid(struct mmt_machine *m, int pid, char *err,
				   size_t errlen)
{
	static const char *const names[] = { "maps", "smaps", "stat", "limits",
					     "status", "personality" };
	char *text[6] = { 0 }, path[64];
	struct mmt_task *t = NULL;
	int e;

	for (unsigned i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", pid, names[i]);
		text[i] = read_text(path);
	}
	if (!text[0]) {
		snprintf(err, errlen, "cannot read /proc/%d/maps: %s", pid,
			 strerror(errno));
		goto out;
	}
	t = mmt_task_create(m, guess_abi(m, text[0]),
			    mmt_task_find(m, pid) ? 0 : pid, &e);
	if (!t) {
		snprintf(err, errlen, "cannot create a task: %s",
			 strerror(-e));
		goto out;
	}
	seed_limits(t, text[3]);
	mmt_task_seed_caps(t, text[4]);
	if (text[5])
		t->personality = (unsigned)strtoul(text[5], NULL, 16);
	mmt_task_pick_mmap_layout(t);
	if (mmt_task_seed(t, text[0], text[1], text[2], err, errlen)) {
		mmt_task_exit(t);
		t = NULL;
	} else if (seed_pages(t, pid, text[4])) {
		snprintf(err, errlen, "cannot seed the pages of %d from "
			 "/proc/%d/pagemap", pid, pid);
		mmt_task_exit(t);
		t = NULL;
	}
out:
	for (unsigned i = 0; i < 6; i++)
		free(text[i]);
	return t;
}
