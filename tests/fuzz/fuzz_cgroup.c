// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_cgroup.c - libFuzzer target over the text a container runtime or a
 * traced process controls: a /proc/PID/cgroup file, the cgroup path, a
 * UTS hostname (the pod name) and a command name that becomes a metrics
 * label.  Input: "file-or-path \0 hostname \0 host hostname".  Every
 * result must be printable ASCII, and every line of the metrics file a
 * well-formed sample or comment (label values escaped, quotes balanced),
 * with the series bound kept.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cgroup.h"
#include "metrics.h"
#include "strbuf.h"

#define MAX_SERIES 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			abort();
}

/* A sample line: name{label="value",...} number, values escaped. */
static void check_line(const char *l, size_t n)
{
	bool in = false;

	if (n && l[0] == '#')
		return;
	for (size_t i = 0; i < n; i++) {
		if (l[i] < 0x20 || l[i] > 0x7e)
			abort();
		if (in && l[i] == '\\') {
			if (i + 1 >= n || !strchr("\\\"n", l[i + 1]))
				abort();
			i++;
		} else if (l[i] == '"') {
			in = !in;
		}
	}
	if (in)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kb_metrics *m;
	static struct kb_buf out;
	char *copy = malloc(size + 1), *host = "", *hostname = "";
	char path[1024], c[96], u[96], pod[96], uid[256];
	struct kb_stats st = { 0 };
	struct kb_bind b;
	size_t lines = 0;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	if (!m) {
		m = kb_metrics_new("/nonexistent/fuzz.prom", MAX_SERIES, 1, "fuzz");
		kb_buf_init(&out);
	}

	/* the whole input as a /proc/PID/cgroup file, then the path it names */
	if (!kb_cgroup_from_file(copy, size, path, sizeof(path))) {
		kb_cgroup_describe(path, c, sizeof(c), u, sizeof(u));
		printable(c);
		printable(u);
	}
	if (strlen(copy) < size) {
		hostname = copy + strlen(copy) + 1;
		if (hostname + strlen(hostname) < copy + size)
			host = hostname + strlen(hostname) + 1;
	}
	kb_cgroup_describe(copy, c, sizeof(c), u, sizeof(u));
	printable(c);
	printable(u);
	if (!kb_cgroup_pod_uid(copy, uid, sizeof(uid)) && !uid[0])
		abort();
	kb_cgroup_pod_name(copy, hostname, host, pod, sizeof(pod));
	printable(pod);

	/* the hostname as a command name, as the enricher makes it: visible text */
	memset(&b, 0, sizeof(b));
	kb_visible_str(b.comm, sizeof(b.comm), hostname, KB_COMM_LEN - 1);
	b.addr.family = size ? data[0] % 48 : AF_INET;
	b.addr.port = size > 1 ? (int)data[1] * 257 - 1 : 0;
	b.proto = size > 2 && data[2] & 1 ? "tcp" : NULL;
	b.ev.ret = size > 3 ? -(int)data[3] : 0;
	b.holder.known = true;
	b.holder.pid = 1;
	kb_visible_str(b.holder.comm, sizeof(b.holder.comm), host, KB_COMM_LEN - 1);
	kb_metrics_add(m, &b);
	kb_metrics_render(m, &st, &out);
	for (const char *l = out.p; *l;) {
		const char *nl = strchr(l, '\n');

		if (!nl)
			abort();	/* every line ends */
		check_line(l, (size_t)(nl - l));
		lines += !strncmp(l, "kbindtop_bind_calls_total{", 26);
		l = nl + 1;
	}
	if (lines > MAX_SERIES || kb_metrics_series(m) > MAX_SERIES)
		abort();
	free(copy);
	return 0;
}
