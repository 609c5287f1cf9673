// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * decode.c - sub-buffer to kb_rec decoding with kbuffer and cached fields.
 *
 * Startup parses the format files of the handful of events in use (a few
 * hundred microseconds) instead of loading every event in tracefs (about
 * 100 ms).  Per record, fields are read by cached offset with memcpy; the
 * record size bounds every read, so garbage pages cannot make it read out
 * of bounds.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event-parse.h>
#include <kbuffer.h>

#include "decode.h"
#include "fileio.h"
#include "xalloc.h"

struct fld {
	int off;
	int size;
	bool valid;
	bool sign;
	bool dyn;		/* __data_loc / __rel_loc */
	bool rel;		/* __rel_loc: offset counts from the end of the field */
};

struct evdesc {
	enum kb_role role;
	int inst;
	struct fld pid, fd, uptr, alen, ret, fam, port, a4, a6h, a6l, a6s, path, apath, pcomm, ra,
		stype, tgid, caller, ksize, sadata, req, opcode, sqthread;
};

#define MAX_DESC 32

struct kb_decoder {
	struct tep_handle *tep;
	struct kbuffer *kbuf;
	int subbuf_size;
	int ndesc;
	struct evdesc desc[MAX_DESC];
	uint8_t by_id[65536];	/* event id -> desc index + 1 */
	bool enter_has_addr;
};

static void get_field(struct tep_event *ev, const char *name, struct fld *f)
{
	struct tep_format_field *tf = !strncmp(name, "common_", 7) ?
		tep_find_common_field(ev, name) : tep_find_field(ev, name);

	memset(f, 0, sizeof(*f));
	if (!tf)
		return;
	f->valid = true;
	f->off = tf->offset;
	f->size = tf->size;
	f->sign = tf->flags & TEP_FIELD_IS_SIGNED;
	f->dyn = tf->flags & TEP_FIELD_IS_DYNAMIC;
	f->rel = tf->flags & TEP_FIELD_IS_RELATIVE;
}

/* A syscall event field holding the sockaddr bytes (kernels that copy user data). */
static void find_sadata(struct tep_event *ev, struct fld *f)
{
	memset(f, 0, sizeof(*f));
	for (struct tep_format_field *tf = ev->format.fields; tf; tf = tf->next) {
		if (!strcmp(tf->name, "umyaddr") || !strstr(tf->name, "umyaddr"))
			continue;
		if (!(tf->flags & (TEP_FIELD_IS_DYNAMIC | TEP_FIELD_IS_ARRAY)))
			continue;
		f->valid = true;
		f->off = tf->offset;
		f->size = tf->size;
		f->dyn = tf->flags & TEP_FIELD_IS_DYNAMIC;
		f->rel = tf->flags & TEP_FIELD_IS_RELATIVE;
		return;
	}
}

static int add_event(struct kb_decoder *d, const char *system, const char *fmt, enum kb_role role,
		     int inst, char *err, size_t errlen)
{
	struct tep_event *ev = NULL;
	struct evdesc *de;
	enum tep_errno r;

	if (d->ndesc >= MAX_DESC) {
		snprintf(err, errlen, "too many events");
		return -1;
	}
	r = tep_parse_format(d->tep, &ev, fmt, strlen(fmt), system);
	if (r || !ev) {
		char msg[128];

		tep_strerror(d->tep, r, msg, sizeof(msg));
		snprintf(err, errlen, "cannot parse event format of %s: %s", system, msg);
		return -1;
	}
	if (ev->id < 0 || ev->id > 65535) {
		snprintf(err, errlen, "event %s/%s has id %d", system, ev->name, ev->id);
		return -1;
	}
	de = &d->desc[d->ndesc];
	de->role = role;
	de->inst = inst;
	get_field(ev, "common_pid", &de->pid);
	/* syscall tracepoints and kbindtop's own probes name their fields differently */
	get_field(ev, "fd", &de->fd);
	get_field(ev, "umyaddr", &de->uptr);
	if (!de->uptr.valid)
		get_field(ev, "uptr", &de->uptr);
	get_field(ev, "addrlen", &de->alen);
	if (!de->alen.valid)
		get_field(ev, "alen", &de->alen);
	get_field(ev, "ret", &de->ret);
	if (!de->ret.valid)
		get_field(ev, "res", &de->ret);		/* io_uring_complete */
	get_field(ev, "req", &de->req);
	get_field(ev, "opcode", &de->opcode);
	get_field(ev, "sq_thread", &de->sqthread);
	get_field(ev, "fam", &de->fam);
	get_field(ev, "port", &de->port);
	get_field(ev, "a4", &de->a4);
	get_field(ev, "a6h", &de->a6h);
	get_field(ev, "a6l", &de->a6l);
	get_field(ev, "a6s", &de->a6s);
	get_field(ev, "path", &de->path);
	get_field(ev, "apath", &de->apath);
	get_field(ev, "pcomm", &de->pcomm);
	get_field(ev, "ra", &de->ra);
	get_field(ev, "stype", &de->stype);
	get_field(ev, "tgid", &de->tgid);
	get_field(ev, "caller", &de->caller);
	get_field(ev, "size", &de->ksize);
	find_sadata(ev, &de->sadata);
	if (role == KB_ROLE_ENTER && de->sadata.valid)
		d->enter_has_addr = true;
	d->by_id[ev->id] = (uint8_t)(d->ndesc + 1);
	d->ndesc++;
	return 0;
}

static struct kb_decoder *decoder_alloc(const char *header_page, char *err, size_t errlen)
{
	struct kb_decoder *d = xcalloc(1, sizeof(*d));
	enum kbuffer_long_size lsize;

	d->tep = tep_alloc();
	if (!d->tep) {
		free(d);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	char *hp = xstrdup(header_page);	/* the parser wants a writable copy */
	int r = tep_parse_header_page(d->tep, hp, strlen(hp), sizeof(long));

	free(hp);
	if (r) {
		snprintf(err, errlen, "cannot parse events/header_page");
		kb_decoder_free(d);
		return NULL;
	}
	lsize = tep_get_header_page_size(d->tep) == 8 ? KBUFFER_LSIZE_8 : KBUFFER_LSIZE_4;
	d->kbuf = kbuffer_alloc(lsize, KBUFFER_ENDIAN_LITTLE);
	if (!d->kbuf) {
		snprintf(err, errlen, "out of memory");
		kb_decoder_free(d);
		return NULL;
	}
	d->subbuf_size = 4096;
	return d;
}

struct kb_decoder *kb_decoder_new_from_text(const char *header_page, const struct kb_evspec *specs,
					    const char *const *formats, int n,
					    const char *ustack_fmt, const char *kstack_fmt,
					    char *err, size_t errlen)
{
	struct kb_decoder *d = decoder_alloc(header_page, err, errlen);

	if (!d)
		return NULL;
	for (int i = 0; i < n; i++)
		if (add_event(d, specs[i].system, formats[i], specs[i].role, specs[i].inst, err, errlen))
			goto fail;
	if (ustack_fmt && add_event(d, "ftrace", ustack_fmt, KB_ROLE_USTACK, -1, err, errlen))
		goto fail;
	if (kstack_fmt && add_event(d, "ftrace", kstack_fmt, KB_ROLE_KSTACK, -1, err, errlen))
		goto fail;
	return d;
fail:
	kb_decoder_free(d);
	return NULL;
}


struct kb_decoder *kb_decoder_new(const char *dir, const struct kb_evspec *specs, int n,
				  char *err, size_t errlen)
{
	char path[512];
	char *hp, *us, *ks;
	char **fmts = xcalloc((size_t)n + 1, sizeof(char *));
	struct kb_decoder *d = NULL;

	snprintf(path, sizeof(path), "%s/events/header_page", dir);
	hp = kb_file_read(path, 1u << 20, NULL);
	snprintf(path, sizeof(path), "%s/events/ftrace/user_stack/format", dir);
	us = kb_file_read(path, 1u << 20, NULL);
	snprintf(path, sizeof(path), "%s/events/ftrace/kernel_stack/format", dir);
	ks = kb_file_read(path, 1u << 20, NULL);
	if (!hp) {
		snprintf(err, errlen, "cannot read %s/events/header_page: %s", dir, strerror(errno));
		goto out;
	}
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/events/%s/%s/format", dir, specs[i].system, specs[i].name);
		fmts[i] = kb_file_read(path, 1u << 20, NULL);
		if (!fmts[i]) {
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
			goto out;
		}
	}
	d = kb_decoder_new_from_text(hp, specs, (const char *const *)fmts, n, us, ks, err, errlen);
out:
	for (int i = 0; i < n; i++)
		free(fmts[i]);
	free(fmts);
	free(hp);
	free(us);
	free(ks);
	return d;
}

void kb_decoder_free(struct kb_decoder *d)
{
	if (!d)
		return;
	if (d->kbuf)
		kbuffer_free(d->kbuf);
	if (d->tep)
		tep_free(d->tep);
	free(d);
}

int kb_decoder_subbuf_size(const struct kb_decoder *d)
{
	return d->subbuf_size;
}

bool kb_decoder_enter_has_addr(const struct kb_decoder *d)
{
	return d->enter_has_addr;
}

/* Numeric field, sign-extended where signed; 0 when absent or out of bounds. */
static uint64_t rd_num(const uint8_t *data, int size, const struct fld *f)
{
	if (!f->valid || f->off < 0 || f->off + f->size > size)
		return 0;
	switch (f->size) {
	case 1: {
		uint8_t v = data[f->off];

		return f->sign ? (uint64_t)(int64_t)(int8_t)v : v;
	}
	case 2: {
		uint16_t v;

		memcpy(&v, data + f->off, 2);
		return f->sign ? (uint64_t)(int64_t)(int16_t)v : v;
	}
	case 4: {
		uint32_t v;

		memcpy(&v, data + f->off, 4);
		return f->sign ? (uint64_t)(int64_t)(int32_t)v : v;
	}
	case 8: {
		uint64_t v;

		memcpy(&v, data + f->off, 8);
		return v;
	}
	default:
		return 0;
	}
}

/* Location of a dynamic (or fixed array) field's bytes; NULL when absent or out of bounds. */
static const uint8_t *rd_bytes(const uint8_t *data, int size, const struct fld *f, size_t *len)
{
	uint32_t loc, off, l;

	*len = 0;
	if (!f->valid || f->off < 0 || f->off + f->size > size)
		return NULL;
	if (!f->dyn) {
		*len = (size_t)f->size;
		return data + f->off;
	}
	if (f->size != 4)
		return NULL;
	memcpy(&loc, data + f->off, 4);
	off = loc & 0xffff;
	l = loc >> 16;
	if (f->rel)
		off += (uint32_t)(f->off + f->size);
	if (off > (uint32_t)size || l > (uint32_t)size - off)
		return NULL;
	*len = l;
	return data + off;
}

/* Copy a string field (bounded, NUL-terminated) into dst. */
static size_t rd_str(const uint8_t *data, int size, const struct fld *f, char *dst, size_t cap)
{
	size_t len, n;
	const uint8_t *p = rd_bytes(data, size, f, &len);

	if (!p || !cap)
		return 0;
	n = strnlen((const char *)p, len);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return n;
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/*
 * Rebuild sockaddr bytes from probe fields.  Fields hold memory as the
 * probe read it (little-endian words), so storing them back little-endian
 * restores the original byte order, network-order port included.
 */
static void build_sockaddr(const struct evdesc *de, const uint8_t *data, int size, struct kb_rec *r)
{
	uint16_t fam = (uint16_t)rd_num(data, size, &de->fam);
	size_t cap = sizeof(r->sa);

	memset(r->sa, 0, 28);
	put16(r->sa, fam);
	put16(r->sa + 2, (uint16_t)rd_num(data, size, &de->port));
	put32(r->sa + 4, (uint32_t)rd_num(data, size, &de->a4));
	put64(r->sa + 8, rd_num(data, size, &de->a6h));
	put64(r->sa + 16, rd_num(data, size, &de->a6l));
	put32(r->sa + 24, (uint32_t)rd_num(data, size, &de->a6s));
	r->sa_len = 28;
	if (fam == 1 /* AF_UNIX */) {
		char tmp[KB_SA_MAX];
		size_t n = rd_str(data, size, &de->path, tmp, sizeof(tmp));

		memset(r->sa + 2, 0, cap - 2);
		if (n) {
			memcpy(r->sa + 2, tmp, n);
			r->sa_len = (uint16_t)(2 + n);
		} else if (r->addrlen > 2) {
			/* abstract: byte 2 is NUL, the name follows (read up to its first NUL) */
			n = rd_str(data, size, &de->apath, tmp, sizeof(tmp) - 3);
			size_t want = r->addrlen - 3;

			if (want > n)
				want = n;
			memcpy(r->sa + 3, tmp, want);
			r->sa_len = (uint16_t)(3 + want);
		} else {
			r->sa_len = 2;
		}
	} else if (r->addrlen && r->addrlen < r->sa_len) {
		r->sa_len = (uint16_t)r->addrlen;
	}
}

static void decode_one(const struct kb_decoder *d, const struct evdesc *de, const uint8_t *data,
		       int size, struct kb_rec *r)
{
	r->role = de->role;
	r->tid = (int)rd_num(data, size, &de->pid);
	r->fd = de->fd.valid ? (int32_t)rd_num(data, size, &de->fd) : -1;
	r->ret = (int32_t)rd_num(data, size, &de->ret);
	r->addrlen = (uint32_t)rd_num(data, size, &de->alen);
	r->uptr = rd_num(data, size, &de->uptr);
	r->ra = rd_num(data, size, &de->ra);
	r->stype = de->stype.valid ? (int16_t)rd_num(data, size, &de->stype) : -1;
	r->tgid = (uint32_t)rd_num(data, size, &de->tgid);
	r->req = rd_num(data, size, &de->req);
	r->sqthread = rd_num(data, size, &de->sqthread) != 0;
	r->has_comm = rd_str(data, size, &de->pcomm, r->comm, sizeof(r->comm)) > 0;
	r->sa_len = 0;
	r->sa_src = KB_ADDR_NONE;
	r->nframes = 0;

	if (de->fam.valid) {
		build_sockaddr(de, data, size, r);
		r->sa_src = de->role == KB_ROLE_UADDR ? KB_ADDR_UPROBE :
			    de->role == KB_ROLE_KSOCK ? KB_ADDR_KCOPY : KB_ADDR_KPROBE;
	} else if (de->sadata.valid) {
		size_t len;
		const uint8_t *p = rd_bytes(data, size, &de->sadata, &len);

		if (p && len) {
			if (len > sizeof(r->sa))
				len = sizeof(r->sa);
			memcpy(r->sa, p, len);
			r->sa_len = (uint16_t)len;
			r->sa_src = KB_ADDR_TRACEPOINT;
		}
	}

	if (de->caller.valid) {
		/* kernel_stack: "size" frames may run past the declared caller[8] */
		int avail = (size - de->caller.off) / 8;
		int n = de->role == KB_ROLE_KSTACK && de->ksize.valid ?
			(int)rd_num(data, size, &de->ksize) : de->caller.size / 8;

		if (de->role == KB_ROLE_KSTACK && n > 64)	/* older kernels store bytes */
			n /= 8;
		if (n > avail)
			n = avail;
		if (n > KB_REC_FRAMES)
			n = KB_REC_FRAMES;
		for (int i = 0; i < n; i++) {
			uint64_t a;

			memcpy(&a, data + de->caller.off + 8 * i, 8);
			/* user stacks end at the first 0 (or ULONG_MAX marker) */
			if (!a || a == UINT64_MAX)
				break;
			r->frames[r->nframes++] = a;
		}
	}
}

long kb_decoder_page(struct kb_decoder *d, void *page, size_t size, int inst, int cpu,
		     kb_rec_fn fn, void *ctx)
{
	unsigned long long ts;
	struct kb_rec rec;
	long missed;
	void *data;

	uint64_t commit;
	size_t used;

	if (size < 16 || size > (1u << 20))
		return 0;
	/*
	 * kbuffer trusts the page header: check that the data it claims
	 * (and the missed-events count stored after it) lies in the page.
	 */
	memcpy(&commit, (const uint8_t *)page + 8, sizeof(commit));
	used = (size_t)(commit & ((1u << 27) - 1));
	if (16 + used + ((commit & (1ULL << 30)) ? 8 : 0) > size)
		return 0;
	if (kbuffer_load_subbuffer(d->kbuf, page) < 0)
		return 0;
	missed = kbuffer_missed_events(d->kbuf);
	for (data = kbuffer_read_event(d->kbuf, &ts); data; data = kbuffer_next_event(d->kbuf, &ts)) {
		int esize = kbuffer_event_size(d->kbuf);
		const uint8_t *p = data;
		const struct evdesc *de;
		uint16_t type;
		int idx;

		/* kbuffer trusts the page's own lengths: bound them by what was read */
		if (esize < 8 || (const uint8_t *)data < (const uint8_t *)page ||
		    (const uint8_t *)data + esize > (const uint8_t *)page + size)
			break;
		memcpy(&type, p, 2);
		idx = d->by_id[type];
		if (!idx)
			continue;
		rec.inst = inst;
		rec.cpu = cpu;
		rec.ts = ts;
		de = &d->desc[idx - 1];
		/* only binds, even if the kernel filter did not take */
		if (de->role == KB_ROLE_IOU_SUBMIT && rd_num(p, esize, &de->opcode) != KB_IORING_OP_BIND)
			continue;
		decode_one(d, de, p, esize, &rec);
		fn(ctx, &rec);
	}
	return missed;
}
