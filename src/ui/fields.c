// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fields.c - every output field of a bind, in JSON order.
 *
 * Adding a field here adds it to JSON, to the detail pane and to
 * --list-fields; tests/docs-check.sh then insists the man page has it.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "fields.h"
#include "format.h"
#include "sockinfo.h"
#include "symbols.h"

#define GETTER(fn) static void fn(const struct kb_bind *b, struct kb_fval *v, char *s, size_t len)

GETTER(get_ts) { v->i = (long long)kb_mono_to_real(b->ev.ts); }
GETTER(get_pid) { v->null = b->pid <= 0; v->i = b->pid; }
GETTER(get_tid) { v->i = b->ev.tid; }
GETTER(get_comm) { v->s = b->comm; }
GETTER(get_uid) { v->null = !b->uid_known; v->i = b->uid; }
GETTER(get_user) { v->null = !b->uid_known; v->s = b->user; }
GETTER(get_fd) { v->null = b->ev.fd < 0; v->i = b->ev.fd; }
GETTER(get_family) { v->null = b->addr.family < 0; v->s = kb_fmt_family(b, s, len); }
GETTER(get_proto) { v->null = !b->proto; v->s = b->proto; }
GETTER(get_addr) { v->null = b->addr.family < 0; v->s = b->addr.text; }
GETTER(get_port) { v->null = b->addr.port < 0; v->i = b->addr.port; }
GETTER(get_bound_port) { v->null = b->bound_port < 0; v->i = b->bound_port; }
GETTER(get_ret) { v->null = b->ev.ret == KB_RET_UNKNOWN; v->i = b->ev.ret; }
GETTER(get_error) { v->s = kb_fmt_errname(b, s, len); v->null = !v->s; }
GETTER(get_backend) { v->null = !b->backend; v->s = b->backend; }
GETTER(get_addr_source) { v->s = kb_fmt_addr_source(b->addr_src); }
GETTER(get_via) { v->s = kb_fmt_via(b); }
GETTER(get_verified) { v->i = kb_bind_verified(b); }
GETTER(get_ppid) { v->null = b->ppid < 0; v->i = b->ppid; }
GETTER(get_cmdline) { v->null = !b->cmdline[0]; v->s = b->cmdline; }
GETTER(get_container) { v->null = !b->container[0]; v->s = b->container; }
GETTER(get_pod) { v->null = !b->pod[0]; v->s = b->pod; }
GETTER(get_unit) { v->null = !b->unit[0]; v->s = b->unit; }
GETTER(get_cgroup) { v->null = !b->cgroup[0]; v->s = b->cgroup; }
GETTER(get_netns) { v->null = !b->netns; v->i = (long long)b->netns; }
GETTER(get_opts) { v->null = !b->opts_known; v->s = kb_sockopts_text(b->opts, s, len); }
GETTER(get_device) { v->null = !b->opts_known || !b->dev[0]; v->s = b->dev; }
GETTER(get_hint) { v->null = !b->hint[0]; v->s = b->hint; }
GETTER(get_state) { v->null = !b->sock_state; v->s = b->sock_state; }

static void member_int(struct kb_fval *v, const char *name, bool null, long long i)
{
	v->m[v->nm++] = (struct kb_fmember){ .name = name, .kind = KB_F_INT, .null = null, .i = i };
}

static void member_str(struct kb_fval *v, const char *name, const char *str)
{
	v->m[v->nm++] = (struct kb_fmember){ .name = name, .kind = KB_F_STR, .null = !str || !str[0],
					     .s = str };
}

GETTER(get_holder)
{
	const struct kb_holder *h = &b->holder;

	v->null = !h->known;
	if (v->null)
		return;
	member_int(v, "pid", h->pid <= 0, h->pid);
	member_str(v, "comm", h->pid > 0 ? h->comm : NULL);
	member_str(v, "state", h->count ? h->state : NULL);
	member_str(v, "proto", h->count ? h->proto : NULL);
	member_str(v, "addr", h->count ? h->addr : NULL);
	member_int(v, "sockets", false, h->count);
	if (!h->count)
		snprintf(s, len, "none found");
	else if (h->pid > 0)
		snprintf(s, len, "pid %d (%s) %s %s", h->pid, h->comm, h->state, h->addr);
	else
		snprintf(s, len, "%s %s (no process)%s", h->state, h->addr,
			 h->count > 1 ? ", more" : "");
	v->s = s;
}

GETTER(get_ustack) { v->i = 0; }
GETTER(get_kstack) { v->i = 1; }

GETTER(get_ustack_note)
{
	struct kb_stack st;

	v->null = true;
	if (!b->sym || !(b->ev.n_ustack || (b->ev.flags & KB_EVF_STACK_WANTED)))
		return;
	kb_sym_stack(b->sym, b->pid, &b->ev, false, &st);
	if (!st.note[0])
		return;
	snprintf(s, len, "%s", st.note);
	v->s = s;
	v->null = false;
}

GETTER(get_ustack_source)
{
	struct kb_stack st;

	v->null = true;
	if (!b->sym || b->ev.ustack_src == KB_USRC_NONE)
		return;
	kb_sym_stack(b->sym, b->pid, &b->ev, false, &st);
	if (!st.source[0])
		return;
	snprintf(s, len, "%s", st.source);
	v->s = s;
	v->null = false;
}

const struct kb_field kb_fields[] = {
	{ "ts", "time of the call (seconds since the epoch)", KB_F_TS, false, get_ts },
	{ "pid", "process id (thread group)", KB_F_INT, false, get_pid },
	{ "tid", "thread id", KB_F_INT, false, get_tid },
	{ "comm", "command name", KB_F_STR, KB_FF_PROC, get_comm },
	{ "uid", "user id of the process", KB_F_INT, KB_FF_PROC, get_uid },
	{ "user", "user name of the process", KB_F_STR, KB_FF_PROC, get_user },
	{ "ppid", "parent process id", KB_F_INT, KB_FF_PROC, get_ppid },
	{ "cmdline", "command line (arguments joined by spaces)", KB_F_STR, KB_FF_PROC, get_cmdline },
	{ "container", "container from the cgroup (docker:ID, podman:ID, k8s-pod:UID ...)",
	  KB_F_STR, KB_FF_PROC, get_container },
	{ "pod", "Kubernetes pod name (the pod's hostname, for a process in a kubelet cgroup)",
	  KB_F_STR, KB_FF_PROC, get_pod },
	{ "unit", "systemd unit the process runs in", KB_F_STR, KB_FF_PROC, get_unit },
	{ "cgroup", "cgroup path (its tail when long)", KB_F_STR, KB_FF_PROC, get_cgroup },
	{ "netns", "network namespace inode", KB_F_INT, KB_FF_PROC, get_netns },
	{ "fd", "socket file descriptor", KB_F_INT, false, get_fd },
	{ "family", "address family", KB_F_STR, false, get_family },
	{ "proto", "protocol of the socket", KB_F_STR, false, get_proto },
	{ "addr", "address bound", KB_F_STR, false, get_addr },
	{ "port", "port asked for", KB_F_INT, false, get_port },
	{ "bound_port", "port the socket holds after the call", KB_F_INT, false, get_bound_port },
	{ "opts", "bind-related socket options set, as read just after the call", KB_F_STR, false,
	  get_opts },
	{ "device", "device the socket is bound to (SO_BINDTODEVICE), as read just after the call",
	  KB_F_STR, false, get_device },
	{ "ret", "return value (0 or -errno)", KB_F_INT, false, get_ret },
	{ "error", "errno name of a failed call", KB_F_STR, false, get_error },
	{ "holder", "EADDRINUSE: who holds the address now (pid, comm, state, proto, addr, sockets)",
	  KB_F_OBJ, false, get_holder },
	{ "hint", "why the call failed and what fixes it", KB_F_STR, false, get_hint },
	{ "state", "not a call but a socket already bound at the start (--listeners): its state "
	  "(LISTEN, UNCONN, BOUND); null for a traced call", KB_F_STR, false, get_state },
	{ "backend", "how the call was traced", KB_F_STR, false, get_backend },
	{ "via", "how the bind was made: syscall, io_uring or kernel", KB_F_STR, false, get_via },
	{ "addr_source", "where the address came from", KB_F_STR, false, get_addr_source },
	{ "verified", "address captured at the time of the call", KB_F_BOOL, false, get_verified },
	{ "user_stack", "user call stack, innermost first", KB_F_STACK, true, get_ustack },
	{ "user_stack_source", "where the user stack came from: fp (frame pointers), dwarf "
	  "(unwound stack copy) or ftrace", KB_F_STR, true, get_ustack_source },
	{ "user_stack_note", "why the user stack may be incomplete", KB_F_STR, true, get_ustack_note },
	{ "kernel_stack", "kernel call stack, innermost first", KB_F_STACK, true, get_kstack },
};

const size_t kb_nfields = sizeof(kb_fields) / sizeof(kb_fields[0]);

const char *kb_fval_text(const struct kb_fval *v, char *buf, size_t len)
{
	if (v->null)
		return "-";
	switch (v->kind) {
	case KB_F_INT:
		snprintf(buf, len, "%lld", v->i);
		return buf;
	case KB_F_BOOL:
		return v->i ? "yes" : "no";
	case KB_F_TS:
		snprintf(buf, len, "%lld.%06lld", v->i / 1000000000LL, v->i % 1000000000LL / 1000);
		return buf;
	case KB_F_STR:
	case KB_F_OBJ:
		return v->s ? v->s : "-";
	default:
		return "";
	}
}
