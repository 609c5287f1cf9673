// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pipeline.c - drain -> enrich -> select -> sinks, once for every view.
 *
 * Pacing: a drain that found many calls means a storm; the next look at
 * the queue waits a few milliseconds so the next batch is larger.  Each
 * wakeup costs two context switches and each batch one write, so this
 * turns "one wakeup per reader round" into a few hundred a second, while a
 * lone bind (a small drain) is still drained the moment it arrives.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "columns.h"
#include "filter.h"
#include "format.h"
#include "pipeline.h"
#include "xalloc.h"

/* Socket inspections a second, all processes together (each is ~10 syscalls). */
#define INSPECT_PER_SEC	4000
#define POP_BATCH	256
/* A drain this large means a storm: let the next batch gather for NAP_NS. */
#define BUSY_DRAIN	64
#define NAP_NS		(4ULL * 1000000ULL)

struct kb_pipeline {
	struct kb_options sel;
	struct kb_queue *q;
	struct kb_enricher *en;
	struct kb_sink sink[KB_PIPELINE_SINKS];
	int nsinks;
	int self;
	uint64_t next_look;		/* don't look at the queue before this (0: any time) */
	uint64_t drained, shown, drains;
	struct kb_event evs[POP_BATCH];
	struct kb_bind b;
};

struct kb_pipeline *kb_pipeline_new(const struct kb_options *sel, struct kb_queue *q, const char *backend)
{
	struct kb_pipeline *p = xcalloc(1, sizeof(*p));

	p->sel = *sel;
	p->q = q;
	p->en = kb_enricher_new(INSPECT_PER_SEC, backend);
	p->self = getpid();
	return p;
}

void kb_pipeline_free(struct kb_pipeline *p)
{
	if (!p)
		return;
	kb_enricher_free(p->en);
	free(p);
}

int kb_pipeline_add_sink(struct kb_pipeline *p, const struct kb_sink *s)
{
	if (p->nsinks >= KB_PIPELINE_SINKS)
		return -ENOSPC;
	p->sink[p->nsinks++] = *s;
	return 0;
}

int kb_pipeline_fd(struct kb_pipeline *p, uint64_t now, int *wait_ms)
{
	if (p->next_look > now) {
		*wait_ms = (int)((p->next_look - now + 999999) / 1000000);
		return -1;
	}
	*wait_ms = -1;
	return kb_queue_fd(p->q);
}

static int flush_sinks(struct kb_pipeline *p)
{
	int ret = 0;

	for (int i = 0; i < p->nsinks; i++) {
		int r = p->sink[i].flush ? p->sink[i].flush(p->sink[i].ctx) : 0;

		if (r && !ret)
			ret = r;
	}
	return ret;
}

int kb_pipeline_drain(struct kb_pipeline *p, uint64_t until, bool *more)
{
	uint64_t got = 0, now = 0;
	size_t n;

	*more = false;
	kb_queue_ack(p->q);
	while ((n = kb_queue_pop(p->q, p->evs, POP_BATCH)) > 0) {
		now = kb_now_mono();
		got += n;
		for (size_t i = 0; i < n; i++) {
			struct kb_bind *b = &p->b;

			kb_enrich(p->en, &p->evs[i], b, now);
			if (b->pid == p->self || !kb_filter_options_match(&p->sel, b))
				continue;
			p->shown++;
			for (int k = 0; k < p->nsinks; k++)
				if (p->sink[k].add)
					p->sink[k].add(p->sink[k].ctx, b);
		}
		if (until && kb_now_mono() >= until) {
			*more = true;
			break;
		}
	}
	p->drained += got;
	if (got) {
		p->drains++;
		p->next_look = got >= BUSY_DRAIN ? (now ? now : kb_now_mono()) + NAP_NS : 0;
	} else {
		p->next_look = 0;
	}
	return flush_sinks(p);
}

void kb_pipeline_stats(const struct kb_pipeline *p, struct kb_pipeline_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->drained = p->drained;
	st->shown = p->shown;
	st->drains = p->drains;
	kb_enricher_stats(p->en, &st->en);
}

struct kb_enricher *kb_pipeline_enricher(struct kb_pipeline *p)
{
	return p->en;
}

int kb_pipeline_check_options(const struct kb_options *o, char *err, size_t errlen)
{
	char names[512];

	if (o->sort[0] && kb_column_find(o->sort) < 0) {
		snprintf(err, errlen, "--sort: '%.40s' is not a column; one of: %s", o->sort,
			 kb_column_names(names, sizeof(names)));
		return -EINVAL;
	}
	return 0;
}
