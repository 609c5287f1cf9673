/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * perfmap.h - JIT symbol maps, /tmp/perf-PID.map: one "START SIZE name"
 * line per piece of generated code (hex numbers, "0x" optional), as Java
 * (jcmd PID Compiler.perfmap), node (--perf-basic-prof) and other JITs
 * write them.  The file is written by the traced process: it is only read
 * when owned by that process's user or root, it is bounded in size and
 * entries, and names are untrusted bytes.  Consumer thread only.
 */
#ifndef KB_PERFMAP_H
#define KB_PERFMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "strbuf.h"

#define KB_PERFMAP_MAX_BYTES	(32u << 20)
#define KB_PERFMAP_MAX_ENTRIES	500000
#define KB_PERFMAP_NAME_MAX	255	/* longer names are cut */

struct kb_perfmap_ent {
	uint64_t start, end;
	uint32_t name;		/* offset in names */
	uint32_t seq;		/* line number: later lines replace earlier ones */
};

struct kb_perfmap {
	struct kb_perfmap_ent *e;
	size_t n;
	struct kb_buf names;	/* pool of names */
	size_t bad_lines;	/* lines that did not parse */
};

/*
 * kb_perfmap_parse - parse text (not NUL-terminated) into pm, replacing
 * what it held.  Returns the number of entries.
 */
size_t kb_perfmap_parse(struct kb_perfmap *pm, const char *text, size_t len);

/*
 * kb_perfmap_load - read /tmp/perf-PID.map (or path when not NULL) if it
 * is a regular file owned by root or one of uids[0..nuids), not larger
 * than KB_PERFMAP_MAX_BYTES.  Its mtime and size go to *mtime_ns and
 * *size to notice rewrites.  Returns entries loaded or -errno (-EPERM
 * for a file with the wrong owner, -EFBIG too large).
 */
long kb_perfmap_load(struct kb_perfmap *pm, int pid, const char *path, const uid_t *uids, int nuids,
		     uint64_t *mtime_ns, uint64_t *size);

/* Name of the code holding addr (raw bytes) and addr's offset in it; NULL if none. */
const char *kb_perfmap_find(const struct kb_perfmap *pm, uint64_t addr, uint64_t *off);

void kb_perfmap_free(struct kb_perfmap *pm);

#endif
