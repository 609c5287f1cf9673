// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jitprog.c - test program: calls bind() from a frame that lives in an
 * anonymous executable page, as JIT-compiled code would, and names that
 * code in /tmp/perf-PID.map like a JIT does.  x86-64 only (exit 77, the
 * automake "skip", elsewhere).
 *
 * The page holds a frame-pointer-keeping trampoline:
 *	push %rbp; mov %rsp,%rbp; call *%rsi; pop %rbp; ret
 * called as tramp(ctx, kbt_jit_target), so the user stack of the bind is
 *	bind (libc) <- kbt_jit_target <- [jit] kbt_jit_trampoline <- main
 *
 * Usage: jitprog [-m] [-o UID] [-w SECS] [-n NAME] PORT
 *   -m      write no perf map (the frame must show as [jit], unnamed)
 *   -o UID  chown the map to UID (not the process's user: must be ignored)
 * Prints "JIT <start> <size> ret=<bind result>".  The map is removed at exit.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

struct ctx {
	int fd;
	struct sockaddr_in sa;
};

static int __attribute__((noinline)) kbt_jit_target(struct ctx *c)
{
	int r = bind(c->fd, (struct sockaddr *)&c->sa, sizeof(c->sa));

	__asm__ volatile("" ::: "memory");
	return r;
}

int main(int argc, char **argv)
{
#if defined(__x86_64__)
	static const unsigned char code[16] = {
		0x55,			/* push %rbp */
		0x48, 0x89, 0xe5,	/* mov %rsp,%rbp */
		0xff, 0xd6,		/* call *%rsi */
		0x5d,			/* pop %rbp */
		0xc3,			/* ret */
		0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
	};
	int (*tramp)(struct ctx *, int (*)(struct ctx *));
	int c, nomap = 0, wait_s = 0, owner = -1, r;
	char path[64];
	struct ctx cx;
	void *page;
	FILE *f;

	while ((c = getopt(argc, argv, "mo:w:n:")) != -1) {
		switch (c) {
		case 'm': nomap = 1; break;
		case 'o': owner = atoi(optarg); break;
		case 'w': wait_s = atoi(optarg); break;
		case 'n': prctl(PR_SET_NAME, optarg, 0, 0, 0); break;
		default:
			fprintf(stderr, "usage: jitprog [-m] [-o uid] [-w s] [-n name] port\n");
			return 2;
		}
	}
	if (optind >= argc)
		return 2;
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return 1;
	memcpy(page, code, sizeof(code));
	if (mprotect(page, 4096, PROT_READ | PROT_EXEC))
		return 1;
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", getpid());
	if (!nomap) {
		f = fopen(path, "w");
		if (!f)
			return 1;
		fprintf(f, "%lx %x kbt_jit_trampoline\n", (unsigned long)(uintptr_t)page, 8);
		fclose(f);
		if (owner >= 0 && chown(path, (uid_t)owner, (gid_t)owner))
			perror("chown");
	}
	memset(&cx, 0, sizeof(cx));
	cx.fd = socket(AF_INET, SOCK_STREAM, 0);
	cx.sa.sin_family = AF_INET;
	cx.sa.sin_port = htons((uint16_t)atoi(argv[optind]));
	inet_pton(AF_INET, "127.0.0.1", &cx.sa.sin_addr);
	tramp = (int (*)(struct ctx *, int (*)(struct ctx *)))page;
	r = tramp(&cx, kbt_jit_target);
	printf("JIT %lx 8 ret=%d\n", (unsigned long)(uintptr_t)page, r);
	fflush(stdout);
	if (wait_s)
		sleep((unsigned int)wait_s);
	if (!nomap)
		unlink(path);
	return 0;
#else
	return 77;
#endif
}
