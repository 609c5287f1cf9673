// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rate.c - token bucket (see rate.h).
 */
#include "config.h"

#include "rate.h"

void kb_rate_init(struct kb_rate *r, double per_sec, double burst)
{
	r->tokens = burst;
	r->per_sec = per_sec;
	r->burst = burst;
	r->last_ns = 0;
}

bool kb_rate_take(struct kb_rate *r, uint64_t now_ns)
{
	if (r->last_ns)
		r->tokens += (double)(now_ns - r->last_ns) * 1e-9 * r->per_sec;
	r->last_ns = now_ns;
	if (r->tokens > r->burst)
		r->tokens = r->burst;
	if (r->tokens < 1.0)
		return false;
	r->tokens -= 1.0;
	return true;
}
