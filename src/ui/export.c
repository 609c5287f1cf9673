// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * export.c - the selected row as a text file.
 *
 * The same facts as the detail pane, without its space limit: every field
 * of the call from the one field table, then the stacks, one frame a line,
 * resolved by the view's resolver (the live symbolizer, or the names of a
 * recording).  A process exports its latest call and every target with
 * its stacks; a target its latest call and its stacks; a stack or a frame
 * that stack; a call of the log the call.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "export.h"
#include "fields.h"
#include "format.h"

static void call_fields(FILE *f, const struct kb_bind *b)
{
	char scratch[512], val[64];
	struct kb_fval fv;

	for (size_t i = 0; i < kb_nfields; i++) {
		const struct kb_field *fd = &kb_fields[i];

		if (fd->kind == KB_F_STACK)
			continue;
		kb_field_get(fd, b, &fv, scratch, sizeof(scratch));
		if (fv.null)
			continue;
		if (fv.kind == KB_F_TS)
			fprintf(f, "  %-16s %s\n", fd->name, kb_fmt_time(b->ev.ts, val, sizeof(val)));
		else
			fprintf(f, "  %-16s %s\n", fd->name, kb_fval_text(&fv, val, sizeof(val)));
	}
}

static void stack_lines(FILE *f, const struct kb_view *v, const struct kb_mstack *s, int pid)
{
	char ft[320];

	for (int i = 0; i < s->nu + s->nk; i++) {
		struct kb_frame fr;

		kb_mstack_frame(s, i, pid, v->resolve, v->rctx, &fr);
		fprintf(f, "    %c#%-2d %s\n", i < s->nu ? 'u' : 'k', i < s->nu ? i : i - s->nu,
			kb_sym_frame_text(&fr, ft, sizeof(ft)));
	}
	if (v->resolve && s->nu) {
		struct kb_stack st;

		memset(&st, 0, sizeof(st));
		v->resolve(v->rctx, pid, s, false, &st);
		if (st.note[0])
			fprintf(f, "    (%s)\n", st.note);
	}
}

static void target(FILE *f, const struct kb_view *v, const struct kb_mtarget *t, bool with_call)
{
	char lab[KB_ADDR_TEXT + 32], res[32], t1[32], t2[32];
	int k = 0;

	fprintf(f, "\n%s  %s: %" PRIu64 " calls, %" PRIu64 " failed, first %s, last %s\n",
		kb_target_label(t, lab, sizeof(lab)), kb_row_result(&t->last, res, sizeof(res)), t->c.count,
		t->c.fails, kb_fmt_time(t->c.first, t1, sizeof(t1)), kb_fmt_time(t->c.last, t2, sizeof(t2)));
	if (with_call) {
		fprintf(f, "latest call:\n");
		call_fields(f, &t->last);
	}
	for (const struct kb_mstack *s = t->stacks; s; s = s->next) {
		fprintf(f, "  stack #%d: %" PRIu64 " calls, %" PRIu64 " failed\n", ++k, s->c.count, s->c.fails);
		stack_lines(f, v, s, t->proc->pid);
	}
	if (t->nostack)
		fprintf(f, "  (%" PRIu64 " calls without a stack)\n", t->nostack);
	if (t->stacks_evicted)
		fprintf(f, "  (%" PRIu64 " calls under older stacks, pushed out)\n", t->stacks_evicted);
}

static void log_call(FILE *f, const struct kb_view *v, const struct kb_logent *e)
{
	const struct kb_event *ev = &e->b.ev;
	struct kb_mstack ms;

	fprintf(f, "call #%" PRIu64 "\n", e->seq);
	call_fields(f, &e->b);
	memset(&ms, 0, sizeof(ms));
	ms.c.id = UINT64_MAX - e->seq;
	ms.nu = ev->n_ustack < KB_USTACK_MAX ? ev->n_ustack : KB_USTACK_MAX;
	ms.nk = ev->n_kstack < KB_KSTACK_MAX ? ev->n_kstack : KB_KSTACK_MAX;
	ms.flags = ev->flags;
	memcpy(ms.pcs, ev->ustack, ms.nu * sizeof(uint64_t));
	memcpy(ms.pcs + ms.nu, ev->kstack, ms.nk * sizeof(uint64_t));
	fprintf(f, "stack:\n");
	stack_lines(f, v, &ms, e->b.pid);
}

/* A new file named after the process and the time; never an existing one. */
static FILE *create(const char *dir, int pid, const char *comm, char *path, size_t plen)
{
	char name[40], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t n = 0;

	for (const char *c = comm; *c && n + 1 < sizeof(name); c++)
		name[n++] = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
			    *c == '.' || *c == '-' || *c == '_' ? *c : '_';
	name[n] = '\0';
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (int k = 1; k < 100; k++) {
		int fd;

		if (k == 1)
			snprintf(path, plen, "%s/kbindtop-%d-%s-%s.txt", dir, pid, name, stamp);
		else
			snprintf(path, plen, "%s/kbindtop-%d-%s-%s-%d.txt", dir, pid, name, stamp, k);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fdopen(fd, "w");
		if (errno != EEXIST)
			return NULL;
	}
	errno = EEXIST;
	return NULL;
}

int kb_export_selected(struct kb_view *v, struct kb_model *m, const char *dir, char *path, size_t plen)
{
	const struct kb_logent *e = NULL;
	const struct kb_row *r = NULL;
	char cwd[4096];
	int pid, ret = 0;
	const char *comm;
	FILE *f;

	if (v->logmode && v->log)
		e = kb_view_log_selected(v, m);
	else
		r = kb_view_selected(v, m);
	if (!e && !r)
		return -ENOENT;
	pid = e ? e->b.pid : r->p->pid;
	comm = e ? e->b.comm : r->p->comm;
	if (!dir)
		dir = getcwd(cwd, sizeof(cwd)) && !access(cwd, W_OK) ? cwd : "/tmp";
	f = create(dir, pid, comm, path, plen);
	if (!f)
		return -errno;
	fprintf(f, "kbindtop: pid %d %s%s\n", pid, comm, !e && r->p->exited ? " (exited)" : "");
	if (e) {
		log_call(f, v, e);
	} else if (r->kind == KB_ROW_PROC) {
		const struct kb_bind *b = kb_mproc_last(r->p);

		fprintf(f, "%" PRIu64 " calls, %" PRIu64 " failed\n", r->p->c.count, r->p->c.fails);
		if (b) {
			fprintf(f, "latest call:\n");
			call_fields(f, b);
		}
		for (const struct kb_mtarget *t = r->p->thead; t; t = t->next)
			target(f, v, t, false);
	} else if (r->kind == KB_ROW_TARGET || r->kind == KB_ROW_NOTE) {
		if (r->t)
			target(f, v, r->t, true);
	} else {
		char lab[KB_ADDR_TEXT + 32];

		fprintf(f, "%s: stack of %" PRIu64 " calls, %" PRIu64 " failed\n",
			kb_target_label(r->t, lab, sizeof(lab)), r->s->c.count, r->s->c.fails);
		stack_lines(f, v, r->s, pid);
	}
	if (fflush(f) || ferror(f))
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -EIO;
	return ret;
}
