// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * session.c - private tracefs instances and dynamic events of one run,
 * and their teardown (reap.c removes what killed runs left behind).
 *
 * Names carry the owner's pid: instance "kbindtop.<pid>[.r]", dynamic
 * event group "kbindtop_<pid>".  A name is reaped only when no live
 * kbindtop has that pid.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <tracefs.h>

#include "caps.h"
#include "session.h"
#include "xalloc.h"

#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif

static const char *const tracefs_paths[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

static bool is_tracefs(const char *path)
{
	struct statfs st;
	char f[PATH_MAX];

	if (statfs(path, &st) || (unsigned long)st.f_type != TRACEFS_MAGIC)
		return false;
	snprintf(f, sizeof(f), "%s/instances", path);
	return access(f, F_OK) == 0;
}

/* libtracefs takes a writable string; give it a private copy */
static int use_dir(const char *path)
{
	static char dir[64];

	snprintf(dir, sizeof(dir), "%s", path);
	return tracefs_set_tracing_dir(dir) ? -EINVAL : 0;
}

int kb_tracefs_mount(char *err, size_t errlen)
{
	int first_errno = 0;
	char mode[32];

	/*
	 * lockdown=confidentiality leaves tracefs mountable but empty: every
	 * trace file is refused (LOCKDOWN_TRACEFS).  Say that, not "mount failed".
	 */
	if (!strcmp(kb_lockdown_mode(mode, sizeof(mode)), "confidentiality")) {
		snprintf(err, errlen, "kernel lockdown=confidentiality locks tracefs (no trace file can be "
			 "opened): nothing can be traced on this boot; lockdown=integrity allows it");
		return -EPERM;
	}

	for (size_t i = 0; i < sizeof(tracefs_paths) / sizeof(tracefs_paths[0]); i++) {
		if (is_tracefs(tracefs_paths[i]))
			return use_dir(tracefs_paths[i]);
	}
	/* not mounted: mount it where the kernel provides a mount point */
	for (size_t i = 0; i < sizeof(tracefs_paths) / sizeof(tracefs_paths[0]); i++) {
		const char *p = tracefs_paths[i];

		if (i == 1 && !is_tracefs(p)) {
			/* debugfs automounts tracefs below it */
			if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) == 0 && is_tracefs(p))
				return use_dir(p);
		}
		if (mount("tracefs", p, "tracefs", 0, NULL) == 0 && is_tracefs(p))
			return use_dir(p);
		if (!first_errno)
			first_errno = errno;
	}
	snprintf(err, errlen, "tracefs is not mounted and mounting it at %s failed: %s%s",
		 tracefs_paths[0], strerror(first_errno),
		 first_errno == ENODEV ? " (kernel built without CONFIG_FTRACE?)" :
		 first_errno == EPERM ? " (needs root / CAP_SYS_ADMIN)" : "");
	return -(first_errno ? first_errno : ENODEV);
}

void kb_session_init(struct kb_session *s, unsigned int buffer_kb)
{
	memset(s, 0, sizeof(*s));
	s->pid = getpid();
	s->buffer_kb = buffer_kb;
	snprintf(s->group, sizeof(s->group), KB_NAME_PREFIX "_%d", s->pid);
	snprintf(s->emerg_dyn_path, sizeof(s->emerg_dyn_path), "%s/dynamic_events",
		 tracefs_tracing_dir());
}

static int write_inst(struct tracefs_instance *in, const char *file, const char *val,
		      char *err, size_t errlen)
{
	if (tracefs_instance_file_write(in, file, val) < 0) {
		int e = errno ? errno : EIO;

		snprintf(err, errlen, "cannot write '%s' to %s/%s: %s", val,
			 tracefs_instance_get_name(in), file, strerror(e));
		return -e;
	}
	return 0;
}

int kb_session_add_instance(struct kb_session *s, bool userstacks, char *err, size_t errlen)
{
	struct tracefs_instance *in;
	char name[48], val[32];
	int idx = s->ninst, ret;

	if (idx >= KB_MAX_INST)
		return -ENOSPC;
	snprintf(name, sizeof(name), idx ? KB_NAME_PREFIX ".%d.r" : KB_NAME_PREFIX ".%d", s->pid);
	if (tracefs_instance_exists(name)) {
		snprintf(err, errlen, "instance %s already exists (another kbindtop with this pid?)", name);
		return -EEXIST;
	}
	in = tracefs_instance_create(name);
	if (!in) {
		int e = errno ? errno : EIO;

		snprintf(err, errlen, "cannot create tracefs instance %s: %s", name, strerror(e));
		return -e;
	}
	s->inst[idx] = in;
	snprintf(s->inst_name[idx], sizeof(s->inst_name[idx]), "%s", name);
	snprintf(s->emerg_rmdir[idx], sizeof(s->emerg_rmdir[idx]), "%s/instances/%s",
		 tracefs_tracing_dir(), name);
	s->ninst++;

	/* a new instance records immediately: switch that off before anything else */
	if ((ret = write_inst(in, "tracing_on", "0", err, errlen)))
		return ret;
	snprintf(val, sizeof(val), "%u", s->buffer_kb);
	if ((ret = write_inst(in, "buffer_size_kb", val, err, errlen)))
		return ret;
	/* timestamps comparable across instances and with clock_gettime() */
	if ((ret = write_inst(in, "trace_clock", "mono", err, errlen)))
		return ret;
	/* the default (50) keeps poll() asleep until a buffer is half full */
	if ((ret = write_inst(in, "buffer_percent", "0", err, errlen)))
		return ret;
	if (userstacks && tracefs_option_enable(in, TRACEFS_OPTION_USERSTACKTRACE)) {
		snprintf(err, errlen, "cannot enable userstacktrace in %s: %s", name, strerror(errno));
		return -errno;
	}
	return idx;
}

static void error_log_line(char *err, size_t errlen, const char *what)
{
	char *log = tracefs_error_last(NULL);

	if (log) {
		char *nl;

		while ((nl = strchr(log, '\n')))
			*nl = ' ';
		snprintf(err, errlen, "%s: kernel says: %s", what, log);
		free(log);
	} else {
		snprintf(err, errlen, "%s: %s", what, strerror(errno));
	}
}

int kb_session_add_dynevent(struct kb_session *s, struct tracefs_dynevent *ev, char *err, size_t errlen)
{
	char *sys = NULL, *name = NULL;

	if (s->ndyn >= KB_MAX_DYN) {
		tracefs_dynevent_free(ev);
		return -ENOSPC;
	}
	tracefs_dynevent_info(ev, &sys, &name, NULL, NULL, NULL);
	tracefs_error_clear(NULL);
	if (tracefs_dynevent_create(ev)) {
		int e = errno ? errno : EINVAL;
		char what[160];

		snprintf(what, sizeof(what), "cannot create probe %s/%s", sys ? sys : "?", name ? name : "?");
		error_log_line(err, errlen, what);
		free(sys);
		free(name);
		tracefs_dynevent_free(ev);
		return -e;
	}
	snprintf(s->emerg_dyn_del[s->ndyn], sizeof(s->emerg_dyn_del[0]), "-:%s/%s\n",
		 sys ? sys : "", name ? name : "");
	free(sys);
	free(name);
	s->dyn[s->ndyn++] = ev;
	return 0;
}

int kb_session_enable(struct kb_session *s, int idx, const char *system, const char *event,
		      const char *filter, char *err, size_t errlen)
{
	if (filter && *filter &&
	    tracefs_event_file_write(s->inst[idx], system, event, "filter", filter) < 0) {
		snprintf(err, errlen, "cannot set filter '%s' on %s/%s: %s", filter, system, event,
			 strerror(errno));
		return -errno;
	}
	/* the enable file directly: tracefs_event_enable() would scan every event */
	if (tracefs_event_file_write(s->inst[idx], system, event, "enable", "1") < 0) {
		int e = errno ? errno : ENOENT;

		snprintf(err, errlen, "cannot enable event %s/%s in %s: %s", system, event,
			 s->inst_name[idx], strerror(e));
		return -e;
	}
	return 0;
}

int kb_session_filter(struct kb_session *s, int idx, const char *system, const char *event,
		      const char *filter, char *err, size_t errlen)
{
	if (filter && *filter &&
	    tracefs_event_file_write(s->inst[idx], system, event, "filter", filter) < 0) {
		int e = errno ? errno : EINVAL;

		snprintf(err, errlen, "cannot set filter '%s' on %s/%s: %s", filter, system, event,
			 strerror(e));
		return -e;
	}
	return 0;
}

int kb_session_trigger(struct kb_session *s, int idx, const char *system, const char *event,
		       const char *trigger, char *err, size_t errlen)
{
	if (tracefs_event_file_append(s->inst[idx], system, event, "trigger", trigger) < 0) {
		snprintf(err, errlen, "cannot set trigger '%s' on %s/%s: %s", trigger, system, event,
			 strerror(errno));
		return -errno;
	}
	return 0;
}

int kb_session_set_pids(struct kb_session *s, int idx, const int *tids, int n, char *err, size_t errlen)
{
	char buf[16];
	int ret;

	if ((ret = write_inst(s->inst[idx], "options/event-fork", "1", err, errlen)))
		return ret;
	for (int i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%d", tids[i]);
		/* append: a plain write would replace the list */
		if (tracefs_instance_file_append(s->inst[idx], "set_event_pid", buf) < 0) {
			snprintf(err, errlen, "cannot add pid %d to set_event_pid: %s", tids[i],
				 strerror(errno));
			return -errno;
		}
	}
	return 0;
}

void kb_instance_events_off(struct tracefs_instance *in)
{
	/* truncating set_event disables every event of the instance in one write */
	tracefs_instance_file_clear(in, "set_event");
}

int kb_session_start(struct kb_session *s)
{
	for (int i = 0; i < s->ninst; i++)
		if (tracefs_trace_on(s->inst[i]))
			return -errno;
	s->started = true;
	return 0;
}

void kb_session_stop(struct kb_session *s)
{
	for (int i = 0; i < s->ninst; i++)
		tracefs_trace_off(s->inst[i]);
}

int kb_session_destroy(struct kb_session *s)
{
	int ret = 0;

	for (int i = s->ninst - 1; i >= 0; i--) {
		tracefs_trace_off(s->inst[i]);
		kb_instance_events_off(s->inst[i]);
		if (tracefs_instance_destroy(s->inst[i]) && !ret)
			ret = -errno;
		tracefs_instance_free(s->inst[i]);
		s->inst[i] = NULL;
	}
	s->ninst = 0;
	for (int i = s->ndyn - 1; i >= 0; i--) {
		if (tracefs_dynevent_destroy(s->dyn[i], false) && !ret)
			ret = -errno;
		tracefs_dynevent_free(s->dyn[i]);
		s->dyn[i] = NULL;
	}
	s->ndyn = 0;
	return ret;
}

void kb_session_emergency(const struct kb_session *s)
{
	const struct timespec pause = { 0, 5000000 };
	int fd;

	for (int i = s->ninst - 1; i >= 0; i--) {
		if (!s->emerg_rmdir[i][0])
			continue;
		/* busy while another thread's read or poll still holds a file: retry briefly */
		for (int k = 0; k < 40; k++) {
			if (rmdir(s->emerg_rmdir[i]) == 0 || errno != EBUSY)
				break;
			nanosleep(&pause, NULL);
		}
	}
	fd = open(s->emerg_dyn_path, O_WRONLY | O_APPEND);
	if (fd < 0)
		return;
	for (int i = s->ndyn - 1; i >= 0; i--)
		if (write(fd, s->emerg_dyn_del[i], strlen(s->emerg_dyn_del[i])) < 0)
			continue;
	close(fd);
}
