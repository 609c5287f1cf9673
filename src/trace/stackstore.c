// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stackstore.c - bounded store of deep user stacks (see stackstore.h).
 *
 * Ids are handed out in sequence and live in slot id % nslots, so the
 * live ids are always the range [oldest, next) and eviction is FIFO in
 * O(1): no list to keep.  A second table maps a content hash to an id so
 * a stack seen again (the same call path with the same stack bytes, or
 * any repeat of an FP chain) costs no memory.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "stackstore.h"
#include "strbuf.h"
#include "xalloc.h"

#define MAPLOG		8192		/* mapping records kept (a ring) */
#define MAP_PATH	240

struct entry {
	uint32_t id;			/* 0: free */
	uint64_t hash;
	int pid, tid;
	uint32_t nips;
	uint64_t ra;
	bool has_copy;
	uint32_t copy_len;
	uint64_t regs[KB_USTACK_NREGS];
	uint8_t *data;			/* nips * 8 bytes of frames, then the copy */
};

struct maprec {
	uint64_t seq;			/* 0: empty */
	int pid;
	bool exec;			/* an exec of pid, not a mapping */
	uint64_t start, len, pgoff, ino;
	uint32_t maj, min, prot;
	char path[MAP_PATH];
};

struct kb_stackstore {
	pthread_mutex_t lock;
	struct maprec *maplog;
	uint64_t mapseq;
	uint32_t nslots;
	struct entry *slot;
	uint32_t *byhash;		/* 2 * nslots ids, open addressing */
	uint32_t nhash;
	uint32_t oldest, next;
	size_t bytes, max_bytes;
	struct kb_stackstore_stats st;
};

struct kb_stackstore *kb_stackstore_new(uint32_t max_entries, size_t max_bytes)
{
	struct kb_stackstore *s = xcalloc(1, sizeof(*s));

	if (max_entries < 16)
		max_entries = 16;
	s->nslots = max_entries;
	s->slot = xcalloc(max_entries, sizeof(*s->slot));
	s->nhash = 1;
	while (s->nhash < 2 * max_entries)
		s->nhash <<= 1;
	s->byhash = xcalloc(s->nhash, sizeof(*s->byhash));
	s->max_bytes = max_bytes;
	s->oldest = s->next = 1;
	s->maplog = xcalloc(MAPLOG, sizeof(*s->maplog));
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

void kb_stackstore_free(struct kb_stackstore *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->nslots; i++)
		free(s->slot[i].data);
	free(s->slot);
	free(s->byhash);
	free(s->maplog);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

static size_t entry_bytes(const struct entry *e)
{
	return (size_t)e->nips * 8 + e->copy_len;
}

static struct entry *lookup_id(struct kb_stackstore *s, uint32_t id)
{
	struct entry *e;

	if (!id)
		return NULL;
	e = &s->slot[id % s->nslots];
	return e->id == id ? e : NULL;
}

/* Remove id from the hash table (linear probing: re-insert the run after it). */
static void unhash(struct kb_stackstore *s, const struct entry *e)
{
	uint32_t mask = s->nhash - 1, i = (uint32_t)e->hash & mask;

	while (s->byhash[i] && s->byhash[i] != e->id)
		i = (i + 1) & mask;
	if (!s->byhash[i])
		return;
	s->byhash[i] = 0;
	for (i = (i + 1) & mask; s->byhash[i]; i = (i + 1) & mask) {
		uint32_t id = s->byhash[i], j;
		const struct entry *o = lookup_id(s, id);

		s->byhash[i] = 0;
		if (!o)
			continue;
		for (j = (uint32_t)o->hash & mask; s->byhash[j]; j = (j + 1) & mask)
			;
		s->byhash[j] = id;
	}
}

static void evict_oldest(struct kb_stackstore *s)
{
	struct entry *e = lookup_id(s, s->oldest);

	if (e) {
		unhash(s, e);
		s->bytes -= entry_bytes(e);
		free(e->data);
		memset(e, 0, sizeof(*e));
		s->st.evicted++;
	}
	s->oldest++;
}

static bool same(const struct entry *e, const struct kb_ustack_in *in, uint64_t h)
{
	if (e->hash != h || e->pid != in->pid || e->nips != in->nips || e->has_copy != !!in->regs ||
	    e->ra != in->ra)
		return false;
	if (memcmp(e->data, in->ips, (size_t)in->nips * 8))
		return false;
	if (!in->regs)
		return true;
	return e->copy_len == in->copy_len && !memcmp(e->regs, in->regs, sizeof(e->regs)) &&
	       !memcmp(e->data + (size_t)e->nips * 8, in->copy, in->copy_len);
}

uint32_t kb_stackstore_put(struct kb_stackstore *s, const struct kb_ustack_in *in)
{
	uint32_t mask = s->nhash - 1, i, id = 0;
	size_t need = (size_t)in->nips * 8 + (in->regs ? in->copy_len : 0);
	uint64_t h = 14695981039346656037ULL;
	struct entry *e;

	h = fnv(h, &in->pid, sizeof(in->pid));
	h = fnv(h, &in->ra, sizeof(in->ra));
	h = fnv(h, in->ips, (size_t)in->nips * 8);
	if (in->regs) {
		h = fnv(h, in->regs, KB_USTACK_NREGS * sizeof(uint64_t));
		h = fnv(h, in->copy, in->copy_len);
	}
	pthread_mutex_lock(&s->lock);
	for (i = (uint32_t)h & mask; s->byhash[i]; i = (i + 1) & mask) {
		e = lookup_id(s, s->byhash[i]);
		if (e && same(e, in, h)) {
			s->st.shared++;
			id = e->id;
			goto out;
		}
	}
	if (need > s->max_bytes) {
		s->st.too_big++;
		goto out;
	}
	while (s->next - s->oldest >= s->nslots || s->bytes + need > s->max_bytes)
		evict_oldest(s);
	id = s->next++;
	if (!s->next) {		/* 2^32 stacks later: restart, dropping everything */
		while (s->oldest != s->next)
			evict_oldest(s);
		s->oldest = s->next = 1;
		id = s->next++;
	}
	e = &s->slot[id % s->nslots];
	e->id = id;
	e->hash = h;
	e->pid = in->pid;
	e->tid = in->tid;
	e->nips = in->nips;
	e->ra = in->ra;
	e->has_copy = in->regs != NULL;
	e->copy_len = in->regs ? in->copy_len : 0;
	if (in->regs)
		memcpy(e->regs, in->regs, sizeof(e->regs));
	e->data = xmalloc(need ? need : 1);
	memcpy(e->data, in->ips, (size_t)in->nips * 8);
	if (e->copy_len)
		memcpy(e->data + (size_t)in->nips * 8, in->copy, e->copy_len);
	s->bytes += need;
	for (i = (uint32_t)h & mask; s->byhash[i]; i = (i + 1) & mask)
		;
	s->byhash[i] = id;
	s->st.stored++;
out:
	pthread_mutex_unlock(&s->lock);
	return id;
}

int kb_stackstore_get(struct kb_stackstore *s, uint32_t id, struct kb_ustack *out)
{
	const struct entry *e;
	int ret = -ENOENT;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&s->lock);
	e = lookup_id(s, id);
	if (e) {
		out->pid = e->pid;
		out->tid = e->tid;
		out->nips = e->nips;
		out->ra = e->ra;
		out->ips = xmalloc((size_t)e->nips * 8 + 1);
		memcpy(out->ips, e->data, (size_t)e->nips * 8);
		out->has_copy = e->has_copy;
		if (e->has_copy) {
			memcpy(out->regs, e->regs, sizeof(out->regs));
			out->copy_len = e->copy_len;
			out->copy = xmalloc(e->copy_len + 1);
			memcpy(out->copy, e->data + (size_t)e->nips * 8, e->copy_len);
		}
		ret = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}

void kb_ustack_release(struct kb_ustack *u)
{
	free(u->ips);
	free(u->copy);
	memset(u, 0, sizeof(*u));
}

void kb_stackstore_get_stats(struct kb_stackstore *s, struct kb_stackstore_stats *st)
{
	pthread_mutex_lock(&s->lock);
	*st = s->st;
	st->entries = s->next - s->oldest;
	st->bytes = s->bytes;
	pthread_mutex_unlock(&s->lock);
}

static struct maprec *map_next(struct kb_stackstore *s)
{
	uint64_t seq = ++s->mapseq;
	struct maprec *m = &s->maplog[seq % MAPLOG];

	if (m->seq)
		s->st.maps_overwritten++;
	memset(m, 0, offsetof(struct maprec, path) + 1);
	m->seq = seq;
	return m;
}

void kb_stackstore_add_map(struct kb_stackstore *s, int pid, uint64_t start, uint64_t len, uint64_t pgoff,
			   uint32_t maj, uint32_t min, uint64_t ino, uint32_t prot, const char *path,
			   size_t path_len)
{
	struct maprec *m;
	size_t n = 0;

	/* only files: anonymous code is named from perf maps, not from here */
	if (!path_len || path[0] != '/')
		return;
	pthread_mutex_lock(&s->lock);
	m = map_next(s);
	m->pid = pid;
	m->start = start;
	m->len = len;
	m->pgoff = pgoff;
	m->maj = maj;
	m->min = min;
	m->ino = ino;
	m->prot = prot;
	/* a path with a newline would forge a maps line: cut it there */
	while (n < path_len && n < MAP_PATH - 1 && path[n] && path[n] != '\n')
		n++;
	memcpy(m->path, path, n);
	m->path[n] = '\0';
	s->st.maps_recorded++;
	pthread_mutex_unlock(&s->lock);
}

void kb_stackstore_add_exec(struct kb_stackstore *s, int pid)
{
	struct maprec *m;

	pthread_mutex_lock(&s->lock);
	m = map_next(s);
	m->pid = pid;
	m->exec = true;
	pthread_mutex_unlock(&s->lock);
}

int kb_stackstore_maps_text(struct kb_stackstore *s, int pid, uint64_t *since, struct kb_buf *out,
			    bool *exec)
{
	uint64_t first, last_exec = 0, newest = *since;
	int n = 0;

	*exec = false;
	pthread_mutex_lock(&s->lock);
	first = s->mapseq > MAPLOG ? s->mapseq - MAPLOG + 1 : 1;
	for (uint64_t q = first; q <= s->mapseq; q++) {
		const struct maprec *m = &s->maplog[q % MAPLOG];

		if (m->seq == q && m->pid == pid && m->exec)
			last_exec = q;
	}
	for (uint64_t q = first; q <= s->mapseq; q++) {
		const struct maprec *m = &s->maplog[q % MAPLOG];

		if (m->seq != q || m->pid != pid || q <= *since)
			continue;
		newest = q;
		if (m->exec) {
			*exec = true;
			continue;
		}
		if (q < last_exec)
			continue;
		kb_buf_printf(out, "%llx-%llx %c%c%cp %08llx %02x:%02x %llu %s\n",
			      (unsigned long long)m->start, (unsigned long long)(m->start + m->len),
			      m->prot & 1 ? 'r' : '-', m->prot & 2 ? 'w' : '-', m->prot & 4 ? 'x' : '-',
			      (unsigned long long)m->pgoff, m->maj, m->min, (unsigned long long)m->ino,
			      m->path);
		n++;
	}
	*since = newest;
	pthread_mutex_unlock(&s->lock);
	return n;
}
