// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_view.c - the live table as text, driven by keys, without a
 * terminal: header, columns at 80, 120 and 40 columns, expanding to
 * stacks and frames, the filter typed key by key, sort, pause, help,
 * the detail pane, and that nothing from traced data reaches the screen
 * as a control character.
 *
 * KB_TEST_DUMP=1 prints every rendered screen (to update expectations).
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "check.h"
#include "columns.h"
#include "keys.h"
#include "model.h"
#include "view.h"

#define S(x) ((uint64_t)(x) * KB_NS)
#define T0 S(10 * 3600 + 60)		/* 10:01:00 (UTC, no clock offset in tests) */

static struct kb_model *m;
static struct kb_view v;
static struct kb_screen scr;
static uint64_t now = T0 + S(5);

static uint64_t ustack[] = { 0x7f0000001787, 0x5555000014e7, 0x5555000016cd };

static struct kb_bind mk(int pid, const char *comm, const char *addr, int port, int ret, uint64_t ts)
{
	struct kb_bind b;

	memset(&b, 0, sizeof(b));
	b.pid = pid;
	b.ev.pid = pid;
	b.ev.tid = pid;
	b.ev.ret = ret;
	b.ev.ts = ts;
	b.ev.fd = 3;
	snprintf(b.comm, sizeof(b.comm), "%s", comm);
	b.uid_known = true;
	snprintf(b.user, sizeof(b.user), "root");
	b.addr.family = AF_INET;
	b.addr.port = port;
	snprintf(b.addr.text, sizeof(b.addr.text), "%s", addr);
	b.addr_src = KB_ADDR_UPROBE;
	b.proto = "tcp";
	b.bound_port = -1;
	b.backend = "syscalls";
	memcpy(b.ev.ustack, ustack, sizeof(ustack));
	b.ev.n_ustack = 3;
	return b;
}

/* A symbolizer stand-in: names the frames of bindprog. */
static void fake_resolve(void *ctx, int pid, const struct kb_mstack *s, bool kernel, struct kb_stack *out)
{
	static const char *names[] = { "bind", "kbt_call_bind", "kbt_bind_spec" };

	memset(out, 0, sizeof(*out));
	if (kernel)
		return;
	out->n = s->nu;
	for (int i = 0; i < s->nu; i++) {
		out->f[i].addr = s->pcs[i];
		out->f[i].known = true;
		out->f[i].off = 0x10 + (uint64_t)i;
		snprintf(out->f[i].sym, sizeof(out->f[i].sym), "%s", names[i % 3]);
		snprintf(out->f[i].obj, sizeof(out->f[i].obj), "%s", i ? "bindprog" : "libc.so.6");
	}
}

static void render(void)
{
	kb_view_render(&v, m, now, &scr);
	if (getenv("KB_TEST_DUMP")) {
		fprintf(stderr, "---- %dx%d\n", scr.w, scr.h);
		for (int y = 0; y < scr.h; y++)
			fprintf(stderr, "|%s|\n", kb_screen_line(&scr, y));
	}
}

/* Row y without trailing blanks. */
static const char *line(int y)
{
	static char buf[1024];
	size_t n;

	snprintf(buf, sizeof(buf), "%s", y < scr.h ? kb_screen_line(&scr, y) : "");
	n = strlen(buf);
	while (n && buf[n - 1] == ' ')
		buf[--n] = '\0';
	return buf;
}

/* Is text somewhere on the screen? */
static bool shows(const char *text)
{
	for (int y = 0; y < scr.h; y++)
		if (strstr(kb_screen_line(&scr, y), text))
			return true;
	return false;
}

static int key(int k)
{
	struct kb_ui ui = { .m = m, .v = &v, .now = now };

	return kb_keys_handle(&ui, k);
}

static void type(const char *s)
{
	while (*s)
		key(*s++);
}

static void setup(int w, int h)
{
	const struct kb_keyhelp *keys;
	struct kb_bind b;
	int nkeys;

	kb_model_free(m);
	m = kb_model_new(NULL);
	kb_view_init(&v, "syscalls", 1.0, T0);
	keys = kb_keys_help(&nkeys);
	kb_view_set_keys(&v, keys, nkeys);
	kb_view_resize(&v, w, h);
	v.st.kernel_lost = 5;
	v.st.held_back = 2;
	b = mk(100, "progA", "127.0.0.1", 5353, 0, T0 + S(1));
	kb_model_add(m, &b);
	b = mk(100, "progA", "127.0.0.1", 0, 0, T0 + S(2));
	kb_model_add(m, &b);
	b = mk(200, "progB", "0.0.0.0", 8080, -EADDRINUSE, T0 + S(3));
	kb_model_add(m, &b);
}

static void test_screen_80x24(void)
{
	setup(80, 24);
	render();
	CHECK_STR(line(0), "kbindtop  backend syscalls  up 0:00:05  procs 2");
	CHECK_STR(line(1), "binds 3 (0.0/s)  failed 1  lost 5 (kernel 5)  held back 2");
	CHECK_STR(line(2), "sort LAST desc  every 1s  filter -");
	CHECK_STR(line(3), "    PID COMM / TARGET / STACK         BINDS FAIL LAST     RESULT     PORTS");
	CHECK_STR(line(4), "    200 + progB                           1    1 10:01:03 EADDRINUSE 8080");
	CHECK_STR(line(5), "    100 + progA                           2    0 10:01:02 OK         0,5353");
	CHECK_STR(line(6), "");
	/* the selected row's latest call, every field */
	CHECK(shows("pid 200 progB: latest call"));
	CHECK(shows("error=EADDRINUSE"));
	CHECK(shows("addr=0.0.0.0"));
	CHECK(shows("user_stack=3 frames"));
	CHECK_STR(line(23), "*Expand \\Filter sSort pPause xFailed cClear TabLog dDetail ?Help qQuit");
	CHECK_INT(scr.cur_y, -1);
	/* the hint comes first and long text wraps in the pane */
	{
		struct kb_bind b = mk(200, "progB", "0.0.0.0", 8080, -EADDRINUSE, T0 + S(4));

		snprintf(b.hint, sizeof(b.hint), "port 8080 is held by pid 100 (progA) in state LISTEN on "
			 "0.0.0.0: stop it or pick another port");
		snprintf(b.cmdline, sizeof(b.cmdline), "progB --listen 0.0.0.0:8080 --workers 16 "
			 "--config /etc/progB/progB.conf --log-level debug --pid-file /run/progB.pid");
		kb_model_add(m, &b);
	}
	render();
	CHECK_STR(line(17), "pid 200 progB: latest call");
	CHECK_STR(line(18), "hint=port 8080 is held by pid 100 (progA) in state LISTEN on 0.0.0.0: stop it or");
	CHECK_STR(line(19), "pick another port  ts=10:01:04.000000  pid=200  tid=200  comm=progB  uid=0");
	CHECK_STR(line(20), "user=root  ppid=0");
	CHECK_STR(line(21), "cmdline=progB --listen 0.0.0.0:8080 --workers 16 --config /etc/progB/progB.conf");
	CHECK_STR(line(22), "--log-level debug --pid-file /run/progB.pid  fd=3  family=inet  proto=tcp");
	CHECK_INT(scr.attr[18 * scr.w + 10], KB_A_WARN);
	CHECK_INT(scr.attr[18 * scr.w + 2], KB_A_LABEL);
	/* the selected row is marked by attribute only */
	CHECK_INT(scr.attr[4 * scr.w], KB_A_SELECT);
	CHECK_INT(scr.attr[5 * scr.w], KB_A_NORMAL);
}

static void test_expand_keys(void)
{
	setup(80, 24);
	v.resolve = fake_resolve;
	CHECK_INT(key('j'), KB_REDO_DRAW);	/* to progA */
	CHECK_INT(key(KB_KEY_ENTER), KB_REDO_DRAW);
	render();
	CHECK_STR(line(5), "    100 - progA                           2    0 10:01:02 OK         0,5353");
	CHECK_STR(line(6), "          |- + tcp4  127.0.0.1:0          1      10:01:02 OK");
	CHECK_STR(line(7), "          `- + tcp4  127.0.0.1:5353       1      10:01:01 OK");
	key(KB_KEY_DOWN);
	key(KB_KEY_RIGHT);	/* the target opens to its stack */
	key(KB_KEY_RIGHT);	/* already open: onto the stack */
	key('+');		/* the stack opens to its frames */
	render();
	CHECK_STR(line(7), "          |  `- - #1 kbt_call_bind        1      10:01:02");
	/* frames run on over the empty columns to the edge */
	CHECK_STR(line(8), "          |     |- u#0  bind+0x10 (libc.so.6)");
	CHECK_STR(line(9), "          |     |- u#1  kbt_call_bind+0x11 (bindprog)");
	CHECK_STR(line(10), "          |     `- u#2  kbt_bind_spec+0x12 (bindprog)");
	CHECK_STR(line(11), "          `- + tcp4  127.0.0.1:5353       1      10:01:01 OK");
	CHECK(shows("stack 1 of tcp4  127.0.0.1:0"));
	CHECK(shows("binds=1  failed=0  first=10:01:02.000000"));

	key('j');		/* a frame: the detail pane names it */
	render();
	CHECK(shows("frame bind+0x10 (libc.so.6)"));
	CHECK(shows("addr=0x7f0000001787  sym=bind  off=0x10  obj=libc.so.6  space=user"));

	/* Left on a leaf goes to its parent, Left again closes it */
	key(KB_KEY_LEFT);
	CHECK_INT(v.sel, 3);
	key('-');
	render();
	CHECK_STR(line(7), "          |  `- + #1 kbt_call_bind        1      10:01:02");

	/* * closes everything (selection back on the process), * again opens all */
	key('*');
	render();
	CHECK_STR(line(6), "");
	CHECK_INT(v.sel, 1);
	key('*');
	render();
	CHECK(shows("`- - tcp4  0.0.0.0:8080"));

	/* moving: End, Home, PgDn */
	key('G');
	CHECK(v.sel > 3);
	key(KB_KEY_HOME);
	CHECK_INT(v.sel, 0);
	key(KB_KEY_PGDN);
	CHECK(v.sel > 0);
	CHECK_INT(key('@'), KB_REDO_NONE);	/* not a key */
}

static void test_filter_keys(void)
{
	setup(80, 24);
	CHECK_INT(key('\\'), KB_REDO_DRAW);
	type("PROGb");
	render();
	CHECK_STR(line(2), "sort LAST desc  every 1s  filter PROGb");
	CHECK_STR(line(4), "    200 + progB                           1    1 10:01:03 EADDRINUSE 8080");
	CHECK_STR(line(5), "");
	CHECK(!strncmp(line(23), "Filter: PROGb", 13));
	CHECK_INT(scr.cur_y, 23);
	CHECK_INT(scr.cur_x, 13);
	/* q is text while typing, not quit */
	CHECK_INT(key('q'), KB_REDO_DRAW);
	render();
	CHECK_STR(line(4), "  (no bind() calls match; Esc clears the filter, x shows all results)");
	key(KB_KEY_BACKSPACE);
	CHECK_STR(kb_model_filter(m), "PROGb");
	key(KB_KEY_ENTER);
	CHECK(!v.editing);
	render();
	CHECK_STR(line(23), "*Expand \\Filter sSort pPause xFailed cClear TabLog dDetail ?Help qQuit");

	/* alternatives, by port and errno */
	key('/');
	key(KB_CTRL('u'));
	type(":5353|eaddrinuse");
	key(KB_KEY_ENTER);
	render();
	CHECK(shows("+ progB"));
	CHECK(shows("+ progA"));
	key('j');
	key(KB_KEY_ENTER);
	render();
	CHECK(shows("`- + tcp4  127.0.0.1:5353"));
	CHECK(!shows("127.0.0.1:0 "));
	/* Esc clears it */
	key(KB_KEY_ESC);
	CHECK_STR(kb_model_filter(m), "");
	/* and Esc while typing clears too */
	key(KB_KEY_F(4));
	type("zzz");
	key(KB_KEY_ESC);
	CHECK(!v.editing);
	CHECK_STR(kb_model_filter(m), "");
}

static void test_sort_pause_keys(void)
{
	setup(80, 24);
	key('s');
	render();
	CHECK_STR(line(2), "sort RESULT asc  every 1s  filter -");
	CHECK(!strncmp(line(23), "sorted by RESULT", 16));
	CHECK_STR(line(4), "    200 + progB                           1    1 10:01:03 EADDRINUSE 8080");
	key('I');
	render();
	CHECK_STR(line(2), "sort RESULT desc  every 1s  filter -");
	CHECK_STR(line(4), "    100 + progA                           2    0 10:01:02 OK         0,5353");
	key('<');
	key('<');
	key('<');
	render();
	CHECK_STR(line(2), "sort FAIL desc  every 1s  filter -");
	/* the title of the sort column stands out */
	CHECK_INT(scr.attr[3 * scr.w + 45], KB_A_SORT);

	key('p');
	{
		struct kb_bind b = mk(300, "late", "0.0.0.0", 22, 0, T0 + S(4));

		kb_model_add(m, &b);
	}
	render();
	CHECK(strstr(line(0), "PAUSED +1"));
	CHECK(!shows("+ late"));
	CHECK(!strncmp(line(1), "binds 4", 7));
	key('Z');
	render();
	CHECK(!strstr(line(0), "PAUSED"));
	CHECK(shows("+ late"));

	key('x');
	render();
	CHECK(strstr(line(2), "failures only"));
	CHECK(shows("+ progB"));
	CHECK(!shows("+ progA"));
	key('x');

	key('d');
	render();
	CHECK(!shows("latest call"));
	key('d');

	CHECK_INT(key(KB_CTRL('l')), KB_REDO_DRAW | KB_REDO_REPAINT);
	key('c');
	render();
	CHECK_STR(line(4), "  (no bind() calls yet)");
	CHECK(!strncmp(line(1), "binds 0", 7));
	CHECK(strstr(line(1), "lost 5"));	/* losses are not cleared */
	CHECK_INT(key('q'), KB_REDO_QUIT);
	CHECK_INT(key(KB_KEY_F(10)), KB_REDO_QUIT);
}

static void test_help(void)
{
	setup(80, 24);
	key('?');
	render();
	CHECK(!strncmp(line(0), "kbindtop help", 13));
	CHECK(shows("Keys:"));
	CHECK(shows("  Up k               move up"));
	CHECK(shows("  \\ / F3 F4          filter: command, pid, user, address, port, errno (| = or)"));
	/* scrolls; q only leaves the help */
	key(KB_KEY_END);
	render();
	CHECK(shows("lost: events the kernel dropped"));
	CHECK(shows("held back:"));
	/* long help wraps under its column, it is not cut */
	CHECK(shows("  comm    COMM / TARGET / STACK: command; under it its targets (protocol and"));
	CHECK(shows("          family, address:port; ~ marks a port not verified), their call stacks"));
	CHECK(shows("  ports   PORTS"));
	CHECK_INT(key('q'), KB_REDO_DRAW);
	CHECK(!v.help);
	key(KB_KEY_F(1));
	CHECK(v.help);
	key('x');
	CHECK(!v.help);
	CHECK(!kb_model_failed_only(m));	/* the key only closed the help */
	key('h');
	CHECK(v.help);
}

static void test_sizes(void)
{
	setup(120, 40);
	render();
	CHECK_STR(line(3), "    PID USER     COMM / TARGET / STACK                               BINDS FAIL "
		  "FIRST    LAST     RESULT     PORTS");
	CHECK_STR(line(4), "    200 root     + progB                                                 1    1 "
		  "10:01:03 10:01:03 EADDRINUSE 8080");

	/* narrow: low-value columns give way, nothing wraps */
	kb_view_resize(&v, 50, 14);
	render();
	CHECK_STR(line(3), "    PID COMM / TARGET / STACK       BINDS LAST");
	CHECK_STR(line(4), "    200 + progB                         1 10:01:03");
	for (int y = 0; y < scr.h; y++)
		CHECK_INT(strlen(kb_screen_line(&scr, y)), 50);
	CHECK(!shows("latest call"));	/* no room for the detail pane */

	kb_view_resize(&v, 10, 3);
	render();
	CHECK_STR(line(0), "terminal t");
	kb_view_resize(&v, 80, 24);
	render();
	CHECK(shows("+ progB"));
}

static void test_hostile(void)
{
	struct kb_bind b;

	setup(80, 24);
	/* visible text is already escaped by the enricher; the screen is the last guard */
	b = mk(666, "\x1b]0;pwned\x07\r\n", "/tmp/\x1b[2J", -1, 0, T0 + S(4));
	b.addr.family = AF_UNIX;
	kb_model_add(m, &b);
	key(KB_KEY_ENTER);
	render();
	for (int y = 0; y < scr.h; y++) {
		const char *l = kb_screen_line(&scr, y);

		for (int x = 0; x < scr.w; x++)
			CHECK(l[x] >= 0x20 && l[x] < 0x7f);
	}
	CHECK(shows("- ?]0;pwned???"));
	CHECK(shows("`- + unix/tcp /tmp/?[2J"));
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	kb_screen_init(&scr);
	test_screen_80x24();
	test_expand_keys();
	test_filter_keys();
	test_sort_pause_keys();
	test_help();
	test_sizes();
	test_hostile();
	kb_model_free(m);
	kb_screen_free(&scr);
	return check_done("test_view");
}
