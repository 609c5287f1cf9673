/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * demangle.h - readable names for C++ and Rust symbols.
 *
 * C++ (and Rust's legacy mangling, which follows the C++ scheme) go
 * through libstdc++'s __cxa_demangle when configure found it; Rust's
 * hash suffix and "$LT$"-style escapes are then undone.  Rust v0 ("_R")
 * names and everything else are returned unchanged.  Any thread.
 */
#ifndef KB_DEMANGLE_H
#define KB_DEMANGLE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * kb_demangle - demangled form of name in buf (raw bytes, NUL-terminated,
 * truncated to len).  Returns true when name was demangled, false when
 * buf holds name unchanged.
 */
bool kb_demangle(const char *name, char *buf, size_t len);

/* Whether C++ demangling is available in this build. */
bool kb_demangle_cxx_available(void);

#endif
