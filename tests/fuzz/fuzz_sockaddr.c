// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_sockaddr.c - libFuzzer target over sockaddr decoding: any bytes of
 * any length must decode without reading past them, and the text must be
 * printable ASCII only.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sockaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_addr a;
	uint8_t *copy = malloc(size ? size : 1);	/* exact size: ASan sees overreads */

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	kb_sockaddr_decode(copy, size, &a);
	for (const char *p = a.text; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			abort();
	free(copy);
	return 0;
}
