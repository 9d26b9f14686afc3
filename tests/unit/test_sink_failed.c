/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the failures view (show --failed): a small make-like run
 * built by hand, whose output is checked whole: deepest failures first, a
 * PATH search that ended well is no failure, a failed last exec is named,
 * cwd comes from the latest exec or an ancestor, and the chain runs from
 * the parent up.  A run without failures says so and reports none found.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/base.h"
#include "procwatch/sink.h"

#define B(s) { .data = (s), .len = sizeof(s) - 1 }

static struct pw_bytes make_argv[] = { B("make") };
static struct pw_bytes sh_argv[] = { B("sh"), B("-c"), B("cc -c a.c") };
static struct pw_bytes cc_argv[] = { B("cc"), B("-c"), B("a.c") };
static struct pw_bytes nope_argv[] = { B("nope") };

static struct pw_event
exec_ev(pid_t pid, const char *path, struct pw_bytes *argv, size_t argc,
	const char *cwd, long result)
{
	return (struct pw_event){
		.kind = PW_EV_EXEC, .pid = pid, .tid = pid,
		.u.exec = { .call = PW_CALL_EXECVE,
			    .path = { .data = (char *)path, .len = strlen(path) },
			    .argv = argv, .argc = argc, .result = result,
			    .cwd = { .data = (char *)cwd, .len = strlen(cwd) } },
	};
}

static struct pw_event
spawn_ev(pid_t pid, pid_t child)
{
	return (struct pw_event){
		.kind = PW_EV_SPAWN, .pid = pid, .tid = pid,
		.u.spawn = { .call = PW_CALL_FORK, .kind = PW_SPAWN_FORK,
			     .child = child, .parent = pid, .result = child },
	};
}

static struct pw_event
exit_ev(pid_t pid, int code)
{
	return (struct pw_event){
		.kind = PW_EV_EXIT, .pid = pid, .tid = pid,
		.u.exit = { .status = { .kind = PW_STATUS_EXITED, .code = code },
			    .call = PW_CALL_EXIT_GROUP },
	};
}

static char *
run_failed(const struct pw_event *evs, size_t n, bool *found)
{
	struct pw_view_opts vo = { .time = PW_TIME_NONE, .argv_max = 1 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct pw_sink *s = pw_sink_failed_new(f, &vo, found);

	cr_assert_not_null(s);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(pw_sink_event(s, &evs[i]), 0);
		cr_assert_eq(len, 0, "nothing is written before the end");
	}
	cr_assert_eq(pw_sink_close(s), 0);
	fclose(f);
	return buf;
}

Test(sink_failed, make_like_run)
{
	char *start_argv[] = { "make", NULL };
	const struct pw_event evs[] = {
		{ .kind = PW_EV_START, .pid = 10, .tid = 10,
		  .u.start = { .argv = start_argv, .argc = 1 } },
		exec_ev(10, "/usr/bin/make", make_argv, 1, "/w", 0),
		spawn_ev(10, 11),
		exec_ev(11, "/bin/sh", sh_argv, 3, "/w", 0),
		spawn_ev(11, 12),
		exec_ev(12, "/usr/local/bin/cc", cc_argv, 3, "/w/src", -ENOENT),
		exec_ev(12, "/usr/bin/cc", cc_argv, 3, "/w/src", 0),
		exit_ev(12, 1),
		exit_ev(11, 1),
		spawn_ev(10, 13),
		exec_ev(13, "/x/nope", nope_argv, 1, "/w", -ENOENT),
		exit_ev(13, 127),
		exit_ev(10, 2),
	};
	bool found;
	char *out = run_failed(evs, PW_ARRAY_SIZE(evs), &found);

	cr_assert(found);
	cr_assert_str_eq(out,
		"12 cc -c a.c  exited 1\n"
		"    cwd:   /w/src\n"
		"    from:  11 sh -c 'cc -c a.c' ← 10 make\n"
		"11 sh -c 'cc -c a.c'  exited 1\n"
		"    cwd:   /w\n"
		"    from:  10 make\n"
		"13 (make)  exited 127\n"
		"    exec:  /x/nope: nope failed: ENOENT\n"
		"    cwd:   /w\n"
		"    from:  10 make\n"
		"10 make  exited 2\n"
		"    cwd:   /w\n"
		"4 failed processes\n");
	free(out);
}

Test(sink_failed, no_failures)
{
	char *start_argv[] = { "make", NULL };
	const struct pw_event evs[] = {
		{ .kind = PW_EV_START, .pid = 10, .tid = 10,
		  .u.start = { .argv = start_argv, .argc = 1 } },
		exec_ev(10, "/usr/bin/make", make_argv, 1, "/w", 0),
		exit_ev(10, 0),
	};
	bool found = true;
	char *out = run_failed(evs, PW_ARRAY_SIZE(evs), &found);

	cr_assert_not(found);
	cr_assert_str_eq(out, "no failures\n");
	free(out);
}

static struct pw_frame make_frames[] = {
	{ .ip = 0x7f00000e40bb, .off = 0xb, .fn = "execve", .obj = "/lib/libc.so.6" },
	{ .ip = 0x55000001f2d4, .off = 0x1f2d4, .fn = NULL, .obj = "/usr/bin/make" },
};

static struct pw_event
with_stack(struct pw_event ev, size_t nframes, const char *note)
{
	ev.u.exec.stack = (struct pw_stack){ .requested = true, .frames = make_frames,
					     .nframes = nframes, .note = (char *)note };
	return ev;
}

/* -k: the stack of a failure's last exec, in the timeline's words, last. */
Test(sink_failed, stack_of_the_last_exec)
{
	char *start_argv[] = { "make", NULL };
	const struct pw_event evs[] = {
		{ .kind = PW_EV_START, .pid = 10, .tid = 10,
		  .u.start = { .argv = start_argv, .argc = 1 } },
		with_stack(exec_ev(10, "/usr/bin/make", make_argv, 1, "/w", 0), 0, "gone"),
		spawn_ev(10, 11),
		with_stack(exec_ev(11, "/usr/bin/cc", cc_argv, 3, "/w", 0), 1, NULL),
		with_stack(exec_ev(11, "/x/nope", nope_argv, 1, "/w", -ENOENT), 2,
			   "deeper than 2 frames"),
		exit_ev(11, 127),
		spawn_ev(10, 12),
		exec_ev(12, "/usr/bin/cc", cc_argv, 3, "/w", 0),
		exit_ev(12, 1),
		spawn_ev(10, 13),
		with_stack(exec_ev(13, "/usr/bin/cc", cc_argv, 3, "/w", 0), 0, NULL),
		exit_ev(13, 1),
		exit_ev(10, 2),
	};
	bool found;
	char *out = run_failed(evs, PW_ARRAY_SIZE(evs), &found);

	cr_assert_str_eq(out,
		"11 cc -c a.c  exited 127\n"
		"    exec:  /x/nope: nope failed: ENOENT\n"
		"    cwd:   /w\n"
		"    from:  10 make\n"
		"    started from:\n"
		"      at execve+0xb (libc.so.6)\n"
		"      at 0x1f2d4 (make)\n"
		"      at … stack cut short: deeper than 2 frames\n"
		"12 cc -c a.c  exited 1\n"
		"    cwd:   /w\n"
		"    from:  10 make\n"
		"13 cc -c a.c  exited 1\n"
		"    cwd:   /w\n"
		"    from:  10 make\n"
		"10 make  exited 2\n"
		"    cwd:   /w\n"
		"    started from:\n"
		"      at … no stack: gone\n"
		"4 failed processes\n");
	free(out);
}

static struct pw_bytes sleep_argv[] = { B("sleep"), B("9") };

static struct pw_event
killed_ev(pid_t pid, int sig)
{
	return (struct pw_event){
		.kind = PW_EV_EXIT, .pid = pid, .tid = pid,
		.u.exit = { .status = { .kind = PW_STATUS_KILLED, .signal = sig } },
	};
}

static struct pw_event
in_thread(struct pw_event ev, pid_t tid)
{
	ev.tid = tid;
	return ev;
}

/*
 * An exec the task died in: the process is listed for its death, and its
 * "exec:" line says unfinished where a failure has its errno.  A thread
 * that died in an exec while its process went on to exit 0 makes no
 * failure: unfinished is not failed.
 */
Test(sink_failed, unfinished_exec)
{
	char *start_argv[] = { "make", NULL };
	const struct pw_event evs[] = {
		{ .kind = PW_EV_START, .pid = 10, .tid = 10,
		  .u.start = { .argv = start_argv, .argc = 1 } },
		exec_ev(10, "/usr/bin/make", make_argv, 1, "/w", 0),
		spawn_ev(10, 11),
		with_stack(exec_ev(11, "/bin/sleep", sleep_argv, 2, "/w", PW_RESULT_UNFINISHED),
			   1, "the task died while its stack was read"),
		killed_ev(11, SIGKILL),
		spawn_ev(10, 12),
		in_thread(exec_ev(12, "/usr/bin/cc", cc_argv, 3, "/w", PW_RESULT_UNFINISHED), 14),
		exit_ev(12, 0),
		exit_ev(10, 0),
	};
	bool found;
	char *out = run_failed(evs, PW_ARRAY_SIZE(evs), &found);

	cr_assert(found);
	cr_assert_str_eq(out,
		"11 (make)  killed by SIGKILL\n"
		"    exec:  /bin/sleep: sleep 9 unfinished: the task died in the call\n"
		"    cwd:   /w\n"
		"    from:  10 make\n"
		"    started from:\n"
		"      at execve+0xb (libc.so.6)\n"
		"      at … stack cut short: the task died while its stack was read\n"
		"1 failed process\n");
	free(out);
}

static struct pw_event
attach_ev(uint64_t t, pid_t pid, pid_t parent, struct pw_bytes *argv, size_t argc,
	  const char *cwd, uint64_t age_us)
{
	return (struct pw_event){
		.kind = PW_EV_ATTACH, .time_us = t, .pid = pid, .tid = pid,
		.u.attach = { .parent = parent, .argv = argv, .argc = argc, .age_us = age_us,
			      .cwd = { .data = (char *)cwd, .len = strlen(cwd) } },
	};
}

static struct pw_event
at(uint64_t t, struct pw_event ev)
{
	ev.time_us = t;
	return ev;
}

/*
 * make -k (10) and its sh (11) found running, in /w and /w/src; sh starts
 * cc, which fails, then fails itself; procwatch detaches from make.  The
 * attached sh is named by the command line it was found running with,
 * says it was attached, how long it had run and lived, and has the cwd
 * /proc showed; make, still running, is no failure.
 */
Test(sink_failed, attached_process_fails)
{
	static struct pw_bytes make_k[] = { B("make"), B("-k") };
	const struct pw_event evs[] = {
		{ .kind = PW_EV_START, .pid = 10, .tid = 10, .u.start = { .attach = true } },
		attach_ev(0, 10, 1, make_k, 2, "/w", 2000000),
		attach_ev(10, 11, 10, sh_argv, 3, "/w/src", 500000),
		at(20, spawn_ev(11, 12)),
		at(30, exec_ev(12, "/usr/bin/cc", cc_argv, 3, "/w/src", 0)),
		at(40, exit_ev(12, 1)),
		at(1000010, exit_ev(11, 1)),
		{ .kind = PW_EV_END, .time_us = 2000000, .u.end = { .detached = true } },
	};
	bool found;
	char *out = run_failed(evs, sizeof(evs) / sizeof(evs[0]), &found);

	cr_assert(found);
	cr_assert_str_eq(out,
		"12 cc -c a.c  exited 1\n"
		"    cwd:   /w/src\n"
		"    from:  11 sh -c 'cc -c a.c' ← 10 make -k\n"
		"11 sh -c 'cc -c a.c'  exited 1  (attached after it had run 500.0ms; lived 1.50s)\n"
		"    cwd:   /w/src\n"
		"    from:  10 make -k\n"
		"2 failed processes\n");
	free(out);
}
