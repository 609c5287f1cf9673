// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sockaddr.c - decoding of captured sockaddr bytes.
 *
 * Input comes from traced processes: every length is checked against the
 * captured size, and text is produced only through kb_visible().
 */
#include "config.h"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "sockaddr.h"
#include "strbuf.h"

static uint16_t rd16be(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Dotted quad without inet_ntop's sprintf (this runs for every IPv4 bind). */
static void fmt_ipv4(const uint8_t *a, char *out)
{
	for (int i = 0; i < 4; i++) {
		unsigned int v = a[i];

		if (v >= 100)
			*out++ = (char)('0' + v / 100);
		if (v >= 10)
			*out++ = (char)('0' + v / 10 % 10);
		*out++ = (char)('0' + v % 10);
		*out++ = i < 3 ? '.' : '\0';
	}
}

/*
 * RFC 5952 text of an IPv6 address (what inet_ntop prints, without its
 * sprintf per group): lower-case hex, the longest run of two or more zero
 * groups (the first of equals) as "::", IPv4-mapped as ::ffff:a.b.c.d
 * and IPv4-compatible as ::a.b.c.d (glibc's rules, which tests compare to).
 */
static void fmt_ipv6(const uint8_t *a, char *out)
{
	static const char hex[] = "0123456789abcdef";
	int best = -1, bestlen = 0, run = -1, runlen = 0;
	uint16_t g[8];

	for (int i = 0; i < 8; i++)
		g[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
	for (int i = 0; i < 8; i++) {
		if (g[i]) {
			run = -1;
			continue;
		}
		if (run < 0) {
			run = i;
			runlen = 0;
		}
		if (++runlen > bestlen) {
			best = run;
			bestlen = runlen;
		}
	}
	if (bestlen < 2)
		best = -1;
	/* IPv4-mapped (and the old IPv4-compatible) forms, as glibc prints them */
	if (best == 0 && (bestlen == 6 || (bestlen == 5 && g[5] == 0xffff))) {
		memcpy(out, bestlen == 5 ? "::ffff:" : "::", bestlen == 5 ? 7 : 2);
		fmt_ipv4(a + 12, out + (bestlen == 5 ? 7 : 2));
		return;
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			*out++ = ':';
			if (i == 0)
				*out++ = ':';
			i += bestlen - 1;
			continue;
		}
		for (int shift = 12, started = 0; shift >= 0; shift -= 4) {
			unsigned int d = (g[i] >> shift) & 15;

			if (d || started || !shift) {
				*out++ = hex[d];
				started = 1;
			}
		}
		if (i < 7)
			*out++ = ':';
	}
	*out = '\0';
}

static void decode_unix(const uint8_t *sa, size_t len, struct kb_addr *out)
{
	size_t plen = len > 2 ? len - 2 : 0;
	const uint8_t *path = sa + 2;

	if (plen > sizeof(((struct sockaddr_un *)0)->sun_path))
		plen = sizeof(((struct sockaddr_un *)0)->sun_path);
	if (plen == 0) {
		/* addrlen == sizeof(sa_family_t): the kernel picks an abstract name */
		snprintf(out->text, sizeof(out->text), "(autobind)");
		return;
	}
	if (path[0] == '\0') {
		/* abstract: the name is every byte after the NUL, NULs included */
		out->text[0] = '@';
		kb_visible(out->text + 1, sizeof(out->text) - 1, path + 1, plen - 1);
		return;
	}
	kb_visible(out->text, sizeof(out->text), path, strnlen((const char *)path, plen));
}

void kb_sockaddr_decode(const uint8_t *sa, size_t len, struct kb_addr *out)
{
	out->family = -1;
	out->port = -1;
	out->text[0] = '\0';
	if (!sa || len < 2)
		return;
	out->family = rd16(sa);

	switch (out->family) {
	case AF_INET:
		if (len >= 4)
			out->port = rd16be(sa + 2);
		if (len >= 8) {
			fmt_ipv4(sa + 4, out->text);
		} else {
			snprintf(out->text, sizeof(out->text), "?");
		}
		break;
	case AF_INET6:
		if (len >= 4)
			out->port = rd16be(sa + 2);
		if (len >= 24) {
			size_t n;

			fmt_ipv6(sa + 8, out->text);
			n = strlen(out->text);
			if (len >= 28 && rd32(sa + 24))
				snprintf(out->text + n, sizeof(out->text) - n, "%%%u", rd32(sa + 24));
		} else {
			snprintf(out->text, sizeof(out->text), "?");
		}
		break;
	case AF_UNIX:
		decode_unix(sa, len, out);
		break;
	case AF_NETLINK:
		if (len >= 12)
			snprintf(out->text, sizeof(out->text), "portid:%u groups:0x%x",
				 rd32(sa + 4), rd32(sa + 8));
		break;
	case AF_PACKET:
		if (len >= 8)
			snprintf(out->text, sizeof(out->text), "ifindex:%d proto:0x%04x",
				 (int)rd32(sa + 4), rd16be(sa + 2));
		break;
	default:
		break;
	}
}

const char *kb_family_name(int family, char *buf, size_t len)
{
	switch (family) {
	case AF_INET:		return "inet";
	case AF_INET6:		return "inet6";
	case AF_UNIX:		return "unix";
	case AF_NETLINK:	return "netlink";
	case AF_PACKET:		return "packet";
	case AF_VSOCK:		return "vsock";
	case AF_BLUETOOTH:	return "bluetooth";
	case AF_XDP:		return "xdp";
	case -1:		return "?";
	default:
		snprintf(buf, len, "AF_%d", family);
		return buf;
	}
}

const char *kb_proto_name(int family, int stype, int protocol)
{
	if (family == AF_INET || family == AF_INET6) {
		switch (protocol) {
		case IPPROTO_TCP:	return "tcp";
		case IPPROTO_UDP:	return "udp";
		case IPPROTO_UDPLITE:	return "udplite";
		case IPPROTO_SCTP:	return "sctp";
		case IPPROTO_MPTCP:	return "mptcp";
		case IPPROTO_ICMP:	return "icmp";
		case IPPROTO_ICMPV6:	return "icmpv6";
		default:		break;
		}
		switch (stype) {
		case SOCK_STREAM:	return "tcp";
		case SOCK_DGRAM:	return "udp";
		case SOCK_RAW:		return "raw";
		case SOCK_SEQPACKET:	return "seqpacket";
		default:		return NULL;
		}
	}
	switch (stype) {
	case SOCK_STREAM:	return "stream";
	case SOCK_DGRAM:	return "dgram";
	case SOCK_RAW:		return "raw";
	case SOCK_SEQPACKET:	return "seqpacket";
	default:		return NULL;
	}
}
