#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# filters.sh - --pid, --port, --comm and --failed select exactly the binds
# they name (some are pushed into kernel filters, all are checked on each
# call), and --duration ends a run by itself.
. "$(dirname "$0")/../lib.sh"
kb_require_root

# a process whose pid we know before it binds (sh execs bindprog in place)
sh -c "sleep 2; exec '$BINDPROG' -n kbt-target -w 1 tcp4:127.0.0.1:0 udp4:127.0.0.1:47201" >/dev/null &
target=$!
kb_start pid --json --pid=$target
by_pid=$KB_PID
kb_start port --json --port=47201,47202
by_port=$KB_PID
kb_start comm --json --comm=kbt-other
by_comm=$KB_PID
kb_start failed --json --failed --duration=4
failed=$KB_PID
"$BINDPROG" -n kbt-other -k tcp4:127.0.0.1:47202 tcp4:127.0.0.1:47202 udp4:127.0.0.1:0 >/dev/null
wait $target
sleep 0.3
for k in $by_pid $by_port $by_comm; do
	kb_stop "$k" INT || kb_fail "kbindtop $k exited $?"
	kb_residue "$k"
done
wait "$failed" || kb_fail "--duration run exited $?"
kb_residue "$failed"

kb_json "$kb_tmp/pid.out" "
assert ev and all(e['pid'] == $target for e in ev), ev
assert len(ev) == 2, ev
"
kb_json "$kb_tmp/port.out" "
assert sorted((e['comm'], e['port']) for e in ev) == [('kbt-other', 47202), ('kbt-other', 47202), ('kbt-target', 47201)], ev
"
kb_json "$kb_tmp/comm.out" "
assert len(ev) == 3 and all(e['comm'] == 'kbt-other' for e in ev), ev
"
kb_json "$kb_tmp/failed.out" "
mine = [e for e in ev if e['comm'].startswith('kbt-')]
assert len(mine) == 1 and mine[0]['error'] == 'EADDRINUSE' and mine[0]['port'] == 47202, ev
assert all(e['ret'] < 0 for e in ev), ev
"
exit 0
