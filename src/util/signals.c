// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * signals.c - self-pipe for stop signals, async-signal-safe fatal path.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "signals.h"

#define MAX_HOOKS 4

static int pipe_fd[2] = { -1, -1 };
static volatile sig_atomic_t winch;
static struct {
	void (*fn)(void *);
	void *arg;
} hooks[MAX_HOOKS];
static int nhooks;
static volatile sig_atomic_t in_fatal;

static void on_stop(int sig)
{
	int e = errno;
	unsigned char c = (unsigned char)sig;

	if (write(pipe_fd[1], &c, 1) < 0) {
		/* pipe full: a stop is already pending */
	}
	errno = e;
}

static void on_winch(int sig)
{
	int e = errno;
	unsigned char c = 0;

	(void)sig;
	winch = 1;
	if (write(pipe_fd[1], &c, 1) < 0) {
		/* pipe full: the loop wakes anyway */
	}
	errno = e;
}

static void on_fatal(int sig)
{
	if (!in_fatal) {
		in_fatal = 1;
		for (int i = 0; i < nhooks; i++)
			hooks[i].fn(hooks[i].arg);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

int kb_signals_init(void)
{
	static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	static const int fatal_sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
	struct sigaction sa;

	if (pipe2(pipe_fd, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = on_stop;
	for (size_t i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]); i++)
		sigaction(stop_sigs[i], &sa, NULL);
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, NULL);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (size_t i = 0; i < sizeof(fatal_sigs) / sizeof(fatal_sigs[0]); i++)
		sigaction(fatal_sigs[i], &sa, NULL);
	/* a closed stdout shows up as EPIPE from write() */
	signal(SIGPIPE, SIG_IGN);
	return pipe_fd[0];
}

int kb_signals_take(void)
{
	unsigned char c;

	while (read(pipe_fd[0], &c, 1) == 1)
		if (c)
			return c;
	return 0;
}

int kb_signals_winch(void)
{
	if (!winch)
		return 0;
	winch = 0;
	return 1;
}

void kb_signals_on_fatal(void (*fn)(void *), void *arg)
{
	if (nhooks < MAX_HOOKS) {
		hooks[nhooks].fn = fn;
		hooks[nhooks].arg = arg;
		nhooks++;
	}
}
