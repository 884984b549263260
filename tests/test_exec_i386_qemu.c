// SPDX-License-Identifier: MIT
/*
 * exec on the x86_32 profiles against Debian's own 32-bit 6.1 kernels
 * (linux-image-686 and -686-pae under qemu-system-i386, issue 10 part 5).
 *
 * tests/data/i386/exec-686.txt and exec-686-pae.txt hold what the guest's
 * tracer (tests/qemu/exec/tracer.c) read at the exec stop of each program
 * in tests/data/i386/exec-bin/: argv, envp, limits, /proc/PID/maps, stat,
 * auxv, the stack pointer and the stack bytes up to the end of [stack].
 * Regenerate them with tests/qemu/README.md; no QEMU is needed here.
 *
 * For each program this test runs
 *   mmtwin exec --arch x86_32[-pae] --no-aslr --hwcap H --hwcap2 H2
 *               --minsigstksz M --show maps|mm|auxv -- ARGV...
 * with the guest's environment, RLIMIT_STACK and cwd (the programs'
 * directory), H, H2, M being the guest's AT_HWCAP, AT_HWCAP2 and
 * AT_MINSIGSTKSZ, and compares:
 *   maps  byte for byte, except the device and inode of file lines (the
 *         guest's initramfs vs this host's disk) and the file names, which
 *         map /x/NAME to exec-bin/NAME and the loader to this host's
 *   mm    the /proc/PID/stat fields 26-28 and 45-51
 *   auxv  every entry (AT_SYSINFO and AT_SYSINFO_EHDR included; the ids
 *         against this process's when it is not the guest's root)
 * then mmt_execve() itself with the guest's ids and AT_RANDOM bytes, for
 * the /proc/PID/auxv bytes, the stack pointer and every stack byte.
 *
 * A binary that is missing or whose sha256 is not the recorded one, or a
 * loader (/lib/ld-linux.so.2) that is not the guest's, makes its case SKIP
 * with the reason.
 */
#define _GNU_SOURCE
#include "test.h"

#include <mmtwin/exec.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define DATA_DIR "tests/data/i386"
#define BIN_DIR DATA_DIR "/exec-bin"
#define LOADER "/usr/lib32/ld-linux.so.2"

/* One program's capture. */
struct gt_case {
	char label[32];
	char *argv[16], *envp[16];
	unsigned argc, envc;
	uint64_t stack_cur;
	unsigned ids[4];	/* uid euid gid egid */
	char *maps, *stat;
	uint8_t auxv[512], *stack;
	size_t auxv_len, stack_len;
	uint64_t sp;
};

static void gt_free(struct gt_case *c)
{
	for (unsigned i = 0; i < c->argc; i++)
		free(c->argv[i]);
	for (unsigned i = 0; i < c->envc; i++)
		free(c->envp[i]);
	free(c->maps);
	free(c->stat);
	free(c->stack);
	memset(c, 0, sizeof(*c));
}

static void strbuf_add(char **s, const char *line)
{
	size_t o = *s ? strlen(*s) : 0, n = strlen(line);
	char *p = realloc(*s, o + n + 2);

	if (!p)
		return;
	memcpy(p + o, line, n);
	p[o + n] = '\n';
	p[o + n + 1] = 0;
	*s = p;
}

/* "ADDR: w0 w1 ..." hex lines (little-endian bytes as printed) */
static void hex_add(uint8_t **buf, size_t *len, size_t cap_fixed,
		    const char *line)
{
	const char *p = strchr(line, ':');

	if (!p)
		return;
	for (p++; *p;) {
		while (*p == ' ')
			p++;
		while (p[0] && p[1] && p[0] != ' ') {
			unsigned b;

			if (sscanf(p, "%2x", &b) != 1)
				return;
			if (cap_fixed) {
				if (*len < cap_fixed)
					(*buf)[(*len)++] = (uint8_t)b;
			} else {
				uint8_t *nb = realloc(*buf, *len + 1);

				if (!nb)
					return;
				*buf = nb;
				nb[(*len)++] = (uint8_t)b;
			}
			p += 2;
		}
	}
}

/*
 * The capture of @label from @text; 0 or -1 when it is not there or is
 * incomplete.
 */
static int gt_parse(const char *text, const char *label, struct gt_case *c)
{
	char head[64], sec[16] = "";
	const char *p = text;
	bool in = false, done = false;
	uint8_t *auxp = NULL;

	memset(c, 0, sizeof(*c));
	snprintf(c->label, sizeof(c->label), "%s", label);
	snprintf(head, sizeof(head), "==== EXEC %s ", label);
	while (*p && !done) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[512];

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = 0;
		p = nl ? nl + 1 : p + strlen(p);
		if (!strncmp(line, "==== EXEC ", 10)) {
			in = !strncmp(line, head, strlen(head));
			if (in) {
				sscanf(line + strlen(head), "%15s", sec);
				if (!strcmp(sec, "end"))
					done = true;
			}
			continue;
		}
		if (!in)
			continue;
		if (!strcmp(sec, "argv") && c->argc < 15)
			c->argv[c->argc++] = strdup(line);
		else if (!strcmp(sec, "envp") && c->envc < 15)
			c->envp[c->envc++] = strdup(line);
		else if (!strcmp(sec, "limits")) {
			unsigned long long cur;

			if (sscanf(line, "stack %llu", &cur) == 1)
				c->stack_cur = cur;
			sscanf(line, "uid %u euid %u gid %u egid %u", &c->ids[0],
			       &c->ids[1], &c->ids[2], &c->ids[3]);
		} else if (!strcmp(sec, "maps"))
			strbuf_add(&c->maps, line);
		else if (!strcmp(sec, "stat"))
			strbuf_add(&c->stat, line);
		else if (!strcmp(sec, "auxv")) {
			auxp = c->auxv;
			hex_add(&auxp, &c->auxv_len, sizeof(c->auxv), line);
		} else if (!strcmp(sec, "regs")) {
			unsigned long long sp;

			if (sscanf(line, "sp %llx", &sp) == 1)
				c->sp = sp;
		} else if (!strcmp(sec, "stack"))
			hex_add(&c->stack, &c->stack_len, 0, line);
	}
	if (!done || !c->argc || !c->maps || !c->stat || !c->auxv_len ||
	    !c->sp || !c->stack_len || !c->stack_cur)
		return -1;
	return 0;
}

/* The value of auxv entry @type in the guest's 4-byte pairs (0 if none). */
static uint32_t gt_auxv(const struct gt_case *c, uint32_t type, bool *found)
{
	for (size_t i = 0; i + 8 <= c->auxv_len; i += 8) {
		uint32_t t, v;

		memcpy(&t, c->auxv + i, 4);
		memcpy(&v, c->auxv + i + 4, 4);
		if (t == type) {
			if (found)
				*found = true;
			return v;
		}
		if (t == 0)
			break;
	}
	if (found)
		*found = false;
	return 0;
}

/* ------------------------------------------------------- identities */

/* sha256 of @path in hex through sha256sum(1); 0, or -1 (reason set). */
static int sha256_file(const char *path, char hex[65], char *why, size_t wl)
{
	char cmd[PATH_MAX + 64], *out;
	FILE *p;
	int st;

	if (access(path, R_OK)) {
		snprintf(why, wl, "%s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "sha256sum '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	if (!p) {
		snprintf(why, wl, "cannot run sha256sum");
		return -1;
	}
	out = test_slurp(p);
	st = pclose(p);
	if (!out || st || strlen(out) < 64) {
		snprintf(why, wl, "sha256sum %s failed", path);
		free(out);
		return -1;
	}
	memcpy(hex, out, 64);
	hex[64] = 0;
	free(out);
	return 0;
}

/* The "# sha256 HEX NAME" line of @text for @name must be @path's. */
static bool identity_ok(const char *text, const char *name, const char *path,
			char *why, size_t wl)
{
	char want[80], hex[65];
	const char *p;

	snprintf(want, sizeof(want), " %s\n", name);
	for (p = strstr(text, "# sha256 "); p; p = strstr(p + 1, "# sha256 ")) {
		const char *nl = strchr(p, '\n');

		if (nl && (size_t)(nl - p) == 9 + 64 + strlen(want) - 1 &&
		    !strncmp(p + 9 + 64, want, strlen(want)))
			break;
	}
	if (!p) {
		snprintf(why, wl, "no sha256 of %s in the ground truth", name);
		return false;
	}
	if (sha256_file(path, hex, why, wl))
		return false;
	if (strncmp(p + 9, hex, 64)) {
		snprintf(why, wl, "%s is not the binary the guest ran "
			 "(sha256 %.16s..., recorded %.16s...)", path, hex,
			 p + 9);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------- maps */

/*
 * @guest's maps with each file line's device and inode replaced by the
 * model's (from @model's line for the same range) and its name mapped:
 * /x/NAME -> @bindir/NAME.  The padding is left as the model printed it
 * only for those lines (its width depends on the inode's digits); the
 * anonymous and special lines stay byte for byte the guest's.  malloc'd.
 */
static char *maps_expected(const char *guest, const char *model,
			   const char *bindir)
{
	char *out = NULL;
	const char *g = guest;

	while (*g) {
		const char *nl = strchr(g, '\n');
		size_t n = nl ? (size_t)(nl - g) : strlen(g);
		char line[512], range[64], perms[8], off[16], dev[16], name[256];
		unsigned long ino;
		int used = 0;

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, g, n);
		line[n] = 0;
		g = nl ? nl + 1 : g + strlen(g);
		name[0] = 0;
		if (sscanf(line, "%63s %7s %15s %15s %lu %n", range, perms, off,
			   dev, &ino, &used) < 5 || ino == 0) {
			strbuf_add(&out, line);
			continue;
		}
		snprintf(name, sizeof(name), "%s", line + used);
		{
			/* the model's line for this range supplies dev/inode
			 * and the padding (with the name checked below) */
			const char *m = model;
			char mline[512] = "", want[PATH_MAX + 256];
			size_t rl = strlen(range);

			while (*m) {
				const char *mn = strchr(m, '\n');
				size_t k = mn ? (size_t)(mn - m) : strlen(m);

				if (k > rl && !strncmp(m, range, rl) &&
				    m[rl] == ' ') {
					if (k >= sizeof(mline))
						k = sizeof(mline) - 1;
					memcpy(mline, m, k);
					mline[k] = 0;
					break;
				}
				m = mn ? mn + 1 : m + strlen(m);
			}
			if (!strncmp(name, "/x/", 3))
				snprintf(want, sizeof(want), "%s/%s", bindir,
					 name + 3);
			else
				snprintf(want, sizeof(want), "%s", name);
			{
				char mr[64], mp[8], mo[16], md[16];
				unsigned long mi;
				int mu = 0;

				if (mline[0] &&
				    sscanf(mline, "%63s %7s %15s %15s %lu %n",
					   mr, mp, mo, md, &mi, &mu) >= 5 &&
				    !strcmp(mline + mu, want)) {
					/* same range; perms and offset must
					 * still be the guest's */
					char fixed[1024];

					snprintf(fixed, sizeof(fixed),
						 "%s %s %s %s%s", range, perms,
						 off, mline + strlen(mr) +
						 strlen(mp) + strlen(mo) + 3,
						 "");
					strbuf_add(&out, fixed);
				} else {
					char fixed[PATH_MAX + 512];

					snprintf(fixed, sizeof(fixed),
						 "%s %s %s (file %s)", range,
						 perms, off, want);
					strbuf_add(&out, fixed);
				}
			}
		}
	}
	return out ? out : strdup("");
}

/* ------------------------------------------------------------ model */

/* Run the mmtwin binary on @c: 0 and its stdout in @out, or -1. */
static int run_mmtwin(const struct gt_case *c, const char *arch,
		      const char *bindir, const char *show, char **out)
{
	const char *bin = getenv("MMTWIN_BIN");
	char abs_bin[PATH_MAX], hw[3][32], *args[48];
	int pfd[2], st;
	unsigned n = 0;
	pid_t pid;
	bool f;

	if (!realpath(bin ? bin : "build/mmtwin", abs_bin))
		return -1;
	snprintf(hw[0], sizeof(hw[0]), "%#x", gt_auxv(c, MMT_AT_HWCAP, &f));
	snprintf(hw[1], sizeof(hw[1]), "%#x", gt_auxv(c, MMT_AT_HWCAP2, &f));
	snprintf(hw[2], sizeof(hw[2]), "%u", gt_auxv(c, MMT_AT_MINSIGSTKSZ, &f));
	args[n++] = abs_bin;
	args[n++] = "exec";
	args[n++] = "--arch";
	args[n++] = (char *)arch;
	args[n++] = "--mem";
	args[n++] = "1G";
	args[n++] = "--no-aslr";
	args[n++] = "--hwcap";
	args[n++] = hw[0];
	args[n++] = "--hwcap2";
	args[n++] = hw[1];
	args[n++] = "--minsigstksz";
	args[n++] = hw[2];
	args[n++] = "--show";
	args[n++] = (char *)show;
	args[n++] = "--";
	for (unsigned i = 0; i < c->argc; i++)
		args[n++] = c->argv[i];
	args[n] = NULL;
	if (pipe(pfd))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct rlimit r;
		char *envp[17];

		for (unsigned i = 0; i < c->envc; i++)
			envp[i] = c->envp[i];
		envp[c->envc] = NULL;
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		if (chdir(bindir))
			_exit(126);
		if (!getrlimit(RLIMIT_STACK, &r) && (r.rlim_max == RLIM_INFINITY
		    || r.rlim_max >= c->stack_cur)) {
			r.rlim_cur = c->stack_cur;
			setrlimit(RLIMIT_STACK, &r);
		}
		execve(abs_bin, args, envp);
		_exit(127);
	}
	close(pfd[1]);
	{
		FILE *f2 = fdopen(pfd[0], "r");

		*out = f2 ? test_slurp(f2) : NULL;
		if (f2)
			fclose(f2);
		else
			close(pfd[0]);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return *out ? 0 : -1;
}

static const unsigned mm_field_no[10] = { 26, 27, 28, 45, 46, 47, 48, 49, 50, 51 };

/* `--show mm` lines "26 start_code   134516736 (0x...)" */
static void compare_cli_mm(const struct gt_case *c, const char *tag,
			   const char *out)
{
	uint64_t g[10];

	if (test_stat_fields(c->stat, g)) {
		test_fail(__FILE__, __LINE__, "%s: bad stat line", tag);
		return;
	}
	for (unsigned k = 0; k < 10; k++) {
		char key[8];
		const char *p;
		unsigned long long v = 0;

		snprintf(key, sizeof(key), "%u ", mm_field_no[k]);
		for (p = out; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
			if (!strncmp(p, key, strlen(key)))
				break;
		if (!p || sscanf(p, "%*u %*s %llu", &v) != 1)
			test_fail(__FILE__, __LINE__, "%s: no stat field %u in "
				  "mmtwin exec --show mm", tag, mm_field_no[k]);
		else if (v != g[k])
			test_fail(__FILE__, __LINE__, "%s: stat field %u: "
				  "kernel %#llx, mmtwin %#llx", tag,
				  mm_field_no[k], (unsigned long long)g[k], v);
	}
}

/* `--show auxv` lines "AT_NAME  VALUE [...]" against the guest's pairs */
static void compare_cli_auxv(const struct gt_case *c, const char *tag,
			     const char *out)
{
	unsigned ids[4] = { (unsigned)getuid(), (unsigned)geteuid(),
			    (unsigned)getgid(), (unsigned)getegid() };
	const char *p = out;
	size_t i = 0;

	for (; i + 8 <= c->auxv_len; i += 8) {
		uint32_t t, v;
		char name[40];
		unsigned long long mv;

		memcpy(&t, c->auxv + i, 4);
		memcpy(&v, c->auxv + i + 4, 4);
		if (t >= MMT_AT_UID && t <= MMT_AT_EGID && v == c->ids[t - MMT_AT_UID])
			v = ids[t - MMT_AT_UID];	/* this process's */
		if (!p || sscanf(p, "%39s %lli", name, &mv) != 2) {
			test_fail(__FILE__, __LINE__, "%s: mmtwin auxv ends "
				  "before the kernel's %s", tag,
				  mmt_auxv_name(t) ? mmt_auxv_name(t) : "?");
			return;
		}
		if (!mmt_auxv_name(t) || strcmp(name, mmt_auxv_name(t)) ||
		    (uint64_t)mv != v) {
			test_fail(__FILE__, __LINE__, "%s: auxv entry %zu: kernel "
				  "%s %#x, mmtwin %s %#llx", tag, i / 8,
				  mmt_auxv_name(t) ? mmt_auxv_name(t) : "?", v,
				  name, mv);
			return;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
		if (t == 0)
			return;
	}
}

/* mmt_execve with the guest's ids, CPU facts and AT_RANDOM: /proc/PID/auxv,
 * sp and the stack bytes */
static void compare_bytes(const struct gt_case *c, enum mmt_arch arch,
			  const char *tag, const char *bindir)
{
	struct mmt_machine *m = test_machine(arch, "1G");
	struct mmt_exec_params p = { 0 };
	struct mmt_exec_hw hw;
	struct mmt_task *t;
	uint8_t auxv[1024], rnd[16];
	uint32_t at_random = gt_auxv(c, MMT_AT_RANDOM, NULL);
	char err[512];
	size_t al;
	int e, r, cwd;
	bool f;

	if (!m) {
		test_fail(__FILE__, __LINE__, "%s: no machine", tag);
		return;
	}
	t = mmt_task_create(m, MMT_TASK_I386, 0, &e);
	CHECK(t != NULL);
	if (!t || at_random < c->sp || at_random + 16 > c->sp + c->stack_len) {
		test_fail(__FILE__, __LINE__, "%s: AT_RANDOM %#x outside the "
			  "captured stack", tag, at_random);
		mmt_machine_free(m);
		return;
	}
	memcpy(rnd, c->stack + (at_random - c->sp), 16);
	t->personality = MMT_PER_ADDR_NO_RANDOMIZE;
	t->rlim[MMT_RLIMIT_STACK].cur = c->stack_cur;
	mmt_exec_hw_default(m, &hw);
	hw.hwcap = gt_auxv(c, MMT_AT_HWCAP, &f);
	hw.hwcap2 = gt_auxv(c, MMT_AT_HWCAP2, &f);
	hw.minsigstksz = hw.minsigstksz32 = gt_auxv(c, MMT_AT_MINSIGSTKSZ, &f);
	/* argv[] and envp[] end in NULL: gt_parse fills at most 15 of 16 */
	p.filename = c->argv[0];
	p.argv = c->argv;
	p.envp = c->envp;
	p.uid = c->ids[0];
	p.euid = c->ids[1];
	p.gid = c->ids[2];
	p.egid = c->ids[3];
	p.hw = &hw;
	p.random = rnd;
	cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0 || chdir(bindir)) {
		test_fail(__FILE__, __LINE__, "%s: cannot enter %s", tag, bindir);
		if (cwd >= 0)
			close(cwd);
		mmt_machine_free(m);
		return;
	}
	r = mmt_execve(t, &p, NULL, err, sizeof(err));
	CHECK(fchdir(cwd) == 0);
	close(cwd);
	if (r) {
		test_fail(__FILE__, __LINE__, "%s: mmt_execve: %s (%s)", tag,
			  strerror(-r), err);
		mmt_machine_free(m);
		return;
	}
	al = mmt_proc_auxv(t, auxv, sizeof(auxv));
	if (al != c->auxv_len || memcmp(auxv, c->auxv, al)) {
		test_fail(__FILE__, __LINE__, "%s: /proc/PID/auxv differs (%zu "
			  "bytes, the kernel's %zu)", tag, al, c->auxv_len);
		for (size_t i = 0; i + 8 <= al && i + 8 <= c->auxv_len; i += 8)
			if (memcmp(auxv + i, c->auxv + i, 8)) {
				printf("      auxv +%zu: kernel %08x %08x, model "
				       "%08x %08x\n", i,
				       *(uint32_t *)(c->auxv + i),
				       *(uint32_t *)(c->auxv + i + 4),
				       *(uint32_t *)(auxv + i),
				       *(uint32_t *)(auxv + i + 4));
				break;
			}
	}
	if (t->user_sp != c->sp) {
		test_fail(__FILE__, __LINE__, "%s: sp: kernel %#llx, model "
			  "%#llx", tag, (unsigned long long)c->sp,
			  (unsigned long long)t->user_sp);
	} else {
		uint8_t *mb = malloc(c->stack_len);

		CHECK(mb && mmt_task_read_mem(t, c->sp, mb, c->stack_len) == 0);
		for (size_t i = 0; mb && i < c->stack_len; i++)
			if (mb[i] != c->stack[i]) {
				test_fail(__FILE__, __LINE__, "%s: stack byte at "
					  "%#llx: kernel %02x, model %02x", tag,
					  (unsigned long long)(c->sp + i),
					  c->stack[i], mb[i]);
				break;
			}
		free(mb);
	}
	CHECK(mmt_machine_check(m, err, sizeof(err)) == 0);
	mmt_machine_free(m);
}

/* ------------------------------------------------------------ cases */

static const struct {
	const char *label;
	const char *bins[2];	/* the files it needs in exec-bin */
	bool loader;		/* runs /lib/ld-linux.so.2 */
} progs[] = {
	{ "static", { "static", NULL }, false },
	{ "static-pie", { "static-pie", NULL }, false },
	{ "dyn-pie", { "dyn-pie", NULL }, true },
	{ "dyn-nopie", { "dyn-nopie", NULL }, true },
	{ "script", { "script", "static" }, false },
};

static const struct {
	const char *file, *arch_name;
	enum mmt_arch arch;
} flavours[] = {
	{ DATA_DIR "/exec-686.txt", "x86_32", MMT_ARCH_X86_32 },
	{ DATA_DIR "/exec-686-pae.txt", "x86_32-pae", MMT_ARCH_X86_32_PAE },
};

TEST(exec_i386_qemu)
{
	char bindir[PATH_MAX], loader[PATH_MAX];
	unsigned ran = 0;

	if (!realpath(BIN_DIR, bindir)) {
		printf("    SKIP exec_i386_qemu: %s missing\n", BIN_DIR);
		return;
	}
	for (unsigned f = 0; f < sizeof(flavours) / sizeof(flavours[0]); f++) {
		char *text = test_read_file(flavours[f].file);

		if (!text) {
			printf("    SKIP exec_i386_qemu %s: no %s\n",
			       flavours[f].arch_name, flavours[f].file);
			continue;
		}
		for (unsigned k = 0; k < sizeof(progs) / sizeof(progs[0]); k++) {
			struct gt_case c;
			char tag[64], why[PATH_MAX + 128], path[PATH_MAX + 64];
			char *maps = NULL, *mm = NULL, *aux = NULL, *want;
			bool ok = true;

			snprintf(tag, sizeof(tag), "%s %s", flavours[f].arch_name,
				 progs[k].label);
			for (unsigned b = 0; b < 2 && progs[k].bins[b] && ok; b++) {
				snprintf(path, sizeof(path), "%s/%s", bindir,
					 progs[k].bins[b]);
				ok = identity_ok(text, progs[k].bins[b], path,
						 why, sizeof(why));
			}
			if (ok && progs[k].loader) {
				if (!realpath("/lib/ld-linux.so.2", loader) ||
				    strcmp(loader, LOADER)) {
					snprintf(why, sizeof(why), "/lib/ld-linux.so.2 "
						 "is not %s here", LOADER);
					ok = false;
				} else {
					ok = identity_ok(text, LOADER, LOADER, why,
							 sizeof(why));
				}
			}
			if (!ok) {
				printf("    SKIP exec %s: %s\n", tag, why);
				continue;
			}
			if (gt_parse(text, progs[k].label, &c)) {
				test_fail(__FILE__, __LINE__, "%s: incomplete "
					  "capture in %s", tag, flavours[f].file);
				gt_free(&c);
				continue;
			}
			if (run_mmtwin(&c, flavours[f].arch_name, bindir, "maps",
				       &maps) ||
			    run_mmtwin(&c, flavours[f].arch_name, bindir, "mm",
				       &mm) ||
			    run_mmtwin(&c, flavours[f].arch_name, bindir, "auxv",
				       &aux)) {
				test_fail(__FILE__, __LINE__, "%s: mmtwin exec "
					  "failed", tag);
			} else {
				want = maps_expected(c.maps, maps, bindir);
				if (strcmp(want, maps))
					test_fail(__FILE__, __LINE__, "%s: maps "
						  "differ\nkernel (files "
						  "mapped):\n%smodel:\n%s", tag,
						  want, maps);
				free(want);
				compare_cli_mm(&c, tag, mm);
				compare_cli_auxv(&c, tag, aux);
			}
			free(maps);
			free(mm);
			free(aux);
			compare_bytes(&c, flavours[f].arch, tag, bindir);
			gt_free(&c);
			ran++;
		}
		free(text);
	}
	printf("    %u programs compared with Debian's 6.1 686 kernels\n", ran);
}
