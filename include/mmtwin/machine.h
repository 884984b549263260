/* SPDX-License-Identifier: MIT */
/*
 * mmtwin/machine.h - one modelled x86 computer running a modelled Linux MM.
 *
 * Everything hangs off a struct mmt_machine; there is no global state, so
 * tests build many machines side by side.
 *
 *   machine
 *    ├─ cfg       profile, RAM size, boot parameters, kernel options
 *    ├─ e820      the firmware memory map, as the kernel sanitised it
 *    ├─ layout    every virtual-address boundary (computed)
 *    └─ tasks     user processes: mm, VMAs, fds (mm.h)
 */
#ifndef MMTWIN_MACHINE_H
#define MMTWIN_MACHINE_H

#ifdef __cplusplus
extern "C" {
#endif

#include "config.h"
#include "layout.h"

struct mmt_phys;
struct mmt_kern;
struct mmt_kalloc;
struct mmt_tasks;
struct mmt_ipc_ns;

struct mmt_e820 {
	struct mmt_e820_entry e[MMT_MEMMAP_MAX];
	unsigned nr;
};

struct mmt_machine {
	struct mmt_config cfg;
	struct mmt_e820 firmware;	/* as "BIOS-e820:" prints it */
	struct mmt_e820 e820;		/* after the kernel's early fixups */
	uint64_t ram_start_pfn;		/* first usable RAM page */
	uint64_t ram_end_pfn;		/* e820__end_of_ram_pfn() */
	struct mmt_layout layout;
	struct mmt_phys *phys;		/* memblock, nodes, zones, buddy (mm/) */
	struct mmt_kern *kern;		/* init_mm page tables, MMU, TLBs */
	struct mmt_kalloc *kalloc;	/* slab, vmalloc, kmap, fixmap, percpu */
	struct mmt_tasks *tasks;	/* user processes and vm sysctls (mm.h) */
	struct mmt_ipc_ns *ipc;		/* SysV IPC namespace: shm (shm.h) */
};

/*
 * Boot a machine from @c: build the memory map, compute the layout.
 * Returns NULL with a message in @err on bad configuration or input.
 */
struct mmt_machine *mmt_machine_new(const struct mmt_config *c, char *err,
				    size_t errlen);
/* The same, booting from firmware map @fw instead of c->memmap_src. */
struct mmt_machine *mmt_machine_new_e820(const struct mmt_config *c,
					 const struct mmt_e820 *fw, char *err,
					 size_t errlen);
/*
 * The first, allocation-free part of the boot (setup_arch() up to
 * e820__end_of_ram_pfn() and the layout): from m->cfg and m->firmware,
 * fill m->e820, the RAM span and m->layout.  Returns 0, or -1 with a
 * message in @err for a map the model refuses.  Touches nothing else, so
 * a zeroed struct on the stack may be used and then simply dropped (no
 * mmt_machine_free) -- a cheap check of a memory map on every profile.
 */
int mmt_machine_setup_arch(struct mmt_machine *m, char *err, size_t errlen);
void mmt_machine_free(struct mmt_machine *m);
/*
 * Run every subsystem's whole-structure validator (buddy and pcp lists,
 * page tables against frames, slab, vmalloc, kmap, per-CPU areas).
 * Returns 0, or -1 with "validator: message" in @err.
 */
int mmt_machine_check(struct mmt_machine *m, char *err, size_t errlen);

/* The firmware map QEMU's "pc" machine with SeaBIOS gives for @mem bytes. */
void mmt_e820_qemu_default(uint64_t mem, struct mmt_e820 *out);
/*
 * Read a memory map: /proc/iomem format ("start-end : System RAM"), or
 * kernel log lines ("BIOS-e820: [mem 0x...-0x...] usable").
 * Returns 0, or -1 with a message naming the file and line.
 */
int mmt_e820_read(const char *path, struct mmt_e820 *out, char *err,
		  size_t errlen);
/*
 * The same reader on @len bytes of @text (NULs included, no terminator
 * needed); @name stands for the file in messages.  A file read with
 * mmt_e820_read and its contents given here give the same map or message.
 */
int mmt_e820_parse_text(const char *text, size_t len, const char *name,
			struct mmt_e820 *out, char *err, size_t errlen);
const char *mmt_e820_type_name(enum mmt_e820_type t);
/* Apply the kernel's early fixups (first page, 640K-1M legacy area). */
void mmt_e820_sanitize(const struct mmt_e820 *in, struct mmt_e820 *out);

#ifdef __cplusplus
}
#endif

#endif
