// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keys.c - what each key of the live table does, as one table.
 *
 * htop and top habits: arrows and j/k move, Enter/Right/+ open a row,
 * Left/- close it, '\' filters, s/</>/I sort, p/Z pause, q/F10 quit, and
 * every function key has a letter next to it for terminals (and SSH
 * clients) that do not send function keys.
 *
 * Two modes take keys before the table: typing the filter, and the help
 * screen.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "export.h"
#include "keys.h"

#define MSG_NS		(2 * KB_NS)	/* how long a message stays */

/* ---- moving ---- */

static int key_up(struct kb_ui *ui, int key)
{
	kb_view_move(ui->v, ui->m, -1);
	return KB_REDO_DRAW;
}

static int key_down(struct kb_ui *ui, int key)
{
	kb_view_move(ui->v, ui->m, 1);
	return KB_REDO_DRAW;
}

static long page(const struct kb_view *v)
{
	return v->table_h > 2 ? v->table_h - 1 : 1;
}

static int key_pgup(struct kb_ui *ui, int key)
{
	kb_view_move(ui->v, ui->m, -page(ui->v));
	return KB_REDO_DRAW;
}

static int key_pgdn(struct kb_ui *ui, int key)
{
	kb_view_move(ui->v, ui->m, page(ui->v));
	return KB_REDO_DRAW;
}

static int key_home(struct kb_ui *ui, int key)
{
	kb_view_goto(ui->v, ui->m, 0);
	return KB_REDO_DRAW;
}

static int key_end(struct kb_ui *ui, int key)
{
	kb_view_goto(ui->v, ui->m, 1L << 30);
	return KB_REDO_DRAW;
}

/* ---- opening and closing rows ---- */

static long parent_of(struct kb_ui *ui, long i)
{
	size_t n;
	const struct kb_row *rows = kb_model_rows(ui->m, &n);
	int d = rows[i].depth;

	while (i > 0 && rows[i].depth >= d)
		i--;
	return rows[i].depth < d ? i : -1;
}

static int key_toggle(struct kb_ui *ui, int key)
{
	const struct kb_row *r = kb_view_selected(ui->v, ui->m);

	if (r && r->expandable)
		kb_model_set_expanded(ui->m, &r->rid, !r->expanded);
	return KB_REDO_DRAW;
}

static int key_expand(struct kb_ui *ui, int key)
{
	const struct kb_row *r = kb_view_selected(ui->v, ui->m);

	if (!r || !r->expandable)
		return KB_REDO_NONE;
	if (r->expanded)		/* already open: step onto its first child */
		kb_view_move(ui->v, ui->m, 1);
	else
		kb_model_set_expanded(ui->m, &r->rid, true);
	return KB_REDO_DRAW;
}

static int key_collapse(struct kb_ui *ui, int key)
{
	const struct kb_row *r = kb_view_selected(ui->v, ui->m);
	long p;

	if (!r)
		return KB_REDO_NONE;
	if (r->expanded) {
		kb_model_set_expanded(ui->m, &r->rid, false);
		return KB_REDO_DRAW;
	}
	/* closed or a leaf: go to the parent, like a file tree */
	p = parent_of(ui, ui->v->sel);
	if (p >= 0)
		kb_view_goto(ui->v, ui->m, p);
	return KB_REDO_DRAW;
}

static int key_all(struct kb_ui *ui, int key)
{
	bool open = !kb_model_any_expanded(ui->m);
	const struct kb_row *r = kb_view_selected(ui->v, ui->m);
	long i = ui->v->sel;

	if (!open && r) {
		/* keep the selection on what stays visible: its process */
		size_t n;
		const struct kb_row *rows = kb_model_rows(ui->m, &n);

		while (i > 0 && rows[i].depth > 0)
			i = parent_of(ui, i);
		kb_view_goto(ui->v, ui->m, i < 0 ? 0 : i);
	}
	kb_model_expand_all(ui->m, open);
	return KB_REDO_DRAW;
}

/* ---- filter, sort, modes ---- */

static int key_filter(struct kb_ui *ui, int key)
{
	ui->v->editing = true;
	return KB_REDO_DRAW;
}

static int key_esc(struct kb_ui *ui, int key)
{
	kb_model_set_filter(ui->m, "");
	kb_view_sync(ui->v, ui->m);
	return KB_REDO_DRAW;
}

static void sort_by(struct kb_ui *ui, int col)
{
	col = (col + kb_ncolumns) % kb_ncolumns;
	kb_columns_sort(ui->m, col, kb_columns[col].desc);
	kb_view_message(ui->v, ui->now, MSG_NS, "sorted by %s (%s)", kb_columns[col].title,
			kb_columns[col].help);
}

static int key_sort_next(struct kb_ui *ui, int key)
{
	sort_by(ui, kb_columns_sorted(ui->m) + 1);
	return KB_REDO_DRAW;
}

static int key_sort_prev(struct kb_ui *ui, int key)
{
	sort_by(ui, kb_columns_sorted(ui->m) - 1);
	return KB_REDO_DRAW;
}

static int key_invert(struct kb_ui *ui, int key)
{
	kb_columns_sort(ui->m, kb_columns_sorted(ui->m), !kb_model_sort_desc(ui->m));
	return KB_REDO_DRAW;
}

static int key_pause(struct kb_ui *ui, int key)
{
	kb_model_set_paused(ui->m, !kb_model_paused(ui->m));
	/* the log stops at the same call */
	ui->v->log_frozen = ui->v->log ? kb_eventlog_last_seq(ui->v->log) : 0;
	return KB_REDO_DRAW;
}

static int key_clear(struct kb_ui *ui, int key)
{
	kb_model_clear(ui->m, ui->now);
	if (ui->v->log)
		kb_eventlog_clear(ui->v->log);
	kb_view_sync(ui->v, ui->m);
	kb_view_message(ui->v, ui->now, MSG_NS, "cleared (losses are still counted since start)");
	return KB_REDO_DRAW;
}

static int key_existing(struct kb_ui *ui, int key)
{
	bool hide = !kb_model_hide_existing(ui->m);

	kb_model_set_hide_existing(ui->m, hide);
	kb_view_sync(ui->v, ui->m);
	kb_view_message(ui->v, ui->now, MSG_NS, "sockets bound before the start %s", hide ? "hidden" : "shown");
	return KB_REDO_DRAW;
}

static int key_failed(struct kb_ui *ui, int key)
{
	kb_model_set_failed_only(ui->m, !kb_model_failed_only(ui->m));
	return KB_REDO_DRAW;
}

static int key_detail(struct kb_ui *ui, int key)
{
	ui->v->detail = !ui->v->detail;
	return KB_REDO_DRAW;
}

static int key_export(struct kb_ui *ui, int key)
{
	char path[4200];
	int ret = kb_export_selected(ui->v, ui->m, NULL, path, sizeof(path));

	if (ret == -ENOENT)
		kb_view_message(ui->v, ui->now, MSG_NS, "nothing selected to write");
	else if (ret)
		kb_view_message(ui->v, ui->now, 4 * MSG_NS, "cannot write %.100s: %s", path, strerror(-ret));
	else {
		/* the name first: on a narrow terminal the directory is what gets cut */
		char *slash = strrchr(path, '/');

		*slash = '\0';
		kb_view_message(ui->v, ui->now, 8 * MSG_NS, "wrote %.80s in %.70s/", slash + 1,
				path[0] ? path : "/");
	}
	return KB_REDO_DRAW;
}

static int key_repaint(struct kb_ui *ui, int key)
{
	return KB_REDO_DRAW | KB_REDO_REPAINT;
}

static int key_help(struct kb_ui *ui, int key)
{
	ui->v->help = true;
	ui->v->help_top = 0;
	return KB_REDO_DRAW;
}

static int key_log(struct kb_ui *ui, int key)
{
	if (!ui->v->log)
		return KB_REDO_NONE;
	ui->v->logmode = !ui->v->logmode;
	ui->v->logdetail = false;
	return KB_REDO_DRAW;
}

static int key_quit(struct kb_ui *ui, int key)
{
	return KB_REDO_QUIT;
}

/*
 * The first key of an entry is the one the bottom bar shows.  Keep the
 * man page's LIVE TABLE section in step (tests/docs-check.sh checks).
 */
const struct kb_keydef kb_keydefs[] = {
	{ { KB_KEY_UP, 'k' }, "move up", NULL, key_up },
	{ { KB_KEY_DOWN, 'j' }, "move down", NULL, key_down },
	{ { KB_KEY_PGUP, KB_CTRL('b') }, "page up", NULL, key_pgup },
	{ { KB_KEY_PGDN, KB_CTRL('f'), ' ' }, "page down", NULL, key_pgdn },
	{ { KB_KEY_HOME, 'g' }, "first row", NULL, key_home },
	{ { KB_KEY_END, 'G' }, "last row", NULL, key_end },
	{ { KB_KEY_ENTER }, "open or close the selected row", NULL, key_toggle },
	{ { KB_KEY_RIGHT, '+', 'l' }, "open the row (process > targets > stacks > frames)", NULL, key_expand },
	{ { KB_KEY_LEFT, '-' }, "close the row, or go to its parent", NULL, key_collapse },
	{ { '*' }, "open every process and target, or close everything", "Expand", key_all },
	{ { 'e' }, "write the selected row (or call) with its stacks to a file named on the bottom line",
	  NULL, key_export },
	{ { '\\', '/', KB_KEY_F(3), KB_KEY_F(4) },
	  "filter: command, pid, user, address, port, errno (| = or)", "Filter", key_filter },
	{ { KB_KEY_ESC }, "clear the filter", NULL, key_esc },
	{ { 's', '>', KB_KEY_F(6) }, "sort by the next column", "Sort", key_sort_next },
	{ { '<' }, "sort by the previous column", NULL, key_sort_prev },
	{ { 'I' }, "invert the sort order", NULL, key_invert },
	{ { 'p', 'Z' }, "pause the table (calls are still counted) or resume", "Pause", key_pause },
	{ { 'x' }, "failed calls only, or all", "Failed", key_failed },
	{ { 'L' }, "show or hide the sockets already bound at the start (LISTEN, UNCONN rows)", NULL,
	  key_existing },
	{ { 'c' }, "clear the table and its counts", "Clear", key_clear },
	{ { '\t' }, "switch between the table and the log of the latest calls (Enter: a call in full)",
	  "Log", key_log },
	{ { 'd' }, "show or hide the detail pane", "Detail", key_detail },
	{ { KB_CTRL('l') }, "repaint the screen", NULL, key_repaint },
	{ { '?', 'h', KB_KEY_F(1) }, "this help", "Help", key_help },
	{ { 'q', KB_KEY_F(10) }, "quit", "Quit", key_quit },
};

const int kb_nkeydefs = (int)(sizeof(kb_keydefs) / sizeof(kb_keydefs[0]));

const char *kb_key_name(int key, char *buf, size_t len)
{
	static const struct {
		int key;
		const char *name;
	} names[] = {
		{ KB_KEY_UP, "Up" }, { KB_KEY_DOWN, "Down" }, { KB_KEY_LEFT, "Left" },
		{ KB_KEY_RIGHT, "Right" }, { KB_KEY_PGUP, "PgUp" }, { KB_KEY_PGDN, "PgDn" },
		{ KB_KEY_HOME, "Home" }, { KB_KEY_END, "End" }, { KB_KEY_ENTER, "Enter" },
		{ KB_KEY_ESC, "Esc" }, { KB_KEY_BACKSPACE, "Backspace" }, { ' ', "Space" },
		{ '\t', "Tab" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].key == key)
			return names[i].name;
	if (key > KB_KEY_F0 && key <= KB_KEY_F(24))
		snprintf(buf, len, "F%d", key - KB_KEY_F0);
	else if (key > 0 && key < 0x20)
		snprintf(buf, len, "Ctrl-%c", key + 'A' - 1);
	else if (key > 0x20 && key < 0x7f)
		snprintf(buf, len, "%c", key);
	else
		snprintf(buf, len, "?");
	return buf;
}

const char *kb_keydef_names(const struct kb_keydef *d, char *buf, size_t len)
{
	size_t n = 0;
	char name[32];

	buf[0] = '\0';
	for (int i = 0; i < KB_KEYS_PER_DEF && d->keys[i] && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? " " : "",
				      kb_key_name(d->keys[i], name, sizeof(name)));
	return buf;
}

const struct kb_keyhelp *kb_keys_help(int *n)
{
	static struct kb_keyhelp help[sizeof(kb_keydefs) / sizeof(kb_keydefs[0])];

	char name[32];

	for (int i = 0; i < kb_nkeydefs; i++) {
		kb_keydef_names(&kb_keydefs[i], help[i].names, sizeof(help[i].names));
		/* kb_key_name may answer with a constant rather than fill name */
		snprintf(help[i].first, sizeof(help[i].first), "%s",
			 kb_key_name(kb_keydefs[i].keys[0], name, sizeof(name)));
		help[i].help = kb_keydefs[i].help;
		help[i].bar = kb_keydefs[i].bar;
	}
	*n = kb_nkeydefs;
	return help;
}

void kb_keys_list(FILE *f)
{
	char name[32];

	for (int i = 0; i < kb_nkeydefs; i++)
		for (int k = 0; k < KB_KEYS_PER_DEF && kb_keydefs[i].keys[k]; k++)
			fprintf(f, "%s\t%s\n", kb_key_name(kb_keydefs[i].keys[k], name, sizeof(name)),
				kb_keydefs[i].help);
}

/* ---- modes that take keys first ---- */

static bool is_nav(int key)
{
	return key == KB_KEY_UP || key == KB_KEY_DOWN || key == KB_KEY_PGUP || key == KB_KEY_PGDN ||
	       key == KB_KEY_HOME || key == KB_KEY_END;
}

static const struct kb_keydef *lookup(int key)
{
	for (int i = 0; i < kb_nkeydefs; i++)
		for (int k = 0; k < KB_KEYS_PER_DEF && kb_keydefs[i].keys[k]; k++)
			if (kb_keydefs[i].keys[k] == key)
				return &kb_keydefs[i];
	return NULL;
}

static int log_key(struct kb_ui *ui, const struct kb_keydef *d, int key);

/* Typing the filter: the table narrows with every key. */
static int edit_key(struct kb_ui *ui, int key)
{
	const struct kb_keydef *d;
	char text[KB_FILTER_MAX];
	size_t n;

	snprintf(text, sizeof(text), "%s", kb_model_filter(ui->m));
	n = strlen(text);
	if (key == KB_KEY_ENTER) {
		ui->v->editing = false;
	} else if (key == KB_KEY_ESC) {
		ui->v->editing = false;
		text[0] = '\0';
	} else if (key == KB_KEY_BACKSPACE || key == 0x7f || key == KB_CTRL('h')) {
		if (n)
			text[n - 1] = '\0';
	} else if (key == KB_CTRL('u')) {
		text[0] = '\0';
	} else if (is_nav(key) && (d = lookup(key))) {
		int r = ui->v->logmode && ui->v->log ? log_key(ui, d, key) : -1;

		return r >= 0 ? r : d->fn(ui, key);
	} else if (key >= 0x20 && key < 0x7f && n + 1 < sizeof(text)) {
		text[n] = (char)key;
		text[n + 1] = '\0';
	} else {
		return KB_REDO_NONE;
	}
	kb_model_set_filter(ui->m, text);
	kb_view_sync(ui->v, ui->m);
	return KB_REDO_DRAW;
}

static int help_key(struct kb_ui *ui, int key)
{
	struct kb_view *v = ui->v;
	int page_lines = v->h > 3 ? v->h - 2 : 1;

	switch (key) {
	case KB_KEY_UP: case 'k':	v->help_top--; break;
	case KB_KEY_DOWN: case 'j':	v->help_top++; break;
	case KB_KEY_PGUP:		v->help_top -= page_lines; break;
	case KB_KEY_PGDN: case ' ':	v->help_top += page_lines; break;
	case KB_KEY_HOME:		v->help_top = 0; break;
	case KB_KEY_END:		v->help_top = 1 << 20; break;
	default:			v->help = false; break;
	}
	return KB_REDO_DRAW;	/* the renderer clamps help_top */
}

/*
 * The log view takes the moving keys (found by what they do in the table)
 * and Enter; everything else (filter, failures, pause, Tab, quit) is the
 * table's.  Returns -1 for keys it leaves to the table.
 */
static int log_key(struct kb_ui *ui, const struct kb_keydef *d, int key)
{
	struct kb_view *v = ui->v;
	long delta = 0;

	if (v->logdetail) {
		if (key == KB_KEY_ESC || key == KB_KEY_ENTER || key == KB_KEY_LEFT || key == KB_KEY_BACKSPACE) {
			v->logdetail = false;
			return KB_REDO_DRAW;
		}
		return d && (d->fn == key_quit || d->fn == key_help || d->fn == key_log || d->fn == key_repaint ||
			     d->fn == key_export) ?
		       -1 : KB_REDO_NONE;
	}
	if (!d)
		return -1;
	if (d->fn == key_toggle || d->fn == key_expand) {
		v->logdetail = kb_view_log_selected(v, ui->m) != NULL;
		return KB_REDO_DRAW;
	}
	if (d->fn == key_up)
		delta = -1;
	else if (d->fn == key_down)
		delta = 1;
	else if (d->fn == key_pgup)
		delta = -page(v);
	else if (d->fn == key_pgdn)
		delta = page(v);
	else if (d->fn == key_home)
		kb_view_log_goto(v, ui->m, 0);
	else if (d->fn == key_end)
		kb_view_log_goto(v, ui->m, 1L << 30);
	else if (d->fn == key_collapse || d->fn == key_all)
		return KB_REDO_NONE;	/* nothing opens or closes in the log */
	else
		return -1;
	if (delta)
		kb_view_log_move(v, ui->m, delta);
	return KB_REDO_DRAW;
}

int kb_keys_handle(struct kb_ui *ui, int key)
{
	const struct kb_keydef *d;
	int r;

	if (ui->v->help)
		return help_key(ui, key);
	if (ui->v->editing)
		return edit_key(ui, key);
	/* a key dismisses a message: it answered the previous key */
	ui->v->msg_until = 0;
	d = lookup(key);
	if (ui->v->logmode && ui->v->log && (r = log_key(ui, d, key)) >= 0)
		return r;
	return d ? d->fn(ui, key) : KB_REDO_NONE;
}
