// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_hints.c - the one-line explanation of each failed bind(), and the
 * socket option names.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "enrich.h"
#include "hints.h"
#include "sockinfo.h"

static struct kb_bind b;

static void set(int family, const char *addr, int port, int err)
{
	memset(&b, 0, sizeof(b));
	b.addr.family = family;
	b.addr.port = port;
	snprintf(b.addr.text, sizeof(b.addr.text), "%s", addr);
	b.ev.ret = err ? -err : 0;
	b.holder.pid = -1;
}

static const char *hint(int unpriv)
{
	static char buf[KB_HINT_LEN];

	return kb_hint(&b, unpriv, buf, sizeof(buf));
}

static void has(const char *h, const char *want)
{
	CHECK(h != NULL);
	if (h && !strstr(h, want)) {
		fprintf(stderr, "hint \"%s\" lacks \"%s\"\n", h, want);
		CHECK(0);
	}
}

static void test_hints(void)
{
	set(AF_INET, "0.0.0.0", 80, 0);
	CHECK(hint(-1) == NULL);
	b.ev.ret = KB_RET_UNKNOWN;
	CHECK(hint(-1) == NULL);

	set(AF_INET, "0.0.0.0", 80, EACCES);
	has(hint(1024), "CAP_NET_BIND_SERVICE");
	has(hint(1024), "(1024)");
	has(hint(-1), "assumed");
	set(AF_INET, "0.0.0.0", 8080, EACCES);
	has(hint(1024), "security policy");
	set(AF_UNIX, "/run/x.sock", -1, EACCES);
	has(hint(-1), "permission");

	set(AF_INET, "192.0.2.1", 8080, EADDRNOTAVAIL);
	has(hint(-1), "IP_FREEBIND");
	has(hint(-1), "net.ipv4.ip_nonlocal_bind");
	set(AF_INET6, "fe80::1", 8080, EADDRNOTAVAIL);
	has(hint(-1), "scope id");
	set(AF_INET6, "2001:db8::1", 8080, EADDRNOTAVAIL);
	has(hint(-1), "net.ipv6.ip_nonlocal_bind");

	set(AF_INET, "0.0.0.0", 8080, EADDRINUSE);
	has(hint(-1), "ss -lptn");
	b.holder.known = true;
	b.holder.count = 3;
	b.holder.only_timewait = true;
	has(hint(-1), "SO_REUSEADDR");
	b.holder.only_timewait = false;
	b.holder.dualstack = true;
	b.holder.pid = 42;
	snprintf(b.holder.comm, sizeof(b.holder.comm), "nginx");
	has(hint(-1), "IPV6_V6ONLY");
	has(hint(-1), "pid 42 (nginx)");
	b.holder.dualstack = false;
	b.holder.state = "LISTEN";
	snprintf(b.holder.addr, sizeof(b.holder.addr), "0.0.0.0");
	has(hint(-1), "held by pid 42 (nginx) in state LISTEN");
	b.holder.count = 0;
	has(hint(-1), "free now");

	set(AF_UNIX, "/run/app.sock", -1, EADDRINUSE);
	has(hint(-1), "unlink");
	set(AF_UNIX, "@abs", -1, EADDRINUSE);
	has(hint(-1), "abstract");

	set(AF_INET, "0.0.0.0", 8080, EINVAL);
	has(hint(-1), "already bound");
	set(AF_UNIX, "/no/such/dir/x", -1, ENOENT);
	has(hint(-1), "does not exist");
	set(AF_INET, "0.0.0.0", 8080, ENOMEM);
	CHECK(hint(-1) == NULL);
}

static void test_opts(void)
{
	char buf[128];

	CHECK_STR(kb_sockopts_text(0, buf, sizeof(buf)), "");
	CHECK_STR(kb_sockopts_text(KB_SO_REUSEADDR | KB_IPV6_V6ONLY, buf, sizeof(buf)),
		  "SO_REUSEADDR,IPV6_V6ONLY");
	CHECK_STR(kb_sockopts_text(KB_SO_REUSEPORT | KB_IP_FREEBIND | KB_IP_TRANSPARENT |
				   KB_IP_BIND_ADDRESS_NO_PORT, buf, sizeof(buf)),
		  "SO_REUSEPORT,IP_FREEBIND,IP_TRANSPARENT,IP_BIND_ADDRESS_NO_PORT");
	/* never a cut name */
	CHECK_STR(kb_sockopts_text(KB_SO_REUSEADDR | KB_SO_REUSEPORT, buf, 20), "SO_REUSEADDR");
}

int main(void)
{
	test_hints();
	test_opts();
	return check_done("test_hints");
}
