// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * caps.c - probing what the running kernel offers for tracing bind().
 */
#include "config.h"

#include <errno.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <tracefs.h>

#include "caps.h"
#include "decode.h"
#include "fileio.h"

#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup	425
#define SYS_io_uring_register	427
#endif

const char *const kb_ksym_names[KB_SYM_COUNT] = {
	[KB_SYM_SYS_BIND]	 = "__sys_bind",
	[KB_SYM_SYS_BIND_SOCKET] = "__sys_bind_socket",
	[KB_SYM_X64_SYS_BIND]	 = "__x64_sys_bind",
	[KB_SYM_INET_BIND]	 = "inet_bind",
	[KB_SYM_INET6_BIND]	 = "inet6_bind",
	[KB_SYM_KERNEL_BIND]	 = "kernel_bind",
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
		if (name[0] != '_' && name[0] != 'i' && name[0] != 'k')
			continue;
		for (int i = 0; i < KB_SYM_COUNT; i++)
			if (!c->ksym[i] && !strcmp(name, kb_ksym_names[i])) {
				c->ksym[i] = true;
				found++;
			}
	}
	fclose(f);
}

/* Does a format file have all these fields (each "name;" after a type)? */
static bool has_fields(const char *dir, const char *rel, const char *const *names)
{
	char *fmt = tfile_read(dir, rel);
	bool ok = fmt != NULL;

	for (; ok && *names; names++) {
		char pat[64];

		snprintf(pat, sizeof(pat), " %s;", *names);
		ok = strstr(fmt, pat) != NULL;
	}
	free(fmt);
	return ok;
}

/*
 * Ask io_uring itself whether it has IORING_OP_BIND (6.11+): a throwaway
 * ring and IORING_REGISTER_PROBE, about 20 microseconds.  The kernel
 * version would lie about backports and kernel.io_uring_disabled.
 */
static int probe_iou_bind(void)
{
	struct {
		struct io_uring_probe p;
		struct io_uring_probe_op ops[256];
	} pr;
	struct io_uring_params par;
	int fd, ret;

	memset(&par, 0, sizeof(par));
	fd = (int)syscall(SYS_io_uring_setup, 1, &par);
	if (fd < 0)
		return errno == ENOSYS ? 0 : -errno;
	memset(&pr, 0, sizeof(pr));
	ret = (int)syscall(SYS_io_uring_register, fd, IORING_REGISTER_PROBE, &pr, 256);
	close(fd);
	if (ret < 0)
		return 0;
	return pr.p.ops_len > KB_IORING_OP_BIND &&
	       (pr.p.ops[KB_IORING_OP_BIND].flags & IO_URING_OP_SUPPORTED) ? 1 : 0;
}

const char *kb_lockdown_mode(char *out, size_t len)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/security/lockdown", "re");
	char *a, *b;

	out[0] = '\0';
	if (!f)
		return out;
	if (fgets(buf, sizeof(buf), f)) {
		/* "none [integrity] confidentiality": the bracketed word is active */
		a = strchr(buf, '[');
		b = a ? strchr(a, ']') : NULL;
		if (a && b)
			snprintf(out, len, "%.*s", (int)(b - a - 1), a + 1);
	}
	fclose(f);
	return out;
}

static void read_lockdown(struct kb_caps *c)
{
	kb_lockdown_mode(c->lockdown, sizeof(c->lockdown));
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
		{
			static const char *const sub_f[] = { "req", "opcode", NULL };
			static const char *const cpl_f[] = { "req", "res", NULL };

			c->iou_events = has_fields(dir, "events/io_uring/io_uring_submit_req/format", sub_f) &&
					has_fields(dir, "events/io_uring/io_uring_complete/format", cpl_f);
		}
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
	c->iou_bind_op = probe_iou_bind();
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

bool kb_caps_iouring_path(const struct kb_caps *c, bool kprobe, char *text, size_t len)
{
	if (c->iou_bind_op < 0) {
		snprintf(text, len, "none needed: io_uring refused here (%s)", strerror(-c->iou_bind_op));
		return false;
	}
	if (!c->iou_bind_op) {
		snprintf(text, len, "none needed: this kernel's io_uring has no IORING_OP_BIND");
		return false;
	}
	if (kprobe) {
		if (c->kallsyms_ok && !c->ksym[KB_SYM_SYS_BIND_SOCKET]) {
			snprintf(text, len, "NONE: no __sys_bind_socket to probe; io_uring binds unseen");
			return false;
		}
		snprintf(text, len, "kprobe on __sys_bind_socket (exact address)");
		return true;
	}
	if (!c->iou_events) {
		snprintf(text, len, "NONE: no io_uring_submit_req/io_uring_complete events; io_uring binds unseen");
		return false;
	}
	snprintf(text, len, "io_uring:io_uring_submit_req (BIND) joined to io_uring_complete; "
		 "address found afterwards (unverified)");
	return true;
}
