/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * record.h - writing the calls to a file (-w/--write) as JSON lines, the
 * same objects as --json --stacks (stacks symbolized), after one header
 * line that names the host, kernel, backend and kbindtop version.  A
 * recording is read back with -r (replay.h).
 *
 * Bounded: past --write-max the file is either moved to FILE.1 and
 * started again (--write-rotate) or closed, and the calls not written are
 * counted; which one happened is in kb_record_status().  Written at each
 * kb_record_flush (once per refresh), never from the reader thread.
 *
 * Threads: the consumer thread only.
 */
#ifndef KB_RECORD_H
#define KB_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enrich.h"

struct kb_record;

struct kb_record_stats {
	uint64_t calls;		/* lines written (sockets at start included) */
	uint64_t bytes;		/* in the current file */
	uint64_t dropped;	/* not written: the limit was reached, or a write failed */
	int rotations;
	bool stopped;		/* the limit was reached without --write-rotate */
	int err;		/* -errno of a failed write (then stopped), 0 */
};

/*
 * kb_record_open - create (truncate) path and write its header line.
 * max_bytes 0: no limit.  backend: the tracing backend's name.  Returns
 * 0, or -errno with a message in err.
 */
int kb_record_open(struct kb_record **out, const char *path, uint64_t max_bytes, bool rotate,
		   const char *backend, char *err, size_t errlen);

/* Queue one call (written at the next flush). */
void kb_record_add(struct kb_record *r, const struct kb_bind *b);

/* Write what is queued.  0, or the -errno that stopped the recording. */
int kb_record_flush(struct kb_record *r);

/* Flush and close; NULL is fine. */
void kb_record_close(struct kb_record *r);

void kb_record_stats(const struct kb_record *r, struct kb_record_stats *st);

/* "rec FILE 1.2M", "rec stopped at 100M (--write-max)", "rec FILE 3.0M (rotated 2)", "rec failed: ...". */
const char *kb_record_status(const struct kb_record *r, char *buf, size_t len);

#endif
