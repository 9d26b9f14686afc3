/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of how the timeline and tree fit a terminal (src/sink/wrap.c,
 * view.c, timeline.c, tree.c): a spawn said in words with only what sets
 * it apart from its kind's usual flags (all of them with -v), lines folded
 * to the width under their own guides with colours carried over the fold,
 * deep guides collapsed to a depth mark, and like siblings folded into one
 * tree line unless --no-fold.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/sink.h"
#include "event_builder.h"

static char *buf;
static size_t buf_len;
static FILE *mem;
static struct pw_sink *sink;

static void
open_sink(const char *format, const struct pw_view_opts *o)
{
	mem = open_memstream(&buf, &buf_len);
	cr_assert_not_null(mem);
	sink = pw_format_sink(pw_format_find(format), mem, o);
	cr_assert_not_null(sink);
}

static const char *
output(void)
{
	cr_assert_eq(pw_sink_close(sink), 0);
	sink = NULL;
	fclose(mem);
	mem = NULL;
	return buf;
}

static void
teardown(void)
{
	if (sink)
		pw_sink_close(sink);
	if (mem)
		fclose(mem);
	free(buf);
	buf = NULL;
}

TestSuite(width, .fini = teardown);

static const struct pw_view_opts plain = { .time = PW_TIME_NONE, .argv_max = 12 };

static void
feed(struct pw_event ev)
{
	cr_assert_eq(pw_sink_event(sink, &ev), 0);
}

/* The columns of a line as a terminal shows it: no SGR, a character each. */
static unsigned
columns(const char *s, size_t len)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\033') {
			while (i < len && s[i] != 'm')
				i++;
			continue;
		}
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	}
	return n;
}

static void
assert_fits(const char *out, unsigned width)
{
	const char *line = out, *nl;

	for (; (nl = strchr(line, '\n')); line = nl + 1)
		cr_assert_leq(columns(line, (size_t)(nl - line)), width, "%.*s\n(in)\n%s",
			      (int)(nl - line), line, out);
}

Test(width, usual_spawns_say_only_their_kind)
{
	struct pw_event pidfd = ev_fork(3, 10, 14), sig = ev_fork(4, 10, 15);

	pidfd.u.spawn.kind = PW_SPAWN_POSIX_SPAWN;
	pidfd.u.spawn.call = PW_CALL_CLONE3;
	pidfd.u.spawn.flags = CLONE_VM | CLONE_VFORK | CLONE_PIDFD;
	sig.u.spawn.exit_signal = SIGUSR1;
	open_sink("timeline", &plain);
	feed(ev_fork(1, 10, 11));
	feed(ev_spawn(2, 10, 10, PW_SPAWN_THREAD, 12));
	feed(ev_spawn(2, 10, 10, PW_SPAWN_VFORK, 13));
	feed(pidfd);
	feed(sig);
	output();
	cr_assert_not_null(strstr(buf,
		"├─ [10] fork → 11\n"
		"├─ [10] thread → 12\n"
		"├─ [10] vfork → 13\n"
		"├─ [10] posix_spawn → 14  with CLONE_PIDFD\n"
		"├─ [10] fork → 15  with exit signal SIGUSR1\n"), "%s", buf);
}

Test(width, verbose_shows_every_flag_and_the_path)
{
	struct pw_view_opts o = plain;
	struct pw_bytes v[] = { ev_bytes("true") };

	o.verbose = true;
	open_sink("timeline", &o);
	feed(ev_fork(1, 10, 11));
	feed(ev_exec(2, 11, "true", v, 1, NULL, 0));
	feed(ev_exited(3, 11, 11, 0));
	output();
	cr_assert_not_null(strstr(buf,
		"├─ [10] fork → 11  clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD)\n"
		"│  [11] exec true  (path true)\n"), "%s", buf);
}

/*
 * A long exec line at 40 columns: folded at spaces, each continuation
 * under the guides of its line, every line within the width.
 */
Test(width, long_lines_fold_under_their_guides)
{
	struct pw_view_opts o = plain;
	struct pw_bytes v[] = { ev_bytes("cc"), ev_bytes("-O2"), ev_bytes("-Wall"),
				ev_bytes("-c"), ev_bytes("a_rather_long_file_name.c"),
				ev_bytes("-o"), ev_bytes("a_rather_long_file_name.o") };

	o.width = 40;
	open_sink("timeline", &o);
	feed(ev_fork(1, 10, 11));
	feed(ev_exec(2, 11, "/usr/bin/cc", v, 7, NULL, 0));
	output();
	assert_fits(buf, 40);
	cr_assert_not_null(strstr(buf,
		"│  [11] exec cc -O2 -Wall -c\n"
		"│      a_rather_long_file_name.c -o\n"
		"│      a_rather_long_file_name.o\n"
		"│      (path /usr/bin/cc)\n"), "%s", buf);
}

/* A colour open at the fold is closed before it and opened again after the guides. */
Test(width, colour_carries_over_a_fold)
{
	struct pw_view_opts o = plain;

	o.width = 20;
	o.color = true;
	open_sink("timeline", &o);
	feed(ev_fork(1, 10, 11));
	feed(ev_exit(2, 11, 11, ev_status(PW_STATUS_KILLED, SIGSEGV)));
	output();
	cr_assert_not_null(strstr(buf, "\033[1;35mkilled by\033[0m\n"
				       "\033[2m│  \033[0m    \033[1;35mSIGSEGV\033[0m after"), "%s", buf);
}

/* Without a width (a file, a pipe) a line is never folded. */
Test(width, no_width_no_fold)
{
	struct pw_bytes v[80];
	size_t i;

	for (i = 0; i < 80; i++)
		v[i] = ev_bytes("word");
	open_sink("timeline", &plain);
	feed(ev_exec(1, 10, "word", v, 80, NULL, 0));
	output();
	cr_assert_not_null(strstr(buf, "[10] exec word word"));
	cr_assert_gt(strchr(buf, '\n') - buf, 80);
}

/* A fork chain 100 deep at 80 columns: a depth mark, every line within 80. */
Test(width, deep_chain_at_80_columns)
{
	struct pw_view_opts o = plain;
	pid_t pid;

	o.width = 80;
	o.time = PW_TIME_RELATIVE;
	open_sink("timeline", &o);
	for (pid = 100; pid < 200; pid++)
		feed(ev_fork((uint64_t)pid, pid, pid + 1));
	feed(ev_exited(300, 200, 200, 0));
	feed(ev_end(301, 100, 0));
	output();
	assert_fits(buf, 80);
	cr_assert_not_null(strstr(buf, "│  │  …[depth 100]…   │  │  [200] exited 0"), "%s", buf);
	/* The tree has no time column: more levels fit, three each side. */
	cr_assert_not_null(strstr(buf, "\n         …[depth 100]…         └─ 200 (name unknown)\n"),
			   "%s", buf);
}

/* The same children, alike: one tree line, with how many and their pids. */
Test(width, like_siblings_fold_in_the_tree)
{
	pid_t c;

	open_sink("tree", &plain);
	for (c = 11; c < 211; c++)
		feed(ev_fork((uint64_t)c, 10, c));
	feed(ev_fork(211, 10, 211));
	for (c = 11; c < 211; c++)
		feed(ev_exited(300, c, c, 0));
	feed(ev_exited(301, 211, 211, 3));
	feed(ev_end(400, 10, 0));
	output();
	cr_assert_not_null(strstr(buf,
		"├─ ×200 (name unknown)  exited 0 after 90µs–289µs, "
		"not reaped by its parent, pids 11…210\n"
		"└─ 211 (name unknown)  exited 3 after 90µs, not reaped by its parent\n"), "%s", buf);
}

Test(width, no_fold_lists_each)
{
	struct pw_view_opts o = plain;
	pid_t c;

	o.no_fold = true;
	open_sink("tree", &o);
	for (c = 11; c < 16; c++)
		feed(ev_fork((uint64_t)c, 10, c));
	for (c = 11; c < 16; c++)
		feed(ev_exited(100, c, c, 0));
	feed(ev_end(400, 10, 0));
	output();
	cr_assert_null(strstr(buf, "×"), "%s", buf);
	cr_assert_not_null(strstr(buf, "└─ 15 (name unknown)  exited 0"), "%s", buf);
}

/* Three alike read well one by one, and keep their pids. */
Test(width, few_siblings_stay_apart)
{
	pid_t c;

	open_sink("tree", &plain);
	for (c = 11; c < 14; c++)
		feed(ev_fork((uint64_t)c, 10, c));
	for (c = 11; c < 14; c++)
		feed(ev_exited(100, c, c, 0));
	feed(ev_end(400, 10, 0));
	output();
	cr_assert_null(strstr(buf, "×"), "%s", buf);
}
