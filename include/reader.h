/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reader.h - the reader thread: polls every CPU's trace_pipe_raw of the
 * session's instances, decodes sub-buffers, pairs records into bind calls
 * and pushes them into the queue.  It owns the per-CPU files, the decoder
 * and the pairer; the only things it shares are the queue, the stop
 * eventfd and the stats snapshot.
 */
#ifndef KB_READER_H
#define KB_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "capture.h"
#include "decode.h"
#include "queue.h"
#include "session.h"
#include "stats.h"

struct kb_reader;

struct kb_perfstack;

/*
 * kb_reader_new - open instance files (main thread, before start).
 * Takes ownership of dec and capture (may be NULL).  ps (may be NULL) are
 * perf stack events whose rings this thread reads; the caller keeps
 * ownership and frees them after kb_reader_stop.  NULL with a message in
 * err.
 */
struct kb_reader *kb_reader_new(const struct kb_session *s, struct kb_decoder *dec, struct kb_queue *q,
				bool want_ustack, struct kb_perfstack *ps, struct kb_capture *capture,
				char *err, size_t errlen);

/*
 * kb_reader_set_iou_gate - hand the reader the open enable file of
 * io_uring_complete, which it closes whenever no io_uring bind is in
 * flight (see iouring.h).  Main thread, before kb_reader_start.
 */
void kb_reader_set_iou_gate(struct kb_reader *r, int fd);

/* Start the thread (main thread). */
int kb_reader_start(struct kb_reader *r);

/*
 * kb_reader_stop - ask the thread to drain what is buffered and exit,
 * then join it.  Call after recording was turned off.  Main thread.
 */
void kb_reader_stop(struct kb_reader *r);

/* Close the files and free everything (main thread, after stop). */
void kb_reader_free(struct kb_reader *r);

/*
 * kb_reader_emergency - close the per-CPU files (an open trace_pipe_raw
 * keeps its instance from being removed).  Async-signal-safe: for the
 * fatal-signal path only, the process is about to die.
 */
void kb_reader_emergency(const struct kb_reader *r);

/* Snapshot of the counters; any thread. */
void kb_reader_stats(struct kb_reader *r, struct kb_stats *st);

/*
 * Pause after a round that read data, so the next wakeup reads full pages.
 * Measured on the 4-thread storm (bench/run.sh): a reader of the same
 * events costs 0.22 ms per 1k binds with a 1 ms pause, 0.12 with 5 ms and
 * 0.11 with 20 ms; 10 ms keeps a lone bind well inside the 100 ms latency
 * goal and the buffers far from full at 250k binds/s.
 */
#define KB_COALESCE_NS	(10000000L)
/* ... taken only after a round that decoded at least this many records */
#define KB_COALESCE_MIN_RECORDS	64

/* Reorder window: records are held this long for partners on other CPUs. */
#define KB_REORDER_NS	(2ULL * 1000000ULL)

#endif
