/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the --summary shape lines (src/sink/shape.c): a hand-built
 * run with known times through the tree sink, checking the slowest
 * processes (longest first) and the programs run most often (most runs
 * first, then by name), so that the lines golden.sh sorts are pinned here.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/base.h"
#include "procwatch/sink.h"

#define B(s) { .data = (s), .len = sizeof(s) - 1 }

static struct pw_bytes make_argv[] = { B("make") };
static struct pw_bytes cc_argv[] = { B("/usr/bin/cc"), B("-c"), B("x.c") };

static struct pw_event
at(uint64_t t, struct pw_event ev)
{
	ev.time_us = t;
	return ev;
}

static struct pw_event
exec_ev(pid_t pid, struct pw_bytes *argv, size_t argc)
{
	return (struct pw_event){
		.kind = PW_EV_EXEC, .pid = pid, .tid = pid,
		.u.exec = { .call = PW_CALL_EXECVE, .path = argv[0], .argv = argv, .argc = argc },
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
exit_ev(pid_t pid)
{
	return (struct pw_event){
		.kind = PW_EV_EXIT, .pid = pid, .tid = pid,
		.u.exit = { .status = { .kind = PW_STATUS_EXITED }, .call = PW_CALL_EXIT_GROUP },
	};
}

Test(summary_shape, slowest_and_most_run)
{
	char *start_argv[] = { "make", NULL };
	const struct pw_event evs[] = {
		{ .kind = PW_EV_START, .pid = 10, .tid = 10,
		  .u.start = { .argv = start_argv, .argc = 1 } },
		at(0, exec_ev(10, make_argv, 1)),
		at(1000000, spawn_ev(10, 11)),
		at(1000001, exec_ev(11, cc_argv, 3)),
		at(3000000, exit_ev(11)),
		at(3000001, spawn_ev(10, 12)),
		at(3000002, exec_ev(12, cc_argv, 3)),
		at(7000001, exit_ev(12)),
		at(8000000, exit_ev(10)),
		{ .kind = PW_EV_END, .time_us = 8000001, .pid = 10, .tid = 10,
		  .u.end = { .status = { .kind = PW_STATUS_EXITED } } },
	};
	struct pw_view_opts vo = { .time = PW_TIME_NONE, .summary = true };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct pw_sink *s = pw_format_sink(pw_format_find("tree"), f, &vo);

	for (size_t i = 0; i < PW_ARRAY_SIZE(evs); i++)
		cr_assert_eq(pw_sink_event(s, &evs[i]), 0);
	cr_assert_eq(pw_sink_close(s), 0);
	fclose(f);
	cr_assert(strstr(buf, "\nslowest: make (10) 8.00s, cc (12) 4.00s, cc (11) 2.00s\n"
			      "most run: cc ×2, make ×1\n"), "%s", buf);
	free(buf);
}
