/* SPDX-License-Identifier: MIT */
/*
 * mmtwin - an executable twin of the Linux x86 virtual-memory system.
 * The umbrella header: include this one.
 */
#ifndef MMTWIN_H
#define MMTWIN_H

#ifdef __cplusplus
extern "C" {
#endif

#define MMTWIN_VERSION "0.1.0"

#include "config.h"
#include "exec.h"
#include "explain.h"
#include "host.h"
#include "kalloc.h"
#include "kern.h"
#include "layout.h"
#include "machine.h"
#include "mm.h"
#include "page_alloc.h"
#include "pagewalk.h"
#include "pgtable.h"
#include "random.h"
#include "render.h"
#include "script.h"
#include "shm.h"
#include "syscall.h"
#include "views.h"

#ifdef __cplusplus
}
#endif

#endif
