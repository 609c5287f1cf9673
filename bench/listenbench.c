// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * listenbench.c - what listing the sockets bound at the start costs: the
 * scan (kb_listeners_scan) and feeding its rows to the live table's model,
 * in CPU milliseconds of this thread.  Run as root on a host with many
 * sockets (bench/manysockets.py makes 100 000).  Prints one line; no
 * assertion (timings on a shared machine are for reading, not testing).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "format.h"
#include "listeners.h"
#include "model.h"

static double cpu_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void add(void *arg, const struct kb_bind *b)
{
	kb_model_add(arg, b);
}

static void skip(void *arg, const struct kb_bind *b)
{
}

int main(void)
{
	struct kb_model *m = kb_model_new(NULL);
	struct kb_listen_stats st, st0;
	struct kb_mtotals t;
	double t0;
	int ret;

	kb_clock_init();
	/* the scan alone, then the scan feeding the model as the live table does */
	ret = kb_listeners_scan(kb_now_mono(), skip, NULL, &st0);
	t0 = cpu_ms();
	if (!ret)
		ret = kb_listeners_scan(kb_now_mono(), add, m, &st);
	if (ret) {
		fprintf(stderr, "listenbench: scan failed: %d\n", ret);
		return 1;
	}
	kb_model_totals(m, &t);
	printf("sockets %" PRIu64 " netns %d unattributed %" PRIu64 " truncated %" PRIu64
	       " fds %" PRIu64 " vanished %" PRIu64 " | scan cpu %.0f ms (dumps %.0f, fd walk %.0f), scan + model cpu %.0f ms (wall %.0f ms)"
	       " | model rows: %d procs %d targets, %" PRIu64 " targets evicted\n",
	       st.sockets, st.netns, st.unattributed, st.truncated, st.fds, st.vanished, st0.cpu_ms, st0.cpu_diag_ms, st0.cpu_owner_ms,
	       cpu_ms() - t0, st.wall_ms, t.procs, t.targets, t.ev.targets);
	kb_model_free(m);
	return 0;
}
