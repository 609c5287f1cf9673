/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * enrich.h - turn a raw kb_event into a kb_bind: resolved process, visible
 * command and user names, decoded address (late read when the probe could
 * not capture it), and the socket's protocol.  Shared by batch output and
 * the curses model.  Consumer thread only.
 */
#ifndef KB_ENRICH_H
#define KB_ENRICH_H

#include <stdbool.h>
#include <stdint.h>

#include "kb_bind.h"

struct kb_enricher;

/*
 * kb_enricher_new - socket inspections cost a few syscalls each; at most
 * inspect_per_sec are done (the rest leave proto unknown) so a bind storm
 * cannot make the consumer fall behind.
 */
struct kb_enricher *kb_enricher_new(int inspect_per_sec, const char *backend);
void kb_enricher_free(struct kb_enricher *en);

/* Fill b from ev.  now_ns: CLOCK_MONOTONIC. */
void kb_enrich(struct kb_enricher *en, const struct kb_event *ev, struct kb_bind *b, uint64_t now_ns);

/* The symbolizer the enricher keeps process maps in (for resolving stack frames). */
struct kb_symbolizer *kb_enricher_symbolizer(struct kb_enricher *en);

/* Socket inspections skipped for budget. */
uint64_t kb_enricher_skipped(const struct kb_enricher *en);

/* Holder lookups skipped for budget. */
uint64_t kb_enricher_holders_skipped(const struct kb_enricher *en);

#endif
