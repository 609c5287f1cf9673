// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * session.c - private tracefs instances and dynamic events of one run,
 * their teardown, and the reaping of what killed runs left behind.
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

#include "fileio.h"
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

/* When process pid started, in seconds since the epoch; 0 if unknown. */
static double proc_start(int pid)
{
	char path[64], buf[1024], *p, *stat;
	const char *v;
	unsigned long long ticks = 0, btime = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (kb_file_read_small(path, buf, sizeof(buf)) < 0)
		return 0;
	/* the command name may hold spaces and ')': fields start after the last ')' */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
			 "%*d %*d %llu", &ticks) != 1)
		return 0;
	stat = kb_file_read("/proc/stat", 1u << 20, NULL);	/* a line per CPU before btime */
	if (!stat)
		return 0;
	v = kb_line_value(stat, "btime ");
	if (v)
		btime = strtoull(v, NULL, 10);
	free(stat);
	return btime ? (double)btime + (double)ticks / (double)sysconf(_SC_CLK_TCK) : 0;
}

/*
 * Is the kbindtop that created state at time created (seconds since the
 * epoch, 0 if unknown) still running as pid?  It is if pid lives and
 * started before the state was made, whatever its name (a renamed copy
 * is still a kbindtop).  A pid reused later is a different process.
 * Without a creation time (probes whose instance is gone) only a live
 * process named kbindtop counts.
 */
static bool owner_alive(int pid, double created)
{
	char path[64], comm[32] = "";
	double started;

	if (pid == getpid())
		return true;
	if (kill(pid, 0) && errno == ESRCH)
		return false;
	if (created > 0) {
		started = proc_start(pid);
		/* clock ticks and second-granular times: allow a little slack */
		return started == 0 || started <= created + 1.0;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if (kb_file_read_small(path, comm, sizeof(comm)) < 0)
		return false;
	comm[strcspn(comm, "\n")] = '\0';
	return strncmp(comm, KB_NAME_PREFIX, strlen(KB_NAME_PREFIX)) == 0;
}

/* Creation time of instance "kbindtop.<pid>" (its directory's mtime), or 0. */
static double instance_created(const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/instances/%s", tracefs_tracing_dir(), name);
	return stat(path, &st) ? 0 : (double)st.st_mtim.tv_sec;
}

/* Owner pid from "kbindtop.<pid>[.r]" or "kbindtop_<pid>"; -1 if not ours. */
static int owner_pid(const char *name)
{
	size_t n = strlen(KB_NAME_PREFIX);
	char *end;
	long v;

	if (strncmp(name, KB_NAME_PREFIX, n) || (name[n] != '.' && name[n] != '_'))
		return -1;
	v = strtol(name + n + 1, &end, 10);
	if (end == name + n + 1 || v <= 0 || v > INT_MAX || (*end && strcmp(end, ".r")))
		return -1;
	return (int)v;
}

/* For probes: the creation time of the owner's instance, if it still exists. */
static double group_created(int pid)
{
	char name[48];

	snprintf(name, sizeof(name), KB_NAME_PREFIX ".%d", pid);
	return instance_created(name);
}

int kb_session_reap(FILE *rep)
{
	struct tracefs_dynevent **evs;
	char dir[512], done[64][128];
	int ndone = 0;
	struct dirent *de;
	DIR *d;
	int removed = 0;

	/*
	 * readdir rather than tracefs_instances(): libtracefs 1.6 leaks the
	 * regex that one compiles.
	 */
	snprintf(dir, sizeof(dir), "%s/instances", tracefs_tracing_dir());
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		const char *name = de->d_name;
		int pid = owner_pid(name);
		struct tracefs_instance *in;

		if (pid < 0 || owner_alive(pid, instance_created(name)))
			continue;
		in = tracefs_instance_alloc(NULL, name);
		if (!in)
			continue;
		tracefs_trace_off(in);
		kb_instance_events_off(in);
		if (tracefs_instance_destroy(in) == 0) {
			removed++;
			if (rep)
				fprintf(rep, "kbindtop: removed instance %s left by pid %d\n", name, pid);
		} else if (rep) {
			fprintf(rep, "kbindtop: cannot remove instance %s: %s\n", name, strerror(errno));
		}
		tracefs_instance_free(in);
	}
	if (d)
		closedir(d);

	evs = tracefs_dynevent_get_all(TRACEFS_DYNEVENT_KPROBE | TRACEFS_DYNEVENT_KRETPROBE |
				       TRACEFS_DYNEVENT_UPROBE | TRACEFS_DYNEVENT_URETPROBE, NULL);
	for (int i = 0; evs && evs[i]; i++) {
		char *sys = NULL, *ev = NULL, name[128];
		bool seen = false;
		int pid;

		tracefs_dynevent_info(evs[i], &sys, &ev, NULL, NULL, NULL);
		pid = sys ? owner_pid(sys) : -1;
		/* a uprobe is listed twice (uprobe_events and dynamic_events) */
		snprintf(name, sizeof(name), "%s/%s", sys ? sys : "", ev ? ev : "");
		for (int k = 0; k < ndone && !seen; k++)
			seen = !strcmp(done[k], name);
		if (pid > 0 && !seen && ndone < (int)(sizeof(done) / sizeof(done[0])))
			snprintf(done[ndone++], sizeof(done[0]), "%s", name);
		if (pid > 0 && !seen && !owner_alive(pid, group_created(pid))) {
			if (tracefs_dynevent_destroy(evs[i], false) == 0) {
				removed++;
				if (rep)
					fprintf(rep, "kbindtop: removed probe %s/%s left by pid %d\n", sys, ev, pid);
			} else if (rep) {
				fprintf(rep, "kbindtop: cannot remove probe %s/%s: %s\n", sys, ev, strerror(errno));
			}
		}
		free(sys);
		free(ev);
	}
	tracefs_dynevent_list_free(evs);
	return removed;
}
