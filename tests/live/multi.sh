#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# multi.sh - three kbindtops started and stopped in interleaved order each
# see every bind made while they run, and each removes only its own state.
. "$(dirname "$0")/../lib.sh"
kb_require_root

wave() {	# wave N: three binds named kbt-wN, done when they are recorded
	"$BINDPROG" -w 1 -n "kbt-w$1" tcp4:127.0.0.1:0 udp6:::1:0 unix:"$kb_tmp/w$1.sock" >/dev/null
	sleep 0.3
}

kb_start a --json
a=$KB_PID
kb_start b --json --no-stacks
b=$KB_PID
wave 1
kb_start c --batch
c=$KB_PID
wave 2
kb_stop "$a" TERM || kb_fail "a failed"
kb_residue "$a"
ls /sys/kernel/tracing/instances | grep -q "^kbindtop\.$b$" || kb_fail "stopping a removed b's instance"
wave 3
kb_stop "$c" HUP || kb_fail "c failed"
kb_residue "$c"
wave 4
kb_stop "$b" INT || kb_fail "b failed"
kb_residue "$b"

count() { grep -c "kbt-w$2" "$kb_tmp/$1.out"; }
for spec in "a 1 3" "a 2 3" "a 3 0" "b 1 3" "b 2 3" "b 3 3" "b 4 3" "c 1 0" "c 2 3" "c 3 3" "c 4 0"; do
	set -- $spec
	n=$(count "$1" "$2")
	[ "$n" = "$3" ] || kb_fail "kbindtop $1 saw $n binds of wave $2, want $3"
done
exit 0
