/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Signals sent to procwatch itself.  A terminal sends Ctrl-C (SIGINT),
 * Ctrl-\ (SIGQUIT) and a hangup's SIGHUP to the whole foreground process
 * group, which holds the traced command too: procwatch must survive them and
 * keep tracing until the command decides what to do.  A signal sent to
 * procwatch alone by another process (kill PID) is passed on to the command,
 * as timeout(1) does.  The handlers are installed only after the command is
 * forked, and exec resets caught signals to SIG_DFL anyway, so the command
 * sees the dispositions procwatch was started with (ignored stays ignored).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "procwatch/tracer.h"
#include "tracer_internal.h"

static volatile sig_atomic_t root_pid;

static void
on_signal(int sig, siginfo_t *info, void *ucontext)
{
	pid_t root = root_pid;

	(void)ucontext;
	/*
	 * si_code > 0 (SI_KERNEL) means the kernel generated it for the tty's
	 * process group: the command got its own copy.  SI_USER, SI_QUEUE and
	 * SI_TKILL (<= 0) mean a process aimed it at procwatch: pass it on.
	 */
	if (root > 0 && info->si_code <= 0)
		kill(root, sig);
}

static void
catch_unless_ignored(int sig)
{
	struct sigaction sa, old;

	if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

void
signals_setup_tracer(pid_t root)
{
	static const int passed_on[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP };
	size_t i;

	root_pid = root;
	for (i = 0; i < sizeof(passed_on) / sizeof(passed_on[0]); i++)
		catch_unless_ignored(passed_on[i]);
	/*
	 * A reader that closes the output pipe early (procwatch ... | head)
	 * must not kill procwatch: with PTRACE_O_EXITKILL that would kill the
	 * traced command too.  Write errors are reported instead.
	 */
	signal(SIGPIPE, SIG_IGN);
}

void
signals_root_gone(void)
{
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
