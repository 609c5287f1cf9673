// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stacklib.c - a library stackprog dlopens after its first bind: the
 * frame kbt_dl_bind must be named although it was mapped late.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int kbt_dl_bind(int port);

__attribute__((noinline)) int kbt_dl_bind(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), r;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r = bind(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return r + 0 * fd;
}
