/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kb_event.h - one completed bind() call, as the reader thread hands it to
 * the consumer (batch output or the curses model).
 *
 * This is the only data that crosses from the reader thread to the
 * consumer.  It is a flat, fixed-size value: the queue copies it, so the
 * consumer never points into reader memory.  Everything in it came from
 * the kernel or from a traced process and is untrusted (comm, sockaddr).
 */
#ifndef KB_EVENT_H
#define KB_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#define KB_COMM_LEN	16	/* TASK_COMM_LEN */
#define KB_SA_MAX	128	/* sizeof(struct sockaddr_storage) */
#define KB_USTACK_MAX	12	/* ftrace records 8 user frames; +1 recovered caller */
#define KB_KSTACK_MAX	16

/* Where the sockaddr bytes in an event came from; decides "verified". */
enum kb_addr_src {
	KB_ADDR_NONE = 0,	/* nothing captured */
	KB_ADDR_UPROBE,		/* libc bind() uprobe, read at call time: exact */
	KB_ADDR_KPROBE,		/* kprobe fetch of the user buffer at call time: exact */
	KB_ADDR_KCOPY,		/* the kernel's own copy (__sys_bind_socket): exact */
	KB_ADDR_TRACEPOINT,	/* bytes carried by sys_enter_bind itself: exact */
	KB_ADDR_LATE,		/* read from the process after the fact: unverified */
	KB_ADDR_SOCKNAME,	/* getsockname() of the socket after the fact: unverified */
	KB_ADDR_SCAN,		/* the process's socket found bound after the fact: unverified */
	KB_ADDR_DIAG,		/* the kernel's socket table (sock_diag), a socket bound before the start */
};

/* Where the user stack of an event is. */
enum kb_ustack_src {
	KB_USRC_NONE = 0,
	KB_USRC_FTRACE,		/* ustack[]: ftrace userstacktrace, 8 frames, frame pointers */
	KB_USRC_PERF,		/* ustack_id: a perf sample (FP chain, maybe a stack copy) */
};

/* Sentinel for ret when the exit of the call was never seen. */
#define KB_RET_UNKNOWN	INT32_MIN

enum kb_event_flags {
	KB_EVF_COMM_SYNC	= 1u << 0,	/* comm recorded by the probe itself */
	KB_EVF_CALLER_FIXED	= 1u << 1,	/* ustack[1] is the recovered direct caller */
	KB_EVF_IOURING		= 1u << 2,	/* bind without a bind() syscall (io_uring) */
	KB_EVF_NO_EXIT		= 1u << 3,	/* exit lost or never came: ret unknown */
	KB_EVF_STACK_WANTED	= 1u << 4,	/* user stack was being recorded */
	KB_EVF_KERNEL		= 1u << 5,	/* bind done by the kernel itself (kernel_bind) */
	KB_EVF_SQPOLL		= 1u << 6,	/* issued by an io_uring thread (SQPOLL, io-wq) of the process */
	KB_EVF_EXISTING		= 1u << 7,	/* not a call: a socket already bound at the start */
};

struct kb_event {
	uint64_t ts;		/* CLOCK_MONOTONIC ns at entry */
	uint64_t ts_exit;	/* CLOCK_MONOTONIC ns at return, 0 if unknown */
	uint64_t uptr;		/* user address of the sockaddr argument */
	int32_t pid;		/* thread group id; 0 when the kernel did not say */
	int32_t tid;		/* thread id (common_pid) */
	int32_t fd;
	int32_t ret;		/* 0, -errno, or KB_RET_UNKNOWN */
	uint32_t addrlen;	/* the addrlen argument as passed */
	int16_t stype;		/* socket type (SOCK_STREAM...) if the probe saw it, else -1 */
	uint16_t sa_len;	/* valid bytes in sa[] */
	uint8_t addr_src;	/* enum kb_addr_src */
	uint8_t flags;		/* enum kb_event_flags */
	uint8_t n_ustack;
	uint8_t n_kstack;
	uint16_t cpu;
	uint8_t ustack_src;	/* enum kb_ustack_src */
	uint8_t pad_;
	uint32_t ustack_id;	/* KB_USRC_PERF: the stack in the stack store (stackstore.h) */
	char comm[KB_COMM_LEN];	/* NUL-terminated raw bytes; "" when unknown */
	uint8_t sa[KB_SA_MAX];
	uint64_t ustack[KB_USTACK_MAX];
	uint64_t kstack[KB_KSTACK_MAX];
};

static inline int kb_addr_src_exact(int src)
{
	return src == KB_ADDR_UPROBE || src == KB_ADDR_KPROBE ||
	       src == KB_ADDR_KCOPY || src == KB_ADDR_TRACEPOINT || src == KB_ADDR_DIAG;
}

/* Did the call fail?  (One whose return was never seen did not, as far as is known.) */
static inline bool kb_event_failed(const struct kb_event *ev)
{
	return ev->ret < 0 && ev->ret != KB_RET_UNKNOWN;
}

#endif
