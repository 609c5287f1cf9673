#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# basic.sh - the whole pipeline on this kernel, for each backend that works
# here: v4, v6, udp, unix (path and abstract), a port-0 bind and a failed
# EADDRINUSE bind, all from a program that scribbles over its sockaddr right
# after each bind().  Every address, port, family, result and errno name
# must be exact.
. "$(dirname "$0")/../lib.sh"
kb_require_root

run_backend() {
	be=$1
	kb_start "$be" --json --backend="$be"
	pid=$KB_PID
	# -k keeps the first 127.0.0.1 bind alive so the second fails; -w keeps the process for /proc
	"$BINDPROG" -s -k -w 1 -n kbt-basic \
		tcp4:127.0.0.1:47001 udp6:::1:47002 tcp6:::1:47003 udp4:0.0.0.0:47004 \
		unix:"$kb_tmp/s.sock" unixabs:kbt-abs-$$ tcp4:127.0.0.1:0 tcp4:127.0.0.1:47001 \
		>"$kb_tmp/prog.out" || kb_fail "bindprog failed"
	sleep 0.3
	kb_stop "$pid" INT || kb_fail "kbindtop --backend=$be exited with $?"
	kb_residue "$pid"
	grep -q "backend $be" "$kb_tmp/$be.err" || kb_fail "backend not announced: $(cat "$kb_tmp/$be.err")"
	kb_json "$kb_tmp/$be.out" "
mine = [e for e in ev if e['comm'] == 'kbt-basic']
assert len(mine) == 8, 'expected 8 binds, got %d: %s' % (len(mine), mine)
def chk(e, fam, proto, addr, port, err=None):
    assert e['family'] == fam, e
    assert e['addr'] == addr, e
    assert e['port'] == port, e
    assert e['error'] == err, e
    assert e['ret'] == (0 if err is None else -98), e
    assert e['verified'] is True, e
    assert e['backend'] == '$be', e
    assert e['pid'] == e['tid'], e
    if proto is not None:
        assert e['proto'] in (proto, None), e
chk(mine[0], 'inet', 'tcp', '127.0.0.1', 47001)
chk(mine[1], 'inet6', 'udp', '::1', 47002)
chk(mine[2], 'inet6', 'tcp', '::1', 47003)
chk(mine[3], 'inet', 'udp', '0.0.0.0', 47004)
chk(mine[4], 'unix', None, '$kb_tmp/s.sock', None)
chk(mine[5], 'unix', None, '@kbt-abs-$$', None)
chk(mine[6], 'inet', 'tcp', '127.0.0.1', 0)
chk(mine[7], 'inet', 'tcp', '127.0.0.1', 47001, 'EADDRINUSE')
assert mine[0]['proto'] == 'tcp', mine[0]
assert mine[6]['bound_port'] and mine[6]['bound_port'] > 0, mine[6]
assert all(e['uid'] == 0 for e in mine), mine
"
}

ran=0
for be in syscalls kprobe; do
	if "$KBINDTOP" --check --backend=$be >"$kb_tmp/check.$be" 2>&1; then
		run_backend $be
		ran=$((ran + 1))
	else
		echo "backend $be not available here: $(grep -i 'backend' "$kb_tmp/check.$be")"
	fi
done
[ $ran -gt 0 ] || kb_fail "no backend works here"
exit 0
