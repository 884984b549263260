/* SPDX-License-Identifier: MIT */
/*
 * ipc/shm_internal.h - the syscall table's SysV shm handlers.  Not public API (include/mmtwin/shm.h is).
 */
#ifndef MMT_IPC_SHM_INTERNAL_H
#define MMT_IPC_SHM_INTERNAL_H

#include <mmtwin/shm.h>

int64_t mmt_sys_shmget(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c);
int64_t mmt_sys_shmat(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c);
int64_t mmt_sys_shmdt(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c);
int64_t mmt_sys_shmctl(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c);
/* i386 ipc(2): the SHM* sub-calls; the sem and msg ones -ENOSYS. */
int64_t mmt_sys_ipc(struct mmt_sys_ctx *ctx, const struct mmt_sys_call *c);

/* The lprid of every segment (by idr slot; *n of them, NULL: none) and
 * their return: a what-if copy's attaches and detaches (mmt_trial_end)
 * are not the process's. */
int *shm_lprids_save(const struct mmt_machine *m, int *n);
void shm_lprids_restore(struct mmt_machine *m, const int *saved, int n);

#endif
