// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libc.c - locating libc bind() for the uprobe of the syscalls backend.
 *
 * A uprobe is set on a file (inode) plus offset and fires in every process
 * that maps that file, so one probe per distinct libc inode covers the
 * whole host, containers included.  Processes in other mount namespaces
 * name their libc relative to their own root; /proc/PID/root/<path> names
 * the same inode from here.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libc.h"

int kb_elf_func_offset(const char *path, const char *sym, unsigned long long *off)
{
	int fd, ret = -ENOENT;
	Elf *elf;
	Elf_Scn *scn = NULL;
	GElf_Addr value = 0;
	bool found = false;
	size_t nph;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		close(fd);
		return -ENOEXEC;
	}
	while (!found && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM || !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *name;

			if (!gelf_getsym(data, (int)i, &s))
				break;
			if (GELF_ST_TYPE(s.st_info) != STT_FUNC || s.st_shndx == SHN_UNDEF || !s.st_value)
				continue;
			name = elf_strptr(elf, sh.sh_link, s.st_name);
			if (name && !strcmp(name, sym)) {
				value = s.st_value;
				found = true;
				break;
			}
		}
	}
	if (found && elf_getphdrnum(elf, &nph) == 0) {
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_X))
				continue;
			if (value >= ph.p_vaddr && value < ph.p_vaddr + ph.p_memsz) {
				*off = value - ph.p_vaddr + ph.p_offset;
				ret = 0;
				break;
			}
		}
	}
	elf_end(elf);
	close(fd);
	return ret;
}

static bool libc_like(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !strcmp(base, "libc.so.6") ||
	       (!strncmp(base, "libc-2.", 7) && strstr(base, ".so")) ||
	       (!strncmp(base, "libc.musl-", 10) && strstr(base, ".so")) ||
	       (!strncmp(base, "ld-musl-", 8) && strstr(base, ".so"));
}

static int add_libc(struct kb_libc *out, int n, int max, const char *usable, const char *shown)
{
	struct stat st;

	if (stat(usable, &st) || !S_ISREG(st.st_mode))
		return n;
	for (int i = 0; i < n; i++) {
		if (out[i].dev == st.st_dev && out[i].ino == st.st_ino) {
			out[i].users++;
			return n;
		}
	}
	if (n >= max)
		return n;
	if (kb_elf_func_offset(usable, "bind", &out[n].bind_off))
		return n;
	snprintf(out[n].path, sizeof(out[n].path), "%s", usable);
	snprintf(out[n].shown, sizeof(out[n].shown), "%s", shown);
	out[n].dev = st.st_dev;
	out[n].ino = st.st_ino;
	out[n].users = 1;
	return n + 1;
}

/* The libc mapped by pid, or "" (reads maps only up to the first match). */
static void pid_libc(const char *pid, char *path, size_t len)
{
	char file[64], line[PATH_MAX + 128];
	FILE *f;

	path[0] = '\0';
	snprintf(file, sizeof(file), "/proc/%.20s/maps", pid);
	f = fopen(file, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/');

		if (!p)
			continue;
		p[strcspn(p, "\n")] = '\0';
		if (strstr(p, " (deleted)"))
			continue;
		if (libc_like(p)) {
			snprintf(path, len, "%s", p);
			break;
		}
	}
	fclose(f);
}

static bool same_mntns(const char *pid, ino_t self_ns)
{
	char file[64];
	struct stat st;

	snprintf(file, sizeof(file), "/proc/%.20s/ns/mnt", pid);
	return stat(file, &st) == 0 && st.st_ino == self_ns;
}

int kb_libc_scan(struct kb_libc *out, int max)
{
	char path[PATH_MAX], usable[PATH_MAX + 64];
	struct stat self;
	struct dirent *de;
	DIR *d;
	int n = 0;

	pid_libc("self", path, sizeof(path));
	if (path[0])
		n = add_libc(out, n, max, path, path);
	if (stat("/proc/self/ns/mnt", &self))
		self.st_ino = 0;
	d = opendir("/proc");
	if (!d)
		return n;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid_libc(de->d_name, path, sizeof(path));
		if (!path[0])
			continue;
		if (same_mntns(de->d_name, self.st_ino))
			snprintf(usable, sizeof(usable), "%s", path);
		else
			snprintf(usable, sizeof(usable), "/proc/%.20s/root%s", de->d_name, path);
		n = add_libc(out, n, max, usable, path);
	}
	closedir(d);
	return n;
}
