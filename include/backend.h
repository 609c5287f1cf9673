/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * backend.h - choose and set up the events that record bind() calls.
 *
 *   kprobe:   dynamic kprobe on __sys_bind (or __x64_sys_bind, inet_bind)
 *             whose fetch args read the sockaddr synchronously, plus
 *             __sys_bind_socket where present; result from sys_exit_bind
 *             or a kretprobe.
 *   syscalls: syscalls:sys_enter_bind/sys_exit_bind, with the address
 *             taken synchronously by a uprobe on bind() in each libc;
 *             io_uring binds from the io_uring tracepoints (iouring.h).
 *
 * One table of backends (backend.c), each a struct kb_backend in its own
 * backend_*.c: adding one is that file, a line in the table and a line in
 * Makefile.am.
 *
 * Main thread, during setup.
 */
#ifndef KB_BACKEND_H
#define KB_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "caps.h"
#include "options.h"
#include "plan.h"
#include "session.h"

/* The most backends kb_backend_order returns. */
#define KB_MAX_BACKENDS 8

/* b's name, "none" for NULL. */
const char *kb_backend_name(const struct kb_backend *b);

/* Is name "auto" or the name of a backend? */
bool kb_backend_known(const char *name);

/* "auto, kprobe, syscalls": the names --backend takes, for messages. */
const char *kb_backend_names(char *buf, size_t len);

/* What the backends a request may try rely on (enum kb_backend_needs bits). */
unsigned int kb_backend_needs(const char *req);

/*
 * kb_backend_order - the backends to try for a request ("auto" or a
 * name), best first, as far as the capabilities tell; reasons for skipped
 * ones go to why.  Returns how many (0: nothing can work, why says what
 * is missing).
 */
int kb_backend_order(const struct kb_caps *c, const char *req, const struct kb_backend *out[KB_MAX_BACKENDS],
		     char *why, size_t len);

/*
 * kb_backend_setup - create instances, probes and filters in s for the
 * first backend of the order that works.  On failure everything created
 * is still recorded in s (kb_session_destroy removes it).
 */
int kb_backend_setup(struct kb_session *s, const struct kb_options *o, const struct kb_caps *c,
		     struct kb_plan *plan, char *err, size_t errlen);

/* The --comm filter on the generic comm field, valid on every event ("" none). */
void kb_backend_comm_filter(const struct kb_options *o, char *buf, size_t len);

#endif
