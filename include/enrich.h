/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * enrich.h - turn a raw kb_event into a kb_bind: resolved process, visible
 * command and user names, decoded address (late read when the probe could
 * not capture it), and the socket's protocol.  Shared by batch output and
 * the curses model.  Consumer thread only.
 */
#ifndef KB_ENRICH_H
#define KB_ENRICH_H

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

struct kb_enricher;

/*
 * kb_enricher_new - socket inspections cost a few syscalls each; at most
 * inspect_per_sec are done (the rest leave proto unknown) so a bind storm
 * cannot make the consumer fall behind.
 */
struct kb_enricher *kb_enricher_new(int inspect_per_sec, const char *backend);
void kb_enricher_free(struct kb_enricher *en);

/* Fill b from ev.  now_ns: CLOCK_MONOTONIC. */
void kb_enrich(struct kb_enricher *en, const struct kb_event *ev, struct kb_bind *b, uint64_t now_ns);

/* The symbolizer the enricher keeps process maps in (for resolving stack frames). */
struct kb_symbolizer *kb_enricher_symbolizer(struct kb_enricher *en);

/* What enrichment did, and what its budgets skipped (never silent). */
struct kb_enrich_stats {
	uint64_t calls;			/* calls enriched */
	uint64_t sock_inspected;	/* sockets looked at */
	uint64_t sock_skipped;		/* calls whose socket details a budget skipped */
	uint64_t holder_lookups;	/* EADDRINUSE holder lookups asked for (not from a target) */
	uint64_t holder_skipped;	/* of which skipped for budget */
	uint64_t procs_loaded;		/* process details read from /proc */
	uint64_t targets;		/* distinct targets whose details were worked out */
};

void kb_enricher_stats(const struct kb_enricher *en, struct kb_enrich_stats *st);

#endif
