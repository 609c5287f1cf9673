/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * export.h - the 'e' key: what the selected row (or, in the log view,
 * the selected call) says, every field and its stacks symbolized, written
 * to a text file whose name the message line shows.  Copying a stack out
 * of a terminal over SSH is painful; a file can be copied with scp.
 *
 * Threads: the consumer (UI) thread only.
 */
#ifndef KB_EXPORT_H
#define KB_EXPORT_H

#include <stddef.h>

#include "model.h"
#include "view.h"

/*
 * kb_export_selected - write the selection to a new file in dir (NULL:
 * the current directory when writable, else /tmp): kbindtop-PID-COMM-
 * YYYYmmdd-HHMMSS.txt, mode 0600, never over an existing file or through
 * a link.  Returns 0 with the file's name in path, -ENOENT when nothing
 * is selected, or -errno.
 */
int kb_export_selected(struct kb_view *v, struct kb_model *m, const char *dir, char *path, size_t plen);

#endif
