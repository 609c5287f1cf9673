/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fileio.h - read a whole file, bounded.  Used for tracefs format files,
 * /proc files, kallsyms and captures: the size is never trusted (procfs
 * and tracefs report 0), reads stop at max bytes.  Any thread.
 */
#ifndef KB_FILEIO_H
#define KB_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/*
 * kb_file_read - the contents of path, at most max bytes, NUL-terminated
 * (the NUL is not counted in *len, which may be NULL).  NULL with errno
 * set when the file cannot be opened.  The caller frees.
 */
char *kb_file_read(const char *path, size_t max, size_t *len);

/*
 * kb_file_read_small - one read() of a small file (/proc/PID/status,
 * comm, a sysctl) into buf, NUL-terminated: no allocation, for paths
 * taken per event.  Bytes read (at most len - 1), or -errno.
 */
ssize_t kb_file_read_small(const char *path, char *buf, size_t len);

/*
 * kb_line_value - in text of "Key: value" lines (/proc/PID/status,
 * /proc/stat), the value of the first line that starts with key (key
 * includes its separator, "Tgid:"); NULL if there is none.
 */
const char *kb_line_value(const char *text, const char *key);

#endif
