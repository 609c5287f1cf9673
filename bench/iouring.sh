#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# iouring.sh - what seeing io_uring binds without kprobes costs an
# io_uring-heavy neighbour: NOP throughput of tests/progs/iouprog -b
# (the cheapest request there is: the worst case) alone, next to an idle
# kbindtop on the syscalls backend (io_uring_submit_req filtered on BIND
# plus io_uring_complete armed by the trigger), and while io_uring binds
# happen every 50 ms (the completion gate opens and closes each time),
# and the same binds without kbindtop (their own CPU cost, the control).
# Prints one line per repetition with ops/s, and kbindtop's own account
# of the gate (opens, time open, other completions recorded).
# Needs root and a built tree (make check builds iouprog).  Informs only.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
K=${KBINDTOP:-$top/kbindtop}
P=${IOUPROG:-$top/tests/progs/iouprog}
reps=${1:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for rep in $(seq "$reps"); do
	a=$("$P" -b 1 | cut -d' ' -f2)
	(for i in $(seq 20); do "$P" tcp4:127.0.0.1:0 >/dev/null; sleep 0.05; done) &
	bl=$!
	a2=$("$P" -b 1 | cut -d' ' -f2)
	wait $bl
	"$K" --batch --no-stacks --backend=syscalls >/dev/null 2>"$tmp/err" &
	k=$!
	until grep -q ready "$tmp/err"; do sleep 0.05; done
	b=$("$P" -b 1 | cut -d' ' -f2)
	(for i in $(seq 20); do "$P" tcp4:127.0.0.1:0 >/dev/null; sleep 0.05; done) &
	bl=$!
	c=$("$P" -b 1 | cut -d' ' -f2)
	wait $bl
	kill -INT $k
	wait $k
	echo "rep $rep: alone $a/s, io_uring binds alongside $a2/s, kbindtop idle $b/s," \
		"kbindtop + io_uring binds $c/s;" \
		"$(sed -n 's/^kbindtop: io_uring_complete //p' "$tmp/err")"
done
