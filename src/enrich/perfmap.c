// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * perfmap.c - parsing and looking up JIT perf maps.
 *
 * JITs append to their map as they compile and may reuse addresses for
 * new code; the last line for an address wins.  Entries are sorted by
 * start once, so a lookup is a binary search.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "perfmap.h"
#include "xalloc.h"

void kb_perfmap_free(struct kb_perfmap *pm)
{
	free(pm->e);
	kb_buf_free(&pm->names);
	memset(pm, 0, sizeof(*pm));
}

/* Hex number with optional 0x; advances *p.  false when none. */
static bool hexnum(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	int digits = 0;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; s < end; s++, digits++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (digits >= 16)
			return false;
		x = x << 4 | (uint64_t)d;
	}
	if (!digits)
		return false;
	*p = s;
	*v = x;
	return true;
}

static int cmp_ent(const void *a, const void *b)
{
	const struct kb_perfmap_ent *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

size_t kb_perfmap_parse(struct kb_perfmap *pm, const char *text, size_t len)
{
	const char *end = text + len;
	size_t cap = 0, w = 0;
	uint32_t seq = 0;

	kb_perfmap_free(pm);
	for (const char *l = text; l < end && pm->n < KB_PERFMAP_MAX_ENTRIES;) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		const char *le = nl ? nl : end, *p = l;
		uint64_t start, size;
		size_t nlen;

		seq++;
		if (!hexnum(&p, le, &start) || p >= le || *p != ' ' || (p++, !hexnum(&p, le, &size)) ||
		    p >= le || *p != ' ' || !size || start + size < start) {
			if (le > l)
				pm->bad_lines++;
			goto next;
		}
		p++;
		nlen = (size_t)(le - p);
		if (nlen && p[nlen - 1] == '\r')
			nlen--;
		if (nlen > KB_PERFMAP_NAME_MAX)
			nlen = KB_PERFMAP_NAME_MAX;
		if (pm->n == cap) {
			cap = cap ? cap * 2 : 256;
			pm->e = xrealloc(pm->e, cap * sizeof(*pm->e));
		}
		pm->e[pm->n++] = (struct kb_perfmap_ent){ .start = start, .end = start + size,
			.name = (uint32_t)kb_buf_add_entry(&pm->names, p, nlen), .seq = seq };
next:
		l = nl ? nl + 1 : end;
	}
	if (!pm->n)
		return 0;
	qsort(pm->e, pm->n, sizeof(*pm->e), cmp_ent);
	/* same start: keep the newest line only */
	for (size_t i = 0; i < pm->n; i++) {
		if (w && pm->e[w - 1].start == pm->e[i].start)
			w--;
		pm->e[w++] = pm->e[i];
	}
	pm->n = w;
	return pm->n;
}

const char *kb_perfmap_find(const struct kb_perfmap *pm, uint64_t addr, uint64_t *off)
{
	size_t lo = 0, hi = pm->n;
	const struct kb_perfmap_ent *best = NULL;

	/* last entry starting at or before addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pm->e[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* overlapping code from recompilation: the newest covering entry wins */
	for (size_t i = lo, k = 0; i > 0 && k < 16; i--, k++) {
		const struct kb_perfmap_ent *e = &pm->e[i - 1];

		if (addr < e->end && (!best || e->seq > best->seq))
			best = e;
	}
	if (!best)
		return NULL;
	if (off)
		*off = addr - best->start;
	return pm->names.p + best->name;
}

long kb_perfmap_load(struct kb_perfmap *pm, int pid, const char *path, const uid_t *uids, int nuids,
		     uint64_t *mtime_ns, uint64_t *size)
{
	char def[64], *buf;
	struct stat st;
	size_t got = 0;
	bool owner_ok;
	long ret;
	int fd;

	if (!path) {
		snprintf(def, sizeof(def), "/tmp/perf-%d.map", pid);
		path = def;
	}
	/* /tmp is world-writable: no symlinks, no FIFOs that block */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	owner_ok = st.st_uid == 0;
	for (int i = 0; i < nuids; i++)
		owner_ok = owner_ok || st.st_uid == uids[i];
	if (!S_ISREG(st.st_mode) || !owner_ok) {
		ret = -EPERM;
		goto out;
	}
	if (st.st_size > (off_t)KB_PERFMAP_MAX_BYTES) {
		ret = -EFBIG;
		goto out;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	ret = (long)kb_perfmap_parse(pm, buf, got);
	free(buf);
	if (mtime_ns)
		*mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000ULL + (uint64_t)st.st_mtim.tv_nsec;
	if (size)
		*size = (uint64_t)st.st_size;
out:
	close(fd);
	return ret;
}
