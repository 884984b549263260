// SPDX-License-Identifier: MIT
/*
 * The layers (docs/ARCHITECTURE.md), checked over the sources' #include
 * lines: the base layer includes no subsystem, no subsystem includes the
 * scenario runner, the views or the CLI, and no public header includes a
 * private one.  Run from the repository root (make check does).
 */
#include "test.h"

#include <dirent.h>
#include <stdlib.h>

/* Every '#include' line of the files in @dir matching one of @bad. */
static int scan(const char *dir, const char *const *bad, unsigned nbad)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int hits = 0, files = 0;

	CHECK(d != NULL);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char path[512], *text, *line;

		if (n < 3 || e->d_name[n - 2] != '.' ||
		    (e->d_name[n - 1] != 'c' && e->d_name[n - 1] != 'h'))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		text = test_read_file(path);
		CHECK(text != NULL);
		if (!text)
			continue;
		files++;
		for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
			if (strncmp(line, "#include", 8))
				continue;
			for (unsigned i = 0; i < nbad; i++)
				if (strstr(line, bad[i])) {
					test_fail(path, 0, "layering: %s", line);
					hits++;
				}
		}
		free(text);
	}
	closedir(d);
	CHECK(files > 0);
	return hits;
}

TEST(layering_base_includes_no_subsystem)
{
	static const char *const bad[] = {
		"machine.h", "phys.h", "internal.h", "kern.h", "kalloc.h",
		"pgtable.h", "page_alloc.h", "layout.h", "script.h", "views.h",
		"explain.h", "syscall.h", "cli.h", "mmtwin.h",
	};

	CHECK_EQ(scan("src/base", bad, sizeof(bad) / sizeof(bad[0])), 0);
}

TEST(layering_subsystems_include_no_runner_view_or_cli)
{
	static const char *const bad[] = {
		"script.h", "views.h", "explain.h", "cli.h", "mmtwin/mmtwin.h",
		"script/", "proc/",
	};
	static const char *const dirs[] = {
		"src/arch/x86", "src/mm", "src/ipc", "src/kernel", "src/init",
		"src/libc", "src/exec",
	};

	for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		CHECK_EQ(scan(dirs[i], bad, sizeof(bad) / sizeof(bad[0])), 0);
}

TEST(layering_public_headers_include_no_private_one)
{
	static const char *const bad[] = {
		"internal.h", "\"base/", "\"mm/", "\"arch/", "\"init/",
		"\"script/", "\"kernel/", "\"ipc/", "\"libc/", "\"exec/",
		"\"twin/",
	};

	CHECK_EQ(scan("include/mmtwin", bad, sizeof(bad) / sizeof(bad[0])), 0);
}

/* The twin (mirror, shadow, replay) may use every subsystem and the views,
 * but not the scenario runner or the CLI above it. */
TEST(layering_twin_includes_no_runner_or_cli)
{
	static const char *const bad[] = {
		"script.h", "cli.h", "script/", "cli/", "mmtwin/mmtwin.h",
	};

	CHECK_EQ(scan("src/twin", bad, sizeof(bad) / sizeof(bad[0])), 0);
}
