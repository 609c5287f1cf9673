// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * screen.c - text rows with one attribute per cell (see screen.h).
 *
 * Everything drawn goes through kb_screen_put, which shows any byte that
 * is not printable ASCII as '?': text from traced processes is escaped
 * already, this makes sure of it at the last step.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "screen.h"
#include "xalloc.h"

void kb_screen_init(struct kb_screen *s)
{
	memset(s, 0, sizeof(*s));
	s->cur_y = -1;
}

void kb_screen_free(struct kb_screen *s)
{
	free(s->text);
	free(s->attr);
	kb_screen_init(s);
}

void kb_screen_resize(struct kb_screen *s, int w, int h)
{
	if (w < 1)
		w = 1;
	if (h < 1)
		h = 1;
	if (w != s->w || h != s->h) {
		free(s->text);
		free(s->attr);
		s->w = w;
		s->h = h;
		s->text = xmalloc((size_t)(w + 1) * (size_t)h);
		s->attr = xmalloc((size_t)w * (size_t)h);
	}
	for (int y = 0; y < h; y++) {
		memset(s->text + (size_t)y * (size_t)(w + 1), ' ', (size_t)w);
		s->text[(size_t)y * (size_t)(w + 1) + (size_t)w] = '\0';
	}
	memset(s->attr, KB_A_NORMAL, (size_t)w * (size_t)h);
	s->cur_y = -1;
}

const char *kb_screen_line(const struct kb_screen *s, int y)
{
	return s->text + (size_t)y * (size_t)(s->w + 1);
}

int kb_screen_put(struct kb_screen *s, int y, int x, int attr, const char *text, int maxw)
{
	char *row;
	unsigned char *ar;

	if (y < 0 || y >= s->h || x < 0)
		return x;
	if (maxw < 0 || x + maxw > s->w)
		maxw = s->w - x;
	row = s->text + (size_t)y * (size_t)(s->w + 1);
	ar = s->attr + (size_t)y * (size_t)s->w;
	for (int i = 0; i < maxw && text[i]; i++, x++) {
		unsigned char c = (unsigned char)text[i];

		row[x] = c >= 0x20 && c < 0x7f ? (char)c : '?';
		ar[x] = (unsigned char)attr;
	}
	return x;
}
