// SPDX-License-Identifier: MIT
/*
 * /proc/meminfo (fs/proc/meminfo.c), 6.18 field order.  Values the model
 * computes: MemTotal (totalram_pages), MemFree (NR_FREE_PAGES: the buddy
 * lists; pages cached on per-CPU lists are not counted, as in the kernel),
 * MemAvailable (free - totalreserve; no page cache yet), High/Low totals
 * on 32-bit, CommitLimit (vm_commit_limit(): overcommit_kbytes, else
 * overcommit_ratio % of MemTotal; no swap, no hugetlb pages), Committed_AS
 * (vm_memory_committed(): the commit charge, exact), VmallocTotal
 * from the layout, VmallocUsed (vmalloc_nr_pages(): vmalloc's own pages,
 * not vmap/ioremap), PageTables (page-table pages, init_mm's included),
 * Percpu (the first chunk), DirectMap* (init_mm's direct-map leaves),
 * KernelStack (NR_KERNEL_STACK_KB: THREAD_SIZE per live task; the
 * stacks in the per-CPU caches are in VmallocUsed but not here).
 * Everything the model has not run yet (page cache, anon, slab
 * accounting, ...) is 0: docs/physical-memory.md, "Not modelled", lists
 * each such field.
 *
 * JSON (not a kernel format): one object, the fields in the same order,
 * keyed by name without the colon ("MemTotal", "Active(anon)", ...); the
 * values are the text's numbers: kB, except the HugePages_* counts.
 */
#include <mmtwin/kalloc.h>
#include <mmtwin/kern.h>
#include <mmtwin/mm.h>
#include "mm/internal.h"
#include <mmtwin/views.h>
#include "arch/x86/kern_internal.h"

#include <string.h>

/*
 * Where the fields go: text lines in the kernel's layout, or one JSON
 * object of name (without the colon) -> number.
 */
struct mi_out {
	FILE *out;
	struct mmt_json *j;	/* NULL for text */
};

/* A "Name:   N kB" line; @kbytes is already in kB. */
static void field_kb(struct mi_out *o, const char *name, uint64_t kbytes)
{
	char key[32];
	size_t n;

	if (!o->j) {
		fprintf(o->out, "%-16s%8llu kB\n", name,
			(unsigned long long)kbytes);
		return;
	}
	n = strcspn(name, ":");
	snprintf(key, sizeof(key), "%.*s", (int)n, name);
	mmt_json_u64(o->j, key, kbytes);
}

/* A plain count line (HugePages_*: "%-19s%5lu" in the kernel's layout). */
static void field_num(struct mi_out *o, const char *name, uint64_t val)
{
	char key[32];
	size_t n;

	if (!o->j) {
		fprintf(o->out, "%-19s%5llu\n", name, (unsigned long long)val);
		return;
	}
	n = strcspn(name, ":");
	snprintf(key, sizeof(key), "%.*s", (int)n, name);
	mmt_json_u64(o->j, key, val);
}

static void kb(struct mi_out *o, const char *name, uint64_t pages)
{
	field_kb(o, name, pages * 4);
}

/*
 * arch_report_meminfo(): the direct map's leaves by size.  Only the boot
 * mapping is modelled; the kernel later splits large pages around its own
 * image (RO/NX), moving a few MB from the large-page lines to DirectMap4k.
 */
static void direct_map_lines(struct mmt_machine *m, struct mi_out *o)
{
	const uint64_t *n = m->kern->direct_pages;

	field_kb(o, "DirectMap4k:", n[0] * 4);
	if (m->cfg.arch == MMT_ARCH_X86_32)
		field_kb(o, "DirectMap4M:", n[1] * 4096);
	else
		field_kb(o, "DirectMap2M:", n[1] * 2048);
	if (mmt_arch_is_64(m->cfg.arch))	/* direct_gbpages */
		field_kb(o, "DirectMap1G:", n[2] << 20);
}

/* Every field in the kernel's order, to @o. */
static void meminfo_fields(struct mmt_machine *m, struct mi_out *o)
{
	static const char *const zero1[] = {
		"SwapCached:", "Active:", "Inactive:",
		"Active(anon):", "Inactive(anon):", "Active(file):",
		"Inactive(file):", "Unevictable:", "Mlocked:", NULL };
	static const char *const zero2[] = {
		"SwapTotal:", "SwapFree:", "Zswap:", "Zswapped:", NULL };
	static const char *const zero2a[] = {
		"KReclaimable:", "Slab:", "SReclaimable:", "SUnreclaim:",
		NULL };
	const uint64_t *vs = m->tasks ? m->tasks->vmstat : NULL;
	static const char *const zero2b[] = { "SecPageTables:",
		"NFS_Unstable:", "Bounce:", "WritebackTmp:", NULL };
	static const char *const zero3[] = {
		"AnonHugePages:", "ShmemHugePages:", "ShmemPmdMapped:",
		"FileHugePages:", "FilePmdMapped:", "Balloon:", NULL };
	static const char *const huge[] = { "HugePages_Total:",
		"HugePages_Free:", "HugePages_Rsvd:", "HugePages_Surp:", NULL };
	uint64_t total, freep, avail, reserve, high, highfree;
	const struct mmt_layout *l = &m->layout;

	total = m->phys->totalram_pages;
	freep = mmt_phys_nr_free_pages(m);	/* pcp pages are not free */
	reserve = mmt_phys_totalreserve_pages(m);
	avail = freep > reserve ? freep - reserve : 0;
	high = mmt_phys_high_pages(m, false);
	highfree = mmt_phys_high_pages(m, true);
	kb(o, "MemTotal:", total);
	kb(o, "MemFree:", freep);
	kb(o, "MemAvailable:", avail);
	kb(o, "Buffers:", 0);
	/* NR_FILE_PAGES - swap cache - buffers (no swap, no buffers) */
	kb(o, "Cached:", vs ? vs[MMT_NR_FILE_PAGES] : 0);
	for (unsigned i = 0; zero1[i]; i++)
		kb(o, zero1[i], 0);
	if (!mmt_arch_is_64(m->cfg.arch)) {
		kb(o, "HighTotal:", high);
		kb(o, "HighFree:", highfree);
		kb(o, "LowTotal:", total - high);
		kb(o, "LowFree:", freep - highfree);
	}
	for (unsigned i = 0; zero2[i]; i++)
		kb(o, zero2[i], 0);
	kb(o, "Dirty:", vs ? vs[MMT_NR_FILE_DIRTY] : 0);
	kb(o, "Writeback:", 0);
	kb(o, "AnonPages:", vs ? vs[MMT_NR_ANON_MAPPED] : 0);
	kb(o, "Mapped:", vs ? vs[MMT_NR_FILE_MAPPED] : 0);
	kb(o, "Shmem:", vs ? vs[MMT_NR_SHMEM] : 0);
	for (unsigned i = 0; zero2a[i]; i++)
		kb(o, zero2a[i], 0);
	/* NR_KERNEL_STACK_KB: live tasks' stacks, not the cached free ones */
	field_kb(o, "KernelStack:", mmt_kernel_stack_kb(m));
	/* every page-table page the model allocated, init_mm's included */
	kb(o, "PageTables:", m->kern ? mmt_pgtable_pages(m) : 0);
	for (unsigned i = 0; zero2b[i]; i++)
		kb(o, zero2b[i], 0);
	kb(o, "CommitLimit:", m->tasks ? mmt_vm_commit_limit(m) : total / 2);
	kb(o, "Committed_AS:", m->tasks ? mmt_vm_committed(m) : 0);
	field_kb(o, "VmallocTotal:", (l->vmalloc_end - l->vmalloc_start) >> 10);
	kb(o, "VmallocUsed:", mmt_vmalloc_nr_pages(m));
	kb(o, "VmallocChunk:", 0);
	field_kb(o, "Percpu:", m->kalloc ? mmt_percpu_bytes(m) >> 10 : 0);
	for (unsigned i = 0; zero3[i]; i++)
		kb(o, zero3[i], 0);
	for (unsigned i = 0; huge[i]; i++)
		field_num(o, huge[i], 0);
	field_kb(o, "Hugepagesize:",
		 m->cfg.arch == MMT_ARCH_X86_32 ? 4096 : 2048);
	kb(o, "Hugetlb:", 0);
	if (m->kern)
		direct_map_lines(m, o);
}

int mmt_view_meminfo(const struct mmt_view_ctx *c)
{
	struct mmt_machine *m = c->m;
	FILE *out = c->out;
	enum mmt_format fmt = c->fmt;
	char *err = c->err;
	size_t errlen = c->errlen;
	struct mi_out o = { out, NULL };
	struct mmt_json j;

	if (!m->phys) {
		snprintf(err, errlen, "meminfo: no physical memory");
		return -1;
	}
	if (fmt != MMT_FMT_JSON) {
		meminfo_fields(m, &o);
		return 0;
	}
	mmt_json_init(&j, out);
	o.j = &j;
	mmt_json_begin_obj(&j, NULL);
	meminfo_fields(m, &o);
	mmt_json_end_obj(&j);
	mmt_json_finish(&j);
	return 0;
}
