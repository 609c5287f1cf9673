#!/bin/bash
# fetch-kernel.sh - provide a real Debian cloud kernel for the qemu harness.
#
# Usage:
#   fetch-kernel.sh [--suite S]                 print the path of a cached vmlinuz
#   fetch-kernel.sh [--suite S] --deb           print the path of the cached kernel .deb
#   fetch-kernel.sh [--suite S] --module NAME.. print the .ko paths (dependencies
#                                   first, i.e. in insmod order) of the named modules
#
# --suite: bookworm (default: Debian 12, 6.1, through this machine's own apt
# configuration, read only), or any other Debian suite (trixie: 6.12, sid:
# the newest), fetched through a PRIVATE apt configuration kept in the cache
# (sources.list, lists, package cache and an empty dpkg status under
# $CACHE/apt-<suite>/): the system's apt sources are never touched.  On sid
# the image is in linux-binary-<abi> (vmlinuz under usr/lib/modules/<abi>/)
# and the modules in linux-modules-<abi>; both are followed from the
# linux-image package's dependencies.
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
#   KBINDTOP_DEBIAN_MIRROR  mirror for the private configurations
#                          (default http://deb.debian.org/debian)
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
SUITE=bookworm
if [ "${1:-}" = --suite ]; then
  [ $# -ge 2 ] || { echo "usage: $0 [--suite S] [--deb | --module NAME...]" >&2; exit 2; }
  SUITE=$2
  shift 2
fi
case "$SUITE" in *[!a-z0-9-]*|"") echo "bad suite name: $SUITE" >&2; exit 2 ;; esac
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

# Private apt configuration for suites other than the system's own: every
# path apt would read or write points into $CACHE/apt-<suite>.
APT_CFG=""
private_apt=no
if [ "$SUITE" != bookworm ]; then
  private_apt=yes
  A=$CACHE/apt-$SUITE
  APT_CFG="-o Dir::Etc::SourceList=$A/sources.list -o Dir::Etc::SourceParts=$A/sources.list.d
    -o Dir::Etc::Preferences=$A/preferences -o Dir::Etc::PreferencesParts=$A/preferences.d
    -o Dir::State::Lists=$A/lists -o Dir::State::status=$A/status -o Dir::Cache=$A/cache
    -o Dir::Cache::archives=$A/archives -o Acquire::Languages=none -o APT::Architectures=amd64"
  if ! [ -f "$A/sources.list" ] || ! [ -d "$A/preferences.d" ]; then
    mkdir -p "$A/lists/partial" "$A/archives/partial" "$A/cache" "$A/sources.list.d" \
      "$A/preferences.d" 2>/dev/null || skip "cannot create the private apt directory $A"
    : >"$A/status"
    : >"$A/preferences"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
      "${KBINDTOP_DEBIAN_MIRROR:-http://deb.debian.org/debian} $SUITE main" >"$A/sources.list"
  fi
  APT_OPTS="$APT_OPTS $APT_CFG"
fi

apt_updated=no
apt_update() {
  [ "$apt_updated" = yes ] && return 0
  apt_updated=yes
  is_root || [ "$private_apt" = yes ] || return 1
  log "running apt-get update${APT_CFG:+ (private configuration for $SUITE)}"
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
  # shellcheck disable=SC2086
  apt-cache $APT_CFG depends "$META" 2>/dev/null \
    | sed -n 's/^ *Depends: *\(linux-image-[0-9][^ ]*-cloud-amd64\) *$/\1/p' \
    | sort -V | tail -n 1
}
if [ "$private_apt" = yes ] && [ -z "$(find "$CACHE/apt-$SUITE/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
  # private lists older than a day (or none): the archive moves on
  if mkdir -p "$CACHE" 2>/dev/null; then
    exec 8>"$CACHE/.lock-apt-$SUITE"
    flock 8
    apt_update || log "apt-get update for $SUITE failed; using what is cached"
  fi
fi
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
    [ -f "$d/.ok" ] || continue
    s=bookworm
    [ -f "$d/.suite" ] && s=$(cat "$d/.suite")
    [ "$s" = "$SUITE" ] && basename "$d"
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

# download PACKAGE NAME: fetch PACKAGE's .deb into $dir.tmp/NAME
download() {
  rm -f "$dir.tmp"/*.deb.part
  # shellcheck disable=SC2086
  if ! (cd "$dir.tmp" && apt-get $APT_OPTS -qq download "$1" >&2); then
    apt_update || true
    # shellcheck disable=SC2086
    (cd "$dir.tmp" && apt-get $APT_OPTS -qq download "$1" >&2) \
      || { rm -rf "$dir.tmp"; skip "apt-get download $1 failed"; }
  fi
  got=""
  for f in "$dir.tmp"/"${1%%:*}"_*.deb; do [ -f "$f" ] && got=$f; done
  [ -n "$got" ] || { rm -rf "$dir.tmp"; skip "apt-get download $1 produced no .deb"; }
  mv "$got" "$dir.tmp/$2"
}

if [ ! -f "$dir/.ok" ]; then
  log "downloading $pkg into $dir"
  rm -rf "$dir" "$dir.tmp"
  mkdir -p "$dir.tmp"
  # Newer packaging splits the image (linux-binary-ABI) and the modules
  # (linux-modules-ABI) out of linux-image-ABI, which only depends on them.
  # shellcheck disable=SC2086
  deps=$(apt-cache $APT_CFG depends "$pkg" 2>/dev/null | sed -n 's/^ *Depends: *\([^ <]*\) *$/\1/p')
  bin=$(echo "$deps" | grep "^linux-binary-$kver\$" || true)
  mods=$(echo "$deps" | grep "^linux-modules-$kver\$" || true)
  download "${bin:-$pkg}" kernel.deb
  if [ -n "$mods" ]; then download "$mods" modules.deb; else ln -s kernel.deb "$dir.tmp/modules.deb"; fi
  # Extract only the kernel image; modules stay inside the .deb (kept in the
  # cache) and are pulled out on demand by --module.
  dpkg-deb -c "$dir.tmp/kernel.deb" | awk '{print $NF}' | grep -E '(^|/)vmlinuz(-[^/]*)?$' \
    | head -n 1 >"$dir.tmp/.vmlinuz" || true
  img=$(cat "$dir.tmp/.vmlinuz")
  if [ -z "$img" ] || ! (cd "$dir.tmp" && dpkg-deb --fsys-tarfile kernel.deb | tar -x "$img"); then
    rm -rf "$dir.tmp"; skip "could not extract vmlinuz from ${bin:-$pkg}"
  fi
  echo "${img#./}" >"$dir.tmp/.vmlinuz"
  echo "$SUITE" >"$dir.tmp/.suite"
  touch "$dir.tmp/.ok"
  mv "$dir.tmp" "$dir"
fi
img=boot/vmlinuz-$kver
[ -f "$dir/.vmlinuz" ] && img=$(cat "$dir/.vmlinuz")
[ -f "$dir/modules.deb" ] || ln -s kernel.deb "$dir/modules.deb" 2>/dev/null || true

case "$mode" in
  vmlinuz) echo "$dir/$img" ;;
  deb) echo "$dir/kernel.deb" ;;
  module)
    # Resolve dependencies from each module's .modinfo "depends=" string (the
    # .deb ships no modules.dep: depmod generates it at install time), then
    # print paths dependencies-first so the caller can insmod them in order.
    [ -f "$dir/modules.list" ] || dpkg-deb -c "$dir/modules.deb" \
      | awk '{print $NF}' | grep -E '\.ko(\.xz|\.zst)?$' >"$dir/modules.list"
    done_list=" "
    emit() { # emit NAME : depth-first, each module once
      local m rel ko deps d
      m=$(echo "$1" | tr - _)
      case "$done_list" in *" $m "*) return 0 ;; esac
      done_list="$done_list$m "
      rel=$(grep -E "/$(echo "$m" | sed 's/_/[-_]/g')\.ko(\.xz|\.zst)?\$" "$dir/modules.list" | head -n 1)
      [ -n "$rel" ] || { echo "fetch-kernel: no module $1 in $pkg" >&2; exit 1; }
      ko=$dir/${rel#./}
      if [ ! -f "${ko%.ko*}.ko" ]; then
        (cd "$dir" && dpkg-deb --fsys-tarfile modules.deb | tar -x "$rel")
        # newer kernels ship compressed modules; busybox insmod wants them plain
        case "$ko" in
          *.ko.xz) xz -dc "$ko" >"${ko%.xz}.tmp" && mv "${ko%.xz}.tmp" "${ko%.xz}" ;;
          *.ko.zst) zstd -qdc "$ko" >"${ko%.zst}.tmp" && mv "${ko%.zst}.tmp" "${ko%.zst}" ;;
        esac
      fi
      ko=${ko%.ko*}.ko
      deps=$(tr '\0' '\n' <"$ko" | sed -n 's/^depends=//p' | head -n 1 | tr , ' ')
      for d in $deps; do emit "$d"; done
      echo "$ko"
    }
    for m in $modules; do emit "$m"; done
    ;;
esac
