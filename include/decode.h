/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode.h - turn raw ring-buffer sub-buffers into bind records.
 *
 * The decoder parses only the format files of the events kbindtop uses
 * (not all of tracefs), caches every field offset once, and then walks
 * pages with kbuffer without any per-event lookup or allocation.
 * A decoder belongs to the reader thread.
 */
#ifndef KB_DECODE_H
#define KB_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kb_event.h"

/* What an event means to the pairing logic. */
enum kb_role {
	KB_ROLE_NONE = 0,
	KB_ROLE_ENTER,		/* bind() entry: sys_enter_bind, kprobe __sys_bind / __x64_sys_bind */
	KB_ROLE_EXIT,		/* bind() return: sys_exit_bind, kretprobe */
	KB_ROLE_UADDR,		/* libc bind() uprobe: sockaddr read before the syscall */
	KB_ROLE_KSOCK,		/* __sys_bind_socket / inet_bind: kernel copy of the address */
	KB_ROLE_KSOCK_EXIT,	/* return of KSOCK (ends io_uring binds) */
	KB_ROLE_USTACK,		/* ftrace user_stack record */
	KB_ROLE_KSTACK,		/* ftrace kernel_stack record */
	KB_ROLE_IOU_SUBMIT,	/* io_uring:io_uring_submit_req of an IORING_OP_BIND */
	KB_ROLE_IOU_COMPLETE,	/* io_uring:io_uring_complete (joined by req pointer) */
	KB_ROLE_KBIND,		/* kernel_bind() entry: a bind by the kernel itself */
	KB_ROLE_KBIND_EXIT,	/* kernel_bind() return */
	KB_ROLE_PSTACK,		/* perf sample of the ENTER: user stack in the stack store */
	KB_ROLE_COUNT
};

/* One event kbindtop enables, and what it means. */
struct kb_evspec {
	char system[48];
	char name[48];
	enum kb_role role;
	int inst;		/* index of the session instance it is enabled in */
	const char *filter;	/* static filter of its own (ANDed with --comm), or NULL */
	bool soft;		/* not enabled by kbindtop: a trigger turns it on */
};

#define KB_REC_FRAMES	32

/* IORING_OP_BIND (Linux 6.11+), absent from older headers */
#define KB_IORING_OP_BIND	56

/* A decoded record.  Pointers never escape into it: it is plain data. */
struct kb_rec {
	enum kb_role role;
	int cpu;
	int inst;
	int tid;
	uint64_t ts;
	int32_t fd;		/* -1 when the event has none */
	int32_t ret;
	uint32_t addrlen;
	uint64_t uptr;
	uint64_t ra;		/* return address at the user sp (direct caller), 0 if none */
	int16_t stype;		/* -1 when unknown */
	uint32_t tgid;		/* from user_stack records and perf samples, 0 otherwise */
	uint32_t stack_id;	/* PSTACK: id in the stack store, 0 when not kept */
	bool stack_copy;	/* PSTACK: the stack carries a copy to unwind */
	uint64_t req;		/* io_uring request pointer (IOU roles), 0 otherwise */
	bool sqthread;		/* io_uring_submit_req: issued by the SQPOLL thread */
	uint16_t sa_len;
	uint8_t sa_src;		/* enum kb_addr_src */
	bool has_comm;
	char comm[KB_COMM_LEN];
	int nframes;
	/* variable parts last: kb_rec_size() copies only what is used */
	uint8_t sa[KB_SA_MAX];
	uint64_t frames[KB_REC_FRAMES];
};

/* Bytes of r that hold data (sa up to sa_len, frames up to nframes). */
static inline size_t kb_rec_size(const struct kb_rec *r)
{
	if (r->nframes > 0)
		return offsetof(struct kb_rec, frames) + (size_t)r->nframes * sizeof(r->frames[0]);
	return offsetof(struct kb_rec, sa) + r->sa_len;
}

struct kb_decoder;

/*
 * kb_decoder_new - read header_page and the format of each spec (plus
 * ftrace/user_stack and ftrace/kernel_stack) from tracefs_dir.
 * Returns NULL with a message in err.  Caller frees with kb_decoder_free().
 */
struct kb_decoder *kb_decoder_new(const char *tracefs_dir, const struct kb_evspec *specs, int n,
				  char *err, size_t errlen);

/*
 * kb_decoder_new_from_text - the same from format texts held in memory
 * (formats[i] belongs to specs[i]; ustack/kstack formats may be NULL).
 * Used by unit tests and the fuzzer.
 */
struct kb_decoder *kb_decoder_new_from_text(const char *header_page, const struct kb_evspec *specs,
					    const char *const *formats, int n,
					    const char *ustack_fmt, const char *kstack_fmt,
					    char *err, size_t errlen);

void kb_decoder_free(struct kb_decoder *d);

/* Size of one sub-buffer (page) as the kernel writes it. */
int kb_decoder_subbuf_size(const struct kb_decoder *d);

typedef void (*kb_rec_fn)(void *ctx, const struct kb_rec *rec);

/*
 * kb_decoder_page - decode one sub-buffer of size bytes read from
 * instance inst, CPU cpu; call fn for every record of a known event.
 * Returns the number of events the kernel reported lost before this page
 * (0 none, -1 lost but count unknown).  Robust to arbitrary bytes as long
 * as the buffer has KB_PAGE_SLACK readable bytes after size (the event
 * walker may look at a header just past the last event).
 */
#define KB_PAGE_SLACK 64
long kb_decoder_page(struct kb_decoder *d, void *page, size_t size, int inst, int cpu,
		     kb_rec_fn fn, void *ctx);

/* Does the ENTER event carry the sockaddr bytes itself (newer kernels)? */
bool kb_decoder_enter_has_addr(const struct kb_decoder *d);

#endif
