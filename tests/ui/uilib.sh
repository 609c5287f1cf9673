# SPDX-License-Identifier: GPL-2.0-or-later
# tests/ui/uilib.sh - driving kbindtop in a private tmux server (sourced by
# the tests in tests/ui/ after tests/lib.sh, not run).
#   start W H TERM [ENV] [-- ARGS]   kbindtop (with ARGS) in a fresh pane; sets KBT_PID
#   screen                           the pane as text
#   wait_screen / gone_screen PAT    until the pane shows / stops showing PAT (5 s)
#   wait_exit WHY                    until kbindtop exited; sets st
#   finish                           q, exit status 0, no tracing state left

command -v tmux >/dev/null 2>&1 || kb_skip "tmux is not installed"

tm() {
	tmux -S "$kb_tmp/tmux.sock" -f /dev/null "$@"
}
# whatever ends the test ends the server, and any kbindtop still in it
ui_cleanup() {
	[ -n "${KBT_PID:-}" ] && kill -INT "$KBT_PID" 2>/dev/null
	tm kill-server 2>/dev/null
	kb_cleanup
}
trap ui_cleanup EXIT
trap 'exit 1' INT TERM HUP

screen() {
	tm capture-pane -p -t ui
}

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

# start W H TERM ENV ARGS...: ENV is "" or "NAME=value ..."; KBT_WRAP runs kbindtop
# under another command (setpriv to drop root)
start() {
	w=$1 h=$2 term=$3 env=$4
	shift 4
	rm -f "$kb_tmp/pid" "$kb_tmp/status" "$kb_tmp/ui.err"
	# in the test's directory: files kbindtop writes there (the e key) go with it
	tm new-session -d -s ui -x "$w" -y "$h" -c "$kb_tmp" \
		"env TERM=$term $env ${KBT_WRAP:-} '$KBINDTOP' -d 0.2 $* 2>'$kb_tmp/ui.err' <&0 & echo \$! >'$kb_tmp/pid';
		 wait \$!; echo \$? >'$kb_tmp/status'"
	i=0
	while [ ! -s "$kb_tmp/pid" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || kb_fail "tmux did not start kbindtop"
		sleep 0.05
	done
	KBT_PID=$(cat "$kb_tmp/pid")
	wait_screen "^kbindtop  " "the header"
}

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

finish() {
	tm send-keys -t ui q
	wait_exit "q"
	[ "$st" = 0 ] || kb_fail "kbindtop exited with $st: $(cat "$kb_tmp/ui.err")"
	kb_residue "$KBT_PID"
	tm kill-session -t ui 2>/dev/null
}

# no line wider than the window, exactly its height
check_size() {
	screen | awk -v w="$1" 'length($0) > w { bad = 1 } END { exit bad }' ||
		kb_fail "a line is wider than $1"
	[ "$(screen | wc -l)" -eq "$2" ] || kb_fail "screen height is not $2"
}
