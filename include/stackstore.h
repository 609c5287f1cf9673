/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stackstore.h - deep user stacks passed by reference from the reader
 * thread to the consumer.
 *
 * A kb_event carries only a 32-bit id; the callchain (up to the kernel's
 * perf_event_max_stack frames) and, for DWARF unwinding, the registers and
 * the stack copy live here.  Identical stacks of one process are stored
 * once.  Memory is bounded (entries and bytes); the oldest entries go
 * first and every drop is counted.  The reader thread puts, the consumer
 * gets; one mutex, taken once per sample and once per stack unwound.
 */
#ifndef KB_STACKSTORE_H
#define KB_STACKSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Stack bytes every perf sample carries, copy or not: the word at the user sp. */
#define KB_USTACK_PEEK	8

#define KB_USTACK_NREGS	17	/* x86-64 DWARF order: rax rdx rcx rbx rsi rdi rbp rsp r8-r15 rip */

/* What the producer stores. */
struct kb_ustack_in {
	int pid, tid;
	const uint8_t *ips;		/* nips u64 values, unaligned */
	uint32_t nips;
	uint64_t ra;			/* word at the user sp (return address of a leaf), 0 unknown */
	const uint64_t *regs;		/* KB_USTACK_NREGS in DWARF order, NULL: no copy */
	const uint8_t *copy;		/* stack bytes from regs' sp */
	uint32_t copy_len;
};

/* What the consumer gets: its own copy, released with kb_ustack_release. */
struct kb_ustack {
	int pid, tid;
	uint32_t nips;
	uint64_t *ips;
	uint64_t ra;
	bool has_copy;
	uint64_t regs[KB_USTACK_NREGS];
	uint32_t copy_len;
	uint8_t *copy;
};

struct kb_stackstore_stats {
	uint64_t stored;		/* distinct stacks stored */
	uint64_t shared;		/* samples that matched a stored stack */
	uint64_t evicted;		/* pushed out by newer ones (memory bound) */
	uint64_t too_big;		/* a single stack larger than the whole bound */
	uint64_t entries, bytes;	/* held now */
	uint64_t maps_recorded;		/* code mappings recorded from perf */
	uint64_t maps_overwritten;	/* ... pushed out of the log by newer ones */
};

struct kb_stackstore;

/* max_entries stacks, max_bytes of frames and copies.  Aborts on OOM. */
struct kb_stackstore *kb_stackstore_new(uint32_t max_entries, size_t max_bytes);
void kb_stackstore_free(struct kb_stackstore *s);

/* Store a stack (or find it stored); its id, 0 when it cannot be kept.  Reader thread. */
uint32_t kb_stackstore_put(struct kb_stackstore *s, const struct kb_ustack_in *in);

/* Copy stack id out; -ENOENT when it was evicted (or never was).  Consumer. */
int kb_stackstore_get(struct kb_stackstore *s, uint32_t id, struct kb_ustack *out);
void kb_ustack_release(struct kb_ustack *u);

/*
 * Mappings of code as perf reported them (PERF_RECORD_MMAP2, exec), so
 * frames of a process that exited right after its bind, or that mapped a
 * library since its map was copied, can still be named.  Bounded: the
 * oldest records are overwritten (counted in maps_overwritten).
 */
void kb_stackstore_add_map(struct kb_stackstore *s, int pid, uint64_t start, uint64_t len, uint64_t pgoff,
			   uint32_t maj, uint32_t min, uint64_t ino, uint32_t prot, const char *path,
			   size_t path_len);
void kb_stackstore_add_exec(struct kb_stackstore *s, int pid);

struct kb_buf;

/*
 * kb_stackstore_maps_text - append to out, as /proc/PID/maps lines, the
 * mappings of pid recorded after *since (and after its last exec); *since
 * becomes the newest record seen.  *exec is set when pid exec'ed after
 * the old *since.  Returns lines appended.  Consumer.
 */
int kb_stackstore_maps_text(struct kb_stackstore *s, int pid, uint64_t *since, struct kb_buf *out,
			    bool *exec);

/* Any thread. */
void kb_stackstore_get_stats(struct kb_stackstore *s, struct kb_stackstore_stats *st);

#endif
