// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cgroup.c - container and systemd unit names from a cgroup path.
 *
 * Runtimes name their cgroups in a few well-known ways; recognising them
 * is all this does.  Both systemd-driver layouts
 *   /system.slice/docker-<64 hex>.scope
 *   /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid>.slice/cri-containerd-<64 hex>.scope
 * and cgroupfs-driver layouts
 *   /docker/<64 hex>    /kubepods/burstable/pod<uid>/<64 hex>    /lxc/<name>
 * are handled.  Anything unrecognised gives "" rather than a guess.
 *
 * Pod names are not in the path, only pod UIDs.  A pod's hostname is its
 * name (unless its spec sets another), and every container of a pod
 * shares the pod's UTS namespace, so the hostname of a process in a
 * kubelet cgroup names its pod, when it is not the host's own hostname
 * (a hostNetwork pod shares the host's UTS namespace: no pod name then).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cgroup.h"
#include "strbuf.h"

#define ID_SHORT	12
#define COMP_MAX	256

int kb_cgroup_from_file(const char *text, size_t textlen, char *out, size_t len)
{
	const char *best = NULL, *end = text + textlen;
	size_t best_len = 0;
	int best_rank = 0;

	if (!len)
		return -EINVAL;
	out[0] = '\0';
	for (const char *l = text; l < end;) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		const char *le = nl ? nl : end;
		const char *c1 = memchr(l, ':', (size_t)(le - l));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(le - c1 - 1)) : NULL;
		int rank = 0;

		if (c2) {
			if (c1 - l == 1 && l[0] == '0' && c2 == c1 + 1)
				rank = 3;	/* cgroup v2 unified hierarchy */
			else if (c2 - c1 - 1 == 12 && !memcmp(c1 + 1, "name=systemd", 12))
				rank = 2;
			else
				rank = 1;
		}
		if (rank > best_rank) {
			best_rank = rank;
			best = c2 + 1;
			best_len = (size_t)(le - best);
		}
		l = nl ? nl + 1 : end;
	}
	if (!best)
		return -ENOENT;
	if (best_len >= len)
		best_len = len - 1;
	memcpy(out, best, best_len);
	out[best_len] = '\0';
	return 0;
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return n > 0;
}

static bool ends_with(const char *s, size_t n, const char *suf)
{
	size_t m = strlen(suf);

	return n >= m && !memcmp(s + n - m, suf, m);
}

static bool starts_with(const char *s, size_t n, const char *pre)
{
	size_t m = strlen(pre);

	return n >= m && !memcmp(s, pre, m);
}

/*
 * A scope named after a container id: "<prefix><hex>.scope".  Returns the
 * runtime, "" for a runtime's helper scope (neither container nor unit),
 * NULL for anything else.
 */
static const char *scope_runtime(const char *c, size_t n, const char **id, size_t *idlen)
{
	static const struct { const char *prefix, *name; } rt[] = {
		{ "libpod-conmon-", "" },	/* podman's monitor, not the container */
		{ "crio-conmon-", "" },
		{ "docker-", "docker" },
		{ "libpod-", "podman" },
		{ "cri-containerd-", "containerd" },
		{ "crio-", "crio" },
	};

	if (!ends_with(c, n, ".scope"))
		return NULL;
	n -= 6;
	for (size_t i = 0; i < sizeof(rt) / sizeof(rt[0]); i++) {
		size_t m = strlen(rt[i].prefix);

		if (!starts_with(c, n, rt[i].prefix))
			continue;
		if (!rt[i].name[0])
			return "";
		if (!is_hex(c + m, n - m) || n - m < ID_SHORT)
			return NULL;
		*id = c + m;
		*idlen = ID_SHORT;
		return rt[i].name;
	}
	return NULL;
}

/* A kubelet component: "kubepods...", or "kubelet-kubepods..." under a --cgroup-root (kind). */
static bool kubepods(const char *c, size_t n)
{
	return starts_with(c, n, "kubepods") || starts_with(c, n, "kubelet-kubepods");
}

/* "kubepods-burstable-pod<uid>.slice" (systemd) or "pod<uid>" (cgroupfs). */
static bool pod_uid(const char *c, size_t n, bool under_kubepods, char *uid, size_t len)
{
	const char *p = NULL;
	size_t m = 0, i;

	if (kubepods(c, n) && ends_with(c, n, ".slice")) {
		for (i = n - 6; i >= 4; i--) {
			if (!memcmp(c + i - 4, "-pod", 4)) {
				p = c + i;
				m = n - 6 - i;
				break;
			}
		}
	} else if (under_kubepods && starts_with(c, n, "pod")) {
		p = c + 3;
		m = n - 3;
	}
	if (!p || !m || m >= len)
		return false;
	/* systemd escapes the uid's dashes as underscores */
	for (i = 0; i < m; i++)
		uid[i] = p[i] == '_' ? '-' : p[i];
	uid[m] = '\0';
	return true;
}

void kb_cgroup_describe(const char *path, char *container, size_t clen, char *unit, size_t ulen)
{
	char pod[COMP_MAX] = "", ctr[COMP_MAX] = "", raw_unit[COMP_MAX] = "";
	const char *prev = NULL;
	size_t prev_len = 0;
	bool kube = false;

	if (clen)
		container[0] = '\0';
	if (ulen)
		unit[0] = '\0';
	for (const char *c = path; *c;) {
		const char *slash = strchr(c, '/');
		size_t n = slash ? (size_t)(slash - c) : strlen(c);
		const char *rt, *id;
		size_t idlen;

		if (!n || n >= COMP_MAX)
			goto next;
		if (kubepods(c, n))
			kube = true;
		if (pod_uid(c, n, kube, pod, sizeof(pod)))
			goto next;
		rt = scope_runtime(c, n, &id, &idlen);
		if (rt && !rt[0]) {
			goto next;
		} else if (rt) {
			snprintf(ctr, sizeof(ctr), "%s:%.*s", rt, (int)idlen, id);
		} else if (n >= 32 && is_hex(c, n)) {
			/* cgroupfs driver: a bare id under the runtime's directory */
			const char *name = prev && prev_len == 6 && !memcmp(prev, "docker", 6) ?
					   "docker" : "container";

			snprintf(ctr, sizeof(ctr), "%s:%.*s", name, ID_SHORT, c);
		} else if (starts_with(c, n, "lxc.payload.") && n > 12) {
			snprintf(ctr, sizeof(ctr), "lxc:%.*s", (int)(n - 12), c + 12);
		} else if (prev && prev_len == 3 && !memcmp(prev, "lxc", 3)) {
			snprintf(ctr, sizeof(ctr), "lxc:%.*s", (int)n, c);
		} else if (starts_with(c, n, "machine-") && ends_with(c, n, ".scope") && n > 14) {
			snprintf(ctr, sizeof(ctr), "machine:%.*s", (int)(n - 14), c + 8);
		} else if (ends_with(c, n, ".service") || ends_with(c, n, ".scope")) {
			snprintf(raw_unit, sizeof(raw_unit), "%.*s", (int)n, c);
		}
next:
		prev = c;
		prev_len = n;
		if (!slash)
			break;
		c = slash + 1;
	}
	if (ctr[0] || pod[0]) {
		char tmp[2 * COMP_MAX + 16];

		if (pod[0])
			snprintf(tmp, sizeof(tmp), "k8s-pod:%s%s%s", pod, ctr[0] ? " " : "", ctr);
		else
			snprintf(tmp, sizeof(tmp), "%s", ctr);
		kb_visible_str(container, clen, tmp, sizeof(tmp));
	}
	if (raw_unit[0])
		kb_visible_str(unit, ulen, raw_unit, sizeof(raw_unit));
}

int kb_cgroup_pod_uid(const char *path, char *uid, size_t len)
{
	bool kube = false;

	if (len)
		uid[0] = '\0';
	for (const char *c = path; *c;) {
		const char *slash = strchr(c, '/');
		size_t n = slash ? (size_t)(slash - c) : strlen(c);

		if (n && n < COMP_MAX) {
			if (kubepods(c, n))
				kube = true;
			if (pod_uid(c, n, kube, uid, len))
				return 0;
		}
		if (!slash)
			break;
		c = slash + 1;
	}
	return -ENOENT;
}

void kb_cgroup_pod_name(const char *path, const char *hostname, const char *host_hostname,
			char *out, size_t len)
{
	char uid[COMP_MAX];

	if (!len)
		return;
	out[0] = '\0';
	if (!hostname || !hostname[0] || !host_hostname || !host_hostname[0] ||
	    !strcmp(hostname, host_hostname))
		return;
	if (kb_cgroup_pod_uid(path, uid, sizeof(uid)))
		return;
	kb_visible_str(out, len, hostname, KB_HOSTNAME_MAX);
}
