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

/*
 * strtoull with the one number rule: "0x" (or "0X") and at least one hex
 * digit, else decimal digits only -- never octal, so "010" is ten and
 * "09" is nine.  *end points after the number.  -1 on no number or
 * overflow.
 */
static int parse_number(const char *s, unsigned long long *v, char **end)
{
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!isxdigit((unsigned char)*s) ||
	    (base == 10 && !isdigit((unsigned char)*s)))
		return -1;
	errno = 0;
	*v = strtoull(s, end, base);
	return errno ? -1 : 0;
}

int mmt_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!s || parse_number(s, &v, &end))
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

	if (!s || parse_number(s, &v, &end) || *end)
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

/*
 * --arch: the new profile's defaults (RAM size, kernel config), then
 * every option the user gave, so "--nr-cpus 64 --arch x86_32" and
 * "--arch x86_32 --nr-cpus 64" are the same machine.
 */
static void switch_profile(struct mmt_config *c, enum mmt_arch a)
{
	struct mmt_config fresh;

	mmt_config_init(&fresh, a);
	if (c->given & MMT_OPT_MEM)
		fresh.mem_bytes = c->mem_bytes;
	if (c->given & MMT_OPT_NR_CPUS)
		fresh.kc.nr_cpus = c->kc.nr_cpus;
	/* the rest has no per-profile default: keep it as it stands */
	fresh.vmalloc_bytes = c->vmalloc_bytes;
	fresh.vmsplit_gb = c->vmsplit_gb;
	fresh.online_cpus = c->online_cpus;
	fresh.nodes = c->nodes;
	fresh.seed = c->seed;
	fresh.kaslr = c->kaslr;
	fresh.trace = c->trace;
	fresh.check = c->check;
	memcpy(fresh.memmap_src, c->memmap_src, sizeof(fresh.memmap_src));
	fresh.given = c->given;
	*c = fresh;
}

int mmt_config_set(struct mmt_config *c, const char *key, const char *val,
		   char *err, size_t errlen)
{
	uint64_t v;

	if (!strcmp(key, "kaslr")) {
		c->kaslr = !val || !strcmp(val, "on") || !strcmp(val, "1");
		c->given |= MMT_OPT_KASLR;
		return 0;
	}
	if (!strcmp(key, "no-kaslr")) {
		c->kaslr = false;
		c->given &= ~MMT_OPT_KASLR;
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

		if (mmt_arch_from_name(val, &a))
			FAIL("unknown arch '%s' (x86_32, x86_32-pae, x86_64, "
			     "x86_64-la57)", val);
		switch_profile(c, a);
	} else if (!strcmp(key, "mem")) {
		/* 64 TiB: the 4-level kernel's MAX_PHYSMEM_BITS (46); the
		 * model boots it lazily, per-pageblock tables grow with RAM */
		if (mmt_parse_size(val, &v) || v < (16ULL << 20) ||
		    v > (64ULL << 40))
			FAIL("bad --mem '%s': a size from 16M to 64T, e.g. 2G",
			     val);
		c->mem_bytes = v;
		c->given |= MMT_OPT_MEM;
	} else if (!strcmp(key, "vmalloc")) {
		if (mmt_parse_size(val, &v) || v > (1ULL << 32))
			FAIL("bad --vmalloc '%s': a size such as 256M", val);
		c->vmalloc_bytes = v;
		c->given |= MMT_OPT_VMALLOC;
	} else if (!strcmp(key, "vmsplit")) {
		if (!strcmp(val, "3G") || !strcmp(val, "3"))
			c->vmsplit_gb = 3;
		else if (!strcmp(val, "2G") || !strcmp(val, "2"))
			c->vmsplit_gb = 2;
		else if (!strcmp(val, "1G") || !strcmp(val, "1"))
			c->vmsplit_gb = 1;
		else
			FAIL("bad --vmsplit '%s': 3G, 2G or 1G", val);
		c->given |= MMT_OPT_VMSPLIT;
	} else if (!strcmp(key, "cpus")) {
		if (parse_uint(val, 1, 4096, &c->online_cpus))
			FAIL("bad --cpus '%s': 1..4096", val);
		c->given |= MMT_OPT_CPUS;
	} else if (!strcmp(key, "nr-cpus")) {
		if (parse_uint(val, 1, 8192, &c->kc.nr_cpus))
			FAIL("bad --nr-cpus '%s': 1..8192", val);
		c->given |= MMT_OPT_NR_CPUS;
	} else if (!strcmp(key, "nodes")) {
		if (parse_uint(val, 1, MMT_MAX_NODES, &c->nodes))
			FAIL("bad --nodes '%s': 1..%d", val, MMT_MAX_NODES);
	} else if (!strcmp(key, "seed")) {
		if (mmt_parse_addr(val, &v))
			FAIL("bad --seed '%s': a number", val);
		c->seed = v;
	} else if (!strcmp(key, "memmap")) {
		if (!val[0])
			FAIL("--memmap needs a source: default, host or a "
			     "file name");
		if (strlen(val) >= sizeof(c->memmap_src))
			FAIL("--memmap path too long");
		snprintf(c->memmap_src, sizeof(c->memmap_src), "%s", val);
	} else {
		FAIL("unknown option '--%s'", key);
	}
	return 0;
}

int mmt_config_opt_kind(const char *key)
{
	static const char *const flags[] = { "kaslr", "no-kaslr", "trace",
					     "check", NULL };
	static const char *const valued[] = { "arch", "mem", "vmalloc",
		"vmsplit", "cpus", "nr-cpus", "nodes", "seed", "memmap", NULL };

	for (unsigned i = 0; flags[i]; i++)
		if (!strcmp(key, flags[i]))
			return 0;
	for (unsigned i = 0; valued[i]; i++)
		if (!strcmp(key, valued[i]))
			return 1;
	return -1;
}

int mmt_config_check(const struct mmt_config *c, char *err, size_t errlen)
{
	const char *arch = mmt_arch_name(c->arch);

	if (mmt_arch_is_64(c->arch)) {
		if (c->given & MMT_OPT_VMALLOC)
			FAIL("--vmalloc does not apply to %s: the vmalloc= boot "
			     "parameter exists on x86_32 only", arch);
		if (c->given & MMT_OPT_VMSPLIT)
			FAIL("--vmsplit does not apply to %s: the VMSPLIT "
			     "choice exists on x86_32 only", arch);
	} else if (c->kaslr) {
		FAIL("--kaslr does not apply to %s: the kernel randomises "
		     "the direct map, vmalloc and vmemmap bases on x86_64 "
		     "only (CONFIG_RANDOMIZE_MEMORY)", arch);
	}
	if (c->online_cpus > c->kc.nr_cpus)
		FAIL("--cpus %u is more than NR_CPUS (%u on %s%s): raise it "
		     "with --nr-cpus", c->online_cpus, c->kc.nr_cpus, arch,
		     c->given & MMT_OPT_NR_CPUS ? ", as given" : "");
	return 0;
}

int mmt_parse_machine_opt(struct mmt_config *c, int argc, char **argv,
			  int *i, enum mmt_format *fmt, char *err, size_t errlen)
{
	char key[64];
	const char *arg = argv[*i], *val = NULL, *eq;
	size_t klen;
	int kind;

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
	kind = !strcmp(key, "json") ? 0 : !strcmp(key, "format") ? 1
	       : mmt_config_opt_kind(key);
	if (kind < 0) {
		snprintf(err, errlen, "unknown option '--%s'", key);
		return -1;
	}
	if (eq)
		val = eq + 1;
	else if (kind == 1) {
		if (*i + 1 >= argc) {
			snprintf(err, errlen, "option '--%s' needs a value",
				 key);
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
