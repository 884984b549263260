// SPDX-License-Identifier: MIT
/* A streaming JSON writer: no allocation, keys in the order written. */
#include <mmtwin/render.h>

#include <inttypes.h>
#include <string.h>

void mmt_json_init(struct mmt_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void prefix(struct mmt_json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
	if (j->depth) {
		fputc('\n', j->f);
		for (unsigned i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	if (key) {
		put_str(j->f, key);
		fputs(": ", j->f);
	}
}

static void open_(struct mmt_json *j, const char *key, char c)
{
	prefix(j, key);
	fputc(c, j->f);
	if (j->depth + 1 < sizeof(j->need_comma))
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_(struct mmt_json *j, char c)
{
	bool had = j->need_comma[j->depth];

	if (j->depth)
		j->depth--;
	if (had) {
		fputc('\n', j->f);
		for (unsigned i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	fputc(c, j->f);
}

void mmt_json_begin_obj(struct mmt_json *j, const char *key) { open_(j, key, '{'); }
void mmt_json_end_obj(struct mmt_json *j) { close_(j, '}'); }
void mmt_json_begin_arr(struct mmt_json *j, const char *key) { open_(j, key, '['); }
void mmt_json_end_arr(struct mmt_json *j) { close_(j, ']'); }

void mmt_json_str(struct mmt_json *j, const char *key, const char *val)
{
	prefix(j, key);
	put_str(j->f, val ? val : "");
}

void mmt_json_u64(struct mmt_json *j, const char *key, uint64_t val)
{
	prefix(j, key);
	fprintf(j->f, "%" PRIu64, val);
}

void mmt_json_i64(struct mmt_json *j, const char *key, int64_t val)
{
	prefix(j, key);
	fprintf(j->f, "%" PRId64, val);
}

void mmt_json_hex(struct mmt_json *j, const char *key, uint64_t val)
{
	prefix(j, key);
	fprintf(j->f, "\"0x%016" PRIx64 "\"", val);
}

void mmt_json_bool(struct mmt_json *j, const char *key, bool val)
{
	prefix(j, key);
	fputs(val ? "true" : "false", j->f);
}

void mmt_json_finish(struct mmt_json *j)
{
	fputc('\n', j->f);
}

void mmt_fmt_size(uint64_t bytes, char *buf, size_t len)
{
	/* binary units, labelled as such (the kernel's "kB" is for /proc) */
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB",
					    "PiB", "EiB" };
	unsigned u = 0;
	uint64_t whole = bytes, rem = 0, div = 1;

	while (whole >= 1024 && u < 6) {
		div <<= 10;
		u++;
		whole = bytes / div;
	}
	if (u == 6)	/* 2^60 * n: avoid overflowing div */
		rem = 0;
	else
		rem = bytes % div;
	if (rem == 0)
		snprintf(buf, len, "%llu %s", (unsigned long long)whole, unit[u]);
	else {
		/* two decimals, truncated: "0.25 PiB", "887.99 MiB" */
		unsigned long long frac = (unsigned long long)((rem >> (u ? 10 * (u - 1) : 0)) * 100 / 1024);
		snprintf(buf, len, "%llu.%02llu %s", (unsigned long long)whole, frac, unit[u]);
	}
}
