// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * listeners.c - the sockets bound before kbindtop started, and who has
 * them open.
 *
 * Three passes, each linear: /proc once to learn every process's network
 * namespace; one sock_diag dump per namespace and protocol (the kernel
 * filters by state, so only listeners, bound-idle TCP and bound UDP
 * sockets come back); /proc/PID/fd once more to map socket inodes to
 * processes through a hash of the inodes found.  A host with 100 000
 * sockets costs a few hundred thousand readlinks and nothing quadratic.
 *
 * Everything read here is racing with the system: a process that is gone
 * by the time its directory is opened is skipped and counted, never an
 * error; a namespace whose processes all left is counted as failed.
 */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "holder.h"
#include "listeners.h"
#include "proc.h"
#include "sockaddr.h"
#include "strbuf.h"
#include "xalloc.h"

#define RECV_BUF	(64 * 1024)
#define FDS_MAX		(8L << 20)	/* descriptors read by one scan */
#define PROCS_CACHE	4096

/* net/tcp_states.h: not exported to user space */
#define ST_CLOSE		7
#define ST_LISTEN		10
#define ST_BOUND_INACTIVE	13

struct sock {
	uint64_t ino, netns;
	int pid, fd;
	uint8_t family, proto, state;
	uint8_t addr[16];
	uint16_t port;
	uint32_t scope;
};

struct pidns {
	int pid;
	uint64_t netns;
};

struct scan {
	struct sock *s;
	size_t n, cap;
	uint64_t truncated;
	/* inode -> index + 1 into s, open addressing */
	uint32_t *slot;
	size_t nslot;
	int proto;
	uint64_t netns;		/* of the dump under way */
	char *buf;
};

static double cpu_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double wall_ms(void)
{
	return (double)kb_now_mono() / 1e6;
}

static int cmp_netns(const void *a, const void *b)
{
	const struct pidns *x = a, *y = b;

	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Every process and its network namespace (pass 1). */
static int list_pids(struct pidns **out, size_t *n, struct kb_listen_stats *st)
{
	size_t cap = 1024;
	struct pidns *v = xmalloc(cap * sizeof(*v));
	struct dirent *de;
	DIR *proc = opendir("/proc");
	int dfd;

	*n = 0;
	if (!proc) {
		free(v);
		return -errno;
	}
	dfd = dirfd(proc);
	while ((de = readdir(proc))) {
		char path[64];
		struct stat sb;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%.20s/ns/net", de->d_name);
		if (fstatat(dfd, path, &sb, 0)) {
			st->vanished += errno == ENOENT || errno == ESRCH;
			continue;	/* gone, or a kernel thread's view we may not read */
		}
		if (*n == cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[*n].pid = atoi(de->d_name);
		v[*n].netns = (uint64_t)sb.st_ino;
		(*n)++;
	}
	closedir(proc);
	*out = v;
	return 0;
}

static void sock_msg(const struct nlmsghdr *m, void *arg)
{
	struct scan *x = arg;
	const struct inet_diag_msg *d = (const void *)((const char *)m + NLMSG_LENGTH(0));
	struct sock *s;

	if (m->nlmsg_len < NLMSG_LENGTH(sizeof(*d)))
		return;
	if (d->idiag_family != AF_INET && d->idiag_family != AF_INET6)
		return;
	if (x->n >= KB_LISTEN_MAX) {
		x->truncated++;
		return;
	}
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 1024;
		x->s = xrealloc(x->s, x->cap * sizeof(*x->s));
	}
	s = &x->s[x->n++];
	memset(s, 0, sizeof(*s));
	s->ino = d->idiag_inode;
	s->netns = x->netns;
	s->pid = -1;
	s->fd = -1;
	s->family = d->idiag_family;
	s->proto = (uint8_t)x->proto;
	s->state = d->idiag_state;
	s->port = ntohs(d->id.idiag_sport);
	s->scope = d->id.idiag_if;
	memcpy(s->addr, d->id.idiag_src, d->idiag_family == AF_INET ? 4 : 16);
}

static int dump(struct scan *x, int fd, int family, int proto, uint32_t states)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req;

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = (uint8_t)family;
	req.r.sdiag_protocol = (uint8_t)proto;
	req.r.idiag_states = states;
	x->proto = proto;
	return kb_diag_dump(fd, &req.nlh, x->buf, RECV_BUF, KB_LISTEN_MAX + 1, sock_msg, x);
}

/* The bound sockets of one namespace (pass 2). */
static int dump_netns(struct scan *x, int fd)
{
	static const struct {
		int family, proto;
		uint32_t states;
	} q[] = {
		/* listeners, and bound TCP sockets that neither listen nor connect (6.6+) */
		{ AF_INET, IPPROTO_TCP, 1u << ST_LISTEN | 1u << ST_BOUND_INACTIVE },
		{ AF_INET6, IPPROTO_TCP, 1u << ST_LISTEN | 1u << ST_BOUND_INACTIVE },
		/* unconnected datagram sockets sit in CLOSE once bound */
		{ AF_INET, IPPROTO_UDP, 1u << ST_CLOSE },
		{ AF_INET6, IPPROTO_UDP, 1u << ST_CLOSE },
	};
	size_t before = x->n;

	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		int ret = dump(x, fd, q[i].family, q[i].proto, q[i].states);

		if (ret && ret != -E2BIG) {
			x->n = before;	/* half a namespace would look like the whole */
			return ret;
		}
	}
	return 0;
}

static size_t ino_hash(uint64_t ino, size_t mask)
{
	ino ^= ino >> 31;
	ino *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(ino >> 17) & mask;
}

static void index_inodes(struct scan *x)
{
	size_t mask;

	x->nslot = 64;
	while (x->nslot < x->n * 2)
		x->nslot *= 2;
	mask = x->nslot - 1;
	x->slot = xcalloc(x->nslot, sizeof(*x->slot));
	for (size_t i = 0; i < x->n; i++) {
		size_t h;

		if (!x->s[i].ino)
			continue;	/* no file: nothing in /proc can name it */
		for (h = ino_hash(x->s[i].ino, mask); x->slot[h]; h = (h + 1) & mask)
			;
		x->slot[h] = (uint32_t)i + 1;
	}
}

static struct sock *find_inode(struct scan *x, uint64_t ino)
{
	size_t mask = x->nslot - 1;

	for (size_t h = ino_hash(ino, mask); x->slot[h]; h = (h + 1) & mask)
		if (x->s[x->slot[h] - 1].ino == ino)
			return &x->s[x->slot[h] - 1];
	return NULL;
}

/*
 * Who has each socket open (pass 3).  When several processes share one
 * (a forking server, a socket-activating init), the lowest pid but 1 is
 * named: the parent that bound it, or the service rather than init.
 */
static void find_owners(struct scan *x, const struct pidns *pids, size_t npids,
			struct kb_listen_stats *st)
{
	char path[64];

	for (size_t i = 0; i < npids && st->fds < FDS_MAX; i++) {
		int pid = pids[i].pid, dfd;
		struct dirent *fe;
		DIR *dir;

		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0) {
			st->vanished += errno == ENOENT || errno == ESRCH;
			continue;
		}
		dir = fdopendir(dfd);
		if (!dir) {
			close(dfd);
			continue;
		}
		while ((fe = readdir(dir)) && st->fds < FDS_MAX) {
			struct sock *s;
			struct stat sb;

			if (fe->d_name[0] < '0' || fe->d_name[0] > '9')
				continue;
			st->fds++;
			/*
			 * stat through the link: a socket's inode without the
			 * "socket:[N]" text readlink would format and we parse
			 */
			if (fstatat(dfd, fe->d_name, &sb, 0) || !S_ISSOCK(sb.st_mode) ||
			    !(s = find_inode(x, (uint64_t)sb.st_ino)))
				continue;
			if (s->pid < 0 || s->pid == 1 || (pid < s->pid && pid != 1)) {
				s->pid = pid;
				s->fd = atoi(fe->d_name);
			}
		}
		closedir(dir);
	}
}

static const char *state_name(const struct sock *s)
{
	if (s->proto == IPPROTO_UDP)
		return "UNCONN";
	return s->state == ST_LISTEN ? "LISTEN" : "BOUND";
}

/* The kb_bind a bound socket is shown as: a call that succeeded, marked as none. */
static void to_bind(const struct sock *s, const struct kb_proc *p, uint64_t now, struct kb_bind *b)
{
	struct kb_event *ev = &b->ev;

	memset(b, 0, sizeof(*b));
	ev->ts = now;
	ev->pid = s->pid > 0 ? s->pid : 0;
	ev->tid = ev->pid;
	ev->fd = s->fd;
	ev->ret = 0;
	ev->flags = KB_EVF_EXISTING;
	ev->addr_src = KB_ADDR_DIAG;
	ev->stype = s->proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	if (s->family == AF_INET) {
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(s->port) };

		memcpy(&sin.sin_addr, s->addr, 4);
		memcpy(ev->sa, &sin, sizeof(sin));
		ev->sa_len = sizeof(sin);
	} else {
		struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(s->port),
					     .sin6_scope_id = s->scope };

		memcpy(&sin6.sin6_addr, s->addr, 16);
		memcpy(ev->sa, &sin6, sizeof(sin6));
		ev->sa_len = sizeof(sin6);
	}
	ev->addrlen = ev->sa_len;
	kb_sockaddr_decode(ev->sa, ev->sa_len, &b->addr);
	b->addr_src = KB_ADDR_DIAG;
	b->pid = s->pid > 0 ? s->pid : -1;
	b->sock_known = true;
	b->sock_type = ev->stype;
	b->sock_proto = s->proto;
	b->proto = kb_proto_name(s->family, ev->stype, 0);
	b->bound_port = s->port;
	b->sock_state = state_name(s);
	b->ppid = -1;
	b->holder.pid = -1;
	b->netns = s->netns;
	if (!p) {
		snprintf(b->comm, sizeof(b->comm), "?");
		return;
	}
	memcpy(ev->comm, p->comm, KB_COMM_LEN);
	ev->comm[KB_COMM_LEN - 1] = '\0';
	if (ev->comm[0])
		kb_visible_str(b->comm, sizeof(b->comm), ev->comm, KB_COMM_LEN);
	else
		snprintf(b->comm, sizeof(b->comm), "?");
	if (p->uid_known) {
		b->uid_known = true;
		b->uid = p->uid;
		memcpy(b->user, p->user, sizeof(b->user));
	}
	b->ppid = p->ppid;
	memcpy(b->cmdline, p->cmdline, sizeof(b->cmdline));
	memcpy(b->cgroup, p->cgroup, sizeof(b->cgroup));
	memcpy(b->container, p->container, sizeof(b->container));
	memcpy(b->unit, p->unit, sizeof(b->unit));
}

int kb_listeners_scan(uint64_t now_ns, kb_listener_fn fn, void *ctx, struct kb_listen_stats *st)
{
	double c0 = cpu_ms(), w0 = wall_ms();
	struct scan x = { .buf = xmalloc(RECV_BUF) };
	struct pidns *pids = NULL, *byns;
	struct kb_procs *pc = NULL;
	static struct kb_bind b;
	size_t npids = 0;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = list_pids(&pids, &npids, st);
	if (ret)
		goto out;

	/* one dump per namespace, entered through any of its processes that still lives */
	st->cpu_diag_ms = cpu_ms();
	byns = xmalloc((npids ? npids : 1) * sizeof(*byns));
	memcpy(byns, pids, npids * sizeof(*byns));
	qsort(byns, npids, sizeof(*byns), cmp_netns);
	for (size_t i = 0; i < npids;) {
		size_t j = i;
		int fd = -ESRCH;

		while (j < npids && byns[j].netns == byns[i].netns)
			j++;
		for (size_t k = i; k < j && fd == -ESRCH; k++)
			fd = kb_netns_diag_open(byns[k].pid, byns[k].netns);
		st->netns++;
		x.netns = byns[i].netns;
		if (fd < 0 || dump_netns(&x, fd))
			st->netns_failed++;
		if (fd >= 0)
			close(fd);
		i = j;
	}
	free(byns);
	st->cpu_diag_ms = cpu_ms() - st->cpu_diag_ms;

	st->cpu_owner_ms = cpu_ms();
	index_inodes(&x);
	find_owners(&x, pids, npids, st);
	st->cpu_owner_ms = cpu_ms() - st->cpu_owner_ms;

	pc = kb_procs_new(PROCS_CACHE);
	for (size_t i = 0; i < x.n; i++) {
		const struct sock *s = &x.s[i];
		struct kb_proc *p = s->pid > 0 ? kb_procs_get(pc, s->pid, NULL, now_ns, 0) : NULL;

		if (p && !p->alive)
			p = NULL;	/* exited since: its name is gone, the socket stays listed */
		st->unattributed += s->pid <= 0;
		to_bind(s, p, now_ns, &b);
		fn(ctx, &b);
	}
	st->sockets = x.n;
	st->truncated = x.truncated;
out:
	kb_procs_free(pc);
	free(pids);
	free(x.s);
	free(x.slot);
	free(x.buf);
	st->cpu_ms = cpu_ms() - c0;
	st->wall_ms = wall_ms() - w0;
	return ret;
}
