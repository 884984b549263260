/* SPDX-License-Identifier: MIT */
/*
 * mm/memory.h - user pages: faults (mm/memory.c), the page cache
 * (mm/filemap.c), and the page-table operations of munmap, mprotect,
 * mremap, madvise, fork and exit.  Private to the library.
 *
 * A user page is an order-0 frame from the buddy (GFP_HIGHUSER_MOVABLE)
 * whose descriptor says what it is:
 *   anonymous   MMT_PG_ANON | MMT_PG_SWAPBACKED (| MMT_PG_ANON_EXCL while
 *               one mm may write it without copying); refcount = mapcount
 *               = the PTEs mapping it
 *   page cache  MMT_PG_CACHE (| MMT_PG_SWAPBACKED for shmem); refcount =
 *               1 + mapcount; lru_next = its index in the file
 *   zero page   the kernel's empty_zero_page, mapped read-only and special
 *               (never counted, never freed)
 */
#ifndef MMT_MM_MEMORY_H
#define MMT_MM_MEMORY_H

#include "mm/vma_internal.h"
#include "base/bug.h"

#include <mmtwin/pgtable.h>

/* page flags beyond mm/internal.h's */
#define MMT_PG_ANON_EXCL	0x0080u	/* PageAnonExclusive */
#define MMT_PG_SWAPBACKED	0x0100u	/* PG_swapbacked (clear: lazyfree) */
#define MMT_PG_CACHE		0x0200u	/* in a mapping's page cache */

/* vm_fault_t */
#define VM_FAULT_OOM		0x0001u
#define VM_FAULT_SIGBUS		0x0002u
#define VM_FAULT_MAJOR		0x0004u
#define VM_FAULT_SIGSEGV	0x0040u
#define VM_FAULT_ERROR (VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV)

/* enum fault_flag (the ones the model uses) */
#define FAULT_FLAG_WRITE	0x0001u
#define FAULT_FLAG_REMOTE	0x0080u	/* gup: not the task's own access */
#define FAULT_FLAG_INSTRUCTION	0x0100u
#define FAULT_FLAG_USER		0x0040u

/* protection_map[] of arch/x86/mm/pgprot.c: the PTE bits of @vm_flags
 * (READ/WRITE/EXEC/SHARED), NX dropped where entries are 4 bytes. */
uint64_t vm_get_page_prot(const struct mmt_machine *m, uint64_t vm_flags);
/* vma->vm_page_prot: the above, read-only for shared writable mappings
 * that want write notification (vma_wants_writenotify). */
uint64_t vma_page_prot(const struct mmt_vma *vma);

/* The shared zero page (empty_zero_page in the kernel image's bss). */
uint64_t zero_pfn(const struct mmt_machine *m);

/* A zeroed order-0 user frame on @cpu; its descriptor is reset. */
int user_page_alloc(struct mmt_machine *m, unsigned cpu, uint64_t *pfn);
void user_page_free(struct mmt_machine *m, uint64_t pfn);

/*
 * handle_mm_fault(): resolve a fault at @address in @vma (already
 * checked by the caller, as do_user_addr_fault and gup do) for @t, whose
 * fault counters it updates (mm_account_fault).  A vm_fault_t: 0, or
 * VM_FAULT_* bits.
 */
unsigned handle_mm_fault(struct mmt_task *t, struct mmt_vma *vma,
			 uint64_t address, unsigned flags);

/*
 * expand_stack_locked(): grow the VM_GROWSDOWN @vma down to @address
 * (page-rounded) if RLIMIT_STACK, RLIMIT_AS, the guard gap to the VMA
 * below and mmap_min_addr allow.  0 or a negative errno.
 */
int expand_stack_locked(struct mmt_task *t, struct mmt_vma *vma,
			uint64_t address);

/*
 * zap_page_range_single(): remove the PTEs of [start, end) inside @vma,
 * dropping the pages' maps and references (pages nobody holds go back
 * to the buddy) and flushing the TLBs.  Guard markers stay unless
 * ZAP_DROP_MARKERS (munmap and exit drop them, MADV_DONTNEED keeps them);
 * ZAP_RECLAIM_PT (MADV_DONTNEED with CONFIG_PT_RECLAIM) frees a PTE
 * table left empty when the range covered all of it.
 */
#define ZAP_DROP_MARKERS	0x1u
#define ZAP_RECLAIM_PT		0x2u
void zap_page_range_single(struct mmt_vma *vma, uint64_t start,
			   uint64_t end, unsigned zap_flags);
/* unmap_vmas(): zap every VMA of the list chained through vm_next. */
void unmap_vmas(struct mmt_mm *mm, struct mmt_vma *list);
/* update_hiwater_rss() / update_hiwater_vm() */
void update_hiwater_rss(struct mmt_mm *mm);
void update_hiwater_vm(struct mmt_mm *mm);

/*
 * change_protection(): rewrite the present PTEs of [start, end) in @vma
 * (whose vm_flags are already the new ones) with the new protection,
 * keeping pfn and Accessed/Dirty; with @try_writable, make writable the
 * PTEs can_change_pte_writable() allows.  Returns the PTEs changed.
 */
uint64_t change_protection(struct mmt_vma *vma, uint64_t start, uint64_t end,
			   bool try_writable);

/*
 * move_page_tables(): move the PTEs of [old_addr, old_addr + len) of
 * @vma to @new_addr in @new_vma (same mm), keeping pages, maps and
 * counters.  Returns the bytes moved (len, or less on -ENOMEM).
 */
uint64_t move_page_tables(struct mmt_vma *vma, uint64_t old_addr,
			  struct mmt_vma *new_vma, uint64_t new_addr,
			  uint64_t len);

/* copy_page_range(): fork's copy of @src's PTEs into @dst. 0/-ENOMEM. */
int copy_page_range(struct mmt_vma *dst, struct mmt_vma *src);

/* MADV_FREE on a range (madvise_free_pte_range): anonymous pages lose
 * Dirty and Accessed and are queued to become lazily freeable. */
void madvise_free_range(struct mmt_vma *vma, uint64_t start, uint64_t end);
/* lru_add_drain(): @cpu's folio batches (lazyfree) take effect. */
void lru_add_drain(struct mmt_machine *m, unsigned cpu);
/* Drain every CPU's batches and free them (machine teardown). */
void lru_batches_free(struct mmt_machine *m);

/* MADV_GUARD_INSTALL / MADV_GUARD_REMOVE on [start, end) of @vma. */
int guard_install_range(struct mmt_vma *vma, uint64_t start, uint64_t end);
void guard_remove_range(struct mmt_vma *vma, uint64_t start, uint64_t end);

/*
 * Seeding from a live process: install the page its /proc/PID/pagemap
 * entry @pm describes at @addr of @vma (present: a page-cache page for
 * PM_FILE, an anonymous page for PM_MMAP_EXCLUSIVE, else the zero page;
 * anything else: nothing).  Anonymous pages are taken as written (dirty,
 * writable where the VMA is).  0 or -ENOMEM.
 */
int mm_seed_page(struct mmt_vma *vma, uint64_t addr, uint64_t pm);

/* The raw PTE of @addr in @mm (0: none or no table). */
uint64_t mm_get_pte(struct mmt_mm *mm, uint64_t addr);
/* vm_normal_page(): the descriptor's pfn behind a present @pte, or
 * MMT_PFN_NONE for special entries (the zero page). */
uint64_t vm_normal_pfn(const struct mmt_machine *m, uint64_t pte);

/* --- the page cache (filemap.c) --- */
struct mmt_mapping *file_mapping(struct mmt_machine *m, struct mmt_file *f);
uint64_t filemap_lookup(const struct mmt_mapping *a, uint64_t index);
int filemap_get_page(struct mmt_machine *m, struct mmt_file *f,
		     uint64_t index, uint64_t vm_flags, uint64_t *pfn);
/* The cache page at @index, added without read-ahead if missing. */
int filemap_find_or_add(struct mmt_machine *m, struct mmt_file *f,
			uint64_t index, uint64_t *pfn);
bool mapping_is_shmem(const struct mmt_mapping *a);
uint64_t mapping_nrpages(const struct mmt_mapping *a);
void mapping_put(struct mmt_mapping *a);
void mapping_for_each_page(const struct mmt_mapping *a,
			   void (*fn)(uint64_t index, uint64_t pfn, void *priv),
			   void *priv);

void mm_for_each_cache_page(struct mmt_machine *m,
			    void (*fn)(uint64_t index, uint64_t pfn, void *priv),
			    void *priv);
/* Is @pte a guard marker (MADV_GUARD_INSTALL)? */
bool is_guard_pte(const struct mmt_machine *m, uint64_t pte);

/* The mm's page checks for mmt_mm_check (memory.c). */
int mm_check_pages(struct mmt_machine *m, char *err, size_t len);

#endif
