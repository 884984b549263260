// SPDX-License-Identifier: MIT
/*
 * SLUB and kmalloc: size classes, slab geometry (checked against this
 * host's /proc/slabinfo when readable), object placement, LIFO reuse,
 * empty-slab discard, large kmalloc, named caches, /proc/slabinfo format.
 */
#include "test_kalloc.h"
#include "mm/kalloc_internal.h"

#include <errno.h>
#include <unistd.h>

TEST(slab_kmalloc_index_size_classes)
{
	static const struct { size_t size; int idx; unsigned cls; } t[] = {
		{ 1, 3, 8 }, { 8, 3, 8 }, { 9, 4, 16 }, { 16, 4, 16 },
		{ 17, 5, 32 }, { 24, 5, 32 }, { 33, 6, 64 }, { 64, 6, 64 },
		{ 65, 1, 96 }, { 96, 1, 96 }, { 97, 7, 128 }, { 128, 7, 128 },
		{ 129, 2, 192 }, { 192, 2, 192 }, { 193, 8, 256 },
		{ 257, 9, 512 }, { 513, 10, 1024 }, { 1025, 11, 2048 },
		{ 2049, 12, 4096 }, { 4097, 13, 8192 }, { 8192, 13, 8192 },
		{ 8193, -1, 0 }, { 0, 0, 0 },
	};

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK_EQ(mmt_kmalloc_index(t[i].size), t[i].idx);
		CHECK_EQ(mmt_kmalloc_size(t[i].idx), t[i].cls);
	}
	/* every size up to 8K lands in the smallest class that holds it */
	for (size_t s = 1; s <= 8192; s++) {
		unsigned cls = mmt_kmalloc_size(mmt_kmalloc_index(s));

		CHECK(cls >= s);
		if (s > 8)
			CHECK(cls < 2 * s || s <= 16);
		if (cls < s)
			break;
	}
}

/* SLUB's calculate_order() for the kmalloc sizes, 2 present CPUs (this
 * host's /proc/slabinfo). */
TEST(slab_geometry_matches_slub_for_two_cpus)
{
	static const unsigned t[][3] = {	/* size, objs, pages */
		{ 8, 512, 1 }, { 16, 256, 1 }, { 32, 128, 1 }, { 64, 64, 1 },
		{ 96, 42, 1 }, { 128, 32, 1 }, { 192, 21, 1 }, { 256, 16, 1 },
		{ 512, 16, 2 }, { 1024, 16, 4 }, { 2048, 16, 8 },
		{ 4096, 8, 8 }, { 8192, 4, 8 },
	};

	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		unsigned order, objs;

		mmt_slub_geometry(t[i][0], 2, &order, &objs);
		CHECK_EQ(objs, t[i][1]);
		CHECK_EQ(1u << order, t[i][2]);
	}
}

/* The slabinfo line layout, as sscanf sees it; 1 when @line matches. */
static int parse_slabinfo_line(const char *line, char *name, unsigned long v[9])
{
	int n = -1;

	if (sscanf(line, "%63s %lu %lu %lu %lu %lu : tunables %lu %lu %lu : "
		   "slabdata %lu %lu %lu%n", name, &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7], &v[8], &v[8], &v[8], &n) != 12)
		return 0;
	return line[n] == '\n' || line[n] == 0;
}

TEST(slab_geometry_matches_host_slabinfo)
{
	FILE *f = fopen("/proc/slabinfo", "r");
	long cpus = sysconf(_SC_NPROCESSORS_CONF);
	char line[512], name[64];
	unsigned seen = 0;

	if (!f)
		return;		/* not readable here: nothing to compare */
	while (fgets(line, sizeof(line), f)) {
		unsigned long v[9];
		const char *k = strstr(line, "kmalloc-");
		unsigned order, objs;

		if (!k || line[0] == '#' || !parse_slabinfo_line(line, name, v))
			continue;
		if (v[2] < 8 || v[2] > 8192 || strstr(name, "rnd"))
			continue;
		mmt_slub_geometry((unsigned)v[2], (unsigned)cpus, &order, &objs);
		if (objs != v[3] || (1ul << order) != v[4])
			test_fail(__FILE__, __LINE__, "%s: host %lu objs/%lu "
				  "pages, model %u/%u", name, v[3], v[4], objs,
				  1u << order);
		seen++;
	}
	fclose(f);
	CHECK(seen >= 13);
}

/* Model and host /proc/slabinfo have the same header and line layout. */
TEST(slab_slabinfo_format_matches_host)
{
	struct mmt_machine *m = kalloc_boot(MMT_ARCH_X86_64, "1G", "2");
	char *buf = NULL, line[512], host_hdr[2][512], name[64];
	size_t len = 0;
	FILE *o = open_memstream(&buf, &len), *in, *h;
	unsigned lines = 0;
	uint64_t a;

	CHECK_EQ(mmt_kmalloc(m, 50, MMT_GFP_KERNEL, &a), 0);
	mmt_slabinfo_print(m, o);
	fclose(o);
	in = fmemopen(buf, len, "r");
	CHECK(fgets(line, sizeof(line), in));
	CHECK_STR(line, "slabinfo - version: 2.1\n");
	CHECK(fgets(line, sizeof(line), in));
	CHECK(!strncmp(line, "# name            <active_objs>", 30));
	h = fopen("/proc/slabinfo", "r");
	if (h) {
		CHECK(fgets(host_hdr[0], sizeof(host_hdr[0]), h));
		CHECK(fgets(host_hdr[1], sizeof(host_hdr[1]), h));
		rewind(in);
		CHECK(fgets(line, sizeof(line), in));
		CHECK_STR(line, host_hdr[0]);
		CHECK(fgets(line, sizeof(line), in));
		CHECK_STR(line, host_hdr[1]);
		/* the column positions of a host line and a model line agree */
		while (fgets(host_hdr[0], sizeof(host_hdr[0]), h)) {
			unsigned long v[9];

			if (strlen(host_hdr[0]) < 100 ||
			    !parse_slabinfo_line(host_hdr[0], name, v))
				test_fail(__FILE__, __LINE__, "host line: %s",
					  host_hdr[0]);
		}
		fclose(h);
	}
	while (fgets(line, sizeof(line), in)) {
		unsigned long v[9];

		CHECK(parse_slabinfo_line(line, name, v));
		CHECK(strstr(line, " : tunables    0    0    0 : slabdata "));
		if (!strcmp(name, "kmalloc-64")) {
			CHECK_EQ(v[0], 1);
			CHECK_EQ(v[1], 64);
			CHECK(!strncmp(line, "kmalloc-64             1     64     "
				       "64   64    1 : tunables", 59));
		}
		lines++;
	}
	/* kmalloc-*, task_struct, mm_struct, vm_area_struct, anon_vma,
	 * anon_vma_chain */
	CHECK_EQ(lines, 13 + 5);
	fclose(in);
	free(buf);
	mmt_machine_free(m);
}

TEST(slab_objects_placement_and_lifo_reuse)
{
	struct mmt_machine *m = kalloc_boot(MMT_ARCH_X86_32, "1G", "2");
	const struct mmt_kmem_cache *c;
	uint64_t a[70], pfn, pa, again;

	for (unsigned i = 0; i < 70; i++) {
		CHECK_EQ(mmt_kmalloc(m, 64, MMT_GFP_KERNEL, &a[i]), 0);
		KALLOC_OK(m);
	}
	CHECK_EQ(mmt_kmalloc_lookup(m, a[0], &c, &pfn), 0);
	CHECK_STR(c->name, "kmalloc-64");
	CHECK_EQ(mmt_va(&m->layout, pfn << 12, &pa), 0);
	CHECK_EQ(a[0], pa);		/* object 0 at __va(pfn << 12) */
	for (unsigned i = 1; i < 64; i++)
		CHECK_EQ(a[i], a[0] + i * 64);
	CHECK(a[64] / 4096 != a[0] / 4096);	/* slab 2 */
	CHECK_EQ(c->nr_slabs, 2);
	CHECK_EQ(c->active_objs, 70);
	/* a freed object of the current slab is the next one handed out */
	CHECK_EQ(mmt_kfree(m, a[66]), 0);
	CHECK_EQ(mmt_kfree(m, a[66]), -EINVAL);		/* double free */
	CHECK_EQ(mmt_kfree(m, a[11] + 4), -EINVAL);	/* not an object */
	CHECK_EQ(mmt_kmalloc(m, 60, MMT_GFP_KERNEL, &again), 0);
	CHECK_EQ(again, a[66]);
	/* one freed in the full first slab waits until the current is full */
	CHECK_EQ(mmt_kfree(m, a[10]), 0);
	CHECK_EQ(mmt_kmalloc(m, 60, MMT_GFP_KERNEL, &again), 0);
	CHECK_EQ(again, a[64] + 6 * 64);	/* slab 2 (the cpu slab) first */
	KALLOC_OK(m);
	CHECK_EQ(mmt_kfree(m, again), 0);
	for (unsigned i = 0; i < 70; i++)
		if (i != 10)
			CHECK_EQ(mmt_kfree(m, a[i]), 0);
	KALLOC_OK(m);
	CHECK_EQ(c->active_objs, 0);
	CHECK(c->nr_slabs <= 2);	/* empty slabs kept up to min_partial */
	mmt_machine_free(m);
}

TEST(slab_empty_slabs_beyond_min_partial_are_freed)
{
	struct mmt_machine *m = kalloc_boot(MMT_ARCH_X86_64, "1G", "2");
	const struct mmt_kmem_cache *c;
	uint64_t a[8 * 12], pfn;

	for (unsigned i = 0; i < 96; i++)
		CHECK_EQ(mmt_kmalloc(m, 4000, MMT_GFP_KERNEL, &a[i]), 0);
	CHECK_EQ(mmt_kmalloc_lookup(m, a[0], &c, &pfn), 0);
	CHECK_EQ(c->nr_slabs, 12);
	CHECK_EQ(c->min_partial, 6);	/* ilog2(4096) / 2 */
	for (unsigned i = 0; i < 96; i++) {
		CHECK_EQ(mmt_kfree(m, a[i]), 0);
		if (i % 16 == 0)
			KALLOC_OK(m);
	}
	CHECK_EQ(c->nr_slabs, 6);
	KALLOC_OK(m);
	mmt_machine_free(m);
}

TEST(slab_large_kmalloc_and_limits)
{
	struct mmt_machine *m = kalloc_boot(MMT_ARCH_X86_64, "1G", "2");
	const struct mmt_kmem_cache *c = (void *)1;
	uint64_t a, pfn;

	CHECK_EQ(mmt_kmalloc(m, 0, MMT_GFP_KERNEL, &a), 0);
	CHECK_EQ(a, MMT_ZERO_SIZE_PTR);
	CHECK_EQ(mmt_kfree(m, a), 0);
	CHECK_EQ(mmt_kmalloc(m, (4u << 20) + 1, MMT_GFP_KERNEL, &a), -EINVAL);
	CHECK_EQ(mmt_kmalloc(m, 4u << 20, MMT_GFP_KERNEL, &a), 0);
	CHECK_EQ(a & ((4u << 20) - 1), 0);	/* an order-10 buddy block */
	CHECK_EQ(mmt_kfree(m, a), 0);
	CHECK_EQ(mmt_kmalloc(m, 8193, MMT_GFP_KERNEL, &a), 0);
	CHECK_EQ(mmt_kmalloc_lookup(m, a, &c, &pfn), 0);
	CHECK(c == NULL);
	CHECK_EQ(mmt_kfree(m, a + 8), -EINVAL);
	CHECK_EQ(mmt_kfree(m, a), 0);
	CHECK_EQ(mmt_kfree(m, a), -EINVAL);
	KALLOC_OK(m);
	mmt_machine_free(m);
}

TEST(slab_named_cache)
{
	struct mmt_machine *m = kalloc_boot(MMT_ARCH_X86_32_PAE, "1G", "2");
	struct mmt_kmem_cache *s;
	uint64_t a, b;
	int e;

	s = mmt_kmem_cache_create(m, "task_thing", 100, 32, &e);
	CHECK(s != NULL);
	CHECK_EQ(e, 0);
	CHECK_EQ(s->size, 128);
	CHECK(mmt_kmem_cache_create(m, "task_thing", 10, 0, &e) == NULL);
	CHECK_EQ(e, -EEXIST);
	CHECK(mmt_kmem_cache_create(m, "bad", 10, 3, &e) == NULL);
	CHECK_EQ(e, -EINVAL);
	CHECK_EQ(mmt_kmem_cache_alloc(m, s, MMT_GFP_KERNEL, &a), 0);
	CHECK_EQ(mmt_kmem_cache_alloc(m, s, MMT_GFP_KERNEL, &b), 0);
	CHECK_EQ(b - a, 128);
	CHECK(m->kalloc->slab_caches == s);	/* newest first in slabinfo */
	CHECK_EQ(mmt_kmem_cache_free(m, m->kalloc->kmalloc_caches[7], a),
		 -EINVAL);
	CHECK_EQ(mmt_kmem_cache_free(m, s, a), 0);
	CHECK_EQ(mmt_kfree(m, b), 0);		/* kfree works on any slab */
	KALLOC_OK(m);
	mmt_machine_free(m);
}
