// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * demangle.c - C++ and Rust symbol names.
 *
 * Why libstdc++: it is the reference implementation of the Itanium C++
 * ABI demangler, is installed on every system that runs C++ programs,
 * and exports __cxa_demangle with C linkage, so kbindtop stays a C
 * program.  elfutils does not demangle in libdw itself.  When configure
 * does not find it, names stay mangled (still correct, less readable).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demangle.h"

#define DEMANGLE_MAX	2048

#ifdef HAVE_CXA_DEMANGLE
/* libstdc++'s abi::__cxa_demangle (extern "C") */
char *__cxa_demangle(const char *mangled, char *out, size_t *len, int *status);
#endif

bool kb_demangle_cxx_available(void)
{
#ifdef HAVE_CXA_DEMANGLE
	return true;
#else
	return false;
#endif
}

static void copy(char *buf, size_t len, const char *s)
{
	if (len)
		snprintf(buf, len, "%s", s);
}

/* "...::h0123456789abcdef" at the end: a Rust legacy symbol hash */
static bool rust_hash(const char *s, size_t n)
{
	if (n < 19 || memcmp(s + n - 19, "::h", 3))
		return false;
	for (size_t i = n - 16; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

/* Undo Rust's legacy escapes in place ("$LT$" -> "<", ".." -> "::"). */
static void rust_unescape(char *s)
{
	static const struct { const char *esc; char c; } tab[] = {
		{ "$SP$", '@' }, { "$BP$", '*' }, { "$RF$", '&' }, { "$LT$", '<' },
		{ "$GT$", '>' }, { "$LP$", '(' }, { "$RP$", ')' }, { "$C$", ',' },
		{ "$u7e$", '~' }, { "$u20$", ' ' }, { "$u27$", '\'' }, { "$u5b$", '[' },
		{ "$u5d$", ']' }, { "$u7b$", '{' }, { "$u7d$", '}' }, { "$u3b$", ';' },
		{ "$u2b$", '+' }, { "$u22$", '"' },
	};
	char *w = s;

	for (const char *r = s; *r;) {
		bool done = false;

		/* a path component that starts with an escape gets a '_' in front */
		if (r[0] == '_' && r[1] == '$' && (r == s || (r >= s + 2 && r[-1] == ':' && r[-2] == ':')))
			r++;
		if (*r == '$') {
			for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
				size_t l = strlen(tab[i].esc);

				if (!strncmp(r, tab[i].esc, l)) {
					*w++ = tab[i].c;
					r += l;
					done = true;
					break;
				}
			}
		} else if (r[0] == '.' && r[1] == '.') {
			*w++ = ':';
			*w++ = ':';
			r += 2;
			done = true;
		}
		if (!done)
			*w++ = *r++;
	}
	*w = '\0';
}

bool kb_demangle(const char *name, char *buf, size_t len)
{
#ifdef HAVE_CXA_DEMANGLE
	char *d;
	int status = -1;
	size_t n;

	/* crafted names can make any demangler work hard: long ones stay as they are */
	if (strncmp(name, "_Z", 2) || strlen(name) > DEMANGLE_MAX) {
		copy(buf, len, name);
		return false;
	}
	d = __cxa_demangle(name, NULL, NULL, &status);
	if (!d || status) {
		free(d);
		copy(buf, len, name);
		return false;
	}
	n = strlen(d);
	if (rust_hash(d, n)) {
		d[n - 19] = '\0';
		rust_unescape(d);
	}
	copy(buf, len, d);
	free(d);
	return true;
#else
	copy(buf, len, name);
	return false;
#endif
}
