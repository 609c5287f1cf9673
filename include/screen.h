/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * screen.h - a screen as text rows with one attribute per cell: what the
 * view renders into, what tui.c copies to the terminal and unit tests
 * read.  No curses.  Threads: the consumer (UI) thread only.
 */
#ifndef KB_SCREEN_H
#define KB_SCREEN_H

/* What a cell looks like; tui.c maps these to colors or, without colors, to bold/reverse/dim. */
enum kb_attr {
	KB_A_NORMAL = 0,
	KB_A_LABEL,		/* header text */
	KB_A_VALUE,		/* header numbers */
	KB_A_WARN,		/* losses, PAUSED, messages */
	KB_A_TITLE,		/* column titles, pane titles */
	KB_A_SORT,		/* title of the sort column */
	KB_A_SELECT,		/* the selected row */
	KB_A_FAIL,		/* failed calls */
	KB_A_EXITED,		/* processes that are gone */
	KB_A_TREE,		/* stacks, frames, notes */
	KB_A_KEY,		/* a key in the bottom bar */
	KB_A_KEYLABEL,		/* what it does */
	KB_A_NATTR
};

/* Text rows with attributes.  Text is printable ASCII only, always. */
struct kb_screen {
	int w, h;
	char *text;		/* h rows of w characters, each followed by a NUL */
	unsigned char *attr;	/* h rows of w attributes */
	int cur_y, cur_x;	/* where the terminal cursor goes; cur_y < 0: hidden */
};

void kb_screen_init(struct kb_screen *s);
void kb_screen_resize(struct kb_screen *s, int w, int h);
void kb_screen_free(struct kb_screen *s);
/* Row y as a NUL-terminated string of exactly w characters. */
const char *kb_screen_line(const struct kb_screen *s, int y);
/*
 * kb_screen_put - write text at (y, x), at most maxw cells (< 0: to the
 * edge).  Any byte that is not printable ASCII is shown as '?', so
 * nothing written here can move the cursor or change terminal state.
 * Returns the column after the last cell written.
 */
int kb_screen_put(struct kb_screen *s, int y, int x, int attr, const char *text, int maxw);

#endif
