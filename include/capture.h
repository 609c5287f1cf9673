/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * capture.h - record what the reader reads, as text: the event formats
 * in use and every sub-buffer in hex.  Enabled by KBINDTOP_CAPTURE=FILE;
 * unit tests and the fuzzer replay captures through the real decoder and
 * pairer, and a capture is what a bug report about decoding needs.
 *
 * kb_capture_open: main thread at setup; kb_capture_page: reader thread;
 * kb_capture_load/free: tests, any thread.
 */
#ifndef KB_CAPTURE_H
#define KB_CAPTURE_H

#include <stddef.h>
#include <stdio.h>

#include "decode.h"

struct kb_capture_page {
	int inst, cpu;
	size_t size;
	unsigned char *data;
};

struct kb_capture {
	FILE *f;			/* when writing */
	char *header_page;
	char *ustack_fmt, *kstack_fmt;
	int nspec;
	struct kb_evspec spec[32];
	char *format[32];
	int npages;
	struct kb_capture_page *pages;
};

/* Start a capture file with the formats of specs; NULL with errno on failure. */
struct kb_capture *kb_capture_open(const char *path, const char *tracefs_dir,
				   const struct kb_evspec *specs, int n);

/* Append one sub-buffer (reader thread). */
void kb_capture_page(struct kb_capture *c, int inst, int cpu, const void *page, size_t size);

/* Read a capture back; NULL if the file is not one. */
struct kb_capture *kb_capture_load(const char *path);

/* Close/free either kind. */
void kb_capture_free(struct kb_capture *c);

#endif
