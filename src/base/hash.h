/* SPDX-License-Identifier: MIT */
/*
 * base/hash.h - a string-keyed hash map: a compact open-addressing index
 * (linear probing, backward-shift deletion, no tombstones, doubling when
 * half full) over a dense array of entries, the layout CPython's dict
 * uses.  Insert, find and delete are O(1) on average; nothing is global,
 * so any structure can embed one.
 *
 *   index[cap]   8 bytes a slot, cap = 0 or a power of two, <= half used
 *   ┌─────┬─────┬─────┬─────┬──
 *   │ tag │  0  │ tag │ tag │     tag = low 32 bits of the key's hash;
 *   │ e+1 │     │ e+1 │ e+1 │     e+1 = entry number + 1, 0 = empty
 *   └──┼──┴─────┴──┼──┴──┼──┴──
 *      ▼           ▼     ▼
 *   entries[count]  { hash, key ─► caller's string, val ─► caller's }
 *
 * A slot sits at or after its home (tag & (cap - 1)) with no empty slot
 * in between.  The index is small so that a lookup's one cache miss hits
 * a table a quarter the size of pointer-sized slots; the entries stay in
 * insertion order (a delete moves the last entry into the hole), which is
 * also the iteration order.
 *
 * Ownership: the map owns only its two arrays.  Keys and values belong to
 * the caller; a key must stay valid and unchanged while its entry is in
 * the map (keep it in the value, as the scenario name table does).  Values
 * must not be NULL (NULL means "absent").  A zeroed struct is an empty map.
 * At most 2^31 entries.
 */
#ifndef MMT_BASE_HASH_H
#define MMT_BASE_HASH_H

#include <stddef.h>
#include <stdint.h>

struct mmt_hash_slot {
	uint32_t tag;		/* (uint32_t)hash */
	uint32_t entry;		/* index into entries + 1; 0: empty */
};

struct mmt_hash_entry {
	uint64_t hash;		/* mmt_hash_str(key) */
	const char *key;
	void *val;
};

struct mmt_hash {
	struct mmt_hash_slot *index;
	size_t cap;		/* slots: 0 or a power of two */
	struct mmt_hash_entry *entries;
	size_t count;		/* entries in use, <= cap / 2 */
	size_t cap_entries;
};

/* The hash of a NUL-terminated string (FNV-1a, then a 64-bit finaliser so
 * the low bits the mask keeps depend on every byte). */
uint64_t mmt_hash_str(const char *key);

/* An empty map (same as zeroing it). */
void mmt_hash_init(struct mmt_hash *h);
/* Free both arrays (poisoned in debug builds); the map is empty again.
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
 * key in *key unless @key is NULL), or NULL at the end.  Insertion order,
 * except that a delete moved the newest entry into the deleted one's
 * place.  The map must not change during a walk.
 */
void *mmt_hash_next(const struct mmt_hash *h, size_t *pos, const char **key);

#endif
