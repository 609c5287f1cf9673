/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check.h - kbindtop --check: report what this host offers for tracing
 * bind() and what kbindtop would do, using the same probing and backend
 * ordering as a real start.  Main thread.
 */
#ifndef KB_CHECK_H
#define KB_CHECK_H

#include <stdio.h>

#include "options.h"

/* Print the report to f; returns 0 if tracing is possible, 1 if not. */
int kb_check_run(const struct kb_options *o, FILE *f);

#endif
