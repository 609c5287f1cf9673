/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kallsyms.h - kernel text symbols from /proc/kallsyms, for the kernel
 * frames of stacks.  Loaded once, on the first kernel frame, sorted for
 * binary search.  Consumer thread only.
 */
#ifndef KB_KALLSYMS_H
#define KB_KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

struct kb_ksym {
	uint64_t addr;
	uint32_t name;		/* offset in names */
	uint32_t mod;		/* offset of the module name, 0 = the kernel itself */
};

struct kb_ksyms {
	struct kb_ksym *s;
	size_t n;
	struct kb_buf names;	/* pool of names; the entry at 0 is "" */
};

/*
 * kb_ksyms_parse - text symbols (types t, T, w, W) of kallsyms-format
 * text, replacing what ks held.  All-zero addresses (kptr_restrict) give
 * none.  Returns the number of symbols.
 */
size_t kb_ksyms_parse(struct kb_ksyms *ks, const char *text, size_t len);

/* Read and parse path (NULL: /proc/kallsyms).  Returns symbols or -errno. */
long kb_ksyms_load(struct kb_ksyms *ks, const char *path);

/*
 * kb_ksyms_find - the symbol addr is in: its name, *off from its start,
 * *mod the module name or "" for the kernel.  NULL below the first
 * symbol or further than 1 MiB past the last.
 */
const char *kb_ksyms_find(const struct kb_ksyms *ks, uint64_t addr, uint64_t *off, const char **mod);

void kb_ksyms_free(struct kb_ksyms *ks);

#endif
