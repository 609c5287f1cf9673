#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# stacks.sh - whole user stacks from perf samples:
#   - a -O2 -fomit-frame-pointer program binding 30 calls deep: DWARF
#     unwinding names all 30 levels and main (the process exits at once
#     after its bind, so its frames come from perf's mapping records);
#   - a frame-pointer program 100 deep: the FP chain has >= 100 frames;
#   - a library dlopen'ed 1 s and 3 s after the first bind: its frame is
#     named (the map is completed from the mapping records);
#   - perf_event_open refused (seccomp, as in containers): ftrace stacks
#     with a note saying why.
. "$(dirname "$0")/../lib.sh"
kb_require_root
PROGS=$top_builddir/tests/progs
for p in stackprog_omit stackprog_fp libkbtdl.so noperf; do
	[ -e "$PROGS/$p" ] || kb_fail "$PROGS/$p not built"
done
P=481$(($$ % 10))

kb_start stk --json --stacks -c stackprog_omit,stackprog_fp
kb=$KB_PID
"$PROGS/stackprog_omit" chain ${P}1 || kb_fail "stackprog_omit chain failed"
"$PROGS/stackprog_fp" recurse 100 ${P}2 || kb_fail "stackprog_fp recurse failed"
"$PROGS/stackprog_omit" dlopen "$PROGS/libkbtdl.so" 1 ${P}3 &
d1=$!
"$PROGS/stackprog_fp" dlopen "$PROGS/libkbtdl.so" 3 ${P}5 &
d3=$!
wait $d1 || kb_fail "dlopen 1 s failed"
wait $d3 || kb_fail "dlopen 3 s failed"
sleep 0.3
kb_stop "$kb" INT || kb_fail "kbindtop exited with $?"
kb_residue "$kb"
grep -q "user stacks: perf samples" "$kb_tmp/stk.err" || kb_fail "perf stacks not in use: $(cat "$kb_tmp/stk.err")"

kb_json "$kb_tmp/stk.out" "
def syms(e):
    return [f['sym'] for f in e['user_stack']]
e = one(port=${P}1)
s = syms(e)
assert e['user_stack_source'] == 'dwarf', e
want = ['level_%02d' % i for i in range(30, 0, -1)] + ['main']
i = s.index('level_30')
assert s[i:i + 31] == want, s
print('omit-fp chain: %d frames (%s)' % (len(s), e['user_stack_source']))
e = one(port=${P}2)
s = syms(e)
assert len(s) >= 100 and s.count('recurse') >= 99, (len(s), s)
print('fp recurse: %d frames (%s)' % (len(s), e['user_stack_source']))
for port, late in ((${P}4, 1), (${P}6, 3)):
    e = one(port=port)
    st = [(f['sym'], f['obj']) for f in e['user_stack']]
    assert ('kbt_dl_bind', 'libkbtdl.so') in st, (late, st)
    assert 'main' in syms(e), st
"

# a stripped static Go binary: names from .gopclntab (when Go is installed)
if command -v go >/dev/null 2>&1; then
	mkdir -p "$kb_tmp/go"
	cp "$top_srcdir/tests/progs/gostack.go" "$kb_tmp/go/main.go"
	(cd "$kb_tmp/go" && GOCACHE=$kb_tmp/go/cache GOPATH=$kb_tmp/go/path GO111MODULE=off \
		go build -ldflags="-s -w" -o kbtgostack main.go) || kb_fail "go build failed"
	readelf -S "$kb_tmp/go/kbtgostack" | grep -q '\.symtab' && kb_fail "the Go binary is not stripped"
	kb_start go --json --stacks -c kbtgostack
	kb=$KB_PID
	"$kb_tmp/go/kbtgostack" 127.0.0.1:${P}8 || kb_fail "kbtgostack failed"
	sleep 0.3
	kb_stop "$kb" INT || kb_fail "kbindtop exited with $?"
	kb_residue "$kb"
	kb_json "$kb_tmp/go.out" "
e = one(comm='kbtgostack')
s = [f['sym'] for f in e['user_stack']]
assert 'main.kbtGoBind' in s and s.count('main.kbtGoDeep') == 6 and 'main.main' in s, s
assert any(x and x.startswith('syscall.') for x in s), s
print('stripped Go: %d frames (%s)' % (len(s), e['user_stack_source']))
"
else
	echo "note: go not installed: the .gopclntab check did not run"
fi

# perf refused: the kernel says EPERM (seccomp), stacks come from ftrace
"$PROGS/noperf" "$KBINDTOP" --check | grep -q "^perf user stacks: *no: perf_event_open refused" ||
	kb_fail "--check does not say perf stacks are refused"
"$KBINDTOP" --check | grep -q "^perf user stacks: *yes" || kb_fail "--check does not offer perf stacks"
KBINDTOP_REAL=$KBINDTOP
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$PROGS/noperf" "$KBINDTOP_REAL" >"$kb_tmp/kbnoperf"
chmod +x "$kb_tmp/kbnoperf"
KBINDTOP=$kb_tmp/kbnoperf
kb_start nop --json --stacks -c stackprog_fp
kb=$KB_PID
"$PROGS/stackprog_fp" dlopen "$PROGS/libkbtdl.so" 0 ${P}7 || kb_fail "stackprog_fp failed"
sleep 0.3
kb_stop "$kb" INT || kb_fail "kbindtop exited with $?"
kb_residue "$kb"
KBINDTOP=$KBINDTOP_REAL
grep -q "perf_event_open refused" "$kb_tmp/nop.err" || kb_fail "no note on the refusal: $(cat "$kb_tmp/nop.err")"
kb_json "$kb_tmp/nop.out" "
e = one(port=${P}7)
assert e['user_stack_source'] == 'ftrace', e
assert 'perf_event_open refused' in e['user_stack_note'], e
assert [f['sym'] for f in e['user_stack']][1:3] == ['do_bind', 'main'], e
"
exit 0
