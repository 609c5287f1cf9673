// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bindstorm.c - bind() storm generator for the kbindtop benchmarks.
 *
 * Each bind is socket() + bind() + close(), the workload of issue 6:
 * families and protocols rotate over the chosen mix, every 10th bind
 * targets an address this process already holds (EADDRINUSE), every 7th
 * asks for port 0.  Other binds use a per-worker port range below the
 * ephemeral range, so workers never collide with each other or with
 * kernel-assigned ports.
 *
 * Workers are threads, processes, or "fork" workers that fork a new
 * short-lived process for every single bind (fork churn: the tracer must
 * name processes that are gone by the time it reads the event).  Runs are
 * bounded by a count or a duration, flat out or paced.  Elapsed time is
 * measured inside, from the start barrier to the last worker's end, so it
 * excludes this program's own startup.
 *
 * Output: one "key=value" summary line on stdout (parsed by run.sh), then
 * one line per worker.  Build with frame pointers so user stacks resolve.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS	256
#define PORT_SPAN_MAX	1000
#define EPHEMERAL_LOW	32768

enum mode { MODE_THREADS, MODE_PROCS, MODE_FORK };

/* One family/protocol pair of the mix and the address this process holds. */
struct combo {
	int family;
	int type;
	const char *name;
	int holder_fd;		/* bound to holder_port: binds to it get EADDRINUSE */
	uint16_t holder_port;
};

/* Per-worker counters; in shared memory so process workers can fill them. */
struct wstats {
	uint64_t binds;
	uint64_t ok;
	uint64_t inuse;
	uint64_t other;		/* failures other than the planned EADDRINUSE */
	int first_errno;	/* first unexpected errno, for the report */
	char pad[64 - 4 * sizeof(uint64_t) - sizeof(int)];
};

struct config {
	enum mode mode;
	int workers;
	uint64_t count;		/* total binds, 0 = use duration */
	double duration;	/* seconds */
	double rate;		/* total binds/s, 0 = flat out */
	int base_port;
	int span;		/* ports per worker */
	char name[16];
	bool quiet;
};

static struct config cfg = {
	.mode = MODE_THREADS,
	.workers = 1,
	.base_port = 20000,
	.name = "bindstorm",
};
static struct combo combos[4];
static int ncombos;
static struct wstats *stats;		/* cfg.workers entries, MAP_SHARED */

/* Start barrier, shared with process workers forked before it opens. */
struct barrier {
	atomic_int go;
	uint64_t t_start;		/* written before go is set */
};
static struct barrier *bar;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = { .tv_sec = (time_t)(t / 1000000000ULL),
			       .tv_nsec = (long)(t % 1000000000ULL) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static socklen_t fill_addr(struct sockaddr_storage *ss, int family, uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = in6addr_loopback;
		return sizeof(*sin6);
	}
}

/* Bind every holder to a kernel-chosen port; later binds to it must fail. */
static int setup_holders(void)
{
	for (int i = 0; i < ncombos; i++) {
		struct combo *c = &combos[i];
		struct sockaddr_storage ss;
		socklen_t len = fill_addr(&ss, c->family, 0);

		c->holder_fd = socket(c->family, c->type | SOCK_CLOEXEC, 0);
		if (c->holder_fd < 0 || bind(c->holder_fd, (struct sockaddr *)&ss, len)) {
			fprintf(stderr, "bindstorm: cannot hold a %s address: %s%s\n", c->name,
				strerror(errno), c->family == AF_INET6 ? " (IPv6 disabled? try -f v4)" : "");
			return -1;
		}
		len = sizeof(ss);
		getsockname(c->holder_fd, (struct sockaddr *)&ss, &len);
		c->holder_port = ntohs(c->family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
				       ((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	return 0;
}

/*
 * One bind of the storm, number i of worker w.  Returns 0 (bound),
 * 1 (the planned EADDRINUSE) or an errno value.  noinline keeps a frame
 * of its own in user stacks.
 */
static __attribute__((noinline)) int storm_bind(int w, uint64_t i)
{
	const struct combo *c = &combos[i % (uint64_t)ncombos];
	struct sockaddr_storage ss;
	socklen_t len;
	uint16_t port;
	int fd, ret = 0;
	bool want_inuse = false;

	if (i % 10 == 9) {
		port = c->holder_port;
		want_inuse = true;
	} else if (i % 7 == 6) {
		port = 0;
	} else {
		port = (uint16_t)(cfg.base_port + w * cfg.span + (int)(i % (uint64_t)cfg.span));
	}
	len = fill_addr(&ss, c->family, port);
	fd = socket(c->family, c->type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (bind(fd, (struct sockaddr *)&ss, len))
		ret = errno;
	close(fd);
	if (want_inuse && ret == EADDRINUSE)
		return 1;
	if (want_inuse && ret == 0)
		return EEXIST;	/* should have failed: report as unexpected */
	return ret;
}

static void account(struct wstats *s, int r)
{
	s->binds++;
	if (r == 0) {
		s->ok++;
	} else if (r == 1) {
		s->inuse++;
	} else {
		s->other++;
		if (!s->first_errno)
			s->first_errno = r;
	}
}

/* Fork churn: one child process per bind; its exit code is the result. */
static int fork_bind(int w, uint64_t i)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (pid == 0) {
		int r = storm_bind(w, i);

		_exit(r == 0 ? 0 : r == 1 ? 1 : 2);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return errno;
	}
	if (!WIFEXITED(status))
		return EINTR;
	switch (WEXITSTATUS(status)) {
	case 0:
		return 0;
	case 1:
		return 1;
	default:
		return EIO;	/* the child saw an unexpected error */
	}
}

static void worker_run(int w)
{
	struct wstats *s = &stats[w];
	uint64_t quota = 0, end = 0, i, t_start;
	double rate = cfg.rate > 0 ? cfg.rate / cfg.workers : 0;

	if (cfg.count) {
		quota = cfg.count / (uint64_t)cfg.workers;
		if ((uint64_t)w < cfg.count % (uint64_t)cfg.workers)
			quota++;
	}
	while (!atomic_load(&bar->go))
		;
	t_start = bar->t_start;
	if (!cfg.count)
		end = t_start + (uint64_t)(cfg.duration * 1e9);
	for (i = 0;; i++) {
		uint64_t now;

		if (cfg.count && i >= quota)
			break;
		if (end || rate > 0) {
			now = now_ns();
			if (end && now >= end)
				break;
			if (rate > 0) {
				uint64_t due = t_start + (uint64_t)((double)i * 1e9 / rate);

				if (due > now)
					sleep_until(due);
			}
		}
		account(s, cfg.mode == MODE_FORK ? fork_bind(w, i) : storm_bind(w, i));
	}
}

static void *thread_main(void *arg)
{
	int w = (int)(intptr_t)arg;

	prctl(PR_SET_NAME, cfg.name, 0, 0, 0);
	worker_run(w);
	return NULL;
}

static int parse_mix(const char *fams, const char *protos)
{
	static const struct { const char *n; int f; } fam[] = {
		{ "v4", AF_INET }, { "v6", AF_INET6 },
	};
	static const struct { const char *n; int t; } pro[] = {
		{ "tcp", SOCK_STREAM }, { "udp", SOCK_DGRAM },
	};
	static const char *const names[2][2] = { { "v4/tcp", "v4/udp" }, { "v6/tcp", "v6/udp" } };

	for (int i = 0; i < 2; i++) {
		if (!strstr(fams, fam[i].n))
			continue;
		for (int j = 0; j < 2; j++) {
			if (!strstr(protos, pro[j].n))
				continue;
			combos[ncombos].family = fam[i].f;
			combos[ncombos].type = pro[j].t;
			combos[ncombos].name = names[i][j];
			ncombos++;
		}
	}
	return ncombos ? 0 : -1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: bindstorm [OPTION]...\n"
		"Generate bind() calls: socket+bind+close in a loop; every 10th bind fails\n"
		"with EADDRINUSE, every 7th asks for port 0.\n\n"
		"  -w, --workers=N       workers (default 1)\n"
		"  -m, --mode=MODE       threads, procs, or fork (a new process per bind)\n"
		"  -n, --count=N         total binds over all workers\n"
		"  -t, --duration=SEC    run for SEC seconds (default 1 when no count)\n"
		"  -r, --rate=N          total binds per second (default 0: flat out)\n"
		"  -f, --families=LIST   v4, v6 or v4,v6 (default v4,v6)\n"
		"  -p, --protos=LIST     tcp, udp or tcp,udp (default tcp,udp)\n"
		"  -N, --name=NAME       process name (prctl PR_SET_NAME; default bindstorm)\n"
		"  -P, --base-port=N     first port of the fixed-port range (default 20000)\n"
		"  -q, --quiet           no per-worker lines\n"
		"  -h, --help\n\n"
		"Output: binds=N ok=N eaddrinuse=N failed_other=N elapsed_s=S rate=R ...\n"
		"Examples:\n"
		"  bindstorm -n 100000                 100k binds, one thread, flat out\n"
		"  bindstorm -w 4 -t 3                 4 threads flat out for 3 s\n"
		"  bindstorm -m fork -n 50000 -N churn 50k short-lived processes named churn\n"
		"  bindstorm -r 1000 -t 10             1000 binds/s for 10 s\n");
}

static int parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "workers", required_argument, NULL, 'w' },
		{ "mode", required_argument, NULL, 'm' },
		{ "count", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 't' },
		{ "rate", required_argument, NULL, 'r' },
		{ "families", required_argument, NULL, 'f' },
		{ "protos", required_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'N' },
		{ "base-port", required_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *fams = "v4,v6", *protos = "tcp,udp";
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "w:m:n:t:r:f:p:N:P:qh", opts, NULL)) != -1) {
		errno = 0;
		switch (c) {
		case 'w':
			cfg.workers = (int)strtol(optarg, &end, 10);
			if (*end || cfg.workers < 1 || cfg.workers > MAX_WORKERS)
				goto bad;
			break;
		case 'm':
			if (!strcmp(optarg, "threads"))
				cfg.mode = MODE_THREADS;
			else if (!strcmp(optarg, "procs"))
				cfg.mode = MODE_PROCS;
			else if (!strcmp(optarg, "fork"))
				cfg.mode = MODE_FORK;
			else
				goto bad;
			break;
		case 'n':
			cfg.count = strtoull(optarg, &end, 10);
			if (*end || errno || !cfg.count)
				goto bad;
			break;
		case 't':
			cfg.duration = strtod(optarg, &end);
			if (*end || !(cfg.duration > 0))
				goto bad;
			break;
		case 'r':
			cfg.rate = strtod(optarg, &end);
			if (*end || cfg.rate < 0)
				goto bad;
			break;
		case 'f':
			fams = optarg;
			break;
		case 'p':
			protos = optarg;
			break;
		case 'N':
			if (!*optarg || strlen(optarg) > 15) {
				fprintf(stderr, "bindstorm: --name takes 1 to 15 bytes\n");
				return -1;
			}
			snprintf(cfg.name, sizeof(cfg.name), "%s", optarg);
			break;
		case 'P':
			cfg.base_port = (int)strtol(optarg, &end, 10);
			if (*end || cfg.base_port < 1024 || cfg.base_port >= EPHEMERAL_LOW)
				goto bad;
			break;
		case 'q':
			cfg.quiet = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc)
		goto bad_extra;
	if (parse_mix(fams, protos)) {
		fprintf(stderr, "bindstorm: empty family/protocol mix\n");
		return -1;
	}
	if (!cfg.count && !cfg.duration)
		cfg.duration = 1;
	/* fixed ports stay below the ephemeral range, one slice per worker */
	cfg.span = (EPHEMERAL_LOW - cfg.base_port) / cfg.workers;
	if (cfg.span > PORT_SPAN_MAX)
		cfg.span = PORT_SPAN_MAX;
	if (cfg.span < 10) {
		fprintf(stderr, "bindstorm: too many workers for the ports above %d\n", cfg.base_port);
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "bindstorm: bad value for -%c: '%s'\n", c, optarg);
	return -1;
bad_extra:
	fprintf(stderr, "bindstorm: unexpected argument '%s'\n", argv[optind]);
	return -1;
}

static const char *mode_name(void)
{
	return cfg.mode == MODE_THREADS ? "threads" : cfg.mode == MODE_PROCS ? "procs" : "fork";
}

int main(int argc, char **argv)
{
	pthread_t th[MAX_WORKERS];
	pid_t pids[MAX_WORKERS];
	struct wstats tot = { 0 };
	size_t shm_len;
	void *shm;
	double secs;
	int first_errno = 0;

	if (parse_args(argc, argv))
		return 2;
	prctl(PR_SET_NAME, cfg.name, 0, 0, 0);
	/* shared: process workers write their counters here */
	shm_len = sizeof(struct wstats) * (size_t)(cfg.workers + 1);
	shm = mmap(NULL, shm_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED) {
		perror("bindstorm: mmap");
		return 1;
	}
	bar = shm;
	stats = (struct wstats *)shm + 1;
	if (setup_holders())
		return 1;

	for (int w = 0; w < cfg.workers; w++) {
		if (cfg.mode == MODE_THREADS) {
			errno = pthread_create(&th[w], NULL, thread_main, (void *)(intptr_t)w);
			if (errno) {
				perror("bindstorm: pthread_create");
				return 1;
			}
		} else {
			pids[w] = fork();
			if (pids[w] < 0) {
				perror("bindstorm: fork");
				return 1;
			}
			if (pids[w] == 0) {
				worker_run(w);
				_exit(0);
			}
		}
	}
	/* every worker exists: open the barrier and start the clock */
	bar->t_start = now_ns();
	atomic_store(&bar->go, 1);
	for (int w = 0; w < cfg.workers; w++) {
		if (cfg.mode == MODE_THREADS)
			pthread_join(th[w], NULL);
		else
			while (waitpid(pids[w], NULL, 0) < 0 && errno == EINTR)
				;
	}
	secs = (double)(now_ns() - bar->t_start) / 1e9;

	for (int w = 0; w < cfg.workers; w++) {
		tot.binds += stats[w].binds;
		tot.ok += stats[w].ok;
		tot.inuse += stats[w].inuse;
		tot.other += stats[w].other;
		if (!first_errno)
			first_errno = stats[w].first_errno;
	}
	printf("binds=%llu ok=%llu eaddrinuse=%llu failed_other=%llu elapsed_s=%.6f rate=%.0f "
	       "mode=%s workers=%d name=%s first_error=%s\n",
	       (unsigned long long)tot.binds, (unsigned long long)tot.ok,
	       (unsigned long long)tot.inuse, (unsigned long long)tot.other, secs,
	       secs > 0 ? (double)tot.binds / secs : 0.0, mode_name(), cfg.workers, cfg.name,
	       first_errno ? strerror(first_errno) : "none");
	if (!cfg.quiet)
		for (int w = 0; w < cfg.workers; w++)
			printf("worker %d: binds=%llu ok=%llu eaddrinuse=%llu failed_other=%llu\n", w,
			       (unsigned long long)stats[w].binds, (unsigned long long)stats[w].ok,
			       (unsigned long long)stats[w].inuse, (unsigned long long)stats[w].other);
	return 0;
}
