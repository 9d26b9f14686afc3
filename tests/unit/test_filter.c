/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the filters (src/model/filter.c) on hand-built events:
 * which records --pid, --depth and --match show and at which depth, the
 * shown tree a view walks, which events the timeline shows, the ancestors
 * a match shows with it, and the --summary counts of what is shown.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "procwatch/filter.h"
#include "procwatch/model.h"
#include "event_builder.h"

static struct pw_model tab;

static void
teardown(void)
{
	pw_model_destroy(&tab);
}

TestSuite(filter, .fini = teardown);

static void
start(const struct pw_filter_spec *spec)
{
	struct pw_model_opts mo = { .warnings = true };

	pw_model_init(&tab, &mo);
	cr_assert_eq(pw_model_set_filter(&tab, spec), 0);
}

/* Feeds ev; returns what the model noted of it. */
static struct pw_model_notes
feed(struct pw_event ev)
{
	struct pw_model_notes n;

	cr_assert_eq(pw_model_event(&tab, &ev, &n), 0);
	return n;
}

static struct pw_proc *
get(pid_t pid)
{
	struct pw_proc *p = pw_model_get(&tab, pid);

	cr_assert_not_null(p, "no record of %d", (int)pid);
	return p;
}

/* One successful exec of "prog ARG" at /usr/bin/prog. */
static struct pw_model_notes
exec2(uint64_t t, pid_t pid, const char *prog, const char *arg, long result)
{
	struct pw_bytes argv[2] = { ev_bytes(prog), ev_bytes(arg) };
	char path[64];

	snprintf(path, sizeof(path), "/usr/bin/%s", prog);
	return feed(ev_exec(t, pid, path, argv, 2, "/w", result));
}

/*
 * make (100) runs sh (101) running cc (102) and sh (103) running ld
 * (104); make also forks 105, which never execs.  Depths 0, 1, 2, 1, 2, 1.
 */
static void
build(void)
{
	char *argv[] = { (char *)"make", NULL };

	feed(ev_start(0, 100, argv, 1));
	exec2(1, 100, "make", "all", 0);
	feed(ev_fork(10, 100, 101));
	exec2(11, 101, "sh", "-c", 0);
	feed(ev_fork(12, 101, 102));
	exec2(13, 102, "cc", "a.c", 0);
	feed(ev_fork(20, 100, 103));
	exec2(21, 103, "sh", "-c", 0);
	feed(ev_fork(22, 103, 104));
	exec2(23, 104, "ld", "a.o", 0);
	feed(ev_fork(30, 100, 105));
}

/* The pids of the shown tree in the order a view walks it, with depths. */
static void
expect_walk(const char *want)
{
	const struct pw_proc *p = pw_shown_first(&tab), *next;
	char got[256] = "";
	size_t len = 0;

	while (p) {
		cr_assert(pw_proc_shown(p));
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%d@%u",
					len ? " " : "", (int)p->pid, pw_proc_shown_depth(p));
		if ((next = pw_shown_first_child(p))) {
			cr_assert_eq(pw_shown_up(next), p);
			p = next;
			continue;
		}
		while (p && !(next = pw_shown_next(p)))
			p = pw_shown_up(p);
		p = p ? next : NULL;
	}
	cr_assert_str_eq(got, want);
}

Test(filter, none_shows_everything_as_it_is)
{
	struct pw_filter_spec none = { 0 };
	struct pw_model_counts c;

	cr_assert_not(pw_filter_spec_active(&none));
	start(&none);
	build();
	cr_assert_null(tab.filter);
	expect_walk("100@0 101@1 102@2 103@1 104@2 105@1");
	pw_model_shown_counts(&tab, &c);
	cr_assert_eq(memcmp(&c, &tab.counts, sizeof(c)), 0);
}

/* A subtree, its top at level 0, nothing above or beside it. */
Test(filter, pid_is_a_subtree)
{
	struct pw_filter_spec spec = { .pids = { 103 }, .npids = 1 };
	struct pw_model_counts c;

	start(&spec);
	build();
	expect_walk("103@0 104@1");
	cr_assert_not(pw_proc_shown(get(100)));
	cr_assert_not(pw_proc_shown(get(102)));
	cr_assert_null(pw_shown_up(get(103)), "its creator is not shown");
	pw_model_shown_counts(&tab, &c);
	cr_assert_eq(c.processes, 2);
	cr_assert_eq(c.execs, 2);
}

/*
 * Every record that had the pid counts: here 101 ends, is reaped, and
 * the pid comes back as a child of 105.  Both are tops, in the order they
 * were made; a pid that never came shows nothing.
 */
Test(filter, pid_reused_and_pid_never_seen)
{
	struct pw_filter_spec spec = { .pids = { 101, 999 }, .npids = 2 };

	start(&spec);
	build();
	feed(ev_exited(40, 102, 102, 0));
	feed(ev_reap(41, 101, 102, ev_status(PW_STATUS_EXITED, 0)));
	feed(ev_exited(42, 101, 101, 0));
	feed(ev_reap(43, 100, 101, ev_status(PW_STATUS_EXITED, 0)));
	feed(ev_fork(50, 105, 101));
	feed(ev_fork(51, 101, 106));
	expect_walk("101@0 102@1 101@0 106@1");
}

/* --depth counts from the top: the run's root, or the --pid process. */
Test(filter, depth)
{
	struct pw_filter_spec spec = { .depth_set = true, .depth = 1 };

	start(&spec);
	build();
	expect_walk("100@0 101@1 103@1 105@1");
	teardown();
	spec = (struct pw_filter_spec){ .depth_set = true, .depth = 0,
					.pids = { 101 }, .npids = 1 };
	start(&spec);
	build();
	expect_walk("101@0");
}

/*
 * --match shows the process whose exec matched and its ancestors, not its
 * siblings nor what it creates; the notes say which became shown with it.
 */
Test(filter, match_shows_the_ancestors)
{
	struct pw_filter_spec spec = { .match = "^cc " };
	char *argv[] = { (char *)"make", NULL };
	struct pw_model_notes n;

	start(&spec);
	feed(ev_start(0, 100, argv, 1));
	n = exec2(1, 100, "make", "all", 0);
	cr_assert_not(pw_proc_shown(get(100)));
	cr_assert_not(pw_model_event_shown(&(struct pw_event){ .kind = PW_EV_EXEC }, &n));
	feed(ev_fork(10, 100, 101));
	exec2(11, 101, "sh", "-c", 0);
	feed(ev_fork(12, 101, 102));
	n = exec2(13, 102, "cc", "a.c", 0);
	cr_assert_eq(n.proc, get(102));
	cr_assert_eq(n.shown_from, get(100), "make and sh became shown with cc");
	cr_assert(pw_model_event_shown(&(struct pw_event){ .kind = PW_EV_EXEC }, &n));
	feed(ev_fork(14, 102, 107));	/* cc's own child: not shown for cc */
	feed(ev_fork(20, 100, 103));
	n = exec2(21, 103, "cc", "b.c", 0);
	cr_assert_eq(n.shown_from, get(103), "only 103 itself: make was shown");
	n = exec2(22, 103, "cc", "c.c", 0);
	cr_assert_null(n.shown_from, "nothing new");
	feed(ev_fork(30, 100, 105));
	expect_walk("100@0 101@1 102@2 103@1");
	n = feed(ev_exited(40, 107, 107, 0));
	cr_assert_not(pw_model_event_shown(&(struct pw_event){ .kind = PW_EV_EXIT }, &n));
	n = feed(ev_end(50, 100, 0));
	cr_assert(pw_model_event_shown(&(struct pw_event){ .kind = PW_EV_END }, &n));
}

/*
 * What is matched: argv joined by single spaces, or the path, of failed
 * attempts too, of a process found running at an attach; the bytes as
 * they are, those that are not UTF-8 and those after a NUL included.
 */
Test(filter, match_subjects)
{
	struct pw_filter_spec spec = { .match = "a\\.c -o|^/opt/|nope|run \xff|after$" };
	struct pw_bytes odd[] = { EV_BYTES("run"), EV_BYTES("\xff") };
	struct pw_bytes nul[] = { { .data = (char *)"pre\0after", .len = 9 } };
	struct pw_bytes found[] = { EV_BYTES("nope"), EV_BYTES("-d") };
	struct pw_bytes split[] = { EV_BYTES("a.c"), EV_BYTES("-o") };
	pid_t tids[] = { 300 };

	start(&spec);
	feed(ev_fork(1, 200, 201));
	feed(ev_exec(2, 201, "/usr/bin/cc", split, 2, NULL, 0));
	feed(ev_fork(3, 200, 202));
	feed(ev_exec(4, 202, "/opt/x/tool", NULL, 0, NULL, 0));
	feed(ev_fork(5, 200, 203));
	exec2(6, 203, "nope", "1", -ENOENT);
	feed(ev_fork(7, 200, 204));
	feed(ev_exec(8, 204, "/bin/run", odd, 2, NULL, 0));
	feed(ev_fork(9, 200, 205));
	exec2(10, 205, "ok", "a.c", 0);	/* "a.c" alone is not "a.c -o" */
	feed(ev_fork(11, 200, 206));
	feed(ev_exec(12, 206, "/bin/x", nul, 1, NULL, 0));
	feed(ev_attach(13, 300, 0, found, 2, tids, 1, 5));
	cr_assert(pw_proc_shown(get(201)), "argv joined by spaces");
	cr_assert(pw_proc_shown(get(202)), "the path");
	cr_assert(pw_proc_shown(get(203)), "a failed attempt");
	cr_assert(pw_proc_shown(get(204)), "a byte that is not UTF-8");
	cr_assert_not(pw_proc_shown(get(205)));
	cr_assert(pw_proc_shown(get(206)), "the bytes after a NUL");
	cr_assert(pw_proc_shown(get(300)), "an attached process's command line");
	expect_walk("200@0 201@1 202@1 203@1 204@1 206@1 300@0");
}

/* A match beyond --depth, or outside --pid, shows nothing: the filters meet. */
Test(filter, match_within_the_window_only)
{
	struct pw_filter_spec spec = { .match = "^(cc|ld) ", .depth_set = true, .depth = 1 };

	start(&spec);
	build();
	cr_assert_not(pw_proc_shown(get(102)));
	cr_assert_not(pw_proc_shown(get(100)), "no match within depth 1");
	cr_assert_null(pw_shown_first(&tab));
	teardown();
	spec = (struct pw_filter_spec){ .match = "^(cc|ld) ", .pids = { 103 }, .npids = 1 };
	start(&spec);
	build();
	expect_walk("103@0 104@1");
}

/* --summary counts what is shown: processes, execs, exits, kills, warnings. */
Test(filter, counts_of_what_is_shown)
{
	struct pw_filter_spec spec = { .pids = { 101 }, .npids = 1 };
	struct pw_model_counts c;

	start(&spec);
	build();
	feed(ev_spawn(40, 102, 102, PW_SPAWN_THREAD, 110));
	feed(ev_killed(41, 102, 102, SIGSEGV));
	feed(ev_exited(42, 104, 104, 3));
	feed(ev_killed(43, 105, 105, SIGKILL));
	pw_model_shown_counts(&tab, &c);
	cr_assert_eq(c.processes, 2);
	cr_assert_eq(c.threads, 1);
	cr_assert_eq(c.execs, 2);
	cr_assert_eq(c.signals, 1);
	cr_assert_eq(c.nonzero_exits, 0, "104 is not shown");
	cr_assert_eq(c.warnings[PW_WARN_KILLED], 1);
	cr_assert_eq(tab.counts.warnings[PW_WARN_KILLED], 2);
}

Test(filter, bad_regex)
{
	struct pw_filter_spec spec = { .match = "(" };
	struct pw_model_opts mo = { 0 };
	char why[128] = "";

	cr_assert_eq(pw_filter_check_match("a|b", why, sizeof(why)), 0);
	cr_assert_eq(pw_filter_check_match("(", why, sizeof(why)), -1);
	cr_assert_neq(why[0], '\0', "regerror's text");
	pw_model_init(&tab, &mo);
	cr_assert_eq(pw_model_set_filter(&tab, &spec), -EINVAL);
	cr_assert_null(tab.filter);
}
