/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * session.h - all kernel tracing state of one kbindtop run: its private
 * tracefs instances ("kbindtop.<pid>", "kbindtop.<pid>.r") and its dynamic
 * events (group "kbindtop_<pid>").  Nothing outside these names is ever
 * written.  Also reaps what killed runs left behind.
 *
 * The main thread creates, configures and destroys a session; the reader
 * thread only opens its trace_pipe_raw files.  kb_session_emergency() is
 * async-signal-safe and meant for fatal-signal handlers only.
 */
#ifndef KB_SESSION_H
#define KB_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct tracefs_dynevent;
struct tracefs_instance;

#define KB_MAX_INST	2
#define KB_MAX_DYN	16
#define KB_NAME_PREFIX	"kbindtop"

struct kb_session {
	int pid;
	char group[32];				/* dynamic event group */
	int ninst;
	struct tracefs_instance *inst[KB_MAX_INST];
	char inst_name[KB_MAX_INST][48];
	int ndyn;
	struct tracefs_dynevent *dyn[KB_MAX_DYN];
	/* precomputed for the async-signal-safe path */
	char emerg_rmdir[KB_MAX_INST][512];
	char emerg_dyn_path[512];
	char emerg_dyn_del[KB_MAX_DYN][96];
	unsigned int buffer_kb;
	bool started;
};

/*
 * kb_tracefs_mount - make sure tracefs is mounted, mounting it at
 * /sys/kernel/tracing (or /sys/kernel/debug/tracing) if needed.
 * Returns 0, or -errno with a message in err.
 */
int kb_tracefs_mount(char *err, size_t errlen);

/* Allocate a session for this process; creates nothing yet. */
void kb_session_init(struct kb_session *s, unsigned int buffer_kb);

/*
 * kb_session_add_instance - create a private instance with tracing off,
 * mono clock, buffer_percent 0 and the session's buffer size, optionally
 * with user stack traces.  Returns the instance index or -errno.
 */
int kb_session_add_instance(struct kb_session *s, bool userstacks, char *err, size_t errlen);

/*
 * kb_session_add_dynevent - create a dynamic event (kprobe, kretprobe,
 * uprobe) and remember it for removal.  Takes ownership of ev.  On
 * failure returns -errno and puts the kernel's error_log line in err.
 */
int kb_session_add_dynevent(struct kb_session *s, struct tracefs_dynevent *ev,
			    char *err, size_t errlen);

/* Enable system/event in instance idx, with an optional filter. */
int kb_session_enable(struct kb_session *s, int idx, const char *system, const char *event,
		      const char *filter, char *err, size_t errlen);

/* Set the filter of system/event in instance idx without enabling it. */
int kb_session_filter(struct kb_session *s, int idx, const char *system, const char *event,
		      const char *filter, char *err, size_t errlen);

/* Append a trigger ("stacktrace") to an event in instance idx. */
int kb_session_trigger(struct kb_session *s, int idx, const char *system, const char *event,
		       const char *trigger, char *err, size_t errlen);

/* Restrict instance idx to these task ids and their children (event-fork). */
int kb_session_set_pids(struct kb_session *s, int idx, const int *tids, int n, char *err, size_t errlen);

/* Disable every event enabled in one instance (ours only). */
void kb_instance_events_off(struct tracefs_instance *in);

/* Turn recording on in every instance. */
int kb_session_start(struct kb_session *s);

/* Turn recording off (readers may still drain what is buffered). */
void kb_session_stop(struct kb_session *s);

/*
 * kb_session_destroy - remove every instance and dynamic event this
 * session created.  Readers must have closed their files first (an open
 * trace_pipe_raw keeps an instance busy).  Idempotent.  Returns 0 or the
 * first -errno (the rest is still attempted).
 */
int kb_session_destroy(struct kb_session *s);

/* Async-signal-safe best-effort removal, for fatal signal handlers. */
void kb_session_emergency(const struct kb_session *s);

#endif
