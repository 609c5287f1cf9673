// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * queue.c - lock-free single-producer single-consumer ring (see queue.h).
 *
 * head is written only by the consumer, tail only by the producer; each
 * reads the other's index with acquire and publishes its own with release,
 * so a slot is never read before it is fully written.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "queue.h"
#include "xalloc.h"

struct kb_queue {
	struct kb_event *slot;
	size_t mask;
	_Alignas(64) atomic_size_t head;	/* consumer */
	_Alignas(64) atomic_size_t tail;	/* producer */
	size_t woken_tail;			/* producer-private */
	atomic_uint_fast64_t drops;
	int efd;
};

struct kb_queue *kb_queue_new(size_t capacity)
{
	struct kb_queue *q = xcalloc(1, sizeof(*q));
	size_t cap = 64;

	while (cap < capacity)
		cap *= 2;
	q->slot = xmalloc(cap * sizeof(*q->slot));
	q->mask = cap - 1;
	atomic_init(&q->head, 0);
	atomic_init(&q->tail, 0);
	atomic_init(&q->drops, 0);
	q->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->efd < 0) {
		int e = errno;

		free(q->slot);
		free(q);
		errno = e;
		return NULL;
	}
	return q;
}

void kb_queue_free(struct kb_queue *q)
{
	if (!q)
		return;
	close(q->efd);
	free(q->slot);
	free(q);
}

bool kb_queue_push(struct kb_queue *q, const struct kb_event *ev)
{
	size_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&q->head, memory_order_acquire);

	if (tail - head > q->mask) {
		atomic_fetch_add_explicit(&q->drops, 1, memory_order_relaxed);
		return false;
	}
	q->slot[tail & q->mask] = *ev;
	atomic_store_explicit(&q->tail, tail + 1, memory_order_release);
	return true;
}

void kb_queue_wake(struct kb_queue *q)
{
	size_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
	uint64_t one = 1;

	if (tail == q->woken_tail)
		return;
	q->woken_tail = tail;
	if (write(q->efd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is saturated, the consumer is awake anyway */
	}
}

size_t kb_queue_pop(struct kb_queue *q, struct kb_event *out, size_t max)
{
	size_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
	size_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);
	size_t n = tail - head;

	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		out[i] = q->slot[(head + i) & q->mask];
	atomic_store_explicit(&q->head, head + n, memory_order_release);
	return n;
}

int kb_queue_fd(const struct kb_queue *q)
{
	return q->efd;
}

void kb_queue_ack(struct kb_queue *q)
{
	uint64_t v;

	if (read(q->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing pending */
	}
}

uint64_t kb_queue_drops(struct kb_queue *q)
{
	return atomic_load_explicit(&q->drops, memory_order_relaxed);
}
