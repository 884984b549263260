// SPDX-License-Identifier: MIT
/*
 * exec/vdso.c - the vDSO of a new image (arch/x86/entry/vdso/vma.c):
 * map_vdso() finds one hole for the data pages and the text through
 * get_unmapped_area(NULL, 0, size, 0, 0) (the mmap area: top-down below
 * mmap_base, or the compat bases of an ia32 task) and installs the
 * special mappings, text first:
 *
 *   6.18 (x86_64 host, 64-bit and ia32 tasks; generic vDSO datastore)
 *     [vvar]         4 pages  rd mr pf io de dd   (VDSO_NR_PAGES)
 *     [vvar_vclock]  2 pages  rd mr pf io de dd   (pvclock, hvclock)
 *     [vdso]         2 pages  rd ex mr mw me de   AT_SYSINFO_EHDR
 *   6.1 (the x86_32 profiles' Debian kernel)
 *     [vvar]         4 pages, [vdso] 2 pages
 *
 * The sizes are the running kernels' (the host's /proc/self/maps; the
 * QEMU logs in tests/data/i386/).  The vDSO's bytes are not modelled:
 * its pages are special mappings without contents.
 */
#include "exec/binfmt.h"
#include "mm/vma_internal.h"

#include <errno.h>

#define PAGE MMT_PAGE_SIZE

struct vdso_layout {
	unsigned vvar_pages, vclock_pages, text_pages;
};

static void vdso_layout(const struct mmt_machine *m, struct vdso_layout *l)
{
	if (mmt_arch_is_64(m->cfg.arch))
		*l = (struct vdso_layout){ 4, 2, 2 };
	else
		*l = (struct vdso_layout){ 4, 0, 2 };
}

/* _install_special_mapping(): a VMA that never merges or splits. */
static int install_special_mapping(struct mmt_mm *mm, uint64_t addr,
				   uint64_t len, uint64_t flags,
				   const char *name)
{
	struct mmt_vma *v = vm_area_alloc(mm);

	if (!v)
		return -ENOMEM;
	v->vm_start = addr;
	v->vm_end = addr + len;
	v->vm_pgoff = 0;
	v->vm_flags = flags | MMT_VM_DONTEXPAND | mm->def_flags;
	v->vm_special = name;
	vma_link(mm, v);
	vm_stat_account(mm, v->vm_flags, (int64_t)(len >> MMT_PAGE_SHIFT));
	return 0;
}

/* map_vdso() */
static int map_vdso(struct linux_binprm *bprm)
{
	struct mmt_task *t = bprm->t;
	struct mmt_mm *mm = t->mm;
	struct vdso_layout l;
	uint64_t data, addr, flags_data;
	int r;

	vdso_layout(t->m, &l);
	data = (uint64_t)(l.vvar_pages + l.vclock_pages) * PAGE;
	addr = __get_unmapped_area(mm, mmt_task_sys_abi(t->abi), NULL,
				   exec_random(bprm, EXEC_RND_VDSO),
				   data + l.text_pages * PAGE, 0, 0);
	if (IS_ERR_VALUE(addr))
		return exec_fail(bprm, (int)(int64_t)addr, "no room for the "
				 "vDSO");
	r = install_special_mapping(mm, addr + data, l.text_pages * PAGE,
				    MMT_VM_READ | MMT_VM_EXEC | MMT_VM_MAYREAD |
				    MMT_VM_MAYWRITE | MMT_VM_MAYEXEC, "[vdso]");
	flags_data = MMT_VM_READ | MMT_VM_MAYREAD | MMT_VM_IO |
		     MMT_VM_DONTDUMP | MMT_VM_PFNMAP;
	if (!r)
		r = install_special_mapping(mm, addr, l.vvar_pages * PAGE,
					    flags_data, "[vvar]");
	if (!r && l.vclock_pages)
		r = install_special_mapping(mm, addr + l.vvar_pages * PAGE,
					    l.vclock_pages * PAGE, flags_data,
					    "[vvar_vclock]");
	if (r)
		return exec_fail(bprm, r, "out of memory for the vDSO");
	return 0;
}

int arch_setup_additional_pages(struct linux_binprm *bprm)
{
	/* vdso64_enabled / vdso32_enabled: both 1 by default */
	return map_vdso(bprm);
}
