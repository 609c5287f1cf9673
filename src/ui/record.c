// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * record.c - the calls as JSON lines in a file, bounded.
 *
 * Each call is rendered by the batch JSON writer (the same fields,
 * escaping and symbolized stacks as --json --stacks) into a buffer of
 * its own, so the limit is applied per line: a line that would cross
 * --write-max rotates the file or stops the recording before it is
 * written, and a recording is never cut inside a line.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "format.h"
#include "record.h"
#include "strbuf.h"
#include "xalloc.h"

struct kb_record {
	char *path;
	int fd;
	uint64_t max;
	bool rotate;
	const char *backend;
	struct kb_batch *bt;
	struct kb_buf line;		/* one call, from the batch writer */
	struct kb_buf out;		/* queued for the next flush */
	uint64_t queued;		/* calls in out */
	struct kb_record_stats st;
};

static void header(struct kb_record *r)
{
	struct utsname u;
	struct timespec ts;
	char vis[256];

	if (uname(&u))
		memset(&u, 0, sizeof(u));
	clock_gettime(CLOCK_REALTIME, &ts);
	kb_buf_puts(&r->out, "{\"kbindtop_recording\":1,\"version\":");
	kb_buf_json_str(&r->out, PACKAGE_VERSION);
	kb_buf_puts(&r->out, ",\"host\":");
	kb_visible_str(vis, sizeof(vis), u.nodename, sizeof(u.nodename));
	kb_buf_json_str(&r->out, vis);
	kb_buf_puts(&r->out, ",\"kernel\":");
	kb_visible_str(vis, sizeof(vis), u.release, sizeof(u.release));
	kb_buf_json_str(&r->out, vis);
	kb_buf_puts(&r->out, ",\"backend\":");
	kb_buf_json_str(&r->out, r->backend ? r->backend : "");
	kb_buf_printf(&r->out, ",\"start\":%lld.%06ld}\n", (long long)ts.tv_sec, ts.tv_nsec / 1000);
}

static int open_file(struct kb_record *r)
{
	/* never through a planted symlink: this may run as root in a shared directory */
	int fd = open(r->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return -errno;
	r->fd = fd;
	r->st.bytes = 0;
	header(r);
	return 0;
}

int kb_record_open(struct kb_record **out, const char *path, uint64_t max_bytes, bool rotate,
		   const char *backend, char *err, size_t errlen)
{
	struct kb_options o = { .json = true, .print_stacks = true };
	struct kb_record *r = xcalloc(1, sizeof(*r));
	int ret;

	r->path = xstrdup(path);
	r->max = max_bytes;
	r->rotate = rotate;
	r->backend = backend;
	r->fd = -1;
	kb_buf_init(&r->line);
	kb_buf_init(&r->out);
	ret = open_file(r);
	if (ret) {
		snprintf(err, errlen, "--write: cannot create %.200s: %s", path, strerror(-ret));
		kb_buf_free(&r->line);
		kb_buf_free(&r->out);
		free(r->path);
		free(r);
		return ret;
	}
	r->bt = kb_batch_new(&o, r->fd);
	ret = kb_record_flush(r);
	if (ret) {
		snprintf(err, errlen, "--write: cannot write %.200s: %s", path, strerror(-ret));
		kb_record_close(r);
		return ret;
	}
	*out = r;
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int kb_record_flush(struct kb_record *r)
{
	int ret;

	if (!r || r->fd < 0 || !r->out.len)
		return r ? r->st.err : 0;
	ret = write_all(r->fd, r->out.p, r->out.len);
	if (ret) {
		r->st.err = ret;
		r->st.dropped += r->queued;
		close(r->fd);
		r->fd = -1;
	} else {
		r->st.bytes += r->out.len;
		r->st.calls += r->queued;
	}
	kb_buf_reset(&r->out);
	r->queued = 0;
	return ret;
}

/* The file is full: start FILE again after moving it to FILE.1, or stop. */
static void full(struct kb_record *r)
{
	char *old;

	if (kb_record_flush(r))
		return;
	close(r->fd);
	r->fd = -1;
	if (!r->rotate) {
		r->st.stopped = true;
		return;
	}
	xasprintf(&old, "%s.1", r->path);
	if (rename(r->path, old) || open_file(r)) {
		r->st.err = -errno;
		r->fd = -1;
	} else {
		r->st.rotations++;
	}
	free(old);
}

void kb_record_add(struct kb_record *r, const struct kb_bind *b)
{
	if (r->fd < 0) {
		r->st.dropped++;
		return;
	}
	kb_batch_add(r->bt, b);
	kb_batch_take(r->bt, &r->line);
	if (r->max && r->st.bytes + r->out.len + r->line.len > r->max) {
		full(r);
		if (r->fd < 0) {
			r->st.dropped++;
			kb_buf_reset(&r->line);
			return;
		}
	}
	kb_buf_put(&r->out, r->line.p, r->line.len);
	kb_buf_reset(&r->line);
	r->queued++;
}

void kb_record_close(struct kb_record *r)
{
	if (!r)
		return;
	kb_record_flush(r);
	if (r->fd >= 0)
		close(r->fd);
	kb_batch_free(r->bt);
	kb_buf_free(&r->line);
	kb_buf_free(&r->out);
	free(r->path);
	free(r);
}

void kb_record_stats(const struct kb_record *r, struct kb_record_stats *st)
{
	*st = r->st;
}

const char *kb_record_status(const struct kb_record *r, char *buf, size_t len)
{
	double mb = (double)(r->st.bytes + r->out.len) / 1e6;

	if (r->st.err)
		snprintf(buf, len, "rec failed (%s), %" PRIu64 " calls not written", strerror(-r->st.err),
			 r->st.dropped);
	else if (r->st.stopped)
		snprintf(buf, len, "rec stopped at %.1fM (--write-max), %" PRIu64 " calls not written", mb,
			 r->st.dropped);
	else if (r->st.rotations)
		snprintf(buf, len, "rec %.1fM (rotated %d)", mb, r->st.rotations);
	else
		snprintf(buf, len, "rec %.1fM", mb);
	return buf;
}
