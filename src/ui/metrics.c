// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metrics.c - bind counters as a Prometheus text exposition file.
 *
 * node_exporter's textfile collector reads every *.prom file of a
 * directory at each scrape; writing such a file is how a root tool
 * exports metrics without opening a port.  The file is rewritten whole,
 * through a temporary file in the same directory and rename(), so a
 * scrape sees the old file or the new one, never a half-written one.
 *
 * Label values come from traced processes (comm): they are taken as
 * visible text (already ASCII, control bytes as \xNN) and escaped for the
 * format.  Series are bounded: a host where every call has a new port or
 * command name must not make Prometheus store millions of series, so
 * label sets past the bound are folded (see metrics.h) and the folded
 * calls counted, never dropped.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errname.h"
#include "metrics.h"
#include "sockaddr.h"
#include "xalloc.h"

#define PORT_NONE	(-1)	/* a family without ports (unix): label "" */
#define PORT_OTHER	(-2)	/* folded: label "other" */
#define LABEL_MAX	32	/* family, proto, result */
#define NPORTS		65536

struct series {
	uint64_t calls;
	uint32_t hash;
	int port;
	char comm[KB_COMM_VIS];
	char family[LABEL_MAX];
	char proto[LABEL_MAX];
	char result[LABEL_MAX];
};

/* The latest EADDRINUSE of one port and who held it. */
struct holder {
	int port;
	uint64_t seen;		/* m->adds when last updated: the oldest goes first */
	char comm[KB_HOLDER_COMM];
};

struct kb_metrics {
	char *path;
	char *tmpl;		/* "<dir>/.<name>.XXXXXX" */
	char backend[LABEL_MAX];
	uint64_t interval_ns;
	uint64_t last_write;	/* 0: never written */
	/* kbindtop_bind_calls_total */
	struct series *s;
	size_t n, max, regular_max;
	int32_t *slot;		/* open addressing over s, -1 empty */
	size_t nslot;		/* power of two, at least 2 * max */
	uint64_t folded;
	uint64_t adds;
	/* kbindtop_holder_info */
	struct holder *h;
	size_t nh, hmax;
	int32_t *hport;		/* port -> index in h, -1 */
	/* writes that failed, for the report at exit */
	uint64_t write_errors;
	int last_err;
	struct kb_buf out;
};

int kb_metrics_check_path(const char *path, char *err, size_t errlen)
{
	char tmpl[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, n;

	if (!path[0] || (slash && !slash[1])) {
		snprintf(err, errlen, "--metrics: '%.200s' is not a file name", path);
		return -EINVAL;
	}
	if (slash)
		n = snprintf(tmpl, sizeof(tmpl), "%.*s/.%s.XXXXXX", (int)(slash - path), path,
			     slash + 1);
	else
		n = snprintf(tmpl, sizeof(tmpl), ".%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmpl)) {
		snprintf(err, errlen, "--metrics: path too long");
		return -ENAMETOOLONG;
	}
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		snprintf(err, errlen, "--metrics: cannot create a file beside '%.200s': %s (the "
			 "directory must exist and be writable)", path, strerror(e));
		return -e;
	}
	close(fd);
	unlink(tmpl);
	return 0;
}

struct kb_metrics *kb_metrics_new(const char *path, int max_series, uint64_t interval_ns,
				  const char *backend)
{
	const char *slash;
	struct kb_metrics *m;

	if (!path || !path[0])
		return NULL;
	if (max_series < KB_METRICS_SERIES_MIN)
		max_series = KB_METRICS_SERIES_MIN;
	m = xcalloc(1, sizeof(*m));
	m->path = xstrdup(path);
	slash = strrchr(path, '/');
	if (slash)
		xasprintf(&m->tmpl, "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
	else
		xasprintf(&m->tmpl, ".%s.XXXXXX", path);
	snprintf(m->backend, sizeof(m->backend), "%s", backend ? backend : "unknown");
	m->interval_ns = interval_ns;
	m->max = (size_t)max_series;
	/* the reserve holds folded series; its last slot is the all-"other" one */
	m->regular_max = m->max - (m->max / 16 > 2 ? m->max / 16 : 2);
	m->s = xcalloc(m->max, sizeof(*m->s));
	for (m->nslot = 1; m->nslot < 2 * m->max; m->nslot <<= 1)
		;
	m->slot = xmalloc(m->nslot * sizeof(*m->slot));
	memset(m->slot, 0xff, m->nslot * sizeof(*m->slot));
	m->hmax = m->max < NPORTS ? m->max : NPORTS;
	m->h = xcalloc(m->hmax, sizeof(*m->h));
	m->hport = xmalloc(NPORTS * sizeof(*m->hport));
	memset(m->hport, 0xff, NPORTS * sizeof(*m->hport));
	kb_buf_init(&m->out);
	return m;
}

void kb_metrics_free(struct kb_metrics *m)
{
	if (!m)
		return;
	kb_buf_free(&m->out);
	free(m->hport);
	free(m->h);
	free(m->slot);
	free(m->s);
	free(m->tmpl);
	free(m->path);
	free(m);
}

static uint32_t fnv(uint32_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return (h ^ 0xff) * 16777619u;	/* field separator: "ab","c" != "a","bc" */
}

static uint32_t key_hash(const struct series *k)
{
	uint32_t h = fnv(2166136261u, k->comm);

	h = fnv(h, k->family);
	h = fnv(h, k->proto);
	h = fnv(h, k->result);
	return (h ^ (uint32_t)k->port) * 16777619u;
}

static bool key_eq(const struct series *a, const struct series *b)
{
	return a->hash == b->hash && a->port == b->port && !strcmp(a->comm, b->comm) &&
	       !strcmp(a->family, b->family) && !strcmp(a->proto, b->proto) &&
	       !strcmp(a->result, b->result);
}

/* The series of key k; a new one when k is unknown and create allows; NULL else. */
static struct series *lookup(struct kb_metrics *m, struct series *k, bool create)
{
	size_t mask = m->nslot - 1, i;

	k->hash = key_hash(k);
	for (i = k->hash & mask; m->slot[i] >= 0; i = (i + 1) & mask)
		if (key_eq(&m->s[m->slot[i]], k))
			return &m->s[m->slot[i]];
	if (!create || m->n >= m->max)
		return NULL;
	m->slot[i] = (int32_t)m->n;
	m->s[m->n] = *k;	/* (bytes after each NUL are never compared) */
	m->s[m->n].calls = 0;
	return &m->s[m->n++];
}

/* Bounded copy without printf: this runs once per call. */
static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void set_label(char *dst, const char *src)
{
	copy_str(dst, LABEL_MAX, src && *src && strcmp(src, "?") ? src : "unknown");
}

static void add_holder(struct kb_metrics *m, const struct kb_bind *b)
{
	int port = b->addr.port;
	struct holder *h;
	int32_t idx;

	if (port < 0 || port >= NPORTS || !b->holder.known)
		return;
	idx = m->hport[port];
	if (idx < 0 && m->nh < m->hmax) {
		idx = (int32_t)m->nh++;
	} else if (idx < 0) {
		/* full: the port whose EADDRINUSE is the oldest makes room */
		idx = 0;
		for (size_t i = 1; i < m->nh; i++)
			if (m->h[i].seen < m->h[idx].seen)
				idx = (int32_t)i;
		m->hport[m->h[idx].port] = -1;
	}
	h = &m->h[idx];
	m->hport[port] = idx;
	h->port = port;
	h->seen = m->adds;
	snprintf(h->comm, sizeof(h->comm), "%s", b->holder.pid > 0 ? b->holder.comm : "");
}

void kb_metrics_add(struct kb_metrics *m, const struct kb_bind *b)
{
	struct series k, *s;
	char buf[LABEL_MAX];

	if (!m)
		return;
	m->adds++;
	copy_str(k.comm, sizeof(k.comm), b->comm);
	set_label(k.family, kb_family_name(b->addr.family, buf, sizeof(buf)));
	set_label(k.proto, b->proto);
	if (b->ev.ret == KB_RET_UNKNOWN)
		set_label(k.result, NULL);
	else if (b->ev.ret >= 0)
		set_label(k.result, "ok");
	else
		set_label(k.result, kb_errname(-b->ev.ret, buf, sizeof(buf)));
	k.port = b->addr.port >= 0 ? b->addr.port : PORT_NONE;

	s = lookup(m, &k, m->n < m->regular_max);
	if (!s) {
		m->folded++;
		strcpy(k.comm, "other");
		k.port = PORT_OTHER;
		s = lookup(m, &k, m->n < m->max - 1);
	}
	if (!s) {
		strcpy(k.family, "other");
		strcpy(k.proto, "other");
		strcpy(k.result, "other");
		s = lookup(m, &k, true);	/* the last slot is kept for it */
	}
	if (s)
		s->calls++;
	if (b->ev.ret == -EADDRINUSE)
		add_holder(m, b);
}

static void sink_add(void *ctx, const struct kb_bind *b)
{
	kb_metrics_add(ctx, b);
}

int kb_metrics_attach(struct kb_metrics *m, struct kb_pipeline *p)
{
	if (!m)
		return 0;
	return kb_pipeline_add_sink(p, &(struct kb_sink){ .name = "metrics", .ctx = m,
							  .add = sink_add });
}

/* name="value" with the format's escapes (backslash, double quote, newline). */
static void put_label(struct kb_buf *o, const char *name, const char *v, bool first)
{
	if (!first)
		kb_buf_putc(o, ',');
	kb_buf_puts(o, name);
	kb_buf_puts(o, "=\"");
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			kb_buf_putc(o, '\\');
		if (*v == '\n')
			kb_buf_puts(o, "\\n");
		else
			kb_buf_putc(o, *v);
	}
	kb_buf_putc(o, '"');
}

static void put_port(struct kb_buf *o, int port)
{
	char p[16];

	if (port == PORT_OTHER)
		snprintf(p, sizeof(p), "other");
	else if (port == PORT_NONE)
		p[0] = '\0';
	else
		snprintf(p, sizeof(p), "%d", port);
	put_label(o, "port", p, false);
}

static void head(struct kb_buf *o, const char *name, const char *type, const char *help)
{
	kb_buf_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void kb_metrics_render(struct kb_metrics *m, const struct kb_stats *st, struct kb_buf *o)
{
	kb_buf_reset(o);
	head(o, "kbindtop_info", "gauge", "kbindtop version and tracing backend.");
	kb_buf_puts(o, "kbindtop_info{");
	put_label(o, "backend", m->backend, true);
	put_label(o, "version", PACKAGE_VERSION, false);
	kb_buf_puts(o, "} 1\n");

	head(o, "kbindtop_bind_calls_total", "counter",
	     "bind() calls by command, family, protocol, requested port and result; "
	     "comm=\"other\",port=\"other\" are folded calls past --metrics-series.");
	for (size_t i = 0; i < m->n; i++) {
		const struct series *s = &m->s[i];

		kb_buf_puts(o, "kbindtop_bind_calls_total{");
		put_label(o, "comm", s->comm, true);
		put_label(o, "family", s->family, false);
		put_label(o, "proto", s->proto, false);
		put_port(o, s->port);
		put_label(o, "result", s->result, false);
		kb_buf_printf(o, "} %" PRIu64 "\n", s->calls);
	}

	head(o, "kbindtop_metrics_folded_calls_total", "counter",
	     "bind() calls counted in a folded series because --metrics-series was reached.");
	kb_buf_printf(o, "kbindtop_metrics_folded_calls_total %" PRIu64 "\n", m->folded);
	head(o, "kbindtop_metrics_series_limit", "gauge",
	     "Most series kbindtop_bind_calls_total may have (--metrics-series).");
	kb_buf_printf(o, "kbindtop_metrics_series_limit %zu\n", m->max);

	head(o, "kbindtop_lost_events_total", "counter",
	     "Bind events lost: in the kernel ring buffer, or because the consumer fell behind.");
	kb_buf_printf(o, "kbindtop_lost_events_total{where=\"kernel\"} %" PRIu64 "\n",
		      st->kernel_lost + st->kernel_lost_pages);
	kb_buf_printf(o, "kbindtop_lost_events_total{where=\"queue\"} %" PRIu64 "\n",
		      st->queue_drops);

	head(o, "kbindtop_holder_info", "gauge",
	     "Per port, the command holding it at its latest EADDRINUSE (\"\" when no process).");
	for (size_t i = 0; i < m->nh; i++) {
		char port[16];

		snprintf(port, sizeof(port), "%d", m->h[i].port);
		kb_buf_puts(o, "kbindtop_holder_info{");
		put_label(o, "port", port, true);
		put_label(o, "holder_comm", m->h[i].comm, false);
		kb_buf_puts(o, "} 1\n");
	}
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int kb_metrics_write(struct kb_metrics *m, const struct kb_stats *st)
{
	char tmp[PATH_MAX];
	int fd, ret;

	if (!m)
		return 0;
	kb_metrics_render(m, st, &m->out);
	snprintf(tmp, sizeof(tmp), "%s", m->tmpl);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out_err;
	}
	/* node_exporter runs as its own user: the file must be readable by it */
	ret = fchmod(fd, 0644) ? -errno : 0;
	if (!ret)
		ret = write_all(fd, m->out.p, m->out.len);
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, m->path))
		ret = -errno;
	if (ret)
		goto out_unlink;
	return 0;

out_unlink:
	unlink(tmp);
out_err:
	m->write_errors++;
	m->last_err = ret;
	return ret;
}

int kb_metrics_tick(struct kb_metrics *m, struct kb_engine *e, uint64_t now_ns)
{
	uint64_t due;

	if (!m)
		return -1;
	due = m->last_write + m->interval_ns;
	if (!m->last_write || now_ns >= due) {
		struct kb_stats st;

		kb_engine_stats(e, &st);
		kb_metrics_write(m, &st);
		m->last_write = now_ns ? now_ns : 1;
		due = m->last_write + m->interval_ns;
	}
	return (int)((due - now_ns + 999999) / 1000000);
}

int kb_metrics_finish(struct kb_metrics *m, struct kb_engine *e, FILE *report)
{
	struct kb_stats st;

	if (!m)
		return 0;
	kb_engine_stats(e, &st);
	kb_metrics_write(m, &st);
	if (m->write_errors && report)
		fprintf(report, "kbindtop: %" PRIu64 " write%s of %s failed, the last: %s\n",
			m->write_errors, m->write_errors == 1 ? "" : "s", m->path,
			strerror(-m->last_err));
	return m->write_errors ? m->last_err : 0;
}

size_t kb_metrics_series(const struct kb_metrics *m)
{
	return m ? m->n : 0;
}

uint64_t kb_metrics_folded(const struct kb_metrics *m)
{
	return m ? m->folded : 0;
}
