// SPDX-License-Identifier: MIT
/*
 * The scenario's typed name table (see names.h): one hash map from name to
 * object, and the single place that words errors about names.
 */
#include "names.h"

#include "base/bug.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *what;	/* with its article, for "is a ..., not a ..." */
	const char *gone;	/* what "already ..." says once released */
} obj_types[MMT_NR_OBJ_TYPES] = {
	[MMT_OBJ_PAGES]		= { "a page block", "freed" },
	[MMT_OBJ_KMALLOC]	= { "a kmalloc object", "freed" },
	[MMT_OBJ_CACHE_OBJ]	= { "a kmem_cache object", "freed" },
	[MMT_OBJ_VMALLOC]	= { "a vmalloc area", "freed" },
	[MMT_OBJ_VMAP]		= { "a vmap area", "unmapped" },
	[MMT_OBJ_IOREMAP]	= { "an ioremap area", "unmapped" },
	[MMT_OBJ_KMAP]		= { "a kmap mapping", "unmapped" },
	[MMT_OBJ_KMAP_LOCAL]	= { "a kmap_local mapping", "unmapped" },
	[MMT_OBJ_PERCPU]	= { "a per-CPU pointer", "freed" },
	[MMT_OBJ_CACHE]		= { "a kmem_cache", "destroyed" },
	[MMT_OBJ_MALLOC]	= { "a malloc block", "freed" },
};

const char *mmt_obj_type_name(enum mmt_obj_type t)
{
	if ((unsigned)t >= MMT_NR_OBJ_TYPES)
		MMT_BUG("object type %d", (int)t);
	return obj_types[t].what;
}

/* The table, created on first use; NULL when the host is out of memory. */
static struct mmt_script_names *names_of(struct mmt_script *s)
{
	if (!s->names)
		s->names = calloc(1, sizeof(*s->names));
	return s->names;
}

static struct mmt_name *name_find(struct mmt_script *s, const char *name)
{
	return s->names ? mmt_hash_find(&s->names->map, name) : NULL;
}

struct mmt_obj *mmt_script_new_name(struct mmt_script *s, const char *name)
{
	struct mmt_script_names *t;
	struct mmt_name *n = name_find(s, name);
	size_t len = strlen(name);

	if (!len) {
		mmt_script_fail(s, "a NAME must not be empty");
		return NULL;
	}
	if (n && n->obj.state == MMT_OBJ_LIVE) {
		mmt_script_fail(s, "'%s' is already defined (%s)", name,
				mmt_obj_type_name(n->obj.type));
		return NULL;
	}
	if (n)
		return &n->obj;
	t = names_of(s);
	n = t ? malloc(sizeof(*n) + len + 1) : NULL;
	if (!n || mmt_hash_insert(&t->map, memcpy(n->name, name, len + 1),
				  n)) {
		free(n);
		mmt_script_fail(s, "out of host memory");
		return NULL;
	}
	n->obj = (struct mmt_obj){ .state = MMT_OBJ_UNBOUND };
	return &n->obj;
}

void mmt_name_bind(struct mmt_obj *o, struct mmt_obj val)
{
	MMT_BUG_ON((unsigned)val.type >= MMT_NR_OBJ_TYPES);
	*o = val;
	o->state = MMT_OBJ_LIVE;
}

void mmt_name_release(struct mmt_obj *o)
{
	MMT_BUG_ON(o->state != MMT_OBJ_LIVE);
	o->state = MMT_OBJ_FREED;
}

/* "'p' is a kmalloc object, not a page block or a kmap mapping" */
static void wrong_type(struct mmt_script *s, const char *name,
		       enum mmt_obj_type is, unsigned types)
{
	char want[256];
	size_t len = 0;
	unsigned left = types;

	want[0] = 0;
	for (unsigned t = 0; t < MMT_NR_OBJ_TYPES; t++) {
		if (!(types & MMT_OBJ_MASK(t)))
			continue;
		left &= ~MMT_OBJ_MASK(t);
		len += (size_t)snprintf(want + len, sizeof(want) - len, "%s%s",
					len == 0 ? "" : left ? ", " : " or ",
					obj_types[t].what);
		if (len >= sizeof(want))
			break;
	}
	mmt_script_fail(s, "'%s' is %s, not %s", name, obj_types[is].what,
			want);
}

struct mmt_obj *mmt_script_get(struct mmt_script *s, const char *name,
			       unsigned types)
{
	struct mmt_name *n = name_find(s, name);

	MMT_BUG_ON(!types || types >> MMT_NR_OBJ_TYPES);
	if (!n || n->obj.state == MMT_OBJ_UNBOUND) {
		mmt_script_fail(s, "unknown name '%s'", name);
		return NULL;
	}
	if (!(types & MMT_OBJ_MASK(n->obj.type))) {
		wrong_type(s, name, n->obj.type, types);
		return NULL;
	}
	if (n->obj.state == MMT_OBJ_FREED) {
		mmt_script_fail(s, "'%s' was already %s", name,
				obj_types[n->obj.type].gone);
		return NULL;
	}
	return &n->obj;
}

int mmt_script_hold_anon(struct mmt_script *s, uint64_t pfn, unsigned order)
{
	struct mmt_script_names *t = names_of(s);

	if (!t)
		return -ENOMEM;
	if (t->nr_anon == t->cap_anon) {
		size_t cap = t->cap_anon ? 2 * t->cap_anon : 64;
		struct mmt_anon_block *a = realloc(t->anon, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		t->anon = a;
		t->cap_anon = cap;
	}
	t->anon[t->nr_anon++] = (struct mmt_anon_block){ pfn, order };
	return 0;
}

void mmt_script_names_clear(struct mmt_script *s)
{
	struct mmt_script_names *t = s->names;
	struct mmt_name *n;
	size_t pos = 0;

	if (!t)
		return;
	while ((n = mmt_hash_next(&t->map, &pos, NULL)))
		mmt_free_poisoned(n, sizeof(*n) + strlen(n->name) + 1);
	mmt_hash_destroy(&t->map);
	mmt_free_poisoned(t->anon, t->cap_anon * sizeof(*t->anon));
	mmt_free_poisoned(t, sizeof(*t));
	s->names = NULL;
}
