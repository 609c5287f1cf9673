#!/bin/bash
# run-guest.sh - run a shell script inside a throw-away qemu VM that boots the
# real Debian 12 cloud kernel (kprobes, tracefs, syscall tracepoints), and
# hand back the script's output and exit status.
#
# Usage:
#   run-guest.sh [--timeout SEC] [--mem MB] [--append KERNEL_ARGS]
#                [--suite SUITE] [--base FILE] --script guest.sh
#                [--bin /path/to/prog[:/guest/path]]...
#                [--file host_path[:guest_path]]...
#                [--module NAME]...
#                --out RESULT_FILE
#
#   --script  shell script run in the guest with busybox `sh`, as root, cwd
#             /root, stdin /dev/null, PATH including /usr/local/bin.
#   --bin     executable copied into the guest together with every shared
#             library `ldd` reports (dynamic loader included, host paths
#             preserved).  Default guest path: /usr/local/bin/BASENAME.
#             NOTE: Debian's busybox sh prefers its own applets over PATH, so
#             a --bin named like an applet (top, ip, ps, ...) must be run by
#             full path, e.g. /usr/local/bin/top.
#   --file    file or directory copied as-is (guest path defaults to the host
#             path; a guest path ending in / means "into that directory").
#   --module  kernel module (e.g. veth) taken from the same kernel .deb,
#             with its dependencies, insmod-ed by /init before the script.
#   --append  extra kernel command line arguments.
#   --suite   Debian suite of the kernel (bookworm, trixie, sid; see
#             fetch-kernel.sh), default bookworm.
#   --base    FILE keeps the guest filesystem without script and modules:
#             built into FILE if FILE does not exist, else reused as is
#             (the caller passes the same --bin/--file each time).
#   --prepare with --base: only build FILE, boot nothing (no --script,
#             --out needed).
#   --timeout hard limit for boot + run, default 120 s.
#   --mem     guest RAM, default 768 MB.
#   --out     RESULT_FILE: the script's stdout+stderr followed by a final line
#             GUEST-EXIT-STATUS=<n>.  The guest console (kernel log, /init
#             errors) is saved next to it as RESULT_FILE.console.
#
# The guest has: busybox, /proc, /sys, devtmpfs, devpts, tmpfs /tmp,
# tracefs at /sys/kernel/tracing, debugfs, securityfs, lo up, terminfo for common TERMs,
# the C.UTF-8 locale (LANG unset by default), /etc/{passwd,group,hosts,
# services,protocols}.  No network besides loopback.
#
# Exit status: the guest script's own exit status; 124 if the guest did not
# finish within --timeout; 125 if it finished without the exit-status marker
# (kernel panic, /init failure, qemu error); 77 (SKIP) if qemu or the kernel
# are unavailable; 2 on usage errors.  Wall time of boot+run goes to stderr.
#
# Environment: KBINDTOP_QEMU_KVM=1 uses KVM instead of pure TCG emulation
# (TCG is the default because CI machines usually have no /dev/kvm);
# KBINDTOP_KERNEL / KBINDTOP_KERNEL_CACHE are passed on to fetch-kernel.sh.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
PROG=${0##*/}

usage() {
  sed -n '6,15p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
help() { # the whole header comment
  sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'
  exit 0
}
die() { echo "$PROG: $*" >&2; exit 2; }

timeout_s=120
mem=768
script=""
out=""
append_extra=""
suite=bookworm
basefile=""
prepare=no
bins=()
files=()
modules=()
while [ $# -gt 0 ]; do
  case "$1" in
    --timeout) [ $# -ge 2 ] || usage; timeout_s=$2; shift 2 ;;
    --mem) [ $# -ge 2 ] || usage; mem=$2; shift 2 ;;
    --append) [ $# -ge 2 ] || usage; append_extra=$2; shift 2 ;;
    --suite) [ $# -ge 2 ] || usage; suite=$2; shift 2 ;;
    --base) [ $# -ge 2 ] || usage; basefile=$2; shift 2 ;;
    --prepare) prepare=yes; shift ;;
    --script) [ $# -ge 2 ] || usage; script=$2; shift 2 ;;
    --bin) [ $# -ge 2 ] || usage; bins+=("$2"); shift 2 ;;
    --file) [ $# -ge 2 ] || usage; files+=("$2"); shift 2 ;;
    --module) [ $# -ge 2 ] || usage; modules+=("$2"); shift 2 ;;
    --out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
    -h|--help) help ;;
    *) echo "$PROG: unknown argument: $1" >&2; usage ;;
  esac
done
if [ "$prepare" = yes ]; then
  [ -n "$basefile" ] || usage
  script=/dev/null
  out=$(mktemp -d "${TMPDIR:-/tmp}/kbindtop-prep.XXXXXX")/out
fi
if [ -z "$script" ] || [ -z "$out" ]; then usage; fi
[ -r "$script" ] || die "guest script $script not readable"
case "$timeout_s" in ''|*[!0-9]*) die "--timeout wants whole seconds" ;; esac
case "$mem" in ''|*[!0-9]*) die "--mem wants megabytes" ;; esac

# Never let a previous run's output pass for this one.
rm -f "$out" "$out.console"
outdir=$(dirname "$out")
if ! [ -d "$outdir" ] || ! [ -w "$outdir" ]; then die "cannot write to $outdir"; fi

# fetch-kernel.sh also installs/checks qemu and busybox; pass its SKIP on.
rc=0
kernel=$("$HERE/fetch-kernel.sh" --suite "$suite") || rc=$?
[ "$rc" = 0 ] || exit "$rc"
busybox=$(command -v busybox 2>/dev/null || echo /bin/busybox)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kbindtop-qemu.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root"

# The base archive (busybox, --bin, --file, /init) can be kept in a file
# (--base) and reused by the next guest of the same test with another
# kernel: building it costs more than booting.  The guest script and the
# modules go into a second archive, which the kernel unpacks over it.
if [ -n "$basefile" ] && [ -s "$basefile" ]; then
  cp "$basefile" "$tmp/base.gz"
else
# ---------------------------------------------------------------- filesystem
# Mirror the host's merged-/usr layout (/lib -> usr/lib, ...) so library paths
# reported by ldd are valid in the guest whichever spelling ldd printed.
for d in bin sbin lib lib64 lib32 libx32; do
  if [ -L "/$d" ]; then
    t=$(readlink "/$d"); t=${t#/}       # keep it relative to the guest root
    mkdir -p "$root/$t"
    ln -s "$t" "$root/$d"
  fi
done
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,lib,etc,dev,proc,sys,tmp,run,root,mnt,var/tmp,kbt}

# copy_file HOST GUEST: dereferenced copy, creating parent directories.
copy_file() {
  mkdir -p "$root$(dirname "$2")"
  cp -L "$1" "$root$2"
}

# busybox-static is the entire userland: copy it and create its applet links
# (busybox --list-full gives e.g. usr/bin/awk, sbin/ip).
if ldd "$busybox" >/dev/null 2>&1; then
  die "$busybox is dynamically linked; install busybox-static"
fi
copy_file "$busybox" /bin/busybox
# (One python process instead of ~1000 forks of mkdir/ln, which take tens of
# seconds on a loaded machine; the shell loop remains for hosts without it.)
if command -v python3 >/dev/null 2>&1; then
  "$busybox" --list-full | python3 -c '
import os, sys
root = sys.argv[1]
for a in sys.stdin.read().split():
    p = os.path.join(root, a)
    if "/" not in a or os.path.lexists(p):
        continue        # root-level linuxrc; links already there
    os.makedirs(os.path.dirname(p), exist_ok=True)
    os.symlink("/bin/busybox", p)' "$root"
else
  while read -r applet; do
    [ -n "$applet" ] || continue
    case "$applet" in */*) ;; *) continue ;; esac   # skip root-level linuxrc
    if [ -L "$root/$applet" ] || [ -e "$root/$applet" ]; then continue; fi
    mkdir -p "$root/$(dirname "$applet")"
    ln -s /bin/busybox "$root/$applet"
  done < <("$busybox" --list-full)
fi

# add_libs BINARY: copy the shared libraries + loader it needs.  ldd lines:
#   libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)
#   /lib64/ld-linux-x86-64.so.2 (0x...)
#   linux-vdso.so.1 (0x...)                           (virtual, skipped)
add_libs() {
  local lddout lib
  if ! lddout=$(ldd "$1" 2>&1); then
    case "$lddout" in
      *"not a dynamic executable"*|*"statically linked"*) return 0 ;;
      *) die "ldd $1 failed: $lddout" ;;
    esac
  fi
  if printf '%s\n' "$lddout" | grep -q 'not found'; then
    die "missing libraries for $1: $(printf '%s\n' "$lddout" | grep 'not found' | tr '\n' ' ')"
  fi
  for lib in $(printf '%s\n' "$lddout" | sed -n \
      -e 's/^.*=> *\(\/[^ ]*\) .*$/\1/p' \
      -e 's/^[[:space:]]*\(\/[^ ]*\) (0x.*$/\1/p'); do
    [ -e "$root$lib" ] || copy_file "$lib" "$lib"
  done
}

for spec in "${bins[@]+"${bins[@]}"}"; do
  case "$spec" in
    *:*) hb=${spec%%:*}; gb=${spec#*:} ;;
    *) hb=$spec; gb=/usr/local/bin/${spec##*/} ;;
  esac
  if ! [ -f "$hb" ] || ! [ -x "$hb" ]; then die "--bin $hb: not an executable file"; fi
  copy_file "$hb" "$gb"
  chmod 0755 "$root$gb"
  add_libs "$hb"
done

for spec in "${files[@]+"${files[@]}"}"; do
  case "$spec" in
    *:*) hf=${spec%%:*}; gf=${spec#*:} ;;
    *) hf=$spec; gf=$spec ;;
  esac
  case "$gf" in */) gf=$gf${hf##*/} ;; esac
  [ -e "$hf" ] || die "--file $hf: no such file"
  if [ -d "$hf" ]; then
    mkdir -p "$root$gf"
    cp -a "$hf/." "$root$gf/"
  else
    copy_file "$hf" "$gf"
  fi
done

# Terminal descriptions, so curses programs (kbindtop's live view) can start
# under TERM=xterm/screen/tmux/... when a test drives them through a pty.
for base in /etc/terminfo /lib/terminfo /usr/share/terminfo; do
  for t in linux vt100 vt102 vt220 xterm xterm-256color xterm-color screen \
           screen-256color tmux tmux-256color dumb ansi; do
    f=$base/${t:0:1}/$t
    [ -e "$f" ] && copy_file "$f" "$f"
  done
done

# The C.UTF-8 locale (libc-bin ships it, ~400 KB), so tests can set
# LANG=C.UTF-8 for UTF-8 terminal output; tmux refuses to start without a
# UTF-8 locale.  The guest's default stays the plain C locale.
for d in /usr/lib/locale/C.utf8 /usr/lib/locale/C.UTF-8; do
  if [ -d "$d" ]; then mkdir -p "$root$d"; cp -a "$d/." "$root$d/"; fi
done

# Minimal identity/name-service files: getpwuid(0), getservbyport() and
# "localhost" lookups must work for programs that print user/service names.
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\nservices: files\nprotocols: files\n' >"$root/etc/nsswitch.conf"
echo kbt-guest >"$root/etc/hostname"
for f in /etc/services /etc/protocols; do [ -f "$f" ] && copy_file "$f" "$f"; done

# /init (busybox sh, PID 1).  Its own stdout is the console (ttyS0, saved as
# RESULT.console); the guest script talks to ttyS1, which qemu writes to a
# file, so kernel messages can never interleave with the test output.
cat >"$root/init" <<'EOF'
#!/bin/sh
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=linux
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o ptmxmode=0666 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
# tracefs is what kbindtop uses; debugfs too, for tools that still look for
# /sys/kernel/debug/tracing.
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
# securityfs, as systemd mounts it: /sys/kernel/security/lockdown says the mode
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
hostname kbt-guest
ip link set lo up
while read -r ko; do
  insmod "$ko" || echo "init: insmod $ko failed"
done </kbt/modules.list
# Raw mode: no \n -> \r\n translation on the serial line (output must be
# byte-exact), no echo.  fd 3 stays open in init until the very end so the
# final close drains the UART before power-off.
stty -F /dev/ttyS1 raw -echo
exec 3>/dev/ttyS1
cd /root
sh /kbt/guest.sh </dev/null >&3 2>&3 3>&-
rc=$?
# Kill leftovers (daemons the script started) so they neither write after the
# marker nor keep the tty busy; kill -1 never hits PID 1 itself.
kill -KILL -1 2>/dev/null
sleep 0.2
# The host strips this leading \n again if the output already ended in one.
printf '\nGUEST-EXIT-STATUS=%d\n' "$rc" >&3
exec 3>&-
sync
poweroff -f
EOF
chmod 0755 "$root/init"

# newc cpio, everything owned by root (works when built by a non-root user).
# The kernel's built-in default initramfs already provides /dev/console.
(cd "$root" && find . -mindepth 1 | sed 's|^\./||' \
  | "$busybox" cpio -o -H newc -R 0:0 2>/dev/null) | gzip -1 >"$tmp/base.gz"
if [ -n "$basefile" ]; then cp "$tmp/base.gz" "$basefile.tmp.$$" && mv "$basefile.tmp.$$" "$basefile"; fi
fi
if [ "$prepare" = yes ]; then rm -rf "$(dirname "$out")"; exit 0; fi

root=$tmp/extra
mkdir -p "$root/kbt"
cp "$script" "$root/kbt/guest.sh"

# Kernel modules: the cloud kernel has everything the harness itself needs
# built in (8250 serial + console, devtmpfs, tracefs/debugfs, kprobe events,
# syscall tracepoints, gzip initramfs, unix/inet/inet6/packet sockets), so
# nothing is loaded by default.  Tests that need e.g. veth or dummy ask for it
# with --module; the .ko files come from the same .deb, dependencies first.
: >"$root/kbt/modules.list"
if [ ${#modules[@]} -gt 0 ]; then
  rc=0
  kos=$("$HERE/fetch-kernel.sh" --suite "$suite" --module "${modules[@]}") || rc=$?
  [ "$rc" = 0 ] || { echo "$PROG: cannot get modules ${modules[*]}" >&2; exit "$( [ "$rc" = 77 ] && echo 77 || echo 2)"; }
  mkdir -p "$root/kbt/modules"
  for ko in $kos; do
    cp "$ko" "$root/kbt/modules/"
    echo "/kbt/modules/${ko##*/}" >>"$root/kbt/modules.list"
  done
fi

(cd "$root" && find . -mindepth 1 | sed 's|^\./||' \
  | "$busybox" cpio -o -H newc -R 0:0 2>/dev/null) | gzip -1 >"$tmp/extra.gz"
cat "$tmp/base.gz" "$tmp/extra.gz" >"$tmp/initrd.gz"

# ---------------------------------------------------------------------- boot
# Pure TCG unless asked: it is what CI has, and it was measured fast enough
# (kernel up in ~2 s).  KVM is opt-in only; note that on the sandboxed dev
# machines /dev/kvm exists but nested KVM is broken (qemu aborts on an MSR or
# hangs), which is another reason not to auto-detect it.
if [ "${KBINDTOP_QEMU_KVM:-0}" = 1 ]; then
  accel=(-accel kvm -cpu host)
else
  accel=(-accel tcg)
fi
raw=$tmp/ttyS1.out
append="console=ttyS0 panic=-1 quiet rdinit=/init $append_extra"

start=$(date +%s.%N)
qrc=0
# -nodefaults: no NIC/VGA/floppy to probe (faster boot); serial 0 = console
# file, serial 1 = result file; -no-reboot + panic=-1 turns a kernel panic
# into an immediate qemu exit instead of a hang until the timeout.
timeout -k 5 "$timeout_s" qemu-system-x86_64 "${accel[@]}" \
  -m "$mem" -smp 2 -nographic -nodefaults -no-user-config -no-reboot \
  -monitor none -serial "file:$out.console" -serial "file:$raw" \
  -kernel "$kernel" -initrd "$tmp/initrd.gz" -append "$append" \
  </dev/null >"$tmp/qemu.log" 2>&1 || qrc=$?
end=$(date +%s.%N)
wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')

# ---------------------------------------------------------------- results
status=""
if [ -f "$raw" ]; then
  last=$(tail -n 1 "$raw")
  case "$last" in
    GUEST-EXIT-STATUS=[0-9]*) status=${last#GUEST-EXIT-STATUS=} ;;
  esac
fi

if [ -n "$status" ]; then
  # Drop the "\nGUEST-EXIT-STATUS=n\n" /init appended and re-add the marker,
  # with a separating newline only if the script's output lacked one.
  suffix_len=$(( ${#last} + 2 ))
  size=$(stat -c %s "$raw")
  head -c $(( size - suffix_len )) "$raw" >"$out"
  if [ -s "$out" ] && [ "$(tail -c 1 "$out" | od -An -tx1 | tr -d ' ')" != 0a ]; then
    echo >>"$out"
  fi
  echo "GUEST-EXIT-STATUS=$status" >>"$out"
  echo "$PROG: boot+run wall time ${wall}s, guest exit status $status" >&2
  exit "$status"
fi

# Failure: keep whatever output there was and show why.
[ -f "$raw" ] && cp "$raw" "$out"
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
  echo "$PROG: guest timed out after ${timeout_s}s (wall ${wall}s)" >&2
  code=124
else
  echo "$PROG: guest ended without GUEST-EXIT-STATUS marker (qemu exit $qrc, wall ${wall}s)" >&2
  code=125
fi
if [ -s "$tmp/qemu.log" ]; then
  echo "--- qemu output:" >&2
  tail -n 20 "$tmp/qemu.log" >&2
fi
echo "--- console tail ($out.console):" >&2
# Strip CRs and the BIOS's terminal-reset escapes so the tail stays readable.
if [ -f "$out.console" ]; then
  tr -d '\r' <"$out.console" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g' \
    | tail -n 40 >&2 || true
fi
if [ -s "$out" ]; then
  echo "--- guest output tail ($out):" >&2
  tail -n 20 "$out" >&2
fi
exit "$code"
