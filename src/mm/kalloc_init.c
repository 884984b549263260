// SPDX-License-Identifier: MIT
/*
 * Boot of the kernel allocators, in the kernel's order: slab (kmem_cache_init
 * creates the kmalloc caches), the fixmap/kmap bookkeeping, then the per-CPU
 * first chunk.  Runs after the page allocator and init_mm exist.  Teardown
 * only drops host memory: the machine's frames and page tables go with it.
 */
#include <mmtwin/kalloc.h>
#include <mmtwin/machine.h>
#include "mm/kalloc_internal.h"
#include "init/boot.h"

#include <stdlib.h>

static int fixmap_init(struct mmt_machine *m, char *err, size_t errlen)
{
	struct mmt_kalloc *ka = m->kalloc;

	ka->fix_total = m->layout.fix_total;
	ka->fix_use = calloc(ka->fix_total ? ka->fix_total : 1, 1);
	ka->fix_phys = calloc(ka->fix_total ? ka->fix_total : 1,
			      sizeof(uint64_t));
	if (!ka->fix_use || !ka->fix_phys) {
		snprintf(err, errlen, "fixmap: out of host memory");
		return -1;
	}
	return 0;
}

int mmt_kalloc_init(struct mmt_machine *m, char *err, size_t errlen)
{
	m->kalloc = calloc(1, sizeof(*m->kalloc));
	if (!m->kalloc) {
		snprintf(err, errlen, "kalloc: out of host memory");
		return -1;
	}
	if (mmt_slab_init(m, err, errlen) || fixmap_init(m, err, errlen) ||
	    mmt_kmap_init(m, err, errlen) || mmt_percpu_init(m, err, errlen))
		return -1;
	return 0;
}

void mmt_kalloc_exit(struct mmt_machine *m)
{
	struct mmt_kalloc *ka = m->kalloc;

	if (!ka)
		return;
	mmt_percpu_exit(m);
	mmt_kmap_exit(m);
	mmt_vmalloc_exit(m);
	mmt_slab_exit(m);
	free(ka->fix_use);
	free(ka->fix_phys);
	free(ka);
	m->kalloc = NULL;
}
