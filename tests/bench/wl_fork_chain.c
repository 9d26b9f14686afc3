/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bench workload: wl_fork_chain DEPTH: a chain of DEPTH nested forks
 * (default 200): each process forks one child and waits for it, the last
 * one exits at once, and every status is passed back up the chain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	long depth = argc > 1 ? atol(argv[1]) : 200, level;
	int status;
	pid_t pid;

	for (level = 0; level < depth; level++) {
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0)
			continue;	/* the child goes one level deeper */
		if (waitpid(pid, &status, 0) != pid) {
			perror("waitpid");
			_exit(1);
		}
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
	}
	_exit(0);
}
