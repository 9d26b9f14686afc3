/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the checked sink (src/sink/checked.c), the one place a
 * failed write is reported.  The output is a fopencookie(3) stream whose
 * writes fail with a given errno, as on a full disk or a file at
 * RLIMIT_FSIZE, or whose close fails; the report goes to an
 * open_memstream.  (A short write cannot be faked: glibc takes one from a
 * cookie as an error without errno, libio/iofopncook.c; tests/cli makes
 * real ones.)  Checked: one line, naming the output and the errno
 * text, whether the failure comes at an event, at the end event, at the
 * sink's close or only at fclose; no event reaches the sink after it; the
 * close says so; a run without failure says nothing.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/sink.h"
#include "event_builder.h"

struct fake_out {
	bool room;		/* false: every write fails with write_errno */
	int write_errno;
	int close_errno;	/* 0: close succeeds */
	size_t taken;		/* bytes written */
	unsigned writes;	/* write calls, failed ones included */
};

static ssize_t
fake_write(void *cookie, const char *data, size_t len)
{
	struct fake_out *o = cookie;

	(void)data;
	o->writes++;
	if (!o->room) {
		errno = o->write_errno;
		return -1;
	}
	o->taken += len;
	return (ssize_t)len;
}

static int
fake_close(void *cookie)
{
	struct fake_out *o = cookie;

	if (!o->close_errno)
		return 0;
	errno = o->close_errno;
	return -1;
}

static struct fake_out out;
static char *report;
static size_t report_len;
static FILE *report_f;

static FILE *
open_fake(bool room, int write_errno, int close_errno)
{
	cookie_io_functions_t io = { .write = fake_write, .close = fake_close };
	FILE *f;

	out = (struct fake_out){ .room = room, .write_errno = write_errno,
				 .close_errno = close_errno };
	f = fopencookie(&out, "w", io);
	cr_assert_not_null(f);
	report_f = open_memstream(&report, &report_len);
	cr_assert_not_null(report_f);
	return f;
}

static void
teardown(void)
{
	if (report_f)
		fclose(report_f);
	report_f = NULL;
	free(report);
	report = NULL;
}

TestSuite(checked, .fini = teardown);

static const struct pw_view_opts plain = { .time = PW_TIME_NONE };

/* Each test writes sh -c 'exit 3' (pid 100) from start to end, or some of it. */
static char *cmd_argv[] = { "sh", "-c", "exit 3", NULL };

static const char *
reported(void)
{
	fflush(report_f);
	return report ? report : "";
}

static struct pw_sink *
checked(struct pw_sink *inner, const char *name, enum pw_output_use use)
{
	struct pw_sink *s;

	cr_assert_not_null(inner);
	s = pw_sink_checked_new(inner, name, use, report_f);
	cr_assert_not_null(s);
	return s;
}

/* The JSON sink writes each event: the first one fails, and is the only report. */
Test(checked, failure_at_an_event_is_reported_once)
{
	struct pw_event ev[] = { ev_start(0, 100, cmd_argv, 3), ev_exited(0, 100, 100, 3),
				 ev_end(0, 100, 3) };
	struct pw_sink *s = checked(pw_sink_json_new(open_fake(false, ENOSPC, 0)),
				    "trace.jsonl", PW_OUTPUT_TRACE);
	unsigned writes;

	cr_assert_eq(pw_sink_event(s, &ev[0]), -ENOSPC);
	cr_assert_str_eq(reported(), "procwatch: writing trace.jsonl failed: No space "
			 "left on device; the trace is incomplete; tracing goes on "
			 "and the command is not affected\n");
	writes = out.writes;
	cr_assert_eq(pw_sink_event(s, &ev[1]), -ENOSPC);
	cr_assert_eq(pw_sink_event(s, &ev[2]), -ENOSPC);
	cr_assert_eq(out.writes, writes, "events went on to the broken output");
	cr_assert_eq(pw_sink_close(s), -ENOSPC);
	cr_assert_eq(strchr(reported(), '\n') + 1, reported() + strlen(reported()),
		     "reported again: %s", reported());
}

/* The tree is written at the end event: the command is over by then. */
Test(checked, failure_at_the_end_event_says_only_the_trace_is_incomplete)
{
	struct pw_event ev[] = { ev_start(0, 100, cmd_argv, 3), ev_exited(0, 100, 100, 3),
				 ev_end(0, 100, 3) };
	struct pw_sink *s = checked(pw_format_sink(pw_format_find("tree"), open_fake(false, EFBIG, 0), &plain),
				    "tree.txt", PW_OUTPUT_TRACE);

	cr_assert_eq(pw_sink_event(s, &ev[0]), 0);
	cr_assert_eq(pw_sink_event(s, &ev[1]), 0);
	cr_assert_str_eq(reported(), "");
	cr_assert_eq(pw_sink_event(s, &ev[2]), -EFBIG);
	cr_assert_str_eq(reported(), "procwatch: writing tree.txt failed: File too "
			 "large; the trace is incomplete\n");
	cr_assert_eq(pw_sink_close(s), -EFBIG);
	cr_assert_str_eq(reported(), "procwatch: writing tree.txt failed: File too "
			 "large; the trace is incomplete\n");
}

/* Perfetto writes everything at close; no name means standard error. */
Test(checked, failure_at_close_is_reported)
{
	struct pw_event ev[] = { ev_start(0, 100, cmd_argv, 3), ev_exited(0, 100, 100, 3),
				 ev_end(0, 100, 3) };
	struct pw_sink *s = checked(pw_format_sink(pw_format_find("perfetto"), open_fake(false, ENOSPC, 0), &plain),
				    NULL, PW_OUTPUT_TRACE);

	for (size_t i = 0; i < 3; i++)
		cr_assert_eq(pw_sink_event(s, &ev[i]), 0);
	cr_assert_str_eq(reported(), "");
	cr_assert_eq(pw_sink_close(s), -ENOSPC);
	cr_assert_str_eq(reported(), "procwatch: writing standard error failed: No "
			 "space left on device; the trace is incomplete\n");
}

/* Every write went through, but closing the file failed (as NFS may). */
Test(checked, failure_only_at_fclose_is_reported)
{
	struct pw_event ev[] = { ev_start(0, 100, cmd_argv, 3), ev_end(0, 100, 3) };
	bool found;
	struct pw_sink *s = checked(pw_sink_failed_new(open_fake(true, 0, EDQUOT),
						       &plain, &found),
				    "failed.txt", PW_OUTPUT_SHOW);

	for (size_t i = 0; i < 2; i++)
		cr_assert_eq(pw_sink_event(s, &ev[i]), 0);
	cr_assert_eq(pw_sink_close(s), -EDQUOT);
	cr_assert_gt(out.taken, 0);
	cr_assert_str_eq(reported(), "procwatch: writing failed.txt failed: Disk "
			 "quota exceeded; the output is incomplete\n");
}

Test(checked, success_says_nothing_and_passes_every_event_on)
{
	struct pw_event ev[] = { ev_start(0, 100, cmd_argv, 3), ev_exited(0, 100, 100, 3),
				 ev_end(0, 100, 3) };
	struct pw_sink *s = checked(pw_sink_json_new(open_fake(true, 0, 0)),
				    "trace.jsonl", PW_OUTPUT_TRACE);

	for (size_t i = 0; i < 3; i++)
		cr_assert_eq(pw_sink_event(s, &ev[i]), 0);
	cr_assert_eq(pw_sink_close(s), 0);
	cr_assert_str_eq(reported(), "");
	cr_assert_eq(out.writes, 3, "one line per event, flushed each");
}
