/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the timeline and tree sinks (src/sink/timeline.c, tree.c)
 * fed hand-built events into an open_memstream: the exact lines of a fork,
 * exec, wait and exit, the folding of a PATH search, argv elision, escaped
 * tracee bytes, colour only when asked, and the tree's marks and summary;
 * and how they fit a terminal: spawns said in words with only what sets
 * them apart from their kind's usual flags (all with -v), lines folded to
 * the width under their own guides with colours carried over the fold,
 * deep guides collapsed to a depth mark, like siblings folded into one
 * tree line unless --no-fold.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "procwatch/sink.h"
#include "event_builder.h"
#include "fits.h"
#include "sink_capture.h"

static void
open_sink(bool tree, const struct pw_view_opts *o)
{
	capture_open(tree ? "tree" : "timeline", o);
}

/* Closes the sink and returns everything it wrote. */
static const char *
output(void)
{
	return captured();
}

/* The timeline lines only: without an end event the tree follows at close. */
static const char *
timeline_part(void)
{
	char *cut;

	output();
	cut = strstr(buf, "\n\n");
	if (cut)
		cut[1] = '\0';
	return buf;
}

TestSuite(timeline, .fini = capture_teardown);

static const struct pw_view_opts plain = { .time = PW_TIME_NONE, .argv_max = 12 };

Test(timeline, fork_exec_wait_exit_and_tree)
{
	struct pw_bytes sh[] = { ev_bytes("sh"), ev_bytes("-c"), ev_bytes("ls | wc") };
	struct pw_bytes ls[] = { ev_bytes("ls") };
	struct pw_status ok = { .kind = PW_STATUS_EXITED };
	char *cmd[] = { (char *)"sh", NULL };

	open_sink(false, &plain);
	feed(ev_start(0, 10, cmd, 1));
	feed(ev_exec(100, 10, "/bin/sh", sh, 3, NULL, 0));
	feed(ev_fork(200, 10, 11));
	feed(ev_exec(300, 11, "/bin/ls", ls, 1, NULL, 0));
	feed(ev_exited(1300, 11, 11, 0));
	feed(ev_reap(1800, 10, 11, ok));
	feed(ev_exited(2100, 10, 10, 1));
	feed(ev_end(2200, 10, 1));
	cr_assert_str_eq(output(),
		"[10] sh exec sh -c 'ls | wc'  (path /bin/sh)\n"
		"├─ [10] sh fork → 11\n"
		"│  [11] sh exec ls  (path /bin/ls)\n"
		"│  [11] ls exited 0 after 1.1ms\n"
		"[10] sh wait4(-1) reaped 11 ls: exited 0, zombie for 500µs\n"
		"[10] sh exited 1 after 2.1ms\n"
		"end: exited 1\n"
		"\n"
		"10 sh -c 'ls | wc'  exited 1 after 2.1ms\n"
		"└─ 11 ls  exited 0 after 1.1ms\n");
}

/*
 * What a process used, on its exit line and in the tree, as one CPU figure
 * and its peak memory; what was not read is left out, and a thread's exit
 * has none.
 */
Test(timeline, usage_on_exit_lines_and_in_the_tree)
{
	struct pw_event cc_end = ev_exited(1300, 11, 11, 0);
	char *cmd[] = { (char *)"sh", NULL };

	cc_end.u.exit.usage = (struct pw_usage){ .known = PW_USAGE_USER | PW_USAGE_SYSTEM,
						 .user_us = 2500000, .system_us = 700000 };
	open_sink(false, &plain);
	feed(ev_start(0, 10, cmd, 1));
	feed(ev_fork(200, 10, 11));
	feed(ev_spawn(210, 10, 10, PW_SPAWN_THREAD, 12));
	feed(ev_with_usage(ev_exited(220, 10, 12, 0), 1, 1, 1));
	feed(cc_end);
	feed(ev_fork(1400, 10, 13));
	feed(ev_killed(1500, 13, 13, SIGKILL));
	feed(ev_with_usage(ev_exited(2100, 10, 10, 0), 900, 100, 812));
	feed(ev_end(2200, 10, 0));
	cr_assert_str_eq(output(),
		"├─ [10] sh fork → 11\n"
		"├─ [10] sh thread → 12\n"
		"[10/12] sh thread exited 0 after 10µs\n"
		"│  [11] sh exited 0 after 1.1ms, cpu 3.20s\n"
		"├─ [10] sh fork → 13\n"
		"│  [13] sh killed by SIGKILL after 100µs\n"
		"[10] sh exited 0 after 2.1ms, cpu 1.0ms, peak 812 KiB\n"
		"end: exited 0\n"
		"\n"
		"10 (sh)  exited 0 after 2.1ms, cpu 1.0ms, peak 812 KiB, +1 thread\n"
		"├─ 11 (sh)  exited 0 after 1.1ms, cpu 3.20s, not reaped by its parent\n"
		"└─ 13 (sh)  killed by SIGKILL after 100µs, not reaped by its parent\n");
}

Test(timeline, relative_time)
{
	struct pw_view_opts o = plain;

	o.time = PW_TIME_RELATIVE;
	open_sink(false, &o);
	feed(ev_exited(1234567, 10, 10, 0));
	cr_assert_str_eq(timeline_part(), "   1.234567 [10] exited 0 after 0µs\n");
}

Test(timeline, path_search_folded)
{
	struct pw_bytes cc[] = { ev_bytes("cc"), ev_bytes("-c"), ev_bytes("x.c") };
	struct pw_bytes nope[] = { ev_bytes("nope") };

	open_sink(false, &plain);
	feed(ev_exec(1, 20, "/usr/local/bin/cc", cc, 3, NULL, -ENOENT));
	feed(ev_exec(2, 20, "/usr/sbin/cc", cc, 3, NULL, -EACCES));
	feed(ev_exec(3, 20, "/usr/bin/cc", cc, 3, NULL, 0));
	feed(ev_exec(4, 20, "/a/nope", nope, 1, NULL, -ENOENT));
	feed(ev_exec(5, 20, "/b/nope", nope, 1, NULL, -ENOENT));
	feed(ev_exited(6, 20, 20, 127));
	feed(ev_exec(7, 21, "/x/one", nope, 1, NULL, -ENOENT));
	feed(ev_end(8, 20, 127));
	cr_assert_str_eq(output(),
		"[20] exec cc -c x.c  (path /usr/bin/cc)  found after 2 failed paths (EACCES)\n"
		"[20] cc exec nope  (path /b/nope)  failed in 2 paths: ENOENT\n"
		"[20] cc exited 127 after 5µs\n"
		"[21] exec nope  (path /x/one)  failed: ENOENT\n"
		"end: exited 127\n"
		"\n"
		"20 cc -c x.c  exited 127 after 5µs, 2 failed execs\n"
		"21 (name unknown)  still running, 1 failed exec\n");
}

Test(timeline, argv_elided_in_the_middle)
{
	struct pw_bytes v[20];
	char words[20][8];
	struct pw_view_opts o = plain;
	size_t i;

	for (i = 0; i < 20; i++) {
		snprintf(words[i], sizeof(words[i]), "a%zu", i);
		v[i] = ev_bytes(words[i]);
	}
	o.argv_max = 6;
	open_sink(false, &o);
	feed(ev_exec(1, 30, "a0", v, 20, NULL, 0));
	cr_assert_str_eq(timeline_part(), "[30] exec a0 a1 a2 a3 …14 more… a18 a19\n");
}

Test(timeline, tracee_bytes_escaped)
{
	struct pw_bytes v[] = { ev_bytes("/tmp/\x1b[2Jevil\n"), ev_bytes("\xe2\x80\xae") };
	const char *out, *c;

	open_sink(false, &plain);
	feed(ev_exec(1, 40, "/tmp/x", v, 2, NULL, 0));
	feed(ev_exited(2, 40, 40, 0));
	out = output();
	for (c = out; *c; c++)
		cr_assert(*c == '\n' || (unsigned char)*c >= 0x20, "raw byte 0x%02x in %s", *c, out);
	cr_assert_null(strstr(out, "\xe2\x80\xae"));
	cr_assert_not_null(strstr(out, "[40] $'\\x1b[2Jevil\\n' exited 0"));
}

Test(timeline, colour_only_when_asked)
{
	struct pw_bytes v[] = { ev_bytes("x") };
	struct pw_view_opts o = plain;

	open_sink(false, &plain);
	feed(ev_exec(1, 50, "/x", v, 1, NULL, -ENOENT));
	feed(ev_killed(2, 50, 50, SIGSEGV));
	cr_assert_null(strchr(timeline_part(), '\033'));
	free(buf);
	buf = NULL;
	o.color = true;
	open_sink(false, &o);
	feed(ev_exec(1, 50, "/x", v, 1, NULL, -ENOENT));
	feed(ev_killed(2, 50, 50, SIGSEGV));
	cr_assert_not_null(strstr(timeline_part(), "\033[31mfailed: ENOENT\033[0m"));
	cr_assert_not_null(strstr(buf, "\033[1;35mkilled by SIGSEGV\033[0m"));
}

Test(timeline, tree_orphans_threads_summary)
{
	struct pw_view_opts o = plain;
	struct pw_status ok = { .kind = PW_STATUS_EXITED };

	o.threads = true;
	o.summary = true;
	open_sink(true, &o);
	feed(ev_fork(10, 60, 61));
	feed(ev_fork(20, 61, 62));
	feed(ev_spawn(25, 62, 62, PW_SPAWN_THREAD, 63));
	feed(ev_exited(30, 61, 61, 0));
	feed(ev_reap(40, 60, 61, ok));
	feed(ev_killed(50, 62, 62, SIGKILL));
	feed(ev_fork(60, 60, 64));
	feed(ev_exited(70, 64, 64, 2));
	feed(ev_exited(80, 60, 60, 0));
	feed(ev_end(90, 60, 0));
	cr_assert_str_eq(output(),
		"60 (name unknown)  exited 0 after 70µs\n"
		"├─ 61 (name unknown)  exited 0 after 20µs\n"
		"│  └─ 62 (name unknown)  killed by SIGKILL after 30µs, orphaned, not reaped by a traced process\n"
		"│     └─ thread 63  ended with its process\n"
		"└─ 64 (name unknown)  exited 2 after 10µs, not reaped by its parent\n"
		"4 processes, 1 thread, 0 execs, 0 failed execs, 1 non-zero exit, 1 killed by a signal\n"
		"slowest: ? (60) 70µs, ? (62) 30µs, ? (61) 20µs, ? (64) 10µs\n");
}

Test(timeline, failed_spawn_and_thread)
{
	struct pw_event sp = ev_fork(1, 70, 0);
	struct pw_event th = ev_spawn(2, 70, 70, PW_SPAWN_THREAD, 71);

	sp.u.spawn.result = -EAGAIN;
	th.u.spawn.flags = CLONE_THREAD | CLONE_VM;
	open_sink(false, &plain);
	feed(sp);
	feed(th);
	feed(ev_exited(5, 70, 71, 0));
	cr_assert_str_eq(timeline_part(),
		"├─ [70] fork failed: EAGAIN\n"
		"├─ [70] thread → 71\n"
		"[70/71] thread exited 0 after 3µs\n");
}

/* A fork chain deeper than the guides drawn keeps its lines short. */
Test(timeline, deep_chain_guides_elided)
{
	const char *out, *line;
	pid_t pid;

	open_sink(false, &plain);
	for (pid = 100; pid < 140; pid++)
		feed(ev_fork((uint64_t)pid, pid, pid + 1));
	feed(ev_exited(200, 140, 140, 0));
	out = timeline_part();
	line = strstr(out, "[140]");
	cr_assert_not_null(line);
	/* 6 levels each side of a mark as wide at every depth (up to 99999). */
	cr_assert_not_null(strstr(out, "\n│  │  │  │  │  │  …[depth 40]…    │  │  │  │  │  │  [140] exited 0"),
			   "%s", out);
}

/* Time of day: "HH:MM:SS.uuuuuu " before each line. */
Test(timeline, absolute_time)
{
	struct pw_view_opts o = plain;
	unsigned h, m, s, us;
	char rest[64];

	o.time = PW_TIME_ABSOLUTE;
	open_sink(false, &o);
	feed(ev_start(10, 80, NULL, 0));
	feed(ev_exited(20, 80, 80, 0));
	cr_assert_eq(sscanf(timeline_part(), "%2u:%2u:%2u.%6u %63[^\n]", &h, &m, &s, &us, rest), 5,
		     "%s", buf);
	cr_assert(h < 24 && m < 60 && s < 61 && us < 1000000);
	cr_assert_str_eq(rest, "[80] exited 0 after 10µs");
}

Test(timeline, execveat_and_clone3_details)
{
	struct pw_bytes v[] = { ev_bytes("true") };
	struct pw_event ex = ev_exec(1, 90, "/usr/bin/true", v, 1, NULL, 0);
	struct pw_event sp = ev_fork(2, 90, 0);

	ex.u.exec.call = PW_CALL_EXECVEAT;
	ex.u.exec.dirfd = 3;
	ex.u.exec.at_flags = 0x1000;	/* AT_EMPTY_PATH */
	sp.u.spawn.call = PW_CALL_CLONE3;
	sp.u.spawn.kind = PW_SPAWN_CLONE;
	sp.u.spawn.flags = 0;
	sp.u.spawn.exit_signal = 0;
	sp.u.spawn.result = -EINVAL;
	sp.u.spawn.args_unreadable = true;
	sp.u.spawn.args_size = 63;
	open_sink(false, &plain);
	feed(ex);
	feed(sp);
	cr_assert_str_eq(timeline_part(),
		"[90] execveat true  (path /usr/bin/true, fd 3, AT_EMPTY_PATH)\n"
		"├─ [90] true clone failed: EINVAL  clone3(0, args unreadable (size 63))\n");
}

/* More pids than the kernel takes are not read: their count is said, not 32 zeros. */
Test(timeline, clone3_set_tid_over_the_limit)
{
	struct pw_event sp = ev_fork(2, 90, 0);

	sp.u.spawn.call = PW_CALL_CLONE3;
	sp.u.spawn.kind = PW_SPAWN_CLONE;
	sp.u.spawn.flags = 0;
	sp.u.spawn.exit_signal = 0;
	sp.u.spawn.result = -EINVAL;
	sp.u.spawn.set_tid_size = 40;
	open_sink(false, &plain);
	feed(ev_start(1, 90, NULL, 0));
	feed(sp);
	cr_assert(strstr(timeline_part(), "clone3(0, set_tid_size=40 (over 32))\n"), "%s", buf);
}

/* Each wait line after the first event's: the lines of one sink, in order. */
Test(timeline, wait_variants)
{
	struct pw_event ev = ev_new(PW_EV_WAIT, 0, 1, 1);

	open_sink(false, &plain);
	ev.u.wait = (struct pw_wait){ .call = PW_CALL_WAIT4, .target = -1,
				      .options = WNOHANG, .result = 0 };
	feed(ev);
	ev.u.wait = (struct pw_wait){ .call = PW_CALL_WAIT4, .target = 5, .result = -ECHILD };
	feed(ev);
	ev.u.wait = (struct pw_wait){ .call = PW_CALL_WAITID, .idtype = P_PID, .target = 5,
				      .options = WEXITED | WNOWAIT, .result = 5,
				      .status = { .kind = PW_STATUS_KILLED, .signal = SIGSEGV,
						  .core = true } };
	feed(ev);
	ev.u.wait = (struct pw_wait){ .call = PW_CALL_WAITID, .idtype = P_ALL, .target = 0,
				      .options = WSTOPPED, .result = 6,
				      .status = { .kind = PW_STATUS_STOPPED, .signal = SIGSTOP } };
	feed(ev);
	ev.u.wait.status = (struct pw_status){ .kind = PW_STATUS_CONTINUED };
	feed(ev);
	cr_assert_str_eq(timeline_part(),
		"[1] wait4(-1, WNOHANG): nothing to report\n"
		"[1] wait4(5) failed: ECHILD\n"
		"[1] waitid(P_PID, 5, WEXITED|WNOWAIT) reported 5: killed by SIGSEGV (core dumped)\n"
		"[1] waitid(P_ALL, 0, WUNTRACED) reported 6: stopped by SIGSTOP\n"
		"[1] waitid(P_ALL, 0, WUNTRACED) reported 6: continued\n");
}

/* No end event (procwatch failed mid-trace): the tree still comes at close. */
Test(timeline, tree_without_end_event)
{
	open_sink(false, &plain);
	feed(ev_fork(1, 95, 96));
	cr_assert_str_eq(output(),
		"├─ [95] fork → 96\n"
		"\n"
		"95 (name unknown)  still running when the trace was cut\n"
		"└─ 96 (name unknown)  still running when the trace was cut\n");
}

Test(timeline, empty_argv_said)
{
	open_sink(false, &plain);
	feed(ev_exec(1, 97, "/bin/x", NULL, 0, NULL, 0));
	feed(ev_end(2, 97, 0));
	cr_assert_str_eq(output(),
		"[97] exec (empty argv)  (path /bin/x)\n"
		"end: exited 0\n"
		"\n"
		"97 (empty argv)  still running\n");
}

/* A warning is a line of its own under its event, and counted in the summary. */
Test(timeline, warnings_under_event_and_counted)
{
	struct pw_view_opts o = plain;
	struct pw_status killed = { .kind = PW_STATUS_KILLED, .signal = SIGSEGV };

	o.warnings = true;
	o.summary = true;
	open_sink(false, &o);
	feed(ev_fork(10, 80, 81));
	feed(ev_killed(20, 81, 81, SIGSEGV));
	feed(ev_reap(30, 80, 81, killed));
	feed(ev_exited(40, 80, 80, 0));
	feed(ev_end(50, 80, 0));
	output();
	cr_assert_not_null(strstr(buf,
		"│  [81] killed by SIGSEGV after 10µs\n"
		"│     ⚠ killed by SIGSEGV\n"), "%s", buf);
	cr_assert_not_null(strstr(buf, "\nwarnings: 1 killed\n"), "%s", buf);
}

Test(timeline, no_warnings_no_lines_no_counts)
{
	struct pw_view_opts o = plain;

	o.summary = true;
	open_sink(false, &o);
	feed(ev_fork(10, 80, 81));
	feed(ev_killed(20, 81, 81, SIGSEGV));
	feed(ev_end(50, 80, 0));
	output();
	cr_assert_null(strstr(buf, "⚠"), "%s", buf);
	cr_assert_null(strstr(buf, "warnings:"), "%s", buf);
}

/* --explain: the spawn kind and each flag, exec's rules, each status. */
Test(timeline, explain_lines_under_events)
{
	struct pw_view_opts o = plain;
	struct pw_bytes v[] = { ev_bytes("true") };
	struct pw_status ok = { .kind = PW_STATUS_EXITED };
	struct pw_event sp = ev_fork(10, 90, 91);

	o.explain = true;
	open_sink(false, &o);
	feed(sp);
	feed(ev_exec(15, 91, "/bin/true", v, 1, NULL, 0));
	feed(ev_exec(16, 91, "/bin/nope", v, 1, NULL, -ENOENT));
	feed(ev_exited(20, 91, 91, 3));
	feed(ev_reap(30, 90, 91, ok));
	timeline_part();
	cr_assert_not_null(strstr(buf, "\n│     # fork: a copy"), "%s", buf);
	cr_assert_not_null(strstr(buf, "\n│     # CLONE_CHILD_SETTID: the kernel writes"), "%s", buf);
	cr_assert_not_null(strstr(buf, "\n│     # exec replaces the program"), "%s", buf);
	cr_assert_not_null(strstr(buf, "\n│     # exited with code 3: by convention, a failure\n"), "%s", buf);
	cr_assert_not_null(strstr(buf, "\n   # exited normally with code 0 (success)\n"), "%s", buf);
	/* Only the successful exec is explained. */
	cr_assert_null(strstr(strstr(buf, "# exec replaces") + 1, "# exec replaces"), "%s", buf);
}

/* In colour a warning stands out and an explanation recedes. */
Test(timeline, warning_and_explain_colours)
{
	struct pw_view_opts o = plain;

	o.warnings = true;
	o.explain = true;
	o.color = true;
	open_sink(false, &o);
	feed(ev_fork(10, 80, 81));
	feed(ev_killed(20, 81, 81, SIGSEGV));
	timeline_part();
	cr_assert_not_null(strstr(buf, "\033[1;33m⚠ killed by SIGSEGV\033[0m\n"), "%s", buf);
	cr_assert_not_null(strstr(buf, "\033[2m# killed by SIGSEGV: an invalid memory access\033[0m\n"),
			   "%s", buf);
}

/* The tree alone shows no warning lines but marks the process, once per kind. */
Test(timeline, tree_marks_warned_processes)
{
	struct pw_view_opts o = plain;

	o.warnings = true;
	open_sink(true, &o);
	feed(ev_fork(10, 80, 81));
	feed(ev_exited(20, 81, 81, 0));
	feed(ev_killed(30, 80, 80, SIGTERM));
	feed(ev_end(40, 80, 0));
	cr_assert_str_eq(output(),
		"80 (name unknown)  killed by SIGTERM after 20µs, ⚠ unreaped\n"
		"└─ 81 (name unknown)  exited 0 after 10µs, not reaped by its parent\n");
}

/* A leaked descriptor is reported at the first program that inherited it. */
Test(timeline, fd_leak_reported_once)
{
	struct pw_view_opts o = plain;
	struct pw_bytes v[] = { ev_bytes("true") };
	struct pw_fd fds[] = { { 5, ev_bytes("/dev/null") }, { 6, ev_bytes("pipe:[77]") } };
	static const char want[] = "⚠ inherited 1 descriptor without close-on-exec: 6 → pipe:[77]\n";
	struct pw_event ex;
	const char *first, *second;

	o.warnings = true;
	o.summary = true;
	open_sink(false, &o);
	ex = ev_exec(5, 90, "/bin/true", v, 1, NULL, 0);
	feed(ex);	/* the command's own first program (caller_fds_noted) */
	ex.time_us = 10;
	ex.u.exec.fds = fds;
	ex.u.exec.nfds = 1;
	feed(ex);
	ex.time_us = 20;
	feed(ex);
	ex.time_us = 30;
	ex.u.exec.nfds = 2;
	feed(ex);
	feed(ev_end(40, 90, 0));
	output();
	first = strstr(buf, "⚠ inherited 1 descriptor without close-on-exec: 5 → /dev/null\n");
	cr_assert_not_null(first, "%s", buf);
	second = strstr(first + 1, "⚠ inherited");
	cr_assert_not_null(second, "%s", buf);
	cr_assert(!strncmp(second, want, strlen(want)), "%s", buf);
	cr_assert_null(strstr(second + 1, "⚠ inherited"), "%s", buf);
	cr_assert_not_null(strstr(buf, "\nwarnings: 2 fd-leak\n"), "%s", buf);
}

/* What procwatch's caller left open is noted under the first exec, dim, once. */
Test(timeline, caller_fds_noted)
{
	struct pw_view_opts o = plain;
	struct pw_bytes v[] = { ev_bytes("make") };
	struct pw_fd fds[] = { { 3, ev_bytes("pipe:[77]") } };
	struct pw_event ex = ev_exec(10, 90, "/usr/bin/make", v, 1, NULL, 0);

	o.warnings = true;
	open_sink(false, &o);
	ex.u.exec.fds = fds;
	ex.u.exec.nfds = 1;
	feed(ex);
	cr_assert_str_eq(timeline_part(),
		"[90] exec make  (path /usr/bin/make)\n"
		"   # open when procwatch started, not close-on-exec: 3 → pipe:[77]\n");
}

/* -k: a symbol, a stripped object, code in no file, bytes to escape. */
static struct pw_frame frames3[] = {
	{ .ip = 0x55555555521a, .off = 0x1a, .fn = "f2", .obj = "/tmp/pw_stack" },
	{ .ip = 0x555555555139, .off = 0x1139, .fn = NULL, .obj = "/tmp/pw_stack.stripped" },
	{ .ip = 0x7f0012345678, .off = 4, .fn = NULL, .obj = NULL },
};

static struct pw_stack
stack3(const char *note)
{
	return (struct pw_stack){ .requested = true, .frames = frames3, .nframes = 3,
				  .note = (char *)note };
}

/* A frame per line under the event, before --explain and the warnings. */
Test(timeline, stack_lines_under_spawn_and_exec)
{
	struct pw_view_opts o = plain;
	struct pw_bytes v[] = { ev_bytes("true") };
	struct pw_event sp = ev_fork(10, 90, 91), ex = ev_exec(15, 91, "/bin/true", v, 1, NULL, 0);

	o.explain = true;
	o.warnings = true;
	open_sink(false, &o);
	sp.u.spawn.stack = stack3("deeper than 3 frames");
	feed(sp);
	ex.u.exec.stack = stack3(NULL);
	feed(ex);
	timeline_part();
	/* --explain names every flag, so the line shows them all. */
	cr_assert_not_null(strstr(buf,
		"├─ [90] fork → 91  clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD)\n"
		"│     at f2+0x1a (pw_stack)\n"
		"│     at 0x1139 (pw_stack.stripped)\n"
		"│     at 0x7f0012345678\n"
		"│     at … stack cut short: deeper than 3 frames\n"
		"│     # fork: a copy"), "%s", buf);
	cr_assert_not_null(strstr(buf,
		"│  [91] exec true  (path /bin/true)\n"
		"│     at f2+0x1a (pw_stack)\n"
		"│     at 0x1139 (pw_stack.stripped)\n"
		"│     at 0x7f0012345678\n"
		"│     # exec replaces"), "%s", buf);
}

/* Asked for, not taken: one line says why. Not asked for: nothing at all. */
Test(timeline, empty_stack_and_no_stack)
{
	struct pw_bytes v[] = { ev_bytes("true") };
	struct pw_event ex = ev_exec(15, 91, "/bin/true", v, 1, NULL, 0), sp = ev_fork(20, 91, 92);

	open_sink(false, &plain);
	ex.u.exec.stack = (struct pw_stack){ .requested = true,
					     .note = "the task died while being unwound" };
	feed(ex);
	sp.u.spawn.stack = stack3("ignored");
	sp.u.spawn.stack.requested = false;
	feed(sp);
	ex.time_us = 30;
	ex.u.exec.stack = (struct pw_stack){ .requested = true };
	feed(ex);
	cr_assert_str_eq(timeline_part(),
		"[91] exec true  (path /bin/true)\n"
		"   at … no stack: the task died while being unwound\n"
		"├─ [91] true fork → 92\n"
		"[91] true exec true  (path /bin/true)\n");
}

/* Tracee bytes in a symbol or an object's name never reach the terminal raw. */
Test(timeline, stack_bytes_escaped_and_dim)
{
	struct pw_view_opts o = plain;
	struct pw_frame f[] = {
		{ .ip = 1, .off = 2, .fn = "ev\x1b[31mil\xff", .obj = "/lib/a\\b\x7f.so" },
		{ .ip = 3, .off = 4, .fn = "std::vector<int>::push_back(int const&)", .obj = "/lib/"},
	};
	struct pw_event sp = ev_fork(10, 90, 91);

	sp.u.spawn.stack = (struct pw_stack){ .requested = true, .frames = f, .nframes = 2 };
	open_sink(false, &o);
	feed(sp);
	timeline_part();
	cr_assert_not_null(strstr(buf, "│     at ev\\x1b[31mil\\xff+0x2 (a\\\\b\\x7f.so)\n"), "%s", buf);
	cr_assert_not_null(strstr(buf, "│     at std::vector<int>::push_back(int const&)+0x4 (/lib/)\n"),
			   "%s", buf);
	free(buf);
	buf = NULL;
	o.color = true;
	open_sink(false, &o);
	feed(sp);
	timeline_part();
	cr_assert_not_null(strstr(buf, "\033[2mat std::vector<int>::push_back(int const&)+0x4 (/lib/)\033[0m\n"),
			   "%s", buf);
}

/* A folded PATH search shows the stack of the attempt its line is about. */
Test(timeline, folded_search_keeps_its_stack)
{
	struct pw_bytes cc[] = { ev_bytes("cc") };
	struct pw_event ex;

	open_sink(false, &plain);
	ex = ev_exec(1, 20, "/a/cc", cc, 1, NULL, -ENOENT);
	ex.u.exec.stack = (struct pw_stack){ .requested = true, .frames = frames3, .nframes = 1 };
	feed(ex);
	ex = ev_exec(2, 20, "/b/cc", cc, 1, NULL, -ENOENT);
	ex.u.exec.stack = (struct pw_stack){ .requested = true, .frames = frames3 + 1, .nframes = 1 };
	feed(ex);
	feed(ev_exited(3, 20, 20, 127));
	ex = ev_exec(4, 21, "/a/cc", cc, 1, NULL, -ENOENT);
	ex.u.exec.stack = (struct pw_stack){ .requested = true, .frames = frames3 + 2, .nframes = 1 };
	feed(ex);
	ex = ev_exec(5, 21, "/b/cc", cc, 1, NULL, 0);
	ex.u.exec.stack = (struct pw_stack){ .requested = true, .frames = frames3, .nframes = 1 };
	feed(ex);
	ex = ev_exec(6, 22, "/a/cc", cc, 1, NULL, -ENOENT);
	ex.u.exec.stack = (struct pw_stack){ .requested = true, .note = "held to the end" };
	feed(ex);
	feed(ev_end(7, 20, 127));
	timeline_part();
	cr_assert_str_eq(buf,
		"[20] exec cc  (path /b/cc)  failed in 2 paths: ENOENT\n"
		"   at 0x1139 (pw_stack.stripped)\n"
		"[20] exited 127 after 2µs\n"
		"[21] exec cc  (path /b/cc)  found after 1 failed path (ENOENT)\n"
		"   at f2+0x1a (pw_stack)\n"
		"[22] exec cc  (path /a/cc)  failed: ENOENT\n"
		"   at … no stack: held to the end\n"
		"end: exited 127\n");
}

/*
 * Calls the task died in: where a failure has its errno, "unfinished: the
 * task died in the call"; the -k stack still follows, and the next
 * event's line comes right after it: no --explain line (nothing happened).
 * The tree and summary count no failed exec and no child of the
 * unfinished fork, only the kills.
 */
Test(timeline, unfinished_exec_and_spawn)
{
	struct pw_view_opts o = plain;
	struct pw_bytes sh[] = { ev_bytes("sh") }, tr[] = { ev_bytes("/bin/true") };
	struct pw_status killed = { .kind = PW_STATUS_KILLED, .signal = SIGKILL };
	struct pw_event sp = ev_fork(20, 10, 0), ex = ev_exec(30, 11, "/bin/true", tr, 1, NULL,
							      PW_RESULT_UNFINISHED);
	struct pw_event en = ev_end(90, 10, 0);

	o.explain = true;
	o.warnings = true;
	o.summary = true;
	open_sink(false, &o);
	feed(ev_exec(1, 10, "/bin/sh", sh, 1, NULL, 0));
	feed(ev_fork(10, 10, 11));
	ex.u.exec.stack = (struct pw_stack){ .requested = true, .frames = frames3, .nframes = 1,
					     .note = "the task died while its stack was read" };
	feed(ex);
	feed(ev_killed(31, 11, 11, SIGKILL));
	feed(ev_reap(40, 10, 11, killed));
	sp.u.spawn.parent = 0;
	sp.u.spawn.result = PW_RESULT_UNFINISHED;
	sp.u.spawn.stack = stack3(NULL);
	feed(sp);
	feed(ev_killed(51, 10, 10, SIGKILL));
	en.u.end.status = killed;
	feed(en);
	output();
	cr_assert_not_null(strstr(buf,
		"│  [11] sh exec /bin/true  unfinished: the task died in the call\n"
		"│     at f2+0x1a (pw_stack)\n"
		"│     at … stack cut short: the task died while its stack was read\n"
		"│  [11] sh killed by SIGKILL after 21µs\n"), "%s", buf);
	cr_assert_not_null(strstr(buf,
		"├─ [10] sh fork unfinished: the task died in the call  "
		"clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD)\n"
		"│     at f2+0x1a (pw_stack)\n"
		"│     at 0x1139 (pw_stack.stripped)\n"
		"│     at 0x7f0012345678\n"
		"[10] sh killed by SIGKILL after 50µs\n"), "%s", buf);
	cr_assert_not_null(strstr(buf,
		"10 sh  killed by SIGKILL after 50µs\n"
		"└─ 11 (sh)  killed by SIGKILL after 21µs\n"
		"2 processes, 0 threads, 1 exec, 0 failed execs, 0 non-zero exits, 2 killed by a signal\n"),
		"%s", buf);
}

/* An attempt the task died in ends no PATH search: the failures, then it. */
Test(timeline, unfinished_exec_after_failed_paths)
{
	struct pw_bytes cc[] = { ev_bytes("cc") };
	struct pw_view_opts o = plain;

	open_sink(false, &plain);
	feed(ev_exec(1, 20, "/a/cc", cc, 1, NULL, -ENOENT));
	feed(ev_exec(2, 20, "/b/cc", cc, 1, NULL, -EACCES));
	feed(ev_exec(3, 20, "/c/cc", cc, 1, NULL, PW_RESULT_UNFINISHED));
	feed(ev_killed(4, 20, 20, SIGKILL));
	cr_assert_str_eq(timeline_part(),
		"[20] exec cc  (path /b/cc)  failed in 2 paths: EACCES\n"
		"[20] exec cc  (path /c/cc)  unfinished: the task died in the call\n"
		"[20] killed by SIGKILL after 3µs\n");
	free(buf);
	buf = NULL;
	o.color = true;
	open_sink(false, &o);
	feed(ev_exec(3, 20, "/c/cc", cc, 1, NULL, PW_RESULT_UNFINISHED));
	cr_assert_not_null(strstr(timeline_part(),
		"  \033[31munfinished: the task died in the call\033[0m\n"), "%s", buf);
}

/*
 * make (600, 3 threads) and its child cc1 (601, no command line) found
 * running; a thread of make ends, make forks ls and reaps it, cc1 exits 1
 * unreaped, and procwatch detaches from make: attach lines at each one's
 * depth, lifetimes with the age, no command status at the end, and the
 * tree and summary saying what was attached and what still ran.
 */
Test(timeline, attached_processes)
{
	static struct pw_bytes make[] = { EV_BYTES("make"), EV_BYTES("-j2"), EV_BYTES("all") };
	static struct pw_bytes ls[] = { EV_BYTES("ls") };
	static pid_t make_tids[] = { 600, 602, 603 }, cc_tids[] = { 601 };
	struct pw_status ok = { .kind = PW_STATUS_EXITED };
	struct pw_view_opts o = plain;
	struct pw_event ev;

	o.summary = true;
	o.threads = true;
	open_sink(false, &o);
	feed(ev_attach_start(0, (pid_t[]){ 600 }, 1));
	feed(ev_attach(100, 600, 1, make, 3, make_tids, 3, 3210000));
	ev = ev_attach(110, 601, 600, NULL, 0, cc_tids, 1, 1200000);
	ev.u.attach.exe = ev_bytes("/usr/lib/gcc/cc1");
	feed(ev);
	feed(ev_exited(1000, 600, 602, 0));
	feed(ev_fork(2000, 600, 604));
	feed(ev_exec(2100, 604, "/bin/ls", ls, 1, NULL, 0));
	feed(ev_exited(3100, 604, 604, 0));
	feed(ev_reap(3200, 600, 604, ok));
	feed(ev_exited(2000110, 601, 601, 1));
	feed(ev_end_attach(3000000, true));
	cr_assert_str_eq(output(),
		"[600] make attached  make -j2 all  (running for 3.21s, 3 threads)\n"
		"│  [601] cc1 attached  (empty argv)  (exe /usr/lib/gcc/cc1)  (running for 1.20s)\n"
		"[600/602] make thread exited 0, 900µs after procwatch attached\n"
		"├─ [600] make fork → 604\n"
		"│  [604] make exec ls  (path /bin/ls)\n"
		"│  [604] ls exited 0 after 1.1ms\n"
		"[600] make wait4(-1) reaped 604 ls: exited 0, zombie for 100µs\n"
		"│  [601] cc1 exited 1 after 3.20s\n"
		"end: detached from 1 process still running\n"
		"\n"
		"600 make -j2 all  attached (had run 3.21s), still running when procwatch detached\n"
		"├─ thread 602  exited 0, 900µs after procwatch attached\n"
		"├─ thread 603  still running when procwatch detached\n"
		"├─ 601 (cc1)  attached (had run 1.20s), exited 1 after 3.20s, not reaped yet when procwatch detached\n"
		"└─ 604 ls  exited 0 after 1.1ms\n"
		"3 processes (2 attached), 2 threads (2 attached), 1 exec, 0 failed execs, 1 non-zero exit, 0 killed by a signal\n"
		"slowest: cc1 (601) 3.20s, ls (604) 1.1ms\n"
		"most run: ls ×1\n");
}

/* Every attached process ended by itself: said so, with what it had exec'd after its argv. */
Test(timeline, attached_all_ended_and_explained)
{
	static struct pw_bytes sh[] = { EV_BYTES("sh") };
	static struct pw_bytes t[] = { EV_BYTES("true") };
	static pid_t tids[] = { 700 };
	struct pw_view_opts o = plain;

	o.explain = true;
	open_sink(false, &o);
	feed(ev_attach_start(0, (pid_t[]){ 700 }, 1));
	feed(ev_attach(50, 700, 0, sh, 1, tids, 1, 999));
	feed(ev_exec(60, 700, "/bin/true", t, 1, NULL, 0));
	feed(ev_exited(70, 700, 700, 0));
	feed(ev_end_attach(80, false));
	output();
	cr_assert(strstr(buf, "[700] sh attached  sh  (running for 999µs)\n"
			      "   # attached: the process was already running; procwatch sees only "
			      "what it does from now on, not how it started or what it ran before\n"
			      "[700] sh exec true  (path /bin/true)\n"), "%s", buf);
	cr_assert(strstr(buf, "[700] true exited 0 after 1.0ms\n"), "%s", buf);
	cr_assert(strstr(buf, "end: every attached process ended\n\n"
			      "700 sh → true  attached (had run 999µs), exited 0 after 1.0ms\n"), "%s", buf);
}

static struct pw_event
with_env(struct pw_event ev, struct pw_bytes *set, size_t n)
{
	ev.u.exec.env = (struct pw_env){ .recorded = true, .whole = true, .set = set,
					 .nset = n };
	return ev;
}

/*
 * --env: under the exit of a process that failed, the command line that
 * runs it again, with every argument (not elided like the exec line) and
 * a killed one too; nothing under a success, a thread or a forked child
 * that never exec'd.
 */
Test(timeline, reproduce_under_a_failed_exit)
{
	struct pw_bytes env[] = { ev_bytes("PATH=/bin"), ev_bytes("A=x y") };
	struct pw_bytes sh[] = { ev_bytes("sh"), ev_bytes("-c"), ev_bytes("cc; cc") };
	struct pw_bytes cc[] = { ev_bytes("cc"), ev_bytes("-c"), ev_bytes("1.c"), ev_bytes("2.c") };
	struct pw_view_opts o = plain;
	char *cmd[] = { (char *)"sh", NULL };

	o.argv_max = 3;
	o.warnings = true;
	open_sink(false, &o);
	feed(ev_start(0, 10, cmd, 1));
	feed(with_env(ev_exec(100, 10, "/bin/sh", sh, 3, "/w", 0), env, 2));
	feed(ev_fork(200, 10, 11));
	feed(with_env(ev_exec(300, 11, "/bin/cc", cc, 4, "/w", 0), env, 2));
	feed(ev_exited(1300, 11, 11, 1));
	feed(ev_fork(1400, 10, 12));
	feed(ev_killed(1500, 12, 12, SIGKILL));
	feed(ev_fork(1600, 10, 13));
	feed(with_env(ev_exec(1700, 13, "/bin/cc", cc, 4, "/w", 0), env, 2));
	feed(ev_killed(1800, 13, 13, SIGSEGV));
	feed(ev_reap(1900, 10, 11, ev_status(PW_STATUS_EXITED, 1)));
	feed(ev_reap(1900, 10, 12, ev_status(PW_STATUS_KILLED, SIGKILL)));
	feed(ev_reap(1900, 10, 13, ev_status(PW_STATUS_KILLED, SIGSEGV)));
	feed(ev_exited(2100, 10, 10, 0));
	cr_assert_str_eq(timeline_part(),
		"[10] sh exec sh -c 'cc; cc'  (path /bin/sh)\n"
		"├─ [10] sh fork → 11\n"
		"│  [11] sh exec cc -c …1 more… 2.c  (path /bin/cc)\n"
		"│  [11] cc exited 1 after 1.1ms\n"
		"│     reproduce: cd /w && env -i PATH=/bin 'A=x y' cc -c 1.c 2.c\n"
		"├─ [10] sh fork → 12\n"
		"│  [12] sh killed by SIGKILL after 100µs\n"
		"│     ⚠ killed by SIGKILL\n"
		"├─ [10] sh fork → 13\n"
		"│  [13] sh exec cc -c …1 more… 2.c  (path /bin/cc)\n"
		"│  [13] cc killed by SIGSEGV after 200µs\n"
		"│     ⚠ killed by SIGSEGV\n"
		"│     reproduce: cd /w && env -i PATH=/bin 'A=x y' cc -c 1.c 2.c\n"
		"[10] sh wait4(-1) reaped 11 cc: exited 1, zombie for 600µs\n"
		"[10] sh wait4(-1) reaped 12 sh: killed by SIGKILL, zombie for 400µs\n"
		"[10] sh wait4(-1) reaped 13 cc: killed by SIGSEGV, zombie for 100µs\n"
		"[10] sh exited 0 after 2.1ms\n");
}

Test(timeline, usual_spawns_say_only_their_kind)
{
	struct pw_event pidfd = ev_fork(3, 10, 14), sig = ev_fork(4, 10, 15);

	pidfd.u.spawn.kind = PW_SPAWN_POSIX_SPAWN;
	pidfd.u.spawn.call = PW_CALL_CLONE3;
	pidfd.u.spawn.flags = CLONE_VM | CLONE_VFORK | CLONE_PIDFD;
	sig.u.spawn.exit_signal = SIGUSR1;
	open_sink(false, &plain);
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

Test(timeline, verbose_shows_every_flag_and_the_path)
{
	struct pw_view_opts o = plain;
	struct pw_bytes v[] = { ev_bytes("true") };

	o.verbose = true;
	open_sink(false, &o);
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
Test(timeline, long_lines_fold_under_their_guides)
{
	struct pw_view_opts o = plain;
	struct pw_bytes v[] = { ev_bytes("cc"), ev_bytes("-O2"), ev_bytes("-Wall"),
				ev_bytes("-c"), ev_bytes("a_rather_long_file_name.c"),
				ev_bytes("-o"), ev_bytes("a_rather_long_file_name.o") };

	o.width = 40;
	open_sink(false, &o);
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
Test(timeline, colour_carries_over_a_fold)
{
	struct pw_view_opts o = plain;

	o.width = 20;
	o.color = true;
	open_sink(false, &o);
	feed(ev_fork(1, 10, 11));
	feed(ev_exit(2, 11, 11, ev_status(PW_STATUS_KILLED, SIGSEGV)));
	output();
	cr_assert_not_null(strstr(buf, "\033[1;35mkilled by\033[0m\n"
				       "\033[2m│  \033[0m    \033[1;35mSIGSEGV\033[0m after"), "%s", buf);
}

/* Without a width (a file, a pipe) a line is never folded. */
Test(timeline, no_width_no_fold)
{
	struct pw_bytes v[80];
	size_t i;

	for (i = 0; i < 80; i++)
		v[i] = ev_bytes("word");
	open_sink(false, &plain);
	feed(ev_exec(1, 10, "word", v, 80, NULL, 0));
	output();
	cr_assert_not_null(strstr(buf, "[10] exec word word"));
	cr_assert_gt(strchr(buf, '\n') - buf, 80);
}

/* A fork chain 100 deep at 80 columns: a depth mark, every line within 80. */
Test(timeline, deep_chain_at_80_columns)
{
	struct pw_view_opts o = plain;
	pid_t pid;

	o.width = 80;
	o.time = PW_TIME_RELATIVE;
	open_sink(false, &o);
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
Test(timeline, like_siblings_fold_in_the_tree)
{
	pid_t c;

	open_sink(true, &plain);
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

/*
 * n like children of 10 under opts: the tree, with no line folded when
 * there are too few of them or --no-fold says so.
 */
static void
assert_siblings_apart(pid_t n, bool no_fold)
{
	struct pw_view_opts o = plain;
	pid_t c;

	o.no_fold = no_fold;
	open_sink(true, &o);
	for (c = 11; c < 11 + n; c++)
		feed(ev_fork((uint64_t)c, 10, c));
	for (c = 11; c < 11 + n; c++)
		feed(ev_exited(100, c, c, 0));
	feed(ev_end(400, 10, 0));
	output();
	cr_assert_null(strstr(buf, "×"), "%s", buf);
	cr_assert_not_null(strstr(buf, "exited 0"), "%s", buf);
}

Test(timeline, no_fold_lists_each)
{
	assert_siblings_apart(5, true);
}

/* Three alike read well one by one, and keep their pids. */
Test(timeline, few_siblings_stay_apart)
{
	assert_siblings_apart(3, false);
}
