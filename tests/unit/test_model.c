/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the process model (src/model/) fed hand-built
 * events: tree links in spawn order, names through exec and inheritance,
 * the exec chain and failed attempts, exits, reaps and zombie times,
 * orphans reaped by someone else, threads, pid reuse and the counts;
 * processes found running by an attach, their lifetimes and detaching.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "procwatch/model.h"

static struct pw_model tab;

static void
setup(void)
{
	struct pw_model_opts mo = { .warnings = true };

	pw_model_init(&tab, &mo);
}

static void
teardown(void)
{
	pw_model_destroy(&tab);
}

TestSuite(model, .init = setup, .fini = teardown);

static void
feed(struct pw_event *ev)
{
	cr_assert_eq(pw_model_event(&tab, ev, NULL), 0);
}

static void
start(pid_t pid, char **argv, size_t argc)
{
	struct pw_event ev = { .kind = PW_EV_START, .time_us = 5, .pid = pid, .tid = pid };

	ev.u.start.argv = argv;
	ev.u.start.argc = argc;
	feed(&ev);
}

static void
spawn(uint64_t t, pid_t pid, pid_t child, bool thread)
{
	struct pw_event ev = { .kind = PW_EV_SPAWN, .time_us = t, .pid = pid, .tid = pid };

	ev.u.spawn.kind = thread ? PW_SPAWN_THREAD : PW_SPAWN_FORK;
	ev.u.spawn.child = child;
	ev.u.spawn.thread = thread;
	ev.u.spawn.parent = pid;
	ev.u.spawn.result = child;
	feed(&ev);
}

static void
exec(uint64_t t, pid_t pid, const char *arg0, long result)
{
	struct pw_bytes argv[2] = {
		{ .data = (char *)arg0, .len = strlen(arg0) },
		{ .data = (char *)"x", .len = 1 },
	};
	struct pw_event ev = { .kind = PW_EV_EXEC, .time_us = t, .pid = pid, .tid = pid };

	ev.u.exec.path = argv[0];
	ev.u.exec.argv = argv;
	ev.u.exec.argc = 2;
	ev.u.exec.result = result;
	feed(&ev);
}

static void
exit_ev(uint64_t t, pid_t pid, pid_t tid, enum pw_status_kind kind, int val)
{
	struct pw_event ev = { .kind = PW_EV_EXIT, .time_us = t, .pid = pid, .tid = tid };

	ev.u.exit.thread = pid != tid;
	ev.u.exit.status.kind = kind;
	if (kind == PW_STATUS_EXITED)
		ev.u.exit.status.code = val;
	else
		ev.u.exit.status.signal = val;
	feed(&ev);
}

static void
reap(uint64_t t, pid_t pid, pid_t child, int code)
{
	struct pw_event ev = { .kind = PW_EV_WAIT, .time_us = t, .pid = pid, .tid = pid };

	ev.u.wait.call = PW_CALL_WAIT4;
	ev.u.wait.target = -1;
	ev.u.wait.result = child;
	ev.u.wait.status.kind = PW_STATUS_EXITED;
	ev.u.wait.status.code = code;
	feed(&ev);
}

Test(model, tree_names_and_chain)
{
	char *argv[] = { (char *)"/usr/bin/make", NULL };
	struct pw_proc *root, *a, *b;

	start(100, argv, 1);
	root = pw_model_get(&tab, 100);
	cr_assert_not_null(root);
	cr_assert_str_eq(root->name, "make");
	cr_assert_eq(root->start_us, 5);
	spawn(10, 100, 101, false);
	spawn(20, 100, 102, false);
	a = pw_model_get(&tab, 101);
	b = pw_model_get(&tab, 102);
	cr_assert_eq(root->first_child, a);
	cr_assert_eq(a->next_sibling, b);
	cr_assert_eq(b->depth, 1);
	cr_assert_str_eq(a->name, "make", "inherited until it execs");
	exec(30, 101, "/bin/cc", -ENOENT);
	exec(31, 101, "/usr/bin/cc", 0);
	exec(32, 101, "ld", 0);
	cr_assert_str_eq(a->name, "ld");
	cr_assert_eq(a->execs, 2);
	cr_assert_eq(a->failed_execs, 1);
	cr_assert_str_eq(a->images->argv.v[0], "/usr/bin/cc");
	cr_assert_str_eq(a->images->argv.v[1], "x");
	exit_ev(40, 101, 101, PW_STATUS_EXITED, 2);
	reap(45, 100, 101, 2);
	cr_assert(a->exited && a->reaped);
	cr_assert_eq(a->exit_us, 40);
	cr_assert_eq(a->reap_us, 45);
	cr_assert_eq(a->reaper, 100);
	cr_assert_not(a->reaped_by_other);
	cr_assert_eq(tab.counts.processes, 3);
	cr_assert_eq(tab.counts.execs, 2);
	cr_assert_eq(tab.counts.failed_execs, 1);
	cr_assert_eq(tab.counts.nonzero_exits, 1);
}

Test(model, orphans_threads_signals)
{
	struct pw_proc *mid, *kid;

	spawn(10, 200, 201, false);
	spawn(11, 201, 202, false);
	spawn(12, 202, 203, true);
	spawn(13, 202, 204, true);
	mid = pw_model_get(&tab, 201);
	kid = pw_model_get(&tab, 202);
	cr_assert_eq(kid->depth, 2);
	cr_assert_eq(kid->threads, 2);
	cr_assert_null(pw_model_get(&tab, 203), "a thread is not a process");
	exit_ev(14, 202, 203, PW_STATUS_EXITED, 0);
	cr_assert(kid->thread_recs[0].exited);
	cr_assert_not(kid->exited, "a thread's exit does not end the process");
	exit_ev(20, 201, 201, PW_STATUS_EXITED, 0);
	cr_assert(kid->orphaned);
	reap(21, 200, 201, 0);
	reap(30, 200, 202, 0);	/* a subreaper adopted it */
	cr_assert(kid->reaped_by_other);
	cr_assert(kid->exited, "the wait says it ended");
	cr_assert_not(mid->orphaned);
	cr_assert_eq(tab.counts.threads, 2);
}

Test(model, killed_and_pid_reuse)
{
	struct pw_proc *old, *fresh;

	spawn(10, 300, 301, false);
	old = pw_model_get(&tab, 301);
	exit_ev(11, 301, 301, PW_STATUS_KILLED, SIGSEGV);
	reap(12, 300, 301, 0);
	cr_assert_eq(old->status.kind, PW_STATUS_KILLED);
	cr_assert_eq(tab.counts.signals, 1);
	spawn(13, 300, 301, false);
	fresh = pw_model_get(&tab, 301);
	cr_assert_neq(fresh, old);
	cr_assert_eq(old->next_sibling, fresh, "both stay in the tree");
	cr_assert_not(fresh->exited);
}

/* A CLONE_PARENT child is reported to its creator's parent: that one's exit orphans it. */
Test(model, clone_parent_orphan)
{
	struct pw_event ev = { .kind = PW_EV_SPAWN, .time_us = 12, .pid = 401, .tid = 401 };
	struct pw_proc *sib;

	spawn(10, 400, 401, false);
	ev.u.spawn.kind = PW_SPAWN_CLONE;
	ev.u.spawn.child = 402;
	ev.u.spawn.parent = 400;
	ev.u.spawn.result = 402;
	feed(&ev);
	sib = pw_model_get(&tab, 402);
	cr_assert_eq(sib->ppid, 400);
	cr_assert_eq(sib->up, pw_model_get(&tab, 401), "shown under its creator");
	exit_ev(20, 401, 401, PW_STATUS_EXITED, 0);
	cr_assert_not(sib->orphaned, "its creator is not its parent");
	exit_ev(30, 400, 400, PW_STATUS_EXITED, 0);
	cr_assert(sib->orphaned);
}

/*
 * A vfork'd child killed in its exec, and a parent killed in a fork: the
 * exec is neither an image nor a failure (the name stays, nothing is
 * counted), the fork makes no child; the kills are what is counted.
 */
Test(model, unfinished_exec_and_spawn)
{
	struct pw_event fork_ev = { .kind = PW_EV_SPAWN, .time_us = 40, .pid = 500, .tid = 500 };
	char *argv[] = { (char *)"sh", NULL };
	struct pw_proc *root, *kid;

	start(500, argv, 1);
	spawn(10, 500, 501, false);
	kid = pw_model_get(&tab, 501);
	exec(20, 501, "/bin/true", PW_RESULT_UNFINISHED);
	cr_assert_str_eq(kid->name, "sh", "no new program: the old name stays");
	cr_assert_eq(kid->execs, 0);
	cr_assert_eq(kid->failed_execs, 0);
	exit_ev(21, 501, 501, PW_STATUS_KILLED, SIGKILL);
	fork_ev.u.spawn.call = PW_CALL_FORK;
	fork_ev.u.spawn.kind = PW_SPAWN_FORK;
	fork_ev.u.spawn.result = PW_RESULT_UNFINISHED;
	feed(&fork_ev);
	exit_ev(41, 500, 500, PW_STATUS_KILLED, SIGKILL);
	root = pw_model_get(&tab, 500);
	cr_assert_eq(root->first_child, kid);
	cr_assert_null(kid->next_sibling, "the unfinished fork made no child");
	cr_assert_eq(tab.counts.processes, 2);
	cr_assert_eq(tab.counts.execs, 0);
	cr_assert_eq(tab.counts.failed_execs, 0);
	cr_assert_eq(tab.counts.signals, 2);
}

/* An attach event's payload; argv, exe and tids are the caller's. */
static struct pw_event
attach_ev(uint64_t t, pid_t pid, pid_t parent, struct pw_bytes *argv, size_t argc,
	  pid_t *tids, size_t ntids, uint64_t age_us)
{
	struct pw_event ev = { .kind = PW_EV_ATTACH, .time_us = t, .pid = pid, .tid = pid };

	ev.u.attach.parent = parent;
	ev.u.attach.argv = argv;
	ev.u.attach.argc = argc;
	ev.u.attach.tids = tids;
	ev.u.attach.ntids = ntids;
	ev.u.attach.age_us = age_us;
	return ev;
}

static void
attach_start(pid_t pid)
{
	struct pw_event ev = { .kind = PW_EV_START, .time_us = 0, .pid = pid, .tid = pid };
	pid_t pids[] = { pid };

	ev.u.start.attach = true;
	ev.u.start.pids = pids;
	ev.u.start.npids = 1;
	feed(&ev);
}

static void
end_ev(uint64_t t, bool detached)
{
	struct pw_event ev = { .kind = PW_EV_END, .time_us = t };

	ev.u.end.detached = detached;
	feed(&ev);
}

/*
 * make (600, parent outside the trace, 3 threads) and its child cc1 (601,
 * an empty command line) found running: a record each, cc1 under make,
 * named from argv[0] or the exe, their argv kept but no exec counted, the
 * other threads live but not created.
 */
Test(model, attach_records)
{
	struct pw_bytes make_argv[] = { { .data = (char *)"/usr/bin/make", .len = 13 },
					{ .data = (char *)"-j2", .len = 3 } };
	pid_t make_tids[] = { 600, 602, 603 }, cc_tids[] = { 601 };
	struct pw_event ev;
	struct pw_proc *make, *cc;

	attach_start(600);
	cr_assert_null(pw_model_get(&tab, 600), "the start event makes no record");
	ev = attach_ev(10, 600, 1, make_argv, 2, make_tids, 3, 3000000);
	feed(&ev);
	cr_assert_not_null(pw_model_get(&tab, 600));
	ev = attach_ev(11, 601, 600, NULL, 0, cc_tids, 1, 1000000);
	ev.u.attach.exe = (struct pw_bytes){ .data = (char *)"/usr/lib/gcc/cc1", .len = 16 };
	feed(&ev);
	make = pw_model_get(&tab, 600);
	cc = pw_model_get(&tab, 601);
	cr_assert_eq(tab.root, make);
	cr_assert_null(make->up);
	cr_assert(make->attached && tab.attach);
	cr_assert_eq(make->ppid, 1);
	cr_assert_eq(make->start_us, 10);
	cr_assert_eq(make->age_us, 3000000);
	cr_assert_str_eq(make->name, "make");
	cr_assert_eq(make->execs, 0, "its program is not an exec procwatch saw");
	cr_assert_eq(make->nimages, 1);
	cr_assert(make->images->attached);
	cr_assert_eq(make->images->argv.n, 2);
	cr_assert_str_eq(make->images->argv.v[1], "-j2");
	cr_assert_eq(make->threads, 0, "it did not create its threads in the trace");
	cr_assert_eq(make->nthread_recs, 2);
	cr_assert(make->thread_recs[0].attached && !make->thread_recs[0].exited);
	cr_assert_eq(make->thread_recs[1].tid, 603);
	cr_assert_eq(cc->up, make);
	cr_assert_eq(cc->depth, 1);
	cr_assert_eq(cc->ppid, 600);
	cr_assert_str_eq(cc->name, "cc1");
	cr_assert_eq(tab.counts.processes, 2);
	cr_assert_eq(tab.counts.attached, 2);
	cr_assert_eq(tab.counts.threads, 2);
	cr_assert_eq(tab.counts.attached_threads, 2);
	cr_assert_eq(tab.counts.execs, 0);
	exec(20, 600, "/bin/sh", 0);
	cr_assert_str_eq(make->name, "sh");
	cr_assert_eq(make->execs, 1);
	cr_assert_eq(make->images->argv.n, 2, "the attach-time argv stays");
}

/* Lifetimes count the age; the end's detached marks only what still runs. */
Test(model, attach_lifetime_and_detach)
{
	struct pw_bytes argv[] = { { .data = (char *)"sleep", .len = 5 } };
	pid_t a_tids[] = { 700 }, b_tids[] = { 701 };
	struct pw_event ev;
	struct pw_proc *a, *b, *c;

	attach_start(700);
	ev = attach_ev(100, 700, 0, argv, 1, a_tids, 1, 2000000);
	feed(&ev);
	ev = attach_ev(101, 701, 0, argv, 1, b_tids, 1, 500);
	feed(&ev);
	spawn(200, 701, 702, false);
	a = pw_model_get(&tab, 700);
	b = pw_model_get(&tab, 701);
	c = pw_model_get(&tab, 702);
	cr_assert_null(b->up, "an unknown parent: top-level");
	cr_assert_eq(a->next_sibling, b);
	cr_assert_not(c->attached);
	cr_assert_eq(pw_proc_lifetime(a, 1000100), 1000000 + 2000000, "running: up to now");
	exit_ev(3000100, 700, 700, PW_STATUS_EXITED, 1);
	cr_assert_eq(pw_proc_lifetime(a, 9999999), 3000000 + 2000000, "ended: up to its exit");
	cr_assert_eq(pw_proc_lifetime(c, 100), 0, "a time before its start is not wrapped");
	end_ev(4000000, true);
	cr_assert_not(a->detached);
	cr_assert(b->detached && c->detached);
	cr_assert_eq(tab.counts.detached, 2);
}

/* A trace cut short, or one that ended with nothing left: nobody is detached. */
Test(model, end_without_detach_marks_nothing)
{
	spawn(10, 800, 801, false);
	end_ev(20, false);
	cr_assert_not(pw_model_get(&tab, 801)->detached);
	cr_assert_eq(tab.counts.detached, 0);
}

Test(model, an_image_keeps_the_descriptors_its_exec_let_through)
{
	char *argv0[] = { "sh" };
	struct pw_bytes argv[1] = { { .data = (char *)"cc", .len = 2 } };
	struct pw_fd fds[2] = {
		{ .fd = 3, .target = { .data = (char *)"pipe:[77]", .len = 9 } },
		{ .fd = 9, .target = { .data = NULL } },
	};
	struct pw_event ev = { .kind = PW_EV_EXEC, .time_us = 20, .pid = 100, .tid = 100 };
	const struct pw_image *im;

	/* Kept only for a view that asks: the timeline and tree show none. */
	pw_model_destroy(&tab);
	pw_model_init(&tab, &(struct pw_model_opts){ .fds = true });
	start(100, argv0, 1);
	ev.u.exec.path = argv[0];
	ev.u.exec.argv = argv;
	ev.u.exec.argc = 1;
	ev.u.exec.fds = fds;
	ev.u.exec.nfds = 2;
	ev.u.exec.fds_truncated = true;
	feed(&ev);
	im = pw_proc_image(pw_model_get(&tab, 100));
	cr_assert_not_null(im);
	cr_assert_eq(im->nfds, 2);
	cr_assert_eq(im->fds[0].fd, 3);
	cr_assert_str_eq(im->fds[0].target, "pipe:[77]");
	cr_assert_eq(im->fds[1].fd, 9);
	cr_assert_null(im->fds[1].target, "an unreadable target stays unknown");
	cr_assert(im->fds_truncated);
	/* They belong to that image: the next exec let none through. */
	exec(30, 100, "ld", 0);
	im = pw_proc_image(pw_model_get(&tab, 100));
	cr_assert_eq(im->nfds, 0);
	cr_assert_eq(pw_model_get(&tab, 100)->images->nfds, 2);
}

Test(model, descriptors_are_not_kept_unless_asked)
{
	char *argv0[] = { "sh" };
	struct pw_bytes argv[1] = { { .data = (char *)"cc", .len = 2 } };
	struct pw_fd fds[1] = { { .fd = 3, .target = { .data = (char *)"pipe:[77]", .len = 9 } } };
	struct pw_event ev = { .kind = PW_EV_EXEC, .time_us = 20, .pid = 100, .tid = 100 };

	start(100, argv0, 1);
	ev.u.exec.path = argv[0];
	ev.u.exec.argv = argv;
	ev.u.exec.argc = 1;
	ev.u.exec.fds = fds;
	ev.u.exec.nfds = 1;
	feed(&ev);
	cr_assert_eq(pw_proc_image(pw_model_get(&tab, 100))->nfds, 0);
	cr_assert_null(pw_proc_image(pw_model_get(&tab, 100))->fds);
}
