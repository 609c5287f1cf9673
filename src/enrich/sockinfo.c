// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sockinfo.c - inspecting a traced process's socket and memory.
 *
 * pidfd_open() needs the thread group leader (a thread id gives ENOENT);
 * callers pass the tgid.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
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

unsigned int kb_sockopts_parse(const char *text)
{
	unsigned int opts = 0;

	for (size_t i = 0; i < sizeof(sockopts) / sizeof(sockopts[0]); i++) {
		const char *p = strstr(text, sockopts[i].text);
		size_t n = strlen(sockopts[i].text);

		/* whole names only: SO_REUSEPORT is not SO_REUSE... */
		while (p && ((p != text && p[-1] != ',') || (p[n] && p[n] != ',')))
			p = strstr(p + 1, sockopts[i].text);
		if (p)
			opts |= sockopts[i].bit;
	}
	return opts;
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

#define SCAN_FDS	4096
#define SCAN_INSPECT	64

struct fdino {
	int fd;
	uint64_t ino;
};

static int by_ino(const void *a, const void *b)
{
	const struct fdino *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino ? 1 : 0;
}

/* Bound: an inet port, or a unix name (autobind included). */
static bool is_bound(const struct kb_sockinfo *si, const void *arg)
{
	(void)arg;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)si->name;

	if (si->domain == AF_INET || si->domain == AF_INET6)
		return si->namelen >= 4 && s4->sin_port != 0;
	if (si->domain == AF_UNIX)
		return si->namelen > sizeof(sa_family_t);
	return false;
}

int kb_sock_find_bound(int pid, const uint64_t *skip, int nskip, int *fd, uint64_t *ino,
		       struct kb_sockinfo *si)
{
	struct fdino *v;
	struct dirent *de;
	char path[64];
	int n = 0, ret = -ENOENT;
	DIR *d;

	if (pid <= 0)
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return -errno;
	v = malloc(SCAN_FDS * sizeof(*v));
	if (!v) {
		closedir(d);
		return -ENOMEM;
	}
	while (n < SCAN_FDS && (de = readdir(d))) {
		char lnk[64], target[64];
		unsigned long long i;
		ssize_t l;
		bool skipped = false;

		if (de->d_name[0] == '.')
			continue;
		snprintf(lnk, sizeof(lnk), "/proc/%d/fd/%.16s", pid, de->d_name);
		l = readlink(lnk, target, sizeof(target) - 1);
		if (l <= 0)
			continue;
		target[l] = '\0';
		if (sscanf(target, "socket:[%llu]", &i) != 1)
			continue;
		for (int k = 0; k < nskip && !skipped; k++)
			skipped = skip[k] == i;
		if (!skipped)
			v[n++] = (struct fdino){ .fd = atoi(de->d_name), .ino = i };
	}
	closedir(d);
	qsort(v, (size_t)n, sizeof(*v), by_ino);
	for (int k = 0; k < n && k < SCAN_INSPECT; k++) {
		/* options are read only from a bound socket */
		if (kb_sock_inspect(pid, v[k].fd, si, is_bound, NULL))
			continue;
		*fd = v[k].fd;
		*ino = v[k].ino;
		ret = 0;
		break;
	}
	free(v);
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
