/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics.h - bind counters in the Prometheus text format, written to a
 * file (--metrics) for node_exporter's textfile collector: kbindtop
 * never listens on a socket.  A sink of the consumer: it counts the binds
 * a view shows and rewrites the file atomically once per refresh and at
 * exit.  Consumer thread only.
 */
#ifndef KB_METRICS_H
#define KB_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"
#include "enrich.h"
#include "pipeline.h"
#include "stats.h"
#include "strbuf.h"

#define KB_METRICS_SERIES_DEFAULT	2000
#define KB_METRICS_SERIES_MIN		16
#define KB_METRICS_SERIES_MAX		100000

struct kb_metrics;

/*
 * kb_metrics_check_path - can a file be written and renamed into place
 * at path?  Creates and removes a temporary file beside it.  0, or -errno
 * with a message in err.  Called before tracing starts, so a wrong path
 * costs nothing.
 */
int kb_metrics_check_path(const char *path, char *err, size_t errlen);

/*
 * kb_metrics_new - counters for at most max_series label sets of
 * kbindtop_bind_calls_total (see kb_metrics_add), written to path every
 * interval_ns by kb_metrics_tick.  backend goes into kbindtop_info.
 * Returns NULL when path is NULL or "" (no --metrics): every other
 * function accepts that NULL and does nothing, so a view calls them
 * unconditionally.
 */
struct kb_metrics *kb_metrics_new(const char *path, int max_series, uint64_t interval_ns,
				  const char *backend);

/*
 * kb_metrics_add - count one bind.  A new label set takes a series while
 * fewer than max_series - max_series/16 exist; later ones are folded
 * into comm="other",port="other" (family, proto and result kept) in the
 * reserve, and when even that is full into the one series whose labels
 * are all "other".  Folded calls are counted.  No allocation, no I/O.
 */
void kb_metrics_add(struct kb_metrics *m, const struct kb_bind *b);

/*
 * kb_metrics_attach - register m as a sink of p (its add is
 * kb_metrics_add; the file is written by kb_metrics_tick, on time, not
 * per drain).  Nothing without metrics.  0 or -ENOSPC.
 */
int kb_metrics_attach(struct kb_metrics *m, struct kb_pipeline *p);

/*
 * kb_metrics_render - the whole exposition text for stats st into out
 * (replacing what was there).  For tests and kb_metrics_write.
 */
void kb_metrics_render(struct kb_metrics *m, const struct kb_stats *st, struct kb_buf *out);

/*
 * kb_metrics_write - render and replace the file: a temporary file in the
 * same directory, renamed over it, so a scrape never sees half a file.
 * 0 or -errno; failures are also counted for kb_metrics_finish.
 */
int kb_metrics_write(struct kb_metrics *m, const struct kb_stats *st);

/*
 * kb_metrics_tick - write the file when the interval has passed since the
 * last write (stats read from e).  Returns the milliseconds until the
 * next write is due, -1 without metrics: a poll() timeout.
 */
int kb_metrics_tick(struct kb_metrics *m, struct kb_engine *e, uint64_t now_ns);

/*
 * kb_metrics_finish - the last write (stats from e) and, when any write
 * failed during the run, one line saying how many and why on report.
 * Returns 0, or -errno of the last failure.
 */
int kb_metrics_finish(struct kb_metrics *m, struct kb_engine *e, FILE *report);

/* Series of kbindtop_bind_calls_total in use, and calls folded so far. */
size_t kb_metrics_series(const struct kb_metrics *m);
uint64_t kb_metrics_folded(const struct kb_metrics *m);

void kb_metrics_free(struct kb_metrics *m);

#endif
