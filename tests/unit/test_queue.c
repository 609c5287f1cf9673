// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_queue.c - the reader-to-consumer queue: room is what the producer
 * may push (it never drops), the producer is woken once half the queue is
 * free, a consumer that asked to drain waits for the end of the stream,
 * and an abandoned queue lets the producer finish.
 */
#include "config.h"

#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "queue.h"

static int readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

static void test_room(void)
{
	struct kb_queue *q = kb_queue_new(100);	/* rounded up to 128 */
	struct kb_event ev = { 0 }, out[200];
	size_t cap;

	CHECK(q != NULL);
	cap = kb_queue_capacity(q);
	CHECK_INT(cap, 128);
	CHECK_INT(kb_queue_room(q), cap);
	for (size_t i = 0; i < cap; i++) {
		ev.tid = (int32_t)i;
		kb_queue_push(q, &ev);
	}
	CHECK_INT(kb_queue_room(q), 0);
	/* full: the producer arms the wakeup; nothing is free, so it must sleep */
	CHECK(!kb_queue_want_room(q));
	CHECK(!readable(kb_queue_room_fd(q)));
	CHECK_INT(kb_queue_pop(q, out, 10), 10);
	CHECK_INT(out[0].tid, 0);
	CHECK_INT(out[9].tid, 9);
	CHECK(!readable(kb_queue_room_fd(q)));	/* not half free yet */
	CHECK_INT(kb_queue_pop(q, out, 60), 60);
	CHECK(readable(kb_queue_room_fd(q)));	/* 70 of 128 free: wake the producer */
	kb_queue_room_ack(q);
	CHECK_INT(kb_queue_room(q), 70);
	CHECK(kb_queue_want_room(q));		/* already more than half free: do not sleep */
	CHECK_INT(kb_queue_pop(q, out, 200), cap - 70);
	CHECK_INT(out[0].tid, 70);
	CHECK_INT(kb_queue_pop(q, out, 200), 0);	/* empty, not draining: returns at once */
	kb_queue_free(q);
}

static void *producer(void *arg)
{
	struct kb_queue *q = arg;
	struct kb_event ev = { 0 };

	for (int i = 0; i < 1000; i++) {
		while (!kb_queue_room(q)) {
			struct pollfd p = { .fd = kb_queue_room_fd(q), .events = POLLIN };

			if (kb_queue_want_room(q))
				continue;
			poll(&p, 1, 1000);
			kb_queue_room_ack(q);
		}
		ev.tid = i;
		kb_queue_push(q, &ev);
		kb_queue_wake(q);
		if (i % 100 == 0)
			usleep(1000);
	}
	kb_queue_close(q);
	return NULL;
}

/* After kb_queue_drain, pop returns 0 only at the end of the stream: nothing is missed. */
static void test_drain_to_end(void)
{
	struct kb_queue *q = kb_queue_new(64);
	struct kb_event out[16];
	pthread_t th;
	int next = 0, ok = 1;
	size_t n;

	kb_queue_drain(q);
	pthread_create(&th, NULL, producer, q);
	while ((n = kb_queue_pop(q, out, 16)) > 0)
		for (size_t i = 0; i < n; i++)
			ok &= out[i].tid == next++;
	pthread_join(th, NULL);
	CHECK(ok);
	CHECK_INT(next, 1000);
	kb_queue_free(q);
}

/* A consumer that left: room is unlimited and pushes are discarded. */
static void test_abandon(void)
{
	struct kb_queue *q = kb_queue_new(64);
	struct kb_event ev = { 0 }, out[4];

	for (int i = 0; i < 64; i++)
		kb_queue_push(q, &ev);
	CHECK_INT(kb_queue_room(q), 0);
	kb_queue_abandon(q);
	CHECK(readable(kb_queue_room_fd(q)));
	CHECK(kb_queue_room(q) > 64);
	kb_queue_push(q, &ev);
	CHECK_INT(kb_queue_pop(q, out, 4), 4);
	kb_queue_free(q);
}

int main(void)
{
	CHECK_INT(kb_queue_slots_for(0), 64);
	CHECK_INT(kb_queue_slots_for(1024 * sizeof(struct kb_event)), 1024);
	CHECK_INT(kb_queue_slots_for(1023 * sizeof(struct kb_event)), 512);
	test_room();
	test_drain_to_end();
	test_abandon();
	return check_done("test_queue");
}
