/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pw_floor CMD [ARG...]: the cheapest ptrace tracer that follows children,
 * for scripts/bench alone.  It seizes CMD with the fork, vfork, clone and
 * exec events on, so the kernel attaches every descendant, and resumes every
 * stop at once with PTRACE_CONT: no syscall stops, no decoding, no output.
 * Its time is the physical floor for any tracer that follows a process
 * tree; procwatch's cost is measured as a ratio to it.  Exits with CMD's
 * status (128 + the signal if CMD was killed) once no traced task is left.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_launch.h"

#define FOLLOW_OPTIONS (PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | \
			PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | \
			PTRACE_O_EXITKILL)

static int
is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
	       sig == SIGTTOU;
}

/*
 * Resumes one stopped task.  A task can be killed (SIGKILL, EXITKILL)
 * between its stop and our call: ESRCH then just means it is gone.
 */
static void
resume(pid_t pid, int status)
{
	int sig = WSTOPSIG(status), event = status >> 16;
	long r;

	if (event == PTRACE_EVENT_STOP && is_stop_signal(sig))
		/* Group-stop: stay stopped, but still report SIGCONT. */
		r = ptrace(PTRACE_LISTEN, pid, 0L, 0L);
	else if (event != 0)
		/* fork/vfork/clone/exec event, or a new child's first stop. */
		r = ptrace(PTRACE_CONT, pid, 0L, 0L);
	else
		/* Signal-delivery stop: deliver the signal as if untraced. */
		r = ptrace(PTRACE_CONT, pid, 0L, (long)sig);
	if (r != 0 && errno != ESRCH)
		die("ptrace resume");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: pw_floor CMD [ARG...]\n");
		return 125;
	}
	return follow_all(launch_seized(argv + 1, (long)FOLLOW_OPTIONS), resume, NULL);
}
