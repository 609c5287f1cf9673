/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * signals.h - signal handling.  Stop signals (INT, TERM, HUP, QUIT) only
 * write their number to a self-pipe that the consumer loop polls; teardown
 * happens in normal code.  Fatal signals (SEGV, BUS, ABRT, FPE, ILL) run
 * registered async-signal-safe hooks (terminal restore, tracing removal)
 * and then die with the original signal.  Main thread, before threads
 * start.
 */
#ifndef KB_SIGNALS_H
#define KB_SIGNALS_H

/* Install handlers; returns the pipe's read end, or -errno. */
int kb_signals_init(void);

/* The next stop signal received (0 when none), non-blocking. */
int kb_signals_take(void);

/* SIGWINCH: returns 1 once per resize (for the curses view). */
int kb_signals_winch(void);

/* Hooks run on a fatal signal, in order; must be async-signal-safe. */
void kb_signals_on_fatal(void (*fn)(void *), void *arg);

#endif
