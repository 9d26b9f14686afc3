/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Integration tests of signals under procwatch.  Signals meant for the
 * traced program must reach it as without a tracer: a handler runs, a child
 * is killed by SIGKILL or SIGTERM, an ignored SIGTERM stays ignored.
 * Signals meant for procwatch itself: SIGTERM and SIGHUP are passed on to
 * the command, which handles them and exits 0, so procwatch exits 0 with a
 * complete trace; SIGINT sent to the whole process group (Ctrl-C) reaches
 * the program and procwatch keeps tracing what it does afterwards; SIGKILL
 * kills procwatch and, through PTRACE_O_EXITKILL, its tracees, leaving a
 * trace whose every line is still JSON.  The last cases need the helper's
 * "ready" line before the signal is sent, so they split the run with
 * pw_run_start() and pw_run_finish().
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "run_trace.h"

/* How long a test waits for a death it caused: only a failure waits. */
#define DEATH_TIMEOUT_MS 30000

/* ---- signals for the traced program, through pw_run() ---- */

Test(signals, handler_runs)
{
	const char *args[] = { "handler", NULL };
	struct pw_run r;

	pw_require_ptrace();
	pw_run_checked("pw_signals", args, &r);
	cr_assert_str_eq(r.out, "handled\n", "the SIGUSR1 handler did not run "
			 "(the signal was not re-injected?)");
	cr_assert(pw_facts_get_int(&r, "handled") == 1);
	pw_run_free(&r);
}

static void
assert_killed_child(const struct pw_run *r, const char *prefix, const char *sig)
{
	char key[64];
	pid_t child;
	json_t *reap, *ex;
	const json_t *st;

	snprintf(key, sizeof(key), "%s_child", prefix);
	child = (pid_t)pw_facts_get_int(r, key);
	reap = pw_reap_of(r, child);
	cr_assert(reap, "no wait event reaping %d", (int)child);
	st = json_object_get(reap, "status");
	cr_assert_str_eq(pw_ev_str(st, "kind"), "killed", "%s", pw_ev_dump(reap));
	cr_assert_str_eq(pw_ev_str(st, "signal"), sig, "%s", pw_ev_dump(reap));
	cr_assert(json_is_false(json_object_get(st, "core")),
		  "core must be false: %s", pw_ev_dump(reap));
	ex = pw_exit_of(r, child);
	cr_assert(ex, "no exit event for %d", (int)child);
	cr_assert_str_eq(pw_ev_str(ex, "signal"), sig, "%s", pw_ev_dump(ex));
}

Test(signals, children_killed_by_sigkill_and_sigterm)
{
	const char *args[] = { "kill", NULL };
	struct pw_run r;
	struct pw_tree t;

	pw_require_ptrace();
	pw_run_checked("pw_signals", args, &r);
	cr_assert(pw_facts_get_int(&r, "sigkill_signal") == SIGKILL, "%s", r.facts);
	cr_assert(pw_facts_get_int(&r, "sigterm_signal") == SIGTERM, "%s", r.facts);
	assert_killed_child(&r, "sigkill", "SIGKILL");
	assert_killed_child(&r, "sigterm", "SIGTERM");
	pw_tree_build(&r, &t);
	pw_check_tree_reaped(&r, &t, NULL, 0);
	pw_tree_free(&t);
	pw_run_free(&r);
}

/*
 * A traced task gets even ignored signals queued (kernel/signal.c
 * sig_ignored() makes an exception for ptraced tasks), so the tracer sees
 * the SIGTERM; re-injecting it must leave it ignored.
 */
Test(signals, ignored_sigterm_stays_ignored)
{
	const char *args[] = { "ignore", NULL };
	struct pw_run r;
	pid_t child;

	pw_require_ptrace();
	pw_run_checked("pw_signals", args, &r);
	cr_assert(pw_facts_get_int(&r, "ignore_answered") == 1,
		  "the child did not answer after SIGTERM; facts: %s", r.facts);
	cr_assert(pw_facts_get_int(&r, "ignore_exited") == 1 &&
		  pw_facts_get_int(&r, "ignore_code") == 0, "facts: %s", r.facts);
	cr_assert_str_eq(r.out, "survived\n");
	child = (pid_t)pw_facts_get_int(&r, "ignore_child");
	pw_assert_exit_code(&r, child, 0);
	pw_assert_status_exited(json_object_get(pw_reap_of(&r, child), "status"), 0);
	pw_run_free(&r);
}

/* ---- signals for procwatch: the test acts while the run goes on ---- */

static int
own_group(void)
{
	return setpgid(0, 0);
}

/* Starts pw_signals MODE, traced or not, in its own process group if asked. */
static void
live_start(struct pw_run_handle *h, const char *mode, bool traced,
	   bool own_pgrp)
{
	const char *args[] = { mode, NULL };
	struct pw_run_opts o = {
		.untraced = !traced,
		.child_setup = own_pgrp ? own_group : NULL,
	};

	pw_run_start("pw_signals", args, &o, h);
	/* Set in both processes, so kill(-pgid) cannot run before it exists. */
	if (own_pgrp)
		setpgid(h->pid, h->pid);
}

/* Reads stdout up to the helper's "ready <pid>" line; returns that pid. */
static pid_t
live_ready(struct pw_run_handle *h)
{
	const char *line = pw_run_read_line(h);
	char *end;
	long pid;

	cr_assert(strchr(line, '\n'), "the helper ended before saying ready "
		  "(got \"%s\")", line);
	cr_assert(strncmp(line, "ready ", 6) == 0, "not ready: %s", line);
	pid = strtol(line + 6, &end, 10);
	cr_assert(pid > 0 && *end == '\n', "bad ready line: %s", line);
	return (pid_t)pid;
}

/* stdout after the "ready <pid>" line, which differs from run to run. */
static const char *
after_ready(const struct pw_run *r)
{
	const char *nl = strchr(r->out, '\n');

	return nl ? nl + 1 : "";
}

static int
pidfd_of(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	cr_assert(fd >= 0, "pidfd_open(%d): %s", (int)pid, strerror(errno));
	return fd;
}

/* True once the process behind pidfd has died (POLLIN on a pidfd). */
static bool
died_within(int pidfd, int timeout_ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int n;

	while ((n = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	return n == 1 && (p.revents & POLLIN);
}

/*
 * Starts the helper (under procwatch if traced), sends sig once it is
 * ready and collects the run.  A run that does not end after the signal
 * (procwatch swallowed it) is killed so that the test fails, not hangs.
 */
static void
signal_and_finish(const char *mode, int sig, bool to_group, bool traced,
		  struct pw_run *r)
{
	struct pw_run_handle h;
	pid_t helper;
	bool ended;
	int pidfd;

	live_start(&h, mode, traced, to_group);
	helper = live_ready(&h);
	pidfd = pidfd_of(h.pid);
	cr_assert(kill(to_group ? -h.pid : h.pid, sig) == 0);
	ended = died_within(pidfd, DEATH_TIMEOUT_MS);
	close(pidfd);
	if (!ended) {
		kill(helper, SIGKILL);
		kill(h.pid, SIGKILL);
	}
	pw_run_finish(&h, r);
	cr_assert(ended, "%s: still running %d ms after %s; stderr: %s",
		  traced ? "procwatch" : "the helper", DEATH_TIMEOUT_MS,
		  strsignal(sig), r->err);
}

/*
 * The helper handles sig and exits 0: traced, with the signal sent to
 * procwatch (or to the group), and untraced, sent to the helper (or to its
 * group).  Both must exit 0 with the same stdout.
 */
static void
run_with_signal(const char *mode, int sig, bool to_group, struct pw_run *r)
{
	struct pw_run u;

	signal_and_finish(mode, sig, to_group, false, &u);
	cr_assert(WIFEXITED(u.status) && WEXITSTATUS(u.status) == 0,
		  "untraced helper status 0x%x", u.status);
	signal_and_finish(mode, sig, to_group, true, r);
	cr_assert(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0,
		  "procwatch got %s and should have passed it on and exited 0 "
		  "with its command: status 0x%x, stderr: %s", strsignal(sig),
		  r->status, r->err);
	cr_assert_str_eq(after_ready(r), after_ready(&u),
			 "stdout differs from the untraced run");
	pw_run_free(&u);
	pw_check_trace_wellformed(r);
	cr_assert(pw_facts_get_int(r, "got_signo") == sig,
		  "the command did not get the signal; facts: %s", r->facts);
}

static void
check_passed_on(int sig)
{
	struct pw_run r;

	pw_require_ptrace();
	run_with_signal("term", sig, false, &r);
	pw_assert_exit_code(&r, (pid_t)pw_facts_get_int(&r, "pid"), 0);
	pw_run_free(&r);
}

Test(signals, sigterm_to_procwatch_is_passed_on)
{
	check_passed_on(SIGTERM);
}

Test(signals, sighup_to_procwatch_is_passed_on)
{
	check_passed_on(SIGHUP);
}

/*
 * Ctrl-C: the kernel sends SIGINT to every process of the foreground
 * group, procwatch included.  procwatch must outlive it and still record
 * the child the program forks after handling SIGINT.
 */
Test(signals, sigint_to_group_reaches_program_and_tracing_goes_on)
{
	struct pw_run r;
	pid_t pid, child;
	json_t *sp;

	pw_require_ptrace();
	run_with_signal("int", SIGINT, true, &r);
	pid = (pid_t)pw_facts_get_int(&r, "pid");
	child = (pid_t)pw_facts_get_int(&r, "child");
	sp = pw_spawn_of(&r, child);
	cr_assert(sp, "the child forked after SIGINT is missing from the trace");
	cr_assert(pw_ev_int(sp, "pid") == pid, "%s", pw_ev_dump(sp));
	pw_assert_exit_code(&r, child, 7);
	cr_assert(pw_reap_of(&r, child), "the reap of %d is missing", (int)child);
	pw_assert_exit_code(&r, pid, 0);
	pw_run_free(&r);
}

/*
 * Kills procwatch while the helper blocks forever and collects the run;
 * returns whether the helper died too (the kernel kills tracees of an
 * exiting tracer that set PTRACE_O_EXITKILL: kernel/ptrace.c exit_ptrace()).
 */
static bool
kill_procwatch(struct pw_run_handle *h, pid_t helper, struct pw_run *r)
{
	int pidfd;
	bool died;

	/* Opened while the helper surely lives, so its pid cannot be reused. */
	pidfd = pidfd_of(helper);
	cr_assert(kill(h->pid, SIGKILL) == 0);
	died = died_within(pidfd, DEATH_TIMEOUT_MS);
	if (!died)	/* do not leave it behind (nor the harness waiting for EOF) */
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	close(pidfd);
	pw_run_finish(h, r);
	cr_assert(WIFSIGNALED(r->status) && WTERMSIG(r->status) == SIGKILL,
		  "procwatch status 0x%x", r->status);
	return died;
}

/* Lines are flushed one by one: what was written is whole JSON, no end. */
static void
check_partial_trace(const struct pw_run *r, pid_t helper)
{
	cr_assert(r->nevents >= 2, "the trace is empty");
	cr_assert_str_eq(pw_ev_kind(r->events[0]), "trace", "%s",
			 pw_ev_dump(r->events[0]));
	cr_assert_str_eq(pw_ev_kind(r->events[1]), "start", "%s",
			 pw_ev_dump(r->events[1]));
	cr_assert(pw_event_find(r, "exec", helper), "the helper's exec, long "
		  "done when procwatch was killed, is not in the trace");
	cr_assert(!pw_event_find(r, "end", -1), "an end event although "
		  "procwatch was killed");
}

Test(signals, sigkill_to_procwatch_kills_tracees)
{
	struct pw_run_handle h;
	struct pw_run r;
	pid_t helper;
	bool died;

	pw_require_ptrace();
	live_start(&h, "block", true, false);
	helper = live_ready(&h);
	died = kill_procwatch(&h, helper, &r);
	cr_assert(died, "the tracee %d outlived procwatch by %d ms: "
		  "PTRACE_O_EXITKILL missing?", (int)helper, DEATH_TIMEOUT_MS);
	check_partial_trace(&r, helper);
	pw_run_free(&r);
}
