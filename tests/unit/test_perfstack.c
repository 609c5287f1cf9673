// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_perfstack.c - perf sample parsing (a record wrapping the ring's
 * end, truncated records), the stack store's sharing and bound, and the
 * pairing of samples with the latest entry of their thread.
 */
#include "config.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pair.h"
#include "perfstack.h"
#include "stackstore.h"

/* A sample as the kernel lays it out for TID|TIME|CALLCHAIN|REGS_USER|STACK_USER. */
static size_t make_sample(uint8_t *b, uint32_t pid, uint64_t time, const uint64_t *ips, int n,
			  uint32_t stack_bytes)
{
	struct perf_event_header h = { .type = PERF_RECORD_SAMPLE };
	uint64_t v;
	size_t o = sizeof(h);

	memcpy(b + o, &pid, 4);
	memcpy(b + o + 4, &pid, 4);
	o += 8;
	memcpy(b + o, &time, 8);
	o += 8;
	v = (uint64_t)n + 1;
	memcpy(b + o, &v, 8);
	o += 8;
	v = PERF_CONTEXT_USER;
	memcpy(b + o, &v, 8);
	o += 8;
	memcpy(b + o, ips, (size_t)n * 8);
	o += (size_t)n * 8;
	v = PERF_SAMPLE_REGS_ABI_64;
	memcpy(b + o, &v, 8);
	o += 8;
	for (int i = 0; i < KB_PERF_NREGS; i++) {
		v = 0x1000 + (uint64_t)i;
		memcpy(b + o, &v, 8);
		o += 8;
	}
	v = stack_bytes;
	memcpy(b + o, &v, 8);
	o += 8;
	for (uint32_t i = 0; i < stack_bytes; i++)
		b[o + i] = (uint8_t)i;
	o += stack_bytes;
	v = stack_bytes / 2;	/* dyn_size */
	memcpy(b + o, &v, 8);
	o += 8;
	h.size = (uint16_t)o;
	memcpy(b, &h, sizeof(h));
	return o;
}

static void test_parse(void)
{
	static uint8_t b[4096];
	uint64_t ips[3] = { 0x401000, 0x402000, 0x403000 };
	struct kb_perf_sample s;
	size_t n = make_sample(b, 42, 123456789, ips, 3, 64);

	CHECK_INT(kb_perf_parse_sample(b, n, true, &s), 0);
	CHECK_INT(s.pid, 42);
	CHECK_INT(s.time, 123456789);
	CHECK_INT(s.nips, 3);
	CHECK_INT(kb_perf_u64(s.ips + 16), 0x403000);
	CHECK(s.has_regs);
	CHECK_INT(s.regs[8], 0x1008);
	CHECK_INT(s.stack_size, 64);
	CHECK_INT(s.dyn_size, 32);
	CHECK_INT(s.stack[5], 5);
	/* every truncation is refused, never read past */
	for (size_t cut = 0; cut < n; cut++) {
		uint8_t *t = malloc(cut ? cut : 1);

		memcpy(t, b, cut);
		CHECK(kb_perf_parse_sample(t, cut, true, &s) == -EINVAL);
		free(t);
	}
}

struct seen {
	int n;
	uint8_t rec[3][1024];
	size_t len[3];
};

static void collect(void *ctx, const void *rec, size_t len)
{
	struct seen *sn = ctx;

	if (sn->n < 3) {
		memcpy(sn->rec[sn->n], rec, len);
		sn->len[sn->n] = len;
	}
	sn->n++;
}

static void test_ring_wrap(void)
{
	struct perf_event_mmap_page *pg = calloc(1, 4096);
	uint8_t *data = calloc(1, 1024), *one = calloc(1, 1024), scratch[65536];
	uint64_t ips[2] = { 0x401000, 0x402000 };
	struct kb_perf_ring r = { .base = pg, .data = data, .size = 1024, .scratch = scratch,
				  .scratch_len = sizeof(scratch) };
	struct kb_perf_sample s;
	struct seen sn = { 0 };
	size_t n = make_sample(one, 7, 99, ips, 2, 128), start = 1024 - 96;

	/* the record starts 96 bytes before the end and wraps to the beginning */
	for (size_t i = 0; i < n; i++)
		data[(start + i) % 1024] = one[i];
	pg->data_tail = 3 * 1024 + start;
	pg->data_head = pg->data_tail + n;
	CHECK_INT(kb_perf_ring_read(&r, collect, &sn), 1);
	CHECK_INT(sn.n, 1);
	CHECK_INT(sn.len[0], n);
	CHECK(!memcmp(sn.rec[0], one, n));
	CHECK_INT(kb_perf_parse_sample(sn.rec[0], sn.len[0], true, &s), 0);
	CHECK_INT(s.pid, 7);
	CHECK_INT(s.nips, 2);
	CHECK_INT(pg->data_tail, pg->data_head);
	free(pg);
	free(data);
	free(one);
}

static void test_store(void)
{
	struct kb_stackstore *st = kb_stackstore_new(16, 4096);
	uint64_t ips[4] = { 1, 2, 3, 4 }, regs[KB_USTACK_NREGS] = { 0 };
	uint8_t copy[512] = { 0 };
	struct kb_ustack_in in = { .pid = 5, .tid = 5, .ips = (const uint8_t *)ips, .nips = 4 };
	struct kb_stackstore_stats ss;
	struct kb_ustack u;
	uint32_t a, b, c;

	a = kb_stackstore_put(st, &in);
	b = kb_stackstore_put(st, &in);
	CHECK(a && a == b);		/* the same chain is stored once */
	in.regs = regs;
	in.copy = copy;
	in.copy_len = sizeof(copy);
	c = kb_stackstore_put(st, &in);
	CHECK(c && c != a);
	CHECK_INT(kb_stackstore_get(st, c, &u), 0);
	CHECK(u.has_copy && u.copy_len == sizeof(copy) && u.nips == 4 && u.ips[3] == 4);
	kb_ustack_release(&u);
	/* the byte bound pushes the oldest out, counted */
	for (int i = 0; i < 20; i++) {
		copy[0] = (uint8_t)(i + 1);
		kb_stackstore_put(st, &in);
	}
	kb_stackstore_get_stats(st, &ss);
	CHECK(ss.bytes <= 4096);
	CHECK(ss.evicted > 0);
	CHECK_INT(kb_stackstore_get(st, a, &u), -ENOENT);
	kb_stackstore_free(st);
}

static struct kb_event got[8];
static int ngot;

static void emit(void *ctx, const struct kb_event *ev)
{
	(void)ctx;
	if (ngot < 8)
		got[ngot] = *ev;
	ngot++;
}

static void rec(struct kb_pair *p, int s, enum kb_role role, int tid, uint64_t ts, uint32_t id)
{
	struct kb_rec r;

	memset(&r, 0, sizeof(r));
	r.role = role;
	r.tid = tid;
	r.ts = ts;
	r.fd = 3;
	r.stype = -1;
	r.stack_id = id;
	r.tgid = role == KB_ROLE_PSTACK ? 100 : 0;
	kb_pair_add(p, s, &r);
}

/* Two binds of one thread 7 us apart; each sample belongs to the entry before it. */
static void test_pairing(void)
{
	struct kb_pair *p = kb_pair_new(2, true, emit, NULL);

	ngot = 0;
	rec(p, 0, KB_ROLE_ENTER, 11, 1000, 0);
	rec(p, 1, KB_ROLE_PSTACK, 11, 1300, 71);
	rec(p, 0, KB_ROLE_EXIT, 11, 5000, 0);
	rec(p, 0, KB_ROLE_ENTER, 11, 8000, 0);
	rec(p, 0, KB_ROLE_EXIT, 11, 9000, 0);
	rec(p, 1, KB_ROLE_PSTACK, 11, 8400, 72);	/* read late, from another stream */
	/* a sample of a thread with no open call */
	rec(p, 1, KB_ROLE_PSTACK, 12, 9500, 73);
	kb_pair_flush_all(p);
	CHECK_INT(ngot, 2);
	CHECK_INT(got[0].ustack_id, 71);
	CHECK_INT(got[0].ustack_src, KB_USRC_PERF);
	CHECK_INT(got[0].pid, 100);
	CHECK_INT(got[1].ustack_id, 72);
	{
		struct kb_pair_stats ps;

		kb_pair_get_stats(p, &ps);
		CHECK_INT(ps.unmatched_stack, 1);
	}
	kb_pair_free(p);
}

/*
 * The perf probe may run before the ftrace one: a sample up to 1 ms
 * before its ENTER is that call's; an FP and a copy sample of one bind
 * keep the copy; a sample with no ENTER after it is counted unmatched.
 */
static void test_sample_first(void)
{
	struct kb_pair *p = kb_pair_new(2, true, emit, NULL);
	struct kb_pair_stats ps;
	struct kb_rec r;

	ngot = 0;
	rec(p, 1, KB_ROLE_PSTACK, 21, 999, 81);
	memset(&r, 0, sizeof(r));
	r.role = KB_ROLE_PSTACK;
	r.tid = 21;
	r.ts = 999;
	r.stack_id = 82;
	r.stack_copy = true;
	kb_pair_add(p, 1, &r);
	rec(p, 0, KB_ROLE_ENTER, 21, 1000, 0);
	rec(p, 0, KB_ROLE_EXIT, 21, 2000, 0);
	/* a sample whose ENTER never comes (lost), then a bind 2 ms later */
	rec(p, 1, KB_ROLE_PSTACK, 21, 3000, 83);
	rec(p, 0, KB_ROLE_ENTER, 21, 2003000, 0);
	rec(p, 0, KB_ROLE_EXIT, 21, 2004000, 0);
	kb_pair_flush_all(p);
	CHECK_INT(ngot, 2);
	CHECK_INT(got[0].ustack_id, 82);
	CHECK_INT(got[1].ustack_id, 0);
	kb_pair_get_stats(p, &ps);
	CHECK_INT(ps.unmatched_stack, 1);
	kb_pair_free(p);
}

int main(void)
{
	test_sample_first();
	test_parse();
	test_ring_wrap();
	test_store();
	test_pairing();
	return check_done("test_perfstack");
}
