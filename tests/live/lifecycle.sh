#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# lifecycle.sh - leaving the system as it was found:
#   - every stop signal (INT, TERM, HUP, QUIT) and stdout closed
#     (--batch | head) removes instances and probes and exits 0;
#   - SIGKILL leaves state that the next start (or --cleanup) removes,
#     while a live kbindtop's state is never touched;
#   - two kbindtops side by side each see every bind;
#   - the global tracing state is byte-identical after all of it.
. "$(dirname "$0")/../lib.sh"
kb_require_root

"$KBINDTOP" --cleanup >/dev/null    # start from a clean slate
kb_global_state >"$kb_tmp/global.before"

for sig in INT TERM HUP QUIT; do
	kb_start "sig$sig" --batch
	pid=$KB_PID
	kb_stop "$pid" "$sig" || kb_fail "kbindtop exited $? on SIG$sig"
	kb_residue "$pid"
	grep -q 'lost: 0' "$kb_tmp/sig$sig.err" || kb_fail "no summary after SIG$sig: $(cat "$kb_tmp/sig$sig.err")"
done

# stdout closed under it: EPIPE ends it cleanly
# (sh writes the pid kbindtop will have, then execs it: $! would be head's)
sh -c 'echo $$ >"$1"; exec "$2" --json' sh "$kb_tmp/pipe.pid" "$KBINDTOP" 2>"$kb_tmp/pipe.err" |
	head -n 1 >"$kb_tmp/pipe.out" &
i=0
until grep -q ready "$kb_tmp/pipe.err" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 200 ] || kb_fail "piped kbindtop not ready"
	sleep 0.05
done
"$BINDPROG" -n kbt-pipe tcp4:127.0.0.1:0 tcp4:127.0.0.1:0 >/dev/null
sleep 1
"$BINDPROG" -n kbt-pipe tcp4:127.0.0.1:0 >/dev/null
wait
grep -q kbt-pipe "$kb_tmp/pipe.out" || kb_fail "nothing printed before the pipe closed"
kb_residue "$(cat "$kb_tmp/pipe.pid")"

# SIGKILL while another kbindtop runs: the live one must survive the reaping
kb_start live --json
live=$KB_PID
kb_start victim --batch
victim=$KB_PID
kill -KILL "$victim"
wait "$victim" 2>/dev/null
ls "$TRACEFS/instances" | grep -q "^kbindtop\.$victim$" || kb_fail "SIGKILL left nothing? (test not testing)"
kb_start next --batch
next=$KB_PID
kb_residue "$victim"
ls "$TRACEFS/instances" | grep -q "^kbindtop\.$live$" || kb_fail "the new start reaped a live kbindtop"
grep -q "removed" "$kb_tmp/next.err" || kb_fail "reaping not reported: $(cat "$kb_tmp/next.err")"

# both running ones see every bind
"$BINDPROG" -w 1 -n kbt-both tcp4:127.0.0.1:0 udp4:127.0.0.1:0 tcp6:::1:0 >/dev/null
sleep 0.3
kb_stop "$next" INT || kb_fail "second kbindtop failed"
kb_stop "$live" INT || kb_fail "first kbindtop failed"
n1=$(grep -c kbt-both "$kb_tmp/live.out")
n2=$(grep -c kbt-both "$kb_tmp/next.out")
[ "$n1" = 3 ] && [ "$n2" = 3 ] || kb_fail "side by side: saw $n1 and $n2 of 3 binds"
kb_residue "$live"
kb_residue "$next"

# a running copy under another name is still a live kbindtop: never reaped
cp "$KBINDTOP" "$kb_tmp/renamed-tracer"
KBINDTOP="$kb_tmp/renamed-tracer" kb_start renamed --batch
renamed=$KB_PID
kb_start after --batch
after=$KB_PID
ls "$TRACEFS/instances" | grep -q "^kbindtop\.$renamed$" || kb_fail "a renamed running kbindtop was reaped"
"$BINDPROG" -w 1 -n kbt-renamed tcp4:127.0.0.1:0 >/dev/null
sleep 0.3
kb_stop "$after" INT || kb_fail "kbindtop after the renamed one failed"
kb_stop "$renamed" INT || kb_fail "renamed kbindtop failed"
grep -q kbt-renamed "$kb_tmp/renamed.out" || kb_fail "the renamed kbindtop stopped seeing binds"
kb_residue "$renamed"

# --cleanup removes what a SIGKILL left
kb_start victim2 --batch
victim2=$KB_PID
kill -KILL "$victim2"
wait "$victim2" 2>/dev/null
"$KBINDTOP" --cleanup >"$kb_tmp/cleanup.out" || kb_fail "--cleanup failed"
grep -q "kbindtop.$victim2" "$kb_tmp/cleanup.out" || kb_fail "--cleanup did not report: $(cat "$kb_tmp/cleanup.out")"
kb_residue "$victim2"

kb_global_state >"$kb_tmp/global.after"
diff -u "$kb_tmp/global.before" "$kb_tmp/global.after" || kb_fail "global tracing state changed"
exit 0
