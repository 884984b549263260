// SPDX-License-Identifier: MIT
/*
 * The boot memory map (arch/x86/kernel/e820.c analogue): the map the
 * firmware hands over, the kernel's early edits to it, and readers for maps
 * taken from a real machine.
 */
#include <mmtwin/machine.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *mmt_e820_type_name(enum mmt_e820_type t)
{
	switch (t) {
	case MMT_E820_RAM: return "usable";
	case MMT_E820_RESERVED: return "reserved";
	case MMT_E820_ACPI: return "ACPI data";
	case MMT_E820_NVS: return "ACPI NVS";
	case MMT_E820_UNUSABLE: return "unusable";
	}
	return "type?";
}

static void push(struct mmt_e820 *m, uint64_t addr, uint64_t size,
		 enum mmt_e820_type type)
{
	if (size == 0 || m->nr >= MMT_MEMMAP_MAX)
		return;
	m->e[m->nr++] = (struct mmt_e820_entry){ addr, size, type };
}

/*
 * QEMU "pc" (i440fx) with SeaBIOS: RAM below 640K, the EBDA, the BIOS ROM,
 * RAM from 1 MiB up to the "below 4G" size (all RAM up to 3.5 GiB, else
 * 3 GiB: the PCI hole), SeaBIOS's own reservation at its top, the BIOS flash
 * alias under 4 GiB, and the rest of RAM above 4 GiB.
 */
void mmt_e820_qemu_default(uint64_t mem, struct mmt_e820 *out)
{
	uint64_t below = mem >= 0xe0000000ULL ? 0xc0000000ULL : mem;
	uint64_t above = mem - below;

	memset(out, 0, sizeof(*out));
	push(out, 0, 0x9fc00, MMT_E820_RAM);
	push(out, 0x9fc00, 0x400, MMT_E820_RESERVED);
	push(out, 0xf0000, 0x10000, MMT_E820_RESERVED);
	push(out, 0x100000, below - 0x100000 - 0x20000, MMT_E820_RAM);
	push(out, below - 0x20000, 0x20000, MMT_E820_RESERVED);
	push(out, 0xfffc0000ULL, 0x40000, MMT_E820_RESERVED);
	if (above)
		push(out, 1ULL << 32, above, MMT_E820_RAM);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct mmt_e820_entry *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* End of an entry; entries reaching the top of the address space saturate. */
static uint64_t entry_end(const struct mmt_e820_entry *e)
{
	return e->addr + e->size < e->addr ? UINT64_MAX : e->addr + e->size;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * e820__update_table(): firmware maps may overlap; where they do, the more
 * restrictive (higher-numbered) type wins, and neighbours of one type
 * merge.  Without this a page listed twice as RAM would be freed twice.
 */
static void e820_resolve_overlaps(const struct mmt_e820 *in,
				  struct mmt_e820 *out)
{
	uint64_t pt[2 * MMT_MEMMAP_MAX];
	unsigned i, j, n = 0;

	for (i = 0; i < in->nr; i++) {
		pt[n++] = in->e[i].addr;
		pt[n++] = entry_end(&in->e[i]);
	}
	qsort(pt, n, sizeof(pt[0]), cmp_u64);
	memset(out, 0, sizeof(*out));
	for (i = 0; i + 1 < n; i++) {
		uint64_t a = pt[i], b = pt[i + 1];
		unsigned type = 0;

		if (a == b)
			continue;
		for (j = 0; j < in->nr; j++)
			if (in->e[j].addr <= a && entry_end(&in->e[j]) >= b &&
			    in->e[j].type > type)
				type = in->e[j].type;
		if (!type)
			continue;
		if (out->nr && out->e[out->nr - 1].type == type &&
		    entry_end(&out->e[out->nr - 1]) == a)
			out->e[out->nr - 1].size += b - a;
		else
			push(out, a, b - a, type);
	}
}

/*
 * The kernel's early edits: page 0 becomes reserved (BIOS data; "e820:
 * update [mem 0x00000000-0x00000fff] usable ==> reserved") and RAM in the
 * legacy 640K-1M range is removed.
 */
void mmt_e820_sanitize(const struct mmt_e820 *in, struct mmt_e820 *out)
{
	struct mmt_e820 clean;
	unsigned i;

	e820_resolve_overlaps(in, &clean);
	memset(out, 0, sizeof(*out));
	for (i = 0; i < clean.nr; i++) {
		struct mmt_e820_entry e = clean.e[i];
		uint64_t end = entry_end(&e);

		if (e.type != MMT_E820_RAM) {
			push(out, e.addr, e.size, e.type);
			continue;
		}
		if (e.addr < 0x1000) {
			push(out, e.addr, 0x1000 - e.addr, MMT_E820_RESERVED);
			e.addr = 0x1000;
		}
		if (e.addr < 0x100000 && end > 0xa0000) {
			if (e.addr < 0xa0000)
				push(out, e.addr, 0xa0000 - e.addr, MMT_E820_RAM);
			e.addr = 0x100000;
		}
		if (end > e.addr)
			push(out, e.addr, end - e.addr, MMT_E820_RAM);
	}
	qsort(out->e, out->nr, sizeof(out->e[0]), cmp_entry);
}

static enum mmt_e820_type type_from_text(const char *s)
{
	if (strstr(s, "System RAM") || strstr(s, "usable"))
		return MMT_E820_RAM;
	if (strstr(s, "ACPI NVS"))
		return MMT_E820_NVS;
	if (strstr(s, "ACPI"))
		return MMT_E820_ACPI;
	if (strstr(s, "unusable"))
		return MMT_E820_UNUSABLE;
	return MMT_E820_RESERVED;
}

/* "start-end : name" at column 0 (nested /proc/iomem lines are indented). */
static int parse_iomem_line(const char *line, struct mmt_e820 *m, int *ok)
{
	unsigned long long a, b;
	int n = 0;

	if (isspace((unsigned char)line[0]))
		return 0;
	if (sscanf(line, "%llx-%llx : %n", &a, &b, &n) != 2 || n == 0)
		return -1;
	if (b < a)
		return -1;
	/* only firmware-level entries describe the map */
	if (strstr(line + n, "System RAM") || strstr(line + n, "Reserved") ||
	    strstr(line + n, "ACPI")) {
		push(m, a, b - a + 1, type_from_text(line + n));
		*ok = 1;
	}
	return 0;
}

static int parse_dmesg_line(const char *line, struct mmt_e820 *m, int *ok)
{
	const char *p = strstr(line, "e820: [mem ");
	unsigned long long a, b;
	int n = 0;

	if (!p || !strstr(line, "BIOS-e820"))
		return 0;
	if (sscanf(p, "e820: [mem %llx-%llx] %n", &a, &b, &n) != 2 || b < a)
		return -1;
	push(m, a, b - a + 1, type_from_text(p + n));
	*ok = 1;
	return 0;
}

static void dedupe(struct mmt_e820 *m)
{
	unsigned i, o = 0;

	for (i = 0; i < m->nr; i++)
		if (o == 0 || memcmp(&m->e[i], &m->e[o - 1], sizeof(m->e[i])))
			m->e[o++] = m->e[i];
	m->nr = o;
}

/* "hex-hex : " at column 0; anything else is not a map line. */
static int looks_like_iomem(const char *line)
{
	const char *p = line;

	while (isxdigit((unsigned char)*p))
		p++;
	if (p == line || *p++ != '-')
		return 0;
	line = p;
	while (isxdigit((unsigned char)*p))
		p++;
	return p != line && !strncmp(p, " : ", 3);
}

/*
 * One map being read, line by line: the file reader and the buffer parser
 * feed the same lines, so a file and its contents in memory give the same
 * map and the same messages.
 */
struct e820_parse {
	struct mmt_e820 *out;		/* BIOS-e820 lines, then the result */
	struct mmt_e820 iomem;		/* /proc/iomem lines */
	const char *name;		/* for messages */
	unsigned lineno;
	int ok_dmesg, ok_iomem;
};

static void e820_parse_begin(struct e820_parse *ps, const char *name,
			     struct mmt_e820 *out)
{
	memset(out, 0, sizeof(*out));
	memset(ps, 0, sizeof(*ps));
	ps->out = out;
	ps->name = name;
}

/* One line (NUL-terminated, at most 511 bytes as fgets hands it over). */
static int e820_parse_line(struct e820_parse *ps, const char *line,
			   char *err, size_t errlen)
{
	int r;

	ps->lineno++;
	if (strstr(line, "BIOS-e820"))
		r = parse_dmesg_line(line, ps->out, &ps->ok_dmesg);
	else if (!looks_like_iomem(line))
		r = 0;	/* log noise, comments, nested lines */
	else
		r = parse_iomem_line(line, &ps->iomem, &ps->ok_iomem);
	if (r)
		snprintf(err, errlen,
			 "%s:%u: expected 'start-end : type' (/proc/iomem) "
			 "or 'BIOS-e820: [mem a-b] type'", ps->name, ps->lineno);
	return r;
}

/*
 * A kernel log may also carry a /proc/iomem dump: when "BIOS-e820" lines are
 * present they alone describe the map.
 */
static int e820_parse_end(struct e820_parse *ps, char *err, size_t errlen)
{
	struct mmt_e820 *out = ps->out;

	if (!ps->ok_dmesg && !ps->ok_iomem) {
		snprintf(err, errlen, "%s: no memory map entries found",
			 ps->name);
		return -1;
	}
	if (!ps->ok_dmesg)
		*out = ps->iomem;
	qsort(out->e, out->nr, sizeof(out->e[0]), cmp_entry);
	dedupe(out);	/* a log printed twice repeats its lines */
	return 0;
}

/* The size of the line buffer: longer lines arrive in pieces, as from fgets. */
#define E820_LINE_MAX 512

int mmt_e820_read(const char *path, struct mmt_e820 *out, char *err,
		  size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct e820_parse ps;
	char line[E820_LINE_MAX];

	e820_parse_begin(&ps, path, out);
	if (!f) {
		snprintf(err, errlen, "%s: cannot open memory map", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (e820_parse_line(&ps, line, err, errlen)) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return e820_parse_end(&ps, err, errlen);
}

/*
 * The next piece of @text as fgets(@size) would return it: up to and
 * including a newline, at most @size - 1 bytes, NUL-terminated in @line.
 * Returns the number of bytes consumed (0 at the end).
 */
static size_t next_line(const char *text, size_t len, char *line, size_t size)
{
	size_t n = len < size - 1 ? len : size - 1;
	const char *nl = memchr(text, '\n', n);

	if (nl)
		n = (size_t)(nl - text) + 1;
	memcpy(line, text, n);
	line[n] = 0;
	return n;
}

int mmt_e820_parse_text(const char *text, size_t len, const char *name,
			struct mmt_e820 *out, char *err, size_t errlen)
{
	struct e820_parse ps;
	char line[E820_LINE_MAX];
	size_t n;

	e820_parse_begin(&ps, name, out);
	for (; len; text += n, len -= n) {
		n = next_line(text, len, line, sizeof(line));
		if (e820_parse_line(&ps, line, err, errlen))
			return -1;
	}
	return e820_parse_end(&ps, err, errlen);
}
