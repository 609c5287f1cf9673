#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# workflow.sh - the troubleshooting workflow end to end, in tmux at 80x24
# and 120x40: a listener started before kbindtop is in the table at once,
# with its pid, LISTEN and '-' (and 'L' hides it); Tab shows the log of
# the latest calls, newest first, narrowed by the filter and 'x', and
# Enter opens a call with its stack; a recording made by a live run (-w)
# shows the same rows when read back (-r) without root, and in batch;
# 'e' writes the selected row with its stack to the file it names; a
# click selects a row and a click on a title sorts (not with --no-mouse).
. "$(dirname "$0")/../lib.sh"
kb_require_root
. "$(dirname "$0")/uilib.sh"

# a listener that exists before kbindtop starts; its port from its output
"$BINDPROG" -n kbtlisten -k -w 60 -p "$kb_tmp/lready" tcp4:127.0.0.1:0 >"$kb_tmp/lout" &
LPID=$!
kb_pids="$kb_pids $LPID"
i=0
while [ ! -s "$kb_tmp/lready" ]; do
	i=$((i + 1)); [ $i -lt 100 ] || kb_fail "bindprog did not bind"; sleep 0.05
done
LPORT=$(sed -n 's/^BIND .* bound=\([0-9]*\).*/\1/p' "$kb_tmp/lout")
[ -n "$LPORT" ] || kb_fail "no port from bindprog: $(cat "$kb_tmp/lout")"

listeners() {
	w=$1 h=$2
	echo "== listeners ${w}x$h"
	start "$w" "$h" screen ""
	# at once: the first screen has it, with its pid, before any bind happened
	wait_screen "^ *$LPID .*kbtlisten +- " "the listener's row"
	screen | grep -Eq "at start [1-9]" || kb_fail "header does not count the sockets at start"
	tm send-keys -t ui '\'
	tm send-keys -t ui -l kbtlisten
	tm send-keys -t ui Enter Home Enter
	wait_screen "tcp4 +127\.0\.0\.1:$LPORT +- .*LISTEN" "the listener's target"
	screen >"$kb_tmp/listeners.$w"
	check_size "$w" "$h"
	tm send-keys -t ui L
	wait_screen "at start [0-9]+ .*hidden" "the header (hidden)"
	gone_screen "[+-] kbtlisten" "the table without listeners"
	tm send-keys -t ui L
	wait_screen "[+-] kbtlisten" "the table with listeners again"
	finish
}

logview() {
	w=$1 h=$2
	echo "== log view ${w}x$h"
	start "$w" "$h" screen "" -c logA,logB,logC
	tm send-keys -t ui Tab
	wait_screen "^log: latest 0 of [0-9]+ calls kept" "the empty log"
	# three calls in a known order: logA ok, logB ok, logC fails on the held port
	"$BINDPROG" -n logA -w 1 tcp4:127.0.0.1:0 >/dev/null
	"$BINDPROG" -n logB -r -w 1 udp4:127.0.0.1:$LPORT >/dev/null
	"$BINDPROG" -n logC -w 1 tcp4:127.0.0.1:$LPORT >/dev/null
	wait_screen " logC .*EADDRINUSE" "logC in the log"
	screen | grep -E " log[ABC] " | awk '{ print $3 }' | tr '\n' ' ' >"$kb_tmp/order"
	[ "$(cat "$kb_tmp/order")" = "logC logB logA " ] || kb_fail "log order: $(cat "$kb_tmp/order")"
	screen | grep -q "^log: latest 3 of" || kb_fail "log count"
	screen >"$kb_tmp/log.$w"
	check_size "$w" "$h"
	# failures only
	tm send-keys -t ui x
	gone_screen " logA " "the failed-only log"
	screen | grep -q " logC " || kb_fail "failed-only log lost logC"
	tm send-keys -t ui x
	wait_screen " logA " "the whole log"
	# the filter
	tm send-keys -t ui '\'
	tm send-keys -t ui -l logB
	tm send-keys -t ui Enter
	gone_screen " logC " "the filtered log"
	screen | grep -q " logB " || kb_fail "filtered log lost logB"
	# Enter: the call in full, with its stack
	tm send-keys -t ui Home Enter
	wait_screen "^call #[0-9]+: .* logB " "the call's detail"
	wait_screen "^user stack:" "the call's stack"
	screen | grep -Eq "u#[0-9]+ +kbt_(bind_spec|call_bind)" || kb_fail "the stack has no function names"
	screen >"$kb_tmp/logdetail.$w"
	tm send-keys -t ui Escape
	wait_screen "^log: latest" "the log after the detail"
	tm send-keys -t ui Tab
	wait_screen "COMM / TARGET" "the table after Tab"
	finish
}

rows() {
	screen | grep -E "^ +[0-9]+ .*(kbtlisten|recA|recB)" | sed 's/ *$//'
}

replay() {
	w=$1 h=$2
	echo "== record and replay ${w}x$h"
	rec=$kb_tmp/rec.$w.jsonl
	start "$w" "$h" screen "" -c kbtlisten,recA,recB -w "$rec"
	"$BINDPROG" -n recA -w 30 tcp4:127.0.0.1:$LPORT udp4:127.0.0.1:0 >/dev/null &
	ra=$!
	"$BINDPROG" -n recB -w 30 tcp6:::1:0 >/dev/null &
	rb=$!
	kb_pids="$kb_pids $ra $rb"
	wait_screen " recA +2 +1 " "recA (two calls, one failed)"
	wait_screen " recB " "recB"
	wait_screen "rec [0-9.]+M" "the recording's status"
	sleep 0.5	# one more refresh: the counts are final
	rows >"$kb_tmp/live.rows"
	[ "$(wc -l <"$kb_tmp/live.rows")" = 3 ] || kb_fail "live rows: $(cat "$kb_tmp/live.rows")"
	finish
	kill "$ra" "$rb"
	head -1 "$rec" | grep -q '"kbindtop_recording":1,.*"host":' || kb_fail "no header line: $(head -1 "$rec")"
	[ "$(wc -l <"$rec")" = 5 ] || kb_fail "recording has $(wc -l <"$rec") lines, not 1 + 1 listener + 3 calls"

	# read back by an unprivileged user: the same rows
	chmod 755 "$kb_tmp"
	chmod 644 "$rec"
	KBT_WRAP="setpriv --reuid=65534 --regid=65534 --clear-groups" start "$w" "$h" screen "" -r "$rec"
	wait_screen "^kbindtop  replay " "the replay header"
	wait_screen " recB " "the replayed table"
	rows >"$kb_tmp/replay.rows"
	diff "$kb_tmp/live.rows" "$kb_tmp/replay.rows" >&2 || kb_fail "the replayed rows differ"
	screen >"$kb_tmp/replay.$w"
	check_size "$w" "$h"
	# its stacks are named as they were recorded
	tm send-keys -t ui Tab Home Enter
	wait_screen "^call #[0-9]+: .* rec[AB] " "a replayed call"
	wait_screen "u#[0-9]+ +kbt_(bind_spec|call_bind)" "the recorded frame names"
	tm send-keys -t ui q
	wait_exit "q"
	[ "$st" = 0 ] || kb_fail "replay exited with $st: $(cat "$kb_tmp/ui.err")"
	tm kill-session -t ui 2>/dev/null

	# and in batch: the three calls, the listener, filters
	"$KBINDTOP" -r "$rec" -b >"$kb_tmp/rb.out" 2>"$kb_tmp/rb.err" || kb_fail "batch replay: $(cat "$kb_tmp/rb.err")"
	[ "$(grep -c 'rec[AB]' "$kb_tmp/rb.out")" = 3 ] || kb_fail "batch replay: $(cat "$kb_tmp/rb.out")"
	grep -q "kbtlisten .* LISTEN" "$kb_tmp/rb.out" || kb_fail "batch replay lost the listener"
	[ "$("$KBINDTOP" -r "$rec" -b -x 2>/dev/null | grep -c recA)" = 1 ] || kb_fail "batch replay -x"
}

# click X Y: a left press and release at column X, row Y (0-based), as xterm reports them
click() {
	xc=$(printf "\\$(printf %o $((33 + $1)))")
	yc=$(printf "\\$(printf %o $((33 + $2)))")
	tm send-keys -t ui -l "$(printf '\033[M ')$xc$yc$(printf '\033[M#')$xc$yc"
}

export_mouse() {
	w=$1 h=$2
	echo "== export and mouse ${w}x$h"
	start "$w" "$h" screen "" -c expA,expB
	"$BINDPROG" -n expA -w 30 tcp4:127.0.0.1:0 >/dev/null &
	ea=$!
	sleep 0.3
	"$BINDPROG" -n expB -w 30 udp4:127.0.0.1:0 >/dev/null &
	eb=$!
	kb_pids="$kb_pids $ea $eb"
	wait_screen "^ +$ea .* expA " "expA"
	wait_screen "^ +$eb .* expB " "expB"
	# newest first: expB on the first table row (y 4), expA below it
	click 10 5
	wait_screen "^pid $ea expA: latest call" "the row selected by a click"
	click 2 3
	wait_screen "^sort PID asc" "the sort by a click on PID"
	screen | grep -A1 "PID" | tail -1 | grep -q " $ea " || kb_fail "PID asc does not put $ea first"
	click 2 3
	wait_screen "^sort PID desc" "the sort inverted by a second click"
	# e: the selected row (expA, followed through the sorts) to a file
	tm send-keys -t ui e
	wait_screen "^wrote kbindtop-$ea-expA-[0-9-]+\.txt in " "the export message"
	f=$(ls "$kb_tmp"/kbindtop-$ea-expA-*.txt 2>/dev/null | head -1)
	[ -f "$f" ] || kb_fail "no exported file in $kb_tmp"
	[ "$(stat -c %a "$f")" = 600 ] || kb_fail "exported file mode $(stat -c %a "$f")"
	grep -q "^  comm  *expA" "$f" || kb_fail "export has no comm: $(cat "$f")"
	grep -Eq "u#[0-9]+ +kbt_(bind_spec|call_bind)" "$f" || kb_fail "export has no named frames: $(cat "$f")"
	cp "$f" "$kb_tmp/export.$w"
	rm -f "$f"
	finish
	# --no-mouse: the terminal keeps the mouse; a click sorts nothing
	start "$w" "$h" screen "" -c expA,expB --no-mouse
	"$BINDPROG" -n expB -w 1 udp4:127.0.0.1:0 >/dev/null
	wait_screen " expB " "expB"
	click 2 3
	sleep 0.5
	screen | grep -q "^sort LAST desc" || kb_fail "--no-mouse: a click changed the sort"
	finish
	kill "$ea" "$eb"
}

listeners 80 24
listeners 120 40
logview 80 24
logview 120 40
replay 80 24
replay 120 40
export_mouse 80 24
export_mouse 120 40
kill "$LPID"	# (a background job of a script ignores SIGINT)
[ -n "${KBT_SCREENS:-}" ] && cp "$kb_tmp"/listeners.* "$kb_tmp"/log.* "$kb_tmp"/logdetail.* "$kb_tmp"/replay.* "$kb_tmp"/export.* "$KBT_SCREENS"/ 2>/dev/null
echo "PASS"
