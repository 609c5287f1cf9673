// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bindprog.c - test program: performs the binds named on its command line
 * and prints one line per bind ("BIND <spec> <ret> <errno-name> <port>").
 * Built with frame pointers and noinline helpers, so stack tests can look
 * for its function names.
 *
 * Specs:  tcp4:ADDR:PORT  udp4:ADDR:PORT  tcp6:ADDR:PORT  udp6:ADDR:PORT
 *         unix:PATH  unixabs:NAME
 * Options (before specs):
 *   -s        scribble over the sockaddr right after each bind (the
 *             address must still be reported exactly)
 *   -k        keep sockets open until exit (a held port makes a later
 *             bind to it fail with EADDRINUSE)
 *   -w SECS   sleep before exiting (sockets stay bound)
 *   -d MSEC   sleep between binds
 *   -n NAME   set the command name (prctl PR_SET_NAME)
 *   -r        set SO_REUSEADDR before each bind
 *   -S        call the raw syscall instead of libc bind() (like Go does)
 *   -c N      repeat the whole list N times
 *   -R        set SO_REUSEPORT before each bind
 *   -F        set IP_FREEBIND before each bind (inet and inet6)
 *   -T        set IP_TRANSPARENT before each bind (needs CAP_NET_ADMIN)
 *   -N        set IP_BIND_ADDRESS_NO_PORT before each bind
 *   -6        set IPV6_V6ONLY before each inet6 bind (-6 0 clears it)
 *   -D DEV    bind the socket to device DEV (SO_BINDTODEVICE) before bind
 *   -L        do not listen() on bound stream sockets
 *   -p FILE   write "ready" to FILE once all binds are done (for tests)
 *   -K        keep each socket only until the next spec: the next socket
 *             reuses its descriptor (tests of fd reuse)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static int scribble, keep, reuse, rawsys, reuseport, freebind, transparent, noport, nolisten;
static int keep_last, last_fd = -1;
static int v6only = -1;
static const char *device, *readyfile;

static int __attribute__((noinline)) kbt_call_bind(int fd, struct sockaddr *sa, socklen_t len)
{
	int r;

	if (rawsys)
		r = (int)syscall(SYS_bind, fd, sa, len);
	else
		r = bind(fd, sa, len);
	if (scribble) {
		/* what a buffer-reusing server does right after bind() */
		memset(sa, 0xA5, len);
		__asm__ volatile("" ::: "memory");
	}
	return r;
}

static int __attribute__((noinline)) kbt_bind_spec(const char *spec)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_un *su = (struct sockaddr_un *)&ss;
	char buf[256], *addr, *port;
	socklen_t len;
	int fd, type, fam, r, e, one = 1, bound = -1;

	/* -K: the previous socket goes now, so the next one gets its descriptor */
	if (keep_last && last_fd >= 0) {
		close(last_fd);
		last_fd = -1;
	}
	memset(&ss, 0, sizeof(ss));
	snprintf(buf, sizeof(buf), "%s", spec);
	if (!strncmp(buf, "unix:", 5) || !strncmp(buf, "unixabs:", 8)) {
		int abs = buf[4] != ':';
		const char *name = strchr(buf, ':') + 1;

		fam = AF_UNIX;
		type = SOCK_STREAM;
		su->sun_family = AF_UNIX;
		if (abs) {
			memcpy(su->sun_path + 1, name, strlen(name));
			len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
		} else {
			unlink(name);
			snprintf(su->sun_path, sizeof(su->sun_path), "%s", name);
			len = sizeof(*su);
		}
	} else {
		type = !strncmp(buf, "udp", 3) ? SOCK_DGRAM : SOCK_STREAM;
		fam = buf[3] == '6' ? AF_INET6 : AF_INET;
		addr = buf + 5;
		port = strrchr(addr, ':');
		if (!port)
			return -1;
		*port++ = '\0';
		if (fam == AF_INET) {
			s4->sin_family = AF_INET;
			s4->sin_port = htons((uint16_t)atoi(port));
			inet_pton(AF_INET, addr, &s4->sin_addr);
			len = sizeof(*s4);
		} else {
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons((uint16_t)atoi(port));
			inet_pton(AF_INET6, addr, &s6->sin6_addr);
			len = sizeof(*s6);
		}
	}
	fd = socket(fam, type, 0);
	if (fd < 0)
		return -1;
	if (reuse)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (fam != AF_UNIX) {
		if (freebind)
			setsockopt(fd, SOL_IP, IP_FREEBIND, &one, sizeof(one));
		if (transparent && setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof(one)))
			perror("IP_TRANSPARENT");
		if (noport)
			setsockopt(fd, SOL_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		if (fam == AF_INET6 && v6only >= 0)
			setsockopt(fd, SOL_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
		if (device && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device,
					 (socklen_t)strlen(device)))
			perror("SO_BINDTODEVICE");
	}
	r = kbt_call_bind(fd, (struct sockaddr *)&ss, len);
	e = r ? errno : 0;
	if (!r && fam != AF_UNIX) {
		struct sockaddr_storage got;
		socklen_t gl = sizeof(got);

		if (!getsockname(fd, (struct sockaddr *)&got, &gl))
			bound = ntohs(fam == AF_INET ? ((struct sockaddr_in *)&got)->sin_port :
					((struct sockaddr_in6 *)&got)->sin6_port);
	}
	printf("BIND %s fd=%d ret=%d err=%s bound=%d\n", spec, fd, r, e ? strerrorname_np(e) : "-", bound);
	fflush(stdout);
	if (type == SOCK_STREAM && !r && fam != AF_UNIX && !nolisten)
		listen(fd, 1);
	if (keep_last)
		last_fd = fd;
	else if (!keep)
		close(fd);
	return r;
}

int main(int argc, char **argv)
{
	int c, wait_s = 0, delay_ms = 0, count = 1;

	while ((c = getopt(argc, argv, "skKw:d:n:rSc:RFTN6:D:Lp:")) != -1) {
		switch (c) {
		case 's': scribble = 1; break;
		case 'k': keep = 1; break;
		case 'K': keep_last = 1; break;
		case 'w': wait_s = atoi(optarg); break;
		case 'd': delay_ms = atoi(optarg); break;
		case 'n': prctl(PR_SET_NAME, optarg, 0, 0, 0); break;
		case 'r': reuse = 1; break;
		case 'S': rawsys = 1; break;
		case 'c': count = atoi(optarg); break;
		case 'R': reuseport = 1; break;
		case 'F': freebind = 1; break;
		case 'T': transparent = 1; break;
		case 'N': noport = 1; break;
		case '6': v6only = atoi(optarg); break;
		case 'D': device = optarg; break;
		case 'L': nolisten = 1; break;
		case 'p': readyfile = optarg; break;
		default:
			fprintf(stderr, "usage: bindprog [-skrSRFTNL] [-6 0|1] [-D dev] [-w s] [-d ms] "
				"[-n name] [-c n] [-p file] spec...\n");
			return 2;
		}
	}
	for (int k = 0; k < count; k++) {
		for (int i = optind; i < argc; i++) {
			kbt_bind_spec(argv[i]);
			if (delay_ms)
				usleep((useconds_t)delay_ms * 1000);
		}
	}
	if (readyfile) {
		FILE *f = fopen(readyfile, "w");

		if (f) {
			fputs("ready\n", f);
			fclose(f);
		}
	}
	if (wait_s)
		sleep((unsigned int)wait_s);
	return 0;
}
