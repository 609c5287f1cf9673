/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * symbols.h - turning stack addresses into "sym+off (object)".
 *
 * User frames need the process's memory map as it was when the bind
 * happened; short-lived processes exit before anyone looks at their
 * stacks, so the map is copied when a process is first seen
 * (kb_sym_note_process) and frames are resolved later from the copy.
 * Symbol tables are loaded once per file (not per process) with libdw and
 * answers are cached per file, so a warm lookup costs well under a
 * microsecond.  JIT code is named from /tmp/perf-PID.map; kernel frames
 * from /proc/kallsyms.  All functions: consumer thread only (the thread
 * that owns the enricher).
 */
#ifndef KB_SYMBOLS_H
#define KB_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kb_event.h"

struct kb_frame {
	uint64_t addr;
	bool known;		/* sym is set */
	uint64_t off;		/* addr - symbol start */
	char sym[160];		/* visible text, demangled; "" when unknown */
	char obj[80];		/* visible object basename, or "[kernel]", "[jit]", "[anon]",
				 * "[vdso]", "[<module>]", "" when not mapped */
};

/* Frames kept of one resolved stack (perf chains reach kernel.perf_event_max_stack). */
#define KB_STACK_FRAMES	512

/* A resolved stack and whether it looks complete. */
struct kb_stack {
	int n;
	struct kb_frame f[KB_STACK_FRAMES];
	char source[8];		/* user stacks: "fp", "dwarf", "ftrace"; "" none */
	char note[256];		/* "" when the stack looks complete, else why it may not be */
};

struct kb_symbolizer;

struct kb_symbolizer *kb_sym_new(void);
void kb_sym_free(struct kb_symbolizer *s);

struct kb_stackstore;

/*
 * kb_sym_set_stacks - where perf user stacks (KB_USRC_PERF) are kept, how
 * to unwind them (enum kb_stack_mode: auto, fp, dwarf), the sampled depth
 * and per-process copy budget (for notes), and why stacks are not from perf ("" when they
 * are; shown with every ftrace stack).  store outlives s.
 */
void kb_sym_set_stacks(struct kb_symbolizer *s, struct kb_stackstore *store, int mode,
		       unsigned int depth, unsigned int copies_per_sec, const char *fallback_note);

/*
 * kb_sym_note_process - copy pid's memory map if it is new, or if its
 * executable changed (exec, pid reuse; checked at most once a second with
 * one stat).  Cheap enough to call for every event that has a stack.
 */
void kb_sym_note_process(struct kb_symbolizer *s, int pid, uint64_t now_ns);

/* Resolve one frame at exactly addr (a user frame of pid, or a kernel frame). */
void kb_sym_resolve(struct kb_symbolizer *s, int pid, bool kernel, uint64_t addr, struct kb_frame *out);

/*
 * kb_sym_stack - resolve the user (kernel = false) or kernel stack of ev
 * for process pid.  Return addresses are looked up at addr - 1 (a call
 * that ends a function would otherwise name the next one); off is still
 * from the address shown.  note says when the frame-pointer walk may have
 * been cut short.
 */
void kb_sym_stack(struct kb_symbolizer *s, int pid, const struct kb_event *ev, bool kernel,
		  struct kb_stack *st);

/* "sym+0x1f (obj)", "0x7f01... (obj)" or "0x7f01..." for one frame. */
const char *kb_sym_frame_text(const struct kb_frame *f, char *buf, size_t len);

struct kb_sym_stats {
	uint64_t procs, maps_copies, files_opened, files_failed, lookups, cache_hits;
	uint64_t perfmaps_loaded;
	uint64_t maps_recorded;		/* maps completed from perf's mapping records */
	uint64_t go_names;		/* frames named from a Go binary's .gopclntab */
	uint64_t files_shared;		/* files that reused a loaded file of the same build id */
	uint64_t ustacks_fp, ustacks_dwarf;	/* perf stacks shown from each source */
	uint64_t ustacks_gone;		/* perf stacks evicted from the store before shown */
};

void kb_sym_stats(const struct kb_symbolizer *s, struct kb_sym_stats *st);

#endif
