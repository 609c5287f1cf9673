// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_cgroup.c - container and unit names from cgroup paths of the
 * common runtimes and systemd layouts, and hostile paths.
 */
#include "config.h"

#include <string.h>

#include "cgroup.h"
#include "check.h"

#define ID64 "3f2a9c1b7d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcd"

static void desc(const char *path, const char *want_ctr, const char *want_unit)
{
	char c[96], u[96];

	kb_cgroup_describe(path, c, sizeof(c), u, sizeof(u));
	CHECK_STR(c, want_ctr);
	CHECK_STR(u, want_unit);
}

static void test_describe(void)
{
	desc("/", "", "");
	desc("/system.slice/nginx.service", "", "nginx.service");
	desc("/user.slice/user-1000.slice/session-3.scope", "", "session-3.scope");
	desc("/user.slice/user-1000.slice/user@1000.service/app.slice/app-foo.scope", "",
	     "app-foo.scope");
	desc("/system.slice/docker-" ID64 ".scope", "docker:3f2a9c1b7d4e", "");
	desc("/docker/" ID64, "docker:3f2a9c1b7d4e", "");
	desc("/machine.slice/libpod-" ID64 ".scope/container", "podman:3f2a9c1b7d4e", "");
	desc("/machine.slice/libpod-conmon-" ID64 ".scope", "", "");
	desc("/kubepods.slice/kubepods-burstable.slice/"
	     "kubepods-burstable-pod1b2c3d4e_5f60_7182_93a4_b5c6d7e8f901.slice/"
	     "cri-containerd-" ID64 ".scope",
	     "k8s-pod:1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901 containerd:3f2a9c1b7d4e", "");
	desc("/kubepods.slice/kubepods-pod1234.slice/crio-" ID64 ".scope",
	     "k8s-pod:1234 crio:3f2a9c1b7d4e", "");
	desc("/kubepods/besteffort/pod1b2c3d4e-5f60/" ID64,
	     "k8s-pod:1b2c3d4e-5f60 container:3f2a9c1b7d4e", "");
	desc("/lxc.payload.web1/system.slice/nginx.service", "lxc:web1", "nginx.service");
	desc("/lxc/web2", "lxc:web2", "");
	desc("/machine.slice/machine-debian.scope/payload", "machine:debian", "");
	/* not an id: a docker- scope without hex is just a unit */
	desc("/system.slice/docker-compose.scope", "", "docker-compose.scope");
	/* hostile bytes come out visible */
	desc("/system.slice/ev\x1b[2Jil.service", "", "ev\\x1b[2Jil.service");
	/* very long components are ignored, not overflowed */
	{
		char p[4096];

		memset(p, 'a', sizeof(p) - 1);
		p[0] = '/';
		p[sizeof(p) - 1] = '\0';
		desc(p, "", "");
	}
}

static void test_file(void)
{
	char out[256];
	const char *v2 = "0::/system.slice/sshd.service\n";
	const char *v1 = "12:cpu,cpuacct:/foo\n1:name=systemd:/system.slice/cron.service\n"
			 "0::/\n";
	const char *v1only = "12:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc\n";

	CHECK_INT(kb_cgroup_from_file(v2, strlen(v2), out, sizeof(out)), 0);
	CHECK_STR(out, "/system.slice/sshd.service");
	/* hybrid: the unified line wins */
	CHECK_INT(kb_cgroup_from_file(v1, strlen(v1), out, sizeof(out)), 0);
	CHECK_STR(out, "/");
	CHECK_INT(kb_cgroup_from_file(v1only, strlen(v1only), out, sizeof(out)), 0);
	CHECK_STR(out, "/docker/abc");
	CHECK(kb_cgroup_from_file("garbage", 7, out, sizeof(out)) < 0);
	CHECK(kb_cgroup_from_file("", 0, out, sizeof(out)) < 0);
	/* truncated to the buffer */
	CHECK_INT(kb_cgroup_from_file(v2, strlen(v2), out, 8), 0);
	CHECK_STR(out, "/system");
}

#define UID_SD "1b2c3d4e_5f60_7182_93a4_b5c6d7e8f901"	/* systemd escapes '-' */
#define UID "1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901"

static void pod(const char *path, const char *hostname, const char *host, const char *want)
{
	char out[96];

	kb_cgroup_pod_name(path, hostname, host, out, sizeof(out));
	CHECK_STR(out, want);
}

/* Cgroup paths as kubelet makes them on real nodes, for each driver and runtime. */
static void test_pod(void)
{
	static const char *const paths[] = {
		/* systemd driver, containerd, each QoS class */
		"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_SD ".slice/"
		"cri-containerd-" ID64 ".scope",
		"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_SD ".slice/"
		"cri-containerd-" ID64 ".scope",
		"/kubepods.slice/kubepods-pod" UID_SD ".slice/cri-containerd-" ID64 ".scope",
		/* systemd driver, CRI-O */
		"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_SD ".slice/"
		"crio-" ID64 ".scope",
		/* cgroupfs driver (containerd or CRI-O): bare ids */
		"/kubepods/burstable/pod" UID "/" ID64,
		"/kubepods/besteffort/pod" UID "/" ID64,
		"/kubepods/pod" UID "/" ID64,
		/* kind: kubelet under --cgroup-root=/kubelet, inside a node container */
		"/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
		"kubelet-kubepods-besteffort-pod" UID_SD ".slice/cri-containerd-" ID64 ".scope",
		/* the pause container's cgroup is the pod's too */
		"/kubepods/burstable/pod" UID,
	};
	char uid[64];

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		CHECK_INT(kb_cgroup_pod_uid(paths[i], uid, sizeof(uid)), 0);
		CHECK_STR(uid, UID);
		pod(paths[i], "web-7d4b9c6f5-x2k8q", "node-1", "web-7d4b9c6f5-x2k8q");
		/* hostNetwork: the pod shares the node's UTS namespace */
		pod(paths[i], "node-1", "node-1", "");
		/* the hostname could not be read */
		pod(paths[i], "", "node-1", "");
		pod(paths[i], NULL, "node-1", "");
		/* the host's could not: no guess */
		pod(paths[i], "web-1", "", "");
		pod(paths[i], "web-1", NULL, "");
	}
	desc(paths[7], "k8s-pod:" UID " containerd:3f2a9c1b7d4e", "");

	/* not a kubelet cgroup: a container's own hostname is not a pod name */
	static const char *const not_pods[] = {
		"/",
		"/system.slice/docker-" ID64 ".scope",
		"/docker/" ID64,
		"/machine.slice/libpod-" ID64 ".scope/container",
		"/system.slice/pod-manager.service",	/* "pod" outside kubepods */
		"/pod" UID "/" ID64,
		"/kubepods.slice/kubepods-burstable.slice",	/* the QoS slice, no pod */
		"/kubepods/burstable",
	};
	for (size_t i = 0; i < sizeof(not_pods) / sizeof(not_pods[0]); i++) {
		CHECK(kb_cgroup_pod_uid(not_pods[i], uid, sizeof(uid)) < 0);
		pod(not_pods[i], "web-1", "node-1", "");
	}

	/* the hostname is set by whoever runs in the pod: it comes out visible */
	pod(paths[0], "ev\x1b[2Jil\n", "node-1", "ev\\x1b[2Jil\\x0a");
	/* and truncated, not overflowed */
	{
		char small[8];

		kb_cgroup_pod_name(paths[4], "a-very-long-pod-name", "node-1", small, sizeof(small));
		CHECK_STR(small, "a-very-");
	}
}

int main(void)
{
	test_describe();
	test_file();
	test_pod();
	return check_done("test_cgroup");
}
