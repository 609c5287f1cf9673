// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pipebench.c - the consumer alone: CPU per call of kbindtop's pipeline
 * (enrich -> select -> sink), fed from a queue with synthetic calls of a
 * live child process, without the kernel or the reader thread.
 *
 *   bench/pipebench [json|text|table] [CALLS] [stacks]
 *
 * The calls look like bench/bindstorm's: tcp/udp x v4/v6 to a few ports,
 * every 10th EADDRINUSE on an address the child holds, every 7th port 0,
 * the same fd each time.  Prints ns per call, the best of 5 rounds (the
 * machine is shared: the minimum is what the code costs).  No root needed;
 * socket inspections of the child's fd then fail the way they do for a
 * socket closed right after its bind.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "format.h"
#include "model.h"
#include "options.h"
#include "pipeline.h"
#include "queue.h"

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void mk(struct kb_event *ev, int pid, unsigned long i, bool stacks)
{
	static const uint16_t ports[] = { 20000, 20001, 20002, 20003 };
	bool v6 = i & 1, fail = i % 10 == 9, zero = i % 7 == 6;
	uint16_t port = zero ? 0 : fail ? 40000 : ports[(i / 2) % 4];

	memset(ev, 0, sizeof(*ev));
	ev->ts = kb_now_mono();
	ev->ts_exit = ev->ts + 20000;
	ev->pid = pid;
	ev->tid = pid;
	ev->fd = 3;
	ev->ret = fail ? -EADDRINUSE : 0;
	ev->stype = -1;
	ev->addr_src = KB_ADDR_UPROBE;
	ev->flags = KB_EVF_COMM_SYNC;
	snprintf(ev->comm, sizeof(ev->comm), "bindstorm");
	if (v6) {
		struct sockaddr_in6 s = { .sin6_family = AF_INET6, .sin6_port = htons(port),
					  .sin6_addr = IN6ADDR_LOOPBACK_INIT };

		memcpy(ev->sa, &s, sizeof(s));
		ev->sa_len = ev->addrlen = sizeof(s);
	} else {
		struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons(port),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

		memcpy(ev->sa, &s, sizeof(s));
		ev->sa_len = ev->addrlen = sizeof(s);
	}
	if (stacks) {
		ev->flags |= KB_EVF_STACK_WANTED;
		ev->n_ustack = 6;
		for (int k = 0; k < 6; k++)
			ev->ustack[k] = 0x555500001000ULL + (uint64_t)k * 0x40 + (i % 3) * 0x1000;
	}
}

static void model_add(void *ctx, const struct kb_bind *b)
{
	kb_model_add(ctx, b);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "json";
	unsigned long calls = argc > 2 ? strtoul(argv[2], NULL, 10) : 200000;
	bool stacks = argc > 3 && !strcmp(argv[3], "stacks");
	char a0[] = "kbindtop", a1[] = "--batch", a2[] = "--json";
	char *av[] = { a0, a1, a2, NULL };
	struct kb_options o;
	char err[256];
	uint64_t best = UINT64_MAX;
	int child, devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (!strcmp(mode, "text"))
		av[2] = a1;
	if (kb_options_parse(&o, 3, av, err, sizeof(err))) {
		fprintf(stderr, "pipebench: %s\n", err);
		return 1;
	}
	kb_clock_init();
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	for (int round = 0; round < 5; round++) {
		struct kb_queue *q = kb_queue_new(1024);
		struct kb_pipeline *p = kb_pipeline_new(&o, q, "syscalls");
		struct kb_batch *bt = NULL;
		struct kb_model *m = NULL;
		struct kb_pipeline_stats ps;
		struct kb_event ev;
		uint64_t t0, spent = 0;
		bool more;

		if (!strcmp(mode, "table")) {
			m = kb_model_new(NULL);
			kb_pipeline_add_sink(p, &(struct kb_sink){ .name = "table", .ctx = m, .add = model_add });
		} else {
			bt = kb_batch_new(&o, devnull);
			kb_pipeline_add_sink(p, &(struct kb_sink){ .name = "batch", .ctx = bt,
							    .add = kb_batch_sink_add,
							    .flush = kb_batch_sink_flush });
		}
		for (unsigned long i = 0; i < calls;) {
			for (int k = 0; k < 256 && i < calls; k++, i++) {
				mk(&ev, child, i, stacks);
				kb_queue_push(q, &ev);
			}
			t0 = cpu_ns();
			kb_pipeline_drain(p, 0, &more);
			spent += cpu_ns() - t0;
		}
		if (spent < best)
			best = spent;
		kb_pipeline_stats(p, &ps);
		if (round == 4)
			printf("pipebench %s%s: %lu calls, best of 5: %.0f ns/call (%.3f ms/1k); shown %llu, "
			       "targets %llu, process loads %llu, sockets inspected %llu, skipped %llu\n",
			       mode, stacks ? " stacks" : "", calls, (double)best / (double)calls,
			       (double)best / (double)calls / 1000.0, (unsigned long long)ps.shown,
			       (unsigned long long)ps.en.targets, (unsigned long long)ps.en.procs_loaded,
			       (unsigned long long)ps.en.sock_inspected, (unsigned long long)ps.en.sock_skipped);
		kb_pipeline_free(p);
		kb_batch_free(bt);
		kb_model_free(m);
		kb_queue_free(q);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return 0;
}
