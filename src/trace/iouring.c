// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iouring.c - io_uring binds from the io_uring tracepoints (no kprobes).
 *
 * Neither io_uring_submit_req nor io_uring_complete carries the socket or
 * the address: what they give is who submitted the BIND (common_pid, the
 * SQPOLL flag) and its result, joined here by the request pointer.  The
 * address is looked up afterwards by the consumer (unverified).
 *
 * The gate closes as soon as the completion of every BIND read so far has
 * been read too: that is checked when records are read, not after the
 * reorder window the join waits for.  A BIND read without its completion
 * keeps it open for at most GATE_NS (inline binds complete within
 * microseconds, so the completion is already in the buffer when the
 * reader is merely behind, under a flood of other completions); one the
 * join has found really in flight (io-wq) keeps it open up to HOLD_NS.
 * Closing it while a BIND is submitted but not yet read could lose that
 * bind's completion; the bind is then emitted with its return unknown
 * (counted as "no return seen"), never dropped.  A BIND read after a
 * close but made before it reopens the gate at once.
 *
 * Calls go out only into room the caller has (the reader's queue never
 * takes more than it has free slots, see pair.h): every emission takes one
 * off *room, and one that does not fit waits for a later flush.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "iouring.h"
#include "xalloc.h"

#define MAX_PENDING	256
#define HOLD_NS		(2ULL * 1000000000ULL)	/* a bind completes in microseconds */
#define GATE_NS		(20ULL * 1000000ULL)	/* open for a BIND read without its completion */

struct pending {
	uint64_t req;
	struct kb_event ev;
};

/* A BIND read, whose completion has not been read yet. */
struct inflight {
	uint64_t req;
	uint64_t ts;
	bool joined;			/* the join has it: really in flight */
};

struct kb_iou {
	kb_iou_emit_fn emit;
	void *ctx;
	int gate_fd;
	bool gate_open;			/* as far as kbindtop knows */
	uint64_t open_since;
	uint64_t last_close;		/* CLOCK_MONOTONIC ns of the last close */
	int nin;
	struct inflight in[MAX_PENDING];
	int n;
	struct pending p[MAX_PENDING];
	struct kb_iou_stats stats;
};

struct kb_iou *kb_iou_new(kb_iou_emit_fn emit, void *ctx)
{
	struct kb_iou *u = xcalloc(1, sizeof(*u));

	u->emit = emit;
	u->ctx = ctx;
	u->gate_fd = -1;
	return u;
}

void kb_iou_free(struct kb_iou *u)
{
	if (!u)
		return;
	if (u->gate_fd >= 0)
		close(u->gate_fd);
	free(u);
}

void kb_iou_gate_fd(struct kb_iou *u, int fd)
{
	if (u->gate_fd >= 0)
		close(u->gate_fd);
	u->gate_fd = fd;
}

static void gate_write(struct kb_iou *u, bool open)
{
	uint64_t now;

	if (u->gate_fd < 0 || open == u->gate_open)
		return;
	now = kb_now_mono();
	/* a failed write leaves the kernel's state as it was: try again next round */
	if (write(u->gate_fd, open ? "1" : "0", 1) != 1)
		return;
	if (open) {
		u->open_since = now;
		u->stats.gate_opens++;
	} else {
		u->stats.gate_ns += now > u->open_since ? now - u->open_since : 0;
		u->last_close = now;
	}
	u->gate_open = open;
}

static void emit_at(struct kb_iou *u, int i, bool no_exit, size_t *room)
{
	struct kb_event *ev = &u->p[i].ev;

	if (room && *room)
		(*room)--;
	if (no_exit) {
		ev->flags |= KB_EVF_NO_EXIT;
		u->stats.no_exit++;
	}
	u->stats.calls++;
	u->emit(u->ctx, ev);
	u->p[i] = u->p[--u->n];
}

static int find(const struct kb_iou *u, uint64_t req)
{
	for (int i = 0; i < u->n; i++)
		if (u->p[i].req == req)
			return i;
	return -1;
}

static int find_in(const struct kb_iou *u, uint64_t req)
{
	for (int i = 0; i < u->nin; i++)
		if (u->in[i].req == req)
			return i;
	return -1;
}

static void drop_in(struct kb_iou *u, int i)
{
	u->in[i] = u->in[--u->nin];
}

void kb_iou_read(struct kb_iou *u, const struct kb_rec *r)
{
	int i = find_in(u, r->req);

	if (r->role == KB_ROLE_IOU_COMPLETE) {
		if (i >= 0)
			drop_in(u, i);
		return;
	}
	if (r->role != KB_ROLE_IOU_SUBMIT)
		return;
	if (i < 0 && u->nin < MAX_PENDING)
		i = u->nin++;
	if (i >= 0)
		u->in[i] = (struct inflight){ .req = r->req, .ts = r->ts };
	/*
	 * The trigger opened the gate at this submission.  If kbindtop closed
	 * it after that, the completion may not be recorded: reopen now.
	 */
	if (!u->gate_open && u->last_close && r->ts <= u->last_close)
		gate_write(u, true);
	else if (!u->gate_open) {
		u->gate_open = true;
		u->open_since = r->ts;
		u->stats.gate_opens++;
	}
}

/* At most one call goes out: a recycled request frees the slot an overflow would need. */
static void submit(struct kb_iou *u, const struct kb_rec *r, size_t *room)
{
	struct kb_event *ev;
	int i = find_in(u, r->req);

	if (i >= 0)
		u->in[i].joined = true;
	i = find(u, r->req);
	if (i >= 0)		/* the request was recycled: its completion was lost */
		emit_at(u, i, true, room);
	if (u->n == MAX_PENDING) {
		int oldest = 0;

		for (int k = 1; k < u->n; k++)
			if (u->p[k].ev.ts < u->p[oldest].ev.ts)
				oldest = k;
		emit_at(u, oldest, true, room);
	}
	u->p[u->n].req = r->req;
	ev = &u->p[u->n].ev;
	u->n++;
	memset(ev, 0, sizeof(*ev));
	ev->ts = r->ts;
	ev->tid = r->tid;
	ev->fd = -1;
	ev->ret = KB_RET_UNKNOWN;
	ev->stype = -1;
	ev->cpu = (uint16_t)r->cpu;
	ev->addr_src = KB_ADDR_NONE;
	ev->flags = KB_EVF_IOURING | (r->sqthread ? KB_EVF_SQPOLL : 0);
}

void kb_iou_record(struct kb_iou *u, const struct kb_rec *r, size_t *room)
{
	int i;

	if (r->role == KB_ROLE_IOU_SUBMIT) {
		submit(u, r, room);
		return;
	}
	if (r->role != KB_ROLE_IOU_COMPLETE)
		return;
	i = find_in(u, r->req);
	if (i >= 0)		/* read before its submission (another CPU's stream) */
		drop_in(u, i);
	i = find(u, r->req);
	if (i < 0) {
		u->stats.noise++;
		return;
	}
	u->p[i].ev.ret = r->ret;
	u->p[i].ev.ts_exit = r->ts;
	emit_at(u, i, false, room);
}

void kb_iou_gate_tick(struct kb_iou *u)
{
	bool want = false;
	uint64_t now;

	if (!u->gate_open && !u->nin)
		return;
	now = kb_now_mono();
	for (int i = u->nin - 1; i >= 0; i--) {
		uint64_t limit = u->in[i].joined ? HOLD_NS : GATE_NS;

		if (u->in[i].ts + limit < now)
			drop_in(u, i);
		else
			want = true;
	}
	gate_write(u, want);
}

bool kb_iou_flush(struct kb_iou *u, uint64_t now, size_t *room)
{
	bool more = false;

	for (int i = u->n - 1; i >= 0; i--) {
		if (u->p[i].ev.ts + HOLD_NS >= now)
			continue;
		if (!*room) {
			more = true;	/* given up on, but sent at a later flush */
			break;
		}
		emit_at(u, i, true, room);
	}
	/* the gate does not wait for room: closing it emits nothing */
	kb_iou_gate_tick(u);
	return more;
}

bool kb_iou_flush_all(struct kb_iou *u, size_t *room)
{
	while (u->n && *room)
		emit_at(u, u->n - 1, true, room);
	return !u->n;
}

int kb_iou_pending(const struct kb_iou *u)
{
	return u->n;
}

void kb_iou_get_stats(const struct kb_iou *u, struct kb_iou_stats *st)
{
	*st = u->stats;
}
