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
GETTER(get_verified) { v->i = kb_bind_verified(b); }
GETTER(get_ustack) { v->i = 0; }
GETTER(get_kstack) { v->i = 1; }

const struct kb_field kb_fields[] = {
	{ "ts", "time of the call (seconds since the epoch)", KB_F_TS, false, get_ts },
	{ "pid", "process id (thread group)", KB_F_INT, false, get_pid },
	{ "tid", "thread id", KB_F_INT, false, get_tid },
	{ "comm", "command name", KB_F_STR, false, get_comm },
	{ "uid", "user id of the process", KB_F_INT, false, get_uid },
	{ "user", "user name of the process", KB_F_STR, false, get_user },
	{ "fd", "socket file descriptor", KB_F_INT, false, get_fd },
	{ "family", "address family", KB_F_STR, false, get_family },
	{ "proto", "protocol of the socket", KB_F_STR, false, get_proto },
	{ "addr", "address bound", KB_F_STR, false, get_addr },
	{ "port", "port asked for", KB_F_INT, false, get_port },
	{ "bound_port", "port the socket holds after the call", KB_F_INT, false, get_bound_port },
	{ "ret", "return value (0 or -errno)", KB_F_INT, false, get_ret },
	{ "error", "errno name of a failed call", KB_F_STR, false, get_error },
	{ "backend", "how the call was traced", KB_F_STR, false, get_backend },
	{ "addr_source", "where the address came from", KB_F_STR, false, get_addr_source },
	{ "verified", "address captured at the time of the call", KB_F_BOOL, false, get_verified },
	{ "user_stack", "user call stack, innermost first", KB_F_STACK, true, get_ustack },
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
		return v->s ? v->s : "-";
	default:
		return "";
	}
}
