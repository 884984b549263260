/* SPDX-License-Identifier: MIT */
/* mmtwin/host.h - facts about the host process the model runs in. */
#ifndef MMTWIN_HOST_H
#define MMTWIN_HOST_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * This process's resident memory in bytes (/proc/self/statm), 0 if it
 * cannot be read: what the host really backs, for tests and benchmarks
 * of the model's laziness.
 */
uint64_t mmt_host_resident_bytes(void);

#ifdef __cplusplus
}
#endif

#endif
