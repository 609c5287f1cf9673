// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * format.c - field text shared by every output.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "errname.h"
#include "format.h"

const char *kb_fmt_time(uint64_t mono_ns, char *buf, size_t len)
{
	uint64_t real = kb_mono_to_real(mono_ns);
	time_t sec = (time_t)(real / 1000000000ULL);
	struct tm tm;

	localtime_r(&sec, &tm);
	snprintf(buf, len, "%02d:%02d:%02d.%06u", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned int)(real % 1000000000ULL / 1000));
	return buf;
}

const char *kb_fmt_errname(const struct kb_bind *b, char *buf, size_t len)
{
	if (!kb_bind_failed(b))
		return NULL;
	return kb_errname(-b->ev.ret, buf, len);
}

const char *kb_fmt_result(const struct kb_bind *b, char *buf, size_t len)
{
	const char *e;

	if (b->sock_state)
		return b->sock_state;	/* a socket found bound at the start, not a call */
	if (b->ev.ret == KB_RET_UNKNOWN)
		return "?";
	if (b->ev.ret >= 0)
		return "OK";
	e = kb_fmt_errname(b, buf, len);
	return e ? e : "?";
}

int kb_bind_verified(const struct kb_bind *b)
{
	return kb_addr_src_exact(b->addr_src);
}

const char *kb_fmt_port(const struct kb_bind *b, char *buf, size_t len)
{
	if (b->addr.port < 0)
		return "-";
	snprintf(buf, len, "%s%d", kb_bind_verified(b) ? "" : "~", b->addr.port);
	return buf;
}

const char *kb_fmt_family(const struct kb_bind *b, char *buf, size_t len)
{
	return kb_family_name(b->addr.family, buf, len);
}

const char *kb_fmt_addr_source(int src)
{
	switch (src) {
	case KB_ADDR_UPROBE:	 return "uprobe";
	case KB_ADDR_KPROBE:	 return "kprobe";
	case KB_ADDR_KCOPY:	 return "kernel";
	case KB_ADDR_TRACEPOINT: return "tracepoint";
	case KB_ADDR_LATE:	 return "late";
	case KB_ADDR_SOCKNAME:	 return "sockname";
	case KB_ADDR_SCAN:	 return "scan";
	case KB_ADDR_DIAG:	 return "sock_diag";
	default:		 return "none";
	}
}

const char *kb_fmt_via(const struct kb_bind *b)
{
	if (b->ev.flags & KB_EVF_KERNEL)
		return "kernel";
	return (b->ev.flags & KB_EVF_IOURING) ? "io_uring" : "syscall";
}

const char *kb_budget_text(const struct kb_enrich_stats *es, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (es->sock_skipped && es->sock_inspected)
		n += (size_t)snprintf(buf + n, len - n, "socket details for 1 in %.0f calls",
				      (double)(es->sock_inspected + es->sock_skipped) /
				      (double)es->sock_inspected);
	else if (es->sock_skipped)
		n += (size_t)snprintf(buf + n, len - n, "socket details for none of %llu calls",
				      (unsigned long long)es->sock_skipped);
	if (n < len && es->holder_skipped)
		snprintf(buf + n, len - n, "%sholder lookups skipped %llu", n ? ", " : "",
			 (unsigned long long)es->holder_skipped);
	return buf;
}
