// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_options.c - command line parsing: values, ranges, conflicts.
 */
#include "config.h"

#include <stdlib.h>

#include "backend.h"
#include "check.h"
#include "options.h"

/* getopt wants writable argv strings, like a real main() gets */
static int parse(struct kb_options *o, char *err, const char *a1, const char *a2, const char *a3)
{
	char buf[4][64];
	char *argv[5] = { buf[0], NULL, NULL, NULL, NULL };
	const char *in[3] = { a1, a2, a3 };
	int argc = 1;

	snprintf(buf[0], sizeof(buf[0]), "kbindtop");
	for (int i = 0; i < 3 && in[i]; i++) {
		snprintf(buf[argc], sizeof(buf[argc]), "%s", in[i]);
		argv[argc] = buf[argc];
		argc++;
	}
	err[0] = '\0';
	return kb_options_parse(o, argc, argv, err, 256);
}

int main(void)
{
	struct kb_options o;
	char err[256];

	unsetenv("NO_COLOR");
	CHECK_INT(parse(&o, err, NULL, NULL, NULL), 0);
	CHECK_INT(o.mode, KB_MODE_TUI);
	CHECK(o.record_stacks);
	CHECK(o.color);
	CHECK_INT(o.buffer_kb, 2048);

	CHECK_INT(parse(&o, err, "-j", "--port=80,443", "-p1,22"), 0);
	CHECK_INT(o.mode, KB_MODE_BATCH);
	CHECK(o.json);
	CHECK_INT(o.nports, 2);
	CHECK_INT(o.ports[1], 443);
	CHECK_INT(o.npids, 2);
	CHECK_INT(o.pids[1], 22);

	/* ranges */
	CHECK_INT(parse(&o, err, "-b", "--port=70000", NULL), -1);
	CHECK(strstr(err, "70000") != NULL);
	CHECK_INT(parse(&o, err, "-b", "--port=-1", NULL), -1);
	CHECK_INT(parse(&o, err, "-b", "--port=80x", NULL), -1);
	CHECK_INT(parse(&o, err, "-b", "--port=", NULL), -1);
	CHECK_INT(parse(&o, err, "-b", "--port=80,,81", NULL), -1);
	CHECK_INT(parse(&o, err, "-b", "--pid=0", NULL), -1);
	CHECK_INT(parse(&o, err, "-b", "--pid=99999999", NULL), -1);
	CHECK_INT(parse(&o, err, "-d", "0.01", NULL), -1);
	CHECK_INT(parse(&o, err, "-d", "nan", NULL), -1);
	CHECK_INT(parse(&o, err, "-d", "0.5", NULL), 0);
	CHECK(o.delay == 0.5);
	CHECK_INT(parse(&o, err, "-b", "--buffer-kb=8", NULL), -1);
	CHECK_INT(parse(&o, err, "-b", "--duration=0", NULL), -1);
	CHECK_INT(parse(&o, err, "-b", "--comm=averyveryverylongname", NULL), -1);
	/* any name parses; the backend table says which exist (main refuses the others) */
	CHECK_INT(parse(&o, err, "--backend=kprobe", NULL, NULL), 0);
	CHECK_STR(o.backend, "kprobe");
	CHECK(!kb_backend_known("ebpf"));
	CHECK(kb_backend_known("auto") && kb_backend_known("kprobe") && kb_backend_known("syscalls"));
	CHECK_STR(kb_backend_names(err, 256), "auto, kprobe, syscalls");

	/* unknown options and stray arguments */
	CHECK_INT(parse(&o, err, "--bogus", NULL, NULL), -1);
	CHECK(strstr(err, "--bogus") != NULL);
	CHECK_INT(parse(&o, err, "-Q", NULL, NULL), -1);
	CHECK_INT(parse(&o, err, "stray", NULL, NULL), -1);
	CHECK_INT(parse(&o, err, "--port", NULL, NULL), -1);
	CHECK(strstr(err, "argument") != NULL);

	/* conflicts */
	CHECK_INT(parse(&o, err, "-b", "--stacks", "--no-stacks"), -1);
	CHECK_INT(parse(&o, err, "--check", "--cleanup", NULL), -1);
	CHECK_INT(parse(&o, err, "--check", "-b", NULL), -1);
	CHECK_INT(parse(&o, err, "--stacks", NULL, NULL), -1);
	/* help wins */
	CHECK_INT(parse(&o, err, "--check", "--help", NULL), 0);
	CHECK_INT(o.mode, KB_MODE_HELP);

	setenv("NO_COLOR", "1", 1);
	CHECK_INT(parse(&o, err, NULL, NULL, NULL), 0);
	CHECK(!o.color);
	return check_done("test_options");
}
