#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# count.sh - --count N: batch output stops after N matching calls and
# exits 0 ("wait for the first bind on port P"); calls that do not match
# do not count; --count without --batch is a usage error.
. "$(dirname "$0")/../lib.sh"
kb_require_root

"$KBINDTOP" --count 1 >/dev/null 2>&1
[ $? = 2 ] || kb_fail "--count without --batch is not a usage error"
"$KBINDTOP" -b --count 0 >/dev/null 2>&1
[ $? = 2 ] || kb_fail "--count 0 accepted"

# a port nobody else uses: bound, then released
port=$("$BINDPROG" -L tcp4:127.0.0.1:0 | sed -n 's/.* bound=\([0-9]*\).*/\1/p')
[ -n "$port" ] || kb_fail "no free port"

kb_start count -b -P "$port" --count 2 -t 20
# one that does not match (another port), then three that do
"$BINDPROG" -n cntother tcp4:127.0.0.1:0 >/dev/null
"$BINDPROG" -n cnt1 -r udp4:127.0.0.1:$port >/dev/null
"$BINDPROG" -n cnt2 -r udp4:127.0.0.1:$port >/dev/null
"$BINDPROG" -n cnt3 -r udp4:127.0.0.1:$port >/dev/null
i=0
while kill -0 "$KB_PID" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 200 ] || kb_fail "kbindtop --count 2 still runs after the calls"
	sleep 0.05
done
kb_stop "$KB_PID"
rc=$?
[ $rc = 0 ] || kb_fail "--count exited $rc: $(cat "$kb_tmp/count.err")"
lines=$(grep -c " $port " "$kb_tmp/count.out")
[ "$lines" = 2 ] || kb_fail "expected 2 calls, got $lines: $(cat "$kb_tmp/count.out")"
grep -q cnt3 "$kb_tmp/count.out" && kb_fail "a third call was printed"
grep -q cntother "$kb_tmp/count.out" && kb_fail "a call that does not match was printed"
grep -q "2 bind calls shown" "$kb_tmp/count.err" || kb_fail "summary: $(cat "$kb_tmp/count.err")"
kb_residue "$KB_PID"
echo PASS
