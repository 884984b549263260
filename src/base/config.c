// SPDX-License-Identifier: MIT
/*
 * Machine configuration: profile defaults and the option parser shared by
 * the command line and the scenario runner.
 */
#include <mmtwin/config.h>
#include <mmtwin/render.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const arch_names[MMT_NR_ARCHES] = {
	"x86_32", "x86_32-pae", "x86_64", "x86_64-la57"
};

const char *mmt_arch_name(enum mmt_arch arch)
{
	return arch < MMT_NR_ARCHES ? arch_names[arch] : "?";
}

int mmt_arch_from_name(const char *name, enum mmt_arch *out)
{
	unsigned i;

	for (i = 0; i < MMT_NR_ARCHES; i++)
		if (!strcmp(name, arch_names[i])) {
			*out = (enum mmt_arch)i;
			return 0;
		}
	if (!strcmp(name, "i386") || !strcmp(name, "x86"))
		*out = MMT_ARCH_X86_32;
	else if (!strcmp(name, "pae") || !strcmp(name, "x86_32-PAE"))
		*out = MMT_ARCH_X86_32_PAE;
	else if (!strcmp(name, "la57") || !strcmp(name, "x86_64-5level"))
		*out = MMT_ARCH_X86_64_LA57;
	else if (!strcmp(name, "amd64"))
		*out = MMT_ARCH_X86_64;
	else
		return -1;
	return 0;
}

/*
 * Debian 12's i386 kernels (6.1, linux-image-686 and -686-pae) and the
 * live 6.18 x86_64 kernel.  The x86_32 numbers were read from the packages'
 * config and debug symbols (tests/data/i386/).
 */
static void kconfig_defaults(struct mmt_kconfig *k, enum mmt_arch arch)
{
	memset(k, 0, sizeof(*k));
	if (mmt_arch_is_64(arch)) {
		k->nr_cpus = 256;
		k->cea_pages_per_cpu = 0;	/* 64-bit: fixed P4D slot */
		k->km_max_idx = 16;
		k->max_io_apics = 128;
		k->pci_mmconfig = true;
		k->paravirt_xxl = true;
		k->vsyscall_emulation = true;
		k->randomize_memory = true;
		k->randomize_base = true;
		k->physical_padding_tb = 10;
		return;
	}
	/* gdb on the -dbg vmlinux: sizeof(struct cpu_entry_area) = 176128
	 * (43 pages: the TSS with its I/O bitmap and the debug-store buffers
	 * dominate), FIX_KMAP_BEGIN..END = 68..579 = 16 * NR_CPUS (32). */
	k->nr_cpus = 32;
	k->cea_pages_per_cpu = 43;
	k->km_max_idx = 16;
	k->max_io_apics = 64;
	k->ohci1394_dma_init = false;
	k->apei_ghes = true;
	k->pci_mmconfig = true;
	k->intel_txt = false;
}

void mmt_config_init(struct mmt_config *c, enum mmt_arch arch)
{
	memset(c, 0, sizeof(*c));
	c->arch = arch;
	c->mem_bytes = mmt_arch_is_64(arch) ? 4ULL << 30 : 1ULL << 30;
	c->vmsplit_gb = 3;
	c->online_cpus = 2;
	c->nodes = 1;
	c->seed = 0;
	c->kaslr = false;
	kconfig_defaults(&c->kc, arch);
	snprintf(c->memmap_src, sizeof(c->memmap_src), "default");
}

int mmt_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 0: break;
	case 'K': shift = 10; break;
	case 'M': shift = 20; break;
	case 'G': shift = 30; break;
	case 'T': shift = 40; break;
	case 'P': shift = 50; break;
	default: return -1;
	}
	if (*end) {
		end++;
		if (toupper((unsigned char)*end) == 'I')
			end++;
		if (toupper((unsigned char)*end) == 'B')
			end++;
		if (*end)
			return -1;
	}
	if (shift && v > (~0ULL >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

int mmt_parse_addr(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

static int parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	uint64_t v;

	if (mmt_parse_addr(s, &v) || v < lo || v > hi)
		return -1;
	*out = (unsigned)v;
	return 0;
}

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

int mmt_config_set(struct mmt_config *c, const char *key, const char *val,
		   char *err, size_t errlen)
{
	uint64_t v;

	if (!strcmp(key, "kaslr")) {
		c->kaslr = !val || !strcmp(val, "on") || !strcmp(val, "1");
		return 0;
	}
	if (!strcmp(key, "no-kaslr")) {
		c->kaslr = false;
		return 0;
	}
	if (!strcmp(key, "check")) {
		c->check = !val || !strcmp(val, "on") || !strcmp(val, "1");
		return 0;
	}
	if (!strcmp(key, "trace")) {
		c->trace = !val || !strcmp(val, "on") || !strcmp(val, "1");
		return 0;
	}
	if (!val)
		FAIL("option '%s' needs a value", key);
	if (!strcmp(key, "arch")) {
		enum mmt_arch a;
		struct mmt_config fresh;

		if (mmt_arch_from_name(val, &a))
			FAIL("unknown arch '%s' (x86_32, x86_32-pae, x86_64, "
			     "x86_64-la57)", val);
		/* a new profile brings its own kernel config */
		mmt_config_init(&fresh, a);
		fresh.mem_bytes = c->mem_bytes;
		fresh.vmalloc_bytes = c->vmalloc_bytes;
		fresh.vmsplit_gb = c->vmsplit_gb;
		fresh.online_cpus = c->online_cpus;
		fresh.nodes = c->nodes;
		fresh.seed = c->seed;
		fresh.kaslr = c->kaslr;
		fresh.trace = c->trace;
		fresh.check = c->check;
		memcpy(fresh.memmap_src, c->memmap_src, sizeof(fresh.memmap_src));
		*c = fresh;
	} else if (!strcmp(key, "mem")) {
		/* 64 TiB: the 4-level direct map's limit; per-pageblock
		 * tables grow with RAM, so larger machines are refused */
		if (mmt_parse_size(val, &v) || v < (16ULL << 20) ||
		    v > (64ULL << 40))
			FAIL("bad --mem '%s': a size from 16M to 64T, e.g. 2G",
			     val);
		c->mem_bytes = v;
	} else if (!strcmp(key, "vmalloc")) {
		if (mmt_parse_size(val, &v) || v > (1ULL << 32))
			FAIL("bad --vmalloc '%s': a size such as 256M", val);
		c->vmalloc_bytes = v;
	} else if (!strcmp(key, "vmsplit")) {
		if (!strcmp(val, "3G") || !strcmp(val, "3"))
			c->vmsplit_gb = 3;
		else if (!strcmp(val, "2G") || !strcmp(val, "2"))
			c->vmsplit_gb = 2;
		else if (!strcmp(val, "1G") || !strcmp(val, "1"))
			c->vmsplit_gb = 1;
		else
			FAIL("bad --vmsplit '%s': 3G, 2G or 1G", val);
	} else if (!strcmp(key, "cpus")) {
		if (parse_uint(val, 1, 4096, &c->online_cpus))
			FAIL("bad --cpus '%s': 1..4096", val);
	} else if (!strcmp(key, "nr-cpus")) {
		if (parse_uint(val, 1, 8192, &c->kc.nr_cpus))
			FAIL("bad --nr-cpus '%s': 1..8192", val);
	} else if (!strcmp(key, "nodes")) {
		if (parse_uint(val, 1, MMT_MAX_NODES, &c->nodes))
			FAIL("bad --nodes '%s': 1..%d", val, MMT_MAX_NODES);
	} else if (!strcmp(key, "seed")) {
		if (mmt_parse_addr(val, &v))
			FAIL("bad --seed '%s': a number", val);
		c->seed = v;
	} else if (!strcmp(key, "memmap")) {
		if (strlen(val) >= sizeof(c->memmap_src))
			FAIL("--memmap path too long");
		snprintf(c->memmap_src, sizeof(c->memmap_src), "%s", val);
	} else {
		FAIL("unknown option '%s'", key);
	}
	if (!mmt_arch_is_64(c->arch) && c->online_cpus > c->kc.nr_cpus)
		c->online_cpus = c->kc.nr_cpus;
	return 0;
}

int mmt_parse_machine_opt(struct mmt_config *c, int argc, char **argv,
			  int *i, enum mmt_format *fmt, char *err, size_t errlen)
{
	char key[64];
	const char *arg = argv[*i], *val = NULL, *eq;
	size_t klen;

	if (!strncmp(arg, "--", 2))
		arg += 2;
	eq = strchr(arg, '=');
	klen = eq ? (size_t)(eq - arg) : strlen(arg);
	if (klen == 0 || klen >= sizeof(key)) {
		snprintf(err, errlen, "bad option '%s'", argv[*i]);
		return -1;
	}
	memcpy(key, arg, klen);
	key[klen] = 0;
	if (eq)
		val = eq + 1;
	else if (strcmp(key, "kaslr") && strcmp(key, "no-kaslr") &&
		 strcmp(key, "json") && strcmp(key, "trace") &&
		 strcmp(key, "check")) {
		if (*i + 1 >= argc) {
			snprintf(err, errlen, "option '%s' needs a value", key);
			return -1;
		}
		val = argv[++*i];
	}
	if (!strcmp(key, "json")) {
		if (fmt)
			*fmt = MMT_FMT_JSON;
		return 0;
	}
	if (!strcmp(key, "format")) {
		if (!strcmp(val, "json") && fmt)
			*fmt = MMT_FMT_JSON;
		else if (!strcmp(val, "text") && fmt)
			*fmt = MMT_FMT_TEXT;
		else {
			snprintf(err, errlen, "bad --format '%s': text or json",
				 val);
			return -1;
		}
		return 0;
	}
	return mmt_config_set(c, key, val, err, errlen);
}
