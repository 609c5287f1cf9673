// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iouprog.c - test program: binds through io_uring (IORING_OP_BIND, Linux
 * 6.11+) with raw syscalls, never calling bind(2), and prints one line per
 * bind ("BIND <spec> <res> <errno-name> <port>").  It also serves as an
 * io_uring-heavy neighbour (-b: NOPs as fast as it can).
 *
 * Specs:  tcp4:ADDR:PORT  udp4:ADDR:PORT  tcp6:ADDR:PORT  udp6:ADDR:PORT
 * Options (before specs):
 *   -q        SQPOLL ring: the ring's kernel thread (iou-sqp-PID) issues
 *             the binds
 *   -n NAME   set the command name (prctl PR_SET_NAME)
 *   -w SECS   sleep before exiting (sockets stay bound and open)
 *   -p FILE   write "ready" to FILE once all binds are done
 *   -b SECS   instead of binding: submit NOPs in batches of 64 for SECS
 *             seconds and print "NOPS <per second>"
 *
 * Old headers lack IORING_OP_BIND: the opcode is defined here (56).  Only
 * the structures of <linux/io_uring.h> that exist since 5.1 are used.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define OP_BIND		56	/* IORING_OP_BIND */
#define OP_NOP		0	/* IORING_OP_NOP */
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup	425
#define SYS_io_uring_enter	426
#endif

struct ring {
	int fd;
	unsigned int *sq_head, *sq_tail, *sq_mask, *sq_array, *sq_flags;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	unsigned int entries;
	int sqpoll;
};

static int ring_init(struct ring *r, unsigned int entries, int sqpoll)
{
	struct io_uring_params p;
	void *sq, *cq;
	size_t sqsz, cqsz;

	memset(&p, 0, sizeof(p));
	if (sqpoll) {
		p.flags = IORING_SETUP_SQPOLL;
		p.sq_thread_idle = 2000;
	}
	r->fd = (int)syscall(SYS_io_uring_setup, entries, &p);
	if (r->fd < 0)
		return -errno;
	r->sqpoll = sqpoll;
	r->entries = p.sq_entries;
	sqsz = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	cqsz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	sq = mmap(NULL, sqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_SQ_RING);
	cq = mmap(NULL, cqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED)
		return -errno;
	r->sq_head = (unsigned int *)((char *)sq + p.sq_off.head);
	r->sq_tail = (unsigned int *)((char *)sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)((char *)sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)((char *)sq + p.sq_off.array);
	r->sq_flags = (unsigned int *)((char *)sq + p.sq_off.flags);
	r->cq_head = (unsigned int *)((char *)cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)((char *)cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)((char *)cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)((char *)cq + p.cq_off.cqes);
	return 0;
}

/* Queue one SQE; the caller fills it. */
static struct io_uring_sqe *ring_sqe(struct ring *r)
{
	unsigned int tail = *r->sq_tail, idx = tail & *r->sq_mask;
	struct io_uring_sqe *sqe = &r->sqes[idx];

	memset(sqe, 0, sizeof(*sqe));
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	return sqe;
}

/* Submit n queued SQEs and wait for n completions; returns the last result. */
static int ring_run(struct ring *r, unsigned int n, long long *last_user)
{
	unsigned int flags = IORING_ENTER_GETEVENTS, got = 0, submit = r->sqpoll ? 0 : n;
	int res = 0;

	if (r->sqpoll)
		flags |= IORING_ENTER_SQ_WAKEUP;
	while (got < n) {
		unsigned int head = *r->cq_head;
		unsigned int tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);

		if (head == tail) {
			long k = syscall(SYS_io_uring_enter, r->fd, submit, 1, flags, NULL, 0);

			if (k < 0 && errno != EINTR)
				return -errno;
			if (k > 0)
				submit -= (unsigned int)k < submit ? (unsigned int)k : submit;
			continue;
		}
		for (; head != tail; head++, got++) {
			struct io_uring_cqe *c = &r->cqes[head & *r->cq_mask];

			res = c->res;
			if (last_user)
				*last_user = (long long)c->user_data;
		}
		__atomic_store_n(r->cq_head, head, __ATOMIC_RELEASE);
	}
	return res;
}

static int parse_spec(const char *spec, struct sockaddr_storage *ss, socklen_t *len, int *type)
{
	char buf[256], *addr, *port;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	int v6;

	snprintf(buf, sizeof(buf), "%s", spec);
	addr = strchr(buf, ':');
	port = strrchr(buf, ':');
	if (!addr || port == addr)
		return -1;
	*addr++ = '\0';
	*port++ = '\0';
	if (!strcmp(buf, "tcp4") || !strcmp(buf, "udp4"))
		v6 = 0;
	else if (!strcmp(buf, "tcp6") || !strcmp(buf, "udp6"))
		v6 = 1;
	else
		return -1;
	*type = buf[0] == 't' ? SOCK_STREAM : SOCK_DGRAM;
	memset(ss, 0, sizeof(*ss));
	if (v6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)atoi(port));
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
			return -1;
		*len = sizeof(*s6);
	} else {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)atoi(port));
		if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
			return -1;
		*len = sizeof(*s4);
	}
	return 0;
}

static const char *ename(int e)
{
	switch (e) {
	case 0:			return "OK";
	case EADDRINUSE:	return "EADDRINUSE";
	case EACCES:		return "EACCES";
	case EINVAL:		return "EINVAL";
	case EADDRNOTAVAIL:	return "EADDRNOTAVAIL";
	default:		return "E?";
	}
}

static int bind_one(struct ring *r, const char *spec)
{
	struct sockaddr_storage ss, got;
	socklen_t len, glen = sizeof(got);
	struct io_uring_sqe *sqe;
	int type, fd, res, port = -1;

	if (parse_spec(spec, &ss, &len, &type)) {
		fprintf(stderr, "iouprog: bad spec %s\n", spec);
		return -1;
	}
	fd = socket(ss.ss_family, type, 0);
	if (fd < 0) {
		perror("socket");
		return -1;
	}
	sqe = ring_sqe(r);
	sqe->opcode = OP_BIND;
	sqe->fd = fd;
	sqe->addr = (unsigned long long)(unsigned long)&ss;
	sqe->off = len;		/* addr2: the address length */
	sqe->user_data = 0x6b62;
	res = ring_run(r, 1, NULL);
	if (res == 0 && !getsockname(fd, (struct sockaddr *)&got, &glen))
		port = ntohs(((struct sockaddr_in *)&got)->sin_port);
	/* the buffer is garbage now, as a reusing server would leave it */
	memset(&ss, 0xA5, sizeof(ss));
	printf("BIND %s %d %s %d fd %d\n", spec, res, ename(-res), port, fd);
	fflush(stdout);
	return 0;
}

static void nop_storm(struct ring *r, double secs)
{
	struct timespec a, b;
	unsigned long long n = 0;
	double t;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		unsigned int batch = r->entries < 64 ? r->entries : 64;

		for (unsigned int i = 0; i < batch; i++)
			ring_sqe(r)->opcode = OP_NOP;
		ring_run(r, batch, NULL);
		n += batch;
		clock_gettime(CLOCK_MONOTONIC, &b);
		t = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9;
	} while (t < secs);
	printf("NOPS %.0f\n", (double)n / t);
}

int main(int argc, char **argv)
{
	int opt, sqpoll = 0, wait_s = 0;
	double storm = 0;
	const char *ready = NULL;
	struct ring r;
	int ret;

	while ((opt = getopt(argc, argv, "qn:w:p:b:")) != -1) {
		switch (opt) {
		case 'q': sqpoll = 1; break;
		case 'n': prctl(PR_SET_NAME, optarg, 0, 0, 0); break;
		case 'w': wait_s = atoi(optarg); break;
		case 'p': ready = optarg; break;
		case 'b': storm = atof(optarg); break;
		default:
			fprintf(stderr, "usage: iouprog [-q] [-n NAME] [-w SECS] [-p FILE] [-b SECS] SPEC...\n");
			return 2;
		}
	}
	ret = ring_init(&r, 128, sqpoll);
	if (ret) {
		fprintf(stderr, "iouprog: io_uring_setup: %s\n", strerror(-ret));
		return 3;
	}
	if (storm > 0) {
		nop_storm(&r, storm);
		return 0;
	}
	for (int i = optind; i < argc; i++)
		if (bind_one(&r, argv[i]))
			return 2;
	if (ready) {
		FILE *f = fopen(ready, "w");

		if (f) {
			fputs("ready\n", f);
			fclose(f);
		}
	}
	if (wait_s)
		sleep((unsigned int)wait_s);
	return 0;
}
