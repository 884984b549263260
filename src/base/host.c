// SPDX-License-Identifier: MIT
/* Facts about the host process the model runs in (not about the model). */
#include <mmtwin/host.h>

#include <stdio.h>
#include <unistd.h>

uint64_t mmt_host_resident_bytes(void)
{
	unsigned long long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%llu %llu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE);
}
