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
};

struct kb_reader {
	struct kb_decoder *dec;
	struct kb_pair *pair;
	struct kb_queue *q;
	int nstreams;
	int ncpu;
	struct stream *st;
	struct pollfd *pfd;		/* nstreams + perf rings + 1 (stop) */
	struct kb_perfstack *ps;	/* perf user stacks, NULL without (not owned) */
	int stop_fd;
	void *page;
	int page_size;
	pthread_t thread;
	bool running;
	struct kb_capture *capture;	/* KBINDTOP_CAPTURE: copy of every page read */
	int iou_gate_fd;		/* owned by the pairer; kept for the fatal path */
	/* counters: reader-private, published under lock once per round */
	struct kb_stats priv;
	pthread_mutex_t lock;
	struct kb_stats pub;
};

static void on_event(void *ctx, const struct kb_event *ev)
{
	struct kb_reader *r = ctx;

	if (kb_queue_push(r->q, ev))
		r->priv.calls++;
}

static void on_record(void *ctx, const struct kb_rec *rec)
{
	struct kb_reader *r = ctx;
	r->priv.records++;
	kb_pair_add(r->pair, rec->inst * r->ncpu + rec->cpu, rec);
}

/* Perf samples are one more stream per CPU, after the instances' streams. */
static void on_pstack(void *ctx, int cpu, const struct kb_rec *rec)
{
	struct kb_reader *r = ctx;

	kb_pair_add(r->pair, r->nstreams + (cpu < r->ncpu ? cpu : r->ncpu - 1), rec);
}

static void read_perf(struct kb_reader *r)
{
	if (r->ps)
		kb_perfstack_read(r->ps, on_pstack, r);
}

struct kb_reader *kb_reader_new(const struct kb_session *s, struct kb_decoder *dec, struct kb_queue *q,
				bool want_ustack, struct kb_perfstack *ps, struct kb_capture *capture,
				char *err, size_t errlen)
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
	r->page = xcalloc(1, (size_t)r->page_size + KB_PAGE_SLACK);
	r->ncpu = ncpu;
	r->nstreams = s->ninst * ncpu;
	r->st = xcalloc((size_t)r->nstreams, sizeof(*r->st));
	for (int i = 0; i < r->nstreams; i++)
		r->st[i].fd = -1;
	r->ps = ps;
	r->pfd = xcalloc((size_t)r->nstreams + (size_t)kb_perfstack_nfds(ps) + 1, sizeof(*r->pfd));
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
		}
	}
	r->pair = kb_pair_new(r->nstreams + (ps ? ncpu : 0), want_ustack || ps, on_event, r);
	return r;
fail:
	kb_reader_free(r);
	return NULL;
}

/* Read one stream until it is empty; returns pages read. */
static int read_stream(struct kb_reader *r, struct stream *st)
{
	int pages = 0;

	for (;;) {
		int n = tracefs_cpu_read(st->tcpu, r->page, true);
		long missed;

		if (n <= 0)
			break;
		pages++;
		if (r->capture)
			kb_capture_page(r->capture, st->inst, st->cpu, r->page, (size_t)n);
		missed = kb_decoder_page(r->dec, r->page, (size_t)n, st->inst, st->cpu, on_record, r);
		if (missed > 0) {
			r->priv.kernel_lost += (uint64_t)missed;
			r->priv.kernel_lost_cpu[st->cpu < KB_STATS_CPUS ? st->cpu : KB_STATS_CPUS - 1] +=
				(uint64_t)missed;
		}
		else if (missed < 0)
			r->priv.kernel_lost_pages++;
		kb_pair_iou_tick(r->pair);
	}
	r->priv.pages += (uint64_t)pages;
	return pages;
}

static void publish(struct kb_reader *r)
{
	struct kb_pair_stats ps;

	kb_pair_get_stats(r->pair, &ps);
	r->priv.no_exit = ps.no_exit;
	r->priv.unmatched_exit = ps.unmatched_exit;
	r->priv.unmatched_addr = ps.unmatched_addr;
	r->priv.late = ps.late;
	r->priv.evicted = ps.evicted;
	r->priv.iou_noise = ps.iou_noise;
	r->priv.iou_gate_opens = ps.iou_gate_opens;
	r->priv.iou_gate_ns = ps.iou_gate_ns;
	r->priv.queue_drops = kb_queue_drops(r->q);
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
	pthread_mutex_lock(&r->lock);
	r->pub = r->priv;
	pthread_mutex_unlock(&r->lock);
	kb_queue_wake(r->q);
}

static void *reader_main(void *arg)
{
	struct kb_reader *r = arg;
	const struct timespec nap = { 0, KB_COALESCE_NS };
	uint64_t records;
	int n = 0;

	for (int i = 0; i < r->nstreams; i++) {
		if (r->st[i].tcpu) {
			r->pfd[n].fd = r->st[i].fd;
			r->pfd[n].events = POLLIN;
			n++;
		}
	}
	for (int i = 0; i < kb_perfstack_nfds(r->ps); i++) {
		if (kb_perfstack_fd(r->ps, i) >= 0) {
			r->pfd[n].fd = kb_perfstack_fd(r->ps, i);
			r->pfd[n].events = POLLIN;
			n++;
		}
	}
	r->pfd[n].fd = r->stop_fd;
	r->pfd[n].events = POLLIN;

	for (;;) {
		int timeout = -1;
		uint64_t start;

		if (kb_pair_queued(r->pair))
			timeout = (int)(KB_REORDER_NS / 1000000) + 1;
		else if (kb_pair_waiting(r->pair))
			timeout = 1000;
		if (poll(r->pfd, (nfds_t)n + 1, timeout) < 0 && errno != EINTR)
			break;
		if (r->pfd[n].revents & POLLIN)
			break;
		/*
		 * Everything recorded before this instant will have been read
		 * once the loop below has emptied every CPU; minus a margin for
		 * events reserved but not yet committed.
		 */
		start = kb_now_mono();
		r->priv.rounds++;
		records = r->priv.records;
		for (int i = 0; i < r->nstreams; i++)
			if (r->st[i].tcpu)
				read_stream(r, &r->st[i]);
		read_perf(r);
		kb_pair_flush(r->pair, start > KB_REORDER_NS ? start - KB_REORDER_NS : 0);
		publish(r);
		/*
		 * With buffer_percent 0 every event wakes a sleeping reader: under
		 * a storm that is a wakeup (and a mostly empty page) per event.
		 * After a busy round a nap lets pages fill, so one wakeup reads
		 * hundreds of events; a lone bind is not held up by it.
		 */
		if (r->priv.records - records >= KB_COALESCE_MIN_RECORDS)
			nanosleep(&nap, NULL);
	}
	/* stop: recording is already off; take what is left */
	for (int i = 0; i < r->nstreams; i++)
		if (r->st[i].tcpu)
			read_stream(r, &r->st[i]);
	read_perf(r);
	kb_pair_flush_all(r->pair);
	publish(r);
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
	return 0;
}

void kb_reader_stop(struct kb_reader *r)
{
	uint64_t one = 1;

	if (!r || !r->running)
		return;
	if (write(r->stop_fd, &one, sizeof(one)) < 0) {
		/* the counter cannot overflow from one write */
	}
	pthread_join(r->thread, NULL);
	r->running = false;
}

void kb_reader_free(struct kb_reader *r)
{
	if (!r)
		return;
	kb_reader_stop(r);
	for (int i = 0; i < r->nstreams; i++) {
		if (r->st[i].tcpu)
			tracefs_cpu_free_fd(r->st[i].tcpu);
		if (r->st[i].fd >= 0)
			close(r->st[i].fd);
	}
	if (r->stop_fd >= 0)
		close(r->stop_fd);
	kb_pair_free(r->pair);
	kb_decoder_free(r->dec);
	kb_capture_free(r->capture);
	pthread_mutex_destroy(&r->lock);
	free(r->st);
	free(r->pfd);
	free(r->page);
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
