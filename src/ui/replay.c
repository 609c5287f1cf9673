// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * replay.c - JSON lines of a recording back into kb_binds.
 *
 * A small JSON parser of its own, for one line at a time: recursive
 * descent with a depth limit, strings decoded into fixed buffers (cut,
 * never overrun), numbers parsed exactly (integers; ts as seconds with up
 * to nine decimals), unknown keys skipped so that newer recordings still
 * read.  Decoded text keeps printable ASCII only: any other byte, and
 * any \u escape outside it, becomes '?', so nothing read here can reach
 * a terminal as a control sequence.
 *
 * Names of frames are what the recording says; they are kept per (pid,
 * user or kernel, address) in a bounded table and given back by
 * kb_replay_stack in place of a symbolizer.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "format.h"
#include "replay.h"
#include "sockaddr.h"
#include "sockinfo.h"
#include "strbuf.h"
#include "xalloc.h"

#define DEPTH_MAX	8
#define STR_MAX		1024		/* longest string kept (longer ones are cut) */
#define INTERN_MAX	128		/* distinct protocol/state/backend names */
#define POOL_MAX	(16u << 20)	/* bytes of frame names */

struct fent {
	uint64_t addr, off;
	int pid;
	bool kernel, known;
	uint32_t sym, obj;		/* offsets into the pool */
};

struct kb_replay {
	FILE *f;
	char *line;			/* grows with the longest line, up to the limit */
	size_t linecap;
	struct kb_replay_info info;
	char *interned[INTERN_MAX];
	int ninterned;
	struct fent *fr;		/* open addressing, KB_REPLAY_FRAMES * 2 slots */
	size_t nfr;
	struct kb_buf pool;
};

/* A frame as read, before the pid of the line is known. */
struct rframe {
	uint64_t addr, off;
	bool known;
	char sym[160], obj[80];
};

struct jp {
	const char *start, *p, *end;
	int depth;
	char *err;
	size_t errlen;
	struct kb_replay *r;
	struct kb_bind *b;
	bool got_ts, is_header;
	struct rframe uf[KB_USTACK_MAX], kf[KB_KSTACK_MAX];
};

#define FAIL(jp, ...) (snprintf((jp)->err, (jp)->errlen, __VA_ARGS__), -EINVAL)

static void ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n'))
		j->p++;
}

static int peek(struct jp *j)
{
	ws(j);
	return j->p < j->end ? (unsigned char)*j->p : -1;
}

static int expect(struct jp *j, char c)
{
	if (peek(j) != c)
		return FAIL(j, j->p < j->end ? "expected '%c' at column %zu" :
			    "line ends early (expected '%c' at column %zu; truncated?)", c,
			    (size_t)(j->p - j->start) + 1);
	j->p++;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A string into out (cut to cap - 1, printable ASCII only); out may be NULL to skip it. */
static int jstring(struct jp *j, char *out, size_t cap)
{
	size_t n = 0;

	if (peek(j) != '"')
		return FAIL(j, "expected a string");
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p++;

		if (c < 0x20)
			return FAIL(j, "control character in a string");
		if (c == '\\') {
			if (j->p >= j->end)
				break;
			c = (unsigned char)*j->p++;
			switch (c) {
			case '"': case '\\': case '/':
				break;
			case 'b': case 'f': case 'n': case 'r': case 't':
				c = '?';
				break;
			case 'u': {
				int v = 0;

				for (int k = 0; k < 4; k++) {
					int h = j->p < j->end ? hexval((unsigned char)*j->p) : -1;

					if (h < 0)
						return FAIL(j, "bad \\u escape in a string");
					v = v * 16 + h;
					j->p++;
				}
				c = v >= 0x20 && v < 0x7f ? (unsigned char)v : '?';
				break;
			}
			default:
				return FAIL(j, "bad escape '\\%c' in a string", c >= 0x20 && c < 0x7f ? c : '?');
			}
		} else if (c >= 0x7f) {
			c = '?';
		}
		if (out && n + 1 < cap)
			out[n++] = (char)c;
	}
	if (j->p >= j->end)
		return FAIL(j, "line ends inside a string");
	j->p++;
	if (out && cap)
		out[n] = '\0';
	return 0;
}

/* A number: integer part, and the fraction as nanoseconds (nine digits at most count). */
struct num {
	bool neg, frac;
	uint64_t ip, ns;
};

static int jnumber(struct jp *j, struct num *v)
{
	int digits = 0;

	memset(v, 0, sizeof(*v));
	ws(j);
	if (j->p < j->end && *j->p == '-') {
		v->neg = true;
		j->p++;
	}
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
		if (v->ip > (UINT64_MAX - 9) / 10)
			return FAIL(j, "number too large");
		v->ip = v->ip * 10 + (uint64_t)(*j->p++ - '0');
		digits++;
	}
	if (!digits)
		return FAIL(j, "expected a number");
	if (j->p < j->end && *j->p == '.') {
		uint64_t scale = 100000000;

		j->p++;
		v->frac = true;
		digits = 0;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
			v->ns += (uint64_t)(*j->p++ - '0') * scale;
			scale /= 10;
			digits++;
		}
		if (!digits)
			return FAIL(j, "expected digits after '.'");
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E'))
		return FAIL(j, "exponents are not used by kbindtop");
	return 0;
}

static bool word(struct jp *j, const char *w)
{
	size_t n = strlen(w);

	ws(j);
	if ((size_t)(j->end - j->p) >= n && !memcmp(j->p, w, n)) {
		j->p += n;
		return true;
	}
	return false;
}

static int skip_value(struct jp *j);

static int skip_container(struct jp *j, char open, char close)
{
	int ret;

	if (++j->depth > DEPTH_MAX)
		return FAIL(j, "nested too deep");
	j->p++;
	if (peek(j) == close) {
		j->p++;
		j->depth--;
		return 0;
	}
	for (;;) {
		if (open == '{' && ((ret = jstring(j, NULL, 0)) || (ret = expect(j, ':'))))
			return ret;
		ret = skip_value(j);
		if (ret)
			return ret;
		if (peek(j) == ',') {
			j->p++;
			continue;
		}
		ret = expect(j, close);
		j->depth--;
		return ret;
	}
}

static int skip_value(struct jp *j)
{
	struct num n;

	switch (peek(j)) {
	case '"':
		return jstring(j, NULL, 0);
	case '{':
		return skip_container(j, '{', '}');
	case '[':
		return skip_container(j, '[', ']');
	case 't':
		return word(j, "true") ? 0 : FAIL(j, "bad literal");
	case 'f':
		return word(j, "false") ? 0 : FAIL(j, "bad literal");
	case 'n':
		return word(j, "null") ? 0 : FAIL(j, "bad literal");
	case -1:
		return FAIL(j, "line ends early");
	default:
		return jnumber(j, &n);
	}
}

/* ---- typed fields ---- */

/* An integer within [lo, hi], or null (*isnull). */
static int jint(struct jp *j, const char *key, long long lo, long long hi, long long *out, bool *isnull)
{
	struct num n;
	int c = peek(j);

	*isnull = false;
	if (c == 'n' && word(j, "null")) {
		*isnull = true;
		return 0;
	}
	if (c != '-' && (c < '0' || c > '9'))
		return FAIL(j, "field '%s' is not a number", key);
	if (jnumber(j, &n))
		return -EINVAL;
	if (n.frac || n.ip > (uint64_t)INT64_MAX)
		return FAIL(j, "field '%s' is not an integer", key);
	*out = n.neg ? -(long long)n.ip : (long long)n.ip;
	if (*out < lo || *out > hi)
		return FAIL(j, "field '%s' is out of range (%lld)", key, *out);
	return 0;
}

/* A string into out, or null (out ""). */
static int jstr(struct jp *j, const char *key, char *out, size_t cap, bool *isnull)
{
	int c = peek(j);

	*isnull = false;
	if (c == 'n' && word(j, "null")) {
		*isnull = true;
		if (cap)
			out[0] = '\0';
		return 0;
	}
	if (c != '"')
		return FAIL(j, "field '%s' is not a string", key);
	return jstring(j, out, cap);
}

static const char *intern(struct kb_replay *r, const char *s)
{
	for (int i = 0; i < r->ninterned; i++)
		if (!strcmp(r->interned[i], s))
			return r->interned[i];
	if (r->ninterned == INTERN_MAX)
		return "?";
	r->interned[r->ninterned] = xstrdup(s);
	return r->interned[r->ninterned++];
}

static int family_of(const char *name)
{
	char buf[16];

	for (int f = 0; f < 64; f++)
		if (!strcmp(kb_family_name(f, buf, sizeof(buf)), name))
			return f;
	return -1;
}

static int addr_src_of(const char *name)
{
	for (int s = KB_ADDR_NONE; s <= KB_ADDR_DIAG; s++)
		if (!strcmp(kb_fmt_addr_source(s), name))
			return s;
	return KB_ADDR_NONE;
}

static int jstack(struct jp *j, const char *key, struct rframe *fr, int max, uint8_t *n)
{
	int ret;

	*n = 0;
	if (peek(j) == 'n' && word(j, "null"))
		return 0;
	if (peek(j) != '[')
		return FAIL(j, "field '%s' is not an array", key);
	j->p++;
	if (peek(j) == ']') {
		j->p++;
		return 0;
	}
	for (;;) {
		struct rframe tmp, *f = *n < max ? &fr[*n] : &tmp;
		char addr[32];
		bool isnull;
		long long v;

		memset(f, 0, sizeof(*f));
		if ((ret = expect(j, '{')))
			return ret;
		while (peek(j) != '}') {
			char k[16];

			if ((ret = jstring(j, k, sizeof(k))) || (ret = expect(j, ':')))
				return ret;
			if (!strcmp(k, "addr")) {
				char *end;

				if ((ret = jstr(j, "addr", addr, sizeof(addr), &isnull)))
					return ret;
				f->addr = strtoull(addr, &end, 16);
				if (isnull || strncmp(addr, "0x", 2) || *end)
					return FAIL(j, "a frame's addr is not a hex address");
			} else if (!strcmp(k, "sym")) {
				if ((ret = jstr(j, "sym", f->sym, sizeof(f->sym), &isnull)))
					return ret;
				f->known = !isnull;
			} else if (!strcmp(k, "obj")) {
				if ((ret = jstr(j, "obj", f->obj, sizeof(f->obj), &isnull)))
					return ret;
			} else if (!strcmp(k, "off")) {
				if ((ret = jint(j, "off", 0, INT64_MAX, &v, &isnull)))
					return ret;
				f->off = isnull ? 0 : (uint64_t)v;
			} else if ((ret = skip_value(j))) {
				return ret;
			}
			if (peek(j) == ',')
				j->p++;
			else if (peek(j) != '}')
				return FAIL(j, "expected ',' or '}' in a frame");
		}
		j->p++;
		if (*n < max)
			(*n)++;
		if (peek(j) == ',') {
			j->p++;
			continue;
		}
		return expect(j, ']');
	}
}

static int jholder(struct jp *j, struct kb_holder *h)
{
	char k[16], s[64];
	bool isnull;
	long long v;
	int ret;

	memset(h, 0, sizeof(*h));
	h->pid = -1;
	if (peek(j) == 'n' && word(j, "null"))
		return 0;
	if ((ret = expect(j, '{')))
		return FAIL(j, "field 'holder' is not an object");
	h->known = true;
	while (peek(j) != '}') {
		if ((ret = jstring(j, k, sizeof(k))) || (ret = expect(j, ':')))
			return ret;
		if (!strcmp(k, "pid")) {
			ret = jint(j, "holder.pid", -1, INT32_MAX, &v, &isnull);
			h->pid = isnull ? -1 : (int)v;
		} else if (!strcmp(k, "sockets")) {
			ret = jint(j, "holder.sockets", 0, INT32_MAX, &v, &isnull);
			h->count = isnull ? 0 : (int)v;
		} else if (!strcmp(k, "comm")) {
			ret = jstr(j, "holder.comm", h->comm, sizeof(h->comm), &isnull);
		} else if (!strcmp(k, "addr")) {
			ret = jstr(j, "holder.addr", h->addr, sizeof(h->addr), &isnull);
		} else if (!strcmp(k, "state") || !strcmp(k, "proto")) {
			ret = jstr(j, "holder.state", s, sizeof(s), &isnull);
			if (!ret && !isnull)
				*(k[0] == 's' ? &h->state : &h->proto) = intern(j->r, s);
		} else {
			ret = skip_value(j);
		}
		if (ret)
			return ret;
		if (peek(j) == ',')
			j->p++;
		else if (peek(j) != '}')
			return FAIL(j, "expected ',' or '}' in holder");
	}
	j->p++;
	return 0;
}

/* The header line of --write: facts about the recording, not a call. */
static int header_field(struct jp *j, const char *k)
{
	struct kb_replay_info *in = &j->r->info;
	bool isnull;

	j->is_header = true;
	if (!strcmp(k, "host"))
		return jstr(j, k, in->host, sizeof(in->host), &isnull);
	if (!strcmp(k, "kernel"))
		return jstr(j, k, in->kernel, sizeof(in->kernel), &isnull);
	if (!strcmp(k, "backend") && j->is_header)
		return jstr(j, k, in->backend, sizeof(in->backend), &isnull);
	if (!strcmp(k, "version"))
		return jstr(j, k, in->version, sizeof(in->version), &isnull);
	return skip_value(j);
}

static int field(struct jp *j, const char *k)
{
	struct kb_bind *b = j->b;
	char s[STR_MAX];
	bool isnull;
	long long v;
	int ret;

	if (j->is_header)
		return header_field(j, k);
	if (!strcmp(k, "kbindtop_recording"))
		return header_field(j, k);
	if (!strcmp(k, "ts")) {
		struct num n;

		if (peek(j) != '-' && (peek(j) < '0' || peek(j) > '9'))
			return FAIL(j, "field 'ts' is not a number");
		if (jnumber(j, &n))
			return -EINVAL;
		if (n.neg || n.ip > UINT64_MAX / 1000000000ULL - 1)
			return FAIL(j, "field 'ts' is out of range");
		/* back to the monotonic clock the views keep (wraps for times before boot: fine) */
		b->ev.ts = n.ip * 1000000000ULL + n.ns - kb_mono_to_real(0);
		j->got_ts = true;
		return 0;
	}
	if (!strcmp(k, "pid")) {
		ret = jint(j, k, 1, INT32_MAX, &v, &isnull);
		b->pid = isnull ? -1 : (int)v;
		b->ev.pid = isnull ? 0 : (int)v;
		return ret;
	}
	if (!strcmp(k, "tid")) {
		ret = jint(j, k, INT32_MIN, INT32_MAX, &v, &isnull);
		b->ev.tid = isnull ? 0 : (int32_t)v;
		return ret;
	}
	if (!strcmp(k, "comm")) {
		ret = jstr(j, k, b->comm, sizeof(b->comm), &isnull);
		if (isnull || !b->comm[0])
			snprintf(b->comm, sizeof(b->comm), "?");
		memcpy(b->ev.comm, b->comm, KB_COMM_LEN - 1);	/* --comm matches either */
		return ret;
	}
	if (!strcmp(k, "uid")) {
		ret = jint(j, k, 0, UINT32_MAX, &v, &isnull);
		b->uid_known = !isnull;
		b->uid = (uint32_t)v;
		return ret;
	}
	if (!strcmp(k, "user"))
		return jstr(j, k, b->user, sizeof(b->user), &isnull);
	if (!strcmp(k, "ppid")) {
		ret = jint(j, k, 0, INT32_MAX, &v, &isnull);
		b->ppid = isnull ? -1 : (int)v;
		return ret;
	}
	if (!strcmp(k, "cmdline"))
		return jstr(j, k, b->cmdline, sizeof(b->cmdline), &isnull);
	if (!strcmp(k, "container"))
		return jstr(j, k, b->container, sizeof(b->container), &isnull);
	if (!strcmp(k, "unit"))
		return jstr(j, k, b->unit, sizeof(b->unit), &isnull);
	if (!strcmp(k, "cgroup"))
		return jstr(j, k, b->cgroup, sizeof(b->cgroup), &isnull);
	if (!strcmp(k, "netns")) {
		ret = jint(j, k, 0, INT64_MAX, &v, &isnull);
		b->netns = isnull ? 0 : (uint64_t)v;
		return ret;
	}
	if (!strcmp(k, "fd")) {
		ret = jint(j, k, INT32_MIN, INT32_MAX, &v, &isnull);
		b->ev.fd = isnull ? -1 : (int32_t)v;
		return ret;
	}
	if (!strcmp(k, "family")) {
		ret = jstr(j, k, s, sizeof(s), &isnull);
		b->addr.family = isnull ? -1 : family_of(s);
		return ret;
	}
	if (!strcmp(k, "proto")) {
		ret = jstr(j, k, s, 32, &isnull);
		b->proto = isnull || ret ? NULL : intern(j->r, s);
		return ret;
	}
	if (!strcmp(k, "addr"))
		return jstr(j, k, b->addr.text, sizeof(b->addr.text), &isnull);
	if (!strcmp(k, "port")) {
		ret = jint(j, k, 0, 65535, &v, &isnull);
		b->addr.port = isnull ? -1 : (int)v;
		return ret;
	}
	if (!strcmp(k, "bound_port")) {
		ret = jint(j, k, 0, 65535, &v, &isnull);
		b->bound_port = isnull ? -1 : (int)v;
		return ret;
	}
	if (!strcmp(k, "opts")) {
		ret = jstr(j, k, s, sizeof(s), &isnull);
		b->opts_known = !isnull && !ret;
		b->opts = b->opts_known ? kb_sockopts_parse(s) : 0;
		return ret;
	}
	if (!strcmp(k, "device"))
		return jstr(j, k, b->dev, sizeof(b->dev), &isnull);
	if (!strcmp(k, "ret")) {
		ret = jint(j, k, -4095, INT32_MAX, &v, &isnull);
		b->ev.ret = isnull ? KB_RET_UNKNOWN : (int32_t)v;
		if (isnull)
			b->ev.flags |= KB_EVF_NO_EXIT;
		return ret;
	}
	if (!strcmp(k, "holder"))
		return jholder(j, &b->holder);
	if (!strcmp(k, "hint"))
		return jstr(j, k, b->hint, sizeof(b->hint), &isnull);
	if (!strcmp(k, "state")) {
		ret = jstr(j, k, s, 32, &isnull);
		if (!isnull && !ret) {
			b->sock_state = intern(j->r, s);
			b->ev.flags |= KB_EVF_EXISTING;
		}
		return ret;
	}
	if (!strcmp(k, "backend")) {
		ret = jstr(j, k, s, 32, &isnull);
		b->backend = isnull || ret ? NULL : intern(j->r, s);
		return ret;
	}
	if (!strcmp(k, "addr_source")) {
		ret = jstr(j, k, s, 32, &isnull);
		b->addr_src = b->ev.addr_src = (uint8_t)(isnull ? KB_ADDR_NONE : addr_src_of(s));
		return ret;
	}
	if (!strcmp(k, "user_stack"))
		return jstack(j, k, j->uf, KB_USTACK_MAX, &b->ev.n_ustack);
	if (!strcmp(k, "kernel_stack"))
		return jstack(j, k, j->kf, KB_KSTACK_MAX, &b->ev.n_kstack);
	/* error, verified, user_stack_note: derived again; anything newer: skipped */
	return skip_value(j);
}

/* ---- frame names ---- */

static size_t fhash(int pid, bool kernel, uint64_t addr)
{
	uint64_t h = (addr ^ ((uint64_t)(uint32_t)pid << 1 | kernel)) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 20) & (KB_REPLAY_FRAMES * 2 - 1);
}

static void frame_store(struct kb_replay *r, int pid, bool kernel, const struct rframe *f)
{
	struct fent *e;
	size_t h;

	if (!f->addr)
		return;		/* (an all-zero slot is the empty one) */
	if (kernel)
		pid = 0;	/* kernel addresses mean the same in every process */
	if (!r->fr)
		r->fr = xcalloc(KB_REPLAY_FRAMES * 2, sizeof(*r->fr));	/* first named frame */
	h = fhash(pid, kernel, f->addr);
	for (; r->fr[h].pid || r->fr[h].addr; h = (h + 1) & (KB_REPLAY_FRAMES * 2 - 1)) {
		e = &r->fr[h];
		if (e->pid == pid && e->kernel == kernel && e->addr == f->addr)
			return;		/* the first name wins */
	}
	if (r->nfr >= KB_REPLAY_FRAMES || r->pool.len > POOL_MAX) {
		r->info.frames_dropped++;
		return;
	}
	e = &r->fr[h];
	e->addr = f->addr;
	e->pid = pid;
	e->kernel = kernel;
	e->known = f->known;
	e->off = f->off;
	e->sym = (uint32_t)kb_buf_add_entry(&r->pool, f->sym, strlen(f->sym));
	e->obj = (uint32_t)kb_buf_add_entry(&r->pool, f->obj, strlen(f->obj));
	r->nfr++;
}

void kb_replay_stack(const struct kb_replay *r, int pid, bool kernel, const uint64_t *pcs, int n,
		     struct kb_stack *out)
{
	memset(out, 0, sizeof(*out));
	if (kernel)
		pid = 0;
	if (n > (int)(sizeof(out->f) / sizeof(out->f[0])))
		n = (int)(sizeof(out->f) / sizeof(out->f[0]));
	for (int i = 0; i < n; i++) {
		struct kb_frame *f = &out->f[i];

		f->addr = pcs[i];
		if (!r->fr)
			continue;
		for (size_t h = fhash(pid, kernel, pcs[i]); r->fr[h].pid || r->fr[h].addr;
		     h = (h + 1) & (KB_REPLAY_FRAMES * 2 - 1)) {
			const struct fent *e = &r->fr[h];

			if (e->pid == pid && e->kernel == kernel && e->addr == pcs[i]) {
				f->known = e->known;
				f->off = e->off;
				snprintf(f->sym, sizeof(f->sym), "%s", r->pool.p + e->sym);
				snprintf(f->obj, sizeof(f->obj), "%s", r->pool.p + e->obj);
				break;
			}
		}
	}
	out->n = n;
}

/* ---- lines ---- */

int kb_replay_line(struct kb_replay *r, const char *line, size_t len, struct kb_bind *b, char *err,
		   size_t errlen)
{
	struct jp j = { .start = line, .p = line, .end = line + len, .err = err, .errlen = errlen, .r = r, .b = b };
	int ret;

	memset(b, 0, sizeof(*b));
	b->pid = -1;
	b->ppid = -1;
	b->bound_port = -1;
	b->holder.pid = -1;
	b->addr.family = -1;
	b->addr.port = -1;
	b->ev.fd = -1;
	b->ev.stype = -1;
	b->ev.ret = KB_RET_UNKNOWN;
	snprintf(b->comm, sizeof(b->comm), "?");
	if (peek(&j) < 0)
		return 0;	/* an empty line */
	if (peek(&j) != '{')
		return FAIL(&j, "not a JSON object");
	j.p++;
	j.depth = 1;
	while (peek(&j) != '}') {
		char key[32];

		if (peek(&j) < 0)
			return FAIL(&j, "line ends inside the object (truncated?)");
		ret = jstring(&j, key, sizeof(key));
		if (!ret)
			ret = expect(&j, ':');
		if (!ret)
			ret = field(&j, key);
		if (ret)
			return ret;
		if (peek(&j) == ',') {
			j.p++;
			if (peek(&j) == '}')
				return FAIL(&j, "',' before '}'");
		} else if (peek(&j) != '}') {
			return FAIL(&j, "expected ',' or '}' after field '%s'", key);
		}
	}
	j.p++;
	if (peek(&j) >= 0)
		return FAIL(&j, "text after the object");
	if (j.is_header) {
		r->info.header = true;
		return 0;
	}
	if (!j.got_ts)
		return FAIL(&j, "no 'ts' field: not a kbindtop call");
	for (int i = 0; i < b->ev.n_ustack; i++) {
		b->ev.ustack[i] = j.uf[i].addr;
		frame_store(r, b->pid, false, &j.uf[i]);
	}
	for (int i = 0; i < b->ev.n_kstack; i++) {
		b->ev.kstack[i] = j.kf[i].addr;
		frame_store(r, b->pid, true, &j.kf[i]);
	}
	if (b->sock_state)
		b->sock_known = true;
	return 1;
}

struct kb_replay *kb_replay_new(FILE *f)
{
	struct kb_replay *r = xcalloc(1, sizeof(*r));

	r->f = f;
	kb_buf_init(&r->pool);
	return r;
}

void kb_replay_free(struct kb_replay *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->ninterned; i++)
		free(r->interned[i]);
	kb_buf_free(&r->pool);
	free(r->fr);
	free(r->line);
	free(r);
}

const struct kb_replay_info *kb_replay_info(const struct kb_replay *r)
{
	return &r->info;
}

static void skipped(struct kb_replay *r, const char *why)
{
	r->info.skipped++;
	if (!r->info.bad_line) {
		r->info.bad_line = r->info.nlines;
		snprintf(r->info.bad, sizeof(r->info.bad), "%s", why);
	}
}

int kb_replay_next(struct kb_replay *r, struct kb_bind *b)
{
	char err[160];

	for (;;) {
		size_t len = 0;
		bool nul = false;
		int ret, c;

		/* one line, kept up to the limit; a longer one is read past, never held */
		while ((c = getc_unlocked(r->f)) != EOF && c != '\n') {
			if (len > KB_REPLAY_LINE_MAX)
				continue;
			if (len == r->linecap) {
				r->linecap = r->linecap ? r->linecap * 2 : 4096;
				r->line = xrealloc(r->line, r->linecap);
			}
			r->line[len++] = (char)c;
			nul |= c == 0;
		}
		if (c == EOF && !len)
			return ferror(r->f) ? -EIO : 0;
		r->info.nlines++;
		if (len > KB_REPLAY_LINE_MAX) {
			skipped(r, "line longer than 1 MiB");
			continue;
		}
		if (nul) {
			skipped(r, "NUL byte in the line");
			continue;
		}
		ret = kb_replay_line(r, r->line, len, b, err, sizeof(err));
		if (ret < 0) {
			skipped(r, err);
			continue;
		}
		if (ret == 0)
			continue;
		r->info.calls++;
		{
			uint64_t real = kb_mono_to_real(b->ev.ts);

			if (!r->info.first_ns || real < r->info.first_ns)
				r->info.first_ns = real;
			if (real > r->info.last_ns)
				r->info.last_ns = real;
		}
		return 1;
	}
}
