/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * errname.h - errno values by name ("EADDRINUSE") for output.
 * Safe from any thread.
 */
#ifndef KB_ERRNAME_H
#define KB_ERRNAME_H

#include <stddef.h>

/* Name of errno e (positive); "E<n>" in buf for numbers without one. */
const char *kb_errname(int e, char *buf, size_t len);

/* errno value for a name ("EADDRINUSE", case-insensitive); -1 if unknown. */
int kb_errno_from_name(const char *name);

#endif
