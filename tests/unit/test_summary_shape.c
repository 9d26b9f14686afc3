/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the --summary shape lines (src/sink/shape.c): a hand-built
 * run with known times and resource use through the tree sink, checking
 * the slowest processes (longest first), the slowest by CPU time and the
 * biggest by memory (largest first) and the programs run most often (most
 * runs first, then by name), so that the lines golden.sh sorts are pinned
 * here.
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

/* The tree and --summary of evs, as written (free it). */
static char *
tree_summary(const struct pw_event *evs, size_t n)
{
	struct pw_view_opts vo = { .time = PW_TIME_NONE, .summary = true };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct pw_sink *s = pw_format_sink(pw_format_find("tree"), f, &vo);

	for (size_t i = 0; i < n; i++)
		cr_assert_eq(pw_sink_event(s, &evs[i]), 0);
	cr_assert_eq(pw_sink_close(s), 0);
	fclose(f);
	return buf;
}

static struct pw_event
with_peak_only(struct pw_event ev, uint64_t kib)
{
	ev.u.exit.usage = (struct pw_usage){ .known = PW_USAGE_PEAK_RSS, .peak_rss_kib = kib };
	return ev;
}

/*
 * make runs cc twice, then two children that never exec: 13, whose CPU
 * time was not read, and 14, killed by SIGKILL, which has no usage.
 * Returns how many events it put in evs.
 */
static size_t
make_run(struct pw_event *evs)
{
	static char *start_argv[] = { "make", NULL };
	const struct pw_event run[] = {
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

	memcpy(evs, run, sizeof(run));
	return PW_ARRAY_SIZE(run);
}

#define SLOWEST "slowest: make (10) 8.00s, cc (12) 4.00s, cc (11) 2.00s, " \
		"make (13) 1.00s, make (14) 500.0ms\n"

/* A trace that says nothing of what processes used (an older one) has neither line. */
Test(summary_shape, slowest_and_most_run)
{
	struct pw_event evs[16];
	size_t n = make_run(evs);
	char *buf;

	for (size_t i = 0; i < n; i++)
		if (evs[i].kind == PW_EV_EXIT)
			evs[i].u.exit.usage = (struct pw_usage){ 0 };
	buf = tree_summary(evs, n);
	cr_assert(strstr(buf, "\n" SLOWEST "most run: cc ×2, make ×1\n"), "%s", buf);
	free(buf);
}

/*
 * CPU time and memory rank processes otherwise than wall time: a compile
 * that waited on its disk is slow, one that computed is busy.  A process
 * whose figure was not read is left out of that line.
 */
Test(summary_shape, slowest_by_cpu_and_biggest_by_memory)
{
	struct pw_event evs[16];
	char *buf = tree_summary(evs, make_run(evs));

	cr_assert(strstr(buf, "\n" SLOWEST
			      "slowest by CPU: cc (11) 1.70s, cc (12) 400.0ms, make (10) 30.0ms\n"
			      "biggest by memory: cc (11) 180 MiB, make (10) 2.0 MiB, "
			      "cc (12) 1.5 MiB, make (13) 900 KiB\n"
			      "most run: cc ×2, make ×1\n"), "%s", buf);
	free(buf);
}
