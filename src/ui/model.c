// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * model.c - aggregation of bind calls for the live table, and the rows
 * the table shows from it.
 *
 * Three levels: process -> target (protocol, family, address, port,
 * result) -> distinct call stack.  Each level keeps its children in
 * most-recently-active order, so the oldest child is always at the tail
 * and eviction is O(1).  Lookups go through two hash tables (running
 * processes by pid, targets by key); stacks are few per target and
 * searched linearly.
 *
 * Pause keeps counting into the live data but shows a deep copy taken
 * when pausing.  Nodes carry ids that the copy keeps, so the expand set
 * and the selection (both by id) work the same on either.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "format.h"
#include "model.h"
#include "xalloc.h"

#define PID_BUCKETS	4096
#define TARGET_BUCKETS	16384
#define MAX_ALTS	32

struct kb_agg {
	struct kb_mproc *head, *tail;	/* most recent first */
	int nprocs, ntargets;
	struct kb_mproc **pidhash;	/* NULL in a paused copy: it is never added to */
	struct kb_mtarget **thash;
	uint64_t binds, fails;
	uint64_t existing;
	struct kb_mevict ev;
};

/* A set of node ids (the expanded ones): open addressing, 0 is empty. */
struct kb_idset {
	uint64_t *slot;
	size_t cap, n;
};

struct kb_model {
	struct kb_model_limits lim;
	struct kb_agg *live;
	struct kb_agg *frozen;		/* shown while paused */
	uint64_t pause_binds;		/* live->binds when pausing */
	uint64_t next_id;

	char filter[KB_FILTER_MAX];
	char altbuf[KB_FILTER_MAX];
	const char *alt[MAX_ALTS];
	int nalts;
	int sort_col;			/* the caller's key, -1: most recent first */
	kb_row_cmp sort_cmp;
	bool sort_desc;
	bool failed_only;
	bool hide_existing;
	struct kb_idset expanded;

	/* rate */
	uint64_t rate_t, rate_binds;
	double rate;

	/* rows, rebuilt lazily */
	bool rows_valid;
	struct kb_row *rows;
	size_t nrows, caprows;
	struct kb_row *lvl[3];		/* per-level scratch for sorting siblings */
	size_t lvlcap[3];

	kb_stack_depth_fn depth_fn;	/* perf stacks: frames once resolved */
	void *depth_ctx;
};

/* ---- small helpers ---- */

/*
 * Hash n bytes into h, eight at a time (every call is on the per-event
 * path: a stack is up to 96 bytes, and a byte-wise FNV loop showed up as
 * a tenth of the live table's CPU under a storm).
 */
static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	uint64_t w;

	for (; n >= 8; n -= 8, c += 8) {
		memcpy(&w, c, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	if (n) {
		w = 0;
		memcpy(&w, c, n);
		h = (h ^ w ^ ((uint64_t)n << 56)) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	return h;
}

#define FNV0 0xcbf29ce484222325ULL

/* A socket bound before the start: seen at ts, but not a call. */
static void touch(struct kb_mcount *c, uint64_t ts)
{
	if (!c->first || ts < c->first)
		c->first = ts;
	if (ts > c->last)
		c->last = ts;
}

static void count(struct kb_mcount *c, uint64_t ts, bool fail)
{
	if (!c->count || ts < c->first)
		c->first = ts;
	if (ts > c->last)
		c->last = ts;
	c->count++;
	c->fails += fail;
}

/* ---- id set ---- */

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static bool idset_has(const struct kb_idset *s, uint64_t id)
{
	if (!s->n)
		return false;
	for (size_t i = mix(id) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->slot[i] == id)
			return true;
		if (!s->slot[i])
			return false;
	}
}

static void idset_add(struct kb_idset *s, uint64_t id);

static void idset_grow(struct kb_idset *s)
{
	struct kb_idset old = *s;

	s->cap = old.cap ? old.cap * 2 : 64;
	s->slot = xcalloc(s->cap, sizeof(*s->slot));
	s->n = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slot[i])
			idset_add(s, old.slot[i]);
	free(old.slot);
}

static void idset_add(struct kb_idset *s, uint64_t id)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap)
		idset_grow(s);
	for (i = mix(id) & (s->cap - 1); s->slot[i]; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == id)
			return;
	s->slot[i] = id;
	s->n++;
}

/* Linear probing deletion: shift later members of the cluster back. */
static void idset_del(struct kb_idset *s, uint64_t id)
{
	size_t i, j, k, mask = s->cap - 1;

	if (!s->n)
		return;
	for (i = mix(id) & mask; s->slot[i] != id; i = (i + 1) & mask)
		if (!s->slot[i])
			return;
	s->slot[i] = 0;
	s->n--;
	for (j = (i + 1) & mask; s->slot[j]; j = (j + 1) & mask) {
		k = mix(s->slot[j]) & mask;
		/* move slot j to the hole unless its home lies cyclically in (i, j] */
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			s->slot[i] = s->slot[j];
			s->slot[j] = 0;
			i = j;
		}
	}
}

static void idset_clear(struct kb_idset *s)
{
	if (s->slot)
		memset(s->slot, 0, s->cap * sizeof(*s->slot));
	s->n = 0;
}

/* ---- aggregation ---- */

static struct kb_agg *agg_new(bool hashed)
{
	struct kb_agg *a = xcalloc(1, sizeof(*a));

	if (hashed) {
		a->pidhash = xcalloc(PID_BUCKETS, sizeof(*a->pidhash));
		a->thash = xcalloc(TARGET_BUCKETS, sizeof(*a->thash));
	}
	return a;
}

static void target_free_stacks(struct kb_mtarget *t)
{
	struct kb_mstack *s, *n;

	for (s = t->stacks; s; s = n) {
		n = s->next;
		free(s);
	}
	t->stacks = NULL;
	t->nstacks = 0;
}

static void agg_free(struct kb_agg *a)
{
	struct kb_mproc *p, *pn;
	struct kb_mtarget *t, *tn;

	if (!a)
		return;
	for (p = a->head; p; p = pn) {
		pn = p->next;
		for (t = p->thead; t; t = tn) {
			tn = t->next;
			target_free_stacks(t);
			free(t);
		}
		free(p);
	}
	free(a->pidhash);
	free(a->thash);
	free(a);
}

static size_t pid_bucket(int pid)
{
	return (size_t)((unsigned int)pid * 2654435761u) % PID_BUCKETS;
}

static void pidhash_del(struct kb_agg *a, struct kb_mproc *p)
{
	struct kb_mproc **pp;

	if (!a->pidhash)
		return;
	for (pp = &a->pidhash[pid_bucket(p->pid)]; *pp; pp = &(*pp)->hnext)
		if (*pp == p) {
			*pp = p->hnext;
			break;
		}
	p->hnext = NULL;
}

static void thash_del(struct kb_agg *a, struct kb_mtarget *t)
{
	struct kb_mtarget **pp;

	if (!a->thash)
		return;
	for (pp = &a->thash[t->hash % TARGET_BUCKETS]; *pp; pp = &(*pp)->hnext)
		if (*pp == t) {
			*pp = t->hnext;
			break;
		}
}

static void proc_unlink(struct kb_agg *a, struct kb_mproc *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		a->head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		a->tail = p->prev;
	p->prev = p->next = NULL;
}

static void proc_push_front(struct kb_agg *a, struct kb_mproc *p)
{
	p->prev = NULL;
	p->next = a->head;
	if (a->head)
		a->head->prev = p;
	a->head = p;
	if (!a->tail)
		a->tail = p;
}

static void target_unlink(struct kb_mproc *p, struct kb_mtarget *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		p->thead = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		p->ttail = t->prev;
	t->prev = t->next = NULL;
}

static void target_push_front(struct kb_mproc *p, struct kb_mtarget *t)
{
	t->prev = NULL;
	t->next = p->thead;
	if (p->thead)
		p->thead->prev = t;
	p->thead = t;
	if (!p->ttail)
		p->ttail = t;
}

/* Forget the ids of a node and everything under it from the expand set. */
static void forget_target_ids(struct kb_model *m, struct kb_mtarget *t)
{
	idset_del(&m->expanded, t->c.id);
	for (struct kb_mstack *s = t->stacks; s; s = s->next)
		idset_del(&m->expanded, s->c.id);
}

static void target_remove(struct kb_model *m, struct kb_agg *a, struct kb_mtarget *t)
{
	struct kb_mproc *p = t->proc;

	thash_del(a, t);
	target_unlink(p, t);
	p->ntargets--;
	a->ntargets--;
	if (a == m->live && !m->frozen)
		forget_target_ids(m, t);
	target_free_stacks(t);
	free(t);
}

static void proc_remove(struct kb_model *m, struct kb_agg *a, struct kb_mproc *p)
{
	while (p->thead)
		target_remove(m, a, p->thead);
	if (!p->exited)
		pidhash_del(a, p);
	proc_unlink(a, p);
	a->nprocs--;
	if (a == m->live && !m->frozen)
		idset_del(&m->expanded, p->c.id);
	free(p);
}

static struct kb_mproc *proc_get(struct kb_model *m, struct kb_agg *a, const struct kb_bind *b, int *created)
{
	size_t h = pid_bucket(b->pid);
	struct kb_mproc *p;

	for (p = a->pidhash[h]; p; p = p->hnext)
		if (p->pid == b->pid) {
			if (p != a->head) {
				proc_unlink(a, p);
				proc_push_front(a, p);
			}
			return p;
		}
	p = xcalloc(1, sizeof(*p));
	p->c.id = ++m->next_id;
	p->pid = b->pid;
	p->hnext = a->pidhash[h];
	a->pidhash[h] = p;
	proc_push_front(a, p);
	a->nprocs++;
	*created = 1;
	return p;
}

static uint64_t target_key(const struct kb_mproc *p, const struct kb_bind *b)
{
	const char *proto = b->proto ? b->proto : "";
	uint64_t h = FNV0;

	h = hash_bytes(h, &p->c.id, sizeof(p->c.id));
	h = hash_bytes(h, &b->addr.family, sizeof(b->addr.family));
	h = hash_bytes(h, &b->addr.port, sizeof(b->addr.port));
	h = hash_bytes(h, &b->ev.ret, sizeof(b->ev.ret));
	h ^= b->ev.flags & KB_EVF_EXISTING;	/* a socket found at start is not a call's row */
	h = hash_bytes(h, proto, strlen(proto) + 1);
	return hash_bytes(h, b->addr.text, strlen(b->addr.text));
}

static bool target_same(const struct kb_mtarget *t, const struct kb_mproc *p, const struct kb_bind *b)
{
	const struct kb_bind *o = &t->last;

	return t->proc == p && o->addr.family == b->addr.family && o->addr.port == b->addr.port &&
	       o->ev.ret == b->ev.ret &&
	       (o->ev.flags & KB_EVF_EXISTING) == (b->ev.flags & KB_EVF_EXISTING) && !strcmp(o->proto ? o->proto : "", b->proto ? b->proto : "") &&
	       !strcmp(o->addr.text, b->addr.text);
}

static struct kb_mtarget *target_get(struct kb_model *m, struct kb_agg *a, struct kb_mproc *p,
				     const struct kb_bind *b)
{
	uint64_t h = target_key(p, b);
	struct kb_mtarget *t;

	for (t = a->thash[h % TARGET_BUCKETS]; t; t = t->hnext)
		if (t->hash == h && target_same(t, p, b)) {
			if (t != p->thead) {
				target_unlink(p, t);
				target_push_front(p, t);
			}
			return t;
		}
	t = xcalloc(1, sizeof(*t));
	t->c.id = ++m->next_id;
	t->proc = p;
	t->hash = h;
	t->hnext = a->thash[h % TARGET_BUCKETS];
	a->thash[h % TARGET_BUCKETS] = t;
	target_push_front(p, t);
	p->ntargets++;
	a->ntargets++;
	return t;
}

static void stack_add(struct kb_model *m, struct kb_agg *a, struct kb_mtarget *t, const struct kb_bind *b,
		      bool fail)
{
	const struct kb_event *ev = &b->ev;
	int nu = ev->n_ustack < KB_USTACK_MAX ? ev->n_ustack : KB_USTACK_MAX;
	int nk = ev->n_kstack < KB_KSTACK_MAX ? ev->n_kstack : KB_KSTACK_MAX;
	struct kb_mstack *s, **pp;
	uint64_t h = FNV0;

	if (!nu && !nk) {
		t->nostack++;
		return;
	}
	h = hash_bytes(h, &nu, sizeof(nu));
	h = hash_bytes(h, &nk, sizeof(nk));
	h = hash_bytes(h, ev->ustack, (size_t)nu * sizeof(uint64_t));
	h = hash_bytes(h, ev->kstack, (size_t)nk * sizeof(uint64_t));
	h = hash_bytes(h, &ev->ustack_id, sizeof(ev->ustack_id));
	for (pp = &t->stacks; (s = *pp); pp = &s->next) {
		if (s->hash == h && s->nu == nu && s->nk == nk && s->uid == ev->ustack_id &&
		    !memcmp(s->pcs, ev->ustack, (size_t)nu * sizeof(uint64_t)) &&
		    !memcmp(s->pcs + nu, ev->kstack, (size_t)nk * sizeof(uint64_t))) {
			*pp = s->next;		/* to the front */
			s->next = t->stacks;
			t->stacks = s;
			count(&s->c, ev->ts, fail);
			return;
		}
	}
	if (t->nstacks >= m->lim.target_stacks) {
		/* the list is most recent first: drop the tail */
		for (pp = &t->stacks; (*pp)->next; pp = &(*pp)->next)
			;
		s = *pp;
		*pp = NULL;
		t->stacks_evicted += s->c.count;
		if (!m->frozen)
			idset_del(&m->expanded, s->c.id);
		free(s);
		t->nstacks--;
		a->ev.stacks++;
	}
	s = xcalloc(1, sizeof(*s));
	s->c.id = ++m->next_id;
	s->hash = h;
	s->nu = (uint8_t)nu;
	s->nk = (uint8_t)nk;
	s->flags = ev->flags;
	s->usrc = ev->ustack_src;
	s->uid = ev->ustack_id;
	if (s->uid && m->depth_fn) {
		int d = m->depth_fn(m->depth_ctx, b->pid, s);

		s->nuser = (uint16_t)(d > 0 && d < 65535 ? d : 0);
	}
	memcpy(s->pcs, ev->ustack, (size_t)nu * sizeof(uint64_t));
	memcpy(s->pcs + nu, ev->kstack, (size_t)nk * sizeof(uint64_t));
	count(&s->c, ev->ts, fail);
	s->next = t->stacks;
	t->stacks = s;
	t->nstacks++;
}

/* Keep within the limits, oldest first; p (just used) goes last. */
static void enforce_limits(struct kb_model *m, struct kb_agg *a, struct kb_mproc *p)
{
	while (p->ntargets > m->lim.proc_targets) {
		p->targets_evicted++;
		a->ev.targets++;
		target_remove(m, a, p->ttail);
	}
	while (a->ntargets > m->lim.max_targets) {
		struct kb_mproc *v = a->tail;

		if (v == p && p->ntargets <= 1)
			break;
		v->targets_evicted++;
		a->ev.targets++;
		target_remove(m, a, v->ttail);
		if (!v->thead) {
			a->ev.procs++;
			proc_remove(m, a, v);
		}
	}
	while (a->nprocs > m->lim.max_procs && a->tail != p) {
		a->ev.procs++;
		proc_remove(m, a, a->tail);
	}
}

int kb_model_add(struct kb_model *m, const struct kb_bind *b)
{
	struct kb_agg *a = m->live;
	bool fail = kb_bind_failed(b);
	struct kb_mproc *p;
	struct kb_mtarget *t;
	int created = 0;

	p = proc_get(m, a, b, &created);
	_Static_assert(sizeof(p->comm) == sizeof(b->comm) && sizeof(p->user) == sizeof(b->user),
		       "model keeps the enriched names as they are");
	memcpy(p->comm, b->comm, sizeof(p->comm));
	if (b->uid_known) {
		p->uid_known = true;
		p->uid = b->uid;
		memcpy(p->user, b->user, sizeof(p->user));
	}
	t = target_get(m, a, p, b);
	t->last = *b;
	if (b->ev.flags & KB_EVF_EXISTING) {
		touch(&p->c, b->ev.ts);
		touch(&t->c, b->ev.ts);
		t->existing = true;
		p->existing++;
		a->existing++;
	} else {
		count(&p->c, b->ev.ts, fail);
		count(&t->c, b->ev.ts, fail);
		stack_add(m, a, t, b, fail);
		a->binds++;
		a->fails += fail;
	}
	enforce_limits(m, a, p);
	if (!m->frozen)
		m->rows_valid = false;
	return created;
}

bool kb_model_pid_alive(int pid)
{
	return pid <= 0 || kill(pid, 0) == 0 || errno == EPERM;
}

void kb_model_tick(struct kb_model *m, uint64_t now, bool (*alive)(int pid))
{
	struct kb_agg *a = m->live;
	struct kb_mproc *p, *next;

	for (p = a->head; p; p = next) {
		next = p->next;
		if (!p->exited && p->pid > 0 && alive && !alive(p->pid)) {
			p->exited = true;
			p->exited_at = now;
			pidhash_del(a, p);	/* a new process with this pid gets its own row */
			if (!m->frozen)
				m->rows_valid = false;
		}
		if (p->exited && now - p->exited_at >= m->lim.linger_ns) {
			a->ev.aged++;
			proc_remove(m, a, p);
			if (!m->frozen)
				m->rows_valid = false;
		}
	}
	if (m->rate_t && now > m->rate_t)
		m->rate = (double)(a->binds - m->rate_binds) * 1e9 / (double)(now - m->rate_t);
	m->rate_t = now;
	m->rate_binds = a->binds;
}

/* ---- pause: a deep copy without hash tables ---- */

static struct kb_agg *agg_copy(const struct kb_agg *src)
{
	struct kb_agg *a = agg_new(false);
	const struct kb_mproc *p;

	a->binds = src->binds;
	a->fails = src->fails;
	a->existing = src->existing;
	a->ev = src->ev;
	for (p = src->tail; p; p = p->prev) {
		struct kb_mproc *np = xmalloc(sizeof(*np));
		const struct kb_mtarget *t;

		*np = *p;
		np->thead = np->ttail = NULL;
		np->hnext = NULL;
		proc_push_front(a, np);
		a->nprocs++;
		for (t = p->ttail; t; t = t->prev) {
			struct kb_mtarget *nt = xmalloc(sizeof(*nt));
			struct kb_mstack **tailp;

			*nt = *t;
			nt->proc = np;
			nt->hnext = NULL;
			nt->stacks = NULL;
			tailp = &nt->stacks;
			for (const struct kb_mstack *s = t->stacks; s; s = s->next) {
				struct kb_mstack *ns = xmalloc(sizeof(*ns));

				*ns = *s;
				ns->next = NULL;
				*tailp = ns;
				tailp = &ns->next;
			}
			target_push_front(np, nt);
			a->ntargets++;
		}
	}
	return a;
}

/* After a pause, drop expand ids of nodes evicted meanwhile. */
static void prune_expanded(struct kb_model *m)
{
	struct kb_idset keep = { 0 };

	for (struct kb_mproc *p = m->live->head; p; p = p->next) {
		if (idset_has(&m->expanded, p->c.id))
			idset_add(&keep, p->c.id);
		for (struct kb_mtarget *t = p->thead; t; t = t->next) {
			if (idset_has(&m->expanded, t->c.id))
				idset_add(&keep, t->c.id);
			for (struct kb_mstack *s = t->stacks; s; s = s->next)
				if (idset_has(&m->expanded, s->c.id))
					idset_add(&keep, s->c.id);
		}
	}
	free(m->expanded.slot);
	m->expanded = keep;
}

void kb_model_set_paused(struct kb_model *m, bool on)
{
	if (on == !!m->frozen)
		return;
	if (on) {
		m->frozen = agg_copy(m->live);
		m->pause_binds = m->live->binds;
	} else {
		agg_free(m->frozen);
		m->frozen = NULL;
		prune_expanded(m);
	}
	m->rows_valid = false;
}

bool kb_model_paused(const struct kb_model *m)
{
	return m->frozen != NULL;
}

/* ---- life cycle and settings ---- */

void kb_model_set_stack_depth(struct kb_model *m, kb_stack_depth_fn fn, void *ctx)
{
	m->depth_fn = fn;
	m->depth_ctx = ctx;
}

struct kb_model *kb_model_new(const struct kb_model_limits *lim)
{
	struct kb_model *m = xcalloc(1, sizeof(*m));

	if (lim) {
		m->lim = *lim;
	} else {
		m->lim.max_procs = KB_MODEL_MAX_PROCS;
		m->lim.max_targets = KB_MODEL_MAX_TARGETS;
		m->lim.proc_targets = KB_MODEL_PROC_TARGETS;
		m->lim.target_stacks = KB_MODEL_TARGET_STACKS;
		m->lim.linger_ns = KB_MODEL_LINGER_NS;
	}
	if (m->lim.max_procs < 1)
		m->lim.max_procs = 1;
	if (m->lim.max_targets < 2)
		m->lim.max_targets = 2;
	if (m->lim.proc_targets < 1)
		m->lim.proc_targets = 1;
	if (m->lim.target_stacks < 1)
		m->lim.target_stacks = 1;
	m->live = agg_new(true);
	m->sort_col = -1;
	m->sort_desc = true;
	return m;
}

void kb_model_free(struct kb_model *m)
{
	if (!m)
		return;
	agg_free(m->live);
	agg_free(m->frozen);
	free(m->expanded.slot);
	free(m->rows);
	for (int i = 0; i < 3; i++)
		free(m->lvl[i]);
	free(m);
}

void kb_model_clear(struct kb_model *m, uint64_t now)
{
	bool paused = m->frozen != NULL;

	agg_free(m->live);
	agg_free(m->frozen);
	m->frozen = NULL;
	m->live = agg_new(true);
	idset_clear(&m->expanded);
	if (paused)
		kb_model_set_paused(m, true);
	m->rate = 0;
	m->rate_t = now;
	m->rate_binds = 0;
	m->rows_valid = false;
}

int kb_model_set_filter(struct kb_model *m, const char *text)
{
	char *p, *bar, *end;

	if (strlen(text) >= sizeof(m->filter))
		return -EINVAL;
	snprintf(m->filter, sizeof(m->filter), "%s", text);
	snprintf(m->altbuf, sizeof(m->altbuf), "%s", text);
	m->nalts = 0;
	for (p = m->altbuf; p; p = bar ? bar + 1 : NULL) {
		bar = strchr(p, '|');
		if (bar)
			*bar = '\0';
		while (*p == ' ')
			p++;
		end = p + strlen(p);
		while (end > p && end[-1] == ' ')
			*--end = '\0';
		if (*p && m->nalts < MAX_ALTS)
			m->alt[m->nalts++] = p;
	}
	m->rows_valid = false;
	return 0;
}

const char *kb_model_filter(const struct kb_model *m)
{
	return m->filter;
}

void kb_model_set_sort(struct kb_model *m, int key, kb_row_cmp cmp, bool desc)
{
	m->sort_col = cmp ? key : -1;
	m->sort_cmp = cmp;
	m->sort_desc = desc;
	m->rows_valid = false;
}

int kb_model_sort_col(const struct kb_model *m)
{
	return m->sort_col;
}

bool kb_model_sort_desc(const struct kb_model *m)
{
	return m->sort_desc;
}

void kb_model_set_hide_existing(struct kb_model *m, bool on)
{
	m->hide_existing = on;
	m->rows_valid = false;
}

bool kb_model_hide_existing(const struct kb_model *m)
{
	return m->hide_existing;
}

void kb_model_set_failed_only(struct kb_model *m, bool on)
{
	m->failed_only = on;
	m->rows_valid = false;
}

bool kb_model_failed_only(const struct kb_model *m)
{
	return m->failed_only;
}

void kb_model_set_expanded(struct kb_model *m, const struct kb_rowid *rid, bool on)
{
	if (rid->kind == KB_ROW_FRAME || rid->kind == KB_ROW_NOTE)
		return;
	if (on)
		idset_add(&m->expanded, rid->id);
	else
		idset_del(&m->expanded, rid->id);
	m->rows_valid = false;
}

bool kb_model_expanded(const struct kb_model *m, const struct kb_rowid *rid)
{
	return idset_has(&m->expanded, rid->id);
}

void kb_model_expand_all(struct kb_model *m, bool on)
{
	const struct kb_agg *a = m->frozen ? m->frozen : m->live;

	idset_clear(&m->expanded);
	if (on)
		for (const struct kb_mproc *p = a->head; p; p = p->next) {
			idset_add(&m->expanded, p->c.id);
			for (const struct kb_mtarget *t = p->thead; t; t = t->next)
				idset_add(&m->expanded, t->c.id);
		}
	m->rows_valid = false;
}

bool kb_model_any_expanded(const struct kb_model *m)
{
	return m->expanded.n > 0;
}

void kb_model_totals(const struct kb_model *m, struct kb_mtotals *t)
{
	const struct kb_agg *a = m->live;

	memset(t, 0, sizeof(*t));
	t->binds = a->binds;
	t->fails = a->fails;
	t->since_pause = m->frozen ? a->binds - m->pause_binds : 0;
	t->rate = m->rate;
	t->procs = a->nprocs;
	t->existing = a->existing;
	t->targets = a->ntargets;
	t->ev = a->ev;
	for (const struct kb_mproc *p = a->head; p; p = p->next)
		t->exited += p->exited;
}

/* ---- text the model itself needs (labels are also what the filter sees) ---- */

const char *kb_target_label(const struct kb_mtarget *t, char *buf, size_t len)
{
	return kb_bind_label(&t->last, buf, len);
}

const char *kb_bind_label(const struct kb_bind *b, char *buf, size_t len)
{
	char kind[32], fam[16], port[16];
	int f = b->addr.family;

	if ((f == AF_INET || f == AF_INET6) && b->proto)
		snprintf(kind, sizeof(kind), "%s%c", b->proto, f == AF_INET ? '4' : '6');
	else if (b->proto)
		snprintf(kind, sizeof(kind), "%s/%s", kb_fmt_family(b, fam, sizeof(fam)), b->proto);
	else
		snprintf(kind, sizeof(kind), "%s", kb_fmt_family(b, fam, sizeof(fam)));
	if (b->addr.port < 0)
		snprintf(buf, len, "%-5s %s", kind, b->addr.text[0] ? b->addr.text : "-");
	else if (f == AF_INET6)
		snprintf(buf, len, "%-5s [%s]:%s", kind, b->addr.text, kb_fmt_port(b, port, sizeof(port)));
	else
		snprintf(buf, len, "%-5s %s:%s", kind, b->addr.text, kb_fmt_port(b, port, sizeof(port)));
	return buf;
}

void kb_mstack_event(const struct kb_mstack *s, struct kb_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->flags = s->flags;
	ev->ustack_src = s->usrc;
	ev->ustack_id = s->uid;
	ev->n_ustack = s->nu;
	ev->n_kstack = s->nk;
	memcpy(ev->ustack, s->pcs, (size_t)s->nu * sizeof(uint64_t));
	memcpy(ev->kstack, s->pcs + s->nu, (size_t)s->nk * sizeof(uint64_t));
}

const struct kb_bind *kb_mproc_last(const struct kb_mproc *p)
{
	return p->thead ? &p->thead->last : NULL;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

const char *kb_mproc_ports(const struct kb_mproc *p, int width, char *buf, size_t len)
{
	int ports[KB_MODEL_PROC_TARGETS], n = 0, nitems = 0, shown = 0;
	char item[24];
	size_t used = 0;

	if (width > (int)len - 1)
		width = (int)len - 1;
	buf[0] = '\0';
	for (const struct kb_mtarget *t = p->thead; t && n < KB_MODEL_PROC_TARGETS; t = t->next)
		if (t->last.addr.port >= 0)
			ports[n++] = t->last.addr.port;
	if (!n) {
		snprintf(buf, len, "-");
		return buf;
	}
	qsort(ports, (size_t)n, sizeof(int), cmp_int);
	/* count the items (single ports or a-b ranges) first, for "+N" */
	for (int i = 0; i < n; i++)
		if (!i || (ports[i] != ports[i - 1] && ports[i] != ports[i - 1] + 1))
			nitems++;
	for (int i = 0; i < n;) {
		int j = i, rest, need;

		while (j + 1 < n && (ports[j + 1] == ports[j] || ports[j + 1] == ports[j] + 1))
			j++;
		if (ports[j] != ports[i])
			snprintf(item, sizeof(item), "%d-%d", ports[i], ports[j]);
		else
			snprintf(item, sizeof(item), "%d", ports[i]);
		rest = nitems - shown - 1;
		need = (int)used + (used ? 1 : 0) + (int)strlen(item);
		if (rest)
			need += snprintf(NULL, 0, ",+%d", rest);
		if (need > width) {
			snprintf(buf + used, len - used, "%s+%d", used ? "," : "", nitems - shown);
			return buf;
		}
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "", item);
		shown++;
		i = j + 1;
	}
	return buf;
}

/* ---- rows ---- */

static bool alt_match(const struct kb_model *m, const char *hay)
{
	for (int i = 0; i < m->nalts; i++)
		if (strcasestr(hay, m->alt[i]))
			return true;
	return false;
}

bool kb_model_filter_match(const struct kb_model *m, const char *text)
{
	return !m->nalts || alt_match(m, text);
}

static bool proc_matches(const struct kb_model *m, const struct kb_mproc *p)
{
	char hay[KB_COMM_VIS + 64];

	snprintf(hay, sizeof(hay), "%d %s %s", p->pid, p->comm, p->uid_known ? p->user : "");
	return alt_match(m, hay);
}

static bool target_visible(const struct kb_model *m, const struct kb_mtarget *t, bool proc_match)
{
	char hay[KB_ADDR_TEXT + 96], res[32];
	size_t n;

	if (m->failed_only && !t->c.fails)
		return false;
	if (m->hide_existing && t->existing)
		return false;
	if (proc_match)
		return true;
	kb_target_label(t, hay, sizeof(hay));
	n = strlen(hay);
	snprintf(hay + n, sizeof(hay) - n, " %s", kb_fmt_result(&t->last, res, sizeof(res)));
	return alt_match(m, hay);
}

static struct kb_row *push_row(struct kb_model *m)
{
	struct kb_row *r;

	if (m->nrows == m->caprows) {
		m->caprows = m->caprows ? m->caprows * 2 : 256;
		m->rows = xrealloc(m->rows, m->caprows * sizeof(*m->rows));
	}
	r = &m->rows[m->nrows++];
	memset(r, 0, sizeof(*r));
	return r;
}

static struct kb_row *lvl_push(struct kb_model *m, int l, size_t *n)
{
	if (*n == m->lvlcap[l]) {
		m->lvlcap[l] = m->lvlcap[l] ? m->lvlcap[l] * 2 : 64;
		m->lvl[l] = xrealloc(m->lvl[l], m->lvlcap[l] * sizeof(struct kb_row));
	}
	memset(&m->lvl[l][*n], 0, sizeof(struct kb_row));
	return &m->lvl[l][(*n)++];
}

static int row_cmp(const void *x, const void *y, void *arg)
{
	const struct kb_model *m = arg;
	const struct kb_row *a = x, *b = y;
	const struct kb_mcount *ca, *cb;
	int r;

	ca = a->kind == KB_ROW_PROC ? &a->p->c : a->kind == KB_ROW_TARGET ? &a->t->c : &a->s->c;
	cb = b->kind == KB_ROW_PROC ? &b->p->c : b->kind == KB_ROW_TARGET ? &b->t->c : &b->s->c;
	/* no order given: the latest activity (the LAST column's order, columns.c) */
	r = m->sort_cmp ? m->sort_cmp(a, b) : (ca->last > cb->last) - (ca->last < cb->last);
	if (r)
		return m->sort_desc ? -r : r;
	/* ties, and columns that say nothing at this level: busiest first */
	if (ca->count != cb->count)
		return ca->count > cb->count ? -1 : 1;
	return (ca->id > cb->id) - (ca->id < cb->id);
}

/* Siblings in the sort order (the scratch array is NULL before the first use). */
static void sort_rows(struct kb_model *m, struct kb_row *rows, size_t n)
{
	if (n > 1)
		qsort_r(rows, n, sizeof(*rows), row_cmp, m);
}

static void emit(struct kb_model *m, const struct kb_row *src, bool last, unsigned int more)
{
	struct kb_row *r = push_row(m);

	*r = *src;
	r->last = last;
	r->more = more;
	r->rid.kind = r->kind;
	r->rid.sub = r->kind == KB_ROW_FRAME || r->kind == KB_ROW_NOTE ? r->sub : 0;
	r->rid.id = r->kind == KB_ROW_PROC ? r->p->c.id : r->kind == KB_ROW_TARGET ? r->t->c.id :
		    r->kind == KB_ROW_STACK || r->kind == KB_ROW_FRAME ? r->s->c.id :
		    r->t ? r->t->c.id : r->p->c.id;
	if (r->kind <= KB_ROW_STACK)
		r->expanded = r->expandable && idset_has(&m->expanded, r->rid.id);
}

static void emit_note(struct kb_model *m, const struct kb_row *parent, int depth, int sub, bool last,
		      unsigned int more, const char *text)
{
	struct kb_row n = { .kind = KB_ROW_NOTE, .depth = depth, .p = parent->p, .t = parent->t, .sub = sub };

	snprintf(n.note, sizeof(n.note), "%s", text);
	emit(m, &n, last, more);
}

static void emit_stack(struct kb_model *m, const struct kb_row *sr, unsigned int more)
{
	const struct kb_mstack *s = sr->s;
	int nf = kb_mstack_nuser(s) + s->nk;

	for (int i = 0; i < nf; i++) {
		struct kb_row f = { .kind = KB_ROW_FRAME, .depth = 3, .p = sr->p, .t = sr->t, .s = s, .sub = i };

		emit(m, &f, i == nf - 1, more);
	}
}

static void emit_target(struct kb_model *m, const struct kb_row *tr, unsigned int more)
{
	const struct kb_mtarget *t = tr->t;
	size_t n = 0;
	int ord = 0;
	bool notes = t->nostack || t->stacks_evicted;
	char text[64];

	for (const struct kb_mstack *s = t->stacks; s; s = s->next) {
		struct kb_row *r = lvl_push(m, 2, &n);

		r->kind = KB_ROW_STACK;
		r->depth = 2;
		r->p = tr->p;
		r->t = t;
		r->s = s;
		r->expandable = kb_mstack_nuser(s) + s->nk > 0;
	}
	sort_rows(m, m->lvl[2], n);
	for (size_t i = 0; i < n; i++) {
		struct kb_row sr = m->lvl[2][i];
		bool last = i == n - 1 && !notes;

		sr.sub = ++ord;
		emit(m, &sr, last, more);
		if (m->rows[m->nrows - 1].expanded)
			emit_stack(m, &sr, more | (last ? 0 : 1u << 2));
	}
	if (t->nostack) {
		snprintf(text, sizeof(text), "(%llu call%s without a stack)", (unsigned long long)t->nostack,
			 t->nostack == 1 ? "" : "s");
		emit_note(m, tr, 2, 1, !t->stacks_evicted, more, text);
	}
	if (t->stacks_evicted) {
		snprintf(text, sizeof(text), "(%llu calls under older stacks, pushed out)",
			 (unsigned long long)t->stacks_evicted);
		emit_note(m, tr, 2, 2, true, more, text);
	}
}

static void build_rows(struct kb_model *m)
{
	const struct kb_agg *a = m->frozen ? m->frozen : m->live;
	size_t np = 0;

	m->nrows = 0;
	for (const struct kb_mproc *p = a->head; p; p = p->next) {
		bool pm = !m->nalts || proc_matches(m, p);
		bool any = false;

		for (const struct kb_mtarget *t = p->thead; t && !any; t = t->next)
			any = target_visible(m, t, pm);
		if (any) {
			struct kb_row *r = lvl_push(m, 0, &np);

			r->kind = KB_ROW_PROC;
			r->p = p;
			r->expandable = true;
		}
	}
	sort_rows(m, m->lvl[0], np);
	for (size_t i = 0; i < np; i++) {
		const struct kb_row *pr = &m->lvl[0][i];
		const struct kb_mproc *p = pr->p;
		bool pm = !m->nalts || proc_matches(m, p);
		size_t nt = 0;

		emit(m, pr, i == np - 1, 0);
		if (!m->rows[m->nrows - 1].expanded)
			continue;
		for (const struct kb_mtarget *t = p->thead; t; t = t->next) {
			struct kb_row *r;

			if (!target_visible(m, t, pm))
				continue;
			r = lvl_push(m, 1, &nt);
			r->kind = KB_ROW_TARGET;
			r->depth = 1;
			r->p = p;
			r->t = t;
			r->expandable = !t->existing;	/* no stacks: not a call */
		}
		sort_rows(m, m->lvl[1], nt);
		for (size_t j = 0; j < nt; j++) {
			struct kb_row tr = m->lvl[1][j];
			bool last = j == nt - 1 && !p->targets_evicted;

			emit(m, &tr, last, 0);
			if (m->rows[m->nrows - 1].expanded)
				emit_target(m, &tr, last ? 0 : 1u << 1);
		}
		if (p->targets_evicted) {
			char text[64];

			snprintf(text, sizeof(text), "(%llu older targets pushed out)",
				 (unsigned long long)p->targets_evicted);
			emit_note(m, pr, 1, 0, true, 0, text);
		}
	}
	m->rows_valid = true;
}

const struct kb_row *kb_model_rows(struct kb_model *m, size_t *n)
{
	if (!m->rows_valid)
		build_rows(m);
	*n = m->nrows;
	return m->rows;
}

long kb_model_find_row(struct kb_model *m, const struct kb_rowid *rid)
{
	size_t n;
	const struct kb_row *rows = kb_model_rows(m, &n);

	for (size_t i = 0; i < n; i++)
		if (rows[i].rid.kind == rid->kind && rows[i].rid.id == rid->id && rows[i].rid.sub == rid->sub)
			return (long)i;
	return -1;
}
