/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the JSON Lines sink: events built by hand are written to an
 * open_memstream, and each line is checked to be exactly one line and
 * parsed back with jansson (duplicate keys rejected), asserting the exact
 * key set and order of format version 1 and every value, including an exec
 * whose argv holds quotes, newlines, an escape sequence and bytes that are
 * not UTF-8.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "procwatch/decode.h"
#include "procwatch/sink.h"

#define CLONE_INTO_CGROUP_BIT (1ULL << 33)

static char *buf;
static size_t buf_len;
static size_t seen;	/* output already checked */
static FILE *mem;
static struct pw_sink *sink;
static char line[8192];

static void
setup(void)
{
	mem = open_memstream(&buf, &buf_len);
	cr_assert_not_null(mem);
	sink = pw_sink_json_new(mem);
	cr_assert_not_null(sink);
	seen = 0;
}

static void
teardown(void)
{
	if (sink)
		cr_assert_eq(pw_sink_close(sink), 0);
	fclose(mem);
	free(buf);
}

TestSuite(sink_json, .init = setup, .fini = teardown);

/*
 * Writes ev and returns its line parsed.  The sink flushes by itself, so
 * the memstream's buffer already holds the line without our fflush.  The
 * raw text stays in line[] for checks on the exact bytes.
 */
static json_t *
emit(const struct pw_event *ev)
{
	json_error_t err;
	size_t len;
	json_t *obj;

	cr_assert_eq(pw_sink_event(sink, ev), 0);
	cr_assert_gt(buf_len, seen, "nothing written");
	len = buf_len - seen;
	cr_assert_lt(len, sizeof(line));
	memcpy(line, buf + seen, len);
	line[len] = '\0';
	seen = buf_len;
	cr_assert_eq(line[len - 1], '\n', "line does not end with a newline: %s", line);
	cr_assert_eq(memchr(line, '\n', len - 1), NULL, "more than one line: %s", line);
	cr_assert_eq(memchr(line, '\r', len), NULL);
	obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
	cr_assert_not_null(obj, "%s at %d: %s", err.text, err.position, line);
	cr_assert(json_is_object(obj));
	return obj;
}

/* The object has exactly these keys, in this order (jansson keeps order). */
static void
assert_keys(json_t *obj, const char *const *keys)
{
	void *it = json_object_iter(obj);
	size_t i;

	for (i = 0; keys[i]; i++) {
		cr_assert_not_null(it, "key %s missing in %s", keys[i], line);
		cr_assert_str_eq(json_object_iter_key(it), keys[i], "in %s", line);
		it = json_object_iter_next(obj, it);
	}
	cr_assert_null(it, "extra key %s in %s", it ? json_object_iter_key(it) : "", line);
}

#define KEYS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const char *
str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	cr_assert(json_is_string(v), "%s is not a string in %s", key, line);
	return json_string_value(v);
}

static json_int_t
num(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	cr_assert(json_is_integer(v), "%s is not an integer in %s", key, line);
	return json_integer_value(v);
}

static bool
boolean(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	cr_assert(json_is_boolean(v), "%s is not a boolean in %s", key, line);
	return json_is_true(v);
}

static void
assert_common(json_t *obj, const char *event, pid_t pid, pid_t tid)
{
	cr_assert_str_eq(str(obj, "event"), event);
	cr_assert_eq(num(obj, "pid"), pid);
	cr_assert_eq(num(obj, "tid"), tid);
	cr_assert(json_is_real(json_object_get(obj, "t")));
}

/* The array at key holds exactly these strings. */
static void
assert_strings(json_t *obj, const char *key, const char *const *want)
{
	json_t *arr = json_object_get(obj, key);
	size_t i;

	cr_assert(json_is_array(arr), "%s is not an array in %s", key, line);
	for (i = 0; want[i]; i++) {
		cr_assert(json_is_string(json_array_get(arr, i)), "%s[%zu] in %s", key, i, line);
		cr_assert_str_eq(json_string_value(json_array_get(arr, i)), want[i]);
	}
	cr_assert_eq(json_array_size(arr), i, "%s size in %s", key, line);
}

#define STRS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NO_STRS ((const char *const[]){ NULL })

Test(sink_json, start)
{
	char *argv[] = { "sh", "-c", "echo \"hi\"\n", "\xff" };
	struct pw_event ev = {
		.kind = PW_EV_START, .time_us = 0, .pid = 100, .tid = 100,
		.u.start = { .argv = argv, .argc = 4, .seccomp = true, .version = "0.1.0" },
	};
	json_t *o = emit(&ev), *a3;

	cr_assert_eq(strncmp(line, "{\"v\":1,\"t\":0.000000,\"event\":\"start\",", 36), 0,
		     "%s", line);
	assert_keys(o, KEYS("v", "t", "event", "pid", "tid", "argv", "mode", "seccomp", "version"));
	assert_common(o, "start", 100, 100);
	cr_assert_eq(num(o, "v"), 1);
	cr_assert_eq(json_array_size(json_object_get(o, "argv")), 4);
	a3 = json_array_get(json_object_get(o, "argv"), 2);
	cr_assert_str_eq(json_string_value(a3), "echo \"hi\"\n");
	a3 = json_array_get(json_object_get(o, "argv"), 3);
	cr_assert_str_eq(str(a3, "hex"), "ff");
	cr_assert_str_eq(str(o, "mode"), "launch");
	cr_assert(boolean(o, "seccomp"));
	cr_assert_str_eq(str(o, "version"), "0.1.0");
	json_decref(o);
}

Test(sink_json, start_attach_and_v_only_on_start)
{
	struct pw_event ev = {
		.kind = PW_EV_START, .pid = 1, .tid = 1,
		.u.start = { .attach = true, .seccomp = false, .version = "x" },
	};
	struct pw_event sig = {
		.kind = PW_EV_SIGNAL, .pid = 1, .tid = 1, .u.signal = { .signal = SIGINT },
	};
	json_t *o = emit(&ev);

	cr_assert_str_eq(str(o, "mode"), "attach");
	cr_assert_not(boolean(o, "seccomp"));
	cr_assert_eq(json_array_size(json_object_get(o, "argv")), 0);
	json_decref(o);
	o = emit(&sig);
	cr_assert_null(json_object_get(o, "v"));
	cr_assert_eq(strncmp(line, "{\"t\":", 5), 0);
	json_decref(o);
}

Test(sink_json, time_is_fixed_point_seconds)
{
	struct pw_event ev = {
		.kind = PW_EV_SIGNAL, .time_us = 12000345, .pid = 1, .tid = 1,
		.u.signal = { .signal = SIGTERM },
	};
	json_t *o = emit(&ev);

	cr_assert_eq(strncmp(line, "{\"t\":12.000345,", 15), 0, "%s", line);
	cr_assert_float_eq(json_real_value(json_object_get(o, "t")), 12.000345, 1e-9);
	json_decref(o);
}

Test(sink_json, spawn_fork)
{
	struct pw_event ev = {
		.kind = PW_EV_SPAWN, .time_us = 456, .pid = 1234, .tid = 1234,
		.u.spawn = {
			.call = PW_CALL_CLONE,
			.flags = CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID,
			.exit_signal = SIGCHLD, .kind = PW_SPAWN_FORK,
			.child = 1235, .parent = 1234, .result = 1235,
		},
	};
	json_t *o = emit(&ev);

	assert_keys(o, KEYS("t", "event", "pid", "tid", "call", "flags", "exit_signal",
			    "kind", "thread", "parent", "result", "child"));
	assert_common(o, "spawn", 1234, 1234);
	cr_assert_str_eq(str(o, "call"), "clone");
	assert_strings(o, "flags", STRS("CLONE_CHILD_CLEARTID", "CLONE_CHILD_SETTID"));
	cr_assert_str_eq(str(o, "exit_signal"), "SIGCHLD");
	cr_assert_str_eq(str(o, "kind"), "fork");
	cr_assert_not(boolean(o, "thread"));
	cr_assert_eq(num(o, "parent"), 1234);
	cr_assert_eq(num(o, "result"), 1235);
	cr_assert_eq(num(o, "child"), 1235);
	json_decref(o);
}

Test(sink_json, spawn_failure_unknown_bits_no_signal)
{
	struct pw_event ev = {
		.kind = PW_EV_SPAWN, .pid = 10, .tid = 11,
		.u.spawn = {
			.call = PW_CALL_CLONE,
			.flags = CLONE_VM | (1ULL << 40) | (1ULL << 41),
			.exit_signal = 0, .kind = PW_SPAWN_CLONE,
			.parent = 10, .result = -EAGAIN,
		},
	};
	json_t *o = emit(&ev);

	assert_keys(o, KEYS("t", "event", "pid", "tid", "call", "flags", "exit_signal",
			    "kind", "thread", "parent", "result", "errno"));
	assert_common(o, "spawn", 10, 11);
	assert_strings(o, "flags", STRS("CLONE_VM", "0x30000000000"));
	cr_assert(json_is_null(json_object_get(o, "exit_signal")));
	cr_assert_str_eq(str(o, "kind"), "clone");
	cr_assert_eq(num(o, "result"), -EAGAIN);
	cr_assert_str_eq(str(o, "errno"), "EAGAIN");
	json_decref(o);
}

Test(sink_json, spawn_unknown_errno_is_numbered)
{
	struct pw_event ev = {
		.kind = PW_EV_SPAWN, .pid = 10, .tid = 10,
		.u.spawn = { .call = PW_CALL_FORK, .exit_signal = SIGCHLD, .result = -4000 },
	};
	json_t *o = emit(&ev);

	cr_assert_str_eq(str(o, "errno"), "E4000");
	cr_assert_str_eq(str(o, "call"), "fork");
	json_decref(o);
}

Test(sink_json, spawn_clone3)
{
	struct pw_event ev = {
		.kind = PW_EV_SPAWN, .pid = 20, .tid = 20,
		.u.spawn = {
			.call = PW_CALL_CLONE3,
			.flags = CLONE_VM | CLONE_VFORK | CLONE_INTO_CGROUP_BIT,
			.exit_signal = SIGCHLD, .kind = PW_SPAWN_POSIX_SPAWN,
			.child = 21, .parent = 20, .result = 21,
			.args_size = 88, .args_tail_nonzero = true,
			.cgroup = 7, .set_tid_size = 2, .set_tid = { 21, 5 },
		},
	};
	json_t *o = emit(&ev), *st;

	assert_keys(o, KEYS("t", "event", "pid", "tid", "call", "flags", "exit_signal",
			    "kind", "thread", "parent", "result", "child",
			    "size", "tail_nonzero", "set_tid", "cgroup"));
	cr_assert_str_eq(str(o, "call"), "clone3");
	assert_strings(o, "flags", STRS("CLONE_VM", "CLONE_VFORK", "CLONE_INTO_CGROUP"));
	cr_assert_str_eq(str(o, "kind"), "posix_spawn");
	cr_assert_eq(num(o, "size"), 88);
	cr_assert(boolean(o, "tail_nonzero"));
	st = json_object_get(o, "set_tid");
	cr_assert_eq(json_array_size(st), 2);
	cr_assert_eq(json_integer_value(json_array_get(st, 0)), 21);
	cr_assert_eq(json_integer_value(json_array_get(st, 1)), 5);
	cr_assert_eq(num(o, "cgroup"), 7);
	json_decref(o);
}

Test(sink_json, spawn_clone3_thread_unreadable)
{
	struct pw_event ev = {
		.kind = PW_EV_SPAWN, .pid = 30, .tid = 31,
		.u.spawn = {
			.call = PW_CALL_CLONE3, .flags = CLONE_VM | CLONE_THREAD,
			.kind = PW_SPAWN_THREAD, .thread = true, .child = 32,
			.parent = 29, .result = 32, .args_size = 8, .args_unreadable = true,
		},
	};
	json_t *o = emit(&ev);

	assert_keys(o, KEYS("t", "event", "pid", "tid", "call", "flags", "exit_signal",
			    "kind", "thread", "parent", "result", "child",
			    "size", "args_unreadable"));
	cr_assert(boolean(o, "thread"));
	cr_assert_str_eq(str(o, "kind"), "thread");
	cr_assert(boolean(o, "args_unreadable"));
	cr_assert_eq(num(o, "size"), 8);
	json_decref(o);
}

/* The hostile argv: quotes, newlines, an ESC sequence, bytes 0xff 0xfe. */
Test(sink_json, exec_hostile_argv)
{
	static const char *const raw[] = {
		"sh", "-c", "echo \"a\\b\"\nls\t", "\x1b[31mred\x1b[0m\x7f",
		"\xff\xfe", "caf\xc3\xa9",
	};
	struct pw_bytes argv[7];
	struct pw_event ev = {
		.kind = PW_EV_EXEC, .time_us = 123, .pid = 1234, .tid = 1234,
		.u.exec = {
			.call = PW_CALL_EXECVE,
			.path = { .data = "/bin/sh", .len = 7 },
			.argv = argv, .argc = 7, .result = 0,
		},
	};
	json_t *o, *a, *bad;
	size_t i;

	for (i = 0; i < 6; i++)
		argv[i] = (struct pw_bytes){ .data = (char *)raw[i], .len = strlen(raw[i]) };
	argv[6] = (struct pw_bytes){ .data = NULL, .err = EFAULT };
	o = emit(&ev);
	assert_keys(o, KEYS("t", "event", "pid", "tid", "call", "path", "argv", "result"));
	assert_common(o, "exec", 1234, 1234);
	cr_assert_str_eq(str(o, "call"), "execve");
	cr_assert_str_eq(str(o, "path"), "/bin/sh");
	a = json_object_get(o, "argv");
	cr_assert_eq(json_array_size(a), 7);
	for (i = 0; i < 6; i++) {
		if (i == 4)
			continue;
		cr_assert_str_eq(json_string_value(json_array_get(a, i)), raw[i], "argv[%zu]", i);
	}
	bad = json_array_get(a, 4);
	cr_assert(json_is_object(bad));
	cr_assert_eq(json_object_size(bad), 2);
	cr_assert_str_eq(str(bad, "text"), "\xef\xbf\xbd\xef\xbf\xbd");
	cr_assert_str_eq(str(bad, "hex"), "fffe");
	cr_assert(json_is_null(json_array_get(a, 6)));
	cr_assert_eq(num(o, "result"), 0);
	/* Raw bytes: no ESC, DEL or tab survives unescaped; UTF-8 stays raw. */
	cr_assert_null(strchr(line, '\x1b'));
	cr_assert_null(strchr(line, '\x7f'));
	cr_assert_null(strchr(line, '\t'));
	cr_assert_not_null(strstr(line, "\\u001b[31mred\\u001b[0m\\u007f"));
	cr_assert_not_null(strstr(line, "\"echo \\\"a\\\\b\\\"\\nls\\t\""));
	cr_assert_not_null(strstr(line, "\"caf\xc3\xa9\""));
	json_decref(o);
}

Test(sink_json, exec_failure_truncated_old_tid)
{
	struct pw_event ev = {
		.kind = PW_EV_EXEC, .pid = 50, .tid = 50,
		.u.exec = {
			.call = PW_CALL_EXECVE,
			.path = { .data = NULL, .err = EFAULT },
			.argv_truncated = true, .argv_err = EFAULT,
			.result = -ENOENT, .old_tid = 53,
		},
	};
	json_t *o = emit(&ev);

	assert_keys(o, KEYS("t", "event", "pid", "tid", "call", "path", "argv",
			    "argv_truncated", "argv_error", "result", "errno", "old_tid"));
	cr_assert(json_is_null(json_object_get(o, "path")));
	cr_assert_eq(json_array_size(json_object_get(o, "argv")), 0);
	cr_assert(boolean(o, "argv_truncated"));
	cr_assert_str_eq(str(o, "argv_error"), "EFAULT");
	cr_assert_eq(num(o, "result"), -ENOENT);
	cr_assert_str_eq(str(o, "errno"), "ENOENT");
	cr_assert_eq(num(o, "old_tid"), 53);
	json_decref(o);
}

/* cwd is written only when the tracer could read it; any bytes survive. */
Test(sink_json, exec_cwd)
{
	static const char odd_dir[] = "/tmp/caf\xe9";
	struct pw_event ev = {
		.kind = PW_EV_EXEC, .pid = 70, .tid = 70,
		.u.exec = {
			.call = PW_CALL_EXECVE,
			.path = { .data = "/bin/true", .len = 9 },
			.cwd = { .data = "/srv/build", .len = 10 },
		},
	};
	json_t *o = emit(&ev), *c;

	assert_keys(o, KEYS("t", "event", "pid", "tid", "call", "path", "argv",
			    "cwd", "result"));
	cr_assert_str_eq(str(o, "cwd"), "/srv/build");
	json_decref(o);
	ev.u.exec.cwd = (struct pw_bytes){ .data = (char *)odd_dir, .len = 9 };
	o = emit(&ev);
	c = json_object_get(o, "cwd");
	cr_assert(json_is_object(c), "a cwd that is not UTF-8 keeps its bytes");
	cr_assert_str_eq(json_string_value(json_object_get(c, "hex")),
			 "2f746d702f636166e9");
	json_decref(o);
}

/* After a successful exec: the file really run, and what it inherited. */
Test(sink_json, exec_image)
{
	struct pw_fd fds[2] = {
		{ .fd = 3, .target = { .data = "pipe:[77]", .len = 9 } },
		{ .fd = 9, .target = { .data = "/var/log/x", .len = 10 } },
	};
	struct pw_event ev = {
		.kind = PW_EV_EXEC, .pid = 80, .tid = 80,
		.u.exec = {
			.call = PW_CALL_EXECVE,
			.path = { .data = "./build.sh", .len = 10 },
			.exe = { .data = "/usr/bin/bash", .len = 13 },
			.fds = fds, .nfds = 2, .fds_truncated = true,
		},
	};
	json_t *o = emit(&ev), *a, *f;

	assert_keys(o, KEYS("t", "event", "pid", "tid", "call", "path", "argv",
			    "result", "exe", "fds", "fds_truncated"));
	cr_assert_str_eq(str(o, "exe"), "/usr/bin/bash");
	a = json_object_get(o, "fds");
	cr_assert_eq(json_array_size(a), 2);
	f = json_array_get(a, 1);
	cr_assert_eq(json_integer_value(json_object_get(f, "fd")), 9);
	cr_assert_str_eq(json_string_value(json_object_get(f, "target")), "/var/log/x");
	cr_assert(boolean(o, "fds_truncated"));
	json_decref(o);
}

Test(sink_json, execveat)
{
	struct pw_bytes argv[1] = { { .data = "prog", .len = 4 } };
	struct pw_event ev = {
		.kind = PW_EV_EXEC, .pid = 60, .tid = 60,
		.u.exec = {
			.call = PW_CALL_EXECVEAT, .dirfd = 3,
			.at_flags = AT_EMPTY_PATH | 0x8000,
			.path = { .data = "/proc/self/fd/3", .len = 15 },
			.argv = argv, .argc = 1, .result = 0,
		},
	};
	json_t *o = emit(&ev);

	assert_keys(o, KEYS("t", "event", "pid", "tid", "call", "dirfd", "at_flags",
			    "path", "argv", "result"));
	cr_assert_str_eq(str(o, "call"), "execveat");
	cr_assert_eq(num(o, "dirfd"), 3);
	assert_strings(o, "at_flags", STRS("AT_EMPTY_PATH", "0x8000"));
	assert_strings(o, "argv", STRS("prog"));
	json_decref(o);
}

Test(sink_json, wait4_reaped)
{
	struct pw_event ev = {
		.kind = PW_EV_WAIT, .time_us = 1000, .pid = 1234, .tid = 1234,
		.u.wait = {
			.call = PW_CALL_WAIT4, .target = -1, .options = WNOHANG | __WALL,
			.result = 1235, .status = { .kind = PW_STATUS_EXITED, .code = 3 },
		},
	};
	json_t *o = emit(&ev), *st;

	assert_keys(o, KEYS("t", "event", "pid", "tid", "call", "target", "options",
			    "result", "status"));
	cr_assert_str_eq(str(o, "call"), "wait4");
	cr_assert_eq(num(o, "target"), -1);
	assert_strings(o, "options", STRS("WNOHANG", "__WALL"));
	cr_assert_eq(num(o, "result"), 1235);
	st = json_object_get(o, "status");
	assert_keys(st, KEYS("kind", "code"));
	cr_assert_str_eq(str(st, "kind"), "exited");
	cr_assert_eq(num(st, "code"), 3);
	json_decref(o);
}

Test(sink_json, wait4_failure_has_no_status)
{
	struct pw_event ev = {
		.kind = PW_EV_WAIT, .pid = 1, .tid = 1,
		.u.wait = { .call = PW_CALL_WAIT4, .target = -7, .result = -ECHILD },
	};
	json_t *o = emit(&ev);

	assert_keys(o, KEYS("t", "event", "pid", "tid", "call", "target", "options",
			    "result", "errno"));
	cr_assert_eq(num(o, "target"), -7);
	assert_strings(o, "options", NO_STRS);
	cr_assert_str_eq(str(o, "errno"), "ECHILD");
	json_decref(o);
}

Test(sink_json, waitid_killed)
{
	struct pw_event ev = {
		.kind = PW_EV_WAIT, .pid = 1, .tid = 1,
		.u.wait = {
			.call = PW_CALL_WAITID, .idtype = P_PID, .target = 1235,
			.options = WEXITED | WNOWAIT | (1 << 20), .result = 1235,
			.status = { .kind = PW_STATUS_KILLED, .signal = SIGSEGV, .core = true },
		},
	};
	json_t *o = emit(&ev), *t, *st;

	t = json_object_get(o, "target");
	assert_keys(t, KEYS("idtype", "id"));
	cr_assert_str_eq(str(t, "idtype"), "P_PID");
	cr_assert_eq(num(t, "id"), 1235);
	assert_strings(o, "options", STRS("WEXITED", "WNOWAIT", "0x100000"));
	st = json_object_get(o, "status");
	assert_keys(st, KEYS("kind", "signal", "core"));
	cr_assert_str_eq(str(st, "kind"), "killed");
	cr_assert_str_eq(str(st, "signal"), "SIGSEGV");
	cr_assert(boolean(st, "core"));
	json_decref(o);
}

Test(sink_json, waitid_unknown_idtype_is_a_number)
{
	struct pw_event ev = {
		.kind = PW_EV_WAIT, .pid = 1, .tid = 1,
		.u.wait = { .call = PW_CALL_WAITID, .idtype = 42, .target = 0, .result = -EINVAL },
	};
	json_t *o = emit(&ev);

	cr_assert_eq(num(json_object_get(o, "target"), "idtype"), 42);
	json_decref(o);
}

static void
check_wait_status(const struct pw_status *status, const char *kind, const char *sig)
{
	struct pw_event ev = {
		.kind = PW_EV_WAIT, .pid = 1, .tid = 1,
		.u.wait = { .call = PW_CALL_WAITID, .idtype = P_ALL, .result = 2,
			    .status = *status },
	};
	json_t *o = emit(&ev), *st = json_object_get(o, "status");

	cr_assert_str_eq(str(st, "kind"), kind);
	if (sig) {
		assert_keys(st, KEYS("kind", "signal"));
		cr_assert_str_eq(str(st, "signal"), sig);
	} else {
		assert_keys(st, KEYS("kind"));
	}
	json_decref(o);
}

Test(sink_json, wait_status_kinds)
{
	check_wait_status(&(struct pw_status){ .kind = PW_STATUS_STOPPED, .signal = SIGSTOP },
			  "stopped", "SIGSTOP");
	check_wait_status(&(struct pw_status){ .kind = PW_STATUS_CONTINUED }, "continued", NULL);
	check_wait_status(&(struct pw_status){ .kind = PW_STATUS_TRAPPED, .signal = SIGTRAP },
			  "trapped", "SIGTRAP");
}

/* A ptrace stop keeps its event bits (decode/wait.c, set_stop) after the signal. */
Test(sink_json, ptrace_stop_bits)
{
	struct pw_event ev = {
		.kind = PW_EV_WAIT, .pid = 1, .tid = 1,
		.u.wait = { .call = PW_CALL_WAIT4, .target = -1, .options = __WALL, .result = 2 },
	};
	json_t *o, *st;

	pw_status_from_wait(W_STOPCODE(SIGTRAP) | (1 << 16), &ev.u.wait.status);
	o = emit(&ev);
	st = json_object_get(o, "status");
	assert_keys(st, KEYS("kind", "signal", "ptrace_bits"));
	cr_assert_str_eq(str(st, "kind"), "stopped");
	cr_assert_str_eq(str(st, "signal"), "SIGTRAP");
	cr_assert_eq(num(st, "ptrace_bits"), 1 << 8);	/* PTRACE_EVENT_FORK */
	json_decref(o);
	ev.u.wait.call = PW_CALL_WAITID;
	pw_status_from_siginfo(CLD_TRAPPED, SIGTRAP | 0x80, &ev.u.wait.status);
	o = emit(&ev);
	st = json_object_get(o, "status");
	assert_keys(st, KEYS("kind", "signal", "ptrace_bits"));
	cr_assert_str_eq(str(st, "kind"), "trapped");
	cr_assert_eq(num(st, "ptrace_bits"), 0x80);	/* PTRACE_O_TRACESYSGOOD */
	json_decref(o);
}

Test(sink_json, exit_exited)
{
	struct pw_event ev = {
		.kind = PW_EV_EXIT, .pid = 1235, .tid = 1235,
		.u.exit = { .status = { .kind = PW_STATUS_EXITED, .code = 0 },
			    .call = PW_CALL_EXIT_GROUP },
	};
	json_t *o = emit(&ev);

	assert_keys(o, KEYS("t", "event", "pid", "tid", "thread", "code", "call"));
	cr_assert_not(boolean(o, "thread"));
	cr_assert_eq(num(o, "code"), 0);
	cr_assert_str_eq(str(o, "call"), "exit_group");
	json_decref(o);
}

Test(sink_json, exit_killed_thread)
{
	struct pw_event ev = {
		.kind = PW_EV_EXIT, .pid = 1235, .tid = 1240,
		.u.exit = { .thread = true, .call = PW_CALL_NONE,
			    .status = { .kind = PW_STATUS_KILLED, .signal = SIGKILL } },
	};
	json_t *o = emit(&ev);

	assert_keys(o, KEYS("t", "event", "pid", "tid", "thread", "signal", "core"));
	cr_assert(boolean(o, "thread"));
	cr_assert_str_eq(str(o, "signal"), "SIGKILL");
	cr_assert_not(boolean(o, "core"));
	json_decref(o);
}

Test(sink_json, signal_with_and_without_sender)
{
	struct pw_event ev = {
		.kind = PW_EV_SIGNAL, .pid = 1234, .tid = 1234,
		.u.signal = { .signal = SIGCHLD, .sender = 1235, .code = 1 },
	};
	json_t *o = emit(&ev);

	assert_keys(o, KEYS("t", "event", "pid", "tid", "signal", "sender", "code"));
	cr_assert_str_eq(str(o, "signal"), "SIGCHLD");
	cr_assert_eq(num(o, "sender"), 1235);
	cr_assert_eq(num(o, "code"), 1);
	json_decref(o);
	ev.u.signal = (struct pw_signal){ .signal = 40, .code = -6 };
	o = emit(&ev);
	assert_keys(o, KEYS("t", "event", "pid", "tid", "signal", "code"));
	cr_assert_str_eq(str(o, "signal"), "SIGRTMIN+8");
	cr_assert_eq(num(o, "code"), -6);
	json_decref(o);
}

Test(sink_json, end)
{
	struct pw_event ev = {
		.kind = PW_EV_END, .time_us = 2000000, .pid = 1234, .tid = 1234,
		.u.end.status = { .kind = PW_STATUS_KILLED, .signal = SIGSEGV, .core = true },
	};
	json_t *o = emit(&ev), *st;

	assert_keys(o, KEYS("t", "event", "pid", "tid", "status", "lost"));
	st = json_object_get(o, "status");
	cr_assert_str_eq(str(st, "kind"), "killed");
	cr_assert_eq(num(o, "lost"), 0);
	json_decref(o);
	ev.u.end = (struct pw_end){ .status = { .kind = PW_STATUS_NONE }, .lost = 5 };
	o = emit(&ev);
	cr_assert(json_is_null(json_object_get(o, "status")));
	cr_assert_eq(num(o, "lost"), 5);
	json_decref(o);
}

Test(sink_json, unknown_kind_writes_nothing)
{
	struct pw_event ev = { .kind = (enum pw_event_kind)99, .pid = 1, .tid = 1 };

	cr_assert_eq(pw_sink_event(sink, &ev), -EINVAL);
	fflush(mem);
	cr_assert_eq(buf_len, 0);
}

Test(sink_json, write_error_is_returned)
{
	FILE *ro = fopen("/dev/null", "r");
	struct pw_sink *bad;
	struct pw_event ev = { .kind = PW_EV_SIGNAL, .pid = 1, .tid = 1,
			       .u.signal = { .signal = SIGINT } };

	cr_assert_not_null(ro);
	bad = pw_sink_json_new(ro);
	cr_assert_not_null(bad);
	cr_assert_lt(pw_sink_event(bad, &ev), 0);
	cr_assert_lt(pw_sink_close(bad), 0);
	fclose(ro);
}

/* Many events in a row: every line parses on its own. */
Test(sink_json, stream_of_lines)
{
	struct pw_event ev = { .kind = PW_EV_SIGNAL, .pid = 1, .tid = 1,
			       .u.signal = { .signal = SIGUSR1 } };
	json_t *o;
	int i;

	for (i = 0; i < 100; i++) {
		ev.time_us = (uint64_t)i * 1000001;
		o = emit(&ev);
		cr_assert_float_eq(json_real_value(json_object_get(o, "t")),
				   i * 1.000001, 1e-6);
		json_decref(o);
	}
}

/*
 * -k: a stack with a symbol, a stripped frame (no fn: off is the address in
 * obj), a frame in no file (no obj) whose symbol is not UTF-8, and a note.
 */
static struct pw_frame frames3[] = {
	{ .ip = 0x55555555521a, .off = 0x1a, .fn = "f2", .obj = "/tmp/pw_stack" },
	{ .ip = 0x7f0012340139, .off = 0x1139, .fn = NULL, .obj = "/tmp/pw_stack.stripped" },
	{ .ip = 0x7f0012345678, .off = 4, .fn = "jit\xff\xfe", .obj = NULL },
};

/* The "stack" array is frames3, exactly. */
static void
assert_stack3(json_t *o)
{
	json_t *a = json_object_get(o, "stack"), *f, *fn;

	cr_assert(json_is_array(a), "no stack array in %s", line);
	cr_assert_eq(json_array_size(a), 3);
	f = json_array_get(a, 0);
	assert_keys(f, KEYS("fn", "off", "obj", "ip"));
	cr_assert_str_eq(str(f, "fn"), "f2");
	cr_assert_eq(num(f, "off"), 0x1a);
	cr_assert_str_eq(str(f, "obj"), "/tmp/pw_stack");
	cr_assert_str_eq(str(f, "ip"), "0x55555555521a");
	f = json_array_get(a, 1);
	assert_keys(f, KEYS("fn", "off", "obj", "ip"));
	cr_assert(json_is_null(json_object_get(f, "fn")));
	cr_assert_eq(num(f, "off"), 0x1139);
	cr_assert_str_eq(str(f, "obj"), "/tmp/pw_stack.stripped");
	cr_assert_str_eq(str(f, "ip"), "0x7f0012340139");
	f = json_array_get(a, 2);
	fn = json_object_get(f, "fn");
	cr_assert(json_is_object(fn), "a symbol that is not UTF-8 keeps its bytes");
	cr_assert_str_eq(str(fn, "hex"), "6a6974fffe");
	cr_assert_str_eq(str(fn, "text"), "jit\xef\xbf\xbd\xef\xbf\xbd");
	cr_assert(json_is_null(json_object_get(f, "obj")));
	cr_assert_str_eq(str(f, "ip"), "0x7f0012345678");
}

Test(sink_json, spawn_with_stack)
{
	struct pw_event ev = {
		.kind = PW_EV_SPAWN, .pid = 10, .tid = 10,
		.u.spawn = { .call = PW_CALL_VFORK, .flags = CLONE_VM | CLONE_VFORK,
			     .exit_signal = SIGCHLD, .kind = PW_SPAWN_VFORK,
			     .child = 11, .parent = 10, .result = 11,
			     .stack = { .requested = true, .frames = frames3, .nframes = 3,
					.note = "deeper than 3 frames" } },
	};
	json_t *o = emit(&ev);

	assert_keys(o, KEYS("t", "event", "pid", "tid", "call", "flags", "exit_signal",
			    "kind", "thread", "parent", "result", "child", "stack",
			    "stack_note"));
	assert_stack3(o);
	cr_assert_str_eq(str(o, "stack_note"), "deeper than 3 frames");
	json_decref(o);
}

Test(sink_json, exec_with_stack_after_every_other_key)
{
	struct pw_event ev = {
		.kind = PW_EV_EXEC, .pid = 80, .tid = 80,
		.u.exec = { .call = PW_CALL_EXECVE, .path = { .data = "/x", .len = 2 },
			    .result = -ENOENT,
			    .stack = { .requested = true, .frames = frames3, .nframes = 3 } },
	};
	json_t *o = emit(&ev);

	assert_keys(o, KEYS("t", "event", "pid", "tid", "call", "path", "argv",
			    "result", "errno", "stack"));
	assert_stack3(o);
	json_decref(o);
}

/* Asked for but not taken: an empty array, and the reason. */
Test(sink_json, empty_stack_with_note)
{
	struct pw_event ev = {
		.kind = PW_EV_EXEC, .pid = 80, .tid = 80,
		.u.exec = { .call = PW_CALL_EXECVE, .path = { .data = "/x", .len = 2 },
			    .stack = { .requested = true,
				       .note = "the task died while being unwound" } },
	};
	json_t *o = emit(&ev);

	cr_assert_not_null(strstr(line, ",\"stack\":[],\"stack_note\":\"the task died while being unwound\"}"),
			   "%s", line);
	json_decref(o);
}

/* Without -k nothing is said about stacks, whatever the struct holds. */
Test(sink_json, stack_not_requested_writes_nothing)
{
	struct pw_event ev = {
		.kind = PW_EV_SPAWN, .pid = 10, .tid = 10,
		.u.spawn = { .call = PW_CALL_FORK, .kind = PW_SPAWN_FORK, .child = 11,
			     .parent = 10, .result = 11,
			     .stack = { .frames = frames3, .nframes = 3, .note = "x" } },
	};
	json_t *o = emit(&ev);

	cr_assert_null(strstr(line, "stack"), "%s", line);
	json_decref(o);
}

/*
 * A spawn the task died in: "result" null, and neither "parent", "child"
 * nor "errno", which only a call that returned has; what was asked for
 * (the call, flags, clone3's args) and the -k stack stay.
 */
Test(sink_json, spawn_unfinished)
{
	struct pw_event ev = {
		.kind = PW_EV_SPAWN, .pid = 10, .tid = 12,
		.u.spawn = { .call = PW_CALL_CLONE3, .flags = CLONE_VM | CLONE_VFORK,
			     .exit_signal = SIGCHLD, .kind = PW_SPAWN_POSIX_SPAWN,
			     .parent = 10, .child = 0, .result = PW_RESULT_UNFINISHED,
			     .args_size = 88,
			     .stack = { .requested = true, .frames = frames3, .nframes = 3,
					.note = "the task died while its stack was read" } },
	};
	json_t *o = emit(&ev);

	assert_keys(o, KEYS("t", "event", "pid", "tid", "call", "flags", "exit_signal",
			    "kind", "thread", "result", "size", "stack", "stack_note"));
	cr_assert(json_is_null(json_object_get(o, "result")));
	cr_assert_not_null(strstr(line, ",\"thread\":false,\"result\":null,\"size\":88,"),
			   "%s", line);
	assert_stack3(o);
	json_decref(o);
}

/* An exec the task died in: "result" null, no "errno" (there was none). */
Test(sink_json, exec_unfinished)
{
	struct pw_bytes argv[] = { { .data = "true", .len = 4 } };
	struct pw_event ev = {
		.kind = PW_EV_EXEC, .pid = 80, .tid = 80,
		.u.exec = { .call = PW_CALL_EXECVE, .path = { .data = "/bin/true", .len = 9 },
			    .argv = argv, .argc = 1, .cwd = { .data = "/w", .len = 2 },
			    .result = PW_RESULT_UNFINISHED,
			    .stack = { .requested = true,
				       .note = "the task died while its stack was read" } },
	};
	json_t *o = emit(&ev);

	assert_keys(o, KEYS("t", "event", "pid", "tid", "call", "path", "argv", "cwd",
			    "result", "stack", "stack_note"));
	cr_assert(json_is_null(json_object_get(o, "result")));
	cr_assert_not_null(strstr(line, ",\"cwd\":\"/w\",\"result\":null,\"stack\":[],"),
			   "%s", line);
	json_decref(o);
}

/* Without -k the unfinished exec ends at its null result. */
Test(sink_json, exec_unfinished_without_stack)
{
	struct pw_event ev = {
		.kind = PW_EV_EXEC, .pid = 80, .tid = 80,
		.u.exec = { .call = PW_CALL_EXECVE, .path = { .data = "/x", .len = 2 },
			    .result = PW_RESULT_UNFINISHED },
	};
	json_t *o = emit(&ev);

	cr_assert_str_eq(line, "{\"t\":0.000000,\"event\":\"exec\",\"pid\":80,\"tid\":80,"
			 "\"call\":\"execve\",\"path\":\"/x\",\"argv\":[],\"result\":null}\n");
	json_decref(o);
}
