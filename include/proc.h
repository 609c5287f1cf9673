/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * proc.h - facts about traced processes read from /proc, cached per
 * process and bounded in number.  Short-lived processes may be gone by the
 * time they are looked up: every field has a "known" state, nothing is
 * guessed.  Consumer thread only.
 */
#ifndef KB_PROC_H
#define KB_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kb_event.h"

#define KB_CMDLINE_VIS	256	/* visible text kept of a command line */
#define KB_CGROUP_VIS	160	/* visible text kept of a cgroup path (its tail) */
#define KB_CTR_VIS	96	/* container / unit names */

struct kb_proc {
	int pid;			/* thread group id (key) */
	bool alive;			/* /proc/PID existed at the last look */
	bool uid_known;
	uint32_t uid;
	char comm[KB_COMM_LEN];		/* raw bytes */
	char user[33];			/* visible text; numeric uid when no name */
	/* context: each "" / 0 / -1 when it could not be read */
	int ppid;
	uint64_t netns;			/* inode of /proc/PID/ns/net */
	char cmdline[KB_CMDLINE_VIS];	/* visible, arguments separated by spaces */
	char cgroup[KB_CGROUP_VIS];	/* visible; "..." + tail when too long */
	char container[KB_CTR_VIS];	/* see kb_cgroup_describe() */
	char unit[KB_CTR_VIS];
	char pod[KB_CTR_VIS];		/* Kubernetes pod name, see kb_cgroup_pod_name() */
	/* the enricher's per-process share of socket inspections */
	uint64_t insp_window_ns;
	uint32_t insp_n;
	uint64_t loaded_ns;		/* when /proc was last read */
	uint64_t gen;			/* new at every (re)load, unique in the cache's lifetime */
	/* cache bookkeeping */
	int next;
	uint64_t used;
};

struct kb_procs;

struct kb_procs *kb_procs_new(int max);
void kb_procs_free(struct kb_procs *pc);

/*
 * kb_procs_get - the entry for pid, loading /proc on first sight, when the
 * command name the event recorded differs from the cached one (exec, pid
 * reuse), or when older than ttl_ns.  comm may be NULL or "".
 */
struct kb_proc *kb_procs_get(struct kb_procs *pc, int pid, const char *comm, uint64_t now_ns,
			     uint64_t ttl_ns);

/*
 * kb_procs_thread - thread group id and command name of thread tid,
 * cached per thread for ttl_ns; an entry whose command differs from the
 * event's own comm (exec, tid reuse) is looked up again.  Returns the
 * tgid, or -1 (out_comm "") when the thread is gone.
 */
int kb_procs_thread(struct kb_procs *pc, int tid, const char *comm, uint64_t now_ns, uint64_t ttl_ns,
		    char out_comm[KB_COMM_LEN]);

/* Loads of process details from /proc so far. */
uint64_t kb_procs_loads(const struct kb_procs *pc);

/* Thread group id of thread tid from /proc/TID/status; -errno if gone. */
int kb_proc_tgid(int tid);

/* Command name of task tid from /proc (raw bytes, NUL-terminated); -errno. */
int kb_proc_comm(int tid, char comm[KB_COMM_LEN]);

/* Network namespace inode of process pid (/proc/PID/ns/net); 0 if unknown. */
uint64_t kb_proc_netns(int pid);

/* User name for uid (cached); numeric text when it has none. */
const char *kb_user_name(uint32_t uid, char *buf, size_t len);

#endif
