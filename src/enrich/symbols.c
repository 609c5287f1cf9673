// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * symbols.c - stack frames to names.
 *
 * Two caches make this cheap:
 *  - per process, a copy of the executable part of /proc/PID/maps taken
 *    when the process is first seen (it may exit before its stacks are
 *    looked at), refreshed when a frame falls outside it (dlopen, JIT);
 *  - per file (device and inode), one libdw session with the file's
 *    symbol table and a small table of answers, shared by every process
 *    that maps the file; a file with the build id of one already loaded
 *    (the same library in another container's image) uses that one's
 *    symbols and answers.
 * A frame is translated from the process's address to the file's own
 * virtual address through the mapping's file offset and the file's
 * PT_LOAD headers, then looked up in the file.
 *
 * dwfl_linux_proc_report()/dwfl_linux_proc_maps_report() would build a
 * session per process and re-read every library's symbols for each one
 * (0.4-0.8 ms a process, more once symbols load); sessions per file
 * avoid that.
 *
 * Separate debug info is looked for only on this machine (the build-id
 * directory of /usr/lib/debug): libdw's standard callback may ask
 * debuginfod servers over the network, which a tracer must never wait on.
 */
#include "config.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "demangle.h"
#include "gopclntab.h"
#include "kallsyms.h"
#include "perfmap.h"
#include "strbuf.h"
#include "fileio.h"
#include "options.h"
#include "stackstore.h"
#include "symbols.h"
#include "unwind.h"
#include "xalloc.h"

#define PROC_MAX	256
#define VMA_MAX		4096		/* kept per process */
#define MAPS_MAX_BYTES	(4u << 20)
#define FILE_MAX	256
#define FILE_RETRY_NS	(10ULL * 1000000000ULL)
#define CACHE_SLOTS	256		/* answers kept per file */
#define REFRESH_NS	(1000000000ULL)	/* at most one maps re-read a second per process */
#define LOAD_MAX	16
#define NOTE_NS		(1000000000ULL)
#define BID_MAX		32
#define UCACHE		1024		/* perf stacks resolved to pcs, by store id */

enum vkind { VK_FILE, VK_ANON, VK_DATA, VK_VDSO, VK_HEAP, VK_STACK, VK_OTHER };

struct vma {
	uint64_t start, end, pgoff, ino;
	uint64_t dev;
	uint32_t path;		/* offset in the process's path pool; 0 = none */
	uint8_t kind;		/* enum vkind */
	bool exec;
	bool deleted;
	int16_t fidx;		/* files[] slot last used for it, -1 none (checked on use) */
};

struct sproc {
	int pid;		/* 0: free slot */
	bool has_exe;
	uint64_t exe_dev, exe_ino;
	uid_t uid;
	uint64_t noted_ns;	/* last check of the executable */
	uint64_t refreshed_ns;
	struct vma *v;
	int nv;
	char *maps;		/* the maps text itself, for the unwinder */
	uint64_t log_seq;	/* last perf mapping record merged */
	size_t maps_len;
	uint64_t maps_gen;	/* changes with every copy */
	struct kb_buf paths;	/* pool of mapped file paths; the entry at 0 is "" */
	bool pm_tried;
	struct kb_perfmap pm;
	uint64_t pm_mtime, pm_size, pm_checked_ns;
	uint64_t used;
};

struct centry {
	uint64_t vaddr;
	uint64_t symoff;
	char *name;		/* visible, demangled; NULL when no symbol */
	bool valid;
};

struct sfile {
	bool used;
	uint64_t dev, ino;
	bool ok;
	uint64_t failed_ns;
	Dwfl *dwfl;
	Dwfl_Module *mod;
	struct { uint64_t off, end, vaddr; } load[LOAD_MAX];
	int nload;
	char obj[80];
	uint8_t bid[BID_MAX];	/* GNU build id */
	int bid_len;
	int16_t alias;		/* files[] slot holding the same build, or -1 */
	struct centry cache[CACHE_SLOTS];
	uint64_t last;
	int8_t go_state;	/* .gopclntab: 0 not looked for, 1 loaded, -1 none */
	uint8_t *go_data;	/* a copy of the section */
	struct kb_gopcln go;
};

/* A perf stack as it will be shown: the FP chain or the DWARF unwind of its copy. */
struct ucache {
	uint32_t id;		/* store id; 0 free */
	int pid;
	int n;
	uint64_t *pcs;
	bool had_copy;
	char source[8];
	char note[200];
};

struct kb_symbolizer {
	int pids[PROC_MAX];	/* procs[i].pid, packed: the lookup scans this */
	struct sproc procs[PROC_MAX];
	struct sfile files[FILE_MAX];
	uint64_t tick;
	bool ks_tried;
	struct kb_ksyms ks;
	struct kb_sym_stats st;
	/* perf user stacks */
	struct kb_stackstore *store;
	int mode;			/* enum kb_stack_mode */
	unsigned int depth, copies_per_sec;
	char fallback_note[384];
	struct kb_unwinder *uw;
	struct ucache uc[UCACHE];
	uint64_t gen;
};

/* --- debug info: local only ------------------------------------------- */

static int find_debuginfo_local(Dwfl_Module *mod, void **userdata, const char *modname,
				GElf_Addr base, const char *file_name, const char *debuglink_file,
				GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	const unsigned char *id;
	GElf_Addr vaddr;
	char path[256];
	int n, o, fd;

	n = dwfl_module_build_id(mod, &id, &vaddr);
	if (n < 2 || n > 64)
		return -1;
	o = snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/%02x/", id[0]);
	for (int i = 1; i < n && o < (int)sizeof(path) - 8; i++)
		o += snprintf(path + o, sizeof(path) - (size_t)o, "%02x", id[i]);
	snprintf(path + o, sizeof(path) - (size_t)o, ".debug");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		*debuginfo_file_name = xstrdup(path);
	return fd;
}

static char *no_debuginfo_path;

static const Dwfl_Callbacks dwfl_cb = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = find_debuginfo_local,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &no_debuginfo_path,
};

/* --- lifetime ------------------------------------------------------------ */

struct kb_symbolizer *kb_sym_new(void)
{
	return xcalloc(1, sizeof(struct kb_symbolizer));
}

static void proc_clear(struct sproc *p)
{
	free(p->v);
	free(p->maps);
	kb_buf_free(&p->paths);
	kb_perfmap_free(&p->pm);
	memset(p, 0, sizeof(*p));
}

static void file_clear(struct sfile *f)
{
	free(f->go_data);
	for (int i = 0; i < CACHE_SLOTS; i++)
		free(f->cache[i].name);
	if (f->dwfl)
		dwfl_end(f->dwfl);
	memset(f, 0, sizeof(*f));
}

void kb_sym_free(struct kb_symbolizer *s)
{
	if (!s)
		return;
	for (int i = 0; i < PROC_MAX; i++)
		proc_clear(&s->procs[i]);
	for (int i = 0; i < FILE_MAX; i++)
		file_clear(&s->files[i]);
	for (int i = 0; i < UCACHE; i++)
		free(s->uc[i].pcs);
	kb_unwind_free(s->uw);
	kb_ksyms_free(&s->ks);
	free(s);
}

void kb_sym_stats(const struct kb_symbolizer *s, struct kb_sym_stats *st)
{
	*st = s->st;
}

/* --- process maps -------------------------------------------------------- */

static struct sproc *proc_find(struct kb_symbolizer *s, int pid)
{
	for (int i = 0; i < PROC_MAX; i++)
		if (s->pids[i] == pid)
			return &s->procs[i];
	return NULL;
}

static void proc_set_pid(struct kb_symbolizer *s, struct sproc *p, int pid)
{
	p->pid = pid;
	s->pids[p - s->procs] = pid;
}

static struct sproc *proc_alloc(struct kb_symbolizer *s)
{
	struct sproc *lru = &s->procs[0];

	for (int i = 0; i < PROC_MAX; i++) {
		if (!s->procs[i].pid)
			return &s->procs[i];
		if (s->procs[i].used < lru->used)
			lru = &s->procs[i];
	}
	proc_clear(lru);
	proc_set_pid(s, lru, 0);
	return lru;
}

static uint64_t hexu(const char **p)
{
	char *e;
	uint64_t v = strtoull(*p, &e, 16);

	*p = e;
	return v;
}

static uint32_t pool_add(struct sproc *p, const char *s, size_t n)
{
	if (!p->paths.len)
		kb_buf_add_entry(&p->paths, "", 0);
	/* consecutive mappings of one file share the string */
	if (p->nv && p->v[p->nv - 1].path) {
		const char *last = p->paths.p + p->v[p->nv - 1].path;

		if (strlen(last) == n && !memcmp(last, s, n))
			return p->v[p->nv - 1].path;
	}
	return (uint32_t)kb_buf_add_entry(&p->paths, s, n);
}

/* Parse maps text: executable mappings one by one, the rest merged into runs. */
static void parse_maps(struct sproc *p, char *text, size_t len)
{
	size_t vcap = 0;
	char *end = text + len;

	free(p->v);
	p->v = NULL;
	p->nv = 0;
	kb_buf_reset(&p->paths);
	for (char *l = text; l < end && p->nv < VMA_MAX;) {
		char *nl = memchr(l, '\n', (size_t)(end - l));
		const char *q = l, *path;
		struct vma v = { 0 };
		unsigned int maj, min;
		size_t plen;

		if (nl)
			*nl = '\0';
		else
			*end = '\0';	/* the buffer has room for it */
		v.start = hexu(&q);
		if (*q++ != '-')
			goto next;
		v.end = hexu(&q);
		if (*q++ != ' ' || strlen(q) < 5 || v.end <= v.start)
			goto next;
		v.exec = q[2] == 'x';
		q += 5;
		v.pgoff = hexu(&q);
		maj = (unsigned int)hexu(&q);
		if (*q++ != ':')
			goto next;
		min = (unsigned int)hexu(&q);
		v.dev = makedev(maj, min);
		{
			char *e;

			v.ino = strtoull(q, &e, 10);
			q = e;
		}
		while (*q == ' ')
			q++;
		path = q;
		plen = strlen(path);
		if (!plen)
			v.kind = VK_ANON;
		else if (path[0] == '/')
			v.kind = VK_FILE;
		else if (!strcmp(path, "[vdso]"))
			v.kind = VK_VDSO;
		else if (!strcmp(path, "[heap]"))
			v.kind = VK_HEAP;
		else if (!strncmp(path, "[stack", 6))
			v.kind = VK_STACK;
		else if (!strncmp(path, "[anon", 5))
			v.kind = VK_ANON;
		else
			v.kind = VK_OTHER;
		if (v.kind == VK_FILE && plen > 10 && !strcmp(path + plen - 10, " (deleted)")) {
			v.deleted = true;
			plen -= 10;
		}
		if (!v.exec) {
			/* only code matters: merge runs of data into one range */
			struct vma *last = p->nv ? &p->v[p->nv - 1] : NULL;
			uint8_t k = v.kind == VK_FILE ? VK_DATA : VK_ANON;

			if (last && !last->exec && last->end == v.start) {
				last->end = v.end;
				if (k == VK_ANON)
					last->kind = VK_ANON;
				goto next;
			}
			v.kind = k;
			v.ino = 0;
		} else if (v.kind == VK_FILE) {
			v.path = pool_add(p, path, plen);
		}
		v.fidx = -1;
		if (p->nv == (int)vcap) {
			vcap = vcap ? vcap * 2 : 64;
			p->v = xrealloc(p->v, vcap * sizeof(*p->v));
		}
		p->v[p->nv++] = v;
next:
		l = nl ? nl + 1 : end;
	}
}

/* Take text (maps lines) as the process's map: kept for the unwinder, parsed. */
static void set_maps(struct kb_symbolizer *s, struct sproc *p, char *text, size_t len)
{
	free(p->maps);
	p->maps = xmalloc(len + 1);
	memcpy(p->maps, text, len + 1);
	p->maps_len = len;
	p->maps_gen = ++s->gen;
	parse_maps(p, text, len);
}

struct mline {
	uint64_t start;
	size_t idx;
	const char *p;
	size_t len;
};

static int cmp_mline(const void *a, const void *b)
{
	const struct mline *x = a, *y = b;

	if (x->start != y->start)
		return (x->start > y->start) - (x->start < y->start);
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/*
 * Maps lines in address order (parse_maps and the lookups need it), a
 * later line replacing an earlier one at the same start.  Returns a new
 * NUL-terminated buffer.
 */
static char *sort_maps(const char *text, size_t len, size_t *out_len)
{
	struct mline *l = NULL;
	size_t n = 0, cap = 0, o = 0;
	char *out;

	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (ll) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				l = xrealloc(l, cap * sizeof(*l));
			}
			l[n].start = strtoull(p, NULL, 16);
			l[n].idx = n;
			l[n].p = p;
			l[n].len = ll;
			n++;
		}
		p += ll + 1;
	}
	/* equal starts stay in order: the later line wins below */
	qsort(l, n, sizeof(*l), cmp_mline);
	out = xmalloc(len + 2);
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && l[i + 1].start == l[i].start)
			continue;
		memcpy(out + o, l[i].p, l[i].len);
		o += l[i].len;
		out[o++] = '\n';
	}
	out[o] = '\0';
	free(l);
	*out_len = o;
	return out;
}

/*
 * Mappings perf reported since the copy (a library dlopen'ed after the
 * process was first seen), or all of them for a process that is gone.
 * Returns true when the map changed.
 */
static bool merge_recorded(struct kb_symbolizer *s, struct sproc *p)
{
	struct kb_buf b = { 0 };
	bool exec = false, changed = false;
	char *sorted;
	size_t len;

	if (!s->store)
		return false;
	if (p->maps_len && !exec)
		kb_buf_put(&b, p->maps, p->maps_len);
	{
		size_t keep = b.len;

		if (kb_stackstore_maps_text(s->store, p->pid, &p->log_seq, &b, &exec) > 0 || exec) {
			if (exec) {
				/* a new program: only what was mapped after the exec counts */
				memmove(b.p, b.p + keep, b.len - keep);
				b.len -= keep;
				b.p[b.len] = '\0';
			}
			sorted = sort_maps(b.p ? b.p : "", b.len, &len);
			if (len) {
				set_maps(s, p, sorted, len);
				s->st.maps_recorded++;
				changed = true;
			}
			free(sorted);
		}
	}
	kb_buf_free(&b);
	return changed;
}

static int copy_maps(struct kb_symbolizer *s, struct sproc *p)
{
	char path[64], *buf;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/maps", p->pid);
	buf = kb_file_read(path, MAPS_MAX_BYTES, &len);
	p->refreshed_ns = kb_now_mono();
	if (buf && len) {
		/* what perf recorded until now is in this copy */
		struct kb_buf skip = { 0 };
		bool exec;

		if (s->store)
			kb_stackstore_maps_text(s->store, p->pid, &p->log_seq, &skip, &exec);
		kb_buf_free(&skip);
		set_maps(s, p, buf, len);
		s->st.maps_copies++;
		free(buf);
		return 0;
	}
	free(buf);
	/* gone already: the mappings perf recorded for it, if any */
	p->log_seq = 0;
	return merge_recorded(s, p) ? 0 : -ESRCH;
}

void kb_sym_note_process(struct kb_symbolizer *s, int pid, uint64_t now_ns)
{
	struct sproc *p = proc_find(s, pid);
	char path[64];
	struct stat st;

	if (pid <= 0)
		return;
	/* called for every event with a stack: check for exec once a second */
	if (p && now_ns - p->noted_ns < NOTE_NS) {
		p->used = ++s->tick;
		return;
	}
	if (p)
		p->noted_ns = now_ns;
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	if (stat(path, &st)) {
		if (p) {
			p->used = ++s->tick;
			return;		/* gone (or a kernel thread): keep what we have */
		}
		/* exited right after its bind: what perf recorded of its mappings */
		if (s->store) {
			p = proc_alloc(s);
			proc_set_pid(s, p, pid);
			p->noted_ns = now_ns;
			p->used = ++s->tick;
			if (merge_recorded(s, p))
				s->st.procs++;
			else
				proc_set_pid(s, p, 0);
		}
		return;
	}
	if (p && p->has_exe && p->exe_dev == st.st_dev && p->exe_ino == st.st_ino) {
		p->used = ++s->tick;
		return;
	}
	if (!p) {
		p = proc_alloc(s);
		s->st.procs++;
	} else {
		proc_clear(p);	/* exec or pid reuse: a new program */
	}
	proc_set_pid(s, p, pid);
	p->noted_ns = now_ns;
	p->has_exe = true;
	p->exe_dev = st.st_dev;
	p->exe_ino = st.st_ino;
	snprintf(path, sizeof(path), "/proc/%d", pid);
	p->uid = stat(path, &st) ? 0 : st.st_uid;
	p->used = ++s->tick;
	if (copy_maps(s, p))
		proc_set_pid(s, p, 0);
}

static struct vma *vma_find(struct sproc *p, uint64_t addr)
{
	int lo = 0, hi = p->nv;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (p->v[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && addr < p->v[lo - 1].end)
		return &p->v[lo - 1];
	return NULL;
}

/* --- files --------------------------------------------------------------- */

static int open_checked(const char *path, const struct vma *v, bool check_dev)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_ino != v->ino ||
	    (check_dev && (uint64_t)st.st_dev != v->dev)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The mapped file itself: through map_files while the process lives (any
 * mount namespace, even deleted), else by its path inside the process's
 * root, else on the host, checked to be the same inode.
 */
static int open_mapped(const struct sproc *p, const struct vma *v, const char *path)
{
	char buf[4200];
	int fd;

	snprintf(buf, sizeof(buf), "/proc/%d/map_files/%llx-%llx", p->pid,
		 (unsigned long long)v->start, (unsigned long long)v->end);
	fd = open(buf, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 || v->deleted)
		return fd;
	snprintf(buf, sizeof(buf), "/proc/%d/root%s", p->pid, path);
	fd = open_checked(buf, v, false);
	if (fd >= 0)
		return fd;
	return open_checked(path, v, true);
}

static void file_load_segments(struct sfile *f)
{
	GElf_Addr bias;
	Elf *e = dwfl_module_getelf(f->mod, &bias);
	size_t n = 0;

	f->nload = 0;
	if (!e || elf_getphdrnum(e, &n))
		return;
	for (size_t i = 0; i < n && f->nload < LOAD_MAX; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		f->load[f->nload].off = ph.p_offset;
		f->load[f->nload].end = ph.p_offset + ph.p_filesz;
		f->load[f->nload].vaddr = ph.p_vaddr;
		f->nload++;
	}
}

/* An alias is good while the file it points to still holds the same build. */
static bool alias_ok(const struct kb_symbolizer *s, const struct sfile *f)
{
	const struct sfile *t;

	if (f->alias < 0)
		return true;
	t = &s->files[f->alias];
	return t->used && t->ok && t->alias < 0 && t->bid_len == f->bid_len &&
	       !memcmp(t->bid, f->bid, (size_t)f->bid_len);
}

/* The file whose symbols and answers serve f. */
static struct sfile *file_target(struct kb_symbolizer *s, struct sfile *f)
{
	return f->alias >= 0 ? &s->files[f->alias] : f;
}

/*
 * The same build already loaded from another file (another container's
 * copy of a library): drop this session and use that one's symbol table,
 * which is where the time goes.
 */
static void share_build(struct kb_symbolizer *s, struct sfile *f)
{
	const unsigned char *bits;
	GElf_Addr vaddr;
	int n = dwfl_module_build_id(f->mod, &bits, &vaddr);

	if (n < 8 || n > BID_MAX)
		return;
	memcpy(f->bid, bits, (size_t)n);
	f->bid_len = n;
	for (int i = 0; i < FILE_MAX; i++) {
		struct sfile *t = &s->files[i];

		if (t == f || !t->used || !t->ok || t->alias >= 0 || t->bid_len != n ||
		    memcmp(t->bid, f->bid, (size_t)n))
			continue;
		dwfl_end(f->dwfl);
		f->dwfl = NULL;
		f->mod = NULL;
		f->alias = (int16_t)i;
		s->st.files_shared++;
		return;
	}
}

static struct sfile *file_get(struct kb_symbolizer *s, const struct sproc *p, struct vma *v)
{
	struct sfile *f = NULL, *lru = &s->files[0];
	const char *path = p->paths.p + v->path, *base;
	int fd;

	if (v->fidx >= 0) {
		f = &s->files[v->fidx];
		if (f->used && f->dev == v->dev && f->ino == v->ino && f->ok && alias_ok(s, f)) {
			f->last = ++s->tick;
			return f;
		}
		f = NULL;
	}
	for (int i = 0; i < FILE_MAX; i++) {
		struct sfile *x = &s->files[i];

		if (x->used && x->dev == v->dev && x->ino == v->ino) {
			f = x;
			break;
		}
		if (!x->used)
			lru = x;
		else if (lru->used && x->last < lru->last)
			lru = x;
	}
	if (f) {
		f->last = ++s->tick;
		v->fidx = (int16_t)(f - s->files);
		/* a file that could not be read may be readable from another process */
		if ((f->ok && alias_ok(s, f)) || (!f->ok && kb_now_mono() - f->failed_ns < FILE_RETRY_NS))
			return f;
		file_clear(f);
	} else {
		f = lru;
		file_clear(f);
	}
	f->used = true;
	f->alias = -1;
	v->fidx = (int16_t)(f - s->files);
	f->dev = v->dev;
	f->ino = v->ino;
	f->last = ++s->tick;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	kb_visible_str(f->obj, sizeof(f->obj), base, 255);

	fd = open_mapped(p, v, path);
	if (fd < 0)
		goto fail;
	f->dwfl = dwfl_begin(&dwfl_cb);
	if (!f->dwfl) {
		close(fd);
		goto fail;
	}
	dwfl_report_begin(f->dwfl);
	/* base 0 relative to p_vaddr: addresses in the session are the file's own */
	f->mod = dwfl_report_elf(f->dwfl, f->obj, path, fd, 0, true);
	if (!f->mod) {
		close(fd);
		goto fail;
	}
	dwfl_report_end(f->dwfl, NULL, NULL);
	file_load_segments(f);
	if (!f->nload)
		goto fail;
	f->ok = true;
	s->st.files_opened++;
	share_build(s, f);
	return f;
fail:
	if (f->dwfl)
		dwfl_end(f->dwfl);
	f->dwfl = NULL;
	f->mod = NULL;
	f->ok = false;
	f->failed_ns = kb_now_mono();
	s->st.files_failed++;
	return f;
}

/* The file's virtual address of a process address inside mapping v. */
static bool file_vaddr(const struct sfile *f, const struct vma *v, uint64_t addr, uint64_t *vaddr)
{
	uint64_t off = addr - v->start + v->pgoff;

	for (int i = 0; i < f->nload; i++) {
		if (off >= f->load[i].off && off < f->load[i].end) {
			*vaddr = off - f->load[i].off + f->load[i].vaddr;
			return true;
		}
	}
	return false;
}

#define GOPCLN_MAX	(64u << 20)	/* bytes of .gopclntab copied */

/* A Go binary's own function table, read once per file when .symtab has no answer. */
static const struct kb_gopcln *go_table(struct sfile *f)
{
	GElf_Addr bias;
	Elf *e;
	Elf_Scn *scn = NULL;
	size_t shstr;
	uint64_t text = 0;
	Elf_Data *data = NULL;

	if (f->go_state)
		return f->go_state > 0 ? &f->go : NULL;
	f->go_state = -1;
	e = f->mod ? dwfl_module_getelf(f->mod, &bias) : NULL;
	if (!e || elf_getshdrstrndx(e, &shstr))
		return NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(e, shstr, sh.sh_name)))
			continue;
		if (!strcmp(name, ".text"))
			text = sh.sh_addr;
		else if (!strcmp(name, ".gopclntab") && sh.sh_type == SHT_PROGBITS)
			data = elf_getdata(scn, NULL);
	}
	if (!data || !data->d_buf || !data->d_size || data->d_size > GOPCLN_MAX)
		return NULL;
	f->go_data = xmalloc(data->d_size);
	memcpy(f->go_data, data->d_buf, data->d_size);
	if (kb_gopcln_init(&f->go, f->go_data, data->d_size, text)) {
		free(f->go_data);
		f->go_data = NULL;
		return NULL;
	}
	f->go_state = 1;
	return &f->go;
}

static const struct centry *file_lookup(struct kb_symbolizer *s, struct sfile *f, uint64_t vaddr)
{
	struct centry *c = &f->cache[(vaddr ^ (vaddr >> 12)) % CACHE_SLOTS];
	char raw[1024];
	const char *name;
	GElf_Off off = 0;
	GElf_Sym sym;
	GElf_Word shndx;
	GElf_Addr bias;
	Elf *elf;

	s->st.lookups++;
	if (c->valid && c->vaddr == vaddr) {
		s->st.cache_hits++;
		return c;
	}
	free(c->name);
	c->name = NULL;
	c->valid = true;
	c->vaddr = vaddr;
	c->symoff = 0;
	name = dwfl_module_addrinfo(f->mod, vaddr, &off, &sym, &shndx, &elf, &bias);
	if (name && name[0]) {
		char vis[sizeof(((struct kb_frame *)0)->sym)];

		kb_demangle(name, raw, sizeof(raw));
		kb_visible_str(vis, sizeof(vis), raw, sizeof(raw));
		c->name = xstrdup(vis);
		c->symoff = off;
	} else {
		/* stripped Go ("-ldflags=-s -w"): the runtime's own table still names it */
		const struct kb_gopcln *g = go_table(f);
		size_t nl = 0;
		uint64_t goff = 0;
		const char *gn = g ? kb_gopcln_find(g, vaddr, &goff, &nl) : NULL;

		if (gn) {
			char vis[sizeof(((struct kb_frame *)0)->sym)];

			kb_visible_str(vis, sizeof(vis), gn, nl);
			c->name = xstrdup(vis);
			c->symoff = goff;
			s->st.go_names++;
		}
	}
	return c;
}

/* --- JIT maps ------------------------------------------------------------ */

static const char *perfmap_find(struct kb_symbolizer *s, struct sproc *p, uint64_t addr,
				uint64_t *off)
{
	const char *name = p->pm.n ? kb_perfmap_find(&p->pm, addr, off) : NULL;
	uint64_t now, mt = 0, sz = 0;
	char path[64];
	struct stat st;

	if (name)
		return name;
	/* a miss: the JIT may have appended since; look again at most once a second */
	now = kb_now_mono();
	if (p->pm_tried && now - p->pm_checked_ns < REFRESH_NS)
		return NULL;
	p->pm_checked_ns = now;
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", p->pid);
	if (lstat(path, &st))
		return NULL;
	if (p->pm_tried && (uint64_t)st.st_size == p->pm_size &&
	    (uint64_t)st.st_mtim.tv_sec * 1000000000ULL + (uint64_t)st.st_mtim.tv_nsec == p->pm_mtime)
		return NULL;
	p->pm_tried = true;
	if (kb_perfmap_load(&p->pm, p->pid, path, &p->uid, 1, &mt, &sz) < 0)
		return NULL;
	p->pm_mtime = mt;
	p->pm_size = sz;
	s->st.perfmaps_loaded++;
	return kb_perfmap_find(&p->pm, addr, off);
}

/* --- resolving ----------------------------------------------------------- */

/* Bounded copy; snprintf("%s") costs more than the rest of a warm lookup. */
static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = 0;

	while (n < cap - 1 && src[n])
		n++;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void set_obj(struct kb_frame *out, const char *obj)
{
	copy_str(out->obj, sizeof(out->obj), obj);
}

static void resolve_kernel(struct kb_symbolizer *s, uint64_t look, struct kb_frame *out)
{
	const char *name, *mod = "";
	uint64_t off = 0;

	if (!s->ks_tried) {
		s->ks_tried = true;
		kb_ksyms_load(&s->ks, NULL);
	}
	set_obj(out, "[kernel]");
	name = kb_ksyms_find(&s->ks, look, &off, &mod);
	if (!name)
		return;
	if (mod[0]) {
		char vis[sizeof(out->obj) - 2];

		kb_visible_str(vis, sizeof(vis), mod, 64);
		snprintf(out->obj, sizeof(out->obj), "[%s]", vis);
	}
	kb_visible_str(out->sym, sizeof(out->sym), name, 256);
	out->off = off + (out->addr - look);
	out->known = true;
}

static void resolve_user(struct kb_symbolizer *s, int pid, uint64_t look, struct kb_frame *out)
{
	struct sproc *p = proc_find(s, pid);
	const struct centry *c;
	const char *name;
	struct sfile *f;
	struct vma *v;
	uint64_t vaddr, off = 0;

	if (!p)
		return;
	p->used = ++s->tick;
	v = vma_find(p, look);
	if ((!v || !v->exec) && merge_recorded(s, p))
		v = vma_find(p, look);
	if ((!v || !v->exec) && kb_now_mono() - p->refreshed_ns > REFRESH_NS) {
		/* code mapped after the copy (dlopen, JIT): look again while it lives */
		char exe[64];
		struct stat st;

		snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
		if (!stat(exe, &st) && st.st_dev == p->exe_dev && st.st_ino == p->exe_ino)
			copy_maps(s, p);
		else
			p->refreshed_ns = kb_now_mono();
		v = vma_find(p, look);
	}
	if (!v || v->kind != VK_FILE) {
		/* JITs name their code in a perf map, wherever it lives */
		name = perfmap_find(s, p, look, &off);
		if (name) {
			kb_visible_str(out->sym, sizeof(out->sym), name, KB_PERFMAP_NAME_MAX);
			out->off = off + (out->addr - look);
			out->known = true;
		}
	}
	if (!v) {
		if (out->known)
			set_obj(out, "[jit]");
		return;
	}
	switch (v->kind) {
	case VK_FILE:
		f = file_get(s, p, v);
		set_obj(out, f->obj);
		if (!f->ok || !file_vaddr(f, v, look, &vaddr))
			return;
		c = file_lookup(s, file_target(s, f), vaddr);
		if (!c->name)
			return;
		copy_str(out->sym, sizeof(out->sym), c->name);
		out->off = c->symoff + (out->addr - look);
		out->known = true;
		return;
	case VK_ANON:
		set_obj(out, v->exec || out->known ? "[jit]" : "[anon]");
		return;
	case VK_DATA:
		set_obj(out, "[data]");
		return;
	case VK_VDSO:
		set_obj(out, "[vdso]");
		return;
	case VK_HEAP:
		set_obj(out, "[heap]");
		return;
	case VK_STACK:
		set_obj(out, "[stack]");
		return;
	default:
		set_obj(out, "[other]");
		return;
	}
}

static void resolve(struct kb_symbolizer *s, int pid, bool kernel, uint64_t addr, uint64_t look,
		    struct kb_frame *out)
{
	memset(out, 0, sizeof(*out));
	out->addr = addr;
	if (kernel)
		resolve_kernel(s, look, out);
	else
		resolve_user(s, pid, look, out);
}

void kb_sym_resolve(struct kb_symbolizer *s, int pid, bool kernel, uint64_t addr, struct kb_frame *out)
{
	resolve(s, pid, kernel, addr, addr, out);
}

/* Functions a complete user stack ends in. */
static bool stack_bottom(const char *sym)
{
	static const char *const bottoms[] = {
		"_start", "__libc_start_main", "__libc_start_call_main", "__libc_start_main_impl",
		"libc_start_main_stage2", "start_thread", "clone", "clone3", "__clone",
		"__clone3", "__GI___clone3", "thread_start", "_dl_start_user",
		"runtime.goexit", "runtime.goexit.abi0", "runtime.rt0_go", "runtime.rt0_go.abi0",
	};

	for (size_t i = 0; i < sizeof(bottoms) / sizeof(bottoms[0]); i++)
		if (!strcmp(sym, bottoms[i]))
			return true;
	return false;
}

void kb_sym_set_stacks(struct kb_symbolizer *s, struct kb_stackstore *store, int mode,
		       unsigned int depth, unsigned int copies_per_sec, const char *fallback_note)
{
	s->store = store;
	s->mode = mode;
	s->depth = depth;
	s->copies_per_sec = copies_per_sec;
	copy_str(s->fallback_note, sizeof(s->fallback_note), fallback_note ? fallback_note : "");
	if (!s->uw)
		s->uw = kb_unwind_new();
}

/* Does a frame-pointer chain reach the program's entry? (Also refreshes maps on a miss.) */
static bool chain_complete(struct kb_symbolizer *s, int pid, const uint64_t *pcs, uint32_t n)
{
	struct kb_frame f;

	if (!n)
		return false;
	for (uint32_t i = 0; i < n; i++)
		resolve(s, pid, false, pcs[i], i ? pcs[i] - 1 : pcs[i], &f);
	return f.known && stack_bottom(f.sym);
}

/*
 * The perf stack id of pid as it will be shown: its FP chain, or the DWARF
 * unwind of its stack copy when that is asked for (--stack=dwarf) or the
 * chain stops short of the entry (auto).  Done once per stack.
 */
static const struct ucache *perf_stack(struct kb_symbolizer *s, int pid, uint32_t id)
{
	struct ucache *c = &s->uc[id % UCACHE];
	struct kb_ustack u;
	bool dwarf = false;

	if (c->id == id && c->pid == pid)
		return c;
	free(c->pcs);
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->pid = pid;
	if (!s->store || !id || kb_stackstore_get(s->store, id, &u)) {
		s->st.ustacks_gone++;
		snprintf(c->note, sizeof(c->note), id ? "the stack was pushed out of the stack store "
			 "before it was shown (memory bound)" : "the stack did not fit in the stack store");
		return c;
	}
	c->had_copy = u.has_copy;
	if (c->had_copy && s->mode != KB_STACK_FP)
		dwarf = s->mode == KB_STACK_DWARF || !chain_complete(s, pid, u.ips, u.nips);
	if (dwarf) {
		struct sproc *p = proc_find(s, pid);
		uint64_t *d = xmalloc(KB_STACK_FRAMES * sizeof(uint64_t));
		int n = 0;

		if (p)
			n = kb_unwind(s->uw, pid, p->maps, p->maps_len, p->maps_gen, &u, d, KB_STACK_FRAMES);
		if (n > (int)u.nips || (n && n >= (int)u.nips && s->mode == KB_STACK_DWARF)) {
			c->pcs = d;
			c->n = n;
			snprintf(c->source, sizeof(c->source), "dwarf");
		} else {
			free(d);
			if (!p)
				snprintf(c->note, sizeof(c->note), "no DWARF unwinding: the process's "
					 "memory map is unknown (it exited before it was read)");
		}
	}
	if (!c->pcs) {
		uint64_t ra = 0;
		struct kb_frame f;
		int k = 0;

		/*
		 * The C library's bind() keeps no frame: the walk skips its
		 * caller.  At the syscall the return address is at the user sp,
		 * the word every sample carries; take it when it is in named code.
		 */
		if (u.ra && u.nips >= 1) {
			ra = u.ra;
			if (u.nips >= 2 && u.ips[1] == ra)
				ra = 0;
			if (ra) {
				resolve(s, pid, false, ra, ra - 1, &f);
				if (!f.known)
					ra = 0;
			}
		}
		c->pcs = xmalloc(((size_t)u.nips + 2) * sizeof(uint64_t));
		for (uint32_t i = 0; i < u.nips && k < KB_STACK_FRAMES; i++) {
			c->pcs[k++] = u.ips[i];
			if (i == 0 && ra && k < KB_STACK_FRAMES)
				c->pcs[k++] = ra;
		}
		c->n = k;
		snprintf(c->source, sizeof(c->source), "fp");
	}
	if (c->source[0] == 'd')
		s->st.ustacks_dwarf++;
	else
		s->st.ustacks_fp++;
	kb_ustack_release(&u);
	return c;
}

static void perf_note(struct kb_symbolizer *s, const struct ucache *c, struct kb_stack *st)
{
	const struct kb_frame *last = st->n ? &st->f[st->n - 1] : NULL;
	const char *where;

	if (c->note[0]) {
		copy_str(st->note, sizeof(st->note), c->note);
		return;
	}
	if (!last) {
		snprintf(st->note, sizeof(st->note), "no user frames were recorded");
		return;
	}
	if (last->known && stack_bottom(last->sym))
		return;
	where = last->known ? last->sym : last->obj[0] ? last->obj : "unknown code";
	if (s->depth && (unsigned int)st->n >= s->depth && c->source[0] == 'f')
		snprintf(st->note, sizeof(st->note), "cut at %u frames (--stack-depth)", s->depth);
	else if (c->source[0] == 'd')
		snprintf(st->note, sizeof(st->note), "DWARF unwinding stopped after %d frames in %.60s: "
			 "the stack copy may be too small (--stack-bytes) or the code has no unwind "
			 "info", st->n, where);
	else if (s->mode == KB_STACK_FP)
		snprintf(st->note, sizeof(st->note), "the frame-pointer walk ended in %.60s before the "
			 "program's entry (--stack=fp; auto or dwarf would unwind it)", where);
	else if (!c->had_copy)
		snprintf(st->note, sizeof(st->note), "the frame-pointer walk ended in %.60s; no stack "
			 "copy to unwind: over the budget of %u copies/s per process (--stack-copies)",
			 where, s->copies_per_sec);
	else
		snprintf(st->note, sizeof(st->note), "the frame-pointer walk ended in %.60s and DWARF "
			 "unwinding found no more", where);
}

static void user_note(struct kb_symbolizer *s, int pid, const struct kb_event *ev, struct kb_stack *st)
{
	int raw = ev->n_ustack - ((ev->flags & KB_EVF_CALLER_FIXED) ? 1 : 0);
	const struct kb_frame *last;

	st->note[0] = '\0';
	if (!ev->n_ustack) {
		if (ev->flags & KB_EVF_STACK_WANTED)
			snprintf(st->note, sizeof(st->note), "no user stack was recorded");
		return;
	}
	if (!proc_find(s, pid)) {
		snprintf(st->note, sizeof(st->note), "unresolved: the process exited before its "
			 "memory map could be read");
		return;
	}
	for (int i = 1; i < st->n; i++) {
		const char *o = st->f[i].obj;

		if (!st->f[i].known && (!o[0] || !strcmp(o, "[anon]") || !strcmp(o, "[data]") ||
					!strcmp(o, "[stack]") || !strcmp(o, "[heap]"))) {
			snprintf(st->note, sizeof(st->note), "may be wrong from frame %d on: it is not "
				 "in code (a function without frame pointers broke the walk)", i);
			return;
		}
	}
	if (!(ev->flags & KB_EVF_CALLER_FIXED) && st->n > 1 &&
	    (!strncmp(st->f[0].obj, "libc.so", 7) || !strncmp(st->f[0].obj, "libc-", 5) ||
	     !strncmp(st->f[0].obj, "ld-musl", 7))) {
		/* the libc uprobe recovers it for bind() only, not for syscall() */
		snprintf(st->note, sizeof(st->note), "the direct caller of %.60s is missing: the C "
			 "library's system call code keeps no frame pointer",
			 st->f[0].known ? st->f[0].sym : "the C library");
		return;
	}
	last = &st->f[st->n - 1];
	if (last->known && stack_bottom(last->sym))
		return;
	if (raw >= 8) {
		snprintf(st->note, sizeof(st->note), "cut at the kernel's limit of 8 frames: outer "
			 "callers are missing");
		return;
	}
	snprintf(st->note, sizeof(st->note), "may be truncated: the frame-pointer walk ended in "
		 "%s before the program's entry (code built without frame pointers)",
		 last->obj[0] ? last->obj : "unknown code");
}

void kb_sym_stack(struct kb_symbolizer *s, int pid, const struct kb_event *ev, bool kernel,
		  struct kb_stack *st)
{
	const uint64_t *pcs = kernel ? ev->kstack : ev->ustack;
	int n = kernel ? ev->n_kstack : ev->n_ustack;
	int max = (int)(sizeof(st->f) / sizeof(st->f[0]));

	st->source[0] = '\0';
	if (!kernel && ev->ustack_src == KB_USRC_PERF) {
		const struct ucache *c = perf_stack(s, pid, ev->ustack_id);

		st->n = c->n < max ? c->n : max;
		for (int i = 0; i < st->n; i++)
			resolve(s, pid, false, c->pcs[i], i ? c->pcs[i] - 1 : c->pcs[i], &st->f[i]);
		copy_str(st->source, sizeof(st->source), c->source);
		st->note[0] = '\0';
		perf_note(s, c, st);
		return;
	}
	if (!kernel && ev->ustack_src == KB_USRC_FTRACE)
		snprintf(st->source, sizeof(st->source), "ftrace");
	st->n = n < max ? n : max;
	for (int i = 0; i < st->n; i++) {
		/* frame 0 is where execution was; the rest are return addresses */
		uint64_t look = i && pcs[i] ? pcs[i] - 1 : pcs[i];

		resolve(s, pid, kernel, pcs[i], look, &st->f[i]);
	}
	if (kernel) {
		st->note[0] = '\0';
		return;
	}
	user_note(s, pid, ev, st);
	if (s->fallback_note[0] && (ev->n_ustack || (ev->flags & KB_EVF_STACK_WANTED))) {
		/* ftrace stacks because perf was refused: say why, before what they lack */
		char own[sizeof(st->note)];
		struct kb_buf b = { 0 };

		copy_str(own, sizeof(own), st->note);
		kb_buf_puts(&b, s->fallback_note);
		if (own[0]) {
			kb_buf_puts(&b, "; ");
			kb_buf_puts(&b, own);
		}
		copy_str(st->note, sizeof(st->note), b.p ? b.p : "");
		kb_buf_free(&b);
	}
}

const char *kb_sym_frame_text(const struct kb_frame *f, char *buf, size_t len)
{
	if (f->known)
		snprintf(buf, len, "%s+0x%llx (%s)", f->sym, (unsigned long long)f->off,
			 f->obj[0] ? f->obj : "?");
	else if (f->obj[0])
		snprintf(buf, len, "0x%llx (%s)", (unsigned long long)f->addr, f->obj);
	else
		snprintf(buf, len, "0x%llx", (unsigned long long)f->addr);
	return buf;
}
