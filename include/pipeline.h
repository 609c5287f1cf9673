/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pipeline.h - the consumer's one path for every view: drain the queue,
 * enrich each call, apply the command-line selection, hand what passes
 * to the sinks (batch lines, the live table's model, and whatever else
 * registers: an event log, a recording, a metrics file).
 *
 * The views differ only in their sinks and in the loop that waits for
 * work; the budgets of enrichment, the pacing of drains and the counts
 * that say what a budget skipped live here once.
 *
 * Threads: the consumer thread only, for every function here.
 */
#ifndef KB_PIPELINE_H
#define KB_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enrich.h"
#include "options.h"
#include "queue.h"

#define KB_PIPELINE_SINKS	8

/*
 * A sink: where enriched calls go.  add() sees every call that passed the
 * selection, in order, with b valid only during the call (copy what is
 * kept).  flush() ends a drained batch: write out what was buffered; a
 * negative -errno stops the pipeline's caller (batch output to a closed
 * pipe).  Either may be NULL.  A sink must be cheap per call: it runs on
 * the consumer's hot path (see "Count first, explain later").
 */
struct kb_sink {
	const char *name;	/* for messages: "batch", "table", ... */
	void *ctx;
	void (*add)(void *ctx, const struct kb_bind *b);
	int (*flush)(void *ctx);
};

struct kb_pipeline_stats {
	uint64_t drained;		/* calls taken from the queue */
	uint64_t shown;			/* of which passed the selection (handed to the sinks) */
	uint64_t drains;		/* batches */
	struct kb_enrich_stats en;	/* what enrichment did and what its budgets skipped */
};

struct kb_pipeline;

/*
 * kb_pipeline_new - a pipeline reading q.  sel: the command-line selection
 * (copied; the live table passes one without --failed, which it applies
 * as a view toggle).  backend: static name for the "backend" field.
 * Aborts on out-of-memory.
 */
struct kb_pipeline *kb_pipeline_new(const struct kb_options *sel, struct kb_queue *q, const char *backend);
void kb_pipeline_free(struct kb_pipeline *p);

/* Register a sink (copied).  0, or -ENOSPC past KB_PIPELINE_SINKS. */
int kb_pipeline_add_sink(struct kb_pipeline *p, const struct kb_sink *s);

/*
 * kb_pipeline_fd - the fd to poll for new calls, or -1 while the pipeline
 * wants to let calls gather (after a busy drain: a storm is drained in
 * batches a few milliseconds apart, not one wakeup per reader round).
 * *wait_ms is then how long to wait at most before calling drain again.
 */
int kb_pipeline_fd(struct kb_pipeline *p, uint64_t now, int *wait_ms);

/*
 * kb_pipeline_drain - move queued calls through enrichment and the
 * selection into the sinks until the queue is empty or until (CLOCK_
 * MONOTONIC ns, 0 = no limit) has passed; then flush every sink.
 * *more: the time ran out with calls still queued.  Returns 0, or the
 * first -errno a sink's flush returned.
 */
int kb_pipeline_drain(struct kb_pipeline *p, uint64_t until, bool *more);

void kb_pipeline_stats(const struct kb_pipeline *p, struct kb_pipeline_stats *st);

/* The enricher (its symbolizer resolves the table's stacks). */
struct kb_enricher *kb_pipeline_enricher(struct kb_pipeline *p);

/*
 * kb_pipeline_check_options - the consumer options that can be wrong
 * (--sort naming no column).  0, or -EINVAL with a message in err.
 * Called once, before tracing is set up.
 */
int kb_pipeline_check_options(const struct kb_options *o, char *err, size_t errlen);

#endif
