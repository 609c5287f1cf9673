/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * batch.h - line-per-bind output (text columns or JSON), buffered and
 * written once per batch of events.  Consumer thread.
 */
#ifndef KB_BATCH_H
#define KB_BATCH_H

#include <stdio.h>

#include "enrich.h"
#include "options.h"
#include "stats.h"
#include "strbuf.h"
#include "symbols.h"

struct kb_batch;

struct kb_batch *kb_batch_new(const struct kb_options *o, int fd);
void kb_batch_free(struct kb_batch *bt);

/* Column header (text mode only; nothing for JSON). */
void kb_batch_header(struct kb_batch *bt);

/*
 * Resolves the stack of a bind that has no symbolizer (b->sym NULL: read
 * from a recording) into st; st->n 0 when it cannot.
 */
typedef void (*kb_batch_resolve_fn)(void *ctx, const struct kb_bind *b, bool kernel, struct kb_stack *st);
void kb_batch_set_resolver(struct kb_batch *bt, kb_batch_resolve_fn fn, void *ctx);

/* Move what is buffered to out instead of writing it (a recording decides where it goes). */
void kb_batch_take(struct kb_batch *bt, struct kb_buf *out);

/* Append one bind to the output buffer. */
void kb_batch_add(struct kb_batch *bt, const struct kb_bind *b);

/* Write the buffer out.  0, or -errno (-EPIPE when the reader went away). */
int kb_batch_flush(struct kb_batch *bt);

/* kb_batch_add and kb_batch_flush as a pipeline sink (struct kb_sink; ctx: the kb_batch). */
void kb_batch_sink_add(void *ctx, const struct kb_bind *b);
int kb_batch_sink_flush(void *ctx);

/* The JSON fields, "name<TAB>help" per line (for the documentation check). */
void kb_batch_list_fields(FILE *f);

/*
 * One-line summary of counters for stderr at exit, and a second line
 * when an enrichment budget skipped details (es NULL: none).
 */
void kb_batch_summary(FILE *f, const struct kb_stats *st, unsigned long long shown, double secs,
		      const struct kb_enrich_stats *es);

#endif
