// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_replay.c - libFuzzer target over the recording reader (-r): any
 * bytes, as a whole file and as one line, must parse or be skipped
 * without reading past them, and every text field of a call that comes
 * out must be printable ASCII.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void visible(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();	/* not terminated */
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			abort();
}

static void check(const struct kb_bind *b)
{
	visible(b->comm, sizeof(b->comm));
	visible(b->user, sizeof(b->user));
	visible(b->cmdline, sizeof(b->cmdline));
	visible(b->addr.text, sizeof(b->addr.text));
	visible(b->hint, sizeof(b->hint));
	visible(b->holder.comm, sizeof(b->holder.comm));
	visible(b->dev, sizeof(b->dev));
	if (b->ev.n_ustack > KB_USTACK_MAX || b->ev.n_kstack > KB_KSTACK_MAX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);	/* exact size: ASan sees overreads */
	static struct kb_bind b;
	struct kb_replay *r;
	struct kb_stack st;
	char err[160];
	FILE *f;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	r = kb_replay_new(NULL);
	if (kb_replay_line(r, copy, size, &b, err, sizeof(err)) == 1) {
		check(&b);
		kb_replay_stack(r, b.pid, false, b.ev.ustack, b.ev.n_ustack, &st);
		kb_replay_stack(r, b.pid, true, b.ev.kstack, b.ev.n_kstack, &st);
		for (int i = 0; i < st.n; i++)
			visible(st.f[i].sym, sizeof(st.f[i].sym));
	}
	kb_replay_free(r);

	f = size ? fmemopen(copy, size, "r") : NULL;
	if (f) {
		r = kb_replay_new(f);
		while (kb_replay_next(r, &b) > 0)
			check(&b);
		visible(kb_replay_info(r)->bad, sizeof(kb_replay_info(r)->bad));
		kb_replay_free(r);
		fclose(f);
	}
	free(copy);
	return 0;
}
