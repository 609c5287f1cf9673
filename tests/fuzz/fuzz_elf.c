// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_elf.c - libFuzzer target over the ELF reading kbindtop does itself
 * (finding bind() in a C library for the uprobe): the input is the file,
 * handed over as a memfd.  Any offset found must lie inside the file.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long long off;
	char path[64];
	int fd = memfd_create("fuzz-elf", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (kb_elf_func_offset(path, "bind", &off) == 0 && off >= size)
			abort();
	}
	close(fd);
	return 0;
}
