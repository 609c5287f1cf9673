// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * symbench.c - what explaining a bind costs the consumer thread:
 *   - copying a process's memory map (kb_sym_note_process, first sight);
 *   - symbolizing an 8-frame user stack: cold (new symbolizer: ELF files
 *     opened and symbol tables read), a new process of a known program
 *     (maps copied, files cached), and warm (everything cached);
 *   - kb_enrich per event, with and without the socket inspection, and
 *     the holder lookup of an EADDRINUSE (first and cached).
 * Frames and sockets are real: this program's own stack and a child
 * process holding a bound socket.  Run as root (pidfd_getfd, /proc).
 *
 *   make bench/symbench && sudo bench/symbench [iterations]
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
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "enrich.h"
#include "symbols.h"

static struct kb_event stack_ev;

/* Eight nested frames of this program, recorded through frame pointers like ftrace does. */
static void __attribute__((noinline)) record(void)
{
	void **fp = __builtin_frame_address(0);
	int n = 0;

	stack_ev.ustack[n++] = (uint64_t)(uintptr_t)record;
	while (fp && n < 8) {
		stack_ev.ustack[n++] = (uint64_t)(uintptr_t)fp[1];
		fp = fp[0];
	}
	stack_ev.n_ustack = (uint8_t)n;
}

#define NEST(name, next) \
	static void __attribute__((noinline)) name(void) { next(); __asm__ volatile("" ::: "memory"); }
NEST(f1, record)
NEST(f2, f1)
NEST(f3, f2)
NEST(f4, f3)
NEST(f5, f4)

static double us(uint64_t ns, long n)
{
	return (double)ns / 1e3 / (double)n;
}

/* A child that holds a bound TCP socket (fd given back) until killed. */
static int child_socket(int *fd, int *port, int *pid)
{
	int p[2], v[2];

	if (pipe(p))
		return -errno;
	*pid = fork();
	if (*pid < 0)
		return -errno;
	if (!*pid) {
		struct sockaddr_in sa = { .sin_family = AF_INET };
		socklen_t l = sizeof(sa);
		int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;

		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
		if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 1))
			_exit(1);
		getsockname(s, (struct sockaddr *)&sa, &l);
		v[0] = s;
		v[1] = ntohs(sa.sin_port);
		if (write(p[1], v, sizeof(v)) != sizeof(v))
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], v, sizeof(v)) != sizeof(v))
		return -EIO;
	close(p[0]);
	*fd = v[0];
	*port = v[1];
	return 0;
}

static void fill_event(struct kb_event *ev, int pid, int fd, int port, int ret)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

	memset(ev, 0, sizeof(*ev));
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	ev->pid = pid;
	ev->tid = pid;
	ev->fd = fd;
	ev->ret = ret;
	ev->stype = -1;
	ev->addrlen = sizeof(sa);
	ev->sa_len = sizeof(sa);
	memcpy(ev->sa, &sa, sizeof(sa));
	ev->addr_src = KB_ADDR_UPROBE;
	memcpy(ev->ustack, stack_ev.ustack, sizeof(ev->ustack));
	ev->n_ustack = stack_ev.n_ustack;
	/* the probes record comm with the call (KB_EVF_COMM_SYNC): no /proc read for it */
	ev->flags = KB_EVF_STACK_WANTED | KB_EVF_COMM_SYNC;
	snprintf(ev->comm, sizeof(ev->comm), "symbench");
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 200000, cold = 30, n;
	struct kb_symbolizer *s;
	struct kb_enricher *en;
	struct kb_enrich_stats es;
	struct kb_stack st;
	struct kb_event ev;
	struct kb_bind *b = malloc(sizeof(*b));
	int cfd = -1, cport = 0, cpid = -1, self = getpid();
	uint64_t t0, t;
	char txt[256];

	kb_clock_init();
	f5();
	printf("stack of %d frames:\n", stack_ev.n_ustack);
	s = kb_sym_new();
	kb_sym_note_process(s, self, kb_now_mono());
	kb_sym_stack(s, self, &stack_ev, false, &st);
	for (int i = 0; i < st.n; i++)
		printf("  #%d %s\n", i, kb_sym_frame_text(&st.f[i], txt, sizeof(txt)));
	if (st.note[0])
		printf("  (%s)\n", st.note);
	kb_sym_free(s);

	/* maps copy of a process seen for the first time */
	t = 0;
	for (long i = 0; i < 200; i++) {
		s = kb_sym_new();
		t0 = kb_now_mono();
		kb_sym_note_process(s, self, kb_now_mono());
		t += kb_now_mono() - t0;
		kb_sym_free(s);
	}
	printf("maps copy (first sight of a process)      %8.1f us\n", us(t, 200));

	/* cold: a new symbolizer each time (ELF files opened, symbols read) */
	t = 0;
	for (long i = 0; i < cold; i++) {
		s = kb_sym_new();
		kb_sym_note_process(s, self, kb_now_mono());
		t0 = kb_now_mono();
		kb_sym_stack(s, self, &stack_ev, false, &st);
		t += kb_now_mono() - t0;
		kb_sym_free(s);
	}
	printf("8-frame stack, cold (files not yet read)  %8.1f us\n", us(t, cold));

	/* a new process running known files: maps copy + cached answers */
	if (child_socket(&cfd, &cport, &cpid)) {
		perror("child");
		return 1;
	}
	s = kb_sym_new();
	kb_sym_note_process(s, self, kb_now_mono());
	kb_sym_stack(s, self, &stack_ev, false, &st);
	t0 = kb_now_mono();
	/* the child is a fork: same files, same addresses */
	kb_sym_note_process(s, cpid, kb_now_mono());
	kb_sym_stack(s, cpid, &stack_ev, false, &st);
	t = kb_now_mono() - t0;
	printf("new process of a known program (copy+8)   %8.1f us\n", us(t, 1));

	/* warm */
	t0 = kb_now_mono();
	for (long i = 0; i < iters; i++)
		kb_sym_stack(s, self, &stack_ev, false, &st);
	t = kb_now_mono() - t0;
	printf("8-frame stack, warm                       %8.2f us\n", us(t, iters));
	kb_sym_free(s);

	/* enrichment per event: a successful bind of the child's socket */
	for (int inspect = 0; inspect < 2; inspect++) {
		en = kb_enricher_new(inspect ? 1000000000 : 0, "bench");
		fill_event(&ev, cpid, cfd, cport, 0);
		kb_enrich(en, &ev, b, kb_now_mono());
		if (inspect && !b->sock_known)
			fprintf(stderr, "warning: the socket was not inspected (root needed)\n");
		/* one process gets 200 inspections a second: stay under that */
		n = inspect ? 150 : iters / 10;
		t0 = kb_now_mono();
		for (long i = 0; i < n; i++)
			kb_enrich(en, &ev, b, kb_now_mono());
		t = kb_now_mono() - t0;
		kb_enricher_stats(en, &es);
		if (inspect && es.sock_skipped)
			fprintf(stderr, "warning: %llu inspections skipped\n",
				(unsigned long long)es.sock_skipped);
		printf("kb_enrich per event, %-20s %8.2f us\n",
		       inspect ? "socket inspected" : "no inspection", us(t, n));
		kb_enricher_free(en);
	}

	/*
	 * EADDRINUSE: the holder lookup, uncached (new enricher each time):
	 * the owner found by a /proc scan, or directly when its own bind was
	 * traced; then cached.
	 */
	for (int seen = 0; seen < 2; seen++) {
		t = 0;
		for (long i = 0; i < cold; i++) {
			en = kb_enricher_new(1000000000, "bench");
			if (seen) {
				fill_event(&ev, cpid, cfd, cport, 0);
				kb_enrich(en, &ev, b, kb_now_mono());
			}
			fill_event(&ev, cpid, cfd, cport, -EADDRINUSE);
			t0 = kb_now_mono();
			kb_enrich(en, &ev, b, kb_now_mono());
			t += kb_now_mono() - t0;
			if (!i && !seen)
				printf("  holder: %s / %s\n", b->holder.known ? b->holder.comm : "(none)",
				       b->hint);
			if (i < cold - 1 || !seen)
				kb_enricher_free(en);
		}
		printf("EADDRINUSE, holder %-22s %8.1f us\n",
		       seen ? "seen binding" : "found by /proc scan", us(t, cold));
	}
	t0 = kb_now_mono();
	for (long i = 0; i < iters / 10; i++)
		kb_enrich(en, &ev, b, kb_now_mono());
	t = kb_now_mono() - t0;
	printf("EADDRINUSE, holder cached (no inspection) %8.2f us\n", us(t, iters / 10));
	kb_enricher_free(en);

	kill(cpid, SIGKILL);
	waitpid(cpid, NULL, 0);
	free(b);
	return 0;
}
