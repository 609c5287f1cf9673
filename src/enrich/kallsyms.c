// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kallsyms.c - parsing /proc/kallsyms.
 *
 * Lines are "ADDRESS TYPE NAME [MODULE]".  Only text symbols are kept:
 * stack frames point into code.  The file has no sizes, so a symbol is
 * taken to run up to the next one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "kallsyms.h"
#include "xalloc.h"

#define KSYMS_MAX_BYTES	(256u << 20)
#define KSYM_NAME_MAX	256
#define KSYM_SPAN_MAX	(1u << 20)

void kb_ksyms_free(struct kb_ksyms *ks)
{
	free(ks->s);
	kb_buf_free(&ks->names);
	memset(ks, 0, sizeof(*ks));
}

static uint32_t add_name(struct kb_ksyms *ks, const char *s, size_t n)
{
	return (uint32_t)kb_buf_add_entry(&ks->names, s, n < KSYM_NAME_MAX ? n : KSYM_NAME_MAX);
}

static int cmp_ksym(const void *a, const void *b)
{
	const struct kb_ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

size_t kb_ksyms_parse(struct kb_ksyms *ks, const char *text, size_t len)
{
	const char *end = text + len;
	size_t cap = 0;
	uint32_t last_mod = 0;
	size_t last_mod_len = 0;
	bool nonzero = false;

	kb_ksyms_free(ks);
	add_name(ks, "", 0);
	for (const char *l = text; l < end;) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		const char *le = nl ? nl : end, *p = l, *name, *mod = NULL;
		size_t name_len, mod_len = 0;
		uint64_t addr = 0;
		int digits = 0;
		char type;

		for (; p < le && digits <= 16; p++, digits++) {
			char c = *p;
			int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

			if (d < 0)
				break;
			addr = addr << 4 | (uint64_t)d;
		}
		if (!digits || digits > 16 || le - p < 4 || p[0] != ' ' || p[2] != ' ')
			goto next;
		type = p[1];
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			goto next;
		name = p + 3;
		name_len = (size_t)(le - name);
		for (const char *q = name; q < le; q++) {
			if (*q == '\t' || *q == ' ') {
				name_len = (size_t)(q - name);
				mod = memchr(q, '[', (size_t)(le - q));
				if (mod) {
					const char *me = memchr(mod, ']', (size_t)(le - mod));

					mod++;
					mod_len = me ? (size_t)(me - mod) : 0;
					/* cut as the pool stores it, so the comparison below matches */
					if (mod_len > KSYM_NAME_MAX)
						mod_len = KSYM_NAME_MAX;
				}
				break;
			}
		}
		if (!name_len)
			goto next;
		if (ks->n == cap) {
			cap = cap ? cap * 2 : 16384;
			ks->s = xrealloc(ks->s, cap * sizeof(*ks->s));
		}
		/* module symbols come grouped: share the name of the previous line's module */
		if (mod_len && (!last_mod || last_mod_len != mod_len ||
				memcmp(ks->names.p + last_mod, mod, mod_len))) {
			/* raw bytes, NULs included: compare by length, not as C strings */
			last_mod = add_name(ks, mod, mod_len);
			last_mod_len = mod_len;
		}
		ks->s[ks->n++] = (struct kb_ksym){ .addr = addr,
			.name = add_name(ks, name, name_len), .mod = mod_len ? last_mod : 0 };
		nonzero = nonzero || addr;
next:
		l = nl ? nl + 1 : end;
	}
	if (!nonzero) {		/* kptr_restrict hides every address */
		kb_ksyms_free(ks);
		return 0;
	}
	qsort(ks->s, ks->n, sizeof(*ks->s), cmp_ksym);
	return ks->n;
}

long kb_ksyms_load(struct kb_ksyms *ks, const char *path)
{
	size_t len;
	char *buf = kb_file_read(path ? path : "/proc/kallsyms", KSYMS_MAX_BYTES, &len);
	long ret;

	if (!buf)
		return -errno;
	ret = (long)kb_ksyms_parse(ks, buf, len);
	free(buf);
	return ret;
}

const char *kb_ksyms_find(const struct kb_ksyms *ks, uint64_t addr, uint64_t *off, const char **mod)
{
	size_t lo = 0, hi = ks->n;
	const struct kb_ksym *k;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->s[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	k = &ks->s[lo - 1];
	if (lo == ks->n && addr - k->addr > KSYM_SPAN_MAX)
		return NULL;
	if (off)
		*off = addr - k->addr;
	if (mod)
		*mod = ks->names.p + k->mod;
	return ks->names.p + k->name;
}
