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

struct kb_proc {
	int pid;			/* thread group id (key) */
	bool alive;			/* /proc/PID existed at the last look */
	bool uid_known;
	uint32_t uid;
	char comm[KB_COMM_LEN];		/* raw bytes */
	char user[33];			/* visible text; numeric uid when no name */
	uint64_t loaded_ns;		/* when /proc was last read */
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

/* Entries evicted to stay within max. */
uint64_t kb_procs_evicted(const struct kb_procs *pc);

/* Thread group id of thread tid from /proc/TID/status; -errno if gone. */
int kb_proc_tgid(int tid);

/* Command name of task tid from /proc (raw bytes, NUL-terminated); -errno. */
int kb_proc_comm(int tid, char comm[KB_COMM_LEN]);

/* User name for uid (cached); numeric text when it has none. */
const char *kb_user_name(uint32_t uid, char *buf, size_t len);

#endif
