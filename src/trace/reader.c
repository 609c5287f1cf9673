// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * reader.c - the reader thread.
 *
 * One poll() over every per-CPU trace_pipe_raw (non-blocking, with
 * buffer_percent 0 so a single event wakes it) plus a stop eventfd.  Each
 * wakeup reads every readable CPU until it is empty, whole sub-buffers at
 * a time, and decodes them in place: no per-event syscall or allocation.
 * Records then wait KB_REORDER_NS for partners read from other CPUs (see
 * pair.c) before calls are emitted, one eventfd write per round.
 *
 * Backpressure: the reader takes from the kernel only what it can hold.
 * A stream is read only while its pairing window has room, and pairing
 * emits only as many calls as the queue has free slots.  When the
 * consumer falls behind, the reader stops reading and sleeps until half
 * the queue is free; the backlog stays in the kernel's per-CPU buffers,
 * which count exactly what they overwrite.  So nothing read is ever
 * dropped, and the reader's memory does not grow with the backlog.
 * Perf stack samples (one stream per CPU after the instances' streams)
 * follow the same rule: a sample is taken from its perf ring only when
 * its stream has room, else it waits in the ring.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <tracefs.h>

#include "capture.h"
#include "clock.h"
#include "pair.h"
#include "perfstack.h"
#include "reader.h"
#include "xalloc.h"

struct stream {
	struct tracefs_cpu *tcpu;
	int fd;
	int inst;
	int cpu;
	void *page;			/* its own sub-buffer: a page half taken stays here */
	int page_len;
	int resume;			/* event of page to offer next, -1 = none pending */
	bool done;			/* at stop: read to the end */
	uint64_t last_ts;		/* newest record taken */
	uint64_t complete;		/* every record older than this has been read */
	char *stats_path;		/* per_cpu/cpuN/stats: the kernel's own loss counters */
	uint64_t lost_pages;		/* losses reported in the pages read */
};

/* The perf samples of one CPU: a pairing stream after the instances' streams. */
struct pstream {
	uint64_t last_ts;		/* newest sample taken */
	uint64_t complete;		/* every sample older than this has been read */
	bool refused;			/* this read left a sample in the ring (no room) */
};

struct kb_reader {
	struct kb_decoder *dec;
	struct kb_pair *pair;
	struct kb_queue *q;
	int nstreams;
	int ncpu;
	struct stream *st;
	struct pollfd *pfd;		/* nstreams + perf rings + 2 (stop, room) */
	struct kb_perfstack *ps;	/* perf user stacks, NULL without (not owned) */
	struct pstream *pst;		/* one per perf ring (2 x ncpu), with ps */
	bool perf_done;			/* at stop: perf rings read to the end */
	int iou_gate_fd;		/* owned by the pairer; kept for the fatal path */
	int stop_fd;
	int page_size;
	pthread_t thread;
	bool running;
	bool started;
	bool joined;
	bool blocked;			/* waiting for the consumer to make room */
	struct kb_capture *capture;	/* KBINDTOP_CAPTURE: copy of every page read */
	/* counters: reader-private, published under lock once per round */
	struct kb_stats priv;
	pthread_mutex_t lock;
	struct kb_stats pub;
	uint64_t stats_read_ns;		/* last read of the kernel's loss counters */
	bool kernel_exact;		/* every CPU's counters were readable */
};

static void on_event(void *ctx, const struct kb_event *ev)
{
	struct kb_reader *r = ctx;

	kb_queue_push(r->q, ev);
	r->priv.calls++;
}

static bool on_record(void *ctx, const struct kb_rec *rec)
{
	struct kb_reader *r = ctx;
	int s = rec->inst * r->ncpu + rec->cpu;

	if (!kb_pair_add(r->pair, s, rec))
		return false;
	r->priv.records++;
	if (s >= 0 && s < r->nstreams)
		r->st[s].last_ts = rec->ts;
	return true;
}

/*
 * Perf samples: one more stream per ring (two per CPU: FP, then copy),
 * after the instances' streams; ring as kb_perfstack_fd numbers them.
 */
static int perf_ring(const struct kb_reader *r, int ring)
{
	return ring >= 0 && ring < 2 * r->ncpu ? ring : 2 * r->ncpu - 1;
}

static int perf_stream(const struct kb_reader *r, int ring)
{
	return r->nstreams + perf_ring(r, ring);
}

static bool perf_room(void *ctx, int ring)
{
	struct kb_reader *r = ctx;

	if (kb_pair_has_room(r->pair, perf_stream(r, ring)))
		return true;
	r->pst[perf_ring(r, ring)].refused = true;
	return false;
}

static void on_pstack(void *ctx, int ring, const struct kb_rec *rec)
{
	struct kb_reader *r = ctx;

	/* perf_room said yes just before: the window takes it */
	if (kb_pair_add(r->pair, perf_stream(r, ring), rec))
		r->pst[perf_ring(r, ring)].last_ts = rec->ts;
}

/*
 * Read the perf rings, each up to a sample its stream has no room for.
 * Like read_stream, it moves each CPU's completeness point; true when
 * every ring was read to its end.
 */
static bool read_perf(struct kb_reader *r)
{
	uint64_t before = kb_now_mono();
	bool all;

	if (!r->ps)
		return true;
	for (int c = 0; c < 2 * r->ncpu; c++)
		r->pst[c].refused = false;
	all = kb_perfstack_read(r->ps, perf_room, on_pstack, r);
	if (!all)
		r->priv.window_full_rounds++;
	for (int c = 0; c < 2 * r->ncpu; c++) {
		struct pstream *p = &r->pst[c];

		if (!p->refused) {
			if (before > KB_REORDER_NS && before - KB_REORDER_NS > p->complete)
				p->complete = before - KB_REORDER_NS;
		} else if (p->last_ts + 1 > p->complete) {
			p->complete = p->last_ts + 1;
		}
	}
	return all;
}

struct kb_reader *kb_reader_new(const struct kb_session *s, struct kb_decoder *dec, struct kb_queue *q,
				bool want_ustack, size_t mem, struct kb_perfstack *ps,
				struct kb_capture *capture, char *err, size_t errlen)
{
	int ncpu = (int)sysconf(_SC_NPROCESSORS_CONF);
	struct kb_reader *r = xcalloc(1, sizeof(*r));

	if (ncpu < 1)
		ncpu = 1;
	r->dec = dec;
	r->q = q;
	r->capture = capture;
	r->iou_gate_fd = -1;
	r->page_size = kb_decoder_subbuf_size(dec);
	r->ncpu = ncpu;
	r->nstreams = s->ninst * ncpu;
	r->st = xcalloc((size_t)r->nstreams, sizeof(*r->st));
	for (int i = 0; i < r->nstreams; i++) {
		r->st[i].fd = -1;
		r->st[i].resume = -1;
	}
	r->ps = ps;
	r->pst = xcalloc(2 * (size_t)ncpu, sizeof(*r->pst));
	r->perf_done = !ps;
	r->pfd = xcalloc((size_t)r->nstreams + (size_t)kb_perfstack_nfds(ps) + 2, sizeof(*r->pfd));
	pthread_mutex_init(&r->lock, NULL);
	r->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->stop_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto fail;
	}
	for (int i = 0; i < s->ninst; i++) {
		for (int cpu = 0; cpu < ncpu; cpu++) {
			struct stream *st = &r->st[i * ncpu + cpu];
			char path[512];

			st->inst = i;
			st->cpu = cpu;
			snprintf(path, sizeof(path), "%s/instances/%s/per_cpu/cpu%d/trace_pipe_raw",
				 tracefs_tracing_dir(), s->inst_name[i], cpu);
			st->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
			if (st->fd < 0) {
				if (errno == ENOENT)	/* CPU not possible on this machine */
					continue;
				snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
				goto fail;
			}
			st->tcpu = tracefs_cpu_alloc_fd(st->fd, r->page_size, true);
			if (!st->tcpu) {
				snprintf(err, errlen, "tracefs_cpu_alloc_fd(%s): %s", path, strerror(errno));
				goto fail;
			}
			st->page = xcalloc(1, (size_t)r->page_size + KB_PAGE_SLACK);
			snprintf(path, sizeof(path), "%s/instances/%s/per_cpu/cpu%d/stats",
				 tracefs_tracing_dir(), s->inst_name[i], cpu);
			st->stats_path = xstrdup(path);
		}
	}
	r->pair = kb_pair_new(r->nstreams + (ps ? 2 * ncpu : 0), want_ustack || ps, mem, on_event, r);
	return r;
fail:
	kb_reader_free(r);
	return NULL;
}

static void count_missed(struct kb_reader *r, struct stream *st, long missed)
{
	if (missed > 0)
		st->lost_pages += (uint64_t)missed;
	else if (missed < 0)
		r->priv.kernel_lost_pages++;
}

/*
 * Events the kernel lost on one CPU of one instance, from its own
 * counters: overwritten, dropped by nested writers, or dropped when the
 * buffer does not overwrite.  -1 when the file cannot be read.  A page
 * says how many events were lost before it only when it has room for the
 * count; these counters are exact.
 */
static int64_t kernel_lost(const char *path)
{
	char buf[512];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	int64_t lost = 0;
	int found = 0;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);	/* an open file keeps the instance from being removed */
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		static const char *const keys[] = { "overrun: ", "commit overrun: ", "dropped events: " };

		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			if (!strncmp(line, keys[k], strlen(keys[k]))) {
				lost += strtoll(line + strlen(keys[k]), NULL, 10);
				found++;
			}
		}
	}
	return found ? lost : -1;
}

/* Losses per CPU: the kernel's counters when readable, else what the pages said. */
static void count_kernel_lost(struct kb_reader *r, bool now)
{
	uint64_t t = kb_now_mono(), cpu_lost[KB_STATS_CPUS] = { 0 }, total = 0;
	bool exact = true;

	if (!now && t < r->stats_read_ns + 500000000ULL)
		return;
	r->stats_read_ns = t;
	for (int i = 0; i < r->nstreams; i++) {
		struct stream *st = &r->st[i];
		int64_t k;
		uint64_t v;

		if (!st->tcpu)
			continue;
		k = kernel_lost(st->stats_path);
		if (k < 0)
			exact = false;
		/* the counters run ahead of the pages: a loss is reported by the page after it */
		v = k > 0 && (uint64_t)k > st->lost_pages ? (uint64_t)k : st->lost_pages;
		cpu_lost[st->cpu < KB_STATS_CPUS ? st->cpu : KB_STATS_CPUS - 1] += v;
		total += v;
	}
	memcpy(r->priv.kernel_lost_cpu, cpu_lost, sizeof(cpu_lost));
	r->priv.kernel_lost = total;
	r->kernel_exact = exact;
}

/*
 * Read one stream until the kernel has nothing more for it or its pairing
 * window is full.  A page is taken from the kernel only when the window
 * can hold a record; if it fills up halfway through the page, the rest of
 * the page waits in the stream (resume) and is offered first next time, so
 * memory stays at one page per stream.  Returns true when the stream was
 * read to its end.
 */
static bool read_stream(struct kb_reader *r, struct stream *st)
{
	uint64_t before = kb_now_mono();
	int pages = 0;
	bool empty = false;

	if (st->resume >= 0)
		kb_decoder_page(r->dec, st->page, (size_t)st->page_len, st->inst, st->cpu, on_record, r,
				&st->resume);
	while (st->resume < 0) {
		int n;

		if (!kb_pair_has_room(r->pair, (int)(st - r->st)))
			break;
		n = tracefs_cpu_read(st->tcpu, st->page, true);
		if (n <= 0) {
			empty = true;
			break;
		}
		pages++;
		if (r->capture)
			kb_capture_page(r->capture, st->inst, st->cpu, st->page, (size_t)n);
		st->page_len = n;
		st->resume = 0;
		count_missed(r, st, kb_decoder_page(r->dec, st->page, (size_t)n, st->inst, st->cpu,
						    on_record, r, &st->resume));
		/* under a flood one round may last long: let the io_uring gate close now */
		kb_pair_iou_tick(r->pair);
	}
	r->priv.pages += (uint64_t)pages;
	/*
	 * Read to the end: everything recorded before we started is in,
	 * minus a margin for events reserved but not yet committed.  Stopped
	 * early: records of this CPU come in time order, so everything up to
	 * the last one taken is in.
	 */
	if (empty) {
		if (before > KB_REORDER_NS && before - KB_REORDER_NS > st->complete)
			st->complete = before - KB_REORDER_NS;
	} else if (st->last_ts + 1 > st->complete) {
		st->complete = st->last_ts + 1;
	}
	if (!empty)
		r->priv.window_full_rounds++;
	return empty;
}

/* The pairing watermark: no stream can still deliver a record older than this. */
static uint64_t watermark(const struct kb_reader *r)
{
	uint64_t wm = UINT64_MAX;

	for (int i = 0; i < r->nstreams; i++)
		if (r->st[i].tcpu && !r->st[i].done && r->st[i].complete < wm)
			wm = r->st[i].complete;
	for (int c = 0; r->ps && !r->perf_done && c < 2 * r->ncpu; c++)
		if (r->pst[c].complete < wm)
			wm = r->pst[c].complete;
	return wm;
}

static void publish(struct kb_reader *r, bool final)
{
	struct kb_pair_stats ps;

	kb_pair_get_stats(r->pair, &ps);
	r->priv.no_exit = ps.no_exit;
	r->priv.unmatched_exit = ps.unmatched_exit;
	r->priv.unmatched_addr = ps.unmatched_addr;
	r->priv.late = ps.late;
	r->priv.evicted = ps.evicted;
	r->priv.window_peak = ps.peak_bytes;
	r->priv.iou_noise = ps.iou_noise;
	r->priv.iou_gate_opens = ps.iou_gate_opens;
	r->priv.iou_gate_ns = ps.iou_gate_ns;
	r->priv.stack_unpaired = ps.unmatched_stack;
	if (r->ps) {
		struct kb_perfstack_stats pst;

		kb_perfstack_get_stats(r->ps, &pst);
		r->priv.stack_samples = pst.samples;
		r->priv.stack_lost = pst.lost;
		r->priv.stack_copies = pst.copies;
		r->priv.stack_over_budget = pst.over_budget;
		r->priv.stack_store_full = pst.store_full;
		r->priv.stack_bad = pst.bad;
		r->priv.stack_copy_ring_full = pst.copy_ring_full;
	}
	count_kernel_lost(r, final);
	pthread_mutex_lock(&r->lock);
	r->pub = r->priv;
	/* exact counters cover the pages that could not say how many */
	if (r->kernel_exact)
		r->pub.kernel_lost_pages = 0;
	pthread_mutex_unlock(&r->lock);
	kb_queue_wake(r->q);
}

/*
 * Pairing produced more than the consumer has room for: stop draining the
 * kernel (its buffers hold the backlog, and count what they cannot hold)
 * until the consumer has freed half the queue.
 */
static void hold_back(struct kb_reader *r)
{
	if (kb_queue_want_room(r->q))
		return;
	if (!r->blocked)
		r->priv.held_back++;
	r->blocked = true;
}

/* One pass of the stop path: true when everything has reached the queue. */
static bool finish_pass(struct kb_reader *r)
{
	size_t room;

	for (int i = 0; i < r->nstreams; i++)
		if (r->st[i].tcpu && !r->st[i].done && read_stream(r, &r->st[i]))
			r->st[i].done = true;	/* recording is off: empty is the end */
	if (!r->perf_done && read_perf(r))
		r->perf_done = true;	/* the perf events are disabled before the stop */
	room = kb_queue_room(r->q);
	if (watermark(r) == UINT64_MAX)
		return kb_pair_flush_all(r->pair, &room);
	kb_pair_flush(r->pair, watermark(r), &room);
	return false;
}

static void finish(struct kb_reader *r)
{
	struct pollfd p = { .fd = kb_queue_room_fd(r->q), .events = POLLIN };

	while (!finish_pass(r)) {
		publish(r, false);
		/* the consumer reads to the end of the stream after a stop: wait for it */
		if (kb_queue_room(r->q) || kb_queue_want_room(r->q))
			continue;
		poll(&p, 1, 100);
		kb_queue_room_ack(r->q);
	}
}

static void *reader_main(void *arg)
{
	struct kb_reader *r = arg;
	const struct timespec nap = { 0, KB_COALESCE_NS };
	uint64_t records;

	for (;;) {
		int timeout = -1, n = 0;
		size_t room;

		/* held back: no stream fds, or poll would report their data at once */
		if (!r->blocked) {
			for (int i = 0; i < r->nstreams; i++) {
				if (r->st[i].tcpu && r->st[i].resume < 0 &&
				    kb_pair_has_room(r->pair, i)) {
					r->pfd[n].fd = r->st[i].fd;
					r->pfd[n].events = POLLIN;
					n++;
				}
			}
			/* fd i is ring i: every CPU's FP ring, then every CPU's copy ring */
			for (int i = 0; i < kb_perfstack_nfds(r->ps); i++) {
				if (kb_perfstack_fd(r->ps, i) >= 0 &&
				    kb_pair_has_room(r->pair, perf_stream(r, i))) {
					r->pfd[n].fd = kb_perfstack_fd(r->ps, i);
					r->pfd[n].events = POLLIN;
					n++;
				}
			}
		}
		r->pfd[n].fd = kb_queue_room_fd(r->q);
		r->pfd[n].events = POLLIN;
		r->pfd[n + 1].fd = r->stop_fd;
		r->pfd[n + 1].events = POLLIN;
		if (r->blocked)
			timeout = 1000;
		else if (kb_pair_queued(r->pair))
			timeout = (int)(KB_REORDER_NS / 1000000) + 1;
		else if (kb_pair_waiting(r->pair))
			timeout = 1000;
		if (poll(r->pfd, (nfds_t)n + 2, timeout) < 0 && errno != EINTR)
			break;
		if (r->pfd[n + 1].revents & POLLIN)
			break;
		if (r->pfd[n].revents & POLLIN) {
			kb_queue_room_ack(r->q);
			r->blocked = false;
		}
		if (r->blocked && kb_queue_room(r->q) * 2 > kb_queue_capacity(r->q))
			r->blocked = false;
		if (r->blocked)
			continue;
		r->priv.rounds++;
		records = r->priv.records;
		for (int i = 0; i < r->nstreams; i++)
			if (r->st[i].tcpu)
				read_stream(r, &r->st[i]);
		read_perf(r);
		room = kb_queue_room(r->q);
		if (kb_pair_flush(r->pair, watermark(r), &room))
			hold_back(r);
		publish(r, false);
		/*
		 * With buffer_percent 0 every event wakes a sleeping reader: under
		 * a storm that is a wakeup (and a mostly empty page) per event.
		 * After a busy round a nap lets pages fill, so one wakeup reads
		 * hundreds of events; a lone bind is not held up by it.
		 */
		if (r->priv.records - records >= KB_COALESCE_MIN_RECORDS)
			nanosleep(&nap, NULL);
	}
	/* stop: recording is already off; everything left goes to the consumer */
	finish(r);
	publish(r, true);
	kb_queue_close(r->q);
	return NULL;
}

int kb_reader_start(struct kb_reader *r)
{
	sigset_t all, old;
	int ret;

	/*
	 * Stop signals belong to the main thread.  Faults stay unblocked: a
	 * fault with its signal blocked kills the process without running the
	 * handler that removes the tracing state.
	 */
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGABRT);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	ret = pthread_create(&r->thread, NULL, reader_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		return -ret;
	/* visible as such in top -H, perf and /proc/PID/task/TID/comm */
	pthread_setname_np(r->thread, "kbindtop-reader");
	r->running = true;
	r->started = true;
	return 0;
}

void kb_reader_stop(struct kb_reader *r)
{
	uint64_t one = 1;

	if (!r || !r->running)
		return;
	/* from here on the consumer's pop waits for the end of the stream */
	kb_queue_drain(r->q);
	if (write(r->stop_fd, &one, sizeof(one)) < 0) {
		/* the counter cannot overflow from one write */
	}
	r->running = false;
}

void kb_reader_free(struct kb_reader *r)
{
	if (!r)
		return;
	kb_reader_stop(r);
	if (r->started && !r->joined) {
		/* whatever the consumer did not take is not waited for */
		kb_queue_abandon(r->q);
		pthread_join(r->thread, NULL);
		r->joined = true;
	}
	for (int i = 0; i < r->nstreams; i++) {
		if (r->st[i].tcpu)
			tracefs_cpu_free_fd(r->st[i].tcpu);
		if (r->st[i].fd >= 0)
			close(r->st[i].fd);
		free(r->st[i].page);
		free(r->st[i].stats_path);
	}
	if (r->stop_fd >= 0)
		close(r->stop_fd);
	kb_pair_free(r->pair);
	kb_decoder_free(r->dec);
	kb_capture_free(r->capture);
	pthread_mutex_destroy(&r->lock);
	free(r->st);
	free(r->pst);
	free(r->pfd);
	free(r);
}

void kb_reader_set_iou_gate(struct kb_reader *r, int fd)
{
	r->iou_gate_fd = fd;
	kb_pair_set_iou_gate(r->pair, fd);
}

void kb_reader_emergency(const struct kb_reader *r)
{
	uint64_t one = 1;

	for (int i = 0; i < r->nstreams; i++)
		if (r->st[i].fd >= 0)
			close(r->st[i].fd);
	/* an open event file keeps the instance busy too */
	if (r->iou_gate_fd >= 0)
		close(r->iou_gate_fd);
	/*
	 * A reader blocked in poll() keeps the files referenced (and the
	 * instance busy) after close(): wake it so the kernel lets go.
	 */
	if (write(r->stop_fd, &one, sizeof(one)) < 0) {
		/* nothing more can be done from a signal handler */
	}
}

void kb_reader_stats(struct kb_reader *r, struct kb_stats *st)
{
	pthread_mutex_lock(&r->lock);
	*st = r->pub;
	pthread_mutex_unlock(&r->lock);
}
