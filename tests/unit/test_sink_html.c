/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the HTML report (src/sink/html.c, html_data.c): hand-built
 * runs fed through pw_format_sink("html") into an open_memstream.  Above
 * all that trace bytes cannot get out of the JSON data block: argv crafted
 * to close the script ("</script>"), open a comment ("<!--"), inject an
 * element, break a line in old JavaScript (U+2028) or be invalid UTF-8
 * never appear raw anywhere in the document, and read back from the block
 * as exactly the bytes they were.  Then what the data says: the shown
 * tree, failures, warnings with their lines, stacks, filters, and nothing
 * at all for a trace that had no event.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/sink.h"
#include "src/sink/html.h"
#include "event_builder.h"
#include "sink_capture.h"

static json_t *data;

static void
teardown(void)
{
	capture_teardown();
	json_decref(data);
	data = NULL;
}

TestSuite(html, .fini = teardown);

static const char data_open[] = "<script type=\"application/json\" id=\"procwatch-data\">";

/* Closes the sink and parses the data block, which ends at the first "</script>". */
static json_t *
parsed(void)
{
	json_error_t err;
	char *start, *end;

	captured();
	start = strstr(buf, data_open);
	cr_assert_not_null(start, "no data block in:\n%s", buf);
	start += strlen(data_open);
	end = strstr(start, "</script>");
	cr_assert_not_null(end);
	data = json_loadb(start, (size_t)(end - start), JSON_REJECT_DUPLICATES, &err);
	cr_assert_not_null(data, "line %d: %s", err.line, err.text);
	return data;
}

static size_t
count(const char *hay, size_t len, const char *needle)
{
	size_t n = 0, k = strlen(needle), i;

	for (i = 0; i + k <= len; i++)
		if (strncasecmp(hay + i, needle, k) == 0)
			n++;
	return n;
}

static json_t *
proc(size_t i)
{
	json_t *p = json_array_get(json_object_get(data, "processes"), i);

	cr_assert_not_null(p, "no process %zu", i);
	return p;
}

static const char *
str_key(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The trace header the tracer writes first. */
static struct pw_event
ev_trace(char *const *argv, struct pw_bytes *args, size_t argc)
{
	struct pw_event ev = ev_new(PW_EV_TRACE, 0, 0, 0);
	size_t i;

	for (i = 0; i < argc; i++)
		args[i] = ev_bytes(argv[i]);
	ev.u.trace.wall_us = 1796289373996215;
	ev.u.trace.version = ev_bytes("0.1.0");
	ev.u.trace.hostname = ev_bytes("ci-7");
	ev.u.trace.kernel = ev_bytes("6.1.0");
	ev.u.trace.cwd = ev_bytes("/src");
	ev.u.trace.argv = args;
	ev.u.trace.argc = argc;
	ev.u.trace.seccomp = true;
	return ev;
}

/* Each element tries another way out of the data block. */
static const char *const hostile[] = {
	"</script><script>alert(1)</script>",
	"<!--",
	"<img src=x onerror=alert(1)>",
	"a\xe2\x80\xa8" "b\xe2\x80\xa9" "c",
	"</SCRIPT >&amp;",
	"\xff\xfe</script>\xc0\xaf",
	"]]>\x1b[31m",
};
#define NHOSTILE (sizeof(hostile) / sizeof(hostile[0]))

/* 10 runs sh -c with the hostile argv; child 11 execs it too and fails. */
static void
run_hostile(void)
{
	static const struct pw_view_opts o = { .time = PW_TIME_NONE, .warnings = true };
	struct pw_bytes argv[NHOSTILE], hargs[NHOSTILE];
	char *cmd[NHOSTILE];
	size_t i;

	for (i = 0; i < NHOSTILE; i++) {
		argv[i] = ev_bytes(hostile[i]);
		cmd[i] = (char *)hostile[i];
	}
	capture_open("html", &o);
	feed(ev_trace(cmd, hargs, NHOSTILE));
	feed(ev_start(1, 10, cmd, NHOSTILE));
	feed(ev_exec(2, 10, hostile[0], argv, NHOSTILE, hostile[1], 0));
	feed(ev_fork(3, 10, 11));
	feed(ev_exec(4, 11, hostile[5], argv, NHOSTILE, hostile[2], 0));
	feed(ev_exited(5, 11, 11, 1));
	feed(ev_exited(6, 10, 10, 1));
	feed(ev_end(7, 10, 1));
}

Test(html, hostile_argv_never_raw_in_the_document)
{
	const char *block;

	run_hostile();
	captured();
	/* Only the template's own: the data block's end and the script's. */
	cr_assert_eq(count(buf, buf_len, "</script"), 2, "%s", buf);
	cr_assert_eq(count(buf, buf_len, "<!--"), 0);
	cr_assert_eq(count(buf, buf_len, "<img"), 0);
	cr_assert_eq(count(buf, buf_len, "<script>alert"), 0);
	cr_assert_eq(count(buf, buf_len, "\xe2\x80\xa8"), 0);
	cr_assert_eq(count(buf, buf_len, "\xe2\x80\xa9"), 0);
	cr_assert_eq(count(buf, buf_len, "\xff"), 0, "invalid UTF-8 left raw");
	/* Inside the block, no markup character at all. */
	block = strstr(buf, data_open) + strlen(data_open);
	cr_assert_eq(strcspn(block, "<>&"), (size_t)(strstr(block, "</script>") - block));
}

/* The data block reads back as exactly the bytes of the trace. */
Test(html, hostile_argv_read_back_exactly)
{
	json_t *argv, *a;
	size_t i;

	run_hostile();
	parsed();
	cr_assert_eq(json_array_size(json_object_get(data, "processes")), 2);
	argv = json_object_get(json_array_get(json_object_get(proc(0), "execs"), 0), "argv");
	cr_assert_eq(json_array_size(argv), NHOSTILE);
	for (i = 0; i < NHOSTILE; i++) {
		a = json_array_get(argv, i);
		if (i == 5) {
			/* Not UTF-8: the hex of every byte, as the trace writes it. */
			cr_assert_str_eq(str_key(a, "hex"), "fffe3c2f7363726970743ec0af");
			continue;
		}
		cr_assert(json_is_string(a), "argv[%zu]", i);
		cr_assert_eq(json_string_length(a), strlen(hostile[i]));
		cr_assert_eq(memcmp(json_string_value(a), hostile[i], strlen(hostile[i])), 0,
			     "argv[%zu] is %s", i, json_string_value(a));
	}
	a = json_object_get(json_object_get(data, "trace"), "argv");
	cr_assert_str_eq(json_string_value(json_array_get(a, 0)), hostile[0]);
	cr_assert_str_eq(str_key(json_array_get(json_object_get(proc(1), "execs"), 0), "cwd"),
			 hostile[2]);
}

/*
 * make (10) runs cc a.c (11, exits 0 after 912ms of CPU, peak 45 MiB)
 * and, after a ./gen.sh it may not run, cc bad.c (12, exits 1), gets a
 * SIGTERM from procwatch's parent, exits 2.  Each record says where it
 * sits, how it ended and what it used.
 */
static void
run_make(const struct pw_view_opts *o)
{
	static struct pw_bytes make[] = { EV_BYTES("make"), EV_BYTES("-j2") };
	static struct pw_bytes cc_a[] = { EV_BYTES("cc"), EV_BYTES("-c"), EV_BYTES("a.c") };
	static struct pw_bytes cc_bad[] = { EV_BYTES("cc"), EV_BYTES("-c"), EV_BYTES("bad.c") };
	static struct pw_bytes gen[] = { EV_BYTES("./gen.sh") };
	char *cmd[] = { (char *)"make", (char *)"-j2" };
	struct pw_bytes hargs[2];

	capture_open("html", o);
	feed(ev_trace(cmd, hargs, 2));
	feed(ev_start(1, 10, cmd, 2));
	feed(ev_exec(2, 10, "/usr/bin/make", make, 2, "/src", 0));
	feed(ev_fork(100, 10, 11));
	feed(ev_fork(110, 10, 12));
	feed(ev_exec(120, 11, "/usr/bin/cc", cc_a, 3, "/src", 0));
	feed(ev_exec(130, 12, "./gen.sh", gen, 1, "/src", -EACCES));
	feed(ev_exec(140, 12, "/usr/bin/cc", cc_bad, 3, "/src", 0));
	feed(ev_with_usage(ev_exited(500, 11, 11, 0), 900000, 12000, 45 * 1024));
	feed(ev_exited(600, 12, 12, 1));
	feed(ev_signal(620, 10, SIGTERM, 1));
	feed(ev_exited(1000, 10, 10, 2));
	feed(ev_end(1010, 10, 2));
}

Test(html, processes_tree_and_failures)
{
	static const struct pw_view_opts o = { .time = PW_TIME_NONE, .warnings = true };
	json_t *p, *u;

	run_make(&o);
	parsed();
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(data, "counts"),
							"processes")), 3);
	cr_assert_str_eq(str_key(json_object_get(data, "trace"), "hostname"), "ci-7");
	cr_assert(json_is_true(json_object_get(json_object_get(data, "end"), "ended")));
	p = proc(0);
	cr_assert_eq(json_integer_value(json_object_get(p, "pid")), 10);
	cr_assert_null(json_object_get(p, "up"), "the root has no parent");
	cr_assert(json_is_true(json_object_get(p, "failed")));
	cr_assert_str_eq(str_key(json_array_get(json_object_get(p, "signals"), 0), "signal"),
			 "SIGTERM");
	p = proc(1);
	cr_assert_eq(json_integer_value(json_object_get(p, "up")), 1);
	cr_assert_null(json_object_get(p, "failed"), "a success is not marked");
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(p, "status"), "code")), 0);
	u = json_object_get(p, "usage");
	cr_assert_eq(json_integer_value(json_object_get(u, "user_us")), 900000);
	cr_assert_eq(json_integer_value(json_object_get(u, "system_us")), 12000);
	cr_assert_eq(json_integer_value(json_object_get(u, "peak_rss_kib")), 45 * 1024);
	cr_assert_null(json_object_get(proc(2), "usage"), "none read: no key");
	p = proc(2);
	cr_assert(json_is_true(json_object_get(p, "failed")));
	cr_assert_str_eq(str_key(json_array_get(json_object_get(p, "failed_execs"), 0), "errno"),
			 "EACCES");
	cr_assert_str_eq(str_key(p, "spawn"), "fork");
	cr_assert_eq(json_real_value(json_object_get(p, "end")), 0.0006);
}

Test(html, match_filter_shows_the_match_and_its_ancestors)
{
	struct pw_view_opts o = { .time = PW_TIME_NONE, .warnings = true };
	json_t *f;

	o.filter.match = "bad\\.c";
	run_make(&o);
	parsed();
	cr_assert_eq(json_array_size(json_object_get(data, "processes")), 2);
	cr_assert_eq(json_integer_value(json_object_get(proc(1), "pid")), 12);
	f = json_object_get(data, "filter");
	cr_assert_str_eq(str_key(f, "match"), "bad\\.c");
}

/* A warning's line goes with the process it is about. */
Test(html, warning_lines_with_their_process)
{
	static const struct pw_view_opts o = { .time = PW_TIME_NONE, .warnings = true };
	json_t *w;

	capture_open("html", &o);
	feed(ev_start(1, 10, (char *[]){ (char *)"sh" }, 1));
	feed(ev_fork(10, 10, 11));
	feed(ev_fork(20, 10, 12));
	feed(ev_killed(30, 12, 12, SIGSEGV));
	feed(ev_exited(40, 11, 11, 0));
	feed(ev_exited(50, 10, 10, 0));
	feed(ev_end(60, 10, 0));
	parsed();
	cr_assert_null(json_object_get(proc(1), "warnings"));
	w = json_array_get(json_object_get(proc(2), "warnings"), 0);
	cr_assert_str_eq(str_key(w, "kind"), "killed");
	cr_assert_not_null(strstr(str_key(w, "text"), "SIGSEGV"), "%s", str_key(w, "text"));
	cr_assert(json_is_null(json_object_get(data, "trace")), "no header: null");
}

/* -k: a stack becomes lines of text, with why it was cut short. */
Test(html, stacks_as_text)
{
	static const struct pw_view_opts o = { .time = PW_TIME_NONE };
	static struct pw_bytes argv[] = { EV_BYTES("true") };
	struct pw_frame frames[] = {
		{ .ip = 0x401136, .off = 0x16, .fn = (char *)"f2", .obj = (char *)"/bin/pw" },
		{ .ip = 0x7f0012345678, .off = 0x1000 },
	};
	struct pw_event ev = ev_exec(2, 10, "/bin/true", argv, 1, "/", 0);
	json_t *st;

	ev.u.exec.stack = (struct pw_stack){ .requested = true, .frames = frames,
					     .nframes = 2, .note = (char *)"deeper than 2 frames" };
	capture_open("html", &o);
	feed(ev_start(1, 10, (char *[]){ (char *)"true" }, 1));
	feed(ev);
	feed(ev_exited(3, 10, 10, 0));
	feed(ev_end(4, 10, 0));
	parsed();
	st = json_object_get(json_array_get(json_object_get(proc(0), "execs"), 0), "stack");
	cr_assert_str_eq(json_string_value(json_array_get(st, 0)), "f2+0x16 (/bin/pw)");
	cr_assert_str_eq(json_string_value(json_array_get(st, 1)), "0x7f0012345678");
	cr_assert_str_eq(str_key(json_array_get(json_object_get(proc(0), "execs"), 0),
				 "stack_note"), "deeper than 2 frames");
}

/* A trace cut short: what still ran is marked, and the end says so. */
Test(html, cut_trace)
{
	static const struct pw_view_opts o = { .time = PW_TIME_NONE };

	capture_open("html", &o);
	feed(ev_start(1, 10, (char *[]){ (char *)"sh" }, 1));
	feed(ev_fork(10, 10, 11));
	parsed();
	cr_assert(json_is_false(json_object_get(json_object_get(data, "end"), "ended")));
	cr_assert(json_is_true(json_object_get(proc(1), "cut")));
	cr_assert(json_is_true(json_object_get(proc(1), "failed")));
	cr_assert_null(json_object_get(proc(1), "end"));
}

/* A child made with CLONE_UNTRACED: a process, marked as not followed. */
Test(html, untraced_child)
{
	static const struct pw_view_opts o = { .time = PW_TIME_NONE };
	struct pw_event sp = ev_fork(10, 10, 11);

	sp.u.spawn.child = 0;
	capture_open("html", &o);
	feed(ev_start(1, 10, (char *[]){ (char *)"sh" }, 1));
	feed(sp);
	feed(ev_exited(20, 10, 10, 0));
	feed(ev_end(21, 10, 0));
	parsed();
	cr_assert(json_is_true(json_object_get(proc(1), "untraced")));
	cr_assert_null(json_object_get(proc(1), "cut"));
	cr_assert_null(json_object_get(proc(0), "untraced"));
}

/* No event at all (an empty or foreign file): no document. */
Test(html, nothing_without_events)
{
	static const struct pw_view_opts o = { .time = PW_TIME_NONE };

	capture_open("html", &o);
	captured();
	cr_assert_eq(buf_len, 0, "%s", buf);
}
