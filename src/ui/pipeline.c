// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pipeline.c - drain -> enrich -> select -> sinks, once for every view.
 *
 * Pacing: two drains that found calls within NAP_NS of each other mean a
 * steady stream; the next look at the queue then waits NAP_NS so the next
 * batch is larger.  Each wakeup costs two context switches and each batch
 * one write, so this turns "one wakeup per reader round" into at most
 * 1/NAP_NS a second, while a lone bind (no drain just before it) is still
 * drained the moment it arrives; in a stream a call waits NAP_NS at most.
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
/* calls of a steady stream gather this long before they are drained */
#define NAP_NS		(4ULL * 1000000ULL)

struct kb_pipeline {
	struct kb_options sel;
	struct kb_queue *q;
	struct kb_enricher *en;
	struct kb_sink sink[KB_PIPELINE_SINKS];
	int nsinks;
	int self;
	uint64_t next_look;		/* don't look at the queue before this (0: any time) */
	uint64_t last_got;		/* when the last drain found calls */
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
	p->next_look = 0;
	if (got) {
		p->drains++;
		if (p->last_got && now - p->last_got < NAP_NS)
			p->next_look = now + NAP_NS;
		p->last_got = now;
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
