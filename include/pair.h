/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pair.h - assemble decoded records into completed bind() calls.
 *
 * Records come per stream (one stream per instance and CPU, each in time
 * order).  A thread can migrate between CPUs inside one bind(), so its
 * uprobe, entry, stack and exit records may sit in different streams and
 * be read in different rounds.  The pairer therefore holds records until a
 * watermark says every stream has been read past their time, merges the
 * streams in timestamp order, and runs a small per-thread state machine.
 * Owned by the reader thread.
 */
#ifndef KB_PAIR_H
#define KB_PAIR_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "kb_event.h"

struct kb_pair_stats {
	uint64_t calls;			/* completed calls emitted */
	uint64_t unmatched_exit;	/* return without an entry (started before us, or lost) */
	uint64_t unmatched_addr;	/* libc uprobe without a syscall entry */
	uint64_t no_exit;		/* entry whose return never came */
	uint64_t late;			/* records that arrived after their watermark */
	uint64_t evicted;		/* per-thread states dropped for space */
	uint64_t unmatched_stack;	/* perf stack samples without an open call of their thread */
	uint64_t iou_noise;		/* io_uring completions recorded that were no bind's */
	uint64_t iou_gate_opens;	/* times io_uring_complete was opened for a bind */
	uint64_t iou_gate_ns;		/* ... and for how long in all */
};

typedef void (*kb_event_fn)(void *ctx, const struct kb_event *ev);

struct kb_pair;

/*
 * kb_pair_new - nstreams streams; want_ustack says user stacks follow
 * entry records (ftrace) or come as perf samples (KB_ROLE_PSTACK).  emit is called for each completed call, in entry order.
 */
struct kb_pair *kb_pair_new(int nstreams, bool want_ustack, kb_event_fn emit, void *ctx);
void kb_pair_free(struct kb_pair *p);

/* Queue one record of stream s (records of one stream come in time order). */
void kb_pair_add(struct kb_pair *p, int s, const struct kb_rec *r);

/*
 * kb_pair_flush - process every queued record older than watermark
 * (CLOCK_MONOTONIC ns), and give up on calls or addresses left waiting for
 * more than the hold time.
 */
void kb_pair_flush(struct kb_pair *p, uint64_t watermark);

/* Process everything queued and emit calls still open (at shutdown). */
void kb_pair_flush_all(struct kb_pair *p);

/* Records queued but not yet processed (the reader then polls with a short timeout). */
uint64_t kb_pair_queued(const struct kb_pair *p);

/* How many threads have a call or address waiting for its partner (expired after a hold time). */
int kb_pair_waiting(const struct kb_pair *p);

void kb_pair_get_stats(const struct kb_pair *p, struct kb_pair_stats *st);

/* The enable file of io_uring_complete (syscalls backend); see iouring.h.  Takes fd. */
void kb_pair_set_iou_gate(struct kb_pair *p, int fd);

/* After each page read: let the io_uring gate close without waiting for the round's end. */
void kb_pair_iou_tick(struct kb_pair *p);

#endif
