// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * view.c - the live table rendered to text rows with attributes.
 *
 * Screen layout, top to bottom: three header lines (backend, uptime,
 * rate, totals, losses, sort, filter, PAUSED), the column titles, the
 * table, the detail pane of the selected row, and one bottom line (key
 * bar, a message, or the filter being typed).  The help screen replaces
 * all of it.  Drawing goes through kb_screen_put (screen.c), which
 * shows only printable ASCII.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "fields.h"
#include "format.h"
#include "view.h"
#include "xalloc.h"

#define HEADER_LINES	3
#define DETAIL_MAX	6	/* detail lines below the pane title, at most */
#define DETAIL_MIN_H	16	/* no detail pane on shorter terminals */
#define HELP_MAX	160	/* lines */
#define HELP_W		200	/* columns, at most */

/* ---- drawing helpers ---- */

/* Set the attribute of w cells from (y, x) without changing their text. */
static void screen_attr(struct kb_screen *s, int y, int x, int w, int attr)
{
	if (y < 0 || y >= s->h || x >= s->w)
		return;
	if (w < 0 || x + w > s->w)
		w = s->w - x;
	memset(s->attr + (size_t)y * (size_t)s->w + (size_t)x, attr, (size_t)w);
}

/* printf into the screen; returns the next column. */
static int putf(struct kb_screen *s, int y, int x, int attr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int putf(struct kb_screen *s, int y, int x, int attr, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return kb_screen_put(s, y, x, attr, buf, -1);
}

/* ---- view state ---- */

void kb_view_init(struct kb_view *v, const char *backend, double delay, uint64_t start_ns)
{
	memset(v, 0, sizeof(*v));
	v->backend = backend;
	v->delay = delay;
	v->start_ns = start_ns;
	v->detail = true;
	v->w = 80;
	v->h = 24;
}

void kb_view_resize(struct kb_view *v, int w, int h)
{
	v->w = w;
	v->h = h;
}

void kb_view_set_keys(struct kb_view *v, const struct kb_keyhelp *keys, int n)
{
	v->keys = keys;
	v->nkeys = n;
}

void kb_view_message(struct kb_view *v, uint64_t now, uint64_t ns, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof(v->msg), fmt, ap);
	va_end(ap);
	v->msg_until = now + ns;
}

void kb_view_sync(struct kb_view *v, struct kb_model *m)
{
	size_t n;
	long i;

	kb_model_rows(m, &n);	/* rebuilds the rows if the model changed */
	i = v->have_sel ? kb_model_find_row(m, &v->sel_rid) : -1;
	if (!n) {
		v->sel = 0;
		v->have_sel = false;
		return;
	}
	/* the row went away (evicted, filtered, collapsed): stay where it was */
	kb_view_goto(v, m, i < 0 ? v->sel : i);
}

void kb_view_goto(struct kb_view *v, struct kb_model *m, long index)
{
	size_t n;
	const struct kb_row *rows = kb_model_rows(m, &n);

	if (!n)
		return;
	if (index >= (long)n)
		index = (long)n - 1;
	if (index < 0)
		index = 0;
	v->sel = index;
	v->sel_rid = rows[index].rid;
	v->have_sel = true;
}

void kb_view_move(struct kb_view *v, struct kb_model *m, long delta)
{
	kb_view_sync(v, m);
	kb_view_goto(v, m, v->sel + delta);
}

const struct kb_row *kb_view_selected(struct kb_view *v, struct kb_model *m)
{
	size_t n;
	const struct kb_row *rows;

	kb_view_sync(v, m);
	rows = kb_model_rows(m, &n);
	return v->have_sel && v->sel < (long)n ? &rows[v->sel] : NULL;
}

/* ---- header ---- */

static void fmt_duration(uint64_t ns, char *buf, size_t len)
{
	uint64_t s = ns / KB_NS;

	if (s >= 86400)
		snprintf(buf, len, "%" PRIu64 "d %02" PRIu64 ":%02" PRIu64, s / 86400, s / 3600 % 24,
			 s / 60 % 60);
	else
		snprintf(buf, len, "%" PRIu64 ":%02" PRIu64 ":%02" PRIu64, s / 3600, s / 60 % 60, s % 60);
}

static void render_header(struct kb_view *v, struct kb_model *m, uint64_t now, struct kb_screen *s)
{
	const struct kb_stats *st = &v->st;
	struct kb_mtotals t;
	char up[32], budget[160];
	uint64_t lost = kb_stats_lost(st);
	int x, sc = kb_columns_sorted(m);
	const char *f = kb_model_filter(m);

	kb_model_totals(m, &t);
	fmt_duration(now > v->start_ns ? now - v->start_ns : 0, up, sizeof(up));

	x = kb_screen_put(s, 0, 0, KB_A_VALUE, "kbindtop", -1);
	if (v->replay) {
		/* a recording: where and when it was made, not this host's uptime */
		const struct kb_replay_info *in = v->replay;
		char t1[32], t2[32], span[32];
		uint64_t off = kb_mono_to_real(0);

		x = kb_screen_put(s, 0, x, KB_A_LABEL, "  replay ", -1);
		x = kb_screen_put(s, 0, x, KB_A_VALUE, in->host[0] ? in->host : "?", -1);
		x = kb_screen_put(s, 0, x, KB_A_LABEL, "  ", -1);
		fmt_duration(in->last_ns - in->first_ns, span, sizeof(span));
		x = putf(s, 0, x, KB_A_VALUE, "%.8s-%.8s (%s)", in->calls ? kb_fmt_time(in->first_ns - off, t1, sizeof(t1)) : "-",
			 in->calls ? kb_fmt_time(in->last_ns - off, t2, sizeof(t2)) : "-", span);
		if (in->skipped)
			x = putf(s, 0, x, KB_A_WARN, " %" PRIu64 " bad lines", in->skipped);
	} else {
		x = kb_screen_put(s, 0, x, KB_A_LABEL, "  backend ", -1);
		x = kb_screen_put(s, 0, x, KB_A_VALUE, v->backend ? v->backend : "?", -1);
		x = kb_screen_put(s, 0, x, KB_A_LABEL, "  up ", -1);
		x = kb_screen_put(s, 0, x, KB_A_VALUE, up, -1);
	}
	x = kb_screen_put(s, 0, x, KB_A_LABEL, "  procs ", -1);
	x = putf(s, 0, x, KB_A_VALUE, "%d", t.procs);
	if (t.exited)
		putf(s, 0, x, KB_A_LABEL, " (%d exited)", t.exited);
	if (kb_model_paused(m)) {
		char p[64];
		int n = snprintf(p, sizeof(p), " PAUSED +%" PRIu64 " ", t.since_pause);

		kb_screen_put(s, 0, s->w > n ? s->w - n : 0, KB_A_WARN, p, -1);
	}

	x = kb_screen_put(s, 1, 0, KB_A_LABEL, "binds ", -1);
	x = putf(s, 1, x, KB_A_VALUE, "%" PRIu64, t.binds);
	x = putf(s, 1, x, KB_A_VALUE, t.rate < 100 ? " (%.1f/s)" : " (%.0f/s)", t.rate);
	x = kb_screen_put(s, 1, x, KB_A_LABEL, "  failed ", -1);
	x = putf(s, 1, x, t.fails ? KB_A_FAIL : KB_A_VALUE, "%" PRIu64, t.fails);
	x = kb_screen_put(s, 1, x, KB_A_LABEL, "  lost ", -1);
	/* losses are never hidden, and stand out once there are any */
	x = putf(s, 1, x, lost ? KB_A_WARN : KB_A_VALUE, "%" PRIu64 " (kernel %" PRIu64 "%s)",
		 lost, st->kernel_lost + st->kernel_lost_pages, st->kernel_lost_pages ? "+" : "");
	/* a --max-memory bound was hit: events waited in the kernel (delayed, not lost) */
	if (st->held_back || st->window_full_rounds)
		x = putf(s, 1, x, KB_A_WARN, "  held back %" PRIu64, st->held_back + st->window_full_rounds);
	if (v->rec[0])
		kb_screen_put(s, 1, x + 2, strstr(v->rec, "not written") ? KB_A_WARN : KB_A_LABEL, v->rec, -1);

	x = kb_screen_put(s, 2, 0, KB_A_LABEL, "sort ", -1);
	x = putf(s, 2, x, KB_A_VALUE, "%s %s", kb_columns[sc].title, kb_model_sort_desc(m) ? "desc" : "asc");
	x = kb_screen_put(s, 2, x, KB_A_LABEL, "  every ", -1);
	x = putf(s, 2, x, KB_A_VALUE, "%gs", v->delay);
	x = kb_screen_put(s, 2, x, KB_A_LABEL, "  filter ", -1);
	x = kb_screen_put(s, 2, x, f[0] ? KB_A_WARN : KB_A_VALUE, f[0] ? f : "-", -1);
	if (kb_model_failed_only(m))
		x = kb_screen_put(s, 2, x, KB_A_WARN, "  failures only", -1);
	if (st->no_exit)
		x = putf(s, 2, x, KB_A_LABEL, "  no return seen %" PRIu64, st->no_exit);
	if (v->listen) {
		x = kb_screen_put(s, 2, x, KB_A_LABEL, "  at start ", -1);
		x = putf(s, 2, x, KB_A_VALUE, "%" PRIu64, t.existing);
		if (v->listen->unattributed)
			x = putf(s, 2, x, KB_A_WARN, " (%" PRIu64 " no pid)", v->listen->unattributed);
		if (v->listen->truncated || v->listen->netns_failed)
			x = putf(s, 2, x, KB_A_WARN, " (%" PRIu64 " not listed, %d netns failed)",
				 v->listen->truncated, v->listen->netns_failed);
		if (kb_model_hide_existing(m))
			x = kb_screen_put(s, 2, x, KB_A_WARN, " hidden", -1);
	}
	if (t.ev.procs || t.ev.targets || t.ev.stacks) {
		x = kb_screen_put(s, 2, x, KB_A_LABEL, "  evicted", -1);
		if (t.ev.procs)
			x = putf(s, 2, x, KB_A_WARN, " %" PRIu64 " procs", t.ev.procs);
		if (t.ev.targets)
			x = putf(s, 2, x, KB_A_WARN, " %" PRIu64 " targets", t.ev.targets);
		if (t.ev.stacks)
			x = putf(s, 2, x, KB_A_WARN, " %" PRIu64 " stacks", t.ev.stacks);
	}
	/* a budget that bit is shown, never silent */
	if (kb_budget_text(&v->es, budget, sizeof(budget))[0]) {
		x = kb_screen_put(s, 2, x, KB_A_LABEL, "  ", -1);
		x = kb_screen_put(s, 2, x, KB_A_WARN, budget, -1);
	}
	/* user stacks: calls past the copy budget (or a full copy ring) got frame pointers only */
	if (st->stack_over_budget || st->stack_copy_ring_full || st->stack_lost) {
		x = kb_screen_put(s, 2, x, KB_A_LABEL, "  stacks ", -1);
		putf(s, 2, x, KB_A_WARN, "%" PRIu64 " copies, FP only %" PRIu64 " (budget) %" PRIu64
		     " (ring), lost %" PRIu64, st->stack_copies, st->stack_over_budget,
		     st->stack_copy_ring_full, st->stack_lost);
	}
}

/* ---- table ---- */

static void render_titles(struct kb_model *m, struct kb_screen *s, int y, const int *cols, const int *widths,
			  int n)
{
	int x = 0, sc = kb_columns_sorted(m);

	screen_attr(s, y, 0, -1, KB_A_TITLE);
	for (int i = 0; i < n && x < s->w; i++) {
		const struct kb_column *c = &kb_columns[cols[i]];
		int w = i == n - 1 ? s->w - x : widths[i];
		char buf[64];

		if (c->right)
			snprintf(buf, sizeof(buf), "%*s", widths[i], c->title);
		else
			snprintf(buf, sizeof(buf), "%s", c->title);
		kb_screen_put(s, y, x, cols[i] == sc ? KB_A_SORT : KB_A_TITLE, buf, w);
		x += widths[i] + 1;
	}
}

static int cell_attr(const struct kb_row *r, const char *col)
{
	const struct kb_bind *b;

	if (r->kind == KB_ROW_STACK || r->kind == KB_ROW_FRAME || r->kind == KB_ROW_NOTE)
		return KB_A_TREE;
	if (r->kind == KB_ROW_PROC && r->p->exited)
		return KB_A_EXITED;
	/* sockets bound before the start are context, not calls: dimmed */
	if ((r->kind == KB_ROW_PROC && !r->p->c.count) || (r->kind == KB_ROW_TARGET && r->t->existing))
		return KB_A_EXITED;
	if (!strcmp(col, "fail"))
		return (r->kind == KB_ROW_PROC ? r->p->c.fails : r->t->c.fails) ? KB_A_FAIL : KB_A_NORMAL;
	if (!strcmp(col, "result")) {
		b = r->kind == KB_ROW_PROC ? kb_mproc_last(r->p) : &r->t->last;
		return b && kb_bind_failed(b) ? KB_A_FAIL : KB_A_NORMAL;
	}
	return KB_A_NORMAL;
}

static void render_row(struct kb_view *v, struct kb_screen *s, int y, const struct kb_row *r, bool selected,
			const int *cols, const int *widths, int n)
{
	static char text[32][1024];
	int x = 0, grow = -1;

	if (selected)
		screen_attr(s, y, 0, -1, KB_A_SELECT);
	for (int i = 0; i < n; i++) {
		struct kb_cell cell = { .r = r, .width = widths[i], .resolve = v->resolve, .rctx = v->rctx };

		text[i][0] = '\0';
		if (kb_columns[cols[i]].grow)
			grow = i;
		else
			kb_columns[cols[i]].text(&cell, text[i], sizeof(text[i]));
	}
	for (int i = 0; i < n && x < s->w; i++) {
		const struct kb_column *c = &kb_columns[cols[i]];
		int w = i == n - 1 ? s->w - x : widths[i];
		char pad[1024];
		const char *t = text[i];

		if (i == grow) {
			struct kb_cell cell = { .r = r, .resolve = v->resolve, .rctx = v->rctx };
			bool rest_empty = true;

			/* frames and notes run on over the empty cells after the tree */
			for (int j = i + 1; j < n && rest_empty; j++)
				rest_empty = !text[j][0];
			if (rest_empty)
				w = s->w - x;
			cell.width = w;
			c->text(&cell, text[i], sizeof(text[i]));
			if (rest_empty) {
				kb_screen_put(s, y, x, selected ? KB_A_SELECT : cell_attr(r, c->name), t, w);
				break;
			}
		}
		if (c->right && (int)strlen(t) < w) {
			snprintf(pad, sizeof(pad), "%*s", w, t);
			t = pad;
		}
		kb_screen_put(s, y, x, selected ? KB_A_SELECT : cell_attr(r, c->name), t, w);
		x += widths[i] + 1;
	}
}

/* ---- detail pane ---- */

#define ITEMS_MAX 48

struct items {
	char text[ITEMS_MAX][400];
	bool warn[ITEMS_MAX];
	int n;
};

static void item(struct items *it, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void item(struct items *it, const char *fmt, ...)
{
	va_list ap;

	if (it->n >= ITEMS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(it->text[it->n], sizeof(it->text[0]), fmt, ap);
	va_end(ap);
	it->warn[it->n++] = false;
}

/*
 * Every field batch JSON has that has a value, from the one table of
 * fields; the hint (why a call failed, what fixes it) goes first, since
 * the pane may not have room for all.
 */
static void bind_items(struct items *it, const struct kb_bind *b)
{
	char scratch[512], val[64];
	struct kb_fval fv;

	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < kb_nfields; i++) {
			const struct kb_field *f = &kb_fields[i];
			bool hint = !strcmp(f->name, "hint");
			const char *t;

			if (hint != !pass)
				continue;
			kb_field_get(f, b, &fv, scratch, sizeof(scratch));
			if (fv.null)
				continue;
			switch (fv.kind) {
			case KB_F_STACK:
				if (!(b->ev.flags & KB_EVF_EXISTING))	/* not a call: no stack to speak of */
					item(it, "%s=%d frames", f->name, fv.i ? b->ev.n_kstack : b->ev.n_ustack);
				break;
			case KB_F_TS:
				/* the local time the table uses, not seconds since the epoch */
				item(it, "%s=%s", f->name, kb_fmt_time(b->ev.ts, val, sizeof(val)));
				break;
			default:
				t = kb_fval_text(&fv, val, sizeof(val));
				item(it, "%s=%s", f->name, *t ? t : "(none)");
				break;
			}
			if (hint && it->n)
				it->warn[it->n - 1] = true;
		}
}

static void detail_items(struct kb_view *v, const struct kb_row *r, char *title, size_t tlen, struct items *it)
{
	char lab[KB_ADDR_TEXT + 32], f1[32], f2[32], ft[320];
	struct kb_frame fr;
	const struct kb_bind *b;

	it->n = 0;
	switch (r->kind) {
	case KB_ROW_PROC:
		b = kb_mproc_last(r->p);
		if (r->p->pid <= 0 && b && (b->ev.flags & KB_EVF_EXISTING))
			snprintf(title, tlen, "no process found: socket bound before the start");
		else
			snprintf(title, tlen, "pid %d %s%s: %s", r->p->pid, r->p->comm,
				 r->p->exited ? " (exited)" : "",
				 b && (b->ev.flags & KB_EVF_EXISTING) ? "socket bound before the start" :
				 "latest call");
		if (b)
			bind_items(it, b);
		break;
	case KB_ROW_TARGET:
		if (r->t->existing)
			snprintf(title, tlen, "%s: bound before the start", kb_target_label(r->t, lab, sizeof(lab)));
		else
			snprintf(title, tlen, "%s: latest of %" PRIu64 " call%s",
				 kb_target_label(r->t, lab, sizeof(lab)), r->t->c.count,
				 r->t->c.count == 1 ? "" : "s");
		bind_items(it, &r->t->last);
		break;
	case KB_ROW_STACK:
		snprintf(title, tlen, "stack %d of %s", r->sub, kb_target_label(r->t, lab, sizeof(lab)));
		item(it, "binds=%" PRIu64, r->s->c.count);
		item(it, "failed=%" PRIu64, r->s->c.fails);
		item(it, "first=%s", kb_fmt_time(r->s->c.first, f1, sizeof(f1)));
		item(it, "last=%s", kb_fmt_time(r->s->c.last, f2, sizeof(f2)));
		item(it, "user_frames=%d", kb_mstack_nuser(r->s));
		item(it, "kernel_frames=%d", r->s->nk);
		if (v->resolve) {
			/* the symbolizer says when a frame-pointer walk looks cut short */
			struct kb_stack st;

			memset(&st, 0, sizeof(st));
			v->resolve(v->rctx, r->p->pid, r->s, false, &st);
			if (st.note[0])
				item(it, "note=%s", st.note);
		}
		break;
	case KB_ROW_FRAME:
		kb_mstack_frame(r->s, r->sub, r->p->pid, v->resolve, v->rctx, &fr);
		snprintf(title, tlen, "frame %s", kb_sym_frame_text(&fr, ft, sizeof(ft)));
		item(it, "addr=0x%" PRIx64, fr.addr);
		item(it, "sym=%s", fr.known ? fr.sym : "-");
		if (fr.known)
			item(it, "off=0x%" PRIx64, fr.off);
		item(it, "obj=%s", fr.obj[0] ? fr.obj : "-");
		item(it, "space=%s", r->sub >= kb_mstack_nuser(r->s) ? "kernel" : "user");
		break;
	case KB_ROW_NOTE:
		snprintf(title, tlen, "%s", r->note);
		break;
	}
}

/*
 * Pack the items into lines of width w, two spaces apart; an item wider
 * than a line (a hint, a command line) gets lines of its own.  Returns
 * the lines used (written when s is not NULL).
 */
static int pack_items(const struct items *it, struct kb_screen *s, int y0, int w, int maxlines)
{
	int line = 0, x = 0;

	for (int i = 0; i < it->n; i++) {
		const char *t = it->text[i], *eq = strchr(t, '=');
		int len = (int)strlen(t), nl = eq ? (int)(eq - t) + 1 : 0, done = 0;

		if (x && x + 2 + len > w) {
			line++;
			x = 0;
		}
		if (x)
			x += 2;
		while (done < len) {
			int n = len - done < w - x ? len - done : w - x;

			/* break at a space when there is one on the line */
			if (done + n < len && t[done + n] != ' ') {
				int sp = n;

				while (sp > 0 && t[done + sp] != ' ')
					sp--;
				if (sp > nl - done)
					n = sp;
			}

			if (line >= maxlines)
				return maxlines;
			if (s && done < nl) {
				kb_screen_put(s, y0 + line, x, KB_A_LABEL, t, nl);
				kb_screen_put(s, y0 + line, x + nl, it->warn[i] ? KB_A_WARN : KB_A_VALUE, t + nl,
					      n - nl);
			} else if (s) {
				kb_screen_put(s, y0 + line, x, it->warn[i] ? KB_A_WARN : KB_A_VALUE, t + done, n);
			}
			done += n;
			x += n;
			while (t[done] == ' ')
				done++;
			if (done < len) {
				line++;
				x = 0;
			}
		}
	}
	return it->n ? line + 1 : 0;
}

/* ---- bottom line ---- */

static void render_bottom(struct kb_view *v, struct kb_model *m, uint64_t now, struct kb_screen *s)
{
	int y = s->h - 1, x = 0;

	if (v->editing) {
		x = kb_screen_put(s, y, 0, KB_A_KEY, "Filter: ", -1);
		x = kb_screen_put(s, y, x, KB_A_VALUE, kb_model_filter(m), -1);
		s->cur_y = y;
		s->cur_x = x < s->w ? x : s->w - 1;
		if (x + 40 < s->w)
			kb_screen_put(s, y, s->w - 38, KB_A_LABEL, "Enter: done  Esc: clear  |: or", -1);
		return;
	}
	if (v->msg[0] && now < v->msg_until) {
		kb_screen_put(s, y, 0, KB_A_WARN, v->msg, -1);
		return;
	}
	for (int i = 0; i < v->nkeys && x < s->w; i++) {
		const struct kb_keyhelp *d = &v->keys[i];

		if (!d->bar)
			continue;
		x = kb_screen_put(s, y, x, KB_A_KEY, d->first, -1);
		x = kb_screen_put(s, y, x, KB_A_KEYLABEL, d->bar, -1);
		x = kb_screen_put(s, y, x, KB_A_NORMAL, " ", -1);
	}
}

/* ---- help ---- */

struct help {
	char line[HELP_MAX][HELP_W + 1];
	int n;
	int width;
};

/*
 * Add text to the help, word-wrapped to the screen: the first line starts
 * with head (padded to indent), the rest are indented by indent.
 */
static void help_add(struct help *h, int indent, const char *head, const char *text)
{
	int width = h->width < HELP_W ? h->width : HELP_W;
	const char *p = text;

	if (width < indent + 10)
		width = indent + 10 < HELP_W ? indent + 10 : HELP_W;
	do {
		int room = width - indent, cut = (int)strlen(p);

		if (h->n >= HELP_MAX)
			return;
		if (cut > room) {
			cut = room;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (!cut)
				cut = room;
		}
		snprintf(h->line[h->n++], HELP_W + 1, "%-*.*s%.*s", indent, indent, p == text ? head : "",
			 cut, p);
		p += cut;
		while (*p == ' ')
			p++;
	} while (*p);
}

static void help_text(const struct kb_view *v, struct help *h, int width)
{
	char keys[64], text[256];

	h->n = 0;
	h->width = width;
	help_add(h, 0, "", "kbindtop: every bind() call on this host, per process, live.");
	help_add(h, 0, "", " ");
	help_add(h, 0, "", "Keys:");
	for (int i = 0; i < v->nkeys; i++) {
		snprintf(text, sizeof(text), "  %s", v->keys[i].names);
		help_add(h, 21, text, v->keys[i].help);
	}
	help_add(h, 0, "", " ");
	help_add(h, 0, "", "Columns (sort with s < > I, or start with --sort NAME):");
	for (int i = 0; i < kb_ncolumns; i++) {
		snprintf(text, sizeof(text), "%s: %s", kb_columns[i].title, kb_columns[i].help);
		snprintf(keys, sizeof(keys), "  %s", kb_columns[i].name);
		help_add(h, 10, keys, text);
	}
	help_add(h, 0, "", " ");
	snprintf(text, sizeof(text),
		 "Rows: '+' opens a process to its targets, a target to its call stacks, a stack "
		 "to its frames (u# user, k# kernel, innermost first).  '(exited)': the process is "
		 "gone; it stays %llu minutes.  '~' before a port: read after the call, not verified.",
		 (unsigned long long)(KB_MODEL_LINGER_NS / KB_NS / 60));
	help_add(h, 0, "", text);
	help_add(h, 0, "", "lost: events the kernel dropped (ring buffer full); never hidden.  held back: "
		 "the table fell behind and the reader waited (--max-memory), nothing dropped.  "
		 "evicted: rows pushed out to keep memory bounded (their calls stay in the totals).");
	if (v->host) {
		const char *p = v->host;

		help_add(h, 0, "", " ");
		help_add(h, 0, "", "This host (what kbindtop --check reports, and how tracing was set up):");
		while (*p) {
			size_t l = strcspn(p, "\n");

			snprintf(text, sizeof(text), "%.*s", (int)l, p);
			help_add(h, 4, "", text);
			p += l + (p[l] == '\n');
		}
	}
}

static void render_help(struct kb_view *v, struct kb_screen *s)
{
	static struct help h;
	int n, body = s->h - 1;

	help_text(v, &h, s->w);
	n = h.n;

	if (v->help_top > n - body)
		v->help_top = n - body;
	if (v->help_top < 0)
		v->help_top = 0;
	screen_attr(s, 0, 0, -1, KB_A_TITLE);
	kb_screen_put(s, 0, 0, KB_A_TITLE, "kbindtop help - Up/Down/PgUp/PgDn scroll, any other key returns", -1);
	for (int y = 1; y < s->h && v->help_top + y - 1 < n; y++)
		kb_screen_put(s, y, 0, KB_A_NORMAL, h.line[v->help_top + y - 1], -1);
}

/* ---- the log view ---- */

static bool log_shown(struct kb_view *v, struct kb_model *m, const struct kb_logent *e)
{
	const struct kb_bind *b = &e->b;
	char hay[KB_ADDR_TEXT + KB_COMM_VIS + 128], lab[KB_ADDR_TEXT + 32], res[32];

	if (kb_model_paused(m) && e->seq > v->log_frozen)
		return false;
	if (kb_model_failed_only(m) && !kb_bind_failed(b))
		return false;
	if (!kb_model_filter(m)[0])
		return true;
	/* what the table's filter sees of a process and of a target, in one line */
	snprintf(hay, sizeof(hay), "%d %s %s %s %s", b->pid, b->comm, b->uid_known ? b->user : "",
		 kb_bind_label(b, lab, sizeof(lab)), kb_row_result(b, res, sizeof(res)));
	return kb_model_filter_match(m, hay);
}

/* The calls shown, newest first, and the selection found again among them. */
static void log_sync(struct kb_view *v, struct kb_model *m)
{
	const struct kb_logent *e;
	long found = -1;

	v->log_n = 0;
	if (!v->log)
		return;
	for (size_t i = 0; (e = kb_eventlog_get(v->log, i)) && v->log_n < KB_LOG_CALLS; i++) {
		if (!log_shown(v, m, e))
			continue;
		if (e->seq == v->log_sel)
			found = (long)v->log_n;
		v->log_vis[v->log_n++] = (uint32_t)i;
	}
	if (found >= 0)
		v->log_pos = found;
	if (v->log_pos >= (long)v->log_n)
		v->log_pos = (long)v->log_n - 1;
	if (v->log_pos < 0)
		v->log_pos = 0;
	v->log_sel = v->log_n ? kb_eventlog_get(v->log, v->log_vis[v->log_pos])->seq : 0;
}

void kb_view_log_goto(struct kb_view *v, struct kb_model *m, long index)
{
	log_sync(v, m);
	if (!v->log_n)
		return;
	v->log_pos = index < 0 ? 0 : index >= (long)v->log_n ? (long)v->log_n - 1 : index;
	v->log_sel = kb_eventlog_get(v->log, v->log_vis[v->log_pos])->seq;
}

void kb_view_log_move(struct kb_view *v, struct kb_model *m, long delta)
{
	log_sync(v, m);
	kb_view_log_goto(v, m, v->log_pos + delta);
}

const struct kb_logent *kb_view_log_selected(struct kb_view *v, struct kb_model *m)
{
	log_sync(v, m);
	return v->log_n ? kb_eventlog_get(v->log, v->log_vis[v->log_pos]) : NULL;
}

/* TIME PID COMM TARGET RESULT, the target taking what is left. */
#define LOG_FIXED (15 + 1 + 7 + 1 + 16 + 1 + 1 + 11)

static void log_line(const struct kb_bind *b, int w, char *buf, size_t len)
{
	char t[32], lab[KB_ADDR_TEXT + 32], res[32], pid[16];
	int tw = w - LOG_FIXED;

	if (tw < 10)
		tw = 10;
	snprintf(pid, sizeof(pid), b->pid > 0 ? "%d" : "?", b->pid);
	snprintf(buf, len, "%-15s %7s %-16.16s %-*.*s %s", kb_fmt_time(b->ev.ts, t, sizeof(t)), pid, b->comm,
		 tw, tw, kb_bind_label(b, lab, sizeof(lab)), kb_row_result(b, res, sizeof(res)));
}

/* A stack of the call, one frame a line, resolved like the table's frames. */
static int log_stack(struct kb_view *v, const struct kb_logent *e, bool kernel, struct kb_screen *s, int y,
		     int yend)
{
	const struct kb_event *ev = &e->b.ev;
	int n = kernel ? ev->n_kstack : ev->n_ustack;
	struct kb_mstack ms;
	struct kb_frame fr;
	char ft[320], line[400];

	if (!n || y >= yend)
		return y;
	memset(&ms, 0, sizeof(ms));
	ms.c.id = UINT64_MAX - e->seq;	/* not a table stack: its own key in the resolver's cache */
	ms.nu = ev->n_ustack < KB_USTACK_MAX ? ev->n_ustack : KB_USTACK_MAX;
	ms.nk = ev->n_kstack < KB_KSTACK_MAX ? ev->n_kstack : KB_KSTACK_MAX;
	ms.flags = ev->flags;
	memcpy(ms.pcs, ev->ustack, ms.nu * sizeof(uint64_t));
	memcpy(ms.pcs + ms.nu, ev->kstack, ms.nk * sizeof(uint64_t));
	kb_screen_put(s, y++, 0, KB_A_LABEL, kernel ? "kernel stack:" : "user stack:", -1);
	for (int i = 0; i < (kernel ? ms.nk : ms.nu) && y < yend; i++) {
		kb_mstack_frame(&ms, kernel ? ms.nu + i : i, e->b.pid, v->resolve, v->rctx, &fr);
		snprintf(line, sizeof(line), "  %c#%-2d %s", kernel ? 'k' : 'u', i,
			 kb_sym_frame_text(&fr, ft, sizeof(ft)));
		kb_screen_put(s, y++, 0, KB_A_TREE, line, -1);
	}
	return y;
}

static void render_log_detail(struct kb_view *v, const struct kb_logent *e, struct kb_screen *s, int y0,
			      int yend)
{
	struct items it;
	char title[600], line[512];
	int y;

	log_line(&e->b, v->w, line, sizeof(line));
	snprintf(title, sizeof(title), "call #%" PRIu64 ": %s", e->seq, line);
	screen_attr(s, y0, 0, -1, KB_A_TITLE);
	kb_screen_put(s, y0, 0, KB_A_TITLE, title, -1);
	it.n = 0;
	bind_items(&it, &e->b);
	y = y0 + 1 + pack_items(&it, s, y0 + 1, v->w, yend - y0 - 1);
	y = log_stack(v, e, false, s, y, yend);
	y = log_stack(v, e, true, s, y, yend);
	if (y < yend)
		kb_screen_put(s, y, 0, KB_A_TREE, "(Esc, Enter or Left: back to the log; e: write it to a file)", -1);
}

static void render_log(struct kb_view *v, struct kb_model *m, struct kb_screen *s, int y0, int yend)
{
	char line[512], head[160];
	const struct kb_logent *sel = kb_view_log_selected(v, m);
	int hl;

	if (!v->log)
		return;
	if (v->logdetail && sel) {
		render_log_detail(v, sel, s, y0, yend);
		return;
	}
	v->logdetail = false;
	snprintf(head, sizeof(head), "log: latest %zu of %zu calls kept, newest first; %" PRIu64 " evicted",
		 kb_eventlog_count(v->log), kb_eventlog_cap(v->log), kb_eventlog_evicted(v->log));
	kb_screen_put(s, y0, 0, kb_eventlog_evicted(v->log) ? KB_A_WARN : KB_A_LABEL, head, -1);
	hl = snprintf(line, sizeof(line), "%-15s %7s %-16s %-*s %s", "TIME", "PID", "COMM",
		      v->w - LOG_FIXED > 10 ? v->w - LOG_FIXED : 10, "ADDRESS:PORT", "RESULT");
	screen_attr(s, y0 + 1, 0, -1, KB_A_TITLE);
	kb_screen_put(s, y0 + 1, 0, KB_A_TITLE, line, hl);
	y0 += 2;
	v->table_h = yend - y0 > 1 ? yend - y0 : 1;
	if (v->log_pos < v->log_top)
		v->log_top = v->log_pos;
	if (v->log_pos >= v->log_top + v->table_h)
		v->log_top = v->log_pos - v->table_h + 1;
	if (v->log_top > (long)v->log_n - v->table_h)
		v->log_top = (long)v->log_n - v->table_h;
	if (v->log_top < 0)
		v->log_top = 0;
	if (!v->log_n)
		kb_screen_put(s, y0, 2, KB_A_TREE, kb_eventlog_count(v->log) ?
			      "(no call matches; Esc clears the filter, x shows all results)" :
			      "(no bind() calls yet)", -1);
	for (int y = y0; y < yend && v->log_top + (y - y0) < (long)v->log_n; y++) {
		long i = v->log_top + (y - y0);
		const struct kb_bind *b = &kb_eventlog_get(v->log, v->log_vis[i])->b;
		bool fail = kb_bind_failed(b);

		log_line(b, v->w, line, sizeof(line));
		if (i == v->log_pos) {
			screen_attr(s, y, 0, -1, KB_A_SELECT);
			kb_screen_put(s, y, 0, KB_A_SELECT, line, -1);
		} else {
			kb_screen_put(s, y, 0, fail ? KB_A_FAIL : KB_A_NORMAL, line, -1);
		}
	}
}

/* ---- mouse ---- */

bool kb_view_click(struct kb_view *v, struct kb_model *m, int y, int x)
{
	int cols[32], widths[32], n, cx = 0;

	if (v->help || v->editing || v->w < 20 || v->h < 5)
		return false;
	if (v->logmode && v->log) {
		long i = v->log_top + (y - (HEADER_LINES + 2));

		if (v->logdetail || y < HEADER_LINES + 2 || y >= HEADER_LINES + 2 + v->table_h)
			return false;
		log_sync(v, m);
		if (i >= (long)v->log_n)
			return false;
		kb_view_log_goto(v, m, i);
		return true;
	}
	if (y == HEADER_LINES) {
		n = kb_columns_layout(v->w, cols, widths);
		for (int i = 0; i < n; i++) {
			if (x >= cx && (x < cx + widths[i] + 1 || i == n - 1)) {
				int sc = kb_columns_sorted(m);

				kb_columns_sort(m, cols[i], cols[i] == sc ? !kb_model_sort_desc(m) :
						  kb_columns[cols[i]].desc);
				return true;
			}
			cx += widths[i] + 1;
		}
		return false;
	}
	if (y > HEADER_LINES && y <= HEADER_LINES + v->table_h) {
		size_t nrows;

		kb_model_rows(m, &nrows);
		if (v->top + (y - HEADER_LINES - 1) >= (long)nrows)
			return false;
		kb_view_goto(v, m, v->top + (y - HEADER_LINES - 1));
		return true;
	}
	return false;
}

/* ---- all of it ---- */

void kb_view_render(struct kb_view *v, struct kb_model *m, uint64_t now, struct kb_screen *s)
{
	int cols[32], widths[32], ncols, y0, yend, dlines = 0;
	const struct kb_row *rows, *sel;
	size_t n;

	kb_screen_resize(s, v->w, v->h);
	if (v->w < 20 || v->h < 5) {
		kb_screen_put(s, 0, 0, KB_A_WARN, "terminal too small", -1);
		return;
	}
	if (v->help) {
		render_help(v, s);
		return;
	}
	render_header(v, m, now, s);
	if (v->logmode && v->log) {
		render_log(v, m, s, HEADER_LINES, v->h - 1);
		render_bottom(v, m, now, s);
		return;
	}
	ncols = kb_columns_layout(v->w, cols, widths);
	render_titles(m, s, HEADER_LINES, cols, widths, ncols);
	y0 = HEADER_LINES + 1;
	yend = v->h - 1;

	sel = kb_view_selected(v, m);
	rows = kb_model_rows(m, &n);
	if (v->detail && v->h >= DETAIL_MIN_H && sel) {
		struct items it;
		char title[KB_ADDR_TEXT + 96];

		/* a third of the screen at most: the table is what matters */
		int dmax = (v->h - HEADER_LINES - 2) / 3 - 1;

		if (dmax > DETAIL_MAX)
			dmax = DETAIL_MAX;
		detail_items(v, sel, title, sizeof(title), &it);
		dlines = 1 + pack_items(&it, NULL, 0, v->w, dmax);
		yend -= dlines;
		screen_attr(s, yend, 0, -1, KB_A_TITLE);
		kb_screen_put(s, yend, 0, KB_A_TITLE, title, -1);
		pack_items(&it, s, yend + 1, v->w, dmax);
	}
	v->table_h = yend - y0;
	if (v->table_h < 1)
		v->table_h = 1;
	if (v->sel < v->top)
		v->top = v->sel;
	if (v->sel >= v->top + v->table_h)
		v->top = v->sel - v->table_h + 1;
	if (v->top > (long)n - v->table_h)
		v->top = (long)n - v->table_h;
	if (v->top < 0)
		v->top = 0;
	if (!n)
		kb_screen_put(s, y0, 2, KB_A_TREE,
			      kb_model_filter(m)[0] || kb_model_failed_only(m) ?
			      "(no bind() calls match; Esc clears the filter, x shows all results)" :
			      "(no bind() calls yet)", -1);
	for (int y = y0; y < yend && v->top + (y - y0) < (long)n; y++) {
		long i = v->top + (y - y0);

		render_row(v, s, y, &rows[i], v->have_sel && i == v->sel, cols, widths, ncols);
	}
	render_bottom(v, m, now, s);
}
