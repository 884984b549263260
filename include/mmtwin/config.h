/* SPDX-License-Identifier: MIT */
/*
 * mmtwin/config.h - what a modelled machine is built from.
 *
 * A struct mmt_config is the "kernel command line plus .config" of a
 * modelled machine: architecture profile, RAM size, boot parameters
 * (vmalloc=, the VMSPLIT choice) and the handful of build options that
 * move layout boundaries (NR_CPUS, the size of struct cpu_entry_area, ...).
 * Defaults reproduce Debian's kernels: linux-image-686 / -686-pae (6.1) for
 * the x86_32 profiles and the live 6.18 x86_64 kernel for the others.
 */
#ifndef MMTWIN_CONFIG_H
#define MMTWIN_CONFIG_H

#ifdef __cplusplus
extern "C" {
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "render.h"

enum mmt_arch {
	MMT_ARCH_X86_32,	/* 2-level paging, 4 GiB physical */
	MMT_ARCH_X86_32_PAE,	/* 3-level PAE paging */
	MMT_ARCH_X86_64,	/* 4-level, 48-bit virtual */
	MMT_ARCH_X86_64_LA57,	/* 5-level, 57-bit virtual */
	MMT_NR_ARCHES
};

#define MMT_MEMMAP_MAX 128
#define MMT_MAX_NODES 8

/* One e820-style entry: [addr, addr + size) of a given type. */
enum mmt_e820_type {
	MMT_E820_RAM = 1,
	MMT_E820_RESERVED = 2,
	MMT_E820_ACPI = 3,
	MMT_E820_NVS = 4,
	MMT_E820_UNUSABLE = 5,
};

struct mmt_e820_entry {
	uint64_t addr;
	uint64_t size;
	enum mmt_e820_type type;
};

/*
 * The kernel build options that move layout boundaries.  Defaults come from
 * Debian's 6.1 i386 configs and the live 6.18 x86_64 config (/proc/config.gz).
 */
struct mmt_kconfig {
	unsigned nr_cpus;		/* CONFIG_NR_CPUS */
	/* DIV_ROUND_UP(sizeof(struct cpu_entry_area), PAGE_SIZE) on x86_32 */
	unsigned cea_pages_per_cpu;
	unsigned km_max_idx;		/* KM_MAX_IDX: kmap_local slots per CPU */
	unsigned max_io_apics;		/* MAX_IO_APICS */
	bool ohci1394_dma_init;		/* CONFIG_PROVIDE_OHCI1394_DMA_INIT */
	bool apei_ghes;			/* CONFIG_ACPI_APEI_GHES */
	bool intel_txt;			/* CONFIG_INTEL_TXT */
	bool pci_mmconfig;		/* CONFIG_PCI_MMCONFIG */
	bool paravirt_xxl;		/* CONFIG_PARAVIRT_XXL */
	bool vsyscall_emulation;	/* CONFIG_X86_VSYSCALL_EMULATION */
	bool randomize_memory;		/* CONFIG_RANDOMIZE_MEMORY (KASLR of regions) */
	bool randomize_base;		/* CONFIG_RANDOMIZE_BASE: 1 GiB kernel image slot */
	unsigned physical_padding_tb;	/* CONFIG_RANDOMIZE_MEMORY_PHYSICAL_PADDING */
};

struct mmt_config {
	enum mmt_arch arch;
	uint64_t mem_bytes;	/* RAM given to the machine (qemu -m) */
	uint64_t vmalloc_bytes;	/* vmalloc= boot parameter, 0 = default */
	unsigned vmsplit_gb;	/* 3, 2 or 1: user/kernel split (x86_32) */
	unsigned online_cpus;	/* CPUs actually present */
	unsigned nodes;		/* NUMA nodes RAM is split into */
	bool kaslr;		/* randomise direct map/vmalloc/vmemmap bases */
	bool trace;		/* explain page-allocator decisions on stdout */
	bool check;		/* run mmt_machine_check() after every step */
	uint64_t seed;		/* seeds every random choice (KASLR, ASLR) */
	struct mmt_kconfig kc;
	/* Boot memory map source: "default", "host" or a file path. */
	char memmap_src[256];
	/* MMT_OPT_* bits: options given explicitly, which a later --arch
	 * keeps (every other field takes the new profile's default). */
	unsigned given;
};

/* Bits of mmt_config.given */
#define MMT_OPT_MEM		0x001u
#define MMT_OPT_VMALLOC		0x002u
#define MMT_OPT_VMSPLIT		0x004u
#define MMT_OPT_CPUS		0x008u
#define MMT_OPT_NR_CPUS		0x010u
#define MMT_OPT_KASLR		0x020u

/* Fill @c with the defaults of profile @arch (Debian/host kernels). */
void mmt_config_init(struct mmt_config *c, enum mmt_arch arch);

/*
 * Set one option by name ("arch", "mem", "vmalloc", "vmsplit", "cpus",
 * "nr-cpus", "nodes", "seed", "kaslr", "memmap"); a NULL @val means a
 * flag without value ("kaslr").  Shared by the CLI and
 * the scenario runner so both accept exactly the same words.
 * Returns 0, or -1 with a message in @err.
 */
int mmt_config_set(struct mmt_config *c, const char *key, const char *val,
		   char *err, size_t errlen);

/*
 * Shared option parsing of the CLI and the scenario runner: argv[*i] is
 * "--key value", "--key=value" or "key=value" (*i advances past a value);
 * "--format text|json" / "--json" set *fmt (may be NULL).  0, or -1 with
 * a message in @err.
 */
int mmt_parse_machine_opt(struct mmt_config *c, int argc, char **argv,
			  int *i, enum mmt_format *fmt, char *err, size_t errlen);

/*
 * What option @key (without "--") is: -1 unknown, 0 a flag (a value
 * only as "--key=value"), 1 takes a value.
 */
int mmt_config_opt_kind(const char *key);

/*
 * Check the options together, once all are parsed, so their order does
 * not matter: options that do not apply to the profile (--vmalloc and
 * --vmsplit on x86_64, --kaslr on x86_32), more online CPUs than
 * NR_CPUS.  Returns 0, or -1 with a message in @err.
 */
int mmt_config_check(const struct mmt_config *c, char *err, size_t errlen);

/*
 * Numbers on the command line and in scenarios: decimal, or hexadecimal
 * with 0x.  There is no octal: leading zeros are decimal ("010" is ten).
 */
/* Parse "512M", "4G", "0x1000", "1T" ... into bytes.  -1 on bad input. */
int mmt_parse_size(const char *s, uint64_t *out);
/* Parse a decimal or 0x-prefixed number. -1 on bad input. */
int mmt_parse_addr(const char *s, uint64_t *out);

const char *mmt_arch_name(enum mmt_arch arch);
int mmt_arch_from_name(const char *name, enum mmt_arch *out);
static inline bool mmt_arch_is_64(enum mmt_arch a)
{
	return a == MMT_ARCH_X86_64 || a == MMT_ARCH_X86_64_LA57;
}

#ifdef __cplusplus
}
#endif

#endif
