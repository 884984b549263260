// SPDX-License-Identifier: MIT
/*
 * The string-keyed hash map (see hash.h).  Linear probing keeps a probe
 * sequence in one or two cache lines; at most half full, a successful find
 * probes ~1.5 slots on average and an unsuccessful one ~2.5.  Deletion
 * shifts later entries of the same run back instead of leaving tombstones,
 * so a map with many deletes never degrades.
 */
#include "base/hash.h"

#include "base/bug.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define HASH_MIN_CAP 16

uint64_t mmt_hash_str(const char *key)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a offset basis */

	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ull;		/* FNV prime */
	}
	/* murmur3's fmix64: spread high bits into the low ones we mask */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

void mmt_hash_init(struct mmt_hash *h)
{
	memset(h, 0, sizeof(*h));
}

void mmt_hash_destroy(struct mmt_hash *h)
{
	mmt_free_poisoned(h->slots, h->cap * sizeof(*h->slots));
	mmt_hash_init(h);
}

/* Slot of @key, or of the empty slot ending its probe run.  cap > 0. */
static size_t probe(const struct mmt_hash *h, const char *key, uint64_t hash)
{
	size_t mask = h->cap - 1, i = hash & mask;

	while (h->slots[i].key && (h->slots[i].hash != hash ||
				   strcmp(h->slots[i].key, key)))
		i = (i + 1) & mask;
	return i;
}

void *mmt_hash_find(const struct mmt_hash *h, const char *key)
{
	size_t i;

	if (!h->cap)
		return NULL;
	i = probe(h, key, mmt_hash_str(key));
	return h->slots[i].key ? h->slots[i].val : NULL;
}

/* Rehash into @cap slots (a power of two > 2 * count).  -ENOMEM leaves
 * the map as it was. */
static int resize(struct mmt_hash *h, size_t cap)
{
	struct mmt_hash_slot *old = h->slots, *slots;
	size_t old_cap = h->cap, mask = cap - 1;

	MMT_BUG_ON(cap & mask || cap <= 2 * h->count);
	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (size_t o = 0; o < old_cap; o++) {
		size_t i;

		if (!old[o].key)
			continue;
		for (i = old[o].hash & mask; slots[i].key; i = (i + 1) & mask)
			;
		slots[i] = old[o];
	}
	h->slots = slots;
	h->cap = cap;
	mmt_free_poisoned(old, old_cap * sizeof(*old));
	return 0;
}

int mmt_hash_insert(struct mmt_hash *h, const char *key, void *val)
{
	uint64_t hash = mmt_hash_str(key);
	size_t i;

	MMT_BUG_ON(!key || !val);
	if (2 * (h->count + 1) > h->cap) {
		if (h->cap && mmt_hash_find(h, key))
			return -EEXIST;
		if (h->cap > SIZE_MAX / 2 / sizeof(*h->slots) ||
		    resize(h, h->cap ? 2 * h->cap : HASH_MIN_CAP))
			return -ENOMEM;
	}
	i = probe(h, key, hash);
	if (h->slots[i].key)
		return -EEXIST;
	h->slots[i] = (struct mmt_hash_slot){ hash, key, val };
	h->count++;
	return 0;
}

/* Is @home (an entry's ideal slot) cyclically in (@hole, @at]?  Then the
 * entry at @at may not move back to @hole: it would precede its home. */
static int home_after_hole(size_t home, size_t hole, size_t at)
{
	return hole <= at ? hole < home && home <= at
			  : hole < home || home <= at;
}

void *mmt_hash_delete(struct mmt_hash *h, const char *key)
{
	size_t mask = h->cap - 1, hole, at;
	void *val;

	if (!h->cap)
		return NULL;
	hole = probe(h, key, mmt_hash_str(key));
	if (!h->slots[hole].key)
		return NULL;
	val = h->slots[hole].val;
	/* close the gap: pull back every later entry of the run that may */
	for (at = (hole + 1) & mask; h->slots[at].key; at = (at + 1) & mask) {
		if (home_after_hole(h->slots[at].hash & mask, hole, at))
			continue;
		h->slots[hole] = h->slots[at];
		hole = at;
	}
	mmt_poison(&h->slots[hole], sizeof(h->slots[hole]));
	h->slots[hole].key = NULL;
	h->count--;
	return val;
}

void *mmt_hash_next(const struct mmt_hash *h, size_t *pos, const char **key)
{
	while (*pos < h->cap) {
		const struct mmt_hash_slot *sl = &h->slots[(*pos)++];

		if (sl->key) {
			if (key)
				*key = sl->key;
			return sl->val;
		}
	}
	return NULL;
}
