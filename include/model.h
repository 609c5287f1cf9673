/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * model.h - what the live table knows: bind calls aggregated per process,
 * per bind target under each process, and per distinct call stack under
 * each target; plus how it is looked at (filter, sort, expanded rows,
 * failures only, paused) and the flat list of rows that results.
 *
 * No curses, no /proc: the model is fed kb_bind values and a clock, so
 * unit tests drive it exactly like the monitor does.  Memory is bounded:
 * past the limits the least recently active rows are evicted and every
 * eviction is counted.
 *
 * Threads: the consumer (UI) thread only, for every function here.
 */
#ifndef KB_MODEL_H
#define KB_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enrich.h"
#include "options.h"

#define KB_NS			1000000000ULL
#define KB_MODEL_MAX_PROCS	1024
#define KB_MODEL_MAX_TARGETS	4096		/* all processes together (~2 KB each) */
#define KB_MODEL_PROC_TARGETS	256		/* one process */
#define KB_MODEL_TARGET_STACKS	16		/* one target */
#define KB_MODEL_LINGER_NS	(300 * KB_NS)	/* exited processes stay this long */
#define KB_MODEL_STACK_MAX	(KB_USTACK_MAX + KB_KSTACK_MAX)

struct kb_model_limits {
	int max_procs;
	int max_targets;
	int proc_targets;
	int target_stacks;
	uint64_t linger_ns;
};

/* Counts every level has. */
struct kb_mcount {
	uint64_t id;		/* unique for the model's lifetime; survives pause copies */
	uint64_t count;		/* bind calls */
	uint64_t fails;		/* of which failed (ret < 0) */
	uint64_t first, last;	/* CLOCK_MONOTONIC ns of the first and last call */
};

/* One distinct call stack (user frames then kernel frames) under a target. */
struct kb_mstack {
	struct kb_mcount c;
	struct kb_mstack *next;		/* target's list, most recent first */
	uint64_t hash;
	uint8_t nu, nk;			/* user, kernel frames in pcs */
	uint8_t flags;			/* kb_event flags of its first call */
	uint8_t usrc;			/* kb_event ustack_src */
	uint32_t uid;			/* kb_event ustack_id: the whole perf stack */
	uint16_t nuser;			/* user frame rows of a perf stack (its resolved depth) */
	uint64_t pcs[KB_MODEL_STACK_MAX];
};

/* One bind target of a process: protocol, family, address, port and result. */
struct kb_mtarget {
	struct kb_mcount c;
	struct kb_mproc *proc;
	struct kb_mtarget *prev, *next;	/* process's list, most recent first */
	struct kb_mtarget *hnext;	/* hash chain */
	uint64_t hash;
	struct kb_bind last;		/* the latest call, all its fields (detail pane) */
	struct kb_mstack *stacks;
	int nstacks;
	uint64_t nostack;		/* calls that came without any frame */
	uint64_t stacks_evicted;	/* calls whose stack was pushed out by newer ones */
	bool existing;			/* a socket bound before the start, not a call (c.count 0) */
};

struct kb_mproc {
	struct kb_mcount c;
	int pid;			/* -1: the kernel could not say */
	bool exited;
	uint64_t exited_at;
	char comm[KB_COMM_VIS];		/* visible text, latest seen */
	bool uid_known;
	uint32_t uid;
	char user[33];
	struct kb_mproc *prev, *next;	/* model's list, most recent first */
	struct kb_mproc *hnext;		/* pid hash chain (running processes only) */
	struct kb_mtarget *thead, *ttail;
	int ntargets;
	uint64_t targets_evicted;
	uint64_t existing;		/* sockets found bound at the start (not in c.count) */
};

/* What was dropped to stay within the limits (never silent). */
struct kb_mevict {
	uint64_t procs;			/* processes pushed out by newer ones */
	uint64_t targets;		/* targets pushed out */
	uint64_t stacks;		/* distinct stacks pushed out */
	uint64_t aged;			/* exited processes removed after the linger time */
};

enum kb_row_kind {
	KB_ROW_PROC,
	KB_ROW_TARGET,
	KB_ROW_STACK,
	KB_ROW_FRAME,
	KB_ROW_NOTE,		/* text about the parent (no stack recorded, evictions) */
};

/* Stable identity of a row across refreshes, for the selection. */
struct kb_rowid {
	int kind;
	uint64_t id;		/* node id; a frame's or note's is its parent's */
	int sub;		/* frame index, note number */
};

/* One line of the table.  Valid until the model next changes. */
struct kb_row {
	enum kb_row_kind kind;
	int depth;			/* 0 process, 1 target, 2 stack, 3 frame */
	bool expandable, expanded;
	bool last;			/* last child of its parent */
	unsigned int more;		/* bit d: the ancestor at depth d has later siblings */
	const struct kb_mproc *p;
	const struct kb_mtarget *t;
	const struct kb_mstack *s;
	int sub;			/* FRAME: index into s->pcs; STACK: ordinal (1-based) */
	char note[64];			/* NOTE text */
	struct kb_rowid rid;
};

/* User frame rows of s: a perf stack's resolved depth, else the frames it carries. */
static inline int kb_mstack_nuser(const struct kb_mstack *s)
{
	return s->nuser ? s->nuser : s->nu;
}

struct kb_model;

/*
 * How deep a perf user stack is, once resolved (the view's symbolizer).
 * Called once per new stack of the model; returns frames.
 */
typedef int (*kb_stack_depth_fn)(void *ctx, int pid, const struct kb_mstack *s);

/*
 * kb_model_new - an empty model.  lim NULL: the KB_MODEL_* defaults.
 * Aborts on out-of-memory (xalloc).
 */
struct kb_model *kb_model_new(const struct kb_model_limits *lim);
void kb_model_free(struct kb_model *m);

/* Set the depth callback for perf stacks (NULL: only the frames events carry). */
void kb_model_set_stack_depth(struct kb_model *m, kb_stack_depth_fn fn, void *ctx);

/*
 * kb_model_add - count one call.  Returns 1 when it opened a row for a
 * process not seen (running) before, else 0.
 */
int kb_model_add(struct kb_model *m, const struct kb_bind *b);

/*
 * kb_model_tick - housekeeping once per refresh: mark processes that are
 * gone (alive() false) as exited, remove exited ones after the linger
 * time, and update the rate.  alive may be NULL (nothing exits).
 */
void kb_model_tick(struct kb_model *m, uint64_t now, bool (*alive)(int pid));

/* The default alive(): does the process exist (zombies count)? */
bool kb_model_pid_alive(int pid);

/* Forget every row and count (the 'c' key).  Filter, sort, pause stay. */
void kb_model_clear(struct kb_model *m, uint64_t now);

/*
 * kb_model_set_filter - case-insensitive substring filter over command,
 * pid, user and (per target) protocol, family, address:port and result;
 * '|' separates alternatives.  "" shows everything.  Returns 0, or
 * -EINVAL when the text is too long (the old filter stays).
 */
int kb_model_set_filter(struct kb_model *m, const char *text);
const char *kb_model_filter(const struct kb_model *m);

/* Orders two sibling rows (same kind); 0 when equal or not meaningful. */
typedef int (*kb_row_cmp)(const struct kb_row *a, const struct kb_row *b);

/*
 * kb_model_set_sort - order siblings by cmp, descending or not; key is
 * the caller's name for that order (columns.h: a column index), given
 * back by kb_model_sort_col.  The model knows nothing of columns: a new
 * model (key -1, cmp NULL) shows the most recent activity first.
 */
void kb_model_set_sort(struct kb_model *m, int key, kb_row_cmp cmp, bool desc);
int kb_model_sort_col(const struct kb_model *m);
bool kb_model_sort_desc(const struct kb_model *m);

/*
 * Rows of sockets found bound at the start (KB_EVF_EXISTING binds) shown
 * or hidden; a process with nothing else goes with them.
 */
void kb_model_set_hide_existing(struct kb_model *m, bool on);
bool kb_model_hide_existing(const struct kb_model *m);

/* Does text match the filter (true when there is none)?  For other views of the calls. */
bool kb_model_filter_match(const struct kb_model *m, const char *text);

void kb_model_set_failed_only(struct kb_model *m, bool on);
bool kb_model_failed_only(const struct kb_model *m);

/*
 * kb_model_set_paused - freeze the rows: the table shows a copy taken now
 * while calls keep being counted underneath; resuming shows everything.
 */
void kb_model_set_paused(struct kb_model *m, bool on);
bool kb_model_paused(const struct kb_model *m);

/* Expand state, by row identity.  Frames and notes never expand. */
void kb_model_set_expanded(struct kb_model *m, const struct kb_rowid *rid, bool on);
bool kb_model_expanded(const struct kb_model *m, const struct kb_rowid *rid);
/* Expand every process and target (not stacks), or collapse everything. */
void kb_model_expand_all(struct kb_model *m, bool on);
bool kb_model_any_expanded(const struct kb_model *m);

/*
 * kb_model_rows - the visible rows, filtered and sorted, rebuilt if the
 * model changed since the last call.  The array and the nodes it points
 * to stay valid until the next add, tick, clear or setting change.
 */
const struct kb_row *kb_model_rows(struct kb_model *m, size_t *n);

/* Position of the row with this identity, or -1. */
long kb_model_find_row(struct kb_model *m, const struct kb_rowid *rid);

/* Totals of what the table holds (the live data, also while paused). */
struct kb_mtotals {
	uint64_t binds, fails;		/* since start or the last clear */
	uint64_t since_pause;		/* binds counted while paused */
	double rate;			/* binds per second over the last tick */
	int procs, exited, targets;
	uint64_t existing;		/* sockets found bound at the start (not in binds) */
	struct kb_mevict ev;
};
void kb_model_totals(const struct kb_model *m, struct kb_mtotals *t);

/*
 * kb_target_label - "tcp    inet  127.0.0.1:8080": the text a target is
 * shown and filtered by (without its result).
 */
const char *kb_target_label(const struct kb_mtarget *t, char *buf, size_t len);
/* The same text for one call. */
const char *kb_bind_label(const struct kb_bind *b, char *buf, size_t len);

/* The stack as the event it came from (stacks and flags only), for kb_sym_stack. */
void kb_mstack_event(const struct kb_mstack *s, struct kb_event *ev);

/* The proc's latest call (its most recent target's), for the detail pane. */
const struct kb_bind *kb_mproc_last(const struct kb_mproc *p);

/*
 * kb_mproc_ports - "80,443,8000-8003 +2": the distinct ports the process
 * asked for, ascending, ranges folded, cut to fit width with a +N count
 * of what did not fit; "-" when none.
 */
const char *kb_mproc_ports(const struct kb_mproc *p, int width, char *buf, size_t len);

#endif
