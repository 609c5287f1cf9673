// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_decode.c - replay real captures (tests/data/NAME.capture, recorded with
 * KBINDTOP_CAPTURE from kbindtop on a real kernel) through the decoder and
 * the pairer, and check every bind of the test program came out exact;
 * then feed the decoder garbage.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "capture.h"
#include "check.h"
#include "decode.h"
#include "pair.h"
#include "sockaddr.h"

#define MAXEV 256

static struct kb_event evs[MAXEV];
static int nev;
static size_t room = SIZE_MAX;	/* the sink takes everything */

static void collect(void *ctx, const struct kb_event *ev)
{
	if (nev < MAXEV)
		evs[nev++] = *ev;
}

static bool to_pair(void *ctx, const struct kb_rec *r)
{
	struct kb_pair *p = ctx;

	return kb_pair_add(p, r->inst * 64 + r->cpu, r);
}

static struct kb_decoder *decoder_for(const struct kb_capture *c)
{
	char err[256] = "";
	struct kb_decoder *d = kb_decoder_new_from_text(c->header_page, c->spec,
							(const char *const *)c->format, c->nspec,
							c->ustack_fmt, c->kstack_fmt, err, sizeof(err));

	if (!d)
		fprintf(stderr, "decoder: %s\n", err);
	return d;
}

static int replay(const char *path, bool ustacks)
{
	struct kb_capture *c = kb_capture_load(path);
	struct kb_decoder *d;
	struct kb_pair *p;

	nev = 0;
	CHECK(c != NULL);
	if (!c)
		return -1;
	d = decoder_for(c);
	CHECK(d != NULL);
	if (!d) {
		kb_capture_free(c);
		return -1;
	}
	p = kb_pair_new(2 * 64, ustacks, 0, collect, NULL);
	for (int i = 0; i < c->npages; i++)
		CHECK_INT(kb_decoder_page(d, c->pages[i].data, c->pages[i].size, c->pages[i].inst,
					  c->pages[i].cpu, to_pair, p, NULL), 0);
	kb_pair_flush_all(p, &room);
	kb_pair_free(p);
	kb_decoder_free(d);
	kb_capture_free(c);
	return 0;
}

static const struct kb_event *by_comm(const char *comm, int nth)
{
	for (int i = 0; i < nev; i++)
		if (!strcmp(evs[i].comm, comm) && nth-- == 0)
			return &evs[i];
	return NULL;
}

static void expect_src(const struct kb_event *e, int fam, const char *addr, int port, int ret, int src)
{
	struct kb_addr a;

	CHECK(e != NULL);
	if (!e)
		return;
	kb_sockaddr_decode(e->sa, e->sa_len, &a);
	CHECK_INT(a.family, fam);
	CHECK_STR(a.text, addr);
	CHECK_INT(a.port, port);
	CHECK_INT(e->ret, ret);
	CHECK_INT(e->addr_src, src);
	CHECK(e->pid > 0 && e->pid == e->tid);
	CHECK(e->n_ustack >= 3);
	CHECK(e->flags & KB_EVF_CALLER_FIXED);
	CHECK(e->ts_exit >= e->ts);
}

static void expect(const struct kb_event *e, int fam, const char *addr, int port, int ret)
{
	expect_src(e, fam, addr, port, ret, KB_ADDR_UPROBE);
}

/* The same program on the Debian 6.1 kernel, kprobe backend (__x64_sys_bind). */
static void test_kprobe_capture(const char *dir)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/kprobe-6.1.capture", dir);
	if (replay(path, true))
		return;
	expect_src(by_comm("kbt-cap", 0), AF_INET, "127.0.0.1", 47101, 0, KB_ADDR_KPROBE);
	expect_src(by_comm("kbt-cap", 1), AF_INET6, "::1", 47102, 0, KB_ADDR_KPROBE);
	expect_src(by_comm("kbt-cap", 2), AF_UNIX, "/tmp/kbt-cap.sock", -1, 0, KB_ADDR_KPROBE);
	expect_src(by_comm("kbt-cap", 3), AF_UNIX, "@kbt-cap", -1, 0, KB_ADDR_KPROBE);
	expect_src(by_comm("kbt-cap", 4), AF_INET, "0.0.0.0", 0, 0, KB_ADDR_KPROBE);
	expect_src(by_comm("kbt-cap", 5), AF_INET, "127.0.0.1", 47101, -98, KB_ADDR_KPROBE);
	/* a raw syscall is as exact as any on this backend */
	expect_src(by_comm("kbt-cap-raw", 0), AF_INET6, "::1", 47103, 0, KB_ADDR_KPROBE);
}

static void test_syscalls_capture(const char *dir)
{
	char path[600];
	const struct kb_event *raw = NULL;

	snprintf(path, sizeof(path), "%s/syscalls-6.18.capture", dir);
	if (replay(path, true))
		return;
	/* the program: bindprog -s -k -n kbt-cap (scribbles after every bind) */
	expect(by_comm("kbt-cap", 0), AF_INET, "127.0.0.1", 47101, 0);
	expect(by_comm("kbt-cap", 1), AF_INET6, "::1", 47102, 0);
	expect(by_comm("kbt-cap", 2), AF_UNIX, "/tmp/kbt-cap.sock", -1, 0);
	expect(by_comm("kbt-cap", 3), AF_UNIX, "@kbt-cap", -1, 0);
	expect(by_comm("kbt-cap", 4), AF_INET, "0.0.0.0", 0, 0);
	expect(by_comm("kbt-cap", 5), AF_INET, "127.0.0.1", 47101, -98);
	CHECK(by_comm("kbt-cap", 6) == NULL);
	/* bindprog -S: a raw syscall, no libc uprobe, so no address and no comm */
	for (int i = 0; i < nev; i++)
		if (evs[i].addr_src == KB_ADDR_NONE && evs[i].addrlen == 28)
			raw = &evs[i];
	CHECK(raw != NULL);
	if (raw) {
		CHECK_INT(raw->ret, 0);
		CHECK(raw->uptr != 0);
		CHECK_STR(raw->comm, "");
		CHECK(!(raw->flags & KB_EVF_CALLER_FIXED));
	}
}

/* Garbage must never crash the decoder or make it read out of bounds. */
static void test_garbage(const char *dir)
{
	char path[600];
	struct kb_capture *c;
	struct kb_decoder *d;
	unsigned char page[4096 + KB_PAGE_SLACK];

	snprintf(path, sizeof(path), "%s/syscalls-6.18.capture", dir);
	c = kb_capture_load(path);
	if (!c)
		return;
	d = decoder_for(c);
	srand(1);
	for (int round = 0; round < 2000 && d; round++) {
		struct kb_pair *p = kb_pair_new(2 * 64, true, 0, collect, NULL);
		size_t sz = 4096;

		if (round % 3 == 0 && c->npages) {
			/* a real page with a few bytes flipped */
			memcpy(page, c->pages[round % c->npages].data, 4096);
			for (int k = 0; k < 8; k++)
				page[rand() % 4096] ^= (unsigned char)(1u << (rand() % 8));
		} else {
			for (size_t k = 0; k < 4096; k++)
				page[k] = (unsigned char)rand();
			memset(page + 4096, 0, KB_PAGE_SLACK);
			sz = (size_t)(rand() % 4096) + 1;
		}
		nev = 0;
		kb_decoder_page(d, page, sz, 0, 0, to_pair, p, NULL);
		kb_pair_flush_all(p, &room);
		kb_pair_free(p);
	}
	CHECK(d != NULL);
	kb_decoder_free(d);
	kb_capture_free(c);
}

int main(void)
{
	const char *top = getenv("top_srcdir");
	char dir[512];

	snprintf(dir, sizeof(dir), "%s/tests/data", top ? top : ".");
	test_syscalls_capture(dir);
	test_kprobe_capture(dir);
	test_garbage(dir);
	return check_done("test_decode");
}
