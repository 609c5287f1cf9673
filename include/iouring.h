/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iouring.h - io_uring binds on kernels without kprobes: join each
 * io_uring_submit_req of an IORING_OP_BIND to its io_uring_complete by
 * request pointer, and keep io_uring_complete recording only while such a
 * bind is in flight (the "gate").
 *
 * The kernel opens the gate itself: a trigger on the BIND submission
 * (enable_event) turns io_uring_complete on at that very instant, so even
 * a bind completed inline, microseconds later, is recorded.  Closing it is
 * kbindtop's job, as soon as every BIND seen has its completion; meanwhile
 * io_uring_complete records every completion on the host that passes its
 * static filter (res <= 0), so the window must stay short.
 *
 * Owned by the reader thread (through pair.c).
 */
#ifndef KB_IOURING_H
#define KB_IOURING_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "kb_event.h"

/* Filters and trigger the syscalls backend sets up (see backend_syscalls.c). */
#define KB_IOU_SUBMIT_FILTER	"opcode == 56"
#define KB_IOU_COMPLETE_FILTER	"res <= 0"
#define KB_IOU_TRIGGER		"enable_event:io_uring:io_uring_complete if opcode == 56"

struct kb_iou_stats {
	uint64_t calls;		/* binds joined to their completion */
	uint64_t no_exit;	/* BIND submissions whose completion never came */
	uint64_t noise;		/* other completions recorded while the gate was open */
	uint64_t gate_opens;	/* times kbindtop saw the gate open */
	uint64_t gate_ns;	/* total time it was open, as far as kbindtop knows */
};

struct kb_iou;

typedef void (*kb_iou_emit_fn)(void *ctx, const struct kb_event *ev);

struct kb_iou *kb_iou_new(kb_iou_emit_fn emit, void *ctx);
void kb_iou_free(struct kb_iou *u);

/*
 * kb_iou_gate_fd - the enable file of io_uring_complete in kbindtop's
 * instance, opened for writing; the join closes it (writes 0) when no
 * bind is in flight.  Takes ownership of fd.
 */
void kb_iou_gate_fd(struct kb_iou *u, int fd);

/* A record of role IOU_SUBMIT or IOU_COMPLETE was read (before the reorder wait). */
void kb_iou_read(struct kb_iou *u, const struct kb_rec *r);

/* Process one record of role IOU_SUBMIT or IOU_COMPLETE, in timestamp order. */
void kb_iou_record(struct kb_iou *u, const struct kb_rec *r);

/*
 * kb_iou_flush - after a round: give up on binds older than the hold time
 * (emitted with their return unknown), then close the gate if nothing is
 * in flight, or reopen it if a bind is in flight and it was closed.
 * now: CLOCK_MONOTONIC ns.
 */
void kb_iou_flush(struct kb_iou *u, uint64_t now);

/*
 * kb_iou_gate_tick - close the gate if no BIND read is waiting for its
 * completion (or reopen it).  Cheap when nothing is open: called after
 * every page read, since under a flood of completions one round of
 * reading may not end for a long time.
 */
void kb_iou_gate_tick(struct kb_iou *u);

/* At shutdown: emit what is still in flight. */
void kb_iou_flush_all(struct kb_iou *u);

/* Binds in flight. */
int kb_iou_pending(const struct kb_iou *u);

void kb_iou_get_stats(const struct kb_iou *u, struct kb_iou_stats *st);

#endif
