/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * eventlog.h - the latest calls in the order they came: a bounded ring
 * beside the aggregate model, for the live table's log view (Tab).  The
 * oldest call gives way to a new one and is counted as evicted.  Sockets
 * found bound at the start are not calls and are not logged.
 *
 * Threads: the consumer (UI) thread only.
 */
#ifndef KB_EVENTLOG_H
#define KB_EVENTLOG_H

#include <stddef.h>
#include <stdint.h>

#include "enrich.h"

#define KB_LOG_CALLS	1000	/* calls kept */

struct kb_logent {
	uint64_t seq;		/* 1, 2, ... in arrival order; survives clears */
	struct kb_bind b;
};

struct kb_eventlog;

/* cap calls at most (0: KB_LOG_CALLS).  Aborts on out-of-memory. */
struct kb_eventlog *kb_eventlog_new(size_t cap);
void kb_eventlog_free(struct kb_eventlog *l);

/* Log one call (a KB_EVF_EXISTING bind is ignored). */
void kb_eventlog_add(struct kb_eventlog *l, const struct kb_bind *b);

/* Forget every call (the 'c' key); evictions are counted since the start. */
void kb_eventlog_clear(struct kb_eventlog *l);

size_t kb_eventlog_count(const struct kb_eventlog *l);
size_t kb_eventlog_cap(const struct kb_eventlog *l);
uint64_t kb_eventlog_evicted(const struct kb_eventlog *l);
/* seq of the newest call, 0 when none was ever logged. */
uint64_t kb_eventlog_last_seq(const struct kb_eventlog *l);

/* The i-th newest call (0: the newest), or NULL past the end. */
const struct kb_logent *kb_eventlog_get(const struct kb_eventlog *l, size_t i);

#endif
