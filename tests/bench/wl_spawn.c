/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bench workload: wl_spawn N: fork N short children one after another
 * (default 100000), each exiting at once and reaped before the next fork,
 * so that at most two tasks are alive at any time.  A tracer's memory here
 * must stay bounded by the live tasks, not grow with the total.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000, i;
	pid_t pid;

	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, NULL, 0) != pid) {
			perror("waitpid");
			return 1;
		}
	}
	return 0;
}
