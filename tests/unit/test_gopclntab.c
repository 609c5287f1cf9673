// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_gopclntab.c - the .gopclntab reader on a table laid out as Go 1.18+
 * writes it: lookups inside, between and outside functions, a PIE table
 * (textStart 0), other versions refused, and bad offsets refused or
 * answered with nothing.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "check.h"
#include "gopclntab.h"

static uint8_t tab[256];

static void put32(size_t o, uint32_t v) { memcpy(tab + o, &v, 4); }
static void put64(size_t o, uint64_t v) { memcpy(tab + o, &v, 8); }

/* two functions: main.main at +0, main.f at +0x100, text ends at +0x200 */
static size_t build(uint64_t text)
{
	static const char names[] = "main.main\0main.f";
	size_t ftab = 72 + sizeof(names);

	memset(tab, 0, sizeof(tab));
	put32(0, 0xfffffff0);
	tab[6] = 1;
	tab[7] = 8;
	put64(8, 2);
	put64(24, text);
	put64(32, 72);
	put64(64, ftab);
	memcpy(tab + 72, names, sizeof(names));
	put32(ftab + 0, 0);
	put32(ftab + 4, 24);
	put32(ftab + 8, 0x100);
	put32(ftab + 12, 32);
	put32(ftab + 16, 0x200);
	put32(ftab + 24, 0);		/* main.main: entry 0, name 0 */
	put32(ftab + 28, 0);
	put32(ftab + 32, 0x100);	/* main.f: entry 0x100, name 10 */
	put32(ftab + 36, 10);
	return ftab + 40;
}

int main(void)
{
	struct kb_gopcln g;
	uint64_t off = 0;
	size_t nl = 0, len = build(0x401000);
	const char *n;

	CHECK_INT(kb_gopcln_init(&g, tab, len, 0), 0);
	n = kb_gopcln_find(&g, 0x401010, &off, &nl);
	CHECK(n && nl == 9 && !memcmp(n, "main.main", 9) && off == 0x10);
	n = kb_gopcln_find(&g, 0x401100, &off, &nl);
	CHECK(n && nl == 6 && !memcmp(n, "main.f", 6) && off == 0);
	CHECK(kb_gopcln_find(&g, 0x401200, &off, &nl) == NULL);	/* end of text */
	CHECK(kb_gopcln_find(&g, 0x400fff, &off, &nl) == NULL);
	/* PIE: textStart 0, .text's address instead */
	len = build(0);
	CHECK_INT(kb_gopcln_init(&g, tab, len, 0x7000), 0);
	n = kb_gopcln_find(&g, 0x7104, &off, &nl);
	CHECK(n && nl == 6 && off == 4);
	/* Go 1.16 layout, 32-bit pointers: not read */
	put32(0, 0xfffffffa);
	CHECK_INT(kb_gopcln_init(&g, tab, len, 0), -ENOTSUP);
	build(0x401000);
	tab[7] = 4;
	CHECK_INT(kb_gopcln_init(&g, tab, len, 0), -ENOTSUP);
	/* a function table past the end, a name offset past the names */
	len = build(0x401000);
	put64(64, 250);
	CHECK_INT(kb_gopcln_init(&g, tab, len, 0), -EINVAL);
	len = build(0x401000);
	put32(72 + 17 + 28, 0x7fffffff);
	CHECK_INT(kb_gopcln_init(&g, tab, len, 0), 0);
	CHECK(kb_gopcln_find(&g, 0x401000, &off, &nl) == NULL);
	return check_done("test_gopclntab");
}
