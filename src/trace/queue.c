// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * queue.c - lock-free single-producer single-consumer ring (see queue.h).
 *
 * head is written only by the consumer, tail only by the producer; each
 * reads the other's index with acquire and publishes its own with release,
 * so a slot is never read before it is fully written.  The slots are
 * allocated once: the queue never grows and never copies what it holds.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "queue.h"
#include "xalloc.h"

/*
 * Copy the parts of an event that hold data: the fixed fields, the address
 * bytes, the frames in use, and whatever follows the stacks.  A slot is
 * sizeof(struct kb_event); a call without stacks uses a fifth of it.
 * Readers of an event go by sa_len, n_ustack and n_kstack.
 */
_Static_assert(offsetof(struct kb_event, ustack) - offsetof(struct kb_event, sa) - KB_SA_MAX < 8 &&
	       offsetof(struct kb_event, kstack) == offsetof(struct kb_event, ustack) +
	       KB_USTACK_MAX * sizeof(uint64_t),
	       "ev_copy expects sa, ustack, kstack last but for what follows them");

static void ev_copy(struct kb_event *dst, const struct kb_event *src)
{
	size_t sa = src->sa_len < KB_SA_MAX ? src->sa_len : KB_SA_MAX;
	size_t nu = src->n_ustack < KB_USTACK_MAX ? src->n_ustack : KB_USTACK_MAX;
	size_t nk = src->n_kstack < KB_KSTACK_MAX ? src->n_kstack : KB_KSTACK_MAX;
	size_t rest = offsetof(struct kb_event, kstack) + sizeof(src->kstack);

	memcpy(dst, src, offsetof(struct kb_event, sa) + sa);
	memcpy(dst->ustack, src->ustack, nu * sizeof(src->ustack[0]));
	memcpy(dst->kstack, src->kstack, nk * sizeof(src->kstack[0]));
	if (sizeof(*src) > rest)
		memcpy((char *)dst + rest, (const char *)src + rest, sizeof(*src) - rest);
}

#ifdef KB_TEST_KNOBS
/* test builds only: a consumer held to a fixed rate, whatever the machine's speed */
struct knob {
	double rate;		/* events/s, 0 = off */
	double credit;		/* events the consumer may take now */
	struct timespec last;
};
#endif

struct kb_queue {
	struct kb_event *slot;
	size_t mask;
	_Alignas(64) atomic_size_t head;	/* consumer */
	_Alignas(64) atomic_size_t tail;	/* producer */
	size_t woken_tail;			/* producer-private */
	atomic_bool want_room;			/* producer sleeps until room */
	atomic_bool draining;			/* consumer reads to the end */
	atomic_bool closed;			/* producer is done */
	atomic_bool abandoned;			/* consumer is gone */
	int efd;				/* wakes the consumer */
	int room_fd;				/* wakes the producer */
#ifdef KB_TEST_KNOBS
	struct knob knob;
#endif
};

static void efd_signal(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is saturated, the other side is awake anyway */
	}
}

static void efd_ack(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing pending */
	}
}

#ifdef KB_TEST_KNOBS
static void knob_init(struct knob *k)
{
	const char *s = getenv("KBINDTOP_TEST_CONSUMER_RATE");

	k->rate = s ? strtod(s, NULL) : 0;
	if (k->rate < 0)
		k->rate = 0;
	clock_gettime(CLOCK_MONOTONIC, &k->last);
}

/* How many of n waiting events the consumer may take; sleeps until it may take one. */
static size_t knob_limit(struct knob *k, size_t n)
{
	for (;;) {
		struct timespec now;
		double dt;

		clock_gettime(CLOCK_MONOTONIC, &now);
		dt = (double)(now.tv_sec - k->last.tv_sec) + (double)(now.tv_nsec - k->last.tv_nsec) / 1e9;
		k->last = now;
		k->credit += dt * k->rate;
		if (k->credit > k->rate / 10 + 1)	/* no burst after an idle spell */
			k->credit = k->rate / 10 + 1;
		if (k->credit >= 1)
			break;
		struct timespec nap = { 0, (long)((1 - k->credit) / k->rate * 1e9) + 1000 };

		nanosleep(&nap, NULL);
	}
	if ((double)n > k->credit)
		n = (size_t)k->credit;
	k->credit -= (double)n;
	return n;
}
#endif

size_t kb_queue_slots_for(size_t bytes)
{
	size_t cap = 64;

	while (cap * 2 * sizeof(struct kb_event) <= bytes)
		cap *= 2;
	return cap;
}

struct kb_queue *kb_queue_new(size_t capacity)
{
	struct kb_queue *q = xcalloc(1, sizeof(*q));
	size_t cap = 64;
	int e;

	while (cap < capacity)
		cap *= 2;
	/* untouched slots cost no memory until the ring first goes round */
	q->slot = xmalloc(cap * sizeof(*q->slot));
	q->mask = cap - 1;
	atomic_init(&q->head, 0);
	atomic_init(&q->tail, 0);
	atomic_init(&q->want_room, false);
	atomic_init(&q->draining, false);
	atomic_init(&q->closed, false);
	atomic_init(&q->abandoned, false);
	q->room_fd = -1;
	q->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->efd < 0)
		goto fail;
	q->room_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->room_fd < 0)
		goto fail;
#ifdef KB_TEST_KNOBS
	knob_init(&q->knob);
#endif
	return q;
fail:
	e = errno;
	kb_queue_free(q);
	errno = e;
	return NULL;
}

void kb_queue_free(struct kb_queue *q)
{
	if (!q)
		return;
	if (q->efd >= 0)
		close(q->efd);
	if (q->room_fd >= 0)
		close(q->room_fd);
	free(q->slot);
	free(q);
}

size_t kb_queue_capacity(const struct kb_queue *q)
{
	return q->mask + 1;
}

size_t kb_queue_room(struct kb_queue *q)
{
	size_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&q->head, memory_order_acquire);

	if (atomic_load_explicit(&q->abandoned, memory_order_relaxed))
		return SIZE_MAX / 2;
	return q->mask + 1 - (tail - head);
}

void kb_queue_push(struct kb_queue *q, const struct kb_event *ev)
{
	size_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&q->head, memory_order_acquire);

	if (atomic_load_explicit(&q->abandoned, memory_order_relaxed))
		return;
	/* the producer asked for room first: a full queue here is a bug, not a drop */
	if (tail - head > q->mask)
		abort();
	ev_copy(&q->slot[tail & q->mask], ev);
	atomic_store_explicit(&q->tail, tail + 1, memory_order_release);
}

void kb_queue_wake(struct kb_queue *q)
{
	size_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);

	if (tail == q->woken_tail)
		return;
	q->woken_tail = tail;
	efd_signal(q->efd);
}

bool kb_queue_want_room(struct kb_queue *q)
{
	atomic_store_explicit(&q->want_room, true, memory_order_seq_cst);
	atomic_thread_fence(memory_order_seq_cst);
	/* the consumer may have made room between the producer's look and the flag */
	if (kb_queue_room(q) > (q->mask + 1) / 2) {
		atomic_store_explicit(&q->want_room, false, memory_order_relaxed);
		return true;
	}
	return false;
}

int kb_queue_room_fd(const struct kb_queue *q)
{
	return q->room_fd;
}

void kb_queue_room_ack(struct kb_queue *q)
{
	efd_ack(q->room_fd);
}

void kb_queue_close(struct kb_queue *q)
{
	atomic_store_explicit(&q->closed, true, memory_order_release);
	efd_signal(q->efd);
}

void kb_queue_drain(struct kb_queue *q)
{
	atomic_store_explicit(&q->draining, true, memory_order_relaxed);
}

void kb_queue_abandon(struct kb_queue *q)
{
	atomic_store_explicit(&q->abandoned, true, memory_order_relaxed);
	efd_signal(q->room_fd);
}

size_t kb_queue_pop(struct kb_queue *q, struct kb_event *out, size_t max)
{
	size_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
	size_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);
	size_t n = tail - head;

	/* after a stop request, empty means "wait": 0 is kept for the end of the stream */
	while (!n && max && atomic_load_explicit(&q->draining, memory_order_relaxed)) {
		struct pollfd p = { .fd = q->efd, .events = POLLIN };

		if (atomic_load_explicit(&q->closed, memory_order_acquire)) {
			tail = atomic_load_explicit(&q->tail, memory_order_acquire);
			n = tail - head;
			break;
		}
		poll(&p, 1, 100);
		efd_ack(q->efd);
		tail = atomic_load_explicit(&q->tail, memory_order_acquire);
		n = tail - head;
	}
	if (n > max)
		n = max;
#ifdef KB_TEST_KNOBS
	if (n && q->knob.rate > 0)
		n = knob_limit(&q->knob, n);
#endif
	for (size_t i = 0; i < n; i++)
		ev_copy(&out[i], &q->slot[(head + i) & q->mask]);
	atomic_store_explicit(&q->head, head + n, memory_order_release);
	/* pairs with the fence in kb_queue_want_room: one side sees the other */
	atomic_thread_fence(memory_order_seq_cst);
	/* the producer sleeps until half the queue is free: one wakeup per half */
	if (n && atomic_load_explicit(&q->want_room, memory_order_seq_cst) &&
	    q->mask + 1 - (tail - head - n) > (q->mask + 1) / 2 &&
	    atomic_exchange_explicit(&q->want_room, false, memory_order_seq_cst))
		efd_signal(q->room_fd);
	return n;
}

int kb_queue_fd(const struct kb_queue *q)
{
	return q->efd;
}

void kb_queue_ack(struct kb_queue *q)
{
	efd_ack(q->efd);
}
