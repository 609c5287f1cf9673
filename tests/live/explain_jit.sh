#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# explain_jit.sh - frames in JIT code: a program calls bind() through a
# trampoline in an anonymous executable page.  With a perf map
# (/tmp/perf-PID.map) naming it, the frame is "kbt_jit_trampoline" in
# "[jit]"; without one it is an unnamed "[jit]" frame; with a map owned
# by another user the map is not trusted.  The frames around it resolve
# normally and the stack is complete.
. "$(dirname "$0")/../lib.sh"
kb_require_root
JITPROG=${JITPROG:-$top_builddir/tests/progs/jitprog}
[ -x "$JITPROG" ] || kb_fail "$JITPROG not built"
"$JITPROG" -m 0 >/dev/null 2>&1
[ $? = 77 ] && kb_skip "jitprog runs on x86-64 only"

P=479$(($$ % 10))

kb_start jit --json --stacks
kb=$KB_PID
"$JITPROG" -w 1 -n kbt-jit ${P}1 >/dev/null || kb_fail "jitprog failed"
"$JITPROG" -m -w 1 -n kbt-jitnomap ${P}2 >/dev/null || kb_fail "jitprog -m failed"
"$JITPROG" -o 65534 -w 1 -n kbt-jitother ${P}3 >/dev/null || kb_fail "jitprog -o failed"
sleep 0.3
kb_stop "$kb" INT || kb_fail "kbindtop exited with $?"
kb_residue "$kb"
ls /tmp/perf-*.map 2>/dev/null | while read -r f; do
	grep -q kbt_jit_trampoline "$f" && kb_fail "jitprog left $f"
done

kb_json "$kb_tmp/jit.out" "
def frames(comm):
    e = one(comm=comm)
    assert e['ret'] == 0, e
    return [(f['sym'], f['obj']) for f in e['user_stack']], e
st, e = frames('kbt-jit')
assert st[0] == ('bind', st[0][1]) and 'libc' in st[0][1], st
assert st[1] == ('kbt_jit_target', 'jitprog'), st
assert st[2] == ('kbt_jit_trampoline', '[jit]'), st
assert st[3] == ('main', 'jitprog'), st
assert e['user_stack'][2]['off'] is not None and e['user_stack'][2]['off'] < 8, e
assert e['user_stack_note'] is None, e
for comm in ('kbt-jitnomap', 'kbt-jitother'):
    st, e = frames(comm)
    assert st[1] == ('kbt_jit_target', 'jitprog'), st
    assert st[2] == (None, '[jit]'), (comm, st)
    assert st[3] == ('main', 'jitprog'), st
"
exit 0
