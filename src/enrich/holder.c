// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * holder.c - finding who holds the address of a failed bind().
 *
 * Network namespaces: a netlink socket lists the sockets of the namespace
 * it was created in.  One is made per namespace by a helper thread that
 * enters the namespace with setns(), creates the socket, reads the
 * namespace's ip_unprivileged_port_start (sysctls under /proc/sys/net
 * follow the opener's namespace too) and exits; the consumer thread
 * itself never leaves its namespace.  The sockets are cached (a few, for
 * a while): a netlink socket pins its namespace, so idle ones are closed.
 *
 * Owners: sock_diag gives the socket inode, not the process.  A scan of
 * /proc/PID/fd, limited to processes in the same namespace and bounded in
 * files and time, finds the process; results are cached by inode.
 */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "fileio.h"
#include "holder.h"
#include "proc.h"
#include "rate.h"
#include "strbuf.h"
#include "xalloc.h"

/* const-correct forms of the netlink macros (the libc ones cast const away) */
#define C_NLMSG_DATA(m)	((const void *)((const char *)(m) + NLMSG_LENGTH(0)))
#define C_RTA_DATA(a)	((const void *)((const char *)(a) + RTA_LENGTH(0)))
#define C_RTA_NEXT(a, len) \
	((len) -= RTA_ALIGN((a)->rta_len), \
	 (const struct rtattr *)((const char *)(a) + RTA_ALIGN((a)->rta_len)))

#define NS_MAX		16
#define NS_IDLE_NS	(30ULL * 1000000000ULL)
#define OWNER_MAX	64
#define OWNER_TTL_NS	(5ULL * 1000000000ULL)
#define RESULT_MAX	32
#define RESULT_TTL_NS	(1ULL * 1000000000ULL)
#define CAND_MAX	8		/* conflicting sockets looked at closely */
#define SCAN_FDS_MAX	200000		/* fds read by one /proc scan */
#define SCAN_TIME_NS	(150ULL * 1000000ULL)
#define DUMP_MSGS_MAX	100000		/* netlink messages read by one dump */
#define RECV_BUF	(32 * 1024)
#define SEEN_MAX	256		/* recent successful binds, by port */

/* net/tcp_states.h: not exported to user space */
#define ST_ESTABLISHED	1
#define ST_SYN_RECV	3
#define ST_TIME_WAIT	6
#define ST_CLOSE	7
#define ST_LISTEN	10
#define ST_NEW_SYN_RECV	12
#define ST_BOUND_INACTIVE 13

struct nsent {
	uint64_t ino;		/* 0: free slot */
	int diag_fd;
	int unpriv;		/* ip_unprivileged_port_start, -errno if unread */
	uint64_t used;
};

struct owner {
	uint64_t ino, netns;
	int pid;
	char comm[KB_HOLDER_COMM];
	uint64_t ts;
};

struct result {
	bool used;
	uint64_t netns;
	int family, proto, port;
	bool v6only, addr_known;
	uint8_t addr[16];
	char path[128];
	struct kb_holder res;
	uint64_t ts;
};

struct cand {
	int family;
	uint8_t addr[16];
	int state;
	uint64_t ino;
	bool v6only;
	int proto;
	int rank;
};

/* A successful bind we traced: the likely owner of that port later. */
struct seen {
	uint64_t netns;
	int port;
	int pid;
};

struct kb_holders {
	struct seen seen[SEEN_MAX];
	struct nsent ns[NS_MAX];
	struct owner owners[OWNER_MAX];
	unsigned int owner_next;
	struct result results[RESULT_MAX];
	unsigned int result_next;
	uint64_t self_ns;
	struct kb_rate budget;		/* lookups */
	uint64_t skipped;
	char *buf;
};

const char *kb_tcp_state_name(int state, bool udp)
{
	static const char *const names[] = {
		[ST_ESTABLISHED] = "ESTABLISHED", [2] = "SYN_SENT", [ST_SYN_RECV] = "SYN_RECV",
		[4] = "FIN_WAIT1", [5] = "FIN_WAIT2", [ST_TIME_WAIT] = "TIME_WAIT",
		[ST_CLOSE] = "CLOSE", [8] = "CLOSE_WAIT", [9] = "LAST_ACK", [ST_LISTEN] = "LISTEN",
		[11] = "CLOSING", [ST_NEW_SYN_RECV] = "SYN_RECV", [ST_BOUND_INACTIVE] = "BOUND",
	};

	/* a bound, unconnected datagram socket sits in "CLOSE" */
	if (state == ST_CLOSE)
		return udp ? "UNCONN" : "BOUND";
	if (state < 0 || state >= (int)(sizeof(names) / sizeof(names[0])) || !names[state])
		return "?";
	return names[state];
}

struct kb_holders *kb_holders_new(int lookups_per_sec)
{
	struct kb_holders *h = xcalloc(1, sizeof(*h));

	for (int i = 0; i < NS_MAX; i++)
		h->ns[i].diag_fd = -1;
	kb_rate_init(&h->budget, lookups_per_sec, lookups_per_sec);
	h->self_ns = kb_proc_netns(getpid());
	h->buf = xmalloc(RECV_BUF);
	return h;
}

static void ns_drop(struct nsent *e)
{
	if (e->diag_fd >= 0)
		close(e->diag_fd);
	memset(e, 0, sizeof(*e));
	e->diag_fd = -1;
}

void kb_holders_free(struct kb_holders *h)
{
	if (!h)
		return;
	for (int i = 0; i < NS_MAX; i++)
		ns_drop(&h->ns[i]);
	free(h->buf);
	free(h);
}

uint64_t kb_holders_skipped(const struct kb_holders *h)
{
	return h->skipped;
}

static int read_unpriv(void)
{
	char buf[32];
	ssize_t n = kb_file_read_small("/proc/sys/net/ipv4/ip_unprivileged_port_start", buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	return n ? atoi(buf) : -EIO;
}

static int open_diag(void)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 500000 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

	if (fd < 0)
		return -errno;
	/* a kernel that never answers must not hang the consumer */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

struct nsjob {
	int nsfd;
	int diag_fd;
	int unpriv;
	int err;
};

/* Helper thread: the only code that runs inside a foreign namespace. */
static void *ns_worker(void *arg)
{
	struct nsjob *job = arg;

	if (setns(job->nsfd, CLONE_NEWNET)) {
		job->err = -errno;
		return NULL;
	}
	job->diag_fd = open_diag();
	job->unpriv = read_unpriv();
	return NULL;
}

/*
 * Open a sock_diag socket in pid's network namespace netns (checked: the
 * pid may have been reused by a process elsewhere); the unprivileged port
 * start of that namespace goes to *unpriv when not NULL.
 */
static int ns_open(int pid, uint64_t netns, uint64_t self_ns, int *unpriv)
{
	struct nsjob job = { .nsfd = -1, .diag_fd = -1 };
	char path[64];
	struct stat st;
	pthread_t t;

	if (netns == self_ns) {
		job.diag_fd = open_diag();
		job.unpriv = read_unpriv();
		goto out;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	job.nsfd = pid > 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (job.nsfd < 0)
		return -ESRCH;
	if (fstat(job.nsfd, &st) || (uint64_t)st.st_ino != netns ||
	    pthread_create(&t, NULL, ns_worker, &job)) {
		close(job.nsfd);
		return -ESRCH;
	}
	pthread_join(t, NULL);
	close(job.nsfd);
	if (job.err)
		return job.err;
out:
	if (unpriv)
		*unpriv = job.unpriv;
	return job.diag_fd;
}

int kb_netns_diag_open(int pid, uint64_t netns)
{
	static uint64_t self_ns;

	if (!self_ns)
		self_ns = kb_proc_netns(getpid());
	return ns_open(pid, netns, self_ns, NULL);
}

static struct nsent *ns_get(struct kb_holders *h, int pid, uint64_t netns, uint64_t now)
{
	struct nsent *e = NULL, *lru = &h->ns[0];
	int fd, unpriv = -EIO;

	if (!netns && pid > 0)
		netns = kb_proc_netns(pid);
	if (!netns)
		return NULL;
	for (int i = 0; i < NS_MAX; i++) {
		struct nsent *x = &h->ns[i];

		if (x->ino && x->ino != h->self_ns && now - x->used > NS_IDLE_NS)
			ns_drop(x);	/* release the namespace it pins */
		if (x->ino == netns)
			e = x;
		if (x->used < lru->used)
			lru = x;
	}
	if (e) {
		e->used = now;
		return e;
	}
	fd = ns_open(pid, netns, h->self_ns, &unpriv);
	if (fd == -ESRCH || (fd < 0 && netns != h->self_ns))
		return NULL;
	ns_drop(lru);
	lru->ino = netns;
	lru->diag_fd = fd;
	lru->unpriv = unpriv;
	lru->used = now;
	return lru;
}

int kb_holders_unpriv_port(struct kb_holders *h, int pid, uint64_t netns, uint64_t now_ns)
{
	struct nsent *e = ns_get(h, pid, netns, now_ns);

	return e ? e->unpriv : -ESRCH;
}

static bool take_token(struct kb_holders *h, uint64_t now)
{
	if (kb_rate_take(&h->budget, now))
		return true;
	h->skipped++;
	return false;
}

/* --- sock_diag ---------------------------------------------------------- */

/*
 * Send req and read the dump to its end.  A socket left with part of a
 * dump unread would hand the rest to the next request: on any error the
 * caller closes it.
 */
int kb_diag_dump(int fd, struct nlmsghdr *req, char *buf, size_t buflen, long max_msgs,
		 kb_diag_fn fn, void *ctx)
{
	static uint32_t seq;
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	long msgs = 0;

	req->nlmsg_seq = ++seq;
	if (sendto(fd, req, req->nlmsg_len, 0, (struct sockaddr *)&nl, sizeof(nl)) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, buf, buflen, 0);
		struct nlmsghdr *m = (struct nlmsghdr *)buf;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		for (; NLMSG_OK(m, (size_t)n); m = NLMSG_NEXT(m, n)) {
			if (m->nlmsg_seq != req->nlmsg_seq)
				continue;
			if (m->nlmsg_type == NLMSG_DONE)
				return 0;
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = C_NLMSG_DATA(m);

				if (m->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EIO;
				return e->error ? e->error : -EIO;
			}
			if (++msgs > max_msgs)
				return -E2BIG;
			fn(m, ctx);
		}
	}
}

static int diag_dump(struct kb_holders *h, int fd, struct nlmsghdr *req, kb_diag_fn fn, void *ctx)
{
	return kb_diag_dump(fd, req, h->buf, RECV_BUF, DUMP_MSGS_MAX, fn, ctx);
}

struct inet_ctx {
	const struct kb_holder_req *rq;
	int proto;
	struct cand c[CAND_MAX];
	int nc;
	int count;
	int timewait;
};

static bool is_any(int family, const uint8_t *a)
{
	static const uint8_t zero[16];

	return !memcmp(a, zero, family == AF_INET ? 4 : 16);
}

static bool is_mapped(const uint8_t *a)
{
	static const uint8_t pre[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(a, pre, 12);
}

/* Would a socket bound to (fam, a) stop rq from binding? */
static bool conflicts(const struct kb_holder_req *rq, int fam, const uint8_t *a, bool v6only)
{
	if (!rq->addr_known)
		return true;
	if (fam == rq->family) {
		return is_any(fam, a) || is_any(fam, rq->addr) ||
		       !memcmp(a, rq->addr, fam == AF_INET ? 4 : 16);
	}
	if (rq->family == AF_INET) {		/* holder is IPv6 */
		if (v6only)
			return false;
		if (is_any(AF_INET6, a))
			return true;
		return is_mapped(a) && (is_any(AF_INET, rq->addr) || !memcmp(a + 12, rq->addr, 4) ||
					is_any(AF_INET, a + 12));
	}
	/* binder is IPv6, holder IPv4 */
	if (is_mapped(rq->addr))
		return is_any(AF_INET, a) || is_any(AF_INET, rq->addr + 12) ||
		       !memcmp(a, rq->addr + 12, 4);
	return is_any(AF_INET6, rq->addr) && !rq->v6only;
}

static int state_rank(int st)
{
	switch (st) {
	case ST_LISTEN:		return 6;
	case ST_CLOSE:
	case ST_BOUND_INACTIVE:	return 5;
	case ST_TIME_WAIT:	return 1;
	case ST_SYN_RECV:
	case ST_NEW_SYN_RECV:	return 0;
	default:		return 3;
	}
}

static void inet_msg(const struct nlmsghdr *m, void *arg)
{
	struct inet_ctx *x = arg;
	const struct inet_diag_msg *d = C_NLMSG_DATA(m);
	const struct rtattr *a;
	int alen, rank;
	bool v6only = false;
	uint8_t addr[16];

	if (m->nlmsg_len < NLMSG_LENGTH(sizeof(*d)))
		return;
	if (d->idiag_family != AF_INET && d->idiag_family != AF_INET6)
		return;
	if (ntohs(d->id.idiag_sport) != x->rq->port)
		return;		/* the kernel filtered already; old kernels may not */
	a = (const struct rtattr *)(d + 1);
	alen = (int)(m->nlmsg_len - NLMSG_LENGTH(sizeof(*d)));
	for (; RTA_OK(a, alen); a = C_RTA_NEXT(a, alen))
		if (a->rta_type == INET_DIAG_SKV6ONLY && RTA_PAYLOAD(a) >= 1)
			v6only = *(const uint8_t *)C_RTA_DATA(a);
	memset(addr, 0, sizeof(addr));
	memcpy(addr, d->id.idiag_src, d->idiag_family == AF_INET ? 4 : 16);
	if (!conflicts(x->rq, d->idiag_family, addr, v6only))
		return;
	x->count++;
	if (d->idiag_state == ST_TIME_WAIT)
		x->timewait++;
	rank = state_rank(d->idiag_state) * 2 + (d->idiag_inode != 0);
	/* keep the best CAND_MAX: replace the worst when full */
	if (x->nc == CAND_MAX) {
		int w = 0;

		for (int i = 1; i < x->nc; i++)
			if (x->c[i].rank < x->c[w].rank)
				w = i;
		if (x->c[w].rank >= rank)
			return;
		x->c[w] = x->c[--x->nc];
	}
	x->c[x->nc++] = (struct cand){
		.family = d->idiag_family, .state = d->idiag_state, .ino = d->idiag_inode,
		.v6only = v6only, .proto = x->proto, .rank = rank,
	};
	memcpy(x->c[x->nc - 1].addr, addr, 16);
}

static int inet_query(struct kb_holders *h, int fd, int family, int proto, uint32_t states,
		      struct inet_ctx *x)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
		struct nlattr nla;
		struct inet_diag_bc_op ops[2];
	} req;

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = (uint8_t)family;
	req.r.sdiag_protocol = (uint8_t)proto;
	req.r.idiag_states = states;
	req.nla.nla_type = INET_DIAG_REQ_BYTECODE;
	req.nla.nla_len = (uint16_t)(NLA_HDRLEN + sizeof(req.ops));
	/* "sport == port": jump to the end when true, past it (reject) when false */
	req.ops[0].code = INET_DIAG_BC_S_EQ;
	req.ops[0].yes = sizeof(req.ops);
	req.ops[0].no = sizeof(req.ops) + 4;
	req.ops[1].no = (uint16_t)x->rq->port;
	x->proto = proto;
	return diag_dump(h, fd, &req.nlh, inet_msg, x);
}

struct unix_ctx {
	const char *path;
	struct cand c[CAND_MAX];
	int nc, count;
	char names[CAND_MAX][64];
};

static void unix_msg(const struct nlmsghdr *m, void *arg)
{
	struct unix_ctx *x = arg;
	const struct unix_diag_msg *d = C_NLMSG_DATA(m);
	const struct rtattr *a;
	char vis[4 * 108 + 2];
	int alen;

	if (m->nlmsg_len < NLMSG_LENGTH(sizeof(*d)))
		return;
	a = (const struct rtattr *)(d + 1);
	alen = (int)(m->nlmsg_len - NLMSG_LENGTH(sizeof(*d)));
	for (; RTA_OK(a, alen); a = C_RTA_NEXT(a, alen)) {
		const char *name = C_RTA_DATA(a);
		size_t n = RTA_PAYLOAD(a);

		if (a->rta_type != UNIX_DIAG_NAME || !n)
			continue;
		if (n > 108)
			n = 108;
		/* the same visible form kb_sockaddr_decode gives the bind */
		if (name[0] == '\0') {
			vis[0] = '@';
			kb_visible(vis + 1, sizeof(vis) - 1, name + 1, n - 1);
		} else {
			kb_visible(vis, sizeof(vis), name, strnlen(name, n));
		}
		if (strcmp(vis, x->path))
			return;
		x->count++;
		if (x->nc < CAND_MAX) {
			x->c[x->nc] = (struct cand){ .state = d->udiag_state, .ino = d->udiag_ino,
						     .rank = state_rank(d->udiag_state) };
			snprintf(x->names[x->nc], sizeof(x->names[0]), "%s", vis);
			x->nc++;
		}
		return;
	}
}

static int unix_query(struct kb_holders *h, int fd, struct unix_ctx *x)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req r;
	} req;

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = AF_UNIX;
	req.r.udiag_states = ~0u;
	req.r.udiag_show = UDIAG_SHOW_NAME;
	return diag_dump(h, fd, &req.nlh, unix_msg, x);
}

/* --- owners ------------------------------------------------------------- */

static struct owner *owner_cached(struct kb_holders *h, uint64_t ino, uint64_t netns, uint64_t now)
{
	for (int i = 0; i < OWNER_MAX; i++) {
		struct owner *o = &h->owners[i];

		if (o->ino == ino && o->netns == netns && now - o->ts < OWNER_TTL_NS)
			return o;
	}
	return NULL;
}

/* Has process pid the link text want among its fds?  Counts fds read. */
static bool pid_has(int pid, const char *want, long *fds, uint64_t deadline)
{
	char path[64], link[64];
	struct dirent *fe;
	bool found = false;
	DIR *fdir;
	int dfd;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return false;
	fdir = fdopendir(dfd);
	if (!fdir) {
		close(dfd);
		return false;
	}
	while ((fe = readdir(fdir))) {
		ssize_t n;

		if (fe->d_name[0] == '.')
			continue;
		n = readlinkat(dfd, fe->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (!strcmp(link, want)) {
			found = true;
			break;
		}
		if (++*fds % 256 == 0 && kb_now_mono() > deadline)
			break;
	}
	closedir(fdir);
	return found;
}

/*
 * Which process has socket inode ino open?  The process seen binding the
 * port (hint) is tried first; else every process in the namespace, within
 * bounds.  -ENOENT when none was found.
 */
static int scan_owner(struct kb_holders *h, uint64_t ino, uint64_t netns, int hint, uint64_t now)
{
	uint64_t deadline = kb_now_mono() + SCAN_TIME_NS;
	long fds = 0;
	int found = -ENOENT;
	struct dirent *de;
	char want[48];
	DIR *proc;

	snprintf(want, sizeof(want), "socket:[%llu]", (unsigned long long)ino);
	if (hint > 0 && pid_has(hint, want, &fds, deadline)) {
		found = hint;
		goto out;
	}
	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while (found < 0 && (de = readdir(proc))) {
		int pid;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid = atoi(de->d_name);
		if (pid == hint || (netns && kb_proc_netns(pid) != netns))
			continue;
		if (pid_has(pid, want, &fds, deadline))
			found = pid;
		if (fds > SCAN_FDS_MAX || kb_now_mono() > deadline)
			break;
	}
	closedir(proc);
out:
	if (found > 0) {
		struct owner *o = &h->owners[h->owner_next++ % OWNER_MAX];
		char comm[KB_COMM_LEN] = "";

		o->ino = ino;
		o->netns = netns;
		o->pid = found;
		o->ts = now;
		o->comm[0] = '\0';
		if (!kb_proc_comm(found, comm))
			kb_visible_str(o->comm, sizeof(o->comm), comm, KB_COMM_LEN);
	}
	return found;
}

static struct seen *seen_slot(struct kb_holders *h, uint64_t netns, int port)
{
	return &h->seen[((unsigned int)port * 2654435761u ^ (unsigned int)netns) % SEEN_MAX];
}

void kb_holders_note_bind(struct kb_holders *h, uint64_t netns, int port, int pid)
{
	struct seen *e;

	if (port <= 0 || pid <= 0)
		return;
	e = seen_slot(h, netns, port);
	e->netns = netns;
	e->port = port;
	e->pid = pid;
}

static void fill_owner(struct kb_holders *h, uint64_t ino, uint64_t netns, int port, uint64_t now,
		       struct kb_holder *out)
{
	const struct seen *e = seen_slot(h, netns, port);
	struct owner *o;

	out->pid = -1;
	if (!ino)
		return;		/* TIME_WAIT and request sockets belong to no process */
	o = owner_cached(h, ino, netns, now);
	if (!o && scan_owner(h, ino, netns, e->netns == netns && e->port == port ? e->pid : 0,
			     now) > 0)
		o = owner_cached(h, ino, netns, now);
	if (o) {
		out->pid = o->pid;
		snprintf(out->comm, sizeof(out->comm), "%s", o->comm);
	}
}

/* --- lookup ------------------------------------------------------------- */

static struct result *result_cached(struct kb_holders *h, const struct kb_holder_req *rq,
				    uint64_t netns, uint64_t now)
{
	for (int i = 0; i < RESULT_MAX; i++) {
		struct result *r = &h->results[i];

		if (r->used && now - r->ts < RESULT_TTL_NS && r->netns == netns &&
		    r->family == rq->family && r->proto == rq->proto && r->port == rq->port &&
		    r->v6only == rq->v6only && r->addr_known == rq->addr_known &&
		    !memcmp(r->addr, rq->addr, 16) &&
		    !strncmp(r->path, rq->path ? rq->path : "", sizeof(r->path)))
			return r;
	}
	return NULL;
}

static void result_store(struct kb_holders *h, const struct kb_holder_req *rq, uint64_t netns,
			 uint64_t now, const struct kb_holder *res)
{
	struct result *r = &h->results[h->result_next++ % RESULT_MAX];

	memset(r, 0, sizeof(*r));
	r->used = true;
	r->netns = netns;
	r->family = rq->family;
	r->proto = rq->proto;
	r->port = rq->port;
	r->v6only = rq->v6only;
	r->addr_known = rq->addr_known;
	memcpy(r->addr, rq->addr, 16);
	snprintf(r->path, sizeof(r->path), "%s", rq->path ? rq->path : "");
	r->res = *res;
	r->ts = now;
}

static int lookup_inet(struct kb_holders *h, struct nsent *ns, const struct kb_holder_req *rq,
		       uint64_t now, struct kb_holder *out)
{
	struct inet_ctx x = { .rq = rq };
	int protos[2], np = 0, ret = 0;
	const struct cand *best = NULL;

	if (rq->proto == IPPROTO_TCP || rq->proto == IPPROTO_UDP)
		protos[np++] = rq->proto;
	else {
		protos[np++] = IPPROTO_TCP;
		protos[np++] = IPPROTO_UDP;
	}
	for (int p = 0; p < np && !ret; p++) {
		/*
		 * TCP listeners first: that dump walks only the listening
		 * hash, while the rest walks every bucket of the established
		 * and bind hashes (a few ms on a large machine).  A listener
		 * is the usual answer.  The other family matters too:
		 * dual-stack IPv6 sockets cover IPv4.
		 */
		uint32_t first = protos[p] == IPPROTO_TCP ? 1u << ST_LISTEN : ~0u;

		ret = inet_query(h, ns->diag_fd, AF_INET, protos[p], first, &x);
		if (!ret)
			ret = inet_query(h, ns->diag_fd, AF_INET6, protos[p], first, &x);
		if (ret || protos[p] != IPPROTO_TCP || x.count)
			continue;
		/* every other state, bound-but-idle sockets included (6.6+) */
		ret = inet_query(h, ns->diag_fd, AF_INET, protos[p], ~(1u << ST_LISTEN), &x);
		if (!ret)
			ret = inet_query(h, ns->diag_fd, AF_INET6, protos[p], ~(1u << ST_LISTEN), &x);
	}
	if (ret)
		return ret;
	for (int i = 0; i < x.nc; i++)
		if (!best || x.c[i].rank > best->rank)
			best = &x.c[i];
	out->known = true;
	out->count = x.count;
	out->pid = -1;
	out->only_timewait = x.count > 0 && x.timewait == x.count;
	if (!best)
		return 0;
	out->proto = best->proto == IPPROTO_UDP ? "udp" : "tcp";
	out->state = kb_tcp_state_name(best->state, best->proto == IPPROTO_UDP);
	out->v6only = best->v6only;
	out->dualstack = rq->family == AF_INET && best->family == AF_INET6 &&
			 is_any(AF_INET6, best->addr) && !best->v6only;
	inet_ntop(best->family, best->addr, out->addr, sizeof(out->addr));
	fill_owner(h, best->ino, ns->ino, rq->port, now, out);
	return 0;
}

static int lookup_unix(struct kb_holders *h, struct nsent *ns, const struct kb_holder_req *rq,
		       uint64_t now, struct kb_holder *out)
{
	struct unix_ctx x = { .path = rq->path };
	const struct cand *best = NULL;
	int ret, bi = 0;

	ret = unix_query(h, ns->diag_fd, &x);
	if (ret)
		return ret;
	for (int i = 0; i < x.nc; i++)
		if (!best || x.c[i].rank > best->rank) {
			best = &x.c[i];
			bi = i;
		}
	out->known = true;
	out->count = x.count;
	out->pid = -1;
	if (!best)
		return 0;
	out->proto = "unix";
	out->state = best->state == ST_LISTEN ? "LISTEN" :
		     best->state == ST_ESTABLISHED ? "ESTABLISHED" : "UNCONN";
	snprintf(out->addr, sizeof(out->addr), "%s", x.names[bi]);
	fill_owner(h, best->ino, ns->ino, 0, now, out);
	return 0;
}

int kb_holder_lookup(struct kb_holders *h, const struct kb_holder_req *rq, uint64_t now_ns,
		     struct kb_holder *out)
{
	uint64_t netns = rq->netns;
	struct result *r;
	struct nsent *ns;
	int ret;

	memset(out, 0, sizeof(*out));
	out->pid = -1;
	if (rq->family == AF_UNIX ? !rq->path || !rq->path[0] :
	    (rq->family != AF_INET && rq->family != AF_INET6) || rq->port <= 0)
		return -EINVAL;
	if (!netns && rq->pid > 0)
		netns = kb_proc_netns(rq->pid);
	if (!netns)
		return -ESRCH;
	r = result_cached(h, rq, netns, now_ns);
	if (r) {
		*out = r->res;
		return 0;
	}
	if (!take_token(h, now_ns))
		return -EAGAIN;
	ns = ns_get(h, rq->pid, netns, now_ns);
	if (!ns)
		return -ESRCH;
	if (ns->diag_fd < 0)
		return ns->diag_fd;
	if (rq->family == AF_UNIX)
		ret = lookup_unix(h, ns, rq, now_ns, out);
	else
		ret = lookup_inet(h, ns, rq, now_ns, out);
	if (ret) {
		/* a dump may be half read: start the next one on a fresh socket */
		close(ns->diag_fd);
		ns->diag_fd = -1;
		ns->ino = 0;
		memset(out, 0, sizeof(*out));
		out->pid = -1;
		return ret;
	}
	result_store(h, rq, netns, now_ns, out);
	return 0;
}
