/* SPDX-License-Identifier: MIT */
/*
 * mmtwin/page_alloc.h - the physical page allocator API (mm/page_alloc.c).
 *
 * Contract used by every other subsystem (page tables, slab, vmalloc,
 * faults): allocation returns a pfn or an error code and never corrupts;
 * freeing a block that was not allocated with the same order aborts
 * (broken invariant).  GFP bits have the kernel's meanings.
 */
#ifndef MMTWIN_PAGE_ALLOC_H
#define MMTWIN_PAGE_ALLOC_H

#ifdef __cplusplus
extern "C" {
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mmt_machine;

/* zone modifiers and mobility (include/linux/gfp_types.h meanings) */
#define MMT_GFP_DMA		0x0001u
#define MMT_GFP_HIGHMEM		0x0002u
#define MMT_GFP_DMA32		0x0004u
#define MMT_GFP_MOVABLE		0x0008u
#define MMT_GFP_ZONEMASK	0x000fu	/* the four zone modifiers */
#define MMT_GFP_RECLAIMABLE	0x0010u
#define MMT_GFP_HIGH		0x0020u	/* may dip below min (atomic) */
#define MMT_GFP_ZERO		0x0100u
#define MMT_GFP_COMP		0x0200u
#define MMT_GFP_NOWARN		0x0400u
#define MMT_GFP_ACCOUNT		0x0800u

#define MMT_GFP_KERNEL		0x0000u
#define MMT_GFP_ATOMIC		(MMT_GFP_HIGH)
#define MMT_GFP_USER		0x0000u
#define MMT_GFP_HIGHUSER	(MMT_GFP_HIGHMEM)
#define MMT_GFP_HIGHUSER_MOVABLE (MMT_GFP_HIGHMEM | MMT_GFP_MOVABLE)
#define MMT_GFP_KERNEL_ACCOUNT	(MMT_GFP_ACCOUNT)

/*
 * Allocate 2^order contiguous pages.  Returns 0 and the first pfn in *pfn,
 * or -ENOMEM (nothing changed).  The caller owns the block.
 */
int mmt_alloc_pages(struct mmt_machine *m, unsigned gfp, unsigned order,
		    uint64_t *pfn);
/* Return a block obtained from mmt_alloc_pages with the same order. */
void mmt_free_pages(struct mmt_machine *m, uint64_t pfn, unsigned order);

/*
 * The same on a given CPU: orders 0..3 and the THP order go through that
 * CPU's per-CPU page lists (mmt_alloc_pages/mmt_free_pages use CPU 0).
 * mmt_alloc_pages_cpu returns -EINVAL for a CPU that is not online; a
 * block may be freed on any CPU.  mmt_free_pages_cpu aborts on a bad CPU.
 */
int mmt_alloc_pages_cpu(struct mmt_machine *m, unsigned cpu, unsigned gfp,
			unsigned order, uint64_t *pfn);
void mmt_free_pages_cpu(struct mmt_machine *m, unsigned cpu, uint64_t pfn,
			unsigned order);
/* drain_all_pages(NULL): every pcp block of every CPU back to the buddy;
 * returns the pages moved. */
uint64_t mmt_drain_all_pages(struct mmt_machine *m);

/*
 * Frame contents: only frames something wrote to cost host memory.
 * mmt_frame_data() returns the 4096 bytes of @pfn, creating them (zeroed)
 * when @create; NULL when never written and !@create (reads as zeros).
 */
void *mmt_frame_data(struct mmt_machine *m, uint64_t pfn, bool create);
/* Forget a frame's contents (on free). */
void mmt_frame_drop(struct mmt_machine *m, uint64_t pfn);

/* Parse "GFP_KERNEL|__GFP_ZERO" (kernel names); -1 on an unknown word. */
int mmt_gfp_parse(const char *s, unsigned *gfp);

/*
 * GFP_ZONE_BAD (include/linux/gfp.h): the zone-modifier combinations no
 * zone answers -- two of __GFP_DMA, __GFP_DMA32 and __GFP_HIGHMEM
 * together, with or without __GFP_MOVABLE.  The kernel's gfp_zone()
 * hits VM_BUG_ON on them; the model's allocators return -EINVAL.
 */
static inline bool mmt_gfp_zone_bad(unsigned gfp)
{
	const unsigned bad = 1u << (MMT_GFP_DMA | MMT_GFP_HIGHMEM) |
		1u << (MMT_GFP_DMA | MMT_GFP_DMA32) |
		1u << (MMT_GFP_DMA32 | MMT_GFP_HIGHMEM) |
		1u << (MMT_GFP_DMA | MMT_GFP_DMA32 | MMT_GFP_HIGHMEM) |
		1u << (MMT_GFP_MOVABLE | MMT_GFP_HIGHMEM | MMT_GFP_DMA) |
		1u << (MMT_GFP_MOVABLE | MMT_GFP_DMA32 | MMT_GFP_DMA) |
		1u << (MMT_GFP_MOVABLE | MMT_GFP_DMA32 | MMT_GFP_HIGHMEM) |
		1u << (MMT_GFP_MOVABLE | MMT_GFP_DMA32 | MMT_GFP_DMA |
		       MMT_GFP_HIGHMEM);

	return (bad >> (gfp & MMT_GFP_ZONEMASK)) & 1;
}

/* Whole-structure validator; 0 or -1 with a message. */
int mmt_phys_check(struct mmt_machine *m, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
