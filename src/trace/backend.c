// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backend.c - the table of backends, the choice among them, and the setup
 * common to all: instances, enabling, and filters pushed into the kernel.
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

/*
 * The backends, best first: auto tries them in this order.  Each is
 * defined in its own backend_*.c; this table is the only list of them.
 */
extern const struct kb_backend kb_backend_kprobe, kb_backend_syscalls;
static const struct kb_backend *const backends[] = {
	&kb_backend_kprobe,
	&kb_backend_syscalls,
};
#define NBACKENDS (int)(sizeof(backends) / sizeof(backends[0]))
_Static_assert(sizeof(backends) / sizeof(backends[0]) <= KB_MAX_BACKENDS, "raise KB_MAX_BACKENDS");

static bool is_auto(const char *req)
{
	return !req || !strcmp(req, "auto");
}

static const struct kb_backend *find(const char *name)
{
	for (int i = 0; i < NBACKENDS; i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}

const char *kb_backend_name(const struct kb_backend *b)
{
	return b ? b->name : "none";
}

bool kb_backend_known(const char *name)
{
	return is_auto(name) || find(name);
}

const char *kb_backend_names(char *buf, size_t len)
{
	size_t off = (size_t)snprintf(buf, len, "auto");

	for (int i = 0; i < NBACKENDS && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, ", %s", backends[i]->name);
	return buf;
}

unsigned int kb_backend_needs(const char *req)
{
	const struct kb_backend *b;
	unsigned int needs = 0;

	if (!is_auto(req))
		return (b = find(req)) ? b->needs : 0;
	for (int i = 0; i < NBACKENDS; i++)
		needs |= backends[i]->needs;
	return needs;
}

int kb_backend_order(const struct kb_caps *c, const char *req, const struct kb_backend *out[KB_MAX_BACKENDS],
		     char *why, size_t len)
{
	char bwhy[192], all[384] = "";
	size_t off = 0, alloff = 0;
	int n = 0;

	why[0] = '\0';
	if (!is_auto(req)) {
		const struct kb_backend *b = find(req);

		if (!b)
			snprintf(why, len, "no backend named '%.40s'", req);
		else if (b->probe(c, bwhy, sizeof(bwhy)))
			out[n++] = b;
		else
			snprintf(why, len, "%s backend unavailable: %s", b->name, bwhy);
		return n;
	}
	/*
	 * auto: every backend that may work, best first.  why names the
	 * better ones that cannot (it goes into the plan's note), or, when
	 * none can, what each lacks.
	 */
	for (int i = 0; i < NBACKENDS; i++) {
		if (backends[i]->probe(c, bwhy, sizeof(bwhy))) {
			out[n++] = backends[i];
			continue;
		}
		if (!n && off < len)
			off += (size_t)snprintf(why + off, len - off, "%s%s: %s", off ? "; " : "",
						backends[i]->name, bwhy);
		if (alloff < sizeof(all))
			alloff += (size_t)snprintf(all + alloff, sizeof(all) - alloff, "%s%s",
						   alloff ? "; " : "", bwhy);
	}
	if (!n)
		snprintf(why, len, "no way to trace bind() here: %s", all);
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
	const struct kb_backend *order[KB_MAX_BACKENDS];
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
		ret = order[i]->setup(s, c, plan, ie, io, err, errlen);
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
