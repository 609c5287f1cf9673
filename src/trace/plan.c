// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plan.c - a backend's plan of events (see plan.h).  Apart from backend.c
 * so that the backends, which fill plans, do not depend on the dispatcher
 * that lists them.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "plan.h"

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
