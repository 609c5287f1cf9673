#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pod.sh - the pod name of a process, on the real kernel: a process in a
# kubelet-style cgroup (cgroupfs driver, under a cgroup root of the
# test's own) with a UTS namespace whose hostname is the pod's name gets
# that name in "pod"; the same cgroup with the host's UTS namespace (a
# hostNetwork pod) gets none.  The cgroups are the test's own and removed
# on every way out.
. "$(dirname "$0")/../lib.sh"
kb_require_root
command -v unshare >/dev/null || kb_skip "unshare not installed"
# the cgroup v2 hierarchy: /sys/fs/cgroup itself, or "unified" on a hybrid host
cg2=""
for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
	[ "$(stat -fc %T "$d" 2>/dev/null)" = cgroup2fs ] && cg2=$d && break
done
[ -n "$cg2" ] || kb_skip "no cgroup v2 hierarchy mounted"

uid=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0
ctr=$(printf 'ab%.0s' $(seq 32))
root=$cg2/kbt-pod-$$
leaf=$root/kubepods/besteffort/pod$uid/$ctr
cg_cleanup() {
	for d in "$leaf" "${leaf%/*}" "$root/kubepods/besteffort" "$root/kubepods" "$root"; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	kb_cleanup
}
trap cg_cleanup EXIT
trap 'exit 1' INT TERM HUP
mkdir -p "$leaf" || kb_skip "cannot create cgroups under $cg2"

kb_start pod --json --comm=kbt-pod,kbt-hostnet
pid=$KB_PID
# a pod: its own UTS namespace, named like a pod; -w keeps it for /proc
unshare --uts sh -c 'hostname web-7d4b9c6f5-x2k8q && echo $$ >"$1/cgroup.procs" &&
	exec "$2" -w 1 -n kbt-pod tcp4:127.0.0.1:0' sh "$leaf" "$BINDPROG" >/dev/null ||
	kb_fail "pod process failed"
# hostNetwork: same kind of cgroup, the host's hostname
sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" -w 1 -n kbt-hostnet tcp4:127.0.0.1:0' \
	sh "$leaf" "$BINDPROG" >/dev/null || kb_fail "host-network process failed"
sleep 0.3
kb_stop "$pid" INT || kb_fail "kbindtop exited with $?"
kb_residue "$pid"
kb_json "$kb_tmp/pod.out" "
p = one(comm='kbt-pod')
assert p['pod'] == 'web-7d4b9c6f5-x2k8q', p
assert p['container'] == 'k8s-pod:$uid container:abababababab', p
h = one(comm='kbt-hostnet')
assert h['pod'] is None, h
assert h['container'] == p['container'], h
"
exit 0
