// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_metrics.c - the --metrics exposition: counters per label set,
 * escaping of hostile command names, the series bound and its folding,
 * the latest holder per port, and the atomic file write.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "metrics.h"

static struct kb_bind bind_of(const char *comm, int family, const char *proto, int port, int ret)
{
	struct kb_bind b;

	memset(&b, 0, sizeof(b));
	snprintf(b.comm, sizeof(b.comm), "%s", comm);
	b.addr.family = family;
	b.addr.port = port;
	b.proto = proto;
	b.ev.ret = ret;
	return b;
}

static size_t count_lines(const char *text, const char *prefix)
{
	size_t n = 0, l = strlen(prefix);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, prefix, l))
			n++;
	return n;
}

static void test_counts_and_escaping(void)
{
	struct kb_metrics *m = kb_metrics_new("/nonexistent/x.prom", 100, 1000000000ULL, "kprobe");
	struct kb_stats st = { .kernel_lost = 3, .kernel_lost_pages = 1, .queue_drops = 5 };
	struct kb_bind b;
	struct kb_buf o;

	kb_buf_init(&o);
	b = bind_of("nginx", AF_INET, "tcp", 80, 0);
	kb_metrics_add(m, &b);
	kb_metrics_add(m, &b);
	b = bind_of("nginx", AF_INET, "tcp", 80, -EADDRINUSE);
	b.holder.known = true;
	b.holder.pid = 42;
	snprintf(b.holder.comm, sizeof(b.holder.comm), "old\"nginx");
	kb_metrics_add(m, &b);
	/* visible text of a hostile name: backslashes and quotes must be escaped again */
	b = bind_of("a\\x1b\"b\\nc", AF_INET6, NULL, 0, KB_RET_UNKNOWN);
	kb_metrics_add(m, &b);
	b = bind_of("srv", AF_UNIX, NULL, -1, 0);
	kb_metrics_add(m, &b);
	kb_metrics_render(m, &st, &o);

	CHECK(strstr(o.p, "kbindtop_info{backend=\"kprobe\",version=\"" PACKAGE_VERSION "\"} 1\n"));
	CHECK(strstr(o.p, "kbindtop_bind_calls_total{comm=\"nginx\",family=\"inet\",proto=\"tcp\","
			  "port=\"80\",result=\"ok\"} 2\n"));
	CHECK(strstr(o.p, "kbindtop_bind_calls_total{comm=\"nginx\",family=\"inet\",proto=\"tcp\","
			  "port=\"80\",result=\"EADDRINUSE\"} 1\n"));
	CHECK(strstr(o.p, "kbindtop_bind_calls_total{comm=\"a\\\\x1b\\\"b\\\\nc\",family=\"inet6\","
			  "proto=\"unknown\",port=\"0\",result=\"unknown\"} 1\n"));
	CHECK(strstr(o.p, "{comm=\"srv\",family=\"unix\",proto=\"unknown\",port=\"\",result=\"ok\"} 1\n"));
	CHECK(strstr(o.p, "kbindtop_holder_info{port=\"80\",holder_comm=\"old\\\"nginx\"} 1\n"));
	CHECK(strstr(o.p, "kbindtop_lost_events_total{where=\"kernel\"} 4\n"));
	CHECK(strstr(o.p, "kbindtop_lost_events_total{where=\"queue\"} 5\n"));
	CHECK(strstr(o.p, "kbindtop_metrics_folded_calls_total 0\n"));
	CHECK_INT(kb_metrics_series(m), 4);
	/* no raw control character or newline inside a sample line */
	for (const char *p = o.p; *p; p++)
		CHECK(*p == '\n' || (*p >= 0x20 && *p < 0x7f));

	/* the latest EADDRINUSE wins, a lookup that did not answer changes nothing */
	b = bind_of("nginx", AF_INET, "tcp", 80, -EADDRINUSE);
	b.holder.known = true;
	b.holder.pid = -1;	/* TIME_WAIT: no process */
	kb_metrics_add(m, &b);
	b.holder.known = false;
	kb_metrics_add(m, &b);
	kb_metrics_render(m, &st, &o);
	CHECK(strstr(o.p, "kbindtop_holder_info{port=\"80\",holder_comm=\"\"} 1\n"));
	CHECK_INT(count_lines(o.p, "kbindtop_holder_info{"), 1);
	kb_buf_free(&o);
	kb_metrics_free(m);
}

static void test_bound(void)
{
	const int max = 160, reserve = max / 16;
	struct kb_metrics *m = kb_metrics_new("x.prom", max, 1, "syscalls");
	struct kb_stats st = { 0 };
	struct kb_bind b;
	struct kb_buf o;
	int port;

	kb_buf_init(&o);
	/* a storm over 10000 ports, one failed bind in ten */
	for (port = 1; port <= 10000; port++) {
		b = bind_of("storm", AF_INET, "udp", port, port % 10 ? 0 : -EACCES);
		kb_metrics_add(m, &b);
	}
	kb_metrics_render(m, &st, &o);
	CHECK_INT(count_lines(o.p, "kbindtop_bind_calls_total{comm=\"storm\""), max - reserve);
	CHECK(strstr(o.p, "{comm=\"other\",family=\"inet\",proto=\"udp\",port=\"other\","
			  "result=\"ok\"} 8865\n"));
	CHECK(strstr(o.p, "{comm=\"other\",family=\"inet\",proto=\"udp\",port=\"other\","
			  "result=\"EACCES\"} 985\n"));
	CHECK_INT(kb_metrics_folded(m), 10000 - (max - reserve));
	CHECK(strstr(o.p, "kbindtop_metrics_folded_calls_total 9850\n"));
	CHECK(strstr(o.p, "kbindtop_metrics_series_limit 160\n"));
	/* counted series stay counted: no new series, the same one grows */
	b = bind_of("storm", AF_INET, "udp", 1, 0);
	kb_metrics_add(m, &b);
	CHECK_INT(kb_metrics_folded(m), 9850);

	/* every family, protocol and result new: the reserve fills, then the catch-all */
	for (int i = 0; i < 500; i++) {
		char proto[16];

		snprintf(proto, sizeof(proto), "p%d", i);
		b = bind_of("x", AF_INET, proto, 1, -(i % 100 + 1));
		kb_metrics_add(m, &b);
	}
	kb_metrics_render(m, &st, &o);
	CHECK_INT(kb_metrics_series(m), max);
	CHECK_INT(count_lines(o.p, "kbindtop_bind_calls_total{"), max);
	CHECK(strstr(o.p, "kbindtop_bind_calls_total{comm=\"other\",family=\"other\",proto=\"other\","
			  "port=\"other\",result=\"other\"} "));
	CHECK_INT(kb_metrics_folded(m), 9850 + 500);
	kb_buf_free(&o);
	kb_metrics_free(m);
}

static void test_write(void)
{
	char dir[] = "/tmp/kbt-metrics.XXXXXX", path[64], err[256], buf[4096];
	struct kb_stats st = { 0 };
	struct kb_metrics *m;
	struct kb_bind b;
	struct stat sb;
	FILE *f;
	size_t n;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/kb.prom", dir);
	CHECK_INT(kb_metrics_check_path(path, err, sizeof(err)), 0);
	CHECK(kb_metrics_check_path("/nonexistent-dir/kb.prom", err, sizeof(err)) < 0);
	CHECK(strstr(err, "/nonexistent-dir/kb.prom") != NULL);
	CHECK(kb_metrics_check_path("dir/", err, sizeof(err)) < 0);
	CHECK(kb_metrics_new("", 100, 1, "x") == NULL);

	m = kb_metrics_new(path, 100, 1, "kprobe");
	b = bind_of("w", AF_INET, "tcp", 9, 0);
	kb_metrics_add(m, &b);
	CHECK_INT(kb_metrics_write(m, &st), 0);
	CHECK_INT(stat(path, &sb), 0);
	CHECK_INT(sb.st_mode & 0777, 0644);	/* node_exporter reads it as another user */
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
		CHECK(strstr(buf, "{comm=\"w\",family=\"inet\",proto=\"tcp\",port=\"9\",result=\"ok\"} 1\n"));
	}
	kb_metrics_free(m);
	/* nothing but the file is left: the temporary was renamed */
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) = 1", dir);
		CHECK_INT(system(cmd), 0);
	}
	unlink(path);
	rmdir(dir);
	/* a directory that went away: the failure is returned, not hidden */
	m = kb_metrics_new(path, 100, 1, "kprobe");
	CHECK_INT(kb_metrics_write(m, &st), -ENOENT);
	kb_metrics_free(m);
}

int main(void)
{
	test_counts_and_escaping();
	test_bound();
	test_write();
	return check_done("test_metrics");
}
