// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_enrich.c - lazy enrichment against a real process (a child of the
 * test, so no root is needed): a target's details are worked out once, not
 * per call; the socket inspection budget is applied per call and every
 * skipped call is counted; a busy address's holder is looked up once for
 * a storm of failing calls.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "enrich.h"
#include "format.h"

#define CALLS 500

struct child {
	int pid;
	int fd;		/* its listening socket */
	int port;
};

/* A child holding a listening TCP socket on 127.0.0.1 (kernel-chosen port). */
static int child_start(struct child *c)
{
	int p[2], s;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(sin);

	if (pipe(p))
		return -errno;
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sin, sizeof(sin)) || listen(s, 1) ||
	    getsockname(s, (struct sockaddr *)&sin, &l))
		return -errno;
	c->fd = s;
	c->port = ntohs(sin.sin_port);
	c->pid = fork();
	if (c->pid < 0)
		return -errno;
	if (c->pid == 0) {
		char x;

		close(p[1]);
		/* until the parent goes away */
		while (read(p[0], &x, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(p[0]);
	close(s);	/* the child's copy holds the address */
	return 0;
}

static void child_stop(struct child *c)
{
	kill(c->pid, SIGKILL);
	waitpid(c->pid, NULL, 0);
}

/* A call of the child: bind() of its fd to 127.0.0.1:port, returning ret. */
static void mk(struct kb_event *ev, const struct child *c, int port, int ret, uint64_t ts, unsigned int junk)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	memset(ev, 0, sizeof(*ev));
	ev->ts = ts;
	ev->pid = c->pid;
	ev->tid = c->pid;
	ev->fd = c->fd;
	ev->ret = ret;
	ev->stype = -1;
	ev->addr_src = KB_ADDR_UPROBE;
	ev->flags = KB_EVF_COMM_SYNC;
	snprintf(ev->comm, sizeof(ev->comm), "kbt-enrich");
	memcpy(ev->sa, &sin, sizeof(sin));
	/* a 28-byte capture: what follows sin_zero is the caller's stack, different every call */
	memcpy(ev->sa + 16, &junk, sizeof(junk));
	ev->sa_len = 28;
	ev->addrlen = sizeof(sin);
}

static void test_target_once(const struct child *c)
{
	struct kb_enricher *en = kb_enricher_new(4000, "syscalls");
	static struct kb_bind b;
	struct kb_enrich_stats st;
	struct kb_event ev;
	uint64_t t0 = kb_now_mono(), gen = 0;
	int proto_known = 0, proto_unknown = 0;
	char buf[160];

	for (unsigned int i = 0; i < CALLS; i++) {
		uint64_t now = t0 + i * 1000ULL;	/* 500 calls within half a millisecond */

		mk(&ev, c, c->port, 0, now, i * 2654435761u);
		kb_enrich(en, &ev, &b, now);
		CHECK_INT(b.pid, c->pid);
		CHECK_STR(b.comm, "kbt-enrich");
		CHECK_STR(b.addr.text, "127.0.0.1");
		CHECK_INT(b.addr.port, c->port);
		CHECK(b.ctx_gen != 0);
		if (i == 0)
			gen = b.ctx_gen;
		CHECK_INT(b.ctx_gen, gen);	/* one process context for every call */
		CHECK(b.cmdline[0] != '\0');
		if (b.proto) {
			/* inspected: the socket holds the address, so its details are its own */
			CHECK_STR(b.proto, "tcp");
			CHECK_INT(b.bound_port, c->port);
			proto_known++;
		} else {
			CHECK_INT(b.bound_port, -1);
			proto_unknown++;
		}
	}
	kb_enricher_stats(en, &st);
	CHECK_INT(st.calls, CALLS);
	CHECK_INT(st.targets, 1);		/* the target's details: once */
	CHECK_INT(st.procs_loaded, 1);		/* the process's: once */
	/* per call, within one process's share of the budget; every skip counted */
	CHECK_INT(st.sock_inspected, proto_known);
	CHECK_INT(st.sock_inspected + st.sock_skipped, CALLS);
	CHECK(st.sock_inspected > 0 && st.sock_inspected <= 200);
	CHECK_INT(st.sock_skipped, proto_unknown);
	kb_budget_text(&st, buf, sizeof(buf));
	CHECK(!strncmp(buf, "socket details for 1 in ", 24));

	/* another port is another target, decoded on its own */
	mk(&ev, c, c->port + 1, 0, t0 + 2 * 1000000000ULL, 7);
	kb_enrich(en, &ev, &b, t0 + 2 * 1000000000ULL);
	CHECK_INT(b.addr.port, c->port + 1);
	kb_enricher_stats(en, &st);
	CHECK_INT(st.targets, 2);
	kb_enricher_free(en);
}

static void test_holder_once(const struct child *c)
{
	struct kb_enricher *en = kb_enricher_new(4000, "syscalls");
	static struct kb_bind b;
	struct kb_enrich_stats st;
	struct kb_event ev;
	uint64_t t0 = kb_now_mono();

	for (unsigned int i = 0; i < CALLS; i++) {
		uint64_t now = t0 + i * 1000000ULL;	/* 500 failures over half a second */

		mk(&ev, c, c->port, -EADDRINUSE, now, i);
		ev.fd = -1;			/* nothing to inspect ... */
		ev.stype = SOCK_STREAM;		/* ... the probe said tcp (kprobe backend) */
		kb_enrich(en, &ev, &b, now);
		CHECK(b.holder.known);
		CHECK_INT(b.holder.pid, c->pid);
		CHECK(b.hint[0] != '\0');
	}
	kb_enricher_stats(en, &st);
	CHECK_INT(st.targets, 1);
	CHECK_INT(st.holder_lookups, 1);	/* not one per call, not one a second */
	CHECK_INT(st.holder_skipped, 0);
	kb_enricher_free(en);
}

int main(void)
{
	struct child c;

	kb_clock_init();
	if (child_start(&c)) {
		fprintf(stderr, "test_enrich: cannot start the child: %s\n", strerror(errno));
		return 99;
	}
	test_target_once(&c);
	test_holder_once(&c);
	child_stop(&c);
	return check_done("test_enrich");
}
