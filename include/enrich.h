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

/* What enrichment did, and what its budgets skipped (never silent). */
struct kb_enrich_stats {
	uint64_t calls;			/* calls enriched */
	uint64_t sock_inspected;	/* sockets looked at */
	uint64_t sock_skipped;		/* calls whose socket details a budget skipped */
	uint64_t holder_lookups;	/* EADDRINUSE holder lookups asked for (not from a target) */
	uint64_t holder_skipped;	/* of which skipped for budget */
	uint64_t procs_loaded;		/* process details read from /proc */
	uint64_t targets;		/* distinct targets whose details were worked out */
};

void kb_enricher_stats(const struct kb_enricher *en, struct kb_enrich_stats *st);

#endif
