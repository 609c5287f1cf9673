/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check.h - minimal assertions for unit tests: each failed check prints
 * file:line and the values, the test keeps going, and check_done()
 * returns the exit status automake's test driver expects.
 */
#ifndef KB_TEST_CHECK_H
#define KB_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond) do { \
	check_count++; \
	if (!(cond)) { \
		check_failures++; \
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_INT(a, b) do { \
	long long _a = (long long)(a), _b = (long long)(b); \
	check_count++; \
	if (_a != _b) { \
		check_failures++; \
		fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, \
			#a, _a, #b, _b); \
	} \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *_a = (a), *_b = (b); \
	check_count++; \
	if (!_a || !_b || strcmp(_a, _b)) { \
		check_failures++; \
		fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
			#a, _a ? _a : "(null)", _b ? _b : "(null)"); \
	} \
} while (0)

static inline int check_done(const char *name)
{
	fprintf(stderr, "%s: %d checks, %d failed\n", name, check_count, check_failures);
	return check_failures ? 1 : 0;
}

#endif
