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
#include "event_builder.h"

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
feed(struct pw_event ev)
{
	cr_assert_eq(pw_model_event(&tab, &ev, NULL), 0);
}

/* An exec of arg0 with one argument, "x"; argv lives until the model has it. */
static void
exec(uint64_t t, pid_t pid, const char *arg0, long result)
{
	struct pw_bytes argv[2] = { ev_bytes(arg0), ev_bytes("x") };

	feed(ev_exec(t, pid, arg0, argv, 2, NULL, result));
}

Test(model, tree_names_and_chain)
{
	char *argv[] = { (char *)"/usr/bin/make", NULL };
	struct pw_proc *root, *a, *b;

	feed(ev_start(5, 100, argv, 1));
	root = pw_model_get(&tab, 100);
	cr_assert_not_null(root);
	cr_assert_str_eq(root->name, "make");
	cr_assert_eq(root->start_us, 5);
	feed(ev_fork(10, 100, 101));
	feed(ev_fork(20, 100, 102));
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
	cr_assert_eq(pw_proc_execs(a), 2);
	cr_assert_eq(a->failed_execs, 1);
	cr_assert_str_eq(a->images->argv.v[0], "/usr/bin/cc");
	cr_assert_str_eq(a->images->argv.v[1], "x");
	feed(ev_exited(40, 101, 101, 2));
	feed(ev_reap(45, 100, 101, ev_status(PW_STATUS_EXITED, 2)));
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

	feed(ev_fork(10, 200, 201));
	feed(ev_fork(11, 201, 202));
	feed(ev_spawn(12, 202, 202, PW_SPAWN_THREAD, 203));
	feed(ev_spawn(13, 202, 202, PW_SPAWN_THREAD, 204));
	mid = pw_model_get(&tab, 201);
	kid = pw_model_get(&tab, 202);
	cr_assert_eq(kid->depth, 2);
	cr_assert_eq(kid->threads, 2);
	cr_assert_null(pw_model_get(&tab, 203), "a thread is not a process");
	feed(ev_exited(14, 202, 203, 0));
	cr_assert(kid->thread_recs[0].exited);
	cr_assert_not(kid->exited, "a thread's exit does not end the process");
	feed(ev_exited(20, 201, 201, 0));
	cr_assert(kid->orphaned);
	feed(ev_reap(21, 200, 201, ev_status(PW_STATUS_EXITED, 0)));
	feed(ev_reap(30, 200, 202, ev_status(PW_STATUS_EXITED, 0)));	/* a subreaper adopted it */
	cr_assert(kid->reaped_by_other);
	cr_assert(kid->exited, "the wait says it ended");
	cr_assert_not(mid->orphaned);
	cr_assert_eq(tab.counts.threads, 2);
}

/*
 * A process keeps the resource use of its exit event; a thread's exit
 * does not give one, and an end known only from the reap has none.
 */
Test(model, usage_from_the_exit_event)
{
	struct pw_event thread_end = ev_with_usage(ev_exited(12, 300, 303, 0), 9, 9, 9);
	struct pw_proc *p, *q;

	feed(ev_fork(10, 300, 301));
	feed(ev_fork(11, 300, 302));
	feed(ev_spawn(11, 300, 300, PW_SPAWN_THREAD, 303));
	feed(thread_end);
	p = pw_model_get(&tab, 300);
	cr_assert_eq(p->usage.known, 0, "a thread's end is not its process's");
	feed(ev_with_usage(ev_exited(20, 301, 301, 0), 912000, 3000, 46080));
	feed(ev_reap(21, 300, 302, ev_status(PW_STATUS_KILLED, SIGKILL)));
	p = pw_model_get(&tab, 301);
	q = pw_model_get(&tab, 302);
	cr_assert_eq(p->usage.known, PW_USAGE_USER | PW_USAGE_SYSTEM | PW_USAGE_PEAK_RSS);
	cr_assert_eq(p->usage.user_us, 912000);
	cr_assert_eq(p->usage.system_us, 3000);
	cr_assert_eq(p->usage.peak_rss_kib, 46080);
	cr_assert(q->exited);
	cr_assert_eq(q->usage.known, 0);
}

Test(model, killed_and_pid_reuse)
{
	struct pw_proc *old, *fresh;

	feed(ev_fork(10, 300, 301));
	old = pw_model_get(&tab, 301);
	feed(ev_killed(11, 301, 301, SIGSEGV));
	feed(ev_reap(12, 300, 301, ev_status(PW_STATUS_EXITED, 0)));
	cr_assert_eq(old->status.kind, PW_STATUS_KILLED);
	cr_assert_eq(tab.counts.signals, 1);
	feed(ev_fork(13, 300, 301));
	fresh = pw_model_get(&tab, 301);
	cr_assert_neq(fresh, old);
	cr_assert_eq(old->next_sibling, fresh, "both stay in the tree");
	cr_assert_not(fresh->exited);
}

/* A CLONE_PARENT child is reported to its creator's parent: that one's exit orphans it. */
Test(model, clone_parent_orphan)
{
	struct pw_event ev = ev_spawn(12, 401, 401, PW_SPAWN_CLONE, 402);
	struct pw_proc *sib;

	feed(ev_fork(10, 400, 401));
	ev.u.spawn.flags = CLONE_PARENT;
	ev.u.spawn.parent = 400;
	feed(ev);
	sib = pw_model_get(&tab, 402);
	cr_assert_eq(sib->ppid, 400);
	cr_assert_eq(sib->up, pw_model_get(&tab, 401), "shown under its creator");
	feed(ev_exited(20, 401, 401, 0));
	cr_assert_not(sib->orphaned, "its creator is not its parent");
	feed(ev_exited(30, 400, 400, 0));
	cr_assert(sib->orphaned);
}

/*
 * A vfork'd child killed in its exec, and a parent killed in a fork: the
 * exec is neither an image nor a failure (the name stays, nothing is
 * counted), the fork makes no child; the kills are what is counted.
 */
Test(model, unfinished_exec_and_spawn)
{
	struct pw_event fork_ev = ev_fork(40, 500, 0);
	char *argv[] = { (char *)"sh", NULL };
	struct pw_proc *root, *kid;

	feed(ev_start(5, 500, argv, 1));
	feed(ev_fork(10, 500, 501));
	kid = pw_model_get(&tab, 501);
	exec(20, 501, "/bin/true", PW_RESULT_UNFINISHED);
	cr_assert_str_eq(kid->name, "sh", "no new program: the old name stays");
	cr_assert_eq(pw_proc_execs(kid), 0);
	cr_assert_eq(kid->failed_execs, 0);
	feed(ev_killed(21, 501, 501, SIGKILL));
	fork_ev.u.spawn.parent = 0;	/* the tracer leaves an unfinished spawn's empty */
	fork_ev.u.spawn.result = PW_RESULT_UNFINISHED;
	feed(fork_ev);
	feed(ev_killed(41, 500, 500, SIGKILL));
	root = pw_model_get(&tab, 500);
	cr_assert_eq(root->first_child, kid);
	cr_assert_null(kid->next_sibling, "the unfinished fork made no child");
	cr_assert_eq(tab.counts.processes, 2);
	cr_assert_eq(tab.counts.execs, 0);
	cr_assert_eq(tab.counts.failed_execs, 0);
	cr_assert_eq(tab.counts.signals, 2);
}

/*
 * make (600, parent outside the trace, 3 threads) and its child cc1 (601,
 * an empty command line) found running: a record each, cc1 under make,
 * named from argv[0] or the exe, their argv kept but no exec counted, the
 * other threads live but not created.
 */
Test(model, attach_records)
{
	struct pw_bytes make_argv[] = { EV_BYTES("/usr/bin/make"), EV_BYTES("-j2") };
	pid_t make_tids[] = { 600, 602, 603 }, cc_tids[] = { 601 };
	struct pw_event ev;
	struct pw_proc *make, *cc;

	feed(ev_attach_start(0, (pid_t[]){ 600 }, 1));
	cr_assert_null(pw_model_get(&tab, 600), "the start event makes no record");
	ev = ev_attach(10, 600, 1, make_argv, 2, make_tids, 3, 3000000);
	feed(ev);
	cr_assert_not_null(pw_model_get(&tab, 600));
	ev = ev_attach(11, 601, 600, NULL, 0, cc_tids, 1, 1000000);
	ev.u.attach.exe = ev_bytes("/usr/lib/gcc/cc1");
	feed(ev);
	make = pw_model_get(&tab, 600);
	cc = pw_model_get(&tab, 601);
	cr_assert_eq(tab.root, make);
	cr_assert_null(make->up);
	cr_assert(make->attached && tab.attach);
	cr_assert_eq(make->ppid, 1);
	cr_assert_eq(make->start_us, 10);
	cr_assert_eq(make->age_us, 3000000);
	cr_assert_str_eq(make->name, "make");
	cr_assert_eq(pw_proc_execs(make), 0, "its program is not an exec procwatch saw");
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
	cr_assert_eq(pw_proc_execs(make), 1);
	cr_assert_eq(make->images->argv.n, 2, "the attach-time argv stays");
}

/* Lifetimes count the age; the end's detached marks only what still runs. */
Test(model, attach_lifetime_and_detach)
{
	struct pw_bytes argv[] = { EV_BYTES("sleep") };
	pid_t a_tids[] = { 700 }, b_tids[] = { 701 };
	struct pw_event ev;
	struct pw_proc *a, *b, *c;

	feed(ev_attach_start(0, (pid_t[]){ 700 }, 1));
	ev = ev_attach(100, 700, 0, argv, 1, a_tids, 1, 2000000);
	feed(ev);
	ev = ev_attach(101, 701, 0, argv, 1, b_tids, 1, 500);
	feed(ev);
	feed(ev_fork(200, 701, 702));
	a = pw_model_get(&tab, 700);
	b = pw_model_get(&tab, 701);
	c = pw_model_get(&tab, 702);
	cr_assert_null(b->up, "an unknown parent: top-level");
	cr_assert_eq(a->next_sibling, b);
	cr_assert_not(c->attached);
	cr_assert_eq(pw_proc_lifetime(a, 1000100), 1000000 + 2000000, "running: up to now");
	feed(ev_exited(3000100, 700, 700, 1));
	cr_assert_eq(pw_proc_lifetime(a, 9999999), 3000000 + 2000000, "ended: up to its exit");
	cr_assert_eq(pw_proc_lifetime(c, 100), 0, "a time before its start is not wrapped");
	feed(ev_end_attach(4000000, true));
	cr_assert_not(a->detached);
	cr_assert(b->detached && c->detached);
	cr_assert_eq(tab.counts.detached, 2);
}

/* A trace cut short, or one that ended with nothing left: nobody is detached. */
Test(model, end_without_detach_marks_nothing)
{
	feed(ev_fork(10, 800, 801));
	feed(ev_end_attach(20, false));
	cr_assert_not(pw_model_get(&tab, 801)->detached);
	cr_assert_eq(tab.counts.detached, 0);
}

Test(model, an_image_keeps_the_descriptors_its_exec_let_through)
{
	char *argv0[] = { "sh" };
	struct pw_bytes argv[1] = { EV_BYTES("cc") };
	struct pw_fd fds[2] = {
		{ .fd = 3, .target = EV_BYTES("pipe:[77]") },
		{ .fd = 9, .target = { .data = NULL } },
	};
	struct pw_event ev = ev_exec(20, 100, "cc", argv, 1, NULL, 0);
	const struct pw_image *im;

	/* Kept only for a view that asks: the timeline and tree show none. */
	pw_model_destroy(&tab);
	pw_model_init(&tab, &(struct pw_model_opts){ .fds = true });
	feed(ev_start(5, 100, argv0, 1));
	ev.u.exec.fds = fds;
	ev.u.exec.nfds = 2;
	ev.u.exec.fds_truncated = true;
	feed(ev);
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
	struct pw_bytes argv[1] = { EV_BYTES("cc") };
	struct pw_fd fds[1] = { { .fd = 3, .target = EV_BYTES("pipe:[77]") } };
	struct pw_event ev = ev_exec(20, 100, "cc", argv, 1, NULL, 0);

	feed(ev_start(5, 100, argv0, 1));
	ev.u.exec.fds = fds;
	ev.u.exec.nfds = 1;
	feed(ev);
	cr_assert_eq(pw_proc_image(pw_model_get(&tab, 100))->nfds, 0);
	cr_assert_null(pw_proc_image(pw_model_get(&tab, 100))->fds);
}

/* execvp(3)'s misses before the directory that has the program are no failures. */
Test(model, a_path_search_that_found_its_program_failed_nothing)
{
	char *argv0[] = { "sh" };
	struct pw_bytes cc[] = { EV_BYTES("cc"), EV_BYTES("-c"), EV_BYTES("x.c") };
	struct pw_bytes ld[] = { EV_BYTES("ld") };
	struct pw_proc *p;

	feed(ev_start(1, 100, argv0, 1));
	feed(ev_exec(2, 100, "/usr/local/bin/cc", cc, 3, NULL, -ENOENT));
	feed(ev_exec(3, 100, "/usr/sbin/cc", cc, 3, NULL, -EACCES));
	feed(ev_exec(4, 100, "/usr/bin/cc", cc, 3, NULL, 0));
	p = pw_model_get(&tab, 100);
	cr_assert_eq(p->failed_execs, 0);
	cr_assert_eq(p->path_misses, 2);
	cr_assert_eq(tab.counts.failed_execs, 0);
	cr_assert_eq(tab.counts.path_misses, 2);
	/* A search that found nothing failed, every miss of it. */
	feed(ev_exec(5, 100, "/a/ld", ld, 1, NULL, -ENOENT));
	feed(ev_exec(6, 100, "/b/ld", ld, 1, NULL, -ENOENT));
	cr_assert_eq(p->failed_execs, 2);
	cr_assert_eq(tab.counts.failed_execs, 2);
	/* Nor does an exec of another argv make earlier misses a search. */
	feed(ev_exec(7, 100, "/usr/bin/cc", cc, 3, NULL, 0));
	cr_assert_eq(p->failed_execs, 2);
	cr_assert_eq(p->path_misses, 2);
}

/* Only the misses just before the exec, in its task, with its argv. */
Test(model, misses_of_another_thread_or_argv_stay_failures)
{
	char *argv0[] = { "sh" };
	struct pw_bytes cc[] = { EV_BYTES("cc") };
	struct pw_bytes cc2[] = { EV_BYTES("cc"), EV_BYTES("-v") };
	struct pw_event ev;

	feed(ev_start(1, 100, argv0, 1));
	ev = ev_exec(2, 100, "/a/cc", cc, 1, NULL, -ENOENT);
	ev.tid = 101;
	feed(ev);
	feed(ev_exec(3, 100, "/b/cc", cc, 1, NULL, 0));
	cr_assert_eq(pw_model_get(&tab, 100)->failed_execs, 1);
	feed(ev_exec(4, 100, "/a/cc", cc, 1, NULL, -ENOENT));
	feed(ev_exec(5, 100, "/b/cc", cc2, 2, NULL, 0));
	cr_assert_eq(pw_model_get(&tab, 100)->failed_execs, 2);
	cr_assert_eq(tab.counts.path_misses, 0);
}
