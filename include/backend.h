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
 * Main thread, during setup.
 */
#ifndef KB_BACKEND_H
#define KB_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "caps.h"
#include "decode.h"
#include "options.h"
#include "session.h"

enum kb_backend {
	KB_BK_NONE = 0,
	KB_BK_KPROBE,
	KB_BK_SYSCALLS,
};

#define KB_MAX_SPECS 16

struct kb_plan {
	enum kb_backend backend;
	char desc[256];			/* one line: what is probed */
	char note[768];			/* why auto chose this, what is missing */
	int nspec;
	struct kb_evspec spec[KB_MAX_SPECS];
	bool ustacks;			/* user stacks recorded (after ENTER) */
	bool kstacks;			/* kernel stacks recorded (after KSOCK) */
	bool exact_all;			/* every bind's address is captured synchronously */
	int nlibc;			/* libc uprobes in place (syscalls backend) */
	int iou_gate_inst;		/* instance of the io_uring_complete gate, -1 none */
	bool kernel_binds;		/* kernel_bind probed: binds by the kernel itself */
};

const char *kb_backend_name(enum kb_backend b);

/*
 * kb_backend_order - the backends to try for a request, best first, as
 * far as the capabilities tell; reasons for skipped ones go to why.
 * Returns how many (0: nothing can work, why says what is missing).
 */
int kb_backend_order(const struct kb_caps *c, enum kb_backend_req req, enum kb_backend out[2],
		     char *why, size_t len);

/*
 * kb_backend_setup - create instances, probes and filters in s for the
 * first backend of the order that works.  On failure everything created
 * is still recorded in s (kb_session_destroy removes it).
 */
int kb_backend_setup(struct kb_session *s, const struct kb_options *o, const struct kb_caps *c,
		     struct kb_plan *plan, char *err, size_t errlen);

/* Backend-specific halves, in backend_kprobe.c and backend_syscalls.c. */
int kb_backend_kprobe(struct kb_session *s, const struct kb_caps *c, struct kb_plan *plan,
		      int inst_enter, int inst_other, char *err, size_t errlen);
int kb_backend_syscalls(struct kb_session *s, const struct kb_caps *c, struct kb_plan *plan,
			int inst_enter, int inst_other, char *err, size_t errlen);

/* The --comm filter on the generic comm field, valid on every event ("" none). */
void kb_backend_comm_filter(const struct kb_options *o, char *buf, size_t len);

/* Append an event spec to the plan; returns it (NULL when full). */
struct kb_evspec *kb_plan_add(struct kb_plan *plan, const char *system, const char *name,
			      enum kb_role role, int inst);

#endif
