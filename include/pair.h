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
	uint64_t window_full;		/* records refused: their stream's window was full */
	uint64_t peak_bytes;		/* most bytes of records held at once */
	uint64_t unmatched_stack;	/* perf stack samples without an open call of their thread */
	uint64_t iou_noise;		/* io_uring completions recorded that were no bind's */
	uint64_t iou_gate_opens;	/* times io_uring_complete was opened for a bind */
	uint64_t iou_gate_ns;		/* ... and for how long in all */
};

typedef void (*kb_event_fn)(void *ctx, const struct kb_event *ev);

struct kb_pair;

/*
 * kb_pair_new - nstreams streams; want_ustack says user stacks follow
 * entry records (ftrace) or come as perf samples (KB_ROLE_PSTACK).  emit
 * is called for each completed call, in entry order, and never more often
 * than the room a flush was given (io_uring binds included).  mem bounds
 * the pairer's memory in bytes: the windows of held records (allocated
 * once, packed, never re-copied) and the per-thread states; 0 picks a
 * default.  Reader thread from here on.
 */
struct kb_pair *kb_pair_new(int nstreams, bool want_ustack, size_t mem, kb_event_fn emit, void *ctx);
void kb_pair_free(struct kb_pair *p);

/*
 * kb_pair_add - hold one record of stream s (records of one stream come in
 * time order).  Only the used part of r is copied.  Returns false, and
 * keeps nothing, when the stream's window is full: the caller keeps the
 * record and offers it again after a flush.
 */
bool kb_pair_add(struct kb_pair *p, int s, const struct kb_rec *r);

/* Can stream s take a record of any size right now? */
bool kb_pair_has_room(const struct kb_pair *p, int s);

/*
 * kb_pair_flush - process held records older than watermark
 * (CLOCK_MONOTONIC ns) in time order, and give up on calls or addresses
 * left waiting for more than the hold time.  Emits at most *room calls and
 * takes what it emitted off *room.  Returns true when it stopped for lack
 * of room with work left (the caller waits for the consumer).
 */
bool kb_pair_flush(struct kb_pair *p, uint64_t watermark, size_t *room);

/*
 * kb_pair_flush_all - at shutdown: process everything held and emit the
 * calls still open, at most *room of them.  True when all is done; false
 * when it has to be called again once there is room.
 */
bool kb_pair_flush_all(struct kb_pair *p, size_t *room);

/* Records held but not yet processed (the reader then polls with a short timeout). */
uint64_t kb_pair_queued(const struct kb_pair *p);

/* How many threads have a call or address waiting for its partner (expired after a hold time). */
int kb_pair_waiting(const struct kb_pair *p);

void kb_pair_get_stats(const struct kb_pair *p, struct kb_pair_stats *st);

/* The enable file of io_uring_complete (syscalls backend); see iouring.h.  Takes fd. */
void kb_pair_set_iou_gate(struct kb_pair *p, int fd);

/* After each page read: let the io_uring gate close without waiting for the round's end. */
void kb_pair_iou_tick(struct kb_pair *p);

#endif
