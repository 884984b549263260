// SPDX-License-Identifier: MIT
/*
 * The seeded random step generator: mmap, munmap, mprotect, brk, mremap
 * and madvise with addresses drawn from the current mappings and near
 * them (a few pages either side of a start or an end), lengths of 1..64
 * pages and sometimes 2 MiB multiples.  Every choice comes from one
 * struct mmt_rng, and the maps it looks at are the kernel's (equal to
 * the model's until they diverge), so a seed names one sequence.
 *
 * It never touches the start-up mappings (the child's text, data, bss,
 * stack, vvar, vdso): a range that would overlap one is drawn again, and
 * after a few tries the step is a plain mmap(NULL, ...).  It keeps the
 * address space bounded: past 256 mappings or 256 MiB it unmaps.
 * r->kinds (set after live_random_seq()) restricts the kinds drawn: a
 * draw of another kind is drawn again; mmap (the fallback) and the
 * bounding munmap stay possible whatever the mask.
 */
#include "live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096ULL
#define HUGE (2ULL << 20)

static uint64_t below(struct live_random *r, uint64_t n)
{
	return mmt_rng_below(&r->rng, n);
}

/* 1..64 pages, or one to four 2 MiB, now and then */
static uint64_t draw_len(struct live_random *r)
{
	if (!below(r, 16))
		return HUGE * (1 + below(r, 4));
	return PAGE * (1 + below(r, 64));
}

static bool overlaps_keep(const struct live_random *r, uint64_t a, uint64_t len)
{
	uint64_t e = a + ((len + PAGE - 1) & ~(PAGE - 1));

	if (e < a)
		return true;
	for (int i = 0; i < r->nkeep; i++)
		if (a < r->keep[i].end && r->keep[i].start < e)
			return true;
	return false;
}

/* An address in or near a mapping the generator may touch: a start or an
 * end, moved by -4..+4 pages; sometimes the middle. */
static uint64_t draw_addr(struct live_random *r, const struct live_vma *v,
			  int n, uint64_t start_brk)
{
	int free_ = 0, pick;
	uint64_t base;

	for (int i = 0; i < n; i++)
		free_ += !overlaps_keep(r, v[i].start, v[i].end - v[i].start);
	if (!free_ || !below(r, 8)) {
		/* an anchor: a low window, or just above the break */
		base = below(r, 2) ? 0x10000000 : start_brk + PAGE * below(r, 256);
		return base + PAGE * below(r, 512);
	}
	pick = (int)below(r, (uint64_t)free_);
	for (int i = 0; i < n; i++) {
		if (overlaps_keep(r, v[i].start, v[i].end - v[i].start))
			continue;
		if (pick--)
			continue;
		switch (below(r, 3)) {
		case 0:
			base = v[i].start;
			break;
		case 1:
			base = v[i].end;
			break;
		default:
			base = v[i].start + (((v[i].end - v[i].start) / 2) & ~(PAGE - 1));
			break;
		}
		return base + PAGE * below(r, 9) - 4 * PAGE;
	}
	return 0x10000000;
}

static const char *const prots[] = {
	"PROT_NONE", "PROT_READ", "PROT_READ|PROT_WRITE", "PROT_READ|PROT_EXEC",
	"PROT_READ|PROT_WRITE|PROT_EXEC", "PROT_WRITE", "PROT_EXEC",
	"PROT_READ|PROT_WRITE",
};

static const char *const advice[] = {
	"MADV_DONTNEED", "MADV_FREE", "MADV_WILLNEED", "MADV_DONTFORK",
	"MADV_DOFORK", "MADV_WIPEONFORK", "MADV_KEEPONFORK", "MADV_HUGEPAGE",
	"MADV_NOHUGEPAGE", "MADV_NORMAL", "MADV_RANDOM", "MADV_SEQUENTIAL",
	"MADV_DONTDUMP", "MADV_DODUMP", "MADV_POPULATE_READ",
	"MADV_POPULATE_WRITE", "MADV_COLD", "MADV_GUARD_INSTALL",
	"MADV_GUARD_REMOVE",
};

static const char *draw_prot(struct live_random *r)
{
	return prots[below(r, sizeof(prots) / sizeof(prots[0]))];
}

static int gen_mmap(struct live_random *r, const struct live_vma *v, int n,
		    uint64_t start_brk, char *buf, size_t len)
{
	const char *name = r->abi == MMT_ABI_I386 ? "mmap2" : "mmap";
	uint64_t l = draw_len(r), a = 0;
	const char *kind = below(r, 5) ? "MAP_PRIVATE" : "MAP_SHARED";
	char flags[160];
	int place = (int)below(r, 8);	/* 0-2 NULL, 3-4 hint, 5-6 FIXED, 7 NOREPLACE */

	if (place >= 3) {
		int tries = 0;

		do
			a = draw_addr(r, v, n, start_brk);
		while (overlaps_keep(r, a, l) && ++tries < 8);
		if (tries == 8) {
			a = 0;
			place = 0;
		}
	}
	snprintf(flags, sizeof(flags), "%s|MAP_ANONYMOUS%s%s%s", kind,
		 place == 5 || place == 6 ? "|MAP_FIXED" : "",
		 place == 7 ? "|MAP_FIXED_NOREPLACE" : "",
		 !below(r, 8) ? "|MAP_NORESERVE" : "");
	if (a)
		snprintf(buf, len, "%s(%#llx, %llu, %s, %s, -1, 0)", name,
			 (unsigned long long)a, (unsigned long long)l,
			 draw_prot(r), flags);
	else
		snprintf(buf, len, "%s(NULL, %llu, %s, %s, -1, 0)", name,
			 (unsigned long long)l, draw_prot(r), flags);
	return LIVE_RND_MMAP;
}

/* A range in or near a touchable mapping: 0 when none could be drawn. */
static uint64_t draw_range(struct live_random *r, const struct live_vma *v,
			   int n, uint64_t start_brk, uint64_t *l)
{
	for (int tries = 0; tries < 8; tries++) {
		uint64_t a = draw_addr(r, v, n, start_brk);

		*l = draw_len(r);
		if (!overlaps_keep(r, a, *l))
			return a;
	}
	return 0;
}

/* Total size and number of the mappings the generator made. */
static void footprint(const struct live_random *r, const struct live_vma *v,
		      int n, uint64_t *size, int *count)
{
	*size = 0;
	*count = 0;
	for (int i = 0; i < n; i++)
		if (!overlaps_keep(r, v[i].start, v[i].end - v[i].start)) {
			*size += v[i].end - v[i].start;
			++*count;
		}
}

/* The kind a draw of 0..99 in gen_step() stands for. */
static int draw_kind(unsigned k)
{
	if (k < 30)
		return LIVE_RND_MMAP;
	if (k < 45)
		return LIVE_RND_MUNMAP;
	if (k < 65)
		return LIVE_RND_MPROTECT;
	if (k < 80)
		return LIVE_RND_MADVISE;
	if (k < 90)
		return LIVE_RND_BRK;
	return LIVE_RND_MREMAP;
}

static int gen_step(struct live_random *r, const struct live_vma *v, int n,
		    uint64_t start_brk, char *buf, size_t len)
{
	uint64_t size, a, l;
	int count;
	unsigned k = (unsigned)below(r, 100);

	/* a kind outside r->kinds is drawn again (the full mask draws once,
	 * so a seed names the same sequence as before masks existed) */
	for (int tries = 0; !(r->kinds >> draw_kind(k) & 1) && tries < 64; tries++)
		k = (unsigned)below(r, 100);
	if (!(r->kinds >> draw_kind(k) & 1))
		k = 0;	/* mmap */
	footprint(r, v, n, &size, &count);
	if (size > (256ULL << 20) || count > 256)
		k = 30;	/* munmap, whatever the mask: the space stays bounded */
	if (k < 30)
		return gen_mmap(r, v, n, start_brk, buf, len);
	if (k >= 80 && k < 90) {
		/* the break: at, above and (rejected) below its start */
		int64_t d = (int64_t)below(r, 72) - 8;

		if (!below(r, 10))
			snprintf(buf, len, "brk(NULL)");
		else
			snprintf(buf, len, "brk(%#llx)",
				 (unsigned long long)(start_brk + (uint64_t)(d * (int64_t)PAGE) +
						      below(r, 2) * 123));
		return LIVE_RND_BRK;
	}
	a = draw_range(r, v, n, start_brk, &l);
	if (!a)
		return gen_mmap(r, v, n, start_brk, buf, len);
	if (k < 45) {
		snprintf(buf, len, "munmap(%#llx, %llu)", (unsigned long long)a,
			 (unsigned long long)l);
		return LIVE_RND_MUNMAP;
	}
	if (k < 65) {
		snprintf(buf, len, "mprotect(%#llx, %llu, %s)",
			 (unsigned long long)a, (unsigned long long)l,
			 draw_prot(r));
		return LIVE_RND_MPROTECT;
	}
	if (k < 80) {
		const char *adv;

		do
			adv = advice[below(r, sizeof(advice) / sizeof(advice[0]))];
		while (r->no_populate && !strncmp(adv, "MADV_POPULATE", 13));
		snprintf(buf, len, "madvise(%#llx, %llu, %s)",
			 (unsigned long long)a, (unsigned long long)l, adv);
		return LIVE_RND_MADVISE;
	} else {
		uint64_t nl = draw_len(r), to;
		unsigned how = (unsigned)below(r, 4);

		if (how < 2) {	/* in place, or moving */
			snprintf(buf, len, "mremap(%#llx, %llu, %llu, %s)",
				 (unsigned long long)a, (unsigned long long)l,
				 (unsigned long long)nl,
				 how ? "MREMAP_MAYMOVE" : "0");
			return LIVE_RND_MREMAP;
		}
		to = draw_addr(r, v, n, start_brk);
		if (overlaps_keep(r, to, nl))
			to = 0x10000000 + PAGE * below(r, 4096);
		snprintf(buf, len, "mremap(%#llx, %llu, %llu, %s, %#llx)",
			 (unsigned long long)a, (unsigned long long)l,
			 (unsigned long long)nl,
			 how == 2 ? "MREMAP_MAYMOVE|MREMAP_FIXED" :
			 "MREMAP_MAYMOVE|MREMAP_DONTUNMAP", (unsigned long long)to);
		return LIVE_RND_MREMAP;
	}
}

static int random_gen(void *ctx, unsigned i, const char *maps,
		      uint64_t start_brk, char *buf, size_t len)
{
	struct live_random *r = ctx;
	struct live_vma *v;
	char err[256];
	int n = live_maps_parse(maps, &v, err, sizeof(err));

	if (n < 0)
		return 1;
	if (i == 0) {
		free(r->keep);
		r->keep = v;
		r->nkeep = n;
		v = NULL;
		n = 0;
		if (live_maps_parse(maps, &v, err, sizeof(err)) < 0)
			return 1;
		n = r->nkeep;
	}
	r->counts[gen_step(r, v, n, start_brk, buf, len)]++;
	free(v);
	return 0;
}

void live_random_seq(struct live_seq *seq, struct live_random *r,
		     enum mmt_abi abi, uint64_t seed, unsigned nsteps)
{
	memset(r, 0, sizeof(*r));
	r->abi = abi;
	r->kinds = LIVE_RND_ALL;
	mmt_rng_seed(&r->rng, seed);
	memset(seq, 0, sizeof(*seq));
	seq->name = "random";
	seq->desc = "seeded random mmap/munmap/mprotect/brk/mremap/madvise";
	seq->where = "tests/live/random.c";
	seq->abi = abi;
	seq->gen = random_gen;
	seq->gen_ctx = r;
	seq->gen_max = nsteps;
}

void live_random_free(struct live_random *r)
{
	free(r->keep);
	r->keep = NULL;
}
