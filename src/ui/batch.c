// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * batch.c - batch output.  Text lines use fixed columns like bindsnoop;
 * JSON is one object per line.  All text from traced processes is
 * already visible (escaped) in kb_bind; JSON escaping is added on top.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "fields.h"
#include "format.h"
#include "strbuf.h"
#include "symbols.h"
#include "xalloc.h"

/*
 * JSON text of a run of KB_FF_PROC fields, rendered once per process
 * context: a storm from one process repeats its user, command line and
 * cgroup on every line, and escaping them each time was most of a line's
 * cost.  Direct-mapped by kb_bind.ctx_gen.
 */
#define FRAG_SLOTS	256

struct frag {
	uint64_t gen;		/* 0: empty */
	size_t first;		/* field the run starts at */
	struct kb_buf text;
};

struct kb_batch {
	char **key;		/* '"name":' of every field, rendered once */
	size_t *keylen;
	size_t *run_end;	/* a KB_FF_PROC field: one past the last of its run */
	struct frag *frag;	/* FRAG_SLOTS */
	bool json;
	bool stacks;
	bool quiet;		/* --quiet: nothing at all */
	int fd;
	struct kb_buf out;
	kb_batch_resolve_fn resolve;	/* frames of binds without a symbolizer (replay) */
	void *rctx;
};

struct kb_batch *kb_batch_new(const struct kb_options *o, int fd)
{
	struct kb_batch *bt = xcalloc(1, sizeof(*bt));

	bt->json = o->json;
	bt->stacks = o->print_stacks;
	bt->quiet = o->quiet;
	bt->fd = fd;
	kb_buf_init(&bt->out);
	bt->key = xcalloc(kb_nfields, sizeof(*bt->key));
	bt->keylen = xcalloc(kb_nfields, sizeof(*bt->keylen));
	for (size_t i = 0; i < kb_nfields; i++)
		bt->keylen[i] = (size_t)xasprintf(&bt->key[i], "%s\"%s\":", i ? "," : "",
						  kb_fields[i].name);
	bt->run_end = xcalloc(kb_nfields, sizeof(*bt->run_end));
	for (size_t i = kb_nfields; i-- > 0;)
		if ((kb_fields[i].flags & KB_FF_PROC) && !(kb_fields[i].flags & KB_FF_STACK))
			bt->run_end[i] = i + 1 < kb_nfields && bt->run_end[i + 1] ? bt->run_end[i + 1] : i + 1;
	bt->frag = xcalloc(FRAG_SLOTS, sizeof(*bt->frag));
	for (size_t i = 0; i < FRAG_SLOTS; i++)
		kb_buf_init(&bt->frag[i].text);
	return bt;
}

void kb_batch_free(struct kb_batch *bt)
{
	if (!bt)
		return;
	kb_buf_free(&bt->out);
	for (size_t i = 0; i < kb_nfields; i++)
		free(bt->key[i]);
	for (size_t i = 0; i < FRAG_SLOTS; i++)
		kb_buf_free(&bt->frag[i].text);
	free(bt->frag);
	free(bt->run_end);
	free(bt->key);
	free(bt->keylen);
	free(bt);
}

#define TEXT_FMT "%-15s %-7s %-7s %-16s %-5s %-5s %-39s %-6s %-10s %s\n"

void kb_batch_header(struct kb_batch *bt)
{
	if (bt->json || bt->quiet)
		return;
	kb_buf_printf(&bt->out, TEXT_FMT, "TIME", "PID", "TID", "COMM", "FAM", "PROTO", "ADDR",
		      "PORT", "RESULT", "VIA");
}

void kb_batch_list_fields(FILE *f)
{
	for (size_t i = 0; i < kb_nfields; i++)
		fprintf(f, "%s\t%s\n", kb_fields[i].name, kb_fields[i].help);
}

static void json_stack(struct kb_batch *bt, struct kb_buf *o, const struct kb_bind *b, bool kernel)
{
	struct kb_stack st;

	if (!b->sym) {
		st.n = 0;
		if (bt->resolve)
			bt->resolve(bt->rctx, b, kernel, &st);
	} else {
		kb_sym_stack(b->sym, b->pid, &b->ev, kernel, &st);
	}
	kb_buf_putc(o, '[');
	for (int i = 0; i < st.n; i++) {
		const struct kb_frame *f = &st.f[i];

		kb_buf_puts(o, i ? ",{\"addr\":\"0x" : "{\"addr\":\"0x");
		kb_buf_put_hex(o, f->addr);
		kb_buf_puts(o, "\",\"sym\":");
		if (f->known)
			kb_buf_json_str(o, f->sym);
		else
			kb_buf_puts(o, "null");
		kb_buf_puts(o, ",\"obj\":");
		if (f->obj[0])
			kb_buf_json_str(o, f->obj);
		else
			kb_buf_puts(o, "null");
		if (f->known) {
			kb_buf_puts(o, ",\"off\":");
			kb_buf_put_u64(o, f->off);
			kb_buf_putc(o, '}');
		} else
			kb_buf_puts(o, ",\"off\":null}");
	}
	if (!b->sym && !bt->resolve) {
		/* no symbolizer: raw addresses */
		const uint64_t *pcs = kernel ? b->ev.kstack : b->ev.ustack;
		int n = kernel ? b->ev.n_kstack : b->ev.n_ustack;

		for (int i = 0; i < n; i++)
			kb_buf_printf(o, "%s{\"addr\":\"0x%" PRIx64 "\",\"sym\":null,\"obj\":null,"
				      "\"off\":null}", i ? "," : "", pcs[i]);
	}
	kb_buf_putc(o, ']');
}

static void json_scalar(struct kb_buf *o, enum kb_fkind kind, long long i, const char *s)
{
	switch (kind) {
	case KB_F_INT:
		kb_buf_put_i64(o, i);
		break;
	case KB_F_BOOL:
		kb_buf_puts(o, i ? "true" : "false");
		break;
	case KB_F_TS:
		kb_buf_put_u64(o, (unsigned long long)i / 1000000000ULL);
		kb_buf_putc(o, '.');
		kb_buf_put_u64_pad(o, (unsigned long long)i % 1000000000ULL / 1000, 6);
		break;
	case KB_F_STR:
		kb_buf_json_str(o, s ? s : "");
		break;
	default:
		kb_buf_puts(o, "null");
		break;
	}
}

static void json_obj(struct kb_buf *o, const struct kb_fval *v)
{
	kb_buf_putc(o, '{');
	for (int k = 0; k < v->nm; k++) {
		const struct kb_fmember *m = &v->m[k];

		if (k)
			kb_buf_putc(o, ',');
		kb_buf_putc(o, '"');
		kb_buf_puts(o, m->name);
		kb_buf_puts(o, "\":");
		if (m->null)
			kb_buf_puts(o, "null");
		else
			json_scalar(o, m->kind, m->i, m->s);
	}
	kb_buf_putc(o, '}');
}

/* "key":value of field i. */
static void json_field(struct kb_batch *bt, struct kb_buf *o, size_t i, const struct kb_bind *b)
{
	const struct kb_field *f = &kb_fields[i];
	char scratch[320];
	struct kb_fval v;

	kb_field_get(f, b, &v, scratch, sizeof(scratch));
	kb_buf_put(o, bt->key[i], bt->keylen[i]);
	if (v.null) {
		kb_buf_put(o, "null", 4);
		return;
	}
	switch (v.kind) {
	case KB_F_STACK:
		json_stack(bt, o, b, v.i != 0);
		break;
	case KB_F_OBJ:
		json_obj(o, &v);
		break;
	default:
		json_scalar(o, v.kind, v.i, v.s);
		break;
	}
}

/* Fields first..end-1 (one process-context run): from the cache, rendered on a miss. */
static void json_proc_run(struct kb_batch *bt, size_t first, size_t end, const struct kb_bind *b)
{
	struct frag *fr = &bt->frag[b->ctx_gen % FRAG_SLOTS];

	if (fr->gen != b->ctx_gen || fr->first != first) {
		kb_buf_reset(&fr->text);
		for (size_t i = first; i < end; i++)
			json_field(bt, &fr->text, i, b);
		fr->gen = b->ctx_gen;
		fr->first = first;
	}
	kb_buf_put(&bt->out, fr->text.p, fr->text.len);
}

static void add_json(struct kb_batch *bt, const struct kb_bind *b)
{
	struct kb_buf *o = &bt->out;

	kb_buf_putc(o, '{');
	for (size_t i = 0; i < kb_nfields; i++) {
		if ((kb_fields[i].flags & KB_FF_STACK) && !bt->stacks)
			continue;
		if (bt->run_end[i] && b->ctx_gen) {
			json_proc_run(bt, i, bt->run_end[i], b);
			i = bt->run_end[i] - 1;
			continue;
		}
		json_field(bt, o, i, b);
	}
	kb_buf_put(o, "}\n", 2);
}

static void text_stack(struct kb_batch *bt, const struct kb_bind *b, bool kernel)
{
	const uint64_t *pcs = kernel ? b->ev.kstack : b->ev.ustack;
	int n = kernel ? b->ev.n_kstack : b->ev.n_ustack;
	char c = kernel ? 'k' : 'u', ft[320];
	struct kb_stack st;

	if (!b->sym && !bt->resolve) {
		for (int i = 0; i < n; i++)
			kb_buf_printf(&bt->out, "    %c#%-2d 0x%" PRIx64 "\n", c, i, pcs[i]);
		return;
	}
	if (b->sym)
		kb_sym_stack(b->sym, b->pid, &b->ev, kernel, &st);
	else
		bt->resolve(bt->rctx, b, kernel, &st);
	for (int i = 0; i < st.n; i++) {
		int j = i;

		kb_buf_printf(&bt->out, "    %c#%-2d %s\n", c, i,
			      kb_sym_frame_text(&st.f[i], ft, sizeof(ft)));
		/* recursion: a run of the same return address is folded into one line */
		while (j + 1 < st.n && st.f[j + 1].addr == st.f[i].addr)
			j++;
		if (j - i >= 2) {
			kb_buf_printf(&bt->out, "    %c#%d-#%d  the frame above %d more times (recursion)\n",
				      c, i + 1, j, j - i);
			i = j;
		}
	}
	if (st.note[0])
		kb_buf_printf(&bt->out, "    (%s)\n", st.note);
}

static void text_stacks(struct kb_batch *bt, const struct kb_bind *b)
{
	text_stack(bt, b, false);
	text_stack(bt, b, true);
}

static void add_text(struct kb_batch *bt, const struct kb_bind *b)
{
	char t[32], pid[16], tid[16], fam[16], port[16], res[32];

	if (b->pid > 0)
		snprintf(pid, sizeof(pid), "%d", b->pid);
	else
		snprintf(pid, sizeof(pid), "?");
	snprintf(tid, sizeof(tid), "%d", b->ev.tid);
	kb_buf_printf(&bt->out, TEXT_FMT, kb_fmt_time(b->ev.ts, t, sizeof(t)), pid, tid, b->comm,
		      kb_fmt_family(b, fam, sizeof(fam)), b->proto ? b->proto : "-",
		      b->addr.text[0] ? b->addr.text : "-", kb_fmt_port(b, port, sizeof(port)),
		      kb_fmt_result(b, res, sizeof(res)), kb_fmt_via(b));
	if (b->hint[0])
		kb_buf_printf(&bt->out, "    hint: %s\n", b->hint);
	if (bt->stacks)
		text_stacks(bt, b);
}

void kb_batch_take(struct kb_batch *bt, struct kb_buf *out)
{
	kb_buf_put(out, bt->out.p ? bt->out.p : "", bt->out.len);
	kb_buf_reset(&bt->out);
}

void kb_batch_set_resolver(struct kb_batch *bt, kb_batch_resolve_fn fn, void *ctx)
{
	bt->resolve = fn;
	bt->rctx = ctx;
}

void kb_batch_add(struct kb_batch *bt, const struct kb_bind *b)
{
	if (bt->quiet)
		return;
	if (bt->json)
		add_json(bt, b);
	else
		add_text(bt, b);
}

void kb_batch_sink_add(void *ctx, const struct kb_bind *b)
{
	kb_batch_add(ctx, b);
}

int kb_batch_sink_flush(void *ctx)
{
	return kb_batch_flush(ctx);
}

int kb_batch_flush(struct kb_batch *bt)
{
	size_t off = 0;

	while (off < bt->out.len) {
		ssize_t n = write(bt->fd, bt->out.p + off, bt->out.len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			kb_buf_reset(&bt->out);
			return -errno;
		}
		off += (size_t)n;
	}
	kb_buf_reset(&bt->out);
	return 0;
}

void kb_batch_summary(FILE *f, const struct kb_stats *st, unsigned long long shown, double secs,
		      const struct kb_enrich_stats *es)
{
	char budget[256];

	fprintf(f, "kbindtop: %llu bind calls shown, %" PRIu64 " traced in %.1f s; lost: %" PRIu64
		" (kernel %" PRIu64 "%s, queue %" PRIu64 "); no return seen: %" PRIu64 "\n",
		shown, st->calls, secs, kb_stats_lost(st), st->kernel_lost,
		st->kernel_lost_pages ? "+unknown" : "", st->queue_drops, st->no_exit);
	if (st->kernel_lost) {
		fprintf(f, "kbindtop: events lost by the kernel per CPU:");
		for (int i = 0; i < KB_STATS_CPUS; i++)
			if (st->kernel_lost_cpu[i])
				fprintf(f, " cpu%d %" PRIu64 "%s", i, st->kernel_lost_cpu[i],
					i == KB_STATS_CPUS - 1 ? "+" : "");
		fprintf(f, " (a larger --buffer-kb rides out longer bursts)\n");
	}
	if (st->stack_samples || st->stack_lost)
		fprintf(f, "kbindtop: user stacks: %" PRIu64 " perf samples, %" PRIu64 " stack copies kept, %"
			PRIu64 " copies over the --stack-copies budget; %" PRIu64
			" records lost in the kernel (samples or mappings), %" PRIu64 " unpaired, %" PRIu64 " not stored; %" PRIu64 " copies skipped "
			"(copy ring full)\n", st->stack_samples, st->stack_copies, st->stack_over_budget,
			st->stack_lost, st->stack_unpaired, st->stack_store_full + st->stack_bad,
			st->stack_copy_ring_full);
	if (st->iou_gate_opens)
		fprintf(f, "kbindtop: io_uring_complete opened %" PRIu64 " time%s for io_uring binds, "
			"%.1f ms in all; %" PRIu64 " other completions recorded meanwhile\n",
			st->iou_gate_opens, st->iou_gate_opens == 1 ? "" : "s",
			(double)st->iou_gate_ns / 1e6, st->iou_noise);
	/* fields a budget skipped are null in the lines above: say how many */
	if (es && kb_budget_text(es, budget, sizeof(budget))[0])
		fprintf(f, "kbindtop: budgets: %s (those fields are null)\n", budget);
}
