// SPDX-License-Identifier: MIT
/*
 * The string-keyed hash map (see hash.h).  Linear probing over 8-byte
 * slots keeps a probe sequence in one cache line; at most half full, a
 * successful find probes ~1.5 slots on average and an unsuccessful one
 * ~2.5, and the 32-bit tag rejects almost every wrong slot without
 * touching its entry.  Deletion shifts later slots of the same run back
 * instead of leaving tombstones, so a map with many deletes never degrades.
 */
#include "base/hash.h"

#include "base/bug.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define HASH_MIN_CAP	16
#define HASH_MAX_COUNT	(1ull << 31)	/* entry + 1 fits the slot */

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
	mmt_free_poisoned(h->index, h->cap * sizeof(*h->index));
	mmt_free_poisoned(h->entries, h->cap_entries * sizeof(*h->entries));
	mmt_hash_init(h);
}

/* Slot of @key, or the empty slot ending its probe run.  cap > 0. */
static size_t probe(const struct mmt_hash *h, const char *key, uint64_t hash)
{
	size_t mask = h->cap - 1, i = (uint32_t)hash & mask;

	for (;; i = (i + 1) & mask) {
		const struct mmt_hash_slot *sl = &h->index[i];
		const struct mmt_hash_entry *e;

		if (!sl->entry)
			return i;
		if (sl->tag != (uint32_t)hash)
			continue;
		e = &h->entries[sl->entry - 1];
		if (e->hash == hash && !strcmp(e->key, key))
			return i;
	}
}

/* The slot naming entry @n (which must be in the map). */
static size_t slot_of_entry(const struct mmt_hash *h, size_t n)
{
	size_t mask = h->cap - 1, i = (uint32_t)h->entries[n].hash & mask;

	while (h->index[i].entry != n + 1) {
		if (!h->index[i].entry)
			MMT_BUG("entry %zu is in no slot", n);
		i = (i + 1) & mask;
	}
	return i;
}

void *mmt_hash_find(const struct mmt_hash *h, const char *key)
{
	size_t i;

	if (!h->cap)
		return NULL;
	i = probe(h, key, mmt_hash_str(key));
	return h->index[i].entry ? h->entries[h->index[i].entry - 1].val
				 : NULL;
}

/* Rebuild the index with @cap slots (a power of two > 2 * count) from the
 * entries.  -ENOMEM leaves the map as it was. */
static int resize_index(struct mmt_hash *h, size_t cap)
{
	struct mmt_hash_slot *index;
	size_t mask = cap - 1;

	MMT_BUG_ON(cap & mask || cap <= 2 * h->count);
	index = calloc(cap, sizeof(*index));
	if (!index)
		return -ENOMEM;
	for (size_t n = 0; n < h->count; n++) {
		uint32_t tag = (uint32_t)h->entries[n].hash;
		size_t i;

		for (i = tag & mask; index[i].entry; i = (i + 1) & mask)
			;
		index[i] = (struct mmt_hash_slot){ tag, (uint32_t)n + 1 };
	}
	mmt_free_poisoned(h->index, h->cap * sizeof(*h->index));
	h->index = index;
	h->cap = cap;
	return 0;
}

/* Room for one more entry and its slot; -ENOMEM changes nothing. */
static int reserve(struct mmt_hash *h)
{
	if (h->count + 1 > HASH_MAX_COUNT)
		return -ENOMEM;
	if (h->count == h->cap_entries) {
		size_t n = h->cap_entries ? 2 * h->cap_entries : HASH_MIN_CAP / 2;
		struct mmt_hash_entry *e = realloc(h->entries, n * sizeof(*e));

		if (!e)
			return -ENOMEM;
		h->entries = e;
		h->cap_entries = n;
	}
	if (2 * (h->count + 1) > h->cap)
		return resize_index(h, h->cap ? 2 * h->cap : HASH_MIN_CAP);
	return 0;
}

int mmt_hash_insert(struct mmt_hash *h, const char *key, void *val)
{
	uint64_t hash = mmt_hash_str(key);
	size_t i;

	MMT_BUG_ON(!key || !val);
	if (h->cap && h->index[probe(h, key, hash)].entry)
		return -EEXIST;
	if (reserve(h))
		return -ENOMEM;
	i = probe(h, key, hash);
	h->entries[h->count] = (struct mmt_hash_entry){ hash, key, val };
	h->index[i] = (struct mmt_hash_slot){ (uint32_t)hash,
					      (uint32_t)++h->count };
	return 0;
}

/* Is @home (a slot's ideal place) cyclically in (@hole, @at]?  Then the
 * slot at @at may not move back to @hole: it would precede its home. */
static int home_after_hole(size_t home, size_t hole, size_t at)
{
	return hole <= at ? hole < home && home <= at
			  : hole < home || home <= at;
}

/* Empty slot @hole, pulling back every later slot of its run that may. */
static void index_remove(struct mmt_hash *h, size_t hole)
{
	size_t mask = h->cap - 1;

	for (size_t at = (hole + 1) & mask; h->index[at].entry;
	     at = (at + 1) & mask) {
		if (home_after_hole(h->index[at].tag & mask, hole, at))
			continue;
		h->index[hole] = h->index[at];
		hole = at;
	}
	h->index[hole] = (struct mmt_hash_slot){ 0, 0 };
}

void *mmt_hash_delete(struct mmt_hash *h, const char *key)
{
	size_t i, n, last;
	void *val;

	if (!h->cap)
		return NULL;
	i = probe(h, key, mmt_hash_str(key));
	if (!h->index[i].entry)
		return NULL;
	n = h->index[i].entry - 1;
	val = h->entries[n].val;
	index_remove(h, i);
	/* keep the entries dense: the newest one fills the hole */
	last = h->count - 1;
	if (n != last) {
		h->index[slot_of_entry(h, last)].entry = (uint32_t)n + 1;
		h->entries[n] = h->entries[last];
	}
	mmt_poison(&h->entries[last], sizeof(h->entries[last]));
	h->count--;
	return val;
}

void *mmt_hash_next(const struct mmt_hash *h, size_t *pos, const char **key)
{
	const struct mmt_hash_entry *e;

	if (*pos >= h->count)
		return NULL;
	e = &h->entries[(*pos)++];
	if (key)
		*key = e->key;
	return e->val;
}
