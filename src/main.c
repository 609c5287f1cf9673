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
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "check.h"
#include "engine.h"
#include "fileio.h"
#include "format.h"
#include "keys.h"
#include "options.h"
#include "reap.h"
#include "pipeline.h"
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

/* Batch: print calls as they come until a signal, --duration or a write error. */
static int run_batch(const struct kb_options *o, struct kb_engine *e, int sigfd)
{
	struct kb_pipeline *pl = kb_pipeline_new(o, e->q, kb_backend_name(e->plan.backend));
	struct kb_batch *bt = kb_batch_new(o, STDOUT_FILENO);
	uint64_t t0 = kb_now_mono(), deadline = 0;
	struct kb_pipeline_stats ps;
	struct kb_stats st;
	int ret = 0, werr = 0;
	bool stopping = false, more = false;

	kb_pipeline_add_sink(pl, &(struct kb_sink){ .name = "batch", .ctx = bt, .add = kb_batch_sink_add,
						     .flush = kb_batch_sink_flush });
	if (o->duration > 0)
		deadline = t0 + (uint64_t)(o->duration * 1e9);
	kb_batch_header(bt);
	werr = kb_batch_flush(bt);
	for (;;) {
		uint64_t now = kb_now_mono();
		int wait_ms, qfd = kb_pipeline_fd(pl, now, &wait_ms);
		struct pollfd pfd[2] = {
			{ .fd = sigfd, .events = POLLIN },
			{ .fd = qfd, .events = POLLIN },
		};
		int timeout = more ? 0 : wait_ms;

		if (deadline) {
			int left = now >= deadline ? 0 : (int)((deadline - now) / 1000000 + 1);

			timeout = timeout < 0 || left < timeout ? left : timeout;
		}
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
		}
		if (stopping || werr)
			break;
	}
	kb_engine_stats(e, &st);
	kb_pipeline_stats(pl, &ps);
	if (werr && werr != -EPIPE) {
		fprintf(stderr, "kbindtop: cannot write output: %s\n", strerror(-werr));
		ret = KB_EXIT_FAIL;
	}
	kb_batch_summary(stderr, &st, ps.shown, (double)(kb_now_mono() - t0) / 1e9, &ps.en);
	kb_pipeline_free(pl);
	kb_batch_free(bt);
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

	kb_clock_init();
	sigfd = kb_signals_init();
	if (sigfd < 0) {
		fprintf(stderr, "kbindtop: cannot set up signals: %s\n", strerror(-sigfd));
		return KB_EXIT_FAIL;
	}
	memset(&e, 0, sizeof(e));
	kb_signals_on_fatal(fatal_cleanup, &e);
	ret = kb_engine_start(&e, &o, stderr, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "kbindtop: %s\n", err);
		return KB_EXIT_FAIL;
	}
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
