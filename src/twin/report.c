// SPDX-License-Identifier: MIT
/*
 * twin/report.c - the HTML report (report.h).  The map of a process is
 * a column of boxes from the top of the address space down:
 *
 *    ffffffffffffffff ┌──────────────┐
 *                     │ fixmap ...   │  kernel regions (the layout table)
 *                     ├──────────────┤
 *                     │ non-canonical│
 *     7ffffffff000    ├──────────────┤
 *                     │ [stack]      │  the process's VMAs, highest first
 *                     ├ ─ gap 2 GiB ─┤  gaps: a thin band with their size
 *                     │ libc.so.6    │
 *                 ... └──────────────┘
 *
 * A box's height grows with the log of its size (a 4 KiB page and a
 * 64 TiB hole both stay readable).  Each VMA box carries
 * data-start/data-end and an id "vma-PID-START", so a page test can find
 * every one.
 */
#include "twin/report.h"

#include "mm/vma_internal.h"

#include <mmtwin/layout.h>
#include <mmtwin/mm.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void esc(FILE *o, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", o); break;
		case '>': fputs("&gt;", o); break;
		case '&': fputs("&amp;", o); break;
		case '"': fputs("&quot;", o); break;
		default: fputc(*s, o);
		}
	}
}

static const char *size_str(uint64_t bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB",
					    "PiB", "EiB" };
	double v = (double)bytes;
	unsigned u = 0;

	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, v < 10 && u ? "%.1f %s" : "%.0f %s", v, unit[u]);
	return buf;
}

/* One box of the column. */
struct box {
	uint64_t start, end;	/* end 0: the top of a 64-bit space */
	const char *label;
	char perms[5];
	int kind;		/* 0 VMA, 1 kernel region, 2 gap, 3 hole */
};

static double box_height(const struct box *b)
{
	uint64_t size = b->end - b->start;
	double h;

	if (b->kind == 2)
		return 12;
	h = 6.0 + 2.2 * log2((double)(size ? size : 1) / 4096.0 + 1);
	if (b->kind != 0)	/* the kernel half stays compact */
		return h < 14 ? 14 : h > 30 ? 30 : h;
	return h < 16 ? 16 : h > 64 ? 64 : h;
}

static const char *const fill[] = { "#9ecae1", "#fdd0a2", "#f7f7f7",
				    "#d9d9d9" };

static void draw_box(FILE *o, const struct box *b, double y, double h,
		     int pid)
{
	char sz[32];

	fprintf(o, "<g");
	if (b->kind == 0)
		fprintf(o, " class=\"vma\" id=\"vma-%d-%llx\" data-start=\"%llx\" "
			"data-end=\"%llx\"", pid, (unsigned long long)b->start,
			(unsigned long long)b->start,
			(unsigned long long)b->end);
	fprintf(o, "><rect x=\"170\" y=\"%.1f\" width=\"260\" height=\"%.1f\" "
		"fill=\"%s\" stroke=\"#555\" stroke-width=\"0.5\"/>", y, h,
		fill[b->kind]);
	fprintf(o, "<text x=\"165\" y=\"%.1f\" text-anchor=\"end\">%llx</text>",
		y + h - 2, (unsigned long long)b->start);
	fprintf(o, "<text x=\"176\" y=\"%.1f\">", y + h / 2 + 4);
	if (b->kind == 0)
		fprintf(o, "%s ", b->perms);
	/* long paths keep their end, where the file name is */
	if (b->label && strlen(b->label) > 36) {
		fputs("...", o);
		esc(o, b->label + strlen(b->label) - 33);
	} else {
		esc(o, b->label);
	}
	fprintf(o, "</text><text x=\"440\" y=\"%.1f\">%s</text></g>\n",
		y + h / 2 + 4, size_str(b->end - b->start, sz, sizeof(sz)));
}

static void vma_label(const struct mmt_vma *v, char *buf, size_t len)
{
	if (v->vm_special)
		snprintf(buf, len, "%s", v->vm_special);
	else if (v->vm_file)
		snprintf(buf, len, "%s", v->vm_file->path);
	else if (v->anon_name)
		snprintf(buf, len, "[anon:%s]", v->anon_name);
	else if (v->vm_start <= v->vm_mm->brk &&
		 v->vm_end >= v->vm_mm->start_brk && v->vm_mm->brk)
		snprintf(buf, len, "[heap]");
	else if (v->vm_start <= v->vm_mm->start_stack &&
		 v->vm_end >= v->vm_mm->start_stack)
		snprintf(buf, len, "[stack]");
	else
		snprintf(buf, len, "anonymous");
}

/* The svg element, on the drawing pass: the height is known then. */
static void svg_open(FILE *o, int pass, double total, double *y)
{
	if (!pass)
		return;
	fprintf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"560\" "
		"height=\"%.0f\" font-family=\"monospace\" font-size=\"10\">\n",
		total + 10);
	*y = 10;
}

/* The top of the user half (the layout's user region). */
static uint64_t user_top(const struct mmt_layout *l)
{
	for (unsigned i = 0; i < l->nr_kregions; i++)
		if (l->kregions[i].kind == MMT_RK_USER)
			return l->kregions[i].last + 1;
	return UINT64_MAX;
}

/* The kernel half: the layout table's regions (listed highest first).  A
 * VMA of @user inside one (the [vsyscall] page) is drawn in its place. */
static void draw_kernel(FILE *o, const struct mmt_layout *l, int pass,
			int pid, double *y, const struct box *user,
			size_t nuser)
{
	for (unsigned i = 0; i < l->nr_kregions; i++) {
		const struct mmt_region *r = &l->kregions[i];
		struct box k;

		if (r->kind == MMT_RK_USER)
			continue;
		k = (struct box){ r->start, r->last + 1, r->name, "",
				  r->kind == MMT_RK_KERNEL ? 1 : 3 };
		for (size_t j = 0; j < nuser; j++)
			if (user[j].start >= r->start &&
			    user[j].end - 1 <= r->last)
				k = user[j];
		if (pass)
			draw_box(o, &k, *y, box_height(&k), pid);
		*y += box_height(&k);
	}
}

/* The line between the halves, where the notes draw it. */
static void draw_split(FILE *o, int pass, double *y, uint64_t top)
{
	if (pass)
		fprintf(o, "<text x=\"176\" y=\"%.1f\" fill=\"#c00\">&#8593; "
			"kernel half   &#8595; user half (below %#llx)</text>"
			"<line x1=\"20\" x2=\"430\" y1=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"#c00\" stroke-dasharray=\"4 2\"/>\n", *y + 11,
			(unsigned long long)top, *y + 15, *y + 15);
	*y += 16;
}

/* The user boxes of a maps text, highest first: 0 when it is empty. */
static size_t maps_boxes(const char *maps, struct box *b, size_t max,
			 char (*names)[256])
{
	size_t n = 0;

	for (const char *p = maps; p && *p && n < max;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		unsigned long long s0, e0;
		char line[512], perms[5] = "";
		int name_at = 0;

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = 0;
		if (sscanf(line, "%llx-%llx %4s %*s %*s %*s %n", &s0, &e0,
			   perms, &name_at) >= 3 && s0 < e0) {
			b[n] = (struct box){ s0, e0, names[n], "", 0 };
			memcpy(b[n].perms, perms, sizeof(b[n].perms));
			snprintf(names[n], 256, "%s",
				 name_at && line[name_at] ? line + name_at
							   : "anonymous");
			n++;
		}
		if (!e)
			break;
		p = e + 1;
	}
	for (size_t i = 0; i < n / 2; i++) {	/* maps are lowest first */
		struct box t = b[i];

		b[i] = b[n - 1 - i];
		b[n - 1 - i] = t;
	}
	return n;
}

/* The column of a process given by its maps text (its task is gone). */
static void draw_maps(FILE *o, struct mmt_machine *m, int pid,
		      const char *maps)
{
	const struct mmt_layout *l = &m->layout;
	size_t max = 1, n;
	double y = 10, total = 10;
	struct box g, *b;
	uint64_t top;
	char (*names)[256];

	for (const char *p = maps; p && *p; p++)
		max += *p == '\n';
	b = calloc(max, sizeof(*b));
	names = calloc(max, sizeof(*names));
	if (!b || !names) {
		free(b);
		free(names);
		fprintf(o, "<p>(out of memory drawing process %d)</p>\n", pid);
		return;
	}
	n = maps_boxes(maps, b, max, names);
	top = user_top(l);
	for (int pass = 0; pass < 2; pass++) {
		uint64_t below = UINT64_MAX;

		svg_open(o, pass, total, &y);
		draw_kernel(o, l, pass, pid, &y, b, n);
		draw_split(o, pass, &y, top);
		for (size_t i = 0; i < n; i++) {
			if (b[i].start >= top)
				continue;	/* drawn in the kernel half */
			if (below != UINT64_MAX && b[i].end < below) {
				g = (struct box){ b[i].end, below, "gap", "", 2 };
				if (pass)
					draw_box(o, &g, y, box_height(&g), pid);
				y += box_height(&g);
			}
			if (pass)
				draw_box(o, &b[i], y, box_height(&b[i]), pid);
			y += box_height(&b[i]);
			below = b[i].start;
		}
		total = y;
	}
	fprintf(o, "</svg>\n");
	free(b);
	free(names);
}

/* The column of @t: kernel regions above its task size, then its VMAs
 * and the gaps between them, highest first. */
static void draw_task(FILE *o, struct mmt_machine *m, const struct mmt_task *t)
{
	const struct mmt_layout *l = &m->layout;
	struct box b;
	char label[1][256];
	double y = 10, total = 10;
	const struct mmt_vma *v;
	uint64_t below;
	int pass;

	/* two passes: the height first, then the drawing */
	for (pass = 0; pass < 2; pass++) {
		svg_open(o, pass, total, &y);
		draw_kernel(o, l, pass, t->pid, &y, NULL, 0);
		draw_split(o, pass, &y, user_top(l));
		below = t->mm->task_size;
		for (v = mmt_vma_first(t->mm); v && v->vm_next; v = v->vm_next)
			;
		for (; v; v = v->vm_prev) {
			if (v->vm_end < below) {
				b = (struct box){ v->vm_end, below, "gap", "",
						  2 };
				if (pass)
					draw_box(o, &b, y, box_height(&b),
						 t->pid);
				y += box_height(&b);
			}
			vma_label(v, label[0], sizeof(label[0]));
			b = (struct box){ v->vm_start, v->vm_end, label[0], "",
					  0 };
			snprintf(b.perms, sizeof(b.perms), "%c%c%c%c",
				 v->vm_flags & MMT_VM_READ ? 'r' : '-',
				 v->vm_flags & MMT_VM_WRITE ? 'w' : '-',
				 v->vm_flags & MMT_VM_EXEC ? 'x' : '-',
				 v->vm_flags & MMT_VM_MAYSHARE ? 's' : 'p');
			if (pass)
				draw_box(o, &b, y, box_height(&b), t->pid);
			y += box_height(&b);
			below = v->vm_start;
		}
		total = y;
	}
	fprintf(o, "</svg>\n");
}

/* A result as strace prints it: -errno, small numbers, else hex. */
static void result(FILE *o, int64_t v)
{
	if (v < 0 && v >= -4095)
		fprintf(o, "<td>-%lld</td>", (long long)-v);
	else if (v >= 0 && v < 65536)
		fprintf(o, "<td>%lld</td>", (long long)v);
	else
		fprintf(o, "<td>%#llx</td>", (unsigned long long)v);
}

static void timeline(FILE *o, const struct mmt_report *r, int pid)
{
	fprintf(o, "<table class=\"tl\"><tr><th>#</th><th>system call"
		"</th><th>kernel</th><th>model</th><th></th></tr>\n");
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct mmt_report_step *s = &r->steps[i];

		if (s->pid != pid)
			continue;
		fprintf(o, "<tr class=\"%s\"><td>%zu</td><td><code>",
			s->agreed ? "ok" : "bad", i + 1);
		esc(o, s->call);
		fprintf(o, "</code></td>");
		if (s->no_result) {
			fprintf(o, "<td>?</td><td>?</td>");
		} else {
			result(o, s->real);
			result(o, s->model);
		}
		fprintf(o, "<td>%s", s->agreed ? "agreed" : "DIVERGED");
		if (s->diff) {
			fprintf(o, "<details open><summary>maps diff</summary>"
				"<pre>");
			esc(o, s->diff);
			fprintf(o, "</pre></details>");
		}
		fprintf(o, "</td></tr>\n");
	}
	fprintf(o, "</table>\n");
}

int mmt_report_write_html(const struct mmt_report *r, FILE *o)
{
	size_t agreed = 0;

	for (size_t i = 0; i < r->nsteps; i++)
		agreed += r->steps[i].agreed;
	fprintf(o, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		"<title>mmtwin: ");
	esc(o, r->title);
	fprintf(o, "</title>\n<style>body{font-family:sans-serif;margin:1em}"
		".proc{display:flex;gap:2em;align-items:flex-start}"
		"table.tl{border-collapse:collapse;font-size:12px}"
		"table.tl td,table.tl th{border:1px solid #ccc;padding:2px 6px}"
		"table.tl td code{word-break:break-all}"
		"table.tl td:nth-child(2){max-width:46em}"
		".proc>div:last-child{min-width:0;flex:1}"
		"tr.bad{background:#fcbba1}pre{margin:0;white-space:pre-wrap}"
		"</style></head>\n"
		"<body><h1>mmtwin twin report</h1><p><code>");
	esc(o, r->title);
	fprintf(o, "</code></p><p id=\"summary\">%zu system calls, %zu agreed"
		"</p>\n", r->nsteps, agreed);
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct mmt_report_proc *p = &r->procs[i];

		fprintf(o, "<h2>process %d</h2><div class=\"proc\" id=\"proc-%d"
			"\"><div>", p->pid, p->pid);
		draw_maps(o, r->m, p->pid, p->maps);
		fprintf(o, "</div><div>");
		timeline(o, r, p->pid);
		fprintf(o, "</div></div>\n");
	}
	for (const struct mmt_task *t = r->procs ? NULL : mmt_task_first(r->m);
	     t; t = t->next) {
		if (t->tgid != t->pid)
			continue;	/* threads share their leader's map */
		fprintf(o, "<h2>process %d</h2><div class=\"proc\" id=\"proc-%d"
			"\"><div>", t->pid, t->pid);
		draw_task(o, r->m, t);
		fprintf(o, "</div><div>");
		timeline(o, r, t->pid);
		fprintf(o, "</div></div>\n");
	}
	fprintf(o, "</body></html>\n");
	return ferror(o) ? -1 : 0;
}
