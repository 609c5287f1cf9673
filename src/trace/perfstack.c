// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * perfstack.c - per-CPU perf sampling events on the bind() entry event,
 * their rings, and the sample parser (see perfstack.h).
 *
 * Why perf and not ftrace's userstacktrace: the latter keeps 8 frames and
 * walks frame pointers only.  A perf sample has the whole FP chain (up to
 * kernel.perf_event_max_stack) and can carry the registers and the top of
 * the user stack, which the consumer unwinds with DWARF (unwind.c).
 *
 * Wakeups: a watermark of a quarter ring, not one per sample (measured
 * ~17 us per sample for wakeup_events = 1 on the reference VM); the
 * reader reads the rings on every round anyway, and trace_pipe_raw wakes
 * it for every bind.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "decode.h"
#include "fileio.h"
#include "perfstack.h"
#include "xalloc.h"

#define BUDGET_SLOTS	1024		/* per-process copy budgets (direct-mapped by pid) */
/*
 * FP rings: half the trace buffer size (--buffer-kb), a power of two.  The
 * reader can be kept off the CPU for a while by the storm it traces; at
 * ~250 bytes a sample, 1 MB rides out ~1 s of 4000 binds/s per CPU.
 */
#define RING_PAGES_FP_MIN	16
/*
 * The copy events' own rings are small on purpose: when one is full the
 * kernel drops the copy before making it (the bind then has its FP sample
 * only), so the ring bounds what copies cost between two reads of the
 * reader, whatever the storm: 128 KB holds about 15 copies of 8 KB.
 */
#define RING_PAGES_COPY	32
#define MAX_RECORD	65536		/* a perf record's size is a u16 */
/*
 * Even without a copy the FP event takes the top of the stack: the word
 * at the user sp is the return address into the caller of the C
 * library's bind(), which the frame-pointer walk skips.
 */
#define PEEK_BYTES	KB_USTACK_PEEK

struct budget {
	int pid;
	uint64_t sec;
	uint32_t n;
};

struct ring_map {
	int fd;
	void *map;
	size_t map_len;
	struct kb_perf_ring ring;
};

struct cpu_ev {
	struct ring_map fp;		/* every bind: FP chain, registers, the word at sp */
	struct ring_map copy;		/* with the stack copy (fd -1 in fp mode) */
};

struct kb_perfstack {
	struct kb_perfstack_opts o;
	bool with_copy;
	int ncpu;
	struct cpu_ev *cpu;
	struct kb_stackstore *store;
	struct kb_perfstack_stats st;
	struct budget budget[BUDGET_SLOTS];
	/* the record being handled */
	int cur_cpu;
	bool cur_copy;			/* it came from a copy ring */
	kb_perf_out_fn out;
	kb_perf_room_fn room;		/* backpressure: may the sample be taken now? */
	bool refused;			/* a sample was left in its ring this read */
	void *out_ctx;
};

/* --- parsing --------------------------------------------------------------- */

int kb_perf_parse_sample(const void *rec, size_t len, bool with_copy, struct kb_perf_sample *out)
{
	const uint8_t *p = rec, *end = p + len;
	uint64_t nr, v;
	uint32_t first = 0, n = 0;

	memset(out, 0, sizeof(*out));
#define NEED(x) do { if ((size_t)(end - p) < (size_t)(x)) return -EINVAL; } while (0)
	NEED(sizeof(struct perf_event_header));
	p += sizeof(struct perf_event_header);
	NEED(16);
	memcpy(&out->pid, p, 4);
	memcpy(&out->tid, p + 4, 4);
	out->time = kb_perf_u64(p + 8);
	p += 16;
	NEED(8);
	nr = kb_perf_u64(p);
	p += 8;
	if (nr > (uint64_t)(end - p) / 8)
		return -EINVAL;
	/*
	 * User frames follow the PERF_CONTEXT_USER marker; every marker is
	 * >= PERF_CONTEXT_MAX.  Keep the first run of real addresses after it.
	 */
	for (uint64_t i = 0; i < nr; i++) {
		v = kb_perf_u64(p + i * 8);
		if (v >= (uint64_t)PERF_CONTEXT_MAX) {
			if (n)
				break;
			first = (uint32_t)i + 1;
			continue;
		}
		n++;
	}
	out->ips = p + (size_t)first * 8;
	out->nips = n;
	p += nr * 8;
	if (!with_copy)
		return 0;
	NEED(8);
	v = kb_perf_u64(p);	/* abi: 0 = no user registers (a kernel thread) */
	p += 8;
	if (v) {
		NEED(KB_PERF_NREGS * 8);
		for (int i = 0; i < KB_PERF_NREGS; i++)
			out->regs[i] = kb_perf_u64(p + i * 8);
		out->has_regs = true;
		p += KB_PERF_NREGS * 8;
	}
	NEED(8);
	out->stack_size = kb_perf_u64(p);
	p += 8;
	if (!out->stack_size)
		return 0;
	NEED(out->stack_size);
	out->stack = p;
	p += out->stack_size;
	NEED(8);
	out->dyn_size = kb_perf_u64(p);
	if (out->dyn_size > out->stack_size)
		out->dyn_size = out->stack_size;
#undef NEED
	return 0;
}

/* --- rings ----------------------------------------------------------------- */

int kb_perf_ring_read(struct kb_perf_ring *r, kb_perf_rec_fn fn, void *ctx)
{
	struct perf_event_mmap_page *pg = r->base;
	uint64_t head = __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = pg->data_tail;
	uint64_t mask = r->size - 1;
	int n = 0;

	while (tail < head) {
		struct perf_event_header h;
		uint64_t off = tail & mask;
		const void *rec;

		/* records are 8-byte aligned: a header never straddles the end */
		memcpy(&h, r->data + off, sizeof(h));
		if (h.size < sizeof(h) || h.size > head - tail) {
			tail = head;	/* cannot happen with a sane kernel: resynchronise */
			break;
		}
		if (off + h.size <= r->size) {
			rec = r->data + off;
		} else {
			uint64_t first = r->size - off;

			memcpy(r->scratch, r->data + off, first);
			memcpy(r->scratch + first, r->data, h.size - first);
			rec = r->scratch;
		}
		if (!fn(ctx, rec, h.size))
			break;		/* left in the ring for a later read */
		tail += h.size;
		n++;
	}
	__atomic_store_n(&pg->data_tail, tail, __ATOMIC_RELEASE);
	return n;
}

/* --- events ---------------------------------------------------------------- */

static long perf_open(struct perf_event_attr *a, int cpu)
{
	return syscall(SYS_perf_event_open, a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

unsigned int kb_perfstack_max_depth(void)
{
	char *t = kb_file_read("/proc/sys/kernel/perf_event_max_stack", 64, NULL);
	long v = t ? strtol(t, NULL, 10) : 0;

	free(t);
	return v > 0 && v < 65536 ? (unsigned int)v : 127;
}

static int event_id(const char *dir, const char *system, const char *name, uint64_t *id)
{
	char path[512], *t;
	char *e;

	snprintf(path, sizeof(path), "%s/events/%s/%s/id", dir, system, name);
	t = kb_file_read(path, 64, NULL);
	if (!t)
		return -errno;
	*id = strtoull(t, &e, 10);
	free(t);
	return e == t ? -EINVAL : 0;
}

static void fill_attr(struct perf_event_attr *a, uint64_t id, const struct kb_perfstack_opts *o,
		      bool with_copy, uint32_t stack_bytes, uint32_t watermark)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->type = PERF_TYPE_TRACEPOINT;
	a->config = id;
	a->sample_period = 1;
	a->sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CALLCHAIN;
	a->disabled = 1;
	a->exclude_callchain_kernel = 1;
	a->use_clockid = 1;
	a->clockid = CLOCK_MONOTONIC;	/* the instances use trace_clock mono */
	/* code mappings and execs, to name frames of processes that exit at once */
	a->mmap = 1;		/* needed too: the kernel counts mmap listeners by it */
	a->mmap2 = 1;
	a->comm = 1;
	a->comm_exec = 1;
	a->watermark = 1;
	a->wakeup_watermark = watermark;
	a->sample_max_stack = (uint16_t)(o->depth ? o->depth : kb_perfstack_max_depth());
	if (with_copy) {
		a->sample_type |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
		a->sample_regs_user = KB_PERF_REGS_MASK;
		/* the FP event's few bytes keep the layout of the copy event's (one ring) */
		a->sample_stack_user = stack_bytes;
	}
}

/* Does this process hold CAP_PERFMON (38) or CAP_SYS_ADMIN (21)? */
static bool perf_capable(void)
{
	char *t = kb_file_read("/proc/self/status", 1 << 16, NULL), *l;
	unsigned long long eff = 0;

	l = t ? strstr(t, "\nCapEff:") : NULL;
	if (l)
		eff = strtoull(l + 8, NULL, 16);
	free(t);
	return (eff >> 38 & 1) || (eff >> 21 & 1);
}

static void why_refused(int err, char *why, size_t len)
{
	char *t = kb_file_read("/proc/sys/kernel/perf_event_paranoid", 32, NULL);
	int par = t ? atoi(t) : 99;

	free(t);
	if ((err == EACCES || err == EPERM) && perf_capable())
		snprintf(why, len, "perf_event_open refused (%s) although this process has "
			 "CAP_SYS_ADMIN or CAP_PERFMON: a seccomp filter (container profiles) or a "
			 "security module denies it", strerror(err));
	else if (err == EACCES || err == EPERM)
		snprintf(why, len, "perf_event_open refused (%s): needs CAP_PERFMON or CAP_SYS_ADMIN, "
			 "or kernel.perf_event_paranoid <= 0 (it is %d)", strerror(err), par);
	else if (err == ENOSYS)
		snprintf(why, len, "perf_event_open is not available (ENOSYS: kernel or seccomp)");
	else
		snprintf(why, len, "perf_event_open failed: %s", strerror(err));
}

int kb_perfstack_probe(const char *tracefs_dir, char *why, size_t len)
{
	struct kb_perfstack_opts o = { .mode = KB_STACK_FP, .depth = 0, .stack_bytes = 0 };
	struct perf_event_attr a;
	uint64_t id;
	long fd;

	if (event_id(tracefs_dir, "syscalls", "sys_enter_bind", &id) == 0) {
		fill_attr(&a, id, &o, false, 0, 4096);
	} else {
		/* no syscall tracepoints: the same privilege question, asked with a dummy */
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.type = PERF_TYPE_SOFTWARE;
		a.config = PERF_COUNT_SW_DUMMY;
		a.disabled = 1;
	}
	fd = perf_open(&a, 0);
	if (fd < 0) {
		int e = errno;

		why_refused(e, why, len);
		return -e;
	}
	close((int)fd);
	return 0;
}

/* One event on CPU c whose samples copy stack_bytes, with its own mapped ring. */
static int open_ring(struct ring_map *rm, uint64_t id, const struct kb_perfstack_opts *o, int c,
		     uint32_t stack_bytes, size_t pages, long page, char *err, size_t errlen)
{
	struct perf_event_attr a;
	long fd;
	int ret;

	fill_attr(&a, id, o, true, stack_bytes, (uint32_t)(pages * (size_t)page / 4));
	fd = perf_open(&a, c);
	if (fd < 0) {
		ret = errno;
		if (ret != ENODEV)
			why_refused(ret, err, errlen);
		return -ret;
	}
	rm->fd = (int)fd;
	/* the instances' filter: samples of filtered-out binds would cost and be unpaired */
	if (o->filter && o->filter[0] && ioctl(rm->fd, PERF_EVENT_IOC_SET_FILTER, o->filter)) {
		ret = errno;
		snprintf(err, errlen, "cannot filter the perf stack events: %s", strerror(ret));
		return -ret;
	}
	/* without CAP_IPC_LOCK rings count against perf_event_mlock_kb: shrink */
	for (;;) {
		rm->map_len = (pages + 1) * (size_t)page;
		rm->map = mmap(NULL, rm->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, rm->fd, 0);
		if (rm->map != MAP_FAILED)
			break;
		rm->map = NULL;
		if (pages <= 2 || (errno != EPERM && errno != ENOMEM)) {
			ret = errno;
			snprintf(err, errlen, "cannot map the perf ring of CPU %d: %s", c, strerror(ret));
			return -ret;
		}
		pages /= 2;
	}
	rm->ring.base = rm->map;
	rm->ring.data = (uint8_t *)rm->map + page;
	rm->ring.size = pages * (size_t)page;
	rm->ring.scratch = xmalloc(MAX_RECORD);
	rm->ring.scratch_len = MAX_RECORD;
	return 0;
}

struct kb_perfstack *kb_perfstack_open(const char *dir, const char *system, const char *name,
				       const struct kb_perfstack_opts *o, struct kb_stackstore *store,
				       char *err, size_t errlen)
{
	struct kb_perfstack *ps = xcalloc(1, sizeof(*ps));
	long page = sysconf(_SC_PAGESIZE);
	size_t fp_pages = RING_PAGES_FP_MIN;
	uint64_t id;
	int ret, opened = 0;

	ps->o = *o;
	ps->with_copy = o->mode != KB_STACK_FP;
	ps->store = store;
	ps->ncpu = (int)sysconf(_SC_NPROCESSORS_CONF);
	if (ps->ncpu < 1)
		ps->ncpu = 1;
	ps->cpu = xcalloc((size_t)ps->ncpu, sizeof(*ps->cpu));
	for (int c = 0; c < ps->ncpu; c++)
		ps->cpu[c].fp.fd = ps->cpu[c].copy.fd = -1;
	ret = event_id(dir, system, name, &id);
	if (ret) {
		snprintf(err, errlen, "no id for event %s:%s: %s", system, name, strerror(-ret));
		errno = -ret;
		goto fail;
	}
	while (fp_pages * (size_t)page < (size_t)o->ring_kb * 1024 / 2)
		fp_pages *= 2;
	for (int c = 0; c < ps->ncpu; c++) {
		struct cpu_ev *ce = &ps->cpu[c];

		ret = open_ring(&ce->fp, id, o, c, PEEK_BYTES, fp_pages, page, err, errlen);
		if (ret == -ENODEV)	/* offline CPU */
			continue;
		if (!ret && ps->with_copy)
			ret = open_ring(&ce->copy, id, o, c, o->stack_bytes, RING_PAGES_COPY, page, err, errlen);
		if (ret) {
			errno = -ret;
			goto fail;
		}
		opened++;
	}
	if (!opened) {
		snprintf(err, errlen, "no CPU accepted a perf event");
		errno = ENODEV;
		goto fail;
	}
	return ps;
fail:
	ret = errno;
	kb_perfstack_free(ps);
	errno = ret;
	return NULL;
}

int kb_perfstack_enable(struct kb_perfstack *ps)
{
	/* FP events first: a bind always has its FP sample */
	for (int c = 0; c < ps->ncpu; c++)
		if (ps->cpu[c].fp.fd >= 0 && ioctl(ps->cpu[c].fp.fd, PERF_EVENT_IOC_ENABLE, 0))
			return -errno;
	for (int c = 0; c < ps->ncpu; c++)
		if (ps->cpu[c].copy.fd >= 0 && ioctl(ps->cpu[c].copy.fd, PERF_EVENT_IOC_ENABLE, 0))
			return -errno;
	return 0;
}

void kb_perfstack_disable(struct kb_perfstack *ps)
{
	if (!ps)
		return;
	for (int c = 0; c < ps->ncpu; c++) {
		if (ps->cpu[c].fp.fd >= 0)
			ioctl(ps->cpu[c].fp.fd, PERF_EVENT_IOC_DISABLE, 0);
		if (ps->cpu[c].copy.fd >= 0)
			ioctl(ps->cpu[c].copy.fd, PERF_EVENT_IOC_DISABLE, 0);
	}
}

static void ring_free(struct ring_map *rm)
{
	if (rm->map)
		munmap(rm->map, rm->map_len);
	if (rm->fd >= 0)
		close(rm->fd);
	free(rm->ring.scratch);
}

void kb_perfstack_free(struct kb_perfstack *ps)
{
	if (!ps)
		return;
	for (int c = 0; c < ps->ncpu; c++) {
		ring_free(&ps->cpu[c].copy);
		ring_free(&ps->cpu[c].fp);
	}
	free(ps->cpu);
	free(ps);
}

void kb_perfstack_emergency(const struct kb_perfstack *ps)
{
	for (int c = 0; c < ps->ncpu; c++) {
		if (ps->cpu[c].copy.fd >= 0)
			close(ps->cpu[c].copy.fd);
		if (ps->cpu[c].fp.fd >= 0)
			close(ps->cpu[c].fp.fd);
	}
}

int kb_perfstack_nfds(const struct kb_perfstack *ps)
{
	return ps ? 2 * ps->ncpu : 0;
}

int kb_perfstack_fd(const struct kb_perfstack *ps, int i)
{
	const struct ring_map *rm = i < ps->ncpu ? &ps->cpu[i].fp : &ps->cpu[i - ps->ncpu].copy;

	return rm->map ? rm->fd : -1;
}

/* --- samples --------------------------------------------------------------- */

/*
 * The ring being read, numbered as kb_perfstack_fd numbers them: each ring
 * is a stream of its own for the pairer, since only within one ring do
 * samples come in time order (a CPU's FP samples read before its copies
 * would let a later FP sample overtake an earlier bind's copy).
 */
static int cur_ring(const struct kb_perfstack *ps)
{
	return ps->cur_copy ? ps->ncpu + ps->cur_cpu : ps->cur_cpu;
}

/* May this process keep one more stack copy this second? */
static bool budget_take(struct kb_perfstack *ps, int pid, uint64_t ts)
{
	struct budget *b = &ps->budget[((unsigned int)pid * 2654435761u) % BUDGET_SLOTS];
	uint64_t sec = ts / 1000000000ULL;

	if (b->pid != pid || b->sec != sec) {
		b->pid = pid;
		b->sec = sec;
		b->n = 0;
	}
	if (b->n >= ps->o.copies_per_sec)
		return false;
	b->n++;
	return true;
}

static void on_sample(struct kb_perfstack *ps, const void *rec, size_t len)
{
	struct kb_perf_sample s;
	struct kb_ustack_in in = { 0 };
	uint64_t regs[KB_USTACK_NREGS];
	struct kb_rec r;

	if (kb_perf_parse_sample(rec, len, true, &s)) {
		ps->st.bad++;
		return;
	}
	if (!ps->cur_copy)
		ps->st.samples++;	/* one per bind; copies are counted apart */
	in.pid = (int)s.pid;
	in.tid = (int)s.tid;
	in.ips = s.ips;
	in.nips = s.nips;
	if (s.dyn_size >= 8)
		in.ra = kb_perf_u64(s.stack);
	if (ps->cur_copy) {
		/* perf order ax bx cx dx si di bp sp ip r8..r15 -> DWARF order */
		static const int from[KB_USTACK_NREGS] = {
			0, 3, 2, 1, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 8
		};

		if (!s.has_regs || s.dyn_size <= PEEK_BYTES)
			return;		/* nothing to unwind: the FP sample says it all */
		if (!budget_take(ps, in.pid, s.time)) {
			ps->st.over_budget++;
			return;
		}
		for (int i = 0; i < KB_USTACK_NREGS; i++)
			regs[i] = s.regs[from[i]];
		in.regs = regs;
		in.copy = s.stack;
		in.copy_len = (uint32_t)s.dyn_size;
		ps->st.copies++;
	}
	memset(&r, 0, offsetof(struct kb_rec, sa));
	r.role = KB_ROLE_PSTACK;
	r.cpu = ps->cur_cpu;
	r.inst = -1;
	r.tid = in.tid;
	r.tgid = s.pid;
	r.ts = s.time;
	r.fd = -1;
	r.stype = -1;
	/* the innermost frames also travel in the event, for views that keep only those */
	r.nframes = (int)(s.nips < KB_USTACK_MAX ? s.nips : KB_USTACK_MAX);
	memcpy(r.frames, s.ips, (size_t)r.nframes * sizeof(uint64_t));
	r.stack_id = kb_stackstore_put(ps->store, &in);
	r.stack_copy = in.regs != NULL;
	if (!r.stack_id)
		ps->st.store_full++;
	ps->out(ps->out_ctx, cur_ring(ps), &r);
}

/* pid tid addr len pgoff maj min ino ino_generation prot flags filename */
static void on_mmap2(struct kb_perfstack *ps, const void *rec, size_t len)
{
	const uint8_t *p = (const uint8_t *)rec + sizeof(struct perf_event_header);
	size_t fixed = sizeof(struct perf_event_header) + 8 + 24 + 8 + 16 + 8;
	uint32_t pid, maj, min, prot;

	if (len <= fixed)
		return;
	memcpy(&pid, p, 4);
	memcpy(&maj, p + 32, 4);
	memcpy(&min, p + 36, 4);
	memcpy(&prot, p + 56, 4);
	if (!(prot & 4))	/* PROT_EXEC */
		return;
	kb_stackstore_add_map(ps->store, (int)pid, kb_perf_u64(p + 8), kb_perf_u64(p + 16),
			      kb_perf_u64(p + 24), maj, min, kb_perf_u64(p + 40), prot,
			      (const char *)rec + fixed, len - fixed);
}

static bool on_record(void *ctx, const void *rec, size_t len)
{
	struct kb_perfstack *ps = ctx;
	struct perf_event_header h;

	memcpy(&h, rec, sizeof(h));
	switch (h.type) {
	case PERF_RECORD_SAMPLE:
		/* asked before anything is stored or counted: a refused sample is read again */
		if (ps->room && !ps->room(ps->out_ctx, cur_ring(ps))) {
			ps->refused = true;
			return false;
		}
		on_sample(ps, rec, len);
		break;
	case PERF_RECORD_LOST:
		/* id, lost: a full copy ring only means "FP only" for those binds */
		if (len >= sizeof(h) + 16) {
			uint64_t n = kb_perf_u64((const uint8_t *)rec + sizeof(h) + 8);

			if (ps->cur_copy)
				ps->st.copy_ring_full += n;
			else
				ps->st.lost += n;
		}
		break;
	case PERF_RECORD_MMAP2:
		if (!ps->cur_copy)	/* both events report them: once is enough */
			on_mmap2(ps, rec, len);
		break;
	case PERF_RECORD_COMM:
		/* pid, tid, comm: an exec drops every mapping before it */
		if (!ps->cur_copy && (h.misc & PERF_RECORD_MISC_COMM_EXEC) && len >= sizeof(h) + 8) {
			uint32_t pid;

			memcpy(&pid, (const uint8_t *)rec + sizeof(h), 4);
			kb_stackstore_add_exec(ps->store, (int)pid);
		}
		break;
	case PERF_RECORD_THROTTLE:
		ps->st.throttled++;
		break;
	default:
		break;
	}
	return true;
}

bool kb_perfstack_read(struct kb_perfstack *ps, kb_perf_room_fn room, kb_perf_out_fn fn, void *ctx)
{
	ps->out = fn;
	ps->room = room;
	ps->out_ctx = ctx;
	ps->refused = false;
	for (int c = 0; c < ps->ncpu; c++) {
		ps->cur_cpu = c;
		ps->cur_copy = false;
		if (ps->cpu[c].fp.map)
			kb_perf_ring_read(&ps->cpu[c].fp.ring, on_record, ps);
		ps->cur_copy = true;
		if (ps->cpu[c].copy.map)
			kb_perf_ring_read(&ps->cpu[c].copy.ring, on_record, ps);
	}
	return !ps->refused;
}

void kb_perfstack_get_stats(const struct kb_perfstack *ps, struct kb_perfstack_stats *st)
{
	*st = ps->st;
}
