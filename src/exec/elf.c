// SPDX-License-Identifier: MIT
/*
 * exec/elf.c - the ELF parser of the loader: what load_elf_binary() and
 * load_elf_phdrs() (fs/binfmt_elf.c, 6.18) read of a file's headers and
 * how they refuse it.  Pure: bytes in, a struct elf_image or an errno
 * and a reason out; no I/O.
 *
 * The kernel reads the ELF header from bprm->buf (the first 256 bytes,
 * zero padded), in the layout of the loader that asks, whatever
 * e_ident[EI_CLASS] says: the native x86_64 loader reads an Elf64_Ehdr,
 * compat_binfmt_elf (and i386's loader) an Elf32_Ehdr.  EI_CLASS,
 * EI_DATA and e_version are never looked at.  The program headers come
 * from the file at e_phoff; a table outside the file, a short read or a
 * negative loff_t all make load_elf_phdrs() fail, which is -ENOEXEC.
 *
 * Every sum over header fields is checked for overflow here, so the
 * loader can trust phoff + size and the table's length.
 */
#include "exec/binfmt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EM_386		3
#define EM_486		6
#define EM_X86_64	62
#define ELF_MIN_ALIGN	4096ULL

static int why_fail(char *why, size_t len, int error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int why_fail(char *why, size_t len, int error, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return error;
}

/* Little-endian reads from a buffer of at least off + n bytes. */
static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

bool elf_check_arch(const uint8_t *hdr, enum elf_kind kind)
{
	uint16_t mach = (uint16_t)le(hdr + 18, 2);	/* same offset in both */

	if (kind == ELF_KIND_64)
		return mach == EM_X86_64;
	return mach == EM_386 || mach == EM_486;	/* elf_check_arch_ia32 */
}

void elf_image_free(struct elf_image *img)
{
	free(img->phdr);
	img->phdr = NULL;
}

/* One program header of @kind at @p (32 or 56 bytes). */
static void read_phdr(const uint8_t *p, enum elf_kind kind,
		      struct elf_phdr_n *ph)
{
	if (kind == ELF_KIND_64) {
		ph->p_type = (uint32_t)le(p, 4);
		ph->p_flags = (uint32_t)le(p + 4, 4);
		ph->p_offset = le(p + 8, 8);
		ph->p_vaddr = le(p + 16, 8);
		ph->p_paddr = le(p + 24, 8);
		ph->p_filesz = le(p + 32, 8);
		ph->p_memsz = le(p + 40, 8);
		ph->p_align = le(p + 48, 8);
	} else {
		ph->p_type = (uint32_t)le(p, 4);
		ph->p_offset = le(p + 4, 4);
		ph->p_vaddr = le(p + 8, 4);
		ph->p_paddr = le(p + 12, 4);
		ph->p_filesz = le(p + 16, 4);
		ph->p_memsz = le(p + 20, 4);
		ph->p_flags = (uint32_t)le(p + 24, 4);
		ph->p_align = le(p + 28, 4);
	}
}

static int parse(const struct elf_file_bytes *f, enum elf_kind kind,
		 struct elf_image *img, bool checks, char *why, size_t whylen)
{
	uint8_t hdr[BINPRM_BUF_SIZE] = { 0 };
	unsigned phsz = kind == ELF_KIND_64 ? 56 : 32;
	uint64_t size, end;

	memset(img, 0, sizeof(*img));
	img->interp_idx = img->gnu_stack_idx = img->property_idx = -1;
	if (f->len)
		memcpy(hdr, f->data, f->len < sizeof(hdr) ? f->len : sizeof(hdr));
	if (checks && memcmp(hdr, "\177ELF", 4))
		return why_fail(why, whylen, -ENOEXEC, "not an ELF file (no "
				"\\177ELF magic)");
	img->kind = kind;
	img->e_type = (uint16_t)le(hdr + 16, 2);
	img->e_machine = (uint16_t)le(hdr + 18, 2);
	if (kind == ELF_KIND_64) {
		img->e_entry = le(hdr + 24, 8);
		img->e_phoff = le(hdr + 32, 8);
		img->e_phentsize = (uint16_t)le(hdr + 54, 2);
		img->e_phnum = (uint16_t)le(hdr + 56, 2);
	} else {
		img->e_entry = le(hdr + 24, 4);
		img->e_phoff = le(hdr + 28, 4);
		img->e_phentsize = (uint16_t)le(hdr + 42, 2);
		img->e_phnum = (uint16_t)le(hdr + 44, 2);
	}
	if (checks && img->e_type != ELF_ET_EXEC && img->e_type != ELF_ET_DYN)
		return why_fail(why, whylen, -ENOEXEC, "e_type %u is neither "
				"ET_EXEC nor ET_DYN", img->e_type);
	if (checks && !elf_check_arch(hdr, kind))
		return why_fail(why, whylen, -ENOEXEC, "e_machine %u is not "
				"%s", img->e_machine, kind == ELF_KIND_64 ?
				"EM_X86_64" : "EM_386/EM_486");
	/* load_elf_phdrs() */
	if (img->e_phentsize != phsz)
		return why_fail(why, whylen, -ENOEXEC, "e_phentsize %u, the "
				"loader's program header is %u bytes",
				img->e_phentsize, phsz);
	size = (uint64_t)phsz * img->e_phnum;
	if (size == 0 || size > 65536)
		return why_fail(why, whylen, -ENOEXEC, "e_phnum %u: the "
				"program headers must fill 1 to 65536 bytes",
				img->e_phnum);
	if (img->e_phoff > (uint64_t)INT64_MAX ||
	    __builtin_add_overflow(img->e_phoff, size, &end) ||
	    end > f->file_size || end > f->len)
		return why_fail(why, whylen, -ENOEXEC, "program headers "
				"[%#llx, +%#llx) are not inside the %llu-byte "
				"file", (unsigned long long)img->e_phoff,
				(unsigned long long)size,
				(unsigned long long)f->file_size);
	img->phdr = calloc(img->e_phnum, sizeof(*img->phdr));
	if (!img->phdr)
		return why_fail(why, whylen, -ENOMEM, "out of host memory");
	for (unsigned i = 0; i < img->e_phnum; i++) {
		struct elf_phdr_n *ph = &img->phdr[i];

		read_phdr(f->data + img->e_phoff + (uint64_t)i * phsz, kind, ph);
		if (ph->p_type == ELF_PT_INTERP && img->interp_idx < 0)
			img->interp_idx = (int)i;
		else if (ph->p_type == ELF_PT_GNU_PROPERTY &&
			 img->property_idx < 0)
			img->property_idx = (int)i;
		else if (ph->p_type == ELF_PT_GNU_STACK)
			img->gnu_stack_idx = (int)i;
	}
	return 0;
}

int elf_parse(const struct elf_file_bytes *f, enum elf_kind kind,
	      struct elf_image *img, char *why, size_t whylen)
{
	return parse(f, kind, img, true, why, whylen);
}

int elf_parse_phdrs(const struct elf_file_bytes *f, enum elf_kind kind,
		    struct elf_image *img, char *why, size_t whylen)
{
	return parse(f, kind, img, false, why, whylen);
}

int elf_interp_path(const struct elf_file_bytes *f, const struct elf_image *img,
		    char *buf, size_t buflen, char *why, size_t whylen)
{
	const struct elf_phdr_n *ph = &img->phdr[img->interp_idx];
	uint64_t end;

	if (ph->p_filesz > PATH_MAX_K || ph->p_filesz < 2)
		return why_fail(why, whylen, -ENOEXEC, "PT_INTERP of %llu "
				"bytes (2 to PATH_MAX expected)",
				(unsigned long long)ph->p_filesz);
	/* elf_read(): a short read is -EIO, a negative loff_t -EINVAL */
	if (ph->p_offset > (uint64_t)INT64_MAX)
		return why_fail(why, whylen, -EINVAL, "PT_INTERP offset %#llx "
				"is a negative file position",
				(unsigned long long)ph->p_offset);
	if (__builtin_add_overflow(ph->p_offset, ph->p_filesz, &end) ||
	    end > f->file_size || end > f->len)
		return why_fail(why, whylen, -EIO, "PT_INTERP [%#llx, +%llu) "
				"is past the end of the file",
				(unsigned long long)ph->p_offset,
				(unsigned long long)ph->p_filesz);
	if (f->data[end - 1] != 0)
		return why_fail(why, whylen, -ENOEXEC, "PT_INTERP path is not "
				"NUL-terminated");
	if (buflen < ph->p_filesz)
		return why_fail(why, whylen, -ENAMETOOLONG, "PT_INTERP path "
				"too long");
	memcpy(buf, f->data + ph->p_offset, ph->p_filesz);
	return 0;
}

uint64_t elf_total_mapping_size(const struct elf_image *img, uint64_t mask)
{
	int first = -1, last = -1;

	for (int i = 0; i < img->e_phnum; i++)
		if (img->phdr[i].p_type == ELF_PT_LOAD) {
			last = i;
			if (first < 0)
				first = i;
		}
	if (first < 0)
		return 0;
	return (img->phdr[last].p_vaddr + img->phdr[last].p_memsz -
		(img->phdr[first].p_vaddr & ~(ELF_MIN_ALIGN - 1))) & mask;
}

uint64_t elf_maximum_alignment(const struct elf_image *img, uint64_t mask)
{
	uint64_t a = 0;

	for (int i = 0; i < img->e_phnum; i++) {
		uint64_t al = img->phdr[i].p_align & mask;

		if (img->phdr[i].p_type != ELF_PT_LOAD)
			continue;
		if (!al || (al & (al - 1)))	/* not a power of two: skipped */
			continue;
		if (al > a)
			a = al;
	}
	return ((a + ELF_MIN_ALIGN - 1) & ~(ELF_MIN_ALIGN - 1)) & mask;
}
