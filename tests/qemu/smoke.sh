#!/bin/bash
# smoke.sh - automake-style test (0 pass, 1 fail, 77 skip) for the qemu
# harness itself: boots the Debian cloud kernel via run-guest.sh and checks,
# inside the guest, the kernel facilities kbindtop relies on:
#   - /sys/kernel/tracing/kprobe_events exists
#   - a kprobe on __sys_bind can be created (events/kbt_smoke/b appears) and
#     removed again
#   - events/syscalls/sys_enter_bind exists and really fires on bind()
# and reports (informational, never failing) uname -r, whether the tracefs
# README mentions "ustring", whether "$argN" fetch args are accepted and what
# they record, which bind-related symbols are in /proc/kallsyms, and the wall
# time.  Needs no project binaries, so it runs before/independently of src/.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
start=$(date +%s.%N)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kbindtop-smoke.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The guest script runs under busybox sh.  "CHECK-FAIL" lines make it exit 1;
# "INFO" lines are facts for the log.  Quoted heredoc: $arg1 etc. must reach
# the guest literally.
cat >"$tmp/guest.sh" <<'EOF'
T=/sys/kernel/tracing
fails=0
ok() { echo "CHECK-OK   $*"; }
bad() { echo "CHECK-FAIL $*"; fails=$((fails + 1)); }
info() { echo "INFO $*"; }

info "uname -r: $(uname -r)"
info "README lines mentioning ustring: $(grep -c ustring $T/README)"

if [ -f $T/kprobe_events ]; then ok "kprobe_events exists"; else bad "no $T/kprobe_events"; fi

# Create / verify / remove a plain kprobe on __sys_bind.
if echo 'p:kbt_smoke/b __sys_bind' >>$T/kprobe_events 2>/dev/null \
   && [ -d $T/events/kbt_smoke/b ]; then
  ok "kprobe p:kbt_smoke/b __sys_bind created"
else
  bad "cannot create kprobe on __sys_bind: $(tail -n 3 $T/error_log 2>/dev/null)"
fi
if echo '-:kbt_smoke/b' >>$T/kprobe_events 2>/dev/null && ! [ -d $T/events/kbt_smoke/b ]; then
  ok "kprobe kbt_smoke/b removed"
else
  bad "cannot remove kprobe kbt_smoke/b"
fi

if [ -d $T/events/syscalls/sys_enter_bind ]; then
  ok "events/syscalls/sys_enter_bind exists"
else
  bad "no events/syscalls/sys_enter_bind"
fi

# $argN fetch args (informational): create, then trace one real bind() made
# by busybox nc so we see what arg1 records.
if echo 'p:kbt_smoke/a __sys_bind fd=$arg1' >>$T/kprobe_events 2>/dev/null \
   && [ -d $T/events/kbt_smoke/a ]; then
  info "\$argN fetch args: SUPPORTED (format: $(grep 'print fmt' $T/events/kbt_smoke/a/format))"
  argn=yes
else
  info "\$argN fetch args: NOT supported: $(tail -n 3 $T/error_log 2>/dev/null)"
  argn=no
fi

# End-to-end: sys_enter_bind (and the $arg1 kprobe) must fire on a bind().
echo >$T/trace
echo 1 >$T/events/syscalls/sys_enter_bind/enable
[ "$argn" = yes ] && echo 1 >$T/events/kbt_smoke/a/enable
nc -l -p 40123 </dev/null >/dev/null 2>&1 &
ncpid=$!
# Wait (up to ~5 s) for nc to have bound instead of a fixed sleep.
i=0
while [ $i -lt 50 ] && ! grep -q 'sys_bind(' $T/trace; do sleep 0.1; i=$((i + 1)); done
kill $ncpid 2>/dev/null
wait $ncpid 2>/dev/null
echo 0 >$T/events/syscalls/sys_enter_bind/enable
[ "$argn" = yes ] && echo 0 >$T/events/kbt_smoke/a/enable
if grep -q 'sys_bind(' $T/trace; then
  ok "sys_enter_bind fired: $(grep -m1 'sys_bind(' $T/trace | sed 's/^ *//')"
else
  bad "sys_enter_bind did not fire for nc's bind(); trace:"
  cat $T/trace
fi
if [ "$argn" = yes ]; then
  info "kprobe \$arg1 record: $(grep -m1 'kbt_smoke/a\|a: (' $T/trace | sed 's/^ *//')"
  echo '-:kbt_smoke/a' >>$T/kprobe_events
fi
echo >$T/trace

# One pass over kallsyms, fixed-string prefilter first: busybox grep -E over
# all ~90k lines costs ~1.5 s under TCG, grep -F ~0.2 s.
grep -F bind /proc/kallsyms \
  | grep -E ' (__sys_bind|__sys_bind_socket|inet_bind|inet6_bind|__x64_sys_bind|__ia32_sys_bind)$' \
  >/tmp/ksyms
for s in __sys_bind __sys_bind_socket inet_bind inet6_bind __x64_sys_bind __ia32_sys_bind; do
  if grep -q " $s\$" /tmp/ksyms; then
    info "kallsyms: $s present (type $(grep " $s\$" /tmp/ksyms | awk '{print $2}' | head -n 1))"
  else
    info "kallsyms: $s absent"
  fi
done

echo "RESULT: $fails check(s) failed"
[ "$fails" = 0 ]
EOF

rc=0
"$HERE/run-guest.sh" --timeout "${KBINDTOP_SMOKE_TIMEOUT:-120}" \
  --script "$tmp/guest.sh" --out "$tmp/result" || rc=$?
[ -f "$tmp/result" ] && cat "$tmp/result"

end=$(date +%s.%N)
echo "smoke: total wall time $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')s"

case "$rc" in
  0) echo "PASS: qemu smoke"; exit 0 ;;
  77) exit 77 ;;
  *) echo "FAIL: qemu smoke (run-guest.sh exit $rc)"; exit 1 ;;
esac
