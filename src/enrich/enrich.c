// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * enrich.c - from kb_event to kb_bind.
 *
 * The reader thread never touches /proc or traced processes; all of that
 * happens here, in the consumer, as soon as the event arrives (typically
 * well under a millisecond after the bind).
 *
 * Count first, explain later: what a call's target (process, address
 * bytes, result) determines is worked out once per target and kept in a
 * small direct-mapped cache -- the decoded address, and for a failure the
 * holder of the address (refreshed every HOLDER_REFRESH_NS, not per call).
 * Process details come from the per-process cache (kb_procs).  What only
 * the socket itself can say (protocol, options, device, assigned port)
 * is read per call, within a budget: a target does not identify the
 * socket (a DNS server binds tcp and udp to the same address, a loop
 * reuses one fd for both), and the socket must be read while it still
 * holds the address (tests/live/reuse.sh).  Calls a budget skipped have
 * those fields unknown, and are counted (kb_enrich_stats).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "enrich.h"
#include "hints.h"
#include "holder.h"
#include "proc.h"
#include "rate.h"
#include "sockinfo.h"
#include "strbuf.h"
#include "symbols.h"
#include "xalloc.h"

#define PROC_CACHE	16384
#define PROC_TTL_NS	(2ULL * 1000000000ULL)
#define THREAD_TTL_NS	(1ULL * 1000000000ULL)
/*
 * A holder lookup (a sock_diag dump) costs 0.5-0.7 ms here; a storm of
 * failing binds to ever new ports would spend 14 ms/s at 20 a second.
 */
#define HOLDER_LOOKUPS_PER_SEC	10
/* one process's share of the inspection budget, per second */
#define INSPECT_PER_PROC	200
/* processes whose io_uring-bound sockets are remembered (so each is found once) */
#define SCAN_PROCS	64
#define SCAN_INODES	32

struct scanned {
	int pid;
	int n;
	uint64_t ino[SCAN_INODES];
};

/*
 * Targets remembered (direct-mapped, power of two), failed ones apart: a
 * storm of successful binds to ever new ports must not push out the few
 * failing targets whose holder lookups (milliseconds each) are kept.
 */
#define TARGET_SLOTS		4096
#define FAIL_SLOTS		1024
/* a target's holder is looked up again after this long */
#define HOLDER_REFRESH_NS	(10ULL * 1000000000ULL)

/* What a target determines, worked out on its first call. */
struct target {
	uint64_t hash;			/* 0: empty slot */
	int pid;
	int32_t ret;
	uint16_t sa_len;
	uint8_t sa[KB_SA_MAX];
	struct kb_addr addr;
};

/*
 * The holder of a failed target's address, per question asked: protocol
 * unknown / tcp / udp, and whether the binding socket is IPv6-only (one
 * port held by a tcp and a udp socket gets different answers).
 */
struct holder_memo {
	uint64_t ns;			/* 0: not looked up yet */
	struct kb_holder h;
};

struct fail_info {
	struct holder_memo memo[3][2];
};

struct kb_enricher {
	struct kb_procs *procs;
	struct kb_symbolizer *sym;
	struct kb_holders *holders;
	struct kb_rate budget;		/* socket inspections */
	struct kb_enrich_stats st;
	int self;
	const char *backend;
	struct scanned scanned[SCAN_PROCS];
	int next_scanned;
	struct target *targets;		/* TARGET_SLOTS successful (or unknown) calls */
	struct target *failed;		/* FAIL_SLOTS failed calls */
	struct fail_info *finfo;	/* FAIL_SLOTS, slot by slot with failed */
};

struct kb_enricher *kb_enricher_new(int inspect_per_sec, const char *backend)
{
	struct kb_enricher *en = xcalloc(1, sizeof(*en));

	en->procs = kb_procs_new(PROC_CACHE);
	en->sym = kb_sym_new();
	en->holders = kb_holders_new(HOLDER_LOOKUPS_PER_SEC);
	kb_rate_init(&en->budget, inspect_per_sec, inspect_per_sec / 4.0);
	en->self = getpid();
	en->backend = backend;
	en->targets = xcalloc(TARGET_SLOTS, sizeof(*en->targets));
	en->failed = xcalloc(FAIL_SLOTS, sizeof(*en->failed));
	en->finfo = xcalloc(FAIL_SLOTS, sizeof(*en->finfo));
	return en;
}

void kb_enricher_free(struct kb_enricher *en)
{
	if (!en)
		return;
	kb_procs_free(en->procs);
	kb_sym_free(en->sym);
	kb_holders_free(en->holders);
	free(en->targets);
	free(en->failed);
	free(en->finfo);
	free(en);
}

struct kb_symbolizer *kb_enricher_symbolizer(struct kb_enricher *en)
{
	return en->sym;
}

void kb_enricher_stats(const struct kb_enricher *en, struct kb_enrich_stats *st)
{
	*st = en->st;
	st->procs_loaded = kb_procs_loads(en->procs);
	st->holder_skipped = kb_holders_skipped(en->holders);
}

static bool take_token(struct kb_enricher *en, uint64_t now)
{
	if (kb_rate_take(&en->budget, now))
		return true;
	en->st.sock_skipped++;
	return false;
}

/*
 * A bind storm from one process must not starve everyone else's
 * inspections: each process gets at most INSPECT_PER_PROC a second of the
 * global budget.
 */
static bool proc_share(struct kb_enricher *en, struct kb_proc *p, uint64_t now)
{
	if (!p)
		return true;
	if (now - p->insp_window_ns >= 1000000000ULL) {
		p->insp_window_ns = now;
		p->insp_n = 0;
	}
	if (p->insp_n >= INSPECT_PER_PROC) {
		en->st.sock_skipped++;
		return false;
	}
	p->insp_n++;
	return true;
}

/*
 * Could si be the socket this bind was on?  Its family must be the one
 * bound and, after a successful bind, it must hold the address that was
 * bound; failed binds leave nothing more to compare.
 */
static bool same_socket(const struct kb_sockinfo *si, const void *arg)
{
	const struct kb_bind *b = arg;
	struct kb_addr now;

	if (b->addr.family >= 0 && si->domain != b->addr.family)
		return false;
	if (b->ev.ret != 0 || b->addr.family < 0)
		return true;
	if (si->namelen < 2)
		return false;
	kb_sockaddr_decode(si->name, si->namelen, &now);
	if (now.family != b->addr.family)
		return false;
	if (b->addr.family == AF_INET || b->addr.family == AF_INET6)
		return !strcmp(now.text, b->addr.text) &&
		       (b->addr.port == 0 || now.port == b->addr.port);
	if (b->addr.family == AF_UNIX && b->addr.text[0] && strcmp(b->addr.text, "(autobind)"))
		return !strcmp(now.text, b->addr.text);
	return true;
}

static void inspect_socket(struct kb_enricher *en, struct kb_bind *b, struct kb_proc *p,
			   uint64_t now)
{
	const struct kb_event *ev = &b->ev;
	struct kb_sockinfo si;
	struct kb_addr bound;

	if (b->pid <= 0 || ev->fd < 0 || (ev->flags & KB_EVF_IOURING) || !proc_share(en, p, now) ||
	    !take_token(en, now))
		return;
	en->st.sock_inspected++;
	/* the fd may already be another socket (closed and reused): then nothing is trusted */
	if (kb_sock_inspect(b->pid, ev->fd, &si, same_socket, b))
		return;
	b->sock_known = true;
	b->sock_type = si.type;
	b->sock_proto = si.protocol;
	b->proto = kb_proto_name(si.domain, si.type, si.protocol);
	if (si.opts_known) {
		b->opts_known = true;
		b->opts = si.opts;
		kb_visible_str(b->dev, sizeof(b->dev), si.dev, sizeof(si.dev));
	}
	if (ev->ret == 0 && si.namelen >= 4) {
		kb_sockaddr_decode(si.name, si.namelen, &bound);
		if (bound.family == b->addr.family && bound.port >= 0)
			b->bound_port = bound.port;
	}
	if (b->addr_src == KB_ADDR_NONE && si.namelen >= 2) {
		/* nothing captured and the late read failed: what the socket holds */
		kb_sockaddr_decode(si.name, si.namelen, &b->addr);
		b->addr_src = KB_ADDR_SOCKNAME;
	}
}

static struct scanned *scanned_for(struct kb_enricher *en, int pid)
{
	struct scanned *s;

	for (int i = 0; i < SCAN_PROCS; i++)
		if (en->scanned[i].pid == pid)
			return &en->scanned[i];
	s = &en->scanned[en->next_scanned];
	en->next_scanned = (en->next_scanned + 1) % SCAN_PROCS;
	s->pid = pid;
	s->n = 0;
	return s;
}

/*
 * An io_uring bind seen without kprobes names neither socket nor address:
 * after a success, the process's socket that became bound is the best
 * guess (unverified), the way a late read is.  Sockets found before for
 * the same process are skipped, so consecutive binds find each their own.
 */
static void find_iouring_socket(struct kb_enricher *en, struct kb_bind *b, struct kb_proc *p,
				uint64_t now)
{
	struct kb_sockinfo si;
	struct scanned *sc;
	uint64_t ino;
	int fd;

	if (b->pid <= 0 || b->ev.ret != 0 || !proc_share(en, p, now) || !take_token(en, now))
		return;
	sc = scanned_for(en, b->pid);
	if (kb_sock_find_bound(b->pid, sc->ino, sc->n, &fd, &ino, &si))
		return;
	if (sc->n < SCAN_INODES)
		sc->ino[sc->n++] = ino;
	kb_sockaddr_decode(si.name, si.namelen, &b->addr);
	b->addr_src = KB_ADDR_SCAN;
	b->ev.fd = fd;
	b->sock_known = true;
	b->sock_type = si.type;
	b->sock_proto = si.protocol;
	b->proto = kb_proto_name(si.domain, si.type, si.protocol);
	b->bound_port = b->addr.port;
	if (si.opts_known) {
		b->opts_known = true;
		b->opts = si.opts;
		kb_visible_str(b->dev, sizeof(b->dev), si.dev, sizeof(si.dev));
	}
}

/* io_uring's own threads (SQPOLL, io-wq workers) act for the process that owns the ring. */
static bool iouring_thread(const struct kb_event *ev, const char *comm)
{
	if (!(ev->flags & KB_EVF_IOURING))
		return false;
	return (ev->flags & KB_EVF_SQPOLL) || !strncmp(comm, "iou-sqp-", 8) ||
	       !strncmp(comm, "iou-wrk-", 8);
}

/*
 * Who holds the address of an EADDRINUSE: fills b->holder.  Once per
 * target (and protocol), again after HOLDER_REFRESH_NS: a server retrying
 * a busy port thousands of times costs one lookup, not thousands.
 */
static void find_holder(struct kb_enricher *en, struct kb_bind *b, struct target *tg, uint64_t now)
{
	struct kb_holder_req rq = {
		.pid = b->pid, .netns = b->netns, .family = b->addr.family, .port = b->addr.port,
	};
	struct holder_memo *memo = NULL;
	char text[KB_ADDR_TEXT], *pct;
	int r;

	if (b->pid <= 0)
		return;
	if (b->addr.family == AF_UNIX) {
		if (!b->addr.text[0] || !strcmp(b->addr.text, "(autobind)"))
			return;
		rq.path = b->addr.text;
	} else if (b->addr.family == AF_INET || b->addr.family == AF_INET6) {
		if (b->sock_known)
			rq.proto = b->sock_type == SOCK_DGRAM ? IPPROTO_UDP :
				   b->sock_type == SOCK_STREAM ? IPPROTO_TCP : -1;
		if (rq.proto < 0)
			return;
		rq.v6only = b->opts_known && (b->opts & KB_IPV6_V6ONLY);
		snprintf(text, sizeof(text), "%s", b->addr.text);
		pct = strchr(text, '%');
		if (pct)
			*pct = '\0';
		rq.addr_known = inet_pton(b->addr.family, text, rq.addr) == 1;
	} else {
		return;
	}
	if (tg && tg >= en->failed && tg < en->failed + FAIL_SLOTS)
		memo = &en->finfo[tg - en->failed].memo[rq.proto == IPPROTO_TCP ? 1 : rq.proto == IPPROTO_UDP ?
						   2 : 0][rq.v6only];
	if (memo && memo->ns && now - memo->ns < HOLDER_REFRESH_NS) {
		b->holder = memo->h;
		return;
	}
	en->st.holder_lookups++;
	r = kb_holder_lookup(en->holders, &rq, now, &b->holder);
	if (r || !memo)
		return;
	memo->h = b->holder;
	memo->ns = now;
}

static void explain(struct kb_enricher *en, struct kb_bind *b, struct target *tg, uint64_t now)
{
	int e = b->ev.ret == KB_RET_UNKNOWN ? 0 : -b->ev.ret;
	int unpriv = -1;

	if (b->ev.ret == 0 && b->pid > 0 && b->netns &&
	    (b->addr.family == AF_INET || b->addr.family == AF_INET6))
		kb_holders_note_bind(en->holders, b->netns, b->bound_port > 0 ? b->bound_port :
				     b->addr.port, b->pid);
	if (e <= 0)
		return;
	if (e == EADDRINUSE)
		find_holder(en, b, tg, now);
	if (e == EACCES && b->pid > 0 && b->addr.port > 0 && b->addr.port < 65536)
		unpriv = kb_holders_unpriv_port(en->holders, b->pid, b->netns, now);
	kb_hint(b, unpriv, b->hint, sizeof(b->hint));
}

static uint64_t target_hash(int pid, int32_t ret, const uint8_t *sa, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ (uint32_t)pid ^ ((uint64_t)(uint32_t)ret << 32);
	uint64_t w;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, sa + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, sa + i, n - i);
	h = (h ^ w ^ ((uint64_t)n << 56)) * 0x9e3779b97f4a7c15ULL;
	h ^= h >> 31;
	return h ? h : 1;
}

/*
 * The bytes of a sockaddr that say where it binds.  Probes capture more
 * than that (an AF_INET capture has 28 bytes, the tail being whatever was
 * on the caller's stack; sin_zero is not cleared by every program): those
 * must not make every call a new target.
 */
static uint16_t addr_key_len(const struct kb_event *ev)
{
	uint16_t n = ev->sa_len < KB_SA_MAX ? ev->sa_len : KB_SA_MAX;
	uint16_t fam;

	if (n < 2)
		return n;
	memcpy(&fam, ev->sa, 2);
	if (fam == AF_INET)
		return n < 8 ? n : 8;		/* family, port, address */
	if (fam == AF_INET6)
		return n < 28 ? n : 28;		/* ... flow info, address, scope */
	if (fam == AF_UNIX && n > 2 && ev->sa[2]) {
		const uint8_t *nul = memchr(ev->sa + 2, 0, n - 2U);

		return nul ? (uint16_t)(nul - ev->sa) : n;	/* a path ends at its NUL */
	}
	return n;
}

/*
 * The target of a call whose address the probe captured: pid, result and
 * the sockaddr bytes.  A new target (or one that took over the slot) has
 * its address decoded here, once.
 */
static struct target *target_get(struct kb_enricher *en, int pid, const struct kb_event *ev)
{
	uint16_t n = addr_key_len(ev);
	uint64_t h = target_hash(pid, ev->ret, ev->sa, n);
	bool fail = kb_event_failed(ev);
	struct target *t = fail ? &en->failed[h & (FAIL_SLOTS - 1)] : &en->targets[h & (TARGET_SLOTS - 1)];

	if (t->hash == h && t->pid == pid && t->ret == ev->ret && t->sa_len == n &&
	    !memcmp(t->sa, ev->sa, n))
		return t;
	if (fail)
		memset(&en->finfo[t - en->failed], 0, sizeof(struct fail_info));
	memset(t, 0, sizeof(*t));
	t->hash = h;
	t->pid = pid;
	t->ret = ev->ret;
	t->sa_len = n;
	memcpy(t->sa, ev->sa, n);
	kb_sockaddr_decode(ev->sa, ev->sa_len < KB_SA_MAX ? ev->sa_len : KB_SA_MAX, &t->addr);
	en->st.targets++;
	return t;
}

static void copy_context(struct kb_bind *b, const struct kb_proc *p)
{
	b->ppid = p->ppid;
	b->netns = p->netns;
	memcpy(b->cmdline, p->cmdline, sizeof(b->cmdline));
	memcpy(b->cgroup, p->cgroup, sizeof(b->cgroup));
	memcpy(b->container, p->container, sizeof(b->container));
	memcpy(b->unit, p->unit, sizeof(b->unit));
	memcpy(b->pod, p->pod, sizeof(b->pod));
}

void kb_enrich(struct kb_enricher *en, const struct kb_event *ev, struct kb_bind *b, uint64_t now)
{
	struct kb_proc *p = NULL;
	struct target *tg = NULL;
	char comm[KB_COMM_LEN] = "";

	/*
	 * Every field starts unknown (zero, empty, false); some are set only
	 * when a lookup succeeds.  Only the "unknown" values that are not zero
	 * need setting here.
	 */
	memset(b, 0, sizeof(*b));
	en->st.calls++;
	b->ev = *ev;
	b->bound_port = -1;
	b->backend = en->backend;
	b->sym = en->sym;
	b->ppid = -1;
	b->holder.pid = -1;
	if (ev->flags & KB_EVF_COMM_SYNC)
		memcpy(comm, ev->comm, KB_COMM_LEN);
	/*
	 * Without a user stack record the kernel did not say the thread
	 * group, and without a probe-recorded comm it did not say the name:
	 * ask /proc, once per thread (a storm thread binds thousands of times).
	 */
	if (ev->pid <= 0 || !comm[0]) {
		char tcomm[KB_COMM_LEN];
		int tgid = kb_procs_thread(en->procs, ev->tid, comm[0] ? comm : NULL, now,
					   THREAD_TTL_NS, tcomm);

		if (!comm[0])
			memcpy(comm, tcomm, KB_COMM_LEN);
		b->pid = ev->pid > 0 ? ev->pid : tgid;
	} else {
		b->pid = ev->pid;
	}
	if (b->pid <= 0)
		b->pid = -1;
	if (iouring_thread(ev, comm)) {
		/* the process's own name, not its ring thread's */
		comm[0] = '\0';
		b->ev.flags |= KB_EVF_SQPOLL;
	}
	if (b->pid > 0)
		p = kb_procs_get(en->procs, b->pid, comm[0] ? comm : NULL, now, PROC_TTL_NS);
	/* the memory map now, while the process still lives, for its stacks later */
	if (b->pid > 0 && (ev->n_ustack || (ev->flags & KB_EVF_STACK_WANTED)))
		kb_sym_note_process(en->sym, b->pid, now);
	if (!comm[0] && p)
		memcpy(comm, p->comm, KB_COMM_LEN);
	comm[KB_COMM_LEN - 1] = '\0';
	if (comm[0])
		kb_visible_str(b->comm, sizeof(b->comm), comm, KB_COMM_LEN);
	else
		snprintf(b->comm, sizeof(b->comm), "?");
	if (p && p->uid_known) {
		b->uid_known = true;
		b->uid = p->uid;
		_Static_assert(sizeof(b->user) == sizeof(p->user), "same user name buffers");
		memcpy(b->user, p->user, sizeof(b->user));
	}
	if (p) {
		copy_context(b, p);
		b->ctx_gen = p->gen;
	}

	b->addr_src = ev->addr_src;
	if (ev->sa_len) {
		tg = target_get(en, b->pid, ev);
		/* the text, not the whole 440-byte buffer: this is per call */
		b->addr.family = tg->addr.family;
		b->addr.port = tg->addr.port;
		memcpy(b->addr.text, tg->addr.text, strnlen(tg->addr.text, sizeof(b->addr.text) - 1) + 1);
	} else {
		uint8_t buf[KB_SA_MAX];
		size_t want = ev->addrlen < sizeof(buf) ? ev->addrlen : sizeof(buf);
		long n = b->pid > 0 && ev->uptr ? kb_mem_read(b->pid, ev->uptr, buf, want) : -1;

		if (n >= 2) {
			kb_sockaddr_decode(buf, (size_t)n, &b->addr);
			b->addr_src = KB_ADDR_LATE;
		} else {
			kb_sockaddr_decode(NULL, 0, &b->addr);
			b->addr_src = KB_ADDR_NONE;
		}
	}
	if (ev->stype >= 0) {
		/* the kernel probe saw the socket type: no need to ask the process */
		b->sock_known = true;
		b->sock_type = ev->stype;
		b->proto = kb_proto_name(b->addr.family, ev->stype, 0);
	}
	if (b->pid != en->self)
		inspect_socket(en, b, p, now);
	if ((ev->flags & KB_EVF_IOURING) && b->addr_src == KB_ADDR_NONE)
		find_iouring_socket(en, b, p, now);
	explain(en, b, tg, now);
}
