// SPDX-License-Identifier: MIT
/*
 * mm/memory.c - page faults and the PTE work of unmap, mprotect, mremap,
 * fork and exit, after mm/memory.c, mm/mprotect.c, mm/mremap.c and
 * arch/x86/mm/fault.c of Linux 6.18.
 *
 *   mmt_task_access ─ MMU walk ─ #PF ─► do_user_addr_fault
 *        (retry)                          ├─ kernel address: SIGSEGV
 *                                         ├─ find_vma / expand_stack
 *                                         ├─ access_error: SIGSEGV
 *                                         └─ handle_mm_fault
 *                                               └─ handle_pte_fault
 *          pte none ── anonymous ─► do_anonymous_page (zero page | new)
 *                   └─ file ──────► do_read_fault (fault-around)
 *                                   do_cow_fault / do_shared_fault
 *          pte present, write ────► do_wp_page (reuse | wp_page_copy)
 *          guard marker ──────────► VM_FAULT_SIGSEGV
 *
 * No THP (the host runs THP in madvise mode; MADV_HUGEPAGE regions are
 * still faulted with 4 KiB pages here), no NUMA hinting, no swap, no
 * userfaultfd, no large anonymous folios (mTHP is off by default).
 * Page contents stay lazy: frames have host bytes only once written.
 */
#include "mm/memory.h"
#include "base/bug.h"

#include "arch/x86/pgtable_internal.h"
#include "mm/gup.h"

#include <mmtwin/kalloc.h>

#define PAGE MMT_PAGE_SIZE

/* ------------------------------------------------------ protections */

uint64_t vm_get_page_prot(const struct mmt_machine *m, uint64_t vm_flags)
{
	const uint64_t P = MMT_PTE_PRESENT, U = MMT_PTE_USER,
		       A = MMT_PTE_ACCESSED, RW = MMT_PTE_RW, NX = MMT_PTE_NX;
	const uint64_t none = MMT_PAGE_NONE, ro = P | U | A | NX,
		       rox = P | U | A, sh = P | RW | U | A | NX,
		       shx = P | RW | U | A;
	/* protection_map[]: private writable is read-only (COW) */
	const uint64_t map[16] = {
		none, ro, ro, ro, rox, rox, rox, rox,
		none, ro, sh, sh, rox, rox, shx, shx,
	};
	uint64_t v = map[vm_flags & 0xf];

	if (m->layout.paging.entry_size == 4)
		v &= ~MMT_PTE_NX;
	return v;
}

/* vma_wants_writenotify(): a shared writable mapping of a file whose
 * file system wants to hear of the first write (page_mkwrite: ext4, xfs
 * and other disk file systems; not shmem). */
static bool vma_wants_writenotify(const struct mmt_vma *vma, uint64_t flags)
{
	if ((flags & (MMT_VM_WRITE | MMT_VM_SHARED)) !=
	    (MMT_VM_WRITE | MMT_VM_SHARED))
		return false;
	return vma->vm_file && !vma->vm_file->shmem && !vma->vm_special;
}

uint64_t vma_page_prot(const struct mmt_vma *vma)
{
	uint64_t f = vma->vm_flags;

	if (vma_wants_writenotify(vma, f))
		f &= ~MMT_VM_SHARED;
	return vm_get_page_prot(mm_machine(vma->vm_mm), f);
}

uint64_t zero_pfn(const struct mmt_machine *m)
{
	return m->tasks->zero_pfn;
}

/* ------------------------------------------------------ user pages */

static inline struct mmt_page *page_of(struct mmt_machine *m, uint64_t pfn)
{
	return &m->phys->pages[pfn];
}

/* The machine-wide page counts of /proc/meminfo (vmstat items). */
static inline void vmstat_add(struct mmt_machine *m, enum mmt_vmstat_item i,
			      int64_t n)
{
	m->tasks->vmstat[i] += (uint64_t)n;
}

int user_page_alloc(struct mmt_machine *m, unsigned cpu, uint64_t *pfn)
{
	if (cpu >= m->phys->nr_cpus)
		cpu = 0;
	return mmt_alloc_pages_cpu(m, cpu, MMT_GFP_HIGHUSER_MOVABLE, 0, pfn)
		       ? -ENOMEM : 0;
}

void user_page_free(struct mmt_machine *m, uint64_t pfn)
{
	struct mmt_page *pg = page_of(m, pfn);

	if (pg->mapcount)
		MMT_BUG("freeing user page %#llx with %d maps",
			(unsigned long long)pfn, pg->mapcount);
	if (pg->flags & MMT_PG_ANON)
		vmstat_add(m, MMT_NR_ANON_MAPPED, -1);
	if (pg->flags & MMT_PG_CACHE) {
		vmstat_add(m, MMT_NR_FILE_PAGES, -1);
		if (pg->flags & MMT_PG_SWAPBACKED)
			vmstat_add(m, MMT_NR_SHMEM, -1);
		else if (pg->flags & MMT_PG_DIRTY)
			vmstat_add(m, MMT_NR_FILE_DIRTY, -1);
	}
	pg->flags &= ~(MMT_PG_ANON | MMT_PG_ANON_EXCL | MMT_PG_SWAPBACKED |
		       MMT_PG_CACHE | MMT_PG_DIRTY);
	pg->refcount = 1;
	mmt_free_pages(m, pfn, 0);
}

/* folio_put(): drop one reference; the last frees the frame. */
static void put_page(struct mmt_machine *m, uint64_t pfn)
{
	struct mmt_page *pg = page_of(m, pfn);

	if (pg->refcount <= 0)
		MMT_BUG("put_page of %#llx with refcount %d",
			(unsigned long long)pfn, pg->refcount);
	if (pg->refcount == 1)
		user_page_free(m, pfn);
	else
		pg->refcount--;
}

/* A new exclusive anonymous page (folio_add_new_anon_rmap), mapped once. */
static void page_make_anon(struct mmt_machine *m, uint64_t pfn)
{
	struct mmt_page *pg = page_of(m, pfn);

	pg->flags |= MMT_PG_ANON | MMT_PG_SWAPBACKED | MMT_PG_ANON_EXCL;
	pg->refcount = 1;
	pg->mapcount = 1;
	vmstat_add(m, MMT_NR_ANON_MAPPED, 1);
}

/*
 * clear_user_highpage(): the kernel zeroes the new frame through
 * kmap_local (a fixmap slot on x86_32 highmem, the direct map
 * elsewhere).  The model's frames read as zeros until written, so only
 * the mapping step is taken.
 */
static void clear_user_highpage(struct mmt_machine *m, unsigned cpu,
				uint64_t pfn)
{
	uint64_t va;

	if (mmt_kmap_local_page(m, cpu, pfn, &va) == 0)
		mmt_kunmap_local(m, cpu, va);
}

/* copy_user_highpage(): only bytes that exist are copied. */
static int copy_user_highpage(struct mmt_machine *m, uint64_t dst,
			      uint64_t src)
{
	const void *s = mmt_frame_data(m, src, false);
	void *d;

	if (!s)
		return 0;
	d = mmt_frame_data(m, dst, true);
	if (!d)
		return -ENOMEM;
	memcpy(d, s, PAGE);
	return 0;
}

/* mm_counter(): the rss_stat slot of a mapped page. */
static enum mmt_mm_counter mm_counter(const struct mmt_page *pg)
{
	if (pg->flags & MMT_PG_ANON)
		return MMT_MM_ANONPAGES;
	return pg->flags & MMT_PG_SWAPBACKED ? MMT_MM_SHMEMPAGES
					     : MMT_MM_FILEPAGES;
}

/* folio_add_file_rmap_pte / folio_add_anon_rmap_pte: one more map. */
static void page_add_map(struct mmt_machine *m, struct mmt_page *pg)
{
	if (!pg->mapcount++ && !(pg->flags & MMT_PG_ANON))
		vmstat_add(m, MMT_NR_FILE_MAPPED, 1);
}

/* folio_remove_rmap_pte(): one map fewer. */
static void page_remove_map(struct mmt_machine *m, struct mmt_page *pg)
{
	if (pg->mapcount <= 0)
		MMT_BUG("unmapping a page with mapcount %d", pg->mapcount);
	if (!--pg->mapcount && !(pg->flags & MMT_PG_ANON))
		vmstat_add(m, MMT_NR_FILE_MAPPED, -1);
}

/* folio_mark_dirty() of a page-cache page: shmem keeps no dirty count
 * (noop_dirty_folio); other files count in NR_FILE_DIRTY ("Dirty:"). */
static void page_mark_dirty(struct mmt_machine *m, struct mmt_page *pg)
{
	if (pg->flags & MMT_PG_DIRTY)
		return;
	pg->flags |= MMT_PG_DIRTY;
	if ((pg->flags & MMT_PG_CACHE) && !(pg->flags & MMT_PG_SWAPBACKED))
		vmstat_add(m, MMT_NR_FILE_DIRTY, 1);
}

uint64_t mmt_mm_rss(const struct mmt_mm *mm)
{
	return mm->rss_stat[MMT_MM_FILEPAGES] + mm->rss_stat[MMT_MM_ANONPAGES] +
	       mm->rss_stat[MMT_MM_SHMEMPAGES];
}

void update_hiwater_rss(struct mmt_mm *mm)
{
	uint64_t rss = mmt_mm_rss(mm);

	if (mm->hiwater_rss < rss)
		mm->hiwater_rss = rss;
}

void update_hiwater_vm(struct mmt_mm *mm)
{
	if (mm->hiwater_vm < mm->total_vm)
		mm->hiwater_vm = mm->total_vm;
}

/* ---------------------------------------------------- PTE access */

static inline unsigned pte_level(const struct mmt_machine *m)
{
	return m->layout.paging.levels - 1;
}

/* Bytes one PTE table translates (PMD_SIZE; 4 MiB in 2-level paging). */
static inline uint64_t pte_table_span(const struct mmt_machine *m)
{
	return 1ULL << m->layout.paging.shift[pte_level(m) - 1];
}

/* The PTE table translating @addr in @pgd: its pfn, or MMT_PFN_NONE. */
static uint64_t pte_table_lookup(struct mmt_machine *m, uint64_t pgd,
				 uint64_t addr)
{
	struct pt_walk w;

	pt_walk(m, pgd, addr, pte_level(m), WALK_LOOKUP, &w);
	return w.level == pte_level(m) ? w.tbl[w.level] : MMT_PFN_NONE;
}

/* pte_alloc(): the same, allocating missing tables; NONE on -ENOMEM. */
static uint64_t pte_table_alloc(struct mmt_machine *m, uint64_t pgd,
				uint64_t addr)
{
	struct pt_walk w;

	if (pt_walk(m, pgd, addr, pte_level(m), WALK_ALLOC, &w) ||
	    w.level != pte_level(m))
		return MMT_PFN_NONE;
	return w.tbl[w.level];
}

static inline unsigned pte_index(const struct mmt_machine *m, uint64_t addr)
{
	return pt_index(&m->layout.paging, pte_level(m), addr);
}

static inline uint64_t pte_get(struct mmt_machine *m, uint64_t tbl,
			       unsigned idx)
{
	return pt_get(m->layout.paging.entry_size, pt_frame(m, tbl), idx);
}

static inline void pte_set(struct mmt_machine *m, uint64_t tbl, unsigned idx,
			   uint64_t v)
{
	pt_set(m->layout.paging.entry_size, pt_frame(m, tbl), idx, v);
}

uint64_t mm_get_pte(struct mmt_mm *mm, uint64_t addr)
{
	struct mmt_machine *m = mm_machine(mm);
	uint64_t tbl = pte_table_lookup(m, mm->pgd_pfn, addr);

	return tbl == MMT_PFN_NONE ? 0 : pte_get(m, tbl, pte_index(m, addr));
}

uint64_t vm_normal_pfn(const struct mmt_machine *m, uint64_t pte)
{
	if (pte & MMT_PTE_SPECIAL)
		return MMT_PFN_NONE;
	return mmt_pte_pfn(m, pte);
}

/* A present entry for @pfn with @prot (pfn_pte / mk_pte). */
static inline uint64_t mk_pte(const struct mmt_machine *m, uint64_t pfn,
			      uint64_t prot)
{
	return mmt_pfn_pte(m, pfn, prot);
}

static void flush_page(struct mmt_mm *mm, uint64_t addr)
{
	mmt_flush_tlb_mm_range(mm_machine(mm), mm->pgd_pfn, addr, addr + PAGE,
			       MMT_PAGE_SHIFT, false);
}

/* ---------------------------------------------------- guard markers */

#define SWP_PTE_MARKER		31	/* the last swap type */
#define PTE_MARKER_GUARD	4	/* BIT(2) */

static uint64_t guard_marker(const struct mmt_machine *m)
{
	uint64_t pte = 0;

	mmt_swp_entry_to_pte(m, SWP_PTE_MARKER, PTE_MARKER_GUARD, &pte);
	return pte;
}

bool is_guard_pte(const struct mmt_machine *m, uint64_t pte)
{
	return pte && pte == guard_marker(m);
}

/* ------------------------------------------------------- the fault */

struct vm_fault {
	struct mmt_task *t;
	struct mmt_machine *m;
	struct mmt_mm *mm;
	struct mmt_vma *vma;
	uint64_t address;	/* page aligned */
	unsigned flags;		/* FAULT_FLAG_* */
	uint64_t pgoff;		/* file page of address */
	uint64_t tbl;		/* the PTE table, or MMT_PFN_NONE */
	unsigned idx;
	uint64_t orig_pte;
};

static inline bool fault_write(const struct vm_fault *vmf)
{
	return vmf->flags & FAULT_FLAG_WRITE;
}

/* Allocate the PTE table if the fault did not find one. */
static bool vmf_pte_alloc(struct vm_fault *vmf)
{
	if (vmf->tbl == MMT_PFN_NONE)
		vmf->tbl = pte_table_alloc(vmf->m, vmf->mm->pgd_pfn,
					   vmf->address);
	return vmf->tbl != MMT_PFN_NONE;
}

static void vmf_set_pte(struct vm_fault *vmf, uint64_t v)
{
	pte_set(vmf->m, vmf->tbl, vmf->idx, v);
}

static void mm_rss_add(struct mmt_mm *mm, enum mmt_mm_counter c, int64_t n)
{
	if (n < 0 && mm->rss_stat[c] < (uint64_t)-n)
		MMT_BUG("rss_stat[%d] underflow", (int)c);
	mm->rss_stat[c] += (uint64_t)n;
}

/* do_anonymous_page(): the zero page for a read, a new page for a write. */
static unsigned do_anonymous_page(struct vm_fault *vmf)
{
	struct mmt_machine *m = vmf->m;
	struct mmt_vma *vma = vmf->vma;
	uint64_t prot = vma_page_prot(vma), pfn, entry;

	if (vma->vm_flags & MMT_VM_SHARED)
		return VM_FAULT_SIGBUS;
	if (!vmf_pte_alloc(vmf))
		return VM_FAULT_OOM;
	if (!fault_write(vmf)) {
		vmf_set_pte(vmf, mk_pte(m, zero_pfn(m), prot) |
				 MMT_PTE_SPECIAL);
		return 0;
	}
	anon_vma_prepare(vma);
	if (user_page_alloc(m, vmf->t->cpu, &pfn))
		return VM_FAULT_OOM;
	clear_user_highpage(m, vmf->t->cpu, pfn);
	page_make_anon(m, pfn);
	mm_rss_add(vmf->mm, MMT_MM_ANONPAGES, 1);
	entry = mk_pte(m, pfn, prot) | MMT_PTE_DIRTY;
	if (vma->vm_flags & MMT_VM_WRITE)
		entry |= MMT_PTE_RW;
	vmf_set_pte(vmf, entry);
	return 0;
}

/* Map cache page @pfn at @addr (set_pte_range for one file page). */
static void map_file_page(struct vm_fault *vmf, uint64_t tbl, unsigned idx,
			  uint64_t pfn, uint64_t entry)
{
	struct mmt_page *pg = page_of(vmf->m, pfn);

	pg->refcount++;
	page_add_map(vmf->m, pg);
	mm_rss_add(vmf->mm, mm_counter(pg), 1);
	pte_set(vmf->m, tbl, idx, entry);
}

/*
 * do_fault_around() + filemap_map_pages(): map the cached pages of the
 * fault_around_bytes window around the fault (aligned, inside the VMA,
 * the PTE table and the file) whose PTEs are empty.  True when the
 * faulting page itself got mapped (VM_FAULT_NOPAGE).
 */
static bool do_fault_around(struct vm_fault *vmf)
{
	struct mmt_machine *m = vmf->m;
	struct mmt_vma *vma = vmf->vma;
	struct mmt_mapping *a = vma->vm_file->mapping;
	uint64_t nr = m->tasks->sysctl.fault_around_pages;
	uint64_t pte_off = pte_index(m, vmf->address);
	uint64_t vma_off = vmf->pgoff - vma->vm_pgoff, from, to, fend;
	uint64_t prot = vma_page_prot(vma), base;
	bool mapped = false;

	if (!a || nr <= 1)
		return false;
	from = pte_off & ~(nr - 1);
	if (from < pte_off - (pte_off < vma_off ? pte_off : vma_off))
		from = pte_off - (pte_off < vma_off ? pte_off : vma_off);
	to = from + nr;
	if (to > mmt_pt_ptrs(m, pte_level(m)))
		to = mmt_pt_ptrs(m, pte_level(m));
	if (to > pte_off + vma_pages(vma) - vma_off)
		to = pte_off + vma_pages(vma) - vma_off;
	/* pgoffs [vmf->pgoff + from - pte_off, .. + to - pte_off) */
	fend = (vma->vm_file->size + PAGE - 1) / PAGE;
	base = vmf->pgoff - pte_off;
	for (uint64_t i = from; i < to && base + i < fend; i++) {
		uint64_t pfn = filemap_lookup(a, base + i);

		if (pfn == MMT_PFN_NONE)
			continue;
		if (!vmf_pte_alloc(vmf))
			return false;
		if (pte_get(m, vmf->tbl, (unsigned)i))
			continue;
		map_file_page(vmf, vmf->tbl, (unsigned)i, pfn,
			      mk_pte(m, pfn, prot));
		if (i == pte_off)
			mapped = true;
	}
	return mapped;
}

/* __do_fault(): the page-cache page of the fault, or VM_FAULT_*. */
static unsigned __do_fault(struct vm_fault *vmf, uint64_t *pfn)
{
	struct mmt_vma *vma = vmf->vma;
	int r = filemap_get_page(vmf->m, vma->vm_file, vmf->pgoff,
				 vma->vm_flags, pfn);

	if (r == -EFAULT)
		return VM_FAULT_SIGBUS;
	return r ? VM_FAULT_OOM : 0;
}

static unsigned do_read_fault(struct vm_fault *vmf)
{
	uint64_t pfn;
	unsigned ret;

	if (do_fault_around(vmf))
		return 0;
	ret = __do_fault(vmf, &pfn);
	if (ret)
		return ret;
	if (!vmf_pte_alloc(vmf))
		return VM_FAULT_OOM;
	map_file_page(vmf, vmf->tbl, vmf->idx, pfn,
		      mk_pte(vmf->m, pfn, vma_page_prot(vmf->vma)));
	return 0;
}

/* A write fault on a private file page: copy it into a new anon page. */
static unsigned do_cow_fault(struct vm_fault *vmf)
{
	struct mmt_machine *m = vmf->m;
	struct mmt_vma *vma = vmf->vma;
	uint64_t pfn, cow, entry;
	unsigned ret;

	anon_vma_prepare(vma);
	if (user_page_alloc(m, vmf->t->cpu, &cow))
		return VM_FAULT_OOM;
	ret = __do_fault(vmf, &pfn);
	if (!ret && copy_user_highpage(m, cow, pfn))
		ret = VM_FAULT_OOM;
	if (!ret && !vmf_pte_alloc(vmf))
		ret = VM_FAULT_OOM;
	if (ret) {
		user_page_free(m, cow);
		return ret;
	}
	page_make_anon(m, cow);
	mm_rss_add(vmf->mm, MMT_MM_ANONPAGES, 1);
	entry = mk_pte(m, cow, vma_page_prot(vma)) | MMT_PTE_DIRTY;
	if (vma->vm_flags & MMT_VM_WRITE)
		entry |= MMT_PTE_RW;
	vmf_set_pte(vmf, entry);
	return 0;
}

/* A write fault on a shared file page: map it writable and dirty. */
static unsigned do_shared_fault(struct vm_fault *vmf)
{
	uint64_t pfn, entry;
	unsigned ret = __do_fault(vmf, &pfn);

	if (ret)
		return ret;
	if (!vmf_pte_alloc(vmf))
		return VM_FAULT_OOM;
	entry = mk_pte(vmf->m, pfn, vma_page_prot(vmf->vma)) | MMT_PTE_DIRTY;
	if (vmf->vma->vm_flags & MMT_VM_WRITE)
		entry |= MMT_PTE_RW;
	map_file_page(vmf, vmf->tbl, vmf->idx, pfn, entry);
	page_mark_dirty(vmf->m, page_of(vmf->m, pfn));	/* fault_dirty_shared_page */
	return 0;
}

static unsigned do_fault(struct vm_fault *vmf)
{
	struct mmt_vma *vma = vmf->vma;

	if (!vma->vm_file || vma->vm_special)
		return VM_FAULT_SIGBUS;	/* no ->fault (special mappings: not
					 * modelled) */
	if (!fault_write(vmf))
		return do_read_fault(vmf);
	if (!(vma->vm_flags & MMT_VM_SHARED))
		return do_cow_fault(vmf);
	return do_shared_fault(vmf);
}

/* wp_page_reuse(): the page stays; the PTE becomes writable and dirty. */
static unsigned wp_page_reuse(struct vm_fault *vmf)
{
	uint64_t e = vmf->orig_pte | MMT_PTE_ACCESSED | MMT_PTE_DIRTY;

	if (vmf->vma->vm_flags & MMT_VM_WRITE)
		e |= MMT_PTE_RW;
	vmf_set_pte(vmf, e);
	flush_page(vmf->mm, vmf->address);
	return 0;
}

/* wp_page_copy(): a private copy replaces the shared or zero page. */
static unsigned wp_page_copy(struct vm_fault *vmf, uint64_t old)
{
	struct mmt_machine *m = vmf->m;
	struct mmt_vma *vma = vmf->vma;
	uint64_t pfn, entry;

	anon_vma_prepare(vma);
	if (user_page_alloc(m, vmf->t->cpu, &pfn))
		return VM_FAULT_OOM;
	if (old == MMT_PFN_NONE) {
		clear_user_highpage(m, vmf->t->cpu, pfn);
	} else if (copy_user_highpage(m, pfn, old)) {
		user_page_free(m, pfn);
		return VM_FAULT_OOM;
	}
	page_make_anon(m, pfn);
	if (old == MMT_PFN_NONE) {
		mm_rss_add(vmf->mm, MMT_MM_ANONPAGES, 1);
	} else if (!(page_of(m, old)->flags & MMT_PG_ANON)) {
		mm_rss_add(vmf->mm, mm_counter(page_of(m, old)), -1);
		mm_rss_add(vmf->mm, MMT_MM_ANONPAGES, 1);
	}
	entry = mk_pte(m, pfn, vma_page_prot(vma)) | MMT_PTE_DIRTY;
	if (vma->vm_flags & MMT_VM_WRITE)
		entry |= MMT_PTE_RW;
	vmf_set_pte(vmf, entry);
	flush_page(vmf->mm, vmf->address);
	if (old != MMT_PFN_NONE) {
		page_remove_map(m, page_of(m, old));
		put_page(m, old);
	}
	return 0;
}

/* wp_can_reuse_anon_folio(): nobody else holds the page. */
static bool wp_can_reuse_anon(struct mmt_page *pg)
{
	return pg->refcount == 1;
}

static unsigned do_wp_page(struct vm_fault *vmf)
{
	struct mmt_machine *m = vmf->m;
	uint64_t pfn = vm_normal_pfn(m, vmf->orig_pte);
	struct mmt_page *pg = pfn == MMT_PFN_NONE ? NULL : page_of(m, pfn);

	if (vmf->vma->vm_flags & (MMT_VM_SHARED | MMT_VM_MAYSHARE)) {
		if (!pg)
			return wp_page_reuse(vmf);	/* wp_pfn_shared */
		page_mark_dirty(m, pg);			/* wp_page_shared */
		return wp_page_reuse(vmf);
	}
	if (pg && (pg->flags & MMT_PG_ANON) &&
	    ((pg->flags & MMT_PG_ANON_EXCL) || wp_can_reuse_anon(pg))) {
		pg->flags |= MMT_PG_ANON_EXCL;
		return wp_page_reuse(vmf);
	}
	return wp_page_copy(vmf, pfn);
}

static unsigned handle_pte_fault(struct vm_fault *vmf)
{
	uint64_t e;

	vmf->orig_pte = vmf->tbl == MMT_PFN_NONE
			? 0 : pte_get(vmf->m, vmf->tbl, vmf->idx);
	e = vmf->orig_pte;
	if (!e) {
		if (!vmf->vma->vm_file && !vmf->vma->vm_special)
			return do_anonymous_page(vmf);
		return do_fault(vmf);
	}
	if (!mmt_pte_present(e))	/* do_swap_page: only markers exist */
		return is_guard_pte(vmf->m, e) ? VM_FAULT_SIGSEGV
					       : VM_FAULT_SIGBUS;
	if (mmt_pte_protnone(e))	/* do_numa_page: no NUMA hinting */
		return VM_FAULT_SIGSEGV;
	if (fault_write(vmf)) {
		if (!(e & MMT_PTE_RW))
			return do_wp_page(vmf);
		e |= MMT_PTE_DIRTY;
	}
	e |= MMT_PTE_ACCESSED;
	if (e != vmf->orig_pte)
		vmf_set_pte(vmf, e);	/* ptep_set_access_flags */
	return 0;
}

/* mm_account_fault(): failed faults are not counted; none is major. */
static void mm_account_fault(struct mmt_task *t, unsigned ret)
{
	if (ret & VM_FAULT_ERROR)
		return;
	if (ret & VM_FAULT_MAJOR)
		t->maj_flt++;
	else
		t->min_flt++;
}

unsigned handle_mm_fault(struct mmt_task *t, struct mmt_vma *vma,
			 uint64_t address, unsigned flags)
{
	struct mmt_mm *mm = vma->vm_mm;
	struct vm_fault vmf = {
		.t = t, .m = mm_machine(mm), .mm = mm, .vma = vma,
		.address = address & MMT_PAGE_MASK, .flags = flags,
	};
	unsigned ret;

	vmf.pgoff = vma->vm_pgoff +
		    ((vmf.address - vma->vm_start) >> MMT_PAGE_SHIFT);
	vmf.tbl = pte_table_lookup(vmf.m, mm->pgd_pfn, vmf.address);
	vmf.idx = pte_index(vmf.m, vmf.address);
	ret = handle_pte_fault(&vmf);
	mm_account_fault(t, ret);
	if (mm_tracing(mm))
		mm_trace(mm, "fault at %#llx (%s%s): %s",
			 (unsigned long long)address,
			 flags & FAULT_FLAG_WRITE ? "write" : "read",
			 flags & FAULT_FLAG_REMOTE ? ", gup" : "",
			 ret & VM_FAULT_OOM ? "OOM" :
			 ret & VM_FAULT_SIGBUS ? "SIGBUS" :
			 ret & VM_FAULT_SIGSEGV ? "SIGSEGV" : "handled");
	return ret;
}

/* ----------------------------------------------------- stack growth */

int expand_stack_locked(struct mmt_task *t, struct mmt_vma *vma,
			uint64_t address)
{
	struct mmt_mm *mm = vma->vm_mm;
	struct mmt_machine *m = mm_machine(mm);
	struct mmt_vma *prev = vma_prev(vma);
	uint64_t grow, size, rlim = t->rlim[MMT_RLIMIT_STACK].cur;

	if (!(vma->vm_flags & MMT_VM_GROWSDOWN))
		return -EFAULT;
	address &= MMT_PAGE_MASK;
	if (address < mmt_mmap_min_addr(m))
		return -EPERM;
	if (prev && !(prev->vm_flags & MMT_VM_GROWSDOWN) &&
	    (prev->vm_flags & MMT_VM_ACCESS_FLAGS) &&
	    address - prev->vm_end < m->tasks->sysctl.stack_guard_gap)
		return -ENOMEM;
	if (prev && address < prev->vm_end)
		return -ENOMEM;
	anon_vma_prepare(vma);
	if (address >= vma->vm_start)
		return 0;
	size = vma->vm_end - address;
	grow = (vma->vm_start - address) >> MMT_PAGE_SHIFT;
	if (grow > vma->vm_pgoff)
		return -ENOMEM;
	/* acct_stack_growth() */
	if (!may_expand_vm(t, vma->vm_flags, grow))
		return -ENOMEM;
	if (size > rlim)
		return -ENOMEM;
	if ((vma->vm_flags & MMT_VM_LOCKED) &&
	    !mm_mlock_future_ok(t, vma->vm_flags, grow << MMT_PAGE_SHIFT))
		return -ENOMEM;
	if (security_vm_enough_memory_mm(mm, grow))
		return -ENOMEM;
	if (!(vma->vm_flags & MMT_VM_ACCOUNT))	/* never given back */
		m->tasks->committed_leaked += grow;
	if (vma->vm_flags & MMT_VM_LOCKED)
		mm->locked_vm += grow;
	vm_stat_account(mm, vma->vm_flags, (int64_t)grow);
	vma_set_range(vma, address, vma->vm_end, vma->vm_pgoff - grow);
	mm_trace(mm, "stack [%#llx, %#llx) grew by %llu pages",
		 (unsigned long long)vma->vm_start,
		 (unsigned long long)vma->vm_end, (unsigned long long)grow);
	return 0;
}

/* ----------------------------------------------------- user access */

/* fault_in_kernel_space(): at or above TASK_SIZE_MAX. */
static bool fault_in_kernel_space(const struct mmt_machine *m, uint64_t va)
{
	uint64_t top = mmt_arch_is_64(m->cfg.arch) ? m->layout.task_size_max
						   : m->layout.task_size;

	return va >= top;
}

/* access_error() of arch/x86/mm/fault.c. */
static bool access_error(unsigned pf, const struct mmt_vma *vma)
{
	if (pf & MMT_PF_WRITE)
		return !(vma->vm_flags & MMT_VM_WRITE);
	if (pf & MMT_PF_PROT)
		return true;
	return !(vma->vm_flags & MMT_VM_ACCESS_FLAGS);
}

static int fault_signal(struct mmt_siginfo *si, int signo, int code,
			uint64_t addr)
{
	si->signo = signo;
	si->code = code;
	si->addr = addr;
	return signo;
}

/* do_user_addr_fault(): 0 when the access may be retried. */
static int do_user_addr_fault(struct mmt_task *t, uint64_t va, unsigned pf,
			      struct mmt_siginfo *si)
{
	struct mmt_mm *mm = t->mm;
	struct mmt_vma *vma;
	unsigned flags = FAULT_FLAG_USER, ret;

	if (fault_in_kernel_space(t->m, va))
		return fault_signal(si, MMT_SIGSEGV, MMT_SEGV_MAPERR, va);
	if (pf & MMT_PF_WRITE)
		flags |= FAULT_FLAG_WRITE;
	if (pf & MMT_PF_INSTR)
		flags |= FAULT_FLAG_INSTRUCTION;
	vma = find_vma(mm, va);
	if (!vma)
		return fault_signal(si, MMT_SIGSEGV, MMT_SEGV_MAPERR, va);
	if (vma->vm_start > va && expand_stack_locked(t, vma, va))
		return fault_signal(si, MMT_SIGSEGV, MMT_SEGV_MAPERR, va);
	if (access_error(pf, vma))
		return fault_signal(si, MMT_SIGSEGV, MMT_SEGV_ACCERR, va);
	ret = handle_mm_fault(t, vma, va, flags);
	if (ret & VM_FAULT_OOM)
		return -ENOMEM;
	if (ret & VM_FAULT_SIGBUS)
		return fault_signal(si, MMT_SIGBUS, MMT_BUS_ADRERR, va);
	if (ret & VM_FAULT_SIGSEGV)
		return fault_signal(si, MMT_SIGSEGV, MMT_SEGV_MAPERR, va);
	return 0;
}

/* The byte at physical address @pa. */
static void access_byte(struct mmt_machine *m, uint64_t pa, bool write,
			uint8_t *val)
{
	uint64_t pfn = pa >> MMT_PAGE_SHIFT;
	uint8_t *d = mmt_frame_data(m, pfn, write && val && *val);

	if (!val)
		return;
	if (write) {
		if (d)
			d[pa & (PAGE - 1)] = *val;
	} else {
		*val = d ? d[pa & (PAGE - 1)] : 0;
	}
}

int mmt_task_access(struct mmt_task *t, uint64_t va, unsigned access,
		    uint8_t *val, struct mmt_siginfo *si)
{
	struct mmt_machine *m = t->m;
	unsigned kind = access & 3, pf;
	uint64_t pa;
	int r;

	memset(si, 0, sizeof(*si));
	if (kind > MMT_ACCESS_EXEC)
		return -EINVAL;
	if (m->kern->cpus[t->cpu].cr3 != t->mm->pgd_pfn)
		mmt_cpu_switch_mm(m, t->cpu, t->mm->pgd_pfn);
	for (int tries = 0; tries < 4; tries++) {
		r = mmt_mmu_translate(m, t->cpu, va, kind | MMT_ACCESS_USER,
				      &pa, &pf);
		if (r == MMT_XLATE_OK) {
			access_byte(m, pa, kind == MMT_ACCESS_WRITE, val);
			return 0;
		}
		if (r == MMT_XLATE_GP)	/* non-canonical: #GP, SIGSEGV 0 */
			return fault_signal(si, MMT_SIGSEGV, 0x80, 0);
		r = do_user_addr_fault(t, va, pf, si);
		if (r)
			return r;
	}
	MMT_BUG("access at %#llx still faults after handling",
		(unsigned long long)va);
}

/* -------------------------------------------------------- PTE ranges */

/*
 * Calls @fn on every PTE slot of [start, end) that has a table, one
 * table at a time (the kernel's pmd loop); @fn may rewrite the slot.
 */
typedef void (*pte_range_fn)(struct mmt_machine *m, uint64_t tbl,
			     unsigned idx, uint64_t addr, uint64_t pte,
			     void *priv);

struct pte_walk_ctx {
	pte_range_fn fn;
	void *priv;
};

/* A 4 KiB slot with something in it (present or not). */
static int pte_walk_entry(const struct mmt_walk_entry *e, struct mmt_walk *w)
{
	struct pte_walk_ctx *c = w->priv;

	if (e->level == pte_level(w->m))
		c->fn(w->m, e->table_pfn, e->index, e->start, e->value,
		      c->priv);
	return 0;
}

/* Over the page-table range walker, so empty upper tables cost one
 * entry each, not one lookup per PTE table they could have held. */
static void walk_pte_range(struct mmt_mm *mm, uint64_t start, uint64_t end,
			   pte_range_fn fn, void *priv)
{
	static const struct mmt_walk_ops ops = {
		.leaf = pte_walk_entry, .nonpresent = pte_walk_entry,
	};
	struct pte_walk_ctx c = { fn, priv };

	if (start < end)
		mmt_walk_page_range(mm_machine(mm), mm->pgd_pfn, start, end,
				    &ops, &c);
}

struct zap_ctx {
	struct mmt_mm *mm;
	bool drop_markers;
	bool any;
};

/* try_to_free_pte(): the PTE tables wholly inside [start, end) that the
 * zap left empty go (pt_reclaim.c). */
static void reclaim_pte_tables(struct mmt_mm *mm, uint64_t start,
			       uint64_t end)
{
	struct mmt_machine *m = mm_machine(mm);
	uint64_t span = pte_table_span(m);

	for (uint64_t a = (start + span - 1) & ~(span - 1);
	     a && a + span <= end; a += span)
		mmt_pt_free_empty_pte_table(m, mm->pgd_pfn, a);
}

/* zap_present_pte() / zap_nonpresent_ptes() for one slot. */
static void zap_one(struct mmt_machine *m, uint64_t tbl, unsigned idx,
		    uint64_t addr, uint64_t pte, void *priv)
{
	struct zap_ctx *z = priv;
	uint64_t pfn;
	struct mmt_page *pg;

	(void)addr;
	if (!mmt_pte_present(pte)) {
		if (is_guard_pte(m, pte) && !z->drop_markers)
			return;
		pte_set(m, tbl, idx, 0);
		return;
	}
	pte_set(m, tbl, idx, 0);
	z->any = true;
	pfn = vm_normal_pfn(m, pte);
	if (pfn == MMT_PFN_NONE)
		return;
	pg = page_of(m, pfn);
	if (!(pg->flags & MMT_PG_ANON) && (pte & MMT_PTE_DIRTY))
		page_mark_dirty(m, pg);
	mm_rss_add(z->mm, mm_counter(pg), -1);
	page_remove_map(m, pg);
	put_page(m, pfn);
}

void zap_page_range_single(struct mmt_vma *vma, uint64_t start,
			   uint64_t end, unsigned zap_flags)
{
	struct mmt_mm *mm = vma->vm_mm;
	struct zap_ctx z = { mm, zap_flags & ZAP_DROP_MARKERS, false };

	if (start < vma->vm_start)
		start = vma->vm_start;
	if (end > vma->vm_end)
		end = vma->vm_end;
	if (start >= end)
		return;
	update_hiwater_rss(mm);
	walk_pte_range(mm, start, end, zap_one, &z);
	if (z.any)
		mmt_flush_tlb_mm_range(mm_machine(mm), mm->pgd_pfn, start, end,
				       MMT_PAGE_SHIFT, false);
	if (zap_flags & ZAP_RECLAIM_PT)
		reclaim_pte_tables(mm, start, end);
}

void unmap_vmas(struct mmt_mm *mm, struct mmt_vma *list)
{
	(void)mm;
	for (; list; list = list->vm_next)
		zap_page_range_single(list, list->vm_start, list->vm_end,
				      ZAP_DROP_MARKERS);
}

/* madvise_guard_install(): zap what is mapped, then a marker in every
 * slot (tables allocated as needed).  0 or -ENOMEM. */
int guard_install_range(struct mmt_vma *vma, uint64_t start, uint64_t end)
{
	struct mmt_mm *mm = vma->vm_mm;
	struct mmt_machine *m = mm_machine(mm);
	uint64_t marker = guard_marker(m);

	zap_page_range_single(vma, start, end, 0);
	for (uint64_t a = start; a < end; a += PAGE) {
		uint64_t tbl = pte_table_alloc(m, mm->pgd_pfn, a);

		if (tbl == MMT_PFN_NONE)
			return -ENOMEM;
		pte_set(m, tbl, pte_index(m, a), marker);
	}
	return 0;
}

static void guard_remove_one(struct mmt_machine *m, uint64_t tbl,
			     unsigned idx, uint64_t addr, uint64_t pte,
			     void *priv)
{
	(void)addr;
	(void)priv;
	if (is_guard_pte(m, pte))
		pte_set(m, tbl, idx, 0);
}

void guard_remove_range(struct mmt_vma *vma, uint64_t start, uint64_t end)
{
	walk_pte_range(vma->vm_mm, start, end, guard_remove_one, NULL);
}

/* -------------------------------------------------------- mprotect */

struct cp_ctx {
	struct mmt_vma *vma;
	uint64_t newprot;
	bool try_writable;
	uint64_t pages;
};

/* can_change_pte_writable() */
static bool can_change_pte_writable(struct mmt_machine *m,
				    const struct mmt_vma *vma, uint64_t pte)
{
	uint64_t pfn;

	if (!(vma->vm_flags & MMT_VM_WRITE) || mmt_pte_protnone(pte))
		return false;
	if (!(vma->vm_flags & MMT_VM_SHARED)) {
		pfn = vm_normal_pfn(m, pte);
		return pfn != MMT_PFN_NONE &&
		       (page_of(m, pfn)->flags & MMT_PG_ANON) &&
		       (page_of(m, pfn)->flags & MMT_PG_ANON_EXCL);
	}
	return pte & MMT_PTE_DIRTY;
}

/* change_pte_range() for one slot: pte_modify keeps pfn, A, D, special. */
static void change_one(struct mmt_machine *m, uint64_t tbl, unsigned idx,
		       uint64_t addr, uint64_t pte, void *priv)
{
	const uint64_t keep = MMT_PTE_ACCESSED | MMT_PTE_DIRTY |
			      MMT_PTE_SPECIAL | MMT_PTE_PCD | MMT_PTE_PWT;
	struct cp_ctx *c = priv;
	uint64_t n;

	(void)addr;
	if (!mmt_pte_present(pte))
		return;
	n = mk_pte(m, mmt_pte_pfn(m, pte), c->newprot) | (pte & keep);
	if (c->try_writable && !(n & MMT_PTE_RW) && (n & MMT_PTE_PRESENT) &&
	    can_change_pte_writable(m, c->vma, n))
		n |= MMT_PTE_RW;
	if (n != pte) {
		pte_set(m, tbl, idx, n);
		c->pages++;
	}
}

uint64_t change_protection(struct mmt_vma *vma, uint64_t start, uint64_t end,
			   bool try_writable)
{
	struct mmt_mm *mm = vma->vm_mm;
	uint64_t f = vma->vm_flags;
	/* vma_wants_manual_pte_write_upgrade(): MM_CP_TRY_CHANGE_WRITABLE */
	bool upgrade = (f & MMT_VM_SHARED) ? vma_wants_writenotify(vma, f)
					   : (f & MMT_VM_WRITE);
	struct cp_ctx c = { vma, vma_page_prot(vma), try_writable && upgrade,
			    0 };

	walk_pte_range(mm, start, end, change_one, &c);
	if (c.pages)
		mmt_flush_tlb_mm_range(mm_machine(mm), mm->pgd_pfn, start, end,
				       MMT_PAGE_SHIFT, false);
	return c.pages;
}

/* ------------------------------------------------------- MADV_FREE */

/*
 * The per-CPU lru_lazyfree folio batch of mm/swap.c: folio_mark_lazyfree
 * takes a reference and queues the page; only when the batch is full (31
 * pages, PAGEVEC_SIZE) or drained (lru_add_drain: at the next MADV_FREE,
 * munmap, exit, mlock) do its pages lose PG_swapbacked (LazyFree in
 * smaps) and the reference.
 */
#define FOLIO_BATCH_SIZE 31

struct lru_batch {
	unsigned n;
	uint64_t pfn[FOLIO_BATCH_SIZE];
};

static struct lru_batch *lazyfree_batch(struct mmt_machine *m, unsigned cpu)
{
	struct mmt_tasks *ts = m->tasks;

	if (!ts->lru_lazyfree) {
		ts->lru_lazyfree = calloc(m->phys->nr_cpus,
					  sizeof(struct lru_batch));
		if (!ts->lru_lazyfree)
			return NULL;
	}
	return (struct lru_batch *)ts->lru_lazyfree + cpu;
}

/* folio_batch_move_lru(lru_lazyfree_fn) */
static void lazyfree_move(struct mmt_machine *m, struct lru_batch *b)
{
	for (unsigned i = 0; i < b->n; i++) {
		struct mmt_page *pg = page_of(m, b->pfn[i]);

		if ((pg->flags & MMT_PG_ANON) && (pg->flags & MMT_PG_SWAPBACKED))
			pg->flags &= ~MMT_PG_SWAPBACKED;
		put_page(m, b->pfn[i]);
	}
	b->n = 0;
}

void lru_add_drain(struct mmt_machine *m, unsigned cpu)
{
	if (m->tasks->lru_lazyfree && cpu < m->phys->nr_cpus)
		lazyfree_move(m, lazyfree_batch(m, cpu));
}

void lru_batches_free(struct mmt_machine *m)
{
	for (unsigned cpu = 0; m->tasks->lru_lazyfree &&
			       cpu < m->phys->nr_cpus; cpu++)
		lru_add_drain(m, cpu);
	free(m->tasks->lru_lazyfree);
	m->tasks->lru_lazyfree = NULL;
}

/* folio_mark_lazyfree() */
static void mark_lazyfree(struct mmt_machine *m, unsigned cpu, uint64_t pfn)
{
	struct mmt_page *pg = page_of(m, pfn);
	struct lru_batch *b;

	if (!(pg->flags & MMT_PG_ANON) || !(pg->flags & MMT_PG_SWAPBACKED))
		return;
	b = lazyfree_batch(m, cpu);
	if (!b)
		return;		/* no host memory: the page just stays */
	pg->refcount++;
	b->pfn[b->n++] = pfn;
	if (b->n == FOLIO_BATCH_SIZE)
		lazyfree_move(m, b);
}

/* madvise_free_pte_range() for one slot: clean and old, then queued. */
static void free_one(struct mmt_machine *m, uint64_t tbl, unsigned idx,
		     uint64_t addr, uint64_t pte, void *priv)
{
	unsigned cpu = *(const unsigned *)priv;
	uint64_t pfn;
	struct mmt_page *pg;

	(void)addr;
	if (!(pte & MMT_PTE_PRESENT))
		return;
	pfn = vm_normal_pfn(m, pte);
	if (pfn == MMT_PFN_NONE)
		return;
	pg = page_of(m, pfn);
	if (!(pg->flags & MMT_PG_ANON))
		return;
	/* a dirty folio mapped more than once is skipped (never the case
	 * here: anonymous pages keep their dirt in the PTE) */
	if ((pg->flags & MMT_PG_DIRTY) && pg->mapcount != 1)
		return;
	pg->flags &= ~MMT_PG_DIRTY;
	if (pte & (MMT_PTE_DIRTY | MMT_PTE_ACCESSED))
		pte_set(m, tbl, idx, pte & ~(MMT_PTE_DIRTY | MMT_PTE_ACCESSED));
	mark_lazyfree(m, cpu, pfn);
}

void madvise_free_range(struct mmt_vma *vma, uint64_t start, uint64_t end)
{
	struct mmt_mm *mm = vma->vm_mm;
	unsigned cpu = mm_task(mm)->cpu;

	lru_add_drain(mm_machine(mm), cpu);
	walk_pte_range(mm, start, end, free_one, &cpu);
	mmt_flush_tlb_mm_range(mm_machine(mm), mm->pgd_pfn, start, end,
			       MMT_PAGE_SHIFT, false);
}

/* The batch's references for the checker. */
static void count_batches(struct mmt_machine *m,
			  void (*fn)(uint64_t index, uint64_t pfn, void *priv),
			  void *priv)
{
	for (unsigned cpu = 0; m->tasks->lru_lazyfree &&
			       cpu < m->phys->nr_cpus; cpu++) {
		struct lru_batch *b = lazyfree_batch(m, cpu);

		for (unsigned i = 0; i < b->n; i++)
			fn(0, b->pfn[i], priv);
	}
}

/* ---------------------------------------------------------- mremap */

uint64_t move_page_tables(struct mmt_vma *vma, uint64_t old_addr,
			  struct mmt_vma *new_vma, uint64_t new_addr,
			  uint64_t len)
{
	struct mmt_mm *mm = vma->vm_mm;
	struct mmt_machine *m = mm_machine(mm);
	uint64_t done = 0;

	(void)new_vma;
	for (; done < len; done += PAGE) {
		uint64_t from = pte_table_lookup(m, mm->pgd_pfn,
						 old_addr + done), to, pte;
		unsigned fi = pte_index(m, old_addr + done);

		if (from == MMT_PFN_NONE)
			continue;
		pte = pte_get(m, from, fi);
		if (!pte)
			continue;
		to = pte_table_alloc(m, mm->pgd_pfn, new_addr + done);
		if (to == MMT_PFN_NONE)
			break;
		pte_set(m, from, fi, 0);
		pte_set(m, to, pte_index(m, new_addr + done), pte);
	}
	mmt_flush_tlb_mm_range(m, mm->pgd_pfn, old_addr, old_addr + len,
			       MMT_PAGE_SHIFT, false);
	return done;
}

/* ------------------------------------------------------------- fork */

static bool is_cow_mapping(uint64_t flags)
{
	return (flags & (MMT_VM_SHARED | MMT_VM_MAYWRITE)) == MMT_VM_MAYWRITE;
}

/*
 * copy_pte_range() for the part of one PTE table inside [addr, end):
 * copy_present_pte() shares each page (refcount, mapcount, no longer
 * exclusive), write-protects COW mappings in both tables, and gives the
 * child clean (shared mappings) and old entries; guard markers are
 * copied, nothing else non-present exists without swap.
 */
static int copy_pte_table(struct mmt_vma *dst, struct mmt_vma *src,
			  uint64_t src_tbl, uint64_t addr, uint64_t end)
{
	struct mmt_machine *m = mm_machine(src->vm_mm);
	struct mmt_mm *dst_mm = dst->vm_mm;
	unsigned es = m->layout.paging.entry_size;
	unsigned i0 = pte_index(m, addr);
	unsigned n = (unsigned)((end - addr) >> MMT_PAGE_SHIFT);
	bool cow = is_cow_mapping(src->vm_flags);
	bool shared = src->vm_flags & MMT_VM_SHARED;
	void *s = pt_frame(m, src_tbl), *d = NULL;
	uint64_t guard = guard_marker(m);

	for (unsigned i = i0; i < i0 + n; i++) {
		uint64_t e = pt_get(es, s, i), pfn;

		if (!e)
			continue;
		if (!d) {
			uint64_t t = pte_table_alloc(m, dst_mm->pgd_pfn, addr);

			if (t == MMT_PFN_NONE)
				return -ENOMEM;
			d = pt_frame(m, t);
		}
		if (!mmt_pte_present(e)) {
			if (e == guard)
				pt_set(es, d, i, e);
			continue;
		}
		pfn = vm_normal_pfn(m, e);
		if (pfn != MMT_PFN_NONE) {
			struct mmt_page *pg = page_of(m, pfn);

			pg->refcount++;
			page_add_map(m, pg);
			pg->flags &= ~MMT_PG_ANON_EXCL;
			dst_mm->rss_stat[mm_counter(pg)]++;
		}
		if (cow && (e & MMT_PTE_RW)) {
			e &= ~MMT_PTE_RW;
			pt_set(es, s, i, e);
		}
		if (shared)
			e &= ~MMT_PTE_DIRTY;
		pt_set(es, d, i, e & ~MMT_PTE_ACCESSED);	/* pte_mkold */
	}
	return 0;
}

int copy_page_range(struct mmt_vma *dst, struct mmt_vma *src)
{
	struct mmt_mm *mm = src->vm_mm;
	struct mmt_machine *m = mm_machine(mm);
	uint64_t span = pte_table_span(m), addr = src->vm_start;
	int err = 0;

	/* vma_needs_copy(): faults refill what has no anon_vma, but not
	 * what only the page tables hold (VM_COPY_ON_FORK: guard markers) */
	if (!(src->vm_flags & (MMT_VM_PFNMAP | MMT_VM_MIXEDMAP |
			       MMT_VM_UFFD_WP | MMT_VM_MAYBE_GUARD)) &&
	    !src->anon_vma)
		return 0;
	while (addr < src->vm_end && !err) {
		uint64_t next = (addr & ~(span - 1)) + span;
		uint64_t tbl = pte_table_lookup(m, mm->pgd_pfn, addr);

		if (next > src->vm_end || next == 0)
			next = src->vm_end;
		if (tbl != MMT_PFN_NONE)
			err = copy_pte_table(dst, src, tbl, addr, next);
		addr = next;
	}
	if (is_cow_mapping(src->vm_flags))
		mmt_flush_tlb_mm_range(m, mm->pgd_pfn, src->vm_start,
				       src->vm_end, MMT_PAGE_SHIFT, false);
	return err;
}

/* ---------------------------------------------------------- seeding */

#define PM_PRESENT		(1ULL << 63)
#define PM_FILE			(1ULL << 61)
#define PM_MMAP_EXCLUSIVE	(1ULL << 56)

int mm_seed_page(struct mmt_vma *vma, uint64_t addr, uint64_t pm)
{
	struct mmt_mm *mm = vma->vm_mm;
	struct mmt_machine *m = mm_machine(mm);
	uint64_t prot = vma_page_prot(vma), tbl, pfn, e;
	unsigned idx = pte_index(m, addr);

	if (!(pm & PM_PRESENT))
		return 0;
	tbl = pte_table_alloc(m, mm->pgd_pfn, addr);
	if (tbl == MMT_PFN_NONE)
		return -ENOMEM;
	/* [vdso]/[vvar] pages are not modelled; their table is (VmPTE) */
	if (vma->vm_special || pte_get(m, tbl, idx))
		return 0;
	if ((pm & PM_FILE) && vma->vm_file) {
		uint64_t index = vma->vm_pgoff +
				 ((addr - vma->vm_start) >> MMT_PAGE_SHIFT);
		struct mmt_page *pg;

		if (filemap_find_or_add(m, vma->vm_file, index, &pfn))
			return -ENOMEM;
		pg = page_of(m, pfn);
		pg->refcount++;
		page_add_map(m, pg);
		mm_rss_add(mm, mm_counter(pg), 1);
		pte_set(m, tbl, idx, mk_pte(m, pfn, prot));
		return 0;
	}
	if (!(pm & PM_MMAP_EXCLUSIVE) || (pm & PM_FILE)) {
		pte_set(m, tbl, idx, mk_pte(m, zero_pfn(m), prot) |
				     MMT_PTE_SPECIAL);
		return 0;
	}
	anon_vma_prepare(vma);
	if (user_page_alloc(m, mm_task(mm)->cpu, &pfn))
		return -ENOMEM;
	page_make_anon(m, pfn);
	mm_rss_add(mm, MMT_MM_ANONPAGES, 1);
	e = mk_pte(m, pfn, prot) | MMT_PTE_DIRTY;
	if ((vma->vm_flags & MMT_VM_WRITE) && !(vma->vm_flags & MMT_VM_SHARED))
		e |= MMT_PTE_RW;
	pte_set(m, tbl, idx, e);
	return 0;
}

/* ---------------------------------------------------------- checker */

struct page_count {
	uint64_t pfn;
	int maps;
};

struct check_ctx {
	struct mmt_mm *mm;
	const struct mmt_vma *vma;
	uint64_t rss[MMT_NR_MM_COUNTERS];
	struct page_count *pc;
	size_t n, cap;
	int bad;
	char *err;
	size_t len;
};

static void check_fail(struct check_ctx *c, const char *what, uint64_t addr)
{
	if (c->bad++)
		return;
	snprintf(c->err, c->len, "pid %d: %s at %#llx", mm_task(c->mm)->pid,
		 what, (unsigned long long)addr);
}

static void check_one(struct mmt_machine *m, uint64_t tbl, unsigned idx,
		      uint64_t addr, uint64_t pte, void *priv)
{
	struct check_ctx *c = priv;
	uint64_t pfn;
	struct mmt_page *pg;

	(void)tbl;
	(void)idx;
	if (!mmt_pte_present(pte))
		return;
	pfn = vm_normal_pfn(m, pte);
	if (pfn == MMT_PFN_NONE) {
		if (mmt_pte_pfn(m, pte) != zero_pfn(m))
			check_fail(c, "special PTE not the zero page", addr);
		if (pte & MMT_PTE_RW)
			check_fail(c, "writable zero page", addr);
		return;
	}
	if (pfn >= m->phys->max_pfn) {
		check_fail(c, "PTE beyond RAM", addr);
		return;
	}
	pg = page_of(m, pfn);
	if (!(pg->flags & MMT_PG_HEAD) ||
	    !(pg->flags & (MMT_PG_ANON | MMT_PG_CACHE))) {
		check_fail(c, "PTE maps a frame that is not a user page", addr);
		return;
	}
	if ((pte & MMT_PTE_RW) && !(c->vma->vm_flags & MMT_VM_WRITE))
		check_fail(c, "writable PTE in a read-only VMA", addr);
	if ((pte & MMT_PTE_RW) && (pg->flags & MMT_PG_ANON) &&
	    !(c->vma->vm_flags & MMT_VM_SHARED) &&
	    !(pg->flags & MMT_PG_ANON_EXCL))
		check_fail(c, "writable PTE of a shared anonymous page", addr);
	c->rss[mm_counter(pg)]++;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 256;
		struct page_count *p = realloc(c->pc, cap * sizeof(*p));

		if (!p) {
			check_fail(c, "checker out of host memory", addr);
			return;
		}
		c->pc = p;
		c->cap = cap;
	}
	c->pc[c->n++] = (struct page_count){ pfn, 1 };
}

static int pc_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct page_count *)a)->pfn;
	uint64_t y = ((const struct page_count *)b)->pfn;

	return x < y ? -1 : x > y;
}

/* Page-table entries outside every VMA. */
static void check_outside(struct mmt_machine *m, uint64_t tbl, unsigned idx,
			  uint64_t addr, uint64_t pte, void *priv)
{
	(void)m;
	(void)tbl;
	(void)idx;
	(void)pte;
	check_fail(priv, "PTE outside every VMA", addr);
}

static void check_mm(struct check_ctx *c)
{
	struct mmt_mm *mm = c->mm;
	uint64_t prev_end = 0;

	memset(c->rss, 0, sizeof(c->rss));
	for (struct mmt_vma *v = vma_first(mm); v; v = vma_next(v)) {
		c->vma = v;
		if (v->vm_start > prev_end)
			walk_pte_range(mm, prev_end, v->vm_start,
				       check_outside, c);
		walk_pte_range(mm, v->vm_start, v->vm_end, check_one, c);
		prev_end = v->vm_end;
	}
	for (int i = 0; i < MMT_NR_MM_COUNTERS; i++)
		if (c->rss[i] != mm->rss_stat[i] && !c->bad++)
			snprintf(c->err, c->len,
				 "pid %d: rss_stat[%d] is %llu, the page "
				 "tables map %llu", mm_task(mm)->pid, i,
				 (unsigned long long)mm->rss_stat[i],
				 (unsigned long long)c->rss[i]);
}

/* Each cache page: one reference for the cache. */
static void count_cache(uint64_t index, uint64_t pfn, void *priv)
{
	struct check_ctx *c = priv;

	(void)index;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 256;
		struct page_count *p = realloc(c->pc, cap * sizeof(*p));

		if (!p)
			return;
		c->pc = p;
		c->cap = cap;
	}
	c->pc[c->n++] = (struct page_count){ pfn, 0 };
}

/* Every page's mapcount equals its PTEs, refcount mapcount (+1 cached);
 * the machine's vmstat counts equal what the pages are. */
static void check_counts(struct mmt_machine *m, struct check_ctx *c)
{
	uint64_t vs[MMT_NR_VMSTAT_ITEMS] = { 0 };

	if (c->n)
		qsort(c->pc, c->n, sizeof(*c->pc), pc_cmp);
	for (size_t i = 0; i < c->n && !c->bad;) {
		uint64_t pfn = c->pc[i].pfn;
		int maps = 0, refs = 0;
		struct mmt_page *pg = page_of(m, pfn);

		for (; i < c->n && c->pc[i].pfn == pfn; i++) {
			maps += c->pc[i].maps;
			refs++;
		}
		if (pg->mapcount != maps || pg->refcount != refs)
			snprintf(c->err, c->len, "page %#llx: mapcount %d "
				 "refcount %d, the tables and cache say %d "
				 "and %d", (unsigned long long)pfn,
				 pg->mapcount, pg->refcount, maps, refs),
				c->bad++;
		if (pg->flags & MMT_PG_ANON)
			vs[MMT_NR_ANON_MAPPED]++;
		else if (maps)
			vs[MMT_NR_FILE_MAPPED]++;
		if (pg->flags & MMT_PG_CACHE) {
			vs[MMT_NR_FILE_PAGES]++;
			if (pg->flags & MMT_PG_SWAPBACKED)
				vs[MMT_NR_SHMEM]++;
			else if (pg->flags & MMT_PG_DIRTY)
				vs[MMT_NR_FILE_DIRTY]++;
		}
	}
	for (int i = 0; i < MMT_NR_VMSTAT_ITEMS && !c->bad; i++)
		if (vs[i] != m->tasks->vmstat[i])
			snprintf(c->err, c->len, "vmstat item %d is %llu, the "
				 "pages say %llu", i,
				 (unsigned long long)m->tasks->vmstat[i],
				 (unsigned long long)vs[i]), c->bad++;
}

/* A table link: count the table below if pgtables_bytes counts it. */
static int count_table(const struct mmt_walk_entry *e, struct mmt_walk *w)
{
	if (pt_level_accounted(&w->m->layout.paging, e->level + 1))
		*(uint64_t *)w->priv += MMT_PAGE_SIZE;
	return 0;
}

/* pgtables_bytes equals the user tables the PGD really has. */
static void check_pgtables_bytes(struct mmt_machine *m, struct check_ctx *c)
{
	static const struct mmt_walk_ops ops = { .entry = count_table };
	uint64_t bytes = 0, want = mmt_pgd_pgtables_bytes(m, c->mm->pgd_pfn);

	mmt_walk_page_range(m, c->mm->pgd_pfn, 0, pt_user_end(m), &ops, &bytes);
	if (bytes != want && !c->bad++)
		snprintf(c->err, c->len, "pid %d: pgtables_bytes %llu, the "
			 "page tables hold %llu", mm_task(c->mm)->pid,
			 (unsigned long long)want, (unsigned long long)bytes);
}

int mm_check_pages(struct mmt_machine *m, char *err, size_t len)
{
	struct check_ctx c = { .err = err, .len = len };

	for (struct mmt_task *t = m->tasks->list; t && !c.bad; t = t->next) {
		if (mm_task(t->mm) != t)	/* a thread's mm: once */
			continue;
		c.mm = t->mm;
		check_mm(&c);
		if (!c.bad)
			check_pgtables_bytes(m, &c);
	}
	if (!c.bad) {
		mm_for_each_cache_page(m, count_cache, &c);
		count_batches(m, count_cache, &c);
	}
	if (!c.bad)
		check_counts(m, &c);
	free(c.pc);
	return c.bad ? -1 : 0;
}
