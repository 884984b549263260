/* SPDX-License-Identifier: MIT */
/*
 * base/hash.h - a string-keyed hash map: open addressing, linear probing,
 * backward-shift deletion (no tombstones), doubling when half full.
 * Insert, find and delete are O(1) on average; nothing is global, so any
 * structure can embed one.
 *
 *   slots[cap]  cap = 0 or a power of two, at most half of them in use
 *   ┌──────┬──────┬──────┬──────┬──
 *   │ hash │ key ─┼──────┼──► caller's string (usually inside *val)
 *   │ val ─┼──────┼──────┼──► caller's object
 *   └──────┴──────┴──────┴──────┴──
 *   key == NULL marks an empty slot; an entry sits at or after
 *   hash & (cap - 1), with no empty slot in between.
 *
 * Ownership: the map owns only its slot array.  Keys and values belong to
 * the caller; a key must stay valid and unchanged while its entry is in
 * the map (keep it in the value, as the scenario name table does).  Values
 * must not be NULL (NULL means "absent").  A zeroed struct is an empty map.
 */
#ifndef MMT_BASE_HASH_H
#define MMT_BASE_HASH_H

#include <stddef.h>
#include <stdint.h>

struct mmt_hash_slot {
	uint64_t hash;		/* mmt_hash_str(key) */
	const char *key;	/* NULL: empty */
	void *val;
};

struct mmt_hash {
	struct mmt_hash_slot *slots;
	size_t cap;		/* slots: 0 or a power of two */
	size_t count;		/* entries, <= cap / 2 */
};

/* The hash of a NUL-terminated string (FNV-1a, then a 64-bit finaliser so
 * the low bits the mask keeps depend on every byte). */
uint64_t mmt_hash_str(const char *key);

/* An empty map (same as zeroing it). */
void mmt_hash_init(struct mmt_hash *h);
/* Free the slot array (poisoned in debug builds); the map is empty again.
 * Keys and values are the caller's to free, e.g. after mmt_hash_next(). */
void mmt_hash_destroy(struct mmt_hash *h);

/* The value stored under @key, or NULL. */
void *mmt_hash_find(const struct mmt_hash *h, const char *key);
/*
 * Store @val (not NULL) under @key.  0; -EEXIST when @key is present (the
 * map is unchanged); -ENOMEM when growing failed (the map is unchanged).
 */
int mmt_hash_insert(struct mmt_hash *h, const char *key, void *val);
/* Remove @key: its value, or NULL when absent.  The map never shrinks. */
void *mmt_hash_delete(struct mmt_hash *h, const char *key);

/*
 * Iterate: start with *pos = 0; each call returns the next value (and its
 * key in *key unless @key is NULL), or NULL at the end.  Order is the slot
 * order, not insertion order.  The map must not change during a walk.
 */
void *mmt_hash_next(const struct mmt_hash *h, size_t *pos, const char **key);

#endif
