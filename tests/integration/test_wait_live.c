/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Integration tests of how processes end and how their parents learn of
 * it, traced for real: exit codes passed through procwatch; death by a
 * signal without a core (procwatch dies the same way) and with one (the
 * trace's core flag must be what the kernel told the waiting parent); a
 * child stopped with SIGSTOP, continued and reaped (wait statuses stopped,
 * continued, exited, and the child really stopped under the tracer); a wait4
 * interrupted by a handler, restarted with SA_RESTART or failing with EINTR
 * without it, where the kernel-internal restart codes must never show.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "run_trace.h"

/* "SIGSEGV" for a signal number, as the trace names it. */
static const char *
sig_name(long long sig)
{
	static char buf[4][32];
	static unsigned next;
	char *b = buf[next++ % 4];
	const char *a = sigabbrev_np((int)sig);

	cr_assert(a, "no name for signal %lld", sig);
	snprintf(b, sizeof(buf[0]), "SIG%s", a);
	return b;
}

static const char *
status_kind(const json_t *st)
{
	const json_t *k = json_object_get(st, "kind");

	return json_is_string(k) ? json_string_value(k) : "";
}

/* Asserts st is {"kind":"killed","signal":sig,"core":core}. */
static void
assert_status_killed(const json_t *st, int sig, bool core, const json_t *ev)
{
	const json_t *c = json_object_get(st, "core");

	cr_assert(json_is_object(st) && strcmp(status_kind(st), "killed") == 0,
		  "status is not killed: %s", pw_ev_dump(ev));
	cr_assert_str_eq(pw_ev_str(st, "signal"), sig_name(sig), "%s",
			 pw_ev_dump(ev));
	cr_assert(json_is_boolean(c) && json_is_true(c) == core,
		  "status core should be %s: %s", core ? "true" : "false",
		  pw_ev_dump(ev));
}

/* The exit event of pid says killed by sig, core as given. */
static void
assert_exit_killed(const struct pw_run *r, pid_t pid, int sig, bool core)
{
	json_t *ex = pw_exit_of(r, pid);

	cr_assert(ex, "no exit event for %d", (int)pid);
	cr_assert(!pw_ev_has(ex, "code"), "killed, yet a code: %s", pw_ev_dump(ex));
	cr_assert_str_eq(pw_ev_str(ex, "signal"), sig_name(sig), "%s",
			 pw_ev_dump(ex));
	cr_assert(json_is_boolean(json_object_get(ex, "core")) &&
		  pw_ev_bool(ex, "core") == core, "exit core should be %s: %s",
		  core ? "true" : "false", pw_ev_dump(ex));
}

/* ---- exit codes ---- */

static void
check_exit_code(const char *code)
{
	const char *args[] = { code, NULL };
	int want = atoi(code);
	struct pw_run r;

	pw_require_ptrace();
	pw_run_checked("pw_exit_code", args, &r);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == want,
		  "procwatch status 0x%x, expected exit %d; stderr: %s", r.status,
		  want, r.err);
	pw_assert_exit_code(&r, (pid_t)pw_facts_get_int(&r, "pid"), want);
	pw_run_free(&r);
}

Test(wait_live, exit_code_0) { check_exit_code("0"); }
Test(wait_live, exit_code_1) { check_exit_code("1"); }
Test(wait_live, exit_code_42) { check_exit_code("42"); }
Test(wait_live, exit_code_255) { check_exit_code("255"); }

/* ---- killed ---- */

Test(wait_live, killed_without_core)
{
	const char *args[] = { "signal", "SIGSEGV", NULL };
	struct pw_run r;
	pid_t pid;

	pw_require_ptrace();
	pw_run_checked("pw_exit_code", args, &r);
	cr_assert(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGSEGV,
		  "procwatch must die by SIGSEGV as its command did: status 0x%x, "
		  "stderr: %s", r.status, r.err);
	/* procwatch(1), EXIT STATUS: procwatch re-raises with core dumps off. */
	cr_assert(!WCOREDUMP(r.status), "procwatch dumped core while passing "
		  "SIGSEGV on (status 0x%x)", r.status);
	pid = (pid_t)pw_facts_get_int(&r, "pid");
	assert_exit_killed(&r, pid, SIGSEGV, false);
	assert_status_killed(json_object_get(r.events[r.nevents - 1], "status"),
			     SIGSEGV, false, r.events[r.nevents - 1]);
	pw_run_free(&r);
}

Test(wait_live, killed_with_core_as_kernel_says)
{
	const char *args[] = { "core", "SIGABRT", NULL };
	struct pw_run r;
	pid_t child;
	json_t *reap;
	bool core;

	pw_require_ptrace();
	pw_run_checked("pw_exit_code", args, &r);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
		  "status 0x%x, stderr: %s, facts: %s", r.status, r.err, r.facts);
	child = (pid_t)pw_facts_get_int(&r, "child");
	cr_assert(pw_facts_get_int(&r, "signal") == SIGABRT);
	core = pw_facts_get_int(&r, "core") != 0;
	reap = pw_reap_of(&r, child);
	cr_assert(reap, "no wait event reaping %d", (int)child);
	cr_assert(pw_ev_int(reap, "pid") == pw_facts_get_int(&r, "pid"),
		  "%s", pw_ev_dump(reap));
	assert_status_killed(json_object_get(reap, "status"), SIGABRT, core, reap);
	assert_exit_killed(&r, child, SIGABRT, core);
	pw_run_free(&r);
}

/* ---- stop / continue ---- */

/* The wait events of pid that reported child, in trace order (max 8). */
static size_t
waits_for(const struct pw_run *r, pid_t pid, pid_t child, json_t **out)
{
	size_t i = 0, n = 0;
	json_t *ev;

	while ((ev = pw_event_next(r, "wait", &i))) {
		if (pw_ev_int(ev, "pid") != pid)
			continue;
		if (pw_ev_int(ev, "result") != child &&
		    !(json_is_integer(json_object_get(ev, "target")) &&
		      pw_ev_int(ev, "target") == child))
			continue;
		cr_assert(n < 8, "too many wait events for %d", (int)child);
		out[n++] = ev;
	}
	return n;
}

static void
assert_stop_facts(const struct pw_run *r)
{
	cr_assert(pw_facts_get_int(r, "stopped") == 1, "facts: %s", r->facts);
	cr_assert(pw_facts_get_int(r, "stop_signal") == SIGSTOP, "facts: %s",
		  r->facts);
	cr_assert(pw_facts_get_int(r, "continued") == 1, "facts: %s", r->facts);
	cr_assert(pw_facts_get_int(r, "exit_code") == 0, "facts: %s", r->facts);
}

static char
stop_state(const struct pw_run *r)
{
	char *s = pw_facts_get_str(r, "state"), c = s[0];

	free(s);
	return c;
}

/* Untraced, the helper's /proc check must see 'T', or it checks nothing. */
static void
check_stop_baseline(void)
{
	struct pw_run_opts uo = { .untraced = true };
	struct pw_run u;

	pw_run("pw_stop_cont", NULL, &uo, &u);
	assert_stop_facts(&u);
	cr_assert(stop_state(&u) == 'T', "untraced, the stopped child is in "
		  "state %c, not T: the helper's check is wrong", stop_state(&u));
	pw_run_free(&u);
}

/* The parent's wait4 calls: stopped SIGSTOP, continued, exited 0. */
static void
assert_stop_cont_waits(const struct pw_run *r)
{
	pid_t pid = (pid_t)pw_facts_get_int(r, "pid");
	pid_t child = (pid_t)pw_facts_get_int(r, "child");
	const json_t *st;
	json_t *w[8];
	size_t k;

	cr_assert(waits_for(r, pid, child, w) == 3, "expected 3 wait events of "
		  "%d for %d (stopped, continued, exited)", (int)pid, (int)child);
	st = json_object_get(w[0], "status");
	cr_assert(strcmp(status_kind(st), "stopped") == 0 &&
		  strcmp(pw_ev_str(st, "signal"), "SIGSTOP") == 0 &&
		  pw_ev_array_has(w[0], "options", "WUNTRACED"),
		  "not a WUNTRACED wait reporting stopped by SIGSTOP: %s",
		  pw_ev_dump(w[0]));
	cr_assert(strcmp(status_kind(json_object_get(w[1], "status")),
			 "continued") == 0 &&
		  pw_ev_array_has(w[1], "options", "WCONTINUED"),
		  "not a WCONTINUED wait reporting continued: %s", pw_ev_dump(w[1]));
	pw_assert_status_exited(json_object_get(w[2], "status"), 0);
	for (k = 0; k < 3; k++)
		cr_assert(pw_ev_int(w[k], "result") == child, "%s", pw_ev_dump(w[k]));
	pw_assert_exit_code(r, child, 0);
}

Test(wait_live, stop_continue_exit)
{
	struct pw_run r;
	char state;

	pw_require_ptrace();
	check_stop_baseline();
	pw_run_checked("pw_stop_cont", NULL, &r);
	assert_stop_facts(&r);
	/*
	 * A group-stopped tracee sits in ptrace_stop() (kernel/signal.c
	 * do_jobctl_trap), shown as 't'; PTRACE_LISTEN keeps it there.  Any
	 * other letter means the tracer let it run while its parent saw it
	 * stopped (it would be blocked in read(), 'S').
	 */
	state = stop_state(&r);
	cr_assert(state == 'T' || state == 't', "traced, the child was in state "
		  "'%c' while its parent saw it stopped: the group-stop did not "
		  "stop it", state);
	assert_stop_cont_waits(&r);
	pw_run_free(&r);
}

/* ---- interrupted wait4 ---- */

/* No event at all may carry -ERESTARTSYS..-ERESTART_RESTARTBLOCK. */
static void
assert_no_restart_codes(const struct pw_run *r)
{
	long long res;
	size_t i;

	for (i = 0; i < r->nevents; i++) {
		if (!json_is_integer(json_object_get(r->events[i], "result")))
			continue;
		res = pw_ev_int(r->events[i], "result");
		cr_assert(res > -512 || res < -516, "kernel-internal restart code "
			  "in the trace: %s", pw_ev_dump(r->events[i]));
	}
}

/* Runs pw_restart in mode; returns the parent's wait4 events for the child. */
static size_t
run_restart(const char *mode, struct pw_run *r, json_t **w)
{
	const char *args[] = { mode, NULL };
	pid_t pid, child;

	pw_require_ptrace();
	pw_run_checked("pw_restart", args, r);
	assert_no_restart_codes(r);
	/* Else the signal may have come before wait4 and proves nothing. */
	cr_assert(pw_facts_get_int(r, "seen_waiting") == 1, "the child never saw "
		  "its parent asleep in wait4; facts: %s", r->facts);
	cr_assert(pw_facts_get_int(r, "handler_ran") == 1, "facts: %s", r->facts);
	pid = (pid_t)pw_facts_get_int(r, "pid");
	child = (pid_t)pw_facts_get_int(r, "child");
	cr_assert(pw_facts_get_int(r, "final_result") == child, "facts: %s",
		  r->facts);
	pw_assert_exit_code(r, child, 0);
	return waits_for(r, pid, child, w);
}

static void
assert_reaped_by(const json_t *ev, pid_t child)
{
	cr_assert_str_eq(pw_ev_str(ev, "call"), "wait4", "%s", pw_ev_dump(ev));
	cr_assert(pw_ev_int(ev, "result") == child, "%s", pw_ev_dump(ev));
	pw_assert_status_exited(json_object_get(ev, "status"), 0);
}

Test(wait_live, wait4_restarted_by_sa_restart)
{
	struct pw_run r;
	json_t *w[8];
	size_t n;

	n = run_restart("restart", &r, w);
	cr_assert(pw_facts_get_int(&r, "first_result") ==
		  pw_facts_get_int(&r, "child"), "with SA_RESTART the first "
		  "wait4 must reap; facts: %s", r.facts);
	/* The restart is invisible to the program: one call, one event. */
	cr_assert(n == 1, "expected exactly one wait4 event for the child, got "
		  "%zu; first: %s; second: %s", n, pw_ev_dump(w[0]),
		  n > 1 ? pw_ev_dump(w[1]) : "-");
	assert_reaped_by(w[0], (pid_t)pw_facts_get_int(&r, "child"));
	pw_run_free(&r);
}

Test(wait_live, wait4_eintr_without_sa_restart)
{
	struct pw_run r;
	json_t *w[8];
	size_t n;

	n = run_restart("eintr", &r, w);
	cr_assert(pw_facts_get_int(&r, "first_result") == -1 &&
		  pw_facts_get_int(&r, "first_errno") == EINTR,
		  "the helper's first wait4 did not fail with EINTR; facts: %s",
		  r.facts);
	cr_assert(n == 2, "expected 2 wait4 events for the child (EINTR, then "
		  "the reap), got %zu; first: %s", n, n ? pw_ev_dump(w[0]) : "-");
	cr_assert_str_eq(pw_ev_str(w[0], "call"), "wait4", "%s", pw_ev_dump(w[0]));
	cr_assert(pw_ev_int(w[0], "result") == -EINTR, "the interrupted wait4 "
		  "must show what the program got, -EINTR: %s", pw_ev_dump(w[0]));
	cr_assert_str_eq(pw_ev_str(w[0], "errno"), "EINTR", "%s",
			 pw_ev_dump(w[0]));
	cr_assert(!pw_ev_has(w[0], "status"), "no child was reported: %s",
		  pw_ev_dump(w[0]));
	assert_reaped_by(w[1], (pid_t)pw_facts_get_int(&r, "child"));
	pw_run_free(&r);
}
