// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * clock.c - the monotonic clock and its wall-time offset (see clock.h).
 */
#include "config.h"

#include <time.h>

#include "clock.h"

static int64_t mono_to_real_off;

uint64_t kb_now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void kb_clock_init(void)
{
	struct timespec r;
	uint64_t m1, m2;

	m1 = kb_now_mono();
	clock_gettime(CLOCK_REALTIME, &r);
	m2 = kb_now_mono();
	mono_to_real_off = (int64_t)((uint64_t)r.tv_sec * 1000000000ULL + (uint64_t)r.tv_nsec) -
			   (int64_t)(m1 / 2 + m2 / 2);
}

uint64_t kb_mono_to_real(uint64_t mono_ns)
{
	return (uint64_t)((int64_t)mono_ns + mono_to_real_off);
}
