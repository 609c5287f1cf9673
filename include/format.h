/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * format.h - the text of each output field, shared by batch output (text
 * and JSON) and the curses view so a value reads the same everywhere.
 * Pure functions; any thread.
 */
#ifndef KB_FORMAT_H
#define KB_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "clock.h"		/* timestamps are kb_now_mono()'s */
#include "enrich.h"

/* "HH:MM:SS.uuuuuu" local time of a monotonic timestamp. */
const char *kb_fmt_time(uint64_t mono_ns, char *buf, size_t len);

/* "OK", "EADDRINUSE", "?" (return unknown). */
const char *kb_fmt_result(const struct kb_bind *b, char *buf, size_t len);

/* Error name or NULL when the call succeeded or its result is unknown. */
const char *kb_fmt_errname(const struct kb_bind *b, char *buf, size_t len);

/* "8080", "~8080" (not verified), "-" (no port). */
const char *kb_fmt_port(const struct kb_bind *b, char *buf, size_t len);

/* Family: "inet", "inet6", "unix", "AF_n", "?" */
const char *kb_fmt_family(const struct kb_bind *b, char *buf, size_t len);

/* Where the address came from: "uprobe", "kprobe", "kernel", "tracepoint", "late", "sockname", "none". */
const char *kb_fmt_addr_source(int src);

/* How the bind was made: "syscall" (bind(2)), "io_uring" or "kernel" (kernel_bind). */
const char *kb_fmt_via(const struct kb_bind *b);

/* Is the address (and port) exact? */
int kb_bind_verified(const struct kb_bind *b);

/*
 * kb_budget_text - "socket details for 1 in 12 calls, holder lookups skipped 5"
 * when a budget bit, "" when nothing was skipped.  For headers and the
 * batch summary: a budget is never silent.
 */
const char *kb_budget_text(const struct kb_enrich_stats *es, char *buf, size_t len);

#endif
