/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Integration tests at scale: 2000 children alive at once, a chain of 200
 * nested forks, and a real shell pipeline.  The point is that nothing is
 * lost or misattributed when many tasks stop at once (the wait loop drains
 * and dispatches in batches) and that deep parentage stays correct.  Each
 * run is compared with the same command run untraced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <criterion/criterion.h>

#include "run_trace.h"

#define MANY 2000
#define CHAIN 200
#define GRANDCHILDREN_MAX 256

TestSuite(scale, .init = pw_require_ptrace, .timeout = 240);

Test(scale, many_children)
{
	static const char *const args[] = { "2000", NULL };
	long long *facts = calloc(MANY + 1, sizeof(*facts));
	pid_t *kids = calloc(MANY + 1, sizeof(*kids));
	const struct pw_proc *p;
	struct pw_run r;
	struct pw_tree t;
	pid_t root;
	size_t i, n;

	cr_assert(facts && kids);
	pw_run_checked_tree("pw_many_children", args, &r, &t);
	root = pw_assert_root(&r, &t);
	cr_assert(pw_facts_get_all(&r, "child", facts, MANY + 1) == MANY);
	cr_assert(pw_facts_get_int(&r, "reaped") == MANY);
	n = pw_tree_children(&t, root, kids, MANY + 1);
	cr_assert(n == MANY && t.n == MANY + 1, "%zu spawns by the root", n);
	for (i = 0; i < MANY; i++) {
		p = pw_assert_spawned(&t, (pid_t)facts[i], root, root, "fork");
		/*
		 * N distinct facts each spawned by the root, and N spawns in
		 * all: the same set.  Child i exits i % 100 (fork order).
		 */
		pw_assert_exit_code(&r, p->tid, (int)(i % 100));
	}
	pw_check_tree_reaped(&r, &t, NULL, 0);
	cr_assert(pw_event_count(&r, "exit") == MANY + 1, "N+1 exit events");
	pw_tree_free(&t);
	pw_run_free(&r);
	free(facts);
	free(kids);
}

/*
 * Four threads that are always about to stop, beside a child that forks
 * 200 times: every grandchild is recorded under the right parent and
 * reaped, with thousands of other stops interleaved.
 */
Test(scale, busy_threads_beside_forks)
{
	pid_t kids[GRANDCHILDREN_MAX];
	struct pw_run r;
	struct pw_tree t;
	pid_t root, child;
	size_t n;

	pw_run_checked_tree("pw_busy", NULL, &r, &t);
	root = pw_assert_root(&r, &t);
	child = (pid_t)pw_facts_get_int(&r, "child");
	cr_assert(pw_facts_get_int(&r, "spins") > 0, "the threads never ran");
	pw_assert_spawned(&t, child, root, root, "fork");
	n = pw_tree_children(&t, child, kids, GRANDCHILDREN_MAX);
	cr_assert(n == 200, "%zu grandchildren recorded, 200 forked", n);
	pw_check_tree_reaped(&r, &t, NULL, 0);
	pw_tree_free(&t);
	pw_run_free(&r);
}

/* level<d> from the facts. */
static pid_t
level_pid(const struct pw_run *r, int d)
{
	char key[32];

	snprintf(key, sizeof(key), "level%d", d);
	return (pid_t)pw_facts_get_int(r, key);
}

Test(scale, fork_chain)
{
	static const char *const args[] = { "200", NULL };
	const struct pw_proc *p;
	struct pw_run r;
	struct pw_tree t;
	pid_t root, up, cur;
	int d;

	pw_run_checked_tree("pw_fork_chain", args, &r, &t);
	root = pw_assert_root(&r, &t);
	cr_assert(level_pid(&r, 0) == root);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1,
		  "the leaf's 1 reaches procwatch: 0x%x", r.status);
	cr_assert(t.n == CHAIN + 1 && pw_event_count(&r, "spawn") == CHAIN,
		  "%zu processes", t.n);
	for (d = 1; d <= CHAIN; d++) {
		up = level_pid(&r, d - 1);
		p = pw_assert_spawned(&t, level_pid(&r, d), up, up, "fork");
		pw_assert_exit_code(&r, p->tid, 1);
		cr_assert(pw_tree_children(&t, up, NULL, 0) == 1, "%d has one child",
			  (int)up);
	}
	cr_assert(pw_tree_children(&t, level_pid(&r, CHAIN), NULL, 0) == 0);
	/* Walking up from the leaf reaches the root in exactly CHAIN steps. */
	cur = level_pid(&r, CHAIN);
	for (d = 0; cur != root; d++) {
		cr_assert(d < CHAIN, "the chain is longer than %d", CHAIN);
		cur = pw_tree_find(&t, cur)->creator_pid;
	}
	cr_assert(d == CHAIN, "depth %d", d);
	pw_check_tree_reaped(&r, &t, NULL, 0);
	pw_tree_free(&t);
	pw_run_free(&r);
}

/* The one successful exec anywhere in the trace with exactly argv. */
static json_t *
exec_with_argv(const struct pw_run *r, const char *const *argv)
{
	json_t *ev, *found = NULL;
	json_t *want = json_array();
	size_t i = 0;

	for (; *argv; argv++)
		json_array_append_new(want, json_string(*argv));
	while ((ev = pw_event_next(r, "exec", &i))) {
		if (pw_ev_int(ev, "result") != 0 ||
		    !json_equal(json_object_get(ev, "argv"), want))
			continue;
		cr_assert(!found, "two execs with the same argv: %s", pw_ev_dump(ev));
		found = ev;
	}
	json_decref(want);
	cr_assert(found, "no successful exec with that argv");
	return found;
}

static void
assert_basename(const json_t *ex, const char *base)
{
	const char *path = pw_ev_str(ex, "path"), *slash = strrchr(path, '/');

	cr_assert(slash && strcmp(slash + 1, base) == 0, "exec of %s: %s", base,
		  pw_ev_dump(ex));
}

Test(scale, shell_pipeline)
{
	static const char *const args[] = {
		"-c", "printf \"a\\nb\\n\" | sort | wc -l", NULL,
	};
	static const char *const sort_argv[] = { "sort", NULL };
	static const char *const wc_argv[] = { "wc", "-l", NULL };
	const struct pw_proc *ps, *pc;
	struct pw_run r;
	struct pw_tree t;
	json_t *es, *ec;

	pw_run_checked_tree("/bin/sh", args, &r, &t);
	cr_assert_str_eq(r.out, "2\n");
	/* The sh exec and its argv are checked by pw_check_trace_wellformed. */
	es = exec_with_argv(&r, sort_argv);
	ec = exec_with_argv(&r, wc_argv);
	assert_basename(es, "sort");
	assert_basename(ec, "wc");
	ps = pw_tree_find(&t, (pid_t)pw_ev_int(es, "pid"));
	pc = pw_tree_find(&t, (pid_t)pw_ev_int(ec, "pid"));
	cr_assert(ps && pc && ps != pc && ps->spawn && pc->spawn,
		  "sort and wc run in two spawned processes");
	cr_assert(ps->creator_pid == t.root && pc->creator_pid == t.root &&
		  ps->parent == t.root && pc->parent == t.root,
		  "sort and wc are children of the shell");
	pw_assert_exit_code(&r, ps->tid, 0);
	pw_assert_exit_code(&r, pc->tid, 0);
	pw_check_tree_reaped(&r, &t, NULL, 0);
	pw_assert_exit_code(&r, t.root, 0);
	pw_tree_free(&t);
	pw_run_free(&r);
}
