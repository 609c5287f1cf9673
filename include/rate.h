/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rate.h - a token bucket: at most per_sec takes a second on average, up
 * to burst at once.  Budgets for work done on behalf of traced processes
 * (socket inspections, holder lookups) so a bind storm cannot make
 * kbindtop do unbounded work.  Not locked: one bucket per owning thread.
 */
#ifndef KB_RATE_H
#define KB_RATE_H

#include <stdbool.h>
#include <stdint.h>

struct kb_rate {
	double tokens;
	double per_sec;
	double burst;
	uint64_t last_ns;
};

/* A full bucket: burst takes available at once, refilled at per_sec. */
void kb_rate_init(struct kb_rate *r, double per_sec, double burst);

/*
 * kb_rate_take - take one token at now_ns (kb_now_mono()).  Returns false
 * when the bucket is empty: the caller skips the work and counts it.
 */
bool kb_rate_take(struct kb_rate *r, uint64_t now_ns);

#endif
