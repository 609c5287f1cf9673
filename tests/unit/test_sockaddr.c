// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_sockaddr.c - sockaddr decoding, including hostile and short input.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "check.h"
#include "sockaddr.h"
#include "strbuf.h"

static void test_inet(void)
{
	struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons(8080) };
	struct kb_addr a;

	inet_pton(AF_INET, "192.168.1.20", &s.sin_addr);
	kb_sockaddr_decode((const uint8_t *)&s, sizeof(s), &a);
	CHECK_INT(a.family, AF_INET);
	CHECK_INT(a.port, 8080);
	CHECK_STR(a.text, "192.168.1.20");

	inet_pton(AF_INET, "0.10.100.255", &s.sin_addr);
	kb_sockaddr_decode((const uint8_t *)&s, sizeof(s), &a);
	CHECK_STR(a.text, "0.10.100.255");

	/* a 4-byte prefix has the port but no address */
	kb_sockaddr_decode((const uint8_t *)&s, 4, &a);
	CHECK_INT(a.port, 8080);
	CHECK_STR(a.text, "?");

	/* one byte: nothing */
	kb_sockaddr_decode((const uint8_t *)&s, 1, &a);
	CHECK_INT(a.family, -1);
	CHECK_INT(a.port, -1);
}

static void test_inet6(void)
{
	struct sockaddr_in6 s = { .sin6_family = AF_INET6, .sin6_port = htons(443) };
	struct kb_addr a;

	inet_pton(AF_INET6, "fe80::1", &s.sin6_addr);
	s.sin6_scope_id = 2;
	kb_sockaddr_decode((const uint8_t *)&s, sizeof(s), &a);
	CHECK_INT(a.family, AF_INET6);
	CHECK_INT(a.port, 443);
	CHECK_STR(a.text, "fe80::1%2");

	s.sin6_scope_id = 0;
	inet_pton(AF_INET6, "::ffff:10.0.0.1", &s.sin6_addr);
	kb_sockaddr_decode((const uint8_t *)&s, sizeof(s), &a);
	CHECK_STR(a.text, "::ffff:10.0.0.1");
}

/* The fast formatter must print exactly what inet_ntop prints. */
static void test_inet6_text(void)
{
	static const char *const cases[] = {
		"::", "::1", "1::", "fe80::1", "2001:db8::8:800:200c:417a", "2001:db8:0:0:1:0:0:1",
		"2001:0:0:1:0:0:0:1", "1:0:2:0:3:0:4:0", "0:1:0:0:2:0:0:0", "::ffff:192.0.2.1",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "1:2:3:4:5:6:7:8", "0:0:1::", "::2:3:4:5:6:7:8",
		"1:2:3:4:5:6:7::", "::ffff:0:1", "64:ff9b::1.2.3.4",
	};
	struct sockaddr_in6 s = { .sin6_family = AF_INET6 };
	char want[INET6_ADDRSTRLEN];
	struct kb_addr a;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(inet_pton(AF_INET6, cases[i], &s.sin6_addr) == 1);
		inet_ntop(AF_INET6, &s.sin6_addr, want, sizeof(want));
		kb_sockaddr_decode((const uint8_t *)&s, sizeof(s), &a);
		CHECK_STR(a.text, want);
	}
	/* and a sweep of pseudo-random addresses with many zero groups */
	srand(7);
	for (int k = 0; k < 20000; k++) {
		for (int j = 0; j < 16; j += 2) {
			int v = rand() % 4 ? 0 : rand();

			s.sin6_addr.s6_addr[j] = (uint8_t)(v >> 8);
			s.sin6_addr.s6_addr[j + 1] = (uint8_t)v;
		}
		inet_ntop(AF_INET6, &s.sin6_addr, want, sizeof(want));
		kb_sockaddr_decode((const uint8_t *)&s, sizeof(s), &a);
		if (strcmp(a.text, want)) {
			CHECK_STR(a.text, want);
			break;
		}
	}
}

static void test_unix(void)
{
	struct sockaddr_un s = { .sun_family = AF_UNIX };
	struct kb_addr a;
	size_t l;

	snprintf(s.sun_path, sizeof(s.sun_path), "/run/x.sock");
	kb_sockaddr_decode((const uint8_t *)&s, sizeof(s), &a);
	CHECK_INT(a.family, AF_UNIX);
	CHECK_INT(a.port, -1);
	CHECK_STR(a.text, "/run/x.sock");

	/* abstract names may hold NULs, newlines and escapes: all visible */
	memset(s.sun_path, 0, sizeof(s.sun_path));
	memcpy(s.sun_path + 1, "a\nb\x1b[2Jc\0d\\", 11);
	l = offsetof(struct sockaddr_un, sun_path) + 12;
	kb_sockaddr_decode((const uint8_t *)&s, l, &a);
	CHECK_STR(a.text, "@a\\x0ab\\x1b[2Jc\\x00d\\\\");

	/* autobind */
	kb_sockaddr_decode((const uint8_t *)&s, 2, &a);
	CHECK_STR(a.text, "(autobind)");

	/* a full-length path without NUL stops at sun_path's end */
	memset(s.sun_path, 'x', sizeof(s.sun_path));
	kb_sockaddr_decode((const uint8_t *)&s, sizeof(s) + 20, &a);
	CHECK_INT(strlen(a.text), sizeof(s.sun_path));
}

static void test_names(void)
{
	char buf[16];

	CHECK_STR(kb_family_name(AF_INET6, buf, sizeof(buf)), "inet6");
	CHECK_STR(kb_family_name(123, buf, sizeof(buf)), "AF_123");
	CHECK_STR(kb_proto_name(AF_INET, SOCK_STREAM, IPPROTO_TCP), "tcp");
	CHECK_STR(kb_proto_name(AF_INET6, SOCK_DGRAM, 0), "udp");
	CHECK_STR(kb_proto_name(AF_INET, SOCK_STREAM, IPPROTO_MPTCP), "mptcp");
	CHECK_STR(kb_proto_name(AF_UNIX, SOCK_DGRAM, 0), "dgram");
	CHECK(kb_proto_name(AF_INET, 99, 0) == NULL);
}

static void test_visible(void)
{
	char out[16];

	kb_visible(out, sizeof(out), "ok\x7f\xff", 4);
	CHECK_STR(out, "ok\\x7f\\xff");
	/* truncation never splits an escape */
	kb_visible(out, 8, "abcd\x01", 5);
	CHECK_STR(out, "abcd");
	kb_visible(out, 1, "abc", 3);
	CHECK_STR(out, "");
}

static void test_buf(void)
{
	struct kb_buf b;

	kb_buf_init(&b);
	kb_buf_json_str(&b, "a\"b\\c\x01\x7f");
	CHECK_STR(b.p, "\"a\\\"b\\\\c\\u0001\\u007f\"");
	kb_buf_reset(&b);
	kb_buf_put_u64_pad(&b, 42, 6);
	kb_buf_putc(&b, ' ');
	kb_buf_put_i64(&b, -98);
	kb_buf_putc(&b, ' ');
	kb_buf_put_u64_pad(&b, 1234567, 3);
	CHECK_STR(b.p, "000042 -98 1234567");
	for (int i = 0; i < 1000; i++)
		kb_buf_puts(&b, "0123456789");
	CHECK_INT(b.len, 18 + 10000);
	CHECK_INT(strlen(b.p), b.len);
	kb_buf_free(&b);
}

int main(void)
{
	test_inet();
	test_inet6();
	test_inet6_text();
	test_unix();
	test_names();
	test_visible();
	test_buf();
	return check_done("test_sockaddr");
}
