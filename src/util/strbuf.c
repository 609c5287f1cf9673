// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * strbuf.c - growable output buffer and escaping of untrusted text.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xalloc.h"

static const char hexdig[] = "0123456789abcdef";

void kb_buf_init(struct kb_buf *b)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

void kb_buf_free(struct kb_buf *b)
{
	free(b->p);
	kb_buf_init(b);
}

void kb_buf_grow(struct kb_buf *b, size_t more)
{
	size_t need = b->len + more + 1;
	size_t cap = b->cap ? b->cap : 256;

	if (need <= b->cap)
		return;
	while (cap < need)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void kb_buf_vprintf(struct kb_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if (!b->p || (size_t)n >= b->cap - b->len) {
		kb_buf_reserve(b, (size_t)n);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void kb_buf_printf(struct kb_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kb_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

size_t kb_buf_add_entry(struct kb_buf *b, const char *s, size_t n)
{
	size_t off = b->len;

	kb_buf_reserve(b, n + 1);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len++] = '\0';
	b->p[b->len] = '\0';
	return off;
}

/* "00".."99": two digits per division */
static const char digits2[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

void kb_buf_put_u64(struct kb_buf *b, unsigned long long v)
{
	char tmp[24];
	int i = sizeof(tmp);

	while (v >= 100) {
		unsigned int d = (unsigned int)(v % 100) * 2;

		v /= 100;
		tmp[--i] = digits2[d + 1];
		tmp[--i] = digits2[d];
	}
	if (v >= 10) {
		tmp[--i] = digits2[v * 2 + 1];
		tmp[--i] = digits2[v * 2];
	} else {
		tmp[--i] = (char)('0' + v);
	}
	kb_buf_put(b, tmp + i, sizeof(tmp) - (size_t)i);
}

void kb_buf_put_hex(struct kb_buf *b, unsigned long long v)
{
	char tmp[16];
	int i = sizeof(tmp);

	do {
		tmp[--i] = hexdig[v & 15];
		v >>= 4;
	} while (v);
	kb_buf_put(b, tmp + i, sizeof(tmp) - (size_t)i);
}

void kb_buf_put_u64_pad(struct kb_buf *b, unsigned long long v, int width)
{
	char tmp[24];
	int i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v || (int)sizeof(tmp) - i < width);
	kb_buf_put(b, tmp + i, sizeof(tmp) - (size_t)i);
}

void kb_buf_put_i64(struct kb_buf *b, long long v)
{
	if (v < 0) {
		kb_buf_putc(b, '-');
		kb_buf_put_u64(b, 0ULL - (unsigned long long)v);
	} else {
		kb_buf_put_u64(b, (unsigned long long)v);
	}
}

/* Bytes JSON output must escape: controls, quote, backslash, DEL and non-ASCII. */
static const unsigned char json_special[256] = {
	[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x7f ... 0xff] = 1,
};

void kb_buf_json_str(struct kb_buf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s);

	/* worst case every byte becomes \u00XX */
	kb_buf_reserve(b, n * 6 + 2);
	b->p[b->len++] = '"';
	for (;;) {
		const unsigned char *run = u;
		unsigned char c;

		/* runs of plain characters are copied whole */
		while (*u && !json_special[*u])
			u++;
		memcpy(b->p + b->len, run, (size_t)(u - run));
		b->len += (size_t)(u - run);
		c = *u++;
		if (!c)
			break;
		if (c == '"' || c == '\\') {
			b->p[b->len++] = '\\';
			b->p[b->len++] = (char)c;
		} else {
			/* cannot happen for visible text; stay valid JSON anyway */
			b->p[b->len++] = '\\';
			b->p[b->len++] = 'u';
			b->p[b->len++] = '0';
			b->p[b->len++] = '0';
			b->p[b->len++] = hexdig[c >> 4];
			b->p[b->len++] = hexdig[c & 15];
		}
	}
	b->p[b->len++] = '"';
	b->p[b->len] = '\0';
}

/* Escape one byte; returns the number of characters it needs (1, 2 or 4). */
static size_t escape_byte(unsigned char c, char out[4])
{
	if (c == '\\') {
		out[0] = '\\';
		out[1] = '\\';
		return 2;
	}
	if (c >= 0x20 && c < 0x7f) {
		out[0] = (char)c;
		return 1;
	}
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hexdig[c >> 4];
	out[3] = hexdig[c & 15];
	return 4;
}

size_t kb_visible(char *dst, size_t cap, const void *src, size_t len)
{
	const unsigned char *s = src;
	size_t o = 0;

	if (!cap)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char e[4];
		size_t n = escape_byte(s[i], e);

		if (o + n >= cap)
			break;
		memcpy(dst + o, e, n);
		o += n;
	}
	dst[o] = '\0';
	return o;
}

size_t kb_visible_str(char *dst, size_t cap, const char *src, size_t max)
{
	return kb_visible(dst, cap, src, strnlen(src, max));
}

void kb_buf_put_visible(struct kb_buf *b, const void *src, size_t len)
{
	const unsigned char *s = src;

	kb_buf_reserve(b, len * 4);
	for (size_t i = 0; i < len; i++)
		b->len += escape_byte(s[i], b->p + b->len);
	b->p[b->len] = '\0';
}
