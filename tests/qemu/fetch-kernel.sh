#!/bin/bash
# fetch-kernel.sh - provide a real Debian 12 cloud kernel for the qemu harness.
#
# Usage:
#   fetch-kernel.sh                 print the path of a cached vmlinuz
#   fetch-kernel.sh --deb           print the path of the cached kernel .deb
#   fetch-kernel.sh --module NAME.. print the .ko paths (dependencies first,
#                                   i.e. in insmod order) of the named modules
#
# Why: the host kernel this project is developed/CI-tested on has no kprobes,
# so kbindtop's tracefs code can only be exercised for real inside a VM that
# boots a stock distro kernel.  We use the exact package the Debian meta
# package linux-image-cloud-amd64 points at (small, virtio/serial built in,
# kprobes + syscall tracepoints enabled).
#
# The kernel is cached OUTSIDE the repository (never commit binaries):
#   ${KBINDTOP_KERNEL_CACHE:-/var/cache/kbindtop-test}/<package>/
# and is only downloaded when that version is not cached yet.
#
# Environment:
#   KBINDTOP_KERNEL_CACHE  cache directory (default /var/cache/kbindtop-test)
#   KBINDTOP_KERNEL        use this vmlinuz as-is (no apt, no cache; --deb and
#                          --module are then unavailable)
#
# It also makes sure qemu-system-x86 and busybox-static are installed (via
# apt-get, only when running as root), because every caller needs them.
#
# Exit status: 0 ok; 77 (automake SKIP) with a "SKIP: ..." message when qemu
# or busybox cannot be found/installed or no kernel can be obtained; 2 usage.
# Everything except the requested path(s) goes to stderr.
set -eu

CACHE=${KBINDTOP_KERNEL_CACHE:-/var/cache/kbindtop-test}
META=linux-image-cloud-amd64

skip() { echo "SKIP: $*" >&2; exit 77; }
log() { echo "fetch-kernel: $*" >&2; }

mode=vmlinuz
modules=""
case "${1:-}" in
  "") ;;
  --deb) mode=deb ;;
  --module)
    mode=module; shift
    [ $# -gt 0 ] || { echo "usage: $0 [--deb | --module NAME...]" >&2; exit 2; }
    modules="$*" ;;
  -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: $0 [--deb | --module NAME...]" >&2; exit 2 ;;
esac

is_root() { [ "$(id -u)" = 0 ]; }

# apt-get's download sandbox user (_apt) cannot write into root-owned temp
# dirs and apt then warns loudly; as root we simply download as root.
APT_OPTS=""
if is_root; then APT_OPTS="-o APT::Sandbox::User=root"; fi

apt_updated=no
apt_update() {
  [ "$apt_updated" = yes ] && return 0
  apt_updated=yes
  is_root || return 1
  log "running apt-get update"
  # shellcheck disable=SC2086  # APT_OPTS is intentionally word-split
  apt-get $APT_OPTS -qq update >&2 || return 1
}

# --- host tools: qemu + busybox --------------------------------------------
# busybox-static provides the whole guest userland; without either tool the
# harness cannot run at all, which is a SKIP (environment), not a FAIL.
ensure_pkg() { # ensure_pkg COMMAND PACKAGE
  if command -v "$1" >/dev/null 2>&1; then return 0; fi
  # busybox-static installs /bin/busybox; check the file in case PATH is odd.
  if [ "$1" = busybox ] && [ -x /bin/busybox ]; then return 0; fi
  if ! is_root; then
    skip "$1 not found and not running as root; install it with: apt-get install $2"
  fi
  log "installing $2"
  # shellcheck disable=SC2086
  if ! DEBIAN_FRONTEND=noninteractive apt-get $APT_OPTS -qq install -y --no-install-recommends "$2" >&2; then
    apt_update || true
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get $APT_OPTS -qq install -y --no-install-recommends "$2" >&2 \
      || skip "could not install $2 with apt-get"
  fi
  command -v "$1" >/dev/null 2>&1 || [ -x "/bin/$1" ] || skip "$2 installed but $1 still not found"
}
if [ "$mode" = vmlinuz ]; then
  ensure_pkg qemu-system-x86_64 qemu-system-x86
  ensure_pkg busybox busybox-static
fi

# --- explicit override --------------------------------------------------------
if [ -n "${KBINDTOP_KERNEL:-}" ]; then
  [ "$mode" = vmlinuz ] || skip "--deb/--module need the apt-managed kernel, but KBINDTOP_KERNEL is set"
  [ -r "$KBINDTOP_KERNEL" ] || skip "KBINDTOP_KERNEL=$KBINDTOP_KERNEL is not readable"
  echo "$KBINDTOP_KERNEL"
  exit 0
fi

# --- resolve the concrete package through the meta package -------------------
# "apt-cache depends linux-image-cloud-amd64" -> "Depends: linux-image-6.1.0-NN-cloud-amd64".
# If several candidates show up, take the highest ABI number.
resolve_pkg() {
  apt-cache depends "$META" 2>/dev/null \
    | sed -n 's/^ *Depends: *\(linux-image-[0-9][^ ]*-cloud-amd64\) *$/\1/p' \
    | sort -V | tail -n 1
}
pkg=$(resolve_pkg)
if [ -z "$pkg" ]; then
  # Fresh machines have empty apt lists; an update usually fixes that.
  apt_update || true
  pkg=$(resolve_pkg)
fi

# Cached kernels are complete when the ".ok" stamp exists (written last, so an
# interrupted download is never mistaken for a good one).
newest_cached() {
  for d in "$CACHE"/linux-image-*-cloud-amd64; do
    [ -f "$d/.ok" ] && basename "$d"
  done 2>/dev/null | sort -V | tail -n 1
}
if [ -z "$pkg" ]; then
  # Offline (no apt lists, no mirror): fall back to whatever we cached before
  # rather than skipping the whole VM test suite.
  pkg=$(newest_cached)
  [ -n "$pkg" ] || skip "cannot resolve $META via apt-cache and no kernel cached in $CACHE"
  log "apt cannot resolve $META; using cached $pkg"
fi

dir=$CACHE/$pkg
kver=${pkg#linux-image-}

# A complete cached kernel needs no write access (non-root users can share a
# cache root filled); downloading or extracting modules does.
if [ "$mode" != vmlinuz ] || [ ! -f "$dir/.ok" ]; then
  if ! mkdir -p "$CACHE" 2>/dev/null || ! [ -w "$CACHE" ]; then
    skip "kernel cache $CACHE is not writable; set KBINDTOP_KERNEL_CACHE to a writable directory"
  fi
  # Serialise concurrent test runs (make -j check) so only one downloads.
  exec 9>"$CACHE/.lock"
  flock 9
fi

if [ ! -f "$dir/.ok" ]; then
  log "downloading $pkg into $dir"
  rm -rf "$dir" "$dir.tmp"
  mkdir -p "$dir.tmp"
  # shellcheck disable=SC2086
  if ! (cd "$dir.tmp" && apt-get $APT_OPTS -qq download "$pkg" >&2); then
    apt_update || true
    # shellcheck disable=SC2086
    (cd "$dir.tmp" && apt-get $APT_OPTS -qq download "$pkg" >&2) \
      || { rm -rf "$dir.tmp"; skip "apt-get download $pkg failed"; }
  fi
  deb=""
  for f in "$dir.tmp"/*.deb; do [ -f "$f" ] && deb=$f; done
  [ -n "$deb" ] || { rm -rf "$dir.tmp"; skip "apt-get download $pkg produced no .deb"; }
  mv "$deb" "$dir.tmp/kernel.deb"
  # Extract only the kernel image; modules stay inside the .deb (kept in the
  # cache) and are pulled out on demand by --module.
  if ! (cd "$dir.tmp" && dpkg-deb --fsys-tarfile kernel.deb | tar -x --wildcards './boot/vmlinuz-*'); then
    rm -rf "$dir.tmp"; skip "could not extract vmlinuz from $pkg"
  fi
  [ -f "$dir.tmp/boot/vmlinuz-$kver" ] || { rm -rf "$dir.tmp"; skip "$pkg has no boot/vmlinuz-$kver"; }
  touch "$dir.tmp/.ok"
  mv "$dir.tmp" "$dir"
fi

case "$mode" in
  vmlinuz) echo "$dir/boot/vmlinuz-$kver" ;;
  deb) echo "$dir/kernel.deb" ;;
  module)
    # Resolve dependencies from each module's .modinfo "depends=" string (the
    # .deb ships no modules.dep: depmod generates it at install time), then
    # print paths dependencies-first so the caller can insmod them in order.
    [ -f "$dir/modules.list" ] || dpkg-deb -c "$dir/kernel.deb" \
      | awk '{print $NF}' | grep '\.ko$' >"$dir/modules.list"
    done_list=" "
    emit() { # emit NAME : depth-first, each module once
      local m rel ko deps d
      m=$(echo "$1" | tr - _)
      case "$done_list" in *" $m "*) return 0 ;; esac
      done_list="$done_list$m "
      rel=$(grep -E "/($m|$(echo "$m" | tr _ -))\.ko\$" "$dir/modules.list" | head -n 1)
      [ -n "$rel" ] || { echo "fetch-kernel: no module $1 in $pkg" >&2; exit 1; }
      ko=$dir/${rel#./}
      if [ ! -f "$ko" ]; then
        (cd "$dir" && dpkg-deb --fsys-tarfile kernel.deb | tar -x "$rel")
      fi
      deps=$(tr '\0' '\n' <"$ko" | sed -n 's/^depends=//p' | head -n 1 | tr , ' ')
      for d in $deps; do emit "$d"; done
      echo "$ko"
    }
    for m in $modules; do emit "$m"; done
    ;;
esac
