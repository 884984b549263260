// SPDX-License-Identifier: MIT
/*
 * mm/vma.c - the VMA tree and what changes it: link/unlink, the gap
 * searches (unmapped_area, unmapped_area_topdown), merging new and
 * existing ranges, splitting, munmap, brk's do_brk_flags and
 * __mmap_region.  The rules are 6.18's mm/vma.c; the tree is the
 * pre-maple-tree augmented rbtree, searched with the maple tree's
 * semantics (raw gaps between VMAs; the stack guard checked after the
 * search, with a retry, exactly as unmapped_area() does).
 *
 * Simplifications: merges compare anon_vma identities, not chains
 * (is_mergeable_anon_vma(): equal, or one side has none and that side
 * is not a fork child, vma_is_fork_child()); the only vm_ops are a SysV shm attach's
 * open/close (struct mmt_vm_ops: a VMA with a close op is never deleted
 * by a merge); special mappings refuse merging, through VM_DONTEXPAND,
 * and splitting, as may_split;
 * no memory policies, userfaultfd contexts or mseal(); a MAP_FIXED
 * mmap that fails after the old range is checked leaves no splits
 * (the kernel may leave the splits of the aborted munmap).
 */
#include "mm/vma_internal.h"
#include "mm/memory.h"
#include "base/bug.h"

#include <mmtwin/kern.h>
#include <mmtwin/pgtable.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define PAGE MMT_PAGE_SIZE
#define PMD_SIZE (2ULL << 20)

void mm_trace(const struct mmt_mm *mm, const char *fmt, ...)
{
	FILE *f = mm_machine(mm)->phys->trace;
	va_list ap;

	if (!f)
		return;
	fprintf(f, "trace: mm: pid %d: ", mm_task(mm)->pid);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

/* ------------------------------------------------------------ the tree */

static uint64_t subtree_gap(const struct mmt_rb_node *rb)
{
	return rb ? VMA(rb)->rb_subtree_gap : 0;
}

uint64_t vma_compute_subtree_gap(const struct mmt_vma *v)
{
	uint64_t g = v->rb_gap, l = subtree_gap(v->vm_rb.left),
		 r = subtree_gap(v->vm_rb.right);

	if (l > g)
		g = l;
	return r > g ? r : g;
}

MMT_RB_DECLARE_CALLBACKS(static, vma_gap_callbacks, struct mmt_vma, vm_rb,
			 rb_subtree_gap, vma_compute_subtree_gap);

struct mmt_vma *vma_next(const struct mmt_vma *vma)
{
	return vma->vm_next;
}

struct mmt_vma *vma_prev(const struct mmt_vma *vma)
{
	return vma->vm_prev;
}

struct mmt_vma *vma_first(const struct mmt_mm *mm)
{
	return mm_private(mm)->mmap;
}

struct mmt_vma *vma_last(const struct mmt_mm *mm)
{
	return mm_private(mm)->highest;
}

/*
 * The gap a node carries: the one below it, from its predecessor.  The
 * lowest VMA carries none: the "head" gap [0, first->vm_start) is looked
 * at separately, like the tail above the last VMA, so that mapping and
 * unmapping at the bottom of a top-down layout (the common case) does not
 * change the largest gap of every subtree up to the root.
 */
static uint64_t node_gap(const struct mmt_vma *v)
{
	return v->vm_prev ? v->vm_start - v->vm_prev->vm_end : 0;
}

/* Recompute @v's own gap from its predecessor and push it up. */
static void vma_gap_update(struct mmt_vma *v)
{
	v->rb_gap = node_gap(v);
	vma_gap_callbacks.propagate(&v->vm_rb, NULL);
}

/*
 * Insert @vma: descend by vm_start, noting the last nodes passed on the
 * left (prev) and right (next), link it there and on the list, bring the
 * gaps of it and of its successor up to date, rebalance.
 */
void vma_link(struct mmt_mm *mm, struct mmt_vma *vma)
{
	struct mm_private *mp = mm_private(mm);
	struct mmt_rb_node **link = &mp->mm_rb.node, *parent = NULL;
	struct mmt_vma *prev = NULL, *next = NULL;

	while (*link) {
		struct mmt_vma *p = VMA(*link);

		parent = *link;
		MMT_BUG_ON(vma->vm_start < p->vm_end &&
			   p->vm_start < vma->vm_end);
		if (vma->vm_start >= p->vm_start) {
			prev = p;
			link = &parent->right;
		} else {
			next = p;
			link = &parent->left;
		}
	}
	mmt_rb_link_node(&vma->vm_rb, parent, link);
	vma->vm_prev = prev;
	vma->vm_next = next;
	if (prev)
		prev->vm_next = vma;
	else
		mp->mmap = vma;
	if (next)
		next->vm_prev = vma;
	else
		mp->highest = vma;
	vma->rb_gap = node_gap(vma);
	vma->rb_subtree_gap = vma->rb_gap;	/* as a leaf */
	if (parent)
		vma_gap_callbacks.propagate(parent, NULL);
	if (next)
		vma_gap_update(next);
	mmt_rb_insert_augmented(&vma->vm_rb, &mp->mm_rb, &vma_gap_callbacks);
	vma->vm_mm = mm;
	mm->map_count++;
}

void vma_unlink(struct mmt_mm *mm, struct mmt_vma *vma)
{
	struct mm_private *mp = mm_private(mm);
	struct mmt_vma *next = vma->vm_next, *prev = vma->vm_prev;

	mmt_rb_erase_augmented(&vma->vm_rb, &mp->mm_rb, &vma_gap_callbacks);
	mmt_rb_clear_node(&vma->vm_rb);
	if (prev)
		prev->vm_next = next;
	else
		mp->mmap = next;
	if (next)
		next->vm_prev = prev;
	else
		mp->highest = prev;
	vma->vm_next = vma->vm_prev = NULL;
	if (next)
		vma_gap_update(next);
	mm->map_count--;
}

void vma_set_range(struct mmt_vma *vma, uint64_t start, uint64_t end,
		   uint64_t pgoff)
{
	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_pgoff = pgoff;
	if (mmt_rb_empty_node(&vma->vm_rb))
		return;
	vma_gap_update(vma);
	if (vma->vm_next)
		vma_gap_update(vma->vm_next);
}

struct mmt_vma *find_vma(const struct mmt_mm *mm, uint64_t addr)
{
	struct mmt_rb_node *rb = mm_rb(mm)->node;
	struct mmt_vma *best = NULL;

	while (rb) {
		struct mmt_vma *v = VMA(rb);

		if (v->vm_end > addr) {
			best = v;
			if (v->vm_start <= addr)
				break;
			rb = rb->left;
		} else {
			rb = rb->right;
		}
	}
	return best;
}

struct mmt_vma *find_vma_prev(const struct mmt_mm *mm, uint64_t addr,
			      struct mmt_vma **pprev)
{
	struct mmt_vma *vma = find_vma(mm, addr);

	*pprev = vma ? vma_prev(vma) : vma_last(mm);
	return vma;
}

struct mmt_vma *find_vma_intersection(const struct mmt_mm *mm,
				      uint64_t start, uint64_t end)
{
	struct mmt_vma *vma = find_vma(mm, start);

	return vma && vma->vm_start < end ? vma : NULL;
}

/* --------------------------------------------------------- gap search */

uint64_t vm_start_gap(const struct mmt_vma *vma)
{
	uint64_t gap = 0, start;

	if (vma->vm_flags & MMT_VM_GROWSDOWN)
		gap = mm_machine(vma->vm_mm)->tasks->sysctl.stack_guard_gap;
	else if (vma->vm_flags & MMT_VM_SHADOW_STACK)
		gap = PAGE;
	start = vma->vm_start - gap;
	return start > vma->vm_start ? 0 : start;
}

uint64_t vm_end_gap(const struct mmt_vma *vma)
{
	return vma->vm_end;	/* no VM_GROWSUP on x86 */
}

/*
 * The maple tree's empty-area question: a free range of @size bytes
 * inside [low, high), the gap [gs, ge) clipped to the window.
 */
struct area_query {
	uint64_t low, high, size;
};

static bool area_fits(const struct area_query *q, uint64_t gs, uint64_t ge)
{
	uint64_t s = gs > q->low ? gs : q->low, e = ge < q->high ? ge : q->high;

	return e > s && e - s >= q->size;
}

/*
 * The lowest fitting gap below a VMA of @rb's subtree: 1 and *@found
 * (the VMA above the gap), 0 if none here, -1 if none here nor in any
 * later gap (they all start too high).  Subtrees whose largest gap is
 * too small are skipped, so this looks at O(height) nodes.
 */
static int area_lowest_in(struct mmt_rb_node *rb, const struct area_query *q,
			  struct mmt_vma **found)
{
	struct mmt_vma *v;
	uint64_t gs;
	int r;

	if (!rb || subtree_gap(rb) < q->size)
		return 0;
	v = VMA(rb);
	gs = v->vm_start - v->rb_gap;
	if (gs >= q->low + q->size) {	/* a left gap could end high enough */
		r = area_lowest_in(rb->left, q, found);
		if (r)
			return r;
	}
	if (gs > q->high - q->size)
		return -1;
	if (area_fits(q, gs, v->vm_start)) {
		*found = v;
		return 1;
	}
	return area_lowest_in(rb->right, q, found);
}

/* The mirror image: the highest fit; -1 once gaps end too low. */
static int area_highest_in(struct mmt_rb_node *rb, const struct area_query *q,
			   struct mmt_vma **found)
{
	struct mmt_vma *v;
	int r;

	if (!rb || subtree_gap(rb) < q->size)
		return 0;
	v = VMA(rb);
	if (v->vm_end <= q->high - q->size) {	/* a right gap could fit */
		r = area_highest_in(rb->right, q, found);
		if (r)
			return r;
	}
	if (v->vm_start < q->low + q->size)
		return -1;
	if (area_fits(q, v->vm_start - v->rb_gap, v->vm_start)) {
		*found = v;
		return 1;
	}
	return area_highest_in(rb->left, q, found);
}

/*
 * vma_iter_area_lowest(): the lowest free [*start, *start + size) in
 * [low, high); *next is the VMA above its gap (NULL: the tail gap).
 * false when there is none (-EBUSY in the maple tree).
 */
static bool vma_area_lowest(struct mmt_mm *mm, uint64_t low, uint64_t high,
			    uint64_t size, struct mmt_vma **next,
			    uint64_t *start)
{
	struct area_query q = { low, high, size };
	struct mmt_vma *last, *first = vma_first(mm), *v = NULL;
	uint64_t gs;

	if (low >= high || high - low < size)
		return false;
	if (first && area_fits(&q, 0, first->vm_start)) {	/* the head */
		*next = first;
		*start = low;
		return true;
	}
	if (area_lowest_in(mm_rb(mm)->node, &q, &v) == 1) {
		gs = v->vm_start - v->rb_gap;
		*next = v;
		*start = gs > low ? gs : low;
		return true;
	}
	last = vma_last(mm);
	gs = last ? last->vm_end : 0;
	if (!area_fits(&q, gs, UINT64_MAX))
		return false;
	*next = NULL;
	*start = gs > low ? gs : low;
	return true;
}

/* vma_iter_area_highest(): the highest such range, its end in *end. */
static bool vma_area_highest(struct mmt_mm *mm, uint64_t low, uint64_t high,
			     uint64_t size, struct mmt_vma **next,
			     uint64_t *end)
{
	struct area_query q = { low, high, size };
	struct mmt_vma *last = vma_last(mm), *v = NULL;
	uint64_t gs = last ? last->vm_end : 0;

	if (low >= high || high - low < size)
		return false;
	if (area_fits(&q, gs, UINT64_MAX)) {
		*next = NULL;
		*end = high;
		return true;
	}
	if (area_highest_in(mm_rb(mm)->node, &q, &v) != 1) {
		v = vma_first(mm);	/* the head gap is the lowest */
		if (!v || !area_fits(&q, 0, v->vm_start))
			return false;
	}
	*next = v;
	*end = v->vm_start < high ? v->vm_start : high;
	return true;
}

static uint64_t search_low_limit(struct mmt_mm *mm, uint64_t low)
{
	uint64_t min = mmt_mmap_min_addr(mm_machine(mm));

	return low < min ? min : low;
}

#define VM_STARTGAP_FLAGS (MMT_VM_GROWSDOWN | MMT_VM_SHADOW_STACK)

uint64_t unmapped_area(struct mmt_mm *mm,
		       const struct vm_unmapped_area_info *info)
{
	uint64_t length = info->length + info->align_mask + info->start_gap;
	uint64_t low, high = info->high_limit, start, gap;
	struct mmt_vma *next, *prev;

	if (length < info->length)
		return (uint64_t)-ENOMEM;
	low = search_low_limit(mm, info->low_limit);
retry:
	if (!vma_area_lowest(mm, low, high, length, &next, &start))
		return (uint64_t)-ENOMEM;
	gap = start + info->start_gap;
	gap += (info->align_offset - gap) & info->align_mask;
	if (next && (next->vm_flags & VM_STARTGAP_FLAGS)) {
		if (vm_start_gap(next) < gap + length - 1) {
			mm_trace(mm, "gap below %#llx is inside its stack "
				 "guard: search again above it",
				 (unsigned long long)next->vm_start);
			low = next->vm_end;
			goto retry;
		}
	} else {
		prev = next ? vma_prev(next) : vma_last(mm);
		if (prev && vm_end_gap(prev) > gap) {
			low = vm_end_gap(prev);
			goto retry;
		}
	}
	return gap;
}

uint64_t unmapped_area_topdown(struct mmt_mm *mm,
			       const struct vm_unmapped_area_info *info)
{
	uint64_t length = info->length + info->align_mask + info->start_gap;
	uint64_t low, high = info->high_limit, gap, gap_end;
	struct mmt_vma *next, *prev;

	if (length < info->length)
		return (uint64_t)-ENOMEM;
	low = search_low_limit(mm, info->low_limit);
retry:
	if (!vma_area_highest(mm, low, high, length, &next, &gap_end))
		return (uint64_t)-ENOMEM;
	gap = gap_end - info->length;
	gap -= (gap - info->align_offset) & info->align_mask;
	if (next && (next->vm_flags & VM_STARTGAP_FLAGS)) {
		if (vm_start_gap(next) < gap_end) {
			mm_trace(mm, "gap below %#llx is inside its stack "
				 "guard: search again below %#llx",
				 (unsigned long long)next->vm_start,
				 (unsigned long long)vm_start_gap(next));
			high = vm_start_gap(next);
			goto retry;
		}
	} else {
		prev = next ? vma_prev(next) : vma_last(mm);
		if (prev && vm_end_gap(prev) > gap) {
			high = prev->vm_start;
			goto retry;
		}
	}
	return gap;
}

uint64_t vm_unmapped_area(struct mmt_mm *mm,
			  const struct vm_unmapped_area_info *info)
{
	uint64_t addr = info->flags & VM_UNMAPPED_AREA_TOPDOWN
			? unmapped_area_topdown(mm, info)
			: unmapped_area(mm, info);

	mm_trace(mm, "vm_unmapped_area(%s, len %#llx, [%#llx, %#llx), "
		 "align %#llx) = %s%#llx",
		 info->flags & VM_UNMAPPED_AREA_TOPDOWN ? "top-down"
							: "bottom-up",
		 (unsigned long long)info->length,
		 (unsigned long long)info->low_limit,
		 (unsigned long long)info->high_limit,
		 (unsigned long long)info->align_mask,
		 IS_ERR_VALUE(addr) ? "-" : "",
		 (unsigned long long)(IS_ERR_VALUE(addr) ? -addr : addr));
	return addr;
}

/* ------------------------------------------------------ VMA objects */

struct mmt_vma *vm_area_alloc(struct mmt_mm *mm)
{
	struct mmt_vma *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	if (mm_slab_alloc(mm_machine(mm), "vm_area_struct", &v->kaddr)) {
		free(v);
		return NULL;
	}
	v->vm_mm = mm;
	mmt_rb_clear_node(&v->vm_rb);
	return v;
}

struct mmt_vma *vm_area_dup(struct mmt_vma *orig)
{
	return vm_area_dup_mm(orig->vm_mm, orig);
}

struct mmt_vma *vm_area_dup_mm(struct mmt_mm *mm, struct mmt_vma *orig)
{
	struct mmt_vma *v = vm_area_alloc(mm);

	if (!v)
		return NULL;
	v->vm_start = orig->vm_start;
	v->vm_end = orig->vm_end;
	v->vm_flags = orig->vm_flags;
	v->vm_pgoff = orig->vm_pgoff;
	v->vm_special = orig->vm_special;
	/* a split or a copy in the same mm links to the same anon_vmas;
	 * fork's copy gets its own through anon_vma_fork */
	if (mm == orig->vm_mm && anon_vma_clone(v, orig)) {
		vm_area_free(v);
		return NULL;
	}
	v->seeded = orig->seeded;
	v->brk_new = orig->brk_new;
	if (orig->anon_name) {
		v->anon_name = strdup(orig->anon_name);
		if (!v->anon_name) {
			vm_area_free(v);
			return NULL;
		}
	}
	v->vm_file = orig->vm_file ? mmt_file_get(orig->vm_file) : NULL;
	if (vma_vm_ops(v) && vma_vm_ops(v)->open)
		vma_vm_ops(v)->open(v);		/* shm_open */
	return v;
}

void vm_area_free(struct mmt_vma *vma)
{
	MMT_BUG_ON(!mmt_rb_empty_node(&vma->vm_rb));
	if (vma_vm_ops(vma) && vma_vm_ops(vma)->close)
		vma_vm_ops(vma)->close(vma);	/* shm_close */
	if (vma->vm_file)
		mmt_file_put(vma->vm_file);
	unlink_anon_vmas(vma);
	mm_slab_free(mm_machine(vma->vm_mm), "vm_area_struct", vma->kaddr);
	free(vma->anon_name);
	mmt_free_poisoned(vma, sizeof(*vma));
}

/* ------------------------------------------------------- accounting */

bool is_exec_mapping(uint64_t flags)
{
	return (flags & (MMT_VM_EXEC | MMT_VM_WRITE | MMT_VM_GROWSDOWN)) ==
	       MMT_VM_EXEC;
}

bool is_stack_mapping(uint64_t flags)
{
	return (flags & MMT_VM_GROWSDOWN) == MMT_VM_GROWSDOWN;
}

bool is_data_mapping(uint64_t flags)
{
	return (flags & (MMT_VM_WRITE | MMT_VM_SHARED | MMT_VM_GROWSDOWN)) ==
	       MMT_VM_WRITE;
}

void vm_stat_account(struct mmt_mm *mm, uint64_t flags, int64_t npages)
{
	mm->total_vm += npages;
	if (is_exec_mapping(flags))
		mm->exec_vm += npages;
	else if (is_stack_mapping(flags))
		mm->stack_vm += npages;
	else if (is_data_mapping(flags))
		mm->data_vm += npages;
}

static uint64_t rlim_pages(const struct mmt_task *t, enum mmt_rlimit_res r)
{
	return t->rlim[r].cur >> MMT_PAGE_SHIFT;
}

bool may_expand_vm(struct mmt_task *t, uint64_t flags, uint64_t npages)
{
	struct mmt_mm *mm = t->mm;

	if (mm->total_vm + npages > rlim_pages(t, MMT_RLIMIT_AS))
		return false;
	if (is_data_mapping(flags) &&
	    mm->data_vm + npages > rlim_pages(t, MMT_RLIMIT_DATA)) {
		/* the Valgrind workaround: a zero soft limit is ignored */
		if (t->rlim[MMT_RLIMIT_DATA].cur == 0 &&
		    mm->data_vm + npages <=
		    t->rlim[MMT_RLIMIT_DATA].max >> MMT_PAGE_SHIFT)
			return true;
		return false;
	}
	return true;
}

/* ------------------------------------------------------------ merging */

static bool anon_name_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* is_mergeable_vma(): everything but position and anon_vma agrees. */
static bool is_mergeable_vma(const struct vma_merge_struct *vmg,
			     bool merge_next)
{
	const struct mmt_vma *tgt = merge_next ? vmg->next : vmg->prev;

	if ((tgt->vm_flags ^ vmg->vm_flags) & ~MMT_VM_IGNORE_MERGE)
		return false;
	if (tgt->vm_file != vmg->file)
		return false;
	return anon_name_eq(tgt->anon_name, vmg->anon_name);
}

/* vma_is_fork_child(): an anon_vma, and a chain that links more than it
 * (the VMA came from fork and may share pages with its parent's). */
static bool vma_is_fork_child(const struct mmt_vma *vma)
{
	return vma && vma->anon_vma && vma_anon_chain_len(vma) != 1;
}

/* is_mergeable_anon_vma(): equal; or only one side has an anon_vma, which
 * the merged VMA will take, and the VMA that has it is not a fork child
 * (6.18's three cases; vmg->middle is the source of an existing range). */
static bool is_mergeable_anon_vma(const struct vma_merge_struct *vmg,
				  bool merge_next)
{
	const struct mmt_vma *tgt = merge_next ? vmg->next : vmg->prev;

	if (!tgt->anon_vma && vmg->anon_vma)
		return !vma_is_fork_child(vmg->middle);
	if (tgt->anon_vma && !vmg->anon_vma)
		return !vma_is_fork_child(tgt);
	return tgt->anon_vma == vmg->anon_vma;
}

static bool can_vma_merge_before(const struct vma_merge_struct *vmg)
{
	uint64_t pglen = (vmg->end - vmg->start) >> MMT_PAGE_SHIFT;

	return is_mergeable_vma(vmg, true) &&
	       is_mergeable_anon_vma(vmg, true) &&
	       vmg->next->vm_pgoff == vmg->pgoff + pglen;
}

static bool can_vma_merge_after(const struct vma_merge_struct *vmg)
{
	return is_mergeable_vma(vmg, false) &&
	       is_mergeable_anon_vma(vmg, false) &&
	       vmg->prev->vm_pgoff + vma_pages(vmg->prev) == vmg->pgoff;
}

static bool can_vma_merge_left(const struct vma_merge_struct *vmg)
{
	return vmg->prev && vmg->prev->vm_end == vmg->start &&
	       can_vma_merge_after(vmg);
}

/* With @merge_left too, prev and next must also agree on anon_vma. */
static bool can_vma_merge_right(const struct vma_merge_struct *vmg,
				bool merge_left)
{
	const struct mmt_vma *next = vmg->next, *prev = vmg->prev;

	if (!next || vmg->end != next->vm_start || !can_vma_merge_before(vmg))
		return false;
	if (!merge_left)
		return true;
	return !prev->anon_vma || !next->anon_vma ||
	       prev->anon_vma == next->anon_vma;
}

/* dup_anon_vma(): @dst takes @src's anon_vmas if it has none.  (An
 * allocation failure leaves @dst without: the model's merges cannot
 * fail, and the kernel's -ENOMEM here is as rare.) */
static void dup_anon_vma(struct mmt_vma *dst, const struct mmt_vma *src)
{
	if (!dst->anon_vma && src && src->anon_vma)
		anon_vma_clone(dst, src);
}

static void remove_vma(struct mmt_mm *mm, struct mmt_vma *vma)
{
	vma_unlink(mm, vma);
	vm_area_free(vma);
}

static void trace_vma(struct mmt_mm *mm, const char *what,
		      const struct mmt_vma *v)
{
	mm_trace(mm, "%s [%#llx, %#llx)", what,
		 (unsigned long long)v->vm_start,
		 (unsigned long long)v->vm_end);
}

/*
 * vma_merge_new_range(): may the new range [start, end) join prev, next
 * or both?  Returns the VMA that now covers it, or NULL (no merge: the
 * caller allocates a VMA).  Nothing is allocated here.
 */
struct mmt_vma *vma_merge_new_range(struct vma_merge_struct *vmg)
{
	struct mmt_vma *prev = vmg->prev, *next = vmg->next;
	bool left, right;

	if ((vmg->vm_flags & MMT_VM_SPECIAL) || (!prev && !next)) {
		mm_trace(vmg->mm, "no merge for [%#llx, %#llx): %s",
			 (unsigned long long)vmg->start,
			 (unsigned long long)vmg->end,
			 prev || next ? "VM_SPECIAL" : "no neighbours");
		return NULL;
	}
	left = can_vma_merge_left(vmg);
	right = !vmg->just_expand && can_vma_merge_right(vmg, left);
	if (!left && !right) {
		mm_trace(vmg->mm, "no merge for [%#llx, %#llx): neighbours "
			 "%s", (unsigned long long)vmg->start,
			 (unsigned long long)vmg->end,
			 (prev && prev->vm_end == vmg->start) ||
			 (next && next->vm_start == vmg->end)
			 ? "differ (flags, file, pgoff, anon_vma or name)"
			 : "not adjacent");
		return NULL;
	}
	if (left && right) {
		uint64_t end = next->vm_end;

		dup_anon_vma(prev, next);
		trace_vma(vmg->mm, "merge: prev absorbs the range and next", next);
		prev->vm_flags |= (next->vm_flags | vmg->vm_flags) & MMT_VM_STICKY;
		remove_vma(vmg->mm, next);
		vma_set_range(prev, prev->vm_start, end, prev->vm_pgoff);
		return prev;
	}
	if (left) {
		mm_trace(vmg->mm, "merge: prev [%#llx, %#llx) grows to %#llx",
			 (unsigned long long)prev->vm_start,
			 (unsigned long long)prev->vm_end,
			 (unsigned long long)vmg->end);
		prev->vm_flags |= vmg->vm_flags & MMT_VM_STICKY;
		vma_set_range(prev, prev->vm_start, vmg->end, prev->vm_pgoff);
		return prev;
	}
	mm_trace(vmg->mm, "merge: next [%#llx, %#llx) grows down to %#llx",
		 (unsigned long long)next->vm_start,
		 (unsigned long long)next->vm_end,
		 (unsigned long long)vmg->start);
	next->vm_flags |= vmg->vm_flags & MMT_VM_STICKY;
	vma_set_range(next, vmg->start, next->vm_end, vmg->pgoff);
	return next;
}

static bool can_merge_remove_vma(const struct mmt_vma *vma)
{
	return !vma_vm_ops(vma) || !vma_vm_ops(vma)->close;
}

/*
 * vma_merge_existing_range(): mprotect changed [start, end) of
 * vmg->middle to vmg->vm_flags.  A merge is possible only when the range
 * touches an end of middle: left (prev grows over it; middle shrinks or
 * goes), right (next grows down over it), or both (middle and next go).
 * Returns the VMA now covering [start, end), or NULL (no merge).
 */
static struct mmt_vma *vma_merge_existing_range(struct vma_merge_struct *vmg)
{
	struct mmt_vma *middle = vmg->middle, *prev = vmg->prev, *next = NULL;
	bool left_side = vmg->start == middle->vm_start;
	bool right_side = vmg->end == middle->vm_end;
	bool merge_left, merge_right;
	uint64_t pglen = (vmg->end - vmg->start) >> MMT_PAGE_SHIFT;

	if ((vmg->vm_flags & MMT_VM_SPECIAL) || (!left_side && !right_side))
		return NULL;
	merge_left = left_side && can_vma_merge_left(vmg);
	if (right_side) {
		next = vmg->next = vma_next(middle);
		merge_right = can_vma_merge_right(vmg, merge_left);
	} else {
		merge_right = false;
	}
	if (!merge_left && !merge_right)
		return NULL;
	/* can_merge_remove_vma(): a VMA with a close op (a shm attach) is
	 * never deleted by a merge; the merge is abandoned instead */
	if ((left_side && right_side && !can_merge_remove_vma(middle)) ||
	    (merge_left && merge_right && !can_merge_remove_vma(next))) {
		trace_vma(vmg->mm, "no merge: vm_ops->close on", middle);
		return NULL;
	}
	if (merge_left && merge_right) {
		uint64_t end = next->vm_end;

		trace_vma(vmg->mm, "merge: prev absorbs the range and next",
			  next);
		dup_anon_vma(prev, next->anon_vma ? next : middle);
		prev->vm_flags |= (vmg->vm_flags | next->vm_flags) &
				  MMT_VM_STICKY;
		remove_vma(vmg->mm, middle);
		remove_vma(vmg->mm, next);
		vma_set_range(prev, prev->vm_start, end, prev->vm_pgoff);
		return prev;
	}
	if (merge_left) {
		trace_vma(vmg->mm, "merge: prev grows over the range of", middle);
		dup_anon_vma(prev, middle);
		prev->vm_flags |= vmg->vm_flags & MMT_VM_STICKY;
		if (right_side)
			remove_vma(vmg->mm, middle);
		else
			vma_set_range(middle, vmg->end, middle->vm_end,
				      middle->vm_pgoff + pglen);
		vma_set_range(prev, prev->vm_start, vmg->end, prev->vm_pgoff);
		return prev;
	}
	trace_vma(vmg->mm, "merge: next grows down over the range of", middle);
	dup_anon_vma(next, middle);
	next->vm_flags |= vmg->vm_flags & MMT_VM_STICKY;
	if (left_side)
		remove_vma(vmg->mm, middle);
	else
		vma_set_range(middle, middle->vm_start, vmg->start,
			      middle->vm_pgoff);
	vma_set_range(next, vmg->start, next->vm_end, next->vm_pgoff - pglen);
	return next;
}

/*
 * __split_vma(): cut @vma at @addr; the new VMA takes the lower part
 * (@new_below) or the upper one, whose vm_pgoff moves with it.  0, or
 * -EINVAL (a special mapping: may_split refuses), -ENOMEM.
 */
static int __split_vma(struct mmt_mm *mm, struct mmt_vma *vma, uint64_t addr,
		       bool new_below)
{
	struct mmt_vma *new;
	uint64_t delta = (addr - vma->vm_start) >> MMT_PAGE_SHIFT;

	MMT_BUG_ON(addr <= vma->vm_start || addr >= vma->vm_end);
	if (vma->vm_special) {
		mm_trace(mm, "no split of %s: may_split refuses",
			 vma->vm_special);
		return -EINVAL;
	}
	new = vm_area_dup(vma);
	if (!new)
		return -ENOMEM;
	mm_trace(mm, "split [%#llx, %#llx) at %#llx (new VMA %s)",
		 (unsigned long long)vma->vm_start,
		 (unsigned long long)vma->vm_end, (unsigned long long)addr,
		 new_below ? "below" : "above");
	if (new_below) {
		new->vm_end = addr;
		vma_set_range(vma, addr, vma->vm_end, vma->vm_pgoff + delta);
	} else {
		new->vm_start = addr;
		new->vm_pgoff += delta;
		vma_set_range(vma, vma->vm_start, addr, vma->vm_pgoff);
	}
	vma_link(mm, new);
	return 0;
}

int split_vma(struct mmt_mm *mm, struct mmt_vma *vma, uint64_t addr,
	      bool new_below)
{
	if (mm->map_count >= mm_machine(mm)->tasks->sysctl.max_map_count)
		return -ENOMEM;
	return __split_vma(mm, vma, addr, new_below);
}

struct mmt_vma *vma_modify_flags(struct mmt_mm *mm, struct mmt_vma *prev,
				 struct mmt_vma *vma, uint64_t start,
				 uint64_t end, uint64_t newflags, int *error)
{
	struct vma_merge_struct vmg = {
		.mm = mm, .prev = prev, .middle = vma, .start = start,
		.end = end, .vm_flags = newflags, .file = vma->vm_file,
		.pgoff = vma->vm_pgoff +
			 ((start - vma->vm_start) >> MMT_PAGE_SHIFT),
		.anon_vma = vma->anon_vma, .anon_name = vma->anon_name,
	};
	struct mmt_vma *merged = vma_merge_existing_range(&vmg);

	if (merged)
		return merged;
	if (vma->vm_start < start) {
		*error = split_vma(mm, vma, start, true);
		if (*error)
			return NULL;
	}
	if (vma->vm_end > end) {
		*error = split_vma(mm, vma, end, false);
		if (*error)
			return NULL;
	}
	return vma;
}

/* ------------------------------------------------------------- munmap */

/*
 * free_pgtables(): the page tables under the detached VMAs (chained
 * through vm_next, lowest first), nearby ones (within a PMD) in one
 * free_pgd_range, none below @floor or above @ceiling (0: the top).
 */
static void free_pgtables(struct mmt_mm *mm, struct mmt_vma *list,
			  uint64_t floor, uint64_t ceiling)
{
	struct mmt_machine *m = mm_machine(mm);

	while (list) {
		struct mmt_vma *first = list, *last = list, *next = list->vm_next;

		while (next && next->vm_start <= last->vm_end + PMD_SIZE) {
			last = next;
			next = last->vm_next;
		}
		mmt_free_pgd_range(m, mm->pgd_pfn, first->vm_start,
				   last->vm_end, floor,
				   next ? next->vm_start : ceiling);
		list = next;
	}
}

/* Free the detached VMAs chained through vm_next. */
static void free_detached(struct mmt_vma *list)
{
	while (list) {
		struct mmt_vma *n = list->vm_next;

		list->vm_next = NULL;
		vm_area_free(list);
		list = n;
	}
}

/* Unlink @vma and append it to the detached list ending at *@tail. */
static struct mmt_vma **detach_vma(struct mmt_mm *mm, struct mmt_vma *vma,
				   struct mmt_vma **tail)
{
	vma_unlink(mm, vma);
	*tail = vma;
	return &vma->vm_next;
}

/* What the detached VMAs held, for vms_complete_munmap_vmas(). */
struct munmap_counts {
	uint64_t nr_pages, locked, accounted, exec, stack, data;
};

static void munmap_count(struct munmap_counts *c, const struct mmt_vma *v)
{
	uint64_t n = vma_pages(v);

	c->nr_pages += n;
	if (v->vm_flags & MMT_VM_LOCKED)
		c->locked += n;
	if (v->vm_flags & MMT_VM_ACCOUNT)
		c->accounted += n;
	if (is_exec_mapping(v->vm_flags))
		c->exec += n;
	else if (is_stack_mapping(v->vm_flags))
		c->stack += n;
	else if (is_data_mapping(v->vm_flags))
		c->data += n;
}

int do_vmi_align_munmap(struct mmt_mm *mm, struct mmt_vma *vma,
			uint64_t start, uint64_t end)
{
	struct mmt_machine *m = mm_machine(mm);
	struct munmap_counts c = { 0 };
	struct mmt_vma *prev, *next, *last, *list = NULL, **tail = &list;
	bool split_start = false;
	int err;

	/* vms_gather_munmap_vmas(): split the ends, detach the middle */
	if (start > vma->vm_start) {
		if (end < vma->vm_end &&
		    mm->map_count >= m->tasks->sysctl.max_map_count) {
			mm_trace(mm, "munmap inside [%#llx, %#llx): map_count "
				 "%lu at vm.max_map_count: -ENOMEM",
				 (unsigned long long)vma->vm_start,
				 (unsigned long long)vma->vm_end,
				 mm->map_count);
			return -ENOMEM;
		}
		if (vma_is_sealed(vma))
			return -EPERM;
		err = __split_vma(mm, vma, start, true);
		if (err)
			return err;
		split_start = true;
	}
	prev = vma_prev(vma);
	for (struct mmt_vma *v = vma; v && v->vm_start < end; v = vma_next(v))
		if (vma_is_sealed(v))
			return -EPERM;
	/*
	 * The split at the end before anything is detached: when it is
	 * refused (a special mapping, vm.max_map_count) every VMA stays,
	 * as vms_abort_munmap_vmas() re-attaches what was gathered (the
	 * split at the start stays, as in the kernel).
	 */
	last = find_vma(mm, end - 1);
	if (last && last->vm_start < end && last->vm_end > end) {
		err = __split_vma(mm, last, end, false);
		if (err) {
			if (split_start)
				vma->split_left = vma_prev(vma)->split_left = true;
			return err;
		}
	}
	while (vma && vma->vm_start < end) {
		struct mmt_vma *n;

		if (vma->vm_end > end) {
			err = __split_vma(mm, vma, end, false);
			if (err)
				return err;
		}
		n = vma_next(vma);
		munmap_count(&c, vma);
		trace_vma(mm, "unmap", vma);
		tail = detach_vma(mm, vma, tail);
		vma = n;
	}
	next = vma;
	/* vms_complete_munmap_vmas(): PTEs, counters, page tables, free */
	lru_add_drain(m, mm_task(mm)->cpu);
	unmap_vmas(mm, list);
	update_hiwater_vm(mm);
	mm->total_vm -= c.nr_pages;
	mm->locked_vm -= c.locked;
	mm->exec_vm -= c.exec;
	mm->stack_vm -= c.stack;
	mm->data_vm -= c.data;
	m->tasks->vm_committed_as -= c.accounted;
	free_pgtables(mm, list, prev ? prev->vm_end : 0,
		      next ? next->vm_start : 0);
	free_detached(list);
	return 0;
}

int do_vmi_munmap(struct mmt_mm *mm, uint64_t start, uint64_t len)
{
	uint64_t ts = mm->task_size, end;
	struct mmt_vma *vma;

	if ((start & ~MMT_PAGE_MASK) || start > ts || len > ts - start)
		return -EINVAL;
	end = start + ((len + PAGE - 1) & MMT_PAGE_MASK);
	if (end == start)
		return -EINVAL;
	vma = find_vma_intersection(mm, start, end);
	if (!vma)
		return 0;
	return do_vmi_align_munmap(mm, vma, start, end);
}

/* Pages of [start, end) in VMAs with all of @flags (0: every VMA). */
static uint64_t count_pages_with(const struct mmt_mm *mm, uint64_t start,
				 uint64_t end, uint64_t flags)
{
	uint64_t n = 0;

	for (struct mmt_vma *v = find_vma_intersection(mm, start, end);
	     v && v->vm_start < end; v = vma_next(v)) {
		uint64_t s = v->vm_start > start ? v->vm_start : start;
		uint64_t e = v->vm_end < end ? v->vm_end : end;

		if ((v->vm_flags & flags) == flags)
			n += (e - s) >> MMT_PAGE_SHIFT;
	}
	return n;
}

uint64_t count_vma_pages_range(const struct mmt_mm *mm, uint64_t start,
			       uint64_t end)
{
	return count_pages_with(mm, start, end, 0);
}

/* ---------------------------------------------------------------- brk */

/*
 * do_brk_flags(): [addr, addr + len) for the heap.  "Just expand" the
 * heap VMA @brkvma when it ends at @addr and agrees; else a new
 * anonymous VMA with vm_pgoff = addr >> PAGE_SHIFT.  0 or -ENOMEM.
 */
int do_brk_flags(struct mmt_mm *mm, struct mmt_vma *brkvma, uint64_t addr,
		 uint64_t len, uint64_t vm_flags)
{
	struct mmt_task *t = mm_task(mm);
	struct mmt_machine *m = mm_machine(mm);
	uint64_t pages = len >> MMT_PAGE_SHIFT;
	struct mmt_vma *vma = NULL;

	vm_flags |= MMT_VM_READ | MMT_VM_WRITE | MMT_VM_MAYREAD |
		    MMT_VM_MAYWRITE | MMT_VM_MAYEXEC | MMT_VM_ACCOUNT |
		    mm->def_flags;
	if (t->personality & MMT_PER_READ_IMPLIES_EXEC)
		vm_flags |= MMT_VM_EXEC;	/* VM_DATA_FLAGS_TSK_EXEC */
	if (!may_expand_vm(t, vm_flags, pages))
		return -ENOMEM;
	if (mm->map_count > m->tasks->sysctl.max_map_count)
		return -ENOMEM;
	if (security_vm_enough_memory_mm(mm, pages))
		return -ENOMEM;
	if (brkvma && brkvma->vm_end == addr) {
		struct vma_merge_struct vmg = {
			.mm = mm, .prev = brkvma, .start = addr,
			.end = addr + len, .vm_flags = vm_flags,
			.pgoff = addr >> MMT_PAGE_SHIFT, .just_expand = true,
		};

		vma = vma_merge_new_range(&vmg);
	}
	if (!vma) {
		vma = vm_area_alloc(mm);
		if (!vma) {
			vm_unacct_memory(m, pages);	/* unacct_fail */
			return -ENOMEM;
		}
		vma->vm_start = addr;
		vma->vm_end = addr + len;
		vma->vm_pgoff = addr >> MMT_PAGE_SHIFT;
		vma->vm_flags = vm_flags;
		vma->brk_new = true;
		vma_link(mm, vma);
		trace_vma(mm, "brk: new heap VMA", vma);
	}
	mm->total_vm += pages;
	mm->data_vm += pages;
	if (vm_flags & MMT_VM_LOCKED)
		mm->locked_vm += pages;
	return 0;
}

/* -------------------------------------------------------- mmap_region */

/* accountable_mapping(): private writable, not NORESERVE: commit charge */
static bool accountable_mapping(uint64_t vm_flags)
{
	return (vm_flags & (MMT_VM_NORESERVE | MMT_VM_SHARED |
			    MMT_VM_WRITE)) == MMT_VM_WRITE;
}

/* __mmap_new_vma(): a VMA for the range, with the shmem file if asked. */
static struct mmt_vma *mmap_new_vma(struct mmt_mm *mm, struct mmt_file *file,
				    uint64_t addr, uint64_t len,
				    uint64_t vm_flags, uint64_t pgoff)
{
	struct mmt_vma *vma = vm_area_alloc(mm);

	if (!vma)
		return NULL;
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_flags = vm_flags;
	vma->vm_pgoff = pgoff;
	if (file) {
		vma->vm_file = mmt_file_get(file);
		if (file->vm_ops && file->vm_ops->open)
			file->vm_ops->open(vma);	/* shm_mmap */
	} else if (vm_flags & MMT_VM_SHARED) {
		vma->vm_file = shmem_zero_file(mm_machine(mm), len);
		if (!vma->vm_file) {
			vm_area_free(vma);
			return NULL;
		}
	}
	vma_link(mm, vma);
	trace_vma(mm, "new VMA", vma);
	return vma;
}

/* vms->nr_accounted: the VM_ACCOUNT pages of [start, end). */
static uint64_t count_accounted_pages(const struct mmt_mm *mm, uint64_t start,
				      uint64_t end)
{
	return count_pages_with(mm, start, end, MMT_VM_ACCOUNT);
}

/*
 * The commit charge of a new mapping, asked before anything MAP_FIXED
 * overlaps is unmapped (the kernel's counters still hold the overlap
 * then: it is only detached).  __mmap_prepare(): a private writable
 * mapping charges pglen less the accounted pages it replaces, whose
 * charge it takes over (*@replaced: the unmap must not give it back).
 * shmem_zero_setup() -> shmem_acct_size(): a shared anonymous one
 * without VM_NORESERVE charges its size (*@shmem).  0 or -ENOMEM.
 */
static int mmap_charge(struct mmt_mm *mm, struct mmt_file *file,
		       uint64_t addr, uint64_t end, uint64_t *vm_flags,
		       uint64_t *charged, uint64_t *replaced, uint64_t *shmem)
{
	uint64_t pglen = (end - addr) >> MMT_PAGE_SHIFT;
	int err;

	if (accountable_mapping(*vm_flags)) {
		*replaced = count_accounted_pages(mm, addr, end);
		*charged = pglen - *replaced;
		if (*charged) {
			err = security_vm_enough_memory_mm(mm, *charged);
			if (err)
				return err;
		}
		*vm_flags |= MMT_VM_ACCOUNT;
	} else if (!file && (*vm_flags & MMT_VM_SHARED) &&
		   !(*vm_flags & MMT_VM_NORESERVE)) {
		err = security_vm_enough_memory_mm(mm, pglen);
		if (err)
			return err;
		*shmem = pglen;
	}
	return 0;
}

int64_t mmap_region(struct mmt_mm *mm, struct mmt_file *file, uint64_t addr,
		    uint64_t len, uint64_t vm_flags, uint64_t pgoff)
{
	struct mmt_task *t = mm_task(mm);
	struct mmt_machine *m = mm_machine(mm);
	uint64_t pglen = len >> MMT_PAGE_SHIFT, end = addr + len, charged = 0;
	uint64_t replaced = 0, shmem = 0;
	struct mmt_vma *vma = NULL, *prev, *next = find_vma(mm, addr);
	uint64_t old = next && next->vm_start < end
		       ? count_vma_pages_range(mm, addr, end) : 0;
	struct vma_merge_struct vmg;
	int err;

	/* __mmap_prepare(): vms_gather_munmap_vmas() refuses a sealed
	 * overlap first; limits, the charge, then unmap the overlap */
	for (struct mmt_vma *v = old ? next : NULL; v && v->vm_start < end;
	     v = vma_next(v))
		if (vma_is_sealed(v))
			return do_vmi_munmap(mm, addr, len);	/* -EPERM */
	if (!may_expand_vm(t, vm_flags, pglen - old)) {
		mm_trace(mm, "mmap [%#llx, %#llx): RLIMIT_AS/RLIMIT_DATA: "
			 "-ENOMEM", (unsigned long long)addr,
			 (unsigned long long)end);
		return -ENOMEM;
	}
	err = mmap_charge(mm, file, addr, end, &vm_flags, &charged, &replaced,
			  &shmem);
	if (err)
		return err;
	/* call_mmap_prepare(), before anything MAP_FIXED overlaps is gone:
	 * ext4_file_mmap_prepare() (xfs alike) refuses VM_SYNC on a non-DAX
	 * inode (daxdev_mapping_supported), MAP_PRIVATE or not */
	if (file && file->mmap_sync && (vm_flags & MMT_VM_SYNC)) {
		mm_trace(mm, "mmap [%#llx, %#llx): VM_SYNC on a non-DAX file: "
			 "-EOPNOTSUPP", (unsigned long long)addr,
			 (unsigned long long)end);
		return -EOPNOTSUPP;
	}
	if (old) {
		err = do_vmi_munmap(mm, addr, len);
		if (err) {
			vm_unacct_memory(m, charged + shmem);
			return err;
		}
		/* vms->nr_accounted = 0: the replaced pages stay charged */
		vm_acct_memory(m, replaced);
		next = find_vma(mm, addr);
	}
	prev = next ? next->vm_prev : vma_last(mm);
	vmg = (struct vma_merge_struct){
		.mm = mm, .prev = prev, .next = next, .start = addr,
		.end = end, .pgoff = pgoff, .vm_flags = vm_flags,
		.file = file,
	};
	if (prev || next)
		vma = vma_merge_new_range(&vmg);
	if (!vma)
		vma = mmap_new_vma(mm, file, addr, len, vm_flags, pgoff);
	if (!vma) {
		/* unacct_error; what was replaced is gone in the model */
		vm_unacct_memory(m, charged + (old ? replaced : 0) + shmem);
		return -ENOMEM;
	}
	if (shmem) {		/* the object holds its charge (shmem_acct_size) */
		MMT_BUG_ON(!vma->vm_file || !vma->vm_file->shmem);
		vma->vm_file->acct_pages = shmem;
		vma->vm_file->acct_m = m;
		m->tasks->shmem_committed += shmem;
	}
	/* __mmap_complete() */
	vm_stat_account(mm, vm_flags, pglen);
	if (vm_flags & MMT_VM_LOCKED) {
		if (vm_flags & (MMT_VM_SPECIAL | MMT_VM_HUGETLB))
			vma->vm_flags &= ~(MMT_VM_LOCKED | MMT_VM_LOCKONFAULT);
		else
			mm->locked_vm += pglen;
	}
	return (int64_t)addr;
}

void exit_mmap(struct mmt_mm *mm)
{
	struct mmt_vma *vma = vma_first(mm), *list = NULL, **tail = &list;

	while (vma) {
		struct mmt_vma *n = vma_next(vma);

		if (vma->vm_flags & MMT_VM_ACCOUNT)
			mm_machine(mm)->tasks->vm_committed_as -=
				vma_pages(vma);
		tail = detach_vma(mm, vma, tail);
		vma = n;
	}
	lru_add_drain(mm_machine(mm), mm_task(mm)->cpu);
	unmap_vmas(mm, list);
	free_pgtables(mm, list, 0, 0);
	free_detached(list);
	mm->total_vm = mm->locked_vm = mm->data_vm = 0;
	mm->exec_vm = mm->stack_vm = 0;
}
