/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replay.h - reading a recording (-r/--read): the JSON lines of
 * --write or of "kbindtop --json --stacks" output captured anywhere, back
 * into kb_binds, so the live table and batch output work on them without
 * root or tracing.
 *
 * A recording is untrusted input.  Every line is parsed within bounds
 * (KB_REPLAY_LINE_MAX bytes, nesting, string lengths); text is kept as
 * printable ASCII only; a line that is not a call (truncated, wrong
 * types, too long) is skipped and counted, and the first such line is
 * reported with its number.  Stack frames keep the names they were
 * recorded with, for kb_replay_stack.
 *
 * Threads: the consumer thread only (one reader per file).
 */
#ifndef KB_REPLAY_H
#define KB_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "enrich.h"
#include "symbols.h"

#define KB_REPLAY_LINE_MAX	(1 << 20)	/* longer lines are skipped */
#define KB_REPLAY_FRAMES	65536		/* named frames kept */

struct kb_replay_info {
	bool header;			/* a --write header line was read */
	char host[64], kernel[64], backend[32], version[32];	/* "" when unknown */
	uint64_t first_ns, last_ns;	/* CLOCK_REALTIME ns of the first and last call */
	uint64_t nlines;		/* lines read */
	uint64_t calls;			/* calls read (sockets at start included) */
	uint64_t skipped;		/* lines that were not calls */
	uint64_t bad_line;		/* the first skipped line's number, 0 none */
	char bad[160];			/* why it was skipped */
	uint64_t frames_dropped;	/* frame names past KB_REPLAY_FRAMES */
};

struct kb_replay;

/* A reader of f (not closed by kb_replay_free). */
struct kb_replay *kb_replay_new(FILE *f);
void kb_replay_free(struct kb_replay *r);

/*
 * kb_replay_next - the next call of the file into b.  Returns 1, 0 at
 * the end of the file, or -errno when reading failed.  Lines that are no
 * call are skipped and counted in the info.
 */
int kb_replay_next(struct kb_replay *r, struct kb_bind *b);

/*
 * kb_replay_line - parse one line (without its newline).  Returns 1 and
 * fills b for a call, 0 for a header or an empty line, -EINVAL with a
 * reason in err for anything else.
 */
int kb_replay_line(struct kb_replay *r, const char *line, size_t len, struct kb_bind *b, char *err,
		   size_t errlen);

const struct kb_replay_info *kb_replay_info(const struct kb_replay *r);

/*
 * kb_replay_stack - the n frames pcs of process pid (user or kernel)
 * with the names they were recorded with; unknown ones as addresses.
 */
void kb_replay_stack(const struct kb_replay *r, int pid, bool kernel, const uint64_t *pcs, int n,
		     struct kb_stack *out);

#endif
