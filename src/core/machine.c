// SPDX-License-Identifier: MIT
/*
 * Booting a modelled machine: memory map first (the kernel's setup_arch
 * order), then the layout that depends on how much RAM there is.
 */
#include <mmtwin/machine.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int load_memmap(const struct mmt_config *c, struct mmt_e820 *fw,
		       char *err, size_t errlen)
{
	if (!strcmp(c->memmap_src, "default") || !c->memmap_src[0]) {
		mmt_e820_qemu_default(c->mem_bytes, fw);
		return 0;
	}
	if (!strcmp(c->memmap_src, "host"))
		return mmt_e820_read("/proc/iomem", fw, err, errlen);
	return mmt_e820_read(c->memmap_src, fw, err, errlen);
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
	if (m->ram_end_pfn > (64ULL << (40 - MMT_PAGE_SHIFT))) {
		snprintf(err, errlen, "memory map has RAM above 64 TiB, more "
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
	struct mmt_machine *m = calloc(1, sizeof(*m));

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

void mmt_machine_free(struct mmt_machine *m)
{
	if (!m)
		return;
	mmt_kalloc_exit(m);
	mmt_kern_exit(m);
	mmt_mm_exit(m);
	free(m);
}

uint64_t mmt_host_resident_bytes(void)
{
	unsigned long long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%llu %llu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE);
}
