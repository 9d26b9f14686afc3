/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A format's sink writing into memory, for the unit tests of the views:
 * capture_open() makes it, feed() gives it events, captured() closes it
 * and returns all it wrote (in buf, buf_len); capture_teardown(), a test
 * suite's .fini, frees what a failed test left open.  One capture at a
 * time: the state is the test file's statics.
 */
#ifndef PW_TEST_SINK_CAPTURE_H
#define PW_TEST_SINK_CAPTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "procwatch/event.h"
#include "procwatch/sink.h"

static char *buf;
static size_t buf_len;
static FILE *mem;
static struct pw_sink *sink;

static inline void
capture_open(const char *format, const struct pw_view_opts *o)
{
	mem = open_memstream(&buf, &buf_len);
	cr_assert_not_null(mem);
	sink = pw_format_sink(pw_format_find(format), mem, o);
	cr_assert_not_null(sink);
}

static inline void
feed(struct pw_event ev)
{
	cr_assert_eq(pw_sink_event(sink, &ev), 0);
}

/* Closes the sink and returns everything it wrote. */
static inline char *
captured(void)
{
	cr_assert_eq(pw_sink_close(sink), 0);
	sink = NULL;
	fclose(mem);
	mem = NULL;
	return buf;
}

static inline void
capture_teardown(void)
{
	if (sink)
		pw_sink_close(sink);
	if (mem)
		fclose(mem);
	free(buf);
	buf = NULL;
}

#endif
