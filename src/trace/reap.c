// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * reap.c - removing what killed kbindtop runs left in tracefs: their
 * instances and dynamic events, never a live run's.
 *
 * Names carry the owner's pid (session.h): instance "kbindtop.<pid>[.r]",
 * dynamic event group "kbindtop_<pid>".  A run is alive while its pid
 * runs and started before its instance was made, whatever its name.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tracefs.h>

#include "fileio.h"
#include "reap.h"
#include "session.h"

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
