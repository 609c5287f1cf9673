#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# service.sh - contrib/kbindtop.service as built by make:
#   - systemd-analyze verify finds nothing to say about it (where the tool
#     exists; this test does not need systemd running);
#   - its ExecStart, run with the unit's privileges as far as they can be
#     had without systemd (CapabilityBoundingSet and NoNewPrivileges, via
#     setpriv), records a known set of binds (one by another user, failing
#     on a port held by root) to stdout and the metrics file, and stops
#     cleanly on the unit's KillSignal;
#   - "make install" puts it in the unit directory configure found, and
#     nowhere when there was none.
. "$(dirname "$0")/../lib.sh"
kb_require_root
unit=$top_builddir/contrib/kbindtop.service
[ -f "$unit" ] || kb_fail "$unit not built"
# the unit as it would run this build's kbindtop
sed "s|^ExecStart=[^ ]*/kbindtop |ExecStart=$KBINDTOP |" "$unit" >"$kb_tmp/kbindtop.service"

if command -v systemd-analyze >/dev/null; then
	# it warns (unknown keys, bad values) on stderr and still exits 0
	systemd-analyze verify --man=no "$kb_tmp/kbindtop.service" >"$kb_tmp/verify" 2>&1 ||
		kb_fail "systemd-analyze verify failed: $(cat "$kb_tmp/verify")"
	[ -s "$kb_tmp/verify" ] && kb_fail "systemd-analyze verify complains: $(cat "$kb_tmp/verify")"
else
	echo "systemd-analyze not installed: unit not verified"
fi

# --- the ExecStart line with the unit's capabilities and no new privileges
command -v setpriv >/dev/null || kb_skip "setpriv not installed"
key() { sed -n "s/^$1=//p" "$kb_tmp/kbindtop.service"; }
caps=$(key CapabilityBoundingSet | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
[ -n "$caps" ] || kb_fail "the unit sets no CapabilityBoundingSet"
[ "$(key NoNewPrivileges)" = yes ] || kb_fail "the unit does not set NoNewPrivileges"
[ "$(key Restart)" = on-failure ] || kb_fail "the unit does not restart on failure"
[ "$(key KillSignal)" = SIGTERM ] || kb_fail "KillSignal is not SIGTERM"
# the metrics go to a directory of the test's own
mkdir "$kb_tmp/textfile"
# shellcheck disable=SC2046
set -- $(key ExecStart | sed "s|--metrics=[^ ]*|--metrics=$kb_tmp/textfile/kbindtop.prom|")
[ "$1" = "$KBINDTOP" ] || kb_fail "ExecStart does not run kbindtop: $*"
shift
prom=$kb_tmp/textfile/kbindtop.prom
setpriv --no-new-privs --bounding-set=-all,"$caps" --inh-caps=-all \
	"$KBINDTOP" "$@" >"$kb_tmp/journal.out" 2>"$kb_tmp/journal.err" &
kb=$!
kb_pids="$kb_pids $kb"
i=0
while ! grep -q ready "$kb_tmp/journal.err" 2>/dev/null || [ ! -e "$prom" ]; do
	kill -0 $kb 2>/dev/null || kb_fail "the unit's command exited: $(cat "$kb_tmp/journal.err")"
	i=$((i + 1))
	[ $i -lt 200 ] || kb_fail "the unit's command not ready in 10 s"
	sleep 0.05
done
port=$("$BINDPROG" -n kbt-freeport tcp4:127.0.0.1:0 | sed -n 's/.* bound=//p')
# root holds the port for 2 s; nobody fails on it (EADDRINUSE) and binds
# another: the holder is found across users with the unit's capabilities
"$BINDPROG" -k -w 2 -n kbt-svc-root tcp4:127.0.0.1:"$port" >/dev/null &
holder=$!
sleep 0.3
setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$BINDPROG" -k -w 1 -n kbt-svc-user tcp4:127.0.0.1:"$port" udp6:::1:0 >/dev/null
wait $holder
kb_stop $kb TERM || kb_fail "the unit's command exited with $? on SIGTERM: $(cat "$kb_tmp/journal.err")"
kb_residue $kb
kb_json "$kb_tmp/journal.out" "
r = one(comm='kbt-svc-root')
assert r['port'] == $port and r['error'] is None and r['proto'] == 'tcp', r
u = [e for e in ev if e['comm'] == 'kbt-svc-user']
assert len(u) == 2, u
assert u[0]['uid'] == 65534 and u[0]['error'] == 'EADDRINUSE', u[0]
assert u[0]['holder'] and u[0]['holder']['comm'] == 'kbt-svc-root', u[0]
assert u[1]['family'] == 'inet6' and u[1]['proto'] == 'udp' and u[1]['error'] is None, u[1]
"
grep -q "^kbindtop_bind_calls_total{comm=\"kbt-svc-user\",family=\"inet\",proto=\"tcp\",port=\"$port\",result=\"EADDRINUSE\"} 1$" "$prom" ||
	kb_fail "the metrics file lacks the failed bind: $(grep kbt-svc "$prom")"
grep -q "^kbindtop_holder_info{port=\"$port\",holder_comm=\"kbt-svc-root\"} 1$" "$prom" ||
	kb_fail "the metrics file lacks the holder: $(grep holder "$prom")"

# --- make install: into the unit directory configure found, or nowhere
unitdir=$(sed -n 's/^systemdsystemunitdir = //p' "$top_builddir/Makefile")
make -s -C "$top_builddir" install DESTDIR="$kb_tmp/dest" >"$kb_tmp/install.log" 2>&1 ||
	kb_fail "make install failed: $(tail -5 "$kb_tmp/install.log")"
found=$(cd "$kb_tmp/dest" && find . -name kbindtop.service | sed 's|^\.||')
if [ -n "$unitdir" ]; then
	[ "$found" = "$unitdir/kbindtop.service" ] ||
		kb_fail "make install put the unit at '$found', not in $unitdir"
	cmp -s "$found" "$unit" 2>/dev/null || cmp -s "$kb_tmp/dest$found" "$unit" ||
		kb_fail "the installed unit differs from the built one"
else
	[ -z "$found" ] || kb_fail "configure found no unit directory, yet the unit went to $found"
fi
exit 0
