#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bounded.sh - small kernel buffers, the smallest --max-memory and a
# consumer held back (test build knob) under a storm that offers twenty
# times what the queue holds: kbindtop's RSS stays within its bound of
# its size at start while the backlog is large, and every bind of the
# storm is accounted for, shown or counted as lost.
#
# Accounting: each bind is two kernel events, entry and return (raw
# syscalls: no libc uprobe record).  With S calls shown, L events the
# kernel lost, N calls without a return and U returns without an entry,
# pairing gives  binds = S + (L - N + U) / 2  exactly: a seen entry is a
# shown call, closed by its return or counted in N; a seen return
# without an open call is counted in U.
. "$(dirname "$0")/../lib.sh"
kb_require_root
KBINDTOP=${KBINDTOP_KNOBS:-$top_builddir/tests/kbindtop-knobs}
[ -x "$KBINDTOP" ] || kb_fail "$KBINDTOP not built (make check builds it)"

PER=20000	# binds per storm process; two of them
MAXMEM=4	# MB: a queue of 1024 calls
KBINDTOP_TEST_CONSUMER_RATE=3000
export KBINDTOP_TEST_CONSUMER_RATE
kb_start rss --json --no-stacks --backend=syscalls --comm=kbt-rss --max-memory=$MAXMEM --buffer-kb=64
k=$KB_PID
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$k/status"; }
base=$(rss)
"$BINDPROG" -S -w 60 -n kbt-rss -c $PER udp4:127.0.0.1:0 >"$kb_tmp/s1" &
s1=$!
"$BINDPROG" -S -w 60 -n kbt-rss -c $PER udp4:127.0.0.1:0 >"$kb_tmp/s2" &
s2=$!
peak=$base
i=0
# sample while the storm runs and the consumer is behind
while [ "$(cat "$kb_tmp/s1" "$kb_tmp/s2" | wc -l)" -lt $((2 * PER)) ]; do
	v=$(rss)
	[ "$v" -gt "$peak" ] && peak=$v
	i=$((i + 1))
	[ $i -lt 300 ] || kb_fail "storm not done after 15 s"
	sleep 0.05
done
shown_at_end=$(grep -c kbt-rss "$kb_tmp/rss.out")
for j in 1 2 3 4 5 6 7 8 9 10; do
	v=$(rss)
	[ "$v" -gt "$peak" ] && peak=$v
	sleep 0.1
done
kb_stop "$k" INT || kb_fail "kbindtop exited $? after the storm"
kill $s1 $s2 2>/dev/null
wait $s1 $s2 2>/dev/null
kb_residue "$k"
cat "$kb_tmp/rss.err" >&2

summary=$(grep 'bind calls shown' "$kb_tmp/rss.err")
num() { echo "$summary" | sed -n "s/.*$1 \([0-9]*\).*/\1/p"; }
S=$(grep -c '"comm":"kbt-rss"' "$kb_tmp/rss.out")
L=$(echo "$summary" | sed -n 's/.*lost: \([0-9]*\).*/\1/p')
N=$(num 'no return seen:')
U=$(num 'returns without entry:')
: "${U:=0}"
total=$((S + (L - N + U) / 2))
echo "RSS ${base} kB at start, peak ${peak} kB; storm of $((2 * PER)) binds:" \
	"$shown_at_end shown when it ended; at exit S=$S L=$L N=$N U=$U -> $total binds"
[ "$shown_at_end" -lt $((2 * PER / 2)) ] ||
	kb_fail "consumer not held back: $shown_at_end shown when the storm ended (test not testing)"
[ "$L" -gt 0 ] || kb_fail "no kernel loss with 64 KB buffers: the backlog did not build up (test not testing)"
echo "$summary" | grep -q '+unknown' && kb_fail "a loss of unknown size: $summary"
# TSan keeps shadow memory for every byte the program touches: its RSS
# measures the sanitizer, not kbindtop's bounds (the count below still holds)
if ldd "$KBINDTOP" | grep -q libtsan; then
	echo "RSS bound not asserted: TSan build"
else
	[ "$peak" -le $((base + MAXMEM * 1024)) ] ||
		kb_fail "RSS peaked at $peak kB, more than $MAXMEM MB over the $base kB at start"
fi
[ "$total" -eq $((2 * PER)) ] ||
	kb_fail "shown + lost account for $total binds, the storm made $((2 * PER))"
exit 0
