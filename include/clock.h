/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * clock.h - the one monotonic clock every layer measures with (event
 * timestamps from the trace buffer are on the same clock), and its
 * conversion to wall time for printing.  Any thread, except
 * kb_clock_init (main thread, before other threads start).
 */
#ifndef KB_CLOCK_H
#define KB_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC now, in ns. */
uint64_t kb_now_mono(void);

/* Measure the CLOCK_MONOTONIC -> CLOCK_REALTIME offset once, at startup. */
void kb_clock_init(void);

/* CLOCK_MONOTONIC ns -> CLOCK_REALTIME ns, with the offset kb_clock_init measured. */
uint64_t kb_mono_to_real(uint64_t mono_ns);

#endif
