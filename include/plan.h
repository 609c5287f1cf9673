/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plan.h - what a backend is, and the plan it fills: the events it created
 * and how the reader should read them.  Each backend is one
 * struct kb_backend in its own backend_*.c; backend.c lists them and
 * chooses one.  Main thread, during setup.
 */
#ifndef KB_PLAN_H
#define KB_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "caps.h"
#include "decode.h"
#include "session.h"

#define KB_MAX_SPECS 16

struct kb_backend;

struct kb_plan {
	const struct kb_backend *backend;
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

/* What a backend relies on, so the host is looked at only where it matters. */
enum kb_backend_needs {
	KB_NEEDS_KPROBES = 1 << 0,	/* kprobes on kernel functions: kallsyms, a trial kprobe */
	KB_NEEDS_LIBCS = 1 << 1,	/* uprobes on bind() in each libc: a scan of /proc */
};

struct kb_backend {
	const char *name;		/* --backend=NAME, messages, JSON "backend" */
	unsigned int needs;		/* enum kb_backend_needs */
	/*
	 * probe - can it work here, as far as c tells without trying?
	 * false with the reason in why if not.
	 */
	bool (*probe)(const struct kb_caps *c, char *why, size_t len);
	/*
	 * setup - create its dynamic events in s and list every event it
	 * needs in plan (kb_plan_add), ENTER events in instance inst_enter
	 * (the one recording user stacks), the others in inst_other.  0, or
	 * -errno with err set; what was created stays recorded in s.
	 */
	int (*setup)(struct kb_session *s, const struct kb_caps *c, struct kb_plan *plan,
		     int inst_enter, int inst_other, char *err, size_t errlen);
};

/* Append an event spec to the plan; returns it (NULL when full). */
struct kb_evspec *kb_plan_add(struct kb_plan *plan, const char *system, const char *name,
			      enum kb_role role, int inst);

#endif
