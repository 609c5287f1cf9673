/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unwind.h - DWARF unwinding of a perf stack copy with libdw.
 *
 * For code built without frame pointers the kernel's FP chain stops after
 * a frame or two; the sample's registers and the copy of the top of the
 * user stack let libdw walk .eh_frame (then .debug_frame, then frame
 * pointers) the way a debugger would, without touching the process.
 * One libdw session per process, cached, rebuilt when the caller's copy
 * of the process's memory map changes.  Consumer thread only; called
 * lazily, once per stack, when it is displayed or printed.
 */
#ifndef KB_UNWIND_H
#define KB_UNWIND_H

#include <stddef.h>
#include <stdint.h>

#include "stackstore.h"

struct kb_unwinder;

struct kb_unwinder *kb_unwind_new(void);
void kb_unwind_free(struct kb_unwinder *uw);

/*
 * kb_unwind - unwind stack u of process pid into pcs (innermost first, at
 * most max).  maps is the text of /proc/PID/maps as the caller holds it
 * (the process may have exited), gen changes whenever that text does.
 * Returns frames found (0 when nothing could be unwound).
 */
int kb_unwind(struct kb_unwinder *uw, int pid, const char *maps, size_t maps_len, uint64_t gen,
	      const struct kb_ustack *u, uint64_t *pcs, int max);

struct kb_unwind_stats {
	uint64_t unwinds, sessions, frames;
};

void kb_unwind_stats(const struct kb_unwinder *uw, struct kb_unwind_stats *st);

#endif
