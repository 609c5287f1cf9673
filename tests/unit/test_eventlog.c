// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_eventlog.c - the ring of latest calls: newest first, bounded, the
 * evicted counted, sockets found at the start left out; and the log view
 * rendered as text with the model's filter and failures-only applied.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "eventlog.h"
#include "format.h"
#include "model.h"
#include "view.h"

static struct kb_bind mk(int pid, const char *comm, int port, int ret)
{
	struct kb_bind b;

	memset(&b, 0, sizeof(b));
	b.pid = pid;
	b.ev.pid = pid;
	b.ev.ret = ret;
	b.ev.ts = (uint64_t)port * KB_NS;
	snprintf(b.comm, sizeof(b.comm), "%s", comm);
	b.addr.family = AF_INET;
	b.addr.port = port;
	snprintf(b.addr.text, sizeof(b.addr.text), "127.0.0.1");
	b.proto = "tcp";
	b.addr_src = KB_ADDR_UPROBE;
	return b;
}

int main(void)
{
	struct kb_eventlog *l = kb_eventlog_new(3);
	struct kb_model *m = kb_model_new(NULL);
	struct kb_screen s;
	struct kb_view v;
	struct kb_bind b;
	int n;

	kb_clock_init();
	for (int i = 1; i <= 5; i++) {
		b = mk(100 + i, i == 4 ? "bad" : "ok", 8000 + i, i == 4 ? -EADDRINUSE : 0);
		kb_eventlog_add(l, &b);
	}
	b = mk(1, "sshd", 22, 0);
	b.ev.flags = KB_EVF_EXISTING;
	kb_eventlog_add(l, &b);
	CHECK_INT(kb_eventlog_count(l), 3);
	CHECK_INT(kb_eventlog_evicted(l), 2);
	CHECK_INT(kb_eventlog_last_seq(l), 5);
	CHECK_INT(kb_eventlog_get(l, 0)->b.addr.port, 8005);
	CHECK_INT(kb_eventlog_get(l, 2)->b.addr.port, 8003);
	CHECK(kb_eventlog_get(l, 3) == NULL);

	kb_screen_init(&s);
	kb_view_init(&v, "syscalls", 1, 0);
	kb_view_resize(&v, 80, 24);
	v.log = l;
	v.logmode = true;
	kb_view_render(&v, m, 0, &s);
	CHECK(!strncmp(kb_screen_line(&s, 3), "log: latest 3 of 3 calls kept, newest first; 2 evicted ", 55));
	CHECK(strstr(kb_screen_line(&s, 5), " 105 ok ") != NULL);
	CHECK(strstr(kb_screen_line(&s, 7), " 103 ok ") != NULL);
	/* failures only, then a filter */
	kb_model_set_failed_only(m, true);
	kb_view_render(&v, m, 0, &s);
	CHECK(strstr(kb_screen_line(&s, 5), " 104 bad ") != NULL);
	CHECK(strstr(kb_screen_line(&s, 5), "EADDRINUSE") != NULL);
	CHECK(strstr(kb_screen_line(&s, 6), " ok ") == NULL);
	kb_model_set_failed_only(m, false);
	kb_model_set_filter(m, ":8003|105");
	kb_view_render(&v, m, 0, &s);
	n = 0;
	for (int y = 5; y < 23; y++)
		n += strstr(kb_screen_line(&s, y), " ok ") != NULL;
	CHECK_INT(n, 2);
	/* the selection follows its call when newer ones arrive */
	kb_view_log_goto(&v, m, 1);
	CHECK_INT(kb_view_log_selected(&v, m)->b.addr.port, 8003);
	kb_model_set_filter(m, "");
	CHECK_INT(kb_view_log_selected(&v, m)->b.addr.port, 8003);
	kb_view_log_goto(&v, m, 1);
	CHECK_INT(kb_view_log_selected(&v, m)->b.addr.port, 8004);
	b = mk(200, "new", 9000, 0);
	kb_eventlog_add(l, &b);	/* pushes 8003 out */
	CHECK_INT(kb_view_log_selected(&v, m)->b.addr.port, 8004);
	CHECK_INT(v.log_pos, 2);
	kb_screen_free(&s);
	kb_model_free(m);
	kb_eventlog_free(l);
	return check_done("test_eventlog");
}
