/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine.h - the tracing engine as the consumer sees it: set up the
 * session and backend, run the reader thread, hand over completed calls
 * through the queue, and tear everything down in a fixed order.
 * All functions: main thread, except kb_engine_stats (any thread).
 */
#ifndef KB_ENGINE_H
#define KB_ENGINE_H

#include <stdio.h>

#include "backend.h"
#include "caps.h"
#include "options.h"
#include "perfstack.h"
#include "queue.h"
#include "reader.h"
#include "session.h"
#include "stats.h"

struct kb_engine {
	struct kb_session sess;
	struct kb_caps caps;
	struct kb_plan plan;
	struct kb_queue *q;
	struct kb_reader *rd;
	struct kb_stackstore *stacks;	/* deep user stacks; NULL with --no-stacks */
	struct kb_perfstack *ps;	/* perf stack events; NULL: ftrace stacks or none */
	enum kb_stack_mode stack_mode;
	char stack_note[384];		/* why user stacks are not from perf, "" when they are */
	double setup_ms;		/* start to "ready" */
	bool stopped;
};

/*
 * kb_engine_start - reap leftovers of killed runs, set up tracing as the
 * options ask, start the reader.  Progress and the backend choice go to
 * log.  On failure everything created is removed and -errno returned with
 * a one-line message in err.
 */
int kb_engine_start(struct kb_engine *e, const struct kb_options *o, FILE *log, char *err, size_t errlen);

/* Turn recording off and let the reader drain and exit.  Idempotent. */
void kb_engine_stop(struct kb_engine *e);

/* Stop (if needed), close files, remove all tracing state.  Returns 0 or -errno. */
int kb_engine_destroy(struct kb_engine *e);

/*
 * kb_engine_emergency - on a fatal signal: close the reader's files and
 * remove instances and probes with async-signal-safe calls only.
 */
void kb_engine_emergency(const struct kb_engine *e);

/* Counters, with kernel-side losses folded in. */
void kb_engine_stats(struct kb_engine *e, struct kb_stats *st);

#endif
