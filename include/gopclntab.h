/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gopclntab.h - function names of Go binaries from .gopclntab.
 *
 * Go keeps its own table of functions (the runtime needs it for stack
 * traces), which survives "go build -ldflags=-s -w" when .symtab does not.
 * Only the layout of Go 1.18 and later on 64-bit targets is read.  The
 * table comes from a traced program's file: every offset is checked
 * against its length (fuzzed).  Consumer thread (the symbolizer's).
 */
#ifndef KB_GOPCLNTAB_H
#define KB_GOPCLNTAB_H

#include <stddef.h>
#include <stdint.h>

struct kb_gopcln {
	const uint8_t *d;	/* the section's bytes (not owned) */
	size_t len;
	uint64_t text;		/* address function offsets are relative to */
	uint64_t nfunc;
	uint64_t names;		/* offset of the function name table */
	uint64_t ftab;		/* offset of the function table */
};

/*
 * kb_gopcln_init - check the header of the len bytes at d; text_addr is
 * the address of .text, used when the header's textStart is 0 (PIE).
 * 0, -ENOTSUP (another version or word size) or -EINVAL.
 */
int kb_gopcln_init(struct kb_gopcln *g, const uint8_t *d, size_t len, uint64_t text_addr);

/*
 * kb_gopcln_find - the function containing vaddr (the file's own
 * address): its raw name (namelen bytes, not NUL-checked for visibility)
 * and *off from its entry; NULL when none.
 */
const char *kb_gopcln_find(const struct kb_gopcln *g, uint64_t vaddr, uint64_t *off, size_t *namelen);

#endif
