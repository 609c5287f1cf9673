// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * proc.c - /proc lookups and the per-process cache.
 *
 * Reads are bounded (fixed buffers) and everything read is treated as
 * untrusted bytes.  The cache is a hash of pid with least-recently-used
 * eviction when full, so memory stays bounded under pid churn.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cgroup.h"
#include "fileio.h"
#include "proc.h"
#include "strbuf.h"
#include "xalloc.h"

#define NBUCKET 8192

#define NTHREAD 4096	/* direct-mapped thread cache, power of two */

#define NUTS 16					/* UTS namespaces whose hostname is kept */
#define UTS_TTL_NS (10ULL * 1000000000ULL)	/* namespace inodes are reused */

/* The hostname of one UTS namespace. */
struct uts_ent {
	uint64_t ino;
	uint64_t ts;
	char name[KB_HOSTNAME_MAX + 1];
};

/* What a thread id resolved to, so a busy thread is looked up once. */
struct thread_ent {
	int tid;
	int tgid;
	uint64_t ts;
	char comm[KB_COMM_LEN];
};

struct kb_procs {
	int max, n;
	struct kb_proc *e;
	struct thread_ent thr[NTHREAD];
	struct uts_ent uts[NUTS];
	unsigned int uts_next;
	int bucket[NBUCKET];
	uint64_t tick;
	uint64_t gen;
	unsigned int cursor;
};

int kb_proc_tgid(int tid)
{
	char path[64], buf[2048];
	const char *p;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	n = kb_file_read_small(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	p = kb_line_value(buf, "Tgid:");
	return p ? atoi(p) : -ENOENT;
}

int kb_proc_comm(int tid, char comm[KB_COMM_LEN])
{
	char path[64], buf[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/comm", tid);
	n = kb_file_read_small(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	memset(comm, 0, KB_COMM_LEN);
	memcpy(comm, buf, (size_t)n < KB_COMM_LEN - 1 ? (size_t)n : KB_COMM_LEN - 1);
	return 0;
}

const char *kb_user_name(uint32_t uid, char *buf, size_t len)
{
	static struct { uint32_t uid; char name[33]; bool used; } cache[64];
	struct passwd pw, *res = NULL;
	char tmp[1024];
	unsigned int slot = uid % 64;

	if (cache[slot].used && cache[slot].uid == uid) {
		snprintf(buf, len, "%s", cache[slot].name);
		return buf;
	}
	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) == 0 && res && res->pw_name)
		kb_visible_str(cache[slot].name, sizeof(cache[slot].name), res->pw_name, 32);
	else
		snprintf(cache[slot].name, sizeof(cache[slot].name), "%u", uid);
	cache[slot].uid = uid;
	cache[slot].used = true;
	snprintf(buf, len, "%s", cache[slot].name);
	return buf;
}

struct kb_procs *kb_procs_new(int max)
{
	struct kb_procs *pc = xcalloc(1, sizeof(*pc));

	pc->max = max > 16 ? max : 16;
	pc->e = xcalloc((size_t)pc->max, sizeof(*pc->e));
	for (int i = 0; i < NBUCKET; i++)
		pc->bucket[i] = -1;
	return pc;
}

void kb_procs_free(struct kb_procs *pc)
{
	if (!pc)
		return;
	free(pc->e);
	free(pc);
}

int kb_procs_thread(struct kb_procs *pc, int tid, const char *comm, uint64_t now_ns, uint64_t ttl_ns,
		    char out_comm[KB_COMM_LEN])
{
	struct thread_ent *t = &pc->thr[(unsigned int)tid & (NTHREAD - 1)];
	bool known_comm = comm && comm[0];

	if (t->tid == tid && now_ns - t->ts <= ttl_ns &&
	    (!known_comm || !strncmp(comm, t->comm, KB_COMM_LEN))) {
		memcpy(out_comm, t->comm, KB_COMM_LEN);
		return t->tgid;
	}
	t->tgid = kb_proc_tgid(tid);
	if (t->tgid <= 0) {
		/* gone: nothing to cache, the next event of this tid is another task */
		t->tid = 0;
		out_comm[0] = '\0';
		return -1;
	}
	if (known_comm) {
		memset(t->comm, 0, sizeof(t->comm));
		memcpy(t->comm, comm, strnlen(comm, KB_COMM_LEN - 1));
	} else if (kb_proc_comm(tid, t->comm)) {
		t->comm[0] = '\0';
	}
	t->tid = tid;
	t->ts = now_ns;
	memcpy(out_comm, t->comm, KB_COMM_LEN);
	return t->tgid;
}

uint64_t kb_procs_loads(const struct kb_procs *pc)
{
	return pc->gen;
}

static unsigned int hpid(int pid)
{
	return ((unsigned int)pid * 2654435761u) % NBUCKET;
}

static void unlink_entry(struct kb_procs *pc, int idx)
{
	int *pp = &pc->bucket[hpid(pc->e[idx].pid)];

	while (*pp != idx)
		pp = &pc->e[*pp].next;
	*pp = pc->e[idx].next;
}

uint64_t kb_proc_netns(int pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	return stat(path, &st) ? 0 : (uint64_t)st.st_ino;
}

/* Arguments joined by spaces; a process may write anything there. */
static void load_cmdline(struct kb_proc *p)
{
	char path[64], buf[KB_CMDLINE_VIS];
	ssize_t n;

	p->cmdline[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/cmdline", p->pid);
	n = kb_file_read_small(path, buf, sizeof(buf));
	if (n <= 0)
		return;
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	kb_visible(p->cmdline, sizeof(p->cmdline), buf, (size_t)n);
}

struct utsjob {
	int nsfd;
	int err;
	char name[KB_HOSTNAME_MAX + 1];
};

/* Helper thread: the only code that enters another UTS namespace, to read its hostname. */
static void *uts_worker(void *arg)
{
	struct utsjob *job = arg;
	struct utsname u;

	if (setns(job->nsfd, CLONE_NEWUTS) || uname(&u)) {
		job->err = -errno;
		return NULL;
	}
	snprintf(job->name, sizeof(job->name), "%s", u.nodename);
	return NULL;
}

/*
 * Hostname (raw bytes) of the UTS namespace of pid, cached per namespace
 * for a while; "" when it cannot be read.  Our own namespace needs no
 * thread; another one costs a thread that enters it.
 */
static const char *uts_hostname(struct kb_procs *pc, int pid, uint64_t now)
{
	struct utsjob job = { .nsfd = -1 };
	struct stat st, self;
	struct uts_ent *e;
	char path[64];
	pthread_t t;

	snprintf(path, sizeof(path), "/proc/%d/ns/uts", pid);
	job.nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (job.nsfd < 0)
		return "";
	if (fstat(job.nsfd, &st))
		goto out_close;
	for (int i = 0; i < NUTS; i++) {
		e = &pc->uts[i];
		if (e->ino == (uint64_t)st.st_ino && now - e->ts < UTS_TTL_NS) {
			close(job.nsfd);
			return e->name;
		}
	}
	if (!stat("/proc/self/ns/uts", &self) && self.st_ino == st.st_ino) {
		struct utsname u;

		if (uname(&u))
			goto out_close;
		snprintf(job.name, sizeof(job.name), "%s", u.nodename);
	} else {
		if (pthread_create(&t, NULL, uts_worker, &job))
			goto out_close;
		pthread_join(t, NULL);
		if (job.err)
			goto out_close;
	}
	close(job.nsfd);
	e = &pc->uts[pc->uts_next++ % NUTS];
	e->ino = (uint64_t)st.st_ino;
	e->ts = now;
	memcpy(e->name, job.name, sizeof(e->name));
	return e->name;

out_close:
	close(job.nsfd);
	return "";
}

static void load_cgroup(struct kb_procs *pc, struct kb_proc *p, uint64_t now)
{
	char path[64], buf[4096], cg[1024], vis[4 * 1024];
	size_t l;
	ssize_t n;

	p->cgroup[0] = p->container[0] = p->unit[0] = p->pod[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/cgroup", p->pid);
	n = kb_file_read_small(path, buf, sizeof(buf));
	if (n <= 0 || kb_cgroup_from_file(buf, (size_t)n, cg, sizeof(cg)))
		return;
	kb_cgroup_describe(cg, p->container, sizeof(p->container), p->unit, sizeof(p->unit));
	/* namespaces are entered only for processes in a pod's cgroup */
	if (!kb_cgroup_pod_uid(cg, vis, sizeof(vis))) {
		char host[KB_HOSTNAME_MAX + 1];

		/* the host is PID 1's namespace; where that is hidden from us, our own */
		snprintf(host, sizeof(host), "%s", uts_hostname(pc, 1, now));
		if (!host[0])
			snprintf(host, sizeof(host), "%s", uts_hostname(pc, getpid(), now));
		kb_cgroup_pod_name(cg, uts_hostname(pc, p->pid, now), host, p->pod, sizeof(p->pod));
	}
	/* the innermost components say the most: keep the tail */
	l = kb_visible(vis, sizeof(vis), cg, strlen(cg));
	if (l < sizeof(p->cgroup)) {
		memcpy(p->cgroup, vis, l + 1);
	} else {
		const char *t = vis + l - (sizeof(p->cgroup) - 4);
		const char *slash = strchr(t, '/');

		snprintf(p->cgroup, sizeof(p->cgroup), "...%s", slash ? slash : t);
	}
}

static void load(struct kb_procs *pc, struct kb_proc *p, uint64_t now)
{
	char path[64], buf[2048];
	const char *f;

	p->ppid = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", p->pid);
	p->alive = kb_file_read_small(path, buf, sizeof(buf)) > 0;
	if (!p->alive)
		return;
	f = kb_line_value(buf, "Uid:");
	if (f) {
		p->uid = (uint32_t)strtoul(f, NULL, 10);
		p->uid_known = true;
		kb_user_name(p->uid, p->user, sizeof(p->user));
	}
	f = kb_line_value(buf, "PPid:");
	if (f)
		p->ppid = atoi(f);
	if (!p->comm[0])
		kb_proc_comm(p->pid, p->comm);
	p->netns = kb_proc_netns(p->pid);
	load_cmdline(p);
	load_cgroup(pc, p, now);
}

struct kb_proc *kb_procs_get(struct kb_procs *pc, int pid, const char *comm, uint64_t now_ns,
			     uint64_t ttl_ns)
{
	struct kb_proc *p = NULL;
	int idx;

	for (idx = pc->bucket[hpid(pid)]; idx >= 0; idx = pc->e[idx].next) {
		if (pc->e[idx].pid == pid) {
			p = &pc->e[idx];
			break;
		}
	}
	if (p) {
		bool renamed = comm && comm[0] && strncmp(comm, p->comm, KB_COMM_LEN);

		if (renamed || (ttl_ns && now_ns - p->loaded_ns > ttl_ns && p->alive)) {
			if (renamed) {
				memset(p->comm, 0, sizeof(p->comm));
				memcpy(p->comm, comm, strnlen(comm, KB_COMM_LEN - 1));
			}
			load(pc, p, now_ns);
			p->loaded_ns = now_ns;
			p->gen = ++pc->gen;
		}
		p->used = ++pc->tick;
		return p;
	}
	if (pc->n < pc->max) {
		idx = pc->n++;
	} else {
		/*
		 * Full: evict the least recently used of the next 16 slots
		 * (sampled LRU: O(1) per insert even under pid churn).
		 */
		uint64_t best = UINT64_MAX;

		idx = 0;
		for (int k = 0; k < 16; k++) {
			int i = (int)(pc->cursor++ % (unsigned int)pc->n);

			if (pc->e[i].used < best) {
				best = pc->e[i].used;
				idx = i;
			}
		}
		unlink_entry(pc, idx);
	}
	p = &pc->e[idx];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	if (comm && comm[0])
		memcpy(p->comm, comm, strnlen(comm, KB_COMM_LEN - 1));
	load(pc, p, now_ns);
	p->loaded_ns = now_ns;
	p->gen = ++pc->gen;
	p->used = ++pc->tick;
	p->next = pc->bucket[hpid(pid)];
	pc->bucket[hpid(pid)] = idx;
	return p;
}
