/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reap.h - remove what killed kbindtop runs left in tracefs (at start,
 * and --cleanup).  Main thread; tracefs mounted (kb_tracefs_mount).
 */
#ifndef KB_REAP_H
#define KB_REAP_H

#include <stdio.h>

/*
 * kb_session_reap - remove instances and dynamic events left by kbindtop
 * runs that are no longer alive (never a live one's).  Returns the number
 * of items removed, or -errno.  If report is non-NULL, one line per item
 * is written to it.
 */
int kb_session_reap(FILE *report);

#endif
