/* SPDX-License-Identifier: MIT */
/*
 * proc/proc_internal.h - what the /proc/PID views share (fs/proc/internal.h
 * in spirit): the maps line of a VMA, the gate VMA.  Private to src/proc.
 */
#ifndef MMT_PROC_INTERNAL_H
#define MMT_PROC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct mmt_task;
struct mmt_vma;

#define PROC_GATE_START 0xffffffffff600000ULL

/* The [vsyscall] gate VMA exists for @t (native x86_64, emulation on). */
bool proc_has_gate_vma(const struct mmt_task *t);
/* show_map_vma(): @v's /proc/PID/maps line, newline included. */
void proc_show_map_vma(const struct mmt_task *t, const struct mmt_vma *v,
		       FILE *out);
/* The gate VMA's maps line. */
void proc_show_gate_vma(const struct mmt_task *t, FILE *out);
/* smaps_rollup's header: "START-END ---p 00000000 00:00 0 ... [rollup]". */
void proc_show_rollup_header(const struct mmt_task *t, uint64_t start,
			     uint64_t end, FILE *out);

#endif
