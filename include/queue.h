/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * queue.h - the seam between the reader thread and the consumer: a
 * fixed-size single-producer single-consumer ring of kb_event values, an
 * eventfd that wakes the consumer and one that wakes the producer.
 *
 * The queue never drops: the producer asks for room first and pushes only
 * into free slots.  When it is full the reader stops draining the kernel's
 * buffers (backpressure) and sleeps on kb_queue_room_fd() until the
 * consumer has made room.  The reader is the only producer, the consumer
 * thread (batch or curses) the only consumer.
 */
#ifndef KB_QUEUE_H
#define KB_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kb_event.h"

struct kb_queue;

/*
 * kb_queue_new - a queue of at least capacity slots (rounded up to a power
 * of two).  Main thread.  NULL with errno on failure.
 */
struct kb_queue *kb_queue_new(size_t capacity);
void kb_queue_free(struct kb_queue *q);

/* Slots (a power of two, at least 64) that fit in bytes of memory. */
size_t kb_queue_slots_for(size_t bytes);

/* Producer: free slots now (the consumer only ever adds to it). */
size_t kb_queue_room(struct kb_queue *q);

/* Producer: append a copy of ev.  The caller made sure there is room. */
void kb_queue_push(struct kb_queue *q, const struct kb_event *ev);

/* Producer: wake the consumer if anything was pushed since the last wake. */
void kb_queue_wake(struct kb_queue *q);

/*
 * kb_queue_want_room - producer: ask to be woken through kb_queue_room_fd()
 * once the consumer has freed half the queue.  Returns true when that much
 * is free already (then no wakeup comes: do not sleep).
 */
bool kb_queue_want_room(struct kb_queue *q);

/* Producer: fd that polls readable after the consumer made room; reading it re-arms. */
int kb_queue_room_fd(const struct kb_queue *q);
void kb_queue_room_ack(struct kb_queue *q);

/* Producer: no more events will come (end of stream); wakes the consumer. */
void kb_queue_close(struct kb_queue *q);

/*
 * kb_queue_drain - the consumer will read to the end of the stream: from
 * now on kb_queue_pop waits for the producer instead of returning 0 while
 * the stream is open.  Called by whoever asks the reader to stop.
 */
void kb_queue_drain(struct kb_queue *q);

/*
 * kb_queue_abandon - the consumer will read no more: the producer's room
 * becomes unlimited and what it pushes is discarded, so a reader waiting
 * for room finishes.  Main thread, at teardown.
 */
void kb_queue_abandon(struct kb_queue *q);

/*
 * kb_queue_pop - consumer: copy up to max events out; returns how many.
 * 0 means empty for now, or (after kb_queue_drain) the end of the stream.
 * Test builds (KB_TEST_KNOBS) hold the consumer to the rate in
 * KBINDTOP_TEST_CONSUMER_RATE (events/s), sleeping here as a slow
 * consumer would.
 */
size_t kb_queue_pop(struct kb_queue *q, struct kb_event *out, size_t max);

/* Consumer: fd that polls readable after kb_queue_wake(); reading it re-arms. */
int kb_queue_fd(const struct kb_queue *q);
void kb_queue_ack(struct kb_queue *q);

/* Any thread: number of slots. */
size_t kb_queue_capacity(const struct kb_queue *q);

#endif
