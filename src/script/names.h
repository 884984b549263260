/* SPDX-License-Identifier: MIT */
/*
 * script/names.h - the scenario's typed name table.
 *
 * `alloc_pages a GFP_KERNEL 2`, `kmalloc p 64`, `vmap v a b` ... bind a
 * name to the object the command created; later lines use the name
 * wherever an object of that type fits (`vmap`, `kmap`, `kmap_local` take
 * any page block, `free_pages` frees one however it was allocated).  The
 * table belongs to the script (struct mmt_script), never to the
 * allocators, and describes the current machine only: `machine ...` and
 * the end of the script clear it (the objects themselves go with the
 * machine's teardown).
 *
 *   s->names ─► struct mmt_script_names
 *                ├─ map    name ─► struct mmt_name { obj, name[] }   O(1)
 *                └─ anon[] fill/fragment blocks, oldest first
 *
 * Each entry is UNBOUND (reserved by a command that then failed), LIVE or
 * FREED.  A freed entry keeps its type so a later use reports "'a' was
 * already freed" instead of "unknown name 'a'"; a new allocation may reuse
 * a freed (or unbound) name, of any type.  Entries are only dropped when
 * the table is cleared.
 *
 * One error vocabulary, produced here (s->err, the command returns -1):
 *   unknown name 'x'
 *   'a' was already freed               ("unmapped" for mappings)
 *   'p' is a kmalloc object, not a page block
 *   'v' is already defined (a vmalloc area)
 *   a NAME must not be empty
 */
#ifndef MMT_SCRIPT_NAMES_H
#define MMT_SCRIPT_NAMES_H

#include "base/hash.h"

#include <mmtwin/script.h>

#include <stdint.h>

struct mmt_kmem_cache;

/* What a name can stand for; the value fields each type uses. */
enum mmt_obj_type {
	MMT_OBJ_PAGES,		/* alloc_pages/alloc_page: pfn, order */
	MMT_OBJ_KMALLOC,	/* kmalloc: addr */
	MMT_OBJ_CACHE_OBJ,	/* kmem_cache_alloc: cache, addr */
	MMT_OBJ_VMALLOC,	/* vmalloc: addr */
	MMT_OBJ_VMAP,		/* vmap: addr */
	MMT_OBJ_IOREMAP,	/* ioremap: addr */
	MMT_OBJ_KMAP,		/* kmap: addr (the mapping), pfn */
	MMT_OBJ_KMAP_LOCAL,	/* kmap_local: addr, pfn, cpu */
	MMT_OBJ_PERCPU,		/* alloc_percpu: addr (cpu 0's copy) */
	MMT_OBJ_CACHE,		/* kmem_cache_create: cache */
	MMT_OBJ_MALLOC,		/* malloc/calloc/realloc: addr, pid */
	MMT_NR_OBJ_TYPES
};

/* A set of acceptable types for mmt_script_get(). */
#define MMT_OBJ_MASK(t)	(1u << (t))

enum mmt_obj_state { MMT_OBJ_UNBOUND, MMT_OBJ_LIVE, MMT_OBJ_FREED };

struct mmt_obj {
	enum mmt_obj_type type;
	enum mmt_obj_state state;
	uint64_t addr;
	uint64_t pfn;
	unsigned order;
	unsigned cpu;
	int pid;		/* MALLOC: the process the block is in */
	struct mmt_kmem_cache *cache;
};

/* A table entry: the object and the name it is bound to (the map's key). */
struct mmt_name {
	struct mmt_obj obj;
	char name[];
};

/* A block nobody named (fill, fragment), freed by `release`. */
struct mmt_anon_block {
	uint64_t pfn;
	unsigned order;
};

struct mmt_script_names {
	struct mmt_hash map;		/* name -> struct mmt_name */
	struct mmt_anon_block *anon;	/* oldest first */
	size_t nr_anon, cap_anon;
};

/*
 * The entry a new object named @name will take: a fresh UNBOUND one, or
 * the existing one when it is not LIVE (a freed name is reused).  The
 * entry's state and type are unchanged until mmt_name_bind(), so a command
 * whose allocation fails leaves the name as it was.  NULL with s->err set
 * when @name is empty, LIVE ("'v' is already defined (a vmalloc area)"),
 * or the host is out of memory.
 */
struct mmt_obj *mmt_script_new_name(struct mmt_script *s, const char *name);

/* Make @o (from mmt_script_new_name) the LIVE object @val. */
void mmt_name_bind(struct mmt_obj *o, struct mmt_obj val);

/*
 * The LIVE object named @name whose type is in @types (MMT_OBJ_MASK bits),
 * or NULL with s->err in the vocabulary above.  Type mismatch is reported
 * before "already freed": the type is the more useful fact.
 */
struct mmt_obj *mmt_script_get(struct mmt_script *s, const char *name,
			       unsigned types);

/* The object was freed (or unmapped): later uses say so. */
void mmt_name_release(struct mmt_obj *o);

/* "a page block", "an ioremap area", ... */
const char *mmt_obj_type_name(enum mmt_obj_type t);

/* Remember an anonymous block; -ENOMEM when the host is out of memory. */
int mmt_script_hold_anon(struct mmt_script *s, uint64_t pfn, unsigned order);

/* Forget every name and anonymous block (not the objects: the machine
 * they live on is being torn down or replaced).  s->names becomes NULL. */
void mmt_script_names_clear(struct mmt_script *s);

#endif
