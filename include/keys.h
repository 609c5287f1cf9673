/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keys.h - the keys of the live table as one table: the keys, a help
 * text, an optional label for the bottom bar and a handler.  The help
 * screen, the bottom bar, --list-keys and the man page check all come
 * from this table.
 *
 * Handlers change the model and the view and return what must be redone
 * (draw, repaint, quit); they never draw.  Key codes are kbindtop's own,
 * so nothing here depends on curses.
 *
 * Threads: the consumer (UI) thread only.
 */
#ifndef KB_KEYS_H
#define KB_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"
#include "view.h"

/* Keys beyond ASCII; tui.c translates curses codes to these. */
enum kb_keycode {
	KB_KEY_UP = 0x100,
	KB_KEY_DOWN,
	KB_KEY_LEFT,
	KB_KEY_RIGHT,
	KB_KEY_PGUP,
	KB_KEY_PGDN,
	KB_KEY_HOME,
	KB_KEY_END,
	KB_KEY_ENTER,
	KB_KEY_ESC,
	KB_KEY_BACKSPACE,
	KB_KEY_F0 = 0x180,
};
#define KB_KEY_F(n)	(KB_KEY_F0 + (n))
#define KB_CTRL(c)	((c) & 0x1f)

/* What a handled key asks the monitor to redo. */
enum kb_redo {
	KB_REDO_NONE = 0,
	KB_REDO_DRAW = 1 << 0,		/* render and update the terminal */
	KB_REDO_REPAINT = 1 << 1,	/* also repaint every cell (Ctrl-L) */
	KB_REDO_QUIT = 1 << 2,
};

/* What handlers work on. */
struct kb_ui {
	struct kb_model *m;
	struct kb_view *v;
	uint64_t now;			/* CLOCK_MONOTONIC ns of the key press */
};

#define KB_KEYS_PER_DEF 5

struct kb_keydef {
	int keys[KB_KEYS_PER_DEF];	/* 0-terminated */
	const char *help;
	const char *bar;		/* bottom bar label, or NULL */
	int (*fn)(struct kb_ui *ui, int key);	/* returns enum kb_redo bits */
};

extern const struct kb_keydef kb_keydefs[];
extern const int kb_nkeydefs;

/* Handle one key press (filter typing and the help screen included). */
int kb_keys_handle(struct kb_ui *ui, int key);

/* "Up", "PgDn", "F1", "Ctrl-L", "Space", "k". */
const char *kb_key_name(int key, char *buf, size_t len);

/* "Up, k": the keys of a definition, for the help screen. */
const char *kb_keydef_names(const struct kb_keydef *d, char *buf, size_t len);

/*
 * kb_keys_help - the key table as the view shows it (kb_view_set_keys):
 * a static array of *n entries, rebuilt by each call.
 */
const struct kb_keyhelp *kb_keys_help(int *n);

/* One line per key, "NAME<TAB>help" (--list-keys, for the man page check). */
void kb_keys_list(FILE *f);

#endif
