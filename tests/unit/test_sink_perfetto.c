/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the perfetto sink (src/sink/perfetto.c): a hand-built run
 * (a root that forks two children and starts a thread; one child's exec
 * fails and it then execs twice, the other is killed by a signal) is fed
 * into an open_memstream, parsed back with jansson and checked against the
 * trace event format strictly: the keys and types of every event, the
 * names of the tracks, a matching "f" for every flow "s", exec slices
 * nested in their process slice, and the exit statuses in the args.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procwatch/sink.h"
#include "event_builder.h"
#include "sink_capture.h"

static json_t *root;

static void
teardown(void)
{
	capture_teardown();
	json_decref(root);
	root = NULL;
}

TestSuite(perfetto, .fini = teardown);

static const struct pw_view_opts plain = { .time = PW_TIME_NONE };

static void
open_sink(void)
{
	capture_open("perfetto", &plain);
}

/* Closes the sink and parses what it wrote; duplicate keys are an error. */
static json_t *
parsed(void)
{
	json_error_t err;

	root = json_loads(captured(), JSON_REJECT_DUPLICATES, &err);
	cr_assert_not_null(root, "line %d: %s\n%s", err.line, err.text, buf);
	return root;
}

/*
 * 10 make all: forks 11 and 12, starts thread 13.  11 fails to exec cc
 * from /usr/local/bin, execs cc, then as with a non-UTF-8 argument, exits
 * 0.  12 gets SIGTERM and dies of it.  make exits 2.
 */
static json_t *
run_scenario(void)
{
	struct pw_bytes make[] = { ev_bytes("make"), ev_bytes("all") };
	struct pw_bytes cc[] = { ev_bytes("cc"), ev_bytes("-c"), ev_bytes("x.c") };
	struct pw_bytes as[] = { ev_bytes("as"), ev_bytes("\xff.s") };
	char *cmd[] = { (char *)"make", NULL };

	open_sink();
	feed(ev_start(0, 10, cmd, 1));
	feed(ev_exec(10, 10, "/usr/bin/make", make, 2, "/src", 0));
	feed(ev_fork(100, 10, 11));
	feed(ev_fork(150, 10, 12));
	feed(ev_spawn(170, 10, 10, PW_SPAWN_THREAD, 13));
	feed(ev_exec(200, 11, "/usr/local/bin/cc", cc, 3, "/src", -ENOENT));
	feed(ev_exec(210, 11, "/usr/bin/cc", cc, 3, "/src", 0));
	feed(ev_signal(300, 12, SIGTERM, 10));
	feed(ev_killed(320, 12, 12, SIGTERM));
	feed(ev_exec(400, 11, "/usr/bin/as", as, 2, "/src", 0));
	feed(ev_exited(500, 10, 13, 0));
	feed(ev_exited(900, 11, 11, 0));
	feed(ev_exited(1000, 10, 10, 2));
	feed(ev_end(1010, 10, 2));
	return parsed();
}

static bool
is_one_of(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

static void
check_int_key(json_t *ev, const char *key)
{
	json_t *v = json_object_get(ev, key);

	cr_assert(json_is_integer(v), "\"%s\" is not an integer", key);
	cr_assert_geq(json_integer_value(v), 0, "\"%s\" < 0", key);
}

/* The keys an event of its phase must have, with their types. */
static void
check_event(json_t *ev)
{
	static const char *const phases[] = { "M", "X", "s", "f", "i", NULL };
	static const char *const meta[] = {
		"process_name", "thread_name", "process_sort_index", NULL,
	};
	const char *ph = json_string_value(json_object_get(ev, "ph"));
	const char *name = json_string_value(json_object_get(ev, "name"));

	cr_assert(json_is_object(ev));
	cr_assert_not_null(ph, "no \"ph\"");
	cr_assert(is_one_of(ph, phases), "phase %s", ph);
	cr_assert_not_null(name, "no \"name\" string");
	check_int_key(ev, "pid");
	check_int_key(ev, "tid");
	if (strcmp(ph, "M") == 0) {
		cr_assert(is_one_of(name, meta), "metadata %s", name);
		cr_assert(json_is_object(json_object_get(ev, "args")));
		return;
	}
	cr_assert(json_is_number(json_object_get(ev, "ts")));
	check_int_key(ev, "ts");
	if (strcmp(ph, "X") == 0)
		check_int_key(ev, "dur");
	if (strcmp(ph, "i") == 0)
		cr_assert_str_eq(json_string_value(json_object_get(ev, "s")), "t");
	if (strcmp(ph, "s") == 0 || strcmp(ph, "f") == 0) {
		check_int_key(ev, "id");
		cr_assert_str_eq(json_string_value(json_object_get(ev, "cat")), "spawn");
	}
	if (strcmp(ph, "f") == 0)
		cr_assert_str_eq(json_string_value(json_object_get(ev, "bp")), "e");
}

static json_t *
events(json_t *top)
{
	json_t *evs = json_object_get(top, "traceEvents");

	cr_assert(json_is_object(top));
	cr_assert(json_is_array(evs));
	return evs;
}

static json_int_t
num(json_t *ev, const char *key)
{
	return json_integer_value(json_object_get(ev, key));
}

static bool
is(json_t *ev, const char *ph)
{
	return strcmp(json_string_value(json_object_get(ev, "ph")), ph) == 0;
}

static bool
has_cat(json_t *ev, const char *cat)
{
	const char *c = json_string_value(json_object_get(ev, "cat"));

	return c && strcmp(c, cat) == 0;
}

Test(perfetto, schema_of_every_event)
{
	json_t *evs = events(run_scenario()), *ev;
	size_t i;

	cr_assert_gt(json_array_size(evs), 0);
	json_array_foreach(evs, i, ev)
		check_event(ev);
	cr_assert_eq(json_object_size(root), 1, "%s", buf);
}

/* The X slice of cat on (pid, tid) that holds ts, or NULL. */
static json_t *
slice_at(json_t *evs, const char *cat, json_int_t pid, json_int_t tid, json_int_t ts)
{
	json_t *ev;
	size_t i;

	json_array_foreach(evs, i, ev) {
		if (!is(ev, "X") || (cat && !has_cat(ev, cat)) ||
		    num(ev, "pid") != pid || num(ev, "tid") != tid)
			continue;
		if (num(ev, "ts") <= ts && ts <= num(ev, "ts") + num(ev, "dur"))
			return ev;
	}
	return NULL;
}

Test(perfetto, track_names)
{
	static const char *const want[][3] = {
		{ "10", "10", "10 make" }, { "11", "11", "11 as" }, { "12", "12", "12 make" },
	};
	json_t *evs = events(run_scenario()), *ev;
	unsigned found = 0, thread13 = 0;
	size_t i, k;

	json_array_foreach(evs, i, ev) {
		const char *name = json_string_value(json_object_get(ev, "name"));
		const char *label = json_string_value(json_object_get(
			json_object_get(ev, "args"), "name"));

		if (!is(ev, "M"))
			continue;
		if (strcmp(name, "thread_name") == 0 && num(ev, "tid") == 13)
			thread13++;
		if (strcmp(name, "process_name") != 0)
			continue;
		for (k = 0; k < 3; k++)
			if (num(ev, "pid") == atoi(want[k][0]) &&
			    strcmp(label, want[k][2]) == 0)
				found |= 1u << k;
	}
	cr_assert_eq(found, 7, "%s", buf);
	cr_assert_eq(thread13, 1);
}

Test(perfetto, every_flow_start_has_its_finish)
{
	json_t *evs = events(run_scenario()), *ev, *other;
	size_t i, j, starts = 0, finishes;

	json_array_foreach(evs, i, ev) {
		if (!is(ev, "s"))
			continue;
		starts++;
		/* The arrow leaves from inside the spawning thread's slice. */
		cr_assert_not_null(slice_at(evs, NULL, num(ev, "pid"), num(ev, "tid"), num(ev, "ts")));
		finishes = 0;
		json_array_foreach(evs, j, other) {
			if (!is(other, "f") || num(other, "id") != num(ev, "id"))
				continue;
			finishes++;
			/* ... and lands on the child's first slice, which starts there. */
			cr_assert_not_null(slice_at(evs, NULL, num(other, "pid"),
						    num(other, "tid"), num(other, "ts")));
		}
		cr_assert_eq(finishes, 1, "flow %lld", (long long)num(ev, "id"));
	}
	cr_assert_eq(starts, 3, "two forks and a thread");
}

Test(perfetto, exec_slices_nest_in_their_process)
{
	json_t *evs = events(run_scenario()), *ev, *proc;
	size_t i, n = 0;

	json_array_foreach(evs, i, ev) {
		if (!is(ev, "X") || !has_cat(ev, "exec"))
			continue;
		n++;
		proc = slice_at(evs, "process", num(ev, "pid"), num(ev, "tid"), num(ev, "ts"));
		cr_assert_not_null(proc);
		cr_assert_leq(num(ev, "ts") + num(ev, "dur"), num(proc, "ts") + num(proc, "dur"));
		cr_assert(json_is_array(json_object_get(json_object_get(ev, "args"), "argv")));
	}
	cr_assert_eq(n, 3, "make, cc and as");
	/* cc runs from its exec until as replaces it. */
	ev = slice_at(evs, "exec", 11, 11, 210);
	cr_assert_str_eq(json_string_value(json_object_get(ev, "name")), "cc");
	cr_assert_eq(num(ev, "dur"), 190);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(ev, "args"), "cwd")),
			 "/src");
}

static json_t *
args_of(json_t *slice)
{
	cr_assert_not_null(slice);
	return json_object_get(slice, "args");
}

Test(perfetto, exit_status_in_args)
{
	json_t *evs = events(run_scenario()), *a;

	a = args_of(slice_at(evs, "process", 10, 10, 0));
	cr_assert_str_eq(json_string_value(json_object_get(a, "status")), "exited");
	cr_assert_eq(num(a, "exit_code"), 2);
	a = args_of(slice_at(evs, "process", 12, 12, 150));
	cr_assert_str_eq(json_string_value(json_object_get(a, "status")), "killed");
	cr_assert_str_eq(json_string_value(json_object_get(a, "signal")), "SIGTERM");
	/* The last image ends with the process; the one before was replaced. */
	a = args_of(slice_at(evs, "exec", 11, 11, 450));
	cr_assert_str_eq(json_string_value(json_object_get(a, "status")), "exited");
	cr_assert_eq(num(a, "exit_code"), 0);
	a = args_of(slice_at(evs, "exec", 11, 11, 300));
	cr_assert_str_eq(json_string_value(json_object_get(a, "status")), "replaced by exec");
	/* The thread's slice ends with its own exit. */
	a = args_of(slice_at(evs, "thread", 10, 13, 170));
	cr_assert_eq(num(slice_at(evs, "thread", 10, 13, 170), "dur"), 330);
	cr_assert_eq(num(a, "exit_code"), 0);
}

/* What a process used is in its slice's args, as the JSON trace names it; what was not read is absent. */
Test(perfetto, usage_in_process_args)
{
	struct pw_event killed = ev_killed(300, 12, 12, SIGTERM);
	char *cmd[] = { (char *)"make", NULL };
	json_t *evs, *a;

	killed.u.exit.usage = (struct pw_usage){ .known = PW_USAGE_USER | PW_USAGE_SYSTEM,
						 .user_us = 7, .system_us = 0 };
	open_sink();
	feed(ev_start(0, 10, cmd, 1));
	feed(ev_fork(100, 10, 11));
	feed(ev_fork(150, 10, 12));
	feed(ev_with_usage(ev_exited(200, 11, 11, 0), 912000, 3000, 46080));
	feed(killed);
	feed(ev_exited(1000, 10, 10, 0));
	feed(ev_end(1010, 10, 0));
	evs = events(parsed());
	a = args_of(slice_at(evs, "process", 11, 11, 100));
	cr_assert_eq(num(a, "user_us"), 912000);
	cr_assert_eq(num(a, "system_us"), 3000);
	cr_assert_eq(num(a, "peak_rss_kib"), 46080);
	a = args_of(slice_at(evs, "process", 12, 12, 150));
	cr_assert_eq(num(a, "user_us"), 7);
	cr_assert(json_is_integer(json_object_get(a, "system_us")));
	cr_assert_null(json_object_get(a, "peak_rss_kib"));
	a = args_of(slice_at(evs, "process", 10, 10, 0));
	cr_assert_null(json_object_get(a, "user_us"));
	cr_assert_null(json_object_get(a, "peak_rss_kib"));
}

Test(perfetto, markers_and_tracee_bytes)
{
	json_t *evs = events(run_scenario()), *ev, *a, *arg1;
	size_t i;
	unsigned failed = 0, signals = 0, kills = 0;

	json_array_foreach(evs, i, ev) {
		if (!is(ev, "i"))
			continue;
		a = json_object_get(ev, "args");
		if (has_cat(ev, "exec")) {
			failed++;
			cr_assert_eq(num(ev, "ts"), 200);
			cr_assert_str_eq(json_string_value(json_object_get(a, "errno")), "ENOENT");
			cr_assert_str_eq(json_string_value(json_object_get(a, "path")),
					 "/usr/local/bin/cc");
		} else if (json_object_get(a, "sender")) {
			signals++;
			cr_assert_str_eq(json_string_value(json_object_get(ev, "name")), "SIGTERM");
			cr_assert_eq(num(a, "sender"), 10);
			cr_assert_eq(num(ev, "pid"), 12);
		} else {
			/* The death itself, at the end of the process slice. */
			kills++;
			cr_assert_str_eq(json_string_value(json_object_get(ev, "name")),
					 "killed by SIGTERM");
			cr_assert_eq(num(ev, "pid"), 12);
			cr_assert_eq(num(ev, "ts"), 320);
		}
	}
	cr_assert_eq(failed, 1);
	cr_assert_eq(signals, 1);
	cr_assert_eq(kills, 1);
	/* A non-UTF-8 argument keeps its exact bytes, as in the JSON trace. */
	arg1 = json_array_get(json_object_get(args_of(slice_at(evs, "exec", 11, 11, 450)),
					      "argv"), 1);
	cr_assert_str_eq(json_string_value(json_object_get(arg1, "hex")), "ff2e73");
}

Test(perfetto, no_events_is_still_a_trace)
{
	open_sink();
	cr_assert_eq(json_array_size(events(parsed())), 0);
}

/*
 * The document holds traceEvents and nothing else: "displayTimeUnit" made
 * older Perfetto UI builds read every ts as milliseconds.
 */
Test(perfetto, document_is_only_trace_events)
{
	const char *tail;

	open_sink();
	feed(ev_fork(5, 30, 31));
	events(parsed());
	cr_assert_eq(json_object_size(root), 1);
	cr_assert_null(strstr(buf, "displayTimeUnit"));
	tail = buf + strlen(buf) - 3;
	cr_assert_str_eq(tail, "]}\n", "%s", buf);
}

Test(perfetto, running_process_ends_with_the_trace)
{
	json_t *evs, *a;

	open_sink();
	feed(ev_fork(5, 30, 31));
	feed(ev_exited(50, 30, 30, 0));
	evs = events(parsed());
	a = args_of(slice_at(evs, "process", 31, 31, 5));
	cr_assert_str_eq(json_string_value(json_object_get(a, "status")), "running");
	cr_assert_eq(num(slice_at(evs, "process", 31, 31, 5), "dur"), 45);
}

/* A pid the kernel reused is a second slice on the same track, its own arrow. */
Test(perfetto, reused_pid_gets_its_own_slice)
{
	struct pw_bytes b[] = { ev_bytes("b") };
	json_t *evs, *first, *second;

	open_sink();
	feed(ev_fork(5, 40, 41));
	feed(ev_exited(10, 41, 41, 1));
	feed(ev_fork(20, 40, 41));
	feed(ev_exec(25, 41, "/bin/b", b, 1, "/src", 0));
	feed(ev_exited(30, 41, 41, 0));
	feed(ev_exited(40, 40, 40, 0));
	evs = events(parsed());
	first = slice_at(evs, "process", 41, 41, 5);
	second = slice_at(evs, "process", 41, 41, 20);
	cr_assert_not_null(first);
	cr_assert_not_null(second);
	cr_assert_neq(first, second);
	cr_assert_eq(num(first, "dur"), 5);
	cr_assert_eq(num(args_of(first), "exit_code"), 1);
	cr_assert_str_eq(json_string_value(json_object_get(second, "name")), "b");
	/* The second life's exec slice is not attached to the first. */
	cr_assert_null(slice_at(evs, "exec", 41, 41, 10));
	cr_assert_not_null(slice_at(evs, "exec", 41, 41, 25));
}

/* -k: a symbol, a stripped object, code in no file, a symbol not UTF-8. */
static struct pw_frame frames3[] = {
	{ .ip = 0x55555555521a, .off = 0x1a, .fn = "f2", .obj = "/tmp/pw_stack" },
	{ .ip = 0x555555555139, .off = 0x1139, .fn = NULL, .obj = "/tmp/pw_stack.stripped" },
	{ .ip = 0x7f0012345678, .off = 4, .fn = "jit\xff", .obj = NULL },
};

/* The array at key holds exactly these strings. */
static void
assert_strings(json_t *obj, const char *key, const char *const *want)
{
	json_t *arr = json_object_get(obj, key);
	size_t i;

	cr_assert(json_is_array(arr), "%s is not an array in %s", key, buf);
	for (i = 0; want[i]; i++) {
		cr_assert(json_is_string(json_array_get(arr, i)), "%s[%zu]", key, i);
		cr_assert_str_eq(json_string_value(json_array_get(arr, i)), want[i]);
	}
	cr_assert_eq(json_array_size(arr), i, "%s size in %s", key, buf);
}

#define STRS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const char *
str_arg(json_t *args, const char *key)
{
	return json_string_value(json_object_get(args, key));
}

/*
 * An exec's stack on its slice or on its "exec failed" marker; a spawn's
 * on the slice of what it created: the child process, or the thread.
 */
Test(perfetto, stacks_in_args)
{
	struct pw_bytes cc[] = { ev_bytes("cc") };
	struct pw_stack st3 = { .requested = true, .frames = frames3, .nframes = 3,
				.note = "deeper than 3 frames" };
	struct pw_event sp = ev_fork(10, 20, 21), th = ev_spawn(15, 20, 20, PW_SPAWN_THREAD, 22);
	struct pw_event bad = ev_exec(30, 21, "/a/cc", cc, 1, "/src", -ENOENT);
	struct pw_event ok = ev_exec(40, 21, "/b/cc", cc, 1, "/src", 0);
	json_t *evs, *ev, *a;
	size_t i;

	sp.u.spawn.stack = st3;
	th.u.spawn.stack = (struct pw_stack){ .requested = true, .frames = frames3, .nframes = 1 };
	bad.u.exec.stack = (struct pw_stack){ .requested = true, .note = "the task died" };
	ok.u.exec.stack = st3;
	open_sink();
	feed(sp);
	feed(th);
	feed(bad);
	feed(ok);
	feed(ev_exited(50, 21, 21, 0));
	feed(ev_exited(60, 20, 20, 0));
	evs = events(parsed());
	a = args_of(slice_at(evs, "process", 21, 21, 10));
	assert_strings(a, "spawn_stack", STRS("f2+0x1a (/tmp/pw_stack)",
		       "0x1139 (/tmp/pw_stack.stripped)", "jit\xef\xbf\xbd+0x4"));
	cr_assert_str_eq(str_arg(a, "spawn_stack_note"), "deeper than 3 frames");
	a = args_of(slice_at(evs, "thread", 20, 22, 15));
	assert_strings(a, "spawn_stack", STRS("f2+0x1a (/tmp/pw_stack)"));
	cr_assert_null(json_object_get(a, "spawn_stack_note"));
	a = args_of(slice_at(evs, "exec", 21, 21, 45));
	assert_strings(a, "stack", STRS("f2+0x1a (/tmp/pw_stack)",
		       "0x1139 (/tmp/pw_stack.stripped)", "jit\xef\xbf\xbd+0x4"));
	cr_assert_str_eq(str_arg(a, "stack_note"), "deeper than 3 frames");
	json_array_foreach(evs, i, ev) {
		if (!is(ev, "i") || !has_cat(ev, "exec"))
			continue;
		a = json_object_get(ev, "args");
		assert_strings(a, "stack", STRS(NULL));
		cr_assert_str_eq(str_arg(a, "stack_note"), "the task died");
	}
	/* The root was not spawned in the trace: no spawn stack. */
	cr_assert_null(json_object_get(args_of(slice_at(evs, "process", 20, 20, 10)), "spawn_stack"));
}

/* Without -k no key says anything about stacks. */
Test(perfetto, no_stack_keys_without_k)
{
	json_t *evs = events(run_scenario());

	(void)evs;
	cr_assert_null(strstr(buf, "stack"), "%s", buf);
}

/* The instant markers of (pid, tid) named name. */
static size_t
count_marks(json_t *evs, const char *name, json_int_t pid, json_int_t tid)
{
	json_t *ev;
	size_t i, n = 0;

	json_array_foreach(evs, i, ev)
		if (is(ev, "i") && strcmp(json_string_value(json_object_get(ev, "name")), name) == 0 &&
		    num(ev, "pid") == pid && num(ev, "tid") == tid)
			n++;
	return n;
}

static json_t *
mark_named(json_t *evs, const char *name)
{
	json_t *ev;
	size_t i;

	json_array_foreach(evs, i, ev)
		if (is(ev, "i") && strcmp(json_string_value(json_object_get(ev, "name")), name) == 0)
			return ev;
	return NULL;
}

/*
 * An exec the task died in: an "exec unfinished" marker on its thread's
 * track with the path and the -k stack, but no errno (there was none) and
 * no failed_execs; then the kill at the process's end.  A spawn the task
 * died in made nothing: no arrow, no slice, no marker.
 */
Test(perfetto, unfinished_exec_and_spawn)
{
	struct pw_bytes tr[] = { ev_bytes("true") };
	struct pw_event ex = ev_exec(30, 21, "/bin/true", tr, 1, "/src", PW_RESULT_UNFINISHED);
	struct pw_event sp = ev_fork(40, 20, 0);
	json_t *evs, *m, *a, *ev;
	size_t i;

	ex.u.exec.stack = (struct pw_stack){ .requested = true, .frames = frames3, .nframes = 1,
					     .note = "the task died while its stack was read" };
	sp.u.spawn.parent = 0;
	sp.u.spawn.result = PW_RESULT_UNFINISHED;
	sp.u.spawn.stack = (struct pw_stack){ .requested = true, .frames = frames3, .nframes = 2 };
	open_sink();
	feed(ev_fork(10, 20, 21));
	feed(ex);
	feed(ev_killed(31, 21, 21, SIGKILL));
	feed(sp);
	feed(ev_killed(41, 20, 20, SIGKILL));
	evs = events(parsed());
	json_array_foreach(evs, i, ev)
		check_event(ev);
	cr_assert_eq(count_marks(evs, "exec unfinished", 21, 21), 1, "%s", buf);
	m = mark_named(evs, "exec unfinished");
	cr_assert_str_eq(json_string_value(json_object_get(m, "cat")), "exec");
	cr_assert_eq(num(m, "ts"), 30);
	a = json_object_get(m, "args");
	cr_assert_str_eq(str_arg(a, "path"), "/bin/true");
	cr_assert_null(json_object_get(a, "errno"), "%s", buf);
	assert_strings(a, "stack", STRS("f2+0x1a (/tmp/pw_stack)"));
	cr_assert_str_eq(str_arg(a, "stack_note"), "the task died while its stack was read");
	cr_assert_null(mark_named(evs, "exec failed"), "%s", buf);
	cr_assert_eq(count_marks(evs, "killed by SIGKILL", 21, 21), 1, "%s", buf);
	a = args_of(slice_at(evs, "process", 21, 21, 10));
	cr_assert_null(json_object_get(a, "failed_execs"), "%s", buf);
	cr_assert_null(slice_at(evs, "exec", 21, 21, 30), "no image: nothing ran");
	/* The one arrow is the fork that returned: the unfinished one drew none. */
	json_array_foreach(evs, i, ev)
		cr_assert(!is(ev, "s") || num(ev, "ts") == 10, "%s", buf);
	cr_assert_null(strstr(buf, "0x1139"), "the unfinished fork's stack has no slice: %s", buf);
}

/*
 * make (30, a thread 32) found running after 5 s, attached at 1000 µs; its
 * child 31 found too and exits; make execs sh later; procwatch detaches.
 * The slices start at the attach, not 5 s before the trace: nothing is
 * negative or wrapped, and the args say attached, the age and detached.
 */
Test(perfetto, attached_processes)
{
	struct pw_bytes make[] = { ev_bytes("make"), ev_bytes("-j2") };
	struct pw_bytes sh[] = { ev_bytes("sh") };
	pid_t make_tids[] = { 30, 32 }, kid_tids[] = { 31 };
	struct pw_event make_ev = ev_attach(1000, 30, 1, make, 2, make_tids, 2, 5000000);
	struct pw_event kid_ev = ev_attach(1010, 31, 30, make, 2, kid_tids, 1, 70);
	json_t *evs, *ev, *a, *s;
	size_t i;

	make_ev.u.attach.exe = kid_ev.u.attach.exe = ev_bytes("/usr/bin/make");
	make_ev.u.attach.cwd = kid_ev.u.attach.cwd = ev_bytes("/src");
	open_sink();
	feed(ev_attach_start(0, (pid_t[]){ 30 }, 1));
	feed(make_ev);
	feed(kid_ev);
	feed(ev_exited(2000, 31, 31, 1));
	feed(ev_exec(3000, 30, "/bin/sh", sh, 1, "/src", 0));
	feed(ev_end_attach(9000, true));
	evs = events(parsed());
	cr_assert_null(json_object_get(root, "otherData"), "nothing is missing: %s", buf);
	json_array_foreach(evs, i, ev) {
		check_event(ev);
		if (is(ev, "X"))
			cr_assert_geq(num(ev, "ts"), 1000, "%s", buf);
	}
	s = slice_at(evs, "process", 30, 30, 1000);
	cr_assert_not_null(s, "%s", buf);
	cr_assert_eq(num(s, "ts"), 1000);
	cr_assert_eq(num(s, "dur"), 8000, "to the end of the trace, not the age");
	a = args_of(s);
	cr_assert(json_is_true(json_object_get(a, "attached")), "%s", buf);
	cr_assert_eq(num(a, "age_us"), 5000000);
	cr_assert(json_is_true(json_object_get(a, "detached")), "%s", buf);
	cr_assert_eq(num(a, "ppid"), 1, "its parent, outside the trace");
	cr_assert_null(json_object_get(a, "spawn"), "not seen spawned");
	cr_assert_str_eq(str_arg(a, "status"), "running");
	/* Its first image is what it was found running, until the exec. */
	s = slice_at(evs, "exec", 30, 30, 1500);
	cr_assert_not_null(s, "%s", buf);
	cr_assert_eq(num(s, "ts"), 1000);
	cr_assert_eq(num(s, "dur"), 2000);
	a = args_of(s);
	cr_assert(json_is_true(json_object_get(a, "attached")));
	cr_assert_str_eq(str_arg(a, "path"), "/usr/bin/make");
	cr_assert_str_eq(str_arg(a, "cwd"), "/src");
	assert_strings(a, "argv", STRS("make", "-j2"));
	cr_assert_str_eq(str_arg(a, "status"), "replaced by exec");
	s = slice_at(evs, "thread", 30, 32, 1000);
	cr_assert_not_null(s, "%s", buf);
	cr_assert(json_is_true(json_object_get(args_of(s), "attached")));
	/* The child under make: ppid, attached, ended, not detached. */
	a = args_of(slice_at(evs, "process", 31, 31, 1010));
	cr_assert_eq(num(a, "ppid"), 30);
	cr_assert_eq(num(a, "age_us"), 70);
	cr_assert_null(json_object_get(a, "detached"));
	cr_assert_eq(num(a, "exit_code"), 1);
}
