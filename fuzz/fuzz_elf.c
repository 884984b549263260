// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the ELF loader: the input is a program file.
 *   make fuzz && ./build-fuzz/fuzz-elf fuzz/corpus/elf
 *
 * Per input: the pure parser (src/exec/elf.c) as both loaders read it
 * (Elf64 and Elf32), the PT_INTERP checks, total_mapping_size and
 * maximum_alignment; then the whole execve of the bytes (a memfd, run
 * through mmt_execve in a fresh task of one machine booted once): it
 * succeeds or fails with an errno and a message, the task keeps its old
 * image on failure, and every invariant checker holds afterwards.
 */
#define _GNU_SOURCE
#include "exec/binfmt.h"

#include <mmtwin/mmtwin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_both(const uint8_t *data, size_t size)
{
	struct elf_file_bytes f = { data, size, size };
	char why[256], path[PATH_MAX_K + 1];

	for (int k = 0; k < 2; k++) {
		struct elf_image img;
		int r = elf_parse(&f, k ? ELF_KIND_32 : ELF_KIND_64, &img, why,
				  sizeof(why));

		if (r && !why[0])
			abort();
		if (!r) {
			(void)elf_total_mapping_size(&img, UINT64_MAX);
			(void)elf_maximum_alignment(&img, 0xffffffffULL);
			if (img.interp_idx >= 0 &&
			    elf_interp_path(&f, &img, path, sizeof(path), why,
					    sizeof(why)) && !why[0])
				abort();
		}
		elf_image_free(&img);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mmt_machine *m;
	struct mmt_exec_params p = { 0 };
	struct mmt_exec_result res;
	char path[64], err[512], *argv[3], *envp[] = { "A=1", NULL };
	struct mmt_task *t;
	int fd, e, r;

	parse_both(data, size);
	if (!m) {
		struct mmt_config c;

		mmt_config_init(&c, MMT_ARCH_X86_64);
		m = mmt_machine_new(&c, err, sizeof(err));
		if (!m)
			abort();
	}
	fd = memfd_create("fuzz-elf", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	fchmod(fd, 0755);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	t = mmt_task_create(m, MMT_TASK_X86_64, 0, &e);
	if (!t)
		abort();
	argv[0] = path;
	argv[1] = "arg";
	argv[2] = NULL;
	p.filename = path;
	p.argv = argv;
	p.envp = envp;
	r = mmt_execve(t, &p, &res, err, sizeof(err));
	if (r && !err[0])
		abort();
	if (r > 0)
		abort();
	if (mmt_machine_check(m, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	mmt_task_exit(t);
	close(fd);
	return 0;
}
