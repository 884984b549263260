// SPDX-License-Identifier: MIT
/*
 * /proc/vmallocinfo (mm/vmalloc.c vmalloc_info_show): one line per busy
 * area in address order -- "0x%lx-0x%lx %7ld" (16 hex digits on 64-bit,
 * 8 on 32-bit, addresses as a reader allowed to see kernel pointers gets
 * them), then the caller, pages=, phys= (phys_addr_t width), the flag
 * words, and N0= on the NUMA (x86_64) kernel.
 */
#include <mmtwin/kalloc.h>
#include <mmtwin/machine.h>
#include <mmtwin/views.h>
#include "mm/kalloc_internal.h"

#include <inttypes.h>

static void print_area(struct mmt_machine *m, const struct mmt_vm_struct *v,
		       FILE *out)
{
	bool is64 = mmt_arch_is_64(m->cfg.arch);
	int w = is64 ? 16 : 8;

	fprintf(out, "0x%0*" PRIx64 "-0x%0*" PRIx64 " %7" PRIu64, w, v->addr,
		w, v->addr + v->size, v->size);
	if (v->caller[0])
		fprintf(out, " %s", v->caller);
	if ((v->flags & MMT_VM_ALLOC) && v->nr_pages)
		fprintf(out, " pages=%u", v->nr_pages);
	if (v->flags & MMT_VM_IOREMAP)
		fprintf(out, " phys=0x%0*" PRIx64,
			m->cfg.arch == MMT_ARCH_X86_32 ? 8 : 16, v->phys_addr);
	if (v->flags & MMT_VM_IOREMAP)
		fputs(" ioremap", out);
	if (v->flags & MMT_VM_ALLOC)
		fputs(" vmalloc", out);
	if (v->flags & MMT_VM_MAP)
		fputs(" vmap", out);
	if (v->flags & MMT_VM_USERMAP)
		fputs(" user", out);
	/* the page array itself was vmalloc'ed when above one page */
	if ((v->flags & MMT_VM_ALLOC) &&
	    v->nr_pages * (is64 ? 8u : 4u) > MMT_PAGE_SIZE)
		fputs(" vpages", out);
	if (is64 && (v->flags & MMT_VM_ALLOC) && v->nr_pages)
		fprintf(out, " N0=%u", v->nr_pages);
	fputc('\n', out);
}

void mmt_vmallocinfo_print(struct mmt_machine *m, FILE *out)
{
	for (const struct mmt_vm_struct *v = m->kalloc->vmap_areas; v;
	     v = v->next)
		print_area(m, v, out);
}

int mmt_view_vmallocinfo(const struct mmt_view_ctx *c)
{
	struct mmt_machine *m = c->m;
	FILE *out = c->out;
	enum mmt_format fmt = c->fmt;
	char *err = c->err;
	size_t errlen = c->errlen;
	struct mmt_json j;

	(void)err, (void)errlen;
	if (fmt != MMT_FMT_JSON) {
		mmt_vmallocinfo_print(m, out);
		return 0;
	}
	mmt_json_init(&j, out);
	mmt_json_begin_arr(&j, NULL);
	for (const struct mmt_vm_struct *v = m->kalloc->vmap_areas; v;
	     v = v->next) {
		mmt_json_begin_obj(&j, NULL);
		mmt_json_hex(&j, "start", v->addr);
		mmt_json_hex(&j, "end", v->addr + v->size);
		mmt_json_u64(&j, "size", v->size);
		mmt_json_str(&j, "caller", v->caller);
		mmt_json_u64(&j, "pages", v->nr_pages);
		mmt_json_str(&j, "kind", v->flags & MMT_VM_IOREMAP ? "ioremap" :
			     v->flags & MMT_VM_ALLOC ? "vmalloc" : "vmap");
		if (v->flags & MMT_VM_IOREMAP)
			mmt_json_hex(&j, "phys", v->phys_addr);
		mmt_json_end_obj(&j);
	}
	mmt_json_end_arr(&j);
	mmt_json_finish(&j);
	return 0;
}
