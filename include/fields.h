/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fields.h - the table of output fields of a bind: name, help and how to
 * get the value.  JSON output, the curses detail pane, --list-fields and
 * the man page check all walk this one table.  Consumer thread only: the
 * stack fields resolve frames through the enricher's symbolizer
 * (symbols.h), which that thread owns.
 */
#ifndef KB_FIELDS_H
#define KB_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "enrich.h"

enum kb_fkind {
	KB_F_INT,
	KB_F_STR,
	KB_F_BOOL,
	KB_F_TS,	/* i = CLOCK_REALTIME ns */
	KB_F_STACK,	/* i = 0 user, 1 kernel */
	KB_F_OBJ,	/* members in m[0..nm); s = the whole as one line of text */
};

#define KB_FVAL_MEMBERS	8

/* A member of an object value (JSON: "name": value). Scalars only. */
struct kb_fmember {
	const char *name;
	enum kb_fkind kind;	/* KB_F_INT, KB_F_STR or KB_F_BOOL */
	bool null;
	long long i;
	const char *s;		/* visible text */
};

struct kb_fval {
	enum kb_fkind kind;
	bool null;
	long long i;
	const char *s;	/* visible text */
	int nm;
	struct kb_fmember m[KB_FVAL_MEMBERS];
};

/*
 * Flags of a field; 0 (false) is a plain field whose value may differ
 * from call to call.  KB_FF_PROC: the value depends only on the process
 * context (kb_bind.ctx_gen), so output may render a run of such fields
 * once per context and reuse the text.
 */
enum kb_field_flags {
	KB_FF_STACK	= 1u << 0,	/* printed only with --stacks (true, in older entries) */
	KB_FF_PROC	= 1u << 1,
};

struct kb_field {
	const char *name;
	const char *help;
	enum kb_fkind kind;
	unsigned int flags;	/* enum kb_field_flags */
	void (*get)(const struct kb_bind *b, struct kb_fval *v, char *scratch, size_t len);
};

extern const struct kb_field kb_fields[];
extern const size_t kb_nfields;

/* Value of field f for b; scratch backs any text built on the fly. */
static inline void kb_field_get(const struct kb_field *f, const struct kb_bind *b, struct kb_fval *v,
				char *scratch, size_t len)
{
	v->kind = f->kind;
	v->null = false;
	v->i = 0;
	v->s = NULL;
	v->nm = 0;
	f->get(b, v, scratch, len);
}

/* Plain-text rendering of a value ("-" for null; an object's one-line summary). */
const char *kb_fval_text(const struct kb_fval *v, char *buf, size_t len);

#endif
