// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_pair.c - the pairing state machine with synthetic records: calls
 * split across CPUs and read out of order, stacks, lost exits, libc
 * uprobe records that match or do not, io_uring-style binds, the
 * watermark that holds records until every CPU has been read past them,
 * and the bounds: a full window refuses records (nothing dropped), a
 * flush emits no more calls than the sink has room for.
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "pair.h"

#define MAXEV 64

static struct kb_event evs[MAXEV];
static int nev;
static size_t room = SIZE_MAX;	/* the sink takes everything */

static void collect(void *ctx, const struct kb_event *ev)
{
	if (nev < MAXEV)
		evs[nev++] = *ev;
}

static struct kb_rec rec(enum kb_role role, int tid, uint64_t ts, int cpu)
{
	struct kb_rec r;

	memset(&r, 0, sizeof(r));
	r.role = role;
	r.tid = tid;
	r.ts = ts;
	r.cpu = cpu;
	r.fd = -1;
	r.stype = -1;
	return r;
}

static struct kb_rec enter(int tid, uint64_t ts, int cpu, int fd, uint64_t uptr)
{
	struct kb_rec r = rec(KB_ROLE_ENTER, tid, ts, cpu);

	r.fd = fd;
	r.uptr = uptr;
	r.addrlen = 16;
	return r;
}

static struct kb_rec uaddr(int tid, uint64_t ts, int cpu, int fd, uint64_t uptr, uint16_t port)
{
	struct kb_rec r = rec(KB_ROLE_UADDR, tid, ts, cpu);

	r.fd = fd;
	r.uptr = uptr;
	r.sa[0] = 2;		/* AF_INET, little-endian */
	r.sa[2] = (uint8_t)(port >> 8);
	r.sa[3] = (uint8_t)port;
	r.sa_len = 16;
	r.sa_src = KB_ADDR_UPROBE;
	r.ra = 0x401234;
	r.has_comm = true;
	snprintf(r.comm, sizeof(r.comm), "prog%d", tid);
	return r;
}

static struct kb_rec ret(int tid, uint64_t ts, int cpu, int v)
{
	struct kb_rec r = rec(KB_ROLE_EXIT, tid, ts, cpu);

	r.ret = v;
	return r;
}

static struct kb_rec ustack(int tid, uint64_t ts, int cpu, int tgid)
{
	struct kb_rec r = rec(KB_ROLE_USTACK, tid, ts, cpu);

	r.tgid = (uint32_t)tgid;
	r.nframes = 3;
	r.frames[0] = 0x7f0000001000;	/* inside libc bind() */
	r.frames[1] = 0x401500;		/* the caller's caller */
	r.frames[2] = 0x401600;
	return r;
}

/* Migration inside one bind: exit read (other CPU) before enter. */
static void test_cross_cpu(void)
{
	struct kb_pair *p = kb_pair_new(4, true, 0, collect, NULL);
	struct kb_rec r;
	struct kb_pair_stats st;

	nev = 0;
	r = ret(100, 300, 1, -98);
	kb_pair_add(p, 1, &r);
	r = uaddr(100, 100, 0, 5, 0x7ffd0000, 8080);
	kb_pair_add(p, 0, &r);
	r = enter(100, 150, 0, 5, 0x7ffd0000);
	kb_pair_add(p, 0, &r);
	r = ustack(100, 151, 0, 99);
	kb_pair_add(p, 0, &r);
	/* watermark before the exit: nothing may come out yet */
	kb_pair_flush(p, 200, &room);
	CHECK_INT(nev, 0);
	kb_pair_flush(p, 1000, &room);
	CHECK_INT(nev, 1);
	CHECK_INT(evs[0].pid, 99);
	CHECK_INT(evs[0].tid, 100);
	CHECK_INT(evs[0].fd, 5);
	CHECK_INT(evs[0].ret, -98);
	CHECK_INT(evs[0].ts, 150);
	CHECK_INT(evs[0].ts_exit, 300);
	CHECK_INT(evs[0].addr_src, KB_ADDR_UPROBE);
	CHECK_INT(evs[0].sa[3], 8080 & 0xff);
	CHECK_STR(evs[0].comm, "prog100");
	/* the direct caller is inserted after frame 0 */
	CHECK_INT(evs[0].n_ustack, 4);
	CHECK_INT(evs[0].ustack[1], 0x401234);
	CHECK_INT(evs[0].ustack[2], 0x401500);
	CHECK(evs[0].flags & KB_EVF_CALLER_FIXED);
	kb_pair_get_stats(p, &st);
	CHECK_INT(st.unmatched_exit, 0);
	CHECK_INT(st.calls, 1);
	CHECK_INT(kb_pair_waiting(p), 0);
	kb_pair_free(p);
}

/* A uprobe for another fd (or a bind not via libc) does not lend its address. */
static void test_uprobe_mismatch(void)
{
	struct kb_pair *p = kb_pair_new(2, false, 0, collect, NULL);
	struct kb_rec r;
	struct kb_pair_stats st;

	nev = 0;
	r = uaddr(7, 10, 0, 3, 0x1000, 80);
	kb_pair_add(p, 0, &r);
	r = enter(7, 20, 0, 4, 0x1000);
	kb_pair_add(p, 0, &r);
	r = ret(7, 30, 0, 0);
	kb_pair_add(p, 0, &r);
	kb_pair_flush(p, 100, &room);
	CHECK_INT(nev, 1);
	CHECK_INT(evs[0].addr_src, KB_ADDR_NONE);
	CHECK_INT(evs[0].sa_len, 0);
	CHECK_STR(evs[0].comm, "");
	kb_pair_get_stats(p, &st);
	CHECK_INT(st.unmatched_addr, 1);
	kb_pair_free(p);
}

/* Lost exit: the next entry of the thread closes the previous call. */
static void test_lost_exit(void)
{
	struct kb_pair *p = kb_pair_new(1, false, 0, collect, NULL);
	struct kb_rec r;
	struct kb_pair_stats st;

	nev = 0;
	r = enter(5, 10, 0, 3, 0);
	kb_pair_add(p, 0, &r);
	r = enter(5, 20, 0, 4, 0);
	kb_pair_add(p, 0, &r);
	r = ret(5, 30, 0, 0);
	kb_pair_add(p, 0, &r);
	r = ret(6, 31, 0, 0);		/* a return whose entry we never saw */
	kb_pair_add(p, 0, &r);
	kb_pair_flush(p, 100, &room);
	CHECK_INT(nev, 2);
	CHECK_INT(evs[0].fd, 3);
	CHECK_INT(evs[0].ret, KB_RET_UNKNOWN);
	CHECK(evs[0].flags & KB_EVF_NO_EXIT);
	CHECK_INT(evs[1].fd, 4);
	CHECK_INT(evs[1].ret, 0);
	kb_pair_get_stats(p, &st);
	CHECK_INT(st.no_exit, 1);
	CHECK_INT(st.unmatched_exit, 1);
	kb_pair_free(p);
}

/* An entry whose exit never comes is given up after the hold time. */
static void test_expire(void)
{
	struct kb_pair *p = kb_pair_new(1, false, 0, collect, NULL);
	struct kb_rec r;

	nev = 0;
	r = enter(9, 1000, 0, 3, 0);
	kb_pair_add(p, 0, &r);
	kb_pair_flush(p, 2000, &room);
	CHECK_INT(nev, 0);
	CHECK_INT(kb_pair_waiting(p), 1);
	kb_pair_flush(p, 1000 + 6000000000ULL, &room);
	CHECK_INT(nev, 1);
	CHECK(evs[0].flags & KB_EVF_NO_EXIT);
	CHECK_INT(kb_pair_waiting(p), 0);
	kb_pair_free(p);
}

/* Kernel copy nested in bind(2) wins; a KSOCK alone is an io_uring bind. */
static void test_ksock(void)
{
	struct kb_pair *p = kb_pair_new(1, false, 0, collect, NULL);
	struct kb_rec r;

	nev = 0;
	r = enter(3, 10, 0, 8, 0x2000);
	r.sa_len = 16;
	r.sa[0] = 2;
	r.sa[3] = 1;
	r.sa_src = KB_ADDR_KPROBE;
	kb_pair_add(p, 0, &r);
	r = rec(KB_ROLE_KSOCK, 3, 11, 0);
	r.sa_len = 16;
	r.sa[0] = 2;
	r.sa[3] = 2;
	r.sa_src = KB_ADDR_KCOPY;
	r.stype = 1;
	kb_pair_add(p, 0, &r);
	r = ret(3, 12, 0, 0);
	kb_pair_add(p, 0, &r);
	/* io_uring: worker thread 4, no bind(2) */
	r = rec(KB_ROLE_KSOCK, 4, 20, 0);
	r.sa_len = 16;
	r.sa[0] = 2;
	r.sa[3] = 3;
	r.sa_src = KB_ADDR_KCOPY;
	kb_pair_add(p, 0, &r);
	r = rec(KB_ROLE_KSOCK_EXIT, 4, 21, 0);
	r.ret = -13;
	kb_pair_add(p, 0, &r);
	kb_pair_flush(p, 100, &room);
	CHECK_INT(nev, 2);
	CHECK_INT(evs[0].addr_src, KB_ADDR_KCOPY);
	CHECK_INT(evs[0].sa[3], 2);
	CHECK_INT(evs[0].stype, 1);
	CHECK_INT(evs[0].fd, 8);
	CHECK(!(evs[0].flags & KB_EVF_IOURING));
	CHECK(evs[1].flags & KB_EVF_IOURING);
	CHECK_INT(evs[1].ret, -13);
	CHECK_INT(evs[1].sa[3], 3);
	kb_pair_free(p);
}

/*
 * io_uring tracepoints (no kprobes): submission and completion joined by
 * request pointer, other completions ignored, the completion gate closed
 * once nothing is in flight and reopened for a BIND submitted before that
 * close; a completion that never comes ends as "return unknown".
 */
static void test_iouring_events(void)
{
	struct kb_pair *p = kb_pair_new(2, false, 0, collect, NULL);
	struct kb_pair_stats st;
	char path[] = "/tmp/kbt-gate.XXXXXX", buf[16] = "";
	int fd = mkstemp(path);
	struct kb_rec r;

	CHECK(fd >= 0);
	kb_pair_set_iou_gate(p, dup(fd));
	nev = 0;
	r = rec(KB_ROLE_IOU_SUBMIT, 5, 10, 0);
	r.req = 0xffff888000001000ULL;
	r.sqthread = true;
	kb_pair_add(p, 0, &r);
	r = rec(KB_ROLE_IOU_COMPLETE, 6, 11, 1);	/* somebody else's read */
	r.req = 0xffff888000002000ULL;
	kb_pair_add(p, 1, &r);
	r = rec(KB_ROLE_IOU_COMPLETE, 5, 12, 1);
	r.req = 0xffff888000001000ULL;
	r.ret = -98;
	kb_pair_add(p, 1, &r);
	CHECK_INT(kb_pair_waiting(p), 0);
	kb_pair_flush(p, 100, &room);
	CHECK_INT(nev, 1);
	CHECK_INT(evs[0].ret, -98);
	CHECK_INT(evs[0].tid, 5);
	CHECK_INT(evs[0].fd, -1);
	CHECK_INT(evs[0].ts_exit, 12);
	CHECK(evs[0].flags & KB_EVF_IOURING);
	CHECK(evs[0].flags & KB_EVF_SQPOLL);
	CHECK(!(evs[0].flags & KB_EVF_NO_EXIT));
	/* submitted before the close at 100: the gate must be reopened */
	r = rec(KB_ROLE_IOU_SUBMIT, 7, 90, 0);
	r.req = 0xffff888000003000ULL;
	kb_pair_add(p, 0, &r);
	kb_pair_flush(p, 200, &room);
	CHECK_INT(nev, 1);
	CHECK_INT(kb_pair_waiting(p), 1);
	kb_pair_flush(p, 200 + 3000000000ULL, &room);
	CHECK_INT(nev, 2);
	CHECK(evs[1].flags & KB_EVF_NO_EXIT);
	CHECK_INT(evs[1].ret, KB_RET_UNKNOWN);
	kb_pair_get_stats(p, &st);
	CHECK_INT(st.calls, 2);
	CHECK_INT(st.no_exit, 1);
	CHECK_INT(st.iou_noise, 1);
	CHECK_INT(pread(fd, buf, sizeof(buf) - 1, 0), 3);
	CHECK_STR(buf, "010");
	close(fd);
	unlink(path);
	kb_pair_free(p);
}

/* kernel_bind: its own entry and return; a syscall return on that thread does not end it. */
static void test_kernel_bind(void)
{
	struct kb_pair *p = kb_pair_new(1, false, 0, collect, NULL);
	struct kb_rec r;

	nev = 0;
	r = rec(KB_ROLE_KBIND, 40, 10, 0);
	r.sa_len = 16;
	r.sa[0] = 2;
	r.sa_src = KB_ADDR_KCOPY;
	kb_pair_add(p, 0, &r);
	r = ret(40, 11, 0, -22);
	kb_pair_add(p, 0, &r);
	r = rec(KB_ROLE_KBIND_EXIT, 40, 12, 0);
	kb_pair_add(p, 0, &r);
	kb_pair_flush(p, 100, &room);
	CHECK_INT(nev, 1);
	CHECK_INT(evs[0].ret, 0);
	CHECK(evs[0].flags & KB_EVF_KERNEL);
	CHECK(!(evs[0].flags & KB_EVF_IOURING));
	CHECK_INT(evs[0].addr_src, KB_ADDR_KCOPY);
	kb_pair_free(p);
}

/* Records that arrive after their watermark passed are counted. */
static void test_late(void)
{
	struct kb_pair *p = kb_pair_new(1, false, 0, collect, NULL);
	struct kb_rec r;
	struct kb_pair_stats st;

	nev = 0;
	kb_pair_flush(p, 500, &room);
	r = enter(1, 100, 0, 3, 0);
	kb_pair_add(p, 0, &r);
	kb_pair_get_stats(p, &st);
	CHECK_INT(st.late, 1);
	kb_pair_flush_all(p, &room);
	CHECK_INT(nev, 1);
	kb_pair_free(p);
}

/* Many threads at once: all paired, none confused. */
static void test_many_threads(void)
{
	struct kb_pair *p = kb_pair_new(2, false, 0, collect, NULL);
	struct kb_rec r;
	int ok = 1;

	for (int round = 0; round < 4; round++) {
		nev = 0;
		for (int t = 1; t <= 60; t++) {
			r = enter(t, (uint64_t)(round * 1000 + t), t % 2, t, 0);
			kb_pair_add(p, t % 2, &r);
		}
		/* each stream is in time order; the exits sit on the other CPU */
		for (int t = 1; t <= 60; t++) {
			r = ret(t, (uint64_t)(round * 1000 + 100 + t), (t + 1) % 2, -t);
			kb_pair_add(p, (t + 1) % 2, &r);
		}
		kb_pair_flush(p, (uint64_t)(round * 1000 + 999), &room);
		CHECK_INT(nev, 60);
		for (int i = 0; i < nev; i++)
			ok &= evs[i].ret == -evs[i].fd && evs[i].tid == evs[i].fd;
		/* emitted in time order of the returns */
		for (int i = 1; i < nev; i++)
			ok &= evs[i - 1].ts_exit <= evs[i].ts_exit;
	}
	CHECK(ok);
	kb_pair_free(p);
}

/*
 * A small window fills, refuses (keeping nothing), takes again once
 * flushed, wraps around its end and still gives every call, in order.
 */
static void test_window_bound(void)
{
	/* 3/2 * 4 KB: the smallest window, 4 KB per stream */
	struct kb_pair *p = kb_pair_new(1, false, 6144, collect, NULL);
	struct kb_pair_stats st;
	struct kb_rec r;
	int taken = 0, t, refused = 0, ok = 1;
	uint64_t ts = 1;

	nev = 0;
	/*
	 * Rounds so the ring wraps: refuse, flush a little (a sink with room
	 * for 3 calls frees only part of the window, so the free space is
	 * split around the end), retry the same record.
	 */
	for (t = 1; t <= 120; t++) {
		for (int k = 0; k < 2; k++) {
			r = k ? ret(t, ts, 0, -t) : enter(t, ts, 0, t, 0);
			while (!kb_pair_add(p, 0, &r)) {
				size_t little = 3;

				refused++;
				CHECK(!kb_pair_has_room(p, 0));
				kb_pair_flush(p, ts, &little);
				if (refused > 1000)
					break;
			}
			taken++;
			ts++;
		}
		if (nev >= MAXEV - 2) {
			for (int i = 0; i < nev; i++)
				ok &= evs[i].ret == -evs[i].tid && (i == 0 || evs[i - 1].tid + 1 == evs[i].tid);
			nev = 0;
		}
	}
	kb_pair_flush_all(p, &room);
	for (int i = 0; i < nev; i++)
		ok &= evs[i].ret == -evs[i].tid && (i == 0 || evs[i - 1].tid + 1 == evs[i].tid);
	CHECK(ok);
	CHECK(refused > 0);
	CHECK(refused < 1000);
	CHECK_INT(taken, 240);
	kb_pair_get_stats(p, &st);
	CHECK_INT(st.calls, 120);
	CHECK_INT(st.no_exit, 0);
	CHECK_INT(st.unmatched_exit, 0);
	CHECK_INT(st.window_full, refused);
	CHECK(st.peak_bytes <= 4096);
	kb_pair_free(p);
}

/* A flush emits at most the room it is given, and resumes where it stopped. */
static void test_room(void)
{
	struct kb_pair *p = kb_pair_new(2, false, 0, collect, NULL);
	struct kb_rec r;
	size_t little;

	nev = 0;
	for (int t = 1; t <= 5; t++) {
		r = enter(t, (uint64_t)t * 10, 0, t, 0);
		kb_pair_add(p, 0, &r);
		r = ret(t, (uint64_t)t * 10 + 5, 1, 0);
		kb_pair_add(p, 1, &r);
	}
	little = 2;
	CHECK(kb_pair_flush(p, 1000, &little));	/* stopped for room */
	CHECK_INT(little, 0);
	CHECK_INT(nev, 2);
	little = 0;
	CHECK(kb_pair_flush(p, 1000, &little));
	CHECK_INT(nev, 2);
	little = 10;
	CHECK(!kb_pair_flush(p, 1000, &little));
	CHECK_INT(little, 7);
	CHECK_INT(nev, 5);
	for (int i = 0; i < nev; i++)
		CHECK_INT(evs[i].tid, i + 1);
	/* open calls at shutdown also wait for room */
	nev = 0;
	for (int t = 1; t <= 3; t++) {
		r = enter(t, (uint64_t)t + 2000, 0, t, 0);
		kb_pair_add(p, 0, &r);
	}
	little = 1;
	CHECK(!kb_pair_flush_all(p, &little));
	CHECK_INT(nev, 1);
	little = 1;
	CHECK(!kb_pair_flush_all(p, &little));
	little = 5;
	CHECK(kb_pair_flush_all(p, &little));
	CHECK_INT(nev, 3);
	CHECK_INT(kb_pair_waiting(p), 0);
	kb_pair_free(p);
}

/*
 * io_uring binds come out of the same room as the others: joined ones in
 * the drain, ones given up on after the hold time, and those in flight at
 * shutdown; what does not fit waits for the next flush.
 */
static void test_iouring_room(void)
{
	struct kb_pair *p = kb_pair_new(2, false, 0, collect, NULL);
	struct kb_rec r;
	size_t little;

	nev = 0;
	for (int i = 0; i < 3; i++) {
		r = rec(KB_ROLE_IOU_SUBMIT, 50 + i, 10 + (uint64_t)i * 10, 0);
		r.req = 0x1000 + (uint64_t)i;
		kb_pair_add(p, 0, &r);
		r = rec(KB_ROLE_IOU_COMPLETE, 50 + i, 15 + (uint64_t)i * 10, 1);
		r.req = 0x1000 + (uint64_t)i;
		kb_pair_add(p, 1, &r);
	}
	little = 1;
	CHECK(kb_pair_flush(p, 100, &little));	/* stopped for room */
	CHECK_INT(little, 0);
	CHECK_INT(nev, 1);
	little = 0;
	CHECK(kb_pair_flush(p, 100, &little));
	CHECK_INT(nev, 1);
	little = 5;
	CHECK(!kb_pair_flush(p, 100, &little));
	CHECK_INT(little, 3);
	CHECK_INT(nev, 3);
	for (int i = 0; i < nev; i++)
		CHECK_INT(evs[i].tid, 50 + i);
	/* two binds whose completion never comes: given up on only into room */
	for (int i = 0; i < 2; i++) {
		r = rec(KB_ROLE_IOU_SUBMIT, 60 + i, 200 + (uint64_t)i, 0);
		r.req = 0x2000 + (uint64_t)i;
		kb_pair_add(p, 0, &r);
	}
	little = 5;
	CHECK(!kb_pair_flush(p, 300, &little));
	CHECK_INT(kb_pair_waiting(p), 2);
	little = 1;
	CHECK(kb_pair_flush(p, 300 + 3000000000ULL, &little));
	CHECK_INT(little, 0);
	CHECK_INT(nev, 4);
	CHECK_INT(kb_pair_waiting(p), 1);
	little = 0;
	CHECK(kb_pair_flush(p, 300 + 3000000000ULL, &little));
	CHECK_INT(nev, 4);
	little = 1;
	CHECK(!kb_pair_flush(p, 300 + 3000000000ULL, &little));
	CHECK_INT(nev, 5);
	CHECK(evs[3].flags & KB_EVF_NO_EXIT);
	CHECK(evs[4].flags & KB_EVF_NO_EXIT);
	/* in flight at shutdown */
	for (int i = 0; i < 2; i++) {
		r = rec(KB_ROLE_IOU_SUBMIT, 70 + i, 4000000000ULL + (uint64_t)i, 0);
		r.req = 0x3000 + (uint64_t)i;
		kb_pair_add(p, 0, &r);
	}
	little = 1;
	CHECK(!kb_pair_flush_all(p, &little));
	CHECK_INT(nev, 6);
	little = 0;
	CHECK(!kb_pair_flush_all(p, &little));
	CHECK_INT(nev, 6);
	little = 3;
	CHECK(kb_pair_flush_all(p, &little));
	CHECK_INT(little, 2);
	CHECK_INT(nev, 7);
	CHECK_INT(kb_pair_waiting(p), 0);
	kb_pair_free(p);
}

int main(void)
{
	test_cross_cpu();
	test_uprobe_mismatch();
	test_lost_exit();
	test_expire();
	test_ksock();
	test_late();
	test_many_threads();
	test_window_bound();
	test_room();
	test_iouring_events();
	test_kernel_bind();
	test_iouring_room();
	return check_done("test_pair");
}
