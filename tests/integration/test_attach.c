/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Integration tests of attach mode (-p): helpers started untraced, then
 * attached to while they fork, exec and create threads, and either left
 * to end by themselves (procwatch then exits 0 with every exit in the
 * trace) or let go of when procwatch gets SIGINT, SIGTERM, SIGHUP or
 * SIGQUIT (exit 0, "detached": true, every task untraced and as it was,
 * checked while procwatch still exists: see struct pw_attach_opts's
 * hold_exit).  Then every refusal: one line on stderr, exit 125, nothing
 * written and nothing traced.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "run_trace.h"

TestSuite(attach, .init = pw_require_ptrace, .timeout = 120);

#define MAX_FACTS 4096

/* ---- what every attach run must show ---- */

static void
assert_exited(int status, int code, const char *who, const char *err)
{
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == code,
		  "%s: expected exit %d, got status 0x%x; stderr: %s", who, code,
		  status, err ? err : "");
}

/* procwatch exited 0 with a well-formed trace and nothing on stderr. */
static void
assert_clean_run(const struct pw_run *r, bool detached)
{
	const json_t *end;

	assert_exited(r->status, 0, "procwatch", r->err);
	cr_assert(r->err_len == 0, "procwatch wrote on stderr: %s", r->err);
	pw_check_trace_wellformed(r);
	end = r->events[r->nevents - 1];
	cr_assert(pw_ev_bool(end, "detached") == detached, "end should %s "
		  "\"detached\": %s", detached ? "say" : "not say", pw_ev_dump(end));
}

/* The helper's stdout after its "ready PID" line. */
static const char *
after_ready(const struct pw_run *r)
{
	const char *nl = strchr(r->out, '\n');

	return nl ? nl + 1 : "";
}

static const struct pw_proc *
attached(const struct pw_tree *t, pid_t pid, pid_t parent)
{
	const struct pw_proc *p = pw_tree_find(t, pid);

	cr_assert(p && p->attach, "no attach event for process %d", (int)pid);
	cr_assert(!p->thread && p->parent == parent, "%d's attach event should "
		  "name %d as its parent: %s", (int)pid, (int)parent,
		  pw_ev_dump(p->attach));
	return p;
}

/* ---- detaching ---- */

/*
 * Sends sig to procwatch once the trace shows nattach processes, and
 * waits for the end event: procwatch, held (hold_exit), still exists.
 */
static void
detach_with(struct pw_attach *a, int sig, size_t nattach)
{
	cr_assert(pw_attach_wait_trace(a, pw_trace_has_attaches, &nattach),
		  "no %zu attach events in the trace", nattach);
	cr_assert(kill(a->pid, sig) == 0);
	cr_assert(pw_attach_wait_trace(a, pw_trace_has_end, NULL),
		  "no end event after %s", strsignal(sig));
}

static void
assert_untraced(pid_t pid, const char *what)
{
	long tracer = pw_tracer_of(pid);

	cr_assert(tracer == 0, "%s %d is still traced by %ld after procwatch "
		  "let go", what, (int)pid, tracer);
}

/*
 * SIGINT: the helper and its stopped child are let go of, the child stays
 * stopped, and both run on as they would have: the child exits 5 once
 * continued, and its parent sees that.
 */
Test(attach, sigint_detaches_and_a_stopped_child_stays_stopped)
{
	const char *args[] = { "stopped", NULL };
	struct pw_attach_opts o = { .hold_exit = true };
	const struct pw_proc *c;
	struct pw_run_handle h;
	struct pw_attach a;
	struct pw_run r;
	struct pw_tree t;
	pid_t helper, child;

	helper = pw_attach_helper("pw_attach_misc", args, &h);
	child = (pid_t)pw_run_fact_now(&h, "child");
	cr_assert(pw_proc_state(child) == 'T', "the child is not stopped");
	pw_attach_start(&helper, 1, &o, &a);
	detach_with(&a, SIGINT, 2);
	assert_untraced(helper, "the helper");
	assert_untraced(child, "its stopped child");
	cr_assert(pw_proc_state(child) == 'T', "the child, stopped before the "
		  "attach, is '%c' after procwatch let go", pw_proc_state(child));
	assert_exited(pw_attach_wait_exit(&a), 0, "procwatch", NULL);
	cr_assert(pw_proc_state(child) == 'T');
	cr_assert(kill(child, SIGCONT) == 0);
	pw_attach_finish(&a, &h, &r);
	assert_exited(r.helper_status, 0, "the helper", r.helper_err);
	cr_assert_str_eq(after_ready(&r), "child exited 5\n");
	assert_clean_run(&r, true);
	pw_tree_build(&r, &t);
	attached(&t, helper, getpid());
	c = attached(&t, child, helper);
	cr_assert(!c->exit && !t.procs[0].exit, "an exit event, although both "
		  "were let go of alive");
	pw_tree_free(&t);
	pw_run_free(&r);
}

/* Each of the four stopping signals detaches, leaving a waiting helper alone. */
static void
detach_on(int sig)
{
	const char *args[] = { "wait", NULL };
	struct pw_attach_opts o = { .hold_exit = true };
	struct pw_run_handle h;
	struct pw_attach a;
	struct pw_run r;
	pid_t helper;

	helper = pw_attach_helper("pw_attach_misc", args, &h);
	pw_attach_start(&helper, 1, &o, &a);
	detach_with(&a, sig, 1);
	assert_untraced(helper, "the helper");
	assert_exited(pw_attach_wait_exit(&a), 0, "procwatch", NULL);
	cr_assert(kill(helper, SIGUSR1) == 0);
	pw_attach_finish(&a, &h, &r);
	assert_exited(r.helper_status, 0, "the helper", r.helper_err);
	assert_clean_run(&r, true);
	pw_run_free(&r);
}

Test(attach, sigterm_detaches)
{
	detach_on(SIGTERM);
}

Test(attach, sighup_detaches)
{
	detach_on(SIGHUP);
}

Test(attach, sigquit_detaches)
{
	detach_on(SIGQUIT);
}

/*
 * Detached as soon as it has begun: the processes let go of first must not
 * be found again, and attached a second time, by the re-scan a parent's
 * first stop starts (each has one attach event), and all run on.
 */
Test(attach, detach_at_once_attaches_nothing_twice)
{
	const char *args[] = { "wide", "200", NULL };
	struct pw_attach_opts o = { .hold_exit = true };
	struct pw_run_handle h;
	struct pw_attach a;
	struct pw_run r;
	size_t one = 1;
	pid_t helper;

	helper = pw_attach_helper("pw_attach_tree", args, &h);
	pw_attach_start(&helper, 1, &o, &a);
	detach_with(&a, SIGTERM, one);
	assert_untraced(helper, "the helper");
	assert_exited(pw_attach_wait_exit(&a), 0, "procwatch", NULL);
	cr_assert(kill(helper, SIGUSR1) == 0);
	pw_attach_finish(&a, &h, &r);
	assert_exited(r.helper_status, 0, "the helper", r.helper_err);
	cr_assert_str_eq(after_ready(&r), "wide 200: every process exited with its code\n");
	assert_clean_run(&r, true);
	pw_run_free(&r);
}

/* ---- trees found at attach time ---- */

/*
 * Exactly one attach event per process, with its parent, then every
 * process ends by itself: each exit and reap is in the trace.
 */
static void
attach_tree(const char *shape, long n)
{
	char count[16];
	const char *args[] = { shape, count, NULL };
	static long long procs[MAX_FACTS];
	bool deep = strcmp(shape, "deep") == 0;
	const struct pw_proc *p;
	struct pw_run_handle h;
	struct pw_attach a;
	struct pw_run r;
	struct pw_tree t;
	size_t i, all = (size_t)n + 1;
	char want[96];
	pid_t helper;

	snprintf(count, sizeof(count), "%ld", n);
	helper = pw_attach_helper("pw_attach_tree", args, &h);
	pw_attach_start(&helper, 1, NULL, &a);
	cr_assert(pw_attach_wait_trace(&a, pw_trace_has_attaches, &all),
		  "fewer than %zu attach events", all);
	cr_assert(kill(helper, SIGUSR1) == 0);
	pw_attach_finish(&a, &h, &r);
	assert_exited(r.helper_status, 0, "the helper", r.helper_err);
	snprintf(want, sizeof(want), "%s %ld: every process exited with its code\n",
		 shape, n);
	cr_assert_str_eq(after_ready(&r), want);
	assert_clean_run(&r, false);
	cr_assert(pw_event_count(&r, "attach") == all, "%zu attach events for "
		  "%zu processes", pw_event_count(&r, "attach"), all);
	cr_assert(pw_facts_get_all(&r, "proc", procs, MAX_FACTS) == (size_t)n);
	pw_tree_build(&r, &t);
	attached(&t, helper, getpid());
	pw_assert_exit_code(&r, helper, 0);
	for (i = 0; i < (size_t)n; i++) {
		p = attached(&t, (pid_t)procs[i],
			     deep && i ? (pid_t)procs[i - 1] : helper);
		pw_assert_exit_code(&r, p->tid, (int)((deep ? i + 1 : i) % 100));
	}
	pw_check_tree_reaped(&r, &t, NULL, 0);
	pw_tree_free(&t);
	pw_run_free(&r);
}

Test(attach, deep_tree)
{
	attach_tree("deep", 200);
}

Test(attach, wide_tree)
{
	attach_tree("wide", 2000);
}

/*
 * -p CHILD,PARENT: each process is written once, and a child after its
 * parent whatever the order of -p (include/procwatch/event.h, struct
 * pw_attach), so that a reader always knows the parent first.
 */
Test(attach, several_pids_parent_first)
{
	const char *args[] = { "wide", "3", NULL };
	struct pw_run_handle h;
	struct pw_attach a;
	struct pw_run r;
	struct pw_tree t;
	long long kids[3];
	pid_t pids[2];
	size_t all = 4;

	pids[1] = pw_attach_helper("pw_attach_tree", args, &h);
	cr_assert(pw_run_facts_now(&h, "proc", kids, 3) == 3);
	pids[0] = (pid_t)kids[1];
	pw_attach_start(pids, 2, NULL, &a);
	cr_assert(pw_attach_wait_trace(&a, pw_trace_has_attaches, &all),
		  "fewer than %zu attach events", all);
	cr_assert(kill(pids[1], SIGUSR1) == 0);
	pw_attach_finish(&a, &h, &r);
	assert_exited(r.helper_status, 0, "the helper", r.helper_err);
	assert_clean_run(&r, false);
	cr_assert(pw_event_count(&r, "attach") == all);
	pw_tree_build(&r, &t);
	attached(&t, pids[1], getpid());
	for (size_t i = 0; i < 3; i++)
		attached(&t, (pid_t)kids[i], pids[1]);
	pw_tree_free(&t);
	pw_run_free(&r);
}

/* ---- ending by itself ---- */

/* Once: the helper forks as soon as it sees itself traced, then exits 7. */
static void
ends_by_itself(void)
{
	const char *args[] = { "ends", "7", NULL };
	struct pw_run_handle h;
	struct pw_attach a;
	struct pw_run r;
	struct pw_tree t;
	pid_t helper, child;

	helper = pw_attach_helper("pw_attach_misc", args, &h);
	pw_attach_start(&helper, 1, NULL, &a);
	pw_attach_finish(&a, &h, &r);
	assert_exited(r.helper_status, 7, "the helper", r.helper_err);
	cr_assert_str_eq(after_ready(&r), "child exited 3\n");
	assert_clean_run(&r, false);
	pw_tree_build(&r, &t);
	attached(&t, helper, getpid());
	pw_assert_exit_code(&r, helper, 7);
	child = (pid_t)pw_facts_get_int(&r, "child");
	pw_assert_spawned(&t, child, helper, helper, "fork");
	pw_assert_exit_code(&r, child, 3);
	pw_check_tree_reaped(&r, &t, NULL, 0);
	pw_tree_free(&t);
	pw_run_free(&r);
}

/*
 * The process ends by itself: procwatch exits 0 with every exit in the
 * trace and no "detached".  Its fork may come before its first stop
 * (between PTRACE_SEIZE and that stop there are no syscall stops), and
 * the child's first stop before the fork event: the spawn must still be
 * written before anything the child did.  That order is up to the
 * scheduler, hence a few runs.
 */
Test(attach, attached_process_ends_by_itself)
{
	int round;

	for (round = 0; round < 10; round++)
		ends_by_itself();
}

/* ---- a fork+exec loop: no fork is lost ---- */

static bool
appears(const struct pw_tree *t, pid_t pid)
{
	const struct pw_proc *p = pw_tree_find(t, pid);

	return p && !p->thread;
}

/*
 * The children in the trace are a tail of the helper's list, with no gap:
 * the ones alive when procwatch came (attached), then every later one
 * (spawned); those forked after the helper saw itself traced, spawned.
 */
static void
check_no_fork_lost(const struct pw_run *r, const struct pw_tree *t, pid_t helper)
{
	static long long kids[MAX_FACTS];
	size_t n = pw_facts_get_all(r, "child", kids, MAX_FACTS), first, i, nprocs = 0;
	long long traced_at = pw_facts_get_int(r, "traced_at");
	const struct pw_proc *p;
	char code[8];

	cr_assert(n > 0 && n <= MAX_FACTS && (long long)n > traced_at, "%zu children", n);
	for (first = n; first > 0 && appears(t, (pid_t)kids[first - 1]); first--)
		;
	cr_assert(first < n, "the last child %lld is not in the trace", kids[n - 1]);
	for (i = 0; i < first; i++)
		cr_assert(!appears(t, (pid_t)kids[i]), "child %zu (%lld) is in the "
			  "trace but child %zu (%lld), forked after it, is not", i,
			  kids[i], first - 1, kids[first - 1]);
	for (i = 0; i < t->n; i++)
		nprocs += !t->procs[i].thread && t->procs[i].tid != helper;
	cr_assert(nprocs == n - first, "%zu processes besides the helper in the "
		  "trace, %zu of its children", nprocs, n - first);
	for (i = first; i < n; i++) {
		p = pw_tree_find(t, (pid_t)kids[i]);
		if ((long long)i >= traced_at)
			pw_assert_spawned(t, p->tid, helper, helper, "fork");
		else if (p->attach)
			attached(t, p->tid, helper);
		else
			pw_assert_spawned(t, p->tid, helper, helper, "fork");
		pw_assert_exit_code(r, p->tid, (int)(i % 100));
		/*
		 * A wait the helper made before its own first stop went
		 * unseen (no syscall stops before it): only the reap of a
		 * child found at attach time may be missing.
		 */
		cr_assert((!p->reap && p->attach) ||
			  (p->reap && pw_ev_int(p->reap, "pid") == helper),
			  "child %zu (%d) is not reaped by the helper in the trace",
			  i, (int)p->tid);
		if (p->spawn) {
			const char *argv[] = { "pw_attach_fork", "child", code, NULL };

			snprintf(code, sizeof(code), "%zu", i % 100);
			cr_assert(pw_exec_ok_count(r, p->tid) == 1, "child %d: %zu "
				  "execs", (int)p->tid, pw_exec_ok_count(r, p->tid));
			pw_assert_argv(pw_exec_ok_nth(r, p->tid, 0), argv);
		}
	}
}

Test(attach, fork_exec_loop_loses_no_fork)
{
	const char *args[] = { "chain", "60", NULL };
	struct pw_run_handle h;
	struct pw_attach a;
	struct pw_run r;
	struct pw_tree t;
	char want[96];
	pid_t helper;

	helper = pw_attach_helper("pw_attach_fork", args, &h);
	pw_attach_start(&helper, 1, NULL, &a);
	pw_attach_finish(&a, &h, &r);
	assert_exited(r.helper_status, 0, "the helper", r.helper_err);
	snprintf(want, sizeof(want), "forked %lld children, all reaped with their "
		 "codes\n", pw_facts_get_int(&r, "children"));
	cr_assert_str_eq(after_ready(&r), want);
	assert_clean_run(&r, false);
	pw_tree_build(&r, &t);
	cr_assert(t.root == helper);
	pw_assert_exit_code(&r, helper, 0);
	check_no_fork_lost(&r, &t, helper);
	pw_tree_free(&t);
	pw_run_free(&r);
}

/*
 * SIGTERM while the helper forks and execs as fast as it can: every task
 * of its tree is let go of while procwatch still exists, and the helper
 * forks on, reaping each child with the right code.
 */
Test(attach, sigterm_in_the_middle_of_forking)
{
	const char *args[] = { "loop", NULL };
	struct pw_attach_opts o = { .hold_exit = true };
	static long long kids[1 << 16];
	struct pw_run_handle h;
	struct pw_attach a;
	struct pw_run r;
	size_t n, i, forking = 20;
	char want[96];
	pid_t helper;

	helper = pw_attach_helper("pw_attach_fork", args, &h);
	pw_attach_start(&helper, 1, &o, &a);
	cr_assert(pw_attach_wait_trace(&a, pw_trace_has_spawns, &forking),
		  "the trace shows no %zu spawns", forking);
	cr_assert(kill(a.pid, SIGTERM) == 0);
	cr_assert(pw_attach_wait_trace(&a, pw_trace_has_end, NULL),
		  "no end event after SIGTERM");
	assert_untraced(helper, "the helper");
	n = pw_run_facts_now(&h, "child", kids, sizeof(kids) / sizeof(kids[0]));
	cr_assert(n <= sizeof(kids) / sizeof(kids[0]));
	for (i = 0; i < n; i++)
		cr_assert(pw_tracer_of((pid_t)kids[i]) <= 0, "child %lld is still "
			  "traced after procwatch let go", kids[i]);
	assert_exited(pw_attach_wait_exit(&a), 0, "procwatch", NULL);
	cr_assert(kill(helper, SIGUSR1) == 0);
	pw_attach_finish(&a, &h, &r);
	assert_exited(r.helper_status, 0, "the helper", r.helper_err);
	snprintf(want, sizeof(want), "forked %lld children, all reaped with their "
		 "codes\n", pw_facts_get_int(&r, "children"));
	cr_assert_str_eq(after_ready(&r), want);
	cr_assert(pw_facts_get_all(&r, "child", NULL, 0) ==
		  (size_t)pw_facts_get_int(&r, "children"));
	assert_clean_run(&r, true);
	pw_run_free(&r);
}

/* ---- threads created during the attach ---- */

Test(attach, threads_created_during_the_attach)
{
	const char *args[] = { "50", NULL };
	static long long tids[MAX_FACTS];
	const struct pw_proc *p;
	struct pw_run_handle h;
	struct pw_attach a;
	struct pw_run r;
	struct pw_tree t;
	size_t n, i, nthreads = 0;
	pid_t helper;

	helper = pw_attach_helper("pw_attach_threads", args, &h);
	pw_attach_start(&helper, 1, NULL, &a);
	pw_attach_finish(&a, &h, &r);
	assert_exited(r.helper_status, 0, "the helper", r.helper_err);
	cr_assert_str_eq(after_ready(&r), "threads: 200 keepers joined\n");
	assert_clean_run(&r, false);
	pw_tree_build(&r, &t);
	cr_assert(t.root == helper && t.procs[0].attach);
	/* 4 creators and 200 keepers, each exactly once (pw_tree_build). */
	n = pw_facts_get_all(&r, "thread", tids, MAX_FACTS);
	cr_assert(n == 204, "%zu thread facts", n);
	for (i = 0; i < n; i++) {
		p = pw_tree_find(&t, (pid_t)tids[i]);
		cr_assert(p, "thread %lld, alive all through the attach, is in "
			  "neither the attach event's threads nor a spawn",
			  tids[i]);
		cr_assert(p->thread && p->tgid == helper, "%lld: %s", tids[i],
			  pw_ev_dump(p->attach ? p->attach : p->spawn));
	}
	/* Nothing else but short-lived threads of the helper's. */
	for (i = 0; i < t.n; i++)
		nthreads += t.procs[i].thread;
	cr_assert(t.n - nthreads == 1, "%zu processes in the trace", t.n - nthreads);
	pw_tree_free(&t);
	pw_run_free(&r);
}

/* ---- processes that end during the attach ---- */

/*
 * A child that ends while procwatch attaches is gone, not refused: the
 * helper forks children that exit at once, and procwatch attaches to it
 * and lets go again and again; it must never say that a child could not
 * be attached to and runs on untraced.
 */
Test(attach, children_ending_during_the_attach_are_not_refused)
{
	const char *args[] = { "churn", NULL };
	struct pw_run_handle h;
	struct pw_attach a;
	struct pw_run r;
	size_t one = 1;
	pid_t helper;
	int round;

	helper = pw_attach_helper("pw_attach_fork", args, &h);
	for (round = 0; round < 20; round++) {
		pw_attach_start(&helper, 1, NULL, &a);
		cr_assert(pw_attach_wait_trace(&a, pw_trace_has_attaches, &one));
		cr_assert(kill(a.pid, SIGTERM) == 0);
		pw_attach_finish(&a, NULL, &r);
		cr_assert(r.err_len == 0, "round %d: %s", round, r.err);
		assert_clean_run(&r, true);
		pw_run_free(&r);
	}
	cr_assert(kill(helper, SIGUSR1) == 0);
	pw_run_finish(&h, &r);
	assert_exited(r.status, 0, "the helper", r.err);
	pw_run_free(&r);
}

/* ---- refusals ---- */

/*
 * One line on stderr naming the pid and saying what (want), exit 125, and
 * nothing written in the trace file.
 */
static void
assert_refused(const struct pw_run *r, pid_t pid, const char *want)
{
	char prefix[64];
	const char *nl = strchr(r->err, '\n');

	assert_exited(r->status, 125, "procwatch", r->err);
	cr_assert(nl && nl[1] == '\0', "not exactly one line on stderr: \"%s\"",
		  r->err);
	snprintf(prefix, sizeof(prefix), "procwatch: -p %d: ", (int)pid);
	cr_assert(strncmp(r->err, prefix, strlen(prefix)) == 0 &&
		  strstr(r->err, want), "expected \"%s...%s...\", got: %s", prefix,
		  want, r->err);
	cr_assert(r->nevents == 0, "a refused attach wrote a trace: %s",
		  pw_ev_dump(r->events[0]));
}

/* procwatch -p pid, to be refused; the helper (if any) is checked untouched. */
static void
refused(pid_t pid, const struct pw_attach_opts *o, const char *want)
{
	struct pw_attach a;
	struct pw_run r;

	pw_attach_start(&pid, 1, o, &a);
	pw_attach_finish(&a, NULL, &r);
	assert_refused(&r, pid, want);
	pw_run_free(&r);
}

/* A helper waiting for SIGUSR1, which must be untraced and end with 0. */
static pid_t
waiting_helper(struct pw_run_handle *h, const struct pw_run_opts *o)
{
	const char *args[] = { "wait", NULL };

	if (!o)
		return pw_attach_helper("pw_attach_misc", args, h);
	pw_run_start("pw_attach_misc", args, o, h);
	cr_assert(strncmp(pw_run_read_line(h), "ready ", 6) == 0);
	return h->pid;
}

static void
finish_waiting_helper(struct pw_run_handle *h)
{
	struct pw_run r;

	cr_assert(pw_tracer_of(h->pid) == 0, "the helper is traced");
	cr_assert(kill(h->pid, SIGUSR1) == 0);
	pw_run_finish(h, &r);
	assert_exited(r.status, 0, "the helper", r.err);
	pw_run_free(&r);
}

Test(attach, refuses_a_process_that_does_not_exist)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");
	long pid_max = 0;

	cr_assert(f && fscanf(f, "%ld", &pid_max) == 1, "/proc/sys/kernel/pid_max");
	fclose(f);
	/* Above the largest pid the kernel hands out: no process has it. */
	refused((pid_t)(pid_max + 1), NULL, "no such process");
}

/*
 * procwatch -p $$ run by a shell script; the script's stdout and status,
 * procwatch's stderr.
 */
static void
refused_from_shell(const char *script, const char *out, int status)
{
	const char *want = "that is procwatch itself or a process it runs under";
	const char *args[] = { "-c", script, NULL, NULL };
	struct pw_run_opts o = { .untraced = true };
	struct pw_run r;
	char path[PATH_MAX];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/pw-trace-XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	fd = mkostemp(path, O_CLOEXEC);
	cr_assert(fd >= 0);
	close(fd);
	setenv("PW_TRACE", path, 1);
	args[2] = getenv("PROCWATCH");
	pw_run("/bin/sh", args, &o, &r);
	cr_assert(stat(path, &st) == 0 && st.st_size == 0, "the trace file "
		  "is not empty");
	unlink(path);
	cr_assert(strstr(r.err, want) && strchr(r.err, '\n') == r.err + r.err_len - 1,
		  "expected one line saying \"%s\": %s", want, r.err);
	assert_exited(r.status, status, script, r.err);
	cr_assert_str_eq(r.out, out, "%s", script);
	pw_run_free(&r);
}

/* $0 is procwatch: the script's first argument. */
Test(attach, refuses_itself_and_the_shells_it_runs_under)
{
	/* exec: $$ is procwatch's own pid. */
	refused_from_shell("exec \"$0\" --json -o \"$PW_TRACE\" -p $$", "", 125);
	/* Its parent, then its grandparent. */
	refused_from_shell("\"$0\" --json -o \"$PW_TRACE\" -p $$; echo $?",
			   "125\n", 0);
	refused_from_shell("sh -c '\"$0\" --json -o \"$PW_TRACE\" -p $PPID; "
			   "echo $?' \"$0\"; echo $?", "125\n0\n", 0);
}

/* PF_KTHREAD in the flags of /proc/PID/stat (include/linux/sched.h). */
static bool
is_kernel_thread(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long flags = 0;
	int i, fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if (!(p = strrchr(buf, ')')))
		return false;
	/* Field 9 (flags): the 7th after the ')' that ends the comm. */
	for (i = 0; i < 7 && p; i++)
		p = strchr(p + 1, ' ');
	if (p)
		flags = strtoul(p + 1, NULL, 10);
	return flags & 0x00200000;
}

Test(attach, refuses_a_kernel_thread)
{
	/* kthreadd is pid 2, unless this runs in a pid namespace. */
	if (!is_kernel_thread(2))
		cr_skip_test("pid 2 is not a kernel thread here (a pid namespace?)");
	refused(2, NULL, "a kernel thread");
}

Test(attach, refuses_a_zombie)
{
	const char *args[] = { "zombie", NULL };
	struct pw_run_handle h;
	pid_t zombie;

	pw_attach_helper("pw_attach_misc", args, &h);
	zombie = (pid_t)pw_run_fact_now(&h, "child");
	cr_assert(pw_proc_state(zombie) == 'Z', "the child is not a zombie");
	refused(zombie, NULL, "a zombie");
	cr_assert(pw_proc_state(zombie) == 'Z', "the zombie changed");
	finish_waiting_helper(&h);
}

/*
 * A process whose main thread ended while another runs on: its leader is
 * a zombie, but the process is not, and is refused for what it is.
 */
Test(attach, refuses_a_process_without_its_main_thread_as_such)
{
	const char *args[] = { "leaderless", NULL };
	struct pw_run_handle h;

	pw_attach_helper("pw_attach_misc", args, &h);
	cr_assert(pw_proc_state(h.pid) == 'Z', "the leader is not a zombie");
	refused(h.pid, NULL, "its main thread has exited while its other threads run on");
	finish_waiting_helper(&h);
}

/*
 * Another procwatch traces the helper: the second is refused, naming the
 * first, which goes on tracing it to its end undisturbed.
 */
Test(attach, refuses_a_process_already_traced)
{
	struct pw_run_handle h;
	struct pw_attach first;
	struct pw_run r;
	size_t one = 1;
	char want[96];
	pid_t helper;

	helper = waiting_helper(&h, NULL);
	pw_attach_start(&helper, 1, NULL, &first);
	cr_assert(pw_attach_wait_trace(&first, pw_trace_has_attaches, &one));
	snprintf(want, sizeof(want), "already traced by process %d (procwatch)",
		 (int)first.pid);
	refused(helper, NULL, want);
	cr_assert(pw_tracer_of(helper) == first.pid, "the first tracer lost the "
		  "helper to the refused attach");
	cr_assert(kill(helper, SIGUSR1) == 0);
	pw_attach_finish(&first, &h, &r);
	assert_exited(r.helper_status, 0, "the helper", r.helper_err);
	assert_clean_run(&r, false);
	pw_assert_exit_code(&r, helper, 0);
	pw_run_free(&r);
}

/* /proc/sys/kernel/yama/ptrace_scope (Documentation/admin-guide/LSM/Yama.rst), or -1. */
static int
yama_scope(void)
{
	FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
	int scope = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &scope) != 1)
		scope = -1;
	fclose(f);
	return scope;
}

/* nobody (65534), without root's groups and capabilities. */
static int
become_nobody(void)
{
	if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
	    setresuid(65534, 65534, 65534) < 0)
		return -1;
	return 0;
}

Test(attach, refuses_a_process_of_another_user)
{
	struct pw_attach_opts o = {
		.child_setup = become_nobody, .trace_for_anyone = true,
	};
	struct pw_run_handle h;
	pid_t helper;

	if (geteuid() != 0)
		cr_skip_test("needs root, to run procwatch as nobody against a "
			     "process of root's");
	if (yama_scope() > 0)
		cr_skip_test("Yama's ptrace_scope is %d: procwatch blames Yama for "
			     "any EPERM then, a process of another user's included",
			     yama_scope());
	helper = waiting_helper(&h, NULL);
	refused(helper, &o, "not permitted: it runs as another user");
	finish_waiting_helper(&h);
}

Test(attach, refuses_what_yama_forbids)
{
	struct pw_run_opts ho = { .untraced = true, .child_setup = become_nobody };
	struct pw_attach_opts o = {
		.child_setup = become_nobody, .trace_for_anyone = true,
	};
	struct pw_run_handle h;
	int scope = yama_scope();
	char want[64];
	pid_t helper;

	if (scope < 0)
		cr_skip_test("no Yama in this kernel (no /proc/sys/kernel/yama/"
			     "ptrace_scope)");
	if (scope == 0)
		cr_skip_test("Yama's ptrace_scope is 0: it refuses nothing");
	/* Same user both sides, not an ancestor: only Yama says no. */
	helper = waiting_helper(&h, geteuid() == 0 ? &ho : NULL);
	snprintf(want, sizeof(want), "kernel.yama.ptrace_scope = %d", scope);
	refused(helper, geteuid() == 0 ? &o : NULL, want);
	finish_waiting_helper(&h);
}
