// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * options.c - command line parsing from one option table.
 *
 * The table below is the single source of truth: getopt_long's option
 * array, the short option string and --help are all generated from it, and
 * tests/docs-check.sh compares --help with man/kbindtop.8.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

struct kb_optdef {
	const char *name;	/* long name */
	int short_name;		/* 0 for long-only */
	const char *arg;	/* argument placeholder, NULL for flags */
	const char *help;
	int (*set)(struct kb_options *o, const char *arg, char *err, size_t errlen);
};

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

/* Strict integer parse: whole string, base 10, within [lo, hi]. */
static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (!s || !*s || *s == '+' || (*s == '-' && lo >= 0))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse_seconds(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/*
 * Split a comma list into items, calling fn for each; empty items and
 * overlong lists are errors.  Works on a copy, never on argv.
 */
static int for_each_item(const char *list, const char *opt, char *err, size_t errlen,
			 int (*fn)(struct kb_options *, const char *, char *, size_t),
			 struct kb_options *o)
{
	char buf[1024];
	char *p, *comma;

	if (strlen(list) >= sizeof(buf))
		return ERR("--%s: list too long", opt);
	strcpy(buf, list);
	for (p = buf;; p = comma + 1) {
		comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (!*p)
			return ERR("--%s: empty value in '%s'", opt, list);
		if (fn(o, p, err, errlen))
			return -1;
		if (!comma)
			return 0;
	}
}

static int add_pid(struct kb_options *o, const char *s, char *err, size_t errlen)
{
	long v;

	if (parse_long(s, 1, 4194304, &v))
		return ERR("--pid: '%s' is not a process id (1-4194304)", s);
	if (o->npids >= KB_MAX_LIST)
		return ERR("--pid: at most %d values", KB_MAX_LIST);
	o->pids[o->npids++] = (int)v;
	return 0;
}

static int add_port(struct kb_options *o, const char *s, char *err, size_t errlen)
{
	long v;

	if (parse_long(s, 0, 65535, &v))
		return ERR("--port: '%s' is not a port number (0-65535)", s);
	if (o->nports >= KB_MAX_LIST)
		return ERR("--port: at most %d values", KB_MAX_LIST);
	o->ports[o->nports++] = (int)v;
	return 0;
}

static int add_comm(struct kb_options *o, const char *s, char *err, size_t errlen)
{
	if (strlen(s) > 15)
		return ERR("--comm: '%.40s' is longer than 15 characters (the kernel's limit)", s);
	if (o->ncomms >= KB_MAX_LIST)
		return ERR("--comm: at most %d values", KB_MAX_LIST);
	strcpy(o->comms[o->ncomms++], s);
	return 0;
}

static int set_pid(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	return for_each_item(a, "pid", err, errlen, add_pid, o);
}

static int set_port(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	return for_each_item(a, "port", err, errlen, add_port, o);
}

static int set_comm(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	return for_each_item(a, "comm", err, errlen, add_comm, o);
}

static int set_batch(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	o->mode = KB_MODE_BATCH;
	return 0;
}

static int set_json(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	o->json = true;
	o->mode = KB_MODE_BATCH;
	return 0;
}

static int set_stacks(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	o->print_stacks = true;
	return 0;
}

static int set_no_stacks(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	o->record_stacks = false;
	return 0;
}

static int set_stack(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	if (!strcmp(a, "auto"))
		o->stack_mode = KB_STACK_AUTO;
	else if (!strcmp(a, "fp"))
		o->stack_mode = KB_STACK_FP;
	else if (!strcmp(a, "dwarf"))
		o->stack_mode = KB_STACK_DWARF;
	else
		return ERR("--stack: '%.40s' is not one of auto, fp, dwarf", a);
	return 0;
}

static int set_stack_depth(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	long v;

	/* the kernel refuses more than kernel.perf_event_max_stack (EOVERFLOW): checked at start */
	if (parse_long(a, 1, 65535, &v))
		return ERR("--stack-depth: '%.40s' is not a number of frames (1-65535)", a);
	o->stack_depth = (unsigned int)v;
	return 0;
}

static int set_stack_bytes(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	long v;

	/* the kernel wants a multiple of 8 below 64 KB (one record holds it all) */
	if (parse_long(a, 8, 65528, &v) || v % 8)
		return ERR("--stack-bytes: '%.40s' is not a multiple of 8 in 8-65528", a);
	o->stack_bytes = (unsigned int)v;
	return 0;
}

static int set_stack_copies(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	long v;

	if (parse_long(a, 0, 1000000, &v))
		return ERR("--stack-copies: '%.40s' is not a number per second (0-1000000)", a);
	o->stack_copies = (unsigned int)v;
	return 0;
}

static int set_backend(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	/* which names exist is the backend table's business (trace/backend.c): main asks it */
	if (strlen(a) >= sizeof(o->backend))
		return ERR("--backend: '%.40s' is not a backend name", a);
	strcpy(o->backend, a);
	return 0;
}

static int set_buffer_kb(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	long v;

	if (parse_long(a, 16, 1048576, &v))
		return ERR("--buffer-kb: '%.40s' is not a size in KB (16-1048576)", a);
	o->buffer_kb = (unsigned int)v;
	return 0;
}

static int set_max_memory(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	long v;

	if (parse_long(a, 4, 65536, &v))
		return ERR("--max-memory: '%.40s' is not a size in MB (4-65536)", a);
	o->max_memory_mb = (unsigned int)v;
	return 0;
}

static int set_duration(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	if (parse_seconds(a, 0.001, 31536000, &o->duration))
		return ERR("--duration: '%.40s' is not a number of seconds (0.001-31536000)", a);
	return 0;
}

static int set_delay(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	if (parse_seconds(a, 0.1, 3600, &o->delay))
		return ERR("--delay: '%.40s' is not a refresh interval in seconds (0.1-3600)", a);
	return 0;
}

static int set_failed(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	o->failed_only = true;
	return 0;
}

static int set_filter(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	if (strlen(a) >= sizeof(o->filter))
		return ERR("--filter: longer than %zu characters", sizeof(o->filter) - 1);
	strcpy(o->filter, a);
	return 0;
}

static int set_sort(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	/* the column name is checked against the column table by the view */
	if (strlen(a) >= sizeof(o->sort))
		return ERR("--sort: '%.40s' is not a column name", a);
	strcpy(o->sort, a);
	return 0;
}

static int set_no_color(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	o->color = false;
	return 0;
}

static int set_listeners(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	o->listeners = true;
	return 0;
}

static int set_count(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	long v;

	if (parse_long(a, 1, LONG_MAX, &v))
		return ERR("--count: '%.40s' is not a number of calls (1 or more)", a);
	o->count = (unsigned long)v;
	return 0;
}

static int set_write(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	if (!*a)
		return ERR("--write: empty file name");
	o->write_path = a;
	return 0;
}

static int set_write_max(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	long v;

	if (parse_long(a, 1, 1048576, &v))
		return ERR("--write-max: '%.40s' is not a size in MB (1-1048576)", a);
	o->write_max_mb = (unsigned long)v;
	return 0;
}

static int set_write_rotate(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	o->write_rotate = true;
	return 0;
}

static int set_read(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	if (!*a)
		return ERR("--read: empty file name");
	o->read_path = a;
	return 0;
}

static int set_no_mouse(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	o->no_mouse = true;
	return 0;
}

static int set_verbose(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	o->verbose = true;
	return 0;
}

static int set_metrics(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	if (!a[0] || strlen(a) >= sizeof(o->metrics))
		return ERR("--metrics: '%.60s' is not a file name", a);
	strcpy(o->metrics, a);
	return 0;
}

static int set_metrics_series(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	long v;

	if (parse_long(a, 16, 100000, &v))
		return ERR("--metrics-series: '%.40s' is not a number of series (16-100000)", a);
	o->metrics_series = (int)v;
	return 0;
}

static int set_quiet(struct kb_options *o, const char *a, char *err, size_t errlen)
{
	o->quiet = true;
	o->mode = KB_MODE_BATCH;
	return 0;
}

#define MODE_SETTER(fn, m) \
	static int fn(struct kb_options *o, const char *a, char *err, size_t errlen) \
	{ o->mode = (m); return 0; }
MODE_SETTER(set_check, KB_MODE_CHECK)
MODE_SETTER(set_cleanup, KB_MODE_CLEANUP)
MODE_SETTER(set_help, KB_MODE_HELP)
MODE_SETTER(set_version, KB_MODE_VERSION)
MODE_SETTER(set_list_fields, KB_MODE_LIST_FIELDS)
MODE_SETTER(set_list_keys, KB_MODE_LIST_KEYS)
MODE_SETTER(set_list_columns, KB_MODE_LIST_COLUMNS)

static const struct kb_optdef optdefs[] = {
	{ "batch",	'b', NULL,	"print one line per bind() call instead of the live table", set_batch },
	{ "json",	'j', NULL,	"print one JSON object per line (implies --batch)", set_json },
	{ "stacks",	0,   NULL,	"with --batch: print user and kernel stacks", set_stacks },
	{ "no-stacks",	0,   NULL,	"do not record stacks at all (lowest overhead)", set_no_stacks },
	{ "stack",	0,   "MODE",	"user stacks: fp, dwarf or auto (default auto: DWARF where frame "
					"pointers stop short)", set_stack },
	{ "stack-depth", 0,  "N",	"most user frames per stack (default kernel.perf_event_max_stack)",
	  set_stack_depth },
	{ "stack-bytes", 0,  "N",	"user stack bytes copied for DWARF unwinding (default 8192)",
	  set_stack_bytes },
	{ "stack-copies", 0, "N",	"stack copies kept per process per second, FP chains beyond "
					"(default 100)", set_stack_copies },
	{ "backend",	'B', "NAME",	"auto, kprobe or syscalls (default auto)", set_backend },
	{ "buffer-kb",	0,   "KB",	"per-CPU ring buffer size (default 2048)", set_buffer_kb },
	{ "max-memory",	0,   "MB",	"memory bound of the event path (default 64)", set_max_memory },
	{ "duration",	't', "SECONDS",	"stop after SECONDS", set_duration },
	{ "pid",	'p', "PID[,PID]",	"only these processes (thread group ids)", set_pid },
	{ "port",	'P', "PORT[,PORT]",	"only binds to these ports (0 = kernel-assigned)", set_port },
	{ "comm",	'c', "NAME[,NAME]",	"only these command names (exact)", set_comm },
	{ "failed",	'x', NULL,	"only failed binds", set_failed },
	{ "delay",	'd', "SECONDS",	"refresh interval of the live table and --metrics (default 1)", set_delay },
	{ "filter",	'F', "TEXT",	"initial filter of the live table (as typed after '\\')", set_filter },
	{ "sort",	's', "COLUMN",	"initial sort column of the live table", set_sort },
	{ "no-color",	0,   NULL,	"no colors (also when NO_COLOR is set)", set_no_color },
	{ "no-mouse",	0,   NULL,	"leave the mouse to the terminal (no click to select or sort)",
	  set_no_mouse },
	{ "metrics",	0,   "FILE",	"write Prometheus metrics to FILE every --delay (for node_exporter)", set_metrics },
	{ "metrics-series", 0, "N",	"at most N series of bind counters in --metrics (default 2000)", set_metrics_series },
	{ "quiet",	'q', NULL,	"print nothing, only record (with --metrics or --write); implies --batch", set_quiet },
	{ "verbose",	'v', NULL,	"explain tracing setup on stderr", set_verbose },
	{ "listeners",	0,   NULL,	"with --batch: first the sockets already bound (the live table always "
	  "lists them)", set_listeners },
	{ "count",	0,   "N",	"with --batch: exit (status 0) after N calls matching the filters",
	  set_count },
	{ "write",	'w', "FILE",	"also record the calls to FILE as JSON lines (with stacks), for --read",
	  set_write },
	{ "write-max",	0,   "MB",	"stop recording at MB megabytes (default 256)", set_write_max },
	{ "write-rotate", 0, NULL,	"at --write-max, move FILE to FILE.1 and start FILE again instead",
	  set_write_rotate },
	{ "read",	'r', "FILE",	"show a recording (--write, or --json --stacks output) instead of "
	  "tracing; no root needed", set_read },
	{ "check",	0,   NULL,	"report what this host supports and exit", set_check },
	{ "cleanup",	0,   NULL,	"remove tracing state left by killed runs and exit", set_cleanup },
	{ "help",	'h', NULL,	"show this help and exit", set_help },
	{ "version",	'V', NULL,	"show the version and exit", set_version },
	{ "list-fields", 0,  NULL,	NULL /* hidden */, set_list_fields },
	{ "list-keys",	0,   NULL,	NULL /* hidden */, set_list_keys },
	{ "list-columns", 0, NULL,	NULL /* hidden */, set_list_columns },
};

#define NOPTS (sizeof(optdefs) / sizeof(optdefs[0]))

static void defaults(struct kb_options *o)
{
	const char *nc = getenv("NO_COLOR");

	memset(o, 0, sizeof(*o));
	o->mode = KB_MODE_TUI;
	strcpy(o->backend, "auto");
	o->record_stacks = true;
	o->color = !(nc && *nc);
	o->buffer_kb = 2048;
	o->max_memory_mb = 64;
	o->delay = 1.0;
	o->stack_mode = KB_STACK_AUTO;
	o->stack_bytes = KB_STACK_BYTES_DEF;
	o->stack_copies = KB_STACK_COPIES_DEF;
	o->write_max_mb = 256;
	o->metrics_series = 2000;
}

static int check_conflicts(struct kb_options *o, bool stacks_seen, bool mode_seen[],
			   char *err, size_t errlen)
{
	int nmodes = 0;

	for (int m = KB_MODE_CHECK; m <= KB_MODE_LIST_KEYS; m++)
		nmodes += mode_seen[m];
	/* (--help and --version returned before this: they win over everything) */
	if (nmodes > 1 || (nmodes && mode_seen[KB_MODE_BATCH]))
		return ERR("conflicting options: choose one of --batch, --check, --cleanup, --help, --version");
	if (stacks_seen && !o->record_stacks)
		return ERR("conflicting options: --stacks and --no-stacks");
	if (o->read_path && (o->write_path || o->listeners || o->metrics[0]))
		return ERR("--read shows a recording: --write, --listeners and --metrics need a live host");
	if (o->count && o->mode != KB_MODE_BATCH)
		return ERR("--count goes with --batch (the live table runs until q)");
	if (o->print_stacks && o->mode != KB_MODE_BATCH)
		return ERR("--stacks goes with --batch (the live table always shows stacks)");
	if (o->quiet && (o->json || o->print_stacks))
		return ERR("conflicting options: --quiet prints nothing, not --json or --stacks");
	if (o->quiet && !o->metrics[0] && !o->write_path)
		return ERR("--quiet needs --metrics=FILE or --write=FILE: otherwise nothing would be recorded");
	return 0;
}

int kb_options_parse(struct kb_options *o, int argc, char **argv, char *err, size_t errlen)
{
	struct option longopts[NOPTS + 1];
	char shortopts[NOPTS * 2 + 2];
	bool mode_seen[KB_MODE_LIST_KEYS + 1] = { false };
	bool stacks_seen = false;
	size_t ns = 0;
	int c, idx;

	defaults(o);
	shortopts[ns++] = ':';	/* report missing arguments as ':' */
	for (size_t i = 0; i < NOPTS; i++) {
		longopts[i] = (struct option){ optdefs[i].name,
			optdefs[i].arg ? required_argument : no_argument, NULL,
			optdefs[i].short_name ? optdefs[i].short_name : 256 + (int)i };
		if (optdefs[i].short_name) {
			shortopts[ns++] = (char)optdefs[i].short_name;
			if (optdefs[i].arg)
				shortopts[ns++] = ':';
		}
	}
	longopts[NOPTS] = (struct option){ 0 };
	shortopts[ns] = '\0';

	optind = 0;	/* 0, not 1: glibc then fully reinitialises (tests parse twice) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, &idx)) != -1) {
		const struct kb_optdef *d = NULL;

		if (c == '?') {
			if (optopt)
				return ERR("unknown option '-%c' (see --help)", optopt);
			return ERR("unknown option '%.60s' (see --help)", argv[optind - 1]);
		}
		if (c == ':')
			return ERR("option '%.60s' needs an argument (see --help)", argv[optind - 1]);
		for (size_t i = 0; i < NOPTS && !d; i++)
			if (c == (optdefs[i].short_name ? optdefs[i].short_name : 256 + (int)i))
				d = &optdefs[i];
		if (!d)
			return ERR("unknown option (see --help)");
		if (d->set(o, optarg, err, errlen))
			return -1;
		if (d->set == set_stacks)
			stacks_seen = true;
		if (o->mode != KB_MODE_TUI)
			mode_seen[o->mode] = true;
	}
	if (optind < argc)
		return ERR("unexpected argument '%.60s' (see --help)", argv[optind]);
	/* --help and --version win over everything else, like GNU tools */
	if (mode_seen[KB_MODE_HELP] || mode_seen[KB_MODE_VERSION]) {
		o->mode = mode_seen[KB_MODE_HELP] ? KB_MODE_HELP : KB_MODE_VERSION;
		return 0;
	}
	return check_conflicts(o, stacks_seen, mode_seen, err, errlen);
}

void kb_options_usage(FILE *f)
{
	fprintf(f,
		"Usage: kbindtop [OPTION]...\n"
		"Show every bind() call on this host, live: who, what address and port,\n"
		"whether it worked, and the call stack.  Needs root (or CAP_SYS_ADMIN).\n"
		"\n"
		"Options:\n");
	for (size_t i = 0; i < NOPTS; i++) {
		const struct kb_optdef *d = &optdefs[i];
		char left[64];

		if (!d->help)
			continue;
		snprintf(left, sizeof(left), "%c%c%c --%s%s%s",
			 d->short_name ? '-' : ' ', d->short_name ? d->short_name : ' ',
			 d->short_name ? ',' : ' ', d->name, d->arg ? "=" : "", d->arg ? d->arg : "");
		fprintf(f, "  %-28s %s\n", left, d->help);
	}
	fprintf(f,
		"\n"
		"Batch columns: TIME (local), PID, TID, COMM, FAM (inet, inet6, unix),\n"
		"PROTO (tcp, udp, ...; '-' if the socket was already gone), ADDR, PORT\n"
		"('~' marks a port read after the fact, not verified), RESULT (OK or the\n"
		"errno name).\n"
		"\n"
		"Examples:\n"
		"  kbindtop                         live table of every process calling bind()\n"
		"  kbindtop -P 8080                 who keeps grabbing port 8080?\n"
		"  kbindtop -b -x                   print failed binds as they happen\n"
		"  kbindtop -j --stacks -t 10       ten seconds of JSON with call stacks\n"
		"  kbindtop --check                 what this kernel supports\n"
		"  kbindtop -q --metrics=/var/lib/prometheus/node-exporter/kbindtop.prom\n"
		"                                   bind counters for node_exporter, nothing printed\n"
		"\n"
		"Exit status: 0 on success, 1 when tracing cannot be set up, 2 on bad usage.\n"
		"See kbindtop(8).\n");
}

const char *kb_stack_mode_name(enum kb_stack_mode m)
{
	switch (m) {
	case KB_STACK_FP:
		return "fp";
	case KB_STACK_DWARF:
		return "dwarf";
	default:
		return "auto";
	}
}

