#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tmux.sh - the live table end to end: the real binary, as root, in a
# private tmux server at 80x24 and 120x40 (and TERM screen, tmux-256color,
# xterm, vt100 with NO_COLOR).  Binds from two programs appear; the '\'
# filter narrows to one; Enter opens a process, a target, a stack down to
# its frames, named by function (kbt_bind_spec and kbt_call_bind of the
# frame-pointer build of tests/progs/bindprog); '?' shows the generated
# help; resizing re-lays the columns; 'q' exits 0 and leaves no tracing
# state behind.  SIGHUP quits the same way.
. "$(dirname "$0")/../lib.sh"
kb_require_root
command -v tmux >/dev/null 2>&1 || kb_skip "tmux is not installed"

# a private server whose socket lives (and goes) with the test's directory
tm() {
	tmux -S "$kb_tmp/tmux.sock" -f /dev/null "$@"
}
# whatever ends the test (a failure, the harness's timeout, ^C) ends the
# server, and with it any kbindtop still running in it (SIGHUP quits it)
cleanup() {
	[ -n "${KBT_PID:-}" ] && kill -INT "$KBT_PID" 2>/dev/null
	tm kill-server 2>/dev/null
	kb_cleanup
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

screen() {
	tm capture-pane -p -t ui
}

# wait_screen PATTERN [WHAT]: until the pane shows PATTERN (grep -E), 5 s at most.
wait_screen() {
	i=0
	while ! screen | grep -Eq -- "$1"; do
		i=$((i + 1))
		if [ $i -ge 100 ]; then
			screen >&2
			kb_fail "${2:-screen} never showed '$1'"
		fi
		sleep 0.05
	done
}

# gone_screen PATTERN [WHAT]: until the pane no longer shows PATTERN.
gone_screen() {
	i=0
	while screen | grep -Eq -- "$1"; do
		i=$((i + 1))
		if [ $i -ge 100 ]; then
			screen >&2
			kb_fail "${2:-screen} still shows '$1'"
		fi
		sleep 0.05
	done
}


# start W H TERM [ENV]: kbindtop in a fresh tmux pane; sets KBT_PID.
start() {
	rm -f "$kb_tmp/pid" "$kb_tmp/status" "$kb_tmp/ui.err"
	# the shell waits for the status: tmux 3.3 sometimes never reaps a pane's process
	tm new-session -d -s ui -x "$1" -y "$2" \
		"env TERM=$3 ${4:-} '$KBINDTOP' -d 0.2 2>'$kb_tmp/ui.err' <&0 & echo \$! >'$kb_tmp/pid';
		 wait \$!; echo \$? >'$kb_tmp/status'"
	i=0
	while [ ! -s "$kb_tmp/pid" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || kb_fail "tmux did not start kbindtop"
		sleep 0.05
	done
	KBT_PID=$(cat "$kb_tmp/pid")
	wait_screen "^kbindtop  backend" "the header"
}

# finish: q, then exit status 0 and nothing left in tracefs.
finish() {
	tm send-keys -t ui q
	wait_exit "q"
	[ "$st" = 0 ] || kb_fail "kbindtop exited with $st: $(cat "$kb_tmp/ui.err")"
	kb_residue "$KBT_PID"
	tm kill-session -t ui 2>/dev/null
}

# wait_exit WHY: until kbindtop has exited; sets st to its exit status.
wait_exit() {
	i=0
	while [ ! -s "$kb_tmp/status" ]; do
		i=$((i + 1))
		if [ $i -ge 200 ]; then
			screen >&2
			kb_fail "kbindtop did not quit on $1"
		fi
		sleep 0.05
	done
	st=$(cat "$kb_tmp/status")
}

binds() {
	# -w: still alive when the table looks it up (user, stack symbols)
	"$BINDPROG" -n progA -w 1 tcp4:127.0.0.1:0 udp4:127.0.0.1:0 >/dev/null &
	"$BINDPROG" -n progB -w 1 tcp4:127.0.0.1:0 >/dev/null
	wait
}

run() {
	w=$1 h=$2 term=$3 resize_w=$4 resize_h=$5
	echo "== ${w}x$h TERM=$term"
	start "$w" "$h" "$term"
	binds
	wait_screen " progA" "the table (progA)"
	wait_screen " progB" "the table (progB)"

	# the filter narrows to one program, key by key
	tm send-keys -t ui '\'
	tm send-keys -t ui -l progA
	wait_screen "^Filter: progA" "the filter prompt"
	tm send-keys -t ui Enter
	wait_screen "filter progA" "the header"
	gone_screen "[+-] progB" "the filtered table"
	screen | grep -Eq "[+-] progA" || kb_fail "progA filtered away"

	# open the process, a target, its stack: frames
	tm send-keys -t ui Home Enter
	wait_screen "[\`|]- \+ (tcp4|udp4|inet)" "the opened process"
	tm send-keys -t ui Down Enter
	wait_screen "[\`|]- \+ #1 " "the opened target"
	tm send-keys -t ui Down Enter
	wait_screen "u#0 " "the opened stack"
	# frames by name (-O1 may call it kbt_bind_spec.isra.0)
	wait_screen "u#[0-9]+ +kbt_bind_spec[.a-z0-9]*\+0x[0-9a-f]+ \(bindprog\)" "the frames"
	screen | grep -q "u#[0-9]* *kbt_call_bind+0x" || kb_fail "kbt_call_bind missing"
	screen >"$kb_tmp/frames.$w"

	# help, generated from the key table; any key returns
	tm send-keys -t ui '?'
	wait_screen "^kbindtop help" "help"
	screen | grep -Eq "^  Up k +move up" || kb_fail "help has no key list"
	tm send-keys -t ui q
	wait_screen "^kbindtop  backend" "the table after help"

	# Esc clears the filter: both again
	tm send-keys -t ui Escape
	wait_screen "[+-] progB" "the unfiltered table"

	# resize: the columns are laid out again, nothing wraps
	tm resize-window -t ui -x "$resize_w" -y "$resize_h"
	if [ "$resize_w" -ge 92 ]; then
		wait_screen "PID USER +COMM" "the wider table"
	else
		gone_screen "USER" "the narrower table"
	fi
	screen | awk -v w="$resize_w" 'length($0) > w { bad = 1 } END { exit bad }' ||
		kb_fail "a line is wider than the window"
	[ "$(screen | wc -l)" -eq "$resize_h" ] || kb_fail "screen height is not $resize_h"
	finish
}

run 80 24 screen 120 40
run 120 40 tmux-256color 80 24

# other terminals: the table comes up and q leaves cleanly
for t in xterm "vt100 NO_COLOR=1"; do
	echo "== 80x24 TERM=$t"
	start 80 24 $t
	binds
	wait_screen " progB" "the table"
	finish
done

# SIGHUP (the SSH connection dropped) cleans up like q
echo "== SIGHUP"
start 80 24 screen
kill -HUP "$KBT_PID"
wait_exit SIGHUP
[ "$st" = 0 ] || kb_fail "SIGHUP: kbindtop exited with $st"
kb_residue "$KBT_PID"
echo "PASS"
