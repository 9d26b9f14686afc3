/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tracee helper: job control must work under the tracer.  A child stops
 * itself with raise(SIGSTOP); the parent sees it with waitpid(WUNTRACED),
 * reads the child's state from /proc/<child>/stat at that moment (a tracer
 * that resumed a group-stopped tracee instead of PTRACE_LISTENing would show
 * it running or sleeping: it is blocked reading a pipe right after raise()),
 * sends SIGCONT, sees WIFCONTINUED, then closes the pipe so the child can
 * exit 0, and reaps it.  The pipe keeps the child alive until its parent
 * has seen "continued": otherwise waitpid(WCONTINUED) could report the exit.
 * Facts on fd 3: pid, child, stopped, stop_signal, state, continued, exit_code.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pw_helper.h"

/* The state letter of /proc/<pid>/stat. */
static char
proc_state(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	return proc_state_at(path);
}

static void
child(int hold)
{
	char c;

	raise(SIGSTOP);
	while (read(hold, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

int
main(void)
{
	int hold[2], status;
	char state;
	pid_t pid;

	if (pipe(hold) < 0 || (pid = fork()) < 0)
		return 2;
	if (pid == 0) {
		close(hold[1]);
		child(hold[0]);
	}
	close(hold[0]);
	fact_long("pid", (long)getpid());
	fact_long("child", (long)pid);
	if (waitpid(pid, &status, WUNTRACED) != pid)
		return 2;
	state = proc_state(pid);
	fact_long("stopped", WIFSTOPPED(status));
	fact_long("stop_signal", WIFSTOPPED(status) ? WSTOPSIG(status) : 0);
	fact("state=%c", state);
	if (kill(pid, SIGCONT) < 0 || waitpid(pid, &status, WCONTINUED) != pid)
		return 2;
	fact_long("continued", WIFCONTINUED(status));
	close(hold[1]);
	if (waitpid(pid, &status, 0) != pid)
		return 2;
	fact_long("exit_code", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	/* No state letter here: it differs traced ('t') and untraced ('T'). */
	printf("stopped, continued, exited %d\n",
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}
