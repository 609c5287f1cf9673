/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * perfstack.h - user call stacks of bind() from perf events.
 *
 * One sampling event per CPU on the same tracepoint (or kprobe event) the
 * backend records bind() entries with; the kernel writes a sample with the
 * frame-pointer callchain and, for DWARF unwinding, the user registers and
 * a copy of the top of the user stack.  The rings are read by the reader
 * thread, in the same poll() as trace_pipe_raw; samples become
 * KB_ROLE_PSTACK records that the pairer joins to their bind by thread.
 * The sample parser is pure (unit-tested and fuzzed).
 */
#ifndef KB_PERFSTACK_H
#define KB_PERFSTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "options.h"
#include "stackstore.h"

/* x86-64 user registers sampled: ax bx cx dx si di bp sp ip r8-r15 */
#define KB_PERF_REGS_MASK	0xff01ffULL
#define KB_PERF_NREGS		17

/* One parsed sample; pointers point into the record it was parsed from. */
struct kb_perf_sample {
	uint32_t pid, tid;
	uint64_t time;
	uint32_t nips;			/* user frames (context markers dropped) */
	const uint8_t *ips;		/* nips u64 values, unaligned */
	bool has_regs;
	uint64_t regs[KB_PERF_NREGS];	/* in perf's bit order (mask above) */
	uint64_t stack_size;		/* bytes reserved in the record */
	uint64_t dyn_size;		/* bytes actually copied (<= stack_size) */
	const uint8_t *stack;		/* starts at the user sp */
};

/*
 * kb_perf_parse_sample - parse a PERF_RECORD_SAMPLE (header included) of
 * len bytes, for sample_type TID|TIME|CALLCHAIN, plus REGS_USER|STACK_USER
 * when with_copy.  0, or -EINVAL for a record that does not fit.  Any
 * bytes are safe (fuzzed).  Any thread.
 */
int kb_perf_parse_sample(const void *rec, size_t len, bool with_copy, struct kb_perf_sample *out);

/* Value of the u64 at p (unaligned). */
static inline uint64_t kb_perf_u64(const uint8_t *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * A ring as the reader walks it: header page then a power-of-two data
 * area.  Plain memory so tests can build one.
 */
struct kb_perf_ring {
	void *base;			/* struct perf_event_mmap_page */
	uint8_t *data;
	uint64_t size;			/* data bytes, a power of two */
	uint8_t *scratch;		/* one record, reassembled when it wraps */
	size_t scratch_len;
};

/* Takes one record; false refuses it: it stays in the ring, reading stops there. */
typedef bool (*kb_perf_rec_fn)(void *ctx, const void *rec, size_t len);

/*
 * kb_perf_ring_read - hand every complete record between data_tail and
 * data_head to fn (a record that wraps the end is reassembled in scratch),
 * up to the first one fn refuses, then release the space of those taken.
 * Returns records taken.  Reader thread (the ring's only consumer).
 */
int kb_perf_ring_read(struct kb_perf_ring *r, kb_perf_rec_fn fn, void *ctx);

struct kb_perfstack_opts {
	enum kb_stack_mode mode;
	unsigned int depth;		/* sample_max_stack; 0: the kernel's maximum */
	unsigned int stack_bytes;	/* sample_stack_user */
	unsigned int copies_per_sec;	/* kept per process per second */
	const char *filter;		/* ftrace filter the events get too (--comm), or NULL */
	unsigned int ring_kb;		/* the trace buffer per CPU (--buffer-kb): FP rings are half */
};

struct kb_perfstack_stats {
	uint64_t samples;		/* FP samples read (one per bind) */
	uint64_t lost;			/* PERF_RECORD_LOST: samples the kernel dropped */
	uint64_t throttled;		/* PERF_RECORD_THROTTLE */
	uint64_t bad;			/* records that did not parse */
	uint64_t copies;		/* stack copies kept */
	uint64_t over_budget;		/* copies dropped over the per-process budget */
	uint64_t store_full;		/* ... not stored: the stack store was full */
	uint64_t copy_ring_full;	/* copies the kernel skipped, copy ring full: FP only */
};

struct kb_perfstack;

/* Default of --stack-depth: kernel.perf_event_max_stack (127 when unreadable). */
unsigned int kb_perfstack_max_depth(void);

/*
 * kb_perfstack_probe - can sampling events be opened here?  Tries one on
 * CPU 0 on syscalls:sys_enter_bind (or any given event id) and closes it.
 * 0, or -errno with the reason in why.  Main thread.
 */
int kb_perfstack_probe(const char *tracefs_dir, char *why, size_t len);

/*
 * kb_perfstack_open - one event per CPU on the tracefs event system:name,
 * disabled; rings mapped.  NULL with the reason in err (errno set).
 * Main thread, before the reader starts.
 */
struct kb_perfstack *kb_perfstack_open(const char *tracefs_dir, const char *system, const char *name,
				       const struct kb_perfstack_opts *o, struct kb_stackstore *store,
				       char *err, size_t errlen);

/* Enable the events (after the ftrace side records).  Main thread. */
int kb_perfstack_enable(struct kb_perfstack *ps);
void kb_perfstack_disable(struct kb_perfstack *ps);
void kb_perfstack_free(struct kb_perfstack *ps);

/* Per-CPU ring fds, for the reader's poll set. */
int kb_perfstack_nfds(const struct kb_perfstack *ps);
int kb_perfstack_fd(const struct kb_perfstack *ps, int i);

struct kb_rec;
/*
 * ring: the ring the sample came from, numbered as kb_perfstack_fd's i
 * (CPU c's FP ring is c, its copy ring ncpu + c).  Samples are in time
 * order within a ring only, so each ring is a stream of its own.
 */
typedef void (*kb_perf_out_fn)(void *ctx, int ring, const struct kb_rec *rec);
/* Can ring's stream take one more record now? */
typedef bool (*kb_perf_room_fn)(void *ctx, int ring);

/*
 * kb_perfstack_read - read every ring: samples are stored (within the
 * budgets) and handed to fn as KB_ROLE_PSTACK records.  A sample is taken
 * only when room (may be NULL: always) says its ring's stream can hold it;
 * otherwise that ring stops there and the sample waits in it (a full ring
 * makes the kernel count PERF_RECORD_LOST).  Returns true when every ring
 * was read to its end.  Reader thread.
 */
bool kb_perfstack_read(struct kb_perfstack *ps, kb_perf_room_fn room, kb_perf_out_fn fn, void *ctx);

/* Counters; reader thread (the reader publishes them). */
void kb_perfstack_get_stats(const struct kb_perfstack *ps, struct kb_perfstack_stats *st);

/* Emergency close of every fd (async-signal-safe). */
void kb_perfstack_emergency(const struct kb_perfstack *ps);

#endif
