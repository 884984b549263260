/* SPDX-License-Identifier: MIT */
/*
 * mmtwin/random.h - the model's only source of randomness.
 *
 * Every random choice (KASLR, ASLR, randomized tests) draws from an
 * mmt_rng seeded from the machine's seed, so a run is reproducible.
 * splitmix64: tiny, fast, statistically fine for layout entropy.
 */
#ifndef MMTWIN_RANDOM_H
#define MMTWIN_RANDOM_H

#ifdef __cplusplus
extern "C" {
#endif

#include <stdint.h>

struct mmt_rng {
	uint64_t state;
};

static inline void mmt_rng_seed(struct mmt_rng *r, uint64_t seed)
{
	r->state = seed;
}

static inline uint64_t mmt_rng_next(struct mmt_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0. */
static inline uint64_t mmt_rng_below(struct mmt_rng *r, uint64_t n)
{
	return mmt_rng_next(r) % n;
}

#ifdef __cplusplus
}
#endif

#endif
