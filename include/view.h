/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * view.h - the live table as text: renders the model (and the header
 * facts the monitor passes in) into a screen of text rows with one
 * attribute per cell.  No curses here: tui.c copies the screen to the
 * terminal, unit tests read it.
 *
 * Also the view state that is not the model's: terminal size, selected
 * row (by identity, so it follows its row through re-sorting), scroll
 * position, help screen, detail pane, filter typing, a transient message.
 *
 * Threads: the consumer (UI) thread only.
 */
#ifndef KB_VIEW_H
#define KB_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "columns.h"
#include "eventlog.h"
#include "listeners.h"
#include "replay.h"
#include "model.h"
#include "screen.h"
#include "stats.h"

/*
 * A key as the view shows it, in the bottom bar and the help screen.
 * keys.c makes these from its key table (kb_keys_help) and the monitor
 * passes them in, so the view does not depend on the keys that drive it.
 */
struct kb_keyhelp {
	char names[64];		/* "Up, k": every key of the entry */
	char first[16];		/* its first key's name, for the bottom bar */
	const char *help;
	const char *bar;	/* bottom bar label, or NULL */
};

struct kb_view {
	int w, h;
	/* selection: the index is derived from the identity after each model change */
	long sel;
	struct kb_rowid sel_rid;
	bool have_sel;
	long top;		/* first table row on screen */
	int table_h;		/* table rows that fit at the last render */

	bool help;		/* help screen shown */
	int help_top;
	bool detail;		/* detail pane shown */
	bool editing;		/* the filter is being typed */

	char msg[160];		/* transient message on the bottom line */
	uint64_t msg_until;

	/* header facts, set by the monitor */
	const char *backend;
	const char *host;	/* "This host" lines for the help screen (--check's reasoning), or NULL */
	uint64_t start_ns;
	double delay;
	struct kb_stats st;
	struct kb_enrich_stats es;	/* what enrichment budgets skipped (shown when any) */
	kb_resolve_fn resolve;
	void *rctx;
	const struct kb_keyhelp *keys;	/* bottom bar and help; set by kb_view_set_keys */
	int nkeys;
	const struct kb_listen_stats *listen;	/* the scan at the start, or NULL */
	char rec[128];				/* the recording's status (-w), "" none */
	const struct kb_replay_info *replay;	/* -r: the recording shown, or NULL */
	const char *replay_path;

	/* the log view (Tab): the latest calls, newest first */
	struct kb_eventlog *log;	/* NULL: no log kept */
	bool logmode;
	bool logdetail;			/* Enter: the selected call in full */
	uint64_t log_sel;		/* seq of the selected call; 0: none */
	long log_pos;			/* its index among the shown calls */
	long log_top;
	uint64_t log_frozen;		/* paused: calls after this seq are not shown yet */
	uint32_t log_vis[KB_LOG_CALLS];	/* ring indexes (kb_eventlog_get) of the calls shown */
	size_t log_n;
};

void kb_view_init(struct kb_view *v, const char *backend, double delay, uint64_t start_ns);
void kb_view_resize(struct kb_view *v, int w, int h);

/* The keys to show (kept by pointer: they must outlive the view). */
void kb_view_set_keys(struct kb_view *v, const struct kb_keyhelp *keys, int n);

/* Render everything (help screen or table) into s, which is resized to the view. */
void kb_view_render(struct kb_view *v, struct kb_model *m, uint64_t now, struct kb_screen *s);

/* Re-find the selected row after the model changed. */
void kb_view_sync(struct kb_view *v, struct kb_model *m);
/* Move the selection by delta rows, or to row index (clamped). */
void kb_view_move(struct kb_view *v, struct kb_model *m, long delta);
void kb_view_goto(struct kb_view *v, struct kb_model *m, long index);
/* The selected row, or NULL when the table is empty. */
const struct kb_row *kb_view_selected(struct kb_view *v, struct kb_model *m);

/*
 * The log view: move the selection by delta calls or to index (clamped),
 * and the selected call (NULL when none is shown).  The filter, failures
 * only and pause of the model apply to the log too.
 */
void kb_view_log_move(struct kb_view *v, struct kb_model *m, long delta);
void kb_view_log_goto(struct kb_view *v, struct kb_model *m, long index);
const struct kb_logent *kb_view_log_selected(struct kb_view *v, struct kb_model *m);

/*
 * kb_view_click - a mouse click at (y, x) of the screen last rendered: on
 * a column title, sort by that column (again: the other way round); on a
 * row of the table or the log, select it.  Returns true when something
 * changed (redraw).
 */
bool kb_view_click(struct kb_view *v, struct kb_model *m, int y, int x);

/* Show text on the bottom line until now + ns. */
void kb_view_message(struct kb_view *v, uint64_t now, uint64_t ns, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
