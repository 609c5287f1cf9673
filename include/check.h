/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check.h - kbindtop --check: report what this host offers for tracing
 * bind() and what kbindtop would do, using the same probing and backend
 * ordering as a real start.  Main thread.
 */
#ifndef KB_CHECK_H
#define KB_CHECK_H

#include <stdio.h>

#include "caps.h"
#include "options.h"
#include "strbuf.h"

/* Print the report to f; returns 0 if tracing is possible, 1 if not. */
int kb_check_run(const struct kb_options *o, FILE *f);

/*
 * kb_check_report - the report's lines for capabilities c into out; with
 * try_create, probes are really created and removed to see whether the
 * kernel accepts them (--check); without, only what c says (the live
 * table's help screen, while tracing runs).  0 if tracing is possible.
 */
int kb_check_report(const struct kb_caps *c, const char *req, bool try_create,
		    struct kb_buf *out);

#endif
