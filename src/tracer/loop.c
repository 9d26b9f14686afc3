/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The wait loop: waitpid(-1, __WALL) for the next stop, and every few
 * wake-ups a drain of all the ready stops with WNOHANG before dispatching
 * them.  Each stop is classified once (classify), handled by the one
 * handler of its class (dispatch), and ends in exactly one ptrace call that
 * lets the task go on (resume): the only place in procwatch that resumes a
 * tracee.
 *
 * The drain keeps one busy task from starving the others (strace commit
 * e0f0071b3); it is periodic because every waitpid walks all of the
 * tracer's children and tracees in the kernel (kernel/exit.c, do_wait),
 * and the drain's last, empty call doubled that cost per stop with 2000
 * live tasks.  A ready task waits at most DRAIN_EVERY wake-ups.  __WALL is
 * needed to see threads and clone children whose exit signal is not
 * SIGCHLD.  The loop ends only when waitpid says ECHILD: a parent may exit
 * before its child's first stop is reported, so a count of known tasks
 * reaching zero proves nothing.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tracer_internal.h"

#ifndef AUDIT_ARCH_X86_64
#define AUDIT_ARCH_X86_64 0xc000003eu
#endif

#define BATCH_MAX 256
#define DRAIN_EVERY 16

struct stop {
	pid_t pid;
	int status;
	bool has_ru;
	struct rusage ru;	/* the stopped process's, when asked (usage.c) */
};

/*
 * A syscall stop's call (entry and seccomp stops share a layout, ptrace(2)
 * PTRACE_GET_SYSCALL_INFO) or result.  false when the task is gone, or made
 * a 32-bit call we do not decode.
 */
static bool
read_syscall(pid_t tid, struct stop_info *st)
{
	struct __ptrace_syscall_info info;
	long n = ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(info), &info);
	int i;

	if (n <= 0 || info.arch != AUDIT_ARCH_X86_64)
		return false;
	memset(&st->sc, 0, sizeof(st->sc));
	switch (info.op) {
	case PTRACE_SYSCALL_INFO_SECCOMP:
		st->seccomp_data = info.seccomp.ret_data;
		/* fall through */
	case PTRACE_SYSCALL_INFO_ENTRY:
		st->class = info.op == PTRACE_SYSCALL_INFO_SECCOMP ? STOP_SECCOMP
								   : STOP_SYSCALL_ENTRY;
		st->sc.nr = (long)info.entry.nr;
		for (i = 0; i < 6; i++)
			st->sc.args[i] = info.entry.args[i];
		return true;
	case PTRACE_SYSCALL_INFO_EXIT:
		st->class = STOP_SYSCALL_EXIT;
		st->sc.rval = info.exit.rval;
		return true;
	default:
		return false;
	}
}

static unsigned long
event_message(pid_t tid)
{
	unsigned long msg = 0;

	ptrace(PTRACE_GETEVENTMSG, tid, NULL, &msg);
	return msg;
}

static bool
is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/*
 * PTRACE_EVENT_EXEC's message is the tid the exec'ing thread had: not pid
 * only when a thread other than the leader exec'd (ptrace(2), "execve(2)
 * under ptrace").  Under the filter, when the leader is the one task
 * inside an exec whose entry was seen, it is the one that exec'd: any
 * other thread's exec would be in flight too.  The GETEVENTMSG call is
 * then saved.  (Not when attached: a call under way at the attach was
 * not seen entering.)
 */
static unsigned long
exec_message(struct tracer *t, pid_t pid)
{
	struct task *task = task_find(t, pid);

	if (t->seccomp && task && pw_call_is_exec(task->in_call) && t->execs_in_flight == 1)
		return (unsigned long)pid;
	return event_message(pid);
}

/* An event stop (status >> 16, ptrace(2) "PTRACE_EVENT stops"). */
static enum stop_class
classify_event(struct tracer *t, pid_t pid, int event, struct stop_info *st)
{
	switch (event) {
	case PTRACE_EVENT_SECCOMP:
		return read_syscall(pid, st) ? st->class : STOP_OTHER;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		st->msg = event_message(pid);
		return STOP_SPAWN_EVENT;
	case PTRACE_EVENT_EXEC:
		st->msg = exec_message(t, pid);
		return STOP_EXEC_EVENT;
	case PTRACE_EVENT_STOP:
		/*
		 * Under PTRACE_SEIZE a group-stop is reported as
		 * PTRACE_EVENT_STOP with the stopping signal; with SIGTRAP it
		 * is a new task's first stop or our PTRACE_INTERRUPT.
		 */
		return is_stop_signal(st->sig) ? STOP_GROUP : STOP_TASK_START;
	default:
		return STOP_OTHER;
	}
}

static void
classify(struct tracer *t, pid_t pid, int status, struct stop_info *st)
{
	memset(st, 0, sizeof(*st));
	st->status = status;
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		st->class = STOP_DEATH;
		return;
	}
	st->sig = WSTOPSIG(status);
	if ((unsigned)status >> 16)
		st->class = classify_event(t, pid, (int)((unsigned)status >> 16), st);
	else if (st->sig == (SIGTRAP | 0x80))
		st->class = read_syscall(pid, st) ? st->class : STOP_OTHER;
	else
		st->class = STOP_SIGNAL;
}

/*
 * A stop signal the terminal sent (SI_KERNEL: Ctrl-Z, a background read
 * or write) to procwatch's own process group stopped procwatch too: if
 * procwatch stopped since it last let this task run, the task's stop
 * waited in waitpid while procwatch was stopped, and came with that same
 * signal; it happened when procwatch stopped, not now (signals.c).  A
 * task in another group (a job of a traced shell) got a signal of its
 * own, which did not stop procwatch.
 */
static void
stamp_at_self_stop(const struct tracer *t, const struct task *task, struct pw_event *ev)
{
	struct timespec at;

	if (task->self_stops_at_resume == signals_self_stops() ||
	    getpgid(task->tid) != getpgrp())
		return;
	at = signals_last_self_stop();
	ev->time_us = tracer_time_at(t, &at);
}

/*
 * A signal-delivery stop: write it down (SIGCHLD excepted: every child's
 * end sends one, and the wait events already say it), then deliver it by
 * resuming with it, so handlers run and default actions happen.  A signal
 * that will kill the process makes this the last stop where its resource
 * use can be read (usage.c).
 */
static struct resume
on_signal(struct tracer *t, struct task *task, const struct stop_info *st)
{
	struct pw_event ev;
	siginfo_t si;

	if (st->sig == SIGCHLD)
		return resume_run(st->sig);
	tracer_event_init(t, &ev, PW_EV_SIGNAL, task);
	ev.u.signal.signal = st->sig;
	if (ptrace(PTRACE_GETSIGINFO, task->tid, NULL, &si) == 0) {
		ev.u.signal.code = si.si_code;
		/*
		 * si_pid means the sender only for SI_USER, SI_QUEUE, SI_TKILL,
		 * and is in the receiver's pid namespace (kernel/signal.c).
		 */
		if (si.si_code <= 0 && si.si_pid > 0) {
			ev.u.signal.sender = pidns_to_ours(task, si.si_pid);
			if (ev.u.signal.sender != si.si_pid)
				ev.u.signal.sender_ns = si.si_pid;
		}
		if (is_stop_signal(st->sig) && si.si_code == SI_KERNEL)
			stamp_at_self_stop(t, task, &ev);
	}
	tracer_emit(t, &ev);
	usage_at_signal(t, task, st->ru, st->sig);
	return resume_run(st->sig);
}

/* The one handler of each class; the task exists (but for deaths). */
static struct resume
handle(struct tracer *t, struct task **task, pid_t pid, const struct stop_info *st)
{
	switch (st->class) {
	case STOP_SECCOMP:
	case STOP_SYSCALL_ENTRY:
		return on_syscall_entry(t, *task, st);
	case STOP_SYSCALL_EXIT:
		return on_syscall_exit(t, *task, st);
	case STOP_SPAWN_EVENT:
		return on_spawn_event(t, *task, st);
	case STOP_EXEC_EVENT:
		return on_exec_event(t, task, st);
	case STOP_TASK_START:
		return on_task_start(t, *task);
	case STOP_GROUP:
		/*
		 * PTRACE_LISTEN keeps the task stopped, so that SIGSTOP really
		 * stops it, while letting us hear of its SIGCONT.
		 */
		return resume_as(RESUME_LISTEN);
	case STOP_SIGNAL:
		return on_signal(t, *task, st);
	case STOP_DEATH: {
		struct resume r = on_death(t, *task, pid, st);

		*task = NULL;	/* forgotten */
		return r;
	}
	case STOP_OTHER:
	case STOP_CLASSES:
		break;
	}
	return resume_run(0);
}

/*
 * A failed resume: ESRCH means the task is gone (killed by SIGKILL under
 * us), and its death report follows.  Anything else is procwatch's bug or
 * a kernel it does not know: said once, the run goes on.
 */
static void
resume_failed(struct tracer *t, pid_t tid, const char *op)
{
	if (errno == ESRCH || t->resume_failed)
		return;
	t->resume_failed = true;
	pw_warn("%s of task %d failed: %s; some events may be missing", op,
		(int)tid, strerror(errno));
}

/*
 * Under the filter a task runs with PTRACE_CONT until the filter stops it
 * again; PTRACE_SYSCALL while it is inside a call whose exit we want or
 * watches a restart, and always without the filter, where every syscall
 * stops.
 */
static bool
wants_syscall_stops(const struct tracer *t, const struct task *task)
{
	return !t->seccomp || task->in_call != PW_CALL_NONE || task->interrupted ||
	       task->cwd_call;
}

/* The one place that lets a stopped tracee go on. */
static void
resume(struct tracer *t, struct task *task, pid_t tid, struct resume r)
{
	long op;

	switch (r.op) {
	case RESUME_GONE:
		return;
	case RESUME_HOLD:
		task->held = true;
		return;
	case RESUME_LISTEN:
		if (task)
			task->self_stops_at_resume = signals_self_stops();
		if (ptrace(PTRACE_LISTEN, tid, NULL, NULL) < 0)
			resume_failed(t, tid, "PTRACE_LISTEN");
		return;
	case RESUME_DETACH:
		/* A group-stopped task stays stopped (ptrace(2), PTRACE_DETACH). */
		if (ptrace(PTRACE_DETACH, tid, NULL, (void *)(long)r.sig) < 0)
			resume_failed(t, tid, "PTRACE_DETACH");
		t->detached_any = true;
		if (task)
			task_forget(t, task);
		return;
	case RESUME_RUN:
		break;
	}
	if (task) {
		task->held = false;
		task->self_stops_at_resume = signals_self_stops();
	}
	op = task && !wants_syscall_stops(t, task) ? PTRACE_CONT : PTRACE_SYSCALL;
	if (!task && t->seccomp)
		op = PTRACE_CONT;
	if (ptrace((enum __ptrace_request)op, tid, NULL, (void *)(long)r.sig) < 0)
		resume_failed(t, tid, op == PTRACE_CONT ? "PTRACE_CONT" : "PTRACE_SYSCALL");
}

/*
 * While detaching (attach mode's end), every stop ends in PTRACE_DETACH:
 * a signal-delivery stop gives its signal back, any other stop none (a
 * group-stopped task then stays stopped, as it was found).
 */
static struct resume
detach_instead(const struct stop_info *st, struct resume r)
{
	if (r.op == RESUME_GONE)
		return r;
	return (struct resume){ RESUME_DETACH, st->class == STOP_SIGNAL ? st->sig : 0 };
}

/* Lets go of the held tasks the last handler released. */
static void
resume_released(struct tracer *t)
{
	size_t i;

	for (i = 0; i < t->nreleased; i++) {
		struct task *task = task_find(t, t->released[i]);

		if (task && task->held)
			resume(t, task, task->tid, t->detaching ? resume_as(RESUME_DETACH)
								 : resume_run(0));
	}
	t->nreleased = 0;
}

static void
dispatch(struct tracer *t, const struct stop *s)
{
	pid_t pid = s->pid;
	int status = s->status;
	struct task *task = task_find(t, pid);
	struct stop_info st;
	struct resume r;

	if (!WIFEXITED(status) && !WIFSIGNALED(status) && !WIFSTOPPED(status))
		return;
	if (WIFSTOPPED(status))
		tracee_mem_begin(&t->mem, pid);	/* it ran since its last stop */
	classify(t, pid, status, &st);
	st.ru = s->has_ru ? &s->ru : NULL;
	t->stats.stops[st.class]++;
	if (!task && st.class != STOP_DEATH && !(task = task_add(t, pid))) {
		/* No memory for it: it runs on untraced by us, its events lost. */
		t->lost++;
		resume(t, NULL, pid, resume_run(0));
		return;
	}
	if (task && task->attach_pending)
		attach_first_stop(t, task);
	if (task && !task->started) {
		task->started = true;
		/* Its creator's fork event is still to come (kernel/fork.c). */
		if (!task->tgid)
			t->stats.early_children++;
	}
	r = handle(t, &task, pid, &st);
	if (t->detaching)
		r = detach_instead(&st, r);
	resume(t, task, task ? task->tid : pid, r);
	resume_released(t);
}

static void
interrupt_one(pid_t tid, void *value, void *data)
{
	struct task *task = value;
	struct tracer *t = data;

	if (task->held) {
		/* Stopped by us already: nothing more will come from it. */
		task_release(t, task);
		return;
	}
	/* Running or listening: it reports a stop, which then detaches it. */
	ptrace(PTRACE_INTERRUPT, tid, NULL, NULL);
}

/*
 * Attach mode was asked to stop: from now on every stop detaches its task
 * (detach_instead).  The held tasks are stopped already and go at once;
 * the others are interrupted so that each reports a stop soon.  waitpid's
 * ECHILD then says the last one is gone.
 */
static void
start_detaching(struct tracer *t)
{
	t->detaching = true;
	pw_pidmap_each(&t->tasks, interrupt_one, t);
	resume_released(t);
	pw_pidmap_destroy(&t->parked);
	pw_pidmap_init(&t->parked);
}

/*
 * waitpid, with the process's resource use when usage.c asks for it:
 * wait4 then runs getrusage(RUSAGE_BOTH) on the task it reports (kernel/
 * exit.c, wait_task_stopped and wait_task_zombie).
 */
static pid_t
wait_one(const struct tracer *t, struct stop *s, int options)
{
	s->has_ru = usage_wanted_with_stops(t);
	s->pid = wait4(-1, &s->status, __WALL | options, s->has_ru ? &s->ru : NULL);
	return s->pid;
}

/* Adds every stop that is ready now to the batch; returns the new count. */
static size_t
drain_ready(const struct tracer *t, struct stop *batch, size_t n)
{
	while (n < BATCH_MAX && wait_one(t, &batch[n], WNOHANG) > 0)
		n++;
	return n;
}

/*
 * procwatch's own stopping signals (signals.c) read the task table when
 * they come while attached, or once the command has ended: then they are
 * let in only while the loop waits, never while it changes the table.
 * Before that, all they do is pass the signal on, which is safe anytime,
 * and the two sigprocmask calls per wake-up are saved.
 */
static pid_t
wait_next(struct tracer *t, struct stop *s)
{
	bool guarded = t->policy->detach_on_stop || t->root_ended;
	pid_t pid;

	if (guarded)
		signals_allow();
	pid = wait_one(t, s, 0);
	if (guarded)
		signals_hold();
	if (t->policy->detach_on_stop && !t->detaching && signals_stop_requested())
		start_detaching(t);
	return pid;
}

void
tracer_loop(struct tracer *t)
{
	struct stop batch[BATCH_MAX];
	unsigned long wakes = 0;
	size_t n, i;

	for (;;) {
		if (wait_next(t, &batch[0]) < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				pw_warn("waitpid: %s", strerror(errno));
			return;
		}
		n = 1;
		if (++wakes % DRAIN_EVERY == 0)
			n = drain_ready(t, batch, n);
		for (i = 0; i < n; i++)
			dispatch(t, &batch[i]);
		if (t->parked.count && !t->spawns_in_flight) {
			release_parked(t);
			resume_released(t);
		}
	}
}
