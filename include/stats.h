/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stats.h - counters the reader publishes and the consumer shows.
 * Losses are never silent: every way an event can go missing has a
 * counter here.
 */
#ifndef KB_STATS_H
#define KB_STATS_H

#include <stdint.h>

#define KB_STATS_CPUS 64		/* per-CPU loss counters; higher CPUs share the last */

struct kb_stats {
	uint64_t calls;			/* bind calls handed to the consumer */
	uint64_t kernel_lost;		/* events the ring buffer reported lost (exact counts) */
	uint64_t kernel_lost_cpu[KB_STATS_CPUS];	/* the same, per CPU */
	uint64_t kernel_lost_pages;	/* pages that reported a loss without a count */
	uint64_t queue_drops;		/* calls dropped because the consumer fell behind */
	uint64_t no_exit;		/* calls whose return was never recorded */
	uint64_t unmatched_exit;	/* returns without an entry */
	uint64_t unmatched_addr;	/* libc uprobe records without a syscall */
	uint64_t late;			/* records read after their reorder window */
	uint64_t evicted;		/* per-thread pairing states dropped for space */
	uint64_t records;		/* records decoded */
	uint64_t pages;			/* sub-buffers read */
	uint64_t rounds;		/* poll wakeups */
	/* perf user stacks (--stack): every sample accounted for */
	uint64_t stack_samples;		/* samples read from the perf rings */
	uint64_t stack_lost;		/* samples the kernel dropped (PERF_RECORD_LOST) */
	uint64_t stack_unpaired;	/* samples without an open bind of their thread */
	uint64_t stack_copies;		/* samples whose stack copy was kept (DWARF) */
	uint64_t stack_over_budget;	/* copies dropped over the per-process budget: FP only */
	uint64_t stack_store_full;	/* samples not kept: a stack larger than the store */
	uint64_t stack_bad;		/* samples that did not parse */
	uint64_t stack_copy_ring_full;	/* copies skipped by the kernel, copy ring full: FP only */
	uint64_t iou_noise;		/* io_uring completions recorded while a BIND was in flight */
	uint64_t iou_gate_opens;	/* times io_uring_complete recorded for a BIND */
	uint64_t iou_gate_ns;		/* total time it recorded */
};

/* Events lost for good: what the header shows as "lost". */
static inline uint64_t kb_stats_lost(const struct kb_stats *s)
{
	return s->kernel_lost + s->kernel_lost_pages + s->queue_drops;
}

#endif
