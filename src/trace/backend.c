// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backend.c - backend choice and the setup common to both backends:
 * instances, enabling, and filters pushed into the kernel.
 *
 * User stacks are recorded only in the first instance, which holds only
 * the ENTER event: the userstacktrace option applies to every event of
 * an instance, and a second stack per bind (after the exit or the uprobe)
 * would double its cost for nothing.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tracefs.h>

#include "backend.h"
#include "iouring.h"

const char *kb_backend_name(enum kb_backend b)
{
	switch (b) {
	case KB_BK_KPROBE:	return "kprobe";
	case KB_BK_SYSCALLS:	return "syscalls";
	default:		return "none";
	}
}

struct kb_evspec *kb_plan_add(struct kb_plan *plan, const char *system, const char *name,
			      enum kb_role role, int inst)
{
	struct kb_evspec *e;

	if (plan->nspec >= KB_MAX_SPECS)
		return NULL;
	e = &plan->spec[plan->nspec++];
	memset(e, 0, sizeof(*e));
	snprintf(e->system, sizeof(e->system), "%s", system);
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->role = role;
	e->inst = inst;
	return e;
}

int kb_backend_order(const struct kb_caps *c, enum kb_backend_req req, enum kb_backend out[2],
		     char *why, size_t len)
{
	char kwhy[192], swhy[192];
	bool k = kb_caps_kprobe_possible(c, kwhy, sizeof(kwhy));
	bool s = kb_caps_syscalls_possible(c, swhy, sizeof(swhy));
	int n = 0;

	why[0] = '\0';
	switch (req) {
	case KB_BACKEND_KPROBE:
		if (k)
			out[n++] = KB_BK_KPROBE;
		else
			snprintf(why, len, "kprobe backend unavailable: %s", kwhy);
		break;
	case KB_BACKEND_SYSCALLS:
		if (s)
			out[n++] = KB_BK_SYSCALLS;
		else
			snprintf(why, len, "syscalls backend unavailable: %s", swhy);
		break;
	default:
		if (k)
			out[n++] = KB_BK_KPROBE;
		if (s)
			out[n++] = KB_BK_SYSCALLS;
		if (!k && !s)
			snprintf(why, len, "no way to trace bind() here: %s; %s", kwhy, swhy);
		else if (!k)
			snprintf(why, len, "kprobe: %s", kwhy);
		break;
	}
	return n;
}

void kb_backend_comm_filter(const struct kb_options *o, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < o->ncomms && off < len; i++) {
		char esc[40];
		size_t e = 0;

		/* names were validated to 15 bytes; quotes and backslashes escaped */
		for (const char *p = o->comms[i]; *p && e < sizeof(esc) - 2; p++) {
			if (*p == '"' || *p == '\\')
				esc[e++] = '\\';
			esc[e++] = *p;
		}
		esc[e] = '\0';
		off += (size_t)snprintf(buf + off, len - off, "%scomm == \"%s\"", i ? " || " : "", esc);
	}
}

/* Every thread of the --pid processes, for set_event_pid. */
static int collect_tids(const struct kb_options *o, int *tids, int max)
{
	int n = 0;

	for (int i = 0; i < o->npids; i++) {
		char path[64];
		struct dirent *de;
		DIR *d;

		snprintf(path, sizeof(path), "/proc/%d/task", o->pids[i]);
		d = opendir(path);
		if (!d) {
			/* not running (yet): its own pid still catches it if it appears */
			if (n < max)
				tids[n++] = o->pids[i];
			continue;
		}
		while ((de = readdir(d)) && n < max) {
			int t = atoi(de->d_name);

			if (t > 0)
				tids[n++] = t;
		}
		closedir(d);
	}
	return n;
}

static int enable_plan(struct kb_session *s, const struct kb_options *o, const struct kb_plan *plan,
		       char *err, size_t errlen)
{
	char filter[KB_MAX_LIST * 48], both[KB_MAX_LIST * 48 + 128], iou[KB_MAX_LIST * 48 + 32];
	int ret;

	kb_backend_comm_filter(o, filter, sizeof(filter));
	/*
	 * io_uring's own threads (iou-sqp-PID, iou-wrk-PID) bind for their
	 * process: let them through here; the consumer's --comm check then
	 * sees the process's name.
	 */
	snprintf(iou, sizeof(iou), filter[0] ? "%s || comm ~ \"iou-*\"" : "%s", filter);
	for (int i = 0; i < plan->nspec; i++) {
		const struct kb_evspec *e = &plan->spec[i];
		const char *f = e->role == KB_ROLE_IOU_SUBMIT || e->role == KB_ROLE_KSOCK ||
				e->role == KB_ROLE_KSOCK_EXIT ? iou : filter;

		if (e->soft) {
			/* turned on by a trigger only; its own filter, never --comm */
			ret = kb_session_filter(s, e->inst, e->system, e->name, e->filter, err, errlen);
			if (ret)
				return ret;
			continue;
		}
		if (e->filter) {
			snprintf(both, sizeof(both), f[0] ? "(%s) && (%s)" : "%s", e->filter, f);
			f = both;
		}
		if (e->role == KB_ROLE_IOU_SUBMIT) {
			/* the trigger opens io_uring_complete at the BIND itself (iouring.h) */
			ret = kb_session_trigger(s, e->inst, e->system, e->name, KB_IOU_TRIGGER, err, errlen);
			if (ret)
				return ret;
		}
		ret = kb_session_enable(s, e->inst, e->system, e->name, f, err, errlen);
		if (ret)
			return ret;
		if ((e->role == KB_ROLE_KSOCK || e->role == KB_ROLE_KBIND) && plan->kstacks) {
			ret = kb_session_trigger(s, e->inst, e->system, e->name, "stacktrace", err, errlen);
			if (ret)
				return ret;
		}
	}
	if (o->npids) {
		int tids[4096];
		int n = collect_tids(o, tids, 4096);

		for (int i = 0; i < s->ninst; i++)
			if ((ret = kb_session_set_pids(s, i, tids, n, err, errlen)))
				return ret;
	}
	return 0;
}

/* Undo a backend that failed half-way, so the next one starts clean. */
static void undo_plan(struct kb_session *s, const struct kb_plan *plan)
{
	for (int i = 0; i < plan->nspec; i++) {
		const struct kb_evspec *e = &plan->spec[i];

		if ((e->role == KB_ROLE_KSOCK || e->role == KB_ROLE_KBIND) && plan->kstacks)
			tracefs_event_file_append(s->inst[e->inst], e->system, e->name, "trigger",
						  "!stacktrace");
		if (e->role == KB_ROLE_IOU_SUBMIT)
			tracefs_event_file_append(s->inst[e->inst], e->system, e->name, "trigger",
						  "!" KB_IOU_TRIGGER);
	}
	for (int k = 0; k < s->ninst; k++)
		kb_instance_events_off(s->inst[k]);
	for (int i = s->ndyn - 1; i >= 0; i--) {
		tracefs_dynevent_destroy(s->dyn[i], false);
		tracefs_dynevent_free(s->dyn[i]);
		s->dyn[i] = NULL;
	}
	s->ndyn = 0;
}

int kb_backend_setup(struct kb_session *s, const struct kb_options *o, const struct kb_caps *c,
		     struct kb_plan *plan, char *err, size_t errlen)
{
	enum kb_backend order[2];
	char why[384], e1[512] = "";
	int n, ret = -ENOTSUP, ie, io;
	/* ftrace user stacks only where perf samples cannot give them */
	bool stacks = o->record_stacks && c->userstacktrace && !c->perf_stacks;

	memset(plan, 0, sizeof(*plan));
	n = kb_backend_order(c, o->backend, order, why, sizeof(why));
	if (!n) {
		snprintf(err, errlen, "%s", why);
		return -ENOTSUP;
	}
	ie = kb_session_add_instance(s, stacks, err, errlen);
	if (ie < 0)
		return ie;
	io = ie;
	if (stacks) {
		io = kb_session_add_instance(s, false, err, errlen);
		if (io < 0)
			return io;
	}
	for (int i = 0; i < n; i++) {
		memset(plan, 0, sizeof(*plan));
		plan->iou_gate_inst = -1;
		plan->ustacks = stacks;
		plan->kstacks = o->record_stacks;
		plan->backend = order[i];
		if (order[i] == KB_BK_KPROBE)
			ret = kb_backend_kprobe(s, c, plan, ie, io, err, errlen);
		else
			ret = kb_backend_syscalls(s, c, plan, ie, io, err, errlen);
		if (!ret)
			ret = enable_plan(s, o, plan, err, errlen);
		if (!ret)
			break;
		/* remember why the better backend failed, then try the next */
		if (i + 1 < n) {
			snprintf(e1, sizeof(e1), "%s backend failed: %s", kb_backend_name(order[i]), err);
			undo_plan(s, plan);
		}
	}
	if (ret)
		return ret;
	if (e1[0] || why[0]) {
		size_t l = strlen(plan->note);

		snprintf(plan->note + l, sizeof(plan->note) - l, "%s%s%s", l ? "; " : "",
			 e1[0] ? e1 : why, "");
	}
	if (o->record_stacks && !c->userstacktrace && !c->perf_stacks) {
		size_t l = strlen(plan->note);

		snprintf(plan->note + l, sizeof(plan->note) - l,
			 "%sno userstacktrace option in this kernel: no user stacks", l ? "; " : "");
	}
	return 0;
}
