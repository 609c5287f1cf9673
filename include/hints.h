/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hints.h - one line per failed bind() that says what is wrong and what
 * fixes it, from the errno, the address and what enrichment learned (the
 * holder of the port, the socket's options, the namespace's unprivileged
 * port start).  Pure; any thread.
 */
#ifndef KB_HINTS_H
#define KB_HINTS_H

#include <stddef.h>

struct kb_bind;

#define KB_HINT_LEN	256

/*
 * kb_hint - the explanation for b, written to buf (visible text).
 * unpriv_start: ip_unprivileged_port_start of the binder's namespace,
 * negative when unknown (the kernel default, 1024, is assumed).
 * Returns buf, or NULL when there is nothing to explain (success,
 * result unknown).
 */
const char *kb_hint(const struct kb_bind *b, int unpriv_start, char *buf, size_t len);

#endif
