// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * errname.c - errno names.  glibc's strerrorname_np() knows them all; the
 * reverse lookup scans the range once.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "errname.h"

#define KB_ERRNO_MAX 200

const char *kb_errname(int e, char *buf, size_t len)
{
	const char *n = e > 0 ? strerrorname_np(e) : NULL;

	if (n)
		return n;
	snprintf(buf, len, "E%d", e);
	return buf;
}

int kb_errno_from_name(const char *name)
{
	for (int e = 1; e < KB_ERRNO_MAX; e++) {
		const char *n = strerrorname_np(e);

		if (n && !strcasecmp(n, name))
			return e;
	}
	return -1;
}
