// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backend_kprobe.c - bind() through a dynamic kprobe.
 *
 * This is the classic manual recipe
 *     echo 'p:kprobes/bind_kprobe __sys_bind' > kprobe_events
 * done with fetch args that copy the sockaddr out of user memory at the
 * moment of the call (so a buffer rewritten right after bind() cannot
 * fool it), with names unique to this run, and removed at exit.
 *
 * Probe points, best first, from what the running kernel has:
 *   __sys_bind(fd, uaddr, len)        args direct
 *   __x64_sys_bind(regs)              args through pt_regs offsets; also
 *                                     gives the user sp, hence the caller
 *   inet_bind/inet6_bind(sock, kaddr) kernel copy, inet only
 * When user stacks are recorded, __x64_sys_bind goes first: a frame-pointer
 * walk from inside libc's frameless bind() skips its direct caller, and
 * only the syscall wrapper can read the return address at the user sp.
 * plus __sys_bind_socket(sock, kaddr, len) on 6.11+, where io_uring binds
 * enter without bind(2), and kernel_bind(sock, kaddr, len), where the
 * kernel binds its own sockets (NFS, SMB, WireGuard, VXLAN...): neither
 * bind(2) nor io_uring goes through it, so nothing is counted twice.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <tracefs.h>

#include "plan.h"
#include "xalloc.h"

/* Address fields from a user pointer P (kprobe: +u reads user memory). */
#define UADDR_ARGS(P) \
	"fam=+u0(" P "):u16 port=+u2(" P "):u16 a4=+u4(" P "):u32 a6h=+u8(" P "):x64 " \
	"a6l=+u16(" P "):x64 a6s=+u24(" P "):u32 path=+u2(" P "):ustring apath=+u3(" P "):ustring"
/* ... and from a kernel pointer P */
#define KADDR_ARGS(P) \
	"fam=+0(" P "):u16 port=+2(" P "):u16 a4=+4(" P "):u32 a6h=+8(" P "):x64 " \
	"a6l=+16(" P "):x64 a6s=+24(" P "):u32 path=+2(" P "):string apath=+3(" P "):string"

/* x86_64 struct pt_regs offsets of di, si, dx and sp */
#define PT_DI "112"
#define PT_SI "104"
#define PT_DX "96"
#define PT_SP "152"

struct point {
	enum kb_ksym sym;
	bool kcopy;			/* address is the kernel's copy */
	const char *args_argn;
	const char *args_regs;
};

static const struct point enter_points[] = {
	{ KB_SYM_SYS_BIND, false,
	  "fd=$arg1:s32 uptr=$arg2:x64 alen=$arg3:s32 " UADDR_ARGS("$arg2") " pcomm=$comm",
	  "fd=%di:s32 uptr=%si:x64 alen=%dx:s32 " UADDR_ARGS("%si") " pcomm=$comm" },
	{ KB_SYM_X64_SYS_BIND, false,
	  "fd=+" PT_DI "($arg1):s32 uptr=+" PT_SI "($arg1):x64 alen=+" PT_DX "($arg1):s32 "
	  UADDR_ARGS("+" PT_SI "($arg1)") " ra=+u0(+" PT_SP "($arg1)):x64 pcomm=$comm",
	  "fd=+" PT_DI "(%di):s32 uptr=+" PT_SI "(%di):x64 alen=+" PT_DX "(%di):s32 "
	  UADDR_ARGS("+" PT_SI "(%di)") " ra=+u0(+" PT_SP "(%di)):x64 pcomm=$comm" },
};

static const char ksock_argn[] =
	"stype=+4($arg1):s16 alen=$arg3:s32 " KADDR_ARGS("$arg2") " pcomm=$comm";
static const char ksock_regs[] =
	"stype=+4(%di):s16 alen=%dx:s32 " KADDR_ARGS("%si") " pcomm=$comm";

static int add_probe(struct kb_session *s, const char *name, const char *func, const char *args,
		     bool ret, char *err, size_t errlen)
{
	struct tracefs_dynevent *ev = ret ?
		tracefs_kretprobe_alloc(s->group, name, func, args, 0) :
		tracefs_kprobe_alloc(s->group, name, func, args);

	if (!ev) {
		snprintf(err, errlen, "cannot describe probe on %s: %s", func, strerror(errno));
		return -errno;
	}
	return kb_session_add_dynevent(s, ev, err, errlen);
}

/* Try a probe with $argN first (portable), then raw x86_64 registers. */
static int add_probe2(struct kb_session *s, const struct kb_caps *c, const char *name, const char *func,
		      const char *argn, const char *regs, char *err, size_t errlen)
{
	int ret = -EINVAL;

	if (c->argn)
		ret = add_probe(s, name, func, argn, false, err, errlen);
	if (ret)
		ret = add_probe(s, name, func, regs, false, err, errlen);
	return ret;
}

static int kprobe_setup(struct kb_session *s, const struct kb_caps *c, struct kb_plan *plan,
			int ie, int io, char *err, size_t errlen)
{
	const size_t npoints = sizeof(enter_points) / sizeof(enter_points[0]);
	const char *func = NULL;
	char first_err[384] = "";
	int ret = -ENOENT;

	for (size_t k = 0; k < npoints; k++) {
		/* with user stacks, the pt_regs wrapper (index 1) first */
		const struct point *pt = &enter_points[plan->ustacks ? (k + 1) % npoints : k];

		if (c->kallsyms_ok && !c->ksym[pt->sym])
			continue;
		ret = add_probe2(s, c, "bind_enter", kb_ksym_names[pt->sym], pt->args_argn, pt->args_regs,
				 err, errlen);
		if (!ret) {
			func = kb_ksym_names[pt->sym];
			kb_plan_add(plan, s->group, "bind_enter", KB_ROLE_ENTER, ie);
			break;
		}
		if (!first_err[0])
			snprintf(first_err, sizeof(first_err), "%s", err);
	}
	if (!func && (!c->kallsyms_ok || c->ksym[KB_SYM_INET_BIND])) {
		/* last resort: the inet bind handlers, kernel copy of the address */
		ret = add_probe2(s, c, "bind_enter", "inet_bind", ksock_argn, ksock_regs, err, errlen);
		if (!ret && c->ksym[KB_SYM_INET6_BIND])
			ret = add_probe2(s, c, "bind_enter6", "inet6_bind", ksock_argn, ksock_regs, err, errlen);
		if (!ret) {
			func = "inet_bind";
			kb_plan_add(plan, s->group, "bind_enter", KB_ROLE_ENTER, ie);
			if (c->ksym[KB_SYM_INET6_BIND])
				kb_plan_add(plan, s->group, "bind_enter6", KB_ROLE_ENTER, ie);
		}
	}
	if (!func) {
		if (first_err[0])
			snprintf(err, errlen, "%s", first_err);
		return ret ? ret : -ENOENT;
	}

	/* the result: the syscall exit tracepoint is cheaper than a kretprobe */
	if (c->syscall_tp) {
		kb_plan_add(plan, "syscalls", "sys_exit_bind", KB_ROLE_EXIT, io);
	} else {
		ret = add_probe(s, "bind_ret", func, "ret=$retval:s32", true, err, errlen);
		if (ret)
			return ret;
		kb_plan_add(plan, s->group, "bind_ret", KB_ROLE_EXIT, io);
	}

	/* 6.11+: io_uring binds reach __sys_bind_socket without bind(2) */
	if (c->ksym[KB_SYM_SYS_BIND_SOCKET] && strcmp(func, "inet_bind")) {
		char kerr[256];

		if (!add_probe2(s, c, "bind_sock", "__sys_bind_socket", ksock_argn, ksock_regs,
				kerr, sizeof(kerr)) &&
		    !add_probe(s, "bind_sock_ret", "__sys_bind_socket", "ret=$retval:s32", true,
			       kerr, sizeof(kerr))) {
			kb_plan_add(plan, s->group, "bind_sock", KB_ROLE_KSOCK, io);
			kb_plan_add(plan, s->group, "bind_sock_ret", KB_ROLE_KSOCK_EXIT, io);
		} else {
			snprintf(plan->note, sizeof(plan->note), "__sys_bind_socket not probed: %s", kerr);
		}
	}
	bool bsock = plan->nspec > 2;

	/* binds by the kernel itself */
	if (!c->kallsyms_ok || c->ksym[KB_SYM_KERNEL_BIND]) {
		char kerr[256];

		if (!add_probe2(s, c, "kbind", "kernel_bind", ksock_argn, ksock_regs, kerr, sizeof(kerr)) &&
		    !add_probe(s, "kbind_ret", "kernel_bind", "ret=$retval:s32", true, kerr, sizeof(kerr))) {
			kb_plan_add(plan, s->group, "kbind", KB_ROLE_KBIND, io);
			kb_plan_add(plan, s->group, "kbind_ret", KB_ROLE_KBIND_EXIT, io);
			plan->kernel_binds = true;
		} else {
			size_t l = strlen(plan->note);

			snprintf(plan->note + l, sizeof(plan->note) - l, "%skernel_bind not probed: %s",
				 l ? "; " : "", kerr);
		}
	}
	snprintf(plan->desc, sizeof(plan->desc), "kprobe on %s%s%s, result from %s", func,
		 bsock ? " and __sys_bind_socket" : "", plan->kernel_binds ? " and kernel_bind" : "",
		 c->syscall_tp ? "syscalls:sys_exit_bind" : "a kretprobe");
	plan->exact_all = true;
	plan->kstacks = plan->kstacks && (bsock || plan->kernel_binds);
	return 0;
}

const struct kb_backend kb_backend_kprobe = {
	.name = "kprobe",
	.needs = KB_NEEDS_KPROBES,
	.probe = kb_caps_kprobe_possible,
	.setup = kprobe_setup,
};
