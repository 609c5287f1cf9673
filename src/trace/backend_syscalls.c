// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backend_syscalls.c - bind() through the syscall tracepoints.
 *
 * sys_enter_bind records only the user pointer to the sockaddr; reading
 * it later from user space is wrong whenever the program reuses the
 * buffer.  So the address is captured synchronously by a uprobe on bind()
 * in every libc the host's processes map; the pairing step joins it to
 * the syscall by thread, fd and pointer.  Binds that bypass libc (static
 * binaries, Go) get a late read, marked unverified.  Kernels whose
 * sys_enter_bind carries the sockaddr bytes need no uprobe.
 *
 * io_uring binds (6.11+) make no bind(2): they come from the io_uring
 * tracepoints, without address (see iouring.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <tracefs.h>

#include "iouring.h"
#include "plan.h"

/* x86_64 SysV: bind(int fd, const struct sockaddr *addr, socklen_t len) */
static const char uprobe_args[] =
	"fd=%di:s32 uptr=%si:x64 alen=%dx:u32 "
	"fam=+0(%si):u16 port=+2(%si):u16 a4=+4(%si):u32 a6h=+8(%si):x64 a6l=+16(%si):x64 "
	"a6s=+24(%si):u32 path=+2(%si):string apath=+3(%si):string "
	"ra=+0(%sp):x64 pcomm=$comm";

/*
 * io_uring_complete is listed first: its filter must be in place before
 * the trigger on io_uring_submit_req can turn it on.
 */
static void add_iouring(const struct kb_caps *c, struct kb_plan *plan, int io)
{
	struct kb_evspec *e;

	if (!c->iou_events || c->iou_bind_op <= 0)
		return;
	e = kb_plan_add(plan, "io_uring", "io_uring_complete", KB_ROLE_IOU_COMPLETE, io);
	if (e) {
		e->soft = true;
		e->filter = KB_IOU_COMPLETE_FILTER;
	}
	e = kb_plan_add(plan, "io_uring", "io_uring_submit_req", KB_ROLE_IOU_SUBMIT, io);
	if (e)
		e->filter = KB_IOU_SUBMIT_FILTER;
	plan->iou_gate_inst = io;
}

static void desc_iouring(struct kb_plan *plan)
{
	size_t l = strlen(plan->desc);

	if (plan->iou_gate_inst >= 0)
		snprintf(plan->desc + l, sizeof(plan->desc) - l, "; io_uring binds from io_uring events");
}

static int syscalls_setup(struct kb_session *s, const struct kb_caps *c, struct kb_plan *plan,
			  int ie, int io, char *err, size_t errlen)
{
	size_t l;

	kb_plan_add(plan, "syscalls", "sys_enter_bind", KB_ROLE_ENTER, ie);
	kb_plan_add(plan, "syscalls", "sys_exit_bind", KB_ROLE_EXIT, io);
	add_iouring(c, plan, io);
	plan->kstacks = false;	/* at the syscall tracepoint they show only the entry path */

	if (c->syscall_tp_addr) {
		snprintf(plan->desc, sizeof(plan->desc),
			 "syscalls:sys_enter_bind/sys_exit_bind (address carried by the tracepoint)");
		plan->exact_all = plan->iou_gate_inst < 0;
		desc_iouring(plan);
		return 0;
	}
	if (!c->uprobe_events) {
		snprintf(plan->desc, sizeof(plan->desc), "syscalls:sys_enter_bind/sys_exit_bind");
		desc_iouring(plan);
		snprintf(plan->note, sizeof(plan->note),
			 "no uprobe_events (CONFIG_UPROBE_EVENTS): every address is read late, unverified");
		return 0;
	}
	for (int i = 0; i < c->nlibc; i++) {
		char name[32], kerr[384];
		struct tracefs_dynevent *ev;

		snprintf(name, sizeof(name), "libc_bind_%d", plan->nlibc);
		ev = tracefs_uprobe_alloc(s->group, name, c->libc[i].path, c->libc[i].bind_off, uprobe_args);
		if (!ev || kb_session_add_dynevent(s, ev, kerr, sizeof(kerr))) {
			l = strlen(plan->note);
			snprintf(plan->note + l, sizeof(plan->note) - l, "%suprobe on %s failed: %s",
				 l ? "; " : "", c->libc[i].shown, ev ? kerr : strerror(errno));
			continue;
		}
		kb_plan_add(plan, s->group, name, KB_ROLE_UADDR, io);
		plan->nlibc++;
	}
	snprintf(plan->desc, sizeof(plan->desc),
		 "syscalls:sys_enter_bind/sys_exit_bind, address from a uprobe on bind() in %d libc%s",
		 plan->nlibc, plan->nlibc == 1 ? "" : "s");
	desc_iouring(plan);
	(void)err;
	(void)errlen;
	return 0;
}

const struct kb_backend kb_backend_syscalls = {
	.name = "syscalls",
	.needs = KB_NEEDS_LIBCS,
	.probe = kb_caps_syscalls_possible,
	.setup = syscalls_setup,
};
