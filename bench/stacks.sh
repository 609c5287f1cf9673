#!/bin/bash
# stacks.sh - what user stacks cost: per-bind cost and kbindtop CPU per 1k
# binds for --no-stacks, ftrace stacks (perf refused by seccomp, the
# fallback path), --stack=fp, --stack=dwarf and --stack=auto, in one run.
# Then a 4-worker flat-out storm with stacks on: losses as kbindtop counts
# them.  Timings on a shared machine: medians and ratios, never asserted.
#
#   bench/stacks.sh [--binds N] [--reps N] [--storm-secs S]
# Needs root and a built tree (make; make bench/bindstorm tests/progs/noperf).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
KBT=$TOP/kbindtop
STORM=$TOP/bench/bindstorm
NOPERF=$TOP/tests/progs/noperf
BINDS=20000
NAME=kbtstk$$		# a comm of our own: other runs of bindstorm stay out
REPS=3
STORM_SECS=2
while [ $# -gt 0 ]; do
	case "$1" in
	--binds) BINDS=$2; shift ;;
	--reps) REPS=$2; shift ;;
	--storm-secs) STORM_SECS=$2; shift ;;
	*) echo "stacks.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ "$(id -u)" = 0 ] || { echo "stacks.sh: needs root" >&2; exit 1; }
for b in "$KBT" "$STORM" "$NOPERF"; do
	[ -x "$b" ] || { echo "stacks.sh: $b not built" >&2; exit 1; }
done
WORK=$(mktemp -d /tmp/kbtstacks.XXXXXX)
KPID=""
trap '[ -n "$KPID" ] && kill -TERM $KPID 2>/dev/null; rm -rf "$WORK"' EXIT
HZ=$(getconf CLK_TCK)

# id|how kbindtop runs (empty: untraced)
CONFIGS='none|
nostacks|--no-stacks
ftrace|NOPERF --stacks
fp|--stacks --stack=fp
dwarf|--stacks --stack=dwarf
auto|--stacks --stack=auto'

start_kbt() {	# args...: start kbindtop with JSON to /dev/null, wait for ready
	local pre=""
	if [ "$1" = NOPERF ]; then pre=$NOPERF; shift; fi
	$pre "$KBT" -j -c "$NAME" "$@" >/dev/null 2>"$WORK/kbt.err" &
	KPID=$!
	for _ in $(seq 1 200); do
		grep -q ready "$WORK/kbt.err" && return 0
		sleep 0.05
	done
	echo "stacks.sh: kbindtop not ready: $(cat "$WORK/kbt.err")" >&2
	exit 1
}

cpu_ticks() {	# utime + stime of a process
	awk '{print $14 + $15}' "/proc/$1/stat"
}

stop_kbt() {
	kill -TERM "$KPID"
	wait "$KPID" || true
	KPID=""
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-9s %12s %12s %14s  %s\n' config "us/bind" "x untraced" "CPU ms/1k" "stack source (last run)"
base=""
echo "$CONFIGS" | while IFS='|' read -r id args; do
	: >"$WORK/us" ; : >"$WORK/cpu"
	for _ in $(seq 1 "$REPS"); do
		if [ -n "$args" ]; then
			# shellcheck disable=SC2086
			start_kbt $args
			c0=$(cpu_ticks "$KPID")
		fi
		out=$("$STORM" -N "$NAME" -n "$BINDS" -q)
		el=$(echo "$out" | sed -n 's/.*elapsed_s=\([0-9.]*\).*/\1/p')
		echo "$el $BINDS" | awk '{printf "%.3f\n", $1 * 1e6 / $2}' >>"$WORK/us"
		if [ -n "$args" ]; then
			sleep 0.3	# the consumer catches up before its CPU is read
			c1=$(cpu_ticks "$KPID")
			echo "$c0 $c1 $HZ $BINDS" | awk '{printf "%.2f\n", ($2 - $1) * 1000 / $3 / ($4 / 1000)}' >>"$WORK/cpu"
			stop_kbt
		fi
	done
	us=$(median <"$WORK/us")
	[ -z "$base" ] && base=$us && echo "$base" >"$WORK/base"
	base=$(cat "$WORK/base")
	cpu=$( [ -s "$WORK/cpu" ] && median <"$WORK/cpu" || echo -)
	src=$(grep -o "user stacks: perf samples, --stack=[a-z]*\|perf_event_open refused[^:]*" "$WORK/kbt.err" 2>/dev/null | head -1)
	[ "$id" = none ] && src=""
	[ "$id" = nostacks ] && src="none"
	printf '%-9s %12s %12s %14s  %s\n' "$id" "$us" "$(echo "$us $base" | awk '{printf "%.2f", $1 / $2}')" "$cpu" "$src"
	: >"$WORK/kbt.err"
done

echo
echo "storm: 4 workers flat out for ${STORM_SECS}s, --stack=auto, JSON with stacks to /dev/null"
start_kbt --stacks --stack=auto
"$STORM" -N "$NAME" -w 4 -t "$STORM_SECS" -q | sed 's/^/  bindstorm: /'
sleep 0.5
stop_kbt
grep -E "bind calls shown|user stacks:|budgets" "$WORK/kbt.err" | sed 's/^/  /'
