#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# workflow.sh - the troubleshooting workflow end to end, in tmux at 80x24
# and 120x40: a listener started before kbindtop is in the table at once,
# with its pid, LISTEN and '-' (and 'L' hides it).
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

listeners 80 24
listeners 120 40
kill "$LPID"	# (a background job of a script ignores SIGINT)
[ -n "${KBT_SCREENS:-}" ] && cp "$kb_tmp"/listeners.* "$KBT_SCREENS"/ 2>/dev/null
echo "PASS"
