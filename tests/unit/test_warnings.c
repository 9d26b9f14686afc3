/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the warnings: hand-built events go through the process
 * model and then the checks, and each case asserts the warnings given (and
 * that the harmless twin of each case gives none).
 */
#include <signal.h>
#include <string.h>

#include <criterion/criterion.h>

#include "procwatch/model.h"
#include "procwatch/warnings.h"

#define MAX_SEEN 8

struct seen {
	struct pw_warning w[MAX_SEEN];
	size_t n;
};

static struct pw_model model;
static struct seen seen;

/* The event into the model, and the warnings it gave rise to into seen. */
static void
feed(struct pw_event ev)
{
	struct pw_model_notes notes;
	size_t i;

	cr_assert(pw_model_event(&model, &ev, &notes) == 0);
	for (i = 0; i < notes.nwarnings; i++) {
		cr_assert(seen.n < MAX_SEEN, "too many warnings");
		seen.w[seen.n++] = notes.warnings[i];
	}
}

static void
setup(void)
{
	struct pw_model_opts mo = { .warnings = true };

	pw_model_init(&model, &mo);
	memset(&seen, 0, sizeof(seen));
	feed((struct pw_event){ .kind = PW_EV_START, .pid = 100, .tid = 100 });
}

static void
teardown(void)
{
	pw_model_destroy(&model);
}

TestSuite(warnings, .init = setup, .fini = teardown);

static struct pw_event
spawn(pid_t pid, pid_t tid, pid_t child, enum pw_spawn_kind kind, uint64_t t)
{
	return (struct pw_event){
		.kind = PW_EV_SPAWN, .time_us = t, .pid = pid, .tid = tid,
		.u.spawn = {
			.call = PW_CALL_CLONE, .kind = kind, .child = child,
			.thread = kind == PW_SPAWN_THREAD, .exit_signal = SIGCHLD,
			.parent = pid, .result = child,
		},
	};
}

static struct pw_event
exited(pid_t pid, pid_t tid, int code, uint64_t t)
{
	return (struct pw_event){
		.kind = PW_EV_EXIT, .time_us = t, .pid = pid, .tid = tid,
		.u.exit = { .thread = pid != tid,
			    .status = { .kind = PW_STATUS_EXITED, .code = code } },
	};
}

static struct pw_event
reaped(pid_t parent, pid_t child, uint64_t t)
{
	return (struct pw_event){
		.kind = PW_EV_WAIT, .time_us = t, .pid = parent, .tid = parent,
		.u.wait = { .call = PW_CALL_WAIT4, .target = -1, .result = child,
			    .status = { .kind = PW_STATUS_EXITED } },
	};
}

Test(warnings, fork_from_threaded_process)
{
	feed(spawn(100, 100, 101, PW_SPAWN_THREAD, 10));
	feed(spawn(100, 100, 102, PW_SPAWN_FORK, 20));
	cr_assert_eq(seen.n, 1);
	cr_assert_eq(seen.w[0].kind, PW_WARN_FORK_THREADED);
	cr_assert(strstr(seen.w[0].text, "2 threads"), "%s", seen.w[0].text);
	/* Once the thread is gone, and for posix_spawn, nothing to say. */
	feed(exited(100, 101, 0, 30));
	feed(spawn(100, 100, 103, PW_SPAWN_FORK, 40));
	feed(spawn(100, 100, 104, PW_SPAWN_POSIX_SPAWN, 50));
	cr_assert_eq(seen.n, 1, "%s", seen.n > 1 ? seen.w[1].text : "");
}

/* Threads found at an attach are live threads too, though not created in the trace. */
Test(warnings, fork_from_attached_threaded_process)
{
	pid_t tids[] = { 200, 201, 202 };
	struct pw_bytes argv[] = { { .data = "java", .len = 4 } };

	feed((struct pw_event){
		.kind = PW_EV_ATTACH, .time_us = 5, .pid = 200, .tid = 200,
		.u.attach = { .tids = tids, .ntids = 3, .argv = argv, .argc = 1 },
	});
	feed(spawn(200, 201, 203, PW_SPAWN_FORK, 20));
	cr_assert_eq(seen.n, 1);
	cr_assert_eq(seen.w[0].kind, PW_WARN_FORK_THREADED);
	cr_assert(strstr(seen.w[0].text, "3 threads"), "%s", seen.w[0].text);
}

Test(warnings, posix_spawn_from_threaded_process_is_fine)
{
	feed(spawn(100, 100, 101, PW_SPAWN_THREAD, 10));
	feed(spawn(100, 101, 102, PW_SPAWN_POSIX_SPAWN, 20));
	feed(spawn(100, 101, 103, PW_SPAWN_VFORK, 30));
	cr_assert_eq(seen.n, 0);
}

Test(warnings, leaked_descriptors)
{
	struct pw_fd fds[2] = {
		{ .fd = 3, .target = { .data = "pipe:[9]", .len = 8 } },
		{ .fd = 7, .target = { .data = "/tmp/\x1b[31m", .len = 10 } },
	};
	struct pw_event ev = {
		.kind = PW_EV_EXEC, .pid = 100, .tid = 100,
		.u.exec = { .call = PW_CALL_EXECVE, .fds = fds, .nfds = 2 },
	};

	feed(ev);
	cr_assert_eq(seen.n, 1);
	cr_assert_eq(seen.w[0].kind, PW_WARN_FD_LEAK);
	cr_assert(strstr(seen.w[0].text, "3 → pipe:[9]"), "%s", seen.w[0].text);
	cr_assert(strstr(seen.w[0].text, "7 → /tmp/\\x1b[31m"), "escaped: %s",
		  seen.w[0].text);
	ev.u.exec.nfds = 0;
	feed(ev);
	cr_assert_eq(seen.n, 1, "no descriptors, no warning");
}

Test(warnings, long_zombie)
{
	feed(spawn(100, 100, 101, PW_SPAWN_FORK, 0));
	feed(exited(101, 101, 0, 1000));
	feed(reaped(100, 101, 1000 + PW_ZOMBIE_THRESHOLD_US_DEFAULT / 2));
	cr_assert_eq(seen.n, 0, "a short zombie is normal");
	feed(spawn(100, 100, 102, PW_SPAWN_FORK, 2000000));
	feed(exited(102, 102, 0, 2000000));
	feed(reaped(100, 102, 4500000));
	cr_assert_eq(seen.n, 1);
	cr_assert_eq(seen.w[0].kind, PW_WARN_ZOMBIE);
	cr_assert_eq(seen.w[0].pid, 102);
	cr_assert(strstr(seen.w[0].text, "2.500 s"), "%s", seen.w[0].text);
}

Test(warnings, exit_leaving_dead_children)
{
	feed(spawn(100, 100, 101, PW_SPAWN_FORK, 0));
	feed(spawn(100, 100, 102, PW_SPAWN_FORK, 0));
	feed(exited(101, 101, 0, 10));
	feed(exited(102, 102, 0, 10));
	feed(reaped(100, 102, 20));
	feed(exited(100, 100, 0, 30));
	cr_assert_eq(seen.n, 1);
	cr_assert_eq(seen.w[0].kind, PW_WARN_UNREAPED);
	cr_assert(strstr(seen.w[0].text, "1 dead child (101)"), "%s", seen.w[0].text);
}

Test(warnings, killed_by_signal)
{
	struct pw_event ev = exited(100, 100, 0, 10);

	feed(spawn(100, 100, 101, PW_SPAWN_FORK, 0));
	ev.pid = ev.tid = 101;
	ev.u.exit.status = (struct pw_status){ .kind = PW_STATUS_KILLED,
					       .signal = SIGSEGV, .core = true };
	feed(ev);
	cr_assert_eq(seen.n, 1);
	cr_assert_eq(seen.w[0].kind, PW_WARN_KILLED);
	cr_assert_str_eq(seen.w[0].text, "killed by SIGSEGV (core dumped)");
	cr_assert_str_eq(pw_warning_kind_name(PW_WARN_KILLED), "killed");
}

/*
 * Calls the task died in made nothing to warn about: an unfinished fork
 * from a threaded process copied nothing, an unfinished exec passed no
 * descriptor to a new program (even were some recorded).
 */
Test(warnings, unfinished_calls_give_none)
{
	struct pw_fd fds[1] = { { .fd = 3, .target = { .data = "pipe:[9]", .len = 8 } } };
	struct pw_event fork_ev = spawn(100, 100, 0, PW_SPAWN_FORK, 20);
	struct pw_event exec_ev = {
		.kind = PW_EV_EXEC, .time_us = 30, .pid = 100, .tid = 101,
		.u.exec = { .call = PW_CALL_EXECVE, .fds = fds, .nfds = 1,
			    .result = PW_RESULT_UNFINISHED },
	};

	feed(spawn(100, 100, 101, PW_SPAWN_THREAD, 10));
	fork_ev.u.spawn.result = PW_RESULT_UNFINISHED;
	feed(fork_ev);
	feed(exec_ev);
	cr_assert_eq(seen.n, 0, "%s", seen.n ? seen.w[0].text : "");
}
