// SPDX-License-Identifier: MIT
/*
 * Scenario commands of the malloc model (glibc 2.36, src/libc/malloc.c),
 * run by the current process:
 *   malloc [--trace] NAME SIZE        NAME = malloc(SIZE)
 *   calloc [--trace] NAME N SIZE      NAME = calloc(N, SIZE)
 *   realloc [--trace] NAME SIZE       NAME = realloc(NAME, SIZE)
 *   free [--trace] NAME               free(NAME)
 *   mallopt PARAM VALUE               M_MMAP_THRESHOLD, M_TOP_PAD, ...
 *   malloc_thread N                   later calls run in thread N (0: main)
 *   brk_base ADDR                     start_brk of a process with no heap
 * Each prints the call and its result; --trace adds the system calls glibc made for it, as strace prints them.  They ran
 * through the syscall table's handlers, like syscall lines.  A process
 * made by `process` has no program, so no break: the first malloc puts
 * start_brk where the kernel would for a PIE of no size with ASLR off
 * (ELF_ET_DYN_BASE: 0x555555554000, 0x400000 for 32-bit tasks) unless
 * brk_base said otherwise.
 */
#include <mmtwin/machine.h>
#include <mmtwin/malloc.h>
#include <mmtwin/mm.h>
#include <mmtwin/script.h>
#include <mmtwin/syscall.h>

#include "names.h"

#include <errno.h>
#include <string.h>

struct malloc_cmd {
	struct mmt_task *t;
	bool trace;
	int argc;		/* without --trace */
	char **argv;
};

/* The current process and the --trace flag; -1 with s->err. */
static int malloc_begin(struct mmt_script *s, int argc, char **argv,
			struct malloc_cmd *mc)
{
	struct mmt_machine *m = mmt_script_machine(s);

	if (!m)
		return -1;
	mc->trace = argc > 1 && !strcmp(argv[1], "--trace");
	mc->argc = mc->trace ? argc - 1 : argc;
	mc->argv = mc->trace ? argv + 1 : argv;
	mc->argv[0] = argv[0];
	mc->t = mmt_task_current(m);
	if (!mc->t)
		return mmt_script_fail(s, "no current process (see 'process')");
	return 0;
}

/* start_brk as exec would leave it for an empty PIE, ASLR off. */
static void ensure_brk(struct mmt_task *t)
{
	struct mmt_mm *mm = t->mm;

	if (mm->start_brk)
		return;
	mm->start_brk = mm->brk = t->abi == MMT_TASK_X86_64
				  ? 0x555555554000ULL : 0x400000ULL;
}

/* Print what the last entry point issued, one strace line each. */
static void print_calls(struct mmt_script *s, const struct malloc_cmd *mc)
{
	enum mmt_abi abi = mmt_task_sys_abi(mc->t->abi);
	const struct mmt_malloc_call *c;
	size_t n;

	if (!mc->trace)
		return;
	c = mmt_malloc_calls(mc->t, &n);
	for (size_t i = 0; i < n; i++) {
		struct mmt_sys_call call;
		char buf[512];

		mmt_sys_call_init(&call, abi, mmt_sys_by_nr(abi, c[i].nr));
		call.nargs = c[i].nargs;
		memcpy(call.args, c[i].args, sizeof(c[i].args));
		call.has_ret = true;
		if (c[i].ret < 0 && c[i].ret >= -4095) {
			call.ret = -1;
			call.err = (int)-c[i].ret;
		} else {
			call.ret = c[i].ret;
		}
		mmt_sys_format_call(buf, sizeof(buf), &call, 2);
		fprintf(s->out, "  %s\n", buf);
		mmt_sys_call_release(&call);
	}
}

/* The result of an allocating call: bind NAME, or say NULL. */
static int malloc_result(struct mmt_script *s, struct malloc_cmd *mc,
			 struct mmt_obj *o, const char *call, uint64_t addr,
			 int err)
{
	const char *why = mmt_malloc_abort_msg(mc->t);

	if (err == -ENOMEM)
		return mmt_script_fail(s, "out of host memory");
	if (err == -EFAULT)
		return mmt_script_fail(s, "glibc aborts: %s", why ? why : "?");
	if (!addr) {
		fprintf(s->out, "%s = NULL (ENOMEM)\n", call);
	} else {
		fprintf(s->out, "%s = %#llx\n", call, (unsigned long long)addr);
		mmt_name_bind(o, (struct mmt_obj){ .type = MMT_OBJ_MALLOC,
						   .addr = addr,
						   .pid = mc->t->pid });
	}
	print_calls(s, mc);
	return 0;
}

static int parse_size(struct mmt_script *s, const char *arg, uint64_t *v)
{
	if (mmt_parse_size(arg, v))
		return mmt_script_fail(s, "expected a size, got '%s'", arg);
	return 0;
}

/* The LIVE malloc block @name of the current process. */
static struct mmt_obj *get_block(struct mmt_script *s,
				 const struct malloc_cmd *mc, const char *name)
{
	struct mmt_obj *o = mmt_script_get(s, name,
					   MMT_OBJ_MASK(MMT_OBJ_MALLOC));

	if (o && o->pid != mc->t->pid) {
		mmt_script_fail(s, "'%s' is a block of process %d, not of the "
				"current process %d", name, o->pid, mc->t->pid);
		return NULL;
	}
	return o;
}

static int cmd_malloc(struct mmt_script *s, int argc, char **argv)
{
	struct malloc_cmd mc;
	struct mmt_obj *o;
	char call[96];
	uint64_t size, addr;
	int err;

	if (malloc_begin(s, argc, argv, &mc))
		return -1;
	if (mc.argc != 3)
		return mmt_script_fail(s, "expected 'malloc [--trace] NAME "
				       "SIZE'");
	if (parse_size(s, mc.argv[2], &size))
		return -1;
	o = mmt_script_new_name(s, mc.argv[1]);
	if (!o)
		return -1;
	ensure_brk(mc.t);
	addr = mmt_libc_malloc(mc.t, size, &err);
	snprintf(call, sizeof(call), "%s = malloc(%llu)", mc.argv[1],
		 (unsigned long long)size);
	return malloc_result(s, &mc, o, call, addr, err);
}

static int cmd_calloc(struct mmt_script *s, int argc, char **argv)
{
	struct malloc_cmd mc;
	struct mmt_obj *o;
	char call[128];
	uint64_t n, size, addr;
	int err;

	if (malloc_begin(s, argc, argv, &mc))
		return -1;
	if (mc.argc != 4)
		return mmt_script_fail(s, "expected 'calloc [--trace] NAME N "
				       "SIZE'");
	if (parse_size(s, mc.argv[2], &n) || parse_size(s, mc.argv[3], &size))
		return -1;
	o = mmt_script_new_name(s, mc.argv[1]);
	if (!o)
		return -1;
	ensure_brk(mc.t);
	addr = mmt_libc_calloc(mc.t, n, size, &err);
	snprintf(call, sizeof(call), "%s = calloc(%llu, %llu)", mc.argv[1],
		 (unsigned long long)n, (unsigned long long)size);
	return malloc_result(s, &mc, o, call, addr, err);
}

static int cmd_realloc(struct mmt_script *s, int argc, char **argv)
{
	struct malloc_cmd mc;
	struct mmt_obj *o;
	char call[128];
	uint64_t size, addr;
	int err;

	if (malloc_begin(s, argc, argv, &mc))
		return -1;
	if (mc.argc != 3)
		return mmt_script_fail(s, "expected 'realloc [--trace] NAME "
				       "SIZE'");
	if (parse_size(s, mc.argv[2], &size))
		return -1;
	o = get_block(s, &mc, mc.argv[1]);
	if (!o)
		return -1;
	addr = mmt_libc_realloc(mc.t, o->addr, size, &err);
	snprintf(call, sizeof(call), "%s = realloc(%s, %llu)", mc.argv[1],
		 mc.argv[1], (unsigned long long)size);
	if (err == -ENOMEM || err == -EFAULT)
		return malloc_result(s, &mc, o, call, 0, err);
	if (!size) {			/* realloc(p, 0) frees p */
		fprintf(s->out, "%s = NULL (freed)\n", call);
		mmt_name_release(o);
	} else if (!addr) {		/* the old block stays */
		fprintf(s->out, "%s = NULL (ENOMEM; %s unchanged)\n", call,
			mc.argv[1]);
	} else {
		fprintf(s->out, "%s = %#llx\n", call, (unsigned long long)addr);
		o->addr = addr;
	}
	print_calls(s, &mc);
	return 0;
}

static int cmd_free(struct mmt_script *s, int argc, char **argv)
{
	struct malloc_cmd mc;
	struct mmt_obj *o;
	int err;

	if (malloc_begin(s, argc, argv, &mc))
		return -1;
	if (mc.argc != 2)
		return mmt_script_fail(s, "expected 'free [--trace] NAME'");
	o = get_block(s, &mc, mc.argv[1]);
	if (!o)
		return -1;
	err = mmt_libc_free(mc.t, o->addr);
	if (err == -EFAULT)
		return mmt_script_fail(s, "glibc aborts: %s",
				       mmt_malloc_abort_msg(mc.t));
	if (err)
		return mmt_script_fail(s, "out of host memory");
	mmt_name_release(o);
	fprintf(s->out, "free(%s)\n", mc.argv[1]);
	print_calls(s, &mc);
	return 0;
}

static const struct {
	const char *name;
	int param;
} mallopt_params[] = {
	{ "M_TRIM_THRESHOLD", MMT_M_TRIM_THRESHOLD },
	{ "M_TOP_PAD", MMT_M_TOP_PAD },
	{ "M_MMAP_THRESHOLD", MMT_M_MMAP_THRESHOLD },
	{ "M_MMAP_MAX", MMT_M_MMAP_MAX },
	{ "M_ARENA_TEST", MMT_M_ARENA_TEST },
	{ "M_ARENA_MAX", MMT_M_ARENA_MAX },
};

static int cmd_mallopt(struct mmt_script *s, int argc, char **argv)
{
	struct malloc_cmd mc;
	uint64_t v;
	unsigned i;
	int r;

	if (malloc_begin(s, argc, argv, &mc))
		return -1;
	if (mc.argc != 3)
		return mmt_script_fail(s, "expected 'mallopt M_MMAP_THRESHOLD|"
				       "M_TOP_PAD|M_TRIM_THRESHOLD|M_MMAP_MAX|"
				       "M_ARENA_TEST|M_ARENA_MAX VALUE'");
	for (i = 0; i < sizeof(mallopt_params) / sizeof(mallopt_params[0]); i++)
		if (!strcmp(mc.argv[1], mallopt_params[i].name))
			break;
	if (i == sizeof(mallopt_params) / sizeof(mallopt_params[0]))
		return mmt_script_fail(s, "unknown mallopt parameter '%s' "
				       "(M_MMAP_THRESHOLD, M_TOP_PAD, M_TRIM_"
				       "THRESHOLD, M_MMAP_MAX, M_ARENA_TEST, "
				       "M_ARENA_MAX)", mc.argv[1]);
	if (parse_size(s, mc.argv[2], &v))
		return -1;
	if (v > INT32_MAX)	/* mallopt takes an int */
		return mmt_script_fail(s, "mallopt value %s is more than "
				       "INT_MAX", mc.argv[2]);
	r = mmt_libc_mallopt(mc.t, mallopt_params[i].param, (int64_t)v);
	if (r < 0)
		return mmt_script_fail(s, "out of host memory");
	fprintf(s->out, "mallopt(%s, %llu) = %d\n", mc.argv[1],
		(unsigned long long)v, r);
	print_calls(s, &mc);
	return 0;
}

static int cmd_malloc_thread(struct mmt_script *s, int argc, char **argv)
{
	struct malloc_cmd mc;
	uint64_t n;
	int r;

	if (malloc_begin(s, argc, argv, &mc))
		return -1;
	if (mc.argc != 2 || mmt_parse_addr(mc.argv[1], &n) || n > 1023)
		return mmt_script_fail(s, "expected 'malloc_thread N' (0 to "
				       "1023; 0 is the main thread)");
	r = mmt_libc_set_thread(mc.t, (unsigned)n);
	if (r)
		return mmt_script_fail(s, "malloc_thread: %s", strerror(-r));
	return 0;
}

static int cmd_brk_base(struct mmt_script *s, int argc, char **argv)
{
	struct malloc_cmd mc;
	struct mmt_mm *mm;
	uint64_t a;

	if (malloc_begin(s, argc, argv, &mc))
		return -1;
	if (mc.argc != 2 || mmt_parse_addr(mc.argv[1], &a))
		return mmt_script_fail(s, "expected 'brk_base ADDR'");
	mm = mc.t->mm;
	if (mm->brk != mm->start_brk)
		return mmt_script_fail(s, "brk_base: the process already has "
				       "a heap (brk %#llx above start_brk "
				       "%#llx)", (unsigned long long)mm->brk,
				       (unsigned long long)mm->start_brk);
	if ((a & 4095) || !a || a >= mm->task_size)
		return mmt_script_fail(s, "brk_base: %#llx is not a page-aligned"
				       " user address", (unsigned long long)a);
	mm->start_brk = mm->brk = a;
	return 0;
}

const struct mmt_script_cmd mmt_script_cmds_malloc[] = {
	{ "malloc", "malloc [--trace] NAME SIZE",
	  "glibc's malloc in the current process (--trace: its syscalls)",
	  cmd_malloc },
	{ "calloc", "calloc [--trace] NAME N SIZE",
	  "glibc's calloc in the current process", cmd_calloc },
	{ "realloc", "realloc [--trace] NAME SIZE",
	  "glibc's realloc of a malloc block (mremap for mmapped ones)",
	  cmd_realloc },
	{ "free", "free [--trace] NAME",
	  "glibc's free of a malloc block (munmap, trimming)", cmd_free },
	{ "mallopt", "mallopt PARAM VALUE",
	  "M_MMAP_THRESHOLD, M_TOP_PAD, M_TRIM_THRESHOLD, M_MMAP_MAX, "
	  "M_ARENA_TEST or M_ARENA_MAX", cmd_mallopt },
	{ "malloc_thread", "malloc_thread N",
	  "run later malloc calls in thread N (its tcache and arena)",
	  cmd_malloc_thread },
	{ "brk_base", "brk_base ADDR",
	  "set start_brk of a process without a heap", cmd_brk_base },
	{ NULL, NULL, NULL, NULL }
};
