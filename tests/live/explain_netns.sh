#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# explain_netns.sh - binds in a network namespace the test creates with
# "unshare -n" are never confused with the host's: the same port binds
# fine there while the host holds it, each side's netns is reported, and
# a collision inside the namespace names the holder inside it, not the
# host process on the same port (and the other way round).
. "$(dirname "$0")/../lib.sh"
kb_require_root
command -v unshare >/dev/null || kb_skip "no unshare"
unshare -n true 2>/dev/null || kb_skip "cannot create network namespaces here"

P=478$(($$ % 10))1

kb_start ns --json
kb=$KB_PID

"$BINDPROG" -k -w 5 -n kbt-nhost tcp4:0.0.0.0:$P >"$kb_tmp/host.out" &
i=0
while ! grep -q BIND "$kb_tmp/host.out" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || kb_fail "host holder did not bind"; sleep 0.05
done
# in a new namespace: hold the same port, then collide with it there
BINDPROG=$BINDPROG P=$P unshare -n sh -c '
	"$BINDPROG" -k -w 3 -n kbt-nhold tcp4:0.0.0.0:$P >/dev/null &
	sleep 0.5
	"$BINDPROG" -w 1 -n kbt-nfail tcp4:0.0.0.0:$P >/dev/null
	wait' || kb_fail "unshare -n failed"
# and on the host
"$BINDPROG" -w 1 -n kbt-hfail tcp4:0.0.0.0:$P >/dev/null

sleep 0.3
kb_stop "$kb" INT || kb_fail "kbindtop exited with $?"
kb_residue "$kb"

kb_json "$kb_tmp/ns.out" "
import os
host_ns = os.stat('/proc/self/ns/net').st_ino
host = one(comm='kbt-nhost')
hold = one(comm='kbt-nhold')
nfail = one(comm='kbt-nfail')
hfail = one(comm='kbt-hfail')
assert host['ret'] == 0 and host['netns'] == host_ns, host
# the same port, bound fine: another namespace
assert hold['ret'] == 0 and hold['port'] == $P, hold
assert hold['netns'] and hold['netns'] != host_ns, hold
assert nfail['netns'] == hold['netns'], (nfail, hold)
# the collision inside names the holder inside
assert nfail['error'] == 'EADDRINUSE', nfail
assert nfail['holder']['pid'] == hold['pid'] and nfail['holder']['comm'] == 'kbt-nhold', nfail
assert nfail['holder']['state'] == 'LISTEN', nfail
# and the host's names the host's
assert hfail['error'] == 'EADDRINUSE' and hfail['netns'] == host_ns, hfail
assert hfail['holder']['pid'] == host['pid'] and hfail['holder']['comm'] == 'kbt-nhost', hfail
"
wait
exit 0
