// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tui.c - the interactive monitor: the only file that talks to curses.
 *
 * One loop polls the terminal, the event queue and the signal pipe.
 * Events are moved into the model as soon as they arrive (enrichment
 * reads /proc, which must happen while the process is still there), but
 * the screen is rendered only once per refresh interval or right after a
 * key, so a bind storm costs the aggregation and nothing else, and an
 * idle host costs one wakeup per interval.  Draining the queue has a time
 * budget, after which keys are looked at again: a key is answered within
 * that budget plus one render.
 *
 * curses gets a fully rendered kb_screen and diffs it against what the
 * terminal shows, so only changed cells go over the wire.
 */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include "check.h"
#include "columns.h"
#include "enrich.h"
#include "format.h"
#include "eventlog.h"
#include "filter.h"
#include "keys.h"
#include "listeners.h"
#include "metrics.h"
#include "model.h"
#include "pipeline.h"
#include "record.h"
#include "replay.h"
#include "signals.h"
#include "strbuf.h"
#include "symbols.h"
#include "tui.h"
#include "view.h"
#include "xalloc.h"

#define DRAIN_BUDGET_NS	(20ULL * 1000000ULL)	/* then look at the keyboard again */
#define ESC_DELAY_MS	25			/* Esc vs. the start of an arrow key */
#define KEYS_PER_WAKE	64

struct tui {
	const struct kb_options *o;
	struct kb_options sel;		/* command-line selection; --failed is the 'x' toggle here */
	struct kb_engine *e;
	struct kb_pipeline *pl;		/* NULL on a recording */
	struct kb_model *m;
	struct kb_eventlog *log;	/* the latest calls, for the log view */
	struct kb_metrics *mt;		/* --metrics, NULL without */
	struct kb_view v;
	struct kb_buf host;		/* the help screen's "This host" text */
	struct kb_screen scr;
	SCREEN *term;
	chtype attr[KB_A_NATTR];
	int self;
	struct kb_listen_stats listen;	/* sockets found bound at the start */
	struct kb_record *rec;		/* -w, or NULL */
	struct kb_replay *rp;		/* -r: the recording shown (no engine then), or NULL */
	/* the stack resolved last: frame rows of one stack come one after another */
	bool rc_valid;
	uint64_t rc_id;
	bool rc_kernel;
	struct kb_stack rc;
};

/* ---- terminal restore on a fatal signal (async-signal-safe) ---- */

static volatile sig_atomic_t term_active;
static struct termios term_saved;
static bool term_saved_ok;
static char term_restore[256];
static size_t term_restore_len;

static void fatal_restore(void *arg)
{
	if (!term_active)
		return;
	if (term_restore_len && write(STDOUT_FILENO, term_restore, term_restore_len) < 0) {
		/* nothing more can be done from a signal handler */
	}
	if (term_saved_ok)
		tcsetattr(STDIN_FILENO, TCSANOW, &term_saved);
}

static void add_cap(const char *name)
{
	char *s = tigetstr(name);
	size_t n;

	if (!s || s == (char *)-1)
		return;
	n = strlen(s);
	if (term_restore_len + n < sizeof(term_restore)) {
		memcpy(term_restore + term_restore_len, s, n);
		term_restore_len += n;
	}
}

/* ---- attributes: colors when wanted and possible, else what any terminal has ---- */

static void setup_attrs(struct tui *t)
{
	static const struct {
		int attr;
		short fg, bg;		/* -1: terminal default */
		chtype color_extra;
		chtype mono;
	} map[] = {
		{ KB_A_NORMAL,	 -1, -1, A_NORMAL, A_NORMAL },
		{ KB_A_LABEL,	 -1, -1, A_NORMAL, A_NORMAL },
		{ KB_A_VALUE,	 COLOR_CYAN, -1, A_BOLD, A_BOLD },
		{ KB_A_WARN,	 COLOR_RED, -1, A_BOLD, A_BOLD | A_REVERSE },
		{ KB_A_TITLE,	 COLOR_BLACK, COLOR_GREEN, A_NORMAL, A_REVERSE },
		{ KB_A_SORT,	 COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_BOLD | A_UNDERLINE },
		{ KB_A_SELECT,	 COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE | A_BOLD },
		{ KB_A_FAIL,	 COLOR_RED, -1, A_BOLD, A_BOLD },
		{ KB_A_EXITED,	 -1, -1, A_DIM, A_DIM },
		{ KB_A_TREE,	 COLOR_CYAN, -1, A_NORMAL, A_NORMAL },
		{ KB_A_KEY,	 -1, -1, A_BOLD, A_BOLD },
		{ KB_A_KEYLABEL, COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	};
	bool color = t->o->color && has_colors() && start_color() == OK;
	bool dflt = color && use_default_colors() == OK;
	short pair = 1;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		chtype a = map[i].mono;

		if (color) {
			a = map[i].color_extra;
			if (map[i].fg >= 0 || map[i].bg >= 0) {
				short fg = map[i].fg, bg = map[i].bg;

				/* without default colors, -1 means white on black */
				if (!dflt && fg < 0)
					fg = COLOR_WHITE;
				if (!dflt && bg < 0)
					bg = COLOR_BLACK;
				if (pair < COLOR_PAIRS && init_pair(pair, fg, bg) == OK)
					a |= COLOR_PAIR(pair++);
				else
					a = map[i].mono;
			}
		}
		t->attr[map[i].attr] = a;
	}
}

/* ---- terminal ---- */

int kb_tui_check(char *err, size_t errlen)
{
	const char *name = getenv("TERM");
	char *cup;
	int e = 0;

	if (setupterm(NULL, STDOUT_FILENO, &e) != OK) {
		snprintf(err, errlen, "cannot use terminal type '%.40s'; set TERM (for example "
			 "TERM=xterm) or use --batch", name && *name ? name : "(unset)");
		return -ENOTTY;
	}
	cup = tigetstr("cup");
	del_curterm(cur_term);
	if (!cup || cup == (char *)-1) {
		snprintf(err, errlen, "terminal type '%.40s' cannot move the cursor; set TERM (for "
			 "example TERM=xterm) or use --batch", name);
		return -ENOTTY;
	}
	return 0;
}

static int term_start(struct tui *t, char *err, size_t errlen)
{
	const char *name = getenv("TERM");

	term_saved_ok = tcgetattr(STDIN_FILENO, &term_saved) == 0;
	t->term = newterm(NULL, stdout, stdin);
	if (!t->term) {
		snprintf(err, errlen, "cannot use terminal type '%.40s'; set TERM (for example TERM=xterm) "
			 "or use --batch", name && *name ? name : "(unset)");
		return -ENOTTY;
	}
	set_term(t->term);
	set_escdelay(ESC_DELAY_MS);
	cbreak();		/* not raw(): Ctrl-C still sends SIGINT, which quits cleanly */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);	/* poll() says when; getch() never waits */
	intrflush(stdscr, FALSE);
	leaveok(stdscr, FALSE);
	curs_set(0);
	setup_attrs(t);
	if (!t->o->no_mouse) {
		/* presses, not clicks: a click waits for the release and feels late */
		mouseinterval(0);
		mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED, NULL);
	}


	term_restore_len = 0;
	add_cap("sgr0");
	add_cap("cnorm");
	add_cap("rmkx");
	add_cap("rmcup");
	if (!t->o->no_mouse) {
		/* a fatal signal must not leave the terminal reporting the mouse (xterm protocol) */
		static const char off[] = "\033[?1006l\033[?1000l";

		if (term_restore_len + sizeof(off) - 1 < sizeof(term_restore)) {
			memcpy(term_restore + term_restore_len, off, sizeof(off) - 1);
			term_restore_len += sizeof(off) - 1;
		}
	}
	term_active = 1;
	kb_view_resize(&t->v, COLS, LINES);
	return 0;
}

static void term_end(struct tui *t)
{
	if (!t->term)
		return;
	curs_set(1);
	endwin();
	term_active = 0;
	delscreen(t->term);
	t->term = NULL;
}

static void term_resize(struct tui *t)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	kb_view_resize(&t->v, COLS, LINES);
}

/* Copy the rendered screen to curses, one run of equal attributes at a time. */
static void term_draw(struct tui *t, bool repaint)
{
	const struct kb_screen *s = &t->scr;

	for (int y = 0; y < s->h && y < LINES; y++) {
		const char *text = kb_screen_line(s, y);
		const unsigned char *a = s->attr + (size_t)y * (size_t)s->w;
		int w = s->w < COLS ? s->w : COLS;

		for (int x = 0; x < w;) {
			int e = x;

			while (e < w && a[e] == a[x])
				e++;
			attrset(t->attr[a[x] < KB_A_NATTR ? a[x] : KB_A_NORMAL]);
			mvaddnstr(y, x, text + x, e - x);
			x = e;
		}
	}
	attrset(A_NORMAL);
	if (s->cur_y >= 0) {
		curs_set(1);
		move(s->cur_y, s->cur_x);
	} else {
		curs_set(0);
		move(s->h - 1, 0);
	}
	if (repaint)
		clearok(curscr, TRUE);
	wnoutrefresh(stdscr);
	doupdate();
}

/* curses key codes to kbindtop's; -1 for keys nobody handles */
static int map_key(int ch)
{
	static const struct {
		int curses, kb;
	} keys[] = {
		{ KEY_UP, KB_KEY_UP }, { KEY_DOWN, KB_KEY_DOWN }, { KEY_LEFT, KB_KEY_LEFT },
		{ KEY_RIGHT, KB_KEY_RIGHT }, { KEY_PPAGE, KB_KEY_PGUP }, { KEY_NPAGE, KB_KEY_PGDN },
		{ KEY_HOME, KB_KEY_HOME }, { KEY_END, KB_KEY_END },
		/* Home/End as screen and vt100-style terminals send them */
		{ KEY_FIND, KB_KEY_HOME }, { KEY_SELECT, KB_KEY_END }, { KEY_A1, KB_KEY_HOME },
		{ KEY_C1, KB_KEY_END }, { KEY_A3, KB_KEY_PGUP }, { KEY_C3, KB_KEY_PGDN },
		{ KEY_ENTER, KB_KEY_ENTER }, { '\n', KB_KEY_ENTER }, { '\r', KB_KEY_ENTER },
		{ 27, KB_KEY_ESC }, { KEY_BACKSPACE, KB_KEY_BACKSPACE }, { 0x7f, KB_KEY_BACKSPACE },
		{ KEY_DC, KB_KEY_BACKSPACE },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].curses == ch)
			return keys[i].kb;
	if (ch >= KEY_F(1) && ch <= KEY_F(24))
		return KB_KEY_F(ch - KEY_F0);
	if (ch > 0 && ch < 0x7f)
		return ch;
	return -1;
}

/* ---- data ---- */

/* kb_resolve_fn for the view: the symbolizer the enricher keeps process maps in. */
static void resolve_stack(void *ctx, int pid, const struct kb_mstack *s, bool kernel, struct kb_stack *out)
{
	struct tui *t = ctx;

	if (!t->rc_valid || t->rc_id != s->c.id || t->rc_kernel != kernel) {
		struct kb_event ev;

		kb_mstack_event(s, &ev);
		memset(&t->rc, 0, sizeof(t->rc));
		kb_sym_stack(kb_enricher_symbolizer(kb_pipeline_enricher(t->pl)), pid, &ev, kernel, &t->rc);
		t->rc_valid = true;
		t->rc_id = s->c.id;
		t->rc_kernel = kernel;
	}
	*out = t->rc;
}

/* The table's sink: every call that passed the selection is counted into the model. */
/* kb_stack_depth_fn: a new perf stack of the table is resolved once to know its rows. */
static int stack_depth(void *ctx, int pid, const struct kb_mstack *s)
{
	struct tui *t = ctx;
	struct kb_stack *st = xmalloc(sizeof(*st));
	struct kb_event ev;
	int n;

	kb_mstack_event(s, &ev);
	kb_sym_stack(kb_enricher_symbolizer(kb_pipeline_enricher(t->pl)), pid, &ev, false, st);
	n = st->n;
	free(st);
	return n;
}

static void model_sink_add(void *ctx, const struct kb_bind *b)
{
	kb_model_add(ctx, b);
}

/* The log view's sink: the latest calls in order. */
static void log_sink_add(void *ctx, const struct kb_bind *b)
{
	kb_eventlog_add(ctx, b);
}

/* The recording's sink (-w): queued per call, written at each flush. */
static void record_sink_add(void *ctx, const struct kb_bind *b)
{
	kb_record_add(ctx, b);
}

static int record_sink_flush(void *ctx)
{
	kb_record_flush(ctx);
	return 0;	/* a recording that fails stops itself and says so; the table goes on */
}

/* kb_listener_fn: a socket bound before the start, as a row of the table (and of the recording). */
static void add_existing(void *ctx, const struct kb_bind *b)
{
	struct tui *t = ctx;

	if (b->pid != t->self && kb_filter_options_match(&t->sel, b)) {
		kb_model_add(t->m, b);
		if (t->rec)
			kb_record_add(t->rec, b);
	}
}
/* kb_resolve_fn of a recording: the names its frames were recorded with. */
static void resolve_recorded(void *ctx, int pid, const struct kb_mstack *s, bool kernel, struct kb_stack *out)
{
	struct tui *t = ctx;

	kb_replay_stack(t->rp, pid, kernel, kernel ? s->pcs + s->nu : s->pcs, kernel ? s->nk : s->nu, out);
}

/* Every call of the recording into the table and the log, as if it had just been traced. */
static int load_recording(struct tui *t, char *err, size_t errlen)
{
	static struct kb_bind b;
	int ret;

	while ((ret = kb_replay_next(t->rp, &b)) > 0) {
		if (!kb_filter_options_match(&t->sel, &b))
			continue;
		kb_model_add(t->m, &b);
		kb_eventlog_add(t->log, &b);
	}
	if (ret < 0)
		snprintf(err, errlen, "--read: %s", strerror(-ret));
	return ret;
}


static void render(struct tui *t, bool repaint)
{
	struct kb_pipeline_stats ps;

	if (t->pl) {
		kb_engine_stats(t->e, &t->v.st);
		kb_pipeline_stats(t->pl, &ps);
		t->v.es = ps.en;
	}
	if (t->rec) {
		kb_record_flush(t->rec);	/* a recording is as current as the screen */
		kb_record_status(t->rec, t->v.rec, sizeof(t->v.rec));
	}
	t->rc_valid = false;	/* symbols may have been learnt since */
	kb_view_render(&t->v, t->m, kb_now_mono(), &t->scr);
	term_draw(t, repaint);
}

static int loop(struct tui *t, int sigfd)
{
	uint64_t delay = (uint64_t)(t->o->delay * 1e9), next_tick = kb_now_mono(), deadline = 0;
	bool backlog = false, keys_left = false;

	if (t->o->duration > 0)
		deadline = next_tick + (uint64_t)(t->o->duration * 1e9);

	for (;;) {
		uint64_t now = kb_now_mono();
		int wait_ms = -1, qfd = t->pl ? kb_pipeline_fd(t->pl, now, &wait_ms) : -1;
		struct pollfd pfd[3] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = qfd, .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
		};
		int timeout = 0, redo = 0, sig, ch;
		struct kb_ui ui;

		if (!backlog && !keys_left && next_tick > now)
			timeout = (int)((next_tick - now + 999999) / 1000000);
		/* calls gathering after a busy drain: look again when the pipeline says */
		if (t->pl && qfd < 0 && (timeout < 0 || wait_ms < timeout))
			timeout = wait_ms;
		if (deadline && timeout && deadline <= now + (uint64_t)timeout * 1000000)
			timeout = deadline > now ? (int)((deadline - now + 999999) / 1000000) : 0;
		if (poll(pfd, 3, timeout) < 0 && errno != EINTR)
			return -errno;

		if (pfd[2].revents & POLLIN) {
			sig = kb_signals_take();
			if (sig)
				return 0;	/* INT, TERM, HUP, QUIT: leave like 'q' */
			if (kb_signals_winch()) {
				term_resize(t);
				redo |= KB_REDO_DRAW | KB_REDO_REPAINT;
			}
		}
		/* the terminal went away without a SIGHUP: nobody to show anything to */
		if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			return 0;

		if (t->pl && ((pfd[1].revents & POLLIN) || backlog ||
			      (qfd < 0 && kb_pipeline_fd(t->pl, kb_now_mono(), &wait_ms) >= 0)))
			kb_pipeline_drain(t->pl, kb_now_mono() + DRAIN_BUDGET_NS, &backlog);

		if ((pfd[0].revents & POLLIN) || keys_left) {
			int k;

			ui = (struct kb_ui){ .m = t->m, .v = &t->v, .now = kb_now_mono() };
			/* a bounded batch: curses may hold more than the fd shows (pasted text) */
			for (k = 0; k < KEYS_PER_WAKE && (ch = getch()) != ERR; k++) {
				if (ch == KEY_MOUSE) {
					MEVENT me;

					if (getmouse(&me) == OK && (me.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) &&
					    kb_view_click(&t->v, t->m, me.y, me.x))
						redo |= KB_REDO_DRAW;
					continue;
				}
				if (ch == KEY_RESIZE) {
					/* resizeterm() queued it: the size is applied already */
					kb_view_resize(&t->v, COLS, LINES);
					redo |= KB_REDO_DRAW | KB_REDO_REPAINT;
					continue;
				}
				ch = map_key(ch);
				if (ch >= 0)
					redo |= kb_keys_handle(&ui, ch);
				if (redo & KB_REDO_QUIT)
					return 0;
			}
			keys_left = k == KEYS_PER_WAKE;
		}

		now = kb_now_mono();
		if (deadline && now >= deadline)
			return 0;
		if (now >= next_tick) {
			/* a recording's processes are not this host's: none exits */
			kb_model_tick(t->m, now, t->e ? kb_model_pid_alive : NULL);
			kb_metrics_tick(t->mt, t->e, now);
			redo |= KB_REDO_DRAW;
			next_tick = now + delay;
		}
		if (redo & KB_REDO_DRAW)
			render(t, redo & KB_REDO_REPAINT);
	}
}

/* The help screen's "This host": what a recording says about where it was made. */
static void recording_facts(struct tui *t)
{
	const struct kb_replay_info *in = kb_replay_info(t->rp);

	kb_buf_printf(&t->host, "recording:            %s\n", t->o->read_path);
	kb_buf_printf(&t->host, "made on:              %s, kernel %s, backend %s, kbindtop %s\n",
		      in->host[0] ? in->host : "?", in->kernel[0] ? in->kernel : "?",
		      in->backend[0] ? in->backend : "?", in->version[0] ? in->version : "?");
	kb_buf_printf(&t->host, "read:                 %" PRIu64 " calls, %" PRIu64 " lines skipped\n",
		      in->calls, in->skipped);
	if (in->bad_line)
		kb_buf_printf(&t->host, "first skipped:        line %" PRIu64 ": %s\n", in->bad_line, in->bad);
}

static int tui_main(const struct kb_options *o, struct kb_engine *e, struct kb_replay *rp, int sigfd, char *err,
		    size_t errlen)
{
	static bool hooked;
	struct tui *t = xcalloc(1, sizeof(*t));
	const char *backend = e ? kb_backend_name(e->plan.backend) : "replay";
	const struct kb_keyhelp *keys;
	int col, ret, nkeys;

	t->o = o;
	t->sel = *o;
	t->sel.failed_only = false;
	t->e = e;
	t->rp = rp;
	t->self = e ? getpid() : -1;
	t->m = kb_model_new(NULL);
	t->log = kb_eventlog_new(0);
	kb_screen_init(&t->scr);
	kb_view_init(&t->v, backend, o->delay, kb_now_mono());
	keys = kb_keys_help(&nkeys);
	kb_view_set_keys(&t->v, keys, nkeys);
	kb_buf_init(&t->host);
	if (e) {
		t->pl = kb_pipeline_new(&t->sel, e->q, backend);
		kb_pipeline_add_sink(t->pl, &(struct kb_sink){ .name = "table", .ctx = t->m,
							       .add = model_sink_add });
		kb_pipeline_add_sink(t->pl, &(struct kb_sink){ .name = "log", .ctx = t->log,
							       .add = log_sink_add });
		/* perf stacks: where they are, how to unwind them, how deep each is in the table */
		kb_model_set_stack_depth(t->m, stack_depth, t);
		kb_sym_set_stacks(kb_enricher_symbolizer(kb_pipeline_enricher(t->pl)), e->stacks,
				  o->stack_mode, o->stack_depth ? o->stack_depth : kb_perfstack_max_depth(),
				  o->stack_copies, e->stack_note);
		t->mt = kb_metrics_new(o->metrics, o->metrics_series, (uint64_t)(o->delay * 1e9), backend);
		kb_metrics_attach(t->mt, t->pl);
		/* the help screen explains the backend with the same reasoning as --check */
		kb_check_report(&e->caps, o->backend, false, &t->host);
		kb_buf_printf(&t->host, "in use:               %s\n", e->plan.desc);
		if (e->plan.note[0])
			kb_buf_printf(&t->host, "note:                 %s\n", e->plan.note);
	}
	t->v.log = t->log;
	t->v.resolve = e ? resolve_stack : resolve_recorded;
	t->v.rctx = t;

	kb_model_set_failed_only(t->m, o->failed_only);
	if (kb_model_set_filter(t->m, o->filter))
		kb_model_set_filter(t->m, "");
	/* --sort was checked before tracing started (kb_pipeline_check_options) */
	col = o->sort[0] ? kb_column_find(o->sort) : -1;
	if (col >= 0)
		kb_columns_sort(t->m, col, kb_columns[col].desc);
	if (e && o->write_path) {
		ret = kb_record_open(&t->rec, o->write_path, (uint64_t)o->write_max_mb << 20, o->write_rotate,
				     backend, err, errlen);
		if (ret) {
			ret = KB_EXIT_FAIL;
			goto out;
		}
		kb_pipeline_add_sink(t->pl, &(struct kb_sink){ .name = "record", .ctx = t->rec,
							       .add = record_sink_add, .flush = record_sink_flush });
	}
	/* who holds what already: the answer is on the first screen, not after the next bind */
	if (e && !kb_listeners_scan(kb_now_mono(), add_existing, t, &t->listen))
		t->v.listen = &t->listen;
	if (rp) {
		if (load_recording(t, err, errlen)) {
			ret = KB_EXIT_FAIL;
			goto out;
		}
		recording_facts(t);
		t->v.replay = kb_replay_info(rp);
		t->v.replay_path = o->read_path;
	}
	t->v.host = t->host.p;
	if (!hooked) {
		kb_signals_on_fatal(fatal_restore, NULL);
		hooked = true;
	}
	ret = term_start(t, err, errlen);
	if (ret) {
		ret = KB_EXIT_FAIL;
		goto out;
	}
	render(t, false);
	ret = loop(t, sigfd);
	/* recording off and the reader joined while the table is still up; main removes the rest */
	if (e)
		kb_engine_stop(e);
	term_end(t);
	if (ret) {
		snprintf(err, errlen, "waiting for input failed: %s", strerror(-ret));
		ret = KB_EXIT_FAIL;
	}
	if (kb_metrics_finish(t->mt, e, stderr))	/* (the failure is on stderr now) */
		ret = KB_EXIT_FAIL;
out:
	kb_pipeline_free(t->pl);
	kb_record_close(t->rec);
	kb_metrics_free(t->mt);
	kb_buf_free(&t->host);
	kb_model_free(t->m);
	kb_eventlog_free(t->log);
	kb_screen_free(&t->scr);
	free(t);
	return ret;
}

int kb_tui_run(const struct kb_options *o, struct kb_engine *e, int sigfd, char *err, size_t errlen)
{
	return tui_main(o, e, NULL, sigfd, err, errlen);
}

int kb_tui_replay(const struct kb_options *o, struct kb_replay *rp, int sigfd, char *err, size_t errlen)
{
	return tui_main(o, NULL, rp, sigfd, err, errlen);
}
