#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stacks.sh - whole user stacks through the kprobe backend: in the qemu
# guest (a real kernel with kprobes, see run-guest.sh) the perf stack
# events sample the kprobe event kbindtop creates.  A -O2
# -fomit-frame-pointer program 30 calls deep must come out with all 30
# levels and main named (DWARF), a frame-pointer program 100 deep with at
# least 100 frames.  A small check of its own beside kprobe.sh.
# automake test: 0 pass, 1 fail, 77 skip (only if qemu/kernel unavailable).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
: "${top_builddir:=$(cd "$HERE/../.." && pwd)}"
KBINDTOP=${KBINDTOP:-$top_builddir/kbindtop}
OMIT=$top_builddir/tests/progs/stackprog_omit
FP=$top_builddir/tests/progs/stackprog_fp
for b in "$KBINDTOP" "$OMIT" "$FP"; do
	[ -x "$b" ] || { echo "FAIL: $b not built"; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to install qemu and fetch the kernel"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kbt-qstacks.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/guest.sh" <<'GUEST'
kbindtop --json --stacks --backend=kprobe -c stackprog_omit,stackprog_fp >/tmp/s.json 2>/tmp/s.err &
K=$!
i=0
while ! grep -q ready /tmp/s.err; do
	sleep 0.1
	i=$((i + 1))
	[ $i -lt 300 ] || break
done
stackprog_omit chain 47101
stackprog_fp recurse 100 47102
sleep 0.3
kill -INT $K
wait $K
echo "@@rc $?"
echo "@@json"
cat /tmp/s.json
echo "@@end"
echo "@@err"
cat /tmp/s.err
echo "@@end"
GUEST

set +e
"$HERE/run-guest.sh" --timeout 180 --script "$tmp/guest.sh" --bin "$KBINDTOP" --bin "$OMIT" --bin "$FP" \
	--out "$tmp/out"
rc=$?
set -e
[ $rc = 77 ] && exit 77
[ $rc = 0 ] || { echo "FAIL: guest run failed ($rc)"; cat "$tmp/out" 2>/dev/null; exit 1; }

python3 - "$tmp/out" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
def section(name):
    m = re.search(r'^@@' + re.escape(name) + r'\n(.*?)^@@end$', text, re.S | re.M)
    assert m, 'no section ' + name + ' in:\n' + text
    return m.group(1)
err = section('err')
assert '@@rc 0' in text, text
assert 'backend kprobe' in err and 'user stacks: perf samples' in err, err
ev = {e['port']: e for e in (json.loads(l) for l in section('json').splitlines() if l.strip())}
e = ev[47101]
syms = [f['sym'] for f in e['user_stack']]
want = ['level_%02d' % i for i in range(30, 0, -1)] + ['main']
assert 'level_30' in syms and syms[syms.index('level_30'):][:31] == want, (e['user_stack_source'], syms)
print('kprobe backend, omit-fp chain: %d frames (%s)' % (len(syms), e['user_stack_source']))
e = ev[47102]
syms = [f['sym'] for f in e['user_stack']]
assert len(syms) >= 100 and syms.count('recurse') >= 99, (len(syms), syms)
print('kprobe backend, fp recurse: %d frames (%s)' % (len(syms), e['user_stack_source']))
PY
