/* SPDX-License-Identifier: MIT */
/*
 * tests/mm_rules.h - table-driven cases for the memory syscalls, run on
 * a fresh x86_64 process (empty mm, ASLR off): each case is a list of
 * calls in strace notation with the answers the kernel gives, then the
 * address space drawn as one line per VMA:
 *
 *   "10000000-10002000 rw-p 10000 LS"
 *    start    end      perms pgoff(hex) flag letters (sorted as below)
 *
 * Flag letters: A VM_ACCOUNT, C VM_DONTCOPY, D VM_DONTDUMP, H
 * VM_HUGEPAGE, L VM_LOCKED, M VM_MERGEABLE, N VM_NOHUGEPAGE, O
 * VM_LOCKONFAULT, Q VM_SEQ_READ, R VM_RAND_READ, S VM_SEALED, W
 * VM_WIPEONFORK, a: has an anon_vma.  The machine validator runs after
 * every step; locked_vm must equal the VM_LOCKED pages (the validator
 * checks it).
 */
#ifndef MMT_TESTS_MM_RULES_H
#define MMT_TESTS_MM_RULES_H

#include <stdint.h>

#define MM_RULE_MAX_STEPS 16

struct mm_rule_step {
	const char *call;	/* strace notation; NULL ends the list */
	int64_t ret;		/* the value, or -errno */
};

struct mm_rule {
	const char *name;
	const char *file;	/* non-NULL: a file of this many bytes (as a
				 * decimal string) open as fd 3, O_RDWR */
	struct mm_rule_step steps[MM_RULE_MAX_STEPS];
	const char *want;	/* the VMAs after the steps, as above */
};

/* Run every case of @rules; failures name the case and the step. */
void mm_rules_run(const struct mm_rule *rules, unsigned n);

#endif
