// SPDX-License-Identifier: MIT
/* Placeholder: the kernel half (init_mm page tables, allocators) boots here. */
#include <mmtwin/machine.h>

int mmt_kern_init(struct mmt_machine *m, char *err, size_t errlen)
{
	(void)m, (void)err, (void)errlen;
	return 0;
}

void mmt_kern_exit(struct mmt_machine *m)
{
	(void)m;
}
