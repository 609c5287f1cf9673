// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rawfloor.c - the floor consumer of the kbindtop benchmarks.
 *
 * The least work a user-space tracer of bind() can do with the ftrace
 * ring buffer: private instance, events enabled, then poll() over every
 * CPU's trace_pipe_raw (buffer_percent 0) and non-blocking whole-page
 * reads, every record walked with kbuffer and counted by type.  No
 * decoding beyond the event type, no pairing, no output per event.  What
 * kbindtop costs above this is kbindtop's own.
 *
 * Variants (to match each kbindtop configuration):
 *   --stacks        stacktrace + userstacktrace options on the instance
 *   --uprobe        a uprobe on libc bind() instead of sys_enter_bind
 *   --uprobe-too    the uprobe as well as both tracepoints (kbindtop's
 *                   syscalls backend takes the address from the uprobe)
 *   --split-ustack  sys_enter_bind alone in a second instance with
 *                   userstacktrace (kbindtop's stack layout)
 *   --no-read       record into the instance, never read (pure cost of
 *                   the events themselves)
 *
 * Kernel state is all named after our pid: instances "kbtbench.<pid>"
 * (and "kbtbench.<pid>.u"), uprobe group "kbtbench_<pid>".  It is removed
 * at exit, on SIGINT/SIGTERM/SIGHUP, and by --cleanup for dead owners.
 * The top-level buffer and other instances are never touched.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <kbuffer.h>
#include <tracefs.h>

#define PREFIX		"kbtbench"
#define MAX_CPUS	256
#define UPROBE_EVENT	"libc_bind"

enum ev_kind { EV_ENTER, EV_EXIT, EV_UPROBE, EV_KSTACK, EV_USTACK, EV_OTHER, EV_NKINDS };
static const char *const kind_name[EV_NKINDS] = {
	"enter", "exit", "uprobe", "kstack", "ustack", "other",
};

struct inst {
	struct tracefs_instance *in;
	char name[64];
	int fd[MAX_CPUS];
};

static struct {
	double duration;
	int buffer_kb;
	int nap_ms;		/* sleep after each drained round: batches wakeups */
	bool stacks, uprobe, uprobe_too, split_ustack, no_read, verbose;
} opt;

static struct inst insts[2];
static int ninst;
static int ncpu;
static char uprobe_group[32];
static bool uprobe_made;
static int stop_pipe[2] = { -1, -1 };
static int type_id[EV_NKINDS] = { -1, -1, -1, -1, -1, -1 };
static uint64_t count[EV_NKINDS];
static uint64_t missed, missed_unknown, pages, wakeups;

static void on_signal(int sig)
{
	char c = (char)sig;

	/* only a byte to the self-pipe: teardown happens in main() */
	if (write(stop_pipe[1], &c, 1) < 0) {
		/* pipe full: a stop is already pending */
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int inst_write(struct inst *i, const char *file, const char *val)
{
	if (tracefs_instance_file_write(i->in, file, val) < 0) {
		fprintf(stderr, "rawfloor: cannot write '%s' to %s/%s: %s\n", val, i->name, file,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Event type id from the "ID:" line of the format (ftrace's own events have no id file). */
static int read_id(const char *system, const char *event)
{
	char path[PATH_MAX], buf[256];
	int fd, n;
	char *p;

	snprintf(path, sizeof(path), "%s/events/%s/%s/format", tracefs_tracing_dir(), system, event);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "\nID:");
	return p ? atoi(p + 4) : -1;
}

static struct inst *inst_create(const char *suffix, bool ustack)
{
	struct inst *i = &insts[ninst];

	snprintf(i->name, sizeof(i->name), PREFIX ".%d%s", (int)getpid(), suffix);
	for (int c = 0; c < MAX_CPUS; c++)
		i->fd[c] = -1;
	i->in = tracefs_instance_create(i->name);
	if (!i->in) {
		fprintf(stderr, "rawfloor: cannot create instance %s: %s\n", i->name, strerror(errno));
		return NULL;
	}
	ninst++;
	/* a new instance records at once: off first, configure, start later */
	if (inst_write(i, "tracing_on", "0") || inst_write(i, "buffer_percent", "0"))
		return NULL;
	if (opt.buffer_kb > 0) {
		char v[16];

		snprintf(v, sizeof(v), "%d", opt.buffer_kb);
		if (inst_write(i, "buffer_size_kb", v))
			return NULL;
	}
	if ((opt.stacks && tracefs_option_enable(i->in, TRACEFS_OPTION_STACKTRACE)) ||
	    ((opt.stacks || ustack) && tracefs_option_enable(i->in, TRACEFS_OPTION_USERSTACKTRACE))) {
		fprintf(stderr, "rawfloor: cannot set stack options on %s: %s\n", i->name,
			strerror(errno));
		return NULL;
	}
	return i;
}

static int enable(struct inst *i, const char *system, const char *event)
{
	if (tracefs_event_file_write(i->in, system, event, "enable", "1") < 0) {
		fprintf(stderr, "rawfloor: cannot enable %s/%s in %s: %s\n", system, event, i->name,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* File offset of libc's bind(), from the mapping that holds it. */
static int libc_bind_location(char *path, size_t len, unsigned long *off)
{
	unsigned long addr = (unsigned long)dlsym(RTLD_DEFAULT, "bind");
	char line[PATH_MAX + 128];
	FILE *f;
	int ret = -1;

	if (!addr)
		return -1;
	f = fopen("/proc/self/maps", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi, pgoff;
		char perms[8], file[PATH_MAX];

		file[0] = '\0';
		if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %4095s", &lo, &hi, perms, &pgoff, file) < 4)
			continue;
		if (addr >= lo && addr < hi && file[0] == '/') {
			*off = addr - lo + pgoff;
			snprintf(path, len, "%s", file);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

static int uprobe_create(void)
{
	char path[PATH_MAX], def[PATH_MAX + 256];
	unsigned long off;

	if (libc_bind_location(path, sizeof(path), &off)) {
		fprintf(stderr, "rawfloor: cannot find libc's bind() in /proc/self/maps\n");
		return -1;
	}
	snprintf(uprobe_group, sizeof(uprobe_group), PREFIX "_%d", (int)getpid());
	/* the address fields kbindtop needs: fd, family, port, IPv4 address */
	snprintf(def, sizeof(def),
		 "p:%s/" UPROBE_EVENT " %s:0x%lx fd=%%di:s32 fam=+0(%%si):u16 port=+2(%%si):u16 "
		 "addr=+4(%%si):u32", uprobe_group, path, off);
	if (tracefs_instance_file_append(NULL, "uprobe_events", def) < 0) {
		fprintf(stderr, "rawfloor: cannot create uprobe '%s': %s\n", def, strerror(errno));
		return -1;
	}
	uprobe_made = true;
	if (opt.verbose)
		fprintf(stderr, "rawfloor: uprobe %s\n", def);
	return 0;
}

static void teardown(void)
{
	for (int k = ninst - 1; k >= 0; k--) {
		struct inst *i = &insts[k];

		tracefs_instance_file_write(i->in, "tracing_on", "0");
		tracefs_instance_file_clear(i->in, "set_event");
		for (int c = 0; c < MAX_CPUS; c++)
			if (i->fd[c] >= 0)
				close(i->fd[c]);
		/* rmdir fails with EBUSY while a trace_pipe_raw is open: all closed above */
		if (tracefs_instance_destroy(i->in))
			fprintf(stderr, "rawfloor: cannot remove instance %s: %s\n", i->name,
				strerror(errno));
		tracefs_instance_free(i->in);
	}
	ninst = 0;
	if (uprobe_made) {
		char def[96];

		snprintf(def, sizeof(def), "-:%s/" UPROBE_EVENT, uprobe_group);
		if (tracefs_instance_file_append(NULL, "uprobe_events", def) < 0)
			fprintf(stderr, "rawfloor: cannot remove uprobe %s: %s\n", def, strerror(errno));
		uprobe_made = false;
	}
}

/* Walk every record of one sub-buffer. */
static void walk_page(struct kbuffer *kb, void *page)
{
	unsigned long long ts;
	void *rec;
	int m;

	if (kbuffer_load_subbuffer(kb, page) < 0)
		return;
	m = kbuffer_missed_events(kb);
	if (m > 0)
		missed += (uint64_t)m;
	else if (m < 0)
		missed_unknown++;
	for (rec = kbuffer_read_event(kb, &ts); rec; rec = kbuffer_next_event(kb, &ts)) {
		uint16_t type = *(uint16_t *)rec;	/* common_type */
		int k;

		for (k = 0; k < EV_OTHER; k++)
			if (type == type_id[k])
				break;
		count[k]++;
	}
}

/* Read one CPU until it is empty, whole sub-buffers at a time. */
static void drain(int fd, struct kbuffer *kb, void *page, int page_size)
{
	for (;;) {
		ssize_t n = read(fd, page, (size_t)page_size);

		if (n <= 0)
			break;
		pages++;
		walk_page(kb, page);
	}
}

/* Sub-buffer size and commit field width from events/header_page. */
static int header_page(int *page_size, enum kbuffer_long_size *lsize)
{
	char *txt = tracefs_instance_file_read(NULL, "events/header_page", NULL);
	char *p;
	int off, size;

	*page_size = getpagesize();
	*lsize = sizeof(long) == 8 ? KBUFFER_LSIZE_8 : KBUFFER_LSIZE_4;
	if (!txt)
		return -1;
	p = strstr(txt, "local_t commit;");
	if (p && sscanf(strstr(p, "size:") ? strstr(p, "size:") : "", "size:%d", &size) == 1)
		*lsize = size == 8 ? KBUFFER_LSIZE_8 : KBUFFER_LSIZE_4;
	p = strstr(txt, "char data;");
	if (p && sscanf(strstr(p, "offset:") ? strstr(p, "offset:") : "", "offset:%d;\tsize:%d",
			&off, &size) == 2)
		*page_size = off + size;
	free(txt);
	return 0;
}

static int open_cpus(struct inst *i)
{
	for (int c = 0; c < ncpu; c++) {
		char file[64];

		snprintf(file, sizeof(file), "per_cpu/cpu%d/trace_pipe_raw", c);
		i->fd[c] = tracefs_instance_file_open(i->in, file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (i->fd[c] < 0 && errno != ENOENT) {
			fprintf(stderr, "rawfloor: cannot open %s/%s: %s\n", i->name, file, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Sum a counter ("overrun:", "entries:") over every CPU of every instance. */
static uint64_t stats_sum(const char *key)
{
	uint64_t total = 0;

	for (int k = 0; k < ninst; k++) {
		for (int c = 0; c < ncpu; c++) {
			char file[64], *txt, *p;

			snprintf(file, sizeof(file), "per_cpu/cpu%d/stats", c);
			txt = tracefs_instance_file_read(insts[k].in, file, NULL);
			if (!txt)
				continue;
			p = strstr(txt, key);
			if (p)
				total += strtoull(p + strlen(key), NULL, 10);
			free(txt);
		}
	}
	return total;
}

static bool owner_alive(const char *name, size_t skip)
{
	long pid = strtol(name + skip, NULL, 10);

	if (pid <= 0)
		return true;	/* not ours to judge */
	return !(kill((pid_t)pid, 0) && errno == ESRCH);
}

/*
 * Remove instances "kbtbench.<pid>*" and uprobes "kbtbench_<pid>/..." whose
 * owner is dead (rawfloor or run.sh killed by SIGKILL).
 */
static int cleanup_dead(void)
{
	char **names = tracefs_instances("^" PREFIX "\\.");
	char *txt, *line, *save = NULL;
	int removed = 0;

	for (int k = 0; names && names[k]; k++) {
		struct tracefs_instance *in;

		if (owner_alive(names[k], strlen(PREFIX) + 1))
			continue;
		in = tracefs_instance_alloc(NULL, names[k]);
		if (!in)
			continue;
		tracefs_instance_file_write(in, "tracing_on", "0");
		tracefs_instance_file_clear(in, "set_event");
		if (!tracefs_instance_destroy(in)) {
			printf("rawfloor: removed instance %s\n", names[k]);
			removed++;
		}
		tracefs_instance_free(in);
	}
	tracefs_list_free(names);

	txt = tracefs_instance_file_read(NULL, "uprobe_events", NULL);
	for (line = txt ? strtok_r(txt, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char grp[64], ev[64], def[160];

		/* "p:kbtbench_123/libc_bind /path:0x..." */
		if (sscanf(line, "%*c:%63[^/]/%63s", grp, ev) != 2 || strncmp(grp, PREFIX "_", strlen(PREFIX) + 1))
			continue;
		if (owner_alive(grp, strlen(PREFIX) + 1))
			continue;
		snprintf(def, sizeof(def), "-:%s/%s", grp, ev);
		if (tracefs_instance_file_append(NULL, "uprobe_events", def) >= 0) {
			printf("rawfloor: removed uprobe %s/%s\n", grp, ev);
			removed++;
		}
	}
	free(txt);
	return removed;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: rawfloor [OPTION]...\n"
		"Count bind() trace events the cheapest way: private instance, poll() and\n"
		"whole-page reads of trace_pipe_raw, every record walked with kbuffer.\n"
		"Runs until SIGINT/SIGTERM or the duration; prints counts on stdout.\n\n"
		"  -t, --duration=SEC   stop after SEC seconds\n"
		"  -b, --buffer-kb=KB   per-CPU buffer size (default: the kernel's)\n"
		"  -i, --nap=MS         sleep MS ms after each drained round (default 0: poll\n"
		"                       again at once, one wakeup per event at low rates)\n"
		"  -s, --stacks         stacktrace and userstacktrace options\n"
		"  -u, --uprobe         uprobe on libc bind() instead of sys_enter_bind\n"
		"  -U, --uprobe-too     uprobe on libc bind() as well as both tracepoints\n"
		"  -S, --split-ustack   sys_enter_bind in a second instance, with user stacks\n"
		"  -n, --no-read        record the events but never read them\n"
		"      --cleanup        remove instances/uprobes of dead rawfloor runs and exit\n"
		"  -v, --verbose\n"
		"  -h, --help\n\n"
		"Output: events=N enter=N exit=N uprobe=N kstack=N ustack=N other=N lost=N ...\n");
}

static int parse_args(int argc, char **argv, bool *cleanup)
{
	static const struct option opts[] = {
		{ "duration", required_argument, NULL, 't' },
		{ "buffer-kb", required_argument, NULL, 'b' },
		{ "nap", required_argument, NULL, 'i' },
		{ "stacks", no_argument, NULL, 's' },
		{ "uprobe", no_argument, NULL, 'u' },
		{ "uprobe-too", no_argument, NULL, 'U' },
		{ "split-ustack", no_argument, NULL, 'S' },
		{ "no-read", no_argument, NULL, 'n' },
		{ "cleanup", no_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "t:b:i:suUSnvh", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			opt.duration = strtod(optarg, &end);
			if (*end || !(opt.duration > 0))
				goto bad;
			break;
		case 'b':
			opt.buffer_kb = (int)strtol(optarg, &end, 10);
			if (*end || opt.buffer_kb < 4)
				goto bad;
			break;
		case 'i':
			opt.nap_ms = (int)strtol(optarg, &end, 10);
			if (*end || opt.nap_ms < 0 || opt.nap_ms > 10000)
				goto bad;
			break;
		case 's':
			opt.stacks = true;
			break;
		case 'u':
			opt.uprobe = true;
			break;
		case 'U':
			opt.uprobe_too = true;
			break;
		case 'S':
			opt.split_ustack = true;
			break;
		case 'n':
			opt.no_read = true;
			break;
		case 'C':
			*cleanup = true;
			break;
		case 'v':
			opt.verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "rawfloor: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (opt.uprobe && (opt.uprobe_too || opt.split_ustack)) {
		fprintf(stderr, "rawfloor: --uprobe replaces sys_enter_bind: not with -U or -S\n");
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "rawfloor: bad value for -%c: '%s'\n", c, optarg);
	return -1;
}

int main(int argc, char **argv)
{
	struct pollfd pfd[2 * MAX_CPUS + 1];
	enum kbuffer_long_size lsize;
	struct kbuffer *kb = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	struct inst *main_inst, *enter_inst;
	bool cleanup = false;
	double t0, t_end = 0;
	uint64_t events = 0, overrun, dropped, entries;
	int page_size, npfd = 0, ret = 1;
	void *page = NULL;

	if (parse_args(argc, argv, &cleanup))
		return 2;
	if (!tracefs_tracing_dir()) {
		fprintf(stderr, "rawfloor: tracefs not found (mount it at /sys/kernel/tracing)\n");
		return 1;
	}
	if (cleanup) {
		int n = cleanup_dead();

		printf("rawfloor: %d leftover%s removed\n", n, n == 1 ? "" : "s");
		return 0;
	}
	ncpu = (int)sysconf(_SC_NPROCESSORS_CONF);
	if (ncpu > MAX_CPUS)
		ncpu = MAX_CPUS;
	if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK)) {
		perror("rawfloor: pipe");
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	header_page(&page_size, &lsize);
	page = malloc((size_t)page_size);
	kb = kbuffer_alloc(lsize, KBUFFER_ENDIAN_LITTLE);
	if (!page || !kb) {
		fprintf(stderr, "rawfloor: out of memory\n");
		goto out;
	}

	main_inst = inst_create("", false);
	if (!main_inst)
		goto out;
	enter_inst = main_inst;
	if (opt.split_ustack) {
		enter_inst = inst_create(".u", true);
		if (!enter_inst)
			goto out;
	}
	if ((opt.uprobe || opt.uprobe_too) && uprobe_create())
		goto out;
	type_id[EV_ENTER] = read_id("syscalls", "sys_enter_bind");
	type_id[EV_EXIT] = read_id("syscalls", "sys_exit_bind");
	type_id[EV_KSTACK] = read_id("ftrace", "kernel_stack");
	type_id[EV_USTACK] = read_id("ftrace", "user_stack");
	if (uprobe_made)
		type_id[EV_UPROBE] = read_id(uprobe_group, UPROBE_EVENT);
	if ((!opt.uprobe && enable(enter_inst, "syscalls", "sys_enter_bind")) ||
	    enable(main_inst, "syscalls", "sys_exit_bind") ||
	    (uprobe_made && enable(main_inst, uprobe_group, UPROBE_EVENT)))
		goto out;
	if (!opt.no_read) {
		for (int k = 0; k < ninst; k++) {
			if (open_cpus(&insts[k]))
				goto out;
			for (int c = 0; c < ncpu; c++) {
				if (insts[k].fd[c] < 0)
					continue;
				pfd[npfd].fd = insts[k].fd[c];
				pfd[npfd].events = POLLIN;
				npfd++;
			}
		}
	}
	pfd[npfd].fd = stop_pipe[0];
	pfd[npfd].events = POLLIN;

	for (int k = 0; k < ninst; k++)
		if (inst_write(&insts[k], "tracing_on", "1"))
			goto out;
	t0 = now_s();
	if (opt.duration > 0)
		t_end = t0 + opt.duration;
	fprintf(stderr, "rawfloor: ready (pid %d, %d instance%s)\n", (int)getpid(), ninst,
		ninst == 1 ? "" : "s");

	for (;;) {
		int timeout = -1;

		if (t_end) {
			double left = t_end - now_s();

			if (left <= 0)
				break;
			timeout = (int)(left * 1000) + 1;
		}
		if (poll(pfd, (nfds_t)npfd + 1, timeout) < 0 && errno != EINTR)
			break;
		if (pfd[npfd].revents & POLLIN)
			break;
		wakeups++;
		for (int p = 0; p < npfd; p++)
			if (pfd[p].revents & POLLIN)
				drain(pfd[p].fd, kb, page, page_size);
		/*
		 * A reader blocked in poll() costs every event a wakeup (irq_work
		 * plus an IPI to this CPU); one that naps finds data waiting
		 * and is never woken while the storm lasts.
		 */
		if (opt.nap_ms) {
			struct timespec ts = { .tv_sec = opt.nap_ms / 1000,
					       .tv_nsec = (long)(opt.nap_ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
		}
	}
	/* stop recording, then take what is left */
	for (int k = 0; k < ninst; k++)
		tracefs_instance_file_write(insts[k].in, "tracing_on", "0");
	for (int p = 0; p < npfd; p++)
		drain(pfd[p].fd, kb, page, page_size);

	overrun = stats_sum("overrun:");
	dropped = stats_sum("dropped events:");
	entries = stats_sum("entries:");
	for (int k = 0; k < EV_NKINDS; k++)
		events += count[k];
	if (opt.no_read)
		events = entries + overrun;	/* recorded, whether kept or overwritten */
	printf("events=%llu", (unsigned long long)events);
	for (int k = 0; k < EV_NKINDS; k++)
		printf(" %s=%llu", kind_name[k], (unsigned long long)count[k]);
	printf(" lost=%llu lost_unknown_pages=%llu overrun=%llu dropped=%llu pages=%llu wakeups=%llu "
	       "elapsed_s=%.3f mode=%s\n",
	       (unsigned long long)(opt.no_read ? 0 : missed + dropped),
	       (unsigned long long)missed_unknown, (unsigned long long)overrun,
	       (unsigned long long)dropped, (unsigned long long)pages, (unsigned long long)wakeups,
	       now_s() - t0, opt.no_read ? "no-read" : "read");
	fflush(stdout);
	ret = 0;
out:
	teardown();
	kbuffer_free(kb);
	free(page);
	return ret;
}
