// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sockinfo.c - inspecting a traced process's socket and memory.
 *
 * pidfd_open() needs the thread group leader (a thread id gives ENOENT);
 * callers pass the tgid.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sockinfo.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static const struct {
	unsigned int bit;
	int level, name;
	int family;		/* 0: any inet family */
	const char *text;
} sockopts[] = {
	{ KB_SO_REUSEADDR, SOL_SOCKET, SO_REUSEADDR, 0, "SO_REUSEADDR" },
	{ KB_SO_REUSEPORT, SOL_SOCKET, SO_REUSEPORT, 0, "SO_REUSEPORT" },
	/* the IPv4 flags are shared with IPv6 sockets and readable at SOL_IP on both */
	{ KB_IP_FREEBIND, SOL_IP, IP_FREEBIND, 0, "IP_FREEBIND" },
	{ KB_IP_TRANSPARENT, SOL_IP, IP_TRANSPARENT, 0, "IP_TRANSPARENT" },
	{ KB_IP_BIND_ADDRESS_NO_PORT, SOL_IP, IP_BIND_ADDRESS_NO_PORT, 0, "IP_BIND_ADDRESS_NO_PORT" },
	{ KB_IPV6_V6ONLY, SOL_IPV6, IPV6_V6ONLY, AF_INET6, "IPV6_V6ONLY" },
};

const char *kb_sockopts_text(unsigned int opts, char *buf, size_t len)
{
	size_t o = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(sockopts) / sizeof(sockopts[0]); i++) {
		int n;

		if (!(opts & sockopts[i].bit))
			continue;
		n = snprintf(buf + o, len - o, "%s%s", o ? "," : "", sockopts[i].text);
		if (n < 0 || (size_t)n >= len - o) {
			buf[o] = '\0';	/* never a cut name */
			break;
		}
		o += (size_t)n;
	}
	return buf;
}

static void read_opts(int sfd, struct kb_sockinfo *si)
{
	socklen_t l;

	for (size_t i = 0; i < sizeof(sockopts) / sizeof(sockopts[0]); i++) {
		int v = 0;

		if (sockopts[i].family && sockopts[i].family != si->domain)
			continue;
		l = sizeof(v);
		if (!getsockopt(sfd, sockopts[i].level, sockopts[i].name, &v, &l) && v)
			si->opts |= sockopts[i].bit;
	}
	/* the name comes from the socket's own network namespace */
	l = sizeof(si->dev);
	if (getsockopt(sfd, SOL_SOCKET, SO_BINDTODEVICE, si->dev, &l) || l == 0)
		si->dev[0] = '\0';
	si->dev[sizeof(si->dev) - 1] = '\0';
	si->opts_known = true;
}

int kb_sock_inspect(int pid, int fd, struct kb_sockinfo *si,
		    bool (*same)(const struct kb_sockinfo *si, const void *arg), const void *arg)
{
	socklen_t l;
	int pidfd, sfd, ret = 0;

	memset(si, 0, sizeof(*si));
	if (pid <= 0 || fd < 0)
		return -EINVAL;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -errno;
	sfd = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (sfd < 0) {
		ret = -errno;
		close(pidfd);
		return ret;
	}
	l = sizeof(si->domain);
	if (getsockopt(sfd, SOL_SOCKET, SO_DOMAIN, &si->domain, &l)) {
		ret = errno == ENOTSOCK ? -ENOTSOCK : -errno;
		goto out;
	}
	l = sizeof(si->type);
	getsockopt(sfd, SOL_SOCKET, SO_TYPE, &si->type, &l);
	l = sizeof(si->protocol);
	getsockopt(sfd, SOL_SOCKET, SO_PROTOCOL, &si->protocol, &l);
	l = sizeof(si->name);
	if (getsockname(sfd, (struct sockaddr *)si->name, &l) == 0)
		si->namelen = l < sizeof(si->name) ? l : sizeof(si->name);
	/* another socket on the fd (closed and reused): its options would mislead */
	if (same && !same(si, arg)) {
		ret = -ESTALE;
		goto out;
	}
	if (si->domain == AF_INET || si->domain == AF_INET6)
		read_opts(sfd, si);
out:
	close(sfd);
	close(pidfd);
	return ret;
}

long kb_mem_read(int pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };
	ssize_t n;

	if (pid <= 0 || !addr || !len)
		return -EINVAL;
	n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	return n < 0 ? -errno : n;
}
