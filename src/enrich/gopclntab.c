// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gopclntab.c - Go function names from .gopclntab (see gopclntab.h).
 *
 * Layout read (Go 1.18+, pointer size 8), from the start of the section:
 *   u32 magic (0xfffffff0 1.18/1.19, 0xfffffff1 1.20+), u8 0, u8 0,
 *   u8 min instruction size, u8 pointer size, then pointer-sized nfunc,
 *   nfiles, textStart, and the offsets of the name table, compilation
 *   units, file table, pc tables and the function table.
 *   Function table: nfunc + 1 pairs (u32 entry offset from textStart,
 *   u32 offset of the function's record from the table's start); the last
 *   entry is the end of text.  A record starts with u32 entry offset and
 *   i32 name offset into the name table (NUL-terminated names).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "gopclntab.h"

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

int kb_gopcln_init(struct kb_gopcln *g, const uint8_t *d, size_t len, uint64_t text_addr)
{
	uint32_t magic;

	memset(g, 0, sizeof(*g));
	if (len < 72)
		return -EINVAL;
	magic = rd32(d);
	if ((magic != 0xfffffff0 && magic != 0xfffffff1) || d[4] || d[5] || d[7] != 8)
		return -ENOTSUP;
	g->d = d;
	g->len = len;
	g->nfunc = rd64(d + 8);
	g->text = rd64(d + 24) ? rd64(d + 24) : text_addr;
	g->names = rd64(d + 32);
	g->ftab = rd64(d + 64);
	if (g->names >= len || g->ftab >= len || !g->nfunc ||
	    g->nfunc >= (len - g->ftab) / 8)	/* nfunc + 1 entries of 8 bytes */
		return -EINVAL;
	return 0;
}

const char *kb_gopcln_find(const struct kb_gopcln *g, uint64_t vaddr, uint64_t *off, size_t *namelen)
{
	const uint8_t *tab, *name, *end;
	uint64_t rel, lo = 0, hi, rec;
	int32_t nameoff;

	if (!g->d || vaddr < g->text || vaddr - g->text > UINT32_MAX)
		return NULL;
	rel = vaddr - g->text;
	tab = g->d + g->ftab;
	hi = g->nfunc;
	/* the last entry whose start is not after rel */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (rd32(tab + mid * 8) <= rel)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || rel >= rd32(tab + lo * 8))	/* before the first, or past the end of text */
		return NULL;
	lo--;
	rec = g->ftab + rd32(tab + lo * 8 + 4);
	if (rec > g->len || g->len - rec < 8)
		return NULL;
	nameoff = (int32_t)rd32(g->d + rec + 4);
	if (nameoff < 0 || (uint64_t)nameoff >= g->len - g->names)
		return NULL;
	name = g->d + g->names + (uint64_t)nameoff;
	end = memchr(name, '\0', (size_t)(g->d + g->len - name));
	if (!end || end == name)
		return NULL;
	*namelen = (size_t)(end - name);
	*off = rel - rd32(g->d + rec) <= rel ? rel - rd32(g->d + rec) : 0;
	return (const char *)name;
}
