#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rss.sh - kbindtop's memory through a bind storm (issue 12): RSS sampled
# every 0.5 s while N workers bind flat out for S seconds, with stacks
# recorded (the default) and without (--no-stacks), then the exit summary
# (shown, traced, lost, bounds hit) and the peak against --max-memory.
#
# Needs root.  A measurement on a shared machine, not a test: it prints
# figures, it asserts nothing.  Example (the issue's run, about 2.5 min):
#   make kbindtop bench/bindstorm && bench/rss.sh --secs 60 --workers 4
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
SECS=60
WORKERS=4
KBT=$TOP/kbindtop
STORM=$TOP/bench/bindstorm
MODES="stacks nostacks"
EXTRA=""

usage() {
	cat <<EOF2
Usage: bench/rss.sh [OPTION]...
Sample kbindtop's RSS every 0.5 s through a bind storm.

  --secs S          storm length (default $SECS)
  --workers N       storm workers, flat out (default $WORKERS)
  --modes LIST      stacks, nostacks or both, comma-separated (default stacks,nostacks)
  --kbindtop PATH   binary to measure (default $KBT)
  --bindstorm PATH  storm generator (default $STORM)
  --args "ARGS"     more kbindtop options (e.g. "--max-memory=32")
  -h, --help        this help
EOF2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--secs) SECS=$2; shift ;;
	--workers) WORKERS=$2; shift ;;
	--modes) MODES=$(echo "$2" | tr , ' '); shift ;;
	--kbindtop) KBT=$2; shift ;;
	--bindstorm) STORM=$2; shift ;;
	--args) EXTRA=$2; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
[ "$(id -u)" = 0 ] || { echo "rss.sh: needs root" >&2; exit 1; }
[ -x "$KBT" ] && [ -x "$STORM" ] || { echo "rss.sh: build kbindtop and bench/bindstorm first" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/kbt-rss.XXXXXX")
kpid=""
cleanup() {
	[ -n "$kpid" ] && kill -INT "$kpid" 2>/dev/null && wait "$kpid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null; }

for mode in $MODES; do
	case "$mode" in
	stacks) opts="--json --stacks" ;;
	nostacks) opts="--json --no-stacks" ;;
	*) echo "rss.sh: unknown mode $mode" >&2; exit 2 ;;
	esac
	# shellcheck disable=SC2086
	"$KBT" $opts $EXTRA >/dev/null 2>"$work/$mode.err" &
	kpid=$!
	for _ in $(seq 100); do grep -q ready "$work/$mode.err" 2>/dev/null && break; sleep 0.1; done
	grep -q ready "$work/$mode.err" || { cat "$work/$mode.err" >&2; exit 1; }
	start=$(rss_kb "$kpid")
	"$STORM" -w "$WORKERS" -t "$SECS" -q >"$work/$mode.storm" &
	spid=$!
	samples=""
	peak=0
	while kill -0 "$spid" 2>/dev/null; do
		v=$(rss_kb "$kpid")
		[ -n "$v" ] || break
		samples="$samples $((v / 1024))"
		[ "$v" -gt "$peak" ] && peak=$v
		sleep 0.5
	done
	wait "$spid"
	kill -INT "$kpid"
	wait "$kpid" || true
	kpid=""
	echo "== $mode: kbindtop $opts $EXTRA beside bindstorm -w $WORKERS -t $SECS"
	echo "storm: $(head -1 "$work/$mode.storm" | cut -d' ' -f1-6)"
	echo "RSS MB every 0.5 s:$samples"
	echo "RSS at ready $((start / 1024)) MB, peak $((peak / 1024)) MB"
	grep -E 'bind calls shown|lost by the kernel|bounds hit' "$work/$mode.err" || true
done
