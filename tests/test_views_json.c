// SPDX-License-Identifier: MIT
/*
 * JSON forms of the physical-memory views (buddyinfo, pagetypeinfo,
 * zoneinfo, meminfo, iomem): the output is valid JSON (a small strict
 * parser below: RFC 8259 grammar, no trailing garbage, no duplicate keys)
 * and every number in it equals the text view's number for the same field.
 */
#include "test.h"

#include "mm/internal.h"

#include <stdbool.h>
#include <stdlib.h>

/* ---- a tiny JSON parser: a tree of values, strict grammar ---- */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jtype t;
	char *key;		/* member name inside an object */
	char *str;		/* J_STR */
	long long num;		/* J_NUM (integers; fractions truncated) */
	bool b;
	struct jv **kid;	/* J_ARR / J_OBJ members, in order */
	unsigned n, cap;
};

struct jparser {
	const char *s;
	bool ok;
	unsigned depth;
};

static void jfree(struct jv *v)
{
	if (!v)
		return;
	for (unsigned i = 0; i < v->n; i++)
		jfree(v->kid[i]);
	free(v->kid);
	free(v->key);
	free(v->str);
	free(v);
}

static void ws(struct jparser *p)
{
	while (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r')
		p->s++;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char *jstring(struct jparser *p)
{
	size_t cap = 16, len = 0;
	char *buf;

	if (*p->s != '"') {
		p->ok = false;
		return NULL;
	}
	p->s++;
	buf = malloc(cap);
	while (buf && p->ok) {
		unsigned char c = (unsigned char)*p->s;

		if (c < 0x20) {		/* includes the terminating NUL */
			p->ok = false;
			break;
		}
		p->s++;
		if (c == '"')
			break;
		if (c == '\\') {
			c = (unsigned char)*p->s;
			if (c)
				p->s++;
			switch (c) {
			case '"': case '\\': case '/': break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				for (int i = 0; i < 4 && p->ok; i++)
					if (!p->s[i] ||
					    !strchr("0123456789abcdefABCDEF",
						    p->s[i]))
						p->ok = false;
				if (p->ok)
					p->s += 4;
				c = '?';
				break;
			default:
				p->ok = false;
			}
		}
		if (len + 2 > cap) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
		}
		if (buf)
			buf[len++] = (char)c;
	}
	if (!buf || !p->ok) {
		free(buf);
		p->ok = false;
		return NULL;
	}
	buf[len] = 0;
	return buf;
}

static bool jadd(struct jv *v, struct jv *k)
{
	if (v->n == v->cap) {
		unsigned cap = v->cap ? v->cap * 2 : 8;
		struct jv **nk = realloc(v->kid, cap * sizeof(*nk));

		if (!nk)
			return false;
		v->kid = nk;
		v->cap = cap;
	}
	v->kid[v->n++] = k;
	return true;
}

static struct jv *jvalue(struct jparser *p);

/* Members of an array or object, after the opening bracket. */
static void jmembers(struct jparser *p, struct jv *v, char close)
{
	ws(p);
	if (*p->s == close) {
		p->s++;
		return;
	}
	for (;;) {
		char *key = NULL;
		struct jv *k;

		ws(p);
		if (v->t == J_OBJ) {
			key = jstring(p);
			ws(p);
			if (!p->ok || *p->s != ':') {
				free(key);
				p->ok = false;
				return;
			}
			p->s++;
			for (unsigned i = 0; i < v->n; i++)
				if (!strcmp(v->kid[i]->key, key))
					p->ok = false;	/* duplicate key */
		}
		k = jvalue(p);
		if (!k || !p->ok) {
			free(key);
			jfree(k);
			p->ok = false;
			return;
		}
		k->key = key;
		if (!jadd(v, k)) {
			jfree(k);
			p->ok = false;
			return;
		}
		ws(p);
		if (*p->s == ',') {
			p->s++;
			continue;
		}
		if (*p->s == close) {
			p->s++;
			return;
		}
		p->ok = false;
		return;
	}
}

static struct jv *jvalue(struct jparser *p)
{
	struct jv *v;

	ws(p);
	if (++p->depth > 64) {
		p->ok = false;
		return NULL;
	}
	v = calloc(1, sizeof(*v));
	if (!v) {
		p->ok = false;
		return NULL;
	}
	if (*p->s == '{' || *p->s == '[') {
		v->t = *p->s == '{' ? J_OBJ : J_ARR;
		p->s++;
		jmembers(p, v, v->t == J_OBJ ? '}' : ']');
	} else if (*p->s == '"') {
		v->t = J_STR;
		v->str = jstring(p);
	} else if (*p->s == '-' || is_digit(*p->s)) {
		const char *start = p->s;

		v->t = J_NUM;
		if (*p->s == '-')
			p->s++;
		if (*p->s == '0')
			p->s++;
		else if (is_digit(*p->s))
			while (is_digit(*p->s))
				p->s++;
		else
			p->ok = false;
		if (*p->s == '.') {
			p->s++;
			if (!is_digit(*p->s))
				p->ok = false;
			while (is_digit(*p->s))
				p->s++;
		}
		if (*p->s == 'e' || *p->s == 'E') {
			p->s++;
			if (*p->s == '+' || *p->s == '-')
				p->s++;
			if (!is_digit(*p->s))
				p->ok = false;
			while (is_digit(*p->s))
				p->s++;
		}
		v->num = strtoll(start, NULL, 10);
	} else if (!strncmp(p->s, "true", 4) || !strncmp(p->s, "false", 5)) {
		v->t = J_BOOL;
		v->b = *p->s == 't';
		p->s += v->b ? 4 : 5;
	} else if (!strncmp(p->s, "null", 4)) {
		p->s += 4;
	} else {
		p->ok = false;
	}
	p->depth--;
	if (!p->ok) {
		jfree(v);
		return NULL;
	}
	return v;
}

/* The document's root value, NULL unless @text is exactly one JSON value. */
static struct jv *jparse(const char *text)
{
	struct jparser p = { text, true, 0 };
	struct jv *v;

	if (!text)
		return NULL;
	v = jvalue(&p);
	if (!v)
		return NULL;
	ws(&p);
	if (!p.ok || *p.s) {
		jfree(v);
		v = NULL;
	}
	return v;
}

static const struct jv *jget(const struct jv *v, const char *key)
{
	if (v && v->t == J_OBJ)
		for (unsigned i = 0; i < v->n; i++)
			if (!strcmp(v->kid[i]->key, key))
				return v->kid[i];
	return NULL;
}

static const struct jv *jat(const struct jv *v, unsigned i)
{
	return v && v->t == J_ARR && i < v->n ? v->kid[i] : NULL;
}

/* Number member @key of @v; records a failure (and returns -1) if absent. */
#define JNUM(v, key) jnum_((v), (key), __LINE__)
static long long jnum_(const struct jv *v, const char *key, int line)
{
	const struct jv *k = jget(v, key);

	if (!k || k->t != J_NUM) {
		test_fail(__FILE__, line, "no number \"%s\"", key);
		return -1;
	}
	return k->num;
}

static const char *jstr(const struct jv *v, const char *key)
{
	const struct jv *k = jget(v, key);

	return k && k->t == J_STR ? k->str : NULL;
}

/* ---- the views under test ---- */

static char *view_out(struct mmt_machine *m, const char *name,
		      enum mmt_format fmt)
{
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const struct mmt_view *v = mmt_view_find(name);

	CHECK(v != NULL);
	if (v)
		CHECK_EQ(mmt_view_print(m, v->name, f, fmt, err, sizeof(err)), 0);
	fclose(f);
	return buf;
}

/* Text and parsed JSON of one view. */
struct both {
	char *text;
	char *json;
	struct jv *root;
};

static void both_get(struct mmt_machine *m, const char *name, struct both *b)
{
	b->text = view_out(m, name, MMT_FMT_TEXT);
	b->json = view_out(m, name, MMT_FMT_JSON);
	b->root = jparse(b->json);
	if (!b->root)
		test_fail(__FILE__, __LINE__, "%s: JSON does not parse", name);
}

static void both_free(struct both *b)
{
	free(b->text);
	free(b->json);
	jfree(b->root);
}

/* The next line of @*s into @line (without '\n'); false at the end. */
static bool next_line(const char **s, char *line, size_t len)
{
	const char *e;
	size_t n;

	if (!*s || !**s)
		return false;
	e = strchr(*s, '\n');
	n = e ? (size_t)(e - *s) : strlen(*s);
	snprintf(line, len, "%.*s", (int)n, *s);
	*s += n + (e ? 1 : 0);
	return true;
}

static const char *skip_sp(const char *s)
{
	while (*s == ' ')
		s++;
	return s;
}

struct mcase {
	enum mmt_arch arch;
	const char *mem;
	const char *nodes, *cpus;	/* NULL: default */
};

static const struct mcase machines[] = {
	{ MMT_ARCH_X86_32, "2G", NULL, NULL },
	{ MMT_ARCH_X86_64, "4G", NULL, NULL },
	{ MMT_ARCH_X86_64, "8G", "2", "3" },	/* several nodes and CPUs */
};

#define NR_MACHINES (sizeof(machines) / sizeof(machines[0]))

static struct mmt_machine *boot(const struct mcase *mc)
{
	struct mmt_config c;
	char err[256];

	mmt_config_init(&c, mc->arch);
	CHECK_EQ(mmt_config_set(&c, "mem", mc->mem, err, sizeof(err)), 0);
	if (mc->nodes)
		CHECK_EQ(mmt_config_set(&c, "nodes", mc->nodes, err,
					sizeof(err)), 0);
	if (mc->cpus)
		CHECK_EQ(mmt_config_set(&c, "cpus", mc->cpus, err,
					sizeof(err)), 0);
	return test_machine_cfg(&c);
}

/* ---- buddyinfo ---- */

static void check_buddyinfo(struct mmt_machine *m)
{
	const struct jv *zones, *z, *fr;
	struct both b;
	const char *s;
	char line[512], zname[16];
	unsigned row = 0, node;
	int pos;

	both_get(m, "buddyinfo", &b);
	zones = jget(b.root, "zones");
	CHECK(zones && zones->t == J_ARR);
	for (s = b.text; next_line(&s, line, sizeof(line)); row++) {
		const char *p;

		CHECK_EQ(sscanf(line, "Node %u, zone %15s%n", &node, zname,
				&pos), 2);
		z = jat(zones, row);
		CHECK(z != NULL);
		CHECK_EQ(JNUM(z, "node"), node);
		CHECK_STR(jstr(z, "zone"), zname);
		fr = jget(z, "free");
		CHECK(fr && fr->t == J_ARR && fr->n == MMT_NR_ORDERS);
		p = line + pos;
		for (unsigned o = 0; o < MMT_NR_ORDERS; o++) {
			char *e;
			unsigned long long v = strtoull(p, &e, 10);

			CHECK(e != p);
			p = e;
			CHECK(jat(fr, o) && jat(fr, o)->t == J_NUM);
			if (jat(fr, o))
				CHECK_EQ(jat(fr, o)->num, v);
		}
	}
	CHECK(row > 0);
	CHECK_EQ(zones ? zones->n : 0, row);
	both_free(&b);
}

/* ---- pagetypeinfo ---- */

/* @n numbers from @p into @v; false if fewer. */
static bool read_nums(const char *p, unsigned long long *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		char *e;

		v[i] = strtoull(p, &e, 10);
		if (e == p)
			return false;
		p = e;
	}
	return true;
}

static void check_pagetypeinfo(struct mmt_machine *m)
{
	const struct jv *zones;
	unsigned long long v[MMT_NR_ORDERS];
	unsigned order = 0, node, free_rows = 0, block_rows = 0;
	unsigned long long per = 0;
	bool blocks = false;
	char line[512], zname[16], tname[16];
	struct both b;
	const char *s;
	int pos;

	both_get(m, "pagetypeinfo", &b);
	zones = jget(b.root, "zones");
	CHECK(zones && zones->t == J_ARR);
	for (s = b.text; next_line(&s, line, sizeof(line));) {
		const struct jv *z;

		if (sscanf(line, "Page block order: %u", &order) == 1) {
			CHECK_EQ(JNUM(b.root, "pageblock_order"), order);
			continue;
		}
		if (sscanf(line, "Pages per block: %llu", &per) == 1) {
			CHECK_EQ(JNUM(b.root, "pages_per_block"), per);
			continue;
		}
		if (!strncmp(line, "Number of blocks type", 21)) {
			blocks = true;
			continue;
		}
		if (strncmp(line, "Node ", 5))
			continue;
		if (!blocks) {
			unsigned zi = free_rows / MMT_MIGRATE_TYPES;
			const struct jv *arr;

			CHECK_EQ(sscanf(line, "Node %u, zone %15[^,], type %15s%n",
					&node, zname, tname, &pos), 3);
			CHECK(read_nums(line + pos, v, MMT_NR_ORDERS));
			z = jat(zones, zi);
			CHECK(z != NULL);
			CHECK_EQ(JNUM(z, "node"), node);
			CHECK_STR(jstr(z, "zone"), zname);
			CHECK_STR(tname, mmt_migratetype_name(free_rows %
							      MMT_MIGRATE_TYPES));
			arr = jget(jget(z, "free"), tname);
			CHECK(arr && arr->t == J_ARR && arr->n == MMT_NR_ORDERS);
			for (unsigned o = 0; arr && o < arr->n &&
			     o < MMT_NR_ORDERS; o++)
				CHECK_EQ(arr->kid[o]->num, v[o]);
			free_rows++;
		} else {
			const struct jv *bl;

			CHECK_EQ(sscanf(line, "Node %u, zone %15s%n", &node,
					zname, &pos), 2);
			CHECK(read_nums(line + pos, v, MMT_MIGRATE_TYPES));
			z = jat(zones, block_rows);
			CHECK(z != NULL);
			CHECK_EQ(JNUM(z, "node"), node);
			CHECK_STR(jstr(z, "zone"), zname);
			bl = jget(z, "blocks");
			CHECK(bl && bl->n == MMT_MIGRATE_TYPES);
			for (unsigned mt = 0; mt < MMT_MIGRATE_TYPES; mt++)
				CHECK_EQ(JNUM(bl, mmt_migratetype_name(mt)),
					 v[mt]);
			block_rows++;
		}
	}
	CHECK(block_rows > 0);
	CHECK_EQ(free_rows, block_rows * MMT_MIGRATE_TYPES);
	CHECK_EQ(zones ? zones->n : 0, block_rows);
	CHECK_EQ(JNUM(b.root, "pages_per_block"), 1ULL << order);
	both_free(&b);
}

/* ---- zoneinfo ---- */

/* Numbers (recursively) under @v: every field the JSON carries. */
static unsigned count_nums(const struct jv *v)
{
	unsigned n = v && v->t == J_NUM;

	for (unsigned i = 0; v && i < v->n; i++)
		n += count_nums(v->kid[i]);
	return n;
}

enum zsect { ZS_NODE, ZS_ZONE, ZS_STATS, ZS_PCP };

/*
 * One text line of zone @z's block: "key value" or "key: value", compared
 * with the member of the JSON object the line's section maps to.  Returns
 * the number of values compared.
 */
static unsigned zone_line(const char *line, const struct jv *node,
			  const struct jv *z, enum zsect *sect, int *cpu)
{
	const char *t = skip_sp(line), *val;
	const struct jv *obj;
	char key[64];
	size_t n;

	if (!strncmp(t, "per-node stats", 14)) {
		*sect = ZS_NODE;
		return 0;
	}
	if (!strncmp(t, "pages free", 10)) {
		*sect = ZS_ZONE;
		CHECK_EQ(JNUM(z, "free"), strtoull(t + 10, NULL, 10));
		return 1;
	}
	if (!strncmp(t, "protection: (", 13)) {
		const struct jv *pr = jget(z, "protection");
		const char *p = t + 13;
		unsigned k = 0;

		*sect = ZS_STATS;
		CHECK(pr && pr->t == J_ARR);
		while (*p && *p != ')') {
			char *e;
			long long v = strtoll(p, &e, 10);

			CHECK(e != p);
			if (e == p)
				break;
			CHECK(jat(pr, k) != NULL);
			if (jat(pr, k))
				CHECK_EQ(jat(pr, k)->num, v);
			k++;
			p = e;
			if (*p == ',')
				p += 2;
		}
		CHECK_EQ(pr ? pr->n : 0, k);
		return k;
	}
	if (!strncmp(t, "pagesets", 8)) {
		*sect = ZS_PCP;
		return 0;
	}
	if (!strncmp(t, "vm stats threshold:", 19)) {
		obj = jat(jget(z, "pagesets"), (unsigned)*cpu);
		CHECK_EQ(JNUM(obj, "vm_stats_threshold"),
			 strtoull(t + 19, NULL, 10));
		return 1;
	}
	n = strcspn(t, ": ");
	snprintf(key, sizeof(key), "%.*s", (int)n, t);
	val = t + n;
	while (*val == ':' || *val == ' ')
		val++;
	switch (*sect) {
	case ZS_NODE:
		obj = jget(node, "stats");
		break;
	case ZS_ZONE:
		obj = z;
		break;
	case ZS_STATS:
		obj = jget(z, "stats");
		break;
	default:
		if (!strcmp(key, "cpu"))
			++*cpu;
		obj = jat(jget(z, "pagesets"), (unsigned)*cpu);
		if (!strcmp(key, "node_unreclaimable") ||
		    !strcmp(key, "start_pfn"))
			obj = z;
	}
	CHECK(obj != NULL);
	CHECK_EQ(JNUM(obj, key), strtoll(val, NULL, 10));
	return 1;
}

static void check_zoneinfo(struct mmt_machine *m)
{
	const struct jv *nodes, *node = NULL, *z = NULL;
	unsigned zi = 0, zones_seen = 0, node_seen = ~0u, nid;
	unsigned compared = 0, node_compared = 0;
	enum zsect sect = ZS_ZONE;
	char line[512], zname[16];
	bool populated = false;
	struct both b;
	const char *s;
	int cpu = -1;

	both_get(m, "zoneinfo", &b);
	nodes = jget(b.root, "nodes");
	CHECK(nodes && nodes->t == J_ARR);
	CHECK_EQ(nodes ? nodes->n : 0, m->phys->nr_nodes);
	for (s = b.text;; ) {
		bool more = next_line(&s, line, sizeof(line));

		if (!more || !strncmp(line, "Node ", 5)) {
			/* the previous zone: every JSON number was in the text */
			if (z) {
				const struct jv *p = jget(z, "populated");

				CHECK(p && p->t == J_BOOL && p->b == populated);
				CHECK_EQ(count_nums(z), compared);
				if (node_compared)
					CHECK_EQ(count_nums(jget(node, "stats")),
						 node_compared);
			}
			if (!more)
				break;
			CHECK_EQ(sscanf(line, "Node %u, zone %15s", &nid,
					zname), 2);
			if (nid != node_seen) {
				node_seen = nid;
				zi = 0;
			}
			node = jat(nodes, nid);
			CHECK(node != NULL);
			CHECK_EQ(JNUM(node, "node"), nid);
			z = jat(jget(node, "zones"), zi++);
			CHECK(z != NULL);
			CHECK_STR(jstr(z, "zone"), zname);
			sect = ZS_ZONE;
			cpu = -1;
			compared = node_compared = 0;
			populated = false;
			zones_seen++;
			continue;
		}
		if (!z)
			continue;
		if (!strncmp(skip_sp(line), "pagesets", 8))
			populated = true;
		if (sect == ZS_NODE && strncmp(skip_sp(line), "pages free", 10))
			node_compared += zone_line(line, node, z, &sect, &cpu);
		else
			compared += zone_line(line, node, z, &sect, &cpu);
	}
	CHECK(zones_seen > 0);
	/* the model's own numbers, through the JSON */
	for (unsigned n = 0; nodes && n < nodes->n; n++) {
		const struct jv *zs = jget(nodes->kid[n], "zones");
		uint64_t managed = 0;

		for (unsigned i = 0; zs && i < zs->n; i++)
			managed += (uint64_t)JNUM(zs->kid[i], "managed");
		for (unsigned t = 0; t < MMT_NR_ZONES; t++)
			managed -= m->phys->nodes[n].zones[t].managed;
		CHECK_EQ(managed, 0);
	}
	both_free(&b);
}

/* ---- meminfo ---- */

static void check_meminfo(struct mmt_machine *m)
{
	unsigned i = 0;
	char line[512];
	struct both b;
	const char *s;

	both_get(m, "meminfo", &b);
	CHECK(b.root && b.root->t == J_OBJ);
	for (s = b.text; b.root && next_line(&s, line, sizeof(line)); i++) {
		size_t n = strcspn(line, ":");
		const struct jv *k;

		CHECK(line[n] == ':');
		/* same fields, same order */
		CHECK(i < b.root->n);
		if (i >= b.root->n)
			break;
		k = b.root->kid[i];
		CHECK(strlen(k->key) == n && !strncmp(k->key, line, n));
		CHECK(k->t == J_NUM);
		CHECK_EQ(k->num, strtoull(line + n + 1, NULL, 10));
	}
	CHECK(i > 20);
	CHECK_EQ(b.root ? b.root->n : 0, i);
	CHECK_EQ(JNUM(b.root, "MemTotal"), m->phys->totalram_pages * 4);
	CHECK_EQ(JNUM(b.root, "MemFree"), mmt_phys_nr_free_pages(m) * 4);
	CHECK_EQ(JNUM(b.root, "HugePages_Total"), 0);
	both_free(&b);
}

/* ---- iomem ---- */

struct res {
	unsigned depth;
	unsigned long long start, end;
	char name[64];
};

/* Preorder walk of the JSON tree into @r. */
static void flatten(const struct jv *arr, unsigned depth, struct res *r,
		    unsigned *n, unsigned max)
{
	for (unsigned i = 0; arr && arr->t == J_ARR && i < arr->n; i++) {
		const struct jv *v = arr->kid[i];
		const char *st = jstr(v, "start"), *en = jstr(v, "end");
		const struct jv *kids = jget(v, "children");

		CHECK(st && en && strlen(st) == 18 && strlen(en) == 18);
		CHECK(kids && kids->t == J_ARR);
		if (*n < max && st && en) {
			r[*n].depth = depth;
			r[*n].start = strtoull(st, NULL, 16);
			r[*n].end = strtoull(en, NULL, 16);
			snprintf(r[*n].name, sizeof(r[*n].name), "%s",
				 jstr(v, "name") ? jstr(v, "name") : "");
			++*n;
		}
		flatten(kids, depth + 1, r, n, max);
	}
}

static void check_iomem(struct mmt_machine *m)
{
	struct res r[256];
	unsigned n = 0, i = 0, nested = 0;
	char line[512];
	struct both b;
	const char *s;

	both_get(m, "iomem", &b);
	CHECK(b.root && b.root->t == J_ARR);
	flatten(b.root, 0, r, &n, 256);
	for (s = b.text; next_line(&s, line, sizeof(line)); i++) {
		unsigned long long st, en;
		const char *t = skip_sp(line);
		unsigned depth = (unsigned)(t - line) / 2;
		int pos;

		CHECK_EQ(sscanf(t, "%llx-%llx : %n", &st, &en, &pos), 2);
		CHECK(i < n);
		if (i >= n)
			break;
		CHECK_EQ(r[i].depth, depth);
		CHECK_EQ(r[i].start, st);
		CHECK_EQ(r[i].end, en);
		CHECK_STR(r[i].name, t + pos);
		nested += depth > 0;
	}
	CHECK_EQ(n, i);
	CHECK(nested > 0);	/* the kernel image under System RAM */
	both_free(&b);
}

static void for_each_machine(void (*fn)(struct mmt_machine *m))
{
	for (unsigned i = 0; i < NR_MACHINES; i++) {
		struct mmt_machine *m = boot(&machines[i]);

		fn(m);
		mmt_machine_free(m);
	}
}

TEST(views_json_parser_rejects)
{
	static const char *const bad[] = {
		"", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "[01]", "[1.]",
		"{\"a\":1,\"a\":2}", "[\"x]", "[tru]", "{} {}", "[-]",
		"{\"a\":[1,2}", NULL };
	static const char *const good[] = {
		"{}", "[]", " [1, -2, 3.5e2, \"a\\\"b\\u00e9\", true, null] ",
		"{\"a\": {\"b\": [[], {}]}}", NULL };

	for (unsigned i = 0; bad[i]; i++) {
		struct jv *v = jparse(bad[i]);

		if (v)
			test_fail(__FILE__, __LINE__, "parsed: %s", bad[i]);
		jfree(v);
	}
	for (unsigned i = 0; good[i]; i++) {
		struct jv *v = jparse(good[i]);

		if (!v)
			test_fail(__FILE__, __LINE__, "rejected: %s", good[i]);
		jfree(v);
	}
}

TEST(views_json_buddyinfo)
{
	for_each_machine(check_buddyinfo);
}

TEST(views_json_pagetypeinfo)
{
	for_each_machine(check_pagetypeinfo);
}

TEST(views_json_zoneinfo)
{
	for_each_machine(check_zoneinfo);
}

TEST(views_json_meminfo)
{
	for_each_machine(check_meminfo);
}

TEST(views_json_iomem)
{
	for_each_machine(check_iomem);
}

TEST(views_json_cli)
{
	static const char *const views[] = { "buddyinfo", "pagetypeinfo",
		"zoneinfo", "meminfo", "iomem", NULL };
	char args[128], *out = NULL;
	struct jv *v;

	CHECK_EQ(test_run_cli("show buddyinfo --format json", &out), 0);
	v = jparse(out);
	CHECK(v && jget(v, "zones"));
	jfree(v);
	free(out);
	for (unsigned i = 0; views[i]; i++) {
		snprintf(args, sizeof(args),
			 "show %s --arch x86_32 --mem 2G --format json", views[i]);
		CHECK_EQ(test_run_cli(args, &out), 0);
		v = jparse(out);
		if (!v)
			test_fail(__FILE__, __LINE__, "%s: bad JSON", views[i]);
		jfree(v);
		free(out);
	}
}
