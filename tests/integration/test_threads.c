/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Integration tests of threads in the recorded tree: pthreads that end
 * with the exit syscall, a leader that exits first and stays a zombie
 * until its last thread calls exit_group, and a non-leader thread that
 * execs (the kernel gives it the leader's pid, de_thread).  Trees are
 * checked against the tids the helpers report on fd 3, and each helper is
 * also run untraced to compare stdout and exit status.
 */
#include <string.h>
#include <sys/wait.h>

#include <criterion/criterion.h>

#include "run_trace.h"

TestSuite(threads, .init = pw_require_ptrace, .timeout = 120);

/* A thread of root's: spawned by it, flags of a pthread. */
static const struct pw_proc *
assert_thread(const struct pw_tree *t, pid_t tid, pid_t root)
{
	const struct pw_proc *p = pw_tree_find(t, tid);

	cr_assert(p && p->spawn, "no spawn for thread %d", (int)tid);
	cr_assert(p->creator_pid == root && p->tgid == root, "%s",
		  pw_ev_dump(p->spawn));
	cr_assert_str_eq(p->kind, "thread", "%s", pw_ev_dump(p->spawn));
	cr_assert(p->thread, "%s", pw_ev_dump(p->spawn));
	cr_assert(pw_ev_array_has(p->spawn, "flags", "CLONE_THREAD") &&
		  pw_ev_array_has(p->spawn, "flags", "CLONE_VM"), "%s",
		  pw_ev_dump(p->spawn));
	return p;
}

Test(threads, threads)
{
	long long tids[8];
	const struct pw_proc *p, *root_p;
	struct pw_run r;
	struct pw_tree t;
	pid_t root;
	size_t i, n;

	pw_run_checked_tree("pw_threads", NULL, &r, &t);
	root = pw_assert_root(&r, &t);
	root_p = &t.procs[0];
	n = pw_facts_get_all(&r, "thread", tids, 8);
	cr_assert(n == 4, "4 thread facts, got %zu", n);
	cr_assert(pw_event_count(&r, "spawn") == 4 && t.n == 5, "exactly 4 spawns");
	for (i = 0; i < n; i++) {
		p = assert_thread(&t, (pid_t)tids[i], root);
		/* pthread_exit ends the thread with the exit syscall. */
		cr_assert_str_eq(pw_ev_str(p->exit, "call"), "exit", "%s",
				 pw_ev_dump(p->exit));
		pw_assert_exit_code(&r, p->tid, 0);
		cr_assert(p->exit_at < root_p->exit_at, "thread %d's exit after the "
			  "process's", (int)p->tid);
	}
	cr_assert_str_eq(pw_ev_str(root_p->exit, "call"), "exit_group", "%s",
			 pw_ev_dump(root_p->exit));
	pw_assert_exit_code(&r, root, 0);
	/* pthread_join waits on a futex: nobody calls wait4/waitid. */
	cr_assert(pw_event_count(&r, "wait") == 0, "no wait events");
	pw_tree_free(&t);
	pw_run_free(&r);
}

Test(threads, zombie_leader)
{
	const struct pw_proc *th, *leader;
	struct pw_run r;
	struct pw_tree t;
	pid_t root;

	pw_run_checked_tree("pw_zombie_leader", NULL, &r, &t);
	root = pw_assert_root(&r, &t);
	leader = &t.procs[0];
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 5,
		  "procwatch status 0x%x", r.status);
	th = assert_thread(&t, (pid_t)pw_facts_get_int(&r, "thread"), root);
	cr_assert(pw_facts_get_int(&r, "leader_gone") == 1);
	cr_assert_str_eq(pw_ev_str(th->exit, "call"), "exit_group", "%s",
			 pw_ev_dump(th->exit));
	pw_assert_exit_code(&r, th->tid, 5);
	/*
	 * The leader called exit first, but its zombie is reported only when
	 * the group is empty (delay_group_leader): the process's exit, with
	 * the group's status, comes after the thread's.
	 */
	cr_assert(!pw_ev_bool(leader->exit, "thread"), "%s", pw_ev_dump(leader->exit));
	pw_assert_exit_code(&r, root, 5);
	cr_assert(leader->exit_at > th->exit_at, "leader's exit %s before the "
		  "thread's %s", pw_ev_dump(leader->exit), pw_ev_dump(th->exit));
	cr_assert(pw_event_count(&r, "spawn") == 1, "exactly one spawn");
	pw_tree_free(&t);
	pw_run_free(&r);
}

Test(threads, thread_exec)
{
	static const char *const echo_argv[] = { "echo", "thread exec", NULL };
	const struct pw_proc *th, *leader;
	struct pw_run r;
	struct pw_tree t;
	json_t *ex;
	pid_t root, old;

	pw_run_checked_tree("pw_thread_exec", NULL, &r, &t);
	root = pw_assert_root(&r, &t);
	leader = &t.procs[0];
	cr_assert_str_eq(r.out, "thread exec\n");
	old = (pid_t)pw_facts_get_int(&r, "old_tid");
	th = assert_thread(&t, old, root);
	/* The first successful exec is the helper's own; the second is echo. */
	cr_assert(pw_exec_ok_count(&r, root) == 2, "two execs in %d", (int)root);
	ex = pw_exec_ok_nth(&r, root, 1);
	cr_assert_str_eq(pw_ev_str(ex, "path"), "/bin/echo", "%s", pw_ev_dump(ex));
	pw_assert_argv(ex, echo_argv);
	/* Reported under the leader's pid, which the thread now has as its tid. */
	cr_assert(pw_ev_int(ex, "tid") == root, "%s", pw_ev_dump(ex));
	cr_assert(pw_ev_int(ex, "old_tid") == old, "%s", pw_ev_dump(ex));
	cr_assert(th->superseded, "exec.old_tid marks the thread as superseded");
	cr_assert(pw_exit_count(&r, old) == 0, "the exec'ing thread is not "
		  "reported exited: %s", pw_ev_dump(pw_exit_of(&r, old)));
	cr_assert(leader->nexits == 1 && leader->exit_at > pw_event_index(&r, ex),
		  "one exit of the process, after the exec: %s", pw_ev_dump(leader->exit));
	cr_assert(!pw_ev_bool(leader->exit, "thread"));
	pw_assert_exit_code(&r, root, 0);
	pw_tree_free(&t);
	pw_run_free(&r);
}
