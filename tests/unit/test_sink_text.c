/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the plain text sink: events built by hand are written to an
 * open_memstream and each line is compared with the exact text expected.
 * The hostile-argv tests check that no control character, DEL, C1 control,
 * bidi override or invalid UTF-8 byte from the tracee reaches the output
 * raw: what the sink writes must be safe to show on a terminal.
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

#include "procwatch/json_writer.h"
#include "procwatch/sink.h"

static char *buf;
static size_t buf_len;
static size_t seen;
static FILE *mem;
static struct pw_sink *sink;
static char line[4096];

static void
setup(void)
{
	mem = open_memstream(&buf, &buf_len);
	cr_assert_not_null(mem);
	sink = pw_sink_text_new(mem);
	cr_assert_not_null(sink);
	seen = 0;
}

static void
teardown(void)
{
	cr_assert_eq(pw_sink_close(sink), 0);
	fclose(mem);
	free(buf);
}

TestSuite(sink_text, .init = setup, .fini = teardown);

/*
 * Writes ev and returns its line (with the "\n").  The sink flushes by
 * itself, so no fflush here: that is part of what is tested.
 */
static const char *
emit(const struct pw_event *ev)
{
	size_t len;

	cr_assert_eq(pw_sink_event(sink, ev), 0);
	cr_assert_gt(buf_len, seen, "nothing written");
	len = buf_len - seen;
	cr_assert_lt(len, sizeof(line));
	memcpy(line, buf + seen, len);
	line[len] = '\0';
	seen = buf_len;
	cr_assert_eq(line[len - 1], '\n', "no newline: %s", line);
	cr_assert_eq(memchr(line, '\n', len - 1), NULL, "more than one line: %s", line);
	return line;
}

/* Nothing a terminal would act on, and valid UTF-8 throughout. */
static void
assert_terminal_safe(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i;

	cr_assert(pw_utf8_valid(s, len), "invalid UTF-8 in %s", s);
	for (i = 0; i + 1 < len; i++) {
		cr_assert(p[i] >= 0x20 && p[i] != 0x7f, "byte 0x%02x at %zu in %s", p[i], i, s);
		cr_assert_not(p[i] == 0xc2 && p[i + 1] < 0xa0, "C1 control in %s", s);
		cr_assert_not(p[i] == 0xe2 && p[i + 1] == 0x80 && i + 2 < len &&
			      p[i + 2] >= 0xaa && p[i + 2] <= 0xae, "bidi control in %s", s);
	}
}

Test(sink_text, exec_simple)
{
	struct pw_bytes argv[] = {
		{ .data = "sh", .len = 2 },
		{ .data = "-c", .len = 2 },
		{ .data = "ls", .len = 2 },
	};
	struct pw_event ev = {
		.kind = PW_EV_EXEC, .time_us = 123, .pid = 1234, .tid = 1234,
		.u.exec = { .call = PW_CALL_EXECVE, .path = { .data = "/bin/sh", .len = 7 },
			    .argv = argv, .argc = 3 },
	};

	cr_assert_str_eq(emit(&ev),
			 "   0.000123 [1234] exec /bin/sh [\"sh\", \"-c\", \"ls\"] = 0\n");
}

Test(sink_text, exec_failure)
{
	struct pw_bytes argv[] = { { .data = "nope", .len = 4 } };
	struct pw_event ev = {
		.kind = PW_EV_EXEC, .time_us = 1500000, .pid = 7, .tid = 7,
		.u.exec = { .call = PW_CALL_EXECVE, .path = { .data = "/x/nope", .len = 7 },
			    .argv = argv, .argc = 1, .argv_truncated = true, .result = -ENOENT },
	};

	cr_assert_str_eq(emit(&ev), "   1.500000 [7] exec /x/nope [\"nope\", ...] = -1 ENOENT\n");
}

Test(sink_text, execveat_and_unreadable)
{
	struct pw_event ev = {
		.kind = PW_EV_EXEC, .pid = 7, .tid = 9,
		.u.exec = { .call = PW_CALL_EXECVEAT, .dirfd = 3, .at_flags = AT_EMPTY_PATH,
			    .path = { .data = NULL, .err = EFAULT }, .argv_err = EFAULT,
			    .old_tid = 9 },
	};

	cr_assert_str_eq(emit(&ev),
			 "   0.000000 [7/9] execveat(3, AT_EMPTY_PATH) <unreadable: EFAULT> "
			 "[<unreadable: EFAULT>] = 0 (by thread 9, now the leader)\n");
}

Test(sink_text, hostile_argv_is_escaped)
{
	static const char *const raw[] = {
		"echo \"hi\"\nrm -rf /\r", "\x1b]0;pwned\x07\x1b[2J", "\xff\xfe", "\x7f",
		"\xc2\x9b" "31m", "\xe2\x80\xae" "evil", "caf\xc3\xa9 ok", "tab\there\\",
	};
	struct pw_bytes argv[8];
	struct pw_event ev = {
		.kind = PW_EV_EXEC, .pid = 1, .tid = 1,
		.u.exec = { .call = PW_CALL_EXECVE,
			    .path = { .data = "/tmp/a b\x1b[1m", .len = 12 },
			    .argv = argv, .argc = 8 },
	};
	const char *out;
	size_t i;

	for (i = 0; i < 8; i++)
		argv[i] = (struct pw_bytes){ .data = (char *)raw[i], .len = strlen(raw[i]) };
	out = emit(&ev);
	assert_terminal_safe(out);
	cr_assert_str_eq(out,
			 "   0.000000 [1] exec \"/tmp/a b\\x1b[1m\" ["
			 "\"echo \\\"hi\\\"\\nrm -rf /\\r\", "
			 "\"\\x1b]0;pwned\\x07\\x1b[2J\", "
			 "\"\\xff\\xfe\", "
			 "\"\\x7f\", "
			 "\"\\xc2\\x9b31m\", "
			 "\"\\xe2\\x80\\xaeevil\", "
			 "\"caf\xc3\xa9 ok\", "
			 "\"tab\\there\\\\\"] = 0\n");
}

Test(sink_text, every_byte_is_safe)
{
	char all[255];
	struct pw_bytes argv[1] = { { .data = all, .len = sizeof(all) } };
	struct pw_event ev = {
		.kind = PW_EV_EXEC, .pid = 1, .tid = 1,
		.u.exec = { .call = PW_CALL_EXECVE, .path = { .data = all, .len = sizeof(all) },
			    .argv = argv, .argc = 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(all); i++)
		all[i] = (char)(i + 1);
	assert_terminal_safe(emit(&ev));
}

Test(sink_text, start_argv_is_escaped)
{
	char *argv[] = { "procwatch", "--", "\x1b[31m" };
	struct pw_event ev = {
		.kind = PW_EV_START, .pid = 5, .tid = 5,
		.u.start = { .argv = argv, .argc = 3, .seccomp = true, .version = "0.1.0" },
	};

	cr_assert_str_eq(emit(&ev),
			 "   0.000000 [5] start launch [\"procwatch\", \"--\", \"\\x1b[31m\"]"
			 " (seccomp on, procwatch 0.1.0)\n");
}

Test(sink_text, spawn_fork)
{
	struct pw_event ev = {
		.kind = PW_EV_SPAWN, .time_us = 456, .pid = 1234, .tid = 1234,
		.u.spawn = { .call = PW_CALL_CLONE,
			     .flags = CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID,
			     .exit_signal = SIGCHLD, .kind = PW_SPAWN_FORK,
			     .child = 1235, .parent = 1234, .result = 1235 },
	};

	cr_assert_str_eq(emit(&ev),
			 "   0.000456 [1234] fork → 1235 "
			 "clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD)\n");
}

Test(sink_text, spawn_thread_clone3)
{
	struct pw_event ev = {
		.kind = PW_EV_SPAWN, .pid = 10, .tid = 11,
		.u.spawn = { .call = PW_CALL_CLONE3,
			     .flags = CLONE_VM | CLONE_THREAD | (1ULL << 40),
			     .kind = PW_SPAWN_THREAD, .thread = true,
			     .child = 12, .parent = 9, .result = 12, .args_size = 88,
			     .set_tid_size = 2, .set_tid = { 12, 3 } },
	};

	cr_assert_str_eq(emit(&ev),
			 "   0.000000 [10/11] thread → 12 "
			 "clone3(CLONE_VM|CLONE_THREAD|0x10000000000, size=88, set_tid=[12, 3])\n");
}

Test(sink_text, spawn_failure_and_clone_parent)
{
	struct pw_event ev = {
		.kind = PW_EV_SPAWN, .pid = 10, .tid = 10,
		.u.spawn = { .call = PW_CALL_FORK, .exit_signal = SIGCHLD,
			     .kind = PW_SPAWN_FORK, .parent = 10, .result = -EAGAIN },
	};

	cr_assert_str_eq(emit(&ev), "   0.000000 [10] fork fork() = -1 EAGAIN\n");
	ev.u.spawn = (struct pw_spawn){ .call = PW_CALL_CLONE, .flags = CLONE_PARENT,
					.exit_signal = SIGCHLD, .kind = PW_SPAWN_CLONE,
					.child = 11, .parent = 9, .result = 11 };
	cr_assert_str_eq(emit(&ev),
			 "   0.000000 [10] clone → 11 clone(CLONE_PARENT|SIGCHLD) (parent 9)\n");
}

Test(sink_text, wait4_reaped)
{
	struct pw_event ev = {
		.kind = PW_EV_WAIT, .time_us = 1000, .pid = 1234, .tid = 1234,
		.u.wait = { .call = PW_CALL_WAIT4, .target = -1, .result = 1235,
			    .status = { .kind = PW_STATUS_EXITED, .code = 0 } },
	};

	cr_assert_str_eq(emit(&ev), "   0.001000 [1234] wait4(-1) reaped 1235: exited 0\n");
}

Test(sink_text, wait_variants)
{
	struct pw_event ev = { .kind = PW_EV_WAIT, .pid = 1, .tid = 1 };

	ev.u.wait = (struct pw_wait){ .call = PW_CALL_WAIT4, .target = -1,
				      .options = WNOHANG, .result = 0 };
	cr_assert_str_eq(emit(&ev), "   0.000000 [1] wait4(-1, WNOHANG) = 0\n");
	ev.u.wait = (struct pw_wait){ .call = PW_CALL_WAIT4, .target = 5, .result = -ECHILD };
	cr_assert_str_eq(emit(&ev), "   0.000000 [1] wait4(5) = -1 ECHILD\n");
	ev.u.wait = (struct pw_wait){ .call = PW_CALL_WAITID, .idtype = P_PID, .target = 5,
				      .options = WEXITED | WNOWAIT, .result = 5,
				      .status = { .kind = PW_STATUS_KILLED, .signal = SIGSEGV,
						  .core = true } };
	cr_assert_str_eq(emit(&ev),
			 "   0.000000 [1] waitid(P_PID, 5, WEXITED|WNOWAIT) reported 5: "
			 "killed by SIGSEGV (core dumped)\n");
	ev.u.wait = (struct pw_wait){ .call = PW_CALL_WAITID, .idtype = P_ALL, .target = 0,
				      .options = WSTOPPED, .result = 6,
				      .status = { .kind = PW_STATUS_STOPPED, .signal = SIGSTOP } };
	cr_assert_str_eq(emit(&ev),
			 "   0.000000 [1] waitid(P_ALL, 0, WUNTRACED) reported 6: "
			 "stopped by SIGSTOP\n");
	ev.u.wait.status = (struct pw_status){ .kind = PW_STATUS_CONTINUED };
	cr_assert_str_eq(emit(&ev),
			 "   0.000000 [1] waitid(P_ALL, 0, WUNTRACED) reported 6: continued\n");
	ev.u.wait.status = (struct pw_status){ .kind = PW_STATUS_TRAPPED, .signal = SIGTRAP };
	cr_assert_str_eq(emit(&ev),
			 "   0.000000 [1] waitid(P_ALL, 0, WUNTRACED) reported 6: "
			 "trapped by SIGTRAP\n");
}

Test(sink_text, exits)
{
	struct pw_event ev = {
		.kind = PW_EV_EXIT, .time_us = 1200, .pid = 1235, .tid = 1235,
		.u.exit = { .status = { .kind = PW_STATUS_EXITED, .code = 0 },
			    .call = PW_CALL_EXIT_GROUP },
	};

	cr_assert_str_eq(emit(&ev), "   0.001200 [1235] exit 0 (exit_group)\n");
	ev.u.exit = (struct pw_exit){ .status = { .kind = PW_STATUS_KILLED, .signal = SIGSEGV,
						  .core = true } };
	cr_assert_str_eq(emit(&ev), "   0.001200 [1235] killed by SIGSEGV (core dumped)\n");
	ev.tid = 1240;
	ev.u.exit = (struct pw_exit){ .thread = true, .call = PW_CALL_EXIT,
				      .status = { .kind = PW_STATUS_EXITED, .code = 3 } };
	cr_assert_str_eq(emit(&ev), "   0.001200 [1235/1240] thread exit 3 (exit)\n");
}

Test(sink_text, signal_and_end)
{
	struct pw_event ev = {
		.kind = PW_EV_SIGNAL, .time_us = 12000345, .pid = 1, .tid = 1,
		.u.signal = { .signal = SIGCHLD, .sender = 2, .code = 1 },
	};

	cr_assert_str_eq(emit(&ev), "  12.000345 [1] signal SIGCHLD from 2 (code 1)\n");
	ev.u.signal = (struct pw_signal){ .signal = SIGSEGV, .code = 1 };
	cr_assert_str_eq(emit(&ev), "  12.000345 [1] signal SIGSEGV (code 1)\n");
	ev.kind = PW_EV_END;
	ev.u.end = (struct pw_end){ .status = { .kind = PW_STATUS_EXITED, .code = 2 } };
	cr_assert_str_eq(emit(&ev), "  12.000345 [1] end: exited 2\n");
	ev.u.end = (struct pw_end){ .status = { .kind = PW_STATUS_KILLED, .signal = SIGKILL },
				    .lost = 3 };
	cr_assert_str_eq(emit(&ev), "  12.000345 [1] end: killed by SIGKILL (3 events lost)\n");
}

Test(sink_text, write_error_is_returned)
{
	FILE *ro = fopen("/dev/null", "r");
	struct pw_sink *bad;
	struct pw_event ev = { .kind = PW_EV_SIGNAL, .pid = 1, .tid = 1,
			       .u.signal = { .signal = SIGINT } };

	cr_assert_not_null(ro);
	bad = pw_sink_text_new(ro);
	cr_assert_not_null(bad);
	cr_assert_lt(pw_sink_event(bad, &ev), 0);
	cr_assert_lt(pw_sink_close(bad), 0);
	fclose(ro);
}
