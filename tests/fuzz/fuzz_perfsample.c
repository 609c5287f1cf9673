// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_perfsample.c - libFuzzer target over the perf sample parser: any
 * bytes, with and without the register/stack part, must parse or be
 * refused without reading past them, and what parses must lie inside.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "perfstack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);	/* exact size: ASan sees overreads */
	struct kb_perf_sample s;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	for (int wc = 0; wc < 2; wc++) {
		if (kb_perf_parse_sample(copy, size, wc, &s))
			continue;
		if (s.ips + (size_t)s.nips * 8 > copy + size)
			abort();
		if (s.stack && (s.stack + s.stack_size > copy + size || s.dyn_size > s.stack_size))
			abort();
	}
	free(copy);
	return 0;
}
