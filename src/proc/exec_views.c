// SPDX-License-Identifier: MIT
/*
 * The views of what execve left: the mm fields as /proc/PID/stat prints
 * them (fields 26-28, 45-51), the auxiliary vector, and the initial stack
 * labelled from the stack pointer up (the bytes are the task's memory,
 * read without faulting).  Text, or JSON:
 *   mm     {"pid", "start_code", ... "env_end"}
 *   auxv   {"pid", "auxv": [{"type", "name", "value", "string"?}]}
 *   stack  {"pid", "sp", "top", "items": [{"addr", "size", "what",
 *           "value"?, "string"?, "hex"}]}
 */
#include "mm/vma_internal.h"

#include <mmtwin/exec.h>
#include <mmtwin/views.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* the stat fields, in their order */
static const struct {
	unsigned field;
	const char *name;
	size_t off;
} mm_fields[] = {
	{ 26, "start_code", offsetof(struct mmt_mm, start_code) },
	{ 27, "end_code", offsetof(struct mmt_mm, end_code) },
	{ 28, "start_stack", offsetof(struct mmt_mm, start_stack) },
	{ 45, "start_data", offsetof(struct mmt_mm, start_data) },
	{ 46, "end_data", offsetof(struct mmt_mm, end_data) },
	{ 47, "start_brk", offsetof(struct mmt_mm, start_brk) },
	{ 48, "arg_start", offsetof(struct mmt_mm, arg_start) },
	{ 49, "arg_end", offsetof(struct mmt_mm, arg_end) },
	{ 50, "env_start", offsetof(struct mmt_mm, env_start) },
	{ 51, "env_end", offsetof(struct mmt_mm, env_end) },
};

void mmt_exec_print_mm(const struct mmt_task *t, FILE *out,
		       enum mmt_format fmt)
{
	struct mmt_json j;

	if (fmt == MMT_FMT_JSON) {
		mmt_json_init(&j, out);
		mmt_json_begin_obj(&j, NULL);
		mmt_json_i64(&j, "pid", t->pid);
	}
	for (size_t i = 0; i < sizeof(mm_fields) / sizeof(mm_fields[0]); i++) {
		uint64_t v;

		memcpy(&v, (const char *)t->mm + mm_fields[i].off, sizeof(v));
		if (fmt == MMT_FMT_JSON)
			mmt_json_u64(&j, mm_fields[i].name, v);
		else
			fprintf(out, "%2u %-12s %llu (%#llx)\n",
				mm_fields[i].field, mm_fields[i].name,
				(unsigned long long)v, (unsigned long long)v);
	}
	if (fmt == MMT_FMT_JSON) {
		mmt_json_u64(&j, "brk", t->mm->brk);
		mmt_json_end_obj(&j);
		mmt_json_finish(&j);
	} else {
		fprintf(out, "   %-12s %llu (%#llx)  (not in stat)\n", "brk",
			(unsigned long long)t->mm->brk,
			(unsigned long long)t->mm->brk);
	}
}

/* A NUL-terminated string of the task's memory at @a (at most @cap-1). */
static void read_cstr(const struct mmt_task *t, uint64_t a, char *buf,
		      size_t cap)
{
	size_t i;

	for (i = 0; i + 1 < cap; i++) {
		char c;

		if (mmt_task_read_mem(t, a + i, &c, 1) || !c)
			break;
		buf[i] = c;
	}
	buf[i] = 0;
}

static bool auxv_is_string(uint64_t type)
{
	return type == MMT_AT_EXECFN || type == MMT_AT_PLATFORM;
}

static bool auxv_is_decimal(uint64_t type)
{
	switch (type) {
	case MMT_AT_PHENT: case MMT_AT_PHNUM: case MMT_AT_PAGESZ:
	case MMT_AT_CLKTCK: case MMT_AT_UID: case MMT_AT_EUID:
	case MMT_AT_GID: case MMT_AT_EGID: case MMT_AT_SECURE:
	case MMT_AT_MINSIGSTKSZ: case MMT_AT_RSEQ_FEATURE_SIZE:
	case MMT_AT_RSEQ_ALIGN:
		return true;
	}
	return false;
}

int mmt_exec_print_auxv(const struct mmt_task *t, FILE *out,
			enum mmt_format fmt)
{
	uint64_t ty[MMT_AT_VECTOR_SIZE], val[MMT_AT_VECTOR_SIZE];
	unsigned n = mmt_exec_auxv(t, ty, val, MMT_AT_VECTOR_SIZE);
	struct mmt_json j;
	char s[256];

	if (!t->mm->exec_done)
		return -1;
	if (fmt == MMT_FMT_JSON) {
		mmt_json_init(&j, out);
		mmt_json_begin_obj(&j, NULL);
		mmt_json_i64(&j, "pid", t->pid);
		mmt_json_begin_arr(&j, "auxv");
	}
	for (unsigned i = 0; i < n && i < MMT_AT_VECTOR_SIZE; i++) {
		const char *name = mmt_auxv_name(ty[i]);
		char unk[32];

		if (!name) {
			snprintf(unk, sizeof(unk), "AT_%llu",
				 (unsigned long long)ty[i]);
			name = unk;
		}
		if (auxv_is_string(ty[i]))
			read_cstr(t, val[i], s, sizeof(s));
		if (fmt == MMT_FMT_JSON) {
			mmt_json_begin_obj(&j, NULL);
			mmt_json_u64(&j, "type", ty[i]);
			mmt_json_str(&j, "name", name);
			mmt_json_u64(&j, "value", val[i]);
			if (auxv_is_string(ty[i]))
				mmt_json_str(&j, "string", s);
			mmt_json_end_obj(&j);
		} else if (auxv_is_string(ty[i])) {
			fprintf(out, "%-22s %#llx \"%s\"\n", name,
				(unsigned long long)val[i], s);
		} else if (auxv_is_decimal(ty[i])) {
			fprintf(out, "%-22s %llu\n", name,
				(unsigned long long)val[i]);
		} else {
			fprintf(out, "%-22s %#llx\n", name,
				(unsigned long long)val[i]);
		}
	}
	if (fmt == MMT_FMT_JSON) {
		mmt_json_end_arr(&j);
		mmt_json_end_obj(&j);
		mmt_json_finish(&j);
	} else {
		fprintf(out, "%-22s 0\n", "AT_NULL");
	}
	return 0;
}

/* ------------------------------------------------------- the stack dump */

struct stack_item {
	uint64_t addr, size;
	char what[48];
	bool has_value, is_string;
	uint64_t value;
};

struct stack_walk {
	const struct mmt_task *t;
	uint8_t *mem;			/* [sp, top) */
	uint64_t sp, top;
	unsigned w;
	struct stack_item *items;
	size_t n, cap;
};

static uint64_t word_at(const struct stack_walk *s, uint64_t a)
{
	uint64_t v = 0;

	if (a >= s->sp && a + s->w <= s->top)
		memcpy(&v, s->mem + (a - s->sp), s->w);
	return v;
}

static int add_item(struct stack_walk *s, uint64_t addr, uint64_t size,
		    bool has_value, uint64_t value, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static int add_item(struct stack_walk *s, uint64_t addr, uint64_t size,
		    bool has_value, uint64_t value, const char *fmt, ...)
{
	struct stack_item *it;
	va_list ap;

	if (!size)
		return 0;
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		void *ni = realloc(s->items, nc * sizeof(*s->items));

		if (!ni)
			return -1;
		s->items = ni;
		s->cap = nc;
	}
	it = &s->items[s->n++];
	memset(it, 0, sizeof(*it));
	it->addr = addr;
	it->size = size;
	it->has_value = has_value;
	it->value = value;
	va_start(ap, fmt);
	vsnprintf(it->what, sizeof(it->what), fmt, ap);
	va_end(ap);
	return 0;
}

static int cmp_items(const void *a, const void *b)
{
	const struct stack_item *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static uint64_t str_len_at(const struct stack_walk *s, uint64_t a)
{
	uint64_t n = 0;

	while (a + n < s->top && s->mem[a + n - s->sp])
		n++;
	return a + n < s->top ? n + 1 : n;
}

/* Label [sp, top): the tables by their layout, the strings by the
 * pointers to them, whatever is left as padding. */
/*
 * The pointer array @name at @a and the strings it points to, up to its
 * NULL (after @count entries when known, else at the first NULL word).
 * Returns the address after the NULL.
 */
static uint64_t label_vector(struct stack_walk *s, uint64_t a,
			     const char *name, uint64_t count)
{
	for (uint64_t i = 0; a < s->top; i++, a += s->w) {
		uint64_t p = word_at(s, a);

		if (i == count || (count == UINT64_MAX && !p)) {
			add_item(s, a, s->w, true, 0, "%s[%llu] NULL", name,
				 (unsigned long long)i);
			break;
		}
		add_item(s, a, s->w, true, p, "%s[%llu]", name,
			 (unsigned long long)i);
		if (p >= s->sp && p < s->top)
			add_item(s, p, str_len_at(s, p), false, 0,
				 "%s[%llu] string", name, (unsigned long long)i);
	}
	return a + s->w;
}

static int stack_walk(struct stack_walk *s)
{
	uint64_t a = s->sp, argc = word_at(s, a), str_a, mark;
	uint64_t ty[MMT_AT_VECTOR_SIZE], val[MMT_AT_VECTOR_SIZE];
	unsigned naux;

	if (add_item(s, a, s->w, true, argc, "argc"))
		return -1;
	a += s->w;
	a = label_vector(s, a, "argv", argc);
	a = label_vector(s, a, "envp", UINT64_MAX);
	naux = mmt_exec_auxv(s->t, ty, val, MMT_AT_VECTOR_SIZE);
	for (unsigned i = 0; i <= naux && i < MMT_AT_VECTOR_SIZE &&
	     a < s->top; i++, a += 2 * s->w) {
		uint64_t t_ = word_at(s, a), v = word_at(s, a + s->w);
		const char *name = mmt_auxv_name(t_);

		add_item(s, a, s->w, true, t_, "auxv type %s",
			 name ? name : "?");
		add_item(s, a + s->w, s->w, true, v, "auxv %s value",
			 name ? name : "?");
		if (t_ == MMT_AT_RANDOM && v >= s->sp && v + 16 <= s->top)
			add_item(s, v, 16, false, 0, "AT_RANDOM bytes");
		if (t_ == MMT_AT_PLATFORM && v >= s->sp && v < s->top)
			add_item(s, v, str_len_at(s, v), false, 0,
				 "platform string");
		if (t_ == MMT_AT_EXECFN && v >= s->sp && v < s->top)
			add_item(s, v, str_len_at(s, v), false, 0,
				 "execfn string");
		if (!t_)
			break;
	}
	qsort(s->items, s->n, sizeof(*s->items), cmp_items);
	/* the strings' flag, then the gaps as padding */
	for (size_t i = 0; i < s->n; i++)
		s->items[i].is_string = strstr(s->items[i].what, "string") != NULL;
	mark = s->sp;
	str_a = s->n;
	for (size_t i = 0; i < str_a; i++) {
		struct stack_item *it = &s->items[i];

		if (it->addr > mark)
			add_item(s, mark, it->addr - mark, false, 0, "padding");
		if (it->addr + it->size > mark)
			mark = it->addr + it->size;
	}
	if (mark < s->top)
		add_item(s, mark, s->top - mark, false, 0, "padding");
	qsort(s->items, s->n, sizeof(*s->items), cmp_items);
	return 0;
}

/* The initial stack of @t, [user_sp, the end of its VMA), read and
 * labelled into @s; 0, or -1 (no exec yet, no stack there, no memory).
 * @s is to be freed (mem, items) either way. */
static int stack_read(const struct mmt_task *t, struct stack_walk *s)
{
	const struct mmt_vma *v;

	memset(s, 0, sizeof(*s));
	s->t = t;
	s->w = t->abi == MMT_TASK_X86_64 ? 8 : 4;
	if (!t->mm || !t->mm->exec_done)
		return -1;
	s->sp = t->user_sp;
	v = find_vma(t->mm, s->sp);
	if (!v || v->vm_start > s->sp)
		return -1;
	s->top = v->vm_end;
	s->mem = malloc(s->top - s->sp);
	if (!s->mem || mmt_task_read_mem(t, s->sp, s->mem, s->top - s->sp))
		return -1;
	return stack_walk(s);
}

int mmt_exec_stack_item(const struct mmt_task *t, uint64_t addr,
			struct mmt_exec_stack_item *out)
{
	struct stack_walk s;
	int r = -1;

	memset(out, 0, sizeof(*out));
	if (stack_read(t, &s) || addr < s.sp || addr >= s.top)
		goto out;
	for (size_t i = 0; i < s.n; i++) {
		const struct stack_item *it = &s.items[i];

		if (addr < it->addr || addr >= it->addr + it->size)
			continue;
		out->addr = it->addr;
		out->size = it->size;
		out->has_value = it->has_value;
		out->value = it->value;
		snprintf(out->what, sizeof(out->what), "%s", it->what);
		if (it->is_string) {
			size_t k, o = 0;
			const uint8_t *b = s.mem + (it->addr - s.sp);

			for (k = 0; o + 1 < sizeof(out->string) &&
			     k < it->size && b[k]; k++)
				out->string[o++] = (char)b[k];
			out->string[o] = 0;
			out->is_string = true;
		}
		r = 0;
		break;
	}
out:
	free(s.mem);
	free(s.items);
	return r;
}

int mmt_exec_print_stack(const struct mmt_task *t, FILE *out,
			 enum mmt_format fmt)
{
	struct stack_walk s;
	struct mmt_json j;
	int r = -1;

	if (stack_read(t, &s))
		goto out;
	if (fmt == MMT_FMT_JSON) {
		mmt_json_init(&j, out);
		mmt_json_begin_obj(&j, NULL);
		mmt_json_i64(&j, "pid", t->pid);
		mmt_json_hex(&j, "sp", s.sp);
		mmt_json_hex(&j, "top", s.top);
		mmt_json_begin_arr(&j, "items");
	} else {
		fprintf(out, "sp %#llx, stack top %#llx (%llu bytes)\n",
			(unsigned long long)s.sp, (unsigned long long)s.top,
			(unsigned long long)(s.top - s.sp));
	}
	for (size_t i = 0; i < s.n; i++) {
		const struct stack_item *it = &s.items[i];
		const uint8_t *b = s.mem + (it->addr - s.sp);
		char hex[2 * 64 + 1], str[160];
		size_t hn = it->size < 64 ? it->size : 64;

		for (size_t k = 0; k < hn; k++)
			snprintf(hex + 2 * k, 3, "%02x", b[k]);
		hex[2 * hn] = 0;
		if (it->is_string) {
			size_t k;

			for (k = 0; k + 1 < sizeof(str) && k < it->size && b[k];
			     k++)
				str[k] = (char)b[k];
			str[k] = 0;
		}
		if (fmt == MMT_FMT_JSON) {
			mmt_json_begin_obj(&j, NULL);
			mmt_json_hex(&j, "addr", it->addr);
			mmt_json_u64(&j, "size", it->size);
			mmt_json_str(&j, "what", it->what);
			if (it->has_value)
				mmt_json_hex(&j, "value", it->value);
			if (it->is_string)
				mmt_json_str(&j, "string", str);
			mmt_json_str(&j, "hex", hex);
			mmt_json_end_obj(&j);
		} else if (it->is_string) {
			fprintf(out, "%#llx %4llu  %-24s \"%s\"\n",
				(unsigned long long)it->addr,
				(unsigned long long)it->size, it->what, str);
		} else if (it->has_value) {
			fprintf(out, "%#llx %4llu  %-24s %#llx\n",
				(unsigned long long)it->addr,
				(unsigned long long)it->size, it->what,
				(unsigned long long)it->value);
		} else {
			fprintf(out, "%#llx %4llu  %-24s %s%s\n",
				(unsigned long long)it->addr,
				(unsigned long long)it->size, it->what, hex,
				it->size > 64 ? "..." : "");
		}
	}
	if (fmt == MMT_FMT_JSON) {
		mmt_json_end_arr(&j);
		mmt_json_end_obj(&j);
		mmt_json_finish(&j);
	}
	r = 0;
out:
	free(s.mem);
	free(s.items);
	return r;
}

/* ------------------------------------------------------- the view table */

static int no_exec(const struct mmt_view_ctx *c)
{
	snprintf(c->err, c->errlen, "process %d has not exec'ed a program "
		 "(see 'exec')", c->task->pid);
	return -1;
}

int mmt_view_auxv(const struct mmt_view_ctx *c)
{
	return mmt_exec_print_auxv(c->task, c->out, c->fmt) ? no_exec(c) : 0;
}

int mmt_view_stack(const struct mmt_view_ctx *c)
{
	return mmt_exec_print_stack(c->task, c->out, c->fmt) ? no_exec(c) : 0;
}

int mmt_view_mm(const struct mmt_view_ctx *c)
{
	mmt_exec_print_mm(c->task, c->out, c->fmt);
	return 0;
}
