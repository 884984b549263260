// SPDX-License-Identifier: MIT
/*
 * twin/own_state.c - mmtwin's own process state, which the model's first
 * task takes (exec, shadow, replay): the four rlimits the model keeps,
 * the personality, the /proc/self/status text (its CapEff), the ids and
 * kernel.randomize_va_space.
 */
#include "twin/twin.h"

#include <stdio.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <unistd.h>

void mmt_twin_init_own(struct mmt_twin_init *init, char *status, size_t len)
{
	static const struct { int host; enum mmt_rlimit_res res; } lims[] = {
		{ RLIMIT_STACK, MMT_RLIMIT_STACK },
		{ RLIMIT_DATA, MMT_RLIMIT_DATA },
		{ RLIMIT_AS, MMT_RLIMIT_AS },
		{ RLIMIT_MEMLOCK, MMT_RLIMIT_MEMLOCK },
	};
	int per = personality(0xffffffff);
	FILE *f;
	size_t n;

	for (size_t i = 0; i < sizeof(lims) / sizeof(lims[0]); i++) {
		struct mmt_rlimit *l = &init->rlim[lims[i].res];
		struct rlimit r;

		/* the kernel's defaults when the host will not say */
		l->cur = l->max = MMT_RLIM_INFINITY;
		if (lims[i].res == MMT_RLIMIT_STACK)
			l->cur = 8u << 20;
		if (getrlimit(lims[i].host, &r))
			continue;
		l->cur = r.rlim_cur == RLIM_INFINITY ? MMT_RLIM_INFINITY
						     : r.rlim_cur;
		l->max = r.rlim_max == RLIM_INFINITY ? MMT_RLIM_INFINITY
						     : r.rlim_max;
	}
	init->personality = per == -1 ? 0 : (unsigned)per;
	f = fopen("/proc/self/status", "r");
	n = f ? fread(status, 1, len - 1, f) : 0;
	if (f)
		fclose(f);
	status[n] = 0;
	init->status = status;
	init->uid = (unsigned)getuid();
	init->euid = (unsigned)geteuid();
	init->gid = (unsigned)getgid();
	init->egid = (unsigned)getegid();
	init->randomize_va_space = 2;
	f = fopen("/proc/sys/kernel/randomize_va_space", "r");
	if (f) {
		if (fscanf(f, "%d", &init->randomize_va_space) != 1)
			init->randomize_va_space = 2;
		fclose(f);
	}
}
