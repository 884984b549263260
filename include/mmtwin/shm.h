/* SPDX-License-Identifier: MIT */
/*
 * mmtwin/shm.h - System V shared memory (ipc/shm.c of Linux 6.18):
 * shmget, shmat, shmdt, shmctl on a machine's IPC namespace.
 *
 *   machine ─► m->ipc (one IPC namespace, the init one)
 *               └─ shm ids: idx 0..32767 (idr, cyclic), id = seq * 32768 + idx
 *                   segment ─► shm_file: shmem object "/SYSV%08x" (the key),
 *                   │          deleted, dev 00:01, inode = the shmid
 *                   └─ nattch: the VMAs mapping it (shm_open/shm_close)
 *
 *   shmat ─► an attach file (the segment's identity, shm_vm_ops) ─► do_mmap
 *            MAP_SHARED [|MAP_FIXED]; every VMA of it (splits, mremap, fork)
 *            counts in nattch; IPC_RMID marks SHM_DEST and makes the key
 *            private; the last detach of a marked segment frees it.
 *
 * Credentials: the model's tasks all run as uid 0 / gid 0, the creator and
 * owner of every segment; the permission bits (owner class) are checked
 * unless the task has CAP_IPC_OWNER (seeded tasks: from CapEff).
 */
#ifndef MMTWIN_SHM_H
#define MMTWIN_SHM_H

#ifdef __cplusplus
extern "C" {
#endif

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "syscall.h"

struct mmt_machine;
struct mmt_task;

/* uapi/linux/ipc.h, uapi/linux/shm.h */
#define MMT_IPC_PRIVATE		0
#define MMT_IPC_CREAT		01000
#define MMT_IPC_EXCL		02000
#define MMT_IPC_RMID		0
#define MMT_IPC_SET		1
#define MMT_IPC_STAT		2
#define MMT_IPC_INFO		3
#define MMT_IPC_64		0x0100
#define MMT_SHM_HUGETLB		04000
#define MMT_SHM_NORESERVE	010000
#define MMT_SHM_RDONLY		010000
#define MMT_SHM_RND		020000
#define MMT_SHM_REMAP		040000
#define MMT_SHM_EXEC		0100000
#define MMT_SHM_LOCK		11
#define MMT_SHM_UNLOCK		12
#define MMT_SHM_STAT		13
#define MMT_SHM_INFO		14
#define MMT_SHM_STAT_ANY	15
#define MMT_SHM_DEST		01000	/* mode: destroyed on last detach */
#define MMT_SHM_LOCKED		02000	/* mode: SHM_LOCK'ed */

/* One segment as /proc/sysvipc/shm shows it. */
struct mmt_shm_info {
	int32_t key;
	int id;
	unsigned mode;		/* permission bits | SHM_DEST | SHM_LOCKED */
	uint64_t segsz;		/* bytes, as asked */
	int cpid, lpid;
	unsigned long nattch;
	unsigned uid, gid, cuid, cgid;
	uint64_t rss, swap;	/* bytes resident (0 until faults exist) */
	uint64_t kaddr;		/* the modelled shmid_kernel object */
};

/* The namespace's totals (shmctl IPC_INFO / SHM_INFO). */
struct mmt_shm_ns_info {
	uint64_t shmmax, shmall;	/* kernel.shmmax (bytes), shmall (pages) */
	unsigned shmmni;		/* kernel.shmmni */
	unsigned used_ids;
	uint64_t shm_tot;		/* pages of every segment */
	int max_idx;			/* highest index in use, -1: none */
};

/* The segment at index @idx (0..32767): 0, or -ENOENT when unused. */
int mmt_shm_info_at(const struct mmt_machine *m, int idx,
		    struct mmt_shm_info *out);
void mmt_shm_ns_info(const struct mmt_machine *m, struct mmt_shm_ns_info *out);

/*
 * The system calls, each the syscall's value or a negative errno.
 * @abi is the call's ABI (an i386 call of an ia32 task places with the
 * compat bases).  The model has no user memory: a buffer argument (@buf)
 * is only tested for NULL (-EFAULT), nothing is copied in or out.
 */
int64_t mmt_ksys_shmget(struct mmt_task *t, int32_t key, uint64_t size,
			int shmflg);
/* do_shmat(): 0 and *@raddr the address, or a negative errno. */
int64_t mmt_do_shmat(struct mmt_task *t, enum mmt_abi abi, int shmid,
		     uint64_t shmaddr, int shmflg, uint64_t *raddr);
int64_t mmt_ksys_shmdt(struct mmt_task *t, uint64_t shmaddr);
/* @parse_version: the old entry (ipc(SHMCTL)): IPC_64 is split off @cmd;
 * the direct shmctl syscalls take @cmd as is. */
int64_t mmt_ksys_shmctl(struct mmt_task *t, int shmid, int cmd, uint64_t buf,
			bool parse_version);

/* /proc/sysvipc/shm, byte for byte (the 64-bit or 32-bit kernel's widths). */
void mmt_sysvipc_shm_print(const struct mmt_machine *m, FILE *out);

#ifdef __cplusplus
}
#endif

#endif
