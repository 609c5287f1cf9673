/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sockinfo.h - look at a traced process's socket and memory from outside:
 * pidfd_getfd() + getsockopt()/getsockname() for the socket, and
 * process_vm_readv() for a late read of its sockaddr buffer.  Everything
 * returned is untrusted.  Consumer thread (off the reader's hot path).
 */
#ifndef KB_SOCKINFO_H
#define KB_SOCKINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct kb_sockinfo {
	int domain;		/* SO_DOMAIN */
	int type;		/* SO_TYPE */
	int protocol;		/* SO_PROTOCOL */
	socklen_t namelen;	/* getsockname() length, 0 if unbound */
	uint8_t name[128];
};

/*
 * kb_sock_inspect - duplicate fd of process pid and describe the socket.
 * Returns 0, -ENOTSOCK when the fd is not a socket, or -errno (process or
 * fd gone, no permission).
 */
int kb_sock_inspect(int pid, int fd, struct kb_sockinfo *si);

/* Read len bytes at addr in process pid.  Returns bytes read or -errno. */
long kb_mem_read(int pid, uint64_t addr, void *buf, size_t len);

#endif
