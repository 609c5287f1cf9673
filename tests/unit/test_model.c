// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_model.c - the live table's model without a terminal: aggregation
 * per process, target and stack; filter, sort, failures only, expand
 * state, pause, clear; exited processes; bounded memory under churn.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "columns.h"
#include "model.h"

#define S(x) ((uint64_t)(x) * KB_NS)

static uint64_t stack_a[] = { 0x7f0000001000, 0x555500001100, 0x555500001200 };
static uint64_t stack_b[] = { 0x7f0000001000, 0x555500002100 };

/* A bind as the enricher would hand it over. */
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
	b.uid = 1000;
	snprintf(b.user, sizeof(b.user), "alice");
	b.addr.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	b.addr.port = port;
	snprintf(b.addr.text, sizeof(b.addr.text), "%s", addr);
	b.addr_src = KB_ADDR_UPROBE;
	b.proto = "tcp";
	b.bound_port = -1;
	b.backend = "syscalls";
	return b;
}

static void with_stack(struct kb_bind *b, const uint64_t *pcs, int n)
{
	memcpy(b->ev.ustack, pcs, (size_t)n * sizeof(uint64_t));
	b->ev.n_ustack = (uint8_t)n;
}

static size_t nrows(struct kb_model *m)
{
	size_t n;

	kb_model_rows(m, &n);
	return n;
}

/* Row i; a missing row ends the test here (everything after would read it). */
static const struct kb_row *row_at(struct kb_model *m, size_t i, int line)
{
	size_t n;
	const struct kb_row *r = kb_model_rows(m, &n);

	if (i >= n) {
		fprintf(stderr, "%s:%d: row %zu asked for, the table has %zu\n", __FILE__, line, i, n);
		abort();
	}
	return &r[i];
}
#define row(m, i) row_at(m, i, __LINE__)

static void expand(struct kb_model *m, size_t i)
{
	struct kb_rowid rid = row(m, i)->rid;

	kb_model_set_expanded(m, &rid, true);
}

/* Four calls: pid 100 binds 8080 twice and 5353 once; pid 200 fails on 8080. */
static void feed(struct kb_model *m)
{
	struct kb_bind b;

	b = mk(100, "nginx", "0.0.0.0", 8080, 0, S(10));
	with_stack(&b, stack_a, 3);
	kb_model_add(m, &b);
	b = mk(100, "nginx", "0.0.0.0", 8080, 0, S(11));
	with_stack(&b, stack_a, 3);
	kb_model_add(m, &b);
	b = mk(100, "nginx", "127.0.0.1", 5353, 0, S(12));
	with_stack(&b, stack_b, 2);
	kb_model_add(m, &b);
	b = mk(200, "caddy", "0.0.0.0", 8080, -EADDRINUSE, S(13));
	kb_model_add(m, &b);
}

static void test_aggregate(void)
{
	struct kb_model *m = kb_model_new(NULL);
	struct kb_mtotals t;
	const struct kb_row *r;
	char buf[128];

	feed(m);
	kb_model_totals(m, &t);
	CHECK_INT(t.binds, 4);
	CHECK_INT(t.fails, 1);
	CHECK_INT(t.procs, 2);
	CHECK_INT(t.targets, 3);

	/* default sort: latest call first */
	CHECK_INT(nrows(m), 2);
	CHECK_INT(row(m, 0)->p->pid, 200);
	CHECK_INT(row(m, 1)->p->pid, 100);
	CHECK_INT(row(m, 1)->p->c.count, 3);
	CHECK_INT(row(m, 1)->p->c.first, S(10));
	CHECK_INT(row(m, 1)->p->c.last, S(12));
	CHECK_STR(kb_mproc_ports(row(m, 1)->p, 20, buf, sizeof(buf)), "5353,8080");
	CHECK_STR(kb_mproc_last(row(m, 1)->p)->addr.text, "127.0.0.1");

	/* open nginx: its two targets, 5353 (latest) first */
	expand(m, 1);
	CHECK_INT(nrows(m), 4);
	r = row(m, 2);
	CHECK_INT(r->kind, KB_ROW_TARGET);
	CHECK_STR(kb_target_label(r->t, buf, sizeof(buf)), "tcp4  127.0.0.1:5353");
	CHECK(!r->last);
	r = row(m, 3);
	CHECK_STR(kb_target_label(r->t, buf, sizeof(buf)), "tcp4  0.0.0.0:8080");
	CHECK_INT(r->t->c.count, 2);
	CHECK(r->last);

	/* the 8080 target has one distinct stack seen twice, with three frames */
	expand(m, 3);
	CHECK_INT(nrows(m), 5);
	r = row(m, 4);
	CHECK_INT(r->kind, KB_ROW_STACK);
	CHECK_INT(r->s->c.count, 2);
	CHECK_INT(r->s->nu, 3);
	expand(m, 4);
	CHECK_INT(nrows(m), 8);
	CHECK_INT(row(m, 5)->kind, KB_ROW_FRAME);
	CHECK_INT(row(m, 7)->sub, 2);
	CHECK(row(m, 7)->last);

	/* the failure is its own target (result is part of the key) */
	expand(m, 0);
	CHECK_INT(row(m, 1)->kind, KB_ROW_TARGET);
	CHECK_INT(row(m, 1)->t->last.ev.ret, -EADDRINUSE);
	CHECK_INT(row(m, 1)->t->nostack, 1);
	expand(m, 1);
	CHECK_INT(row(m, 2)->kind, KB_ROW_NOTE);
	CHECK_STR(row(m, 2)->note, "(1 call without a stack)");

	/* selection identity survives re-sorting */
	{
		struct kb_rowid rid = row(m, 0)->rid;	/* caddy */

		kb_columns_sort(m, kb_column_find("pid"), false);
		CHECK(kb_model_find_row(m, &rid) > 0);
		CHECK_INT(row(m, 0)->p->pid, 100);
		kb_columns_sort(m, kb_column_find("pid"), true);
		CHECK_INT(kb_model_find_row(m, &rid), 0);
	}
	kb_model_free(m);
}

static void test_filter(void)
{
	struct kb_model *m = kb_model_new(NULL);

	feed(m);
	kb_model_set_filter(m, "CADDY");
	CHECK_INT(nrows(m), 1);
	CHECK_INT(row(m, 0)->p->pid, 200);

	kb_model_set_filter(m, "100");
	CHECK_INT(nrows(m), 1);
	CHECK_INT(row(m, 0)->p->pid, 100);

	kb_model_set_filter(m, "eaddrinuse");
	CHECK_INT(nrows(m), 1);
	CHECK_INT(row(m, 0)->p->pid, 200);

	/* address:port matches targets; only matching targets show under their process */
	kb_model_set_filter(m, ":5353");
	CHECK_INT(nrows(m), 1);
	expand(m, 0);
	CHECK_INT(nrows(m), 2);
	CHECK_INT(row(m, 1)->t->last.addr.port, 5353);

	/* alternatives, with spaces around them */
	kb_model_set_filter(m, " caddy | :5353 ");
	CHECK_INT(nrows(m), 3);

	kb_model_set_filter(m, "alice");
	CHECK_INT(nrows(m), 4);	/* both, nginx open with both targets */

	kb_model_set_filter(m, "nothing-like-this");
	CHECK_INT(nrows(m), 0);

	kb_model_set_filter(m, "");
	CHECK_INT(nrows(m), 4);
	{
		char big[KB_FILTER_MAX + 10];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		CHECK_INT(kb_model_set_filter(m, big), -EINVAL);
		CHECK_STR(kb_model_filter(m), "");
	}

	/* failures only: just caddy */
	kb_model_set_failed_only(m, true);
	CHECK_INT(nrows(m), 1);
	CHECK_INT(row(m, 0)->p->pid, 200);
	kb_model_set_failed_only(m, false);
	CHECK_INT(nrows(m), 4);
	kb_model_free(m);
}

static void test_sort(void)
{
	struct kb_model *m = kb_model_new(NULL);
	int col;

	feed(m);
	col = kb_column_find("binds");
	CHECK(col >= 0);
	kb_columns_sort(m, col, kb_columns[col].desc);
	CHECK_INT(row(m, 0)->p->pid, 100);
	kb_columns_sort(m, col, !kb_columns[col].desc);
	CHECK_INT(row(m, 0)->p->pid, 200);
	col = kb_column_find("COMM");	/* by title or name, any case */
	CHECK_INT(col, kb_column_find("comm"));
	kb_columns_sort(m, col, false);
	CHECK_INT(row(m, 0)->p->pid, 200);	/* caddy < nginx */
	col = kb_column_find("result");
	kb_columns_sort(m, col, false);
	CHECK_INT(row(m, 0)->p->pid, 200);	/* EADDRINUSE < OK */
	CHECK_INT(kb_column_find("nope"), -1);
	kb_model_free(m);
}

static int dead_pid;

static bool alive(int pid)
{
	return pid != dead_pid;
}

static void test_exited(void)
{
	struct kb_model_limits lim = { 16, 64, 16, 4, S(60) };
	struct kb_model *m = kb_model_new(&lim);
	struct kb_mtotals t;
	struct kb_bind b;

	feed(m);
	dead_pid = 100;
	kb_model_tick(m, S(20), alive);
	kb_model_totals(m, &t);
	CHECK_INT(t.exited, 1);
	CHECK_INT(nrows(m), 2);
	CHECK(row(m, 1)->p->exited);

	/* the pid comes back (reused): a new row; the old one stays, marked */
	b = mk(100, "sshd", "0.0.0.0", 22, 0, S(30));
	CHECK_INT(kb_model_add(m, &b), 1);
	dead_pid = 0;
	CHECK_INT(nrows(m), 3);
	CHECK_INT(row(m, 0)->p->pid, 100);
	CHECK(!row(m, 0)->p->exited);
	CHECK(row(m, 2)->p->exited);

	/* the linger time later the exited row is gone, counted as aged */
	kb_model_tick(m, S(20) + S(60), alive);
	kb_model_totals(m, &t);
	CHECK_INT(t.procs, 2);
	CHECK_INT(t.exited, 0);
	CHECK_INT(t.ev.aged, 1);
	CHECK_INT(t.binds, 5);	/* totals keep what was counted */
	kb_model_free(m);
}

static void test_bounded(void)
{
	struct kb_model_limits lim = { 8, 20, 4, 2, S(60) };
	struct kb_model *m = kb_model_new(&lim);
	struct kb_mtotals t;
	struct kb_bind b;
	uint64_t st[3];
	size_t i;

	/* PID churn: a thousand short-lived processes */
	for (int pid = 1000; pid < 2000; pid++) {
		b = mk(pid, "churn", "127.0.0.1", 0, 0, S(pid));
		kb_model_add(m, &b);
	}
	kb_model_totals(m, &t);
	CHECK_INT(t.procs, 8);
	CHECK_INT(t.ev.procs, 992);
	CHECK_INT(t.binds, 1000);
	CHECK_INT(row(m, 0)->p->pid, 1999);	/* the newest stay */

	/* one process binding many ports: its oldest targets go, and say so */
	kb_model_clear(m, S(3000));
	for (int port = 1; port <= 10; port++) {
		b = mk(7, "scanner", "0.0.0.0", port, 0, S(3000 + port));
		kb_model_add(m, &b);
	}
	kb_model_totals(m, &t);
	CHECK_INT(t.targets, 4);
	CHECK_INT(t.ev.targets, 6);
	expand(m, 0);
	CHECK_INT(nrows(m), 6);
	CHECK_INT(row(m, 5)->kind, KB_ROW_NOTE);
	CHECK_STR(row(m, 5)->note, "(6 older targets pushed out)");

	/* all processes together: 20 targets at most */
	for (int pid = 10; pid < 20; pid++)
		for (int port = 1; port <= 4; port++) {
			b = mk(pid, "many", "0.0.0.0", port, 0, S(4000 + pid * 10 + port));
			kb_model_add(m, &b);
		}
	kb_model_totals(m, &t);
	CHECK(t.targets <= 20);
	CHECK(t.procs <= 8);

	/* one target with many stacks: two kept, the calls of the rest still counted */
	kb_model_clear(m, S(5000));
	for (i = 0; i < 5; i++) {
		st[0] = 0x1000 + i;
		st[1] = 0x2000;
		st[2] = 0x3000;
		b = mk(9, "stacky", "0.0.0.0", 80, 0, S(5000 + i));
		with_stack(&b, st, 3);
		kb_model_add(m, &b);
	}
	kb_model_totals(m, &t);
	CHECK_INT(t.ev.stacks, 3);
	expand(m, 0);
	expand(m, 1);
	CHECK_INT(row(m, 1)->t->nstacks, 2);
	CHECK_INT(row(m, 1)->t->stacks_evicted, 3);
	CHECK_INT(nrows(m), 5);	/* proc, target, 2 stacks, note */
	CHECK_INT(row(m, 4)->kind, KB_ROW_NOTE);
	kb_model_free(m);
}

static void test_pause_clear(void)
{
	struct kb_model *m = kb_model_new(NULL);
	struct kb_mtotals t;
	struct kb_bind b;
	struct kb_rowid rid;

	feed(m);
	expand(m, 1);		/* nginx open */
	rid = row(m, 1)->rid;
	kb_model_set_paused(m, true);
	CHECK(kb_model_paused(m));
	b = mk(300, "late", "0.0.0.0", 9999, 0, S(50));
	kb_model_add(m, &b);
	b = mk(100, "nginx", "0.0.0.0", 8080, 0, S(51));
	kb_model_add(m, &b);
	/* the table does not move, the counts do */
	CHECK_INT(nrows(m), 4);
	CHECK_INT(row(m, 0)->p->pid, 200);
	CHECK_INT(row(m, 1)->p->c.count, 3);
	kb_model_totals(m, &t);
	CHECK_INT(t.binds, 6);
	CHECK_INT(t.since_pause, 2);
	/* expand state works on the paused copy too (same ids) */
	CHECK(kb_model_expanded(m, &rid));
	kb_model_set_paused(m, false);
	CHECK_INT(nrows(m), 5);
	CHECK_INT(row(m, 0)->p->pid, 100);
	CHECK_INT(row(m, 0)->p->c.count, 4);
	CHECK(row(m, 0)->expanded);

	kb_model_expand_all(m, true);
	CHECK_INT(nrows(m), 3 + 4 + 5);	/* procs, targets, stacks and notes */
	CHECK(kb_model_any_expanded(m));
	kb_model_expand_all(m, false);
	CHECK_INT(nrows(m), 3);

	kb_model_clear(m, S(60));
	kb_model_totals(m, &t);
	CHECK_INT(t.binds, 0);
	CHECK_INT(t.procs, 0);
	CHECK_INT(nrows(m), 0);
	kb_model_free(m);
}

static void test_ports(void)
{
	struct kb_model *m = kb_model_new(NULL);
	static const int ports[] = { 8003, 80, 8001, 443, 8000, 8002, 0 };
	struct kb_bind b;
	char buf[64];

	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		b = mk(1, "web", "0.0.0.0", ports[i], 0, S(i + 1));
		kb_model_add(m, &b);
	}
	b = mk(1, "web", "/run/web.sock", -1, 0, S(9));
	b.addr.family = AF_UNIX;
	kb_model_add(m, &b);
	CHECK_STR(kb_mproc_ports(row(m, 0)->p, 40, buf, sizeof(buf)), "0,80,443,8000-8003");
	CHECK_STR(kb_mproc_ports(row(m, 0)->p, 11, buf, sizeof(buf)), "0,80,443,+1");
	CHECK_STR(kb_mproc_ports(row(m, 0)->p, 5, buf, sizeof(buf)), "0,+3");
	CHECK_STR(kb_mproc_ports(row(m, 0)->p, 2, buf, sizeof(buf)), "+4");
	kb_model_free(m);
}

static void test_idset_churn(void)
{
	struct kb_model_limits lim = { 4, 8, 2, 2, S(60) };
	struct kb_model *m = kb_model_new(&lim);
	struct kb_bind b;

	/* expand rows, then let them be evicted: nothing stale stays expanded */
	for (int pid = 1; pid <= 200; pid++) {
		b = mk(pid, "x", "0.0.0.0", 1, 0, S(pid));
		kb_model_add(m, &b);
		expand(m, 0);
	}
	CHECK_INT(nrows(m), 4 * 2);
	for (int pid = 1; pid <= 200; pid++)
		CHECK(!kb_model_expanded(m, &(struct kb_rowid){ KB_ROW_PROC, (uint64_t)pid * 2 - 1, 0 }) ||
		      pid > 196);
	kb_model_free(m);
}

/* Sockets bound before the start: rows of their own, not calls; 'L' hides them. */
static void test_existing(void)
{
	struct kb_model *m = kb_model_new(NULL);
	struct kb_mtotals t;
	struct kb_bind b;
	struct kb_cell c = { .width = 6 };
	char buf[64];
	int bcol = kb_column_find("binds"), rcol = kb_column_find("result");

	b = mk(100, "nginx", "0.0.0.0", 80, 0, S(1));
	b.ev.flags = KB_EVF_EXISTING;
	b.sock_state = "LISTEN";
	kb_model_add(m, &b);
	kb_model_totals(m, &t);
	CHECK_INT(t.binds, 0);
	CHECK_INT(t.existing, 1);
	CHECK_INT(nrows(m), 1);
	c.r = row(m, 0);
	kb_columns[bcol].text(&c, buf, sizeof(buf));
	CHECK_STR(buf, "-");
	kb_columns[rcol].text(&c, buf, sizeof(buf));
	CHECK_STR(buf, "LISTEN");

	/* a later call to the same address is a call, in a target of its own */
	b = mk(100, "nginx", "0.0.0.0", 80, 0, S(2));
	kb_model_add(m, &b);
	kb_model_totals(m, &t);
	CHECK_INT(t.binds, 1);
	CHECK_INT(t.targets, 2);
	CHECK_INT(row(m, 0)->p->c.count, 1);
	expand(m, 0);
	CHECK_INT(nrows(m), 3);

	/* the filter sees LISTEN; hiding leaves the call */
	kb_model_set_filter(m, "listen");
	CHECK_INT(nrows(m), 2);
	kb_model_set_filter(m, "");
	kb_model_set_hide_existing(m, true);
	CHECK_INT(nrows(m), 2);
	CHECK(!row(m, 1)->t->existing);
	/* a process with nothing but sockets at start goes with them */
	b = mk(300, "sshd", "::", 22, 0, S(1));
	b.ev.flags = KB_EVF_EXISTING;
	b.sock_state = "LISTEN";
	kb_model_add(m, &b);
	CHECK_INT(nrows(m), 2);
	kb_model_set_hide_existing(m, false);
	CHECK_INT(nrows(m), 4);
	kb_model_free(m);
}

int main(void)
{
	test_aggregate();
	test_filter();
	test_sort();
	test_exited();
	test_bounded();
	test_pause_clear();
	test_ports();
	test_idset_churn();
	test_existing();
	return check_done("test_model");
}
