// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hints.c - what a failed bind() means and what fixes it.
 *
 * One line each, written for the person reading the detail pane or the
 * JSON: the cause in this case (using the holder and options we found)
 * first, then the fix.  Text from traced processes (comm, paths) is
 * already visible in kb_bind and is copied as is.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "kb_bind.h"
#include "hints.h"

#define DEFAULT_UNPRIV	1024

static const char *in_use(const struct kb_bind *b, char *buf, size_t len)
{
	const struct kb_holder *h = &b->holder;
	char who[128];

	if (b->addr.family < 0) {
		/* io_uring without kprobes: the kernel did not say which address */
		snprintf(buf, len, "the address is already in use; this kernel's io_uring events do "
			 "not say which address was asked for (kprobes would)");
		return buf;
	}
	if (b->addr.family == AF_UNIX) {
		if (b->addr.text[0] == '@')
			snprintf(buf, len, "another socket holds the abstract name %s: pick another "
				 "name or stop the holder", b->addr.text);
		else if (h->known && h->count == 0)
			snprintf(buf, len, "%s exists but no socket is bound to it (left by an "
				 "earlier run?): unlink() it before bind()", b->addr.text);
		else
			snprintf(buf, len, "%s exists%s: unlink() a stale socket file before "
				 "bind(), or stop the process serving it", b->addr.text,
				 h->pid > 0 ? " and is being served" : "");
		return buf;
	}
	if (h->pid > 0)
		snprintf(who, sizeof(who), "pid %d (%s)", h->pid, h->comm);
	else
		snprintf(who, sizeof(who), "a socket");
	if (h->known && h->only_timewait) {
		snprintf(buf, len, "only TIME_WAIT connections hold port %d: set SO_REUSEADDR on "
			 "the socket before bind()", b->addr.port);
	} else if (h->known && h->dualstack) {
		snprintf(buf, len, "%s listens on [::]:%d, which covers IPv4 too: set IPV6_V6ONLY "
			 "on that socket (or net.ipv6.bindv6only=1), or let it serve both",
			 who, b->addr.port);
	} else if (h->known && h->count > 0) {
		snprintf(buf, len, "port %d is held by %s in state %s on %s: stop it or pick another "
			 "port%s", b->addr.port, who, h->state ? h->state : "?", h->addr,
			 (b->opts & KB_SO_REUSEPORT) ? "; SO_REUSEPORT shares a port only when "
			 "every socket on it sets it, under the same user" : "");
	} else if (h->known) {
		snprintf(buf, len, "port %d was in use at the call and is free now (a holder that "
			 "exited, or a race with another bind): retry", b->addr.port);
	} else {
		snprintf(buf, len, "port %d is already in use in this network namespace: find the "
			 "holder with 'ss -lptn sport = :%d', stop it or pick another port",
			 b->addr.port, b->addr.port);
	}
	return buf;
}

static const char *not_avail(const struct kb_bind *b, char *buf, size_t len)
{
	if (b->addr.family == AF_INET6 && !strncmp(b->addr.text, "fe80:", 5) &&
	    !strchr(b->addr.text, '%'))
		snprintf(buf, len, "link-local address %s needs a scope id (sin6_scope_id, "
			 "\"%%eth0\")", b->addr.text);
	else
		snprintf(buf, len, "%s is not an address of this host's interfaces (in this "
			 "network namespace): bind to %s, or allow it with IP_FREEBIND on the socket "
			 "or sysctl net.ipv%d.ip_nonlocal_bind=1", b->addr.text,
			 b->addr.family == AF_INET6 ? "::" : "0.0.0.0",
			 b->addr.family == AF_INET6 ? 6 : 4);
	return buf;
}

const char *kb_hint(const struct kb_bind *b, int unpriv_start, char *buf, size_t len)
{
	int e;
	bool inet = b->addr.family == AF_INET || b->addr.family == AF_INET6;

	if (!kb_bind_failed(b) || !len)
		return NULL;
	e = -b->ev.ret;
	switch (e) {
	case EADDRINUSE:
		return in_use(b, buf, len);
	case EADDRNOTAVAIL:
		return inet ? not_avail(b, buf, len) : NULL;
	case EACCES:
		if (b->addr.family == AF_UNIX) {
			snprintf(buf, len, "no write and search permission on the directory of %s",
				 b->addr.text);
		} else if (inet && b->addr.port > 0 &&
			   b->addr.port < (unpriv_start >= 0 ? unpriv_start : DEFAULT_UNPRIV)) {
			int start = unpriv_start >= 0 ? unpriv_start : DEFAULT_UNPRIV;

			snprintf(buf, len, "port %d is below ip_unprivileged_port_start (%d%s): give "
				 "the program CAP_NET_BIND_SERVICE (setcap cap_net_bind_service=+ep, "
				 "or AmbientCapabilities= in its unit) or use a port >= %d",
				 b->addr.port, start, unpriv_start >= 0 ? "" : ", assumed", start);
		} else {
			snprintf(buf, len, "refused by a security policy (LSM, or a cgroup BPF "
				 "bind hook): check the audit log");
		}
		return buf;
	case EPERM:
		snprintf(buf, len, "refused by a security policy (LSM, or a cgroup BPF bind "
			 "hook): check the audit log");
		return buf;
	case EINVAL:
		snprintf(buf, len, "the socket is already bound (bind() once per socket; connect() "
			 "and listen() may have bound it), or the address length is wrong");
		return buf;
	case EAFNOSUPPORT:
		snprintf(buf, len, "the address family does not match the socket's (an IPv4 "
			 "address on an IPv6 socket needs ::ffff:a.b.c.d)");
		return buf;
	case ENOENT:
	case ENOTDIR:
		if (b->addr.family != AF_UNIX)
			return NULL;
		snprintf(buf, len, "a directory in %s does not exist: create it first",
			 b->addr.text);
		return buf;
	case EROFS:
		snprintf(buf, len, "%s is on a read-only file system", b->addr.text);
		return buf;
	case ENAMETOOLONG:
		snprintf(buf, len, "unix socket paths are limited to 107 bytes: use a shorter "
			 "path or an abstract name");
		return buf;
	case EBADF:
		snprintf(buf, len, "the file descriptor is not open");
		return buf;
	case ENOTSOCK:
		snprintf(buf, len, "the file descriptor is not a socket");
		return buf;
	default:
		return NULL;
	}
}
