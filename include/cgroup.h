/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroup.h - a readable name for where a process runs, taken from its
 * cgroup path: the container ("docker:3f2a9c1b7d4e", "k8s-pod:<uid>
 * containerd:<id>") and the systemd unit ("nginx.service").
 *
 * The path is written by whoever created the cgroup (a container runtime,
 * a delegated user): it is untrusted text.  Results are visible text.
 * Pure functions, any thread.
 */
#ifndef KB_CGROUP_H
#define KB_CGROUP_H

#include <stddef.h>

/*
 * kb_cgroup_from_file - the cgroup path in the text of /proc/PID/cgroup:
 * the unified ("0::") line, else the "name=systemd" one, else the first.
 * Copies the raw path (NUL-terminated, truncated to len) into out;
 * returns 0 or -ENOENT when the text has no usable line.
 */
int kb_cgroup_from_file(const char *text, size_t textlen, char *out, size_t len);

/*
 * kb_cgroup_describe - container and systemd unit named by a cgroup path.
 * container: "<runtime>:<12 hex>" (docker, podman, containerd, crio,
 * container), "lxc:<name>", "machine:<name>", prefixed with
 * "k8s-pod:<uid> " inside a Kubernetes pod; "" when none.  unit: the
 * innermost systemd unit that is not a container's own scope
 * ("nginx.service", "session-3.scope"); "" when none.
 */
void kb_cgroup_describe(const char *path, char *container, size_t clen, char *unit, size_t ulen);

#define KB_HOSTNAME_MAX	64	/* HOST_NAME_MAX: a UTS nodename without its NUL */

/*
 * kb_cgroup_pod_uid - the pod UID of a kubelet cgroup path (systemd
 * driver "kubepods-...-pod<uid>.slice", dashes restored, or cgroupfs
 * driver "kubepods/.../pod<uid>"): 0, or -ENOENT when path is not in a pod.
 */
int kb_cgroup_pod_uid(const char *path, char *uid, size_t len);

/*
 * kb_cgroup_pod_name - the pod a process runs in: its UTS hostname, when
 * its cgroup path is a kubelet pod's and that hostname is not the host's
 * (host_hostname: the hostname of PID 1's UTS namespace).  Visible text
 * in out, "" when no pod name can be told (either hostname "" or NULL).
 */
void kb_cgroup_pod_name(const char *path, const char *hostname, const char *host_hostname,
			char *out, size_t len);

#endif
