// SPDX-License-Identifier: MIT
/* Scenario lines in strace's notation go through the one syscall table. */
#include "test.h"

#include <stdlib.h>

TEST(script_syscall_line_runs_through_the_table)
{
	char *out = NULL, *err = NULL;

	CHECK_EQ(test_run_script("machine --mem 256M\n"
		"mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
		"MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)\n"
		"process --pid 7\n"
		"mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
		"MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)\n"
		"munmap(0x7ffff7ffd000, 4096) = 0\n"
		"mremap(0x7ffff7ffe000, 4096, 8192, 0) = -1 ENOMEM (Cannot "
		"allocate memory)\n"
		"mincore(0x7ffff7ffe000, 4096, NULL) = 0\n", &out, &err), 0);
	CHECK_STR(out, "mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
		  "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 ESRCH (No such "
		  "process)  # no current process (create one with "
		  "'process')\n"
		  "process 7 (x86_64): task_size 0x7ffffffff000 mmap_base "
		  "0x7ffff7fff000 mmap_legacy_base 0x2aaaaaaab000\n"
		  "mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
		  "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7ffd000\n"
		  "munmap(0x7ffff7ffd000, 4096)            = 0\n"
		  "mremap(0x7ffff7ffe000, 4096, 8192, 0)   = 0x7ffff7ffe000  "
		  "# recorded: = -1 ENOMEM (Cannot allocate memory)\n"
		  "mincore(0x7ffff7ffe000, 4096, NULL)     = -1 ENOSYS "
		  "(Function not implemented)  # mincore: not modelled yet  "
		  "# recorded: = 0\n");
	CHECK_STR(err, "");
	free(out);
	free(err);
}

TEST(script_syscall_abi_follows_the_profile)
{
	char *out = NULL, *err = NULL;

	CHECK_EQ(test_run_script("machine --arch x86_32 --mem 256M\n"
		"mmap2(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, "
		"0)\n", &out, &err), 0);
	CHECK(strstr(out, "mmap2(NULL, 4096, PROT_READ, ") == out);
	free(out);
	free(err);
	CHECK_EQ(test_run_script("machine --mem 256M\n"
		"mmap2(NULL, 4096, PROT_READ, MAP_PRIVATE, -1, 0)\n",
		&out, &err), 1);
	CHECK_STR(err, "test:2: 'mmap2' is a system call of the i386 ABI; "
		  "this machine's tasks use x86_64\n");
	free(out);
	free(err);
}

TEST(script_syscall_bad_lines_are_errors)
{
	char *out = NULL, *err = NULL;

	CHECK_EQ(test_run_script("mmap(NULL, 8192, PROT_REED, MAP_PRIVATE, "
				 "-1, 0)\n", &out, &err), 1);
	CHECK(strstr(err, ":1: mmap: argument 3: unknown flag 'PROT_REED'"));
	free(out);
	free(err);
	CHECK_EQ(test_run_script("mmapp(NULL, 1)\n", &out, &err), 1);
	CHECK(strstr(err, ":1: unknown syscall 'mmapp'"));
	free(out);
	free(err);
	CHECK_EQ(test_run_script("brk(0x1000\n", &out, &err), 1);
	CHECK(strstr(err, ":1: ") != NULL);
	free(out);
	free(err);
}
