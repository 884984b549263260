// SPDX-License-Identifier: MIT
/*
 * mremap's rules as a table (tests/mm_rules.h): a fresh x86_64 process,
 * mmap_base 0x7ffff7fff000, top-down; fixed addresses at 0x10000000.
 * Private anonymous writable mappings carry VM_ACCOUNT ("A"); an
 * untouched one that moves takes its new address as pgoff.
 */
#include "test.h"
#include "mm_rules.h"

#include <errno.h>

#define RW "PROT_READ|PROT_WRITE"
#define ANONF "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)"
#define MAP(a, l, p) "mmap(" a ", " l ", " p ", " ANONF

static const struct mm_rule rules[] = {
	{ "grow in place, then shrink in place",
	  NULL, {
		{ MAP("0x10000000", "0x2000", RW), 0x10000000 },
		{ "mremap(0x10000000, 0x2000, 0x4000, 0)", 0x10000000 },
		{ "mremap(0x10000000, 0x4000, 0x1001, MREMAP_MAYMOVE)",
		  0x10000000 },
		{ NULL, 0 } },
	  /* [0x10000000 rw 2 pages] the tail went */
	  "10000000-10002000 rw-p 10000 A\n" },
	{ "a neighbour blocks growth: ENOMEM, MAYMOVE moves top-down",
	  NULL, {
		{ MAP("0x10000000", "0x2000", RW), 0x10000000 },
		{ MAP("0x10003000", "0x1000", "PROT_READ"), 0x10003000 },
		{ "mremap(0x10000000, 0x2000, 0x4000, 0)", -ENOMEM },
		{ "mremap(0x10000000, 0x2000, 0x3000, 0)", 0x10000000 },
		{ "mremap(0x10000000, 0x3000, 0x6000, MREMAP_MAYMOVE)",
		  0x7ffff7ff9000 },
		{ NULL, 0 } },
	  /* 0x10000000 [hole 3 pages][r] ... [rw 6 pages] mmap_base */
	  "10003000-10004000 r--p 10003 \n"
	  "7ffff7ff9000-7ffff7fff000 rw-p 7ffff7ff9 A\n" },
	{ "the parameter checks, in the kernel's order",
	  NULL, {
		{ MAP("0x10000000", "0x2000", "PROT_READ"), 0x10000000 },
		{ MAP("0x10002000", "0x2000", RW), 0x10002000 },
		{ "mremap(0x10000000, 0x1000, 0x2000, 0x10)", -EINVAL },
		{ "mremap(0x10000010, 0x1000, 0x2000, 0)", -EINVAL },
		{ "mremap(0x10000000, 0x1000, 0, MREMAP_MAYMOVE)", -EINVAL },
		{ "mremap(0x10000000, 0x1000, 0xfffffffffffff000, "
		  "MREMAP_MAYMOVE)", -EINVAL },
		{ "mremap(0x10000000, 0x1000, 0x1000, MREMAP_FIXED, "
		  "0x20000000)", -EINVAL },
		{ "mremap(0x10000000, 0x1000, 0x2000, MREMAP_MAYMOVE|"
		  "MREMAP_DONTUNMAP, 0)", -EINVAL },
		{ "mremap(0x10000000, 0x2000, 0x2000, MREMAP_MAYMOVE|"
		  "MREMAP_FIXED, 0x10001000)", -EINVAL },
		{ "mremap(0x10000000, 0x1000, 0x1000, MREMAP_MAYMOVE|"
		  "MREMAP_FIXED, 0x20000123)", -EINVAL },
		{ "mremap(0x10100000, 0x1000, 0x2000, MREMAP_MAYMOVE)",
		  -EFAULT },
		{ "mremap(0x10000000, 0x4000, 0x8000, MREMAP_MAYMOVE)",
		  -EFAULT },
		{ "mremap(0x10000000, 0, 0x2000, MREMAP_MAYMOVE)", -EINVAL },
		{ "mremap(0x10000000, 0x4000, 0x1000, 0)", 0x10000000 },
		{ NULL, 0 } },
	  /* a shrink may cross the VMA's end: [r 1 page] */
	  "10000000-10001000 r--p 10000 \n" },
	{ "MREMAP_FIXED moves several VMAs keeping the holes; a hole at "
	  "the start is EFAULT",
	  NULL, {
		{ MAP("0x10000000", "0x2000", RW), 0x10000000 },
		{ MAP("0x10003000", "0x1000", "PROT_READ"), 0x10003000 },
		{ MAP("0x20001000", "0x1000", "PROT_READ"), 0x20001000 },
		{ "mremap(0x10000000, 0x4000, 0x4000, MREMAP_MAYMOVE|"
		  "MREMAP_FIXED, 0x20000000)", 0x20000000 },
		{ "mremap(0x1ffff000, 0x2000, 0x2000, MREMAP_MAYMOVE|"
		  "MREMAP_FIXED, 0x30000000)", -EFAULT },
		{ NULL, 0 } },
	  /* the old 0x20001000 page was unmapped by the move */
	  "20000000-20002000 rw-p 20000 A\n"
	  "20003000-20004000 r--p 20003 \n" },
	{ "DONTUNMAP leaves the source mapped and charged (VM_ACCOUNT)",
	  NULL, {
		{ MAP("0x10000000", "0x4000", RW), 0x10000000 },
		{ "mremap(0x10000000, 0x4000, 0x4000, MREMAP_MAYMOVE|"
		  "MREMAP_DONTUNMAP, 0)", 0x7ffff7ffb000 },
		{ "mremap(0x10000000, 0x4000, 0x4000, MREMAP_DONTUNMAP, 0)",
		  -EINVAL },
		{ NULL, 0 } },
	  "10000000-10004000 rw-p 10000 A\n"
	  "7ffff7ffb000-7ffff7fff000 rw-p 7ffff7ffb A\n" },
	{ "a VMA moved next to a compatible one merges with it",
	  NULL, {
		{ MAP("0x10000000", "0x2000", RW), 0x10000000 },
		{ MAP("0x10100000", "0x2000", RW), 0x10100000 },
		{ "mremap(0x10100000, 0x2000, 0x2000, MREMAP_MAYMOVE|"
		  "MREMAP_FIXED, 0x10002000)", 0x10002000 },
		{ "mremap(0x10000000, 0x4000, 0x6000, 0)", 0x10000000 },
		{ NULL, 0 } },
	  "10000000-10006000 rw-p 10000 A\n" },
	{ "part of a VMA moves: the VMA splits around it",
	  NULL, {
		{ MAP("0x10000000", "0x8000", RW), 0x10000000 },
		{ "mremap(0x10002000, 0x2000, 0x3000, MREMAP_MAYMOVE)",
		  0x7ffff7ffc000 },
		{ NULL, 0 } },
	  "10000000-10002000 rw-p 10000 A\n"
	  "10004000-10008000 rw-p 10004 A\n"
	  "7ffff7ffc000-7ffff7fff000 rw-p 7ffff7ffc A\n" },
	{ "a locked VMA grows locked and is faulted in; faulted ones keep "
	  "their pgoff when they move",
	  NULL, {
		{ MAP("0x10000000", "0x2000", RW), 0x10000000 },
		{ "mlock(0x10000000, 0x2000)", 0 },
		{ "mremap(0x10000000, 0x2000, 0x4000, 0)", 0x10000000 },
		{ "mremap(0x10000000, 0x4000, 0x4000, MREMAP_MAYMOVE|"
		  "MREMAP_FIXED, 0x20000000)", 0x20000000 },
		{ NULL, 0 } },
	  "20000000-20004000 rw-p 10000 ALa\n" },
	{ "a sealed VMA cannot be remapped",
	  NULL, {
		{ MAP("0x10000000", "0x4000", RW), 0x10000000 },
		{ "mseal(0x10000000, 0x4000, 0)", 0 },
		{ "mremap(0x10000000, 0x4000, 0x2000, 0)", -EPERM },
		{ "mremap(0x10000000, 0x4000, 0x8000, MREMAP_MAYMOVE)",
		  -EPERM },
		{ NULL, 0 } },
	  "10000000-10004000 rw-p 10000 AS\n" },
	{ "a file mapping keeps its offset; it may grow past EOF",
	  "65536", {
		{ "mmap(0x10000000, 0x4000, PROT_READ, MAP_SHARED|MAP_FIXED, "
		  "3, 0x2000)", 0x10000000 },
		{ "mremap(0x10000000, 0x4000, 0x8000, 0)", 0x10000000 },
		{ "mremap(0x10000000, 0x8000, 0x20000, MREMAP_MAYMOVE|"
		  "MREMAP_FIXED, 0x20000000)", 0x20000000 },
		{ NULL, 0 } },
	  "20000000-20020000 r--s 2 \n" },
};

TEST(mremap_rules_table)
{
	mm_rules_run(rules, sizeof(rules) / sizeof(rules[0]));
}
