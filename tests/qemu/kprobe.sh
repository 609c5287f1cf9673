#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kprobe.sh - the kprobe backend on a real kernel that has kprobes: boots
# the Debian 12 cloud kernel in qemu (see run-guest.sh) with the built
# kbindtop and bindprog, and in the guest runs --check, then each of
# --backend=kprobe, auto and syscalls in JSON mode against binds of every
# kind (v4, v6, udp, unix path and abstract, port 0, EADDRINUSE) from a
# program that scribbles over its sockaddr after each bind.  The host
# checks every address, port, family, result and errno, the backend used,
# and that no instance or probe is left -- also after SIGKILL followed by a
# new start, and after --cleanup.
# automake test: 0 pass, 1 fail, 77 skip (only if qemu/kernel unavailable).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
: "${top_builddir:=$(cd "$HERE/../.." && pwd)}"
KBINDTOP=${KBINDTOP:-$top_builddir/kbindtop}
BINDPROG=${BINDPROG:-$top_builddir/tests/progs/bindprog}

[ -x "$KBINDTOP" ] || { echo "FAIL: $KBINDTOP not built"; exit 1; }
[ -x "$BINDPROG" ] || { echo "FAIL: $BINDPROG not built"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to install qemu and fetch the kernel"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kbt-kprobe.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/guest.sh" <<'GUEST'
T=/sys/kernel/tracing
wait_ready() {
	i=0
	while ! grep -q ready "$1" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
		[ $i -lt 300 ] || { echo "@@timeout $1"; cat "$1"; return 1; }
	done
}
residue() {
	echo "@@residue $1"
	grep -i kbindtop $T/dynamic_events $T/kprobe_events $T/uprobe_events
	ls $T/instances | grep -i kbindtop
	echo "@@end"
}
run() {
	be=$1
	kbindtop --json --stacks --backend=$be >/tmp/$be.json 2>/tmp/$be.err &
	K=$!
	wait_ready /tmp/$be.err
	bindprog -s -k -w 1 -n kbt-guest tcp4:127.0.0.1:47001 udp6:::1:47002 tcp6:::1:47003 \
		udp4:0.0.0.0:47004 unix:/tmp/kbt.sock unixabs:kbt-abs tcp4:127.0.0.1:0 \
		tcp4:127.0.0.1:47001 >/dev/null
	sleep 0.3
	kill -INT $K
	wait $K
	echo "@@rc $be $?"
	echo "@@json $be"
	cat /tmp/$be.json
	echo "@@end"
	echo "@@err $be"
	cat /tmp/$be.err
	echo "@@end"
	residue $be
}
echo "@@check"
kbindtop --check
echo "@@end"
echo "@@checkrc $?"
run kprobe
run auto
run syscalls

# killed without a chance to clean up: the next start reaps it
kbindtop --batch >/dev/null 2>/tmp/k1.err &
K=$!
wait_ready /tmp/k1.err
kill -KILL $K
wait $K
residue killed
kbindtop --batch --duration=0.3 >/dev/null 2>/tmp/k2.err
echo "@@err restart"
cat /tmp/k2.err
echo "@@end"
residue restarted

# and --cleanup on demand
kbindtop --batch >/dev/null 2>/tmp/k3.err &
K=$!
wait_ready /tmp/k3.err
kill -KILL $K
wait $K
echo "@@err cleanup"
kbindtop --cleanup
echo "@@end"
residue cleanup
GUEST

start=$(date +%s.%N)
set +e
"$HERE/run-guest.sh" --timeout 240 --script "$tmp/guest.sh" --bin "$KBINDTOP" --bin "$BINDPROG" \
	--out "$tmp/out"
rc=$?
set -e
[ $rc = 77 ] && exit 77
[ $rc = 0 ] || { echo "FAIL: guest run failed ($rc)"; cat "$tmp/out" 2>/dev/null; exit 1; }
cat "$tmp/out"

python3 - "$tmp/out" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
def section(name):
    m = re.search(r'^@@' + re.escape(name) + r'\n(.*?)^@@end$', text, re.S | re.M)
    assert m, 'no section ' + name
    return m.group(1)
fails = []
def check(cond, msg):
    if not cond:
        fails.append(msg)

check('@@checkrc 0' in text, '--check did not exit 0')
chk = section('check')
check(re.search(r'backend \(auto\):\s+kprobe', chk) is not None, 'auto would not choose kprobe:\n' + chk)

want = [('inet', '127.0.0.1', 47001, None), ('inet6', '::1', 47002, None),
        ('inet6', '::1', 47003, None), ('inet', '0.0.0.0', 47004, None),
        ('unix', '/tmp/kbt.sock', None, None), ('unix', '@kbt-abs', None, None),
        ('inet', '127.0.0.1', 0, None), ('inet', '127.0.0.1', 47001, 'EADDRINUSE')]
for be, expect_be in (('kprobe', 'kprobe'), ('auto', 'kprobe'), ('syscalls', 'syscalls')):
    check('@@rc %s 0' % be in text, 'kbindtop --backend=%s did not exit 0' % be)
    err = section('err ' + be)
    check(('backend %s' % expect_be) in err, '%s: backend not announced as %s:\n%s' % (be, expect_be, err))
    evs = [json.loads(l) for l in section('json ' + be).splitlines() if l.strip()]
    mine = [e for e in evs if e['comm'] == 'kbt-guest']
    check(len(mine) == len(want), '%s: %d binds, want %d: %s' % (be, len(mine), len(want), mine))
    for e, (fam, addr, port, error) in zip(mine, want):
        ok = (e['family'] == fam and e['addr'] == addr and e['port'] == port and
              e['error'] == error and e['ret'] == (0 if error is None else -98) and
              e['verified'] is True and e['backend'] == expect_be and e['pid'] == e['tid'])
        check(ok, '%s: wrong event, want %s: %s' % (be, (fam, addr, port, error), json.dumps(e)))
        check(len(e.get('user_stack', [])) >= 3, '%s: short user stack: %s' % (be, json.dumps(e)))
        syms = [f.get('sym') or '' for f in e.get('user_stack', [])]
        # symbolized in the guest: the direct caller of bind() (recovered from
        # the user sp) and the caller's caller (from the frame-pointer walk)
        check(any(x.startswith('kbt_call_bind') for x in syms) and
              any(x.startswith('kbt_bind_spec') for x in syms),
              '%s: user stack not symbolized with bindprog functions: %s' % (be, syms))
    if len(mine) == len(want):
        check(mine[6]['bound_port'] and mine[6]['bound_port'] > 0, '%s: no bound_port for port 0' % be)
    check(section('residue ' + be).strip() == '', '%s left tracing state:\n%s' % (be, section('residue ' + be)))

check(section('residue killed').strip() != '', 'SIGKILL left nothing behind?? (test is not testing)')
check('removed' in section('err restart'), 'restart did not report reaping:\n' + section('err restart'))
check(section('residue restarted').strip() == '', 'restart did not reap:\n' + section('residue restarted'))
check(section('residue cleanup').strip() == '', '--cleanup did not reap:\n' + section('residue cleanup'))
if fails:
    print('\n'.join('FAIL: ' + f for f in fails))
    sys.exit(1)
print('all kprobe-kernel checks passed')
PY
echo "kprobe.sh wall time: $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $start }") s"
