// SPDX-License-Identifier: MIT
/*
 * kernel/kobj.c - which task a kernel object belongs to, for explain: the
 * slab model knows an object's cache (kmem_obj_info), the tasks know their
 * objects' addresses (task_struct, mm_struct, each VMA's vm_area_struct).
 * Nothing is kept per object: one scan per question, no cost on the
 * allocation paths.
 */
#include "kernel/task_internal.h"
#include "mm/vma_internal.h"

#include <string.h>

bool kobj_owner_find(const struct mmt_machine *m, const char *cache,
		     uint64_t object, struct kobj_owner *o)
{
	bool task = !strcmp(cache, "task_struct");
	bool mm = !strcmp(cache, "mm_struct");
	bool vma = !strcmp(cache, "vm_area_struct");

	memset(o, 0, sizeof(*o));
	if (!m->tasks || !(task || mm || vma))
		return false;
	for (const struct mmt_task *t = m->tasks->list; t; t = t->next) {
		if (task && t->kaddr == object) {
			o->task = t;
			return true;
		}
		/* an mm shared by threads answers for its owner only */
		if (!t->mm || mm_task(t->mm) != t)
			continue;
		if (mm && t->mm->kaddr == object) {
			o->task = t;
			return true;
		}
		if (!vma)
			continue;
		for (const struct mmt_vma *v = vma_first(t->mm); v;
		     v = vma_next(v))
			if (v->kaddr == object) {
				o->task = t;
				o->vma = v;
				return true;
			}
	}
	return false;
}
