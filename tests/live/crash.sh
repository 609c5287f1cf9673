#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# crash.sh - a crash (SIGSEGV) in the reader thread or in the main thread
# still removes the instances and probes (async-signal-safe fatal path)
# and the process dies of that signal; in the live table the terminal is
# restored (alternate screen left).
. "$(dirname "$0")/../lib.sh"
kb_require_root
# sanitizer builds: let kbindtop's own fatal handler run, not the runtime's
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0"
export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}handle_segv=0"

tgkill() {	# tgkill PID TID SIG: a signal to one thread, as a fault would be
	python3 -c 'import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
sys.exit(libc.syscall(234, int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])) != 0)' "$@"
}

for where in reader main; do
	kb_start "crash-$where" --batch
	pid=$KB_PID
	if [ $where = reader ]; then
		# by name: sanitizer runtimes add threads of their own
		tid=$(grep -l '^kbindtop-reader$' /proc/"$pid"/task/*/comm | cut -d/ -f5)
		[ -n "$tid" ] || kb_fail "no reader thread named kbindtop-reader"
	else
		tid=$pid
	fi
	tgkill "$pid" "$tid" 11 || kb_fail "tgkill failed"
	wait "$pid"
	rc=$?
	kb_pids=$(echo "$kb_pids" | sed "s/ $pid\b//")
	[ $rc = 139 ] || kb_fail "$where crash: exit status $rc, want 139 (SIGSEGV)"
	kb_residue "$pid"
done

command -v tmux >/dev/null || kb_skip "tmux missing for the live-table part"
sock="$kb_tmp/tmux.sock"
tmux -S "$sock" -f /dev/null new-session -d -s crash -x 80 -y 24 \
	"env TERM=screen '$KBINDTOP' 2>'$kb_tmp/tui.err'; echo exit=\$? >'$kb_tmp/tui.rc'; sleep 30"
i=0
until [ "$(tmux -S "$sock" display -p -t crash '#{alternate_on}')" = 1 ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || { tmux -S "$sock" kill-server; kb_fail "live table did not start"; }
	sleep 0.1
done
sleep 0.5
pid=$(pgrep -P "$(tmux -S "$sock" display -p -t crash '#{pane_pid}')" -x kbindtop)
[ -n "$pid" ] || { tmux -S "$sock" kill-server; kb_fail "no kbindtop in the pane"; }
kill -SEGV "$pid"
i=0
until [ -s "$kb_tmp/tui.rc" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || { tmux -S "$sock" kill-server; kb_fail "live table did not die"; }
	sleep 0.1
done
alt=$(tmux -S "$sock" display -p -t crash '#{alternate_on}')
tmux -S "$sock" kill-server
grep -q 'exit=139' "$kb_tmp/tui.rc" || kb_fail "live table: $(cat "$kb_tmp/tui.rc")"
[ "$alt" = 0 ] || kb_fail "terminal left in the alternate screen after the crash"
kb_residue "$pid"
exit 0
