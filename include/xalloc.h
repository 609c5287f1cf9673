/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xalloc.h - allocation wrappers that abort on out-of-memory, so callers
 * do not sprinkle NULL checks for a condition they cannot handle anyway.
 * Safe from any thread.
 */
#ifndef KB_XALLOC_H
#define KB_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
int xasprintf(char **strp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
