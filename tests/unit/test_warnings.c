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
#include "event_builder.h"

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
	feed(ev_start(0, 100, NULL, 0));
}

static void
teardown(void)
{
	pw_model_destroy(&model);
}

TestSuite(warnings, .init = setup, .fini = teardown);

Test(warnings, fork_from_threaded_process)
{
	feed(ev_spawn(10, 100, 100, PW_SPAWN_THREAD, 101));
	feed(ev_fork(20, 100, 102));
	cr_assert_eq(seen.n, 1);
	cr_assert_eq(seen.w[0].kind, PW_WARN_FORK_THREADED);
	cr_assert(strstr(seen.w[0].text, "2 threads"), "%s", seen.w[0].text);
	/* Once the thread is gone, and for posix_spawn, nothing to say. */
	feed(ev_exited(30, 100, 101, 0));
	feed(ev_fork(40, 100, 103));
	feed(ev_spawn(50, 100, 100, PW_SPAWN_POSIX_SPAWN, 104));
	cr_assert_eq(seen.n, 1, "%s", seen.n > 1 ? seen.w[1].text : "");
}

/* Threads found at an attach are live threads too, though not created in the trace. */
Test(warnings, fork_from_attached_threaded_process)
{
	pid_t tids[] = { 200, 201, 202 };
	struct pw_bytes argv[] = { EV_BYTES("java") };

	feed(ev_attach(5, 200, 0, argv, 1, tids, 3, 0));
	feed(ev_spawn(20, 200, 201, PW_SPAWN_FORK, 203));
	cr_assert_eq(seen.n, 1);
	cr_assert_eq(seen.w[0].kind, PW_WARN_FORK_THREADED);
	cr_assert(strstr(seen.w[0].text, "3 threads"), "%s", seen.w[0].text);
}

Test(warnings, posix_spawn_from_threaded_process_is_fine)
{
	feed(ev_spawn(10, 100, 100, PW_SPAWN_THREAD, 101));
	feed(ev_spawn(20, 100, 101, PW_SPAWN_POSIX_SPAWN, 102));
	feed(ev_spawn(30, 100, 101, PW_SPAWN_VFORK, 103));
	cr_assert_eq(seen.n, 0);
}

Test(warnings, leaked_descriptors)
{
	struct pw_fd fds[2] = {
		{ .fd = 3, .target = EV_BYTES("pipe:[9]") },
		{ .fd = 7, .target = EV_BYTES("/tmp/\x1b[31m") },
	};
	struct pw_event ev = ev_exec(0, 100, NULL, NULL, 0, NULL, 0);

	feed(ev);	/* the command's own first program: see caller_descriptors */
	ev.u.exec.fds = fds;
	ev.u.exec.nfds = 2;
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

/*
 * What the launched command's first program inherited was open before
 * anything traced ran (procwatch's caller left it): a note, no warning,
 * and no warning either where programs below inherit the same.
 */
Test(warnings, caller_descriptors)
{
	struct pw_fd caller[1] = { { .fd = 10, .target = EV_BYTES("pipe:[5]") } };
	struct pw_fd later[2] = {
		{ .fd = 10, .target = EV_BYTES("pipe:[5]") },
		{ .fd = 4, .target = EV_BYTES("/etc/passwd") },
	};
	struct pw_event ev = ev_exec(0, 100, NULL, NULL, 0, NULL, 0);
	struct pw_model_notes notes;

	ev.u.exec.fds = caller;
	ev.u.exec.nfds = 1;
	cr_assert_eq(pw_model_event(&model, &ev, &notes), 0);
	cr_assert_eq(notes.nwarnings, 0);
	cr_assert_str_eq(notes.caller_fds, "10 → pipe:[5]");
	feed(ev_fork(1, 100, 101));
	ev = ev_exec(2, 101, NULL, NULL, 0, NULL, 0);
	ev.u.exec.fds = later;
	ev.u.exec.nfds = 2;
	cr_assert_eq(pw_model_event(&model, &ev, &notes), 0);
	cr_assert_str_empty(notes.caller_fds, "only the command's first program");
	cr_assert_eq(notes.nwarnings, 1);
	cr_assert_str_eq(notes.warnings[0].text,
			 "inherited 1 descriptor without close-on-exec: 4 → /etc/passwd");
}

Test(warnings, long_zombie)
{
	feed(ev_fork(0, 100, 101));
	feed(ev_exited(1000, 101, 101, 0));
	feed(ev_reap(1000 + PW_ZOMBIE_THRESHOLD_US_DEFAULT / 2, 100, 101,
		     ev_status(PW_STATUS_EXITED, 0)));
	cr_assert_eq(seen.n, 0, "a short zombie is normal");
	feed(ev_fork(2000000, 100, 102));
	feed(ev_exited(2000000, 102, 102, 0));
	feed(ev_reap(4500000, 100, 102, ev_status(PW_STATUS_EXITED, 0)));
	cr_assert_eq(seen.n, 1);
	cr_assert_eq(seen.w[0].kind, PW_WARN_ZOMBIE);
	cr_assert_eq(seen.w[0].pid, 102);
	cr_assert(strstr(seen.w[0].text, "2.500 s"), "%s", seen.w[0].text);
}

Test(warnings, exit_leaving_dead_children)
{
	feed(ev_fork(0, 100, 101));
	feed(ev_fork(0, 100, 102));
	feed(ev_exited(10, 101, 101, 0));
	feed(ev_exited(10, 102, 102, 0));
	feed(ev_reap(20, 100, 102, ev_status(PW_STATUS_EXITED, 0)));
	feed(ev_exited(30, 100, 100, 0));
	cr_assert_eq(seen.n, 1);
	cr_assert_eq(seen.w[0].kind, PW_WARN_UNREAPED);
	cr_assert(strstr(seen.w[0].text, "1 dead child (101)"), "%s", seen.w[0].text);
}

Test(warnings, killed_by_signal)
{
	struct pw_event ev = ev_killed(10, 101, 101, SIGSEGV);

	feed(ev_fork(0, 100, 101));
	ev.u.exit.status.core = true;
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
	struct pw_fd fds[1] = { { .fd = 3, .target = EV_BYTES("pipe:[9]") } };
	struct pw_event fork_ev = ev_fork(20, 100, 0);
	struct pw_event exec_ev = ev_exec(30, 100, NULL, NULL, 0, NULL, PW_RESULT_UNFINISHED);

	exec_ev.tid = 101;
	exec_ev.u.exec.fds = fds;
	exec_ev.u.exec.nfds = 1;
	feed(ev_spawn(10, 100, 100, PW_SPAWN_THREAD, 101));
	fork_ev.u.spawn.result = PW_RESULT_UNFINISHED;
	feed(fork_ev);
	feed(exec_ev);
	cr_assert_eq(seen.n, 0, "%s", seen.n ? seen.w[0].text : "");
}
