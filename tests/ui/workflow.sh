#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# workflow.sh - the troubleshooting workflow end to end, in tmux at 80x24
# and 120x40: a listener started before kbindtop is in the table at once,
# with its pid, LISTEN and '-' (and 'L' hides it); Tab shows the log of
# the latest calls, newest first, narrowed by the filter and 'x', and
# Enter opens a call with its stack.
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

listeners 80 24
listeners 120 40
logview 80 24
logview 120 40
kill "$LPID"	# (a background job of a script ignores SIGINT)
[ -n "${KBT_SCREENS:-}" ] && cp "$kb_tmp"/listeners.* "$kb_tmp"/log.* "$kb_tmp"/logdetail.* "$KBT_SCREENS"/ 2>/dev/null
echo "PASS"
