/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * symbols.h - turning stack addresses into "sym+off (object)".
 *
 * User frames need the process's memory map as it was when the bind
 * happened; short-lived processes exit before anyone looks at their
 * stacks, so the map is copied when a process is first seen
 * (kb_sym_note_process) and frames are resolved later from the copy.
 * Consumer thread only.
 */
#ifndef KB_SYMBOLS_H
#define KB_SYMBOLS_H

#include <stdbool.h>
#include <stdint.h>

struct kb_frame {
	uint64_t addr;
	bool known;		/* sym is set */
	uint64_t off;		/* addr - symbol start */
	char sym[160];		/* visible text, demangled; "" when unknown */
	char obj[80];		/* object basename, or "[kernel]", "[jit]", "[anon]", "[vdso]", "" */
};

struct kb_symbolizer;

struct kb_symbolizer *kb_sym_new(void);
void kb_sym_free(struct kb_symbolizer *s);

/* Remember what is needed to resolve pid's user frames later.  Cheap if already noted. */
void kb_sym_note_process(struct kb_symbolizer *s, int pid, uint64_t now_ns);

/* Resolve one frame (a user frame of pid, or a kernel frame). */
void kb_sym_resolve(struct kb_symbolizer *s, int pid, bool kernel, uint64_t addr, struct kb_frame *out);

#endif
