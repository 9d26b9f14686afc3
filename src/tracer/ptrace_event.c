/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The stops that are not syscall stops: a spawn's PTRACE_EVENT_FORK/VFORK/
 * CLONE, PTRACE_EVENT_EXEC, a new task's first stop, and a task's death.
 * The spawn and exec events write the successful calls whose entries
 * syscall_stop.c decoded.  The handlers only record and say how the task
 * goes on; loop.c resumes it.
 *
 * A child's first stop can be reported before its creator's fork event
 * (the kernel wakes the child before it reports the event: kernel/fork.c,
 * kernel_clone), so a task may be met before anyone says whose it is.  It
 * is then parked (held stopped) until the event links it, so that nothing
 * it does is written before the spawn that created it.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "tracer_internal.h"

/* -k, for a call whose entry was never seen (int $0x80, or under way at attach). */
void
stack_not_taken(struct tracer *t, struct pw_stack *out)
{
	if (!t->unwinder)
		return;
	out->requested = true;
	out->note = strdup("not taken: the call's entry was not seen (a 32-bit "
			   "int $0x80 call, or one under way when procwatch attached)");
}

/* What the caller's clone returned, when its pid namespace is not ours. */
static void
spawn_result_seen(struct tracer *t, struct task *task, struct pw_spawn *sp)
{
	struct task *c;
	pid_t seen;

	if (!task->ns || !(c = task_find(t, sp->child)))
		return;
	seen = pidns_id_seen_by(task, c);
	if (seen && seen != sp->child)
		sp->result_ns = seen;
}

/* The child of a spawn: known already if its first stop came first. */
static void
link_child(struct tracer *t, struct task *task, const struct pw_spawn *sp,
	   pid_t child)
{
	struct task *c;

	if (pw_pidmap_remove(&t->early_deaths, child))
		return;		/* it is gone already; its exit was written */
	c = task_find(t, child);
	if (!c)
		c = task_add(t, child);
	if (!c)
		return;
	c->tgid = sp->thread ? task_tgid(task) : child;
	usage_count_thread(t, c, sp->thread);
	c->parent = sp->parent;
	c->own_filter = task->own_filter;
	pidns_enter(t, task, c, sp);
	if (pw_pidmap_remove(&t->parked, child))
		task_release(t, c);
}

/*
 * A spawn whose entry we did not stop at: a 32-bit int $0x80 call, which
 * the filter lets through undecoded (its numbers are i386's).  The event
 * still says what it was (kernel/fork.c, kernel_clone: CLONE_VFORK gives
 * VFORK, an exit signal other than SIGCHLD gives CLONE, anything else
 * FORK), and the child's Tgid whether it is a thread.
 */
static void
describe_unseen_spawn(struct task *task, pid_t child, struct pw_spawn *sp)
{
	sp->call = PW_CALL_NONE;
	if (procfs_status_field(child, "Tgid") == task_tgid(task)) {
		sp->kind = PW_SPAWN_THREAD;
		sp->thread = true;
		sp->flags = CLONE_THREAD;
	} else if (task->spawn_event == PTRACE_EVENT_VFORK) {
		sp->kind = PW_SPAWN_VFORK;
		sp->flags = CLONE_VFORK;
		sp->exit_signal = SIGCHLD;
	} else if (task->spawn_event == PTRACE_EVENT_FORK) {
		sp->kind = PW_SPAWN_FORK;
		sp->exit_signal = SIGCHLD;
	} else {
		sp->kind = PW_SPAWN_CLONE;
	}
}

/* The spawn task made succeeded and child exists: write it, link the child. */
static void
spawn_done(struct tracer *t, struct task *task, pid_t child)
{
	struct pw_event *ev = &task->pending;
	struct pw_spawn *sp = &ev->u.spawn;
	bool seen = pw_call_is_spawn(task->in_call);
	struct task *c;

	if (!seen) {
		pw_event_clear(ev);
		tracer_event_init(t, ev, PW_EV_SPAWN, task);
		describe_unseen_spawn(task, child, sp);
		stack_not_taken(t, &sp->stack);
	}
	task_leave_call(t, task);
	sp->child = child;
	sp->result = child;
	sp->parent = task_spawn_parent(t, task, sp);
	link_child(t, task, sp, child);
	if ((c = task_find(t, child)))
		cwd_spawned(t, task, c, sp, seen);
	spawn_result_seen(t, task, sp);
	ev->time_us = tracer_now(t);
	tracer_emit(t, ev);
}

/*
 * PTRACE_EVENT_FORK/VFORK/CLONE; the message is the child's tid in our pid
 * namespace (kernel/ptrace.c, ptrace_event_pid).  With
 * PROCWATCH_TEST_DEFER_SPAWN the event is held (the creator kept stopped)
 * until the child's first stop has been seen, so that the tests make the
 * kernel's rarer order happen every time.
 */
struct resume
on_spawn_event(struct tracer *t, struct task *task, const struct stop_info *st)
{
	pid_t child = (pid_t)st->msg;
	struct task *c = task_find(t, child);

	task->spawn_event = (unsigned)st->status >> 16;
	if (t->defer_spawn_events && !t->detaching && !(c && c->started) &&
	    pw_pidmap_put(&t->deferred, child, (void *)(long)task->tid) == 0)
		return resume_as(RESUME_HOLD);
	spawn_done(t, task, child);
	return resume_run(0);
}

/* The child of a held fork event has stopped or died: let the event go. */
static void
release_deferred(struct tracer *t, pid_t child)
{
	void *creator = pw_pidmap_remove(&t->deferred, child);
	struct task *task = creator ? task_find(t, (pid_t)(long)creator) : NULL;

	if (!task)
		return;
	spawn_done(t, task, child);
	task_release(t, task);
}

/*
 * Another thread of the old program may rewrite argv while execve copies
 * it, so a copy taken at the entry can differ from what the kernel gave
 * the new program.  At PTRACE_EVENT_EXEC the new image's own argument
 * area says what it got (pw_decode_exec_image): argv is read from there
 * only, the entry having read argv[0] and the count (a #! script's image
 * has the interpreter in place of argv[0]).  An image that cannot be read
 * so (a 32-bit program's stack) gives /proc/PID/cmdline, the same area,
 * as for an exec whose entry was not seen: a script's then shows the
 * interpreter in place of argv[0].
 */
static void
take_image_argv(struct tracer *t, struct task *task, pid_t pid, struct pw_exec *ex)
{
	struct user_regs_struct regs;
	size_t entry_argc = task->exec_argc;

	task->exec_argc = 0;
	if (!entry_argc)
		return;		/* all there is was read at the entry */
	if (t->mem.io->get_regs(pid, &regs) == 0 &&
	    pw_decode_exec_image(regs.rsp, tracee_mem_decoder(&t->mem, pid), &t->limits,
				 entry_argc, ex) == 0)
		return;
	pw_exec_argv_clear(ex);
	procfs_cmdline(pid, &t->limits, &ex->argv, &ex->argc, &ex->argv_truncated);
}

/*
 * PTRACE_EVENT_EXEC is reported under the thread group leader's pid; when a
 * non-leader thread exec'd, it has already taken the leader's tid and the
 * message gives its former tid (Linux >= 3.0).  The old leader never
 * reports its death (ptrace(2), "execve(2) under ptrace"): its record goes,
 * and the thread's carries on under the leader's tid (*taskp changes).
 */
struct resume
on_exec_event(struct tracer *t, struct task **taskp, const struct stop_info *st)
{
	struct task *leader = *taskp, *task = leader;
	pid_t pid = leader->tid, old_tid = (pid_t)st->msg;
	struct pw_event *ev;

	if (old_tid && old_tid != pid && (task = task_find(t, old_tid))) {
		task->parent = leader->parent;
		task->reaped_child = leader->reaped_child;
		task_forget(t, leader);
		task_rekey(t, task, pid);
		task->tgid = pid;
		*taskp = task;
	} else {
		task = leader;
	}
	ev = &task->pending;
	if (!pw_call_is_exec(task->in_call) || ev->kind != PW_EV_EXEC) {
		/*
		 * Its entry was not seen (an int $0x80 exec, or one under way
		 * when procwatch attached): the new program's own argument
		 * area says what it was given.
		 */
		pw_event_clear(ev);
		tracer_event_init(t, ev, PW_EV_EXEC, task);
		procfs_cmdline(pid, &t->limits, &ev->u.exec.argv, &ev->u.exec.argc,
			       &ev->u.exec.argv_truncated);
		stack_not_taken(t, &ev->u.exec.stack);
		cwd_unseen_exec(task);
	} else {
		take_image_argv(t, task, pid, &ev->u.exec);
	}
	if (pid == t->root)
		t->root_launched = true;
	usage_count_thread(t, task, false);	/* the thread that exec'd leads now */
	task->exec_seen = true;
	task_leave_call(t, task);
	task->exit_call = PW_CALL_NONE;
	ev->pid = pid;
	ev->tid = pid;
	ev->u.exec.result = 0;
	if (old_tid && old_tid != pid)
		ev->u.exec.old_tid = old_tid;
	if (exec_image_read(&t->opts, pid, &ev->u.exec))
		t->stats.fd_lists++;
	ev->time_us = tracer_now(t);
	tracer_emit(t, ev);
	return resume_run(0);
}

/*
 * PTRACE_EVENT_STOP with SIGTRAP: a new task's first stop (auto-attached
 * children of a seized tracee start this way, ptrace(2) PTRACE_SEIZE), or
 * the stop our PTRACE_INTERRUPT asked for.  A task whose creator's fork
 * event has not come yet is parked while a spawn is in flight; either way
 * a fork event held for it may go now.
 */
struct resume
on_task_start(struct tracer *t, struct task *task)
{
	/* A held event may link the task now (and then it is not parked). */
	release_deferred(t, task->tid);
	if (!task->tgid && t->spawns_in_flight && !t->detaching &&
	    pw_pidmap_put(&t->parked, task->tid, (void *)1) == 0)
		return resume_as(RESUME_HOLD);
	return resume_run(0);
}

static void
release_one(pid_t tid, void *value, void *data)
{
	struct tracer *t = data;
	struct task *task = task_find(t, tid);

	(void)value;
	if (task)
		task_release(t, task);
}

/*
 * No traced task is inside a spawn call any more, so no fork event can come
 * for the parked tasks (their creator was killed before reporting it):
 * let them run unlinked.
 */
void
release_parked(struct tracer *t)
{
	pw_pidmap_each(&t->parked, release_one, t);
	pw_pidmap_destroy(&t->parked);
	pw_pidmap_init(&t->parked);
}

/*
 * A spawn or exec the task died in never returned, but the attempt (and
 * its -k stack, perhaps cut short by this very death) is worth writing;
 * a wait in progress is not.  An exec's argv past argv[0] was to be read
 * from the image its outcome left (take_image_argv), and there is none
 * now: it is written cut short (argv_truncated), argv[0] alone.
 */
static void
finish_unfinished_call(struct tracer *t, struct task *task)
{
	struct pw_event *ev = &task->pending;

	if (task->in_call == PW_CALL_NONE)
		return;
	if (ev->kind == PW_EV_SPAWN) {
		ev->u.spawn.result = PW_RESULT_UNFINISHED;
	} else if (pw_event_is_exec_like(ev)) {
		ev->u.exec.result = PW_RESULT_UNFINISHED;
		ev->u.exec.argv_truncated |= task->exec_argc > 1;
	} else {
		return;
	}
	ev->time_us = tracer_now(t);
	tracer_emit(t, ev);
}

/*
 * A death we never saw the task of: killed before its first stop was
 * reported and before its creator's fork event.  Remember the tid so that
 * the fork event does not bring back a task that will never report again.
 */
static void
unknown_death(struct tracer *t, pid_t tid, int status)
{
	struct task tmp = { .tid = tid, .tgid = tid };
	struct pw_event ev;

	tracer_event_init(t, &ev, PW_EV_EXIT, &tmp);
	pw_status_from_wait(status, &ev.u.exit.status);
	tracer_emit(t, &ev);
	pw_pidmap_put(&t->early_deaths, tid, (void *)1);
	release_deferred(t, tid);
}

/*
 * A task's death report (WIFEXITED/WIFSIGNALED).  For a thread group
 * leader it is the process's end: the kernel holds it back until every
 * other thread is gone.  PTRACE_EVENT_EXIT is not requested: it is not
 * guaranteed under SIGKILL anyway, and the report carries the status.
 */
struct resume
on_death(struct tracer *t, struct task *task, pid_t pid, const struct stop_info *st)
{
	struct pw_event ev;
	struct pw_exit *ex = &ev.u.exit;
	struct task *reaper;

	t->stats.deaths++;
	if (!task) {
		unknown_death(t, pid, st->status);
		return resume_as(RESUME_GONE);
	}
	finish_unfinished_call(t, task);
	tracer_event_init(t, &ev, PW_EV_EXIT, task);
	ex->thread = ev.tid != ev.pid;
	pw_status_from_wait(st->status, &ex->status);
	ex->call = WIFEXITED(st->status) ? task->exit_call : PW_CALL_NONE;
	if (!ex->thread)
		ex->usage = usage_for_death(task, &ex->status);
	if (!task->exit_written)
		tracer_emit(t, &ev);
	if (!ex->thread) {
		reaper = task->parent ? task_find(t, task->parent) : NULL;
		if (task->tid == t->root) {
			t->root_ended = true;
			t->root_status = ex->status;
			signals_root_gone(t);
		} else if (reaper) {
			zombie_remember(t, task->tid, reaper->tid, &ex->status);
		}
		pidns_died(task, reaper ? reaper->ns : NULL, reaper != NULL);
	}
	release_deferred(t, task->tid);
	task_forget(t, task);
	return resume_as(RESUME_GONE);
}
