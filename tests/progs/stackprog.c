// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stackprog.c - binds from known call paths, for the stack tests.
 *
 *   stackprog chain PORT         main -> level_01 ... level_30 -> bind, then exit
 *   stackprog recurse N PORT     main -> recurse() N deep -> bind
 *   stackprog dlopen LIB S PORT  bind from main, then after S seconds dlopen LIB
 *                                and bind through its kbt_dl_bind()
 *
 * Built twice: without frame pointers at -O2 (DWARF must unwind it) and
 * with them (the FP chain reaches the entry).  Every level does work after
 * its call so no call becomes a jump.
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NOINL __attribute__((noinline))

volatile int sink;

int do_bind(int port);

NOINL int do_bind(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), r;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r = bind(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return r;
}

#define LEVEL(n, next) \
	NOINL int level_##n(int port); \
	NOINL int level_##n(int port) { int r = next(port); sink += r; return r + sink * 0; }
LEVEL(30, do_bind)
LEVEL(29, level_30) LEVEL(28, level_29) LEVEL(27, level_28) LEVEL(26, level_27) LEVEL(25, level_26)
LEVEL(24, level_25) LEVEL(23, level_24) LEVEL(22, level_23) LEVEL(21, level_22) LEVEL(20, level_21)
LEVEL(19, level_20) LEVEL(18, level_19) LEVEL(17, level_18) LEVEL(16, level_17) LEVEL(15, level_16)
LEVEL(14, level_15) LEVEL(13, level_14) LEVEL(12, level_13) LEVEL(11, level_12) LEVEL(10, level_11)
LEVEL(09, level_10) LEVEL(08, level_09) LEVEL(07, level_08) LEVEL(06, level_07) LEVEL(05, level_06)
LEVEL(04, level_05) LEVEL(03, level_04) LEVEL(02, level_03) LEVEL(01, level_02)

int recurse(int n, int port);

NOINL int recurse(int n, int port)
{
	int r = n > 1 ? recurse(n - 1, port) : do_bind(port);

	sink += r;
	return r + sink * 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "chain"))
		return level_01(atoi(argv[2])) ? 1 : 0;
	if (argc == 4 && !strcmp(argv[1], "recurse"))
		return recurse(atoi(argv[2]), atoi(argv[3])) ? 1 : 0;
	if (argc == 5 && !strcmp(argv[1], "dlopen")) {
		int (*fn)(int);
		void *h;

		do_bind(atoi(argv[4]));
		usleep((useconds_t)(atof(argv[3]) * 1e6));
		h = dlopen(argv[2], RTLD_NOW);
		if (!h) {
			fprintf(stderr, "stackprog: %s\n", dlerror());
			return 1;
		}
		fn = (int (*)(int))dlsym(h, "kbt_dl_bind");
		if (!fn)
			return 1;
		fn(atoi(argv[4]) + 1);
		usleep(200000);		/* alive a little: the JSON line comes first */
		return 0;
	}
	fprintf(stderr, "usage: stackprog chain PORT | recurse N PORT | dlopen LIB SECONDS PORT\n");
	return 2;
}
