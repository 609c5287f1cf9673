/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * caps.h - what this host's kernel offers for tracing bind(), and which
 * backend "auto" picks.  The same function feeds --check, the choice of
 * backend and the help screen, so they cannot disagree.  Main thread.
 */
#ifndef KB_CAPS_H
#define KB_CAPS_H

#include <stdbool.h>
#include <stdio.h>

#include "libc.h"

enum kb_ksym {
	KB_SYM_SYS_BIND = 0,	/* __sys_bind */
	KB_SYM_SYS_BIND_SOCKET,	/* __sys_bind_socket (6.11+, io_uring path) */
	KB_SYM_X64_SYS_BIND,	/* __x64_sys_bind (pt_regs wrapper) */
	KB_SYM_INET_BIND,
	KB_SYM_INET6_BIND,
	KB_SYM_KERNEL_BIND,	/* kernel_bind: binds by the kernel itself */
	KB_SYM_COUNT
};

struct kb_caps {
	char tracefs[256];
	char kernel[200];
	bool root;
	bool syscall_tp;	/* syscalls:sys_enter_bind and sys_exit_bind exist */
	bool syscall_tp_addr;	/* ... and sys_enter_bind carries the sockaddr bytes */
	bool kprobe_events;	/* CONFIG_KPROBE_EVENTS: kprobe_events file present */
	bool uprobe_events;	/* CONFIG_UPROBE_EVENTS */
	bool argn;		/* fetch args accept $argN */
	bool ustring;		/* fetch type ustring / +u user dereference */
	bool userstacktrace;
	bool perf_stacks;	/* user stacks come from perf samples (set by the engine) */
	bool iou_events;	/* io_uring:io_uring_submit_req (opcode, req) and io_uring_complete (req, res) */
	int iou_bind_op;	/* IORING_OP_BIND: 1 supported, 0 not, -errno when io_uring is refused */
	char lockdown[32];	/* "none", "integrity", "confidentiality", or "" */
	bool ksym[KB_SYM_COUNT];
	bool kallsyms_ok;
	int nlibc;
	struct kb_libc libc[KB_MAX_LIBC];
};

extern const char *const kb_ksym_names[KB_SYM_COUNT];

/*
 * kb_lockdown_mode - the active kernel lockdown mode ("none", "integrity",
 * "confidentiality") into out, "" when the lockdown LSM is absent or
 * securityfs is not mounted.  Returns out.  Any thread.
 */
const char *kb_lockdown_mode(char *out, size_t len);

/*
 * kb_caps_probe - fill c from tracefs, lockdown and uname.  tracefs must
 * be mounted (kb_tracefs_mount).  With scan_libcs, also find the libcs in
 * use (a pass over /proc); with scan_ksyms, look up kernel functions in
 * /proc/kallsyms (~50 ms: only --check does; a real start just tries the
 * probe points in order and lets the kernel say which exist).
 */
void kb_caps_probe(struct kb_caps *c, bool scan_libcs, bool scan_ksyms);

/* Can a kprobe backend work here, as far as can be told without trying?  why gets the reason if not. */
bool kb_caps_kprobe_possible(const struct kb_caps *c, char *why, size_t len);

/* Same for the syscalls backend. */
bool kb_caps_syscalls_possible(const struct kb_caps *c, char *why, size_t len);

/*
 * kb_caps_iouring_path - how io_uring binds are seen with the kprobe
 * backend (kprobe true) or the syscalls one: one line for --check; false
 * when they are not seen at all (why in text).
 */
bool kb_caps_iouring_path(const struct kb_caps *c, bool kprobe, char *text, size_t len);

#endif
