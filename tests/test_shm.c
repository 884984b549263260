// SPDX-License-Identifier: MIT
/*
 * SysV shared memory (src/ipc/shm.c): the segments' lifecycle and nattch
 * through splits, munmap, mremap and shmdt, every segment and object
 * freed at the end (slabinfo, buddyinfo and Committed_AS as before), the
 * ids as ipc_idr_alloc hands them out, the limits and permission errors,
 * the i386 ipc() multiplexer, and /proc/sysvipc/shm's layout against the
 * host kernel's own file.  The live comparison of the calls themselves is
 * tests/live/steps/10-shm.txt (test_live_diff.c).
 */
#include "test.h"

#include "mm/vma_internal.h"

#include <mmtwin/shm.h>
#include <mmtwin/views.h>

#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#define PAGE 4096ULL
#define RW (MMT_IPC_CREAT | 0600)

static struct mmt_task *new_task(struct mmt_machine *m, enum mmt_task_abi abi)
{
	int err;
	struct mmt_task *t = mmt_task_create(m, abi, 0, &err);

	CHECK(t != NULL);
	return t;
}

static unsigned long nattch(struct mmt_machine *m, int id)
{
	struct mmt_shm_info s;

	if (mmt_shm_info_at(m, id & 32767, &s) || s.id != id)
		return (unsigned long)-1;	/* gone */
	return s.nattch;
}

static char *view(struct mmt_machine *m, const char *name)
{
	char *s = NULL, err[256];
	size_t n;
	FILE *f = open_memstream(&s, &n);

	CHECK_EQ(mmt_view_print(m, name, f, MMT_FMT_TEXT, err, sizeof(err)), 0);
	fclose(f);
	return s;
}

/*
 * Three segments attached, split, partly unmapped, moved, removed while
 * attached and detached: nattch counts the VMAs at every step, and at the
 * end slabinfo, buddyinfo and Committed_AS are what they were before.
 */
TEST(shm_lifecycle_frees_everything)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct mmt_task *t;
	struct mmt_shm_ns_info ni;
	char *s0, *b0, *s1, *b1, err[256];
	uint64_t a, b, c, committed = m->tasks->vm_committed_as;
	int64_t id1, id2, id3;

	/* fill the per-CPU cache of two kernel stacks first: it stays */
	mmt_task_exit(new_task(m, MMT_TASK_X86_64));
	mmt_task_exit(new_task(m, MMT_TASK_X86_64));
	mmt_kmem_cache_shrink(m, mmt_kmem_cache_find(m, "mm_struct"));
	mmt_kmem_cache_shrink(m, mmt_kmem_cache_find(m, "task_struct"));
	mmt_drain_all_pages(m);
	s0 = view(m, "slabinfo");
	b0 = view(m, "buddyinfo");
	t = new_task(m, MMT_TASK_X86_64);
	/* 0700: SHM_EXEC needs the x bit without CAP_IPC_OWNER */
	id1 = mmt_ksys_shmget(t, MMT_IPC_PRIVATE, 4 * PAGE, MMT_IPC_CREAT | 0700);
	id2 = mmt_ksys_shmget(t, 0x1234, 2 * PAGE + 1, RW);
	id3 = mmt_ksys_shmget(t, MMT_IPC_PRIVATE, PAGE,
			      RW | MMT_SHM_NORESERVE);
	CHECK_EQ(id1, 0);
	CHECK_EQ(id2, 1);
	CHECK_EQ(id3, 2);
	/* 4 + 3 pages charged (shmem_acct_size), the NORESERVE one not */
	CHECK_EQ(m->tasks->vm_committed_as, committed + 7);
	CHECK_EQ(mmt_do_shmat(t, MMT_ABI_X86_64, (int)id1, 0, 0, &a), 0);
	CHECK_EQ(mmt_do_shmat(t, MMT_ABI_X86_64, (int)id2, 0, MMT_SHM_RDONLY,
			      &b), 0);
	CHECK_EQ(mmt_do_shmat(t, MMT_ABI_X86_64, (int)id1, 0, MMT_SHM_EXEC, &c),
		 0);
	CHECK_EQ(a, 0x7ffff7ffb000ULL);		/* top-down below mmap_base */
	CHECK_EQ(b, 0x7ffff7ff8000ULL);		/* 3 pages: PAGE_ALIGN(size) */
	CHECK_EQ(c, 0x7ffff7ff4000ULL);
	CHECK_EQ(nattch(m, (int)id1), 2);
	CHECK_EQ(t->mm->map_count, 3);		/* attaches never merge */
	/* split id1's first attach in three: 3 VMAs, 4 attaches */
	CHECK_EQ(mmt_do_mprotect_pkey(t, a + PAGE, PAGE, 1, -1), 0);
	CHECK_EQ(nattch(m, (int)id1), 4);
	/* back to rw: the middle piece could merge on both sides, but a VMA
	 * with vm_ops->close is never deleted by a merge */
	CHECK_EQ(mmt_do_mprotect_pkey(t, a + PAGE, PAGE, 3, -1), 0);
	CHECK_EQ(nattch(m, (int)id1), 4);
	CHECK_EQ(t->mm->map_count, 5);
	CHECK_EQ(mmt_machine_check(m, err, sizeof(err)), 0);
	/* munmap of the last piece: one attach fewer */
	CHECK_EQ(mmt_vm_munmap(t, a + 2 * PAGE, 2 * PAGE), 0);
	CHECK_EQ(nattch(m, (int)id1), 3);
	/* mremap moves the exec attach: still one */
	CHECK_EQ(mmt_do_mremap(t, MMT_ABI_X86_64, c, 4 * PAGE, 4 * PAGE, 3,
			       0x10000000), 0x10000000);
	CHECK_EQ(nattch(m, (int)id1), 3);
	/* IPC_RMID while attached: marked, key private, still attachable */
	CHECK_EQ(mmt_ksys_shmctl(t, (int)id2, MMT_IPC_RMID, 0, false), 0);
	CHECK_EQ(mmt_ksys_shmget(t, 0x1234, PAGE, 0), -ENOENT);
	CHECK_EQ(nattch(m, (int)id2), 1);
	CHECK_EQ(mmt_ksys_shmctl(t, (int)id1, MMT_IPC_RMID, 0, false), 0);
	CHECK_EQ(mmt_ksys_shmctl(t, (int)id3, MMT_IPC_RMID, 0, false), 0);
	CHECK_EQ(nattch(m, (int)id3), (unsigned long)-1);	/* freed now */
	/* detach: id1's first attach (two pieces), then the moved one */
	CHECK_EQ(mmt_ksys_shmdt(t, a), 0);
	CHECK_EQ(nattch(m, (int)id1), 1);
	CHECK_EQ(mmt_ksys_shmdt(t, a), -EINVAL);
	CHECK_EQ(mmt_ksys_shmdt(t, 0x10000000), 0);
	CHECK_EQ(nattch(m, (int)id1), (unsigned long)-1);
	CHECK_EQ(mmt_do_shmat(t, MMT_ABI_X86_64, (int)id1, 0, 0, &a), -EINVAL);
	CHECK_EQ(mmt_ksys_shmdt(t, b), 0);
	CHECK_EQ(nattch(m, (int)id2), (unsigned long)-1);
	CHECK_EQ(t->mm->map_count, 0);
	mmt_shm_ns_info(m, &ni);
	CHECK_EQ(ni.used_ids, 0);
	CHECK_EQ(ni.shm_tot, 0);
	CHECK_EQ(ni.max_idx, -1);
	CHECK_EQ(m->tasks->vm_committed_as, committed);
	CHECK_EQ(mmt_machine_check(m, err, sizeof(err)), 0);
	mmt_task_exit(t);
	mmt_kmem_cache_shrink(m, mmt_kmem_cache_find(m, "vm_area_struct"));
	mmt_kmem_cache_shrink(m, mmt_kmem_cache_find(m, "mm_struct"));
	mmt_kmem_cache_shrink(m, mmt_kmem_cache_find(m, "task_struct"));
	CHECK(mmt_kmem_cache_shrink(m, mmt_kmem_cache_find(m, "kmalloc-256")) > 0);
	mmt_drain_all_pages(m);
	s1 = view(m, "slabinfo");
	b1 = view(m, "buddyinfo");
	CHECK_STR(s1, s0);
	CHECK_STR(b1, b0);
	free(s0);
	free(s1);
	free(b0);
	free(b1);
	mmt_machine_free(m);
}

/* Segments still attached when the task exits go with its VMAs (if
 * removed) or stay (not removed) until the machine goes: no leak either
 * way (the sanitizer build checks the host side). */
TEST(shm_exit_detaches)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct mmt_task *t = new_task(m, MMT_TASK_X86_64);
	uint64_t a;
	int id1 = (int)mmt_ksys_shmget(t, MMT_IPC_PRIVATE, PAGE, RW);
	int id2 = (int)mmt_ksys_shmget(t, MMT_IPC_PRIVATE, PAGE, RW);

	CHECK_EQ(mmt_do_shmat(t, MMT_ABI_X86_64, id1, 0, 0, &a), 0);
	CHECK_EQ(mmt_do_shmat(t, MMT_ABI_X86_64, id2, 0, 0, &a), 0);
	CHECK_EQ(mmt_ksys_shmctl(t, id1, MMT_IPC_RMID, 0, false), 0);
	mmt_task_exit(t);
	CHECK_EQ(nattch(m, id1), (unsigned long)-1);
	CHECK_EQ(nattch(m, id2), 0);
	mmt_machine_free(m);
}

/* ipc_idr_alloc: cyclic indexes below max(in_use * 3 / 2, 64), and the
 * sequence number grows when the index wraps. */
TEST(shm_ids_follow_ipc_idr)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct mmt_task *t = new_task(m, MMT_TASK_X86_64);
	int64_t id;

	for (int i = 0; i < 64; i++) {
		id = mmt_ksys_shmget(t, MMT_IPC_PRIVATE, PAGE, RW);
		CHECK_EQ(id, i);	/* a removed index is not reused yet */
		CHECK_EQ(mmt_ksys_shmctl(t, (int)id, MMT_IPC_RMID, 0, false), 0);
	}
	id = mmt_ksys_shmget(t, MMT_IPC_PRIVATE, PAGE, RW);
	CHECK_EQ(id, 32768);		/* wrapped to 0: seq 1 */
	CHECK_EQ(mmt_ksys_shmctl(t, 0, MMT_IPC_RMID, 0, false), -EINVAL);
	/* SHM_STAT looks up the index only (ipc_obtain_object_idr) */
	CHECK_EQ(mmt_ksys_shmctl(t, (int)id, MMT_SHM_STAT, 1, false), 32768);
	CHECK_EQ(mmt_ksys_shmctl(t, 1, MMT_SHM_STAT, 1, false), -EINVAL);
	CHECK_EQ(mmt_ksys_shmctl(t, 0, MMT_SHM_STAT, 1, false), 32768);
	CHECK_EQ(mmt_ksys_shmctl(t, (int)id, MMT_IPC_STAT, 1, false), 0);
	CHECK_EQ(mmt_ksys_shmctl(t, 0, MMT_IPC_INFO, 1, false), 0);
	CHECK_EQ(mmt_ksys_shmget(t, MMT_IPC_PRIVATE, PAGE, RW), 32769);
	CHECK_EQ(mmt_ksys_shmctl(t, 0, MMT_SHM_INFO, 1, false), 1);
	CHECK_EQ(mmt_ksys_shmctl(t, 0, MMT_SHM_INFO, 0, false), -EFAULT);
	/* the direct call takes IPC_64 as part of cmd; ipc()'s parses it */
	CHECK_EQ(mmt_ksys_shmctl(t, (int)id, MMT_IPC_64 | MMT_IPC_RMID, 0,
				 false), -EINVAL);
	CHECK_EQ(mmt_ksys_shmctl(t, (int)id, MMT_IPC_64 | MMT_IPC_RMID, 0,
				 true), 0);
	mmt_machine_free(m);
}

/* newseg's limits and ipcget's errors, in the kernel's order. */
TEST(shm_get_errors_and_limits)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct mmt_task *t = new_task(m, MMT_TASK_X86_64);
	uint64_t a;
	int64_t id;
	int i;

	CHECK_EQ(mmt_ksys_shmget(t, MMT_IPC_PRIVATE, 0, RW), -EINVAL);
	/* SHMMAX = ULONG_MAX - 2^24 */
	CHECK_EQ(mmt_ksys_shmget(t, MMT_IPC_PRIVATE, ~0ULL - (1ULL << 24) + 1,
				 RW), -EINVAL);
	CHECK_EQ(mmt_ksys_shmget(t, MMT_IPC_PRIVATE, 4096, RW | MMT_SHM_HUGETLB),
		 -ENOMEM);
	CHECK_EQ(mmt_ksys_shmget(t, 0x77, 4096, 0600), -ENOENT);
	id = mmt_ksys_shmget(t, 0x77, 8192, RW | MMT_IPC_EXCL);
	CHECK(id >= 0);
	CHECK_EQ(mmt_ksys_shmget(t, 0x77, 4096, RW | MMT_IPC_EXCL), -EEXIST);
	CHECK_EQ(mmt_ksys_shmget(t, 0x77, 8193, 0), -EINVAL);
	CHECK_EQ(mmt_ksys_shmget(t, 0x77, 0, 0), id);
	/* SHMMNI: 4096 segments, then ENOSPC */
	for (i = 1; i < 4096; i++)
		if (mmt_ksys_shmget(t, MMT_IPC_PRIVATE, 1, RW) < 0)
			break;
	CHECK_EQ(i, 4096);
	CHECK_EQ(mmt_ksys_shmget(t, MMT_IPC_PRIVATE, 1, RW), -ENOSPC);
	/* shmat's argument errors */
	CHECK_EQ(mmt_do_shmat(t, MMT_ABI_X86_64, -1, 0, 0, &a), -EINVAL);
	CHECK_EQ(mmt_do_shmat(t, MMT_ABI_X86_64, (int)id, 0, MMT_SHM_REMAP, &a),
		 -EINVAL);
	CHECK_EQ(mmt_do_shmat(t, MMT_ABI_X86_64, (int)id, 0x123, MMT_SHM_RND |
			      MMT_SHM_REMAP, &a), -EINVAL);
	CHECK_EQ(mmt_do_shmat(t, MMT_ABI_X86_64, (int)id, 0x10000010, 0, &a),
		 -EINVAL);
	CHECK_EQ(mmt_do_shmat(t, MMT_ABI_X86_64, (int)id, 0x10000010,
			      MMT_SHM_RND, &a), 0);
	CHECK_EQ(a, 0x10000000);
	CHECK_EQ(mmt_do_shmat(t, MMT_ABI_X86_64, (int)id, 0x10001000, 0, &a),
		 -EINVAL);		/* overlaps, no SHM_REMAP */
	CHECK_EQ(mmt_ksys_shmdt(t, 0x10000001), -EINVAL);
	CHECK_EQ(mmt_ksys_shmdt(t, 0x10000000), 0);
	mmt_machine_free(m);
}

/* ipcperms: a task without CAP_IPC_OWNER gets what the owner bits give
 * (every task is uid 0, the owner); with it, everything. */
TEST(shm_permissions_follow_the_mode)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct mmt_task *t = new_task(m, MMT_TASK_X86_64);
	uint64_t a;
	int id = (int)mmt_ksys_shmget(t, 0x55, PAGE, MMT_IPC_CREAT | 0440);

	CHECK(id >= 0);
	CHECK_EQ(mmt_ksys_shmget(t, 0x55, PAGE, 0600), -EACCES);
	CHECK_EQ(mmt_ksys_shmget(t, 0x55, PAGE, 0400), id);
	CHECK_EQ(mmt_do_shmat(t, MMT_ABI_X86_64, id, 0, 0, &a), -EACCES);
	CHECK_EQ(mmt_do_shmat(t, MMT_ABI_X86_64, id, 0, MMT_SHM_RDONLY |
			      MMT_SHM_EXEC, &a), -EACCES);
	CHECK_EQ(mmt_do_shmat(t, MMT_ABI_X86_64, id, 0, MMT_SHM_RDONLY, &a), 0);
	CHECK_EQ(mmt_do_mprotect_pkey(t, a, PAGE, 3, -1), -EACCES);
	t->cap_ipc_owner = true;
	CHECK_EQ(mmt_do_shmat(t, MMT_ABI_X86_64, id, 0, 0, &a), 0);
	/* SHM_LOCK: RLIMIT_MEMLOCK 0 without CAP_IPC_LOCK is EPERM */
	t->rlim[MMT_RLIMIT_MEMLOCK].cur = 0;
	CHECK_EQ(mmt_ksys_shmctl(t, id, MMT_SHM_LOCK, 0, false), -EPERM);
	t->rlim[MMT_RLIMIT_MEMLOCK].cur = PAGE;
	CHECK_EQ(mmt_ksys_shmctl(t, id, MMT_SHM_LOCK, 0, false), 0);
	CHECK_EQ(mmt_ksys_shmctl(t, id, MMT_SHM_UNLOCK, 0, false), 0);
	mmt_machine_free(m);
}

/* Scenario lines: the direct calls of an ia32 task and i386's ipc(),
 * whose SHMAT result goes through a pointer (shown as a comment). */
TEST(shm_script_lines_and_ipc_multiplexer)
{
	char *out = NULL, *err = NULL;

	CHECK_EQ(test_run_script("machine --arch x86_32 --mem 256M\n"
		"process\n"
		"ipc(SHMGET, 0, 8193, 896, NULL, 0)\n"
		"ipc(SHMAT, 0, 0, 0x1000, NULL, 0)\n"
		"ipc(SHMAT, 0, 0, 0, NULL, 0)\n"
		"ipc(SHMCTL, 0, 256, 0, NULL, 0)\n"
		"show sysvipc_shm\n"
		"ipc(SHMDT, 0, 0, 0, 0xb7ffd000, 0)\n"
		"ipc(SHMDT, 0, 0, 0, 0xb7ffa000, 0)\n"
		"show sysvipc_shm\n"
		"ipc(MSGGET, 0, 0, 0, NULL, 0)\n", &out, &err), 0);
	CHECK_STR(out,
		"process 1 (i386): task_size 0xc0000000 mmap_base 0xb8000000 "
		"mmap_legacy_base 0x40000000\n"
		"ipc(SHMGET, 0, 8193, 896, NULL, 0)      = 0\n"
		"ipc(SHMAT, 0, 0, 4096, NULL, 0)         = 0  # raddr "
		"0xb7ffd000 written to 0x1000\n"
		"ipc(SHMAT, 0, 0, 0, NULL, 0)            = -1 EFAULT (Bad "
		"address)\n"
		"ipc(SHMCTL, 0, 256, 0, NULL, 0)         = 0\n"
		"       key      shmid perms       size  cpid  lpid nattch   "
		"uid   gid  cuid  cgid      atime      dtime      ctime        "
		"rss       swap\n"
		"         0          0  1600       8193     1     1      2     "
		"0     0     0     0          0          0          0          "
		"0          0\n"
		"ipc(SHMDT, 0, 0, 0, 0xb7ffd000, 0)      = 0\n"
		"ipc(SHMDT, 0, 0, 0, 0xb7ffa000, 0)      = 0\n"
		"       key      shmid perms       size  cpid  lpid nattch   "
		"uid   gid  cuid  cgid      atime      dtime      ctime        "
		"rss       swap\n"
		"ipc(MSGGET, 0, 0, 0, NULL, 0)           = -1 ENOSYS (Function "
		"not implemented)  # ipc: semaphores and message queues not "
		"modelled yet\n");
	CHECK_STR(err, "");
	free(out);
	free(err);
	CHECK_EQ(test_run_script("machine --mem 256M\n"
		"process --abi ia32\n"
		"shmget(IPC_PRIVATE, 4096, IPC_CREAT|0600)\n"
		"shmat(0, NULL, SHM_RDONLY)\n"
		"show maps\n"
		"shmdt(0xf7ffd000) = 0\n", &out, &err), 0);
	CHECK(strstr(out, "shmat(0, NULL, SHM_RDONLY)              = "
		      "0xf7ffd000\n"
		      "f7ffd000-f7ffe000 r--s 00000000 00:01 0                  "
		      "                /SYSV00000000 (deleted)\n") != NULL);
	CHECK(strstr(out, "shmdt(0xf7ffd000)                       = 0\n"));
	free(out);
	free(err);
}

/*
 * /proc/sysvipc/shm: a segment made in this process by the host kernel
 * and the same segment in the model (same size, mode, key, creator pid)
 * print every column at the same offsets, and equal except the id and
 * ctime (the host's namespace and clock).
 */
TEST(shm_sysvipc_view_matches_the_host)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct mmt_task *t;
	char *host = test_read_file("/proc/sysvipc/shm"), *model, *kl = NULL;
	char *ml, want[32];
	int err, id = shmget(IPC_PRIVATE, 12345, IPC_CREAT | 0640);

	if (id < 0 || !host) {
		printf("    SKIP shm_sysvipc_view_matches_the_host: no SysV "
		       "shm here\n");
		if (id >= 0)
			shmctl(id, IPC_RMID, NULL);
		free(host);
		mmt_machine_free(m);
		return;
	}
	free(host);
	host = test_read_file("/proc/sysvipc/shm");
	shmctl(id, IPC_RMID, NULL);
	snprintf(want, sizeof(want), " %10d ", id);
	for (char *p = host; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p + 10, want, strlen(want))) {
			kl = p;
			break;
		}
	CHECK(kl != NULL);
	t = mmt_task_create(m, MMT_TASK_X86_64, getpid() % 4194304, &err);
	CHECK(t != NULL);
	CHECK_EQ(mmt_ksys_shmget(t, MMT_IPC_PRIVATE, 12345,
				 MMT_IPC_CREAT | 0640), 0);
	model = view(m, "sysvipc_shm");
	ml = strchr(model, '\n') + 1;
	CHECK(!strncmp(host, model, (size_t)(strchr(model, '\n') - model)));
	if (kl) {
		/* fields: key id perms size cpid lpid nattch uid gid cuid cgid
		 * atime dtime ctime rss swap; uid..cgid are ours: root here */
		char kf[16][32], mf[16][32];
		int kn = 0, mn = 0, ko[16], mo[16], pos;
		const char *p;

		for (p = kl; kn < 16 && sscanf(p, "%31s%n", kf[kn], &pos) == 1;
		     p += pos)
			ko[kn++] = (int)(p + pos - kl);
		for (p = ml; mn < 16 && sscanf(p, "%31s%n", mf[mn], &pos) == 1;
		     p += pos)
			mo[mn++] = (int)(p + pos - ml);
		CHECK_EQ(kn, 16);
		CHECK_EQ(mn, 16);
		for (int i = 0; i < 16 && kn == 16 && mn == 16; i++) {
			if (i == 1 || i == 13)		/* id, ctime */
				continue;
			if (i >= 7 && i <= 10 && getuid())
				continue;		/* not root */
			CHECK_STR(mf[i], kf[i]);
			CHECK_EQ(mo[i], ko[i]);
		}
	}
	free(model);
	free(host);
	mmt_machine_free(m);
}
