// SPDX-License-Identifier: MIT
/*
 * The memory syscalls' rules, case by case, through the scenario runner:
 * each case names its scenario, runs the calls in a fresh process and
 * draws the expected address space as `show maps` prints it.  Expected
 * addresses come from the kernel's rules (x86_64, ASLR off, RLIMIT_STACK
 * 8 MiB: mmap_base 0x7ffff7fff000, top-down, new ranges packed below).
 */
#include "test.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct rule_case {
	const char *name;
	const char *script;	/* after "machine --mem 256M\nprocess\n" */
	const char *want;	/* the output after the process line */
};

#define RW "PROT_READ|PROT_WRITE"
#define ANON "MAP_PRIVATE|MAP_ANONYMOUS"
/* the gate VMA, its name at column 73 */
#define GATE "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0" \
	"                  [vsyscall]\n"

static const struct rule_case cases[] = {
	{ "top-down, then merge with the VMA above",
	  "mmap(NULL, 8192, " RW ", " ANON ", -1, 0)\n"
	  "mmap(NULL, 4096, " RW ", " ANON ", -1, 0)\n"
	  "show maps\n",
	  /*   7ffff7ffc000 [ 4 KiB ][ 8 KiB ] 7ffff7fff000 = mmap_base
	   *   one VMA: same flags, pgoff contiguous */
	  "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, "
	  "-1, 0) = 0x7ffff7ffd000\n"
	  "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, "
	  "-1, 0) = 0x7ffff7ffc000\n"
	  "7ffff7ffc000-7ffff7fff000 rw-p 00000000 00:00 0 \n"
	  GATE },
	{ "different protections do not merge; munmap splits",
	  "mmap(NULL, 12288, " RW ", " ANON ", -1, 0)\n"
	  "mmap(NULL, 4096, PROT_READ, " ANON ", -1, 0)\n"
	  "munmap(0x7ffff7ffd000, 4096)\n"
	  "show maps\n",
	  /*   7ffff7ffb000 [r][rw][hole][rw] 7ffff7fff000 */
	  "mmap(NULL, 12288, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, "
	  "-1, 0) = 0x7ffff7ffc000\n"
	  "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = "
	  "0x7ffff7ffb000\n"
	  "munmap(0x7ffff7ffd000, 4096)            = 0\n"
	  "7ffff7ffb000-7ffff7ffc000 r--p 00000000 00:00 0 \n"
	  "7ffff7ffc000-7ffff7ffd000 rw-p 00000000 00:00 0 \n"
	  "7ffff7ffe000-7ffff7fff000 rw-p 00000000 00:00 0 \n"
	  GATE },
	{ "THP alignment of a 2 MiB multiple (mmap_base % 2 MiB is left)",
	  "mmap(NULL, 4194304, " RW ", " ANON ", -1, 0)\n",
	  /* searched len + 2 MiB below 0x7ffff7fff000 (0x7ffff79ff000),
	   * start rounded up to 2 MiB: 0x7ffff7a00000; 0x1ff000 above
	   * stays free */
	  "mmap(NULL, 4194304, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
	  "MAP_ANONYMOUS, -1, 0) = 0x7ffff7a00000\n" },
	{ "MAP_FIXED_NOREPLACE over a mapping: EEXIST; MAP_FIXED replaces",
	  "mmap(0x10000000, 16384, " RW ", " ANON "|MAP_FIXED, -1, 0)\n"
	  "mmap(0x10001000, 4096, PROT_READ, " ANON "|MAP_FIXED_NOREPLACE, -1, 0)\n"
	  "mmap(0x10001000, 4096, PROT_READ, " ANON "|MAP_FIXED, -1, 0)\n"
	  "mmap(0x10001000, 4096, " RW ", " ANON "|MAP_FIXED, -1, 0)\n"
	  "show maps\n",
	  "mmap(0x10000000, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
	  "MAP_FIXED|MAP_ANONYMOUS, -1, 0) = 0x10000000\n"
	  "mmap(0x10001000, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|"
	  "MAP_FIXED_NOREPLACE, -1, 0) = -1 EEXIST (File exists)\n"
	  "mmap(0x10001000, 4096, PROT_READ, MAP_PRIVATE|MAP_FIXED|"
	  "MAP_ANONYMOUS, -1, 0) = 0x10001000\n"
	  "mmap(0x10001000, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
	  "MAP_FIXED|MAP_ANONYMOUS, -1, 0) = 0x10001000\n"
	  /* the hole closes and both neighbours merge back: one VMA */
	  "10000000-10004000 rw-p 00000000 00:00 0 \n"
	  GATE },
	{ "mprotect: split in three, merge back, holes are ENOMEM",
	  "mmap(0x10000000, 20480, " RW ", " ANON "|MAP_FIXED, -1, 0)\n"
	  "mprotect(0x10002000, 4096, PROT_READ)\n"
	  "show maps\n"
	  "mprotect(0x10002000, 4096, PROT_READ|PROT_WRITE)\n"
	  "mprotect(0x10000000, 0x8000, PROT_READ)\n"
	  "mprotect(0x10000001, 4096, PROT_READ)\n"
	  "mprotect(0x10000000, 4096, 0x10)\n"
	  "show maps\n",
	  "mmap(0x10000000, 20480, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
	  "MAP_FIXED|MAP_ANONYMOUS, -1, 0) = 0x10000000\n"
	  "mprotect(0x10002000, 4096, PROT_READ)   = 0\n"
	  "10000000-10002000 rw-p 00000000 00:00 0 \n"
	  "10002000-10003000 r--p 00000000 00:00 0 \n"
	  "10003000-10005000 rw-p 00000000 00:00 0 \n"
	  GATE
	  "mprotect(0x10002000, 4096, PROT_READ|PROT_WRITE) = 0\n"
	  "mprotect(0x10000000, 32768, PROT_READ)  = -1 ENOMEM (Cannot "
	  "allocate memory)\n"
	  "mprotect(0x10000001, 4096, PROT_READ)   = -1 EINVAL (Invalid "
	  "argument)\n"
	  "mprotect(0x10000000, 4096, 0x10 /* PROT_??? */) = -1 EINVAL "
	  "(Invalid argument)\n"
	  /* the pieces before the hole were changed (and merged) */
	  "10000000-10005000 r--p 00000000 00:00 0 \n"
	  GATE },
	{ "vm.max_map_count: munmap inside a VMA needs one more",
	  "sysctl vm.max_map_count 1\n"
	  "mmap(0x10000000, 12288, " RW ", " ANON "|MAP_FIXED, -1, 0)\n"
	  "munmap(0x10001000, 4096)\n"
	  "munmap(0x10000000, 4096)\n",
	  "mmap(0x10000000, 12288, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
	  "MAP_FIXED|MAP_ANONYMOUS, -1, 0) = 0x10000000\n"
	  "munmap(0x10001000, 4096)                = -1 ENOMEM (Cannot "
	  "allocate memory)\n"
	  "munmap(0x10000000, 4096)                = 0\n" },
	{ "flags: EINVAL for no type, DROPPABLE|LOCKED, bad offset; EBADF",
	  "mmap(NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0)\n"
	  "mmap(NULL, 4096, PROT_READ, MAP_DROPPABLE|MAP_ANONYMOUS|MAP_LOCKED, -1, 0)\n"
	  "mmap(NULL, 4096, PROT_READ, " ANON ", -1, 0x1001)\n"
	  "mmap(NULL, 0, PROT_READ, " ANON ", -1, 0)\n"
	  "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 5, 0)\n",
	  "mmap(NULL, 4096, PROT_READ, MAP_FILE|MAP_ANONYMOUS, -1, 0) = -1 EINVAL "
	  "(Invalid argument)\n"
	  "mmap(NULL, 4096, PROT_READ, MAP_DROPPABLE|MAP_ANONYMOUS|MAP_LOCKED, "
	  "-1, 0) = -1 EINVAL (Invalid argument)\n"
	  "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0x1001) "
	  "= -1 EINVAL (Invalid argument)\n"
	  "mmap(NULL, 0, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 "
	  "EINVAL (Invalid argument)\n"
	  "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 5, 0) = -1 EBADF (Bad "
	  "file descriptor)\n" },
	{ "MAP_HUGETLB: an unknown huge page size is EINVAL before ENOMEM",
	  /* hstate_sizelog(): 2^21 and 2^30 exist (gbpages), 2^31 does not */
	  "mmap(NULL, 4096, PROT_READ, " ANON "|MAP_HUGETLB|MAP_HUGE_1GB, -1, 0)\n"
	  "mmap(NULL, 4096, PROT_READ, " ANON "|MAP_HUGETLB|0x7c000000, -1, 0)\n",
	  "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|"
	  "30<<MAP_HUGE_SHIFT, -1, 0) = -1 ENOMEM (Cannot allocate memory)\n"
	  "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|"
	  "31<<MAP_HUGE_SHIFT, -1, 0) = -1 EINVAL (Invalid argument)\n" },
	{ "RLIMIT_AS refuses, NORESERVE does not account",
	  "setrlimit AS 8192\n"
	  "mmap(NULL, 12288, " RW ", " ANON ", -1, 0)\n"
	  "mmap(NULL, 8192, " RW ", " ANON "|MAP_NORESERVE, -1, 0)\n"
	  "show maps json\n",
	  "mmap(NULL, 12288, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, "
	  "-1, 0) = -1 ENOMEM (Cannot allocate memory)\n"
	  "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|"
	  "MAP_NORESERVE, -1, 0) = 0x7ffff7ffd000\n" },
	{ "brk: the old value when the heap cannot grow",
	  "brk(NULL)\n"
	  "brk(0x1000)\n",
	  /* an exec-less process: start_brk = brk = 0, and growing at 0
	   * is below mmap_min_addr (check_brk_limits): the old brk */
	  "brk(NULL)                               = 0\n"
	  "brk(0x1000)                             = 0\n" },
};

TEST(mmap_rules_table)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rule_case *c = &cases[i];
		char script[4096], *out = NULL, *err = NULL, *body;
		int r;

		snprintf(script, sizeof(script), "machine --mem 256M --check\n"
			 "process\n%s", c->script);
		r = test_run_script(script, &out, &err);
		body = out ? strchr(out, '\n') : NULL;	/* after "process" */
		if (r || !body || (strcmp(body + 1, c->want) &&
				   strncmp(body + 1, c->want, strlen(c->want))))
			test_fail(__FILE__, __LINE__, "case '%s': status %d, "
				  "err '%s', output:\n%s\nexpected:\n%s",
				  c->name, r, err ? err : "", body ? body + 1 : "",
				  c->want);
		free(out);
		free(err);
	}
}

/* The profiles' and ABIs' bases, as exec leaves them with ASLR off. */
TEST(mmap_process_bases_per_abi)
{
	char *out = NULL, *err = NULL;

	CHECK_EQ(test_run_script("machine --mem 256M\n"
		"process\n"
		"process --abi ia32\n"
		"mmap2(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)\n"
		"mmap2(NULL, 4194304, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)\n"
		"setrlimit STACK unlimited\n"
		"task 1\n"
		"setrlimit STACK unlimited\n"
		"exit_process 2\n"
		"show maps 2\n", &out, &err), 1);
	CHECK_STR(out, "process 1 (x86_64): task_size 0x7ffffffff000 mmap_base "
		  "0x7ffff7fff000 mmap_legacy_base 0x2aaaaaaab000\n"
		  "process 2 (ia32): task_size 0xffffe000 mmap_base 0xf7ffe000 "
		  "mmap_legacy_base 0x55555000\n"
		  "mmap2(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) "
		  "= 0xf7ffc000\n"
		  /* compat: no THP alignment */
		  "mmap2(NULL, 4194304, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, "
		  "0) = 0xf7bfc000\n");
	CHECK_STR(err, "test:10: no process with PID 2 (see 'process' and "
		  "'seed_process')\n");
	free(out);
	free(err);
	CHECK_EQ(test_run_script("machine --arch x86_32 --mem 256M\n"
		"process\n"
		"mmap2(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)\n"
		"show maps\n", &out, &err), 0);
	/* the 48-column prefix of a 32-bit kernel; no gate VMA */
	CHECK_STR(out, "process 1 (i386): task_size 0xc0000000 mmap_base "
		  "0xb8000000 mmap_legacy_base 0x40000000\n"
		  "mmap2(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) "
		  "= 0xb7ffe000\n"
		  "b7ffe000-b8000000 r--p 00000000 00:00 0 \n");
	free(out);
	free(err);
}

/* File mappings: identity from stat, pgoff, VM_MAYWRITE from the mode. */
TEST(mmap_file_rules)
{
	char path[] = "/tmp/mmtwin-mmap-XXXXXX", script[1024], *out, *err;
	int fd = mkstemp(path);
	struct stat st;

	CHECK(fd >= 0 && ftruncate(fd, 16384) == 0 && fstat(fd, &st) == 0);
	close(fd);
	snprintf(script, sizeof(script), "machine --mem 256M --check\n"
		 "process\nfd_install 3 %s\nfd_install 4 %s rw\n"
		 "mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, 3, 0x1000)\n"
		 "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0)\n"
		 "mmap(NULL, 4096, PROT_READ, MAP_SHARED, 4, 0)\n"
		 "mprotect(0x7ffff7ffc000, 4096, PROT_READ|PROT_WRITE)\n"
		 "show maps\n", path, path);
	CHECK_EQ(test_run_script(script, &out, &err), 0);
	{
		char want[1024];

		snprintf(want, sizeof(want),
			 "7ffff7ffc000-7ffff7ffd000 rw-s 00000000 %02x:%02x %llu",
			 major(st.st_dev), minor(st.st_dev),
			 (unsigned long long)st.st_ino);
		CHECK(strstr(out, want) != NULL);
		snprintf(want, sizeof(want),
			 "7ffff7ffd000-7ffff7fff000 r--p 00001000 %02x:%02x %llu",
			 major(st.st_dev), minor(st.st_dev),
			 (unsigned long long)st.st_ino);
		CHECK(strstr(out, want) != NULL);
	}
	CHECK(strstr(out, "MAP_SHARED, 3, 0) = -1 EACCES") != NULL);
	/* shared from an O_RDWR fd: VM_MAYWRITE kept, so mprotect may add W */
	CHECK(strstr(out, "PROT_READ|PROT_WRITE) = 0") != NULL);
	free(out);
	free(err);
	unlink(path);
}

/*
 * A file system's file_operations as mmap sees them (struct mmt_file
 * thp_area, mmap_sync; ext4 and xfs have both).  The same file, once as
 * generic_file_mmap's and once as ext4's: thp_get_unmapped_area() puts a
 * 2 MiB piece of the file at a 2 MiB boundary, FOP_MMAP_SYNC lets
 * MAP_SYNC past the flag check and mmap_prepare refuses VM_SYNC (even
 * private) before MAP_FIXED unmapped anything.
 */
TEST(mmap_file_system_rules)
{
	char path[] = "/tmp/mmtwin-mmap-XXXXXX";
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	const enum mmt_abi a = MMT_ABI_X86_64;
	int fd = mkstemp(path), e;
	struct mmt_task *t = mmt_task_create(m, MMT_TASK_X86_64, 0, &e);
	struct mmt_file *f;
	const uint64_t R = 1, W = 2, PRIV = 0x02, VALIDATE = 0x03,
		       FIXED = 0x10, SYNC = 0x80000, MB2 = 2 << 20;

	CHECK(fd >= 0 && ftruncate(fd, 4 << 20) == 0);
	close(fd);
	CHECK(t != NULL);
	CHECK_EQ(mmt_task_fd_install_mode(t, 3, path, MMT_FMODE_READ), 0);
	f = t->fds[3].file;
	f->thp_area = f->mmap_sync = false;		/* generic */
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, a, 0, MB2, R, PRIV, 3, 0),
		 0x7ffff7dff000);
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, a, 0, 4096, R | W, VALIDATE | SYNC, 3, 0),
		 -EOPNOTSUPP);
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, a, 0, 4096, R, PRIV | SYNC, 3, 0),
		 0x7ffff7dfe000);
	CHECK_EQ(mmt_vm_munmap(t, 0x7ffff7dfe000, MB2 + 4096), 0);

	f->thp_area = f->mmap_sync = true;		/* ext4 */
	/* searched 4 MiB below 0x7ffff7fff000, rounded up to 2 MiB */
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, a, 0, MB2, R, PRIV, 3, 0),
		 0x7ffff7c00000);
	/* from file page 1, 2 MiB hold no whole huge page: plain search */
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, a, 0, MB2, R, PRIV, 3, 1),
		 0x7ffff7a00000);
	/* 4 MiB do: file offset 2 MiB goes to a boundary, page 1 below it */
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, a, 0, 2 * MB2, R, PRIV, 3, 1) &
		 (MB2 - 1), 0x1000);
	/* MAP_SYNC passes the flag check: the O_RDONLY fd's EACCES first */
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, a, 0, 4096, R | W, VALIDATE | SYNC, 3, 0),
		 -EACCES);
	CHECK_EQ(mmt_ksys_mmap_pgoff(t, a, 0x7ffff7c00000, 4096, R,
				     PRIV | FIXED | SYNC, 3, 0), -EOPNOTSUPP);
	CHECK(mmt_find_vma(t->mm, 0x7ffff7c00000) != NULL);
	CHECK_EQ(mmt_vm_munmap(t, 0x7ffff7c00000, MB2), 0);
	mmt_machine_free(m);
	unlink(path);
}
