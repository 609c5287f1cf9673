/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * strbuf.h - a growable byte buffer for building output, and the escaping
 * rules for untrusted text (command names, socket paths, memory read from
 * traced processes).
 *
 * Escaping is done once, into "visible" text: printable ASCII stays,
 * a backslash becomes "\\", every other byte becomes "\xNN".  Visible text
 * can go to a terminal as is and into JSON with only quote/backslash
 * escaping.  Safe from any thread (no shared state).
 */
#ifndef KB_STRBUF_H
#define KB_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct kb_buf {
	char *p;
	size_t len;
	size_t cap;
};

void kb_buf_init(struct kb_buf *b);
void kb_buf_free(struct kb_buf *b);
static inline void kb_buf_reset(struct kb_buf *b) { b->len = 0; if (b->p) b->p[0] = '\0'; }
void kb_buf_grow(struct kb_buf *b, size_t more);

/* Make room for more bytes plus a NUL (inline: the output hot path). */
static inline void kb_buf_reserve(struct kb_buf *b, size_t more)
{
	if (b->len + more + 1 > b->cap)
		kb_buf_grow(b, more);
}

static inline void kb_buf_putc(struct kb_buf *b, char c)
{
	kb_buf_reserve(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

static inline void kb_buf_put(struct kb_buf *b, const char *s, size_t n)
{
	kb_buf_reserve(b, n);
	__builtin_memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static inline void kb_buf_puts(struct kb_buf *b, const char *s)
{
	kb_buf_put(b, s, __builtin_strlen(s));
}
void kb_buf_printf(struct kb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kb_buf_vprintf(struct kb_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/*
 * kb_buf_add_entry - append n bytes of s and a NUL as one entry of a
 * string pool; returns the entry's offset (pools hand out offsets, not
 * pointers, since the buffer moves as it grows).
 */
size_t kb_buf_add_entry(struct kb_buf *b, const char *s, size_t n);
/* Append a decimal integer quickly (hot path of batch output). */
void kb_buf_put_i64(struct kb_buf *b, long long v);
void kb_buf_put_u64(struct kb_buf *b, unsigned long long v);
/* Append v in lower-case hex, no prefix. */
void kb_buf_put_hex(struct kb_buf *b, unsigned long long v);
/* Append v zero-padded to width digits. */
void kb_buf_put_u64_pad(struct kb_buf *b, unsigned long long v, int width);
/* Append a JSON string literal, quotes included, from visible text. */
void kb_buf_json_str(struct kb_buf *b, const char *visible);
/* Append untrusted bytes as visible text (see above). */
void kb_buf_put_visible(struct kb_buf *b, const void *src, size_t len);

/*
 * kb_visible - escape untrusted bytes into dst as visible text.
 * Stops at len bytes; never splits an escape; always NUL-terminates when
 * cap > 0.  Returns the number of characters written (excluding NUL).
 */
size_t kb_visible(char *dst, size_t cap, const void *src, size_t len);

/* Same, for a NUL-terminated string of at most max bytes. */
size_t kb_visible_str(char *dst, size_t cap, const char *src, size_t max);

#endif
