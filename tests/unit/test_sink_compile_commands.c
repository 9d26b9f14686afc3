/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of --format=compile-commands (src/sink/compile_commands.c,
 * compile_args.c): hand-built runs in which make (10, in /w) starts
 * compilers and other programs, fed through pw_format_sink() into an
 * open_memstream.  Which execs are compilers (prefixes, versions, ccache
 * and what it runs below it), which arguments are the files compiled and
 * the output, what is no compile (-E, -M, link lines, cc1), what a
 * compile that links becomes, the entries left out (bytes that are not
 * UTF-8, unknown directories, unreadable arguments) with their note on
 * standard error, filters, and a file that is no trace.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/base.h"
#include "procwatch/sink.h"
#include "event_builder.h"

#define B(s) EV_BYTES(s)
/* A literal argv and its length, for run_exec(). */
#define ARGS(...) (struct pw_bytes[]){ __VA_ARGS__ }, \
	PW_ARRAY_SIZE(((struct pw_bytes[]){ __VA_ARGS__ }))

/* A run being built: events in order, times 1, 2, 3, ... */
struct run {
	struct pw_event ev[96];
	size_t n;
	pid_t next_pid;
};

static struct pw_bytes make_argv[] = { B("make") };
static char *start_argv[] = { "make", NULL };

static void
add(struct run *r, struct pw_event e)
{
	cr_assert_lt(r->n, PW_ARRAY_SIZE(r->ev));
	e.time_us = r->n + 1;
	r->ev[r->n++] = e;
}

/* make (10) running in /w. */
static void
run_begin(struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->next_pid = 11;
	add(r, ev_start(0, 10, start_argv, 1));
	add(r, ev_exec(0, 10, "/usr/bin/make", make_argv, 1, "/w", 0));
}

/* parent forks a new process; its pid. */
static pid_t
run_fork(struct run *r, pid_t parent)
{
	pid_t pid = r->next_pid++;

	add(r, ev_fork(0, parent, pid));
	return pid;
}

/* pid execs path with argv in cwd. */
static void
run_exec_in(struct run *r, pid_t pid, const char *path, struct pw_bytes *argv,
	    size_t argc, const char *cwd)
{
	add(r, ev_exec(0, pid, path, argv, argc, cwd, 0));
}

/* A new child of parent that execs path with argv in /w; its pid. */
static pid_t
run_exec(struct run *r, pid_t parent, const char *path, struct pw_bytes *argv, size_t argc)
{
	pid_t pid = run_fork(r, parent);

	run_exec_in(r, pid, path, argv, argc, "/w");
	return pid;
}

/* What the format writes of r, with make's end; filters by spec if given. */
static char *
render_spec(struct run *r, const struct pw_filter_spec *spec, bool end)
{
	struct pw_view_opts vo = { .time = PW_TIME_NONE };
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);
	struct pw_sink *s;

	if (spec)
		vo.filter = *spec;
	s = pw_format_sink(pw_format_find("compile-commands"), f, &vo);
	cr_assert_not_null(s);
	if (end)
		add(r, ev_end(0, 10, 0));
	for (i = 0; i < r->n; i++)
		cr_assert_eq(pw_sink_event(s, &r->ev[i]), 0);
	cr_assert_eq(pw_sink_close(s), 0);
	fclose(f);
	return buf;
}

static char *
render(struct run *r)
{
	return render_spec(r, NULL, true);
}

/* The entries' "file" values, one per line: which files have an entry. */
static char *
files_of(const char *db)
{
	json_error_t err;
	json_t *root = json_loads(db, JSON_REJECT_DUPLICATES, &err), *e;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	cr_assert(json_is_array(root), "not a JSON array: %s\n%s", err.text, db);
	json_array_foreach(root, i, e)
		fprintf(f, "%s\n", json_string_value(json_object_get(e, "file")));
	fclose(f);
	json_decref(root);
	return buf;
}

static void
assert_files(struct run *r, const char *want)
{
	char *db = render(r), *files = files_of(db);

	cr_assert_str_eq(files, want, "database:\n%s", db);
	free(files);
	free(db);
}

/* The whole output, byte for byte: an entry a line, keys in the spec's order. */
Test(compile_commands, layout)
{
	struct run r;
	char *db;

	run_begin(&r);
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-Iinc"), B("-DN=1"), B("-c"),
					    B("-o"), B("a.o"), B("a.c")));
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("sub/b.c")));
	db = render(&r);
	cr_assert_str_eq(db,
		"[\n"
		"{\"directory\":\"/w\",\"arguments\":[\"cc\",\"-Iinc\",\"-DN=1\",\"-c\",\"-o\",\"a.o\",\"a.c\"],"
		"\"file\":\"/w/a.c\",\"output\":\"/w/a.o\"},\n"
		"{\"directory\":\"/w\",\"arguments\":[\"cc\",\"-c\",\"sub/b.c\"],\"file\":\"/w/sub/b.c\"}\n"
		"]\n");
	free(db);
}

/* A run with no compile is an empty database; the trace was read. */
Test(compile_commands, no_compile)
{
	struct run r;
	char *db;

	run_begin(&r);
	run_exec(&r, 10, "/bin/ls", ARGS(B("ls"), B("a.c")));
	db = render(&r);
	cr_assert_str_eq(db, "[]\n");
	free(db);
}

/* No event at all (show of a file that is no trace): nothing, not "[]". */
Test(compile_commands, not_a_trace)
{
	struct run r = { .n = 0 };
	char *db = render_spec(&r, NULL, false);

	cr_assert_str_eq(db, "");
	free(db);
}

/* Drivers by name, with target prefixes and versions; the rest are not. */
Test(compile_commands, driver_names)
{
	struct run r;

	run_begin(&r);
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("1.c")));
	run_exec(&r, 10, "/usr/bin/gcc-12", ARGS(B("gcc-12"), B("-c"), B("2.c")));
	run_exec(&r, 10, "/usr/bin/x86_64-linux-gnu-gcc-12",
		 ARGS(B("x86_64-linux-gnu-gcc-12"), B("-c"), B("3.c")));
	run_exec(&r, 10, "/opt/arm/bin/arm-none-eabi-g++", ARGS(B("arm-none-eabi-g++"),
		 B("-c"), B("4.cpp")));
	run_exec(&r, 10, "/usr/bin/clang++-16.0", ARGS(B("clang++-16.0"), B("-c"), B("5.cc")));
	run_exec(&r, 10, "/usr/bin/clang", ARGS(B("clang"), B("-c"), B("6.m")));
	run_exec(&r, 10, "/usr/bin/c++", ARGS(B("c++"), B("-c"), B("7.cxx")));
	/* Found by argv[0] when the path exec'd says nothing. */
	run_exec(&r, 10, "/opt/bin/driver", ARGS(B("gcc"), B("-c"), B("8.c")));
	run_exec(&r, 10, "/usr/bin/gcc-ar", ARGS(B("gcc-ar"), B("rc"), B("x.c")));
	run_exec(&r, 10, "/usr/bin/clang-tidy", ARGS(B("clang-tidy"), B("-c"), B("x.c")));
	run_exec(&r, 10, "/usr/bin/distcc-x", ARGS(B("distcc-x"), B("-c"), B("x.c")));
	run_exec(&r, 10, "/usr/bin/tcc", ARGS(B("tcc"), B("-c"), B("x.c")));
	run_exec(&r, 10, "/usr/lib/gcc/x86_64-linux-gnu/12/cc1",
		 ARGS(B("/usr/lib/gcc/x86_64-linux-gnu/12/cc1"), B("-quiet"), B("x.c")));
	run_exec(&r, 10, "/usr/bin/gcc-", ARGS(B("gcc-"), B("-c"), B("x.c")));
	assert_files(&r, "/w/1.c\n/w/2.c\n/w/3.c\n/w/4.cpp\n/w/5.cc\n/w/6.m\n/w/7.cxx\n/w/8.c\n");
}

/*
 * ccache: one entry, its own command without "ccache"; what it runs below
 * it (the preprocessor, the real compiler, cc1) gives none.  A cache hit
 * runs nothing and still has its entry; KEY=VALUE settings are skipped.
 */
Test(compile_commands, ccache)
{
	struct run r;
	pid_t cc, real;
	char *db;

	run_begin(&r);
	cc = run_exec(&r, 10, "/usr/bin/ccache", ARGS(B("ccache"), B("gcc"), B("-c"),
						     B("x.c"), B("-o"), B("x.o")));
	run_exec(&r, cc, "/usr/bin/gcc", ARGS(B("gcc"), B("-E"), B("x.c")));
	real = run_exec(&r, cc, "/usr/bin/gcc", ARGS(B("gcc"), B("-c"), B("x.c"), B("-o"),
						     B("x.o"), B("-fdiagnostics-color")));
	run_exec(&r, real, "/usr/lib/gcc/x86_64-linux-gnu/12/cc1",
		 ARGS(B("cc1"), B("x.c"), B("-o"), B("/tmp/cc.s")));
	run_exec(&r, 10, "/usr/bin/ccache", ARGS(B("ccache"), B("CCACHE_DIR=/c"),
						 B("clang-14"), B("-c"), B("hit.c")));
	run_exec(&r, 10, "/usr/bin/ccache", ARGS(B("ccache"), B("-s")));
	db = render(&r);
	cr_assert_str_eq(db,
		"[\n"
		"{\"directory\":\"/w\",\"arguments\":[\"gcc\",\"-c\",\"x.c\",\"-o\",\"x.o\"],"
		"\"file\":\"/w/x.c\",\"output\":\"/w/x.o\"},\n"
		"{\"directory\":\"/w\",\"arguments\":[\"clang-14\",\"-c\",\"hit.c\"],\"file\":\"/w/hit.c\"}\n"
		"]\n");
	free(db);
}

/*
 * ccache's masquerade (/usr/lib/ccache/cc, a link to ccache) runs the
 * real cc below it; a wrapper that exec'd the compiler in its own process
 * gives one entry too.
 */
Test(compile_commands, wrapper_in_same_process_and_masquerade)
{
	struct run r;
	pid_t w;

	run_begin(&r);
	w = run_exec(&r, 10, "/usr/lib/ccache/cc", ARGS(B("cc"), B("-c"), B("m.c")));
	run_exec(&r, w, "/usr/bin/cc", ARGS(B("/usr/bin/cc"), B("-c"), B("m.c")));
	w = run_exec(&r, 10, "/usr/bin/ccache", ARGS(B("ccache"), B("cc"), B("-c"), B("e.c")));
	run_exec_in(&r, w, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("e.c")), "/w");
	assert_files(&r, "/w/m.c\n/w/e.c\n");
}

/*
 * What a process created before it exec'd a compiler is not below that
 * compile: sh -c 'cc -c a.c && exec cc -c b.c' gives both, in the order
 * the processes were created (sh first).
 */
Test(compile_commands, child_before_the_exec)
{
	struct run r;
	pid_t sh;

	run_begin(&r);
	sh = run_exec(&r, 10, "/bin/sh", ARGS(B("sh"), B("-c"), B("cc -c a.c && exec cc -c b.c")));
	run_exec(&r, sh, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("a.c")));
	run_exec_in(&r, sh, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("b.c")), "/w");
	assert_files(&r, "/w/b.c\n/w/a.c\n");
}

/* Several files: an entry each, without the others, options in place. */
Test(compile_commands, several_sources)
{
	struct run r;
	char *db;

	run_begin(&r);
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("-Iinc"), B("a.c"),
					    B("sub/b.c"), B("-DX"), B("lib.o")));
	db = render(&r);
	cr_assert_str_eq(db,
		"[\n"
		"{\"directory\":\"/w\",\"arguments\":[\"cc\",\"-c\",\"-Iinc\",\"a.c\",\"-DX\",\"lib.o\"],"
		"\"file\":\"/w/a.c\"},\n"
		"{\"directory\":\"/w\",\"arguments\":[\"cc\",\"-c\",\"-Iinc\",\"sub/b.c\",\"-DX\",\"lib.o\"],"
		"\"file\":\"/w/sub/b.c\"}\n"
		"]\n");
	free(db);
}

/* -o FILE and -oFILE; file and output absolute, "." and "//" dropped, ".." kept. */
Test(compile_commands, output_and_paths)
{
	struct run r;
	pid_t p;
	char *db;

	run_begin(&r);
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("-oout/a2.o"), B("./a.c")));
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("/src//x/./y.c"), B("-o"),
					    B("/o/y.o")));
	p = run_fork(&r, 10);
	run_exec_in(&r, p, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("../up.c")), "/w/sub/");
	p = run_fork(&r, 10);
	run_exec_in(&r, p, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("r.c")), "/");
	db = render(&r);
	cr_assert_str_eq(db,
		"[\n"
		"{\"directory\":\"/w\",\"arguments\":[\"cc\",\"-c\",\"-oout/a2.o\",\"./a.c\"],"
		"\"file\":\"/w/a.c\",\"output\":\"/w/out/a2.o\"},\n"
		"{\"directory\":\"/w\",\"arguments\":[\"cc\",\"-c\",\"/src//x/./y.c\",\"-o\",\"/o/y.o\"],"
		"\"file\":\"/src/x/y.c\",\"output\":\"/o/y.o\"},\n"
		"{\"directory\":\"/w/sub/\",\"arguments\":[\"cc\",\"-c\",\"../up.c\"],"
		"\"file\":\"/w/sub/../up.c\"},\n"
		"{\"directory\":\"/\",\"arguments\":[\"cc\",\"-c\",\"r.c\"],\"file\":\"/r.c\"}\n"
		"]\n");
	free(db);
}

/*
 * Nothing is compiled under -E, -M, -MM, -fsyntax-only, -###, nor by
 * clang -cc1 (the compiler proper); -S and -MD compile.  Options that
 * take a value do not make it a source (-include x.c, -MT y.c).
 */
Test(compile_commands, not_compiles)
{
	struct run r;

	run_begin(&r);
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-E"), B("e.c")));
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-M"), B("m.c")));
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-MM"), B("-c"), B("mm.c")));
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-fsyntax-only"), B("s.c")));
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-###"), B("-c"), B("d.c")));
	run_exec(&r, 10, "/usr/bin/clang", ARGS(B("clang"), B("-cc1"), B("-emit-obj"), B("k.c")));
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("-x"), B("c"), B("-")));
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("@args.rsp")));
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("f.S"), B("g.s")));
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-S"), B("asm.c")));
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("-include"), B("x.c"),
					    B("-MD"), B("-MT"), B("y.c"), B("-MF"), B("z.c"),
					    B("dep.c")));
	assert_files(&r, "/w/asm.c\n/w/dep.c\n");
}

/* -x LANG names the language of the inputs after it, until -x none. */
Test(compile_commands, language_option)
{
	struct run r;

	run_begin(&r);
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("-x"), B("c"), B("gen.inc"),
					    B("-xnone"), B("n.txt"), B("n.c")));
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("-xc++"), B("t.tpl")));
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("-x"), B("assembler"),
					    B("a.c")));
	assert_files(&r, "/w/gen.inc\n/w/n.c\n/w/t.tpl\n");
}

/*
 * A command that compiles and links: the entry compiles (-c after the
 * compiler), without -o, the program; a link of objects only is none.
 */
Test(compile_commands, link_lines)
{
	struct run r;
	char *db;

	run_begin(&r);
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-o"), B("prog"), B("a.o"), B("b.o"),
					    B("-lm")));
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-O2"), B("-o"), B("prog"), B("m.c"),
					    B("util.o"), B("-lm")));
	run_exec(&r, 10, "/usr/bin/c++", ARGS(B("c++"), B("h.cpp"), B("-ohello")));
	db = render(&r);
	cr_assert_str_eq(db,
		"[\n"
		"{\"directory\":\"/w\",\"arguments\":[\"cc\",\"-c\",\"-O2\",\"m.c\",\"util.o\",\"-lm\"],"
		"\"file\":\"/w/m.c\"},\n"
		"{\"directory\":\"/w\",\"arguments\":[\"c++\",\"-c\",\"h.cpp\"],\"file\":\"/w/h.cpp\"}\n"
		"]\n");
	free(db);
}

/*
 * Only programs that ran: a PATH search's misses give nothing, its hit
 * one entry; a compile that failed is still a compile.
 */
Test(compile_commands, attempts_and_failures)
{
	struct run r;
	pid_t p;

	run_begin(&r);
	p = run_fork(&r, 10);
	add(&r, ev_exec(0, p, "/usr/local/bin/cc", ARGS(B("cc"), B("-c"), B("a.c")), "/w",
			-ENOENT));
	run_exec_in(&r, p, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("a.c")), "/w");
	add(&r, ev_exited(0, p, p, 1));
	p = run_fork(&r, 10);
	add(&r, ev_exec(0, p, "/nope/cc", ARGS(B("cc"), B("-c"), B("never.c")), "/w", -ENOENT));
	assert_files(&r, "/w/a.c\n");
}

static void
redirect(void)
{
	cr_redirect_stderr();
}

/*
 * Bytes that are not UTF-8 in the file, an option or the directory, an
 * unknown directory, an unreadable argument: left out, the others kept,
 * and one line on standard error for each reason.
 */
Test(compile_commands, left_out, .init = redirect)
{
	struct run r;
	pid_t p;

	run_begin(&r);
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("\xff.c"), B("ok.c")));
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("-DX=\xfe"), B("x.c")));
	p = run_fork(&r, 10);
	run_exec_in(&r, p, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("d.c")), "/w/\xff");
	p = run_fork(&r, 10);
	run_exec_in(&r, p, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("nodir.c")), NULL);
	p = run_fork(&r, 10);
	run_exec_in(&r, p, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("rel.c")), "w");
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), { .data = NULL }, B("-c"), B("u.c")));
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("-I"), { .data = NULL },
					    B("v.c")));
	assert_files(&r, "/w/ok.c\n");
	fflush(stderr);
	cr_assert_stderr_eq_str(
		"procwatch: compile-commands: left out 3 files whose compile command or "
		"directory has bytes that are not UTF-8 (JSON text cannot hold them)\n"
		"procwatch: compile-commands: left out 2 files whose compile command procwatch "
		"could not read whole\n"
		"procwatch: compile-commands: left out 2 files compiled in a working directory "
		"procwatch does not know\n");
}

/*
 * A command with so many files and options that its entries would be
 * more than 64 times its size is left out; a few files are not.
 */
Test(compile_commands, fanout_bound, .init = redirect)
{
	static char opt[4096], names[300][8];
	static struct pw_bytes argv[303];
	struct run r;
	size_t n = 0, i;
	char *db, *files;

	memset(opt, 'x', sizeof(opt) - 1);
	memcpy(opt, "-D", 2);
	argv[n++] = ev_bytes("cc");
	argv[n++] = ev_bytes("-c");
	argv[n++] = ev_bytes(opt);
	for (i = 0; i < 300; i++) {
		snprintf(names[i], sizeof(names[i]), "%zu.c", i);
		argv[n++] = ev_bytes(names[i]);
	}
	run_begin(&r);
	run_exec(&r, 10, "/usr/bin/cc", argv, n);
	run_exec(&r, 10, "/usr/bin/cc", argv, 3 + 60);
	db = render(&r);
	files = files_of(db);
	cr_assert_eq(strlen(files), strlen("/w/0.c\n") * 10 + strlen("/w/10.c\n") * 50);
	free(files);
	free(db);
	fflush(stderr);
	cr_assert_stderr_eq_str(
		"procwatch: compile-commands: left out 300 files of a command with too many "
		"files and options to repeat in an entry for each\n");
}

/* Filters apply as to every view: what --match shows, what --pid names. */
Test(compile_commands, filters)
{
	struct pw_filter_spec match = { .match = "b\\.c" }, pid = { .pids = { 12 }, .npids = 1 };
	struct run r;
	char *db, *files;

	run_begin(&r);
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("a.c")));
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("b.c")));
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("c.c")));
	db = render_spec(&r, &match, true);
	files = files_of(db);
	cr_assert_str_eq(files, "/w/b.c\n");
	free(files);
	free(db);
	r.n--;	/* the end event again */
	db = render_spec(&r, &pid, true);
	files = files_of(db);
	cr_assert_str_eq(files, "/w/b.c\n");
	free(files);
	free(db);
}

/* A trace cut short (no end event): the compiles it has. */
Test(compile_commands, cut_trace)
{
	struct run r;
	char *db, *files;

	run_begin(&r);
	run_exec(&r, 10, "/usr/bin/cc", ARGS(B("cc"), B("-c"), B("a.c")));
	db = render_spec(&r, NULL, false);
	files = files_of(db);
	cr_assert_str_eq(files, "/w/a.c\n");
	free(files);
	free(db);
}
