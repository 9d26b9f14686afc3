/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Signals sent to procwatch itself: SIGINT, SIGQUIT, SIGTERM and SIGHUP.
 * What they mean depends on the mode (struct mode_policy).
 *
 * Launch: a terminal sends Ctrl-C (SIGINT), Ctrl-\ (SIGQUIT) and a
 * hangup's SIGHUP to the whole foreground process group, which holds the
 * traced command too: procwatch must survive them and keep tracing until
 * the command decides what to do.  A signal sent to procwatch alone by
 * another process (kill PID) is passed on to the command, as timeout(1)
 * does.  Once the command has ended there is nobody to pass them on to,
 * while a daemon it left behind may run on for hours: then any of them
 * stops procwatch by killing the tasks it still traces (under the seccomp
 * filter they cannot be let go: their traced calls would fail with
 * ENOSYS).
 *
 * Attach: any of them makes procwatch let go of every process, unchanged:
 * the handler interrupts every task (PTRACE_INTERRUPT, so that each
 * reports a stop even if it sleeps for hours) and the loop detaches each as
 * it stops (loop.c).
 *
 * The handlers read the task table, which the wait loop never changes
 * while these signals can arrive: once they may read it, the loop blocks
 * the signals while it dispatches and lets them in only around waitpid.
 * So no signal is lost between a check and the wait.  The handlers are
 * installed only after the command is forked, and exec resets caught
 * signals to SIG_DFL anyway, so the command sees the dispositions
 * procwatch was started with (ignored stays ignored).
 *
 * Every other signal whose default action ends a process (signal(7):
 * SIGUSR1, SIGALRM, the real-time signals...) is one a tracee running as
 * procwatch's user may send it (kill(2) checks only the user ids).  Dying
 * of it would kill the whole command through PTRACE_O_EXITKILL, and
 * procwatch has no use for any of them, so one sent by another process is
 * dropped (stray_signals).  One procwatch raised itself (abort(3)) or a
 * fault the kernel raised (a crash) still ends it as it would have.
 *
 * Job control: Ctrl-Z (SIGTSTP), or a read or write of the terminal from
 * the background (SIGTTIN, SIGTTOU), reaches the terminal's whole
 * foreground process group, procwatch and the command alike (the tty
 * driver's kill_pgrp, drivers/tty/n_tty.c isig()).  procwatch stops as it
 * always did, but first notes when (on_stop_signal): while it is stopped
 * it cannot stamp the command's stops, which wait in waitpid until fg, and
 * without the note each would be stamped when procwatch resumed.  loop.c
 * stamps them with that time instead.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <unistd.h>

#include "tracer_internal.h"

static const int caught_signals[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP };
/* Default action "Term" or "Core" (signal(7)), but for the four above,
 * SIGKILL (cannot be caught), SIGPIPE and SIGXFSZ (ignored); plus the
 * real-time signals, added at run time. */
static const int stray_signals[] = {
	SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGIO, SIGPWR,
	SIGSTKFLT, SIGXCPU, SIGSYS, SIGTRAP, SIGILL, SIGFPE, SIGSEGV, SIGBUS,
	SIGABRT,
};
/* The disposition each stray signal had, put back for one that is ours. */
static struct sigaction stray_old[_NSIG];
static const int stop_signals[] = { SIGTSTP, SIGTTIN, SIGTTOU };
/*
 * Lock-free atomics, which a handler may write (C11 7.14.1.1p5); the
 * time is stored before the count, so that a new count has its time.
 */
static atomic_uint self_stops;
static _Atomic uint64_t self_stop_ns;	/* CLOCK_MONOTONIC */
static volatile sig_atomic_t root_pid;
static volatile sig_atomic_t attach_mode;
static volatile sig_atomic_t stop_requested;
/* Set, with the signals blocked, when the handler may read it. */
static const struct pw_pidmap *volatile task_table;

static void
kill_leftovers(const struct pw_pidmap *tasks)
{
	static const char msg[] = "procwatch: stopping: killing the processes "
				  "the command left behind\n";
	size_t i;

	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* Nothing to do about it in a signal handler. */
	}
	for (i = 0; tasks->slots && i <= tasks->mask; i++)
		if (tasks->slots[i].key)
			kill(tasks->slots[i].key, SIGKILL);
}

/* Attach: make every task report a stop, at which the loop detaches it. */
static void
interrupt_all(const struct pw_pidmap *tasks)
{
	size_t i;

	for (i = 0; tasks->slots && i <= tasks->mask; i++)
		if (tasks->slots[i].key)
			ptrace(PTRACE_INTERRUPT, tasks->slots[i].key, NULL, NULL);
}

static void
on_signal(int sig, siginfo_t *info, void *ucontext)
{
	pid_t root = root_pid;

	(void)ucontext;
	if (attach_mode) {
		stop_requested = 1;
		if (task_table)
			interrupt_all(task_table);
		return;
	}
	if (root <= 0) {
		if (task_table)
			kill_leftovers(task_table);
		return;
	}
	/*
	 * si_code > 0 (SI_KERNEL) means the kernel generated it for the tty's
	 * process group: the command got its own copy.  SI_USER, SI_QUEUE and
	 * SI_TKILL (<= 0) mean a process aimed it at procwatch: pass it on.
	 */
	if (info->si_code <= 0)
		kill(root, sig);
}

/*
 * si_code <= 0 (SI_USER, SI_QUEUE, SI_TKILL) with another sender's pid:
 * a process aimed it at procwatch; drop it.  Anything else is procwatch's
 * own (abort(3) raises SIGABRT) or the kernel's (a fault): put the old
 * disposition back and raise it again, so that it does what it would
 * have done (the default action, or a sanitizer's handler).
 */
static void
on_stray_signal(int sig, siginfo_t *info, void *ucontext)
{
	int saved_errno = errno;

	(void)ucontext;
	if (info->si_code <= 0 && info->si_pid != getpid()) {
		errno = saved_errno;
		return;
	}
	sigaction(sig, &stray_old[sig], NULL);
	raise(sig);
	errno = saved_errno;
}

static void
drop_stray(int sig)
{
	struct sigaction sa;

	if (sigaction(sig, NULL, &stray_old[sig]) < 0 ||
	    stray_old[sig].sa_handler == SIG_IGN)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_stray_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(sig, &sa, NULL);
}

static void
drop_stray_signals(void)
{
	size_t i;
	int sig;

	for (i = 0; i < PW_ARRAY_SIZE(stray_signals); i++)
		drop_stray(stray_signals[i]);
	for (sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		drop_stray(sig);
}

/*
 * A job-control stop of procwatch itself: note the time, then stop as the
 * default action would (the signal raised again with SIG_DFL, let in, and
 * the handler put back after SIGCONT, as less(1) and vim do).  A group
 * that is orphaned has the kernel discard the signal instead (POSIX; the
 * kernel's get_signal()), as it would have.  clock_gettime, sigaction,
 * raise and sigprocmask are async-signal-safe (signal-safety(7)).
 */
static void
on_stop_signal(int sig)
{
	struct sigaction dfl, mine;
	struct timespec now;
	sigset_t set;
	int saved_errno = errno;

	clock_gettime(CLOCK_MONOTONIC, &now);
	atomic_store(&self_stop_ns, (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec);
	atomic_fetch_add(&self_stops, 1);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, &mine);
	raise(sig);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);	/* stopped here until SIGCONT */
	sigaction(sig, &mine, NULL);
	errno = saved_errno;
}

static void
catch_stops(void)
{
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < PW_ARRAY_SIZE(stop_signals); i++)
		if (sigaction(stop_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			sigaction(stop_signals[i], &sa, NULL);
}

unsigned
signals_self_stops(void)
{
	return atomic_load(&self_stops);
}

struct timespec
signals_last_self_stop(void)
{
	uint64_t ns = atomic_load(&self_stop_ns);

	return (struct timespec){ .tv_sec = (time_t)(ns / 1000000000u),
				  .tv_nsec = (long)(ns % 1000000000u) };
}

static void
caught_set(sigset_t *set)
{
	size_t i;

	sigemptyset(set);
	for (i = 0; i < PW_ARRAY_SIZE(caught_signals); i++)
		sigaddset(set, caught_signals[i]);
}

/*
 * Without SA_RESTART in attach mode, so that a signal ends the wait at
 * once; the launch mode's handler only passes signals on or kills.
 */
static void
catch_unless_ignored(int sig, bool restart)
{
	struct sigaction sa, old;

	if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | (restart ? SA_RESTART : 0);
	caught_set(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

void
signals_setup(struct tracer *t)
{
	size_t i;

	root_pid = t->policy->attach ? 0 : t->root;
	attach_mode = t->policy->detach_on_stop;
	if (attach_mode) {
		signals_hold();
		task_table = &t->tasks;
	}
	for (i = 0; i < PW_ARRAY_SIZE(caught_signals); i++)
		catch_unless_ignored(caught_signals[i], !attach_mode);
	catch_stops();
	/*
	 * A reader that closes the output pipe early (procwatch ... | head),
	 * or an output file that reaches RLIMIT_FSIZE (SIGXFSZ, setrlimit(2)),
	 * must not kill procwatch: with PTRACE_O_EXITKILL that would kill the
	 * traced command too.  Write errors (EPIPE, EFBIG) are reported instead.
	 */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);
	drop_stray_signals();
}

bool
signals_stop_requested(void)
{
	return stop_requested != 0;
}

/* The loop is dispatching: the task table may change. */
void
signals_hold(void)
{
	sigset_t set;

	caught_set(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/* The loop is about to wait: a signal may stop procwatch now. */
void
signals_allow(void)
{
	sigset_t set;

	caught_set(&set);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/*
 * The command has ended (called while dispatching).  From here on the loop
 * holds the signals during every dispatch.
 */
void
signals_root_gone(struct tracer *t)
{
	if (attach_mode)
		return;
	signals_hold();
	task_table = &t->tasks;
	root_pid = 0;
}

void
pw_die_by_signal(int sig)
{
	struct rlimit no_core = { 0, 0 };
	sigset_t set;

	/* The command's core (if any) is written; ours would clobber it. */
	setrlimit(RLIMIT_CORE, &no_core);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	/* A signal whose default action is not to terminate (or is stopped). */
	_exit(128 + sig);
}
