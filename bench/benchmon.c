// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * benchmon.c - measurement helper for bench/run.sh.
 *
 * The shell cannot read another process's CPU time finer than a clock
 * tick (10 ms in /proc/PID/stat), nor time a program's startup to the
 * millisecond.  This does both:
 *
 *   benchmon sample PID        cpu_ns, VmHWM and VmRSS of PID and its
 *                              live descendants (trace-cmd forks one
 *                              recorder per CPU; perf may too)
 *   benchmon settle PID        wait until PID's tree stops using CPU
 *                              (the tracer caught up), print cpu_ns
 *   benchmon lifetime -r TEXT [-w MS] [-n N] -- CMD...
 *                              run CMD N times: exec to the first stderr
 *                              line containing TEXT (startup), wait MS,
 *                              SIGINT to exit (teardown); medians
 *
 * CPU time comes from clock_getcpuclockid(): the scheduler's
 * nanosecond sum over all threads of a process, living and exited; it
 * is the same quantity /proc/PID/stat rounds into utime+stime ticks.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_TREE 512

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int ppid_of(int pid)
{
	char path[64], buf[512], *p;
	int fd, n, ppid = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: parse after the last ')' */
	p = strrchr(buf, ')');
	if (p && sscanf(p + 1, " %*c %d", &ppid) != 1)
		ppid = -1;
	return ppid;
}

/* pid and every live descendant, breadth first. */
static int tree(int root, int *out, int max)
{
	int n = 0, parent[4096], pids[4096], np = 0;
	struct dirent *de;
	DIR *d;

	out[n++] = root;
	d = opendir("/proc");
	if (!d)
		return n;
	while ((de = readdir(d)) && np < 4096) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pids[np] = atoi(de->d_name);
		parent[np] = ppid_of(pids[np]);
		np++;
	}
	closedir(d);
	for (int i = 0; i < n && n < max; i++)
		for (int j = 0; j < np && n < max; j++)
			if (parent[j] == out[i] && pids[j] != root)
				out[n++] = pids[j];
	return n;
}

static uint64_t cpu_ns_of(int pid)
{
	struct timespec ts;
	clockid_t cid;

	if (clock_getcpuclockid(pid, &cid) || clock_gettime(cid, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static long status_kb(int pid, const char *key)
{
	char path[64], line[256];
	size_t kl = strlen(key);
	long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':')
			v = strtol(line + kl + 1, NULL, 10);
	fclose(f);
	return v;
}

static uint64_t tree_cpu(int root, int *nproc)
{
	int pids[MAX_TREE], n = tree(root, pids, MAX_TREE);
	uint64_t sum = 0;

	for (int i = 0; i < n; i++)
		sum += cpu_ns_of(pids[i]);
	if (nproc)
		*nproc = n;
	return sum;
}

static int cmd_sample(int pid)
{
	int pids[MAX_TREE], n = tree(pid, pids, MAX_TREE);
	uint64_t cpu = 0;
	long hwm = 0, rss = 0;

	if (kill(pid, 0)) {
		fprintf(stderr, "benchmon: no process %d\n", pid);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		cpu += cpu_ns_of(pids[i]);
		hwm += status_kb(pids[i], "VmHWM");
		rss += status_kb(pids[i], "VmRSS");
	}
	printf("cpu_ns=%llu hwm_kb=%ld rss_kb=%ld nproc=%d\n", (unsigned long long)cpu, hwm, rss, n);
	return 0;
}

/*
 * Caught up: the tree used less than 1 ms of CPU in each of the last two
 * 100 ms windows (an idle poll loop uses microseconds), or max_ms passed.
 */
static int cmd_settle(int pid, int max_ms)
{
	uint64_t t0 = now_ns(), prev = tree_cpu(pid, NULL), cur;
	int quiet = 0;

	for (;;) {
		sleep_ms(100);
		cur = tree_cpu(pid, NULL);
		quiet = cur - prev < 1000000 ? quiet + 1 : 0;
		prev = cur;
		if (quiet >= 2 || (now_ns() - t0) / 1000000 >= (uint64_t)max_ms)
			break;
	}
	printf("cpu_ns=%llu settle_ms=%.0f\n", (unsigned long long)cur,
	       (double)(now_ns() - t0) / 1e6);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One run: returns 0 and the two times, or -1. */
static int lifetime_once(char **cmd, const char *ready, int wait_ms, bool verbose,
			 double *startup_ms, double *teardown_ms)
{
	char buf[8192];
	size_t len = 0;
	bool seen = false;
	uint64_t t0, t_ready = 0, t_int = 0;
	int p[2], status;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	t0 = now_ns();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		int timeout = 20000;
		ssize_t n;

		if (seen && !t_int) {
			int64_t left = (int64_t)(t_ready + (uint64_t)wait_ms * 1000000ULL - now_ns());

			timeout = left > 0 ? (int)(left / 1000000) + 1 : 0;
			if (timeout == 0) {
				t_int = now_ns();
				kill(pid, SIGINT);
				continue;
			}
		}
		if (poll(&pfd, 1, timeout) == 0) {
			if (!seen) {
				fprintf(stderr, "benchmon: no '%s' within 20 s\n", ready);
				kill(pid, SIGINT);
				break;
			}
			continue;
		}
		n = read(p[0], buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		if (verbose && write(STDERR_FILENO, buf + len, (size_t)n) < 0) {
			/* best effort */
		}
		len += (size_t)n;
		buf[len] = '\0';
		if (!seen && strstr(buf, ready)) {
			t_ready = now_ns();
			seen = true;
		}
		if (len > sizeof(buf) / 2) {	/* keep the tail for a line split across reads */
			memmove(buf, buf + len - 256, 256);
			len = 256;
		}
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!seen || !t_int)
		return -1;
	*startup_ms = (double)(t_ready - t0) / 1e6;
	*teardown_ms = (double)(now_ns() - t_int) / 1e6;
	return 0;
}

static int cmd_lifetime(int argc, char **argv)
{
	const char *ready = "ready";
	int wait_ms = 500, runs = 5, opt, ok = 0;
	bool verbose = false;
	double su[64], td[64];

	while ((opt = getopt(argc, argv, "+r:w:n:v")) != -1) {
		switch (opt) {
		case 'r':
			ready = optarg;
			break;
		case 'w':
			wait_ms = atoi(optarg);
			break;
		case 'n':
			runs = atoi(optarg);
			if (runs < 1 || runs > 64)
				runs = 5;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "benchmon lifetime: no command\n");
		return 2;
	}
	for (int i = 0; i < runs; i++) {
		if (lifetime_once(argv + optind, ready, wait_ms, verbose, &su[ok], &td[ok]) == 0)
			ok++;
		sleep_ms(100);
	}
	if (!ok) {
		printf("runs=0\n");
		return 1;
	}
	printf("runs=%d startup_ms=", ok);
	for (int i = 0; i < ok; i++)
		printf("%s%.1f", i ? "," : "", su[i]);
	printf(" teardown_ms=");
	for (int i = 0; i < ok; i++)
		printf("%s%.1f", i ? "," : "", td[i]);
	qsort(su, (size_t)ok, sizeof(double), cmp_double);
	qsort(td, (size_t)ok, sizeof(double), cmp_double);
	printf(" startup_med=%.1f startup_min=%.1f startup_max=%.1f teardown_med=%.1f "
	       "teardown_min=%.1f teardown_max=%.1f\n", su[ok / 2], su[0], su[ok - 1], td[ok / 2],
	       td[0], td[ok - 1]);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: benchmon sample PID\n"
		"       benchmon settle PID [MAX_MS]\n"
		"       benchmon lifetime [-r TEXT] [-w MS] [-n RUNS] [-v] -- CMD [ARG]...\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "sample") && argc == 3)
		return cmd_sample(atoi(argv[2]));
	if (!strcmp(argv[1], "settle") && (argc == 3 || argc == 4))
		return cmd_settle(atoi(argv[2]), argc == 4 ? atoi(argv[3]) : 5000);
	if (!strcmp(argv[1], "lifetime"))
		return cmd_lifetime(argc - 1, argv + 1);
	usage(stderr);
	return 2;
}
