// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * unwind.c - DWARF unwinding of perf stack copies (see unwind.h).
 *
 * libdw's thread-state API does the work: dwfl_attach_state with our own
 * callbacks, so nothing is ptrace'd or read from the live process.
 * memory_read serves only [sp, sp + copy) from the sample; the initial
 * registers are the sample's, in DWARF order.  Modules are reported from
 * the caller's copy of the maps (fmemopen + dwfl_linux_proc_maps_report),
 * so a process that already exited still unwinds.  ELF files are opened
 * inside the process's root (containers) and, failing that, on the host;
 * separate debug info is never hunted for (the stock callback cost 25 ms
 * for one module without .eh_frame on the reference VM): .eh_frame is in
 * the loaded file itself.
 */
#include "config.h"

#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unwind.h"
#include "xalloc.h"

#define SESSIONS	32

struct ctx {
	int pid, tid;
	const struct kb_ustack *u;
	uint64_t *pcs;
	int n, max;
};

struct session {
	int pid;			/* 0: free */
	uint64_t gen;
	Dwfl *dwfl;
	char *maps;			/* the text the modules were reported from */
	bool attached;
	struct ctx ctx;			/* the stack being unwound (dwfl_attach_state's arg) */
	uint64_t used;
};

struct kb_unwinder {
	struct session s[SESSIONS];
	uint64_t tick;
	struct kb_unwind_stats st;
};

/* find_elf has no argument of ours: the session being built or unwound. */
static int cur_pid;

static int find_elf(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
		    char **file_name, Elf **elfp)
{
	char path[4200];
	int fd;

	(void)mod;
	(void)userdata;
	(void)base;
	*elfp = NULL;
	if (!modname || modname[0] != '/')
		return -1;
	/* inside the process's root first: a container's /usr/lib is not the host's */
	snprintf(path, sizeof(path), "/proc/%d/root%s", cur_pid, modname);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(path, sizeof(path), "%s", modname);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd >= 0)
		*file_name = xstrdup(path);
	return fd;
}

static int no_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, GElf_Addr base,
			const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
			char **debuginfo_file_name)
{
	(void)mod, (void)userdata, (void)modname, (void)base, (void)file_name;
	(void)debuglink_file, (void)debuglink_crc, (void)debuginfo_file_name;
	return -1;
}

static char *no_path;

static const Dwfl_Callbacks proc_cb = {
	.find_elf = find_elf,
	.find_debuginfo = no_debuginfo,
	.debuginfo_path = &no_path,
};

/* --- thread state callbacks ------------------------------------------------ */

static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	struct ctx *c = arg;

	(void)dwfl;
	if (*thread_argp)
		return 0;
	*thread_argp = c;
	return c->tid;
}

static bool get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	struct ctx *c = arg;

	(void)dwfl;
	if (tid != c->tid)
		return false;
	*thread_argp = c;
	return true;
}

/* Only the bytes the kernel copied: the live process is never read. */
static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	const struct ctx *c = arg;
	uint64_t sp = c->u->regs[7];

	(void)dwfl;
	if (addr < sp || addr - sp > (uint64_t)c->u->copy_len || c->u->copy_len - (addr - sp) < 8)
		return false;
	memcpy(result, c->u->copy + (addr - sp), 8);
	return true;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	const struct ctx *c = arg;
	Dwarf_Word regs[KB_USTACK_NREGS];

	for (int i = 0; i < KB_USTACK_NREGS; i++)
		regs[i] = c->u->regs[i];
	return dwfl_thread_state_registers(thread, 0, KB_USTACK_NREGS, regs);
}

static const Dwfl_Thread_Callbacks thread_cb = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

/* Open a mapped file inside the process's root (containers), else on the host. */
static int open_in_root(int pid, const char *path)
{
	char buf[4200];
	int fd;

	snprintf(buf, sizeof(buf), "/proc/%d/root%s", pid, path);
	fd = open(buf, O_RDONLY | O_CLOEXEC);
	return fd >= 0 ? fd : open(path, O_RDONLY | O_CLOEXEC);
}

/*
 * Report each mapped file once, at the load bias its lowest mapping gives:
 * perf's mapping records hold only the executable segment, which
 * dwfl_linux_proc_maps_report cannot place, so the bias comes from the
 * file's own PT_LOAD headers.  Returns modules reported.
 */
static int report_maps(Dwfl *dwfl, int pid, const char *maps, size_t len)
{
	char last[4096] = "";
	int n = 0;

	for (const char *p = maps, *end = maps + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[4400], path[4096], perms[8];
		unsigned long long start, stop, pgoff;
		int fd, pos = 0;

		if (ll >= sizeof(line))
			goto next;
		memcpy(line, p, ll);
		line[ll] = '\0';
		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %n", &start, &stop, perms, &pgoff, &pos) < 4 ||
		    !pos || line[pos] != '/' || perms[2] != 'x')
			goto next;
		snprintf(path, sizeof(path), "%s", line + pos);
		if (ll > 10 && !strcmp(path + strlen(path) - (strlen(path) > 10 ? 10 : 0), " (deleted)"))
			goto next;
		if (!strcmp(path, last))
			goto next;
		fd = open_in_root(pid, path);
		if (fd >= 0) {
			Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
			size_t np = 0;
			bool placed = false;
			GElf_Addr bias = 0;

			if (e && !elf_getphdrnum(e, &np)) {
				for (size_t i = 0; i < np && !placed; i++) {
					GElf_Phdr ph;

					if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD ||
					    pgoff < ph.p_offset || pgoff >= ph.p_offset + ph.p_filesz)
						continue;
					bias = start - pgoff + ph.p_offset - ph.p_vaddr;
					placed = true;
				}
			}
			if (e)
				elf_end(e);
			/* dwfl_report_elf takes the fd */
			if (placed && dwfl_report_elf(dwfl, path, path, fd, bias, false))
				n++;
			else
				close(fd);
		}
		snprintf(last, sizeof(last), "%s", path);
next:
		p += ll + 1;
	}
	return n;
}

/* --- sessions ---------------------------------------------------------------- */

struct kb_unwinder *kb_unwind_new(void)
{
	return xcalloc(1, sizeof(struct kb_unwinder));
}

static void session_clear(struct session *s)
{
	if (s->dwfl)
		dwfl_end(s->dwfl);
	free(s->maps);
	memset(s, 0, sizeof(*s));
}

void kb_unwind_free(struct kb_unwinder *uw)
{
	if (!uw)
		return;
	for (int i = 0; i < SESSIONS; i++)
		session_clear(&uw->s[i]);
	free(uw);
}

void kb_unwind_stats(const struct kb_unwinder *uw, struct kb_unwind_stats *st)
{
	*st = uw->st;
}

static struct session *session_get(struct kb_unwinder *uw, int pid, const char *maps, size_t len,
				   uint64_t gen)
{
	struct session *s = NULL, *lru = &uw->s[0];

	for (int i = 0; i < SESSIONS; i++) {
		if (uw->s[i].pid == pid) {
			s = &uw->s[i];
			break;
		}
		if (uw->s[i].used < lru->used)
			lru = &uw->s[i];
	}
	if (s && s->gen == gen && s->dwfl) {
		s->used = ++uw->tick;
		return s;
	}
	s = s ? s : lru;
	session_clear(s);
	s->pid = pid;
	s->gen = gen;
	s->used = ++uw->tick;
	if (!len)
		return NULL;
	s->dwfl = dwfl_begin(&proc_cb);
	if (!s->dwfl)
		return NULL;
	dwfl_report_begin(s->dwfl);
	if (report_maps(s->dwfl, pid, maps, len) <= 0)
		goto fail;
	if (dwfl_report_end(s->dwfl, NULL, NULL))
		goto fail;
	s->ctx.pid = pid;
	if (!dwfl_attach_state(s->dwfl, NULL, pid, &thread_cb, &s->ctx))
		goto fail;
	s->attached = true;
	uw->st.sessions++;
	return s;
fail:
	dwfl_end(s->dwfl);
	s->dwfl = NULL;
	return NULL;
}

static int on_frame(Dwfl_Frame *state, void *arg)
{
	struct ctx *c = arg;
	Dwarf_Addr pc;
	bool activation;

	if (!dwfl_frame_pc(state, &pc, &activation) || !pc)
		return DWARF_CB_ABORT;
	c->pcs[c->n++] = pc;
	return c->n < c->max ? DWARF_CB_OK : DWARF_CB_ABORT;
}

int kb_unwind(struct kb_unwinder *uw, int pid, const char *maps, size_t maps_len, uint64_t gen,
	      const struct kb_ustack *u, uint64_t *pcs, int max)
{
	struct session *s;

	if (!u->has_copy || max <= 0 || pid <= 0)
		return 0;
	cur_pid = pid;
	s = session_get(uw, pid, maps, maps_len, gen);
	if (!s)
		return 0;
	s->ctx.tid = u->tid > 0 ? u->tid : pid;
	s->ctx.u = u;
	s->ctx.pcs = pcs;
	s->ctx.n = 0;
	s->ctx.max = max;
	/* stops where the copy ends or the unwind info does: the frames so far count */
	dwfl_getthread_frames(s->dwfl, s->ctx.tid, on_frame, &s->ctx);
	s->ctx.u = NULL;
	uw->st.unwinds++;
	uw->st.frames += (uint64_t)s->ctx.n;
	return s->ctx.n;
}
