#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# hostile.sh - command names and socket paths chosen by traced processes
# are untrusted: escape sequences, newlines and other control bytes must
# never reach the output raw, text lines stay one per bind, and JSON stays
# valid and carries the escaped text.
. "$(dirname "$0")/../lib.sh"
kb_require_root

esc=$(printf '\033')
nl='
'
evil_comm="${esc}[2J${esc}]0;x${nl}y"
evil_path="$kb_tmp/a${nl}b${esc}[31mc"

kb_start text --batch
text=$KB_PID
kb_start json --json
json=$KB_PID
"$BINDPROG" -w 1 -n "$evil_comm" tcp4:127.0.0.1:0 "unix:$evil_path" >/dev/null
sleep 0.3
kb_stop "$text" INT || kb_fail "text run failed"
kb_stop "$json" INT || kb_fail "json run failed"

# no byte below 0x20 other than newline, and no DEL, anywhere in the output
if LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$kb_tmp/text.out" "$kb_tmp/json.out"; then
	kb_fail "control characters reached the output: $(od -c "$kb_tmp/text.out" | head -20)"
fi
# one line per bind in text mode: exactly two lines of ours, both escaped
n=$(grep -c 'x1b\[2J' "$kb_tmp/text.out")
[ "$n" = 2 ] || kb_fail "expected 2 escaped lines, got $n: $(cat "$kb_tmp/text.out")"
grep -q 'a\\x0ab\\x1b\[31mc' "$kb_tmp/text.out" || kb_fail "unix path not shown escaped: $(cat "$kb_tmp/text.out")"
kb_json "$kb_tmp/json.out" "
mine = [e for e in ev if e['comm'].startswith('\\\\x1b[2J')]
assert len(mine) == 2, ev
assert mine[0]['comm'] == '\\\\x1b[2J\\\\x1b]0;x\\\\x0ay', mine[0]['comm']
assert mine[1]['addr'].endswith('/a\\\\x0ab\\\\x1b[31mc'), mine[1]['addr']
"
exit 0
