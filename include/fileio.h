/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fileio.h - read a whole file, bounded.  Used for tracefs format files,
 * /proc files, kallsyms and captures: the size is never trusted (procfs
 * and tracefs report 0), reads stop at max bytes.  Any thread.
 */
#ifndef KB_FILEIO_H
#define KB_FILEIO_H

#include <stddef.h>

/*
 * kb_file_read - the contents of path, at most max bytes, NUL-terminated
 * (the NUL is not counted in *len, which may be NULL).  NULL with errno
 * set when the file cannot be opened.  The caller frees.
 */
char *kb_file_read(const char *path, size_t max, size_t *len);

#endif
