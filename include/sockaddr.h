/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sockaddr.h - turn raw sockaddr bytes (captured from a traced process, so
 * untrusted and possibly short) into family, port and visible address text.
 * Pure functions, safe from any thread.
 */
#ifndef KB_SOCKADDR_H
#define KB_SOCKADDR_H

#include <stddef.h>
#include <stdint.h>

/* Longest text: a 108-byte unix path with every byte escaped, plus '@'. */
#define KB_ADDR_TEXT	(108 * 4 + 8)

struct kb_addr {
	int family;		/* AF_* read from the bytes; -1 with fewer than 2 bytes */
	int port;		/* host byte order; -1 where the family has no port */
	char text[KB_ADDR_TEXT];	/* visible text: "127.0.0.1", "::1%2", "/run/x.sock", "@abstract" */
};

/*
 * kb_sockaddr_decode - decode len bytes of a sockaddr.
 * Truncated input decodes what is there (a 4-byte AF_INET prefix has a
 * port but the text says "?").  Never reads past len.
 */
void kb_sockaddr_decode(const uint8_t *sa, size_t len, struct kb_addr *out);

/* Short family name for output: "inet", "inet6", "unix", "netlink", ..., else "AF_<n>". */
const char *kb_family_name(int family, char *buf, size_t len);

/* Protocol name from socket type (and family): "tcp", "udp", "raw", "stream"... or NULL. */
const char *kb_proto_name(int family, int stype, int protocol);

#endif
