// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * engine.c - setup and teardown around the reader thread.
 *
 * Setup order: reap dead runs, create instances with recording off,
 * create probes, enable events, parse formats, open per-CPU files, start
 * the reader, then turn recording on.  Teardown reverses it: recording
 * off, reader drained and joined, files closed, instances and probes
 * removed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tracefs.h>

#include "clock.h"
#include "engine.h"
#include "reap.h"

/*
 * How --max-memory is shared out, in sixteenths.  Each structure gets its
 * part once, at start, and never grows past it; what does not fit stays
 * in the kernel's ring buffers.  The rest is left for the consumer (model,
 * output) and the program itself.
 */
static const struct {
	enum kb_mem_part part;
	unsigned int sixteenths;
} mem_shares[] = {
	{ KB_MEM_QUEUE,		2 },	/* 64 MB: 16384 calls between reader and consumer */
	{ KB_MEM_PAIRING,	3 },	/* held records (2/3) and per-thread states (1/3) */
	{ KB_MEM_STACKS,	8 },	/* the stack store: deep frames and stack copies */
};

size_t kb_engine_mem_share(const struct kb_options *o, enum kb_mem_part part)
{
	size_t total = (size_t)o->max_memory_mb << 20;

	for (size_t i = 0; i < sizeof(mem_shares) / sizeof(mem_shares[0]); i++)
		if (mem_shares[i].part == part)
			return total / 16 * mem_shares[i].sixteenths;
	return 0;
}

#define STORE_ENTRIES	8192		/* distinct user stacks held for the consumer */

static double now_ms(void)
{
	return (double)kb_now_mono() / 1e6;
}

int kb_engine_start(struct kb_engine *e, const struct kb_options *o, FILE *log, char *err, size_t errlen)
{
	struct kb_decoder *dec;
	struct kb_capture *capture = NULL;
	const char *capture_path;
	double t0 = now_ms();
	int ret, reaped;
	unsigned int needs;

	memset(e, 0, sizeof(*e));
	ret = kb_tracefs_mount(err, errlen);
	if (ret)
		return ret;
	reaped = kb_session_reap(o->verbose ? log : NULL);
	if (reaped > 0 && log)
		fprintf(log, "kbindtop: removed %d tracing object%s left by killed kbindtop runs\n",
			reaped, reaped == 1 ? "" : "s");
	/*
	 * kallsyms only where a kprobe will be tried: trying probe points
	 * blindly would leave failures in the kernel's global error_log.
	 */
	needs = kb_backend_needs(o->backend);
	kb_caps_probe(&e->caps, needs & KB_NEEDS_LIBCS, needs & KB_NEEDS_KPROBES);
	kb_session_init(&e->sess, o->buffer_kb);
	e->stack_mode = o->stack_mode;
	if (o->record_stacks) {
		char why[256];
		unsigned int max = kb_perfstack_max_depth();

		if (o->stack_depth > max) {
			snprintf(err, errlen, "--stack-depth=%u is above kernel.perf_event_max_stack (%u)",
				 o->stack_depth, max);
			ret = -EINVAL;
			goto fail;
		}
		if (kb_perfstack_probe(tracefs_tracing_dir(), why, sizeof(why)) == 0)
			e->caps.perf_stacks = true;
		else
			snprintf(e->stack_note, sizeof(e->stack_note), "%s; user stacks from ftrace "
				 "userstacktrace instead (8 frames, frame pointers only)", why);
	}

	ret = kb_backend_setup(&e->sess, o, &e->caps, &e->plan, err, errlen);
	if (ret)
		goto fail;
	dec = kb_decoder_new(tracefs_tracing_dir(), e->plan.spec, e->plan.nspec, err, errlen);
	if (!dec) {
		ret = -EINVAL;
		goto fail;
	}
	if (e->caps.perf_stacks) {
		struct kb_perfstack_opts po = {
			.mode = o->stack_mode, .depth = o->stack_depth,
			.stack_bytes = o->stack_bytes, .copies_per_sec = o->stack_copies,
			.ring_kb = o->buffer_kb,
		};
		const struct kb_evspec *enter = NULL;
		char why[256], filter[KB_MAX_LIST * 48];

		kb_backend_comm_filter(o, filter, sizeof(filter));
		po.filter = filter;
		for (int i = 0; i < e->plan.nspec && !enter; i++)
			if (e->plan.spec[i].role == KB_ROLE_ENTER)
				enter = &e->plan.spec[i];
		/* the perf rings themselves are sized by --buffer-kb (kernel memory) */
		e->stacks = kb_stackstore_new(STORE_ENTRIES, kb_engine_mem_share(o, KB_MEM_STACKS));
		if (enter)
			e->ps = kb_perfstack_open(tracefs_tracing_dir(), enter->system, enter->name, &po,
						  e->stacks, why, sizeof(why));
		if (!e->ps)
			snprintf(e->stack_note, sizeof(e->stack_note), "no user stacks: %s",
				 enter ? why : "no bind entry event to sample");
	}
	e->q = kb_queue_new(kb_queue_slots_for(kb_engine_mem_share(o, KB_MEM_QUEUE)));
	if (!e->q) {
		kb_decoder_free(dec);
		snprintf(err, errlen, "cannot create event queue: %s", strerror(errno));
		ret = -errno;
		goto fail;
	}
	capture_path = getenv("KBINDTOP_CAPTURE");
	if (capture_path && *capture_path) {
		capture = kb_capture_open(capture_path, tracefs_tracing_dir(), e->plan.spec, e->plan.nspec);
		if (!capture && log)
			fprintf(log, "kbindtop: cannot write capture %s: %s\n", capture_path, strerror(errno));
	}
	e->rd = kb_reader_new(&e->sess, dec, e->q, e->plan.ustacks, kb_engine_mem_share(o, KB_MEM_PAIRING),
			      e->ps, capture, err, errlen);
	if (!e->rd) {
		ret = -EIO;
		goto fail;
	}
	if (e->plan.iou_gate_inst >= 0) {
		char path[512];
		int fd;

		snprintf(path, sizeof(path), "%s/instances/%s/events/io_uring/io_uring_complete/enable",
			 tracefs_tracing_dir(), e->sess.inst_name[e->plan.iou_gate_inst]);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
			ret = -errno;
			goto fail;
		}
		kb_reader_set_iou_gate(e->rd, fd);
	}
	ret = kb_reader_start(e->rd);
	if (ret) {
		snprintf(err, errlen, "cannot start reader thread: %s", strerror(-ret));
		goto fail;
	}
	ret = kb_session_start(&e->sess);
	if (ret) {
		snprintf(err, errlen, "cannot turn tracing on: %s", strerror(-ret));
		goto fail;
	}
	/* after the ftrace side: every sample then finds its bind's entry record */
	if (e->ps && (ret = kb_perfstack_enable(e->ps))) {
		snprintf(err, errlen, "cannot enable perf stack events: %s", strerror(-ret));
		goto fail;
	}
	e->setup_ms = now_ms() - t0;
	if (log) {
		fprintf(log, "kbindtop: backend %s: %s\n", kb_backend_name(e->plan.backend), e->plan.desc);
		if (e->plan.note[0])
			fprintf(log, "kbindtop: note: %s\n", e->plan.note);
		if (e->ps)
			fprintf(log, "kbindtop: user stacks: perf samples, --stack=%s, up to %u frames, "
				"%u-byte copies, %u copies/s per process\n", kb_stack_mode_name(o->stack_mode),
				o->stack_depth ? o->stack_depth : kb_perfstack_max_depth(),
				o->stack_mode == KB_STACK_FP ? 0 : o->stack_bytes,
				o->stack_mode == KB_STACK_FP ? 0 : o->stack_copies);
		if (e->stack_note[0])
			fprintf(log, "kbindtop: note: %s\n", e->stack_note);
	}
	return 0;
fail:
	kb_engine_destroy(e);
	return ret;
}

void kb_engine_stop(struct kb_engine *e)
{
	if (e->stopped)
		return;
	kb_session_stop(&e->sess);
	kb_perfstack_disable(e->ps);
	kb_reader_stop(e->rd);
	e->stopped = true;
}

int kb_engine_destroy(struct kb_engine *e)
{
	int ret;

	kb_engine_stop(e);
	kb_reader_free(e->rd);	/* joins the reader; what the consumer left is discarded */
	e->rd = NULL;
	kb_perfstack_free(e->ps);
	e->ps = NULL;
	ret = kb_session_destroy(&e->sess);
	kb_queue_free(e->q);
	e->q = NULL;
	kb_stackstore_free(e->stacks);
	e->stacks = NULL;
	return ret;
}

void kb_engine_emergency(const struct kb_engine *e)
{
	struct kb_reader *rd = e->rd;

	if (rd)
		kb_reader_emergency(rd);
	if (e->ps)
		kb_perfstack_emergency(e->ps);
	kb_session_emergency(&e->sess);
}

void kb_engine_stats(struct kb_engine *e, struct kb_stats *st)
{
	if (e->rd)
		kb_reader_stats(e->rd, st);
	else
		memset(st, 0, sizeof(*st));
}
