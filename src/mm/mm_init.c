// SPDX-License-Identifier: MIT
/* Placeholder: physical memory (memblock, zones, buddy) boots here. */
#include <mmtwin/machine.h>

int mmt_mm_init(struct mmt_machine *m, char *err, size_t errlen)
{
	(void)m, (void)err, (void)errlen;
	return 0;
}

void mmt_mm_exit(struct mmt_machine *m)
{
	(void)m;
}
