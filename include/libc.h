/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libc.h - find the C libraries that processes on this host map, and the
 * file offset of their bind() for a uprobe.  Main thread, at setup.
 */
#ifndef KB_LIBC_H
#define KB_LIBC_H

#include <limits.h>
#include <sys/types.h>

#define KB_MAX_LIBC 8

struct kb_libc {
	char path[PATH_MAX];		/* path usable from this mount namespace */
	char shown[160];		/* path as the owning processes see it */
	unsigned long long bind_off;	/* file offset of bind() */
	dev_t dev;
	ino_t ino;
	int users;			/* processes seen mapping it */
};

/*
 * kb_libc_scan - scan /proc/[pid]/maps for libc-like objects (glibc
 * libc.so.6, musl), resolve container paths through /proc/PID/root,
 * deduplicate by inode and look up bind().  Always includes the libc this
 * program runs on.  Returns the number found (<= max).
 */
int kb_libc_scan(struct kb_libc *out, int max);

/*
 * kb_elf_func_offset - file offset of the defined function sym in the
 * dynamic symbol table of the ELF file at path.  0 on success, -errno.
 */
int kb_elf_func_offset(const char *path, const char *sym, unsigned long long *off);

#endif
