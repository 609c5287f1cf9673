// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * filter.c - command-line selection of binds.
 *
 * The kernel already drops most non-matching events where a filter could
 * be pushed down (comm, pid); this is the exact check on the finished
 * bind, which also covers what the kernel cannot filter (tgid, port).
 */
#include "config.h"

#include <string.h>

#include "filter.h"

bool kb_filter_options_match(const struct kb_options *o, const struct kb_bind *b)
{
	bool ok;

	if (o->failed_only && !kb_bind_failed(b))
		return false;
	if (o->npids) {
		ok = false;
		for (int i = 0; i < o->npids && !ok; i++)
			ok = b->pid == o->pids[i];
		if (!ok)
			return false;
	}
	if (o->nports) {
		ok = false;
		for (int i = 0; i < o->nports && !ok; i++)
			ok = b->addr.port == o->ports[i] || (b->bound_port >= 0 && b->bound_port == o->ports[i]);
		if (!ok)
			return false;
	}
	if (o->ncomms) {
		ok = false;
		for (int i = 0; i < o->ncomms && !ok; i++)
			ok = !strncmp(b->ev.comm, o->comms[i], KB_COMM_LEN) || !strcmp(b->comm, o->comms[i]);
		if (!ok)
			return false;
	}
	return true;
}
