// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * capture.c - text captures of the reader's input (see capture.h).
 *
 * Format, line based:
 *   kbindtop-capture 1
 *   @header_page            then the file's text, ended by a line "@end"
 *   @ustack / @kstack       ftrace user_stack / kernel_stack formats
 *   @format SYS NAME ROLE INST, then the format text, "@end"
 *   @page INST CPU SIZE     then the bytes as hex, 64 per line, "@end";
 *                           trailing zero bytes are left out
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "fileio.h"
#include "xalloc.h"


static void put_block(FILE *f, const char *head, const char *text)
{
	size_t l = strlen(text);

	fprintf(f, "%s\n%s%s@end\n", head, text, l && text[l - 1] != '\n' ? "\n" : "");
}

struct kb_capture *kb_capture_open(const char *path, const char *dir, const struct kb_evspec *specs, int n)
{
	struct kb_capture *c = xcalloc(1, sizeof(*c));
	char p[512], head[160];
	char *t;

	c->f = fopen(path, "we");
	if (!c->f) {
		free(c);
		return NULL;
	}
	fprintf(c->f, "kbindtop-capture 1\n");
	snprintf(p, sizeof(p), "%s/events/header_page", dir);
	if ((t = kb_file_read(p, 1u << 20, NULL))) {
		put_block(c->f, "@header_page", t);
		free(t);
	}
	snprintf(p, sizeof(p), "%s/events/ftrace/user_stack/format", dir);
	if ((t = kb_file_read(p, 1u << 20, NULL))) {
		put_block(c->f, "@ustack", t);
		free(t);
	}
	snprintf(p, sizeof(p), "%s/events/ftrace/kernel_stack/format", dir);
	if ((t = kb_file_read(p, 1u << 20, NULL))) {
		put_block(c->f, "@kstack", t);
		free(t);
	}
	for (int i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/events/%s/%s/format", dir, specs[i].system, specs[i].name);
		if (!(t = kb_file_read(p, 1u << 20, NULL)))
			continue;
		snprintf(head, sizeof(head), "@format %s %s %d %d", specs[i].system, specs[i].name,
			 (int)specs[i].role, specs[i].inst);
		put_block(c->f, head, t);
		free(t);
	}
	fflush(c->f);
	return c;
}

void kb_capture_page(struct kb_capture *c, int inst, int cpu, const void *page, size_t size)
{
	const unsigned char *b = page;
	size_t used = size;

	/* pages are zero-padded after their data: the loader zero-fills */
	while (used && !b[used - 1])
		used--;
	fprintf(c->f, "@page %d %d %zu\n", inst, cpu, size);
	for (size_t i = 0; i < used; i++)
		fprintf(c->f, "%02x%s", b[i], (i % 64 == 63 || i + 1 == used) ? "\n" : "");
	fprintf(c->f, "@end\n");
	fflush(c->f);
}

/* Text up to a line "@end"; advances *pp past it. */
static char *take_block(char **pp)
{
	char *s = *pp, *e = strstr(s, "\n@end\n");
	char *out;

	if (!e) {
		*pp = s + strlen(s);
		return xstrdup(s);
	}
	out = xstrndup(s, (size_t)(e - s) + 1);
	*pp = e + 6;
	return out;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

struct kb_capture *kb_capture_load(const char *path)
{
	char *all = kb_file_read(path, 256u << 20, NULL), *p, *nl;
	struct kb_capture *c;

	if (!all || strncmp(all, "kbindtop-capture 1\n", 19)) {
		free(all);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	p = all + 19;
	while (*p) {
		char line[256];

		nl = strchr(p, '\n');
		if (!nl)
			break;
		snprintf(line, sizeof(line), "%.*s", (int)(nl - p), p);
		p = nl + 1;
		if (!strcmp(line, "@header_page")) {
			free(c->header_page);
			c->header_page = take_block(&p);
		} else if (!strcmp(line, "@ustack")) {
			free(c->ustack_fmt);
			c->ustack_fmt = take_block(&p);
		} else if (!strcmp(line, "@kstack")) {
			free(c->kstack_fmt);
			c->kstack_fmt = take_block(&p);
		} else if (!strncmp(line, "@format ", 8) && c->nspec < 32) {
			struct kb_evspec *s = &c->spec[c->nspec];
			int role, inst;

			if (sscanf(line + 8, "%47s %47s %d %d", s->system, s->name, &role, &inst) != 4)
				continue;
			s->role = (enum kb_role)role;
			s->inst = inst;
			c->format[c->nspec++] = take_block(&p);
		} else if (!strncmp(line, "@page ", 6)) {
			struct kb_capture_page pg = { 0 };
			char *hex = take_block(&p);
			size_t k = 0;

			if (sscanf(line + 6, "%d %d %zu", &pg.inst, &pg.cpu, &pg.size) != 3 ||
			    pg.size > (1u << 20)) {
				free(hex);
				continue;
			}
			pg.data = xcalloc(1, pg.size + KB_PAGE_SLACK);
			for (char *h = hex; h[0] && h[1] && k < pg.size; h++) {
				int hi = hexval(h[0]), lo;

				if (hi < 0)
					continue;
				lo = hexval(h[1]);
				if (lo < 0)
					continue;
				pg.data[k++] = (unsigned char)(hi << 4 | lo);
				h++;
			}
			free(hex);
			c->pages = xrealloc(c->pages, (size_t)(c->npages + 1) * sizeof(*c->pages));
			c->pages[c->npages++] = pg;
		}
	}
	free(all);
	return c;
}

void kb_capture_free(struct kb_capture *c)
{
	if (!c)
		return;
	if (c->f)
		fclose(c->f);
	free(c->header_page);
	free(c->ustack_fmt);
	free(c->kstack_fmt);
	for (int i = 0; i < c->nspec; i++)
		free(c->format[i]);
	for (int i = 0; i < c->npages; i++)
		free(c->pages[i].data);
	free(c->pages);
	free(c);
}
