// SPDX-License-Identifier: MIT
/*
 * The twin's HTML report (src/twin/report.c): the page is self-contained
 * and well formed, every VMA of every process is drawn (an element with
 * its id and range), divergences are marked and carry their diff; and,
 * when Debian's chromium is installed (.ci/run installs it), the page
 * loads in headless Chromium without errors and its DOM has every VMA.
 */
#include "test.h"
#include "twin/report.h"

#include <mmtwin/mm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *slurp_cmd(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!p)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = 2 * cap + 8192);

			if (!nb)
				break;
			buf = nb;
		}
		n = fread(buf + len, 1, 4096, p);
		len += n;
	} while (n);
	pclose(p);
	if (buf)
		buf[len] = 0;
	return buf;
}

TEST(report_html_draws_every_vma_and_marks_divergences)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	struct mmt_task *a, *b;
	char path[] = "/tmp/mmtwin-report-XXXXXX.html", cmd[512], id[64];
	struct mmt_report_step steps[3] = {
		{ 1, "mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, "
		  "-1, 0)", 0x7ffff7ffd000, 0x7ffff7ffd000, true, NULL, false },
		{ 1, "mprotect(0x7ffff7ffd000, 4096, PROT_NONE)", 0, 0, true,
		  NULL, false },
		{ 2, "munmap(0x10000000, 4096)", 0, -22, false,
		  "-10000000-10001000 rw-p <b>\n", false },
	};
	struct mmt_report r = { .title = "test <run> & co", .m = m,
				.steps = steps, .nsteps = 3 };
	const char *chrome = test_chromium();
	char *html, *dom;
	int err, fd = mkstemps(path, 5);
	FILE *f;

	CHECK(fd >= 0);
	a = mmt_task_create(m, MMT_TASK_X86_64, 1, &err);
	b = mmt_task_create(m, MMT_TASK_X86_64, 2, &err);
	CHECK(a && b);
	CHECK(mmt_ksys_mmap_pgoff(a, MMT_ABI_X86_64, 0, 8192, 1, 0x22, -1, 0) > 0);
	CHECK(mmt_do_mprotect_pkey(a, 0x7ffff7ffd000ULL, 4096, 0, -1) == 0);
	CHECK(mmt_ksys_mmap_pgoff(b, MMT_ABI_X86_64, 0x10000000, 4096, 3,
				  0x32, -1, 0) == 0x10000000);
	f = fdopen(fd, "w");
	CHECK_EQ(mmt_report_write_html(&r, f), 0);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cat %s", path);
	html = slurp_cmd(cmd);
	CHECK(html && strstr(html, "<!DOCTYPE html>"));
	CHECK(html && strstr(html, "3 system calls, 2 agreed"));
	CHECK(html && strstr(html, "test &lt;run&gt; &amp; co"));
	CHECK(html && strstr(html, "DIVERGED"));
	CHECK(html && strstr(html, "-10000000-10001000 rw-p &lt;b&gt;"));
	CHECK(html && !strstr(html, "<script") && !strstr(html, "http://") ==
	      !strstr(html, "http://www.w3.org/2000/svg"));
	for (const struct mmt_task *t = mmt_task_first(m); t; t = t->next)
		for (const struct mmt_vma *v = mmt_vma_first(t->mm); v;
		     v = mmt_vma_next(v)) {
			struct mmt_vma_info vi;

			mmt_vma_get_info(v, &vi);
			snprintf(id, sizeof(id), "id=\"vma-%d-%llx\"", t->pid,
				 (unsigned long long)vi.vm_start);
			CHECK(html && strstr(html, id));
		}
	if (!chrome) {
		printf("    SKIP headless check: no chromium (.ci/run installs "
		       "Debian's)\n");
	} else {
		snprintf(cmd, sizeof(cmd), "%s --headless --no-sandbox "
			 "--disable-gpu --enable-logging=stderr --v=0 "
			 "--dump-dom file://%s 2>%s.err", chrome, path, path);
		dom = slurp_cmd(cmd);
		CHECK(dom && strstr(dom, "3 system calls, 2 agreed"));
		CHECK(dom && strstr(dom, "vma-1-7ffff7ffd000"));
		CHECK(dom && strstr(dom, "vma-1-7ffff7ffe000"));
		CHECK(dom && strstr(dom, "vma-2-10000000"));
		CHECK(dom && strstr(dom, "</svg>"));
		free(dom);
		snprintf(cmd, sizeof(cmd), "cat %s.err", path);
		dom = slurp_cmd(cmd);	/* page errors go to the console */
		CHECK(dom && !strstr(dom, "Uncaught") && !strstr(dom, "CONSOLE"));
		free(dom);
		snprintf(cmd, sizeof(cmd), "%s.err", path);
		unlink(cmd);
	}
	free(html);
	if (!getenv("MMTWIN_KEEP_REPORT"))
		unlink(path);
	else
		printf("    report kept: %s\n", path);
	mmt_machine_free(m);
}

/* mmtwin replay --report: a real log's processes drawn from their final
 * maps, every mirrored call in the timeline. */
TEST(report_replay_writes_the_page)
{
	const char *bin = getenv("MMTWIN_BIN");
	char cmd[1024], *html;
	const char *path = "/tmp/mmtwin-replay-report.html";
	const char *chrome = test_chromium();

	if (!bin) {
		printf("    SKIP: MMTWIN_BIN not set (make check sets it)\n");
		return;
	}
	snprintf(cmd, sizeof(cmd), "setarch -R %s replay --report %s "
		 "fuzz/corpus/replay/pipeline.log >/dev/null 2>&1; echo $?",
		 bin, path);
	html = slurp_cmd(cmd);
	CHECK(html && !strcmp(html, "0\n"));
	free(html);
	snprintf(cmd, sizeof(cmd), "cat %s", path);
	html = slurp_cmd(cmd);
	CHECK(html && strstr(html, "<h2>process "));
	CHECK(html && strstr(html, "[stack]") && strstr(html, "libc.so.6"));
	CHECK(html && strstr(html, "execve(&quot;/bin/sh&quot;"));
	CHECK(html && strstr(html, "agreed") && !strstr(html, "DIVERGED"));
	free(html);
	if (chrome) {
		char *maps, *dom;
		unsigned n = 0, found = 0;
		int pid = 0;

		snprintf(cmd, sizeof(cmd), "%s --headless --no-sandbox "
			 "--disable-gpu --dump-dom file://%s 2>/dev/null", chrome,
			 path);
		dom = slurp_cmd(cmd);
		CHECK(dom && strstr(dom, "</table>"));
		/* every VMA of every process's final maps (the replay's own
		 * text output) is a box in the DOM */
		snprintf(cmd, sizeof(cmd), "setarch -R %s replay "
			 "fuzz/corpus/replay/pipeline.log 2>/dev/null", bin);
		maps = slurp_cmd(cmd);
		for (const char *l = maps; l && *l;
		     l = strchr(l, '\n') ? strchr(l, '\n') + 1 : "") {
			unsigned long long a, b;
			char id[64];

			if (sscanf(l, "process %d", &pid) == 1)
				continue;
			if (sscanf(l, "%llx-%llx ", &a, &b) != 2 || !pid)
				continue;
			n++;
			snprintf(id, sizeof(id), "id=\"vma-%d-%llx\"", pid, a);
			found += dom && strstr(dom, id) != NULL;
		}
		CHECK(n > 20 && found == n);
		free(maps);
		free(dom);
	}
	unlink(path);
}
