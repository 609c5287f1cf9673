/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kb_bind.h - one bind() call as every view shows it: the raw kb_event
 * plus what enrichment learned (process, address, socket, holder, hint).
 * Types only, like kb_event.h: enrich.c fills it, hints.c explains it,
 * the views print it, without depending on each other for the type.
 */
#ifndef KB_BIND_H
#define KB_BIND_H

#include <stdbool.h>
#include <stdint.h>

#include "holder.h"
#include "kb_event.h"
#include "proc.h"
#include "sockaddr.h"
#include "sockinfo.h"

#define KB_COMM_VIS	(KB_COMM_LEN * 4 + 1)

struct kb_bind {
	struct kb_event ev;
	int pid;			/* thread group id, -1 when it could not be known */
	bool uid_known;
	uint32_t uid;
	char comm[KB_COMM_VIS];		/* visible text, "?" when unknown */
	char user[33];
	struct kb_addr addr;
	int addr_src;			/* enum kb_addr_src after enrichment */
	bool sock_known;		/* the socket was inspected */
	int sock_type, sock_proto;
	const char *proto;		/* "tcp", "udp", ... or NULL */
	int bound_port;			/* port the socket holds after bind, -1 unknown */
	const char *backend;		/* "kprobe" / "syscalls" (static string) */
	/* process context, read when the process was (re)loaded; "" / -1 / 0 unknown */
	int ppid;
	uint64_t netns;			/* network namespace inode */
	char cmdline[KB_CMDLINE_VIS];
	char cgroup[KB_CGROUP_VIS];
	char container[KB_CTR_VIS];
	char unit[KB_CTR_VIS];
	char pod[KB_CTR_VIS];		/* Kubernetes pod name, "" when none */
	/* names this process context (comm, user, ppid ... unit): same value, same context; 0 unknown */
	uint64_t ctx_gen;
	/* socket options as read just after the call (inet sockets that were inspected) */
	bool opts_known;
	unsigned int opts;		/* enum kb_sockopt */
	char dev[KB_IFNAME_LEN * 4 + 1];	/* bound device, visible; "" none */
	/* why it failed */
	struct kb_holder holder;	/* EADDRINUSE: who holds the address */
	char hint[256];			/* one line, visible; "" when none */
	/* KB_EVF_EXISTING: the socket's state ("LISTEN", "UNCONN", "BOUND"; static), else NULL */
	const char *sock_state;
	/* resolves this bind's stack frames; lives as long as the enricher */
	struct kb_symbolizer *sym;
};

/* Did the call fail?  (kb_event_failed on its event.) */
static inline bool kb_bind_failed(const struct kb_bind *b)
{
	return kb_event_failed(&b->ev);
}

#endif
