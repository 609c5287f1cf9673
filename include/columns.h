/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * columns.h - the columns of the live table as one table of data: name
 * (for --sort), title, width, help, how to write a cell, how to compare
 * two rows, and which columns give way first on a narrow terminal.  The
 * view, the sort, --sort and the help screen all read this one table.
 *
 * Pure functions (no curses); consumer thread, like the model they read.
 */
#ifndef KB_COLUMNS_H
#define KB_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"
#include "symbols.h"

/*
 * Resolves the user (kernel false) or kernel frames of a stack for
 * display: kb_sym_stack in the monitor, a stub in tests.
 */
typedef void (*kb_resolve_fn)(void *ctx, int pid, const struct kb_mstack *s, bool kernel,
			      struct kb_stack *out);

/* What a cell function gets to write one cell. */
struct kb_cell {
	const struct kb_row *r;
	int width;			/* columns available */
	kb_resolve_fn resolve;		/* may be NULL: frames stay raw addresses */
	void *rctx;
};

struct kb_column {
	const char *name;		/* --sort value, lower case */
	const char *title;		/* header text */
	int width;			/* fixed width; for the growing column, its minimum */
	bool right;			/* right-aligned (numbers) */
	bool grow;			/* takes what the others leave; runs on over empty cells after it */
	int drop;			/* 0: always shown; else higher gives way first */
	bool desc;			/* sorts descending by default */
	const char *help;
	/* Write the cell of r into buf (visible text; the view cuts it to width). */
	void (*text)(const struct kb_cell *c, char *buf, size_t len);
	/* Order two rows of the same kind; 0 when equal or not meaningful for the kind. */
	int (*cmp)(const struct kb_row *a, const struct kb_row *b);
};

extern const struct kb_column kb_columns[];
extern const int kb_ncolumns;

/* The column called name (its name or title, any case), or -1. */
int kb_column_find(const char *name);

/* "pid, user, ...": every column name, for messages. */
const char *kb_column_names(char *buf, size_t len);

/* The default sort column (most recent activity first, a new model's order). */
int kb_column_default_sort(void);

/* Sort the model's rows by column col (kb_model_set_sort with its compare function). */
void kb_columns_sort(struct kb_model *m, int col, bool desc);

/* The column the model's rows are sorted by (the default one for a new model). */
int kb_columns_sorted(const struct kb_model *m);

/*
 * kb_columns_layout - which columns fit in width, left to right, and how
 * wide each is (one space between columns).  Drops columns by their drop
 * rank until the rest fits; the growing column takes what is left.
 * Returns how many columns were written to cols[]/widths[] (at least one).
 */
int kb_columns_layout(int width, int cols[], int widths[]);

/*
 * kb_mstack_frame - frame i of stack s (user frames first, then kernel)
 * of process pid, resolved through resolve when given, else the raw
 * address.  kb_sym_frame_text (symbols.h) writes it.
 */
void kb_mstack_frame(const struct kb_mstack *s, int i, int pid, kb_resolve_fn resolve, void *rctx,
		     struct kb_frame *out);

/*
 * kb_columns_list - the column table for the documentation check, one
 * "name<TAB>title<TAB>drop rank<TAB>sort" line per column ("default" on
 * the default sort column, "-" elsewhere).
 */
void kb_columns_list(FILE *f);

/* "OK", "EADDRINUSE", "?": the result of a call, as batch output writes it. */
const char *kb_row_result(const struct kb_bind *b, char *buf, size_t len);

#endif
