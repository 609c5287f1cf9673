// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_decode.c - libFuzzer target over the sub-buffer decoder and the
 * pairer: the input is a ring-buffer page (first byte: which instance and
 * CPU it came from), decoded with the event formats of a real capture.
 * The corpus is made of the pages of tests/data captures (tests/fuzz/run.sh).
 * Windows are tiny and the sink has little room, so the resume and
 * backpressure paths run on hostile pages too.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "decode.h"
#include "pair.h"
#include "sockaddr.h"

static struct kb_decoder *dec;
static size_t budget;		/* calls the sink can take: the pairer must not exceed it */

static void on_event(void *ctx, const struct kb_event *ev)
{
	struct kb_addr a;
	volatile size_t sink;

	if (!budget)
		abort();
	budget--;

	/* decode what came out, as the consumer would */
	kb_sockaddr_decode(ev->sa, ev->sa_len < sizeof(ev->sa) ? ev->sa_len : sizeof(ev->sa), &a);
	sink = strlen(a.text) + ev->n_ustack + ev->n_kstack;
	(void)sink;
	if (ev->n_ustack > KB_USTACK_MAX || ev->n_kstack > KB_KSTACK_MAX || ev->sa_len > KB_SA_MAX)
		abort();
}

static bool on_rec(void *ctx, const struct kb_rec *r)
{
	return kb_pair_add(ctx, r->inst * 4 + r->cpu, r);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = getenv("KB_FUZZ_CAPTURE");
	struct kb_capture *c;
	char err[256];

	if (!path)
		path = KB_TOP_SRCDIR "/tests/data/syscalls-6.18.capture";
	c = kb_capture_load(path);
	if (!c)
		abort();
	dec = kb_decoder_new_from_text(c->header_page, c->spec, (const char *const *)c->format, c->nspec,
				       c->ustack_fmt, c->kstack_fmt, err, sizeof(err));
	kb_capture_free(c);
	if (!dec)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t page[4096 + KB_PAGE_SLACK];
	struct kb_pair *p;
	int resume;
	size_t n;

	if (size < 1)
		return 0;
	n = size - 1 < 4096 ? size - 1 : 4096;
	memset(page, 0, sizeof(page));
	memcpy(page, data + 1, n);
	/* the smallest windows (4 KB a stream) and a sink with little room: a page fills
	 * the window halfway and is resumed after flushes that may not emit everything */
	p = kb_pair_new(8, true, 8 * 4096 / 2 * 3, on_event, NULL);
	resume = 0;
	for (int round = 0; round < 64; round++) {
		size_t room = (size_t)(data[0] >> 3) + 1;

		kb_decoder_page(dec, page, 4096, (data[0] >> 2) & 1, data[0] & 3, on_rec, p, &resume);
		budget = room;
		kb_pair_flush(p, UINT64_MAX / 2, &room);
		if (resume < 0)
			break;
	}
	budget = SIZE_MAX;
	{
		size_t all = SIZE_MAX;

		kb_pair_flush_all(p, &all);
	}
	kb_pair_free(p);
	return 0;
}
