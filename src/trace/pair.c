// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pair.c - per-thread state machine that turns records into bind calls.
 *
 * In timestamp order, one thread's records of one bind() are:
 *   [UADDR]  libc uprobe (syscalls backend, libc callers only)
 *   ENTER    syscall entry (carries the address on the kprobe backend)
 *   [USTACK] user stack of the ENTER, same CPU, right after it
 *   [KSOCK]  kernel copy of the address (6.11+ kprobe backend)
 *   [KSTACK] kernel stack of the KSOCK, same CPU, right after it
 *   EXIT     syscall return
 * A KSOCK without an ENTER is a bind that did not come through bind(2)
 * (io_uring); its KSOCK_EXIT ends it.  KBIND/KBIND_EXIT (kernel_bind) are
 * binds by the kernel itself.  Without kprobes, io_uring binds come as
 * IOU_SUBMIT/IOU_COMPLETE records, joined by request in iouring.c.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "iouring.h"
#include "pair.h"
#include "xalloc.h"

#define HOLD_NS		(5ULL * 1000000000ULL)	/* give up on a partner after this */
/*
 * A perf sample and the ftrace record of one bind come from two probes on
 * the same tracepoint, called in the order they were registered, which
 * other tracers on the host decide: the samples may come first, and then
 * precede their ENTER by the perf probes' own time (30-60 us measured on
 * the reference VM with an 8 KB copy).  Such a sample waits this long for
 * the next ENTER of its thread; binds of one thread 7 us apart still pair
 * right, as each ENTER takes the sample pending at that moment.
 */
#define PEND_NS		(1000000ULL)
#define NBUCKET		4096			/* power of two */
#define DEFAULT_MEM	(4u << 20)
/* per stream window: at least a few pages' worth of records, at most what any reorder needs */
#define WINDOW_MIN	4096u
#define WINDOW_MAX	(4u << 20)
#define STATES_MIN	256
#define STATES_MAX	65536

/*
 * A stream's window: records packed back to back in one buffer allocated
 * once, each behind a slot header, only their used bytes copied.  A record
 * that does not fit before the end of the buffer starts again at offset 0
 * (a zero size, or too little room for a header, marks the jump).
 */
struct slot {
	uint32_t size;			/* header + record, a multiple of 8; 0 = wrap */
	uint32_t pad;
};

struct fifo {
	uint8_t *buf;
	uint32_t cap;			/* bytes */
	uint32_t head, tail;		/* oldest record; free space */
	uint32_t n;			/* records held */
};

/* What a libc uprobe record brought, kept until its syscall entry comes. */
struct uaddr {
	uint64_t ts, uptr, ra;
	int32_t fd;
	uint16_t sa_len;
	uint8_t sa_src;
	bool has_comm;
	char comm[KB_COMM_LEN];
	uint8_t sa[KB_SA_MAX];
};

struct tstate {
	int tid;
	int next;			/* hash chain, -1 ends */
	bool has_addr;			/* uprobe record waiting for its ENTER */
	bool has_call;			/* ENTER seen, EXIT not yet */
	bool ustack_done;
	bool pstack_done;
	bool pstack_copy;		/* the attached perf stack has a stack copy */
	bool has_pend;			/* a perf sample that came before its ENTER */
	struct {
		uint64_t ts;
		uint32_t id, tgid;
		bool copy;
		uint8_t n;
		uint64_t frames[KB_USTACK_MAX];
	} pend;
	bool kstack_done;
	bool ksock_seen;
	uint64_t ra;			/* direct caller from the uprobe or kprobe */
	struct uaddr addr;		/* the uprobe record */
	struct kb_event ev;		/* the call being assembled */
};

struct kb_pair {
	int nstreams;
	bool want_ustack;
	kb_event_fn emit;
	void *ctx;
	struct fifo *fifo;
	uint64_t queued;
	uint64_t held_bytes;
	uint64_t last_watermark;	/* records older than this were all read */
	uint64_t last_expire;
	size_t *room;			/* calls the sink can still take in this flush */
	/* last event record per stream: stacks attach to it */
	int *last_tid;
	int bucket[NBUCKET];
	struct tstate *st;		/* pool of max_st, allocated once */
	int nst, max_st, free_head;
	int live;			/* states with a call or an address */
	struct kb_iou *iou;		/* io_uring binds seen through their tracepoints */
	struct kb_pair_stats stats;
};

static size_t slot_need(const struct kb_rec *r)
{
	return (sizeof(struct slot) + kb_rec_size(r) + 7) & ~(size_t)7;
}

#define SLOT_MAX ((sizeof(struct slot) + sizeof(struct kb_rec) + 7) & ~(size_t)7)

/* Offset where a record of need bytes would go, or -1 when the window is full. */
static long fifo_place(const struct fifo *f, size_t need)
{
	if (!f->n)
		return f->cap >= need ? 0 : -1;
	if (f->tail > f->head) {
		if (f->cap - f->tail >= need)
			return (long)f->tail;
		return f->head > need ? 0 : -1;
	}
	return f->head - f->tail > need ? (long)f->tail : -1;
}

static struct slot *fifo_head(struct fifo *f)
{
	struct slot *sl;

	if (f->cap - f->head < sizeof(struct slot))
		f->head = 0;
	sl = (struct slot *)(f->buf + f->head);
	if (!sl->size) {
		f->head = 0;
		sl = (struct slot *)f->buf;
	}
	return sl;
}

struct kb_pair *kb_pair_new(int nstreams, bool want_ustack, size_t mem, kb_event_fn emit, void *ctx)
{
	struct kb_pair *p = xcalloc(1, sizeof(*p));
	size_t window, states;

	if (!mem)
		mem = DEFAULT_MEM;
	if (nstreams < 1)
		nstreams = 1;
	/* two thirds for the windows, one third for the per-thread states */
	window = mem / 3 * 2 / (size_t)nstreams;
	window = window < WINDOW_MIN ? WINDOW_MIN : window > WINDOW_MAX ? WINDOW_MAX : window;
	states = mem / 3 / sizeof(struct tstate);
	states = states < STATES_MIN ? STATES_MIN : states > STATES_MAX ? STATES_MAX : states;

	p->nstreams = nstreams;
	p->want_ustack = want_ustack;
	p->emit = emit;
	p->ctx = ctx;
	p->fifo = xcalloc((size_t)nstreams, sizeof(*p->fifo));
	for (int i = 0; i < nstreams; i++)
		p->fifo[i].cap = (uint32_t)(window & ~(size_t)7);
	p->last_tid = xcalloc((size_t)nstreams, sizeof(int));
	for (int i = 0; i < NBUCKET; i++)
		p->bucket[i] = -1;
	p->free_head = -1;
	p->max_st = (int)states;
	/* pages of the pool are only touched as states are first used */
	p->st = xcalloc((size_t)p->max_st, sizeof(*p->st));
	p->iou = kb_iou_new(emit, ctx);
	return p;
}

void kb_pair_free(struct kb_pair *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->nstreams; i++)
		free(p->fifo[i].buf);
	free(p->fifo);
	free(p->last_tid);
	free(p->st);
	kb_iou_free(p->iou);
	free(p);
}

bool kb_pair_has_room(const struct kb_pair *p, int s)
{
	if (s < 0 || s >= p->nstreams)
		return true;
	return fifo_place(&p->fifo[s], SLOT_MAX) >= 0;
}

bool kb_pair_add(struct kb_pair *p, int s, const struct kb_rec *r)
{
	size_t need = slot_need(r);
	struct fifo *f;
	struct slot *sl;
	long at;

	if (s < 0 || s >= p->nstreams)
		return true;	/* not ours to hold: taken and forgotten */
	f = &p->fifo[s];
	at = fifo_place(f, need);
	if (at < 0) {
		p->stats.window_full++;
		return false;
	}
	if (!f->buf)	/* idle CPUs never pay for a window */
		f->buf = xmalloc(f->cap);
	if (f->n && at == 0 && f->tail > f->head && f->cap - f->tail >= sizeof(struct slot))
		((struct slot *)(f->buf + f->tail))->size = 0;	/* wrap mark */
	if (!f->n)
		f->head = 0;
	sl = (struct slot *)(f->buf + at);
	sl->size = (uint32_t)need;
	memcpy(sl + 1, r, kb_rec_size(r));
	f->tail = (uint32_t)((size_t)at + need);
	f->n++;
	if (r->ts < p->last_watermark)
		p->stats.late++;
	if (r->role == KB_ROLE_IOU_SUBMIT || r->role == KB_ROLE_IOU_COMPLETE)
		kb_iou_read(p->iou, r);	/* taken: the gate may close as soon as its completion is read */
	p->queued++;
	p->held_bytes += need;
	if (p->held_bytes > p->stats.peak_bytes)
		p->stats.peak_bytes = p->held_bytes;
	return true;
}

static unsigned int hash_tid(int tid)
{
	return ((unsigned int)tid * 2654435761u) & (NBUCKET - 1);
}

static struct tstate *find_state(struct kb_pair *p, int tid)
{
	for (int i = p->bucket[hash_tid(tid)]; i >= 0; i = p->st[i].next)
		if (p->st[i].tid == tid)
			return &p->st[i];
	return NULL;
}

static void release_state(struct kb_pair *p, struct tstate *t)
{
	int idx = (int)(t - p->st);
	int *pp = &p->bucket[hash_tid(t->tid)];

	while (*pp != idx)
		pp = &p->st[*pp].next;
	*pp = t->next;
	t->tid = 0;
	t->next = p->free_head;
	p->free_head = idx;
	p->live--;
}

/* Every record emits at most one call: the flush checks the room before each. */
static void emit_call(struct kb_pair *p, struct tstate *t)
{
	p->stats.calls++;
	if (p->room && *p->room)
		(*p->room)--;
	p->emit(p->ctx, &t->ev);
	t->has_call = false;
}

static bool expire(struct kb_pair *p, uint64_t now);

static struct tstate *get_state(struct kb_pair *p, int tid)
{
	struct tstate *t = find_state(p, tid);
	int idx;

	if (t)
		return t;
	if (p->free_head < 0 && p->nst == p->max_st) {
		/* a flood of threads whose partners never came: drop the oldest */
		expire(p, UINT64_MAX);
	}
	if (p->free_head >= 0) {
		idx = p->free_head;
		p->free_head = p->st[idx].next;
	} else {
		idx = p->nst++;
	}
	t = &p->st[idx];
	t->tid = tid;
	t->has_addr = t->has_call = t->has_pend = false;
	t->next = p->bucket[hash_tid(tid)];
	p->bucket[hash_tid(tid)] = idx;
	p->live++;
	return t;
}

static void put_if_idle(struct kb_pair *p, struct tstate *t)
{
	if (!t->has_call && !t->has_addr && !t->has_pend)
		release_state(p, t);
}

/* Attach a perf stack to the open call of t; a copy replaces an FP-only one. */
static void attach_pstack(struct tstate *t, uint32_t id, bool copy, uint32_t tgid, const uint64_t *frames,
			  int n)
{
	if (t->pstack_done && (t->pstack_copy || !copy))
		return;
	t->pstack_copy = copy;
	t->ev.ustack_id = id;
	t->ev.ustack_src = KB_USRC_PERF;
	t->ev.n_ustack = (uint8_t)(n < KB_USTACK_MAX ? n : KB_USTACK_MAX);
	memcpy(t->ev.ustack, frames, (size_t)t->ev.n_ustack * sizeof(uint64_t));
	if (tgid)
		t->ev.pid = (int32_t)tgid;
	t->pstack_done = true;
}

static void copy_comm(struct kb_event *ev, const char *comm)
{
	memcpy(ev->comm, comm, sizeof(ev->comm));
	ev->comm[sizeof(ev->comm) - 1] = '\0';
	ev->flags |= KB_EVF_COMM_SYNC;
}

static void copy_addr(struct kb_event *ev, const uint8_t *sa, uint16_t sa_len, uint8_t sa_src)
{
	memcpy(ev->sa, sa, sa_len);
	ev->sa_len = sa_len;
	ev->addr_src = sa_src;
}

static void keep_addr(struct uaddr *a, const struct kb_rec *r)
{
	a->ts = r->ts;
	a->uptr = r->uptr;
	a->ra = r->ra;
	a->fd = r->fd;
	a->sa_len = r->sa_len;
	a->sa_src = r->sa_src;
	a->has_comm = r->has_comm;
	memcpy(a->comm, r->comm, sizeof(a->comm));
	memcpy(a->sa, r->sa, r->sa_len);
}

static void start_call(struct kb_pair *p, struct tstate *t, const struct kb_rec *r, bool iouring)
{
	struct kb_event *ev = &t->ev;

	if (t->has_call) {
		/* the previous call's return was lost */
		ev->flags |= KB_EVF_NO_EXIT;
		p->stats.no_exit++;
		emit_call(p, t);
	}
	memset(ev, 0, offsetof(struct kb_event, sa));
	ev->ts = r->ts;
	ev->tid = r->tid;
	ev->pid = 0;
	ev->fd = r->fd;
	ev->ret = KB_RET_UNKNOWN;
	ev->uptr = r->uptr;
	ev->addrlen = r->addrlen;
	ev->stype = r->stype;
	ev->cpu = (uint16_t)r->cpu;
	ev->addr_src = KB_ADDR_NONE;
	if (p->want_ustack)
		ev->flags |= KB_EVF_STACK_WANTED;
	if (iouring)
		ev->flags |= KB_EVF_IOURING;
	if (r->has_comm)
		copy_comm(ev, r->comm);
	if (r->sa_len)
		copy_addr(ev, r->sa, r->sa_len, r->sa_src);
	t->has_call = true;
	t->ra = r->ra;
	t->ustack_done = t->kstack_done = t->pstack_done = t->pstack_copy = false;
	t->ksock_seen = iouring;
	if (t->has_pend) {
		/* its sample came first (probe order), at most PEND_NS before */
		if (!iouring && r->ts >= t->pend.ts && r->ts - t->pend.ts <= PEND_NS)
			attach_pstack(t, t->pend.id, t->pend.copy, t->pend.tgid, t->pend.frames, t->pend.n);
		else
			p->stats.unmatched_stack++;
		t->has_pend = false;
	}

	/* the libc uprobe fired just before this syscall: take its exact address */
	if (t->has_addr) {
		const struct uaddr *a = &t->addr;

		if (!iouring && a->fd == r->fd && (!r->uptr || a->uptr == r->uptr)) {
			if (!ev->sa_len)
				copy_addr(ev, a->sa, a->sa_len, a->sa_src);
			if (a->has_comm && !(ev->flags & KB_EVF_COMM_SYNC))
				copy_comm(ev, a->comm);
			t->ra = a->ra;
		} else {
			p->stats.unmatched_addr++;
		}
		t->has_addr = false;
	}
}

static void attach_ustack(struct tstate *t, const struct kb_rec *r)
{
	struct kb_event *ev = &t->ev;
	uint64_t ra = t->ra;
	int n = 0;

	if (r->tgid)
		ev->pid = (int32_t)r->tgid;
	for (int i = 0; i < r->nframes && n < KB_USTACK_MAX; i++) {
		ev->ustack[n++] = r->frames[i];
		/*
		 * Frame 0 is the syscall instruction inside libc's bind(),
		 * which has no frame of its own: the walk skips its caller.
		 * The return address at the user sp is that caller.
		 */
		if (i == 0 && ra && n < KB_USTACK_MAX && (r->nframes < 2 || r->frames[1] != ra)) {
			ev->ustack[n++] = ra;
			ev->flags |= KB_EVF_CALLER_FIXED;
		}
	}
	ev->n_ustack = (uint8_t)n;
	if (ev->ustack_src != KB_USRC_PERF)
		ev->ustack_src = KB_USRC_FTRACE;
	t->ustack_done = true;
}

static void attach_kstack(struct tstate *t, const struct kb_rec *r)
{
	struct kb_event *ev = &t->ev;
	int n = r->nframes < KB_KSTACK_MAX ? r->nframes : KB_KSTACK_MAX;

	memcpy(ev->kstack, r->frames, (size_t)n * sizeof(uint64_t));
	ev->n_kstack = (uint8_t)n;
	t->kstack_done = true;
}

static void finish(struct kb_pair *p, struct tstate *t, const struct kb_rec *r)
{
	struct kb_event *ev = &t->ev;

	ev->ret = r->ret;
	ev->ts_exit = r->ts;
	emit_call(p, t);
}

static void process(struct kb_pair *p, int s, const struct kb_rec *r)
{
	struct tstate *t;

	switch (r->role) {
	case KB_ROLE_UADDR:
		t = get_state(p, r->tid);
		if (t->has_addr)
			p->stats.unmatched_addr++;
		keep_addr(&t->addr, r);
		t->has_addr = true;
		p->last_tid[s] = 0;
		return;
	case KB_ROLE_ENTER:
		t = get_state(p, r->tid);
		start_call(p, t, r, false);
		p->last_tid[s] = r->tid;
		return;
	case KB_ROLE_KSOCK:
		t = get_state(p, r->tid);
		if (t->has_call && !t->ksock_seen) {
			/* nested in bind(2): the kernel's copy is the exact address */
			if (r->sa_len)
				copy_addr(&t->ev, r->sa, r->sa_len, r->sa_src);
			if (r->stype >= 0)
				t->ev.stype = r->stype;
			if (r->has_comm && !(t->ev.flags & KB_EVF_COMM_SYNC))
				copy_comm(&t->ev, r->comm);
			t->ksock_seen = true;
		} else {
			start_call(p, t, r, true);
		}
		p->last_tid[s] = r->tid;
		return;
	case KB_ROLE_USTACK:
		t = find_state(p, r->tid);
		if (t && t->has_call && p->last_tid[s] == r->tid && !t->ustack_done)
			attach_ustack(t, r);
		return;
	case KB_ROLE_PSTACK:
		/*
		 * In time order the open call of this thread is its latest ENTER
		 * not later than the sample: the one it was taken in.  Without one,
		 * the sample may precede its own ENTER (see PEND_NS).
		 */
		t = get_state(p, r->tid);
		if (t->has_call && !(t->ev.flags & KB_EVF_IOURING)) {
			attach_pstack(t, r->stack_id, r->stack_copy, r->tgid, r->frames, r->nframes);
			return;
		}
		if (t->has_pend && t->pend.copy && !r->stack_copy && r->ts - t->pend.ts <= PEND_NS)
			return;		/* the FP twin of a pending copy sample */
		if (t->has_pend && !(r->ts - t->pend.ts <= PEND_NS && r->stack_copy))
			p->stats.unmatched_stack++;	/* an older one that found no ENTER */
		t->has_pend = true;
		t->pend.ts = r->ts;
		t->pend.id = r->stack_id;
		t->pend.tgid = r->tgid;
		t->pend.copy = r->stack_copy;
		t->pend.n = (uint8_t)(r->nframes < KB_USTACK_MAX ? r->nframes : KB_USTACK_MAX);
		memcpy(t->pend.frames, r->frames, (size_t)t->pend.n * sizeof(uint64_t));
		p->last_tid[s] = 0;
		return;
	case KB_ROLE_KSTACK:
		t = find_state(p, r->tid);
		if (t && t->has_call && p->last_tid[s] == r->tid && !t->kstack_done)
			attach_kstack(t, r);
		return;
	case KB_ROLE_KBIND:
		t = get_state(p, r->tid);
		if (t->has_call) {
			/* not expected inside bind(2): keep the syscall's call intact */
			p->stats.unmatched_exit++;
			return;
		}
		start_call(p, t, r, false);
		t->ev.flags |= KB_EVF_KERNEL;
		t->ksock_seen = true;
		p->last_tid[s] = r->tid;
		return;
	case KB_ROLE_KBIND_EXIT:
		t = find_state(p, r->tid);
		if (t && t->has_call && (t->ev.flags & KB_EVF_KERNEL)) {
			finish(p, t, r);
			put_if_idle(p, t);
		}
		return;
	case KB_ROLE_IOU_SUBMIT:
	case KB_ROLE_IOU_COMPLETE:
		kb_iou_record(p->iou, r, p->room);
		return;
	case KB_ROLE_KSOCK_EXIT:
		t = find_state(p, r->tid);
		if (t && t->has_call && (t->ev.flags & KB_EVF_IOURING)) {
			finish(p, t, r);
			put_if_idle(p, t);
		}
		return;
	case KB_ROLE_EXIT:
		t = find_state(p, r->tid);
		if (!t || !t->has_call || (t->ev.flags & (KB_EVF_IOURING | KB_EVF_KERNEL))) {
			p->stats.unmatched_exit++;
			return;
		}
		finish(p, t, r);
		put_if_idle(p, t);
		return;
	default:
		return;
	}
}

/*
 * Give up on partners that did not come within HOLD_NS of now; with now ==
 * UINT64_MAX, evict the oldest state to make space.  Returns true when it
 * stopped for lack of room (to be resumed by a later flush).
 */
static bool expire(struct kb_pair *p, uint64_t now)
{
	uint64_t oldest_ts = UINT64_MAX;
	int oldest = -1;

	for (int i = 0; i < p->nst; i++) {
		struct tstate *t = &p->st[i];
		uint64_t ts;

		if (!t->tid)
			continue;
		ts = t->has_call ? t->ev.ts : t->has_addr ? t->addr.ts : t->pend.ts;
		if (now != UINT64_MAX) {
			if (t->has_call && t->ev.ts + HOLD_NS < now) {
				if (p->room && !*p->room)
					return true;
				t->ev.flags |= KB_EVF_NO_EXIT;
				p->stats.no_exit++;
				emit_call(p, t);
			}
			if (t->has_addr && t->addr.ts + HOLD_NS < now) {
				t->has_addr = false;
				p->stats.unmatched_addr++;
			}
			if (t->has_pend && t->pend.ts + HOLD_NS < now) {
				t->has_pend = false;
				p->stats.unmatched_stack++;
			}
			put_if_idle(p, t);
		} else if (ts < oldest_ts) {
			oldest_ts = ts;
			oldest = i;
		}
	}
	if (now == UINT64_MAX && oldest >= 0) {
		struct tstate *t = &p->st[oldest];

		if (t->has_call) {
			t->ev.flags |= KB_EVF_NO_EXIT;
			emit_call(p, t);
		}
		t->has_addr = false;
		t->has_pend = false;
		p->stats.evicted++;
		release_state(p, t);
	}
	return false;
}

/* Process held records older than watermark in time order; true when out of room. */
static bool drain(struct kb_pair *p, uint64_t watermark)
{
	for (;;) {
		int best = -1;
		uint64_t best_ts = watermark;
		struct slot *sl;
		struct fifo *f;

		for (int s = 0; s < p->nstreams; s++) {
			f = &p->fifo[s];
			if (!f->n)
				continue;
			sl = fifo_head(f);
			if (((const struct kb_rec *)(sl + 1))->ts < best_ts) {
				best_ts = ((const struct kb_rec *)(sl + 1))->ts;
				best = s;
			}
		}
		if (best < 0)
			return false;
		if (!*p->room)
			return true;
		f = &p->fifo[best];
		sl = fifo_head(f);
		/* processed in place: the record is only let go of afterwards */
		process(p, best, (const struct kb_rec *)(sl + 1));
		f->head += sl->size;
		p->held_bytes -= sl->size;
		if (!--f->n)
			f->head = f->tail = 0;
		p->queued--;
	}
}

bool kb_pair_flush(struct kb_pair *p, uint64_t watermark, size_t *room)
{
	bool more = false;

	p->room = room;
	if (p->queued)
		more = drain(p, watermark);
	if (watermark > p->last_watermark)
		p->last_watermark = watermark;
	/* a full scan at most every 500 ms */
	if (!more && p->live && watermark > p->last_expire + 500000000ULL) {
		more = expire(p, watermark);
		if (!more)
			p->last_expire = watermark;
	}
	/* io_uring binds given up on share the same room; its gate moves regardless */
	if (kb_iou_flush(p->iou, watermark, room))
		more = true;
	p->room = NULL;
	return more;
}

bool kb_pair_flush_all(struct kb_pair *p, size_t *room)
{
	bool more;

	p->room = room;
	more = drain(p, UINT64_MAX);
	if (!more)
		more = !kb_iou_flush_all(p->iou, room);
	for (int i = 0; i < p->nst && !more; i++) {
		struct tstate *t = &p->st[i];

		if (!t->tid)
			continue;
		if (t->has_call) {
			if (!*room) {
				more = true;
				break;
			}
			t->ev.flags |= KB_EVF_NO_EXIT;
			p->stats.no_exit++;
			emit_call(p, t);
		}
		if (t->has_addr) {
			t->has_addr = false;
			p->stats.unmatched_addr++;
		}
		if (t->has_pend) {
			t->has_pend = false;
			p->stats.unmatched_stack++;
		}
		release_state(p, t);
	}
	p->room = NULL;
	return !more;
}

uint64_t kb_pair_queued(const struct kb_pair *p)
{
	return p->queued;
}

int kb_pair_waiting(const struct kb_pair *p)
{
	return p->live + kb_iou_pending(p->iou);
}

void kb_pair_get_stats(const struct kb_pair *p, struct kb_pair_stats *st)
{
	struct kb_iou_stats is;

	*st = p->stats;
	kb_iou_get_stats(p->iou, &is);
	st->calls += is.calls;
	st->no_exit += is.no_exit;
	st->iou_noise = is.noise;
	st->iou_gate_opens = is.gate_opens;
	st->iou_gate_ns = is.gate_ns;
}

void kb_pair_set_iou_gate(struct kb_pair *p, int fd)
{
	kb_iou_gate_fd(p->iou, fd);
}

void kb_pair_iou_tick(struct kb_pair *p)
{
	kb_iou_gate_tick(p->iou);
}
