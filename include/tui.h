/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tui.h - the interactive curses monitor.  The only module that talks to
 * curses.  Main thread.
 */
#ifndef KB_TUI_H
#define KB_TUI_H

#include <stddef.h>

#include "engine.h"
#include "options.h"

/*
 * kb_tui_check - can the terminal on stdout run the table (known TERM
 * that can move the cursor)?  0, or -ENOTTY with a message in err.
 * Called before tracing is set up, so a bad TERM costs nothing.
 */
int kb_tui_check(char *err, size_t errlen);

/* Run until quit or a stop signal; returns an exit code, message in err. */
int kb_tui_run(const struct kb_options *o, struct kb_engine *e, int sigfd, char *err, size_t errlen);

/* The same table on a recording (-r): no engine, no root; every call is loaded first. */
struct kb_replay;
int kb_tui_replay(const struct kb_options *o, struct kb_replay *rp, int sigfd, char *err, size_t errlen);

#endif
