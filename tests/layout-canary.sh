#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# layout-canary.sh - tests/layout-check.sh can fail: on a copy of the
# sources with one violation planted at a time (an upward include, an
# include cycle, a file missing from README's Source layout table), it
# must fail and name the violation.  No root needed.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# plant NAME PATTERN EDIT...: copy the tree, run EDIT in it, expect PATTERN
plant() {
	name=$1 pat=$2
	shift 2
	rm -rf "$tmp/t"
	mkdir -p "$tmp/t"
	cp -r "$top_srcdir/src" "$top_srcdir/include" "$top_srcdir/README.md" \
		"$top_srcdir/Makefile.am" "$tmp/t/"
	find "$tmp/t/src" -name '*.o' -delete
	(cd "$tmp/t" && "$@")
	out=$(top_srcdir="$tmp/t" top_builddir="$tmp/t" sh "$top_srcdir/tests/layout-check.sh" 2>&1)
	if [ $? = 0 ] || ! printf '%s\n' "$out" | grep -q -- "$pat"; then
		echo "FAIL: $name not reported (want '$pat'): $out"
		fails=$((fails + 1))
	fi
}

plant "upward include" "clock.c (layer util) includes view.h (layer ui)" \
	sed -i 's/^#include "clock.h"$/#include "clock.h"\n#include "view.h"/' src/util/clock.c
plant "include cycle" "include cycle between fileio, xalloc" \
	sed -i 's/^#include <stddef.h>$/#include <stddef.h>\n#include "fileio.h"/' include/xalloc.h
plant "file missing from README" "src/util/rate.c: not in README.md" \
	sed -i 's/, `rate.c`//' README.md
plant "file not built" "src/util/rate.c: not built" \
	sed -i 's|src/util/rate.c ||' Makefile.am

[ $fails = 0 ] && echo "layout-check fails on each planted violation"
exit $((fails != 0))
