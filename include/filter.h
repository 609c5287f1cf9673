/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * filter.h - which binds to show: the command-line selection (--pid,
 * --port, --comm, --failed), applied to every output.  Pure; any thread.
 */
#ifndef KB_FILTER_H
#define KB_FILTER_H

#include <stdbool.h>

#include "enrich.h"
#include "options.h"

bool kb_filter_options_match(const struct kb_options *o, const struct kb_bind *b);

#endif
