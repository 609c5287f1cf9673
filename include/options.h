/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * options.h - the command line: one table of options drives parsing,
 * --help and the man page check.  Parsing runs in main() before any thread
 * exists.
 */
#ifndef KB_OPTIONS_H
#define KB_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

enum kb_mode {
	KB_MODE_TUI = 0,
	KB_MODE_BATCH,
	KB_MODE_CHECK,
	KB_MODE_CLEANUP,
	KB_MODE_HELP,
	KB_MODE_VERSION,
	KB_MODE_LIST_FIELDS,	/* hidden: JSON field list for the docs check */
	KB_MODE_LIST_COLUMNS,	/* hidden: live table columns for the docs check */
	KB_MODE_LIST_KEYS,	/* hidden: live table keys for the docs check */
};

/* --stack: how user stacks are taken from perf samples */
enum kb_stack_mode {
	KB_STACK_AUTO = 0,	/* FP chain; DWARF unwinding when it does not reach the entry */
	KB_STACK_FP,		/* frame-pointer chain only (no stack copy) */
	KB_STACK_DWARF,		/* always unwind the stack copy (within the copy budget) */
};

#define KB_STACK_BYTES_DEF	8192	/* like perf --call-graph dwarf */
#define KB_STACK_COPIES_DEF	100	/* stack copies kept per process per second */

#define KB_MAX_LIST	64		/* values in --pid/--port/--comm */
#define KB_FILTER_MAX	256

struct kb_options {
	enum kb_mode mode;
	char backend[32];		/* "auto" or a backend's name (main checks which) */
	bool json;
	bool print_stacks;		/* batch: print stacks (--stacks) */
	bool record_stacks;		/* record user/kernel stacks (default on) */
	bool failed_only;
	bool color;
	bool verbose;
	bool listeners;			/* batch: sockets bound before the start first */
	unsigned long count;		/* batch: stop after this many calls shown; 0 = no limit */
	const char *write_path;		/* -w: record the calls here (argv string), or NULL */
	unsigned long write_max_mb;	/* bound of the recording */
	bool write_rotate;		/* at the bound: FILE -> FILE.1 and go on (else stop) */
	const char *read_path;		/* -r: show a recording instead of tracing, or NULL */
	bool no_mouse;			/* the live table leaves the mouse to the terminal */
	unsigned int buffer_kb;		/* per-CPU ring buffer */
	unsigned int max_memory_mb;	/* bound of the event path (--max-memory) */
	double duration;		/* seconds; 0 = until stopped */
	double delay;			/* TUI refresh interval, seconds */
	int npids, nports, ncomms;
	int pids[KB_MAX_LIST];
	int ports[KB_MAX_LIST];
	char comms[KB_MAX_LIST][16];
	char filter[KB_FILTER_MAX];	/* initial TUI filter */
	char sort[32];			/* initial TUI sort column */
	/* fleet: metrics file for node_exporter, and the mode that prints nothing */
	char metrics[4096];		/* --metrics FILE, "" = none */
	int metrics_series;		/* --metrics-series */
	bool quiet;			/* --quiet: batch mode without output */
	enum kb_stack_mode stack_mode;
	unsigned int stack_depth;	/* frames; 0 = kernel.perf_event_max_stack */
	unsigned int stack_bytes;	/* user stack bytes copied per sample */
	unsigned int stack_copies;	/* copies kept per process per second */
};

/* Exit codes: 0 ok, 1 runtime failure (privileges, tracing), 2 usage. */
#define KB_EXIT_OK	0
#define KB_EXIT_FAIL	1
#define KB_EXIT_USAGE	2

/*
 * kb_options_parse - fill opts from argv.  On a usage error, writes one
 * line to err and returns -1.  Main thread only.
 */
int kb_options_parse(struct kb_options *opts, int argc, char **argv, char *err, size_t errlen);

/* Print --help, generated from the option table. */
void kb_options_usage(FILE *f);

/* "auto", "fp", "dwarf". */
const char *kb_stack_mode_name(enum kb_stack_mode m);

#endif
