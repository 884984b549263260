// SPDX-License-Identifier: MIT
/*
 * /proc/PID/maps (fs/proc/task_mmu.c show_map_vma, get_vma_name): one
 * line per VMA, then the gate VMA ([vsyscall]) of native 64-bit tasks,
 * which is not in the tree.  The prefix is padded to 25 + 6 *
 * sizeof(void *) - 1 columns of the *kernel's* pointer size (72 on
 * x86_64, also for ia32 tasks; 48 on x86_32) before a name.
 *
 * JSON (not a kernel format): {"pid": N, "vmas": [{"start", "end",
 * "perms", "offset", "dev", "inode", "name", "vm_flags", "vm_pgoff",
 * "anon_vma", "kaddr"}, ...]}.
 */
#include "mm/vma_internal.h"
#include "proc/proc_internal.h"

#include <mmtwin/views.h>

#include <string.h>

#define GATE_START 0xffffffffff600000ULL

/* The seq_path of a file: '\n' escaped as "\012", " (deleted)" after. */
static void file_name(const struct mmt_file *f, char *buf, size_t len)
{
	size_t o = 0;

	for (const char *p = f->path; *p && o + 5 < len; p++) {
		if (*p == '\n') {
			memcpy(buf + o, "\\012", 4);
			o += 4;
		} else {
			buf[o++] = *p;
		}
	}
	buf[o] = 0;
	if (f->deleted)
		snprintf(buf + o, len - o, " (deleted)");
}

/* get_vma_name(): the name column, "" for none. */
static void vma_name(const struct mmt_task *t, const struct mmt_vma *v,
		     char *buf, size_t len)
{
	const struct mmt_mm *mm = t->mm;

	buf[0] = 0;
	if (v->vm_file) {
		if (v->anon_name)
			snprintf(buf, len, "[anon_shmem:%s]", v->anon_name);
		else
			file_name(v->vm_file, buf, len);
	} else if (v->vm_special) {
		snprintf(buf, len, "%s", v->vm_special);
	} else if (v->vm_start < mm->brk && v->vm_end > mm->start_brk) {
		snprintf(buf, len, "[heap]");
	} else if (v->vm_start <= mm->start_stack &&
		   v->vm_end >= mm->start_stack) {
		snprintf(buf, len, "[stack]");
	} else if (v->anon_name) {
		snprintf(buf, len, "[anon:%s]", v->anon_name);
	}
}

static void perms(uint64_t flags, char p[5])
{
	p[0] = flags & MMT_VM_READ ? 'r' : '-';
	p[1] = flags & MMT_VM_WRITE ? 'w' : '-';
	p[2] = flags & MMT_VM_EXEC ? 'x' : '-';
	p[3] = flags & MMT_VM_MAYSHARE ? 's' : 'p';
	p[4] = 0;
}

/* show_vma_header_prefix() + seq_pad() + the name. */
static void show_map_line(FILE *out, unsigned width, uint64_t start,
			  uint64_t end, uint64_t flags, uint64_t off,
			  unsigned major, unsigned minor, uint64_t ino,
			  const char *name)
{
	char p[5];
	int n;

	perms(flags, p);
	n = fprintf(out, "%08llx-%08llx %s %08llx %02x:%02x %llu ",
		    (unsigned long long)start, (unsigned long long)end, p,
		    (unsigned long long)off, major, minor,
		    (unsigned long long)ino);
	if (name[0]) {
		for (; n < (int)width; n++)
			fputc(' ', out);
		fprintf(out, " %s", name);
	}
	fputc('\n', out);
}

static unsigned maps_width(const struct mmt_task *t)
{
	return mmt_arch_is_64(t->m->cfg.arch) ? 25 + 6 * 8 - 1 : 25 + 6 * 4 - 1;
}

/* The gate VMA: native 64-bit tasks, vsyscall emulation configured. */
bool proc_has_gate_vma(const struct mmt_task *t)
{
	return t->abi == MMT_TASK_X86_64 && t->m->cfg.kc.vsyscall_emulation;
}

void proc_show_map_vma(const struct mmt_task *t, const struct mmt_vma *v,
		       FILE *out)
{
	const struct mmt_file *f = v->vm_file;
	char name[4200];

	vma_name(t, v, name, sizeof(name));
	show_map_line(out, maps_width(t), v->vm_start, v->vm_end, v->vm_flags,
		      f ? v->vm_pgoff << MMT_PAGE_SHIFT : 0,
		      f ? f->major : 0, f ? f->minor : 0, f ? f->ino : 0, name);
}

void proc_show_gate_vma(const struct mmt_task *t, FILE *out)
{
	show_map_line(out, maps_width(t), GATE_START, GATE_START + 4096,
		      MMT_VM_EXEC, 0, 0, 0, 0, "[vsyscall]");
}

void proc_show_rollup_header(const struct mmt_task *t, uint64_t start,
			     uint64_t end, FILE *out)
{
	show_map_line(out, maps_width(t), start, end, 0, 0, 0, 0, 0,
		      "[rollup]");
}

void mmt_maps_print(const struct mmt_task *t, FILE *out)
{
	for (const struct mmt_vma *v = vma_first(t->mm); v; v = vma_next(v))
		proc_show_map_vma(t, v, out);
	if (proc_has_gate_vma(t))
		proc_show_gate_vma(t, out);
}

void mmt_maps_print_vma(const struct mmt_task *t, const struct mmt_vma *v,
			FILE *out)
{
	proc_show_map_vma(t, v, out);
}

void mmt_maps_print_json(const struct mmt_task *t, FILE *out)
{
	struct mmt_json j;
	char name[4200], p[5], dev[16];

	mmt_json_init(&j, out);
	mmt_json_begin_obj(&j, NULL);
	mmt_json_i64(&j, "pid", t->pid);
	mmt_json_str(&j, "abi", mmt_task_abi_name(t->abi));
	mmt_json_begin_arr(&j, "vmas");
	for (const struct mmt_vma *v = vma_first(t->mm); v; v = vma_next(v)) {
		const struct mmt_file *f = v->vm_file;

		vma_name(t, v, name, sizeof(name));
		perms(v->vm_flags, p);
		snprintf(dev, sizeof(dev), "%02x:%02x", f ? f->major : 0,
			 f ? f->minor : 0);
		mmt_json_begin_obj(&j, NULL);
		mmt_json_hex(&j, "start", v->vm_start);
		mmt_json_hex(&j, "end", v->vm_end);
		mmt_json_str(&j, "perms", p);
		mmt_json_hex(&j, "offset", f ? v->vm_pgoff << MMT_PAGE_SHIFT : 0);
		mmt_json_str(&j, "dev", dev);
		mmt_json_u64(&j, "inode", f ? f->ino : 0);
		mmt_json_str(&j, "name", name);
		mmt_json_hex(&j, "vm_flags", v->vm_flags);
		mmt_json_hex(&j, "vm_pgoff", v->vm_pgoff);
		mmt_json_u64(&j, "anon_vma", v->anon_vma);
		mmt_json_hex(&j, "kaddr", v->kaddr);
		mmt_json_end_obj(&j);
	}
	if (proc_has_gate_vma(t)) {
		mmt_json_begin_obj(&j, NULL);
		mmt_json_hex(&j, "start", GATE_START);
		mmt_json_hex(&j, "end", GATE_START + 4096);
		mmt_json_str(&j, "perms", "--xp");
		mmt_json_str(&j, "name", "[vsyscall]");
		mmt_json_bool(&j, "gate", true);
		mmt_json_end_obj(&j);
	}
	mmt_json_end_arr(&j);
	mmt_json_end_obj(&j);
	mmt_json_finish(&j);
}

int mmt_view_maps(const struct mmt_view_ctx *ctx)
{
	if (ctx->fmt == MMT_FMT_JSON)
		mmt_maps_print_json(ctx->task, ctx->out);
	else
		mmt_maps_print(ctx->task, ctx->out);
	return 0;
}
