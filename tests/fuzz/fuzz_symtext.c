// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_symtext.c - libFuzzer target over the text formats the symbolizer
 * reads from files others write: JIT perf maps (/tmp/perf-PID.map, written
 * by the traced process) and kallsyms.  The first byte picks the parser;
 * the rest is the file.  Every lookup result must lie inside the text.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"
#include "perfmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	uint64_t off;

	if (size < 1)
		return 0;
	text = malloc(size);	/* exact size and not NUL-terminated: overreads are caught */
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	if (data[0] & 1) {
		struct kb_perfmap pm = { 0 };

		kb_perfmap_parse(&pm, text, size - 1);
		for (size_t i = 0; i + 8 <= size; i += 8) {
			uint64_t a;
			const char *n;

			memcpy(&a, data + i, 8);
			n = kb_perfmap_find(&pm, a, &off);
			if (n && strlen(n) > KB_PERFMAP_NAME_MAX)
				abort();
		}
		kb_perfmap_free(&pm);
	} else {
		struct kb_ksyms ks = { 0 };

		kb_ksyms_parse(&ks, text, size - 1);
		for (size_t i = 0; i + 8 <= size; i += 8) {
			uint64_t a;
			const char *mod;

			memcpy(&a, data + i, 8);
			kb_ksyms_find(&ks, a, &off, &mod);
		}
		kb_ksyms_free(&ks);
	}
	free(text);
	return 0;
}
