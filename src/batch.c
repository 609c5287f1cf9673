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
#include "format.h"
#include "strbuf.h"
#include "xalloc.h"

struct kb_batch {
	bool json;
	bool stacks;
	const char *backend;
	int fd;
	struct kb_buf out;
};

/* Every JSON field, in output order; docs-check compares it with the man page. */
static const char *const json_fields[] = {
	"ts", "pid", "tid", "comm", "uid", "user", "fd", "family", "proto", "addr", "port",
	"bound_port", "ret", "error", "backend", "addr_source", "verified",
	"user_stack", "kernel_stack",
};

struct kb_batch *kb_batch_new(const struct kb_options *o, const char *backend, int fd)
{
	struct kb_batch *bt = xcalloc(1, sizeof(*bt));

	bt->json = o->json;
	bt->stacks = o->print_stacks;
	bt->backend = backend;
	bt->fd = fd;
	kb_buf_init(&bt->out);
	return bt;
}

void kb_batch_free(struct kb_batch *bt)
{
	if (!bt)
		return;
	kb_buf_free(&bt->out);
	free(bt);
}

#define TEXT_FMT "%-15s %-7s %-7s %-16s %-5s %-5s %-39s %-6s %s\n"

void kb_batch_header(struct kb_batch *bt)
{
	if (bt->json)
		return;
	kb_buf_printf(&bt->out, TEXT_FMT, "TIME", "PID", "TID", "COMM", "FAM", "PROTO", "ADDR",
		      "PORT", "RESULT");
}

void kb_batch_list_fields(FILE *f)
{
	for (size_t i = 0; i < sizeof(json_fields) / sizeof(json_fields[0]); i++)
		fprintf(f, "%s\n", json_fields[i]);
}

static void json_key(struct kb_buf *o, const char *k, bool first)
{
	if (!first)
		kb_buf_putc(o, ',');
	kb_buf_putc(o, '"');
	kb_buf_puts(o, k);
	kb_buf_puts(o, "\":");
}

static void json_int_or_null(struct kb_buf *o, const char *k, bool known, long long v)
{
	json_key(o, k, false);
	if (known)
		kb_buf_put_i64(o, v);
	else
		kb_buf_puts(o, "null");
}

static void json_str_or_null(struct kb_buf *o, const char *k, const char *v)
{
	json_key(o, k, false);
	if (v)
		kb_buf_json_str(o, v);
	else
		kb_buf_puts(o, "null");
}

static void json_stack(struct kb_buf *o, const char *k, const uint64_t *pcs, int n)
{
	json_key(o, k, false);
	kb_buf_putc(o, '[');
	for (int i = 0; i < n; i++) {
		kb_buf_printf(o, "%s{\"addr\":\"0x%" PRIx64 "\",\"sym\":null,\"obj\":null,\"off\":null}",
			      i ? "," : "", pcs[i]);
	}
	kb_buf_putc(o, ']');
}

static void add_json(struct kb_batch *bt, const struct kb_bind *b)
{
	struct kb_buf *o = &bt->out;
	uint64_t real = kb_mono_to_real(b->ev.ts);
	char tmp[32];

	kb_buf_printf(o, "{\"ts\":%" PRIu64 ".%06" PRIu64, (uint64_t)(real / 1000000000ULL),
		      (uint64_t)(real % 1000000000ULL / 1000));
	json_int_or_null(o, "pid", b->pid > 0, b->pid);
	json_int_or_null(o, "tid", true, b->ev.tid);
	json_str_or_null(o, "comm", b->comm);
	json_int_or_null(o, "uid", b->uid_known, b->uid);
	json_str_or_null(o, "user", b->uid_known ? b->user : NULL);
	json_int_or_null(o, "fd", b->ev.fd >= 0, b->ev.fd);
	json_str_or_null(o, "family", b->addr.family >= 0 ? kb_fmt_family(b, tmp, sizeof(tmp)) : NULL);
	json_str_or_null(o, "proto", b->proto);
	json_str_or_null(o, "addr", b->addr.family >= 0 ? b->addr.text : NULL);
	json_int_or_null(o, "port", b->addr.port >= 0, b->addr.port);
	json_int_or_null(o, "bound_port", b->bound_port >= 0, b->bound_port);
	json_int_or_null(o, "ret", b->ev.ret != KB_RET_UNKNOWN, b->ev.ret);
	json_str_or_null(o, "error", kb_fmt_errname(b, tmp, sizeof(tmp)));
	json_str_or_null(o, "backend", bt->backend);
	json_str_or_null(o, "addr_source", kb_fmt_addr_source(b->addr_src));
	json_key(o, "verified", false);
	kb_buf_puts(o, kb_bind_verified(b) ? "true" : "false");
	if (bt->stacks) {
		json_stack(o, "user_stack", b->ev.ustack, b->ev.n_ustack);
		json_stack(o, "kernel_stack", b->ev.kstack, b->ev.n_kstack);
	}
	kb_buf_puts(o, "}\n");
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
		      kb_fmt_result(b, res, sizeof(res)));
	if (bt->stacks) {
		for (int i = 0; i < b->ev.n_ustack; i++)
			kb_buf_printf(&bt->out, "    u#%-2d 0x%" PRIx64 "\n", i, b->ev.ustack[i]);
		for (int i = 0; i < b->ev.n_kstack; i++)
			kb_buf_printf(&bt->out, "    k#%-2d 0x%" PRIx64 "\n", i, b->ev.kstack[i]);
	}
}

void kb_batch_add(struct kb_batch *bt, const struct kb_bind *b)
{
	if (bt->json)
		add_json(bt, b);
	else
		add_text(bt, b);
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

void kb_batch_summary(FILE *f, const struct kb_stats *st, unsigned long long shown, double secs)
{
	fprintf(f, "kbindtop: %llu bind calls shown, %" PRIu64 " traced in %.1f s; lost: %" PRIu64
		" (kernel %" PRIu64 "%s, queue %" PRIu64 "); no return seen: %" PRIu64 "\n",
		shown, st->calls, secs, kb_stats_lost(st), st->kernel_lost,
		st->kernel_lost_pages ? "+unknown" : "", st->queue_drops, st->no_exit);
}
