/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Integration test of pid namespaces: tests/helpers/pw_pidns.c runs an init
 * in a new pid namespace that reaps children with wait4 by pid, by process
 * group and by -1, with waitid by P_PID and P_PIDFD, and receives a signal
 * from one of them.  Inside the namespace every id is the namespace's
 * own; the trace must give each in procwatch's namespace, with the
 * tracee's value beside it as *_ns, so that every reap is matched to the
 * process it reaped.
 */
#include <string.h>
#include <sys/wait.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "run_trace.h"

/* The child init spawned that init knows as id: its pid in ours. */
static pid_t
child_seen_as(const struct pw_run *r, pid_t init, long long id)
{
	size_t i = 0;
	json_t *ev;

	while ((ev = pw_event_next(r, "spawn", &i))) {
		if (pw_ev_int(ev, "pid") != init || !pw_ev_has(ev, "result_ns"))
			continue;
		if (pw_ev_int(ev, "result_ns") == id)
			return (pid_t)pw_ev_int(ev, "child");
	}
	cr_assert_fail("no spawn by %d with result_ns %lld", (int)init, id);
	return 0;
}

/* The wait event that reaped pid, checked against what init saw. */
static json_t *
reap_checked(const struct pw_run *r, pid_t init, pid_t pid, long long id)
{
	json_t *w = pw_reap_of(r, pid);

	cr_assert(w, "no wait event reaps %d (%lld in the namespace)", (int)pid, id);
	cr_assert_eq(pw_ev_int(w, "pid"), init, "%s", pw_ev_dump(w));
	cr_assert_eq(pw_ev_int(w, "result_ns"), id, "%s", pw_ev_dump(w));
	cr_assert_neq(pid, id, "the namespace's id equals ours: %s", pw_ev_dump(w));
	return w;
}

static json_t *
waitid_target(const json_t *w)
{
	json_t *t = json_object_get(w, "target");

	cr_assert(json_is_object(t), "%s", pw_ev_dump(w));
	return t;
}

Test(pidns, ids_in_our_namespace)
{
	struct pw_run r;
	struct pw_tree t;
	long long a, b, c, d, e, f;
	pid_t init, pa, pb, pc, pd, pe, pf;
	json_t *w, *sig;

	pw_require_ptrace();
	pw_run_checked_tree("pw_pidns", NULL, &r, &t);
	if (pw_facts_has(&r, "skip")) {
		pw_tree_free(&t);
		pw_run_free(&r);
		cr_skip_test("this machine cannot make a pid namespace");
	}
	cr_assert_eq(WEXITSTATUS(r.status), 0, "%s", r.out);
	init = (pid_t)pw_facts_get_int(&r, "init");
	a = pw_facts_get_int(&r, "a_ns");
	b = pw_facts_get_int(&r, "b_ns");
	c = pw_facts_get_int(&r, "c_ns");
	d = pw_facts_get_int(&r, "d_ns");
	e = pw_facts_get_int(&r, "e_ns");
	f = pw_facts_get_int(&r, "f_ns");
	pa = child_seen_as(&r, init, a);
	pb = child_seen_as(&r, init, b);
	pc = child_seen_as(&r, init, c);
	pd = child_seen_as(&r, init, d);
	pe = child_seen_as(&r, init, e);
	pf = child_seen_as(&r, init, f);

	/* Every process reaped once, by its parent, after its exit. */
	pw_check_tree_reaped(&r, &t, NULL, 0);

	w = reap_checked(&r, init, pa, a);
	cr_assert_eq(pw_ev_int(w, "target"), pa, "%s", pw_ev_dump(w));
	cr_assert_eq(pw_ev_int(w, "target_ns"), a, "%s", pw_ev_dump(w));
	w = reap_checked(&r, init, pb, b);
	cr_assert_eq(pw_ev_int(w, "target"), -pb, "%s", pw_ev_dump(w));
	cr_assert_eq(pw_ev_int(w, "target_ns"), -b, "%s", pw_ev_dump(w));
	w = reap_checked(&r, init, pc, c);
	cr_assert_eq(pw_ev_int(w, "target"), -1, "%s", pw_ev_dump(w));
	cr_assert(!pw_ev_has(w, "target_ns"), "%s", pw_ev_dump(w));
	w = reap_checked(&r, init, pd, d);
	cr_assert_str_eq(pw_ev_str(waitid_target(w), "idtype"), "P_PID");
	cr_assert_eq(pw_ev_int(waitid_target(w), "id"), pd, "%s", pw_ev_dump(w));
	cr_assert_eq(pw_ev_int(waitid_target(w), "id_ns"), d, "%s", pw_ev_dump(w));
	w = reap_checked(&r, init, pe, e);
	cr_assert_str_eq(pw_ev_str(waitid_target(w), "idtype"), "P_PIDFD");
	cr_assert(!pw_ev_has(waitid_target(w), "id_ns"), "a pidfd is no pid: %s",
		  pw_ev_dump(w));
	reap_checked(&r, init, pf, f);

	sig = pw_event_find(&r, "signal", init);
	cr_assert(sig, "no signal event for init");
	cr_assert_str_eq(pw_ev_str(sig, "signal"), "SIGUSR1");
	cr_assert_eq(pw_facts_get_int(&r, "signal_from"), f);
	cr_assert_eq(pw_ev_int(sig, "sender"), pf, "%s", pw_ev_dump(sig));
	cr_assert_eq(pw_ev_int(sig, "sender_ns"), f, "%s", pw_ev_dump(sig));

	/* init itself is reaped by the helper, outside: ids are ours there. */
	w = pw_reap_of(&r, init);
	cr_assert(w && !pw_ev_has(w, "result_ns"), "%s", w ? pw_ev_dump(w) : "none");
	pw_tree_free(&t);
	pw_run_free(&r);
}
