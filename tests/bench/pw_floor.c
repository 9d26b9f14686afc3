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

#define FOLLOW_OPTIONS (PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | \
			PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | \
			PTRACE_O_EXITKILL)

static void __attribute__((noreturn))
die(const char *what)
{
	perror(what);
	exit(125);
}

/*
 * The child: wait until the parent has seized us (it closes the pipe's
 * write end then), so that CMD's very first fork is already followed.
 */
static void __attribute__((noreturn))
run_child(int pipe_fds[2], char **argv)
{
	char c;
	int err;

	close(pipe_fds[1]);
	while (read(pipe_fds[0], &c, 1) < 0 && errno == EINTR)
		;
	close(pipe_fds[0]);
	execvp(argv[0], argv);
	err = errno;
	perror(argv[0]);
	_exit(err == ENOENT ? 127 : 126);
}

static pid_t
launch(char **argv)
{
	int pipe_fds[2];
	pid_t pid;

	if (pipe(pipe_fds) != 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		run_child(pipe_fds, argv);
	close(pipe_fds[0]);
	if (ptrace(PTRACE_SEIZE, pid, 0L, (long)FOLLOW_OPTIONS) != 0)
		die("PTRACE_SEIZE");
	close(pipe_fds[1]);
	return pid;
}

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
	int status, exit_code = 0;
	pid_t root, pid;

	if (argc < 2) {
		fprintf(stderr, "usage: pw_floor CMD [ARG...]\n");
		return 125;
	}
	root = launch(argv + 1);
	for (;;) {
		pid = waitpid(-1, &status, __WALL);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD)
				break;
			die("waitpid");
		}
		if (WIFSTOPPED(status))
			resume(pid, status);
		else if (pid == root && WIFEXITED(status))
			exit_code = WEXITSTATUS(status);
		else if (pid == root && WIFSIGNALED(status))
			exit_code = 128 + WTERMSIG(status);
	}
	return exit_code;
}
