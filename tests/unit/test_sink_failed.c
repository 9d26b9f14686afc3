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
#include "procwatch/envdiff.h"
#include "procwatch/sink.h"
#include "event_builder.h"

static struct pw_bytes make_argv[] = { EV_BYTES("make") };
static struct pw_bytes sh_argv[] = { EV_BYTES("sh"), EV_BYTES("-c"), EV_BYTES("cc -c a.c") };
static struct pw_bytes cc_argv[] = { EV_BYTES("cc"), EV_BYTES("-c"), EV_BYTES("a.c") };
static struct pw_bytes nope_argv[] = { EV_BYTES("nope") };

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
		ev_start(0, 10, start_argv, 1),
		ev_exec(0, 10, "/usr/bin/make", make_argv, 1, "/w", 0),
		ev_fork(0, 10, 11),
		ev_exec(0, 11, "/bin/sh", sh_argv, 3, "/w", 0),
		ev_fork(0, 11, 12),
		ev_exec(0, 12, "/usr/local/bin/cc", cc_argv, 3, "/w/src", -ENOENT),
		ev_exec(0, 12, "/usr/bin/cc", cc_argv, 3, "/w/src", 0),
		ev_exited(0, 12, 12, 1),
		ev_exited(0, 11, 11, 1),
		ev_fork(0, 10, 13),
		ev_exec(0, 13, "/x/nope", nope_argv, 1, "/w", -ENOENT),
		ev_exited(0, 13, 13, 127),
		ev_exited(0, 10, 10, 2),
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
		ev_start(0, 10, start_argv, 1),
		ev_exec(0, 10, "/usr/bin/make", make_argv, 1, "/w", 0),
		ev_exited(0, 10, 10, 0),
	};
	bool found = true;
	char *out = run_failed(evs, PW_ARRAY_SIZE(evs), &found);

	cr_assert_not(found);
	cr_assert_str_eq(out, "no failures\n");
	free(out);
}

/*
 * What a failure used, under it: a test killed by a timeout that spun
 * shows its CPU time, one that ran out of memory its peak.  Nothing
 * for a process whose use was not read.
 */
Test(sink_failed, usage_of_each_failure)
{
	char *start_argv[] = { "make", NULL };
	const struct pw_event evs[] = {
		ev_start(0, 10, start_argv, 1),
		ev_exec(0, 10, "/usr/bin/make", make_argv, 1, "/w", 0),
		ev_fork(0, 10, 11),
		ev_exec(0, 11, "/usr/bin/cc", cc_argv, 3, "/w", 0),
		ev_with_usage(ev_killed(0, 11, 11, SIGTERM), 9500000, 480000, 3 * 1024 * 1024),
		ev_fork(0, 10, 12),
		ev_killed(0, 12, 12, SIGKILL),
		ev_with_usage(ev_exited(0, 10, 10, 2), 12000, 4000, 2048),
	};
	bool found;
	char *out = run_failed(evs, PW_ARRAY_SIZE(evs), &found);

	cr_assert(found);
	cr_assert_str_eq(out,
		"11 cc -c a.c  killed by SIGTERM\n"
		"    used:  cpu 9.98s (user 9.50s, system 480.0ms), peak 3.0 GiB\n"
		"    cwd:   /w\n"
		"    from:  10 make\n"
		"12 (make)  killed by SIGKILL\n"
		"    cwd:   /w\n"
		"    from:  10 make\n"
		"10 make  exited 2\n"
		"    used:  cpu 16.0ms (user 12.0ms, system 4.0ms), peak 2.0 MiB\n"
		"    cwd:   /w\n"
		"3 failed processes\n");
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
		ev_start(0, 10, start_argv, 1),
		with_stack(ev_exec(0, 10, "/usr/bin/make", make_argv, 1, "/w", 0), 0, "gone"),
		ev_fork(0, 10, 11),
		with_stack(ev_exec(0, 11, "/usr/bin/cc", cc_argv, 3, "/w", 0), 1, NULL),
		with_stack(ev_exec(0, 11, "/x/nope", nope_argv, 1, "/w", -ENOENT), 2,
			   "deeper than 2 frames"),
		ev_exited(0, 11, 11, 127),
		ev_fork(0, 10, 12),
		ev_exec(0, 12, "/usr/bin/cc", cc_argv, 3, "/w", 0),
		ev_exited(0, 12, 12, 1),
		ev_fork(0, 10, 13),
		with_stack(ev_exec(0, 13, "/usr/bin/cc", cc_argv, 3, "/w", 0), 0, NULL),
		ev_exited(0, 13, 13, 1),
		ev_exited(0, 10, 10, 2),
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

static struct pw_bytes sleep_argv[] = { EV_BYTES("sleep"), EV_BYTES("9") };

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
		ev_start(0, 10, start_argv, 1),
		ev_exec(0, 10, "/usr/bin/make", make_argv, 1, "/w", 0),
		ev_fork(0, 10, 11),
		with_stack(ev_exec(0, 11, "/bin/sleep", sleep_argv, 2, "/w", PW_RESULT_UNFINISHED),
			   1, "the task died while its stack was read"),
		ev_killed(0, 11, 11, SIGKILL),
		ev_fork(0, 10, 12),
		in_thread(ev_exec(0, 12, "/usr/bin/cc", cc_argv, 3, "/w", PW_RESULT_UNFINISHED), 14),
		ev_exited(0, 12, 12, 0),
		ev_exited(0, 10, 10, 0),
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

/* A process found running in cwd, as /proc showed it. */
static struct pw_event
in_cwd(struct pw_event ev, const char *cwd)
{
	ev.u.attach.cwd = ev_bytes(cwd);
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
	static struct pw_bytes make_k[] = { EV_BYTES("make"), EV_BYTES("-k") };
	const struct pw_event evs[] = {
		ev_attach_start(0, (pid_t[]){ 10 }, 1),
		in_cwd(ev_attach(0, 10, 1, make_k, 2, NULL, 0, 2000000), "/w"),
		in_cwd(ev_attach(10, 11, 10, sh_argv, 3, NULL, 0, 500000), "/w/src"),
		ev_fork(20, 11, 12),
		ev_exec(30, 12, "/usr/bin/cc", cc_argv, 3, "/w/src", 0),
		ev_exited(40, 12, 12, 1),
		ev_exited(1000010, 11, 11, 1),
		ev_end_attach(2000000, true),
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

/* --env: the exec's whole environment, as a trace without a base has it. */
static struct pw_event
with_env(struct pw_event ev, struct pw_bytes *set, size_t n)
{
	ev.u.exec.env = (struct pw_env){ .recorded = true, .whole = true, .set = set,
					 .nset = n };
	return ev;
}

static struct pw_bytes env_std[] = {
	EV_BYTES("HOME=/h"), EV_BYTES("PATH=/usr/local/bin:/usr/bin:/bin"),
	EV_BYTES("CC=gcc -O2"), EV_BYTES("X=~/x"),
};

/*
 * The reproduce line of a failure: cd, env -i with every entry in order,
 * argv[0] when the recorded PATH finds the file run, shell-quoted; and of
 * a failed exec, the attempt's.
 */
Test(sink_failed, reproduce_line)
{
	char *start_argv[] = { "make", NULL };
	const struct pw_event evs[] = {
		ev_start(0, 10, start_argv, 1),
		with_env(ev_exec(0, 10, "/usr/bin/make", make_argv, 1, "/w", 0), env_std, 4),
		ev_fork(0, 10, 11),
		with_env(ev_exec(0, 11, "/usr/local/bin/cc", cc_argv, 3, "/w/a b", -ENOENT),
			 env_std, 4),
		with_env(ev_exec(0, 11, "/usr/bin/cc", cc_argv, 3, "/w/a b", 0), env_std, 4),
		ev_exited(0, 11, 11, 1),
		ev_fork(0, 10, 12),
		with_env(ev_exec(0, 12, "/x/nope", nope_argv, 1, "/w", -ENOENT), env_std, 2),
		ev_exited(0, 12, 12, 127),
		ev_exited(0, 10, 10, 2),
	};
	bool found;
	char *out = run_failed(evs, PW_ARRAY_SIZE(evs), &found);

	cr_assert_str_eq(out,
		"11 cc -c a.c  exited 1\n"
		"    cwd:   '/w/a b'\n"
		"    from:  10 make\n"
		"    reproduce: cd '/w/a b' && env -i HOME=/h PATH=/usr/local/bin:/usr/bin:/bin "
		"'CC=gcc -O2' 'X=~/x' cc -c a.c\n"
		"12 (make)  exited 127\n"
		"    exec:  /x/nope: nope failed: ENOENT\n"
		"    cwd:   /w\n"
		"    from:  10 make\n"
		"    reproduce: cd /w && env -i HOME=/h PATH=/usr/local/bin:/usr/bin:/bin /x/nope\n"
		"    differs: argv[0] was nope\n"
		"10 make  exited 2\n"
		"    cwd:   /w\n"
		"    reproduce: cd /w && env -i HOME=/h PATH=/usr/local/bin:/usr/bin:/bin "
		"'CC=gcc -O2' 'X=~/x' make\n"
		"3 failed processes\n");
	free(out);
}

/*
 * What env(1) cannot pass is left out and named: an entry without '=', a
 * name's second entry; "--" ends env's options before an entry that
 * starts with '-'; a relative path without '/' gets "./".  Without a PATH
 * the search is glibc's default.
 */
Test(sink_failed, reproduce_differs)
{
	static struct pw_bytes odd_env[] = {
		EV_BYTES("-DASH=1"), EV_BYTES("BARE"), EV_BYTES("A=1"), EV_BYTES("A=2"),
		EV_BYTES("Z=\xff\n"),
	};
	static struct pw_bytes true_argv[] = { EV_BYTES("true"), EV_BYTES("x") };
	static struct pw_bytes prog_argv[] = { EV_BYTES("prog") };
	char *start_argv[] = { "true", NULL };
	const struct pw_event evs[] = {
		ev_start(0, 10, start_argv, 1),
		with_env(ev_exec(0, 10, "/usr/bin/true", true_argv, 2, "/w", 0), odd_env, 5),
		ev_fork(0, 10, 11),
		with_env(ev_exec(0, 11, "prog", prog_argv, 1, NULL, 0), env_std, 0),
		ev_exited(0, 11, 11, 1),
		ev_exited(0, 10, 10, 1),
	};
	bool found;
	char *out = run_failed(evs, PW_ARRAY_SIZE(evs), &found);

	cr_assert_str_eq(out,
		"11 prog  exited 1\n"
		"    cwd:   /w\n"
		"    from:  10 true x\n"
		"    reproduce: env -i ./prog\n"
		"    differs: argv[0] was prog; the working directory is unknown\n"
		"10 true x  exited 1\n"
		"    cwd:   /w\n"
		"    reproduce: cd /w && env -i -- -DASH=1 A=1 $'Z=\\xff\\n' true x\n"
		"    differs: left out BARE (no '='), a second A\n"
		"2 failed processes\n");
	free(out);
}

/* No line that would run something else: why there is none instead. */
Test(sink_failed, reproduce_none)
{
	static struct pw_bytes eq_argv[] = { EV_BYTES("a=b") };
	char *start_argv[] = { "make", NULL };
	struct pw_event cut = with_env(ev_exec(0, 11, "/usr/bin/cc", cc_argv, 3, "/w", 0),
				       env_std, 4);
	struct pw_event lost = ev_exec(0, 12, "/usr/bin/cc", cc_argv, 3, "/w", 0);
	struct pw_event eq = with_env(ev_exec(0, 13, "/w/a=b", eq_argv, 1, "/w", 0), env_std, 4);
	struct pw_event change = with_env(ev_exec(0, 14, "/usr/bin/cc", cc_argv, 3, "/w", 0),
					  env_std, 1);
	const struct pw_event *evs[] = { &cut, &lost, &eq, &change };
	struct pw_event all[20];
	size_t n = 0;
	bool found;
	char *out;

	cut.u.exec.env.truncated = true;
	change.u.exec.env.whole = false;	/* a change its base does not give */
	all[n++] = ev_start(0, 10, start_argv, 1);
	all[n++] = with_env(ev_exec(0, 10, "/usr/bin/make", make_argv, 1, "/w", 0), env_std, 4);
	for (size_t i = 0; i < PW_ARRAY_SIZE(evs); i++) {
		all[n++] = ev_fork(0, 10, evs[i]->pid);
		all[n++] = *evs[i];
		all[n++] = ev_exited(0, evs[i]->pid, evs[i]->pid, 1);
	}
	/* Found running: a change without a base. */
	all[n++] = ev_attach(0, 15, 10, NULL, 0, (pid_t[]){ 15 }, 1, 0);
	all[n] = change;
	all[n].pid = all[n].tid = 15;
	n++;
	all[n++] = ev_exited(0, 15, 15, 1);
	out = run_failed(all, n, &found);
	cr_assert(strstr(out, "11 cc -c a.c  exited 1\n    cwd:   /w\n    from:  10 make\n"
			 "    reproduce: none: the environment was not read whole\n"), "%s", out);
	cr_assert(strstr(out, "12 cc -c a.c  exited 1\n    cwd:   /w\n    from:  10 make\n"
			 "    reproduce: none: the trace has no environment for this exec\n"));
	cr_assert(strstr(out, "    reproduce: none: the command's name has a '=', which "
			 "env(1) would take for a variable\n"));
	cr_assert(strstr(out, "14 cc -c a.c  exited 1\n    cwd:   /w\n    from:  10 make\n"
			 "    reproduce: none: the trace's changes of environment do not "
			 "rebuild it (a damaged trace)\n"), "%s", out);
	cr_assert(strstr(out, "15 cc -c a.c  exited 1  (attached after it had run 0µs; "
			 "lived 0µs)\n    cwd:   /w\n    from:  10 make\n"
			 "    reproduce: none: the trace has no environment for this exec\n"), "%s", out);
	free(out);
}

/*
 * One whole environment in the trace, printed by many failures: past
 * 4 MiB and 16 times the environment bytes the trace held, the lines are
 * left out, so that the output stays bounded by the trace.
 */
Test(sink_failed, reproduce_output_bounded_by_the_trace)
{
	enum { BIG = 100000, KIDS = 100 };
	char *big = malloc(BIG + 3), *start_argv[] = { "make", NULL };
	struct pw_bytes env[1];
	struct pw_event *evs = calloc(3 * KIDS + 3, sizeof(*evs));
	size_t n = 0, lines = 0, left = 0;
	bool found;
	char *out, *at;

	memcpy(big, "B=", 2);
	memset(big + 2, 'x', BIG);
	big[BIG + 2] = '\0';
	env[0] = (struct pw_bytes){ big, BIG + 2, 0 };
	evs[n++] = ev_start(0, 10, start_argv, 1);
	evs[n++] = with_env(ev_exec(0, 10, "/usr/bin/make", make_argv, 1, "/w", 0), env, 1);
	for (pid_t k = 11; k < 11 + KIDS; k++) {
		evs[n++] = ev_fork(0, 10, k);
		/* The child passes make's environment on unchanged: an empty change. */
		evs[n] = ev_exec(0, k, "/usr/bin/cc", cc_argv, 3, "/w", 0);
		evs[n++].u.exec.env = (struct pw_env){ .recorded = true,
			.check = pw_env_check(&(struct pw_env_list){ env, 1 }) };
		evs[n++] = ev_exited(0, k, k, 1);
	}
	/* make ends well: a trace cut while it ran would make it a failure too. */
	evs[n++] = ev_exited(0, 10, 10, 0);
	out = run_failed(evs, n, &found);
	for (at = out; (at = strstr(at, "reproduce: cd")); at++)
		lines++;
	for (at = out; (at = strstr(at, "reproduce: left out")); at++)
		left++;
	cr_assert_eq(lines + left, KIDS);
	/* (4 MiB + 16 * 100 002 bytes) / 100 002 bytes a line: 58 lines. */
	cr_assert_eq(lines, 58, "%zu lines", lines);
	free(out);
	free(evs);
	free(big);
}
