#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# iouring.sh - binds made through io_uring (IORING_OP_BIND, no bind(2)
# syscall) are seen on this host's backend: success with the exact port,
# EADDRINUSE with its errno, a SQPOLL ring attributed to its process (not
# to iou-sqp-*), via=io_uring; plain bind(2) calls stay via=syscall.  On
# the syscalls backend the io_uring_complete gate must be closed again
# once the binds are done; --comm keeps a SQPOLL bind of the named process.
# SKIP when this kernel's io_uring has no BIND.
. "$(dirname "$0")/../lib.sh"
kb_require_root
IOUPROG=${IOUPROG:-$top_builddir/tests/progs/iouprog}
[ -x "$IOUPROG" ] || kb_fail "$IOUPROG not built"

"$KBINDTOP" --check >"$kb_tmp/check" 2>&1
grep -q '^io_uring binds:' "$kb_tmp/check" || kb_fail "--check names no io_uring path: $(cat "$kb_tmp/check")"
grep -q '^io_uring binds: *none needed' "$kb_tmp/check" &&
	kb_skip "$(grep '^io_uring binds:' "$kb_tmp/check")"
grep -q '^io_uring binds: *NONE' "$kb_tmp/check" && kb_fail "$(grep '^io_uring binds:' "$kb_tmp/check")"

kb_start iou --json --no-stacks
k=$KB_PID
grep -q "io_uring" "$kb_tmp/iou.err" || kb_fail "backend line does not mention io_uring: $(cat "$kb_tmp/iou.err")"
"$IOUPROG" -n kbt-iou -w 1 -p "$kb_tmp/ready1" tcp4:127.0.0.1:47802 tcp4:127.0.0.1:47802 \
	>"$kb_tmp/iou1.txt" || kb_fail "iouprog failed: $(cat "$kb_tmp/iou1.txt")"
"$IOUPROG" -q -n kbt-iousq -w 1 udp4:127.0.0.1:47804 >"$kb_tmp/iou2.txt" ||
	kb_fail "iouprog -q failed: $(cat "$kb_tmp/iou2.txt")"
"$BINDPROG" -n kbt-sysb tcp4:127.0.0.1:47805 >/dev/null
grep -q "47802 0 OK 47802" "$kb_tmp/iou1.txt" || kb_fail "first io_uring bind failed: $(cat "$kb_tmp/iou1.txt")"
grep -q "47802 -98 EADDRINUSE" "$kb_tmp/iou1.txt" || kb_fail "second bind did not fail: $(cat "$kb_tmp/iou1.txt")"
sleep 0.3
gate=$TRACEFS/instances/kbindtop.$k/events/io_uring/io_uring_complete/enable
if [ -e "$gate" ]; then
	# syscalls backend: recording of io_uring_complete is off again ("0*": armed by the trigger)
	g=$(cat "$gate")
	[ "$g" = "0*" ] || kb_fail "io_uring_complete left recording after the binds: enable=$g"
fi
kb_stop "$k" INT || kb_fail "kbindtop failed"
kb_residue "$k"
grep -q "no return seen: 0" "$kb_tmp/iou.err" || kb_fail "returns lost: $(tail -n 2 "$kb_tmp/iou.err")"
kb_json "$kb_tmp/iou.out" "
ok = one(comm='kbt-iou', ret=0)
assert ok['via'] == 'io_uring', ok
assert ok['port'] == 47802 and ok['addr'] == '127.0.0.1' and ok['family'] == 'inet', ok
assert ok['proto'] == 'tcp' and ok['error'] is None, ok
exact = ok['addr_source'] in ('kernel', 'kprobe')
assert ok['verified'] is exact and ok['addr_source'] in ('kernel', 'kprobe', 'scan'), ok
bad = one(comm='kbt-iou', ret=-98)
assert bad['via'] == 'io_uring' and bad['error'] == 'EADDRINUSE', bad
assert bad['pid'] == ok['pid'], (ok, bad)
if bad['addr_source'] == 'none':
    # no kprobes: the kernel did not say; it must say so, not guess
    assert bad['addr'] is None and bad['port'] is None and bad['verified'] is False, bad
    assert 'do not say which address' in bad['hint'], bad
else:
    assert bad['port'] == 47802 and bad['verified'] is True, bad
sq = one(comm='kbt-iousq')
assert sq['via'] == 'io_uring' and sq['ret'] == 0 and sq['port'] == 47804, sq
assert sq['proto'] == 'udp' and sq['pid'] != sq['tid'], sq
assert not [e for e in ev if e['comm'].startswith('iou-')], 'io_uring thread named as the binder'
sysb = one(comm='kbt-sysb')
assert sysb['via'] == 'syscall' and sysb['port'] == 47805, sysb
"

# --comm names the process, even when its ring's own thread (iou-sqp-PID) binds
kb_start comm --json --no-stacks --comm kbt-iousq2
k=$KB_PID
"$IOUPROG" -q -n kbt-iousq2 -w 1 udp4:127.0.0.1:47807 >/dev/null || kb_fail "iouprog -q failed"
"$IOUPROG" -q -n kbt-iouother -w 1 udp4:127.0.0.1:47808 >/dev/null || kb_fail "iouprog -q failed"
sleep 0.3
kb_stop "$k" INT || kb_fail "kbindtop --comm failed"
kb_json "$kb_tmp/comm.out" "
assert len(ev) == 1, ev
assert ev[0]['comm'] == 'kbt-iousq2' and ev[0]['via'] == 'io_uring' and ev[0]['ret'] == 0, ev
"
exit 0
