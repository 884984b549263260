// SPDX-License-Identifier: MIT
/* The view context: per-process views need a PID, others refuse one. */
#include "test.h"

#include <stdlib.h>

static int calls;

static int fake_view(const struct mmt_view_ctx *c)
{
	calls++;
	fprintf(c->out, "fake %s\n", c->task ? "task" : "machine");
	return 0;
}

static const struct mmt_view per_task = { "maps", "test", fake_view,
					  MMT_VIEW_TASK };
static const struct mmt_view binary = { "pagemap", "test", fake_view,
					MMT_VIEW_TASK | MMT_VIEW_BINARY };
static const struct mmt_view plain = { "plain", "test", fake_view, 0 };

TEST(view_ctx_task_rules)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	char err[256] = "", *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct mmt_view_ctx c = { .m = m, .out = f, .fmt = MMT_FMT_TEXT,
				  .err = err, .errlen = sizeof(err) };

	calls = 0;
	CHECK(mmt_view_run(&per_task, &c, NULL) == -1);
	CHECK_STR(err, "view 'maps' is per process: give a PID");
	CHECK(mmt_view_run(&plain, &c, "1") == -1);
	CHECK_STR(err, "view 'plain' is not per process: it takes no PID");
	CHECK(mmt_view_run(&per_task, &c, "1") == -1);
	CHECK_STR(err, "no process with PID 1 (see 'process' and "
		  "'seed_process')");
	CHECK(mmt_view_run(&per_task, &c, "0x") == -1);
	CHECK(strstr(err, "bad PID '0x'") != NULL);
	c.fmt = MMT_FMT_JSON;
	CHECK(mmt_view_run(&binary, &c, "1") == -1);
	CHECK_STR(err, "view 'pagemap' is binary: it has no JSON form");
	c.fmt = MMT_FMT_TEXT;
	CHECK(mmt_view_run(&plain, &c, NULL) == 0);
	CHECK_EQ(calls, 1);
	fclose(f);
	CHECK_STR(buf, "fake machine\n");
	free(buf);
	mmt_machine_free(m);
}

TEST(view_ctx_cli_and_script_pid)
{
	char *out = NULL, *err = NULL;

	CHECK_EQ(test_run_cli("show meminfo 12 --mem 256M 2>&1", &out), 1);
	CHECK(strstr(out, "view 'meminfo' is not per process") != NULL);
	free(out);
	CHECK_EQ(test_run_cli("show meminfo --pid 12 --mem 256M 2>&1", &out), 1);
	CHECK(strstr(out, "view 'meminfo' is not per process") != NULL);
	free(out);
	CHECK_EQ(test_run_script("machine --mem 256M\nshow buddyinfo 5\n",
				 &out, &err), 1);
	CHECK(strstr(err, ":2: view 'buddyinfo' is not per process") != NULL);
	free(out);
	free(err);
}
