#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kprobe.sh - the kernel matrix: kbindtop on real Debian cloud kernels in
# qemu (see run-guest.sh): 6.1 (bookworm, mandatory), 6.12 (trixie) and the
# newest (sid), one guest per kernel, all booted at once.  In each guest:
# --check, then --backend=kprobe, auto and syscalls in JSON mode against
# binds of every kind (v4, v6, udp, unix path and abstract, port 0,
# EADDRINUSE) from a program that scribbles over its sockaddr after each
# bind, plus io_uring binds (IORING_OP_BIND: success, EADDRINUSE, a SQPOLL
# ring) where the kernel has them, plus binds by the kernel itself
# (WireGuard's kernel_bind when its module loads).  On 6.1 also: SIGKILL
# followed by a new start, and --cleanup, leave nothing behind.  Two more
# 6.1 guests boot with lockdown=confidentiality (tracefs locked: --check
# and a start must say so and exit 1) and lockdown=integrity (tracing
# works).  The host checks every event and prints the matrix
# (kernel x backend x case) with the wall time of the stage.
# A kernel that cannot be fetched makes its cases SKIP with the reason;
# without the 6.1 kernel (or qemu) the whole test is SKIP.
# automake test: 0 pass, 1 fail, 77 skip.
# Environment: KBINDTOP_QEMU_SUITES (default "bookworm trixie sid").
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
: "${top_builddir:=$(cd "$HERE/../.." && pwd)}"
KBINDTOP=${KBINDTOP:-$top_builddir/kbindtop}
BINDPROG=${BINDPROG:-$top_builddir/tests/progs/bindprog}
IOUPROG=${IOUPROG:-$top_builddir/tests/progs/iouprog}
SUITES=${KBINDTOP_QEMU_SUITES:-bookworm trixie sid}

for b in "$KBINDTOP" "$BINDPROG" "$IOUPROG"; do
	[ -x "$b" ] || { echo "FAIL: $b not built"; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to install qemu and fetch the kernels"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kbt-kprobe.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s.%N)

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
section() { # section NAME FILE
	echo "@@$1"
	cat "$2"
	echo "@@end"
}
echo "@@uname $(uname -r)"
kbindtop --check >/tmp/check 2>&1
echo "@@checkrc $?"
section check /tmp/check
run() {
	be=$1
	kbindtop --json --stacks --backend=$be >/tmp/$be.json 2>/tmp/$be.err &
	K=$!
	wait_ready /tmp/$be.err
	bindprog -s -k -w 1 -n kbt-guest tcp4:127.0.0.1:47001 udp6:::1:47002 tcp6:::1:47003 \
		udp4:0.0.0.0:47004 unix:/tmp/kbt.sock unixabs:kbt-abs tcp4:127.0.0.1:0 \
		tcp4:127.0.0.1:47001 >/dev/null
	iouprog -n kbt-iou -w 2 tcp4:127.0.0.1:47802 tcp4:127.0.0.1:47802 >/tmp/$be.iou 2>&1
	iouprog -q -n kbt-iousq -w 2 udp4:127.0.0.1:47806 >>/tmp/$be.iou 2>&1
	sleep 0.3
	kill -INT $K
	wait $K
	echo "@@rc $be $?"
	section "json $be" /tmp/$be.json
	section "err $be" /tmp/$be.err
	section "iou $be" /tmp/$be.iou
	residue $be
}
run kprobe
run auto
run syscalls

# binds by the kernel itself: WireGuard binds its UDP sockets when the link goes up
if [ -d /sys/module/wireguard ]; then
	kbindtop --json --stacks --backend=kprobe >/tmp/kbind.json 2>/tmp/kbind.err &
	K=$!
	wait_ready /tmp/kbind.err
	ip link add kbtwg0 type wireguard && ip link set kbtwg0 up
	echo "@@wg $?"
	sleep 0.3
	kill -INT $K
	wait $K
	section "json kbind" /tmp/kbind.json
	section "err kbind" /tmp/kbind.err
else
	echo "@@wg none"
fi

[ -n "${KBT_REAP:-}" ] || exit 0
# killed without a chance to clean up: the next start reaps it
kbindtop --batch >/dev/null 2>/tmp/k1.err &
K=$!
wait_ready /tmp/k1.err
kill -KILL $K
wait $K
residue killed
kbindtop --batch --duration=0.3 >/dev/null 2>/tmp/k2.err
section "err restart" /tmp/k2.err
residue restarted

# and --cleanup on demand
kbindtop --batch >/dev/null 2>/tmp/k3.err &
K=$!
wait_ready /tmp/k3.err
kill -KILL $K
wait $K
kbindtop --cleanup >/tmp/k4.err 2>&1
section "err cleanup" /tmp/k4.err
residue cleanup
GUEST
# 6.1 runs the reaping cases too (they do not depend on the kernel)
{ echo 'KBT_REAP=1'; cat "$tmp/guest.sh"; } >"$tmp/guest-reap.sh"

cat >"$tmp/lockdown.sh" <<'GUEST'
echo "@@mode $(cat /sys/kernel/security/lockdown)"
kbindtop --check >/tmp/check 2>&1
echo "@@checkrc $?"
echo "@@check"; cat /tmp/check; echo "@@end"
kbindtop --batch --duration=0.5 >/tmp/out 2>/tmp/err
echo "@@startrc $?"
echo "@@start"; cat /tmp/err; echo "@@end"
GUEST

# One guest filesystem for all of them; the kernels differ.
bins=(--bin "$KBINDTOP" --bin "$BINDPROG" --bin "$IOUPROG")
rc=0
"$HERE/run-guest.sh" --prepare --base "$tmp/base.gz" "${bins[@]}" >"$tmp/prep.log" 2>&1 || rc=$?
[ $rc = 77 ] && { cat "$tmp/prep.log"; exit 77; }
[ -s "$tmp/base.gz" ] || { cat "$tmp/prep.log"; echo "FAIL: no guest filesystem"; exit 1; }

guest() { # guest NAME SUITE SCRIPT [run-guest args]: in the background
	local name=$1 suite=$2 script=$3
	shift 3
	(
		rc=0
		"$HERE/run-guest.sh" --timeout 300 --suite "$suite" --base "$tmp/base.gz" \
			--script "$script" "${bins[@]}" "$@" --out "$tmp/$name.out" >"$tmp/$name.log" 2>&1 || rc=$?
		if [ $rc = 2 ] && grep -q "cannot get modules" "$tmp/$name.log"; then
			# a kernel without the module still runs everything else
			rc=0
			"$HERE/run-guest.sh" --timeout 300 --suite "$suite" --base "$tmp/base.gz" \
				--script "$script" "${bins[@]}" --out "$tmp/$name.out" >>"$tmp/$name.log" 2>&1 || rc=$?
		fi
		echo $rc >"$tmp/$name.rc"
	) &
}
for s in $SUITES; do
	script=$tmp/guest.sh
	[ "$s" = bookworm ] && script=$tmp/guest-reap.sh
	guest "k-$s" "$s" "$script" --module wireguard
done
guest ld-confidentiality bookworm "$tmp/lockdown.sh" --append lockdown=confidentiality
guest ld-integrity bookworm "$tmp/lockdown.sh" --append lockdown=integrity
wait
wall=$(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $start }")

for f in "$tmp"/*.log; do
	echo "--- $(basename "$f")"
	grep -E "wall time|SKIP|timed out|without GUEST" "$f" || true
done

python3 - "$tmp" "$SUITES" "$wall" <<'PY'
import json, os, re, sys
tmp, suites, wall = sys.argv[1], sys.argv[2].split(), sys.argv[3]
fails, rows = [], []

def read(name):
    p = os.path.join(tmp, name)
    return open(p, errors='replace').read() if os.path.exists(p) else ''

def section(text, name):
    m = re.search(r'^@@' + re.escape(name) + r'\n(.*?)^@@end$', text, re.S | re.M)
    return m.group(1) if m else None

def empty(text, name):
    s = section(text, name)
    return s is not None and s.strip() == ''

def case(kernel, backend, name, ok, why=''):
    rows.append((kernel, backend, name, 'PASS' if ok else 'FAIL', why))
    if not ok:
        fails.append('%s %s %s: %s' % (kernel, backend, name, why))

want = [('inet', '127.0.0.1', 47001, None), ('inet6', '::1', 47002, None),
        ('inet6', '::1', 47003, None), ('inet', '0.0.0.0', 47004, None),
        ('unix', '/tmp/kbt.sock', None, None), ('unix', '@kbt-abs', None, None),
        ('inet', '127.0.0.1', 0, None), ('inet', '127.0.0.1', 47001, 'EADDRINUSE')]

def check_binds(out, be, expect_be):
    js = section(out, 'json ' + be)
    if js is None:
        return False, 'no output'
    evs = [json.loads(l) for l in js.splitlines() if l.strip()]
    mine = [e for e in evs if e['comm'] == 'kbt-guest']
    if len(mine) != len(want):
        return False, '%d binds, want %d' % (len(mine), len(want))
    for e, (fam, addr, port, error) in zip(mine, want):
        if not (e['family'] == fam and e['addr'] == addr and e['port'] == port and
                e['error'] == error and e['ret'] == (0 if error is None else -98) and
                e['verified'] is True and e['backend'] == expect_be and e['pid'] == e['tid'] and
                e['via'] == 'syscall'):
            return False, 'wrong event, want %s: %s' % ((fam, addr, port, error), json.dumps(e))
        syms = [f.get('sym') or '' for f in e.get('user_stack', [])]
        if not (any(x.startswith('kbt_call_bind') for x in syms) and
                any(x.startswith('kbt_bind_spec') for x in syms)):
            return False, 'user stack not symbolized: %s' % syms
    if not (mine[6]['bound_port'] or 0) > 0:
        return False, 'no bound_port for port 0'
    return True, ''

def check_iouring(out, be, exact):
    js = section(out, 'json ' + be) or ''
    evs = [json.loads(l) for l in js.splitlines() if l.strip()]
    ok = [e for e in evs if e['comm'] == 'kbt-iou' and e['ret'] == 0]
    bad = [e for e in evs if e['comm'] == 'kbt-iou' and e['ret'] == -98]
    sq = [e for e in evs if e['comm'] == 'kbt-iousq']
    if len(ok) != 1 or len(bad) != 1 or len(sq) != 1:
        return False, 'io_uring events ok=%d eaddrinuse=%d sqpoll=%d; iouprog said: %s; io_uring events: %s' % (
            len(ok), len(bad), len(sq), section(out, 'iou ' + be),
            [{k: e.get(k) for k in ('pid', 'tid', 'comm', 'port', 'ret', 'via')} for e in evs
             if e.get('via') == 'io_uring' or (e.get('port') or 0) >= 47802]) + \
            '; kbindtop said: ' + (section(out, 'err ' + be) or '')
    ok, bad, sq = ok[0], bad[0], sq[0]
    for e in (ok, bad, sq):
        if e['via'] != 'io_uring':
            return False, 'via %s: %s' % (e['via'], json.dumps(e))
    if ok['port'] != 47802 or ok['addr'] != '127.0.0.1' or ok['verified'] is not exact:
        return False, 'success: %s' % json.dumps(ok)
    if bad['error'] != 'EADDRINUSE':
        return False, 'failure: %s' % json.dumps(bad)
    if exact and (bad['port'] != 47802 or bad['verified'] is not True):
        return False, 'failure without its exact address: %s' % json.dumps(bad)
    if not exact and (bad['addr'] is not None or bad['addr_source'] != 'none'):
        return False, 'failure with a guessed address: %s' % json.dumps(bad)
    if sq['port'] != 47806 or sq['pid'] == sq['tid'] or [e for e in evs if e['comm'].startswith('iou-')]:
        return False, 'SQPOLL bind not attributed to its process: %s' % json.dumps(sq)
    return True, ''

names = {'bookworm': '6.1', 'trixie': '6.12', 'sid': 'newest'}
for s in suites:
    out, log = read('k-%s.out' % s), read('k-%s.log' % s)
    rc = read('k-%s.rc' % s).strip()
    kernel = names.get(s, s)
    if rc == '77':
        why = (re.findall(r'SKIP: .*', log) or ['kernel not available'])[-1]
        rows.append((kernel, '-', 'all', 'SKIP', why))
        if s == 'bookworm':
            fails.append('6.1 kernel unavailable (mandatory): ' + why)
        continue
    m = re.search(r'^@@uname (.*)$', out, re.M)
    kernel = '%s (%s)' % (kernel, m.group(1) if m else '?')
    if rc != '0':
        case(kernel, '-', 'guest', False, 'run-guest exit %s: %s' % (rc, log[-1500:]))
        continue
    chk = section(out, 'check') or ''
    case(kernel, 'auto', '--check', '@@checkrc 0' in out and
         re.search(r'backend \(auto\):\s+kprobe', chk) is not None, chk)
    iou_line = (re.findall(r'^io_uring binds:\s*(.*)$', chk, re.M) or [''])[0]
    has_iou = 'IORING_OP_BIND: yes' in chk
    case(kernel, 'auto', '--check io_uring path', (iou_line.startswith('kprobe on __sys_bind_socket')
         if has_iou else iou_line.startswith('none needed')), iou_line)
    for be, expect in (('kprobe', 'kprobe'), ('auto', 'kprobe'), ('syscalls', 'syscalls')):
        err = section(out, 'err ' + be) or ''
        ok, why = check_binds(out, be, expect)
        ok = ok and ('@@rc %s 0' % be) in out and ('backend %s' % expect) in err
        case(kernel, be, 'bind(2) x8', ok, why or err)
        if has_iou:
            ok, why = check_iouring(out, be, expect == 'kprobe')
            case(kernel, be, 'io_uring x3', ok, why)
        else:
            rows.append((kernel, be, 'io_uring x3', 'n/a', 'no IORING_OP_BIND'))
        case(kernel, be, 'nothing left', empty(out, 'residue ' + be), section(out, 'residue ' + be) or '')
    wg = re.search(r'^@@wg (.*)$', out, re.M)
    if not wg or wg.group(1) == 'none':
        rows.append((kernel, 'kprobe', 'kernel_bind', 'SKIP', 'no wireguard module'))
    else:
        js = section(out, 'json kbind') or ''
        evs = [json.loads(l) for l in js.splitlines() if l.strip()]
        kb = [e for e in evs if e['via'] == 'kernel']
        # WireGuard binds v4 to port 0 (the kernel picks one), then v6 to that port
        ok = (wg.group(1) == '0' and len(kb) >= 1 and all(e['ret'] == 0 and e['proto'] == 'udp' and
              e['port'] is not None and e['verified'] and e['comm'] == 'ip' and
              any(f.get('sym') == 'wg_socket_init' for f in e.get('kernel_stack', [])) for e in kb) and
              not [e for e in evs if e['via'] == 'syscall' and e['port'] in [k['port'] for k in kb]])
        case(kernel, 'kprobe', 'kernel_bind (wireguard)', ok,
             'ip link: %s; %s' % (wg.group(1), json.dumps(kb) if kb else section(out, 'err kbind')))
    if s == 'bookworm':
        case(kernel, 'auto', 'SIGKILL then restart reaps',
             (section(out, 'residue killed') or '').strip() != '' and
             'removed' in (section(out, 'err restart') or '') and
             empty(out, 'residue restarted'), section(out, 'err restart') or '')
        case(kernel, 'auto', '--cleanup reaps', empty(out, 'residue cleanup'),
             section(out, 'err cleanup') or '')

for mode in ('confidentiality', 'integrity'):
    out, rc = read('ld-%s.out' % mode), read('ld-%s.rc' % mode).strip()
    kernel = '6.1 lockdown=' + mode
    if rc == '77':
        rows.append((kernel, '-', 'all', 'SKIP', 'kernel not available'))
        continue
    active = re.search(r'^@@mode .*\[(\w+)\]', out, re.M)
    case(kernel, '-', 'mode active', active is not None and active.group(1) == mode, out[:300])
    chk, start = section(out, 'check') or '', section(out, 'start') or ''
    if mode == 'confidentiality':
        case(kernel, 'auto', '--check says blocked, exit 1', '@@checkrc 1' in out and
             'lockdown=confidentiality' in chk and 'tracefs' in chk, chk)
        case(kernel, 'auto', 'start says blocked, exit 1', '@@startrc 1' in out and
             'lockdown=confidentiality' in start and 'tracefs' in start, start)
    else:
        case(kernel, 'auto', '--check: kprobe, exit 0', '@@checkrc 0' in out and
             re.search(r'backend \(auto\):\s+kprobe', chk) is not None, chk)
        case(kernel, 'auto', 'start traces, exit 0', '@@startrc 0' in out and 'backend kprobe' in start,
             start)

print('\n%-40s %-9s %-30s %s' % ('kernel', 'backend', 'case', 'result'))
for k, b, c, r, why in rows:
    print('%-40s %-9s %-30s %s%s' % (k, b, c, r, '' if r == 'PASS' else '  (' + why.strip()[:200] + ')'))
print('qemu stage wall time: %s s' % wall)
if fails:
    print('\n'.join('FAIL: ' + f for f in fails))
    sys.exit(1)
PY
