/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The wait loop: waitpid(-1, __WALL) for the next stop, and every few
 * wake-ups a drain of all the ready stops with WNOHANG before dispatching
 * them, each stop ending with exactly one ptrace call that resumes the task.
 * The drain keeps one busy task from starving the others (strace commit
 * e0f0071b3); it is periodic because every waitpid walks all of the
 * tracer's children and tracees in the kernel (do_wait), and the drain's
 * last, empty call doubled that cost per stop with 2000 live tasks.  A
 * ready task waits at most DRAIN_EVERY wake-ups.  __WALL is needed to see
 * threads and clone children whose exit signal is not SIGCHLD.  The loop ends only when
 * waitpid says ECHILD: a parent may exit before its child's first stop is
 * reported, so a count of known tasks reaching zero proves nothing.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "procwatch/tracer.h"
#include "tracer_internal.h"

#ifndef AUDIT_ARCH_X86_64
#define AUDIT_ARCH_X86_64 0xc000003eu
#endif

#define BATCH_MAX 256
#define DRAIN_EVERY 16

struct stop {
	pid_t pid;
	int status;
};

/*
 * Resume with PTRACE_SYSCALL while the task is inside a syscall whose exit
 * we want (and always without the filter, where every syscall stops);
 * otherwise PTRACE_CONT, so the task runs until the filter stops it again.
 * ESRCH means the task died under us (SIGKILL): its death report follows.
 */
void
tracer_resume(struct tracer *t, struct task *task, int sig)
{
	bool want_syscalls = !t->seccomp || task->in_call != PW_CALL_NONE ||
			     task->interrupted;
	int op = want_syscalls ? PTRACE_SYSCALL : PTRACE_CONT;

	ptrace(op, task->tid, NULL, (void *)(long)sig);
}

static bool
get_syscall(pid_t tid, struct __ptrace_syscall_info *info, struct pw_syscall *sc)
{
	long n = ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(*info), info);
	int i;

	if (n <= 0 || info->arch != AUDIT_ARCH_X86_64)
		return false;	/* gone, or a 32-bit syscall we do not decode */
	memset(sc, 0, sizeof(*sc));
	if (info->op == PTRACE_SYSCALL_INFO_ENTRY || info->op == PTRACE_SYSCALL_INFO_SECCOMP) {
		/* The seccomp member has the entry member's layout (ptrace(2)). */
		sc->nr = (long)info->entry.nr;
		for (i = 0; i < 6; i++)
			sc->args[i] = info->entry.args[i];
	} else if (info->op == PTRACE_SYSCALL_INFO_EXIT) {
		sc->rval = info->exit.rval;
	} else {
		return false;
	}
	return true;
}

static void
on_syscall_stop(struct tracer *t, struct task *task)
{
	struct __ptrace_syscall_info info;
	struct pw_syscall sc;

	if (!get_syscall(task->tid, &info, &sc)) {
		t->stats.stops[STOP_OTHER]++;
		return;
	}
	t->stats.stops[info.op == PTRACE_SYSCALL_INFO_EXIT ? STOP_SYSCALL_EXIT
		       : info.op == PTRACE_SYSCALL_INFO_SECCOMP ? STOP_SECCOMP
		       : STOP_SYSCALL_ENTRY]++;
	if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
		on_syscall_exit(t, task, sc.rval);
		return;
	}
	task->last_nr = sc.nr;
	if (info.op == PTRACE_SYSCALL_INFO_SECCOMP &&
	    info.seccomp.ret_data != t->filter_data) {
		on_foreign_seccomp(t, task, &sc);
		return;
	}
	/*
	 * Under the filter a traced call stops twice when PTRACE_SYSCALL is in
	 * force: at the syscall-entry stop and then at the seccomp stop (Linux
	 * >= 4.8 runs seccomp after the entry stop).  Decode it once, at the
	 * seccomp stop.
	 */
	if (info.op == PTRACE_SYSCALL_INFO_SECCOMP || !t->seccomp)
		on_syscall_entry(t, task, &sc);
}

/*
 * A signal-delivery stop: write it down (SIGCHLD excepted: every child's
 * end sends one, and the wait events already say it), then deliver it by
 * resuming with it, so handlers run and default actions happen.
 */
static void
on_signal_stop(struct tracer *t, struct task *task, int sig)
{
	struct pw_event ev;
	siginfo_t si;

	t->stats.stops[STOP_SIGNAL]++;
	if (sig != SIGCHLD) {
		tracer_event_init(t, &ev, PW_EV_SIGNAL, task);
		ev.u.signal.signal = sig;
		/* si_pid means the sender only for SI_USER, SI_QUEUE, SI_TKILL. */
		if (ptrace(PTRACE_GETSIGINFO, task->tid, NULL, &si) == 0) {
			ev.u.signal.code = si.si_code;
			/* si_pid is in the receiver's pid namespace (kernel/signal.c). */
			if (si.si_code <= 0 && si.si_pid > 0) {
				ev.u.signal.sender = pidns_to_ours(task, si.si_pid);
				if (ev.u.signal.sender != si.si_pid)
					ev.u.signal.sender_ns = si.si_pid;
			}
		}
		tracer_emit(t, &ev);
	}
	tracer_resume(t, task, sig);
}

static bool
is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static unsigned long
event_message(pid_t tid)
{
	unsigned long msg = 0;

	ptrace(PTRACE_GETEVENTMSG, tid, NULL, &msg);
	return msg;
}

/*
 * Handles a fork event, or with PROCWATCH_TEST_DEFER_SPAWN holds it (the
 * creator stays stopped) until the child's first stop has been seen, so
 * that the tests can make the kernel's rarer order happen every time.
 */
static bool
defer_spawn_event(struct tracer *t, struct task *task, pid_t child)
{
	struct task *c = task_find(t, child);

	if (t->defer_spawn_events && !(c && c->started) &&
	    pw_pidmap_put(&t->deferred, child, (void *)(long)task->tid) == 0)
		return true;
	on_spawn_event(t, task, child);
	return false;
}

/* The child of a held fork event has stopped or died: let the event go. */
static void
release_deferred(struct tracer *t, pid_t child)
{
	void *creator = pw_pidmap_remove(&t->deferred, child);
	struct task *task = creator ? task_find(t, (pid_t)(long)creator) : NULL;

	if (!task)
		return;
	on_spawn_event(t, task, child);
	tracer_resume(t, task, 0);
}

/* Stops that are not syscall or signal-delivery stops: status >> 16 says which. */
static void
on_event_stop(struct tracer *t, struct task *task, int event, int sig)
{
	switch (event) {
	case PTRACE_EVENT_SECCOMP:
		on_syscall_stop(t, task);
		break;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		t->stats.stops[STOP_SPAWN_EVENT]++;
		task->spawn_event = event;
		if (defer_spawn_event(t, task, (pid_t)event_message(task->tid)))
			return;
		break;
	case PTRACE_EVENT_EXEC:
		t->stats.stops[STOP_EXEC_EVENT]++;
		task = on_exec_event(t, task->tid, (pid_t)event_message(task->tid));
		if (!task)
			return;
		break;
	case PTRACE_EVENT_STOP:
		/*
		 * Under PTRACE_SEIZE a group-stop is reported as
		 * PTRACE_EVENT_STOP with the stopping signal; PTRACE_LISTEN
		 * keeps the task stopped (so SIGSTOP really stops it) while
		 * letting us hear of SIGCONT.  With SIGTRAP it is a new
		 * child's first stop or our PTRACE_INTERRUPT: just resume.
		 */
		if (is_stop_signal(sig)) {
			t->stats.stops[STOP_GROUP]++;
			ptrace(PTRACE_LISTEN, task->tid, NULL, NULL);
			return;
		}
		t->stats.stops[STOP_CHILD_START]++;
		if (!task->tgid && t->spawns_in_flight &&
		    pw_pidmap_put(&t->parked, task->tid, (void *)1) == 0) {
			release_deferred(t, task->tid);
			return;
		}
		/* Not parked (a spawn whose entry we did not see): still let a held event go. */
		release_deferred(t, task->tid);
		break;
	default:
		t->stats.stops[STOP_OTHER]++;
		break;
	}
	tracer_resume(t, task, 0);
}

static void
record_root_end(struct tracer *t, const struct pw_status *st)
{
	t->root_ended = true;
	t->root_status = *st;
	signals_root_gone(&t->tasks);
}

/*
 * A spawn or exec the task died in never returned, but the attempt (and
 * its -k stack, perhaps cut short by this very death) is worth writing;
 * a wait in progress is not.
 */
static void
finish_unfinished_call(struct tracer *t, struct task *task)
{
	struct pw_event *ev = &task->pending;

	if (task->in_call == PW_CALL_NONE)
		return;
	if (ev->kind == PW_EV_SPAWN)
		ev->u.spawn.result = PW_RESULT_UNFINISHED;
	else if (pw_event_is_exec_like(ev))
		ev->u.exec.result = PW_RESULT_UNFINISHED;
	else
		return;
	ev->time_us = tracer_now(t);
	tracer_emit(t, ev);
}

/*
 * A task's death report (WIFEXITED/WIFSIGNALED).  For a thread group
 * leader it is the process's end: the kernel holds it back until every
 * other thread is gone.  PTRACE_EVENT_EXIT is not requested: it is not
 * guaranteed under SIGKILL anyway, and the report carries the status.
 */
static void
on_death(struct tracer *t, struct task *task, int status)
{
	struct pw_event ev;
	struct pw_exit *ex = &ev.u.exit;

	finish_unfinished_call(t, task);
	tracer_event_init(t, &ev, PW_EV_EXIT, task);
	ex->thread = ev.tid != ev.pid;
	pw_status_from_wait(status, &ex->status);
	ex->call = WIFEXITED(status) ? task->exit_call : PW_CALL_NONE;
	if (!task->exit_written)
		tracer_emit(t, &ev);
	if (!ex->thread) {
		struct task *reaper = task->parent ? task_find(t, task->parent) : NULL;

		if (task->tid == t->root)
			record_root_end(t, &ex->status);
		else if (reaper)
			zombie_remember(t, task->tid, &ex->status);
		pidns_died(task, reaper ? reaper->ns : NULL, reaper != NULL);
	}
	task_forget(t, task);
}

/*
 * A death we never saw the task of: killed before its first stop was
 * reported and before its creator's fork event.  Remember the tid so that
 * the fork event does not bring back a task that will never report again.
 */
static void
on_unknown_death(struct tracer *t, pid_t tid, int status)
{
	struct task tmp = { .tid = tid, .tgid = tid };
	struct pw_event ev;

	tracer_event_init(t, &ev, PW_EV_EXIT, &tmp);
	pw_status_from_wait(status, &ev.u.exit.status);
	tracer_emit(t, &ev);
	pw_pidmap_put(&t->early_deaths, tid, (void *)1);
	release_deferred(t, tid);
}

static void
dispatch(struct tracer *t, pid_t pid, int status)
{
	struct task *task = task_find(t, pid);
	int sig, event;

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		t->stats.deaths++;
		if (task)
			on_death(t, task, status);
		else
			on_unknown_death(t, pid, status);
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	tracee_mem_begin(&t->mem, pid);	/* it ran since its last stop */
	if (!task && !(task = task_add(t, pid))) {
		t->lost++;
		ptrace(PTRACE_CONT, pid, NULL, NULL);
		return;
	}
	if (!task->started) {
		task->started = true;
		/* Its creator's fork event is still to come (research note §2.3). */
		if (!task->tgid)
			t->stats.early_children++;
	}
	sig = WSTOPSIG(status);
	event = (unsigned)status >> 16;
	if (event)
		on_event_stop(t, task, event, sig);
	else if (sig == (SIGTRAP | 0x80)) {
		on_syscall_stop(t, task);
		tracer_resume(t, task, 0);
	} else
		on_signal_stop(t, task, sig);
}

static void
resume_parked(pid_t tid, void *value, void *data)
{
	struct tracer *t = data;
	struct task *task = task_find(t, tid);

	(void)value;
	if (task)
		tracer_resume(t, task, 0);
}

/*
 * No traced task is inside a spawn call any more, so no fork event can come
 * for the parked tasks (their creator was killed before reporting it):
 * let them run unlinked.
 */
static void
release_parked(struct tracer *t)
{
	pw_pidmap_each(&t->parked, resume_parked, t);
	pw_pidmap_destroy(&t->parked);
	pw_pidmap_init(&t->parked);
}

/* Adds every stop that is ready now to the batch; returns the new count. */
static size_t
drain_ready(struct stop *batch, size_t n)
{
	int status;
	pid_t pid;

	while (n < BATCH_MAX && (pid = waitpid(-1, &status, __WALL | WNOHANG)) > 0)
		batch[n++] = (struct stop){ pid, status };
	return n;
}

static void
run_loop(struct tracer *t)
{
	struct stop batch[BATCH_MAX];
	unsigned long wakes = 0;
	size_t n, i;
	int status;
	pid_t pid;

	for (;;) {
		/* See signals.c: after the command's end, stop only around the wait. */
		if (t->root_ended)
			signals_allow();
		pid = waitpid(-1, &status, __WALL);
		if (t->root_ended)
			signals_hold();
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				fprintf(stderr, "procwatch: waitpid: %s\n", strerror(errno));
			return;
		}
		batch[0] = (struct stop){ pid, status };
		n = 1;
		if (++wakes % DRAIN_EVERY == 0)
			n = drain_ready(batch, n);
		for (i = 0; i < n; i++)
			dispatch(t, batch[i].pid, batch[i].status);
		if (t->parked.count && !t->spawns_in_flight)
			release_parked(t);
	}
}

static void
emit_start(struct tracer *t)
{
	struct pw_event ev;
	struct task *root = task_find(t, t->root);
	size_t argc = 0;

	while (t->opts->command[argc])
		argc++;
	tracer_event_init(t, &ev, PW_EV_START, root);
	ev.u.start.argv = t->opts->command;
	ev.u.start.argc = argc;
	ev.u.start.attach = false;
	ev.u.start.seccomp = t->seccomp;
	ev.u.start.version = PW_VERSION;
	ev.u.start.tracer = getpid();
	tracer_emit(t, &ev);
}

static void
emit_end(struct tracer *t)
{
	struct task tmp = { .tid = t->root, .tgid = t->root };
	struct pw_event ev;

	tracer_event_init(t, &ev, PW_EV_END, &tmp);
	ev.u.end.status = t->root_status;
	ev.u.end.lost = t->lost;
	/* The end event itself cannot be counted as lost any more. */
	tracer_emit(t, &ev);
}

static bool
env_flag(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") != 0;
}

/* -k: refused before anything runs if this procwatch cannot take stacks. */
static int
start_unwinder(struct tracer *t)
{
	const char *why = NULL, *kill_at = getenv("PROCWATCH_TEST_KILL_UNWOUND");

	t->test_kill_unwound = kill_at && *kill_at ? atol(kill_at) : -1;
	if (!t->opts->stack_depth)
		return 0;
	t->unwinder = pw_unwinder_new(t->opts->stack_depth, &why);
	if (t->unwinder)
		return 0;
	fprintf(stderr, "procwatch: -k: stack traces are unavailable: %s\n", why);
	return PW_EXIT_FAILURE;
}

/* PROCWATCH_STATS=1: how often and why the tracees stopped, on stderr. */
static void
print_stats(const struct tracer *t)
{
	static const char *const names[STOP_KINDS] = {
		[STOP_SECCOMP] = "seccomp",
		[STOP_SYSCALL_ENTRY] = "syscall-entry",
		[STOP_SYSCALL_EXIT] = "syscall-exit",
		[STOP_SPAWN_EVENT] = "spawn-event",
		[STOP_EXEC_EVENT] = "exec-event",
		[STOP_CHILD_START] = "child-start",
		[STOP_GROUP] = "group-stop",
		[STOP_SIGNAL] = "signal",
		[STOP_OTHER] = "other",
	};
	unsigned long total = 0;
	int i;

	if (!env_flag("PROCWATCH_STATS"))
		return;
	for (i = 0; i < STOP_KINDS; i++)
		total += t->stats.stops[i];
	fprintf(stderr, "procwatch: stats: stops=%lu", total);
	for (i = 0; i < STOP_KINDS; i++)
		fprintf(stderr, " %s=%lu", names[i], t->stats.stops[i]);
	fprintf(stderr, " early-children=%lu deaths=%lu",
		t->stats.early_children, t->stats.deaths);
	fprintf(stderr, " mem-reads=%lu mem-pages=%lu mem-peeks=%lu",
		t->mem.stats.reads, t->mem.stats.pages, t->mem.stats.peeks);
	if (t->unwinder)
		fprintf(stderr, " stacks=%lu stack-us=%llu", t->stats.stacks,
			(unsigned long long)(t->stats.stack_ns / 1000));
	putc('\n', stderr);
}

static void
tracer_destroy(struct tracer *t)
{
	tasks_destroy(t);
	tracee_mem_free(&t->mem);
	pw_unwinder_free(t->unwinder);
	if (t->child_error_fd >= 0)
		close(t->child_error_fd);
}

static int
command_status(const struct tracer *t, int *killed_by)
{
	const struct pw_status *st = &t->root_status;

	if (st->kind == PW_STATUS_KILLED) {
		*killed_by = st->signal;
		return 128 + st->signal;
	}
	return st->kind == PW_STATUS_EXITED ? st->code : PW_EXIT_FAILURE;
}

int
pw_trace_command(const struct pw_options *opts, struct pw_sink *sink,
		 int *killed_by)
{
	struct tracer t;
	struct task *root;
	int status;

	memset(&t, 0, sizeof(t));
	t.opts = opts;
	t.sink = sink;
	t.seccomp = opts->seccomp;
	t.filter_data = seccomp_filter_data();
	t.child_error_fd = -1;
	t.limits.max_args = PW_EXEC_MAX_ARGS_DEFAULT;
	t.limits.max_bytes = PW_EXEC_MAX_BYTES_DEFAULT;
	pw_pidmap_init(&t.tasks);
	pw_pidmap_init(&t.zombies);
	pw_pidmap_init(&t.early_deaths);
	pw_pidmap_init(&t.parked);
	pw_pidmap_init(&t.deferred);
	pidns_init(&t);
	t.defer_spawn_events = env_flag("PROCWATCH_TEST_DEFER_SPAWN");
	clock_gettime(CLOCK_MONOTONIC, &t.start);
	*killed_by = 0;

	status = start_unwinder(&t);
	if (!status && tracee_mem_init(&t.mem, &tracee_io_kernel) < 0) {
		fprintf(stderr, "procwatch: %s\n", strerror(ENOMEM));
		status = PW_EXIT_FAILURE;
	}
	if (!status)
		status = launch_command(&t, opts->command);
	if (status) {
		tracer_destroy(&t);
		return status;
	}
	root = task_add(&t, t.root);
	if (root) {
		root->tgid = t.root;
		root->parent = getpid();
	}
	signals_setup_tracer(t.root);
	emit_start(&t);
	run_loop(&t);
	emit_end(&t);
	print_stats(&t);
	status = launch_failure_status(&t, opts->command);
	if (status < 0)
		status = command_status(&t, killed_by);
	tracer_destroy(&t);
	return status;
}
