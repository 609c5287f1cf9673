// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check.c - the --check report.
 *
 * Besides reading what tracefs and /proc say, it tries for real what can
 * only be known by trying (creating a kprobe, a uprobe), in this run's own
 * probe group, and removes what it created.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <tracefs.h>

#include "backend.h"
#include "caps.h"
#include "check.h"
#include "perfstack.h"
#include "session.h"
#include "strbuf.h"

static const char *yesno(bool b)
{
	return b ? "yes" : "no";
}

/* Create ev in a throwaway session and remove it: does the kernel accept it? */
static int try_probe(struct tracefs_dynevent *ev, char *why, size_t len)
{
	struct kb_session s;
	int ret;

	if (!ev) {
		snprintf(why, len, "%s", strerror(errno));
		return -errno;
	}
	kb_session_init(&s, 16);
	ret = kb_session_add_dynevent(&s, ev, why, len);
	kb_session_destroy(&s);
	return ret;
}

/* The probe group is this run's own, the same name a real start would use. */
static char *check_group(void)
{
	static char group[32];

	snprintf(group, sizeof(group), KB_NAME_PREFIX "_%d", (int)getpid());
	return group;
}

static int try_kprobe(const char *func, char *why, size_t len)
{
	return try_probe(tracefs_kprobe_alloc(check_group(), "check", func, NULL), why, len);
}

static int try_uprobe(const struct kb_libc *lc, char *why, size_t len)
{
	return try_probe(tracefs_uprobe_alloc(check_group(), "check", lc->path, lc->bind_off, NULL),
			 why, len);
}

int kb_check_report(const struct kb_caps *c, const char *req, bool try_create,
		    struct kb_buf *f)
{
	char why[512];
	const struct kb_backend *order[KB_MAX_BACKENDS];
	int n, kp = -1;

	kb_buf_printf(f, "kernel:               %s\n", c->kernel);
	kb_buf_printf(f, "tracefs:              %s\n", c->tracefs);
	kb_buf_printf(f, "running as root:      %s\n", yesno(c->root));
	kb_buf_printf(f, "lockdown:             %s\n", c->lockdown[0] ? c->lockdown : "(no lockdown LSM)");
	kb_buf_printf(f, "syscall tracepoints:  %s%s\n", yesno(c->syscall_tp),
		      c->syscall_tp ? "" : " (CONFIG_FTRACE_SYSCALLS off)");
	kb_buf_printf(f, "  carry sockaddr:     %s\n", yesno(c->syscall_tp_addr));
	kb_buf_printf(f, "kprobe events:        %s%s\n", yesno(c->kprobe_events),
		      c->kprobe_events ? "" : " (CONFIG_KPROBE_EVENTS off)");
	if (c->kprobe_events && try_create) {
		const char *func = c->ksym[KB_SYM_SYS_BIND] ? "__sys_bind" : "__x64_sys_bind";

		kp = try_kprobe(func, why, sizeof(why));
		kb_buf_printf(f, "  create on %s: %s%s%s\n", func, kp ? "FAILED: " : "ok", kp ? why : "",
			      kp == -EPERM && !strcmp(c->lockdown, "confidentiality") ? " (lockdown)" : "");
	}
	kb_buf_printf(f, "  fetch $argN:        %s\n", yesno(c->argn));
	kb_buf_printf(f, "  user memory (+u):   %s\n", yesno(c->ustring));
	if (c->kallsyms_ok) {
		kb_buf_printf(f, "kernel functions:    ");
		for (int i = 0; i < KB_SYM_COUNT; i++)
			kb_buf_printf(f, " %s%s", kb_ksym_names[i], c->ksym[i] ? "" : "(absent)");
		kb_buf_printf(f, "\n");
	}
	kb_buf_printf(f, "io_uring events:      %s; IORING_OP_BIND: %s\n", yesno(c->iou_events),
		      c->iou_bind_op > 0 ? "yes" : c->iou_bind_op < 0 ? "io_uring refused" : "no");
	kb_buf_printf(f, "uprobe events:        %s\n", yesno(c->uprobe_events));
	kb_buf_printf(f, "userstacktrace:       %s\n", yesno(c->userstacktrace));
	{
		/* the same trial a real start makes before choosing perf or ftrace stacks */
		char pwhy[256];
		int pr = kb_perfstack_probe(c->tracefs, pwhy, sizeof(pwhy));

		if (!pr)
			kb_buf_printf(f, "perf user stacks:     yes (frame pointers up to %u frames, DWARF "
				      "unwinding)\n", kb_perfstack_max_depth());
		else
			kb_buf_printf(f, "perf user stacks:     no: %s; user stacks %s\n", pwhy,
				      c->userstacktrace ? "from ftrace userstacktrace (8 frames, frame "
				      "pointers only)" : "unavailable");
	}
	kb_buf_printf(f, "libcs to probe:       %d\n", c->nlibc);
	for (int i = 0; i < c->nlibc; i++) {
		int r = !try_create ? 0 : c->uprobe_events ? try_uprobe(&c->libc[i], why, sizeof(why)) : -ENOTSUP;

		kb_buf_printf(f, "  %s (bind at 0x%llx, %d process%s)%s%s\n", c->libc[i].shown,
			      c->libc[i].bind_off, c->libc[i].users, c->libc[i].users == 1 ? "" : "es",
			      !try_create ? "" : r ? " uprobe FAILED: " : " uprobe ok", r ? why : "");
	}
	n = kb_backend_order(c, req, order, why, sizeof(why));
	/* the kprobe could not really be created: auto would fall back */
	while (n && (order[0]->needs & KB_NEEDS_KPROBES) && kp && kp != -1)
		memmove(order, order + 1, --n * sizeof(order[0]));
	if (!n) {
		kb_buf_printf(f, "backend (%s):     none: %s\n", req, why);
		kb_buf_printf(f, "verdict:              kbindtop cannot trace bind() on this host\n");
		return 1;
	}
	kb_buf_printf(f, "backend (%s):%*s%s\n", req, (int)(12 - strlen(req)), "",
		      kb_backend_name(order[0]));
	if ((order[0]->needs & KB_NEEDS_LIBCS) && !c->syscall_tp_addr)
		kb_buf_printf(f, "  addresses:          exact for callers of the %d libc%s above; "
			      "read late (unverified) for static/Go binaries\n",
			      c->nlibc, c->nlibc == 1 ? "" : "s");
	kb_caps_iouring_path(c, (order[0]->needs & KB_NEEDS_KPROBES), why, sizeof(why));
	kb_buf_printf(f, "io_uring binds:       %s\n", why);
	if ((order[0]->needs & KB_NEEDS_KPROBES))
		kb_buf_printf(f, "kernel binds:         %s\n", !c->kallsyms_ok || c->ksym[KB_SYM_KERNEL_BIND] ?
			      "kprobe on kernel_bind (NFS, SMB, WireGuard, VXLAN...)" :
			      "NONE: no kernel_bind to probe");
	else
		kb_buf_printf(f, "kernel binds:         NONE: need the kprobe backend (kernel_bind)\n");
	kb_buf_printf(f, "verdict:              tracing possible\n");
	return 0;
}

int kb_check_run(const struct kb_options *o, FILE *f)
{
	char err[512];
	struct kb_caps c;
	struct kb_buf out;
	int ret;

	if (kb_tracefs_mount(err, sizeof(err))) {
		fprintf(f, "tracefs:              NOT AVAILABLE: %s\n", err);
		fprintf(f, "verdict:              kbindtop cannot trace on this host\n");
		return 1;
	}
	kb_caps_probe(&c, true, true);
	kb_buf_init(&out);
	ret = kb_check_report(&c, o->backend, true, &out);
	fputs(out.p ? out.p : "", f);
	kb_buf_free(&out);
	return ret;
}
