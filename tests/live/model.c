// SPDX-License-Identifier: MIT
/*
 * live_process_model: the process model (include/mmtwin/mm.h) behind the
 * differential driver (tests/live/diff.c).
 *
 *   live_state (the child before step 1)        the model
 *     abi, pid ─────────────────────────────►  machine (x86_64 profile)
 *     rlimits (set ones; others inherited) ─►   └─ task pid, ABI x86_64 or ia32
 *     sysctls, CapEff of status ────────────►       rlimits, caps, sysctls
 *     fds 0-2 (/proc/PID/fd, fdinfo) ───────►       fds 0, 1, 2
 *     file_path[i] (open mode) ─────────────►       fds 3 + i
 *     maps + smaps + stat ──────────────────►       mm (mmt_task_seed)
 *
 * call() parses the step for the child's ABI and dispatches it in the
 * task; an i386 result is cut to the kernel's 32-bit register the way
 * the harness reads the child's (-4095..-1 negative, the rest unsigned).
 * maps() prints the task's /proc/PID/maps.  Everything is freed by
 * release(); nothing is global.
 */
#define _GNU_SOURCE
#include "live.h"

#include <mmtwin/config.h>
#include <mmtwin/machine.h>
#include <mmtwin/mm.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

struct process_model {
	struct mmt_machine *m;
	struct mmt_task *t;
	enum mmt_abi abi;
};

static void model_free(struct process_model *pm)
{
	if (pm->m)
		mmt_machine_free(pm->m);	/* frees its tasks too */
	free(pm);
}

/* The limit the child runs with: the sequence's, else the one it
 * inherited from this process (live_start() sets only the given ones). */
static struct mmt_rlimit child_rlimit(const struct live_rlimit *set, int res)
{
	struct mmt_rlimit r = { MMT_RLIM_INFINITY, MMT_RLIM_INFINITY };
	struct rlimit rl;

	if (set && set->set) {
		r.cur = set->cur;
		r.max = set->max;
		return r;
	}
	if (!getrlimit(res, &rl)) {
		r.cur = rl.rlim_cur == RLIM_INFINITY ? MMT_RLIM_INFINITY
						     : (uint64_t)rl.rlim_cur;
		r.max = rl.rlim_max == RLIM_INFINITY ? MMT_RLIM_INFINITY
						     : (uint64_t)rl.rlim_max;
	}
	return r;
}

static void seed_rlimits(struct mmt_task *t, const struct live_state *s)
{
	static const struct {
		enum live_rlimit_res live;
		enum mmt_rlimit_res mmt;
		int res;
	} tab[] = {
		{ LIVE_RLIM_STACK, MMT_RLIMIT_STACK, RLIMIT_STACK },
		{ LIVE_RLIM_AS, MMT_RLIMIT_AS, RLIMIT_AS },
		{ LIVE_RLIM_DATA, MMT_RLIMIT_DATA, RLIMIT_DATA },
		{ LIVE_RLIM_MEMLOCK, MMT_RLIMIT_MEMLOCK, RLIMIT_MEMLOCK },
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		t->rlim[tab[i].mmt] = child_rlimit(s->rlim ? &s->rlim[tab[i].live]
							   : NULL, tab[i].res);
}

static void seed_sysctls(struct mmt_machine *m, const struct live_sysctl *sc)
{
	struct mmt_vm_sysctl *v = mmt_vm_sysctl(m);

	if (sc->max_map_count >= 0)
		v->max_map_count = (uint64_t)sc->max_map_count;
	if (sc->mmap_min_addr >= 0)
		v->mmap_min_addr = (uint64_t)sc->mmap_min_addr;
	if (sc->overcommit_memory >= 0)
		v->overcommit_memory = (unsigned)sc->overcommit_memory;
}

/*
 * The child's fds 0, 1, 2 (its pipes to the harness, the inherited
 * stderr) as the model's, identity from stat(2) through /proc/PID/fd/N
 * and the open mode from fdinfo's flags: a step that maps one of them
 * must get the kernel's answer for that kind of file (a pipe: -ENODEV).
 */
static int seed_std_fds(struct mmt_task *t, pid_t pid, char *err, size_t len)
{
	for (int fd = 0; fd < 3; fd++) {
		char path[64], *info = NULL, *p;
		unsigned long flags;
		size_t n = 0;
		FILE *f;
		int e;

		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
		f = fopen(path, "r");
		if (!f)
			continue;	/* not open in the child */
		if (getdelim(&info, &n, 0, f) < 0 || !(p = strstr(info, "flags:")) ||
		    sscanf(p + 6, " %lo", &flags) != 1) {
			free(info);
			fclose(f);
			snprintf(err, len, "%s: no flags", path);
			return -1;
		}
		free(info);
		fclose(f);
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
		e = mmt_task_fd_install_mode(t, fd, path,
			((flags & 3) != 1 ? MMT_FMODE_READ : 0) |	/* O_ACCMODE */
			((flags & 3) != 0 ? MMT_FMODE_WRITE : 0));
		if (e) {
			snprintf(err, len, "%s: %s", path, strerror(-e));
			return -1;
		}
	}
	return 0;
}

static void *model_seed(const struct live_state *s, enum mmt_abi abi,
			char *err, size_t len)
{
	struct process_model *pm = calloc(1, sizeof(*pm));
	struct mmt_config c;
	int e = 0;

	if (!pm) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	pm->abi = abi;
	mmt_config_init(&c, MMT_ARCH_X86_64);
	if (mmt_config_set(&c, "mem", "64M", err, len))
		goto fail;
	pm->m = mmt_machine_new(&c, err, len);
	if (!pm->m)
		goto fail;
	seed_sysctls(pm->m, &s->sysctl);
	pm->t = mmt_task_create(pm->m, abi == MMT_ABI_I386 ? MMT_TASK_IA32
							   : MMT_TASK_X86_64,
				s->pid, &e);
	if (!pm->t) {
		snprintf(err, len, "mmt_task_create(pid %d): %s", (int)s->pid,
			 strerror(-e));
		goto fail;
	}
	seed_rlimits(pm->t, s);
	mmt_task_seed_caps(pm->t, s->status);
	pm->t->personality = MMT_PER_ADDR_NO_RANDOMIZE;	/* live_start() */
	mmt_task_pick_mmap_layout(pm->t);
	if (seed_std_fds(pm->t, s->pid, err, len))
		goto fail;
	for (unsigned i = 0; i < s->nfiles; i++) {
		unsigned mode = MMT_FMODE_READ;

		if (!s->files || !s->files[i].rdonly)
			mode |= MMT_FMODE_WRITE;
		e = mmt_task_fd_install_mode(pm->t, 3 + (int)i, s->file_path[i],
					     mode);
		if (e) {
			snprintf(err, len, "fd %u (%s): %s", 3 + i,
				 s->file_path[i], strerror(-e));
			goto fail;
		}
	}
	if (mmt_task_seed(pm->t, s->maps, s->smaps, s->stat, err, len))
		goto fail;
	mmt_task_set_current(pm->m, pm->t);
	return pm;
fail:
	model_free(pm);
	return NULL;
}

static int64_t model_call(void *model, const char *text, char *err,
			  size_t len)
{
	struct process_model *pm = model;
	struct mmt_sys_ctx ctx = { .m = pm->m, .task = pm->t, .abi = pm->abi };
	struct mmt_sys_call call;
	int64_t r;

	if (mmt_sys_parse_call(text, pm->abi, &call, err, len))
		return -EINVAL;
	r = mmt_sys_dispatch(&ctx, &call);
	mmt_sys_call_release(&call);
	if (ctx.err[0])
		snprintf(err, len, "%s", ctx.err);
	if (pm->abi == MMT_ABI_I386) {	/* eax, as the harness reads it */
		uint32_t v = (uint32_t)r;

		r = v >= 0xfffff001u ? (int64_t)(int32_t)v : (int64_t)v;
	}
	return r;
}

static int model_maps(void *model, char **text)
{
	struct process_model *pm = model;
	size_t n = 0;
	FILE *f;

	*text = NULL;
	f = open_memstream(text, &n);
	if (!f)
		return -1;
	mmt_maps_print(pm->t, f);
	if (fclose(f)) {
		free(*text);
		*text = NULL;
		return -1;
	}
	return 0;
}

static void model_release(void *model)
{
	model_free(model);
}

const struct live_model_ops live_process_model = {
	.name = "process",
	.seed = model_seed,
	.call = model_call,
	.maps = model_maps,
	.release = model_release,
};
