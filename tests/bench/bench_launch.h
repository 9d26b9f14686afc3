/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the bench's tracers (pw_floor, pw_peak_rss): fork CMD and seize
 * it with the given ptrace options before it runs anything of its own.  The
 * child waits on a pipe until the parent has seized it (the parent closes
 * the write end then), so CMD's very first fork is already followed.
 * Header-only: scripts/bench compiles each program from one file with cc.
 */
#ifndef PW_BENCH_LAUNCH_H
#define PW_BENCH_LAUNCH_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <unistd.h>

static void __attribute__((noreturn))
die(const char *what)
{
	perror(what);
	exit(125);
}

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
launch_seized(char **argv, long options)
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
	if (ptrace(PTRACE_SEIZE, pid, 0L, options) != 0)
		die("PTRACE_SEIZE");
	close(pipe_fds[1]);
	return pid;
}

#endif
