#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cli.sh - bad command lines get one clear line on stderr and exit 2;
# missing privileges get one clear line and exit 1; the live table without
# a terminal says to use --batch.  Traces nothing.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
KBINDTOP=${KBINDTOP:-$top_builddir/kbindtop}
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect STATUS PATTERN ARGS...: exit status and a single stderr line matching PATTERN
expect() {
	want=$1 pat=$2
	shift 2
	"$KBINDTOP" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	got=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$got" != "$want" ] || [ "$lines" != 1 ] || ! grep -q -- "$pat" "$tmp/err"; then
		echo "FAIL: kbindtop $* -> status $got (want $want), stderr ($lines lines): $(cat "$tmp/err")"
		fails=$((fails + 1))
	fi
}

expect 2 "70000" --batch --port=70000
expect 2 "port" --batch --port=http
expect 2 "unknown option" --frobnicate
expect 2 "unknown option" -Z
expect 2 "needs an argument" --batch --pid
expect 2 "process id" --batch --pid=0
expect 2 "refresh interval" --delay=0
expect 2 "auto, kprobe, syscalls" --backend=bpf
expect 2 "conflicting" --stacks --no-stacks --batch
expect 2 "conflicting" --check --cleanup
expect 2 "unexpected argument" --batch extra
expect 2 "15 characters" --batch --comm=abcdefghijklmnopqrstuvwxyz
expect 2 "terminal" --delay=1
expect 2 "--count goes with --batch" --count=1
expect 2 "not a number of calls" --batch --count=0
expect 2 "size in MB" --batch --write-max=0
expect 2 "need a live host" --batch --read=x --write=y
# recordings (no root needed): a missing file, one with no call, one with a bad line
expect 1 "cannot open" --batch --read="$tmp/none.jsonl"
printf 'kbindtop: ready\n{"ts":"x"}\n' >"$tmp/bad.jsonl"
expect 1 "line 1: not a JSON object" --batch --read="$tmp/bad.jsonl"
printf '{"ts":1.5,"pid":7,"comm":"ok"}\n{"ts":2.5,"pid":"8"}\n' >"$tmp/some.jsonl"
"$KBINDTOP" --json --read="$tmp/some.jsonl" >"$tmp/out" 2>"$tmp/err" &&
	grep -q '"pid":7,' "$tmp/out" && [ "$(wc -l <"$tmp/out")" = 1 ] &&
	grep -q "line 2: field 'pid' is not a number" "$tmp/err" ||
	{ echo "FAIL: --read with a bad line: $(cat "$tmp/out" "$tmp/err")"; fails=$((fails + 1)); }
expect 2 "needs --metrics" --quiet
expect 2 "conflicting" --quiet --json --metrics="$tmp/m.prom"
expect 2 "16-100000" --quiet --metrics="$tmp/m.prom" --metrics-series=5
expect 2 "not a file name" --batch --metrics=

"$KBINDTOP" --help >"$tmp/out" 2>&1 || { echo "FAIL: --help exits non-zero"; fails=$((fails + 1)); }
grep -q -- "--backend" "$tmp/out" || { echo "FAIL: --help lacks --backend"; fails=$((fails + 1)); }
"$KBINDTOP" --version | grep -q '^kbindtop [0-9]' || { echo "FAIL: --version"; fails=$((fails + 1)); }

# a metrics file that cannot be written is refused before tracing starts (root: after the privilege check)
if [ "$(id -u)" = 0 ]; then
	expect 2 "cannot create a file beside" --quiet --metrics=/nonexistent-dir/m.prom
	[ ! -e "$tmp/m.prom" ] || { echo "FAIL: a refused command line wrote metrics"; fails=$((fails + 1)); }
fi

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$KBINDTOP" --batch </dev/null >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ $got != 1 ] || [ "$(wc -l <"$tmp/err")" != 1 ] || ! grep -q root "$tmp/err"; then
		echo "FAIL: unprivileged run -> status $got: $(cat "$tmp/err")"
		fails=$((fails + 1))
	fi
fi
[ $fails = 0 ] && echo "cli: all checks passed"
[ $fails = 0 ]
