// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tui.c - placeholder until the curses monitor lands: says so and exits.
 */
#include "config.h"

#include <stdio.h>

#include "tui.h"

int kb_tui_run(const struct kb_options *o, struct kb_engine *e, int sigfd, char *err, size_t errlen)
{
	snprintf(err, errlen, "the live table is not built yet; use --batch");
	return 2;
}
