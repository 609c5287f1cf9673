#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# backpressure.sh - a storm ten times larger than the queue while the
# consumer is held back (test build knob): the reader must wait, leaving
# the backlog in the kernel's buffers (sized to hold it), instead of
# dropping calls.  Stopped right after the storm, so the stop path must
# hand over the whole backlog too: every call of the storm is printed,
# none is lost, and the summary says the bound was hit.
. "$(dirname "$0")/../lib.sh"
kb_require_root
KBINDTOP=${KBINDTOP_KNOBS:-$top_builddir/tests/kbindtop-knobs}
[ -x "$KBINDTOP" ] || kb_fail "$KBINDTOP not built (make check builds it)"

PER=10000	# binds per storm process; two of them
# --max-memory=8: a queue of 2048 calls; the consumer takes 5000 calls/s;
# 8 MB per CPU hold the 40000 events of the storm many times over
KBINDTOP_TEST_CONSUMER_RATE=5000
export KBINDTOP_TEST_CONSUMER_RATE
kb_start bp --json --no-stacks --backend=syscalls --comm=kbt-bp --max-memory=8 --buffer-kb=8192
k=$KB_PID
# raw syscalls (no libc uprobe record); -w keeps the processes alive to be named
"$BINDPROG" -S -w 60 -n kbt-bp -c $PER udp4:127.0.0.1:0 >"$kb_tmp/s1" &
s1=$!
"$BINDPROG" -S -w 60 -n kbt-bp -c $PER udp4:127.0.0.1:0 >"$kb_tmp/s2" &
s2=$!
i=0
while [ "$(cat "$kb_tmp/s1" "$kb_tmp/s2" | wc -l)" -lt $((2 * PER)) ]; do
	i=$((i + 1))
	[ $i -lt 200 ] || kb_fail "storm not done after 10 s"
	sleep 0.05
done
shown_at_end=$(grep -c kbt-bp "$kb_tmp/bp.out")
# stop while the consumer is still far behind: shutdown drains the backlog
kb_stop "$k" INT || kb_fail "kbindtop exited $? after the storm"
kill $s1 $s2 2>/dev/null
wait $s1 $s2 2>/dev/null
kb_residue "$k"
cat "$kb_tmp/bp.err" >&2
seen=$(grep -c '"comm":"kbt-bp"' "$kb_tmp/bp.out")
echo "storm of $((2 * PER)) binds: $shown_at_end printed when it ended, $seen at exit"
[ "$shown_at_end" -lt $((2 * PER - 2048)) ] ||
	kb_fail "consumer not held back: $shown_at_end of $((2 * PER)) printed before the stop (test not testing)"
grep -q 'lost: 0 ' "$kb_tmp/bp.err" || kb_fail "events lost: $(grep lost: "$kb_tmp/bp.err")"
grep -q 'reader held back [1-9]' "$kb_tmp/bp.err" || kb_fail "the summary does not say the queue bound was hit"
[ "$seen" -eq $((2 * PER)) ] || kb_fail "$seen calls printed, the storm made $((2 * PER))"
exit 0
