// SPDX-License-Identifier: MIT
/*
 * Booting a modelled machine: memory map first (the kernel's setup_arch
 * order), then the layout that depends on how much RAM there is.
 */
#include <mmtwin/kalloc.h>
#include <mmtwin/kern.h>
#include <mmtwin/machine.h>
#include <mmtwin/mm.h>
#include <mmtwin/page_alloc.h>
#include "init/boot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Does @f hold /proc/iomem lines whose addresses are all zero?  That is
 * what a non-root reader of /proc/iomem gets: r_show() in
 * kernel/resource.c prints start and end as 0 unless the reader has
 * CAP_SYS_ADMIN.  Rewinds @f.
 */
static bool iomem_zeroed(FILE *f)
{
	char line[512];
	unsigned long long a, b;
	unsigned ranges = 0, nonzero = 0;

	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %llx-%llx :", &a, &b) == 2) {
			ranges++;
			nonzero += a || b;
		}
	rewind(f);
	return ranges && !nonzero;
}

/*
 * Check a memory-map file before the parser reads it: it must be a
 * regular file we can open (so /dev/zero or a FIFO cannot hang the
 * boot, a directory is refused) and not /proc/iomem as a non-root user
 * sees it.  0, or -1 with the reason in @err.
 */
static int check_memmap_file(const char *path, bool host, char *err,
			     size_t errlen)
{
	struct stat st;
	FILE *f;
	bool zeroed;

	if (stat(path, &st)) {
		snprintf(err, errlen, "--memmap %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "--memmap %s: not a regular file (a "
			 "/proc/iomem or dmesg BIOS-e820 listing)", path);
		return -1;
	}
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "--memmap %s: %s", path, strerror(errno));
		return -1;
	}
	zeroed = iomem_zeroed(f);
	fclose(f);
	if (zeroed) {
		snprintf(err, errlen, "--memmap %s: every address is zero: "
			 "/proc/iomem shows zeroed addresses to non-root "
			 "users%s; run as root, or save a copy with 'sudo cat "
			 "/proc/iomem > iomem.txt' and pass that file", path,
			 host && geteuid() ? " (you are not root)" : "");
		return -1;
	}
	return 0;
}

static int load_memmap(const struct mmt_config *c, struct mmt_e820 *fw,
		       char *err, size_t errlen)
{
	bool host = !strcmp(c->memmap_src, "host");
	const char *path = host ? "/proc/iomem" : c->memmap_src;

	if (!strcmp(c->memmap_src, "default") || !c->memmap_src[0]) {
		mmt_e820_qemu_default(c->mem_bytes, fw);
		return 0;
	}
	if (check_memmap_file(path, host, err, errlen))
		return -1;
	return mmt_e820_read(path, fw, err, errlen);
}

/*
 * First and last+1 whole RAM pages (memblock rounds partial pages away),
 * ignoring RAM at or above @limit_pfn: e820__end_of_ram_pfn(MAX_ARCH_PFN),
 * so a non-PAE kernel does not see RAM above 4 GiB at all.
 */
static void ram_span(const struct mmt_e820 *m, uint64_t limit_pfn,
		     uint64_t *start, uint64_t *end)
{
	unsigned i;

	*start = UINT64_MAX;
	*end = 0;
	for (i = 0; i < m->nr; i++) {
		uint64_t s, e;

		if (m->e[i].type != MMT_E820_RAM)
			continue;
		s = (m->e[i].addr + MMT_PAGE_SIZE - 1) >> MMT_PAGE_SHIFT;
		e = (m->e[i].addr + m->e[i].size) >> MMT_PAGE_SHIFT;
		if (e > limit_pfn)
			e = limit_pfn;
		if (e <= s)
			continue;
		if (s < *start)
			*start = s;
		if (e > *end)
			*end = e;
	}
}

int mmt_machine_setup_arch(struct mmt_machine *m, char *err, size_t errlen)
{
	mmt_e820_sanitize(&m->firmware, &m->e820);
	ram_span(&m->e820, mmt_max_arch_pfn(m->cfg.arch), &m->ram_start_pfn,
		 &m->ram_end_pfn);
	if (m->ram_end_pfn == 0) {
		snprintf(err, errlen, "memory map has no usable RAM");
		return -1;
	}
	if (m->ram_end_pfn > (128ULL << (40 - MMT_PAGE_SHIFT))) {
		snprintf(err, errlen, "memory map has RAM above 128 TiB, more "
			 "than the model supports");
		return -1;
	}
	return mmt_layout_compute(&m->cfg, m->ram_start_pfn, m->ram_end_pfn,
				  &m->layout, err, errlen);
}

struct mmt_machine *mmt_machine_new_e820(const struct mmt_config *c,
					 const struct mmt_e820 *fw, char *err,
					 size_t errlen)
{
	struct mmt_machine *m;

	if (mmt_config_check(c, err, errlen))
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of host memory");
		return NULL;
	}
	m->cfg = *c;
	m->firmware = *fw;
	if (mmt_machine_setup_arch(m, err, errlen))
		goto fail;
	if (mmt_mm_init(m, err, errlen))
		goto fail;
	if (mmt_kern_init(m, err, errlen))
		goto fail;
	if (mmt_kalloc_init(m, err, errlen))
		goto fail;
	if (mmt_ipc_init(m, err, errlen))
		goto fail;
	if (mmt_tasks_init(m, err, errlen))
		goto fail;
	if (c->check && mmt_machine_check(m, err, errlen))
		goto fail;
	return m;
fail:
	mmt_machine_free(m);
	return NULL;
}

struct mmt_machine *mmt_machine_new(const struct mmt_config *c, char *err,
				    size_t errlen)
{
	struct mmt_e820 fw;

	if (load_memmap(c, &fw, err, errlen))
		return NULL;
	return mmt_machine_new_e820(c, &fw, err, errlen);
}

/* Every validator, bottom-up: a broken allocator explains the rest. */
static const struct {
	const char *name;
	int (*fn)(struct mmt_machine *m, char *err, size_t len);
} checkers[] = {
	{ "phys", mmt_phys_check },
	{ "pgtable", mmt_pgtable_check },
	{ "slab", mmt_slab_check },
	{ "vmalloc", mmt_vmalloc_check },
	{ "kmap", mmt_kmap_check },
	{ "percpu", mmt_percpu_check },
	{ "mm", mmt_mm_check },
	{ "kstack", mmt_kstack_check },
};

int mmt_machine_check(struct mmt_machine *m, char *err, size_t errlen)
{
	char e[512];

	for (size_t i = 0; i < sizeof(checkers) / sizeof(checkers[0]); i++) {
		e[0] = 0;
		if (checkers[i].fn(m, e, sizeof(e))) {
			snprintf(err, errlen, "%s: %s", checkers[i].name, e);
			return -1;
		}
	}
	return 0;
}

void mmt_machine_free(struct mmt_machine *m)
{
	if (!m)
		return;
	mmt_tasks_exit(m);
	mmt_ipc_exit(m);
	mmt_kalloc_exit(m);
	mmt_kern_exit(m);
	mmt_mm_exit(m);
	free(m);
}
