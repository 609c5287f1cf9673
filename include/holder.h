/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * holder.h - who holds an address a bind() failed on (EADDRINUSE), and
 * per-network-namespace facts the explanations need.
 *
 * Sockets are listed with sock_diag netlink from inside the binder's own
 * network namespace (a short-lived helper thread enters it to open the
 * netlink socket; the calling thread never changes namespace), then
 * mapped to a process by scanning /proc/PID/fd.  Both are bounded, rate
 * limited and cached: a server retrying a busy port every few
 * milliseconds costs one lookup a second.  Consumer thread only.
 */
#ifndef KB_HOLDER_H
#define KB_HOLDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kb_event.h"

#define KB_HOLDER_COMM	(KB_COMM_LEN * 4 + 1)

struct kb_holder {
	bool known;		/* the lookup ran and answered (even "nothing found") */
	int count;		/* sockets found that conflict with the bind */
	int pid;		/* owner of the chosen socket, -1 when none (TIME_WAIT) or not found */
	char comm[KB_HOLDER_COMM];	/* visible text, "" when no pid */
	const char *state;	/* "LISTEN", "TIME_WAIT", "UNCONN", "BOUND", ... (static) */
	const char *proto;	/* "tcp", "udp", "unix" (static) */
	char addr[64];		/* the holder's local address ("::", "0.0.0.0", a path) */
	bool v6only;		/* an IPv6 holder with IPV6_V6ONLY */
	bool dualstack;		/* the chosen holder is a wildcard IPv6 socket covering IPv4 */
	bool only_timewait;	/* every conflicting socket is in TIME_WAIT */
};

/* What was bound: family and address as in the call, proto of the socket. */
struct kb_holder_req {
	int pid;		/* the binder (to reach its network namespace) */
	uint64_t netns;		/* its namespace inode, 0 when unknown */
	int family;		/* AF_INET, AF_INET6, AF_UNIX */
	int proto;		/* IPPROTO_TCP, IPPROTO_UDP; 0 = unknown (ask both) */
	bool v6only;		/* the binding socket has IPV6_V6ONLY */
	bool addr_known;
	uint8_t addr[16];	/* network order; 4 bytes used for AF_INET */
	int port;
	const char *path;	/* AF_UNIX: visible text of the name ("@x" abstract) */
};

struct kb_holders;

struct kb_holders *kb_holders_new(int lookups_per_sec);
void kb_holders_free(struct kb_holders *h);

/*
 * kb_holder_lookup - fill out for a failed bind.  Returns 0 (out->known),
 * -EAGAIN when the rate budget is spent, -ESRCH when the binder's network
 * namespace cannot be reached any more, or another -errno.
 */
int kb_holder_lookup(struct kb_holders *h, const struct kb_holder_req *rq, uint64_t now_ns,
		     struct kb_holder *out);

/*
 * kb_holders_unpriv_port - net.ipv4.ip_unprivileged_port_start as the
 * binder's network namespace sees it; -errno when it cannot be read.
 */
int kb_holders_unpriv_port(struct kb_holders *h, int pid, uint64_t netns, uint64_t now_ns);

/*
 * kb_holders_note_bind - pid bound port in namespace netns (a successful
 * call): the process to look at first when that port is found held.
 */
void kb_holders_note_bind(struct kb_holders *h, uint64_t netns, int port, int pid);

/* Lookups skipped for budget (shown in the batch summary). */
uint64_t kb_holders_skipped(const struct kb_holders *h);

struct nlmsghdr;
typedef void (*kb_diag_fn)(const struct nlmsghdr *nlh, void *ctx);

/*
 * kb_netns_diag_open - a NETLINK_SOCK_DIAG socket created in the network
 * namespace netns, reached through /proc/pid/ns/net by a short-lived
 * helper thread (the caller never changes namespace).  Returns the fd
 * (caller closes), -ESRCH when pid is gone or no longer in netns, or
 * another -errno.  Consumer thread.
 */
int kb_netns_diag_open(int pid, uint64_t netns);

/*
 * kb_diag_dump - send the dump request req on fd and call fn for each
 * answer until NLMSG_DONE, reading into buf.  0, -E2BIG past max_msgs
 * answers, or -errno (then the socket may hold the rest of the dump:
 * close it).  Consumer thread (one sequence counter).
 */
int kb_diag_dump(int fd, struct nlmsghdr *req, char *buf, size_t buflen, long max_msgs,
		 kb_diag_fn fn, void *ctx);

/* Name of a TCP state number as sock_diag reports it ("LISTEN"...). */
const char *kb_tcp_state_name(int state, bool udp);

#endif
