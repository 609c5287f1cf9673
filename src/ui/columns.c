// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * columns.c - the live table's columns, as data.
 *
 * A cell function writes what a column says about a row of any level
 * (process, target, stack, frame); a compare function orders siblings.
 * Adding a column is adding one line to kb_columns[]: sorting, --sort,
 * layout and the help screen follow.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "columns.h"
#include "format.h"

#define CELL(fn) static void fn(const struct kb_cell *c, char *buf, size_t len)
#define CMP(fn) static int fn(const struct kb_row *a, const struct kb_row *b)

static int cmp_u64(uint64_t x, uint64_t y)
{
	return (x > y) - (x < y);
}

static int cmp_int(int x, int y)
{
	return (x > y) - (x < y);
}

/* The counts of a process, target or stack row; NULL for frames and notes. */
static const struct kb_mcount *counts(const struct kb_row *r)
{
	switch (r->kind) {
	case KB_ROW_PROC:	return &r->p->c;
	case KB_ROW_TARGET:	return &r->t->c;
	case KB_ROW_STACK:	return &r->s->c;
	default:		return NULL;
	}
}

/* The call that speaks for a row: a target's latest, a process's latest. */
static const struct kb_bind *row_bind(const struct kb_row *r)
{
	if (r->kind == KB_ROW_PROC)
		return kb_mproc_last(r->p);
	if (r->kind == KB_ROW_TARGET)
		return &r->t->last;
	return NULL;
}

/* A count that fits the width: 1234567 in 6 columns is "1234k". */
static void put_count(char *buf, size_t len, int width, uint64_t v)
{
	static const char unit[] = "kMGTP";
	int n = snprintf(buf, len, "%" PRIu64, v);

	for (int u = 0; n > width && u < 5; u++) {
		v /= 1000;
		n = snprintf(buf, len, "%" PRIu64 "%c", v, unit[u]);
	}
}

/* "HH:MM:SS": kb_fmt_time (the batch TIME) without the microseconds. */
static void put_clock(char *buf, size_t len, uint64_t ns)
{
	char t[32];

	snprintf(buf, len, "%.8s", kb_fmt_time(ns, t, sizeof(t)));
}

const char *kb_row_result(const struct kb_bind *b, char *buf, size_t len)
{
	return b ? kb_fmt_result(b, buf, len) : "";
}

void kb_mstack_frame(const struct kb_mstack *s, int i, int pid, kb_resolve_fn resolve, void *rctx,
		     struct kb_frame *out)
{
	int nuser = kb_mstack_nuser(s);
	bool kernel = i >= nuser;
	int j = kernel ? i - nuser : i;
	struct kb_stack st;

	memset(out, 0, sizeof(*out));
	/* a perf stack has more user frames than the event carries: those come resolved */
	if (kernel)
		out->addr = j < s->nk ? s->pcs[s->nu + j] : 0;
	else
		out->addr = j < s->nu ? s->pcs[j] : 0;
	if (!resolve)
		return;
	memset(&st, 0, sizeof(st));
	resolve(rctx, pid, s, kernel, &st);
	if (j < st.n)
		*out = st.f[j];
}

/* ---- cells ---- */

CELL(cell_pid)
{
	const struct kb_row *r = c->r;

	if (r->kind != KB_ROW_PROC)
		return;
	if (r->p->pid > 0)
		snprintf(buf, len, "%d", r->p->pid);
	else
		snprintf(buf, len, "?");
}

CELL(cell_user)
{
	const struct kb_row *r = c->r;

	if (r->kind == KB_ROW_PROC)
		snprintf(buf, len, "%s", r->p->uid_known ? r->p->user : "?");
}

CELL(cell_binds)
{
	const struct kb_mcount *n = counts(c->r);

	/* '-': only sockets found bound at the start, no call seen */
	if (n && !n->count)
		snprintf(buf, len, "-");
	else if (n)
		put_count(buf, len, c->width, n->count);
}

CELL(cell_fail)
{
	const struct kb_mcount *n = counts(c->r);

	/* a zero under a process says "none failed"; under targets it is noise */
	if (n && n->count && (n->fails || c->r->kind == KB_ROW_PROC))
		put_count(buf, len, c->width, n->fails);
}

CELL(cell_first)
{
	const struct kb_mcount *n = counts(c->r);

	if (n)
		put_clock(buf, len, n->first);
}

CELL(cell_last)
{
	const struct kb_mcount *n = counts(c->r);

	if (n)
		put_clock(buf, len, n->last);
}

CELL(cell_result)
{
	const struct kb_bind *b = row_bind(c->r);
	char tmp[32];

	if (b)
		snprintf(buf, len, "%s", kb_row_result(b, tmp, sizeof(tmp)));
}

CELL(cell_ports)
{
	if (c->r->kind == KB_ROW_PROC)
		kb_mproc_ports(c->r->p, c->width, buf, len);
}

/* Tree lines and the +/- marker in front of a row's label. */
static size_t tree_prefix(const struct kb_row *r, char *buf, size_t len)
{
	const char *mark = !r->expandable ? "" : r->expanded ? "- " : "+ ";
	size_t n = 0;

	if (r->depth == 0)
		return (size_t)snprintf(buf, len, "%s", *mark ? mark : "  ");
	n += (size_t)snprintf(buf + n, len - n, "  ");
	for (int d = 1; d < r->depth && n < len; d++)
		n += (size_t)snprintf(buf + n, len - n, "%s", r->more & (1u << d) ? "|  " : "   ");
	if (n < len)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", r->last ? "`- " : "|- ", mark);
	return n < len ? n : len - 1;
}

CELL(cell_tree)
{
	const struct kb_row *r = c->r;
	size_t n = tree_prefix(r, buf, len);
	struct kb_frame fr;
	char f[320];
	int i;

	switch (r->kind) {
	case KB_ROW_PROC:
		snprintf(buf + n, len - n, "%s%s", r->p->comm, r->p->exited ? " (exited)" : "");
		break;
	case KB_ROW_TARGET:
		kb_target_label(r->t, buf + n, len - n);
		break;
	case KB_ROW_STACK:
		/*
		 * "#2 kbt_bind_spec": the stack by the function that called
		 * bind() (frame 0 is the libc wrapper), short enough for the
		 * tree column; the frames and the detail pane say the rest.
		 */
		kb_mstack_frame(r->s, kb_mstack_nuser(r->s) >= 2 ? 1 : 0, r->p->pid, c->resolve, c->rctx, &fr);
		if (fr.known)
			snprintf(buf + n, len - n, "#%d %s", r->sub, fr.sym);
		else
			snprintf(buf + n, len - n, "#%d %s", r->sub, kb_sym_frame_text(&fr, f, sizeof(f)));
		break;
	case KB_ROW_FRAME:
		i = r->sub < kb_mstack_nuser(r->s) ? r->sub : r->sub - kb_mstack_nuser(r->s);
		kb_mstack_frame(r->s, r->sub, r->p->pid, c->resolve, c->rctx, &fr);
		snprintf(buf + n, len - n, "%c#%-2d %s", r->sub < kb_mstack_nuser(r->s) ? 'u' : 'k', i,
			 kb_sym_frame_text(&fr, f, sizeof(f)));
		break;
	case KB_ROW_NOTE:
		snprintf(buf + n, len - n, "%s", r->note);
		break;
	}
}

/* ---- compare ---- */

CMP(cmp_pid)
{
	return a->kind == KB_ROW_PROC ? cmp_int(a->p->pid, b->p->pid) : 0;
}

CMP(cmp_user)
{
	if (a->kind != KB_ROW_PROC)
		return 0;
	return strcmp(a->p->uid_known ? a->p->user : "", b->p->uid_known ? b->p->user : "");
}

CMP(cmp_binds)
{
	const struct kb_mcount *x = counts(a), *y = counts(b);

	return x && y ? cmp_u64(x->count, y->count) : 0;
}

CMP(cmp_fail)
{
	const struct kb_mcount *x = counts(a), *y = counts(b);

	return x && y ? cmp_u64(x->fails, y->fails) : 0;
}

CMP(cmp_first)
{
	const struct kb_mcount *x = counts(a), *y = counts(b);

	return x && y ? cmp_u64(x->first, y->first) : 0;
}

CMP(cmp_last)
{
	const struct kb_mcount *x = counts(a), *y = counts(b);

	return x && y ? cmp_u64(x->last, y->last) : 0;
}

CMP(cmp_result)
{
	const struct kb_bind *x = row_bind(a), *y = row_bind(b);
	char bx[32], by[32];

	if (!x || !y)
		return 0;
	return strcmp(kb_row_result(x, bx, sizeof(bx)), kb_row_result(y, by, sizeof(by)));
}

static int lowest_port(const struct kb_mproc *p)
{
	int lo = 65536;

	for (const struct kb_mtarget *t = p->thead; t; t = t->next)
		if (t->last.addr.port >= 0 && t->last.addr.port < lo)
			lo = t->last.addr.port;
	return lo;
}

CMP(cmp_ports)
{
	if (a->kind == KB_ROW_PROC)
		return cmp_int(lowest_port(a->p), lowest_port(b->p));
	if (a->kind == KB_ROW_TARGET)
		return cmp_int(a->t->last.addr.port, b->t->last.addr.port);
	return 0;
}

CMP(cmp_tree)
{
	int r;

	if (a->kind == KB_ROW_PROC) {
		r = strcasecmp(a->p->comm, b->p->comm);
		return r ? r : cmp_int(a->p->pid, b->p->pid);
	}
	if (a->kind == KB_ROW_TARGET) {
		const struct kb_bind *x = &a->t->last, *y = &b->t->last;

		r = cmp_int(x->addr.family, y->addr.family);
		if (!r)
			r = strcmp(x->addr.text, y->addr.text);
		return r ? r : cmp_int(x->addr.port, y->addr.port);
	}
	return 0;
}

/*
 * Widths fit an 80-column terminal with the tree column at 25: there
 * FIRST and USER give way (both stay in the detail pane).  The tree
 * column comes early so that frames and notes, which have nothing in
 * the columns after it, can run on over them to the edge.
 */
const struct kb_column kb_columns[] = {
	{ "pid", "PID", 7, true, false, 0, false,
	  "process id; ? when the kernel did not say", cell_pid, cmp_pid },
	{ "user", "USER", 8, false, false, 5, false,
	  "user of the process", cell_user, cmp_user },
	{ "comm", "COMM / TARGET / STACK", 22, false, true, 0, false,
	  "command; under it its targets (protocol and family, address:port; ~ marks a port "
	  "not verified), their call stacks and frames", cell_tree, cmp_tree },
	{ "binds", "BINDS", 6, true, false, 0, true,
	  "bind() calls counted", cell_binds, cmp_binds },
	{ "fail", "FAIL", 4, true, false, 2, true,
	  "of which failed", cell_fail, cmp_fail },
	{ "first", "FIRST", 8, false, false, 6, true,
	  "time of the first call", cell_first, cmp_first },
	{ "last", "LAST", 8, false, false, 1, true,
	  "time of the latest call", cell_last, cmp_last },
	{ "result", "RESULT", 10, false, false, 3, false,
	  "OK or errno name of the latest call; ? if its return was not seen", cell_result, cmp_result },
	{ "ports", "PORTS", 11, false, false, 4, false,
	  "ports the process asked for (0: the kernel chooses; +N: more)", cell_ports, cmp_ports },
};

const int kb_ncolumns = (int)(sizeof(kb_columns) / sizeof(kb_columns[0]));

int kb_column_find(const char *name)
{
	for (int i = 0; i < kb_ncolumns; i++)
		if (!strcasecmp(name, kb_columns[i].name) || !strcasecmp(name, kb_columns[i].title))
			return i;
	return -1;
}

const char *kb_column_names(char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < kb_ncolumns && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", kb_columns[i].name);
	return buf;
}

int kb_column_default_sort(void)
{
	return kb_column_find("last");
}

void kb_columns_sort(struct kb_model *m, int col, bool desc)
{
	if (col >= 0 && col < kb_ncolumns)
		kb_model_set_sort(m, col, kb_columns[col].cmp, desc);
}

int kb_columns_sorted(const struct kb_model *m)
{
	int col = kb_model_sort_col(m);

	return col >= 0 && col < kb_ncolumns ? col : kb_column_default_sort();
}

void kb_columns_list(FILE *f)
{
	int def = kb_column_default_sort();

	for (int i = 0; i < kb_ncolumns; i++)
		fprintf(f, "%s\t%s\t%d\t%s\n", kb_columns[i].name, kb_columns[i].title, kb_columns[i].drop,
			i == def ? "default" : "-");
}

int kb_columns_layout(int width, int cols[], int widths[])
{
	bool shown[sizeof(kb_columns) / sizeof(kb_columns[0])];
	int need = -1, n = 0, growcol = -1;

	for (int i = 0; i < kb_ncolumns; i++) {
		shown[i] = true;
		need += kb_columns[i].width + 1;
	}
	while (need > width) {
		int worst = -1;

		for (int i = 0; i < kb_ncolumns; i++)
			if (shown[i] && kb_columns[i].drop &&
			    (worst < 0 || kb_columns[i].drop > kb_columns[worst].drop))
				worst = i;
		if (worst < 0)
			break;
		shown[worst] = false;
		need -= kb_columns[worst].width + 1;
	}
	for (int i = 0; i < kb_ncolumns; i++) {
		if (!shown[i])
			continue;
		cols[n] = i;
		widths[n] = kb_columns[i].width;
		if (kb_columns[i].grow)
			growcol = n;
		n++;
	}
	if (growcol >= 0 && width > need)
		widths[growcol] += width - need;
	return n;
}
