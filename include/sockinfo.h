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

/* Socket options that change what bind() may do (bits of kb_sockinfo.opts). */
enum kb_sockopt {
	KB_SO_REUSEADDR		= 1u << 0,
	KB_SO_REUSEPORT		= 1u << 1,
	KB_IP_FREEBIND		= 1u << 2,
	KB_IP_TRANSPARENT	= 1u << 3,
	KB_IP_BIND_ADDRESS_NO_PORT = 1u << 4,
	KB_IPV6_V6ONLY		= 1u << 5,
};

#define KB_IFNAME_LEN	16	/* IFNAMSIZ */

struct kb_sockinfo {
	int domain;		/* SO_DOMAIN */
	int type;		/* SO_TYPE */
	int protocol;		/* SO_PROTOCOL */
	socklen_t namelen;	/* getsockname() length, 0 if unbound */
	uint8_t name[128];
	bool opts_known;	/* opts and dev were read (inet sockets only) */
	unsigned int opts;	/* enum kb_sockopt */
	char dev[KB_IFNAME_LEN];	/* SO_BINDTODEVICE name (raw bytes), "" if none */
};

/*
 * kb_sock_inspect - duplicate fd of process pid and describe the socket:
 * type, protocol, name and, for inet sockets, the options that matter to
 * bind() and the device it is bound to.  Everything is read after the
 * call returned, so it is the socket's state "just after the call".
 * same (may be NULL) sees type, protocol and name first and says whether
 * this is the socket the caller means; when not, the options are not read
 * (six syscalls saved on a descriptor already reused) and -ESTALE returned.
 * Returns 0, -ENOTSOCK when the fd is not a socket, -ESTALE, or -errno
 * (process or fd gone, no permission).
 */
int kb_sock_inspect(int pid, int fd, struct kb_sockinfo *si,
		    bool (*same)(const struct kb_sockinfo *si, const void *arg), const void *arg);

/*
 * kb_sockopts_text - names of the options in opts, comma-separated
 * ("SO_REUSEADDR,IPV6_V6ONLY"), "" for none.  Any thread.
 */
const char *kb_sockopts_text(unsigned int opts, char *buf, size_t len);

/*
 * kb_sock_find_bound - the socket of process pid that most likely became
 * bound last, for binds whose socket the kernel did not name (io_uring
 * without kprobes): among its socket descriptors whose inode is not in
 * skip[] (the sockets earlier binds were given), the bound one with the
 * lowest inode, i.e. the oldest socket (the kernel hands socket inodes
 * out in increasing order): binds are reported in the order they were
 * made, so each takes the oldest socket not yet explained.  Bounded: at most 4096 descriptors
 * listed and 64 sockets inspected.  Fills fd, ino and si; returns 0,
 * -ENOENT when none was found, or -errno.  A guess: the result is never
 * more than "unverified".
 */
int kb_sock_find_bound(int pid, const uint64_t *skip, int nskip, int *fd, uint64_t *ino,
		       struct kb_sockinfo *si);
/* The bits of a kb_sockopts_text() string ("SO_REUSEADDR,IPV6_V6ONLY"); unknown names are ignored. */
unsigned int kb_sockopts_parse(const char *text);

/* Read len bytes at addr in process pid.  Returns bytes read or -errno. */
long kb_mem_read(int pid, uint64_t addr, void *buf, size_t len);

#endif
