/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tracer's task table: tid -> struct task in a hash map, so that every
 * stop costs O(1) whatever the number of live tasks; the count of spawn
 * calls in flight (parked children wait for it to drop to zero); the held
 * tasks handlers let go of; and the small table of dead processes whose
 * parents have yet to reap them.  Calls nothing but the pid map and
 * pidns.c: the handlers call this file, never the other way round.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracer_internal.h"

struct task *
task_find(struct tracer *t, pid_t tid)
{
	return pw_pidmap_get(&t->tasks, tid);
}

struct task *
task_add(struct tracer *t, pid_t tid)
{
	struct task *task = calloc(1, sizeof(*task));

	if (!task)
		return NULL;
	task->tid = tid;
	if (pw_pidmap_put(&t->tasks, tid, task) < 0) {
		free(task);
		return NULL;
	}
	return task;
}

static void
task_free(struct tracer *t, struct task *task)
{
	usage_count_thread(t, task, false);
	pidns_task_free(t, task);
	cwd_task_free(t, task);
	pw_event_clear(&task->pending);
	pw_event_clear(&task->suspended);
	free(task);
}

/* The task entered a call whose outcome we wait for (PTRACE_SYSCALL). */
void
task_enter_call(struct tracer *t, struct task *task, enum pw_call call)
{
	task_leave_call(t, task);
	task->in_call = call;
	if (pw_call_is_spawn(call))
		t->spawns_in_flight++;
	else if (pw_call_is_exec(call))
		t->execs_in_flight++;
}

/* The task's call is over as far as we care; a spawn no longer in flight. */
void
task_leave_call(struct tracer *t, struct task *task)
{
	if (pw_call_is_spawn(task->in_call))
		t->spawns_in_flight--;
	else if (pw_call_is_exec(task->in_call))
		t->execs_in_flight--;
	task->in_call = PW_CALL_NONE;
}

/*
 * A held task may go on: loop.c resumes it once the handler that let it go
 * has returned.  No memory to remember it: counted as lost, it would stay
 * stopped for good, so grow first and give up only on a table already
 * absurdly large.
 */
void
task_release(struct tracer *t, struct task *task)
{
	size_t cap;
	pid_t *grown;

	if (!task->held)
		return;
	if (t->nreleased == t->released_cap) {
		cap = t->released_cap ? t->released_cap * 2 : 16;
		grown = realloc(t->released, cap * sizeof(*grown));
		if (!grown) {
			t->lost++;
			return;
		}
		t->released = grown;
		t->released_cap = cap;
	}
	t->released[t->nreleased++] = task->tid;
}

void
task_forget(struct tracer *t, struct task *task)
{
	task_leave_call(t, task);
	pw_pidmap_remove(&t->tasks, task->tid);
	task_free(t, task);
}

static void
free_task_entry(pid_t key, void *value, void *data)
{
	(void)key;
	task_free(data, value);
}

static void
free_zombie_entry(pid_t key, void *value, void *data)
{
	(void)key;
	(void)data;
	free(value);
}

void
tasks_destroy(struct tracer *t)
{
	pw_pidmap_each(&t->tasks, free_task_entry, t);
	pw_pidmap_destroy(&t->tasks);
	pw_pidmap_each(&t->zombies, free_zombie_entry, NULL);
	pw_pidmap_destroy(&t->zombies);
	pw_pidmap_destroy(&t->early_deaths);
	pw_pidmap_destroy(&t->parked);
	pw_pidmap_destroy(&t->deferred);
	free(t->released);
	t->released = NULL;
	t->nreleased = t->released_cap = 0;
	pidns_destroy(t);
}

/* After a non-leader exec the thread carries on under the leader's tid. */
int
task_rekey(struct tracer *t, struct task *task, pid_t new_tid)
{
	pw_pidmap_remove(&t->tasks, task->tid);
	task->tid = new_tid;
	return pw_pidmap_put(&t->tasks, new_tid, task);
}

/*
 * A child's first stop can be reported before its creator's fork event
 * (the kernel wakes the child before it reports the event to us), and the
 * child may even reach a traced syscall first.  Then only /proc knows which
 * thread group it belongs to.
 */
pid_t
task_tgid(struct task *task)
{
	long tgid;

	if (task->tgid)
		return task->tgid;
	tgid = procfs_status_field(task->tid, "Tgid");
	task->tgid = tgid > 0 ? (pid_t)tgid : task->tid;
	return task->tgid;
}

/*
 * The zombie table holds what a wait(NULL) would not tell: the status of
 * each dead child until a traced process reaps it.  A child nobody in the
 * trace will reap must not stay forever: a parent that ignores SIGCHLD or
 * set SA_NOCLDWAIT has its children reaped by the kernel as they die
 * (wait(2), NOTES; kernel/exit.c, do_notify_parent says autoreap), and a
 * build may fork a million of them.  So once the table has doubled since
 * the last look, every entry whose process the kernel no longer has
 * (kill(pid, 0): ESRCH, proc(5)) goes, unless a thread of its parent is
 * inside a wait call: that wait may have just reaped it, and its exit
 * stop, still to come, takes the entry.  What stays are zombies the kernel
 * still keeps, so the table is as bounded as they are.
 */
#define ZOMBIE_SWEEP_MIN 1024

static void
note_waiting(pid_t tid, void *value, void *data)
{
	struct task *task = value;

	(void)tid;
	if (pw_call_is_wait(task->in_call))
		pw_pidmap_put(data, task_tgid(task), (void *)1);
}

struct sweep {
	struct pw_pidmap waiting;	/* tgids with a thread inside a wait */
	pid_t *gone;
	size_t ngone;
};

static void
note_gone(pid_t pid, void *value, void *data)
{
	struct zombie *z = value;
	struct sweep *sw = data;

	if (kill(pid, 0) < 0 && errno == ESRCH &&
	    !pw_pidmap_get(&sw->waiting, z->parent))
		sw->gone[sw->ngone++] = pid;
}

static void
zombies_sweep(struct tracer *t)
{
	struct sweep sw = { .gone = malloc(t->zombies.count * sizeof(pid_t)) };

	pw_pidmap_init(&sw.waiting);
	if (sw.gone) {
		pw_pidmap_each(&t->tasks, note_waiting, &sw.waiting);
		pw_pidmap_each(&t->zombies, note_gone, &sw);
	}
	for (size_t i = 0; i < sw.ngone; i++)
		free(pw_pidmap_remove(&t->zombies, sw.gone[i]));
	t->zombies_dropped += sw.ngone;
	free(sw.gone);
	pw_pidmap_destroy(&sw.waiting);
	t->zombies_sweep_at = 2 * t->zombies.count;
	if (t->zombies_sweep_at < ZOMBIE_SWEEP_MIN)
		t->zombies_sweep_at = ZOMBIE_SWEEP_MIN;
}

void
zombie_remember(struct tracer *t, pid_t pid, pid_t parent, const struct pw_status *st)
{
	struct zombie *z = pw_pidmap_get(&t->zombies, pid);

	if (!z) {
		if (t->zombies.count >= t->zombies_sweep_at)
			zombies_sweep(t);
		z = malloc(sizeof(*z));
		if (!z || pw_pidmap_put(&t->zombies, pid, z) < 0) {
			free(z);
			return;
		}
	}
	z->status = *st;
	z->parent = parent;
	if (t->zombies.count > t->zombies_peak)
		t->zombies_peak = t->zombies.count;
}

bool
zombie_take(struct tracer *t, pid_t pid, struct pw_status *st)
{
	struct zombie *z = pw_pidmap_remove(&t->zombies, pid);

	if (!z)
		return false;
	if (st)
		*st = z->status;
	free(z);
	return true;
}

struct mark_ctx {
	struct tracer *t;
	pid_t tgid;
};

static void
mark_own_filter(pid_t tid, void *value, void *data)
{
	struct mark_ctx *m = data;
	struct task *task = value;

	(void)tid;
	if (task_tgid(task) == m->tgid)
		task->own_filter = true;
}

/* Every task of process tgid: a walk of the table, for a rare call only. */
void
tasks_mark_own_filter(struct tracer *t, pid_t tgid)
{
	struct mark_ctx m = { t, tgid };

	pw_pidmap_each(&t->tasks, mark_own_filter, &m);
}

/* The process that reaps task's process: recorded when it was spawned. */
static pid_t
process_parent(struct tracer *t, struct task *task)
{
	struct task *leader = task_find(t, task_tgid(task));

	if (leader && leader->parent)
		return leader->parent;
	return task->parent;
}

/*
 * Who will reap the child of task's spawn sp: CLONE_PARENT and
 * CLONE_THREAD give the child the caller's parent (kernel/fork.c,
 * copy_process); a thread is listed under the process it joined, since
 * nobody reaps a thread.
 */
pid_t
task_spawn_parent(struct tracer *t, struct task *task, const struct pw_spawn *sp)
{
	if (sp->thread)
		return task_tgid(task);
	if (sp->flags & CLONE_PARENT)
		return process_parent(t, task);
	return task_tgid(task);
}
