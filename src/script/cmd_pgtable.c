// SPDX-License-Identifier: MIT
/*
 * Scenario commands of the page-table subsystem:
 *   walk ADDR                                    the walk, level by level
 *   translate ADDR [read|write|exec] [user|kernel] [cpu N]
 *   tlb_flush [cpu N]                            flush (all CPUs by default)
 *   tlb                                          TLB counters per CPU
 * (`show pagetable` is the view of the same name.)
 */
#include <mmtwin/kern.h>
#include <mmtwin/machine.h>

#include <mmtwin/explain.h>
#include <mmtwin/mm.h>
#include <mmtwin/script.h>
#include "arch/x86/kern_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Parse "cpu N" at argv[*i]; 0 or -1 with s->err set. */
static int parse_cpu(struct mmt_script *s, struct mmt_machine *m, int argc,
		     char **argv, int *i, unsigned *cpu)
{
	char *end;
	unsigned long v;

	if (*i + 1 >= argc)
		return mmt_script_fail(s, "expected a number after 'cpu'");
	v = strtoul(argv[++*i], &end, 0);
	if (*end || end == argv[*i] || v >= m->kern->nr_cpus)
		return mmt_script_fail(s, "bad CPU '%s' (the machine has %u "
				       "online CPUs)", argv[*i],
				       m->kern->nr_cpus);
	*cpu = (unsigned)v;
	return 0;
}

static int cmd_walk(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;
	const struct mmt_task *t = NULL;
	uint64_t va, pid = 0;

	if (argc != 2 && argc != 3)
		return mmt_script_fail(s, "expected 'walk ADDR [PID]'");
	if (mmt_parse_addr(argv[1], &va))
		return mmt_script_fail(s, "expected an address, got '%s'",
				       argv[1]);
	if (argc == 3 && (mmt_parse_addr(argv[2], &pid) || !pid ||
			  pid >= 4194304))
		return mmt_script_fail(s, "bad PID '%s'", argv[2]);
	m = mmt_script_machine(s);
	if (!m)
		return -1;
	if (pid && !(t = mmt_task_find(m, (int)pid)))
		return mmt_script_fail(s, "no process with PID %llu",
				       (unsigned long long)pid);
	mmt_pt_walk_print(m, t ? t->mm->pgd_pfn : m->kern->pgd, va, s->out);
	return 0;
}

/* Print the PF error code the way the kernel's oops does. */
static void print_pf(FILE *out, unsigned pf)
{
	fprintf(out, "#PF error_code(0x%04x) - %s %s, %s page%s\n", pf,
		pf & MMT_PF_USER ? "user" : "supervisor",
		pf & MMT_PF_INSTR ? "instruction fetch" :
		pf & MMT_PF_WRITE ? "write access" : "read access",
		pf & MMT_PF_PROT ? "permissions violation" : "not-present",
		pf & MMT_PF_RSVD ? " (reserved bit set)" : "");
}

static int cmd_translate(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m;
	unsigned access = MMT_ACCESS_READ, cpu = 0, pf = 0;
	uint64_t va, pa = 0;
	int i, r;

	if (argc < 2 || mmt_parse_addr(argv[1], &va))
		return mmt_script_fail(s, "expected 'translate ADDR [read|write|"
				       "exec] [user|kernel] [cpu N]'");
	m = mmt_script_machine(s);
	if (!m)
		return -1;
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "read"))
			access = (access & MMT_ACCESS_USER) | MMT_ACCESS_READ;
		else if (!strcmp(argv[i], "write"))
			access = (access & MMT_ACCESS_USER) | MMT_ACCESS_WRITE;
		else if (!strcmp(argv[i], "exec"))
			access = (access & MMT_ACCESS_USER) | MMT_ACCESS_EXEC;
		else if (!strcmp(argv[i], "user"))
			access |= MMT_ACCESS_USER;
		else if (!strcmp(argv[i], "kernel"))
			access &= ~MMT_ACCESS_USER;
		else if (!strcmp(argv[i], "cpu")) {
			if (parse_cpu(s, m, argc, argv, &i, &cpu))
				return -1;
		} else
			return mmt_script_fail(s, "unknown word '%s': expected "
					       "read|write|exec, user|kernel "
					       "or cpu N", argv[i]);
	}
	r = mmt_mmu_translate(m, cpu, va, access, &pa, &pf);
	fprintf(s->out, "%#" PRIx64 " cpu %u: ", va, cpu);
	if (r == MMT_XLATE_OK)
		fprintf(s->out, "-> %#" PRIx64 "\n", pa);
	else if (r == MMT_XLATE_GP)
		fprintf(s->out, "#GP (non-canonical address)\n");
	else
		print_pf(s->out, pf);
	return 0;
}

static int cmd_tlb_flush(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m = mmt_script_machine(s);
	unsigned cpu = 0, i;
	int a = 1;

	if (!m)
		return -1;
	if (argc == 1) {
		for (i = 0; i < m->kern->nr_cpus; i++)
			mmt_tlb_flush_all(m, i);
		return 0;
	}
	if (argc != 3 || strcmp(argv[1], "cpu"))
		return mmt_script_fail(s, "expected 'tlb_flush [cpu N]'");
	if (parse_cpu(s, m, argc, argv, &a, &cpu))
		return -1;
	mmt_tlb_flush_all(m, cpu);
	return 0;
}

static int cmd_tlb(struct mmt_script *s, int argc, char **argv)
{
	struct mmt_machine *m = mmt_script_machine(s);
	unsigned i;

	(void)argv;
	if (!m)
		return -1;
	if (argc != 1)
		return mmt_script_fail(s, "expected 'tlb'");
	for (i = 0; i < m->kern->nr_cpus; i++) {
		const struct mmt_tlb *t = &m->kern->cpus[i].tlb;

		fprintf(s->out, "cpu %u: cr3 pfn %#" PRIx64 ", %u entries "
			"(%u sets x %u ways), hits %" PRIu64 ", misses %"
			PRIu64 ", flushes %" PRIu64 "\n", i,
			m->kern->cpus[i].cr3, t->sets * t->ways, t->sets,
			t->ways, t->hits, t->misses, t->flushes);
	}
	return 0;
}

const struct mmt_script_cmd mmt_script_cmds_pgtable[] = {
	{ "walk", "walk ADDR [PID]",
	  "the page walk of ADDR in init_mm (or in process PID's tables)",
	  cmd_walk },
	{ "translate", "translate ADDR [read|write|exec] [user|kernel] "
		       "[cpu N]", "the MMU: physical address or fault",
	  cmd_translate },
	{ "tlb_flush", "tlb_flush [cpu N]",
	  "flush the TLB (global entries too) of one or every CPU",
	  cmd_tlb_flush },
	{ "tlb", "tlb", "TLB size and hit/miss counters per CPU", cmd_tlb },
	{ NULL, NULL, NULL, NULL }
};
