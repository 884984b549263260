/* SPDX-License-Identifier: MIT */
/*
 * init/boot.h - the subsystems' boot and teardown hooks, private to the
 * library.  mmt_machine_new() (src/init/main.c) calls the inits in this
 * order, the kernel's: mm_init (memblock, zones, buddy), kern_init
 * (init_mm's page tables, the CPUs), kalloc_init (slab, kmap, per-CPU);
 * mmt_machine_free() calls the exits backwards.  Each init returns 0, or
 * -1 with a message in @err, leaving what it built for its exit to free.
 */
#ifndef MMT_INIT_BOOT_H
#define MMT_INIT_BOOT_H

#include <stddef.h>

struct mmt_machine;

int mmt_mm_init(struct mmt_machine *m, char *err, size_t errlen);
void mmt_mm_exit(struct mmt_machine *m);
int mmt_kern_init(struct mmt_machine *m, char *err, size_t errlen);
void mmt_kern_exit(struct mmt_machine *m);
int mmt_kalloc_init(struct mmt_machine *m, char *err, size_t errlen);
void mmt_kalloc_exit(struct mmt_machine *m);
/* The IPC namespace (ipc/shm.c: shm_init_ns); its exit, after the
 * tasks', frees the segments no task maps any more. */
int mmt_ipc_init(struct mmt_machine *m, char *err, size_t errlen);
void mmt_ipc_exit(struct mmt_machine *m);
/* The task list and vm sysctls (kernel/task.c); exit frees every task. */
int mmt_tasks_init(struct mmt_machine *m, char *err, size_t errlen);
void mmt_tasks_exit(struct mmt_machine *m);

#endif
