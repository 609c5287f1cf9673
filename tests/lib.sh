# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib.sh - shared helpers for the live tests (sourced, not run).
#
# Live tests trace for real: they need root and tracefs.  Without root
# they exit 77, which automake reports as SKIP.

set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
KBINDTOP=${KBINDTOP:-$top_builddir/kbindtop}
BINDPROG=${BINDPROG:-$top_builddir/tests/progs/bindprog}
TRACEFS=${TRACEFS:-/sys/kernel/tracing}

kb_tmp=$(mktemp -d "${TMPDIR:-/tmp}/kbt.XXXXXX")
kb_pids=""

kb_cleanup() {
	for p in $kb_pids; do
		kill -INT "$p" 2>/dev/null
	done
	for p in $kb_pids; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$kb_tmp"
}
trap kb_cleanup EXIT

kb_fail() {
	echo "FAIL: $*" >&2
	exit 1
}

kb_skip() {
	echo "SKIP: $*" >&2
	exit 77
}

kb_require_root() {
	[ "$(id -u)" = 0 ] || kb_skip "needs root"
	[ -x "$KBINDTOP" ] || kb_fail "$KBINDTOP not built"
}

# kb_start NAME [ARGS...]: run kbindtop in the background with stdout in
# $kb_tmp/NAME.out and stderr in $kb_tmp/NAME.err; wait until it says
# "ready".  Sets KB_PID.
kb_start() {
	name=$1
	shift
	"$KBINDTOP" "$@" >"$kb_tmp/$name.out" 2>"$kb_tmp/$name.err" &
	KB_PID=$!
	kb_pids="$kb_pids $KB_PID"
	i=0
	while ! grep -q ready "$kb_tmp/$name.err" 2>/dev/null; do
		if ! kill -0 "$KB_PID" 2>/dev/null; then
			cat "$kb_tmp/$name.err" >&2
			kb_fail "kbindtop $* exited before ready"
		fi
		i=$((i + 1))
		[ $i -lt 200 ] || kb_fail "kbindtop $* not ready after 10 s"
		sleep 0.05
	done
}

# kb_stop PID [SIGNAL]: stop a kbindtop and wait for it; returns its status.
kb_stop() {
	kill "-${2:-INT}" "$1" 2>/dev/null
	wait "$1"
	rc=$?
	kb_pids=$(echo "$kb_pids" | sed "s/ $1\b//")
	return $rc
}

# kb_residue PID: fail if anything named after kbindtop run PID is left.
kb_residue() {
	ls "$TRACEFS/instances" | grep -q "^kbindtop\.$1\(\.r\)\?$" &&
		kb_fail "instance of kbindtop $1 left behind"
	grep -q "kbindtop_$1/" "$TRACEFS/dynamic_events" 2>/dev/null &&
		kb_fail "probes of kbindtop $1 left behind: $(grep "kbindtop_$1/" "$TRACEFS/dynamic_events")"
	return 0
}

# kb_global_state: a fingerprint of the global tracing state, which a run must not change.
kb_global_state() {
	for f in set_event tracing_on current_tracer trace_options buffer_size_kb trace_clock \
		 buffer_percent set_event_pid kprobe_events uprobe_events dynamic_events; do
		[ -e "$TRACEFS/$f" ] && { echo "== $f"; cat "$TRACEFS/$f"; }
	done
	echo "== instances"
	ls "$TRACEFS/instances" | grep -v '^kbindtop\.' || true
	for e in $(find "$TRACEFS/events" -maxdepth 3 -name enable 2>/dev/null | head -2000); do
		v=$(cat "$e" 2>/dev/null)
		[ "$v" = 0 ] || echo "$e $v"
	done
}

# kb_json FILE PYTHON: run python assertions over the JSON lines in FILE
# (as list "ev"); the snippet raises AssertionError to fail.
kb_json() {
	python3 - "$1" "$2" <<'PYEOF' || kb_fail "JSON assertions failed on $1"
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
ev = [json.loads(l) for l in lines]
def find(**kw):
    return [e for e in ev if all(e.get(k) == v for k, v in kw.items())]
def one(**kw):
    r = find(**kw)
    assert len(r) == 1, "expected one event with %r, found %d in:\n%s" % (kw, len(r), "\n".join(map(json.dumps, ev)))
    return r[0]
exec(sys.argv[2])
PYEOF
}
