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
#include "event_builder.h"

static struct pw_bytes make_argv[] = { EV_BYTES("make") };
static struct pw_bytes cc_argv[] = { EV_BYTES("/usr/bin/cc"), EV_BYTES("-c"), EV_BYTES("x.c") };

Test(summary_shape, slowest_and_most_run)
{
	char *start_argv[] = { "make", NULL };
	const struct pw_event evs[] = {
		ev_start(0, 10, start_argv, 1),
		ev_exec(0, 10, "make", make_argv, 1, NULL, 0),
		ev_fork(1000000, 10, 11),
		ev_exec(1000001, 11, "/usr/bin/cc", cc_argv, 3, NULL, 0),
		ev_exited(3000000, 11, 11, 0),
		ev_fork(3000001, 10, 12),
		ev_exec(3000002, 12, "/usr/bin/cc", cc_argv, 3, NULL, 0),
		ev_exited(7000001, 12, 12, 0),
		ev_exited(8000000, 10, 10, 0),
		ev_end(8000001, 10, 0),
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

/*
 * CPU time and memory rank processes otherwise than wall time: a compile
 * that waited on its disk is slow, one that computed is busy.  A process
 * whose figure was not read (killed by SIGKILL) is left out of that line;
 * a run where none was read has neither line (above).
 */
static struct pw_event
with_peak_only(struct pw_event ev, uint64_t kib)
{
	ev.u.exit.usage = (struct pw_usage){ .known = PW_USAGE_PEAK_RSS, .peak_rss_kib = kib };
	return ev;
}

Test(summary_shape, slowest_by_cpu_and_biggest_by_memory)
{
	char *start_argv[] = { "make", NULL };
	const struct pw_event evs[] = {
		ev_start(0, 10, start_argv, 1),
		ev_exec(0, 10, "make", make_argv, 1, NULL, 0),
		ev_fork(1000000, 10, 11),
		ev_exec(1000001, 11, "/usr/bin/cc", cc_argv, 3, NULL, 0),
		ev_with_usage(ev_exited(3000000, 11, 11, 0), 1500000, 200000, 180 * 1024),
		ev_fork(3000001, 10, 12),
		ev_exec(3000002, 12, "/usr/bin/cc", cc_argv, 3, NULL, 0),
		ev_with_usage(ev_exited(7000001, 12, 12, 0), 300000, 100000, 1536),
		ev_fork(4000000, 10, 13),
		with_peak_only(ev_exited(5000000, 13, 13, 0), 900),
		ev_fork(4000001, 10, 14),
		ev_killed(4500000, 14, 14, SIGKILL),
		ev_with_usage(ev_exited(8000000, 10, 10, 0), 20000, 10000, 2048),
		ev_end(8000001, 10, 0),
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
	cr_assert(strstr(buf, "\nslowest: make (10) 8.00s, cc (12) 4.00s, cc (11) 2.00s, "
			      "make (13) 1.00s, make (14) 500.0ms\n"
			      "slowest by CPU: cc (11) 1.70s, cc (12) 400.0ms, make (10) 30.0ms\n"
			      "biggest by memory: cc (11) 180 MiB, make (10) 2.0 MiB, "
			      "cc (12) 1.5 MiB, make (13) 900 KiB\n"
			      "most run: cc ×2, make ×1\n"), "%s", buf);
	free(buf);
}
