#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# reuse.sh - a socket is closed and its descriptor reused by the next
# socket before kbindtop looks at it: the details read after the fact
# (protocol, bound port) must never come from the wrong socket; unknown
# is fine, wrong is not.  Also a process that is gone before it is looked
# up is marked unknown, not guessed.
. "$(dirname "$0")/../lib.sh"
kb_require_root

kb_start reuse --json --no-stacks
k=$KB_PID
# fd 3: tcp bound to 47401, closed when the next spec starts; fd 3 again:
# udp bound to 47402; and so on.  The pause gives kbindtop time to look at
# fd 3 while it is the other socket.
"$BINDPROG" -K -d 3 -w 1 -n kbt-reuse -c 20 tcp4:127.0.0.1:47401 udp4:127.0.0.1:47402 >/dev/null
# gone immediately, binding through a raw syscall (no probe names it)
"$BINDPROG" -S -n kbt-gone tcp4:127.0.0.1:0 >/dev/null
sleep 0.3
kb_stop "$k" INT || kb_fail "kbindtop failed"
kb_json "$kb_tmp/reuse.out" "
mine = [e for e in ev if e['comm'] == 'kbt-reuse']
assert len(mine) == 40, len(mine)
for e in mine:
    if e['port'] == 47401:
        assert e['proto'] in ('tcp', None), e
        assert e['bound_port'] in (47401, None), e
    else:
        assert e['port'] == 47402 and e['proto'] in ('udp', None), e
        assert e['bound_port'] in (47402, None), e
# pid known from the thread cache or /proc; comm never invented
gone = [e for e in ev if e['comm'] not in ('kbt-reuse',) and e['port'] == 0 and e['addr_source'] in ('late', 'sockname', 'none')]
for e in gone:
    assert e['comm'] in ('kbt-gone', '?'), e
"
exit 0
