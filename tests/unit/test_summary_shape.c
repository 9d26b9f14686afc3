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
