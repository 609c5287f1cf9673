// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * caps.c - probing what the running kernel offers for tracing bind().
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <tracefs.h>

#include "caps.h"
#include "fileio.h"

const char *const kb_ksym_names[KB_SYM_COUNT] = {
	[KB_SYM_SYS_BIND]	 = "__sys_bind",
	[KB_SYM_SYS_BIND_SOCKET] = "__sys_bind_socket",
	[KB_SYM_X64_SYS_BIND]	 = "__x64_sys_bind",
	[KB_SYM_INET_BIND]	 = "inet_bind",
	[KB_SYM_INET6_BIND]	 = "inet6_bind",
};

static bool tfile_exists(const char *dir, const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return access(p, F_OK) == 0;
}

static char *tfile_read(const char *dir, const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return kb_file_read(p, 1u << 20, NULL);
}

/* One pass over /proc/kallsyms for the few names that matter. */
static void scan_kallsyms(struct kb_caps *c)
{
	char line[512];
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f)
		return;
	int found = 0;

	c->kallsyms_ok = true;
	while (found < KB_SYM_COUNT && fgets(line, sizeof(line), f)) {
		char *name = strchr(line, ' ');

		if (!name || !(name = strchr(name + 1, ' ')))
			continue;
		name++;
		name[strcspn(name, " \t\n")] = '\0';
		if (name[0] != '_' && name[0] != 'i')
			continue;
		for (int i = 0; i < KB_SYM_COUNT; i++)
			if (!c->ksym[i] && !strcmp(name, kb_ksym_names[i])) {
				c->ksym[i] = true;
				found++;
			}
	}
	fclose(f);
}

static void read_lockdown(struct kb_caps *c)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/security/lockdown", "re");
	char *a, *b;

	c->lockdown[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, sizeof(buf), f)) {
		/* "none [integrity] confidentiality": the bracketed word is active */
		a = strchr(buf, '[');
		b = a ? strchr(a, ']') : NULL;
		if (a && b)
			snprintf(c->lockdown, sizeof(c->lockdown), "%.*s", (int)(b - a - 1), a + 1);
	}
	fclose(f);
}

void kb_caps_probe(struct kb_caps *c, bool scan_libcs, bool scan_ksyms)
{
	const char *dir = tracefs_tracing_dir();
	struct utsname u;
	char *readme, *fmt;

	memset(c, 0, sizeof(*c));
	snprintf(c->tracefs, sizeof(c->tracefs), "%s", dir ? dir : "");
	if (uname(&u) == 0)
		snprintf(c->kernel, sizeof(c->kernel), "%s %s", u.release, u.machine);
	c->root = geteuid() == 0;
	read_lockdown(c);
	if (dir) {
		c->syscall_tp = tfile_exists(dir, "events/syscalls/sys_enter_bind/format") &&
				tfile_exists(dir, "events/syscalls/sys_exit_bind/format");
		c->kprobe_events = tfile_exists(dir, "kprobe_events");
		if (scan_ksyms && c->kprobe_events)
			scan_kallsyms(c);
		c->uprobe_events = tfile_exists(dir, "uprobe_events");
		c->userstacktrace = tfile_exists(dir, "options/userstacktrace");
		readme = tfile_read(dir, "README");
		if (readme) {
			c->argn = strstr(readme, "$arg<N>") != NULL;
			c->ustring = strstr(readme, "ustring") != NULL;
			free(readme);
		}
		fmt = c->syscall_tp ? tfile_read(dir, "events/syscalls/sys_enter_bind/format") : NULL;
		if (fmt) {
			/* kernels that copy user data add a dynamic field next to umyaddr */
			char *p = fmt;

			while ((p = strstr(p, "field:")) && !c->syscall_tp_addr) {
				char *eol = strchr(p, '\n');
				size_t l = eol ? (size_t)(eol - p) : strlen(p);

				if (memmem(p, l, "__data_loc", 10) && memmem(p, l, "umyaddr", 7))
					c->syscall_tp_addr = true;
				p += l;
			}
			free(fmt);
		}
	}
	if (scan_libcs)
		c->nlibc = kb_libc_scan(c->libc, KB_MAX_LIBC);
}

bool kb_caps_kprobe_possible(const struct kb_caps *c, char *why, size_t len)
{
	if (!c->kprobe_events) {
		snprintf(why, len, "no kprobe_events in tracefs (kernel built without CONFIG_KPROBE_EVENTS)");
		return false;
	}
	if (!strcmp(c->lockdown, "confidentiality")) {
		snprintf(why, len, "kernel lockdown is 'confidentiality' (kprobes are refused)");
		return false;
	}
	if (c->kallsyms_ok && !c->ksym[KB_SYM_SYS_BIND] && !c->ksym[KB_SYM_X64_SYS_BIND] &&
	    !c->ksym[KB_SYM_INET_BIND]) {
		snprintf(why, len, "none of __sys_bind, __x64_sys_bind, inet_bind in /proc/kallsyms");
		return false;
	}
	if (!c->ustring) {
		snprintf(why, len, "kprobe fetch args cannot read user memory (kernel older than 5.5)");
		return false;
	}
	why[0] = '\0';
	return true;
}

bool kb_caps_syscalls_possible(const struct kb_caps *c, char *why, size_t len)
{
	if (!c->syscall_tp) {
		snprintf(why, len, "no syscalls:sys_enter_bind (kernel built without CONFIG_FTRACE_SYSCALLS)");
		return false;
	}
	why[0] = '\0';
	return true;
}
