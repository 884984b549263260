/* SPDX-License-Identifier: MIT */
/*
 * kernel/syscall_internal.h - shared by the syscall table, the strace
 * printer and the strace parser.  Not public API.
 */
#ifndef MMT_KERNEL_SYSCALL_INTERNAL_H
#define MMT_KERNEL_SYSCALL_INTERNAL_H

#include <mmtwin/syscall.h>

/* How strace prints a value of an argument type. */
enum sys_style {
	SYS_STYLE_NUMBER,	/* no names: the type prints itself */
	SYS_STYLE_FLAGS,	/* A|B|0x10, or "0x80 / * X_??? * /" */
	SYS_STYLE_VALUE,	/* one name, or "0x63 / * X_??? * /" */
};

struct sys_typeinfo {
	const struct mmt_sys_xlat *xlat;	/* NULL-name terminated */
	const char *unknown;			/* "PROT_???" */
	enum sys_style style;
};

/* The naming of @type (style NUMBER and no xlat for plain numbers). */
const struct sys_typeinfo *sys_typeinfo(enum mmt_sys_argtype type);

/* The values before the flags: mmap's type (flags & MAP_TYPE) and the
 * personality type (the low byte). */
const struct mmt_sys_xlat *sys_map_type_xlat(void);
const struct mmt_sys_xlat *sys_per_type_xlat(void);

/* Names also accepted when parsing (never printed): MAP_HUGE_2MB, ... */
const struct mmt_sys_xlat *sys_parse_aliases(enum mmt_sys_argtype type);

/* Signals by number (1..31), for clone's exit signal and kill(). */
const char *sys_signal_name(unsigned sig);
int sys_signal_by_name(const char *name, size_t len);	/* 0 if unknown */

/* Field masks strace splits off before naming the flags. */
#define SYS_MAP_TYPE		0x0fULL
#define SYS_MAP_HUGE_SHIFT	26
#define SYS_MAP_HUGE_MASK	(0x3fULL << SYS_MAP_HUGE_SHIFT)
#define SYS_CSIGNAL		0xffULL
#define SYS_PER_MASK		0xffULL
#define SYS_IPC_64		0x100ULL
#define SYS_SHM_MODE		0777ULL
#define SYS_AT_FDCWD		(-100)

/* The word size of @abi, as a mask over a raw argument. */
static inline uint64_t sys_abi_mask(enum mmt_abi abi)
{
	return abi == MMT_ABI_I386 ? 0xffffffffULL : ~0ULL;
}

/* The call's storage: a list of malloc'd blocks. */
struct mmt_sys_blk {
	struct mmt_sys_blk *next;
	size_t size;
	max_align_t data[];
};

/* @n bytes owned by @call, or NULL when out of memory. */
void *sys_call_alloc(struct mmt_sys_call *call, size_t n);

#endif
