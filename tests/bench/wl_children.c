/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bench workload: wl_children LIVE [ROUNDS]: ROUNDS times (default 1),
 * fork LIVE children that all block reading one pipe, so that LIVE of them
 * are alive at once, then close the pipe and reap them all.  "2000 1" and
 * "20 100" fork and reap the same 2000 children, so any difference in time
 * per child comes from the number of live tasks alone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void __attribute__((noreturn))
die(const char *what)
{
	perror(what);
	exit(1);
}

static void __attribute__((noreturn))
child(int pipe_fds[2])
{
	char c;

	close(pipe_fds[1]);
	while (read(pipe_fds[0], &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

static void
one_round(long live)
{
	int pipe_fds[2];
	long i;
	pid_t pid;

	if (pipe(pipe_fds) != 0)
		die("pipe");
	for (i = 0; i < live; i++) {
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0)
			child(pipe_fds);
	}
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	while (wait(NULL) > 0)
		;
	if (errno != ECHILD)
		die("wait");
}

int
main(int argc, char **argv)
{
	long live = argc > 1 ? atol(argv[1]) : 2000;
	long rounds = argc > 2 ? atol(argv[2]) : 1, r;

	for (r = 0; r < rounds; r++)
		one_round(live);
	return 0;
}
