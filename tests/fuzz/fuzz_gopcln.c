// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_gopcln.c - libFuzzer target over the .gopclntab reader: a table
 * from a hostile binary must be refused or answer lookups without
 * reading past it.  The first 8 bytes pick the address looked up.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gopclntab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_gopcln g;
	uint64_t addr = 0, off;
	size_t nl;
	uint8_t *copy;

	if (size < 8)
		return 0;
	memcpy(&addr, data, 8);
	copy = malloc(size - 8 ? size - 8 : 1);	/* exact size: ASan sees overreads */
	if (!copy)
		return 0;
	memcpy(copy, data + 8, size - 8);
	if (!kb_gopcln_init(&g, copy, size - 8, 0x401000)) {
		const char *n = kb_gopcln_find(&g, addr, &off, &nl);

		if (n && (n < (const char *)copy || n + nl >= (const char *)copy + size - 8))
			abort();
		kb_gopcln_find(&g, g.text + (addr & 0xffff), &off, &nl);
	}
	free(copy);
	return 0;
}
