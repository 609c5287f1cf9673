// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * eventlog.c - a ring of the latest calls, newest first on the way out.
 *
 * Whole kb_binds are kept (a call's detail and stack are shown from
 * them), so the ring costs cap * ~2 KB, allocated once.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "eventlog.h"
#include "xalloc.h"

struct kb_eventlog {
	struct kb_logent *e;
	size_t cap, n, head;	/* head: where the next call goes */
	uint64_t seq, evicted;
};

struct kb_eventlog *kb_eventlog_new(size_t cap)
{
	struct kb_eventlog *l = xcalloc(1, sizeof(*l));

	l->cap = cap ? cap : KB_LOG_CALLS;
	l->e = xcalloc(l->cap, sizeof(*l->e));
	return l;
}

void kb_eventlog_free(struct kb_eventlog *l)
{
	if (!l)
		return;
	free(l->e);
	free(l);
}

void kb_eventlog_add(struct kb_eventlog *l, const struct kb_bind *b)
{
	if (b->ev.flags & KB_EVF_EXISTING)
		return;
	if (l->n == l->cap)
		l->evicted++;
	else
		l->n++;
	l->e[l->head].seq = ++l->seq;
	l->e[l->head].b = *b;
	l->head = (l->head + 1) % l->cap;
}

void kb_eventlog_clear(struct kb_eventlog *l)
{
	l->n = 0;
	l->head = 0;
}

size_t kb_eventlog_count(const struct kb_eventlog *l)
{
	return l->n;
}

size_t kb_eventlog_cap(const struct kb_eventlog *l)
{
	return l->cap;
}

uint64_t kb_eventlog_evicted(const struct kb_eventlog *l)
{
	return l->evicted;
}

uint64_t kb_eventlog_last_seq(const struct kb_eventlog *l)
{
	return l->seq;
}

const struct kb_logent *kb_eventlog_get(const struct kb_eventlog *l, size_t i)
{
	if (i >= l->n)
		return NULL;
	return &l->e[(l->head + l->cap - 1 - i) % l->cap];
}
