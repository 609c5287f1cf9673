// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sockinfo.c - inspecting a traced process's socket and memory.
 *
 * pidfd_open() needs the thread group leader (a thread id gives ENOENT);
 * callers pass the tgid.
 */
#include "config.h"

#include <errno.h>
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

int kb_sock_inspect(int pid, int fd, struct kb_sockinfo *si)
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
