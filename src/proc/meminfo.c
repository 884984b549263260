// SPDX-License-Identifier: MIT
/*
 * /proc/meminfo (fs/proc/meminfo.c), 6.18 field order.  Values the model
 * computes: MemTotal (totalram_pages), MemFree (NR_FREE_PAGES: the buddy
 * lists; pages cached on per-CPU lists are not counted, as in the kernel),
 * MemAvailable (free - totalreserve; no page cache yet), High/Low totals
 * on 32-bit, CommitLimit (overcommit_ratio 50, no swap), VmallocTotal
 * from the layout, PageTables (page-table pages, init_mm's included) and
 * Percpu (the first chunk), DirectMap* (init_mm's direct-map leaves).
 * Everything the model has not run yet (page cache, anon, slab
 * accounting, ...) is 0.
 */
#include <mmtwin/kalloc.h>
#include <mmtwin/kern.h>
#include <mmtwin/phys.h>
#include <mmtwin/views.h>

static void kb(FILE *out, const char *name, uint64_t pages)
{
	fprintf(out, "%-16s%8llu kB\n", name, (unsigned long long)pages * 4);
}

/*
 * arch_report_meminfo(): the direct map's leaves by size.  Only the boot
 * mapping is modelled; the kernel later splits large pages around its own
 * image (RO/NX), moving a few MB from the large-page lines to DirectMap4k.
 */
static void direct_map_lines(struct mmt_machine *m, FILE *out)
{
	const uint64_t *n = m->kern->direct_pages;

	fprintf(out, "%-16s%8llu kB\n", "DirectMap4k:",
		(unsigned long long)n[0] * 4);
	if (m->cfg.arch == MMT_ARCH_X86_32)
		fprintf(out, "%-16s%8llu kB\n", "DirectMap4M:",
			(unsigned long long)n[1] * 4096);
	else
		fprintf(out, "%-16s%8llu kB\n", "DirectMap2M:",
			(unsigned long long)n[1] * 2048);
	if (mmt_arch_is_64(m->cfg.arch))	/* direct_gbpages */
		fprintf(out, "%-16s%8llu kB\n", "DirectMap1G:",
			(unsigned long long)n[2] << 20);
}

int mmt_view_meminfo(struct mmt_machine *m, FILE *out, enum mmt_format fmt,
		     char *err, size_t errlen)
{
	static const char *const zero1[] = {
		"Buffers:", "Cached:", "SwapCached:", "Active:", "Inactive:",
		"Active(anon):", "Inactive(anon):", "Active(file):",
		"Inactive(file):", "Unevictable:", "Mlocked:", NULL };
	static const char *const zero2[] = {
		"SwapTotal:", "SwapFree:", "Zswap:", "Zswapped:", "Dirty:",
		"Writeback:", "AnonPages:", "Mapped:", "Shmem:",
		"KReclaimable:", "Slab:", "SReclaimable:", "SUnreclaim:",
		"KernelStack:", NULL };
	static const char *const zero2b[] = { "SecPageTables:",
		"NFS_Unstable:", "Bounce:", "WritebackTmp:", NULL };
	static const char *const zero3[] = {
		"AnonHugePages:", "ShmemHugePages:", "ShmemPmdMapped:",
		"FileHugePages:", "FilePmdMapped:", "Balloon:", NULL };
	uint64_t total, freep, avail, reserve, high, highfree;
	const struct mmt_layout *l = &m->layout;

	(void)fmt;
	if (!m->phys) {
		snprintf(err, errlen, "meminfo: no physical memory");
		return -1;
	}
	total = m->phys->totalram_pages;
	freep = mmt_phys_nr_free_pages(m);	/* pcp pages are not free */
	reserve = mmt_phys_totalreserve_pages(m);
	avail = freep > reserve ? freep - reserve : 0;
	high = mmt_phys_high_pages(m, false);
	highfree = mmt_phys_high_pages(m, true);
	kb(out, "MemTotal:", total);
	kb(out, "MemFree:", freep);
	kb(out, "MemAvailable:", avail);
	for (unsigned i = 0; zero1[i]; i++)
		kb(out, zero1[i], 0);
	if (!mmt_arch_is_64(m->cfg.arch)) {
		kb(out, "HighTotal:", high);
		kb(out, "HighFree:", highfree);
		kb(out, "LowTotal:", total - high);
		kb(out, "LowFree:", freep - highfree);
	}
	for (unsigned i = 0; zero2[i]; i++)
		kb(out, zero2[i], 0);
	/* every page-table page the model allocated, init_mm's included */
	kb(out, "PageTables:", m->kern ? mmt_pgtable_pages(m) : 0);
	for (unsigned i = 0; zero2b[i]; i++)
		kb(out, zero2b[i], 0);
	kb(out, "CommitLimit:", total * 50 / 100);
	kb(out, "Committed_AS:", 0);
	fprintf(out, "%-16s%8llu kB\n", "VmallocTotal:",
		(unsigned long long)((l->vmalloc_end - l->vmalloc_start) >> 10));
	kb(out, "VmallocUsed:", 0);
	kb(out, "VmallocChunk:", 0);
	fprintf(out, "%-16s%8llu kB\n", "Percpu:", (unsigned long long)
		(m->kalloc ? mmt_percpu_bytes(m) >> 10 : 0));
	for (unsigned i = 0; zero3[i]; i++)
		kb(out, zero3[i], 0);
	fprintf(out, "HugePages_Total:   %5lu\nHugePages_Free:    %5lu\n"
		"HugePages_Rsvd:    %5lu\nHugePages_Surp:    %5lu\n", 0UL, 0UL,
		0UL, 0UL);
	fprintf(out, "%-16s%8llu kB\n", "Hugepagesize:",
		m->cfg.arch == MMT_ARCH_X86_32 ? 4096ULL : 2048ULL);
	kb(out, "Hugetlb:", 0);
	if (m->kern)
		direct_map_lines(m, out);
	return 0;
}
