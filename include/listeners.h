/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * listeners.h - the sockets already bound when kbindtop starts (TCP
 * listeners and bound-but-idle TCP sockets, bound UDP sockets, IPv4 and
 * IPv6), in every network namespace a process on the host is in, each
 * attributed to a process that has it open.  They answer "who holds port
 * 80" for sockets bound before tracing began.
 *
 * One scan, bounded: at most KB_LISTEN_MAX sockets are listed (the rest
 * counted), processes that vanish during the scan are skipped and
 * counted, sockets no process was found for are reported with pid -1
 * and counted.  Consumer thread (it briefly starts helper threads to
 * enter namespaces, see holder.h).
 */
#ifndef KB_LISTENERS_H
#define KB_LISTENERS_H

#include <stdint.h>

#include "enrich.h"

#define KB_LISTEN_MAX	(1 << 20)	/* sockets listed by one scan */

struct kb_listen_stats {
	uint64_t sockets;	/* bound sockets listed */
	uint64_t unattributed;	/* of which no process was found holding it */
	uint64_t truncated;	/* sockets past KB_LISTEN_MAX, not listed */
	uint64_t vanished;	/* processes that went away while being looked at */
	uint64_t fds;		/* descriptors read */
	int netns;		/* network namespaces dumped */
	int netns_failed;	/* namespaces that could not be entered or dumped */
	double cpu_ms;		/* CPU time of the scan (user + system, this thread) */
	double cpu_diag_ms, cpu_owner_ms;	/* of which the dumps, the /proc fd walk */
	double wall_ms;
};

/* Called once per socket; b is valid during the call only. */
typedef void (*kb_listener_fn)(void *ctx, const struct kb_bind *b);

/*
 * kb_listeners_scan - list the bound sockets of the host and call fn for
 * each, as a kb_bind with ev.flags KB_EVF_EXISTING, ev.ts now_ns,
 * addr_src KB_ADDR_DIAG, sock_state "LISTEN"/"BOUND"/"UNCONN" and the
 * owner's process context (pid -1 when none was found).  Fills st.
 * Returns 0, or -errno when /proc cannot be read at all.
 */
int kb_listeners_scan(uint64_t now_ns, kb_listener_fn fn, void *ctx, struct kb_listen_stats *st);

#endif
