/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the bench's tracers (pw_floor, pw_minfull, pw_peak_rss): fork
 * CMD and seize it with the given ptrace options before it runs anything
 * of its own.  The child waits on a pipe until the parent has seized it
 * (the parent closes the write end then), so CMD's very first fork is
 * already followed; a hook may then prepare it for exec (pw_minfull's
 * seccomp filter).  And the wait loop of a tracer that follows a whole
 * tree.  Header-only: scripts/bench compiles each program from one file
 * with cc.
 */
#ifndef PW_BENCH_LAUNCH_H
#define PW_BENCH_LAUNCH_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run in the seized child just before its exec; NULL for none. */
typedef void (*before_exec_fn)(void);

static void __attribute__((noreturn))
die(const char *what)
{
	perror(what);
	exit(125);
}

static void __attribute__((noreturn))
run_child(int pipe_fds[2], char **argv, before_exec_fn before_exec)
{
	char c;
	int err;

	close(pipe_fds[1]);
	while (read(pipe_fds[0], &c, 1) < 0 && errno == EINTR)
		;
	close(pipe_fds[0]);
	if (before_exec)
		before_exec();
	execvp(argv[0], argv);
	err = errno;
	perror(argv[0]);
	_exit(err == ENOENT ? 127 : 126);
}

static inline pid_t
launch_seized_then(char **argv, long options, before_exec_fn before_exec)
{
	int pipe_fds[2];
	pid_t pid;

	if (pipe(pipe_fds) != 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		run_child(pipe_fds, argv, before_exec);
	close(pipe_fds[0]);
	if (ptrace(PTRACE_SEIZE, pid, 0L, options) != 0)
		die("PTRACE_SEIZE");
	close(pipe_fds[1]);
	return pid;
}

static inline pid_t
launch_seized(char **argv, long options)
{
	return launch_seized_then(argv, options, NULL);
}

/*
 * Waits for every tracee until none is left (ECHILD), handing each stop to
 * resume and each death to gone (NULL: nothing to do).  Returns root's
 * exit status, 128 + the signal if it was killed.
 */
static inline int
follow_all(pid_t root, void (*resume)(pid_t, int), void (*gone)(pid_t))
{
	int status, exit_code = 0;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, __WALL);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0 && errno == ECHILD)
			return exit_code;
		if (pid < 0)
			die("waitpid");
		if (WIFSTOPPED(status))
			resume(pid, status);
		else if (gone)
			gone(pid);
		if (pid == root && WIFEXITED(status))
			exit_code = WEXITSTATUS(status);
		else if (pid == root && WIFSIGNALED(status))
			exit_code = 128 + WTERMSIG(status);
	}
}

#endif
