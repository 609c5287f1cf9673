// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - kbindtop: wiring of options, engine and the two views.
 *
 * The only file that exits.  Order of teardown, whatever the reason for
 * leaving: stop recording and join the reader, remove tracing state, end
 * curses, then print errors.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "check.h"
#include "engine.h"
#include "fileio.h"
#include "symbols.h"
#include "filter.h"
#include "format.h"
#include "keys.h"
#include "listeners.h"
#include "metrics.h"
#include "options.h"
#include "reap.h"
#include "pipeline.h"
#include "record.h"
#include "replay.h"
#include "session.h"
#include "signals.h"
#include "tui.h"

/* a batch drain looks at signals and the clock at least this often */
#define DRAIN_BUDGET_NS (50ULL * 1000000ULL)

static void fatal_cleanup(void *arg)
{
	kb_engine_emergency(arg);
}

/* Root, or the capability tracefs needs (CAP_SYS_ADMIN). */
static bool privileged(void)
{
	char *st;
	const char *v;
	bool ok;

	if (geteuid() == 0)
		return true;
	st = kb_file_read("/proc/self/status", 1u << 16, NULL);
	v = st ? kb_line_value(st, "CapEff:") : NULL;
	ok = v && (strtoull(v, NULL, 16) >> 21) & 1;
	free(st);
	return ok;
}

/*
 * Batch output as a sink: lines, the recording (-w), and --count, which
 * stops taking calls at N (the rest of a drained batch is not wanted).
 */
struct batch_out {
	const struct kb_options *o;
	struct kb_batch *bt;
	struct kb_record *rec;
	unsigned long long shown;
	int self;
};

static void out_add(void *ctx, const struct kb_bind *b)
{
	struct batch_out *x = ctx;

	if (x->o->count && x->shown >= x->o->count)
		return;
	kb_batch_sink_add(x->bt, b);
	if (x->rec)
		kb_record_add(x->rec, b);
	if (!(b->ev.flags & KB_EVF_EXISTING))
		x->shown++;
}

static int out_flush(void *ctx)
{
	struct batch_out *x = ctx;

	kb_record_flush(x->rec);
	return kb_batch_sink_flush(x->bt);
}

/* kb_listener_fn: a socket bound before the start, printed like a call (--listeners). */
static void print_existing(void *arg, const struct kb_bind *b)
{
	struct batch_out *x = arg;

	if (b->pid != x->self && kb_filter_options_match(x->o, b))
		out_add(x, b);
}

/* --listeners: the one-shot snapshot before the calls; what it missed goes to stderr. */
static int print_listeners(struct batch_out *x)
{
	struct kb_listen_stats ls;
	int ret = kb_listeners_scan(kb_now_mono(), print_existing, x, &ls);

	if (ret) {
		fprintf(stderr, "kbindtop: cannot list the sockets bound already: %s\n", strerror(-ret));
		return 0;
	}
	fprintf(stderr, "kbindtop: %" PRIu64 " sockets bound already, in %d network namespaces "
		"(%" PRIu64 " with no process found, %d namespaces failed, %" PRIu64 " not listed, "
		"%" PRIu64 " processes vanished); %.0f ms CPU\n", ls.sockets, ls.netns, ls.unattributed,
		ls.netns_failed, ls.truncated, ls.vanished, ls.cpu_ms);
	return out_flush(x);
}

/* Batch: print calls as they come until a signal, --duration, --count or a write error. */
static int run_batch(const struct kb_options *o, struct kb_engine *e, int sigfd)
{
	struct kb_pipeline *pl = kb_pipeline_new(o, e->q, kb_backend_name(e->plan.backend));
	struct kb_batch *bt = kb_batch_new(o, STDOUT_FILENO);
	struct batch_out out = { .o = o, .bt = bt, .self = getpid() };
	struct kb_metrics *mt = kb_metrics_new(o->metrics, o->metrics_series,
					       (uint64_t)(o->delay * 1e9), kb_backend_name(e->plan.backend));
	uint64_t t0 = kb_now_mono(), deadline = 0;
	struct kb_pipeline_stats ps;
	struct kb_stats st;
	char err[512];
	int ret = 0, werr = 0;
	bool stopping = false, more = false;

	/* where perf stacks are, and how to unwind them */
	kb_sym_set_stacks(kb_enricher_symbolizer(kb_pipeline_enricher(pl)), e->stacks, o->stack_mode,
			  o->stack_depth ? o->stack_depth : kb_perfstack_max_depth(), o->stack_copies,
			  e->stack_note);
	kb_pipeline_add_sink(pl, &(struct kb_sink){ .name = "batch", .ctx = &out, .add = out_add,
						     .flush = out_flush });
	kb_metrics_attach(mt, pl);
	if (o->duration > 0)
		deadline = t0 + (uint64_t)(o->duration * 1e9);
	kb_batch_header(bt);
	werr = kb_batch_flush(bt);
	if (o->write_path && kb_record_open(&out.rec, o->write_path, (uint64_t)o->write_max_mb << 20,
					     o->write_rotate, kb_backend_name(e->plan.backend), err, sizeof(err))) {
		fprintf(stderr, "kbindtop: %s\n", err);
		kb_pipeline_free(pl);
		kb_metrics_free(mt);
		kb_batch_free(bt);
		return KB_EXIT_FAIL;
	}
	if (o->listeners && !werr)
		werr = print_listeners(&out);
	for (;;) {
		uint64_t now = kb_now_mono();
		int wait_ms, qfd = kb_pipeline_fd(pl, now, &wait_ms);
		struct pollfd pfd[2] = {
			{ .fd = sigfd, .events = POLLIN },
			{ .fd = qfd, .events = POLLIN },
		};
		int timeout = more ? 0 : wait_ms, mt_ms;

		if (deadline) {
			int left = now >= deadline ? 0 : (int)((deadline - now) / 1000000 + 1);

			timeout = timeout < 0 || left < timeout ? left : timeout;
		}
		mt_ms = kb_metrics_tick(mt, e, now);	/* writes when due */
		if (mt_ms >= 0 && (timeout < 0 || mt_ms < timeout))
			timeout = mt_ms;
		if (!stopping && !werr && poll(pfd, 2, timeout) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN && kb_signals_take())
			stopping = true;
		if (deadline && kb_now_mono() >= deadline)
			stopping = true;
		if (stopping || werr)
			kb_engine_stop(e);	/* the reader's last events land in the queue */
		if (stopping || werr || (pfd[1].revents & POLLIN) || qfd < 0 || more) {
			int r = kb_pipeline_drain(pl, stopping || werr ? 0 : kb_now_mono() + DRAIN_BUDGET_NS,
						  &more);

			if (r && !werr)
				werr = r;
			/* --count: enough calls; stop tracing, what is still queued is not wanted */
			if (o->count && out.shown >= o->count && !stopping) {
				stopping = true;
				kb_engine_stop(e);
			}
		}
		if (stopping || werr)
			break;
	}
	if (kb_metrics_finish(mt, e, stderr))
		ret = KB_EXIT_FAIL;
	kb_engine_stats(e, &st);
	kb_pipeline_stats(pl, &ps);
	if (werr && werr != -EPIPE) {
		fprintf(stderr, "kbindtop: cannot write output: %s\n", strerror(-werr));
		ret = KB_EXIT_FAIL;
	}
	if (!o->quiet)
		kb_batch_summary(stderr, &st, out.shown, (double)(kb_now_mono() - t0) / 1e9, &ps.en);
	if (out.rec) {
		kb_record_flush(out.rec);
		fprintf(stderr, "kbindtop: %s: %s\n", o->write_path, kb_record_status(out.rec, err, sizeof(err)));
		kb_record_close(out.rec);
	}
	kb_pipeline_free(pl);
	kb_metrics_free(mt);
	kb_batch_free(bt);
	return ret;
}

/* kb_batch_resolve_fn of a recording: the frame names it was recorded with. */
static void resolve_recorded(void *ctx, const struct kb_bind *b, bool kernel, struct kb_stack *st)
{
	kb_replay_stack(ctx, b->pid, kernel, kernel ? b->ev.kstack : b->ev.ustack,
			kernel ? b->ev.n_kstack : b->ev.n_ustack, st);
}

/* What was skipped in a recording, on stderr; an error when nothing at all could be read. */
static int read_report(const struct kb_options *o, const struct kb_replay *rp)
{
	const struct kb_replay_info *in = kb_replay_info(rp);

	if (!in->calls && in->skipped) {
		fprintf(stderr, "kbindtop: %s is not a kbindtop recording (--write, or --json --stacks "
			"output): line %" PRIu64 ": %s\n", o->read_path, in->bad_line, in->bad);
		return KB_EXIT_FAIL;
	}
	if (in->skipped)
		fprintf(stderr, "kbindtop: %s: %" PRIu64 " of %" PRIu64 " lines skipped; first: line %" PRIu64
			": %s\n", o->read_path, in->skipped, in->nlines, in->bad_line, in->bad);
	return 0;
}

/* -r with --batch: the recording's calls printed as if traced now (filters and --count apply). */
static int read_batch(const struct kb_options *o, struct kb_replay *rp)
{
	struct kb_batch *bt = kb_batch_new(o, STDOUT_FILENO);
	unsigned long long shown = 0;
	static struct kb_bind b;
	int ret, werr;

	kb_batch_set_resolver(bt, resolve_recorded, rp);
	kb_batch_header(bt);
	while ((ret = kb_replay_next(rp, &b)) > 0 && !(o->count && shown >= o->count)) {
		if (!kb_filter_options_match(o, &b))
			continue;
		kb_batch_add(bt, &b);
		if (!(b.ev.flags & KB_EVF_EXISTING))
			shown++;
	}
	werr = kb_batch_flush(bt);
	kb_batch_free(bt);
	if (ret < 0) {
		fprintf(stderr, "kbindtop: %s: %s\n", o->read_path, strerror(-ret));
		return KB_EXIT_FAIL;
	}
	if (werr && werr != -EPIPE) {
		fprintf(stderr, "kbindtop: cannot write output: %s\n", strerror(-werr));
		return KB_EXIT_FAIL;
	}
	if (kb_replay_info(rp)->calls)
		fprintf(stderr, "kbindtop: %llu bind calls shown from %s\n", shown, o->read_path);
	return read_report(o, rp);
}

/* -r: no tracing, no root; the table or batch output on a recording. */
static int run_read(const struct kb_options *o)
{
	FILE *f = !strcmp(o->read_path, "-") ? stdin : fopen(o->read_path, "re");
	struct kb_replay *rp;
	char err[1024] = "";
	int ret, sigfd;

	if (!f) {
		fprintf(stderr, "kbindtop: --read: cannot open %s: %s\n", o->read_path, strerror(errno));
		return KB_EXIT_FAIL;
	}
	kb_clock_init();
	rp = kb_replay_new(f);
	if (o->mode == KB_MODE_BATCH) {
		ret = read_batch(o, rp);
	} else {
		sigfd = kb_signals_init();
		if (sigfd < 0) {
			fprintf(stderr, "kbindtop: cannot set up signals: %s\n", strerror(-sigfd));
			ret = KB_EXIT_FAIL;
		} else {
			ret = kb_tui_replay(o, rp, sigfd, err, sizeof(err));
			if (ret && err[0])
				fprintf(stderr, "kbindtop: %s\n", err);
			if (!ret)
				ret = read_report(o, rp);
		}
	}
	kb_replay_free(rp);
	if (f != stdin)
		fclose(f);
	return ret;
}

int main(int argc, char **argv)
{
	struct kb_options o;
	struct kb_engine e;
	char err[1024];
	int sigfd, ret;

	if (kb_options_parse(&o, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "kbindtop: %s\n", err);
		return KB_EXIT_USAGE;
	}
	if (!kb_backend_known(o.backend)) {
		fprintf(stderr, "kbindtop: --backend: '%.40s' is not one of %s\n", o.backend,
			kb_backend_names(err, sizeof(err)));
		return KB_EXIT_USAGE;
	}
	switch (o.mode) {
	case KB_MODE_HELP:
		kb_options_usage(stdout);
		return KB_EXIT_OK;
	case KB_MODE_VERSION:
		printf("kbindtop %s\n", PACKAGE_VERSION);
		return KB_EXIT_OK;
	case KB_MODE_LIST_FIELDS:
		kb_batch_list_fields(stdout);
		return KB_EXIT_OK;
	case KB_MODE_LIST_KEYS:
		kb_keys_list(stdout);
		return KB_EXIT_OK;
	case KB_MODE_LIST_COLUMNS:
		kb_columns_list(stdout);
		return KB_EXIT_OK;
	default:
		break;
	}
	if (o.mode == KB_MODE_TUI && kb_pipeline_check_options(&o, err, sizeof(err))) {
		fprintf(stderr, "kbindtop: %s\n", err);
		return KB_EXIT_USAGE;
	}
	if (o.mode == KB_MODE_TUI && (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))) {
		fprintf(stderr, "kbindtop: the live table needs a terminal; use --batch (or --json) "
			"to print binds to a pipe or file\n");
		return KB_EXIT_USAGE;
	}
	if (o.mode == KB_MODE_TUI && kb_tui_check(err, sizeof(err))) {
		fprintf(stderr, "kbindtop: %s\n", err);
		return KB_EXIT_USAGE;
	}
	if (o.read_path && (o.mode == KB_MODE_TUI || o.mode == KB_MODE_BATCH))
		return run_read(&o);
	if (!privileged()) {
		fprintf(stderr, "kbindtop: tracing needs root (or CAP_SYS_ADMIN); try: sudo kbindtop\n");
		return KB_EXIT_FAIL;
	}
	if (o.mode == KB_MODE_CHECK)
		return kb_check_run(&o, stdout);
	if (o.mode == KB_MODE_CLEANUP) {
		if (kb_tracefs_mount(err, sizeof(err))) {
			fprintf(stderr, "kbindtop: %s\n", err);
			return KB_EXIT_FAIL;
		}
		ret = kb_session_reap(stdout);
		printf("kbindtop: %d leftover%s removed\n", ret < 0 ? 0 : ret, ret == 1 ? "" : "s");
		return ret < 0 ? KB_EXIT_FAIL : KB_EXIT_OK;
	}

	if (o.metrics[0] && kb_metrics_check_path(o.metrics, err, sizeof(err))) {
		fprintf(stderr, "kbindtop: %s\n", err);
		return KB_EXIT_USAGE;
	}

	kb_clock_init();
	sigfd = kb_signals_init();
	if (sigfd < 0) {
		fprintf(stderr, "kbindtop: cannot set up signals: %s\n", strerror(-sigfd));
		return KB_EXIT_FAIL;
	}
	memset(&e, 0, sizeof(e));
	kb_signals_on_fatal(fatal_cleanup, &e);
	/* --quiet: setup notes only with --verbose; errors always */
	ret = kb_engine_start(&e, &o, o.quiet && !o.verbose ? NULL : stderr, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "kbindtop: %s\n", err);
		return KB_EXIT_FAIL;
	}
	if (!o.quiet)
		fprintf(stderr, "kbindtop: ready (setup %.1f ms)\n", e.setup_ms);
	if (o.mode == KB_MODE_BATCH)
		ret = run_batch(&o, &e, sigfd);
	else
		ret = kb_tui_run(&o, &e, sigfd, err, sizeof(err));
	if (kb_engine_destroy(&e))
		fprintf(stderr, "kbindtop: warning: some tracing state could not be removed; "
			"run 'kbindtop --cleanup'\n");
	if (ret && err[0] && o.mode == KB_MODE_TUI)
		fprintf(stderr, "kbindtop: %s\n", err);
	return ret;
}
