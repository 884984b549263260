// SPDX-License-Identifier: MIT
/*
 * The scenario name table (src/script/names.h): one error vocabulary for
 * every command, objects usable wherever their type fits, freed names
 * remembered and reusable, `machine` starting a fresh table, and a table
 * of 10^5 names (its speed is the benchmark's business).
 */
#include "test.h"

#include <stdlib.h>

/* Each script fails with exactly this "file:line: message". */
static const struct {
	const char *script;
	const char *err;
} vocabulary[] = {
	{ "free_pages x\n", "test:1: unknown name 'x'\n" },
	{ "kfree nothing\n", "test:1: unknown name 'nothing'\n" },
	{ "alloc_page a\nfree_pages a\nfree_pages a\n",
	  "test:3: 'a' was already freed\n" },
	{ "kmalloc p 64\nfree_pages p\n",
	  "test:2: 'p' is a kmalloc object, not a page block\n" },
	{ "vmalloc v 4096\nkmalloc v 8\n",
	  "test:2: 'v' is already defined (a vmalloc area)\n" },
	{ "alloc_pages a GFP_KERNEL 0\nalloc_page a\n",
	  "test:2: 'a' is already defined (a page block)\n" },
	{ "kmalloc p 8\nvfree p\n",
	  "test:2: 'p' is a kmalloc object, not a vmalloc area, a vmap area "
	  "or an ioremap area\n" },
	{ "alloc_page a\nkmap k a\nkunmap k\nkunmap k\n",
	  "test:4: 'k' was already unmapped\n" },
	{ "alloc_page a\nkunmap a\n",
	  "test:2: 'a' is a page block, not a kmap mapping\n" },
	{ "alloc_page a\nvmap v a\nvfree v\nvunmap v\n",
	  "test:4: 'v' was already unmapped\n" },
	{ "vmalloc v 4096\nvunmap v\n",
	  "test:2: 'v' is a vmalloc area, not a vmap area\n" },
	{ "kmalloc p 8\nkmap k p\n",
	  "test:2: 'p' is a kmalloc object, not a page block\n" },
	{ "alloc_percpu c 8\nkfree c\n",
	  "test:2: 'c' is a per-CPU pointer, not a kmalloc object or a "
	  "kmem_cache object\n" },
	{ "alloc_page a\nper_cpu_ptr a 0\n",
	  "test:2: 'a' is a page block, not a per-CPU pointer\n" },
	{ "kmem_cache_alloc o nocache\n", "test:1: unknown name 'nocache'\n" },
	{ "kmalloc p 8\nkmem_cache_alloc o p\n",
	  "test:2: 'p' is a kmalloc object, not a kmem_cache\n" },
	{ "kmem_cache_create kc 100\nkmalloc kc 8\n",
	  "test:2: 'kc' is already defined (a kmem_cache)\n" },
	{ "kmem_cache_create kc 100\nkmem_cache_alloc o kmalloc-64\n"
	  "kmem_cache_free kc o\n",
	  "test:3: 'o' is an object of cache 'kmalloc-64', not of 'kc'\n" },
	{ "alloc_pages \"\" GFP_KERNEL 0\n", "test:1: a NAME must not be empty\n" },
	{ "alloc_page a\nvmap v a nope\n", "test:2: unknown name 'nope'\n" },
};

TEST(script_names_error_vocabulary)
{
	for (unsigned i = 0; i < sizeof(vocabulary) / sizeof(vocabulary[0]);
	     i++) {
		char *out = NULL, *err = NULL;

		CHECK_EQ(test_run_script(vocabulary[i].script, &out, &err), 1);
		CHECK_STR(err, vocabulary[i].err);
		free(out);
		free(err);
	}
}

/* The pfn printed after @key ("a: pfn 0x..."), or 0. */
static unsigned long long pfn_after(const char *out, const char *key)
{
	const char *p = out ? strstr(out, key) : NULL;

	return p ? strtoull(p + strlen(key), NULL, 0) : 0;
}

/* An alloc_pages block is a page block like alloc_page's: vmap maps all
 * of its pages, kmap and kmap_local its first, free_pages frees either. */
TEST(script_names_page_blocks_fit_everywhere)
{
	char *out = NULL, *err = NULL, want[64];
	unsigned long long a, b;

	CHECK_EQ(test_run_script(
		"machine --arch x86_32 --mem 2G\n"
		"alloc_pages a GFP_HIGHUSER 2\n"
		"alloc_page b GFP_HIGHUSER\n"
		"vmap v a b\n"
		"kmap k a\n"
		"kmap_local l b\n"
		"kunmap_local l\n"
		"kunmap k\n"
		"vunmap v\n"
		"free_pages a\n"
		"free_pages b\n"
		"check\n", &out, &err), 0);
	CHECK_STR(err, "");
	a = pfn_after(out, "a: pfn ");
	b = pfn_after(out, "b = alloc_page(GFP_HIGHUSER) = pfn ");
	CHECK(a != 0 && b != 0);
	CHECK(out && strstr(out, "v = vmap(5 pages) = 0x"));
	for (unsigned i = 0; i < 4; i++) {
		snprintf(want, sizeof(want), "-> pfn %#llx (HighMem)", a + i);
		CHECK(out && strstr(out, want));
	}
	snprintf(want, sizeof(want), "-> pfn %#llx (HighMem)", b);
	CHECK(out && strstr(out, want));
	CHECK(out && strstr(out, "k = kmap(a) = 0x") &&
	      strstr(out, "pkmap slot"));
	CHECK(out && strstr(out, "l = kmap_local_page(b) on cpu 0"));
	CHECK(out && strstr(out, "check: ok"));
	free(out);
	free(err);
}

TEST(script_names_slab_objects_and_caches)
{
	char *out = NULL, *err = NULL;

	CHECK_EQ(test_run_script(
		"kmem_cache_create kc 100\n"
		"kmem_cache_alloc o kc\n"
		"kmem_cache_alloc o2 kc\n"
		"kmem_cache_alloc big kmalloc-64\n"	/* a boot-time cache */
		"kmem_cache_free kc o\n"
		"kfree o2\n"				/* kfree takes any */
		"kfree big\n"
		"ioremap r 0xfee00000 4096\n"
		"iounmap r\n", &out, &err), 0);
	CHECK_STR(err, "");
	CHECK(out && strstr(out, "kmem_cache_free(kc, o = 0x"));
	CHECK(out && strstr(out, "kfree(o2 = 0x"));
	CHECK(out && strstr(out, "iounmap(r = 0x"));
	free(out);
	free(err);
}

/* A freed name may be bound again, to an object of any type. */
TEST(script_names_reuse_after_free)
{
	char *out = NULL, *err = NULL;

	CHECK_EQ(test_run_script(
		"kmalloc p 64\n"
		"kfree p\n"
		"alloc_pages p GFP_KERNEL 1\n"
		"vmap v p\n"
		"vfree v\n"
		"vmalloc v 8192\n"
		"vfree v\n"
		"free_pages p\n"
		"kmalloc p 8\n"
		"kfree p\n", &out, &err), 0);
	CHECK_STR(err, "");
	CHECK(out && strstr(out, "v = vmap(2 pages)"));
	CHECK(out && strstr(out, "v = vmalloc(8192)"));
	free(out);
	free(err);
}

/* A command whose allocation fails leaves its name as it was. */
TEST(script_names_failed_allocation_binds_nothing)
{
	char *out = NULL, *err = NULL;
	const char *dma = "machine --arch x86_32 --mem 2G\n"
			  "alloc_pages d1 GFP_DMA 10\n"
			  "alloc_pages d2 GFP_DMA 10\n"
			  "alloc_pages d3 GFP_DMA 10\n";
	char script[512];

	snprintf(script, sizeof(script), "%salloc_pages z GFP_DMA 10\n"
		 "free_pages z\n", dma);
	CHECK_EQ(test_run_script(script, &out, &err), 1);
	CHECK(out && strstr(out, "z: order-10 GFP_DMA: -ENOMEM"));
	CHECK_STR(err, "test:6: unknown name 'z'\n");
	free(out);
	free(err);
	snprintf(script, sizeof(script), "%skmalloc p 8\nkfree p\n"
		 "alloc_pages p GFP_DMA 10\nkfree p\n", dma);
	CHECK_EQ(test_run_script(script, &out, &err), 1);
	CHECK_STR(err, "test:8: 'p' was already freed\n");
	free(out);
	free(err);
}

/* `machine` replaces the machine and with it every name and held block. */
TEST(script_names_machine_clears_the_table)
{
	char *out = NULL, *err = NULL;

	CHECK_EQ(test_run_script(
		"alloc_page a\n"
		"fill GFP_KERNEL 0 3\n"
		"machine --arch x86_32 --mem 1G\n"
		"release\n"
		"alloc_page a\n"		/* free to define again */
		"free_pages a\n"
		"machine\n"
		"free_pages a\n", &out, &err), 1);
	CHECK(out && strstr(out, "release: freed 0 blocks"));
	CHECK_STR(err, "test:8: unknown name 'a'\n");
	free(out);
	free(err);
}

/* release frees the anonymous blocks, never a named one. */
TEST(script_names_release_keeps_named_blocks)
{
	char *out = NULL, *err = NULL;

	CHECK_EQ(test_run_script(
		"fill GFP_KERNEL 0 2\n"
		"alloc_pages a GFP_KERNEL 3\n"
		"fragment GFP_KERNEL 4\n"
		"release\n"
		"release\n"
		"free_pages a\n"
		"check\n", &out, &err), 0);
	CHECK_STR(err, "");
	CHECK(out && strstr(out, "release: freed 4 blocks\n"
			    "release: freed 0 blocks\n"));
	CHECK(out && strstr(out, "check: ok"));
	free(out);
	free(err);
}

/* 10^5 live names, freed in reverse; the runner's time is benchmarked. */
TEST(script_names_hundred_thousand)
{
	enum { N = 100000 };
	size_t cap = 64 + (size_t)N * 64, len = 0;
	char *text = malloc(cap), *out = NULL, *err = NULL;

	CHECK(text != NULL);
	if (!text)
		return;
	len += (size_t)snprintf(text, cap, "machine --mem 4G\n");
	for (unsigned i = 0; i < N; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"alloc_pages p%u GFP_KERNEL 0\n", i);
	for (unsigned i = N; i-- > 0;)
		len += (size_t)snprintf(text + len, cap - len,
					"free_pages p%u\n", i);
	snprintf(text + len, cap - len, "free_pages p77\ncheck\n");
	CHECK_EQ(test_run_script(text, &out, &err), 1);
	CHECK(out && strstr(out, "p99999: pfn 0x"));
	CHECK_STR(err, "test:200002: 'p77' was already freed\n");
	free(text);
	free(out);
	free(err);
}
