/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * queue.h - the seam between the reader thread and the consumer: a
 * single-producer single-consumer ring of kb_event values plus an eventfd
 * that wakes the consumer.  The reader is the only producer, the consumer
 * thread (batch or curses) the only consumer.  A full queue drops the new
 * event and counts it; it never blocks the reader.
 */
#ifndef KB_QUEUE_H
#define KB_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kb_event.h"

struct kb_queue;

/* Capacity is rounded up to a power of two.  NULL with errno on failure. */
struct kb_queue *kb_queue_new(size_t capacity);
void kb_queue_free(struct kb_queue *q);

/* Producer: append a copy of ev.  False (and counted) when full. */
bool kb_queue_push(struct kb_queue *q, const struct kb_event *ev);

/* Producer: wake the consumer if anything was pushed since the last wake. */
void kb_queue_wake(struct kb_queue *q);

/* Consumer: copy up to max events out; returns how many. */
size_t kb_queue_pop(struct kb_queue *q, struct kb_event *out, size_t max);

/* Consumer: fd that polls readable after kb_queue_wake(); reading it re-arms. */
int kb_queue_fd(const struct kb_queue *q);
void kb_queue_ack(struct kb_queue *q);

/* Either side: events dropped because the queue was full. */
uint64_t kb_queue_drops(struct kb_queue *q);

#endif
