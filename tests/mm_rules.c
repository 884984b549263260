// SPDX-License-Identifier: MIT
/* The runner of tests/mm_rules.h's tables. */
#include "test.h"
#include "mm_rules.h"
#include "mm/vma_internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
	char letter;
	uint64_t flag;
} flag_letters[] = {
	{ 'A', MMT_VM_ACCOUNT }, { 'C', MMT_VM_DONTCOPY },
	{ 'D', MMT_VM_DONTDUMP }, { 'G', MMT_VM_MAYBE_GUARD },
	{ 'H', MMT_VM_HUGEPAGE },
	{ 'L', MMT_VM_LOCKED }, { 'M', MMT_VM_MERGEABLE },
	{ 'N', MMT_VM_NOHUGEPAGE }, { 'O', MMT_VM_LOCKONFAULT },
	{ 'Q', MMT_VM_SEQ_READ }, { 'R', MMT_VM_RAND_READ },
	{ 'S', MMT_VM_SEALED }, { 'W', MMT_VM_WIPEONFORK },
};

/* The drawing of tests/mm_rules.h for @mm, malloc'd. */
static char *draw(const struct mmt_mm *mm)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	for (const struct mmt_vma *v = vma_first(mm); v; v = vma_next(v)) {
		fprintf(f, "%llx-%llx %c%c%c%c %llx ",
			(unsigned long long)v->vm_start,
			(unsigned long long)v->vm_end,
			v->vm_flags & MMT_VM_READ ? 'r' : '-',
			v->vm_flags & MMT_VM_WRITE ? 'w' : '-',
			v->vm_flags & MMT_VM_EXEC ? 'x' : '-',
			v->vm_flags & MMT_VM_MAYSHARE ? 's' : 'p',
			(unsigned long long)v->vm_pgoff);
		for (size_t i = 0; i < sizeof(flag_letters) /
				       sizeof(flag_letters[0]); i++)
			if (v->vm_flags & flag_letters[i].flag)
				fputc(flag_letters[i].letter, f);
		if (v->anon_vma)
			fputc('a', f);
		fputc('\n', f);
	}
	fclose(f);
	return buf;
}

static void run_one(const struct mm_rule *r)
{
	struct mmt_machine *m = test_machine(MMT_ARCH_X86_64, "256M");
	char path[] = "/tmp/mmtwin-rule-XXXXXX", err[256];
	struct mmt_task *t;
	char *got;
	int e = 0;

	t = m ? mmt_task_create(m, MMT_TASK_X86_64, 0, &e) : NULL;
	CHECK(t != NULL);
	if (!t) {
		mmt_machine_free(m);
		return;
	}
	if (r->file) {
		int fd = mkstemp(path);

		CHECK(fd >= 0 && ftruncate(fd, atoll(r->file)) == 0);
		close(fd);
		CHECK_EQ(mmt_task_fd_install_mode(t, 3, path, MMT_FMODE_READ |
						  MMT_FMODE_WRITE), 0);
	}
	for (unsigned i = 0; r->steps[i].call; i++) {
		struct mmt_sys_ctx ctx = { .m = m, .task = t,
					   .abi = MMT_ABI_X86_64 };
		struct mmt_sys_call call;
		int64_t ret;

		if (mmt_sys_parse_call(r->steps[i].call, ctx.abi, &call, err,
				       sizeof(err))) {
			test_fail(__FILE__, __LINE__, "%s: %s", r->name, err);
			break;
		}
		ret = mmt_sys_dispatch(&ctx, &call);
		mmt_sys_call_release(&call);
		if (ret != r->steps[i].ret)
			test_fail(__FILE__, __LINE__, "%s: step %u %s = %lld, "
				  "expected %lld", r->name, i + 1,
				  r->steps[i].call, (long long)ret,
				  (long long)r->steps[i].ret);
		if (mmt_machine_check(m, err, sizeof(err)))
			test_fail(__FILE__, __LINE__, "%s: step %u: %s",
				  r->name, i + 1, err);
	}
	got = draw(t->mm);
	if (strcmp(got, r->want))
		test_fail(__FILE__, __LINE__, "%s: VMAs\n%s  expected\n%s",
			  r->name, got, r->want);
	free(got);
	if (r->file)
		unlink(path);
	mmt_machine_free(m);
}

void mm_rules_run(const struct mm_rule *rules, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		run_one(&rules[i]);
}
