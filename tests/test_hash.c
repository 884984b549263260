// SPDX-License-Identifier: MIT
/*
 * base/hash: the string-keyed map under the scenario name table.  A random
 * workload is checked against a plain array after every operation, and the
 * probing invariant (no empty slot between an entry and its home) is
 * verified directly on the slots.
 */
#include "test.h"

#include "base/hash.h"

#include <errno.h>
#include <stdlib.h>

/*
 * The map's invariants, checked on its arrays: every slot names a live
 * entry with its tag, each entry exactly once, reachable from its home
 * without crossing an empty slot; at most half the slots used.
 */
static int hash_valid(const struct mmt_hash *h)
{
	unsigned char *named = calloc(h->count + 1, 1);
	size_t used = 0, mask = h->cap - 1;
	int ok = named && !(h->cap & mask) && 2 * h->count <= h->cap &&
		 h->count <= h->cap_entries;

	for (size_t i = 0; ok && i < h->cap; i++) {
		const struct mmt_hash_slot *sl = &h->index[i];
		const struct mmt_hash_entry *e;

		if (!sl->entry)
			continue;
		used++;
		if (sl->entry > h->count || named[sl->entry]++) {
			ok = 0;
			break;
		}
		e = &h->entries[sl->entry - 1];
		ok = e->hash == mmt_hash_str(e->key) &&
		     sl->tag == (uint32_t)e->hash;
		for (size_t j = sl->tag & mask; ok && j != i; j = (j + 1) & mask)
			ok = h->index[j].entry != 0;
	}
	free(named);
	return ok && used == h->count;
}

TEST(hash_empty_map_finds_nothing)
{
	struct mmt_hash h = { 0 };
	size_t pos = 0;

	CHECK(mmt_hash_find(&h, "a") == NULL);
	CHECK(mmt_hash_delete(&h, "a") == NULL);
	CHECK(mmt_hash_next(&h, &pos, NULL) == NULL);
	mmt_hash_destroy(&h);
	CHECK(hash_valid(&h));
}

TEST(hash_insert_find_delete)
{
	struct mmt_hash h;
	int a = 1, b = 2;

	mmt_hash_init(&h);
	CHECK_EQ(mmt_hash_insert(&h, "a", &a), 0);
	CHECK_EQ(mmt_hash_insert(&h, "b", &b), 0);
	CHECK_EQ(mmt_hash_insert(&h, "a", &b), -EEXIST);
	CHECK(mmt_hash_find(&h, "a") == &a);
	CHECK(mmt_hash_find(&h, "b") == &b);
	CHECK(mmt_hash_find(&h, "") == NULL);
	CHECK(mmt_hash_find(&h, "ab") == NULL);
	CHECK_EQ(h.count, 2);
	CHECK(mmt_hash_delete(&h, "a") == &a);
	CHECK(mmt_hash_delete(&h, "a") == NULL);
	CHECK(mmt_hash_find(&h, "a") == NULL);
	CHECK(mmt_hash_find(&h, "b") == &b);
	CHECK_EQ(mmt_hash_insert(&h, "", &a), 0);	/* "" is a key too */
	CHECK(mmt_hash_find(&h, "") == &a);
	CHECK(hash_valid(&h));
	mmt_hash_destroy(&h);
	CHECK_EQ(h.count, 0);
	CHECK(mmt_hash_find(&h, "b") == NULL);
}

/* A tiny deterministic generator, local to the test. */
static uint32_t xorshift(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/*
 * Random inserts and deletes over @universe keys against a reference
 * array; every key is looked up after every step.  A small universe keeps
 * the map small, so runs wrap around the end of the slot array often.
 */
static void random_workload(unsigned universe, unsigned steps, uint32_t seed)
{
	char (*keys)[16] = calloc(universe, sizeof(*keys));
	bool *in = calloc(universe, sizeof(*in));
	struct mmt_hash h = { 0 };
	size_t n = 0;
	int bad = 0;

	CHECK(keys && in);
	if (!keys || !in)
		goto out;
	for (unsigned k = 0; k < universe; k++)
		snprintf(keys[k], sizeof(keys[k]), "k%u", k);
	for (unsigned s = 0; s < steps && !bad; s++) {
		unsigned k = xorshift(&seed) % universe;

		if (in[k]) {
			bad |= mmt_hash_delete(&h, keys[k]) != keys[k];
			in[k] = false, n--;
		} else {
			bad |= mmt_hash_insert(&h, keys[k], keys[k]) != 0;
			in[k] = true, n++;
		}
		bad |= h.count != n || !hash_valid(&h);
		for (unsigned j = 0; j < universe && universe <= 64; j++)
			bad |= mmt_hash_find(&h, keys[j]) !=
			       (in[j] ? keys[j] : NULL);
	}
	for (unsigned j = 0; j < universe; j++)
		bad |= mmt_hash_find(&h, keys[j]) != (in[j] ? keys[j] : NULL);
	CHECK(!bad);
out:
	mmt_hash_destroy(&h);
	free(keys);
	free(in);
}

TEST(hash_random_workload_matches_reference)
{
	random_workload(8, 20000, 1);
	random_workload(13, 20000, 7);
	random_workload(64, 50000, 42);
	random_workload(5000, 100000, 3);
}

TEST(hash_grows_by_doubling_and_iterates_in_order)
{
	enum { N = 100000 };
	static char keys[N][12];
	struct mmt_hash h = { 0 };
	unsigned char *seen = calloc(N, 1);
	const char *key;
	size_t pos = 0, cap_seen = 0, visits = 0;
	char *v;

	CHECK(seen != NULL);
	for (unsigned i = 0; i < N && seen; i++) {
		snprintf(keys[i], sizeof(keys[i]), "name%u", i);
		CHECK_EQ(mmt_hash_insert(&h, keys[i], keys[i]), 0);
		if (h.cap != cap_seen) {
			/* every growth doubles, from 16 */
			CHECK(cap_seen ? h.cap == 2 * cap_seen : h.cap == 16);
			cap_seen = h.cap;
		}
	}
	CHECK_EQ(h.count, N);
	CHECK_EQ(h.cap, 262144);		/* smallest power of two >= 2N */
	CHECK(hash_valid(&h));
	/* no deletes: insertion order */
	while (seen && (v = mmt_hash_next(&h, &pos, &key))) {
		unsigned i = (unsigned)strtoul(v + 4, NULL, 10);

		CHECK(key == v);
		CHECK(i < N && !seen[i]);
		if (i < N)
			seen[i] = 1;
		if (i != visits)
			break;
		visits++;
	}
	CHECK_EQ(visits, N);
	/* a delete moves the newest entry into the hole */
	CHECK(mmt_hash_delete(&h, keys[5]) == keys[5]);
	pos = 5;
	CHECK(mmt_hash_next(&h, &pos, NULL) == keys[N - 1]);
	CHECK(hash_valid(&h));
	mmt_hash_destroy(&h);
	free(seen);
}

TEST(hash_spreads_similar_keys)
{
	/* names differing in one digit land in different slots of a small
	 * table: the finaliser mixed every byte into the low bits */
	unsigned used[16] = { 0 }, distinct = 0;
	char key[8];

	for (unsigned i = 0; i < 10; i++) {
		snprintf(key, sizeof(key), "p%u", i);
		used[mmt_hash_str(key) & 15]++;
	}
	for (unsigned i = 0; i < 16; i++)
		distinct += used[i] != 0;
	CHECK(distinct >= 6);
	CHECK(mmt_hash_str("ab") != mmt_hash_str("ba"));
}
