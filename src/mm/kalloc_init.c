// SPDX-License-Identifier: MIT
/* Placeholder: kernel allocators (slab, vmalloc, kmap, percpu) boot here. */
#include <mmtwin/machine.h>

int mmt_kalloc_init(struct mmt_machine *m, char *err, size_t errlen)
{
	(void)m, (void)err, (void)errlen;
	return 0;
}

void mmt_kalloc_exit(struct mmt_machine *m)
{
	(void)m;
}
