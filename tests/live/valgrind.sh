#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# valgrind.sh - a batch run with stacks under valgrind memcheck: no
# invalid access, no use of uninitialised memory, no definite leak, across
# setup, binds of every kind, SIGINT and teardown.
. "$(dirname "$0")/../lib.sh"
kb_require_root
command -v valgrind >/dev/null || kb_skip "valgrind not installed"
ldd "$KBINDTOP" | grep -q -e libasan -e libtsan && kb_skip "sanitizer build: valgrind does not apply"

valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	--log-file="$kb_tmp/vg.log" "$KBINDTOP" --json --stacks \
	>"$kb_tmp/vg.out" 2>"$kb_tmp/vg.err" &
vg=$!
kb_pids="$kb_pids $vg"
i=0
while ! grep -q ready "$kb_tmp/vg.err" 2>/dev/null; do
	kill -0 $vg 2>/dev/null || { cat "$kb_tmp/vg.err" "$kb_tmp/vg.log"; kb_fail "exited early"; }
	i=$((i + 1))
	[ $i -lt 600 ] || kb_fail "not ready after 60 s under valgrind"
	sleep 0.1
done
"$BINDPROG" -k -w 1 -n kbt-vg tcp4:127.0.0.1:0 udp6:::1:0 unix:"$kb_tmp/vg.sock" \
	unixabs:kbt-vg tcp4:127.0.0.1:47301 tcp4:127.0.0.1:47301 >/dev/null
# a raw syscall has no libc uprobe to name it: keep it alive for /proc
"$BINDPROG" -S -w 3 -n kbt-vg-raw tcp4:127.0.0.1:0 >/dev/null
kb_stop $vg INT
rc=$?
grep -E 'ERROR SUMMARY|definitely lost' "$kb_tmp/vg.log"
[ $rc = 0 ] || { cat "$kb_tmp/vg.log"; kb_fail "valgrind reported errors (exit $rc)"; }
n=$(grep -c kbt-vg "$kb_tmp/vg.out")
[ "$n" -ge 7 ] || kb_fail "only $n binds seen under valgrind"
kb_residue $vg
exit 0
