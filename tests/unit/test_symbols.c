// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_symbols.c - the parsers behind stack symbols: kallsyms text, JIT
 * perf maps (hostile input included), demangling, and the symbolizer on
 * this test's own process (frame pointers on, so its functions resolve).
 */
#include "config.h"

#include <errno.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "demangle.h"
#include "kallsyms.h"
#include "perfmap.h"
#include "symbols.h"

static void test_kallsyms(void)
{
	static const char text[] =
		"ffffffff81000000 T _stext\n"
		"ffffffff81000100 t do_one_initcall\n"
		"ffffffff81000200 D some_data\n"
		"ffffffff81000300 T __sys_bind\n"
		"ffffffff81000400 W weak_fn\n"
		"garbage line\n"
		"ffffffffc0001000 t nf_hook\t[nf_tables]\n"
		"ffffffffc0001100 t nf_other\t[nf_tables]\n"
		"ffffffffc0002000 t xt_fn\t[x_tables]\n"
		"fffffffffffffffffffff T too_long\n"
		"ffffffff81000350 T";
	struct kb_ksyms ks = { 0 };
	const char *name, *mod;
	uint64_t off;

	CHECK_INT(kb_ksyms_parse(&ks, text, strlen(text)), 7);
	name = kb_ksyms_find(&ks, 0xffffffff81000310ULL, &off, &mod);
	CHECK_STR(name, "__sys_bind");
	CHECK_INT(off, 0x10);
	CHECK_STR(mod, "");
	/* data symbols are not code: the text symbol before it wins */
	CHECK_STR(kb_ksyms_find(&ks, 0xffffffff81000210ULL, &off, &mod), "do_one_initcall");
	CHECK_STR(kb_ksyms_find(&ks, 0xffffffffc0001104ULL, &off, &mod), "nf_other");
	CHECK_STR(mod, "nf_tables");
	CHECK_STR(kb_ksyms_find(&ks, 0xffffffffc0002001ULL, &off, &mod), "xt_fn");
	CHECK_STR(mod, "x_tables");
	CHECK(kb_ksyms_find(&ks, 0xffffffff80000000ULL, &off, &mod) == NULL);
	CHECK(kb_ksyms_find(&ks, 0xffffffffc1000000ULL, &off, &mod) == NULL);
	kb_ksyms_free(&ks);

	/* kptr_restrict: all zero means no symbols at all */
	{
		static const char zero[] = "0000000000000000 T a\n0000000000000000 T b\n";

		CHECK_INT(kb_ksyms_parse(&ks, zero, strlen(zero)), 0);
	}
	CHECK(kb_ksyms_find(&ks, 0x10, &off, &mod) == NULL);
	kb_ksyms_free(&ks);

	/*
	 * Module names with a NUL inside, and longer than the pool keeps
	 * (found by fuzz_symtext: the old check read past the stored name).
	 */
	{
		char odd[2048];
		size_t n = 0;

		n += (size_t)snprintf(odd + n, sizeof(odd) - n, "ffffffffc0000020 t c\t[");
		memset(odd + n, 'm', 400);
		n += 400;
		n += (size_t)snprintf(odd + n, sizeof(odd) - n, "]\nffffffffc0000030 t d\t[");
		memset(odd + n, 'm', 400);
		n += 400;
		n += (size_t)snprintf(odd + n, sizeof(odd) - n, "]\nffffffffc0000000 t a\t[ab]\n"
				      "ffffffffc0000010 t b\t[ab");
		odd[n++] = '\0';
		n += (size_t)snprintf(odd + n, sizeof(odd) - n, "xyz]\n");
		CHECK_INT(kb_ksyms_parse(&ks, odd, n), 4);
		CHECK_STR(kb_ksyms_find(&ks, 0xffffffffc0000001ULL, &off, &mod), "a");
		CHECK_STR(mod, "ab");
		CHECK_STR(kb_ksyms_find(&ks, 0xffffffffc0000011ULL, &off, &mod), "b");
		CHECK_STR(mod, "ab");	/* "ab\0xyz": its own entry, shown up to the NUL */
		CHECK_STR(kb_ksyms_find(&ks, 0xffffffffc0000031ULL, &off, &mod), "d");
		CHECK_INT(strlen(mod), 256);
		kb_ksyms_free(&ks);
	}

	/* the real one, when readable */
	if (kb_ksyms_load(&ks, NULL) > 1000) {
		uint64_t a = ks.s[ks.n / 2].addr;

		CHECK(kb_ksyms_find(&ks, a, &off, &mod) != NULL);
		CHECK_INT(off, 0);
	}
	kb_ksyms_free(&ks);
}

static void test_perfmap(void)
{
	static const char text[] =
		"7f0000001000 100 LazyCompile:~handler /srv/app.js:10\n"
		"0x7f0000002000 0x40 Interpreter\n"
		"7f0000001000 80 LazyCompile:*handler /srv/app.js:10\r\n"	/* recompiled: wins */
		"nonsense\n"
		"7f0000003000 0 zero_size\n"
		"ffffffffffffffff 10 wraps\n"
		"7f0000004000 10 esc\x1b[2Jape\n"
		"7f0000005000 20";					/* no name, no newline */
	struct kb_perfmap pm = { 0 };
	uint64_t off;
	const char *n;

	/* the recompiled line replaces the first; bad lines are counted, not kept */
	CHECK_INT(kb_perfmap_parse(&pm, text, strlen(text)), 3);
	n = kb_perfmap_find(&pm, 0x7f0000001010ULL, &off);
	CHECK_STR(n, "LazyCompile:*handler /srv/app.js:10");
	CHECK_INT(off, 0x10);
	/* past the new (shorter) code */
	CHECK(kb_perfmap_find(&pm, 0x7f0000001090ULL, &off) == NULL);
	CHECK_STR(kb_perfmap_find(&pm, 0x7f000000203fULL, &off), "Interpreter");
	CHECK(kb_perfmap_find(&pm, 0x7f0000002040ULL, &off) == NULL);
	CHECK(kb_perfmap_find(&pm, 0x1000, &off) == NULL);
	/* names are raw bytes here; the symbolizer escapes them */
	CHECK_STR(kb_perfmap_find(&pm, 0x7f0000004001ULL, &off), "esc\x1b[2Jape");
	CHECK(pm.bad_lines >= 3);
	kb_perfmap_free(&pm);
}

static void test_perfmap_file(void)
{
	char path[] = "/tmp/kbt-perfmap-XXXXXX";
	struct kb_perfmap pm = { 0 };
	uid_t me = getuid(), other = me + 1;
	uint64_t mt, sz;
	int fd = mkstemp(path);

	if (fd < 0)
		return;
	CHECK(write(fd, "1000 10 f\n", 10) == 10);
	close(fd);
	CHECK_INT(kb_perfmap_load(&pm, 0, path, &me, 1, &mt, &sz), 1);
	CHECK_INT(sz, 10);
	if (me != 0) {
		/* a file the process's user does not own is not trusted */
		CHECK_INT(kb_perfmap_load(&pm, 0, path, &other, 1, &mt, &sz), -EPERM);
	}
	unlink(path);
	/* a symlink is never followed */
	if (!symlink("/etc/passwd", path)) {
		CHECK(kb_perfmap_load(&pm, 0, path, &me, 1, &mt, &sz) < 0);
		unlink(path);
	}
	kb_perfmap_free(&pm);
}

static void test_demangle(void)
{
	char buf[256];

	CHECK(!kb_demangle("main", buf, sizeof(buf)));
	CHECK_STR(buf, "main");
	if (!kb_demangle_cxx_available())
		return;
	CHECK(kb_demangle("_ZN3foo3barEi", buf, sizeof(buf)));
	CHECK_STR(buf, "foo::bar(int)");
	/* Rust legacy: hash dropped, escapes undone */
	CHECK(kb_demangle("_ZN4core3fmt5write17h0123456789abcdefE", buf, sizeof(buf)));
	CHECK_STR(buf, "core::fmt::write");
	CHECK(kb_demangle("_ZN45_$LT$std..net..TcpListener$u20$as$u20$Foo$GT$4bind17h0011223344556677E",
			  buf, sizeof(buf)));
	CHECK_STR(buf, "<std::net::TcpListener as Foo>::bind");
	/* invalid and v0 names are left alone */
	CHECK(!kb_demangle("_Zgarbage", buf, sizeof(buf)));
	CHECK_STR(buf, "_Zgarbage");
	CHECK(!kb_demangle("_RNvCs1234_7mycrate4main", buf, sizeof(buf)));
	/* truncation keeps a terminated string */
	kb_demangle("_ZN3foo3barEi", buf, 5);
	CHECK_STR(buf, "foo:");
}

static int __attribute__((noinline)) kbt_sym_probe(uint64_t *pc)
{
	*pc = (uint64_t)(uintptr_t)__builtin_return_address(0);
	__asm__ volatile("" ::: "memory");
	return 1;
}

static void test_self(void)
{
	struct kb_symbolizer *s = kb_sym_new();
	struct kb_event ev = { 0 };
	struct kb_stack st;
	struct kb_frame f;
	char txt[256];
	uint64_t ra = 0;

	kbt_sym_probe(&ra);
	kb_sym_note_process(s, getpid(), 1);
	kb_sym_resolve(s, getpid(), false, (uint64_t)(uintptr_t)kbt_sym_probe + 2, &f);
	CHECK(f.known);
	CHECK_STR(f.sym, "kbt_sym_probe");
	CHECK_INT(f.off, 2);
	CHECK_STR(f.obj, "test_symbols");
	/* a libc function no sanitizer intercepts */
	kb_sym_resolve(s, getpid(), false, (uint64_t)(uintptr_t)gnu_get_libc_version, &f);
	CHECK(f.known);
	CHECK_STR(f.sym, "gnu_get_libc_version");
	CHECK(strstr(f.obj, "libc") != NULL);
	/* a return address: looked up at ra - 1, reported as it is */
	ev.n_ustack = 2;
	ev.ustack[0] = (uint64_t)(uintptr_t)kbt_sym_probe;
	ev.ustack[1] = ra;
	kb_sym_stack(s, getpid(), &ev, false, &st);
	CHECK_INT(st.n, 2);
	CHECK_STR(st.f[1].sym, "test_self");
	CHECK_INT(st.f[1].addr, ra);
	/* ends in test_self, not a process entry: the walk may be cut */
	CHECK(strstr(st.note, "may be truncated") != NULL);
	kb_sym_frame_text(&st.f[0], txt, sizeof(txt));
	CHECK_STR(txt, "kbt_sym_probe+0x0 (test_symbols)");
	/* an address in no mapping */
	kb_sym_resolve(s, getpid(), false, 16, &f);
	CHECK(!f.known);
	CHECK_STR(f.obj, "");
	/* a pid never noted */
	kb_sym_resolve(s, 999999999, false, ra, &f);
	CHECK(!f.known);
	kb_sym_free(s);
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out = open(to, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n = -1;

	if (in >= 0 && out >= 0)
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n) {
				n = -1;
				break;
			}
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return n < 0 ? -1 : 0;
}

/*
 * The same build from another file (a container's copy of a library):
 * a copy of libz, dlopen()ed next to the one libdw brought in, must
 * resolve through the symbols already loaded for the original.
 */
static void test_shared_build(void)
{
	char path[] = "/tmp/kbt-libz-XXXXXX";
	void *orig = dlsym(RTLD_DEFAULT, "zlibVersion"), *h, *copy;
	struct kb_symbolizer *s;
	struct kb_sym_stats st;
	struct kb_frame f;
	Dl_info di;
	int fd;

	if (!orig || !dladdr(orig, &di) || !di.dli_fname)
		return;
	fd = mkstemp(path);
	if (fd < 0)
		return;
	close(fd);
	if (copy_file(di.dli_fname, path)) {
		unlink(path);
		return;
	}
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	copy = h ? dlsym(h, "zlibVersion") : NULL;
	if (!copy || copy == orig) {
		if (h)
			dlclose(h);
		unlink(path);
		return;
	}
	s = kb_sym_new();
	kb_sym_note_process(s, getpid(), 1);
	kb_sym_resolve(s, getpid(), false, (uint64_t)(uintptr_t)orig, &f);
	CHECK_STR(f.sym, "zlibVersion");
	kb_sym_resolve(s, getpid(), false, (uint64_t)(uintptr_t)copy + 1, &f);
	CHECK_STR(f.sym, "zlibVersion");
	CHECK_INT(f.off, 1);
	CHECK_STR(f.obj, strrchr(path, '/') + 1);
	kb_sym_stats(s, &st);
	CHECK_INT(st.files_shared, 1);
	CHECK_INT(st.files_opened, 2);
	kb_sym_free(s);
	dlclose(h);
	unlink(path);
}

int main(void)
{
	test_kallsyms();
	test_perfmap();
	test_perfmap_file();
	test_demangle();
	test_self();
	test_shared_build();
	return check_done("test_symbols");
}
