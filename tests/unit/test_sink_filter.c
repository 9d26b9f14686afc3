/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the views under filters (--pid, --match, --depth), fed one
 * hand-built make-like run through pw_format_sink() into an
 * open_memstream: the timeline shows the events of the processes shown so
 * far and a "from" line when a match shows ancestors; the tree, --summary,
 * the Perfetto tracks and arrows and show --failed show exactly the
 * processes the filters leave.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/base.h"
#include "procwatch/sink.h"
#include "event_builder.h"

static struct pw_bytes make_argv[] = { EV_BYTES("make") };
static struct pw_bytes sh_a[] = { EV_BYTES("sh"), EV_BYTES("-c"), EV_BYTES("cc a.c") };
static struct pw_bytes sh_b[] = { EV_BYTES("sh"), EV_BYTES("-c"), EV_BYTES("cc b.c") };
static struct pw_bytes cc_a[] = { EV_BYTES("cc"), EV_BYTES("a.c") };
static struct pw_bytes cc_b[] = { EV_BYTES("cc"), EV_BYTES("b.c") };
static char *start_argv[] = { "make", NULL };

/*
 * What format (NULL: show --failed) writes of events evs[n] under spec,
 * the timeline's times left out.
 */
static char *
render_events(const char *format, const struct pw_filter_spec *spec, bool summary,
	      const struct pw_event *evs, size_t n)
{
	struct pw_view_opts vo = { .time = PW_TIME_NONE, .argv_max = 12,
				   .summary = summary, .filter = *spec };
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);
	bool found;
	struct pw_sink *s = format ? pw_format_sink(pw_format_find(format), f, &vo)
				   : pw_sink_failed_new(f, &vo, &found);

	cr_assert_not_null(s);
	for (i = 0; i < n; i++)
		cr_assert_eq(pw_sink_event(s, &evs[i]), 0);
	cr_assert_eq(pw_sink_close(s), 0);
	fclose(f);
	return buf;
}

/*
 * The run most tests render: make (10) runs sh (11) running cc a.c (12),
 * which fails; then sh (13) running cc b.c (14), which does not; then
 * forks 15, which exits 0 without exec'ing; make exits 2.  Each reaps its
 * child as it ends.
 */
static char *
render(const char *format, const struct pw_filter_spec *spec, bool summary)
{
	const struct pw_status ok = ev_status(PW_STATUS_EXITED, 0);
	const struct pw_status bad = ev_status(PW_STATUS_EXITED, 1);
	const struct pw_event run[] = {
		ev_start(0, 10, start_argv, 1),
		ev_exec(1, 10, "/usr/bin/make", make_argv, 1, "/w", 0),
		ev_fork(2, 10, 11),
		ev_exec(3, 11, "/bin/sh", sh_a, 3, "/w", 0),
		ev_fork(4, 11, 12),
		ev_exec(5, 12, "/usr/bin/cc", cc_a, 2, "/w", 0),
		ev_exited(6, 12, 12, 1),
		ev_reap(7, 11, 12, bad),
		ev_exited(8, 11, 11, 1),
		ev_reap(9, 10, 11, bad),
		ev_fork(10, 10, 13),
		ev_exec(11, 13, "/bin/sh", sh_b, 3, "/w", 0),
		ev_fork(12, 13, 14),
		ev_exec(13, 14, "/usr/bin/cc", cc_b, 2, "/w", 0),
		ev_exited(14, 14, 14, 0),
		ev_reap(15, 13, 14, ok),
		ev_exited(16, 13, 13, 0),
		ev_reap(17, 10, 13, ok),
		ev_fork(18, 10, 15),
		ev_exited(19, 15, 15, 0),
		ev_reap(19, 10, 15, ok),
		ev_exited(20, 10, 10, 2),
		ev_end(21, 10, 2),
	};

	return render_events(format, spec, summary, run, PW_ARRAY_SIZE(run));
}

/*
 * make's and sh 11's lines wait until cc b.c matches: then one line
 * names the chain it became shown with, and the rest of the run of the
 * shown processes follows; 15 is make's fork, but its own exit is not.
 */
Test(sink_filter, timeline_match)
{
	struct pw_filter_spec spec = { .match = "^cc b" };
	char *out = render("timeline", &spec, false);

	cr_assert_str_eq(out,
		"│  │  [14] from 13 sh ← 10 make\n"
		"│  │  [14] sh exec cc b.c  (path /usr/bin/cc)\n"
		"│  │  [14] cc exited 0 after 2µs\n"
		"│  [13] sh wait4(-1) reaped 14 cc: exited 0, zombie for 1µs\n"
		"│  [13] sh exited 0 after 6µs\n"
		"[10] make wait4(-1) reaped 13 sh: exited 0, zombie for 1µs\n"
		"├─ [10] make fork → 15\n"
		"[10] make wait4(-1) reaped 15 make: exited 0, zombie for 0µs\n"
		"[10] make exited 2 after 20µs\n"
		"end: exited 2\n"
		"\n"
		"10 make  exited 2 after 20µs\n"
		"└─ 13 sh -c 'cc b.c'  exited 0 after 6µs\n"
		"   └─ 14 cc b.c  exited 0 after 2µs\n");
	free(out);
}

/* A subtree at level 0, with the counts and shape of what is shown. */
Test(sink_filter, tree_pid_and_summary)
{
	struct pw_filter_spec spec = { .pids = { 11 }, .npids = 1 };
	char *out = render("tree", &spec, true);

	cr_assert_str_eq(out,
		"11 sh -c 'cc a.c'  exited 1 after 6µs\n"
		"└─ 12 cc a.c  exited 1 after 2µs\n"
		"2 processes, 0 threads, 2 execs, 0 failed execs, 2 non-zero exits, "
		"0 killed by a signal\n"
		"slowest: sh (11) 6µs, cc (12) 2µs\n"
		"most run: cc ×1, sh ×1\n");
	free(out);
}

/* The last shown sibling closes the guides, though a hidden one follows. */
Test(sink_filter, tree_depth_and_no_process)
{
	struct pw_filter_spec spec = { .depth_set = true, .depth = 1, .match = "^sh " };
	char *out = render("tree", &spec, false);

	cr_assert_str_eq(out,
		"10 make  exited 2 after 20µs\n"
		"├─ 11 sh -c 'cc a.c'  exited 1 after 6µs\n"
		"└─ 13 sh -c 'cc b.c'  exited 0 after 6µs\n");
	free(out);
	spec = (struct pw_filter_spec){ .pids = { 99 }, .npids = 1 };
	out = render("tree", &spec, false);
	cr_assert_str_eq(out, "(no process to show: the filters select none)\n");
	free(out);
}

/* Tracks for the shown processes only; no arrow from a creator not shown. */
Test(sink_filter, perfetto_pid)
{
	struct pw_filter_spec spec = { .pids = { 13 }, .npids = 1 };
	char *out = render("perfetto", &spec, false);

	cr_assert_null(strstr(out, "\"pid\":10,"), "make has no track:\n%s", out);
	cr_assert_null(strstr(out, "\"pid\":11,"));
	cr_assert_not_null(strstr(out, "\"name\":\"13 sh\""), "%s", out);
	cr_assert_not_null(strstr(out, "\"name\":\"14 cc\""), "%s", out);
	cr_assert_not_null(strstr(out, "{\"ph\":\"s\",\"name\":\"spawn\",\"pid\":13,"),
			   "the arrow from 13 to 14:\n%s", out);
	cr_assert_null(strstr(out, "\"ph\":\"f\",\"name\":\"spawn\",\"pid\":13,"),
		       "no arrow into 13:\n%s", out);
	free(out);
}

/* The failures shown, each with its whole chain; none shown: none found. */
Test(sink_filter, failed_match)
{
	struct pw_filter_spec spec = { .match = "a\\.c" };
	char *out = render(NULL, &spec, false);

	cr_assert_str_eq(out,
		"12 cc a.c  exited 1\n"
		"    cwd:   /w\n"
		"    from:  11 sh -c 'cc a.c' ← 10 make\n"
		"11 sh -c 'cc a.c'  exited 1\n"
		"    cwd:   /w\n"
		"    from:  10 make\n"
		"10 make  exited 2\n"
		"    cwd:   /w\n"
		"3 failed processes\n");
	free(out);
	spec = (struct pw_filter_spec){ .pids = { 13 }, .npids = 1 };
	out = render(NULL, &spec, false);
	cr_assert_str_eq(out, "no failures\n");
	free(out);
}

/*
 * A PATH search whose first attempt matched is held back until it ends:
 * the line naming the chain it showed waits with it, to stay right above
 * it, while the lines of others go on.
 */
Test(sink_filter, timeline_match_in_a_path_search)
{
	struct pw_filter_spec spec = { .match = "^cc " };
	struct pw_bytes cc[] = { EV_BYTES("cc"), EV_BYTES("x.c") };
	const struct pw_event evs[] = {
		ev_start(0, 10, start_argv, 1),
		ev_exec(1, 10, "/usr/bin/make", make_argv, 1, "/w", 0),
		ev_fork(2, 10, 11),
		ev_exec(3, 11, "/usr/local/bin/cc", cc, 2, "/w", -ENOENT),
		ev_fork(4, 10, 12),
		ev_exec(5, 11, "/usr/bin/cc", cc, 2, "/w", 0),
	};
	char *buf = render_events("timeline", &spec, false, evs, PW_ARRAY_SIZE(evs));

	cr_assert_str_eq(buf,
		"├─ [10] make fork → 12\n"
		"│  [11] from 10 make\n"
		"│  [11] make exec cc x.c  (path /usr/bin/cc)  found after 1 failed path (ENOENT)\n"
		"\n"
		"10 make  still running when the trace was cut\n"
		"└─ 11 cc x.c  still running when the trace was cut\n");
	free(buf);
}
