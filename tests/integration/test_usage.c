/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Integration tests of a process's resource use in its exit event
 * ("usage"): tests/helpers/pw_usage.c burns at least 200 ms of CPU and
 * touches 64 MiB that it unmaps again, and says what it saw of itself
 * last.  The trace must show at least that (it reads later, and only ever
 * more has been used), never an exact value: the split between user and
 * system time and the resident set depend on the machine.  Read at the
 * entry of exit_group, at the last thread's end, at the delivery of a
 * signal that kills; a SIGKILL is never seen delivered, so that process
 * has none (src/tracer/usage.c).  Taken from the stop's wait4 report for
 * a process that never exec'd nor reaped (the forked burner, the killed
 * victim), read otherwise: the tests below check that what the report
 * counts beyond the process's own use (a reaped child, an earlier
 * program's peak) never gets in.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "run_trace.h"

#define BURN_US 200000
#define MEM_KIB (64 * 1024)

static long long
usage_member(const json_t *ex, const char *key)
{
	const json_t *u = json_object_get(ex, "usage");

	cr_assert(json_is_object(u), "no usage: %s", pw_ev_dump(ex));
	return pw_ev_int(u, key);
}

/* The exit event of the process the helper's fact name names; fails if none. */
static json_t *
exit_of_fact(const struct pw_run *r, const char *name)
{
	pid_t pid = (pid_t)pw_facts_get_int(r, name);
	json_t *ex = pw_exit_of(r, pid);

	cr_assert(ex, "no exit event for %s %d", name, (int)pid);
	return ex;
}

/*
 * The process named by fact name ended with at least the CPU time and
 * peak it saw itself last, and at least what the helper burnt and touched.
 */
static void
assert_usage_at_least(const struct pw_run *r, const char *name)
{
	char key[64];
	json_t *ex = exit_of_fact(r, name);
	long long cpu, peak, seen_cpu, seen_peak;

	cpu = usage_member(ex, "user_us") + usage_member(ex, "system_us");
	peak = usage_member(ex, "peak_rss_kib");
	snprintf(key, sizeof(key), "%s_cpu_us", name);
	seen_cpu = pw_facts_get_int(r, key);
	snprintf(key, sizeof(key), "%s_peak_kib", name);
	seen_peak = pw_facts_get_int(r, key);
	cr_assert(seen_cpu >= BURN_US && seen_peak >= MEM_KIB, "the helper: %s", r->facts);
	/* Both sum the same nanoseconds, each half cut to µs on its own. */
	cr_assert(cpu >= seen_cpu - 2, "cpu %lld µs below the %lld µs it saw: %s", cpu,
		  seen_cpu, pw_ev_dump(ex));
	cr_assert(peak >= seen_peak, "peak %lld KiB below the %lld KiB it saw: %s", peak,
		  seen_peak, pw_ev_dump(ex));
}

/* pw_usage MODE ran to its end, and its burner's usage is at least what it saw. */
static void
burner_used_at_least(const char *mode)
{
	const char *args[] = { mode, NULL };
	struct pw_run r;

	pw_require_ptrace();
	pw_run_checked("pw_usage", args, &r);
	cr_assert_str_eq(r.out, "done\n");
	assert_usage_at_least(&r, "burner");
	pw_run_free(&r);
}

Test(usage, exit_group_of_a_process)
{
	burner_used_at_least("exit");
}

/*
 * The leader leaves with pthread_exit (exit, while another thread runs);
 * the other thread burns as much again and calls exit(3): exit_group from
 * a thread that is not the leader.  The process's exit, written at the
 * leader's death report, has both threads' time.  A thread's exit has none.
 */
Test(usage, last_thread_ends_the_process)
{
	const char *args[] = { "threads", NULL };
	struct pw_run r;
	size_t i = 0;
	json_t *ev;

	pw_require_ptrace();
	pw_run_checked("pw_usage", args, &r);
	cr_assert_str_eq(r.out, "done\n");
	assert_usage_at_least(&r, "burner");
	ev = exit_of_fact(&r, "burner");
	cr_assert(usage_member(ev, "user_us") + usage_member(ev, "system_us") >= 2 * BURN_US,
		  "%s", pw_ev_dump(ev));
	while ((ev = pw_event_next(&r, "exit", &i)))
		cr_assert(!pw_ev_bool(ev, "thread") || !pw_ev_has(ev, "usage"),
			  "%s", pw_ev_dump(ev));
	pw_run_free(&r);
}

/* A handled SIGTERM kills nothing: the exit after it tells the usage. */
Test(usage, caught_signal_then_exit)
{
	const char *args[] = { "caught", NULL };
	struct pw_run r;

	pw_require_ptrace();
	pw_run_checked("pw_usage", args, &r);
	assert_usage_at_least(&r, "burner");
	cr_assert_str_eq(pw_ev_str(exit_of_fact(&r, "burner"), "call"), "exit_group");
	pw_run_free(&r);
}

/* pw_usage kill SIG: its victim's exit event, killed by sig as the helper saw. */
static json_t *
victim_killed_by(struct pw_run *r, const char *sig, const char *name)
{
	const char *args[] = { "kill", sig, NULL };
	char out[32];
	json_t *ex;

	pw_run_checked("pw_usage", args, r);
	snprintf(out, sizeof(out), "killed by %s\n", sig);
	cr_assert_str_eq(r->out, out);
	ex = exit_of_fact(r, "victim");
	cr_assert_str_eq(pw_ev_str(ex, "signal"), name, "%s", pw_ev_dump(ex));
	return ex;
}

/* A signal with no handler that kills: read at its delivery stop. */
Test(usage, killed_by_a_delivered_signal)
{
	struct pw_run r;

	pw_require_ptrace();
	victim_killed_by(&r, "15", "SIGTERM");
	assert_usage_at_least(&r, "victim");
	pw_run_free(&r);
}

/*
 * SIGKILL kills without a delivery stop, and after the death report the
 * zombie may be reaped at any moment: procwatch writes no usage rather
 * than a guess.
 */
Test(usage, killed_by_sigkill_has_none)
{
	struct pw_run r;
	json_t *ex;

	pw_require_ptrace();
	ex = victim_killed_by(&r, "9", "SIGKILL");
	cr_assert(!pw_ev_has(ex, "usage"), "%s", pw_ev_dump(ex));
	/* Its parent, which ended by exit_group, has its own. */
	usage_member(pw_exit_of(&r, (pid_t)pw_ev_int(pw_spawn_of(&r, (pid_t)pw_ev_int(ex, "pid")),
						    "pid")), "user_us");
	pw_run_free(&r);
}

/* The fork-only burner's usage comes with its stop's report. */
Test(usage, forked_child_that_never_execs)
{
	burner_used_at_least("forked");
}

/* With more threads than the reports are asked for: read at the stop. */
Test(usage, forked_child_beside_many_threads)
{
	burner_used_at_least("crowd");
}

/*
 * Its reaper burnt nothing: the child's 200 ms, which getrusage's
 * RUSAGE_BOTH would add once reaped (cutime), are not its own.
 */
Test(usage, a_reaped_child_is_not_counted)
{
	const char *args[] = { "forked", NULL };
	struct pw_run r;
	json_t *ex;
	long long cpu, seen;

	pw_require_ptrace();
	pw_run_checked("pw_usage", args, &r);
	ex = exit_of_fact(&r, "reaper");
	cpu = usage_member(ex, "user_us") + usage_member(ex, "system_us");
	seen = pw_facts_get_int(&r, "reaper_cpu_us");
	cr_assert(seen < BURN_US / 2, "the reaper burnt %lld µs: %s", seen, r.facts);
	cr_assert(cpu >= seen - 2 && cpu < BURN_US, "reaper's cpu %lld µs: %s", cpu,
		  pw_ev_dump(ex));
	pw_run_free(&r);
}

/*
 * The exec'd child's peak is its new program's: not the 64 MiB its
 * pre-exec copy of the parent's memory had (getrusage's ru_maxrss
 * would say that), and at least what it saw itself.
 */
Test(usage, peak_is_the_last_programs)
{
	const char *args[] = { "exec-small", NULL };
	struct pw_run r;
	json_t *ex;
	long long peak, seen;

	pw_require_ptrace();
	pw_run_checked("pw_usage", args, &r);
	cr_assert_str_eq(r.out, "done\n");
	ex = exit_of_fact(&r, "small");
	peak = usage_member(ex, "peak_rss_kib");
	seen = pw_facts_get_int(&r, "small_peak_kib");
	cr_assert(seen > 0 && seen < MEM_KIB / 2, "the child saw %lld KiB: %s", seen, r.facts);
	cr_assert(peak >= seen && peak < MEM_KIB / 2, "peak %lld KiB: %s", peak, pw_ev_dump(ex));
	pw_run_free(&r);
}
