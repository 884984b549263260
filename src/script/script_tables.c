// SPDX-License-Identifier: MIT
/* Every command table the scenario language knows, in lookup order. */
#include <mmtwin/script.h>
#include <mmtwin/script.h>

const struct mmt_script_cmd *const mmt_script_tables[] = {
	mmt_script_cmds_core,
	mmt_script_cmds_kalloc,
	mmt_script_cmds_phys,
	mmt_script_cmds_pgtable,
	mmt_script_cmds_task,
	mmt_script_cmds_fault,
	mmt_script_cmds_malloc,
	mmt_script_cmds_exec,
	NULL
};
