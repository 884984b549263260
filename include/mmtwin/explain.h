/* SPDX-License-Identifier: MIT */
/*
 * mmtwin/explain.h - "what is at this address, and why".
 *
 * The analysis is a plain struct so tests assert on fields and the CLI
 * prints the same facts as text or JSON.
 */
#ifndef MMTWIN_EXPLAIN_H
#define MMTWIN_EXPLAIN_H

#ifdef __cplusplus
extern "C" {
#endif

#include "exec.h"
#include "machine.h"
#include "pgtable.h"
#include "render.h"

enum mmt_access {
	MMT_ACC_OK,		/* allowed (if mapped, for dynamic regions) */
	MMT_ACC_PF,		/* page fault, error code in pf_* */
	MMT_ACC_GP,		/* general protection fault (non-canonical) */
	MMT_ACC_DEPENDS,	/* depends on the VMA / mapping at run time */
};

struct mmt_explain {
	uint64_t addr;
	bool phys;			/* addr is physical (--phys) */
	/* virtual */
	bool canonical;
	bool user_half;
	const struct mmt_region *region;
	uint64_t region_offset;
	unsigned levels;
	unsigned idx[5];
	uint64_t page_offset;
	enum mmt_access user_access, kernel_access;
	unsigned user_pf_error;		/* error code a user read gets */
	/* physical side */
	bool has_pa;
	uint64_t pa;
	uint64_t pfn;
	int zone;			/* enum mmt_zone_type, -1 if none */
	bool is_ram;
	bool has_va;			/* permanent kernel mapping exists */
	uint64_t va;
	bool via_vmemmap;		/* address inside the struct page array */
	uint64_t vmemmap_pfn;
	/* the kernel object at a lowmem or vmalloc address: a slab object
	 * and the task owning it, a kernel stack, a vmalloc area */
	char object[256];		/* "" when nothing is known */
	int owner_pid;			/* the task it belongs to; 0: none */
	char why[6][200];		/* reasoning lines */
	unsigned nr_why;
	/* in a process (mmt_explain_task): the VMA holding the address
	 * and, inside the initial stack of an exec'ed image, the item
	 * execve put there */
	int pid;			/* 0: no process was asked */
	bool in_vma;
	uint64_t vma_start, vma_end;
	char vma_kind[32];		/* "[stack]", "[heap]", "[vdso]",
					 * "file", "anonymous" */
	bool in_exec_stack;
	struct mmt_exec_stack_item stack;
};

/* Returns 0, or -1 with a message (address impossible for the profile). */
int mmt_explain_va(const struct mmt_machine *m, uint64_t va,
		   struct mmt_explain *x, char *err, size_t errlen);
/* mmt_explain_va() of a user address of process @t, with its VMA and
 * the initial stack's item at @va (argv[3] string, envp[0], auxv AT_ENTRY
 * value, AT_RANDOM bytes, platform string, padding, execfn string). */
int mmt_explain_task(const struct mmt_machine *m, const struct mmt_task *t,
		     uint64_t va, struct mmt_explain *x, char *err,
		     size_t errlen);
int mmt_explain_pa(const struct mmt_machine *m, uint64_t pa,
		   struct mmt_explain *x, char *err, size_t errlen);
void mmt_explain_print(const struct mmt_machine *m, const struct mmt_explain *x,
		       FILE *out, enum mmt_format fmt);
/* The JSON members of an explanation, into an object the caller opened. */
void mmt_explain_json_members(const struct mmt_machine *m,
			      const struct mmt_explain *x, struct mmt_json *j);

bool mmt_pa_is_ram(const struct mmt_machine *m, uint64_t pa);

#ifdef __cplusplus
}
#endif

#endif
