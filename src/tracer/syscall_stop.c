/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What happens at each stop of a traced syscall.  An entry is decoded into
 * the task's pending event; the event is written once the outcome is known:
 * at PTRACE_EVENT_FORK/VFORK/CLONE or PTRACE_EVENT_EXEC for a success
 * (ptrace_event.c; the task then goes on with PTRACE_CONT, which skips the
 * syscall-exit stop), at the syscall-exit stop for a failure or a wait's
 * result.  exit and exit_group never return (ptrace(2): no syscall-exit
 * stop): the exit is written at their entry.  The handlers here only
 * record; loop.c resumes the task.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procwatch/linux_compat.h"
#include "tracer_internal.h"

/*
 * The kernel-internal restart codes (ERESTARTSYS...: procwatch/linux_compat.h) are
 * seen at the syscall-exit stop of an interrupted call; the program never
 * sees them: the call is restarted or returns EINTR once the signal is
 * handled.
 */
static bool
is_restart(long rval)
{
	return rval == -ERESTARTSYS || rval == -ERESTARTNOINTR ||
	       rval == -ERESTARTNOHAND || rval == -ERESTART_RESTARTBLOCK;
}

/*
 * fexecve(3) is execveat(fd, "", argv, envp, AT_EMPTY_PATH): the path says
 * nothing, the fd names the file.  Read the link at entry, while the fd is
 * still open (it may be close-on-exec).
 */
static void
resolve_empty_path(struct task *task, struct pw_exec *ex)
{
	char name[32];

	if (ex->call != PW_CALL_EXECVEAT || !(ex->at_flags & AT_EMPTY_PATH) ||
	    !ex->path.data || ex->path.len != 0)
		return;
	snprintf(name, sizeof(name), "fd/%d", ex->dirfd);
	procfs_task_link(task->tid, name, &ex->path);
}

/*
 * -k: the caller's stack, taken at the entry while the tracee is stopped
 * and, for an exec, while the old program is still there to be read.
 */
static void
take_stack(struct tracer *t, struct task *task, struct pw_stack *out)
{
	struct timespec start, end;

	/* procwatch's own exec of the command: its stack is ours, not theirs. */
	if (!t->unwinder || (task->tid == t->root && !t->root_launched))
		return;
	if (t->test_kill_unwound >= 0 && out == &task->pending.u.exec.stack &&
	    task_tgid(task) != t->root) {
		pw_unwinder_test_kill(t->unwinder, (unsigned)t->test_kill_unwound);
		t->test_kill_unwound = -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	pw_unwind_stack(t->unwinder, tracee_mem_unwinder(&t->mem, task->tid), out);
	clock_gettime(CLOCK_MONOTONIC, &end);
	t->stats.stacks++;
	t->stats.stack_ns += (uint64_t)((end.tv_sec - start.tv_sec) * 1000000000LL +
					(end.tv_nsec - start.tv_nsec));
}

static void
begin_call(struct tracer *t, struct task *task, enum pw_call call,
	   const struct pw_syscall *sc)
{
	struct pw_mem *mem = tracee_mem_decoder(&t->mem, task->tid);
	struct pw_event *ev = &task->pending;

	pw_event_clear(ev);
	task->exec_argc = 0;
	if (pw_call_is_spawn(call)) {
		tracer_event_init(t, ev, PW_EV_SPAWN, task);
		pw_decode_spawn_entry(sc, mem, &ev->u.spawn);
		take_stack(t, task, &ev->u.spawn.stack);
	} else if (pw_call_is_exec(call)) {
		tracer_event_init(t, ev, PW_EV_EXEC, task);
		/* argv after the outcome: from the image that holds it then. */
		task->exec_argc = pw_decode_exec_entry_head(sc, mem, &t->limits, &ev->u.exec);
		if (t->opts.env)
			pw_decode_exec_env(sc, mem, &t->limits, &ev->u.exec.env);
		/* Linux 6.14: a check of the file that executes nothing. */
		if (ev->u.exec.call == PW_CALL_EXECVEAT &&
		    (ev->u.exec.at_flags & AT_EXECVE_CHECK))
			ev->kind = PW_EV_EXEC_CHECK;
		resolve_empty_path(task, &ev->u.exec);
		/* Where a relative path and the new program start from. */
		cwd_read(t, task, &ev->u.exec.cwd);
		take_stack(t, task, &ev->u.exec.stack);
	} else {
		tracer_event_init(t, ev, PW_EV_WAIT, task);
		pw_decode_wait_entry(sc, &ev->u.wait);
	}
	task_enter_call(t, task, call);
	task->entry = *sc;
}

/*
 * A task in an interrupted wait entered a traced call.  The same call with
 * the same arguments before any rt_sigreturn said EINTR is the kernel's
 * restart (no handler ran, or SA_RESTART): only the restarted call's result
 * counts.  Any other call comes from the signal handler; the verdict waits.
 */
static void
check_restart(struct task *task, const struct pw_syscall *sc)
{
	if (sc->nr == task->suspended_entry.nr &&
	    !memcmp(sc->args, task->suspended_entry.args, sizeof(sc->args))) {
		task->interrupted = false;
		pw_event_clear(&task->suspended);
	}
}

/*
 * rt_sigreturn returns the register the signal frame saved: -EINTR when the
 * handler's signal ended the call (no SA_RESTART, or ERESTARTNOHAND), the
 * syscall number when the kernel rewound it for a restart (arch/x86/kernel/
 * signal.c, handle_signal).
 */
static void
on_sigreturn_exit(struct tracer *t, struct task *task, long rval)
{
	if (rval != -EINTR)
		return;
	task->interrupted = false;
	task->suspended.u.wait.result = -EINTR;
	task->suspended.time_us = tracer_now(t);
	tracer_emit(t, &task->suspended);
}

/* status: /proc/TID/status, read here; unreadable counts as alone. */
static bool
is_only_thread(pid_t tid, char *status, size_t size)
{
	unsigned long long n;

	return !procfs_status_text(tid, status, size) ||
	       !procfs_status_number(status, "Threads", 10, &n) || n <= 1;
}

/*
 * exit and exit_group never return, and the code is in the register now.
 * Writing the exit here rather than at the death report keeps the order
 * of events true: the death report comes only after the task has closed
 * its files, so a process waiting for that EOF could otherwise be seen
 * ending first.  A leader that calls exit while other threads run stays a
 * zombie whose final status the last thread decides: that one waits for
 * the death report.  A call that ends the process is also the last moment
 * its resource use can be read (usage.c), kept for whichever writes its
 * exit: this entry, or the leader's death report.
 */
static void
on_exit_entry(struct tracer *t, struct task *task, enum pw_call call,
	      const struct pw_syscall *sc, const struct rusage *ru)
{
	char status[4096];
	struct pw_usage usage = { 0 };
	struct pw_event ev;
	bool leader = task->tid == task_tgid(task);

	task->exit_call = call;
	status[0] = '\0';
	if (call == PW_CALL_EXIT && leader && !is_only_thread(task->tid, status, sizeof(status)))
		return;
	if (call == PW_CALL_EXIT_GROUP || leader)
		usage = usage_at_exit(t, task, ru, status[0] ? status : NULL);
	/* Its own filter may still fail the call (see struct task). */
	if (task->own_filter)
		return;
	tracer_event_init(t, &ev, PW_EV_EXIT, task);
	ev.u.exit.thread = ev.tid != ev.pid;
	ev.u.exit.status.kind = PW_STATUS_EXITED;
	ev.u.exit.status.code = pw_decode_exit_code(sc);
	ev.u.exit.call = call;
	if (!ev.u.exit.thread)
		ev.u.exit.usage = usage;
	tracer_emit(t, &ev);
	task->exit_written = true;
}

/*
 * Without our filter every call stops here, including the ones that give
 * the task a seccomp filter of its own (seccomp(2), prctl(2)
 * PR_SET_SECCOMP).  SECCOMP_FILTER_FLAG_TSYNC gives it to every thread of
 * the process; without it, threads the task creates later inherit it
 * (kernel/fork.c, copy_seccomp).  Marked at the entry: a mark the call
 * then refuses only costs the exit ordering (struct task, own_filter).
 */
static void
note_own_filter(struct tracer *t, struct task *task, const struct pw_syscall *sc)
{
	bool tsync;

	if (sc->nr == SYS_seccomp && sc->args[0] == SECCOMP_SET_MODE_FILTER)
		tsync = sc->args[1] & SECCOMP_FILTER_FLAG_TSYNC;
	else if (sc->nr == SYS_prctl && sc->args[0] == PR_SET_SECCOMP &&
		 sc->args[1] == SECCOMP_MODE_FILTER)
		tsync = false;
	else
		return;
	task->own_filter = true;
	if (tsync)
		tasks_mark_own_filter(t, task_tgid(task));
}

/* A traced call's entry, under PTRACE_SYSCALL (not a seccomp stop). */
static void
syscall_entry(struct tracer *t, struct task *task, const struct stop_info *st)
{
	const struct pw_syscall *sc = &st->sc;
	enum pw_call call = pw_call_from_nr(sc->nr);

	if (!t->seccomp)
		note_own_filter(t, task, sc);
	if (call == PW_CALL_NONE) {
		pidns_note_call(task, sc);
		cwd_note_call(t, task, sc);
		return;
	}
	if (task->interrupted)
		check_restart(task, sc);
	if (pw_call_is_spawn(call) || pw_call_is_exec(call) || pw_call_is_wait(call))
		begin_call(t, task, call, sc);
	else
		on_exit_entry(t, task, call, sc, st->ru);
}

static void
end_spawn(struct tracer *t, struct task *task, long rval)
{
	struct pw_event *ev = &task->pending;

	/* fork/clone interrupted by a signal always restart (ERESTARTNOINTR). */
	if (is_restart(rval)) {
		pw_event_clear(ev);
		return;
	}
	/*
	 * Success without a fork event: CLONE_UNTRACED, which no tracer can
	 * override (ptrace(2), PTRACE_O_TRACECLONE), so the child is not
	 * followed; written all the same, with its pid (pw_spawn_untraced).
	 * A caller in another pid namespace gives the pid of its own, which
	 * names nothing in ours: kept as result_ns.
	 */
	ev->u.spawn.result = rval;
	if (task->ns && rval > 0)
		ev->u.spawn.result_ns = rval;
	ev->u.spawn.parent = task_spawn_parent(t, task, &ev->u.spawn);
	ev->time_us = tracer_now(t);
	tracer_emit(t, ev);
}

/*
 * A pid as the waiter passed it: a pid, -pgid (a group's id is its
 * leader's pid), or -1, 0 and P_ALL/P_PGID 0 (any child, the caller's
 * group), which mean the same in every namespace.
 */
static long
target_to_ours(const struct task *task, const struct pw_wait *w)
{
	long v = w->target;

	if (w->call == PW_CALL_WAITID)
		return w->idtype == P_PID || w->idtype == P_PGID ?
		       pidns_to_ours(task, (pid_t)v) : v;
	if (v < -1 && v > INT_MIN)
		return -(long)pidns_to_ours(task, (pid_t)-v);
	return pidns_to_ours(task, (pid_t)v);
}

/* The waiter's ids in ours; its own values kept beside them (pidns.c). */
static void
wait_to_our_ids(const struct task *task, struct pw_wait *w)
{
	long target, result;

	if (!task->ns)
		return;
	target = target_to_ours(task, w);
	if (target != w->target) {
		w->target_ns = w->target;
		w->target = target;
	}
	result = w->result > 0 ? pidns_to_ours(task, (pid_t)w->result) : w->result;
	if (result != w->result) {
		w->result_ns = w->result;
		w->result = result;
	}
}

/*
 * A wait4 that reaped a child whose death procwatch saw: the status word
 * the kernel wrote for the program is the one the death report gave us
 * (kernel/exit.c, wait_task_zombie: the same exit_code for tracer and
 * parent), so the tracee's memory need not be read for it; end_wait takes
 * it from the zombie table.  Not across pid namespaces (the result is the
 * waiter's id), nor for WNOWAIT, which leaves the zombie in the table.
 */
static bool
status_known(struct tracer *t, const struct task *task, const struct pw_syscall *sc)
{
	return sc->nr == SYS_wait4 && sc->rval > 0 && !task->ns &&
	       !(sc->args[2] & WNOWAIT) && pw_pidmap_get(&t->zombies, (pid_t)sc->rval);
}

static void
end_wait(struct tracer *t, struct task *task, long rval)
{
	struct pw_event *ev = &task->pending;
	struct pw_wait *w = &ev->u.wait;
	struct pw_syscall sc = task->entry;

	if (is_restart(rval)) {
		pw_event_clear(&task->suspended);
		task->suspended = *ev;
		task->suspended_entry = task->entry;
		memset(ev, 0, sizeof(*ev));
		task->interrupted = true;
		return;
	}
	sc.rval = rval;
	if (status_known(t, task, &sc))
		sc.args[1] = 0;		/* the status pointer: not read */
	pw_decode_wait_exit(&sc, tracee_mem_decoder(&t->mem, task->tid), w);
	wait_to_our_ids(task, w);
	/*
	 * wait(NULL) reaps without telling the program the status, but the
	 * death report told us; WNOWAIT leaves the child waitable.
	 */
	if (w->result > 0)
		usage_note_reap(t, task);
	if (w->result > 0 && !(w->options & WNOWAIT)) {
		struct pw_status st;

		if (zombie_take(t, (pid_t)w->result, &st) && w->status.kind == PW_STATUS_NONE)
			w->status = st;
		if (w->result_ns && pw_wait_reaps(w))
			pidns_reaped(task, (pid_t)w->result_ns, (pid_t)w->result);
	}
	ev->time_us = tracer_now(t);
	tracer_emit(t, ev);
}

static void
syscall_exit(struct tracer *t, struct task *task, long rval)
{
	enum pw_call call = task->in_call;

	if (call == PW_CALL_NONE) {
		cwd_call_done(t, task, rval);
		if (task->interrupted && task->last_nr == SYS_rt_sigreturn)
			on_sigreturn_exit(t, task, rval);
		/* exit and exit_group return only when a seccomp filter failed them. */
		if (task->last_nr == SYS_exit || task->last_nr == SYS_exit_group) {
			task->exit_call = PW_CALL_NONE;
			usage_forget(t, task);
		}
		return;
	}
	task_leave_call(t, task);
	if (pw_call_is_spawn(call)) {
		end_spawn(t, task, rval);
	} else if (pw_call_is_exec(call)) {
		/*
		 * A successful exec was written at PTRACE_EVENT_EXEC.  Here the
		 * old image is still the caller's, as at the entry (fs/exec.c:
		 * past the point of no return an exec does not fail, it
		 * kills): the argv the call was given is read now.
		 */
		if (task->exec_argc)
			pw_decode_exec_argv(&task->entry, tracee_mem_decoder(&t->mem, task->tid),
					    &t->limits, &task->pending.u.exec);
		task->exec_argc = 0;
		task->pending.u.exec.result = rval;
		task->pending.time_us = tracer_now(t);
		tracer_emit(t, &task->pending);
	} else {
		end_wait(t, task, rval);
	}
}

/*
 * x86-64 syscall stops: orig_rax says which call runs, rax what it returns
 * (struct user_regs_struct, arch/x86/include/asm/user_64.h).
 */
static void
skip_syscall(pid_t tid, long rval)
{
	ptrace(PTRACE_POKEUSER, tid,
	       (void *)offsetof(struct user_regs_struct, orig_rax), (void *)-1L);
	ptrace(PTRACE_POKEUSER, tid,
	       (void *)offsetof(struct user_regs_struct, rax), (void *)rval);
}

/*
 * A seccomp stop whose data is not ours: the program's own filter said
 * SECCOMP_RET_TRACE.  Had no tracer asked for such stops (untraced, or
 * under --no-seccomp, which does not set PTRACE_O_TRACESECCOMP), the kernel
 * would fail the call with ENOSYS without running it (kernel/seccomp.c,
 * __seccomp_filter); running it instead would let a program bypass its own
 * sandbox.  So fail it the same way: syscall number -1 makes the kernel
 * skip the call, and rax is what it returns.  A call procwatch records is
 * still recorded as the attempt it was, failed with ENOSYS at its exit
 * stop, exactly as --no-seccomp sees it; an exit or exit_group it failed
 * is not an exit.
 */
static void
foreign_seccomp(struct tracer *t, struct task *task, const struct pw_syscall *sc)
{
	enum pw_call call = pw_call_from_nr(sc->nr);

	if (task->interrupted)
		check_restart(task, sc);
	if (pw_call_is_spawn(call) || pw_call_is_exec(call) || pw_call_is_wait(call))
		begin_call(t, task, call, sc);
	skip_syscall(task->tid, -ENOSYS);
}

/*
 * A syscall-entry or seccomp stop.  Under the filter a traced call stops
 * twice when PTRACE_SYSCALL is in force (the task is inside a call whose
 * exit we want, or watching a restart): at the syscall-entry stop and then
 * at the seccomp stop (Linux >= 4.8 runs seccomp after the entry stop).
 * It is decoded once, at the seccomp stop.  The task goes on either way:
 * under PTRACE_SYSCALL if it now is in a call whose outcome we wait for.
 */
struct resume
on_syscall_entry(struct tracer *t, struct task *task, const struct stop_info *st)
{
	task->last_nr = st->sc.nr;
	if (st->class == STOP_SECCOMP && st->seccomp_data != t->filter_data)
		foreign_seccomp(t, task, &st->sc);
	else if (st->class == STOP_SECCOMP || !t->seccomp)
		syscall_entry(t, task, st);
	return resume_run(0);
}

struct resume
on_syscall_exit(struct tracer *t, struct task *task, const struct stop_info *st)
{
	syscall_exit(t, task, st->sc.rval);
	return resume_run(0);
}
