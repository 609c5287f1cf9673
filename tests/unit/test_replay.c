// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_replay.c - reading recordings back: a --write header and calls
 * (with holder, stacks and names, a socket found at start), plain
 * --json --stacks output, and bad input: truncated lines, wrong types,
 * hostile strings, NUL bytes, a line past the 1 MiB limit.  Every bad
 * line is skipped and counted, the first one named by its number; the
 * good lines around it still read.  What is written by the batch JSON
 * writer reads back to the same JSON.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "check.h"
#include "format.h"
#include "record.h"
#include "replay.h"

static const char rec[] =
	"{\"kbindtop_recording\":1,\"version\":\"0.1.0\",\"host\":\"web1\",\"kernel\":\"6.1.0\","
	"\"backend\":\"kprobe\",\"start\":1700000000.000000}\n"
	"{\"ts\":1700000001.250000,\"pid\":4242,\"tid\":4243,\"comm\":\"nginx\",\"uid\":33,"
	"\"user\":\"www-data\",\"ppid\":1,\"cmdline\":\"nginx -g daemon off;\",\"container\":null,"
	"\"unit\":\"nginx.service\",\"cgroup\":\"/system.slice/nginx.service\",\"netns\":4026531840,"
	"\"fd\":6,\"family\":\"inet6\",\"proto\":\"tcp\",\"addr\":\"::\",\"port\":80,\"bound_port\":null,"
	"\"opts\":\"SO_REUSEADDR,IPV6_V6ONLY\",\"device\":null,\"ret\":-98,\"error\":\"EADDRINUSE\","
	"\"holder\":{\"pid\":77,\"comm\":\"apache2\",\"state\":\"LISTEN\",\"proto\":\"tcp\",\"addr\":\"::\","
	"\"sockets\":1},\"hint\":\"port 80 is held by pid 77 (apache2)\",\"state\":null,"
	"\"backend\":\"kprobe\",\"addr_source\":\"kprobe\",\"verified\":true,"
	"\"user_stack\":[{\"addr\":\"0x7f0000001000\",\"sym\":\"bind\",\"obj\":\"libc.so.6\",\"off\":7},"
	"{\"addr\":\"0x555500002000\",\"sym\":\"ngx_open_listening_sockets\",\"obj\":\"nginx\",\"off\":612}],"
	"\"user_stack_note\":null,\"kernel_stack\":[{\"addr\":\"0xffffffff81000000\",\"sym\":\"__sys_bind\","
	"\"obj\":\"[kernel]\",\"off\":16}]}\n"
	"\n"
	"{\"ts\":1700000000.5,\"pid\":1,\"tid\":1,\"comm\":\"systemd\",\"family\":\"inet\",\"proto\":\"udp\","
	"\"addr\":\"0.0.0.0\",\"port\":5353,\"ret\":0,\"state\":\"UNCONN\",\"addr_source\":\"sock_diag\","
	"\"some_future_field\":{\"a\":[1,2,{\"b\":null}]}}\n";

static FILE *mem(const char *s, size_t n)
{
	static char copy[KB_REPLAY_LINE_MAX + 4096];
	FILE *f;

	memcpy(copy, s, n);
	f = fmemopen(copy, n, "r");

	if (!f) {
		perror("fmemopen");
		exit(1);
	}
	return f;
}

static void test_good(void)
{
	FILE *f = mem(rec, sizeof(rec) - 1);
	struct kb_replay *r = kb_replay_new(f);
	const struct kb_replay_info *in = kb_replay_info(r);
	struct kb_stack st;
	struct kb_bind b;

	CHECK_INT(kb_replay_next(r, &b), 1);
	CHECK(in->header);
	CHECK_STR(in->host, "web1");
	CHECK_STR(in->kernel, "6.1.0");
	CHECK_STR(in->backend, "kprobe");
	CHECK_INT(b.pid, 4242);
	CHECK_INT(b.ev.tid, 4243);
	CHECK_STR(b.comm, "nginx");
	CHECK(b.uid_known);
	CHECK_INT(b.uid, 33);
	CHECK_STR(b.user, "www-data");
	CHECK_STR(b.cmdline, "nginx -g daemon off;");
	CHECK_INT(b.netns, 4026531840ULL);
	CHECK_INT(b.addr.family, AF_INET6);
	CHECK_STR(b.proto, "tcp");
	CHECK_STR(b.addr.text, "::");
	CHECK_INT(b.addr.port, 80);
	CHECK_INT(b.bound_port, -1);
	CHECK(b.opts_known);
	CHECK_INT(b.ev.ret, -EADDRINUSE);
	CHECK(b.holder.known);
	CHECK_INT(b.holder.pid, 77);
	CHECK_STR(b.holder.comm, "apache2");
	CHECK_STR(b.holder.state, "LISTEN");
	CHECK_STR(b.hint, "port 80 is held by pid 77 (apache2)");
	CHECK(b.sock_state == NULL);
	CHECK_INT(b.addr_src, KB_ADDR_KPROBE);
	CHECK_INT(kb_mono_to_real(b.ev.ts), 1700000001250000000ULL);
	CHECK_INT(b.ev.n_ustack, 2);
	CHECK_INT(b.ev.n_kstack, 1);
	kb_replay_stack(r, b.pid, false, b.ev.ustack, b.ev.n_ustack, &st);
	CHECK_INT(st.n, 2);
	CHECK_STR(st.f[1].sym, "ngx_open_listening_sockets");
	CHECK_INT(st.f[1].off, 612);
	CHECK_STR(st.f[0].obj, "libc.so.6");
	kb_replay_stack(r, 999, true, b.ev.kstack, 1, &st);
	CHECK_STR(st.f[0].sym, "__sys_bind");
	/* another process at the same address: no name */
	kb_replay_stack(r, 999, false, b.ev.ustack, 1, &st);
	CHECK(!st.f[0].known);
	CHECK_INT(st.f[0].addr, 0x7f0000001000ULL);

	/* a socket found at the start, with a field from the future */
	CHECK_INT(kb_replay_next(r, &b), 1);
	CHECK(b.ev.flags & KB_EVF_EXISTING);
	CHECK_STR(b.sock_state, "UNCONN");
	CHECK_INT(b.addr_src, KB_ADDR_DIAG);
	CHECK_INT(b.addr.port, 5353);
	CHECK_INT(kb_replay_next(r, &b), 0);
	CHECK_INT(in->calls, 2);
	CHECK_INT(in->skipped, 0);
	CHECK_INT(in->first_ns, 1700000000500000000ULL);
	CHECK_INT(in->last_ns, 1700000001250000000ULL);
	kb_replay_free(r);
	fclose(f);
}

/* One bad line between two good ones: skipped, counted, named; its neighbours read. */
static void bad(const char *line, const char *why)
{
	char buf[4096];
	int n = snprintf(buf, sizeof(buf), "{\"ts\":1.0,\"pid\":1,\"comm\":\"a\"}\n%s\n{\"ts\":2.0,\"pid\":2}\n", line);
	FILE *f = mem(buf, (size_t)n);
	struct kb_replay *r = kb_replay_new(f);
	const struct kb_replay_info *in = kb_replay_info(r);
	struct kb_bind b;

	CHECK_INT(kb_replay_next(r, &b), 1);
	CHECK_INT(kb_replay_next(r, &b), 1);
	CHECK_INT(b.pid, 2);
	CHECK_INT(kb_replay_next(r, &b), 0);
	CHECK_INT(in->skipped, 1);
	CHECK_INT(in->bad_line, 2);
	if (!strstr(in->bad, why)) {
		fprintf(stderr, "line %s: reason '%s' lacks '%s'\n", line, in->bad, why);
		CHECK(false);
	}
	kb_replay_free(r);
	fclose(f);
}

static void test_bad(void)
{
	bad("{\"ts\":3.0,\"pid\":3,\"comm\":\"trunc", "string");
	bad("{\"ts\":3.0,\"pid\":3,", "truncated");
	bad("{\"ts\":3.0,\"pid\":\"3\"}", "'pid' is not a number");
	bad("{\"ts\":\"now\"}", "'ts' is not a number");
	bad("{\"ts\":3.0,\"port\":70000}", "out of range");
	bad("{\"ts\":3.0,\"pid\":-5}", "out of range");
	bad("{\"ts\":3.0,\"user_stack\":{}}", "not an array");
	bad("{\"ts\":3.0,\"user_stack\":[{\"addr\":\"12\"}]}", "hex address");
	bad("{\"ts\":3.0,\"holder\":7}", "not an object");
	bad("{\"pid\":3}", "no 'ts'");
	bad("[1,2,3]", "not a JSON object");
	bad("kbindtop: 3 bind calls shown", "not a JSON object");
	bad("{\"ts\":3.0} trailing", "text after");
	bad("{\"ts\":1e9}", "exponent");
	bad("{\"ts\":3.0,\"x\":[[[[[[[[[[[[1]]]]]]]]]]]]}", "nested too deep");
	bad("{\"ts\":99999999999999999999999}", "too large");
	bad("{\"ts\":3.0,\"comm\":\"a\\q\"}", "bad escape");
}

static void test_hostile(void)
{
	static const char line[] =
		"{\"ts\":1.0,\"comm\":\"\\u001b[2J\\u0007x\xc3\xa9\",\"addr\":\"\\\"; rm -rf /\","
		"\"hint\":\"\\n\\r\\t\",\"cmdline\":\"";
	char *buf = malloc(200000);
	struct kb_replay *r;
	struct kb_bind b;
	char err[160];
	size_t n;
	FILE *f;

	/* control characters never come out; an overlong string is cut */
	n = (size_t)snprintf(buf, 200000, "%s", line);
	memset(buf + n, 'A', 100000);
	n += 100000;
	n += (size_t)snprintf(buf + n, 200000 - n, "\"}");
	r = kb_replay_new(NULL);
	CHECK_INT(kb_replay_line(r, buf, n, &b, err, sizeof(err)), 1);
	CHECK_STR(b.comm, "?[2J?x??");
	CHECK_STR(b.addr.text, "\"; rm -rf /");
	CHECK_STR(b.hint, "???");
	CHECK_INT(strlen(b.cmdline), sizeof(b.cmdline) - 1);
	kb_replay_free(r);
	free(buf);

	/* a NUL byte, then a line longer than the limit: skipped, reading goes on */
	buf = malloc(KB_REPLAY_LINE_MAX + 100);
	memcpy(buf, "{\"ts\":1.0,\"comm\":\"a\0b\"}\n", 25);
	n = 25;
	buf[n++] = '{';
	memset(buf + n, ' ', KB_REPLAY_LINE_MAX);
	n += KB_REPLAY_LINE_MAX;
	n += (size_t)sprintf(buf + n, "}\n{\"ts\":5.0,\"pid\":5}");	/* last line without newline */
	f = mem(buf, n);
	r = kb_replay_new(f);
	CHECK_INT(kb_replay_next(r, &b), 1);
	CHECK_INT(b.pid, 5);
	CHECK_INT(kb_replay_info(r)->skipped, 2);
	CHECK_INT(kb_replay_info(r)->bad_line, 1);
	CHECK(strstr(kb_replay_info(r)->bad, "NUL") != NULL);
	CHECK_INT(kb_replay_next(r, &b), 0);
	kb_replay_free(r);
	fclose(f);
	free(buf);
}

/* What the batch JSON writer prints reads back to the same line. */
static void test_roundtrip(void)
{
	struct kb_options o = { .json = true, .print_stacks = true };
	FILE *f = mem(rec, sizeof(rec) - 1);
	struct kb_replay *r = kb_replay_new(f);
	char path[] = "/tmp/kbt-replay-XXXXXX";
	int fd = mkstemp(path);
	struct kb_batch *bt = kb_batch_new(&o, fd);
	static struct kb_bind b, b2;
	char line[8192], again[8192];
	FILE *out;

	while (kb_replay_next(r, &b) > 0)
		kb_batch_add(bt, &b);
	CHECK_INT(kb_batch_flush(bt), 0);
	kb_batch_free(bt);
	out = fopen(path, "r");
	CHECK(out != NULL);
	CHECK(fgets(line, sizeof(line), out) != NULL);
	/* the second reading of what was written gives the same JSON again */
	{
		struct kb_replay *r2 = kb_replay_new(NULL);
		char err[160];
		int p[2];
		FILE *pf;
		struct kb_batch *bt2;

		CHECK_INT(kb_replay_line(r2, line, strlen(line) - 1, &b2, err, sizeof(err)), 1);
		CHECK(pipe(p) == 0);
		bt2 = kb_batch_new(&o, p[1]);
		kb_batch_add(bt2, &b2);
		CHECK_INT(kb_batch_flush(bt2), 0);
		close(p[1]);
		pf = fdopen(p[0], "r");
		CHECK(fgets(again, sizeof(again), pf) != NULL);
		fclose(pf);
		kb_batch_free(bt2);
		kb_replay_free(r2);
	}
	CHECK_STR(again, line);
	CHECK(strstr(line, "\"holder\":{\"pid\":77,\"comm\":\"apache2\",\"state\":\"LISTEN\"") != NULL);
	CHECK(strstr(line, "\"opts\":\"SO_REUSEADDR,IPV6_V6ONLY\"") != NULL);
	fclose(out);
	unlink(path);
	close(fd);
	kb_replay_free(r);
	fclose(f);
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long)st.st_size;
}

/* --write-max: never a byte past the bound; stop (and count) or rotate (and go on). */
static void test_record_bounds(void)
{
	char dir[] = "/tmp/kbt-rec-XXXXXX", path[64], old[80], err[256], status[128];
	FILE *f = mem(rec, sizeof(rec) - 1);
	struct kb_replay *r = kb_replay_new(f);
	struct kb_record_stats st;
	struct kb_record *w;
	static struct kb_bind b;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/r.jsonl", dir);
	snprintf(old, sizeof(old), "%s.1", path);
	CHECK_INT(kb_replay_next(r, &b), 1);

	CHECK_INT(kb_record_open(&w, path, 4000, false, "kprobe", err, sizeof(err)), 0);
	for (int i = 0; i < 10; i++)
		kb_record_add(w, &b);
	kb_record_flush(w);
	kb_record_stats(w, &st);
	CHECK(st.stopped);
	CHECK(st.calls >= 1 && st.calls < 10);
	CHECK_INT(st.calls + st.dropped, 10);
	CHECK(strstr(kb_record_status(w, status, sizeof(status)), "stopped") != NULL);
	kb_record_close(w);
	CHECK(file_size(path) > 0 && file_size(path) <= 4000);

	CHECK_INT(kb_record_open(&w, path, 4000, true, "kprobe", err, sizeof(err)), 0);
	for (int i = 0; i < 10; i++)
		kb_record_add(w, &b);
	kb_record_flush(w);
	kb_record_stats(w, &st);
	CHECK(!st.stopped);
	CHECK(st.rotations >= 2);
	CHECK_INT(st.dropped, 0);
	kb_record_close(w);
	CHECK(file_size(path) <= 4000 && file_size(old) <= 4000 && file_size(old) > 0);
	/* each file opens with its header and reads back */
	{
		FILE *g = fopen(old, "r");
		struct kb_replay *r2 = kb_replay_new(g);

		CHECK_INT(kb_replay_next(r2, &b), 1);
		CHECK(kb_replay_info(r2)->header);
		CHECK_INT(kb_replay_info(r2)->skipped, 0);
		kb_replay_free(r2);
		fclose(g);
	}
	/* never through a symbolic link */
	unlink(path);
	CHECK(symlink("/etc/passwd", path) == 0);
	CHECK_INT(kb_record_open(&w, path, 0, false, "kprobe", err, sizeof(err)), -ELOOP);
	unlink(path);
	unlink(old);
	rmdir(dir);
	kb_replay_free(r);
	fclose(f);
}

int main(void)
{
	kb_clock_init();
	test_good();
	test_bad();
	test_hostile();
	test_roundtrip();
	test_record_bounds();
	return check_done("test_replay");
}
