/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the replay reader.  Round trips: events of every kind built
 * by hand go through the JSON sink, are read back, and must write the very
 * same bytes again (every key the format has is compared that way), with
 * the fields that matter checked one by one as well; and the timeline of
 * replayed events must equal the timeline of the events fed directly, which
 * is the promise `procwatch show` makes.  Damage: each corrupt input gives
 * its FILE:LINE message, the right status, and never a crash.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "procwatch/base.h"
#include "procwatch/decode.h"
#include "procwatch/replay.h"
#include "procwatch/sink.h"

#define CLONE_INTO_CGROUP_BIT (1ULL << 33)

static char *start_argv[] = { "sh", "-c", "x\xff", NULL };
static struct pw_bytes argv1[] = {
	{ .data = "printf", .len = 6 },
	{ .data = "a\nb\x1b", .len = 4 },
	{ .data = "\xff\xfe", .len = 2 },
	{ .data = NULL, .err = EFAULT },
};
static struct pw_fd fds1[] = {
	{ .fd = 3, .target = { .data = "pipe:[12]", .len = 9 } },
	{ .fd = 7, .target = { .data = "/tmp/\xe9", .len = 6 } },
};

/* One event of every kind and most shapes: what the tracer can produce. */
static const struct pw_event events[] = {
	{ .kind = PW_EV_START, .time_us = 5, .pid = 100, .tid = 100,
	  .u.start = { .argv = start_argv, .argc = 3, .seccomp = true, .version = "0.1.0" } },
	{ .kind = PW_EV_EXEC, .time_us = 20, .pid = 100, .tid = 100,
	  .u.exec = { .call = PW_CALL_EXECVE, .path = { .data = "/bin/sh", .len = 7 },
		      .argv = argv1, .argc = 4, .argv_truncated = true,
		      .cwd = { .data = "/w", .len = 2 }, .exe = { .data = "/bin/dash", .len = 9 },
		      .fds = fds1, .nfds = 2, .fds_truncated = true } },
	{ .kind = PW_EV_EXEC, .time_us = 21, .pid = 100, .tid = 101,
	  .u.exec = { .call = PW_CALL_EXECVEAT, .dirfd = 4, .at_flags = AT_EMPTY_PATH | 0x4000,
		      .path = { .data = NULL, .err = EFAULT }, .argv_err = EFAULT,
		      .result = -ENOENT, .old_tid = 101 } },
	{ .kind = PW_EV_SPAWN, .time_us = 1000001, .pid = 100, .tid = 100,
	  .u.spawn = { .call = PW_CALL_CLONE3,
		       .flags = CLONE_VM | CLONE_VFORK | CLONE_INTO_CGROUP_BIT | (1ULL << 40),
		       .exit_signal = SIGCHLD, .kind = PW_SPAWN_POSIX_SPAWN, .child = 102,
		       .parent = 100, .result = 102, .args_size = 88, .args_tail_nonzero = true,
		       .args_unreadable = true, .cgroup = 7, .set_tid_size = 2, .set_tid = { 102, 5 } } },
	{ .kind = PW_EV_SPAWN, .time_us = 1000002, .pid = 100, .tid = 100,
	  .u.spawn = { .call = PW_CALL_CLONE, .flags = CLONE_PARENT, .kind = PW_SPAWN_CLONE,
		       .parent = 99, .result = -EAGAIN } },
	{ .kind = PW_EV_SPAWN, .time_us = 1000003, .pid = 100, .tid = 100,
	  .u.spawn = { .call = PW_CALL_FORK, .exit_signal = 40, .kind = PW_SPAWN_FORK,
		       .child = 103, .parent = 100, .result = 103 } },
	{ .kind = PW_EV_WAIT, .time_us = 3000000, .pid = 100, .tid = 100,
	  .u.wait = { .call = PW_CALL_WAIT4, .target = -1, .options = WNOHANG | __WALL,
		      .result = 102, .status = { .kind = PW_STATUS_KILLED, .signal = SIGSEGV, .core = true } } },
	{ .kind = PW_EV_WAIT, .time_us = 3000001, .pid = 100, .tid = 100,
	  .u.wait = { .call = PW_CALL_WAITID, .idtype = P_PID, .target = 103,
		      .options = WEXITED | WSTOPPED, .result = 103,
		      .status = { .kind = PW_STATUS_STOPPED, .signal = SIGTSTP } } },
	{ .kind = PW_EV_WAIT, .time_us = 3000002, .pid = 100, .tid = 100,
	  .u.wait = { .call = PW_CALL_WAITID, .idtype = 9, .target = 0,
		      .result = 103, .status = { .kind = PW_STATUS_CONTINUED } } },
	{ .kind = PW_EV_WAIT, .time_us = 3000003, .pid = 100, .tid = 100,
	  .u.wait = { .call = PW_CALL_WAITID, .idtype = P_ALL,
		      .result = 103, .status = { .kind = PW_STATUS_TRAPPED, .signal = SIGTRAP } } },
	{ .kind = PW_EV_WAIT, .time_us = 3000004, .pid = 100, .tid = 100,
	  .u.wait = { .call = PW_CALL_WAIT4, .target = -7, .result = -ECHILD } },
	{ .kind = PW_EV_SIGNAL, .time_us = 3000005, .pid = 103, .tid = 103,
	  .u.signal = { .signal = 36, .sender = 100, .code = -6 } },
	{ .kind = PW_EV_SIGNAL, .time_us = 3000006, .pid = 103, .tid = 103,
	  .u.signal = { .signal = SIGCHLD, .code = 1 } },
	{ .kind = PW_EV_EXIT, .time_us = 3000007, .pid = 103, .tid = 104,
	  .u.exit = { .thread = true, .status = { .kind = PW_STATUS_EXITED, .code = 3 },
		      .call = PW_CALL_EXIT } },
	{ .kind = PW_EV_EXIT, .time_us = 3000008, .pid = 103, .tid = 103,
	  .u.exit = { .status = { .kind = PW_STATUS_KILLED, .signal = SIGKILL } } },
	{ .kind = PW_EV_EXIT, .time_us = 3000009, .pid = 100, .tid = 100,
	  .u.exit = { .status = { .kind = PW_STATUS_EXITED, .code = 0 },
		      .call = PW_CALL_EXIT_GROUP,
		      .usage = { .known = PW_USAGE_USER | PW_USAGE_SYSTEM | PW_USAGE_PEAK_RSS,
				 .user_us = 912345, .system_us = 12000, .peak_rss_kib = 46080 } } },
	{ .kind = PW_EV_END, .time_us = 4000000, .pid = 100, .tid = 100,
	  .u.end = { .status = { .kind = PW_STATUS_EXITED, .code = 0 }, .lost = 2 } },
};
#define NEVENTS (PW_ARRAY_SIZE(events))

/* The events through the sink made by make (NULL: the JSON sink) into a string. */
static char *
render(const struct pw_event *evs, size_t n, bool timeline)
{
	struct pw_view_opts vo = { .time = PW_TIME_NONE, .warnings = true, .summary = true };
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);
	struct pw_sink *s;

	cr_assert_not_null(f);
	s = timeline ? pw_format_sink(pw_format_find("timeline"), f, &vo) : pw_sink_json_new(f);
	cr_assert_not_null(s);
	for (i = 0; i < n; i++)
		cr_assert_eq(pw_sink_event(s, &evs[i]), 0);
	cr_assert_eq(pw_sink_close(s), 0);
	fclose(f);
	return buf;
}

struct replayed {
	struct pw_event ev[64];
	size_t n;
	enum pw_replay_status last;
	unsigned long damaged;
	char *err;
	struct pw_replay *r;
};

/* Reads text as the file "t.jsonl"; messages land in out->err. */
static void
replay(const char *text, size_t len, struct replayed *out)
{
	FILE *in = fmemopen((void *)text, len, "r");
	size_t errlen = 0;
	FILE *err = open_memstream(&out->err, &errlen);

	cr_assert(len == 0 || in);
	if (len == 0)
		in = fopen("/dev/null", "r");
	out->n = 0;
	out->r = pw_replay_new(in, "t.jsonl", err);
	cr_assert_not_null(out->r);
	while ((out->last = pw_replay_next(out->r, &out->ev[out->n])) == PW_REPLAY_EVENT) {
		out->n++;
		cr_assert_lt(out->n, 64);
	}
	out->damaged = pw_replay_damaged(out->r);
	fclose(err);
	fclose(in);
}

static void
replayed_free(struct replayed *rp)
{
	for (size_t i = 0; i < rp->n; i++)
		pw_event_clear(&rp->ev[i]);
	pw_replay_free(rp->r);
	free(rp->err);
}

Test(replay, every_kind_round_trips_byte_for_byte)
{
	char *json = render(events, NEVENTS, false), *again;
	struct replayed rp;

	replay(json, strlen(json), &rp);
	cr_assert_str_eq(rp.err, "");
	cr_assert_eq(rp.last, PW_REPLAY_EOF);
	cr_assert_eq(rp.n, NEVENTS);
	again = render(rp.ev, rp.n, false);
	cr_assert_str_eq(again, json);
	free(again);
	free(json);
	replayed_free(&rp);
}

Test(replay, fields_come_back_exactly)
{
	char *json = render(events, NEVENTS, false);
	struct replayed rp;
	const struct pw_exec *ex;

	replay(json, strlen(json), &rp);
	cr_assert_str_eq(rp.ev[0].u.start.argv[2], "x\xff");
	cr_assert_str_eq(rp.ev[0].u.start.version, "0.1.0");
	ex = &rp.ev[1].u.exec;
	cr_assert_eq(ex->argc, 4);
	cr_assert_eq(ex->argv[1].len, 4);
	cr_assert_eq(memcmp(ex->argv[2].data, "\xff\xfe", 3), 0);
	cr_assert_null(ex->argv[3].data);
	cr_assert_eq(ex->argv[3].err, EFAULT);
	cr_assert_eq(memcmp(ex->fds[1].target.data, "/tmp/\xe9", 7), 0);
	cr_assert_eq(rp.ev[2].u.exec.at_flags, AT_EMPTY_PATH | 0x4000);
	cr_assert_eq(rp.ev[2].u.exec.result, -ENOENT);
	cr_assert_eq(rp.ev[3].u.spawn.flags, events[3].u.spawn.flags);
	cr_assert_eq(rp.ev[3].time_us, 1000001);
	cr_assert_eq(rp.ev[5].u.spawn.exit_signal, 40);
	cr_assert_eq(rp.ev[6].u.wait.options, WNOHANG | __WALL);
	cr_assert_eq(rp.ev[7].u.wait.idtype, P_PID);
	cr_assert_eq(rp.ev[8].u.wait.idtype, 9);
	cr_assert_eq(rp.ev[11].u.signal.signal, 36);
	cr_assert_eq(rp.ev[16].u.end.lost, 2);
	free(json);
	replayed_free(&rp);
}

/*
 * What `procwatch show` promises: events written as JSON and read back
 * give the very timeline the live events gave.  Returns that timeline.
 */
static char *
assert_timeline_round_trip(const struct pw_event *evs, size_t n)
{
	char *json = render(evs, n, false);
	char *live = render(evs, n, true), *shown;
	struct replayed rp;

	replay(json, strlen(json), &rp);
	shown = render(rp.ev, rp.n, true);
	cr_assert_str_eq(shown, live);
	free(shown);
	free(json);
	replayed_free(&rp);
	return live;
}

Test(replay, timeline_of_replay_equals_timeline_of_events)
{
	free(assert_timeline_round_trip(events, NEVENTS));
}

#define START "{\"v\":1,\"t\":0.000001,\"event\":\"start\",\"pid\":1,\"tid\":1,\"argv\":[\"x\"],\"mode\":\"launch\",\"seccomp\":true,\"version\":\"0.1.0\"}\n"
#define EXIT0 "{\"t\":0.5,\"event\":\"exit\",\"pid\":1,\"tid\":1,\"thread\":false,\"code\":0}\n"
#define HEADER "{\"v\":1,\"t\":0.000001,\"event\":\"trace\",\"pid\":0,\"tid\":0,\"procwatch\":\"0.1.0\",\"wall_clock_us\":1700000000000000,\"hostname\":\"h\",\"kernel\":\"6.1\",\"cwd\":\"/\",\"mode\":\"launch\",\"argv\":[\"x\"],\"options\":{\"seccomp\":true,\"stack\":0}}\n"
#define END "{\"t\":1.0,\"event\":\"end\",\"pid\":1,\"tid\":1,\"status\":{\"kind\":\"exited\",\"code\":0},\"lost\":0}\n"

struct damage_case {
	const char *text;
	enum pw_replay_status last;
	size_t events;
	unsigned long damaged;
	const char *message;	/* all of standard error */
};

/* pw_replay_problem(): the first message said, with its hint; NULL for none. */
static void
check_problem(const struct replayed *rp, const struct damage_case *dc)
{
	const char *hint, *problem = pw_replay_problem(rp->r, &hint);
	char first[2048];

	if (!dc->message[0]) {
		cr_expect_null(problem, "for %s", dc->text);
		return;
	}
	cr_assert_not_null(problem, "for %s", dc->text);
	snprintf(first, sizeof(first), "procwatch: %s\n%s%s", problem, hint ? hint : "",
		 hint ? "\n" : "");
	cr_expect_eq(strncmp(dc->message, first, strlen(first)), 0,
		     "first message of %s: %s", dc->text, first);
}

static void
check_damage(const struct damage_case *dc)
{
	struct replayed rp;

	replay(dc->text, strlen(dc->text), &rp);
	cr_expect_eq(rp.last, dc->last, "status for %s", dc->text);
	cr_expect_eq(rp.n, dc->events, "events for %s", dc->text);
	cr_expect_eq(rp.damaged, dc->damaged, "damage for %s", dc->text);
	cr_expect_str_eq(rp.err, dc->message, "for %s", dc->text);
	check_problem(&rp, dc);
	replayed_free(&rp);
}

/* Every "not a trace" says what a trace is: a saved view is the usual mistake. */
#define NOT_TRACE_HINT "A trace is what 'procwatch --json -o FILE.jsonl COMMAND' records.\n"

Test(replay, not_a_trace)
{
	static const struct damage_case cases[] = {
		{ "", PW_REPLAY_NOT_TRACE, 0, 0,
		  "procwatch: t.jsonl: empty file, not a procwatch trace\n" NOT_TRACE_HINT },
		{ "\n\n", PW_REPLAY_NOT_TRACE, 0, 0,
		  "procwatch: t.jsonl: empty file, not a procwatch trace\n" NOT_TRACE_HINT },
		{ "hello\n" END, PW_REPLAY_NOT_TRACE, 0, 0,
		  "procwatch: t.jsonl:1: not a procwatch trace (the first line is not a JSON object)\n" NOT_TRACE_HINT },
		{ "[1]\n", PW_REPLAY_NOT_TRACE, 0, 0,
		  "procwatch: t.jsonl:1: not a procwatch trace (the first line is not a JSON object)\n" NOT_TRACE_HINT },
		{ END, PW_REPLAY_NOT_TRACE, 0, 0,
		  "procwatch: t.jsonl:1: not a procwatch trace (the first line is not a trace header or start event)\n" NOT_TRACE_HINT },
		{ "{\"v\":2,\"event\":\"start\"}\n", PW_REPLAY_NOT_TRACE, 0, 0,
		  "procwatch: t.jsonl:1: trace format version 2 was written by a newer procwatch (this one reads version 1)\n" },
		{ "{\"v\":1,\"event\":\"start\",\"t\":0}\n", PW_REPLAY_NOT_TRACE, 0, 0,
		  "procwatch: t.jsonl:1: not a procwatch trace (missing key \"pid\")\n" NOT_TRACE_HINT },
	};

	for (size_t i = 0; i < PW_ARRAY_SIZE(cases); i++)
		check_damage(&cases[i]);
}

Test(replay, damaged_lines_are_skipped_and_named)
{
	static const struct damage_case cases[] = {
		{ START EXIT0 END, PW_REPLAY_EOF, 3, 0, "" },
		/* The header first; a trace without one (older) reads as well. */
		{ HEADER START EXIT0 END, PW_REPLAY_EOF, 4, 0, "" },
		{ HEADER EXIT0 END, PW_REPLAY_EOF, 3, 0, "" },
		{ HEADER START HEADER EXIT0 END, PW_REPLAY_EOF, 4, 1,
		  "procwatch: t.jsonl:3: line skipped: a trace header after the first line\n" },
		{ START HEADER EXIT0 END, PW_REPLAY_EOF, 3, 1,
		  "procwatch: t.jsonl:2: line skipped: a trace header after the first line\n" },
		{ HEADER START START EXIT0 END, PW_REPLAY_EOF, 4, 1,
		  "procwatch: t.jsonl:3: line skipped: a second start event\n" },
		/* The job was killed: a cut-off last line and no end event only warn. */
		{ START EXIT0 "{\"t\":1.0,\"ev", PW_REPLAY_EOF, 2, 0,
		  "procwatch: t.jsonl:3: the last line is cut off (was the traced job killed?)\n"
		  "procwatch: t.jsonl:3: the trace stops without an end event (was the traced job killed?)\n" },
		{ START, PW_REPLAY_EOF, 1, 0,
		  "procwatch: t.jsonl:1: the trace stops without an end event (was the traced job killed?)\n" },
		{ START "{oops}\n" EXIT0 END, PW_REPLAY_EOF, 3, 1,
		  "procwatch: t.jsonl:2: not valid JSON, line skipped (string or '}' expected near 'oops')\n" },
		{ START "{\"t\":1,\"event\":\"exit\",\"pid\":1,\"tid\":1}\n" END, PW_REPLAY_EOF, 2, 1,
		  "procwatch: t.jsonl:2: line skipped: missing key \"thread\"\n" },
		{ START "{\"t\":1,\"event\":\"exit\",\"pid\":\"1\",\"tid\":1,\"thread\":false}\n" END,
		  PW_REPLAY_EOF, 2, 1,
		  "procwatch: t.jsonl:2: line skipped: key \"pid\" is not an integer\n" },
		{ START "{\"t\":-1,\"event\":\"exit\",\"pid\":1,\"tid\":1,\"thread\":false}\n" END,
		  PW_REPLAY_EOF, 2, 1, "procwatch: t.jsonl:2: line skipped: key \"t\" is out of range\n" },
		{ START "{\"t\":1,\"event\":\"signal\",\"pid\":1,\"tid\":1,\"signal\":\"SIGNOPE\"}\n" END,
		  PW_REPLAY_EOF, 2, 1,
		  "procwatch: t.jsonl:2: line skipped: key \"signal\": unknown signal \"SIGNOPE\"\n" },
		{ START "{\"t\":1,\"event\":\"exec\",\"pid\":1,\"tid\":1,\"call\":\"execve\",\"path\":{\"text\":\"x\",\"hex\":\"f\"},\"argv\":[],\"result\":0}\n" END,
		  PW_REPLAY_EOF, 2, 1,
		  "procwatch: t.jsonl:2: line skipped: key \"path\": odd number of hex digits in a byte string\n" },
		{ START "{\"t\":1,\"event\":\"exec\",\"pid\":1,\"tid\":1,\"call\":\"execve\",\"path\":\"/x\",\"argv\":[\"a\",{\"hex\":\"00\"}],\"result\":0}\n" END,
		  PW_REPLAY_EOF, 2, 1,
		  "procwatch: t.jsonl:2: line skipped: bad hex digits in a byte string\n" },
		{ START "{\"t\":1,\"event\":\"spawn\",\"pid\":1,\"tid\":1,\"call\":\"fork\",\"flags\":[\"CLONE_NOPE\"],\"exit_signal\":null,\"kind\":\"fork\",\"thread\":false,\"parent\":1,\"result\":2}\n" END,
		  PW_REPLAY_EOF, 2, 1,
		  "procwatch: t.jsonl:2: line skipped: key \"flags\": unknown flag \"CLONE_NOPE\"\n" },
		{ START "{\"t\":1,\"event\":\"wait\",\"pid\":1,\"tid\":1,\"call\":\"waitid\",\"target\":3,\"options\":[],\"result\":0}\n" END,
		  PW_REPLAY_EOF, 2, 1,
		  "procwatch: t.jsonl:2: line skipped: waitid's \"target\" is not an object\n" },
		{ START START END, PW_REPLAY_EOF, 2, 1,
		  "procwatch: t.jsonl:2: line skipped: a second start event\n" },
		{ START "{\"t\":1,\"event\":\"exit\",\"pid\":1,\"tid\":1,\"thread\":false,\"code\":0,\"usage\":{\"user_us\":-1}}\n" END,
		  PW_REPLAY_EOF, 2, 1,
		  "procwatch: t.jsonl:2: line skipped: key \"user_us\" is out of range\n" },
		{ START "{\"t\":1,\"event\":\"exit\",\"pid\":1,\"tid\":1,\"thread\":false,\"code\":0,\"usage\":{\"peak_rss_kib\":\"9\"}}\n" END,
		  PW_REPLAY_EOF, 2, 1,
		  "procwatch: t.jsonl:2: line skipped: key \"peak_rss_kib\" is not an integer\n" },
		{ START "{\"t\":1,\"event\":\"exit\",\"pid\":1,\"tid\":1,\"thread\":false,\"code\":0,\"usage\":[1]}\n" END,
		  PW_REPLAY_EOF, 2, 1,
		  "procwatch: t.jsonl:2: line skipped: key \"usage\" is not an object\n" },
		/* The writer writes the count unsigned; -1 is no count it writes. */
		{ START "{\"t\":1,\"event\":\"end\",\"pid\":1,\"tid\":1,\"status\":null,\"lost\":-1}\n",
		  PW_REPLAY_EOF, 1, 1,
		  "procwatch: t.jsonl:2: line skipped: key \"lost\" is out of range\n"
		  "procwatch: t.jsonl:2: the trace stops without an end event (was the traced job killed?)\n" },
	};

	for (size_t i = 0; i < PW_ARRAY_SIZE(cases); i++)
		check_damage(&cases[i]);
}

/* Without an error stream the reader says nothing, and keeps what it would have said. */
Test(replay, a_reader_without_err_keeps_its_first_problem)
{
	static const char text[] = START "{oops}\n" EXIT0;
	FILE *in = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct pw_replay *r = pw_replay_new(in, "t.jsonl", NULL);
	struct pw_event ev;
	const char *hint;

	cr_assert_not_null(r);
	while (pw_replay_next(r, &ev) == PW_REPLAY_EVENT)
		pw_event_clear(&ev);
	cr_assert_str_eq(pw_replay_problem(r, &hint),
			 "t.jsonl:2: not valid JSON, line skipped (string or '}' expected near 'oops')");
	cr_assert_null(hint);
	pw_replay_free(r);
	fclose(in);
}

/* Later versions may add kinds and keys: readers skip them silently. */
Test(replay, unknown_kinds_and_keys_are_ignored)
{
	static const struct damage_case c = {
		START "{\"t\":0.2,\"event\":\"mmap\",\"pid\":1,\"tid\":1}\n"
		"{\"t\":0.5,\"event\":\"exit\",\"pid\":1,\"tid\":1,\"thread\":false,\"code\":0,\"rusage\":{\"x\":1}}\n"
		"\n" END,
		PW_REPLAY_EOF, 3, 0, "",
	};

	check_damage(&c);
}

/*
 * An exit's resource use: what was not read is null, an older trace has
 * no "usage" at all, and a reader takes an absent member as unknown too.
 */
Test(replay, usage_unknown_members_are_null_or_absent)
{
	static const char text[] = START
		"{\"t\":0.1,\"event\":\"exit\",\"pid\":2,\"tid\":2,\"thread\":false,\"code\":0,"
		"\"usage\":{\"user_us\":7,\"system_us\":0,\"peak_rss_kib\":null}}\n"
		"{\"t\":0.2,\"event\":\"exit\",\"pid\":3,\"tid\":3,\"thread\":false,\"code\":0,"
		"\"usage\":{\"peak_rss_kib\":812}}\n"
		"{\"t\":0.3,\"event\":\"exit\",\"pid\":4,\"tid\":4,\"thread\":false,\"code\":0,"
		"\"usage\":null}\n"
		EXIT0 END;
	struct replayed rp;

	replay(text, strlen(text), &rp);
	cr_assert_eq(rp.n, 6, "%s", rp.err);
	cr_expect_eq(rp.ev[1].u.exit.usage.known, PW_USAGE_USER | PW_USAGE_SYSTEM);
	cr_expect_eq(rp.ev[1].u.exit.usage.user_us, 7);
	cr_expect_eq(rp.ev[1].u.exit.usage.system_us, 0);
	cr_expect_eq(rp.ev[2].u.exit.usage.known, PW_USAGE_PEAK_RSS);
	cr_expect_eq(rp.ev[2].u.exit.usage.peak_rss_kib, 812);
	cr_expect_eq(rp.ev[3].u.exit.usage.known, 0);
	cr_expect_eq(rp.ev[4].u.exit.usage.known, 0);
	replayed_free(&rp);
}

/* Every prefix of a real trace: never a crash, never a leak (ASan). */
Test(replay, every_prefix_is_survived)
{
	char *json = render(events, NEVENTS, false);
	struct replayed rp;
	size_t len;

	for (len = 1; len < strlen(json); len += 7) {
		replay(json, len, &rp);
		cr_assert_neq(rp.last, PW_REPLAY_EVENT);
		replayed_free(&rp);
	}
	free(json);
}

/* -k stacks: every shape a frame can take, empty stacks, notes. */
static struct pw_frame frames3[] = {
	{ .ip = 0x55555555521a, .off = 0x1a, .fn = "f2", .obj = "/tmp/pw_stack" },
	{ .ip = 0x7f0012340139, .off = 0x1139, .fn = NULL, .obj = "/tmp/pw_stack.stripped" },
	{ .ip = 0xffffffffff600000, .off = 0, .fn = "jit\xff\xfe", .obj = NULL },
};
static struct pw_bytes true_argv[] = { { .data = "true", .len = 4 } };

static const struct pw_event stack_events[] = {
	{ .kind = PW_EV_START, .time_us = 1, .pid = 10, .tid = 10,
	  .u.start = { .argv = start_argv, .argc = 3, .seccomp = true, .version = "0.1.0" } },
	{ .kind = PW_EV_SPAWN, .time_us = 2, .pid = 10, .tid = 10,
	  .u.spawn = { .call = PW_CALL_VFORK, .flags = CLONE_VM | CLONE_VFORK,
		       .exit_signal = SIGCHLD, .kind = PW_SPAWN_VFORK, .child = 11,
		       .parent = 10, .result = 11,
		       .stack = { .requested = true, .frames = frames3, .nframes = 3,
				  .note = "deeper than 3 frames" } } },
	{ .kind = PW_EV_EXEC, .time_us = 3, .pid = 11, .tid = 11,
	  .u.exec = { .call = PW_CALL_EXECVE, .path = { .data = "/nope/true", .len = 10 },
		      .argv = true_argv, .argc = 1, .result = -ENOENT,
		      .stack = { .requested = true, .frames = frames3 + 1, .nframes = 2 } } },
	{ .kind = PW_EV_EXEC, .time_us = 4, .pid = 11, .tid = 11,
	  .u.exec = { .call = PW_CALL_EXECVE, .path = { .data = "/bin/true", .len = 9 },
		      .argv = true_argv, .argc = 1,
		      .stack = { .requested = true, .note = "the task died while being unwound" } } },
	{ .kind = PW_EV_SPAWN, .time_us = 5, .pid = 10, .tid = 10,
	  .u.spawn = { .call = PW_CALL_CLONE3, .kind = PW_SPAWN_FORK, .exit_signal = SIGCHLD,
		       .child = 12, .parent = 10, .result = 12, .args_size = 88,
		       .stack = { .requested = true } } },
	{ .kind = PW_EV_SPAWN, .time_us = 6, .pid = 10, .tid = 10,
	  .u.spawn = { .call = PW_CALL_FORK, .kind = PW_SPAWN_FORK, .exit_signal = SIGCHLD,
		       .child = 13, .parent = 10, .result = 13 } },
	{ .kind = PW_EV_END, .time_us = 7, .pid = 10, .tid = 10,
	  .u.end = { .status = { .kind = PW_STATUS_EXITED } } },
};
#define NSTACK_EVENTS (PW_ARRAY_SIZE(stack_events))

static void
assert_str_or_null_eq(const char *got, const char *want)
{
	if (!want)
		cr_assert_null(got, "got \"%s\"", got);
	else
		cr_assert_str_eq(got, want);
}

static void
assert_stack_eq(const struct pw_stack *got, const struct pw_stack *want)
{
	cr_assert_eq(got->requested, want->requested);
	cr_assert_eq(got->nframes, want->nframes);
	for (size_t i = 0; i < want->nframes; i++) {
		cr_assert_eq(got->frames[i].ip, want->frames[i].ip, "frame %zu", i);
		cr_assert_eq(got->frames[i].off, want->frames[i].off, "frame %zu", i);
		assert_str_or_null_eq(got->frames[i].fn, want->frames[i].fn);
		assert_str_or_null_eq(got->frames[i].obj, want->frames[i].obj);
	}
	assert_str_or_null_eq(got->note, want->note);
}

Test(replay, stacks_round_trip_byte_for_byte)
{
	char *json = render(stack_events, NSTACK_EVENTS, false), *again;
	struct replayed rp;

	replay(json, strlen(json), &rp);
	cr_assert_str_eq(rp.err, "");
	cr_assert_eq(rp.n, NSTACK_EVENTS);
	assert_stack_eq(&rp.ev[1].u.spawn.stack, &stack_events[1].u.spawn.stack);
	assert_stack_eq(&rp.ev[2].u.exec.stack, &stack_events[2].u.exec.stack);
	assert_stack_eq(&rp.ev[3].u.exec.stack, &stack_events[3].u.exec.stack);
	assert_stack_eq(&rp.ev[4].u.spawn.stack, &stack_events[4].u.spawn.stack);
	/* An empty "stack" still says a stack was asked for; none, that none was. */
	cr_assert(rp.ev[4].u.spawn.stack.requested);
	cr_assert_not(rp.ev[5].u.spawn.stack.requested);
	again = render(rp.ev, rp.n, false);
	cr_assert_str_eq(again, json);
	free(again);
	free(json);
	replayed_free(&rp);
}

Test(replay, timeline_with_stacks_of_replay_equals_live)
{
	char *live = assert_timeline_round_trip(stack_events, NSTACK_EVENTS);

	cr_assert_not_null(strstr(live, "at f2+0x1a (pw_stack)\n"), "%s", live);
	free(live);
}

#define SPAWN_PRE "{\"t\":1,\"event\":\"spawn\",\"pid\":1,\"tid\":1,\"call\":\"fork\",\"flags\":[],\"exit_signal\":\"SIGCHLD\",\"kind\":\"fork\",\"thread\":false,\"parent\":1,\"result\":2,\"child\":2"
#define FRAME_OK "{\"fn\":\"f\",\"off\":1,\"obj\":\"/o\",\"ip\":\"0x10\"}"
#define STACK_DAMAGE(keys, why) \
	{ START SPAWN_PRE "," keys "}\n" END, PW_REPLAY_EOF, 2, 1, \
	  "procwatch: t.jsonl:2: line skipped: " why "\n" }

/* Text of a stack of n copies of FRAME_OK. */
static char *
stack_of(size_t n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	fputs(START SPAWN_PRE ",\"stack\":[", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s" FRAME_OK, i ? "," : "");
	fputs("]}\n" END, f);
	fclose(f);
	return text;
}

Test(replay, damaged_stacks_are_skipped_and_named)
{
	static const struct damage_case cases[] = {
		{ START SPAWN_PRE ",\"stack\":[" FRAME_OK "],\"stack_note\":\"n\"}\n" END,
		  PW_REPLAY_EOF, 3, 0, "" },
		STACK_DAMAGE("\"stack\":{}", "key \"stack\" is not an array of at most 256 frames"),
		STACK_DAMAGE("\"stack\":null", "key \"stack\" is not an array of at most 256 frames"),
		STACK_DAMAGE("\"stack\":[1]", "key \"stack\" holds a non-object"),
		STACK_DAMAGE("\"stack\":[" FRAME_OK ",{\"fn\":\"f\",\"off\":1,\"obj\":\"/o\"}]",
			     "key \"stack\": a frame's \"ip\" is not a hex string"),
		STACK_DAMAGE("\"stack\":[{\"fn\":null,\"off\":1,\"obj\":null,\"ip\":\"0xzz\"}]",
			     "key \"stack\": a frame's \"ip\" is not a hex string"),
		STACK_DAMAGE("\"stack\":[{\"off\":1,\"ip\":\"0x\"}]",
			     "key \"stack\": a frame's \"ip\" is not a hex string"),
		STACK_DAMAGE("\"stack\":[{\"off\":1,\"ip\":\"0x10000000000000000\"}]",
			     "key \"stack\": a frame's \"ip\" is not a hex string"),
		STACK_DAMAGE("\"stack\":[{\"off\":1,\"ip\":16}]",
			     "key \"stack\": a frame's \"ip\" is not a hex string"),
		STACK_DAMAGE("\"stack\":[{\"off\":\"1\",\"ip\":\"0x10\"}]",
			     "key \"stack\": a frame's \"off\" is not an integer"),
		STACK_DAMAGE("\"stack\":[{\"off\":1.5,\"ip\":\"0x10\"}]",
			     "key \"stack\": a frame's \"off\" is not an integer"),
		STACK_DAMAGE("\"stack\":[{\"fn\":7,\"off\":1,\"ip\":\"0x10\"}]",
			     "key \"stack\": \"fn\": a byte string is neither a string, an object nor null"),
		STACK_DAMAGE("\"stack\":[{\"obj\":{\"hex\":\"2f00\"},\"off\":1,\"ip\":\"0x10\"}]",
			     "key \"stack\": \"obj\": bad hex digits in a byte string"),
		STACK_DAMAGE("\"stack\":[],\"stack_note\":3", "key \"stack_note\" is not a string"),
		STACK_DAMAGE("\"stack\":[],\"stack_note\":null", "key \"stack_note\" is not a string"),
		STACK_DAMAGE("\"stack_note\":\"n\"", "key \"stack_note\" without \"stack\""),
	};

	for (size_t i = 0; i < PW_ARRAY_SIZE(cases); i++)
		check_damage(&cases[i]);
}

/*
 * u64s at and above 2^63 (a crafted ELF's addresses, bogus clone3
 * arguments) are written as negative numbers, which jansson reads, and
 * come back as the same 64 bits.
 */
static struct pw_frame far_frame[] = {
	{ .ip = 0x401000, .off = UINT64_MAX - 1, .obj = "/tmp/crafted" },
};

Test(replay, u64_values_above_int64_max_round_trip)
{
	struct pw_event evs[] = {
		stack_events[0],
		{ .kind = PW_EV_SPAWN, .time_us = 2, .pid = 10, .tid = 10,
		  .u.spawn = { .call = PW_CALL_CLONE3, .flags = CLONE_INTO_CGROUP_BIT,
			       .kind = PW_SPAWN_CLONE, .parent = 10, .result = -EINVAL,
			       .args_size = UINT64_MAX, .cgroup = (1ULL << 63),
			       .stack = { .requested = true, .frames = far_frame, .nframes = 1 } } },
	};
	char *json = render(evs, 2, false), *again;
	const struct pw_spawn *sp;
	struct replayed rp;

	cr_assert_not_null(strstr(json, "\"size\":-1,"), "%s", json);
	cr_assert_not_null(strstr(json, "\"cgroup\":-9223372036854775808"), "%s", json);
	cr_assert_not_null(strstr(json, "\"off\":-2,"), "%s", json);
	replay(json, strlen(json), &rp);
	cr_assert_str_eq(rp.err, "procwatch: t.jsonl:2: the trace stops without an end event (was the traced job killed?)\n");
	cr_assert_eq(rp.n, 2);
	sp = &rp.ev[1].u.spawn;
	cr_assert_eq(sp->args_size, UINT64_MAX);
	cr_assert_eq(sp->cgroup, 1ULL << 63);
	assert_stack_eq(&sp->stack, &evs[1].u.spawn.stack);
	again = render(rp.ev, rp.n, false);
	cr_assert_str_eq(again, json);
	free(again);
	free(json);
	replayed_free(&rp);
}

/* PW_STACK_DEPTH_MAX frames are read; one more is damage, not an allocation. */
Test(replay, stack_depth_is_capped)
{
	char *ok = stack_of(PW_STACK_DEPTH_MAX), *over = stack_of(PW_STACK_DEPTH_MAX + 1);
	struct damage_case c = { ok, PW_REPLAY_EOF, 3, 0, "" };
	struct replayed rp;

	replay(ok, strlen(ok), &rp);
	cr_assert_eq(rp.ev[1].u.spawn.stack.nframes, PW_STACK_DEPTH_MAX);
	cr_assert_str_eq(rp.ev[1].u.spawn.stack.frames[PW_STACK_DEPTH_MAX - 1].obj, "/o");
	replayed_free(&rp);
	c.text = over;
	c.events = 2;
	c.damaged = 1;
	c.message = "procwatch: t.jsonl:2: line skipped: key \"stack\" is not an array of at most 256 frames\n";
	check_damage(&c);
	free(ok);
	free(over);
}

Test(replay, every_prefix_of_a_trace_with_stacks_is_survived)
{
	char *json = render(stack_events, NSTACK_EVENTS, false);
	struct replayed rp;

	for (size_t len = 1; len < strlen(json); len += 5) {
		replay(json, len, &rp);
		cr_assert_neq(rp.last, PW_REPLAY_EVENT);
		replayed_free(&rp);
	}
	free(json);
}

/*
 * Calls the task died in (PW_RESULT_UNFINISHED): a vfork'd child killed in
 * execve, its -k stack cut short by the same death, and a clone3 and a
 * fork that never returned; the spawns hold no parent, as the tracer
 * leaves them.
 */
static struct pw_bytes sleep_argv[] = { { .data = "sleep", .len = 5 }, { .data = "9", .len = 1 } };

static const struct pw_event unfinished_events[] = {
	{ .kind = PW_EV_START, .time_us = 1, .pid = 10, .tid = 10,
	  .u.start = { .argv = start_argv, .argc = 3, .seccomp = true, .version = "0.1.0" } },
	{ .kind = PW_EV_SPAWN, .time_us = 2, .pid = 10, .tid = 10,
	  .u.spawn = { .call = PW_CALL_VFORK, .flags = CLONE_VM | CLONE_VFORK,
		       .exit_signal = SIGCHLD, .kind = PW_SPAWN_VFORK, .child = 11,
		       .parent = 10, .result = 11 } },
	{ .kind = PW_EV_EXEC, .time_us = 3, .pid = 11, .tid = 11,
	  .u.exec = { .call = PW_CALL_EXECVE, .path = { .data = "/bin/sleep", .len = 10 },
		      .argv = sleep_argv, .argc = 2, .cwd = { .data = "/w", .len = 2 },
		      .result = PW_RESULT_UNFINISHED,
		      .stack = { .requested = true, .frames = frames3, .nframes = 1,
				 .note = "the task died while its stack was read" } } },
	{ .kind = PW_EV_EXIT, .time_us = 4, .pid = 11, .tid = 11,
	  .u.exit = { .status = { .kind = PW_STATUS_KILLED, .signal = SIGKILL } } },
	{ .kind = PW_EV_SPAWN, .time_us = 5, .pid = 10, .tid = 10,
	  .u.spawn = { .call = PW_CALL_CLONE3, .flags = CLONE_VM | CLONE_VFORK,
		       .exit_signal = SIGCHLD, .kind = PW_SPAWN_POSIX_SPAWN, .args_size = 88,
		       .result = PW_RESULT_UNFINISHED, .stack = { .requested = true } } },
	{ .kind = PW_EV_SPAWN, .time_us = 6, .pid = 10, .tid = 10,
	  .u.spawn = { .call = PW_CALL_FORK, .exit_signal = SIGCHLD, .kind = PW_SPAWN_FORK,
		       .result = PW_RESULT_UNFINISHED } },
	{ .kind = PW_EV_EXIT, .time_us = 7, .pid = 10, .tid = 10,
	  .u.exit = { .status = { .kind = PW_STATUS_KILLED, .signal = SIGKILL } } },
	{ .kind = PW_EV_END, .time_us = 8, .pid = 10, .tid = 10,
	  .u.end = { .status = { .kind = PW_STATUS_KILLED, .signal = SIGKILL } } },
};
#define NUNFINISHED_EVENTS (PW_ARRAY_SIZE(unfinished_events))

/* "result": null comes back as the very sentinel, and writes null again. */
Test(replay, unfinished_calls_round_trip_byte_for_byte)
{
	char *json = render(unfinished_events, NUNFINISHED_EVENTS, false), *again;
	struct replayed rp;

	replay(json, strlen(json), &rp);
	cr_assert_str_eq(rp.err, "");
	cr_assert_eq(rp.n, NUNFINISHED_EVENTS);
	cr_assert_eq(rp.ev[2].u.exec.result, PW_RESULT_UNFINISHED);
	assert_stack_eq(&rp.ev[2].u.exec.stack, &unfinished_events[2].u.exec.stack);
	cr_assert_eq(rp.ev[4].u.spawn.result, PW_RESULT_UNFINISHED);
	cr_assert_eq(rp.ev[4].u.spawn.args_size, 88);
	cr_assert_eq(rp.ev[4].u.spawn.parent, 0);
	cr_assert_eq(rp.ev[4].u.spawn.child, 0);
	cr_assert_eq(rp.ev[5].u.spawn.result, PW_RESULT_UNFINISHED);
	again = render(rp.ev, rp.n, false);
	cr_assert_str_eq(again, json);
	free(again);
	free(json);
	replayed_free(&rp);
}

/*
 * A spawn or exec made through the 32-bit int $0x80 interface is seen only
 * by its ptrace event: its call is unknown, written null, and an exec has
 * no path or argv (tracer/syscall_stop.c, on_spawn_event, on_exec_event).
 */
static const struct pw_event unseen_events[] = {
	{ .kind = PW_EV_START, .time_us = 1, .pid = 10, .tid = 10,
	  .u.start = { .argv = start_argv, .argc = 3, .seccomp = true, .version = "0.1.0" } },
	{ .kind = PW_EV_SPAWN, .time_us = 2, .pid = 10, .tid = 10,
	  .u.spawn = { .call = PW_CALL_NONE, .exit_signal = SIGCHLD, .kind = PW_SPAWN_FORK,
		       .child = 11, .parent = 10, .result = 11,
		       .stack = { .requested = true, .note = "not taken" } } },
	{ .kind = PW_EV_EXEC, .time_us = 3, .pid = 11, .tid = 11,
	  .u.exec = { .call = PW_CALL_NONE, .exe = { .data = "/bin/true", .len = 9 } } },
	{ .kind = PW_EV_EXIT, .time_us = 4, .pid = 11, .tid = 11,
	  .u.exit = { .status = { .kind = PW_STATUS_EXITED, .code = 5 } } },
	{ .kind = PW_EV_END, .time_us = 5, .pid = 10, .tid = 10,
	  .u.end = { .status = { .kind = PW_STATUS_EXITED } } },
};
#define NUNSEEN_EVENTS (PW_ARRAY_SIZE(unseen_events))

Test(replay, calls_seen_only_by_their_event_round_trip)
{
	char *json = render(unseen_events, NUNSEEN_EVENTS, false), *again;
	struct replayed rp;

	cr_assert_not_null(strstr(json, "\"call\":null,\"flags\":[]"), "%s", json);
	replay(json, strlen(json), &rp);
	cr_assert_str_eq(rp.err, "");
	cr_assert_eq(rp.n, NUNSEEN_EVENTS);
	cr_assert_eq(rp.ev[1].u.spawn.call, PW_CALL_NONE);
	cr_assert_eq(rp.ev[1].u.spawn.child, 11);
	cr_assert_eq(rp.ev[2].u.exec.call, PW_CALL_NONE);
	cr_assert_null(rp.ev[2].u.exec.path.data);
	cr_assert_str_eq(rp.ev[2].u.exec.exe.data, "/bin/true");
	again = render(rp.ev, rp.n, false);
	cr_assert_str_eq(again, json);
	free(again);
	free(json);
	replayed_free(&rp);
	free(assert_timeline_round_trip(unseen_events, NUNSEEN_EVENTS));
}

/*
 * The decoder records execve as fs/exec.c runs it, execveat(AT_FDCWD, ...,
 * 0); the trace writes dirfd and at_flags for execveat only, and the
 * reader puts AT_FDCWD back.
 */
Test(replay, execve_reads_back_at_fdcwd)
{
	struct pw_event evs[] = {
		events[0],
		{ .kind = PW_EV_EXEC, .time_us = 2, .pid = 100, .tid = 100,
		  .u.exec = { .call = PW_CALL_EXECVE, .dirfd = AT_FDCWD,
			      .path = { .data = "/bin/true", .len = 9 } } },
		{ .kind = PW_EV_EXEC, .time_us = 3, .pid = 100, .tid = 100,
		  .u.exec = { .call = PW_CALL_EXECVEAT, .dirfd = AT_FDCWD, .at_flags = AT_SYMLINK_NOFOLLOW,
			      .path = { .data = "/bin/true", .len = 9 } } },
	};
	static const char hand[] = START
		"{\"t\":1,\"event\":\"exec\",\"pid\":1,\"tid\":1,\"call\":\"execve\",\"dirfd\":5,"
		"\"at_flags\":[\"AT_EMPTY_PATH\"],\"path\":\"/x\",\"argv\":[],\"result\":0}\n" END;
	char *json = render(evs, 3, false);
	struct replayed rp;

	replay(json, strlen(json), &rp);
	cr_assert_eq(rp.n, 3);
	cr_assert_eq(rp.ev[1].u.exec.dirfd, AT_FDCWD);
	cr_assert_eq(rp.ev[1].u.exec.at_flags, 0);
	cr_assert_eq(rp.ev[2].u.exec.dirfd, AT_FDCWD);
	cr_assert_eq(rp.ev[2].u.exec.at_flags, AT_SYMLINK_NOFOLLOW);
	free(json);
	replayed_free(&rp);
	/* Keys only execveat has mean nothing on an execve. */
	replay(hand, strlen(hand), &rp);
	cr_assert_str_eq(rp.err, "");
	cr_assert_eq(rp.n, 3);
	cr_assert_eq(rp.ev[1].u.exec.dirfd, AT_FDCWD);
	cr_assert_eq(rp.ev[1].u.exec.at_flags, 0);
	replayed_free(&rp);
}

/*
 * Signal numbers come from tracee memory: a clone3 exit signal is any of
 * 0..INT_MAX (decode/clone.c, clamp_signal), a waitid status any int.
 * Each is written "SIG<n>" when it has no name, and reads back.
 */
Test(replay, signals_of_any_number_round_trip)
{
	struct pw_event evs[] = {
		events[0],
		{ .kind = PW_EV_SPAWN, .time_us = 2, .pid = 100, .tid = 100,
		  .u.spawn = { .call = PW_CALL_CLONE3, .exit_signal = INT_MAX, .kind = PW_SPAWN_CLONE,
			       .parent = 100, .result = -EINVAL, .args_size = 88 } },
		{ .kind = PW_EV_WAIT, .time_us = 3, .pid = 100, .tid = 100,
		  .u.wait = { .call = PW_CALL_WAITID, .result = 101,
			      .status = { .kind = PW_STATUS_KILLED, .signal = INT_MIN } } },
		{ .kind = PW_EV_WAIT, .time_us = 4, .pid = 100, .tid = 100,
		  .u.wait = { .call = PW_CALL_WAIT4, .target = -1, .result = 101,
			      .status = { .kind = PW_STATUS_STOPPED, .signal = 0 } } },
		{ .kind = PW_EV_SIGNAL, .time_us = 5, .pid = 100, .tid = 100,
		  .u.signal = { .signal = 255 } },
	};
	char *json = render(evs, 5, false), *again;
	struct replayed rp;

	cr_assert_not_null(strstr(json, "\"exit_signal\":\"SIG2147483647\""), "%s", json);
	cr_assert_not_null(strstr(json, "\"signal\":\"SIG-2147483648\""), "%s", json);
	cr_assert_not_null(strstr(json, "\"signal\":\"SIG0\""), "%s", json);
	replay(json, strlen(json), &rp);
	cr_assert_eq(rp.n, 5, "%s", rp.err);
	cr_assert_eq(rp.ev[1].u.spawn.exit_signal, INT_MAX);
	cr_assert_eq(rp.ev[2].u.wait.status.signal, INT_MIN);
	cr_assert_eq(rp.ev[3].u.wait.status.kind, PW_STATUS_STOPPED);
	cr_assert_eq(rp.ev[3].u.wait.status.signal, 0);
	cr_assert_eq(rp.ev[4].u.signal.signal, 255);
	again = render(rp.ev, rp.n, false);
	cr_assert_str_eq(again, json);
	free(again);
	free(json);
	replayed_free(&rp);
}

#define EXEC_PRE "{\"t\":1,\"event\":\"exec\",\"pid\":1,\"tid\":1,\"call\":\"execve\",\"path\":\"/x\",\"argv\":[],"
#define FORK_PRE "{\"t\":1,\"event\":\"spawn\",\"pid\":1,\"tid\":1,\"call\":\"fork\",\"flags\":[],\"exit_signal\":\"SIGCHLD\",\"kind\":\"fork\",\"thread\":false,"
#define WAIT_PRE "{\"t\":1,\"event\":\"wait\",\"pid\":1,\"tid\":1,\"call\":\"wait4\",\"target\":-1,\"options\":[],"
#define LINE2_DAMAGE(line, why) \
	{ START line "\n" END, PW_REPLAY_EOF, 2, 1, "procwatch: t.jsonl:2: line skipped: " why "\n" }

/*
 * null is a result only for a spawn or exec; the sentinel's value written
 * as a number is no result at all; a spawn that returned names its parent.
 */
Test(replay, unfinished_is_null_only_where_it_can_be)
{
	static const struct damage_case cases[] = {
		{ START EXEC_PRE "\"result\":null}\n" FORK_PRE "\"result\":null}\n" END,
		  PW_REPLAY_EOF, 4, 0, "" },
		LINE2_DAMAGE(WAIT_PRE "\"result\":null}", "key \"result\" is not an integer"),
		LINE2_DAMAGE(EXEC_PRE "\"result\":-9223372036854775808}",
			     "key \"result\" is out of range"),
		LINE2_DAMAGE(FORK_PRE "\"parent\":1,\"result\":-9223372036854775808,\"errno\":\"E0\"}",
			     "key \"result\" is out of range"),
		LINE2_DAMAGE(WAIT_PRE "\"result\":-9223372036854775808}",
			     "key \"result\" is out of range"),
		LINE2_DAMAGE(FORK_PRE "\"result\":2,\"child\":2}", "missing key \"parent\""),
		LINE2_DAMAGE(EXEC_PRE "\"result\":\"?\"}", "key \"result\" is not an integer"),
		LINE2_DAMAGE(EXEC_PRE "\"errno\":\"EPERM\"}", "missing key \"result\""),
		/* Only a spawn's or exec's call can be unknown. */
		LINE2_DAMAGE("{\"t\":1,\"event\":\"wait\",\"pid\":1,\"tid\":1,\"call\":null,\"target\":-1,\"options\":[],\"result\":0}",
			     "unknown call \"\""),
	};

	for (size_t i = 0; i < PW_ARRAY_SIZE(cases); i++)
		check_damage(&cases[i]);
}

#define CLONE_SIGNAL(sig) \
	"{\"t\":1,\"event\":\"spawn\",\"pid\":1,\"tid\":1,\"call\":\"clone\",\"flags\":[]," \
	"\"exit_signal\":\"" sig "\",\"kind\":\"clone\",\"thread\":false,\"parent\":1,\"result\":-22}"
#define STATUS_SIGNAL(sig) \
	WAIT_PRE "\"result\":2,\"status\":{\"kind\":\"killed\",\"signal\":\"" sig "\"}}"

/*
 * A signal is read only as the writer spells it, so that show --json
 * writes back what it read; an exit signal of 0 is written null, and none
 * is negative.
 */
Test(replay, signal_spellings_the_writer_never_uses_are_damage)
{
	static const struct damage_case cases[] = {
		{ START CLONE_SIGNAL("SIGRTMIN+31") "\n" STATUS_SIGNAL("SIG-1") "\n" END,
		  PW_REPLAY_EOF, 4, 0, "" },
		LINE2_DAMAGE(CLONE_SIGNAL("SIG0"), "key \"exit_signal\": unknown signal \"SIG0\""),
		LINE2_DAMAGE(CLONE_SIGNAL("SIG-6"), "key \"exit_signal\": unknown signal \"SIG-6\""),
		LINE2_DAMAGE(CLONE_SIGNAL("SIG17"), "key \"exit_signal\": unknown signal \"SIG17\""),
		LINE2_DAMAGE(STATUS_SIGNAL("SIG42"), "key \"signal\": unknown signal \"SIG42\""),
		LINE2_DAMAGE(STATUS_SIGNAL("SIG2147483648"),
			     "key \"signal\": unknown signal \"SIG2147483648\""),
		LINE2_DAMAGE(STATUS_SIGNAL("SIGRTMIN+33"), "key \"signal\": unknown signal \"SIGRTMIN+33\""),
	};

	for (size_t i = 0; i < PW_ARRAY_SIZE(cases); i++)
		check_damage(&cases[i]);
}

#define CLONE3_TIDS(keys) \
	"{\"t\":1,\"event\":\"spawn\",\"pid\":1,\"tid\":1,\"call\":\"clone3\",\"flags\":[]," \
	"\"exit_signal\":null,\"kind\":\"clone\",\"thread\":false,\"parent\":1,\"result\":-22," \
	"\"errno\":\"EINVAL\",\"size\":88," keys "}"
#define TIDS32 "[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]"

/*
 * clone_args.set_tid_size is a u64 the decoder records as passed; above
 * MAX_PID_NS_LEVEL (32) the kernel fails the call without reading the
 * pids.  The trace wrote 32 of them and lost the size asked for.
 */
Test(replay, set_tid_size_above_32_round_trips)
{
	static const size_t sizes[] = { 1, 31, 32, 33, SIZE_MAX };
	static const struct damage_case cases[] = {
		LINE2_DAMAGE(CLONE3_TIDS("\"set_tid\":[],\"set_tid_size\":33"),
			     "key \"set_tid\" is not an array of 1 to 32 pids"),
		LINE2_DAMAGE(CLONE3_TIDS("\"set_tid_size\":33"),
			     "key \"set_tid\" is not an array of 1 to 32 pids"),
		LINE2_DAMAGE(CLONE3_TIDS("\"set_tid_size\":0"),
			     "key \"set_tid\" is not an array of 1 to 32 pids"),
		LINE2_DAMAGE(CLONE3_TIDS("\"set_tid\":" TIDS32 ",\"set_tid_size\":\"33\""),
			     "key \"set_tid_size\" is not an integer"),
		LINE2_DAMAGE(CLONE3_TIDS("\"set_tid\":" TIDS32 ",\"set_tid_size\":32"),
			     "key \"set_tid_size\" is not above the 32 pids of \"set_tid\""),
		LINE2_DAMAGE(CLONE3_TIDS("\"set_tid\":[1,2],\"set_tid_size\":40"),
			     "key \"set_tid_size\" is not above the 32 pids of \"set_tid\""),
		LINE2_DAMAGE(CLONE3_TIDS("\"set_tid\":[2147483648]"), "key \"set_tid\" holds a non-pid"),
		LINE2_DAMAGE(CLONE3_TIDS("\"set_tid\":[\"1\"]"), "key \"set_tid\" holds a non-pid"),
	};
	struct pw_event evs[6] = { events[0] };
	char *json, *again;
	struct replayed rp;
	size_t i;

	for (i = 0; i < 5; i++)
		evs[i + 1] = (struct pw_event){
			.kind = PW_EV_SPAWN, .pid = 1, .tid = 1,
			.u.spawn = { .call = PW_CALL_CLONE3, .kind = PW_SPAWN_CLONE, .parent = 1,
				     .result = -EINVAL, .args_size = 88, .set_tid_size = sizes[i],
				     .set_tid = { INT_MIN, -1, INT_MAX } },
		};
	json = render(evs, 6, false);
	cr_assert_not_null(strstr(json, "\"set_tid_size\":33}"), "%s", json);
	cr_assert_not_null(strstr(json, "\"set_tid_size\":-1}"), "%s", json);
	replay(json, strlen(json), &rp);
	cr_assert_eq(rp.n, 6, "%s", rp.err);
	for (i = 0; i < 5; i++) {
		cr_assert_eq(rp.ev[i + 1].u.spawn.set_tid_size, sizes[i]);
		cr_assert_eq(rp.ev[i + 1].u.spawn.set_tid[0], INT_MIN);
	}
	again = render(rp.ev, rp.n, false);
	cr_assert_str_eq(again, json);
	free(again);
	free(json);
	replayed_free(&rp);
	for (i = 0; i < PW_ARRAY_SIZE(cases); i++)
		check_damage(&cases[i]);
}

#define STOP_BITS(bits) \
	WAIT_PRE "\"result\":2,\"status\":{\"kind\":\"stopped\",\"signal\":\"SIGTRAP\",\"ptrace_bits\":" bits "}}"

/*
 * A stop of a task a process in the tree traces keeps the bits above its
 * signal: PTRACE_EVENT_* << 8, 0x80 for a syscall stop (ptrace(2)); they
 * were not written, so the status read back lost them.
 */
Test(replay, ptrace_stop_bits_round_trip)
{
	struct pw_event evs[3] = {
		events[0],
		{ .kind = PW_EV_WAIT, .pid = 1, .tid = 1,
		  .u.wait = { .call = PW_CALL_WAIT4, .target = -1, .result = 2 } },
		{ .kind = PW_EV_WAIT, .pid = 1, .tid = 1,
		  .u.wait = { .call = PW_CALL_WAITID, .result = 2 } },
	};
	static const struct damage_case cases[] = {
		LINE2_DAMAGE(STOP_BITS("0"), "key \"ptrace_bits\" holds the signal's bits or none"),
		LINE2_DAMAGE(STOP_BITS("385"), "key \"ptrace_bits\" holds the signal's bits or none"),
		LINE2_DAMAGE(STOP_BITS("\"0x80\""), "key \"ptrace_bits\" is not an integer"),
	};
	char *json, *again;
	struct replayed rp;

	pw_status_from_wait(W_STOPCODE(SIGTRAP) | (1 << 16), &evs[1].u.wait.status);
	pw_status_from_siginfo(CLD_TRAPPED, SIGTRAP | 0x80 | INT_MIN, &evs[2].u.wait.status);
	json = render(evs, 3, false);
	replay(json, strlen(json), &rp);
	cr_assert_eq(rp.n, 3, "%s", rp.err);
	cr_assert_eq(rp.ev[1].u.wait.status.code, 1 << 8);
	cr_assert_eq(rp.ev[1].u.wait.status.signal, SIGTRAP);
	cr_assert_eq(rp.ev[2].u.wait.status.kind, PW_STATUS_TRAPPED);
	cr_assert_eq(rp.ev[2].u.wait.status.code, 0x80 | INT_MIN);
	again = render(rp.ev, rp.n, false);
	cr_assert_str_eq(again, json);
	free(again);
	free(json);
	replayed_free(&rp);
	for (size_t i = 0; i < PW_ARRAY_SIZE(cases); i++)
		check_damage(&cases[i]);
}

#define WAITID_IDTYPE(idtype) \
	"{\"t\":1,\"event\":\"wait\",\"pid\":1,\"tid\":1,\"call\":\"waitid\"," \
	"\"target\":{\"idtype\":" idtype ",\"id\":0},\"options\":[],\"result\":-22}"

/*
 * waitid's idtype is the register's low 32 bits: any int, written as a
 * number when it has no name.  A negative one used to be refused with a
 * NULL name in the message.
 */
Test(replay, waitid_idtype_of_any_number_round_trips)
{
	static const int idtypes[] = { INT_MIN, -1, 4, INT_MAX };
	static const struct damage_case cases[] = {
		LINE2_DAMAGE(WAITID_IDTYPE("-2147483649"), "idtype -2147483649 is out of range"),
		LINE2_DAMAGE(WAITID_IDTYPE("1"), "idtype 1 is written as its name"),
		LINE2_DAMAGE(WAITID_IDTYPE("\"P_NOPE\""), "unknown idtype \"P_NOPE\""),
		LINE2_DAMAGE(WAITID_IDTYPE("null"), "waitid's \"target\" has no \"idtype\""),
	};
	struct pw_event evs[5] = { events[0] };
	char *json, *again;
	struct replayed rp;
	size_t i;

	for (i = 0; i < 4; i++)
		evs[i + 1] = (struct pw_event){
			.kind = PW_EV_WAIT, .pid = 1, .tid = 1,
			.u.wait = { .call = PW_CALL_WAITID, .idtype = idtypes[i], .result = -EINVAL },
		};
	json = render(evs, 5, false);
	replay(json, strlen(json), &rp);
	cr_assert_eq(rp.n, 5, "%s", rp.err);
	for (i = 0; i < 4; i++)
		cr_assert_eq(rp.ev[i + 1].u.wait.idtype, idtypes[i]);
	again = render(rp.ev, rp.n, false);
	cr_assert_str_eq(again, json);
	free(again);
	free(json);
	replayed_free(&rp);
	for (i = 0; i < PW_ARRAY_SIZE(cases); i++)
		check_damage(&cases[i]);
}

/* show's promise holds for unfinished calls too: the view live events gave. */
Test(replay, timeline_with_unfinished_calls_of_replay_equals_live)
{
	char *live = assert_timeline_round_trip(unfinished_events, NUNFINISHED_EVENTS);

	cr_assert_not_null(strstr(live, "exec sleep 9  (path /bin/sleep)  unfinished: the task died in the call\n"),
			   "%s", live);
	cr_assert_not_null(strstr(live, "posix_spawn unfinished: the task died in the call\n"),
			   "%s", live);
	free(live);
}

#define ENV_EXEC_PRE "{\"t\":1,\"event\":\"exec\",\"pid\":1,\"tid\":1,\"call\":\"execve\",\"path\":\"/bin/x\",\"argv\":[\"x\"],\"result\":0"
#define ENV_DAMAGE(keys, why) \
	{ START ENV_EXEC_PRE "," keys "}\n" END, PW_REPLAY_EOF, 2, 1, \
	  "procwatch: t.jsonl:2: line skipped: " why "\n" }

/* --env's "env": what the writer never writes is damage, named. */
Test(replay, damaged_env_is_skipped_and_named)
{
	static const struct damage_case cases[] = {
		{ START ENV_EXEC_PRE ",\"env\":{\"whole\":true,\"set\":[\"A=1\",null]}}\n" END,
		  PW_REPLAY_EOF, 3, 0, "" },
		{ START ENV_EXEC_PRE ",\"env\":{\"set\":[\"A=1\"],\"unset\":[\"B\"],\"order\":[1,0],"
		  "\"check\":\"0a0B0c0d\",\"later\":1}}\n" END, PW_REPLAY_EOF, 3, 0, "" },
		ENV_DAMAGE("\"env\":[]", "key \"env\" is not an object"),
		ENV_DAMAGE("\"env\":{\"set\":[\"A=1\"]}", "key \"env\": a change without \"check\""),
		ENV_DAMAGE("\"env\":{\"whole\":1}", "key \"env\": key \"whole\" is not true or false"),
		ENV_DAMAGE("\"env\":{\"whole\":true,\"set\":\"A=1\"}",
			   "key \"env\": key \"set\" is not an array"),
		ENV_DAMAGE("\"env\":{\"whole\":true,\"set\":[7]}",
			   "key \"env\": a byte string is neither a string, an object nor null"),
		ENV_DAMAGE("\"env\":{\"check\":\"0000000g\"}",
			   "key \"env\": \"check\" is not 8 hex digits"),
		ENV_DAMAGE("\"env\":{\"check\":12345678}",
			   "key \"env\": \"check\" is not 8 hex digits"),
		ENV_DAMAGE("\"env\":{\"check\":\"00000000\",\"order\":[-1]}",
			   "key \"env\": \"order\" holds a non-index"),
		ENV_DAMAGE("\"env\":{\"check\":\"00000000\",\"order\":[4294967296]}",
			   "key \"env\": \"order\" holds a non-index"),
		ENV_DAMAGE("\"env\":{\"check\":\"00000000\",\"order\":{}}",
			   "key \"env\": \"order\" is not an array"),
		ENV_DAMAGE("\"env\":{\"whole\":true,\"error\":\"EWHAT\"}",
			   "key \"env\": key \"error\" is not an errno name"),
	};

	for (size_t i = 0; i < PW_ARRAY_SIZE(cases); i++)
		check_damage(&cases[i]);
}
