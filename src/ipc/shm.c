// SPDX-License-Identifier: MIT
/*
 * ipc/shm.c - System V shared memory as Linux 6.18 runs it: newseg and
 * ksys_shmget (through ipcget: IPC_PRIVATE, keys, IPC_CREAT/IPC_EXCL),
 * do_shmat (SHM_RDONLY, SHM_EXEC, SHM_RND with SHMLBA, SHM_REMAP; the
 * mapping through do_mmap with an attach file whose VMAs keep nattch:
 * shm_open/shm_close), ksys_shmdt (the 6.x two loops), ksys_shmctl
 * (IPC_RMID, IPC_STAT, SHM_STAT(_ANY), IPC_INFO, SHM_INFO, IPC_SET,
 * SHM_LOCK/UNLOCK), the ipc(2) multiplexer of i386, and the ids of
 * ipc/util.c (ipc_idr_alloc: a cyclic idr below max(in_use * 3 / 2, 64),
 * the sequence bumped on wrap-around, id = seq * 32768 + idx).
 *
 * Modelled simplifications (each says what the kernel does):
 *   - One IPC namespace per machine (m->ipc), the init one; no sysctls
 *     (kernel.shmmax/shmall/shmmni have their defaults), no
 *     shm_rmid_forced, no exit_shm orphan bookkeeping (it matters only
 *     with shm_rmid_forced).
 *   - Credentials: every task is uid 0 / gid 0, so it is the creator and
 *     owner of every segment: the owner bits of the mode decide unless
 *     the task has CAP_IPC_OWNER (seeded tasks: CapEff; 'process' ones
 *     have no capabilities).  IPC_RMID, IPC_SET and SHM_LOCK's owner
 *     checks therefore always pass.
 *   - No user memory: shmctl's buffers are only tested for NULL
 *     (-EFAULT, as copy_to_user of NULL would fail); IPC_SET cannot read
 *     the new owner and mode, so it changes nothing.  No clock: atime,
 *     dtime and ctime stay 0.
 *   - Pages: the segment's shmem object has none yet (faults come
 *     later), so rss/swp are 0 and meminfo's Shmem does not count it.
 *     The size is charged to Committed_AS unless SHM_NORESERVE
 *     (shmem_acct_size); SHM_HUGETLB is -ENOMEM after its size check
 *     (no huge pages configured), as MAP_HUGETLB is.
 *   - Kernel objects: the shmid_kernel is a kmalloc-256 object (kvmalloc
 *     of ~224 bytes); the shmem inode, dentry and files are not.
 *   - The VMAs' lprid follows the mm's owner (fork runs shm_open in the
 *     parent, where the kernel's current is the parent).
 */
#include "ipc/shm_internal.h"
#include "base/bug.h"
#include "init/boot.h"
#include "mm/mm_syscall.h"
#include "mm/vma_internal.h"

#include <mmtwin/kalloc.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define PAGE		MMT_PAGE_SIZE
#define PAGE_ALIGN(x)	(((x) + PAGE - 1) & MMT_PAGE_MASK)
#define SHMMIN		1
#define SHMMNI		4096
#define SHMLBA		PAGE		/* x86, and COMPAT_SHMLBA */
#define IPCMNI		32768		/* ipc_mni without ipcmni_extend */
#define IPCMNI_SHIFT	15
#define IPCID_SEQ_MAX	(INT_MAX >> IPCMNI_SHIFT)
#define IPC_MIN_CYCLE	64		/* RADIX_TREE_MAP_SIZE */
#define SHMID_KERNEL_SIZE 224		/* sizeof(struct shmid_kernel) */

#define PROT_READ	0x1
#define PROT_WRITE	0x2
#define PROT_EXEC	0x4
#define MAP_SHARED	0x01
#define MAP_FIXED	0x10
#define S_IRUGO		0444
#define S_IWUGO		0222
#define S_IXUGO		0111
#define S_IRWXUGO	0777

/* ipc(2) sub-calls (include/uapi/linux/ipc.h) */
#define SHMAT		21
#define SHMDT		22
#define SHMGET		23
#define SHMCTL		24

/* struct shmid_kernel with its kern_ipc_perm */
struct shmid_kernel {
	int32_t key;
	int id;
	unsigned mode;
	unsigned seq;
	int idx;
	uint64_t segsz;
	unsigned long nattch;
	int cprid, lprid;
	unsigned uid, gid, cuid, cgid;
	bool noreserve;			/* VM_NORESERVE: not charged */
	struct mmt_file *shm_file;	/* the shmem object */
	uint64_t kaddr;			/* the kmalloc'd shmid_kernel */
};

/* The namespace: its shm limits and the ipc_ids of shm. */
struct mmt_ipc_ns {
	uint64_t shm_ctlmax, shm_ctlall, shm_tot;
	unsigned shm_ctlmni;
	uint64_t shm_locked;		/* pages SHM_LOCK'ed (one user) */
	/* ipc_ids: the idr (slots by index), its cyclic hint, counters */
	struct shmid_kernel **slot;
	int nslots;
	int idr_next, last_idx, max_idx;
	unsigned seq, in_use;
};

static struct mmt_ipc_ns *task_ns(const struct mmt_task *t)
{
	return t->m->ipc;
}

/* --------------------------------------------------------------- boot */

int mmt_ipc_init(struct mmt_machine *m, char *err, size_t errlen)
{
	struct mmt_ipc_ns *ns = calloc(1, sizeof(*ns));
	uint64_t ulong_max = mmt_arch_is_64(m->cfg.arch) ? UINT64_MAX
							 : UINT32_MAX;

	if (!ns) {
		snprintf(err, errlen, "ipc: out of host memory");
		return -1;
	}
	ns->shm_ctlmax = ulong_max - (1ULL << 24);	/* SHMMAX */
	ns->shm_ctlall = ulong_max - (1ULL << 24);	/* SHMALL */
	ns->shm_ctlmni = SHMMNI;
	ns->last_idx = -1;
	ns->max_idx = -1;
	m->ipc = ns;
	return 0;
}

static void shm_destroy(struct mmt_machine *m, struct shmid_kernel *shp);

/* shm_exit_ns(): every segment left goes (no task maps any any more). */
void mmt_ipc_exit(struct mmt_machine *m)
{
	struct mmt_ipc_ns *ns = m->ipc;

	if (!ns)
		return;
	for (int i = 0; i < ns->nslots; i++)
		if (ns->slot[i]) {
			MMT_BUG_ON(ns->slot[i]->nattch);
			shm_destroy(m, ns->slot[i]);
		}
	free(ns->slot);
	free(ns);
	m->ipc = NULL;
}

/* ---------------------------------------------------- ipc/util.c's ids */

static struct shmid_kernel *idr_find(const struct mmt_ipc_ns *ns, int idx)
{
	return idx >= 0 && idx < ns->nslots ? ns->slot[idx] : NULL;
}

/* idr_alloc_cyclic(idr, 0, @end): the first free index from the hint up,
 * else from 0; the hint moves past it.  -ENOSPC, -ENOMEM. */
static int idr_alloc_cyclic(struct mmt_ipc_ns *ns, int end)
{
	int idx = -1;

	for (int i = ns->idr_next; i < end && idx < 0; i++)
		if (!idr_find(ns, i))
			idx = i;
	for (int i = 0; i < end && idx < 0; i++)
		if (!idr_find(ns, i))
			idx = i;
	if (idx < 0)
		return -ENOSPC;
	if (idx >= ns->nslots) {
		int n = ns->nslots ? ns->nslots : IPC_MIN_CYCLE;
		struct shmid_kernel **s;

		while (n <= idx)
			n *= 2;
		s = realloc(ns->slot, (size_t)n * sizeof(*s));
		if (!s)
			return -ENOMEM;
		memset(s + ns->nslots, 0, (size_t)(n - ns->nslots) * sizeof(*s));
		ns->slot = s;
		ns->nslots = n;
	}
	ns->idr_next = idx + 1;
	return idx;
}

/* ipc_addid() with ipc_idr_alloc(): the index, or -ENOSPC/-ENOMEM. */
static int ipc_addid(struct mmt_ipc_ns *ns, struct shmid_kernel *shp,
		     unsigned limit)
{
	int max_idx, idx;

	if (limit > IPCMNI)
		limit = IPCMNI;
	if (ns->in_use >= limit)
		return -ENOSPC;
	max_idx = (int)(ns->in_use * 3 / 2);
	if (max_idx < IPC_MIN_CYCLE)
		max_idx = IPC_MIN_CYCLE;
	if (max_idx > IPCMNI)
		max_idx = IPCMNI;
	idx = idr_alloc_cyclic(ns, max_idx);
	if (idx < 0)
		return idx;
	if (idx <= ns->last_idx) {	/* wrapped: a new sequence */
		if (++ns->seq >= IPCID_SEQ_MAX)
			ns->seq = 0;
	}
	ns->last_idx = idx;
	shp->seq = ns->seq;
	shp->idx = idx;
	shp->id = (int)(shp->seq << IPCMNI_SHIFT) + idx;
	ns->slot[idx] = shp;
	ns->in_use++;
	if (idx > ns->max_idx)
		ns->max_idx = idx;
	return idx;
}

/* ipc_rmid(): the index is free again; max_idx drops to the next used. */
static void ipc_rmid(struct mmt_ipc_ns *ns, struct shmid_kernel *shp)
{
	int idx = shp->idx;

	MMT_BUG_ON(idr_find(ns, idx) != shp);
	ns->slot[idx] = NULL;
	ns->in_use--;
	if (idx == ns->max_idx) {
		do
			idx--;
		while (idx >= 0 && !idr_find(ns, idx));
		ns->max_idx = idx;
	}
}

/* ipc_obtain_object_idr() (@check: and ipc_checkid's sequence): the
 * segment of @id or NULL (-EINVAL for the callers). */
static struct shmid_kernel *shm_obtain_object(const struct mmt_ipc_ns *ns,
					      int id, bool check)
{
	struct shmid_kernel *shp = idr_find(ns, id & (IPCMNI - 1));

	if (shp && check && (unsigned)(id >> IPCMNI_SHIFT) != shp->seq)
		return NULL;
	return shp;
}

/* ipcperms(): true when @flag's access is refused.  Every task is uid 0,
 * the owner: the owner bits decide, CAP_IPC_OWNER overrides. */
static bool ipcperms(const struct mmt_task *t, const struct shmid_kernel *shp,
		     int flag)
{
	int requested = (flag >> 6) | (flag >> 3) | flag;
	int granted = (int)(shp->mode >> 6);

	return (requested & ~granted & 0007) && !t->cap_ipc_owner;
}

/* ----------------------------------------------------- the attach VMAs */

static struct shmid_kernel *vma_shm(const struct mmt_vma *vma)
{
	return vma->vm_file->private_data;
}

static bool shm_may_destroy(const struct shmid_kernel *shp)
{
	return shp->nattch == 0 && (shp->mode & MMT_SHM_DEST);
}

/* shm_open(): a new VMA of an attach (mmap, split, mremap, fork). */
static void shm_open(struct mmt_vma *vma)
{
	struct shmid_kernel *shp = vma_shm(vma);

	shp->nattch++;
	shp->lprid = mm_task(vma->vm_mm)->pid;
}

/* shm_close(): one VMA of an attach is gone; the last one of a removed
 * segment frees it. */
static void shm_close(struct mmt_vma *vma)
{
	struct shmid_kernel *shp = vma_shm(vma);

	MMT_BUG_ON(shp->nattch == 0);
	shp->lprid = mm_task(vma->vm_mm)->pid;
	shp->nattch--;
	if (shm_may_destroy(shp))
		shm_destroy(mm_machine(vma->vm_mm), shp);
}

int *shm_lprids_save(const struct mmt_machine *m, int *n)
{
	const struct mmt_ipc_ns *ns = m->ipc;
	int *v;

	*n = 0;
	if (!ns || !ns->nslots || !(v = calloc((size_t)ns->nslots,
					       sizeof(*v))))
		return NULL;
	for (int i = 0; i < ns->nslots; i++)
		v[i] = ns->slot[i] ? ns->slot[i]->lprid : 0;
	*n = ns->nslots;
	return v;
}

void shm_lprids_restore(struct mmt_machine *m, const int *saved, int n)
{
	struct mmt_ipc_ns *ns = m->ipc;

	for (int i = 0; ns && i < n && i < ns->nslots; i++)
		if (ns->slot[i])
			ns->slot[i]->lprid = saved[i];
}

static const struct mmt_vm_ops shm_vm_ops = {
	.open = shm_open,
	.close = shm_close,
};

/* ---------------------------------------------------- segments: newseg */

/* shm_destroy(): the id goes, the shmem object and the object are freed. */
static void shm_destroy(struct mmt_machine *m, struct shmid_kernel *shp)
{
	struct mmt_ipc_ns *ns = m->ipc;
	uint64_t pages = (shp->segsz + PAGE - 1) >> MMT_PAGE_SHIFT;

	ns->shm_tot -= pages;
	ipc_rmid(ns, shp);
	if (shp->mode & MMT_SHM_LOCKED)
		ns->shm_locked -= pages;	/* shmem_lock(file, 0) */
	mmt_file_put(shp->shm_file);	/* shmem_evict_inode unaccounts */
	if (mmt_kfree(m, shp->kaddr))
		MMT_BUG("shmid_kernel %#llx was not allocated",
			(unsigned long long)shp->kaddr);
	mmt_free_poisoned(shp, sizeof(*shp));
}

/* do_shm_rmid(): attached segments are marked and their key made
 * private; unattached ones go now. */
static void do_shm_rmid(struct mmt_machine *m, struct shmid_kernel *shp)
{
	if (shp->nattch) {
		shp->mode |= MMT_SHM_DEST;
		shp->key = MMT_IPC_PRIVATE;	/* ipc_set_key_private */
	} else {
		shm_destroy(m, shp);
	}
}

/* newseg(): the new id, or -EINVAL (size), -ENOSPC (limits), -ENOMEM. */
static int newseg(struct mmt_task *t, int32_t key, uint64_t size, int shmflg)
{
	struct mmt_machine *m = t->m;
	struct mmt_ipc_ns *ns = m->ipc;
	uint64_t numpages = (size + PAGE - 1) >> MMT_PAGE_SHIFT;
	struct shmid_kernel *shp;
	char name[16];
	int err;

	if (size < SHMMIN || size > ns->shm_ctlmax)
		return -EINVAL;
	if (numpages << MMT_PAGE_SHIFT < size)
		return -ENOSPC;
	if (ns->shm_tot + numpages < ns->shm_tot ||
	    ns->shm_tot + numpages > ns->shm_ctlall)
		return -ENOSPC;
	if (shmflg & MMT_SHM_HUGETLB) {
		/* hugetlb_file_setup() with an empty pool (no hugetlbfs) */
		mm_trace(t->mm, "shmget SHM_HUGETLB: no huge pages configured: "
			 "-ENOMEM");
		return -ENOMEM;
	}
	shp = calloc(1, sizeof(*shp));
	if (!shp)
		return -ENOMEM;
	if (mmt_kmalloc(m, SHMID_KERNEL_SIZE, MMT_GFP_KERNEL, &shp->kaddr)) {
		free(shp);
		return -ENOMEM;
	}
	shp->key = key;
	shp->mode = (unsigned)shmflg & S_IRWXUGO;
	shp->noreserve = (shmflg & MMT_SHM_NORESERVE) &&
			 m->tasks->sysctl.overcommit_memory != 2;
	shp->cprid = t->pid;
	shp->segsz = size;
	err = ipc_addid(ns, shp, ns->shm_ctlmni);
	if (err < 0)
		goto fail;
	/* shmem_kernel_file_setup("SYSV%08x"); the inode number becomes
	 * the id ("proc-ps tools use this") */
	snprintf(name, sizeof(name), "/SYSV%08x", (uint32_t)key);
	shp->shm_file = shmem_kernel_file_setup(name, size, (uint64_t)shp->id);
	if (!shp->shm_file) {
		ipc_rmid(ns, shp);
		err = -ENOMEM;
		goto fail;
	}
	/* shmem_acct_size(): the inode holds the charge until it goes */
	if (!shp->noreserve) {
		if (security_vm_enough_memory_mm(t->mm, numpages)) {
			mmt_file_put(shp->shm_file);
			ipc_rmid(ns, shp);
			err = -ENOMEM;
			goto fail;
		}
		shp->shm_file->acct_pages = numpages;
		shp->shm_file->acct_m = m;
		m->tasks->shmem_committed += numpages;
	}
	ns->shm_tot += numpages;
	mm_trace(t->mm, "shmget: new segment id %d key %#x size %#llx", shp->id,
		 (uint32_t)key, (unsigned long long)size);
	return shp->id;
fail:
	mmt_kfree(m, shp->kaddr);
	free(shp);
	return err;
}

int64_t mmt_ksys_shmget(struct mmt_task *t, int32_t key, uint64_t size,
			int shmflg)
{
	struct mmt_ipc_ns *ns = task_ns(t);
	struct shmid_kernel *shp = NULL;

	if (key == MMT_IPC_PRIVATE)		/* ipcget_new */
		return newseg(t, key, size, shmflg);
	/* ipcget_public: ipc_findkey (keys of removed segments are private) */
	for (int i = 0; i <= ns->max_idx && !shp; i++)
		if (ns->slot[i] && ns->slot[i]->key == key)
			shp = ns->slot[i];
	if (!shp)
		return shmflg & MMT_IPC_CREAT ? newseg(t, key, size, shmflg)
					      : -ENOENT;
	if ((shmflg & MMT_IPC_CREAT) && (shmflg & MMT_IPC_EXCL))
		return -EEXIST;
	if (shp->segsz < size)			/* shm_more_checks */
		return -EINVAL;
	if (ipcperms(t, shp, shmflg))		/* ipc_check_perms */
		return -EACCES;
	return shp->id;
}

/* -------------------------------------------------------------- shmat */

int64_t mmt_do_shmat(struct mmt_task *t, enum mmt_abi abi, int shmid,
		     uint64_t shmaddr, int shmflg, uint64_t *raddr)
{
	struct mmt_machine *m = t->m;
	uint64_t addr = shmaddr, flags = MAP_SHARED, prot, size;
	uint64_t word = mmt_arch_is_64(m->cfg.arch) ? UINT64_MAX : UINT32_MAX;
	struct shmid_kernel *shp;
	struct mmt_fd fd;
	int acc_mode;
	int64_t err;

	if (shmid < 0)
		return -EINVAL;
	if (addr) {
		if (addr & (SHMLBA - 1)) {
			if (!(shmflg & MMT_SHM_RND))
				return -EINVAL;	/* SHMLBA is PAGE_SIZE */
			addr &= ~(uint64_t)(SHMLBA - 1);
			if (!addr && (shmflg & MMT_SHM_REMAP))
				return -EINVAL;
		}
		flags |= MAP_FIXED;
	} else if (shmflg & MMT_SHM_REMAP) {
		return -EINVAL;
	}
	if (shmflg & MMT_SHM_RDONLY) {
		prot = PROT_READ;
		acc_mode = S_IRUGO;
		fd.f_mode = MMT_FMODE_READ;
	} else {
		prot = PROT_READ | PROT_WRITE;
		acc_mode = S_IRUGO | S_IWUGO;
		fd.f_mode = MMT_FMODE_READ | MMT_FMODE_WRITE;
	}
	if (shmflg & MMT_SHM_EXEC) {
		prot |= PROT_EXEC;
		acc_mode |= S_IXUGO;
	}
	shp = shm_obtain_object(task_ns(t), shmid, true);
	if (!shp)
		return -EINVAL;
	if (ipcperms(t, shp, acc_mode))
		return -EACCES;
	/* the attach pins the segment while it maps: nattch + 1 */
	shp->nattch++;
	size = shp->segsz;
	fd.file = shmem_kernel_file_setup(shp->shm_file->path, size,
					  shp->shm_file->ino);
	if (!fd.file) {
		err = -ENOMEM;
		goto out_nattch;
	}
	fd.file->vm_ops = &shm_vm_ops;	/* alloc_file_clone(shm_file_ops) */
	fd.file->private_data = shp;
	if (addr && !(shmflg & MMT_SHM_REMAP)) {
		err = -EINVAL;
		if (((addr + size) & word) < addr)
			goto out_fput;
		if (find_vma_intersection(t->mm, addr, addr + size))
			goto out_fput;
	}
	err = do_mmap(t, abi, &fd, addr, size, prot, flags, 0);
	if (err >= 0) {
		*raddr = (uint64_t)err;
		err = 0;
	}
out_fput:
	mmt_file_put(fd.file);	/* the VMAs hold their own references */
out_nattch:
	shp->nattch--;
	if (shm_may_destroy(shp))
		shm_destroy(m, shp);
	return err;
}

/* -------------------------------------------------------------- shmdt */

/* Is @vma a piece of an attach at @addr: shm_vm_ops and the offset the
 * piece would have if the attach began at @addr? */
static bool shm_piece_at(const struct mmt_vma *vma, uint64_t addr,
			 uint64_t word)
{
	return vma_vm_ops(vma) == &shm_vm_ops &&
	       ((vma->vm_start - addr) & word) / PAGE == vma->vm_pgoff;
}

int64_t mmt_ksys_shmdt(struct mmt_task *t, uint64_t addr)
{
	struct mmt_mm *mm = t->mm;
	uint64_t word = mmt_arch_is_64(t->m->cfg.arch) ? UINT64_MAX : UINT32_MAX;
	struct mmt_file *file = NULL;
	struct mmt_vma *vma, *next;
	uint64_t size = 0;
	int64_t retval = -EINVAL;

	if (addr & ~MMT_PAGE_MASK)
		return retval;
	/* the first piece at or above @addr that starts its attach there
	 * gives the segment (its file) and its size... */
	for (vma = find_vma(mm, addr); vma; vma = next) {
		next = vma_next(vma);
		if (shm_piece_at(vma, addr, word)) {
			file = mmt_file_get(vma->vm_file);
			size = file->size;
			do_vmi_align_munmap(mm, vma, vma->vm_start, vma->vm_end);
			retval = 0;
			vma = next;
			break;
		}
	}
	/* ...then every piece of the same attach within that size goes
	 * (errors, e.g. a sealed piece, are ignored as the kernel does) */
	size = PAGE_ALIGN(size);
	while (vma && (int64_t)((vma->vm_end - addr) & word) <= (int64_t)size) {
		next = vma_next(vma);
		if (shm_piece_at(vma, addr, word) && vma->vm_file == file)
			do_vmi_align_munmap(mm, vma, vma->vm_start, vma->vm_end);
		vma = next;
	}
	if (file)
		mmt_file_put(file);
	return retval;
}

/* ------------------------------------------------------------- shmctl */

static void fill_info(const struct shmid_kernel *shp, struct mmt_shm_info *o)
{
	*o = (struct mmt_shm_info){
		.key = shp->key, .id = shp->id, .mode = shp->mode,
		.segsz = shp->segsz, .cpid = shp->cprid, .lpid = shp->lprid,
		.nattch = shp->nattch, .uid = shp->uid, .gid = shp->gid,
		.cuid = shp->cuid, .cgid = shp->cgid, .kaddr = shp->kaddr,
	};
}

/* shmctl_stat(): IPC_STAT 0, SHM_STAT(_ANY) the id (@shmid an index). */
static int64_t shmctl_stat(struct mmt_task *t, int shmid, int cmd)
{
	bool by_idx = cmd == MMT_SHM_STAT || cmd == MMT_SHM_STAT_ANY;
	struct shmid_kernel *shp = shm_obtain_object(task_ns(t), shmid,
						     !by_idx);

	if (!shp)
		return -EINVAL;
	if (cmd != MMT_SHM_STAT_ANY && ipcperms(t, shp, S_IRUGO))
		return -EACCES;
	return cmd == MMT_IPC_STAT ? 0 : shp->id;
}

/* shmctl_do_lock(): SHM_LOCK charges the size to the user's locked
 * shm pages (user_shm_lock: RLIMIT_MEMLOCK unless CAP_IPC_LOCK). */
static int64_t shmctl_do_lock(struct mmt_task *t, int shmid, int cmd)
{
	struct mmt_ipc_ns *ns = task_ns(t);
	struct shmid_kernel *shp = shm_obtain_object(ns, shmid, true);
	uint64_t pages, limit;

	if (!shp)
		return -EINVAL;
	/* the owner test passes: every task is uid 0 */
	if (!t->cap_ipc_lock && cmd == MMT_SHM_LOCK &&
	    !t->rlim[MMT_RLIMIT_MEMLOCK].cur)
		return -EPERM;
	pages = (shp->segsz + PAGE - 1) >> MMT_PAGE_SHIFT;
	if (cmd == MMT_SHM_LOCK) {
		if (shp->mode & MMT_SHM_LOCKED)
			return 0;
		limit = t->rlim[MMT_RLIMIT_MEMLOCK].cur;
		if (limit != MMT_RLIM_INFINITY)
			limit >>= MMT_PAGE_SHIFT;
		if (ns->shm_locked + pages > limit && !t->cap_ipc_lock)
			return -ENOMEM;
		ns->shm_locked += pages;
		shp->mode |= MMT_SHM_LOCKED;
		return 0;
	}
	if (shp->mode & MMT_SHM_LOCKED) {
		ns->shm_locked -= pages;
		shp->mode &= ~(unsigned)MMT_SHM_LOCKED;
	}
	return 0;
}

int64_t mmt_ksys_shmctl(struct mmt_task *t, int shmid, int cmd, uint64_t buf,
			bool parse_version)
{
	struct shmid_kernel *shp;

	if (parse_version && (cmd & MMT_IPC_64))
		cmd ^= MMT_IPC_64;	/* ipc_parse_version() */
	if (cmd < 0 || shmid < 0)
		return -EINVAL;
	switch (cmd) {
	case MMT_IPC_INFO:
	case MMT_SHM_INFO: {
		/* shmctl_ipc_info / shmctl_shm_info: the highest index */
		int r = task_ns(t)->max_idx < 0 ? 0 : task_ns(t)->max_idx;

		return buf ? r : -EFAULT;
	}
	case MMT_SHM_STAT:
	case MMT_SHM_STAT_ANY:
	case MMT_IPC_STAT: {
		int64_t r = shmctl_stat(t, shmid, cmd);

		return r < 0 || buf ? r : -EFAULT;
	}
	case MMT_IPC_SET:
		if (!buf)
			return -EFAULT;		/* copy_shmid_from_user */
		/* the new perms are not readable (see top) */
		/* fall through */
	case MMT_IPC_RMID:
		shp = shm_obtain_object(task_ns(t), shmid, true);
		if (!shp)
			return -EINVAL;		/* ipcctl_obtain_check */
		if (cmd == MMT_IPC_RMID)
			do_shm_rmid(t->m, shp);
		return 0;
	case MMT_SHM_LOCK:
	case MMT_SHM_UNLOCK:
		return shmctl_do_lock(t, shmid, cmd);
	default:
		return -EINVAL;
	}
}

/* ------------------------------------------------------------- views */

int mmt_shm_info_at(const struct mmt_machine *m, int idx,
		    struct mmt_shm_info *out)
{
	const struct shmid_kernel *shp = m->ipc ? idr_find(m->ipc, idx) : NULL;

	if (!shp)
		return -ENOENT;
	fill_info(shp, out);
	return 0;
}

void mmt_shm_ns_info(const struct mmt_machine *m, struct mmt_shm_ns_info *out)
{
	const struct mmt_ipc_ns *ns = m->ipc;

	*out = (struct mmt_shm_ns_info){
		.shmmax = ns->shm_ctlmax, .shmall = ns->shm_ctlall,
		.shmmni = ns->shm_ctlmni, .used_ids = ns->in_use,
		.shm_tot = ns->shm_tot, .max_idx = ns->max_idx,
	};
}

void mmt_sysvipc_shm_print(const struct mmt_machine *m, FILE *out)
{
	bool wide = mmt_arch_is_64(m->cfg.arch);	/* BITS_PER_LONG */
	int sz = wide ? 21 : 10;

	if (wide)
		fprintf(out, "       key      shmid perms                  size  "
			"cpid  lpid nattch   uid   gid  cuid  cgid      atime      "
			"dtime      ctime                   rss                  "
			"swap\n");
	else
		fprintf(out, "       key      shmid perms       size  cpid  lpid "
			"nattch   uid   gid  cuid  cgid      atime      dtime      "
			"ctime        rss       swap\n");
	for (int i = 0; m->ipc && i <= m->ipc->max_idx; i++) {
		struct mmt_shm_info s;

		if (mmt_shm_info_at(m, i, &s))
			continue;
		/* sysvipc_shm_proc_show(); no clock: the times are 0 */
		fprintf(out, "%10d %10d  %4o %*llu %5u %5u  %5lu %5u %5u %5u "
			"%5u %10llu %10llu %10llu %*llu %*llu\n", s.key, s.id,
			s.mode, sz, (unsigned long long)s.segsz,
			(unsigned)s.cpid, (unsigned)s.lpid, s.nattch, s.uid,
			s.gid, s.cuid, s.cgid, 0ULL, 0ULL, 0ULL, sz,
			(unsigned long long)s.rss, sz,
			(unsigned long long)s.swap);
	}
}

/* --------------------------------------------------- the table's handlers */

/* The kernel's (compat) view of the ABI's unsigned long argument. */
int64_t mmt_sys_shmget(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);

	if (!t)
		return -ESRCH;
	return mmt_ksys_shmget(t, mm_sys_int(c, 0), mm_sys_arg(ctx, c, 1),
			       mm_sys_int(c, 2));
}

int64_t mmt_sys_shmat(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);
	uint64_t raddr = 0;
	int64_t err;

	if (!t)
		return -ESRCH;
	err = mmt_do_shmat(t, ctx->abi, mm_sys_int(c, 0), mm_sys_arg(ctx, c, 1),
			   mm_sys_int(c, 2), &raddr);
	return err ? err : (int64_t)raddr;
}

int64_t mmt_sys_shmdt(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);

	if (!t)
		return -ESRCH;
	return mmt_ksys_shmdt(t, mm_sys_arg(ctx, c, 0));
}

int64_t mmt_sys_shmctl(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);

	if (!t)
		return -ESRCH;
	/* sys_shmctl and compat_sys_shmctl: IPC_64, no version parsing */
	return mmt_ksys_shmctl(t, mm_sys_int(c, 0), mm_sys_int(c, 1),
			       mm_sys_arg(ctx, c, 2), false);
}

/*
 * ipc(call, first, second, third, ptr, fifth) of i386 (ksys_ipc, and
 * compat_ksys_ipc for ia32 tasks).  SHMAT puts the address at the user
 * pointer @third and answers 0: the model has no user memory, so the
 * address is reported in ctx->err ("raddr 0x...") and a NULL @third is
 * -EFAULT after the attach, as put_user() fails there.  Version 1 of
 * SHMAT (iBCS2) is -EINVAL; SHMCTL is the old entry (IPC_64 parsed).
 */
int64_t mmt_sys_ipc(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c)
{
	struct mmt_task *t = mm_sys_task(ctx);
	unsigned call = (uint32_t)c->args[0], version = call >> 16;
	int first = mm_sys_int(c, 1), second = mm_sys_int(c, 2);
	uint64_t third = mm_sys_arg(ctx, c, 3), ptr = mm_sys_arg(ctx, c, 4);
	uint64_t raddr = 0;
	int64_t err;

	if (!t)
		return -ESRCH;
	switch (call & 0xffff) {
	case SHMAT:
		if (version == 1)
			return -EINVAL;
		err = mmt_do_shmat(t, ctx->abi, first, ptr, second, &raddr);
		if (err)
			return err;
		if (!third)
			return -EFAULT;
		snprintf(ctx->err, sizeof(ctx->err), "raddr %#llx written to "
			 "%#llx", (unsigned long long)raddr,
			 (unsigned long long)third);
		return 0;
	case SHMDT:
		return mmt_ksys_shmdt(t, ptr);
	case SHMGET:
		return mmt_ksys_shmget(t, first, (uint32_t)second,
				       (int)(uint32_t)third);
	case SHMCTL:
		return mmt_ksys_shmctl(t, first, second, ptr, true);
	default:
		snprintf(ctx->err, sizeof(ctx->err), "ipc: semaphores and "
			 "message queues not modelled yet");
		return -ENOSYS;
	}
}
